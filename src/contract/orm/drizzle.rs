//! Drizzle schemas in TypeScript or JavaScript:
//! `pgTable("members", { oldField: text("old_field"), plain: integer() })`,
//! with `mysqlTable`, `sqliteTable`, `pgSchema("app").table(…)`, the
//! callback form `pgTable("t", (t) => ({ … }))`, views, and
//! `pgEnum("status", ["a", "b"])`. A column is the builder's name argument;
//! without one, it is the key, or the key in `snake_case` or `camelCase`
//! when the client sets `casing` (set outside the schema file, so any of
//! the three counts: the dropped column exists, so it is the one meant).

use std::collections::HashMap;

use super::scan::{Kind, Lang, Toks};
use super::{snake_case, Def, DefKind};

const EXTENSIONS: &[&str] = &[".ts", ".tsx", ".mts", ".cts", ".js", ".jsx", ".mjs", ".cjs"];
const TABLES: &[&str] = &["pgTable", "mysqlTable", "sqliteTable", "singlestoreTable", "gelTable"];
const VIEWS: &[&str] = &["pgView", "pgMaterializedView", "mysqlView", "sqliteView"];
/// Methods of `pgSchema("x")` (and the MySQL schema object).
const SCHEMA_METHODS: &[&str] = &["table", "view", "materializedView", "enum"];

/// Whether the file is TypeScript or JavaScript that imports from `drizzle-orm`.
pub fn applies(path: &str, text: &str) -> bool {
    EXTENSIONS.iter().any(|e| path.ends_with(e)) && text.contains("drizzle-orm")
}

/// What the file defines; `applies` has said it is one of ours.
pub fn defs(_path: &str, text: &str) -> Vec<Def> {
    let t = Toks::new(text, Lang::Js);
    // `import { pgTable as table }`: the alias stands for the function.
    let aliases: HashMap<&str, &str> = (0..t.len())
        .filter(|&i| t.ident(i + 1, "as") && t.is(i + 2, Kind::Ident))
        .map(|i| (t.text(i + 2), t.text(i)))
        .filter(|(_, f)| TABLES.contains(f) || VIEWS.contains(f) || *f == "pgEnum")
        .collect();
    let mut out = Vec::new();
    for i in 0..t.len() {
        if !t.is(i, Kind::Ident) || !t.punct(i + 1, b'(') {
            continue;
        }
        let word = aliases.get(t.text(i)).copied().unwrap_or(t.text(i));
        let method = i > 0 && t.punct(i - 1, b'.');
        let kind = if TABLES.contains(&word) || (method && word == "table") {
            Made::Table
        } else if VIEWS.contains(&word) || (method && SCHEMA_METHODS.contains(&word) && word != "enum") {
            Made::View
        } else if word == "pgEnum" || (method && word == "enum") {
            Made::Enum
        } else {
            continue;
        };
        call(&t, i + 1, kind, &mut out);
    }
    out
}

/// What a call defines.
#[derive(Clone, Copy)]
enum Made {
    Table,
    /// A view: its name only (its columns come from a query).
    View,
    Enum,
}

/// A call whose `(` is at `open` and whose first argument names the table,
/// view or enum.
fn call(t: &Toks<'_>, open: usize, kind: Made, out: &mut Vec<Def>) {
    let args = t.items(open);
    let Some(&(first, first_end)) = args.first() else {
        return;
    };
    // A template string with `${…}` names nothing fixed.
    let Some(name) = t.string(first).filter(|s| first_end == first + 1 && !s.contains("${")) else {
        return;
    };
    let at = t.start(first);
    match kind {
        Made::View => out.push(Def::new(DefKind::Relation, "", name, at)),
        Made::Enum => {
            out.push(Def::new(DefKind::Type, "", name, at));
            if let Some(&(values, _)) = args.get(1).filter(|&&(a, _)| t.punct(a, b'[')) {
                for (k, _) in t.items(values) {
                    if let Some(value) = t.string(k) {
                        out.push(Def::new(DefKind::EnumValue, name, value, t.start(k)));
                    }
                }
            }
        }
        Made::Table => {
            out.push(Def::new(DefKind::Relation, "", name, at));
            if let Some(&(second, end)) = args.get(1) {
                if let Some(object) = object_of(t, second, end) {
                    columns(t, object, name, out);
                }
            }
        }
    }
}

/// The object literal of the columns argument: `{ … }` itself, or the one a
/// callback returns, `(t) => ({ … })` or `(t) => { return { … } }`.
fn object_of(t: &Toks<'_>, start: usize, end: usize) -> Option<usize> {
    if t.punct(start, b'{') {
        return Some(start);
    }
    let arrow = (start..end).find(|&k| t.punct(k, b'=') && t.punct(k + 1, b'>'))?;
    let mut k = arrow + 2;
    if t.punct(k, b'(') {
        k += 1;
    } else if t.punct(k, b'{') && t.ident(k + 1, "return") {
        k += 2;
    }
    t.punct(k, b'{').then_some(k)
}

/// `key: builder("name", …).chain(…)` entries of the object at `open`.
fn columns(t: &Toks<'_>, open: usize, table: &str, out: &mut Vec<Def>) {
    for (k, end) in t.items(open) {
        let key = match t.t[k].kind {
            Kind::Ident | Kind::Str if t.punct(k + 1, b':') => t.text(k),
            _ => continue,
        };
        // The first call of the value: `text(`, `t.text(`, `p.varchar(`.
        let Some(call) = (k + 2..end).find(|&j| t.punct(j, b'(')) else {
            continue;
        };
        let explicit = t
            .items(call)
            .first()
            .and_then(|&(a, b)| t.string(a).filter(|_| b == a + 1));
        let at = t.start(k);
        match explicit {
            Some(name) => out.push(Def::new(DefKind::Column, table, name, at)),
            None => {
                let snake = snake_case(key);
                let camel = camel_case(key);
                for name in [key, snake.as_str(), camel.as_str()] {
                    out.push(Def::new(DefKind::Column, table, name, at));
                }
            }
        }
    }
}

/// `camelCase` of a `snake_case` key, as Drizzle's `casing: "camelCase"` does.
fn camel_case(key: &str) -> String {
    let mut out = String::with_capacity(key.len());
    let mut upper = false;
    for (i, c) in key.chars().enumerate() {
        if c == '_' && i > 0 {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::orm::describe;

    fn names(text: &str) -> Vec<String> {
        describe(&defs("src/db/schema.ts", text))
    }

    #[test]
    fn tables_columns_enums_and_views() {
        let text = r#"
import { pgTable, pgSchema, pgEnum, integer, text } from "drizzle-orm/pg-core";

export const status = pgEnum("member_status", ["active", 'gone']);
export const members = pgTable("members", {
  id: integer().primaryKey(),
  oldField: text("old_field").notNull(),
  // legacy: text("legacy"),
  fullName: text(),
  "quoted-key": text("qk"),
  ...timestamps,
}, (table) => [index("members_idx").on(table.id)]);
const app = pgSchema("app");
export const orders = app.table("orders", (t) => ({ total_cents: t.integer() }));
export const active = pgView("active_members").as((qb) => qb.select().from(members));
import { sqliteTable as table } from "drizzle-orm/sqlite-core";
export const tags = table("tags", { label: t.text() });
"#;
        assert_eq!(
            names(text),
            [
                "Type .member_status",
                "EnumValue member_status.active",
                "EnumValue member_status.gone",
                "Relation .members",
                "Column members.id",
                "Column members.old_field",
                "Column members.fullName",
                "Column members.full_name",
                "Column members.fullName",
                "Column members.qk",
                "Relation .orders",
                "Column orders.total_cents",
                "Column orders.totalCents",
                "Relation .active_members",
                "Relation .tags",
                "Column tags.label",
            ]
        );
    }

    #[test]
    fn without_drizzle_it_is_not_a_schema() {
        assert!(!applies("src/a.ts", "knex.table('members', {a: text('b')})"));
    }
}
