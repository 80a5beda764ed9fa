//! REFRESH MATERIALIZED VIEW without CONCURRENTLY.
use super::MigrationCx;
use crate::finding::Finding;
use crate::migration::action::{Action, ObjectKind};
use crate::migration::locks::{self, On};

crate::declare_rule! {
    /// ## What it does
    /// Flags `REFRESH MATERIALIZED VIEW` without `CONCURRENTLY` of a view that
    /// existed before this change.
    ///
    /// ## Why it blocks a release
    /// A plain refresh rewrites the view under an ACCESS EXCLUSIVE lock: every
    /// query that reads the view waits until the refresh (and, in a
    /// transaction, the migration) ends.
    ///
    /// ## How to ship it safely
    /// Give the view a unique index and use `REFRESH MATERIALIZED VIEW
    /// CONCURRENTLY`, which takes EXCLUSIVE: reads go on while it runs.
    pub RULE = { id: "require-concurrent-refresh", domain: Migration, default: Warning, class: Lock };
}

pub fn check(cx: &MigrationCx, out: &mut Vec<Finding>) {
    for a in cx.actions {
        let Action::RefreshMaterializedView {
            concurrently: false,
            name,
        } = a
        else {
            continue;
        };
        if name
            .as_ref()
            .is_some_and(|n| cx.catalog.is_new(ObjectKind::MaterializedView, n) || cx.catalog.table_is_new(n))
        {
            continue;
        }
        let Some(kind) = locks::kind_of(a) else { continue };
        let Some(mode) = kind.lock(On::Table) else { continue };
        let what = name.as_ref().map_or("the view".to_string(), |n| format!("`{n}`"));
        out.push(
            Finding::new(
                &RULE,
                format!(
                    "Refreshing {what} without CONCURRENTLY {}under {}, which {} of it until it ends",
                    if kind.rewrites { "rewrites it " } else { "" },
                    mode.name(),
                    mode.effect()
                ),
            )
            .help("add a unique index to the view and use `REFRESH MATERIALIZED VIEW CONCURRENTLY`"),
        );
    }
}
