//! A finding is the one currency between rules, approvals and reporters.

use serde::Serialize;

use crate::rule::RuleMeta;
pub use crate::rule::Severity;

/// 1-based line and column range of what a finding is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Location {
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    pub rule: &'static str,
    pub severity: Severity,
    pub message: String,
    /// What to do about it: one line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    /// Path relative to the repository (or as given on the command line).
    pub file: Option<String>,
    #[serde(flatten)]
    pub location: Option<Location>,
    pub approved: bool,
    pub approval_reason: Option<String>,
    /// Byte range in the file, for snippets.
    #[serde(skip)]
    pub span: Option<std::ops::Range<usize>>,
    /// Index of the statement in its migration file, for approvals.
    #[serde(skip)]
    pub statement: Option<usize>,
    /// The rule's metadata (contract class, domain).
    #[serde(skip)]
    pub meta: &'static RuleMeta,
    /// Other places that explain the finding, each with its own label: the
    /// code that still reads a dropped column, the configuration line that
    /// raised the severity, the registry row of a near match.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub related: Vec<Related>,
}

/// A labelled place that explains a finding, in its file or another one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Related {
    /// Path relative to the repository; `None` for the finding's own file.
    pub file: Option<String>,
    #[serde(flatten)]
    pub location: Location,
    /// Byte range in that file, for snippets.
    #[serde(skip)]
    pub span: Option<std::ops::Range<usize>>,
    pub label: String,
}

impl Location {
    /// The location of `span` in `text`, columns counted in characters (a
    /// span that does not fit the text is clamped, never a panic).
    pub fn in_text(text: &str, span: &std::ops::Range<usize>) -> Location {
        let at = |offset: usize| {
            let mut offset = offset.min(text.len());
            while !text.is_char_boundary(offset) {
                offset -= 1;
            }
            let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
            (
                text[..offset].matches('\n').count() + 1,
                text[line_start..offset].chars().count() + 1,
            )
        };
        let (line, column) = at(span.start);
        let (end_line, end_column) = at(span.end.max(span.start + 1) - 1);
        Location {
            line,
            column,
            end_line,
            end_column: end_column + 1,
        }
    }
}

impl Finding {
    pub fn new(meta: &'static RuleMeta, message: impl Into<String>) -> Self {
        Finding {
            rule: meta.id,
            severity: meta.default,
            message: message.into(),
            help: None,
            file: None,
            location: None,
            approved: false,
            approval_reason: None,
            span: None,
            statement: None,
            meta,
            related: Vec::new(),
        }
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn at(mut self, file: &str, span: std::ops::Range<usize>, location: Location) -> Self {
        self.file = Some(file.to_string());
        self.span = Some(span);
        self.location = Some(location);
        self
    }

    /// Points the finding at `span`, a clause of what it is about, when one
    /// is known; a migration finding without one is located at its statement.
    pub fn pointing_at(mut self, span: Option<std::ops::Range<usize>>) -> Self {
        if span.is_some() {
            self.span = span;
        }
        self
    }

    /// Adds a labelled place that explains the finding.
    pub fn related(mut self, related: Related) -> Self {
        self.related.push(related);
        self
    }

    /// Sort key: file, position, rule.
    pub fn sort_key(&self) -> (Option<&str>, Option<Location>, &str) {
        (self.file.as_deref(), self.location, self.rule)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_location_in_text_counts_characters_and_never_panics() {
        let text = "a: 1\nné: é\n";
        let at = |s: std::ops::Range<usize>| {
            let l = Location::in_text(text, &s);
            (l.line, l.column, l.end_line, l.end_column)
        };
        assert_eq!(at(5..12), (2, 1, 2, 6));
        // Inside a character, or past the end: clamped.
        assert_eq!(at(6..7).0, 2);
        assert_eq!(at(100..200).0, 3);
    }
}
