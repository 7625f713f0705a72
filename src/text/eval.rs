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

/// One difference between a reference and a hypothesis after token alignment: the reference
/// tokens and the hypothesis tokens that replace them (either side may be empty), with the
/// reference tokens just before them as context.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    /// Up to two reference tokens before the difference.
    pub before: String,
    /// Reference tokens.
    pub expected: String,
    /// Hypothesis tokens.
    pub got: String,
}

/// The differences of a minimal token alignment of `hypothesis` against `reference`
/// (whitespace-separated tokens, NFC, compared with or without case); adjacent edits are merged.
pub fn differences(reference: &str, hypothesis: &str, case_sensitive: bool) -> Vec<Difference> {
    let r: Vec<String> = reference.split_whitespace().map(super::nfc).collect();
    let h: Vec<String> = hypothesis.split_whitespace().map(super::nfc).collect();
    let same = |a: &str, b: &str| {
        if case_sensitive {
            a == b
        } else {
            a.to_lowercase() == b.to_lowercase()
        }
    };
    let (n, m) = (r.len(), h.len());
    let mut d = vec![0usize; (n + 1) * (m + 1)];
    let at = |i: usize, j: usize| i * (m + 1) + j;
    for i in 0..=n {
        for j in 0..=m {
            d[at(i, j)] = if i == 0 {
                j
            } else if j == 0 {
                i
            } else {
                (d[at(i - 1, j - 1)] + usize::from(!same(&r[i - 1], &h[j - 1])))
                    .min(d[at(i - 1, j)] + 1)
                    .min(d[at(i, j - 1)] + 1)
            };
        }
    }
    // Walk back, collecting (reference index, hypothesis index) of matches and edits.
    let mut steps: Vec<(Option<usize>, Option<usize>, bool)> = Vec::new();
    let (mut i, mut j) = (n, m);
    while i > 0 || j > 0 {
        if i > 0 && j > 0 {
            let cost = usize::from(!same(&r[i - 1], &h[j - 1]));
            if d[at(i, j)] == d[at(i - 1, j - 1)] + cost {
                steps.push((Some(i - 1), Some(j - 1), cost == 0));
                i -= 1;
                j -= 1;
                continue;
            }
        }
        if i > 0 && d[at(i, j)] == d[at(i - 1, j)] + 1 {
            steps.push((Some(i - 1), None, false));
            i -= 1;
        } else {
            steps.push((None, Some(j - 1), false));
            j -= 1;
        }
    }
    steps.reverse();
    let mut out = Vec::new();
    let mut k = 0;
    while k < steps.len() {
        if steps[k].2 {
            k += 1;
            continue;
        }
        let first_ref = steps[..k]
            .iter()
            .rev()
            .find_map(|s| s.0)
            .map_or(0, |x| x + 1);
        let (mut expected, mut got) = (Vec::new(), Vec::new());
        while k < steps.len() && !steps[k].2 {
            if let Some(x) = steps[k].0 {
                expected.push(r[x].as_str());
            }
            if let Some(y) = steps[k].1 {
                got.push(h[y].as_str());
            }
            k += 1;
        }
        out.push(Difference {
            before: r[first_ref.saturating_sub(2)..first_ref].join(" "),
            expected: expected.join(" "),
            got: got.join(" "),
        });
    }
    out
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

    #[test]
    fn differences_are_aligned_and_merged() {
        let d = differences(
            "Thông báo số 339 của Văn phòng",
            "Thông bao số 339 cua Vin phong",
            true,
        );
        assert_eq!(d.len(), 2);
        assert_eq!(d[0].expected, "báo");
        assert_eq!(d[0].got, "bao");
        assert_eq!(d[0].before, "Thông");
        assert_eq!(d[1].expected, "của Văn phòng");
        assert_eq!(d[1].got, "cua Vin phong");
        assert_eq!(d[1].before, "số 339");
        let split = differences("tối cao", "t ối cao", true);
        assert_eq!(split.len(), 1);
        assert_eq!(
            (split[0].expected.as_str(), split[0].got.as_str()),
            ("tối", "t ối")
        );
        assert!(differences("Văn Phòng", "văn phòng", false).is_empty());
    }
}
