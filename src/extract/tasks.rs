//! Segmenting a directive's body into tasks.
//!
//! The body is cut into items by their markers (Roman and Arabic numbers, letters "a)",
//! dashes, "+"), each item knowing the agencies named by the items above it. An item or
//! sentence is a task when it names who must act:
//! - "Giao / Đề nghị / Yêu cầu X (chủ trì), phối hợp với Y ..." (X leads, Y supports);
//! - "X chủ trì, phối hợp với Y ..." at the start of a clause;
//! - an item starting with agencies ("- Bộ Công an đẩy nhanh ...", "- Bộ TT&TT: Khẩn trương ...",
//!   "Về ..., các bộ, ngành, địa phương đẩy mạnh ...");
//! - an item under a heading naming agencies ("3. Bộ Thông tin và Truyền thông" then "a) ...");
//!   a short numbered heading without final punctuation heads the unmarked paragraph after
//!   it ("5. Ban nhân dân các ấp", blank line, "Vận động ..."), unless OCR cut it at the page
//!   width;
//! - a class of bodies named by what they are ("Các chủ đầu tư báo cáo ...");
//! - "đề nghị Quý cơ quan ..." (the addressees lead).
//!
//! Statements of views, background and results (no agency bound to act, "đã ...", "Biểu
//! dương ...") and closing formulas ("... thông báo để ... biết, thực hiện") are not tasks.

use std::sync::LazyLock;

use chrono::NaiveDate;
use regex::Regex;

use super::agency::{Context, Directory, Level, Mention};
use super::deadline;
use super::folded::{Folded, squash};
use super::{Task, re};

static MARKER: LazyLock<Regex> = LazyLock::new(|| {
    re(concat!(
        r"^[ \t]*(?:(?P<roman>(?:i{1,3}|iv|v|vi{1,3}|ix|x)\.)\s|(?P<num>\d{1,2}(?:\.\d{1,2}){0,3})[.)]\s|(?P<letter>[a-zđ])\)\s*",
        r"|(?P<dash>[-–—•])\s*|(?P<plus>\+)\s*|(?P<part>phan\s+(?:thu\s+)?[ivx1-9]+)\b|(?P<article>dieu\s+\d{1,3})\s*[.:]\s*)"
    ))
});
/// "Giao", "Đề nghị", ...; the short word before "nghị" is often misread by OCR ("a nghị",
/// "bộ nghị" for "đề nghị").
static ASSIGN: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\b(?:giao(?:\s+cho)?|[a-z]{1,2}\s+nghi|yeu\s+cau|chi\s+dao|phan\s+cong|uy\s+quyen\s+cho)\s+",
    )
});
static LEAD_VERB: LazyLock<Regex> = LazyLock::new(|| re(r"^\s*(?:lam\s+dau\s+moi\s+)?chu\s+tri\b"));
static SUPPORT: LazyLock<Regex> = LazyLock::new(|| {
    re(r"\b(?:phoi\s+hop(?:\s+chat\s+che)?(?:\s+voi)?|voi\s+su\s+phoi\s+hop\s+cua|cung\s+voi)\s+")
});
static TITLE_GAP: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"^\s*[:(\-]?\s*(?:(?:pho\s+)?(?:giam\s+doc|chu\s+tich|thu\s+truong|truong\s+ban|chanh\s+van\s+phong|cuc\s+truong|vu\s+truong|tong\s+giam\s+doc|chi\s+cuc\s+truong|bo\s+truong|chu\s+nhiem|tong\s+cuc\s+truong|chanh\s+thanh\s+tra|chi\s+huy\s+truong|tong\s+bien\s+tap|hieu\s+truong|vien\s+truong|tu\s+lenh)(?:\s+cac)?\s*)?$",
    )
});
/// A result rather than a duty: "đã" or "chưa" early in the clause. Matched on the original
/// lower-cased text, since folding makes "chữa" (cháy) read as "chưa".
static RESULT: LazyLock<Regex> =
    LazyLock::new(|| re(r"^.{0,80}?(?:^|[\s,;(])(?:chưa|đã|chua|da)\s"));
static AGENCY_HEAD: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"^\s*(?:trung tam|so|ban|phong|cuc|chi cuc|benh vien|vien|truong|dai|bao|hoi|cong ty|tong cong ty|van phong|thanh tra|kho bac|bao hiem|tap doan|hoc vien|dai hoc|tong cuc|vu|uy ban|uybnd|ubnd|doan|lien doan|quy|ngan hang|cong an|bo chi huy|tram)\s+\S",
    )
});
static LEADER_SUBJECT: LazyLock<Regex> =
    LazyLock::new(|| re(r"\b(?:thu tuong|chu tich|bo truong|lanh dao|giam doc|ban thuong vu)\b"));
/// The words that end the name of an assigned body missing from the directory by stating its
/// role: "Giao Ban Quản lý dự án đầu tư xây dựng quận chủ trì", "... xã là cơ quan thường
/// trực", "Trung tâm Khuyến nông quốc gia phối hợp với ...".
static ROLE_END: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\s*(?:,\s*)?\b(?:lam\s+dau\s+moi|la\s+dau\s+moi|lam\s+co\s+quan|la\s+co\s+quan|la\s+don\s+vi|chu\s+tri|phoi\s+hop)\b",
    )
});
/// Verbs that start what a body must do, ending its name when written in lower case
/// ("Viện Bảo tồn di tích khảo sát ...", "Vụ Kế hoạch - Tài chính cân đối ..."). Words that
/// also begin names ("Quản lý", "Thông tin") are left out.
static ACTION: LazyLock<Regex> = LazyLock::new(|| {
    re(concat!(
        r"\b(?:to\s+chuc|thuc\s+hien|tham\s+muu|huong\s+dan|theo\s+doi|xay\s+dung|trien\s+khai|ra\s+soat",
        r"|bao\s+cao|tong\s+hop|khao\s+sat|bao\s+dam|dam\s+bao|can\s+doi|bo\s+tri|kiem\s+tra|nghien\s+cuu",
        r"|de\s+xuat|hoan\s+thien|hoan\s+thanh|chi\s+dao|tang\s+cuong|day\s+manh|cap\s+nhat|dieu\s+tra",
        r"|xu\s+ly|tiep\s+nhan|tuyen\s+truyen|van\s+dong|cung\s+cap|giam\s+sat|don\s+doc|chuan\s+bi",
        r"|thu\s+thap|tap\s+trung|khan\s+truong|chu\s+dong|nang\s+cap|danh\s+gia|xac\s+minh|cong\s+bo",
        r"|dang\s+tai|chiu\s+trach\s+nhiem|duy\s+tri|bo\s+sung|sua\s+doi|trinh|gui|lap|phat\s+hanh",
        r"|quan\s+trac|thong\s+ke|kiem\s+ke|phan\s+bo|thanh\s+tra|tiep\s+tuc|khan\s+cap|day\s+nhanh",
        r"|uu\s+tien|quan\s+tam|phat\s+huy|ho\s+tro|lam\s+tot|van\s+hanh|kien\s+toan|khac\s+phuc",
        r"|san\s+sang|thuong\s+xuyen|sua\s+chua|ra\s+quan|mo\s+rong|giai\s+quyet|kiem\s+diem)\b",
    ))
});
/// Words after a collective that narrow it: "có khu công nghiệp", "ven biển", "biên giới",
/// "là thành viên ...".
static QUALIFIER: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"^\s+(?:co|ven|vung|mien|bien\s+gioi|thuoc\s+dien|nam\s+tren|(?:la\s+)?thanh\s+vien|moi\s+thanh\s+lap|duoc\s+thanh\s+lap)\b",
    )
});
/// "có" starting a duty rather than a qualifier ("có trách nhiệm", "có văn bản").
static NOT_QUALIFIER: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"^\s+co\s+(?:trach\s+nhiem|y\s+kien|van\s+ban|bao\s+cao|ke\s+hoach|the|lien\s+quan|nhiem\s+vu)\b",
    )
});
/// An introduction by which the issuer hands out tasks ("Bộ Công an giao:"): the issuer named
/// in it does not lead the items below.
static ASSIGNER_INTRO: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\b(?:giao|phan\s+cong)(?:\s+nhiem\s+vu)?(?:\s+(?:cho\s+)?cac\s+don\s+vi)?(?:\s+nhu\s+sau)?\s*[:;]\s*$",
    )
});
/// An agency missing from the directory, named up to its level word and followed by what it
/// must do: "Liên đoàn Lao động tỉnh lập danh sách ...".
static UNIT_THEN_VERB: LazyLock<Regex> =
    LazyLock::new(|| re(r"\s(?P<unit>tinh|huyen|thanh pho|quan|thi xa)\s+[a-z]"));
/// A class of bodies on the territory: "Các doanh nghiệp xuất khẩu cà phê trên địa bàn tỉnh".
static TERRITORY_CLASS: LazyLock<Regex> = LazyLock::new(|| {
    re(r"^(?P<name>cac\s[^.;:()]{3,90}?\stren\s+dia\s+ban\s+(?:tinh|huyen|thanh pho|quan|xa))\s")
});
/// A class of bodies named by what they are, at the start of a clause: "Các chủ đầu tư báo
/// cáo ...", "Các doanh nghiệp xuất khẩu cà phê định kỳ hằng quý gửi ...". The name runs to
/// the first verb of the duty ([`ACTION`]) or to [`CLASS_END`].
static BODY_CLASS: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"^cac\s+(?:doanh\s+nghiep|chu\s+dau\s+tu|nha\s+dau\s+tu|nha\s+thau|hop\s+tac\s+xa|ngan\s+hang|to\s+chuc\s+tin\s+dung|benh\s+vien|co\s+so\s+(?:y\s+te|giao\s+duc|kham)|truong|chi\s+nhanh|cong\s+ty|tap\s+doan|tong\s+cong\s+ty|hiep\s+hoi|ban\s+quan\s+ly|chu\s+(?:co\s+so|phuong\s+tien|tau|rung|ho\s+chua|dap|cong\s+trinh)|don\s+vi\s+(?:du\s+toan|su\s+nghiep\s+cong\s+lap))\b",
    )
});
/// Words that end the name of a [`BODY_CLASS`] besides a verb: a recurrence, a role, a duty.
static CLASS_END: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\b(?:dinh\s+ky|hang\s+(?:thang|quy|nam)|chu\s+tri|phoi\s+hop|co\s+trach\s+nhiem|can\s+cu|nghiem\s+tuc)\b",
    )
});
static UNKNOWN_LEAD_END: LazyLock<Regex> =
    LazyLock::new(|| re(r"\s*(?:,\s*)?(?:lam\s+dau\s+moi\s+)?chu\s+tri\b|\s*:\s*$"));
static GAP: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"^[\s,;/&]*(?:va|cung|,)?[\s,;/&]*(?:(?:pho\s+)?(?:thu truong|chu tich|giam doc|cuc truong|chi cuc truong|vu truong|truong ban|chanh van phong|chanh thanh tra|tong giam doc|chu nhiem|chi huy truong|tong bien tap|hieu truong|vien truong|tu lenh)(?:\s+cac)?\s+)?$",
    )
});
static NOT_ACTION: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"^\s*[:,]?\s*(?:da|dang|duoc|co\s+\d|co\s+y\s+kien|la|cua|tai|thi|se|con|chua|cung\s+da|nam|cho\s+biet|nhan\s+duoc|thong\s+bao|thong\s+qua|dong\s+y|nhat\s+tri|thong\s+nhat|ket\s+luan|nhan\s+manh|danh\s+gia|ghi\s+nhan|bieu\s+duong|hoan\s+nghenh|cho\s+rang|nhan\s+thay|kinh\s+trinh|bao\s+cao\s+(?:ket\s+qua|tinh\s+hinh)\s+(?:nhu|ve))\b",
    )
});
/// The closing sentence of a letter ("Yêu cầu các cơ quan, đơn vị nghiêm túc triển khai thực
/// hiện./.", "... trân trọng báo cáo./.", "kính trình ... xem xét, quyết định./."), when it
/// ends the text with "/.".
static CLOSING_FORMULA: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?:nghiem tuc|khan truong)[^.]{0,40}(?:trien khai|thuc hien)|thuc hien nghiem tuc|quan tam[^.]{0,30}(?:chi dao|phoi hop|thuc hien)|tap trung chi dao thuc hien|tran trong|kinh trinh|xem xet,? quyet dinh|yeu cau cac co quan,? don vi(?: lien quan)? (?:trien khai|thuc hien)|mong nhan duoc|de duoc huong dan|truyen dat y kien|phan anh ve",
    )
});
/// The title of a section of requests to superiors ("III. ĐỀ XUẤT, KIẾN NGHỊ").
static REQUESTS: LazyLock<Regex> = LazyLock::new(|| {
    re(r"^\s*(?:(?:de xuat|kien nghi)(?:\s*(?:,|va)\s*(?:de xuat|kien nghi))?)\s*:?\s*$")
});
/// Beginnings that are not agency names although they start like one ("Ban hành ...").
static NOT_NAME: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"^\s*(?:ban hanh|ban giao|so sanh|phong chong|phong ngua|truong hop|hoi nghi|bao dam|bao cao|quy dinh|quy che)\b",
    )
});
static DEADLINE_LABEL: LazyLock<Regex> =
    LazyLock::new(|| re(r"^\s*(?:thoi han(?: hoan thanh| thuc hien)?|thoi gian hoan thanh)\s*:"));
static CLOSING: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"thong bao (?:de|y kien|ket luan|den)|biet,?\s+(?:va\s+)?(?:to chuc\s+)?thuc hien|^\s*trong qua trinh (?:thuc hien|trien khai)|^\s*(?:bieu duong|danh gia cao|ghi nhan|hoan nghenh|tren day la)|chiu trach nhiem thi hanh|nghiem tuc thuc hien (?:chi thi|quyet dinh|ke hoach|cong van|thong bao|van ban) nay|^\s*(?:can cu|theo de nghi|xet de nghi|tran trong)\b|co hieu luc (?:thi hanh )?(?:ke )?tu ngay",
    )
});
static LEAD_IN: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"^\s*(?:\d+\s*%\s*|ve\s+[^,.;:]{1,150},\s*|truoc\s+mat\s*,\s*|dong\s+thoi\s*,\s*|hang\s+(?:thang|quy|nam|tuan)\s*,\s*|dinh\s+ky[^,]{0,30},\s*|giao\s+|de\s+nghi\s+|yeu\s+cau\s+)?",
    )
});
/// The letter's addressees named by courtesy ("Quý Ủy ban", "các đồng chí"); OCR reads "Quý"
/// as "Ouy", which text repair may turn into "Ủy".
static ADDRESSEES: LazyLock<Regex> = LazyLock::new(|| {
    re(r"^\s*(?:[qo]?uy\s+(?:co\s+quan|don\s+vi|so|uy\s+ban|bo)|cac\s+dong\s+chi)\b")
});
/// The bodies a letter is sent to, named generically after "đề nghị": "các cơ quan, đơn vị"
/// (not "... liên quan", "... trực thuộc", which name others).
static GENERIC_ADDRESSEES: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"^cac\s+co\s+quan\s*,?\s*(?:va\s+)?don\s+vi\s+(?:thuc\s+hien|quan\s+tam|trien\s+khai|nghien\s+cuu|khan\s+truong|chu\s+dong|phoi\s+hop)\b",
    )
});
static QUY_CO_QUAN: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\b(?:de\s+nghi|yeu\s+cau)\s+(?:[qo]?uy\s+(?:co\s+quan|don\s+vi|so|uy\s+ban|bo)|cac\s+dong\s+chi)\b",
    )
});

/// A further place of the same kind after a local body: ", phường An Hòa", "và huyện Tiền
/// Hải" (the place's words capitalised).
static OTHER_PLACE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"^\s*(?:,|và)\s*(?P<unit>huyện|quận|thị xã|thành phố|xã|phường|thị trấn)\s+(?P<place>\p{Lu}\p{L}*(?:\s+(?:\p{Lu}\p{L}*|\d+))*)",
    )
});

/// A number marker misread by OCR with a comma ("4, Bộ Ngoại giao"), on the original line:
/// a capital letter must follow.
static OCR_NUMBER: LazyLock<Regex> = LazyLock::new(|| re(r"^[ \t]*\d{1,2},[ \t]+(\p{Lu})"));

/// The leads an introduction hands down when what follows it inherits none ("Bộ Công an
/// giao:"): a name no text can hold.
const NO_LEAD: &str = "\u{0}";

/// One item of the body: its byte range (marker excluded) and its depth.
#[derive(Debug, Clone)]
struct Item {
    start: usize,
    end: usize,
    level: u8,
    /// A line standing alone (a title in capitals): nothing continues it.
    closed: bool,
    /// The item starts with a marker ("1.", "a)", "-").
    marked: bool,
    /// An unmarked paragraph under a short numbered heading without final punctuation ("5.
    /// Ban nhân dân các ấp" then a blank line and "Vận động ..."): a child of that heading.
    under_heading: bool,
}

fn marker_level(caps: &regex::Captures<'_>) -> u8 {
    if caps.name("part").is_some() {
        0
    } else if caps.name("article").is_some() || caps.name("roman").is_some() {
        1
    } else if let Some(n) = caps.name("num") {
        2 + n.as_str().matches('.').count().min(3) as u8
    } else if caps.name("letter").is_some() {
        6
    } else if caps.name("dash").is_some() {
        7
    } else {
        8
    }
}

/// Cuts the body into items: a marked line starts an item; unmarked lines continue it, and an
/// unmarked paragraph after a finished sentence becomes an item one level below the last one.
fn items(body: &str, tables: &[Table]) -> Vec<Item> {
    let mut out: Vec<Item> = Vec::new();
    let mut pos = 0;
    let mut blank_before = false;
    let mut last_marked_level = 0u8;
    // OCR wraps paragraphs at the page width: a line nearly as long as the longest one is
    // likely cut there, not a heading.
    let longest = body
        .split('\n')
        .map(|l| l.trim().chars().count())
        .max()
        .unwrap_or(0);
    for line in body.split('\n') {
        let off = pos;
        pos += line.len() + 1;
        let t = line.trim();
        let in_table = tables.iter().any(|tb| off >= tb.span.0 && off <= tb.span.1);
        if t.starts_with('|') || in_table {
            // A table ends the item before it (its rows are read by `table_tasks`).
            if let Some(prev) = out.last_mut() {
                prev.closed = true;
            }
            blank_before = true;
            continue;
        }
        if t.is_empty() {
            blank_before = true;
            continue;
        }
        let fl = Folded::new(line);
        let caps = MARKER.captures(&fl.text);
        let line_end = off + line.len();
        if caps.is_none()
            && let Some(m) = OCR_NUMBER.captures(line).and_then(|c| c.get(1))
        {
            // "4, Bộ Ngoại giao ...": a number marker whose full stop was read as a comma.
            last_marked_level = 2;
            out.push(Item {
                start: off + m.start(),
                end: line_end,
                level: 2,
                closed: false,
                marked: true,
                under_heading: false,
            });
        } else if let Some(c) = caps
            && let Some(m) = c.get(0)
        {
            let level = marker_level(&c);
            let start = (off + fl.orig(m.end())).min(line_end);
            last_marked_level = level;
            // A numbered title in capitals ("III. ĐỀ XUẤT, KIẾN NGHỊ") stands alone.
            let rest = body.get(start..line_end).unwrap_or("");
            let title = super::split::upper_ratio(rest) >= 0.9
                && rest.chars().filter(|c| c.is_alphabetic()).count() >= 4;
            out.push(Item {
                start,
                end: line_end,
                level,
                closed: title,
                marked: true,
                under_heading: false,
            });
        } else if super::split::upper_ratio(t) >= 0.9
            && t.chars().filter(|c| c.is_alphabetic()).count() >= 4
        {
            // A line in capitals (authority line, section title) stands alone and ends the
            // headings above it.
            out.push(Item {
                start: off + (line.len() - line.trim_start().len()),
                end: line_end,
                level: 1,
                closed: true,
                marked: false,
                under_heading: false,
            });
            blank_before = true;
            continue;
        } else {
            let label = DEADLINE_LABEL.is_match(&fl.text);
            let mut under_heading = false;
            let continues = match out.last() {
                Some(prev) if prev.closed => false,
                // "Thời hạn: ..." on its own line states the deadline of the item above.
                Some(_) if label => true,
                Some(prev) => {
                    let prev_text = body.get(prev.start..prev.end).unwrap_or("").trim_end();
                    let finished = prev_text.ends_with(['.', ';', ':', '!', '?'])
                        || prev_text.ends_with("./.");
                    // A short numbered heading ("3. Sở Tài chính") and, after a blank line, a
                    // paragraph in sentence case: the paragraph is the heading's content.
                    under_heading = prev.marked
                        && blank_before
                        && !finished
                        && prev_text.chars().count() <= 120
                        && prev_text
                            .rsplit('\n')
                            .next()
                            .unwrap_or("")
                            .trim()
                            .chars()
                            .count()
                            * 100
                            < longest * 85
                        && !prev_text.contains(['.', ';'])
                        && t.chars().next().is_some_and(char::is_uppercase);
                    !(under_heading || (blank_before && finished))
                }
                None => false,
            };
            if continues {
                if let Some(prev) = out.last_mut() {
                    prev.end = line_end;
                }
            } else {
                let lead = line.len() - line.trim_start().len();
                out.push(Item {
                    start: off + lead,
                    end: line_end,
                    level: last_marked_level.saturating_add(1).min(9),
                    closed: false,
                    marked: false,
                    under_heading,
                });
            }
        }
        blank_before = false;
    }
    out
}

/// A list of agencies starting at `pos` (bytes of the item text), joined by commas and "và";
/// returns their names and the end of the list.
fn agency_list(
    text: &str,
    folded: &Folded,
    mentions: &[Mention],
    pos: usize,
    max_gap: usize,
) -> (Vec<String>, usize) {
    let mut names: Vec<String> = Vec::new();
    let mut end = pos;
    for m in mentions.iter().filter(|m| m.start >= pos) {
        if m.start < end {
            // Inside the qualifier of the collective before it.
            continue;
        }
        let gap_text = text.get(end..m.start).unwrap_or("");
        if gap_text.len() > 60 {
            break;
        }
        // OCR wraps lines anywhere, also inside a title ("Chủ\ntịch"): words are compared
        // with single spaces.
        let gap_f = single_spaced(&super::folded::fold_lower(gap_text));
        let ok = if names.is_empty() {
            (gap_text.len() <= max_gap
                && gap_f
                    .trim()
                    .chars()
                    .all(|c| c == ':' || c == '(' || c == '-'))
                || (gap_text.len() <= 40 && TITLE_GAP.is_match(&gap_f))
        } else {
            GAP.is_match(&gap_f)
        };
        if !ok {
            break;
        }
        let (name, mut m_end) = qualified(text, m);
        // "Ủy ban nhân dân các tỉnh Quảng Bình, Quảng Trị": the body of each province.
        if let Some(base) = name.strip_suffix(" các tỉnh") {
            let listed = Directory::global().province_list(text, folded, folded_pos(folded, m_end));
            if let Some((_, last)) = listed.last() {
                for (p, _) in &listed {
                    let n = format!("{base} {p}");
                    if !names.contains(&n) {
                        names.push(n);
                    }
                }
                end = folded.orig(*last);
                continue;
            }
            m_end = m.end;
        }
        // "các Tổ đại biểu và đại biểu Hội đồng nhân dân tỉnh": two bodies.
        let f = super::folded::fold_lower(&name);
        let split = if let Some(each) = places_listed(&name) {
            each
        } else if f.starts_with("cac to dai bieu va dai bieu ") {
            let tail = name
                .split_whitespace()
                .skip(7)
                .collect::<Vec<_>>()
                .join(" ");
            vec![
                format!("Các Tổ đại biểu {tail}"),
                format!("Đại biểu {tail}"),
            ]
        } else {
            vec![name]
        };
        for n in split {
            if !names.contains(&n) {
                names.push(n);
            }
        }
        end = m_end;
        // "Ủy ban nhân dân phường Cái Khế, phường An Hòa": the same body of further places.
        while let Some((n, e)) = same_body_elsewhere(text, &m.canonical, end) {
            if !names.contains(&n) {
                names.push(n);
            }
            end = e;
        }
    }
    (names, end)
}

/// ", phường An Hòa" after "Ủy ban nhân dân phường Cái Khế" (ending at `end`): the same
/// body of that place, and the end of its name.
fn same_body_elsewhere(text: &str, previous: &str, end: usize) -> Option<(String, usize)> {
    let rest = text.get(end..)?;
    let c = OTHER_PLACE.captures(rest)?;
    let unit = c.name("unit")?.as_str();
    let place = c.name("place")?;
    // The previous name ends with a place of a unit of the same tier ("Ủy ban nhân dân thị xã
    // Đông Hòa, huyện Tuy An, thành phố Tuy Hòa": district level).
    let tier: &[&str] = if COMMUNE_UNITS.contains(&unit) {
        COMMUNE_UNITS
    } else {
        DISTRICT_UNITS
    };
    let cut = tier
        .iter()
        .filter_map(|u| {
            let at = previous.rfind(&format!(" {u} "))?;
            // "xã" of "thị xã" is not a commune.
            (!(*u == "xã" && previous[..at].ends_with(" thị"))).then_some(at)
        })
        .max()?;
    let base = &previous[..cut];
    let name = squash(place.as_str());
    Some((format!("{base} {unit} {name}"), end + place.end()))
}

/// Units of the district level: a list of places may mix them.
const DISTRICT_UNITS: &[&str] = &["huyện", "quận", "thị xã", "thành phố"];
/// Units of the commune level.
const COMMUNE_UNITS: &[&str] = &["xã", "phường", "thị trấn"];

/// A body of several named places of one kind: "Ủy ban nhân dân các huyện Nam Trà My, Bắc Trà
/// My, Phước Sơn" → the body of each ("Ủy ban nhân dân huyện Nam Trà My", ...). The whole name
/// must be the list: two or more names of capitalised words, separated by commas or "và".
fn places_listed(name: &str) -> Option<Vec<String>> {
    let name = name
        .trim()
        .trim_end_matches([':', ';', '.', ','])
        .trim_end();
    DISTRICT_UNITS.iter().chain(COMMUNE_UNITS).find_map(|unit| {
        let key = format!(" các {unit} ");
        let at = name.find(&key)?;
        let base = &name[..at];
        let rest = &name[at + key.len()..];
        let mut places = Vec::new();
        for part in rest.split(", ").flat_map(|p| p.split(" và ")) {
            let words: Vec<&str> = part.split_whitespace().collect();
            let capitalised = !words.is_empty()
                && words.len() <= 4
                && words
                    .iter()
                    .all(|w| w.chars().next().is_some_and(char::is_uppercase));
            if !capitalised {
                return None;
            }
            places.push(format!("{base} {unit} {}", words.join(" ")));
        }
        (places.len() >= 2).then_some(places)
    })
}

/// A collective narrowed by the words after it ("Ủy ban nhân dân các huyện có khu công
/// nghiệp", "... các xã, thị trấn ven biển", "Các sở, ngành là thành viên Ban Chỉ đạo các
/// chương trình mục tiêu quốc gia tỉnh"): its name with the qualifier, which runs to the
/// verb, role or punctuation after it (or to the end of a heading); the end of the whole.
fn qualified(text: &str, m: &Mention) -> (String, usize) {
    let plain = (m.canonical.clone(), m.end);
    if m.level != Level::Collective {
        return plain;
    }
    let rest = text.get(m.end..).unwrap_or("");
    let rf = Folded::new(rest);
    let names_committee = super::folded::fold_lower(text.get(m.start..m.end).unwrap_or(""))
        .trim_end()
        .ends_with("ban chi dao");
    if !(names_committee || QUALIFIER.is_match(&rf.text)) || NOT_QUALIFIER.is_match(&rf.text) {
        return plain;
    }
    let window = head(&rf.text, 160);
    let first_letter = |f: usize| rest.get(rf.orig(f)..).and_then(|t| t.chars().next());
    let verb = ACTION
        .find_iter(window)
        .filter(|v| v.start() > 0)
        .find(|v| {
            first_letter(v.start()).is_some_and(char::is_lowercase)
                && !name_word_before(window, v.start())
        })
        .map(|v| v.start());
    let role = ROLE_END.find(window).map(|r| r.start());
    // A line break ends the qualifier only before a blank line: OCR wraps a heading's
    // words onto the next line ("... trực thuộc Trung ương có\nbiển").
    let punct = window.find(['.', ';', ':', '(', ')']);
    let blank = blank_line(window);
    let punct = [punct, blank].into_iter().flatten().min();
    let whole = (window.len() == rf.text.len()).then_some(window.len());
    let Some(cut) = [verb, role, punct, whole].into_iter().flatten().min() else {
        return plain;
    };
    let q = window[..cut].trim_end().trim_end_matches(',').trim_end();
    if q.trim().is_empty() || q.split_whitespace().count() > 14 {
        return plain;
    }
    let (_, e) = rf.orig_range(0, q.len());
    let words = squash(rest.get(..e).unwrap_or(""));
    (format!("{} {}", m.canonical, words), m.end + e)
}

fn supports_after(text: &str, folded: &Folded, mentions: &[Mention], from: usize) -> Vec<String> {
    let ffrom = folded_pos(folded, from);
    let Some(m) = SUPPORT.find_at(&folded.text, ffrom) else {
        return Vec::new();
    };
    // The support clause must follow closely.
    if m.start() > ffrom + 200 {
        return Vec::new();
    }
    let start = folded.orig(m.end());
    let after = agency_list(text, folded, mentions, start, 3).0;
    if !after.is_empty() {
        return after;
    }
    // "..., Sở Y, Sở Z phối hợp thực hiện": the agencies just before "phối hợp".
    let kw = folded.orig(m.start());
    let mut chain: Vec<String> = Vec::new();
    let mut next_start = kw;
    for mention in mentions
        .iter()
        .rev()
        .filter(|x| x.end <= kw && x.start >= from)
    {
        let gap = text.get(mention.end..next_start).unwrap_or("");
        let gap_ok = if chain.is_empty() {
            gap.trim().is_empty()
        } else {
            GAP.is_match(&super::folded::fold_lower(gap))
        };
        if !gap_ok {
            break;
        }
        chain.insert(0, mention.canonical.clone());
        next_start = mention.start;
    }
    chain
}

fn folded_pos(folded: &Folded, orig: usize) -> usize {
    // Smallest folded offset whose original offset reaches `orig`.
    let mut lo = 0usize;
    let mut hi = folded.text.len();
    while lo < hi {
        let mid = (lo + hi) / 2;
        if folded.orig(mid) < orig {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    let mut p = lo.min(folded.text.len());
    while p < folded.text.len() && !folded.text.is_char_boundary(p) {
        p += 1;
    }
    p
}

/// `s` with every run of white space (line breaks included) made one space, ends kept.
fn single_spaced(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.chars() {
        if c.is_whitespace() {
            space = true;
        } else {
            if space {
                out.push(' ');
                space = false;
            }
            out.push(c);
        }
    }
    if space {
        out.push(' ');
    }
    out
}

/// The offset of the first line break of `s` that is followed by a blank line (or ends `s`).
fn blank_line(s: &str) -> Option<usize> {
    s.match_indices('\n').map(|(i, _)| i).find(|&i| {
        let rest = &s[i + 1..];
        let line = rest.split('\n').next().unwrap_or("");
        line.trim().is_empty()
    })
}

/// The first `n` bytes of `s` (cut back to a character boundary).
fn head(s: &str, n: usize) -> &str {
    let mut i = n.min(s.len());
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    &s[..i]
}

/// Who must act in a clause: (leads, supports, whether the clause is only a heading).
fn actors(
    text: &str,
    folded: &Folded,
    mentions: &[Mention],
    recipients: &[String],
    ctx: &Context,
) -> Option<(Vec<String>, Vec<String>, bool)> {
    // "Giao / Đề nghị / Yêu cầu X ..."
    for a in ASSIGN.find_iter(&folded.text) {
        // "Sở X chỉ đạo Y ...": X carries it out; only a leader's "chỉ đạo" assigns Y.
        if a.as_str().starts_with("chi dao") {
            let before = folded.text.get(..a.start()).unwrap_or("");
            let from = before.len().saturating_sub(80);
            let near = before.get(from..).unwrap_or(before);
            if !LEADER_SUBJECT.is_match(near) {
                continue;
            }
        }
        let p = folded.orig(a.end());
        // "đề nghị các cơ quan, đơn vị ..." in a letter: its addressees, like "Quý cơ quan".
        if !recipients.is_empty()
            && GENERIC_ADDRESSEES.is_match(folded.text.get(a.end()..).unwrap_or(""))
        {
            return Some((
                recipients.to_vec(),
                supports_after(text, folded, mentions, p),
                false,
            ));
        }
        let (leads, end) = agency_list(text, folded, mentions, p, 2);
        if !leads.is_empty() {
            let supports = supports_after(text, folded, mentions, end);
            let rest = super::folded::fold_lower(text.get(end..).unwrap_or(""));
            let heading = rest
                .trim_matches(|c: char| c.is_whitespace() || matches!(c, ':' | ';' | '.' | ','))
                .is_empty();
            return Some((leads, supports, heading));
        }
        // "đề nghị các Sở Giáo dục và Đào tạo ...": the addressee that is this body of every
        // province ("Sở Giáo dục và Đào tạo các tỉnh, thành phố").
        if let Some(r) = plural_addressee(text, folded, mentions, a.end(), recipients) {
            let supports = supports_after(text, folded, mentions, p);
            return Some((vec![r], supports, false));
        }
        // "Bộ Công Thương giao Cục Xuất nhập khẩu chủ trì ...": a unit missing from the
        // directory.
        let after = folded.text.get(a.end()..).unwrap_or("");
        if !ADDRESSEES.is_match(after)
            && let Some(end) = unknown_name_end(text, folded, a.end(), 90)
        {
            let (s, e) = folded.orig_range(a.end(), end);
            let name = squash(text.get(s..e).unwrap_or(""));
            let supports = supports_after(text, folded, mentions, e);
            return Some((vec![place_unknown(&name, ctx)], supports, false));
        }
    }
    // "Đề nghị Quý cơ quan ..."
    if QUY_CO_QUAN.is_match(&folded.text) && !recipients.is_empty() {
        return Some((
            recipients.to_vec(),
            supports_after(text, folded, mentions, 0),
            false,
        ));
    }
    // Agencies at the start of the clause (after a lead-in such as "Về ...,").
    let lead_in = LEAD_IN.find(&folded.text).map(|m| m.end()).unwrap_or(0);
    for start_f in [0usize, lead_in] {
        let p = folded.orig(start_f);
        let (leads, end) = agency_list(text, folded, mentions, p, 3);
        if leads.is_empty() {
            continue;
        }
        let rest = text.get(end..).unwrap_or("");
        let rest_f = super::folded::fold_lower(head(rest, 240));
        let rest_trim = rest_f.trim_matches(|c: char| {
            c.is_whitespace() || c == ':' || c == ';' || c == '.' || c == ','
        });
        // A note in brackets after the name ("(cơ quan thường trực)") keeps it a heading.
        let rest_trim = match rest_trim.strip_prefix('(') {
            Some(r) if r.trim_end_matches([':', '.']).ends_with(')') && !r.contains('(') => "",
            _ => rest_trim,
        };
        if rest_trim.is_empty() {
            return Some((leads, Vec::new(), true));
        }
        // "Sở Công Thương là cơ quan thường trực, ...": a role, not a statement.
        let role = ROLE_END.find(&rest_f).is_some_and(|m| {
            rest_f[..m.start()]
                .trim_matches(|c: char| c.is_whitespace() || c == ',')
                .is_empty()
        });
        // "vẫn" (still) states a fact; folded it reads as "vận" (động).
        let still = head(rest, 20)
            .trim_start_matches(|c: char| c.is_whitespace() || c == ',' || c == ':')
            .to_lowercase()
            .starts_with("vẫn ");
        if !role && (still || NOT_ACTION.is_match(&rest_f) || states_result(head(rest, 240))) {
            continue;
        }
        let supports = supports_after(text, folded, mentions, end);
        return Some((leads, supports, false));
    }
    // "..., X chủ trì, phối hợp với Y" at the start of a clause.
    for (i, m) in mentions.iter().enumerate() {
        let before = text.get(..m.start).unwrap_or("").trim_end();
        if !(before.is_empty()
            || before.ends_with(',')
            || before.ends_with(';')
            || before.ends_with(':'))
        {
            continue;
        }
        let (leads, end) = agency_list(text, folded, &mentions[i..], m.start, 0);
        let after_f = super::folded::fold_lower(head(text.get(end..).unwrap_or(""), 60));
        if !leads.is_empty() && LEAD_VERB.is_match(&after_f) {
            let supports = supports_after(text, folded, mentions, end);
            return Some((leads, supports, false));
        }
    }
    // An agency missing from the directory at the start: "Ban Chỉ đạo ... tỉnh chủ trì, ...".
    let lead_in = LEAD_IN.find(&folded.text).map(|m| m.end()).unwrap_or(0);
    let rest = folded.text.get(lead_in..).unwrap_or("");
    if AGENCY_HEAD.is_match(rest)
        && !NOT_NAME.is_match(rest)
        && let Some(kw) = UNKNOWN_LEAD_END.find(head(rest, 160))
    {
        let (s, e) = folded.orig_range(lead_in, lead_in + kw.start());
        let name = squash(text.get(s..e).unwrap_or(""));
        let name = name.trim_end_matches([',', ':']).trim().to_string();
        let name_f = super::folded::fold_lower(&name);
        // A name, not a clause: no verb-like words such as "đã", "được".
        if !name.is_empty()
            && name.chars().count() <= 100
            && !is_clause(&name)
            && !NOT_ACTION.is_match(&format!(" {name_f}"))
        {
            let supports = supports_after(text, folded, mentions, e);
            return Some((
                vec![localize(&name, ctx)],
                supports,
                kw.as_str().trim() == ":",
            ));
        }
    }
    // "Liên đoàn Lao động tỉnh lập danh sách ...": a local body missing from the directory.
    // The level word is written in lower case ("tỉnh"), unlike a word of the name ("Quản").
    let unit_end = UNIT_THEN_VERB
        .captures_iter(head(rest, 100))
        .filter_map(|c| c.name("unit"))
        .take_while(|u| !rest[..u.start()].contains([',', '.', ';', ':', '(', ')']))
        .find(|u| {
            text.get(folded.orig(lead_in + u.start())..)
                .and_then(|t| t.chars().next())
                .is_some_and(char::is_lowercase)
        })
        .map(|u| u.end());
    if AGENCY_HEAD.is_match(rest)
        && !NOT_NAME.is_match(rest)
        && let Some(n_end) = unit_end
    {
        let (s, e) = folded.orig_range(lead_in, lead_in + n_end);
        let name = squash(text.get(s..e).unwrap_or(""));
        let name_f = super::folded::fold_lower(&name);
        let proper = name
            .split_whitespace()
            .skip(1)
            .any(|w| w.chars().next().is_some_and(char::is_uppercase));
        if proper && !is_clause(&name) && !NOT_ACTION.is_match(&format!(" {name_f}")) {
            let supports = supports_after(text, folded, mentions, e);
            return Some((vec![localize(&name, ctx)], supports, false));
        }
    }
    // "Các doanh nghiệp xuất khẩu cà phê trên địa bàn tỉnh xây dựng ...".
    if let Some(c) = TERRITORY_CLASS.captures(rest)
        && let Some(n) = c.name("name")
    {
        let (s, e) = folded.orig_range(lead_in, lead_in + n.end());
        let name = squash(text.get(s..e).unwrap_or(""));
        let mut cs = name.chars();
        let name: String = match cs.next() {
            Some(f) => f.to_uppercase().chain(cs).collect(),
            None => name,
        };
        let supports = supports_after(text, folded, mentions, e);
        return Some((vec![name], supports, false));
    }
    // "Các chủ đầu tư báo cáo ...": a class of bodies, named up to what it must do.
    if let Some((name, e, heading)) = body_class(text, folded, lead_in) {
        let supports = supports_after(text, folded, mentions, e);
        return Some((vec![name], supports, heading));
    }
    // "Viện Bảo tồn di tích khảo sát ...", "Trung tâm Khuyến nông: Xây dựng ...": a body
    // missing from the directory, named up to what it must do.
    if let Some(end) = unknown_name_end(text, folded, lead_in, 100) {
        let (s, e) = folded.orig_range(lead_in, end);
        let name = squash(text.get(s..e).unwrap_or(""));
        let supports = supports_after(text, folded, mentions, e);
        return Some((vec![place_unknown(&name, ctx)], supports, false));
    }
    None
}

/// The end (folded offset) of the name of a body missing from the directory that starts at
/// folded offset `from` ("Trung tâm Công nghệ thông tin xây dựng ..."): before its role
/// ("chủ trì", "là cơ quan thường trực", "phối hợp"), a colon, or the first verb written in
/// lower case, whichever comes first. Only a proper name qualifies: it starts with an
/// agency word followed by a capitalised word, has at most `max_chars` characters and at
/// least two words, and holds no '.', ';', '(' nor a comma before a word in lower case.
fn unknown_name_end(text: &str, folded: &Folded, from: usize, max_chars: usize) -> Option<usize> {
    let window = head(folded.text.get(from..)?, 240);
    let h = AGENCY_HEAD.find(window)?;
    if NOT_NAME.is_match(window) {
        return None;
    }
    // AGENCY_HEAD ends on the first letter of the word after the agency word.
    let second = window[..h.end()]
        .char_indices()
        .next_back()
        .map(|(i, _)| i)?;
    let first_letter = |f: usize| {
        text.get(folded.orig(from + f)..)
            .and_then(|t| t.chars().next())
    };
    if !first_letter(second).is_some_and(|c| c.is_uppercase() || c.is_ascii_digit()) {
        return None;
    }
    let role = ROLE_END.find(window).map(|m| m.start());
    let colon = window.find(':');
    let verb = ACTION
        .find_iter(window)
        .filter(|m| m.start() > second)
        .find(|m| {
            first_letter(m.start()).is_some_and(char::is_lowercase)
                && !name_word_before(window, m.start())
        })
        .map(|m| m.start());
    let cut = [role, colon, verb]
        .into_iter()
        .flatten()
        .filter(|&c| c > second)
        .min()?;
    let name_f = window[..cut].trim_end();
    if name_f.contains(['.', ';', '(', ')']) || name_f.split_whitespace().count() < 2 {
        return None;
    }
    // A comma inside a name is followed by a capitalised word ("Văn hóa, Thể thao").
    for (i, _) in name_f.match_indices(',') {
        let next = name_f[i + 1..].len() - name_f[i + 1..].trim_start().len();
        if !first_letter(i + 1 + next).is_some_and(char::is_uppercase) {
            return None;
        }
    }
    let (s, e) = folded.orig_range(from, from + name_f.len());
    let name = text.get(s..e)?;
    (!is_clause(name) && name.chars().count() <= max_chars).then_some(from + name_f.len())
}

/// A [`BODY_CLASS`] starting at folded offset `from`: its name as written (capitalised) and
/// the end of the name in `text`. The name is at most 80 characters, holds no punctuation
/// but commas, and must be followed by a duty, not by a result ("đã", "chưa").
fn body_class(text: &str, folded: &Folded, from: usize) -> Option<(String, usize, bool)> {
    let window = head(folded.text.get(from..)?, 200);
    let class = BODY_CLASS.find(window)?;
    let verb = ACTION
        .find_iter(window)
        .map(|m| m.start())
        .filter(|&i| i >= class.end());
    let other = CLASS_END
        .find_iter(window)
        .map(|m| m.start())
        .filter(|&i| i >= class.end());
    // A heading naming the class alone ("4. Các chủ hồ chứa thủy điện, thủy lợi:").
    let whole = window.len() == folded.text.len() - from;
    let colon = whole
        .then(|| window.trim_end())
        .filter(|t| t.ends_with(':'))
        .map(|t| t.len() - 1);
    let first = verb.chain(other).min();
    let heading = first.is_none() && colon.is_some();
    let cut = first.or(colon)?;
    let name_f = window[..cut].trim_end().trim_end_matches(',').trim_end();
    if name_f.contains(['.', ';', ':', '(', ')']) || name_f.chars().count() > 80 {
        return None;
    }
    let (s, e) = folded.orig_range(from, from + name_f.len());
    let name = squash(text.get(s..e)?);
    if is_clause(&name) || states_result(head(text.get(e..)?, 240)) {
        return None;
    }
    let mut cs = name.chars();
    let name = match cs.next() {
        Some(f) => f.to_uppercase().chain(cs).collect(),
        None => name,
    };
    Some((name, e, heading))
}

/// "các Sở X" at folded offset `at`, X a provincial body: the addressee of the letter that is
/// that body of every province ("Sở X các tỉnh, thành phố ...").
fn plural_addressee(
    text: &str,
    folded: &Folded,
    mentions: &[Mention],
    at: usize,
    recipients: &[String],
) -> Option<String> {
    let after = folded.text.get(at..)?;
    let plural = after.strip_prefix("cac ")?;
    let start = folded.orig(at + after.len() - plural.len());
    let m = mentions.iter().find(|m| m.start == start)?;
    if m.level != Level::Provincial {
        return None;
    }
    // A line break may fall inside the name ("các Sở\nGiáo dục và Đào tạo").
    let written = squash(&super::folded::fold_lower(text.get(m.start..m.end)?));
    recipients
        .iter()
        .find(|r| {
            let rf = squash(&super::folded::fold_lower(r));
            rf.starts_with(&written) && rf[written.len()..].trim_start().starts_with("cac ")
        })
        .cloned()
}

/// Whether the words after a body state a result ("đã ban hành", "chưa triển khai") rather
/// than a duty: "đã" or "chưa" early in the clause, unless a verb of what must be done comes
/// first ("chỉ đạo xử lý các điểm đen đã được xác định").
fn states_result(rest: &str) -> bool {
    let lower = rest.to_lowercase();
    let Some(m) = RESULT.find(&lower) else {
        return false;
    };
    // The match ends after "đã " / "chưa ": what comes before that word.
    let word_start = lower[..m.end()]
        .trim_end()
        .rfind(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | '('))
        .map(|i| i + 1)
        .unwrap_or(0);
    let before = super::folded::fold_lower(&lower[..word_start]);
    !ACTION.is_match(&before)
}

/// Whether the word before folded offset `at` makes the verb found there part of a name:
/// "đầu tư xây dựng" (Ban Quản lý dự án đầu tư xây dựng), "công trình" (Khai thác công trình
/// thủy lợi), "chương trình" (Ban Chỉ đạo các chương trình mục tiêu quốc gia).
fn name_word_before(window: &str, at: usize) -> bool {
    let before = window[..at].trim_end();
    before.ends_with("dau tu")
        || (window[at..].starts_with("trinh")
            && [" cong", " chuong", " quy", " lo", " tien", " hanh"]
                .iter()
                .any(|w| before.ends_with(w)))
}

/// A clause rather than the name of a body: "Sở X đã phối hợp", "Sở X kính trình Ủy ban".
fn is_clause(name: &str) -> bool {
    name.to_lowercase()
        .split_whitespace()
        .any(|w| matches!(w, "đã" | "đang" | "sẽ" | "được" | "kính"))
}

/// Whether a line assigns work ("Sở X đề nghị Ủy đơn vị thực hiện"): an introduction to the
/// items below, not the name of a body heading them. The verbs count in small letters only
/// ("Ban Chỉ đạo" is a name), and "giao" not before "thông" ("Ban An toàn giao thông").
fn assigns_work(line: &str) -> bool {
    let words: Vec<String> = line
        .split_whitespace()
        .map(|w| {
            if w.starts_with(char::is_lowercase) {
                super::folded::fold_lower(w.trim_matches(|c: char| !c.is_alphanumeric()))
            } else {
                String::new()
            }
        })
        .collect();
    words.iter().enumerate().any(|(i, w)| {
        let next = words.get(i + 1).map(String::as_str).unwrap_or("");
        matches!(
            (w.as_str(), next),
            ("de", "nghi") | ("yeu", "cau") | ("chi", "dao")
        ) || (w == "giao" && next != "thong")
    })
}

/// Places a body missing from the directory: a name ending in its level word takes the
/// issuer's locality ([`localize`]); a unit named without any place in a letter of a
/// provincial body belongs to its province ("Trung tâm Khuyến nông" of a Sở of Hải Dương →
/// "Trung tâm Khuyến nông tỉnh Hải Dương"). Units of central bodies and of districts and
/// communes keep their bare names.
fn place_unknown(name: &str, ctx: &Context) -> String {
    let expanded = Directory::global().expand_abbreviations(name);
    let name = expanded.as_str();
    let placed = localize(name, ctx);
    if placed != name || ctx.locality.is_some() {
        return placed;
    }
    let Some(p) = &ctx.province else {
        return placed;
    };
    let f = super::folded::fold_lower(name);
    // "Văn phòng Sở", "Thanh tra Sở": a unit named by the body it belongs to.
    if name.ends_with(" Sở") || name.ends_with(" Bộ") {
        return placed;
    }
    let bare = p.split_once(' ').map(|x| x.1).unwrap_or(p);
    let names_place = f.contains(&super::folded::fold_lower(bare))
        || [
            " tinh ",
            " huyen ",
            " quan ",
            " xa ",
            " phuong ",
            " thi xa ",
            " thanh pho ",
            " quoc gia",
            " trung uong",
            " viet nam",
        ]
        .iter()
        .any(|w| format!("{f} ").contains(w));
    if names_place || f.starts_with("cac ") {
        placed
    } else {
        format!("{name} {p}")
    }
}

/// Completes a local body's name ending in its level word with the issuer's locality:
/// "Ban Quản lý các khu công nghiệp tỉnh" → "... tỉnh Bắc Giang", "Phòng Dân tộc huyện" →
/// "... huyện Mộc Châu".
fn localize(name: &str, ctx: &Context) -> String {
    let f = super::folded::fold_lower(name);
    let from_ctx = |unit: &str| -> Option<String> {
        let unit_words = unit.split(' ').count();
        [ctx.locality.as_deref(), ctx.province.as_deref()]
            .into_iter()
            .flatten()
            .find(|l| super::folded::fold_lower(l).starts_with(&format!("{unit} ")))
            .and_then(|l| {
                l.splitn(unit_words + 1, ' ')
                    .nth(unit_words)
                    .map(str::to_string)
            })
    };
    for unit in [
        "tinh",
        "thanh pho",
        "huyen",
        "quan",
        "thi xa",
        "xa",
        "phuong",
    ] {
        if f.ends_with(&format!(" {unit}"))
            && let Some(place) = from_ctx(unit)
        {
            return format!("{name} {place}");
        }
    }
    name.to_string()
}

/// Whether a folded text is a closing formula ending the letter.
fn closing_formula(folded: &str) -> bool {
    let t = folded.trim_end();
    // "./." at the end, also as OCR leaves it ("_//.", "/,").
    let tail: String = t.chars().rev().take(4).collect();
    tail.contains('/') && CLOSING_FORMULA.is_match(t)
}

/// A short line without final punctuation, such as a section title ("Nhiệm vụ cụ thể").
fn short_title(s: &str) -> bool {
    let t = s.trim();
    t.chars().count() < 50 && !t.ends_with(['.', ';', '!', '?', ':'])
}

/// Sentences of a paragraph: cut after '.' followed by a space and a capital letter.
fn sentences(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = 0;
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut i = 0;
    while i + 2 < chars.len() {
        let (bi, c) = chars[i];
        if c == '.' && chars[i + 1].1.is_whitespace() {
            let mut j = i + 1;
            while j < chars.len() && chars[j].1.is_whitespace() {
                j += 1;
            }
            if j < chars.len() && chars[j].1.is_uppercase() {
                out.push((start, bi + 1));
                start = chars[j].0;
                i = j;
                continue;
            }
        }
        i += 1;
    }
    if start < text.len() {
        out.push((start, text.len()));
    }
    out
}

fn make_task(
    text: &str,
    start: usize,
    end: usize,
    leads: Vec<String>,
    supports: Vec<String>,
    issued_on: Option<NaiveDate>,
) -> Task {
    let raw = text.get(start..end).unwrap_or("");
    let trimmed_start = start + (raw.len() - raw.trim_start().len());
    let body = squash(raw);
    let dl = deadline::parse(raw, issued_on);
    let supports: Vec<String> = supports
        .into_iter()
        .filter(|s| !leads.contains(s))
        .collect();
    Task {
        lead: leads,
        support: supports,
        text: body,
        deadline: dl.as_ref().and_then(|d| d.date),
        deadline_text: dl.as_ref().map(|d| d.text.clone()),
        recurrence: dl.and_then(|d| d.recurrence),
        source: Some([trimmed_start, start + raw.trim_end().len()]),
    }
}

/// Role of a table column, from its header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Column {
    Content,
    Lead,
    Support,
    Due,
    Other,
}

fn column_role(header: &str) -> Column {
    let f = super::folded::fold_lower(header);
    if f.contains("phoi hop") {
        Column::Support
    } else if f.contains("chu tri")
        || f.contains("thuc hien") && (f.contains("don vi") || f.contains("co quan"))
        || f.contains("trach nhiem")
    {
        Column::Lead
    } else if f.contains("thoi gian")
        || f.contains("thoi han")
        || f.contains("tien do")
        || f.contains("hoan thanh")
    {
        Column::Due
    } else if f.contains("noi dung")
        || f.contains("nhiem vu")
        || f.contains("cong viec")
        || f.contains("hoat dong")
        || f.contains("ten ")
    {
        Column::Content
    } else {
        Column::Other
    }
}

/// Agencies named in a table cell: directory mentions, or the cell's own comma-separated names.
fn cell_agencies(dir: &Directory, cell: &str, ctx: &Context) -> Vec<String> {
    if let Some(each) = places_listed(&squash(cell)) {
        return each;
    }
    let ms = dir.find_mentions(cell, ctx);
    if !ms.is_empty() {
        let mut out: Vec<String> = Vec::new();
        for m in ms {
            if !out.contains(&m.canonical) {
                out.push(m.canonical);
            }
        }
        return out;
    }
    cell.split([',', ';'])
        .map(squash)
        .filter(|x| x.chars().any(char::is_alphabetic))
        .map(|x| place_unknown(&x, ctx))
        .collect()
}

/// A table of tasks: Markdown rows ("| 1 | ... |") or rows flattened into lines whose cells
/// are separated by " | " ("1 | Nội dung | Sở X | Sở Y | Quý II/2022"), a row possibly
/// wrapped over several lines (OCR).
#[derive(Debug, Clone)]
struct Table {
    /// Byte range of the whole table in the body (header line included).
    span: (usize, usize),
    /// Column roles, from the header.
    roles: Vec<Column>,
    /// Rows: byte range and cells.
    rows: Vec<((usize, usize), Vec<String>)>,
}

static ROW_START: LazyLock<Regex> = LazyLock::new(|| re(r"^\s*\|?\s*\d{1,3}\s*[.)]?\s*\|"));

fn cells_of(line: &str) -> Vec<String> {
    let t = line.trim();
    let t = t.strip_prefix('|').unwrap_or(t);
    let t = t.strip_suffix('|').unwrap_or(t);
    t.split('|').map(squash).collect()
}

fn is_rule(cells: &[String]) -> bool {
    cells.iter().all(|c| {
        c.chars()
            .all(|ch| ch == '-' || ch == ':' || ch.is_whitespace())
    })
}

/// Tables whose header names the lead ("Cơ quan chủ trì") column.
fn tables(body: &str) -> Vec<Table> {
    let mut lines: Vec<(usize, &str)> = Vec::new();
    let mut pos = 0;
    for l in body.split('\n') {
        lines.push((pos, l));
        pos += l.len() + 1;
    }
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let (off, line) = lines[i];
        i += 1;
        if line.matches('|').count() < 2 {
            continue;
        }
        let roles: Vec<Column> = cells_of(line).iter().map(|c| column_role(c)).collect();
        if !roles.contains(&Column::Lead) {
            continue;
        }
        let ncols = roles.len();
        let markdown = line.trim_start().starts_with('|');
        let mut table = Table {
            span: (off, off + line.len()),
            roles,
            rows: Vec::new(),
        };
        let mut cur: Option<(usize, usize, String)> = None;
        let mut header_tail = 0;
        while i < lines.len() {
            let (loff, l) = lines[i];
            let t = l.trim();
            if t.is_empty() {
                i += 1;
                continue;
            }
            let starts_row = if markdown {
                t.starts_with('|')
            } else {
                ROW_START.is_match(t)
            };
            if starts_row {
                let cells = cells_of(t);
                if is_rule(&cells) {
                    i += 1;
                    continue;
                }
                if let Some((s, e, text)) = cur.take() {
                    table.rows.push(((s, e), cells_of(&text)));
                }
                cur = Some((loff, loff + l.len(), t.to_string()));
            } else if let Some((_, e, text)) = cur.as_mut()
                && !markdown
                && text.matches('|').count() + 1 < ncols
            {
                text.push(' ');
                text.push_str(t);
                *e = loff + l.len();
            } else if let Some((_, e, text)) = cur.as_mut()
                && !markdown
                && t.chars().count() <= 30
                && !t.contains('|')
                && !t.ends_with(':')
                && !MARKER.is_match(&super::folded::fold_lower(t))
                && (super::split::upper_ratio(t) < 0.9
                    || t.chars().filter(|c| c.is_alphabetic()).count() < 4)
            {
                // The last cell wrapped onto a short line ("Trước ngày 15" / "hằng tháng").
                text.push(' ');
                text.push_str(t);
                *e = loff + l.len();
            } else if cur.is_none() && !markdown && header_tail < 2 && !t.ends_with('.') {
                // The header wrapped onto a further line.
                header_tail += 1;
            } else {
                break;
            }
            i += 1;
        }
        if let Some((s, e, text)) = cur.take() {
            table.rows.push(((s, e), cells_of(&text)));
        }
        if let Some(((_, e), _)) = table.rows.last() {
            table.span.1 = *e;
            out.push(table);
        }
    }
    out.extend(cell_line_tables(&lines));
    out.sort_by_key(|t| t.span.0);
    out
}

/// A bare row number on its own line ("3", "3."), as a table flattened one cell per line
/// writes it.
static ROW_NUMBER: LazyLock<Regex> = LazyLock::new(|| re(r"^\s*(\d{1,3})\s*[.)]?\s*$"));

/// Tables flattened one cell per line, as text taken from a PDF or a scan gives them: the
/// header cells ("STT", "Nội dung", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời gian hoàn
/// thành") on consecutive lines, then each row as its number on a line of its own followed by
/// its cells, one per line (blank lines between them do not count). A line starting in lower
/// case continues the cell above it (a long cell wrapped); further surplus lines belong to the
/// content cell.
fn cell_line_tables(lines: &[(usize, &str)]) -> Vec<Table> {
    // Non-empty lines only: OCR puts blank lines between cells.
    let lines: Vec<(usize, &str)> = lines
        .iter()
        .copied()
        .filter(|(_, l)| !l.trim().is_empty())
        .collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        // The header: short lines without "|", the first a serial-number column or a role.
        let mut j = i;
        let mut roles: Vec<Column> = Vec::new();
        while j < lines.len() {
            let t = lines[j].1.trim();
            if t.contains('|') || t.chars().count() > 40 || ROW_NUMBER.is_match(t) {
                break;
            }
            let f = super::folded::fold_lower(t);
            let serial = matches!(f.trim_end_matches('.'), "stt" | "tt" | "so tt");
            let role = column_role(t);
            if role == Column::Other && !(serial && j == i) {
                break;
            }
            roles.push(role);
            j += 1;
        }
        let is_header = roles.len() >= 3
            && roles.contains(&Column::Lead)
            && roles.contains(&Column::Content)
            && j < lines.len()
            && ROW_NUMBER
                .captures(lines[j].1)
                .is_some_and(|c| &c[1] == "1");
        if !is_header {
            i += 1;
            continue;
        }
        // The serial-number column is the row's own line, not a cell.
        let serial_col = roles.first() == Some(&Column::Other);
        if serial_col {
            roles.remove(0);
        }
        let ncells = roles.len();
        let content_col = roles
            .iter()
            .position(|r| *r == Column::Content)
            .unwrap_or(0);
        let mut table = Table {
            span: (lines[i].0, lines[j - 1].0 + lines[j - 1].1.len()),
            roles,
            rows: Vec::new(),
        };
        let mut k = j;
        let mut expected = 1usize;
        // After the first row, any bare number starts the next one (OCR misreads digits).
        while k < lines.len() && ROW_NUMBER.is_match(lines[k].1) {
            let mut cells: Vec<String> = Vec::new();
            let mut end = lines[k].0 + lines[k].1.len();
            let mut m = k + 1;
            while m < lines.len() {
                let (off, l) = lines[m];
                let t = l.trim();
                let next_row = ROW_NUMBER.captures(t).is_some_and(|c| {
                    c[1].parse::<usize>().ok() == Some(expected + 1) || cells.len() + 1 >= ncells
                });
                let continues = t.chars().next().is_some_and(char::is_lowercase);
                if next_row || (!continues && cells.len() >= ncells) {
                    break;
                }
                if continues && let Some(last) = cells.last_mut() {
                    last.push(' ');
                    last.push_str(t);
                } else {
                    cells.push(t.to_string());
                }
                end = off + l.len();
                m += 1;
            }
            if cells.len() > ncells {
                // Surplus lines: the content cell wrapped without a lower-case start.
                let extra = cells.len() - ncells;
                let merged = cells[content_col..=content_col + extra].join(" ");
                cells.splice(content_col..=content_col + extra, [merged]);
            }
            let cells: Vec<String> = cells.iter().map(|c| squash(c)).collect();
            table.rows.push(((lines[k].0, end), cells));
            table.span.1 = end;
            expected += 1;
            k = m;
        }
        if table.rows.is_empty() {
            i = j;
        } else {
            out.push(table);
            i = k;
        }
    }
    out
}

/// Tasks from the rows of task tables.
fn table_tasks(
    body: &str,
    tables: &[Table],
    ctx: &Context,
    issued_on: Option<NaiveDate>,
) -> Vec<Task> {
    let dir = Directory::global();
    let mut out = Vec::new();
    for table in tables {
        let r = &table.roles;
        for ((start, end), cells) in &table.rows {
            let cell = |role: Column| -> &str {
                r.iter()
                    .position(|x| *x == role)
                    .and_then(|i| cells.get(i))
                    .map(String::as_str)
                    .unwrap_or("")
            };
            let lead = cell_agencies(dir, cell(Column::Lead), ctx);
            if lead.is_empty() {
                continue;
            }
            let content = cell(Column::Content);
            let content = if content.is_empty() {
                cells
                    .iter()
                    .map(String::as_str)
                    .max_by_key(|c| c.len())
                    .unwrap_or("")
            } else {
                content
            };
            let due = cell(Column::Due);
            let dl = deadline::parse(due, issued_on).or_else(|| {
                let cued = format!("hoàn thành trong {due}");
                deadline::parse(&cued, issued_on).map(|mut d| {
                    d.text = squash(due);
                    d
                })
            });
            let support: Vec<String> = cell_agencies(dir, cell(Column::Support), ctx)
                .into_iter()
                .filter(|x| !lead.contains(x))
                .collect();
            let raw = body.get(*start..*end).unwrap_or("");
            let lead_off = raw.len() - raw.trim_start().len();
            out.push(Task {
                lead,
                support,
                text: squash(content),
                deadline: dl.as_ref().and_then(|d| d.date),
                deadline_text: dl
                    .as_ref()
                    .map(|d| d.text.clone())
                    .filter(|x| !x.is_empty()),
                recurrence: dl.and_then(|d| d.recurrence),
                source: Some([start + lead_off, start + raw.trim_end().len()]),
            });
        }
    }
    out
}

/// Finds the tasks of a document body. `recipients` lead the tasks addressed to "Quý cơ
/// quan"; `issued_on` anchors relative deadlines. Source spans are byte ranges in `body`.
pub fn find_tasks(
    body: &str,
    ctx: &Context,
    issued_on: Option<NaiveDate>,
    recipients: &[String],
) -> Vec<Task> {
    let dir = Directory::global();
    let mut tasks = Vec::new();
    // Stack of (level, leads for children).
    let mut stack: Vec<(u8, Vec<String>)> = Vec::new();
    let found_tables = tables(body);
    let mut requests_level: Option<u8> = None;
    let all = items(body, &found_tables);
    for (k, it) in all.iter().enumerate() {
        let has_children = all
            .get(k + 1)
            .is_some_and(|n| n.level > it.level && (n.marked || n.under_heading));
        while stack.last().is_some_and(|(l, _)| *l >= it.level) {
            stack.pop();
        }
        let inherited: Vec<String> = stack
            .iter()
            .rev()
            .find(|(_, l)| !l.is_empty())
            .map(|(_, l)| l.clone())
            .filter(|l| l.first().map(String::as_str) != Some(NO_LEAD))
            .unwrap_or_default();
        let Some(text) = body.get(it.start..it.end) else {
            continue;
        };
        let folded = Folded::new(text);
        if let Some(l) = requests_level {
            if it.level > l {
                stack.push((it.level, Vec::new()));
                continue;
            }
            requests_level = None;
        }
        if REQUESTS.is_match(&folded.text) {
            // Requests to superiors are not tasks.
            requests_level = Some(it.level);
            stack.push((it.level, Vec::new()));
            continue;
        }
        // A closing formula ends the letter; when it is the last sentence of a paragraph that
        // assigns a task first, only that sentence is dropped (below).
        // "Căn cứ ..., Sở Tài chính đề nghị các cơ quan, đơn vị thực hiện một số nội dung sau:"
        // introduces the items below, whatever it starts with.
        let assigning_intro =
            has_children && text.trim_end().ends_with(':') && ASSIGN.is_match(&folded.text);
        if (CLOSING.is_match(&folded.text) && !assigning_intro)
            || (closing_formula(&folded.text) && sentences(text).len() == 1)
        {
            stack.push((it.level, Vec::new()));
            continue;
        }
        let mentions = dir.find_mentions_folded(text, &folded, ctx);
        // An introduction to the items below; OCR often reads its colon as a semicolon.
        let is_intro = text.trim_end().ends_with(':')
            || (text.trim_end().ends_with(';') && has_children && sentences(text).len() == 1);
        let mut child_leads: Vec<String> = Vec::new();
        // "Bộ Công an giao:" hands the items below to the units they name: they inherit no
        // lead from above.
        let mut assigner = false;
        let heading_name = text.trim().trim_end_matches(':').trim();
        let unknown_heading = has_children
            && heading_name.chars().count() <= 80
            && !heading_name.ends_with('.')
            && !heading_name.contains(',')
            && AGENCY_HEAD.is_match(&folded.text)
            && !is_clause(heading_name)
            && !assigns_work(heading_name)
            && dir.resolve(heading_name, ctx).is_none();
        // A short line standing over a paragraph ("4. Trung tâm Văn hóa, Thể thao và Truyền
        // thông huyện" then "Xây dựng tin, bài ..."): the bodies it names are its heading's.
        let over_paragraph = all
            .get(k + 1)
            .is_some_and(|n| n.under_heading && n.level > it.level);
        let found_actors = if unknown_heading {
            // "Phòng Văn hóa - Xã hội xã", "Ban Chỉ huy Quân sự huyện": in the issuer's place.
            let name = place_unknown(&squash(heading_name), ctx);
            Some((vec![name], Vec::new(), true))
        } else {
            actors(text, &folded, &mentions, recipients, ctx)
                .map(|(l, s, heading)| (l, s, heading || over_paragraph))
        };
        match found_actors {
            Some((leads, _, true)) => {
                // A heading naming agencies: its items are theirs.
                child_leads = leads;
            }
            Some((leads, supports, false)) if is_intro => {
                let _ = supports;
                // "Bộ Công an giao:": the items name the units that carry them out.
                if ASSIGNER_INTRO.is_match(&folded.text) {
                    assigner = true;
                } else {
                    child_leads = leads;
                }
            }
            item_actors => {
                // Sentence by sentence: a sentence naming who acts starts a task, the
                // sentences after it continue that task.
                let sents = sentences(text);
                let single = sents.len() == 1;
                let mut cur: Option<(usize, usize, Vec<String>, Vec<String>)> = None;
                let flush = |cur: &mut Option<(usize, usize, Vec<String>, Vec<String>)>,
                             tasks: &mut Vec<Task>| {
                    if let Some((s, e, l, sup)) = cur.take() {
                        tasks.push(make_task(
                            body,
                            it.start + s,
                            it.start + e,
                            l,
                            sup,
                            issued_on,
                        ));
                    }
                };
                for (s, e) in sents {
                    let st = &text[s..e];
                    let sf = if single {
                        folded.clone()
                    } else {
                        Folded::new(st)
                    };
                    if CLOSING.is_match(&sf.text) || closing_formula(&sf.text) {
                        flush(&mut cur, &mut tasks);
                        continue;
                    }
                    // A single sentence is the item itself: reuse what was found for it.
                    let sm = if single {
                        mentions.clone()
                    } else {
                        dir.find_mentions_folded(st, &sf, ctx)
                    };
                    let own = if single {
                        item_actors.clone()
                    } else {
                        actors(st, &sf, &sm, recipients, ctx)
                    };
                    match own {
                        Some((l, sup, false)) => {
                            flush(&mut cur, &mut tasks);
                            cur = Some((s, e, l, sup));
                        }
                        _ => match cur.as_mut() {
                            Some(c) => c.1 = e,
                            None if !inherited.is_empty()
                                && !has_children
                                && (it.marked || !short_title(st)) =>
                            {
                                let sup = supports_after(st, &sf, &sm, 0);
                                cur = Some((s, e, inherited.clone(), sup));
                            }
                            None => {}
                        },
                    }
                }
                flush(&mut cur, &mut tasks);
            }
        }
        if assigner {
            // Nothing below inherits a lead from above this introduction.
            child_leads = vec![NO_LEAD.to_string()];
        } else if child_leads.is_empty() && has_children {
            child_leads = inherited;
        }
        stack.push((it.level, child_leads));
    }
    let mut table = table_tasks(body, &found_tables, ctx, issued_on);
    if !table.is_empty() {
        tasks.append(&mut table);
        tasks.sort_by_key(|t| t.source.map(|s| s[0]).unwrap_or(0));
    }
    for t in &mut tasks {
        t.lead = each_place(std::mem::take(&mut t.lead));
        t.support = each_place(std::mem::take(&mut t.support));
    }
    tasks
}

/// Names with a body of several listed places replaced by the body of each place
/// ([`places_listed`]).
fn each_place(names: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for n in names {
        for one in places_listed(&n).unwrap_or_else(|| vec![n]) {
            if !out.contains(&one) {
                out.push(one);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kg() -> Context {
        Context {
            province: Some("tỉnh Kiên Giang".to_string()),
            locality: None,
        }
    }

    #[test]
    fn giao_chu_tri_phoi_hop() {
        let body = "Giao Sở Thông tin và Truyền thông làm đầu mối chủ trì, phối hợp với Văn phòng UBND tỉnh, Công an tỉnh và các ngành liên quan tham mưu Ủy ban nhân dân tỉnh thực hiện.\n";
        let t = find_tasks(body, &kg(), None, &[]);
        assert_eq!(t.len(), 1);
        assert_eq!(
            t[0].lead,
            vec!["Sở Thông tin và Truyền thông tỉnh Kiên Giang"]
        );
        assert_eq!(
            t[0].support,
            vec![
                "Văn phòng Ủy ban nhân dân tỉnh Kiên Giang",
                "Công an tỉnh Kiên Giang",
                "Các ngành liên quan"
            ]
        );
    }

    #[test]
    fn heading_agency_gives_items_their_lead() {
        let body = "3. Bộ Thông tin và Truyền thông\na) Hoàn thiện dự thảo Nghị định, trình Chính phủ trong Quý IV năm 2023.\nb) Chủ trì, phối hợp với Bộ Công an xây dựng nền tảng.\n4. Bộ Y tế:\n- Tăng cường kiểm tra.\n";
        let t = find_tasks(body, &Context::default(), None, &[]);
        assert_eq!(t.len(), 3);
        assert_eq!(t[0].lead, vec!["Bộ Thông tin và Truyền thông"]);
        assert_eq!(t[0].deadline, NaiveDate::from_ymd_opt(2023, 12, 31));
        assert_eq!(t[1].support, vec!["Bộ Công an"]);
        assert_eq!(t[2].lead, vec!["Bộ Y tế"]);
    }

    #[test]
    fn items_starting_with_agencies_and_collectives() {
        let body = "a) Về thể chế\n\n- Bộ Công an đẩy nhanh tiến độ xây dựng Nghị định về bảo vệ dữ liệu cá nhân.\n\n- Bộ Thông tin và Truyền thông: Khẩn trương hoàn thiện dự thảo.\n\nb) Về cung cấp dịch vụ công trực tuyến, các bộ, ngành, địa phương đẩy mạnh giải quyết thủ tục hành chính.\n\n- Bộ Tài chính đã ban hành hướng dẫn.\n";
        let t = find_tasks(body, &Context::default(), None, &[]);
        let leads: Vec<&str> = t.iter().map(|x| x.lead[0].as_str()).collect();
        assert_eq!(
            leads,
            vec![
                "Bộ Công an",
                "Bộ Thông tin và Truyền thông",
                "Các bộ, ngành, địa phương"
            ]
        );
    }

    #[test]
    fn views_and_closings_are_not_tasks() {
        let body = "1. Biểu dương Bộ Thông tin và Truyền thông đã thực hiện tốt vai trò đầu mối.\n\nVăn phòng Chính phủ thông báo để các Bộ, cơ quan biết, thực hiện./.\n";
        assert!(find_tasks(body, &Context::default(), None, &[]).is_empty());
    }

    #[test]
    fn one_paragraph_several_agencies() {
        let body = "4. Bộ Y tế khẩn trương hướng dẫn các địa phương. Bộ Tài chính bố trí kinh phí trước ngày 30/6/2023. Việc này cần làm ngay.\n";
        let t = find_tasks(body, &Context::default(), None, &[]);
        assert_eq!(t.len(), 2);
        assert_eq!(t[0].lead, vec!["Bộ Y tế"]);
        assert_eq!(t[1].lead, vec!["Bộ Tài chính"]);
        assert!(t[1].text.ends_with("Việc này cần làm ngay."));
        assert_eq!(t[1].deadline, NaiveDate::from_ymd_opt(2023, 6, 30));
    }

    #[test]
    fn supports_named_before_phoi_hop() {
        let body = "Giao Sở Tài chính chủ trì thẩm định kinh phí; Sở Nội vụ, Sở Tư pháp phối hợp thực hiện.\n";
        let t = find_tasks(body, &kg(), None, &[]);
        assert_eq!(t.len(), 1);
        assert_eq!(t[0].lead, vec!["Sở Tài chính tỉnh Kiên Giang"]);
        assert_eq!(
            t[0].support,
            vec!["Sở Nội vụ tỉnh Kiên Giang", "Sở Tư pháp tỉnh Kiên Giang"]
        );
    }

    #[test]
    fn agency_missing_from_the_directory() {
        let body = "1. Ban Chỉ đạo phòng, chống dịch tỉnh chủ trì, phối hợp với Sở Y tế tổ chức kiểm tra.\n";
        let t = find_tasks(body, &kg(), None, &[]);
        assert_eq!(t.len(), 1);
        assert_eq!(
            t[0].lead,
            vec!["Ban Chỉ đạo phòng, chống dịch tỉnh Kiên Giang"]
        );
        assert_eq!(t[0].support, vec!["Sở Y tế tỉnh Kiên Giang"]);
    }

    #[test]
    fn tasks_from_a_markdown_table() {
        let body = "Nhiệm vụ cụ thể:\n\n| TT | Nội dung | Cơ quan chủ trì | Cơ quan phối hợp | Thời gian hoàn thành |\n|---|---|---|---|---|\n| 1 | Xây dựng kho dữ liệu | Sở Thông tin và Truyền thông | Sở Tài chính, Công an tỉnh | Quý III/2023 |\n| 2 | Tập huấn cán bộ | Sở Nội vụ | | Tháng 10/2023 |\n";
        let t = find_tasks(body, &kg(), None, &[]);
        assert_eq!(t.len(), 2);
        assert_eq!(
            t[0].lead,
            vec!["Sở Thông tin và Truyền thông tỉnh Kiên Giang"]
        );
        assert_eq!(
            t[0].support,
            vec!["Sở Tài chính tỉnh Kiên Giang", "Công an tỉnh Kiên Giang"]
        );
        assert_eq!(t[0].text, "Xây dựng kho dữ liệu");
        assert_eq!(t[0].deadline, NaiveDate::from_ymd_opt(2023, 9, 30));
        assert_eq!(t[0].deadline_text.as_deref(), Some("Quý III/2023"));
        assert_eq!(t[1].deadline, NaiveDate::from_ymd_opt(2023, 10, 31));
    }

    #[test]
    fn the_agency_that_directs_leads() {
        let body =
            "1. Sở Y tế chỉ đạo các cơ sở y tế giám sát chặt chẽ các trường hợp viêm phổi nặng.\n";
        let t = find_tasks(body, &kg(), None, &[]);
        assert_eq!(t.len(), 1);
        assert_eq!(t[0].lead, vec!["Sở Y tế tỉnh Kiên Giang"]);
    }

    #[test]
    fn a_unit_assigned_by_its_ministry() {
        let body = "Bộ Công Thương giao Cục Xuất nhập khẩu chủ trì, phối hợp với Bộ Tài chính theo dõi tình hình.\n";
        let t = find_tasks(body, &Context::default(), None, &[]);
        assert_eq!(t.len(), 1);
        assert_eq!(t[0].lead, vec!["Cục Xuất nhập khẩu"]);
        assert_eq!(t[0].support, vec!["Bộ Tài chính"]);
    }

    #[test]
    fn local_bodies_missing_from_the_directory() {
        let body = "3. Ban Quản lý dự án đầu tư xây dựng tỉnh đẩy nhanh tiến độ thi công.\n\n4. Các doanh nghiệp xuất khẩu cà phê trên địa bàn tỉnh xây dựng hệ thống truy xuất nguồn gốc.\n";
        let t = find_tasks(body, &kg(), None, &[]);
        assert_eq!(t.len(), 2);
        assert_eq!(
            t[0].lead,
            vec!["Ban Quản lý dự án đầu tư xây dựng tỉnh Kiên Giang"]
        );
        assert_eq!(
            t[1].lead,
            vec!["Các doanh nghiệp xuất khẩu cà phê trên địa bàn tỉnh"]
        );
    }

    #[test]
    fn flattened_table_rows() {
        let body = "STT | Nội dung nhiệm vụ | Cơ quan chủ trì | Cơ quan phối hợp | Thời gian hoàn thành\n1 | Phân bổ chi tiết vốn sự nghiệp | Sở Tài chính | Sở Nội vụ | Quý II/2022\n2 | Truyền thông về giảm nghèo\nđa chiều | Sở Y tế | | Thường xuyên\n\nCác nội dung khác.\n";
        let t = find_tasks(body, &kg(), None, &[]);
        assert_eq!(t.len(), 2);
        assert_eq!(t[0].lead, vec!["Sở Tài chính tỉnh Kiên Giang"]);
        assert_eq!(t[0].support, vec!["Sở Nội vụ tỉnh Kiên Giang"]);
        assert_eq!(t[0].deadline, NaiveDate::from_ymd_opt(2022, 6, 30));
        assert_eq!(t[1].text, "Truyền thông về giảm nghèo đa chiều");
        assert_eq!(t[1].deadline, None);
    }

    #[test]
    fn closing_formulas_and_requests_to_superiors_are_not_tasks() {
        let body = "1. Sở Y tế kiểm tra các cơ sở.\n\nIII. ĐỀ XUẤT, KIẾN NGHỊ\n\n1. Đề nghị UBND tỉnh sớm phân bổ vốn cho huyện.\n\nYêu cầu các cơ quan, đơn vị nghiêm túc triển khai thực hiện./.\n";
        let t = find_tasks(body, &kg(), None, &[]);
        assert_eq!(t.len(), 1);
        assert_eq!(t[0].lead, vec!["Sở Y tế tỉnh Kiên Giang"]);
    }

    #[test]
    fn deadline_label_on_its_own_line() {
        let body =
            "2. Sở Tài chính xây dựng kế hoạch kiểm soát.\n\nThời hạn: trước ngày 20/12/2024.\n";
        let t = find_tasks(body, &kg(), None, &[]);
        assert_eq!(t.len(), 1);
        assert_eq!(t[0].deadline, NaiveDate::from_ymd_opt(2024, 12, 20));
    }

    #[test]
    fn units_handed_tasks_by_their_ministry_lead_them() {
        let body = "Bộ Tư pháp giao:\n\n- Viện Khoa học pháp lý khảo sát việc thi hành luật tại một số địa phương trong Quý III năm 2024.\n\n- Trung tâm Thông tin nâng cấp Cổng thông tin điện tử.\n\n- Cục Kiểm tra văn bản: Rà soát các văn bản quy phạm pháp luật.\n";
        let t = find_tasks(body, &Context::default(), None, &[]);
        let leads: Vec<&str> = t.iter().map(|x| x.lead[0].as_str()).collect();
        assert_eq!(
            leads,
            vec![
                "Viện Khoa học pháp lý",
                "Trung tâm Thông tin",
                "Cục Kiểm tra văn bản"
            ]
        );
        assert_eq!(t[0].deadline, NaiveDate::from_ymd_opt(2024, 9, 30));
    }

    #[test]
    fn a_body_named_with_its_role() {
        let ctx = Context {
            province: Some("tỉnh Kiên Giang".to_string()),
            locality: Some("huyện Giồng Riềng".to_string()),
        };
        let body = "1. Giao Ban Quản lý dự án đầu tư xây dựng huyện chủ trì lập hồ sơ mời thầu.\n\n2. Sở Tài chính là cơ quan thường trực, theo dõi việc thực hiện.\n\n3. Giao Phòng Kinh tế và Hạ tầng huyện làm cơ quan đầu mối, tổng hợp kết quả.\n";
        let t = find_tasks(body, &ctx, None, &[]);
        let leads: Vec<&str> = t.iter().map(|x| x.lead[0].as_str()).collect();
        assert_eq!(
            leads,
            vec![
                "Ban Quản lý dự án đầu tư xây dựng huyện Giồng Riềng",
                "Sở Tài chính tỉnh Kiên Giang",
                "Phòng Kinh tế và Hạ tầng huyện Giồng Riềng"
            ]
        );
    }

    #[test]
    fn a_heading_missing_from_the_directory_takes_the_issuers_place() {
        let ctx = Context {
            province: Some("tỉnh Bắc Ninh".to_string()),
            locality: Some("xã Đông Cứu".to_string()),
        };
        let body = "1. Phòng Văn hóa - Xã hội xã\n\n- Lập danh sách hộ được hỗ trợ.\n";
        let t = find_tasks(body, &ctx, None, &[]);
        assert_eq!(t.len(), 1);
        assert_eq!(t[0].lead, vec!["Phòng Văn hóa - Xã hội xã Đông Cứu"]);
    }

    #[test]
    fn a_closing_formula_after_a_task_in_one_paragraph() {
        let body = "Giao Sở Nội vụ tổng kết trước ngày 05/12/2025. Các cơ quan, đơn vị nghiêm túc triển khai thực hiện./.\n";
        let t = find_tasks(body, &kg(), NaiveDate::from_ymd_opt(2025, 9, 1), &[]);
        assert_eq!(t.len(), 1);
        assert_eq!(t[0].lead, vec!["Sở Nội vụ tỉnh Kiên Giang"]);
        assert_eq!(t[0].deadline, NaiveDate::from_ymd_opt(2025, 12, 5));
        assert!(!t[0].text.contains("nghiêm túc"));
    }

    #[test]
    fn collectives_narrowed_by_a_qualifier() {
        let body = "1. UBND các huyện có khu công nghiệp đẩy nhanh xây dựng nhà ở công nhân.\n\n2. Ủy ban nhân dân các xã, phường có cửa khẩu, lối mở biên giới phối hợp với đồn biên phòng quản lý cư dân.\n\n3. Ủy ban nhân dân các xã, thị trấn ven biển\n\n- Lập danh sách hộ cần sơ tán.\n\n4. UBND các huyện có trách nhiệm báo cáo kết quả.\n";
        let t = find_tasks(body, &kg(), None, &[]);
        let leads: Vec<&str> = t.iter().map(|x| x.lead[0].as_str()).collect();
        assert_eq!(
            leads,
            vec![
                "Ủy ban nhân dân các huyện có khu công nghiệp",
                "Ủy ban nhân dân các xã, phường có cửa khẩu, lối mở biên giới",
                "Ủy ban nhân dân các xã, thị trấn ven biển",
                // "có trách nhiệm" is the duty, not a qualifier.
                "Ủy ban nhân dân các huyện",
            ]
        );
    }

    #[test]
    fn markers_and_introductions_misread_by_ocr() {
        // "4," for "4." and a semicolon ending the introduction of a list.
        let body = "Bộ Công an đề nghị Quý cơ quan;\n\n1. Rà soát hệ thống thông tin.\n\n2. Sao lưu dữ liệu.\n\n4, Bộ Ngoại giao chủ trì trao đổi với các nước.\n";
        let r = vec!["Ủy ban nhân dân các tỉnh, thành phố trực thuộc Trung ương".to_string()];
        let t = find_tasks(body, &Context::default(), None, &r);
        let leads: Vec<&str> = t.iter().map(|x| x.lead[0].as_str()).collect();
        assert_eq!(leads, vec![r[0].as_str(), r[0].as_str(), "Bộ Ngoại giao"]);
        assert!(t[2].text.starts_with("Bộ Ngoại giao"));
    }

    #[test]
    fn a_section_title_in_capitals_ends_the_headings_above() {
        let body = "4. Các thôn\n\n- Vận động người dân tham gia.\n\nTỔ CHỨC THỰC HIỆN\n\nNội dung kế hoạch được phổ biến rộng rãi.\n";
        let t = find_tasks(body, &kg(), None, &[]);
        assert_eq!(t.len(), 1);
        assert_eq!(t[0].lead, vec!["Các thôn"]);
    }

    #[test]
    fn table_rows_wrapped_by_ocr() {
        // The header and every row wrapped, the last cell on a line of its own.
        let body = "STT | Nội dung nhiệm vụ | Cơ quan chủ trì | Cơ quan phối hợp | Thời gian\nhoàn thành\n\n1 | Công bố quy hoạch trên Cổng thông tin điện tử\ncủa tỉnh | Sở Xây dựng |\nSở Tư pháp | Tháng\n3/2024\n\n2 | Lập kế hoạch sử dụng đất | Sở Tài nguyên và Môi\ntrường | Sở Tài chính | Trước ngày 15\nhằng tháng\n\nIII. TỔ CHỨC THỰC HIỆN\n";
        let t = find_tasks(body, &kg(), NaiveDate::from_ymd_opt(2024, 3, 12), &[]);
        assert_eq!(t.len(), 2);
        assert_eq!(t[0].lead, vec!["Sở Xây dựng tỉnh Kiên Giang"]);
        assert_eq!(t[0].deadline, NaiveDate::from_ymd_opt(2024, 3, 31));
        assert_eq!(
            t[1].lead,
            vec!["Sở Tài nguyên và Môi trường tỉnh Kiên Giang"]
        );
        assert_eq!(t[1].deadline, NaiveDate::from_ymd_opt(2024, 3, 15));
        assert_eq!(t[1].recurrence, Some(deadline::Recurrence::Monthly));
    }

    #[test]
    fn newspapers_and_the_bodies_of_a_peoples_council() {
        let ctx = Context {
            province: Some("tỉnh Hà Nam".to_string()),
            locality: None,
        };
        let body = "1. Đài Phát thanh và Truyền hình tỉnh, Báo Hà Nam tuyên truyền rộng rãi.\n\n2. Giao Thường trực Hội đồng nhân dân tỉnh, các Ban Hội đồng nhân dân tỉnh, các Tổ đại biểu và đại biểu Hội đồng nhân dân tỉnh giám sát việc thực hiện Nghị quyết.\n";
        let t = find_tasks(body, &ctx, None, &[]);
        assert_eq!(t.len(), 2);
        assert_eq!(
            t[0].lead,
            vec!["Đài Phát thanh và Truyền hình tỉnh Hà Nam", "Báo Hà Nam"]
        );
        assert_eq!(
            t[1].lead,
            vec![
                "Thường trực Hội đồng nhân dân tỉnh Hà Nam",
                "Các Ban Hội đồng nhân dân tỉnh",
                "Các Tổ đại biểu Hội đồng nhân dân tỉnh",
                "Đại biểu Hội đồng nhân dân tỉnh"
            ]
        );
    }

    #[test]
    fn closing_formulas_in_other_orders_and_damaged_endings() {
        let body = "1. Sở Y tế kiểm tra các cơ sở.\n\nYêu cầu Thủ trưởng các sở, ban, ngành, Chủ tịch UBND các huyện, thành phố tổ chức thực hiện nghiêm túc Chỉ thị này./.\n\nĐề nghị các cơ quan, đơn vị khẩn trương triển khai thực hiện_//.\n";
        let t = find_tasks(body, &kg(), None, &[]);
        assert_eq!(t.len(), 1);
        assert_eq!(t[0].lead, vec!["Sở Y tế tỉnh Kiên Giang"]);
    }

    #[test]
    fn one_body_of_several_places() {
        let ctx = Context {
            province: Some("thành phố Cần Thơ".to_string()),
            locality: Some("quận Ninh Kiều".to_string()),
        };
        let body = "5. UBND phường Cái Khế, phường An Hòa và phường Tân An vận động các hộ dân bàn giao mặt bằng.\n\n6. Ủy ban nhân dân huyện Phong Điền phối hợp với Ủy ban nhân dân huyện Cờ Đỏ, huyện Thới Lai.\n";
        let t = find_tasks(body, &ctx, None, &[]);
        assert_eq!(t.len(), 2);
        assert_eq!(
            t[0].lead,
            vec![
                "Ủy ban nhân dân phường Cái Khế",
                "Ủy ban nhân dân phường An Hòa",
                "Ủy ban nhân dân phường Tân An"
            ]
        );
        // Places after a supporting body stay with it.
        assert_eq!(t[1].lead, vec!["Ủy ban nhân dân huyện Phong Điền"]);
    }

    #[test]
    fn places_of_different_units_and_listed_places() {
        let ctx = Context {
            province: Some("tỉnh Phú Yên".to_string()),
            locality: None,
        };
        let body = "1. Giao Ủy ban nhân dân thị xã Đông Hòa, huyện Tuy An, thành phố Tuy Hòa di dời các hộ dân.\n\n2. Ủy ban nhân dân các huyện Sơn Hòa, Sông Hinh, Tây Hòa:\n\na) Rà soát các điểm sạt lở.\n";
        let t = find_tasks(body, &ctx, None, &[]);
        assert_eq!(t.len(), 2);
        assert_eq!(
            t[0].lead,
            vec![
                "Ủy ban nhân dân thị xã Đông Hòa",
                "Ủy ban nhân dân huyện Tuy An",
                "Ủy ban nhân dân thành phố Tuy Hòa"
            ]
        );
        // A body of listed places, as a table cell names it, is the body of each place.
        // (Under a heading or after "Giao", the name is still cut before the places.)
        assert_eq!(
            places_listed("Ủy ban nhân dân các huyện Sơn Hòa, Sông Hinh và Tây Hòa"),
            Some(vec![
                "Ủy ban nhân dân huyện Sơn Hòa".to_string(),
                "Ủy ban nhân dân huyện Sông Hinh".to_string(),
                "Ủy ban nhân dân huyện Tây Hòa".to_string()
            ])
        );
        // Not a list of places: a title follows "và".
        assert_eq!(
            places_listed("Ủy ban nhân dân các huyện Sơn Hòa và Thủ trưởng các sở"),
            None
        );
    }

    #[test]
    fn table_flattened_one_cell_per_line() {
        let ctx = Context {
            province: Some("tỉnh Ninh Thuận".to_string()),
            locality: None,
        };
        let body = "II. NHIỆM VỤ\n\nSTT\nNội dung\nCơ quan chủ trì\nCơ quan phối hợp\nThời gian hoàn thành\n1\nSửa chữa các công trình cấp nước\ntập trung bị hư hỏng\nTrung tâm Nước sạch và Vệ sinh môi trường nông thôn\nSở Tài chính\nQuý 3/2024\n\n2\n\nBố trí xe bồn chở nước\n\nỦy ban nhân dân các huyện Bác Ái, Thuận Nam\n\nSở Y tế\n\nThường xuyên\n\nIII. TỔ CHỨC THỰC HIỆN\n";
        let t = find_tasks(body, &ctx, NaiveDate::from_ymd_opt(2024, 7, 12), &[]);
        assert_eq!(t.len(), 2);
        assert_eq!(
            t[0].text,
            "Sửa chữa các công trình cấp nước tập trung bị hư hỏng"
        );
        assert_eq!(
            t[0].lead,
            vec!["Trung tâm Nước sạch và Vệ sinh môi trường nông thôn tỉnh Ninh Thuận"]
        );
        assert_eq!(t[0].support, vec!["Sở Tài chính tỉnh Ninh Thuận"]);
        assert_eq!(t[0].deadline, NaiveDate::from_ymd_opt(2024, 9, 30));
        assert_eq!(
            t[1].lead,
            vec![
                "Ủy ban nhân dân huyện Bác Ái",
                "Ủy ban nhân dân huyện Thuận Nam"
            ]
        );
        assert_eq!(t[1].deadline, None);
    }

    #[test]
    fn quy_co_quan_means_the_addressees() {
        let body = "Đề nghị Quý cơ quan báo cáo kết quả trước ngày 15/10/2023.\n";
        let r = vec!["Sở Y tế tỉnh Nghệ An".to_string()];
        let t = find_tasks(body, &Context::default(), None, &r);
        assert_eq!(t.len(), 1);
        assert_eq!(t[0].lead, r);
        assert_eq!(t[0].deadline, NaiveDate::from_ymd_opt(2023, 10, 15));
    }

    #[test]
    fn quy_don_vi_misread_by_ocr() {
        // OCR reads the capital Q as O ("dé nghi Ouy don vi"); text repair then reads "Ủy".
        let r = vec!["Phòng Giáo dục và Đào tạo các huyện, thành phố".to_string()];
        let body = "Sở Giáo dục và Đào tạo đề nghị Ủy đơn vị thực hiện:\n\n1. Kiểm tra an toàn phòng học.\n";
        let t = find_tasks(body, &Context::default(), None, &r);
        assert_eq!(t.len(), 1);
        assert_eq!(t[0].lead, r);
    }

    #[test]
    fn assignment_verbs_make_no_heading_name() {
        assert!(assigns_work("Sở Y tế đề nghị Ủy đơn vị thực hiện"));
        assert!(assigns_work("Ủy ban nhân dân huyện giao các xã"));
        assert!(!assigns_work("Ban Chỉ đạo phòng, chống thiên tai tỉnh"));
        assert!(!assigns_work("Ban An toàn giao thông tỉnh"));
    }

    #[test]
    fn a_commanders_heading_gives_items_their_lead() {
        let body = "3. Chỉ huy trưởng Bộ Chỉ huy Bộ đội Biên phòng tỉnh:\n\nPhối hợp với Ủy ban nhân dân các huyện ven biển kiểm soát phương tiện khai thác cát.\n";
        let t = find_tasks(body, &kg(), None, &[]);
        assert_eq!(t.len(), 1);
        assert_eq!(
            t[0].lead,
            vec!["Bộ Chỉ huy Bộ đội Biên phòng tỉnh Kiên Giang"]
        );
    }

    #[test]
    fn a_class_of_bodies_named_by_what_they_are() {
        let body = "7. Các chủ đầu tư báo cáo tiến độ giải ngân về Sở Tài chính định kỳ hằng tháng, trước ngày 25.\n\n8. Các doanh nghiệp xuất khẩu cà phê định kỳ hằng quý gửi báo cáo về Sở Công Thương.\n\n9. Các doanh nghiệp đã ký cam kết.\n";
        let t = find_tasks(body, &kg(), NaiveDate::from_ymd_opt(2025, 9, 9), &[]);
        assert_eq!(t.len(), 2);
        assert_eq!(t[0].lead, vec!["Các chủ đầu tư"]);
        assert_eq!(t[0].deadline, NaiveDate::from_ymd_opt(2025, 9, 25));
        assert_eq!(t[1].lead, vec!["Các doanh nghiệp xuất khẩu cà phê"]);
    }

    #[test]
    fn a_paragraph_under_a_short_heading_is_its_content() {
        let body = "5. Ban nhân dân các ấp\n\nVận động người dân cung cấp giấy tờ về đất đai, hoàn thành trong tháng 11/2025.\n\n6. Sở Tài chính\n\nTham mưu bố trí kinh phí.\n";
        let t = find_tasks(
            body,
            &Context::default(),
            NaiveDate::from_ymd_opt(2025, 9, 10),
            &[],
        );
        assert_eq!(t.len(), 2);
        assert_eq!(t[0].lead, vec!["Ban nhân dân các ấp"]);
        assert!(t[0].text.starts_with("Vận động"));
        assert_eq!(t[0].deadline, NaiveDate::from_ymd_opt(2025, 11, 30));
        assert_eq!(t[1].lead, vec!["Sở Tài chính"]);
        assert_eq!(t[1].text, "Tham mưu bố trí kinh phí.");
    }

    #[test]
    fn a_line_wrapped_at_the_page_width_is_no_heading() {
        let body = "3. Ban Quản lý Khu kinh tế Dung Quất và các Khu công nghiệp Quảng\n\nNgãi yêu cầu doanh nghiệp bố trí lực lượng phòng cháy cơ sở.\n";
        let t = find_tasks(body, &kg(), None, &[]);
        assert_eq!(t.len(), 1);
        assert!(t[0].text.starts_with("Ban Quản lý") && t[0].text.contains("Ngãi yêu cầu"));
    }

    #[test]
    fn a_heading_wrapped_over_two_lines_still_heads() {
        let body = "4. Sở Thông tin và Truyền thông, Đài Phát thanh và Truyền hình\nKiên Giang\n\nTuyên truyền lợi ích của tiêm chủng, vận động phụ huynh đưa trẻ đi tiêm đúng lịch.\n";
        let t = find_tasks(body, &kg(), None, &[]);
        assert_eq!(t.len(), 1);
        assert_eq!(
            t[0].lead.first().map(String::as_str),
            Some("Sở Thông tin và Truyền thông tỉnh Kiên Giang")
        );
        assert!(t[0].text.starts_with("Tuyên truyền"));
    }

    #[test]
    fn a_decision_of_the_government_is_no_task() {
        let body = "Chính phủ thông qua đề nghị xây dựng Luật. Giao Bộ Tư pháp chủ trì hoàn thiện hồ sơ.\n";
        let t = find_tasks(body, &Context::default(), None, &[]);
        assert_eq!(t.len(), 1);
        assert_eq!(t[0].lead, vec!["Bộ Tư pháp"]);
    }

    #[test]
    fn units_named_by_their_department_keep_their_names() {
        let body = "Văn phòng Sở tổng hợp nhu cầu sửa chữa phòng học.\n";
        let t = find_tasks(body, &kg(), None, &[]);
        assert_eq!(t.len(), 1);
        assert_eq!(t[0].lead, vec!["Văn phòng Sở"]);
    }

    #[test]
    fn the_committee_of_each_province_listed() {
        let body = "1. Chủ tịch Ủy ban nhân dân các tỉnh Quảng Bình, Quảng Trị và Quảng Nam tiếp tục tìm kiếm người mất tích.\n";
        let t = find_tasks(body, &Context::default(), None, &[]);
        assert_eq!(t.len(), 1);
        assert_eq!(
            t[0].lead,
            vec![
                "Ủy ban nhân dân tỉnh Quảng Bình",
                "Ủy ban nhân dân tỉnh Quảng Trị",
                "Ủy ban nhân dân tỉnh Quảng Nam"
            ]
        );
        // The province before it became the city of Huế keeps its name.
        let body = "Ủy ban nhân dân các tỉnh Quảng Trị, Thừa Thiên Huế khắc phục hậu quả mưa lũ.\n";
        let t = find_tasks(body, &Context::default(), None, &[]);
        assert_eq!(
            t[0].lead,
            vec![
                "Ủy ban nhân dân tỉnh Quảng Trị",
                "Ủy ban nhân dân tỉnh Thừa Thiên Huế"
            ]
        );
    }

    #[test]
    fn plural_of_a_provincial_body_means_the_addressee() {
        let body = "Bộ Giáo dục và Đào tạo đề nghị các Sở Giáo dục và Đào tạo triển khai các nhiệm vụ sau:\n\n1. Cập nhật dữ liệu học sinh trước ngày 30/10/2025.\n\n2. Tổ chức bồi dưỡng kỹ năng số cho giáo viên.\n";
        let r = vec!["Sở Giáo dục và Đào tạo các tỉnh, thành phố".to_string()];
        let t = find_tasks(body, &Context::default(), None, &r);
        assert_eq!(t.len(), 2);
        assert_eq!(t[0].lead, r);
        assert_eq!(t[1].lead, r);
        // Without such an addressee the plural names nobody.
        let t = find_tasks(body, &Context::default(), None, &[]);
        assert!(!t.iter().any(|x| x.lead == r));
    }

    #[test]
    fn names_wrapped_over_lines_by_ocr() {
        // The plural addressee with a line break inside the name.
        let body = "Bộ Giáo dục và Đào tạo đề nghị các Sở\nGiáo dục và Đào tạo triển khai các nhiệm vụ sau:\n\n1. Cập nhật dữ liệu học sinh trước ngày 30/10/2025.\n";
        let r = vec!["Sở Giáo dục và Đào tạo các tỉnh, thành phố".to_string()];
        let t = find_tasks(body, &Context::default(), None, &r);
        assert_eq!(t.len(), 1);
        assert_eq!(t[0].lead, r);
        // An office holder's title broken over two lines between listed leads.
        let body = "1. Thủ trưởng các bộ, cơ quan ngang bộ, cơ quan thuộc Chính phủ, Chủ\ntịch Ủy ban nhân dân các tỉnh, thành phố trực thuộc Trung ương\n\na) Trực tiếp tiếp công dân định kỳ theo quy định.\n";
        let t = find_tasks(body, &Context::default(), None, &[]);
        assert_eq!(t.len(), 1);
        assert_eq!(
            t[0].lead,
            vec![
                "Các bộ, cơ quan ngang bộ, cơ quan thuộc Chính phủ",
                "Ủy ban nhân dân các tỉnh, thành phố trực thuộc Trung ương"
            ]
        );
    }

    #[test]
    fn de_nghi_misread_by_ocr() {
        let body = "Sở Nông nghiệp và Phát triển nông thôn a nghị Ủy ban nhân dân các\nhuyện, thị xã, thành phố:\n\n1. Tuyên truyền, vận động nông dân sản xuất cây vụ Đông.\n";
        let t = find_tasks(body, &kg(), None, &[]);
        assert_eq!(t.len(), 1);
        assert_eq!(
            t[0].lead,
            vec!["Ủy ban nhân dân các huyện, thị xã, thành phố"]
        );
        // "kiến nghị" does not assign.
        let body = "1. Hội đồng kiến nghị Bộ Tài chính sửa đổi quy định.\n";
        let t = find_tasks(body, &kg(), None, &[]);
        assert!(t.iter().all(|x| x.lead != vec!["Bộ Tài chính".to_string()]));
    }

    #[test]
    fn line_breaks_and_blank_lines() {
        assert_eq!(single_spaced(" a\n\tb  c\n"), " a b c ");
        assert_eq!(blank_line("co\nbien\n\na)"), Some(7));
        assert_eq!(blank_line("co\nbien"), None);
        assert_eq!(blank_line("co bien\n"), Some(7));
    }

    #[test]
    fn a_finished_thing_in_the_duty_is_not_a_result() {
        let body = "5. Ủy ban nhân dân các tỉnh, thành phố trực thuộc Trung ương chỉ đạo xử lý dứt điểm các điểm đen đã được xác định.\n\n6. Bộ Y tế đã ban hành hướng dẫn.\n";
        let t = find_tasks(body, &Context::default(), None, &[]);
        assert_eq!(t.len(), 1);
        assert_eq!(
            t[0].lead,
            vec!["Ủy ban nhân dân các tỉnh, thành phố trực thuộc Trung ương"]
        );
    }

    #[test]
    fn names_missing_from_the_directory_end_at_more_verbs() {
        let body = "- Trung tâm Chuyển đổi số và Dữ liệu giáo dục vận hành hệ thống hỗ trợ trực tuyến.\n\n2. Công ty TNHH MTV Khai thác công trình thủy lợi Quảng Bình bố trí lực lượng thường trực.\n";
        let qb = Context {
            province: Some("tỉnh Quảng Bình".to_string()),
            locality: None,
        };
        let t = find_tasks(body, &Context::default(), None, &[]);
        assert_eq!(
            t[0].lead,
            vec!["Trung tâm Chuyển đổi số và Dữ liệu giáo dục"]
        );
        // "công trình" is part of the name, not "trình"; abbreviations are expanded and a
        // name holding its province takes no other.
        let t = find_tasks(body, &qb, None, &[]);
        assert_eq!(
            t[1].lead,
            vec![
                "Công ty Trách nhiệm hữu hạn Một thành viên Khai thác công trình thủy lợi Quảng Bình"
            ]
        );
        // A clause is not a name: "Sở X đã phối hợp ...", "Sở X kính trình ...".
        let body = "Sở Nông nghiệp và Phát triển nông thôn đã phối hợp với các sở xây dựng dự thảo Kế hoạch.\n\nSở Nông nghiệp và Phát triển nông thôn kính trình Ủy ban nhân dân tỉnh xem xét:\n\n1. Ban hành Kế hoạch phát triển vùng nguyên liệu.\n";
        assert!(find_tasks(body, &kg(), None, &[]).is_empty());
    }

    #[test]
    fn items_under_an_assigning_issuer_inherit_no_lead() {
        let body = "Bộ Giáo dục và Đào tạo đề nghị các Sở Giáo dục và Đào tạo triển khai các nhiệm vụ sau:\n\n1. Cập nhật dữ liệu học sinh.\n\nBộ Giáo dục và Đào tạo giao:\n\n- Văn phòng Bộ tổng hợp kết quả, báo cáo Bộ trưởng trong tháng 12/2025.\n\n- Rà soát hệ thống.\n";
        let r = vec!["Sở Giáo dục và Đào tạo các tỉnh, thành phố".to_string()];
        let t = find_tasks(body, &Context::default(), None, &r);
        let leads: Vec<Vec<String>> = t.iter().map(|x| x.lead.clone()).collect();
        assert_eq!(leads, vec![r.clone(), vec!["Văn phòng Bộ".to_string()]]);
    }

    #[test]
    fn a_qualifier_naming_programmes_is_not_cut_at_trinh() {
        let body = "3. Các sở, ngành là thành viên Ban Chỉ đạo các chương trình mục tiêu quốc gia tỉnh chủ động rà soát các chỉ tiêu.\n";
        let t = find_tasks(body, &kg(), None, &[]);
        assert_eq!(
            t[0].lead,
            vec!["Các sở, ngành là thành viên Ban Chỉ đạo các chương trình mục tiêu quốc gia tỉnh"]
        );
    }

    #[test]
    fn collectives_of_disaster_and_commune_letters() {
        let ctx = Context {
            province: Some("tỉnh Lào Cai".to_string()),
            locality: Some("xã Mường Khương".to_string()),
        };
        let body = "4. Trạm Y tế xã chuẩn bị cơ số thuốc.\n\n5. Ban quản lý các thôn thường xuyên kiểm tra các vết nứt.\n\n6. Các cơ quan, đơn vị, UBND các phường, xã báo cáo kết quả.\n";
        let t = find_tasks(body, &ctx, None, &[]);
        let leads: Vec<Vec<String>> = t.iter().map(|x| x.lead.clone()).collect();
        assert_eq!(
            leads,
            vec![
                vec!["Trạm Y tế xã Mường Khương".to_string()],
                vec!["Ban quản lý các thôn".to_string()],
                vec![
                    "Các cơ quan, đơn vị".to_string(),
                    "Ủy ban nhân dân các phường, xã".to_string()
                ],
            ]
        );
        let ht = Context {
            province: Some("tỉnh Hà Tĩnh".to_string()),
            locality: None,
        };
        let body = "6. Đài Phát thanh - Truyền hình Hà Tĩnh, Báo Hà Tĩnh tăng thời lượng đưa tin.\n\n7. Văn phòng Thường trực Ban Chỉ huy phòng, chống thiên tai và tìm kiếm cứu nạn tỉnh tổ chức trực ban.\n\n1. Chủ tịch Ủy ban nhân dân các huyện, thành phố, thị xã tổ chức kêu gọi tàu thuyền vào nơi tránh trú.\n";
        let t = find_tasks(body, &ht, None, &[]);
        let leads: Vec<Vec<String>> = t.iter().map(|x| x.lead.clone()).collect();
        assert_eq!(
            leads,
            vec![
                vec![
                    "Đài Phát thanh và Truyền hình tỉnh Hà Tĩnh".to_string(),
                    "Báo Hà Tĩnh".to_string()
                ],
                vec![
                    "Văn phòng Thường trực Ban Chỉ huy phòng, chống thiên tai và tìm kiếm cứu nạn tỉnh Hà Tĩnh"
                        .to_string()
                ],
                vec!["Ủy ban nhân dân các huyện, thành phố, thị xã".to_string()],
            ]
        );
    }
}
