//! Native segmentation of a note's body: words, sentences, greeting, sign-off,
//! placeholders and person counts. Computed once per note, before any rule runs.

use super::facts::{self, AskKind, RefKind};
use super::politeness::{self, SentenceRef, Strategy, WordRef};
use crate::span::Span;
use regex::Regex;
use std::sync::LazyLock;

/// A word: letters and digits with inner apostrophes or hyphens (`don't`, `follow-up`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    /// Where, in bytes of the note's source.
    pub span: Span,
    /// Lowercased, with curly apostrophes made straight.
    pub norm: String,
}

/// A sentence, ended by `.`, `!`, `?`, a line break or the end of the note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sentence {
    /// Where, without surrounding white space.
    pub span: Span,
    /// True when it ends with `?`.
    pub question: bool,
}

/// A template placeholder such as `{first_name}` or `[Company]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placeholder {
    /// The whole placeholder, brackets included.
    pub span: Span,
    /// Its variable name in snake case (`firstName` and `[First Name]` both give `first_name`).
    pub name: String,
}

/// The opening salutation (`Hi Riya,`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Greeting {
    /// The salutation and the name, without the trailing punctuation.
    pub span: Span,
    /// The greeted name, if any (`Riya`, `Sir/Madam`, `{first_name}`).
    pub name: Option<Span>,
}

/// Everything the host derives from a note's body.
#[derive(Debug, Clone, Default)]
pub struct Segments {
    /// Words in order.
    pub words: Vec<Word>,
    /// Sentences in order.
    pub sentences: Vec<Sentence>,
    /// The greeting, when the note opens with one.
    pub greeting: Option<Greeting>,
    /// The closing line (`Best, Sam`), when there is one.
    pub sign_off: Option<Span>,
    /// Template placeholders in order.
    pub placeholders: Vec<Placeholder>,
    /// Sentences of the message proper: without a greeting-only line
    /// (`Hi Riya,`) and without the sign-off.
    pub content_sentences: usize,
    /// The first of those: the note's opening line.
    pub opening: Option<Span>,
    /// Number of I/me/my/mine/myself words.
    pub first_person: usize,
    /// Number of we/us/our/ours/ourselves words.
    pub first_plural: usize,
    /// Number of you/your/yours/yourself words.
    pub second_person: usize,
    /// Politeness strategies used, in text order (spans into the source).
    pub strategies: Vec<(Strategy, Span)>,
    /// The tone score, 0 (blunt) to 1 (polite).
    pub tone: f64,
    /// What the note asks the recipient for, in text order.
    pub asks: Vec<(AskKind, Span)>,
    /// Phrases about the recipient's specifics (their post, talk, company…).
    pub references: Vec<(RefKind, Span)>,
    /// The sentence that says why the sender writes, if any.
    pub reason: Option<Span>,
}

static PLACEHOLDER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"\{\{ *([A-Za-z][A-Za-z0-9_. ]{0,30}?) *\}\}|\{ *([A-Za-z][A-Za-z0-9_. ]{0,30}?) *\}|\[([A-Za-z][A-Za-z_/ -]{0,30})\]|#([A-Za-z][A-Za-z_]*)#|<([A-Z][A-Za-z_]*(?: [A-Z][A-Za-z_]*){0,2})>",
    )
    .expect("placeholder pattern compiles")
});

const GREETINGS: [&str; 12] = [
    "good morning",
    "good afternoon",
    "good evening",
    "greetings",
    "hello",
    "hiya",
    "howdy",
    "dear",
    "hey",
    "hi",
    "yo",
    "to",
];
const GENERIC_NAMES: [&str; 9] = [
    "there", "all", "everyone", "team", "friend", "folks", "sir", "madam", "guys",
];
const SIGN_OFFS: [&str; 14] = [
    "best regards",
    "kind regards",
    "warm regards",
    "warmly",
    "regards",
    "best wishes",
    "best",
    "cheers",
    "thanks",
    "thank you",
    "sincerely",
    "respectfully",
    "many thanks",
    "all the best",
];
const FIRST_PERSON: [&str; 9] = [
    "i", "me", "my", "mine", "myself", "i'm", "i've", "i'd", "i'll",
];
const SECOND_PERSON: [&str; 8] = [
    "you", "your", "yours", "yourself", "you're", "you've", "you'd", "you'll",
];

/// Segments `source[body]`; every span is an offset into `source`.
pub fn segment(source: &str, body: Span) -> Segments {
    let text = &source[body.start..body.end];
    let off = body.start;
    let words = words(text, off);
    let first_person = words
        .iter()
        .filter(|w| FIRST_PERSON.contains(&w.norm.as_str()))
        .count();
    let second_person = words
        .iter()
        .filter(|w| SECOND_PERSON.contains(&w.norm.as_str()))
        .count();
    let placeholders = PLACEHOLDER
        .captures_iter(text)
        // `[text](url)` is a Markdown link, not a placeholder.
        .filter(|c| {
            !(c[0].starts_with('[') && text[c.get(0).map_or(0, |m| m.end())..].starts_with('('))
        })
        .map(|c| {
            let all = c.get(0).expect("group 0 always matches");
            let inner = (1..=5)
                .find_map(|i| c.get(i))
                .map(|m| m.as_str())
                .unwrap_or("");
            Placeholder {
                span: Span::new(all.start(), all.end()).shifted(off),
                name: snake_case(inner),
            }
        })
        .collect();
    let sentences = sentences(text, off);
    let greeting = greeting(text, off);
    let sign_off = sign_off(text, off);
    let content: Vec<Span> = sentences
        .iter()
        .take_while(|s| sign_off.is_none_or(|so| s.span.start < so.start))
        .filter(|s| {
            // A sentence that is only the greeting has no word after it.
            !greeting.as_ref().is_some_and(|g| {
                s.span.start <= g.span.start
                    && s.span.end >= g.span.end
                    && !words
                        .iter()
                        .any(|w| w.span.start >= g.span.end && w.span.end <= s.span.end)
            })
        })
        .map(|s| s.span)
        .collect();
    let (strategies, facts) = judgement(source, &words, &sentences);
    let used: Vec<Strategy> = strategies.iter().map(|(s, _)| *s).collect();
    Segments {
        tone: super::tone::score(&used, words.iter().map(|w| w.norm.as_str())),
        strategies,
        first_plural: facts.persons.first_plural,
        asks: facts
            .asks
            .iter()
            .map(|a| (a.kind, Span::new(a.start, a.end)))
            .collect(),
        references: facts
            .references
            .iter()
            .map(|r| (r.kind, Span::new(r.start, r.end)))
            .collect(),
        reason: facts.reason.map(|(a, b)| Span::new(a, b)),
        sentences,
        content_sentences: content.len(),
        opening: content.first().copied(),
        greeting,
        sign_off,
        words,
        placeholders,
        first_person,
        second_person,
    }
}

/// What the judgement rules read, computed once per note: politeness
/// strategies ([`politeness`]) and asks, references and the stated reason
/// ([`facts`]). Both read the same segmentation, in source offsets.
fn judgement(
    source: &str,
    words: &[Word],
    sentences: &[Sentence],
) -> (Vec<(Strategy, Span)>, facts::Facts) {
    let words: Vec<WordRef> = words
        .iter()
        .map(|w| WordRef {
            start: w.span.start,
            end: w.span.end,
            norm: &w.norm,
        })
        .collect();
    let sentences: Vec<SentenceRef> = sentences
        .iter()
        .map(|s| SentenceRef {
            start: s.span.start,
            end: s.span.end,
            question: s.question,
        })
        .collect();
    let strategies = politeness::strategies(source, &words, &sentences)
        .into_iter()
        .map(|h| (h.strategy, Span::new(h.start, h.end)))
        .collect();
    (strategies, facts::extract(source, &words, &sentences))
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric()
}

pub(crate) fn words(text: &str, off: usize) -> Vec<Word> {
    let mut out = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some((start, c)) = chars.next() {
        if !is_word_char(c) {
            continue;
        }
        let mut end = start + c.len_utf8();
        while let Some(&(i, c)) = chars.peek() {
            if is_word_char(c) {
                chars.next();
                end = i + c.len_utf8();
            } else if matches!(c, '\'' | '’' | '-') {
                // An apostrophe or hyphen joins two word characters only.
                let after = text[i + c.len_utf8()..].chars().next();
                if after.is_some_and(is_word_char) {
                    chars.next();
                    end = i + c.len_utf8();
                } else {
                    break;
                }
            } else {
                break;
            }
        }
        out.push(Word {
            span: Span::new(start, end).shifted(off),
            norm: normalize(&text[start..end]),
        });
    }
    out
}

/// Lowercases and straightens curly apostrophes, as phrase matching does.
pub fn normalize(s: &str) -> String {
    // Most words are ASCII: lowercase them without per-char case tables.
    if s.is_ascii() {
        return s.to_ascii_lowercase();
    }
    s.chars()
        .flat_map(char::to_lowercase)
        .map(|c| if c == '’' || c == '‘' { '\'' } else { c })
        .collect()
}

pub(crate) fn sentences(text: &str, off: usize) -> Vec<Sentence> {
    let mut out = Vec::new();
    let mut start = 0;
    let bytes = text.as_bytes();
    let mut i = 0;
    let push = |s: usize, e: usize, out: &mut Vec<Sentence>| {
        let piece = &text[s..e];
        let trimmed = piece.trim();
        if trimmed.chars().any(char::is_alphanumeric) {
            let lead = piece.len() - piece.trim_start().len();
            let span = Span::new(s + lead, s + lead + trimmed.len());
            out.push(Sentence {
                span: span.shifted(off),
                question: trimmed.ends_with('?'),
            });
        }
    };
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'\n' {
            if line_break_ends_sentence(&text[start..i], &text[i + 1..]) {
                push(start, i, &mut out);
                start = i + 1;
            }
        } else if matches!(b, b'.' | b'!' | b'?') {
            let mut j = i + 1;
            while j < bytes.len() && matches!(bytes[j], b'.' | b'!' | b'?' | b'"' | b')') {
                j += 1;
            }
            if j >= bytes.len() || bytes[j].is_ascii_whitespace() {
                push(start, j, &mut out);
                start = j;
            }
            i = j;
            continue;
        }
        i += 1;
    }
    push(start, text.len(), &mut out);
    out
}

/// Whether a line break ends the sentence so far. Notes are often hard-wrapped,
/// so a break inside a sentence does not end it; a break does after a
/// greeting or list line (ending in `,` `:` `;`), before a blank line, or
/// after a short line such as a sign-off (`Best` / `Sam`).
fn line_break_ends_sentence(before: &str, after: &str) -> bool {
    let line = before.rsplit('\n').next().unwrap_or(before).trim_end();
    let next = after.split('\n').next().unwrap_or("").trim();
    line.ends_with([',', ':', ';', '—', '–'])
        || next.is_empty()
        || line.split_whitespace().count() <= 3
        || next.starts_with(['-', '*', '•'])
}

fn greeting(text: &str, off: usize) -> Option<Greeting> {
    let lead = text.len() - text.trim_start().len();
    let rest = &text[lead..];
    // Greetings are ASCII: compare on the original text, so every offset
    // below is an offset into `rest` (lowercasing can change byte lengths).
    let word = GREETINGS.iter().find(|g| {
        rest.get(..g.len())
            .is_some_and(|p| p.eq_ignore_ascii_case(g))
            && rest[g.len()..]
                .chars()
                .next()
                .is_none_or(|c| !c.is_alphanumeric())
    })?;
    let line_end = rest.find('\n').unwrap_or(rest.len());
    let line = &rest[..line_end];
    // The name runs to the first comma, dash, colon, or sentence end on the line.
    let after = &line[word.len()..];
    let stop = after
        .find([',', '!', ':', '.', '—', '–', ';'])
        .unwrap_or(after.len());
    let name_part = &after[..stop];
    let name_text = name_part.trim();
    let mut name = None;
    if !name_text.is_empty() {
        let candidate: Vec<&str> = name_text.split_whitespace().collect();
        // A name ended by punctuation within three words is taken whole (`hi riya,`);
        // otherwise the greeting runs into the sentence, so keep only the
        // capitalised words (`Hi Riya I saw…` greets `Riya`), never a pronoun.
        let pronoun = |w: &&str| FIRST_PERSON.contains(&normalize(w).as_str());
        let looks_like_name = |w: &&str| {
            w.chars()
                .next()
                .is_some_and(|c| c.is_uppercase() || matches!(c, '{' | '[' | '<' | '#'))
                && !pronoun(w)
        };
        let kept: Vec<&str> =
            if stop < after.len() && candidate.len() <= 3 && !candidate.iter().any(pronoun) {
                candidate.clone()
            } else {
                candidate
                    .iter()
                    .take_while(|w| looks_like_name(w))
                    .take(3)
                    .copied()
                    .collect()
            };
        let ends_clean = stop < after.len() && kept.len() == candidate.len();
        let generic = kept.len() == 1 && GENERIC_NAMES.contains(&normalize(kept[0]).as_str());
        if !kept.is_empty() && !generic {
            let name_start = word.len() + (name_part.len() - name_part.trim_start().len());
            // The end of the last kept word, found by position (not by text,
            // which may also occur earlier: `Hi Anna Ann`).
            let last_end = name_part
                .split_whitespace()
                .nth(kept.len() - 1)
                .map(|w| w.as_ptr() as usize - name_part.as_ptr() as usize + w.len())
                .unwrap_or(name_part.len());
            let mut name_end = word.len() + last_end;
            // `to` is a greeting only when followed by a name (`To Riya,`); otherwise a sentence.
            if *word == "to" && !ends_clean {
                return None;
            }
            name_end = name_end.max(name_start);
            name = Some(Span::new(name_start, name_end).shifted(off + lead));
        }
    }
    if *word == "to" && name.is_none() {
        return None;
    }
    let end = name.map(|n| n.end - off - lead).unwrap_or(word.len());
    Some(Greeting {
        span: Span::new(0, end).shifted(off + lead),
        name,
    })
}

fn sign_off(text: &str, off: usize) -> Option<Span> {
    let trimmed = text.trim_end();
    // The sign-off is on one of the last two non-empty lines.
    let mut lines: Vec<(usize, &str)> = Vec::new();
    let mut pos = 0;
    for line in trimmed.split_inclusive('\n') {
        if !line.trim().is_empty() {
            lines.push((pos, line));
        }
        pos += line.len();
    }
    let n = lines.len();
    for &(start, line) in lines.iter().skip(n.saturating_sub(2)).take(2) {
        let lead = line.len() - line.trim_start().len();
        let norm = normalize(line.trim());
        let hit = SIGN_OFFS.iter().any(|s| {
            norm.starts_with(s)
                && norm[s.len()..]
                    .chars()
                    .next()
                    .is_none_or(|c| !c.is_alphanumeric())
                && norm.len() < s.len() + 40
        });
        if hit && (n > 1 || start > 0) {
            return Some(Span::new(start + lead, trimmed.len()).shifted(off));
        }
    }
    None
}

/// `firstName`, `First Name` and `FIRST_NAME` all become `first_name`.
pub fn snake_case(s: &str) -> String {
    let mut out = String::new();
    let mut prev_lower = false;
    for c in s.trim().chars() {
        if c.is_uppercase() && prev_lower {
            out.push('_');
        }
        if matches!(c, ' ' | '-' | '.' | '/') {
            if !out.ends_with('_') {
                out.push('_');
            }
            prev_lower = false;
            continue;
        }
        prev_lower = c.is_lowercase() || c.is_ascii_digit();
        out.extend(c.to_lowercase());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seg(s: &str) -> Segments {
        segment(s, Span::new(0, s.len()))
    }
    fn at(s: &str, sp: Span) -> &str {
        &s[sp.start..sp.end]
    }

    #[test]
    fn words_keep_inner_apostrophes() {
        let s = "I’d like to follow-up, don't you?";
        let w: Vec<_> = seg(s).words.iter().map(|w| w.norm.clone()).collect();
        assert_eq!(w, ["i'd", "like", "to", "follow-up", "don't", "you"]);
    }

    #[test]
    fn sentences_and_questions() {
        let s = "Hi Riya, I saw your post. Could we talk?\nBest, Sam";
        let sg = seg(s);
        let texts: Vec<_> = sg.sentences.iter().map(|x| at(s, x.span)).collect();
        assert_eq!(
            texts,
            ["Hi Riya, I saw your post.", "Could we talk?", "Best, Sam"]
        );
        assert_eq!(sg.sentences.iter().filter(|x| x.question).count(), 1);
    }

    #[test]
    fn hard_wrapped_lines_stay_one_sentence() {
        let s = "Hi Marcus,\nCan we hop on a\n15 minute call this week? Thanks.\n\nBest,\nSam";
        let sg = seg(s);
        let texts: Vec<_> = sg.sentences.iter().map(|x| at(s, x.span)).collect();
        assert_eq!(
            texts,
            [
                "Hi Marcus,",
                "Can we hop on a\n15 minute call this week?",
                "Thanks.",
                "Best,",
                "Sam"
            ]
        );
        assert_eq!(sg.sentences.iter().filter(|x| x.question).count(), 1);
    }

    #[test]
    fn content_sentences_leave_out_greeting_line_and_sign_off() {
        let sg = seg("Hi Riya,\nI saw your post. It was great.\n\nBest,\nSam");
        assert_eq!((sg.sentences.len(), sg.content_sentences), (5, 2));
        assert_eq!(seg("Hi Riya, I saw your post.").content_sentences, 1);
        let s = "Hi Riya,\nI saw your post. It was great.";
        assert_eq!(at(s, seg(s).opening.unwrap()), "I saw your post.");
    }

    #[test]
    fn decimals_do_not_end_sentences() {
        let s = "We grew 2.5x last year. Nice.";
        assert_eq!(seg(s).sentences.len(), 2);
    }

    #[test]
    fn greeting_names() {
        let cases = [
            ("Hi Riya, I saw", Some("Riya")),
            ("Hello Riya Sharma! Great", Some("Riya Sharma")),
            ("Dear Sir/Madam, I am", Some("Sir/Madam")),
            ("Hi, I'd like to connect", None),
            ("Hi there, quick one", None),
            ("Hey {first_name}, loved", Some("{first_name}")),
            ("Hi Riya I saw your post", Some("Riya")),
            ("Hi Riya I saw your post.", Some("Riya")),
            ("Hi I saw your post.", None),
            ("hi riya, nice post", Some("riya")),
            ("Hi Anna Ann, great post", Some("Anna Ann")),
        ];
        for (s, want) in cases {
            let g = seg(s)
                .greeting
                .unwrap_or_else(|| panic!("no greeting in {s}"));
            assert_eq!(g.name.map(|n| at(s, n)), want, "{s}");
        }
        assert!(seg("I saw your post").greeting.is_none());
        assert!(seg("To whom it may concern, I am").greeting.is_none());
        // Regression: `İ` lowercases to three bytes; slicing by the lowercase
        // copy's offsets panicked.
        assert!(seg("Hİ there, nice post.").greeting.is_none());
        assert!(seg("İstanbul was great").greeting.is_none());
        assert!(seg("Hiring is hard").greeting.is_none());
    }

    #[test]
    fn sign_off_on_last_lines() {
        let s = "Hi Riya, great post.\n\nBest,\nSam";
        assert_eq!(at(s, seg(s).sign_off.unwrap()), "Best,\nSam");
        assert!(seg("Best practices matter.").sign_off.is_none());
    }

    #[test]
    fn placeholders_in_every_style() {
        let s = "Hi {first_name}, {{companyName}} [Company Name] #firstName# <Company> [link] [industry/role] {first name} [my post](https://x.y) <br>";
        let names: Vec<_> = seg(s).placeholders.iter().map(|p| p.name.clone()).collect();
        assert_eq!(
            names,
            [
                "first_name",
                "company_name",
                "company_name",
                "first_name",
                "company",
                "link",
                "industry_role",
                "first_name"
            ]
        );
    }

    #[test]
    fn person_counts() {
        let sg = seg("I think my work and I'm sure you and your team");
        assert_eq!((sg.first_person, sg.second_person), (3, 2));
    }
}
