//! `--format json`: the document scripts rely on (CONTRACT.md).

use serde_json::{json, Value};

use crate::app::Report;
use crate::finding::{Finding, Severity};

pub fn finding(f: &Finding) -> Value {
    let loc = f.location;
    json!({
        "rule": f.rule,
        "severity": f.severity.as_str(),
        "message": f.message,
        "help": f.help,
        "file": f.file,
        "line": loc.map(|l| l.line),
        "column": loc.map(|l| l.column),
        "end_line": loc.map(|l| l.end_line),
        "end_column": loc.map(|l| l.end_column),
        "approved": f.approved,
        "approval_reason": f.approval_reason,
    })
}

pub fn value(report: &Report) -> Value {
    json!({
        "version": 1,
        "verdict": report.verdict(),
        "summary": {
            "errors": report.count(Severity::Error),
            "warnings": report.count(Severity::Warning),
            "notes": report.count(Severity::Note),
            "approved": report.approved(),
        },
        "stats": report.stats,
        "findings": report.findings.iter().map(finding).collect::<Vec<_>>(),
        "changes": report.changes,
    })
}

pub fn render(report: &Report) -> String {
    let mut s = serde_json::to_string_pretty(&value(report)).expect("report serialises");
    s.push('\n');
    s
}
