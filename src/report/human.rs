//! Human output: each finding as a miette diagnostic with the source
//! snippet underlined and a help line, then one summary line.

use std::fmt::Write;

use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteDiagnostic, NamedSource, Severity as MSeverity,
};

use crate::app::{Report, Verdict};
use crate::finding::{Finding, Severity};

/// At most this many lines of a statement are shown.
const MAX_SNIPPET_LINES: usize = 6;

use super::plural;

pub fn render(report: &Report, color: bool) -> String {
    render_with(report, color, |_| true)
}

/// `--quiet`: only the findings that block, and the summary of them all.
pub fn render_quiet(report: &Report, color: bool) -> String {
    render_with(report, color, |f| report.blocks(f))
}

fn render_with(report: &Report, color: bool, shown: impl Fn(&Finding) -> bool) -> String {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .without_cause_chain()
        .with_links(false)
        .with_width(100);
    let mut out = String::new();
    for f in report.findings.iter().filter(|f| shown(f)) {
        render_one(&handler, report, f, &mut out);
    }
    let verdict = match report.verdict() {
        Verdict::Pass => "pass",
        Verdict::Blocked => "blocked",
        Verdict::InvalidInput => "error",
    };
    let s = &report.stats;
    let mut checked = vec![format!(
        "{}, {}, {} unparsed",
        plural(s.migration_files, "migration file"),
        plural(s.statements, "statement"),
        s.unparsed_statements
    )];
    if s.manifests > 0 {
        checked.push(plural(s.manifests, "rollout manifest"));
    }
    if s.flags > 0 {
        checked.push(plural(s.flags, "documented flag"));
    }
    let _ = writeln!(
        out,
        "shipgate: {verdict}: {}, {}, {}, {} approved ({})",
        plural(report.count(Severity::Error), "error"),
        plural(report.count(Severity::Warning), "warning"),
        plural(report.count(Severity::Note), "note"),
        report.approved(),
        checked.join("; "),
    );
    out
}

fn render_one(handler: &GraphicalReportHandler, report: &Report, f: &Finding, out: &mut String) {
    let severity = match f.severity {
        _ if f.approved => MSeverity::Advice,
        Severity::Error => MSeverity::Error,
        Severity::Warning => MSeverity::Warning,
        Severity::Note => MSeverity::Advice,
    };
    let code = if f.approved {
        format!("{} (approved)", f.rule)
    } else {
        f.rule.to_string()
    };
    let mut diag = MietteDiagnostic::new(f.message.clone())
        .with_code(code)
        .with_severity(severity);
    let help = match (&f.approval_reason, &f.help) {
        (Some(reason), _) => Some(format!("approved: {reason}")),
        (None, Some(h)) => Some(h.clone()),
        _ => None,
    };
    if let Some(h) = help {
        diag = diag.with_help(h);
    }
    let src = f.file.as_ref().and_then(|p| report.sources.get(p));
    match (src, &f.span, &f.file) {
        (Some(src), Some(span), Some(path)) => {
            let label = if f.approved { "approved" } else { "here" };
            diag = diag.with_label(LabeledSpan::at(clip(src, span.clone()), label));
            let report = miette::Report::new(diag).with_source_code(NamedSource::new(path, src.clone()));
            let _ = handler.render_report(out, report.as_ref());
        }
        (_, _, file) => {
            let report = miette::Report::new(diag);
            let _ = handler.render_report(out, report.as_ref());
            if let (Some(file), Some(loc)) = (file, f.location) {
                let _ = writeln!(out, "  at {file}:{}:{}", loc.line, loc.column);
            } else if let Some(file) = file {
                let _ = writeln!(out, "  in {file}");
            }
        }
    }
    for related in related_places(report, f) {
        let _ = handler.render_report(out, related.as_ref());
    }
    out.push('\n');
}

/// The finding's labelled places, each an advice with its own snippet (or
/// its place, when the report does not hold the file), rendered under the
/// finding. (miette drops a label of one snippet that lies far from the
/// other, so even a place in the finding's own file gets its own snippet.)
fn related_places(report: &Report, f: &Finding) -> Vec<miette::Report> {
    f.related
        .iter()
        .filter_map(|r| Some((r, r.file.as_deref().or(f.file.as_deref())?)))
        .map(|(r, file)| {
            let place = format!("{file}:{}:{}", r.location.line, r.location.column);
            let diag = MietteDiagnostic::new(r.label.clone()).with_severity(MSeverity::Advice);
            match (report.sources.get(file), &r.span) {
                (Some(src), Some(span)) => {
                    miette::Report::new(diag.with_label(LabeledSpan::at(clip(src, span.clone()), "here")))
                        .with_source_code(NamedSource::new(file, src.clone()))
                }
                _ => miette::Report::new(
                    MietteDiagnostic::new(format!("{}: {place}", r.label)).with_severity(MSeverity::Advice),
                ),
            }
        })
        .collect()
}

/// Shortens a long statement's span to its first lines, widened to char
/// boundaries (a span that does not fit the text is clamped, never a panic).
fn clip(src: &str, span: std::ops::Range<usize>) -> std::ops::Range<usize> {
    let mut start = span.start.min(src.len());
    while !src.is_char_boundary(start) {
        start -= 1;
    }
    let mut end = span.end.clamp(start, src.len());
    while !src.is_char_boundary(end) {
        end += 1;
    }
    let cut = src[start..end]
        .match_indices('\n')
        .nth(MAX_SNIPPET_LINES - 1)
        .map_or(end, |(i, _)| start + i);
    let mut end = cut.max(start + usize::from(start < src.len()));
    while !src.is_char_boundary(end) {
        end += 1;
    }
    start..end
}
