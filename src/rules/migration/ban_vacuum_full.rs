//! VACUUM FULL.
use super::MigrationCx;
use crate::finding::Finding;
use crate::migration::action::Action;
use crate::migration::locks::{self, claim};

crate::declare_rule! {
    /// ## What it does
    /// Flags `VACUUM FULL`.
    ///
    /// ## Why it blocks a release
    /// It rewrites the table under an ACCESS EXCLUSIVE lock: no reads, no writes
    /// until it finishes, which on a large table is a long outage.
    ///
    /// ## How to ship it safely
    /// Use `pg_repack` or `pg_squeeze` outside the migration, or plain `VACUUM`.
    pub RULE = { id: "ban-vacuum-full", domain: Migration, default: Warning, class: Lock };
}

pub fn check(cx: &MigrationCx, out: &mut Vec<Finding>) {
    if cx.actions.iter().any(|a| matches!(a, Action::Vacuum { full: true })) {
        out.push(
            Finding::new(&RULE, format!("`VACUUM FULL` {}", claim(locks::by_id("vacuum-full"))))
                .help("use pg_repack outside the migration, or plain VACUUM"),
        );
    }
}
