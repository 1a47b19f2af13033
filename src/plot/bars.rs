//! [`Bars`]: a bar chart over named categories, one or several series
//! stacked on each bar, e.g. how many students got each total, or the
//! outcomes of an exercise (the grader's class page draws these).

use plotters::coord::Shift;
use plotters::prelude::*;

use super::figure::{Draw, Figure, Format, PlotResult, Target};
use super::figures::displayable;
use super::input::Values;
use super::style::{self, number, series_color, text};

/// Bars over named categories; each series adds one segment on top of the
/// previous ones (stacked), so one series gives plain bars.
///
/// ```
/// use apprentissage::prelude::*;
/// let fig = Bars::new(&["2.4", "9.1"])
///     .series(&[12.0, 5.0], "réussi")
///     .series(&[3.0, 10.0], "échoué")
///     .title("Résultats par exercice")
///     .ylabel("élèves")
///     .render();
/// assert_eq!(fig.size(), (640, 420));
/// ```
#[derive(Clone, Debug)]
pub struct Bars {
    categories: Vec<String>,
    series: Vec<(Vec<f64>, String, Option<RGBColor>)>,
    top: Option<f64>,
    title: Option<String>,
    xlabel: String,
    ylabel: String,
    size: (u32, u32),
}

impl Bars {
    /// Bars for these categories, left to right; no series yet; 640×420 pixels.
    pub fn new(categories: &[impl AsRef<str>]) -> Bars {
        Bars {
            categories: categories.iter().map(|c| c.as_ref().to_string()).collect(),
            series: Vec::new(),
            top: None,
            title: None,
            xlabel: String::new(),
            ylabel: String::new(),
            size: (640, 420),
        }
    }

    /// Adds a series: one value per category (missing values count as 0),
    /// stacked on the series added before.
    pub fn series(mut self, values: &(impl Values + ?Sized), label: &str) -> Bars {
        self.series
            .push((values.to_f64s(), label.to_string(), None));
        self
    }

    /// Colour of the last series added, as `(red, green, blue)`.
    pub fn color(mut self, (r, g, b): (u8, u8, u8)) -> Bars {
        let last = self
            .series
            .last_mut()
            .expect("Bars::color sets the colour of the last series: add one first");
        last.2 = Some(RGBColor(r, g, b));
        self
    }

    /// The top of the vertical axis (by default, the highest bar plus a margin).
    pub fn top(mut self, top: f64) -> Bars {
        assert!(top > 0.0, "Bars::top: the top must be positive");
        self.top = Some(top);
        self
    }

    /// The title, above the chart.
    pub fn title(mut self, title: &str) -> Bars {
        self.title = Some(title.to_string());
        self
    }

    /// The label of the horizontal axis.
    pub fn xlabel(mut self, label: &str) -> Bars {
        self.xlabel = label.to_string();
        self
    }

    /// The label of the vertical axis.
    pub fn ylabel(mut self, label: &str) -> Bars {
        self.ylabel = label.to_string();
        self
    }

    /// Size in pixels (default 640×420).
    pub fn size(mut self, width: u32, height: u32) -> Bars {
        self.size = (width, height);
        self
    }

    /// Draws the chart as a PNG [`Figure`].
    pub fn render(&self) -> Figure {
        Figure::render(self.clone(), self.size, Format::Png)
    }

    /// Per category, the (bottom, top) of each series' segment.
    fn stacks(&self) -> Vec<Vec<(f64, f64)>> {
        (0..self.categories.len())
            .map(|k| {
                let mut base = 0.0;
                self.series
                    .iter()
                    .map(|(values, _, _)| {
                        let v = values
                            .get(k)
                            .copied()
                            .filter(|v| v.is_finite())
                            .unwrap_or(0.0);
                        let segment = (base, base + v.max(0.0));
                        base = segment.1;
                        segment
                    })
                    .collect()
            })
            .collect()
    }
}

impl Draw for Bars {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, _: Target) -> PlotResult {
        let area = match &self.title {
            Some(t) => root.titled(t, text(style::TITLE_SIZE))?,
            None => root.clone(),
        };
        let stacks = self.stacks();
        let highest = stacks
            .iter()
            .filter_map(|s| s.last().map(|seg| seg.1))
            .fold(0.0, f64::max);
        let top = self.top.unwrap_or((highest * 1.12).max(1.0));
        let n = self.categories.len().max(1) as i32;
        let names = self.categories.clone();
        let mut chart = ChartBuilder::on(&area)
            .margin(8)
            .margin_right(22)
            .x_label_area_size(48)
            .y_label_area_size(70)
            // a segmented range a..b has b - a + 1 segments, one per category
            .build_cartesian_2d((0..n - 1).into_segmented(), 0.0..top)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(n as usize)
            .x_desc(self.xlabel.as_str())
            .y_desc(self.ylabel.as_str())
            .label_style(text(style::TICK_SIZE))
            .axis_desc_style(text(style::LABEL_SIZE))
            .x_label_formatter(&|v| match v {
                SegmentValue::CenterOf(k) => names.get(*k as usize).cloned().unwrap_or_default(),
                _ => String::new(),
            })
            .y_label_formatter(&|v| number(*v))
            .bold_line_style(RGBColor(225, 225, 225))
            .light_line_style(RGBColor(245, 245, 245))
            .draw()?;
        for (i, (_, label, color)) in self.series.iter().enumerate() {
            let color = color.unwrap_or_else(|| series_color(i));
            let drawn = chart.draw_series(stacks.iter().enumerate().filter_map(|(k, s)| {
                let (bottom, top) = s[i];
                (top > bottom).then(|| {
                    let k = k as i32;
                    let mut bar = Rectangle::new(
                        [
                            (SegmentValue::Exact(k), bottom),
                            (SegmentValue::Exact(k + 1), top),
                        ],
                        color.filled(),
                    );
                    bar.set_margin(0, 0, 6, 6);
                    bar
                })
            }))?;
            if !label.is_empty() {
                drawn.label(label.clone()).legend(move |(x, y)| {
                    Rectangle::new([(x, y - 6), (x + 16, y + 6)], color.filled())
                });
            }
        }
        if self.series.iter().any(|s| !s.1.is_empty()) {
            chart
                .configure_series_labels()
                .position(SeriesLabelPosition::UpperRight)
                .background_style(WHITE.mix(0.85))
                .border_style(BLACK.mix(0.3))
                .label_font(text(style::TICK_SIZE + 1.0))
                .draw()?;
        }
        Ok(())
    }
}

displayable!(Bars);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plot::testing::assert_drawn;

    #[test]
    fn series_stack_on_each_other() {
        let b = Bars::new(&["a", "b"])
            .series(&[1.0, 2.0], "x")
            .series(&[3.0], "y");
        assert_eq!(
            b.stacks(),
            vec![vec![(0.0, 1.0), (1.0, 4.0)], vec![(0.0, 2.0), (2.0, 2.0)]]
        );
    }

    #[test]
    fn bars_are_drawn_in_their_colours() {
        let fig = Bars::new(&["2.4", "9.1", "10.3"])
            .series(&[4.0, 2.0, 1.0], "réussi")
            .color((30, 160, 40))
            .series(&[1.0, 3.0, 4.0], "échoué")
            .color((220, 30, 30))
            .title("Résultats")
            .render();
        let img = assert_drawn(&fig, (640, 420));
        for color in [[30, 160, 40], [220, 30, 30]] {
            assert!(
                img.pixel_fraction(|p| p == color) > 0.01,
                "{color:?} missing"
            );
        }
    }
}
