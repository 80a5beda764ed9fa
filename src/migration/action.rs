//! What a statement does, independent of how it was understood: rules match
//! on these actions, never on SQL text.

use std::fmt;

/// A possibly schema-qualified object name, identifiers folded as PostgreSQL does.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Name {
    pub schema: Option<String>,
    pub name: String,
}

impl Name {
    pub fn new(schema: Option<String>, name: impl Into<String>) -> Self {
        let schema = schema.filter(|s| s != "public");
        Name {
            schema,
            name: name.into(),
        }
    }
}

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.schema {
            Some(s) => write!(f, "{s}.{}", self.name),
            None => f.write_str(&self.name),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ObjectKind {
    Table,
    View,
    MaterializedView,
    Index,
    Sequence,
    Function,
    Procedure,
    Type,
    Domain,
    Schema,
    Database,
    Trigger,
    Policy,
    Rule,
    Extension,
    Role,
    Constraint,
    Column,
    /// Anything else a DROP or RENAME can name (collation, publication, ...).
    Other,
}

impl ObjectKind {
    pub fn label(self) -> &'static str {
        match self {
            ObjectKind::Table => "table",
            ObjectKind::View => "view",
            ObjectKind::MaterializedView => "materialized view",
            ObjectKind::Index => "index",
            ObjectKind::Sequence => "sequence",
            ObjectKind::Function => "function",
            ObjectKind::Procedure => "procedure",
            ObjectKind::Type => "type",
            ObjectKind::Domain => "domain",
            ObjectKind::Schema => "schema",
            ObjectKind::Database => "database",
            ObjectKind::Trigger => "trigger",
            ObjectKind::Policy => "policy",
            ObjectKind::Rule => "rule",
            ObjectKind::Extension => "extension",
            ObjectKind::Role => "role",
            ObjectKind::Constraint => "constraint",
            ObjectKind::Column => "column",
            ObjectKind::Other => "object",
        }
    }
}

/// A column type, normalised enough to compare widenings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqlType {
    /// Canonical lower-case base name (`varchar`, `numeric`, `int4`, ...).
    pub base: String,
    /// Type modifiers, e.g. `[255]` for `varchar(255)`, `[10, 2]` for `numeric(10,2)`.
    pub mods: Vec<i64>,
    pub array: bool,
    /// The type as written.
    pub text: String,
}

impl SqlType {
    /// Parses a type as written (`character varying(20)`, `NUMERIC(10, 2)[]`).
    pub fn parse(text: &str) -> SqlType {
        let text = text.trim().to_string();
        let lower = text.to_ascii_lowercase();
        let array = lower.ends_with(']') || lower.split_whitespace().any(|w| w == "array");
        let head = lower.split('[').next().unwrap_or("");
        let (name_part, mods) = match head.find('(') {
            Some(i) => {
                let close = head[i..].find(')').map_or(head.len(), |j| i + j);
                let mods = head[i + 1..close]
                    .split(',')
                    .filter_map(|m| m.trim().parse().ok())
                    .collect();
                let after = head.get(close + 1..).unwrap_or("");
                (format!("{} {}", &head[..i], after), mods)
            }
            None => (head.to_string(), Vec::new()),
        };
        let words: Vec<&str> = name_part.split_whitespace().filter(|w| *w != "array").collect();
        let joined = words.join(" ");
        let unqualified = joined.rsplit('.').next().unwrap_or(&joined).trim_matches('"');
        let base = canonical_type(unqualified).to_string();
        SqlType {
            base,
            mods,
            array,
            text,
        }
    }

    /// True when changing a column from `self` to `to` needs no rewrite and
    /// cannot fail on existing data.
    pub fn widens_to(&self, to: &SqlType) -> bool {
        if self.array != to.array {
            return false;
        }
        match (self.base.as_str(), to.base.as_str()) {
            ("varchar", "varchar") | ("varbit", "varbit") => match (self.mods.first(), to.mods.first()) {
                (_, None) => true,
                (Some(a), Some(b)) => b >= a,
                (None, Some(_)) => false,
            },
            ("varchar", "text") | ("text", "text") | ("cidr", "inet") => true,
            // text and unbounded varchar are binary coercible: no rewrite, no check.
            ("text", "varchar") => to.mods.is_empty(),
            ("numeric", "numeric") => match (self.mods.as_slice(), to.mods.as_slice()) {
                (_, []) => true,
                ([p1], [p2]) => p2 >= p1,
                ([p1, s1], [p2, s2]) => s1 == s2 && p2 >= p1,
                ([p1], [p2, 0]) => p2 >= p1,
                _ => false,
            },
            // More fractional digits (6 when none is written): checked, never rewritten.
            (a, b) if a == b && matches!(a, "timestamp" | "timestamptz" | "time" | "timetz" | "interval") => {
                to.mods.first().unwrap_or(&6) >= self.mods.first().unwrap_or(&6)
            }
            // `serial` is `integer` with a default: the same storage.
            (a, b) if integer_digits(a).is_some() && integer_digits(a) == integer_digits(b) => true,
            (a, b) => a == b && self.mods == to.mods,
        }
    }

    /// The type's name as a user-defined type would be named (one without
    /// modifiers), identifiers folded as PostgreSQL does (`"Status"` keeps
    /// its case, `Status` is lower case). Arrays are named by their element type.
    pub fn user_type_name(&self) -> Option<Name> {
        if !self.mods.is_empty() {
            return None;
        }
        let head = self.text.split('[').next().unwrap_or("").trim();
        let head = head
            .strip_suffix("ARRAY")
            .or_else(|| head.strip_suffix("array"))
            .unwrap_or(head);
        let mut parts = vec![String::new()];
        let mut quoted = false;
        let mut chars = head.trim().chars().peekable();
        while let Some(ch) = chars.next() {
            match ch {
                '"' if quoted && chars.peek() == Some(&'"') => {
                    chars.next();
                    parts.last_mut()?.push('"');
                }
                '"' => quoted = !quoted,
                '.' if !quoted => parts.push(String::new()),
                c if c.is_whitespace() && !quoted => {}
                c if !(quoted || c.is_alphanumeric() || c == '_' || c == '$') => return None,
                c if quoted => parts.last_mut()?.push(c),
                c => parts.last_mut()?.extend(c.to_lowercase()),
            }
        }
        let name = parts.pop().filter(|n| !n.is_empty())?;
        Some(Name::new(parts.pop(), name))
    }

    /// True when every value of `self` converts to `to` exactly (PostgreSQL's
    /// cast loses nothing and cannot fail), but the table is rewritten:
    /// `integer` to `bigint`, to `numeric` with enough digits or to `double
    /// precision`; `real` to `double precision`; `numeric(p,s)` to more digits
    /// on both sides of the point; `char(n)` to `varchar(m >= n)` or `text`.
    /// Arrays follow their element type.
    pub fn widens_with_rewrite(&self, to: &SqlType) -> bool {
        if self.array != to.array || self.widens_to(to) {
            return false;
        }
        let (from, into) = (self.base.as_str(), to.base.as_str());
        if let Some(digits) = integer_digits(from) {
            return match (into, to.mods.as_slice()) {
                ("numeric", []) => true,
                ("numeric", [p]) => *p >= digits,
                ("numeric", [p, s]) => p - s >= digits,
                ("float8", _) => digits <= 10,
                _ => integer_digits(into).is_some_and(|d| d > digits),
            };
        }
        match (from, into) {
            ("float4", "float8") => true,
            ("numeric", "numeric") => {
                // numeric(p) is numeric(p,0); plain numeric has no bound to widen.
                let ps = |m: &[i64]| match m {
                    [p] => Some((*p, 0)),
                    [p, s] => Some((*p, *s)),
                    _ => None,
                };
                match (ps(&self.mods), ps(&to.mods)) {
                    (Some((p1, s1)), Some((p2, s2))) => s2 >= s1 && p2 - s2 >= p1 - s1,
                    _ => false,
                }
            }
            ("bpchar", "text") => true,
            ("bpchar", "varchar") => match (self.mods.first(), to.mods.first()) {
                (_, None) => true,
                (Some(a), Some(b)) => b >= a,
                // `char` alone is char(1).
                (None, Some(b)) => *b >= 1,
            },
            _ => false,
        }
    }
}

/// The decimal digits an integer type holds, by canonical name (a serial is
/// its integer type with a default).
fn integer_digits(base: &str) -> Option<i64> {
    match base {
        "int2" | "smallserial" | "serial2" => Some(5),
        "int4" | "serial" => Some(10),
        "int8" | "bigserial" => Some(19),
        _ => None,
    }
}

fn canonical_type(name: &str) -> &str {
    match name {
        "character varying" | "varchar" => "varchar",
        "character" | "char" | "bpchar" => "bpchar",
        "int" | "integer" | "int4" => "int4",
        "smallint" | "int2" => "int2",
        "bigint" | "int8" => "int8",
        "decimal" | "numeric" => "numeric",
        "real" | "float4" => "float4",
        "double precision" | "float8" | "float" => "float8",
        "bool" | "boolean" => "bool",
        "timestamp" | "timestamp without time zone" => "timestamp",
        "timestamptz" | "timestamp with time zone" => "timestamptz",
        "time" | "time without time zone" => "time",
        "timetz" | "time with time zone" => "timetz",
        "bit varying" | "varbit" => "varbit",
        "serial" | "serial4" => "serial",
        "bigserial" | "serial8" => "bigserial",
        other => other,
    }
}

/// How a generated column gets its values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Generated {
    /// `GENERATED ... AS IDENTITY`: from a sequence, stored.
    Identity,
    /// `GENERATED ALWAYS AS (expr) STORED`: computed and stored for every row.
    Stored,
    /// `GENERATED ALWAYS AS (expr) [VIRTUAL]` (PostgreSQL 18): computed when read.
    Virtual,
}

/// A column as declared in CREATE TABLE or ADD COLUMN.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnDef {
    pub name: String,
    pub ty: SqlType,
    pub not_null: bool,
    /// The DEFAULT expression as written, if any.
    pub default: Option<String>,
    /// GENERATED ... AS IDENTITY, or GENERATED ALWAYS AS (...) [STORED | VIRTUAL].
    pub generated: Option<Generated>,
    pub primary_key: bool,
    /// Inline UNIQUE.
    pub unique: bool,
    /// Inline REFERENCES.
    pub references: bool,
    /// `ADD COLUMN IF NOT EXISTS`: a no-op when the column already exists.
    pub if_not_exists: bool,
}

impl ColumnDef {
    /// A column with only a name and a type: nullable, no default, no constraint.
    pub fn new(name: impl Into<String>, ty: SqlType) -> ColumnDef {
        ColumnDef {
            name: name.into(),
            ty,
            not_null: false,
            default: None,
            generated: None,
            primary_key: false,
            unique: false,
            references: false,
            if_not_exists: false,
        }
    }
}

/// One argument of a routine's signature (`OUT` arguments are none).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoutineArg {
    pub ty: SqlType,
    /// `DEFAULT expr` or `= expr`: a call may leave it out.
    pub has_default: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConstraintKind {
    Check,
    ForeignKey,
    Unique,
    PrimaryKey,
    Exclude,
    NotNull,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConstraintDef {
    pub name: Option<String>,
    pub kind: ConstraintKind,
    pub not_valid: bool,
    pub using_index: bool,
    /// For `CHECK (col IS NOT NULL)`: the column.
    pub not_null_column: Option<String>,
    /// The key columns of a PRIMARY KEY or UNIQUE constraint, and the
    /// referencing columns of a FOREIGN KEY, as written (empty otherwise).
    pub columns: Vec<String>,
}

/// One thing a statement does to the database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    CreateTable {
        table: Name,
        columns: Vec<ColumnDef>,
        constraints: Vec<ConstraintDef>,
        unlogged: bool,
        /// `CREATE TEMP TABLE`: gone when the session ends.
        temporary: bool,
        /// `IF NOT EXISTS`: a no-op when the table already exists.
        if_not_exists: bool,
        /// Every column is written in its parentheses (not `AS SELECT`,
        /// `LIKE`, `INHERITS`, `PARTITION OF` or `OF type`).
        columns_known: bool,
    },
    /// Any other CREATE [OR REPLACE] of a named object.
    Create {
        kind: ObjectKind,
        name: Name,
        or_replace: bool,
        /// `IF NOT EXISTS`: a no-op when the object already exists.
        if_not_exists: bool,
        on: Option<Name>,
    },
    AddColumn {
        table: Name,
        column: ColumnDef,
    },
    DropColumn {
        table: Name,
        column: String,
        /// `DROP COLUMN IF EXISTS`: a no-op when the column does not exist.
        if_exists: bool,
    },
    AlterColumnType {
        table: Name,
        column: String,
        ty: SqlType,
        using: bool,
    },
    SetNotNull {
        table: Name,
        column: String,
    },
    /// `DROP DEFAULT`, or `DROP IDENTITY`: inserts that omit the column no longer get a value.
    DropDefault {
        table: Name,
        column: String,
    },
    /// Other column changes that take no data (SET DEFAULT, DROP NOT NULL, SET STATISTICS ...).
    AlterColumnOther {
        table: Name,
        column: String,
        what: String,
    },
    AddConstraint {
        table: Name,
        constraint: ConstraintDef,
    },
    ValidateConstraint {
        table: Name,
        name: String,
    },
    Drop {
        kind: ObjectKind,
        names: Vec<Name>,
        on: Option<Name>,
        concurrently: bool,
        if_exists: bool,
        /// `CASCADE`: objects that depend on it are dropped too.
        cascade: bool,
    },
    Rename {
        kind: ObjectKind,
        from: Name,
        to: String,
        on: Option<Name>,
    },
    RenameColumn {
        table: Name,
        from: String,
        to: String,
    },
    RenameEnumValue {
        ty: Name,
        from: String,
        to: String,
    },
    SetSchema {
        kind: ObjectKind,
        name: Name,
        schema: String,
    },
    CreateIndex {
        name: Option<Name>,
        table: Name,
        concurrently: bool,
        unique: bool,
        /// The indexed columns when every key is a plain column and the
        /// index is not partial (empty otherwise): what `ON CONFLICT (...)`
        /// can infer it from.
        columns: Vec<String>,
    },
    AddEnumValue {
        ty: Name,
        value: String,
    },
    /// Beside the `Create` of a type `AS ENUM (...)`: its labels, in order.
    EnumLabels {
        ty: Name,
        labels: Vec<String>,
    },
    /// Beside the `Create` or `Drop` of a function or procedure whose
    /// argument list is written: its name and argument types.
    RoutineArgs {
        name: Name,
        args: Vec<RoutineArg>,
        /// The type a created function `RETURNS` (`None` when not a plain type).
        returns: Option<SqlType>,
        /// Created (`CREATE`), else dropped (`DROP`).
        created: bool,
    },
    /// Beside the `Create` of a view or materialized view: its output
    /// columns, in order (`None` when they cannot be read: `SELECT *`, or a
    /// statement sqlparser rejects).
    ViewColumns {
        view: Name,
        columns: Option<Vec<String>>,
        /// The statement's SQL, parsed again only when the types of the
        /// view's columns are needed (they depend on the schema around it).
        query: Option<String>,
    },
    Truncate {
        tables: Vec<Name>,
    },
    Delete {
        table: Name,
        has_where: bool,
    },
    Update {
        table: Name,
        has_where: bool,
        /// The columns its `SET` assigns (empty when unknown).
        columns: Vec<String>,
    },
    Insert {
        table: Name,
        columns: Vec<String>,
        rows: Vec<Vec<Option<String>>>,
    },
    /// Beside `Delete`, when its `WHERE` picks rows by key: `DELETE FROM t
    /// WHERE k = <literal>` (or `k IN (...)`).
    DeleteKeys {
        table: Name,
        key: (String, Vec<String>),
    },
    /// Beside `Delete`, when its `WHERE` is a conjunction (`AND`) of which some
    /// terms pick rows by key (`k = <literal>`, `k IN (...)`): those terms. A
    /// deleted row matches every one of them.
    DeleteFilter {
        table: Name,
        keys: Vec<(String, Vec<String>)>,
    },
    /// Beside `Update`, when its shape is simple: `UPDATE t SET c = <literal>,
    /// ... WHERE k = <literal>` (or `k IN (...)`): what it sets on which rows.
    UpdateValues {
        table: Name,
        /// Columns and the literals they are set to (`None`: not a literal).
        set: Vec<(String, Option<String>)>,
        /// The key column and the values the `WHERE` picks.
        key: (String, Vec<String>),
    },
    SetUnlogged {
        table: Name,
    },
    /// Any other ALTER TABLE sub-command (OWNER TO, SET TABLESPACE, ATTACH PARTITION, ...).
    AlterTableOther {
        table: Name,
        what: String,
        rewrites: bool,
    },
    SetTimeout {
        lock: bool,
        value: String,
    },
    Begin,
    Commit,
    Vacuum {
        full: bool,
    },
    Cluster,
    Reindex {
        concurrently: bool,
        /// The index or table rebuilt (`None` for SCHEMA, DATABASE, SYSTEM).
        target: Option<Name>,
    },
    RefreshMaterializedView {
        concurrently: bool,
        name: Option<Name>,
    },
    /// `LOCK [TABLE] t, ... [IN <mode> MODE]`.
    Lock {
        tables: Vec<Name>,
        mode: super::locks::LockMode,
    },
    /// `ALTER TABLE t DETACH PARTITION p [CONCURRENTLY | FINALIZE]`.
    DetachPartition {
        table: Name,
        partition: Name,
        concurrently: bool,
    },
    Permission {
        what: String,
    },
    Do {
        body: String,
        body_offset: usize,
    },
    /// Understood and harmless: SELECT, COMMENT ON, SET, ANALYZE, ...
    Other {
        what: String,
    },
}

impl Action {
    /// The table the action works on, if any.
    pub fn table(&self) -> Option<&Name> {
        use Action::*;
        match self {
            CreateTable { table, .. }
            | AddColumn { table, .. }
            | DropColumn { table, .. }
            | AlterColumnType { table, .. }
            | SetNotNull { table, .. }
            | DropDefault { table, .. }
            | AlterColumnOther { table, .. }
            | AddConstraint { table, .. }
            | ValidateConstraint { table, .. }
            | RenameColumn { table, .. }
            | CreateIndex { table, .. }
            | Delete { table, .. }
            | Update { table, .. }
            | Insert { table, .. }
            | SetUnlogged { table }
            | DetachPartition { table, .. }
            | AlterTableOther { table, .. } => Some(table),
            _ => None,
        }
    }
}
