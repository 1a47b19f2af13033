//! [`ImageGrid`]: images on a grid with their labels and predictions (MNIST,
//! CIFAR-10), and the feature maps or kernels of a convolution (course 10.1.4).

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::figure::{Draw, Figure, Format, PlotResult, Target};
use super::figures::displayable;
use super::raster::{draw_raster, Raster};
use super::style::{self, colored_text, text, text_width};
use crate::ops::Indices;
use crate::tensor::Tensor;

/// At most this many images on one figure.
const MAX_IMAGES: usize = 400;

/// One picture, its pixels already as colours.
#[derive(Clone, Debug)]
struct Tile {
    width: usize,
    height: usize,
    pixels: Vec<RGBColor>,
}

/// Images side by side with a caption each: the label, and the prediction in
/// green when right, red when wrong.
///
/// [`ImageGrid::new`] takes a batch of images as a tensor: (N, H, W) or
/// (N, 1, H, W) in gray levels (MNIST), (N, 3, H, W) in colour (CIFAR-10).
/// Values in [0, 1] (as `ToTensor` gives) are shown as they are, values in
/// [0, 255] as bytes, anything else (normalized images) is stretched per
/// image from its minimum (black) to its maximum (white).
/// [`ImageGrid::feature_maps`] and [`ImageGrid::kernels`] show what a
/// convolution layer computes and what it learned.
///
/// ```
/// use apprentissage::prelude::*;
/// manual_seed(0);
/// let images = Tensor::rand(&[6, 28, 28]);
/// let fig = ImageGrid::new(&images)
///     .labels(&[5, 0, 4, 1, 9, 2])
///     .predictions(&[5, 0, 4, 7, 9, 2])
///     .columns(3)
///     .render();
/// assert_eq!(fig.size(), (3 * (84 + 8) + 8, 2 * (84 + 8 + 2 * 17) + 8));
/// ```
#[derive(Clone, Debug)]
pub struct ImageGrid {
    tiles: Vec<Tile>,
    labels: Option<Vec<usize>>,
    predictions: Option<Vec<usize>>,
    names: Option<Vec<String>>,
    captions: Option<Vec<String>>,
    columns: usize,
    scale: usize,
    title: Option<String>,
}

impl ImageGrid {
    /// A grid of the images of a batch (see the type's documentation for
    /// the shapes and values accepted).
    pub fn new(images: &Tensor) -> ImageGrid {
        let shape = images.shape();
        let (n, c, h, w) = match shape.as_slice() {
            [h, w] => (1, 1, *h, *w),
            [n, h, w] => (*n, 1, *h, *w),
            [n, c, h, w] if *c == 1 || *c == 3 => (*n, *c, *h, *w),
            _ => panic!(
                "ImageGrid::new: expected images of shape (N, H, W), (N, 1, H, W) or \
                 (N, 3, H, W), got {shape:?}; for the channels of a feature map use \
                 ImageGrid::feature_maps, for convolution weights ImageGrid::kernels"
            ),
        };
        check_count(n);
        let values = images.to_vec();
        let (lo, hi) =
            super::style::finite_range(values.iter().map(|&v| v as f64)).unwrap_or((0.0, 1.0));
        let fixed = if lo >= 0.0 && hi <= 1.0 {
            Some(1.0)
        } else if lo >= 0.0 && hi <= 255.0 {
            Some(255.0)
        } else {
            None
        };
        let size = c * h * w;
        let tiles = values
            .chunks(size.max(1))
            .take(n)
            .map(|img| match fixed {
                Some(max) => tile(img, c, h, w, (0.0, max)),
                None => tile(img, c, h, w, min_max(img)),
            })
            .collect();
        ImageGrid::from_tiles(tiles, h.max(w))
    }

    /// The channels of a feature map, (C, H, W) or (1, C, H, W), each in
    /// gray levels from its own minimum to its maximum, numbered.
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// manual_seed(0);
    /// let maps = Tensor::randn(&[1, 6, 24, 24]).relu();
    /// let fig = ImageGrid::feature_maps(&maps).title("conv1").render();
    /// assert_eq!(fig.width(), 6 * (96 + 8) + 8);
    /// ```
    pub fn feature_maps(maps: &Tensor) -> ImageGrid {
        let shape = maps.shape();
        let (c, h, w) = match shape.as_slice() {
            [c, h, w] | [1, c, h, w] => (*c, *h, *w),
            _ => panic!(
                "ImageGrid::feature_maps: expected a feature map of shape (C, H, W) or \
                 (1, C, H, W), got {shape:?}; take one image of the batch first"
            ),
        };
        check_count(c);
        let values = maps.to_vec();
        let tiles = values
            .chunks((h * w).max(1))
            .take(c)
            .map(|m| tile(m, 1, h, w, min_max(m)))
            .collect();
        let mut grid = ImageGrid::from_tiles(tiles, h.max(w));
        grid.captions = Some((0..c).map(|k| k.to_string()).collect());
        grid
    }

    /// The kernels of a convolution layer, weights of shape
    /// (out, in, kh, kw): one colour tile per output channel when `in` = 3,
    /// else one gray tile per (output, input) pair, a row per output channel.
    /// Each kernel goes from its minimum (black) to its maximum (white).
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// // two hand-made 3×3 edge detectors (course 10.1.4)
    /// let w = tensor!([[[[-1., 0., 1.], [-2., 0., 2.], [-1., 0., 1.]]],
    ///                  [[[-1., -2., -1.], [0., 0., 0.], [1., 2., 1.]]]]);
    /// let fig = ImageGrid::kernels(&w).render();
    /// assert_eq!(fig.width(), 2 * (84 + 8) + 8);
    /// ```
    pub fn kernels(weights: &Tensor) -> ImageGrid {
        let shape = weights.shape();
        let [o, i, kh, kw] = shape.as_slice() else {
            panic!(
                "ImageGrid::kernels: expected convolution weights of shape \
                 (out_channels, in_channels, kh, kw), got {shape:?}"
            );
        };
        let (o, i, kh, kw) = (*o, *i, *kh, *kw);
        let values = weights.to_vec();
        let mut grid = if i == 3 {
            check_count(o);
            let tiles = values
                .chunks((3 * kh * kw).max(1))
                .take(o)
                .map(|k| tile(k, 3, kh, kw, min_max(k)))
                .collect();
            ImageGrid::from_tiles(tiles, kh.max(kw))
        } else {
            check_count(o * i);
            let tiles = values
                .chunks((kh * kw).max(1))
                .take(o * i)
                .map(|k| tile(k, 1, kh, kw, min_max(k)))
                .collect();
            let mut grid = ImageGrid::from_tiles(tiles, kh.max(kw));
            if i > 1 {
                grid.columns = i;
            }
            grid
        };
        if i == 1 || i == 3 {
            grid.captions = Some((0..o).map(|k| k.to_string()).collect());
        }
        grid
    }

    fn from_tiles(tiles: Vec<Tile>, side: usize) -> ImageGrid {
        let n = tiles.len();
        ImageGrid {
            tiles,
            labels: None,
            predictions: None,
            names: None,
            captions: None,
            columns: n.clamp(1, 8),
            scale: 84usize.div_ceil(side.max(1)),
            title: None,
        }
    }

    /// The true classes, written under the images.
    pub fn labels(mut self, labels: &(impl Indices + ?Sized)) -> ImageGrid {
        let labels = labels.to_indices();
        self.check_len("labels", labels.len());
        self.labels = Some(labels);
        self
    }

    /// The predicted classes, written under the labels: green when right,
    /// red when wrong.
    pub fn predictions(mut self, predictions: &(impl Indices + ?Sized)) -> ImageGrid {
        let predictions = predictions.to_indices();
        self.check_len("predictions", predictions.len());
        self.predictions = Some(predictions);
        self
    }

    /// Names of the classes, written instead of their numbers (e.g. the ten
    /// classes of CIFAR-10).
    pub fn class_names(mut self, names: &[&str]) -> ImageGrid {
        self.names = Some(names.iter().map(|s| s.to_string()).collect());
        self
    }

    /// Number of images per row (default: up to 8).
    pub fn columns(mut self, n: usize) -> ImageGrid {
        assert!(n > 0, "ImageGrid::columns: at least one column");
        self.columns = n;
        self
    }

    /// Screen pixels per image pixel (default: about 84 screen pixels per image).
    pub fn scale(mut self, k: usize) -> ImageGrid {
        assert!(k > 0, "ImageGrid::scale: at least 1");
        self.scale = k;
        self
    }

    /// The title, above the grid.
    pub fn title(mut self, title: &str) -> ImageGrid {
        self.title = Some(title.to_string());
        self
    }

    fn check_len(&self, what: &str, len: usize) {
        assert!(
            len == self.tiles.len(),
            "ImageGrid: {len} {what} for {} images",
            self.tiles.len()
        );
    }

    fn name(&self, class: usize) -> String {
        match &self.names {
            Some(names) if class < names.len() => names[class].clone(),
            _ => class.to_string(),
        }
    }

    fn caption_lines(&self) -> usize {
        usize::from(self.labels.is_some() || self.captions.is_some())
            + usize::from(self.predictions.is_some())
    }

    /// (cell width, cell height, title height) in pixels.
    fn layout(&self) -> (u32, u32, u32) {
        let tile_w = self.tiles.iter().map(|t| t.width).max().unwrap_or(1) * self.scale;
        let tile_h = self.tiles.iter().map(|t| t.height).max().unwrap_or(1) * self.scale;
        let cell_h = tile_h + PAD + CAPTION * self.caption_lines();
        let title_h = if self.title.is_some() { 34 } else { 0 };
        ((tile_w + PAD) as u32, cell_h as u32, title_h)
    }

    /// Width of the grid alone.
    fn grid_width(&self) -> u32 {
        let (cw, _, _) = self.layout();
        let cols = self.columns.min(self.tiles.len()).max(1) as u32;
        cols * cw + PAD as u32
    }

    /// The figure's size: the grid of tiles and their captions (and the
    /// title, which may be wider).
    fn size(&self) -> (u32, u32) {
        let (_, ch, th) = self.layout();
        let rows = self.tiles.len().div_ceil(self.columns).max(1) as u32;
        let title_w = self.title.as_ref().map_or(0, |t| {
            text_width(t, style::TITLE_SIZE) as u32 + 2 * PAD as u32
        });
        (self.grid_width().max(title_w), rows * ch + PAD as u32 + th)
    }

    /// Draws the grid as a PNG [`Figure`] (its size follows from the number
    /// of images, the columns and the scale).
    pub fn render(&self) -> Figure {
        Figure::render(self.clone(), self.size(), Format::Png)
    }
}

/// Space between tiles, and the height of a caption line.
const PAD: usize = 8;
const CAPTION: usize = 17;

fn check_count(n: usize) {
    assert!(
        n <= MAX_IMAGES,
        "ImageGrid: {n} images are too many for one figure (at most {MAX_IMAGES}); \
         take a few first, e.g. images.slice(s![0..32, ..])"
    );
}

fn min_max(values: &[f32]) -> (f32, f32) {
    values
        .iter()
        .filter(|v| v.is_finite())
        .fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), &v| {
            (lo.min(v), hi.max(v))
        })
}

/// A tile from `c` planes of `h`×`w` values, `range` mapped to black..white.
fn tile(values: &[f32], c: usize, h: usize, w: usize, (lo, hi): (f32, f32)) -> Tile {
    let byte = |v: f32| {
        if !v.is_finite() {
            0
        } else if hi > lo {
            ((v - lo) / (hi - lo) * 255.0).round().clamp(0.0, 255.0) as u8
        } else {
            128 // a constant picture (e.g. a blur kernel) in mid gray
        }
    };
    let plane = h * w;
    let pixels = (0..plane)
        .map(|p| {
            if c == 3 {
                RGBColor(
                    byte(values[p]),
                    byte(values[plane + p]),
                    byte(values[2 * plane + p]),
                )
            } else {
                let g = byte(values[p]);
                RGBColor(g, g, g)
            }
        })
        .collect();
    Tile {
        width: w,
        height: h,
        pixels,
    }
}

impl Draw for ImageGrid {
    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        target: Target,
    ) -> PlotResult {
        let (cw, ch, th) = self.layout();
        let (width, _) = root.dim_in_pixel();
        if let Some(t) = &self.title {
            let style = text(style::TITLE_SIZE).pos(Pos::new(HPos::Center, VPos::Top));
            root.draw(&Text::new(t.clone(), (width as i32 / 2, 8), style))?;
        }
        let left = (width as i32 - self.grid_width() as i32) / 2;
        for (k, t) in self.tiles.iter().enumerate() {
            let (col, row) = ((k % self.columns) as i32, (k / self.columns) as i32);
            let x = left + PAD as i32 + col * cw as i32;
            let y = PAD as i32 + th as i32 + row * ch as i32;
            let (w, h) = (
                (t.width * self.scale) as i32,
                (t.height * self.scale) as i32,
            );
            draw_raster(
                root,
                (x, y, x + w, y + h),
                &Raster::new(t.width, t.height, t.pixels.clone()),
                target,
            )?;
            root.draw(&Rectangle::new(
                [(x - 1, y - 1), (x + w, y + h)],
                RGBColor(190, 190, 190).stroke_width(1),
            ))?;
            let centre = x + w / 2;
            let mut line_y = y + h + 3;
            let first = match (&self.labels, &self.captions) {
                (Some(labels), _) => Some(self.name(labels[k])),
                (None, Some(c)) => c.get(k).cloned(),
                _ => None,
            };
            let anchor = Pos::new(HPos::Center, VPos::Top);
            if let Some(s) = first {
                root.draw(&Text::new(
                    s,
                    (centre, line_y),
                    text(style::TICK_SIZE).pos(anchor),
                ))?;
                line_y += CAPTION as i32;
            }
            if let Some(p) = &self.predictions {
                let right = self.labels.as_ref().map(|l| l[k] == p[k]);
                let color = match right {
                    Some(true) => RGBColor(20, 140, 40),
                    Some(false) => RGBColor(220, 20, 20),
                    None => BLACK,
                };
                let s = format!("→ {}", self.name(p[k]));
                root.draw(&Text::new(
                    s,
                    (centre, line_y),
                    colored_text(style::TICK_SIZE, color).pos(anchor),
                ))?;
            }
        }
        Ok(())
    }
}

displayable!(ImageGrid);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plot::testing::assert_drawn;
    use crate::prelude::*;

    /// 28×28 "digits": a bright bar whose position depends on the index.
    fn gray_batch(n: usize) -> Tensor {
        let mut v = vec![0f32; n * 28 * 28];
        for k in 0..n {
            for r in 4..24 {
                for c in 0..4 {
                    v[k * 784 + r * 28 + 4 + 2 * k + c] = 1.0;
                }
            }
        }
        Tensor::from_vec(v, &[n, 1, 28, 28])
    }

    #[test]
    fn gray_images_with_labels_and_predictions() {
        let fig = ImageGrid::new(&gray_batch(8))
            .labels(&[0, 1, 2, 3, 4, 5, 6, 7])
            .predictions(&[0, 1, 2, 8, 4, 5, 6, 7])
            .columns(4)
            .title("MNIST")
            .render();
        let (w, h) = (4 * 92 + 8, 2 * (84 + 8 + 34) + 8 + 34);
        let img = assert_drawn(&fig, (w, h));
        // black tiles with white bars, a red caption for the wrong prediction
        assert!(img.pixel_fraction(|p| p == [0, 0, 0]) > 0.2);
        assert!(img.pixel_fraction(|p| p == [255, 255, 255]) > 0.2);
        let red = img.pixel_fraction(|p| p[0] > 180 && p[1] < 90 && p[2] < 90);
        assert!(
            red * (img.width * img.height) as f64 >= 8.0,
            "no red caption"
        );
    }

    #[test]
    fn colour_images_normalized_per_image() {
        // CIFAR-like (N, 3, 32, 32) with values outside [0, 1]: stretched
        manual_seed(3);
        let images = Tensor::randn(&[4, 3, 32, 32]);
        let names = ["avion", "auto", "oiseau", "chat"];
        let fig = ImageGrid::new(&images)
            .labels(&tensor!([0., 1., 2., 3.]))
            .class_names(&names)
            .render();
        let img = assert_drawn(&fig, (4 * 104 + 8, 96 + 8 + 17 + 8));
        assert!(img.distinct_colors() > 1000, "colours expected");
    }

    #[test]
    fn feature_maps_and_kernels() {
        let maps = Tensor::linspace(0.0, 1.0, 4 * 24 * 24).reshape(&[4, 24, 24]);
        assert_drawn(
            &ImageGrid::feature_maps(&maps).render(),
            (4 * 104 + 8, 96 + 8 + 17 + 8),
        );
        let w = Tensor::linspace(-1.0, 1.0, 6 * 2 * 5 * 5).reshape(&[6, 2, 5, 5]);
        // 6 rows of 2 kernels, no captions
        assert_drawn(&ImageGrid::kernels(&w).render(), (2 * 93 + 8, 6 * 93 + 8));
        let rgb = Tensor::linspace(-1.0, 1.0, 4 * 3 * 5 * 5).reshape(&[4, 3, 5, 5]);
        assert_drawn(
            &ImageGrid::kernels(&rgb).render(),
            (4 * 93 + 8, 85 + 8 + 17 + 8),
        );
    }

    #[test]
    #[should_panic(expected = "3 labels for 8 images")]
    fn labels_must_match_the_images() {
        let _ = ImageGrid::new(&gray_batch(8)).labels(&[1, 2, 3]);
    }

    #[test]
    #[should_panic(expected = "too many for one figure")]
    fn a_whole_dataset_is_refused_with_advice() {
        let _ = ImageGrid::new(&Tensor::zeros(&[1000, 28, 28]));
    }
}
