//! A destructive change the dry run saw and no static rule flagged.
use super::DryRunCx;
use crate::dryrun::model::{Change, ChangeKind};
use crate::finding::Finding;

crate::declare_rule! {
    /// ## What it does
    /// Flags a statement that, when the dry run executed it, dropped, renamed
    /// or retyped something that existed before the change, made a column
    /// NOT NULL, dropped a default or added a NOT NULL column without one,
    /// while no static rule flagged the statement.
    ///
    /// ## Why it blocks a release
    /// The static gate reads SQL text. Dynamic SQL (`EXECUTE` of a string
    /// built at run time), functions the migration calls, triggers and
    /// `CASCADE` do things the text does not show. A destructive change that
    /// the static gate missed ships without the review and the approval that
    /// destructive changes need, and breaks instances still running the
    /// previous release.
    ///
    /// ## How to ship it safely
    /// Read the statement's catalog changes in the dry-run report. If the
    /// change is intended, follow the expand/contract steps of the matching
    /// static rule (`shipgate explain ban-drop-table`, ...) and approve the
    /// statement with `-- MIGRATION_APPROVED: <reason>`. Consider rewriting the
    /// migration so that the destructive statement is written out, where the
    /// static gate can see it.
    pub RULE = { id: "dry-run-found-destructive", domain: Migration, default: Error, class: Contract };
}

pub fn check(cx: &DryRunCx, out: &mut Vec<Finding>) {
    if !cx.ran() {
        return;
    }
    let breaking = cx.breaking();
    if breaking.is_empty() || !cx.static_contract().is_empty() {
        return;
    }
    let what: Vec<String> = breaking.iter().map(|c| describe(c)).collect();
    out.push(
        Finding::new(
            &RULE,
            format!(
                "The dry run saw this statement {}, which no static rule flagged, so the change would ship unreviewed",
                list(&what)
            ),
        )
        .help("write the destructive statement out where the static gate can see it, or approve it with `-- MIGRATION_APPROVED: <reason>`"),
    );
}

/// `drop table `t``, `rename column `t.a` to `b``, ... for a message.
fn describe(c: &Change) -> String {
    let obj = c.object.replace('_', " ");
    let target = c.detail.as_deref().and_then(|d| d.strip_prefix("→ ")).unwrap_or("");
    match c.change {
        ChangeKind::Removed => format!("drop {obj} `{}`", c.name),
        ChangeKind::Renamed => format!("rename {obj} `{}` to `{target}`", c.name),
        ChangeKind::Added => format!(
            "add {obj} `{}`{}",
            c.name,
            if c.object == "column" {
                " as NOT NULL without a default"
            } else {
                ""
            }
        ),
        ChangeKind::Changed => match c.detail.as_deref() {
            Some(d) => format!("change {obj} `{}` ({d})", c.name),
            None => format!("change {obj} `{}`", c.name),
        },
    }
}

fn list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [a] => a.clone(),
        [a, b] => format!("{a} and {b}"),
        [a, b, c] => format!("{a}, {b} and {c}"),
        [a, b, rest @ ..] => format!("{a}, {b} and {} more", rest.len()),
    }
}
