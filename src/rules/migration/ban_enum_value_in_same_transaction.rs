//! Using an enum value in the transaction that added it.
use super::{Cx, Hit};
use crate::migration::action::Action;
use crate::migration::recognise::{string_value, toks};

crate::declare_rule! {
    /// ## What it does
    /// Flags a statement that uses a value added by `ALTER TYPE ... ADD VALUE`
    /// earlier in the same transaction: the same `BEGIN ... COMMIT`, a file
    /// the framework wraps in a transaction, or a file sent as one
    /// multi-statement query, which PostgreSQL runs as one implicit
    /// transaction (Prisma, Supabase, golang-migrate; see
    /// `ban-concurrently-in-transaction` for each framework). A `COMMIT` in the
    /// file ends the transaction in every case, so a value used after it is
    /// committed.
    ///
    /// ## Why it blocks a release
    /// PostgreSQL refuses it: `unsafe use of new value "x" of enum type`. The
    /// migration fails in production.
    ///
    /// ## How to ship it safely
    /// Add the value in one migration, use it in the next.
    pub RULE = { id: "ban-enum-value-in-same-transaction", domain: Migration, default: Error, class: Lock };
}

pub fn check(cx: &Cx, out: &mut Vec<Hit>) {
    if !cx.in_transaction {
        return;
    }
    let added = cx.enum_values_added;
    if added.is_empty() || cx.actions.iter().any(|a| matches!(a, Action::AddEnumValue { .. })) {
        return;
    }
    let src = &cx.file.src;
    let Some(raw) = cx.raw else { return };
    let t = toks(src, &raw.tokens);
    if names_text_not_values(&t) {
        return;
    }
    for t in t {
        if let Some(v) = string_value(&t) {
            if added.contains(&v) {
                out.push(Hit::new(
                    &RULE,
                    format!("Enum value `{v}` is used in the transaction that added it, which PostgreSQL refuses"),
                    "add the value in one migration and use it in the next",
                ));
                return;
            }
        }
    }
}

/// Statements whose string literals are not read as values of a type: the
/// arguments of `CREATE TRIGGER ... EXECUTE FUNCTION f('x')` are text, a
/// function body is not run when it is created, `CREATE TYPE ... AS ENUM`
/// lists the labels of a new type, and `COMMENT ON ... IS` is text.
fn names_text_not_values(t: &[crate::migration::recognise::Tok]) -> bool {
    let words: Vec<&str> = t.iter().take(6).map(|x| x.lower.as_ref()).collect();
    match words.as_slice() {
        ["comment", ..] => true,
        ["create", rest @ ..] => {
            let rest = match rest {
                ["or", "replace", r @ ..] => r,
                r => r,
            };
            let rest = rest.strip_prefix(&["constraint"]).unwrap_or(rest);
            matches!(rest.first(), Some(&("trigger" | "function" | "procedure" | "type")))
        }
        _ => false,
    }
}
