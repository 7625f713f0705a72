//! End-to-end tests of [`super::read_directive`].

use chrono::NaiveDate;

use super::*;

const SAMPLE_001: &str = include_str!("../../tests/data/extract-dev/sample-001.txt");

fn d(y: i32, m: u32, day: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, day)
}

#[test]
fn sample_001_splits_into_letter_and_notice() {
    let x = read_directive(SAMPLE_001);
    assert_eq!(x.documents.len(), 2);
    let a = &x.documents[0];
    assert_eq!(a.number.as_deref(), Some("2044/VP-KGVX"));
    assert_eq!(a.kind.as_deref(), Some("Công văn"));
    assert_eq!(
        a.issuer.as_deref(),
        Some("Văn phòng Ủy ban nhân dân tỉnh Kiên Giang")
    );
    assert_eq!(
        a.parent_issuer.as_deref(),
        Some("Ủy ban nhân dân tỉnh Kiên Giang")
    );
    assert_eq!(a.place.as_deref(), Some("Kiên Giang"));
    assert_eq!(a.issued_on, d(2021, 4, 2));
    assert!(
        a.subject
            .as_deref()
            .is_some_and(|s| s.contains("60/TB-VPCP"))
    );
    assert_eq!(a.signer.as_deref(), Some("Trần Công Danh"));
    assert_eq!(a.signer_capacity.as_deref(), Some("KT. CHÁNH VĂN PHÒNG"));
    assert!(
        a.recipients
            .iter()
            .any(|r| r == "Sở Thông tin và Truyền thông tỉnh Kiên Giang")
    );
    assert!(a.recipients.iter().any(|r| r == "Công an tỉnh Kiên Giang"));
    assert!(
        a.references
            .iter()
            .any(|r| r.number == "60/TB-VPCP" && r.issued_on == d(2021, 3, 24))
    );
    assert!(
        a.tasks
            .iter()
            .any(|t| t.lead == vec!["Sở Thông tin và Truyền thông tỉnh Kiên Giang".to_string()])
    );

    let b = &x.documents[1];
    assert_eq!(b.number.as_deref(), Some("60/TB-VPCP"));
    assert_eq!(b.kind.as_deref(), Some("Thông báo"));
    assert_eq!(b.issuer.as_deref(), Some("Văn phòng Chính phủ"));
    assert_eq!(b.place.as_deref(), Some("Hà Nội"));
    assert_eq!(b.issued_on, d(2021, 3, 24));
    assert!(
        b.subject
            .as_deref()
            .is_some_and(|s| s.starts_with("Kết luận của Thủ tướng Chính phủ"))
    );
    assert_eq!(b.signer.as_deref(), Some("Mai Tiến Dũng"));
    assert!(
        b.recipients
            .iter()
            .any(|r| r == "Các bộ, cơ quan ngang bộ, cơ quan thuộc Chính phủ")
    );
    assert!(
        b.recipients
            .iter()
            .any(|r| r == "Ủy ban nhân dân các tỉnh, thành phố trực thuộc Trung ương")
    );
}

#[test]
fn sample_001_tasks() {
    let x = read_directive(SAMPLE_001);
    let b = &x.documents[1];
    let ca: Vec<&Task> = b
        .tasks
        .iter()
        .filter(|t| t.lead == vec!["Bộ Công an".to_string()])
        .collect();
    assert!(
        ca.iter()
            .any(|t| t.text.contains("Nghị định về bảo vệ dữ liệu cá nhân"))
    );
    let dc = ca.iter().find(|t| t.text.contains("dân cư"));
    assert_eq!(dc.and_then(|t| t.deadline), d(2021, 7, 31));
    assert_eq!(
        dc.and_then(|t| t.deadline_text.clone()).as_deref(),
        Some("đến tháng 7 năm 2021")
    );
    let reward = b.tasks.iter().find(|t| t.text.contains("khen thưởng"));
    assert_eq!(
        reward.map(|t| t.lead.clone()),
        Some(vec!["Bộ Thông tin và Truyền thông".to_string()])
    );
    assert!(reward.is_some_and(|t| t.support.contains(&"Văn phòng Chính phủ".to_string())));
    // The vision horizon of the e-government strategy is not a deadline.
    let strategy = b
        .tasks
        .iter()
        .find(|t| t.text.contains("định danh và xác thực"));
    assert_eq!(strategy.and_then(|t| t.deadline), None);
    // Background and praise are not tasks.
    assert!(!b.tasks.iter().any(|t| t.text.starts_with("Biểu dương")));
    assert!(
        b.tasks
            .iter()
            .any(|t| t.lead == vec!["Các bộ, ngành, địa phương".to_string()])
    );
    // Source spans point into the document text.
    for t in &b.tasks {
        let [s, e] = t.source.unwrap_or([0, 0]);
        assert!(
            b.text
                .get(s..e)
                .is_some_and(|x| super::folded::squash(x) == t.text)
        );
    }
}

#[test]
fn json_contract_field_names() {
    let x = read_directive(SAMPLE_001);
    let v = serde_json::to_value(&x).unwrap_or_default();
    let doc = &v["documents"][0];
    for k in [
        "kind",
        "number",
        "issuer",
        "place",
        "issued_on",
        "subject",
        "recipients",
        "references",
        "signer",
        "tasks",
        "text",
    ] {
        assert!(doc.get(k).is_some(), "missing {k}");
    }
    assert_eq!(doc["issued_on"], "2021-04-02");
    let back: Extraction = serde_json::from_value(v).unwrap_or_default();
    assert_eq!(back, x);
}

/// A small deterministic generator (xorshift) for the no-panic test.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

#[test]
fn arbitrary_input_never_panics() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let pieces = [
        "Số:",
        "/",
        "-",
        "ngày",
        " tháng ",
        " năm ",
        "Quý ",
        "IV",
        "Kính gửi:",
        "Nơi nhận:",
        "- ",
        "+ ",
        "a) ",
        "1. ",
        "Bộ Công an",
        "UBND tỉnh",
        "chủ trì, phối hợp với ",
        "Giao ",
        "\n",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "đ",
        "Đ",
        "ệ",
        "9999999999999999999999",
        "31/02/2021",
        "trong vòng 999 ngày kể từ ngày ký",
        "hằng tháng",
        "**",
        "V/v",
        "KT. ",
        "\u{301}",
        "🙂",
    ];
    for round in 0u32..300 {
        let mut s = String::new();
        if round.is_multiple_of(3) {
            let bytes: Vec<u8> = (0..(rng.next() % 2000)).map(|_| rng.next() as u8).collect();
            s.push_str(&String::from_utf8_lossy(&bytes));
        } else {
            for _ in 0..(rng.next() % 200) {
                s.push_str(pieces[(rng.next() % pieces.len() as u64) as usize]);
                if rng.next().is_multiple_of(5) {
                    s.push_str(&(rng.next() % 100_000).to_string());
                }
            }
        }
        let _ = read_directive(&s);
        let _ = deadline::find_all(&s, d(2021, 1, 1));
    }
    let long_line = "1".repeat(100_000);
    let _ = read_directive(&long_line);
    let many = "ngày 1/1/2021 ".repeat(5000);
    let _ = read_directive(&many);
    let _ = read_directive("");
}

#[test]
fn every_pattern_compiles() {
    // Forces every lazily compiled pattern of the module.
    let _ = read_directive(SAMPLE_001);
    let _ = deadline::parse("hằng tháng trước ngày 20", d(2021, 1, 1));
    assert!(agency::Directory::global().entries().len() > 100);
}

/// Reads one of the development directives.
fn dev(name: &str) -> Document {
    let text = match name {
        "01" => include_str!("../../tests/data/extract-dev/dev-01-quyet-dinh-ubnd.txt"),
        "02" => include_str!("../../tests/data/extract-dev/dev-02-thong-bao-ket-luan.txt"),
        "03" => include_str!("../../tests/data/extract-dev/dev-03-cong-van-bo.txt"),
        "04" => include_str!("../../tests/data/extract-dev/dev-04-chi-thi-huyen.txt"),
        "05" => include_str!("../../tests/data/extract-dev/dev-05-ke-hoach-so.txt"),
        "07" => include_str!("../../tests/data/extract-dev/dev-07-repaired-000-letter.txt"),
        "08" => include_str!("../../tests/data/extract-dev/dev-08-markdown-table-header.txt"),
        _ => include_str!("../../tests/data/extract-dev/dev-06-cong-dien-flattened.txt"),
    };
    let mut x = read_directive(text);
    assert_eq!(x.documents.len(), 1, "dev-{name} is one document");
    x.documents.remove(0)
}

fn leads(d: &Document) -> Vec<String> {
    d.tasks.iter().map(|t| t.lead.join(" + ")).collect()
}

#[test]
fn dev_decision_of_a_provincial_committee() {
    let d = dev("01");
    assert_eq!(d.kind.as_deref(), Some("Quyết định"));
    assert_eq!(d.issuer.as_deref(), Some("Ủy ban nhân dân tỉnh Nghệ An"));
    assert_eq!(d.signer_capacity.as_deref(), Some("KT. CHỦ TỊCH"));
    // "Căn cứ ..." and "Điều 3 ... chịu trách nhiệm thi hành" are not tasks.
    assert_eq!(
        leads(&d),
        vec![
            "Sở Thông tin và Truyền thông tỉnh Nghệ An",
            "Sở Tài chính tỉnh Nghệ An"
        ]
    );
    assert_eq!(d.tasks[0].recurrence, Some(Recurrence::Quarterly));
    assert_eq!(d.tasks[0].deadline, d2(2023, 6, 20));
    assert_eq!(d.tasks[1].deadline, d2(2023, 6, 30));
}

fn d2(y: i32, m: u32, day: u32) -> Option<NaiveDate> {
    d(y, m, day)
}

#[test]
fn dev_conclusion_notice() {
    let d = dev("02");
    assert_eq!(d.number.as_deref(), Some("299/TB-VPCP"));
    assert_eq!(d.issued_on, d2(2023, 7, 31));
    assert_eq!(
        leads(&d),
        vec![
            "Bộ Công an",
            "Bộ Tài chính",
            "Bộ Tài chính",
            // "khám chữa bệnh" is not a result ("chưa"): the item is a task.
            "Bộ Y tế",
            "Ủy ban nhân dân các tỉnh, thành phố trực thuộc Trung ương",
            "Văn phòng Chính phủ"
        ]
    );
    assert_eq!(
        d.tasks[0].support,
        vec!["Bộ Thông tin và Truyền thông", "Văn phòng Chính phủ"]
    );
    assert_eq!(
        d.tasks[0].deadline_text.as_deref(),
        Some("hoàn thành trong Quý IV năm 2023")
    );
    assert_eq!(d.tasks[2].recurrence, Some(Recurrence::Monthly));
    assert_eq!(d.tasks[3].deadline, d2(2023, 9, 30));
    assert_eq!(d.tasks[4].deadline, d2(2023, 12, 31));
    assert_eq!(d.tasks[5].deadline, d2(2023, 8, 15));
    assert!(d.recipients.contains(&"Bộ Y tế".to_string()));
    assert!(!d.recipients.iter().any(|r| r.starts_with("Thủ tướng")));
}

#[test]
fn dev_ministry_letter_addressed_to_quy_co_quan() {
    let d = dev("03");
    assert_eq!(d.kind.as_deref(), Some("Công văn"));
    assert_eq!(
        d.subject.as_deref(),
        Some("đẩy nhanh cung cấp dịch vụ công trực tuyến mức độ 4")
    );
    assert_eq!(d.tasks.len(), 3);
    for t in &d.tasks {
        assert_eq!(t.lead, d.recipients);
    }
    assert_eq!(d.tasks[2].deadline, d2(2020, 10, 15));
}

#[test]
fn dev_district_directive() {
    let d = dev("04");
    assert_eq!(
        d.issuer.as_deref(),
        Some("Ủy ban nhân dân huyện Châu Thành")
    );
    assert_eq!(d.kind.as_deref(), Some("Chỉ thị"));
    assert_eq!(d.tasks.len(), 4);
    // A collective keeps its own words.
    assert_eq!(d.tasks[1].lead, vec!["Ủy ban nhân dân các xã, thị trấn"]);
    assert_eq!(d.tasks[1].deadline, d2(2020, 10, 31));
    assert_eq!(d.tasks[2].recurrence, Some(Recurrence::Weekly));
}

#[test]
fn dev_plan_of_a_department() {
    let d = dev("05");
    assert_eq!(d.issuer.as_deref(), Some("Sở Y tế tỉnh Kiên Giang"));
    assert_eq!(
        d.parent_issuer.as_deref(),
        Some("Ủy ban nhân dân tỉnh Kiên Giang")
    );
    assert_eq!(d.tasks.len(), 4);
    assert_eq!(
        d.tasks[0].lead,
        vec!["Trung tâm Kiểm soát bệnh tật tỉnh Kiên Giang"]
    );
    assert_eq!(d.tasks[0].deadline, d2(2022, 6, 30));
    // "bắt đầu từ ngày 15/3/2022" is a start, the deadline is the half-year.
    assert_eq!(d.tasks[3].deadline, d2(2022, 6, 30));
}

#[test]
fn dev_flattened_dispatch() {
    let d = dev("06");
    assert_eq!(d.kind.as_deref(), Some("Công điện"));
    assert_eq!(d.signer_capacity.as_deref(), Some("KT. CHỦ TỊCH"));
    assert_eq!(d.signer_title.as_deref(), Some("PHÓ CHỦ TỊCH"));
    assert_eq!(d.signer.as_deref(), Some("Trần Văn Tân"));
    assert!(d.recipients.contains(&"Các sở, ban, ngành".to_string()));
    assert_eq!(d.tasks[0].deadline, d2(2022, 10, 26));
    assert_eq!(d.tasks.len(), 5);
}

#[test]
fn dev_flattened_forwarding_letter() {
    let d = dev("07");
    assert_eq!(d.number.as_deref(), Some("607/VP-KGVX"));
    assert_eq!(
        d.issuer.as_deref(),
        Some("Văn phòng Ủy ban nhân dân tỉnh Kiên Giang")
    );
    assert_eq!(d.issued_on, d2(2020, 9, 30));
    assert_eq!(d.signer.as_deref(), Some("Huỳnh Vĩnh Lạc"));
    assert_eq!(d.signer_capacity.as_deref(), Some("CHÁNH VĂN PHÒNG"));
    assert_eq!(d.references.len(), 2);
    assert_eq!(d.tasks.len(), 2);
    assert_eq!(
        d.tasks[0].lead,
        vec![
            "Sở Thông tin và Truyền thông tỉnh Kiên Giang",
            "Văn phòng Ủy ban nhân dân tỉnh Kiên Giang"
        ]
    );
    // "chậm nhất ngày 09/10/2020" beats "trong năm 2020" and "trong tháng 10/2020".
    assert_eq!(d.tasks[1].deadline, d2(2020, 10, 9));
    assert_eq!(
        d.tasks[1].support,
        vec!["Văn phòng Ủy ban nhân dân tỉnh Kiên Giang"]
    );
}

#[test]
fn dev_markdown_letter_with_tables() {
    let d = dev("08");
    assert_eq!(d.number.as_deref(), Some("5120/BKHĐT-QLQH"));
    assert_eq!(d.issuer.as_deref(), Some("Bộ Kế hoạch và Đầu tư"));
    assert_eq!(d.place.as_deref(), Some("Hà Nội"));
    assert_eq!(d.issued_on, d2(2023, 8, 14));
    assert_eq!(
        d.subject.as_deref(),
        Some("triển khai Kế hoạch thực hiện Quy hoạch tổng thể quốc gia")
    );
    assert_eq!(d.signer.as_deref(), Some("Trần Quốc Phương"));
    assert_eq!(d.tasks.len(), 3);
    assert_eq!(d.tasks[0].deadline, d2(2023, 9, 30));
    assert_eq!(d.tasks[1].recurrence, Some(Recurrence::Semiannual));
    assert_eq!(d.tasks[2].lead, vec!["Bộ Tài chính"]);
    assert_eq!(d.tasks[2].deadline, d2(2023, 12, 31));
}

#[test]
fn quy_co_quan_stands_for_the_addressees_not_the_copies() {
    let text = "BỘ XÂY DỰNG\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n\nSố: 101/BXD-QLN\nHà Nội, ngày 02 tháng 3 năm 2023\n\nV/v báo cáo tình hình nhà ở\n\nKính gửi: Sở Xây dựng các tỉnh, thành phố trực thuộc Trung ương.\n\nBộ Xây dựng đề nghị Quý Sở:\n\n1. Báo cáo tình hình nhà ở trên địa bàn trước ngày 30/3/2023.\n\n2. Cập nhật dữ liệu vào hệ thống.\n\nBộ Xây dựng đề nghị Quý Sở quan tâm thực hiện./.\n\nNơi nhận:\n- Như trên;\n- UBND các tỉnh, thành phố trực thuộc TW (để p/h);\n- Lưu: VT, QLN.\nKT. BỘ TRƯỞNG\nTHỨ TRƯỞNG\n\nLê Văn An\n";
    let x = read_directive(text);
    let doc = &x.documents[0];
    assert!(
        doc.recipients.len() >= 2,
        "copies stay recipients: {:?}",
        doc.recipients
    );
    assert_eq!(doc.tasks.len(), 2);
    for t in &doc.tasks {
        assert_eq!(
            t.lead,
            vec!["Sở Xây dựng các tỉnh, thành phố trực thuộc Trung ương"]
        );
    }
    assert_eq!(doc.tasks[0].deadline, d(2023, 3, 30));
}
