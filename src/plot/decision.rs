//! [`DecisionMap`]: the class a model predicts at every point of a
//! rectangle, coloured, with the labelled points over it (course 7.5.1).

use plotters::coord::Shift;
use plotters::prelude::*;

use super::figure::{Draw, Figure, Format, PlotResult, Target};
use super::figures::displayable;
use super::heatmap::{map_chart, plot_rect};
use super::input::Points;
use super::raster::{draw_raster, Raster};
use super::style::{self, class_color, text, tint};
use crate::autograd::no_grad;
use crate::ops::Indices;
use crate::tensor::Tensor;

/// The decision regions of a classifier: each point of the plane is coloured
/// by the class of highest score — class 0 red, 1 green, 2 blue as in course
/// 7.5.1 (then orange, purple, cyan…) — and the training points are drawn
/// over it in the full colour of their label.
///
/// The model is any function from a batch of points, a tensor (N, 2) of
/// `(x, y)` rows, to scores (N, C). It is called ONCE, on every point of the
/// grid (200×200 by default) at the same time, without recording a graph
/// (inside [`no_grad`]). With a single score per point (N or (N, 1)),
/// positive means class 1.
///
/// ```
/// use apprentissage::prelude::*;
/// // a linear layer 2 → 3 written by hand: the scores of (x, y) are (x, y, −x − y)
/// let w = tensor!([[1.0, 0.0, -1.0], [0.0, 1.0, -1.0]]);
/// let b = tensor!([0.0, 0.0, 0.0]);
/// let points = tensor!([[0.5, -0.2], [-0.5, 0.6], [-0.4, -0.7]]);
/// let map = DecisionMap::new(|x| x.matmul(&w) + &b, (-1.0, 1.0), (-1.0, 1.0))
///     .points(&points, &[0, 1, 2])
///     .title("Itération 0");
/// assert_eq!(map.class_at(0.9, -0.2), 0); // red
/// assert_eq!(map.class_at(-0.5, 0.6), 1); // green
/// assert_eq!(map.class_at(-0.4, -0.7), 2); // blue
/// let fig = map.render();
/// assert_eq!(fig.size(), (560, 520));
/// ```
#[derive(Clone, Debug)]
pub struct DecisionMap {
    /// predicted class per cell, row 0 at the top
    classes: Vec<u16>,
    nx: usize,
    ny: usize,
    x_range: (f64, f64),
    y_range: (f64, f64),
    points: Vec<(f64, f64, usize)>,
    title: Option<String>,
    xlabel: String,
    ylabel: String,
    size: (u32, u32),
}

impl DecisionMap {
    /// Evaluates `model` on a 200×200 grid over `x_range × y_range`.
    pub fn new(
        model: impl Fn(&Tensor) -> Tensor,
        x_range: (f32, f32),
        y_range: (f32, f32),
    ) -> DecisionMap {
        DecisionMap::with_resolution(model, x_range, y_range, 200)
    }

    /// Same as [`DecisionMap::new`] on an `n`×`n` grid.
    pub fn with_resolution(
        model: impl Fn(&Tensor) -> Tensor,
        (x0, x1): (f32, f32),
        (y0, y1): (f32, f32),
        n: usize,
    ) -> DecisionMap {
        assert!(
            x1 > x0 && y1 > y0,
            "DecisionMap: ranges must go from a smaller to a larger number, \
             got x ({x0}, {x1}), y ({y0}, {y1})"
        );
        assert!(n > 0, "DecisionMap: the grid needs at least one cell");
        let (nx, ny) = (n, n);
        // cell centres, row by row from the top (largest y)
        let mut grid = Vec::with_capacity(nx * ny * 2);
        for i in 0..ny {
            let y = y1 - (i as f32 + 0.5) * (y1 - y0) / ny as f32;
            for j in 0..nx {
                grid.push(x0 + (j as f32 + 0.5) * (x1 - x0) / nx as f32);
                grid.push(y);
            }
        }
        // The model sees the grid in blocks of GRID_BLOCK points: the hidden
        // activations of a block stay in the processor's cache and their
        // memory is reused from block to block (one (40 000, 1000) activation
        // would take 160 MB, and fresh memory costs a page fault per 4 KiB).
        let mut classes = Vec::with_capacity(nx * ny);
        for block in grid.chunks(2 * GRID_BLOCK) {
            let points = block.len() / 2;
            let block = Tensor::from_vec(block.to_vec(), &[points, 2]);
            let scores = no_grad(|| model(&block));
            classes.extend(argmax_rows(&scores, points));
        }
        DecisionMap {
            classes,
            nx,
            ny,
            x_range: (x0 as f64, x1 as f64),
            y_range: (y0 as f64, y1 as f64),
            points: Vec::new(),
            title: None,
            xlabel: String::new(),
            ylabel: String::new(),
            size: (560, 520),
        }
    }

    /// A map drawn from classes already computed, e.g. by the course's
    /// `ComputeCatPerPixel` (7.5.1): `classes` has shape (ny, nx) and holds
    /// whole numbers; row i is the i-th value of y, from `y_range.0` at row 0
    /// up to `y_range.1` at the last row, and column j the j-th value of x —
    /// the layout of a `meshgrid` of x and y. Each value colours one cell of
    /// the rectangle `x_range × y_range`.
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// // 2 rows (y) × 3 columns (x): the bottom row is class 0, the top row class 2
    /// let classes = tensor!([[0., 0., 0.], [2., 2., 1.]]);
    /// let map = DecisionMap::from_classes(&classes, (0.0, 3.0), (0.0, 2.0));
    /// assert_eq!(map.class_at(0.5, 0.5), 0);
    /// assert_eq!(map.class_at(0.5, 1.5), 2);
    /// assert_eq!(map.class_at(2.5, 1.5), 1);
    /// ```
    pub fn from_classes(
        classes: &Tensor,
        (x0, x1): (f32, f32),
        (y0, y1): (f32, f32),
    ) -> DecisionMap {
        let shape = classes.shape();
        let [ny, nx] = shape[..] else {
            panic!(
                "DecisionMap::from_classes: the classes must form a grid of shape (ny, nx), \
                 got shape {shape:?}"
            )
        };
        assert!(
            x1 > x0 && y1 > y0,
            "DecisionMap::from_classes: ranges must go from a smaller to a larger number, \
             got x ({x0}, {x1}), y ({y0}, {y1})"
        );
        assert!(
            nx > 0 && ny > 0,
            "DecisionMap::from_classes: the grid is empty"
        );
        let values = classes.to_indices();
        // stored row 0 at the top: reverse the rows
        let classes = values
            .chunks(nx)
            .rev()
            .flat_map(|row| row.iter().map(|&c| c as u16))
            .collect();
        DecisionMap {
            classes,
            nx,
            ny,
            x_range: (x0 as f64, x1 as f64),
            y_range: (y0 as f64, y1 as f64),
            points: Vec::new(),
            title: None,
            xlabel: String::new(),
            ylabel: String::new(),
            size: (560, 520),
        }
    }

    /// The labelled points: `xy` of shape (N, 2) (or a list of pairs) and
    /// their classes (`&[usize]`, `Vec<usize>` or a tensor of whole numbers).
    pub fn points(
        mut self,
        xy: &(impl Points + ?Sized),
        labels: &(impl Indices + ?Sized),
    ) -> DecisionMap {
        let points = xy.to_points();
        let labels = labels.to_indices();
        assert!(
            points.len() == labels.len(),
            "DecisionMap::points: {} points but {} labels",
            points.len(),
            labels.len()
        );
        self.points = points
            .into_iter()
            .zip(labels)
            .map(|((x, y), c)| (x, y, c))
            .collect();
        self
    }

    /// The title, above the map (e.g. the iteration number).
    pub fn title(mut self, title: &str) -> DecisionMap {
        self.title = Some(title.to_string());
        self
    }

    /// The labels of the axes (none by default).
    pub fn axis_labels(mut self, xlabel: &str, ylabel: &str) -> DecisionMap {
        self.xlabel = xlabel.to_string();
        self.ylabel = ylabel.to_string();
        self
    }

    /// Size in pixels (default 560×520).
    pub fn size(mut self, width: u32, height: u32) -> DecisionMap {
        self.size = (width, height);
        self
    }

    /// The class predicted at the grid cell containing `(x, y)` (the nearest
    /// cell when the point is outside the rectangle).
    pub fn class_at(&self, x: f32, y: f32) -> usize {
        let (x0, x1) = self.x_range;
        let (y0, y1) = self.y_range;
        let j = ((x as f64 - x0) / (x1 - x0) * self.nx as f64).floor();
        let i = ((y1 - y as f64) / (y1 - y0) * self.ny as f64).floor();
        let j = j.clamp(0.0, self.nx as f64 - 1.0) as usize;
        let i = i.clamp(0.0, self.ny as f64 - 1.0) as usize;
        self.classes[i * self.nx + j] as usize
    }

    /// Draws the map as a PNG [`Figure`].
    pub fn render(&self) -> Figure {
        Figure::render(self.clone(), self.size, Format::Png)
    }
}

/// How many grid points the model gets at once (see [`DecisionMap::with_resolution`]).
const GRID_BLOCK: usize = 4096;

/// The index of the largest score of each of the `n` rows (score > 0 for a
/// single column).
fn argmax_rows(scores: &Tensor, n: usize) -> Vec<u16> {
    let shape = scores.shape();
    let columns = match shape.as_slice() {
        [rows] if *rows == n => 1,
        [rows, c] if *rows == n && *c >= 1 => *c,
        _ => panic!(
            "DecisionMap: the model received a batch of {n} points, shape [{n}, 2], and must \
             return their scores, shape [{n}, number of classes]; it returned shape {shape:?}"
        ),
    };
    let values = scores.to_vec();
    if columns == 1 {
        return values.iter().map(|&s| u16::from(s > 0.0)).collect();
    }
    values
        .chunks(columns)
        .map(|row| {
            let mut best = 0;
            for (k, &s) in row.iter().enumerate() {
                if s > row[best] {
                    best = k;
                }
            }
            best as u16
        })
        .collect()
}

impl Draw for DecisionMap {
    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        target: Target,
    ) -> PlotResult {
        let area = match &self.title {
            Some(t) => root.titled(t, text(style::TITLE_SIZE))?,
            None => root.clone(),
        };
        let chart = map_chart(
            &area,
            self.x_range,
            self.y_range,
            &self.xlabel,
            &self.ylabel,
        )?;
        let cells = self
            .classes
            .iter()
            .map(|&c| tint(class_color(c as usize), 0.45))
            .collect();
        draw_raster(
            root,
            plot_rect(&chart),
            &Raster::new(self.nx, self.ny, cells),
            target,
        )?;
        for &(x, y, c) in &self.points {
            let p = chart.backend_coord(&(x, y));
            root.draw(&Circle::new(p, 5, class_color(c).filled()))?;
            root.draw(&Circle::new(p, 5, BLACK.stroke_width(1)))?;
        }
        Ok(())
    }
}

displayable!(DecisionMap);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plot::testing::{assert_drawn, decode};
    use crate::prelude::*;

    /// class = argmax of (x, y, −x−y)
    fn hand_made(p: &Tensor) -> Tensor {
        let w = tensor!([[1.0, 0.0, -1.0], [0.0, 1.0, -1.0]]);
        p.matmul(&w)
    }

    #[test]
    fn a_hand_made_classifier_colours_the_known_regions() {
        let map = DecisionMap::new(hand_made, (-1.0, 1.0), (-1.0, 1.0))
            .points(&[(0.8, -0.5), (-0.5, 0.8), (-0.6, -0.6)], &[0, 1, 2]);
        assert_eq!(map.class_at(0.8, -0.5), 0);
        assert_eq!(map.class_at(-0.5, 0.8), 1);
        assert_eq!(map.class_at(-0.6, -0.6), 2);
        let fig = map.size(400, 400).render();
        let img = assert_drawn(&fig, (400, 400));
        // the plotting area: margins 10 (right 16), labels 60 left and 46 below
        let (x0, y0, x1, y1) = (70.0, 10.0, 384.0, 344.0);
        let pixel = |x: f64, y: f64| {
            let px = x0 + (x + 1.0) / 2.0 * (x1 - x0);
            let py = y0 + (1.0 - y) / 2.0 * (y1 - y0);
            img.pixel(px as u32, py as u32)
        };
        // well inside each region (away from the points themselves)
        let red = pixel(0.9, 0.0);
        let green = pixel(0.0, 0.9);
        let blue = pixel(-0.9, -0.9);
        assert!(
            red[0] > 200 && red[0] > red[1] + 60 && red[0] > red[2] + 60,
            "{red:?}"
        );
        assert!(
            green[1] > green[0] + 40 && green[1] > green[2] + 40,
            "{green:?}"
        );
        assert!(blue[2] > blue[0] + 40 && blue[2] > blue[1] + 30, "{blue:?}");
        // the SVG has the same three colours, as merged rectangles
        let svg = fig.to_svg();
        let text = std::str::from_utf8(svg.bytes()).unwrap();
        assert!(text.len() < 400_000, "SVG of {} bytes", text.len());
        assert_eq!(decode(&svg).pixel(200, 200), img.pixel(200, 200));
    }

    #[test]
    fn the_model_is_called_once_on_the_whole_grid() {
        let calls = std::cell::Cell::new(0);
        let map = DecisionMap::with_resolution(
            |p: &Tensor| {
                calls.set(calls.get() + 1);
                assert_eq!(p.shape(), vec![50 * 50, 2]);
                assert!(!crate::autograd::is_grad_enabled());
                p.slice(s![.., 0..1]) // one score: x > 0 → class 1
            },
            (-1.0, 1.0),
            (-1.0, 1.0),
            50,
        );
        assert_eq!(calls.get(), 1);
        assert_eq!(map.class_at(0.5, 0.0), 1);
        assert_eq!(map.class_at(-0.5, 0.0), 0);
    }

    #[test]
    fn precomputed_classes_match_the_model_on_the_same_grid() {
        // a meshgrid of the cell centres, row 0 at the smallest y
        let n = 40;
        let centre = |k: usize| -1.0 + (k as f32 + 0.5) * 2.0 / n as f32;
        let mut xy = Vec::new();
        for i in 0..n {
            for j in 0..n {
                xy.extend([centre(j), centre(i)]);
            }
        }
        let grid = Tensor::from_vec(xy, &[n, n, 2]);
        // shifted borders, so that no cell centre lies on one (no ties decided by rounding)
        let model = |p: &Tensor| hand_made(p) + &tensor!([0.0137, -0.0213, 0.0051]);
        let classes = model(&grid.reshape(&[-1, 2]))
            .argmax(1)
            .reshape(&[n as isize, n as isize]);
        let from = DecisionMap::from_classes(&classes, (-1.0, 1.0), (-1.0, 1.0));
        let direct = DecisionMap::with_resolution(model, (-1.0, 1.0), (-1.0, 1.0), n);
        assert_eq!(from.classes, direct.classes);
        assert_eq!(from.class_at(0.8, -0.5), 0);
        assert_eq!(from.class_at(-0.6, -0.6), 2);
        assert_drawn(&from.size(200, 200).render(), (200, 200));
    }

    #[test]
    #[should_panic(expected = "must form a grid of shape (ny, nx), got shape [4]")]
    fn precomputed_classes_need_two_dimensions() {
        DecisionMap::from_classes(&tensor!([0., 1., 2., 0.]), (0.0, 1.0), (0.0, 1.0));
    }

    #[test]
    #[should_panic(expected = "must return their scores, shape [100, number of classes]")]
    fn wrong_score_shapes_are_explained() {
        DecisionMap::with_resolution(|p: &Tensor| p.sum(), (0.0, 1.0), (0.0, 1.0), 10);
    }
}
