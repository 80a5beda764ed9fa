//! Helpers shared by the integration tests: files and git in temp repositories.
#![allow(dead_code)]

use std::path::Path;
use std::process::Command;

/// Writes `bytes` at `rel` under `dir`, creating folders.
pub fn write(dir: &Path, rel: &str, bytes: impl AsRef<[u8]>) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, bytes).unwrap();
}

/// Runs git in `dir` with a fixed identity and default branch; returns its trimmed stdout.
pub fn git(dir: &Path, args: &[&str]) -> String {
    git_with(dir, args, &[])
}

/// [`git`] with the author and committer dates `date` (`2026-01-03T00:00:00Z`).
pub fn git_at(dir: &Path, date: &str, args: &[&str]) -> String {
    git_with(dir, args, &[("GIT_AUTHOR_DATE", date), ("GIT_COMMITTER_DATE", date)])
}

fn git_with(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> String {
    let o = Command::new("git")
        .args([
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@t",
            "-c",
            "init.defaultBranch=main",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .envs(env.iter().copied())
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).trim().to_string()
}

/// Fails unless `sarif` validates against OASIS's SARIF 2.1.0 schema
/// (`tests/fixtures/sarif/sarif-schema-2.1.0.json`).
pub fn assert_valid_sarif(sarif: &serde_json::Value) {
    static SCHEMA: std::sync::OnceLock<jsonschema::Validator> = std::sync::OnceLock::new();
    let validator = SCHEMA.get_or_init(|| {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sarif/sarif-schema-2.1.0.json");
        let mut schema: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        // The 2.1.0 text's `language` patterns have a stray `]` that strict
        // regex engines refuse; the OASIS errata reads them as below.
        for at in ["run", "toolComponent"] {
            let p = format!("/definitions/{at}/properties/language/pattern");
            *schema.pointer_mut(&p).unwrap() = "^[a-zA-Z]{2}(-[a-zA-Z]{2})?$".into();
        }
        jsonschema::options()
            .should_validate_formats(true)
            .build(&schema)
            .unwrap()
    });
    let errors: Vec<String> = validator
        .iter_errors(sarif)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "SARIF is not valid 2.1.0: {errors:#?}\n{sarif:#}");
}

/// A rule's fixture: `<root>/<rule-id>/fail_*` or `pass_*`.
#[derive(Debug)]
pub struct Fixture {
    pub rule: String,
    /// The file or directory name without `.sql`.
    pub stem: String,
    /// Relative to the package root, so reports show the paths users see.
    pub path: std::path::PathBuf,
    pub fail: bool,
}

impl Fixture {
    /// The insta snapshot's name: `<rule-id>__<stem>`.
    pub fn snapshot_name(&self) -> String {
        format!("{}__{}", self.rule, self.stem)
    }
}

/// Every fixture under `root` (relative to the package root, where
/// integration tests run), sorted: directories, and with `sql_files` also
/// `.sql` files. Any other entry, or a name not starting with `fail_` or
/// `pass_`, fails the test.
pub fn fixtures(root: &str, sql_files: bool) -> Vec<Fixture> {
    assert_eq!(
        std::env::current_dir().unwrap().canonicalize().unwrap(),
        Path::new(env!("CARGO_MANIFEST_DIR")).canonicalize().unwrap(),
        "tests must run in the package root"
    );
    let sorted = |dir: &Path| {
        let mut v: Vec<std::path::PathBuf> = std::fs::read_dir(dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|e| e.unwrap().path())
            .collect();
        v.sort();
        v
    };
    let name = |p: &Path| p.file_name().unwrap().to_string_lossy().into_owned();
    let mut out = Vec::new();
    for rule_dir in sorted(Path::new(root)).into_iter().filter(|p| p.is_dir()) {
        for path in sorted(&rule_dir) {
            let file = name(&path);
            assert!(
                path.is_dir() || (sql_files && file.ends_with(".sql")),
                "{}: a fixture is a directory{}",
                path.display(),
                if sql_files { " or a `.sql` file" } else { "" }
            );
            let stem = file.strip_suffix(".sql").unwrap_or(&file).to_string();
            let fail = stem.starts_with("fail_");
            assert!(
                fail || stem.starts_with("pass_"),
                "{}: fixture names start with `fail_` or `pass_`",
                path.display()
            );
            out.push(Fixture {
                rule: name(&rule_dir),
                stem,
                path,
                fail,
            });
        }
    }
    assert!(!out.is_empty(), "no fixtures under {root}");
    out
}

/// The findings of `report`, a line each, for assertion messages.
pub fn describe(report: &shipgate::app::Report) -> String {
    report
        .findings
        .iter()
        .map(|f| {
            let at = f
                .location
                .map(|l| format!(":{}:{}", l.line, l.column))
                .unwrap_or_default();
            format!(
                "  {} at {}{at}: {}",
                f.rule,
                f.file.as_deref().unwrap_or("-"),
                f.message
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// `s` as a regex that matches it literally (for snapshot filters).
pub fn regex_escape(s: &str) -> String {
    s.chars()
        .flat_map(|c| {
            let special = "\\.+*?()|[]{}^$#&-~".contains(c);
            special.then_some('\\').into_iter().chain(std::iter::once(c))
        })
        .collect()
}

/// The fixtures a domain is missing: `<root>/<rule-id>/fail_*` or `pass_*`
/// for each rule of `domain` that `exempt` does not excuse.
pub fn rules_without_fixtures(
    all: &[Fixture],
    domain: shipgate::registry::Domain,
    root: &str,
    exempt: impl Fn(&str) -> bool,
) -> Vec<String> {
    let mut missing = Vec::new();
    for meta in shipgate::registry::all() {
        if meta.domain != domain || exempt(meta.id) {
            continue;
        }
        for (fail, kind) in [(true, "fail_"), (false, "pass_")] {
            if !all.iter().any(|f| f.rule == meta.id && f.fail == fail) {
                missing.push(format!("{root}/{}/{kind}*", meta.id));
            }
        }
    }
    missing
}

/// Runs every `fail_*` fixture: each must produce a finding of its rule
/// (with a line, when it names a file and `with_line`), and `snapshot` checks
/// its rendering. Every snapshot is checked before the test fails, so one
/// review shows them all.
pub fn fail_fixtures_produce_their_finding(
    all: Vec<Fixture>,
    run: impl Fn(&Fixture) -> shipgate::app::Report,
    with_line: bool,
    snapshot: impl Fn(&Fixture, &shipgate::app::Report),
) {
    let mut problems = Vec::new();
    let mut mismatched = Vec::new();
    for f in all.into_iter().filter(|f| f.fail) {
        let report = run(&f);
        if !report.findings.iter().any(|x| x.rule == f.rule) {
            let found = describe(&report);
            problems.push(format!(
                "{}: no `{}` finding; found:\n{found}",
                f.path.display(),
                f.rule
            ));
            continue;
        }
        for finding in report.findings.iter().filter(|x| x.rule == f.rule) {
            if with_line && finding.location.is_none() && finding.file.is_some() {
                problems.push(format!("{}: `{}` has no line", f.path.display(), finding.message));
            }
        }
        let checked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| snapshot(&f, &report)));
        if checked.is_err() {
            mismatched.push(f.snapshot_name());
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
    assert!(
        mismatched.is_empty(),
        "snapshots differ (review with `cargo insta review`): {}",
        mismatched.join(", ")
    );
}

/// Runs every `pass_*` fixture: none may produce a finding of its rule.
pub fn pass_fixtures_produce_no_finding_of_their_rule(
    all: Vec<Fixture>,
    run: impl Fn(&Fixture) -> shipgate::app::Report,
) {
    let mut problems = Vec::new();
    for f in all.into_iter().filter(|f| !f.fail) {
        let report = run(&f);
        if report.findings.iter().any(|x| x.rule == f.rule) {
            let found = describe(&report);
            problems.push(format!(
                "{}: unexpected `{}`; found:\n{found}",
                f.path.display(),
                f.rule
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}
