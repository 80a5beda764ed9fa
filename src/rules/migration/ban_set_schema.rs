//! Moving an object to another schema.
use super::MigrationCx;
use crate::finding::Finding;
use crate::migration::action::Action;

crate::declare_rule! {
    /// ## What it does
    /// Flags `ALTER <kind> ... SET SCHEMA`.
    ///
    /// ## Why it blocks a release
    /// Moving an object is a rename of its qualified name: the running release
    /// resolves the old `schema.name` (or the old `search_path`) and fails.
    ///
    /// ## How to ship it safely
    /// Treat it as a rename: expand (a view or wrapper in the old schema),
    /// migrate callers, contract later.
    pub RULE = { id: "ban-set-schema", domain: Migration, default: Error, class: Contract };
}

pub fn check(cx: &MigrationCx, out: &mut Vec<Finding>) {
    for a in cx.actions {
        if let Action::SetSchema { kind, name, schema } = a {
            if cx.catalog.is_new(*kind, name) {
                continue;
            }
            out.push(
                Finding::new(
                    &RULE,
                    format!(
                        "Moving {} `{name}` to schema `{schema}` breaks what still refers to it by its old name",
                        kind.label()
                    ),
                )
                .help("leave a view or wrapper under the old name while callers move, then remove it later"),
            );
        }
    }
}
