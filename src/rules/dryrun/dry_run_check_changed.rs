//! `dry_run.checks`: a validation query whose result the pending migrations
//! changed, or that PostgreSQL rejected.
use super::statement_failed::RULE as DRY_RUN_STATEMENT_FAILED;
use crate::config::dryrun::Expect;
use crate::dryrun::checks::{CheckRun, Rows};
use crate::finding::Finding;

crate::declare_rule! {
    /// ## What it does
    /// Flags a validation query of `dry_run.checks` whose result after the
    /// pending migrations is not what it expects: `unchanged` (the default)
    /// compares the rows with the result before the migrations, `equal` with a
    /// value. Each query runs inside the dry run's rolled-back transaction,
    /// once before the migrations and once after them.
    ///
    /// A grouped query is compared row by row. The last column is the value
    /// and the others name the row, so the finding shows what moved:
    /// "cases per status: open 500 → 750".
    ///
    /// ```yaml
    /// dry_run:
    ///   checks:
    ///     - name: cases per status
    ///       sql: SELECT status, count(*) FROM cases GROUP BY status
    ///     - name: orphaned members
    ///       sql: SELECT count(*) FROM members m LEFT JOIN teams t ON t.id = m.team_id WHERE t.id IS NULL
    ///       expect: { equal: 0 }
    /// ```
    ///
    /// A query that PostgreSQL rejects is `dry-run-statement-failed` for that
    /// check, with PostgreSQL's message.
    ///
    /// ## Why it blocks a release
    /// Release runbooks ask for validation queries around the migration: row
    /// counts per table per tenant match, critical aggregates are unchanged.
    /// A migration that moves cases from one status to another, or leaves rows
    /// without their parent, breaks what the business reads, while every
    /// statement succeeds.
    ///
    /// ## How to ship it safely
    /// Fix the migration so that the aggregate is kept. If the change is the
    /// point of the migration, say so in the check: change its `expect`, or
    /// its query.
    pub RULE = { id: "dry-run-check-changed", domain: Migration, default: Error, class: Other };
}

/// Differences listed in one message.
const SHOWN: usize = 10;

/// Findings for every check of the run.
pub fn check(runs: &[CheckRun]) -> Vec<Finding> {
    let mut out = Vec::new();
    for r in runs {
        match (&r.before, &r.after, &r.error) {
            (None, _, Some(e)) => out.push(failed(&r.name, "before", e)),
            (Some(_), None, Some(e)) => out.push(failed(&r.name, "after", e)),
            (Some(before), Some(after), _) => out.extend(judge(r, before, after)),
            // A migration failed, and that is its own finding.
            _ => {}
        }
    }
    out
}

fn failed(name: &str, when: &str, error: &str) -> Finding {
    Finding::new(
        &DRY_RUN_STATEMENT_FAILED,
        format!("PostgreSQL rejected the dry-run check `{name}` {when} the pending migrations: {error}, so the check cannot tell what the migrations did"),
    )
    .help("fix the check's `sql` in `dry_run.checks`; it runs as `SELECT * FROM (<sql>) AS shipgate_check`")
}

fn judge(r: &CheckRun, before: &Rows, after: &Rows) -> Option<Finding> {
    let message = match &r.expect {
        Expect::Unchanged => {
            let diffs = differences(before, after);
            if diffs.is_empty() {
                return None;
            }
            let more = match diffs.len().saturating_sub(SHOWN) {
                0 => String::new(),
                n => format!(" and {n} more"),
            };
            let shown: Vec<&str> = diffs.iter().take(SHOWN).map(String::as_str).collect();
            format!(
                "{}: {}{more}, while the check expects it unchanged over the pending migrations",
                r.name,
                shown.join(", ")
            )
        }
        Expect::Equal(want) => {
            let got = scalar(after);
            if got.is_some_and(|g| same(g, want)) {
                return None;
            }
            format!(
                "{}: {} after the pending migrations ({} before), while the check expects {}",
                r.name,
                render(after),
                render(before),
                expected(want)
            )
        }
    };
    Some(Finding::new(&RULE, message).help(
        "keep what the check measures, or, if the change is intended, change the check's `expect` in `dry_run.checks`",
    ))
}

/// Rows as (name, value): the last column is the value, the others name the row.
fn keyed(rows: &Rows) -> Vec<(String, String)> {
    let cell = |c: &Option<String>| c.clone().unwrap_or_else(|| "NULL".into());
    rows.iter()
        .enumerate()
        .map(|(i, row)| match row.split_last() {
            Some((value, names)) if !names.is_empty() => {
                (names.iter().map(cell).collect::<Vec<_>>().join(", "), cell(value))
            }
            Some((value, _)) if rows.len() > 1 => (format!("row {}", i + 1), cell(value)),
            Some((value, _)) => (String::new(), cell(value)),
            None => (format!("row {}", i + 1), String::new()),
        })
        .collect()
}

/// "open 500 → 750", "closed (no row) → 3", "500 → 750" for a single value.
fn differences(before: &Rows, after: &Rows) -> Vec<String> {
    let (b, a) = (keyed(before), keyed(after));
    let find = |rows: &[(String, String)], key: &str| rows.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone());
    let none = || "(no row)".to_string();
    let line = |key: &str, from: String, to: String| {
        if key.is_empty() {
            format!("{from} → {to}")
        } else {
            format!("{key} {from} → {to}")
        }
    };
    let mut out = Vec::new();
    for (key, was) in &b {
        match find(&a, key) {
            Some(now) if &now == was => {}
            now => out.push(line(key, was.clone(), now.unwrap_or_else(none))),
        }
    }
    for (key, now) in &a {
        if find(&b, key).is_none() {
            out.push(line(key, none(), now.clone()));
        }
    }
    out
}

/// The value of a one-row, one-column result.
fn scalar(rows: &Rows) -> Option<Option<&str>> {
    match rows.as_slice() {
        [row] if row.len() == 1 => Some(row[0].as_deref()),
        _ => None,
    }
}

fn render(rows: &Rows) -> String {
    match scalar(rows) {
        Some(Some(v)) => v.to_string(),
        Some(None) => "NULL".into(),
        None => format!("{} row{}", rows.len(), if rows.len() == 1 { "" } else { "s" }),
    }
}

fn expected(want: &serde_json::Value) -> String {
    match want {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// PostgreSQL's text of a value against the configured one: numbers by value,
/// `t`/`f` as booleans, `null` as NULL, a list or a map as JSON, a string as text.
fn same(got: Option<&str>, want: &serde_json::Value) -> bool {
    use serde_json::Value;
    match (got, want) {
        (None, Value::Null) => true,
        (None, _) | (Some(_), Value::Null) => false,
        (Some(g), Value::Bool(w)) => matches!((g, w), ("t" | "true", true) | ("f" | "false", false)),
        (Some(g), Value::Number(w)) => g.trim().parse::<f64>().ok() == w.as_f64(),
        (Some(g), Value::String(w)) => g == w,
        // A list or a map: a `json` value, compared as JSON.
        (Some(g), other) => serde_json::from_str::<Value>(g).ok().as_ref() == Some(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(r: &[&[&str]]) -> Rows {
        r.iter()
            .map(|row| row.iter().map(|c| Some(c.to_string())).collect())
            .collect()
    }

    fn run(expect: Expect, before: Rows, after: Rows) -> CheckRun {
        CheckRun {
            name: "cases per status".into(),
            expect,
            before: Some(before),
            after: Some(after),
            error: None,
        }
    }

    #[test]
    fn grouped_results_differ_row_by_row() {
        let before = rows(&[&["open", "500"], &["closed", "20"], &["spam", "1"]]);
        let after = rows(&[&["open", "750"], &["closed", "20"], &["merged", "3"]]);
        let f = check(&[run(Expect::Unchanged, before.clone(), after)]);
        assert_eq!(f.len(), 1);
        assert!(
            f[0].message
                .starts_with("cases per status: open 500 → 750, spam 1 → (no row), merged (no row) → 3,"),
            "{}",
            f[0].message
        );
        assert!(check(&[run(Expect::Unchanged, before.clone(), before)]).is_empty());
    }

    #[test]
    fn equal_compares_numbers_booleans_and_text() {
        let one = |v: &str| rows(&[&[v]]);
        let eq = |v: serde_json::Value, got: &str| check(&[run(Expect::Equal(v), one("9"), one(got))]).is_empty();
        assert!(eq(serde_json::json!(0), "0"));
        assert!(eq(serde_json::json!(2.5), "2.50"));
        assert!(eq(serde_json::json!(true), "t"));
        assert!(eq(serde_json::json!("open"), "open"));
        assert!(!eq(serde_json::json!(0), "3"));
        assert!(!eq(serde_json::json!(false), "t"));
        assert!(eq(serde_json::json!([1, 2]), "[1, 2]"));
        // Two rows are never one value.
        assert!(!check(&[run(
            Expect::Equal(serde_json::json!(0)),
            one("0"),
            rows(&[&["0"], &["0"]])
        )])
        .is_empty());
    }

    #[test]
    fn a_rejected_query_is_a_failed_statement() {
        let r = CheckRun {
            name: "tenants".into(),
            expect: Expect::Unchanged,
            before: None,
            after: None,
            error: Some("relation \"tenant\" does not exist (42P01)".into()),
        };
        let f = check(&[r]);
        assert_eq!(f[0].rule, "dry-run-statement-failed");
        assert!(f[0].message.contains("`tenants` before"), "{}", f[0].message);
    }
}
