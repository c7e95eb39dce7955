//! File downloads: one way to send a report as PDF, XLSX or CSV — always as an
//! attachment (never rendered inline), never cached (reports can hold personal data),
//! with a file name that is safe in a header.

use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

/// Formats a report can be downloaded in; `?format=pdf|xlsx|csv`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Pdf,
    Xlsx,
    Csv,
}

impl Format {
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Pdf => "application/pdf",
            Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            Format::Csv => "text/csv; charset=utf-8",
        }
    }
    pub fn extension(self) -> &'static str {
        match self {
            Format::Pdf => "pdf",
            Format::Xlsx => "xlsx",
            Format::Csv => "csv",
        }
    }
}

/// A file name for Content-Disposition: ASCII letters, digits, `-`, `_`, `.`; others → `-`.
pub fn safe_file_name(stem: &str, format: Format) -> String {
    let mut out: String = stem
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') { c } else { '-' })
        .take(80)
        .collect();
    while out.contains("--") {
        out = out.replace("--", "-");
    }
    let out = out.trim_matches(|c| c == '-' || c == '.');
    let out = if out.is_empty() { "laporan" } else { out };
    format!("{out}.{}", format.extension())
}

/// The bytes as a download named `stem.<ext>`.
pub fn attachment(bytes: Vec<u8>, format: Format, stem: &str) -> Response {
    let disposition = format!("attachment; filename=\"{}\"", safe_file_name(stem, format));
    (
        [
            (header::CONTENT_TYPE, format.content_type().to_string()),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, "no-store".to_string()),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
            // Opened in a tab anyway (a PDF viewer), a report runs nothing and reaches nothing.
            (header::CONTENT_SECURITY_POLICY, "default-src 'none'; sandbox".to_string()),
        ],
        bytes,
    )
        .into_response()
}

/// Renders `report` in `format` (CSV: its first table) and sends it as a download.
pub fn report(report: &reports::Report, format: Format, stem: &str) -> Response {
    let rendered = match format {
        Format::Pdf => Ok(reports::to_pdf(report)),
        Format::Xlsx => reports::to_xlsx(report),
        Format::Csv => {
            let first = report.blocks.iter().find_map(|b| match b {
                reports::Block::Table(t) => Some(t.clone()),
                _ => None,
            });
            reports::to_csv(&first.unwrap_or_default())
        }
    };
    match rendered {
        Ok(bytes) => attachment(bytes, format, stem),
        Err(e) => {
            tracing::error!(error = %e, "rendering a report failed");
            (axum::http::StatusCode::INTERNAL_SERVER_ERROR, "report rendering failed").into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_cannot_break_the_header() {
        assert_eq!(safe_file_name("Laporan RAT 2026", Format::Pdf), "Laporan-RAT-2026.pdf");
        assert_eq!(safe_file_name("a\"; evil=\r\n", Format::Csv), "a-evil.csv");
        assert_eq!(safe_file_name("", Format::Xlsx), "laporan.xlsx");
    }
}
