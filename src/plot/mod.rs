//! Figures for the notebooks: the course's pictures, drawn with
//! [plotters](https://docs.rs/plotters) and shown right under the cell.
//!
//! | figure | type | course |
//! |---|---|---|
//! | curves and points, legend, labels, title, equal axes | [`Chart`] | 5.5 |
//! | a function and the iterates of a 1-D gradient descent | [`Chart::descent`] | 2.5.1, 2.5.4 |
//! | f(x, y) as colours with a colour bar, and a descent path | [`Heatmap`] | 2.5.4 |
//! | decision regions of a classifier, with the points | [`DecisionMap`] | 7.5.1, 7.5.2 |
//! | frames collected during training, as an animated GIF | [`Animation`] | 7.5.1 |
//! | loss and accuracy per epoch, several runs | [`TrainingCurves`], [`Run`] | 10.3 |
//! | images with labels and predictions, feature maps, kernels | [`ImageGrid`] | 8, 10.1.4 |
//! | histograms, per colour channel | [`Histogram`] | 8.2.2 |
//! | bars over named categories, stacked series | [`Bars`] | (the grader's class page) |
//! | the computation graph with values and gradients | [`Graph`] | 2.4, 2.5.3 |
//! | a surface z = f(x, y) in 3-D with its tangent plane | [`Surface`] | 2.2 |
//! | boxes, circles and labelled arrows: block diagrams | [`Diagram`] | 1.1–1.3, 2.4, 5.1 |
//! | a network's layers, left to right, with the shape of each output | [`Topology`] | 5.2, 10.1.7, 10.2 |
//!
//! Each type is a builder: set what you need (`.title(…)`, `.size(…)`…),
//! then either make it the last expression of a notebook cell, where it shows
//! itself, or call `.render()` to get a [`Figure`] (PNG, or SVG for the
//! graph) that can be saved, converted, resized or combined.
//!
//! ```
//! use apprentissage::prelude::*;
//! let x = Tensor::linspace(-2.0, 2.0, 100);
//! let chart = Chart::new()
//!     .title("Deux activations")
//!     .line(&x, &x.relu(), "ReLU")
//!     .line(&x, &x.sigmoid(), "sigmoïde")
//!     .xlabel("x");
//! // in a notebook, `chart` alone as the last line shows it; elsewhere:
//! let fig = chart.render();
//! fig.save(std::env::temp_dir().join("activations.png")).unwrap();
//! ```
//!
//! # In a notebook (evcxr)
//!
//! * A cell shows ONE picture per output type: to show two figures from one
//!   cell, combine them with [`Figures`] (`Figures::new().with(&a).with(&b)`),
//!   which makes a single HTML block.
//! * An [`Animation`] plays in the notebook as an HTML `<img>` holding a GIF.
//! * Every figure is drawn in memory; nothing is written to disk unless you
//!   call `save`.
//! * Text uses DejaVu Sans, bundled in the crate (no system font needed).
//!
//! # Data
//!
//! Sequences of numbers are accepted as tensors, vectors, slices or arrays
//! ([`Values`]); points of the plane as an (N, 2) tensor or a list of pairs
//! ([`Points`]); classes as `&[usize]`, `Vec<usize>` or a tensor of whole
//! numbers ([`Indices`](crate::ops::Indices)).

mod animation;
mod bars;
mod chart;
mod chart_draw;
mod curves;
mod decision;
mod diagram;
mod figure;
mod figures;
mod font;
mod graph;
mod graph_draw;
mod graph_layout;
mod heatmap;
mod histogram;
mod images;
mod input;
mod raster;
mod style;
mod surface;
#[cfg(test)]
mod testing;
mod topology;
mod topology_draw;

pub use animation::Animation;
pub use bars::Bars;
pub use chart::Chart;
pub use curves::{Run, TrainingCurves};
pub use decision::DecisionMap;
pub use diagram::Diagram;
pub use figure::{Figure, Format};
pub use figures::{Figures, Panel};
pub use graph::Graph;
pub use heatmap::Heatmap;
pub use histogram::Histogram;
pub use images::ImageGrid;
pub use input::{Points, Values};
pub use surface::Surface;
pub use topology::{LayerKind, Topology};
