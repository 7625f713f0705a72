//! The fixed marks of an administrative text's layout as English OCR misreads them, repaired
//! line by line before decoding: section numbers ("I]." → "II."), the subject line's "V/v"
//! ("Viv"), signing capacities ("KT:" → "KT."), numbered items ("4, Tổng kết" → "4. Tổng
//! kết") and the file mark of "Nơi nhận" ("Lưu: VI" → "Lưu: VT"). These are forms of Nghị định
//! 30/2020/NĐ-CP on administrative documents, not words, so the language model cannot tell
//! them; each rule looks only at the start of a line.

use std::borrow::Cow;

/// Repairs the layout marks of OCR-damaged `text`; every line stays a line.
pub fn repair_ocr_layout(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut last_section = 0u32;
    for line in text.split_inclusive('\n') {
        if starts_a_document(line) {
            last_section = 0;
        }
        let (line, section) = repair_line(line, last_section);
        if let Some(s) = section {
            last_section = s;
        }
        let line = repair_place_of_issue(&line);
        out.push_str(&repair_end_mark(&repair_quarters(&line)));
    }
    out
}

/// The national motto line that heads every document ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
/// also when OCR lost its marks or flattened it beside the issuer): the section numbers of a
/// new document start again.
fn starts_a_document(line: &str) -> bool {
    super::fold(line).to_uppercase().contains("CONG HOA XA HOI")
}

/// One line; `last_section` is the Roman section number of the previous heading (0 before
/// the first). Answers the line and, for a section heading, its number.
fn repair_line(line: &str, last_section: u32) -> (Cow<'_, str>, Option<u32>) {
    let body = line.trim_start();
    let indent = &line[..line.len() - body.len()];
    let Some((first, rest)) = body.split_once(' ') else {
        return (Cow::Borrowed(line), None);
    };
    if let Some(number) = section_number(first, rest, last_section) {
        let fixed = format!("{indent}{}. {rest}", roman(number));
        return (Cow::Owned(fixed), Some(number));
    }
    if is_subject_mark(first) {
        return (Cow::Owned(format!("{indent}V/v {rest}")), None);
    }
    if let Some(capacity) = first
        .strip_suffix([':', ';', ','])
        .filter(|c| matches!(*c, "KT" | "TM" | "TL" | "TUQ"))
        && rest.starts_with(char::is_uppercase)
    {
        return (Cow::Owned(format!("{indent}{capacity}. {rest}")), None);
    }
    if let Some(number) = first.strip_suffix(',')
        && (1..=2).contains(&number.len())
        && number.bytes().all(|b| b.is_ascii_digit())
        && rest.starts_with(char::is_uppercase)
    {
        return (Cow::Owned(format!("{indent}{number}. {rest}")), None);
    }
    let (dash, first, rest) = match rest.split_once(' ') {
        Some((second, after)) if first == "-" => ("- ", second, after),
        _ => ("", first, rest),
    };
    if let Some(fixed) = file_mark(first, rest) {
        return (Cow::Owned(format!("{indent}{dash}{first} {fixed}")), None);
    }
    (Cow::Borrowed(line), None)
}

/// The number of a section heading ("II. NHIỆM VỤ"), its Roman numeral read by OCR with
/// strokes that are each an I ("I]", "Il]", "lll", "[V"). Within a document a heading that
/// reads as going back is the next one ("I." after "II." is a III whose strokes ran together).
fn section_number(first: &str, rest: &str, last_section: u32) -> Option<u32> {
    let numeral = first.strip_suffix(['.', ','])?;
    if numeral.is_empty() || numeral.chars().count() > 5 || !rest.starts_with(char::is_uppercase) {
        return None;
    }
    let mut canonical = String::with_capacity(numeral.len());
    for c in numeral.chars() {
        canonical.push(match c {
            'I' | 'l' | '1' | '|' | ']' | '[' => 'I',
            'V' | 'X' => c,
            _ => return None,
        });
    }
    // A lone "1." or "l." is a numbered item or a letter, not a section.
    if numeral.chars().all(|c| c.is_ascii_digit()) || numeral == "l" {
        return None;
    }
    let read = roman_value(&canonical)?;
    Some(if read <= last_section {
        last_section + 1
    } else {
        read
    })
}

/// The value of a Roman numeral up to XXXIX.
fn roman_value(s: &str) -> Option<u32> {
    (1..40).find(|&n| roman(n) == s)
}

/// A number up to 39 in Roman numerals.
fn roman(n: u32) -> String {
    const ONES: [&str; 10] = ["", "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX"];
    let tens = "X".repeat((n / 10) as usize);
    format!("{tens}{}", ONES[(n % 10) as usize])
}

/// The words of administrative units written before a place's name, each with its space:
/// provinces and cities first, then districts, towns, wards and communes.
pub const ADMINISTRATIVE_UNITS: [&str; 9] = [
    "tỉnh ",
    "thành phố ",
    "huyện ",
    "quận ",
    "thị xã ",
    "thị trấn ",
    "phường ",
    "xã ",
    "đặc khu ",
];

/// Names of places (provinces, districts, communes) without their unit ("Hà Nội", "Ninh
/// Kiều"), from `dictionaries/places.txt` with the tone marks placed as everywhere else, each
/// with its letters folded to lower case.
/// Provinces and cities come first (rank 0), then the other units (rank 1).
fn place_names() -> &'static [(String, String, u8)] {
    static NAMES: std::sync::OnceLock<Vec<(String, String, u8)>> = std::sync::OnceLock::new();
    NAMES.get_or_init(|| {
        let mut out: Vec<(String, String, u8)> = include_str!("../../dictionaries/places.txt")
            .lines()
            .filter(|l| !l.starts_with('#'))
            .filter_map(|l| {
                ADMINISTRATIVE_UNITS
                    .iter()
                    .enumerate()
                    .find_map(|(k, u)| l.strip_prefix(u).map(|name| (name, u8::from(k > 1))))
            })
            .filter(|(name, _)| !name.chars().any(|c| c.is_ascii_digit()))
            .map(|(name, rank)| {
                (
                    place_letters(name),
                    super::unicode::repair_unicode(name),
                    rank,
                )
            })
            .collect();
        out.sort_by(|a, b| (&a.0, a.2).cmp(&(&b.0, b.2)));
        out.dedup_by(|a, b| a.0 == b.0);
        out
    })
}

/// The letters of a place name as OCR may show them, folded and in lower case; "6" and "@"
/// stand for an o.
fn place_letters(s: &str) -> String {
    super::fold(s)
        .chars()
        .filter_map(|c| match c {
            '6' | '@' => Some('o'),
            c if c.is_alphabetic() => c.to_lowercase().next(),
            _ => None,
        })
        .collect()
}

/// Edit distance between two short strings, `None` beyond 1.
fn within_one_edit(a: &str, b: &str) -> Option<usize> {
    if a == b {
        return Some(0);
    }
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if long.len() - short.len() > 1 {
        return None;
    }
    let prefix = short.iter().zip(long).take_while(|(x, y)| x == y).count();
    // Byte slices of folded letters: a multi-byte letter differing inside stays unequal.
    let fits = if short.len() == long.len() {
        short.get(prefix + 1..) == long.get(prefix + 1..)
    } else {
        short.get(prefix..) == long.get(prefix + 1..)
    };
    fits.then_some(1)
}

/// The place of issue before ", ngày … tháng … năm" ("Ha NG@i, ngay 12 thang 3 nam 2024"), read
/// back as the one place name of `dictionaries/places.txt` it is, or is one letter away from
/// ("Hà Nội") with as many words; a province or city is preferred to a lower unit at the same
/// distance. Names of four letters or fewer must match exactly.
fn repair_place_of_issue(line: &str) -> Cow<'_, str> {
    let Some(comma) = line.find(", ngay ").or_else(|| line.find(", ngày ")) else {
        return Cow::Borrowed(line);
    };
    let before = &line[..comma];
    let words: Vec<(usize, &str)> = before
        .split(' ')
        .scan(0usize, |at, w| {
            let start = *at;
            *at += w.len() + 1;
            Some((start, w))
        })
        .filter(|(_, w)| !w.is_empty())
        .collect();
    let names = place_names();
    // The longest run of the last one to four words that reads as a place.
    for take in (1..=words.len().min(4)).rev() {
        let (start, _) = words[words.len() - take];
        let written = &before[start..];
        if !written.starts_with(char::is_uppercase) {
            continue;
        }
        let letters = place_letters(written);
        if letters.chars().count() < 4 {
            continue;
        }
        let mut best: Option<((usize, u8), &str)> = None;
        let mut tied = false;
        for (folded, name, rank) in names {
            if folded.len().abs_diff(letters.len()) > 1 || name.split(' ').count() != take {
                continue;
            }
            let exact_only = folded.len() <= 4;
            match within_one_edit(&letters, folded) {
                Some(d) if d == 0 || !exact_only => match best {
                    Some((b, _)) if b < (d, *rank) => {}
                    Some((b, _)) if b == (d, *rank) => tied = true,
                    _ => {
                        best = Some(((d, *rank), name));
                        tied = false;
                    }
                },
                _ => {}
            }
        }
        if let Some((_, name)) = best
            && !tied
        {
            if name == written {
                return Cow::Borrowed(line);
            }
            return Cow::Owned(format!("{}{name}{}", &before[..start], &line[comma..]));
        }
    }
    Cow::Borrowed(line)
}

/// Place names that restoration cannot be trusted with, from `dictionaries/places.txt`, each
/// with its letters as [`place_letters`] reads them and whether it may be one letter away from
/// what OCR read: names with a syllable outside standard Vietnamese spelling ("Đắk Lắk",
/// "Krông Pắc"), which the language model cannot read back at all (may be one letter away),
/// and the names of provinces of two words or more ("Long An"), which it may read as common
/// words ("Lượng Ăn"; exact letters only).
fn guarded_place_names() -> &'static [(String, String, bool)] {
    static NAMES: std::sync::OnceLock<Vec<(String, String, bool)>> = std::sync::OnceLock::new();
    NAMES.get_or_init(|| {
        place_names()
            .iter()
            .filter_map(|(letters, name, rank)| {
                let unusual = name
                    .split(' ')
                    .any(|w| !w.is_empty() && !super::syllable::is_valid(w));
                let province = *rank == 0 && name.split(' ').count() >= 2;
                (unusual || province).then(|| (letters.clone(), name.clone(), unusual))
            })
            .collect()
    })
}

/// Whether a word read by OCR is the last word of one of the [`ADMINISTRATIVE_UNITS`], written
/// before a place's name ("tỉnh", "TINH", "huyén", the "phố" of "thành phố"), compared folded.
fn is_unit_word(word: &str) -> bool {
    let w = super::fold(word).to_lowercase();
    ADMINISTRATIVE_UNITS
        .iter()
        .filter_map(|unit| unit.split_whitespace().last())
        .any(|last| super::fold(last) == w)
}

/// Puts back, in the `restored` text, the place names of [`guarded_place_names`] that OCR
/// read in `read` (the same text before restoration, line for line): the words of the name as
/// read, each capitalised ("DAK LAK", "Dak Lak", "Long An"), or, for a name outside standard
/// spelling right after a unit word or as the place of issue before ", ngay", one letter away
/// ("Pak Lak"). Several words or a unit word before are needed; a line whose word count
/// restoration changed is left alone. Capitals are kept.
pub fn keep_place_names(read: &str, restored: &str) -> String {
    let names = guarded_place_names();
    let read_lines: Vec<&str> = read.split('\n').collect();
    let mut out_lines: Vec<String> = restored.split('\n').map(str::to_string).collect();
    if names.is_empty() || read_lines.len() != out_lines.len() {
        return restored.to_string();
    }
    for (line, out) in read_lines.iter().zip(out_lines.iter_mut()) {
        let rw: Vec<&str> = line.split_whitespace().collect();
        let ow: Vec<&str> = out.split_whitespace().collect();
        if rw.len() != ow.len() || rw.is_empty() {
            continue;
        }
        let mut words: Vec<String> = ow.iter().map(|w| w.to_string()).collect();
        let mut changed = false;
        let mut j = 0;
        while j < rw.len() {
            if !rw[j].starts_with(char::is_uppercase) {
                j += 1;
                continue;
            }
            let after_unit = j > 0 && is_unit_word(rw[j - 1]);
            // The letters of the runs of one to four capitalised words from here.
            let runs: Vec<String> = (1..=4)
                .take_while(|&k| j + k <= rw.len() && rw[j + k - 1].starts_with(char::is_uppercase))
                .map(|k| place_letters(&rw[j..j + k].join(" ")))
                .collect();
            let mut found: Option<(usize, &str)> = None;
            for (letters, name, unusual) in names {
                let k = name.split(' ').count();
                if k < 2 && !after_unit {
                    continue;
                }
                let Some(got) = runs.get(k - 1) else {
                    continue;
                };
                if got.len().abs_diff(letters.len()) > 1 {
                    continue;
                }
                let issue_place = rw[j + k - 1].ends_with(',')
                    && rw
                        .get(j + k)
                        .is_some_and(|w| super::fold(w).to_lowercase() == "ngay");
                let near = *unusual
                    && (after_unit || issue_place)
                    && letters.len() >= 6
                    && within_one_edit(got, letters).is_some();
                if got == letters || near {
                    found = Some((k, name.as_str()));
                    if got == letters {
                        break;
                    }
                }
            }
            let Some((k, name)) = found else {
                j += 1;
                continue;
            };
            let caps = rw[j..j + k]
                .iter()
                .flat_map(|w| w.chars())
                .filter(|c| c.is_alphabetic())
                .all(char::is_uppercase);
            for (n, place_word) in name.split(' ').enumerate() {
                let slot = &mut words[j + n];
                let tail: String = slot
                    .chars()
                    .rev()
                    .take_while(|c| !c.is_alphanumeric())
                    .collect::<Vec<char>>()
                    .into_iter()
                    .rev()
                    .collect();
                let word = if caps {
                    place_word.to_uppercase()
                } else {
                    place_word.to_string()
                };
                *slot = format!("{word}{tail}");
            }
            changed = true;
            j += k;
        }
        if changed {
            let indent = &out[..out.len() - out.trim_start().len()];
            *out = format!("{indent}{}", words.join(" "));
        }
    }
    out_lines.join("\n")
}

/// The "./." that ends a document's last sentence, as English OCR reads it (",/.", "//.",
/// "/."), at the end of a line.
fn repair_end_mark(line: &str) -> Cow<'_, str> {
    let body = line.trim_end();
    for misread in [",/.", "//.", ".//.", ".//"] {
        if let Some(before) = body.strip_suffix(misread)
            && before.ends_with(char::is_alphanumeric)
        {
            return Cow::Owned(format!("{before}./.{}", &line[body.len()..]));
        }
    }
    if let Some(before) = body.strip_suffix("/.")
        && before.ends_with(char::is_alphabetic)
    {
        return Cow::Owned(format!("{before}./.{}", &line[body.len()..]));
    }
    Cow::Borrowed(line)
}

/// Quarter numbers after "Quý" (OCR "Quy"), Roman numerals whose strokes OCR read as digits
/// or brackets: "Quy [II" → "Quy III", "Quy 11/2022" → "Quy II/2022", "Quy [V" → "Quy IV".
/// Only forms that cannot be a quarter as read are changed ("Quy 1/2024" stays).
fn repair_quarters(line: &str) -> Cow<'_, str> {
    if !line.contains("Quy ") && !line.contains("Quý ") && !line.contains("quý ") {
        return Cow::Borrowed(line);
    }
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(at) = ["Quy ", "Quý ", "quý "]
        .iter()
        .filter_map(|w| rest.find(w).map(|i| i + w.len()))
        .min()
    {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let end = rest
            .find([' ', '/', '.', ',', ';', ')', '|', '\n'])
            .unwrap_or(rest.len());
        let numeral = quarter_numeral(&rest[..end]);
        if let Some(n) = numeral {
            out.push_str(n);
            rest = &rest[end..];
        }
    }
    out.push_str(rest);
    if out == line {
        Cow::Borrowed(line)
    } else {
        Cow::Owned(out)
    }
}

/// The quarter a number after "Quý" stands for when OCR wrote its Roman strokes as digits,
/// brackets or small letters, or put a stray mark among them ("[II", "11", "I'v" → "III",
/// "II", "IV"); `None` for a quarter as read ("1", "IV") or what is none.
fn quarter_numeral(read: &str) -> Option<&'static str> {
    if matches!(read, "I" | "II" | "III" | "IV" | "1" | "2" | "3" | "4") {
        return None;
    }
    let strokes: String = read
        .chars()
        .filter(|c| !matches!(c, '\'' | '’' | '`'))
        .map(|c| match c {
            'l' | '1' | '[' | ']' | '|' => 'I',
            'v' => 'V',
            c => c,
        })
        .collect();
    match strokes.as_str() {
        "I" if read.chars().count() > 1 => Some("I"),
        "II" => Some("II"),
        "III" => Some("III"),
        "IV" => Some("IV"),
        _ => None,
    }
}

/// "V/v" (về việc) opening a subject line, as English OCR reads it ("Viv", "Vlv", "V/V").
fn is_subject_mark(first: &str) -> bool {
    let mut chars = first.chars();
    matches!(
        (chars.next(), chars.next(), chars.next(), chars.next()),
        (
            Some('V'),
            Some('i' | 'l' | '1' | '/' | '|' | 'í'),
            Some('v' | 'V'),
            None
        )
    ) && first != "V/v"
}

/// Whether `first` is the "Lưu:" that opens the file marks of a "Nơi nhận" block.
pub fn is_file_marks_label(first: &str) -> bool {
    matches!(first, "Lưu:" | "Luu:" | "Lưu;" | "Luu;")
}

/// The first file mark after "Lưu:" in a "Nơi nhận" block: "VT" (văn thư), read "VI", "Vi"
/// or "VIL", and followed by a comma that OCR reads as a full stop when more marks follow
/// ("Lưu: VI. NC." → "Lưu: VT, NC.").
fn file_mark(first: &str, rest: &str) -> Option<String> {
    if !is_file_marks_label(first) {
        return None;
    }
    let (mark, after) = rest.split_at(rest.find([',', '.', ' ', '\n']).unwrap_or(rest.len()));
    if !matches!(mark, "VT" | "VI" | "Vi" | "VIL" | "V1" | "VT1" | "VE") {
        return None;
    }
    let more_marks =
        |m: &str| m.starts_with(' ') && m.trim_start().starts_with(char::is_alphabetic);
    let after = match after.strip_prefix('.') {
        Some(more) if more_marks(more) => format!(",{more}"),
        _ if more_marks(after) => format!(",{after}"),
        _ => after.to_string(),
    };
    let fixed = format!("VT{after}");
    (fixed != rest).then_some(fixed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unit_words_as_ocr_reads_them() {
        for w in [
            "TINH", "huyén", "phố", "Quận", "xã", "phuong", "tran", "khu",
        ] {
            assert!(is_unit_word(w), "{w}");
        }
        for w in ["Long", "thanh", "thi", "dac", "ngay"] {
            assert!(!is_unit_word(w), "{w}");
        }
    }

    #[test]
    fn place_names_are_put_back() {
        let read = "TINH DAK LAK\nPak Lak, ngay 23 thang 7 nam 2024\ncac xa Dak Lak va Ea\n";
        let restored = "TỈNH ĐÃ LÀM\nĐã Lập, ngày 23 tháng 7 năm 2024\ncác xã Đã Làm và Ea\n";
        assert_eq!(
            keep_place_names(read, restored),
            "TỈNH ĐẮK LẮK\nĐắk Lắk, ngày 23 tháng 7 năm 2024\ncác xã Đắk Lắk và Ea\n"
        );
        // One letter away only after a unit word or as the place of issue.
        let read = "Pak Lak va\n";
        let restored = "Đã Lập và\n";
        assert_eq!(keep_place_names(read, restored), restored);
        // A province of common syllables, capitalised, with its letters as read.
        let read = "cac tinh Dong Nai, Long An tap trung\nlong an\n";
        let restored = "các tỉnh Đồng Nai, Lượng Ăn tập trung\nlòng ăn\n";
        assert_eq!(
            keep_place_names(read, restored),
            "các tỉnh Đồng Nai, Long An tập trung\nlòng ăn\n"
        );
    }

    #[test]
    fn section_headings_get_their_strokes_back() {
        let text = "I. MUC TIEU\nx\nI]. NHIEM VU\nIl]. TO CHUC\n[V. KINH PHI\n";
        assert_eq!(
            repair_ocr_layout(text),
            "I. MUC TIEU\nx\nII. NHIEM VU\nIII. TO CHUC\nIV. KINH PHI\n"
        );
        // A heading read as going back is the next one; a new document starts again.
        assert_eq!(
            repair_ocr_layout("I. A\nIl. B\nI. C\n"),
            "I. A\nII. B\nIII. C\n"
        );
        assert_eq!(
            repair_ocr_layout("I. A\nII. B\nCONG HOA XA HOI CHU NGHIA\nI. C\n"),
            "I. A\nII. B\nCONG HOA XA HOI CHU NGHIA\nI. C\n"
        );
        // Numbered items and small letters are not sections.
        assert_eq!(repair_ocr_layout("1. Giao\nl. x\n"), "1. Giao\nl. x\n");
    }

    #[test]
    fn subject_capacity_items_and_file_marks_are_repaired() {
        assert_eq!(
            repair_ocr_layout("Viv tang cuong\nV/v giu nguyen\n"),
            "V/v tang cuong\nV/v giu nguyen\n"
        );
        assert_eq!(repair_ocr_layout("KT: CHU TICH\n"), "KT. CHU TICH\n");
        assert_eq!(
            repair_ocr_layout("4, Tong ket\n4, 5 va 6\n"),
            "4. Tong ket\n4, 5 va 6\n"
        );
        assert_eq!(
            repair_ocr_layout("- Luu: VI. NN.\n- Luu: VT, KT.\n- Luu: VT. KT.\n- Luu: VI.\n"),
            "- Luu: VT, NN.\n- Luu: VT, KT.\n- Luu: VT, KT.\n- Luu: VT.\n"
        );
        assert_eq!(repair_ocr_layout("- Luu: VE NN.\n"), "- Luu: VT, NN.\n");
        assert_eq!(
            repair_ocr_layout("trong Quy [II nam 2024, Quy [V va Quy 11/2022; Quy 1/2024\n"),
            "trong Quy III nam 2024, Quy IV va Quy II/2022; Quy 1/2024\n"
        );
        // A stray mark among the strokes, a small v; a quarter as read stays.
        assert_eq!(
            repair_ocr_layout("trong Quy I'v/2022, Quy lv, Quy I va Quy IV\n"),
            "trong Quy IV/2022, Quy IV, Quy I va Quy IV\n"
        );
        assert_eq!(
            repair_ocr_layout("thuc hién,/.\nChi thi nay//.\nnay/.\nhién./.\n"),
            "thuc hién./.\nChi thi nay./.\nnay./.\nhién./.\n"
        );
        assert_eq!(
            repair_ocr_layout("Ha NG@i, ngay 12 thang 3 nam 2024\nHa Ndi, ngay 1\n"),
            "Hà Nội, ngay 12 thang 3 nam 2024\nHà Nội, ngay 1\n"
        );
        assert_eq!(
            repair_ocr_layout("S6: 58/SNNMT-MT Lai Chau, ngay 1\n"),
            "S6: 58/SNNMT-MT Lai Châu, ngay 1\n"
        );
        // An exact name stays, and so does a line that is no place of issue.
        assert_eq!(repair_ocr_layout("Hà Nam, ngày 2\n"), "Hà Nam, ngày 2\n");
        assert_eq!(
            repair_ocr_layout("tai cuoc hop, ngay 2\n"),
            "tai cuoc hop, ngay 2\n"
        );
        // Lines that only look alike stay.
        assert_eq!(repair_ocr_layout("Via he\nKT: x\n"), "Via he\nKT: x\n");
    }
}
