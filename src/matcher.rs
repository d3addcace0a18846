//! Native phrase and regex matching, compiled once and cached.
//!
//! Phrases match case-insensitively, on word boundaries, with straight and
//! curly apostrophes treated alike. Scripts call these through the note API;
//! the host uses the same matcher for rule triggers.

use crate::span::Span;
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};
use regex::Regex;
use std::cell::RefCell;
use std::collections::HashMap;

/// The caches below are looked up on every rule call: a fast hash, not SipHash.
type FastMap<K, V> = HashMap<K, V, foldhash::fast::RandomState>;
use std::hash::{BuildHasher, Hash, Hasher};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

/// One set of phrases, searched directly until it has searched enough text
/// to pay for its automaton (see [`DIRECT_BYTES`]).
#[derive(Debug)]
pub struct PhraseMatcher {
    /// The patterns (ASCII-lowercased, see [`variants`]).
    patterns: Vec<String>,
    /// Pattern index → index of the phrase it came from (apostrophe variants share one).
    phrase_of: Vec<usize>,
    automaton: BuiltOnUse<AhoCorasick>,
}

/// A phrase occurrence: which phrase and where.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PhraseHit {
    /// Index into the phrase list the matcher was built from.
    pub phrase: usize,
    /// Where, in bytes of the searched text.
    pub span: Span,
}

/// The patterns a phrase is searched as: trimmed, ASCII-lowercased (the
/// automaton ignores ASCII case), once with straight apostrophes and, if it
/// has any, once with curly ones. An empty phrase has none.
fn variants(phrase: &str) -> Vec<String> {
    let p = phrase.trim().to_ascii_lowercase().replace(['’', '‘'], "'");
    match p.as_str() {
        "" => vec![],
        _ if p.contains('\'') => vec![p.replace('\'', "’"), p],
        _ => vec![p],
    }
}

impl PhraseMatcher {
    /// Compiles `phrases` (empty phrases are ignored).
    pub fn new<S: AsRef<str>>(phrases: &[S]) -> PhraseMatcher {
        let mut patterns = Vec::new();
        let mut phrase_of = Vec::new();
        for (i, p) in phrases.iter().enumerate() {
            for v in variants(p.as_ref()) {
                patterns.push(v);
                phrase_of.push(i);
            }
        }
        PhraseMatcher {
            patterns,
            phrase_of,
            automaton: BuiltOnUse::new(),
        }
    }

    fn build(&self) -> AhoCorasick {
        AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::LeftmostLongest)
            .kind(Some(AhoCorasickKind::ContiguousNFA))
            .build(&self.patterns)
            .expect("phrase patterns are plain strings")
    }

    /// The leftmost occurrence at or after `at` in `lower` (the text
    /// ASCII-lowercased), the longest there, the first pattern of equal
    /// ones: what the automaton finds. Start, end and pattern index.
    /// `next` keeps each pattern's next occurrence (`usize::MAX`: none) for
    /// the next call, whose `at` is never smaller, so one walk through a
    /// text reads it once per pattern.
    fn leftmost_longest(
        &self,
        lower: &str,
        at: usize,
        next: &mut [Option<usize>],
    ) -> Option<(usize, usize, usize)> {
        let mut best: Option<(usize, usize, usize)> = None;
        for (i, p) in self.patterns.iter().enumerate() {
            let start = match next[i] {
                Some(s) if s >= at => s,
                _ => {
                    let s = lower[at..].find(p.as_str()).map_or(usize::MAX, |j| at + j);
                    next[i] = Some(s);
                    s
                }
            };
            if start == usize::MAX {
                continue;
            }
            let end = start + p.len();
            if best.is_none_or(|(s, e, _)| start < s || (start == s && end > e)) {
                best = Some((start, end, i));
            }
        }
        best
    }

    /// Every word-bounded, non-overlapping occurrence in `text`, leftmost-longest.
    /// A hit that is glued to a word (`demo` in `demolition`) is skipped and the
    /// search resumes one char later, so it never hides a good hit behind it.
    pub fn find_iter<'a>(&'a self, text: &'a str) -> impl Iterator<Item = PhraseHit> + 'a {
        let automaton = self.automaton.get(text.len(), || self.build());
        // ASCII lowercasing keeps offsets, and the patterns are lowercased.
        let lower = automaton.is_none().then(|| text.to_ascii_lowercase());
        let mut next = vec![
            None;
            if automaton.is_none() {
                self.patterns.len()
            } else {
                0
            }
        ];
        let mut at = 0;
        std::iter::from_fn(move || {
            while at <= text.len() {
                let (start, end, pattern) = match (automaton, &lower) {
                    (Some(ac), _) => {
                        let m = ac.find(aho_corasick::Input::new(text).span(at..text.len()))?;
                        (m.start(), m.end(), m.pattern().as_usize())
                    }
                    (None, Some(lower)) => self.leftmost_longest(lower, at, &mut next)?,
                    (None, None) => return None,
                };
                let good = bounded(text, start, end);
                at = if good { end.max(start + 1) } else { start + 1 };
                while at < text.len() && !text.is_char_boundary(at) {
                    at += 1;
                }
                if good {
                    return Some(PhraseHit {
                        phrase: self.phrase_of[pattern],
                        span: Span::new(start, end),
                    });
                }
            }
            None
        })
    }

    /// True when any phrase occurs in `text`.
    pub fn is_match(&self, text: &str) -> bool {
        self.find_iter(text).next().is_some()
    }
}

/// True when `text[start..end]` is not glued to a letter or digit on either side.
pub fn bounded(text: &str, start: usize, end: usize) -> bool {
    let word = |c: char| c.is_alphanumeric() || c == '_';
    let before_ok = text[..start].chars().next_back().is_none_or(|c| !word(c))
        || text[start..end].chars().next().is_some_and(|c| !word(c));
    let after_ok = text[end..].chars().next().is_none_or(|c| !word(c))
        || text[..end].chars().next_back().is_some_and(|c| !word(c));
    before_ok && after_ok
}

/// How much text a matcher searches without its automaton. Building an
/// automaton over many phrases costs about as much as searching for each
/// phrase on its own through some fifty short notes, so a run of a few
/// notes never builds one.
const DIRECT_BYTES: usize = 16 << 10;

/// What a matcher compiles for many searches, built only once
/// [`DIRECT_BYTES`] of text were searched without it.
#[derive(Debug)]
struct BuiltOnUse<T> {
    searched: AtomicUsize,
    built: OnceLock<T>,
}

impl<T> BuiltOnUse<T> {
    fn new() -> BuiltOnUse<T> {
        BuiltOnUse {
            searched: AtomicUsize::new(0),
            built: OnceLock::new(),
        }
    }

    /// The compiled form for a search of `len` bytes, or `None` while
    /// searching without it is cheaper (a long text gets it at once).
    fn get(&self, len: usize, build: impl FnOnce() -> T) -> Option<&T> {
        if let Some(t) = self.built.get() {
            return Some(t);
        }
        let before = self.searched.fetch_add(len, Ordering::Relaxed);
        if before.saturating_add(len) <= DIRECT_BYTES {
            return None;
        }
        Some(self.built.get_or_init(build))
    }
}

/// Many phrases, each owned by several things (rules), found overlapping: a
/// phrase inside another phrase, or listed by two rules, still reports every
/// owner. Used for the host's one-pass trigger matching.
pub struct TriggerMatcher {
    /// The distinct patterns (ASCII-lowercased, see [`variants`]).
    patterns: Vec<String>,
    /// Pattern index → owners.
    owners: Vec<Vec<usize>>,
    automaton: BuiltOnUse<AhoCorasick>,
}

impl TriggerMatcher {
    /// Builds from `(phrase, owner)` pairs; equal phrases are merged.
    pub fn new<S: AsRef<str>>(pairs: impl IntoIterator<Item = (S, usize)>) -> TriggerMatcher {
        let mut index: HashMap<String, usize> = HashMap::new();
        let mut patterns: Vec<String> = Vec::new();
        let mut owners: Vec<Vec<usize>> = Vec::new();
        for (phrase, owner) in pairs {
            for v in variants(phrase.as_ref()) {
                let i = *index.entry(v.clone()).or_insert_with(|| {
                    patterns.push(v);
                    owners.push(Vec::new());
                    owners.len() - 1
                });
                if !owners[i].contains(&owner) {
                    owners[i].push(owner);
                }
            }
        }
        TriggerMatcher {
            patterns,
            owners,
            automaton: BuiltOnUse::new(),
        }
    }

    fn build(&self) -> AhoCorasick {
        AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            // A DFA over hundreds of phrases takes milliseconds to build; the
            // contiguous NFA builds faster and still searches quickly.
            .kind(Some(AhoCorasickKind::ContiguousNFA))
            .build(&self.patterns)
            .expect("trigger patterns are plain strings")
    }

    /// Calls `hit(owner, start, end)` for every owner of every word-bounded
    /// occurrence, in bytes of `text` (an owner may be called more than once).
    pub fn for_each_owner(&self, text: &str, mut hit: impl FnMut(usize, usize, usize)) {
        if self.patterns.is_empty() {
            return;
        }
        let mut found = |start: usize, end: usize, pattern: usize| {
            if bounded(text, start, end) {
                self.owners[pattern]
                    .iter()
                    .for_each(|&o| hit(o, start, end));
            }
        };
        if let Some(ac) = self.automaton.get(text.len(), || self.build()) {
            for m in ac.find_overlapping_iter(text) {
                found(m.start(), m.end(), m.pattern().as_usize());
            }
            return;
        }
        // Every occurrence of every pattern, as the automaton finds them:
        // patterns are ASCII-lowercased and ASCII lowercasing keeps offsets.
        let lower = text.to_ascii_lowercase();
        for (i, p) in self.patterns.iter().enumerate() {
            let mut from = 0;
            while let Some(at) = lower[from..].find(p.as_str()) {
                let start = from + at;
                found(start, start + p.len(), i);
                from = start + lower[start..].chars().next().map_or(1, char::len_utf8);
            }
        }
    }
}

/// Trigger regexes, each owned by one thing (a rule): one `RegexSet` pass
/// once there are many notes; before that, and when the patterns together are
/// too big for a set, each regex in turn (compiled once per process by
/// [`regex`], which is where a rule's patterns were checked when it loaded).
pub struct PatternMatcher {
    patterns: Vec<String>,
    owners: Vec<usize>,
    set: BuiltOnUse<Option<regex::RegexSet>>,
}

impl PatternMatcher {
    /// Builds from `(pattern, owner)` pairs.
    pub fn new<S: AsRef<str>>(pairs: impl IntoIterator<Item = (S, usize)>) -> PatternMatcher {
        let (patterns, owners) = pairs
            .into_iter()
            .map(|(p, o)| (p.as_ref().to_owned(), o))
            .unzip();
        PatternMatcher {
            patterns,
            owners,
            set: BuiltOnUse::new(),
        }
    }

    /// Calls `hit(owner)` for every pattern that matches `text`.
    pub fn for_each_owner(&self, text: &str, mut hit: impl FnMut(usize)) {
        if self.patterns.is_empty() {
            return;
        }
        let set = self.set.get(text.len(), || {
            regex::RegexSetBuilder::new(&self.patterns)
                .size_limit(64 << 20)
                .build()
                .ok()
        });
        if let Some(Some(set)) = set {
            set.matches(text).iter().for_each(|i| hit(self.owners[i]));
            return;
        }
        // A pattern that does not compile now was reported when its rule loaded.
        for (p, &owner) in self.patterns.iter().zip(&self.owners) {
            if regex(p).is_ok_and(|r| r.is_match(text)) {
                hit(owner);
            }
        }
    }
}

const CACHE_LIMIT: usize = 4096;

/// A compiled phrase list with the list it was built from (checked on a hit,
/// so a hash collision can never return the wrong matcher).
type CachedPhrases = (Vec<String>, Arc<PhraseMatcher>);

thread_local! {
    static PHRASES: RefCell<FastMap<u64, CachedPhrases>> = RefCell::new(FastMap::default());
}

/// A cached matcher for this phrase list (built on first use on this thread).
/// Scripts pass their lists on every call, so the lookup must be cheap: a fast
/// hash and one comparison.
pub fn phrases<S: AsRef<str>>(list: &[S]) -> Arc<PhraseMatcher> {
    let mut h = foldhash::quality::FixedState::with_seed(0x7ac7).build_hasher();
    list.len().hash(&mut h);
    for s in list {
        s.as_ref().hash(&mut h);
    }
    let key = h.finish();
    PHRASES.with(|c| {
        let mut cache = c.borrow_mut();
        if let Some((words, m)) = cache.get(&key)
            && words.len() == list.len()
            && words.iter().zip(list).all(|(a, b)| a == b.as_ref())
        {
            return m.clone();
        }
        if cache.len() >= CACHE_LIMIT {
            cache.clear();
        }
        let m = Arc::new(PhraseMatcher::new(list));
        cache.insert(
            key,
            (
                list.iter().map(|s| s.as_ref().to_owned()).collect(),
                m.clone(),
            ),
        );
        m
    })
}

/// Compiled regexes, shared by all threads: a Unicode-aware pattern can take
/// milliseconds to compile, so each is compiled once per process.
static REGEXES: std::sync::LazyLock<std::sync::RwLock<FastMap<String, Regex>>> =
    std::sync::LazyLock::new(Default::default);

thread_local! {
    /// This thread's clones of the shared regexes: a clone has its own match
    /// cache, so threads never contend for one.
    static LOCAL_REGEXES: RefCell<FastMap<String, Arc<Regex>>> = RefCell::new(FastMap::default());
}

/// A cached compiled regex.
pub fn regex(pattern: &str) -> Result<Arc<Regex>, String> {
    if let Some(r) = LOCAL_REGEXES.with(|c| c.borrow().get(pattern).cloned()) {
        return Ok(r);
    }
    let shared = REGEXES
        .read()
        .unwrap_or_else(|e| e.into_inner())
        .get(pattern)
        .cloned();
    let r = match shared {
        Some(r) => r,
        None => {
            let r = regex::RegexBuilder::new(pattern)
                .size_limit(1 << 20)
                .build()
                .map_err(|e| format!("invalid regex `{pattern}`: {e}"))?;
            let mut cache = REGEXES.write().unwrap_or_else(|e| e.into_inner());
            if cache.len() >= CACHE_LIMIT {
                cache.clear();
            }
            cache.insert(pattern.to_owned(), r.clone());
            r
        }
    };
    let r = Arc::new(r);
    LOCAL_REGEXES.with(|c| {
        let mut local = c.borrow_mut();
        if local.len() >= CACHE_LIMIT {
            local.clear();
        }
        local.insert(pattern.to_owned(), r.clone());
    });
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hits(phrases: &[&str], text: &str) -> Vec<String> {
        PhraseMatcher::new(phrases)
            .find_iter(text)
            .map(|h| text[h.span.start..h.span.end].to_owned())
            .collect()
    }

    #[test]
    fn case_insensitive_and_word_bounded() {
        assert_eq!(
            hits(&["quick call"], "A Quick Call? quick caller"),
            ["Quick Call"]
        );
        assert_eq!(hits(&["just"], "justice, just now"), ["just"]);
    }

    #[test]
    fn straight_and_curly_apostrophes_alike() {
        assert_eq!(
            hits(&["I know you're busy"], "I know you’re busy"),
            ["I know you’re busy"]
        );
        assert_eq!(
            hits(&["I know you’re busy"], "i know you're busy"),
            ["i know you're busy"]
        );
    }

    #[test]
    fn boundary_miss_does_not_hide_later_hit() {
        assert_eq!(hits(&["demo"], "demolition and a demo"), ["demo"]);
        assert_eq!(hits(&["u"], "thank u"), ["u"]);
        assert_eq!(
            hits(&["15 minutes"], "115 minutes or 15 minutes"),
            ["15 minutes"]
        );
    }

    #[test]
    fn triggers_report_every_owner_of_overlapping_phrases() {
        let t = TriggerMatcher::new([
            ("refer me", 0),
            ("refer me", 1),
            ("please", 2),
            ("please respond", 3),
            ("demo", 4),
        ]);
        let mut seen = Vec::new();
        t.for_each_owner(
            "Could you refer me? Please respond. demolition",
            |o, s, e| seen.push((o, s, e)),
        );
        seen.sort();
        assert_eq!(seen, [(0, 10, 18), (1, 10, 18), (2, 20, 26), (3, 20, 34)]);
    }

    #[test]
    fn scanning_finds_what_the_automaton_finds() {
        let pairs = [
            ("refer me", 0),
            ("please", 1),
            ("please respond", 2),
            ("a a", 3),
            ("you’re", 4),
            ("élan", 5),
            ("demo", 6),
            ("aa", 7),
        ];
        let texts = [
            "Could you REFER me? Please respond. demolition",
            "xa a a",
            "you're here, with élan, ÉLAN",
            "aaa demo",
            "",
            "nothing here",
        ];
        let owners = |t: &TriggerMatcher, text: &str| {
            let mut seen = Vec::new();
            t.for_each_owner(text, |o, s, e| seen.push((o, s, e)));
            seen.sort();
            seen.dedup();
            seen
        };
        let warm = TriggerMatcher::new(pairs);
        warm.for_each_owner(&" ".repeat(DIRECT_BYTES + 1), |_, _, _| {});
        assert!(warm.automaton.built.get().is_some());
        for text in texts {
            let cold = TriggerMatcher::new(pairs);
            assert_eq!(owners(&cold, text), owners(&warm, text), "{text:?}");
            assert!(cold.automaton.built.get().is_none());
        }
        assert_eq!(owners(&warm, "xa a a"), [(3, 3, 6)]);
        assert_eq!(owners(&warm, "aaa demo"), [(6, 4, 8)]);
    }

    #[test]
    fn patterns_match_alike_with_and_without_a_set() {
        let pairs = [(r"\bdemo\b", 0), ("[A-Z]{4,}", 1), (r"\d+ min", 2)];
        let owners = |p: &PatternMatcher, text: &str| {
            let mut seen = Vec::new();
            p.for_each_owner(text, |o| seen.push(o));
            seen
        };
        let warm = PatternMatcher::new(pairs);
        warm.for_each_owner(&" ".repeat(DIRECT_BYTES + 1), |_| {});
        assert!(matches!(warm.set.built.get(), Some(Some(_))));
        for text in ["a demo of URGENT 15 min", "demolition", "AB CD 5 minutes"] {
            let cold = PatternMatcher::new(pairs);
            assert_eq!(owners(&cold, text), owners(&warm, text), "{text:?}");
        }
        assert_eq!(owners(&warm, "a demo of URGENT 15 min"), [0, 1, 2]);
    }

    #[test]
    fn phrases_found_alike_with_and_without_the_automaton() {
        let phrases = [
            "call",
            "quick call",
            "Call",
            "demo",
            "a a",
            "you’re",
            "élan",
            "u",
            "15 minutes",
        ];
        let many = "u ".repeat(2000);
        let texts = [
            many.as_str(),
            "A Quick Call? quick caller, call",
            "demolition and a demo",
            "xa a a a",
            "you're here with élan, ÉLAN",
            "thank u, 115 minutes or 15 minutes",
            "",
        ];
        let hits = |m: &PhraseMatcher, text: &str| -> Vec<(usize, Span)> {
            m.find_iter(text).map(|h| (h.phrase, h.span)).collect()
        };
        let warm = PhraseMatcher::new(&phrases);
        warm.find_iter(&" ".repeat(DIRECT_BYTES + 1)).for_each(drop);
        assert!(warm.automaton.built.get().is_some());
        for text in texts {
            let cold = PhraseMatcher::new(&phrases);
            assert_eq!(hits(&cold, text), hits(&warm, text), "{text:?}");
            assert!(cold.automaton.built.get().is_none());
        }
        // Equal phrases: the first one's index, as the automaton reports it.
        assert_eq!(hits(&warm, "Call me")[0].0, 0);
    }

    #[test]
    fn non_ascii_letters_match_as_written() {
        assert_eq!(hits(&["Élan"], "Élan only"), ["Élan"]);
        assert_eq!(hits(&["élan"], "ÉLAN élan"), ["élan"]);
    }

    #[test]
    fn longest_phrase_wins() {
        assert_eq!(
            hits(&["call", "quick call"], "a quick call"),
            ["quick call"]
        );
    }

    #[test]
    fn bad_regex_is_an_error_not_a_panic() {
        assert!(regex("(unclosed").is_err());
        assert!(regex(r"\bdemo\b").unwrap().is_match("a demo"));
    }
}
