//! One report model — a title, facts about the report (region, period, generated at),
//! and blocks of headings, text, key–value facts and tables — rendered three ways:
//! PDF (`pdf`), XLSX (`xlsx`) and CSV (one table). Features build a [`Report`] from their
//! data; they never touch a file format. Pure: bytes in memory, no IO.

mod font;
mod pdf;
mod xlsx;

pub use pdf::to_pdf;
pub use xlsx::{PlainSheet, sheets_to_xlsx, to_xlsx};

/// A document to render.
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub title: String,
    /// Shown under the title: ("Wilayah", "Kabupaten Sikka"), ("Periode", "2026"), …
    pub meta: Vec<(String, String)>,
    pub blocks: Vec<Block>,
}

#[derive(Debug, Clone)]
pub enum Block {
    Heading(String),
    Text(String),
    Facts(Vec<(String, String)>),
    Table(Table),
}

/// A table: columns, rows and an optional totals row.
#[derive(Debug, Clone, Default)]
pub struct Table {
    /// Sheet name in XLSX (shortened to 31 characters); also the file stem for CSV.
    pub name: String,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
    pub totals: Option<Vec<Cell>>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Int(i64),
    /// Whole rupiah.
    Rupiah(i64),
    /// Basis points (1 % = 100), shown with two decimals.
    BasisPoints(i64),
    Empty,
}

impl From<&str> for Cell {
    fn from(s: &str) -> Cell {
        Cell::Text(s.to_string())
    }
}
impl From<String> for Cell {
    fn from(s: String) -> Cell {
        Cell::Text(s)
    }
}
impl From<i64> for Cell {
    fn from(n: i64) -> Cell {
        Cell::Int(n)
    }
}

impl Cell {
    /// The cell as people read it (Indonesian grouping: 1.234.567; 12,34 %).
    pub fn display(&self) -> String {
        match self {
            Cell::Text(s) => s.clone(),
            Cell::Int(n) => group_thousands(*n),
            Cell::Rupiah(n) => format!("Rp {}", group_thousands(*n)),
            Cell::BasisPoints(bp) => {
                let sign = if *bp < 0 { "-" } else { "" };
                let a = bp.unsigned_abs();
                format!("{sign}{},{:02} %", a / 100, a % 100)
            }
            Cell::Empty => String::new(),
        }
    }

    /// The cell for machines (CSV): plain integers, no grouping.
    pub fn raw(&self) -> String {
        match self {
            Cell::Text(s) => s.clone(),
            Cell::Int(n) | Cell::Rupiah(n) => n.to_string(),
            Cell::BasisPoints(bp) => {
                let sign = if *bp < 0 { "-" } else { "" };
                let a = bp.unsigned_abs();
                format!("{sign}{}.{:02}", a / 100, a % 100)
            }
            Cell::Empty => String::new(),
        }
    }

    fn is_numeric(&self) -> bool {
        matches!(self, Cell::Int(_) | Cell::Rupiah(_) | Cell::BasisPoints(_))
    }
}

/// 1234567 → "1.234.567" (the Indonesian thousands separator is a dot).
pub fn group_thousands(n: i64) -> String {
    group_thousands_by(n, '.')
}

/// Digits grouped by thousands with `sep` (',' in English).
pub fn group_thousands_by(n: i64, sep: char) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(sep);
        }
        out.push(c);
    }
    out
}

#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("spreadsheet: {0}")]
    Xlsx(String),
    #[error("csv: {0}")]
    Csv(String),
}

/// Text that a spreadsheet would read as a formula (`=`, `+`, `-`, `@`, or a tab or carriage
/// return before one) gets a leading `'`, so `=HYPERLINK(…)` typed into a name field is
/// shown, never run (OWASP "CSV injection"). Applied to text cells and headings only:
/// numeric cells (`Cell::Int`, `Rupiah`, `BasisPoints`) come from our own integers, so a
/// negative amount stays a number (`-1500` in CSV, a numeric cell in XLSX). A text cell
/// such as a phone number `+62…` is neutralised too, which also keeps its `+`.
pub fn neutralise(s: &str) -> std::borrow::Cow<'_, str> {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        std::borrow::Cow::Owned(format!("'{s}"))
    } else {
        std::borrow::Cow::Borrowed(s)
    }
}

impl Cell {
    /// The CSV value: numbers plain, text neutralised ([`neutralise`]).
    fn csv(&self) -> String {
        match self {
            Cell::Text(s) => neutralise(s).into_owned(),
            other => other.raw(),
        }
    }
}

/// One table as CSV (RFC 4180, UTF-8, header row; numbers unformatted so they sum).
pub fn to_csv(table: &Table) -> Result<Vec<u8>, RenderError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let err = |e: csv::Error| RenderError::Csv(e.to_string());
    w.write_record(table.columns.iter().map(|c| neutralise(c).into_owned())).map_err(err)?;
    for row in table.rows.iter().chain(table.totals.iter()) {
        w.write_record(row.iter().map(Cell::csv)).map_err(err)?;
    }
    w.into_inner().map_err(|e| RenderError::Csv(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Report {
        Report {
            title: "Laporan Uji".into(),
            meta: vec![("Wilayah".into(), "Kabupaten Sikka".into()), ("Periode".into(), "2026".into())],
            blocks: vec![
                Block::Heading("Ringkasan".into()),
                Block::Text("Teks panjang ".repeat(80)),
                Block::Facts(vec![("Anggota".into(), "12".into())]),
                Block::Table(Table {
                    name: "Simpanan anggota".into(),
                    columns: vec!["No".into(), "Nama".into(), "Saldo".into()],
                    rows: (1..=120)
                        .map(|i| vec![Cell::Int(i), Cell::Text(format!("Anggota ke-{i} é")), Cell::Rupiah(i * 1_000)])
                        .collect(),
                    totals: Some(vec![Cell::Empty, "Jumlah".into(), Cell::Rupiah(7_260_000)]),
                }),
            ],
        }
    }

    #[test]
    fn numbers_group_the_indonesian_way() {
        assert_eq!(group_thousands(0), "0");
        assert_eq!(group_thousands(999), "999");
        assert_eq!(group_thousands(1_000), "1.000");
        assert_eq!(group_thousands(-1_234_567), "-1.234.567");
        assert_eq!(Cell::Rupiah(2_500_000).display(), "Rp 2.500.000");
        assert_eq!(Cell::BasisPoints(1234).display(), "12,34 %");
        assert_eq!(Cell::BasisPoints(-5).raw(), "-0.05");
    }

    #[test]
    fn formulas_in_text_are_neutralised_numbers_stay_numbers() {
        let t = Table {
            name: "T".into(),
            columns: vec!["=cmd".into(), "Jumlah".into()],
            rows: vec![
                vec!["=HYPERLINK(\"http://evil.example\",\"x\")".into(), Cell::Rupiah(-1500)],
                vec!["@SUM(A1)".into(), Cell::Int(-3)],
                vec!["-2+3".into(), Cell::BasisPoints(-5)],
                vec!["\t=1+1".into(), Cell::Empty],
                vec!["Budi".into(), Cell::Int(7)],
            ],
            totals: None,
        };
        let out = String::from_utf8(to_csv(&t).unwrap()).unwrap();
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines[0], "'=cmd,Jumlah");
        assert_eq!(lines[1], "\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\")\",-1500");
        assert_eq!(lines[2], "'@SUM(A1),-3");
        assert_eq!(lines[3], "'-2+3,-0.05");
        assert!(lines[4].starts_with("'\t=1+1"), "{}", lines[4]);
        assert_eq!(lines[5], "Budi,7");
    }

    #[test]
    fn csv_keeps_numbers_plain_and_quotes_text() {
        let t = Table {
            name: "t".into(),
            columns: vec!["nama".into(), "jumlah".into()],
            rows: vec![vec!["Budi, S.".into(), Cell::Rupiah(1_500_000)]],
            totals: None,
        };
        let out = String::from_utf8(to_csv(&t).unwrap()).unwrap();
        assert_eq!(out, "nama,jumlah\n\"Budi, S.\",1500000\n");
    }

    #[test]
    fn pdf_is_a_pdf_with_every_page_and_the_title() {
        let bytes = to_pdf(&sample());
        assert!(bytes.starts_with(b"%PDF-"));
        let text = String::from_utf8_lossy(&bytes);
        assert!(text.contains("Laporan Uji"));
        // 120 rows do not fit one A4 page: the table continues, with its header repeated.
        let pages = text.matches("/Type /Page\n").count() + text.matches("/Type /Page ").count();
        assert!(pages >= 2, "pages: {pages}");
        // The last row made it.
        assert!(pdf::shown_text(&sample()).iter().any(|t| t == "Rp 120.000"));
        assert!(text.trim_end().ends_with("%%EOF"));
    }

    #[test]
    fn xlsx_is_a_zip_with_a_sheet_per_table() {
        let bytes = to_xlsx(&sample()).unwrap();
        assert!(bytes.starts_with(b"PK"));
        let s = String::from_utf8_lossy(&bytes);
        assert!(s.contains("xl/worksheets/sheet2.xml"), "summary sheet plus one per table");
    }
}
