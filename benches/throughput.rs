//! `cargo bench --bench throughput`: the speed bars of SPEC §7, measured on the
//! real binary and printed as figures (never asserted):
//! - throughput of `tact check --rulebook general` over JSONL batches of
//!   N/10, N and 5N notes (N = `TACT_BENCH_NOTES`, 200,000 by default: 20k,
//!   200k and 1M), with CPU time per note (less disturbed by other work on
//!   the machine than wall time) and peak memory (flat means streamed);
//! - the same over N/10 notes for every built-in rulebook;
//! - the per-rule cost table of `tact check --timings` (calls per note, µs
//!   per call), so a slow rule is visible;
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

/// What `/usr/bin/time` saw of a run: peak RSS in KiB and CPU seconds
/// (user + system), which a machine busy with other work disturbs less than
/// wall time.
#[derive(Clone, Copy)]
struct Usage {
    rss_kib: u64,
    cpu_s: f64,
}

/// Runs tact, returning wall time and, when `/usr/bin/time` is present, its usage.
fn run(args: &[&str]) -> (Duration, Option<Usage>) {
    let bin = env!("CARGO_BIN_EXE_tact");
    let time = std::path::Path::new("/usr/bin/time").exists();
    let mut cmd = if time {
        let mut c = Command::new("/usr/bin/time");
        c.args(["-f", "%M %U %S", bin]);
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
    let usage = if time {
        let stderr = String::from_utf8_lossy(&out.stderr);
        let last = stderr.lines().last().unwrap_or_default().to_owned();
        let mut f = last.split_whitespace();
        match (f.next(), f.next(), f.next()) {
            (Some(m), Some(u), Some(s)) => Some(Usage {
                rss_kib: m.parse().unwrap_or(0),
                cpu_s: u.parse::<f64>().unwrap_or(0.0) + s.parse::<f64>().unwrap_or(0.0),
            }),
            _ => None,
        }
    } else {
        None
    };
    (wall, usage)
}

/// [`run`] with owned arguments.
fn run_owned(args: &[String]) -> (Duration, Option<Usage>) {
    run(&args.iter().map(String::as_str).collect::<Vec<_>>())
}

/// The arguments of `tact check` with `rulebook`, JSON output, on `path`.
fn check_args(rulebook: &str, path: &std::path::Path) -> Vec<String> {
    ["check", "--rulebook", rulebook, "--format", "json"]
        .into_iter()
        .map(str::to_owned)
        .chain([path.display().to_string()])
        .collect()
}

/// One line of figures for a run over `n` notes.
fn figures(n: usize, wall: Duration, usage: Option<Usage>) -> String {
    let rate = n as f64 / wall.as_secs_f64();
    match usage {
        Some(u) => format!(
            "{rate:>8.0} notes/s  {:>6.1} µs CPU/note  {:>7} KiB peak",
            u.cpu_s * 1e6 / n as f64,
            u.rss_kib
        ),
        None => format!("{rate:>8.0} notes/s"),
    }
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
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    println!(
        "throughput with `general`, JSON to a file ({cores} cores; bar: 100000 notes/s on 2 cores):"
    );
    let mut rate = 0.0;
    let mut big_path = None;
    for size in [n / 10, n, n * 5] {
        let file = batch(size);
        let args = check_args("general", file.path());
        if size == n {
            let _ = run_owned(&args); // warm the page cache
        }
        let (wall, usage) = run_owned(&args);
        println!("  {size:>8} notes: {}", figures(size, wall, usage));
        if size == n {
            rate = size as f64 / wall.as_secs_f64();
            big_path = Some(file);
        }
    }
    let big = big_path.expect("the middle size ran");
    let per_book = batch(n / 10);
    println!("every rulebook, {} notes:", n / 10);
    // The built-in rulebooks are the files of `rulebooks/`.
    let mut books: Vec<String> =
        std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/rulebooks"))
            .unwrap()
            .filter_map(|e| Some(e.ok()?.path().file_stem()?.to_str()?.to_owned()))
            .collect();
    books.sort();
    for book in &books {
        let (wall, usage) = run_owned(&check_args(book, per_book.path()));
        println!("  {book:<14} {}", figures(n / 10, wall, usage));
    }

    // What each rule costs, as `tact check --timings` prints it for a user's own rules.
    let timed = std::process::Command::new(env!("CARGO_BIN_EXE_tact"))
        .args(check_args("general", per_book.path()))
        .arg("--timings")
        .stdout(Stdio::null())
        .output()
        .expect("tact runs");
    println!(
        "per-rule cost with `general`, {} notes (--timings):",
        n / 10
    );
    for line in String::from_utf8_lossy(&timed.stderr).lines() {
        println!("  {line}");
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
        .iter()
        .flat_map(|r| r.meta.triggers.clone())
        .chain(ws.rules.iter().flat_map(|r| {
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
