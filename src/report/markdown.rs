//! `--format markdown`: the gate summary for PR comments and job summaries.
//! Everything from the repository is escaped so it cannot inject Markdown,
//! HTML or mentions.

use std::fmt::Write;

use super::plural;
use crate::app::{Report, Verdict};
use crate::finding::Severity;

/// Escapes text for a Markdown table cell or paragraph.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '#' | '!' | '~' | '&' => {
                let _ = write!(out, "&#{};", c as u32);
            }
            '@' => out.push_str("@\u{200b}"),
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

pub fn render(report: &Report) -> String {
    let mut out = String::new();
    let (icon, verdict) = match report.verdict() {
        Verdict::Pass => ("✅", "pass"),
        Verdict::Blocked => ("⛔", "blocked"),
        Verdict::Error => ("⚠️", "error"),
    };
    let _ = writeln!(out, "### {icon} shipgate: {verdict}\n");
    let _ = writeln!(
        out,
        "{}, {}, {}, {} approved · {}, {} ({} unparsed)\n",
        plural(report.count(Severity::Error), "error"),
        plural(report.count(Severity::Warning), "warning"),
        plural(report.count(Severity::Note), "note"),
        report.approved(),
        plural(report.stats.migration_files, "migration file"),
        plural(report.stats.statements, "statement"),
        report.stats.unparsed_statements
    );
    let open: Vec<_> = report.findings.iter().filter(|f| !f.approved).collect();
    if !open.is_empty() {
        let _ = writeln!(out, "| Severity | Rule | Location | Finding |\n|---|---|---|---|");
        for f in open {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} |",
                f.severity.as_str(),
                escape(f.rule),
                location(f),
                escape(&f.message)
            );
        }
        out.push('\n');
    }
    let approved: Vec<_> = report.findings.iter().filter(|f| f.approved).collect();
    if !approved.is_empty() {
        let _ = writeln!(out, "#### Approvals\n\n| Rule | Location | Reason |\n|---|---|---|");
        for f in approved {
            let reason = f.approval_reason.as_deref().unwrap_or("");
            let _ = writeln!(out, "| {} | {} | {} |", escape(f.rule), location(f), escape(reason));
        }
        out.push('\n');
    }
    out
}

fn location(f: &crate::finding::Finding) -> String {
    match (&f.file, f.location) {
        (Some(file), Some(l)) => format!("{}:{}", escape(file), l.line),
        (Some(file), None) => escape(file),
        _ => "-".into(),
    }
}
