//! REINDEX without CONCURRENTLY.
use super::MigrationCx;
use crate::finding::Finding;
use crate::migration::action::Action;
use crate::migration::locks::{self, On};

crate::declare_rule! {
    /// ## What it does
    /// Flags `REINDEX` without `CONCURRENTLY` (including
    /// `REINDEX (CONCURRENTLY false)`) of an index or table that existed
    /// before this change, and of a whole schema or database.
    ///
    /// ## Why it blocks a release
    /// A plain `REINDEX` takes ACCESS EXCLUSIVE on every index it rebuilds and
    /// SHARE on the table: writes wait for the whole rebuild, and so does
    /// every query that would use the indexes.
    ///
    /// ## How to ship it safely
    /// `REINDEX ... CONCURRENTLY` (PostgreSQL 12 and later), in a migration that
    /// runs outside a transaction (see `ban-concurrently-in-transaction`).
    pub RULE = { id: "require-concurrent-reindex", domain: Migration, default: Warning, class: Lock };
}

pub fn check(cx: &MigrationCx, out: &mut Vec<Finding>) {
    for a in cx.actions {
        let Action::Reindex {
            concurrently: false,
            target,
        } = a
        else {
            continue;
        };
        if target.as_ref().is_some_and(|t| cx.catalog.table_is_new(t)) {
            continue;
        }
        let Some(kind) = locks::kind_of(a) else { continue };
        let (Some(index), Some(table)) = (kind.lock(On::Index), kind.lock(On::Table)) else {
            continue;
        };
        let what = target.as_ref().map_or("its indexes".to_string(), |t| format!("`{t}`"));
        out.push(Finding::new(&RULE, format!(
                "`REINDEX` of {what} without CONCURRENTLY takes {} on the indexes it rebuilds and {} on their table, which {} until it ends",
                index.name(),
                table.name(),
                table.effect()
            )).help("use `REINDEX ... CONCURRENTLY` in a migration that runs outside a transaction"));
    }
}
