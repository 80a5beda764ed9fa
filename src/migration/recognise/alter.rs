//! `ALTER ...`: tables (columns, constraints, storage), types, renames,
//! schemas and owners of every object kind.

use super::*;

pub(super) fn alter(c: &mut Cur) -> Option<Vec<Action>> {
    if c.eat(&["default", "privileges"]) {
        return Some(vec![Action::Permission {
            what: "ALTER DEFAULT PRIVILEGES".into(),
        }]);
    }
    if c.eat(&["system"]) {
        return Some(vec![Action::Other {
            what: "ALTER SYSTEM".into(),
        }]);
    }
    let start = c.i;
    let kind = object_kind(c)?;
    if matches!(kind, ObjectKind::Role) {
        // Logins and grants name the role: renaming it breaks them.
        if let (Some(from), true) = (c.name(), c.eat(&["rename", "to"])) {
            let to = c.ident()?;
            return Some(vec![Action::Rename {
                kind,
                from,
                to,
                on: None,
            }]);
        }
        return Some(vec![Action::Permission {
            what: "ALTER ROLE".into(),
        }]);
    }
    c.eat(&["if", "exists"]);
    if kind == ObjectKind::Table && c.eat(&["all", "in", "tablespace"]) {
        return Some(vec![Action::Other {
            what: "ALTER TABLE ALL IN TABLESPACE".into(),
        }]);
    }
    if kind == ObjectKind::Index && c.eat(&["all", "in", "tablespace"]) {
        return Some(vec![Action::Other {
            what: "ALTER INDEX ALL IN TABLESPACE".into(),
        }]);
    }
    c.eat(&["only"]);
    let name = if c.t[start..c.i].iter().map(|t| t.lower.as_ref()).eq(["operator"]) {
        operator_name(c)?
    } else {
        match c.name() {
            Some(n) => n,
            // `ALTER LARGE OBJECT 42 OWNER TO ...` and the like: no name to
            // track, and nothing renamed or moved.
            None if kind == ObjectKind::Other
                && !c.rest().iter().any(|t| matches!(t.lower.as_ref(), "rename" | "schema")) =>
            {
                return Some(vec![Action::Other {
                    what: format!("ALTER {}", join(&c.t[start..c.i]).to_uppercase()),
                }]);
            }
            None => return None,
        }
    };
    c.eat_punct("*");
    // Function signatures.
    c.skip_parens();
    let on = if matches!(kind, ObjectKind::Trigger | ObjectKind::Policy | ObjectKind::Rule) && c.eat(&["on"]) {
        c.name()
    } else {
        None
    };
    // Clauses between the name and the action (`ALTER OPERATOR CLASS c USING btree RENAME TO d`).
    if kind != ObjectKind::Table {
        let rest = c.rest();
        if let Some(k) = rest
            .iter()
            .position(|t| t.kind == TokenKind::Word && (t.lower == "rename" || t.lower == "set"))
        {
            let at_action = rest[k].lower == "rename" || rest.get(k + 1).is_some_and(|n| n.lower == "schema");
            if at_action && split_top(&rest[..k], ",").len() == 1 && !rest[..k].iter().any(|t| t.text == "(") {
                c.i += k;
            }
        }
    }
    if c.eat(&["rename"]) {
        return rename(c, kind, name, on);
    }
    if c.eat(&["set", "schema"]) {
        let schema = c.ident()?;
        return Some(vec![Action::SetSchema { kind, name, schema }]);
    }
    match kind {
        ObjectKind::Table => alter_table(c, name),
        ObjectKind::Type if c.eat(&["add", "value"]) => {
            c.eat(&["if", "not", "exists"]);
            let value = c.peek().and_then(string_value)?;
            Some(vec![Action::AddEnumValue { ty: name, value }])
        }
        ObjectKind::Type if matches!(c.word_at(1), "attribute") => c
            .comma_groups()
            .into_iter()
            .map(|g| type_attribute_subcommand(&mut Cur::new(g), &name))
            .collect(),
        ObjectKind::Domain if c.eat(&["add"]) => {
            let mut rest = Cur::new(c.rest());
            let con = table_constraint(&mut rest)?;
            Some(vec![Action::AddConstraint {
                table: name,
                constraint: con,
            }])
        }
        ObjectKind::Domain if c.eat(&["drop", "constraint"]) => {
            let if_exists = c.eat(&["if", "exists"]);
            let con = c.ident()?;
            Some(vec![Action::Drop {
                kind: ObjectKind::Constraint,
                names: vec![Name::new(None, con)],
                on: Some(name),
                concurrently: false,
                if_exists,
                cascade: c.eat(&["cascade"]),
            }])
        }
        _ => {
            let what = format!("ALTER {} {}", kind.label().to_uppercase(), join(c.rest()));
            if c.rest().iter().any(|t| t.lower == "owner") || matches!(kind, ObjectKind::Function | ObjectKind::Policy)
            {
                return Some(vec![Action::Permission { what }]);
            }
            Some(vec![Action::Other { what }])
        }
    }
}

/// One `ADD | DROP | ALTER ATTRIBUTE` action of `ALTER TYPE` on a composite type.
pub(super) fn type_attribute_subcommand(c: &mut Cur, ty: &Name) -> Option<Action> {
    let verb = c.peek_word().to_string();
    c.i += 1;
    if !c.eat(&["attribute"]) {
        return None;
    }
    match verb.as_str() {
        "add" => Some(Action::Other {
            what: format!("ALTER TYPE {ty} ADD ATTRIBUTE"),
        }),
        "drop" => {
            let if_exists = c.eat(&["if", "exists"]);
            let attribute = c.ident()?;
            Some(Action::Drop {
                kind: ObjectKind::Column,
                names: vec![Name::new(None, attribute)],
                on: Some(ty.clone()),
                concurrently: false,
                if_exists,
                cascade: c.eat(&["cascade"]),
            })
        }
        "alter" => {
            let column = c.ident()?;
            match alter_column(c, ty.clone(), column)? {
                a @ Action::AlterColumnType { .. } => Some(a),
                _ => None,
            }
        }
        _ => None,
    }
}

pub(super) fn rename(c: &mut Cur, kind: ObjectKind, name: Name, on: Option<Name>) -> Option<Vec<Action>> {
    if c.eat(&["to"]) {
        let to = c.ident()?;
        return Some(vec![Action::Rename {
            kind,
            from: name,
            to,
            on,
        }]);
    }
    if c.eat(&["value"]) {
        let from = c.peek().and_then(string_value)?;
        c.i += 1;
        c.eat(&["to"]);
        let to = c.peek().and_then(string_value)?;
        return Some(vec![Action::RenameEnumValue { ty: name, from, to }]);
    }
    if c.eat(&["constraint"]) {
        let from = c.ident()?;
        c.eat(&["to"]);
        let to = c.ident()?;
        return Some(vec![Action::Rename {
            kind: ObjectKind::Constraint,
            from: Name::new(None, from),
            to,
            on: Some(name),
        }]);
    }
    let _ = c.eat(&["column"]) || c.eat(&["attribute"]);
    let from = c.ident()?;
    c.eat(&["to"]);
    let to = c.ident()?;
    Some(vec![Action::RenameColumn { table: name, from, to }])
}

pub(super) fn alter_table(c: &mut Cur, table: Name) -> Option<Vec<Action>> {
    let mut out = Vec::new();
    for g in c.comma_groups() {
        let mut gc = Cur::new(g);
        match gc.peek_word() {
            "modify" | "change" => out.extend(mysql_column_change(&mut gc, &table)?),
            _ => out.push(table_subcommand(&mut gc, &table)?),
        }
    }
    Some(out)
}

/// MySQL's `MODIFY [COLUMN] c type ...` and `CHANGE [COLUMN] old new type ...`:
/// a retype, and for CHANGE a rename too.
pub(super) fn mysql_column_change(c: &mut Cur, table: &Name) -> Option<Vec<Action>> {
    let change = c.peek_word() == "change";
    c.i += 1;
    c.eat(&["column"]);
    let from = if change { Some(c.ident()?) } else { None };
    let new = column_def(c)?;
    let mut out = Vec::new();
    if let Some(from) = from.filter(|f| *f != new.name) {
        out.push(Action::RenameColumn {
            table: table.clone(),
            from,
            to: new.name.clone(),
        });
    }
    out.push(Action::AlterColumnType {
        table: table.clone(),
        column: new.name,
        ty: new.ty,
        using: false,
    });
    Some(out)
}

pub(super) fn table_subcommand(c: &mut Cur, table: &Name) -> Option<Action> {
    let table = table.clone();
    let other = |what: &str, rewrites: bool| {
        Some(Action::AlterTableOther {
            table: table.clone(),
            what: what.into(),
            rewrites,
        })
    };
    let w = c.peek_word().to_string();
    c.i += 1;
    match w.as_str() {
        "add" => {
            if let Some(constraint) = table_constraint(c) {
                return Some(Action::AddConstraint { table, constraint });
            }
            c.eat(&["column"]);
            let if_not_exists = c.eat(&["if", "not", "exists"]);
            let column = ColumnDef {
                if_not_exists,
                ..column_def(c)?
            };
            Some(Action::AddColumn { table, column })
        }
        "drop" => {
            if c.eat(&["constraint"]) {
                let if_exists = c.eat(&["if", "exists"]);
                let name = c.ident()?;
                return Some(Action::Drop {
                    kind: ObjectKind::Constraint,
                    names: vec![Name::new(None, name)],
                    on: Some(table),
                    concurrently: false,
                    if_exists,
                    cascade: c.eat(&["cascade"]),
                });
            }
            c.eat(&["column"]);
            let if_exists = c.eat(&["if", "exists"]);
            let column = c.ident()?;
            Some(Action::DropColumn {
                table,
                column,
                if_exists,
            })
        }
        "alter" if c.peek_word() == "constraint" => other("ALTER CONSTRAINT", false),
        "alter" => {
            c.eat(&["column"]);
            let column = c.ident()?;
            alter_column(c, table, column)
        }
        "validate" => {
            c.eat(&["constraint"]);
            let name = c.ident()?;
            Some(Action::ValidateConstraint { table, name })
        }
        "rename" => rename(c, ObjectKind::Table, table, None)?.pop(),
        "set" => match c.peek_word() {
            "unlogged" => Some(Action::SetUnlogged { table }),
            "logged" => other("SET LOGGED", true),
            "tablespace" => other("SET TABLESPACE", true),
            "access" => other("SET ACCESS METHOD", true),
            "schema" => {
                c.i += 1;
                let schema = c.ident()?;
                Some(Action::SetSchema {
                    kind: ObjectKind::Table,
                    name: table,
                    schema,
                })
            }
            "without" | "with" | "(" => other("SET storage options", false),
            _ if c.peek().is_some_and(|t| t.text == "(") => other("SET storage options", false),
            _ => None,
        },
        "enable" | "disable" | "force" | "no" if c.rest().iter().any(|t| t.lower == "security") => {
            // `ENABLE`, `DISABLE`, `FORCE` or `NO FORCE`, through `SECURITY`.
            let end =
                c.t.iter()
                    .position(|t| t.lower == "security")
                    .map_or(c.t.len(), |p| p + 1);
            Some(Action::Permission {
                what: join(&c.t[..end]).to_uppercase(),
            })
        }
        "owner" => Some(Action::Permission {
            what: "OWNER TO".into(),
        }),
        "detach" if c.eat(&["partition"]) => {
            let partition = c.name()?;
            Some(Action::DetachPartition {
                table,
                partition,
                concurrently: c.eat(&["concurrently"]),
            })
        }
        "enable" | "disable" | "reset" | "cluster" | "replica" | "inherit" | "no" | "of" | "not" | "attach"
        | "options" | "detach" => other(&format!("{} {}", w.to_uppercase(), join(c.rest())), false),
        // PostgreSQL 17: both rewrite the partitions they touch.
        "split" | "merge" => other(&format!("{} {}", w.to_uppercase(), join(c.rest())), true),
        _ => None,
    }
}

pub(super) fn alter_column(c: &mut Cur, table: Name, column: String) -> Option<Action> {
    let is_type = c.eat(&["type"]) || c.eat(&["set", "data", "type"]);
    if is_type {
        let s = c.i;
        while let Some(t) = c.peek() {
            if t.kind == TokenKind::Word && matches!(t.lower.as_ref(), "using" | "collate" | "cascade" | "restrict") {
                break;
            }
            if t.text == "(" {
                c.skip_parens();
            } else {
                c.i += 1;
            }
        }
        let ty = SqlType::parse(&join(&c.t[s..c.i]));
        let using = c.rest().iter().any(|t| t.lower == "using");
        return Some(Action::AlterColumnType {
            table,
            column,
            ty,
            using,
        });
    }
    if c.eat(&["set", "not", "null"]) {
        return Some(Action::SetNotNull { table, column });
    }
    if c.eat(&["drop", "default"]) || c.eat(&["drop", "identity"]) {
        return Some(Action::DropDefault { table, column });
    }
    let what = join(c.rest()).to_uppercase();
    let known = ["SET", "DROP", "ADD", "RESET", "RESTART", "OPTIONS"];
    if known.iter().any(|k| what.starts_with(k)) {
        return Some(Action::AlterColumnOther { table, column, what });
    }
    None
}
