//! Identifiers longer than PostgreSQL keeps.
use super::MigrationCx;
use crate::finding::Finding;

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

pub fn check(cx: &MigrationCx, out: &mut Vec<Finding>) {
    let long = cx.long_name(MAX_BYTES);
    if let Some(name) = long {
        let mut cut = MAX_BYTES;
        while !name.is_char_boundary(cut) {
            cut -= 1;
        }
        out.push(Finding::new(&RULE, format!(
                "Name `{name}` is {} bytes, and PostgreSQL silently truncates it to `{}`, so it can collide with another name",
                name.len(),
                &name[..cut]
            )).help("use a name of at most 63 bytes"));
    }
}
