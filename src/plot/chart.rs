//! [`Chart`]: curves and points in the plane, with legend, axis labels,
//! title and equal axes (course 5.5), function curves with the iterates of a
//! gradient descent (course 2.5.4).

use plotters::style::RGBColor;

use super::figure::{Figure, Format};
use super::figures::displayable;
use super::input::Values;
use super::style::{finite_range, pad};

/// How a series is drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Line,
    Dashed,
    Points,
    Path,
}

#[derive(Clone, Debug)]
pub(crate) struct Series {
    pub(crate) kind: Kind,
    pub(crate) xs: Vec<f64>,
    pub(crate) ys: Vec<f64>,
    pub(crate) label: String,
    pub(crate) color: Option<RGBColor>,
}

/// A chart of (x, y) series: lines, dashed lines, points, function curves and
/// paths of iterates, with a legend (series with a non-empty label), axis
/// labels, a title and, on request, equal scales on both axes.
///
/// Series get the usual colours in turn (blue, orange, green, red…);
/// [`Chart::color`] changes the colour of the last one. The chart shows
/// itself when it is the last expression of a notebook cell; `.render()`
/// gives the [`Figure`].
///
/// Course 5.5, the output of one neuron followed by ReLU:
///
/// ```
/// use apprentissage::prelude::*;
/// let x = Tensor::linspace(-2.0, 2.0, 50);
/// let y = (&x * 0.8 + 0.3).relu();
/// let fig = Chart::new()
///     .title("ReLU(a·x + b)")
///     .xlabel("x")
///     .ylabel("y")
///     .scatter(&x, &y, "sortie du neurone")
///     .equal_axes()
///     .render();
/// assert_eq!(fig.size(), (640, 480));
/// ```
#[derive(Clone, Debug)]
pub struct Chart {
    pub(super) title: Option<String>,
    pub(super) xlabel: String,
    pub(super) ylabel: String,
    pub(super) size: (u32, u32),
    pub(super) equal: bool,
    pub(super) xlim: Option<(f64, f64)>,
    pub(super) ylim: Option<(f64, f64)>,
    pub(super) series: Vec<Series>,
}

impl Default for Chart {
    fn default() -> Self {
        Chart::new()
    }
}

impl Chart {
    /// An empty chart, 640×480 pixels.
    pub fn new() -> Chart {
        Chart {
            title: None,
            xlabel: String::new(),
            ylabel: String::new(),
            size: (640, 480),
            equal: false,
            xlim: None,
            ylim: None,
            series: Vec::new(),
        }
    }

    /// The title, above the chart.
    pub fn title(mut self, title: &str) -> Chart {
        self.title = Some(title.to_string());
        self
    }

    /// The label of the horizontal axis.
    pub fn xlabel(mut self, label: &str) -> Chart {
        self.xlabel = label.to_string();
        self
    }

    /// The label of the vertical axis.
    pub fn ylabel(mut self, label: &str) -> Chart {
        self.ylabel = label.to_string();
        self
    }

    /// Size in pixels (default 640×480).
    pub fn size(mut self, width: u32, height: u32) -> Chart {
        self.size = (width, height);
        self
    }

    /// Same scale on both axes, like matplotlib's `plt.axis('equal')`: a
    /// slope of 1 is drawn at 45°.
    pub fn equal_axes(mut self) -> Chart {
        self.equal = true;
        self
    }

    /// Fixes the range of the horizontal axis (by default it fits the data).
    pub fn xlim(mut self, min: f64, max: f64) -> Chart {
        self.xlim = Some((min, max));
        self
    }

    /// Fixes the range of the vertical axis (by default it fits the data).
    pub fn ylim(mut self, min: f64, max: f64) -> Chart {
        self.ylim = Some((min, max));
        self
    }

    fn add(mut self, kind: Kind, x: Vec<f64>, y: Vec<f64>, label: &str) -> Chart {
        assert!(
            x.len() == y.len(),
            "Chart: {} x values but {} y values; each point needs both",
            x.len(),
            y.len()
        );
        self.series.push(Series {
            kind,
            xs: x,
            ys: y,
            label: label.to_string(),
            color: None,
        });
        self
    }

    /// A line through the points (`x[i]`, `y[i]`). An empty `label` leaves the
    /// series out of the legend.
    pub fn line(
        self,
        x: &(impl Values + ?Sized),
        y: &(impl Values + ?Sized),
        label: &str,
    ) -> Chart {
        self.add(Kind::Line, x.to_f64s(), y.to_f64s(), label)
    }

    /// A dashed line through the points (`x[i]`, `y[i]`).
    pub fn dashed(
        self,
        x: &(impl Values + ?Sized),
        y: &(impl Values + ?Sized),
        label: &str,
    ) -> Chart {
        self.add(Kind::Dashed, x.to_f64s(), y.to_f64s(), label)
    }

    /// The points (`x[i]`, `y[i]`) as dots, like `plt.plot(x, y, '.')`.
    pub fn scatter(
        self,
        x: &(impl Values + ?Sized),
        y: &(impl Values + ?Sized),
        label: &str,
    ) -> Chart {
        self.add(Kind::Points, x.to_f64s(), y.to_f64s(), label)
    }

    /// The curve of `f` over `[min, max]` (300 samples).
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// let fig = Chart::new().function(|x| x.sin(), (0.0, 6.28), "sin").render();
    /// assert_eq!(fig.width(), 640);
    /// ```
    pub fn function(self, f: impl Fn(f32) -> f32, (min, max): (f32, f32), label: &str) -> Chart {
        let n = 300;
        let xs: Vec<f64> = (0..n)
            .map(|i| min as f64 + (max as f64 - min as f64) * i as f64 / (n - 1) as f64)
            .collect();
        let ys: Vec<f64> = xs.iter().map(|&x| f(x as f32) as f64).collect();
        self.add(Kind::Line, xs, ys, label)
    }

    /// A path of successive points (`x[i]`, `y[i]`) — the iterates of a gradient
    /// descent: numbered dots joined by arrows.
    pub fn path(
        self,
        x: &(impl Values + ?Sized),
        y: &(impl Values + ?Sized),
        label: &str,
    ) -> Chart {
        self.add(Kind::Path, x.to_f64s(), y.to_f64s(), label)
    }

    /// Colour of the last series added, as `(red, green, blue)`.
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// let chart = Chart::new().line(&[0.0, 1.0], &[0.0, 1.0], "rouge").color((220, 30, 30));
    /// # chart.render();
    /// ```
    pub fn color(mut self, (r, g, b): (u8, u8, u8)) -> Chart {
        let last = self
            .series
            .last_mut()
            .expect("Chart::color sets the colour of the last series: add one first");
        last.color = Some(RGBColor(r, g, b));
        self
    }

    /// The curve of `f` and the iterates `x₀, x₁, …` of a 1-D gradient
    /// descent placed on it (course 2.5.4); the horizontal range covers the
    /// iterates with a margin. Add a title or more series as on any chart.
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// // f(x) = (x − 1)², f'(x) = 2(x − 1), step 0.3, from x₀ = −2
    /// let mut xs = vec![-2.0f32];
    /// for _ in 0..6 {
    ///     let x = *xs.last().unwrap();
    ///     xs.push(x - 0.3 * 2.0 * (x - 1.0));
    /// }
    /// let fig = Chart::descent(|x| (x - 1.0).powi(2), &xs).title("descente").render();
    /// assert_eq!(fig.height(), 480);
    /// ```
    pub fn descent(f: impl Fn(f32) -> f32, iterates: &(impl Values + ?Sized)) -> Chart {
        let xs = iterates.to_f64s();
        let (lo, hi) = pad(
            finite_range(xs.iter().copied()).unwrap_or((-1.0, 1.0)),
            0.25,
        );
        let ys: Vec<f64> = xs.iter().map(|&x| f(x as f32) as f64).collect();
        Chart::new()
            .xlabel("x")
            .ylabel("f(x)")
            .function(&f, (lo as f32, hi as f32), "f")
            .path(&xs, &ys, "itérés")
            .color((220, 30, 30))
    }

    /// Draws the chart as a PNG [`Figure`].
    pub fn render(&self) -> Figure {
        Figure::render(self.clone(), self.size, Format::Png)
    }
}

displayable!(Chart);

#[cfg(test)]
mod tests {
    use plotters::chart::SeriesLabelPosition;

    use super::*;
    use crate::plot::testing::assert_drawn;
    use crate::prelude::*;

    #[test]
    fn every_kind_of_series_renders() {
        let x = Tensor::linspace(-2.0, 2.0, 30);
        let fig = Chart::new()
            .title("Titre é ∂")
            .xlabel("x")
            .ylabel("y")
            .line(&x, &x.pow(2.0), "x²")
            .dashed(&x, &(&x * 2.0), "2x")
            .scatter(&x, &x.relu(), "relu")
            .path(&[0.0, 1.0, 2.0], &[4.0, 1.0, 0.0], "itérés")
            .color((0, 0, 0))
            .render();
        let img = assert_drawn(&fig, (640, 480));
        // the blue of the first series is there
        assert!(img.pixel_fraction(|p| p == [31, 119, 180]) > 0.001);
    }

    #[test]
    fn equal_axes_make_a_45_degree_line() {
        // y = x over [0, 1]: with equal axes it spans as many pixels both ways
        let fig = Chart::new()
            .line(&[0.0, 1.0], &[0.0, 1.0], "")
            .color((255, 0, 0))
            .equal_axes()
            .size(500, 300)
            .render();
        let img = assert_drawn(&fig, (500, 300));
        let red: Vec<(u32, u32)> = (0..img.height)
            .flat_map(|y| (0..img.width).map(move |x| (x, y)))
            .filter(|&(x, y)| {
                let p = img.pixel(x, y);
                p[0] > 200 && p[1] < 60 && p[2] < 60
            })
            .collect();
        let (xs, ys): (Vec<u32>, Vec<u32>) = red.into_iter().unzip();
        let w = xs.iter().max().unwrap() - xs.iter().min().unwrap();
        let h = ys.iter().max().unwrap() - ys.iter().min().unwrap();
        assert!((w as i32 - h as i32).abs() <= 3, "{w}×{h}");
    }

    #[test]
    fn descent_and_function_render() {
        let xs = [-2.0f32, -0.2, 0.52, 0.81, 0.92];
        let fig = Chart::descent(|x| (x - 1.0).powi(2), &xs[..])
            .title("f(x) = (x − 1)²")
            .size(400, 300)
            .render();
        let img = assert_drawn(&fig, (400, 300));
        // red iterates are drawn
        assert!(img.pixel_fraction(|p| p == [220, 30, 30]) > 0.0005);
    }

    #[test]
    #[should_panic(expected = "3 x values but 2 y values")]
    fn mismatched_lengths_are_refused() {
        let _ = Chart::new().line(&[1.0, 2.0, 3.0], &[1.0, 2.0], "");
    }

    #[test]
    fn the_legend_avoids_the_data() {
        // data in the upper right: the legend goes elsewhere
        let c = Chart::new().scatter(&[0.9, 0.95, 1.0], &[0.9, 0.95, 1.0], "a");
        let (xr, yr) = ((0.0, 1.0), (0.0, 1.0));
        assert!(!matches!(
            c.legend_corner(xr, yr),
            SeriesLabelPosition::UpperRight
        ));
    }
}
