//! Accuracy of extraction against hand-checked annotations (`corpus/directives/*.gold.json`), on the
//! clean text and on its OCR-damaged version. The annotated set is held out: nothing is tuned on it.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::extract::{Document, Extraction, Task};

/// Minimum token overlap (Dice coefficient) for a read task to be paired with an annotated one.
const TASK_TEXT_MATCH: f64 = 0.6;

/// Counts from comparing extractions with annotations.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ExtractionScore {
    /// Annotated documents.
    pub documents: usize,
    /// Header fields compared (7 per annotated document).
    pub header_fields: usize,
    /// Header fields read correctly.
    pub header_correct: usize,
    /// Annotated tasks.
    pub gold_tasks: usize,
    /// Tasks read.
    pub predicted_tasks: usize,
    /// Read tasks paired with an annotated task by their text.
    pub paired_tasks: usize,
    /// Paired tasks whose lead agencies and deadline are right too.
    pub correct_tasks: usize,
    /// Paired tasks whose deadline is right (both absent counts as right).
    pub correct_deadlines: usize,
}

impl ExtractionScore {
    /// Share of header fields read correctly.
    pub fn header_accuracy(&self) -> f64 {
        ratio(self.header_correct, self.header_fields)
    }

    /// Correct tasks among those read.
    pub fn precision(&self) -> f64 {
        ratio(self.correct_tasks, self.predicted_tasks)
    }

    /// Correct tasks among those annotated.
    pub fn recall(&self) -> f64 {
        ratio(self.correct_tasks, self.gold_tasks)
    }

    /// Harmonic mean of precision and recall.
    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }

    /// Share of paired tasks with the right deadline.
    pub fn deadline_accuracy(&self) -> f64 {
        ratio(self.correct_deadlines, self.paired_tasks)
    }

    /// Adds another score's counts.
    pub fn add(&mut self, other: &ExtractionScore) {
        self.documents += other.documents;
        self.header_fields += other.header_fields;
        self.header_correct += other.header_correct;
        self.gold_tasks += other.gold_tasks;
        self.predicted_tasks += other.predicted_tasks;
        self.paired_tasks += other.paired_tasks;
        self.correct_tasks += other.correct_tasks;
        self.correct_deadlines += other.correct_deadlines;
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 1.0 } else { a as f64 / b as f64 }
}

/// Lower case, marks removed, whitespace and surrounding punctuation collapsed: the form in which two
/// names or field values are compared.
fn comparable(s: &str) -> String {
    crate::text::fold(s)
        .to_lowercase()
        .split(|c: char| c.is_whitespace() || matches!(c, '*' | '_'))
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
        .trim_matches(|c: char| matches!(c, '.' | ',' | ';' | ':'))
        .to_string()
}

fn same(a: &Option<String>, b: &Option<String>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(a), Some(b)) => comparable(a) == comparable(b),
        _ => false,
    }
}

fn names(list: &[String]) -> BTreeSet<String> {
    list.iter().map(|n| comparable(n)).collect()
}

fn tokens(s: &str) -> Vec<String> {
    comparable(s)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// Dice coefficient of the two texts' token multisets.
fn text_overlap(a: &str, b: &str) -> f64 {
    let a = tokens(a);
    let mut b = tokens(b);
    if a.is_empty() && b.is_empty() {
        return 1.0;
    }
    let total = a.len() + b.len();
    let mut common = 0usize;
    for t in &a {
        if let Some(i) = b.iter().position(|x| x == t) {
            b.swap_remove(i);
            common += 1;
        }
    }
    2.0 * common as f64 / total as f64
}

fn score_header(gold: &Document, read: Option<&Document>) -> usize {
    let Some(read) = read else { return 0 };
    [
        same(&gold.kind, &read.kind),
        same(&gold.number, &read.number),
        same(&gold.issuer, &read.issuer),
        same(&gold.place, &read.place),
        gold.issued_on == read.issued_on,
        same(&gold.subject, &read.subject),
        same(&gold.signer, &read.signer),
    ]
    .iter()
    .filter(|ok| **ok)
    .count()
}

/// Pairs each annotated task with the unpaired read task whose text overlaps it most.
fn score_tasks(gold: &[Task], read: &[Task], score: &mut ExtractionScore) {
    let mut free: Vec<&Task> = read.iter().collect();
    for g in gold {
        let best = free
            .iter()
            .enumerate()
            .map(|(i, r)| (i, text_overlap(&g.text, &r.text)))
            .max_by(|a, b| a.1.total_cmp(&b.1));
        if let Some((i, overlap)) = best
            && overlap >= TASK_TEXT_MATCH
        {
            let r = free.swap_remove(i);
            score.paired_tasks += 1;
            let deadline_ok = g.deadline == r.deadline;
            if deadline_ok {
                score.correct_deadlines += 1;
            }
            if deadline_ok && names(&g.lead) == names(&r.lead) {
                score.correct_tasks += 1;
            }
        }
    }
}

/// Describes, line by line, where an extraction differs from its annotation: header fields read
/// wrongly, annotated tasks not found or found with another lead or deadline, and tasks read that
/// pair with no annotated task. Only for development sets: reading the held-out set's errors
/// would tune on it.
pub fn explain_extraction(gold: &Extraction, read: &Extraction) -> Vec<String> {
    let mut out = Vec::new();
    let date = |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string()).unwrap_or("-".into());
    for (i, g) in gold.documents.iter().enumerate() {
        let r = read.documents.get(i);
        let rf = |f: fn(&Document) -> Option<String>| r.and_then(f);
        let fields: [(&str, Option<String>, Option<String>); 7] = [
            ("kind", g.kind.clone(), rf(|d| d.kind.clone())),
            ("number", g.number.clone(), rf(|d| d.number.clone())),
            ("issuer", g.issuer.clone(), rf(|d| d.issuer.clone())),
            ("place", g.place.clone(), rf(|d| d.place.clone())),
            (
                "date",
                g.issued_on.map(|d| d.to_string()),
                rf(|d| d.issued_on.map(|x| x.to_string())),
            ),
            ("subject", g.subject.clone(), rf(|d| d.subject.clone())),
            ("signer", g.signer.clone(), rf(|d| d.signer.clone())),
        ];
        for (name, want, got) in fields {
            if !same(&want, &got) {
                out.push(format!(
                    "doc {i} {name}: want {:?} got {:?}",
                    want.unwrap_or_default(),
                    got.unwrap_or_default()
                ));
            }
        }
    }
    let read_tasks: Vec<&Task> = read.documents.iter().flat_map(|d| &d.tasks).collect();
    let mut free: Vec<&Task> = read_tasks.clone();
    for g in gold.documents.iter().flat_map(|d| &d.tasks) {
        let best = free
            .iter()
            .enumerate()
            .map(|(i, r)| (i, text_overlap(&g.text, &r.text)))
            .max_by(|a, b| a.1.total_cmp(&b.1));
        let short = |t: &str| t.chars().take(90).collect::<String>();
        match best {
            Some((i, overlap)) if overlap >= TASK_TEXT_MATCH => {
                let r = free.swap_remove(i);
                if names(&g.lead) != names(&r.lead) {
                    out.push(format!(
                        "LEAD  want {:?} got {:?} | {}",
                        g.lead,
                        r.lead,
                        short(&g.text)
                    ));
                }
                if g.deadline != r.deadline {
                    out.push(format!(
                        "DUE   want {} ({:?}) got {} ({:?}) | {}",
                        date(g.deadline),
                        g.deadline_text.clone().unwrap_or_default(),
                        date(r.deadline),
                        r.deadline_text.clone().unwrap_or_default(),
                        short(&g.text)
                    ));
                }
            }
            Some((i, overlap)) => out.push(format!(
                "MISS  {:?} {} | {}\n      nearest ({overlap:.2}): {}",
                g.lead,
                date(g.deadline),
                g.text,
                free.get(i).map(|r| short(&r.text)).unwrap_or_default()
            )),
            None => out.push(format!("MISS  {:?} | {}", g.lead, g.text)),
        }
    }
    for r in free {
        out.push(format!(
            "EXTRA {:?} {} | {}",
            r.lead,
            date(r.deadline),
            r.text
        ));
    }
    out
}

/// Compares one extraction with its annotation; documents are paired by position.
pub fn score_extraction(gold: &Extraction, read: &Extraction) -> ExtractionScore {
    let mut score = ExtractionScore {
        documents: gold.documents.len(),
        header_fields: gold.documents.len() * 7,
        ..ExtractionScore::default()
    };
    for (i, g) in gold.documents.iter().enumerate() {
        score.header_correct += score_header(g, read.documents.get(i));
    }
    let gold_tasks: Vec<Task> = gold
        .documents
        .iter()
        .flat_map(|d| d.tasks.clone())
        .collect();
    let read_tasks: Vec<Task> = read
        .documents
        .iter()
        .flat_map(|d| d.tasks.clone())
        .collect();
    score.gold_tasks = gold_tasks.len();
    score.predicted_tasks = read_tasks.len();
    score_tasks(&gold_tasks, &read_tasks, &mut score);
    score
}

/// An annotated directive: its clean text, its OCR-damaged text and its annotation.
#[derive(Debug, Clone)]
pub struct AnnotatedDirective {
    /// The clean text file.
    pub clean: PathBuf,
    /// The OCR-damaged text file, if present.
    pub damaged: Option<PathBuf>,
    /// The annotation.
    pub gold: Extraction,
}

/// Why the annotated set could not be read.
#[derive(Debug, thiserror::Error)]
pub enum EvalError {
    /// A file could not be read.
    #[error("{path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// An annotation is not valid JSON of the extraction shape.
    #[error("{path}: {source}")]
    Gold {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: serde_json::Error,
    },
}

/// Reads every `NAME.gold.json` in `dir` with its `NAME.txt` and `NAME.ocr.txt`.
pub fn annotated_set(dir: &Path) -> Result<Vec<AnnotatedDirective>, EvalError> {
    let read_err = |path: &Path| {
        let path = path.to_path_buf();
        move |source| EvalError::Read { path, source }
    };
    let mut out = Vec::new();
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(read_err(dir))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.to_string_lossy().ends_with(".gold.json"))
        .collect();
    entries.sort();
    for gold_path in entries {
        let stem = gold_path
            .to_string_lossy()
            .trim_end_matches(".gold.json")
            .to_string();
        let text = std::fs::read_to_string(&gold_path).map_err(read_err(&gold_path))?;
        let gold: Extraction = serde_json::from_str(&text).map_err(|source| EvalError::Gold {
            path: gold_path.clone(),
            source,
        })?;
        let damaged = PathBuf::from(format!("{stem}.ocr.txt"));
        out.push(AnnotatedDirective {
            clean: PathBuf::from(format!("{stem}.txt")),
            damaged: damaged.is_file().then_some(damaged),
            gold,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn task(lead: &str, text: &str, deadline: Option<&str>) -> Task {
        Task {
            lead: vec![lead.to_string()],
            text: text.to_string(),
            deadline: deadline.and_then(|d| d.parse().ok()),
            ..Task::default()
        }
    }

    #[test]
    fn a_task_counts_only_with_lead_text_and_deadline_right() {
        let gold = Extraction {
            documents: vec![Document {
                number: Some("15/UBND-KT".into()),
                tasks: vec![
                    task(
                        "Sở Y tế",
                        "Rà soát danh mục thuốc thiết yếu",
                        Some("2024-06-30"),
                    ),
                    task("Công an tỉnh", "Thu thập dữ liệu dân cư", None),
                ],
                ..Document::default()
            }],
        };
        let read = Extraction {
            documents: vec![Document {
                number: Some("15/UBND-KT".into()),
                tasks: vec![
                    task(
                        "sở y tế",
                        "rà soát danh mục thuốc thiết yếu.",
                        Some("2024-06-30"),
                    ),
                    task(
                        "Công an tỉnh",
                        "Thu thập dữ liệu dân cư",
                        Some("2024-01-01"),
                    ),
                    task("Sở Tư pháp", "Một việc không được giao", None),
                ],
                ..Document::default()
            }],
        };
        let score = score_extraction(&gold, &read);
        assert_eq!(score.paired_tasks, 2);
        assert_eq!(score.correct_tasks, 1);
        assert_eq!(score.correct_deadlines, 1);
        assert!((score.precision() - 1.0 / 3.0).abs() < 1e-9);
        assert!((score.recall() - 0.5).abs() < 1e-9);
        // number and the six absent fields agree
        assert_eq!(score.header_correct, 7);
    }

    #[test]
    fn missing_documents_score_no_header_fields() {
        let gold = Extraction {
            documents: vec![Document::default(), Document::default()],
        };
        let read = Extraction {
            documents: vec![Document::default()],
        };
        let score = score_extraction(&gold, &read);
        assert_eq!(score.header_fields, 14);
        assert_eq!(score.header_correct, 7);
    }
}
