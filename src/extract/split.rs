//! Cleaning Markdown residue and splitting a file into its documents.
//!
//! A document starts at its issuer block, found from the national motto ("CỘNG HÒA XÃ HỘI CHỦ
//! NGHĨA VIỆT NAM"): the upper-case lines just above it, or the issuer written before the motto
//! on the same line when a two-column header was flattened.

use std::sync::LazyLock;

use regex::Regex;

use super::re;

static MOTTO: LazyLock<Regex> = LazyLock::new(|| {
    // "VIỆT NAM" may be wrapped onto the next line when two columns were flattened.
    // OCR may wrap it as early as after "CHỦ".
    re(r"c[o0]ng\s+h[o0]a\s+x[a4]\s+h\S{1,2}\s+ch[u](?:\s+ngh[i1l]a(?:\s+vi[e]t\s+nam|\s*$)|\s*$)")
});

/// Finds the national motto in a line when it stands as a header (in capitals, or alone on its
/// line), not when a text cites "nước Cộng hòa xã hội chủ nghĩa Việt Nam". Returns the byte
/// range in `line`.
pub fn motto_in_line(line: &str) -> Option<(usize, usize)> {
    if line.len() > 400 {
        return None;
    }
    let f = super::folded::Folded::new(line);
    let m = MOTTO.find(&f.text)?;
    let (s, e) = f.orig_range(m.start(), m.end());
    let motto = line.get(s..e)?;
    let alone = line
        .get(e..)
        .is_some_and(|r| r.trim().chars().all(|c| !c.is_alphabetic()))
        && line
            .get(..s)
            .is_some_and(|p| p.trim().is_empty() || upper_ratio(p) >= 0.75);
    (upper_ratio(motto) >= 0.8 || alone).then_some((s, e))
}

/// Removes Markdown residue: emphasis markers (`**`, `__`), heading marks (`## `), escapes
/// (`1\.`, `\-`), `* ` bullets (made dashes) and trailing spaces of lines.
pub fn clean(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.split('\n') {
        let mut l = line.replace("**", "").replace("__", "");
        if l.contains('\\') {
            l = l
                .replace("\\.", ".")
                .replace("\\-", "-")
                .replace("\\*", "*")
                .replace("\\+", "+");
        }
        let trimmed = l.trim_start();
        let indent = l.len() - trimmed.len();
        let hashes = trimmed.chars().take_while(|&c| c == '#').count();
        if (1..=6).contains(&hashes) && trimmed[hashes..].starts_with(' ') {
            l = format!("{}{}", &l[..indent], trimmed[hashes..].trim_start());
        } else if let Some(rest) = trimmed.strip_prefix("* ") {
            l = format!("{}- {}", &l[..indent], rest);
        }
        // Remaining single asterisks are italics ("*Hà Nội, ngày ...*").
        if l.contains('*') {
            l = l.replace('*', "");
        }
        if l.contains('$') {
            l = so_misread(&l);
        }
        out.push_str(l.trim_end());
        out.push('\n');
    }
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}

/// "Sở" read by OCR as "$6" or "$ở" before a capitalised name ("$6 Xây dựng" → "Sở Xây
/// dựng"); other dollar signs are left alone.
fn so_misread(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(p) = rest.find('$') {
        out.push_str(&rest[..p]);
        let after = &rest[p + 1..];
        let word_start = rest[..p]
            .chars()
            .next_back()
            .is_none_or(|c| c.is_whitespace() || matches!(c, '|' | '(' | ',' | ';'));
        let misread = ["6 ", "ở ", "o ", "ó "]
            .iter()
            .find(|m| after.starts_with(*m))
            .filter(|m| {
                after[m.len()..]
                    .chars()
                    .next()
                    .is_some_and(char::is_uppercase)
            });
        match misread {
            Some(m) if word_start => {
                out.push_str("Sở ");
                rest = &after[m.len()..];
            }
            _ => {
                out.push('$');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Share of upper-case letters among the letters of a line (1.0 for a line without letters).
pub fn upper_ratio(line: &str) -> f32 {
    let (mut up, mut all) = (0u32, 0u32);
    for c in line.chars().filter(|c| c.is_alphabetic()) {
        all += 1;
        if c.is_uppercase() {
            up += 1;
        }
    }
    if all == 0 {
        1.0
    } else {
        up as f32 / all as f32
    }
}

/// Whether a line looks like part of an issuer block (short, mostly capitals).
pub fn is_header_line(line: &str) -> bool {
    let t = line.trim();
    let letters = t.chars().filter(|c| c.is_alphabetic()).count();
    letters >= 2
        && t.chars().count() <= 90
        && !t.starts_with('-')
        && !t.starts_with('+')
        && upper_ratio(t) >= 0.75
}

/// Whether a header line opens the name of a body ("ỦY BAN NHÂN DÂN", "UBND TỈNH ...",
/// "BỘ Y TẾ", "SỞ ...", "VĂN PHÒNG ...").
fn opens_agency_name(line: &str) -> bool {
    const HEADS: &[&str] = &[
        "uy ban ",
        "ubnd ",
        "hoi dong ",
        "hdnd ",
        "bo ",
        "so ",
        "van phong ",
        "ban ",
        "cuc ",
        "tong cuc ",
        "thanh tra ",
        "chinh phu",
    ];
    if !is_header_line(line) {
        return false;
    }
    let f = format!("{} ", super::folded::fold_lower(line.trim()));
    HEADS.iter().any(|h| f.starts_with(h))
}

/// Byte ranges of the documents of a cleaned file, in order. A file without a recognisable
/// header is one document.
pub fn split(text: &str) -> Vec<(usize, usize)> {
    let mut lines: Vec<(usize, &str)> = Vec::new();
    let mut pos = 0;
    for l in text.split('\n') {
        lines.push((pos, l));
        pos += l.len() + 1;
    }
    let mut starts: Vec<usize> = Vec::new();
    for (i, (off, line)) in lines.iter().enumerate() {
        let Some((ms, _)) = motto_in_line(line) else {
            continue;
        };
        let prefix_has_issuer = line[..ms].chars().filter(|c| c.is_alphabetic()).count() >= 2;
        let mut start = *off;
        let mut j = i;
        let mut taken = 0;
        let mut blanks = 0;
        while j > 0 && taken < 3 {
            let (poff, pl) = lines[j - 1];
            if pl.trim().is_empty() {
                // OCR leaves blank lines inside an issuer block too: a blank is crossed
                // upwards when the line above it opens a body's name ("ỦY BAN NHÂN DÂN").
                let opens_name_above = j >= 2 && opens_agency_name(lines[j - 2].1);
                if prefix_has_issuer
                    || blanks >= 2
                    || taken > 0 && blanks >= 1
                    || taken > 0 && !opens_name_above
                {
                    break;
                }
                blanks += 1;
                j -= 1;
                continue;
            }
            if pl
                .trim()
                .chars()
                .all(|c| matches!(c, '-' | '_' | '=' | '*' | '–'))
            {
                j -= 1;
                continue;
            }
            if !is_header_line(pl) {
                break;
            }
            start = poff;
            taken += 1;
            blanks = 0;
            j -= 1;
        }
        if starts.last().is_none_or(|&s| start > s) {
            starts.push(start);
        }
    }
    if starts.is_empty() {
        return vec![(0, text.len())];
    }
    starts[0] = 0;
    let mut out = Vec::new();
    for (k, &s) in starts.iter().enumerate() {
        let e = starts.get(k + 1).copied().unwrap_or(text.len());
        if e > s {
            out.push((s, e));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_forwarding_letter_and_forwarded_notice() {
        let t = "UBND TỈNH KIÊN GIANG\nVĂN PHÒNG\n\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nSố: 1/VP\n\nNội dung.\n\nTrần Công Danh\n\nVĂN PHÒNG CHÍNH PHỦ CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM\nSố: 60/TB-VPCP\n";
        let parts = split(t);
        assert_eq!(parts.len(), 2);
        assert!(t[parts[0].0..parts[0].1].contains("Trần Công Danh"));
        assert!(t[parts[1].0..parts[1].1].starts_with("VĂN PHÒNG CHÍNH PHỦ"));
    }

    #[test]
    fn issuer_block_above_motto_starts_the_document() {
        let t = "Nguyễn Văn A\n\nBỘ Y TẾ\n\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n";
        let parts = split(&format!(
            "Thư gửi kèm.\n\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n\n{t}"
        ));
        assert_eq!(parts.len(), 2);
    }

    #[test]
    fn issuer_block_broken_by_a_blank_line_starts_the_second_document() {
        let t = "HUYỆN VĨNH BẢO\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nNội dung.\n\nTrần Đình Hiệp\n\nỦY BAN NHÂN DÂN\n\nTHÀNH PHỐ HẢI PHÒNG\n\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nSố: 1/UBND\n";
        let parts = split(t);
        assert_eq!(parts.len(), 2);
        assert!(t[parts[1].0..parts[1].1].starts_with("ỦY BAN NHÂN DÂN"));
        // A blank line under a line that opens no body's name still ends the block.
        let t = "HUYỆN VĨNH BẢO\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nNội dung.\n\nPHÓ CHỦ TỊCH\n\nTHÀNH PHỐ HẢI PHÒNG\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n";
        let parts = split(t);
        assert_eq!(parts.len(), 2);
        assert!(t[parts[1].0..parts[1].1].starts_with("THÀNH PHỐ"));
    }

    #[test]
    fn motto_wrapped_after_chu() {
        assert!(motto_in_line("ỦY BAN NHÂN DÂN TỈNH BÌNH THUẬN CỘNG HÒA XÃ HỘI CHỦ").is_some());
        assert!(motto_in_line("về chủ nghĩa xã hội chủ").is_none());
    }

    #[test]
    fn cited_motto_is_not_a_header() {
        let t = "BỘ Y TẾ\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n\nCăn cứ Hiến pháp nước Cộng hòa xã hội chủ nghĩa Việt Nam năm 2013;\n";
        assert_eq!(split(t).len(), 1);
    }

    #[test]
    fn no_header_is_one_document() {
        assert_eq!(split("chỉ có nội dung"), vec![(0, "chỉ có nội dung".len())]);
    }

    #[test]
    fn misread_so_before_a_name() {
        assert_eq!(
            clean("1 | Rà soát | $6 Xây dựng | $ở Tài chính | 5$ 6 x"),
            "1 | Rà soát | Sở Xây dựng | Sở Tài chính | 5$ 6 x\n"
        );
        assert_eq!(clean("$6: 15/UBND-KT"), "$6: 15/UBND-KT\n");
    }

    #[test]
    fn clean_drops_bold_markers() {
        assert_eq!(clean("**THÔNG BÁO**  \nx"), "THÔNG BÁO\nx\n");
        assert_eq!(
            clean("## THÔNG BÁO\n1\\. Nội dung\n* Bộ Y tế"),
            "THÔNG BÁO\n1. Nội dung\n- Bộ Y tế\n"
        );
    }
}
