//! Sending outbox mail: over SMTP when a server is configured, else as `.eml` files in the outbox
//! folder. Mail is sent outside any database transaction; the outcome is recorded afterwards.

use std::path::PathBuf;
use std::time::Duration;

use chrono::{NaiveDateTime, TimeDelta};
use lettre::message::{Mailbox, MultiPart};
use lettre::{FileTransport, Message, SmtpTransport, Transport};
use serde::Serialize;

use super::TrackerError;
use super::outbox::{self, OutboxMail};
use crate::store::Store;

/// How long a sender holds the mails it claimed.
const LEASE: TimeDelta = TimeDelta::minutes(10);

/// Most mails claimed at once.
const BATCH: i64 = 50;

/// How long one SMTP exchange may take.
const SMTP_TIMEOUT: Duration = Duration::from_secs(30);

/// Where mail goes.
#[derive(Clone)]
pub enum Mailer {
    /// An SMTP server.
    Smtp(Box<SmtpTransport>),
    /// `.eml` files in a folder.
    Files(FileTransport, PathBuf),
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Mailer::Smtp(_) => f.write_str("Mailer::Smtp"),
            Mailer::Files(_, dir) => write!(f, "Mailer::Files({})", dir.display()),
        }
    }
}

impl Mailer {
    /// The SMTP server at `url` (`smtp://user:pass@host:port`: STARTTLS when the server offers it,
    /// else plain, for local relays; add `?tls=required` to insist; `smtps://`: TLS), or with no URL,
    /// files in `outbox_dir` (created if missing).
    pub fn new(smtp_url: Option<&str>, outbox_dir: PathBuf) -> Result<Mailer, TrackerError> {
        match smtp_url {
            Some(url) => {
                let url = if url.starts_with("smtp://") && !url.contains("tls=") {
                    let sep = if url.contains('?') { '&' } else { '?' };
                    format!("{url}{sep}tls=opportunistic")
                } else {
                    url.to_string()
                };
                let transport = SmtpTransport::from_url(&url)
                    .map_err(|e| TrackerError::Config(format!("smtp_url: {e}")))?
                    .timeout(Some(SMTP_TIMEOUT))
                    .build();
                Ok(Mailer::Smtp(Box::new(transport)))
            }
            None => {
                std::fs::create_dir_all(&outbox_dir).map_err(|e| {
                    TrackerError::Config(format!("outbox folder {}: {e}", outbox_dir.display()))
                })?;
                Ok(Mailer::Files(FileTransport::new(&outbox_dir), outbox_dir))
            }
        }
    }

    fn send(&self, message: &Message) -> Result<(), String> {
        match self {
            Mailer::Smtp(t) => t.send(message).map(|_| ()).map_err(|e| e.to_string()),
            Mailer::Files(t, _) => t.send(message).map(|_| ()).map_err(|e| e.to_string()),
        }
    }
}

/// Builds the MIME message of an outbox mail: multipart/alternative (plain text and HTML), with the
/// Message-ID derived from its dedupe key.
pub fn build_message(mail: &OutboxMail, from: &str) -> Result<Message, String> {
    let from: Mailbox = from.parse().map_err(|e| format!("sender {from}: {e}"))?;
    let to: Mailbox = mail
        .recipient
        .parse()
        .map_err(|e| format!("recipient {}: {e}", mail.recipient))?;
    Message::builder()
        .from(from)
        .to(to)
        .subject(mail.subject.clone())
        .message_id(Some(mail.message_id.clone()))
        .multipart(MultiPart::alternative_plain_html(
            mail.body_text.clone(),
            mail.body_html.clone(),
        ))
        .map_err(|e| e.to_string())
}

/// What one delivery pass did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DeliveryOutcome {
    /// Mails handed to the server (or written to files).
    pub sent: usize,
    /// Mails that failed this time and stay pending.
    pub retrying: usize,
    /// Mails that can never be sent as they are (marked failed).
    pub failed: usize,
}

/// Sends every outbox mail due at `now`: claim with a lease (a short transaction), send (no
/// transaction), record the outcome (a short transaction). A crash after sending and before recording
/// leaves the row claimed; after the lease it is sent again, with the same Message-ID.
pub fn deliver_due(
    store: &Store,
    mailer: &Mailer,
    from: &str,
    now: NaiveDateTime,
) -> Result<DeliveryOutcome, TrackerError> {
    let mut outcome = DeliveryOutcome::default();
    loop {
        let batch = store.write(|c| outbox::claim_due(c, now, LEASE, BATCH))?;
        if batch.is_empty() {
            break;
        }
        let full = batch.len() as i64 >= BATCH;
        for mail in batch {
            match build_message(&mail, from) {
                Err(e) => {
                    store
                        .write(|c| outbox::mark_failed(c, mail.id, mail.attempts, &e, true, now))?;
                    outcome.failed += 1;
                }
                Ok(message) => match mailer.send(&message) {
                    Ok(()) => {
                        store.write(|c| outbox::mark_sent(c, mail.id, now))?;
                        outcome.sent += 1;
                    }
                    Err(e) => {
                        tracing::warn!(mail = mail.id, error = %e, "reminder mail not sent; will retry");
                        store.write(|c| {
                            outbox::mark_failed(c, mail.id, mail.attempts, &e, false, now)
                        })?;
                        outcome.retrying += 1;
                    }
                },
            }
        }
        if !full {
            break;
        }
    }
    Ok(outcome)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mail() -> OutboxMail {
        OutboxMail {
            id: 1,
            dedupe_key: "digest:agency:1:2024-05-10".into(),
            recipient: "sotuphap@example.gov.vn".into(),
            subject: "[Nhắc việc] 1 nhiệm vụ quá hạn".into(),
            body_text: "Kính gửi: Sở Tư pháp.".into(),
            body_html: "<p>Kính gửi: Sở Tư pháp.</p>".into(),
            message_id: "<reminder.abc@dondoc.localhost>".into(),
            attempts: 0,
        }
    }

    #[test]
    fn messages_are_multipart_alternative_with_the_stored_message_id() {
        let message = build_message(&mail(), "Đôn đốc <dondoc@localhost>");
        let formatted = String::from_utf8(message.map(|m| m.formatted()).unwrap_or_default())
            .unwrap_or_default();
        assert!(
            formatted.contains("Message-ID: <reminder.abc@dondoc.localhost>"),
            "{formatted}"
        );
        assert!(formatted.contains("multipart/alternative"));
        assert!(formatted.contains("text/plain"));
        assert!(formatted.contains("text/html"));
        assert!(formatted.contains("To: sotuphap@example.gov.vn"));
        // The Vietnamese subject is encoded (RFC 2047), not sent raw.
        assert!(!formatted.contains("Nhắc việc"));
    }

    #[test]
    fn a_bad_recipient_is_an_error_not_a_panic() {
        let bad = OutboxMail {
            recipient: "không phải địa chỉ".into(),
            ..mail()
        };
        assert!(build_message(&bad, "dondoc@localhost").is_err());
    }

    #[test]
    fn files_are_written_to_the_outbox_folder() -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let outbox = dir.path().join("outbox");
        let mailer = Mailer::new(None, outbox.clone())?;
        let message = build_message(&mail(), "dondoc@localhost")?;
        mailer.send(&message)?;
        let files: Vec<_> = std::fs::read_dir(&outbox)?.collect();
        assert_eq!(files.len(), 1);
        Ok(())
    }
}
