//! Judgement facts about a note's body: what it asks the recipient for, what
//! it says about them, the reason it gives for reaching out, and how often it
//! speaks as I, we and you.
//!
//! Rules read these facts instead of each matching its own phrase list, so
//! `one-ask`, `no-pitch`, `personalization` and `clear-intent` agree on what a
//! note does. The cues are grammatical shapes over the caller's words, not
//! whole phrases:
//!
//! - an ask is a request frame ("could you", "I'd love to", "let's", an
//!   imperative, a question) around the thing requested ("a quick call",
//!   "any openings", "your email"); a few cues frame themselves ("refer me",
//!   "pick your brain", "let me know"). Offers ("happy to share"), thanks
//!   ("thanks for the call"), negations ("no need to reply") and quoted text do
//!   not ask. Connecting itself is never an ask.
//! - a reference is something about them: "your" plus a kind of thing they made
//!   or did ("your post on X"), "you" plus a verb of theirs ("you moved to"),
//!   or a shared-background marker ("fellow", "we both", "mutual").
//! - a reason is a sentence that says why: a purpose ("to learn from"), shared
//!   ground, the sender's own domain, a value offer, or a question about them.
//!
//! Cost: one pass over the words flags links, quotes and clause breaks, and
//! looks each word up once in a table built at compile time (`CUE_TABLE`)
//! that says which matchers it can start and which word classes it is in;
//! then one pass per sentence runs the matchers on those words only, with
//! short bounded look-arounds at each cue. No regex, and no allocation
//! beyond the flag vector and the results: about 2.5 µs for a 40-word note.

pub use super::politeness::{SentenceRef, WordRef};

/// What a note asks the recipient for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AskKind {
    /// A call or a chat: "hop on a call", "quick chat", "15 minutes".
    Call,
    /// A meeting: "meet", "grab coffee", "a demo", a calendar link.
    Meeting,
    /// Their time as such: "a few minutes of your time".
    Time,
    /// A referral or an introduction: "refer me", "introduce me to".
    Referral,
    /// A job: "any openings", "consider me for", "are you hiring?".
    Job,
    /// Their contact details: email, phone, messaging apps.
    Contact,
    /// A reply: "let me know", "get back to me".
    Reply,
    /// Buying or accepting an offer: "sign up", "try our", "want the report?".
    Purchase,
    /// Advice: "any tips", "pick your brain".
    Advice,
    /// A direct question that asks nothing else.
    Question,
    /// A favour asked outright: "please send me your slides".
    Favor,
}

impl AskKind {
    /// The kind in snake case.
    pub fn name(self) -> &'static str {
        match self {
            AskKind::Call => "call",
            AskKind::Meeting => "meeting",
            AskKind::Time => "time",
            AskKind::Referral => "referral",
            AskKind::Job => "job",
            AskKind::Contact => "contact",
            AskKind::Reply => "reply",
            AskKind::Purchase => "purchase",
            AskKind::Advice => "advice",
            AskKind::Question => "question",
            AskKind::Favor => "favor",
        }
    }

    /// The kind called `name` (snake case).
    pub fn named(name: &str) -> Option<AskKind> {
        AskKind::ALL.into_iter().find(|k| k.name() == name)
    }

    /// All kinds, in declaration order (the index is `kind as usize`).
    pub const ALL: [AskKind; 11] = [
        AskKind::Call,
        AskKind::Meeting,
        AskKind::Time,
        AskKind::Referral,
        AskKind::Job,
        AskKind::Contact,
        AskKind::Reply,
        AskKind::Purchase,
        AskKind::Advice,
        AskKind::Question,
        AskKind::Favor,
    ];
}

/// What a reference to the recipient is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RefKind {
    /// A post, comment or point of theirs.
    Post,
    /// A talk, panel, podcast or demo they gave.
    Talk,
    /// An article, paper, book or newsletter.
    Article,
    /// Their work, approach or expertise on something.
    Work,
    /// Their company or team and its news: hiring, scaling, funding.
    Company,
    /// Their role.
    Role,
    /// A career move: a new role, a switch, a transition.
    Move,
    /// A shared school.
    School,
    /// An event you both attended, or a past conversation.
    Event,
    /// A mutual connection.
    Mutual,
    /// A shared group, community or field.
    Group,
    /// A project, product or tool of theirs.
    Project,
}

impl RefKind {
    /// The kind in snake case.
    pub fn name(self) -> &'static str {
        match self {
            RefKind::Post => "post",
            RefKind::Talk => "talk",
            RefKind::Article => "article",
            RefKind::Work => "work",
            RefKind::Company => "company",
            RefKind::Role => "role",
            RefKind::Move => "move",
            RefKind::School => "school",
            RefKind::Event => "event",
            RefKind::Mutual => "mutual",
            RefKind::Group => "group",
            RefKind::Project => "project",
        }
    }
}

/// An ask and where it is; offsets are bytes into `text`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ask {
    /// What it asks for.
    pub kind: AskKind,
    /// Where the asking clause starts.
    pub start: usize,
    /// Where its sentence ends.
    pub end: usize,
}

/// A reference to the recipient and where it is; offsets are bytes into `text`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reference {
    /// What it is about.
    pub kind: RefKind,
    /// Where the phrase starts.
    pub start: usize,
    /// Where it ends.
    pub end: usize,
}

/// Grammatical person counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Persons {
    /// I, me, my, mine, myself, I'm, I've, I'd, I'll.
    pub first_singular: usize,
    /// We, us, our, ours, ourselves, we're, we've, we'd, we'll.
    pub first_plural: usize,
    /// You, your, yours, yourself, you're, you've, you'd, you'll.
    pub second: usize,
}

/// What a note asks, says about the recipient, and why it writes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Facts {
    /// Asks in text order; several cues in one sentence for the same request count once (one ask per sentence per kind at most; a sentence with a question mark that asks for a call is one Call ask, not Call + Question).
    pub asks: Vec<Ask>,
    /// References to the recipient's specifics: phrases ABOUT THEM ("your post on X", "your talk at KubeCon", "saw you moved to Northwind", "fellow Michigan alum", "we both know Sam", "your work on the ingestion toolkit", "congrats on the new role"). A capitalised word alone, or the sender's own company, is not a reference.
    pub references: Vec<Reference>,
    /// The stated reason to connect (the span of the sentence that gives it): "I'm reaching out because…", "I work in X and …", "I'd love to learn how you…", "would love to connect and follow your thinking", "I'm exploring a move into…", a question about their work, a shared interest. None when the note never says why.
    pub reason: Option<(usize, usize)>,
    /// How often the note says I, we and you.
    pub persons: Persons,
}

/// Extracts the facts of `text` (the note body) given the caller's segmentation of it.
///
/// A greeting to the recipient ("Hi Priya,") is never a reference: references
/// need second-person context or a shared-background marker, never a name alone.
pub fn extract(text: &str, words: &[WordRef<'_>], sentences: &[SentenceRef]) -> Facts {
    extract_with(text, words, sentences, true)
}

/// `extract`, with the cue-word gate on or off. Off, every matcher runs on
/// every word: the tests check that this changes nothing, which catches a
/// `match` arm whose word is missing from its `*_WORDS` list.
fn extract_with(
    text: &str,
    words: &[WordRef<'_>],
    sentences: &[SentenceRef],
    gated: bool,
) -> Facts {
    // Only the span the caller segmented is read: `text` may be a whole note
    // file whose front matter comes before the body.
    let from = sentences
        .first()
        .map(|s| s.start)
        .into_iter()
        .chain(words.first().map(|w| w.start))
        .min()
        .unwrap_or(0);
    let to = sentences
        .last()
        .map(|s| s.end)
        .into_iter()
        .chain(words.last().map(|w| w.end))
        .max()
        .unwrap_or(0);
    let mut flags = word_flags(text, words, from, to);
    if !gated {
        for f in &mut flags {
            *f |= ASK_CUE | REF_CUE | REASON_CUE;
        }
    }
    let mut facts = Facts {
        persons: persons(text, words, &flags),
        ..Facts::default()
    };
    let mut w = 0;
    let mut prev_asked = false;
    let mut prev_question = false;
    let mut connect_at = None;
    for sr in sentences {
        while w < words.len() && words[w].start < sr.start {
            w += 1;
        }
        let lo = w;
        while w < words.len() && words[w].end <= sr.end {
            w += 1;
        }
        if lo == w {
            continue;
        }
        let mut s = Sent {
            words,
            flags: &flags,
            lo,
            hi: w,
            // A question mark that closes a quotation is not the note's question.
            question: sr.question && flags[w - 1] & QUOTED == 0,
            end: sr.end,
            content: lo,
            notice: std::cell::Cell::new(None),
        };
        s.content = s.content_start();
        let first_ask = facts.asks.len();
        // "Could you review my model, and would you introduce me to…?" asks
        // twice: each request clause is looked at on its own.
        match second_request(&s) {
            Some(k) => {
                let first = Sent {
                    hi: k,
                    end: s.words[k - 1].end,
                    notice: std::cell::Cell::new(None),
                    ..s
                };
                let mut second = Sent {
                    lo: k + 1,
                    content: k + 1,
                    notice: std::cell::Cell::new(None),
                    ..s
                };
                second.content = second.content_start();
                sentence_asks(&first, prev_asked, prev_question, &mut facts.asks);
                sentence_asks(&second, true, false, &mut facts.asks);
            }
            None => sentence_asks(&s, prev_asked, prev_question, &mut facts.asks),
        }
        let first_ref = facts.references.len();
        sentence_refs(&s, &mut facts.references);
        if facts.reason.is_none()
            && gives_reason(
                &s,
                &facts.asks[first_ask..],
                facts.references.len() > first_ref,
            )
        {
            facts.reason = Some((sr.start, sr.end));
        }
        if connect_at.is_none() && (s.lo..s.hi).any(|i| s.has(i, CONNECTING) && s.usable(i)) {
            connect_at = Some((sr.start, sr.end));
        }
        prev_asked = facts.asks.len() > first_ask;
        prev_question = s.question;
    }
    // "Your thread on flaky tests saved us hours. Would love to connect.":
    // the reference is the reason, whichever sentence asks to connect.
    if facts.reason.is_none() && !facts.references.is_empty() {
        facts.reason = connect_at;
    }
    facts.asks.sort_by_key(|a| (a.start, a.kind));
    facts.references.sort_by_key(|r| (r.start, r.kind));
    facts
}

// ---------------------------------------------------------------------------
// Word flags and the sentence view
// ---------------------------------------------------------------------------

/// The word is part of a link or an email address.
const URL: u32 = 1 << 0;
/// The word is inside quotation marks.
const QUOTED: u32 = 1 << 1;
/// Clause punctuation (`,` `;` `:` a dash, brackets) comes right before the word.
const BREAK: u32 = 1 << 2;
/// The word starts with a capital letter.
const CAP: u32 = 1 << 3;
/// A colon, semicolon or dash comes right before the word: a new thought.
const STRONG: u32 = 1 << 4;
/// The word may start an ask cue (it is in `ASK_WORDS`, or a number).
const ASK_CUE: u32 = 1 << 5;
/// The word may start a reference cue (it is in `REF_WORDS`, or capitalised).
const REF_CUE: u32 = 1 << 6;
/// The word may start a reason cue (it is in `REASON_WORDS`).
const REASON_CUE: u32 = 1 << 7;
/// The word is about connecting itself (`CONNECT_WORDS`).
const CONNECTING: u32 = 1 << 8;
/// A function word (`STOP`).
const STOPWORD: u32 = 1 << 9;
/// A word that ends a reference's phrase (`STOP_EXT`).
const ENDWORD: u32 = 1 << 10;
/// A verb of noticing (`NOTICE`).
const NOTICING: u32 = 1 << 11;
/// A word of appreciation (`APPRECIATE`).
const APPRECIATING: u32 = 1 << 12;
/// An imperative verb (`IMPERATIVES`).
const IMPERATIVE: u32 = 1 << 13;
/// A negator (`NEGATORS`).
const NEGATOR: u32 = 1 << 14;
/// I, me, my… (`FIRST_SINGULAR`).
const I_WORD: u32 = 1 << 15;
/// We, us, our… (`FIRST_PLURAL`).
const WE_WORD: u32 = 1 << 16;
/// You, your… (`SECOND_PERSON`).
const YOU_WORD: u32 = 1 << 17;
/// A salutation (`GREETINGS`).
const GREETING: u32 = 1 << 18;
/// A preposition that says what a thing is about (`SPEC_PREP`).
const SPEC: u32 = 1 << 19;
/// A noun that makes the noun before it a modifier (`COMPOUND_TAIL`).
const COMPOUND: u32 = 1 << 20;
/// A contact detail (`CONTACT_NOUNS`).
const CONTACT_NOUN: u32 = 1 << 21;
/// A word before "you" that makes it asked or conditional (`YOU_ASKED_WORDS`).
const YOU_ASKED: u32 = 1 << 22;
/// A verb before "you" that makes "you" its object (`YOU_OBJECT_WORDS`).
const YOU_OBJECT: u32 = 1 << 23;

/// Top-level domains that make a `name.tld` token a link.
const TLDS: &[&str] = &[
    "com", "net", "org", "io", "co", "ai", "ly", "me", "dev", "app", "gl", "link", "page", "xyz",
    "info", "biz", "us", "uk", "in", "ca", "de", "cc", "gg", "site", "online", "tech",
];

/// Flags every word: link, quoted, clause break before it, capitalised, and
/// its cue-word classes. One pass over the words and the gaps between them,
/// reading `text` from `from` to `to` only.
fn word_flags(text: &str, words: &[WordRef<'_>], from: usize, to: usize) -> Vec<u32> {
    let mut flags = vec![0u32; words.len()];
    let mut prev_end = from;
    let mut token_end = 0;
    let mut token_url = false;
    let mut straight: Option<usize> = None;
    let mut curly: Option<usize> = None;
    let mut single: Option<usize> = None;
    let bytes = text.as_bytes();
    for i in 0..=words.len() {
        let gap_end = words.get(i).map_or(to.min(bytes.len()), |w| w.start);
        let gap = bytes.get(prev_end..gap_end).unwrap_or(&[]);
        let mut brk = false;
        let mut strong = false;
        let mut after_space = i == 0;
        // Bytes, not chars: the punctuation that matters is ASCII or a
        // three-byte `E2 80 xx` sequence (dashes, ellipsis, bullet, curly quotes).
        let mut k = 0;
        while k < gap.len() {
            let b = gap[k];
            let punct = if b == 0xE2 && gap.get(k + 1) == Some(&0x80) {
                k += 2;
                match gap.get(k) {
                    Some(0x93 | 0x94) => '—',
                    Some(0xA6 | 0xA2) => '…',
                    Some(0x9C) => '“',
                    Some(0x9D) => '”',
                    Some(0x98) => '‘',
                    Some(0x99) => '’',
                    _ => ' ',
                }
            } else {
                b as char
            };
            match punct {
                ';' | ':' | '—' | '-' => {
                    brk = true;
                    strong = true;
                }
                ',' | '(' | ')' | '[' | ']' | '.' | '!' | '?' | '…' => brk = true,
                '"' => match straight.take() {
                    Some(a) => mark_quoted(&mut flags, a, i),
                    None => straight = Some(i),
                },
                '“' => curly = Some(i),
                '”' => {
                    if let Some(a) = curly.take() {
                        mark_quoted(&mut flags, a, i);
                    }
                }
                // A curly single quote opens only after a space; after a word it is an apostrophe.
                '‘' if after_space => single = Some(i),
                '’' => {
                    if let Some(a) = single.take() {
                        mark_quoted(&mut flags, a, i);
                    }
                }
                _ => {}
            }
            after_space = b.is_ascii_whitespace();
            k += 1;
        }
        let Some(w) = words.get(i) else { break };
        let mut f = 0u32;
        if brk {
            f |= BREAK;
        }
        if strong {
            f |= STRONG;
        }
        f |= cue_flags(w.norm);
        if w.norm.bytes().next().is_some_and(|b| b.is_ascii_digit()) {
            f |= ASK_CUE;
        }
        let first = bytes.get(w.start).copied().unwrap_or(0);
        let cap = if first.is_ascii() {
            first.is_ascii_uppercase()
        } else {
            text.get(w.start..)
                .and_then(|t| t.chars().next())
                .is_some_and(char::is_uppercase)
        };
        if cap {
            f |= CAP;
        }
        // Words of one whitespace-delimited token share its link test.
        if w.start >= token_end {
            let mut te = w.end.min(bytes.len());
            let mut marks = false;
            while te < bytes.len() && !bytes[te].is_ascii_whitespace() {
                marks |= matches!(bytes[te], b'.' | b'@' | b':');
                te += 1;
            }
            // Only a token with `.`, `@` or `:` after its first word can be a link.
            token_url = marks && {
                let mut ts = w.start.min(bytes.len());
                while ts > 0 && !bytes[ts - 1].is_ascii_whitespace() {
                    ts -= 1;
                }
                text.get(ts..te).is_some_and(is_url)
            };
            token_end = te.max(w.end);
        }
        if token_url {
            f |= URL;
        }
        flags[i] |= f;
        prev_end = w.end;
    }
    flags
}

/// Marks words `a..b` as quoted, unless the quotes wrap the whole note.
fn mark_quoted(flags: &mut [u32], a: usize, b: usize) {
    if a == 0 && b == flags.len() {
        return;
    }
    let b = b.min(flags.len());
    for f in &mut flags[a..b] {
        *f |= QUOTED;
    }
}

/// Whether a whitespace-delimited token is a link, a bare domain or an email address.
fn is_url(token: &str) -> bool {
    let t = token
        .trim_start_matches(['(', '<', '"', '“', '\'', '[', '‘'])
        .trim_end_matches([
            '.', ',', ';', ':', '!', '?', ')', '>', '"', '”', '\'', ']', '’',
        ]);
    if !t.contains(['.', '@', ':']) {
        return false;
    }
    if t.contains("://") || t.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("www.")) {
        return true;
    }
    if t.contains('@') && t.contains('.') {
        return true;
    }
    let host = t.split('/').next().unwrap_or("");
    host.rsplit_once('.').is_some_and(|(name, tld)| {
        !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_alphanumeric() || c == '-' || c == '.')
            && TLDS.contains(&tld)
    })
}

/// Slots in the cue-word table: a power of two, over three times the words.
const SLOTS: usize = 2048;

/// Every word that can start a cue, with the passes it concerns (`ASK_CUE`,
/// `REF_CUE`, `REASON_CUE`), and the word classes look-arounds test
/// (`CONNECTING`, `STOPWORD`…): one hash look-up per word, in the flag pass,
/// decides which matchers run, so the long `match`es only see candidates and
/// a class test is a bit test.
struct CueTable {
    hash: [u32; SLOTS],
    /// The word's first eight bytes: most words compare without `memcmp`.
    prefix: [u64; SLOTS],
    word: [&'static str; SLOTS],
    flags: [u32; SLOTS],
}

/// A word's first eight bytes as a number, and a hash of the whole word,
/// in one pass (also at compile time).
const fn word_key(b: &[u8]) -> (u64, u32) {
    let mut prefix = 0u64;
    let mut h = 0x9E37_79B9_7F4A_7C15u64 ^ b.len() as u64;
    let mut i = 0;
    while i < b.len() {
        let mut x = 0u64;
        let mut k = 0;
        while k < 8 && i + k < b.len() {
            x |= (b[i + k] as u64) << (8 * k);
            k += 1;
        }
        if i == 0 {
            prefix = x;
        }
        h = (h ^ x).wrapping_mul(0xFF51_AFD7_ED55_8CCD);
        h ^= h >> 29;
        i += 8;
    }
    (prefix, (h >> 32) as u32)
}

/// Byte equality in a `const fn`.
const fn same(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// Adds `words` to the table with `flag`; a word already there gets the flag added.
/// A word listed twice in one list fails the build.
const fn add_words(mut t: CueTable, words: &[&'static str], flag: u32) -> CueTable {
    let mut k = 0;
    while k < words.len() {
        let w = words[k];
        let (prefix, h) = word_key(w.as_bytes());
        let mut slot = h as usize & (SLOTS - 1);
        loop {
            if t.flags[slot] == 0 {
                t.hash[slot] = h;
                t.prefix[slot] = prefix;
                t.word[slot] = w;
                t.flags[slot] = flag;
                break;
            }
            if t.hash[slot] == h && same(t.word[slot], w) {
                assert!(t.flags[slot] & flag == 0, "a cue word is listed twice");
                t.flags[slot] |= flag;
                break;
            }
            slot = (slot + 1) & (SLOTS - 1);
        }
        k += 1;
    }
    t
}

/// The cue words of every pass, built at compile time.
static CUE_TABLE: CueTable = {
    let t = CueTable {
        hash: [0; SLOTS],
        prefix: [0; SLOTS],
        word: [""; SLOTS],
        flags: [0; SLOTS],
    };
    let t = add_words(t, ASK_WORDS, ASK_CUE);
    let t = add_words(t, REF_WORDS, REF_CUE);
    let t = add_words(t, REASON_WORDS, REASON_CUE);
    let t = add_words(t, CONNECT_WORDS, CONNECTING);
    let t = add_words(t, STOP, STOPWORD);
    let t = add_words(t, STOP_EXT, ENDWORD);
    let t = add_words(t, NOTICE, NOTICING);
    let t = add_words(t, APPRECIATE, APPRECIATING);
    let t = add_words(t, IMPERATIVES, IMPERATIVE);
    let t = add_words(t, NEGATORS, NEGATOR);
    let t = add_words(t, FIRST_SINGULAR, I_WORD);
    let t = add_words(t, FIRST_PLURAL, WE_WORD);
    let t = add_words(t, SECOND_PERSON, YOU_WORD);
    let t = add_words(t, GREETINGS, GREETING);
    let t = add_words(t, SPEC_PREP, SPEC);
    let t = add_words(t, COMPOUND_TAIL, COMPOUND);
    let t = add_words(t, CONTACT_NOUNS, CONTACT_NOUN);
    let t = add_words(t, YOU_ASKED_WORDS, YOU_ASKED);
    add_words(t, YOU_OBJECT_WORDS, YOU_OBJECT)
};

/// The passes a word can start a cue in (0 for most words).
fn cue_flags(w: &str) -> u32 {
    let t = &CUE_TABLE;
    let (prefix, h) = word_key(w.as_bytes());
    let mut slot = h as usize & (SLOTS - 1);
    loop {
        let f = t.flags[slot];
        if f == 0 {
            return 0;
        }
        if t.hash[slot] == h
            && t.prefix[slot] == prefix
            && t.word[slot].len() == w.len()
            && (w.len() <= 8 || t.word[slot] == w)
        {
            return f;
        }
        slot = (slot + 1) & (SLOTS - 1);
    }
}

/// I, me, my…
const FIRST_SINGULAR: &[&str] = &[
    "i", "me", "my", "mine", "myself", "i'm", "i've", "i'd", "i'll",
];
/// We, us, our…
const FIRST_PLURAL: &[&str] = &[
    "we",
    "us",
    "our",
    "ours",
    "ourselves",
    "we're",
    "we've",
    "we'd",
    "we'll",
];
/// You, your…
const SECOND_PERSON: &[&str] = &[
    "you",
    "your",
    "yours",
    "yourself",
    "yourselves",
    "you're",
    "you've",
    "you'd",
    "you'll",
];

/// Counts I, we and you, outside links.
fn persons(text: &str, words: &[WordRef<'_>], flags: &[u32]) -> Persons {
    let mut p = Persons::default();
    for (w, &f) in words.iter().zip(flags) {
        if f & URL != 0 {
            continue;
        }
        if f & I_WORD != 0 {
            p.first_singular += 1;
        } else if f & WE_WORD != 0 {
            // "US" in capitals is the country.
            if text.get(w.start..w.end) != Some("US") {
                p.first_plural += 1;
            }
        } else if f & YOU_WORD != 0 {
            p.second += 1;
        }
    }
    p
}

/// One sentence's words, with bounds-checked look-ups (out of range reads as "").
struct Sent<'a, 'w> {
    words: &'a [WordRef<'w>],
    flags: &'a [u32],
    /// First word index.
    lo: usize,
    /// One past the last word index.
    hi: usize,
    /// Ends with a question mark that is not inside a quotation.
    question: bool,
    /// Byte end of the sentence.
    end: usize,
    /// Where the message proper starts (see `content_start`).
    content: usize,
    /// The first word that notices something of theirs ("saw", "noticed"),
    /// or `hi`; found on first use.
    notice: std::cell::Cell<Option<usize>>,
}

/// Whether `w` is one of the `|`-separated alternatives in `alts`.
/// A byte scan: this runs for every cue look-around, so it avoids the
/// iterator of `split`.
fn one_of(w: &str, alts: &str) -> bool {
    let (a, w) = (alts.as_bytes(), w.as_bytes());
    let Some(&first) = w.first() else {
        return false;
    };
    let mut start = 0;
    while start + w.len() <= a.len() {
        let end = start + w.len();
        if a[start] == first && (end == a.len() || a[end] == b'|') && &a[start..end] == w {
            return true;
        }
        match next_bar(a, start) {
            Some(p) => start = p + 1,
            None => return false,
        }
    }
    false
}

/// The next `|` in `a` from `from`, eight bytes at a time.
fn next_bar(a: &[u8], from: usize) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    const BARS: u64 = 0x7c7c_7c7c_7c7c_7c7c;
    let mut i = from;
    while i + 8 <= a.len() {
        let mut chunk = [0u8; 8];
        chunk.copy_from_slice(&a[i..i + 8]);
        let x = u64::from_le_bytes(chunk) ^ BARS;
        // The lowest byte of x that is zero is the first `|`.
        let zero = x.wrapping_sub(ONES) & !x & HIGHS;
        if zero != 0 {
            return Some(i + (zero.trailing_zeros() / 8) as usize);
        }
        i += 8;
    }
    a[i..].iter().position(|&b| b == b'|').map(|p| i + p)
}

/// `i - k`, or an index that is out of every range when that would underflow.
fn back(i: usize, k: usize) -> usize {
    i.checked_sub(k).unwrap_or(usize::MAX)
}

impl<'w> Sent<'_, 'w> {
    /// The word at `i`, or "" outside the sentence.
    fn n(&self, i: usize) -> &'w str {
        if i >= self.lo && i < self.hi {
            self.words[i].norm
        } else {
            ""
        }
    }

    /// Whether the word at `i` is one of the `|`-separated alternatives.
    fn is(&self, i: usize, alts: &str) -> bool {
        let w = self.n(i);
        !w.is_empty() && one_of(w, alts)
    }

    /// Whether the words from `i` match `parts`, each a `|`-separated set.
    fn seq(&self, i: usize, parts: &[&str]) -> bool {
        parts
            .iter()
            .enumerate()
            .all(|(k, p)| self.is(i.wrapping_add(k), p))
    }

    /// Whether the word at `i` is in `list`.
    fn in_list(&self, i: usize, list: &[&str]) -> bool {
        let w = self.n(i);
        !w.is_empty() && list.contains(&w)
    }

    /// Whether the word at `i` carries any of `flag`.
    fn has(&self, i: usize, flag: u32) -> bool {
        i >= self.lo && i < self.hi && self.flags[i] & flag != 0
    }

    /// Whether clause punctuation comes right before the word at `i`.
    fn brk(&self, i: usize) -> bool {
        self.has(i, BREAK)
    }

    /// Whether the word at `i` can carry a cue: not in a link, not quoted.
    fn usable(&self, i: usize) -> bool {
        i >= self.lo && i < self.hi && self.flags[i] & (URL | QUOTED) == 0
    }

    /// The first word of the clause holding `i`.
    fn clause_start(&self, i: usize) -> usize {
        let mut j = i.min(self.hi.saturating_sub(1));
        while j > self.lo && !self.brk(j) {
            j -= 1;
        }
        j
    }

    /// One past the last word of the clause holding `i`.
    fn clause_end(&self, i: usize) -> usize {
        let mut j = i + 1;
        while j < self.hi && !self.brk(j) {
            j += 1;
        }
        j
    }

    /// Whether any word in `a..b` is one of `alts`.
    fn any(&self, a: usize, b: usize, alts: &str) -> bool {
        (a.max(self.lo)..b.min(self.hi)).any(|j| self.usable(j) && self.is(j, alts))
    }

    /// Whether any word in `a..b` is in `list`.
    fn any_in(&self, a: usize, b: usize, list: &[&str]) -> bool {
        (a.max(self.lo)..b.min(self.hi)).any(|j| self.usable(j) && self.in_list(j, list))
    }

    /// Whether any usable word in `a..b` carries `flag`.
    fn any_flag(&self, a: usize, b: usize, flag: u32) -> bool {
        (a.max(self.lo)..b.min(self.hi)).any(|j| self.has(j, flag) && self.usable(j))
    }

    /// Whether any word in `a..b` is about connecting ("connect", "reconnecting").
    fn connecting(&self, a: usize, b: usize) -> bool {
        self.any_flag(a, b, CONNECTING)
    }

    /// Whether the sentence speaks as "I".
    fn first_singular(&self) -> bool {
        self.any(self.lo, self.hi, "i|i'm|i've|i'd|i'll|my|me")
    }

    /// Where the message proper starts: after a greeting clause ("Hi Sam,")
    /// and a short lead-in clause ("Quick question:", "I'm curious -").
    fn content_start(&self) -> usize {
        let mut k = self.lo;
        if self.has(k, GREETING) {
            let e = self.clause_end(k);
            if e < self.hi && e - k <= 4 {
                k = e;
            }
        }
        let e = self.clause_end(k);
        if e < self.hi
            && e - k <= 3
            && !self.any(
                k,
                e,
                "you|your|you're|you've|could|can|would|will|please|let's",
            )
        {
            k = e;
        }
        k
    }

    /// The first word that notices something of theirs, or `hi`.
    fn first_notice(&self) -> usize {
        if let Some(k) = self.notice.get() {
            return k;
        }
        let k = (self.lo..self.hi)
            .find(|&j| self.has(j, NOTICING))
            .unwrap_or(self.hi);
        self.notice.set(Some(k));
        k
    }

    /// Byte start of word `i`.
    fn at(&self, i: usize) -> usize {
        self.words[i].start
    }
}

/// Salutations that open a greeting clause.
const GREETINGS: &[&str] = &[
    "hi",
    "hello",
    "hey",
    "dear",
    "hiya",
    "greetings",
    "howdy",
    "yo",
    "thanks",
    "thank",
];

/// Words that carry no content: a look-ahead for a thing stops at them.
const STOP: &[&str] = &[
    "a", "an", "the", "and", "or", "but", "to", "of", "in", "on", "at", "for", "with", "about",
    "from", "by", "is", "are", "was", "were", "be", "been", "has", "have", "had", "i", "you", "we",
    "it", "that", "this", "which", "who", "as", "so", "if", "not", "no", "just", "really", "very",
    "more", "name", "time", "profile", "network", "inbox", "schedule", "end", "email", "way",
    "thoughts", "came", "it's", "that's", "would", "could", "can", "will", "me", "my", "our", "us",
    "they", "their", "how", "what", "when", "where", "why", "do", "did",
];

/// Words that end the span of a reference after its head.
const STOP_EXT: &[&str] = &[
    "really",
    "that",
    "which",
    "who",
    "is",
    "are",
    "was",
    "were",
    "has",
    "have",
    "had",
    "and",
    "but",
    "so",
    "because",
    "since",
    "when",
    "while",
    "i",
    "i'm",
    "i've",
    "i'd",
    "it",
    "it's",
    "would",
    "could",
    "can",
    "will",
    "resonated",
    "caught",
    "stood",
    "made",
    "helped",
    "inspired",
    "got",
    "gave",
    "reminded",
    "truly",
    "especially",
    "too",
    "sounds",
    "looks",
    "seems",
    "changed",
    "cleared",
    "clarified",
];

/// Prepositions that introduce what a thing is about ("your post on X").
const SPEC_PREP: &[&str] = &[
    "on",
    "about",
    "in",
    "at",
    "around",
    "for",
    "from",
    "into",
    "with",
    "re",
    "regarding",
    "covering",
    "of",
    "as",
    "to",
    "across",
    "behind",
];

// ---------------------------------------------------------------------------
// Asks
// ---------------------------------------------------------------------------

/// A cue for an ask at one word.
#[derive(Clone, Copy)]
struct Cue {
    kind: AskKind,
    /// Asks without a request frame ("refer me", "let me know").
    selfish: bool,
    /// Yields to any other ask in the sentence ("let me know" with "a call").
    weak: bool,
    /// Accepts the previous sentence's offer ("reply yes and I'll forward it").
    cont: bool,
}

/// A cue that needs a request frame.
fn framed(kind: AskKind) -> Option<Cue> {
    Some(Cue {
        kind,
        selfish: false,
        weak: false,
        cont: false,
    })
}

/// A cue that asks by itself.
fn own(kind: AskKind) -> Option<Cue> {
    Some(Cue {
        kind,
        selfish: true,
        weak: false,
        cont: false,
    })
}

/// A self-framing cue that yields to any other ask in its sentence.
fn own_weak(kind: AskKind) -> Option<Cue> {
    Some(Cue {
        kind,
        selfish: true,
        weak: true,
        cont: false,
    })
}

/// An ask found in a sentence: the cue, and the word its span starts from.
#[derive(Clone, Copy)]
struct Found {
    at: usize,
    from: usize,
    weak: bool,
    cont: bool,
}

/// Where a second request starts in a sentence: "and" or "or" followed by
/// "also", or by a request frame of its own ("would you", "could you",
/// "can you", "please"), after a first request frame.
fn second_request(s: &Sent) -> Option<usize> {
    let frame = |k: usize| {
        s.seq(k, &["would|could|can|will", "you"])
            || s.is(k, "please|kindly")
            || s.seq(k, &["i'd|i", "also", "love|like|appreciate|welcome"])
    };
    let opened = (s.content..s.hi).find(|&k| frame(k))?;
    (opened + 2..s.hi.saturating_sub(1))
        .find(|&k| s.is(k, "and|or") && (frame(k + 1) || s.is(k + 1, "also") && k + 2 < s.hi))
}

/// Finds a sentence's asks and appends them to `out`.
fn sentence_asks(s: &Sent, prev_asked: bool, prev_question: bool, out: &mut Vec<Ask>) {
    let mut found: [Option<Found>; 11] = [None; 11];
    for i in s.lo..s.hi {
        if !s.has(i, ASK_CUE) {
            continue;
        }
        let Some(c) = ask_cue(s, i) else { continue };
        let k = c.kind as usize;
        if found[k].is_some() || negated(s, i) {
            continue;
        }
        if matches!(
            c.kind,
            AskKind::Call | AskKind::Meeting | AskKind::Time | AskKind::Advice | AskKind::Referral
        ) && thanked(s, i)
        {
            continue;
        }
        let from = if c.selfish {
            i
        } else {
            let Some((m, firm)) = licence(s, i) else {
                continue;
            };
            // "Happy to hop on a call if useful" offers; a firm frame or a question still asks.
            if !firm && offered(s, i) {
                continue;
            }
            m.min(i)
        };
        found[k] = Some(Found {
            at: i,
            from,
            weak: c.weak,
            cont: c.cont,
        });
    }
    // A call, a meeting and their time are one request: keep the first cue.
    let convo = [AskKind::Call, AskKind::Meeting, AskKind::Time]
        .into_iter()
        .filter_map(|k| found[k as usize].map(|f| (f.at, k)))
        .min();
    if let Some((_, keep)) = convo {
        // "Could I pick your brain for 15 minutes?" asks for advice; the minutes only size it.
        let picking = found[AskKind::Advice as usize]
            .is_some_and(|f| s.is(f.at, "pick|picking|brain-picking|brain-pick"));
        for k in [AskKind::Call, AskKind::Meeting, AskKind::Time] {
            if k != keep || picking {
                found[k as usize] = None;
            }
        }
        // "a call to get a few tips": the advice is what the call is for.
        if !picking {
            found[AskKind::Advice as usize] = None;
        }
    }
    if found.iter().flatten().any(|f| !f.weak) {
        for f in &mut found {
            if f.is_some_and(|f| f.weak) {
                *f = None;
            }
        }
    }
    // "Want the checklist? Reply yes and I'll forward it." is one ask.
    if prev_asked {
        for f in &mut found {
            if f.is_some_and(|f| f.cont) {
                *f = None;
            }
        }
    }
    let content = s.content;
    let mut any = false;
    for (k, f) in found.iter().enumerate() {
        if let Some(f) = f {
            any = true;
            let start = s.clause_start(f.from).max(content).min(f.from);
            out.push(Ask {
                kind: AskKind::ALL[k],
                start: s.at(start),
                end: s.end,
            });
        }
    }
    if !any && favour(s) {
        out.push(Ask {
            kind: AskKind::Favor,
            start: s.at(s.content),
            end: s.end,
        });
    } else if !any && asks_question(s, prev_question) {
        // "…one thing I wondered — how do you…?": the question starts after the dash or colon.
        let from = (content..s.hi)
            .rev()
            .find(|&j| s.has(j, STRONG))
            .unwrap_or(content);
        out.push(Ask {
            kind: AskKind::Question,
            start: s.at(from.min(s.hi - 1)),
            end: s.end,
        });
    }
}

/// Whether a sentence asks a favour outright: a command opens it ("Send the
/// deck"), or "please" (or "kindly") and a verb that is not about connecting
/// or an offer ("please add me", "please feel free", "please let me know if I
/// can help").
fn favour(s: &Sent) -> bool {
    let at = s.content;
    // A bare command opening the message: "Send the deck.", "Tell me more."
    if s.is(
        at,
        "send|forward|review|call|email|text|tell|give|reply|respond|confirm|schedule|book|share",
    ) && at + 1 < s.hi
        && !s.question
    {
        return true;
    }
    s.is(at, "please|kindly|pls|plz")
        && at + 1 < s.hi
        && !s.is(
            at + 1,
            "add|accept|connect|feel|let|find|note|excuse|forgive|enjoy|keep|stay|reach|don't|do|know|consider|have",
        )
}

/// Whether a question sentence with no other ask is a question to the
/// recipient: not a pleasantry, not only about connecting, not the second
/// half of the previous question ("Wrong moment? Or not relevant?").
fn asks_question(s: &Sent, prev_question: bool) -> bool {
    if !s.question {
        return false;
    }
    if s.is(s.lo, "or") && prev_question {
        return false;
    }
    let last = s.clause_start(s.hi - 1);
    if !(last..s.hi).any(|j| s.usable(j)) {
        return false;
    }
    // "Open to connecting?", "Any chance you'd accept my invite?", "Mind adding me?"
    if s.connecting(last, s.hi)
        || s.any(last, s.hi, "invite|invitation|accept|accepting")
        || (last..s.hi).any(|j| s.is(j, "add|adding") && s.is(j + 1, "me|you"))
    {
        return false;
    }
    !pleasantry(s, last)
}

/// Words of connecting itself, which is never an ask.
const CONNECT_WORDS: &[&str] = &[
    "connect",
    "connecting",
    "connected",
    "reconnect",
    "reconnecting",
    "connection",
];

/// Whether the clause from `k` is a pleasantry ("how are you?", "how's it going?").
fn pleasantry(s: &Sent, mut k: usize) -> bool {
    while s.is(k, "and|so|but|also") {
        k += 1;
    }
    const SHAPES: &[&[&str]] = &[
        &["how", "are", "you|things"],
        &["how", "have", "you", "been"],
        &["how're", "you"],
        &["how's", "it|everything|life|things|your"],
        &["how", "is", "everything|life"],
        &["how", "was", "your"],
        &["hope", "you|you're|all|everything"],
        &["how", "you", "doing"],
    ];
    let Some(len) = SHAPES.iter().find(|p| s.seq(k, p)).map(|p| p.len()) else {
        return false;
    };
    // Only filler may follow: "how are you doing today?", not "how are you approaching X?".
    let rest = (k + len..s.hi).filter(|&j| {
        !s.is(
            j,
            "doing|today|lately|these|days|keeping|up|going|well|week|weekend|day|holiday|holidays|been|both|all|good|great|fine|so|far|this|year|ok|okay|there|over",
        )
    });
    rest.count() == 0
}

/// Every word an arm of `ask_cue` matches. `ask_cue` only runs on these
/// words and on numbers: add a word here when adding an arm (the
/// tests catch a missing one).
const ASK_WORDS: &[&str] = &[
    "advice",
    "advise",
    "answer",
    "any",
    "beer",
    "brain-pick",
    "brain-picking",
    "breakfast",
    "buy",
    "calendar",
    "calendly",
    "call",
    "catch-up",
    "catchup",
    "chat",
    "check",
    "coffee",
    "connect",
    "consider",
    "considered",
    "considering",
    "contact",
    "conversation",
    "couple",
    "cv",
    "demo",
    "dinner",
    "dm",
    "drinks",
    "drop",
    "e-mail",
    "email",
    "enrol",
    "enroll",
    "exchange",
    "feedback",
    "few",
    "fifteen",
    "fit",
    "fits",
    "five",
    "forty-five",
    "forward",
    "get",
    "guidance",
    "hear",
    "hearing",
    "hire",
    "hiring",
    "input",
    "interested",
    "intern",
    "internship",
    "interview",
    "intro",
    "introduce",
    "introduction",
    "job",
    "join",
    "let",
    "like",
    "lunch",
    "mail",
    "match",
    "matches",
    "meet",
    "meet-up",
    "meeting",
    "meetup",
    "mention",
    "mentor",
    "mentoring",
    "mentorship",
    "nominate",
    "opening",
    "order",
    "pass",
    "phone",
    "pick",
    "picking",
    "ping",
    "pointers",
    "position",
    "purchase",
    "put",
    "reach",
    "recommend",
    "recommendations",
    "refer",
    "referral",
    "referrals",
    "referring",
    "register",
    "reply",
    "respond",
    "resume",
    "role",
    "résumé",
    "say",
    "see",
    "send",
    "share",
    "shoot",
    "show",
    "sign",
    "sign-up",
    "signup",
    "sixty",
    "slot",
    "slots",
    "spare",
    "speak",
    "subscribe",
    "suggestions",
    "suit",
    "suits",
    "swap",
    "talk",
    "telegram",
    "ten",
    "text",
    "thirty",
    "thoughts",
    "time",
    "times",
    "tips",
    "trial",
    "try",
    "trying",
    "twenty",
    "ur",
    "vouch",
    "walk",
    "walk-through",
    "walkthrough",
    "wanna",
    "want",
    "whatsapp",
    "write",
    "your",
    "zoom",
];

/// The ask cue at word `i`, if any.
fn ask_cue(s: &Sent, i: usize) -> Option<Cue> {
    use AskKind::*;
    let w = s.n(i);
    if s.has(i, QUOTED) {
        return None;
    }
    if s.has(i, URL) {
        // A scheduling link asks for a meeting, whatever words surround it.
        return if w == "calendly" { own(Meeting) } else { None };
    }
    match w {
        // --- calls and meetings ---
        "call" => {
            // "call for papers" and "call notes" are not calls; "call you" is a verb.
            let other = s.is(
                i + 1,
                "for|center|centre|notes|recording|recordings|transcript|transcripts",
            );
            (!other && (s.is(i + 1, "you|me") || fresh_noun(s, i)))
                .then_some(())
                .and(framed(Call))
        }
        "chat" | "conversation" | "catch-up" | "catchup" | "zoom" => {
            if fresh_noun(s, i) || (w == "chat" && talk_verb(s, i)) {
                framed(Call)
            } else {
                None
            }
        }
        "talk" | "speak" => talk_verb(s, i).then_some(()).and(framed(Call)),
        "phone" => (s.is(back(i, 1), "the") && s.is(back(i, 2), "on|hop|jump")
            || s.is(back(i, 1), "by|over"))
        .then_some(())
        .and(framed(Call)),
        "few" => (s.is(back(i, 1), "a") && s.is(i + 1, "minutes|mins|min"))
            .then(|| duration(s, back(i, 1), i + 1))
            .flatten(),
        "couple" => s
            .seq(i + 1, &["of", "minutes|mins"])
            .then(|| duration(s, i, i + 2))
            .flatten(),
        "meet" | "meet-up" | "meetup" => {
            let pleasant = s.is(back(i, 1), "to")
                && s.is(back(i, 2), "nice|great|good|pleasure|lovely|glad|happy|wonderful");
            let other = s.is(
                i + 1,
                "your|their|our|deadlines|goals|quota|quotas|targets|demand|expectations|requirements|needs|criteria",
            );
            (!pleasant && !other).then_some(()).and(framed(Meeting))
        }
        "meeting" | "walkthrough" | "walk-through" => {
            fresh_noun(s, i).then_some(()).and(framed(Meeting))
        }
        "demo" => (fresh_noun(s, i)
            && !s.is(
                i + 1,
                "video|videos|day|days|reel|link|links|site|app|account|environment",
            ))
        .then_some(())
        .and(framed(Meeting)),
        "coffee" => (s.is(back(i, 1), "grab|get|have|a|for|over|virtual|quick|buy")
            || s.is(i + 1, "chat|meeting|sometime|catch-up"))
        .then_some(())
        .and(framed(Meeting)),
        "lunch" | "drinks" | "dinner" | "breakfast" | "beer" => s
            .is(back(i, 1), "grab|get|have|for|over|a|quick|buy")
            .then_some(())
            .and(framed(Meeting)),
        "walk" => s
            .seq(i + 1, &["you|us", "through"])
            .then_some(())
            .and(framed(Meeting)),
        "calendar" => (s.is(back(i, 1), "my|our") || s.is(i + 1, "link|invite|invitation"))
            .then_some(())
            .and(own(Meeting)),
        "calendly" => own(Meeting),
        "time" | "times" | "slot" | "slots" => {
            if s.is(back(i, 1), "a|some")
                && s.is(back(i, 2), "find|book|schedule|grab|pick|set|carve|block")
                || s.seq(back(i, 2), &["set", "up"])
            {
                framed(Meeting)
            } else if w == "time"
                && s.is(back(i, 1), "your")
                && s.is(back(i, 2), "of|take|borrow|grab|steal|spare|need|request")
            {
                framed(Time)
            } else {
                None
            }
        }
        "see" => (s.is(back(i, 1), "to")
            && (s.is(back(i, 2), "want|wanna") || s.seq(back(i, 3), &["you|you'd", "like"]))
            && s.is(i + 1, "how|it|a|the|what|this|our"))
        .then_some(())
        .and(framed(Meeting)),
        "show" => s
            .seq(i + 1, &["you", "how|around|what|a|the|our"])
            .then_some(())
            .and(framed(Meeting)),
        "spare" => s
            .is(i + 1, "a|some|few|me|minutes|time|moment|minute|15|10|20|30|five|ten")
            .then_some(())
            .and(framed(Time)),
        // --- referrals ---
        "refer" | "referring" => {
            if s.is(i + 1, "me|my|someone|somebody") {
                own(Referral)
            } else if s.is(back(i, 1), "to") && !s.is(i + 1, "to|you|back") {
                framed(Referral)
            } else {
                None
            }
        }
        "referral" | "referrals" => framed(Referral),
        "introduce" | "intro" | "introduction" => {
            let obj = s.is(i + 1, "me|us") && s.is(i + 2, "to|with") && !s.is(i + 3, "you");
            let noun = w != "introduce"
                && s.is(back(i, 1), "an|a|warm|quick")
                && s.is(i + 1, "to|with")
                && !s.is(i + 2, "you");
            (obj || noun).then_some(()).and(framed(Referral))
        }
        "put" => {
            if s.seq(i + 1, &["in", "a", "good|word"]) || s.seq(i + 1, &["a", "good|word"]) {
                own(Referral)
            } else if s.seq(i + 1, &["me", "in", "touch"]) {
                // "put" is also past: "Sam put me in touch last week".
                framed(Referral)
            } else if s.seq(i + 1, &["me|my", "forward"]) || s.seq(i + 1, &["my", "name", "forward"])
            {
                own(Job)
            } else {
                None
            }
        }
        "recommend" | "nominate" => s.is(i + 1, "me").then_some(()).and(framed(Referral)),
        "vouch" => s.seq(i + 1, &["for", "me"]).then_some(()).and(own(Referral)),
        "mention" => s.seq(i + 1, &["my", "name"]).then_some(()).and(own(Referral)),
        "pass" | "forward" => {
            if s.seq(i + 1, &["my", RESUMEISH])
                || s.seq(i + 1, &["along|on", "my", RESUMEISH])
                || s.seq(i + 1, &["my", "name", "along|on"])
            {
                own(Referral)
            } else if w == "forward"
                && s.is(back(i, 1), "look|looking|looks")
                && s.is(i + 1, "to")
                && (s.is(i + 2, "hearing")
                    || s.seq(i + 2, &["your", "reply|response|answer|thoughts|feedback"]))
            {
                own_weak(Reply)
            } else {
                None
            }
        }
        "connect" => s
            .seq(i + 1, &["me", "with|to"])
            .then_some(())
            .and(framed(Referral)),
        // --- jobs ---
        "any" => any_cue(s, i),
        "hiring" => {
            let clause = s.clause_start(i);
            let inverted = s.any(clause, i, "are|is") && !s.is(back(i, 1), "you're|we're|i'm|we|they're");
            (s.question && (inverted || clause == i))
                .then_some(())
                .and(framed(Job))
        }
        "hire" => s.is(i + 1, "me").then_some(()).and(own(Job)),
        "consider" | "considering" => s.is(i + 1, "me|my").then_some(()).and(own(Job)),
        "considered" => (s.is(i + 1, "for") && s.is(back(i, 1), "be|being|get|getting"))
            .then_some(())
            .and(own(Job)),
        "fit" | "fits" | "match" | "matches" | "suit" | "suits" => s
            .seq(
                i + 1,
                &[
                    "my",
                    "background|profile|skills|skill|skillset|skill-set|experience|resume|cv|qualifications",
                ],
            )
            .then_some(())
            .and(own(Job)),
        "resume" | "cv" | "résumé" => (s.is(back(i, 1), "my")
            && (s.is(back(i, 2), "send|sending|attach|attached|attaching|share|sharing|review|reviewing|at|over|see")
                || s.is(back(i, 3), "send|sending|share|sharing")))
        .then_some(())
        .and(own(Job)),
        "job" | "role" | "position" | "internship" | "opening" => {
            // "a job for me"; "looking for a job at your company / at Acme".
            let for_me = s.is(back(i, 1), "a|an|any|the") && s.seq(i + 1, &["for", "me"]);
            let looking = s.is(back(i, 1), "a")
                && s.is(back(i, 2), "for")
                && s.is(back(i, 3), "looking|searching")
                && s.is(i + 1, "at|in|with|on")
                && (s.is(i + 2, "your") || s.has(i + 2, CAP));
            (for_me || looking).then_some(()).and(own(Job))
        }
        "join" => s
            .seq(
                i + 1,
                &["your", "team|company|org|organization|organisation|firm"],
            )
            .then_some(())
            .and(framed(Job)),
        "intern" => s.is(i + 1, "with|at|for").then_some(()).and(framed(Job)),
        "interview" => (s.is(back(i, 1), "an|for") && !s.is(i + 1, "you"))
            .then_some(())
            .and(framed(Job)),
        "interested" => interested_cue(s, i),
        // --- contact details ---
        "your" | "ur" => contact_cue(s, i),
        "exchange" | "swap" | "share" => s
            .is(
                i + 1,
                "numbers|emails|email|contacts|contact|phone|whatsapp|digits",
            )
            .then_some(())
            .and(own(Contact)),
        "reach" | "contact" => (s.seq(back(i, 3), &["best", "way", "to"])
            // "Is there an email I can reach you at?"
            || s.is(back(i, 1), "can|could")
                && s.is(back(i, 2), "i|we")
                && s.is(i + 1, "you")
                && s.any(i.saturating_sub(6), i, "email|e-mail|number|phone|whatsapp")
            || s.is(i + 1, "you")
                && (s.is(i + 2, "outside|off")
                    || s.is(i + 2, "on|via|by|through")
                        && s.is(i + 3, "whatsapp|phone|email|e-mail|mail|telegram|text")))
        .then_some(())
        .and(own(Contact)),
        "get" => {
            if s.seq(i + 1, &["in", "touch"]) && s.seq(back(i, 3), &["best", "way", "to"]) {
                own(Contact)
            } else if s.seq(i + 1, &["back", "to", "me|us"]) {
                own_weak(Reply)
            } else {
                None
            }
        }
        "whatsapp" | "telegram" => {
            if s.is(i + 1, "me") {
                own(Contact)
            } else if s.is(back(i, 1), "on|via") {
                framed(Contact)
            } else {
                None
            }
        }
        "email" | "e-mail" | "mail" | "text" | "dm" => (s.is(i + 1, "me|us")
            && !s.is(back(i, 1), "to|an|the|your|my|a"))
        .then_some(())
        .and(framed(Contact)),
        // --- replies ---
        "let" => s
            .seq(i + 1, &["me|us", "know"])
            .then(|| let_me_know(s, i + 3))
            .flatten(),
        "hear" | "hearing" => {
            let pleasant = s.is(back(i, 1), "to")
                && s.is(back(i, 2), "nice|great|good|glad|lovely|happy");
            if pleasant {
                None
            } else if s.is(i + 1, "back") || s.seq(i + 1, &["from", "you"]) {
                own_weak(Reply)
            } else {
                None
            }
        }
        "reply" | "respond" | "answer" => {
            if accepts_offer(s, i) {
                Some(Cue {
                    kind: Purchase,
                    selfish: true,
                    weak: false,
                    cont: true,
                })
            } else if s.is(back(i, 1), "your") && s.is(back(i, 2), "await|awaiting")
                || s.is(back(i, 1), "your") && s.seq(back(i, 3), &["forward", "to"])
            {
                own_weak(Reply)
            } else if !s.is(i + 1, "rate|rates|time|times")
                && !s.is(back(i, 1), "your|a|the|my|no|quick|short")
            {
                Some(Cue {
                    kind: Reply,
                    selfish: false,
                    weak: true,
                    cont: false,
                })
            } else {
                None
            }
        }
        "say" => (s.is(i + 1, "yes|yes-|the") && accepts_offer(s, i))
            .then_some(())
            .and(Some(Cue {
                kind: Purchase,
                selfish: true,
                weak: false,
                cont: true,
            })),
        "thoughts" => {
            let clause = s.clause_start(i);
            (s.question && s.hi - clause <= 3 && i + 1 == s.hi)
                .then_some(())
                .and(own_weak(Reply))
        }
        "write" => s.is(i + 1, "back").then_some(()).and(Some(Cue {
            kind: Reply,
            selfish: false,
            weak: true,
            cont: false,
        })),
        "drop" | "shoot" => s
            .seq(i + 1, &["me|us", "a", "line|note|message"])
            .then_some(())
            .and(Some(Cue {
                kind: Reply,
                selfish: false,
                weak: true,
                cont: false,
            })),
        "ping" => s.is(i + 1, "me|us").then_some(()).and(Some(Cue {
            kind: Reply,
            selfish: false,
            weak: true,
            cont: false,
        })),
        // --- purchases ---
        "sign" => s.is(i + 1, "up").then_some(()).and(framed(Purchase)),
        // "buy you a coffee" is a meeting; "in order to" and "your order" buy nothing.
        "signup" | "sign-up" | "buy" | "purchase" | "subscribe" | "order" | "register"
        | "enroll" | "enrol" => ((!s.is(back(i, 1), "in|your|the|an|my|our|a|to")
            || s.is(back(i, 1), "to") && !s.is(back(i, 2), "in"))
            && !s.is(i + 1, "you|me|us"))
        .then_some(())
        .and(framed(Purchase)),
        "try" | "trying" => (s.is(i + 1, "our|it|out|us")
            || s.is(i + 1, "the|a|my")
                && (s.in_list(i + 2, PRODUCTS) || s.is(i + 2, "free")))
        .then_some(())
        .and(framed(Purchase)),
        "trial" => s.is(back(i, 1), "free").then_some(()).and(framed(Purchase)),
        "check" => (s.seq(i + 1, &["out", "our|my"]) && s.in_list(i + 3, PRODUCTS))
            .then_some(())
            .and(framed(Purchase)),
        "want" | "wanna" => {
            let elliptic = i == s.clause_start(i) || s.is(back(i, 1), "you|u");
            (s.question && elliptic)
                .then(|| want_object(s, i + 1))
                .flatten()
        }
        "like" => ((s.is(back(i, 1), "you") && s.is(back(i, 2), "would")
            || s.is(back(i, 1), "you'd"))
            && s.question)
            .then(|| want_object(s, i + 1))
            .flatten(),
        "send" => (s.question
            && s.is(back(i, 1), "i")
            && s.is(back(i, 2), "can|could|may|shall|should")
            && s.is(i + 1, "you|it|over|the|a|this|some|our")
            && !s.any(i + 1, i + 4, "my"))
        .then_some(())
        .and(framed(Purchase)),
        // --- advice ---
        "pick" | "picking" => s
            .seq(
                i + 1,
                &[
                    "your|the|someone's|a|people's|some|their|few",
                    "brain|brains|mind",
                ],
            )
            .then_some(())
            .and(own(Advice)),
        "brain-picking" | "brain-pick" => own(Advice),
        "advise" => s.is(i + 1, "me|on").then_some(()).and(framed(Advice)),
        "mentor" => s.is(i + 1, "me").then_some(()).and(framed(Advice)),
        "advice" | "tips" | "pointers" | "guidance" | "feedback" | "input" | "suggestions"
        | "recommendations" | "mentorship" | "mentoring" => advice_noun(s, i),
        "five" | "ten" | "fifteen" | "twenty" | "thirty" | "forty-five" | "sixty" => s
            .is(i + 1, "minutes|minute|mins|min")
            .then(|| duration(s, i, i + 1))
            .flatten(),
        _ if w.bytes().next().is_some_and(|b| b.is_ascii_digit()) => {
            if is_number(w) && s.is(i + 1, "minutes|minute|mins|min") {
                duration(s, i, i + 1)
            } else if is_duration_word(w) {
                duration(s, i, i)
            } else {
                None
            }
        }
        _ => None,
    }
}

/// What a résumé-like thing is called ("forward my resume", "pass my name along").
const RESUMEISH: &str = "resume|cv|résumé|name|profile|application|details|portfolio";

/// Things a seller asks you to try or check out.
const PRODUCTS: &[&str] = &[
    "product",
    "products",
    "tool",
    "tools",
    "platform",
    "app",
    "site",
    "website",
    "service",
    "services",
    "offer",
    "solution",
    "software",
    "plugin",
    "extension",
    "course",
    "program",
    "pricing",
    "plans",
    "plan",
    "beta",
    "trial",
    "api",
];

/// Nouns for advice.
const ADVICE_NOUNS: &[&str] = &[
    "advice",
    "tips",
    "pointers",
    "guidance",
    "feedback",
    "input",
    "suggestions",
    "recommendations",
    "mentorship",
    "mentoring",
];

/// Nouns for a job.
const JOB_NOUNS: &[&str] = &[
    "openings",
    "opening",
    "vacancies",
    "vacancy",
    "positions",
    "position",
    "roles",
    "role",
    "jobs",
    "job",
    "internships",
    "internship",
    "opportunities",
    "opportunity",
];

/// Adjectives that may stand between an article and a conversation noun.
const CONVO_ADJ: &[&str] = &[
    "quick",
    "short",
    "brief",
    "informal",
    "casual",
    "virtual",
    "phone",
    "video",
    "zoom",
    "coffee",
    "intro",
    "introductory",
    "discovery",
    "exploratory",
    "follow-up",
    "friendly",
    "live",
    "free",
    "personalized",
    "personalised",
    "custom",
    "little",
    "small",
    "initial",
    "one-on-one",
    "1-on-1",
    "in-person",
    "online",
    "remote",
    "private",
    "proper",
    "tiny",
    "minute",
    "minutes",
    "min",
    "mins",
    "fast",
    "personal",
    "sales",
    "strategy",
    "google",
    "teams",
];

/// Whether a conversation noun at `i` is a new one being proposed ("a quick
/// call", "quick chat?") rather than one that exists ("our call", "the demo
/// you gave", "sales calls").
fn fresh_noun(s: &Sent, i: usize) -> bool {
    let mut j = i;
    let mut adj = false;
    while j > s.lo && !s.brk(j) {
        let w = s.n(j - 1);
        if CONVO_ADJ.contains(&w) || is_number(w) || is_duration_word(w) {
            // "sales" and "strategy" only qualify a noun after an article: "a sales call".
            adj |= !matches!(w, "sales" | "strategy" | "google" | "teams");
            j -= 1;
        } else {
            break;
        }
    }
    if j == s.lo || s.brk(j) {
        return adj;
    }
    s.is(j - 1, "a|an|for|another|some")
}

/// Whether "chat", "talk" or "speak" at `i` is a verb proposing a conversation
/// ("can we chat", "I'd love to talk", "let's speak") rather than their talk,
/// or chatting after connecting ("connect and chat more").
fn talk_verb(s: &Sent, i: usize) -> bool {
    if s.is(i + 1, "at") || s.seq(i + 1, &["on", "the|your"]) {
        return false;
    }
    if s.is(back(i, 1), "we") && s.is(back(i, 2), "can|could|shall|should|might") {
        return true;
    }
    if s.is(back(i, 1), "let's|lets") {
        return true;
    }
    s.is(back(i, 1), "to")
        && s.is(
            back(i, 2),
            "love|like|chance|time|free|able|keen|opportunity|want|wanted|hoping|happy|glad|minutes",
        )
}

/// A duration ("15 minutes", "a 20-minute", "a few minutes") starting at `i`
/// whose unit is at `unit`: a call, or their time when "of your time" follows.
/// Not the length of their talk ("your 20-minute talk") or of something else.
fn duration(s: &Sent, i: usize, unit: usize) -> Option<Cue> {
    if s.is(
        unit + 1,
        "talk|talks|keynote|presentation|video|videos|podcast|episode|read|segment|lightning|walk|drive|commute|workout|course|tutorial|webinar|session|demo|slot|ago|later|before|after|early|late|away|each|per|a",
    ) {
        return None;
    }
    let before = if s.is(i, "few|couple") || s.is(back(i, 1), "a") {
        back(i, 2)
    } else {
        back(i, 1)
    };
    if s.is(
        before,
        "your|the|that|our|my|his|her|their|those|these|in|every|per",
    ) || s.n(before).ends_with("'s")
    {
        return None;
    }
    if s.seq(unit + 1, &["of", "your|their"]) {
        framed(AskKind::Time)
    } else {
        framed(AskKind::Call)
    }
}

/// Whether a word is a number: digits, a range ("15-20") or a number word.
fn is_number(w: &str) -> bool {
    if w.is_empty() {
        return false;
    }
    if w.bytes().all(|b| b.is_ascii_digit() || b == b'-') {
        return w.as_bytes()[0].is_ascii_digit();
    }
    matches!(
        w,
        "one"
            | "two"
            | "three"
            | "five"
            | "ten"
            | "fifteen"
            | "twenty"
            | "thirty"
            | "forty-five"
            | "sixty"
    )
}

/// Whether a word is a duration adjective: "15-minute", "20-min", "30min".
fn is_duration_word(w: &str) -> bool {
    let unit = |u: &str| matches!(u, "minute" | "minutes" | "min" | "mins");
    if let Some((n, u)) = w.rsplit_once('-') {
        return is_number(n) && unit(u);
    }
    let digits = w.bytes().take_while(u8::is_ascii_digit).count();
    digits > 0 && unit(&w[digits..])
}

/// "any" at `i`: "any openings?" (a job), "any tips?" (advice), "any thoughts?" (a reply).
fn any_cue(s: &Sent, i: usize) -> Option<Cue> {
    // One word may stand between: "any open roles", "any quick tips".
    let k = if s.in_list(i + 1, JOB_NOUNS) || s.in_list(i + 1, ADVICE_NOUNS) {
        i + 1
    } else if !s.has(i + 1, STOPWORD)
        && (s.in_list(i + 2, JOB_NOUNS) || s.in_list(i + 2, ADVICE_NOUNS))
    {
        i + 2
    } else {
        return (s.is(i + 1, "thoughts") && s.question)
            .then_some(())
            .and(own_weak(AskKind::Reply));
    };
    if s.in_list(k, ADVICE_NOUNS) {
        return own(AskKind::Advice);
    }
    if s.n(k).starts_with("opportunit")
        && !(s.seq(k + 1, &["for", "me"])
            || s.is(k + 1, "at|within")
            || s.seq(k + 1, &["on|in", "your"])
            || s.seq(k + 1, &["to", "join"]))
    {
        return None;
    }
    if s.is(back(i, 1), "in") && s.is(back(i, 2), "interested") {
        own(AskKind::Job)
    } else {
        framed(AskKind::Job)
    }
}

/// "interested" at `i`: "interested in the Senior Analyst opening" (a job),
/// or "Interested?" after an offer (accepting it).
fn interested_cue(s: &Sent, i: usize) -> Option<Cue> {
    if s.is(i + 1, "in") && s.is(i + 2, "the|your|an|a") {
        // "interested in the X opening", not "the position of data teams".
        let job = (i + 3..i + 7).find(|&k| {
            s.is(k, "opening|openings|position|positions|vacancy|vacancies")
                && !s.is(
                    k + 1,
                    "of|keynote|keynotes|talk|session|remarks|panel|ceremony|paper|statement",
                )
        });
        if job.is_some() && !s.any(i + 3, job.unwrap_or(i), "and|but|which|that") {
            return own(AskKind::Job);
        }
    }
    if !s.question
        || s.connecting(i, s.hi)
        || s.any(
            i,
            s.hi,
            "call|chat|demo|meeting|coffee|conversation|walkthrough|catch-up",
        )
    {
        return None;
    }
    if i + 1 == s.hi
        || s.is(i + 1, "in")
            && s.is(
                i + 2,
                "a|the|learning|seeing|trying|getting|hearing|receiving|it|this|more|reading",
            )
    {
        framed(AskKind::Purchase)
    } else {
        None
    }
}

/// After "want" or "would you like" in a question: what is wanted.
/// A thing on offer is a purchase; seeing it is a meeting; a call or chat is
/// left to its own cue; connecting is nothing.
fn want_object(s: &Sent, k: usize) -> Option<Cue> {
    if s.is(
        k,
        "it|one|them|this|that|some|in|more|access|copies|a|an|the|me|my|our",
    ) {
        if s.any(
            k,
            k + 4,
            "call|chat|demo|meeting|coffee|walkthrough|conversation",
        ) || s.connecting(k, k + 4)
        {
            return None;
        }
        return framed(AskKind::Purchase);
    }
    if s.is(k, "to") {
        if s.is(k + 1, "see|watch") {
            return framed(AskKind::Meeting);
        }
        if s.connecting(k + 1, k + 3) || s.is(k + 1, "chat|talk|hop|jump|meet|grab|speak|catch") {
            return None;
        }
        return framed(AskKind::Purchase);
    }
    None
}

/// Nouns of contact details: "your email", "your phone".
const CONTACT_NOUNS: &[&str] = &[
    "email",
    "e-mail",
    "mail",
    "phone",
    "number",
    "cell",
    "mobile",
    "whatsapp",
    "telegram",
    "contact",
    "digits",
    "cellphone",
];

/// "your email", "your phone number": asking for their contact details. Not
/// "your email newsletter", "your number one reader", or "email the deck to your work inbox".
fn contact_cue(s: &Sent, i: usize) -> Option<Cue> {
    let mut j = i + 1;
    if s.is(
        j,
        "personal|private|work|direct|best|official|preferred|business|cell|mobile|phone",
    ) && s.has(j + 1, CONTACT_NOUN)
    {
        j += 1;
    }
    if !s.has(j, CONTACT_NOUN) {
        return None;
    }
    if s.is(j, "contact") && !s.is(j + 1, "details|info|information|number|no") {
        return None;
    }
    if s.is(j, "mail") && !s.is(j + 1, "id|address") {
        return None;
    }
    if s.is(
        j + 1,
        "newsletter|newsletters|marketing|campaign|campaigns|course|list|signature|template|templates|sequence|sequences|strategy|strategies|post|posts|thread|tips|one|game|playbook|deliverability|app|apps|team|teams|design|experience|product|products|screen|interview|call|calls|research|group|channel|community|of|inbox",
    ) {
        return None;
    }
    if s.is(
        back(i, 1),
        "to|at|on|via|in|from|through|into|for|of|with|about|by|over|onto|check|checking",
    ) {
        return None;
    }
    framed(AskKind::Contact)
}

/// "let me know" followed by the word at `k`: a reply, unless it only offers
/// ("let me know if there's anything I can do", "if you have any questions"); "let me know
/// if you'd like" waits on an offer (a weak purchase).
fn let_me_know(s: &Sent, k: usize) -> Option<Cue> {
    if !s.is(k, "if|whether") {
        return own_weak(AskKind::Reply);
    }
    if s.connecting(k, s.hi) {
        return None;
    }
    let a = k + 1;
    if s.is(
        a,
        "i|i'm|i'd|i've|there|there's|it|it's|that|that's|anything|this|we|we're|our|my|someone|anyone",
    ) {
        return None;
    }
    if s.is(a, "you") && s.is(a + 1, "need|have|want") && s.is(a + 2, "any|anything|me|help") {
        return None;
    }
    if s.is(a, "you'd") && s.is(a + 1, "like")
        || s.is(a, "you") && s.is(a + 1, "would|want|wanna")
        || s.is(a, "you're") && s.is(a + 1, "interested")
    {
        return own_weak(AskKind::Purchase);
    }
    own_weak(AskKind::Reply)
}

/// Whether "reply" or "say yes" at `i` tells them how to accept an offer
/// ("reply yes and I'll forward it", "simply say yes").
fn accepts_offer(s: &Sent, i: usize) -> bool {
    s.is(back(i, 1), "just|simply")
        || (i + 1..i + 5).any(|k| s.is(k, "and") && s.is(k + 1, "i'll|we'll|i"))
}

/// An advice noun at `i` ("your advice", "some pointers") asked for: after a
/// verb of getting or wanting, or in the asking clause of a question.
/// Not "learn from your feedback" or "I took your advice".
fn advice_noun(s: &Sent, i: usize) -> Option<Cue> {
    if s.is(back(i, 1), "any") || s.is(back(i, 2), "any") {
        return None;
    }
    let mut j = back(i, 1);
    let mut steps = 0;
    while steps < 3
        && s.is(
            j,
            "your|some|a|few|little|bit|of|quick|honest|brief|expert|candid",
        )
    {
        j = back(j, 1);
        steps += 1;
    }
    if s.is(
        j,
        "from|follow|following|took|followed|read|loved|enjoyed|shared|gave|offered",
    ) {
        return None;
    }
    let asking = s.is(
        j,
        "get|getting|have|hear|ask|asking|seek|seeking|want|need|love|like|welcome|appreciate|value|for|request|requesting|give",
    );
    if asking || s.question && i >= s.clause_start(s.hi - 1) {
        framed(AskKind::Advice)
    } else {
        None
    }
}

/// Words that negate what follows in their clause.
const NEGATORS: &[&str] = &[
    "no",
    "not",
    "never",
    "without",
    "nor",
    "don't",
    "doesn't",
    "didn't",
    "won't",
    "wouldn't",
    "isn't",
    "aren't",
    "can't",
    "cannot",
    "needn't",
    "shouldn't",
    "neither",
];

/// Whether the cue at `i` is negated: a negator up to six words back in its
/// clause ("no need to reply", "not asking for a referral", "you don't have
/// to answer"). "No worries", "not sure", "don't hesitate", "why not" and a
/// question opening with a negative ("Wouldn't a call help?") do not negate.
fn negated(s: &Sent, i: usize) -> bool {
    let from = s.clause_start(i).max(i.saturating_sub(6));
    let mut j = i;
    while j > from {
        j -= 1;
        let w = s.n(j);
        if w == "but" {
            return false;
        }
        if !s.has(j, NEGATOR) {
            continue;
        }
        let excused = match w {
            "no" => s.is(j + 1, "worries|worry|problem|problems|doubt|matter"),
            "not" => {
                s.is(j + 1, "sure|only|just|too|certain") || s.is(back(j, 1), "why|if|or|whether")
            }
            "don't" | "didn't" => s.is(j + 1, "hesitate|forget|mind"),
            "never" => s.is(j + 1, "hesitate"),
            "can't" | "cannot" => s.is(j + 1, "wait"),
            "won't" => s.is(j + 1, "you"),
            _ => false,
        };
        let asking_negative = s.question
            && j == s.clause_start(j)
            && matches!(
                w,
                "isn't" | "aren't" | "wouldn't" | "won't" | "don't" | "doesn't" | "can't"
            );
        if !excused && !asking_negative {
            return true;
        }
    }
    false
}

/// Whether the cue at `i` is thanked for, so already happened ("thanks for the
/// call", "thanks again for your referral"); "thanks in advance" still asks.
fn thanked(s: &Sent, i: usize) -> bool {
    let cs = s.clause_start(i);
    (cs..i).any(|j| {
        s.is(j, "thanks|thank|thx|grateful|gratitude")
            && !s.is(j + 1, "in")
            && !s.seq(j + 1, &["you", "in"])
    })
}

/// Whether the clause of `i` offers rather than asks: "happy to", "feel
/// free", "I can", "I'll", "if useful", "in case".
fn offered(s: &Sent, i: usize) -> bool {
    let (a, b) = (s.clause_start(i), s.clause_end(i));
    (a..b).any(|j| match s.n(j) {
        "happy" | "glad" | "delighted" => s.is(j + 1, "to") && !s.is(back(j, 1), "you|be"),
        "feel" => s.is(j + 1, "free"),
        "i" | "we" => s.is(j + 1, "can|could|will"),
        "i'll" | "we'll" | "offer" | "offering" => true,
        "if" => {
            s.is(j + 1, "useful|helpful|relevant|needed|valuable|interesting")
                || s.is(j + 1, "it|that|this") && s.is(j + 2, "helps|would|is|sounds")
                || s.is(j + 1, "it's|that's") && s.is(j + 2, "useful|helpful|relevant|of")
        }
        "in" => s.is(j + 1, "case"),
        _ => false,
    })
}

/// Imperative verbs that open a request ("Send me…", "Book a time…").
const IMPERATIVES: &[&str] = &[
    "send",
    "share",
    "drop",
    "tell",
    "give",
    "reply",
    "respond",
    "get",
    "book",
    "grab",
    "schedule",
    "pick",
    "sign",
    "try",
    "check",
    "click",
    "join",
    "email",
    "call",
    "text",
    "dm",
    "ping",
    "shoot",
    "hop",
    "jump",
    "refer",
    "introduce",
    "forward",
    "put",
    "pass",
    "consider",
    "review",
    "write",
    "buy",
    "order",
    "subscribe",
    "register",
    "start",
    "take",
    "find",
    "set",
    "meet",
    "mail",
    "whatsapp",
    "reach",
    "recommend",
    "spare",
    "vouch",
    "advise",
    "mentor",
];

/// Words that may come before an imperative: "please send", "just reply".
const LEADINS: &str = "please|kindly|just|also|so|and|then|but|or|now|maybe|perhaps|simply|pls";

/// The request frame that licenses the cue at `i`: the nearest marker before it
/// in its scope, a marker after it ("a call would be great"), or the asking
/// clause of a question. Returns the marker's word and whether it is firm
/// (a direct request, which an offer in the clause does not cancel).
fn licence(s: &Sent, i: usize) -> Option<(usize, bool)> {
    let mut j = i + 1;
    while j > s.lo {
        j -= 1;
        if let Some(firm) = marker_at(s, j) {
            return Some((j, firm));
        }
        // A new clause with its own subject ("…, and we run demos") is out of the marker's reach.
        if j < i && new_clause_subject(s, j) {
            break;
        }
    }
    let ce = s.clause_end(i);
    if (i + 1..ce).any(|k| {
        s.is(k, "would") && s.is(k + 1, "be|mean|help|make")
            || s.is(k, "appreciated|welcome|welcomed")
    }) {
        return Some((i, false));
    }
    if s.question && i >= s.clause_start(s.hi - 1) {
        return Some((s.clause_start(i), true));
    }
    None
}

/// Subjects that start a clause of their own.
const SUBJECTS: &str = "i|we|it|they|he|she|this|that|there|our|my|i'm|we're|it's|i've|we've|i'll|we'll|they're|here's|there's|you're|you've";

/// Whether word `j` opens a clause with its own subject.
fn new_clause_subject(s: &Sent, j: usize) -> bool {
    s.brk(j) && (s.is(j, SUBJECTS) || s.is(j, "and|but|so|then") && s.is(j + 1, SUBJECTS))
}

/// Verbs of wanting after "I'd" / "would".
const WISH_VERBS: &str = "love|like|appreciate|welcome|value|enjoy|prefer";
/// Adjectives of wanting after "I'd be" / "would be".
const WISH_ADJ: &str = "grateful|thankful|keen|honored|honoured|delighted|great|amazing|awesome|helpful|wonderful|nice|lovely|fantastic|appreciated|valuable|open|interested|curious";
/// Adverbs that may sit inside a wish: "I'd really love".
const WISH_ADV: &str = "really|also|so|truly|definitely|greatly|genuinely|still|very|much";
/// Availability words after "are you": "are you open to…".
const AVAIL: &str = "open|available|free|around|up|willing|able|interested|keen|game|down|in";

/// A request marker at word `j`, with whether it is firm.
fn marker_at(s: &Sent, j: usize) -> Option<bool> {
    if !s.usable(j) {
        return None;
    }
    let w = s.n(j);
    let wish = |k: usize| {
        s.is(k, WISH_VERBS)
            || s.is(k, "mean")
            || s.is(k, "be") && s.is(k + 1, WISH_ADJ)
            || s.is(k, WISH_ADV) && (s.is(k + 1, WISH_VERBS) || s.is(k + 1, "be"))
    };
    match w {
        "please" | "kindly" | "pls" | "plz" => (!s.is(
            j + 1,
            "feel|find|note|add|accept|excuse|ignore|disregard|don't|do|let",
        ))
        .then_some(true),
        "could" | "can" | "would" | "will" | "might" | "may" | "shall" | "should" => {
            if s.is(j + 1, "you|we|i|u|it|ya") {
                Some(true)
            } else if w == "would" && wish(j + 1) {
                Some(false)
            } else {
                None
            }
        }
        "i'd" | "we'd" => wish(j + 1).then_some(false),
        "need" => s.is(back(j, 1), "i|we|really").then_some(false),
        "hoping" => Some(false),
        "if" => (s.is(j + 1, "you")
            && s.is(
                j + 2,
                "could|would|can|have|had|get|are|were|happen|ever|find|got",
            )
            || s.is(j + 1, "you're|you'd")
                && s.is(j + 2, "open|free|around|available|up|ever|willing|able|be"))
        .then_some(false),
        "are" | "were" | "r" | "is" => {
            // "are you open to…", "is there any…".
            (s.is(j + 1, "you|u") && s.is(j + 2, AVAIL)
                || s.is(j + 1, "there") && s.is(j + 2, "any|a|an|someone|anyone"))
            .then_some(true)
        }
        "you" => (j == s.clause_start(j) && s.question && s.is(j + 1, AVAIL)).then_some(true),
        "open" => {
            (j == s.clause_start(j) || s.is(back(j, 1), "i'm|am|we're|are|be")).then_some(false)
        }
        "free" | "available" => (j == s.clause_start(j) && s.question).then_some(true),
        "do" | "did" => (s.is(j + 1, "you|u")
            && s.is(j + 2, "have|want|mind|think|fancy|happen|know|wanna|got"))
        .then_some(true),
        "any" => s.is(j + 1, "chance").then_some(true),
        "let's" | "lets" => Some(true),
        "let" => (s.is(j + 1, "us") || s.seq(j + 1, &["me", "know"])).then_some(true),
        "keen" | "eager" => s.is(j + 1, "to").then_some(false),
        "mind" => s
            .is(
                j + 1,
                "if|sharing|sending|introducing|referring|hopping|jumping|giving|passing",
            )
            .then_some(true),
        "want" | "wanna" => {
            (s.question && (j == s.clause_start(j) || s.is(back(j, 1), "you"))).then_some(true)
        }
        "worth" | "interested" => s.question.then_some(true),
        "how" | "what" => s.is(j + 1, "about").then_some(true),
        "looking" | "searching" => s.is(j + 1, "for").then_some(false),
        "seeking" | "ask" | "asking" | "request" | "requesting" => Some(false),
        _ => {
            // An imperative opens its clause (after "please", "just"…).
            if !s.has(j, IMPERATIVE) {
                return None;
            }
            let start = s.clause_start(j);
            let mut k = start;
            // "…, and put me in touch last week" continues a statement: a
            // conjunction leads into an imperative only at the message's start.
            let first = start <= s.content;
            while k < j && (s.is(k, LEADINS) && (first || !s.is(k, "and|but|so|then|or"))) {
                k += 1;
            }
            (k == j).then_some(true)
        }
    }
}

// ---------------------------------------------------------------------------
// References
// ---------------------------------------------------------------------------

/// Finds a sentence's references to the recipient, one per kind, and appends them to `out`.
fn sentence_refs(s: &Sent, out: &mut Vec<Reference>) {
    let mut seen = [false; 12];
    // A cue inside the phrase of the last reference is part of it
    // ("your work on Lumio's linter" is one reference).
    let mut covered = s.lo;
    for i in s.lo..s.hi {
        if i < covered || !s.has(i, REF_CUE | CAP) || !s.usable(i) {
            continue;
        }
        let found = if s.has(i, REF_CUE) {
            ref_cue(s, i)
        } else {
            cap_ref(s, i)
        };
        let Some((kind, a, b)) = found else {
            continue;
        };
        let b = b.min(s.hi - 1).max(a);
        covered = covered.max(b + 1);
        if !seen[kind as usize] {
            seen[kind as usize] = true;
            out.push(Reference {
                kind,
                start: s.words[a].start,
                end: s.words[b].end,
            });
        }
    }
}

/// How much context a head noun after "your" needs to be specific.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Need {
    /// Specific as it is: "your post", "your talk".
    Nothing,
    /// Needs what it is about: "your team at Lumio", "your path from X to Y".
    Topic,
    /// An opinion or body of work: needs a topic and an appreciating context
    /// ("I loved your take on X"), and is never the thing asked for.
    Opinion,
}

/// The reference kind of a head noun after "your", and what it needs.
fn ref_head(w: &str) -> Option<(RefKind, Need)> {
    use Need::*;
    use RefKind::*;
    Some(match w {
        "post" | "posts" | "comment" | "comments" | "thread" | "threads" | "tweet" | "tweets"
        | "video" | "videos" | "reel" | "carousel" | "poll" => (Post, Nothing),
        "update" | "updates" | "piece" | "writing" | "content" => (Post, Topic),
        "take" | "thoughts" | "point" | "points" | "insight" | "insights" | "thinking"
        | "perspective" | "perspectives" | "views" | "ideas" | "idea" | "opinion" => {
            (Post, Opinion)
        }
        "talk" | "talks" | "keynote" | "presentation" | "session" | "panel" | "webinar"
        | "podcast" | "episode" | "interview" | "lecture" | "demo" | "workshop" | "fireside"
        | "speech" => (Talk, Nothing),
        "article" | "articles" | "blog" | "newsletter" | "paper" | "papers" | "book" | "essay"
        | "write-up" | "writeup" | "whitepaper" | "study" | "column" | "substack" => {
            (Article, Nothing)
        }
        "research" | "report" | "guide" | "thesis" => (Article, Topic),
        "work" | "approach" | "expertise" | "experience" | "background" | "contributions"
        | "efforts" | "leadership" => (Work, Opinion),
        "interest" | "interests" | "focus" => (Work, Topic),
        "team" | "company" | "org" | "organization" | "organisation" | "firm" => (Company, Topic),
        "hires" | "growth" | "funding" | "round" | "raise" | "expansion" | "ipo"
        | "acquisition" => (Company, Nothing),
        "role" | "position" | "title" => (Role, Topic),
        "move" | "switch" | "transition" | "pivot" | "promotion" | "jump" | "relocation" => {
            (Move, Nothing)
        }
        "path" | "journey" | "career" => (Move, Topic),
        "event" | "conference" | "meetup" | "summit" | "hackathon" => (Event, Nothing),
        "group" | "community" | "chapter" | "club" | "slack" | "forum" | "discord" | "cohort" => {
            (Group, Nothing)
        }
        "project" | "projects" | "tool" | "library" | "toolkit" | "framework" | "launch"
        | "repo" | "initiative" | "open-source" | "package" | "sdk" => (Project, Nothing),
        "product" | "platform" | "system" | "app" | "program" | "programme" | "course" => {
            (Project, Topic)
        }
        _ => return None,
    })
}

/// Nouns that make the noun before them a modifier: "your product team".
const COMPOUND_TAIL: &[&str] = &[
    "team",
    "teams",
    "org",
    "strategy",
    "roadmap",
    "side",
    "page",
    "pages",
    "manager",
    "managers",
    "leader",
    "leaders",
    "people",
    "stack",
    "budget",
    "process",
    "processes",
    "hires",
    "path",
    "episode",
    "post",
    "series",
    "launch",
];

/// Words that show the writer noticed or valued something of theirs.
const APPRECIATE: &[&str] = &[
    "loved",
    "liked",
    "enjoyed",
    "read",
    "saw",
    "seen",
    "noticed",
    "appreciated",
    "admired",
    "admire",
    "following",
    "followed",
    "follow",
    "impressed",
    "inspired",
    "inspiring",
    "resonated",
    "watched",
    "heard",
    "valued",
    "found",
    "came",
    "caught",
    "stood",
    "enjoy",
    "love",
    "like",
    "great",
    "valuable",
    "helpful",
    "insightful",
    "spotted",
    "reading",
    "watching",
    "clarified",
    "learned",
    "highlights",
    "thanks",
    "thank",
    "admiring",
];

/// Words that show the writer noticed something about them or their company.
const NOTICE: &[&str] = &[
    "saw",
    "see",
    "seen",
    "noticed",
    "notice",
    "read",
    "heard",
    "hear",
    "following",
    "follow",
    "followed",
    "watching",
    "watched",
    "learning",
    "learned",
    "congrats",
    "congratulations",
    "impressed",
    "love",
    "loved",
    "admire",
    "admired",
    "came",
    "spotted",
    "tracking",
    "seeing",
];

/// Job titles: "fellow nurse manager" shares a role, "fellow climate folks" a field.
const JOB_TITLES: &[&str] = &[
    "leader",
    "leaders",
    "engineer",
    "engineers",
    "founder",
    "founders",
    "manager",
    "managers",
    "developer",
    "developers",
    "designer",
    "designers",
    "marketer",
    "marketers",
    "recruiter",
    "recruiters",
    "analyst",
    "analysts",
    "pm",
    "pms",
    "scientist",
    "scientists",
    "advisor",
    "advisors",
    "consultant",
    "consultants",
    "researcher",
    "researchers",
    "writer",
    "writers",
    "operator",
    "operators",
    "executive",
    "executives",
    "cto",
    "ceo",
    "cfo",
    "sdr",
    "sdrs",
    "seller",
    "sellers",
    "architect",
    "architects",
    "product",
    "director",
    "directors",
    "vp",
    "head",
    "lead",
    "leads",
    "teacher",
    "teachers",
    "nurse",
    "nurses",
    "lawyer",
    "lawyers",
];

/// Every word an arm of `ref_cue` matches. `ref_cue` only runs on these
/// words and on capitalised words: add a word here when adding an arm (the
/// tests catch a missing one).
const REF_WORDS: &[&str] = &[
    "alum",
    "alumna",
    "alumnae",
    "alumni",
    "alumnus",
    "alums",
    "bootcamp",
    "both",
    "chapter",
    "chatted",
    "chatting",
    "class",
    "classmate",
    "classmates",
    "club",
    "cohort",
    "college",
    "community",
    "company",
    "conference",
    "congrats",
    "congratulations",
    "discord",
    "event",
    "expo",
    "fellow",
    "live",
    "livestream",
    "panel",
    "field",
    "firm",
    "forum",
    "group",
    "guild",
    "hackathon",
    "industry",
    "introduce",
    "introduced",
    "kudos",
    "mater",
    "meeting",
    "meetup",
    "mentioned",
    "met",
    "mutual",
    "name",
    "offsite",
    "other",
    "our",
    "program",
    "programme",
    "recommended",
    "same",
    "school",
    "seeing",
    "slack",
    "space",
    "speaking",
    "spoke",
    "studied",
    "suggested",
    "summit",
    "talked",
    "talking",
    "team",
    "thank",
    "thanks",
    "told",
    "university",
    "webinar",
    "worked",
    "workshop",
    "you",
    "you're",
    "you've",
    "your",
];

/// The reference cue at word `i`: kind, first word and last word.
fn ref_cue(s: &Sent, i: usize) -> Option<(RefKind, usize, usize)> {
    use RefKind::*;
    let w = s.n(i);
    match w {
        "your" => your_ref(s, i),
        "you" | "you've" | "you're" => you_ref(s, i),
        "fellow" => fellow_ref(s, i),
        "alum" | "alumni" | "alumnus" | "alumna" | "alums" | "alumnae" | "classmate"
        | "classmates" => Some((School, i, i)),
        "mater" => s.is(back(i, 1), "alma").then_some((School, back(i, 1), i)),
        "both" => both_ref(s, i),
        "mutual" => s
            .is(
                i + 1,
                "connection|connections|friend|friends|contact|contacts|colleague|colleagues|acquaintance",
            )
            .then_some((Mutual, i, i + 1)),
        "introduce" => s
            .seq(i + 1, &["me|us", "to", "you"])
            .then_some((Mutual, back(i, 2).max(s.lo), i + 3)),
        "introduced" => (s.seq(i + 1, &["to", "you"])
            || s.is(i + 1, "by|through|via")
            || s.seq(i + 1, &["me|us", "to", "you"]))
        .then_some((Mutual, i, s.clause_end(i) - 1)),
        "suggested" | "recommended" | "mentioned" | "told" => {
            let third = s.has(back(i, 1), CAP) && !s.is(back(i, 1), "i") || s.is(back(i, 1), "he|she|they");
            let about_you = s.is(i + 1, "i|that|we|connecting|reaching|you|your")
                || s.seq(i + 1, &["me", "about", "you|your"]);
            (third && about_you).then_some((Mutual, back(i, 1), s.clause_end(i) - 1))
        }
        "name" => (s.is(back(i, 1), "your") && s.seq(i + 1, &["came", "up"]))
            .then_some((Mutual, back(i, 1), i + 2)),
        "met" | "meeting" | "seeing" | "speaking" | "chatting" | "talking" | "spoke" | "talked"
        | "chatted" => event_ref(s, i),
        "our" => s
            .is(
                i + 1,
                "conversation|chat|call|meeting|discussion|coffee|exchange|catch-up|talk",
            )
            .then_some((Event, i, i + 1)),
        "thanks" | "thank" => {
            let mut k = i + 1;
            while s.is(k, "you|again|so|much") {
                k += 1;
            }
            (s.is(k, "for")
                && s.is(k + 1, "the|our|today's|yesterday's")
                && s.is(
                    k + 2,
                    "conversation|chat|call|meeting|coffee|catch-up|session|discussion|intro|introduction",
                ))
            .then_some((Event, i, k + 2))
        }
        "worked" | "studied" => {
            // "when we worked at Acme", "we studied together"; not "the clients we worked with".
            let shared = s.is(back(i, 1), "both")
                || s.any(i + 1, i + 6, "together")
                || s.is(back(i, 1), "we") && s.is(i + 1, "at|together|alongside");
            let kind = if w == "worked" { Company } else { School };
            shared.then_some((kind, back(i, 1).min(i), s.clause_end(i) - 1))
        }
        "congrats" | "congratulations" | "kudos" => congrats_ref(s, i),
        "conference" | "summit" | "meetup" | "event" | "webinar" | "workshop" | "hackathon"
        | "expo" | "offsite" | "bootcamp" | "live" | "livestream" | "panel" => {
            if w == "live" && !s.is(back(i, 1), "linkedin") {
                return None;
            }
            // "this is Michelle from the XYZ networking event": where you met.
            let from = (s.clause_start(i)..i).any(|k| s.is(k, "from"))
                && s.any(s.lo, i, "this|it's|i'm|here");
            let shared = from
                || s.any(
                    s.lo,
                    s.hi,
                    "you|your|you're|you've|both|too|also|attended|enjoyed",
                )
                || s.is(back(i, 1), "same");
            (shared && !s.is(back(i, 1), "our|my|your")).then_some((Event, i, i))
        }
        "group" | "community" | "slack" | "forum" | "chapter" | "club" | "guild" | "discord"
        | "cohort" => (s.is(back(i, 1), "same")
            || !s.is(back(i, 1), "our|my|your") && s.any(s.lo, s.hi, "both|fellow|members|member"))
        .then_some((Group, i, i)),
        "same" => {
            let kind = match s.n(i + 1) {
                "school" | "university" | "college" | "program" | "programme" | "class" => School,
                "team" | "company" | "firm" => Company,
                "conference" | "event" | "summit" | "meetup" | "webinar" => Event,
                "group" | "community" | "industry" | "field" | "space" | "slack" => Group,
                _ => return None,
            };
            s.any(s.lo, s.hi, "we|both|you|us|we're|we've")
                .then_some((kind, i, i + 1))
        }
        "other" => {
            // "connect with other climate folks": a shared field.
            let connect = s.is(back(i, 1), "with")
                && s.is(back(i, 2), "connect|connecting|network|networking");
            if !connect {
                return None;
            }
            let end = (i + 1..(i + 4).min(s.hi))
                .take_while(|&k| !s.brk(k))
                .last()
                .unwrap_or(i);
            let kind = if s.any_in(i + 1, end + 1, JOB_TITLES) {
                Role
            } else {
                Group
            };
            Some((kind, i, end))
        }
        _ if s.has(i, CAP) => cap_ref(s, i),
        _ => None,
    }
}

/// "your" + a kind of thing of theirs: "your post on X", "your recent talk",
/// "your career path from X to Y", "your three new hires at Lumio".
fn your_ref(s: &Sent, i: usize) -> Option<(RefKind, usize, usize)> {
    let mut j = i + 1;
    let mut skipped = 0;
    while j < s.hi && skipped <= 3 && !s.brk(j) {
        let w = s.n(j);
        if let Some((kind, need)) = ref_head(w) {
            // "your product team": the first noun only qualifies the second.
            if s.has(j + 1, COMPOUND) || ref_head(s.n(j + 1)).is_some() && !s.brk(j + 1) {
                j += 1;
                skipped += 1;
                continue;
            }
            let topic = has_topic(s, j);
            let ok = match need {
                Need::Nothing => true,
                // "I saw your recent update": noticing makes it specific.
                Need::Topic => {
                    topic
                        || s.any(
                            s.clause_start(i),
                            i,
                            "saw|seen|noticed|read|heard|watched|spotted",
                        )
                }
                Need::Opinion => {
                    topic
                        && !s.question
                        && (s.any_flag(s.lo, i, APPRECIATING)
                            || i == s.clause_start(i)
                            || s.any_flag(j, s.clause_end(j), APPRECIATING))
                        && !wished(s, i)
                }
            };
            return ok.then(|| (kind, i, extend(s, j)));
        }
        if s.has(j, STOPWORD) {
            break;
        }
        j += 1;
        skipped += 1;
    }
    // "your three new hires at Lumio": something of theirs at a named company.
    if s.is(j, "at") && s.has(j + 1, CAP) {
        return Some((RefKind::Company, i, cap_run_end(s, j + 1)));
    }
    None
}

/// Whether "your" at `i` is the object of a wish ("I'd love your thoughts"):
/// asking for their view, not pointing at something they said.
fn wished(s: &Sent, i: usize) -> bool {
    s.is(back(i, 1), "love|like|appreciate|welcome|value|get|hear")
        && s.any(s.clause_start(i), i, "i'd|would|to|could|can")
}

/// Whether the head at `j` is followed by what it is about: a preposition and a content word.
fn has_topic(s: &Sent, j: usize) -> bool {
    s.has(j + 1, SPEC) && !s.brk(j + 1) && {
        let k = j + 2;
        k < s.hi && !s.brk(k) && (!s.has(k, STOPWORD) || s.is(k, "the|a|an") && k + 1 < s.hi)
    }
}

/// The last word of a reference whose head is at `j`: through its "on X" / "at Y" phrase.
fn extend(s: &Sent, j: usize) -> usize {
    if !s.has(j + 1, SPEC) || s.brk(j + 1) {
        return j;
    }
    phrase_end(s, j + 2, 8).unwrap_or(j)
}

/// The last word of the phrase after verb `j` (its object), at most eight words.
fn extend_obj(s: &Sent, j: usize) -> usize {
    phrase_end(s, j + 1, 8).unwrap_or(j)
}

/// Words after which a word in -ed is still part of a noun phrase ("on distributed systems").
const BEFORE_PARTICIPLE: &str = "on|about|in|at|around|for|from|into|with|the|a|an|of|to|and|your|their|its|re|regarding|how|more|less|most|well|highly|self|fully|newly|recently|being|get|getting";

/// The last word of a phrase from `first` (at most `limit` words), if any.
/// It stops at clause punctuation, at a word that starts a new clause
/// ("that", "and", "really"), at a verb in -ed after a noun ("lifetimes
/// cleared"), and after a name that follows a preposition ("at Lumio
/// handles…").
fn phrase_end(s: &Sent, first: usize, limit: usize) -> Option<usize> {
    let mut end = None;
    let mut named = false;
    let mut k = first;
    while k < s.hi && k < first + limit && !s.brk(k) && !s.has(k, ENDWORD) {
        if k > first && s.n(k).ends_with("ed") && !s.has(k, CAP) && !s.is(k - 1, BEFORE_PARTICIPLE)
        {
            break;
        }
        end = Some(k);
        // A place or employer ends the phrase: "your team at Lumio", not "…Lumio handles".
        if s.has(k, CAP) && !s.n(k).ends_with("'s") {
            named |= s.is(k - 1, "at|with|by");
            if named && !s.has(k + 1, CAP) {
                break;
            }
        }
        k += 1;
    }
    end
}

/// The last word of a run of capitalised words from `j`.
fn cap_run_end(s: &Sent, j: usize) -> usize {
    let mut k = j;
    while s.has(k + 1, CAP) && !s.brk(k + 1) {
        k += 1;
    }
    k
}

/// Verbs whose subject is the recipient and the kind of reference they make.
fn you_verb(w: &str) -> Option<RefKind> {
    use RefKind::*;
    Some(match w {
        "posted" | "wrote" | "shared" | "said" | "commented" | "mentioned" | "described"
        | "tweeted" | "argued" | "explained" | "noted" | "pointed" => Post,
        "spoke" | "presented" | "gave" | "keynoted" | "spoken" | "speaking" | "presenting" => Talk,
        "hosted" | "organized" | "organised" | "attended" | "hosting" | "organizing"
        | "organising" => Event,
        "moved" | "joined" | "switched" | "transitioned" | "started" | "pivoted" | "left"
        | "landed" | "moving" | "joining" | "starting" | "relocated" | "returned" => Move,
        "hiring" | "scaling" | "growing" | "expanding" | "raised" | "hired" | "scaled"
        | "grown" | "expanded" | "hire" | "scale" => Company,
        "working" | "work" | "researching" | "covering" | "cover" => Work,
        "lead" | "run" | "manage" | "head" | "recruit" | "oversee" | "teach" | "leading"
        | "running" | "heading" | "managing" | "recruiting" | "teaching" => Role,
        "built" | "launched" | "shipped" | "released" | "created" | "designed" | "open-sourced"
        | "launching" | "founded" | "co-founded" | "maintain" | "maintained" | "build"
        | "building" | "shipping" => Project,
        "published" | "written" | "authored" => Article,
        "studied" | "graduated" => School,
        _ => return None,
    })
}

/// Words before "you" that ask or suppose rather than tell: "do you lead…?", "if you moved…".
const YOU_ASKED_WORDS: &[&str] = &[
    "do", "did", "does", "could", "can", "would", "will", "are", "were", "have", "has", "should",
    "might", "may", "if", "whether", "thank", "thanks", "what",
];

/// Verbs before "you" that make it their object: "I'll keep you posted", "let you know".
const YOU_OBJECT_WORDS: &[&str] = &[
    "keep", "keeping", "kept", "let", "make", "made", "help", "helped", "get", "got", "want",
    "wanted", "tell", "told", "ask", "asked", "send", "sent", "give", "gave", "owe", "leave",
    "wish", "bring", "show", "showed", "remind", "reminded", "invite", "invited", "hold", "put",
    "found", "pay", "paid", "hear", "heard",
];

/// "you" + a verb of theirs: "you moved to Lumio", "you're hiring nurses",
/// "you've written about X"; or "you" as the one met: "met you at X".
fn you_ref(s: &Sent, i: usize) -> Option<(RefKind, usize, usize)> {
    use RefKind::*;
    let w = s.n(i);
    if w == "you" {
        if s.is(back(i, 1), "met|meeting|seeing|saw|see")
            && s.is(
                i + 1,
                "at|in|on|speak|present|during|last|yesterday|earlier|talk",
            )
        {
            let kind = if s.is(i + 1, "speak|present|talk") {
                Talk
            } else {
                Event
            };
            return Some((kind, back(i, 1), extend_obj(s, i)));
        }
        if s.is(back(i, 1), "heard|hearing|watched|watching") {
            return Some((Talk, back(i, 1), extend_obj(s, i)));
        }
    }
    // Asking them, not telling about them: "do you lead…?", "if you moved…";
    // "you" as an object: "I'll keep you posted", "let you know".
    // "what you said" after a noticing verb tells: "I saw what you said about X".
    let told = s.is(back(i, 1), "what")
        && s.is(
            back(i, 2),
            "saw|read|liked|loved|enjoyed|heard|noticed|appreciated",
        );
    if s.has(back(i, 1), YOU_ASKED | YOU_OBJECT) && !told {
        return None;
    }
    if s.question && i >= s.clause_start(s.hi - 1) {
        return None;
    }
    let mut j = i + 1;
    if w == "you" && s.is(j, "are|were|have|had") {
        j += 1;
    }
    let mut steps = 0;
    while steps < 2
        && s.is(
            j,
            "recently|just|also|previously|once|already|now|since|been|currently",
        )
    {
        j += 1;
        steps += 1;
    }
    let kind = you_verb(s.n(j))?;
    // "when you run pricing experiments" is a habit asked about, not a fact of their role.
    if kind == Role && s.is(back(i, 1), "when|whenever|while|once|as|how") {
        return None;
    }
    // "what you're building" is not specific; the -ing forms need "you're".
    let ing = s.n(j).ends_with("ing");
    if ing && !(w == "you're" || s.is(i + 1, "are|were")) {
        return None;
    }
    Some((kind, i, extend_obj(s, j)))
}

/// "fellow" + who: "fellow Michigan alum" (school), "fellow member" (group),
/// "fellow nurse manager" (role), "fellow climate folks" (field).
fn fellow_ref(s: &Sent, i: usize) -> Option<(RefKind, usize, usize)> {
    use RefKind::*;
    // "a research fellow at X" is a title, not shared ground.
    if s.is(back(i, 1), "a|the|research|senior|postdoctoral|visiting") && s.is(i + 1, "at|of|in") {
        return None;
    }
    let end = (i + 1..(i + 6).min(s.hi))
        .take_while(|&k| !s.brk(k) && !s.is(k, "here|and|who|with|i|i'm|would|-"))
        .last()?;
    let has = |alts: &str| s.any(i + 1, end + 1, alts);
    let kind = if has(
        "alum|alumni|alumnus|alumna|alums|grad|graduate|graduates|student|students|classmate|classmates|alumnae",
    ) {
        School
    } else if has("member|members") {
        Group
    } else if has("speaker|speakers|attendee|attendees|panelist|panelists") {
        Event
    } else if s.any_in(i + 1, end + 1, JOB_TITLES) {
        Role
    } else {
        Group
    };
    Some((kind, i, end))
}

/// "we both …" / "both of us …": what is shared, from the words after.
fn both_ref(s: &Sent, i: usize) -> Option<(RefKind, usize, usize)> {
    use RefKind::*;
    let start = if s.is(back(i, 1), "we|we're|we've|we'd") {
        back(i, 1)
    } else if s.is(back(i, 1), "are|were|have") && s.is(back(i, 2), "we") {
        back(i, 2)
    } else if s.seq(i + 1, &["of", "us"]) {
        i
    } else {
        return None;
    };
    let end = s.clause_end(i).min(i + 8);
    let has = |alts: &str| s.any(i + 1, end, alts);
    let kind = if has("know|knew|connected|connection|connections|follow|friends|contacts") {
        Mutual
    } else if has("studied|graduated|alum|alumni|alumnus|university|college|school|class") {
        School
    } else if has("attended|spoke|conference|summit|meetup|event|webinar|workshop|panel") {
        Event
    } else if has("work|worked|working|team|company") {
        Company
    } else {
        Group
    };
    Some((kind, start, end - 1))
}

/// "met", "speaking with you", "when we spoke": a shared occasion.
fn event_ref(s: &Sent, i: usize) -> Option<(RefKind, usize, usize)> {
    let w = s.n(i);
    let hit = match w {
        "met" => s.is(back(i, 1), "we|i|have|had|we've|i've") || s.is(i + 1, "you|at|during|last"),
        "meeting" | "seeing" => {
            s.is(i + 1, "you")
                && (s.is(
                    back(i, 1),
                    "great|nice|good|pleasure|enjoyed|lovely|since|after|from|wonderful",
                ) || s.is(i + 2, "at|yesterday|last|earlier|today|during|in|on"))
        }
        "speaking" | "chatting" | "talking" => {
            s.is(i + 1, "with|to") && s.is(i + 2, "you")
                // "I enjoyed chatting about X": a conversation you had together.
                || s.is(back(i, 1), "enjoyed|loved|enjoy|love|appreciated")
        }
        _ => s.is(back(i, 1), "we") || s.is(i + 1, "with|to") && s.is(i + 2, "you"),
    };
    let start = if s.is(back(i, 1), "we") {
        back(i, 1)
    } else {
        i
    };
    hit.then(|| (RefKind::Event, start, extend_obj(s, i)))
}

/// "congrats on the new role" (a move), "… on the launch" (a project),
/// "… on the growth" (their company).
fn congrats_ref(s: &Sent, i: usize) -> Option<(RefKind, usize, usize)> {
    use RefKind::*;
    let on = (i + 1..(i + 6).min(s.hi)).find(|&k| s.is(k, "on") && !s.brk(k))?;
    let end = s.clause_end(on);
    let has = |alts: &str| s.any(on + 1, end, alts);
    let kind = if has("new") && has("role|job|position|gig|chapter|title")
        || has("promotion|move|switch|transition|joining")
    {
        Move
    } else if has("launch|release|product|shipping|ship|beta") {
        Project
    } else if has(
        "funding|round|raise|series|acquisition|ipo|growth|expansion|milestone|anniversary|hiring|hires",
    ) {
        Company
    } else if has("book|paper|article|newsletter|publication") {
        Article
    } else if has("talk|keynote|panel|podcast|episode|session") {
        Talk
    } else {
        Work
    };
    Some((kind, i, end - 1))
}

/// A capitalised name with news or work of theirs, in a sentence that
/// notices it: "I noticed Halvorsen Freight is expanding into Poland",
/// "learning from how Lumio has scaled", "following Lumio's work on X".
/// A name alone, or one that does something ordinary ("Lumio is using it"), is not.
fn cap_ref(s: &Sent, i: usize) -> Option<(RefKind, usize, usize)> {
    use RefKind::*;
    // Only the first word of a run, and never the opening word of a clause
    // (where any word is capitalised).
    if i == s.clause_start(i) || s.has(back(i, 1), CAP) && !s.brk(i) || s.has(i, STOPWORD) {
        return None;
    }
    if s.first_notice() >= i {
        return None;
    }
    let end = cap_run_end(s, i);
    let last = s.n(end);
    if last.ends_with("'s") {
        let mut j = end + 1;
        while j < (end + 3).min(s.hi) && !s.brk(j) && ref_head(s.n(j)).is_none() {
            j += 1;
        }
        let kind = match s.n(j) {
            "work" | "approach" | "research" => Work,
            "team" | "growth" | "expansion" | "hiring" | "funding" | "round" => Company,
            "launch" | "product" | "platform" | "system" | "toolkit" | "library" | "project"
            | "tool" | "app" | "open-source" | "framework" => Project,
            _ => return None,
        };
        return Some((kind, i, extend(s, j)));
    }
    let mut k = end + 1;
    if !s.is(k, "is|has|'s|was|just|recently|have|are") {
        return None;
    }
    while s.is(k, "is|has|'s|was|just|recently|have|are|been|now|currently") {
        k += 1;
    }
    let news = s.is(
        k,
        "hiring|scaling|building|expanding|growing|raised|launched|announced|opened|acquired|scaled|grown|shipped|released|rolling|hired|expanded|an|a|openings|opening|doubled|tripled|moving|investing|launching|rebuilding|adding",
    );
    news.then(|| (Company, i, extend_obj(s, k)))
}

// ---------------------------------------------------------------------------
// Reason
// ---------------------------------------------------------------------------

/// Verbs of purpose after connecting: "connect and learn", "connect to swap notes".
const PURPOSE: &[&str] = &[
    "follow",
    "learn",
    "stay",
    "keep",
    "exchange",
    "share",
    "swap",
    "compare",
    "discuss",
    "chat",
    "hear",
    "continue",
    "collaborate",
    "explore",
    "trade",
    "talk",
    "see",
    "catch",
    "support",
    "brainstorm",
    "understand",
    "build",
    "partner",
    "help",
    "introduce",
    "ask",
    "bounce",
    "cheer",
    "celebrate",
    "reconnect",
    "work",
];

/// What ideas are called when they are traded: "exchange notes", "share insights".
const IDEAS: &str = "ideas|notes|thoughts|insights|perspectives|experiences|tips|best|lessons|learnings|stories|war|playbooks|approaches|knowledge|views|practices|resources|expertise";

/// Things a sender makes to give away: "I just wrote a guide".
const ARTIFACTS: &[&str] = &[
    "report",
    "guide",
    "write-up",
    "writeup",
    "case",
    "playbook",
    "checklist",
    "template",
    "analysis",
    "breakdown",
    "study",
    "deck",
    "resource",
    "article",
    "benchmark",
    "dataset",
    "whitepaper",
    "list",
    "survey",
    "ebook",
    "e-book",
    "toolkit",
    "framework",
];

/// Whether a sentence states why the note is written.
fn gives_reason(s: &Sent, asks: &[Ask], has_ref: bool) -> bool {
    let mut connect = false;
    for i in s.lo..s.hi {
        if !s.usable(i) {
            continue;
        }
        connect |= s.has(i, CONNECTING);
        if s.has(i, REASON_CUE) && reason_cue(s, i) {
            return true;
        }
    }
    // "Spotted your launch post and wanted to connect": the reference is the reason.
    if connect && has_ref {
        return true;
    }
    // A question about them is a reason in itself.
    asks.iter()
        .any(|a| a.kind == AskKind::Question || s.question && matches!(a.kind, AskKind::Advice))
}

/// Every word an arm of `reason_cue` matches. `reason_cue` only runs on
/// these words: add a word here when adding an arm (the
/// tests catch a missing one).
const REASON_WORDS: &[&str] = &[
    "adopted",
    "applied",
    "as",
    "attention",
    "because",
    "hiring",
    "recruiting",
    "mind",
    "radar",
    "borrowed",
    "both",
    "breaking",
    "build",
    "built",
    "catch",
    "catch-up",
    "collaborate",
    "collaborating",
    "collaboration",
    "compare",
    "comparing",
    "compiled",
    "connect",
    "connected",
    "connecting",
    "continue",
    "continuing",
    "cover",
    "created",
    "curious",
    "design",
    "discussed",
    "discussing",
    "exchange",
    "exchanging",
    "excited",
    "exploring",
    "fellow",
    "finished",
    "fit",
    "focused",
    "focusing",
    "follow",
    "followed",
    "following",
    "glad",
    "happy",
    "have",
    "head",
    "hear",
    "implemented",
    "interested",
    "keep",
    "keeping",
    "lead",
    "learn",
    "learned",
    "learning",
    "looking",
    "made",
    "manage",
    "match",
    "moving",
    "mutual",
    "oversee",
    "own",
    "passionate",
    "pivoting",
    "published",
    "put",
    "reaching",
    "reason",
    "reconnect",
    "reconnecting",
    "recorded",
    "recruit",
    "released",
    "reminded",
    "research",
    "resonate",
    "resonated",
    "resonates",
    "run",
    "same",
    "share",
    "shared",
    "sharing",
    "shifting",
    "similar",
    "since",
    "specialise",
    "specialising",
    "specialize",
    "specializing",
    "stay",
    "staying",
    "study",
    "swap",
    "swapping",
    "switching",
    "teach",
    "thank",
    "thanks",
    "thought",
    "trade",
    "trading",
    "transitioning",
    "tried",
    "used",
    "using",
    "wanted",
    "why",
    "work",
    "working",
    "writing",
    "wrote",
];

/// Whether the word at `i` opens a statement of reason.
fn reason_cue(s: &Sent, i: usize) -> bool {
    let w = s.n(i);
    match w {
        "because" => true,
        "since" => s.seq(i + 1, &["we|we're", "both|share|work|are"]),
        "reaching" | "writing" => {
            s.is(i + 1, "out")
                && (s.is(i + 2, "because|as|since|about|regarding|after|re|given|on|following")
                    || s.is(i + 2, "to") && s.in_list(i + 3, PURPOSE))
        }
        "reason" => s.is(back(i, 1), "the|my|one"),
        "connect" | "connecting" | "reconnect" | "reconnecting" | "connected" => {
            connect_purpose(s, i)
        }
        "learn" | "learning" | "learned" => {
            s.is(i + 1, "from|more|how|about|what|why|the|your|a|with")
        }
        "follow" | "following" | "followed" => {
            if s.is(i + 1, "up") {
                s.is(i + 2, "on|about|after|from|regarding|re")
            } else {
                s.is(i + 1, "your|along|more|you|the|how")
                    || s.is(back(i, 1), "been|i|i've|i'll|to|closely")
            }
        }
        "stay" | "keep" | "staying" | "keeping" => {
            s.seq(i + 1, &["in", "touch"])
                || s.is(i + 1, "connected|updated|seeing|following|learning|track")
                || s.seq(i + 1, &["up", "with"])
                || s.seq(i + 1, &["on", "your"])
        }
        "exchange" | "swap" | "compare" | "trade" | "share" | "sharing" | "exchanging"
        | "swapping" | "comparing" | "trading" => {
            s.is(i + 1, IDEAS)
                || s.is(i + 1, "some|our|a|few|more|any|war|best")
                    && (s.is(i + 2, IDEAS) || s.is(i + 3, IDEAS))
        }
        "continue" | "continuing" => {
            s.is(i + 1, "the|our")
                && s.is(i + 2, "conversation|discussion|dialogue|chat|exchange")
        }
        "catch" => s.is(i + 1, "up"),
        "catch-up" | "collaborate" | "collaborating" | "collaboration" | "curious"
        | "fellow" => true,
        // "resonated with what we see" is shared ground; "it really resonated" only praise.
        "resonated" | "resonates" | "resonate" => {
            s.is(i + 1, "with") && s.is(i + 2, "my|me|us|our|what|how|something|a|the")
        }
        "hear" => s.is(i + 1, "how|what|about|more|your|why|whether"),
        "interested" | "passionate" | "excited" => {
            s.is(i + 1, "in|about|by")
                && s.is(
                    back(i, 1),
                    "i'm|am|i|really|very|also|been|genuinely|particularly|especially|most|always|so|deeply|we're",
                )
        }
        "mutual" => s.is(
            i + 1,
            "interest|interests|connection|connections|friend|friends|contact",
        ),
        "shared" => s.is(
            i + 1,
            "interest|interests|passion|background|experience|challenge|challenges|love|focus|goal",
        ),
        "similar" | "same" => s.is(
            i + 1,
            "problem|problems|challenge|challenges|issue|issues|work|role|path|background|experience|space|field|industry|team|journey|school|interest|interests|questions|goals",
        ),
        "both" => s.is(back(i, 1), "we|we're|we've") || s.seq(i + 1, &["of", "us"]),
        "work" | "working" => {
            s.is(back(i, 1), "i|we|also|currently")
                && s.is(i + 1, "in|on|with|at|as|across|closely|for")
                || w == "working" && s.is(i + 1, "on|in|with") && s.first_singular()
        }
        "focused" | "focusing" | "specialize" | "specializing" | "specialise"
        | "specialising" => s.first_singular(),
        "exploring" | "transitioning" | "moving" | "pivoting" | "switching" | "breaking"
        | "shifting" => {
            s.is(back(i, 1), "i'm|am|been|currently|i|also|i've|now")
                && !s.is(i + 1, "on|forward|fast")
                // "a designer moving into product": a career move of the sender's.
                || s.is(i + 1, "into") && s.first_singular()
        }
        "looking" => s.is(i + 1, "to") && s.is(back(i, 1), "i'm|am|always|currently|been|also|we're"),
        "thought" => s.is(i + 1, "of|you|this|it|i'd|that|about|you'd"),
        "reminded" => s.is(i + 1, "me"),
        "happy" | "glad" => {
            s.is(i + 1, "to")
                && s.is(
                    i + 2,
                    "share|send|help|show|introduce|pass|offer|swap|trade|compare",
                )
        }
        "wanted" => {
            s.is(i + 1, "to")
                && s.is(
                    i + 2,
                    "share|ask|reach|say|introduce|learn|pass|thank|flag|send|congratulate",
                )
        }
        "thanks" | "thank" => {
            let mut k = i + 1;
            while s.is(k, "you|again|so|much") {
                k += 1;
            }
            s.is(k, "for")
                && (s.is(
                    k + 1,
                    "the|your|our|today's|yesterday's|sharing|taking|all|that|this",
                ) && !s.is(k + 2, "connection|invite|invitation|add|accept|request|follow")
                    || s.is(k + 1, "sharing|taking|speaking|hosting"))
        }
        "have" | "finished" | "wrote" | "built" | "put" | "created" | "published" | "made"
        | "compiled" | "released" | "recorded" => {
            s.is(back(i, 1), "i|i've|we|we've|just|recently|also")
                && s.any_in(i + 1, i + 6, ARTIFACTS)
        }
        "why" => s.is(i + 1, "i'm|i|i've"),
        // The sender's own domain: "I run a small bakery", "I lead a data team".
        "run" | "lead" | "manage" | "head" | "own" | "teach" | "study" | "research" | "cover"
        | "oversee" | "design" | "recruit" | "build" => {
            s.is(back(i, 1), "i|also|currently") && !s.is(i + 1, "into|out|across|over")
        }
        // Their idea put to use: "we tried it with my team", "I've been using your library".
        "tried" | "applied" | "implemented" | "adopted" | "used" | "using" | "borrowed" => {
            s.is(back(i, 1), "i|we|i've|we've|been|just|also|already")
                && s.is(i + 1, "it|this|that|your|the|those|these")
        }
        "attention" => s.is(back(i, 1), "paying|paid|pay"),
        // A recruiter's reason: "I'm a recruiter at Contoso hiring engineers".
        "hiring" | "recruiting" => {
            s.is(back(i, 1), "i'm|we're|am|are|currently|actively|also")
                || s.has(back(i, 1), CAP) && (s.first_singular() || s.any(s.lo, i, "we|we're|our"))
        }
        // "glad to be on your radar", "keep me in mind for": a candidate's reason.
        "radar" => s.is(back(i, 1), "your|the"),
        "mind" => s.is(back(i, 1), "in") && s.is(back(i, 2), "me|us"),
        "as" => {
            s.is(i + 1, "discussed|promised|mentioned|requested")
                || s.seq(i + 1, &["we|you", "discussed"])
                || s.is(i + 1, "a|an") && s.any(i + 2, i + 7, "myself|too|also")
        }
        "discussed" | "discussing" => s.is(back(i, 1), "as|were|we|we've|i"),
        "match" | "fit" => s.is(back(i, 1), "strong|great|good|natural|perfect|close"),
        _ => false,
    }
}

/// "connect" + a purpose: "connect and follow your writing", "connecting to
/// swap notes", "connect with other climate folks", "connect over our shared…".
/// Not "connect with you", "connect on LinkedIn", "connect and grow my network".
fn connect_purpose(s: &Sent, i: usize) -> bool {
    if s.is(i + 1, "with") && s.is(i + 2, "other|fellow|more|like-minded|others|people|folks") {
        return true;
    }
    if s.is(i + 1, "over|around") {
        return true;
    }
    // "…connect here, since a contract role on my team may suit you".
    if (i + 1..(i + 5).min(s.hi)).any(|k| {
        s.is(k, "as|since|because") && (k == i + 1 || s.brk(k)) || s.seq(k, &["in", "case"])
    }) {
        return true;
    }
    let end = s.clause_end(i).min(i + 6);
    (i + 1..end).any(|k| s.in_list(k, PURPOSE) && !s.is(k + 1, "my|me"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Splits `text` as the host does (`note::segment`).
    fn split(text: &str) -> (Vec<(usize, usize, String)>, Vec<SentenceRef>) {
        let words = crate::note::segment::words(text, 0)
            .into_iter()
            .map(|w| (w.span.start, w.span.end, w.norm))
            .collect();
        let sentences = crate::note::segment::sentences(text, 0)
            .into_iter()
            .map(|s| SentenceRef {
                start: s.span.start,
                end: s.span.end,
                question: s.question,
            })
            .collect();
        (words, sentences)
    }

    fn facts(text: &str) -> Facts {
        let (owned, sentences) = split(text);
        let words: Vec<WordRef> = owned
            .iter()
            .map(|(s, e, n)| WordRef {
                start: *s,
                end: *e,
                norm: n,
            })
            .collect();
        let facts = extract(text, &words, &sentences);
        // Every test also checks the cue-word gate: running every matcher on
        // every word must find the same facts.
        assert_eq!(
            extract_with(text, &words, &sentences, false),
            facts,
            "a match arm's word is missing from its *_WORDS list: {text:?}"
        );
        facts
    }

    /// The ask kinds of `text`, in order.
    fn asks(text: &str) -> Vec<AskKind> {
        facts(text).asks.iter().map(|a| a.kind).collect()
    }

    #[test]
    fn a_reference_is_the_reason_whichever_sentence_connects() {
        assert_eq!(
            reason(
                "Your thread on flaky tests saved my team hours. Thank you! Would love to connect."
            ),
            Some("Would love to connect.")
        );
        assert_eq!(
            reason("I'm a recruiter at Contoso hiring backend engineers in Austin."),
            Some("I'm a recruiter at Contoso hiring backend engineers in Austin.")
        );
        assert_eq!(reason("Hi, would love to connect."), None);
    }

    #[test]
    fn two_requests_in_one_sentence_are_two_asks() {
        use AskKind::*;
        assert_eq!(
            asks("Could you review my data model and also introduce me to your analytics lead?"),
            [Question, Referral]
        );
        assert_eq!(
            asks("Could you recommend a first project, and would you be open to a short chat?"),
            [Question, Call]
        );
        // One request with two objects is one ask.
        assert_eq!(asks("Could you share the deck and the notes?"), [Question]);
    }

    #[test]
    fn a_bare_command_is_an_ask() {
        assert_eq!(
            asks("Tom. Send the pricing deck. Need it today."),
            [AskKind::Favor]
        );
        assert_eq!(asks("Please send me your slides."), [AskKind::Favor]);
        assert!(asks("Please add me to your network.").is_empty());
    }

    /// The reference kinds of `text`, in order.
    fn refs(text: &str) -> Vec<RefKind> {
        facts(text).references.iter().map(|r| r.kind).collect()
    }

    /// The sentence given as the reason, if any.
    fn reason(text: &str) -> Option<&str> {
        facts(text).reason.map(|(a, b)| &text[a..b])
    }

    use AskKind as A;
    use RefKind as R;

    // --- asks: positives and tricky negatives for every kind ---

    #[test]
    fn call_asks() {
        assert_eq!(
            asks("Hi Marta, could we jump on a short call before Friday?"),
            [A::Call]
        );
        assert_eq!(
            asks("Would you be up for a 20-minute chat sometime in May?"),
            [A::Call]
        );
        assert_eq!(
            asks("Do you have 10 minutes on Tuesday afternoon?"),
            [A::Call]
        );
        assert_eq!(
            asks("I'd love to talk with you about search relevance."),
            [A::Call]
        );
        assert_eq!(
            asks("Open to a virtual catch-up once the quarter settles?"),
            [A::Call]
        );
        // Their talk, a past conversation, calls as a topic, an offer, chatting after connecting.
        assert!(
            asks("Your 25-minute talk on query planners changed how I index tables.").is_empty()
        );
        assert!(asks("Thanks again for the chat on Monday, it cleared a lot up.").is_empty());
        assert!(asks("Most support teams log hundreds of inbound calls a week.").is_empty());
        assert!(asks("Happy to jump on a call if that would help.").is_empty());
        assert!(asks("Keen to connect and chat more about warehouse automation.").is_empty());
        assert!(asks("Really enjoyed speaking with you after the panel.").is_empty());
    }

    #[test]
    fn meeting_asks() {
        assert_eq!(
            asks("Would love to grab a coffee next time you're in Lisbon."),
            [A::Meeting]
        );
        assert_eq!(asks("Want a short demo of the dashboard?"), [A::Meeting]);
        assert_eq!(
            asks("Grab any slot that suits you: https://calendly.com/jo-lee/intro"),
            [A::Meeting]
        );
        assert_eq!(
            asks("Could we meet for half an hour while I'm in Denver?"),
            [A::Meeting]
        );
        assert_eq!(
            asks("Want to see how a clinic like yours set it up?"),
            [A::Meeting]
        );
        // Their demo, demo videos, a pleasantry, meeting deadlines, an offer to show.
        assert!(asks("I loved your demo of the schema diff tool at PyCon.").is_empty());
        assert!(asks("The demo videos from our launch are on my profile.").is_empty());
        assert!(asks("It was lovely to meet you at the climate summit.").is_empty());
        assert!(asks("Our planner helps crews meet their deadlines.").is_empty());
        assert!(asks("Glad to show you around the tool if it helps.").is_empty());
    }

    #[test]
    fn time_asks() {
        assert_eq!(
            asks("Could I borrow a few minutes of your time next week?"),
            [A::Time]
        );
        assert_eq!(
            asks("Could you spare ten minutes for a student?"),
            [A::Time]
        );
        // Respecting or thanking for their time asks nothing.
        assert!(asks("I know your time is valuable, so I'll keep this short.").is_empty());
        assert!(asks("Thanks for taking the time to read my note.").is_empty());
        assert!(asks("I won't take much of your time.").is_empty());
    }

    #[test]
    fn referral_asks() {
        assert_eq!(
            asks("Could you refer me for the platform engineer opening?"),
            [A::Referral]
        );
        assert_eq!(
            asks("Could you introduce me to someone on the payments team?"),
            [A::Referral]
        );
        assert_eq!(asks("Would you put in a good word for me?"), [A::Referral]);
        assert_eq!(
            asks("Would you be willing to refer me? A referral from you would mean a lot."),
            [A::Referral, A::Referral]
        );
        // Being introduced, an offer to introduce them, thanks for a past referral, a negation.
        assert!(asks("Marco introduced us last week, so hello!").is_empty());
        assert!(asks("Marco offered to introduce me to you after the workshop.").is_empty());
        assert!(
            asks("Thanks again for referring me to the Halvorsen team last spring.").is_empty()
        );
        assert!(asks("I'm not asking for a referral, just for your perspective.").is_empty());
        assert!(asks("A colleague referred me to your talk on caching.").is_empty());
    }

    #[test]
    fn job_asks() {
        assert_eq!(
            asks("Do you have any openings for mobile developers?"),
            [A::Job]
        );
        assert_eq!(asks("Is your design team hiring this year?"), [A::Job]);
        assert_eq!(
            asks("Please consider me for the junior designer role."),
            [A::Job]
        );
        assert_eq!(
            asks("I'm interested in any backend roles on your team."),
            [A::Job]
        );
        assert_eq!(
            asks("Is there a role in your group that would fit my experience?"),
            [A::Job]
        );
        assert_eq!(asks("Happy to send you my CV."), [A::Job]);
        // Noticing they hire, naming a role focus, opening remarks, a negation.
        assert!(asks("Saw you're hiring two nurses for the night shift.").is_empty());
        assert!(asks("I noticed Halvorsen has an opening for a data analyst.").is_empty());
        assert!(asks("I'm exploring roles in climate tech and would like to connect.").is_empty());
        assert!(asks("I'm interested in the opening remarks you made at the summit.").is_empty());
        assert!(asks("I'm not looking for a job, just learning from your path.").is_empty());
    }

    #[test]
    fn contact_asks() {
        assert_eq!(asks("Could you send me your email address?"), [A::Contact]);
        assert_eq!(asks("What's your phone number?"), [A::Contact]);
        assert_eq!(asks("Can we exchange numbers?"), [A::Contact]);
        assert_eq!(
            asks("What's the best way to reach you off LinkedIn?"),
            [A::Contact]
        );
        // Their newsletter, their number-one reader, sending to their address.
        assert_eq!(
            asks("Could you share your email newsletter archive?"),
            [A::Question]
        );
        assert!(asks("Count me as your number one reader.").is_empty());
        assert_eq!(
            asks("Would it be okay if I sent the deck to your work email?"),
            [A::Question]
        );
    }

    #[test]
    fn reply_asks() {
        assert_eq!(
            asks("Curious what you make of it, so do let me know."),
            [A::Reply]
        );
        assert_eq!(
            asks("Looking forward to hearing back from you."),
            [A::Reply]
        );
        assert_eq!(asks("Please get back to me by Friday."), [A::Reply]);
        assert_eq!(asks("Thoughts?"), [A::Reply]);
        // Negated, an offer, looking forward to connecting.
        assert!(asks("No need to reply, I just wanted to say thanks.").is_empty());
        assert!(
            asks("You don't need to respond or book anything, I mainly wanted to connect.")
                .is_empty()
        );
        assert!(asks("Do let me know if there's anything I can do in return.").is_empty());
        assert!(asks("Looking forward to connecting!").is_empty());
    }

    #[test]
    fn purchase_asks() {
        assert_eq!(asks("Want the checklist?"), [A::Purchase]);
        assert_eq!(
            asks("I put together a free guide on churn. Interested?"),
            [A::Purchase]
        );
        assert_eq!(
            asks("Would you be open to trying our platform?"),
            [A::Purchase]
        );
        assert_eq!(asks("Sign up for the beta here."), [A::Purchase]);
        // The acceptance that follows an offer is the same ask.
        assert_eq!(
            asks("Want a copy? Simply say yes and I'll email it over."),
            [A::Purchase]
        );
        // An offer with no ask, buying in the past, a pitch with no ask, connecting.
        assert!(asks("Glad to pass it along if helpful.").is_empty());
        assert!(asks("I bought your book last year and loved it.").is_empty());
        assert!(asks("Our scheduler halves the time crews spend on rosters.").is_empty());
        assert!(asks("Would you like to connect?").is_empty());
    }

    #[test]
    fn advice_asks() {
        assert_eq!(
            asks("Could I pick your brain on grant writing?"),
            [A::Advice]
        );
        assert_eq!(asks("Any tips for a first-time manager?"), [A::Advice]);
        assert_eq!(
            asks("I'd appreciate your advice on breaking into PM."),
            [A::Advice]
        );
        // A brain-picking for a few minutes is still advice.
        assert_eq!(
            asks("Could I pick your brains for 15 minutes?"),
            [A::Advice]
        );
        // Advice taken or thanked for, learning from their tips, picking up papers.
        assert!(asks("I followed your advice and rewrote my portfolio.").is_empty());
        assert!(asks("I really appreciated your advice about pricing pilots.").is_empty());
        assert!(asks("Keen to connect and learn a lot from your tips on hiring.").is_empty());
        assert!(asks("I pick up new brain imaging papers every week.").is_empty());
    }

    #[test]
    fn question_asks() {
        assert_eq!(
            asks(
                "Thanks for connecting, Tomas. When you review a pull request, do you start with the tests?"
            ),
            [A::Question]
        );
        assert_eq!(
            asks("Hi Ines, what surprised you most after moving into sales?"),
            [A::Question]
        );
        // A pleasantry, asking to connect, the second half of one question.
        assert!(asks("Hi Sam, how are you?").is_empty());
        assert!(asks("Noticed you're growing the Porto office - worth connecting?").is_empty());
        assert_eq!(
            asks("Wrong moment? Or just not relevant for your team?"),
            [A::Question]
        );
        // A quoted question is not the note's question.
        assert!(asks("I almost wrote \"Can we hop on a quick call?\"").is_empty());
    }

    #[test]
    fn one_ask_per_request() {
        // A question asking for a call is one Call ask.
        assert_eq!(asks("Could we hop on a quick 15-minute call?"), [A::Call]);
        // A chat to get pointers is one request.
        assert_eq!(
            asks("I'd like a short call to get a few pointers on grant applications."),
            [A::Call]
        );
        // "Let me know" with a call is the call.
        assert_eq!(
            asks("Let me know if you're free for a quick chat."),
            [A::Call]
        );
        // Different requests in different sentences are different asks.
        assert_eq!(
            asks(
                "Could you send over the slides? Can you intro me to your CTO? Would you be open to a call?"
            ),
            [A::Question, A::Referral, A::Call]
        );
    }

    #[test]
    fn ask_spans_start_at_the_asking_clause() {
        let t = "Hi Omar, do you have any openings for QA engineers in Leeds?";
        let f = facts(t);
        assert_eq!(
            &t[f.asks[0].start..f.asks[0].end],
            "do you have any openings for QA engineers in Leeds?"
        );
        let t = "Quick question: Are you still running the mentoring circle?";
        let f = facts(t);
        assert_eq!(
            &t[f.asks[0].start..f.asks[0].end],
            "Are you still running the mentoring circle?"
        );
    }

    // --- references ---

    #[test]
    fn post_talk_article_refs() {
        assert_eq!(
            refs("Your post on flaky test suites was spot on."),
            [R::Post]
        );
        assert_eq!(refs("I loved your take on onboarding emails."), [R::Post]);
        assert_eq!(
            refs("I caught your talk at DevOpsDays Oslo last month."),
            [R::Talk]
        );
        assert_eq!(
            refs("I read your article about cold-chain logistics."),
            [R::Article]
        );
        // Asking for their view, generic praise, the sender's own talk and article.
        assert!(refs("I'd love your thoughts on pricing pages.").is_empty());
        assert!(refs("Great insights!").is_empty());
        assert!(refs("What are your thoughts on usage pricing?").is_empty());
        assert!(refs("I'm giving a talk at a local meetup next week.").is_empty());
        assert!(refs("I wrote an article about pricing last year.").is_empty());
    }

    #[test]
    fn work_project_refs() {
        assert_eq!(
            refs("I came across your work on the open-source accessibility linter."),
            [R::Work]
        );
        assert_eq!(
            refs("I've been using your library for a year."),
            [R::Project]
        );
        assert_eq!(
            refs("I've been following Halvorsen's work on its routing engine."),
            [R::Work]
        );
        // Work with no topic, what they build in general, the sender's own library.
        assert!(refs("I admire your work.").is_empty());
        assert!(refs("Excited to watch what you're building next.").is_empty());
        assert!(refs("Our library helps teams ship faster.").is_empty());
    }

    #[test]
    fn company_role_move_refs() {
        assert_eq!(
            refs("Saw you're hiring two nurses for the night shift."),
            [R::Company]
        );
        assert_eq!(
            refs("I noticed Halvorsen Freight is expanding into Poland."),
            [R::Company]
        );
        assert_eq!(
            refs("I saw you lead the platform team at Brightwell."),
            [R::Role]
        );
        assert_eq!(refs("Saw you moved to Brightwell in March."), [R::Move]);
        assert_eq!(refs("Congrats on the new role!"), [R::Move]);
        assert_eq!(
            refs("Your path from teaching to UX research is inspiring."),
            [R::Move]
        );
        // The sender's own company and move, a capitalised word alone, a company
        // doing something ordinary, a question about their role.
        assert!(refs("I'm a data engineer at Lumio.").is_empty());
        assert!(refs("I moved to Berlin last year.").is_empty());
        assert!(refs("Hi Priya, Lisbon is a great city.").is_empty());
        assert!(refs("I noticed Lumio is using it now.").is_empty());
        assert!(refs("Do you lead the data team?").is_empty());
    }

    #[test]
    fn shared_background_refs() {
        assert_eq!(refs("Fellow Rutgers alum here!"), [R::School]);
        assert_eq!(refs("We both know Sam Lee."), [R::Mutual]);
        // The meetup is part of the one shared-background phrase.
        assert_eq!(refs("We both know Sam from the Rust meetup."), [R::Mutual]);
        assert_eq!(
            refs("Looks like we're both connected to Ana Ruiz."),
            [R::Mutual]
        );
        assert_eq!(
            refs("Our mutual friend Kofi suggested I write to you."),
            [R::Mutual]
        );
        assert_eq!(
            refs("We met at the Data Council meetup last spring."),
            [R::Event]
        );
        assert_eq!(
            refs("We're both in the same Slack group for PMs."),
            [R::Group]
        );
        assert_eq!(
            refs("Fellow nurse manager here, happy to connect."),
            [R::Role]
        );
        assert_eq!(
            refs("Always glad to connect with other climate folks."),
            [R::Group]
        );
        // Their name in a greeting, our own webinar, a title, a shared interest, studying alone.
        assert!(refs("Hi Priya, I'd like to connect.").is_empty());
        assert!(refs("Join us at our webinar next week.").is_empty());
        assert!(refs("I was a research fellow at MIT.").is_empty());
        assert!(refs("I have a question about the group.").is_empty());
        assert!(refs("We share a mutual interest in Rust.").is_empty());
        assert!(refs("I studied at Michigan.").is_empty());
    }

    #[test]
    fn event_refs() {
        assert_eq!(refs("Thanks again for the call this morning."), [R::Event]);
        assert_eq!(
            refs("This covers the bug you mentioned when we talked."),
            [R::Post, R::Event]
        );
        assert_eq!(
            refs("It was great meeting you at the robotics fair."),
            [R::Event]
        );
        // A conference of ours, nothing shared.
        assert!(refs("Our conference is in May.").is_empty());
    }

    #[test]
    fn reference_spans() {
        let t =
            "Hi Lena, I read your post on cold storage for vaccines. I work in pharma logistics.";
        let f = facts(t);
        let r = f.references[0];
        assert_eq!(&t[r.start..r.end], "your post on cold storage for vaccines");
    }

    // --- reason ---

    #[test]
    fn reasons() {
        let yes = [
            "Hi Lena, I read your post on cold storage. I work in pharma logistics and want to keep up with your updates.",
            "I'm reaching out because we both work on search ranking.",
            "I'd love to learn how you scaled the onboarding team.",
            "Would love to connect and follow your writing on hospital operations.",
            "I'm exploring a switch into data engineering.",
            "Thanks for connecting! How do you keep on-call rotations fair?",
            "Fellow nurse manager here, happy to connect.",
            "Looks like we're both connected to Ana Ruiz. Would love to connect.",
            "I spotted your work on the accessibility linter and wanted to connect.",
            "I just wrote a guide on churn benchmarks. Glad to pass it along.",
            "Would be great to stay connected.",
            "I'm connecting with more people in urban planning to swap ideas.",
            "Glad to connect here, since a contract role on my team may suit you.",
        ];
        for t in yes {
            assert!(reason(t).is_some(), "no reason found in {t:?}");
        }
        let no = [
            "Hi, let's connect here.",
            "Hello, I'd like to connect with you.",
            "Hi Maya, I'd love to connect and grow my network. Hope to hear from you!",
            "Hi Maya, I saw your post on hiring. Great points!",
            "Hi, can we set up a quick call on Monday?",
            "Hoping to pick your brain sometime.",
            "We have the perfect tool for you.",
            "Please accept my invitation.",
            "Keep up the great work!",
        ];
        for t in no {
            assert_eq!(reason(t), None, "reason found in {t:?}");
        }
        assert_eq!(
            reason("Loved your talk. I work in robotics and would like to connect."),
            Some("I work in robotics and would like to connect.")
        );
    }

    // --- persons, links, offsets ---

    #[test]
    fn person_counts() {
        let f = facts("I think my team and I'm sure we and our users love your work, you know.");
        assert_eq!(
            f.persons,
            Persons {
                first_singular: 3,
                first_plural: 2,
                second: 2
            }
        );
        // Words of a link are not counted, and the country is not "us".
        let f = facts("See https://example.com/you/your/we and the US market.");
        assert_eq!(f.persons, Persons::default());
    }

    #[test]
    fn links_carry_no_cues() {
        assert!(asks("Read more at https://example.com/book-a-call-demo").is_empty());
        assert!(refs("See https://example.com/your-post-on-pricing").is_empty());
    }

    #[test]
    fn empty_and_odd_input() {
        assert_eq!(facts(""), Facts::default());
        assert_eq!(facts("?!"), Facts::default());
        // Quotes around the whole note are not a quotation inside it.
        let f = facts("“Quoted whole note, can we hop on a call?”");
        assert_eq!(f.asks.len(), 1);
        let _ = facts("İstanbul — can we chat? 15-20 minute call? a few");
    }

    #[test]
    fn only_the_segmented_span_is_read() {
        // A whole note file: the front matter's quotes are not a quotation in the body.
        let body = "Could we hop on a quick call? I liked the \"runbook\" idea.";
        let text = format!("+++\nto = \"Priya Shah\n+++\n{body}");
        let off = text.len() - body.len();
        let (owned, sentences) = split(body);
        let words: Vec<WordRef> = owned
            .iter()
            .map(|(s, e, n)| WordRef {
                start: s + off,
                end: e + off,
                norm: n,
            })
            .collect();
        let sentences: Vec<SentenceRef> = sentences
            .iter()
            .map(|s| SentenceRef {
                start: s.start + off,
                end: s.end + off,
                question: s.question,
            })
            .collect();
        let f = extract(&text, &words, &sentences);
        assert_eq!(f.asks.iter().map(|a| a.kind).collect::<Vec<_>>(), [A::Call]);
        assert_eq!(
            &text[f.asks[0].start..f.asks[0].end],
            "Could we hop on a quick call?"
        );
    }

    #[test]
    fn names_are_snake_case() {
        assert_eq!(AskKind::Question.name(), "question");
        assert_eq!(RefKind::Mutual.name(), "mutual");
        assert_eq!(AskKind::ALL.len(), 11);
        for (i, k) in AskKind::ALL.iter().enumerate() {
            assert_eq!(*k as usize, i);
        }
    }
}
