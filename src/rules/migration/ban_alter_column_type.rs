//! Changing a column's type.
use super::MigrationCx;
use crate::finding::Finding;
use crate::migration::action::Action;

crate::declare_rule! {
    /// ## What it does
    /// Flags `ALTER TABLE ... ALTER COLUMN ... TYPE` on an existing column,
    /// unless the change widens the type the schema model knows, so that every
    /// old value converts exactly and the running release reads and writes it
    /// as before.
    ///
    /// Widenings done in place: `varchar(n)` to `varchar(m)` with `m >= n`, to
    /// unbounded `varchar` or to `text`; `text` to unbounded `varchar`;
    /// `numeric(p,s)` to `numeric(q,s)` with `q >= p` or to plain `numeric`;
    /// more precision for `timestamp`, `time` or `interval`; `cidr` to `inet`.
    ///
    /// Widenings that rewrite the table (`ban-column-type-rewrite` warns about
    /// the lock instead): `smallint` to `integer` to `bigint`; an integer type
    /// to `numeric` with enough digits; `smallint` or `integer` to `double
    /// precision`; `real` to `double precision`; `numeric(p,s)` to
    /// `numeric(q,t)` with `t >= s` and `q - t >= p - s`; `char(n)` to
    /// `varchar(m >= n)` or `text`. Arrays follow their element type. So is
    /// a move from one enum to another that has every label of the first
    /// (how tools rebuild an enum to drop a label), when the migrations
    /// show both enums created; when labels are missing, the finding names them.
    ///
    /// ## Why it blocks a release
    /// Most type changes rewrite the whole table under an ACCESS EXCLUSIVE lock,
    /// can fail on existing rows, and change what the running release reads.
    /// When the old type is unknown (the column was created outside the
    /// migrations shipgate sees) shipgate cannot prove the change safe, and says so.
    ///
    /// ## How to ship it safely
    /// Add a new column of the new type, backfill in batches, switch readers,
    /// then drop the old column in a later release.
    pub RULE = { id: "ban-alter-column-type", domain: Migration, default: Error, class: Contract };
}

pub fn check(cx: &MigrationCx, out: &mut Vec<Finding>) {
    for a in cx.actions {
        if let Action::AlterColumnType { table, column, ty, .. } = a {
            if cx.catalog.column_is_new(table, column) {
                continue;
            }
            let old = cx.catalog.column_type(table, column);
            if old.is_some_and(|o| o.widens_to(ty) || o.widens_with_rewrite(ty)) {
                continue;
            }
            let removed = old.and_then(|o| cx.catalog.enum_labels_removed(o, ty));
            if removed.as_ref().is_some_and(Vec::is_empty) {
                continue;
            }
            let message = match (old, removed) {
                (Some(o), Some(removed)) => format!(
                    "Changing `{table}.{column}` from enum `{}` to enum `{}`, which lacks {}, fails on rows holding a removed label and breaks writers of the running release that use one",
                    o.text,
                    ty.text,
                    super::labels(&removed)
                ),
                (Some(o), None) => format!(
                    "Changing `{table}.{column}` from `{}` to `{}` rewrites the table under an exclusive lock and breaks readers of the old type",
                    o.text, ty.text
                ),
                (None, _) => format!(
                    "Changing the type of `{table}.{column}` to `{}` may rewrite the table and break readers, and its old type is unknown",
                    ty.text
                ),
            };
            out.push(
                Finding::new(&RULE, message)
                    .help("add a column of the new type, backfill it, switch readers, then drop the old column later")
                    .pointing_at(cx.column_clause(column, &["alter", "type"])),
            );
        }
    }
}
