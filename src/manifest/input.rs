//! Findings about the manifest file itself: unreadable, not YAML, or not
//! the shape the JSON Schema describes.

crate::declare_rule! {
    /// ## What it does
    /// Flags a rollout manifest shipgate cannot read as YAML: binary, not
    /// UTF-8, larger than 1 MiB, a YAML syntax error, more than one document,
    /// an alias bomb (billion laughs) or nesting deeper than 64 levels. The
    /// finding points at the offending byte or token, and `check` exits 2.
    ///
    /// ## Why it blocks a release
    /// What cannot be read cannot be checked, and the gate fails closed: a
    /// rollout whose plan nobody can parse has no gates, no rollback triggers
    /// and no approvers. The exit code is 2 (invalid input), not 1, because no
    /// finding about the rollout itself could be computed.
    ///
    /// ## How to ship it safely
    /// Save the manifest as one UTF-8 YAML document, fix the syntax at the
    /// reported line, and keep anchors and nesting modest. Files that are not
    /// rollout manifests do not belong under `rollouts.paths`.
    pub INVALID_ROLLOUT_MANIFEST = { id: "invalid-rollout-manifest", domain: Rollout, default: Error, class: Other };
}

crate::declare_rule! {
    /// ## What it does
    /// Flags a rollout manifest that does not match the JSON Schema of version 1
    /// (`shipgate schema rollout`, `schemas/rollout.schema.json`): a missing
    /// required key, an unknown key (with a suggestion for a misspelt one), a
    /// value of the wrong type, or a duration or threshold without its unit.
    /// Each violation is reported at the line and column of its YAML node.
    ///
    /// ## Why it blocks a release
    /// A misspelt key is silently ignored by most tools: `rolback:` instead of
    /// `rollback:` leaves a phase without rollback triggers while looking fine
    /// in review. The semantic rules only run on manifests that match the schema.
    ///
    /// ## How to ship it safely
    /// Fix the key or value at the reported line. docs/rollouts.md explains
    /// every field; keys starting with `x-` are free for your own use.
    ///
    /// ```yaml
    /// phases:
    ///   - name: canary
    ///     audience: { percentage: 5 }
    ///     bake: 1d                     # not `1 day`
    /// ```
    pub ROLLOUT_SCHEMA_VIOLATION = { id: "rollout-schema-violation", domain: Rollout, default: Error, class: Other };
}
