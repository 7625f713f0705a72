//! The signer's name under a signature block, in OCR text: the language model knows few
//! personal names and reads them as common words ("Khiém" → "Nhiệm", "Long" → "Lượng",
//! "Duyén" → "Xuyên"). A name keeps the letters OCR read; only what OCR damages in them is
//! repaired: the marks, a vowel OCR showed with a wrong mark, an initial Đ read as P or B.

use super::restore::{Mode, Restorer};
use super::unicode::fold;

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
    let r: Vec<char> = read.chars().collect();
    let s: Vec<char> = restored.chars().collect();
    if r.len() != s.len() {
        return false;
    }
    r.iter().zip(&s).enumerate().all(|(i, (&a, &b))| {
        let fa = fold(&a.to_lowercase().to_string());
        let fb = fold(&b.to_lowercase().to_string());
        let marked_vowel = !a.is_ascii() && fa.chars().all(is_vowel) && fb.chars().all(is_vowel);
        let initial_d = i == 0 && matches!(a, 'P' | 'B' | 'p' | 'b') && matches!(b, 'Đ' | 'đ');
        fa == fb || marked_vowel || initial_d
    })
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
            .map(|(&a, &b)| {
                if keeps_letters(a, b) {
                    b.to_string()
                } else {
                    changed = true;
                    with_own_letters(r, a)
                }
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
        let name = out.lines().nth(2).unwrap_or("");
        assert!(name.starts_with("Độ Trọng Khi"), "{name}");
        // Lines that are no name under a capacity are left as restored.
        let read = "Noi nhan:\nDé Trong Khiém\n";
        let restored = "Nơi nhận:\nĐộ Trọng Nhiệm\n";
        assert_eq!(keep_signer_letters(r, read, restored), restored);
    }
}
