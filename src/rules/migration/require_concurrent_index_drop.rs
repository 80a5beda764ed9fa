//! DROP INDEX without CONCURRENTLY.
use super::MigrationCx;
use crate::finding::Finding;
use crate::migration::action::{Action, ObjectKind};
use crate::migration::locks::table_effect;

crate::declare_rule! {
    /// ## What it does
    /// Flags `DROP INDEX` without `CONCURRENTLY` of an index that existed before
    /// this change.
    ///
    /// ## Why it blocks a release
    /// A plain drop takes an ACCESS EXCLUSIVE lock on the index's table: it waits
    /// behind every running query and blocks every query behind it.
    ///
    /// ## How to ship it safely
    /// `DROP INDEX CONCURRENTLY`, outside a transaction.
    pub RULE = { id: "require-concurrent-index-drop", domain: Migration, default: Warning, class: Lock };
}

pub fn check(cx: &MigrationCx, out: &mut Vec<Finding>) {
    for a in cx.actions {
        if let Action::Drop {
            kind: ObjectKind::Index,
            names,
            concurrently: false,
            ..
        } = a
        {
            for n in names {
                if cx.catalog.is_new(ObjectKind::Index, n) {
                    continue;
                }
                out.push(
                    Finding::new(
                        &RULE,
                        format!(
                            "Dropping index `{n}` without CONCURRENTLY locks its table against {}",
                            table_effect(a).trim_start_matches("blocks ")
                        ),
                    )
                    .help("use `DROP INDEX CONCURRENTLY` outside a transaction"),
                );
            }
        }
    }
}
