//! The flag gate as users see it.
//!
//! `fixtures/flags/<rule-id>/` holds `fail_*` and `pass_*` fixtures; each is a
//! small repository (a `docs/flags.md`, some code, sometimes a `shipgate.yml`
//! or migrations) checked with `shipgate check --only flags`. A `fail_*`
//! fixture must produce a finding of its rule; its human and JSON renderings
//! are an insta snapshot named `<rule-id>__<fixture>`. A `pass_*` fixture
//! must produce none of its rule. A new case is a new directory, no Rust.
//! "Today" is 2026-01-10 (`SHIPGATE_TODAY`) in every test here.

mod common;
use common::{describe, git, write, Fixture};

use std::path::Path;
use std::process::Command;

use shipgate::app::{Gate, Report};
use shipgate::config::Config;
use shipgate::registry::Domain;
use shipgate::report::{render, Format};

const FIXTURES: &str = "fixtures/flags";
const TODAY: &str = "2026-01-10";

fn set_today() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    // Set once, before any check of this process reads it.
    ONCE.call_once(|| std::env::set_var(shipgate::flags::TODAY_ENV, TODAY));
}

fn fixtures() -> Vec<Fixture> {
    common::fixtures(FIXTURES, false)
}

fn config_of(dir: &Path) -> Config {
    match shipgate::config::find(dir) {
        Some(p) => shipgate::config::load(&p).unwrap_or_else(|e| panic!("{e}")),
        None => Config::default(),
    }
}

fn check(dir: &Path, base: Option<&str>) -> Report {
    set_today();
    shipgate::app::check(dir, &config_of(dir), base, Some(Gate::Flags))
        .unwrap_or_else(|e| panic!("{}: check failed: {e}", dir.display()))
}

/// What the user sees: the human report, then the JSON one.
fn screen(report: &Report) -> String {
    format!(
        "{}\n----- json -----\n{}",
        render(report, Format::Human, false),
        render(report, Format::Json, false)
    )
}

#[test]
fn fixtures_are_named_after_flag_rules() {
    for f in fixtures() {
        let meta = shipgate::registry::find(&f.rule)
            .unwrap_or_else(|| panic!("{}: `{}` is not a rule id", f.path.display(), f.rule));
        assert_eq!(meta.domain, Domain::Flags, "{}", f.path.display());
    }
}

/// Flag rules that judge a change since a base commit, tested in tests/ci.rs
/// and here on git histories.
const NEEDS_A_BASE: &[&str] = &[
    "flag-env-default-mismatch",
    "kill-switch-removed",
    "beta-cutover-without-dual-read",
];

#[test]
fn every_flag_rule_has_failing_and_passing_fixtures() {
    // A rule on what a change does (`--base`) has no directory fixture:
    // tests/ci.rs runs it on a pull request.
    let missing = common::rules_without_fixtures(&fixtures(), Domain::Flags, FIXTURES, |id| NEEDS_A_BASE.contains(&id));
    assert!(missing.is_empty(), "rules without fixtures:\n{}", missing.join("\n"));
}

#[test]
fn fail_fixtures_produce_their_finding() {
    common::fail_fixtures_produce_their_finding(
        fixtures(),
        |f| check(&f.path, None),
        true,
        |f, report| insta::assert_snapshot!(f.snapshot_name(), screen(report)),
    );
}

#[test]
fn pass_fixtures_produce_no_finding_of_their_rule() {
    common::pass_fixtures_produce_no_finding_of_their_rule(fixtures(), |f| check(&f.path, None));
}

#[test]
fn real_markdown_registry_reads_every_flag() {
    let report = check(
        Path::new("fixtures/flags/invalid-flag-registry/pass_real_markdown"),
        None,
    );
    assert_eq!(report.stats.flags, 3, "{}", describe(&report));
    assert!(report.findings.is_empty(), "{}", describe(&report));
}

#[test]
fn bad_registries_point_at_the_line() {
    let at = |dir: &str| -> Vec<(usize, String)> {
        check(Path::new(&format!("{FIXTURES}/invalid-flag-registry/{dir}")), None)
            .findings
            .iter()
            .filter(|f| f.rule == "invalid-flag-registry")
            .map(|f| (f.location.unwrap().line, f.message.clone()))
            .collect()
    };
    let missing = at("fail_missing_columns");
    assert_eq!(missing.len(), 1);
    assert_eq!(missing[0].0, 3);
    assert!(missing[0].1.contains("`Owner` and `Default`"), "{missing:?}");
    let dup = at("fail_duplicate_flag");
    assert_eq!(
        dup,
        [(
            5,
            "Flag `new_checkout` is already documented at line 3, so this row is ignored".into()
        )]
    );
    let dates: Vec<usize> = at("fail_bad_date").into_iter().map(|d| d.0).collect();
    assert_eq!(dates, [3, 4, 5]);
    let cells: Vec<usize> = at("fail_wrong_cell_count").into_iter().map(|d| d.0).collect();
    assert_eq!(cells, [3, 4, 5, 5]);
}

#[test]
fn references_point_at_the_exact_match() {
    let report = check(Path::new("fixtures/flags/undocumented-flag/fail_code"), None);
    let f = report.findings.iter().find(|f| f.rule == "undocumented-flag").unwrap();
    assert_eq!(f.file.as_deref(), Some("src/checkout.ts"));
    let loc = f.location.unwrap();
    assert_eq!((loc.line, loc.column, loc.end_column), (7, 26, 42));
    let src = &report.sources["src/checkout.ts"];
    assert_eq!(&src[f.span.clone().unwrap()], "express_checkout");
}

#[test]
fn stats_count_documented_flags() {
    let report = check(Path::new("fixtures/flags/undocumented-flag/pass_documented"), None);
    assert_eq!(report.stats.flags, 3);
    let json: serde_json::Value = serde_json::from_str(&render(&report, Format::Json, false)).unwrap();
    assert_eq!(json["stats"]["flags"], 3);
    // `FEATURE_NEW_CHECKOUT` in `.env.example` and `NEXT_PUBLIC_FEATURE_NEW_CHECKOUT` are
    // `new_checkout`; `FEATURE_FLAGS_URL` configures the flag service, it is no flag.
    assert!(report.findings.is_empty(), "{}", describe(&report));
}

#[test]
fn no_registry_means_no_flag_gate() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join("a.ts"), "isEnabled(\"x\");\n").unwrap();
    let report = check(d.path(), None);
    assert!(report.findings.is_empty());
    assert_eq!(report.stats.flags, 0);
}

#[test]
fn binary_and_oversized_files_are_skipped() {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        "docs/flags.md",
        "| Flag | Owner | Default |\n|---|---|---|\n| `used` | @a | off |\n",
    );
    write(d.path(), "src/a.ts", "isEnabled(\"used\");\n");
    let mut bin = b"\0\x01\x02isEnabled(\"in_binary\");".to_vec();
    bin.extend(std::iter::repeat_n(b'x', 100));
    std::fs::write(d.path().join("src/blob.js"), bin).unwrap();
    let report = check(d.path(), None);
    assert!(report.findings.is_empty(), "{}", describe(&report));
}

#[test]
fn gitignored_files_are_not_searched() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), ".gitignore", "dist/\n");
    write(
        d.path(),
        "docs/flags.md",
        "| Flag | Owner | Default |\n|---|---|---|\n| `used` | @a | off |\n",
    );
    write(d.path(), "src/a.ts", "isEnabled(\"used\");\n");
    write(
        d.path(),
        "dist/bundle.js",
        "isEnabled(\"used\"); isEnabled(\"only_in_the_build\");\n",
    );
    write(d.path(), "node_modules/sdk/index.js", "isEnabled(\"vendored\");\n");
    let report = check(d.path(), None);
    assert!(report.findings.is_empty(), "{}", describe(&report));
    // Without the ignore rule, the build output counts.
    std::fs::remove_file(d.path().join(".gitignore")).unwrap();
    let report = check(d.path(), None);
    let rules: Vec<&str> = report.findings.iter().map(|f| f.rule).collect();
    assert_eq!(rules, ["undocumented-flag"], "{}", describe(&report));
}

#[test]
fn non_utf8_code_and_registry_do_not_panic() {
    let d = tempfile::tempdir().unwrap();
    let mut reg = b"| Flag | Owner | Default |\n|---|---|---|\n| `a\xff` | @\xfe | off |\n| `b` | @x | on |\n".to_vec();
    reg.extend(b"| \xe2\x82 | | |\n");
    write(d.path(), "src/x.ts", "");
    std::fs::create_dir_all(d.path().join("docs")).unwrap();
    std::fs::write(d.path().join("docs/flags.md"), reg).unwrap();
    std::fs::write(
        d.path().join("src/x.ts"),
        b"// caf\xe9\nisEnabled(\"b\"); isEnabled(\"\xc3\xa9t\xc3\xa9\");\n",
    )
    .unwrap();
    let report = check(d.path(), None);
    assert!(report.findings.iter().any(|f| f.rule == "invalid-flag-registry"));
    let _ = render(&report, Format::Human, false);
    let _ = render(&report, Format::Json, false);
}

#[test]
fn garbage_registries_never_panic() {
    let d = tempfile::tempdir().unwrap();
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let alphabet: &[u8] = b"|||-:` \\\n\nab_\t*[]()<>!#~\xc3\xa9";
    for _ in 0..60 {
        let mut text = b"| Flag | Owner | Default | Remove by |\n|---|---|---|---|\n".to_vec();
        for _ in 0..300 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            text.push(alphabet[(seed % alphabet.len() as u64) as usize]);
        }
        std::fs::create_dir_all(d.path().join("docs")).unwrap();
        std::fs::write(d.path().join("docs/flags.md"), &text).unwrap();
        let report = check(d.path(), None);
        let _ = render(&report, Format::Human, false);
    }
}

#[test]
fn base_reports_added_removed_and_changed_flags() {
    let d = tempfile::tempdir().unwrap();
    let head = "| Flag | Owner | Default | Type | Status | Remove by | Replaced by |\n|---|---|---|---|---|---|---|\n";
    write(
        d.path(),
        "docs/flags.md",
        format!("{head}| `new_checkout` | @payments | off | release | rollout | 2026-06-01 | |\n| `old_banner` | @growth | off | release | ga | 2026-02-01 | |\n"),
    );
    write(
        d.path(),
        "src/a.ts",
        "isEnabled(\"new_checkout\"); isEnabled(\"search_v2\");\n",
    );
    git(d.path(), &["init", "-q", "-b", "main"]);
    git(d.path(), &["add", "."]);
    git(d.path(), &["commit", "-q", "-m", "base"]);
    git(d.path(), &["checkout", "-q", "-b", "feature"]);
    write(
        d.path(),
        "docs/flags.md",
        format!("{head}| `new_checkout` | @payments | on | release | ga | 2026-06-01 | |\n| `search_v2` | @search | off | release | rollout | 2026-09-01 | |\n"),
    );
    let report = check(d.path(), Some("main"));
    let changes = serde_json::to_value(&report.changes).unwrap();
    assert_eq!(
        changes,
        serde_json::json!([
            {"kind": "flag-changed", "flag": "new_checkout", "file": "docs/flags.md", "line": 3,
             "fields": {"default": {"from": "off", "to": "on"}, "status": {"from": "rollout", "to": "ga"}}},
            {"kind": "flag-added", "flag": "search_v2", "file": "docs/flags.md", "line": 4,
             "fields": {"owner": "@search", "default": "off", "type": "release", "status": "rollout", "remove_by": "2026-09-01"}},
            {"kind": "flag-removed", "flag": "old_banner", "file": "docs/flags.md",
             "fields": {"owner": "@growth", "default": "off", "type": "release", "status": "ga", "remove_by": "2026-02-01"}},
        ])
    );
    let json: serde_json::Value = serde_json::from_str(&render(&report, Format::Json, false)).unwrap();
    assert_eq!(json["changes"], changes);
}

#[test]
fn base_reports_a_removed_kill_switch() {
    let d = tempfile::tempdir().unwrap();
    let head = "| Flag | Owner | Default | Type | Status | Remove by | Replaced by |\n|---|---|---|---|---|---|---|\n";
    let banner = "| `old_banner` | @growth | off | release | ga | 2026-02-01 | |\n";
    write(
        d.path(),
        "docs/flags.md",
        format!("{head}| `ingestion_enabled` | @sre | on | kill-switch | permanent | | |\n{banner}| `payments_enabled` | @sre | on | killswitch | permanent | | |\n"),
    );
    write(d.path(), "src/a.ts", "isEnabled(\"payments_enabled\");\n");
    git(d.path(), &["init", "-q", "-b", "main"]);
    git(d.path(), &["add", "."]);
    git(
        d.path(),
        &["commit", "-q", "-m", "base", "--date", "2026-01-03T10:00:00Z"],
    );
    let base = git(d.path(), &["rev-parse", "HEAD"]);
    git(d.path(), &["checkout", "-q", "-b", "feature"]);
    // The change removes a kill switch and a release flag, and keeps the other kill switch.
    write(
        d.path(),
        "docs/flags.md",
        format!("{head}| `payments_enabled` | @sre | on | killswitch | permanent | | |\n"),
    );
    git(
        d.path(),
        &[
            "commit",
            "-q",
            "-am",
            "clean up flags",
            "--date",
            "2026-01-09T10:00:00Z",
        ],
    );
    let report = check(d.path(), Some("main"));
    let removed: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.rule == "kill-switch-removed")
        .collect();
    assert_eq!(removed.len(), 1, "{}", describe(&report));
    assert_eq!(
        removed[0].message,
        format!(
            "This change removes the kill switch `ingestion_enabled` from `docs/flags.md` (its row was line 3 at the merge base {}), so the feature can no longer be turned off without a deploy",
            &base[..7]
        )
    );
    assert!(
        matches!(report.verdict(), shipgate::app::Verdict::Blocked),
        "{}",
        describe(&report)
    );
    // Without `--base` there is no change to judge.
    let report = check(d.path(), None);
    assert!(report.findings.iter().all(|f| f.rule != "kill-switch-removed"));
}

#[test]
fn today_comes_from_the_environment_and_a_bad_one_is_a_usage_error() {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        "docs/flags.md",
        "| Flag | Owner | Default | Remove by |\n|---|---|---|---|\n| `x` | @a | off | 2026-01-20 |\n",
    );
    write(d.path(), "src/a.ts", "isEnabled(\"x\");\n");
    let run = |today: &str| {
        Command::new(env!("CARGO_BIN_EXE_shipgate"))
            .args(["check", "--only", "flags", "--format", "json"])
            .current_dir(d.path())
            .env("NO_COLOR", "1")
            .env(shipgate::flags::TODAY_ENV, today)
            .output()
            .unwrap()
    };
    let rules = |o: &std::process::Output| -> Vec<String> {
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["rule"].as_str().unwrap().to_string())
            .collect()
    };
    let early = run("2025-12-01");
    assert_eq!(early.status.code(), Some(0));
    assert!(rules(&early).is_empty());
    let soon = run("2026-01-10");
    assert_eq!(soon.status.code(), Some(0));
    assert_eq!(rules(&soon), ["flag-remove-by-soon"]);
    let late = run("2026-01-21");
    assert_eq!(late.status.code(), Some(1));
    assert_eq!(rules(&late), ["flag-past-remove-by"]);
    let bad = run("tomorrow");
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("SHIPGATE_TODAY"));
}

#[test]
fn bad_flags_config_is_a_usage_error() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "docs/flags.md", "| Flag | Owner | Default |\n|---|---|---|\n");
    for (cfg, want) in [
        (
            "flags:\n  references:\n    - pattern: 'isOn\\(\"[a-z]+\"\\)'\n",
            "exactly one",
        ),
        ("flags:\n  naming: '[a-z'\n", "flags.naming"),
        ("flags:\n  registry: docs/missing.md\n", "docs/missing.md"),
    ] {
        write(d.path(), "shipgate.yml", cfg);
        let o = Command::new(env!("CARGO_BIN_EXE_shipgate"))
            .args(["check", "--only", "flags"])
            .current_dir(d.path())
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(2), "{cfg}");
        assert!(
            String::from_utf8_lossy(&o.stderr).contains(want),
            "{cfg}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
}

#[test]
fn demo_repository_exercises_the_registry() {
    let report = check(Path::new("fixtures/demo"), None);
    assert!(report.stats.flags >= 3, "{}", describe(&report));
    let rules: Vec<&str> = report.findings.iter().map(|f| f.rule).collect();
    for want in ["undocumented-flag", "flag-referenced-after-ga"] {
        assert!(rules.contains(&want), "demo lacks {want}:\n{}", describe(&report));
    }
    // Renders without panicking, with snippets from the registry and the code.
    let text = render(&report, Format::Human, false);
    assert!(text.contains("docs/flags.md:"), "{text}");
}

#[test]
fn init_writes_a_registry_skeleton_that_parses() {
    let d = tempfile::tempdir().unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_shipgate"))
        .args(["init"])
        .current_dir(d.path())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let text = std::fs::read_to_string(d.path().join("docs/flags.md")).unwrap();
    assert!(text.contains("| Flag | Owner | Default | Type | Status | Remove by | Replaced by |"));
    let reg = shipgate::flags::FlagRegistry::parse("docs/flags.md", &text);
    assert!(reg.problems.is_empty(), "{:?}", reg.problems);
    // What init wrote passes the flag gate.
    let o = Command::new(env!("CARGO_BIN_EXE_shipgate"))
        .args(["check", "--only", "flags", "--format", "json"])
        .current_dir(d.path())
        .env(shipgate::flags::TODAY_ENV, TODAY)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stdout));
}

#[test]
fn docs_list_every_builtin_pattern() {
    let docs = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/flag-registry.md")).unwrap();
    for b in shipgate::flags::patterns::BUILTINS {
        assert!(
            docs.contains(b.pattern),
            "docs/flag-registry.md does not show the built-in pattern\n{}",
            b.pattern
        );
    }
}

#[test]
fn an_unreadable_env_file_is_not_evaluated_and_a_deleted_one_is_a_change() {
    let d = tempfile::tempdir().unwrap();
    let head = "| Flag | Owner | Default | Type | Status | Remove by | Replaced by |\n|---|---|---|---|---|---|---|\n";
    write(
        d.path(),
        "docs/flags.md",
        format!("{head}| `new_checkout` | @payments | off | release | rollout | 2026-12-31 | |\n"),
    );
    write(d.path(), "src/a.ts", "isEnabled(\"new_checkout\");\n");
    write(d.path(), ".env.production", "FEATURE_NEW_CHECKOUT=false\n");
    git(d.path(), &["init", "-q", "-b", "main"]);
    git(d.path(), &["add", "."]);
    git(d.path(), &["commit", "-q", "-m", "base"]);
    git(d.path(), &["checkout", "-q", "-b", "feature"]);
    // Deleted: the value is gone, which is a change, not an error.
    std::fs::remove_file(d.path().join(".env.production")).unwrap();
    let report = check(d.path(), Some("main"));
    assert!(
        serde_json::to_string(&report.changes)
            .unwrap()
            .contains("FEATURE_NEW_CHECKOUT"),
        "{:?}",
        report.changes
    );
    // Not UTF-8: the gate cannot say what changed, so it is not evaluated.
    std::fs::write(d.path().join(".env.production"), b"FEATURE_NEW_CHECKOUT=\xff\n").unwrap();
    set_today();
    let err = shipgate::app::check(d.path(), &config_of(d.path()), Some("main"), Some(Gate::Flags)).unwrap_err();
    assert_eq!(err.exit_status(), shipgate::exit::ExitStatus::NotEvaluated, "{err}");
    assert!(err.to_string().contains(".env.production"), "{err}");
}

const REGISTRY_HEAD: &str =
    "| Flag | Owner | Default | Type | Status | Remove by | Replaced by |\n|---|---|---|---|---|---|---|\n";

/// A repository on `main` with `files`, committed; then the branch `change`.
fn repo_with(files: &[(&str, &str)]) -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    for (path, text) in files {
        write(d.path(), path, text);
    }
    git(d.path(), &["init", "-q", "-b", "main"]);
    git(d.path(), &["add", "."]);
    git(d.path(), &["commit", "-q", "-m", "base"]);
    d
}

fn findings_of<'r>(report: &'r Report, rule: &str) -> Vec<&'r shipgate::finding::Finding> {
    report.findings.iter().filter(|f| f.rule == rule).collect()
}

#[test]
fn base_reports_the_last_code_reference_of_a_kill_switch_removed() {
    let registry = format!(
        "{REGISTRY_HEAD}| `ingestion_enabled` | @sre | on | kill-switch | permanent | | |\n| `search_enabled` | @sre | on | ops | permanent | | |\n| `search_v2` | @search | off | release | rollout | | |\n"
    );
    // `search_enabled` is a kill switch through the manifest that names it.
    let manifest = "version: 1\nfeature: search\nowner: \"@search\"\nflag: search_v2\nkill_switch: search_enabled\ncurrent_phase: a\nphases:\n  - name: a\n    audience: { percentage: 0 }\n";
    let d = repo_with(&[
        ("docs/flags.md", &registry),
        ("rollouts/search.yml", manifest),
        ("src/ingest.ts", "if (isEnabled(\"ingestion_enabled\")) { run(); }\n"),
        (
            "src/worker.ts",
            "// worker\nconst on = isEnabled(\"ingestion_enabled\");\n",
        ),
        (
            "src/search.ts",
            "if (isEnabled(\"search_enabled\") && isEnabled(\"search_v2\")) {}\n",
        ),
    ]);
    let base = git(d.path(), &["rev-parse", "HEAD"]);
    git(d.path(), &["checkout", "-q", "-b", "change"]);
    // One reference of `ingestion_enabled` goes: another remains, so no finding yet.
    write(d.path(), "src/ingest.ts", "run();\n");
    git(d.path(), &["commit", "-q", "-am", "one"]);
    let report = check(d.path(), Some("main"));
    assert!(
        findings_of(&report, "kill-switch-removed").is_empty(),
        "{}",
        describe(&report)
    );
    // Then the last one (a deleted file; the first place at the base is named)
    // and the code reference of the manifest's kill switch.
    git(d.path(), &["rm", "-q", "src/worker.ts"]);
    write(d.path(), "src/search.ts", "if (isEnabled(\"search_v2\")) {}\n");
    git(d.path(), &["commit", "-q", "-am", "two"]);
    let report = check(d.path(), Some("main"));
    let found = findings_of(&report, "kill-switch-removed");
    let messages: Vec<&str> = found.iter().map(|f| f.message.as_str()).collect();
    assert_eq!(
        messages,
        [
            format!("This change removes the last code reference to the kill switch `ingestion_enabled` (`src/ingest.ts` line 1 at the merge base {}), so turning the flag off no longer turns the feature off", &base[..7]),
            format!("This change removes the last code reference to the kill switch `search_enabled` (`src/search.ts` line 1 at the merge base {}), so turning the flag off no longer turns the feature off", &base[..7]),
        ],
        "{}",
        describe(&report)
    );
    // At the registry row of each.
    assert_eq!(found[0].file.as_deref(), Some("docs/flags.md"));
    assert_eq!(found[0].location.unwrap().line, 3);
    assert!(matches!(report.verdict(), shipgate::app::Verdict::Blocked));
    // Without `--base`, no change to judge.
    let report = check(d.path(), None);
    assert!(findings_of(&report, "kill-switch-removed").is_empty());
}

/// The beta→GA cutover: `v1.0` reads `beta_workspaces` only; the change moves the code to `ga_workspaces`.
fn cutover_repo(dual_read_release: bool, config: Option<&str>) -> tempfile::TempDir {
    let registry = format!(
        "{REGISTRY_HEAD}| `beta_workspaces` | @crm | off | release | ga | 2026-06-01 | `ga_workspaces` |\n| `ga_workspaces` | @crm | off | release | rollout | 2026-09-01 | |\n"
    );
    let mut files = vec![
        ("docs/flags.md", registry.as_str()),
        ("src/ws.ts", "if (isEnabled(\"beta_workspaces\")) { show(); }\n"),
    ];
    if let Some(c) = config {
        files.push(("shipgate.yml", c));
    }
    let d = repo_with(&files);
    git(d.path(), &["tag", "v1.0"]);
    if dual_read_release {
        write(
            d.path(),
            "src/ws.ts",
            "if (isEnabled(\"ga_workspaces\") || isEnabled(\"beta_workspaces\")) { show(); }\n",
        );
        git(d.path(), &["commit", "-q", "-am", "dual read"]);
        git(d.path(), &["tag", "-a", "v1.1", "-m", "release 1.1"]);
    }
    git(d.path(), &["checkout", "-q", "-b", "change"]);
    write(d.path(), "src/ws.ts", "if (isEnabled(\"ga_workspaces\")) { show(); }\n");
    git(d.path(), &["commit", "-q", "-am", "cut over"]);
    d
}

#[test]
fn beta_cutover_before_a_release_reads_the_ga_flag_blocks() {
    let d = cutover_repo(false, None);
    let report = check(d.path(), Some("main"));
    let found = findings_of(&report, "beta-cutover-without-dual-read");
    assert_eq!(found.len(), 1, "{}", describe(&report));
    assert_eq!(
        found[0].message,
        "This change removes the last code reference to `beta_workspaces` (`src/ws.ts` line 1 at the merge base), but the latest release `v1.0` does not read `ga_workspaces` yet, so its instances lose the feature during the deploy"
    );
    assert_eq!(found[0].severity, shipgate::finding::Severity::Error);
    assert_eq!(found[0].location.unwrap().line, 3);
    assert!(matches!(report.verdict(), shipgate::app::Verdict::Blocked));
}

#[test]
fn beta_cutover_after_a_dual_read_release_passes() {
    let d = cutover_repo(true, None);
    let report = check(d.path(), Some("main"));
    assert!(
        findings_of(&report, "beta-cutover-without-dual-read").is_empty(),
        "{}",
        describe(&report)
    );
}

#[test]
fn beta_cutover_reads_the_release_tags_glob_and_says_when_no_tag_matches() {
    // `v1.1` reads both flags, but the releases are tagged `release-*`: none is.
    let d = cutover_repo(true, Some("flags:\n  release_tags: \"release-*\"\n"));
    let report = check(d.path(), Some("main"));
    let found = findings_of(&report, "beta-cutover-without-dual-read");
    assert_eq!(found.len(), 1, "{}", describe(&report));
    assert_eq!(found[0].severity, shipgate::finding::Severity::Note);
    assert_eq!(
        found[0].message,
        "This change removes the last code reference to `beta_workspaces`, and no tag matching `release-*` is reachable from HEAD, so whether the running release reads `ga_workspaces` is not known"
    );
    assert!(!matches!(report.verdict(), shipgate::app::Verdict::Blocked));
    // Tagging the release that reads only the beta flag makes it an error.
    git(d.path(), &["tag", "release-1", "v1.0"]);
    let report = check(d.path(), Some("main"));
    let found = findings_of(&report, "beta-cutover-without-dual-read");
    assert!(
        found[0]
            .message
            .contains("the latest release `release-1` does not read `ga_workspaces`"),
        "{}",
        describe(&report)
    );
}

#[test]
fn removing_a_beta_flag_without_a_ga_flag_is_not_a_cutover() {
    let registry = format!("{REGISTRY_HEAD}| `beta_reports` | @crm | off | release | beta | 2026-06-01 | |\n");
    let d = repo_with(&[
        ("docs/flags.md", &registry),
        ("src/r.ts", "if (isEnabled(\"beta_reports\")) {}\n"),
    ]);
    git(d.path(), &["tag", "v1.0"]);
    git(d.path(), &["checkout", "-q", "-b", "change"]);
    write(d.path(), "src/r.ts", "// reports dropped\n");
    git(d.path(), &["commit", "-q", "-am", "drop reports"]);
    let report = check(d.path(), Some("main"));
    assert!(
        findings_of(&report, "beta-cutover-without-dual-read").is_empty(),
        "{}",
        describe(&report)
    );
}
