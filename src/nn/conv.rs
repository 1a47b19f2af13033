//! The convolution layer (course 10.1.3).

use std::cell::Cell;

use super::init::uniform_parameter;
use super::module::{display_as_module, Module};
use crate::ops::conv::{conv2d, IntoPair};
use crate::tensor::Tensor;

/// A 2-D convolution layer (PyTorch's `nn.Conv2d`, course 10.1.3):
/// `out_channels` filters of shape (in_channels, kh, kw), each giving one
/// output channel,
///
/// ```text
/// y[n, o] = b[o] + Σ_c W[o, c] ⋆ x[n, c]
/// ```
///
/// (⋆: the 2-D cross-correlation of the course, 10.1.1). Stride and zero
/// padding are set with the builders [`stride`](Conv2d::stride) and
/// [`padding`](Conv2d::padding) (1 and 0 by default); `weight` and `bias`
/// are drawn from U(−√k, √k) with k = 1/(in_channels·kh·kw), like PyTorch.
/// Computed by [`conv2d`](crate::ops::conv::conv2d) (im2col + BLAS).
///
/// ```
/// use apprentissage::prelude::*;
/// // RVB = torch.FloatTensor(size=(1000,3,28,28)); C1 = nn.Conv2d(3, 32, (5,5))
/// let c1 = Conv2d::new(3, 32, 5);
/// let r = c1.forward(&Tensor::zeros(&[1000, 3, 28, 28]));
/// assert_eq!(r.shape(), vec![1000, 32, 24, 24]);
/// assert_eq!(c1.weight.shape(), vec![32, 3, 5, 5]);
/// assert_eq!(c1.num_parameters(), 2432); // 32·3·5·5 + 32
/// ```
pub struct Conv2d {
    /// The filters, (out_channels, in_channels, kh, kw).
    pub weight: Tensor,
    /// One bias per filter, (out_channels), if the layer has them.
    pub bias: Option<Tensor>,
    stride: (usize, usize),
    padding: (usize, usize),
    training: Cell<bool>,
}

impl Conv2d {
    /// `out_channels` filters of size `kernel` (a number, or (kh, kw)) over
    /// `in_channels` channels, stride 1, no padding, with a bias
    /// (`nn.Conv2d(in_channels, out_channels, kernel_size)`).
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// let c = Conv2d::new(3, 8, (5, 3));
    /// assert_eq!(c.weight.shape(), vec![8, 3, 5, 3]);
    /// ```
    pub fn new(in_channels: usize, out_channels: usize, kernel: impl IntoPair) -> Conv2d {
        let (kh, kw) = kernel.into_pair();
        let fan_in = in_channels * kh * kw;
        let weight = uniform_parameter(&[out_channels, in_channels, kh, kw], fan_in);
        let bias = uniform_parameter(&[out_channels], fan_in);
        Conv2d {
            weight,
            bias: Some(bias),
            stride: (1, 1),
            padding: (0, 0),
            training: Cell::new(true),
        }
    }

    /// The same layer with another stride (a number, or (sh, sw)).
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// let c = Conv2d::new(1, 1, 3).stride(2);
    /// assert_eq!(c.forward(&Tensor::zeros(&[1, 1, 9, 9])).shape(), vec![1, 1, 4, 4]);
    /// ```
    pub fn stride(mut self, stride: impl IntoPair) -> Conv2d {
        self.stride = stride.into_pair();
        self
    }

    /// The same layer with zero padding (a number, or (ph, pw)): a 5×5
    /// kernel with padding 2 keeps the image size (LeNet-5's first layer).
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// let c = Conv2d::new(1, 6, 5).padding(2);
    /// assert_eq!(c.forward(&Tensor::zeros(&[1, 1, 28, 28])).shape(), vec![1, 6, 28, 28]);
    /// ```
    pub fn padding(mut self, padding: impl IntoPair) -> Conv2d {
        self.padding = padding.into_pair();
        self
    }

    /// The same layer with (`true`) or without (`false`) its bias
    /// (`nn.Conv2d(…, bias=False)`).
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// let c = Conv2d::new(3, 8, 3).bias(false);
    /// assert_eq!(c.num_parameters(), 8 * 3 * 3 * 3);
    /// ```
    pub fn bias(mut self, bias: bool) -> Conv2d {
        if !bias {
            self.bias = None;
        } else if self.bias.is_none() {
            let out_channels = self.weight.shape()[0];
            self.bias = Some(uniform_parameter(&[out_channels], self.fan_in()));
        }
        self
    }

    /// Inputs of one filter: in_channels·kh·kw.
    fn fan_in(&self) -> usize {
        self.weight.shape()[1..].iter().product()
    }
}

impl Module for Conv2d {
    fn forward(&self, x: &Tensor) -> Tensor {
        conv2d(
            x,
            &self.weight,
            self.bias.as_ref(),
            self.stride,
            self.padding,
        )
    }

    fn own_parameters(&self) -> Vec<(&str, Tensor)> {
        let mut params = vec![("weight", self.weight.clone())];
        params.extend(self.bias.iter().map(|b| ("bias", b.clone())));
        params
    }

    fn training_flag(&self) -> Option<&Cell<bool>> {
        Some(&self.training)
    }

    /// PyTorch's text: the padding only when there is some, `bias=false`
    /// only when there is none.
    fn extra_repr(&self) -> String {
        let w = self.weight.shape();
        let mut text = format!(
            "{}, {}, kernel_size=({}, {}), stride=({}, {})",
            w[1], w[0], w[2], w[3], self.stride.0, self.stride.1
        );
        if self.padding != (0, 0) {
            text += &format!(", padding=({}, {})", self.padding.0, self.padding.1);
        }
        if self.bias.is_none() {
            text += ", bias=false";
        }
        text
    }
}

display_as_module!(Conv2d);

#[cfg(test)]
mod tests {
    use crate::prelude::*;
    use crate::random::SEED_LOCK;

    #[test]
    fn course_10_1_3_shapes_and_2432_parameters() {
        let _lock = SEED_LOCK.lock().unwrap_or_else(|e| e.into_inner());
        let c1 = Conv2d::new(3, 32, 5);
        let r = c1.forward(&Tensor::zeros(&[1000, 3, 28, 28]));
        assert_eq!(r.shape(), vec![1000, 32, 24, 24]);
        assert_eq!(c1.weight.shape(), vec![32, 3, 5, 5]);
        assert_eq!(c1.num_parameters(), 2432);
    }

    #[test]
    fn initial_values_use_k_equal_one_over_in_channels_kh_kw() {
        let _lock = SEED_LOCK.lock().unwrap_or_else(|e| e.into_inner());
        let c = Conv2d::new(4, 50, (5, 5)); // k = 1/100, bound 0.1
        let w = c.weight.to_vec();
        assert!(w.iter().all(|v| v.abs() <= 0.1) && w.iter().any(|v| v.abs() > 0.09));
        assert!(c
            .bias
            .as_ref()
            .unwrap()
            .to_vec()
            .iter()
            .all(|v| v.abs() <= 0.1));
    }

    #[test]
    fn display_follows_pytorch() {
        let _lock = SEED_LOCK.lock().unwrap_or_else(|e| e.into_inner());
        assert_eq!(
            Conv2d::new(3, 32, 5).to_string(),
            "Conv2d(3, 32, kernel_size=(5, 5), stride=(1, 1))"
        );
        assert_eq!(
            Conv2d::new(1, 6, 5).padding(2).to_string(),
            "Conv2d(1, 6, kernel_size=(5, 5), stride=(1, 1), padding=(2, 2))"
        );
        assert_eq!(
            format!("{:?}", Conv2d::new(2, 4, (3, 1)).stride((2, 1)).bias(false)),
            "Conv2d(2, 4, kernel_size=(3, 1), stride=(2, 1), bias=false)"
        );
    }

    #[test]
    fn the_layer_is_differentiable_through_its_parameters() {
        let _lock = SEED_LOCK.lock().unwrap_or_else(|e| e.into_inner());
        let c = Conv2d::new(2, 3, 3).stride(2).padding(1);
        let y = c.forward(&Tensor::ones(&[2, 2, 5, 5]));
        assert_eq!(y.shape(), vec![2, 3, 3, 3]);
        y.sum().backward();
        assert_eq!(c.weight.grad().unwrap().shape(), vec![3, 2, 3, 3]);
        assert_eq!(
            c.bias.as_ref().unwrap().grad().unwrap().to_vec(),
            vec![18.; 3]
        );
    }
}
