//! Statements shipgate could not understand: never passed silently.
use super::{Cx, Hit};
use crate::migration::statement::ParseStatus;

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
    pub UNPARSED_DESTRUCTIVE = { id: "unparsed-destructive", domain: Migration, default: Error, class: Contract };
}

crate::declare_rule! {
    /// ## What it does
    /// Notes a statement that neither sqlparser nor shipgate's own recogniser
    /// understands, and that contains no destructive keyword.
    ///
    /// ## Why it blocks a release
    /// It does not block by default. It is reported so that nothing passes
    /// unread: rules could not check it.
    ///
    /// ## How to ship it safely
    /// Check the statement by hand; approve it by name with
    /// `-- MIGRATION_APPROVED(unparsed-statement): <reason>` to silence it.
    pub UNPARSED_STATEMENT = { id: "unparsed-statement", domain: Migration, default: Warning, class: Lock };
}

fn reason<'a>(cx: &'a Cx<'a>) -> Option<&'a str> {
    match &cx.stmt.status {
        ParseStatus::Unparsed { reason } => Some(reason),
        _ => None,
    }
}

pub fn check_destructive(cx: &Cx, out: &mut Vec<Hit>) {
    if let (Some(reason), Some(kw)) = (reason(cx), &cx.stmt.destructive) {
        out.push(Hit::new(
            &UNPARSED_DESTRUCTIVE,
            format!("This statement contains `{kw}` but could not be understood ({reason}), so it cannot be shown to be safe"),
            "check it by hand and approve it with `-- MIGRATION_APPROVED: <reason>`",
        ));
    }
}

pub fn check_unparsed(cx: &Cx, out: &mut Vec<Hit>) {
    if let (Some(reason), None) = (reason(cx), &cx.stmt.destructive) {
        out.push(Hit::new(
            &UNPARSED_STATEMENT,
            format!("This statement could not be understood ({reason}), so no rule checked it"),
            "check it by hand; approve it with `-- MIGRATION_APPROVED(unparsed-statement): <reason>`",
        ));
    }
}
