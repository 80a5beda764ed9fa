//! `--with-rollback`: a rollback that does not bring back the state before
//! its migration, one finding per difference.
use crate::dryrun::model::{Difference, RollbackRun};
use crate::finding::Finding;

crate::declare_rule! {
    /// ## What it does
    /// With `shipgate dry-run --with-rollback`, flags each way the state after
    /// a migration's rollback differs from the state before the migration.
    ///
    /// Each pending migration is
    /// applied and then its rollback, inside a savepoint of the dry run's
    /// rolled-back transaction. The catalog (schemas, tables, columns with
    /// type, `NOT NULL` and default, constraints, indexes, types and enum
    /// labels, functions, views, policies, triggers, extensions) and every
    /// table's row count are compared with the state before the migration,
    /// matching objects by kind and name. Each difference is a finding:
    /// "column `members.old_field` is back as `character varying(50)`, was
    /// `text`", "index `members_email_idx` is not back", "table `notes` is still
    /// there", "rows `sessions` 500 → 0: the rollback cannot bring back deleted rows".
    ///
    /// Data a rollback cannot restore is reported as such, not hidden: rows
    /// deleted by the migration (or lost with a dropped table), and the
    /// values of a column dropped and added again on a table with rows.
    ///
    /// A rollback that PostgreSQL rejects is `dry-run-statement-failed`, in
    /// the rollback file; a migration without a rollback is `missing-rollback`.
    ///
    /// ## Why it blocks a release
    /// A rollback that leaves the schema in a third state, neither the old
    /// release's nor the new one's, fails the old release when it is needed
    /// most: during an incident. Lost rows and values do not come back with
    /// any rollback script; the plan needs a backup or must say so.
    ///
    /// ## How to ship it safely
    /// Make the rollback undo exactly what the migration does (the type, the
    /// default, the index, the constraint). For data a rollback cannot
    /// restore, keep a copy before the migration deletes it and restore from
    /// it in the runbook. The finding is not approvable by comment; a team that
    /// accepts the loss lowers the rule (`rules: { rollback-not-restoring: warning }`).
    pub RULE = { id: "rollback-not-restoring", domain: Migration, default: Error, class: Other };
}

fn label(object: &str) -> String {
    object.replace('_', " ")
}

/// One difference, as the finding says it.
pub fn describe(d: &Difference) -> String {
    match d {
        Difference::Missing { object, name, definition } if *object == "column" => {
            format!("column `{name}` (`{definition}`) is not back")
        }
        Difference::Missing { object, name, .. } => format!("{} `{name}` is not back", label(object)),
        Difference::Left { object, name, .. } => {
            format!("{} `{name}` is still there: the rollback does not drop it", label(object))
        }
        Difference::Differs { object, name, .. } if *object == "view definition" || object.contains("function") || *object == "procedure" || *object == "aggregate" => {
            format!("{} `{name}` is back with a different definition", label(object).replace(" definition", ""))
        }
        Difference::Differs { object, name, before, after } => {
            let shown = |s: &str| if s.is_empty() { "logged".to_string() } else { s.to_string() };
            format!("{} `{name}` is back as `{}`, was `{}`", label(object), shown(after), shown(before))
        }
        Difference::Rows { table, before, after, exact } => {
            let estimated = if *exact { "" } else { " (estimated)" };
            if after < before {
                format!("rows `{table}` {before} → {after}{estimated}: the rollback cannot bring back deleted rows")
            } else {
                format!("rows `{table}` {before} → {after}{estimated}: the rollback leaves rows the migration added")
            }
        }
        Difference::ValuesLost { column, rows } => format!(
            "column `{column}` is back empty: its values in {rows} rows were dropped with it, and the rollback cannot bring them back"
        ),
    }
}

/// The table a difference is about, when it names one (`members` for
/// column `members.email`), to point at the rollback statement on it.
pub fn table_of(d: &Difference) -> Option<&str> {
    match d {
        Difference::Rows { table, .. } => Some(table),
        Difference::ValuesLost { column, .. } => column.rsplit_once('.').map(|(t, _)| t),
        Difference::Missing { object, name, .. }
        | Difference::Left { object, name, .. }
        | Difference::Differs { object, name, .. } => match *object {
            "table" | "partitioned_table" => Some(name),
            "column" | "constraint" | "policy" | "trigger" => name.rsplit_once('.').map(|(t, _)| t),
            _ => None,
        },
    }
}

/// The findings for one migration's rollback run, each with the table it is
/// about (unlocated: the caller places them in the rollback).
pub fn check<'a>(migration: &str, run: &'a RollbackRun) -> Vec<(Finding, Option<&'a str>)> {
    run.differences
        .iter()
        .map(|d| {
            let f = Finding::new(
                &RULE,
                format!("The rollback of `{migration}` does not restore it: {}", describe(d)),
            )
            .help(match d {
                Difference::Rows { .. } | Difference::ValuesLost { .. } => {
                    "keep a copy of the data before the migration removes it; no rollback script brings it back"
                }
                _ => "make the rollback undo exactly what the migration does",
            });
            (f, table_of(d))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_difference_reads_as_what_a_reviewer_checks() {
        let cases = [
            (
                Difference::Differs {
                    object: "column",
                    name: "members.old_field".into(),
                    before: "text".into(),
                    after: "character varying(50)".into(),
                },
                "column `members.old_field` is back as `character varying(50)`, was `text`",
            ),
            (
                Difference::Differs {
                    object: "table",
                    name: "events".into(),
                    before: String::new(),
                    after: "unlogged".into(),
                },
                "table `events` is back as `unlogged`, was `logged`",
            ),
            (
                Difference::Differs {
                    object: "function",
                    name: "f()".into(),
                    before: "a1".into(),
                    after: "b2".into(),
                },
                "function `f()` is back with a different definition",
            ),
            (
                Difference::Missing {
                    object: "index",
                    name: "members_email_idx".into(),
                    definition: "CREATE INDEX ...".into(),
                },
                "index `members_email_idx` is not back",
            ),
            (
                Difference::Rows {
                    table: "flags".into(),
                    before: 3,
                    after: 4,
                    exact: false,
                },
                "rows `flags` 3 → 4 (estimated): the rollback leaves rows the migration added",
            ),
        ];
        for (d, want) in cases {
            assert_eq!(describe(&d), want);
        }
        let run = RollbackRun {
            file: "m.down.sql".into(),
            status: crate::dryrun::model::MigrationStatus::Applied,
            statements: Vec::new(),
            differences: vec![Difference::ValuesLost {
                column: "members.age".into(),
                rows: 50,
            }],
        };
        let got = check("m.up.sql", &run);
        assert_eq!(got.len(), 1);
        let (f, table) = &got[0];
        assert_eq!(*table, Some("members"));
        assert!(
            f.message
                .starts_with("The rollback of `m.up.sql` does not restore it: column `members.age` is back empty"),
            "{}",
            f.message
        );
    }
}
