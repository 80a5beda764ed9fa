//! A statement PostgreSQL rejected during the dry run.
use super::DryRunCx;
use crate::dryrun::model::StatementStatus;
use crate::finding::Finding;

crate::declare_rule! {
    /// ## What it does
    /// Flags a statement that PostgreSQL rejected during the dry run, with
    /// PostgreSQL's message, SQLSTATE, and the line and column it points at.
    ///
    /// ## Why it blocks a release
    /// The migration would fail at this statement in production too, and the
    /// deployment with it. The statements after it and the migrations after
    /// it were not run.
    ///
    /// ## How to ship it safely
    /// Fix the statement, or the migration that should have prepared what it
    /// needs, and run the dry run again. A `lock_timeout` or
    /// `statement_timeout` failure means the statement waited or ran longer
    /// than `--lock-timeout` / `--statement-timeout` allow.
    pub RULE = { id: "dry-run-statement-failed", domain: Migration, default: Error, class: Other };
}

pub fn check(cx: &DryRunCx, out: &mut Vec<Finding>) {
    let s = cx.statement;
    if s.status != StatementStatus::Failed {
        return;
    }
    let Some(e) = &s.error else {
        out.push(Finding::new(
            &RULE,
            "PostgreSQL rejected this statement, so the migration would fail here",
        ));
        return;
    };
    let code = if e.code.is_empty() {
        String::new()
    } else {
        format!(" ({})", e.code)
    };
    let position = match (e.line, e.column) {
        (Some(l), Some(c)) => format!(" at line {l}, column {c}"),
        _ => String::new(),
    };
    let inner = match (&e.internal_query, e.internal_position) {
        (Some(q), Some(p)) => format!(" in `{}` at character {p}", q.trim()),
        (Some(q), None) => format!(" in `{}`", q.trim()),
        _ => String::new(),
    };
    let timeout = matches!(e.code.as_str(), "55P03" | "57014");
    let mut f = Finding::new(
        &RULE,
        format!(
            "PostgreSQL rejected this statement{position}{inner}: {}{code}, so the migration would fail here and nothing after it ran",
            e.message
        ),
    );
    f.help = Some(match (&e.hint, timeout) {
        (_, true) => "the statement waited or ran longer than `--lock-timeout`/`--statement-timeout` allow; find what holds the lock or make the statement cheaper".to_string(),
        (Some(h), _) => h.clone(),
        (None, _) => "fix the statement, or the migration that should have prepared what it needs".to_string(),
    });
    out.push(f);
}
