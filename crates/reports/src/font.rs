//! The PDF font: DejaVu Sans (regular and bold, `fonts/`, Bitstream Vera licence), embedded so
//! every Latin letter a name may hold prints (the standard Helvetica knew only WinAnsi).
//! Widths come from the font itself, so measured text is exactly what is drawn.

use std::sync::LazyLock;

pub struct Font {
    pub data: &'static [u8],
    pub face: ttf_parser::Face<'static>,
    /// Font units per em, to turn advances into thousandths of an em.
    per_em: f32,
    /// The PostScript name written into the PDF.
    pub name: &'static str,
}

impl Font {
    fn load(data: &'static [u8], name: &'static str) -> Font {
        // A compiled-in font that does not parse is a build mistake, caught by the tests.
        let face = ttf_parser::Face::parse(data, 0).expect("the embedded DejaVu font parses");
        let per_em = face.units_per_em() as f32;
        Font { data, face, per_em, name }
    }

    /// The font's glyph for `c` (0, the .notdef box, when it has none).
    pub fn glyph(&self, c: char) -> u16 {
        self.face.glyph_index(c).map(|g| g.0).unwrap_or(0)
    }

    /// Advance width of a glyph in thousandths of an em.
    pub fn advance_of(&self, glyph: u16) -> f32 {
        self.face.glyph_hor_advance(ttf_parser::GlyphId(glyph)).unwrap_or(0) as f32 * 1000.0 / self.per_em
    }

    /// Advance width of `c` in thousandths of an em.
    pub fn advance(&self, c: char) -> f32 {
        self.advance_of(self.glyph(c))
    }

    /// A font-unit value in thousandths of an em.
    pub fn scale(&self, v: i16) -> f32 {
        v as f32 * 1000.0 / self.per_em
    }
}

pub static REGULAR: LazyLock<Font> =
    LazyLock::new(|| Font::load(include_bytes!("../fonts/DejaVuSans.ttf"), "DejaVuSans"));
pub static BOLD: LazyLock<Font> =
    LazyLock::new(|| Font::load(include_bytes!("../fonts/DejaVuSans-Bold.ttf"), "DejaVuSans-Bold"));

pub fn of(bold: bool) -> &'static Font {
    if bold { &BOLD } else { &REGULAR }
}
