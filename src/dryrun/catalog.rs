//! A snapshot of the user-visible catalog, taken in one query that locks no
//! user relation, and the diff between two snapshots.
//!
//! Objects are keyed by OID, so a rename is a rename and not a drop plus a
//! create; objects that belong to extensions are left out (the extension
//! itself is listed).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde_json::Value;

use super::model::{Change, ChangeKind};

/// User relations start here; below are the system catalogs.
pub const FIRST_NORMAL_OID: u32 = 16384;

#[derive(Debug, Clone, PartialEq)]
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

#[derive(Debug, Clone, PartialEq)]
pub struct Col {
    pub name: String,
    pub ty: String,
    pub not_null: bool,
    pub default: Option<String>,
    /// `a` / `d` for identity columns, `s` for generated ones.
    pub generated: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Con {
    pub table: u32,
    pub domain: u32,
    pub name: String,
    pub def: String,
    pub validated: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Idx {
    pub table: u32,
    pub def: String,
    pub valid: bool,
}

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

#[derive(Debug, Clone, PartialEq)]
pub struct Func {
    pub schema: String,
    pub name: String,
    pub args: String,
    pub kind: char,
    pub result: Option<String>,
    pub body: String,
}

impl Func {
    pub fn signature(&self) -> String {
        format!("{}({})", qualify(&self.schema, &self.name), self.args)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    pub table: u32,
    pub name: String,
    pub def: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Trigger {
    pub table: u32,
    pub name: String,
    pub def: String,
    pub enabled: String,
}

/// Row statistics of the current transaction (`pg_stat_xact_user_tables`).
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
}

/// The snapshot query for a server of `version_num` (`server_version_num`).
/// Every function is schema-qualified: a migration may change `search_path`.
pub fn snapshot_sql(version_num: i64) -> String {
    let body = if version_num >= 140000 {
        "pg_catalog.md5(coalesce(p.prosrc, '') || coalesce(p.probin, '') || coalesce(p.prosqlbody::text, ''))"
    } else {
        "pg_catalog.md5(coalesce(p.prosrc, '') || coalesce(p.probin, ''))"
    };
    format!(
        r#"WITH ns AS (
  SELECT n.oid, n.nspname FROM pg_catalog.pg_namespace n
  WHERE n.nspname <> 'information_schema' AND n.nspname !~ '^pg_'
), ext AS (
  SELECT d.classid, d.objid FROM pg_catalog.pg_depend d WHERE d.deptype = 'e'
)
SELECT pg_catalog.json_build_object(
 'txid', pg_catalog.txid_current(),
 'locks', (SELECT pg_catalog.json_agg(pg_catalog.json_build_array(l.relation::int8, l.mode))
    FROM pg_catalog.pg_locks l
    WHERE l.pid = pg_catalog.pg_backend_pid() AND l.locktype = 'relation' AND l.granted
      AND l.relation >= {FIRST_NORMAL_OID}),
 'stats', (SELECT pg_catalog.json_agg(pg_catalog.json_build_array(s.relid::int8, s.n_tup_ins, s.n_tup_upd, s.n_tup_del))
    FROM pg_catalog.pg_stat_xact_user_tables s
    WHERE s.n_tup_ins + s.n_tup_upd + s.n_tup_del > 0),
 'schemas', (SELECT pg_catalog.json_agg(pg_catalog.json_build_array(ns.oid::int8, ns.nspname)) FROM ns
    WHERE NOT EXISTS (SELECT 1 FROM ext WHERE ext.classid = 'pg_catalog.pg_namespace'::pg_catalog.regclass AND ext.objid = ns.oid)),
 'rels', (SELECT pg_catalog.json_agg(pg_catalog.json_build_array(c.oid::int8, ns.nspname, c.relname, c.relkind,
      c.relfilenode::int8, c.reltuples, c.relpages, c.relpersistence,
      CASE WHEN c.relkind IN ('v', 'm') THEN (SELECT pg_catalog.md5(r.ev_action::text) FROM pg_catalog.pg_rewrite r
        WHERE r.ev_class = c.oid AND r.rulename = '_RETURN') END,
      CASE WHEN c.relkind = 'r' THEN pg_catalog.has_table_privilege(c.oid, 'SELECT') ELSE false END))
    FROM pg_catalog.pg_class c JOIN ns ON ns.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f', 'i', 'I')
      AND NOT EXISTS (SELECT 1 FROM ext WHERE ext.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND ext.objid = c.oid)),
 'cols', (SELECT pg_catalog.json_agg(pg_catalog.json_build_array(a.attrelid::int8, a.attnum, a.attname,
      pg_catalog.format_type(a.atttypid, a.atttypmod), a.attnotnull, pg_catalog.pg_get_expr(d.adbin, d.adrelid),
      a.attidentity <> '' OR a.attgenerated <> ''))
    FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_class c ON c.oid = a.attrelid JOIN ns ON ns.oid = c.relnamespace
    LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
    WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p', 'v', 'm', 'f')),
 'cons', (SELECT pg_catalog.json_agg(pg_catalog.json_build_array(co.oid::int8, co.conrelid::int8, co.contypid::int8,
      co.conname, pg_catalog.pg_get_constraintdef(co.oid), co.convalidated))
    FROM pg_catalog.pg_constraint co JOIN ns ON ns.oid = co.connamespace),
 'idx', (SELECT pg_catalog.json_agg(pg_catalog.json_build_array(i.indexrelid::int8, i.indrelid::int8,
      pg_catalog.pg_get_indexdef(i.indexrelid), i.indisvalid))
    FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class c ON c.oid = i.indexrelid JOIN ns ON ns.oid = c.relnamespace),
 'types', (SELECT pg_catalog.json_agg(pg_catalog.json_build_array(t.oid::int8, ns.nspname, t.typname, t.typtype))
    FROM pg_catalog.pg_type t JOIN ns ON ns.oid = t.typnamespace
    WHERE (t.typtype IN ('e', 'd', 'r', 'm')
       OR (t.typtype = 'c' AND (SELECT c.relkind FROM pg_catalog.pg_class c WHERE c.oid = t.typrelid) = 'c'))
      AND NOT EXISTS (SELECT 1 FROM ext WHERE ext.classid = 'pg_catalog.pg_type'::pg_catalog.regclass AND ext.objid = t.oid)),
 'enums', (SELECT pg_catalog.json_agg(pg_catalog.json_build_array(e.oid::int8, e.enumtypid::int8, e.enumlabel))
    FROM pg_catalog.pg_enum e JOIN pg_catalog.pg_type t ON t.oid = e.enumtypid JOIN ns ON ns.oid = t.typnamespace),
 'funcs', (SELECT pg_catalog.json_agg(pg_catalog.json_build_array(p.oid::int8, ns.nspname, p.proname,
      pg_catalog.pg_get_function_identity_arguments(p.oid), p.prokind, pg_catalog.pg_get_function_result(p.oid), {body}))
    FROM pg_catalog.pg_proc p JOIN ns ON ns.oid = p.pronamespace
    WHERE NOT EXISTS (SELECT 1 FROM ext WHERE ext.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass AND ext.objid = p.oid)),
 'policies', (SELECT pg_catalog.json_agg(pg_catalog.json_build_array(po.oid::int8, po.polrelid::int8, po.polname,
      pg_catalog.concat_ws(' ',
        CASE WHEN po.polpermissive THEN 'AS PERMISSIVE' ELSE 'AS RESTRICTIVE' END,
        'FOR ' || CASE po.polcmd WHEN 'r' THEN 'SELECT' WHEN 'a' THEN 'INSERT' WHEN 'w' THEN 'UPDATE'
          WHEN 'd' THEN 'DELETE' ELSE 'ALL' END,
        'TO ' || (SELECT pg_catalog.string_agg(CASE WHEN r = 0 THEN 'public' ELSE pg_catalog.pg_get_userbyid(r)::text END, ', ')
          FROM pg_catalog.unnest(po.polroles) r),
        'USING ' || pg_catalog.pg_get_expr(po.polqual, po.polrelid),
        'WITH CHECK ' || pg_catalog.pg_get_expr(po.polwithcheck, po.polrelid))))
    FROM pg_catalog.pg_policy po JOIN pg_catalog.pg_class c ON c.oid = po.polrelid JOIN ns ON ns.oid = c.relnamespace),
 'triggers', (SELECT pg_catalog.json_agg(pg_catalog.json_build_array(tg.oid::int8, tg.tgrelid::int8, tg.tgname,
      pg_catalog.pg_get_triggerdef(tg.oid), tg.tgenabled::text))
    FROM pg_catalog.pg_trigger tg JOIN pg_catalog.pg_class c ON c.oid = tg.tgrelid JOIN ns ON ns.oid = c.relnamespace
    WHERE NOT tg.tgisinternal),
 'exts', (SELECT pg_catalog.json_agg(pg_catalog.json_build_array(x.oid::int8, x.extname, x.extversion))
    FROM pg_catalog.pg_extension x)
)::text"#
    )
}

fn rows<'a>(v: &'a Value, key: &str) -> impl Iterator<Item = &'a [Value]> {
    v.get(key)
        .and_then(Value::as_array)
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

/// Reads the snapshot query's JSON text.
pub fn parse_snapshot(text: &str) -> Result<Snapshot, String> {
    let v: Value = serde_json::from_str(text).map_err(|e| format!("unreadable catalog snapshot: {e}"))?;
    let mut out = Snapshot {
        txid: v.get("txid").and_then(Value::as_i64).unwrap_or(0),
        ..Snapshot::default()
    };
    for r in rows(&v, "locks") {
        out.locks.insert((oid(r, 0), s(r, 1)));
    }
    for r in rows(&v, "stats") {
        out.stats.insert(
            oid(r, 0),
            XactStats {
                inserted: n(r, 1),
                updated: n(r, 2),
                deleted: n(r, 3),
            },
        );
    }
    for r in rows(&v, "schemas") {
        out.schemas.insert(oid(r, 0), s(r, 1));
    }
    for r in rows(&v, "rels") {
        out.rels.insert(
            oid(r, 0),
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
            },
        );
    }
    for r in rows(&v, "cols") {
        out.cols.insert(
            (oid(r, 0), n(r, 1)),
            Col {
                name: s(r, 2),
                ty: s(r, 3),
                not_null: b(r, 4),
                default: opt_s(r, 5),
                generated: b(r, 6),
            },
        );
    }
    for r in rows(&v, "cons") {
        out.cons.insert(
            oid(r, 0),
            Con {
                table: oid(r, 1),
                domain: oid(r, 2),
                name: s(r, 3),
                def: s(r, 4),
                validated: b(r, 5),
            },
        );
    }
    for r in rows(&v, "idx") {
        out.idx.insert(
            oid(r, 0),
            Idx {
                table: oid(r, 1),
                def: s(r, 2),
                valid: b(r, 3),
            },
        );
    }
    for r in rows(&v, "types") {
        out.types.insert(
            oid(r, 0),
            Ty {
                schema: s(r, 1),
                name: s(r, 2),
                kind: ch(r, 3),
            },
        );
    }
    for r in rows(&v, "enums") {
        out.enums.insert(
            oid(r, 0),
            EnumLabel {
                ty: oid(r, 1),
                label: s(r, 2),
            },
        );
    }
    for r in rows(&v, "funcs") {
        out.funcs.insert(
            oid(r, 0),
            Func {
                schema: s(r, 1),
                name: s(r, 2),
                args: s(r, 3),
                kind: ch(r, 4),
                result: opt_s(r, 5),
                body: s(r, 6),
            },
        );
    }
    for r in rows(&v, "policies") {
        out.policies.insert(
            oid(r, 0),
            Policy {
                table: oid(r, 1),
                name: s(r, 2),
                def: s(r, 3),
            },
        );
    }
    for r in rows(&v, "triggers") {
        out.triggers.insert(
            oid(r, 0),
            Trigger {
                table: oid(r, 1),
                name: s(r, 2),
                def: s(r, 3),
                enabled: s(r, 4),
            },
        );
    }
    for r in rows(&v, "exts") {
        out.exts.insert(oid(r, 0), (s(r, 1), s(r, 2)));
    }
    Ok(out)
}

impl Snapshot {
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
    use ChangeKind::*;
    let mut out = Vec::new();

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
    for (oid, i) in &a.idx {
        if let Some(i2) = b.idx.get(oid) {
            let name = b.table_name(*oid);
            if i2.def != i.def {
                out.push(change("index", Changed, name.clone(), Some(i2.def.clone()), false));
            }
            if i2.valid != i.valid {
                let what = if i2.valid { "valid" } else { "invalid" };
                out.push(change("index", Changed, name, Some(format!("now {what}")), false));
            }
        }
    }

    // Columns of relations present on both sides; added and dropped relations carry theirs.
    for (key, c) in &a.cols {
        if !b.rels.contains_key(&key.0) {
            continue;
        }
        let table = b.table_name(key.0);
        let pre = origin.snapshot.cols.contains_key(key);
        let name = format!("{table}.{}", c.name);
        match b.cols.get(key) {
            None => out.push(change("column", Removed, name, Some(c.ty.clone()), pre)),
            Some(c2) => {
                if c2.name != c.name {
                    out.push(change(
                        "column",
                        Renamed,
                        name.clone(),
                        Some(format!("→ {}", c2.name)),
                        pre,
                    ));
                }
                let name2 = format!("{table}.{}", c2.name);
                if c2.ty != c.ty {
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
                if c2.default != c.default {
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

    let con_name = |s: &Snapshot, c: &Con| {
        if c.table != 0 {
            format!("{}.{}", s.table_name(c.table), c.name)
        } else {
            format!("{}.{}", s.type_name(c.domain), c.name)
        }
    };
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
                if c2.def != c.def {
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

    for (oid, p) in &a.funcs {
        let pre = origin.snapshot.funcs.contains_key(oid);
        let object = func_label(p.kind);
        match b.funcs.get(oid) {
            None => out.push(change(object, Removed, p.signature(), None, pre)),
            Some(p2) => {
                if p2.signature() != p.signature() {
                    out.push(change(
                        object,
                        Renamed,
                        p.signature(),
                        Some(format!("→ {}", p2.signature())),
                        pre,
                    ));
                }
                if p2.body != p.body || p2.result != p.result {
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
            Some(p2) if p2.def != p.def || p2.name != p.name => out.push(change(
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
            Some(t2) if t2.def != t.def || t2.enabled != t.enabled || t2.name != t.name => {
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
    out
}

fn type_label(kind: char) -> &'static str {
    match kind {
        'e' => "enum",
        'd' => "domain",
        'r' | 'm' => "range_type",
        _ => "type",
    }
}

fn func_label(kind: char) -> &'static str {
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
            not_null: false,
            default: None,
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
        b.cols.get_mut(&(1, 2)).unwrap().ty = "bigint".into();
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
        let text = r#"{"txid": 9, "locks": [[16385, "ShareLock"]], "stats": [[16385, 1, 0, 2]],
            "schemas": [[2200, "public"]], "rels": [[16385, "public", "t", "r", 16385, 10, 1, "p", null, true]],
            "cols": [[16385, 1, "id", "integer", true, null, false]], "cons": null, "idx": null, "types": null,
            "enums": null, "funcs": null, "policies": null, "triggers": null, "exts": [[1, "plpgsql", "1.0"]]}"#;
        let s = parse_snapshot(text).unwrap();
        assert_eq!(s.txid, 9);
        assert!(s.locks.contains(&(16385, "ShareLock".to_string())));
        assert_eq!(s.stats[&16385].deleted, 2);
        assert_eq!(s.rels[&16385].kind, 'r');
        assert_eq!(s.rels[&16385].tuples, 10.0);
        assert!(s.cols[&(16385, 1)].not_null);
        assert!(parse_snapshot("not json").is_err());
    }
}
