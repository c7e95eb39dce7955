//! PDF rendering with an embedded DejaVu Sans (`font`; subset to the glyphs a document uses,
//! with a ToUnicode map so its text can be searched and copied): A4 portrait, text wrapped by
//! measured width, tables that continue on the next page with their header repeated, "page n
//! of m" in the footer.

use crate::font::{self, Font};
use crate::{Block, Cell, Report, Table};
use pdf_writer::types::{CidFontType, FontFlags, SystemInfo, UnicodeCmap};
use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str, TextStr};
use std::collections::BTreeSet;

const PAGE_W: f32 = 595.0;
const PAGE_H: f32 = 842.0;
const MARGIN: f32 = 40.0;
const BODY: f32 = 9.0;
const ROW_H: f32 = 13.0;
const REGULAR: Name = Name(b"F1");
const BOLD: Name = Name(b"F2");

fn char_width(c: char, bold: bool) -> f32 {
    font::of(bold).advance(c)
}

fn text_width(s: &str, size: f32, bold: bool) -> f32 {
    s.chars().map(|c| char_width(c, bold)).sum::<f32>() * size / 1000.0
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
    wrap_styled(s, size, false, width)
}

/// [`wrap`] in regular or bold; a single word wider than the line is cut with "…".
fn wrap_styled(s: &str, size: f32, bold: bool, width: f32) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in s.split_whitespace() {
        let candidate = if line.is_empty() { word.to_string() } else { format!("{line} {word}") };
        if text_width(&candidate, size, bold) <= width || line.is_empty() {
            line = candidate;
        } else {
            lines.push(std::mem::take(&mut line));
            line = word.to_string();
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    if lines.is_empty() {
        lines.push(String::new());
    }
    lines.into_iter().map(|l| fit(&l, size, bold, width)).collect()
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

/// Smallest type a table may shrink to so that every number still shows whole.
const MIN_TABLE_SIZE: f32 = 5.0;
/// Horizontal padding inside a cell (both sides together).
const CELL_PAD: f32 = 6.0;

/// How a table sits on the page: its column widths and its type size. Numbers are never cut:
/// a numeric column is as wide as its widest number (totals included, in bold); text wraps
/// at spaces; when even that is too wide, the whole table gets smaller type.
struct TableFit {
    widths: Vec<f32>,
    size: f32,
    numeric: Vec<bool>,
}

fn numeric_columns(t: &Table) -> Vec<bool> {
    let n = t.columns.len().max(1);
    (0..n).map(|i| t.rows.iter().chain(t.totals.iter()).any(|r| r.get(i).is_some_and(Cell::is_numeric))).collect()
}

/// Widths at `size`: (natural: everything on one line, least: text broken at every space,
/// numbers whole), padding included.
fn measure(t: &Table, numeric: &[bool], size: f32) -> (Vec<f32>, Vec<f32>) {
    let n = numeric.len();
    let longest_word =
        |s: &str, bold: bool| s.split_whitespace().map(|w| text_width(w, size, bold)).fold(0.0, f32::max);
    let mut natural = vec![0.0f32; n];
    let mut least = vec![0.0f32; n];
    for (i, c) in t.columns.iter().enumerate() {
        // A heading may wrap even over a numeric column.
        let whole = text_width(c, size, true);
        if i < n {
            natural[i] = natural[i].max(whole);
            least[i] = least[i].max(longest_word(c, true));
        }
    }
    let mut take = |i: usize, text: &str, bold: bool| {
        if i >= n {
            return;
        }
        let whole = text_width(text, size, bold);
        natural[i] = natural[i].max(whole);
        least[i] = least[i].max(if numeric[i] { whole } else { longest_word(text, bold) });
    };
    for row in t.rows.iter().take(500) {
        for (i, cell) in row.iter().enumerate() {
            take(i, &cell.display(), false);
        }
    }
    if let Some(totals) = &t.totals {
        for (i, cell) in totals.iter().enumerate() {
            take(i, &cell.display(), true);
        }
    }
    let pad = |v: Vec<f32>| v.into_iter().map(|w| w + CELL_PAD + 2.0).collect::<Vec<f32>>();
    (pad(natural), pad(least))
}

fn table_fit(t: &Table) -> TableFit {
    let numeric = numeric_columns(t);
    let available = PAGE_W - 2.0 * MARGIN;
    let (mut natural, mut least) = measure(t, &numeric, BODY);
    let mut size = BODY;
    let least_sum: f32 = least.iter().sum();
    if least_sum > available {
        // Text widths scale with the type size, the padding does not.
        let pads = (CELL_PAD + 2.0) * least.len() as f32;
        size = (BODY * (available - pads) / (least_sum - pads).max(1.0)).clamp(MIN_TABLE_SIZE, BODY);
        (natural, least) = measure(t, &numeric, size);
    }
    let natural_sum: f32 = natural.iter().sum();
    if natural_sum <= available {
        return TableFit { widths: natural, size, numeric };
    }
    // Every column gets its least width; the rest of the line goes to the columns that want
    // more, in proportion to how much more they want.
    let least_sum: f32 = least.iter().sum();
    let spare = (available - least_sum).max(0.0);
    let wants: f32 = natural.iter().zip(&least).map(|(n, l)| n - l).sum();
    let widths =
        natural.iter().zip(&least).map(|(n, l)| if wants > 0.0 { l + (n - l) * spare / wants } else { *l }).collect();
    TableFit { widths, size, numeric }
}

/// One row: text cells wrapped to their column, numbers on one line at the right edge.
/// Returns the row's height.
fn draw_row(l: &mut Layout, fit_: &TableFit, cells: &[Cell], bold: bool, shade: bool) -> f32 {
    let size = fit_.size;
    let line_h = size * 1.3;
    let lines: Vec<Vec<String>> = fit_
        .widths
        .iter()
        .enumerate()
        .map(|(i, w)| {
            let text = cells.get(i).map(Cell::display).unwrap_or_default();
            if fit_.numeric.get(i).copied().unwrap_or(false) && cells.get(i).is_some_and(Cell::is_numeric) {
                vec![text]
            } else {
                wrap_styled(&text, size, bold, w - CELL_PAD)
            }
        })
        .collect();
    let count = lines.iter().map(Vec::len).max().unwrap_or(1).max(1);
    let row_h = size * 1.45 + line_h * (count - 1) as f32;
    l.y -= row_h;
    let bottom = l.y;
    if shade {
        let width: f32 = fit_.widths.iter().sum();
        l.ops().push(Op::Shade { x: MARGIN, y: bottom, w: width, h: row_h });
    }
    let mut x = MARGIN;
    for (i, w) in fit_.widths.iter().enumerate() {
        for (k, text) in lines[i].iter().enumerate() {
            let tx = if fit_.numeric.get(i).copied().unwrap_or(false) {
                x + w - CELL_PAD / 2.0 - text_width(text, size, bold)
            } else {
                x + CELL_PAD / 2.0
            };
            let y = bottom + size * 0.39 + line_h * (count - 1 - k) as f32;
            l.ops().push(Op::Text { x: tx, y, size, bold, text: text.clone() });
        }
        x += w;
    }
    row_h
}

/// The height a row will take, to start a new page before it rather than through it.
fn row_height(fit_: &TableFit, cells: &[Cell], bold: bool) -> f32 {
    let count = fit_
        .widths
        .iter()
        .enumerate()
        .map(|(i, w)| match cells.get(i) {
            Some(c) if !c.is_numeric() => wrap_styled(&c.display(), fit_.size, bold, w - CELL_PAD).len(),
            _ => 1,
        })
        .max()
        .unwrap_or(1)
        .max(1);
    fit_.size * 1.45 + fit_.size * 1.3 * (count - 1) as f32
}

fn draw_table(l: &mut Layout, t: &Table) {
    let fit_ = table_fit(t);
    let width: f32 = fit_.widths.iter().sum();
    let header: Vec<Cell> = t.columns.iter().map(|c| Cell::Text(c.clone())).collect();
    let head_h = row_height(&fit_, &header, true);
    l.room(head_h + ROW_H);
    draw_row(l, &fit_, &header, true, true);
    if t.rows.is_empty() {
        draw_row(l, &fit_, &[Cell::Text("—".into())], false, false);
    }
    for row in &t.rows {
        if l.room(row_height(&fit_, row, false)) {
            draw_row(l, &fit_, &header, true, true);
        }
        draw_row(l, &fit_, row, false, false);
        let y = l.y;
        l.ops().push(Op::Line { x1: MARGIN, y1: y, x2: MARGIN + width, y2: y });
    }
    if let Some(totals) = &t.totals {
        if l.room(row_height(&fit_, totals, true)) {
            draw_row(l, &fit_, &header, true, true);
        }
        draw_row(l, &fit_, totals, true, false);
    }
    l.y -= 8.0;
}

/// Renders the report as a PDF document.
pub fn to_pdf(report: &Report) -> Vec<u8> {
    write(report, lay_out(report).pages)
}

/// Every text the report's pages show, in order (the PDF holds glyph ids, not text).
#[cfg(test)]
pub(crate) fn shown_text(report: &Report) -> Vec<String> {
    let pages = lay_out(report).pages;
    pages
        .into_iter()
        .flatten()
        .filter_map(|op| if let Op::Text { text, .. } = op { Some(text) } else { None })
        .collect()
}

fn lay_out(report: &Report) -> Layout {
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
    l
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
    let info = alloc();
    let ids: Vec<(Ref, Ref)> = pages.iter().map(|_| (alloc(), alloc())).collect();
    let total = pages.len();

    // Every text drawn, footers included, so each font is subset to exactly what is used.
    let footers: Vec<Op> = (0..total)
        .map(|n| {
            let footer = format!("{} — {}/{}", report.title, n + 1, total);
            let text = fit(&footer, 7.0, false, PAGE_W - 2.0 * MARGIN);
            Op::Text { x: MARGIN, y: MARGIN - 16.0, size: 7.0, bold: false, text }
        })
        .collect();
    let mut used = [BTreeSet::new(), BTreeSet::new()];
    for op in pages.iter().flatten().chain(&footers) {
        if let Op::Text { bold, text, .. } = op {
            used[*bold as usize].extend(text.chars());
        }
    }
    let regular = Embedded::new(&font::REGULAR, &used[0]);
    let bold = Embedded::new(&font::BOLD, &used[1]);
    let regular_ref = regular.write(&mut pdf, &mut alloc);
    let bold_ref = bold.write(&mut pdf, &mut alloc);

    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree).kids(ids.iter().map(|(p, _)| *p)).count(ids.len() as i32);
    pdf.document_info(info).title(TextStr(&report.title)).producer(TextStr("Desmigratif"));

    for ((ops, (page_id, content_id)), footer_op) in pages.into_iter().zip(ids).zip(footers) {
        let mut page = pdf.page(page_id);
        page.media_box(Rect::new(0.0, 0.0, PAGE_W, PAGE_H));
        page.parent(tree);
        page.contents(content_id);
        {
            let mut resources = page.resources();
            let mut fonts = resources.fonts();
            fonts.pair(REGULAR, regular_ref);
            fonts.pair(BOLD, bold_ref);
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
        for op in ops.iter().chain(std::iter::once(&footer_op)) {
            if let Op::Text { x, y, size, bold: is_bold, text } = op {
                let (name, font) = if *is_bold { (BOLD, &bold) } else { (REGULAR, &regular) };
                c.begin_text();
                c.set_font(name, *size);
                c.next_line(*x, *y);
                c.show(Str(&font.encode(text)));
                c.end_text();
            }
        }
        pdf.stream(content_id, &c.finish());
    }
    pdf.finish()
}

/// One embedded font of a document: the glyphs its text uses, renumbered from 1 (the subset's
/// glyph ids, written as two bytes per character with Identity-H).
struct Embedded {
    font: &'static Font,
    remap: subsetter::GlyphRemapper,
    /// The characters shown, with the glyph each became, for the ToUnicode map.
    chars: Vec<(char, u16)>,
    /// The font program: the subset, or the whole font if subsetting failed (then glyph ids
    /// are the font's own).
    program: Vec<u8>,
    subset: bool,
}

impl Embedded {
    fn new(font: &'static Font, used: &BTreeSet<char>) -> Embedded {
        let mut remap = subsetter::GlyphRemapper::new();
        let mut chars = Vec::with_capacity(used.len());
        for &c in used {
            chars.push((c, remap.remap(font.glyph(c))));
        }
        let (program, subset) = match subsetter::subset(font.data, 0, &remap) {
            Ok(p) => (p, true),
            Err(_) => (font.data.to_vec(), false),
        };
        if !subset {
            chars = used.iter().map(|&c| (c, font.glyph(c))).collect();
        }
        Embedded { font, remap, chars, program, subset }
    }

    fn glyph(&self, c: char) -> u16 {
        let original = self.font.glyph(c);
        if self.subset { self.remap.get(original).unwrap_or(0) } else { original }
    }

    fn encode(&self, text: &str) -> Vec<u8> {
        text.chars().flat_map(|c| self.glyph(c).to_be_bytes()).collect()
    }

    /// Writes the Type 0 font with its CID font, descriptor, program and ToUnicode map;
    /// returns the reference the pages use.
    fn write(&self, pdf: &mut Pdf, alloc: &mut impl FnMut() -> Ref) -> Ref {
        let (type0, cid, descriptor, file, cmap) = (alloc(), alloc(), alloc(), alloc(), alloc());
        // A subset's name carries a six-letter tag (PDF 32000-1, 9.6.4).
        let base = if self.subset { format!("DSMGRT+{}", self.font.name) } else { self.font.name.to_string() };
        let base = Name(base.as_bytes());
        let info = SystemInfo { registry: Str(b"Adobe"), ordering: Str(b"Identity"), supplement: 0 };
        pdf.type0_font(type0)
            .base_font(base)
            .encoding_predefined(Name(b"Identity-H"))
            .descendant_font(cid)
            .to_unicode(cmap);
        let widths: Vec<f32> = if self.subset {
            self.remap.remapped_gids().map(|old| self.font.advance_of(old)).collect()
        } else {
            (0..self.font.face.number_of_glyphs()).map(|g| self.font.advance_of(g)).collect()
        };
        let mut cid_font = pdf.cid_font(cid);
        cid_font
            .subtype(CidFontType::Type2)
            .base_font(base)
            .system_info(info)
            .font_descriptor(descriptor)
            .default_width(0.0)
            .cid_to_gid_map_predefined(Name(b"Identity"));
        cid_font.widths().consecutive(0, widths);
        cid_font.finish();
        let face = &self.font.face;
        let b = face.global_bounding_box();
        let f = self.font;
        pdf.font_descriptor(descriptor)
            .name(base)
            .flags(FontFlags::NON_SYMBOLIC)
            .bbox(Rect::new(f.scale(b.x_min), f.scale(b.y_min), f.scale(b.x_max), f.scale(b.y_max)))
            .italic_angle(0.0)
            .ascent(f.scale(face.ascender()))
            .descent(f.scale(face.descender()))
            .cap_height(f.scale(face.capital_height().unwrap_or(face.ascender())))
            .stem_v(80.0)
            .font_file2(file);
        pdf.stream(file, &self.program).pair(Name(b"Length1"), self.program.len() as i32);
        let mut map = UnicodeCmap::new(Name(b"Desmigratif-UTF16"), info);
        for (c, g) in &self.chars {
            map.pair(*g, *c);
        }
        pdf.cmap(cmap, &map.finish());
        type0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Names beyond WinAnsi (Helvetica printed "?" for them) have glyphs in the embedded font.
    #[test]
    fn latin_names_have_glyphs() {
        for c in "ÁáĂăĄąĆćČčĐđĘęĞğİıŁłŃńŌōŘřŞşŠšŢţŪūŽžŋƏə€…–—’“”".chars()
        {
            assert_ne!(font::REGULAR.glyph(c), 0, "{c}");
            assert_ne!(font::BOLD.glyph(c), 0, "{c}");
        }
        assert!(text_width("Rp 1.000", 9.0, true) > text_width("Rp 1.000", 9.0, false));
    }

    /// The font is embedded as a subset with a ToUnicode map, and the file stays small.
    #[test]
    fn the_font_is_embedded_as_a_small_subset() {
        let report = Report {
            title: "Laporan Ştefan Çelik — Rp 270.000.000".into(),
            meta: vec![],
            blocks: vec![Block::Text("Nama: Đorđe Łukasz Ñañez".into())],
        };
        let bytes = to_pdf(&report);
        let text = String::from_utf8_lossy(&bytes);
        assert!(text.contains("/FontFile2") && text.contains("/ToUnicode") && text.contains("/Identity-H"));
        assert!(text.contains("+DejaVuSans"), "a subset");
        assert!(bytes.len() < 80_000, "{} bytes", bytes.len());
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
        let w: f32 = table_fit(&t).widths.iter().sum();
        assert!(w <= PAGE_W - 2.0 * MARGIN + 0.5, "{w}");
    }

    /// The trial balance's totals were cut ("Jumlah Rp 270.0…"): numbers, bold totals
    /// included, always fit their column whole, also in a table too wide for the page.
    #[test]
    fn numbers_and_totals_are_never_cut() {
        for cols in [3usize, 6, 9] {
            let columns: Vec<String> = (0..cols).map(|i| format!("Saldo akhir kolom {i}")).collect();
            let row = |label: &str, v: i64| {
                std::iter::once(Cell::Text(label.into())).chain((1..cols).map(|_| Cell::Rupiah(v))).collect::<Vec<_>>()
            };
            let t = Table {
                name: "Neraca saldo".into(),
                columns,
                rows: vec![row("Kas dan setara kas di bank desa yang sangat panjang namanya", 1_500_000)],
                totals: Some(row("Jumlah", 270_000_000)),
            };
            let fit_ = table_fit(&t);
            let w: f32 = fit_.widths.iter().sum();
            assert!(w <= PAGE_W - 2.0 * MARGIN + 0.5, "{cols}: {w}");
            for (i, width) in fit_.widths.iter().enumerate().skip(1) {
                let total = t.totals.as_ref().unwrap()[i].display();
                assert!(
                    text_width(&total, fit_.size, true) <= width - CELL_PAD + 0.01,
                    "{cols} columns: {total} does not fit {width} at {}",
                    fit_.size
                );
            }
            let mut l = Layout::new();
            draw_table(&mut l, &t);
            let texts: Vec<&str> = l
                .pages
                .iter()
                .flatten()
                .filter_map(|op| if let Op::Text { text, .. } = op { Some(text.as_str()) } else { None })
                .collect();
            assert!(texts.contains(&"Rp 270.000.000"), "{cols}: {texts:?}");
            assert!(!texts.iter().any(|t| t.starts_with("Rp") && t.ends_with('…')), "{texts:?}");
        }
    }

    #[test]
    fn long_text_cells_wrap_instead_of_being_cut() {
        let t = Table {
            name: "t".into(),
            columns: vec!["Akun".into(), "Debit".into(), "Kredit".into()],
            rows: vec![vec![
                Cell::Text("Pendapatan jasa pinjaman anggota koperasi simpan pinjam desa migran produktif".repeat(3)),
                Cell::Rupiah(1),
                Cell::Rupiah(2),
            ]],
            totals: None,
        };
        let mut l = Layout::new();
        draw_table(&mut l, &t);
        let texts: Vec<String> = l
            .pages
            .iter()
            .flatten()
            .filter_map(|op| if let Op::Text { text, .. } = op { Some(text.clone()) } else { None })
            .collect();
        assert!(
            texts.iter().filter(|t| t.starts_with("anggota") || t.contains("Pendapatan")).count() >= 2,
            "{texts:?}"
        );
        assert!(!texts.iter().any(|t| t.ends_with('…')), "{texts:?}");
    }
}
