//! Human output: each finding as a miette diagnostic with the source
//! snippet underlined and a help line, then one summary line.

use std::fmt::Write;

use std::collections::HashMap;
use std::ops::Range;

use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteDiagnostic, MietteError, MietteSpanContents,
    Severity as MSeverity, SourceCode, SourceSpan, SpanContents,
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
    let mut snippets = Snippets::default();
    for f in report.findings.iter().filter(|f| shown(f)) {
        render_one(&handler, report, &mut snippets, f, &mut out);
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

fn render_one(
    handler: &GraphicalReportHandler,
    report: &Report,
    snippets: &mut Snippets,
    f: &Finding,
    out: &mut String,
) {
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
    let src = f.file.as_ref().and_then(|p| Some((p, report.sources.get(p)?)));
    match (src, &f.span, &f.file) {
        (Some((path, src)), Some(span), _) => {
            let label = if f.approved { "approved" } else { "here" };
            let (excerpt, span) = snippets.excerpt(path, src, span.clone());
            diag = diag.with_label(LabeledSpan::at(span, label));
            let report = miette::Report::new(diag).with_source_code(excerpt);
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
    for related in related_places(report, snippets, f) {
        let _ = handler.render_report(out, related.as_ref());
    }
    out.push('\n');
}

/// The finding's labelled places, each an advice with its own snippet (or
/// its place, when the report does not hold the file), rendered under the
/// finding. (miette drops a label of one snippet that lies far from the
/// other, so even a place in the finding's own file gets its own snippet.)
fn related_places(report: &Report, snippets: &mut Snippets, f: &Finding) -> Vec<miette::Report> {
    f.related
        .iter()
        .filter_map(|r| Some((r, r.file.as_deref().or(f.file.as_deref())?)))
        .map(|(r, file)| {
            let place = format!("{file}:{}:{}", r.location.line, r.location.column);
            let diag = MietteDiagnostic::new(r.label.clone()).with_severity(MSeverity::Advice);
            match (report.sources.get(file), &r.span) {
                (Some(src), Some(span)) => {
                    let (excerpt, span) = snippets.excerpt(file, src, span.clone());
                    miette::Report::new(diag.with_label(LabeledSpan::at(span, "here"))).with_source_code(excerpt)
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

/// Lines kept around a span in an [`Excerpt`]: more than the handler's
/// context (one line before and after), so miette sees what it would see in
/// the whole file.
const EXCERPT_MARGIN: usize = 3;

/// Each file's line starts, computed once per report.
#[derive(Default)]
struct Snippets {
    lines: HashMap<String, Vec<usize>>,
}

impl Snippets {
    /// The lines of `src` around `span` (clipped to its first lines), and
    /// the clipped span. miette finds a snippet by scanning its source from
    /// the first byte, and the source is moved into each diagnostic: with the
    /// whole file, a file with many findings cost its size per finding, twice.
    fn excerpt(&mut self, name: &str, src: &str, span: Range<usize>) -> (Excerpt, Range<usize>) {
        let span = clip(src, span);
        let starts = self.lines.entry(name.to_string()).or_insert_with(|| line_starts(src));
        let line_of = |at: usize| starts.partition_point(|&s| s <= at).saturating_sub(1);
        let first = line_of(span.start).saturating_sub(EXCERPT_MARGIN);
        let after = line_of(span.end.saturating_sub(1).max(span.start)) + EXCERPT_MARGIN + 1;
        let (from, to) = (starts[first], starts.get(after).copied().unwrap_or(src.len()));
        let excerpt = Excerpt {
            name: name.to_string(),
            text: src[from..to].to_string(),
            offset: from,
            first_line: first,
        };
        (excerpt, span)
    }
}

/// Where each line starts, breaking lines as miette does: at `\n`, at `\r`,
/// and once at `\r\n`. (Not `lex::LineIndex`, which breaks at `\n` only:
/// a file with a lone `\r` would then show other line numbers than miette's
/// own reading of the whole file.)
fn line_starts(src: &str) -> Vec<usize> {
    let b = src.as_bytes();
    let mut starts = vec![0];
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\r' && b.get(i + 1) == Some(&b'\n') {
            i += 1;
        }
        if matches!(b[i], b'\n' | b'\r') {
            starts.push(i + 1);
        }
        i += 1;
    }
    starts
}

/// Whole lines of a file, from line `first_line` (0-based) at byte `offset`:
/// read by miette as if it were the file.
#[derive(Debug)]
struct Excerpt {
    name: String,
    text: String,
    offset: usize,
    first_line: usize,
}

impl SourceCode for Excerpt {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let start = span.offset().checked_sub(self.offset).ok_or(MietteError::OutOfBounds)?;
        let local = self
            .text
            .read_span(&SourceSpan::new(start.into(), span.len()), before, after)?;
        let at = SourceSpan::new((local.span().offset() + self.offset).into(), local.span().len());
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            local.data(),
            at,
            local.line() + self.first_line,
            local.column(),
            local.line_count() + self.first_line,
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(handler: &GraphicalReportHandler, code: impl SourceCode + 'static, span: Range<usize>) -> String {
        let diag = MietteDiagnostic::new("m").with_label(LabeledSpan::at(span, "here"));
        let mut out = String::new();
        let report = miette::Report::new(diag).with_source_code(code);
        handler.render_report(&mut out, report.as_ref()).unwrap();
        out
    }

    /// A snippet read from an excerpt renders exactly as from the whole file.
    #[test]
    fn an_excerpt_renders_as_the_whole_file() {
        let handler = GraphicalReportHandler::new_themed(GraphicalTheme::unicode_nocolor()).with_width(100);
        let mut src = String::new();
        for i in 0..40 {
            let end = match i % 5 {
                0 => "\r\n",
                1 => "\r",
                _ => "\n",
            };
            src.push_str(&format!("ALTER TABLE t{i} DROP COLUMN c{i}; -- é{end}"));
        }
        let mut snippets = Snippets::default();
        let len = src.len();
        let spans = [
            0..5,
            0..len,
            30..31,
            200..260,
            500..900,
            len - 10..len,
            len..len,
            120..120,
        ];
        for span in spans {
            let (excerpt, clipped) = snippets.excerpt("f.sql", &src, span.clone());
            let whole = miette::NamedSource::new("f.sql", src.clone());
            assert_eq!(
                render(&handler, excerpt, clipped.clone()),
                render(&handler, whole, clipped),
                "{span:?}"
            );
        }
    }
}
