//! dondoc: register Vietnamese government directives, turn them into tracked tasks, and chase those
//! tasks until they are done ("theo dõi, đôn đốc nhiệm vụ").
//!
//! The crate is organised by domain; see ARCHITECTURE.md for how data flows between the modules.
//! - [`text`]: Vietnamese text repair (Unicode, syllables, language model, restoration).
//! - [`parse`]: reading incoming files into text.
//! - [`extract`]: document structure, agencies, deadlines and tasks.
//! - [`intake`]: the path from an incoming file to a stored directive.
//! - [`search`]: the full-text index (tantivy) and its Vietnamese analyzer.
//! - [`indexer`]: keeps the index in step with the database.
//! - [`store`]: the database (diesel, SQLite or PostgreSQL).
//! - [`reports`]: performance reports and the exports of the register and reports.
//! - [`tracker`]: working days, reminder policy, the reminder outbox and mail delivery.
//! - [`web`]: the HTTP API and pages (actix-web).
//! - [`cli`]: the `dondoc` command.
//! - [`html`]: escaping for hand-written HTML.
//! - [`eval`]: accuracy against held-out annotations.
//! - [`config`]: settings from flags, environment and a config file.

pub mod cli;
pub mod config;
pub mod eval;
pub mod extract;
pub mod html;
pub mod indexer;
pub mod intake;
pub mod parse;
pub mod reports;
pub mod search;
pub mod store;
pub mod text;
pub mod tracker;
pub mod web;
