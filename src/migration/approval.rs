//! `-- MIGRATION_APPROVED[(rule, ...)]: reason` comments: parsed from real
//! comments only (the lexer has already set strings and dollar bodies
//! apart) and attached to the statement they belong to, as CONTRACT.md says.

use std::ops::Range;

use super::lex::{LineIndex, Token, TokenKind};
use super::statement::Statement;

pub const MARKER: &str = "MIGRATION_APPROVED";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Approval {
    /// The comment's byte range.
    pub span: Range<usize>,
    /// The rules listed in parentheses; `None` approves every contract-class finding.
    pub rules: Option<Vec<String>>,
    /// The reason, or what is wrong with the approval.
    pub reason: Result<String, String>,
    /// Index of the statement it belongs to.
    pub statement: Option<usize>,
}

/// Parses the approval in one comment, if it has the marker.
pub fn parse_comment(tok: &Token, src: &str) -> Option<Approval> {
    let text = tok.text(src);
    let body = match tok.kind {
        TokenKind::LineComment => text.trim_start_matches('-').trim_start_matches('#'),
        TokenKind::BlockComment => text.strip_prefix("/*").map(|t| t.strip_suffix("*/").unwrap_or(t))?,
        _ => return None,
    };
    let Some(at) = body.find(MARKER) else {
        return near_miss(tok, body);
    };
    let before = &body[..at];
    // The marker must be a word of its own: `NOT_MIGRATION_APPROVED` is not it.
    if before.ends_with(|c: char| c.is_alphanumeric() || c == '_') {
        return None;
    }
    let after = &body[at + MARKER.len()..];
    if after.starts_with(|c: char| c.is_alphanumeric() || c == '_') {
        return None;
    }
    let mut rest = after.trim_start();
    let mut approval = Approval {
        span: tok.span.clone(),
        rules: None,
        reason: Err(String::new()),
        statement: None,
    };
    // `-- not MIGRATION_APPROVED: pending review` is prose, not an approval.
    if !starts_a_line(before) {
        approval.reason = Err(format!("`{MARKER}` must begin the comment or one of its lines"));
        return Some(approval);
    }
    if let Some(list) = rest.strip_prefix('(') {
        let Some(close) = list.find(')') else {
            approval.reason = Err("the rule list has no closing `)`".into());
            return Some(approval);
        };
        let ids: Vec<String> = list[..close]
            .split(',')
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect();
        if ids.is_empty() {
            approval.reason = Err("the rule list is empty".into());
            return Some(approval);
        }
        if let Some(bad) = ids.iter().find(|id| !crate::rule::is_known(id)) {
            approval.reason = Err(format!("`{bad}` is not a shipgate rule"));
            return Some(approval);
        }
        approval.rules = Some(ids);
        rest = list[close + 1..].trim_start();
    }
    approval.reason = match rest.strip_prefix(':') {
        None => Err(format!("`{MARKER}` must be followed by `:` and a reason")),
        Some(reason) => {
            let reason = reason
                .lines()
                .map(|l| l.trim().trim_start_matches('*').trim())
                .collect::<Vec<_>>()
                .join(" ");
            let reason = reason.trim().to_string();
            if reason.is_empty() {
                Err("the reason is blank".into())
            } else {
                Ok(reason)
            }
        }
    };
    Some(approval)
}

/// Whether text that ends where the marker starts leaves the marker at the
/// start of a comment line (after only spaces and comment punctuation).
fn starts_a_line(before: &str) -> bool {
    before
        .rsplit('\n')
        .next()
        .unwrap_or(before)
        .trim_matches(|c: char| c.is_whitespace() || matches!(c, '*' | '-' | '/' | '#'))
        .is_empty()
}

/// A marker written in another case or with a hyphen (`-- migration_approved:
/// ...`) at the start of a comment line: an approval that approves nothing,
/// so that the author learns why, rather than a comment silently ignored.
fn near_miss(tok: &Token, body: &str) -> Option<Approval> {
    let lower = body.to_ascii_lowercase();
    let word = |c: char| c.is_alphanumeric() || c == '_';
    let at = ["migration_approved", "migration-approved"].iter().find_map(|m| {
        let at = lower.find(m)?;
        let ends_word = !lower[at + m.len()..].starts_with(word);
        (starts_a_line(&lower[..at]) && ends_word).then_some(at)
    })?;
    let written = &body[at..at + MARKER.len()];
    Some(Approval {
        span: tok.span.clone(),
        rules: None,
        reason: Err(format!(
            "`{written}` is not the marker: write `{MARKER}`, in capitals with an underscore"
        )),
        statement: None,
    })
}

/// Finds every approval among `comments` and attaches it to its statement.
pub fn collect(src: &str, lines: &LineIndex, comments: &[Token], statements: &[Statement]) -> Vec<Approval> {
    let mut out = Vec::new();
    for c in comments {
        let Some(mut a) = parse_comment(c, src) else {
            continue;
        };
        a.statement = owner(lines, c.span.start, statements);
        out.push(a);
    }
    out
}

/// The statement a comment starting at `at` belongs to.
fn owner(lines: &LineIndex, at: usize, statements: &[Statement]) -> Option<usize> {
    let next = statements.partition_point(|s| s.span.start <= at);
    // A comment inside a statement belongs to it.
    if next > 0 && at < statements[next - 1].span.end {
        return Some(next - 1);
    }
    // On the same line as the previous statement's closing `;`, after it (a
    // last statement without `;` closes with its last token).
    if next > 0 {
        let prev = &statements[next - 1];
        let close = prev.terminator.unwrap_or(prev.span.end.saturating_sub(1));
        if lines.line(close) == lines.line(at) {
            return Some(next - 1);
        }
    }
    (next < statements.len()).then_some(next)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::SqlDialect;
    use crate::migration::lex::lex;
    use crate::migration::statement::understand;

    fn approvals(src: &str) -> Vec<Approval> {
        let l = lex(src);
        let st: Vec<_> = l
            .statements
            .iter()
            .map(|s| understand(src, s, SqlDialect::Postgres))
            .collect();
        collect(src, &LineIndex::new(src), &l.comments, &st)
    }

    #[test]
    fn trailing_comment_belongs_to_its_statement() {
        let a = approvals("ALTER TABLE m DROP COLUMN a; -- MIGRATION_APPROVED: moved\nDROP TABLE b;\n");
        assert_eq!(a[0].statement, Some(0));
        assert_eq!(a[0].reason, Ok("moved".into()));
    }

    #[test]
    fn leading_comment_belongs_to_the_next_statement() {
        let a = approvals("SELECT 1;\n-- MIGRATION_APPROVED: archived\nDROP TABLE b;\n");
        assert_eq!(a[0].statement, Some(1));
    }

    #[test]
    fn rule_lists_and_blocks() {
        let a = approvals("/* MIGRATION_APPROVED(ban-drop-column): unused since 4.2 */\nALTER TABLE m DROP COLUMN x;");
        assert_eq!(a[0].rules, Some(vec!["ban-drop-column".to_string()]));
        assert_eq!(a[0].reason, Ok("unused since 4.2".into()));
    }

    #[test]
    fn blank_or_missing_reasons_are_errors() {
        assert!(approvals("-- MIGRATION_APPROVED:   \nDROP TABLE b;")[0].reason.is_err());
        // A marker in another case or with a hyphen approves nothing, and says why.
        for near in ["-- migration_approved: moved", "/* Migration-Approved: moved */"] {
            let a = approvals(&format!("{near}\nDROP TABLE b;"));
            let why = a[0].reason.as_ref().unwrap_err();
            assert!(why.contains("is not the marker"), "{why}");
        }
        // Prose that mentions it, or a longer word, is no approval at all.
        assert!(approvals("-- see migration_approved_list\nDROP TABLE b;").is_empty());
        assert!(approvals("-- the migration-approved flag\nDROP TABLE b;").is_empty());
        assert!(approvals("-- MIGRATION_APPROVED\nDROP TABLE b;")[0].reason.is_err());
        assert!(approvals("/* MIGRATION_APPROVED archived */\nDROP TABLE b;")[0]
            .reason
            .is_err());
        assert!(approvals("-- MIGRATION_APPROVEDX: x\nDROP TABLE b;").is_empty());
        assert!(approvals("-- MIGRATION_APPROVED(nope): x\nDROP TABLE b;")[0]
            .reason
            .is_err());
    }

    #[test]
    fn the_marker_begins_the_comment_or_a_line_of_it() {
        let a = approvals("-- not MIGRATION_APPROVED: pending review\nDROP TABLE b;");
        assert!(a[0].reason.as_ref().unwrap_err().contains("must begin"));
        let a = approvals("/*\n * Context.\n * MIGRATION_APPROVED: archived\n */\nDROP TABLE b;");
        assert_eq!(a[0].reason, Ok("archived".into()));
    }

    #[test]
    fn a_last_statement_without_semicolon_keeps_its_trailing_comment() {
        let a = approvals("SELECT 1;\nDROP TABLE b -- MIGRATION_APPROVED: archived");
        assert_eq!(a[0].statement, Some(1));
    }

    #[test]
    fn strings_are_not_comments() {
        assert!(approvals("SELECT '-- MIGRATION_APPROVED: x'; DROP TABLE b;").is_empty());
        assert!(approvals("DO $$ BEGIN -- MIGRATION_APPROVED: x\n END $$; DROP TABLE b;").is_empty());
    }
}
