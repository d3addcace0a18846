//! Politeness strategies: the twenty cues of Danescu-Niculescu-Mizil, Sudhof,
//! Jurafsky, Leskovec and Potts, "A computational approach to politeness with
//! application to social factors" (ACL 2013, Table 3).
//!
//! The paper's reference implementation (`sudhof/politeness`) reads dependency
//! parses. Here each strategy is a word-sequence pattern over the caller's
//! words and sentences instead: "at the start" means a sentence's first word,
//! a dependency pair such as `(appreciate, i)` becomes a short look-back, and
//! the positive and negative lexicons are compact, high-precision subsets of
//! Liu's opinion lexicon. Words outside every sentence are not looked at.

/// One politeness strategy of Danescu-Niculescu-Mizil et al. (2013).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Strategy {
    /// "thanks", "thank you", "I appreciate".
    Gratitude,
    /// Praise opening a sentence: "Nice work…", "Great question".
    Deference,
    /// "Hi", "Hello", "Hey", "Good morning" opening a sentence.
    Greeting,
    /// A clearly positive word: "great", "helpful".
    PositiveLexicon,
    /// A clearly negative word: "wrong", "useless".
    NegativeLexicon,
    /// "sorry", "I apologize", "excuse me", "forgive me".
    Apologizing,
    /// "please" after a sentence's first word.
    Please,
    /// "please" as a sentence's first word.
    PleaseStart,
    /// "by the way", "btw".
    IndirectBtw,
    /// A question opening with what/why/who/how/where/when.
    DirectQuestion,
    /// A sentence opening with so/then/and/but/or.
    DirectStart,
    /// The counterfactual modal: "could you", "would you".
    Counterfactual,
    /// The indicative modal: "can you", "will you".
    Indicative,
    /// A sentence opening with I/my/mine/myself.
    FirstPersonStart,
    /// we/our/us/ours/ourselves anywhere.
    FirstPersonPlural,
    /// I/me/my/mine/myself after a sentence's first word.
    FirstPerson,
    /// you/your/yours/yourself after a sentence's first word.
    SecondPerson,
    /// A sentence opening with you/your/yours/yourself.
    SecondPersonStart,
    /// A hedge: "I think", "maybe", "sort of", "in my view".
    Hedges,
    /// An appeal to fact: "actually", "really", "in fact".
    Factuality,
}

impl Strategy {
    /// All strategies, in a fixed order (the model's feature order).
    pub const ALL: [Strategy; 20] = [
        Strategy::Gratitude,
        Strategy::Deference,
        Strategy::Greeting,
        Strategy::PositiveLexicon,
        Strategy::NegativeLexicon,
        Strategy::Apologizing,
        Strategy::Please,
        Strategy::PleaseStart,
        Strategy::IndirectBtw,
        Strategy::DirectQuestion,
        Strategy::DirectStart,
        Strategy::Counterfactual,
        Strategy::Indicative,
        Strategy::FirstPersonStart,
        Strategy::FirstPersonPlural,
        Strategy::FirstPerson,
        Strategy::SecondPerson,
        Strategy::SecondPersonStart,
        Strategy::Hedges,
        Strategy::Factuality,
    ];
    /// This strategy's bit in a set of strategies.
    fn bit(self) -> u32 {
        1 << (self as u32)
    }

    /// `snake_case` name, e.g. `first_person_start`, used in rule scripts and model weights.
    pub fn name(self) -> &'static str {
        match self {
            Strategy::Gratitude => "gratitude",
            Strategy::Deference => "deference",
            Strategy::Greeting => "greeting",
            Strategy::PositiveLexicon => "positive_lexicon",
            Strategy::NegativeLexicon => "negative_lexicon",
            Strategy::Apologizing => "apologizing",
            Strategy::Please => "please",
            Strategy::PleaseStart => "please_start",
            Strategy::IndirectBtw => "indirect_btw",
            Strategy::DirectQuestion => "direct_question",
            Strategy::DirectStart => "direct_start",
            Strategy::Counterfactual => "counterfactual",
            Strategy::Indicative => "indicative",
            Strategy::FirstPersonStart => "first_person_start",
            Strategy::FirstPersonPlural => "first_person_plural",
            Strategy::FirstPerson => "first_person",
            Strategy::SecondPerson => "second_person",
            Strategy::SecondPersonStart => "second_person_start",
            Strategy::Hedges => "hedges",
            Strategy::Factuality => "factuality",
        }
    }

    /// One line a rule author reads in the docs (with an example phrase).
    pub fn describe(self) -> &'static str {
        match self {
            Strategy::Gratitude => r#"Thanks the reader: "thanks", "thank you", "I appreciate"."#,
            Strategy::Deference => {
                r#"Opens by praising the reader's work: "Nice work on the launch", "Great question"."#
            }
            Strategy::Greeting => r#"Opens with a greeting: "Hi", "Hello", "Hey", "Good morning"."#,
            Strategy::PositiveLexicon => {
                r#"Uses a clearly positive word: "great", "helpful", "impressive"."#
            }
            Strategy::NegativeLexicon => {
                r#"Uses a clearly negative word: "wrong", "useless", "ridiculous"."#
            }
            Strategy::Apologizing => {
                r#"Apologizes: "sorry", "I apologize", "excuse me", "forgive me"."#
            }
            Strategy::Please => r#"Says "please" inside a sentence: "Could you please share it?""#,
            Strategy::PleaseStart => r#"Opens a sentence with "please": "Please send it over.""#,
            Strategy::IndirectBtw => r#"Raises a point in passing: "by the way", "btw"."#,
            Strategy::DirectQuestion => {
                r#"Asks a what/why/who/how/where/when question: "Why did you leave?""#
            }
            Strategy::DirectStart => {
                r#"Opens a sentence with so/then/and/but/or: "So can you send it?""#
            }
            Strategy::Counterfactual => {
                r#"Asks with a counterfactual modal: "Could you…", "Would you…"."#
            }
            Strategy::Indicative => r#"Asks with an indicative modal: "Can you…", "Will you…"."#,
            Strategy::FirstPersonStart => {
                r#"Opens a sentence with I/my/mine/myself: "I run a design studio.""#
            }
            Strategy::FirstPersonPlural => {
                r#"Says we/our/us/ours/ourselves: "Could we find a time?""#
            }
            Strategy::FirstPerson => {
                r#"Says I/me/my/mine/myself after a sentence's first word: "It is my view that…""#
            }
            Strategy::SecondPerson => {
                r#"Says you/your/yours/yourself after a sentence's first word: "I read your post.""#
            }
            Strategy::SecondPersonStart => {
                r#"Opens a sentence with you/your: "Your talk changed my mind.""#
            }
            Strategy::Hedges => {
                r#"Softens a claim: "I think", "maybe", "perhaps", "sort of", "in my view"."#
            }
            Strategy::Factuality => {
                r#"Insists on the facts: "actually", "really", "in fact", "the truth is"."#
            }
        }
    }

    /// The end (exclusive word index) of this strategy's cue starting at word `i`, if any.
    fn cue_end(self, s: &SentenceWords, i: usize) -> Option<usize> {
        match self {
            Strategy::Gratitude => gratitude(s, i),
            Strategy::Deference => deference(s, i),
            Strategy::Greeting => greeting(s, i),
            Strategy::PositiveLexicon => listed(POSITIVE, s.norm(i)).then_some(i + 1),
            Strategy::NegativeLexicon => listed(NEGATIVE, s.norm(i)).then_some(i + 1),
            Strategy::Apologizing => s.longest(i, APOLOGIES),
            Strategy::Please => (i > 0).then(|| s.longest(i, PLEASE)).flatten(),
            Strategy::PleaseStart => (i == 0).then(|| s.longest(i, PLEASE)).flatten(),
            Strategy::IndirectBtw => s.longest(i, BTW),
            Strategy::DirectQuestion => direct_question(s, i),
            Strategy::DirectStart => (i == 0).then(|| s.longest(i, DIRECT_STARTS)).flatten(),
            Strategy::Counterfactual => s.longest(i, COUNTERFACTUAL),
            Strategy::Indicative => s.longest(i, INDICATIVE),
            Strategy::FirstPersonStart => s.pronoun(i, FIRST_PERSON, i == 0),
            Strategy::FirstPersonPlural => first_person_plural(s, i),
            Strategy::FirstPerson => s.pronoun(i, FIRST_PERSON, i > 0),
            Strategy::SecondPerson => s.pronoun(i, SECOND_PERSON, i > 0),
            Strategy::SecondPersonStart => s.pronoun(i, SECOND_PERSON, i == 0),
            Strategy::Hedges => hedges(s, i),
            Strategy::Factuality => factuality(s, i),
        }
    }
}

/// Where a strategy occurs: byte offsets into the `text` given to `strategies`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hit {
    /// Which strategy.
    pub strategy: Strategy,
    /// Byte offset of the cue's first word.
    pub start: usize,
    /// Byte offset one past the cue's last word.
    pub end: usize,
}

/// A word as the caller already segmented it: byte range into `text` and its
/// lowercased form with curly apostrophes straightened (`don’t` -> `don't`).
#[derive(Debug, Clone, Copy)]
pub struct WordRef<'a> {
    /// Byte offset of the word's first character.
    pub start: usize,
    /// Byte offset one past the word's last character.
    pub end: usize,
    /// Lowercased, with curly apostrophes straightened.
    pub norm: &'a str,
}

/// A sentence: byte range into `text` (no surrounding white space), and whether it ends with `?`.
#[derive(Debug, Clone, Copy)]
pub struct SentenceRef {
    /// Byte offset of the sentence's first character.
    pub start: usize,
    /// Byte offset one past the sentence's last character.
    pub end: usize,
    /// Whether it ends with `?`.
    pub question: bool,
}

/// Every strategy occurrence in `text`, in text order. `words` and `sentences` are the caller's
/// segmentation of the same `text` (words: letters/digits with inner apostrophes or hyphens).
pub fn strategies(text: &str, words: &[WordRef], sentences: &[SentenceRef]) -> Vec<Hit> {
    let starts = &*CUE_STARTS;
    let mut hits = Vec::new();
    for sentence in sentences {
        let s = SentenceWords::new(text, words, sentence);
        for i in 0..s.words.len() {
            // Most words start no cue: one hashed lookup skips them, and
            // picks the strategies worth trying for the rest.
            let bits = starts.get(s.norm(i)).copied().unwrap_or(0)
                | starts.get(s.base(i)).copied().unwrap_or(0);
            if bits == 0 {
                continue;
            }
            for strategy in Strategy::ALL.into_iter().filter(|st| bits & st.bit() != 0) {
                if let Some(end) = strategy.cue_end(&s, i) {
                    hits.push(s.hit(strategy, i, end));
                }
            }
        }
    }
    // Stable: hits at one offset stay in `Strategy::ALL` order.
    hits.sort_by_key(|h| h.start);
    hits
}

/// Gratitude cues that count wherever they stand.
const THANKS: &[&str] = &[
    "appreciated",
    "appreciative",
    "grateful",
    "thank",
    "thank you",
    "thankful",
    "thanks",
    "thx",
];
/// Praise that opens a sentence (the reference's deference list).
const DEFERENCE: &[&str] = &[
    "awesome",
    "cool",
    "excellent",
    "good",
    "great",
    "interesting",
    "nice",
];
/// Words after "good" that make a greeting or a wish, not praise.
const NOT_PRAISE: &[&str] = &["afternoon", "day", "evening", "luck", "morning", "night"];
const GREETINGS: &[&str] = &[
    "good afternoon",
    "good evening",
    "good morning",
    "greetings",
    "hello",
    "hey",
    "hi",
    "hiya",
    "howdy",
];
const APOLOGIES: &[&str] = &[
    "apologies",
    "apologise",
    "apologize",
    "apologized",
    "apologizing",
    "excuse me",
    "forgive me",
    "oops",
    "sorry",
    "whoops",
    "woops",
];
const PLEASE: &[&str] = &["please", "pls", "plz"];
const BTW: &[&str] = &["btw", "by the way"];
const WH_WORDS: &[&str] = &["how", "what", "when", "where", "who", "why"];
/// Subject pronouns: a wh-word right before one opens a clause ("When you have a
/// minute, …"), not a direct question ("When are you free?").
const SUBJECTS: &[&str] = &["he", "i", "she", "they", "we", "you"];
const DIRECT_STARTS: &[&str] = &["and", "but", "or", "so", "then"];
const COUNTERFACTUAL: &[&str] = &["could you", "would you"];
const INDICATIVE: &[&str] = &["can you", "will you"];
const FIRST_PERSON: &[&str] = &["i", "me", "mine", "my", "myself"];
const FIRST_PERSON_PLURAL: &[&str] = &["our", "ours", "ourselves", "us", "we"];
const SECOND_PERSON: &[&str] = &["you", "your", "yours", "yourself", "yourselves"];
const FACTUALITY: &[&str] = &[
    "actually",
    "honestly",
    "in fact",
    "really",
    "surely",
    "the fact is",
    "the point is",
    "the reality is",
    "the truth is",
];

/// Single-word hedges of the reference implementation (plus "seem", "seemed"), sorted.
const HEDGES: &[&str] = &[
    "almost",
    "apparent",
    "apparently",
    "appear",
    "appeared",
    "appears",
    "approximately",
    "argue",
    "argued",
    "argues",
    "around",
    "assume",
    "assumed",
    "broadly",
    "claim",
    "claimed",
    "claims",
    "doubt",
    "doubtful",
    "essentially",
    "estimate",
    "estimated",
    "fairly",
    "feel",
    "feels",
    "felt",
    "frequently",
    "generally",
    "guess",
    "indicate",
    "indicated",
    "indicates",
    "largely",
    "likely",
    "mainly",
    "may",
    "maybe",
    "might",
    "mostly",
    "often",
    "ought",
    "perhaps",
    "plausible",
    "plausibly",
    "possible",
    "possibly",
    "postulate",
    "postulated",
    "postulates",
    "presumable",
    "presumably",
    "probable",
    "probably",
    "quite",
    "rather",
    "relatively",
    "roughly",
    "seem",
    "seemed",
    "seems",
    "should",
    "sometimes",
    "somewhat",
    "suggest",
    "suggested",
    "suggests",
    "suppose",
    "supposed",
    "supposes",
    "suspect",
    "suspects",
    "think",
    "thinking",
    "thought",
    "typical",
    "typically",
    "uncertain",
    "uncertainly",
    "unclear",
    "unclearly",
    "unlikely",
    "usually",
];
/// Multi-word hedges of the reference implementation, plus "kind of" and "sort of".
const HEDGE_PHRASES: &[&str] = &[
    "certain amount",
    "certain extent",
    "certain level",
    "from my perspective",
    "from our perspective",
    "from this perspective",
    "in general",
    "in most cases",
    "in most instances",
    "in my opinion",
    "in my view",
    "in our opinion",
    "in our view",
    "in this view",
    "kind of",
    "on the whole",
    "sort of",
    "tend to",
    "tended to",
    "tends to",
    "to my knowledge",
];
/// Words before "kind of"/"sort of" that make it name a kind ("what kind of role").
const DETERMINERS: &[&str] = &[
    "a", "an", "any", "each", "every", "no", "same", "some", "that", "the", "these", "this",
    "those", "what", "which",
];

/// Clearly positive words from Liu's opinion lexicon, sorted.
const POSITIVE: &[&str] = &[
    "accomplished",
    "admire",
    "admired",
    "amazing",
    "awesome",
    "beautiful",
    "brilliant",
    "clever",
    "congrats",
    "congratulations",
    "cool",
    "creative",
    "delighted",
    "elegant",
    "enjoy",
    "enjoyed",
    "enjoying",
    "enthusiastic",
    "excellent",
    "exceptional",
    "excited",
    "exciting",
    "fabulous",
    "fantastic",
    "fascinating",
    "favorite",
    "fun",
    "generous",
    "genius",
    "glad",
    "good",
    "gorgeous",
    "great",
    "happy",
    "helpful",
    "honored",
    "ideal",
    "impressed",
    "impressive",
    "incredible",
    "innovative",
    "insightful",
    "inspired",
    "inspiring",
    "interesting",
    "kudos",
    "love",
    "loved",
    "lovely",
    "lucky",
    "marvelous",
    "neat",
    "nice",
    "outstanding",
    "perfect",
    "phenomenal",
    "pleasant",
    "pleased",
    "pleasure",
    "powerful",
    "proud",
    "remarkable",
    "rewarding",
    "smart",
    "spectacular",
    "stellar",
    "strong",
    "success",
    "successful",
    "superb",
    "talented",
    "terrific",
    "thoughtful",
    "thrilled",
    "top-notch",
    "useful",
    "valuable",
    "welcome",
    "wise",
    "wonderful",
    "worthy",
    "wow",
];
/// Clearly negative words from Liu's opinion lexicon, sorted. Words polite
/// notes use as formulas ("sorry", "bother", "concern") are left out.
const NEGATIVE: &[&str] = &[
    "absurd",
    "accuse",
    "accused",
    "angry",
    "annoyed",
    "annoying",
    "arrogant",
    "awful",
    "bad",
    "badly",
    "blame",
    "boring",
    "broken",
    "careless",
    "clueless",
    "crap",
    "crappy",
    "damn",
    "disappointed",
    "disappointing",
    "disaster",
    "disgusting",
    "dishonest",
    "dumb",
    "fail",
    "failed",
    "failure",
    "fake",
    "false",
    "fault",
    "faulty",
    "flawed",
    "foolish",
    "frustrated",
    "frustrating",
    "garbage",
    "hate",
    "hated",
    "hopeless",
    "horrible",
    "idiot",
    "idiotic",
    "ignorant",
    "incompetent",
    "insult",
    "insulting",
    "irrelevant",
    "junk",
    "lame",
    "lazy",
    "lie",
    "lied",
    "lies",
    "mess",
    "messy",
    "mistake",
    "mistaken",
    "nonsense",
    "offensive",
    "outrageous",
    "pathetic",
    "pointless",
    "poor",
    "poorly",
    "ridiculous",
    "rude",
    "sad",
    "shame",
    "shameful",
    "silly",
    "sloppy",
    "spam",
    "stupid",
    "sucks",
    "terrible",
    "ugly",
    "unacceptable",
    "unfortunately",
    "unhappy",
    "upset",
    "useless",
    "waste",
    "wasted",
    "worse",
    "worst",
    "wrong",
];

/// For every word a cue can start with (the first word of each cue list's
/// entries), the strategies whose cues it can start, as bits in
/// [`Strategy::ALL`] order: one hashed lookup per word decides which
/// strategies to try there (a fast hash: it runs for every word of every note).
static CUE_STARTS: std::sync::LazyLock<foldhash::HashMap<&'static str, u32>> =
    std::sync::LazyLock::new(|| {
        use Strategy::*;
        let lists: [(&[&'static str], &[Strategy]); 19] = [
            (THANKS, &[Gratitude]),
            (&["appreciate"], &[Gratitude]),
            (DEFERENCE, &[Deference]),
            (GREETINGS, &[Greeting]),
            (POSITIVE, &[PositiveLexicon]),
            (NEGATIVE, &[NegativeLexicon]),
            (APOLOGIES, &[Apologizing]),
            (PLEASE, &[Please, PleaseStart]),
            (BTW, &[IndirectBtw]),
            (WH_WORDS, &[DirectQuestion]),
            (DIRECT_STARTS, &[DirectStart]),
            (COUNTERFACTUAL, &[Counterfactual]),
            (INDICATIVE, &[Indicative]),
            (FIRST_PERSON, &[FirstPersonStart, FirstPerson]),
            (FIRST_PERSON_PLURAL, &[FirstPersonPlural]),
            (SECOND_PERSON, &[SecondPerson, SecondPersonStart]),
            (FACTUALITY, &[Factuality]),
            (HEDGES, &[Hedges]),
            (HEDGE_PHRASES, &[Hedges]),
        ];
        let mut map = foldhash::HashMap::default();
        for (cues, strategies) in lists {
            let bits = strategies.iter().fold(0u32, |b, s| b | s.bit());
            for first in cues.iter().filter_map(|c| c.split(' ').next()) {
                *map.entry(first).or_insert(0) |= bits;
            }
        }
        map
    });

/// Whether `word` is in the sorted list `list`.
fn listed(list: &[&str], word: &str) -> bool {
    list.binary_search(&word).is_ok()
}

/// The words of one sentence, with the text their offsets point into.
struct SentenceWords<'s, 'a> {
    text: &'s str,
    words: &'s [WordRef<'a>],
    question: bool,
}

impl<'s, 'a> SentenceWords<'s, 'a> {
    /// The words lying inside `sentence` (`words` are in text order).
    fn new(text: &'s str, words: &'s [WordRef<'a>], sentence: &SentenceRef) -> Self {
        let first = words.partition_point(|w| w.start < sentence.start);
        let last = words.partition_point(|w| w.end <= sentence.end).max(first);
        SentenceWords {
            text,
            words: &words[first..last],
            question: sentence.question,
        }
    }

    /// Word `i`'s normalized form; "" past either end, so look-arounds need no bounds checks.
    fn norm(&self, i: usize) -> &'a str {
        self.words.get(i).map_or("", |w| w.norm)
    }

    /// Word `i` without its clitic (`i'm` -> `i`, `you've` -> `you`): the
    /// reference's tokenizer splits clitics off, so `I'm` counts as `I`.
    fn base(&self, i: usize) -> &'a str {
        let norm = self.norm(i);
        norm.split_once('\'').map_or(norm, |(base, _)| base)
    }

    /// Word `i` as written, for the case checks lowercased forms cannot make.
    fn original(&self, i: usize) -> &'s str {
        self.words
            .get(i)
            .and_then(|w| self.text.get(w.start..w.end))
            .unwrap_or("")
    }

    /// The end of `phrase` (space-separated words) if it starts at word `i`,
    /// its words parted by white space only ("by the way", not "by the, way").
    fn phrase_end(&self, i: usize, phrase: &str) -> Option<usize> {
        // Most phrases fail on their first word: reject those without
        // splitting the phrase (this runs for every word and every cue list).
        let first = self.words.get(i)?.norm.as_bytes();
        let p = phrase.as_bytes();
        if !p.starts_with(first) || (p.len() > first.len() && p[first.len()] != b' ') {
            return None;
        }
        let mut j = i;
        for part in phrase.split(' ') {
            let word = self.words.get(j)?;
            if word.norm != part {
                return None;
            }
            if j > i {
                let gap = self.text.get(self.words[j - 1].end..word.start)?;
                if !gap.chars().all(char::is_whitespace) {
                    return None;
                }
            }
            j += 1;
        }
        Some(j)
    }

    /// The end of the longest phrase of `phrases` starting at word `i`.
    fn longest(&self, i: usize, phrases: &[&str]) -> Option<usize> {
        phrases.iter().filter_map(|p| self.phrase_end(i, p)).max()
    }

    /// Word `i` alone, when `place` holds and its base is one of `pronouns`.
    fn pronoun(&self, i: usize, pronouns: &[&str], place: bool) -> Option<usize> {
        (place && pronouns.contains(&self.base(i))).then_some(i + 1)
    }

    /// A hit covering words `i..end`.
    fn hit(&self, strategy: Strategy, i: usize, end: usize) -> Hit {
        Hit {
            strategy,
            start: self.words[i].start,
            end: self.words[end - 1].end,
        }
    }
}

/// "thanks", "thank you", "grateful"; "appreciate" only with I or we shortly
/// before it ("I'd really appreciate"), as the reference's `(appreciate, i)`.
fn gratitude(s: &SentenceWords, i: usize) -> Option<usize> {
    if s.norm(i) == "appreciate" {
        let subject = (i.saturating_sub(3)..i).any(|j| matches!(s.base(j), "i" | "we"));
        return subject.then_some(i + 1);
    }
    s.longest(i, THANKS)
}

/// Praise as a sentence's first word, unless it opens a greeting or a wish ("Good morning").
fn deference(s: &SentenceWords, i: usize) -> Option<usize> {
    let praise = i == 0 && DEFERENCE.contains(&s.norm(0)) && !NOT_PRAISE.contains(&s.norm(1));
    praise.then_some(1)
}

/// A greeting as a sentence's first word(s).
fn greeting(s: &SentenceWords, i: usize) -> Option<usize> {
    (i == 0).then(|| s.longest(0, GREETINGS)).flatten()
}

/// A wh-word as the first or second word of a question ("So why did you…?").
fn direct_question(s: &SentenceWords, i: usize) -> Option<usize> {
    let direct =
        s.question && i <= 1 && WH_WORDS.contains(&s.base(i)) && !SUBJECTS.contains(&s.base(i + 1));
    direct.then_some(i + 1)
}

/// we/our/us/ours/ourselves, but not "US" the country.
fn first_person_plural(s: &SentenceWords, i: usize) -> Option<usize> {
    s.pronoun(i, FIRST_PERSON_PLURAL, s.original(i) != "US")
}

/// The reference's hedge words and phrases, minus uses that do not hedge.
fn hedges(s: &SentenceWords, i: usize) -> Option<usize> {
    let norm = s.norm(i);
    let single = listed(HEDGES, norm)
        && match norm {
            // Capitalized past a sentence's start, "May" is the month.
            "may" => i == 0 || !s.original(i).starts_with('M'),
            // Only "around 50" approximates; "around the corner" is a place.
            "around" => s.norm(i + 1).starts_with(|c: char| c.is_ascii_digit()),
            // "Feel free to" invites; it does not hedge.
            "feel" => s.norm(i + 1) != "free",
            _ => true,
        };
    if single {
        return Some(i + 1);
    }
    // "What kind of role" names a kind; "kind of new" hedges.
    let names_kind =
        matches!(norm, "kind" | "sort") && i > 0 && DETERMINERS.contains(&s.norm(i - 1));
    if names_kind {
        return None;
    }
    s.longest(i, HEDGE_PHRASES)
}

/// "actually", "in fact", "the truth is"; "really" except in "not really", which softens.
fn factuality(s: &SentenceWords, i: usize) -> Option<usize> {
    let softened = s.norm(i) == "really" && i > 0 && {
        let before = s.norm(i - 1);
        before == "not" || before.ends_with("n't")
    };
    if softened {
        return None;
    }
    s.longest(i, FACTUALITY)
}

#[cfg(test)]
mod tests {
    use super::*;
    use Strategy::*;

    /// Words as the host segments them (`note::segment`).
    fn words(text: &str) -> Vec<(usize, usize, String)> {
        crate::note::segment::words(text, 0)
            .into_iter()
            .map(|w| (w.span.start, w.span.end, w.norm))
            .collect()
    }

    /// Sentences as the host segments them.
    fn sentences(text: &str) -> Vec<SentenceRef> {
        crate::note::segment::sentences(text, 0)
            .into_iter()
            .map(|s| SentenceRef {
                start: s.span.start,
                end: s.span.end,
                question: s.question,
            })
            .collect()
    }

    /// `strategies` on `text`, segmented by the helpers above.
    fn run(text: &str) -> Vec<Hit> {
        let owned = words(text);
        let refs: Vec<WordRef> = owned
            .iter()
            .map(|(start, end, norm)| WordRef {
                start: *start,
                end: *end,
                norm,
            })
            .collect();
        strategies(text, &refs, &sentences(text))
    }

    /// Every hit in `text` with the text it covers.
    fn hits(text: &str) -> Vec<(Strategy, &str)> {
        run(text)
            .into_iter()
            .map(|h| (h.strategy, &text[h.start..h.end]))
            .collect()
    }

    /// The cues of `strategy` in `text`.
    fn found(text: &str, strategy: Strategy) -> Vec<&str> {
        hits(text)
            .into_iter()
            .filter(|h| h.0 == strategy)
            .map(|h| h.1)
            .collect()
    }

    /// Asserts `text` has no cue of `strategy`.
    fn none(text: &str, strategy: Strategy) {
        assert_eq!(found(text, strategy), Vec::<&str>::new(), "{text:?}");
    }

    #[test]
    fn gratitude_cues() {
        assert_eq!(found("Thanks for the intro.", Gratitude), ["Thanks"]);
        assert_eq!(found("Thank you so much!", Gratitude), ["Thank you"]);
        assert_eq!(
            found("I'd really appreciate your view.", Gratitude),
            ["appreciate"]
        );
        none("You'd appreciate the view.", Gratitude);
        none("Thankfully it shipped.", Gratitude);
    }

    #[test]
    fn deference_cues() {
        assert_eq!(found("Nice work on the launch.", Deference), ["Nice"]);
        assert_eq!(found("Great question!", Deference), ["Great"]);
        none("Good morning, Riya.", Deference);
        none("The work is nice.", Deference);
    }

    #[test]
    fn greeting_cues() {
        assert_eq!(found("Hi Riya, quick question.", Greeting), ["Hi"]);
        assert_eq!(found("Good morning Sam", Greeting), ["Good morning"]);
        none("I said hi to Sam.", Greeting);
    }

    #[test]
    fn positive_lexicon_cues() {
        assert_eq!(
            found("Your talk was excellent and insightful.", PositiveLexicon),
            ["excellent", "insightful"]
        );
        none("I read your talk.", PositiveLexicon);
    }

    #[test]
    fn negative_lexicon_cues() {
        assert_eq!(
            found(
                "That take is wrong and frankly ridiculous.",
                NegativeLexicon
            ),
            ["wrong", "ridiculous"]
        );
        none("Sorry to bother you.", NegativeLexicon);
    }

    #[test]
    fn apologizing_cues() {
        assert_eq!(found("Sorry to bother you.", Apologizing), ["Sorry"]);
        assert_eq!(found("Excuse me, Sam.", Apologizing), ["Excuse me"]);
        assert_eq!(
            found("I apologize for the delay.", Apologizing),
            ["apologize"]
        );
        none("Excuse the delay.", Apologizing);
    }

    #[test]
    fn please_cues() {
        assert_eq!(found("Could you please share it?", Please), ["please"]);
        none("Please share it.", Please);
        assert_eq!(found("Please share it.", PleaseStart), ["Please"]);
        none("Could you please share it?", PleaseStart);
    }

    #[test]
    fn indirect_btw_cues() {
        assert_eq!(
            found("By the way, where did you find it?", IndirectBtw),
            ["By the way"]
        );
        assert_eq!(found("Btw, loved it.", IndirectBtw), ["Btw"]);
        none("I came by the office.", IndirectBtw);
        none("Stop by the — way out.", IndirectBtw);
    }

    #[test]
    fn direct_question_cues() {
        assert_eq!(
            found("What is your native language?", DirectQuestion),
            ["What"]
        );
        assert_eq!(found("So why did you leave?", DirectQuestion), ["why"]);
        assert_eq!(found("What's the plan?", DirectQuestion), ["What's"]);
        none("What you built is great.", DirectQuestion);
        none("When you have a minute, could you look?", DirectQuestion);
        none("Is it true that what matters is scale?", DirectQuestion);
    }

    #[test]
    fn direct_start_cues() {
        assert_eq!(found("So can you retrieve it?", DirectStart), ["So"]);
        assert_eq!(found("But I disagree.", DirectStart), ["But"]);
        none("I think so.", DirectStart);
    }

    #[test]
    fn modal_cues() {
        assert_eq!(
            found("Would you be open to a call?", Counterfactual),
            ["Would you"]
        );
        none("Can you share it?", Counterfactual);
        none("I would love to.", Counterfactual);
        assert_eq!(found("Can you share it?", Indicative), ["Can you"]);
        assert_eq!(found("Will you be there?", Indicative), ["Will you"]);
        none("Could you share it?", Indicative);
    }

    #[test]
    fn first_person_cues() {
        assert_eq!(
            found("I have just put the article up.", FirstPersonStart),
            ["I"]
        );
        assert_eq!(found("I’m a founder.", FirstPersonStart), ["I’m"]);
        none("It is my view.", FirstPersonStart);
        assert_eq!(found("It is my view.", FirstPerson), ["my"]);
        none("I wrote it.", FirstPerson);
    }

    #[test]
    fn first_person_plural_cues() {
        assert_eq!(
            found(
                "Could we find a simpler name for our tool?",
                FirstPersonPlural
            ),
            ["we", "our"]
        );
        assert_eq!(found("Let us know.", FirstPersonPlural), ["us"]);
        none("She moved to the US last year.", FirstPersonPlural);
    }

    #[test]
    fn second_person_cues() {
        assert_eq!(
            found("But what's the source you have in mind?", SecondPerson),
            ["you"]
        );
        assert_eq!(found("I loved your post.", SecondPerson), ["your"]);
        none("You wrote it.", SecondPerson);
        assert_eq!(
            found("You've reverted yourself.", SecondPersonStart),
            ["You've"]
        );
        none("Thank you.", SecondPersonStart);
    }

    #[test]
    fn hedge_cues() {
        assert_eq!(
            found("I suggest we start with a simple step.", Hedges),
            ["suggest"]
        );
        assert_eq!(found("It's sort of new.", Hedges), ["sort of"]);
        assert_eq!(found("In my view it works.", Hedges), ["In my view"]);
        assert_eq!(found("May I ask?", Hedges), ["May"]);
        assert_eq!(found("We were around 50 people.", Hedges), ["around"]);
        none("Feel free to reach out.", Hedges);
        none("We met in May.", Hedges);
        none("What kind of role is it?", Hedges);
        none("The office is around the corner.", Hedges);
    }

    #[test]
    fn factuality_cues() {
        assert_eq!(found("In fact you did link it.", Factuality), ["In fact"]);
        assert_eq!(
            found("The truth is it works.", Factuality),
            ["The truth is"]
        );
        assert_eq!(found("I actually read it.", Factuality), ["actually"]);
        assert_eq!(found("It really matters.", Factuality), ["really"]);
        none("Not really.", Factuality);
        none("I don't really know.", Factuality);
        none("The point was moot.", Factuality);
    }

    #[test]
    fn unicode_spans_land_on_char_boundaries() {
        let text = "Hi Zoë! Merci — thank you for the café ☕ chat. I’d call it “excellent” work 🚀. Could you share more?";
        for hit in run(text) {
            assert!(text.is_char_boundary(hit.start) && text.is_char_boundary(hit.end));
        }
        let found = hits(text);
        for expected in [
            (Greeting, "Hi"),
            (Gratitude, "thank you"),
            (FirstPersonStart, "I’d"),
            (PositiveLexicon, "excellent"),
            (Counterfactual, "Could you"),
        ] {
            assert!(found.contains(&expected), "{expected:?} in {found:?}");
        }
    }

    #[test]
    fn empty_text_has_no_hits() {
        assert!(strategies("", &[], &[]).is_empty());
        assert!(hits("  \n ").is_empty());
    }

    #[test]
    fn hits_are_in_text_order() {
        assert_eq!(
            hits("Thanks! Could you please look? I think so."),
            [
                (Gratitude, "Thanks"),
                (Counterfactual, "Could you"),
                (SecondPerson, "you"),
                (Please, "please"),
                (FirstPersonStart, "I"),
                (Hedges, "think"),
            ]
        );
    }

    #[test]
    fn names_are_unique_snake_case_and_all_is_in_order() {
        assert!(Strategy::ALL.is_sorted());
        let mut names: Vec<&str> = Strategy::ALL.iter().map(|s| s.name()).collect();
        assert!(
            names
                .iter()
                .all(|n| n.chars().all(|c| c.is_ascii_lowercase() || c == '_'))
        );
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), Strategy::ALL.len());
        assert!(Strategy::ALL.iter().all(|s| !s.describe().is_empty()));
    }

    #[test]
    fn binary_searched_lists_are_sorted_and_unique() {
        for list in [HEDGES, POSITIVE, NEGATIVE] {
            assert!(list.windows(2).all(|w| w[0] < w[1]), "{list:?}");
        }
    }
}
