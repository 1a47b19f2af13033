//! [`Topology`]: a network drawn as the course draws it (5.2, 10.1.7, 10.2):
//! the input on the left, then one block per layer, left to right, each
//! block the shape of that layer's output. A feature map (C, H, W) is a box
//! whose front face is as tall as the resolution H, as thick as the number of
//! channels C (on a log scale), and as deep as W; a vector of N values (after
//! FLATTEN or a LINEAR layer) is a column of neurons. Each block is named
//! above (CONV / POOL / FLATTEN / LINEAR, the activation under the name, e.g.
//! RELU) and its shape is written under it.
//!
//! ```
//! use apprentissage::prelude::*;
//! // LeNet-5 (course 10.2.5), its shapes found by running a blank image through it
//! let lenet5 = sequential![
//!     Conv2d::new(1, 6, 5).padding(2), ReLU::new(), MaxPool2d::new(2),
//!     Conv2d::new(6, 16, 5), ReLU::new(), MaxPool2d::new(2),
//!     Flatten::new(),
//!     Linear::new(400, 120), ReLU::new(), Linear::new(120, 84), ReLU::new(), Linear::new(84, 10),
//! ];
//! let topology = Topology::of(&lenet5, &[1, 28, 28]).title("LeNet-5");
//! assert_eq!(topology.shapes()[1], vec![6, 28, 28]); // CONV 5×5 with a margin of 2
//! let fig = topology.render();
//! fig.save(std::env::temp_dir().join("lenet5-topology.png")).unwrap();
//!
//! // or from a description: kind, name, output shape
//! let small = Topology::new()
//!     .input(&[4])
//!     .layer(LayerKind::Linear, "LINEAR", &[5])
//!     .after("RELU")
//!     .layer(LayerKind::Linear, "LINEAR", &[1]);
//! assert_eq!(small.shapes(), vec![vec![4], vec![5], vec![1]]);
//! ```

use plotters::style::RGBColor;

use super::figure::{Figure, Format};
use super::figures::displayable;
use super::style::{self, text_width};
use super::topology_draw::{Layout, Placed};
use crate::autograd::no_grad;
use crate::nn::{Module, Sequential};
use crate::tensor::Tensor;

/// What a block of a [`Topology`] stands for; it sets the block's colour.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LayerKind {
    /// The data that enters the network (no computation).
    Input,
    /// A convolution (`Conv2d`).
    Conv,
    /// A pooling (`MaxPool2d`, `AvgPool2d`).
    Pool,
    /// `Flatten`: the feature maps put end to end in one vector.
    Flatten,
    /// A fully connected layer (`Linear`).
    Linear,
    /// Any other layer.
    Other,
}

impl LayerKind {
    /// Fill colour of the block's front face.
    pub(super) fn color(self) -> RGBColor {
        match self {
            LayerKind::Input => RGBColor(200, 200, 200),
            LayerKind::Conv => RGBColor(110, 160, 225),
            LayerKind::Pool => RGBColor(245, 170, 90),
            LayerKind::Flatten => RGBColor(130, 200, 140),
            LayerKind::Linear => RGBColor(185, 150, 215),
            LayerKind::Other => RGBColor(225, 215, 120),
        }
    }
}

/// One block: a layer's kind, its name and annotations, its output shape.
#[derive(Clone, Debug)]
pub(super) struct Block {
    pub(super) kind: LayerKind,
    pub(super) lines: Vec<String>,
    pub(super) shape: Vec<usize>,
}

/// A network drawn block by block with the shape of each output: a feature
/// map (C, H, W) is a box as tall as H and as thick as C (log scale), a
/// vector is a column of neurons; the layer's name is above, its shape under.
#[derive(Clone, Debug, Default)]
pub struct Topology {
    blocks: Vec<Block>,
    title: Option<String>,
}

/// Text sizes and spacing, in pixels.
pub(super) const NAME_SIZE: f64 = 14.0;
pub(super) const LINE: i32 = 18;
const GAP: i32 = 34;
const MARGIN: i32 = 16;
/// Height of the tallest feature map, and of a column of neurons.
const MAP_HEIGHT: f64 = 170.0;
const COLUMN_WIDTH: i32 = 18;
/// Neurons drawn in a column at most (the others are elided with ⋮).
pub(super) const NEURONS: usize = 7;

impl Topology {
    /// An empty topology: add the input, then the layers.
    pub fn new() -> Topology {
        Topology::default()
    }

    /// The input block: `(C, H, W)` for images, `(N,)` for a vector.
    pub fn input(self, shape: &[usize]) -> Topology {
        self.layer(LayerKind::Input, "ENTRÉE", shape)
    }

    /// Adds a layer of `kind`, named `name` (e.g. `"CONV 5×5"`), whose output
    /// has `shape` (without the batch dimension).
    pub fn layer(mut self, kind: LayerKind, name: &str, shape: &[usize]) -> Topology {
        assert!(
            !shape.is_empty() && shape.iter().all(|&n| n > 0),
            "Topology::layer: the shape of {name} must be non-empty and have no zero, got {shape:?}"
        );
        self.blocks.push(Block {
            kind,
            lines: vec![name.to_string()],
            shape: shape.to_vec(),
        });
        self
    }

    /// Writes `note` under the name of the last block: an operation applied to
    /// its output that keeps its shape (an activation such as `"RELU"`, a
    /// dropout).
    pub fn after(mut self, note: &str) -> Topology {
        let last = self
            .blocks
            .last_mut()
            .expect("Topology::after annotates the last block: add one first");
        last.lines.push(note.to_string());
        self
    }

    /// The title, above the drawing.
    pub fn title(mut self, title: &str) -> Topology {
        self.title = Some(title.to_string());
        self
    }

    /// The topology of `model` for one input of shape `input` (without the
    /// batch dimension, e.g. `[3, 32, 32]`): the model runs once, without
    /// gradient, on a blank input; each `Conv2d`, pooling, `Flatten` and
    /// `Linear` becomes a block with its output shape, and the layers that
    /// keep the shape (activations, `Dropout`) are written under the block
    /// before them.
    pub fn of(model: &Sequential, input: &[usize]) -> Topology {
        let mut batch = vec![1];
        batch.extend_from_slice(input);
        let mut x = Tensor::zeros(&batch);
        no_grad(|| {
            let mut topology = Topology::new().input(input);
            for i in 0..model.len() {
                let layer = &model[i];
                let before = x.shape().to_vec();
                x = layer.forward(&x);
                let shape = x.shape()[1..].to_vec();
                let (kind, name, notes) = describe(layer);
                topology = match kind {
                    Some(kind) => topology.layer(kind, &name, &shape),
                    None if x.shape() == before.as_slice() => topology.after(&name),
                    None => topology.layer(LayerKind::Other, &name, &shape),
                };
                for note in notes {
                    topology = topology.after(&note);
                }
            }
            topology
        })
    }

    /// The output shape of each block, the input first.
    pub fn shapes(&self) -> Vec<Vec<usize>> {
        self.blocks.iter().map(|b| b.shape.clone()).collect()
    }

    /// The text above each block: its name, then the notes added by
    /// [`Topology::after`].
    pub fn names(&self) -> Vec<Vec<String>> {
        self.blocks.iter().map(|b| b.lines.clone()).collect()
    }

    /// Draws the topology as a PNG [`Figure`], as wide as its blocks need.
    pub fn render(&self) -> Figure {
        let layout = self.layout();
        let size = (layout.width as u32, layout.height as u32);
        Figure::render(layout, size, Format::Png)
    }

    /// Places every block, in pixels.
    fn layout(&self) -> Layout {
        let tallest_map = self
            .blocks
            .iter()
            .filter_map(|b| map_dims(&b.shape).map(|(_, h, w)| h.max(w)))
            .max()
            .unwrap_or(1) as f64;
        let scale = MAP_HEIGHT / tallest_map;
        let mut placed = Vec::new();
        for b in &self.blocks {
            let (w, h, depth) = match map_dims(&b.shape) {
                Some((c, h, w)) => (
                    (6.0 + 7.0 * (c as f64).log2()).round() as i32,
                    (h as f64 * scale).max(10.0).round() as i32,
                    (w as f64 * scale * 0.4).max(5.0).round() as i32,
                ),
                None => {
                    let n = b.shape.iter().product::<usize>() as f64;
                    let h = (30.0 + 14.0 * n.log2()).min(MAP_HEIGHT);
                    (COLUMN_WIDTH, h.round() as i32, 0)
                }
            };
            let shape = shape_text(&b.shape);
            let labels = b.lines.iter().chain(std::iter::once(&shape));
            let widest = labels.map(|s| text_width(s, NAME_SIZE)).max().unwrap_or(0);
            placed.push(Placed {
                block: b.clone(),
                width: w,
                height: h,
                depth,
                column: (w + depth).max(widest) + GAP,
                x: 0,
            });
        }
        let mut x = MARGIN;
        for p in &mut placed {
            p.x = x + (p.column - p.width - p.depth) / 2;
            x += p.column;
        }
        let lines = self.blocks.iter().map(|b| b.lines.len()).max().unwrap_or(1) as i32;
        let title = if self.title.is_some() { 40 } else { MARGIN };
        let band = placed
            .iter()
            .map(|p| p.height + oblique(p.depth))
            .max()
            .unwrap_or(0);
        let names_bottom = title + lines * LINE;
        let centre = names_bottom + 14 + band / 2 + oblique_max(&placed) / 2;
        let title_width = self
            .title
            .as_deref()
            .map_or(0, |t| text_width(t, style::TITLE_SIZE) + 2 * MARGIN);
        Layout {
            blocks: placed,
            title: self.title.clone(),
            names_bottom,
            centre,
            shapes_top: names_bottom + 14 + band + 12,
            width: (x + MARGIN / 2).max(title_width).max(200),
            height: names_bottom + 14 + band + 12 + LINE + MARGIN,
        }
    }
}

/// `(C, H, W)` when the shape is a stack of feature maps (`(H, W)` counts as
/// one channel).
fn map_dims(shape: &[usize]) -> Option<(usize, usize, usize)> {
    match *shape {
        [c, h, w] => Some((c, h, w)),
        [h, w] => Some((1, h, w)),
        _ => None,
    }
}

/// `6×28×28`, or `120` for a vector.
pub(super) fn shape_text(shape: &[usize]) -> String {
    let parts: Vec<String> = shape.iter().map(|n| n.to_string()).collect();
    parts.join("×")
}

/// The vertical rise of a box's depth (oblique projection).
pub(super) fn oblique(depth: i32) -> i32 {
    (depth as f64 * 0.6).round() as i32
}

fn oblique_max(placed: &[Placed]) -> i32 {
    placed.iter().map(|p| oblique(p.depth)).max().unwrap_or(0)
}

/// The kind, name and notes of a layer of a `Sequential`; no kind for the
/// layers that keep the shape (written under the previous block).
fn describe(layer: &dyn Module) -> (Option<LayerKind>, String, Vec<String>) {
    let repr = layer.extra_repr();
    let field = |key: &str| -> Option<String> {
        let start = repr.find(key)? + key.len();
        let rest = &repr[start..];
        let end = if rest.starts_with('(') {
            rest.find(')')? + 1
        } else {
            rest.find(", ").unwrap_or(rest.len())
        };
        Some(rest[..end].to_string())
    };
    // "2" → "2×2", "(2, 3)" → "2×3"
    let square = |v: String| -> String {
        let v = v.trim_matches(|c| c == '(' || c == ')').replace(", ", "×");
        if v.contains('×') {
            v
        } else {
            format!("{v}×{v}")
        }
    };
    let kernel = field("kernel_size=").map(square).unwrap_or_default();
    match layer.name().as_str() {
        "Conv2d" => {
            let mut notes = Vec::new();
            if let Some(p) = field("padding=").map(square) {
                notes.push(format!("marge {}", p.split('×').next().unwrap_or("")));
            }
            if let Some(s) = field("stride=").map(square).filter(|s| s != "1×1") {
                notes.push(format!("pas {}", s.split('×').next().unwrap_or("")));
            }
            (Some(LayerKind::Conv), format!("CONV {kernel}"), notes)
        }
        "MaxPool2d" => (Some(LayerKind::Pool), format!("POOL max {kernel}"), vec![]),
        "AvgPool2d" => (Some(LayerKind::Pool), format!("POOL moy. {kernel}"), vec![]),
        "Flatten" => (Some(LayerKind::Flatten), "FLATTEN".to_string(), vec![]),
        "Linear" => (Some(LayerKind::Linear), "LINEAR".to_string(), vec![]),
        "Dropout" => {
            let p = field("p=").unwrap_or_default().replace('.', ",");
            (None, format!("DROPOUT {p}"), vec![])
        }
        other => (None, other.to_uppercase(), vec![]),
    }
}

displayable!(Topology);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nn::{Conv2d, Dropout, Flatten, Linear, MaxPool2d, ReLU};
    use crate::plot::testing::assert_drawn;
    use crate::sequential;

    fn lenet5() -> Sequential {
        sequential![
            Conv2d::new(1, 6, 5).padding(2),
            ReLU::new(),
            MaxPool2d::new(2),
            Conv2d::new(6, 16, 5),
            ReLU::new(),
            MaxPool2d::new(2),
            Flatten::new(),
            Linear::new(400, 120),
            ReLU::new(),
            Dropout::new(0.5),
            Linear::new(120, 84),
            ReLU::new(),
            Linear::new(84, 10),
        ]
    }

    #[test]
    fn a_sequential_gives_the_course_shapes_and_names() {
        let t = Topology::of(&lenet5(), &[1, 28, 28]);
        // course 10.2.5: (6, 28, 28), (6, 14, 14), (16, 10, 10), (16, 5, 5), 400, 120, 84, 10
        let expected: Vec<Vec<usize>> = vec![
            vec![1, 28, 28],
            vec![6, 28, 28],
            vec![6, 14, 14],
            vec![16, 10, 10],
            vec![16, 5, 5],
            vec![400],
            vec![120],
            vec![84],
            vec![10],
        ];
        assert_eq!(t.shapes(), expected);
        let names = t.names();
        assert_eq!(names[0], vec!["ENTRÉE"]);
        assert_eq!(names[1], vec!["CONV 5×5", "marge 2", "RELU"]);
        assert_eq!(names[2], vec!["POOL max 2×2"]);
        assert_eq!(names[3], vec!["CONV 5×5", "RELU"]);
        assert_eq!(names[5], vec!["FLATTEN"]);
        assert_eq!(names[6], vec!["LINEAR", "RELU", "DROPOUT 0,5"]);
        assert_eq!(names[8], vec!["LINEAR"]);
    }

    #[test]
    fn blocks_are_drawn_in_their_colours_and_heights_follow_the_resolution() {
        let t = Topology::of(&lenet5(), &[1, 28, 28]).title("LeNet-5");
        let layout = t.layout();
        let fig = t.render();
        // kept for a look: target/…/lenet5-topology.png is not needed, the temporary folder is enough
        fig.save(std::env::temp_dir().join("apprentissage-topology-lenet5.png"))
            .unwrap();
        let img = assert_drawn(&fig, (layout.width as u32, layout.height as u32));
        // the middle of each front face has its kind's colour
        for p in &layout.blocks {
            let (x0, y0, x1, y1) = p.front(layout.centre);
            let at = img.pixel(((x0 + x1) / 2) as u32, ((y0 + y1) / 2 + 1) as u32);
            let c = p.block.kind.color();
            if p.depth > 0 {
                assert_eq!(at, [c.0, c.1, c.2], "{:?}", p.block.lines);
            }
            // left of the face, just inside: the face colour, always
            let inside = img.pixel((x0 + 2) as u32, ((y0 + y1) / 2 + 3) as u32);
            assert!(inside == [c.0, c.1, c.2] || inside == [255, 255, 255] || p.depth == 0);
        }
        // measured on the picture: the conv block (28 rows) is twice as tall as the pool (14)
        let painted_rows = |k: usize| {
            let p = &layout.blocks[k];
            let c = p.block.kind.color();
            let x = (p.x + 2) as u32;
            (0..img.height)
                .filter(|&y| img.pixel(x, y) == [c.0, c.1, c.2])
                .count() as f64
        };
        let ratio = painted_rows(1) / painted_rows(2);
        assert!((ratio - 2.0).abs() < 0.1, "conv/pool heights {ratio}");
        let ratio = painted_rows(3) / painted_rows(4);
        assert!((ratio - 2.0).abs() < 0.25, "10×10 / 5×5 heights {ratio}");
        // the blocks go left to right without overlapping
        for pair in layout.blocks.windows(2) {
            assert!(pair[0].x + pair[0].width + pair[0].depth < pair[1].x);
        }
        assert!(layout.blocks.last().unwrap().x < layout.width);
    }

    #[test]
    #[should_panic(expected = "add one first")]
    fn after_needs_a_block() {
        let _ = Topology::new().after("RELU");
    }
}
