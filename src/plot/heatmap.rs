//! [`Heatmap`]: a function of two variables as a colour map with a colour
//! bar, and the path of a gradient descent over it (course 2.5.4).

use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;

use super::chart_draw::draw_arrow_head;
use super::figure::{Draw, Figure, Format, PlotError, PlotResult, Target};
use super::figures::displayable;
use super::input::Points;
use super::raster::{draw_raster, Raster};
use super::style::{self, finite_range, number, text, viridis};
use crate::tensor::Tensor;

/// Cells per side when a function is sampled.
const GRID: usize = 200;

/// f(x, y) over a rectangle as a colour map (viridis: dark = low, yellow =
/// high) with its colour bar, and optionally paths of points drawn over it —
/// the course's "représentation par niveaux de couleurs" of a 2-D gradient
/// descent.
///
/// ```
/// use apprentissage::prelude::*;
/// // f(x, y) = x² + 3y², gradient descent from (-1.8, 1.5) with step 0.1
/// let mut p = (-1.8f32, 1.5f32);
/// let mut path = vec![p];
/// for _ in 0..15 {
///     p = (p.0 - 0.1 * 2.0 * p.0, p.1 - 0.1 * 6.0 * p.1);
///     path.push(p);
/// }
/// let fig = Heatmap::new(|x, y| x * x + 3.0 * y * y, (-2.0, 2.0), (-2.0, 2.0))
///     .path(&path, "descente")
///     .title("f(x, y) = x² + 3y²")
///     .render();
/// assert_eq!(fig.size(), (640, 520));
/// ```
#[derive(Clone, Debug)]
pub struct Heatmap {
    /// values, row 0 at the top (largest y)
    z: Vec<f64>,
    nx: usize,
    ny: usize,
    x_range: (f64, f64),
    y_range: (f64, f64),
    paths: Vec<(Vec<(f64, f64)>, String)>,
    title: Option<String>,
    xlabel: String,
    ylabel: String,
    size: (u32, u32),
    levels: Option<usize>,
}

impl Heatmap {
    /// Samples `f` on a 200×200 grid (cell centres) over `x_range × y_range`.
    pub fn new(f: impl Fn(f32, f32) -> f32, x_range: (f32, f32), y_range: (f32, f32)) -> Heatmap {
        let (x0, x1) = (x_range.0 as f64, x_range.1 as f64);
        let (y0, y1) = (y_range.0 as f64, y_range.1 as f64);
        let mut z = Vec::with_capacity(GRID * GRID);
        for i in 0..GRID {
            let y = y1 - (i as f64 + 0.5) * (y1 - y0) / GRID as f64;
            for j in 0..GRID {
                let x = x0 + (j as f64 + 0.5) * (x1 - x0) / GRID as f64;
                z.push(f(x as f32, y as f32) as f64);
            }
        }
        Heatmap::from_grid(z, GRID, GRID, (x0, x1), (y0, y1))
    }

    /// A colour map of values already computed on a grid: `z` of shape
    /// (ny, nx), where `z[i][j]` is the value at the `j`-th x and the `i`-th
    /// y, y increasing with `i` (as with `meshgrid`: row 0 is the bottom).
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// let x = Tensor::linspace(-1.0, 1.0, 50).reshape(&[1, 50]);
    /// let y = Tensor::linspace(-1.0, 1.0, 40).reshape(&[40, 1]);
    /// let z = (&x * &x) - (&y * &y); // a saddle, by broadcasting
    /// let fig = Heatmap::from_tensor(&z, (-1.0, 1.0), (-1.0, 1.0)).render();
    /// assert_eq!(fig.width(), 640);
    /// ```
    pub fn from_tensor(z: &Tensor, x_range: (f32, f32), y_range: (f32, f32)) -> Heatmap {
        let shape = z.shape();
        assert!(
            shape.len() == 2 && shape[0] > 0 && shape[1] > 0,
            "Heatmap::from_tensor: expected a non-empty 2-D tensor (ny, nx), got shape {shape:?}"
        );
        let (ny, nx) = (shape[0], shape[1]);
        let values = z.to_vec();
        // flip the rows: row 0 of the raster is the top
        let z: Vec<f64> = (0..ny)
            .rev()
            .flat_map(|i| values[i * nx..(i + 1) * nx].iter().map(|&v| v as f64))
            .collect();
        let r = |(a, b): (f32, f32)| (a as f64, b as f64);
        Heatmap::from_grid(z, nx, ny, r(x_range), r(y_range))
    }

    fn from_grid(z: Vec<f64>, nx: usize, ny: usize, x: (f64, f64), y: (f64, f64)) -> Heatmap {
        assert!(
            x.1 > x.0 && y.1 > y.0,
            "Heatmap: ranges must go from a smaller to a larger number, got x {x:?}, y {y:?}"
        );
        Heatmap {
            z,
            nx,
            ny,
            x_range: x,
            y_range: y,
            paths: Vec::new(),
            title: None,
            xlabel: "x".into(),
            ylabel: "y".into(),
            size: (640, 520),
            levels: None,
        }
    }

    /// Draws a path over the map: the successive points (e.g. the iterates of
    /// a gradient descent) joined by arrows, the first one larger.
    pub fn path(mut self, points: &(impl Points + ?Sized), label: &str) -> Heatmap {
        self.paths.push((points.to_points(), label.to_string()));
        self
    }

    /// The title, above the map.
    pub fn title(mut self, title: &str) -> Heatmap {
        self.title = Some(title.to_string());
        self
    }

    /// The label of the horizontal axis (default "x").
    pub fn xlabel(mut self, label: &str) -> Heatmap {
        self.xlabel = label.to_string();
        self
    }

    /// The label of the vertical axis (default "y").
    pub fn ylabel(mut self, label: &str) -> Heatmap {
        self.ylabel = label.to_string();
        self
    }

    /// Size in pixels (default 640×520).
    pub fn size(mut self, width: u32, height: u32) -> Heatmap {
        self.size = (width, height);
        self
    }

    /// Colours in `n` flat bands instead of a continuous gradient, which
    /// shows the level sets (like matplotlib's `contourf`).
    pub fn levels(mut self, n: usize) -> Heatmap {
        assert!(n >= 2, "Heatmap::levels: at least 2 levels");
        self.levels = Some(n);
        self
    }

    /// Draws the map as a PNG [`Figure`].
    pub fn render(&self) -> Figure {
        Figure::render(self.clone(), self.size, Format::Png)
    }

    /// Position in [0, 1] of `v` on the colour scale.
    fn scale(&self, v: f64, (lo, hi): (f64, f64)) -> f64 {
        let t = if hi > lo { (v - lo) / (hi - lo) } else { 0.5 };
        match self.levels {
            Some(n) => ((t * n as f64).floor().min(n as f64 - 1.0) + 0.5) / n as f64,
            None => t,
        }
    }
}

/// A chart with axes and no grid over `area`, for colour maps.
pub(crate) fn map_chart<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    x: (f64, f64),
    y: (f64, f64),
    xlabel: &str,
    ylabel: &str,
) -> Result<ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>, PlotError> {
    let mut chart = ChartBuilder::on(area)
        .margin(10)
        .margin_right(16)
        .x_label_area_size(46)
        .y_label_area_size(60)
        .build_cartesian_2d(x.0..x.1, y.0..y.1)?;
    chart
        .configure_mesh()
        .disable_mesh()
        .x_desc(xlabel)
        .y_desc(ylabel)
        .label_style(text(style::TICK_SIZE))
        .axis_desc_style(text(style::LABEL_SIZE))
        .x_label_formatter(&|v| number(*v))
        .y_label_formatter(&|v| number(*v))
        .draw()?;
    Ok(chart)
}

/// The pixel rectangle `(x0, y0, x1, y1)` of a chart's plotting area.
pub(crate) fn plot_rect<DB: DrawingBackend>(
    chart: &ChartContext<'_, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>,
) -> (i32, i32, i32, i32) {
    let (xs, ys) = chart.plotting_area().get_pixel_range();
    (xs.start, ys.start, xs.end, ys.end)
}

/// Draws paths of points (white dots with a dark edge, joined by arrows).
pub(crate) fn draw_paths<'a, DB: DrawingBackend + 'a>(
    top: &DrawingArea<DB, Shift>,
    chart: &mut ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>,
    paths: &[(Vec<(f64, f64)>, String)],
) -> PlotResult {
    const COLORS: [RGBColor; 3] = [WHITE, RGBColor(255, 90, 90), RGBColor(120, 220, 255)];
    for (i, (points, label)) in paths.iter().enumerate() {
        let color = COLORS[i % COLORS.len()];
        let pixels: Vec<(i32, i32)> = points.iter().map(|p| chart.backend_coord(p)).collect();
        top.draw(&PathElement::new(pixels.clone(), BLACK.stroke_width(3)))?;
        top.draw(&PathElement::new(pixels.clone(), color.stroke_width(1)))?;
        for pair in pixels.windows(2) {
            draw_arrow_head(top, pair[0], pair[1], color)?;
        }
        for (k, &p) in pixels.iter().enumerate() {
            let r = if k == 0 { 7 } else { 4 };
            top.draw(&Circle::new(p, r, color.filled()))?;
            top.draw(&Circle::new(p, r, BLACK.stroke_width(1)))?;
        }
        if !label.is_empty() {
            chart
                .draw_series(std::iter::empty::<Circle<(f64, f64), i32>>())?
                .label(label.clone())
                .legend(move |(x, y)| {
                    EmptyElement::at((x, y))
                        + Circle::new((10, 0), 5, color.filled())
                        + Circle::new((10, 0), 5, BLACK.stroke_width(1))
                });
        }
    }
    if paths.iter().any(|(_, l)| !l.is_empty()) {
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .background_style(WHITE.mix(0.8))
            .border_style(BLACK.mix(0.4))
            .label_font(text(style::TICK_SIZE + 1.0))
            .draw()?;
    }
    Ok(())
}

impl Draw for Heatmap {
    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        target: Target,
    ) -> PlotResult {
        let area = match &self.title {
            Some(t) => root.titled(t, text(style::TITLE_SIZE))?,
            None => root.clone(),
        };
        let (w, _) = area.dim_in_pixel();
        let (main, bar) = area.split_horizontally(w.saturating_sub(96));
        let mut chart = map_chart(
            &main,
            self.x_range,
            self.y_range,
            &self.xlabel,
            &self.ylabel,
        )?;
        let range = finite_range(self.z.iter().copied()).unwrap_or((0.0, 1.0));
        let cells = self
            .z
            .iter()
            .map(|&v| {
                if v.is_finite() {
                    viridis(self.scale(v, range))
                } else {
                    RGBColor(200, 200, 200)
                }
            })
            .collect();
        let rect = plot_rect(&chart);
        draw_raster(root, rect, &Raster::new(self.nx, self.ny, cells), target)?;
        draw_paths(root, &mut chart, &self.paths)?;

        // the colour bar, as tall as the map, its scale on the right
        let (lo, hi) = if range.1 > range.0 {
            range
        } else {
            (range.0 - 0.5, range.0 + 0.5)
        };
        let mut bar_chart = ChartBuilder::on(&bar)
            .margin(10)
            .margin_left(4)
            .margin_right(6)
            .x_label_area_size(46)
            .right_y_label_area_size(60)
            .build_cartesian_2d(0.0..1.0, lo..hi)?;
        bar_chart
            .configure_mesh()
            .disable_mesh()
            .disable_x_axis()
            .label_style(text(style::TICK_SIZE))
            .y_label_formatter(&|v| number(*v))
            .draw()?;
        let steps = 128;
        bar_chart.draw_series((0..steps).map(|k| {
            let a = lo + (hi - lo) * k as f64 / steps as f64;
            let b = lo + (hi - lo) * (k + 1) as f64 / steps as f64;
            let color = viridis(self.scale((a + b) / 2.0, (lo, hi)));
            Rectangle::new([(0.0, a), (1.0, b)], color.filled())
        }))?;
        Ok(())
    }
}

displayable!(Heatmap);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plot::testing::assert_drawn;

    #[test]
    fn a_function_map_with_a_path_renders() {
        let fig = Heatmap::new(|x, y| x * x + 3.0 * y * y, (-2.0, 2.0), (-2.0, 2.0))
            .path(
                &[(-1.8, 1.5), (-1.4, 0.6), (-1.1, 0.2), (0.0, 0.0)],
                "descente",
            )
            .title("x² + 3y²")
            .size(500, 400)
            .render();
        let img = assert_drawn(&fig, (500, 400));
        // low values (dark purple) and high values (yellow) are both present
        assert!(img.pixel_fraction(|p| p[0] < 90 && p[1] < 60 && p[2] > 70) > 0.002);
        assert!(img.pixel_fraction(|p| p[0] > 200 && p[1] > 200 && p[2] < 100) > 0.002);
    }

    #[test]
    fn from_tensor_puts_row_zero_at_the_bottom() {
        // z = y: the bottom rows are low (dark), the top rows high (yellow)
        let z = Tensor::linspace(0.0, 1.0, 10)
            .reshape(&[10, 1])
            .mul(&Tensor::ones(&[1, 10]));
        let fig = Heatmap::from_tensor(&z, (0.0, 1.0), (0.0, 1.0))
            .levels(5)
            .size(400, 400)
            .render();
        let img = assert_drawn(&fig, (400, 400));
        let top = img.pixel(150, 30);
        let bottom = img.pixel(150, 330);
        assert!(top[0] > 150 && top[1] > 150, "top {top:?}");
        assert!(bottom[0] < 100 && bottom[1] < 100, "bottom {bottom:?}");
    }
}
