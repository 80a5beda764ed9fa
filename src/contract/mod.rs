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
