//! Behaviour of the directive index as a whole.

use chrono::NaiveDate;

use super::*;

fn date(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d)
}

fn directive(id: i64, number: &str, kind: &str, subject: &str, text: &str) -> SearchDocument {
    SearchDocument {
        directive_id: id,
        kind: kind.to_string(),
        number: number.to_string(),
        issuer: "Văn phòng Chính phủ".to_string(),
        issued_on: date(2020, 9, 22),
        subject: subject.to_string(),
        text: text.to_string(),
        ..SearchDocument::default()
    }
}

fn sample_index() -> SearchIndex {
    let index = SearchIndex::open_in_ram().expect("index in memory");
    let docs = [
        SearchDocument {
            issued_on: date(2020, 9, 22),
            lead_agencies: vec!["Sở Thông tin và Truyền thông".into()],
            agencies: vec!["Công an tỉnh".into()],
            task_statuses: vec!["open".into()],
            original_text: "Thong bdo sb 339/TB-VPCP cla Vin phong Chinh pht ve chuyén déi sé"
                .into(),
            ..directive(
                1,
                "339/TB-VPCP",
                "Thông báo",
                "Kết luận về Chính phủ điện tử",
                "Thông báo số 339/TB-VPCP về chuyển đổi số và Chính phủ điện tử.",
            )
        },
        SearchDocument {
            issuer: "UBND tỉnh Kiên Giang".into(),
            issued_on: date(2021, 4, 2),
            lead_agencies: vec!["Văn phòng UBND tỉnh".into()],
            task_statuses: vec!["done".into()],
            ..directive(
                2,
                "2044 /VP-KGVX",
                "Công văn",
                "V/v thực hiện Thông báo số 60/TB-VPCP",
                "Triển khai Đề án 06 về dân cư; sửa chữa đường giao thông nông thôn.",
            )
        },
        directive(
            3,
            "12/KH-UBND",
            "Kế hoạch",
            "Kế hoạch phát triển",
            "Phát triển dương liễu ven biển; án phí và đề xuất 06 dự án; chuyen doi so.",
        ),
        directive(
            4,
            "77/QĐ-BTTTT",
            "Quyết định",
            "Quyết định ban hành",
            "Ban hành quy chế <script>alert('x')</script> & quản lý.",
        ),
    ];
    for doc in &docs {
        index.upsert(doc).expect("upsert");
    }
    index.commit().expect("commit");
    index
}

fn ids(results: &SearchResults) -> Vec<i64> {
    results.hits.iter().map(|h| h.directive_id).collect()
}

fn search(index: &SearchIndex, text: &str) -> SearchResults {
    index.search(&SearchQuery::text(text)).expect("search")
}

#[test]
fn folded_query_finds_accented_text() {
    let index = sample_index();
    assert!(ids(&search(&index, "chuyen doi so")).contains(&1));
    assert!(ids(&search(&index, "duong giao thong")).contains(&2));
}

#[test]
fn accented_query_finds_unaccented_text() {
    let index = sample_index();
    // Directive 3 writes "chuyen doi so" without marks.
    assert!(ids(&search(&index, "chuyển đổi số")).contains(&3));
}

#[test]
fn exact_accents_rank_first() {
    let index = sample_index();
    let results = search(&index, "chuyển đổi số");
    assert_eq!(ids(&results).first(), Some(&1), "{results:?}");
    let results = search(&index, "đường");
    // "đường" (2) before "dương" (3), both found.
    assert_eq!(ids(&results), vec![2, 3]);
    let results = search(&index, "dương");
    assert_eq!(ids(&results), vec![3, 2]);
}

#[test]
fn phrase_query_needs_adjacent_words() {
    let index = sample_index();
    // 3 has "án", "đề" and "06" but not as the phrase.
    assert_eq!(ids(&search(&index, "\"Đề án 06\"")), vec![2]);
    assert_eq!(ids(&search(&index, "\"de an 06\"")), vec![2]);
}

#[test]
fn number_found_by_code_and_its_parts() {
    let index = sample_index();
    for q in ["339/TB-VPCP", "339/tb-vpcp", "339/TB", "TB-VPCP 339"] {
        assert_eq!(ids(&search(&index, q)).first(), Some(&1), "query {q}");
    }
    // Number with a stray space as written in the letter.
    assert_eq!(ids(&search(&index, "2044/VP-KGVX")), vec![2]);
    assert_eq!(ids(&search(&index, "77/QĐ-BTTTT")), vec![4]);
    assert_eq!(ids(&search(&index, "77/QD-BTTTT")), vec![4]);
}

#[test]
fn prefix_finds_partial_words() {
    let index = sample_index();
    assert!(ids(&search(&index, "Kiên Gi*")).contains(&2));
    assert!(ids(&search(&index, "BTT*")).contains(&4));
}

#[test]
fn short_prefix_finds_every_word_it_begins_and_ranks_its_accents_first() {
    let index = SearchIndex::open_in_ram().expect("index");
    // More words beginning with "tu" than a prefix would expand to, all before "tuyên"
    // in alphabetical order.
    let many: Vec<String> = (0..100).map(|i| format!("tua{i:03}")).collect();
    index
        .add_new(&directive(
            1,
            "1/KH",
            "Kế hoạch",
            "Kế hoạch",
            &many.join(" "),
        ))
        .expect("add");
    index
        .add_new(&directive(2, "2/KH", "Kế hoạch", "Kế hoạch", "tuyen dung"))
        .expect("add");
    index
        .add_new(&directive(
            3,
            "3/KH",
            "Kế hoạch",
            "Kế hoạch",
            "tuyên truyền",
        ))
        .expect("add");
    index
        .add_new(&directive(4, "4/KH", "Kế hoạch", "Kế hoạch", "hoạt động"))
        .expect("add");
    index.commit().expect("commit");
    let found = search(&index, "tu*");
    assert_eq!(found.total, 3);
    assert_eq!(sorted(ids(&found)), vec![1, 2, 3]);
    // The accented prefix finds the unaccented word too, and ranks the accented first
    // (the unaccented one was added first).
    assert_eq!(ids(&search(&index, "tuyê*")), vec![3, 2]);
    assert_eq!(ids(&search(&index, "tuyên*")), vec![3, 2]);
    assert_eq!(ids(&search(&index, "tuye*")).len(), 2);
    // In the title: the kind "Kế hoạch" begins with "kế".
    assert_eq!(search(&index, "kế*").total, 4);
}

fn sorted(mut ids: Vec<i64>) -> Vec<i64> {
    ids.sort_unstable();
    ids
}

#[test]
fn original_ocr_text_is_searchable() {
    let index = sample_index();
    // "bdo" only occurs in the damaged text as received.
    assert_eq!(ids(&search(&index, "Thong bdo")), vec![1]);
}

fn filtered(index: &SearchIndex, query: SearchQuery) -> Vec<i64> {
    let mut got = ids(&index.search(&query).expect("search"));
    got.sort_unstable();
    got
}

#[test]
fn filters_restrict_hits() {
    let index = sample_index();
    let kind = SearchQuery {
        kind: Some("cong van".into()),
        ..SearchQuery::text("Thông báo")
    };
    assert_eq!(filtered(&index, kind), vec![2]);
    let agency = SearchQuery {
        agency: Some("công an TỈNH".into()),
        ..SearchQuery::default()
    };
    assert_eq!(filtered(&index, agency), vec![1]);
    let lead = SearchQuery {
        lead_agency: Some("Công an tỉnh".into()),
        ..SearchQuery::default()
    };
    assert!(filtered(&index, lead).is_empty());
    let status = SearchQuery {
        status: Some("done".into()),
        ..SearchQuery::default()
    };
    assert_eq!(filtered(&index, status), vec![2]);
    let year = SearchQuery {
        year: Some(2021),
        ..SearchQuery::default()
    };
    assert_eq!(filtered(&index, year), vec![2]);
    let range_and_issuer = SearchQuery {
        issued_from: date(2020, 1, 1),
        issued_to: date(2020, 12, 31),
        issuer: Some("Văn phòng Chính phủ".into()),
        ..SearchQuery::default()
    };
    assert_eq!(filtered(&index, range_and_issuer), vec![1, 3, 4]);
    let impossible_year = SearchQuery {
        year: Some(i32::MAX),
        ..SearchQuery::default()
    };
    assert!(filtered(&index, impossible_year).is_empty());
}

#[test]
fn empty_query_lists_newest_first_with_facets() {
    let index = sample_index();
    let results = index.search(&SearchQuery::default()).expect("search");
    assert_eq!(results.total, 4);
    assert_eq!(results.hits.first().map(|h| h.directive_id), Some(2));
    assert_eq!(results.facets.years, vec![(2021, 1), (2020, 3)]);
    assert!(results.facets.kinds.contains(&("Công văn".to_string(), 1)));
    assert!(
        results
            .facets
            .issuers
            .contains(&("Văn phòng Chính phủ".to_string(), 3))
    );
}

#[test]
fn paging_and_total() {
    let index = sample_index();
    let mut q = SearchQuery::text("Văn phòng");
    q.limit = 1;
    let first = index.search(&q).expect("search");
    q.offset = 1;
    let second = index.search(&q).expect("search");
    assert_eq!(first.total, 4);
    assert_eq!(first.hits.len(), 1);
    assert_eq!(second.hits.len(), 1);
    assert_ne!(first.hits[0].directive_id, second.hits[0].directive_id);
}

#[test]
fn snippets_highlight_unaccented_queries_and_escape_html() {
    let index = sample_index();
    let results = search(&index, "chuyen doi");
    let hit = results
        .hits
        .iter()
        .find(|h| h.directive_id == 1)
        .expect("hit");
    assert!(hit.snippet.contains("<b>chuyển</b>"), "{}", hit.snippet);
    let results = search(&index, "quy chế");
    let hit = results.hits.first().expect("hit");
    assert!(hit.snippet.contains("<b>quy</b>"), "{}", hit.snippet);
    assert!(!hit.snippet.contains("<script>"), "{}", hit.snippet);
    assert!(hit.snippet.contains("&lt;script&gt;"), "{}", hit.snippet);
}

#[test]
fn no_full_match_falls_back_to_any_word() {
    let index = sample_index();
    let results = search(&index, "chuyển đổi zzzkhongco");
    assert!(results.relaxed);
    assert_eq!(ids(&results).first(), Some(&1));
}

#[test]
fn malformed_queries_do_not_fail() {
    let index = sample_index();
    let inputs = [
        "\"",
        "\"Đề án",
        "title:foo",
        "*",
        "**a*",
        "a AND OR NOT b",
        "'; DROP TABLE directives; --",
        "(((",
        ")][{",
        "~1^2",
        "e\u{0301}\u{0323}",
        "\u{0}\u{1}",
        "/",
        "-",
        "-a +b",
        "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 😀",
        "299/",
        "/TB-",
    ];
    for input in inputs {
        assert!(index.search(&SearchQuery::text(input)).is_ok(), "{input:?}");
    }
    let long = "đường ".repeat(5_000);
    assert!(index.search(&SearchQuery::text(long)).is_ok());
    let huge_page = SearchQuery {
        limit: usize::MAX,
        offset: usize::MAX,
        ..SearchQuery::text("đường")
    };
    assert!(index.search(&huge_page).is_ok());
}

#[test]
fn upsert_replaces_and_delete_removes() {
    let index = sample_index();
    let replaced = directive(
        1,
        "339/TB-VPCP",
        "Thông báo",
        "Khác",
        "Nội dung mới hoàn toàn",
    );
    index.upsert(&replaced).expect("upsert");
    index.commit().expect("commit");
    assert_eq!(index.count(), 4);
    assert!(
        search(&index, "chuyển đổi số")
            .hits
            .iter()
            .all(|h| h.directive_id != 1)
    );
    assert_eq!(ids(&search(&index, "hoàn toàn")), vec![1]);

    index
        .add_new(&directive(5, "1/TB", "Thông báo", "Mới", "Hoàn toàn khác"))
        .expect("add");
    index.commit().expect("commit");
    assert_eq!(index.count(), 5);
    index.delete(5).expect("delete");
    index.delete(1).expect("delete");
    index.commit().expect("commit");
    assert_eq!(index.count(), 3);
    index.clear().expect("clear");
    index.commit().expect("commit");
    assert_eq!(index.count(), 0);
}

#[test]
fn reopening_from_disk_keeps_documents() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("search");
    {
        let index = SearchIndex::open(&path).expect("create");
        index
            .upsert(&directive(
                9,
                "5/CV",
                "Công văn",
                "Sửa đường",
                "Đường liên xã",
            ))
            .expect("upsert");
        index.commit().expect("commit");
    }
    let index = SearchIndex::open(&path).expect("reopen");
    assert_eq!(index.count(), 1);
    // The custom analyzers are registered again: folded search works after reopening.
    assert_eq!(ids(&search(&index, "duong lien xa")), vec![9]);
    let hit = search(&index, "duong")
        .hits
        .into_iter()
        .next()
        .expect("hit");
    assert!(hit.snippet.contains("<b>Đường</b>"), "{}", hit.snippet);
    assert_eq!(hit.issued_on, date(2020, 9, 22));
}

#[test]
fn index_can_be_shared_between_threads() {
    fn shared<T: Send + Sync>() {}
    shared::<SearchIndex>();
}

#[test]
fn facets_count_the_matches_only() {
    let index = sample_index();
    let results = search(&index, "thông báo");
    assert_eq!(results.total, 2);
    assert_eq!(results.facets.years, vec![(2021, 1), (2020, 1)]);
    assert_eq!(
        results.facets.kinds,
        vec![("Công văn".to_string(), 1), ("Thông báo".to_string(), 1)]
    );
    assert_eq!(
        results.facets.issuers,
        vec![
            ("UBND tỉnh Kiên Giang".to_string(), 1),
            ("Văn phòng Chính phủ".to_string(), 1)
        ]
    );
    let without = index
        .search(&SearchQuery {
            facets: false,
            ..SearchQuery::text("thông báo")
        })
        .expect("search");
    assert_eq!(without.total, 2);
    assert_eq!(without.facets, FacetCounts::default());
}

#[test]
fn facets_skip_deleted_directives() {
    let index = sample_index();
    index.delete(2).expect("delete");
    index.commit().expect("commit");
    let results = index.search(&SearchQuery::default()).expect("search");
    assert_eq!(results.total, 3);
    assert_eq!(results.facets.years, vec![(2020, 3)]);
    assert!(
        results
            .facets
            .kinds
            .iter()
            .all(|(kind, _)| kind != "Công văn")
    );
}

/// Twenty hits from candidates, against the same ranks of a page too deep for them
/// (scored and counted in one pass over every match).
fn assert_candidates_agree(index: &SearchIndex, text: &str) {
    let mut shallow = SearchQuery::text(text);
    shallow.offset = 1;
    shallow.limit = 20;
    let deep = SearchQuery {
        limit: MAX_LIMIT,
        ..shallow.clone()
    };
    let shallow = index.search(&shallow).expect("search");
    let deep = index.search(&deep).expect("search");
    assert!(shallow.total > 20, "{text}: {}", shallow.total);
    assert_eq!(shallow.total, deep.total, "{text}");
    assert_eq!(shallow.facets, deep.facets, "{text}");
    // The same scores, summed in another order.
    let scores = |r: &SearchResults| -> Vec<f32> {
        r.hits.iter().take(20).filter_map(|h| h.score).collect()
    };
    let (shallow, deep) = (scores(&shallow), scores(&deep));
    assert_eq!(shallow.len(), 20, "{text}");
    assert_eq!(shallow.len(), deep.len(), "{text}");
    for (a, b) in shallow.iter().zip(&deep) {
        assert!(
            (a - b).abs() <= 1e-4 * b.abs(),
            "{text}: {shallow:?} {deep:?}"
        );
    }
}

#[test]
fn ranking_and_counts_from_candidates_agree_with_scoring_every_match() {
    let index = SearchIndex::open_in_ram().expect("index");
    let mut generator = synthetic::DirectiveGenerator::new(11);
    for id in 0..400 {
        index.add_new(&generator.directive(id)).expect("add");
    }
    index.commit().expect("commit");
    let queries = [
        "thực hiện các",
        "thuc hien cac",
        "Sở Tài chính",
        "dịch vụ công trực tuyến",
        "\"dịch vụ công\" trực tuyến",
        "đường giao thông",
        "công an tỉnh báo cáo",
        "thực hiện chu*",
        "tr*",
        "kế hoạch triể*",
    ];
    for text in queries {
        assert_candidates_agree(&index, text);
    }
    // Deleted directives are neither ranked nor counted.
    for id in (0..400).step_by(3) {
        index.delete(id).expect("delete");
    }
    index.commit().expect("commit");
    for text in queries {
        assert_candidates_agree(&index, text);
    }
}

#[test]
fn long_phrases_and_prefixes_follow_the_word_order() {
    let index = sample_index();
    assert_eq!(
        ids(&search(&index, "\"sửa chữa đường giao thông\"")),
        vec![2]
    );
    assert!(search(&index, "\"giao thông đường\"").hits.is_empty());
    assert_eq!(ids(&search(&index, "\"sua chua duong gia*\"")), vec![2]);
    // The accented prefix ranks "chuyển" before "chuyen".
    assert_eq!(ids(&search(&index, "chuyể*")), vec![1, 3]);
}

#[test]
fn a_page_is_full_even_when_the_best_of_the_union_lack_a_required_word() {
    let index = SearchIndex::open_in_ram().expect("index");
    // Many short directives about "ngân sách" alone or "đất đai" alone outscore, in the union
    // of the two words, the long ones that mention both words once.
    let filler = "Các cơ quan, đơn vị tổ chức thực hiện nghiêm túc nội dung kế hoạch. ".repeat(20);
    for id in 0..300 {
        let word = if id % 2 == 0 {
            "ngân sách"
        } else {
            "đất đai"
        };
        let body = format!("{word} {word} {word}");
        index
            .add_new(&directive(id, "", "Công văn", "Thông báo", &body))
            .expect("add");
    }
    for id in 300..330 {
        let body = format!("{filler} Kiểm tra ngân sách. {filler} Về đất đai.");
        index
            .add_new(&directive(id, "", "Công văn", "Báo cáo", &body))
            .expect("add");
    }
    index.commit().expect("commit");
    let mut query = SearchQuery::text("ngân sách đất đai");
    query.limit = 20;
    let results = index.search(&query).expect("search");
    assert_eq!(results.total, 30);
    assert_eq!(results.hits.len(), 20);
    assert!(results.hits.iter().all(|h| h.directive_id >= 300));
}
