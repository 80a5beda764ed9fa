//! Using an enum value in the transaction that added it.
use super::MigrationCx;
use crate::finding::Finding;
use crate::migration::action::Action;

crate::declare_rule! {
    /// ## What it does
    /// Flags a statement that uses a value added by `ALTER TYPE ... ADD VALUE`
    /// earlier in the same transaction: the same `BEGIN ... COMMIT`, a file
    /// the framework wraps in a transaction, or a file sent as one
    /// multi-statement query, which PostgreSQL runs as one implicit
    /// transaction (Prisma, Supabase, golang-migrate; see
    /// `ban-concurrently-in-transaction` for each framework). A `COMMIT` in the
    /// file ends the transaction in every case, so a value used after it is
    /// committed.
    ///
    /// ## Why it blocks a release
    /// PostgreSQL refuses it: `unsafe use of new value "x" of enum type`. The
    /// migration fails in production.
    ///
    /// ## How to ship it safely
    /// Add the value in one migration, use it in the next.
    pub RULE = { id: "ban-enum-value-in-same-transaction", domain: Migration, default: Error, class: Lock };
}

pub fn check(cx: &MigrationCx, out: &mut Vec<Finding>) {
    if !cx.in_transaction {
        return;
    }
    let added = cx.enum_values_added;
    if added.is_empty() || cx.actions.iter().any(|a| matches!(a, Action::AddEnumValue { .. })) {
        return;
    }
    if let Some(v) = cx.value_literals().into_iter().find(|v| added.contains(v)) {
        out.push(
            Finding::new(
                &RULE,
                format!("Enum value `{v}` is used in the transaction that added it, which PostgreSQL refuses"),
            )
            .help("add the value in one migration and use it in the next"),
        );
    }
}
