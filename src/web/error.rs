//! The one mapping from failures to HTTP answers: a stable `code` for programs and a Vietnamese
//! `message` for people, as `{"error": {"code": "...", "message": "..."}}`.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;

use crate::intake::IntakeError;
use crate::parse::ParseError;
use crate::store::StoreError;

/// A failed request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, utoipa::ToSchema)]
#[error("{code}: {message}")]
pub struct ApiError {
    /// HTTP status.
    #[serde(skip)]
    pub status: u16,
    /// Stable identifier of the failure.
    pub code: &'static str,
    /// What went wrong, in Vietnamese.
    pub message: String,
}

impl ApiError {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status: status.as_u16(),
            code,
            message: message.into(),
        }
    }

    /// The request body or parameters are malformed.
    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }

    /// The body is larger than allowed.
    pub fn too_large(limit: usize) -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            format!(
                "Tệp hoặc nội dung gửi lên quá lớn (tối đa {} MB).",
                limit.div_ceil(1024 * 1024)
            ),
        )
    }

    /// The record does not exist.
    pub fn not_found() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "Không tìm thấy dữ liệu yêu cầu.",
        )
    }

    /// No session or API token was given, or it is no longer valid.
    pub fn unauthenticated() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            "Cần đăng nhập (phiên làm việc hoặc mã API) để dùng chức năng này.",
        )
    }

    /// The user's role does not allow the action.
    pub fn forbidden() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "Tài khoản của bạn không có quyền thực hiện thao tác này.",
        )
    }

    /// A change made with a session cookie lacks the session's CSRF token.
    pub fn csrf() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "csrf",
            "Yêu cầu không mang mã xác thực biểu mẫu hợp lệ; hãy tải lại trang rồi thử lại.",
        )
    }

    /// Too many failed sign-ins for this user or client.
    pub fn sign_in_throttled() -> Self {
        Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "sign_in_throttled",
            "Đăng nhập sai quá nhiều lần; vui lòng thử lại sau 15 phút.",
        )
    }

    /// The client sends too many requests.
    pub fn rate_limited() -> Self {
        Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            "Quá nhiều yêu cầu trong thời gian ngắn; vui lòng thử lại sau ít phút.",
        )
    }

    /// The document is in the incoming register already; the clerk may confirm a second entry.
    pub fn duplicate(duplicate: &crate::store::register::Duplicate) -> Self {
        let entry = &duplicate.existing;
        let what = match duplicate.reason {
            crate::store::register::DuplicateReason::SameDocument => {
                "Văn bản cùng số, ký hiệu, cơ quan ban hành và ngày"
            }
            crate::store::register::DuplicateReason::SameText => "Văn bản có cùng nội dung",
        };
        let document = match &entry.doc_number {
            Some(number) => format!(" (văn bản số {number})"),
            None => String::new(),
        };
        Self::new(
            StatusCode::CONFLICT,
            "duplicate_directive",
            format!(
                "{what} đã được vào sổ đến với số đến {} ngày {}{document}. Nếu vẫn cần vào sổ lần nữa, hãy gửi lại kèm xác nhận \"confirm_duplicate\": true.",
                entry.label(),
                entry.received_on.format("%d/%m/%Y"),
            ),
        )
    }

    /// Something failed on the server.
    pub fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "Lỗi hệ thống; dữ liệu chưa được thay đổi. Vui lòng thử lại hoặc báo quản trị viên.",
        )
    }
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    error: &'a ApiError,
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    fn error_response(&self) -> HttpResponse {
        HttpResponse::build(self.status_code()).json(ErrorBody { error: self })
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound { .. } => ApiError::not_found(),
            StoreError::Duplicate(duplicate) => ApiError::duplicate(&duplicate),
            StoreError::Conflict(detail) => ApiError::new(
                StatusCode::CONFLICT,
                "conflict",
                format!("Không thể thực hiện ở trạng thái hiện tại ({detail})."),
            ),
            StoreError::Invalid(message) => {
                let mut message = message;
                if let Some(first) = message.get(..1) {
                    message = first.to_uppercase() + message.get(1..).unwrap_or("");
                }
                ApiError::bad_request("invalid", format!("{message}."))
            }
            other => {
                tracing::error!(error = %other, "storage failure");
                ApiError::internal()
            }
        }
    }
}

impl From<IntakeError> for ApiError {
    fn from(e: IntakeError) -> Self {
        match e {
            IntakeError::Parse(ParseError::Empty) => {
                ApiError::bad_request("empty_text", "Văn bản trống: không có nội dung để đăng ký.")
            }
            IntakeError::Parse(ParseError::NotText) => ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "not_text",
                "Tệp không phải văn bản đọc được (dữ liệu nhị phân hoặc bị hỏng).",
            ),
            IntakeError::Parse(ParseError::Unsupported(kind)) => ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_format",
                format!("Chưa hỗ trợ định dạng tệp này ({kind})."),
            ),
            IntakeError::Parse(ParseError::TooLarge { .. }) => {
                ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "too_large", e.to_string())
            }
            IntakeError::Parse(ParseError::Corrupt(detail)) => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "corrupt_file",
                format!("Tệp bị hỏng, không đọc được ({detail})."),
            ),
            IntakeError::Parse(ParseError::Encrypted) => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "encrypted_file",
                "Tệp được bảo vệ bằng mật khẩu; hãy gửi bản không đặt mật khẩu.",
            ),
            IntakeError::Parse(ParseError::TooManyPages { pages, limit }) => ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "too_many_pages",
                format!("Tệp có {pages} trang cần đọc, vượt giới hạn {limit} trang."),
            ),
            IntakeError::Parse(ParseError::Timeout { seconds }) => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "read_timeout",
                format!("Đọc tệp quá {seconds} giây; hãy gửi tệp nhỏ hơn hoặc bản PDF có lớp chữ."),
            ),
            IntakeError::Parse(ParseError::ToolUnavailable(tool)) => ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "reader_unavailable",
                format!(
                    "Máy chủ chưa cài công cụ đọc định dạng này ({tool}); hãy báo quản trị viên."
                ),
            ),
            IntakeError::Parse(ParseError::Io(detail)) => {
                tracing::error!(%detail, "temporary file failure while reading an upload");
                ApiError::internal()
            }
            IntakeError::TooLong { chars, limit } => ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "too_large",
                format!("Văn bản dài {chars} ký tự, vượt giới hạn {limit} ký tự."),
            ),
            IntakeError::Store(e) => e.into(),
            IntakeError::Interrupted { attempts } => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "read_interrupted",
                format!(
                    "Việc đọc tệp bị gián đoạn {attempts} lần nên đã dừng; hãy kiểm tra tệp rồi gửi lại."
                ),
            ),
        }
    }
}

/// How a failed background reading is recorded on its job: the code and message the API would
/// have answered with.
pub fn job_failure(e: IntakeError) -> crate::store::intake_jobs::JobFailure {
    let error = ApiError::from(e);
    crate::store::intake_jobs::JobFailure {
        code: error.code.to_string(),
        message: error.message,
    }
}

impl From<crate::reports::ReportError> for ApiError {
    fn from(e: crate::reports::ReportError) -> Self {
        use crate::reports::ReportError;
        match e {
            ReportError::Store(e) => e.into(),
            ReportError::InvalidPeriod { from, to } => ApiError::bad_request(
                "invalid_period",
                format!(
                    "Kỳ báo cáo không hợp lệ: ngày kết thúc ({}) trước ngày bắt đầu ({}).",
                    to.format("%d/%m/%Y"),
                    from.format("%d/%m/%Y")
                ),
            ),
            ReportError::UnknownAgency(name) => ApiError::new(
                StatusCode::NOT_FOUND,
                "not_found",
                format!("Không có cơ quan, đơn vị nào tên \"{name}\"."),
            ),
            ReportError::Export(detail) => {
                tracing::error!(%detail, "export failed");
                ApiError::internal()
            }
        }
    }
}

impl From<actix_web::error::BlockingError> for ApiError {
    fn from(_: actix_web::error::BlockingError) -> Self {
        ApiError::internal()
    }
}
