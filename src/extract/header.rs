//! The header and footer of a document: issuer, number, place and date, kind and subject,
//! addressees ("Kính gửi", "Nơi nhận"), cited documents and the signature block.

use std::sync::LazyLock;

use chrono::NaiveDate;
use regex::Regex;

use super::agency::{Context, Directory, Level, title_case_words};
use super::folded::{Folded, fold_lower, squash};
use super::split::{is_header_line, upper_ratio};
use super::{Reference, re};

/// What the header and footer of a document say.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Header {
    /// Kind of document.
    pub kind: Option<String>,
    /// Number and code.
    pub number: Option<String>,
    /// Issuing body.
    pub issuer: Option<String>,
    /// The body the issuer belongs to.
    pub parent_issuer: Option<String>,
    /// Place of issue.
    pub place: Option<String>,
    /// Date of issue.
    pub issued_on: Option<NaiveDate>,
    /// Subject.
    pub subject: Option<String>,
    /// Addressees.
    pub recipients: Vec<String>,
    /// The addressees of the "Kính gửi" line alone (the first `recipients`): the bodies a
    /// letter's "Quý cơ quan" stands for, without those informed through "Nơi nhận".
    pub addressees: Vec<String>,
    /// Cited documents.
    pub references: Vec<Reference>,
    /// Signer's name.
    pub signer: Option<String>,
    /// Signing capacity ("KT. CHÁNH VĂN PHÒNG").
    pub signer_capacity: Option<String>,
    /// Signer's own position when it differs from the capacity.
    pub signer_title: Option<String>,
    /// Province of the issuer ("tỉnh Kiên Giang") for provincial bodies.
    pub province: Option<String>,
    /// District or commune of the issuer ("huyện Mường Ảng", "xã Tân Phú") for its bodies.
    pub locality: Option<String>,
    /// Byte offset where the body (after header and addressees) starts.
    pub body_start: usize,
    /// Byte offset where the body ends (before "Nơi nhận" and the signature).
    pub body_end: usize,
    /// Byte offset where an attachment after the signature starts (a plan or a task table
    /// "Kèm theo Quyết định ..."), which belongs to the document and may assign tasks.
    pub attachment_start: Option<usize>,
}

/// Kinds of documents and their title words (folded).
const KINDS: &[(&str, &str)] = &[
    ("thong bao", "Thông báo"),
    ("quyet dinh", "Quyết định"),
    ("ke hoach", "Kế hoạch"),
    ("chi thi", "Chỉ thị"),
    ("bao cao", "Báo cáo"),
    ("nghi quyet", "Nghị quyết"),
    ("to trinh", "Tờ trình"),
    ("cong dien", "Công điện"),
    ("huong dan", "Hướng dẫn"),
    ("chuong trinh", "Chương trình"),
    ("giay moi", "Giấy mời"),
    ("thong tu", "Thông tư"),
    ("nghi dinh", "Nghị định"),
    ("quy che", "Quy chế"),
    ("quy dinh", "Quy định"),
    ("de an", "Đề án"),
    ("cong van", "Công văn"),
    ("bien ban", "Biên bản"),
    ("phuong an", "Phương án"),
    ("luat", "Luật"),
    ("van ban", "Văn bản"),
];

/// Kind from the type part of a document code ("TB" in "60/TB-VPCP").
const CODE_KINDS: &[(&str, &str)] = &[
    ("TB", "Thông báo"),
    ("QĐ", "Quyết định"),
    ("QD", "Quyết định"),
    ("KH", "Kế hoạch"),
    ("CT", "Chỉ thị"),
    ("BC", "Báo cáo"),
    ("NQ", "Nghị quyết"),
    ("TTr", "Tờ trình"),
    ("TTR", "Tờ trình"),
    ("CĐ", "Công điện"),
    ("CD", "Công điện"),
    ("HD", "Hướng dẫn"),
    ("GM", "Giấy mời"),
    ("TT", "Thông tư"),
    ("NĐ", "Nghị định"),
    ("ND", "Nghị định"),
    ("CTr", "Chương trình"),
    ("BB", "Biên bản"),
    ("QC", "Quy chế"),
    ("ĐA", "Đề án"),
];

static NUMBER: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?:^\s*(?:s|\$|§)(?:o|\S)\s*(?::|\.|\s)|\s(?:s|\$|§)(?:o|\S)\s*:)\s*(?P<n>[0-9][0-9a-z]*(?:\s*[/\-]\s*[0-9a-z&]+)+)",
    )
});
static PLACE_DATE: LazyLock<Regex> = LazyLock::new(|| {
    re(r",\s*ng\S{1,2}\s+(?P<d>\d{1,2})\s+th\S{1,4}\s+(?P<m>\d{1,2})\s+\S{1,5}\s+(?P<y>\d{4})")
});
static MOTTO: LazyLock<Regex> =
    LazyLock::new(|| re(r"c[o0]ng\s+h[o0]a\s+x[a4]\s+h\S{1,2}\s+ch[u]\s+ngh[i1l]a\s+vi[e]t\s+nam"));
static INDEPENDENCE: LazyLock<Regex> = LazyLock::new(|| {
    // The first word is often misread ("Để lập", "Bảo lập"): any short word before "lập".
    // OCR may wrap "phúc" onto the next line, in a flattened header too.
    re(r"\b\S{1,4}\s+l\S{1,3}p\s*[-–]\s*t\S{1,2}\s+do\s*[-–]\s*h\S{0,2}nh(?:\s+ph\S{1,3}|\s*$)")
});
static VV: LazyLock<Regex> =
    LazyLock::new(|| re(r"^[\s|]*(?:v\s*/\s*v|v[il1]v\b|ve viec)\s*[:.]?\s*"));
/// "V/v" read by OCR and repaired as the word "Vị" or "Và": only right under the date line.
static VV_MISREAD: LazyLock<Regex> = LazyLock::new(|| re(r"^\s*v[ia]\s+[a-z]"));
static KINH_GUI: LazyLock<Regex> = LazyLock::new(|| re(r"^\s*k\S?nh\s+g\S{1,3}\s*[:;]\s*"));
static NOI_NHAN: LazyLock<Regex> = LazyLock::new(|| re(r"^\s*n\S{1,2}\s*nh\S{1,3}\s*[:;.]\s*"));
static DOC_CODE: LazyLock<Regex> = LazyLock::new(|| {
    re(r"\b\d{1,6}(?:/\d{4})?[/\-][A-Z][A-Za-z&]*(?:-\n?[A-Za-z0-9&]+)*(?:/[A-Z][A-Za-z0-9&\-]*)?")
});
static REF_DATE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"^\s*(?:\([^)]{0,40}\)\s*)?,?\s*(?:ky\s+|ban hanh\s+)?ng\S{1,2}\s+(?:(?P<d>\d{1,2})\s*[/\-.]\s*(?P<m>\d{1,2})\s*[/\-.]\s*(?P<y>\d{4})|(?P<d2>\d{1,2})\s+th\S{1,4}\s+(?P<m2>\d{1,2})\s+n\S{1,3}\s+(?P<y2>\d{4}))",
    )
});
static REF_KIND: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\b(?P<k>thong bao|cong van|van ban|quyet dinh|nghi quyet|nghi dinh|chi thi|ke hoach|thong tu|bao cao|cong dien|to trinh|huong dan|luat|chuong trinh)\s*(?:so)?\s*:?\s*$",
    )
});
static CAPACITY_PREFIX: LazyLock<Regex> =
    LazyLock::new(|| re(r"^\s*(?:kt|tm|tl|tuq|q|ttl)\s*[./]"));

const CAPACITY_WORDS: &[&str] = &[
    "pho", "chanh", "phong", "truong", "chu", "tich", "giam", "doc", "ban", "nhiem", "thu", "kt",
    "tm", "tl", "tuq", "uy", "so", "cuc", "vu", "hoi", "dong", "tong", "quyen", "thuong", "truc",
    "bo", "nhan", "dan", "tinh", "noi", "luu", "nhu", "tren", "trung", "tam",
];

fn lines_of(text: &str) -> Vec<(usize, &str)> {
    let mut v = Vec::new();
    let mut pos = 0;
    for l in text.split('\n') {
        v.push((pos, l));
        pos += l.len() + 1;
    }
    v
}

/// The date of day `d`, month `m` and year `y` as written; a zero that OCR read as 6 is put
/// back where the number cannot be (month "62" → 02, year "2623" → 2023), by the same rule
/// as the deadline grammar ([`super::deadline::ocr_digits`]).
fn ymd(y: i64, m: i64, d: i64) -> Option<NaiveDate> {
    use super::deadline::ocr_digits;
    let y = ocr_digits(y, |y| (1945..=2200).contains(&y))?;
    let m = ocr_digits(m, |m| (1..=12).contains(&m))?;
    let d = ocr_digits(d, |d| (1..=31).contains(&d))?;
    NaiveDate::from_ymd_opt(y as i32, u32::try_from(m).ok()?, u32::try_from(d).ok()?)
}

fn cap(c: &regex::Captures<'_>, n: &str) -> Option<i64> {
    c.name(n).and_then(|m| m.as_str().parse().ok())
}

/// Sentence case for a line written in capitals ("KẾT LUẬN CỦA THỦ TƯỚNG" → "Kết luận của thủ
/// tướng"); other lines are returned as they are.
fn sentence_case(s: &str) -> String {
    if upper_ratio(s) < 0.8 {
        return s.to_string();
    }
    let lower = s.to_lowercase();
    let mut cs = lower.chars();
    match cs.next() {
        Some(f) => f.to_uppercase().chain(cs).collect(),
        None => String::new(),
    }
}

/// Whether a line of a title may go on after a blank line: it ends no sentence.
fn continues_after_blank(line: &str) -> bool {
    !line.trim_end().ends_with(['.', ':', ';', '!', '?'])
}

/// Whether a line starts with a small letter (the rest of a sentence wrapped by OCR).
fn starts_in_small_letters(line: &str) -> bool {
    line.trim_start()
        .chars()
        .next()
        .is_some_and(char::is_lowercase)
}

/// Head words of agency names: the word after them starts the proper name.
const AGENCY_HEADS: &[&str] = &[
    "tong cuc",
    "chi cuc",
    "cuc",
    "vu",
    "so",
    "ban",
    "phong",
    "trung tam",
    "vien",
    "van phong",
    "thanh tra",
    "uy ban",
    "hoc vien",
    "truong",
    "benh vien",
    "tap doan",
    "tong cong ty",
    "cong ty",
    "hoi dong",
    "dai",
    "bao",
    "bo",
    "hoi",
];

/// Casing of an agency name written in capitals: "TỔNG CỤC THUẾ" → "Tổng cục Thuế",
/// "SỞ Y TẾ" → "Sở Y tế"; other names are returned as they are.
fn agency_case(s: &str) -> String {
    let s = squash(s);
    if upper_ratio(&s) < 0.8 {
        return s;
    }
    let lower = s.to_lowercase();
    let words: Vec<&str> = lower.split(' ').collect();
    let folded: Vec<String> = words.iter().map(|w| fold_lower(w)).collect();
    let mut head_len = 0;
    for h in AGENCY_HEADS {
        let hw: Vec<&str> = h.split(' ').collect();
        if hw.len() < folded.len()
            && folded.iter().zip(&hw).all(|(a, b)| a == b)
            && hw.len() > head_len
        {
            head_len = hw.len();
        }
    }
    let cap = |w: &str| -> String {
        let mut cs = w.chars();
        match cs.next() {
            Some(f) => f.to_uppercase().chain(cs).collect(),
            None => String::new(),
        }
    };
    words
        .iter()
        .enumerate()
        .map(|(i, w)| {
            if i == 0 || (head_len > 0 && i == head_len) {
                cap(w)
            } else {
                w.to_string()
            }
        })
        .collect::<Vec<String>>()
        .join(" ")
}

fn code_kind(number: &str) -> Option<&'static str> {
    let after = number.split('/').nth(1)?;
    let typ = after.split('-').next()?;
    if !after.contains('-') {
        return None;
    }
    CODE_KINDS.iter().find(|(c, _)| *c == typ).map(|(_, k)| *k)
}

/// Reads the header and footer of a document.
pub fn parse(text: &str) -> Header {
    let dir = Directory::global();
    let lines = lines_of(text);
    let mut h = Header {
        body_end: text.len(),
        ..Header::default()
    };
    let head_n = lines.len().min(40);

    // Issuer lines: above the motto, before it on its line, and before "Độc lập - Tự do".
    let mut issuer_lines: Vec<String> = Vec::new();
    let mut motto_idx = None;
    for (i, (_, l)) in lines.iter().enumerate().take(head_n) {
        if let Some((ms, _)) = super::split::motto_in_line(l) {
            motto_idx = Some(i);
            for (_, pl) in lines.iter().take(i) {
                if is_header_line(pl) {
                    issuer_lines.push(squash(pl));
                }
            }
            let pre = squash(&l[..ms]);
            if pre.chars().filter(|c| c.is_alphabetic()).count() >= 2 {
                issuer_lines.push(pre);
            }
            // The independence line (same or next lines) may carry the issuer's second line.
            for (_, nl) in lines.iter().skip(i).take(3) {
                let fl = Folded::new(nl);
                if let Some(m3) = INDEPENDENCE.find(&fl.text) {
                    let cut = fl.orig(m3.start());
                    let pre = squash(&nl[..cut]);
                    // OCR debris of the rule under the issuer ("on-----") is no name.
                    if pre.chars().filter(|c| c.is_alphabetic()).count() >= 3
                        && upper_ratio(&pre) >= 0.75
                        && !MOTTO.is_match(&fl.text)
                    {
                        issuer_lines.push(pre);
                    }
                    break;
                }
            }
            break;
        }
    }
    let issuer_lines: Vec<String> = issuer_lines
        .into_iter()
        .map(|l| {
            l.trim_matches(|c: char| !c.is_alphanumeric() && c != ')')
                .to_string()
        })
        .filter(|l| l.chars().filter(|c| c.is_alphabetic()).count() >= 2)
        .filter(|l| !NUMBER.is_match(&fold_lower(l)))
        .collect();
    resolve_issuer(dir, &issuer_lines, &mut h);
    h.locality = [h.issuer.as_deref(), h.parent_issuer.as_deref()]
        .into_iter()
        .flatten()
        .find_map(|name| locality_of(dir, name));

    // Number, place and date.
    let mut date_line = None;
    let mut number_line = None;
    for (i, (_, l)) in lines.iter().enumerate().take(head_n) {
        let fl = Folded::new(l);
        if h.number.is_none()
            && let Some(c) = NUMBER.captures(&fl.text)
            && let Some(n) = c.name("n")
        {
            let (s, e) = fl.orig_range(n.start(), n.end());
            let num: String = l[s..e].chars().filter(|c| !c.is_whitespace()).collect();
            if num.contains('/') || num.contains('-') {
                h.number = Some(num);
                number_line = Some((i, e));
            }
        }
        if h.issued_on.is_none()
            && let Some(c) = PLACE_DATE.captures(&fl.text)
        {
            if let (Some(y), Some(m), Some(d)) = (cap(&c, "y"), cap(&c, "m"), cap(&c, "d")) {
                h.issued_on = ymd(y, m, d);
            }
            let m0 = c.get(0).map(|m| m.start()).unwrap_or(0);
            let mut from = 0;
            if let Some((ni, ne)) = number_line
                && ni == i
            {
                from = ne;
            }
            let cut = fl.orig(m0);
            if cut > from {
                let pre = squash(&l[from..cut]);
                // The place is the capitalised words just before ", ngày" (a flattened line
                // may hold the number or the subject before it).
                let words: Vec<&str> = pre.split(' ').collect();
                let mut k = words.len();
                while k > 0
                    && words.len() - k < 5
                    && words[k - 1]
                        .chars()
                        .next()
                        .is_some_and(|c| c.is_uppercase())
                {
                    k -= 1;
                }
                let place = words[k..].join(" ");
                let place = place.trim_matches(|c: char| !c.is_alphabetic()).to_string();
                if !place.is_empty() && place.chars().count() <= 40 {
                    let place = if upper_ratio(&place) > 0.8 {
                        title_case_words(&place)
                    } else {
                        place
                    };
                    // A province name is written in its canonical spelling.
                    let place = match dir.province(&place).or_else(|| dir.province_near(&place)) {
                        Some(p) => {
                            let bare = p
                                .strip_prefix("tỉnh ")
                                .or_else(|| p.strip_prefix("thành phố "))
                                .unwrap_or(p);
                            if fold_lower(bare) == fold_lower(&place)
                                || dir.province(&place).is_none()
                            {
                                bare.to_string()
                            } else {
                                place
                            }
                        }
                        None => place,
                    };
                    h.place = Some(place);
                }
            }
            date_line = Some(i);
        }
    }
    if let Some(p) = &h.place
        && let Some(own) = own_place_near(p, [h.locality.as_deref(), h.province.as_deref()])
    {
        h.place = Some(own);
    }
    if let Some(n) = &h.number {
        h.number = Some(repair_number(n));
    }
    if h.issuer.is_none()
        && let Some(issuer) = h.number.as_deref().and_then(|n| issuer_of_code(dir, n))
    {
        h.issuer = Some(issuer);
    }
    if h.province.is_none()
        && let Some(p) = &h.place
        && !h.issuer.as_ref().is_some_and(|i| is_central(dir, i))
        && let Some(pc) = dir.province(p)
        && (h.issuer.is_some() || pc != "thành phố Hà Nội")
    {
        h.province = Some(pc.to_string());
    }

    // Kind title and subject; "V/v" subject; "Kính gửi".
    let mut last_header_line = date_line
        .or(number_line.map(|x| x.0))
        .or(motto_idx)
        .unwrap_or(0);
    let scan_from = motto_idx.unwrap_or(0);
    let mut i = scan_from;
    let mut vv_subject: Option<String> = None;
    let mut kinh_gui_idx = None;
    while i < head_n.max(scan_from) && i < lines.len() {
        let (_, l) = lines[i];
        let f = fold_lower(l);
        let ft = f.trim();
        if h.kind.is_none()
            && upper_ratio(l) >= 0.8
            && !ft.is_empty()
            && let Some((kw, kind)) = KINDS
                .iter()
                .find(|(k, _)| ft == *k || ft.starts_with(&format!("{k} ")))
        {
            {
                h.kind = Some(kind.to_string());
                let rest = squash(l.trim());
                let rest_words: Vec<&str> = rest.split(' ').skip(kw.split(' ').count()).collect();
                let mut subj: Vec<String> = Vec::new();
                if !rest_words.is_empty() {
                    subj.push(rest_words.join(" "));
                }
                let mut j = i + 1;
                while j < lines.len() && subj.len() < 8 {
                    let (_, sl) = lines[j];
                    let st = sl.trim();
                    if st.is_empty() {
                        if subj.is_empty() && j == i + 1 {
                            j += 1;
                            continue;
                        }
                        // OCR may break a title over blank lines: a line going on in small
                        // letters after one that ends no sentence still belongs to it.
                        if subj.last().is_some_and(|p| continues_after_blank(p))
                            && lines
                                .get(j + 1)
                                .is_some_and(|(_, n)| starts_in_small_letters(n))
                        {
                            j += 1;
                            continue;
                        }
                        break;
                    }
                    let sf = fold_lower(st);
                    if sf.starts_with("can cu")
                        || KINH_GUI.is_match(&sf)
                        || st.starts_with("---")
                        || st.chars().all(|c| c == '-' || c == '_')
                    {
                        break;
                    }
                    subj.push(st.to_string());
                    j += 1;
                }
                if !subj.is_empty() {
                    // Lines in capitals are lowered (the first keeps its capital) and the
                    // agencies they name written canonically.
                    let mut changed = false;
                    let parts: Vec<String> = subj
                        .iter()
                        .enumerate()
                        .map(|(k, line)| {
                            if upper_ratio(line) < 0.8 {
                                return line.clone();
                            }
                            changed = true;
                            if k == 0 {
                                sentence_case(line)
                            } else {
                                line.to_lowercase()
                            }
                        })
                        .collect();
                    let joined = squash(&parts.join(" "));
                    h.subject = Some(if changed {
                        restore_agency_names(dir, &joined)
                    } else {
                        joined
                    });
                }
                last_header_line = last_header_line.max(j.saturating_sub(1));
                i = j;
                continue;
            }
        }
        let misread_vv = date_line.is_some_and(|d| i > d && i <= d + 2)
            && l.trim_start().starts_with('V')
            && kinh_gui_idx.is_none()
            && h.kind.is_none();
        let vv_end = VV.find(&f).map(|m| m.end()).or_else(|| {
            // Keep the first letter of the subject's first word.
            misread_vv
                .then(|| VV_MISREAD.find(&f).map(|m| m.end() - 1))
                .flatten()
        });
        if vv_subject.is_none()
            && let Some(vv_end) = vv_end
        {
            let mut first = l
                .get(Folded::new(l).orig(vv_end)..)
                .map(str::to_string)
                .unwrap_or_default();
            if let Some(p) = &h.place
                && let Some(cut) = first.rfind(p.as_str())
                && PLACE_DATE.is_match(&fold_lower(&first))
            {
                first.truncate(cut);
            }
            let mut parts = vec![first];
            let mut j = i + 1;
            let mut crossed_blank = false;
            while j < lines.len() && parts.len() < 8 {
                let (_, sl) = lines[j];
                let st = sl.trim();
                let sf = fold_lower(st);
                if st.is_empty() {
                    let prev_end = parts
                        .last()
                        .map(|p| p.trim_end().ends_with('.'))
                        .unwrap_or(true);
                    let next = lines.get(j + 1).map(|x| x.1.trim()).unwrap_or("");
                    let next_cont = next
                        .chars()
                        .next()
                        .is_some_and(|c| c.is_lowercase() || c.is_ascii_digit());
                    if crossed_blank || prev_end || !next_cont {
                        break;
                    }
                    crossed_blank = true;
                    j += 1;
                    continue;
                }
                if KINH_GUI.is_match(&sf)
                    || MOTTO.is_match(&sf)
                    || PLACE_DATE.is_match(&sf)
                    || sf.starts_with("doc lap")
                {
                    break;
                }
                parts.push(st.to_string());
                j += 1;
            }
            let s = squash(&parts.join(" ").replace('|', " "));
            let s = s.trim_end_matches(['.', ';', ',']).trim().to_string();
            if !s.is_empty() {
                vv_subject = Some(s);
            }
            last_header_line = last_header_line.max(j.saturating_sub(1));
            i = j;
            continue;
        }
        // "... điện:" opening a công điện's addressees; OCR often reads the colon as ';'.
        let ft = f.trim_end();
        if kinh_gui_idx.is_none()
            && (ft.ends_with("dien:") || ft.ends_with("dien;"))
            && upper_ratio(l) > 0.5
        {
            kinh_gui_idx = Some(i);
            let (items, end) = list_items(&lines, i, l.len());
            for it in items {
                push_recipient(dir, &mut h, &it);
            }
            last_header_line = last_header_line.max(end);
            i = end + 1;
            continue;
        }
        if kinh_gui_idx.is_none() && KINH_GUI.is_match(&f) && f.trim_start().starts_with('k') {
            kinh_gui_idx = Some(i);
            let fl = Folded::new(l);
            let skip = KINH_GUI
                .find(&fl.text)
                .map(|m| fl.orig(m.end()))
                .unwrap_or(0);
            let (items, end) = list_items(&lines, i, skip);
            for it in items {
                push_recipient(dir, &mut h, &it);
            }
            last_header_line = last_header_line.max(end);
            i = end + 1;
            continue;
        }
        i += 1;
    }
    if h.subject.is_none() {
        h.subject = vv_subject.clone();
    }
    if h.kind.is_none() {
        h.kind = h
            .number
            .as_deref()
            .and_then(code_kind)
            .map(str::to_string)
            .or_else(|| {
                (vv_subject.is_some() || h.number.is_some()).then(|| "Công văn".to_string())
            });
    }
    h.body_start = lines
        .get(last_header_line + 1)
        .map(|x| x.0)
        .unwrap_or(text.len())
        .min(text.len());
    if motto_idx.is_none() && h.number.is_none() && h.issued_on.is_none() {
        h.body_start = 0;
    }

    h.addressees = h.recipients.clone();
    footer(dir, text, &lines, &mut h);
    h.references = references(text, h.number.as_deref());
    h
}

/// The letters of a name, folded, in lower case.
fn letters_of(s: &str) -> String {
    fold_lower(s)
        .chars()
        .filter(|c| c.is_alphabetic())
        .collect()
}

/// The issuer's own district, commune or province ("xã Phật Tích") when the place of issue is
/// a misreading of it ("Pháp Tích", "Bộ Nắng" for "Đà Nẵng"): as many words, and within one
/// letter (two for names of six letters or more). `None` when the place is right or far.
fn own_place_near(place: &str, own: [Option<&str>; 2]) -> Option<String> {
    let read = letters_of(place);
    for name in own.into_iter().flatten() {
        let bare = crate::text::layout::ADMINISTRATIVE_UNITS
            .iter()
            .find_map(|u| name.strip_prefix(u))
            .unwrap_or(name);
        let want = letters_of(bare);
        if want == read {
            return None;
        }
        let max = if want.chars().count() >= 6 { 2 } else { 1 };
        if bare.split_whitespace().count() == place.split_whitespace().count()
            && super::agency::edit_distance(&read, &want, max) <= max
        {
            return Some(bare.to_string());
        }
    }
    None
}

/// A document number with English OCR's misreadings of its code put back: a small letter
/// doubling the capital after it ("UBND-kKT" → "UBND-KT"), and an I or an O among capitals,
/// which the initials of Vietnamese syllables hardly ever are, read for a T or a Q
/// ("BGTVI-KCHT" → "BGTVT-KCHT", "BXD-OLN" → "BXD-QLN").
fn repair_number(number: &str) -> String {
    let Some(slash) = number.find('/') else {
        return number.to_string();
    };
    let (head, code) = number.split_at(slash);
    let mut out = String::with_capacity(number.len());
    out.push_str(head);
    let chars: Vec<char> = code.chars().collect();
    // Whether the part of the code holding position `i` is all letters.
    let letters_only = |i: usize| {
        let is_sep = |c: &char| matches!(c, '/' | '-');
        let start = chars[..i].iter().rposition(is_sep).map_or(0, |p| p + 1);
        let end = chars[i..]
            .iter()
            .position(is_sep)
            .map_or(chars.len(), |p| i + p);
        end - start >= 2 && chars[start..end].iter().all(|c| c.is_alphabetic())
    };
    for (i, &c) in chars.iter().enumerate() {
        let next = chars.get(i + 1).copied();
        if c.is_lowercase() && next.is_some_and(|n| n.is_uppercase() && n.to_lowercase().eq([c])) {
            continue;
        }
        let among_capitals =
            |x: Option<char>| x.is_none_or(|x| x.is_uppercase() || x == '-' || x == '/');
        let prev = i.checked_sub(1).and_then(|p| chars.get(p)).copied();
        if matches!(c, 'I' | 'O') && among_capitals(prev) && among_capitals(next) && letters_only(i)
        {
            out.push(if c == 'I' { 'T' } else { 'Q' });
        } else {
            out.push(c);
        }
    }
    out
}

/// The central body whose abbreviation stands in a document number's code ("1168/BYT-KCB" →
/// "Bộ Y tế", "462/TB-VPCP" → "Văn phòng Chính phủ", the kind's code skipped), for a header
/// whose issuer block OCR lost. Local bodies ("UBND") need their place and give `None`.
fn issuer_of_code(dir: &Directory, number: &str) -> Option<String> {
    let code = number
        .split('/')
        .skip(1)
        .filter(|p| p.starts_with(char::is_alphabetic))
        .last()?;
    let mut parts = code.split('-');
    let first = parts.next()?;
    let part = if CODE_KINDS.iter().any(|(k, _)| *k == first) {
        parts.next()?
    } else {
        first
    };
    let ms = dir.find_mentions(part, &Context::default());
    let m = ms.first()?;
    (m.start == 0 && m.end == part.len() && m.level == Level::Central).then(|| m.canonical.clone())
}

/// Writes the agencies of a lowercased title with their canonical names.
fn restore_agency_names(dir: &Directory, s: &str) -> String {
    let ms = dir.find_mentions(s, &Context::default());
    let mut out = String::with_capacity(s.len());
    let mut last = 0;
    for m in ms {
        if m.start < last || m.level == Level::Collective {
            continue;
        }
        out.push_str(&s[last..m.start]);
        out.push_str(&m.canonical);
        last = m.end;
    }
    out.push_str(&s[last..]);
    out
}

fn is_central(dir: &Directory, name: &str) -> bool {
    dir.find_mentions(name, &Context::default())
        .first()
        .is_some_and(|m| m.level == Level::Central)
}

/// Resolves the issuer block: the whole block as one body, or the last line as a unit of the
/// body named above it.
fn resolve_issuer(dir: &Directory, lines: &[String], h: &mut Header) {
    if lines.is_empty() {
        return;
    }
    let ctx = Context::default();
    let joined = lines.join(" ");
    let whole = dir.resolve(&joined, &ctx).or_else(|| {
        // One line damaged by OCR past the directory's spellings.
        (lines.len() == 1)
            .then(|| dir.resolve_near(&joined, &ctx))
            .flatten()
    });
    if let Some(c) = whole {
        set_province(dir, h, &c);
        h.issuer = Some(c);
        return;
    }
    let (last, parents) = match lines.split_last() {
        Some(x) => x,
        None => return,
    };
    let parent_text = parents.join(" ");
    let parent = if parent_text.is_empty() {
        None
    } else {
        Some(
            dir.resolve(&parent_text, &ctx)
                .unwrap_or_else(|| agency_case(&parent_text)),
        )
    };
    if let Some(p) = &parent {
        set_province(dir, h, p);
    }
    let pctx = Context {
        province: h.province.clone(),
        locality: None,
    };
    let last_resolved = dir
        .resolve(last, &pctx)
        .or_else(|| dir.resolve_near(last, &pctx));
    // The locality of a people's committee parent: "tỉnh Kiên Giang", "huyện Châu Thành".
    let parent_locality = parent
        .as_deref()
        .and_then(|p| p.strip_prefix("Ủy ban nhân dân "))
        .map(str::to_string);
    let has_locality = |name: &str| {
        let f = fold_lower(name);
        [" tinh ", " thanh pho ", " huyen ", " thi xa ", " quan "]
            .iter()
            .any(|u| f.contains(u))
    };
    let issuer = if fold_lower(last).trim() == "van phong" {
        match &parent {
            Some(p) => format!("Văn phòng {p}"),
            None => "Văn phòng".to_string(),
        }
    } else {
        let unit = match &last_resolved {
            Some(r) => r.clone(),
            None => agency_case(last),
        };
        match &parent_locality {
            Some(loc) if !has_locality(&unit) => format!("{unit} {loc}"),
            _ => unit,
        }
    };
    h.issuer = Some(issuer);
    h.parent_issuer = parent;
}

/// The district or commune named at the end of an issuer's name ("Ủy ban nhân dân huyện
/// Mường Ảng" → "huyện Mường Ảng"); a city that is a province is not one.
fn locality_of(dir: &Directory, name: &str) -> Option<String> {
    let units = [
        "huyện ",
        "quận ",
        "thị xã ",
        "thành phố ",
        "xã ",
        "phường ",
        "thị trấn ",
        "đặc khu ",
    ];
    let (pos, unit) = units
        .iter()
        .filter_map(|u| name.rfind(&format!(" {u}")).map(|p| (p + 1, *u)))
        .max_by_key(|(p, u)| (*p, std::cmp::Reverse(u.len())))?;
    let (pos, unit) = if unit == "xã " && name.get(..pos)?.ends_with("thị ") {
        (pos - "thị ".len(), "thị xã ")
    } else {
        (pos, unit)
    };
    let place = name.get(pos + unit.len()..)?.trim();
    let proper = !place.is_empty()
        && place.split_whitespace().all(|w| {
            w.chars()
                .next()
                .is_some_and(|c| c.is_uppercase() || c.is_ascii_digit())
        });
    if !proper || (unit == "thành phố " && dir.province(place).is_some()) {
        return None;
    }
    Some(format!("{unit}{place}"))
}

fn set_province(dir: &Directory, h: &mut Header, canonical: &str) {
    if h.province.is_some() {
        return;
    }
    for pre in ["tỉnh ", "thành phố "] {
        if let Some(pos) = canonical.rfind(pre) {
            let tail = &canonical[pos..];
            if let Some(p) = dir.province(tail) {
                h.province = Some(p.to_string());
                return;
            }
        }
    }
}

/// Collects dash items starting at line `i` (text after `skip` bytes of line `i` included);
/// returns the items and the index of the last line used.
fn list_items(lines: &[(usize, &str)], i: usize, skip: usize) -> (Vec<String>, usize) {
    let mut items: Vec<String> = Vec::new();
    let first = lines
        .get(i)
        .and_then(|x| x.1.get(skip..))
        .unwrap_or("")
        .trim();
    let mut last = i;
    if !first.is_empty() {
        items.push(first.trim_start_matches(['-', '+', '•']).trim().to_string());
    }
    let mut j = i + 1;
    let mut blank_run = 0;
    while j < lines.len() && j < i + 40 {
        let t = lines[j].1.trim();
        if t.is_empty() {
            blank_run += 1;
            if blank_run > 1 && !items.is_empty() {
                break;
            }
            j += 1;
            continue;
        }
        let is_item =
            t.starts_with('-') || t.starts_with('+') || t.starts_with('•') || t.starts_with('–');
        if is_item {
            items.push(
                t.trim_start_matches(['-', '+', '•', '–'])
                    .trim()
                    .to_string(),
            );
        } else if let Some(prev) = items.last_mut() {
            let ends = prev.ends_with(';') || prev.ends_with('.');
            if blank_run > 0
                || ends
                || t.chars().count() > 120
                || is_header_line(t) && !t.starts_with('(')
            {
                break;
            }
            prev.push(' ');
            prev.push_str(t);
        } else if items.is_empty() && j == i + 1 && t.chars().count() <= 120 {
            items.push(t.to_string());
        } else {
            break;
        }
        blank_run = 0;
        last = j;
        j += 1;
    }
    // One line holding several addressees separated by ';'.
    let mut out = Vec::new();
    for it in items {
        for part in it.split(';') {
            let p = squash(part);
            let p = p
                .trim_matches(|c: char| c == '.' || c == ',' || c.is_whitespace())
                .to_string();
            if !p.is_empty() {
                out.push(p);
            }
        }
    }
    (out, last)
}

/// Nơi nhận items that are not addressees: "Như trên", archives, the issuer's own units and
/// leaders, reports to superiors.
fn is_internal(item: &str) -> bool {
    let f = fold_lower(item);
    let f = f.trim();
    f.starts_with("nhu tren")
        || f.starts_with("thu tuong")
        || f.starts_with("ttg")
        || f.starts_with("cac pho thu tuong")
        || f.starts_with("pho thu tuong")
        || f.starts_with("nhu dieu")
        || f.starts_with("nhu kinh gui")
        || f.starts_with("chu tich, cac pct")
        || f.starts_with("chu tich va cac pho chu tich")
        || f.starts_with("ct, pct")
        || f.starts_with("luu")
        || f.starts_with("lu:")
        || f.contains("(de b/c)")
        || f.contains("(b/c)")
        || f.contains("de bao cao")
        || f.starts_with("ct va cac pct")
        || f.starts_with("ct, cac pct")
        || f.starts_with("ld")
        || f.starts_with("vpcp:")
        || f.starts_with("lanh dao")
        || f.starts_with("cac vu, cuc")
        || f.starts_with("tro ly")
        || f.starts_with("p.")
        || f.starts_with("website")
        || f.starts_with("cong thong tin")
        || f.starts_with("cong ttdt")
        || f.contains(" pct.")
}

fn push_recipient(dir: &Directory, h: &mut Header, item: &str) {
    // "Các bộ: Công an, Tài chính, Y tế" names several ministries.
    let f = fold_lower(item);
    if let Some(rest) = f.strip_prefix("cac bo:") {
        let skip = item.len() - rest.len();
        if let Some(names) = item.get(skip..) {
            for n in names.split([',', ';']) {
                let n = n.trim().trim_start_matches("và ").trim();
                if !n.is_empty() {
                    push_recipient(dir, h, &format!("Bộ {n}"));
                }
            }
            return;
        }
    }
    // "Ủy ban nhân dân các tỉnh: Lạng Sơn, Cao Bằng" names one body of each province.
    if let Some(p) = f.find("cac tinh:") {
        let fi = Folded::new(item);
        let (ps, pe) = fi.orig_range(p, p + "cac tinh:".len());
        let prefix = item.get(..ps).unwrap_or("").trim();
        if !prefix.is_empty()
            && let Some(names) = item.get(pe..)
        {
            for n in names.split([',', ';']) {
                let n = n.trim().trim_start_matches("và ").trim();
                if !n.is_empty() {
                    push_recipient(dir, h, &format!("{prefix} tỉnh {n}"));
                }
            }
            return;
        }
    }
    let ctx = Context {
        province: h.province.clone(),
        locality: h.locality.clone(),
    };
    let expanded = dir.expand_abbreviations(item);
    let name = dir.resolve(&expanded, &ctx).unwrap_or_else(|| {
        let mut s = squash(&expanded);
        if let Some(f) = s.chars().next()
            && f.is_lowercase()
        {
            s = f.to_uppercase().chain(s.chars().skip(1)).collect();
        }
        s
    });
    // OCR debris from stamps and signatures is not an addressee.
    let words = name
        .split_whitespace()
        .filter(|w| w.chars().filter(|c| c.is_alphabetic()).count() >= 2)
        .count();
    let starts_well = name.chars().next().is_some_and(|c| c.is_alphanumeric());
    if words < 2 || !starts_well || name.contains(['\\', '%', '{', '}', '|', '_']) {
        return;
    }
    let k = fold_lower(&name);
    if !h.recipients.iter().any(|r| fold_lower(r) == k) {
        h.recipients.push(name);
    }
}

fn is_person_name(line: &str) -> bool {
    let t = strip_signed_note(line);
    let t = t.as_str();
    if t.is_empty()
        || t.starts_with('-')
        || t.contains(':')
        || t.chars().any(|c| c.is_ascii_digit())
    {
        return false;
    }
    let words: Vec<&str> = t.split_whitespace().collect();
    if !(2..=5).contains(&words.len()) {
        return false;
    }
    if !words.iter().all(|w| {
        let mut cs = w.chars();
        cs.next().is_some_and(|c| c.is_uppercase()) && cs.all(|c| c.is_alphabetic())
    }) {
        return false;
    }
    let f = fold_lower(t);
    // The title of an attachment ("KẾ HOẠCH", "PHỤ LỤC") is not a name.
    if f.starts_with("phu luc")
        || f.starts_with("danh muc")
        || KINDS
            .iter()
            .any(|(k, _)| f == *k || f.starts_with(&format!("{k} ")))
    {
        return false;
    }
    let hits = f
        .split_whitespace()
        .filter(|w| CAPACITY_WORDS.contains(w))
        .count();
    hits < 2 && !f.starts_with("noi ")
}

/// The capacity written at the end of a "Nơi nhận" line when two columns were flattened
/// ("- Như trên; PHÓ CHỦ TỊCH" → "PHÓ CHỦ TỊCH").
fn caps_tail(line: &str) -> Option<String> {
    let f = fold_lower(line);
    if f.trim_start_matches(['-', ' ']).starts_with("luu") {
        return None;
    }
    let words: Vec<&str> = line.split_whitespace().collect();
    let mut n = 0;
    for w in words.iter().rev() {
        let letters: Vec<char> = w.chars().filter(|c| c.is_alphabetic()).collect();
        if letters.is_empty()
            || !letters.iter().all(|c| c.is_uppercase())
            || w.chars().any(|c| c.is_ascii_digit())
        {
            break;
        }
        n += 1;
    }
    if n < 2 || n >= words.len() {
        return None;
    }
    let tail = words[words.len() - n..].join(" ");
    let tf = fold_lower(&tail);
    let is_capacity = [
        "chu tich", "truong", "giam doc", "chanh", "pho ", "kt.", "tm.", "tl.", "nhiem",
    ]
    .iter()
    .any(|w| tf.contains(w));
    is_capacity.then_some(tail)
}

/// Strips a flattened capacity tail from a "Nơi nhận" item.
fn without_caps_tail(item: &str) -> String {
    match caps_tail(&format!("- {item}")) {
        Some(tail) => item
            .strip_suffix(tail.as_str())
            .unwrap_or(item)
            .trim_end()
            .trim_end_matches([';', ',', '.'])
            .to_string(),
        None => item.to_string(),
    }
}

/// Removes "(Đã ký)" / "(đã ký và đóng dấu)" notes from a signature line.
fn strip_signed_note(line: &str) -> String {
    let t = line.trim();
    let f = fold_lower(t);
    match f.find("(da ky") {
        Some(p) => {
            let cut = Folded::new(t).orig(p);
            t[..cut].trim().to_string()
        }
        None => t.to_string(),
    }
}

/// Ranks and academic titles written before a signer's name ("Thượng tướng", "PGS.TS."), from
/// `dictionaries/signer-titles.txt`, folded and in lower case, longest first.
static SIGNER_TITLES: LazyLock<Vec<String>> = LazyLock::new(|| {
    let mut v: Vec<String> = include_str!("../../dictionaries/signer-titles.txt")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(fold_lower)
        .collect();
    v.sort_by_key(|t| std::cmp::Reverse(t.len()));
    v
});

/// A signature line without its rank or title ("Thượng tướng Lê Quốc Hải" → "Lê Quốc Hải").
fn without_signer_title(line: &str) -> &str {
    let t = line.trim();
    let f = Folded::new(t);
    for title in SIGNER_TITLES.iter() {
        if let Some(rest) = f.text.strip_prefix(title.as_str())
            && rest.starts_with(' ')
        {
            return t.get(f.orig(title.len())..).unwrap_or(t).trim();
        }
    }
    t
}

/// Whether the line above `i` (blank lines aside) is a signing capacity in capitals
/// ("PHÓ CHỦ TỊCH", "KT. GIÁM ĐỐC").
fn below_capacity(lines: &[(usize, &str)], i: usize) -> bool {
    let Some(prev) = lines[..i]
        .iter()
        .rev()
        .map(|x| x.1.trim())
        .find(|t| !t.is_empty())
    else {
        return false;
    };
    let f = fold_lower(prev);
    upper_ratio(prev) >= 0.85
        && f.split(|c: char| !c.is_alphanumeric())
            .any(|w| CAPACITY_WORDS.contains(&w) && w.len() > 2)
}

/// The signer's name on line `i` when it reads as one right under the capacity, though OCR
/// wrote a rank before it or a capital as a small letter ("Hà Trung kiên" → "Hà Trung Kiên").
fn name_below_capacity(lines: &[(usize, &str)], i: usize) -> Option<String> {
    let t = strip_signed_note(lines.get(i)?.1);
    let t = without_signer_title(&t);
    // One word at most, not the first, with its capital read as a small letter.
    let small = t
        .split_whitespace()
        .filter(|w| w.starts_with(char::is_lowercase))
        .count();
    if !t.starts_with(char::is_uppercase) || small > 1 || !below_capacity(lines, i) {
        return None;
    }
    let words: Vec<String> = t
        .split_whitespace()
        .map(|w| {
            let mut cs = w.chars();
            cs.next()
                .map(|f| f.to_uppercase().chain(cs).collect())
                .unwrap_or_default()
        })
        .collect();
    let name = words.join(" ");
    is_person_name(&name).then_some(name)
}

/// Signature block and "Nơi nhận".
fn footer(dir: &Directory, text: &str, lines: &[(usize, &str)], h: &mut Header) {
    let n = lines.len();
    let from = n.saturating_sub(45);
    let is_nn = |l: &str| {
        let f = fold_lower(l);
        NOI_NHAN.is_match(&f) && f.trim_start().starts_with('n')
    };
    // An attachment after the signature opens with its title in capitals.
    let attachment_after = |b: usize| {
        lines
            .iter()
            .skip(b + 1)
            .map(|x| x.1.trim())
            .filter(|t| !t.is_empty())
            .take(3)
            .any(|t| {
                let f = fold_lower(t);
                upper_ratio(t) >= 0.8
                    && (f.starts_with("phu luc")
                        || KINDS
                            .iter()
                            .any(|(k, _)| f == *k || f.starts_with(&format!("{k} "))))
            })
    };
    // A "Nơi nhận" followed closely by the signer's name and then by an attachment.
    let early = (0..n)
        .rev()
        .filter(|&i| lines[i].0 >= h.body_start && is_nn(lines[i].1))
        .find_map(|a| {
            (a + 1..n.min(a + 24))
                .find(|&i| is_person_name(lines[i].1))
                .filter(|&b| attachment_after(b))
                .map(|b| (a, b))
        });
    let (mut name_idx, mut nn_idx) = (None, None);
    if let Some((a, b)) = early {
        nn_idx = Some(a);
        name_idx = Some(b);
    } else {
        // The signer's name: the last line that reads as a person's name.
        for i in (from..n).rev() {
            if is_person_name(lines[i].1) || name_below_capacity(lines, i).is_some() {
                name_idx = Some(i);
                break;
            }
        }
        // "Nơi nhận".
        for i in (from..n).rev() {
            if is_nn(lines[i].1) {
                nn_idx = Some(i);
                break;
            }
        }
    }
    if let Some((_, b)) = early
        && let Some(next) = lines.get(b + 1)
    {
        h.attachment_start = Some(next.0.min(text.len()));
    }
    let block_start = match (nn_idx, name_idx) {
        (Some(a), Some(b)) => a.min(b),
        (Some(a), None) => a,
        (None, Some(b)) => b,
        (None, None) => n,
    };
    // Capacity lines: upper-case lines (or tails) between the body and the name.
    let cap_from = match nn_idx {
        Some(a) => a,
        None => name_idx.map(|b| b.saturating_sub(4)).unwrap_or(n),
    };
    let cap_to = name_idx.unwrap_or(n.min(cap_from + 12));
    let mut caps: Vec<String> = Vec::new();
    let mut cap_first_idx = None;
    for (i, &(_, l)) in lines.iter().enumerate().take(cap_to).skip(cap_from) {
        let mut t = l.trim();
        if Some(i) == nn_idx {
            let fl = Folded::new(l);
            let skip = NOI_NHAN
                .find(&fl.text)
                .map(|m| fl.orig(m.end()))
                .unwrap_or(0);
            t = l.get(skip..).unwrap_or("").trim();
        }
        if t.starts_with('-') || t.starts_with('+') {
            if let Some(tail) = caps_tail(t) {
                caps.push(tail);
                cap_first_idx.get_or_insert(i);
            }
            continue;
        }
        if t.is_empty() {
            continue;
        }
        let letters = t.chars().filter(|c| c.is_alphabetic()).count();
        if letters >= 3 && upper_ratio(t) >= 0.85 && t.chars().count() <= 80 {
            caps.push(squash(t));
            cap_first_idx.get_or_insert(i);
        }
    }
    if nn_idx.is_none() && name_idx.is_some() {
        // Without "Nơi nhận", the capacity lines directly above the name start the footer.
        if let Some(ci) = cap_first_idx {
            h.body_end = lines[ci].0.min(text.len());
        } else if let Some(ni) = name_idx {
            h.body_end = lines[ni].0.min(text.len());
        }
    } else if block_start < n {
        h.body_end = lines[block_start].0.min(text.len());
    }
    if let Some(ci) = cap_first_idx
        && lines[ci].0 < h.body_end
    {
        h.body_end = lines[ci].0;
    }
    if h.body_end < h.body_start {
        h.body_end = text.len();
    }
    if let Some(i) = name_idx {
        let nm = match name_below_capacity(lines, i) {
            Some(name) => name,
            None => squash(&strip_signed_note(lines[i].1)),
        };
        h.signer = Some(if upper_ratio(&nm) > 0.8 {
            title_case_words(&nm)
        } else {
            nm
        });
    }
    let with_prefix = caps
        .iter()
        .position(|c| CAPACITY_PREFIX.is_match(&fold_lower(c)));
    match with_prefix {
        Some(p) => {
            h.signer_capacity = caps.get(p).cloned();
            h.signer_title = caps.get(p + 1).cloned();
        }
        None => h.signer_capacity = caps.first().cloned(),
    }
    if let Some(a) = nn_idx {
        let fl = Folded::new(lines[a].1);
        let skip = NOI_NHAN
            .find(&fl.text)
            .map(|m| fl.orig(m.end()))
            .unwrap_or(0);
        let first_rest = lines[a].1.get(skip..).unwrap_or("");
        let skip = if upper_ratio(first_rest) > 0.85 {
            lines[a].1.len()
        } else {
            skip
        };
        let (items, _) = list_items(lines, a, skip);
        for it in items {
            let it = without_caps_tail(&it);
            if is_internal(&it) || upper_ratio(&it) > 0.85 && !it.contains(',') {
                continue;
            }
            push_recipient(dir, h, &it);
        }
    }
}

/// Cited documents: every document code in the text, with the date that follows it.
pub fn references(text: &str, own: Option<&str>) -> Vec<Reference> {
    let f = Folded::new(text);
    let own_key = own.map(fold_lower);
    let mut out: Vec<Reference> = Vec::new();
    for m in DOC_CODE.find_iter(&f.cased) {
        let (s, e) = f.orig_range(m.start(), m.end());
        let number: String = text[s..e]
            .trim_end_matches(['-', '/'])
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        if !number.chars().any(|c| c.is_uppercase()) {
            continue;
        }
        if own_key.as_deref() == Some(fold_lower(&number).as_str()) {
            continue;
        }
        let after = f.text.get(m.end()..).unwrap_or("");
        let date = REF_DATE.captures(after).and_then(|c| {
            match (cap(&c, "y"), cap(&c, "m"), cap(&c, "d")) {
                (Some(y), Some(mo), Some(d)) => ymd(y, mo, d),
                _ => match (cap(&c, "y2"), cap(&c, "m2"), cap(&c, "d2")) {
                    (Some(y), Some(mo), Some(d)) => ymd(y, mo, d),
                    _ => None,
                },
            }
        });
        let mut from = m.start().saturating_sub(40);
        while from > 0 && !f.text.is_char_boundary(from) {
            from -= 1;
        }
        let kind = REF_KIND
            .captures(f.text.get(from..m.start()).unwrap_or(""))
            .and_then(|c| c.name("k"))
            .and_then(|k| {
                KINDS
                    .iter()
                    .find(|(kw, _)| *kw == k.as_str())
                    .map(|(_, v)| v.to_string())
            })
            .or_else(|| code_kind(&number).map(str::to_string));
        let key = fold_lower(&number);
        if out.iter().any(|r| {
            let k = fold_lower(&r.number);
            k.len() > key.len() && k.starts_with(&key)
        }) {
            continue;
        }
        if let Some(existing) = out.iter_mut().find(|r| fold_lower(&r.number) == key) {
            if existing.issued_on.is_none() {
                existing.issued_on = date;
            }
            if existing.kind.is_none() {
                existing.kind = kind;
            }
            continue;
        }
        out.push(Reference {
            number,
            issued_on: date,
            kind,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flattened_two_column_header() {
        let t = "VĂN PHÒNG CHÍNH PHỦ CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n\nSố: 60/TB-VPCP Hà Nội, ngày 24 tháng 3 năm 2021\n\nTHÔNG BÁO\nKết luận của Thủ tướng\ntại phiên họp\n\nNội dung.\n";
        let h = parse(t);
        assert_eq!(h.issuer.as_deref(), Some("Văn phòng Chính phủ"));
        assert_eq!(h.number.as_deref(), Some("60/TB-VPCP"));
        assert_eq!(h.place.as_deref(), Some("Hà Nội"));
        assert_eq!(h.issued_on, NaiveDate::from_ymd_opt(2021, 3, 24));
        assert_eq!(h.kind.as_deref(), Some("Thông báo"));
        assert_eq!(
            h.subject.as_deref(),
            Some("Kết luận của Thủ tướng tại phiên họp")
        );
    }

    #[test]
    fn damaged_motto_subject_and_addressees_of_a_cong_dien() {
        // The second line of the motto misread ("Để lập"): the district is still the issuer's.
        let t = "ỦY BAN NHÂN DÂN CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nTHỊ XÃ PHÚ MỸ _ Để lập - Tự do - Hạnh phúc\nSố: 118/KH-UBND Phú Mỹ, ngày 26 tháng 02 năm 2024\n\nKẾ HOẠCH\nChuyển đổi số\n\nNội dung.\n";
        let h = parse(t);
        assert_eq!(h.issuer.as_deref(), Some("Ủy ban nhân dân thị xã Phú Mỹ"));
        // "V/v" repaired as "Và" right under the date line.
        let t = "BỘ GIÁO DỤC VÀ ĐÀO TẠO\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\nSố: 5127/BGDĐT-KHCNTT\nHà Nội, ngày 12 tháng 9 năm 2025\nVà triển khai nhiệm vụ chuyển đổi số\nKính gửi: Sở Giáo dục và Đào tạo các tỉnh, thành phố.\n\nNội dung.\n";
        let h = parse(t);
        assert_eq!(
            h.subject.as_deref(),
            Some("triển khai nhiệm vụ chuyển đổi số")
        );
        // The addressees of a công điện after "điện;" (colon read as a semicolon).
        let t = "ỦY BAN NHÂN DÂN\nTỈNH HÀ TĨNH\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\nSố: 04/CĐ-UBND\nHà Tĩnh, ngày 16 tháng 9 năm 2023\n\nCÔNG ĐIỆN\nVề việc ứng phó với bão\n\nCHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH điện;\n\n- Giám đốc các sở, ban, ngành;\n\n- Công an tỉnh.\n\nNội dung.\n";
        let h = parse(t);
        assert_eq!(h.recipients.len(), 2);
        assert!(h.body_start > t.find("Công an tỉnh").unwrap_or(0));
    }

    #[test]
    fn provincial_unit_with_parent() {
        let t = "UBND TỈNH NGHỆ AN\nSỞ Y TẾ\n\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n\nSố: 15/SYT-NVY\n\nNghệ An, ngày 5 tháng 1 năm 2022\n\nV/v tăng cường phòng, chống dịch\n\nKính gửi: Các bệnh viện tuyến tỉnh.\n\nNội dung.\n";
        let h = parse(t);
        assert_eq!(h.issuer.as_deref(), Some("Sở Y tế tỉnh Nghệ An"));
        assert_eq!(
            h.parent_issuer.as_deref(),
            Some("Ủy ban nhân dân tỉnh Nghệ An")
        );
        assert_eq!(h.kind.as_deref(), Some("Công văn"));
        assert_eq!(h.subject.as_deref(), Some("tăng cường phòng, chống dịch"));
        assert_eq!(h.recipients, vec!["Các bệnh viện tuyến tỉnh".to_string()]);
    }

    #[test]
    fn flattened_header_with_the_motto_wrapped_by_ocr() {
        let t = "UBND TỈNH HẢI DƯƠNG CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nSỞ NÔNG NGHIỆP VÀ PHÁT TRIỂN NÔNG THÔN Độc lập - Tự do - Hạnh\nphúc\n\nSố: 1532/SNN-TTBVTV Hải Dương, ngày 14 tháng 9 năm 2022\nV/v triển khai sản xuất vụ Đông năm 2022\n\nKính gửi: Ủy ban nhân dân các huyện.\n";
        let h = parse(t);
        assert_eq!(
            h.issuer.as_deref(),
            Some("Sở Nông nghiệp và Phát triển nông thôn tỉnh Hải Dương")
        );
    }

    #[test]
    fn subject_and_place_on_one_flattened_line() {
        let t = "BỘ Y TẾ CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nSố: 15/BYT-KCB Độc lập - Tự do - Hạnh phúc\nV/v tăng cường khám chữa bệnh Hà Nội, ngày 5 tháng 1 năm 2022\n\nKính gửi: Sở Y tế các tỉnh, thành phố.\n";
        let h = parse(t);
        assert_eq!(h.issuer.as_deref(), Some("Bộ Y tế"));
        assert_eq!(h.number.as_deref(), Some("15/BYT-KCB"));
        assert_eq!(h.place.as_deref(), Some("Hà Nội"));
        assert_eq!(h.subject.as_deref(), Some("tăng cường khám chữa bệnh"));
        assert_eq!(h.issued_on, NaiveDate::from_ymd_opt(2022, 1, 5));
    }

    #[test]
    fn unit_of_a_ministry_and_title_in_capitals() {
        let t = "BỘ TÀI CHÍNH\nTỔNG CỤC THUẾ\n\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n\nSố: 100/TB-TCT\n\nHà Nội, ngày 1 tháng 2 năm 2024\n\nTHÔNG BÁO\nKẾT LUẬN CỦA BỘ TÀI CHÍNH VỀ CÔNG TÁC THU\n\nNội dung.\n";
        let h = parse(t);
        assert_eq!(h.issuer.as_deref(), Some("Tổng cục Thuế"));
        assert_eq!(h.parent_issuer.as_deref(), Some("Bộ Tài chính"));
        assert_eq!(
            h.subject.as_deref(),
            Some("Kết luận của Bộ Tài chính về công tác thu")
        );
    }

    #[test]
    fn kind_and_subject_on_one_title_line() {
        let t = "BỘ Y TẾ\n\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n\nSố: 9/TB-BYT\n\nHà Nội, ngày 1 tháng 2 năm 2024\n\nTHÔNG BÁO KẾT LUẬN\ncủa Bộ trưởng tại cuộc họp giao ban\n\nNội dung.\n";
        let h = parse(t);
        assert_eq!(h.kind.as_deref(), Some("Thông báo"));
        assert_eq!(
            h.subject.as_deref(),
            Some("Kết luận của Bộ trưởng tại cuộc họp giao ban")
        );
    }

    #[test]
    fn references_with_dates() {
        let r = references(
            "Thông báo số 60/TB-VPCP ngày 24/3/2021 và Nghị quyết số 17/NQ-CP ngày 07 tháng 3 năm 2019, Nghị định số 47/2020/NĐ-CP",
            None,
        );
        assert_eq!(r.len(), 3);
        assert_eq!(r[0].number, "60/TB-VPCP");
        assert_eq!(r[0].issued_on, NaiveDate::from_ymd_opt(2021, 3, 24));
        assert_eq!(r[0].kind.as_deref(), Some("Thông báo"));
        assert_eq!(r[1].issued_on, NaiveDate::from_ymd_opt(2019, 3, 7));
        assert_eq!(r[2].number, "47/2020/NĐ-CP");
        assert_eq!(r[2].issued_on, None);
    }

    #[test]
    fn ocr_misreadings_of_the_header() {
        let t = "BỘ TÀI CHÍNH\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n$6: 8815/BTC-NSNN\nHà NG@i, ngày 20 tháng 8 năm 2024\nVị tăng cường quản lý thu ngân sách\nKính gửi: Tổng cục Thuế.\n\nNội dung.\n";
        let h = parse(t);
        assert_eq!(h.number.as_deref(), Some("8815/BTC-NSNN"));
        assert_eq!(h.place.as_deref(), Some("Hà Nội"));
        assert_eq!(
            h.subject.as_deref(),
            Some("tăng cường quản lý thu ngân sách")
        );
        assert_eq!(h.kind.as_deref(), Some("Công văn"));
    }

    #[test]
    fn locality_of_a_district_issuer() {
        let t = "ỦY BAN NHÂN DÂN\nHUYỆN MƯỜNG ẢNG\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nSố: 1/KH-UBND\nMường Ảng, ngày 1 tháng 11 năm 2021\n\nNội dung.\n";
        let h = parse(t);
        assert_eq!(h.locality.as_deref(), Some("huyện Mường Ảng"));
    }

    #[test]
    fn attachment_after_the_signature() {
        let t = "ỦY BAN NHÂN DÂN\nTỈNH BẠC LIÊU\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nSố: 482/QĐ-UBND\nBạc Liêu, ngày 21 tháng 3 năm 2024\n\nQUYẾT ĐỊNH\nBan hành Kế hoạch\n\nĐiều 1. Ban hành Kế hoạch.\n\nNơi nhận:\n- Như Điều 3;\n- Lưu: VT.\nCHỦ TỊCH\n\nLữ Văn Đức\n\nKẾ HOẠCH\nPhát triển thị trường\n\n1. Sở Công Thương tổ chức hội chợ.\n";
        let h = parse(t);
        assert_eq!(h.signer.as_deref(), Some("Lữ Văn Đức"));
        let a = h.attachment_start.unwrap_or(t.len());
        assert!(t[a..].contains("Sở Công Thương tổ chức hội chợ"));
        assert!(!t[h.body_start..h.body_end].contains("hội chợ"));
    }

    #[test]
    fn ocr_damage_of_dates_titles_and_places() {
        // A zero read as 6 in the month; the issuer's own commune read one letter off.
        let t = "ỦY BAN NHÂN DÂN\nXÃ PHẬT TÍCH\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nSố: 145/KH-UBND\nPháp Tích, ngày 08 tháng 62 năm 2023\n\nKẾ HOẠCH\nPhòng, chống bệnh trên đàn\ntrâu, bò\n\ntrên địa bàn xã vụ Đông Xuân\n\nThực hiện Công văn số 1/UBND.\n";
        let h = parse(t);
        assert_eq!(h.issued_on, NaiveDate::from_ymd_opt(2023, 2, 8));
        assert_eq!(h.place.as_deref(), Some("Phật Tích"));
        // A title broken by OCR over blank lines, the body after it left out.
        assert_eq!(
            h.subject.as_deref(),
            Some("Phòng, chống bệnh trên đàn trâu, bò trên địa bàn xã vụ Đông Xuân")
        );
        // A place far from the issuer's is kept as read.
        let t = "ỦY BAN NHÂN DÂN\nTỈNH QUẢNG TRỊ\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nSố: 1/KH-UBND\nHà Nội, ngày 08 tháng 2 năm 2023\n";
        assert_eq!(parse(t).place.as_deref(), Some("Hà Nội"));
    }

    #[test]
    fn issuer_lines_damaged_by_ocr() {
        // Words glued.
        let t = "UBND TỈNH TÂY NINH CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nSONOIVU Độc lập - Tự do - Hạnh phúc\nSố: 641/TTr-SNV Tây Ninh, ngày 16 tháng 4 năm 2019\n";
        assert_eq!(parse(t).issuer.as_deref(), Some("Sở Nội vụ tỉnh Tây Ninh"));
        // The head word lost.
        let t = "UBND TỈNH GIA LAI\n\nQ) NÔNG NGHIỆP VÀ PHÁT TRIỂN NÔNG THÔN\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nSố: 1/SNNPTNT-TT\n";
        assert_eq!(
            parse(t).issuer.as_deref(),
            Some("Sở Nông nghiệp và Phát triển nông thôn tỉnh Gia Lai")
        );
        // A stray mark inside a ministry's name.
        let t = "BỘ TƯ’ PHÁP\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nSố: 187/TB-BTP\n";
        assert_eq!(parse(t).issuer.as_deref(), Some("Bộ Tư pháp"));
        // Debris of the rule under the issuer before "Độc lập".
        let t = "VĂN PHÒNG CHÍNH PHỦ CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\non----- Độc lập - Tự do - Hạnh phúc\nSố: 447/TB-VPCP Hà Nội, ngày 04 tháng 11 năm 2024\n";
        assert_eq!(parse(t).issuer.as_deref(), Some("Văn phòng Chính phủ"));
        // The motto wrapped after "CHỦ".
        let t = "ỦY BAN NHÂN DÂN TỈNH BÌNH THUẬN CỘNG HÒA XÃ HỘI CHỦ\nNGHĨA VIỆT NAM\nVĂN PHÒNG  Độc lập - Tự do - Hạnh phúc\nSố: 2104/TB-VP Bình Thuận, ngày 28 tháng 7 năm 2023\n";
        assert_eq!(
            parse(t).issuer.as_deref(),
            Some("Văn phòng Ủy ban nhân dân tỉnh Bình Thuận")
        );
    }

    #[test]
    fn document_codes_misread_by_ocr() {
        assert_eq!(repair_number("11842/UBND-kKT"), "11842/UBND-KT");
        assert_eq!(repair_number("4915/BXD-OLN"), "4915/BXD-QLN");
        assert_eq!(repair_number("32/CT-TTg"), "32/CT-TTg");
        assert_eq!(repair_number("187/TTr-SNNPTNT"), "187/TTr-SNNPTNT");
        // I and O among capitals: T and Q; parts holding digits keep them.
        assert_eq!(repair_number("15/BOL-X"), "15/BQL-X");
        assert_eq!(repair_number("6034/BGTVI-KCHT"), "6034/BGTVT-KCHT");
        assert_eq!(repair_number("1532/SNN-TTBVIV"), "1532/SNN-TTBVTV");
        assert_eq!(repair_number("202/2025/QH15"), "202/2025/QH15");
        assert_eq!(repair_number("2153/SGDĐT-GDTrH"), "2153/SGDĐT-GDTrH");
    }

    #[test]
    fn issuer_read_from_the_number_when_ocr_lost_the_block() {
        let dir = Directory::global();
        assert_eq!(
            issuer_of_code(dir, "1168/BYT-KCB").as_deref(),
            Some("Bộ Y tế")
        );
        assert_eq!(
            issuer_of_code(dir, "462/TB-VPCP").as_deref(),
            Some("Văn phòng Chính phủ")
        );
        assert_eq!(issuer_of_code(dir, "11/CT-UBND"), None);
        let t = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n\nSố: 1168/BYT-KCB\nHà Nội, ngày 05 tháng 3 năm 2024\nV/v bảo đảm thuốc\n";
        assert_eq!(parse(t).issuer.as_deref(), Some("Bộ Y tế"));
    }

    #[test]
    fn signer_under_the_capacity_despite_ocr() {
        let body = "ỦY BAN NHÂN DÂN\nTỈNH TUYÊN QUANG\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nSố: 12/CT-UBND\n\nNội dung.\n\nNơi nhận:\n- Lưu: VT.\n";
        // A capital read as a small letter.
        let h = parse(&format!("{body}CHỦ TỊCH\n\nHà Trung kiên\n"));
        assert_eq!(h.signer.as_deref(), Some("Hà Trung Kiên"));
        // A rank before the name.
        let h = parse(&format!(
            "{body}KT. BỘ TRƯỞNG\nTHỨ TRƯỞNG\n\nThượng tướng Lê Quốc Hải\n"
        ));
        assert_eq!(h.signer.as_deref(), Some("Lê Quốc Hải"));
        // A sentence in small letters is no name, even under capitals.
        let h = parse(&format!("{body}CHỦ TỊCH\n\nĐã ký và đóng dấu\n"));
        assert_ne!(h.signer.as_deref(), Some("Đã Ký Và Đóng Dấu"));
    }

    #[test]
    fn person_names() {
        assert!(is_person_name("Mai Tiến Dũng"));
        assert!(is_person_name("TRẦN CÔNG DANH"));
        assert!(!is_person_name("PHÓ CHÁNH VĂN PHÒNG"));
        assert!(!is_person_name("- Lưu: VT"));
        assert!(is_person_name("Nguyễn Văn An (Đã ký)"));
        assert!(!is_person_name("KẾ HOẠCH"));
        assert!(!is_person_name("PHỤ LỤC"));
    }
}
