//! The incoming register and the reports as files: XLSX (one worksheet per table), CSV, and a
//! printable HTML page in the administrative layout of Decree 30/2020/NĐ-CP (A4, serif type, the
//! issuing body top left, the national name and motto top right, place and date, title, table).
//!
//! Every export is built from one [`Printable`]: a title and tables of [`Cell`]s, so the formats
//! cannot disagree on a figure.

use askama::Template;
use chrono::{Datelike, NaiveDate};
use rust_xlsxwriter::{ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook, Worksheet};
use serde::Deserialize;

use super::{DirectiveReport, PerformanceReport, ReportError, Scope};
use crate::config::OfficeSettings;
use crate::store::register::RegisterEntry;
use crate::tracker::standing::Standing;

/// The file formats of an export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ExportFormat {
    /// JSON, for programs (the default).
    #[default]
    Json,
    /// Comma-separated values, UTF-8 with a byte-order mark so spreadsheets read the accents.
    Csv,
    /// Excel workbook.
    Xlsx,
    /// Printable page.
    Html,
}

impl ExportFormat {
    /// Reads `json`, `csv`, `xlsx` or `html`.
    pub fn parse(s: &str) -> Option<ExportFormat> {
        match s.trim().to_ascii_lowercase().as_str() {
            "json" => Some(ExportFormat::Json),
            "csv" => Some(ExportFormat::Csv),
            "xlsx" => Some(ExportFormat::Xlsx),
            "html" => Some(ExportFormat::Html),
            _ => None,
        }
    }

    /// The media type of the file.
    pub fn content_type(self) -> &'static str {
        match self {
            ExportFormat::Json => "application/json",
            ExportFormat::Csv => "text/csv; charset=utf-8",
            ExportFormat::Xlsx => {
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
            ExportFormat::Html => "text/html; charset=utf-8",
        }
    }

    /// The file name extension.
    pub fn extension(self) -> &'static str {
        match self {
            ExportFormat::Json => "json",
            ExportFormat::Csv => "csv",
            ExportFormat::Xlsx => "xlsx",
            ExportFormat::Html => "html",
        }
    }
}

/// One cell of a table.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Text.
    Text(String),
    /// A whole number.
    Int(i64),
    /// A day, or nothing.
    Date(Option<NaiveDate>),
    /// A percentage, or nothing.
    Percent(Option<f64>),
}

impl Cell {
    fn text(s: impl Into<String>) -> Cell {
        Cell::Text(s.into())
    }

    fn opt(s: &Option<String>) -> Cell {
        Cell::Text(s.clone().unwrap_or_default())
    }

    /// The cell as printed: dates as dd/mm/yyyy.
    pub fn display(&self) -> String {
        match self {
            Cell::Text(s) => s.clone(),
            Cell::Int(n) => n.to_string(),
            Cell::Date(d) => d
                .map(|d| d.format("%d/%m/%Y").to_string())
                .unwrap_or_default(),
            Cell::Percent(p) => p.map(|p| format!("{p:.1}")).unwrap_or_default(),
        }
    }

    /// The cell in a CSV file: dates as yyyy-mm-dd.
    fn csv(&self) -> String {
        match self {
            Cell::Date(d) => d.map(|d| d.to_string()).unwrap_or_default(),
            other => other.display(),
        }
    }

    fn numeric(&self) -> bool {
        matches!(self, Cell::Int(_) | Cell::Percent(_))
    }
}

/// A table with column headings.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// Worksheet name (at most 31 characters).
    pub sheet: String,
    /// Heading above the table, if the page has several.
    pub caption: Option<String>,
    /// Column headings.
    pub headings: Vec<String>,
    /// Column widths in characters, for the worksheet.
    pub widths: Vec<f64>,
    /// Column widths in percent, for the page.
    pub print_widths: Vec<u32>,
    /// The rows.
    pub rows: Vec<Vec<Cell>>,
    /// A total line in bold, if any.
    pub total: Option<Vec<Cell>>,
}

/// A document to export: title, tables and notes.
#[derive(Debug, Clone, PartialEq)]
pub struct Printable {
    /// Base of the file name (`so-den-2026`).
    pub file_stem: String,
    /// Title, printed in capitals.
    pub title: String,
    /// Lines under the title (period, scope).
    pub subtitle: Vec<String>,
    /// Whether the page is printed across (landscape).
    pub landscape: bool,
    /// The tables.
    pub tables: Vec<Table>,
    /// Notes under the tables.
    pub notes: Vec<String>,
}

/// The heading of a printed page: who issues it, where and when.
#[derive(Debug, Clone, PartialEq)]
pub struct Letterhead {
    /// The body the office belongs to.
    pub parent: Option<String>,
    /// The office.
    pub office: String,
    /// Place name for the date line.
    pub place: Option<String>,
    /// The day the page is made.
    pub date: NaiveDate,
}

impl Letterhead {
    /// The heading of `office` on `date`.
    pub fn new(office: &OfficeSettings, date: NaiveDate) -> Letterhead {
        Letterhead {
            parent: office.parent.clone(),
            office: office.name.clone(),
            place: office.place.clone(),
            date,
        }
    }

    /// "Kiên Giang, ngày 05 tháng 3 năm 2026" (a zero before days under 10 and months under 3).
    pub fn place_and_date(&self) -> String {
        let d = self.date;
        let month = if d.month() < 3 {
            format!("{:02}", d.month())
        } else {
            d.month().to_string()
        };
        format!(
            "{}, ngày {:02} tháng {month} năm {}",
            self.place.as_deref().unwrap_or("……"),
            d.day(),
            d.year()
        )
    }
}

fn vn(date: NaiveDate) -> String {
    date.format("%d/%m/%Y").to_string()
}

/// What a register filter covers, in words ("Năm 2026"), and a file name stem for it.
pub fn register_span(filter: &crate::store::register::RegisterFilter) -> (String, String) {
    let mut words = Vec::new();
    let mut stem = String::from("so-den");
    if let Some(year) = filter.year {
        words.push(format!("Năm {year}"));
        stem.push_str(&format!("-{year}"));
    }
    match (filter.from, filter.to) {
        (Some(from), Some(to)) => words.push(format!("Từ ngày {} đến ngày {}", vn(from), vn(to))),
        (Some(from), None) => words.push(format!("Từ ngày {}", vn(from))),
        (None, Some(to)) => words.push(format!("Đến ngày {}", vn(to))),
        (None, None) => {}
    }
    if let Some(from) = filter.from {
        stem.push_str(&format!("-{from}"));
    }
    if let Some(to) = filter.to {
        stem.push_str(&format!("-{to}"));
    }
    (words.join(", "), stem)
}

/// The headings of the register, as Decree 30/2020/NĐ-CP lays it out.
pub const REGISTER_HEADINGS: [&str; 9] = [
    "Ngày đến",
    "Số đến",
    "Tác giả",
    "Số, ký hiệu",
    "Ngày tháng",
    "Tên loại và trích yếu nội dung",
    "Đơn vị hoặc người nhận",
    "Ký nhận",
    "Ghi chú",
];

/// The register ("Sổ đăng ký văn bản đến") of `entries`; `span` says which entries (a year, days),
/// `file_stem` names the file.
pub fn register_document(entries: &[RegisterEntry], span: &str, file_stem: &str) -> Printable {
    let rows = entries
        .iter()
        .map(|e| {
            vec![
                Cell::Date(Some(e.received_on)),
                Cell::Int(e.number),
                Cell::opt(&e.issuer),
                Cell::opt(&e.doc_number),
                Cell::Date(e.doc_date),
                Cell::text(e.kind_and_summary()),
                Cell::opt(&e.recipient),
                Cell::text(""),
                Cell::opt(&e.remarks),
            ]
        })
        .collect();
    Printable {
        file_stem: file_stem.to_string(),
        title: "Sổ đăng ký văn bản đến".into(),
        subtitle: vec![span.to_string()],
        landscape: true,
        tables: vec![Table {
            sheet: "Sổ đăng ký văn bản đến".into(),
            caption: None,
            headings: REGISTER_HEADINGS.iter().map(|h| h.to_string()).collect(),
            widths: vec![11.0, 8.0, 24.0, 16.0, 11.0, 45.0, 24.0, 10.0, 24.0],
            print_widths: vec![10, 6, 13, 10, 10, 23, 12, 6, 10],
            rows,
            total: None,
        }],
        notes: vec![],
    }
}

fn scope_line(scope: &Scope) -> String {
    match scope {
        Scope::Office => "Phạm vi: toàn cơ quan".into(),
        Scope::Agency { name } => format!("Phạm vi: nhiệm vụ do {name} chủ trì"),
        Scope::Directive { id } => format!("Phạm vi: nhiệm vụ của văn bản #{id}"),
    }
}

/// The headings of the per-agency table of a performance report.
pub fn performance_headings() -> Vec<String> {
    let mut headings = vec![
        "STT".to_string(),
        "Đơn vị chủ trì".into(),
        "Tổng số nhiệm vụ".into(),
    ];
    headings.extend(Standing::ALL.iter().map(|s| s.label().to_string()));
    headings.push("Tỷ lệ hoàn thành (%)".into());
    headings
}

fn counts_cells(counts: &super::Counts) -> Vec<Cell> {
    let mut cells = vec![Cell::Int(i64::from(counts.tasks))];
    cells.extend(
        Standing::ALL
            .iter()
            .map(|s| Cell::Int(i64::from(counts.of(*s)))),
    );
    cells.push(Cell::Percent(counts.done_percent()));
    cells
}

/// The performance report as tables: per lead agency with the total, and the overdue tasks.
pub fn performance_document(report: &PerformanceReport) -> Printable {
    let rows = report
        .agencies
        .iter()
        .enumerate()
        .map(|(i, line)| {
            let mut row = vec![Cell::Int(i as i64 + 1), Cell::text(&line.agency)];
            row.extend(counts_cells(&line.counts));
            row
        })
        .collect();
    let mut total = vec![Cell::text(""), Cell::text("Tổng cộng")];
    total.extend(counts_cells(&report.total));
    let overdue_rows = report
        .overdue
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let source = match (&t.document, &t.incoming) {
                (Some(n), Some(inc)) => format!("{n} (số đến {inc})"),
                (Some(n), None) => n.clone(),
                (None, Some(inc)) => format!("Số đến {inc}"),
                (None, None) => format!("Văn bản #{}", t.directive_id),
            };
            vec![
                Cell::Int(i as i64 + 1),
                Cell::text(&t.text),
                Cell::text(t.lead.join("; ")),
                Cell::text(source),
                Cell::Date(Some(t.deadline)),
                Cell::Int(t.days_overdue),
                Cell::text(crate::tracker::lifecycle::status_label(t.status)),
            ]
        })
        .collect();
    Printable {
        file_stem: format!("bao-cao-{}-{}", report.period.from, report.period.to),
        title: "Báo cáo tình hình thực hiện nhiệm vụ được giao".into(),
        subtitle: vec![
            format!(
                "Từ ngày {} đến ngày {}",
                vn(report.period.from),
                vn(report.period.to)
            ),
            format!(
                "{} · số liệu tính đến ngày {}",
                scope_line(&report.scope),
                vn(report.judged_on)
            ),
        ],
        landscape: true,
        tables: vec![
            Table {
                sheet: "Tổng hợp".into(),
                caption: Some("I. Kết quả thực hiện theo đơn vị chủ trì".into()),
                headings: performance_headings(),
                widths: vec![6.0, 40.0, 12.0, 14.0, 14.0, 16.0, 16.0, 14.0],
                print_widths: vec![5, 31, 10, 11, 11, 11, 11, 10],
                rows,
                total: Some(total),
            },
            Table {
                sheet: "Nhiệm vụ quá hạn".into(),
                caption: Some("II. Nhiệm vụ chưa hoàn thành, quá hạn".into()),
                headings: [
                    "STT",
                    "Nội dung nhiệm vụ",
                    "Đơn vị chủ trì",
                    "Văn bản giao",
                    "Thời hạn",
                    "Số ngày quá hạn",
                    "Trạng thái",
                ]
                .iter()
                .map(|h| h.to_string())
                .collect(),
                widths: vec![6.0, 60.0, 30.0, 24.0, 11.0, 10.0, 16.0],
                print_widths: vec![5, 38, 18, 15, 9, 7, 8],
                rows: overdue_rows,
                total: None,
            },
        ],
        notes: vec![
            "Nhiệm vụ có nhiều đơn vị chủ trì được tính cho mỗi đơn vị, và một lần trong dòng tổng cộng.".into(),
            "Kỳ báo cáo gồm các nhiệm vụ đã giao đến hết kỳ và chưa hoàn thành trước ngày đầu kỳ; không tính nhiệm vụ đã hủy.".into(),
        ],
    }
}

/// The state of every task of one directive as a table.
pub fn directive_document(report: &DirectiveReport) -> Printable {
    let d = &report.directive;
    let rows = report
        .tasks
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let state = match t.standing {
                Some(s) => s.label().to_string(),
                None => crate::tracker::lifecycle::status_label(t.status).to_string(),
            };
            vec![
                Cell::Int(i as i64 + 1),
                Cell::text(&t.text),
                Cell::text(t.lead.join("; ")),
                Cell::text(t.support.join("; ")),
                Cell::Date(t.deadline),
                Cell::text(state),
                Cell::Date(t.done_on),
                t.days_overdue
                    .map(Cell::Int)
                    .unwrap_or_else(|| Cell::text("")),
                Cell::Text(
                    t.last_report
                        .as_ref()
                        .map(|r| format!("{}: {}", vn(r.filed_on), r.text))
                        .unwrap_or_default(),
                ),
            ]
        })
        .collect();
    let mut subtitle = Vec::new();
    let mut about = String::new();
    if let Some(kind) = &d.kind {
        about.push_str(kind);
    }
    if let Some(number) = &d.number {
        about.push_str(&format!(" số {number}"));
    }
    if let Some(date) = d.issued_on {
        about.push_str(&format!(" ngày {}", vn(date)));
    }
    if let Some(issuer) = &d.issuer {
        about.push_str(&format!(" của {issuer}"));
    }
    if !about.trim().is_empty() {
        subtitle.push(about.trim().to_string());
    }
    if let Some(subject) = &d.subject {
        subtitle.push(subject.clone());
    }
    subtitle.push(format!(
        "{}Số liệu tính đến ngày {}",
        d.incoming
            .as_ref()
            .map(|n| format!("Số đến {n} · "))
            .unwrap_or_default(),
        vn(report.judged_on)
    ));
    let c = &report.total;
    Printable {
        file_stem: format!("tinh-hinh-thuc-hien-{}", d.id),
        title: "Tình hình thực hiện nhiệm vụ".into(),
        subtitle,
        landscape: true,
        tables: vec![Table {
            sheet: "Tình hình thực hiện".into(),
            caption: None,
            headings: [
                "STT",
                "Nội dung nhiệm vụ",
                "Đơn vị chủ trì",
                "Đơn vị phối hợp",
                "Thời hạn",
                "Tình hình thực hiện",
                "Ngày hoàn thành",
                "Số ngày quá hạn",
                "Báo cáo gần nhất",
            ]
            .iter()
            .map(|h| h.to_string())
            .collect(),
            widths: vec![6.0, 50.0, 26.0, 26.0, 11.0, 20.0, 11.0, 9.0, 40.0],
            print_widths: vec![5, 27, 12, 11, 9, 11, 9, 6, 10],
            rows,
            total: None,
        }],
        notes: vec![format!(
            "Tổng số {} nhiệm vụ (không tính nhiệm vụ đã hủy): {} hoàn thành đúng hạn, {} hoàn thành quá hạn, {} đang thực hiện trong hạn, {} chưa hoàn thành, quá hạn.",
            c.tasks, c.done_on_time, c.done_late, c.open_within_deadline, c.open_overdue
        )],
    }
}

/// The document as CSV: each table after its caption, tables separated by an empty line. UTF-8 with
/// a byte-order mark, CRLF line ends, fields quoted when needed (RFC 4180).
pub fn to_csv(doc: &Printable) -> String {
    fn field(s: &str) -> String {
        if s.contains([',', '"', '\n', '\r']) {
            format!("\"{}\"", s.replace('"', "\"\""))
        } else {
            s.to_string()
        }
    }
    fn line(out: &mut String, cells: impl Iterator<Item = String>) {
        let fields: Vec<String> = cells.map(|c| field(&c)).collect();
        out.push_str(&fields.join(","));
        out.push_str("\r\n");
    }
    let mut out = String::from("\u{feff}");
    for (i, table) in doc.tables.iter().enumerate() {
        if i > 0 {
            out.push_str("\r\n");
        }
        if doc.tables.len() > 1
            && let Some(caption) = &table.caption
        {
            line(&mut out, std::iter::once(caption.clone()));
        }
        line(&mut out, table.headings.iter().cloned());
        for row in table.rows.iter().chain(table.total.iter()) {
            line(&mut out, row.iter().map(Cell::csv));
        }
    }
    out
}

/// The row of the column headings in each worksheet (0-based); the title block is above it.
pub const XLSX_HEADING_ROW: u32 = 5;

fn xlsx_error(e: rust_xlsxwriter::XlsxError) -> ReportError {
    ReportError::Export(e.to_string())
}

/// The document as an Excel workbook: one worksheet per table, each with the office, the title and
/// the subtitle above the headings (row [`XLSX_HEADING_ROW`]), real numbers and dates, printed on A4
/// with the headings repeated on every page.
pub fn to_xlsx(doc: &Printable, head: &Letterhead) -> Result<Vec<u8>, ReportError> {
    let font = "Times New Roman";
    let base = Format::new().set_font_name(font).set_font_size(12);
    let bold = base.clone().set_bold();
    let title = bold
        .clone()
        .set_font_size(14)
        .set_align(FormatAlign::Center);
    let centered = base.clone().set_align(FormatAlign::Center);
    let cell = base
        .clone()
        .set_border(FormatBorder::Thin)
        .set_text_wrap()
        .set_align(FormatAlign::Top);
    let heading = cell
        .clone()
        .set_bold()
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter);
    let date = cell.clone().set_num_format("dd/mm/yyyy");
    let number = cell.clone().set_align(FormatAlign::Right);
    let percent = number.clone().set_num_format("0.0");
    let mut workbook = Workbook::new();
    for table in &doc.tables {
        let sheet: &mut Worksheet = workbook.add_worksheet();
        sheet.set_name(&table.sheet).map_err(xlsx_error)?;
        sheet.set_paper_size(9);
        if doc.landscape {
            sheet.set_landscape();
        }
        let last_col = u16::try_from(table.headings.len().saturating_sub(1)).unwrap_or(0);
        let parent = head.parent.clone().unwrap_or_default().to_uppercase();
        sheet
            .write_string_with_format(0, 0, parent, &base)
            .map_err(xlsx_error)?;
        sheet
            .write_string_with_format(1, 0, head.office.to_uppercase(), &bold)
            .map_err(xlsx_error)?;
        sheet
            .merge_range(2, 0, 2, last_col, &doc.title.to_uppercase(), &title)
            .map_err(xlsx_error)?;
        let mut subtitle = doc.subtitle.join(" · ");
        if doc.tables.len() > 1
            && let Some(caption) = &table.caption
        {
            subtitle = format!("{subtitle} — {caption}");
        }
        sheet
            .merge_range(3, 0, 3, last_col, &subtitle, &centered)
            .map_err(xlsx_error)?;
        let top = XLSX_HEADING_ROW;
        for (col, (text, width)) in table.headings.iter().zip(&table.widths).enumerate() {
            let col = u16::try_from(col).unwrap_or(u16::MAX);
            sheet
                .write_string_with_format(top, col, text, &heading)
                .map_err(xlsx_error)?;
            sheet.set_column_width(col, *width).map_err(xlsx_error)?;
        }
        sheet.set_repeat_rows(top, top).map_err(xlsx_error)?;
        sheet.set_freeze_panes(top + 1, 0).map_err(xlsx_error)?;
        let lines = table
            .rows
            .iter()
            .map(|r| (r, false))
            .chain(table.total.iter().map(|r| (r, true)));
        for (i, (row, is_total)) in lines.enumerate() {
            let r = top + 1 + u32::try_from(i).unwrap_or(u32::MAX - top - 1);
            for (col, value) in row.iter().enumerate() {
                let col = u16::try_from(col).unwrap_or(u16::MAX);
                let pick = |f: &Format| {
                    if is_total {
                        f.clone().set_bold()
                    } else {
                        f.clone()
                    }
                };
                match value {
                    Cell::Text(s) => sheet.write_string_with_format(r, col, s, &pick(&cell)),
                    Cell::Int(n) => {
                        sheet.write_number_with_format(r, col, *n as f64, &pick(&number))
                    }
                    Cell::Percent(Some(p)) => {
                        sheet.write_number_with_format(r, col, *p, &pick(&percent))
                    }
                    Cell::Date(Some(d)) => {
                        let day = ExcelDateTime::from_ymd(
                            u16::try_from(d.year()).unwrap_or(1900),
                            u8::try_from(d.month()).unwrap_or(1),
                            u8::try_from(d.day()).unwrap_or(1),
                        )
                        .map_err(xlsx_error)?;
                        sheet.write_datetime_with_format(r, col, &day, &pick(&date))
                    }
                    Cell::Percent(None) | Cell::Date(None) => {
                        sheet.write_string_with_format(r, col, "", &pick(&cell))
                    }
                }
                .map_err(xlsx_error)?;
            }
        }
        let after =
            top + 2 + u32::try_from(table.rows.len() + table.total.iter().count()).unwrap_or(0);
        for (i, note) in doc.notes.iter().enumerate() {
            sheet
                .write_string_with_format(after + u32::try_from(i).unwrap_or(0), 0, note, &base)
                .map_err(xlsx_error)?;
        }
    }
    workbook.save_to_buffer().map_err(xlsx_error)
}

struct PrintCell {
    text: String,
    /// `num` (right-aligned), `date` (kept on one line) or empty.
    class: &'static str,
}

struct PrintTable {
    caption: Option<String>,
    headings: Vec<(String, u32)>,
    rows: Vec<Vec<PrintCell>>,
    total: Option<Vec<PrintCell>>,
}

#[derive(Template)]
#[template(path = "print.html")]
struct PrintPage {
    parent: String,
    office: String,
    place_and_date: String,
    title: String,
    subtitle: Vec<String>,
    landscape: bool,
    tables: Vec<PrintTable>,
    notes: Vec<String>,
}

fn print_row(row: &[Cell]) -> Vec<PrintCell> {
    row.iter()
        .map(|c| PrintCell {
            text: c.display(),
            class: match c {
                Cell::Date(_) => "date",
                other if other.numeric() => "num",
                _ => "",
            },
        })
        .collect()
}

/// The document as a printable HTML page (A4, Times New Roman or the nearest serif), headings
/// repeated on every printed page.
pub fn to_html(doc: &Printable, head: &Letterhead) -> Result<String, ReportError> {
    let page = PrintPage {
        parent: head.parent.clone().unwrap_or_default().to_uppercase(),
        office: head.office.to_uppercase(),
        place_and_date: head.place_and_date(),
        title: doc.title.to_uppercase(),
        subtitle: doc.subtitle.clone(),
        landscape: doc.landscape,
        tables: doc
            .tables
            .iter()
            .map(|t| PrintTable {
                caption: t.caption.clone(),
                headings: t
                    .headings
                    .iter()
                    .cloned()
                    .zip(t.print_widths.iter().copied())
                    .collect(),
                rows: t.rows.iter().map(|r| print_row(r)).collect(),
                total: t.total.as_ref().map(|r| print_row(r)),
            })
            .collect(),
        notes: doc.notes.clone(),
    };
    page.render()
        .map_err(|e| ReportError::Export(e.to_string()))
}

/// A file: its bytes, media type and name.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportFile {
    /// The content.
    pub bytes: Vec<u8>,
    /// Media type.
    pub content_type: &'static str,
    /// Suggested file name.
    pub file_name: String,
}

/// Writes `value` (JSON) or `doc` in `format`.
pub fn render<T: serde::Serialize>(
    format: ExportFormat,
    value: &T,
    doc: &Printable,
    head: &Letterhead,
) -> Result<ExportFile, ReportError> {
    let bytes = match format {
        ExportFormat::Json => {
            serde_json::to_vec_pretty(value).map_err(|e| ReportError::Export(e.to_string()))?
        }
        ExportFormat::Csv => to_csv(doc).into_bytes(),
        ExportFormat::Xlsx => to_xlsx(doc, head)?,
        ExportFormat::Html => to_html(doc, head)?.into_bytes(),
    };
    Ok(ExportFile {
        bytes,
        content_type: format.content_type(),
        file_name: format!("{}.{}", doc.file_stem, format.extension()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn the_date_line_follows_the_decree() {
        let mut head = Letterhead {
            parent: None,
            office: "Văn phòng".into(),
            place: Some("Kiên Giang".into()),
            date: d(2026, 2, 5),
        };
        assert_eq!(
            head.place_and_date(),
            "Kiên Giang, ngày 05 tháng 02 năm 2026"
        );
        head.date = d(2026, 11, 30);
        head.place = None;
        assert_eq!(head.place_and_date(), "……, ngày 30 tháng 11 năm 2026");
    }

    #[test]
    fn csv_quotes_what_needs_quoting() {
        let doc = Printable {
            file_stem: "x".into(),
            title: "T".into(),
            subtitle: vec![],
            landscape: false,
            tables: vec![Table {
                sheet: "S".into(),
                caption: None,
                headings: vec!["A".into(), "B".into()],
                widths: vec![1.0, 1.0],
                print_widths: vec![50, 50],
                rows: vec![vec![
                    Cell::text("Sở \"A\", tỉnh B"),
                    Cell::Date(Some(d(2026, 3, 5))),
                ]],
                total: None,
            }],
            notes: vec![],
        };
        assert_eq!(
            to_csv(&doc),
            "\u{feff}A,B\r\n\"Sở \"\"A\"\", tỉnh B\",2026-03-05\r\n"
        );
    }

    #[test]
    fn the_page_escapes_text_and_carries_the_national_heading() {
        let entry_doc = Printable {
            file_stem: "x".into(),
            title: "Sổ đăng ký văn bản đến".into(),
            subtitle: vec!["Năm 2026".into()],
            landscape: true,
            tables: vec![Table {
                sheet: "S".into(),
                caption: None,
                headings: vec!["Số đến".into()],
                widths: vec![1.0],
                print_widths: vec![100],
                rows: vec![vec![Cell::text("<script>")]],
                total: None,
            }],
            notes: vec![],
        };
        let head = Letterhead {
            parent: Some("UBND tỉnh Kiên Giang".into()),
            office: "Văn phòng".into(),
            place: None,
            date: d(2026, 11, 30),
        };
        let html = to_html(&entry_doc, &head).unwrap();
        assert!(html.contains("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"));
        assert!(html.contains("Độc lập - Tự do - Hạnh phúc"));
        assert!(html.contains("UBND TỈNH KIÊN GIANG"));
        assert!(html.contains("SỔ ĐĂNG KÝ VĂN BẢN ĐẾN"));
        assert!(html.contains("A4 landscape"));
        assert!(!html.contains("<script>"));
    }
}
