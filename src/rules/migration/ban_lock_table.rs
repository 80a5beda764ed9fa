//! LOCK TABLE in a migration.
use super::MigrationCx;
use crate::finding::Finding;
use crate::migration::action::Action;

crate::declare_rule! {
    /// ## What it does
    /// Flags `LOCK TABLE` in a mode that blocks writes (SHARE or stronger; no
    /// mode means ACCESS EXCLUSIVE) on a table that existed before this change.
    ///
    /// ## Why it blocks a release
    /// The lock is held until the transaction ends: with ACCESS EXCLUSIVE no
    /// query reads the table, with the SHARE modes no query writes it, for as
    /// long as the rest of the migration runs.
    ///
    /// ## How to ship it safely
    /// Leave locking to the statements that need it, keep the migration short,
    /// and set `lock_timeout`. A backfill does not need a table lock: batch it.
    /// If the lock is truly needed, approve it by naming this rule:
    /// `-- MIGRATION_APPROVED(ban-lock-table): <why>`.
    pub RULE = { id: "ban-lock-table", domain: Migration, default: Warning, class: Lock };
}

pub fn check(cx: &MigrationCx, out: &mut Vec<Finding>) {
    for a in cx.actions {
        let Action::Lock { tables, mode } = a else { continue };
        if !mode.blocks_writes() {
            continue;
        }
        let existing: Vec<String> = tables
            .iter()
            .filter(|t| !cx.catalog.table_is_new(t))
            .map(|t| format!("`{t}`"))
            .collect();
        if existing.is_empty() {
            continue;
        }
        out.push(
            Finding::new(
                &RULE,
                format!(
                    "`LOCK TABLE` takes {} on {} until the transaction ends, which {} meanwhile",
                    mode.name(),
                    existing.join(", "),
                    mode.effect()
                ),
            )
            .help("drop the explicit lock and keep the migration short, with a `lock_timeout`"),
        );
    }
}
