//! PostgreSQL's own regression-test SQL (233 files vendored by libpg_query,
//! fetched by `scripts/fetch-pg-regress.sh`) through `shipgate lint`, one
//! file at a time: no hang, no panic, only the documented exit codes, one
//! JSON report on stdout, and a floor on the share of statements that
//! shipgate parses or recognises.
//!
//! Data directory: `SHIPGATE_PG_REGRESS_DIR`, default
//! `<CARGO_MANIFEST_DIR>/target/testdata/pg_regress`. When it is missing the
//! test is skipped, unless `SHIPGATE_REQUIRE_TESTDATA=1` (as in CI).

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::thread;
use std::time::{Duration, Instant};

/// Lowest accepted share of statements that are parsed or recognised
/// (`stats.statements - stats.unparsed_statements`) over the whole suite.
/// Measured at 99.88% (49,739 of 49,799) on pglast 8.8's copy of the suite;
/// most of the rest are not SQL (psql variables run as statements, the
/// suite's own syntax-error tests). Set a little below the measurement so
/// that a regression in the recogniser fails the test.
const MIN_RECOGNISED_SHARE: f64 = 0.995;

/// A file that takes longer than this is a hang.
const PER_FILE_TIMEOUT: Duration = Duration::from_secs(20);

/// Files linted at the same time (the CI machine has 2 cores).
const THREADS: usize = 2;

const FETCH_SCRIPT: &str = "scripts/fetch-pg-regress.sh";

/// Writes straight to the process's stderr, past the test harness's output
/// capture, so that the skip notice and the summary show in `cargo test`.
fn note(msg: &str) {
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "pg_regress: {msg}");
}

fn data_dir() -> PathBuf {
    match std::env::var_os("SHIPGATE_PG_REGRESS_DIR") {
        Some(d) if !d.is_empty() => PathBuf::from(d),
        _ => Path::new(env!("CARGO_MANIFEST_DIR")).join("target/testdata/pg_regress"),
    }
}

fn sql_files(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "sql"))
        .collect();
    files.sort();
    files
}

enum Outcome {
    /// Exit 0 or 1 with a JSON report: statements and unparsed statements.
    Linted { statements: u64, unparsed: u64 },
    /// Not linted: exit 2 (a file that is not text) or 3, with the exit code and why.
    NotEvaluated(u8, String),
    /// Anything the test must fail on.
    Failed(String),
}

struct FileResult {
    name: String,
    elapsed: Duration,
    outcome: Outcome,
}

/// Reads a child's pipe to the end on its own thread, so that a child
/// writing a big report never blocks on a full pipe while we poll it.
fn drain<R: Read + Send + 'static>(pipe: Option<R>) -> thread::JoinHandle<Vec<u8>> {
    thread::spawn(move || {
        let mut buf = Vec::new();
        if let Some(mut p) = pipe {
            let _ = p.read_to_end(&mut buf);
        }
        buf
    })
}

/// Waits for the child up to `limit`; `None` when it had to be killed.
fn wait_with_timeout(child: &mut Child, limit: Duration) -> Option<ExitStatus> {
    let start = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return Some(status),
            Ok(None) if start.elapsed() < limit => thread::sleep(Duration::from_millis(10)),
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                return None;
            }
        }
    }
}

fn first_line(s: &str) -> &str {
    s.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or("")
}

fn stats_of(stdout: &[u8]) -> Result<(u64, u64), String> {
    let report: serde_json::Value =
        serde_json::from_slice(stdout).map_err(|e| format!("stdout is not one JSON document: {e}"))?;
    let stat = |key: &str| {
        report
            .get("stats")
            .and_then(|s| s.get(key))
            .and_then(serde_json::Value::as_u64)
            .ok_or_else(|| format!("the JSON report has no numeric stats.{key}"))
    };
    Ok((stat("statements")?, stat("unparsed_statements")?))
}

/// `lint` runs from an empty folder outside every repository (git stops
/// looking above it): inside one, `lint` also runs the contract gate, which
/// reads that repository's code and the history of the last
/// `contract_min_age`, so the time per file would depend on this
/// repository's recent commits and on the clock. What this test checks is
/// the SQL path: reading, splitting, parsing, recognising and the rules.
fn lint_one(path: &Path, outside: &Path) -> FileResult {
    let name = path
        .file_name()
        .map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned());
    let start = Instant::now();
    let spawned = Command::new(env!("CARGO_BIN_EXE_shipgate"))
        .args(["lint", "--format", "json"])
        .arg(path)
        .current_dir(outside)
        .env("GIT_CEILING_DIRECTORIES", outside.parent().unwrap_or(outside))
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let mut child = match spawned {
        Ok(c) => c,
        Err(e) => {
            return FileResult {
                name,
                elapsed: start.elapsed(),
                outcome: Outcome::Failed(format!("could not start shipgate: {e}")),
            }
        }
    };
    let out = drain(child.stdout.take());
    let err = drain(child.stderr.take());
    let status = wait_with_timeout(&mut child, PER_FILE_TIMEOUT);
    let elapsed = start.elapsed();
    // After a kill the readers are left behind: a grandchild may still hold
    // the pipes open, and the verdict is a hang whatever they would read.
    let (stdout, stderr) = if status.is_some() {
        let stdout = out.join().unwrap_or_default();
        let stderr = String::from_utf8_lossy(&err.join().unwrap_or_default()).into_owned();
        (stdout, stderr)
    } else {
        (Vec::new(), String::new())
    };

    let outcome = match status {
        None => Outcome::Failed(format!("hang on {name}: killed after {} s", PER_FILE_TIMEOUT.as_secs())),
        Some(status) => {
            let code = status.code();
            if code.is_none() || code == Some(101) || stderr.contains("panicked") {
                let how = code.map_or_else(|| "killed by a signal".to_string(), |c| format!("exit {c}"));
                Outcome::Failed(format!("panic on {name} ({how}): {}", stderr.trim()))
            } else {
                match code {
                    Some(0) | Some(1) => match stats_of(&stdout) {
                        Ok((statements, unparsed)) => Outcome::Linted { statements, unparsed },
                        Err(e) => Outcome::Failed(format!("{name}: {e}; stderr: {}", stderr.trim())),
                    },
                    // A file that is not text (one of the suite's files is Windows-1252)
                    // is an input error: exit 2, with the finding that says why.
                    Some(2) => match rejected_input(&stdout) {
                        Some(why) => Outcome::NotEvaluated(2, why),
                        None => Outcome::Failed(format!("{name}: exit 2 without an invalid-migration-file finding")),
                    },
                    Some(3) if !first_line(&stderr).is_empty() => {
                        Outcome::NotEvaluated(3, first_line(&stderr).to_string())
                    }
                    Some(3) => Outcome::Failed(format!("{name}: exit 3 without a message on stderr")),
                    Some(c) => Outcome::Failed(format!("{name}: unexpected exit {c}; stderr: {}", stderr.trim())),
                    None => unreachable!("handled above"),
                }
            }
        }
    };
    FileResult { name, elapsed, outcome }
}

/// The message of an `invalid-migration-file` finding in an `error` report.
fn rejected_input(stdout: &[u8]) -> Option<String> {
    let v: serde_json::Value = serde_json::from_slice(stdout).ok()?;
    if v["verdict"] != "error" {
        return None;
    }
    let f = v["findings"]
        .as_array()?
        .iter()
        .find(|f| f["rule"] == "invalid-migration-file")?;
    Some(f["message"].as_str()?.to_string())
}

#[test]
fn postgres_regression_suite_lints_without_hang_or_panic() {
    let dir = data_dir();
    let files = sql_files(&dir);
    if files.is_empty() {
        let msg = format!(
            "no PostgreSQL regression SQL in {}: run `{FETCH_SCRIPT}` (or set SHIPGATE_PG_REGRESS_DIR)",
            dir.display()
        );
        if std::env::var("SHIPGATE_REQUIRE_TESTDATA").is_ok_and(|v| v == "1") {
            panic!("{msg}");
        }
        note(&format!("skipped: {msg}"));
        return;
    }

    // Absolute paths: `lint` runs from another folder.
    let files: Vec<PathBuf> = files.into_iter().map(|f| f.canonicalize().unwrap_or(f)).collect();
    let outside = tempfile::tempdir().expect("a temporary folder");
    let next = AtomicUsize::new(0);
    let results = Mutex::new(Vec::with_capacity(files.len()));
    let started = Instant::now();
    thread::scope(|s| {
        for _ in 0..THREADS {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(path) = files.get(i) else { break };
                let r = lint_one(path, outside.path());
                results.lock().unwrap_or_else(|e| e.into_inner()).push(r);
            });
        }
    });
    let wall = started.elapsed();
    let mut results = results.into_inner().unwrap_or_else(|e| e.into_inner());
    results.sort_by(|a, b| a.name.cmp(&b.name));

    let (mut statements, mut unparsed) = (0u64, 0u64);
    let mut failures = Vec::new();
    let mut not_evaluated = Vec::new();
    for r in &results {
        match &r.outcome {
            Outcome::Linted {
                statements: s,
                unparsed: u,
            } => {
                statements += s;
                unparsed += u;
            }
            Outcome::NotEvaluated(code, msg) => not_evaluated.push(format!("exit {code} on {}: {msg}", r.name)),
            Outcome::Failed(msg) => failures.push(msg.clone()),
        }
    }

    note(&format!(
        "{} files from {} in {:.1} s on {THREADS} threads",
        results.len(),
        dir.display(),
        wall.as_secs_f64()
    ));
    for line in &not_evaluated {
        note(&format!("not linted: {line}"));
    }
    let mut slowest: Vec<&FileResult> = results.iter().collect();
    slowest.sort_by_key(|r| std::cmp::Reverse(r.elapsed));
    let slowest: Vec<String> = slowest
        .iter()
        .take(5)
        .map(|r| format!("{} {:.2} s", r.name, r.elapsed.as_secs_f64()))
        .collect();
    note(&format!("slowest: {}", slowest.join(", ")));
    let recognised = statements.saturating_sub(unparsed);
    let share = if statements == 0 {
        0.0
    } else {
        recognised as f64 / statements as f64
    };
    note(&format!(
        "parsed or recognised: {recognised} of {statements} statements ({:.1}%)",
        share * 100.0
    ));

    assert!(
        failures.is_empty(),
        "{} of {} files failed:\n{}",
        failures.len(),
        results.len(),
        failures.join("\n")
    );
    assert!(
        statements > 0,
        "shipgate found no statements in {} files",
        results.len()
    );
    assert!(
        share >= MIN_RECOGNISED_SHARE,
        "parsed or recognised {:.1}% of statements, below the floor of {:.1}%",
        share * 100.0,
        MIN_RECOGNISED_SHARE * 100.0
    );
}
