//! Charts as server-rendered SVG: small, readable on a phone (they scale to the screen width,
//! text stays large), no JavaScript. Every chart on a page has its numbers in a table below
//! it; the SVG carries a `<title>` for screen readers.

use std::fmt::Write;

const PALETTE: [&str; 6] = ["#1f6f8b", "#e07a1f", "#5b8c2a", "#a23b72", "#6c757d", "#c9a227"];

/// A coordinate to one decimal, written through integers: `{:.1}` on an `f64` takes the
/// exact (bignum) formatting path, a twentieth of a dashboard's cost under load. Ignores the
/// precision asked for: it is always one decimal.
#[derive(Clone, Copy)]
struct D1(f64);

impl std::fmt::Display for D1 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let tenths = (self.0 * 10.0).round();
        if !tenths.is_finite() || tenths.abs() > 1e15 {
            return f.write_str("0.0");
        }
        let t = tenths as i64;
        let sign = if t < 0 { "-" } else { "" };
        let a = t.unsigned_abs();
        write!(f, "{sign}{}.{}", a / 10, a % 10)
    }
}

pub fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// A round upper bound for an axis (1, 2, 5 × 10^n).
fn nice_max(v: i64) -> i64 {
    let v = v.max(1);
    let mut step = 1i64;
    loop {
        for m in [1, 2, 5] {
            if m * step >= v {
                return m * step;
            }
        }
        step *= 10;
    }
}

/// One line per series over the same x labels.
pub fn line_chart(title: &str, x_labels: &[String], series: &[(String, Vec<i64>)]) -> String {
    let (w, h, left, bottom, top) = (640.0, 260.0, 48.0, 40.0, 28.0);
    let n = x_labels.len().max(1);
    let max = nice_max(series.iter().flat_map(|s| s.1.iter().copied()).max().unwrap_or(0));
    let plot_w = w - left - 12.0;
    let plot_h = h - bottom - top;
    let x = |i: usize| left + if n == 1 { plot_w / 2.0 } else { plot_w * i as f64 / (n - 1) as f64 };
    let y = |v: i64| top + plot_h - plot_h * v as f64 / max as f64;
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg class="chart" viewBox="0 0 {w} {h}" role="img" aria-label="{t}"><title>{t}</title>"#,
        t = escape(title)
    );
    axes(&mut s, left, top, plot_w, plot_h, max);
    let every = (n / 6).max(1);
    for (i, l) in x_labels.iter().enumerate() {
        if i % every == 0 || i == n - 1 {
            let _ = write!(
                s,
                r#"<text x="{:.1}" y="{:.1}" font-size="12" text-anchor="middle">{}</text>"#,
                D1(x(i)),
                D1(h - bottom + 16.0),
                escape(l)
            );
        }
    }
    for (si, (_, vals)) in series.iter().enumerate() {
        let pts: Vec<String> = vals.iter().enumerate().map(|(i, v)| format!("{},{}", D1(x(i)), D1(y(*v)))).collect();
        let color = PALETTE[si % PALETTE.len()];
        let _ = write!(s, r#"<polyline fill="none" stroke="{color}" stroke-width="2.5" points="{}"/>"#, pts.join(" "));
        if vals.len() <= 40 {
            for (i, v) in vals.iter().enumerate() {
                let _ = write!(s, r#"<circle cx="{:.1}" cy="{:.1}" r="2.5" fill="{color}"/>"#, D1(x(i)), D1(y(*v)));
            }
        }
    }
    legend(&mut s, series.iter().map(|x| x.0.as_str()), left, 16.0);
    s.push_str("</svg>");
    s
}

/// Horizontal bars, one per item. A picture only (`role="img"`): nothing in it is focusable,
/// so the drill-down links live in the table below it.
pub fn bar_chart(title: &str, items: &[(String, i64)]) -> String {
    let row = 26.0;
    let (w, left) = (640.0, 190.0);
    let h = 20.0 + row * items.len().max(1) as f64;
    let max = nice_max(items.iter().map(|i| i.1).max().unwrap_or(0));
    let plot_w = w - left - 70.0;
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg class="chart" viewBox="0 0 {w} {h}" role="img" aria-label="{t}"><title>{t}</title>"#,
        t = escape(title)
    );
    for (i, (label, v)) in items.iter().enumerate() {
        let y = 10.0 + row * i as f64;
        let bw = plot_w * (*v).max(0) as f64 / max as f64;
        let short: String = label.chars().take(26).collect();
        let _ = write!(
            s,
            r#"<text x="{:.1}" y="{:.1}" font-size="13" text-anchor="end">{}</text>"#,
            D1(left - 6.0),
            D1(y + 16.0),
            escape(&short)
        );
        let _ = write!(
            s,
            r#"<rect x="{left}" y="{y:.1}" width="{bw:.1}" height="{:.1}" fill="{}"/>"#,
            D1(row - 8.0),
            PALETTE[0],
            y = D1(y),
            bw = D1(bw)
        );
        let _ = write!(
            s,
            r#"<text x="{:.1}" y="{:.1}" font-size="13">{}</text>"#,
            D1(left + bw + 4.0),
            D1(y + 14.0),
            reports::group_thousands(*v)
        );
    }
    s.push_str("</svg>");
    s
}

/// Vertical stacked bars: for each x label, one segment per series.
pub fn stacked_bars(title: &str, x_labels: &[String], series: &[(String, Vec<i64>)]) -> String {
    let (w, h, left, bottom, top) = (640.0, 260.0, 48.0, 40.0, 28.0);
    let n = x_labels.len().max(1);
    let totals: Vec<i64> = (0..n).map(|i| series.iter().map(|s| s.1.get(i).copied().unwrap_or(0)).sum()).collect();
    let max = nice_max(totals.iter().copied().max().unwrap_or(0));
    let plot_w = w - left - 12.0;
    let plot_h = h - bottom - top;
    let slot = plot_w / n as f64;
    let bw = (slot * 0.7).max(1.0);
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg class="chart" viewBox="0 0 {w} {h}" role="img" aria-label="{t}"><title>{t}</title>"#,
        t = escape(title)
    );
    axes(&mut s, left, top, plot_w, plot_h, max);
    let every = (n / 6).max(1);
    for i in 0..n {
        let x = left + slot * i as f64 + (slot - bw) / 2.0;
        let mut base = 0i64;
        for (si, (_, vals)) in series.iter().enumerate() {
            let v = vals.get(i).copied().unwrap_or(0);
            if v > 0 {
                let y0 = top + plot_h - plot_h * (base + v) as f64 / max as f64;
                let hh = plot_h * v as f64 / max as f64;
                let _ = write!(
                    s,
                    r#"<rect x="{x:.1}" y="{y0:.1}" width="{bw:.1}" height="{hh:.1}" fill="{}"/>"#,
                    PALETTE[si % PALETTE.len()],
                    x = D1(x),
                    y0 = D1(y0),
                    bw = D1(bw),
                    hh = D1(hh)
                );
            }
            base += v;
        }
        if i % every == 0 || i == n - 1 {
            if let Some(l) = x_labels.get(i) {
                let _ = write!(
                    s,
                    r#"<text x="{:.1}" y="{:.1}" font-size="12" text-anchor="middle">{}</text>"#,
                    D1(x + bw / 2.0),
                    D1(h - bottom + 16.0),
                    escape(l)
                );
            }
        }
    }
    legend(&mut s, series.iter().map(|x| x.0.as_str()), left, 16.0);
    s.push_str("</svg>");
    s
}

fn axes(s: &mut String, left: f64, top: f64, plot_w: f64, plot_h: f64, max: i64) {
    for k in 0..=4 {
        let v = max * k / 4;
        let y = top + plot_h - plot_h * k as f64 / 4.0;
        let _ = write!(
            s,
            r##"<line x1="{left}" x2="{:.1}" y1="{y:.1}" y2="{y:.1}" stroke="#ddd"/>"##,
            D1(left + plot_w),
            y = D1(y)
        );
        let _ = write!(
            s,
            r#"<text x="{:.1}" y="{:.1}" font-size="12" text-anchor="end">{}</text>"#,
            D1(left - 4.0),
            D1(y + 4.0),
            reports::group_thousands(v)
        );
    }
}

fn legend<'a>(s: &mut String, names: impl Iterator<Item = &'a str>, x0: f64, y: f64) {
    let mut x = x0;
    for (i, name) in names.enumerate() {
        let _ = write!(
            s,
            r#"<rect x="{x:.1}" y="{:.1}" width="12" height="12" fill="{}"/>"#,
            D1(y - 10.0),
            PALETTE[i % PALETTE.len()],
            x = D1(x)
        );
        let _ =
            write!(s, r#"<text x="{:.1}" y="{y:.1}" font-size="13">{}</text>"#, D1(x + 16.0), escape(name), y = D1(y));
        x += 24.0 + 7.5 * name.chars().count() as f64;
    }
}

/// Position of each province on a tile-grid map of Indonesia (row, column), west to east.
/// No geometry is vendored: a grid keeps every province the same size, so small provinces
/// (DKI Jakarta, DI Yogyakarta) stay visible and clickable on a phone.
pub const PROVINCE_TILES: &[(&str, &str, u8, u8)] = &[
    ("11", "ACH", 0, 0),
    ("12", "SU", 1, 1),
    ("14", "RI", 1, 2),
    ("21", "KR", 1, 3),
    ("13", "SB", 2, 1),
    ("15", "JA", 2, 2),
    ("19", "BB", 2, 3),
    ("17", "BE", 3, 2),
    ("16", "SS", 3, 3),
    ("18", "LA", 4, 3),
    ("36", "BT", 5, 3),
    ("31", "JK", 4, 4),
    ("32", "JB", 5, 4),
    ("33", "JT", 5, 5),
    ("34", "YO", 6, 5),
    ("35", "JI", 5, 6),
    ("51", "BA", 5, 7),
    ("52", "NB", 5, 8),
    ("53", "NT", 5, 9),
    ("61", "KB", 1, 5),
    ("62", "KT", 2, 5),
    ("63", "KS", 3, 6),
    ("64", "KI", 1, 6),
    ("65", "KU", 0, 6),
    ("76", "SR", 2, 7),
    ("73", "SN", 3, 7),
    ("74", "SG", 3, 8),
    ("72", "ST", 1, 8),
    ("75", "GO", 0, 8),
    ("71", "SA", 0, 9),
    ("82", "MU", 1, 10),
    ("81", "MA", 3, 10),
    ("96", "PD", 1, 11),
    ("92", "PB", 2, 11),
    ("94", "PT", 2, 12),
    ("91", "PA", 1, 13),
    ("95", "PP", 3, 12),
    ("93", "PS", 4, 13),
];

/// The tile-grid map: each province a square shaded by its value (darker = more), linked to its
/// dashboard; `values` by province code. The links make it a group of links (`role="group"`),
/// not a picture: a `role="img"` may not hold focusable parts (axe: nested-interactive). Each
/// link is named by its tile's letters (axe: label-content-name-mismatch), province and value.
pub fn tile_map(
    title: &str,
    values: &std::collections::BTreeMap<String, (String, i64)>,
    href: impl Fn(&str) -> String,
) -> String {
    let cell = 44.0;
    let (w, h) = (cell * 14.0 + 8.0, cell * 7.0 + 8.0);
    let max = values.values().map(|v| v.1).max().unwrap_or(0).max(1);
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg class="chart map" viewBox="0 0 {w} {h}" role="group" aria-label="{t}"><title>{t}</title>"#,
        t = escape(title)
    );
    for (code, abbr, row, col) in PROVINCE_TILES {
        let (name, v) = values.get(*code).cloned().unwrap_or_default();
        // Five shades; zero stays white-ish so "none" is visibly different from "few".
        let shade = if v <= 0 { 0 } else { 1 + (4 * v / max).min(3) };
        let fill = ["#f1f3f5", "#c6dbef", "#6baed6", "#2171b5", "#08306b"][shade as usize];
        let fg = if shade >= 3 { "#fff" } else { "#111" };
        let (name, value) = (escape(&name), reports::group_thousands(v));
        let x = 4.0 + cell * *col as f64;
        let y = 4.0 + cell * *row as f64;
        let _ = write!(
            s,
            r##"<a href="{}" aria-label="{abbr} {name}: {value}"><title>{name}: {value}</title><rect x="{x}" y="{y}" width="{:.0}" height="{:.0}" rx="4" fill="{fill}" stroke="#fff"/><text x="{:.1}" y="{:.1}" font-size="12" text-anchor="middle" fill="{fg}">{abbr}</text></a>"##,
            escape(&href(code)),
            cell - 3.0,
            cell - 3.0,
            D1(x + cell / 2.0 - 1.5),
            D1(y + cell / 2.0 + 4.0)
        );
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fast coordinate reads as `{:.1}` does (away from exact ties, where either rounding
    /// is one pixel's tenth).
    #[test]
    fn coordinates_read_as_one_decimal() {
        for i in -20_000..20_000 {
            let v = i as f64 * 0.0371 + 0.013;
            let frac = (v * 10.0).abs().fract();
            if (frac - 0.5).abs() < 1e-6 {
                continue;
            }
            let expected = format!("{v:.1}");
            let expected = if expected == "-0.0" { "0.0".to_string() } else { expected };
            assert_eq!(D1(v).to_string(), expected, "{v}");
        }
        assert_eq!(D1(f64::NAN).to_string(), "0.0");
        assert_eq!(D1(640.0).to_string(), "640.0");
    }

    #[test]
    fn charts_are_svg_and_escape_labels() {
        let s = bar_chart("T", &[("A<b>".into(), 5), ("C".into(), 0)]);
        assert!(s.starts_with("<svg") && s.ends_with("</svg>"));
        assert!(s.contains("A&lt;b&gt;"));
        let l = line_chart("L", &["2025-01".into(), "2025-02".into()], &[("x".into(), vec![1, 3])]);
        assert!(l.contains("<polyline"));
        let st = stacked_bars("S", &["a".into()], &[("p".into(), vec![2]), ("q".into(), vec![1])]);
        assert_eq!(st.matches("<rect").count(), 2 + 2, "two segments and two legend keys");
        assert_eq!(nice_max(0), 1);
        assert_eq!(nice_max(7), 10);
        assert_eq!(nice_max(130), 200);
    }

    /// axe's nested-interactive rule: a picture holds no links; the map's links are in a group.
    #[test]
    fn no_link_inside_a_picture() {
        let bars = bar_chart("T", &[("A".into(), 5)]);
        assert!(bars.contains(r#"role="img""#) && !bars.contains("<a "));
        let values = [("53".to_string(), ("Nusa Tenggara Timur".to_string(), 1200))].into_iter().collect();
        let map = tile_map("M", &values, |c| format!("/monitoring/{c}"));
        assert!(!map.contains(r#"role="img""#) && map.contains(r#"role="group""#));
        assert!(map.contains(r#"<a href="/monitoring/53" aria-label="NT Nusa Tenggara Timur: 1.200">"#), "{map}");
    }

    #[test]
    fn every_province_has_one_tile() {
        let rows =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/regions/provinces.csv")).unwrap();
        let codes: Vec<&str> = rows.lines().skip(1).filter_map(|l| l.split(',').next()).collect();
        assert_eq!(codes.len(), PROVINCE_TILES.len());
        for c in codes {
            assert!(PROVINCE_TILES.iter().any(|t| t.0 == c), "{c}");
        }
        let mut cells: Vec<(u8, u8)> = PROVINCE_TILES.iter().map(|t| (t.2, t.3)).collect();
        cells.sort();
        cells.dedup();
        assert_eq!(cells.len(), PROVINCE_TILES.len(), "no two provinces on one tile");
    }
}
