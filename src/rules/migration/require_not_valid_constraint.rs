//! FOREIGN KEY or CHECK added without NOT VALID.
use super::MigrationCx;
use crate::finding::Finding;
use crate::migration::action::{Action, ConstraintKind};
use crate::migration::locks::{self, LockMode, On};

crate::declare_rule! {
    /// ## What it does
    /// Flags `ADD CONSTRAINT ... FOREIGN KEY` and `ADD CONSTRAINT ... CHECK`
    /// without `NOT VALID` on a table that existed before this change, and
    /// `ADD COLUMN ... REFERENCES` (a foreign key added validated, inline).
    ///
    /// ## Why it blocks a release
    /// Validating the constraint scans the whole table while holding a lock that
    /// blocks writes (and, for a foreign key, writes to the referenced table too).
    ///
    /// ## How to ship it safely
    /// Add it `NOT VALID` (instant), then `VALIDATE CONSTRAINT` in a later
    /// statement or migration, which only takes a SHARE UPDATE EXCLUSIVE lock.
    pub RULE = { id: "require-not-valid-constraint", domain: Migration, default: Warning, class: Lock };
}

pub fn check(cx: &MigrationCx, out: &mut Vec<Finding>) {
    for a in cx.actions {
        // `ADD COLUMN ... REFERENCES` adds the foreign key validated: every
        // existing row is checked while the ADD COLUMN's lock is held.
        if let Action::AddColumn { table, column } = a {
            let kind = locks::kind_of(a);
            if !column.references
                || cx.catalog.table_is_new(table)
                || kind.is_none_or(|k| k.id != "add-column-references")
            {
                continue;
            }
            let mode = kind
                .and_then(|k| k.lock(On::Table))
                .unwrap_or(LockMode::AccessExclusive);
            out.push(Finding::new(&RULE, format!(
                    "Adding column `{table}.{}` with REFERENCES validates the foreign key against every existing row under {}, which {} until it ends",
                    column.name,
                    mode.name(),
                    mode.effect()
                )).help("add the column without REFERENCES, then the foreign key `NOT VALID`, then `VALIDATE CONSTRAINT` separately"));
            continue;
        }
        if let Action::AddConstraint { table, constraint } = a {
            let kind = match constraint.kind {
                ConstraintKind::ForeignKey => "foreign key",
                ConstraintKind::Check => "check constraint",
                _ => continue,
            };
            if constraint.not_valid || cx.catalog.table_is_new(table) {
                continue;
            }
            let name = constraint
                .name
                .as_deref()
                .map(|n| format!(" `{n}`"))
                .unwrap_or_default();
            out.push(
                Finding::new(
                    &RULE,
                    format!("Adding {kind}{name} to `{table}` without NOT VALID scans the table while blocking writes"),
                )
                .help("add it `NOT VALID`, then `VALIDATE CONSTRAINT` separately"),
            );
        }
    }
}
