//! ORM schema files, resolved to table and column: Prisma, Diesel, Drizzle,
//! SQLAlchemy and Django. Each parser decides from the path and the text
//! whether the file is one of its schema files, and lists what the file
//! defines with the names the ORM gives them in the database
//! (docs/contract-references.md). Matching those against the targets is
//! done here, once.

mod diesel;
mod django;
mod drizzle;
mod prisma;
mod python;
mod scan;
mod sqlalchemy;

use super::{Reference, Target, TargetKind, Via};
use crate::migration::lex::LineIndex;

/// What a definition in a schema file is, in the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DefKind {
    /// A table or a view.
    Relation,
    Column,
    /// An enum type.
    Type,
    EnumValue,
}

/// One object that a schema file defines, with its database name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Def {
    pub kind: DefKind,
    /// For a column: its table. For an enum value: its type. Otherwise empty.
    pub owner: String,
    pub name: String,
    /// Byte offset of the name in the file (the field or model name).
    pub at: usize,
}

impl Def {
    pub fn new(kind: DefKind, owner: &str, name: &str, at: usize) -> Self {
        Def {
            kind,
            owner: owner.to_string(),
            name: name.to_string(),
            at,
        }
    }
}

/// Whether a parser reads the file, from its path and text.
type Applies = fn(&str, &str) -> bool;
/// A parser: from a file's path and text to what it defines.
type Parse = fn(&str, &str) -> Vec<Def>;

/// The parsers, each with the `Via` its references carry.
const PARSERS: &[(Via, Applies, Parse)] = &[
    (Via::Prisma, prisma::applies, prisma::defs),
    (Via::Diesel, diesel::applies, diesel::defs),
    (Via::Drizzle, drizzle::applies, drizzle::defs),
    (Via::SqlAlchemy, sqlalchemy::applies, sqlalchemy::defs),
    (Via::Django, django::applies, django::defs),
];

/// Whether one of the parsers reads this file. The caller must pass such a
/// file to `references` even when the target's name is not in its text:
/// a Django table (`crm_member`) or foreign key column (`team_id`), a
/// Flask-SQLAlchemy table or a Drizzle key under `casing` is resolved from
/// names that differ from the database name.
pub fn is_schema_file(path: &str, text: &str) -> bool {
    PARSERS.iter().any(|(_, applies, _)| applies(path, text))
}

/// The references to `targets` in one file, when it is an ORM schema file;
/// empty otherwise. `path` is relative to the repository root.
pub fn references(path: &str, text: &str, targets: &[Target]) -> Vec<Reference> {
    if targets.is_empty() {
        return Vec::new();
    }
    let mut lines: Option<LineIndex> = None;
    let mut out = Vec::new();
    for (via, applies, parse) in PARSERS {
        if !applies(path, text) {
            continue;
        }
        for def in parse(path, text) {
            for (k, target) in targets.iter().enumerate() {
                if !matches(target, &def) {
                    continue;
                }
                let (line, column) = lines.get_or_insert_with(|| LineIndex::new(text)).position(text, def.at);
                out.push(Reference {
                    target: k,
                    path: path.to_string(),
                    line,
                    column,
                    via: *via,
                });
            }
        }
    }
    out.sort_by_key(|r| (r.line, r.column, r.target));
    out.dedup_by_key(|r| (r.line, r.column, r.target));
    out
}

/// Whether a definition is the target. Every ORM here quotes the names it
/// generates, so the database name is exactly the ORM's name, and a target's
/// name is already folded the way PostgreSQL folds it: they compare exactly.
fn matches(target: &Target, def: &Def) -> bool {
    let owner = || target.table.as_deref() == Some(def.owner.as_str());
    target.name == def.name
        && match (target.kind, def.kind) {
            (TargetKind::Table | TargetKind::View, DefKind::Relation) | (TargetKind::Type, DefKind::Type) => true,
            (TargetKind::Column, DefKind::Column) | (TargetKind::EnumValue, DefKind::EnumValue) => owner(),
            _ => false,
        }
}

/// The file name of a `/`-separated path.
fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// `snake_case` of a camelCase or PascalCase name, the way Drizzle's
/// `casing: "snake_case"` and Flask-SQLAlchemy's default table names do:
/// `oldField` → `old_field`, `HTTPLog` → `http_log`.
fn snake_case(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::with_capacity(name.len() + 4);
    for (i, &c) in chars.iter().enumerate() {
        if c.is_uppercase() && i > 0 {
            let prev = chars[i - 1];
            let next_lower = chars.get(i + 1).is_some_and(|n| n.is_lowercase());
            if prev.is_lowercase() || prev.is_ascii_digit() || (next_lower && prev != '_') {
                out.push('_');
            }
        }
        out.extend(c.to_lowercase());
    }
    out
}

/// `Kind owner.name` of each definition, a run of equal lines kept once
/// (for the parsers' tests).
#[cfg(test)]
fn describe(defs: &[Def]) -> Vec<String> {
    let mut lines: Vec<String> = defs
        .iter()
        .map(|d| format!("{:?} {}.{}", d.kind, d.owner, d.name))
        .collect();
    lines.dedup();
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn column(table: &str, name: &str) -> Target {
        Target {
            kind: TargetKind::Column,
            table: Some(table.into()),
            name: name.into(),
            distinctive: false,
        }
    }

    #[test]
    fn snake_case_follows_the_orms() {
        assert_eq!(snake_case("oldField"), "old_field");
        assert_eq!(snake_case("MemberProfile"), "member_profile");
        assert_eq!(snake_case("HTTPLog"), "http_log");
        assert_eq!(snake_case("addr2Line"), "addr2_line");
        assert_eq!(snake_case("already_snake"), "already_snake");
    }

    #[test]
    fn a_column_matches_only_on_its_own_table_and_exact_name() {
        let def = Def::new(DefKind::Column, "members", "old_field", 0);
        assert!(matches(&column("members", "old_field"), &def));
        assert!(!matches(&column("orders", "old_field"), &def));
        assert!(!matches(&column("members", "Old_Field"), &def));
        let table = Target {
            kind: TargetKind::Table,
            table: None,
            name: "old_field".into(),
            distinctive: true,
        };
        assert!(!matches(&table, &def));
    }

    #[test]
    fn deep_nesting_and_unclosed_brackets_are_read_without_recursion() {
        let nested: String = (0..500)
            .map(|d| format!("{}class A(models.Model):\n", " ".repeat(d)))
            .collect();
        let open = format!(
            "import 'drizzle-orm'; table! Column( models {}{}",
            "(".repeat(5000),
            "{[".repeat(5000)
        );
        let targets = [column("t", "b")];
        for path in ["schema.prisma", "src/schema.rs", "db/schema.ts", "app/models.py"] {
            assert!(references(path, &nested, &targets).is_empty());
            assert!(references(path, &open, &targets).is_empty());
        }
    }

    #[test]
    fn garbage_and_truncated_files_never_panic() {
        let samples = [
            "model A { x Int @map(\"y\") @@map(\"t\") }\nenum E { A @map(\"a\") }",
            "diesel::table! { app.t (id) { #[sql_name = \"type\"] r#kind -> Nullable<Text>, } }",
            "import { pgTable } from \"drizzle-orm/pg-core\";\nexport const t = pgTable(\"t\", { a: text(\"b\"), c: integer() }); pgEnum(\"e\", [\"x\"]);",
            "class M(Base):\n    __tablename__ = 't'\n    a = Column('b')\n    c: Mapped[int]\nT = Table('u', m, Column('v'))\n",
            "from django.db import models\nclass M(models.Model):\n    a = models.ForeignKey(X, db_column='b')\n    class Meta:\n        db_table = 't'\n",
            "'\"`/*#\\ r#\"é\u{1F600}",
        ];
        let paths = [
            "schema.prisma",
            "src/schema.rs",
            "db/schema.ts",
            "app/models.py",
            "shop/models/a.py",
        ];
        // Each sample, unmutated, is read by its parser.
        for (sample, path) in samples.iter().zip(paths) {
            let read = PARSERS
                .iter()
                .any(|(_, applies, parse)| applies(path, sample) && !parse(path, sample).is_empty());
            assert!(read, "{path}");
        }
        let targets = [column("t", "b"), column("t", "a")];
        const ALPHABET: &[u8] = b"{}()[]<>\"'`#/\\*,:=@!. \n_aZ";
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for sample in samples {
            let chars: Vec<char> = sample.chars().collect();
            for path in paths {
                // Every prefix, then random mutations of the characters.
                for cut in 0..=chars.len() {
                    let text: String = chars[..cut].iter().collect();
                    references(path, &text, &targets);
                }
                for _ in 0..200 {
                    let mut text = chars.clone();
                    for _ in 0..3 {
                        if text.is_empty() {
                            break;
                        }
                        let k = (next() as usize) % text.len();
                        let c = ALPHABET[(next() as usize) % ALPHABET.len()];
                        match next() % 3 {
                            0 => text[k] = c as char,
                            1 => text.insert(k, c as char),
                            _ => {
                                text.remove(k);
                            }
                        }
                    }
                    let text: String = text.into_iter().collect();
                    references(path, &text, &targets);
                }
            }
        }
    }
}
