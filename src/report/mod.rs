//! Reporters: one format per file, all reading the same `Report`.

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

pub fn render(report: &Report, format: Format, color: bool) -> String {
    match format {
        Format::Human => human::render(report, color),
        Format::Json => json::render(report),
        Format::Sarif => sarif::render(report),
        Format::Github => github::render(report),
        Format::Markdown => markdown::render(report),
    }
}
