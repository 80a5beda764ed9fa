//! A snapshot of the user-visible catalog, taken in one query that locks no
//! user relation, and the diff between two snapshots.
//!
//! Objects are keyed by OID, so a rename is a rename and not a drop plus a
//! create; objects that belong to extensions are left out (the extension
//! itself is listed).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde_json::Value;

use super::model::ChangeKind::{Added, Changed, Removed, Renamed};
use super::model::{Change, ChangeKind};

/// User relations start here; below are the system catalogs.
pub const FIRST_NORMAL_OID: u32 = 16384;

/// A relation. `tuples` and `pages` are statistics PostgreSQL updates in
/// place (no new row version), so they are not compared and an incremental
/// snapshot may carry older values.
#[derive(Debug, Clone)]
pub struct Rel {
    pub schema: String,
    pub name: String,
    pub kind: char,
    pub filenode: i64,
    pub tuples: f64,
    pub pages: i64,
    pub persistence: char,
    /// Hash of a view's query tree.
    pub viewdef: Option<String>,
    pub can_select: bool,
}

impl PartialEq for Rel {
    fn eq(&self, o: &Self) -> bool {
        self.schema == o.schema
            && self.name == o.name
            && self.kind == o.kind
            && self.filenode == o.filenode
            && self.persistence == o.persistence
            && self.viewdef == o.viewdef
            && self.can_select == o.can_select
    }
}

impl Rel {
    pub fn qualified(&self) -> String {
        qualify(&self.schema, &self.name)
    }

    /// `"schema"."name"`, for SQL.
    pub fn quoted(&self) -> String {
        format!("{}.{}", quote_ident(&self.schema), quote_ident(&self.name))
    }

    pub fn kind_label(&self) -> &'static str {
        rel_kind_label(self.kind)
    }

    /// An ordinary table (the kind that holds rows of its own).
    pub fn is_table(&self) -> bool {
        self.kind == 'r'
    }

    pub fn is_index(&self) -> bool {
        matches!(self.kind, 'i' | 'I')
    }
}

pub fn rel_kind_label(kind: char) -> &'static str {
    match kind {
        'r' => "table",
        'p' => "partitioned_table",
        'v' => "view",
        'm' => "materialized_view",
        'S' => "sequence",
        'f' => "foreign_table",
        'i' => "index",
        'I' => "partitioned_index",
        _ => "relation",
    }
}

/// `name` in the `public` schema, `schema.name` elsewhere (as the static rules print names).
pub fn qualify(schema: &str, name: &str) -> String {
    if schema == "public" {
        name.to_string()
    } else {
        format!("{schema}.{name}")
    }
}

/// A SQL identifier, always quoted.
pub fn quote_ident(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

/// A column. Comparisons use the `*_key` fields (type OID and modifier, a
/// hash of the default's expression tree); the display texts are deparsed
/// only when the row is new, so they may lag behind a rename elsewhere.
#[derive(Debug, Clone)]
pub struct Col {
    pub name: String,
    pub ty: String,
    pub ty_key: String,
    pub not_null: bool,
    pub default: Option<String>,
    pub default_key: Option<String>,
    /// Identity or generated column.
    pub generated: bool,
}

impl PartialEq for Col {
    fn eq(&self, o: &Self) -> bool {
        self.name == o.name
            && self.ty_key == o.ty_key
            && self.not_null == o.not_null
            && self.default_key == o.default_key
            && self.generated == o.generated
    }
}

/// Objects compared by a raw key (catalog fields and expression-tree hashes),
/// with a display text deparsed when the row is new.
macro_rules! keyed_eq {
    ($t:ty, $($f:ident),*) => {
        impl PartialEq for $t {
            fn eq(&self, o: &Self) -> bool {
                self.key == o.key $(&& self.$f == o.$f)*
            }
        }
    };
}

#[derive(Debug, Clone)]
pub struct Con {
    pub table: u32,
    pub domain: u32,
    pub name: String,
    pub key: String,
    pub def: String,
    pub validated: bool,
}
keyed_eq!(Con, table, domain, name, validated);

#[derive(Debug, Clone)]
pub struct Idx {
    pub table: u32,
    pub key: String,
    pub def: String,
    pub valid: bool,
}
keyed_eq!(Idx, table, valid);

#[derive(Debug, Clone, PartialEq)]
pub struct Ty {
    pub schema: String,
    pub name: String,
    pub kind: char,
}

#[derive(Debug, Clone, PartialEq)]
pub struct EnumLabel {
    pub ty: u32,
    pub label: String,
}

#[derive(Debug, Clone)]
pub struct Func {
    pub schema: String,
    pub name: String,
    pub args: String,
    pub kind: char,
    pub result: Option<String>,
    /// Name, schema, argument types, kind.
    pub key: String,
    /// Hash of the body and the result type.
    pub body: String,
}
keyed_eq!(Func, schema, body);

impl Func {
    pub fn signature(&self) -> String {
        format!("{}({})", qualify(&self.schema, &self.name), self.args)
    }
}

#[derive(Debug, Clone)]
pub struct Policy {
    pub table: u32,
    pub name: String,
    pub key: String,
    pub def: String,
}
keyed_eq!(Policy, table, name);

#[derive(Debug, Clone)]
pub struct Trigger {
    pub table: u32,
    pub name: String,
    pub key: String,
    pub def: String,
    pub enabled: String,
}
keyed_eq!(Trigger, table, name, enabled);

/// PostgreSQL's table lock modes, weakest first; a mode's bit is `1 << index`.
pub const LOCK_MODES: [&str; 8] = [
    "AccessShareLock",
    "RowShareLock",
    "RowExclusiveLock",
    "ShareUpdateExclusiveLock",
    "ShareLock",
    "ShareRowExclusiveLock",
    "ExclusiveLock",
    "AccessExclusiveLock",
];

/// The query for our relation locks that differ from `baseline`, one row per
/// relation with its modes as a bit mask. A long transaction holds thousands
/// of locks; sending only what changed keeps each observation small.
pub fn locks_sql(baseline: &BTreeSet<(u32, String)>) -> String {
    let mut masks: BTreeMap<u32, u32> = BTreeMap::new();
    for (oid, mode) in baseline {
        if let Some(i) = LOCK_MODES.iter().position(|m| m == mode) {
            *masks.entry(*oid).or_default() |= 1 << i;
        }
    }
    let oids: Vec<String> = masks.keys().map(u32::to_string).collect();
    let bits: Vec<String> = masks.values().map(u32::to_string).collect();
    let case: Vec<String> = LOCK_MODES
        .iter()
        .enumerate()
        .map(|(i, m)| format!("WHEN '{m}' THEN {}", 1 << i))
        .collect();
    format!(
        "(SELECT pg_catalog.json_agg(pg_catalog.json_build_array(x.r, x.m)) FROM (
    SELECT l.relation::int8 AS r, pg_catalog.bit_or(CASE l.mode {} ELSE 0 END)::int4 AS m
    FROM pg_catalog.pg_locks l
    WHERE l.pid = pg_catalog.pg_backend_pid() AND l.locktype = 'relation' AND l.granted
      AND l.relation >= {FIRST_NORMAL_OID}
    GROUP BY l.relation
    EXCEPT
    SELECT b.r, b.m FROM ROWS FROM (pg_catalog.unnest('{{{}}}'::int8[]), pg_catalog.unnest('{{{}}}'::int4[])) AS b(r, m)) x)",
        case.join(" "),
        oids.join(","),
        bits.join(",")
    )
}

/// `baseline` updated with the changed relations of a [`locks_sql`] reply.
pub fn merge_locks(baseline: &BTreeSet<(u32, String)>, reply: &Value) -> BTreeSet<(u32, String)> {
    let changed: BTreeMap<u32, i64> = rows(reply).map(|r| (oid(r, 0), n(r, 1))).collect();
    let mut out: BTreeSet<(u32, String)> = baseline
        .iter()
        .filter(|(o, _)| !changed.contains_key(o))
        .cloned()
        .collect();
    for (o, mask) in changed {
        for (i, m) in LOCK_MODES.iter().enumerate() {
            if mask & (1 << i) != 0 {
                out.insert((o, (*m).to_string()));
            }
        }
    }
    out
}

/// Row statistics of the current transaction (`pg_stat_get_xact_tuples_*`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct XactStats {
    pub inserted: i64,
    pub updated: i64,
    pub deleted: i64,
}

#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    pub txid: i64,
    /// Relation locks our backend holds: (oid, mode).
    pub locks: BTreeSet<(u32, String)>,
    pub stats: HashMap<u32, XactStats>,
    pub schemas: BTreeMap<u32, String>,
    pub rels: BTreeMap<u32, Rel>,
    pub cols: BTreeMap<(u32, i64), Col>,
    pub cons: BTreeMap<u32, Con>,
    pub idx: BTreeMap<u32, Idx>,
    pub types: BTreeMap<u32, Ty>,
    pub enums: BTreeMap<u32, EnumLabel>,
    pub funcs: BTreeMap<u32, Func>,
    pub policies: BTreeMap<u32, Policy>,
    pub triggers: BTreeMap<u32, Trigger>,
    pub exts: BTreeMap<u32, (String, String)>,
    /// Per catalog: the rows our transaction inserted, updated and deleted
    /// in it (`pg_stat_get_xact_tuples_*`, `i/u/d`). Unchanged means unchanged.
    pub fp: BTreeMap<String, String>,
    /// The newest command id among the catalog rows our transaction wrote
    /// that this snapshot has read: rows written later are newer.
    pub last_cid: i64,
}

/// The catalogs fingerprinted, and the sections each section is read from.
const CATALOGS: [&str; 13] = [
    "pg_namespace",
    "pg_class",
    "pg_attribute",
    "pg_attrdef",
    "pg_constraint",
    "pg_index",
    "pg_type",
    "pg_enum",
    "pg_proc",
    "pg_policy",
    "pg_trigger",
    "pg_extension",
    "pg_rewrite",
];

fn deps(section: &str) -> &'static [&'static str] {
    match section {
        "schemas" => &["pg_namespace", "pg_extension"],
        "rels" => &["pg_class", "pg_namespace", "pg_extension", "pg_rewrite"],
        "cols" => &["pg_attribute", "pg_attrdef", "pg_class", "pg_namespace"],
        "cons" => &["pg_constraint", "pg_namespace"],
        "idx" => &["pg_index"],
        "types" => &["pg_type", "pg_namespace", "pg_extension"],
        "enums" => &["pg_enum", "pg_type", "pg_namespace"],
        "funcs" => &["pg_proc", "pg_namespace", "pg_extension"],
        "policies" => &["pg_policy"],
        "triggers" => &["pg_trigger"],
        _ => &["pg_extension"],
    }
}

/// How one section of the snapshot is read.
struct SectionSql {
    name: &'static str,
    /// `FROM ... WHERE ...` (always with a WHERE, so that `AND` can follow).
    from: String,
    /// The row, without its command id (appended as the last element).
    row: String,
    /// Alias of the catalog whose rows decide freshness.
    alias: &'static str,
    /// An extra freshness test (a joined catalog), or empty.
    also_fresh: String,
}

/// How a section is read this time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Read {
    /// Our transaction wrote none of its catalogs since the previous snapshot.
    Same,
    /// Just the rows written since the previous snapshot.
    Fresh,
    /// Everything (first snapshot, rows deleted, or an embedded name changed).
    Full,
}

const SECTIONS: [&str; 11] = [
    "schemas", "rels", "cols", "cons", "idx", "types", "enums", "funcs", "policies", "triggers", "exts",
];

/// The first, small query of an observation: transaction id, our write
/// counters on each catalog, the locks that changed since `baseline`, and
/// row statistics. Everything else is read only when these say it changed.
pub fn head_sql(baseline: &BTreeSet<(u32, String)>) -> String {
    let fp: Vec<String> = CATALOGS
        .iter()
        .map(|c| {
            let r = format!("'pg_catalog.{c}'::pg_catalog.regclass");
            format!(
                "'{c}', pg_catalog.pg_stat_get_xact_tuples_inserted({r})::text || '/' || \
                 pg_catalog.pg_stat_get_xact_tuples_updated({r})::text || '/' || \
                 pg_catalog.pg_stat_get_xact_tuples_deleted({r})::text"
            )
        })
        .collect();
    format!(
        "SELECT pg_catalog.json_build_object(
 'txid', pg_catalog.txid_current(),
 'fp', pg_catalog.json_build_object({}),
 'locks', {},
 'stats', (SELECT pg_catalog.json_agg(pg_catalog.json_build_array(s.o, s.i, s.u, s.d)) FROM (
    SELECT c.oid::int8 AS o, pg_catalog.pg_stat_get_xact_tuples_inserted(c.oid) AS i,
      pg_catalog.pg_stat_get_xact_tuples_updated(c.oid) AS u, pg_catalog.pg_stat_get_xact_tuples_deleted(c.oid) AS d
    FROM pg_catalog.pg_class c WHERE c.relkind IN ('r', 'm', 'p') AND c.oid >= {FIRST_NORMAL_OID}) s
    WHERE s.i + s.u + s.d > 0)
)::text",
        fp.join(",\n   "),
        locks_sql(baseline)
    )
}

/// Which sections to read, from the write counters now (`fp`) and in `prev`.
pub fn plan_reads(prev: Option<&Snapshot>, fp: &BTreeMap<String, String>) -> Vec<(&'static str, Read)> {
    let Some(p) = prev else {
        return SECTIONS.iter().map(|s| (*s, Read::Full)).collect();
    };
    let now = |c: &str| fp.get(c).map_or("?", String::as_str);
    let was = |c: &str| p.fp.get(c).map_or("!", String::as_str);
    let changed = |c: &&str| now(c) != was(c);
    let deleted = |c: &&str| now(c).rsplit('/').next() != was(c).rsplit('/').next();
    SECTIONS
        .iter()
        .map(|name| {
            let (full_if_changed, full_if_deleted) = full_read_rules(name);
            let read = if !deps(name).iter().any(changed) {
                Read::Same
            } else if full_if_changed.iter().any(changed) || full_if_deleted.iter().any(deleted) {
                Read::Full
            } else {
                Read::Fresh
            };
            (*name, read)
        })
        .collect()
}

/// Per section: catalogs any change of which forces a full read (names the
/// rows embed), and catalogs whose deleted rows do (only a full read shows
/// what is gone).
fn full_read_rules(section: &str) -> (&'static [&'static str], &'static [&'static str]) {
    match section {
        "schemas" => (&["pg_namespace", "pg_extension"], &[]),
        "rels" => (&["pg_namespace", "pg_extension"], &["pg_class", "pg_rewrite"]),
        "cols" => (&["pg_namespace"], &["pg_attribute", "pg_attrdef", "pg_class"]),
        "cons" => (&["pg_namespace"], &["pg_constraint"]),
        "idx" => (&[], &["pg_index"]),
        "types" => (&["pg_namespace", "pg_extension"], &["pg_type"]),
        "enums" => (&["pg_namespace"], &["pg_enum", "pg_type"]),
        "funcs" => (&["pg_namespace", "pg_extension"], &["pg_proc"]),
        "policies" => (&[], &["pg_policy"]),
        "triggers" => (&[], &["pg_trigger"]),
        _ => (&["pg_extension"], &[]),
    }
}

/// The second query of an observation: the sections `reads` asks for
/// (`None` when nothing changed). Expressions are deparsed only for rows
/// written since `prev`. Every function is schema-qualified: a migration may
/// change `search_path`. No user relation is locked.
pub fn sections_sql(version_num: i64, prev: Option<&Snapshot>, reads: &[(&'static str, Read)]) -> Option<String> {
    let fresh = Freshness {
        since: prev.map(|p| p.last_cid),
    };
    let parts: Vec<String> = SectionSql::all(version_num, &fresh)
        .iter()
        .filter_map(|sec| {
            let read = reads
                .iter()
                .find(|(n, _)| *n == sec.name)
                .map_or(Read::Same, |(_, r)| *r);
            sec.read(read, &fresh).map(|sql| format!(" '{}', {sql}", sec.name))
        })
        .collect();
    if parts.is_empty() {
        return None;
    }
    Some(format!(
        "WITH me AS MATERIALIZED (
  SELECT pg_catalog.age(((pg_catalog.txid_current() % 4294967296)::text)::xid) AS a
), ns AS (
  SELECT n.oid, n.nspname FROM pg_catalog.pg_namespace n
  WHERE n.nspname <> 'information_schema' AND n.nspname !~ '^pg_'
)
SELECT pg_catalog.json_build_object(
{}
)::text FROM me",
        parts.join(",\n"),
    ))
}

/// Which rows are fresh: written by our transaction (or its subtransactions)
/// after the command id `since` (every row when there is no previous snapshot).
struct Freshness {
    since: Option<i64>,
}

impl Freshness {
    /// The SQL test of a row of the catalog aliased `a`.
    fn test(&self, a: &str) -> String {
        match self.since {
            None => "true".to_string(),
            Some(last) => format!("(pg_catalog.age({a}.xmin) <= me.a AND {a}.cmin::text::int8 > {last})"),
        }
    }
}

/// A row of `class` (aliased `alias`) that does not belong to an extension.
fn not_ext(class: &str, alias: &str) -> String {
    format!(
        "NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend dd WHERE dd.deptype = 'e' \
         AND dd.classid = 'pg_catalog.{class}'::pg_catalog.regclass AND dd.objid = {alias}.oid)"
    )
}

impl SectionSql {
    /// Every section, in the order of [`SECTIONS`].
    fn all(version_num: i64, fresh: &Freshness) -> Vec<SectionSql> {
        vec![
            SectionSql::schemas(),
            SectionSql::rels(fresh),
            SectionSql::cols(fresh),
            SectionSql::cons(fresh),
            SectionSql::idx(fresh),
            SectionSql::types(),
            SectionSql::enums(),
            SectionSql::funcs(fresh, version_num),
            SectionSql::policies(fresh),
            SectionSql::triggers(fresh),
            SectionSql::exts(),
        ]
    }

    /// The expression that reads this section as `read` asks (`None`: not at all).
    fn read(&self, read: Read, fresh: &Freshness) -> Option<String> {
        let cid = format!(
            "CASE WHEN pg_catalog.age({a}.xmin) <= me.a THEN {a}.cmin::text::int8 END",
            a = self.alias
        );
        let agg = |extra: &str| {
            format!(
                "(SELECT pg_catalog.json_agg(pg_catalog.json_build_array({}, {cid})) {}{extra})",
                self.row, self.from
            )
        };
        Some(match read {
            Read::Same => return None,
            // Columns: the full read leaves out dropped ones; the fresh rows report them as dropped.
            Read::Full if self.name == "cols" => agg(" AND NOT a.attisdropped"),
            Read::Full => agg(""),
            Read::Fresh => {
                let mut fresh_test = fresh.test(self.alias);
                if !self.also_fresh.is_empty() {
                    fresh_test = format!("({fresh_test} OR {})", self.also_fresh);
                }
                format!(
                    "pg_catalog.json_build_object('fresh', {})",
                    agg(&format!(" AND {fresh_test}"))
                )
            }
        })
    }

    /// Schemas, leaving out the system ones and those of extensions.
    fn schemas() -> Self {
        SectionSql {
            name: "schemas",
            from: format!(
                "FROM pg_catalog.pg_namespace n WHERE n.nspname <> 'information_schema' AND n.nspname !~ '^pg_' AND {}",
                not_ext("pg_namespace", "n")
            ),
            row: "n.oid::int8, n.nspname".into(),
            alias: "n",
            also_fresh: String::new(),
        }
    }

    /// Relations, with a hash of a view's query tree and whether we may read a table.
    fn rels(fresh: &Freshness) -> Self {
        SectionSql {
            name: "rels",
            from: format!(
                "FROM pg_catalog.pg_class c JOIN ns ON ns.oid = c.relnamespace \
                 LEFT JOIN pg_catalog.pg_rewrite r ON r.ev_class = c.oid AND r.rulename = '_RETURN' \
                 WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f', 'i', 'I') AND {}",
                not_ext("pg_class", "c")
            ),
            row: "c.oid::int8, ns.nspname, c.relname, c.relkind, c.relfilenode::int8, c.reltuples, c.relpages, \
                  c.relpersistence, CASE WHEN c.relkind IN ('v', 'm') THEN pg_catalog.md5(r.ev_action::text) END, \
                  CASE WHEN c.relkind = 'r' THEN pg_catalog.has_table_privilege(c.oid, 'SELECT') ELSE false END"
                .into(),
            alias: "c",
            also_fresh: format!("(r.oid IS NOT NULL AND {})", fresh.test("r")),
        }
    }

    /// Columns (dropped ones too: the fresh rows report them as dropped), with a hash of their default.
    fn cols(fresh: &Freshness) -> Self {
        SectionSql {
            name: "cols",
            from: "FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_class c ON c.oid = a.attrelid \
                   JOIN ns ON ns.oid = c.relnamespace \
                   LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum \
                   WHERE a.attnum > 0 AND c.relkind IN ('r', 'p', 'v', 'm', 'f')"
                .into(),
            row: "a.attrelid::int8, a.attnum, a.attname, a.atttypid::text || ':' || a.atttypmod::text, \
                  pg_catalog.format_type(a.atttypid, a.atttypmod), a.attnotnull, pg_catalog.md5(d.adbin::text), \
                  pg_catalog.pg_get_expr(d.adbin, d.adrelid), a.attidentity <> '' OR a.attgenerated <> '', \
                  a.attisdropped"
                .into(),
            alias: "a",
            also_fresh: format!("(d.oid IS NOT NULL AND {})", fresh.test("d")),
        }
    }

    /// Constraints of tables and domains.
    fn cons(fresh: &Freshness) -> Self {
        SectionSql {
            name: "cons",
            from: "FROM pg_catalog.pg_constraint co JOIN ns ON ns.oid = co.connamespace WHERE true".into(),
            row: format!(
                "co.oid::int8, co.conrelid::int8, co.contypid::int8, co.conname, \
                 pg_catalog.concat_ws('|', co.contype, co.conkey::text, co.confrelid, co.confkey::text, \
                   pg_catalog.md5(coalesce(co.conbin::text, ''))), \
                 CASE WHEN {} THEN pg_catalog.pg_get_constraintdef(co.oid) END, co.convalidated",
                fresh.test("co")
            ),
            alias: "co",
            also_fresh: String::new(),
        }
    }

    /// Indexes, with their validity.
    fn idx(fresh: &Freshness) -> Self {
        SectionSql {
            name: "idx",
            from: format!("FROM pg_catalog.pg_index i WHERE i.indexrelid >= {FIRST_NORMAL_OID}"),
            row: format!(
                "i.indexrelid::int8, i.indrelid::int8, \
                 pg_catalog.concat_ws('|', i.indkey::text, i.indclass::text, i.indoption::text, i.indisunique, \
                   pg_catalog.md5(coalesce(i.indexprs::text, '') || coalesce(i.indpred::text, ''))), \
                 CASE WHEN {} THEN pg_catalog.pg_get_indexdef(i.indexrelid) END, i.indisvalid",
                fresh.test("i")
            ),
            alias: "i",
            also_fresh: String::new(),
        }
    }

    /// Enums, domains, range and composite types.
    fn types() -> Self {
        SectionSql {
            name: "types",
            from: format!(
                "FROM pg_catalog.pg_type t JOIN ns ON ns.oid = t.typnamespace \
                 WHERE (t.typtype IN ('e', 'd', 'r', 'm') \
                    OR (t.typtype = 'c' AND (SELECT c.relkind FROM pg_catalog.pg_class c WHERE c.oid = t.typrelid) = 'c')) \
                   AND {}",
                not_ext("pg_type", "t")
            ),
            row: "t.oid::int8, ns.nspname, t.typname, t.typtype".into(),
            alias: "t",
            also_fresh: String::new(),
        }
    }

    /// The labels of enums.
    fn enums() -> Self {
        SectionSql {
            name: "enums",
            from: "FROM pg_catalog.pg_enum e JOIN pg_catalog.pg_type t ON t.oid = e.enumtypid \
                   JOIN ns ON ns.oid = t.typnamespace WHERE true"
                .into(),
            row: "e.oid::int8, e.enumtypid::int8, e.enumlabel".into(),
            alias: "e",
            also_fresh: String::new(),
        }
    }

    /// Functions and procedures, with a hash of their body (`body`).
    fn funcs(fresh: &Freshness, version_num: i64) -> Self {
        // `prosqlbody` (SQL-standard bodies) exists from PostgreSQL 14.
        let body = if version_num >= 140000 {
            "pg_catalog.md5(coalesce(p.prosrc, '') || coalesce(p.probin, '') || coalesce(p.prosqlbody::text, '') || p.prorettype::text)"
        } else {
            "pg_catalog.md5(coalesce(p.prosrc, '') || coalesce(p.probin, '') || p.prorettype::text)"
        };
        SectionSql {
            name: "funcs",
            from: format!(
                "FROM pg_catalog.pg_proc p JOIN ns ON ns.oid = p.pronamespace WHERE {}",
                not_ext("pg_proc", "p")
            ),
            row: format!(
                "p.oid::int8, ns.nspname, p.proname, \
                 CASE WHEN {f} THEN pg_catalog.pg_get_function_identity_arguments(p.oid) END, p.prokind, \
                 CASE WHEN {f} THEN pg_catalog.pg_get_function_result(p.oid) END, \
                 pg_catalog.concat_ws('|', p.proname, p.pronamespace, p.proargtypes::text, p.prokind), {body}",
                f = fresh.test("p")
            ),
            alias: "p",
            also_fresh: String::new(),
        }
    }

    /// Row-level security policies, deparsed as `CREATE POLICY` shows them.
    fn policies(fresh: &Freshness) -> Self {
        SectionSql {
            name: "policies",
            from: "FROM pg_catalog.pg_policy po WHERE true".into(),
            row: format!(
                "po.oid::int8, po.polrelid::int8, po.polname, \
                 pg_catalog.concat_ws('|', po.polcmd, po.polpermissive, po.polroles::text, \
                   pg_catalog.md5(coalesce(po.polqual::text, '')), pg_catalog.md5(coalesce(po.polwithcheck::text, ''))), \
                 CASE WHEN {} THEN pg_catalog.concat_ws(' ', \
                   CASE WHEN po.polpermissive THEN 'AS PERMISSIVE' ELSE 'AS RESTRICTIVE' END, \
                   'FOR ' || CASE po.polcmd WHEN 'r' THEN 'SELECT' WHEN 'a' THEN 'INSERT' WHEN 'w' THEN 'UPDATE' \
                     WHEN 'd' THEN 'DELETE' ELSE 'ALL' END, \
                   'TO ' || (SELECT pg_catalog.string_agg(CASE WHEN rr = 0 THEN 'public' \
                     ELSE pg_catalog.pg_get_userbyid(rr)::text END, ', ') FROM pg_catalog.unnest(po.polroles) rr), \
                   'USING ' || pg_catalog.pg_get_expr(po.polqual, po.polrelid), \
                   'WITH CHECK ' || pg_catalog.pg_get_expr(po.polwithcheck, po.polrelid)) END",
                fresh.test("po")
            ),
            alias: "po",
            also_fresh: String::new(),
        }
    }

    /// Triggers, with how they are enabled.
    fn triggers(fresh: &Freshness) -> Self {
        SectionSql {
            name: "triggers",
            from: format!(
                "FROM pg_catalog.pg_trigger tg WHERE NOT tg.tgisinternal AND tg.tgrelid >= {FIRST_NORMAL_OID}"
            ),
            row: format!(
                "tg.oid::int8, tg.tgrelid::int8, tg.tgname, \
                 pg_catalog.concat_ws('|', tg.tgfoid, tg.tgtype, tg.tgattr::text, \
                   pg_catalog.md5(coalesce(tg.tgqual::text, '')), pg_catalog.md5(tg.tgargs::text)), \
                 CASE WHEN {} THEN pg_catalog.pg_get_triggerdef(tg.oid) END, tg.tgenabled::text",
                fresh.test("tg")
            ),
            alias: "tg",
            also_fresh: String::new(),
        }
    }

    /// Extensions and their versions.
    fn exts() -> Self {
        SectionSql {
            name: "exts",
            from: "FROM pg_catalog.pg_extension x WHERE true".into(),
            row: "x.oid::int8, x.extname, x.extversion".into(),
            alias: "x",
            also_fresh: String::new(),
        }
    }
}

fn rows(v: &Value) -> impl Iterator<Item = &[Value]> {
    v.as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| r.as_array().map(Vec::as_slice))
}

fn s(r: &[Value], i: usize) -> String {
    match r.get(i) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => String::new(),
        Some(v) => v.to_string(),
    }
}

fn opt_s(r: &[Value], i: usize) -> Option<String> {
    match r.get(i) {
        Some(Value::String(s)) => Some(s.clone()),
        _ => None,
    }
}

fn n(r: &[Value], i: usize) -> i64 {
    match r.get(i) {
        Some(Value::Number(x)) => x.as_i64().or_else(|| x.as_f64().map(|f| f as i64)).unwrap_or(0),
        Some(Value::String(t)) => t.parse().unwrap_or(0),
        _ => 0,
    }
}

fn oid(r: &[Value], i: usize) -> u32 {
    u32::try_from(n(r, i)).unwrap_or(0)
}

fn f(r: &[Value], i: usize) -> f64 {
    r.get(i).and_then(Value::as_f64).unwrap_or(0.0)
}

fn b(r: &[Value], i: usize) -> bool {
    r.get(i).and_then(Value::as_bool).unwrap_or(false)
}

fn ch(r: &[Value], i: usize) -> char {
    s(r, i).chars().next().unwrap_or('?')
}

fn rel_of(r: &[Value]) -> Rel {
    Rel {
        schema: s(r, 1),
        name: s(r, 2),
        kind: ch(r, 3),
        filenode: n(r, 4),
        tuples: f(r, 5),
        pages: n(r, 6),
        persistence: ch(r, 7),
        viewdef: opt_s(r, 8),
        can_select: b(r, 9),
    }
}

fn col_of(r: &[Value]) -> Col {
    Col {
        name: s(r, 2),
        ty_key: s(r, 3),
        ty: s(r, 4),
        not_null: b(r, 5),
        default_key: opt_s(r, 6),
        default: opt_s(r, 7),
        generated: b(r, 8),
    }
}

/// A display text: the freshly deparsed one, else the one read before.
fn text_or(fresh: Option<String>, old: Option<&String>) -> String {
    fresh.or_else(|| old.cloned()).unwrap_or_default()
}

/// A constraint; its definition is deparsed only for a row written since `p`, else kept from it.
fn con_of(r: &[Value], p: &Snapshot) -> (u32, Con) {
    let o = oid(r, 0);
    (
        o,
        Con {
            table: oid(r, 1),
            domain: oid(r, 2),
            name: s(r, 3),
            key: s(r, 4),
            def: text_or(opt_s(r, 5), p.cons.get(&o).map(|c| &c.def)),
            validated: b(r, 6),
        },
    )
}

/// An index; its definition is deparsed only for a row written since `p`, else kept from it.
fn idx_of(r: &[Value], p: &Snapshot) -> (u32, Idx) {
    let o = oid(r, 0);
    (
        o,
        Idx {
            table: oid(r, 1),
            key: s(r, 2),
            def: text_or(opt_s(r, 3), p.idx.get(&o).map(|i| &i.def)),
            valid: b(r, 4),
        },
    )
}

/// A type (enum, domain, range or composite).
fn ty_of(r: &[Value]) -> (u32, Ty) {
    (
        oid(r, 0),
        Ty {
            schema: s(r, 1),
            name: s(r, 2),
            kind: ch(r, 3),
        },
    )
}

/// A label of an enum.
fn enum_label_of(r: &[Value]) -> (u32, EnumLabel) {
    (
        oid(r, 0),
        EnumLabel {
            ty: oid(r, 1),
            label: s(r, 2),
        },
    )
}

/// A function; its arguments and result are deparsed only for a row written since `p`, else kept from it.
fn func_of(r: &[Value], p: &Snapshot) -> (u32, Func) {
    let o = oid(r, 0);
    let old = p.funcs.get(&o);
    (
        o,
        Func {
            schema: s(r, 1),
            name: s(r, 2),
            args: text_or(opt_s(r, 3), old.map(|f| &f.args)),
            kind: ch(r, 4),
            result: opt_s(r, 5).or_else(|| old.and_then(|f| f.result.clone())),
            key: s(r, 6),
            body: s(r, 7),
        },
    )
}

/// A policy; its definition is deparsed only for a row written since `p`, else kept from it.
fn policy_of(r: &[Value], p: &Snapshot) -> (u32, Policy) {
    let o = oid(r, 0);
    (
        o,
        Policy {
            table: oid(r, 1),
            name: s(r, 2),
            key: s(r, 3),
            def: text_or(opt_s(r, 4), p.policies.get(&o).map(|x| &x.def)),
        },
    )
}

/// A trigger; its definition is deparsed only for a row written since `p`, else kept from it.
fn trigger_of(r: &[Value], p: &Snapshot) -> (u32, Trigger) {
    let o = oid(r, 0);
    (
        o,
        Trigger {
            table: oid(r, 1),
            name: s(r, 2),
            key: s(r, 3),
            def: text_or(opt_s(r, 4), p.triggers.get(&o).map(|x| &x.def)),
            enabled: s(r, 5),
        },
    )
}

/// Merges one section: `"same"` keeps `prev`'s, `{"fresh": [...]}` updates
/// `prev`'s with the rows written since, an array replaces it. Each row ends
/// with its command id (when our transaction wrote it), which moves `last`.
fn merge<K: Ord + Clone, T: Clone>(
    v: &Value,
    key: &str,
    prev: &BTreeMap<K, T>,
    last: &mut i64,
    mut read: impl FnMut(&[Value]) -> Option<(K, T)>,
) -> BTreeMap<K, T> {
    let mut cid = |r: &[Value]| {
        if let Some(c) = r.last().and_then(Value::as_i64) {
            *last = (*last).max(c);
        }
    };
    match v.get(key) {
        Some(Value::String(s)) if s == "same" => prev.clone(),
        Some(Value::Object(o)) => {
            let mut out = prev.clone();
            for r in o.get("fresh").map(rows).into_iter().flatten() {
                cid(r);
                // `None`: the reader handles the row itself (a dropped column).
                if let Some((k, t)) = read(r) {
                    out.insert(k, t);
                }
            }
            out
        }
        Some(x) => rows(x)
            .filter_map(|r| {
                cid(r);
                read(r)
            })
            .collect(),
        // Not read this time: unchanged.
        None => prev.clone(),
    }
}

/// Reads the snapshot query's JSON text, taking unchanged sections and
/// display texts from `prev` and unchanged locks from `baseline` (what the
/// query was built against).
/// (`Ok(None)` is kept for a reply that cannot be merged: take a full snapshot.)
pub fn parse_snapshot(
    text: &str,
    prev: Option<&Snapshot>,
    baseline: &BTreeSet<(u32, String)>,
) -> Result<Option<Snapshot>, String> {
    let v: Value = serde_json::from_str(text).map_err(|e| format!("unreadable catalog snapshot: {e}"))?;
    read_snapshot(&v, prev, baseline)
}

/// The write counters of a [`head_sql`] reply.
pub fn fp_of(v: &Value) -> BTreeMap<String, String> {
    v.get("fp")
        .and_then(Value::as_object)
        .map(|o| {
            o.iter()
                .map(|(k, x)| (k.clone(), x.as_str().unwrap_or("").to_string()))
                .collect()
        })
        .unwrap_or_default()
}

/// [`parse_snapshot`] of an already parsed document (the head reply with the
/// sections reply's fields added).
pub fn read_snapshot(
    v: &Value,
    prev: Option<&Snapshot>,
    baseline: &BTreeSet<(u32, String)>,
) -> Result<Option<Snapshot>, String> {
    if !v.is_object() {
        return Err("unreadable catalog snapshot: not a JSON object".into());
    }
    let empty = Snapshot::default();
    let p = prev.unwrap_or(&empty);
    let mut out = Snapshot {
        txid: v.get("txid").and_then(Value::as_i64).unwrap_or(0),
        ..Snapshot::default()
    };
    out.fp = fp_of(v);
    out.locks = merge_locks(baseline, &v["locks"]);
    for r in rows(&v["stats"]) {
        out.stats.insert(
            oid(r, 0),
            XactStats {
                inserted: n(r, 1),
                updated: n(r, 2),
                deleted: n(r, 3),
            },
        );
    }
    // Command ids start at 0: with nothing read yet, every row of ours is newer than -1.
    let mut last = prev.map_or(-1, |p| p.last_cid);
    out.schemas = merge(v, "schemas", &p.schemas, &mut last, |r| Some((oid(r, 0), s(r, 1))));
    out.rels = merge(v, "rels", &p.rels, &mut last, |r| Some((oid(r, 0), rel_of(r))));
    // Columns: fresh rows of dropped columns remove them.
    let mut dropped = Vec::new();
    out.cols = merge(v, "cols", &p.cols, &mut last, |r| {
        let key = (oid(r, 0), n(r, 1));
        if b(r, 9) {
            dropped.push(key);
            None
        } else {
            Some((key, col_of(r)))
        }
    });
    for k in dropped {
        out.cols.remove(&k);
    }
    let rels = &out.rels;
    out.cols.retain(|k, _| {
        rels.get(&k.0)
            .is_some_and(|r| matches!(r.kind, 'r' | 'p' | 'v' | 'm' | 'f'))
    });
    out.cons = merge(v, "cons", &p.cons, &mut last, |r| Some(con_of(r, p)));
    out.idx = merge(v, "idx", &p.idx, &mut last, |r| Some(idx_of(r, p)));
    out.idx.retain(|o, _| out.rels.contains_key(o));
    out.types = merge(v, "types", &p.types, &mut last, |r| Some(ty_of(r)));
    out.enums = merge(v, "enums", &p.enums, &mut last, |r| Some(enum_label_of(r)));
    out.funcs = merge(v, "funcs", &p.funcs, &mut last, |r| Some(func_of(r, p)));
    out.policies = merge(v, "policies", &p.policies, &mut last, |r| Some(policy_of(r, p)));
    out.policies.retain(|_, x| out.rels.contains_key(&x.table));
    out.triggers = merge(v, "triggers", &p.triggers, &mut last, |r| Some(trigger_of(r, p)));
    out.triggers.retain(|_, x| out.rels.contains_key(&x.table));
    out.exts = merge(v, "exts", &p.exts, &mut last, |r| Some((oid(r, 0), (s(r, 1), s(r, 2)))));
    out.last_cid = last;
    Ok(Some(out))
}

impl Snapshot {
    /// The ordinary tables (the relations that hold rows of their own).
    pub fn tables(&self) -> Vec<u32> {
        self.rels
            .iter()
            .filter(|(_, r)| r.is_table())
            .map(|(o, _)| *o)
            .collect()
    }

    /// The relation's display name, from this snapshot or, for a dropped one, from `fallback`.
    pub fn rel_name(&self, oid: u32) -> Option<String> {
        self.rels.get(&oid).map(Rel::qualified)
    }

    fn table_name(&self, oid: u32) -> String {
        self.rels.get(&oid).map_or_else(|| format!("oid {oid}"), Rel::qualified)
    }

    fn type_name(&self, oid: u32) -> String {
        self.types
            .get(&oid)
            .map_or_else(|| format!("oid {oid}"), |t| qualify(&t.schema, &t.name))
    }
}

/// Relations whose catalog entries differ between `a` and `b`: the relation
/// itself, its columns, constraints, indexes, policies or triggers.
pub fn touched_rels(a: &Snapshot, b: &Snapshot) -> BTreeSet<u32> {
    let mut out = BTreeSet::new();
    for (oid, r) in &a.rels {
        if b.rels.get(oid) != Some(r) {
            out.insert(*oid);
        }
    }
    out.extend(b.rels.keys().filter(|o| !a.rels.contains_key(o)));
    let keys: BTreeSet<&(u32, i64)> = a.cols.keys().chain(b.cols.keys()).collect();
    out.extend(keys.into_iter().filter(|k| a.cols.get(k) != b.cols.get(k)).map(|k| k.0));
    let cons: BTreeSet<&u32> = a.cons.keys().chain(b.cons.keys()).collect();
    for k in cons {
        if a.cons.get(k) != b.cons.get(k) {
            out.extend(a.cons.get(k).or(b.cons.get(k)).map(|c| c.table).filter(|t| *t != 0));
        }
    }
    let idx: BTreeSet<&u32> = a.idx.keys().chain(b.idx.keys()).collect();
    for k in idx {
        if a.idx.get(k) != b.idx.get(k) {
            out.extend(a.idx.get(k).or(b.idx.get(k)).map(|i| i.table));
        }
    }
    let pol: BTreeSet<&u32> = a.policies.keys().chain(b.policies.keys()).collect();
    for k in pol {
        if a.policies.get(k) != b.policies.get(k) {
            out.extend(a.policies.get(k).or(b.policies.get(k)).map(|p| p.table));
        }
    }
    let trg: BTreeSet<&u32> = a.triggers.keys().chain(b.triggers.keys()).collect();
    for k in trg {
        if a.triggers.get(k) != b.triggers.get(k) {
            out.extend(a.triggers.get(k).or(b.triggers.get(k)).map(|t| t.table));
        }
    }
    out
}

/// What counts as "already there" when judging a change: objects of the
/// `origin` snapshot. Dropping or renaming an object the change itself
/// created breaks nobody.
pub struct Origin<'a> {
    pub snapshot: &'a Snapshot,
}

impl Origin<'_> {
    fn has_rel(&self, oid: u32) -> bool {
        self.snapshot.rels.contains_key(&oid)
    }
}

fn change(object: &'static str, kind: ChangeKind, name: String, detail: Option<String>, breaking: bool) -> Change {
    Change {
        object,
        change: kind,
        name,
        detail,
        breaking,
        replaced: false,
    }
}

/// Every difference from `a` to `b`. `breaking` is set only for objects that
/// exist in `origin`.
pub fn diff(a: &Snapshot, b: &Snapshot, origin: &Origin) -> Vec<Change> {
    // One reader per kind of object, in the order the changes are listed.
    let sections: [Section; 11] = [
        schemas,
        relations,
        indexes,
        columns,
        constraints,
        types,
        enum_labels,
        functions,
        policies,
        triggers,
        extensions,
    ];
    let mut out = Vec::new();
    for section in sections {
        section(a, b, origin, &mut out);
    }
    out
}

/// The changes of one kind of object from `a` to `b`, appended to `out`.
type Section = fn(&Snapshot, &Snapshot, &Origin, &mut Vec<Change>);

/// Schemas removed, renamed or added.
fn schemas(a: &Snapshot, b: &Snapshot, origin: &Origin, out: &mut Vec<Change>) {
    for (oid, name) in &a.schemas {
        let pre = origin.snapshot.schemas.contains_key(oid);
        match b.schemas.get(oid) {
            None => out.push(change("schema", Removed, name.clone(), None, pre)),
            Some(n) if n != name => out.push(change("schema", Renamed, name.clone(), Some(format!("→ {n}")), pre)),
            _ => {}
        }
    }
    for (oid, name) in &b.schemas {
        if !a.schemas.contains_key(oid) {
            out.push(change("schema", Added, name.clone(), None, false));
        }
    }
}

/// Relations removed, renamed, made (un)logged, redefined (views) or added.
fn relations(a: &Snapshot, b: &Snapshot, origin: &Origin, out: &mut Vec<Change>) {
    for (oid, r) in &a.rels {
        let pre = origin.has_rel(*oid);
        let object = r.kind_label();
        match b.rels.get(oid) {
            None => out.push(change(object, Removed, r.qualified(), None, pre && !r.is_index())),
            Some(r2) => {
                if r2.schema != r.schema || r2.name != r.name {
                    out.push(change(
                        object,
                        Renamed,
                        r.qualified(),
                        Some(format!("→ {}", r2.qualified())),
                        pre && !r.is_index(),
                    ));
                }
                if r2.persistence != r.persistence {
                    let label = |p: char| match p {
                        'u' => "unlogged",
                        't' => "temporary",
                        _ => "logged",
                    };
                    out.push(change(
                        object,
                        Changed,
                        r2.qualified(),
                        Some(format!("{} → {}", label(r.persistence), label(r2.persistence))),
                        pre && r2.persistence == 'u',
                    ));
                }
                if r2.viewdef != r.viewdef && r.viewdef.is_some() {
                    out.push(change(
                        object,
                        Changed,
                        r2.qualified(),
                        Some("definition changed".into()),
                        false,
                    ));
                }
            }
        }
    }
    for (oid, r) in &b.rels {
        if !a.rels.contains_key(oid) {
            out.push(change(r.kind_label(), Added, r.qualified(), None, false));
        }
    }
}

/// Indexes whose definition or validity changed (added and removed ones are relations).
fn indexes(a: &Snapshot, b: &Snapshot, _: &Origin, out: &mut Vec<Change>) {
    for (oid, i) in &a.idx {
        if let Some(i2) = b.idx.get(oid) {
            let name = b.table_name(*oid);
            if i2.key != i.key {
                out.push(change("index", Changed, name.clone(), Some(i2.def.clone()), false));
            }
            if i2.valid != i.valid {
                let what = if i2.valid { "valid" } else { "invalid" };
                out.push(change("index", Changed, name, Some(format!("now {what}")), false));
            }
        }
    }
}

/// Columns of relations present on both sides; added and dropped relations carry theirs.
fn columns(a: &Snapshot, b: &Snapshot, origin: &Origin, out: &mut Vec<Change>) {
    for (key, c) in &a.cols {
        if !b.rels.contains_key(&key.0) {
            continue;
        }
        let table = b.table_name(key.0);
        let pre = origin.snapshot.cols.contains_key(key);
        let name = format!("{table}.{}", c.name);
        match b.cols.get(key) {
            None => out.push(change("column", Removed, name, Some(c.ty.clone()), pre)),
            Some(c2) => column_changes(c, c2, &table, &name, pre, out),
        }
    }
    for (key, c) in &b.cols {
        if a.rels.contains_key(&key.0) && !a.cols.contains_key(key) {
            let table = b.table_name(key.0);
            // A NOT NULL column without a default breaks inserts from the previous release.
            let breaking = origin.has_rel(key.0) && c.not_null && c.default.is_none() && !c.generated;
            let detail = format!("{}{}", c.ty, if c.not_null { " NOT NULL" } else { "" });
            out.push(change(
                "column",
                Added,
                format!("{table}.{}", c.name),
                Some(detail),
                breaking,
            ));
        }
    }
}

/// What changed in one column that is on both sides: `name` is its old
/// qualified name, `table` its relation's current name.
fn column_changes(c: &Col, c2: &Col, table: &str, name: &str, pre: bool, out: &mut Vec<Change>) {
    if c2.name != c.name {
        out.push(change(
            "column",
            Renamed,
            name.to_string(),
            Some(format!("→ {}", c2.name)),
            pre,
        ));
    }
    let name2 = format!("{table}.{}", c2.name);
    if c2.ty_key != c.ty_key {
        out.push(change(
            "column",
            Changed,
            name2.clone(),
            Some(format!("type {} → {}", c.ty, c2.ty)),
            pre,
        ));
    }
    if c2.not_null != c.not_null {
        let what = if c2.not_null { "NOT NULL" } else { "nullable" };
        out.push(change(
            "column",
            Changed,
            name2.clone(),
            Some(format!("now {what}")),
            pre && c2.not_null,
        ));
    }
    if c2.default_key != c.default_key {
        let detail = match &c2.default {
            Some(d) => format!("default {d}"),
            None => "default dropped".to_string(),
        };
        out.push(change(
            "column",
            Changed,
            name2,
            Some(detail),
            pre && c2.default.is_none() && !c2.generated,
        ));
    }
}

/// `table.constraint`, or `domain.constraint` for a domain's constraint.
fn con_name(s: &Snapshot, c: &Con) -> String {
    if c.table != 0 {
        format!("{}.{}", s.table_name(c.table), c.name)
    } else {
        format!("{}.{}", s.type_name(c.domain), c.name)
    }
}

/// Constraints removed, renamed, redefined, (in)validated or added; those of
/// removed or added owners go with their owner.
fn constraints(a: &Snapshot, b: &Snapshot, _: &Origin, out: &mut Vec<Change>) {
    for (oid, c) in &a.cons {
        let owner_gone =
            (c.table != 0 && !b.rels.contains_key(&c.table)) || (c.domain != 0 && !b.types.contains_key(&c.domain));
        match b.cons.get(oid) {
            None if !owner_gone => out.push(change(
                "constraint",
                Removed,
                con_name(a, c),
                Some(c.def.clone()),
                false,
            )),
            None => {}
            Some(c2) => {
                if c2.name != c.name {
                    out.push(change(
                        "constraint",
                        Renamed,
                        con_name(a, c),
                        Some(format!("→ {}", c2.name)),
                        false,
                    ));
                }
                if c2.key != c.key {
                    out.push(change(
                        "constraint",
                        Changed,
                        con_name(b, c2),
                        Some(c2.def.clone()),
                        false,
                    ));
                }
                if c2.validated != c.validated {
                    let what = if c2.validated { "validated" } else { "not validated" };
                    out.push(change("constraint", Changed, con_name(b, c2), Some(what.into()), false));
                }
            }
        }
    }
    for (oid, c) in &b.cons {
        let owner_new =
            (c.table != 0 && !a.rels.contains_key(&c.table)) || (c.domain != 0 && !a.types.contains_key(&c.domain));
        if !a.cons.contains_key(oid) && !owner_new {
            out.push(change("constraint", Added, con_name(b, c), Some(c.def.clone()), false));
        }
    }
}

/// Enums, domains, range and composite types removed, renamed or added.
fn types(a: &Snapshot, b: &Snapshot, origin: &Origin, out: &mut Vec<Change>) {
    for (oid, t) in &a.types {
        let pre = origin.snapshot.types.contains_key(oid);
        let object = type_label(t.kind);
        match b.types.get(oid) {
            None => out.push(change(object, Removed, qualify(&t.schema, &t.name), None, pre)),
            Some(t2) if t2.name != t.name || t2.schema != t.schema => out.push(change(
                object,
                Renamed,
                qualify(&t.schema, &t.name),
                Some(format!("→ {}", qualify(&t2.schema, &t2.name))),
                pre,
            )),
            _ => {}
        }
    }
    for (oid, t) in &b.types {
        if !a.types.contains_key(oid) {
            out.push(change(
                type_label(t.kind),
                Added,
                qualify(&t.schema, &t.name),
                None,
                false,
            ));
        }
    }
}

/// Labels of enums present on both sides: removed, renamed or added.
fn enum_labels(a: &Snapshot, b: &Snapshot, origin: &Origin, out: &mut Vec<Change>) {
    for (oid, e) in &a.enums {
        if !b.types.contains_key(&e.ty) {
            continue;
        }
        let pre = origin.snapshot.enums.contains_key(oid);
        let name = format!("{}.{}", b.type_name(e.ty), e.label);
        match b.enums.get(oid) {
            None => out.push(change("enum_label", Removed, name, None, pre)),
            Some(e2) if e2.label != e.label => out.push(change(
                "enum_label",
                Renamed,
                name,
                Some(format!("→ {}", e2.label)),
                pre,
            )),
            _ => {}
        }
    }
    for (oid, e) in &b.enums {
        if a.types.contains_key(&e.ty) && !a.enums.contains_key(oid) {
            out.push(change(
                "enum_label",
                Added,
                format!("{}.{}", b.type_name(e.ty), e.label),
                None,
                false,
            ));
        }
    }
}

/// Functions and procedures removed, renamed (or re-signed), redefined or added.
fn functions(a: &Snapshot, b: &Snapshot, origin: &Origin, out: &mut Vec<Change>) {
    for (oid, p) in &a.funcs {
        let pre = origin.snapshot.funcs.contains_key(oid);
        let object = func_label(p.kind);
        match b.funcs.get(oid) {
            None => out.push(change(object, Removed, p.signature(), None, pre)),
            Some(p2) => {
                if p2.key != p.key || p2.schema != p.schema {
                    out.push(change(
                        object,
                        Renamed,
                        p.signature(),
                        Some(format!("→ {}", p2.signature())),
                        pre,
                    ));
                }
                if p2.body != p.body {
                    out.push(change(
                        object,
                        Changed,
                        p2.signature(),
                        Some("definition changed".into()),
                        false,
                    ));
                }
            }
        }
    }
    for (oid, p) in &b.funcs {
        if !a.funcs.contains_key(oid) {
            out.push(change(func_label(p.kind), Added, p.signature(), None, false));
        }
    }
}

/// Row-level security policies removed, changed or added.
fn policies(a: &Snapshot, b: &Snapshot, _: &Origin, out: &mut Vec<Change>) {
    for (oid, p) in &a.policies {
        match b.policies.get(oid) {
            None if b.rels.contains_key(&p.table) => out.push(change(
                "policy",
                Removed,
                format!("{}.{}", a.table_name(p.table), p.name),
                Some(p.def.clone()),
                false,
            )),
            None => {}
            Some(p2) if p2.key != p.key || p2.name != p.name => out.push(change(
                "policy",
                Changed,
                format!("{}.{}", b.table_name(p2.table), p2.name),
                Some(p2.def.clone()),
                false,
            )),
            _ => {}
        }
    }
    for (oid, p) in &b.policies {
        if !a.policies.contains_key(oid) {
            out.push(change(
                "policy",
                Added,
                format!("{}.{}", b.table_name(p.table), p.name),
                Some(p.def.clone()),
                false,
            ));
        }
    }
}

/// Triggers removed, changed (or enabled differently) or added.
fn triggers(a: &Snapshot, b: &Snapshot, _: &Origin, out: &mut Vec<Change>) {
    for (oid, t) in &a.triggers {
        match b.triggers.get(oid) {
            None if b.rels.contains_key(&t.table) => out.push(change(
                "trigger",
                Removed,
                format!("{}.{}", a.table_name(t.table), t.name),
                None,
                false,
            )),
            None => {}
            Some(t2) if t2.key != t.key || t2.enabled != t.enabled || t2.name != t.name => {
                let detail = if t2.enabled != t.enabled {
                    format!("enabled `{}` → `{}`", t.enabled, t2.enabled)
                } else {
                    t2.def.clone()
                };
                out.push(change(
                    "trigger",
                    Changed,
                    format!("{}.{}", b.table_name(t2.table), t2.name),
                    Some(detail),
                    false,
                ));
            }
            _ => {}
        }
    }
    for (oid, t) in &b.triggers {
        if !a.triggers.contains_key(oid) && a.rels.contains_key(&t.table) {
            out.push(change(
                "trigger",
                Added,
                format!("{}.{}", b.table_name(t.table), t.name),
                Some(t.def.clone()),
                false,
            ));
        }
    }
}

/// Extensions removed, upgraded or added.
fn extensions(a: &Snapshot, b: &Snapshot, origin: &Origin, out: &mut Vec<Change>) {
    for (oid, (name, version)) in &a.exts {
        let pre = origin.snapshot.exts.contains_key(oid);
        match b.exts.get(oid) {
            None => out.push(change("extension", Removed, name.clone(), None, pre)),
            Some((_, v2)) if v2 != version => out.push(change(
                "extension",
                Changed,
                name.clone(),
                Some(format!("version {version} → {v2}")),
                false,
            )),
            _ => {}
        }
    }
    for (oid, (name, version)) in &b.exts {
        if !a.exts.contains_key(oid) {
            out.push(change(
                "extension",
                Added,
                name.clone(),
                Some(format!("version {version}")),
                false,
            ));
        }
    }
}

pub fn type_label(kind: char) -> &'static str {
    match kind {
        'e' => "enum",
        'd' => "domain",
        'r' | 'm' => "range_type",
        _ => "type",
    }
}

pub fn func_label(kind: char) -> &'static str {
    match kind {
        'p' => "procedure",
        'a' => "aggregate",
        'w' => "window_function",
        _ => "function",
    }
}

/// Marks removed objects re-created under the same name by the same file:
/// a replacement, not a loss. Tables are never replacements: the new one is empty.
pub fn mark_replacements(changes: &mut [Change]) {
    let added: BTreeSet<(&'static str, String)> = changes
        .iter()
        .filter(|c| c.change == ChangeKind::Added)
        .map(|c| (c.object, c.name.clone()))
        .collect();
    for c in changes.iter_mut() {
        if c.change == ChangeKind::Removed
            && !matches!(c.object, "table" | "partitioned_table" | "column")
            && added.contains(&(c.object, c.name.clone()))
        {
            c.replaced = true;
            c.breaking = false;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rel(name: &str, kind: char) -> Rel {
        Rel {
            schema: "public".into(),
            name: name.into(),
            kind,
            filenode: 1,
            tuples: 0.0,
            pages: 0,
            persistence: 'p',
            viewdef: None,
            can_select: true,
        }
    }

    fn col(name: &str, ty: &str) -> Col {
        Col {
            name: name.into(),
            ty: ty.into(),
            ty_key: ty.into(),
            not_null: false,
            default: None,
            default_key: None,
            generated: false,
        }
    }

    #[test]
    fn renames_are_renames_and_drops_are_breaking() {
        let mut a = Snapshot::default();
        a.rels.insert(1, rel("members", 'r'));
        a.rels.insert(2, rel("legacy", 'r'));
        a.cols.insert((1, 1), col("email", "text"));
        a.cols.insert((1, 2), col("age", "integer"));
        let mut b = a.clone();
        b.rels.remove(&2);
        b.rels.get_mut(&1).unwrap().name = "people".into();
        let age = b.cols.get_mut(&(1, 2)).unwrap();
        age.ty = "bigint".into();
        age.ty_key = "bigint".into();
        b.cols.insert((1, 3), col("nick", "text"));
        let d = diff(&a, &b, &Origin { snapshot: &a });
        let show: Vec<String> = d
            .iter()
            .map(|c| format!("{:?} {} {} {:?} {}", c.change, c.object, c.name, c.detail, c.breaking))
            .collect();
        assert!(show.contains(&"Removed table legacy None true".to_string()), "{show:?}");
        assert!(
            show.contains(&"Renamed table members Some(\"→ people\") true".to_string()),
            "{show:?}"
        );
        assert!(
            show.contains(&"Changed column people.age Some(\"type integer → bigint\") true".to_string()),
            "{show:?}"
        );
        assert!(
            show.contains(&"Added column people.nick Some(\"text\") false".to_string()),
            "{show:?}"
        );
        // Columns of the dropped table are not listed one by one.
        assert_eq!(d.len(), 4, "{show:?}");
    }

    #[test]
    fn dropping_what_the_change_created_breaks_nobody() {
        let origin = Snapshot::default();
        let mut a = Snapshot::default();
        a.rels.insert(7, rel("scratch", 'r'));
        let b = Snapshot::default();
        let d = diff(&a, &b, &Origin { snapshot: &origin });
        assert_eq!(d.len(), 1);
        assert!(!d[0].breaking);
    }

    #[test]
    fn a_view_dropped_and_recreated_is_replaced() {
        let mut changes = vec![
            change("view", ChangeKind::Removed, "v".into(), None, true),
            change("view", ChangeKind::Added, "v".into(), None, false),
            change("table", ChangeKind::Removed, "t".into(), None, true),
            change("table", ChangeKind::Added, "t".into(), None, false),
        ];
        mark_replacements(&mut changes);
        assert!(changes[0].replaced && !changes[0].breaking);
        assert!(!changes[2].replaced && changes[2].breaking);
    }

    #[test]
    fn snapshots_parse_from_json() {
        let text = r#"{"txid": 9, "fp": {"pg_class": "10/0/0"}, "locks": [[16385, 17]], "stats": [[16385, 1, 0, 2]],
            "schemas": [[2200, "public"]], "rels": [[16385, "public", "t", "r", 16385, 10, 1, "p", null, true, null]],
            "cols": [[16385, 1, "id", "23:-1", "integer", true, null, null, false, false, null]], "cons": null, "idx": null,
            "types": null, "enums": null, "funcs": null, "policies": null, "triggers": null,
            "exts": [[1, "plpgsql", "1.0", null]]}"#;
        let s = parse_snapshot(text, None, &BTreeSet::new()).unwrap().unwrap();
        assert_eq!(s.txid, 9);
        assert!(s.locks.contains(&(16385, "ShareLock".to_string())));
        assert!(s.locks.contains(&(16385, "AccessShareLock".to_string())));
        assert_eq!(s.stats[&16385].deleted, 2);
        assert_eq!(s.rels[&16385].kind, 'r');
        assert_eq!(s.rels[&16385].tuples, 10.0);
        assert!(s.cols[&(16385, 1)].not_null);
        assert!(parse_snapshot("not json", None, &BTreeSet::new()).is_err());
        assert_eq!(s.fp["pg_class"], "10/0/0");

        // Against it: an unchanged section is kept, new rows are merged, a count that
        // does not add up asks for a full snapshot.
        let delta = r#"{"txid": 9, "fp": {"pg_class": "11/0/0"}, "schemas": "same", "cons": "same", "idx": "same",
            "types": "same", "enums": "same", "funcs": "same", "policies": "same", "triggers": "same", "exts": "same",
            "rels": {"fresh": [[16390, "public", "u", "r", 16390, 0, 0, "p", null, true, 7]]},
            "cols": {"fresh": null}}"#;
        let d = parse_snapshot(delta, Some(&s), &s.locks).unwrap().unwrap();
        assert_eq!(d.rels.len(), 2);
        assert_eq!(d.cols.len(), 1);
        assert_eq!(d.exts.len(), 1);
        assert_eq!(d.last_cid, 7);
        // Locks not in the reply are as in the baseline.
        assert_eq!(d.locks, s.locks);
    }
}
