//! The host API scripts see: the `Note` and `Match` types, phrase and regex
//! helpers, and the constructors for findings and edits. Documented for rule
//! authors in `docs/rule-api.md`; keep the two in step.

use crate::matcher;
use crate::note::Note;
use crate::span::Span;
use rhai::{Array, Dynamic, Engine, EvalAltResult, ImmutableString, Map};
use std::sync::{Arc, OnceLock};

type RhaiResult<T> = Result<T, Box<EvalAltResult>>;

/// A span of the note with its text, as scripts see it (`Match` in scripts).
#[derive(Debug, Clone)]
pub struct Match {
    /// Byte offset of the start in the note's source.
    pub start: i64,
    /// Byte offset of the end in the note's source.
    pub end: i64,
    /// The matched text.
    pub text: ImmutableString,
    /// Extra detail: the phrase that matched, a placeholder's name, a regex's first group.
    pub inner: ImmutableString,
}

/// A list of strings from a rule's options (`Phrases` in scripts), compiled
/// once when the rulebook is resolved. Passing it to `note.find`/`note.has`
/// uses the compiled matcher directly; cloning it (every call gets the
/// options) is a reference-count bump, not a copy of the list.
#[derive(Clone)]
pub struct Phrases {
    items: Arc<[ImmutableString]>,
    /// For `contains`, called in script loops: a fast hash, not SipHash.
    set: Arc<std::collections::HashSet<ImmutableString, foldhash::fast::RandomState>>,
    /// Built on first use: most lists are never searched on a short run.
    matcher: Arc<OnceLock<matcher::PhraseMatcher>>,
}

impl Phrases {
    /// Compiles a list of strings.
    pub fn new(items: Vec<ImmutableString>) -> Self {
        Phrases {
            matcher: Arc::new(OnceLock::new()),
            set: Arc::new(items.iter().cloned().collect()),
            items: items.into(),
        }
    }

    /// The strings, in order.
    pub fn items(&self) -> &[ImmutableString] {
        &self.items
    }

    fn matcher(&self) -> &matcher::PhraseMatcher {
        self.matcher
            .get_or_init(|| matcher::PhraseMatcher::new(&self.items))
    }
}

impl IntoIterator for Phrases {
    type Item = ImmutableString;
    type IntoIter = PhrasesIter;
    fn into_iter(self) -> PhrasesIter {
        PhrasesIter {
            items: self.items,
            at: 0,
        }
    }
}

/// Iterates a [`Phrases`] list (`for p in options.phrases`) without copying it.
pub struct PhrasesIter {
    items: Arc<[ImmutableString]>,
    at: usize,
}

impl Iterator for PhrasesIter {
    type Item = ImmutableString;
    fn next(&mut self) -> Option<ImmutableString> {
        let item = self.items.get(self.at).cloned();
        self.at += 1;
        item
    }
}

/// A note as scripts see it (`Note` in scripts): the note plus lazily built,
/// shared script values, so ten rules asking for `words` build the array once.
#[derive(Clone)]
pub struct NoteRef(pub Arc<NoteView>);

/// The note and its cached script values.
pub struct NoteView {
    /// The note being checked.
    pub note: Arc<Note>,
    /// Length in chars used by length checks (template expansion applied).
    pub length: usize,
    text: OnceLock<ImmutableString>,
    lower: OnceLock<ImmutableString>,
    words: OnceLock<Array>,
    sentences: OnceLock<Array>,
    questions: OnceLock<Array>,
    placeholders: OnceLock<Array>,
    context: OnceLock<Map>,
}

impl NoteRef {
    /// Wraps a note for scripts; `length` is its effective length in chars.
    pub fn new(note: Arc<Note>, length: usize) -> Self {
        NoteRef(Arc::new(NoteView {
            note,
            length,
            text: OnceLock::new(),
            lower: OnceLock::new(),
            words: OnceLock::new(),
            sentences: OnceLock::new(),
            questions: OnceLock::new(),
            placeholders: OnceLock::new(),
            context: OnceLock::new(),
        }))
    }

    fn note(&self) -> &Note {
        &self.0.note
    }

    fn mk(&self, span: Span, inner: &str) -> Match {
        let note = self.note();
        let span = span.clamp_to(&note.source);
        Match {
            start: span.start as i64,
            end: span.end as i64,
            text: note.slice(span).into(),
            inner: inner.into(),
        }
    }

    fn opt(&self, span: Option<Span>) -> Dynamic {
        span.map(|s| Dynamic::from(self.mk(s, "")))
            .unwrap_or(Dynamic::UNIT)
    }

    /// At most [`MAX_MATCHES`] of `matches`, counting the rest as dropped.
    fn capped(&self, matches: impl Iterator<Item = Dynamic>) -> Array {
        let mut out = Array::new();
        let mut dropped = 0;
        for m in matches {
            if out.len() < MAX_MATCHES {
                out.push(m);
            } else {
                dropped += 1;
            }
        }
        DROPPED.with(|d| d.set(d.get() + dropped));
        out
    }

    fn find_in_span(&self, within: Span, phrases: &[ImmutableString]) -> Array {
        self.find_with(within, &matcher::phrases(phrases), phrases)
    }

    fn find_with(
        &self,
        within: Span,
        m: &matcher::PhraseMatcher,
        phrases: &[ImmutableString],
    ) -> Array {
        let note = self.note();
        let within = within.clamp_to(&note.source);
        let text = &note.source[within.start..within.end];
        self.capped(
            m.find_iter(text)
                .map(|h| Dynamic::from(self.mk(h.span.shifted(within.start), &phrases[h.phrase]))),
        )
    }

    fn body_text(&self) -> &str {
        let note = self.note();
        &note.source[note.body.start..note.body.end]
    }

    fn regex_in_span(&self, within: Span, pattern: &str) -> RhaiResult<Array> {
        let note = self.note();
        let within = within.clamp_to(&note.source);
        let text = &note.source[within.start..within.end];
        let re = matcher::regex(pattern)?;
        Ok(self.capped(re.captures_iter(text).map(|c| {
            let all = c.get(0).expect("group 0 always matches");
            let inner = c.get(1).map(|g| g.as_str()).unwrap_or("");
            Dynamic::from(self.mk(
                Span::new(all.start(), all.end()).shifted(within.start),
                inner,
            ))
        })))
    }
}

/// The most matches `find`, `find_regex` (and their `_in` forms),
/// `placeholders`, `asks`, `references` and `strategies` hand a script: one more than the findings a rule may
/// report on a note, so a rule flagging every match still shows it has more.
/// Without a cap a long note of repeats made core rules build arrays past
/// the sandbox's size limits.
pub const MAX_MATCHES: usize = crate::run::MAX_FINDINGS + 1;

thread_local! {
    /// Matches left out by the cap during the rule call on this thread.
    static DROPPED: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// The matches the cap left out since the last call, and resets the count
/// (called around each rule call).
pub fn take_dropped() -> usize {
    DROPPED.with(|d| d.replace(0))
}

fn strings(list: &Array) -> RhaiResult<Vec<ImmutableString>> {
    list.iter()
        .map(|d| {
            d.clone()
                .into_immutable_string()
                .map_err(|t| format!("phrase lists hold strings, found {t}").into())
        })
        .collect()
}

/// Reads a span from a `Match`, a map with `start` and `end`, or `[start, end]`.
pub fn to_span(d: &Dynamic) -> Result<Span, String> {
    to_span_at(d, true)
}

/// Whether the source between `a` and `b` is only white space (or empty).
fn between_is_space(note: &Note, a: usize, b: usize) -> bool {
    a <= b
        && note
            .source
            .get(a..b)
            .is_some_and(|t| t.chars().all(char::is_whitespace))
}

/// `nested`: a map's `span` key is followed one level, never recursively (a
/// hostile script could nest them thousands deep).
fn to_span_at(d: &Dynamic, nested: bool) -> Result<Span, String> {
    if let Some(m) = d.read_lock::<Match>() {
        return Ok(Span::new(m.start.max(0) as usize, m.end.max(0) as usize));
    }
    if let Some(map) = d.read_lock::<Map>()
        && let Some(span) = map_span(&map, nested)
    {
        return Ok(span);
    }
    let int = |d: Option<&Dynamic>| {
        d.and_then(|d| d.as_int().ok())
            .filter(|i| *i >= 0)
            .map(|i| i as usize)
    };
    if let Some(arr) = d.read_lock::<Array>()
        && let (Some(s), Some(e), 2) = (int(arr.first()), int(arr.get(1)), arr.len())
    {
        return Ok(Span::new(s, e));
    }
    Err(format!(
        "expected a Match, a map with `start` and `end`, or [start, end], found {}",
        d.type_name()
    ))
}

fn map_span(map: &Map, nested: bool) -> Option<Span> {
    let int = |d: Option<&Dynamic>| {
        d.and_then(|d| d.as_int().ok())
            .filter(|i| *i >= 0)
            .map(|i| i as usize)
    };
    if let (Some(s), Some(e)) = (int(map.get("start")), int(map.get("end"))) {
        return Some(Span::new(s, e));
    }
    map.get("span")
        .filter(|_| nested)
        .and_then(|inner| to_span_at(inner, false).ok())
}

/// The span of a finding or edit map (its `start`/`end`, or its `span`),
/// read without copying the map.
pub fn span_of_map(map: &Map) -> Result<Span, String> {
    map_span(map, true)
        .ok_or_else(|| "has no `start` and `end` (use `finding(at, message)`)".to_owned())
}

fn edit(at: &Dynamic, start_only: Option<bool>, text: &str) -> RhaiResult<Map> {
    let span = to_span(at)?;
    let span = match start_only {
        Some(true) => Span::new(span.start, span.start),
        Some(false) => Span::new(span.end, span.end),
        None => span,
    };
    let mut m = Map::new();
    m.insert("start".into(), Dynamic::from_int(span.start as i64));
    m.insert("end".into(), Dynamic::from_int(span.end as i64));
    m.insert(
        "replacement".into(),
        Dynamic::from(ImmutableString::from(text)),
    );
    m.insert("safe".into(), Dynamic::TRUE);
    Ok(m)
}

fn finding(at: &Dynamic, message: &str, help: Option<&str>) -> RhaiResult<Map> {
    let span = to_span(at)?;
    let mut m = Map::new();
    m.insert("start".into(), Dynamic::from_int(span.start as i64));
    m.insert("end".into(), Dynamic::from_int(span.end as i64));
    m.insert(
        "message".into(),
        Dynamic::from(ImmutableString::from(message)),
    );
    if let Some(h) = help {
        m.insert("help".into(), Dynamic::from(ImmutableString::from(h)));
    }
    Ok(m)
}

/// Registers the types and functions of the rule API on `engine`.
pub fn register(engine: &mut Engine) {
    engine
        .register_type_with_name::<Match>("Match")
        .register_get("start", |m: &mut Match| m.start)
        .register_get("end", |m: &mut Match| m.end)
        .register_get("text", |m: &mut Match| m.text.clone())
        .register_get("inner", |m: &mut Match| m.inner.clone())
        .register_fn("to_string", |m: &mut Match| {
            format!("{:?}@{}..{}", m.text.as_str(), m.start, m.end)
        })
        .register_fn("to_debug", |m: &mut Match| {
            format!("Match({:?}@{}..{})", m.text.as_str(), m.start, m.end)
        });

    engine
        .register_type_with_name::<Phrases>("Phrases")
        .register_get("len", |p: &mut Phrases| p.items.len() as i64)
        .register_fn("len", |p: &mut Phrases| p.items.len() as i64)
        .register_fn("is_empty", |p: &mut Phrases| p.items.is_empty())
        .register_fn("contains", |p: &mut Phrases, s: ImmutableString| {
            p.set.contains(&s)
        })
        .register_fn("to_array", |p: &mut Phrases| {
            p.items
                .iter()
                .cloned()
                .map(Dynamic::from)
                .collect::<Array>()
        })
        .register_indexer_get(|p: &mut Phrases, i: i64| -> RhaiResult<ImmutableString> {
            let n = p.items.len() as i64;
            let at = if i < 0 { n + i } else { i };
            p.items
                .get(at as usize)
                .cloned()
                .ok_or_else(|| format!("index {i} out of range for a list of {n}").into())
        })
        .register_iterator::<Phrases>()
        .register_fn("to_string", |p: &mut Phrases| format!("{:?}", p.items))
        .register_fn("to_debug", |p: &mut Phrases| {
            format!("Phrases({:?})", p.items)
        });

    engine
        .register_type_with_name::<NoteRef>("Note")
        .register_get("text", |n: &mut NoteRef| {
            n.0.text.get_or_init(|| n.note().body_text().into()).clone()
        })
        .register_get("lower", |n: &mut NoteRef| {
            n.0.lower
                .get_or_init(|| n.note().body_text().to_lowercase().into())
                .clone()
        })
        .register_get("body", |n: &mut NoteRef| n.mk(n.note().trimmed_body(), ""))
        .register_get("length", |n: &mut NoteRef| n.0.length as i64)
        .register_get("words", |n: &mut NoteRef| {
            n.0.words
                .get_or_init(|| {
                    n.note()
                        .segments()
                        .words
                        .iter()
                        .map(|w| Dynamic::from(n.mk(w.span, &w.norm)))
                        .collect()
                })
                .clone()
        })
        .register_get("word_count", |n: &mut NoteRef| {
            n.note().segments().words.len() as i64
        })
        .register_get("sentence_count", |n: &mut NoteRef| {
            n.note().segments().sentences.len() as i64
        })
        .register_get("question_count", |n: &mut NoteRef| {
            n.note()
                .segments()
                .sentences
                .iter()
                .filter(|s| s.question)
                .count() as i64
        })
        .register_get("content_sentence_count", |n: &mut NoteRef| {
            n.note().segments().content_sentences as i64
        })
        .register_get("opening", |n: &mut NoteRef| {
            n.opt(n.note().segments().opening)
        })
        .register_get("sentences", |n: &mut NoteRef| {
            n.0.sentences
                .get_or_init(|| {
                    n.note()
                        .segments()
                        .sentences
                        .iter()
                        .map(|s| Dynamic::from(n.mk(s.span, "")))
                        .collect()
                })
                .clone()
        })
        .register_get("questions", |n: &mut NoteRef| {
            n.0.questions
                .get_or_init(|| {
                    n.note()
                        .segments()
                        .sentences
                        .iter()
                        .filter(|s| s.question)
                        .map(|s| Dynamic::from(n.mk(s.span, "")))
                        .collect()
                })
                .clone()
        })
        .register_get("greeting", |n: &mut NoteRef| {
            n.opt(n.note().segments().greeting.as_ref().map(|g| g.span))
        })
        .register_get("greeting_name", |n: &mut NoteRef| {
            n.opt(n.note().segments().greeting.as_ref().and_then(|g| g.name))
        })
        .register_get("sign_off", |n: &mut NoteRef| {
            n.opt(n.note().segments().sign_off)
        })
        .register_get("placeholders", |n: &mut NoteRef| {
            let all = n.note().segments().placeholders.len();
            DROPPED.with(|d| d.set(d.get() + all.saturating_sub(MAX_MATCHES)));
            n.0.placeholders
                .get_or_init(|| {
                    n.note()
                        .segments()
                        .placeholders
                        .iter()
                        .take(MAX_MATCHES)
                        .map(|p| Dynamic::from(n.mk(p.span, &p.name)))
                        .collect()
                })
                .clone()
        })
        .register_get("first_person", |n: &mut NoteRef| {
            n.note().segments().first_person as i64
        })
        .register_get("second_person", |n: &mut NoteRef| {
            n.note().segments().second_person as i64
        })
        .register_get("first_plural", |n: &mut NoteRef| {
            n.note().segments().first_plural as i64
        })
        .register_get("tone", |n: &mut NoteRef| n.note().tone())
        .register_get("strategies", |n: &mut NoteRef| -> Array {
            let seg = &n.note().segments();
            n.capped(
                seg.strategies
                    .iter()
                    .map(|(k, s)| Dynamic::from(n.mk(*s, k.name()))),
            )
        })
        .register_fn("has_strategy", |n: &mut NoteRef, name: &str| {
            n.note()
                .segments()
                .strategies
                .iter()
                .any(|(k, _)| k.name() == name)
        })
        .register_get("asks", |n: &mut NoteRef| -> Array {
            let seg = &n.note().segments();
            n.capped(
                seg.asks
                    .iter()
                    .map(|(k, s)| Dynamic::from(n.mk(*s, k.name()))),
            )
        })
        .register_get("ask_count", |n: &mut NoteRef| {
            n.note().segments().asks.len() as i64
        })
        .register_get("references", |n: &mut NoteRef| -> Array {
            let seg = &n.note().segments();
            n.capped(
                seg.references
                    .iter()
                    .map(|(k, s)| Dynamic::from(n.mk(*s, k.name()))),
            )
        })
        .register_get("reference_count", |n: &mut NoteRef| {
            n.note().segments().references.len() as i64
        })
        .register_get("reason", |n: &mut NoteRef| {
            match n.note().segments().reason {
                Some(s) => Dynamic::from(n.mk(s, "")),
                None => Dynamic::UNIT,
            }
        })
        .register_get("recipient", |n: &mut NoteRef| {
            opt_str(n.note().front.to.as_deref())
        })
        .register_get("first_name", |n: &mut NoteRef| {
            opt_str(n.note().first_name())
        })
        .register_get("goal", |n: &mut NoteRef| {
            opt_str(n.note().front.goal.as_deref())
        })
        .register_get("followup", |n: &mut NoteRef| n.note().front.followup)
        .register_get("channel", |n: &mut NoteRef| n.note().channel().as_str())
        .register_get("account", |n: &mut NoteRef| n.note().front.account.as_str())
        .register_get("limit", |n: &mut NoteRef| n.note().limit() as i64)
        .register_get("template", |n: &mut NoteRef| n.note().template)
        .register_get("context", |n: &mut NoteRef| {
            n.0.context
                .get_or_init(|| {
                    n.note()
                        .front
                        .context
                        .iter()
                        .map(|(k, v)| {
                            (
                                k.as_str().into(),
                                Dynamic::from(ImmutableString::from(v.as_str())),
                            )
                        })
                        .collect()
                })
                .clone()
        })
        .register_fn("get", |n: &mut NoteRef, key: &str| {
            let f = &n.note().front;
            opt_str(
                f.context
                    .get(key)
                    .or_else(|| f.extra.get(key))
                    .map(String::as_str),
            )
        })
        .register_fn("placeholder_value", |n: &mut NoteRef, name: &str| {
            opt_str(n.note().placeholder_value(name).as_deref())
        })
        .register_fn(
            "find",
            |n: &mut NoteRef, phrases: Array| -> RhaiResult<Array> {
                Ok(n.find_in_span(n.note().body, &strings(&phrases)?))
            },
        )
        .register_fn("find", |n: &mut NoteRef, phrase: ImmutableString| {
            n.find_in_span(n.note().body, &[phrase])
        })
        .register_fn(
            "has",
            |n: &mut NoteRef, phrases: Array| -> RhaiResult<bool> {
                let body = n.note().body;
                Ok(matcher::phrases(&strings(&phrases)?)
                    .is_match(&n.note().source[body.start..body.end]))
            },
        )
        .register_fn("find", |n: &mut NoteRef, p: Phrases| {
            n.find_with(n.note().body, p.matcher(), &p.items)
        })
        .register_fn("has", |n: &mut NoteRef, p: Phrases| {
            p.matcher().is_match(n.body_text())
        })
        .register_fn(
            "find_in",
            |n: &mut NoteRef, at: Dynamic, p: Phrases| -> RhaiResult<Array> {
                Ok(n.find_with(to_span(&at)?, p.matcher(), &p.items))
            },
        )
        .register_fn("has", |n: &mut NoteRef, phrase: ImmutableString| {
            matcher::phrases(&[phrase]).is_match(n.body_text())
        })
        .register_fn(
            "find_in",
            |n: &mut NoteRef, at: Dynamic, phrases: Array| -> RhaiResult<Array> {
                Ok(n.find_in_span(to_span(&at)?, &strings(&phrases)?))
            },
        )
        .register_fn("find_regex", |n: &mut NoteRef, pattern: &str| {
            n.regex_in_span(n.note().body, pattern)
        })
        .register_fn(
            "has_regex",
            |n: &mut NoteRef, pattern: &str| -> RhaiResult<bool> {
                let body = n.note().body;
                Ok(matcher::regex(pattern)?.is_match(&n.note().source[body.start..body.end]))
            },
        )
        .register_fn(
            "find_regex_in",
            |n: &mut NoteRef, at: Dynamic, pattern: &str| n.regex_in_span(to_span(&at)?, pattern),
        )
        .register_fn(
            "words_in",
            |n: &mut NoteRef, at: Dynamic| -> RhaiResult<Array> {
                let span = to_span(&at)?;
                Ok(n.note()
                    .segments()
                    .words
                    .iter()
                    .filter(|w| w.span.start >= span.start && w.span.end <= span.end)
                    .map(|w| Dynamic::from(n.mk(w.span, &w.norm)))
                    .collect())
            },
        )
        .register_fn(
            "word_before",
            |n: &mut NoteRef, at: Dynamic| -> RhaiResult<Dynamic> {
                let at = to_span(&at)?;
                let note = n.note();
                let words = &note.segments().words;
                // The last word ending at or before `at`, if only white space
                // lies between.
                let i = words.partition_point(|w| w.span.end <= at.start);
                Ok(i.checked_sub(1)
                    .map(|i| &words[i])
                    .filter(|w| between_is_space(note, w.span.end, at.start))
                    .map_or(Dynamic::UNIT, |w| Dynamic::from(n.mk(w.span, &w.norm))))
            },
        )
        .register_fn(
            "word_after",
            |n: &mut NoteRef, at: Dynamic| -> RhaiResult<Dynamic> {
                let at = to_span(&at)?;
                let note = n.note();
                let words = &note.segments().words;
                let i = words.partition_point(|w| w.span.start < at.end);
                Ok(words
                    .get(i)
                    .filter(|w| between_is_space(note, at.end, w.span.start))
                    .map_or(Dynamic::UNIT, |w| Dynamic::from(n.mk(w.span, &w.norm))))
            },
        )
        .register_fn(
            "sentence_index",
            |n: &mut NoteRef, at: Dynamic| -> RhaiResult<i64> {
                // A position, or a span that lies inside one sentence.
                let at = match at.as_int() {
                    Ok(pos) if pos < 0 => return Ok(-1),
                    Ok(pos) => Span::new(pos as usize, pos as usize + 1),
                    Err(_) => to_span(&at)?,
                };
                let sentences = &n.note().segments().sentences;
                let i = sentences.partition_point(|s| s.span.end <= at.start);
                Ok(sentences
                    .get(i)
                    .filter(|s| s.span.start <= at.start && at.end <= s.span.end)
                    .map_or(-1, |_| i as i64))
            },
        )
        .register_fn("span", |n: &mut NoteRef, start: i64, end: i64| {
            n.mk(Span::new(start.max(0) as usize, end.max(0) as usize), "")
        })
        .register_fn("to_string", |n: &mut NoteRef| {
            format!("Note({})", n.note().origin)
        })
        .register_fn("to_debug", |n: &mut NoteRef| {
            format!("Note({})", n.note().origin)
        });

    engine
        .register_fn("edit_distance", |a: &str, b: &str| -> RhaiResult<i64> {
            // Native work the operations limit does not count: keep it bounded.
            if a.len().saturating_mul(b.len()) > 1_000_000 {
                return Err(
                    "edit_distance takes short strings (names, words): these are too long".into(),
                );
            }
            Ok(crate::problem::edit_distance(a, b) as i64)
        })
        .register_fn("fold", |s: &str| crate::note::fold(s))
        .register_fn("finding", |at: Dynamic, message: &str| {
            finding(&at, message, None)
        })
        .register_fn("finding", |at: Dynamic, message: &str, help: &str| {
            finding(&at, message, Some(help))
        })
        .register_fn("replace", |at: Dynamic, text: &str| edit(&at, None, text))
        .register_fn("delete", |at: Dynamic| edit(&at, None, ""))
        .register_fn("insert_before", |at: Dynamic, text: &str| {
            edit(&at, Some(true), text)
        })
        .register_fn("insert_after", |at: Dynamic, text: &str| {
            edit(&at, Some(false), text)
        })
        .register_fn("as_unsafe", |mut e: Map| {
            e.insert("safe".into(), Dynamic::FALSE);
            e
        });
}

fn opt_str(s: Option<&str>) -> Dynamic {
    s.map(|s| Dynamic::from(ImmutableString::from(s)))
        .unwrap_or(Dynamic::UNIT)
}
