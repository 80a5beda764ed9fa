//! Identifiers longer than PostgreSQL keeps.
use super::{Cx, Hit};
use crate::migration::lex::TokenKind;
use crate::migration::recognise::unquote;

crate::declare_rule! {
    /// ## What it does
    /// Flags a name longer than 63 bytes in `CREATE` and `ALTER` statements.
    ///
    /// ## Why it blocks a release
    /// PostgreSQL silently truncates identifiers to 63 bytes (`NAMEDATALEN -
    /// 1`). Two long names that share their first 63 bytes become one: the
    /// second `CREATE` fails, or an `IF NOT EXISTS` skips it. And the name in
    /// the catalog is not the one the application or ORM uses.
    ///
    /// ## How to ship it safely
    /// Use a name of at most 63 bytes (count bytes, not characters).
    pub RULE = { id: "ban-long-identifier", domain: Migration, default: Warning, class: Other };
}

/// PostgreSQL keeps `NAMEDATALEN - 1` bytes of a name.
const MAX_BYTES: usize = 63;

pub fn check(cx: &Cx, out: &mut Vec<Hit>) {
    let Some(raw) = cx.raw else { return };
    let src = &cx.file.src;
    if !raw.tokens.first().is_some_and(|x| {
        let w = x.text(src);
        x.kind == TokenKind::Word && (w.eq_ignore_ascii_case("create") || w.eq_ignore_ascii_case("alter"))
    }) {
        return;
    }
    // Folding a word to lower case keeps its length: only a long one is folded.
    let long = raw.tokens.iter().find_map(|x| {
        let text = x.text(src);
        let name = match x.kind {
            TokenKind::Word if text.len() > MAX_BYTES => text.to_ascii_lowercase(),
            TokenKind::QuotedIdent if text.len() > MAX_BYTES => unquote(text),
            _ => return None,
        };
        (name.len() > MAX_BYTES).then_some(name)
    });
    if let Some(name) = long {
        let mut cut = MAX_BYTES;
        while !name.is_char_boundary(cut) {
            cut -= 1;
        }
        out.push(Hit::new(
            &RULE,
            format!(
                "Name `{name}` is {} bytes, and PostgreSQL silently truncates it to `{}`, so it can collide with another name",
                name.len(),
                &name[..cut]
            ),
            "use a name of at most 63 bytes",
        ));
    }
}
