//! CLUSTER.
use super::MigrationCx;
use crate::finding::Finding;
use crate::migration::action::Action;
use crate::migration::locks::{self, claim};

crate::declare_rule! {
    /// ## What it does
    /// Flags `CLUSTER`.
    ///
    /// ## Why it blocks a release
    /// It rewrites the table in index order under an ACCESS EXCLUSIVE lock,
    /// blocking every read and write until it finishes.
    ///
    /// ## How to ship it safely
    /// Use `pg_repack --order-by` outside the migration.
    pub RULE = { id: "ban-cluster", domain: Migration, default: Warning, class: Lock };
}

pub fn check(cx: &MigrationCx, out: &mut Vec<Finding>) {
    if cx.actions.iter().any(|a| matches!(a, Action::Cluster)) {
        out.push(
            Finding::new(&RULE, format!("`CLUSTER` {}", claim(locks::by_id("cluster"))))
                .help("use `pg_repack --order-by` outside the migration"),
        );
    }
}
