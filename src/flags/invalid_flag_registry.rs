//! A registry that cannot be read as the contract describes it. The parser
//! (`flags::registry`) reports these; this file holds the rule's page.

crate::declare_rule! {
    /// ## What it does
    /// Reports what makes the flag registry (`docs/flags.md`) unreadable, at its line.
    ///
    /// That is: a flag table missing the required `Flag`, `Owner` or `Default`
    /// column, a separator row that does not match the header, a row with more or
    /// fewer cells than its header, an empty `Flag` cell, a flag documented twice,
    /// a `Type` that is not a known type, a `Remove by` that is not a
    /// `YYYY-MM-DD` date, a registry with no flag table at all, or one that is not
    /// UTF-8. Each finding points at the line (and cell) at fault.
    ///
    /// ## Why it blocks a release
    /// Every other flag check reads the registry. A row shipgate cannot read is a
    /// flag whose owner, default and removal date nobody checks: a duplicate row
    /// hides which default is true, and a date like `soon` is a deadline that never
    /// comes.
    ///
    /// ## How to ship it safely
    /// Keep one Markdown table (or several) with the contract's header, one row per
    /// flag and one cell per column; write dates as `YYYY-MM-DD`, and `\|` for a
    /// pipe inside a cell:
    ///
    /// ```markdown
    /// | Flag | Owner | Default | Type | Status | Remove by | Replaced by |
    /// |------|-------|---------|------|--------|-----------|-------------|
    /// | `ingestion_v2_enabled` | @data-platform | off | release | rollout | 2026-03-01 | |
    /// ```
    pub RULE = { id: "invalid-flag-registry", domain: Flags, default: Error, class: Other };
}
