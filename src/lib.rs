//! # apprentissage
//!
//! A Rust companion to the French course *Apprentissage & Introduction à
//! PyTorch*: what PyTorch gives the course, in a crate small enough to read.
//!
//! * [`Tensor`]: an n-dimensional `f32` array (over [`ndarray`]) that records
//!   the operations applied to it, so that [`Tensor::backward`] can compute
//!   gradients (module [`autograd`], one page to read first);
//! * the operations, each with its forward and backward side by side
//!   ([`ops`]), broadcasting as in chapter 4 ([`broadcast`]), matrix products
//!   through OpenBLAS;
//! * [`functional`] (`F`): activations and losses by their PyTorch names;
//! * [`gradcheck`]: finite differences to check any gradient.
//!
//! Names follow PyTorch so that the course and a notebook can be read side by
//! side: `requires_grad_`, `backward`, `grad`, `zero_grad`, `no_grad`, `item`,
//! `softmax(dim)`, `F::cross_entropy`…
//!
//! ```
//! use apprentissage::prelude::*;
//!
//! manual_seed(0);
//! // A tiny linear regression y = 2x + 1, fitted by gradient descent (chapter 6).
//! let x = Tensor::linspace(-1.0, 1.0, 20).reshape(&[20, 1]);
//! let y = &x * 2.0 + 1.0;
//! let w = Tensor::zeros(&[1, 1]).requires_grad_();
//! let b = Tensor::zeros(&[1]).requires_grad_();
//! for _ in 0..200 {
//!     let loss = F::mse_loss(&(x.matmul(&w) + &b), &y);
//!     w.zero_grad();
//!     b.zero_grad();
//!     loss.backward();
//!     no_grad(|| {
//!         w.sub_(&(w.grad().unwrap() * 0.5));
//!         b.sub_(&(b.grad().unwrap() * 0.5));
//!     });
//! }
//! assert!((w.item() - 2.0).abs() < 1e-3 && (b.item() - 1.0).abs() < 1e-3);
//! ```

// Links OpenBLAS, the BLAS that ndarray's matrix products call.
extern crate blas_src;

/// Re-exported so that `tensor!` and `s![]` work without adding ndarray.
pub use ndarray;

pub mod autograd;
pub mod broadcast;
pub mod data;
pub mod datasets;
mod display;
pub mod functional;
pub mod gradcheck;
pub mod inplace;
pub mod nn;
pub mod ops;
pub mod optim;
pub mod plot;
pub mod random;
pub mod tensor;

pub use autograd::no_grad;
pub use random::manual_seed;
pub use tensor::Tensor;

/// Everything a notebook needs: `use apprentissage::prelude::*;`.
pub mod prelude {
    pub use crate::autograd::{no_grad, AutogradError};
    pub use crate::functional as F;
    pub use crate::functional::Reduction;
    pub use crate::random::manual_seed;
    pub use crate::tensor;
    pub use crate::tensor::Tensor;
    pub use ndarray::s;
    // nn, optim, data, datasets and plot add their names below, one line each.
    pub use crate::data::{
        full_batch, mean_std, random_split, Compose, DataLoader, Dataset, Lambda, Normalize,
        Subset, ToTensor, Transform,
    };
    pub use crate::nn::{
        sequential, AvgPool2d, Conv2d, CrossEntropyLoss, Dropout, Flatten, LeakyReLU, Linear,
        LogSoftmax, MaxPool2d, Module, ReLU, Sequential, Sigmoid, Softmax, Tanh,
    };
    pub use crate::optim::{Adagrad, Adam, Optimizer, Rmsprop, Sgd};
    pub use crate::plot::{
        Animation, Bars, Chart, DecisionMap, Diagram, Figure, Figures, Format, Graph, Heatmap,
        Histogram, ImageGrid, LayerKind, Run, Surface, Topology, TrainingCurves,
    };
    pub use crate::{
        compose,
        datasets::{
            Cifar10, DataError, FashionMnist, ImageDataset, Mnist, Split, CIFAR10_MEAN,
            CIFAR10_STD, MNIST_MEAN, MNIST_STD,
        },
    };
}
