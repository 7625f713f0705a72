//! The text of reminder mail, in Vietnamese: one digest per recipient and day, as plain text and HTML.
//! Pure: no database, no transport.

use crate::html::escape_html;
use std::collections::HashMap;
use std::fmt::Write as _;

use chrono::{Datelike, NaiveDate};

use super::calendar::Calendar;
use super::policy::{Audience, Occasion};

/// Longest task text quoted in a mail, in characters.
const MAX_TASK_CHARS: usize = 600;

/// Most tasks a digest lists one by one, most urgent first. A longer list is not read in a mail:
/// the rest are counted ([`Digest::counted`]), with a link to the full list in the tracker, and the
/// leader's digest adds a count per lead agency. Every task is still recorded as reminded.
pub const MAX_LISTED_TASKS: usize = 50;

/// A task as a reminder mail shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskSummary {
    /// Task id.
    pub id: i64,
    /// The directive it comes from (for the link).
    pub directive_id: i64,
    /// What is to be done.
    pub text: String,
    /// The document it was given in, e.g. `Thông báo 339/TB-VPCP`.
    pub document: Option<String>,
    /// Names of its lead agencies.
    pub lead: Vec<String>,
}

/// A task a digest counts without listing it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CountedTask {
    /// Names of its lead agencies.
    pub lead: Vec<String>,
    /// What it is reminded for.
    pub occasion: Occasion,
}

/// Where a digest goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipient {
    /// Mail address.
    pub address: String,
    /// Whom the mail is meant for (agency name, or the leader).
    pub name: String,
    /// Why the mail goes to the fallback address instead of `name` itself, if it does.
    pub fallback_reason: Option<String>,
}

/// One day's reminders for one audience.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Digest {
    /// Who it is for.
    pub audience: Audience,
    /// Where it goes.
    pub recipient: Recipient,
    /// The day it is for.
    pub day: NaiveDate,
    /// The tasks listed one by one (at most [`MAX_LISTED_TASKS`]), with the occasion each is
    /// reminded for, most urgent first.
    pub items: Vec<(TaskSummary, Occasion)>,
    /// The further tasks reminded the same day, counted but not listed.
    pub counted: Vec<CountedTask>,
}

/// A mail ready for the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedMail {
    /// Subject line.
    pub subject: String,
    /// Plain-text body.
    pub text: String,
    /// HTML body.
    pub html: String,
}

/// A date as Vietnamese offices write it: dd/mm/yyyy.
pub fn vn_date(date: NaiveDate) -> String {
    format!("{:02}/{:02}/{:04}", date.day(), date.month(), date.year())
}

/// The link to a task's directive.
pub fn task_link(public_url: &str, directive_id: i64) -> String {
    page_link(public_url, &format!("directives/{directive_id}"))
}

/// The link to a page of the tracker, `path` without its leading slash.
fn page_link(public_url: &str, path: &str) -> String {
    format!("{}/{path}", public_url.trim_end_matches('/'))
}

/// How a task stands on `day`, in words.
pub fn standing(occasion: Occasion, day: NaiveDate, calendar: &Calendar) -> String {
    let deadline = occasion.deadline();
    let due_day = calendar
        .working_day_on_or_before(deadline)
        .unwrap_or(deadline);
    let left = calendar.working_days_between(day, due_day);
    match occasion {
        Occasion::Escalation { n, .. } => format!(
            "Quá hạn {} ngày làm việc, đã nhắc {n} lần nhưng chưa có báo cáo",
            -left
        ),
        Occasion::Overdue { n, .. } => {
            format!("Quá hạn {} ngày làm việc (nhắc lần {n})", -left)
        }
        _ if left > 0 => format!("Còn {left} ngày làm việc đến hạn"),
        _ if left == 0 => "Đến hạn hôm nay".to_string(),
        _ => format!("Quá hạn {} ngày làm việc", -left),
    }
}

fn is_overdue(occasion: Occasion) -> bool {
    matches!(
        occasion,
        Occasion::Overdue { .. } | Occasion::Escalation { .. }
    )
}

/// The part of a long digest after its listed tasks: how many more there are, a link to all of
/// them, and for the leader the number of escalated tasks per lead agency, most first.
fn write_counted(digest: &Digest, public_url: &str, text: &mut String, html: &mut String) {
    let rest = &digest.counted;
    let overdue = rest.iter().filter(|t| is_overdue(t.occasion)).count();
    let list = page_link(public_url, "tasks");
    let more = format!(
        "Còn {} nhiệm vụ khác ({overdue} quá hạn) không liệt kê trong thư này. Danh sách đầy đủ:",
        rest.len()
    );
    let _ = writeln!(text, "{more} {list}\n");
    let list = escape_html(&list);
    let _ = write!(
        html,
        "<p>{} <a href=\"{list}\">{list}</a></p>",
        escape_html(&more)
    );
    if !matches!(digest.audience, Audience::Leader) {
        return;
    }
    let mut per_agency: HashMap<&str, usize> = HashMap::new();
    let leads = (digest.items.iter().map(|(task, _)| &task.lead))
        .chain(digest.counted.iter().map(|task| &task.lead));
    for lead_agencies in leads {
        if lead_agencies.is_empty() {
            *per_agency
                .entry("Chưa xác định đơn vị chủ trì")
                .or_default() += 1;
        }
        for lead in lead_agencies {
            *per_agency.entry(lead.as_str()).or_default() += 1;
        }
    }
    let mut per_agency: Vec<(&str, usize)> = per_agency.into_iter().collect();
    per_agency.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let heading = "Số nhiệm vụ quá hạn chưa báo cáo theo đơn vị chủ trì:";
    let _ = writeln!(text, "{heading}");
    let _ = write!(html, "<p>{}</p><ul>", escape_html(heading));
    for (agency, n) in per_agency {
        let _ = writeln!(text, "- {agency}: {n}");
        let _ = write!(html, "<li>{}: {n}</li>", escape_html(agency));
    }
    let _ = writeln!(text);
    let _ = write!(html, "</ul>");
}

fn shorten(text: &str) -> String {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.chars().count() <= MAX_TASK_CHARS {
        return text;
    }
    let mut short: String = text.chars().take(MAX_TASK_CHARS).collect();
    short.push('…');
    short
}

/// Writes the subject and both bodies of a digest.
pub fn render(digest: &Digest, public_url: &str, calendar: &Calendar) -> RenderedMail {
    let day = vn_date(digest.day);
    let count = digest.items.len() + digest.counted.len();
    let overdue = digest
        .items
        .iter()
        .map(|(_, o)| o)
        .chain(digest.counted.iter().map(|t| &t.occasion))
        .filter(|o| is_overdue(**o))
        .count();
    let mut subject = match digest.audience {
        Audience::Leader => {
            format!("[Báo cáo lãnh đạo] {count} nhiệm vụ quá hạn chưa báo cáo — ngày {day}")
        }
        _ => format!(
            "[Nhắc việc] {count} nhiệm vụ đến hạn hoặc quá hạn ({overdue} quá hạn) — {} — ngày {day}",
            digest.recipient.name
        ),
    };
    if let Some(reason) = &digest.recipient.fallback_reason {
        subject = format!("[Chuyển tiếp: {reason}] {subject}");
    }

    let greeting = match digest.audience {
        Audience::Leader => "Kính gửi: Lãnh đạo phụ trách.".to_string(),
        _ => format!("Kính gửi: {}.", digest.recipient.name),
    };
    let intro = match digest.audience {
        Audience::Leader => format!(
            "Các nhiệm vụ sau đã quá hạn và đã được nhắc nhiều lần nhưng đến ngày {day} vẫn chưa có báo cáo kết quả:"
        ),
        _ => format!(
            "Hệ thống theo dõi, đôn đốc nhiệm vụ xin nhắc các nhiệm vụ sau, tính đến ngày {day}, chưa có báo cáo kết quả:"
        ),
    };
    let fallback_note = digest.recipient.fallback_reason.as_ref().map(|reason| {
        format!(
            "Lưu ý: thư này được gửi tới địa chỉ dự phòng vì {reason}. Đề nghị văn thư chuyển tiếp tới {} và cập nhật địa chỉ e-mail.",
            digest.recipient.name
        )
    });

    let mut text = String::new();
    let mut html = String::from(
        "<!DOCTYPE html><html lang=\"vi\"><head><meta charset=\"utf-8\"></head><body>",
    );
    if let Some(note) = &fallback_note {
        let _ = writeln!(text, "{note}\n");
        let _ = write!(html, "<p><strong>{}</strong></p>", escape_html(note));
    }
    let _ = writeln!(text, "{greeting}\n\n{intro}\n");
    let _ = write!(
        html,
        "<p>{}</p><p>{}</p><ol>",
        escape_html(&greeting),
        escape_html(&intro)
    );
    // Digests list many tasks on few occasions: each occasion's words are worked out once.
    let mut words: HashMap<Occasion, (String, String)> = HashMap::new();
    for (i, (task, occasion)) in digest.items.iter().enumerate() {
        let link = task_link(public_url, task.directive_id);
        let (standing, deadline) = words.entry(*occasion).or_insert_with(|| {
            (
                standing(*occasion, digest.day, calendar),
                vn_date(occasion.deadline()),
            )
        });
        let body = shorten(&task.text);
        let _ = writeln!(text, "{}. {body}", i + 1);
        let _ = writeln!(text, "   Hạn: {deadline} — {standing}");
        if let Some(document) = &task.document {
            let _ = writeln!(text, "   Theo: {document}");
        }
        if matches!(digest.audience, Audience::Leader) && !task.lead.is_empty() {
            let _ = writeln!(text, "   Chủ trì: {}", task.lead.join("; "));
        }
        let _ = writeln!(text, "   Xem và báo cáo: {link}\n");

        let _ = write!(
            html,
            "<li><p>{}</p><p>Hạn: <strong>{deadline}</strong> — {}</p>",
            escape_html(&body),
            escape_html(standing)
        );
        if let Some(document) = &task.document {
            let _ = write!(html, "<p>Theo: {}</p>", escape_html(document));
        }
        if matches!(digest.audience, Audience::Leader) && !task.lead.is_empty() {
            let _ = write!(
                html,
                "<p>Chủ trì: {}</p>",
                escape_html(&task.lead.join("; "))
            );
        }
        let link = escape_html(&link);
        let _ = write!(
            html,
            "<p><a href=\"{link}\">Xem và báo cáo: {link}</a></p></li>"
        );
    }
    let _ = write!(html, "</ol>");
    if !digest.counted.is_empty() {
        write_counted(digest, public_url, &mut text, &mut html);
    }
    let closing = "Thư này được gửi tự động; việc nhắc sẽ dừng khi nhiệm vụ có báo cáo kết quả.";
    let _ = writeln!(text, "{closing}");
    let _ = write!(html, "<p>{}</p></body></html>", escape_html(closing));
    RenderedMail {
        subject,
        text,
        html,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default()
    }

    fn digest(audience: Audience, fallback: Option<&str>) -> Digest {
        let deadline = d(2024, 5, 10);
        Digest {
            audience,
            recipient: Recipient {
                address: "vanthu@localhost".into(),
                name: "Sở Tư pháp".into(),
                fallback_reason: fallback.map(str::to_string),
            },
            day: d(2024, 5, 15),
            items: vec![
                (
                    TaskSummary {
                        id: 3,
                        directive_id: 7,
                        text: "Rà soát <văn bản> & báo cáo".into(),
                        document: Some("Thông báo 339/TB-VPCP".into()),
                        lead: vec!["Sở Tư pháp".into()],
                    },
                    Occasion::Overdue { n: 1, deadline },
                ),
                (
                    TaskSummary {
                        id: 4,
                        directive_id: 8,
                        text: "x".repeat(2000),
                        document: None,
                        lead: vec![],
                    },
                    Occasion::Before {
                        days: 1,
                        deadline: d(2024, 5, 16),
                    },
                ),
            ],
            counted: Vec::new(),
        }
    }

    #[test]
    fn a_digest_lists_every_task_with_deadline_standing_and_link() {
        let mail = render(
            &digest(Audience::Agency(1), None),
            "https://dondoc.example/",
            Calendar::vietnam(),
        );
        assert!(mail.subject.contains("2 nhiệm vụ"), "{}", mail.subject);
        assert!(mail.subject.contains("(1 quá hạn)"));
        assert!(mail.subject.contains("Sở Tư pháp"));
        assert!(mail.subject.contains("15/05/2024"));
        assert!(
            mail.text
                .contains("Hạn: 10/05/2024 — Quá hạn 3 ngày làm việc (nhắc lần 1)"),
            "{}",
            mail.text
        );
        assert!(mail.text.contains("Còn 1 ngày làm việc đến hạn"));
        assert!(mail.text.contains("https://dondoc.example/directives/7"));
        assert!(mail.text.contains("https://dondoc.example/directives/8"));
        assert!(mail.html.contains("Rà soát &lt;văn bản&gt; &amp; báo cáo"));
        assert!(!mail.html.contains("<văn bản>"));
        assert!(mail.text.contains('…'));
        assert!(!mail.text.contains(&"x".repeat(MAX_TASK_CHARS + 1)));
    }

    #[test]
    fn fallback_mail_says_so_in_subject_and_body() {
        let mail = render(
            &digest(
                Audience::Agency(1),
                Some("Sở Tư pháp chưa có địa chỉ e-mail"),
            ),
            "http://localhost",
            Calendar::vietnam(),
        );
        assert!(
            mail.subject
                .starts_with("[Chuyển tiếp: Sở Tư pháp chưa có địa chỉ e-mail]")
        );
        assert!(
            mail.text
                .starts_with("Lưu ý: thư này được gửi tới địa chỉ dự phòng")
        );
        assert!(mail.html.contains("địa chỉ dự phòng"));
    }

    /// A digest of `tasks` reminders, listing as many as a digest does and counting the rest.
    fn long_digest(audience: Audience, tasks: usize) -> Digest {
        let mut digest = digest(audience, None);
        let deadline = d(2024, 5, 10);
        let mut items: Vec<(TaskSummary, Occasion)> = (0..tasks)
            .map(|i| {
                (
                    TaskSummary {
                        id: i as i64,
                        directive_id: 1,
                        text: format!("Nhiệm vụ thứ {i}"),
                        document: None,
                        lead: vec![
                            if i % 3 == 0 {
                                "Sở Tư pháp"
                            } else {
                                "Sở Y tế"
                            }
                            .into(),
                        ],
                    },
                    if i % 2 == 0 {
                        Occasion::Escalation { n: 3, deadline }
                    } else {
                        Occasion::Before {
                            days: 1,
                            deadline: d(2024, 5, 16),
                        }
                    },
                )
            })
            .collect();
        digest.counted = items
            .split_off(MAX_LISTED_TASKS.min(tasks))
            .into_iter()
            .map(|(task, occasion)| CountedTask {
                lead: task.lead,
                occasion,
            })
            .collect();
        digest.items = items;
        digest
    }

    #[test]
    fn a_long_digest_lists_the_most_urgent_and_counts_the_rest() {
        let tasks = MAX_LISTED_TASKS + 70;
        let mail = render(
            &long_digest(Audience::Agency(1), tasks),
            "https://dondoc.example",
            Calendar::vietnam(),
        );
        assert!(mail.subject.contains(&format!("{tasks} nhiệm vụ")));
        let last = MAX_LISTED_TASKS - 1;
        assert!(mail.text.contains(&format!("Nhiệm vụ thứ {last}\n")));
        assert!(!mail.text.contains(&format!("Nhiệm vụ thứ {}\n", last + 1)));
        assert!(!mail.html.contains(&format!("Nhiệm vụ thứ {}<", last + 1)));
        assert!(
            mail.text.contains(
                "Còn 70 nhiệm vụ khác (35 quá hạn) không liệt kê trong thư này. \
                 Danh sách đầy đủ: https://dondoc.example/tasks"
            ),
            "{}",
            mail.text
        );
        assert!(
            mail.html
                .contains("<a href=\"https://dondoc.example/tasks\">")
        );
        assert!(!mail.text.contains("theo đơn vị chủ trì"));

        let short = render(
            &long_digest(Audience::Agency(1), MAX_LISTED_TASKS),
            "https://dondoc.example",
            Calendar::vietnam(),
        );
        assert!(!short.text.contains("nhiệm vụ khác"));
    }

    #[test]
    fn a_long_leader_digest_counts_tasks_per_lead_agency() {
        let mail = render(
            &long_digest(Audience::Leader, 300),
            "https://dondoc.example",
            Calendar::vietnam(),
        );
        assert!(
            mail.text
                .contains("theo đơn vị chủ trì:\n- Sở Y tế: 200\n- Sở Tư pháp: 100\n")
        );
        assert!(
            mail.html
                .contains("<li>Sở Y tế: 200</li><li>Sở Tư pháp: 100</li>")
        );
    }

    #[test]
    fn the_leader_sees_who_leads_each_task() {
        let mail = render(
            &digest(Audience::Leader, None),
            "http://localhost",
            Calendar::vietnam(),
        );
        assert!(mail.subject.starts_with("[Báo cáo lãnh đạo]"));
        assert!(mail.text.contains("Chủ trì: Sở Tư pháp"));
        assert!(mail.text.starts_with("Kính gửi: Lãnh đạo phụ trách."));
    }
}
