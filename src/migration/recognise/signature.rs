//! The argument types of the routines a CREATE or DROP names, so that a
//! routine dropped and created again with other arguments is told from a
//! replacement.

use super::*;

/// `CREATE [OR REPLACE] FUNCTION | PROCEDURE name (args)` and
/// `DROP FUNCTION | PROCEDURE | ROUTINE [IF EXISTS] name (args), ...`: one
/// `RoutineArgs` per routine whose argument list is written.
pub fn routine_signatures(t: &[Tok]) -> Vec<Action> {
    let mut c = Cur::new(t);
    let created = if c.eat(&["create"]) {
        c.eat(&["or", "replace"]);
        true
    } else if c.eat(&["drop"]) {
        false
    } else {
        return Vec::new();
    };
    if !(c.eat(&["function"]) || c.eat(&["procedure"]) || (!created && c.eat(&["routine"]))) {
        return Vec::new();
    }
    if !created {
        c.eat(&["if", "exists"]);
    }
    let groups = if created {
        vec![c.rest()]
    } else {
        split_top(c.rest(), ",")
    };
    let mut out = Vec::new();
    for g in groups {
        let mut gc = Cur::new(g);
        let Some(name) = gc.name() else { continue };
        if gc.peek().is_none_or(|x| x.text != "(") {
            continue;
        }
        let open = gc.i;
        let Some(close) = closing_paren(g, open) else { continue };
        let inner = &g[open + 1..close];
        let args = if inner.is_empty() {
            Vec::new()
        } else {
            split_top(inner, ",").into_iter().filter_map(argument).collect()
        };
        let returns = created.then(|| returns_type(&g[close + 1..])).flatten();
        out.push(Action::RoutineArgs {
            name,
            args,
            returns,
            created,
        });
    }
    out
}

/// The type after `RETURNS`, up to the next clause (`AS`, `LANGUAGE`, ...);
/// `None` for `RETURNS TABLE (...)`, `SETOF` or no `RETURNS`.
fn returns_type(t: &[Tok]) -> Option<SqlType> {
    if t.first()?.lower != "returns" {
        return None;
    }
    let rest = &t[1..];
    let end = rest
        .iter()
        .position(|x| {
            matches!(
                x.lower.as_ref(),
                "as" | "language"
                    | "immutable"
                    | "stable"
                    | "volatile"
                    | "strict"
                    | "security"
                    | "parallel"
                    | "called"
                    | "cost"
                    | "rows"
                    | "set"
                    | "begin"
                    | "return"
                    | "window"
                    | "leakproof"
                    | "not"
                    | "transform"
                    | "support"
            ) && x.kind != TokenKind::QuotedIdent
        })
        .unwrap_or(rest.len());
    let ty = &rest[..end];
    let first = ty.first()?.lower.as_ref();
    (!matches!(first, "table" | "setof")).then(|| SqlType::parse(&join(ty)))
}

/// One argument, `[mode] [name] type [DEFAULT expr | = expr]`; `None` for
/// an `OUT` argument, which is no part of the signature.
fn argument(g: &[Tok]) -> Option<RoutineArg> {
    let cut = g
        .iter()
        .position(|x| x.lower == "default" || (x.kind == TokenKind::Punct && x.text == "="))
        .unwrap_or(g.len());
    let has_default = cut < g.len();
    let mut g = &g[..cut];
    match g.first().map(|x| x.lower.as_ref()) {
        Some("out") => return None,
        Some("in" | "inout" | "variadic") if g.len() > 1 => g = &g[1..],
        _ => {}
    }
    if g.len() > 1 && names_the_argument(g) {
        g = &g[1..];
    }
    Some(RoutineArg {
        ty: SqlType::parse(&join(g)),
        has_default,
    })
}

/// True when the first token of `name type` is the argument's name, not
/// the first word of a type (`double precision`, `timestamp with time zone`).
fn names_the_argument(g: &[Tok]) -> bool {
    let second = &g[1];
    if g[0].kind == TokenKind::QuotedIdent {
        return true;
    }
    if second.kind == TokenKind::Punct {
        // `varchar(10)`, `int[]`, `schema.type`, `t.col%TYPE`.
        return false;
    }
    let continues: &[&str] = match g[0].lower.as_ref() {
        "double" => &["precision"],
        "character" | "char" | "national" => &["varying", "character"],
        "timestamp" | "time" => &["with", "without"],
        "bit" => &["varying"],
        "interval" => &["year", "month", "day", "hour", "minute", "second"],
        _ => &[],
    };
    !continues.contains(&second.lower.as_ref())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sigs(sql: &str) -> Vec<(String, Vec<String>, bool)> {
        let l = lex(sql);
        let t = toks(sql, &l.statements[0].tokens);
        routine_signatures(&t)
            .into_iter()
            .map(|a| match a {
                Action::RoutineArgs {
                    name, args, created, ..
                } => (
                    name.to_string(),
                    args.iter()
                        .map(|a| {
                            format!(
                                "{}{}{}",
                                a.ty.base,
                                if a.ty.array { "[]" } else { "" },
                                if a.has_default { "=" } else { "" }
                            )
                        })
                        .collect(),
                    created,
                ),
                _ => unreachable!(),
            })
            .collect()
    }

    #[test]
    fn argument_types_without_names_modes_or_defaults() {
        assert_eq!(
            sigs("CREATE OR REPLACE FUNCTION app.f(IN member_id uuid, since timestamp with time zone, OUT n int, tags text[] DEFAULT '{}', \"limit\" integer = 10) RETURNS int AS $$ SELECT 1 $$ LANGUAGE sql;"),
            vec![("app.f".to_string(), vec!["uuid".into(), "timestamptz".into(), "text[]=".into(), "int4=".into()], true)]
        );
        assert_eq!(
            sigs("DROP FUNCTION IF EXISTS f(uuid, double precision), g(), h;"),
            vec![
                ("f".to_string(), vec!["uuid".into(), "float8".into()], false),
                ("g".to_string(), vec![], false)
            ]
        );
        assert!(sigs("DROP TABLE f;").is_empty());
    }

    #[test]
    fn the_type_a_function_returns() {
        let returns = |sql: &str| {
            let l = lex(sql);
            let t = toks(sql, &l.statements[0].tokens);
            routine_signatures(&t).into_iter().find_map(|a| match a {
                Action::RoutineArgs { returns, .. } => returns.map(|r| r.text),
                _ => None,
            })
        };
        assert_eq!(
            returns("CREATE FUNCTION f(a int) RETURNS timestamp with time zone LANGUAGE sql AS $$ SELECT now() $$;")
                .as_deref(),
            Some("timestamp with time zone")
        );
        assert_eq!(
            returns("CREATE FUNCTION pick(c boolean, a anyelement, b anyelement) RETURNS anyelement AS $$ SELECT a $$ LANGUAGE sql;").as_deref(),
            Some("anyelement")
        );
        assert_eq!(
            returns("CREATE FUNCTION f() RETURNS SETOF int AS $$ SELECT 1 $$ LANGUAGE sql;"),
            None
        );
        assert_eq!(returns("DROP FUNCTION f(int);"), None);
    }
}
