//! [`Histogram`]: how values are distributed, one or several series
//! overlaid, e.g. the red, green and blue levels of images (course 8.2.2).

use plotters::coord::Shift;
use plotters::prelude::*;

use super::figure::{Draw, Figure, Format, PlotResult, Target};
use super::figures::displayable;
use super::input::Values;
use super::style::{self, finite_range, number, pad, series_color, text};
use crate::tensor::Tensor;

/// Histograms of one or several series of values, overlaid with
/// transparent bars and an outline, on the same bins.
///
/// ```
/// use apprentissage::prelude::*;
/// manual_seed(0);
/// let fig = Histogram::new()
///     .add(&Tensor::randn(&[5000]), "N(0, 1)")
///     .add(&(Tensor::randn(&[5000]) * 0.5 + 2.0), "N(2, 0.25)")
///     .bins(40)
///     .title("Deux distributions")
///     .render();
/// assert_eq!(fig.size(), (640, 420));
/// ```
#[derive(Clone, Debug)]
pub struct Histogram {
    series: Vec<(Vec<f64>, String, Option<RGBColor>)>,
    bins: usize,
    range: Option<(f64, f64)>,
    title: Option<String>,
    xlabel: String,
    ylabel: String,
    size: (u32, u32),
}

impl Default for Histogram {
    fn default() -> Self {
        Histogram::new()
    }
}

impl Histogram {
    /// No series yet; 30 bins, 640×420 pixels.
    pub fn new() -> Histogram {
        Histogram {
            series: Vec::new(),
            bins: 30,
            range: None,
            title: None,
            xlabel: String::new(),
            ylabel: "effectif".into(),
            size: (640, 420),
        }
    }

    /// The histograms of the red, green and blue channels of colour images,
    /// (3, H, W) or (N, 3, H, W), drawn in red, green and blue (course 8.2.2).
    /// The horizontal axis is the level; values in [0, 1] are shown as
    /// percentages of the maximum level, like the course's figure.
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// manual_seed(0);
    /// let images = Tensor::rand(&[2, 3, 32, 32]);
    /// let fig = Histogram::channels(&images).render();
    /// assert_eq!(fig.width(), 640);
    /// ```
    pub fn channels(images: &Tensor) -> Histogram {
        let shape = images.shape();
        let (n, h, w) = match shape.as_slice() {
            [3, h, w] => (1, *h, *w),
            [n, 3, h, w] => (*n, *h, *w),
            _ => panic!(
                "Histogram::channels: expected colour images of shape (3, H, W) or \
                 (N, 3, H, W), got {shape:?}"
            ),
        };
        let values = images.to_vec();
        let (lo, hi) = finite_range(values.iter().map(|&v| v as f64)).unwrap_or((0.0, 1.0));
        let percent = lo >= 0.0 && hi <= 1.0;
        let plane = h * w;
        let mut hist =
            Histogram::new()
                .bins(50)
                .xlabel(if percent { "niveau (%)" } else { "niveau" });
        for (c, name) in ["rouge", "vert", "bleu"].iter().enumerate() {
            let channel: Vec<f64> = (0..n)
                .flat_map(|i| &values[(i * 3 + c) * plane..(i * 3 + c + 1) * plane])
                .map(|&v| if percent { v as f64 * 100.0 } else { v as f64 })
                .collect();
            hist = hist.add(&channel, name);
            let color = super::style::class_color([0, 1, 2][c]);
            hist.series.last_mut().expect("just added").2 = Some(color);
        }
        if percent {
            hist = hist.range(0.0, 100.0);
        }
        hist
    }

    /// Adds a series of values (a tensor's values, a vector…).
    pub fn add(mut self, values: &(impl Values + ?Sized), label: &str) -> Histogram {
        self.series
            .push((values.to_f64s(), label.to_string(), None));
        self
    }

    /// Colour of the last series added, as `(red, green, blue)`.
    pub fn color(mut self, (r, g, b): (u8, u8, u8)) -> Histogram {
        let last = self
            .series
            .last_mut()
            .expect("Histogram::color sets the colour of the last series: add one first");
        last.2 = Some(RGBColor(r, g, b));
        self
    }

    /// Number of bins (default 30).
    pub fn bins(mut self, n: usize) -> Histogram {
        assert!(n > 0, "Histogram::bins: at least one bin");
        self.bins = n;
        self
    }

    /// Range of the bins (by default, that of the values).
    pub fn range(mut self, min: f64, max: f64) -> Histogram {
        assert!(max > min, "Histogram::range: max must be larger than min");
        self.range = Some((min, max));
        self
    }

    /// The title, above the chart.
    pub fn title(mut self, title: &str) -> Histogram {
        self.title = Some(title.to_string());
        self
    }

    /// The label of the horizontal axis.
    pub fn xlabel(mut self, label: &str) -> Histogram {
        self.xlabel = label.to_string();
        self
    }

    /// The label of the vertical axis (default "effectif", the count).
    pub fn ylabel(mut self, label: &str) -> Histogram {
        self.ylabel = label.to_string();
        self
    }

    /// Size in pixels (default 640×420).
    pub fn size(mut self, width: u32, height: u32) -> Histogram {
        self.size = (width, height);
        self
    }

    /// Draws the histogram as a PNG [`Figure`].
    pub fn render(&self) -> Figure {
        Figure::render(self.clone(), self.size, Format::Png)
    }

    fn bin_range(&self) -> (f64, f64) {
        self.range.unwrap_or_else(|| {
            let r = finite_range(self.series.iter().flat_map(|s| s.0.iter().copied()))
                .unwrap_or((0.0, 1.0));
            if r.1 > r.0 {
                r
            } else {
                pad(r, 0.0)
            }
        })
    }

    /// Counts per bin for each series (values outside the range are left out).
    fn counts(&self) -> Vec<Vec<usize>> {
        let (lo, hi) = self.bin_range();
        let n = self.bins;
        self.series
            .iter()
            .map(|(values, _, _)| {
                let mut counts = vec![0; n];
                for &v in values {
                    if v.is_finite() && v >= lo && v <= hi {
                        let k = (((v - lo) / (hi - lo)) * n as f64) as usize;
                        counts[k.min(n - 1)] += 1;
                    }
                }
                counts
            })
            .collect()
    }
}

impl Draw for Histogram {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, _: Target) -> PlotResult {
        let area = match &self.title {
            Some(t) => root.titled(t, text(style::TITLE_SIZE))?,
            None => root.clone(),
        };
        let (lo, hi) = self.bin_range();
        let counts = self.counts();
        let top = counts.iter().flatten().copied().max().unwrap_or(1).max(1) as f64;
        let mut chart = ChartBuilder::on(&area)
            .margin(8)
            .margin_right(22)
            .x_label_area_size(48)
            .y_label_area_size(70)
            .build_cartesian_2d(lo..hi, 0.0..top * 1.08)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_desc(self.xlabel.as_str())
            .y_desc(self.ylabel.as_str())
            .label_style(text(style::TICK_SIZE))
            .axis_desc_style(text(style::LABEL_SIZE))
            .x_label_formatter(&|v| number(*v))
            .y_label_formatter(&|v| number(*v))
            .bold_line_style(RGBColor(225, 225, 225))
            .light_line_style(RGBColor(245, 245, 245))
            .draw()?;
        let width = (hi - lo) / self.bins as f64;
        for (i, ((_, label, color), counts)) in self.series.iter().zip(&counts).enumerate() {
            let color = color.unwrap_or_else(|| series_color(i));
            chart.draw_series(counts.iter().enumerate().map(|(k, &c)| {
                let x = lo + k as f64 * width;
                Rectangle::new([(x, 0.0), (x + width, c as f64)], color.mix(0.3).filled())
            }))?;
            // the outline: a step line over the bars
            let mut outline = vec![(lo, 0.0)];
            for (k, &c) in counts.iter().enumerate() {
                let x = lo + k as f64 * width;
                outline.push((x, c as f64));
                outline.push((x + width, c as f64));
            }
            outline.push((hi, 0.0));
            let series = chart.draw_series(LineSeries::new(outline, color.stroke_width(2)))?;
            if !label.is_empty() {
                series.label(label.clone()).legend(move |(x, y)| {
                    Rectangle::new([(x, y - 6), (x + 16, y + 6)], color.mix(0.5).filled())
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

displayable!(Histogram);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plot::testing::assert_drawn;

    #[test]
    fn counts_per_bin() {
        let h = Histogram::new()
            .add(&[0.0, 0.1, 0.5, 0.9, 1.0, 7.0], "")
            .bins(2)
            .range(0.0, 1.0);
        assert_eq!(h.counts(), vec![vec![2, 3]]); // 7 is out of range, 1.0 in the last bin
    }

    #[test]
    fn channel_histograms_in_red_green_blue() {
        // a "sea" image: little red, much green and blue
        let plane = 32 * 32;
        let mut v = Vec::new();
        for (c, level) in [0.1f32, 0.75, 0.9].iter().enumerate() {
            for p in 0..plane {
                v.push(level + 0.05 * ((p * (c + 3)) % 7) as f32 / 7.0);
            }
        }
        let fig = Histogram::channels(&Tensor::from_vec(v, &[3, 32, 32]))
            .title("Histogramme par canal")
            .render();
        let img = assert_drawn(&fig, (640, 420));
        for color in [[220, 30, 30], [30, 160, 40], [30, 80, 220]] {
            assert!(
                img.pixel_fraction(|p| p == color) > 0.0005,
                "{color:?} missing"
            );
        }
    }
}
