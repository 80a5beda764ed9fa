//! Renaming an enum value.
use super::MigrationCx;
use crate::finding::Finding;
use crate::migration::action::{Action, ObjectKind};

crate::declare_rule! {
    /// ## What it does
    /// Flags `ALTER TYPE ... RENAME VALUE`.
    ///
    /// ## Why it blocks a release
    /// The running release writes the old label and its inserts fail; stored
    /// rows change meaning under code that still compares with the old label.
    ///
    /// ## How to ship it safely
    /// Add the new value, migrate rows and code to it, and stop using the old one.
    pub RULE = { id: "ban-rename-enum-value", domain: Migration, default: Error, class: Contract };
}

pub fn check(cx: &MigrationCx, out: &mut Vec<Finding>) {
    for a in cx.actions {
        if let Action::RenameEnumValue { ty, from, to } = a {
            if cx.catalog.is_new(ObjectKind::Type, ty) {
                continue;
            }
            out.push(Finding::new(&RULE, format!("Renaming value `{from}` of enum `{ty}` to `{to}` breaks instances still writing `{from}`")).help("add the new value with `ALTER TYPE ... ADD VALUE`, migrate rows and code, then stop using the old one"));
        }
    }
}
