//! A statement shipgate could not understand: never passed silently.
use super::MigrationCx;
use crate::finding::Finding;

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
    pub RULE = { id: "unparsed-statement", domain: Migration, default: Warning, class: Lock };
}

pub fn check(cx: &MigrationCx, out: &mut Vec<Finding>) {
    if let (Some(reason), None) = (cx.unparsed_reason(), &cx.stmt.destructive) {
        out.push(
            Finding::new(
                &RULE,
                format!("This statement could not be understood ({reason}), so no rule checked it"),
            )
            .help("check it by hand; approve it with `-- MIGRATION_APPROVED(unparsed-statement): <reason>`"),
        );
    }
}
