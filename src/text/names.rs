//! The signer's name under a signature block, in OCR text: the language model knows few
//! personal names and reads them as common words ("Khiém" → "Nhiệm", "Long" → "Lượng",
//! "Duyén" → "Xuyên"). A name keeps the letters OCR read; only what OCR damages in them is
//! repaired: the marks, a vowel OCR showed with a wrong mark, an initial Đ read as P or B.
//! Where a common name syllable of `dictionaries/person-names.txt` fits what OCR read, it is
//! that syllable ("Phan Buc Thinh" → "Phan Đức Thịnh", not "Phần Bức Thịnh"); a surname, a
//! closed class, may also be one letter away ("Nouyén" → "Nguyễn"), and so may another name
//! syllable whose letters as read are no Vietnamese syllable ("Hing" → "Hùng").

use std::sync::LazyLock;

use super::restore::{Mode, Restorer};
use super::unicode::fold;

/// The syllables of personal names in `dictionaries/person-names.txt`: surnames, then middle
/// and given names, each in the file's order (the more frequent first).
static NAME_SYLLABLES: LazyLock<(Vec<String>, Vec<String>)> = LazyLock::new(|| {
    let (mut surnames, mut given) = (Vec::new(), Vec::new());
    let mut in_surnames = true;
    for line in include_str!("../../dictionaries/person-names.txt").lines() {
        let t = line.trim();
        match t {
            "" => {}
            "[surnames]" => in_surnames = true,
            "[given]" => in_surnames = false,
            _ if t.starts_with('#') => {}
            _ => {
                let list: &mut Vec<String> = if in_surnames {
                    &mut surnames
                } else {
                    &mut given
                };
                if !list.iter().any(|n| n == t) {
                    list.push(t.to_string());
                }
            }
        }
    }
    (surnames, given)
});

/// Whether `line` reads as a person's name: two to five words, each a capital followed by
/// small letters.
fn is_name_line(line: &str) -> bool {
    let words: Vec<&str> = line.split_whitespace().collect();
    (2..=5).contains(&words.len())
        && words.iter().all(|w| {
            let mut cs = w.chars();
            cs.next().is_some_and(char::is_uppercase)
                && cs.all(|c| c.is_alphabetic() && c.is_lowercase())
        })
}

/// Whether `line` is a signing capacity in capitals ("PHÓ CHỦ TỊCH", "KT. GIÁM ĐỐC").
fn is_capacity_line(line: &str) -> bool {
    let letters: Vec<char> = line.chars().filter(|c| c.is_alphabetic()).collect();
    letters.len() >= 4 && letters.iter().all(|c| c.is_uppercase())
}

fn is_vowel(c: char) -> bool {
    matches!(c, 'a' | 'e' | 'i' | 'o' | 'u' | 'y')
}

/// Whether the restored word `restored` keeps the letters OCR read in `read`, but for marks,
/// a vowel read with a mark (OCR writes "é" for ô, ơ, ê ...), an initial Đ read as P or B,
/// and "ir" read for ư ("Lirong" → "Lương").
fn keeps_letters(read: &str, restored: &str) -> bool {
    same_letters(read, restored)
        || read.contains("ir") && same_letters(&read.replace("ir", "ư"), restored)
}

fn same_letters(read: &str, restored: &str) -> bool {
    letters_changed(read, restored, false) == Some(0)
}

/// How many letters of `restored` differ from those OCR read in `read` (a word of as many
/// letters), counting as equal what [`keeps_letters`] lets OCR change; `None` for words of
/// other lengths. With `close_vowels`, a vowel OCR showed with a mark stands only for a
/// vowel of its own shape: an e or an o for "é" or "ó" (ê, ô, ơ ...), itself otherwise.
fn letters_changed(read: &str, restored: &str, close_vowels: bool) -> Option<usize> {
    let r: Vec<char> = read.chars().collect();
    let s: Vec<char> = restored.chars().collect();
    if r.len() != s.len() {
        return None;
    }
    let same = |i: usize, a: char, b: char| {
        let fa = fold(&a.to_lowercase().to_string());
        let fb = fold(&b.to_lowercase().to_string());
        let round = |f: &str| f == "e" || f == "o";
        let marked_vowel = !a.is_ascii()
            && fa.chars().all(is_vowel)
            && fb.chars().all(is_vowel)
            && (!close_vowels || round(&fa) && round(&fb));
        let initial_d = i == 0 && matches!(a, 'P' | 'B' | 'p' | 'b') && matches!(b, 'Đ' | 'đ');
        fa == fb || marked_vowel || initial_d
    };
    Some(
        r.iter()
            .zip(&s)
            .enumerate()
            .filter(|&(i, (&a, &b))| !same(i, a, b))
            .count(),
    )
}

/// Letters of the name syllable `name` that differ from what OCR read (`read`, "ir" for ư
/// allowed); `None` for a syllable of another length.
fn name_distance(read: &str, name: &str) -> Option<usize> {
    let plain = letters_changed(read, name, true);
    let horn = read
        .contains("ir")
        .then(|| letters_changed(&read.replace("ir", "ư"), name, true))
        .flatten();
    match (plain, horn) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// The common name syllable that OCR read as `read` (`restored` is the language model's
/// reading): a surname for the first word of the name (`surname`), a middle or given name
/// otherwise. The model's reading when it is one; else the listed syllable with OCR's letters
/// (marks aside), or, for a surname or a word whose letters are no Vietnamese syllable, one
/// letter away; ties go to the restorer's cheaper reading, then to the more frequent name.
/// `None` when no listed syllable fits.
fn listed_name(r: &Restorer, read: &str, restored: &str, surname: bool) -> Option<String> {
    let list = if surname {
        &NAME_SYLLABLES.0
    } else {
        &NAME_SYLLABLES.1
    };
    if read.chars().count() < 2 {
        return None;
    }
    let restored_lower = restored.to_lowercase();
    if keeps_letters(read, restored) && list.iter().any(|n| n.to_lowercase() == restored_lower) {
        return Some(restored.to_string());
    }
    let scored: Vec<(usize, usize)> = list
        .iter()
        .enumerate()
        .filter_map(|(k, n)| name_distance(read, n).map(|d| (d, k)))
        .collect();
    let least = scored.iter().map(|&(d, _)| d).min()?;
    let no_syllable = !super::syllable::is_valid(&read.to_lowercase());
    let allowed = if surname || no_syllable { 1 } else { 0 };
    if least > allowed || (least > 0 && read.chars().count() < 3 && !surname) {
        return None;
    }
    let tied: Vec<usize> = scored
        .iter()
        .filter(|&&(d, _)| d == least)
        .map(|&(_, k)| k)
        .collect();
    let pick = if tied.len() == 1 {
        tied[0]
    } else {
        let costs = r.explain(read, Mode::Damaged);
        let cost_of = |k: usize| {
            let want = list[k].to_lowercase();
            costs
                .iter()
                .filter(|(t, _)| t.to_lowercase() == want)
                .map(|(_, c)| *c)
                .fold(f32::INFINITY, f32::min)
        };
        *tied
            .iter()
            .min_by(|&&a, &&b| cost_of(a).total_cmp(&cost_of(b)).then(a.cmp(&b)))?
    };
    Some(list[pick].clone())
}

/// The reading of `word` with its own letters and the likeliest marks; the word as read when
/// no syllable has its letters.
fn with_own_letters(r: &Restorer, word: &str) -> String {
    let letters = fold(&word.to_lowercase());
    let best = r
        .explain(word, Mode::Damaged)
        .into_iter()
        .filter(|(t, _)| !t.starts_with('<') && fold(&t.to_lowercase()) == letters)
        .min_by(|a, b| a.1.total_cmp(&b.1));
    match best {
        Some((t, _)) => {
            let mut cs = t.chars();
            cs.next()
                .map(|f| f.to_uppercase().chain(cs).collect())
                .unwrap_or_default()
        }
        None => word.to_string(),
    }
}

/// Puts back the letters OCR read in the signer's name (a name line right under a capacity in
/// capitals) where restoration read them as other words. `read` is the text before
/// restoration and `restored` after; both have the same lines.
pub fn keep_signer_letters(r: &Restorer, read: &str, restored: &str) -> String {
    let read_lines: Vec<&str> = read.split('\n').collect();
    let mut out_lines: Vec<String> = restored.split('\n').map(str::to_string).collect();
    if read_lines.len() != out_lines.len() {
        return restored.to_string();
    }
    for i in 0..read_lines.len() {
        let line = read_lines[i].trim();
        if !is_name_line(line) {
            continue;
        }
        let above = read_lines[..i]
            .iter()
            .rev()
            .map(|l| l.trim())
            .find(|l| !l.is_empty());
        if !above.is_some_and(is_capacity_line) {
            continue;
        }
        let read_words: Vec<&str> = line.split_whitespace().collect();
        let out_line = out_lines[i].clone();
        let out_words: Vec<&str> = out_line.split_whitespace().collect();
        if read_words.len() != out_words.len() {
            continue;
        }
        let mut changed = false;
        let words: Vec<String> = read_words
            .iter()
            .zip(&out_words)
            .enumerate()
            .map(|(k, (&a, &b))| {
                let word = match listed_name(r, a, b, k == 0) {
                    Some(name) => name,
                    None if keeps_letters(a, b) => b.to_string(),
                    None => with_own_letters(r, a),
                };
                changed |= word != b;
                word
            })
            .collect();
        if changed {
            let indent = &out_line[..out_line.len() - out_line.trim_start().len()];
            out_lines[i] = format!("{indent}{}", words.join(" "));
        }
    }
    out_lines.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn letters_kept_or_changed() {
        // Marks added, a marked vowel read for another vowel, Đ read as P.
        assert!(keeps_letters("Trong", "Trọng"));
        assert!(keeps_letters("Dé", "Độ"));
        assert!(keeps_letters("Pang", "Đăng"));
        assert!(keeps_letters("Lirong", "Lương"));
        assert!(keeps_letters("Lir", "Lữ"));
        // A consonant changed, a letter dropped or added, an unmarked vowel changed.
        assert!(!keeps_letters("Khiém", "Nhiệm"));
        assert!(!keeps_letters("Huyén", "Uyên"));
        assert!(!keeps_letters("Long", "Lượng"));
        assert!(!keeps_letters("Sy", "Sự"));
        assert!(!keeps_letters("Khué", "Khúc"));
    }

    #[test]
    fn name_syllables_one_letter_away() {
        assert_eq!(name_distance("Nouyén", "Nguyễn"), Some(1));
        assert_eq!(name_distance("Buc", "Đức"), Some(0));
        assert_eq!(name_distance("Hing", "Hùng"), Some(1));
        assert_eq!(name_distance("Lirong", "Lương"), Some(0));
        assert_eq!(name_distance("Hing", "Hoàng"), None);
        // A marked e or o read by OCR stands for a vowel of its shape only.
        assert_eq!(name_distance("Héng", "Hồng"), Some(0));
        assert_eq!(name_distance("Ché", "Chí"), Some(1));
    }

    #[test]
    fn common_name_syllables_are_read_back() {
        let Some(r) = super::super::restorer() else {
            return;
        };
        let pick = |read, restored, surname| listed_name(r, read, restored, surname);
        assert_eq!(pick("Nouyén", "Nouyén", true).as_deref(), Some("Nguyễn"));
        assert_eq!(pick("Phan", "Phần", true).as_deref(), Some("Phan"));
        assert_eq!(pick("Buc", "Bức", false).as_deref(), Some("Đức"));
        assert_eq!(pick("Nhung", "Nhưng", false).as_deref(), Some("Nhung"));
        // The model's reading stays when it is a name; a name missing from the list is left
        // to the other rules; a valid syllable is not changed into a name a letter away.
        assert_eq!(pick("Hung", "Hưng", false).as_deref(), Some("Hưng"));
        assert_eq!(pick("Ksor", "Ksor", true), None);
        assert_eq!(pick("Seo", "Seo", false), None);
    }

    #[test]
    fn name_under_a_capacity() {
        assert!(is_name_line("Dé Trong Khiém"));
        assert!(!is_name_line("Hoàn thành trước"));
        assert!(!is_name_line("PHÓ CHỦ TỊCH"));
        assert!(is_capacity_line("PHÓ CHỦ TỊCH"));
        assert!(!is_capacity_line("- Lưu: VT."));
    }

    #[test]
    fn the_name_keeps_its_letters_after_restoration() {
        let Some(r) = super::super::restorer() else {
            return;
        };
        let read = "KT. CHU TICH\nPHO CHU TICH\nDé Trong Khiém\n";
        let restored = "KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH\nĐộ Trọng Nhiệm\n";
        let out = keep_signer_letters(r, read, restored);
        // The surname is the common one a letter away (dictionaries/person-names.txt); the
        // given name keeps OCR's letters instead of the model's common word.
        let name = out.lines().nth(2).unwrap_or("");
        assert_eq!(name, "Đỗ Trọng Khiêm");
        // Lines that are no name under a capacity are left as restored.
        let read = "Noi nhan:\nDé Trong Khiém\n";
        let restored = "Nơi nhận:\nĐộ Trọng Nhiệm\n";
        assert_eq!(keep_signer_letters(r, read, restored), restored);
    }
}
