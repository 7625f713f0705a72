//! A grammar for Vietnamese time expressions in directives, and the choice of a task's deadline.
//!
//! Expressions: full dates ("ngày 09/10/2020", "09-10-2020", "ngày 9 tháng 10 năm 2020"),
//! months ("tháng 8/2023", "tháng 10 năm 2020"), quarters ("Quý IV năm 2023", "quý 3/2021"),
//! halves ("6 tháng đầu năm 2023"), years ("năm 2020"), relative periods ("trong vòng 15 ngày
//! kể từ ngày ký") and recurring duties ("hằng tháng", "định kỳ hằng quý ... trước ngày 20").
//! A period resolves to its last day. The words before an expression decide its role: a cue
//! ("trước", "chậm nhất", "hoàn thành trong", "đến") makes it a deadline; a cited document's
//! date, a meeting date, a start date ("bắt đầu từ") or a vision horizon ("tầm nhìn đến năm
//! 2050") is not one. Matching is done on folded text, so unaccented input is read too.

use std::sync::LazyLock;

use chrono::{Datelike, Duration, Months, NaiveDate, Weekday};
use regex::Regex;
use serde::{Deserialize, Serialize};

use super::folded::Folded;
use super::re;

/// How often a recurring duty falls due.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Recurrence {
    /// Every day ("hằng ngày").
    Daily,
    /// Every week ("hằng tuần").
    Weekly,
    /// Every month ("hằng tháng").
    Monthly,
    /// Every quarter ("hằng quý").
    Quarterly,
    /// Every six months ("định kỳ 6 tháng").
    Semiannual,
    /// Every year ("hằng năm").
    Yearly,
}

/// What a time expression stands for in its sentence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// A deadline; the number is the strength of its cue (2: "trước", "chậm nhất",
    /// "hoàn thành"; 1: "trong", "đến"; 0: a bare quarter or half-year).
    Deadline(u8),
    /// The date of a cited document.
    Reference,
    /// The date of a meeting or event.
    Event,
    /// A start date ("bắt đầu từ", "từ ngày").
    Start,
    /// A vision or orientation horizon ("tầm nhìn đến năm 2050").
    Horizon,
    /// Anything else (background, comparisons).
    Plain,
}

/// One time expression found in a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeExpr {
    /// Byte offset where the expression (with its cue, for deadlines) starts.
    pub start: usize,
    /// Byte offset where it ends.
    pub end: usize,
    /// The last day of the period named, when it can be computed.
    pub date: Option<NaiveDate>,
    /// The role of the expression.
    pub role: Role,
}

/// The deadline chosen for a task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deadline {
    /// The due date (last day of the period); `None` for a recurring duty with no day given.
    pub date: Option<NaiveDate>,
    /// The words of the text that state it, e.g. "Hoàn thành trong Quý IV năm 2023".
    pub text: String,
    /// Byte range of `text` in the input.
    pub span: (usize, usize),
    /// Set for recurring duties.
    pub recurrence: Option<Recurrence>,
}

static EXPR: LazyLock<Regex> = LazyLock::new(|| {
    re(concat!(
        r"(?P<recday>\bngay\s+(?P<rd>\d{1,2})\s+(?:hang|moi|cua)\s+(?:thang|quy))",
        r"|(?P<mrange>\bth[a-z]{0,2}ng\s+(?P<r1>\d{1,2})\s*[-–]\s*(?P<r2>\d{1,2})\s*(?:n[a-z]{0,2}m|/|-)\s*(?P<ry>\d{4})\b)",
        r"|(?P<week>\btuan\s+(?:dau|thu nhat)\s+(?:cua\s+)?th[a-z]{0,2}ng\s+(?P<wm>\d{1,2})\b(?:\s*(?:n[a-z]{0,2}m|/|-)\s*(?P<wy>\d{4}))?)",
        r"|(?P<dmy>\b(?:\d{1,2}\s*(?:gio|h)(?:\s*(?:\d{1,2}|[0o]{2}|go)(?:\s*phut)?)?\s*,?\s*)?(?:ngay\s+)?(?P<d1>\d{1,2})\s*[/.\-]\s*(?P<m1>\d{1,2})(?:\s*[/.\-]\s*(?P<y1>\d{4}))?\b)",
        r"|(?P<dmy2>\b(?:\d{1,2}\s*(?:gio|h)(?:\s*(?:\d{1,2}|[0o]{2}|go)(?:\s*phut)?)?\s*,?\s*)?ngay\s+(?P<d2>\d{1,2}|[0o][1li]|[1l][0o])\s+th[a-z]{0,2}ng\s+(?P<m2>\d{1,2})(?:\s*,?\s*(?:n[a-z]{0,2}m|/|-)\s*(?P<y2>\d{4}))?\b)",
        r"|(?P<day>\bngay\s+(?P<d4>\d{1,2})\b)",
        r"|(?P<half>\b(?:(?:0?6|sau)\s+thang|nua)\s+(?P<hw>dau|cuoi)\s+n[a-z]{0,2}m(?:\s+(?P<hy>\d{4}))?)",
        r"|(?P<quarter>\bquy\s+(?P<q>[il]v|[il]{1,3}|[1-4])\b(?:\s*(?:n[a-z]{0,2}m|/|-)\s*(?P<qy>\d{4}))?)",
        r"|(?P<month>\bth[a-z]{0,2}ng\s+(?P<mm>\d{1,2})\b(?:\s*(?:n[a-z]{0,2}m|/|-)\s*(?P<my>\d{4}))?)",
        r"|(?P<year>\bn[a-z]{0,2}m\s+(?P<yy>\d{4})\b)",
        r"|(?P<rel>\b(?P<rn>\d{1,3})\s+(?P<ru>ngay lam viec|ngay|tuan|thang)\b(?P<ra>\s+(?:ke\s+)?tu\s+(?:ngay|khi|thoi diem)\s+(?:ky|ban hanh|nhan|van ban|thong bao|co hieu luc)[a-z ]{0,24})?)",
    ))
});

static CUE: LazyLock<Regex> = LazyLock::new(|| {
    re(concat!(
        r"(?P<cue>\b(?:(?:hoan thanh|xong|thuc hien xong|trinh|bao cao|gui)\s+)?",
        r"(?:truoc|tr[a-z]{1,4}(?:c|de)[^\sa-z0-9]?|cham nhat(?: la)?(?: vao)?|khong muon hon|khong cham hon|han ch(?:ot|e)(?: la)?",
        r"|thoi han(?: hoan thanh| thuc hien)?(?: la)?|muon nhat(?: la)?)",
        r"|\bhoan thanh(?: trong| truoc| vao| xong trong| xong truoc| xong)?|\bxong(?: trong| truoc)?",
        r"|\bthoi gian(?: thuc hien| hoan thanh| trien khai)?",
        r"|\bden(?: het| cuoi| truoc)?|\btrong(?: vong| thoi han| thoi gian)?|\bvao(?: cuoi| dau)?|\bcuoi|\bhet)",
        r"\s*[:,(]?\s*(?:\d{1,2}\s*(?:gio|h)(?:\s*(?:\d{1,2}|[0o]{2}|go)(?:\s*phut)?)?\s*(?:,\s*)?)?$"
    ))
});
static PERIOD_END: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\btu\s+(?:ngay\s+)?\d{1,2}\s*[/.\-]\s*\d{1,2}(?:\s*[/.\-]\s*\d{4})?\s*(?:\d{1,2}\s*gio\s*)?(?:cho\s+)?den\s+(?:het\s+)?(?:ngay\s*)?$",
    )
});
static HORIZON: LazyLock<Regex> =
    LazyLock::new(|| re(r"\b(?:tam nhin|dinh huong|huong den|huong toi)\s+(?:den|toi)?\s*$"));
static REFERENCE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?:\d+(?:/\d{4})?[/\-][a-z][a-z0-9\-/&]*\s*(?:\([^)]{0,20}\))?\s*,?\s*(?:ngay|ky ngay)?|\b(?:ky|ban hanh|duoc ban hanh|dong dau)\s+ngay|\bso\s+\d+[^\s]*\s+ngay)\s*$",
    )
});
static EVENT: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\b(?:phien hop|hoi nghi|cuoc hop|buoi lam viec|hoi thao|khai truong|khai mac|dien ra|to chuc|hop|chieu|sang)\b[^.;\n]{0,90}?\bngay\s*$",
    )
});
/// A meeting or ceremony set for a day ("sẽ chủ trì họp kiểm điểm tiến độ vào ngày 15/10/2025",
/// "Hội nghị sơ kết dự kiến tổ chức vào ngày ..."): the words before a bare "vào" cue, which
/// then dates the event, not a deadline. "hop" alone is left out: folded, "phối hợp" reads so.
static MEETING: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\b(?:phien hop|hoi nghi|cuoc hop|(?:chu tri|to chuc|buoi) hop|hop (?:kiem diem|so ket|tong ket|giao ban|danh gia|ban)|buoi lam viec|hoi thao|khai mac|be mac|dien ra|le (?:ky|khoi|khanh|ra))\b[^.;\n]{0,80}$|\b(?:thu tuong|chu tich|bo truong|giam doc|lanh dao)\b[^.;\n]{0,60}\bse\s[^.;\n]{0,80}$",
    )
});
/// A period reported on, not a deadline: "báo cáo sơ kết 6 tháng đầu năm", "kết quả thực hiện
/// Quý III", "tổng kết năm 2024" (the words right before a period without a cue).
static REPORTED_PERIOD: LazyLock<Regex> =
    LazyLock::new(|| re(r"\b(?:so ket|tong ket|ket qua(?: thuc hien)?|danh gia(?: ket qua)?)\s*$"));
static START: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\b(?:bat dau(?:\s+(?:tu|ke tu))?|ke tu|tu|ap dung tu|co hieu luc(?:\s+(?:tu|ke tu))?|sau)\s*$",
    )
});
static RECURRENCE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\b(?:dinh ky\s+)?(?:hang|moi)\s+(?P<u>ngay|tuan|thang|quy|nam)\b|\bdinh ky\s+(?P<n>0?6 thang|sau thang|nua nam|quy|thang|nam)\b",
    )
});

/// The number of a quarter in Roman or Arabic numerals; English OCR reads I as l ("Il",
/// "lV").
fn roman(q: &str) -> Option<u32> {
    match q.replace('l', "i").as_str() {
        "i" | "1" => Some(1),
        "ii" | "2" => Some(2),
        "iii" | "3" => Some(3),
        "iv" | "4" => Some(4),
        _ => None,
    }
}

/// A number written with letters that English OCR reads for digits ("ol" → 01, "l0" → 10).
fn ocr_number(s: &str) -> Option<i64> {
    s.chars()
        .map(|c| match c {
            'o' => '0',
            'l' | 'i' => '1',
            c => c,
        })
        .collect::<String>()
        .parse()
        .ok()
}

fn num(c: &regex::Captures<'_>, name: &str) -> Option<i64> {
    c.name(name).and_then(|m| m.as_str().parse::<i64>().ok())
}

fn valid_year(y: i64) -> Option<i32> {
    ocr_digits(y, |y| (1945..=2200).contains(&y)).map(|y| y as i32)
}

/// A number that is out of range as read, with a zero misread by OCR as 6 put back ("2623"
/// → 2023, day "36" → 30, month "16" → 10): the value itself when in range, else the first
/// in range of those with one 6, then all of them, read as 0.
pub(super) fn ocr_digits(n: i64, ok: impl Fn(i64) -> bool) -> Option<i64> {
    if ok(n) {
        return Some(n);
    }
    let digits = n.to_string();
    let sixes: Vec<usize> = digits.match_indices('6').map(|(i, _)| i).collect();
    let one = sixes.iter().map(|&i| {
        let mut d = digits.clone();
        d.replace_range(i..=i, "0");
        d
    });
    one.chain(std::iter::once(digits.replace('6', "0")))
        .filter_map(|d| d.parse::<i64>().ok())
        .find(|&v| ok(v))
}

fn last_of_month(y: i32, m: u32) -> Option<NaiveDate> {
    let first = NaiveDate::from_ymd_opt(y, m, 1)?;
    first.checked_add_months(Months::new(1))?.pred_opt()
}

fn add_working_days(mut d: NaiveDate, n: i64) -> Option<NaiveDate> {
    let mut left = n;
    while left > 0 {
        d = d.succ_opt()?;
        if !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) {
            left -= 1;
        }
    }
    Some(d)
}

/// The next date with day-of-month `day` strictly after `after` (monthly duties).
fn next_day_of_month(after: NaiveDate, day: u32) -> Option<NaiveDate> {
    let mut y = after.year();
    let mut m = after.month();
    for _ in 0..14 {
        if let Some(d) = NaiveDate::from_ymd_opt(y, m, day)
            && d > after
        {
            return Some(d);
        }
        m += 1;
        if m > 12 {
            m = 1;
            y += 1;
        }
    }
    None
}

/// The next date with day `day` of a quarter's last month strictly after `after`; with
/// `first`, of a quarter's first month ("trước ngày 15 của tháng đầu quý sau").
fn next_day_of_quarter(after: NaiveDate, day: u32, first: bool) -> Option<NaiveDate> {
    let mut y = after.year();
    let mut m = after.month().div_ceil(3) * 3 - if first { 2 } else { 0 };
    for _ in 0..6 {
        if let Some(d) = NaiveDate::from_ymd_opt(y, m, day)
            && d > after
        {
            return Some(d);
        }
        m += 3;
        if m > 12 {
            m -= 12;
            y += 1;
        }
    }
    None
}

fn char_floor(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// The text with line breaks and tabs as spaces (same byte offsets): an expression wrapped
/// over two lines ("chậm\nnhất ngày 15/7/2024") reads as one.
fn one_line(text: &str) -> String {
    text.replace(['\n', '\r', '\t'], " ")
}

/// Finds the recurrence stated in a text, if any.
pub fn recurrence(text: &str) -> Option<(Recurrence, usize, usize)> {
    let f = Folded::new(&one_line(text));
    // A monthly, quarterly or yearly duty outweighs a daily or weekly one named before it
    // ("chiều thứ Năm hằng tuần; báo cáo định kỳ hằng tháng trước ngày 25").
    let all: Vec<regex::Captures<'_>> = RECURRENCE.captures_iter(&f.text).take(8).collect();
    let short =
        |c: &regex::Captures<'_>| matches!(c.name("u").map(|x| x.as_str()), Some("ngay" | "tuan"));
    let c = all.iter().find(|c| !short(c)).or_else(|| all.first())?;
    let m = c.get(0)?;
    let r = match (
        c.name("u").map(|x| x.as_str()),
        c.name("n").map(|x| x.as_str()),
    ) {
        (Some("ngay"), _) => Recurrence::Daily,
        (Some("tuan"), _) => Recurrence::Weekly,
        (Some("thang"), _) | (_, Some("thang")) => Recurrence::Monthly,
        (Some("quy"), _) | (_, Some("quy")) => Recurrence::Quarterly,
        (Some("nam"), _) | (_, Some("nam")) => Recurrence::Yearly,
        (_, Some(_)) => Recurrence::Semiannual,
        _ => return None,
    };
    let (s, e) = f.orig_range(m.start(), m.end());
    Some((r, s, e))
}

/// Finds every time expression in `text` and classifies it. `issued_on` (the document's date)
/// anchors relative periods and dates written without a year.
pub fn find_all(text: &str, issued_on: Option<NaiveDate>) -> Vec<TimeExpr> {
    let f = Folded::new(&one_line(text));
    find_all_folded(&f, issued_on, recurrence(text).map(|r| r.0))
}

fn find_all_folded(
    f: &Folded,
    issued_on: Option<NaiveDate>,
    rec: Option<Recurrence>,
) -> Vec<TimeExpr> {
    let mut out = Vec::new();
    let doc_year = issued_on.map(|d| d.year());
    for c in EXPR.captures_iter(&f.text) {
        let Some(m) = c.get(0) else { continue };
        let (s, e) = (m.start(), m.end());
        let mut bare_ok = false; // may be a deadline without a cue
        let mut needs_cue = false;
        let mut relative_anchor = false;
        let date: Option<NaiveDate> = if c.name("recday").is_some() {
            let d = num(&c, "rd").unwrap_or(0) as u32;
            let after = issued_on;
            let after_words = f.text.get(e..).unwrap_or("");
            let after_words = after_words.trim_start();
            let first_month = after_words.starts_with("dau quy")
                || after_words.starts_with("dau tien cua quy")
                || after_words.starts_with("thu nhat cua quy");
            let quarterly = m.as_str().ends_with("quy")
                || rec == Some(Recurrence::Quarterly)
                || after_words.starts_with("cuoi quy")
                || first_month;
            // "trước ngày 05 của tháng sau": the report on a month is due in the next one, so
            // the first falls in the month after the document's.
            let next_month = !quarterly
                && ["sau", "tiep theo", "ke tiep"]
                    .iter()
                    .any(|w| after_words.starts_with(w));
            bare_ok = true;
            match after {
                Some(a) if quarterly => next_day_of_quarter(a, d, first_month),
                Some(a) if next_month => {
                    last_of_month(a.year(), a.month()).and_then(|end| next_day_of_month(end, d))
                }
                Some(a) => next_day_of_month(a, d),
                None => None,
            }
        } else if c.name("dmy").is_some() || c.name("dmy2").is_some() {
            let (d, mo, y) = if c.name("dmy").is_some() {
                (num(&c, "d1"), num(&c, "m1"), num(&c, "y1"))
            } else {
                (
                    c.name("d2").and_then(|x| ocr_number(x.as_str())),
                    num(&c, "m2"),
                    num(&c, "y2"),
                )
            };
            let has_ngay = m.as_str().contains("ngay");
            if y.is_none() && !has_ngay {
                // "trước 30/6": only with a cue right before.
                needs_cue = true;
            }
            let d = d.and_then(|d| ocr_digits(d, |d| (1..=31).contains(&d)));
            let mo = mo.and_then(|m| ocr_digits(m, |m| (1..=12).contains(&m)));
            let (Some(d), Some(mo)) = (d, mo) else {
                continue;
            };
            match y.and_then(valid_year) {
                Some(y) => NaiveDate::from_ymd_opt(y, mo as u32, d as u32),
                None if y.is_some() => continue,
                None => {
                    needs_cue = true;
                    let base =
                        doc_year.and_then(|yy| NaiveDate::from_ymd_opt(yy, mo as u32, d as u32));
                    match (base, issued_on) {
                        (Some(b), Some(i)) if b < i && rec != Some(Recurrence::Yearly) => {
                            b.checked_add_months(Months::new(12))
                        }
                        (Some(b), Some(i)) if b < i => b.checked_add_months(Months::new(12)),
                        (b, _) => b,
                    }
                }
            }
        } else if c.name("mrange").is_some() {
            // "Tháng 8 - 9/2022": the end of the last month.
            let mo = num(&c, "r2").unwrap_or(0);
            let Some(y) = num(&c, "ry").and_then(valid_year) else {
                continue;
            };
            if !(1..=12).contains(&mo) {
                continue;
            }
            last_of_month(y, mo as u32)
        } else if c.name("week").is_some() {
            // "trong tuần đầu tháng 9": the 7th of the month.
            let mo = num(&c, "wm").unwrap_or(0);
            if !(1..=12).contains(&mo) {
                continue;
            }
            let y = match num(&c, "wy") {
                Some(y) => match valid_year(y) {
                    Some(y) => Some(y),
                    None => continue,
                },
                None => doc_year,
            };
            let date = y.and_then(|y| NaiveDate::from_ymd_opt(y, mo as u32, 7));
            match (date, issued_on, num(&c, "wy")) {
                (Some(d), Some(i), None) if d < i => d.checked_add_months(Months::new(12)),
                (d, _, _) => d,
            }
        } else if c.name("day").is_some() {
            needs_cue = true;
            let d = num(&c, "d4").unwrap_or(0) as u32;
            match (issued_on, rec) {
                (Some(a), Some(Recurrence::Quarterly)) => next_day_of_quarter(a, d, false),
                (Some(a), Some(Recurrence::Monthly) | None) => next_day_of_month(a, d),
                _ => None,
            }
        } else if c.name("half").is_some() {
            bare_ok = true;
            let y = num(&c, "hy").and_then(valid_year).or(doc_year);
            let first = c.name("hw").map(|x| x.as_str()) == Some("dau");
            y.and_then(|y| {
                NaiveDate::from_ymd_opt(y, if first { 6 } else { 12 }, if first { 30 } else { 31 })
            })
        } else if c.name("quarter").is_some() {
            bare_ok = true;
            let q = c.name("q").and_then(|x| roman(x.as_str()));
            let y = num(&c, "qy").and_then(valid_year).or(doc_year);
            match (q, y) {
                (Some(q), Some(y)) => last_of_month(y, q * 3),
                _ => None,
            }
        } else if c.name("month").is_some() {
            let mo = num(&c, "mm").unwrap_or(0);
            if !(1..=12).contains(&mo) {
                continue;
            }
            let y = match num(&c, "my") {
                Some(y) => match valid_year(y) {
                    Some(y) => Some(y),
                    None => continue,
                },
                None => {
                    needs_cue = true;
                    doc_year
                }
            };
            y.and_then(|y| last_of_month(y, mo as u32))
        } else if c.name("year").is_some() {
            let Some(y) = num(&c, "yy").and_then(valid_year) else {
                continue;
            };
            NaiveDate::from_ymd_opt(y, 12, 31)
        } else if c.name("rel").is_some() {
            let n = num(&c, "rn").unwrap_or(0).clamp(0, 999);
            relative_anchor = c.name("ra").is_some();
            // Counted from an unknown day ("kể từ ngày nhận được ..."): no date can be set.
            if c.name("ra").is_some_and(|a| a.as_str().contains("nhan")) {
                continue;
            }
            needs_cue = !relative_anchor;
            let unit = c.name("ru").map(|x| x.as_str()).unwrap_or("ngay");
            issued_on.and_then(|d| match unit {
                "ngay lam viec" => add_working_days(d, n),
                "tuan" => d.checked_add_signed(Duration::days(n * 7)),
                "thang" => d.checked_add_months(Months::new(n as u32)),
                _ => d.checked_add_signed(Duration::days(n)),
            })
        } else {
            continue;
        };

        let from = char_floor(&f.text, s.saturating_sub(120));
        let prefix = f.text.get(from..s).unwrap_or("");
        let (role, start) = if HORIZON.is_match(prefix) {
            (Role::Horizon, s)
        } else if PERIOD_END.is_match(prefix) {
            // "từ ngày 22/01/2024 đến ngày 05/3/2024": a period of activity, not a deadline.
            (Role::Plain, s)
        } else if let Some(cue) = CUE.captures(prefix).and_then(|cc| cc.name("cue")) {
            let word = cue.as_str();
            let strong = [
                "truoc",
                "cham nhat",
                "khong muon",
                "khong cham",
                "han chot",
                "thoi han",
                "muon nhat",
                "hoan thanh",
                "xong",
            ]
            .iter()
            .any(|w| word.contains(w))
                // "trước" misread by OCR ("trurdéc", "trudéde", "trực"); "hạn chót" as "hạn chế".
                || word.starts_with("tr") && !word.starts_with("trong")
                || word.starts_with("han ch");
            let year_only = c.name("year").is_some();
            // "trong năm 2020" is a deadline; "trong ... ngày" without anchor also. A period
            // counted from the signing ("trong vòng 10 ngày làm việc kể từ ngày ký") is as
            // definite as a date.
            let strength = if strong || relative_anchor { 2 } else { 1 };
            if year_only && word == "vao" {
                (Role::Plain, s)
            } else if word == "vao" && MEETING.is_match(&prefix[..cue.start()]) {
                (Role::Event, s)
            } else {
                (Role::Deadline(strength), from + cue.start())
            }
        } else if REFERENCE.is_match(prefix) && c.name("rel").is_none() {
            (Role::Reference, s)
        } else if START.is_match(prefix) {
            (Role::Start, s)
        } else if relative_anchor || c.name("recday").is_some() {
            (Role::Deadline(1), s)
        } else if EVENT.is_match(prefix) && (c.name("dmy").is_some() || c.name("dmy2").is_some()) {
            (Role::Event, s)
        } else if bare_ok && !needs_cue && !REPORTED_PERIOD.is_match(prefix) {
            (Role::Deadline(0), s)
        } else {
            (Role::Plain, s)
        };
        let role = match role {
            Role::Deadline(_) if needs_cue && start == s && !relative_anchor => Role::Plain,
            r => r,
        };
        let (os, oe) = f.orig_range(start, e);
        out.push(TimeExpr {
            start: os,
            end: oe,
            date,
            role,
        });
    }
    out
}

/// Chooses the deadline of a task text: the deadline expression with the strongest cue (the
/// first one on a tie); a recurring duty without a dated expression gives a deadline with no
/// date. Returns `None` if the text states no deadline.
pub fn parse(text: &str, issued_on: Option<NaiveDate>) -> Option<Deadline> {
    let f = Folded::new(&one_line(text));
    let rec = recurrence(text);
    let exprs = find_all_folded(&f, issued_on, rec.map(|r| r.0));
    let mut best: Option<(&TimeExpr, u8)> = None;
    for x in &exprs {
        if let Role::Deadline(s) = x.role
            && best.is_none_or(|(_, b)| s > b)
        {
            best = Some((x, s));
        }
    }
    match (best, rec) {
        (Some((x, _)), rec) => {
            let (mut s, e) = (x.start, x.end);
            // Include the recurrence word right before ("hằng tháng, trước ngày 20").
            if let Some((_, rs, re_)) = rec
                && re_ <= s
                && s - re_ < 40
            {
                s = rs;
            }
            let text_span = text.get(s..e).unwrap_or("");
            Some(Deadline {
                date: x.date,
                text: super::folded::squash(
                    text_span.trim_matches(|c: char| c == ',' || c == '(' || c.is_whitespace()),
                ),
                span: (s, e),
                recurrence: rec.map(|r| r.0),
            })
        }
        (None, Some((r, s, e))) => Some(Deadline {
            date: None,
            text: super::folded::squash(text.get(s..e).unwrap_or("")),
            span: (s, e),
            recurrence: Some(r),
        }),
        (None, None) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(y, m, day)
    }

    fn due(text: &str) -> Option<NaiveDate> {
        parse(text, d(2020, 9, 30)).and_then(|x| x.date)
    }

    #[test]
    fn full_dates_in_every_form() {
        assert_eq!(
            due("hoàn thành gửi về UBND tỉnh chậm nhất ngày 09/10/2020"),
            d(2020, 10, 9)
        );
        assert_eq!(due("báo cáo trước 09-10-2020"), d(2020, 10, 9));
        assert_eq!(due("trình trước ngày 9 tháng 10 năm 2020"), d(2020, 10, 9));
        assert_eq!(due("không muộn hơn ngày 15.11.2020"), d(2020, 11, 15));
        assert_eq!(
            due("hoan thanh truoc ngay 9 thang 10 nam 2020"),
            d(2020, 10, 9)
        );
        // Without a year: the document's year.
        assert_eq!(due("gửi báo cáo trước ngày 20/12"), d(2020, 12, 20));
        assert_eq!(due("báo cáo trước 15/10"), d(2020, 10, 15));
        assert_eq!(due("đạt 1/2 chỉ tiêu"), None);
        assert_eq!(due("Thời gian thực hiện: tháng 10/2020"), d(2020, 10, 31));
    }

    #[test]
    fn a_meeting_set_for_a_day_is_no_deadline() {
        assert_eq!(
            due(
                "theo dõi, đôn đốc. Chủ tịch sẽ chủ trì họp kiểm điểm tiến độ vào ngày 15/10/2020."
            ),
            None
        );
        assert_eq!(
            due("Hội nghị sơ kết dự kiến tổ chức vào ngày 20/11/2020."),
            None
        );
        // Not a meeting: "phối hợp" folds to "phoi hop".
        assert_eq!(
            due("phối hợp thực hiện, hoàn thành vào ngày 20/11/2020"),
            d(2020, 11, 20)
        );
        assert_eq!(due("nộp hồ sơ vào ngày 20/11/2020"), d(2020, 11, 20));
        // A leader's own visit set for a day.
        assert_eq!(
            due(
                "Giao Văn phòng theo dõi, đôn đốc; Chủ tịch Ủy ban nhân dân tỉnh sẽ trực tiếp kiểm tra tại một số điểm thi vào ngày 27/10/2020."
            ),
            None
        );
    }

    #[test]
    fn a_reported_period_is_no_deadline() {
        assert_eq!(
            due("triển khai thực hiện; báo cáo sơ kết 6 tháng đầu năm và tổng kết năm về Sở Y tế"),
            None
        );
        assert_eq!(due("đánh giá kết quả thực hiện Quý IV năm 2020"), None);
        assert_eq!(due("hoàn thành trong 6 tháng đầu năm 2021"), d(2021, 6, 30));
    }

    #[test]
    fn months_quarters_halves_years() {
        assert_eq!(
            due("đến tháng 7 năm 2021 khai thác, sử dụng chính thức"),
            d(2021, 7, 31)
        );
        assert_eq!(due("hoàn thành trong Tháng 8/2023"), d(2023, 8, 31));
        assert_eq!(
            due("xây dựng nền tảng trong tháng 10 năm 2020"),
            d(2020, 10, 31)
        );
        assert_eq!(due("Hoàn thành trong Quý IV năm 2023"), d(2023, 12, 31));
        assert_eq!(
            due("trình Chính phủ trong Quý III năm 2020"),
            d(2020, 9, 30)
        );
        assert_eq!(due("hoàn thành trong quý 2/2022"), d(2022, 6, 30));
        assert_eq!(due("hoàn thành trong 6 tháng đầu năm 2023"), d(2023, 6, 30));
        assert_eq!(due("trình ban hành trong năm 2020"), d(2020, 12, 31));
        assert_eq!(due("hoàn thành đến cuối năm 2023"), d(2023, 12, 31));
        assert_eq!(due("ban hanh trong nam 2020"), d(2020, 12, 31));
    }

    #[test]
    fn zeros_misread_as_six_in_dates() {
        assert_eq!(
            due("báo cáo kết quả trước ngày 20/16/2024"),
            d(2024, 10, 20)
        );
        assert_eq!(
            due("hoàn thành trước ngày 36 tháng 9 năm 2023"),
            d(2023, 9, 30)
        );
        assert_eq!(due("hoàn thành trong Quý III năm 2622"), d(2022, 9, 30));
        // A valid date is taken as read; a fraction is no date.
        assert_eq!(due("hoàn thành trước ngày 16/6/2024"), d(2024, 6, 16));
        assert_eq!(due("đạt 36/60 xã"), None);
    }

    #[test]
    fn a_day_of_the_next_month_falls_after_the_documents_month() {
        // Issued on 4 October: the report on October is due on 5 November, not 5 October.
        let due_on = |text: &str| parse(text, d(2024, 10, 4)).and_then(|x| x.date);
        assert_eq!(
            due_on("định kỳ hằng tháng báo cáo trước ngày 05 của tháng sau"),
            d(2024, 11, 5)
        );
        assert_eq!(
            due_on("hằng tháng, chậm nhất ngày 10 của tháng tiếp theo"),
            d(2024, 11, 10)
        );
        // Without "sau" the next such day after the document.
        assert_eq!(due_on("báo cáo trước ngày 20 hằng tháng"), d(2024, 10, 20));
    }

    #[test]
    fn deadline_text_keeps_the_cue() {
        let x = parse("Hoàn thành trong Quý IV năm 2023.", None);
        assert_eq!(
            x.as_ref().map(|x| x.text.as_str()),
            Some("Hoàn thành trong Quý IV năm 2023")
        );
        assert_eq!(x.and_then(|x| x.date), d(2023, 12, 31));
    }

    #[test]
    fn a_period_from_the_signing_is_as_strong_as_a_date() {
        // Issued on Tuesday 14 May 2024: ten working days end on 28 May; the first of the two
        // deadlines is the task's.
        let x = parse(
            "phê duyệt chỉ tiêu trong vòng 10 ngày làm việc kể từ ngày ký Thông báo này; công bố điểm chuẩn trước ngày 15/7/2024.",
            d(2024, 5, 14),
        );
        assert_eq!(x.as_ref().and_then(|x| x.date), d(2024, 5, 28));
        assert_eq!(
            x.map(|x| x.text),
            Some("trong vòng 10 ngày làm việc kể từ ngày ký Thông báo này".to_string())
        );
    }

    #[test]
    fn relative_periods_count_from_the_document_date() {
        assert_eq!(
            due("báo cáo trong vòng 15 ngày kể từ ngày ký"),
            d(2020, 10, 15)
        );
        assert_eq!(due("trong thời hạn 05 ngày làm việc"), d(2020, 10, 7));
        assert_eq!(
            parse("trong vòng 15 ngày kể từ ngày ký", None).and_then(|x| x.date),
            None
        );
    }

    #[test]
    fn strongest_cue_wins() {
        let t = "cung cấp dịch vụ công đạt mục tiêu 30% trong năm 2020; xây dựng nền tảng trong tháng 10/2020 (hoàn thành gửi về UBND tỉnh chậm nhất ngày 09/10/2020).";
        assert_eq!(due(t), d(2020, 10, 9));
    }

    #[test]
    fn time_of_day_between_cue_and_date() {
        assert_eq!(
            due("hoàn thành trước 17 giờ ngày 26/10/2022"),
            d(2022, 10, 26)
        );
        let x = parse("báo cáo trước 16 giờ hằng ngày", d(2022, 10, 25));
        assert_eq!(x.and_then(|x| x.recurrence), Some(Recurrence::Daily));
    }

    #[test]
    fn recurring_duties() {
        let x = parse(
            "Hằng tháng, Bộ Thông tin và Truyền thông thống kê tỷ lệ",
            d(2020, 9, 22),
        );
        assert_eq!(
            x.as_ref().and_then(|x| x.recurrence),
            Some(Recurrence::Monthly)
        );
        assert_eq!(x.and_then(|x| x.date), None);
        let y = parse("định kỳ hằng quý báo cáo trước ngày 20", d(2023, 7, 31));
        assert_eq!(
            y.as_ref().and_then(|x| x.recurrence),
            Some(Recurrence::Quarterly)
        );
        assert_eq!(y.and_then(|x| x.date), d(2023, 9, 20));
        let z = parse("báo cáo trước ngày 25 hằng tháng", d(2023, 7, 31));
        assert_eq!(
            z.as_ref().and_then(|x| x.recurrence),
            Some(Recurrence::Monthly)
        );
        assert_eq!(z.and_then(|x| x.date), d(2023, 8, 25));
    }

    #[test]
    fn quarterly_duties_due_in_the_first_or_last_month_of_a_quarter() {
        let due_on =
            |text: &str, issued: Option<NaiveDate>| parse(text, issued).and_then(|x| x.date);
        // The first month of the next quarter: October for a letter of early October.
        assert_eq!(
            due_on(
                "Định kỳ hằng quý, gửi báo cáo trước ngày 15 của tháng đầu quý sau",
                d(2023, 10, 6)
            ),
            d(2023, 10, 15)
        );
        // Issued after the 15th of a quarter's first month: the next quarter's.
        assert_eq!(
            due_on(
                "định kỳ hằng quý báo cáo trước ngày 10 của tháng đầu quý sau",
                d(2024, 1, 20)
            ),
            d(2024, 4, 10)
        );
        // Across the year end.
        assert_eq!(
            due_on(
                "hằng quý, trước ngày 05 của tháng đầu quý sau",
                d(2022, 11, 2)
            ),
            d(2023, 1, 5)
        );
        // The last month of the quarter.
        assert_eq!(
            due_on(
                "Định kỳ hằng quý, báo cáo trước ngày 15 của tháng cuối quý",
                d(2022, 5, 16)
            ),
            d(2022, 6, 15)
        );
    }

    #[test]
    fn non_deadlines() {
        // Cited document dates.
        assert_eq!(
            due("thực hiện Thông báo số 60/TB-VPCP ngày 24/3/2021 của Văn phòng Chính phủ"),
            None
        );
        assert_eq!(due("theo Nghị quyết số 01/NQ-CP năm 2021"), None);
        // Meeting dates.
        assert_eq!(
            due("tại phiên họp Ủy ban Quốc gia về Chính phủ điện tử ngày 10/3/2021"),
            None
        );
        // Start dates.
        assert_eq!(due("bắt đầu từ ngày 01/01/2021 thực hiện"), None);
        assert_eq!(due("áp dụng từ tháng 01/2021"), None);
        // Vision horizons.
        assert_eq!(due("giai đoạn 2021-2025, định hướng đến năm 2030"), None);
        assert_eq!(due("tầm nhìn đến năm 2050"), None);
        // Background.
        assert_eq!(due("tăng 5,2 lần so với tháng 02 năm 2020"), None);
    }

    #[test]
    fn time_of_day_with_minutes_before_a_date() {
        let x = parse("hoàn thành trước 10 giờ 00 ngày 28/7/2025", d(2025, 7, 22));
        assert_eq!(x.as_ref().and_then(|x| x.date), d(2025, 7, 28));
        assert_eq!(
            x.map(|x| x.text).as_deref(),
            Some("hoàn thành trước 10 giờ 00 ngày 28/7/2025")
        );
    }

    #[test]
    fn first_week_of_a_month_and_month_ranges() {
        assert_eq!(due("gửi báo cáo trong tuần đầu tháng 11"), d(2020, 11, 7));
        // A month already past in the document's year is next year's.
        assert_eq!(due("trong tuần đầu tháng 3"), d(2021, 3, 7));
        assert_eq!(due("hoàn thành trong Tháng 8 - 9/2022"), d(2022, 9, 30));
    }

    #[test]
    fn periods_and_unknown_anchors_are_no_deadline() {
        assert_eq!(
            due("thời gian kiểm tra từ ngày 22/01/2024 đến ngày 05/3/2024"),
            None
        );
        assert_eq!(
            due("trực 24/24 giờ (từ ngày 26/01/2023 đến hết ngày 05/4/2023)"),
            None
        );
        assert_eq!(
            due("trong thời hạn 10 ngày làm việc kể từ ngày nhận được hướng dẫn"),
            None
        );
        // Still a deadline when counted from the signature.
        assert_eq!(
            due("trong vòng 20 ngày kể từ ngày ban hành"),
            d(2020, 10, 20)
        );
    }

    #[test]
    fn expression_wrapped_over_two_lines() {
        assert_eq!(
            due("thẩm định phương án giá đất cụ thể chậm\nnhất ngày 15/7/2024."),
            d(2024, 7, 15)
        );
    }

    #[test]
    fn monthly_duty_outweighs_a_weekly_one() {
        let x = parse(
            "báo cáo vào chiều thứ Năm hằng tuần; báo cáo định kỳ hằng tháng trước ngày 25",
            d(2025, 9, 10),
        );
        assert_eq!(
            x.as_ref().and_then(|x| x.recurrence),
            Some(Recurrence::Monthly)
        );
        assert_eq!(x.and_then(|x| x.date), d(2025, 9, 25));
    }

    #[test]
    fn cues_and_numbers_misread_by_ocr() {
        // "trước" misread and left unrepaired.
        assert_eq!(due("gian hàng trurdéc ngày 05/4/2024."), d(2024, 4, 5));
        assert_eq!(due("về Sở trực ngày 30/9/2024."), d(2024, 9, 30));
        assert_eq!(due("báo cáo trudéc¢ ngày 25/10/2020"), d(2020, 10, 25));
        // "hạn chót" read as "hạn chế".
        assert_eq!(
            due("báo cáo kết quả, hạn chế ngày 28/02/2023."),
            d(2023, 2, 28)
        );
        // Minutes "00" read as "Gỗ"; a day "01" as "OL".
        assert_eq!(due("trước 17 giờ Gỗ ngày 28/6/2024"), d(2024, 6, 28));
        assert_eq!(due("trước ngày OL tháng 5 năm 2025"), d(2025, 5, 1));
        // Roman numerals with I read as l.
        assert_eq!(due("hoàn thành trong Quý Il năm 2021"), d(2021, 6, 30));
        assert_eq!(due("hoàn thành trong Quý lV năm 2021"), d(2021, 12, 31));
        // Words that are no cue stay none.
        assert_eq!(due("trực tiếp ngày 28/6/2024"), None);
    }

    #[test]
    fn find_all_classifies() {
        let xs = find_all(
            "Thông báo số 60/TB-VPCP ngày 24/3/2021; hoàn thành trước ngày 30/6/2021",
            None,
        );
        assert_eq!(xs.len(), 2);
        assert_eq!(xs[0].role, Role::Reference);
        assert_eq!(xs[1].role, Role::Deadline(2));
        assert_eq!(xs[1].date, d(2021, 6, 30));
    }
}
