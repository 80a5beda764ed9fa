//! `current_phase` moved forward before the phase left had baked.
use super::RolloutCx;
use crate::finding::Finding;
use crate::manifest::model::{Node, Quantity};

crate::declare_rule! {
    /// ## What it does
    /// With `--base REV`, flags a change that moves `current_phase` forward
    /// from a phase before that phase's `bake` has passed.
    ///
    /// The time is measured from the commit that set `current_phase` to the phase being
    /// left (found in the manifest's git history) to the head commit (or to
    /// now, for a change not committed yet):
    /// "`beta` entered 2026-01-03 (abc1234) with bake 5d; leaving after 1d 4h".
    ///
    /// The rule needs the history: in a shallow clone the check is not
    /// evaluated (exit 3) and asks for full history (`fetch-depth: 0` in
    /// actions/checkout), it never passes.
    ///
    /// ## Why it blocks a release
    /// Release runbooks set a minimum duration per phase ("every 2-3 days",
    /// "7 consecutive days at 100%"): problems that grow slowly (leaks, a
    /// nightly job, a weekly report) show only after that time. Advancing
    /// earlier gives the next, larger audience a feature that was never
    /// observed for as long as the plan said.
    ///
    /// ## How to ship it safely
    /// Wait until the bake has passed, then advance. If the plan changed,
    /// shorten the phase's `bake` in a reviewed change first: the bake that
    /// counts is the longer of the phase's `bake` at the merge base and in the
    /// change, so one change cannot shorten the bake and advance
    /// ("with bake 5d (shortened to 1d in this change)").
    pub RULE = { id: "phase-advanced-before-bake", domain: Rollout, default: Error, class: Other };
}

/// "1d 4h", "5h 12m", "40m": the two largest units of a duration in seconds.
fn duration(secs: i64) -> String {
    let secs = secs.max(0);
    let parts = [
        (secs / 86_400, "d"),
        (secs % 86_400 / 3_600, "h"),
        (secs % 3_600 / 60, "m"),
    ];
    let shown: Vec<String> = parts
        .iter()
        .skip_while(|(n, _)| *n == 0)
        .take(2)
        .filter(|(n, _)| *n > 0)
        .map(|(n, u)| format!("{n}{u}"))
        .collect();
    if shown.is_empty() {
        "0m".to_string()
    } else {
        shown.join(" ")
    }
}

fn date(secs: i64) -> String {
    chrono::DateTime::from_timestamp(secs, 0).map_or_else(|| secs.to_string(), |d| d.format("%Y-%m-%d").to_string())
}

/// The bake that counts: the longer of the phase's `bake` at the merge base
/// (what was agreed) and at the head, in milliseconds, and how the message
/// names it: "5d", or "5d (shortened to 1d in this change)".
fn agreed_bake(head: Option<&Node<Quantity>>, base: Option<&Node<Quantity>>) -> Option<(f64, String)> {
    fn ms(b: Option<&Node<Quantity>>) -> Option<(f64, &str)> {
        let b = b?;
        Some((b.value.millis()?, b.value.text.as_str()))
    }
    match (ms(head), ms(base)) {
        (Some((h, now)), Some((b, was))) if b > h => Some((b, format!("{was} (shortened to {now} in this change)"))),
        (None, Some((b, was))) => Some((b, format!("{was} (removed in this change)"))),
        (Some((h, now)), _) => Some((h, now.to_string())),
        (None, None) => None,
    }
}

pub fn check(cx: &RolloutCx, out: &mut Vec<Finding>) {
    let m = cx.manifest;
    let (Some(e), Some(current)) = (cx.entered, &m.current_phase) else {
        return;
    };
    let (Some(from), Some(to)) = (m.phase_index(&e.phase), m.current_index()) else {
        return;
    };
    if to <= from {
        return;
    }
    let Some((bake_ms, bake)) = agreed_bake(m.bake(&e.phase), cx.base.and_then(|b| b.bake(&e.phase))) else {
        return;
    };
    let elapsed = e.left - e.entered;
    if elapsed as f64 * 1000.0 >= bake_ms {
        return;
    }
    let wait = (bake_ms / 1000.0).ceil() as i64 - elapsed;
    let short: String = e.commit.chars().take(7).collect();
    out.push(m.finding(
        &RULE,
        &current.ptr,
        format!(
            "`{}` entered {} ({short}) with bake {bake}; leaving after {}, so `{}` reaches its audience before `{}` was observed for its bake time",
            e.phase,
            date(e.entered),
            duration(elapsed),
            current.value,
            e.phase
        ),
        format!(
            "advance after {} ({} more), or shorten `bake` in a reviewed change first",
            date(e.entered + (bake_ms / 1000.0).ceil() as i64),
            duration(wait)
        ),
    ));
}

#[cfg(test)]
mod tests {
    use super::duration;

    #[test]
    fn durations_show_their_two_largest_units() {
        assert_eq!(duration(100_800), "1d 4h");
        assert_eq!(duration(86_400 * 6), "6d");
        assert_eq!(duration(5 * 3_600 + 12 * 60 + 9), "5h 12m");
        assert_eq!(duration(86_400 + 60), "1d");
        assert_eq!(duration(30), "0m");
        assert_eq!(duration(-5), "0m");
    }
}
