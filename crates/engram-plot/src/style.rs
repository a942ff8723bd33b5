//! Shared styling: colours, font sizes, margins, and small helpers for ranges and error messages.

use std::ops::Range;

use plotters::prelude::*;
use plotters::style::TextStyle;

/// An sRGB colour, 8 bits per channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Rgb(pub u8, pub u8, pub u8);

impl From<Rgb> for RGBColor {
    fn from(c: Rgb) -> Self {
        RGBColor(c.0, c.1, c.2)
    }
}

/// Excitatory populations: a muted red.
pub(crate) const EXC: Rgb = Rgb(200, 55, 45);
/// Inhibitory populations: a muted blue.
pub(crate) const INH: Rgb = Rgb(40, 90, 190);
/// Inputs (Poisson, olfactory bulb / mitral cells, external drive): grey.
pub(crate) const INPUT: Rgb = Rgb(120, 120, 120);

/// A qualitative palette for series without a population meaning (colour-blind friendly, Okabe–Ito).
pub(crate) const PALETTE: [Rgb; 8] = [
    Rgb(0, 114, 178),
    Rgb(213, 94, 0),
    Rgb(0, 158, 115),
    Rgb(204, 121, 167),
    Rgb(230, 159, 0),
    Rgb(86, 180, 233),
    Rgb(0, 0, 0),
    Rgb(170, 170, 0),
];

/// The `i`-th colour of the qualitative palette (cycling).
pub(crate) fn palette(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()].into()
}

/// The colour used for a population, from its name, falling back to the palette by `index`.
///
/// Names are matched case-insensitively: inputs (`input…`, `…poisson…`, `…stim…`, `ext…`, `ob…`,
/// `…mitral…`) are grey; inhibitory (`i`, `i_…`, `inh…`, `…inhib…`, `…pv…`, `…sst…`) blue;
/// excitatory (`e`, `e_…`, `exc…`, `…pyr…`) red. Anything else takes the `index`-th palette colour.
///
/// ```
/// use engram_plot::{population_color, Rgb};
/// assert_eq!(population_color("E", 0), population_color("exc", 5));
/// assert_ne!(population_color("E", 0), population_color("I", 1));
/// assert_eq!(population_color("input", 0), population_color("OB", 3));
/// ```
pub fn population_color(name: &str, index: usize) -> Rgb {
    let n = name.to_lowercase();
    let starts_word = |p: &str| n == p || n.starts_with(&format!("{p}_")) || n.starts_with(&format!("{p} "));
    if n.starts_with("input")
        || n.contains("poisson")
        || n.contains("stim")
        || n.starts_with("ext")
        || n.starts_with("ob")
        || n.contains("mitral")
    {
        INPUT
    } else if starts_word("i") || n.starts_with("inh") || n.contains("inhib") || n.contains("pv") || n.contains("sst") {
        INH
    } else if starts_word("e") || n.starts_with("exc") || n.contains("pyr") {
        EXC
    } else {
        PALETTE[index % PALETTE.len()]
    }
}

/// The font family every figure uses (the embedded DejaVu Sans).
pub(crate) const FONT: &str = "sans-serif";
/// Panel title size (px).
pub(crate) const TITLE_SIZE: u32 = 24;
/// Figure (super-)title size (px).
pub(crate) const FIGURE_TITLE_SIZE: u32 = 28;
/// Axis description size (px).
pub(crate) const AXIS_SIZE: u32 = 19;
/// Tick label size (px).
pub(crate) const TICK_SIZE: u32 = 16;
/// Legend text size (px).
pub(crate) const LEGEND_SIZE: u32 = 16;
/// Space below the plot for tick labels and the x description (px).
pub(crate) const X_LABEL_AREA: u32 = 56;
/// Space left of the plot for tick labels and the y description (px); the same in every panel so
/// that stacked panels share aligned axes.
pub(crate) const Y_LABEL_AREA: u32 = 90;
/// Outer margin of each panel (px).
pub(crate) const MARGIN: u32 = 12;

pub(crate) fn title_font() -> TextStyle<'static> {
    (FONT, TITLE_SIZE).into_font().color(&BLACK)
}
pub(crate) fn figure_title_font() -> TextStyle<'static> {
    (FONT, FIGURE_TITLE_SIZE).into_font().color(&BLACK)
}
pub(crate) fn axis_font() -> TextStyle<'static> {
    (FONT, AXIS_SIZE).into_font().color(&BLACK)
}
pub(crate) fn tick_font() -> TextStyle<'static> {
    (FONT, TICK_SIZE).into_font().color(&BLACK)
}
pub(crate) fn legend_font() -> TextStyle<'static> {
    (FONT, LEGEND_SIZE).into_font().color(&BLACK)
}
/// Light grid lines.
pub(crate) fn grid_style() -> ShapeStyle {
    RGBColor(225, 225, 225).stroke_width(1)
}

/// Starts a chart on `area` with the shared margins, label areas and (if not empty) a title.
pub(crate) fn chart_builder<'a, 'b, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, plotters::coord::Shift>,
    title: &str,
) -> ChartBuilder<'a, 'b, DB> {
    let mut b = ChartBuilder::on(area);
    b.margin(MARGIN).margin_right(MARGIN + 8).x_label_area_size(X_LABEL_AREA).y_label_area_size(Y_LABEL_AREA);
    if !title.is_empty() {
        b.caption(title, title_font());
    }
    b
}

/// Converts any displayable backend error into a message.
pub(crate) trait OrMessage<T> {
    fn msg(self) -> Result<T, String>;
}
impl<T, E: std::fmt::Display> OrMessage<T> for Result<T, E> {
    fn msg(self) -> Result<T, String> {
        self.map_err(|e| e.to_string())
    }
}

/// A tick label: the shortest decimal form of `v` at 10 significant digits (`200`, `0.3`, `-1.25`),
/// switching to exponent form outside 1e-4 ≤ |v| < 1e6 (`1e-8`, `2.5e7`).
pub(crate) fn fmt_tick(v: &f64) -> String {
    if !v.is_finite() {
        return v.to_string();
    }
    let r: f64 = format!("{v:.9e}").parse().unwrap_or(*v);
    if r == 0.0 {
        "0".into()
    } else if (1e-4..1e6).contains(&r.abs()) {
        format!("{r}")
    } else {
        format!("{r:e}")
    }
}

/// The minimum and maximum of the finite values, or `None` if there are none.
pub(crate) fn finite_bounds(values: impl IntoIterator<Item = f64>) -> Option<(f64, f64)> {
    values.into_iter().filter(|v| v.is_finite()).fold(None, |acc, v| match acc {
        None => Some((v, v)),
        Some((lo, hi)) => Some((lo.min(v), hi.max(v))),
    })
}

/// An axis range around `bounds` with 5 % padding; a unit range around a single value; `0..1` if empty.
pub(crate) fn padded_range(bounds: Option<(f64, f64)>) -> Range<f64> {
    match bounds {
        None => 0.0..1.0,
        Some((lo, hi)) if hi - lo <= f64::EPSILON * hi.abs().max(1.0) => {
            let d = (lo.abs() * 0.1).max(0.5);
            (lo - d)..(hi + d)
        }
        Some((lo, hi)) => {
            let d = (hi - lo) * 0.05;
            (lo - d)..(hi + d)
        }
    }
}

/// A log-axis range around positive `bounds` (a factor of ~1.2 padding); `1..10` if empty.
pub(crate) fn padded_log_range(bounds: Option<(f64, f64)>) -> Range<f64> {
    match bounds {
        None => 1.0..10.0,
        Some((lo, hi)) if hi <= lo => (lo / 2.0)..(hi * 2.0),
        Some((lo, hi)) => (lo / 1.2)..(hi * 1.2),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn padded_range_handles_empty_single_and_span() {
        assert_eq!(padded_range(None), 0.0..1.0);
        let r = padded_range(Some((2.0, 2.0)));
        assert!(r.start < 2.0 && r.end > 2.0);
        let r = padded_range(Some((0.0, 10.0)));
        assert!((r.start + 0.5).abs() < 1e-12 && (r.end - 10.5).abs() < 1e-12);
    }

    #[test]
    fn tick_labels_are_short() {
        assert_eq!(fmt_tick(&200.0), "200");
        assert_eq!(fmt_tick(&(0.1 + 0.2)), "0.3");
        assert_eq!(fmt_tick(&-1.25), "-1.25");
        assert_eq!(fmt_tick(&0.0), "0");
        assert_eq!(fmt_tick(&1e-8), "1e-8");
        assert_eq!(fmt_tick(&2.5e7), "2.5e7");
    }

    #[test]
    fn finite_bounds_skips_nan_and_infinity() {
        assert_eq!(finite_bounds([f64::NAN, 1.0, f64::INFINITY, -2.0]), Some((-2.0, 1.0)));
        assert_eq!(finite_bounds([f64::NAN]), None);
    }
}

/// A linear f64 axis whose ticks sit at given positions (category centres, population bands);
/// pair it with a label formatter that names each tick.
#[derive(Debug, Clone)]
pub(crate) struct KeyedAxis {
    range: Range<f64>,
    keys: Vec<f64>,
}

impl KeyedAxis {
    pub(crate) fn new(range: Range<f64>, keys: Vec<f64>) -> Self {
        KeyedAxis { range, keys }
    }
}

impl plotters::coord::ranged1d::Ranged for KeyedAxis {
    type FormatOption = plotters::coord::ranged1d::DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        let span = self.range.end - self.range.start;
        let t = if span != 0.0 { (value - self.range.start) / span } else { 0.5 };
        limit.0 + (t * (limit.1 - limit.0) as f64).round() as i32
    }

    fn key_points<Hint: plotters::coord::ranged1d::KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        if hint.weight().allow_light_points() { Vec::new() } else { self.keys.clone() }
    }

    fn range(&self) -> Range<f64> {
        self.range.clone()
    }
}
