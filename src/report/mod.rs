//! Reporters: one format per file, all reading the same `Report`.

pub mod dryrun;
pub mod github;
pub mod human;
pub mod json;
pub mod markdown;
pub mod sarif;

use crate::app::Report;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Human,
    Json,
    Sarif,
    Github,
    Markdown,
}

/// Renders `report` in `format`; `color` applies to human output only.
/// `1 migration file`, `2 migration files`.
pub fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

/// Writes `report` in `format` to `out`. JSON is streamed: a large report's
/// text is never built in memory first.
pub fn write(report: &Report, format: Format, color: bool, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    match format {
        Format::Json => json::write(report, out),
        other => out.write_all(render(report, other, color).as_bytes()),
    }
}

/// A configuration error as a diagnostic with a caret at its position.
pub fn config_error(e: &crate::config::ConfigError, color: bool) -> String {
    use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteDiagnostic, NamedSource};
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme).with_links(false);
    let mut out = String::new();
    // The label runs to the end of the key or line, from a char boundary.
    let label = e.src.as_ref().zip(e.pos).and_then(|(src, pos)| {
        let rest = src.get(pos.offset..)?;
        let len = rest.find(['\n', ':']).unwrap_or(0).max(1).min(rest.len());
        Some(pos.offset..pos.offset + len)
    });
    // Without a snippet (which names the file and line), the message names them.
    let message = match label {
        Some(_) => e.message.clone(),
        None => e.to_string(),
    };
    let mut diag = MietteDiagnostic::new(format!("invalid configuration: {message}")).with_code("config");
    let report = match (&e.src, label) {
        (Some(src), Some(span)) => {
            diag = diag.with_label(LabeledSpan::at(span, "here"));
            miette::Report::new(diag).with_source_code(NamedSource::new(e.path.display().to_string(), src.clone()))
        }
        _ => miette::Report::new(diag),
    };
    let _ = handler.render_report(&mut out, report.as_ref());
    out
}

pub fn render(report: &Report, format: Format, color: bool) -> String {
    match format {
        Format::Human => human::render(report, color),
        Format::Json => json::render(report),
        Format::Sarif => sarif::render(report),
        Format::Github => github::render(report),
        Format::Markdown => markdown::render(report),
    }
}
