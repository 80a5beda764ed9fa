//! Adding a column whose default must be computed per row.
use super::MigrationCx;
use crate::finding::Finding;
use crate::migration::action::{Action, Generated};
use crate::migration::locks::{volatile_default, SEQUENCE_TYPES};

crate::declare_rule! {
    /// ## What it does
    /// Flags `ADD COLUMN` on an existing table with a volatile default
    /// (`gen_random_uuid()`, `random()`, `clock_timestamp()`, `nextval(...)`,
    /// `serial` types, any function shipgate does not know to be stable), an
    /// identity column, or a stored generated column (virtual generated columns
    /// are computed on read and are not flagged).
    ///
    /// ## Why it blocks a release
    /// Since PostgreSQL 11 a constant default is free, but a volatile one is
    /// computed for every existing row: the table is rewritten under an ACCESS
    /// EXCLUSIVE lock, blocking reads and writes for the duration.
    ///
    /// ## How to ship it safely
    /// Add the column without a default (or with a constant one), set the
    /// default in a second statement, and backfill existing rows in batches.
    pub RULE = { id: "ban-add-column-volatile-default", domain: Migration, default: Warning, class: Lock };
}

pub fn check(cx: &MigrationCx, out: &mut Vec<Finding>) {
    for a in cx.actions {
        if let Action::AddColumn { table, column } = a {
            if cx.catalog.table_is_new(table) {
                continue;
            }
            let why = if SEQUENCE_TYPES.contains(&column.ty.base.as_str()) {
                Some(format!("type `{}` fills every row from a sequence", column.ty.text))
            } else if column.generated == Some(Generated::Identity) {
                Some("identity fills every row from a sequence".to_string())
            } else if column.generated == Some(Generated::Stored) {
                Some("generated value is computed and stored for every row".to_string())
            } else {
                column
                    .default
                    .as_deref()
                    .filter(|d| volatile_default(d))
                    .map(|d| format!("default `{d}` is computed for every row"))
            };
            if let Some(why) = why {
                out.push(
                    Finding::new(
                        &RULE,
                        format!(
                            "Adding column `{table}.{}` rewrites the table under an exclusive lock: its {why}",
                            column.name
                        ),
                    )
                    .help(
                        "add the column without a default, then set the default and backfill existing rows in batches",
                    ),
                );
            }
        }
    }
}
