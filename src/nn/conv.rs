//! The convolution layer (course 10.1.3).

use std::cell::Cell;

use super::init::{as_parameter, check_bias, uniform_parameter};
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

    /// A layer with the given filters, (out_channels, in_channels, kh, kw),
    /// and biases, (out_channels) or `None`; stride 1 and no padding until
    /// [`stride`](Conv2d::stride) and [`padding`](Conv2d::padding) say
    /// otherwise. PyTorch writes it `nn.Conv2d(…)` followed by
    /// `conv.weight.data = w` (and `bias`). As [`Linear::from_weights`](super::Linear::from_weights),
    /// the layer keeps these tensors, made to require a gradient.
    ///
    /// Panics if the weight does not have 4 dimensions or the bias does not
    /// have one value per filter.
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// // one 2×2 filter that computes x[i][j] − x[i+1][j+1], plus 0.5
    /// let c = Conv2d::from_weights(tensor!([[[[1., 0.], [0., -1.]]]]), Some(tensor!([0.5])));
    /// let x = Tensor::arange(1.0, 10.0, 1.0).reshape(&[1, 1, 3, 3]);
    /// assert_eq!(c.forward(&x).to_vec(), vec![-3.5; 4]);
    /// assert_eq!(c.to_string(), "Conv2d(1, 1, kernel_size=(2, 2), stride=(1, 1))");
    /// ```
    pub fn from_weights(weight: Tensor, bias: Option<Tensor>) -> Conv2d {
        let w = weight.shape();
        assert!(
            w.len() == 4,
            "Conv2d::from_weights: the weight must have 4 dimensions (out_channels, in_channels, kh, kw), got shape {w:?}"
        );
        check_bias("Conv2d::from_weights", "filter", &w, bias.as_ref());
        Conv2d {
            weight: as_parameter(weight),
            bias: bias.map(as_parameter),
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
    fn from_weights_computes_the_cross_correlation_with_the_given_filters() {
        // two filters over two channels, padding 1: at the top-left corner only x[·, 0, 0] and
        // its right/lower neighbours are inside the image. By hand, with x[c] = c + 1 everywhere:
        // filter 0 = ones → corner 4 pixels × (1 + 2) = 12, plus 1 = 13; filter 1 = channel 1 only,
        // centre tap 3 → 3·2 = 6, minus 1 = 5.
        let mut w = vec![1.0f32; 18];
        w.extend([
            0., 0., 0., 0., 0., 0., 0., 0., 0., 0., 0., 0., 0., 3., 0., 0., 0., 0.,
        ]);
        let c = Conv2d::from_weights(Tensor::from_vec(w, &[2, 2, 3, 3]), Some(tensor!([1., -1.])))
            .padding(1);
        let x = Tensor::cat(
            &[
                Tensor::ones(&[1, 1, 4, 4]),
                Tensor::full(&[1, 1, 4, 4], 2.0),
            ],
            1,
        );
        let y = c.forward(&x);
        assert_eq!(y.shape(), vec![1, 2, 4, 4]);
        assert_eq!(
            (y.to_vec()[0], y.to_vec()[5], y.to_vec()[16]),
            (13., 28., 5.)
        );
        assert_eq!(c.num_parameters(), 38);
    }

    #[test]
    #[should_panic(
        expected = "Conv2d::from_weights: the bias must have shape [2] (one value per filter"
    )]
    fn from_weights_refuses_a_bias_of_the_wrong_size() {
        Conv2d::from_weights(Tensor::zeros(&[2, 1, 3, 3]), Some(Tensor::zeros(&[1])));
    }

    #[test]
    #[should_panic(
        expected = "the weight must have 4 dimensions (out_channels, in_channels, kh, kw), got shape [2, 3, 3]"
    )]
    fn from_weights_refuses_a_weight_without_its_channel_axis() {
        Conv2d::from_weights(Tensor::zeros(&[2, 3, 3]), None);
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
