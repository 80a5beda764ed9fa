//! Diesel's `table!` macro (in `schema.rs`, or any Rust file that invokes
//! it): `table! { app.members (id) { id -> Int4, #[sql_name = "type"] kind -> Text } }`.
//! The table is the name after the optional schema, or its `#[sql_name]`;
//! each column is the name before `->`, or its `#[sql_name]`.

use super::scan::{Kind, Lang, Toks};
use super::{Def, DefKind};

/// Whether the file is Rust that invokes `table!`.
pub fn applies(path: &str, text: &str) -> bool {
    path.ends_with(".rs") && text.contains("table!")
}

/// What the file defines; `applies` has said it is one of ours.
pub fn defs(_path: &str, text: &str) -> Vec<Def> {
    let t = Toks::new(text, Lang::Rust);
    let mut out = Vec::new();
    let mut i = 0;
    while i < t.len() {
        if t.ident(i, "table") && t.punct(i + 1, b'!') && (t.punct(i + 2, b'{') || t.punct(i + 2, b'(')) {
            body(&t, i + 2, &mut out);
            i = t.close(i + 2) + 1;
        } else {
            i += 1;
        }
    }
    out
}

/// The name of a Rust identifier token: `r#type` is `type`.
fn name<'a>(t: &Toks<'a>, i: usize) -> &'a str {
    let s = t.text(i);
    s.strip_prefix("r#").unwrap_or(s)
}

/// Attributes from `i` (`#[…]`): the `sql_name` among them and the index after them.
fn attributes<'a>(t: &Toks<'a>, mut i: usize) -> (Option<&'a str>, usize) {
    let mut sql_name = None;
    while t.punct(i, b'#') && t.punct(i + 1, b'[') {
        let close = t.close(i + 1);
        if t.ident(i + 2, "sql_name") && t.punct(i + 3, b'=') {
            sql_name = t.string(i + 4).or(sql_name);
        }
        i = close + 1;
    }
    (sql_name, i)
}

/// The body of one `table!` invocation, whose bracket is at `open`: one or
/// more tables, with `use` lines before them.
fn body(t: &Toks<'_>, open: usize, out: &mut Vec<Def>) {
    let end = t.close(open).min(t.len());
    let mut i = open + 1;
    while i < end {
        if t.ident(i, "use") {
            while i < end && !t.punct(i, b';') {
                i += 1;
            }
            i += 1;
            continue;
        }
        let (sql_name, next) = attributes(t, i);
        i = next;
        // `schema.table` or `table`, then `(primary key)`, then `{ columns }`.
        let mut at = i;
        if t.is(i, Kind::Ident) && t.punct(i + 1, b'.') && t.is(i + 2, Kind::Ident) {
            at = i + 2;
        }
        if !t.is(at, Kind::Ident) {
            i += 1;
            continue;
        }
        let mut j = at + 1;
        if t.punct(j, b'(') {
            j = t.close(j) + 1;
        }
        if !t.punct(j, b'{') {
            i = j.max(i + 1);
            continue;
        }
        let table = sql_name.unwrap_or(name(t, at));
        out.push(Def::new(DefKind::Relation, "", table, t.start(at)));
        columns(t, j, table, out);
        i = t.close(j) + 1;
    }
}

/// `name -> Type,` entries in the braces at `open`.
fn columns(t: &Toks<'_>, open: usize, table: &str, out: &mut Vec<Def>) {
    let end = t.close(open).min(t.len());
    let mut i = open + 1;
    while i < end {
        let (sql_name, next) = attributes(t, i);
        i = next;
        if t.is(i, Kind::Ident) && t.punct(i + 1, b'-') && t.punct(i + 2, b'>') {
            let column = sql_name.unwrap_or(name(t, i));
            out.push(Def::new(DefKind::Column, table, column, t.start(i)));
            i += 3;
        }
        // The type, up to the comma outside `<…>`.
        let mut angle = 0usize;
        while i < end {
            if t.punct(i, b'<') {
                angle += 1;
            } else if t.punct(i, b'>') {
                angle = angle.saturating_sub(1);
            } else if t.punct(i, b',') && angle == 0 {
                break;
            }
            let c = t.close(i);
            i = if c > i { c + 1 } else { i + 1 };
        }
        i += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::orm::describe;

    fn names(text: &str) -> Vec<String> {
        describe(&defs("src/schema.rs", text))
    }

    #[test]
    fn tables_columns_and_sql_names() {
        let text = r#"
// @generated automatically by Diesel CLI.
pub mod app {
    pub mod sql_types {
        #[derive(diesel::sql_types::SqlType)]
        #[diesel(postgres_type(name = "status", schema = "app"))]
        pub struct Status;
    }

    diesel::table! {
        use diesel::sql_types::*;
        use super::sql_types::Status;

        /// The members.
        app.members (id) {
            id -> Int4,
            // old_field -> Text,
            #[max_length = 200]
            old_field -> Nullable<Varchar>,
            #[sql_name = "type"]
            kind -> Array<Nullable<Text>>,
            r#ref -> Status,
        }
    }
}
table! {
    #[sql_name = "orders"]
    order_rows (id, member_id) { id -> Int8, old_field -> Text }
}
"#;
        assert_eq!(
            names(text),
            [
                "Relation .members",
                "Column members.id",
                "Column members.old_field",
                "Column members.type",
                "Column members.ref",
                "Relation .orders",
                "Column orders.id",
                "Column orders.old_field",
            ]
        );
    }

    #[test]
    fn a_file_without_the_macro_is_not_diesel() {
        assert!(!applies("src/schema.rs", "fn table() {}"));
        assert!(!applies("schema.py", "table! { a (id) { id -> Int4 } }"));
        assert!(defs("src/schema.rs", "fn table() {} // table!").is_empty());
    }
}
