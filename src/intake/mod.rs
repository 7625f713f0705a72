//! Intake: from an incoming file to a stored directive. Reads the file ([`crate::parse`]), repairs the
//! text ([`crate::text`]), reads documents and tasks from it ([`crate::extract`]) and stores everything
//! in one transaction ([`crate::store`]). Files that may need OCR can instead be handed to the
//! background reader ([`jobs`]), which tells its progress page by page.

pub mod jobs;

use sha2::{Digest, Sha256};

use crate::config::Limits;
use crate::extract::{self, Extraction};
use crate::parse::{self, ParseError, ReadProgress, SourceFormat};
use crate::store::directives::{self, DirectiveView, NewDirective};
use crate::store::register::{self, EntryOptions};
use crate::store::{Store, StoreError};
use crate::text;

/// An incoming file or pasted text.
#[derive(Debug, Clone)]
pub struct IncomingFile {
    /// The file name as received, if any.
    pub file_name: Option<String>,
    /// The bytes as received.
    pub content: Vec<u8>,
}

/// Why a directive could not be registered.
#[derive(Debug, thiserror::Error)]
pub enum IntakeError {
    /// The file could not be read.
    #[error(transparent)]
    Parse(#[from] ParseError),
    /// The text is longer than the configured limit.
    #[error("the text has {chars} characters; at most {limit} are accepted")]
    TooLong {
        /// Characters in the text.
        chars: usize,
        /// The limit.
        limit: usize,
    },
    /// Storing failed; nothing was stored.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The background reader was interrupted this many times while reading the file (a file
    /// that brings its reader down is not taken up again and again).
    #[error("reading was interrupted {attempts} times")]
    Interrupted {
        /// Times the file was taken up.
        attempts: i32,
    },
}

/// How far the intake of a file has come.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Reading the file: `pages_done` of `pages_total` pages read by OCR so far (both 0 when no
    /// page needs OCR, or before their number is known).
    Reading {
        /// Pages read by OCR so far.
        pages_done: usize,
        /// Pages that need OCR.
        pages_total: usize,
    },
    /// Repairing the text ([`crate::text::normalize`]).
    Repairing,
    /// Reading documents and tasks ([`crate::extract`]).
    Extracting,
    /// Storing the directive.
    Storing,
}

impl Stage {
    /// The stage's identifier, as stored with a background job.
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Reading { .. } => "reading",
            Stage::Repairing => "repairing",
            Stage::Extracting => "extracting",
            Stage::Storing => "storing",
        }
    }

    /// Pages read by OCR so far, and pages that need it, while reading.
    pub fn pages(self) -> Option<(usize, usize)> {
        match self {
            Stage::Reading {
                pages_done,
                pages_total,
            } => Some((pages_done, pages_total)),
            _ => None,
        }
    }
}

/// A directive read from a file, not yet stored.
#[derive(Debug, Clone)]
pub struct ReadDirective {
    /// The format the text came from.
    pub format: SourceFormat,
    /// How the text was read (encoding found, pages read by OCR, ...).
    pub reading_note: String,
    /// The text as read.
    pub original_text: String,
    /// The text after repair.
    pub repaired_text: String,
    /// Documents and tasks read from the repaired text.
    pub extraction: Extraction,
}

/// Reads, repairs and extracts a file without storing it. May run external readers (OCR): call it
/// off the async threads.
pub fn read(file: &IncomingFile, limits: &Limits) -> Result<ReadDirective, IntakeError> {
    read_reporting(file, limits, &|_| {})
}

/// [`read`], telling `progress` each stage, and each page read by OCR.
pub fn read_reporting(
    file: &IncomingFile,
    limits: &Limits,
    progress: &dyn Fn(Stage),
) -> Result<ReadDirective, IntakeError> {
    let pages = |p: ReadProgress| {
        progress(Stage::Reading {
            pages_done: p.pages_done,
            pages_total: p.pages_total,
        })
    };
    let parsed = parse::read_file_reporting(
        file.file_name.as_deref(),
        &file.content,
        &limits.read_limits(),
        &pages,
    )?;
    let max_chars = limits.max_text_chars;
    let chars = parsed.text.chars().count();
    if chars > max_chars {
        return Err(IntakeError::TooLong {
            chars,
            limit: max_chars,
        });
    }
    progress(Stage::Repairing);
    let repaired_text = text::normalize(&parsed.text);
    progress(Stage::Extracting);
    let extraction = extract::read_directive(&repaired_text);
    Ok(ReadDirective {
        format: parsed.format,
        reading_note: parsed.note,
        original_text: parsed.text,
        repaired_text,
        extraction,
    })
}

/// SHA-256 of the bytes, hex.
pub fn checksum(content: &[u8]) -> String {
    hex::encode(Sha256::digest(content))
}

/// How a directive is entered in the incoming register.
#[derive(Debug, Clone, Default)]
pub struct Registration {
    /// The office whose register numbers it (`[office] name` of the settings).
    pub office: String,
    /// Register it even if it duplicates a registered document (the clerk has confirmed).
    pub confirm_duplicate: bool,
    /// The unit or person it is passed to; by default the lead agencies of its tasks.
    pub recipient: Option<String>,
    /// Keep its tasks as drafts until the clerk has checked them and confirmed the directive
    /// ([`crate::store::directives::confirm`]); otherwise they are given to their agencies at once.
    pub draft: bool,
}

impl Registration {
    /// Registration in `office`'s register, refusing duplicates.
    pub fn in_office(office: &str) -> Self {
        Registration {
            office: office.to_string(),
            ..Registration::default()
        }
    }
}

/// Reads and stores a directive and enters it in the incoming register, which gives it its incoming
/// number in the same transaction; returns it as stored. Nothing is stored if any step fails. A second
/// copy of a registered document is refused with [`StoreError::Duplicate`] (inside
/// [`IntakeError::Store`]) unless `registration.confirm_duplicate`.
pub fn register(
    store: &Store,
    file: &IncomingFile,
    limits: &Limits,
    registration: &Registration,
    actor: &str,
    registered_by: Option<i64>,
) -> Result<DirectiveView, IntakeError> {
    register_reporting(
        store,
        file,
        limits,
        registration,
        actor,
        registered_by,
        &|_| {},
    )
}

/// [`register`], telling `progress` each stage, and each page read by OCR.
pub fn register_reporting(
    store: &Store,
    file: &IncomingFile,
    limits: &Limits,
    registration: &Registration,
    actor: &str,
    registered_by: Option<i64>,
    progress: &dyn Fn(Stage),
) -> Result<DirectiveView, IntakeError> {
    let read = read_reporting(file, limits, progress)?;
    progress(Stage::Storing);
    let view = store.write(|conn| {
        let id = store_read(conn, file, &read, registration, actor, registered_by)?;
        directives::get(conn, id)
    })?;
    Ok(view)
}

/// Stores a directive already read, with its register entry, in the caller's transaction; returns
/// its id.
fn store_read(
    conn: &mut crate::store::DbConnection,
    file: &IncomingFile,
    read: &ReadDirective,
    registration: &Registration,
    actor: &str,
    registered_by: Option<i64>,
) -> Result<i64, StoreError> {
    let checksum = checksum(&file.content);
    let new = NewDirective {
        file_name: file.file_name.as_deref(),
        content: &file.content,
        checksum: &checksum,
        source_format: read.format.as_str(),
        original_text: &read.original_text,
        repaired_text: &read.repaired_text,
        extraction: &read.extraction,
        actor,
        registered_by,
        draft: registration.draft,
    };
    let options = EntryOptions {
        office: &registration.office,
        confirm_duplicate: registration.confirm_duplicate,
        recipient: registration.recipient.as_deref(),
        remarks: None,
    };
    let (id, _) = register::register_directive(conn, &new, &options)?;
    Ok(id)
}
