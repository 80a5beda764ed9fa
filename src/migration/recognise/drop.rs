//! `DROP ...` and `DROP OWNED BY`.

use super::*;

pub(super) fn drop(c: &mut Cur) -> Option<Vec<Action>> {
    if c.eat(&["owned", "by"]) {
        // Drops everything the roles own in the database.
        let names = split_top(c.rest(), ",")
            .into_iter()
            .filter_map(|g| Cur::new(g).name())
            .map(|role| Name::new(None, format!("OWNED BY {role}")))
            .collect();
        return Some(vec![Action::Drop {
            kind: ObjectKind::Other,
            names,
            on: None,
            concurrently: false,
            if_exists: false,
            cascade: c.t.last().is_some_and(|t| t.lower == "cascade"),
        }]);
    }
    let start = c.i;
    let kind = object_kind(c)?;
    let kind_words = &c.t[start..c.i];
    let concurrently = c.eat(&["concurrently"]);
    let if_exists = c.eat(&["if", "exists"]);
    let cascade = c.t.last().is_some_and(|t| t.lower == "cascade");
    let mut names = Vec::new();
    let mut on = None;
    for g in split_top(c.rest(), ",") {
        let mut gc = Cur::new(g);
        match kind_words
            .iter()
            .map(|t| t.lower.as_ref())
            .collect::<Vec<_>>()
            .as_slice()
        {
            // DROP CAST (source AS target)
            ["cast"] => {
                let s = gc.i + 1;
                if gc.skip_parens() {
                    // Without its `)` when the statement ends inside the parentheses.
                    let inner = match g[s..gc.i].split_last() {
                        Some((close, inner)) if close.text == ")" => inner,
                        _ => &g[s..gc.i],
                    };
                    names.push(Name::new(None, format!("({})", join(inner))));
                }
                continue;
            }
            // DROP USER MAPPING FOR role SERVER server, DROP TRANSFORM FOR type LANGUAGE lang
            ["user", "mapping"] | ["transform"] => {
                gc.eat(&["for"]);
                names.extend(gc.name());
                let _ = gc.eat(&["server"]) || gc.eat(&["language"]);
                on = gc.name();
                continue;
            }
            // DROP OPERATOR [schema.]=== (left, right)
            ["operator"] => {
                if let Some(n) = operator_name(&mut gc) {
                    names.push(n);
                }
                continue;
            }
            _ => {}
        }
        if let Some(n) = gc.name() {
            names.push(n);
        }
        gc.skip_parens();
        if gc.eat(&["on"]) {
            on = gc.name();
        }
    }
    Some(vec![Action::Drop {
        kind,
        names,
        on,
        concurrently,
        if_exists,
        cascade,
    }])
}

/// An operator's name: `===`, `myschema.===`.
pub(super) fn operator_name(c: &mut Cur) -> Option<Name> {
    let schema = if !c.word_at(0).is_empty() && c.t.get(c.i + 1).is_some_and(|t| t.text == ".") {
        let s = c.ident();
        c.i += 1;
        s
    } else {
        None
    };
    let mut op = String::new();
    while let Some(t) = c.peek().filter(|t| t.kind == TokenKind::Punct && t.text != "(") {
        op.push_str(t.text);
        c.i += 1;
    }
    (!op.is_empty()).then(|| Name::new(schema, op))
}
