//! The index schema: one tantivy document per directive.

use tantivy::schema::{
    FAST, FacetOptions, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema,
    TextFieldIndexing, TextOptions,
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
    pub body: Field,
    /// Folded syllable pairs of `body` (see `analyzer::pairs_analyzer`).
    pub pairs: Field,
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
    /// Facets `/kind/..`, `/issuer/..`, `/year/..`.
    pub facets: Field,
}

/// Field name of the issue day, used for ordering by date.
pub const ISSUED_DAY: &str = "issued_day";

fn text_options() -> TextOptions {
    TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(analyzer::VIETNAMESE)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
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
        title: b.add_text_field("title", text_options()),
        body: b.add_text_field("body", text_options()),
        pairs: b.add_text_field(
            "pairs",
            TextOptions::default().set_indexing_options(
                TextFieldIndexing::default()
                    .set_tokenizer(analyzer::PAIRS)
                    .set_index_option(IndexRecordOption::WithFreqs),
            ),
        ),
        number_key: b.add_text_field("number_key", STRING),
        kind_key: b.add_text_field("kind_key", STRING),
        issuer_key: b.add_text_field("issuer_key", STRING),
        agency_key: b.add_text_field("agency_key", STRING),
        lead_agency_key: b.add_text_field("lead_agency_key", STRING),
        status_key: b.add_text_field("status_key", STRING),
        facets: b.add_facet_field("facets", FacetOptions::default()),
    };
    (b.build(), fields)
}
