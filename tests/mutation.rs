//! Bounded mutation test of every parser that reads a user's file (see
//! `shipgate::fuzz`): the repository's fixtures, mutated from a fixed seed
//! (cuts, splices, quotes, dollar quotes, comment markers, BOMs, NULs,
//! non-ASCII characters, invalid UTF-8), must never panic, and an exit code
//! must be 0, 1 or 2. A crashing input is saved as
//! `target/fuzz-crashes/<target>-<n>.bin`, named in the failure.
//!
//! Each target tries its inputs in the same order every run, up to
//! `MUTATIONS` or `BUDGET`, whichever comes first (about 20 s in all in a
//! debug build on a slow machine). `SHIPGATE_FUZZ_SECONDS=600` runs each
//! target that long with no count limit: the deep run without nightly
//! (`fuzz/` has the cargo-fuzz targets).

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use shipgate::fuzz::{check, Target, TARGETS};

const MUTATIONS: u64 = 3000;
const BUDGET: Duration = Duration::from_secs(4);

/// SplitMix64: small, fast, and the same sequence everywhere.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// A number below `n` (0 when `n` is 0).
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

/// What mutations insert: the characters that end or start a token, and
/// the bytes that broke parsers before (issue #17).
const PIECES: &[&[u8]] = &[
    b"'",
    b"''",
    b"\"",
    b"`",
    b"$$",
    b"$a$",
    b"$1",
    b"--",
    b"/*",
    b"*/",
    b"\n",
    b"\r\n",
    b";",
    b":",
    b"\\",
    b"E'\\u00e9'",
    b"U&'\\0441\\043B'",
    b"U&\"\\+01F600\"",
    "\"😀\"".as_bytes(),
    "\u{feff}".as_bytes(),
    b"\0",
    "—".as_bytes(),
    "é".as_bytes(),
    "😀".as_bytes(),
    b"\xff",
    b"\xc3",
    b"\xe2\x80",
    b"-- MIGRATION_APPROVED: reason\n",
    b"/* MIGRATION_APPROVED(ban-drop-column): r */",
    b"MIGRATION_APPROVED(",
    b"migration-approved:",
    b"|",
    b"| `x` | @o | on |\n",
    b"`",
    b"- ",
    b"  ",
    b"{",
    b"}",
    b"[",
    b"]",
    b"&a ",
    b"*a",
    b"!!",
    b"---\n",
    b"#",
    b"%",
    b"\"\\u0000\"",
    b"1e999",
    b"-1",
    b"99999999999999999999",
];

/// A byte offset, usually on a character boundary (so that mutations reach
/// past UTF-8 validation), sometimes anywhere.
fn offset(rng: &mut Rng, b: &[u8]) -> usize {
    let mut i = rng.below(b.len() + 1);
    if rng.below(8) != 0 {
        while i < b.len() && b[i] & 0xC0 == 0x80 {
            i += 1;
        }
    }
    i
}

/// One to four mutations of `input`; `other` is spliced from.
fn mutate(rng: &mut Rng, input: &[u8], other: &[u8]) -> Vec<u8> {
    let mut b = input.to_vec();
    for _ in 0..1 + rng.below(4) {
        match rng.below(9) {
            // A short window: the smallest inputs (`DO $$`, `''—`) break parsers most.
            7 => {
                let from = offset(rng, &b);
                let to = (from + 1 + rng.below(40)).min(b.len());
                b = b[from..to].to_vec();
            }
            // Append a piece (an unterminated quote or comment at the end).
            8 => {
                let piece = PIECES[rng.below(PIECES.len())];
                b.extend_from_slice(piece);
            }
            // Cut a range.
            0 => {
                let at = offset(rng, &b);
                let end = (at + 1 + rng.below(64)).min(b.len());
                b.drain(at..end);
            }
            // Keep a prefix or a suffix only.
            1 => {
                let at = offset(rng, &b);
                if rng.below(2) == 0 {
                    b.truncate(at);
                } else {
                    b.drain(..at);
                }
            }
            // Splice in a piece of another input.
            2 => {
                let from = offset(rng, other);
                let to = (from + rng.below(200)).min(other.len());
                let at = offset(rng, &b);
                b.splice(at..at, other[from..to].iter().copied());
            }
            // Duplicate a range.
            3 => {
                let from = offset(rng, &b);
                let to = (from + rng.below(80)).min(b.len());
                let piece = b[from..to].to_vec();
                let at = offset(rng, &b);
                b.splice(at..at, piece);
            }
            // Replace one byte.
            4 if !b.is_empty() => {
                let at = rng.below(b.len());
                b[at] = rng.next() as u8;
            }
            // A byte-order mark at the start.
            5 => {
                b.splice(0..0, "\u{feff}".bytes());
            }
            // Insert a piece.
            _ => {
                let piece = PIECES[rng.below(PIECES.len())];
                let at = offset(rng, &b);
                b.splice(at..at, piece.iter().copied());
            }
        }
    }
    b
}

/// Every file below `dir` whose name ends with one of `exts`, sorted.
fn files(dir: &Path, exts: &[&str], out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            files(&p, exts, out);
        } else if exts.iter().any(|e| p.to_string_lossy().ends_with(e)) {
            out.push(p);
        }
    }
}

/// The fixtures a target starts from.
fn seeds(target: &str) -> Vec<Vec<u8>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut paths = Vec::new();
    let (dirs, exts): (&[&str], &[&str]) = match target {
        "migration" => (&["fixtures/migration", "fixtures/demo"], &[".sql"]),
        "rollout" => (&["fixtures/rollouts", "fixtures/demo/rollouts"], &[".yml", ".yml.base"]),
        "flag_registry" => (&["fixtures/flags", "fixtures/demo/docs"], &[".md"]),
        "config" => (&["fixtures", "."], &["shipgate.yml", "shipgate.example.yml"]),
        "github_event" => (&["tests/fixtures/github/events"], &[".json"]),
        other => panic!("no seeds for `{other}`"),
    };
    for d in dirs {
        if *d == "." {
            paths.push(root.join("shipgate.example.yml"));
        } else {
            files(&root.join(d), exts, &mut paths);
        }
    }
    paths.dedup();
    // An alias bomb takes a second to refuse in a debug build: tests/rollouts.rs has it.
    paths.retain(|p| !p.to_string_lossy().contains("alias_bomb"));
    let seeds: Vec<Vec<u8>> = paths.iter().filter_map(|p| std::fs::read(p).ok()).collect();
    assert!(!seeds.is_empty(), "no seed files for `{target}`");
    seeds
}

/// Runs `input`; on a panic (or an exit code outside the contract) saves
/// it and names it in `crashes`.
fn try_one(target: &Target, input: &[u8], crashes: &mut Vec<String>) {
    if catch_unwind(AssertUnwindSafe(|| check((target.run)(input)))).is_ok() {
        return;
    }
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .map_or(PathBuf::from("target"), Path::to_path_buf)
        .join("fuzz-crashes");
    let _ = std::fs::create_dir_all(&dir);
    let path = dir.join(format!("{}-{}.bin", target.name, crashes.len()));
    let _ = std::fs::write(&path, input);
    crashes.push(path.display().to_string());
}

fn run(name: &str) {
    let target = TARGETS.iter().find(|t| t.name == name).expect("a target");
    let seeds = seeds(name);
    let deep = std::env::var("SHIPGATE_FUZZ_SECONDS")
        .ok()
        .and_then(|s| s.parse::<u64>().ok());
    let (count, budget) = match deep {
        Some(s) => (u64::MAX, Duration::from_secs(s)),
        None => (MUTATIONS, BUDGET),
    };
    let mut crashes = Vec::new();
    // The fixtures as they are, then each behind a BOM.
    for s in &seeds {
        try_one(target, s, &mut crashes);
        let bom: Vec<u8> = "\u{feff}".bytes().chain(s.iter().copied()).collect();
        try_one(target, &bom, &mut crashes);
    }
    let mut rng = Rng(0x5EED_0017);
    let start = Instant::now();
    let mut n = 0;
    while n < count && start.elapsed() < budget && crashes.len() < 10 {
        let seed = &seeds[n as usize % seeds.len()];
        let other = &seeds[rng.below(seeds.len())];
        let input = mutate(&mut rng, seed, other);
        try_one(target, &input, &mut crashes);
        n += 1;
    }
    eprintln!("{name}: {n} mutated inputs in {:.1?}", start.elapsed());
    assert!(
        crashes.is_empty(),
        "`{name}` panicked (the messages are above) on {} of {n} mutated inputs, saved as:\n{}",
        crashes.len(),
        crashes.join("\n")
    );
}

#[test]
fn migrations_never_panic() {
    run("migration");
}

#[test]
fn rollout_manifests_never_panic() {
    run("rollout");
}

#[test]
fn flag_registries_never_panic() {
    run("flag_registry");
}

#[test]
fn configs_never_panic() {
    run("config");
}

#[test]
fn github_event_payloads_never_panic() {
    run("github_event");
}

/// A byte-order mark at the start of a file changes nothing (issue #17):
/// the same exit code as without it.
#[test]
fn a_leading_bom_changes_no_verdict() {
    for target in TARGETS.iter().filter(|t| t.name != "github_event") {
        for s in seeds(target.name)
            .into_iter()
            .filter(|s| !s.starts_with("\u{feff}".as_bytes()))
        {
            let bom: Vec<u8> = "\u{feff}".bytes().chain(s.iter().copied()).collect();
            let (plain, with_bom) = ((target.run)(&s), (target.run)(&bom));
            assert_eq!(
                plain,
                with_bom,
                "{}: a BOM changed the exit code of\n{}",
                target.name,
                String::from_utf8_lossy(&s)
            );
        }
    }
}

/// Found by `fuzz/run.sh migration`: a `DROP CAST` whose statement ends
/// inside its parentheses (here, cut by goose's down marker) panicked in
/// the recogniser.
#[test]
fn a_drop_cast_cut_off_inside_its_parentheses_does_not_panic() {
    for sql in [
        "DROP CAST IF EXISTS (",
        "DROP CAST (text AS money",
        "-- +goose Up\nDROP CAST IF EXISTS (-- +goose Down\ntext AS money);\n",
    ] {
        assert_eq!(
            shipgate::fuzz::migration(sql.as_bytes()),
            Some(shipgate::app::ExitStatus::Blocked),
            "{sql}"
        );
    }
}
