//! PDF rendering with the standard Helvetica fonts (every reader has them, nothing to
//! embed): A4 portrait, text wrapped by measured width, tables that continue on the next
//! page with their header repeated, "page n of m" in the footer.

use crate::{Block, Cell, Report, Table};
use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str, TextStr};

const PAGE_W: f32 = 595.0;
const PAGE_H: f32 = 842.0;
const MARGIN: f32 = 40.0;
const BODY: f32 = 9.0;
const ROW_H: f32 = 13.0;
const REGULAR: Name = Name(b"F1");
const BOLD: Name = Name(b"F2");

/// Helvetica advance widths (1/1000 em) for ASCII 32..=126, from the Adobe AFM.
const WIDTHS: [u16; 95] = [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, // ' '../
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, // 0-9
    278, 278, 584, 584, 584, 556, 1015, // :..@
    667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778, 667, 778, 722, 667, 611, 722, 667, 944,
    667, 667, 611, // A-Z
    278, 278, 278, 469, 556, 333, // [..`
    556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, 556, 556, 333, 500, 278, 556, 500, 722,
    500, 500, 500, // a-z
    334, 260, 334, 584, // {..~
];

fn char_width(c: char, bold: bool) -> f32 {
    let w = match c as u32 {
        32..=126 => WIDTHS[(c as u32 - 32) as usize] as f32,
        _ => 556.0,
    };
    if bold { w * 1.06 } else { w }
}

fn text_width(s: &str, size: f32, bold: bool) -> f32 {
    s.chars().map(|c| char_width(c, bold)).sum::<f32>() * size / 1000.0
}

/// UTF-8 to WinAnsi (the standard fonts' encoding); what it cannot hold becomes '?'.
fn win_ansi(s: &str) -> Vec<u8> {
    s.chars()
        .map(|c| match c as u32 {
            0x20..=0x7e | 0xa0..=0xff => c as u32 as u8,
            _ => match c {
                '€' => 0x80,
                '…' => 0x85,
                '‘' => 0x91,
                '’' => 0x92,
                '“' => 0x93,
                '”' => 0x94,
                '•' => 0x95,
                '–' => 0x96,
                '—' => 0x97,
                _ => b'?',
            },
        })
        .collect()
}

/// Cuts `s` to fit `width`, ending with "…" when cut.
fn fit(s: &str, size: f32, bold: bool, width: f32) -> String {
    if text_width(s, size, bold) <= width {
        return s.to_string();
    }
    let ellipsis = text_width("…", size, bold);
    let mut out = String::new();
    let mut used = 0.0;
    for c in s.chars() {
        let w = char_width(c, bold) * size / 1000.0;
        if used + w + ellipsis > width {
            break;
        }
        used += w;
        out.push(c);
    }
    out.push('…');
    out
}

/// Breaks a paragraph into lines no wider than `width`.
fn wrap(s: &str, size: f32, width: f32) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in s.split_whitespace() {
        let candidate = if line.is_empty() { word.to_string() } else { format!("{line} {word}") };
        if text_width(&candidate, size, false) <= width || line.is_empty() {
            line = candidate;
        } else {
            lines.push(std::mem::take(&mut line));
            line = word.to_string();
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines.into_iter().map(|l| fit(&l, size, false, width)).collect()
}

/// One drawing operation on a page, collected first so the footer can say "of m".
enum Op {
    Text { x: f32, y: f32, size: f32, bold: bool, text: String },
    Line { x1: f32, y1: f32, x2: f32, y2: f32 },
    Shade { x: f32, y: f32, w: f32, h: f32 },
}

struct Layout {
    pages: Vec<Vec<Op>>,
    y: f32,
}

impl Layout {
    fn new() -> Layout {
        Layout { pages: vec![Vec::new()], y: PAGE_H - MARGIN }
    }
    fn ops(&mut self) -> &mut Vec<Op> {
        self.pages.last_mut().expect("layout always has a page")
    }
    /// Makes room for `h` points, starting a new page when the current one is full.
    /// Returns true when a new page was started.
    fn room(&mut self, h: f32) -> bool {
        if self.y - h < MARGIN + 20.0 {
            self.pages.push(Vec::new());
            self.y = PAGE_H - MARGIN;
            true
        } else {
            false
        }
    }
    fn text(&mut self, x: f32, size: f32, bold: bool, text: String) {
        let y = self.y;
        self.ops().push(Op::Text { x, y, size, bold, text });
    }
    fn line_of(&mut self, size: f32, bold: bool, text: &str, gap: f32) {
        for l in wrap(text, size, PAGE_W - 2.0 * MARGIN) {
            self.room(size + gap);
            self.y -= size;
            self.text(MARGIN, size, bold, l);
            self.y -= gap;
        }
    }
}

fn column_widths(t: &Table) -> Vec<f32> {
    let n = t.columns.len().max(1);
    let available = PAGE_W - 2.0 * MARGIN;
    // Natural width: the widest of header and (a sample of) cells, plus padding.
    let mut natural: Vec<f32> = t.columns.iter().map(|c| text_width(c, BODY, true) + 8.0).collect();
    natural.resize(n, 20.0);
    for row in t.rows.iter().take(500).chain(t.totals.iter()) {
        for (i, cell) in row.iter().enumerate().take(n) {
            natural[i] = natural[i].max(text_width(&cell.display(), BODY, false) + 8.0);
        }
    }
    let total: f32 = natural.iter().sum();
    if total <= available {
        return natural;
    }
    // Shrink wide columns first: everyone keeps at least an equal share or its natural width.
    let fair = available / n as f32;
    let small: f32 = natural.iter().filter(|w| **w <= fair).sum();
    let big: f32 = natural.iter().filter(|w| **w > fair).sum();
    let left = available - small;
    natural.iter().map(|w| if *w <= fair { *w } else { w / big * left }).collect()
}

fn draw_row(l: &mut Layout, widths: &[f32], cells: &[Cell], bold: bool, numeric_cols: &[bool]) {
    let mut x = MARGIN;
    for (i, w) in widths.iter().enumerate() {
        let text = cells.get(i).map(Cell::display).unwrap_or_default();
        let text = fit(&text, BODY, bold, w - 6.0);
        let tx = if numeric_cols.get(i).copied().unwrap_or(false) {
            x + w - 3.0 - text_width(&text, BODY, bold)
        } else {
            x + 3.0
        };
        let y = l.y + 3.5;
        l.ops().push(Op::Text { x: tx, y, size: BODY, bold, text });
        x += w;
    }
}

fn draw_table(l: &mut Layout, t: &Table) {
    let widths = column_widths(t);
    let width: f32 = widths.iter().sum();
    let numeric: Vec<bool> =
        (0..widths.len()).map(|i| t.rows.iter().any(|r| r.get(i).is_some_and(Cell::is_numeric))).collect();
    let header: Vec<Cell> = t.columns.iter().map(|c| Cell::Text(c.clone())).collect();
    let head = |l: &mut Layout| {
        l.y -= ROW_H;
        let y = l.y;
        l.ops().push(Op::Shade { x: MARGIN, y, w: width, h: ROW_H });
        draw_row(l, &widths, &header, true, &numeric);
    };
    l.room(ROW_H * 2.0);
    head(l);
    if t.rows.is_empty() {
        l.y -= ROW_H;
        draw_row(l, &widths, &[Cell::Text("—".into())], false, &numeric);
    }
    for row in &t.rows {
        if l.room(ROW_H) {
            head(l);
        }
        l.y -= ROW_H;
        draw_row(l, &widths, row, false, &numeric);
        let y = l.y;
        l.ops().push(Op::Line { x1: MARGIN, y1: y, x2: MARGIN + width, y2: y });
    }
    if let Some(totals) = &t.totals {
        l.room(ROW_H);
        l.y -= ROW_H;
        draw_row(l, &widths, totals, true, &numeric);
    }
    l.y -= 8.0;
}

/// Renders the report as a PDF document.
pub fn to_pdf(report: &Report) -> Vec<u8> {
    let mut l = Layout::new();
    l.line_of(16.0, true, &report.title, 6.0);
    for (k, v) in &report.meta {
        l.line_of(BODY, false, &format!("{k}: {v}"), 3.0);
    }
    l.y -= 8.0;
    for block in &report.blocks {
        match block {
            Block::Heading(h) => {
                l.room(40.0);
                l.y -= 6.0;
                l.line_of(12.0, true, h, 4.0);
            }
            Block::Text(t) => {
                l.line_of(BODY, false, t, 3.0);
                l.y -= 4.0;
            }
            Block::Facts(facts) => {
                let key_w = facts.iter().map(|(k, _)| text_width(k, BODY, true)).fold(0.0, f32::max) + 12.0;
                let key_w = key_w.min((PAGE_W - 2.0 * MARGIN) / 2.0);
                for (k, v) in facts {
                    l.room(ROW_H);
                    l.y -= ROW_H;
                    l.text(MARGIN, BODY, true, fit(k, BODY, true, key_w - 6.0));
                    let value = fit(v, BODY, false, PAGE_W - 2.0 * MARGIN - key_w);
                    l.text(MARGIN + key_w, BODY, false, value);
                }
                l.y -= 8.0;
            }
            Block::Table(t) => draw_table(&mut l, t),
        }
    }
    write(report, l.pages)
}

fn write(report: &Report, pages: Vec<Vec<Op>>) -> Vec<u8> {
    let mut pdf = Pdf::new();
    let mut next = 1;
    let mut alloc = || {
        let r = Ref::new(next);
        next += 1;
        r
    };
    let catalog = alloc();
    let tree = alloc();
    let regular = alloc();
    let bold = alloc();
    let info = alloc();
    let ids: Vec<(Ref, Ref)> = pages.iter().map(|_| (alloc(), alloc())).collect();

    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree).kids(ids.iter().map(|(p, _)| *p)).count(ids.len() as i32);
    pdf.type1_font(regular).base_font(Name(b"Helvetica")).encoding_predefined(Name(b"WinAnsiEncoding"));
    pdf.type1_font(bold).base_font(Name(b"Helvetica-Bold")).encoding_predefined(Name(b"WinAnsiEncoding"));
    pdf.document_info(info).title(TextStr(&report.title)).producer(TextStr("Desmigratif"));

    let total = pages.len();
    for (n, (ops, (page_id, content_id))) in pages.into_iter().zip(ids).enumerate() {
        let mut page = pdf.page(page_id);
        page.media_box(Rect::new(0.0, 0.0, PAGE_W, PAGE_H));
        page.parent(tree);
        page.contents(content_id);
        {
            let mut resources = page.resources();
            let mut fonts = resources.fonts();
            fonts.pair(REGULAR, regular);
            fonts.pair(BOLD, bold);
        }
        page.finish();

        let mut c = Content::new();
        c.set_line_width(0.3);
        c.set_stroke_rgb(0.8, 0.8, 0.8);
        for op in &ops {
            match op {
                Op::Shade { x, y, w, h } => {
                    c.set_fill_rgb(0.9, 0.92, 0.95);
                    c.rect(*x, *y, *w, *h);
                    c.fill_nonzero();
                    c.set_fill_rgb(0.0, 0.0, 0.0);
                }
                Op::Line { x1, y1, x2, y2 } => {
                    c.move_to(*x1, *y1);
                    c.line_to(*x2, *y2);
                    c.stroke();
                }
                Op::Text { .. } => {}
            }
        }
        let footer = format!("{} — {}/{}", report.title, n + 1, total);
        let footer = fit(&footer, 7.0, false, PAGE_W - 2.0 * MARGIN);
        let footer_op = Op::Text { x: MARGIN, y: MARGIN - 16.0, size: 7.0, bold: false, text: footer };
        for op in ops.iter().chain(std::iter::once(&footer_op)) {
            if let Op::Text { x, y, size, bold, text } = op {
                c.begin_text();
                c.set_font(if *bold { BOLD } else { REGULAR }, *size);
                c.next_line(*x, *y);
                c.show(Str(&win_ansi(text)));
                c.end_text();
            }
        }
        pdf.stream(content_id, &c.finish());
    }
    pdf.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_outside_win_ansi_becomes_a_question_mark() {
        assert_eq!(win_ansi("Rp é…"), vec![b'R', b'p', b' ', 0xe9, 0x85]);
        assert_eq!(win_ansi("日"), vec![b'?']);
    }

    #[test]
    fn long_text_is_cut_with_an_ellipsis_to_fit() {
        let s = "Koperasi Simpan Pinjam Desa Masabewa Sejahtera";
        let cut = fit(s, 9.0, false, 60.0);
        assert!(cut.ends_with('…'));
        assert!(text_width(&cut, 9.0, false) <= 60.0);
        assert_eq!(fit("Ok", 9.0, false, 60.0), "Ok");
    }

    #[test]
    fn paragraphs_wrap_within_the_width() {
        let lines = wrap(&"kata ".repeat(200), 9.0, 200.0);
        assert!(lines.len() > 5);
        assert!(lines.iter().all(|l| text_width(l, 9.0, false) <= 200.0));
    }

    #[test]
    fn wide_tables_shrink_to_the_page() {
        let t = Table {
            name: "t".into(),
            columns: (0..8).map(|i| format!("Kolom panjang sekali nomor {i}")).collect(),
            rows: vec![],
            totals: None,
        };
        let w: f32 = column_widths(&t).iter().sum();
        assert!(w <= PAGE_W - 2.0 * MARGIN + 0.5, "{w}");
    }
}
