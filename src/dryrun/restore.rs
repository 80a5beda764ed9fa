//! `--with-rollback`: the state before a migration against the state after
//! its rollback. Unlike [`super::catalog::diff`], which follows objects by
//! OID through one migration, this matches them by kind and name: a rollback
//! re-creates what its migration dropped, under new OIDs.

use std::collections::BTreeMap;

use super::catalog::{func_label, qualify, type_label, Snapshot};
use super::model::Difference;

/// Rows per table (qualified name): the count and whether it is exact.
pub type Rows = BTreeMap<String, (i64, bool)>;

/// Every object of `s` by (kind, name), with what defines it.
fn inventory(s: &Snapshot) -> BTreeMap<(&'static str, String), String> {
    let mut out = BTreeMap::new();
    for name in s.schemas.values() {
        out.insert(("schema", name.clone()), String::new());
    }
    for r in s.rels.values() {
        let persistence = match r.persistence {
            'u' => "unlogged",
            't' => "temporary",
            _ => "",
        };
        out.insert((r.kind_label(), r.qualified()), persistence.to_string());
        if let Some(v) = &r.viewdef {
            out.insert(("view definition", r.qualified()), v.clone());
        }
    }
    for ((table, _), c) in &s.cols {
        let Some(name) = s.rel_name(*table) else {
            continue;
        };
        let mut def = c.ty.clone();
        if c.not_null {
            def.push_str(" NOT NULL");
        }
        if let Some(d) = &c.default {
            def.push_str(&format!(" DEFAULT {d}"));
        }
        out.insert(("column", format!("{name}.{}", c.name)), def);
    }
    for c in s.cons.values() {
        let owner = if c.table != 0 {
            s.rel_name(c.table)
        } else {
            s.types.get(&c.domain).map(|t| qualify(&t.schema, &t.name))
        };
        if let Some(owner) = owner {
            out.insert(("constraint", format!("{owner}.{}", c.name)), c.def.clone());
        }
    }
    for (oid, i) in &s.idx {
        if let Some(name) = s.rel_name(*oid) {
            out.insert(("index", name), i.def.clone());
        }
    }
    for t in s.types.values() {
        out.insert((type_label(t.kind), qualify(&t.schema, &t.name)), String::new());
    }
    for e in s.enums.values() {
        if let Some(t) = s.types.get(&e.ty) {
            out.insert(
                ("enum_label", format!("{}.{}", qualify(&t.schema, &t.name), e.label)),
                String::new(),
            );
        }
    }
    for f in s.funcs.values() {
        out.insert((func_label(f.kind), f.signature()), f.body.clone());
    }
    for p in s.policies.values() {
        if let Some(t) = s.rel_name(p.table) {
            out.insert(("policy", format!("{t}.{}", p.name)), p.def.clone());
        }
    }
    for t in s.triggers.values() {
        if let Some(table) = s.rel_name(t.table) {
            out.insert(
                ("trigger", format!("{table}.{}", t.name)),
                format!("{} ({})", t.def, t.enabled),
            );
        }
    }
    for (name, version) in s.exts.values() {
        out.insert(("extension", name.clone()), format!("version {version}"));
    }
    out
}

/// Columns by `table.column`: (table OID, attribute number).
fn column_places(s: &Snapshot) -> BTreeMap<String, (u32, i64)> {
    s.cols
        .iter()
        .filter_map(|((t, n), c)| Some((format!("{}.{}", s.rel_name(*t)?, c.name), (*t, *n))))
        .collect()
}

/// What differs between the state before a migration and the state after
/// its rollback: objects, row counts, and columns re-created on a table
/// that kept its rows (their values are gone).
pub fn compare(before: &Snapshot, rows_before: &Rows, after: &Snapshot, rows_after: &Rows) -> Vec<Difference> {
    let (a, b) = (inventory(before), inventory(after));
    let mut out = Vec::new();
    for ((object, name), def) in &a {
        match b.get(&(*object, name.clone())) {
            None => out.push(Difference::Missing {
                object,
                name: name.clone(),
                definition: def.clone(),
            }),
            Some(d2) if d2 != def => out.push(Difference::Differs {
                object,
                name: name.clone(),
                before: def.clone(),
                after: d2.clone(),
            }),
            Some(_) => {}
        }
    }
    for ((object, name), def) in &b {
        if !a.contains_key(&(*object, name.clone())) {
            out.push(Difference::Left {
                object,
                name: name.clone(),
                definition: def.clone(),
            });
        }
    }
    for (table, (n, exact)) in rows_before {
        if let Some((m, exact2)) = rows_after.get(table) {
            if n != m {
                out.push(Difference::Rows {
                    table: table.clone(),
                    before: *n,
                    after: *m,
                    exact: *exact && *exact2,
                });
            }
        }
    }
    let places = column_places(after);
    for (column, (table, attnum)) in column_places(before) {
        let rows = before
            .rel_name(table)
            .and_then(|t| rows_before.get(&t))
            .map_or(0, |r| r.0);
        if let Some((t2, n2)) = places.get(&column) {
            // Same table, new attribute: dropped and added again.
            if *t2 == table && *n2 != attnum && rows > 0 {
                out.push(Difference::ValuesLost { column, rows });
            }
        }
    }
    out
}

/// Rows per table of `snap`, by name, from counts by OID.
pub fn rows_by_name<'a>(snap: &Snapshot, counts: impl Iterator<Item = (&'a u32, i64, bool)>) -> Rows {
    counts
        .filter(|(oid, _, _)| snap.rels.get(oid).is_some_and(|r| r.is_table()))
        .filter_map(|(oid, n, exact)| Some((snap.rel_name(*oid)?, (n, exact))))
        .collect()
}
