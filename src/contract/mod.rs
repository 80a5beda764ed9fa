//! What the application code still uses of the schema: references to the
//! tables, columns and other objects that a migration drops or renames, found
//! in ORM schema files (`orm`), in SQL inside string literals, and as
//! distinctive bare identifiers. This is the model behind
//! `contract-still-referenced` and `contract-too-soon` (issue #13).
//!
//! Layer: a model. It reads code; it holds no rules.

pub mod orm;

/// A schema object that a migration drops or renames: the code must no
/// longer name it. Names are unquoted, unqualified and lower-cased, the way
/// PostgreSQL folds them (a quoted mixed-case name keeps its case).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub kind: TargetKind,
    /// For a column: its table. For an enum value: its type. Otherwise `None`.
    pub table: Option<String>,
    /// The old name.
    pub name: String,
    /// For a column: no other table in the schema model has a column of this
    /// name, so a bare identifier may count as a reference. Always `true` for
    /// the other kinds whose name is their own.
    pub distinctive: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TargetKind {
    Column,
    Table,
    View,
    Function,
    Type,
    EnumValue,
}

/// How a reference was recognised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Via {
    /// SQL in a string literal, tied to the table by FROM/JOIN/INSERT INTO/UPDATE.
    Sql,
    Prisma,
    Diesel,
    Drizzle,
    SqlAlchemy,
    Django,
    /// A distinctive bare identifier.
    Identifier,
}

/// One place in the code that still names a target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    /// Index into the targets searched for.
    pub target: usize,
    /// Path relative to the repository root, `/`-separated.
    pub path: String,
    /// 1-based line and column of the name.
    pub line: usize,
    pub column: usize,
    pub via: Via,
}

pub mod history;
pub mod literals;
pub mod sql;
pub mod tree;

use std::ops::Range;

use crate::finding::Location;
use crate::migration::action::{Action, ObjectKind};
use crate::migration::approval::Approval;

/// A DROP or RENAME in a migration that the change adds, with the target it
/// retires and where it is written.
#[derive(Debug, Clone)]
pub struct Contraction {
    pub target: Target,
    /// The migration, relative to the repository root.
    pub file: String,
    /// The statement's byte range and position in the migration.
    pub span: Range<usize>,
    pub location: Location,
    /// Index of the statement in its file, for approvals.
    pub statement: usize,
    /// The approvals that belong to the statement.
    pub approvals: Vec<Approval>,
    /// A rename (the new name is expected in the code), else a drop.
    pub rename: bool,
}

impl Target {
    /// A column of `table`; `distinctive` as the schema model says.
    pub fn column(table: &str, name: &str, distinctive: bool) -> Target {
        Target {
            distinctive,
            ..Target::new(TargetKind::Column, Some(table), name)
        }
    }

    fn new(kind: TargetKind, table: Option<&str>, name: &str) -> Target {
        Target {
            kind,
            table: table.map(str::to_string),
            name: name.to_string(),
            distinctive: kind != TargetKind::EnumValue,
        }
    }

    /// `members.old_field`, `members_archive`, `mood 'sad'`.
    pub fn display(&self) -> String {
        match (&self.table, self.kind) {
            (Some(t), TargetKind::EnumValue) => format!("{t} '{}'", self.name),
            (Some(t), _) => format!("{t}.{}", self.name),
            (None, _) => self.name.clone(),
        }
    }

    /// What kind of object it is, for messages.
    pub fn kind_label(&self) -> &'static str {
        match self.kind {
            TargetKind::Column => "column",
            TargetKind::Table => "table",
            TargetKind::View => "view",
            TargetKind::Function => "function",
            TargetKind::Type => "type",
            TargetKind::EnumValue => "enum value",
        }
    }
}

/// The targets an action retires, each with whether it is a rename: every
/// dropped or renamed column, table, view, function, type or enum value
/// (a rename's target is its old name).
pub fn targets_of(action: &Action) -> Vec<(Target, bool)> {
    let kind = |k: ObjectKind| match k {
        ObjectKind::Table => Some(TargetKind::Table),
        ObjectKind::View | ObjectKind::MaterializedView => Some(TargetKind::View),
        ObjectKind::Function | ObjectKind::Procedure => Some(TargetKind::Function),
        ObjectKind::Type | ObjectKind::Domain => Some(TargetKind::Type),
        _ => None,
    };
    match action {
        Action::DropColumn { table, column, .. } => {
            vec![(Target::new(TargetKind::Column, Some(&table.name), column), false)]
        }
        Action::RenameColumn { table, from, .. } => {
            vec![(Target::new(TargetKind::Column, Some(&table.name), from), true)]
        }
        Action::RenameEnumValue { ty, from, .. } => {
            vec![(Target::new(TargetKind::EnumValue, Some(&ty.name), from), true)]
        }
        Action::Drop { kind: k, names, .. } => match kind(*k) {
            Some(tk) => names.iter().map(|n| (Target::new(tk, None, &n.name), false)).collect(),
            None => Vec::new(),
        },
        Action::Rename { kind: k, from, .. } => match kind(*k) {
            Some(tk) => vec![(Target::new(tk, None, &from.name), true)],
            None => Vec::new(),
        },
        _ => Vec::new(),
    }
}

/// `old_field` → `oldField`; `None` when the name has no `_` between words.
pub fn camel_case(name: &str) -> Option<String> {
    let trimmed = name.trim_matches('_');
    if !trimmed.contains('_')
        || !trimmed
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
    {
        return None;
    }
    let mut out = String::new();
    let mut upper = false;
    for c in trimmed.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.push(c.to_ascii_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    Some(out)
}

/// The code search over one file's text for a set of targets: its needles
/// are the names searched for (and the camelCase forms of distinctive
/// snake_case names).
pub struct Scanner<'t> {
    pub targets: &'t [Target],
    /// (target, needle) for the bare-identifier search.
    words: Vec<(usize, String)>,
}

impl<'t> Scanner<'t> {
    pub fn new(targets: &'t [Target]) -> Self {
        let mut words = Vec::new();
        for (k, t) in targets.iter().enumerate() {
            if !t.distinctive || t.kind == TargetKind::EnumValue {
                continue;
            }
            words.push((k, t.name.clone()));
            if let Some(c) = camel_case(&t.name) {
                words.push((k, c));
            }
        }
        Scanner { targets, words }
    }

    /// Every name a reference could contain: what a prefilter looks for.
    pub fn needles(&self) -> Vec<String> {
        let mut v: Vec<String> = self.targets.iter().map(|t| t.name.clone()).collect();
        v.extend(self.words.iter().map(|(_, w)| w.clone()));
        v.sort();
        v.dedup();
        v
    }

    /// The references in one file: ORM schema files, SQL in string
    /// literals, distinctive bare identifiers outside comments. `generated`
    /// (the file's head says so) leaves only the ORM schema files.
    pub fn scan(&self, path: &str, text: &str, generated: bool) -> Vec<Reference> {
        let mut refs = orm::references(path, text, self.targets);
        let Some(lang) = literals::Lang::of(path).filter(|_| !generated) else {
            return refs;
        };
        let src = text.as_bytes();
        let scanned = literals::scan(src, lang);
        let mut found: Vec<(usize, usize, Via)> = Vec::new();
        let mut sql_spans = Vec::new();
        for lit in &scanned.literals {
            let Some(sql) = literals::sql_text(src, lit) else {
                continue;
            };
            let hits = sql::references(&sql, self.targets);
            if !hits.is_empty() || lang == literals::Lang::Sql {
                sql_spans.push(lit.span.clone());
            }
            found.extend(hits.into_iter().map(|(k, r)| (k, lit.span.start + r.start, Via::Sql)));
        }
        for (k, word) in &self.words {
            for at in memchr::memmem::find_iter(src, word.as_bytes()) {
                let end = at + word.len();
                let boundary =
                    |b: Option<&u8>| b.is_none_or(|b| !(b.is_ascii_alphanumeric() || *b == b'_' || *b == b'$'));
                let whole = boundary(at.checked_sub(1).and_then(|i| src.get(i))) && boundary(src.get(end));
                let inside = |spans: &[Range<usize>]| spans.iter().any(|s| s.start <= at && end <= s.end);
                if whole && !inside(&scanned.comments) && !inside(&sql_spans) {
                    found.push((*k, at, Via::Identifier));
                }
            }
        }
        found.sort_unstable_by_key(|&(k, at, _)| (at, k));
        let lines = crate::migration::lex::LineIndex::new(text);
        for (k, at, via) in found {
            let (line, column) = lines.position(text, at);
            // One reference per target and line: an ORM field or SQL column is not also a bare word.
            if refs.iter().any(|r| r.target == k && r.path == path && r.line == line) {
                continue;
            }
            refs.push(Reference {
                target: k,
                path: path.to_string(),
                line,
                column,
                via,
            });
        }
        refs.sort_by_key(|r| (r.line, r.column, r.target));
        refs
    }
}

/// The references to `targets` in one file of code. `path` is relative to
/// the repository root; it decides the language (and the ORM).
pub fn scan_file(path: &str, text: &str, targets: &[Target]) -> Vec<Reference> {
    Scanner::new(targets).scan(path, text, is_generated(text.as_bytes()))
}

/// Whether a file's head says it is generated (`@generated`, `DO NOT EDIT`).
pub fn is_generated(src: &[u8]) -> bool {
    let head = &src[..src.len().min(1024)];
    memchr::memmem::find(head, b"@generated").is_some() || memchr::memmem::find(head, b"DO NOT EDIT").is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(path: &str, text: &str, t: Target) -> Vec<(usize, Via)> {
        scan_file(path, text, &[t]).iter().map(|r| (r.line, r.via)).collect()
    }

    #[test]
    fn sql_in_strings_and_distinctive_words_count_comments_do_not() {
        let ts = "// old_field was here\nconst q = `SELECT id, old_field\n  FROM members`;\nrow.oldField;\n";
        assert_eq!(
            lines("src/m.ts", ts, Target::column("members", "old_field", true)),
            [(2, Via::Sql), (4, Via::Identifier)]
        );
        // Not distinctive: only SQL tied to the table counts.
        let ts = "order.status; q = \"SELECT status FROM orders\"; r = 'select status from members'\n";
        assert_eq!(
            lines("a.js", ts, Target::column("members", "status", false)),
            [(1, Via::Sql)]
        );
        assert_eq!(
            scan_file("a.js", ts, &[Target::column("members", "status", false)])[0].column,
            ts.find("status from members").unwrap() + 1
        );
        // Not code, or generated.
        assert!(lines("README.md", "old_field", Target::column("members", "old_field", true)).is_empty());
        assert!(lines(
            "x.go",
            "// Code generated. DO NOT EDIT.\nvar old_field",
            Target::column("m", "old_field", true)
        )
        .is_empty());
        assert_eq!(
            lines(
                "q.py",
                "q = \"\"\"\nSELECT old_field FROM members\n\"\"\"",
                Target::column("members", "old_field", false)
            ),
            [(2, Via::Sql)]
        );
    }

    #[test]
    fn snake_case_names_have_a_camel_case_form() {
        assert_eq!(camel_case("old_field").as_deref(), Some("oldField"));
        assert_eq!(camel_case("status"), None);
        assert_eq!(camel_case("Old_Field"), None);
    }
}
