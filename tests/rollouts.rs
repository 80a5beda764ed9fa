//! Rollout manifests as users see them. Every file of `fixtures/rollouts`
//! is a case (no Rust per case): `fail_<rule-id>*.yml` must produce that
//! rule's findings on the lines marked `# expect: <rule-id>`, and its human
//! and JSON output is snapshotted; `pass_*.yml` must produce nothing. Then
//! the binary: garbage input (exit 2, never a panic), `--base` phase
//! advances, `schema rollout`, `init` and the demo repository.

mod common;
use common::{git, git_at, write};

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use shipgate::app::Report;
use shipgate::config::Config;
use shipgate::finding::Severity;
use shipgate::flags::FlagRegistry;
use shipgate::manifest::{Base, Content, Source};
use shipgate::registry::Domain;
use shipgate::report::{render, Format};

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/rollouts")
}

/// The fixtures' flag registry, `fixtures/rollouts/docs/flags.md`, read by the flag gate's loader.
fn registry(root: &Path) -> FlagRegistry {
    shipgate::flags::load_registry(root, &Config::default(), &mut Report::default())
        .ok()
        .flatten()
        .expect("fixtures/rollouts/docs/flags.md is a flag registry")
}

/// One fixture: a manifest file, or a directory of manifests checked together.
struct Case {
    name: String,
    sources: Vec<Source>,
    /// (file, line, rule) marked with `# expect: <rule>`.
    expected: BTreeSet<(String, usize, String)>,
}

fn source(path: String, abs: &Path) -> (Source, Vec<(String, usize, String)>) {
    let bytes = std::fs::read(abs).unwrap();
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let expected = text
        .lines()
        .enumerate()
        .filter_map(|(i, l)| l.split("# expect:").nth(1).map(|r| (i + 1, r)))
        .flat_map(|(line, rules)| {
            rules
                .split(',')
                .map(|r| (path.clone(), line, r.trim().to_string()))
                .collect::<Vec<_>>()
        })
        .collect();
    let base_path = abs.with_file_name(format!("{}.base", abs.file_name().unwrap().to_string_lossy()));
    let base = match std::fs::read_to_string(&base_path) {
        Ok(text) => Base::Present(text),
        Err(_) => Base::NotCompared,
    };
    (
        Source {
            path,
            content: Content::Bytes(bytes),
            base,
            checked: true,
            entered: None,
        },
        expected,
    )
}

fn cases(prefix: &str) -> Vec<Case> {
    let mut names: Vec<String> = std::fs::read_dir(fixtures())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(prefix))
        .filter(|n| n.ends_with(".yml") || fixtures().join(n).is_dir())
        .collect();
    names.sort();
    names
        .into_iter()
        .map(|name| {
            let abs = fixtures().join(&name);
            let mut sources = Vec::new();
            let mut expected = BTreeSet::new();
            if abs.is_dir() {
                let mut files: Vec<String> = std::fs::read_dir(&abs)
                    .unwrap()
                    .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                    .filter(|n| n.ends_with(".yml"))
                    .collect();
                files.sort();
                for f in files {
                    let (s, e) = source(format!("{name}/{f}"), &abs.join(&f));
                    sources.push(s);
                    expected.extend(e);
                }
            } else {
                let (s, e) = source(name.clone(), &abs);
                sources.push(s);
                expected.extend(e);
            }
            Case {
                name,
                sources,
                expected,
            }
        })
        .collect()
}

fn run(case: &Case) -> Report {
    let root = fixtures();
    let config = Config::default();
    let registry = registry(&root);
    let mut report = Report::default();
    shipgate::gates::rollouts::check_sources(
        &root,
        &config.rollouts,
        case.sources.clone(),
        Some(&registry),
        "docs/flags.md",
        &mut report,
    );
    report.finish(&config);
    report
}

/// `fail_traffic-decrease_more.yml` → `traffic-decrease`.
fn rule_of(name: &str) -> &str {
    let rest = name.strip_prefix("fail_").unwrap();
    let rest = rest.strip_suffix(".yml").unwrap_or(rest);
    rest.split('_').next().unwrap()
}

#[test]
fn every_fail_fixture_lands_on_its_marked_lines() {
    let cases = cases("fail_");
    assert!(cases.len() > 20, "fixtures/rollouts has too few fail_ cases");
    for case in &cases {
        let rule = rule_of(&case.name);
        assert!(
            shipgate::registry::find(rule).is_some(),
            "{}: `{rule}` is not a rule id",
            case.name
        );
        let report = run(case);
        let found: BTreeSet<(String, usize, String)> = report
            .findings
            .iter()
            .map(|f| {
                let loc = f
                    .location
                    .unwrap_or_else(|| panic!("{}: finding without a line: {f:?}", case.name));
                (f.file.clone().unwrap(), loc.line, f.rule.to_string())
            })
            .collect();
        let want: BTreeSet<_> = case.expected.iter().filter(|(_, _, r)| r == rule).cloned().collect();
        let have: BTreeSet<_> = found.iter().filter(|(_, _, r)| r == rule).cloned().collect();
        assert!(!want.is_empty(), "{}: no `# expect: {rule}` marker", case.name);
        assert_eq!(
            have, want,
            "{}: findings of `{rule}` are not on the marked lines",
            case.name
        );
        for e in &case.expected {
            assert!(found.contains(e), "{}: expected {e:?}, found {found:?}", case.name);
        }
        let human = render(&report, Format::Human, false);
        let json = render(&report, Format::Json, false);
        let name = case.name.trim_end_matches(".yml");
        insta::assert_snapshot!(name, format!("{human}\n----- json -----\n{json}"));
    }
}

/// Rollout rules that need git history or a setting, tested below on real histories.
const NOT_FROM_A_FILE: &[&str] = &["phase-advanced-before-bake", "exposed-phase-without-bake"];

#[test]
fn every_rollout_rule_has_a_failing_fixture() {
    let names: BTreeSet<String> = cases("fail_").iter().map(|c| rule_of(&c.name).to_string()).collect();
    for meta in shipgate::registry::all() {
        if meta.domain == Domain::Rollout && !NOT_FROM_A_FILE.contains(&meta.id) {
            assert!(names.contains(meta.id), "no fixtures/rollouts/fail_{}*.yml", meta.id);
        }
    }
}

/// Warnings a `pass_` fixture may have, each with the reason it is right.
const ALLOWED_WARNINGS: &[(&str, &str, &str)] = &[(
    "pass_five_phase_ingestion.yml",
    "exit-threshold-loosened",
    "p99 ingestion latency 5m → 10m at 50% is a deliberate loosening; the warning is the reviewer's prompt",
)];

#[test]
fn pass_fixtures_produce_no_findings() {
    let cases = cases("pass_");
    assert!(cases.len() >= 5);
    for case in &cases {
        let report = run(case);
        let unexpected: Vec<String> = report
            .findings
            .iter()
            .filter(|f| {
                !ALLOWED_WARNINGS
                    .iter()
                    .any(|(file, rule, _)| *file == case.name && *rule == f.rule && f.severity == Severity::Warning)
            })
            .map(|f| {
                format!(
                    "{}:{:?} {} {}",
                    case.name,
                    f.location.map(|l| l.line),
                    f.rule,
                    f.message
                )
            })
            .collect();
        assert!(unexpected.is_empty(), "{}", unexpected.join("\n"));
        assert_eq!(report.exit_status(), shipgate::app::ExitStatus::Pass, "{}", case.name);
        assert_eq!(report.stats.manifests, case.sources.len(), "{}", case.name);
    }
}

#[test]
fn five_phase_plan_passes_with_exactly_the_documented_latency_warning() {
    let case = cases("pass_five_phase_ingestion").pop().unwrap();
    let report = run(&case);
    assert_eq!(report.findings.len(), 1, "{:#?}", report.findings);
    let f = &report.findings[0];
    assert_eq!((f.rule, f.severity), ("exit-threshold-loosened", Severity::Warning));
    assert!(f.message.contains("`p99_latency`") && f.message.contains("5m") && f.message.contains("10m"));
    let marked: Vec<usize> = case.expected.iter().map(|e| e.1).collect();
    assert_eq!(vec![f.location.unwrap().line], marked);
    assert_eq!(report.verdict(), shipgate::app::Verdict::Pass);
}

#[test]
fn phase_advance_names_the_new_phase_and_its_approvers() {
    let report = run(&cases("pass_phase_advance").pop().unwrap());
    assert_eq!(
        serde_json::to_value(&report.changes).unwrap(),
        serde_json::json!([{
            "kind": "phase-advance",
            "feature": "search-v2",
            "file": "pass_phase_advance.yml",
            "line": 9,
            "from": "canary",
            "to": "beta",
            "approvers": ["search-lead", "acme/release-managers"],
            "final": false,
        }])
    );
    let report = run(&cases("pass_phase_rollback").pop().unwrap());
    let changes = serde_json::to_value(&report.changes).unwrap();
    assert_eq!(report.changes.len(), 1);
    assert_eq!(changes[0]["kind"], "phase-rollback");
    assert_eq!(changes[0]["from"], "ga");
    assert_eq!(changes[0]["to"], "canary");
    assert_eq!(changes[0]["approvers"], serde_json::json!([]));
}

// ---------------------------------------------------------------- the binary

fn shipgate(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_shipgate"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {}{}", stdout(o), stderr(o)))
}

/// A manifest that passes every rollout rule, given `docs/flags.md` and the runbook of [`repo`].
const GOOD: &str = "\
version: 1
feature: search-v2
owner: \"@search\"
flag: search_v2_enabled
kill_switch: search_enabled
rollback_plan: docs/runbooks/search-v2.md
current_phase: canary
phases:
  - name: canary
    audience: { percentage: 5 }
    bake: 1d
    exit: [{ metric: error_rate, max: 1% }]
    rollback: [{ metric: error_rate, above: 2%, window: 15m }]
  - name: beta
    audience: { percentage: 10 }
    bake: 1d
    exit: [{ metric: error_rate, max: 1% }]
    rollback: [{ metric: error_rate, above: 2%, window: 15m }]
    approvers: [search-lead]
  - name: ga
    audience: { percentage: 100 }
    steps: [20, 40, 80]
    bake: 1d
    exit: [{ metric: error_rate, max: 1% }]
    rollback: [{ metric: error_rate, above: 2%, window: 15m }]
    approvers: [system-owner]
";

/// A repository with the registry and the runbook [`GOOD`] needs.
fn repo() -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        "docs/flags.md",
        "| Flag | Owner | Default | Type |\n|---|---|---|---|\n| `search_v2_enabled` | @search | off | release |\n| `search_enabled` | @sre | on | kill-switch |\n",
    );
    write(
        d.path(),
        "docs/runbooks/search-v2.md",
        "# Rollback\nTurn the flag off.\n",
    );
    d
}

/// Runs `check` on a repository whose only manifest is `bytes`, and asserts
/// a clear `invalid-rollout-manifest` error with exit 2 and no panic.
fn garbage(name: &str, bytes: &[u8], says: &str) -> serde_json::Value {
    let d = repo();
    write(d.path(), &format!("rollouts/{name}"), bytes);
    let started = Instant::now();
    let o = shipgate(&["check", ".", "--only", "rollouts", "--format", "json"], d.path());
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{name} took {:?}",
        started.elapsed()
    );
    assert_eq!(o.status.code(), Some(2), "{name}: {}{}", stdout(&o), stderr(&o));
    assert!(!stderr(&o).contains("panicked"), "{}", stderr(&o));
    let v = json(&o);
    assert_eq!(v["verdict"], "error", "{v}");
    let f = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "invalid-rollout-manifest")
        .unwrap_or_else(|| panic!("{name}: no invalid-rollout-manifest in {v}"))
        .clone();
    assert_eq!(f["file"], format!("rollouts/{name}"));
    assert!(f["line"].as_u64().is_some(), "{f}");
    assert!(f["message"].as_str().unwrap().contains(says), "{name}: {f}");
    // Every gate, in human output: the same error, with the place.
    let o = shipgate(&["check", "."], d.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(stdout(&o).contains("invalid-rollout-manifest"), "{}", stdout(&o));
    assert!(stdout(&o).contains("shipgate: error"), "{}", stdout(&o));
    f
}

#[test]
fn garbage_binary_manifest_exits_2() {
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x10";
    garbage("logo.yml", png, "binary");
}

#[test]
fn garbage_non_utf8_manifest_exits_2_at_the_byte() {
    let f = garbage("latin1.yml", b"version: 1\nfeature: caf\xe9\nowner: x\n", "not UTF-8");
    assert_eq!((f["line"].as_u64(), f["column"].as_u64()), (Some(2), Some(13)), "{f}");
}

#[test]
fn garbage_50_mb_manifest_exits_2_without_reading_it() {
    let line = "- { metric: error_rate, max: 1%, note: padding padding padding }\n";
    let body = line.repeat(50 * 1024 * 1024 / line.len() + 1);
    assert!(body.len() >= 50 << 20);
    garbage("huge.yml", body.as_bytes(), "50 MiB");
}

#[test]
fn garbage_billion_laughs_exits_2() {
    let mut s = String::from("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for i in 1..12 {
        let p = format!("*a{}", i - 1);
        s.push_str(&format!("a{i}: &a{i} [{}]\n", [p.as_str(); 10].join(", ")));
    }
    garbage("bomb.yml", s.as_bytes(), "alias bomb");
}

#[test]
fn garbage_deeply_nested_yaml_exits_2() {
    // The parser's own limit or ours, whichever comes first: both are a located YAML error.
    garbage("flow.yml", "[".repeat(200_000).as_bytes(), "not valid YAML");
    garbage("map.yml", "{a: ".repeat(50_000).as_bytes(), "not valid YAML");
    let mut block = String::new();
    for i in 0..500 {
        block.push_str(&" ".repeat(i * 2));
        block.push_str("k:\n");
    }
    garbage("block.yml", block.as_bytes(), "nests deeper than 64 levels");
}

#[test]
fn garbage_yaml_syntax_error_exits_2_with_the_line() {
    let f = garbage("broken.yml", b"version: 1\nphases: [\n  {name: a,\n", "not valid YAML");
    assert!(f["line"].as_u64().unwrap() >= 2, "{f}");
}

#[test]
fn a_good_manifest_passes_and_is_counted() {
    let d = repo();
    write(d.path(), "rollouts/search-v2.yml", GOOD);
    let o = shipgate(&["check", ".", "--only", "rollouts", "--format", "json"], d.path());
    let v = json(&o);
    assert_eq!(o.status.code(), Some(0), "{v}");
    assert_eq!(v["stats"]["manifests"], 1);
    assert_eq!(v["findings"], serde_json::json!([]));
}

#[test]
fn schema_errors_block_with_a_line_and_a_snippet() {
    let d = repo();
    write(d.path(), "rollouts/search-v2.yaml", GOOD.replace("    bake: 1d\n    exit: [{ metric: error_rate, max: 1% }]\n    rollback: [{ metric: error_rate, above: 2%, window: 15m }]\n  - name: beta", "    bake: 1 day\n    exit: [{ metric: error_rate, max: 1% }]\n    rollback: [{ metric: error_rate, above: 2%, window: 15m }]\n  - name: beta"));
    let o = shipgate(&["check", ".", "--only", "rollouts"], d.path());
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    let out = stdout(&o);
    assert!(out.contains("rollout-schema-violation"), "{out}");
    assert!(out.contains("rollouts/search-v2.yaml:11:11"), "{out}");
    assert!(out.contains("bake: 1 day"), "the snippet is shown: {out}");
}

#[test]
fn without_a_registry_the_flag_line_says_so() {
    let d = repo();
    std::fs::remove_file(d.path().join("docs/flags.md")).unwrap();
    write(d.path(), "rollouts/search-v2.yml", GOOD);
    let o = shipgate(&["check", ".", "--only", "rollouts", "--format", "json"], d.path());
    let v = json(&o);
    assert_eq!(o.status.code(), Some(1), "{v}");
    let flags: Vec<&serde_json::Value> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "unregistered-rollout-flag")
        .collect();
    assert_eq!(flags.len(), 1, "{v}");
    assert_eq!(flags[0]["line"], 4);
    assert!(flags[0]["message"]
        .as_str()
        .unwrap()
        .contains("No flag registry found at `docs/flags.md`"));
}

#[test]
fn require_kill_switch_makes_it_an_error() {
    let d = repo();
    write(
        d.path(),
        "rollouts/search-v2.yml",
        GOOD.replace("kill_switch: search_enabled\n", ""),
    );
    let o = shipgate(&["check", ".", "--only", "rollouts", "--format", "json"], d.path());
    assert_eq!(o.status.code(), Some(0), "a warning by default: {}", stdout(&o));
    assert_eq!(json(&o)["findings"][0]["rule"], "missing-kill-switch");
    write(d.path(), "shipgate.yml", "rollouts:\n  require_kill_switch: true\n");
    let o = shipgate(&["check", ".", "--only", "rollouts", "--format", "json"], d.path());
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert_eq!(json(&o)["findings"][0]["severity"], "error");
}

#[test]
fn paths_and_step_options_come_from_config() {
    let d = repo();
    write(
        d.path(),
        "deploy/plans/search.yml",
        GOOD.replace("    steps: [20, 40, 80]\n", "    steps: [40]\n"),
    );
    let o = shipgate(&["check", ".", "--only", "rollouts", "--format", "json"], d.path());
    assert_eq!(json(&o)["stats"]["manifests"], 0, "not under the default paths");
    write(
        d.path(),
        "shipgate.yml",
        "rollouts:\n  paths: [\"deploy/plans/*.yml\"]\n",
    );
    let o = shipgate(&["check", ".", "--only", "rollouts", "--format", "json"], d.path());
    let v = json(&o);
    assert_eq!(v["stats"]["manifests"], 1);
    assert_eq!(v["findings"][0]["rule"], "traffic-step-too-large", "{v}");
    write(
        d.path(),
        "shipgate.yml",
        "rollouts:\n  paths: [\"deploy/plans/*.yml\"]\n  max_step_factor: 4\n",
    );
    let o = shipgate(&["check", ".", "--only", "rollouts", "--format", "json"], d.path());
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    write(d.path(), "shipgate.yml", "rollouts:\n  max_step_factor: 0.5\n");
    let o = shipgate(&["check", ".", "--only", "rollouts"], d.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("greater than 1"), "{}", stderr(&o));
}

#[test]
fn base_reports_phase_advances_rollbacks_and_skips() {
    let d = repo();
    let p = d.path();
    git(p, &["init", "-q"]);
    write(p, "rollouts/search-v2.yml", GOOD);
    write(
        p,
        "rollouts/other.yml",
        GOOD.replace("feature: search-v2", "feature: other"),
    );
    git(p, &["add", "."]);
    // `canary` was entered long enough ago for its bake (1d) to have passed.
    commit_at(p, "2026-01-01T00:00:00Z", "base");
    git(p, &["checkout", "-qb", "advance"]);

    // Unchanged manifests are not reported.
    let o = shipgate(
        &["check", ".", "--only", "rollouts", "--base", "main", "--format", "json"],
        p,
    );
    let v = json(&o);
    assert_eq!(v["stats"]["manifests"], 0, "{v}");
    assert_eq!(v["changes"], serde_json::json!([]));

    write(
        p,
        "rollouts/search-v2.yml",
        GOOD.replace("current_phase: canary", "current_phase: beta"),
    );
    let o = shipgate(
        &["check", ".", "--only", "rollouts", "--base", "main", "--format", "json"],
        p,
    );
    let v = json(&o);
    assert_eq!(o.status.code(), Some(0), "{v}");
    assert_eq!(
        v["changes"],
        serde_json::json!([{"kind": "phase-advance", "feature": "search-v2", "file": "rollouts/search-v2.yml",
            "line": 7, "from": "canary", "to": "beta", "approvers": ["search-lead"], "final": false}])
    );

    write(
        p,
        "rollouts/search-v2.yml",
        GOOD.replace("current_phase: canary", "current_phase: ga"),
    );
    let o = shipgate(
        &["check", ".", "--only", "rollouts", "--base", "main", "--format", "json"],
        p,
    );
    let v = json(&o);
    assert_eq!(o.status.code(), Some(1), "{v}");
    assert_eq!(v["findings"][0]["rule"], "phase-skipped");
    assert_eq!(v["findings"][0]["line"], 7);
    assert_eq!(
        v["changes"][0]["approvers"],
        serde_json::json!(["search-lead", "system-owner"])
    );

    git(p, &["commit", "-qam", "ga"]);
    git(p, &["checkout", "-qb", "back"]);
    write(p, "rollouts/search-v2.yml", GOOD);
    let o = shipgate(
        &[
            "check", ".", "--only", "rollouts", "--base", "advance", "--format", "json",
        ],
        p,
    );
    let v = json(&o);
    assert_eq!(o.status.code(), Some(0), "{v}");
    assert_eq!(v["changes"][0]["kind"], "phase-rollback");
    assert_eq!(v["changes"][0]["approvers"], serde_json::json!([]));
}

#[test]
fn duplicate_features_across_manifests_point_at_the_second() {
    let d = repo();
    write(d.path(), "rollouts/a.yml", GOOD);
    write(d.path(), "rollouts/b.yml", GOOD);
    let o = shipgate(&["check", ".", "--only", "rollouts", "--format", "json"], d.path());
    let v = json(&o);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(v["findings"][0]["rule"], "duplicate-feature-id");
    assert_eq!(v["findings"][0]["file"], "rollouts/b.yml");
    assert_eq!(v["findings"][0]["line"], 2);
}

#[test]
fn schema_rollout_prints_the_checked_in_schema() {
    let d = tempfile::tempdir().unwrap();
    let o = shipgate(&["schema", "rollout"], d.path());
    assert_eq!(o.status.code(), Some(0));
    let printed: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let file: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(fixtures().join("../../schemas/rollout.schema.json")).unwrap())
            .unwrap();
    assert_eq!(printed, file);
    assert_eq!(printed["$schema"], "https://json-schema.org/draft/2020-12/schema");
}

#[test]
fn init_writes_an_example_manifest_that_passes() {
    let d = tempfile::tempdir().unwrap();
    let o = shipgate(&["init"], d.path());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let example = std::fs::read_to_string(d.path().join("rollouts/example.yml")).unwrap();
    assert!(example.contains("# "), "the example is commented");
    let o = shipgate(&["check", ".", "--only", "rollouts", "--format", "json"], d.path());
    let v = json(&o);
    assert_eq!(o.status.code(), Some(0), "{v}");
    assert_eq!(v["stats"]["manifests"], 1);
    assert_eq!(v["findings"], serde_json::json!([]), "{v}");
}

#[test]
fn the_demo_repository_covers_its_rollout_manifest() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let o = shipgate(&["check", "fixtures/demo", "--format", "json"], root);
    let v = json(&o);
    assert!(v["stats"]["manifests"].as_u64().unwrap() >= 1, "{v}");
    let rollout_errors: Vec<&serde_json::Value> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["file"].as_str().is_some_and(|p| p.starts_with("rollouts/")) && f["severity"] == "error")
        .collect();
    assert!(rollout_errors.is_empty(), "{rollout_errors:#?}");
    let o = shipgate(
        &["check", "fixtures/demo", "--only", "rollouts", "--format", "json"],
        root,
    );
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
}

#[test]
fn base_reports_a_manifest_that_loses_its_kill_switch() {
    let d = repo();
    let p = d.path();
    git(p, &["init", "-q", "-b", "main"]);
    write(p, "rollouts/search-v2.yml", GOOD);
    git(p, &["add", "."]);
    git(p, &["commit", "-qm", "base", "--date", "2026-01-03T10:00:00Z"]);
    git(p, &["checkout", "-qb", "cleanup"]);
    write(
        p,
        "rollouts/search-v2.yml",
        GOOD.replace("kill_switch: search_enabled\n", ""),
    );
    git(
        p,
        &[
            "commit",
            "-qam",
            "drop the kill switch",
            "--date",
            "2026-01-05T10:00:00Z",
        ],
    );
    let args = ["check", ".", "--only", "rollouts", "--base", "main", "--format", "json"];
    let o = shipgate(&args, p);
    let v = json(&o);
    assert_eq!(o.status.code(), Some(1), "{v}");
    let removed: Vec<&serde_json::Value> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "kill-switch-removed")
        .collect();
    assert_eq!(removed.len(), 1, "{v}");
    assert_eq!(removed[0]["file"], "rollouts/search-v2.yml");
    assert!(
        removed[0]["message"]
            .as_str()
            .unwrap()
            .contains("removes `kill_switch: search_enabled` from the rollout manifest"),
        "{v}"
    );
    // Without `--base`, only the warning that the manifest has none.
    let o = shipgate(&["check", ".", "--only", "rollouts", "--format", "json"], p);
    let v = json(&o);
    assert_eq!(o.status.code(), Some(0), "{v}");
    assert!(v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f["rule"] != "kill-switch-removed"));
}

/// `git commit -qam <message>` with author and committer dates `date`; the new commit.
fn commit_at(dir: &Path, date: &str, message: &str) -> String {
    git_at(dir, date, &["commit", "-qam", message]);
    git(dir, &["rev-parse", "HEAD"])
}

/// [`GOOD`] with a 5-day bake in `beta`, at `current_phase: <phase>`.
fn baked(phase: &str) -> String {
    GOOD.replace(
        "audience: { percentage: 10 }\n    bake: 1d",
        "audience: { percentage: 10 }\n    bake: 5d",
    )
    .replace("current_phase: canary", &format!("current_phase: {phase}"))
}

/// `main`: canary on 2026-01-01, `beta` entered 2026-01-03 (returned), an
/// unrelated edit in `beta` on 2026-01-03 12:00.
fn bake_history() -> (tempfile::TempDir, String) {
    let d = repo();
    let p = d.path();
    git(p, &["init", "-q", "-b", "main"]);
    write(p, "rollouts/search-v2.yml", baked("canary"));
    git(p, &["add", "."]);
    commit_at(p, "2026-01-01T00:00:00Z", "canary");
    write(p, "rollouts/search-v2.yml", baked("beta"));
    let entered = commit_at(p, "2026-01-03T00:00:00Z", "enter beta");
    write(
        p,
        "rollouts/search-v2.yml",
        baked("beta").replace("owner: \"@search\"", "owner: \"@search-team\""),
    );
    commit_at(p, "2026-01-03T12:00:00Z", "new owner");
    (d, entered)
}

fn findings_of(v: &serde_json::Value, rule: &str) -> Vec<serde_json::Value> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == rule)
        .cloned()
        .collect()
}

/// `check --base main` in `p` is blocked by one `phase-advanced-before-bake`: that finding.
fn blocked_by_bake(p: &Path) -> serde_json::Value {
    let o = shipgate(
        &["check", ".", "--only", "rollouts", "--base", "main", "--format", "json"],
        p,
    );
    let v = json(&o);
    assert_eq!(o.status.code(), Some(1), "{v}");
    let found = findings_of(&v, "phase-advanced-before-bake");
    assert_eq!(found.len(), 1, "{v}");
    found[0].clone()
}

#[test]
fn leaving_a_phase_before_its_bake_blocks_and_after_it_passes() {
    let (d, entered) = bake_history();
    let p = d.path();
    let args = ["check", ".", "--only", "rollouts", "--base", "main", "--format", "json"];
    // Left after 1 day 4 hours, with a bake of 5 days.
    git(p, &["checkout", "-qb", "early"]);
    let ga = baked("ga").replace("owner: \"@search\"", "owner: \"@search-team\"");
    write(p, "rollouts/search-v2.yml", &ga);
    commit_at(p, "2026-01-04T04:00:00Z", "to ga");
    let found = blocked_by_bake(p);
    assert_eq!(
        found["message"],
        format!("`beta` entered 2026-01-03 ({}) with bake 5d; leaving after 1d 4h, so `ga` reaches its audience before `beta` was observed for its bake time", &entered[..7])
    );
    assert_eq!(found["line"], 7, "at `current_phase`: {found}");
    // Left after 6 days: the bake has passed.
    git(p, &["checkout", "-q", "main"]);
    git(p, &["checkout", "-qb", "late"]);
    write(p, "rollouts/search-v2.yml", &ga);
    commit_at(p, "2026-01-09T00:00:00Z", "to ga");
    let o = shipgate(&args, p);
    let v = json(&o);
    assert_eq!(o.status.code(), Some(0), "{v}");
    assert!(findings_of(&v, "phase-advanced-before-bake").is_empty(), "{v}");
    // Without `--base` there is no change to judge.
    git(p, &["checkout", "-q", "early"]);
    let o = shipgate(&["check", ".", "--only", "rollouts", "--format", "json"], p);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
}

#[test]
fn a_change_that_shortens_the_bake_and_advances_is_judged_by_the_agreed_bake() {
    let (d, entered) = bake_history();
    let p = d.path();
    // `beta` was agreed at 5d; this change makes it 1d and leaves after 1d 4h.
    git(p, &["checkout", "-qb", "shorten"]);
    let ga = baked("ga").replace(
        "audience: { percentage: 10 }\n    bake: 5d",
        "audience: { percentage: 10 }\n    bake: 1d",
    );
    assert!(ga.contains("bake: 1d") && !ga.contains("bake: 5d"), "{ga}");
    write(p, "rollouts/search-v2.yml", &ga);
    commit_at(p, "2026-01-04T04:00:00Z", "shorten beta and go ga");
    assert_eq!(
        blocked_by_bake(p)["message"],
        format!("`beta` entered 2026-01-03 ({}) with bake 5d (shortened to 1d in this change); leaving after 1d 4h, so `ga` reaches its audience before `beta` was observed for its bake time", &entered[..7])
    );
    // Shortening alone, without advancing, is a reviewed change of the plan.
    git(p, &["checkout", "-q", "main"]);
    git(p, &["checkout", "-qb", "only-shorten"]);
    write(
        p,
        "rollouts/search-v2.yml",
        ga.replace("current_phase: ga", "current_phase: beta"),
    );
    commit_at(p, "2026-01-04T04:00:00Z", "shorten beta");
    let o = shipgate(
        &["check", ".", "--only", "rollouts", "--base", "main", "--format", "json"],
        p,
    );
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
}

#[test]
fn a_shallow_clone_cannot_tell_how_long_a_phase_baked() {
    let (d, _) = bake_history();
    let p = d.path();
    git(p, &["checkout", "-qb", "advance"]);
    write(p, "rollouts/search-v2.yml", baked("ga"));
    commit_at(p, "2026-01-09T00:00:00Z", "to ga");
    let shallow = tempfile::tempdir().unwrap();
    let url = format!("file://{}", p.display());
    let dest = shallow.path().join("c");
    git(
        shallow.path(),
        &[
            "clone",
            "-q",
            "--depth",
            "2",
            "--no-single-branch",
            "--branch",
            "advance",
            &url,
            "c",
        ],
    );
    let args = [
        "check",
        ".",
        "--only",
        "rollouts",
        "--base",
        "origin/main",
        "--format",
        "json",
    ];
    let o = shipgate(&args, &dest);
    assert_eq!(o.status.code(), Some(3), "never a pass: {}{}", stdout(&o), stderr(&o));
    assert!(stderr(&o).contains("fetch-depth: 0"), "{}", stderr(&o));
    assert!(stderr(&o).contains("phase-advanced-before-bake"), "{}", stderr(&o));
    // With the history, the same change passes (6 days in `beta`).
    let o = shipgate(
        &["check", ".", "--only", "rollouts", "--base", "main", "--format", "json"],
        p,
    );
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
}

#[test]
fn require_bake_makes_bake_required_on_every_exposed_phase() {
    let d = repo();
    write(
        d.path(),
        "rollouts/search-v2.yml",
        GOOD.replace(
            "audience: { percentage: 10 }\n    bake: 1d\n",
            "audience: { percentage: 10 }\n",
        ),
    );
    let args = ["check", ".", "--only", "rollouts", "--format", "json"];
    let o = shipgate(&args, d.path());
    assert_eq!(o.status.code(), Some(0), "not required by default: {}", stdout(&o));
    write(d.path(), "shipgate.yml", "rollouts:\n  require_bake: true\n");
    let o = shipgate(&args, d.path());
    let v = json(&o);
    assert_eq!(o.status.code(), Some(1), "{v}");
    let found = findings_of(&v, "exposed-phase-without-bake");
    assert_eq!(found.len(), 1, "only `beta` lacks one: {v}");
    assert_eq!(found[0]["line"], 14, "{v}");
    assert!(found[0]["message"].as_str().unwrap().contains("`beta`"), "{v}");
}
