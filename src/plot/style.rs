//! Colours, fonts and number formats shared by the figures.

use plotters::style::{Color, IntoFont, RGBColor, TextStyle};

use super::font::FONT;

/// Colours of successive series (matplotlib's "tab10", familiar from the course's figures).
const SERIES: [RGBColor; 10] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
    RGBColor(188, 189, 34),
    RGBColor(23, 190, 207),
];

/// Colour of the `i`-th series of a chart.
pub(crate) fn series_color(i: usize) -> RGBColor {
    SERIES[i % SERIES.len()]
}

/// Class colours of course 7.5.1: 0 red, 1 green, 2 blue, then more.
const CLASSES: [RGBColor; 10] = [
    RGBColor(220, 30, 30),
    RGBColor(30, 160, 40),
    RGBColor(30, 80, 220),
    RGBColor(255, 140, 0),
    RGBColor(140, 60, 190),
    RGBColor(0, 180, 190),
    RGBColor(140, 90, 40),
    RGBColor(230, 80, 170),
    RGBColor(120, 120, 120),
    RGBColor(170, 170, 20),
];

/// Colour of class `k` (0 red, 1 green, 2 blue, as in course 7.5.1).
pub(crate) fn class_color(k: usize) -> RGBColor {
    CLASSES[k % CLASSES.len()]
}

/// `c` mixed with white: `amount` = 1 keeps `c`, 0 gives white.
pub(crate) fn tint(c: RGBColor, amount: f64) -> RGBColor {
    let mix = |v: u8| (255.0 - (255.0 - v as f64) * amount).round() as u8;
    RGBColor(mix(c.0), mix(c.1), mix(c.2))
}

/// The viridis colour map (matplotlib's default) at `t` ∈ [0, 1].
pub(crate) fn viridis(t: f64) -> RGBColor {
    // 9 samples of matplotlib's viridis, linearly interpolated.
    const STOPS: [(u8, u8, u8); 9] = [
        (68, 1, 84),
        (71, 44, 122),
        (59, 81, 139),
        (44, 113, 142),
        (33, 144, 141),
        (39, 173, 129),
        (92, 200, 99),
        (170, 220, 50),
        (253, 231, 37),
    ];
    let t = if t.is_finite() {
        t.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let s = t * (STOPS.len() - 1) as f64;
    let i = (s.floor() as usize).min(STOPS.len() - 2);
    let f = s - i as f64;
    let (a, b) = (STOPS[i], STOPS[i + 1]);
    let lerp = |x: u8, y: u8| (x as f64 + (y as f64 - x as f64) * f).round() as u8;
    RGBColor(lerp(a.0, b.0), lerp(a.1, b.1), lerp(a.2, b.2))
}

/// A text style in the bundled font.
pub(crate) fn text(size: f64) -> TextStyle<'static> {
    (FONT, size).into_font().into()
}

/// A text style in the bundled font and a colour.
pub(crate) fn colored_text(size: f64, color: RGBColor) -> TextStyle<'static> {
    (FONT, size).into_font().color(&color.to_rgba())
}

/// Width in pixels of `s` written at `size` in the bundled font.
pub(crate) fn text_width(s: &str, size: f64) -> i32 {
    super::font::ensure_registered();
    text(size)
        .font
        .box_size(s)
        .map(|(w, _)| w as i32)
        .unwrap_or(s.chars().count() as i32 * size as i32 / 2)
}

/// Title, axis-label and tick sizes, in pixels.
pub(crate) const TITLE_SIZE: f64 = 20.0;
pub(crate) const LABEL_SIZE: f64 = 16.0;
pub(crate) const TICK_SIZE: f64 = 13.0;

/// A number as a person would write it on a figure: `54`, `0.5`, `-1.25`,
/// `3.142`, `1.2e-5`.
pub(crate) fn number(v: f64) -> String {
    if !v.is_finite() {
        return format!("{v}");
    }
    if v.abs() < 1e-12 {
        return "0".into(); // a tick at 0 computed as -2.2e-16
    }
    if v == v.round() && v.abs() < 1e9 {
        return format!("{}", v as i64);
    }
    let a = v.abs();
    if !(1e-3..1e6).contains(&a) {
        return format!("{v:.2e}");
    }
    // four significant digits, trailing zeros removed
    let decimals = (3 - a.log10().floor() as i32).max(0) as usize;
    let s = format!("{v:.decimals$}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".into()
    } else {
        s.into()
    }
}

/// `[lo, hi]` of the finite values, or `None`.
pub(crate) fn finite_range(values: impl IntoIterator<Item = f64>) -> Option<(f64, f64)> {
    values
        .into_iter()
        .filter(|v| v.is_finite())
        .fold(None, |acc, v| match acc {
            None => Some((v, v)),
            Some((lo, hi)) => Some((lo.min(v), hi.max(v))),
        })
}

/// Widens `[lo, hi]` by `fraction` of its width on each side (and gives an
/// empty or degenerate range some width).
pub(crate) fn pad(range: (f64, f64), fraction: f64) -> (f64, f64) {
    let (lo, hi) = range;
    let w = hi - lo;
    if w <= 0.0 || !w.is_finite() {
        let d = if lo.abs() > 0.0 { lo.abs() * 0.1 } else { 1.0 };
        return (lo - d, hi + d);
    }
    (lo - w * fraction, hi + w * fraction)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_written_short() {
        assert_eq!(number(54.0), "54");
        assert_eq!(number(-8.0), "-8");
        assert_eq!(number(0.5), "0.5");
        assert_eq!(number(-1.25), "-1.25");
        assert_eq!(number(std::f64::consts::PI), "3.142");
        assert_eq!(number(123.456), "123.5");
        assert_eq!(number(0.000012), "1.20e-5");
        assert_eq!(number(-0.00001), "-1.00e-5");
        assert_eq!(number(-2.220446e-16), "0");
    }

    #[test]
    fn colours() {
        assert_eq!(class_color(0), RGBColor(220, 30, 30));
        assert_eq!(tint(RGBColor(0, 0, 0), 0.0), RGBColor(255, 255, 255));
        assert_eq!(viridis(0.0), RGBColor(68, 1, 84));
        assert_eq!(viridis(1.0), RGBColor(253, 231, 37));
        assert_eq!(pad((1.0, 1.0), 0.1), (0.9, 1.1));
        assert_eq!(finite_range([3.0, f64::NAN, -1.0]), Some((-1.0, 3.0)));
    }
}
