//! Server-rendered pages in Vietnamese (askama templates, checked at compile time).

use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::NaiveDate;

use super::AppState;
use super::error::ApiError;
use crate::store::directives::{self, DirectiveFilter, DirectiveSummary, DocumentView};
use crate::store::tasks::{self, TaskFilter, TaskStatus, TaskView};

/// A date as Vietnamese offices write it (dd/mm/yyyy), or a dash.
pub fn vn_date(date: Option<NaiveDate>) -> String {
    date.map(|d| d.format("%d/%m/%Y").to_string())
        .unwrap_or_else(|| "—".to_string())
}

/// The Vietnamese name of a task status.
pub fn status_label(status: TaskStatus) -> &'static str {
    match status {
        TaskStatus::Assigned => "Đã giao",
        TaskStatus::InProgress => "Đang thực hiện",
        TaskStatus::Reported => "Đã báo cáo",
        TaskStatus::Completed => "Hoàn thành",
        TaskStatus::Returned => "Trả lại",
        TaskStatus::Cancelled => "Hủy",
    }
}

struct DirectiveRow {
    id: i64,
    number: String,
    kind: String,
    issuer: String,
    issued_on: String,
    subject: String,
    task_count: i64,
}

impl From<DirectiveSummary> for DirectiveRow {
    fn from(d: DirectiveSummary) -> Self {
        let first = d.documents.into_iter().next();
        let field = |f: Option<String>| f.unwrap_or_else(|| "—".to_string());
        match first {
            Some(doc) => DirectiveRow {
                id: d.id,
                number: field(doc.number),
                kind: field(doc.kind),
                issuer: field(doc.issuer),
                issued_on: vn_date(doc.issued_on),
                subject: field(doc.subject),
                task_count: d.task_count,
            },
            None => DirectiveRow {
                id: d.id,
                number: field(d.file_name),
                kind: "—".into(),
                issuer: "—".into(),
                issued_on: "—".into(),
                subject: "—".into(),
                task_count: d.task_count,
            },
        }
    }
}

struct TaskRow {
    directive_id: i64,
    lead: String,
    support: String,
    text: String,
    deadline: String,
    overdue: bool,
    status: &'static str,
}

impl TaskRow {
    fn new(t: TaskView, today: NaiveDate) -> Self {
        TaskRow {
            directive_id: t.directive_id,
            lead: t.lead.join("; "),
            support: t.support.join("; "),
            overdue: !t.status.is_closed()
                && t.status != TaskStatus::Reported
                && t.deadline.is_some_and(|d| d < today),
            deadline: vn_date(t.deadline),
            text: t.text,
            status: status_label(t.status),
        }
    }
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    directives: Vec<DirectiveRow>,
    tasks: Vec<TaskRow>,
}

struct DocumentSection {
    kind: String,
    number: String,
    issuer: String,
    place: String,
    issued_on: String,
    subject: String,
    signer: String,
    tasks: Vec<TaskRow>,
    text: String,
}

impl DocumentSection {
    fn new(d: DocumentView, today: NaiveDate) -> Self {
        let field = |f: Option<String>| f.unwrap_or_else(|| "—".to_string());
        DocumentSection {
            kind: field(d.kind),
            number: field(d.number),
            issuer: field(d.issuer),
            place: field(d.place),
            issued_on: vn_date(d.issued_on),
            subject: field(d.subject),
            signer: field(d.signer),
            tasks: d
                .tasks
                .into_iter()
                .map(|t| TaskRow::new(t, today))
                .collect(),
            text: d.text,
        }
    }
}

#[derive(Template)]
#[template(path = "directive.html")]
struct DirectivePage {
    id: i64,
    documents: Vec<DocumentSection>,
}

fn render(page: &impl Template) -> Result<HttpResponse, ApiError> {
    let html = page.render().map_err(|e| {
        tracing::error!(error = %e, "template failed");
        ApiError::internal()
    })?;
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(html))
}

/// The overview: recent directives and open tasks by deadline.
pub async fn home(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let store = state.store.clone();
    let (directives, tasks) = web::block(move || {
        store.read(|c| {
            let d = directives::list(c, &DirectiveFilter::default())?;
            let t = tasks::list(c, &TaskFilter::default())?;
            Ok((d, t))
        })
    })
    .await??;
    let today = chrono::Local::now().date_naive();
    render(&HomePage {
        directives: directives.into_iter().map(DirectiveRow::from).collect(),
        tasks: tasks.into_iter().map(|t| TaskRow::new(t, today)).collect(),
    })
}

/// One directive: its documents, tasks and text.
pub async fn directive(
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let store = state.store.clone();
    let id = id.into_inner();
    let view = web::block(move || store.read(|c| directives::get(c, id))).await??;
    let today = chrono::Local::now().date_naive();
    render(&DirectivePage {
        id: view.id,
        documents: view
            .documents
            .into_iter()
            .map(|d| DocumentSection::new(d, today))
            .collect(),
    })
}

struct HitRow {
    directive_id: i64,
    kind: String,
    number: String,
    issuer: String,
    issued_on: String,
    subject: String,
    /// Escaped by the index, with `<b>` marks around matches.
    snippet: String,
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    q: String,
    kind: String,
    year: String,
    searched: bool,
    total: usize,
    relaxed: bool,
    hits: Vec<HitRow>,
}

/// The search page: a form, and hits with highlighted snippets.
pub async fn search(
    state: web::Data<AppState>,
    params: web::Query<super::api::SearchParams>,
) -> Result<HttpResponse, ApiError> {
    let params = params.into_inner();
    let searched = params.q.as_deref().is_some_and(|q| !q.trim().is_empty())
        || params.kind.is_some()
        || params.year.is_some();
    let mut page = SearchPage {
        q: params.q.clone().unwrap_or_default(),
        kind: params.kind.clone().unwrap_or_default(),
        year: params.year.map(|y| y.to_string()).unwrap_or_default(),
        searched,
        total: 0,
        relaxed: false,
        hits: Vec::new(),
    };
    if searched {
        let results = state.search(params.to_query()).await?;
        page.total = results.total;
        page.relaxed = results.relaxed;
        page.hits = results
            .hits
            .into_iter()
            .map(|h| HitRow {
                directive_id: h.directive_id,
                kind: h.kind,
                number: h.number,
                issuer: h.issuer,
                issued_on: vn_date(h.issued_on),
                subject: h.subject,
                snippet: h.snippet,
            })
            .collect();
    }
    render(&page)
}
