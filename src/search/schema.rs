//! The index schema: one tantivy document per directive.

use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
};

use super::analyzer;

/// Handles to every field of the directive index.
#[derive(Clone, Copy, Debug)]
pub struct Fields {
    /// Directive id (indexed for deletion, fast, stored).
    pub directive_id: Field,
    /// Stored display values.
    pub number: Field,
    /// Stored kind ("Thông báo", "Công văn" ...).
    pub kind: Field,
    /// Stored issuer.
    pub issuer: Field,
    /// Stored subject.
    pub subject: Field,
    /// Stored repaired text, used for snippets.
    pub text: Field,
    /// Issue date as days since 1970-01-01 (indexed, fast, stored).
    pub issued_day: Field,
    /// Short, heavily weighted text: number, kind, issuer, subject.
    pub title: Field,
    /// Everything searchable: the title values, repaired text, tasks, agencies, and the
    /// words of the text as received that the repaired text lacks (OCR spellings).
    /// Without positions.
    pub body: Field,
    /// Folded syllable pairs and triples of `body` (see `analyzer::shingles_analyzer`),
    /// with positions: a phrase of more than three syllables is a phrase of triples.
    pub shingles: Field,
    /// The distinct beginnings of the words of `body` (see `analyzer::beginnings`): a
    /// short prefix is one term. Documents only, without frequencies or lengths.
    pub prefixes: Field,
    /// The distinct beginnings of the words of `title`.
    pub title_prefixes: Field,
    /// Exact key of the document number (see `analyzer::number_key`).
    pub number_key: Field,
    /// Filter keys (see `analyzer::filter_key`).
    pub kind_key: Field,
    /// Filter key of the issuer.
    pub issuer_key: Field,
    /// Filter keys of all agencies, lead and cooperating.
    pub agency_key: Field,
    /// Filter keys of lead agencies only.
    pub lead_agency_key: Field,
    /// Filter keys of task statuses.
    pub status_key: Field,
    /// Facet label of the kind (fast field only, see `index::facet_label`).
    pub kind_label: Field,
    /// Facet label of the issuer (fast field only).
    pub issuer_label: Field,
    /// Year of issue (indexed for the year filter, fast for the year facet).
    pub issued_year: Field,
}

/// Field name of the issue day, used for ordering by date.
pub const ISSUED_DAY: &str = "issued_day";
/// Field name of the kind facet label.
pub const KIND_LABEL: &str = "kind_label";
/// Field name of the issuer facet label.
pub const ISSUER_LABEL: &str = "issuer_label";
/// Field name of the year of issue.
pub const ISSUED_YEAR: &str = "issued_year";

fn text_options(tokenizer: &str, record: IndexRecordOption) -> TextOptions {
    TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(tokenizer)
            .set_index_option(record),
    )
}

/// A field of word beginnings: each at most once per document, so neither term
/// frequencies nor field lengths are kept.
fn beginnings_options() -> TextOptions {
    TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(analyzer::BEGINNINGS)
            .set_index_option(IndexRecordOption::Basic)
            .set_fieldnorms(false),
    )
}

/// Builds the schema and its field handles.
pub fn build() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let fields = Fields {
        directive_id: b.add_i64_field("directive_id", INDEXED | STORED | FAST),
        number: b.add_text_field("number", STORED),
        kind: b.add_text_field("kind", STORED),
        issuer: b.add_text_field("issuer", STORED),
        subject: b.add_text_field("subject", STORED),
        text: b.add_text_field("text", STORED),
        issued_day: b.add_i64_field(ISSUED_DAY, INDEXED | STORED | FAST),
        title: b.add_text_field(
            "title",
            text_options(
                analyzer::VIETNAMESE,
                IndexRecordOption::WithFreqsAndPositions,
            ),
        ),
        // Phrases are found in `shingles`: `body` keeps no positions, which makes it
        // much smaller and faster to write.
        body: b.add_text_field(
            "body",
            text_options(analyzer::VIETNAMESE, IndexRecordOption::WithFreqs),
        ),
        shingles: b.add_text_field(
            "shingles",
            text_options(analyzer::SHINGLES, IndexRecordOption::WithFreqsAndPositions),
        ),
        prefixes: b.add_text_field("prefixes", beginnings_options()),
        title_prefixes: b.add_text_field("title_prefixes", beginnings_options()),
        number_key: b.add_text_field("number_key", STRING),
        kind_key: b.add_text_field("kind_key", STRING),
        issuer_key: b.add_text_field("issuer_key", STRING),
        agency_key: b.add_text_field("agency_key", STRING),
        lead_agency_key: b.add_text_field("lead_agency_key", STRING),
        status_key: b.add_text_field("status_key", STRING),
        kind_label: b.add_text_field(KIND_LABEL, FAST),
        issuer_label: b.add_text_field(ISSUER_LABEL, FAST),
        issued_year: b.add_i64_field(ISSUED_YEAR, INDEXED | FAST),
    };
    (b.build(), fields)
}
