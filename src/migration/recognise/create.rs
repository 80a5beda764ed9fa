//! `CREATE ...`: tables with their columns and constraints, indexes and
//! every other object kind.

use super::*;

pub(super) fn create(c: &mut Cur) -> Option<Vec<Action>> {
    let or_replace = c.eat(&["or", "replace"]);
    // Modifiers before the object kind.
    let mut unique = false;
    let mut unlogged = false;
    loop {
        match c.peek_word() {
            "unique" => unique = true,
            "unlogged" => unlogged = true,
            "temp" | "temporary" | "global" | "local" | "trusted" | "constraint" | "recursive" | "default" => {}
            _ => break,
        }
        c.i += 1;
    }
    let kind = object_kind(c)?;
    match kind {
        ObjectKind::Table => {
            let temporary = c.t.iter().take(4).any(|t| t.lower == "temp" || t.lower == "temporary");
            let if_not_exists = c.eat(&["if", "not", "exists"]);
            let table = c.name()?;
            // Columns come from elsewhere with `PARTITION OF`, `OF type` (no
            // list follows the name), `LIKE`, `INHERITS` or `AS SELECT`.
            let listed = c.peek().is_some_and(|t| t.text == "(");
            let open = c.i;
            let (columns, constraints) = if listed {
                table_elements(c)
            } else {
                (Vec::new(), Vec::new())
            };
            let like = c.t[open..c.i]
                .windows(2)
                .any(|w| matches!(w[0].text, "(" | ",") && w[1].lower == "like");
            let after = c.rest().iter().any(|t| matches!(t.lower.as_ref(), "inherits" | "as"));
            Some(vec![Action::CreateTable {
                table,
                columns,
                constraints,
                unlogged,
                temporary,
                if_not_exists,
                columns_known: listed && !like && !after,
            }])
        }
        ObjectKind::Index => {
            let concurrently = c.eat(&["concurrently"]);
            c.eat(&["if", "not", "exists"]);
            let name = if c.peek_word() == "on" { None } else { c.name() };
            if !c.eat(&["on"]) {
                return None;
            }
            c.eat(&["only"]);
            let table = c.name()?;
            if c.eat(&["using"]) {
                c.i += 1;
            }
            // A partial index serves only queries that repeat its predicate.
            let columns = c
                .column_list()
                .filter(|_| !c.rest().iter().any(|t| t.lower == "where"))
                .unwrap_or_default();
            Some(vec![Action::CreateIndex {
                name,
                table,
                concurrently,
                unique,
                columns,
            }])
        }
        ObjectKind::Trigger | ObjectKind::Policy | ObjectKind::Rule => {
            let if_not_exists = c.eat(&["if", "not", "exists"]);
            let name = c.name()?;
            let on = c.rest().iter().position(|t| t.lower == "on").and_then(|k| {
                let mut oc = Cur::new(&c.rest()[k + 1..]);
                oc.name()
            });
            Some(vec![Action::Create {
                kind,
                name,
                or_replace,
                if_not_exists,
                on,
            }])
        }
        _ => {
            let if_not_exists = c.eat(&["if", "not", "exists"]);
            if kind == ObjectKind::Schema && c.eat(&["authorization"]) {
                let name = c.name()?;
                return Some(vec![Action::Create {
                    kind,
                    name,
                    or_replace,
                    if_not_exists,
                    on: None,
                }]);
            }
            let name = c.name().unwrap_or_else(|| Name::new(None, "?"));
            let mut out = vec![Action::Create {
                kind,
                name: name.clone(),
                or_replace,
                if_not_exists,
                on: None,
            }];
            if kind == ObjectKind::Type && c.eat(&["as", "enum"]) && c.peek().is_some_and(|t| t.text == "(") {
                let open = c.i;
                c.skip_parens();
                let labels = c.t[open..c.i].iter().filter_map(string_value).collect();
                out.push(Action::EnumLabels { ty: name, labels });
            }
            Some(out)
        }
    }
}

/// The column definitions and table constraints of `( ... )`.
pub(super) fn table_elements(c: &mut Cur) -> (Vec<ColumnDef>, Vec<ConstraintDef>) {
    let start = c.i + 1;
    c.skip_parens();
    let inner = &c.t[start..c.i.saturating_sub(1).max(start)];
    let mut columns = Vec::new();
    let mut constraints = Vec::new();
    for g in split_top(inner, ",") {
        let mut gc = Cur::new(g);
        if let Some(con) = table_constraint(&mut gc) {
            constraints.push(con);
        } else if !matches!(gc.peek_word(), "like" | "exclude") {
            if let Some(col) = column_def(&mut gc) {
                columns.push(col);
            }
        }
    }
    (columns, constraints)
}

pub(super) const COLUMN_CONSTRAINT_START: &[&str] = &[
    "constraint",
    "not",
    "null",
    "default",
    "primary",
    "unique",
    "check",
    "references",
    "generated",
    "collate",
    "deferrable",
    "initially",
    "compression",
    "storage",
];

/// The text up to the next column constraint keyword (or the end), parentheses skipped whole.
fn until_constraint(c: &mut Cur) -> String {
    let s = c.i;
    while let Some(t) = c.peek() {
        if t.kind == TokenKind::Word && COLUMN_CONSTRAINT_START.contains(&t.lower.as_ref()) {
            break;
        }
        if t.text == "(" {
            c.skip_parens();
        } else {
            c.i += 1;
        }
    }
    join(&c.t[s..c.i])
}

pub(super) fn column_def(c: &mut Cur) -> Option<ColumnDef> {
    let name = c.ident()?;
    // `double precision`, `character varying` etc. never stop it; `not` only starts a constraint.
    let ty = SqlType::parse(&until_constraint(c));
    let mut col = ColumnDef::new(name, ty);
    while !c.at_end() {
        let w = c.peek_word().to_string();
        c.i += 1;
        match w.as_str() {
            "not" if c.eat(&["null"]) => col.not_null = true,
            "primary" => {
                c.eat(&["key"]);
                col.primary_key = true;
                col.not_null = true;
            }
            "references" => col.references = true,
            "unique" => col.unique = true,
            "generated" => {
                let _ = c.eat(&["always"]) || c.eat(&["by", "default"]);
                c.eat(&["as"]);
                col.generated = Some(if c.eat(&["identity"]) {
                    c.skip_parens();
                    Generated::Identity
                } else {
                    c.skip_parens();
                    if c.eat(&["stored"]) {
                        Generated::Stored
                    } else {
                        c.eat(&["virtual"]);
                        Generated::Virtual
                    }
                });
            }
            "default" => col.default = Some(until_constraint(c)),
            _ => {
                c.skip_parens();
            }
        }
    }
    Some(col)
}

/// A table constraint (`[CONSTRAINT name] CHECK (...) | UNIQUE ... | ...`), if one comes next.
pub(super) fn table_constraint(c: &mut Cur) -> Option<ConstraintDef> {
    let save = c.i;
    let name = if c.eat(&["constraint"]) { c.ident() } else { None };
    let kind = match c.peek_word() {
        "check" => ConstraintKind::Check,
        "foreign" => ConstraintKind::ForeignKey,
        "unique" => ConstraintKind::Unique,
        "primary" => ConstraintKind::PrimaryKey,
        "exclude" => ConstraintKind::Exclude,
        "not" if c.word_at(1) == "null" => ConstraintKind::NotNull,
        _ => {
            c.i = save;
            return None;
        }
    };
    let rest = &c.t[c.i..];
    let not_valid = rest.windows(2).any(|w| w[0].lower == "not" && w[1].lower == "valid");
    let using_index =
        rest.windows(2).any(|w| w[0].lower == "using" && w[1].lower == "index") && !rest.iter().any(|t| t.text == "(");
    let not_null_column = if kind == ConstraintKind::Check {
        check_not_null_column(rest)
    } else {
        None
    };
    let columns = match kind {
        ConstraintKind::PrimaryKey | ConstraintKind::Unique | ConstraintKind::ForeignKey => {
            let _ = c.eat(&["primary", "key"]) || c.eat(&["foreign", "key"]) || c.eat(&["unique"]);
            let _ = c.eat(&["nulls", "not", "distinct"]) || c.eat(&["nulls", "distinct"]);
            c.column_list().unwrap_or_default()
        }
        _ => Vec::new(),
    };
    c.i = c.t.len();
    Some(ConstraintDef {
        name,
        kind,
        not_valid,
        using_index,
        not_null_column,
        columns,
    })
}

/// `CHECK (col IS NOT NULL)` → `col`.
pub(super) fn check_not_null_column(t: &[Tok]) -> Option<String> {
    let words: Vec<&Tok> = t.iter().filter(|x| !matches!(x.text, "(" | ")")).collect();
    match words.as_slice() {
        [chk, col, is, not, null, rest @ ..]
            if chk.lower == "check"
                && is.lower == "is"
                && not.lower == "not"
                && null.lower == "null"
                && rest
                    .iter()
                    .all(|x| x.lower == "not" || x.lower == "valid" || x.lower == "no" || x.lower == "inherit") =>
        {
            match col.kind {
                TokenKind::Word => Some(col.lower.to_string()),
                TokenKind::QuotedIdent => Some(unquote(col.text)),
                _ => None,
            }
        }
        _ => None,
    }
}
