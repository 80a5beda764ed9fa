//! TRUNCATE.
use super::MigrationCx;
use crate::finding::Finding;
use crate::migration::action::Action;

crate::declare_rule! {
    /// ## What it does
    /// Flags `TRUNCATE` of a table that existed before this change.
    ///
    /// ## Why it blocks a release
    /// Every row is deleted, without firing row triggers, under an ACCESS
    /// EXCLUSIVE lock; nothing but a backup brings the data back.
    ///
    /// ## How to ship it safely
    /// If the data really must go, say why: `-- MIGRATION_APPROVED: <reason>`.
    pub RULE = { id: "ban-truncate", domain: Migration, default: Error, class: Contract };
}

pub fn check(cx: &MigrationCx, out: &mut Vec<Finding>) {
    for a in cx.actions {
        if let Action::Truncate { tables } = a {
            let existing: Vec<String> = tables
                .iter()
                .filter(|t| !cx.catalog.table_is_new(t))
                .map(|t| format!("`{t}`"))
                .collect();
            if existing.is_empty() && !tables.is_empty() {
                continue;
            }
            let what = if existing.is_empty() {
                "a table".to_string()
            } else {
                existing.join(", ")
            };
            out.push(
                Finding::new(
                    &RULE,
                    format!("Truncating {what} deletes every row, and only a backup can bring them back"),
                )
                .help("approve with `-- MIGRATION_APPROVED: <reason>` if the data really must go"),
            );
        }
    }
}
