//! The pooling layers (course 10.1.5).

use std::cell::Cell;

use super::module::{display_as_module, Module};
use crate::ops::conv::IntoPair;
use crate::ops::pool::{avg_pool2d, max_pool2d};
use crate::tensor::Tensor;

/// PyTorch prints a size given as one number as that number, and a pair as `(h, w)`.
fn size_text((h, w): (usize, usize)) -> String {
    if h == w {
        h.to_string()
    } else {
        format!("({h}, {w})")
    }
}

/// The window settings shared by both pooling layers.
#[derive(Clone, Copy)]
struct Window {
    kernel: (usize, usize),
    stride: (usize, usize),
    padding: (usize, usize),
}

impl Window {
    fn new(kernel: impl IntoPair) -> Window {
        let kernel = kernel.into_pair();
        Window {
            kernel,
            stride: kernel,
            padding: (0, 0),
        }
    }

    fn text(&self) -> String {
        format!(
            "kernel_size={}, stride={}, padding={}",
            size_text(self.kernel),
            size_text(self.stride),
            size_text(self.padding)
        )
    }
}

/// Max pooling (PyTorch's `nn.MaxPool2d`, course 10.1.5): the maximum of each
/// `kernel` window, the window moving by `stride` (the kernel size by
/// default), over an input padded with −∞ (`padding`, 0 by default).
///
/// ```text
/// y[n, c, i, j] = max_{u, v} x[n, c, stride·i + u − padding, stride·j + v − padding]
/// ```
///
/// No parameters. See [`max_pool2d`](crate::ops::pool::max_pool2d).
///
/// ```
/// use apprentissage::prelude::*;
/// let pool = MaxPool2d::new(2);
/// let y = pool.forward(&Tensor::zeros(&[1, 32, 32, 32]));
/// assert_eq!(y.shape(), vec![1, 32, 16, 16]); // course 10.1.7: (32,32,32) → (32,16,16)
/// assert_eq!(pool.to_string(),
///            "MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=false)");
/// ```
pub struct MaxPool2d {
    window: Window,
    training: Cell<bool>,
}

impl MaxPool2d {
    /// Windows of size `kernel` (a number, or (kh, kw)), moved by `kernel`,
    /// no padding (`nn.MaxPool2d(kernel_size)`).
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// let y = MaxPool2d::new(2).forward(&tensor!([[[[1., 2.], [4., 3.]]]]));
    /// assert_eq!(y.to_vec(), vec![4.]);
    /// ```
    pub fn new(kernel: impl IntoPair) -> MaxPool2d {
        MaxPool2d {
            window: Window::new(kernel),
            training: Cell::new(true),
        }
    }

    /// The same layer with another stride.
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// let pool = MaxPool2d::new(3).stride(2);
    /// assert_eq!(pool.forward(&Tensor::zeros(&[1, 1, 7, 7])).shape(), vec![1, 1, 3, 3]);
    /// ```
    pub fn stride(mut self, stride: impl IntoPair) -> MaxPool2d {
        self.window.stride = stride.into_pair();
        self
    }

    /// The same layer with a padding of −∞ (at most half the kernel).
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// let pool = MaxPool2d::new(3).stride(1).padding(1);
    /// assert_eq!(pool.forward(&Tensor::zeros(&[1, 1, 7, 7])).shape(), vec![1, 1, 7, 7]);
    /// ```
    pub fn padding(mut self, padding: impl IntoPair) -> MaxPool2d {
        self.window.padding = padding.into_pair();
        self
    }
}

impl Module for MaxPool2d {
    fn forward(&self, x: &Tensor) -> Tensor {
        let w = self.window;
        max_pool2d(x, w.kernel, w.stride, w.padding)
    }

    fn training_flag(&self) -> Option<&Cell<bool>> {
        Some(&self.training)
    }

    fn extra_repr(&self) -> String {
        format!("{}, dilation=1, ceil_mode=false", self.window.text())
    }
}

/// Average pooling (PyTorch's `nn.AvgPool2d`): the mean of each `kernel`
/// window, moved by `stride` (the kernel size by default), over an input
/// padded with zeros that count in the mean (`padding`, 0 by default).
///
/// ```text
/// y[n, c, i, j] = Σ_{u, v} x[n, c, stride·i + u − padding, stride·j + v − padding] / (kh·kw)
/// ```
///
/// No parameters. See [`avg_pool2d`](crate::ops::pool::avg_pool2d).
///
/// ```
/// use apprentissage::prelude::*;
/// let pool = AvgPool2d::new(2);
/// assert_eq!(pool.forward(&tensor!([[[[1., 2.], [4., 3.]]]])).to_vec(), vec![2.5]);
/// assert_eq!(pool.to_string(), "AvgPool2d(kernel_size=2, stride=2, padding=0)");
/// ```
pub struct AvgPool2d {
    window: Window,
    training: Cell<bool>,
}

impl AvgPool2d {
    /// Windows of size `kernel` (a number, or (kh, kw)), moved by `kernel`,
    /// no padding (`nn.AvgPool2d(kernel_size)`).
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// let pool = AvgPool2d::new((1, 2));
    /// assert_eq!(pool.forward(&Tensor::zeros(&[2, 3, 4, 4])).shape(), vec![2, 3, 4, 2]);
    /// ```
    pub fn new(kernel: impl IntoPair) -> AvgPool2d {
        AvgPool2d {
            window: Window::new(kernel),
            training: Cell::new(true),
        }
    }

    /// The same layer with another stride.
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// let pool = AvgPool2d::new(2).stride(1);
    /// assert_eq!(pool.forward(&Tensor::zeros(&[1, 1, 4, 4])).shape(), vec![1, 1, 3, 3]);
    /// ```
    pub fn stride(mut self, stride: impl IntoPair) -> AvgPool2d {
        self.window.stride = stride.into_pair();
        self
    }

    /// The same layer with a zero padding (at most half the kernel), counted
    /// in the mean.
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// let pool = AvgPool2d::new(2).padding(1);
    /// assert_eq!(pool.forward(&Tensor::ones(&[1, 1, 2, 2])).to_vec(), vec![0.25; 4]);
    /// ```
    pub fn padding(mut self, padding: impl IntoPair) -> AvgPool2d {
        self.window.padding = padding.into_pair();
        self
    }
}

impl Module for AvgPool2d {
    fn forward(&self, x: &Tensor) -> Tensor {
        let w = self.window;
        avg_pool2d(x, w.kernel, w.stride, w.padding)
    }

    fn training_flag(&self) -> Option<&Cell<bool>> {
        Some(&self.training)
    }

    fn extra_repr(&self) -> String {
        self.window.text()
    }
}

display_as_module!(MaxPool2d, AvgPool2d);

#[cfg(test)]
mod tests {
    use crate::prelude::*;

    #[test]
    fn display_shows_pairs_only_when_they_differ() {
        assert_eq!(
            MaxPool2d::new((2, 3)).stride(1).padding((1, 0)).to_string(),
            "MaxPool2d(kernel_size=(2, 3), stride=1, padding=(1, 0), dilation=1, ceil_mode=false)"
        );
        assert_eq!(
            format!("{:?}", AvgPool2d::new(3).stride(2).padding(1)),
            "AvgPool2d(kernel_size=3, stride=2, padding=1)"
        );
    }

    #[test]
    fn the_layers_compute_the_ops_and_have_no_parameters() {
        let x = Tensor::arange(0.0, 16.0, 1.0).reshape(&[1, 1, 4, 4]);
        assert_eq!(
            MaxPool2d::new(2).forward(&x).to_vec(),
            vec![5., 7., 13., 15.]
        );
        assert_eq!(
            AvgPool2d::new(2).forward(&x).to_vec(),
            vec![2.5, 4.5, 10.5, 12.5]
        );
        assert_eq!(MaxPool2d::new(2).num_parameters(), 0);
        assert_eq!(AvgPool2d::new(2).parameters().len(), 0);
    }
}
