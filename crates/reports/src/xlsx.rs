//! XLSX rendering: a summary sheet (title, facts, text) and one sheet per table, with
//! numbers stored as numbers (rupiah formatted, still summable in the spreadsheet).

use crate::{Block, Cell, RenderError, Report};
use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};

fn err(e: XlsxError) -> RenderError {
    RenderError::Xlsx(e.to_string())
}

/// Sheet names: at most 31 characters, none of `[]:*?/\`, unique in the workbook.
fn sheet_name(wanted: &str, taken: &mut Vec<String>) -> String {
    let clean: String = wanted.chars().filter(|c| !"[]:*?/\\'".contains(*c)).take(28).collect();
    let clean = if clean.trim().is_empty() { "Tabel".to_string() } else { clean };
    let mut name = clean.clone();
    let mut n = 2;
    while taken.iter().any(|t| t.eq_ignore_ascii_case(&name)) {
        name = format!("{clean} {n}");
        n += 1;
    }
    taken.push(name.clone());
    name
}

fn write_cell(ws: &mut Worksheet, row: u32, col: u16, cell: &Cell, f: &Formats) -> Result<(), RenderError> {
    match cell {
        Cell::Text(s) => ws.write_string_with_format(row, col, crate::neutralise(s), &f.plain).map(|_| ()),
        Cell::Int(n) => ws.write_number_with_format(row, col, *n as f64, &f.int).map(|_| ()),
        Cell::Rupiah(n) => ws.write_number_with_format(row, col, *n as f64, &f.rupiah).map(|_| ()),
        Cell::BasisPoints(bp) => ws.write_number_with_format(row, col, *bp as f64 / 10_000.0, &f.percent).map(|_| ()),
        Cell::Empty => Ok(()),
    }
    .map_err(err)
}

struct Formats {
    plain: Format,
    bold: Format,
    title: Format,
    int: Format,
    rupiah: Format,
    percent: Format,
}

/// Renders the report as an XLSX workbook.
pub fn to_xlsx(report: &Report) -> Result<Vec<u8>, RenderError> {
    let f = Formats {
        plain: Format::new(),
        bold: Format::new().set_bold(),
        title: Format::new().set_bold().set_font_size(14),
        int: Format::new().set_num_format("#,##0"),
        rupiah: Format::new().set_num_format("\"Rp\" #,##0"),
        percent: Format::new().set_num_format("0.00%"),
    };
    let mut wb = Workbook::new();
    let mut taken = Vec::new();

    let summary = wb.add_worksheet();
    summary.set_name(sheet_name("Ringkasan", &mut taken)).map_err(err)?;
    summary.write_string_with_format(0, 0, crate::neutralise(&report.title), &f.title).map_err(err)?;
    let mut row = 2u32;
    for (k, v) in &report.meta {
        summary.write_string_with_format(row, 0, crate::neutralise(k), &f.bold).map_err(err)?;
        summary.write_string(row, 1, crate::neutralise(v)).map_err(err)?;
        row += 1;
    }
    row += 1;
    for block in &report.blocks {
        match block {
            Block::Heading(h) => {
                summary.write_string_with_format(row, 0, crate::neutralise(h), &f.bold).map_err(err)?;
                row += 1;
            }
            Block::Text(t) => {
                summary.write_string(row, 0, crate::neutralise(t)).map_err(err)?;
                row += 1;
            }
            Block::Facts(facts) => {
                for (k, v) in facts {
                    summary.write_string_with_format(row, 0, crate::neutralise(k), &f.bold).map_err(err)?;
                    summary.write_string(row, 1, crate::neutralise(v)).map_err(err)?;
                    row += 1;
                }
                row += 1;
            }
            Block::Table(t) => {
                summary.write_string(row, 0, format!("→ {}", t.name)).map_err(err)?;
                row += 1;
            }
        }
    }
    summary.set_column_width(0, 32).map_err(err)?;
    summary.set_column_width(1, 40).map_err(err)?;

    for block in &report.blocks {
        let Block::Table(t) = block else { continue };
        let ws = wb.add_worksheet();
        ws.set_name(sheet_name(&t.name, &mut taken)).map_err(err)?;
        for (c, title) in t.columns.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, crate::neutralise(title), &f.bold).map_err(err)?;
        }
        for (r, cells) in t.rows.iter().enumerate() {
            for (c, cell) in cells.iter().enumerate() {
                write_cell(ws, r as u32 + 1, c as u16, cell, &f)?;
            }
        }
        if let Some(totals) = &t.totals {
            let r = t.rows.len() as u32 + 1;
            for (c, cell) in totals.iter().enumerate() {
                write_cell(ws, r, c as u16, cell, &f)?;
            }
        }
        ws.set_freeze_panes(1, 0).map_err(err)?;
        ws.autofit();
    }
    wb.save_to_buffer().map_err(err)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sheet_names_are_short_clean_and_unique() {
        let mut taken = Vec::new();
        assert_eq!(sheet_name("Neraca: 2026/12", &mut taken), "Neraca 202612");
        assert_eq!(sheet_name("Neraca: 2026/12", &mut taken), "Neraca 202612 2");
        let long = sheet_name(&"x".repeat(60), &mut taken);
        assert!(long.chars().count() <= 31);
    }
}

/// One sheet of plain text cells: a header row, then the rows. Everything is written as text
/// (a NIK or a KK number must keep its 16 digits), except cells given as counts.
pub struct PlainSheet<'a> {
    pub name: &'a str,
    pub header: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

/// A workbook of [`PlainSheet`]s with their exact names (another system reads them by name,
/// as OpenSID reads "Data Penduduk").
pub fn sheets_to_xlsx(sheets: &[PlainSheet<'_>]) -> Result<Vec<u8>, RenderError> {
    let f = Formats {
        plain: Format::new(),
        bold: Format::new().set_bold(),
        title: Format::new().set_bold(),
        int: Format::new().set_num_format("0"),
        rupiah: Format::new().set_num_format("\"Rp\" #,##0"),
        percent: Format::new().set_num_format("0.00%"),
    };
    let mut wb = Workbook::new();
    for s in sheets {
        let ws = wb.add_worksheet();
        ws.set_name(s.name).map_err(err)?;
        for (c, h) in s.header.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, crate::neutralise(h), &f.bold).map_err(err)?;
        }
        for (r, row) in s.rows.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                write_cell(ws, r as u32 + 1, c as u16, cell, &f)?;
            }
        }
    }
    wb.save_to_buffer().map_err(err)
}
