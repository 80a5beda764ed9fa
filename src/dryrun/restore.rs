//! `--with-rollback`: the state before a migration against the state after
//! its rollback. Unlike [`super::catalog::diff`], which follows objects by
//! OID through one migration, this matches them by kind and name: a rollback
//! re-creates what its migration dropped, under new OIDs.

use std::collections::{BTreeMap, BTreeSet};

use super::catalog::{func_label, qualify, type_label, Snapshot};
use super::model::Difference;

/// Rows per table (qualified name): the count and whether it is exact.
pub type Rows = BTreeMap<String, (i64, bool)>;

/// An object's definition, and the relation or type it belongs to.
type Entry = (String, Option<String>);

/// Every object of `s` by (kind, name), with what defines it.
fn inventory(s: &Snapshot) -> BTreeMap<(&'static str, String), Entry> {
    let mut out: BTreeMap<(&'static str, String), Entry> = BTreeMap::new();
    let mut add = |object: &'static str, name: String, def: String, owner: Option<String>| {
        out.insert((object, name), (def, owner));
    };
    for name in s.schemas.values() {
        add("schema", name.clone(), String::new(), None);
    }
    for r in s.rels.values() {
        let persistence = match r.persistence {
            'u' => "unlogged",
            't' => "temporary",
            _ => "",
        };
        add(r.kind_label(), r.qualified(), persistence.to_string(), None);
        if let Some(v) = &r.viewdef {
            add("view definition", r.qualified(), v.clone(), Some(r.qualified()));
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
        add("column", format!("{name}.{}", c.name), def, Some(name));
    }
    for c in s.cons.values() {
        let owner = if c.table != 0 {
            s.rel_name(c.table)
        } else {
            s.types.get(&c.domain).map(|t| qualify(&t.schema, &t.name))
        };
        if let Some(owner) = owner {
            add("constraint", format!("{owner}.{}", c.name), c.def.clone(), Some(owner));
        }
    }
    for (oid, i) in &s.idx {
        if let Some(name) = s.rel_name(*oid) {
            add("index", name, i.def.clone(), s.rel_name(i.table));
        }
    }
    for t in s.types.values() {
        add(type_label(t.kind), qualify(&t.schema, &t.name), String::new(), None);
    }
    for e in s.enums.values() {
        if let Some(t) = s.types.get(&e.ty) {
            let ty = qualify(&t.schema, &t.name);
            add("enum_label", format!("{ty}.{}", e.label), String::new(), Some(ty));
        }
    }
    for f in s.funcs.values() {
        add(func_label(f.kind), f.signature(), f.body.clone(), None);
    }
    for p in s.policies.values() {
        if let Some(t) = s.rel_name(p.table) {
            add("policy", format!("{t}.{}", p.name), p.def.clone(), Some(t));
        }
    }
    for t in s.triggers.values() {
        if let Some(table) = s.rel_name(t.table) {
            add(
                "trigger",
                format!("{table}.{}", t.name),
                format!("{} ({})", t.def, t.enabled),
                Some(table),
            );
        }
    }
    for (name, version) in s.exts.values() {
        add("extension", name.clone(), format!("version {version}"), None);
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
    // What belongs to a missing or left-over object goes with it, unsaid.
    let gone: BTreeSet<&String> = a.keys().filter(|k| !b.contains_key(*k)).map(|k| &k.1).collect();
    let left: BTreeSet<&String> = b.keys().filter(|k| !a.contains_key(*k)).map(|k| &k.1).collect();
    let mut out = Vec::new();
    for ((object, name), (def, owner)) in &a {
        match b.get(&(*object, name.clone())) {
            None if owner.as_ref().is_some_and(|o| gone.contains(o)) => {}
            None => out.push(Difference::Missing {
                object,
                name: name.clone(),
                definition: def.clone(),
            }),
            Some((d2, _)) if d2 != def => out.push(Difference::Differs {
                object,
                name: name.clone(),
                before: def.clone(),
                after: d2.clone(),
            }),
            Some(_) => {}
        }
    }
    for ((object, name), (def, owner)) in &b {
        if !a.contains_key(&(*object, name.clone())) && !owner.as_ref().is_some_and(|o| left.contains(o)) {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dryrun::catalog::{Col, Rel};

    fn table(s: &mut Snapshot, oid: u32, name: &str, cols: &[(i64, &str, &str)]) {
        s.rels.insert(
            oid,
            Rel {
                schema: "public".into(),
                name: name.into(),
                kind: 'r',
                filenode: oid.into(),
                tuples: 0.0,
                pages: 0,
                persistence: 'p',
                viewdef: None,
                can_select: true,
            },
        );
        for (attnum, col, ty) in cols {
            s.cols.insert(
                (oid, *attnum),
                Col {
                    name: (*col).into(),
                    ty: (*ty).into(),
                    ty_key: (*ty).into(),
                    not_null: false,
                    default: None,
                    default_key: None,
                    generated: false,
                },
            );
        }
    }

    fn rows(list: &[(&str, i64)]) -> Rows {
        list.iter().map(|(t, n)| (t.to_string(), (*n, true))).collect()
    }

    #[test]
    fn objects_match_by_name_not_oid() {
        let mut before = Snapshot::default();
        table(
            &mut before,
            1,
            "members",
            &[(1, "id", "integer"), (2, "old_field", "text")],
        );
        table(&mut before, 2, "sessions", &[(1, "id", "integer")]);
        let mut after = Snapshot::default();
        // `members.old_field` back with another type; `sessions` re-created empty; `notes` left over.
        table(
            &mut after,
            1,
            "members",
            &[(1, "id", "integer"), (2, "old_field", "character varying(50)")],
        );
        table(&mut after, 9, "sessions", &[(1, "id", "integer")]);
        table(&mut after, 10, "notes", &[(1, "id", "integer")]);
        let got = compare(
            &before,
            &rows(&[("members", 50), ("sessions", 500)]),
            &after,
            &rows(&[("members", 50), ("sessions", 0), ("notes", 0)]),
        );
        assert_eq!(
            got,
            [
                Difference::Differs {
                    object: "column",
                    name: "members.old_field".into(),
                    before: "text".into(),
                    after: "character varying(50)".into(),
                },
                // Its column goes with the table, unsaid.
                Difference::Left {
                    object: "table",
                    name: "notes".into(),
                    definition: String::new(),
                },
                Difference::Rows {
                    table: "sessions".into(),
                    before: 500,
                    after: 0,
                    exact: true,
                },
            ]
        );
    }

    #[test]
    fn a_column_added_again_on_a_table_with_rows_lost_its_values() {
        let mut before = Snapshot::default();
        table(
            &mut before,
            1,
            "members",
            &[(1, "id", "integer"), (2, "age", "integer")],
        );
        let mut after = Snapshot::default();
        table(&mut after, 1, "members", &[(1, "id", "integer"), (3, "age", "integer")]);
        let got = compare(&before, &rows(&[("members", 50)]), &after, &rows(&[("members", 50)]));
        assert_eq!(
            got,
            [Difference::ValuesLost {
                column: "members.age".into(),
                rows: 50
            }]
        );
        // On an empty table nothing was lost.
        assert!(compare(&before, &rows(&[("members", 0)]), &after, &rows(&[("members", 0)])).is_empty());
    }
}
