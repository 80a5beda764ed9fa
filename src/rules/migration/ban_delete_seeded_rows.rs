//! DELETE from a table whose rows earlier migrations inserted.
use super::MigrationCx;
use crate::finding::Finding;
use crate::migration::action::Action;

crate::declare_rule! {
    /// ## What it does
    /// Flags `DELETE FROM t WHERE ...` on a table that an earlier migration
    /// wrote rows into with `INSERT ... VALUES`: seeded reference data such as
    /// system tags, roles and their permissions, plans or settings. (A
    /// `DELETE` without `WHERE` is `ban-delete-without-where`.) Not flagged:
    /// routine clean-up of a table that no migration seeded, such as expired
    /// sessions; a `WHERE` whose key terms (`k = 'v'`, `k IN (...)`) match no
    /// seeded row's literal; and rows deleted to be inserted again later in
    /// the same change.
    ///
    /// ## Why it blocks a release
    /// The running release was written against the seeded rows: it looks them
    /// up by name or id, and joins, foreign keys and permission checks lead
    /// to them. Once they are gone, those lookups find nothing, and rows that
    /// reference them may go with them (`ON DELETE CASCADE`). Only a backup
    /// brings them back.
    ///
    /// ## How to ship it safely
    /// Stop using the rows in one release, then delete them in a later
    /// migration with `-- MIGRATION_APPROVED: <reason>`. Where the rows must
    /// stay visible to the old release, mark them retired (an `UPDATE` of a
    /// status column) instead of deleting them.
    pub RULE = { id: "ban-delete-seeded-rows", domain: Migration, default: Error, class: Contract };
}

pub fn check(cx: &MigrationCx, out: &mut Vec<Finding>) {
    for a in cx.actions {
        if let Action::Delete { table, has_where: true } = a {
            let seeds = cx.catalog.seeded_earlier(table);
            let keys = cx.actions.iter().find_map(|a| match a {
                Action::DeleteFilter { table: t, keys } if t == table => Some(keys.as_slice()),
                _ => None,
            });
            // A term that no seeded row matches spares them all.
            let spares_seeds = keys
                .unwrap_or_default()
                .iter()
                .any(|(column, values)| seeds.iter().all(|s| !s.may_match(column, values)));
            if seeds.is_empty() || spares_seeds || inserted_again(cx, table) {
                continue;
            }
            out.push(Finding::new(&RULE, format!("Deleting rows of `{table}`, which earlier migrations seeded, removes data the running release may rely on")).help("stop using the rows in one release, then delete them in a later one"));
        }
    }
}

/// True when a later statement of the change inserts into the table again:
/// the rows are replaced, not lost.
fn inserted_again(cx: &MigrationCx, table: &crate::migration::action::Name) -> bool {
    cx.later
        .iter()
        .flat_map(|s| &s.actions)
        .any(|a| matches!(a, Action::Insert { table: t, .. } if t == table))
}
