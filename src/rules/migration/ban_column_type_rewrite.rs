//! A lossless column type change that still rewrites the table.
use super::MigrationCx;
use crate::finding::Finding;
use crate::migration::action::Action;

crate::declare_rule! {
    /// ## What it does
    /// Warns about `ALTER TABLE ... ALTER COLUMN ... TYPE` on an existing
    /// column when the new type holds every old value exactly but PostgreSQL
    /// rewrites the table to convert them: `smallint` or `integer` to
    /// `bigint`, to `numeric` with enough digits or to `double precision`;
    /// `real` to `double precision`; `numeric(p,s)` to more digits on both
    /// sides of the point; `char(n)` to `varchar(m >= n)` or `text`. Arrays
    /// follow their element type.
    ///
    /// So does moving a column from one enum to another that has every label
    /// of the first, both created by the migrations (an enum rebuilt to
    /// reorder or extend its labels).
    ///
    /// ## Why it blocks a release
    /// It does not block: the running release reads and writes the new type
    /// as it did the old one, so `ban-alter-column-type` does not flag it. But
    /// the rewrite holds an ACCESS EXCLUSIVE lock on the table until it ends
    /// (until the commit, in a transaction): on a large table every read and
    /// write waits, which is an outage. Widenings PostgreSQL does in place
    /// (`varchar(n)` to `varchar(m >= n)` or `text`, more precision for
    /// `numeric`, `timestamp`, `time` or `interval`) are not flagged.
    ///
    /// ## How to ship it safely
    /// On a small table, set `lock_timeout` and accept the rewrite. On a large
    /// one, add a column of the new type, backfill it in batches, switch
    /// readers and writers, then drop the old column in a later release. To
    /// accept the lock: `-- MIGRATION_APPROVED(ban-column-type-rewrite): <reason>`.
    pub RULE = { id: "ban-column-type-rewrite", domain: Migration, default: Warning, class: Lock };
}

pub fn check(cx: &MigrationCx, out: &mut Vec<Finding>) {
    for a in cx.actions {
        let Action::AlterColumnType { table, column, ty, .. } = a else {
            continue;
        };
        if cx.catalog.column_is_new(table, column) {
            continue;
        }
        let Some(old) = cx.catalog.column_type(table, column) else {
            continue;
        };
        let enum_superset = cx.catalog.enum_labels_removed(old, ty).is_some_and(|r| r.is_empty())
            && old.user_type_name() != ty.user_type_name();
        if old.widens_with_rewrite(ty) || enum_superset {
            out.push(Finding::new(&RULE, format!(
                    "Changing `{table}.{column}` from `{}` to `{}` keeps every value but rewrites `{table}` under an ACCESS EXCLUSIVE lock, so every query on it waits until the rewrite ends",
                    old.text, ty.text
                )).help("on a large table, add a column of the new type, backfill it in batches and switch over instead"));
        }
    }
}
