//! A static contract finding on a statement that, on this database, changed nothing it fears.
use super::DryRunCx;
use crate::dryrun::model::ChangeKind;
use crate::finding::Finding;

crate::declare_rule! {
    /// ## What it does
    /// Notes a static finding of a destructive or breaking change on a
    /// statement that, when the dry run executed it, removed no rows, updated
    /// none, and dropped, renamed or retyped nothing: for example a
    /// `DELETE` without `WHERE` on an empty table, or `DROP ... IF EXISTS` of
    /// something that does not exist.
    ///
    /// ## Why it blocks a release
    /// It does not block, and the static finding still stands: the database
    /// the dry run used may hold less than production. The note exists so
    /// that static rules that are stricter than needed can be improved.
    ///
    /// ## How to ship it safely
    /// Nothing to do for this release. If the static finding is wrong for
    /// every database, report it with the statement.
    pub RULE = { id: "dry-run-harmless-static-finding", domain: Migration, default: Note, class: Other };
}

pub fn check(cx: &DryRunCx, out: &mut Vec<Finding>) {
    if !cx.ran() {
        return;
    }
    let s = cx.statement;
    let static_contract = cx.static_contract();
    let rows_changed = s
        .rows
        .iter()
        .any(|r| r.preexisting && (r.lost() > 0 || r.updated > 0 || r.deleted > 0));
    if static_contract.is_empty()
        || !cx.breaking().is_empty()
        || rows_changed
        || !s.changes.iter().all(|c| c.replaced || c.change == ChangeKind::Added)
    {
        return;
    }
    let mut seen = Vec::new();
    for f in static_contract {
        if seen.contains(&f.rule) {
            continue;
        }
        seen.push(f.rule);
        out.push(
            Finding::new(
                &RULE,
                format!(
                    "Static rule `{}` flagged this statement, but on this database it removed no rows and dropped, renamed or retyped nothing, so the rule may be stricter than needed here",
                    f.rule
                ),
            )
            .help("the static finding still stands; production may hold what this database does not"),
        );
    }
}
