//! A documented flag nothing references.
use super::FlagCx;
use crate::finding::Finding;
use crate::flags::Column;

crate::declare_rule! {
    /// ## What it does
    /// Warns about a documented flag that no code and no rollout manifest references.
    ///
    /// Code references are found by `flags.references`. A migration that
    /// only inserts the flag into `flags.table` does not count as a use. A row
    /// whose `Status` is `removed` (a record of a flag that is gone) is not
    /// reported. The finding is at the registry row.
    ///
    /// ## Why it blocks a release
    /// It does not block: it warns. A row for a flag that is gone from the code is
    /// stale documentation, and it hides which flags are really live. It can also
    /// mean that code reads the flag in a way shipgate does not recognise, in which
    /// case the other flag checks are blind to it.
    ///
    /// ## How to ship it safely
    /// If the flag was removed, delete its row (and its row in the flag table). If
    /// code does read it, teach shipgate the call with a pattern in
    /// `flags.references`:
    ///
    /// ```yaml
    /// flags:
    ///   references:
    ///     - pattern: 'features\.on\(\s*"([a-z0-9_]+)"'
    ///       paths: ["*.ts"]
    /// ```
    pub RULE = { id: "unreferenced-flag", domain: Flags, default: Warning, class: Other };
}

pub fn check(m: &FlagCx<'_>, out: &mut Vec<Finding>) {
    for e in &m.registry.entries {
        // A record of a removed flag is meant to be unreferenced.
        if e.is_removed() || !m.uses(&e.name).is_empty() {
            continue;
        }
        let f = Finding::new(
            &RULE,
            format!(
                "Flag `{}` is documented but no code or rollout manifest references it, so its row is probably stale",
                e.name
            ),
        )
        .help("delete the row if the flag is gone; if code reads it in a way shipgate does not recognise, add a pattern to `flags.references`");
        out.push(m.at_row(f, e, Column::Flag));
    }
}
