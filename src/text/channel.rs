//! Channel model learned from aligned pairs of clean text and its OCR reading: which
//! syllable a misread word stands for, with counts. The table lives in
//! `dictionaries/ocr-confusions.tsv` (`observed<TAB>intended<TAB>count`, lowercase).

use std::collections::HashMap;
use std::sync::OnceLock;

use super::fold;

const TABLE: &str = include_str!("../../dictionaries/ocr-confusions.tsv");

/// Intended syllables of an observed (lowercase) word with log10 P(intended | observed).
pub fn confusions(observed: &str) -> &'static [(String, f32)] {
    static MAP: OnceLock<HashMap<String, Vec<(String, f32)>>> = OnceLock::new();
    MAP.get_or_init(|| parse(TABLE))
        .get(observed)
        .map_or(&[], Vec::as_slice)
}

fn parse(table: &str) -> HashMap<String, Vec<(String, f32)>> {
    let mut counts: HashMap<String, Vec<(String, u32)>> = HashMap::new();
    for line in table.lines() {
        let mut f = line.split('\t');
        if let (Some(o), Some(i), Some(c)) = (
            f.next(),
            f.next(),
            f.next().and_then(|c| c.trim().parse::<u32>().ok()),
        ) {
            counts
                .entry(o.to_string())
                .or_default()
                .push((i.to_string(), c));
        }
    }
    counts
        .into_iter()
        .map(|(o, v)| {
            let total: u32 = v.iter().map(|x| x.1).sum::<u32>().max(1);
            let probs = v
                .into_iter()
                .map(|(i, c)| (i, (f64::from(c) / f64::from(total)).log10() as f32))
                .collect();
            (o, probs)
        })
        .collect()
}

/// Word tokens of a text (whitespace-separated, punctuation trimmed, lowercased).
fn words(text: &str) -> Vec<String> {
    text.split_whitespace()
        .map(|w| {
            w.trim_matches(|c: char| {
                !c.is_alphanumeric() && !matches!(c, '¢' | '&' | '§' | '$' | '@')
            })
            .to_lowercase()
        })
        .filter(|w| !w.is_empty())
        .collect()
}

/// Aligns the words of `reference` and `ocr` (banded edit distance, substitution free when
/// the folded forms agree) and counts each (observed, intended) pair of aligned words whose
/// intended side is a syllable without digits.
pub fn count_confusions(reference: &str, ocr: &str, counts: &mut HashMap<(String, String), u32>) {
    let r = words(reference);
    let o = words(ocr);
    let (n, m) = (r.len(), o.len());
    if n == 0 || m == 0 {
        return;
    }
    const BAND: usize = 300;
    const INF: u32 = u32::MAX / 4;
    let width = 2 * BAND + 1;
    // cell (i, j) stored at i * width + (j + BAND - diag(i)), diag(i) = i * m / n.
    let diag = |i: usize| i * m / n;
    let idx = |i: usize, j: usize| -> Option<usize> {
        let d = diag(i);
        if j + BAND < d || j > d + BAND {
            return None;
        }
        Some(i * width + j + BAND - d)
    };
    let mut dp = vec![INF; (n + 1) * width];
    let mut back = vec![0u8; (n + 1) * width];
    let sub = |i: usize, j: usize| u32::from(fold(&r[i]) != fold(&o[j]));
    for i in 0..=n {
        let d = diag(i);
        for j in d.saturating_sub(BAND)..=(d + BAND).min(m) {
            let Some(k) = idx(i, j) else { continue };
            if i == 0 && j == 0 {
                dp[k] = 0;
                continue;
            }
            let mut best = (INF, 0u8);
            if i > 0
                && j > 0
                && let Some(p) = idx(i - 1, j - 1)
            {
                best = best.min((dp[p].saturating_add(sub(i - 1, j - 1) * 2), 1));
            }
            if i > 0
                && let Some(p) = idx(i - 1, j)
            {
                best = best.min((dp[p].saturating_add(2), 2));
            }
            if j > 0
                && let Some(p) = idx(i, j - 1)
            {
                best = best.min((dp[p].saturating_add(2), 3));
            }
            dp[k] = best.0;
            back[k] = best.1;
        }
    }
    // The alignment, from the end: Some((reference, observed)) for a pair, None for a word
    // missing on either side.
    let mut steps: Vec<Option<(usize, usize)>> = Vec::new();
    let (mut i, mut j) = (n, m);
    while i > 0 || j > 0 {
        let Some(k) = idx(i, j) else { return };
        match back[k] {
            1 => {
                steps.push(Some((i - 1, j - 1)));
                i -= 1;
                j -= 1;
            }
            2 => {
                steps.push(None);
                i -= 1;
            }
            3 => {
                steps.push(None);
                j -= 1;
            }
            _ => return,
        }
    }
    // A pair next to a missing word is often half of a split or glued reading ("xtrly" for
    // "xử lý" aligned with "lý"): only pairs between pairs are counted.
    let paired = |s: Option<&Option<(usize, usize)>>| s.is_none_or(Option::is_some);
    for (x, step) in steps.iter().enumerate() {
        let Some((ri, oj)) = *step else { continue };
        if !paired(steps.get(x + 1)) || !paired(x.checked_sub(1).and_then(|y| steps.get(y))) {
            continue;
        }
        let (ri, oj) = (&r[ri], &o[oj]);
        if ri.chars().all(char::is_alphabetic) && super::syllable::is_valid(ri) {
            *counts.entry((oj.clone(), ri.clone())).or_default() += 1;
        }
    }
}

/// Writes a confusion table: pairs seen at least `min_count` times where the observed word
/// differs from the intended one, plus the counts of words read correctly (so that
/// P(intended | observed) is estimated against them).
pub fn write_table(
    counts: &HashMap<(String, String), u32>,
    min_count: u32,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let mut rows: Vec<(&(String, String), &u32)> =
        counts.iter().filter(|(_, c)| **c >= min_count).collect();
    rows.sort();
    for ((o, i), c) in rows {
        writeln!(out, "{o}\t{i}\t{c}")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aligned_words_are_counted() {
        let mut counts = HashMap::new();
        count_confusions(
            "Thông báo số 339/TB-VPCP của Văn phòng Chính phủ.",
            "Thong bdo sb 339/TB-VPCP\ncla Vin phong Chinh pht",
            &mut counts,
        );
        assert_eq!(
            counts.get(&("cla".to_string(), "của".to_string())),
            Some(&1)
        );
        assert_eq!(
            counts.get(&("pht".to_string(), "phủ".to_string())),
            Some(&1)
        );
        assert_eq!(
            counts.get(&("thong".to_string(), "thông".to_string())),
            Some(&1)
        );
    }

    #[test]
    fn words_beside_a_glued_reading_are_not_counted() {
        let mut counts = HashMap::new();
        count_confusions(
            "phối hợp xử lý vi phạm",
            "phéi hop xtrly vi pham",
            &mut counts,
        );
        assert!(!counts.keys().any(|(o, _)| o == "xtrly"), "{counts:?}");
        assert_eq!(
            counts.get(&("pham".to_string(), "phạm".to_string())),
            Some(&1)
        );
    }

    #[test]
    fn table_parses_into_probabilities() {
        let m = parse("cla\tcủa\t3\ncla\tcha\t1\nbad line\n");
        let v = m.get("cla").map(Vec::as_slice).unwrap_or(&[]);
        assert_eq!(v.len(), 2);
        let p: f32 = v.iter().map(|(_, l)| 10f32.powf(*l)).sum();
        assert!((p - 1.0).abs() < 1e-4);
    }
}
