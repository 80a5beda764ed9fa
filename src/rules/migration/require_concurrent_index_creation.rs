//! CREATE INDEX without CONCURRENTLY.
use super::MigrationCx;
use crate::finding::Finding;
use crate::migration::action::Action;
use crate::migration::locks::table_effect;

crate::declare_rule! {
    /// ## What it does
    /// Flags `CREATE INDEX` without `CONCURRENTLY` on a table that existed before
    /// this change.
    ///
    /// ## Why it blocks a release
    /// A plain index build holds a SHARE lock for its whole duration: every
    /// INSERT, UPDATE and DELETE on the table waits, for minutes on a big table.
    ///
    /// ## How to ship it safely
    /// `CREATE INDEX CONCURRENTLY`, in a migration that does not run inside a
    /// transaction (see `ban-concurrently-in-transaction`). Indexes on tables
    /// created in the same change are not flagged.
    pub RULE = { id: "require-concurrent-index-creation", domain: Migration, default: Warning, class: Lock };
}

pub fn check(cx: &MigrationCx, out: &mut Vec<Finding>) {
    for a in cx.actions {
        if let Action::CreateIndex {
            table,
            concurrently: false,
            ..
        } = a
        {
            if cx.catalog.table_is_new(table) {
                continue;
            }
            out.push(
                Finding::new(
                    &RULE,
                    format!(
                        "Creating an index on `{table}` without CONCURRENTLY {} to it until the build ends",
                        table_effect(a)
                    ),
                )
                .help("use `CREATE INDEX CONCURRENTLY` outside a transaction"),
            );
        }
    }
}
