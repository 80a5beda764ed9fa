//! SET UNLOGGED.
use super::MigrationCx;
use crate::finding::Finding;
use crate::migration::action::Action;

crate::declare_rule! {
    /// ## What it does
    /// Flags `ALTER TABLE ... SET UNLOGGED` on an existing table.
    ///
    /// ## Why it blocks a release
    /// An unlogged table is emptied after a crash and is not replicated to
    /// standbys: data that was durable stops being so. The change also rewrites
    /// the table under an ACCESS EXCLUSIVE lock.
    ///
    /// ## How to ship it safely
    /// Keep durable data in logged tables. If the table really holds throwaway
    /// data, approve with `-- MIGRATION_APPROVED: <reason>`.
    pub RULE = { id: "ban-set-unlogged", domain: Migration, default: Error, class: Contract };
}

pub fn check(cx: &MigrationCx, out: &mut Vec<Finding>) {
    for a in cx.actions {
        if let Action::SetUnlogged { table } = a {
            if cx.catalog.table_is_new(table) {
                continue;
            }
            out.push(Finding::new(&RULE, format!("Making `{table}` unlogged loses its rows on a crash and on every replica, and rewrites it under an exclusive lock")).help("keep durable data logged; approve only if the table holds throwaway data"));
        }
    }
}
