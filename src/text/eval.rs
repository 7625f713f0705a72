//! Evaluation: syllable error rate by token-level edit distance.

/// Edit distance between the whitespace-separated tokens of `reference` and `hypothesis`,
/// and the number of reference tokens.
pub fn syllable_errors(reference: &str, hypothesis: &str, case_sensitive: bool) -> (usize, usize) {
    let norm = |s: &str| -> Vec<String> {
        s.split_whitespace()
            .map(|t| {
                if case_sensitive {
                    super::nfc(t)
                } else {
                    super::nfc(t).to_lowercase()
                }
            })
            .collect()
    };
    let r = norm(reference);
    let h = norm(hypothesis);
    let mut prev: Vec<usize> = (0..=h.len()).collect();
    let mut cur = vec![0usize; h.len() + 1];
    for (i, rt) in r.iter().enumerate() {
        cur[0] = i + 1;
        for j in 1..=h.len() {
            let sub = prev[j - 1] + usize::from(*rt != h[j - 1]);
            cur[j] = sub.min(prev[j] + 1).min(cur[j - 1] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    (prev[h.len()], r.len())
}

/// Syllable error rate: token edit distance divided by the number of reference tokens
/// (0 when the reference is empty and the hypothesis too, 1 per extra token otherwise).
pub fn syllable_error_rate(reference: &str, hypothesis: &str, case_sensitive: bool) -> f64 {
    let (e, n) = syllable_errors(reference, hypothesis, case_sensitive);
    if n == 0 {
        return if e == 0 { 0.0 } else { e as f64 };
    }
    e as f64 / n as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_substitutions_insertions_deletions() {
        assert_eq!(
            syllable_errors("Văn phòng Chính phủ", "Vin phong Chinh pht", true),
            (4, 4)
        );
        assert_eq!(syllable_errors("a b c d", "a c d", true), (1, 4));
        assert_eq!(syllable_errors("a b", "a x b", true), (1, 2));
        assert_eq!(syllable_errors("Văn Phòng", "văn phòng", false), (0, 2));
        assert_eq!(syllable_errors("Văn Phòng", "văn phòng", true), (2, 2));
        assert!((syllable_error_rate("a b c d", "a b c x", true) - 0.25).abs() < 1e-12);
        assert_eq!(syllable_error_rate("", "", true), 0.0);
    }
}
