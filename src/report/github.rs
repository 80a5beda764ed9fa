//! `--format github`: workflow commands that GitHub turns into annotations.

use std::fmt::Write;

use crate::app::Report;
use crate::finding::Severity;

/// GitHub shows at most this many annotations of each kind per step.
pub const MAX_PER_LEVEL: usize = 10;

/// Escapes a workflow command's message.
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// Escapes a workflow command's property value.
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

pub fn render(report: &Report) -> String {
    let mut out = String::new();
    let mut counts = [0usize; 3];
    let mut left_out = 0;
    for f in report.findings.iter().filter(|f| !f.approved) {
        let (cmd, idx) = match f.severity {
            Severity::Error => ("error", 0),
            Severity::Warning => ("warning", 1),
            Severity::Note => ("notice", 2),
        };
        counts[idx] += 1;
        if counts[idx] > MAX_PER_LEVEL {
            left_out += 1;
            continue;
        }
        let mut props = Vec::new();
        if let Some(file) = &f.file {
            props.push(format!("file={}", escape_property(file)));
        }
        if let Some(l) = f.location {
            props.push(format!("line={},endLine={},col={}", l.line, l.end_line, l.column));
            if l.line == l.end_line {
                props.push(format!("endColumn={}", l.end_column));
            }
        }
        props.push(format!("title={}", escape_property(&format!("shipgate {}", f.rule))));
        let mut msg = f.message.clone();
        if let Some(h) = &f.help {
            msg.push_str("\nhelp: ");
            msg.push_str(h);
        }
        for r in &f.related {
            if let Some(file) = r.file.as_ref().or(f.file.as_ref()) {
                let _ = write!(msg, "\n{}: {file}:{}:{}", r.label, r.location.line, r.location.column);
            }
        }
        let _ = writeln!(out, "::{cmd} {}::{}", props.join(","), escape_data(&msg));
    }
    if left_out > 0 {
        let _ = writeln!(out, "::notice title=shipgate::{left_out} more findings are not annotated (GitHub shows {MAX_PER_LEVEL} per level); see the job summary");
    }
    out
}
