//! "Did you mean": the closest known spelling of a misspelt name.

/// Edit distance (Levenshtein), by characters.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            cur.push((prev[j] + usize::from(ca != *cb)).min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

/// The known name closest to `unknown` (case, `-` and `_` aside), if it is
/// close enough to be a slip of the keyboard.
pub fn closest<S: AsRef<str>>(unknown: &str, known: &[S]) -> Option<String> {
    let fold = |s: &str| s.to_ascii_lowercase().replace('-', "_");
    let u = fold(unknown);
    known
        .iter()
        .map(|k| k.as_ref())
        .map(|k| (distance(&u, &fold(k)), k))
        .filter(|(d, k)| *d <= 2.max(k.len() / 4))
        .min()
        .map(|(_, k)| k.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn near_misses_are_suggested_and_far_ones_are_not() {
        let known = ["system-owner", "security-owner", "backup-recovery-owner"];
        assert_eq!(closest("sytem-owner", &known).as_deref(), Some("system-owner"));
        assert_eq!(closest("System_Owner", &known).as_deref(), Some("system-owner"));
        assert_eq!(closest("backup-owner", &known), None);
        assert_eq!(
            closest("audiance", &["name", "audience", "bake"]).as_deref(),
            Some("audience")
        );
        assert_eq!(
            closest("kill-switch", &["kill_switch", "flag"]).as_deref(),
            Some("kill_switch")
        );
        assert_eq!(closest("zzzzzz", &["name"]), None);
    }
}
