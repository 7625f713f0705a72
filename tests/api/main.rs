//! Integration tests of the JSON API and the command line, run against SQLite and PostgreSQL alike.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod accounts;
mod bad_input;
mod browser;
mod directives;
mod faults;
mod helpers;
mod intake;
mod lifecycle;
mod register;
mod reminders;
mod reports;
mod search;
mod tasks;
