//! DETACH PARTITION without CONCURRENTLY.
use super::MigrationCx;
use crate::finding::Finding;
use crate::migration::action::Action;
use crate::migration::locks::{self, On};

crate::declare_rule! {
    /// ## What it does
    /// Flags `ALTER TABLE ... DETACH PARTITION` without `CONCURRENTLY` on a
    /// partitioned table that existed before this change.
    ///
    /// ## Why it blocks a release
    /// A plain detach takes ACCESS EXCLUSIVE on the partitioned table and on
    /// the partition: every read and write of the whole table waits until the
    /// migration commits, and the detach itself waits for every running query
    /// on it.
    ///
    /// ## How to ship it safely
    /// `ALTER TABLE ... DETACH PARTITION ... CONCURRENTLY` (PostgreSQL 14 and
    /// later), alone in a migration that runs outside a transaction (see
    /// `ban-concurrently-in-transaction`); it takes SHARE UPDATE EXCLUSIVE.
    pub RULE = { id: "require-concurrent-partition-detach", domain: Migration, default: Warning, class: Lock };
}

pub fn check(cx: &MigrationCx, out: &mut Vec<Finding>) {
    for a in cx.actions {
        let Action::DetachPartition {
            table,
            partition,
            concurrently: false,
        } = a
        else {
            continue;
        };
        if cx.catalog.table_is_new(table) {
            continue;
        }
        let Some(mode) = locks::kind_of(a).and_then(|k| k.lock(On::Table)) else {
            continue;
        };
        out.push(Finding::new(&RULE, format!(
                "Detaching `{partition}` from `{table}` without CONCURRENTLY takes {} on both, which {} of the whole table until the migration commits",
                mode.name(),
                mode.effect()
            )).help("use `DETACH PARTITION ... CONCURRENTLY` alone in a migration that runs outside a transaction"));
    }
}
