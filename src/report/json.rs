//! `--format json`: the document scripts rely on (`docs/contract.md`, "JSON report").
//!
//! The document is one `Serialize` value written straight to text: a report
//! with tens of thousands of findings never becomes a `serde_json::Value`
//! tree first (that tree was most of the peak memory of a large `lint`).

use serde::Serialize;
use serde_json::Value;

use crate::app::{Change, Report, Stats, Verdict};
use crate::finding::{Finding, Severity};

/// One finding as the contract shows it: every key present, `null` when empty.
#[derive(Serialize)]
struct JsonFinding<'a> {
    rule: &'a str,
    severity: &'a str,
    message: &'a str,
    help: Option<&'a str>,
    file: Option<&'a str>,
    line: Option<usize>,
    column: Option<usize>,
    end_line: Option<usize>,
    end_column: Option<usize>,
    approved: bool,
    approval_reason: Option<&'a str>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    related: &'a [crate::finding::Related],
}

impl<'a> From<&'a Finding> for JsonFinding<'a> {
    fn from(f: &'a Finding) -> Self {
        let loc = f.location;
        JsonFinding {
            rule: f.rule,
            severity: f.severity.as_str(),
            message: &f.message,
            help: f.help.as_deref(),
            file: f.file.as_deref(),
            line: loc.map(|l| l.line),
            column: loc.map(|l| l.column),
            end_line: loc.map(|l| l.end_line),
            end_column: loc.map(|l| l.end_column),
            approved: f.approved,
            approval_reason: f.approval_reason.as_deref(),
            related: &f.related,
        }
    }
}

#[derive(Serialize)]
struct Summary {
    errors: usize,
    warnings: usize,
    notes: usize,
    approved: usize,
}

/// The whole document.
#[derive(Serialize)]
struct Document<'a> {
    version: u32,
    verdict: Verdict,
    summary: Summary,
    stats: &'a Stats,
    #[serde(serialize_with = "findings")]
    findings: &'a [Finding],
    changes: &'a [Change],
}

fn findings<S: serde::Serializer>(all: &&[Finding], s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(all.iter().map(JsonFinding::from))
}

fn document(report: &Report) -> Document<'_> {
    Document {
        version: 1,
        verdict: report.verdict(),
        summary: Summary {
            errors: report.count(Severity::Error),
            warnings: report.count(Severity::Warning),
            notes: report.count(Severity::Note),
            approved: report.approved(),
        },
        stats: &report.stats,
        findings: &report.findings,
        changes: &report.changes,
    }
}

/// The document as a value, for commands that add a section (`dry_run`, `signoffs`).
pub fn value(report: &Report) -> Value {
    serde_json::to_value(document(report)).expect("report serialises")
}

pub fn render(report: &Report) -> String {
    let mut s = serde_json::to_string_pretty(&document(report)).expect("report serialises");
    s.push('\n');
    s
}

/// The document written as it is serialised, never held whole in memory.
pub fn write(report: &Report, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &document(report))?;
    out.write_all(b"\n")
}
