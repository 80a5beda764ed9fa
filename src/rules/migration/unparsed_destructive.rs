//! A statement shipgate could not understand that contains a destructive keyword.
use super::MigrationCx;
use crate::finding::Finding;

crate::declare_rule! {
    /// ## What it does
    /// Flags a statement that neither sqlparser nor shipgate's own recogniser
    /// understands and that contains a destructive keyword (`DROP`, `TRUNCATE`,
    /// `RENAME`, `DELETE`, `UPDATE`, `ALTER COLUMN ... TYPE`, `SET DATA TYPE`,
    /// `SET SCHEMA`, `SET UNLOGGED`), including statements whose template
    /// placeholders (`${schema}`, `{{ .Table }}`) leave them unreadable.
    ///
    /// ## Why it blocks a release
    /// shipgate fails closed: a statement it cannot read might drop, rename or
    /// retype something, and passing it unread would defeat the gate.
    ///
    /// ## How to ship it safely
    /// Check the statement by hand and approve it with
    /// `-- MIGRATION_APPROVED: <reason>`; report the shape to shipgate so the
    /// recogniser learns it.
    pub RULE = { id: "unparsed-destructive", domain: Migration, default: Error, class: Contract };
}

pub fn check(cx: &MigrationCx, out: &mut Vec<Finding>) {
    if let (Some(reason), Some(kw)) = (cx.unparsed_reason(), &cx.stmt.destructive) {
        out.push(Finding::new(&RULE, format!("This statement contains `{kw}` but could not be understood ({reason}), so it cannot be shown to be safe")).help("check it by hand and approve it with `-- MIGRATION_APPROVED: <reason>`"));
    }
}
