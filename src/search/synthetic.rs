//! Deterministic generator of realistic synthetic directives, for benchmarks and load
//! tests. Sentences and subjects come from `dictionaries/search-phrases.txt` (legal
//! texts of the Bộ Pháp điển); kinds, issuers, agencies and numbers from the lists below.

use chrono::NaiveDate;

use super::SearchDocument;
use crate::text;

const PHRASES: &str = include_str!("../../dictionaries/search-phrases.txt");

/// Kinds of directive with the code used in their numbers.
const KINDS: [(&str, &str); 6] = [
    ("Thông báo", "TB"),
    ("Công văn", ""),
    ("Kế hoạch", "KH"),
    ("Quyết định", "QĐ"),
    ("Chỉ thị", "CT"),
    ("Báo cáo", "BC"),
];

/// Issuers with the code used in their numbers.
const ISSUERS: [(&str, &str); 12] = [
    ("Văn phòng Chính phủ", "VPCP"),
    ("Thủ tướng Chính phủ", "TTg"),
    ("Bộ Thông tin và Truyền thông", "BTTTT"),
    ("Bộ Công an", "BCA"),
    ("Bộ Tài chính", "BTC"),
    ("Bộ Kế hoạch và Đầu tư", "BKHĐT"),
    ("Bộ Nội vụ", "BNV"),
    ("Ủy ban nhân dân tỉnh Kiên Giang", "UBND"),
    ("Văn phòng Ủy ban nhân dân tỉnh Kiên Giang", "VP-KGVX"),
    ("Ủy ban nhân dân tỉnh Vĩnh Phúc", "UBND"),
    ("Ban Chỉ đạo Chính phủ điện tử tỉnh", "BCĐ"),
    ("Sở Thông tin và Truyền thông", "STTTT"),
];

/// Agencies that receive tasks.
const AGENCIES: [&str; 24] = [
    "Sở Thông tin và Truyền thông",
    "Sở Nội vụ",
    "Sở Tài chính",
    "Sở Kế hoạch và Đầu tư",
    "Sở Tư pháp",
    "Sở Giáo dục và Đào tạo",
    "Sở Y tế",
    "Sở Giao thông vận tải",
    "Sở Xây dựng",
    "Sở Tài nguyên và Môi trường",
    "Sở Nông nghiệp và Phát triển nông thôn",
    "Sở Công Thương",
    "Sở Lao động - Thương binh và Xã hội",
    "Sở Văn hóa, Thể thao và Du lịch",
    "Sở Khoa học và Công nghệ",
    "Công an tỉnh",
    "Bộ Chỉ huy Quân sự tỉnh",
    "Văn phòng Ủy ban nhân dân tỉnh",
    "Trung tâm Phục vụ Hành chính công tỉnh",
    "Cục Thuế tỉnh",
    "Bảo hiểm xã hội tỉnh",
    "Ủy ban nhân dân thành phố Rạch Giá",
    "Ủy ban nhân dân huyện Phú Quốc",
    "Đài Phát thanh và Truyền hình tỉnh",
];

/// Task phrases ("Giao X chủ trì ... <task>").
const TASKS: [&str; 12] = [
    "triển khai các nền tảng Chính phủ điện tử và chuyển đổi số",
    "tham mưu Ủy ban nhân dân tỉnh thực hiện ý kiến chỉ đạo của Thủ tướng Chính phủ",
    "xây dựng kế hoạch thực hiện Đề án 06 về phát triển ứng dụng dữ liệu dân cư",
    "rà soát, cắt giảm thủ tục hành chính và cung cấp dịch vụ công trực tuyến toàn trình",
    "báo cáo kết quả thực hiện về Văn phòng Ủy ban nhân dân tỉnh",
    "kết nối, chia sẻ dữ liệu với Cơ sở dữ liệu quốc gia về dân cư",
    "bảo đảm an toàn, an ninh mạng cho hệ thống thông tin của tỉnh",
    "tổ chức tuyên truyền, phổ biến đến cán bộ, công chức, viên chức và người dân",
    "đôn đốc, kiểm tra việc thực hiện nhiệm vụ được giao",
    "bố trí kinh phí thực hiện từ nguồn ngân sách nhà nước",
    "nâng cấp đường giao thông nông thôn và hạ tầng số",
    "tổng hợp khó khăn, vướng mắc, đề xuất giải pháp tháo gỡ",
];

const STATUSES: [&str; 4] = ["open", "in_progress", "done", "overdue"];

/// A deterministic generator of synthetic directives.
pub struct DirectiveGenerator {
    state: u64,
    sentences: Vec<&'static str>,
    subjects: Vec<&'static str>,
}

impl DirectiveGenerator {
    /// Creates a generator; the same seed gives the same directives.
    pub fn new(seed: u64) -> Self {
        let mut sentences = Vec::new();
        let mut subjects = Vec::new();
        for line in PHRASES.lines() {
            if let Some(s) = line.strip_prefix("s\t") {
                sentences.push(s);
            } else if let Some(t) = line.strip_prefix("t\t") {
                subjects.push(t);
            }
        }
        if sentences.is_empty() {
            sentences.push("Thực hiện ý kiến chỉ đạo của Thủ tướng Chính phủ.");
        }
        if subjects.is_empty() {
            subjects.push("Triển khai Chính phủ điện tử");
        }
        Self {
            state: seed ^ 0x9E37_79B9_7F4A_7C15,
            sentences,
            subjects,
        }
    }

    /// Next pseudo-random number (SplitMix64).
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A pseudo-random number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            return 0;
        }
        (self.next_u64() % n as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        let i = self.below(items.len());
        items.get(i)
    }

    /// A random body sentence of the phrase list.
    pub fn sentence(&mut self) -> &'static str {
        let i = self.below(self.sentences.len());
        self.sentences.get(i).copied().unwrap_or_default()
    }

    fn date(&mut self) -> Option<NaiveDate> {
        let year = 2015 + self.below(12) as i32;
        NaiveDate::from_ymd_opt(year, 1, 1)
            .and_then(|d| d.checked_add_days(chrono::Days::new(self.below(365) as u64)))
    }

    /// Generates directive `id`.
    pub fn directive(&mut self, id: i64) -> SearchDocument {
        let (kind, kind_code) = self.pick(&KINDS).copied().unwrap_or(("Công văn", ""));
        let (issuer, issuer_code) = self.pick(&ISSUERS).copied().unwrap_or(("Bộ Nội vụ", "BNV"));
        let serial = 1 + self.below(3000);
        let number = if kind_code.is_empty() {
            format!("{serial}/{issuer_code}")
        } else {
            format!("{serial}/{kind_code}-{issuer_code}")
        };
        let issued_on = self.date();
        let subject_index = self.below(self.subjects.len());
        let subject_core = self
            .subjects
            .get(subject_index)
            .copied()
            .unwrap_or_default();
        let subject = if self.below(2) == 0 {
            format!("V/v {subject_core}")
        } else {
            subject_core.to_string()
        };

        let mut lead_agencies = Vec::new();
        let mut agencies = Vec::new();
        let mut tasks = Vec::new();
        let mut task_statuses = Vec::new();
        let mut body = format!(
            "{kind} số {number} của {issuer} về {}. ",
            subject_core.to_lowercase()
        );
        for _ in 0..6 + self.below(20) {
            body.push_str(self.sentence());
            body.push(' ');
        }
        for _ in 0..1 + self.below(4) {
            let lead = self.pick(&AGENCIES).copied().unwrap_or_default();
            let partner = self.pick(&AGENCIES).copied().unwrap_or_default();
            let task = self.pick(&TASKS).copied().unwrap_or_default();
            body.push_str(&format!(
                "Giao {lead} chủ trì, phối hợp với {partner} {task}. "
            ));
            lead_agencies.push(lead.to_string());
            agencies.push(partner.to_string());
            tasks.push(format!("{task}."));
            task_statuses.push(self.pick(&STATUSES).copied().unwrap_or("open").to_string());
        }
        // About one directive in four arrived as an English OCR read without diacritics.
        let original_text = if self.below(4) == 0 {
            text::fold(&body)
        } else {
            body.clone()
        };
        SearchDocument {
            directive_id: id,
            kind: kind.to_string(),
            number,
            issuer: issuer.to_string(),
            issued_on,
            subject,
            text: body,
            original_text,
            lead_agencies,
            agencies,
            tasks,
            task_statuses,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_directives() {
        let a = DirectiveGenerator::new(7).directive(1);
        let b = DirectiveGenerator::new(7).directive(1);
        let c = DirectiveGenerator::new(8).directive(1);
        assert_eq!(a, b);
        assert_ne!(a, c);
    }

    #[test]
    fn directives_look_complete() {
        let mut generator = DirectiveGenerator::new(1);
        for id in 0..50 {
            let d = generator.directive(id);
            assert!(d.number.contains('/'));
            assert!(d.issued_on.is_some());
            assert!(d.text.len() > 200, "{}", d.text);
            assert!(!d.lead_agencies.is_empty());
            assert_eq!(d.tasks.len(), d.task_statuses.len());
        }
    }

    #[test]
    fn phrase_list_is_loaded() {
        let generator = DirectiveGenerator::new(1);
        assert!(generator.sentences.len() > 500);
        assert!(generator.subjects.len() > 50);
    }
}
