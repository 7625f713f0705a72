//! Reading directives: document structure, agencies, deadlines and tasks.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Everything read from one incoming file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Extraction {
    /// The documents in file order.
    pub documents: Vec<Document>,
}

/// One document of a directive.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Document {
    /// Kind, e.g. "Thông báo".
    pub kind: Option<String>,
    /// Number and code.
    pub number: Option<String>,
    /// Issuing body.
    pub issuer: Option<String>,
    /// Place of issue.
    pub place: Option<String>,
    /// Date of issue.
    pub issued_on: Option<NaiveDate>,
    /// Subject.
    pub subject: Option<String>,
    /// Recipients.
    pub recipients: Vec<String>,
    /// Referenced documents.
    pub references: Vec<Reference>,
    /// Signer.
    pub signer: Option<String>,
    /// Tasks.
    pub tasks: Vec<Task>,
    /// Text of this document.
    pub text: String,
}

/// A referenced document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Reference {
    /// Number and code.
    pub number: String,
    /// Date of issue.
    pub issued_on: Option<NaiveDate>,
}

/// An assignment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Task {
    /// Lead agencies.
    pub lead: Vec<String>,
    /// Cooperating agencies.
    pub support: Vec<String>,
    /// What is to be done.
    pub text: String,
    /// Deadline.
    pub deadline: Option<NaiveDate>,
    /// Words stating the deadline.
    pub deadline_text: Option<String>,
}

/// Reads the documents of a directive's repaired text.
pub fn read_directive(text: &str) -> Extraction {
    Extraction {
        documents: vec![Document {
            text: text.to_string(),
            ..Document::default()
        }],
    }
}
