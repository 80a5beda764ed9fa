//! Every migration rule shown on fixtures, as users see it.
//!
//! `fixtures/migration/<rule-id>/` holds `fail_*` fixtures, which must produce a
//! finding of the rule (the human rendering is an insta snapshot named
//! `<rule-id>__<fixture>`), and `pass_*` fixtures, the safe variants users
//! would write, which must produce none. A fixture is a `.sql` file, or a
//! directory linted as a whole when the case needs a framework layout
//! (`fail_supabase/supabase/migrations/..._idx.sql` runs in a transaction,
//! `pass_golang_migrate/000001_idx.up.sql` does not), with its own
//! `shipgate.yml` when the case needs configuration. A new case is a new
//! file, no Rust.

mod common;
use common::Fixture;

use shipgate::app::Report;
use shipgate::config::Config;
use shipgate::registry::Domain;
use shipgate::report::{render, Format};

const FIXTURES: &str = "fixtures/migration";

/// Migration rules that files alone cannot show: `modified-applied-migration`
/// needs git history, and the `dry-run-*` rules and `rollback-not-restoring`
/// judge what `shipgate dry-run` observed on a database (`tests/dryrun.rs`).
fn needs_more_than_files(rule: &str) -> bool {
    rule == "modified-applied-migration" || rule == "rollback-not-restoring" || rule.starts_with("dry-run-")
}

fn fixtures() -> Vec<Fixture> {
    // Integration tests run in the package root; linting relative paths keeps
    // every path in the output relative to the repository.
    common::fixtures(FIXTURES, true)
}

/// A fixture directory may hold its own `shipgate.yml`.
fn lint(f: &Fixture) -> Report {
    let own = f.path.join("shipgate.yml");
    let config = if own.is_file() {
        shipgate::config::load(&own).unwrap_or_else(|e| panic!("{e}"))
    } else {
        Config::default()
    };
    shipgate::app::lint(std::slice::from_ref(&f.path), None, &config)
        .unwrap_or_else(|e| panic!("{}: lint failed: {e}", f.path.display()))
}

#[test]
fn fixtures_are_named_after_migration_rules() {
    for f in fixtures() {
        let meta = shipgate::registry::find(&f.rule)
            .unwrap_or_else(|| panic!("{}: `{}` is not a rule id", f.path.display(), f.rule));
        assert_eq!(meta.domain, Domain::Migration, "{}", f.path.display());
    }
}

#[test]
fn every_migration_rule_has_failing_and_passing_fixtures() {
    let missing = common::rules_without_fixtures(&fixtures(), Domain::Migration, FIXTURES, needs_more_than_files);
    assert!(missing.is_empty(), "rules without fixtures:\n{}", missing.join("\n"));
}

#[test]
fn fail_fixtures_produce_their_finding() {
    common::fail_fixtures_produce_their_finding(fixtures(), lint, false, |f, report| {
        insta::assert_snapshot!(f.snapshot_name(), render(report, Format::Human, false))
    });
}

#[test]
fn pass_fixtures_produce_no_finding_of_their_rule() {
    common::pass_fixtures_produce_no_finding_of_their_rule(fixtures(), lint);
}
