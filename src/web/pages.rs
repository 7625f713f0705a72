//! Server-rendered pages in Vietnamese (askama templates, checked at compile time). Each role lands on
//! its own working screen: clerks on the overview and the registration form, agency staff on their
//! tasks by urgency, leaders on the search and the dashboard, admins on the users.

use actix_multipart::Multipart;
use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, ResponseError, web};
use askama::Template;
use chrono::NaiveDate;
use serde::Deserialize;

use super::AppState;
use super::auth::{self, MaybePrincipal, Permission, Principal};
use super::error::ApiError;
use crate::html::escape_html;
use crate::intake::{self, IncomingFile};
use crate::store::StoreError;
use crate::store::access;
use crate::store::directives::{self, DirectiveFilter, DirectiveSummary, DocumentView};
use crate::store::intake_jobs::{self, IntakeJobView};
use crate::store::settings;
use crate::store::tasks::{self, ReportView, TaskFilter, TaskPatch, TaskStatus, TaskView};
use crate::store::users::{self, NewUser, Role};
use crate::tracker::lifecycle::status_label;

/// A date as Vietnamese offices write it (dd/mm/yyyy), or a dash.
pub fn vn_date(date: Option<NaiveDate>) -> String {
    date.map(|d| d.format("%d/%m/%Y").to_string())
        .unwrap_or_else(|| "—".to_string())
}

/// Reads a date typed as dd/mm/yyyy (or d/m/yyyy) or sent by a date field (yyyy-mm-dd).
pub fn parse_vn_date(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(s, "%d/%m/%Y"))
        .ok()
}

/// The local (Vietnamese) day now.
fn today() -> NaiveDate {
    crate::tracker::local_day(crate::store::now())
}

/// The header of every page for a signed-in user: who they are and what they can reach.
struct Nav {
    user: String,
    role: &'static str,
    csrf: String,
    register: bool,
    dashboard: bool,
    admin: bool,
}

impl Nav {
    fn of(principal: &Principal) -> Nav {
        Nav {
            user: principal.user.display_name.clone(),
            role: principal.user.role.label(),
            csrf: principal.csrf().to_string(),
            register: principal.may(Permission::RegisterDirective),
            dashboard: principal.may(Permission::ViewDashboard),
            admin: principal.may(Permission::ManageUsers),
        }
    }
}

/// A failure shown as a page (in Vietnamese) rather than as JSON.
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub struct PageError(#[from] ApiError);

impl From<crate::store::StoreError> for PageError {
    fn from(e: crate::store::StoreError) -> Self {
        PageError(e.into())
    }
}

impl From<actix_web::error::BlockingError> for PageError {
    fn from(e: actix_web::error::BlockingError) -> Self {
        PageError(e.into())
    }
}

impl From<crate::intake::IntakeError> for PageError {
    fn from(e: crate::intake::IntakeError) -> Self {
        PageError(e.into())
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    nav: Option<Nav>,
    title: &'a str,
    message: &'a str,
}

impl ResponseError for PageError {
    fn status_code(&self) -> StatusCode {
        self.0.status_code()
    }

    fn error_response(&self) -> HttpResponse {
        let title = match self.0.status {
            403 => "Không có quyền",
            404 => "Không tìm thấy",
            413 => "Tệp quá lớn",
            429 => "Quá nhiều yêu cầu",
            s if s >= 500 => "Lỗi hệ thống",
            _ => "Không thực hiện được",
        };
        let page = ErrorPage {
            nav: None,
            title,
            message: &self.0.message,
        };
        match page.render() {
            Ok(html) => HttpResponse::build(self.status_code())
                .content_type("text/html; charset=utf-8")
                .body(html),
            Err(_) => self.0.error_response(),
        }
    }
}

type PageResult = Result<HttpResponse, PageError>;

fn render(page: &impl Template) -> PageResult {
    render_with(StatusCode::OK, page)
}

fn render_with(status: StatusCode, page: &impl Template) -> PageResult {
    let html = page.render().map_err(|e| {
        tracing::error!(error = %e, "template failed");
        ApiError::internal()
    })?;
    Ok(HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .body(html))
}

fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location.to_string()))
        .finish()
}

// ----- Sign-in -----

#[derive(Template)]
#[template(path = "login.html")]
struct SignInPage {
    nav: Option<Nav>,
    next: String,
    username: String,
    error: Option<String>,
}

/// Where the sign-in form returns to.
#[derive(Debug, Deserialize)]
pub struct NextParam {
    /// A local path.
    pub next: Option<String>,
}

/// The sign-in form.
pub async fn sign_in_form(current: MaybePrincipal, params: web::Query<NextParam>) -> PageResult {
    let next = auth::safe_next(params.next.as_deref());
    if current.0.is_some() {
        return Ok(see_other(&next));
    }
    render(&SignInPage {
        nav: None,
        next,
        username: String::new(),
        error: None,
    })
}

/// The sign-in form as sent.
#[derive(Debug, Deserialize)]
pub struct SignInForm {
    /// Sign-in name.
    pub username: String,
    /// Password.
    pub password: String,
    /// Where to go afterwards.
    pub next: Option<String>,
}

/// Checks a password and opens a new session. The session secret is always new, so a session id
/// planted in the browser before signing in is never used (no session fixation).
pub async fn sign_in(
    state: web::Data<AppState>,
    request: HttpRequest,
    form: web::Form<SignInForm>,
) -> PageResult {
    let SignInForm {
        username,
        password,
        next,
    } = form.into_inner();
    let username = username.trim().to_lowercase();
    let next = auth::safe_next(next.as_deref());
    let client = request.peer_addr().map(|a| a.ip());
    let throttle = state.sign_in_throttle.clone();
    let now = std::time::Instant::now();
    let refuse = |status: StatusCode, message: &str, username: String, next: String| {
        render_with(
            status,
            &SignInPage {
                nav: None,
                next,
                username,
                error: Some(message.to_string()),
            },
        )
    };
    if !throttle.allowed(&username, client, now) {
        return refuse(
            StatusCode::TOO_MANY_REQUESTS,
            &ApiError::sign_in_throttled().message,
            username,
            next,
        );
    }
    let store = state.store.clone();
    let name = username.clone();
    let session = web::block(move || -> Result<Option<(String, String)>, ApiError> {
        let found = store.read(|c| users::for_sign_in(c, &name))?;
        let hash = found.as_ref().and_then(|(_, h)| h.clone());
        let verified = auth::verify_password(hash.as_deref(), &password);
        let Some((user, _)) = found.filter(|(u, _)| verified && !u.disabled) else {
            return Ok(None);
        };
        let random = |_| ApiError::internal();
        let secret = auth::new_secret().map_err(random)?;
        let csrf = auth::new_secret().map_err(random)?;
        let expires = crate::store::now() + auth::SESSION_LENGTH;
        store.write(|c| {
            users::start_session(c, user.id, &auth::secret_hash(&secret), &csrf, expires)?;
            crate::store::audit::record(
                c,
                &user.username,
                "user.sign_in",
                "user",
                Some(user.id),
                serde_json::json!({}),
            )
        })?;
        Ok(Some((secret, user.username)))
    })
    .await??;
    match session {
        Some((secret, username)) => {
            throttle.succeeded(&username);
            let secure = state.config.public_url.starts_with("https://");
            Ok(HttpResponse::SeeOther()
                .cookie(auth::session_cookie(secret, secure))
                .insert_header((header::LOCATION, next))
                .finish())
        }
        None => {
            throttle.failed(&username, client, now);
            refuse(
                StatusCode::UNAUTHORIZED,
                "Tên đăng nhập hoặc mật khẩu không đúng.",
                username,
                next,
            )
        }
    }
}

/// A form that only carries the CSRF token.
#[derive(Debug, Deserialize)]
pub struct CsrfForm {
    /// The session's CSRF token.
    pub csrf: String,
}

/// Ends the session.
pub async fn sign_out(
    state: web::Data<AppState>,
    request: HttpRequest,
    principal: Principal,
    form: web::Form<CsrfForm>,
) -> PageResult {
    principal.check_csrf(&form.csrf)?;
    if let Some(cookie) = request.cookie(auth::SESSION_COOKIE) {
        let hash = auth::secret_hash(cookie.value());
        let store = state.store.clone();
        web::block(move || store.write(|c| users::end_session(c, &hash))).await??;
    }
    let secure = state.config.public_url.starts_with("https://");
    Ok(HttpResponse::SeeOther()
        .cookie(auth::expired_session_cookie(secure))
        .insert_header((header::LOCATION, "/login"))
        .finish())
}

// ----- Lists of directives and tasks -----

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
    id: i64,
    directive_id: i64,
    lead: String,
    support: String,
    text: String,
    deadline: String,
    deadline_value: String,
    deadline_text: String,
    overdue: bool,
    status: &'static str,
    status_id: &'static str,
}

impl TaskRow {
    fn new(t: TaskView, today: NaiveDate) -> Self {
        TaskRow {
            id: t.id,
            directive_id: t.directive_id,
            lead: t.lead.join("; "),
            support: t.support.join("; "),
            overdue: is_overdue(&t, today),
            deadline: vn_date(t.deadline),
            deadline_value: t.deadline.map(|d| d.to_string()).unwrap_or_default(),
            deadline_text: t.deadline_text.unwrap_or_default(),
            text: t.text,
            status: status_label(t.status),
            status_id: t.status.as_str(),
        }
    }
}

fn is_overdue(t: &TaskView, today: NaiveDate) -> bool {
    !t.status.is_closed()
        && t.status != TaskStatus::Reported
        && t.deadline.is_some_and(|d| d < today)
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    nav: Option<Nav>,
    directives: Vec<DirectiveRow>,
    tasks: Vec<TaskRow>,
}

/// The landing page: agency staff go to their tasks, leaders to the dashboard; clerks and admins see
/// recent directives and open tasks by deadline.
pub async fn home(state: web::Data<AppState>, principal: Principal) -> PageResult {
    match principal.user.role {
        Role::Agency => return Ok(see_other("/tasks")),
        Role::Leader => return Ok(see_other("/dashboard")),
        Role::Clerk | Role::Admin => {}
    }
    let store = state.store.clone();
    let scope = principal.scope();
    let (directives, tasks) = web::block(move || {
        store.read(|c| {
            let d = directives::list(c, &DirectiveFilter::default(), scope)?;
            let t = tasks::list(c, &TaskFilter::default(), scope)?;
            Ok((d, t))
        })
    })
    .await??;
    let today = today();
    render(&HomePage {
        nav: Some(Nav::of(&principal)),
        directives: directives.into_iter().map(DirectiveRow::from).collect(),
        tasks: tasks
            .into_iter()
            .filter(|t| !t.status.is_closed())
            .map(|t| TaskRow::new(t, today))
            .collect(),
    })
}

struct UrgencyGroup {
    title: &'static str,
    tasks: Vec<TaskRow>,
}

#[derive(Template)]
#[template(path = "tasks.html")]
struct TasksPage {
    nav: Option<Nav>,
    agency: String,
    groups: Vec<UrgencyGroup>,
}

/// The tasks in the user's scope by urgency: overdue, due within seven days, later or without a
/// deadline, awaiting acceptance, and done.
pub async fn task_list(state: web::Data<AppState>, principal: Principal) -> PageResult {
    let store = state.store.clone();
    let scope = principal.scope();
    let all = web::block(move || {
        store.read(|c| {
            let mut all = Vec::new();
            let mut offset = 0;
            loop {
                let filter = TaskFilter {
                    limit: Some(1000),
                    offset: Some(offset),
                    ..TaskFilter::default()
                };
                let page = tasks::list(c, &filter, scope)?;
                let n = page.len() as i64;
                all.extend(page);
                if n < 1000 || all.len() >= 10_000 {
                    return Ok(all);
                }
                offset += n;
            }
        })
    })
    .await??;
    let today = today();
    let week = today + chrono::TimeDelta::days(7);
    let mut groups = [
        ("Quá hạn", Vec::new()),
        ("Đến hạn trong 7 ngày", Vec::new()),
        ("Còn hạn hoặc không có thời hạn", Vec::new()),
        ("Đã báo cáo, chờ tiếp nhận", Vec::new()),
        ("Đã hoàn thành", Vec::new()),
    ];
    for t in all {
        let slot = if t.status.is_closed() {
            4
        } else if t.status == TaskStatus::Reported {
            3
        } else if is_overdue(&t, today) {
            0
        } else if t.deadline.is_some_and(|d| d <= week) {
            1
        } else {
            2
        };
        if t.status == TaskStatus::Cancelled {
            continue;
        }
        groups[slot].1.push(TaskRow::new(t, today));
    }
    render(&TasksPage {
        nav: Some(Nav::of(&principal)),
        agency: principal.user.agency.clone().unwrap_or_default(),
        groups: groups
            .into_iter()
            .map(|(title, tasks)| UrgencyGroup { title, tasks })
            .collect(),
    })
}

// ----- One task -----

struct ReportRow {
    at: String,
    text: String,
    /// The clerk's decision and reason, if any.
    decision: String,
    attachments: Vec<(i64, i64, String)>,
}

impl From<ReportView> for ReportRow {
    fn from(r: ReportView) -> Self {
        let decision = match r.decision {
            Some(crate::store::reports::Decision::Accepted) => "Đã tiếp nhận".to_string(),
            Some(crate::store::reports::Decision::Returned) => {
                format!("Trả lại: {}", r.reason.as_deref().unwrap_or_default())
            }
            None => String::new(),
        };
        ReportRow {
            at: crate::tracker::local_day(r.created_at)
                .format("%d/%m/%Y")
                .to_string(),
            text: r.text,
            decision,
            attachments: r
                .attachments
                .into_iter()
                .map(|a| (r.id, a.id, a.file_name))
                .collect(),
        }
    }
}

struct ExtensionRow {
    id: i64,
    asked: String,
    new_deadline: String,
    reason: String,
    status: &'static str,
    note: String,
    pending: bool,
}

impl From<crate::store::extensions::ExtensionView> for ExtensionRow {
    fn from(e: crate::store::extensions::ExtensionView) -> Self {
        use crate::store::extensions::ExtensionStatus;
        ExtensionRow {
            id: e.id,
            asked: vn_date(Some(crate::tracker::local_day(e.requested_at))),
            new_deadline: vn_date(Some(e.new_deadline)),
            reason: e.reason,
            status: match e.status {
                ExtensionStatus::Pending => "Chờ lãnh đạo quyết định",
                ExtensionStatus::Approved => "Đã đồng ý",
                ExtensionStatus::Refused => "Không đồng ý",
            },
            note: e.note.unwrap_or_default(),
            pending: e.status == ExtensionStatus::Pending,
        }
    }
}

#[derive(Template)]
#[template(path = "task.html")]
struct TaskPage {
    nav: Option<Nav>,
    csrf: String,
    task: TaskRow,
    document_title: String,
    /// Escaped, with the task's own words in `<mark>`.
    passage: String,
    reports: Vec<ReportRow>,
    extensions: Vec<ExtensionRow>,
    can_report: bool,
    /// The report awaiting the clerk's decision, when this user decides.
    undecided_report: Option<i64>,
    can_ask_extension: bool,
    can_decide_extension: bool,
    closed: bool,
    notice: Option<&'static str>,
}

/// What a page was reached after.
#[derive(Debug, Default, Deserialize)]
pub struct Notice {
    /// `reported`, `saved` or `registered`.
    pub done: Option<String>,
}

/// One task: what, who, by when, the passage it was read from, its reports, and the report form.
pub async fn task(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<i64>,
    notice: web::Query<Notice>,
) -> PageResult {
    let store = state.store.clone();
    let (id, scope) = (id.into_inner(), principal.scope());
    let (task, document, reports, extensions) = web::block(move || {
        store.read(|c| {
            let task = access::task(c, scope, id)?;
            let directive = directives::get(c, task.directive_id)?;
            let document = directive
                .documents
                .into_iter()
                .find(|d| d.id == task.document_id);
            let reports = tasks::reports_of(c, id)?;
            let extensions = crate::store::extensions::of_task(c, id)?;
            Ok((task, document, reports, extensions))
        })
    })
    .await??;
    let undecided_report = reports
        .last()
        .filter(|r| r.decision.is_none() && task.status == TaskStatus::Reported)
        .map(|r| r.id)
        .filter(|_| principal.may(Permission::DecideReport));
    let pending_extension = extensions
        .iter()
        .any(|e| e.status == crate::store::extensions::ExtensionStatus::Pending);
    let (document_title, passage) = match &document {
        Some(d) => (document_title(d), source_passage(&d.text, &task.text)),
        None => (String::new(), escape_html(&task.text)),
    };
    let closed = task.status.is_closed();
    render(&TaskPage {
        nav: Some(Nav::of(&principal)),
        csrf: principal.csrf().to_string(),
        can_report: principal.may(Permission::FileReport)
            && !closed
            && task.status != TaskStatus::Reported,
        undecided_report,
        can_ask_extension: principal.may(Permission::RequestExtension)
            && !closed
            && !pending_extension,
        can_decide_extension: principal.may(Permission::DecideExtension),
        extensions: extensions.into_iter().map(ExtensionRow::from).collect(),
        closed,
        task: TaskRow::new(task, today()),
        document_title,
        passage,
        reports: reports.into_iter().map(ReportRow::from).collect(),
        notice: match notice.done.as_deref() {
            Some("reported") => Some("Đã gửi báo cáo tiến độ."),
            Some("saved") => Some("Đã lưu thay đổi."),
            Some("accepted") => Some("Đã tiếp nhận báo cáo; nhiệm vụ hoàn thành."),
            Some("returned") => Some("Đã trả lại báo cáo cho đơn vị."),
            Some("extension") => Some("Đã gửi đề nghị gia hạn."),
            Some("extension_decided") => Some("Đã quyết định về đề nghị gia hạn."),
            _ => None,
        },
    })
}

/// A decision typed on the task page: on a report (`accept`/`return`) or an extension
/// (`approve`/`refuse`).
#[derive(Debug, Deserialize)]
pub struct DecisionForm {
    /// The session's CSRF token.
    pub csrf: String,
    /// What was decided.
    pub decision: String,
    /// Why (required to return or refuse).
    #[serde(default)]
    pub reason: String,
}

/// A clerk accepts or returns the report awaiting a decision.
pub async fn decide_report(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<(i64, i64)>,
    form: web::Form<DecisionForm>,
) -> PageResult {
    principal.check_csrf(&form.csrf)?;
    let (task_id, report_id) = path.into_inner();
    let form = form.into_inner();
    let (decision, done) = match form.decision.as_str() {
        "accept" => (crate::store::reports::Decision::Accepted, "accepted"),
        "return" => (crate::store::reports::Decision::Returned, "returned"),
        _ => return Err(ApiError::bad_request("invalid_form", "Quyết định không hợp lệ.").into()),
    };
    super::lifecycle::decide_report_as(
        &state,
        principal,
        report_id,
        Some(task_id),
        decision,
        Some(form.reason),
    )
    .await?;
    Ok(see_other(&format!("/tasks/{task_id}?done={done}")))
}

/// An extension request typed on the task page.
#[derive(Debug, Deserialize)]
pub struct ExtensionForm {
    /// The session's CSRF token.
    pub csrf: String,
    /// The deadline asked for.
    pub new_deadline: String,
    /// Why.
    pub reason: String,
}

/// Agency staff ask for a later deadline.
pub async fn ask_extension(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<i64>,
    form: web::Form<ExtensionForm>,
) -> PageResult {
    principal.check_csrf(&form.csrf)?;
    let form = form.into_inner();
    let new_deadline = parse_vn_date(&form.new_deadline).ok_or_else(|| {
        ApiError::bad_request(
            "invalid_date",
            "Thời hạn đề nghị không đúng dạng ngày/tháng/năm.",
        )
    })?;
    let id = id.into_inner();
    super::lifecycle::request_extension_as(&state, principal, id, new_deadline, form.reason)
        .await?;
    Ok(see_other(&format!("/tasks/{id}?done=extension")))
}

/// A leader approves or refuses an extension request.
pub async fn decide_extension(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<(i64, i64)>,
    form: web::Form<DecisionForm>,
) -> PageResult {
    principal.check_csrf(&form.csrf)?;
    let (task_id, extension_id) = path.into_inner();
    let form = form.into_inner();
    let approve = match form.decision.as_str() {
        "approve" => true,
        "refuse" => false,
        _ => return Err(ApiError::bad_request("invalid_form", "Quyết định không hợp lệ.").into()),
    };
    super::lifecycle::decide_extension_as(
        &state,
        principal,
        extension_id,
        Some(task_id),
        approve,
        Some(form.reason),
    )
    .await?;
    Ok(see_other(&format!(
        "/tasks/{task_id}?done=extension_decided"
    )))
}

fn document_title(d: &DocumentView) -> String {
    [d.kind.as_deref(), d.number.as_deref(), d.issuer.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" · ")
}

/// The part of a document's text a task was read from, escaped, with the task's words marked.
fn source_passage(document: &str, task: &str) -> String {
    const AROUND: usize = 300;
    let probe: String = task.chars().take(60).collect();
    let Some(start) = document.find(probe.trim()) else {
        return escape_html(task);
    };
    let end = document
        .get(start..)
        .and_then(|rest| rest.find(task).map(|_| start + task.len()))
        .unwrap_or(start + probe.trim().len())
        .min(document.len());
    let mut from = start.saturating_sub(AROUND);
    while !document.is_char_boundary(from) {
        from -= 1;
    }
    let mut to = (end + AROUND).min(document.len());
    while !document.is_char_boundary(to) {
        to += 1;
    }
    format!(
        "{}{}<mark>{}</mark>{}{}",
        if from > 0 { "…" } else { "" },
        escape_html(document.get(from..start).unwrap_or("")),
        escape_html(document.get(start..end).unwrap_or("")),
        escape_html(document.get(end..to).unwrap_or("")),
        if to < document.len() { "…" } else { "" },
    )
}

/// Files a progress report from the task page: its text and any attached files.
pub async fn file_report(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<i64>,
    form: Multipart,
) -> PageResult {
    principal.require(Permission::FileReport)?;
    let limit = state.config.limits.max_upload_bytes;
    let mut csrf = String::new();
    let mut text = String::new();
    let mut attachments = Vec::new();
    for (name, part) in super::api::read_form_parts(form, limit).await? {
        match name.as_str() {
            "csrf" => csrf = String::from_utf8_lossy(&part.content).into_owned(),
            "text" => text = String::from_utf8_lossy(&part.content).into_owned(),
            "attachment" if !part.content.is_empty() => {
                attachments.push(crate::store::reports::NewAttachment {
                    file_name: part
                        .file_name
                        .filter(|n| !n.is_empty())
                        .unwrap_or_else(|| format!("tep-{}", attachments.len() + 1)),
                    content_type: "application/octet-stream".into(),
                    content: part.content,
                })
            }
            _ => {}
        }
    }
    principal.check_csrf(&csrf)?;
    let id = id.into_inner();
    super::lifecycle::file_report_as(&state, principal, id, text, attachments).await?;
    Ok(see_other(&format!("/tasks/{id}?done=reported")))
}

/// A clerk's correction of a task.
#[derive(Debug, Deserialize)]
pub struct TaskEditForm {
    /// The session's CSRF token.
    pub csrf: String,
    /// What is to be done.
    pub text: String,
    /// Lead agencies, separated by `;` or new lines.
    pub lead: String,
    /// Cooperating agencies, likewise.
    pub support: String,
    /// Deadline as dd/mm/yyyy or yyyy-mm-dd; empty for none.
    pub deadline: String,
    /// Status identifier.
    pub status: String,
}

fn agency_list(s: &str) -> Vec<String> {
    s.split([';', '\n'])
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_string)
        .collect()
}

/// Saves a clerk's corrections to a task, then returns to its directive.
pub async fn edit_task(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<i64>,
    form: web::Form<TaskEditForm>,
) -> PageResult {
    principal.check_csrf(&form.csrf)?;
    principal.require(Permission::EditTask)?;
    let form = form.into_inner();
    let deadline = match form.deadline.trim() {
        "" => None,
        typed => Some(parse_vn_date(typed).ok_or_else(|| {
            ApiError::bad_request(
                "invalid_date",
                format!("Thời hạn \"{typed}\" không đúng dạng ngày/tháng/năm."),
            )
        })?),
    };
    let status = TaskStatus::parse(&form.status).ok_or_else(|| {
        ApiError::bad_request("invalid_status", "Trạng thái nhiệm vụ không hợp lệ.")
    })?;
    if form.text.trim().is_empty() {
        return Err(
            ApiError::bad_request("empty_text", "Nội dung nhiệm vụ không được để trống.").into(),
        );
    }
    let patch = TaskPatch {
        status: Some(status),
        deadline: Some(deadline),
        text: Some(form.text.trim().to_string()),
        lead: Some(agency_list(&form.lead)),
        support: Some(agency_list(&form.support)),
    };
    let id = id.into_inner();
    let store = state.store.clone();
    let task = web::block(move || store.write(|c| tasks::update(c, id, &patch, principal.actor())))
        .await??;
    Ok(see_other(&format!(
        "/directives/{}?done=saved#task-{id}",
        task.directive_id
    )))
}

// ----- Directives -----

struct DocumentSection {
    kind: String,
    number: String,
    issuer: String,
    place: String,
    issued_on: String,
    subject: String,
    signer: String,
    tasks: Vec<TaskRow>,
    /// The document's text, escaped, with the passages its fields and tasks were read from marked.
    source: String,
}

impl DocumentSection {
    fn new(d: DocumentView, today: NaiveDate) -> Self {
        let source = marked_source(&d);
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
            source,
        }
    }
}

/// A passage of a document's text to mark on the review page.
struct SourceMark {
    start: usize,
    end: usize,
    /// `id` of the `<mark>` (the fields and task forms link to it).
    anchor: String,
    /// Shown before the passage and as its title.
    label: String,
    /// CSS class: `field` or `task`.
    class: &'static str,
}

/// The document's text, escaped, with the passage of each task (its recorded source range) and the
/// first occurrence of each header field marked, so the clerk can check every value against the
/// words it was read from. Overlapping passages keep the earlier one.
fn marked_source(d: &DocumentView) -> String {
    let text = d.text.as_str();
    let mut marks: Vec<SourceMark> = Vec::new();
    let fields = [
        ("number", "Số, ký hiệu", d.number.as_deref()),
        ("issuer", "Cơ quan ban hành", d.issuer.as_deref()),
        ("place", "Địa danh", d.place.as_deref()),
        ("subject", "Trích yếu", d.subject.as_deref()),
        ("signer", "Người ký", d.signer.as_deref()),
    ];
    for (key, label, value) in fields {
        let Some(value) = value.map(str::trim).filter(|v| !v.is_empty()) else {
            continue;
        };
        if let Some(start) = text.find(value) {
            marks.push(SourceMark {
                start,
                end: start + value.len(),
                anchor: format!("src-{}-{key}", d.id),
                label: label.to_string(),
                class: "field",
            });
        }
    }
    for (i, t) in d.tasks.iter().enumerate() {
        if let Some([start, end]) = t.source
            && text.get(start..end).is_some()
        {
            marks.push(SourceMark {
                start,
                end,
                anchor: format!("src-task-{}", t.id),
                label: format!("Nhiệm vụ {}", i + 1),
                class: "task",
            });
        }
    }
    marks.sort_by_key(|m| (m.start, std::cmp::Reverse(m.end)));
    let mut out = String::with_capacity(text.len() + marks.len() * 80);
    let mut at = 0;
    for m in marks {
        if m.start < at || m.start == m.end {
            continue;
        }
        out.push_str(&escape_html(&text[at..m.start]));
        out.push_str(&format!(
            "<mark id=\"{}\" class=\"{}\" title=\"{}\"><span class=\"mark-label\">{}</span>{}</mark>",
            m.anchor,
            m.class,
            escape_html(&m.label),
            escape_html(&m.label),
            escape_html(&text[m.start..m.end])
        ));
        at = m.end;
    }
    out.push_str(&escape_html(&text[at..]));
    out
}

/// A line the text repair changed.
struct RepairedLine {
    number: usize,
    before: String,
    after: String,
}

#[derive(Template)]
#[template(path = "directive.html")]
struct DirectivePage {
    nav: Option<Nav>,
    csrf: String,
    id: i64,
    documents: Vec<DocumentSection>,
    can_edit: bool,
    can_download: bool,
    statuses: Vec<(&'static str, &'static str)>,
    repaired: Vec<RepairedLine>,
    repaired_more: usize,
    notice: Option<&'static str>,
    /// Tasks await confirmation and the reader may confirm them.
    can_confirm: bool,
    awaiting_confirmation: bool,
}

/// The lines the repair changed (at most `limit`), and how many more there are.
fn repaired_lines(original: &str, repaired: &str, limit: usize) -> (Vec<RepairedLine>, usize) {
    let mut out = Vec::new();
    let mut more = 0;
    for (i, (before, after)) in original.lines().zip(repaired.lines()).enumerate() {
        if before != after {
            if out.len() < limit {
                out.push(RepairedLine {
                    number: i + 1,
                    before: before.to_string(),
                    after: after.to_string(),
                });
            } else {
                more += 1;
            }
        }
    }
    (out, more)
}

/// One directive: each document's header, its tasks (editable by clerks), its text, and what the
/// text repair changed.
pub async fn directive(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<i64>,
    notice: web::Query<Notice>,
) -> PageResult {
    let store = state.store.clone();
    let (id, scope) = (id.into_inner(), principal.scope());
    let view = web::block(move || store.read(|c| access::directive(c, scope, id))).await??;
    let today = today();
    let (repaired, repaired_more) = repaired_lines(&view.original_text, &view.repaired_text, 200);
    let awaiting_confirmation = view.awaiting_confirmation;
    render(&DirectivePage {
        nav: Some(Nav::of(&principal)),
        csrf: principal.csrf().to_string(),
        id: view.id,
        documents: view
            .documents
            .into_iter()
            .map(|d| DocumentSection::new(d, today))
            .collect(),
        can_edit: principal.may(Permission::EditTask),
        can_download: principal.may(Permission::DownloadOriginal),
        statuses: TaskStatus::ALL
            .into_iter()
            .map(|s| (s.as_str(), status_label(s)))
            .collect(),
        repaired,
        repaired_more,
        notice: match notice.done.as_deref() {
            Some("registered") => Some(
                "Đã đăng ký văn bản. Hãy soát lại các trường và nhiệm vụ đã đọc được (đối chiếu với phần đánh dấu trong toàn văn), sửa nếu cần, rồi xác nhận để giao nhiệm vụ.",
            ),
            Some("saved") => Some("Đã lưu thay đổi."),
            Some("confirmed") => {
                Some("Đã xác nhận: các nhiệm vụ đã được giao cho cơ quan chủ trì và phối hợp.")
            }
            _ => None,
        },
        can_confirm: awaiting_confirmation && principal.may(Permission::RegisterDirective),
        awaiting_confirmation,
    })
}

/// Confirms a directive from its review page: its draft tasks are given to their agencies.
pub async fn confirm_directive(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<i64>,
    form: web::Form<CsrfForm>,
) -> PageResult {
    principal.require(Permission::RegisterDirective)?;
    principal.check_csrf(&form.csrf)?;
    let store = state.store.clone();
    let id = id.into_inner();
    web::block(move || store.write(|c| directives::confirm(c, id, principal.actor()))).await??;
    Ok(see_other(&format!("/directives/{id}?done=confirmed")))
}

#[derive(Template)]
#[template(path = "register.html")]
struct RegisterPage {
    nav: Option<Nav>,
    csrf: String,
    max_mb: usize,
    jobs: Vec<JobRow>,
}

/// A file handed to the background reader, as listed on the register form.
struct JobRow {
    id: i64,
    file_name: String,
    sent: String,
    state: String,
}

/// A moment stored in UTC, in Vietnamese local time ("14:05 02/12/2026").
fn vn_time(utc: chrono::NaiveDateTime) -> String {
    utc.checked_add_signed(crate::tracker::LOCAL_OFFSET)
        .unwrap_or(utc)
        .format("%H:%M %d/%m/%Y")
        .to_string()
}

/// The stage of a background reading, in words.
fn stage_label(job: &IntakeJobView) -> &'static str {
    match job.stage.as_str() {
        "queued" => "Đang chờ đọc",
        "reading" if job.pages_total > 0 => "Đang nhận dạng ký tự (OCR)",
        "reading" => "Đang đọc tệp",
        "repairing" => "Đang sửa lỗi chữ",
        "extracting" => "Đang tách nhiệm vụ",
        "storing" => "Đang lưu",
        "done" => "Đã đăng ký",
        _ => "Không đọc được",
    }
}

/// Where a background reading stands, in words.
fn job_state(job: &IntakeJobView) -> String {
    let stage = stage_label(job);
    match &job.error {
        Some(failure) => format!("{stage}: {}", failure.message),
        None if job.stage == "reading" && job.pages_total > 0 => format!(
            "{stage}: đã đọc {}/{} trang",
            job.pages_done, job.pages_total
        ),
        None => stage.to_string(),
    }
}

/// The form a clerk registers a directive with: paste its text or upload its file; below it, the
/// files still being read in the background, or whose reading failed.
pub async fn register_form(state: web::Data<AppState>, principal: Principal) -> PageResult {
    principal.require(Permission::RegisterDirective)?;
    let store = state.store.clone();
    let jobs = web::block(move || store.read(|c| intake_jobs::unfinished(c, 20))).await??;
    render(&RegisterPage {
        nav: Some(Nav::of(&principal)),
        csrf: principal.csrf().to_string(),
        max_mb: state.config.limits.max_upload_bytes.div_ceil(1024 * 1024),
        jobs: jobs
            .iter()
            .map(|job| JobRow {
                id: job.id,
                file_name: job
                    .file_name
                    .clone()
                    .unwrap_or_else(|| "(không tên)".into()),
                sent: vn_time(job.created_at),
                state: job_state(job),
            })
            .collect(),
    })
}

/// Registers a directive from the form (a file, or else the pasted text), then shows it for review.
/// A scan or PDF, whose OCR may take minutes, goes to the background reader, and the page that
/// follows its progress is shown instead.
pub async fn register(
    state: web::Data<AppState>,
    principal: Principal,
    form: Multipart,
) -> PageResult {
    principal.require(Permission::RegisterDirective)?;
    let limit = state.config.limits.max_upload_bytes;
    let mut parts = super::api::read_form(form, limit).await?;
    let csrf = parts
        .remove("csrf")
        .map(|p| String::from_utf8_lossy(&p.content).into_owned())
        .unwrap_or_default();
    principal.check_csrf(&csrf)?;
    let file = match parts.remove("file") {
        Some(part) if !part.content.is_empty() => IncomingFile {
            file_name: part.file_name.filter(|n| !n.is_empty()),
            content: part.content,
        },
        _ => IncomingFile {
            file_name: None,
            content: parts.remove("text").map(|p| p.content).unwrap_or_default(),
        },
    };
    let confirm_duplicate = super::api::form_flag(parts.get("confirm_duplicate"));
    if crate::parse::may_need_ocr(&file.content) {
        let job =
            super::intake::submit_file(&state, &principal, file, confirm_duplicate, true).await?;
        return Ok(see_other(&format!("/intake/{}", job.id)));
    }
    let store = state.store.clone();
    let config = state.config.clone();
    let user_id = principal.user.id;
    let view = web::block(move || {
        let registration = intake::Registration {
            confirm_duplicate,
            draft: true,
            ..intake::Registration::in_office(&config.office.name)
        };
        intake::register(
            &store,
            &file,
            &config.limits,
            &registration,
            principal.actor(),
            Some(user_id),
        )
    })
    .await??;
    Ok(see_other(&format!(
        "/directives/{}?done=registered",
        view.id
    )))
}

#[derive(Template)]
#[template(path = "intake.html")]
struct IntakePage {
    nav: Option<Nav>,
    csrf: String,
    id: i64,
    file_name: String,
    waiting: bool,
    stage: String,
    pages_done: i32,
    pages_total: i32,
    attempts: i32,
    error: String,
    duplicate: bool,
}

/// Where the reading of a handed-over file stands; refreshes itself until it is done, then opens
/// the directive for review.
pub async fn intake_job(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<i64>,
) -> PageResult {
    let job = super::intake::job_of(&state, &principal, id.into_inner()).await?;
    if let Some(directive_id) = job.directive_id {
        return Ok(see_other(&format!(
            "/directives/{directive_id}?done=registered"
        )));
    }
    let waiting = job.error.is_none();
    render(&IntakePage {
        nav: Some(Nav::of(&principal)),
        csrf: principal.csrf().to_string(),
        id: job.id,
        file_name: job.file_name.clone().unwrap_or_default(),
        waiting,
        stage: stage_label(&job).to_string(),
        pages_done: job.pages_done,
        pages_total: job.pages_total,
        attempts: job.attempts,
        error: job
            .error
            .as_ref()
            .map(|f| f.message.clone())
            .unwrap_or_default(),
        duplicate: job
            .error
            .as_ref()
            .is_some_and(|f| f.code == "duplicate_directive"),
    })
}

/// The form that sends a failed reading back to the reader.
#[derive(Deserialize)]
pub struct RetryForm {
    csrf: String,
    /// `on` to register it even if it duplicates a registered document.
    confirm_duplicate: Option<String>,
}

/// Sends a failed reading back to the reader (confirming a duplicate when the form says so).
pub async fn retry_intake_job(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<i64>,
    form: web::Form<RetryForm>,
) -> PageResult {
    principal.check_csrf(&form.csrf)?;
    let confirm_duplicate = form.confirm_duplicate.as_deref() == Some("on");
    let job =
        super::intake::retry_job(&state, &principal, id.into_inner(), confirm_duplicate).await?;
    Ok(see_other(&format!("/intake/{}", job.id)))
}

// ----- Search -----

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
    nav: Option<Nav>,
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
    principal: Principal,
    params: web::Query<super::api::SearchParams>,
) -> PageResult {
    let params = params.into_inner();
    let searched = params.q.as_deref().is_some_and(|q| !q.trim().is_empty())
        || params.kind.as_deref().is_some_and(|k| !k.trim().is_empty())
        || params.year.is_some();
    let mut page = SearchPage {
        nav: Some(Nav::of(&principal)),
        q: params.q.clone().unwrap_or_default(),
        kind: params.kind.clone().unwrap_or_default(),
        year: params.year.map(|y| y.to_string()).unwrap_or_default(),
        searched,
        total: 0,
        relaxed: false,
        hits: Vec::new(),
    };
    if searched {
        let results = state.search(&principal, params.to_query()).await?;
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

// ----- Users (admins) -----

struct UserRow {
    username: String,
    display_name: String,
    role: &'static str,
    agency: String,
    disabled: bool,
    created_on: String,
}

#[derive(Template)]
#[template(path = "users.html")]
struct UsersPage {
    nav: Option<Nav>,
    csrf: String,
    users: Vec<UserRow>,
    roles: Vec<(&'static str, &'static str)>,
    error: Option<String>,
}

async fn users_page(state: &AppState, principal: &Principal, error: Option<String>) -> PageResult {
    let store = state.store.clone();
    let list = web::block(move || store.read(users::list)).await??;
    let page = UsersPage {
        nav: Some(Nav::of(principal)),
        csrf: principal.csrf().to_string(),
        users: list
            .into_iter()
            .map(|u| UserRow {
                created_on: vn_date(Some(crate::tracker::local_day(u.created_at))),
                username: u.username,
                display_name: u.display_name,
                role: u.role.label(),
                agency: u.agency.unwrap_or_default(),
                disabled: u.disabled,
            })
            .collect(),
        roles: Role::ALL
            .into_iter()
            .map(|r| (r.as_str(), r.label()))
            .collect(),
        error,
    };
    let status = if page.error.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    render_with(status, &page)
}

/// The users, with a form to add one (admins only).
pub async fn user_list(state: web::Data<AppState>, principal: Principal) -> PageResult {
    principal.require(Permission::ManageUsers)?;
    users_page(&state, &principal, None).await
}

/// A user to add, as typed.
#[derive(Debug, Deserialize)]
pub struct NewUserForm {
    /// The session's CSRF token.
    pub csrf: String,
    /// Sign-in name.
    pub username: String,
    /// Name shown on pages.
    pub display_name: String,
    /// Role identifier.
    pub role: String,
    /// Agency name (agency staff only).
    pub agency: String,
    /// Initial password.
    pub password: String,
}

/// Adds a user from the form; mistakes are shown above the form.
pub async fn add_user(
    state: web::Data<AppState>,
    principal: Principal,
    form: web::Form<NewUserForm>,
) -> PageResult {
    principal.check_csrf(&form.csrf)?;
    principal.require(Permission::ManageUsers)?;
    let form = form.into_inner();
    let Some(role) = Role::parse(&form.role) else {
        return users_page(&state, &principal, Some("Vai trò không hợp lệ.".into())).await;
    };
    if let Err(e) = super::accounts::check_password(&form.password) {
        return users_page(&state, &principal, Some(e.message)).await;
    }
    let store = state.store.clone();
    let actor = principal.actor().to_string();
    let added = web::block(move || -> Result<(), ApiError> {
        let hash = auth::hash_password(&form.password).map_err(|_| ApiError::internal())?;
        let agency = form.agency.trim();
        let new = NewUser {
            username: form.username.trim(),
            display_name: &form.display_name,
            role,
            agency: (!agency.is_empty()).then_some(agency),
            password_hash: Some(hash),
        };
        store.write(|c| users::add(c, &new, &actor))?;
        Ok(())
    })
    .await?;
    match added {
        Ok(()) => Ok(see_other("/admin/users")),
        Err(e) if e.status < 500 => users_page(&state, &principal, Some(e.message)).await,
        Err(e) => Err(e.into()),
    }
}

/// Disables a user from the list (admins only).
pub async fn disable_user(
    state: web::Data<AppState>,
    principal: Principal,
    username: web::Path<String>,
    form: web::Form<CsrfForm>,
) -> PageResult {
    principal.check_csrf(&form.csrf)?;
    principal.require(Permission::ManageUsers)?;
    let store = state.store.clone();
    let username = username.into_inner();
    let actor = principal.actor().to_string();
    web::block(move || store.write(|c| users::set_disabled(c, &username, true, &actor))).await??;
    Ok(see_other("/admin/users"))
}

// ----- Settings (admins) -----

struct AgencyRow {
    id: i64,
    name: String,
    abbreviation: String,
    email: String,
}

struct HolidayRow {
    date: String,
    name: String,
}

/// A day the office declared, as listed on the settings page.
struct OfficeDayRow {
    /// `YYYY-MM-DD`, for the removal form.
    value: String,
    date: String,
    working: bool,
    name: String,
}

#[derive(Template)]
#[template(path = "settings.html")]
struct SettingsPage {
    nav: Option<Nav>,
    csrf: String,
    agencies: Vec<AgencyRow>,
    days_before: String,
    on_the_day: bool,
    overdue_every_days: u32,
    escalate_after: u32,
    leader_email: String,
    fallback_email: String,
    office_days: Vec<OfficeDayRow>,
    holidays: Vec<HolidayRow>,
    error: Option<String>,
    notice: Option<&'static str>,
}

async fn settings_page(
    state: &AppState,
    principal: &Principal,
    error: Option<String>,
    notice: Option<&'static str>,
) -> PageResult {
    let store = state.store.clone();
    let config = state.config.clone();
    let (agencies, policy, office_days) = web::block(move || {
        store.read(|c| {
            Ok((
                crate::store::agencies::list(c)?,
                settings::reminder_policy(c, &config.reminders)?,
                settings::office_days(c)?,
            ))
        })
    })
    .await??;
    let year = chrono::Datelike::year(&today());
    let page = SettingsPage {
        nav: Some(Nav::of(principal)),
        csrf: principal.csrf().to_string(),
        agencies: agencies
            .into_iter()
            .map(|a| AgencyRow {
                id: a.id,
                name: a.name,
                abbreviation: a.abbreviation.unwrap_or_default(),
                email: a.email.unwrap_or_default(),
            })
            .collect(),
        days_before: policy
            .days_before
            .iter()
            .map(u32::to_string)
            .collect::<Vec<_>>()
            .join(", "),
        on_the_day: policy.on_the_day,
        overdue_every_days: policy.overdue_every_days,
        escalate_after: policy.escalate_after,
        leader_email: policy.leader_email.clone().unwrap_or_default(),
        fallback_email: policy.fallback_email.clone(),
        office_days: office_days
            .into_iter()
            .map(|d| OfficeDayRow {
                value: d.day.to_string(),
                date: vn_date(Some(d.day)),
                working: d.working,
                name: d.name,
            })
            .collect(),
        holidays: crate::tracker::calendar::vietnamese_holidays()
            .into_iter()
            .filter(|(d, _)| (year..=year + 1).contains(&chrono::Datelike::year(d)))
            .map(|(d, name)| HolidayRow {
                date: vn_date(Some(d)),
                name,
            })
            .collect(),
        error,
        notice,
    };
    let status = if page.error.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    render_with(status, &page)
}

/// Agencies and their reminder addresses (editable), the reminder policy and the holidays in force.
pub async fn settings(
    state: web::Data<AppState>,
    principal: Principal,
    notice: web::Query<Notice>,
) -> PageResult {
    principal.require(Permission::ManageAgencies)?;
    let notice = match notice.done.as_deref() {
        Some("saved") => Some("Đã lưu địa chỉ thư."),
        Some("policy") => Some("Đã lưu chính sách nhắc việc; lượt nhắc tiếp theo áp dụng ngay."),
        Some("day") => Some("Đã cập nhật lịch làm việc của cơ quan."),
        _ => None,
    };
    settings_page(&state, &principal, None, notice).await
}

/// An agency's reminder address, as typed.
#[derive(Debug, Deserialize)]
pub struct AgencyEmailForm {
    /// The session's CSRF token.
    pub csrf: String,
    /// The address; empty removes it.
    pub email: String,
}

/// Saves an agency's reminder address from the settings page.
pub async fn set_agency_email(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<i64>,
    form: web::Form<AgencyEmailForm>,
) -> PageResult {
    principal.check_csrf(&form.csrf)?;
    principal.require(Permission::ManageAgencies)?;
    let email = match crate::tracker::check_address(Some(&form.email)) {
        Ok(email) => email,
        Err(message) => return settings_page(&state, &principal, Some(message), None).await,
    };
    let store = state.store.clone();
    let id = id.into_inner();
    let actor = principal.actor().to_string();
    web::block(move || {
        store.write(|c| crate::store::agencies::set_email(c, id, email.as_deref(), &actor))
    })
    .await??;
    Ok(see_other("/admin/settings?done=saved"))
}

/// The reminder policy as typed on the settings page.
#[derive(Debug, Deserialize)]
pub struct PolicyForm {
    /// The session's CSRF token.
    pub csrf: String,
    /// Working days before the deadline, separated by commas ("7, 1").
    pub days_before: String,
    /// Present when the box "on the day" is ticked.
    pub on_the_day: Option<String>,
    /// Working days between overdue reminders.
    pub overdue_every_days: String,
    /// Overdue reminders before the leader is told (0: never).
    pub escalate_after: String,
    /// The leader's address; empty sends escalations to the fallback address.
    #[serde(default)]
    pub leader_email: String,
    /// Address for mail without a better recipient.
    pub fallback_email: String,
}

impl PolicyForm {
    fn read(&self) -> Result<settings::PolicySettings, String> {
        let number = |text: &str, what: &str| {
            text.trim()
                .parse::<u32>()
                .map_err(|_| format!("{what}: «{}» không phải là số ngày.", text.trim()))
        };
        let days_before = self
            .days_before
            .split([',', ';', ' '])
            .filter(|d| !d.trim().is_empty())
            .map(|d| number(d, "Nhắc trước hạn"))
            .collect::<Result<Vec<u32>, String>>()?;
        Ok(settings::PolicySettings {
            days_before,
            on_the_day: self.on_the_day.is_some(),
            overdue_every_days: number(&self.overdue_every_days, "Nhắc khi quá hạn")?,
            escalate_after: number(&self.escalate_after, "Báo lãnh đạo")?,
            leader_email: Some(self.leader_email.clone()),
            fallback_email: self.fallback_email.clone(),
        })
    }
}

/// Saves the reminder policy from the settings page.
pub async fn set_reminder_policy(
    state: web::Data<AppState>,
    principal: Principal,
    form: web::Form<PolicyForm>,
) -> PageResult {
    principal.check_csrf(&form.csrf)?;
    principal.require(Permission::ManageReminders)?;
    let policy = match form.read() {
        Ok(policy) => policy,
        Err(message) => return settings_page(&state, &principal, Some(message), None).await,
    };
    let store = state.store.clone();
    let config = state.config.clone();
    let actor = principal.actor().to_string();
    let saved = web::block(move || {
        store.write(|c| settings::set_reminder_policy(c, policy, &config.reminders, &actor))
    })
    .await?;
    after_settings_change(&state, &principal, saved.map(drop), "policy").await
}

/// Where a change made on the settings page leads: back to the page with a notice, or the page
/// again with the refusal when the values were invalid.
async fn after_settings_change(
    state: &AppState,
    principal: &Principal,
    saved: Result<(), StoreError>,
    done: &str,
) -> PageResult {
    match saved {
        Ok(()) => Ok(see_other(&format!("/admin/settings?done={done}"))),
        Err(StoreError::Invalid(message)) => {
            settings_page(state, principal, Some(message), None).await
        }
        Err(e) => Err(e.into()),
    }
}

/// A day off or make-up working day, as typed on the settings page.
#[derive(Debug, Deserialize)]
pub struct OfficeDayForm {
    /// The session's CSRF token.
    pub csrf: String,
    /// The day (dd/mm/yyyy or from a date field).
    pub day: String,
    /// `off` or `working`.
    pub kind: String,
    /// Why.
    pub name: String,
}

/// Adds a day to the office's calendar from the settings page.
pub async fn set_office_day(
    state: web::Data<AppState>,
    principal: Principal,
    form: web::Form<OfficeDayForm>,
) -> PageResult {
    principal.check_csrf(&form.csrf)?;
    principal.require(Permission::ManageReminders)?;
    let Some(day) = parse_vn_date(&form.day) else {
        let message = format!("Ngày «{}» không hợp lệ (dd/mm/yyyy).", form.day.trim());
        return settings_page(&state, &principal, Some(message), None).await;
    };
    let day = settings::OfficeDay {
        day,
        working: form.kind == "working",
        name: form.name.clone(),
    };
    let store = state.store.clone();
    let actor = principal.actor().to_string();
    let saved =
        web::block(move || store.write(|c| settings::set_office_day(c, &day, &actor))).await?;
    after_settings_change(&state, &principal, saved, "day").await
}

/// Removes a day from the office's calendar from the settings page.
pub async fn remove_office_day(
    state: web::Data<AppState>,
    principal: Principal,
    day: web::Path<NaiveDate>,
    form: web::Form<CsrfForm>,
) -> PageResult {
    principal.check_csrf(&form.csrf)?;
    principal.require(Permission::ManageReminders)?;
    let store = state.store.clone();
    let (day, actor) = (day.into_inner(), principal.actor().to_string());
    web::block(move || store.write(|c| settings::remove_office_day(c, day, &actor))).await??;
    Ok(see_other("/admin/settings?done=day"))
}

// ----- Leaders' dashboard -----

/// One line of the dashboard: an agency (or the total) with its four-way split.
struct StandingRow {
    agency: String,
    tasks: u32,
    done_on_time: u32,
    done_late: u32,
    open_within: u32,
    open_overdue: u32,
    /// Done on time among done, as a whole percentage, or a dash.
    on_time_rate: String,
    /// Bar widths in percent of the line's tasks, in column order.
    bars: [u32; 4],
}

impl StandingRow {
    fn new(agency: String, c: &crate::reports::Counts) -> Self {
        let done = c.done_on_time + c.done_late;
        let share = |n: u32| (n * 100).checked_div(c.tasks).unwrap_or(0);
        StandingRow {
            agency,
            tasks: c.tasks,
            done_on_time: c.done_on_time,
            done_late: c.done_late,
            open_within: c.open_within_deadline,
            open_overdue: c.open_overdue,
            on_time_rate: (c.done_on_time * 100)
                .checked_div(done)
                .map(|rate| format!("{rate}%"))
                .unwrap_or_else(|| "—".into()),
            bars: [
                share(c.done_on_time),
                share(c.done_late),
                share(c.open_within_deadline),
                share(c.open_overdue),
            ],
        }
    }
}

struct OverdueRow {
    task_id: i64,
    lead: String,
    text: String,
    deadline: String,
    days: i64,
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    nav: Option<Nav>,
    from: String,
    to: String,
    judged_on: String,
    rows: Vec<StandingRow>,
    total: StandingRow,
    overdue: Vec<OverdueRow>,
}

/// The period the dashboard covers.
#[derive(Debug, Default, Deserialize)]
pub struct DashboardParams {
    /// First day (dd/mm/yyyy or yyyy-mm-dd); the first of January by default.
    pub from: Option<String>,
    /// Last day; today by default.
    pub to: Option<String>,
}

/// The leaders' dashboard: tasks per lead agency with the official four-way split and the on-time
/// rate, as a table with bars, and the overdue tasks, most overdue first.
pub async fn dashboard(
    state: web::Data<AppState>,
    principal: Principal,
    params: web::Query<DashboardParams>,
) -> PageResult {
    principal.require(Permission::ViewDashboard)?;
    let today = today();
    let day = |typed: &Option<String>, default: NaiveDate| match typed.as_deref().map(str::trim) {
        None | Some("") => Ok(default),
        Some(t) => parse_vn_date(t).ok_or_else(|| {
            ApiError::bad_request(
                "invalid_date",
                format!("Ngày \"{t}\" không đúng dạng ngày/tháng/năm."),
            )
        }),
    };
    let year_start = NaiveDate::from_ymd_opt(chrono::Datelike::year(&today), 1, 1).unwrap_or(today);
    let from = day(&params.from, year_start)?;
    let to = day(&params.to, today)?;
    let period = crate::reports::Period::new(from, to)
        .map_err(|e| ApiError::bad_request("invalid_period", e.to_string()))?;
    let store = state.store.clone();
    let office = state.config.office.name.clone();
    let report = web::block(move || {
        crate::reports::query::performance_report(
            &store,
            &office,
            crate::reports::Scope::Office,
            period,
            today,
        )
    })
    .await?
    .map_err(|e| {
        tracing::error!(error = %e, "dashboard failed");
        ApiError::internal()
    })?;
    render(&DashboardPage {
        nav: Some(Nav::of(&principal)),
        from: from.to_string(),
        to: to.to_string(),
        judged_on: vn_date(Some(report.judged_on)),
        rows: report
            .agencies
            .iter()
            .map(|a| StandingRow::new(a.agency.clone(), &a.counts))
            .collect(),
        total: StandingRow::new("Tổng cộng".into(), &report.total),
        overdue: report
            .overdue
            .into_iter()
            .map(|t| OverdueRow {
                task_id: t.task_id,
                lead: t.lead.join("; "),
                text: t.text,
                deadline: vn_date(Some(t.deadline)),
                days: t.days_overdue,
            })
            .collect(),
    })
}

// ----- The incoming register -----

struct RegisterRow {
    number: String,
    received_on: String,
    issuer: String,
    doc_number: String,
    doc_date: String,
    kind_and_summary: String,
    directive_id: i64,
    recipient: String,
    remarks: String,
    cancelled: bool,
}

#[derive(Template)]
#[template(path = "register_book.html")]
struct RegisterBookPage {
    nav: Option<Nav>,
    year: i32,
    entries: Vec<RegisterRow>,
}

/// Which year of the register to show.
#[derive(Debug, Default, Deserialize)]
pub struct YearParam {
    /// The year (this year by default).
    #[serde(default, deserialize_with = "super::api::empty_as_none")]
    pub year: Option<i32>,
}

/// The incoming register of a year ("Sổ đăng ký văn bản đến"), newest first, with its exports.
pub async fn register_book(
    state: web::Data<AppState>,
    principal: Principal,
    params: web::Query<YearParam>,
) -> PageResult {
    principal.require(Permission::ViewDashboard)?;
    let year = params
        .year
        .unwrap_or_else(|| chrono::Datelike::year(&today()));
    let filter = crate::store::register::RegisterFilter {
        year: Some(year),
        ..Default::default()
    };
    let store = state.store.clone();
    let entries =
        web::block(move || store.read(|c| crate::store::register::list(c, &filter))).await??;
    let field = |f: Option<String>| f.unwrap_or_default();
    render(&RegisterBookPage {
        nav: Some(Nav::of(&principal)),
        year,
        entries: entries
            .into_iter()
            .rev()
            .map(|e| RegisterRow {
                number: e.label(),
                received_on: vn_date(Some(e.received_on)),
                kind_and_summary: e.kind_and_summary(),
                issuer: field(e.issuer),
                doc_number: field(e.doc_number),
                doc_date: e.doc_date.map(|d| vn_date(Some(d))).unwrap_or_default(),
                directive_id: e.directive_id,
                recipient: field(e.recipient),
                remarks: field(e.remarks),
                cancelled: e.cancelled_at.is_some(),
            })
            .collect(),
    })
}
