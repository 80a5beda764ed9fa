//! VALIDATE CONSTRAINT in the transaction that added the constraint NOT VALID.
use super::MigrationCx;
use crate::finding::Finding;
use crate::migration::action::{Action, ConstraintKind};
use crate::migration::locks::{self, On};

crate::declare_rule! {
    /// ## What it does
    /// Flags `ALTER TABLE ... VALIDATE CONSTRAINT c` that runs in the same
    /// transaction as the `ADD CONSTRAINT c ... NOT VALID` before it: after
    /// one `BEGIN`, in a file the framework wraps in a transaction, or in a
    /// file sent as one multi-statement query.
    ///
    /// ## Why it blocks a release
    /// `NOT VALID` helps only because the `ADD` commits at once and the
    /// validation then runs under a weak lock. In one transaction the `ADD`'s
    /// lock is held through the validation's full scan: SHARE ROW EXCLUSIVE
    /// on both tables for a foreign key, ACCESS EXCLUSIVE for a CHECK. Writes
    /// (and for a CHECK, reads) wait for the whole scan.
    ///
    /// ## How to ship it safely
    /// Commit between the two: put `VALIDATE CONSTRAINT` in the next
    /// migration, or `COMMIT;` before it where the framework allows.
    pub RULE = { id: "ban-validate-in-same-transaction", domain: Migration, default: Warning, class: Lock };
}

pub fn check(cx: &MigrationCx, out: &mut Vec<Finding>) {
    if !cx.in_transaction {
        return;
    }
    for a in cx.actions {
        let Action::ValidateConstraint { table, name } = a else {
            continue;
        };
        let Some((_, _, kind)) = cx.not_valid_added.iter().find(|(t, n, _)| t == table && n == name) else {
            continue;
        };
        let (id, both) = match kind {
            ConstraintKind::ForeignKey => ("add-foreign-key-not-valid", " and on the referenced table"),
            _ => ("add-check-not-valid", ""),
        };
        let held = locks::by_id(id);
        let Some(mode) = held.lock(On::Table) else { continue };
        out.push(Finding::new(&RULE, format!(
                "Validating `{name}` in the transaction that added it NOT VALID holds the {} lock of the ADD on `{table}`{both} through the whole scan, which {} until it commits",
                mode.name(),
                mode.effect()
            )).help("validate the constraint in a later migration, after the ADD has committed"));
    }
}
