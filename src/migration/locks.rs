//! The locks PostgreSQL takes, by statement kind: one table that the lock
//! rules quote, that `docs/locks.md` is generated from, and that the dry-run
//! tests check entry by entry against a real PostgreSQL (`pg_locks` and
//! `relfilenode`), so a wrong claim fails CI.

use super::action::{Action, ConstraintKind, Generated, ObjectKind};

/// PostgreSQL's table-level lock modes, weakest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LockMode {
    AccessShare,
    RowShare,
    RowExclusive,
    ShareUpdateExclusive,
    Share,
    ShareRowExclusive,
    Exclusive,
    AccessExclusive,
}

impl LockMode {
    pub const ALL: [LockMode; 8] = [
        LockMode::AccessShare,
        LockMode::RowShare,
        LockMode::RowExclusive,
        LockMode::ShareUpdateExclusive,
        LockMode::Share,
        LockMode::ShareRowExclusive,
        LockMode::Exclusive,
        LockMode::AccessExclusive,
    ];

    /// The mode as SQL writes it (`LOCK TABLE t IN SHARE MODE`).
    pub fn name(self) -> &'static str {
        match self {
            LockMode::AccessShare => "ACCESS SHARE",
            LockMode::RowShare => "ROW SHARE",
            LockMode::RowExclusive => "ROW EXCLUSIVE",
            LockMode::ShareUpdateExclusive => "SHARE UPDATE EXCLUSIVE",
            LockMode::Share => "SHARE",
            LockMode::ShareRowExclusive => "SHARE ROW EXCLUSIVE",
            LockMode::Exclusive => "EXCLUSIVE",
            LockMode::AccessExclusive => "ACCESS EXCLUSIVE",
        }
    }

    /// The mode as `pg_locks.mode` shows it.
    pub fn pg_locks_name(self) -> &'static str {
        match self {
            LockMode::AccessShare => "AccessShareLock",
            LockMode::RowShare => "RowShareLock",
            LockMode::RowExclusive => "RowExclusiveLock",
            LockMode::ShareUpdateExclusive => "ShareUpdateExclusiveLock",
            LockMode::Share => "ShareLock",
            LockMode::ShareRowExclusive => "ShareRowExclusiveLock",
            LockMode::Exclusive => "ExclusiveLock",
            LockMode::AccessExclusive => "AccessExclusiveLock",
        }
    }

    pub fn from_pg_locks_name(s: &str) -> Option<LockMode> {
        LockMode::ALL.into_iter().find(|m| m.pg_locks_name() == s)
    }

    /// Reads the words of `LOCK TABLE ... IN <mode> MODE`.
    pub fn from_words(words: &[&str]) -> Option<LockMode> {
        let text = words.join(" ").to_ascii_uppercase();
        LockMode::ALL.into_iter().find(|m| m.name() == text)
    }

    /// Whether it conflicts with ROW EXCLUSIVE, the lock of INSERT, UPDATE and DELETE.
    pub fn blocks_writes(self) -> bool {
        self >= LockMode::Share
    }

    /// Whether it conflicts with ACCESS SHARE, the lock of SELECT.
    pub fn blocks_reads(self) -> bool {
        self == LockMode::AccessExclusive
    }

    /// What the lock does to the application's queries, for messages.
    pub fn effect(self) -> &'static str {
        if self.blocks_reads() {
            "blocks all reads and writes"
        } else if self.blocks_writes() {
            "blocks writes"
        } else {
            "blocks neither reads nor writes"
        }
    }
}

/// Which relation of a statement a lock is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum On {
    /// The table (or materialized view) the statement changes.
    Table,
    /// The table a foreign key references.
    Referenced,
    /// The index the statement names or rebuilds.
    Index,
    /// The partition attached or detached.
    Partition,
}

impl On {
    pub fn label(self) -> &'static str {
        match self {
            On::Table => "table",
            On::Referenced => "referenced table",
            On::Index => "index",
            On::Partition => "partition",
        }
    }
}

/// One statement kind and what PostgreSQL takes for it.
#[derive(Debug)]
pub struct Kind {
    pub id: &'static str,
    /// The statement as the docs show it.
    pub statement: &'static str,
    /// The strongest lock on each relation involved.
    pub locks: &'static [(On, LockMode)],
    /// The table's storage is replaced (a new `relfilenode`): every row is
    /// copied, or for TRUNCATE dropped.
    pub rewrites: bool,
    /// One statement of this kind, on the schema of [`EXAMPLE_SCHEMA`]; the
    /// dry-run tests run it and compare.
    pub example: &'static str,
    /// PostgreSQL refuses it inside a transaction block.
    pub no_transaction: bool,
    pub note: &'static str,
}

impl Kind {
    /// The lock on `on`, if the statement takes one there.
    pub fn lock(&self, on: On) -> Option<LockMode> {
        self.locks.iter().find(|(o, _)| *o == on).map(|(_, m)| *m)
    }

    /// The strongest lock it takes on any relation.
    pub fn strongest(&self) -> Option<LockMode> {
        self.locks.iter().map(|(_, m)| *m).max()
    }
}

/// The schema every example runs against (in an empty schema of its own).
pub const EXAMPLE_SCHEMA: &str = "\
CREATE TABLE orgs (id int PRIMARY KEY);
CREATE TABLE members (id int PRIMARY KEY, org_id int, email varchar(50), nickname text, age int, score int);
INSERT INTO orgs VALUES (1);
INSERT INTO members VALUES (1, 1, 'a@example.com', 'a', 30, 5);
CREATE INDEX members_email_idx ON members (email);
CREATE UNIQUE INDEX members_id_email_key ON members (id, email);
ALTER TABLE members ADD CONSTRAINT members_score_check CHECK (score >= 0) NOT VALID;
ALTER TABLE members ADD CONSTRAINT members_org_id_fkey FOREIGN KEY (org_id) REFERENCES orgs NOT VALID;
CREATE MATERIALIZED VIEW member_counts AS SELECT org_id, count(*) AS n FROM members GROUP BY org_id;
CREATE UNIQUE INDEX member_counts_org_id ON member_counts (org_id);
CREATE TABLE events (id int, at date) PARTITION BY RANGE (at);
CREATE TABLE events_2023 PARTITION OF events FOR VALUES FROM ('2023-01-01') TO ('2024-01-01');
CREATE TABLE events_2024 (id int, at date);
CREATE UNLOGGED TABLE scratch (id int DEFAULT 0);
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
CREATE TRIGGER members_touch BEFORE UPDATE ON members FOR EACH ROW EXECUTE FUNCTION touch();
";

use LockMode::*;
use On::*;

const fn kind(
    id: &'static str,
    statement: &'static str,
    locks: &'static [(On, LockMode)],
    rewrites: bool,
    example: &'static str,
) -> Kind {
    Kind {
        id,
        statement,
        locks,
        rewrites,
        example,
        no_transaction: false,
        note: "",
    }
}

const fn outside_transaction(k: Kind) -> Kind {
    Kind {
        no_transaction: true,
        ..k
    }
}

const fn noted(k: Kind, note: &'static str) -> Kind {
    Kind { note, ..k }
}

/// Every statement kind shipgate makes a lock claim about.
pub static KINDS: &[Kind] = &[
    kind(
        "add-column",
        "ALTER TABLE … ADD COLUMN (no default, or a constant one)",
        &[(Table, AccessExclusive)],
        false,
        "ALTER TABLE members ADD COLUMN bio text DEFAULT ''",
    ),
    kind(
        "add-column-volatile-default",
        "ALTER TABLE … ADD COLUMN … DEFAULT (a volatile expression)",
        &[(Table, AccessExclusive), (Index, AccessExclusive)],
        true,
        "ALTER TABLE members ADD COLUMN token uuid DEFAULT gen_random_uuid()",
    ),
    kind(
        "add-column-stored-generated",
        "ALTER TABLE … ADD COLUMN … GENERATED ALWAYS AS (…) STORED",
        &[(Table, AccessExclusive), (Index, AccessExclusive)],
        true,
        "ALTER TABLE members ADD COLUMN age2 int GENERATED ALWAYS AS (age * 2) STORED",
    ),
    noted(
        kind(
            "add-column-references",
            "ALTER TABLE … ADD COLUMN … REFERENCES",
            &[(Table, AccessExclusive), (Referenced, ShareRowExclusive)],
            false,
            "ALTER TABLE members ADD COLUMN home_org int DEFAULT 1 REFERENCES orgs",
        ),
        "validates every existing row against the referenced table while both locks are held",
    ),
    kind(
        "drop-column",
        "ALTER TABLE … DROP COLUMN",
        &[(Table, AccessExclusive)],
        false,
        "ALTER TABLE members DROP COLUMN nickname",
    ),
    noted(
        kind(
            "alter-column-type",
            "ALTER TABLE … ALTER COLUMN … TYPE",
            &[(Table, AccessExclusive), (Index, AccessExclusive)],
            true,
            "ALTER TABLE members ALTER COLUMN age TYPE bigint",
        ),
        "no rewrite when the new type is binary coercible (varchar(n) to a longer varchar or to text)",
    ),
    noted(
        kind(
            "set-not-null",
            "ALTER TABLE … ALTER COLUMN … SET NOT NULL",
            &[(Table, AccessExclusive)],
            false,
            "ALTER TABLE members ALTER COLUMN email SET NOT NULL",
        ),
        "scans the table to check every row",
    ),
    kind(
        "alter-column",
        "ALTER TABLE … ALTER COLUMN … SET DEFAULT",
        &[(Table, AccessExclusive)],
        false,
        "ALTER TABLE members ALTER COLUMN age SET DEFAULT 0",
    ),
    kind(
        "drop-default",
        "ALTER TABLE … ALTER COLUMN … DROP DEFAULT",
        &[(Table, AccessExclusive)],
        false,
        "ALTER TABLE scratch ALTER COLUMN id DROP DEFAULT",
    ),
    kind(
        "drop-not-null",
        "ALTER TABLE … ALTER COLUMN … DROP NOT NULL",
        &[(Table, AccessExclusive)],
        false,
        "ALTER TABLE members ALTER COLUMN email DROP NOT NULL",
    ),
    kind(
        "alter-column-statistics",
        "ALTER TABLE … ALTER COLUMN … SET STATISTICS",
        &[(Table, ShareUpdateExclusive)],
        false,
        "ALTER TABLE members ALTER COLUMN age SET STATISTICS 500",
    ),
    noted(
        kind(
            "add-check",
            "ALTER TABLE … ADD CONSTRAINT … CHECK",
            &[(Table, AccessExclusive)],
            false,
            "ALTER TABLE members ADD CONSTRAINT members_age_check CHECK (age > 0)",
        ),
        "scans the table to check every row, unless NOT VALID",
    ),
    kind(
        "add-check-not-valid",
        "ALTER TABLE … ADD CONSTRAINT … CHECK … NOT VALID",
        &[(Table, AccessExclusive)],
        false,
        "ALTER TABLE members ADD CONSTRAINT members_age_check CHECK (age > 0) NOT VALID",
    ),
    noted(
        kind(
            "add-foreign-key",
            "ALTER TABLE … ADD CONSTRAINT … FOREIGN KEY",
            &[(Table, ShareRowExclusive), (Referenced, ShareRowExclusive)],
            false,
            "ALTER TABLE members ADD CONSTRAINT members_org_fk FOREIGN KEY (org_id) REFERENCES orgs",
        ),
        "scans the table to check every row, unless NOT VALID",
    ),
    kind(
        "add-foreign-key-not-valid",
        "ALTER TABLE … ADD CONSTRAINT … FOREIGN KEY … NOT VALID",
        &[(Table, ShareRowExclusive), (Referenced, ShareRowExclusive)],
        false,
        "ALTER TABLE members ADD CONSTRAINT members_org_fk FOREIGN KEY (org_id) REFERENCES orgs NOT VALID",
    ),
    noted(
        kind(
            "add-unique",
            "ALTER TABLE … ADD CONSTRAINT … UNIQUE or PRIMARY KEY",
            &[(Table, AccessExclusive)],
            false,
            "ALTER TABLE members ADD CONSTRAINT members_email_key UNIQUE (email)",
        ),
        "builds the index while the lock is held",
    ),
    kind(
        "add-unique-using-index",
        "ALTER TABLE … ADD CONSTRAINT … UNIQUE USING INDEX",
        &[(Table, AccessExclusive)],
        false,
        "ALTER TABLE members ADD CONSTRAINT members_id_email_key UNIQUE USING INDEX members_id_email_key",
    ),
    noted(
        kind(
            "validate-constraint",
            "ALTER TABLE … VALIDATE CONSTRAINT",
            &[(Table, ShareUpdateExclusive)],
            false,
            "ALTER TABLE members VALIDATE CONSTRAINT members_score_check",
        ),
        "for a foreign key, ROW SHARE on the referenced table",
    ),
    kind(
        "drop-constraint",
        "ALTER TABLE … DROP CONSTRAINT",
        &[(Table, AccessExclusive)],
        false,
        "ALTER TABLE members DROP CONSTRAINT members_score_check",
    ),
    kind(
        "rename-column",
        "ALTER TABLE … RENAME COLUMN",
        &[(Table, AccessExclusive)],
        false,
        "ALTER TABLE members RENAME COLUMN nickname TO handle",
    ),
    kind(
        "rename-table",
        "ALTER TABLE … RENAME TO",
        &[(Table, AccessExclusive)],
        false,
        "ALTER TABLE members RENAME TO people",
    ),
    kind(
        "set-unlogged",
        "ALTER TABLE … SET UNLOGGED",
        &[(Table, AccessExclusive)],
        true,
        "ALTER TABLE events_2024 SET UNLOGGED",
    ),
    kind(
        "set-logged",
        "ALTER TABLE … SET LOGGED",
        &[(Table, AccessExclusive)],
        true,
        "ALTER TABLE scratch SET LOGGED",
    ),
    kind(
        "set-storage-parameters",
        "ALTER TABLE … SET (fillfactor, autovacuum_…)",
        &[(Table, ShareUpdateExclusive)],
        false,
        "ALTER TABLE members SET (fillfactor = 70)",
    ),
    kind(
        "enable-disable-trigger",
        "ALTER TABLE … ENABLE or DISABLE TRIGGER",
        &[(Table, ShareRowExclusive)],
        false,
        "ALTER TABLE members DISABLE TRIGGER members_touch",
    ),
    kind(
        "attach-partition",
        "ALTER TABLE … ATTACH PARTITION",
        &[(Table, ShareUpdateExclusive), (Partition, AccessExclusive)],
        false,
        "ALTER TABLE events ATTACH PARTITION events_2024 FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')",
    ),
    kind(
        "detach-partition",
        "ALTER TABLE … DETACH PARTITION",
        &[(Table, AccessExclusive), (Partition, AccessExclusive)],
        false,
        "ALTER TABLE events DETACH PARTITION events_2023",
    ),
    outside_transaction(kind(
        "detach-partition-concurrently",
        "ALTER TABLE … DETACH PARTITION … CONCURRENTLY",
        &[(Table, ShareUpdateExclusive), (Partition, ShareUpdateExclusive)],
        false,
        "ALTER TABLE events DETACH PARTITION events_2023 CONCURRENTLY",
    )),
    kind(
        "create-index",
        "CREATE INDEX",
        &[(Table, Share)],
        false,
        "CREATE INDEX members_age_idx ON members (age)",
    ),
    outside_transaction(kind(
        "create-index-concurrently",
        "CREATE INDEX CONCURRENTLY",
        &[(Table, ShareUpdateExclusive)],
        false,
        "CREATE INDEX CONCURRENTLY members_age_idx ON members (age)",
    )),
    kind(
        "drop-index",
        "DROP INDEX",
        &[(Table, AccessExclusive), (Index, AccessExclusive)],
        false,
        "DROP INDEX members_email_idx",
    ),
    outside_transaction(kind(
        "drop-index-concurrently",
        "DROP INDEX CONCURRENTLY",
        &[(Table, ShareUpdateExclusive), (Index, ShareUpdateExclusive)],
        false,
        "DROP INDEX CONCURRENTLY members_email_idx",
    )),
    noted(
        kind(
            "reindex",
            "REINDEX INDEX or TABLE",
            &[(Table, Share), (Index, AccessExclusive)],
            false,
            "REINDEX TABLE members",
        ),
        "rebuilds the indexes (new relfilenode for each index); queries that would use them wait",
    ),
    outside_transaction(kind(
        "reindex-concurrently",
        "REINDEX … CONCURRENTLY",
        &[(Table, ShareUpdateExclusive), (Index, ShareUpdateExclusive)],
        false,
        "REINDEX TABLE CONCURRENTLY members",
    )),
    kind(
        "refresh-materialized-view",
        "REFRESH MATERIALIZED VIEW",
        &[(Table, AccessExclusive)],
        true,
        "REFRESH MATERIALIZED VIEW member_counts",
    ),
    kind(
        "refresh-materialized-view-concurrently",
        "REFRESH MATERIALIZED VIEW CONCURRENTLY",
        &[(Table, Exclusive)],
        false,
        "REFRESH MATERIALIZED VIEW CONCURRENTLY member_counts",
    ),
    noted(
        kind(
            "lock-table",
            "LOCK TABLE (no mode: ACCESS EXCLUSIVE)",
            &[(Table, AccessExclusive)],
            false,
            "LOCK TABLE members",
        ),
        "`IN <mode> MODE` takes that mode instead",
    ),
    kind(
        "truncate",
        "TRUNCATE",
        &[(Table, AccessExclusive), (Index, AccessExclusive)],
        true,
        "TRUNCATE members",
    ),
    kind(
        "drop-table",
        "DROP TABLE",
        &[
            (Table, AccessExclusive),
            (Referenced, AccessExclusive),
            (Index, AccessExclusive),
        ],
        false,
        "DROP TABLE members CASCADE",
    ),
    outside_transaction(kind(
        "vacuum-full",
        "VACUUM FULL",
        &[(Table, AccessExclusive)],
        true,
        "VACUUM FULL members",
    )),
    outside_transaction(kind(
        "vacuum",
        "VACUUM (without FULL)",
        &[(Table, ShareUpdateExclusive)],
        false,
        "VACUUM members",
    )),
    kind(
        "cluster",
        "CLUSTER",
        &[(Table, AccessExclusive), (Index, AccessExclusive)],
        true,
        "CLUSTER members USING members_pkey",
    ),
    kind(
        "create-trigger",
        "CREATE TRIGGER",
        &[(Table, ShareRowExclusive)],
        false,
        "CREATE TRIGGER members_touch2 BEFORE INSERT ON members FOR EACH ROW EXECUTE FUNCTION touch()",
    ),
    kind(
        "update",
        "UPDATE, DELETE, INSERT",
        &[(Table, RowExclusive)],
        false,
        "UPDATE members SET age = 31 WHERE id = 1",
    ),
];

/// The kind with this id; panics on a typo, which the tests would catch.
pub fn by_id(id: &str) -> &'static Kind {
    KINDS
        .iter()
        .find(|k| k.id == id)
        .unwrap_or_else(|| panic!("no lock kind `{id}`"))
}

/// Functions that are stable or immutable, so a default using them is evaluated once.
const STABLE: &[&str] = &[
    "now",
    "current_timestamp",
    "current_date",
    "current_time",
    "localtimestamp",
    "localtime",
    "transaction_timestamp",
    "statement_timestamp",
    "current_user",
    "session_user",
    "current_schema",
    "lower",
    "upper",
    "coalesce",
    "array",
    "jsonb_build_object",
    "json_build_object",
    "jsonb_build_array",
    "json_build_array",
    "to_jsonb",
    "to_json",
    "timezone",
    "make_interval",
    "interval",
    "date_trunc",
    "concat",
    "char_length",
    "length",
    "abs",
    "round",
    "nullif",
    "greatest",
    "least",
    "current_setting",
    "row",
    "cast",
];

/// Column types whose every row takes a value from a sequence.
pub const SEQUENCE_TYPES: &[&str] = &["serial", "bigserial", "smallserial", "serial2"];

/// Whether a DEFAULT expression calls a function shipgate does not know to be
/// stable, so PostgreSQL computes it for every existing row.
pub fn volatile_default(default: &str) -> bool {
    let lower = default.to_ascii_lowercase();
    let mut rest = lower.as_str();
    while let Some(i) = rest.find('(') {
        let before = rest[..i].trim_end();
        let name = before
            .rsplit(|c: char| !(c.is_alphanumeric() || c == '_'))
            .next()
            .unwrap_or("");
        if !name.is_empty() && !STABLE.contains(&name) {
            return true;
        }
        rest = &rest[i + 1..];
    }
    false
}

/// The statement kind of one action, when shipgate makes a lock claim about it.
pub fn kind_of(a: &Action) -> Option<&'static Kind> {
    let id = match a {
        Action::AddColumn { column, .. } => {
            let computed = SEQUENCE_TYPES.contains(&column.ty.base.as_str())
                || matches!(column.generated, Some(Generated::Identity | Generated::Stored))
                || column.default.as_deref().is_some_and(volatile_default);
            if computed && column.generated == Some(Generated::Stored) {
                "add-column-stored-generated"
            } else if computed {
                "add-column-volatile-default"
            } else if column.references {
                "add-column-references"
            } else {
                "add-column"
            }
        }
        Action::DropColumn { .. } => "drop-column",
        Action::AlterColumnType { .. } => "alter-column-type",
        Action::SetNotNull { .. } => "set-not-null",
        Action::DropDefault { .. } => "drop-default",
        Action::AlterColumnOther { what, .. } => {
            let what = what.to_ascii_uppercase();
            if ["SET STATISTICS", "SET (", "RESET ("]
                .iter()
                .any(|p| what.starts_with(p))
            {
                "alter-column-statistics"
            } else if what.starts_with("SET DEFAULT") {
                "alter-column"
            } else if what.starts_with("DROP NOT NULL") {
                "drop-not-null"
            } else {
                // SET STORAGE, SET COMPRESSION, identity changes: no claim made.
                return None;
            }
        }
        Action::AddConstraint { constraint, .. } => match (constraint.kind, constraint.not_valid) {
            (ConstraintKind::Check, false) => "add-check",
            (ConstraintKind::Check, true) => "add-check-not-valid",
            (ConstraintKind::ForeignKey, false) => "add-foreign-key",
            (ConstraintKind::ForeignKey, true) => "add-foreign-key-not-valid",
            (ConstraintKind::Unique | ConstraintKind::PrimaryKey | ConstraintKind::Exclude, _)
                if constraint.using_index =>
            {
                "add-unique-using-index"
            }
            (ConstraintKind::Unique | ConstraintKind::PrimaryKey | ConstraintKind::Exclude, _) => "add-unique",
            (ConstraintKind::NotNull, _) => "set-not-null",
        },
        Action::ValidateConstraint { .. } => "validate-constraint",
        Action::Drop {
            kind: ObjectKind::Constraint,
            on: Some(_),
            ..
        } => "drop-constraint",
        Action::Drop {
            kind: ObjectKind::Index,
            concurrently,
            ..
        } => {
            if *concurrently {
                "drop-index-concurrently"
            } else {
                "drop-index"
            }
        }
        Action::Drop {
            kind: ObjectKind::Table,
            ..
        } => "drop-table",
        Action::RenameColumn { .. } => "rename-column",
        Action::Rename {
            kind: ObjectKind::Table,
            ..
        } => "rename-table",
        Action::SetUnlogged { .. } => "set-unlogged",
        Action::AlterTableOther { what, .. } => {
            let upper = what.to_ascii_uppercase();
            if upper.starts_with("SET LOGGED") {
                "set-logged"
            } else if upper.starts_with("SET STORAGE OPTIONS") {
                "set-storage-parameters"
            } else if (upper.starts_with("ENABLE") || upper.starts_with("DISABLE")) && upper.contains("TRIGGER") {
                "enable-disable-trigger"
            } else if upper.starts_with("ATTACH PARTITION") {
                "attach-partition"
            } else {
                return None;
            }
        }
        Action::DetachPartition { concurrently, .. } => {
            if *concurrently {
                "detach-partition-concurrently"
            } else {
                "detach-partition"
            }
        }
        Action::CreateIndex { concurrently, .. } => {
            if *concurrently {
                "create-index-concurrently"
            } else {
                "create-index"
            }
        }
        Action::Reindex { concurrently, .. } => {
            if *concurrently {
                "reindex-concurrently"
            } else {
                "reindex"
            }
        }
        Action::RefreshMaterializedView { concurrently, .. } => {
            if *concurrently {
                "refresh-materialized-view-concurrently"
            } else {
                "refresh-materialized-view"
            }
        }
        Action::Lock { .. } => "lock-table",
        Action::Truncate { .. } => "truncate",
        Action::Vacuum { full } => {
            if *full {
                "vacuum-full"
            } else {
                "vacuum"
            }
        }
        Action::Cluster => "cluster",
        Action::Create {
            kind: ObjectKind::Trigger,
            on: Some(_),
            ..
        } => "create-trigger",
        Action::Update { .. } | Action::Delete { .. } | Action::Insert { .. } => "update",
        _ => return None,
    };
    Some(by_id(id))
}

/// The lock an action takes on the table it changes: the kind's, or for
/// `LOCK TABLE ... IN <mode> MODE` the mode written.
pub fn table_lock(a: &Action) -> Option<LockMode> {
    match a {
        Action::Lock { mode, .. } => Some(*mode),
        _ => kind_of(a)?.lock(On::Table),
    }
}

/// What a kind does to its table, as a lock rule says it: "rewrites the
/// table and blocks all reads and writes until it ends".
pub fn claim(k: &Kind) -> String {
    let effect = k.lock(On::Table).map_or("blocks nothing", LockMode::effect);
    if k.rewrites {
        format!("rewrites the table and {effect} until it ends")
    } else {
        format!("{effect} until it ends")
    }
}

/// What an action's lock on its table does to the application's queries
/// ("blocks writes"), from the lock table.
pub fn table_effect(a: &Action) -> &'static str {
    table_lock(a).map_or("blocks nothing", LockMode::effect)
}

/// `docs/locks.md`: every kind, its locks and whether it rewrites.
pub fn markdown() -> String {
    let mut s = String::from(
        "# Locks by statement\n\n\
         Generated from `src/migration/locks.rs`, the table the lock rules use; \
         `cargo test --test dryrun lock_model` runs every example on PostgreSQL and \
         compares what `pg_locks` and `relfilenode` show. Modes are the strongest \
         each statement holds on each relation until its transaction ends.\n\n\
         | Statement | Table | Other relations | Rewrites | Blocks | Outside a transaction only | Example |\n\
         |---|---|---|---|---|---|---|\n",
    );
    for k in KINDS {
        debug_assert!(!k.statement.contains('|') && !k.note.contains('|') && !k.example.contains('|'));
        let table = k.lock(On::Table).map_or("", LockMode::name);
        let others: Vec<String> = k
            .locks
            .iter()
            .filter(|(o, _)| *o != On::Table)
            .map(|(o, m)| format!("{}: {}", o.label(), m.name()))
            .collect();
        let blocks = k.strongest().map_or("", LockMode::effect);
        let note = if k.note.is_empty() {
            String::new()
        } else {
            format!(" ({})", k.note)
        };
        s.push_str(&format!(
            "| {}{note} | {table} | {} | {} | {blocks} | {} | `{}` |\n",
            k.statement,
            others.join(", "),
            if k.rewrites { "yes" } else { "no" },
            if k.no_transaction { "yes" } else { "" },
            k.example
        ));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn volatility() {
        assert!(volatile_default("gen_random_uuid()"));
        assert!(volatile_default("nextval('s'::regclass)"));
        assert!(!volatile_default("now()"));
        assert!(!volatile_default("'x'::text"));
        assert!(!volatile_default("0"));
    }

    #[test]
    fn every_example_is_read_as_its_kind() {
        use crate::migration::lex::lex;
        use crate::migration::statement::understand;
        for k in KINDS {
            let lexed = lex(k.example);
            let st = understand(k.example, &lexed.statements[0], crate::config::SqlDialect::Postgres);
            let kinds: Vec<&str> = st.actions.iter().filter_map(kind_of).map(|k| k.id).collect();
            assert_eq!(kinds, [k.id], "`{}` is read as {:?}", k.example, st.actions);
        }
    }

    #[test]
    fn ids_are_unique_and_modes_ordered() {
        let mut ids: Vec<_> = KINDS.iter().map(|k| k.id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), KINDS.len());
        assert!(AccessExclusive.blocks_reads() && Share.blocks_writes() && !ShareUpdateExclusive.blocks_writes());
        assert_eq!(
            LockMode::from_words(&["share", "row", "exclusive"]),
            Some(ShareRowExclusive)
        );
    }
}
