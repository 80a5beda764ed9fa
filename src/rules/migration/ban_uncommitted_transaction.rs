//! BEGIN that the file never commits.
use super::MigrationCx;
use crate::finding::Finding;
use crate::migration::action::Action;

crate::declare_rule! {
    /// ## What it does
    /// Flags a `BEGIN` (or `START TRANSACTION`) that no later `COMMIT`,
    /// `END` or `ROLLBACK` of the file closes, in a file the framework does not
    /// run in a transaction of its own (Prisma, Supabase, golang-migrate,
    /// plain files, and files that turn the framework's transaction off).
    ///
    /// ## Why it blocks a release
    /// The transaction stays open after the file: its changes are rolled back
    /// when the session ends, or committed later together with whatever the
    /// tool runs next on that connection, and its locks are held meanwhile.
    ///
    /// ## How to ship it safely
    /// Close the transaction with `COMMIT;` at the end of the file.
    pub RULE = { id: "ban-uncommitted-transaction", domain: Migration, default: Warning, class: Lock };
}

pub fn check(cx: &MigrationCx, out: &mut Vec<Finding>) {
    if cx.in_do_block || cx.framework_tx || cx.explicit_tx {
        return;
    }
    if !cx.actions.iter().any(|a| matches!(a, Action::Begin)) {
        return;
    }
    let closed = cx
        .later
        .iter()
        .flat_map(|s| &s.actions)
        .any(|a| matches!(a, Action::Commit));
    if !closed {
        out.push(Finding::new(&RULE, "This `BEGIN` is never committed in the file, so its changes are rolled back or left open when the migration ends").help("end the transaction with `COMMIT;`"));
    }
}
