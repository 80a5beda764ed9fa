//! One entry point per parser of a user's file, each reading raw bytes the
//! way its gate reads the file and going on through the rules and every
//! report format. The bounded mutation test (`tests/mutation.rs`) and the
//! cargo-fuzz targets (`fuzz/`) call them: an input must never panic, and
//! an exit status, where one is computed, must be pass, blocked or invalid
//! input (never `NotEvaluated`: nothing here does I/O).

use std::path::Path;

use crate::app::{ExitStatus, Report};
use crate::config::Config;
use crate::report::{self, Format};

/// A parser under test: a name (for crash files) and what it runs.
pub struct Target {
    pub name: &'static str,
    /// Runs one input; returns the exit status it computes, if any.
    pub run: fn(&[u8]) -> Option<ExitStatus>,
}

/// Every parser that reads a user's file.
pub const TARGETS: &[Target] = &[
    Target {
        name: "migration",
        run: migration,
    },
    Target {
        name: "rollout",
        run: rollout,
    },
    Target {
        name: "flag_registry",
        run: flag_registry,
    },
    Target {
        name: "config",
        run: config,
    },
    Target {
        name: "github_event",
        run: github_event,
    },
];

/// What every input must give: an exit status other than `NotEvaluated`,
/// if any (a panic fails before this).
pub fn check(status: Option<ExitStatus>) {
    assert!(status != Some(ExitStatus::NotEvaluated), "exit status {status:?}");
}

/// The report in every format, as a user would see it; its exit status.
fn render_all(mut report: Report) -> ExitStatus {
    report.finish(&Config::default());
    for format in [
        Format::Human,
        Format::Json,
        Format::Sarif,
        Format::Github,
        Format::Markdown,
    ] {
        let _ = report::render(&report, format, false);
    }
    report.exit_status()
}

/// A migration: lexer, statement splitter, sqlparser and the recogniser,
/// approval comments, the migration rules, the reports.
pub fn migration(bytes: &[u8]) -> Option<ExitStatus> {
    let text = match crate::migration::sql_text(bytes) {
        Ok(t) => t.to_string(),
        Err(_) => return Some(ExitStatus::InvalidInput),
    };
    let file = crate::migration::MigrationFile::parse("m.sql", text, Default::default(), true);
    let mut catalog = crate::migration::schema_model::Catalog::default();
    catalog.begin_change();
    let opts = crate::rules::migration::EngineOptions {
        assume_lock_timeout: false,
    };
    let mut report = Report::default();
    report
        .findings
        .extend(crate::rules::migration::check_file(&file, &mut catalog, opts));
    report.sources.insert(file.path.clone(), file.src);
    Some(render_all(report))
}

/// A rollout manifest (also as its own base version): YAML, the JSON
/// Schema, the rollout rules, the reports.
pub fn rollout(bytes: &[u8]) -> Option<ExitStatus> {
    use crate::gates::rollouts::check_sources;
    use crate::manifest::{Base, Content, Source};
    let base = match std::str::from_utf8(bytes) {
        Ok(text) => Base::Present(text.to_string()),
        Err(_) => Base::NotCompared,
    };
    let source = Source {
        path: "rollouts/fuzz.yml".into(),
        content: Content::Bytes(bytes.to_vec()),
        base,
        checked: true,
        entered: None,
    };
    let mut report = Report::default();
    let opts = Config::default().rollouts;
    let registry = crate::flags::FlagRegistry::parse("docs/flags.md", FLAGS);
    // A root without files: rollback plans are looked up, never found.
    let root = Path::new("/nonexistent/shipgate-fuzz");
    check_sources(root, &opts, vec![source], Some(&registry), "docs/flags.md", &mut report);
    Some(render_all(report))
}

/// The flags the rollout fixtures name.
const FLAGS: &str = "| Flag | Owner | Default |\n|---|---|---|\n| `ingestion_v2_enabled` | @a | off |\n| `ingestion_enabled` | @a | on |\n";

/// The flag registry's Markdown, as `flags::load_registry` reads it, and the flag rules.
pub fn flag_registry(bytes: &[u8]) -> Option<ExitStatus> {
    let text = String::from_utf8_lossy(bytes);
    let registry = crate::flags::FlagRegistry::parse("docs/flags.md", &text);
    let today = chrono::NaiveDate::from_ymd_opt(2026, 1, 1)?;
    let naming = regex::Regex::new("^(?:[a-z][a-z0-9_]*)$").ok()?;
    let model = crate::rules::flags::FlagCx::new(
        &registry,
        &[],
        today,
        30,
        Some(("[a-z][a-z0-9_]*", &naming)),
        Some("feature_flags"),
    );
    let mut report = Report::default();
    report.stats.flags = registry.entries.len();
    report.findings.extend(registry.problems.iter().cloned());
    report.findings.extend(crate::rules::flags::check(&model));
    report.sources.insert(registry.path.clone(), registry.text.clone());
    Some(render_all(report))
}

/// `shipgate.yml`: YAML and the configuration's types; invalid input when it is invalid.
pub fn config(bytes: &[u8]) -> Option<ExitStatus> {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return Some(ExitStatus::InvalidInput);
    };
    match crate::config::parse(text) {
        Ok(_) => Some(ExitStatus::Pass),
        Err((message, pos)) => {
            let e = crate::config::ConfigError {
                path: "shipgate.yml".into(),
                message,
                pos,
                src: Some(text.to_string()),
            };
            let _ = report::config_error(&e, false);
            Some(ExitStatus::InvalidInput)
        }
    }
}

/// The GitHub event payload `ci` reads, as each event it supports.
pub fn github_event(bytes: &[u8]) -> Option<ExitStatus> {
    let mut status = ExitStatus::Pass;
    for name in ["pull_request", "pull_request_target", "merge_group", "push"] {
        if let Err(e) = crate::github::ci::parse_event(name, bytes) {
            status = status.worst(e.exit_status());
        }
    }
    Some(status)
}
