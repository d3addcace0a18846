//! `cargo bench --bench throughput`: the speed bars of SPEC §7, measured on the
//! real binary and printed as figures (never asserted):
//! - throughput of `tact check --rulebook general` over a JSONL batch, with peak
//!   memory at two batch sizes (flat memory means the batch is streamed);
//! - start-up: checking one note from the command line;
//! - the ratio to a native baseline: one Aho-Corasick pass over the same notes.

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// (note, recipient): a mix of good and bad notes, as a real batch would hold.
const NOTES: [(&str, &str); 8] = [
    (
        "Hi Aditi, I saw your post on content audits for SaaS. I work in SEO and would like to connect and follow your insights.",
        "Aditi Rao",
    ),
    ("Hi, can we schedule a quick call this week?", "Marcus Webb"),
    (
        "Hi Riya, I'm a product designer moving into UX research. I'd love to learn how you made the switch. Would you be open to connecting?",
        "Riya Sharma",
    ),
    (
        "Dear Sir/Madam, I am writing to ask if you have any openings for a data analyst. Please respond at your earliest convenience.",
        "Dana Fox",
    ),
    (
        "Hey {first_name}, loved your talk at SaaStr! I run growth at Acme and would like to connect.",
        "Sam Lee",
    ),
    (
        "Hi Sam, just following up on my last message. Haven't heard back yet.",
        "Sam Lee",
    ),
    (
        "Hi Jordan, fellow Michigan alum here. I saw you lead data at Stripe. Would love to connect and hear about your path.",
        "Jordan Kim",
    ),
    (
        "Hi Priya, congrats on the new role at Figma! I'm also in design systems and would like to connect to learn from your work.",
        "Priya Nair",
    ),
];

fn batch(n: usize) -> tempfile::NamedTempFile {
    let mut f = tempfile::Builder::new()
        .suffix(".jsonl")
        .tempfile()
        .unwrap();
    let mut w = std::io::BufWriter::new(f.as_file_mut());
    for i in 0..n {
        let (text, to) = NOTES[i % NOTES.len()];
        writeln!(
            w,
            "{}",
            serde_json::json!({"id": i.to_string(), "text": text, "to": to})
        )
        .unwrap();
    }
    w.flush().unwrap();
    drop(w);
    f
}

/// Runs tact, returning wall time and the child's peak RSS in KiB (from `/usr/bin/time` if present).
fn run(args: &[&str]) -> (Duration, Option<u64>) {
    let bin = env!("CARGO_BIN_EXE_tact");
    let time = std::path::Path::new("/usr/bin/time").exists();
    let mut cmd = if time {
        let mut c = Command::new("/usr/bin/time");
        c.args(["-f", "%M", bin]);
        c
    } else {
        Command::new(bin)
    };
    // Output goes to a file: a failed run's errors are at its end.
    let log = tempfile::tempfile().unwrap();
    cmd.args(args)
        .current_dir(std::env::temp_dir())
        .stdout(log.try_clone().unwrap())
        .stderr(Stdio::piped());
    let start = Instant::now();
    let out = cmd.output().unwrap();
    let wall = start.elapsed();
    if !matches!(out.status.code(), Some(0 | 1)) {
        use std::io::{Read, Seek, SeekFrom};
        let mut log = log;
        let len = log.seek(SeekFrom::End(0)).unwrap();
        log.seek(SeekFrom::Start(len.saturating_sub(2000))).unwrap();
        let mut tail = String::new();
        let _ = log.read_to_string(&mut tail);
        panic!(
            "tact {args:?} failed:\n{tail}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let rss = if time {
        String::from_utf8_lossy(&out.stderr)
            .lines()
            .last()
            .and_then(|l| l.trim().parse().ok())
    } else {
        None
    };
    (wall, rss)
}

fn baseline(path: &std::path::Path, phrases: &[String]) -> Duration {
    use std::io::BufRead;
    let ac = aho_corasick::AhoCorasickBuilder::new()
        .ascii_case_insensitive(true)
        .build(phrases)
        .unwrap();
    let start = Instant::now();
    let mut hits = 0usize;
    for line in std::io::BufReader::new(std::fs::File::open(path).unwrap()).lines() {
        let v: serde_json::Value = serde_json::from_str(&line.unwrap()).unwrap();
        hits += ac.find_iter(v["text"].as_str().unwrap()).count();
    }
    std::hint::black_box(hits);
    start.elapsed()
}

fn main() {
    let n: usize = std::env::var("TACT_BENCH_NOTES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(200_000);
    let small = batch(n / 4);
    let big = batch(n);
    let args = |p: &std::path::Path| {
        vec![
            "check".to_owned(),
            "--rulebook".into(),
            "general".into(),
            "--format".into(),
            "json".into(),
            p.display().to_string(),
        ]
    };
    let owned = args(big.path());
    let (_, _) = run(&owned.iter().map(String::as_str).collect::<Vec<_>>()); // warm the page cache
    let (wall, rss_big) = run(&owned.iter().map(String::as_str).collect::<Vec<_>>());
    let owned_small = args(small.path());
    let (_, rss_small) = run(&owned_small.iter().map(String::as_str).collect::<Vec<_>>());
    let rate = n as f64 / wall.as_secs_f64();
    println!(
        "throughput: {n} notes in {:.2} s = {:.0} notes/s ({} cores; bar: 100000 notes/s on 2 cores)",
        wall.as_secs_f64(),
        rate,
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    );
    match (rss_small, rss_big) {
        (Some(s), Some(b)) => println!(
            "peak memory: {} KiB at {} notes, {} KiB at {} notes (flat = streamed)",
            s,
            n / 4,
            b,
            n
        ),
        _ => println!("peak memory: /usr/bin/time not found; install `time` to measure it"),
    }

    let note = tempfile::Builder::new().suffix(".txt").tempfile().unwrap();
    std::fs::write(note.path(), NOTES[0].0).unwrap();
    let p = note.path().display().to_string();
    let mut times: Vec<Duration> = (0..21)
        .map(|_| run(&["check", "--rulebook", "general", &p]).0)
        .collect();
    times.sort();
    println!(
        "start-up: one note in {:.1} ms (median of 21; bar: 20 ms)",
        times[10].as_secs_f64() * 1e3
    );

    // The baseline matches every trigger phrase of the core pack, as the host's trigger pass does.
    let ws = tact::workspace::Workspace::load(tact::config::Project::default(), &[]);
    let phrases: Vec<String> = ws
        .rules
        .rules
        .values()
        .flat_map(|r| r.meta.triggers.clone())
        .chain(ws.rules.rules.values().flat_map(|r| {
            r.meta
                .trigger_options
                .iter()
                .filter_map(|o| r.meta.options.get(o)?.as_strings())
                .flatten()
                .map(str::to_owned)
                .collect::<Vec<_>>()
        }))
        .collect();
    let base = baseline(big.path(), &phrases);
    let base_rate = n as f64 / base.as_secs_f64();
    println!(
        "native baseline: one Aho-Corasick pass ({} phrases) over the same notes: {:.0} notes/s on one core",
        phrases.len(),
        base_rate
    );
    println!(
        "ratio: tact is {:.1}x slower than the baseline",
        base_rate / rate
    );
}
