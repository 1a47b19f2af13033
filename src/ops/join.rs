//! Putting tensors together: [`cat`] (along an existing dimension) and
//! [`stack`] (along a new one), like `torch.cat` and `torch.stack`.
//!
//! The backward pass cuts the gradient back into one piece per input.
//!
//! ```
//! use apprentissage::prelude::*;
//! use apprentissage::ops::join::{cat, stack};
//! let (a, b) = (tensor!([1., 2.]), tensor!([3., 4.]));
//! assert_eq!(cat(&[a.clone(), b.clone()], 0).to_vec(), vec![1., 2., 3., 4.]);
//! assert_eq!(stack(&[a, b], 0).shape(), vec![2, 2]);
//! ```

use ndarray::{ArrayD, Axis, Slice};

use super::shape::resolve_insert_dim;
use super::{resolve_dim, Dim};
use crate::autograd::Op;
use crate::tensor::Tensor;

/// `cat` (pieces of sizes `sizes` along `dim`) or `stack` (one index of `dim`
/// per input): the gradient is cut into one piece per input.
struct JoinOp {
    dim: usize,
    sizes: Vec<usize>,
    stacked: bool,
}

impl Op for JoinOp {
    fn name(&self) -> &'static str {
        if self.stacked {
            "StackBackward0"
        } else {
            "CatBackward0"
        }
    }
    fn backward(
        &self,
        g: &ArrayD<f32>,
        _: &[&ArrayD<f32>],
        _: &ArrayD<f32>,
        needs: &[bool],
    ) -> Vec<Option<ArrayD<f32>>> {
        let axis = Axis(self.dim);
        let mut start = 0;
        let mut grads = Vec::with_capacity(self.sizes.len());
        for (k, &size) in self.sizes.iter().enumerate() {
            grads.push(needs[k].then(|| {
                if self.stacked {
                    g.index_axis(axis, k).to_owned()
                } else {
                    g.slice_axis(axis, Slice::from(start..start + size))
                        .to_owned()
                }
            }));
            start += size;
        }
        grads
    }
}

/// Joins tensors along an existing dimension (`torch.cat(tensors, dim)`):
/// their shapes must be equal except in dimension `dim`, where the sizes add
/// up. Also available as `Tensor::cat`.
///
/// ```
/// use apprentissage::prelude::*;
/// use apprentissage::ops::join::cat;
/// let a = tensor!([[1., 2.]]);
/// let b = tensor!([[3., 4.], [5., 6.]]);
/// assert_eq!(cat(&[a.clone(), b], 0).shape(), vec![3, 2]);
/// assert_eq!(Tensor::cat(&[a.clone(), a], -1).to_vec(), vec![1., 2., 1., 2.]);
/// ```
pub fn cat(tensors: &[Tensor], dim: impl Dim) -> Tensor {
    join("cat", tensors, dim, false)
}

/// Piles tensors of the same shape along a new dimension `dim`
/// (`torch.stack(tensors, dim)`): `n` tensors of shape `[a, b]` give
/// `[n, a, b]` for `dim = 0`. Also available as `Tensor::stack`.
///
/// ```
/// use apprentissage::prelude::*;
/// use apprentissage::ops::join::stack;
/// let a = tensor!([1., 2.]);
/// let b = tensor!([3., 4.]);
/// assert_eq!(stack(&[a.clone(), b.clone()], 0).to_vec2(), vec![vec![1., 2.], vec![3., 4.]]);
/// assert_eq!(Tensor::stack(&[a, b], 1).to_vec2(), vec![vec![1., 3.], vec![2., 4.]]);
/// ```
pub fn stack(tensors: &[Tensor], dim: impl Dim) -> Tensor {
    join("stack", tensors, dim, true)
}

fn join(op: &str, tensors: &[Tensor], dim: impl Dim, stacked: bool) -> Tensor {
    assert!(
        !tensors.is_empty(),
        "{op}: expected a non-empty list of tensors, got an empty one"
    );
    let data: Vec<_> = tensors.iter().map(Tensor::data).collect();
    let first = data[0].shape();
    let d = if stacked {
        resolve_insert_dim(op, dim, first.len())
    } else {
        assert!(
            !first.is_empty(),
            "cat: 0-dimensional tensors cannot be concatenated (tensor 0 has shape []); \
             use stack, or unsqueeze them first"
        );
        resolve_dim(op, dim, first.len())
    };
    for (k, t) in data.iter().enumerate().skip(1) {
        let s = t.shape();
        let fits = s.len() == first.len()
            && (0..s.len()).all(|i| s[i] == first[i] || (!stacked && i == d));
        assert!(
            fits,
            "{op}: tensor {k} has shape {s:?} but tensor 0 has shape {first:?}; {}",
            if stacked {
                "stack needs tensors of the same shape".to_string()
            } else {
                format!("cat needs the same shape except in dimension {d}")
            }
        );
    }
    let views: Vec<_> = data.iter().map(|t| t.view()).collect();
    let value = if stacked {
        ndarray::stack(Axis(d), &views)
    } else {
        ndarray::concatenate(Axis(d), &views)
    }
    .expect("shapes checked");
    let sizes = data
        .iter()
        .map(|t| if stacked { 1 } else { t.shape()[d] })
        .collect();
    let op = JoinOp {
        dim: d,
        sizes,
        stacked,
    };
    Tensor::from_op(value, tensors.to_vec(), op)
}

impl Tensor {
    /// [`cat`] as an associated function, like `torch.cat([a, b], 0)`.
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// let (a, b) = (tensor!([[1.], [2.]]), tensor!([[3.], [4.]]));
    /// assert_eq!(Tensor::cat(&[a, b], 1).to_vec2(), vec![vec![1., 3.], vec![2., 4.]]);
    /// ```
    pub fn cat(tensors: &[Tensor], dim: impl Dim) -> Tensor {
        cat(tensors, dim)
    }

    /// [`stack`] as an associated function, like `torch.stack([a, b], 0)`.
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// let images = vec![Tensor::zeros(&[28, 28]); 64];
    /// assert_eq!(Tensor::stack(&images, 0).shape(), vec![64, 28, 28]);
    /// ```
    pub fn stack(tensors: &[Tensor], dim: impl Dim) -> Tensor {
        stack(tensors, dim)
    }
}

#[cfg(test)]
mod tests {
    use super::{cat, stack};
    use crate::gradcheck::assert_gradcheck;
    use crate::prelude::*;
    use crate::random::test_tensor as random;

    #[test]
    fn cat_and_stack_pass_gradcheck() {
        let (a, b, c) = (random(&[2, 3], 6), random(&[2, 1], 7), random(&[3, 2], 8));
        let inputs = [a.clone(), b.clone(), c.clone()];
        assert_gradcheck(|t| cat(&[t[0].clone(), t[1].clone(), t[2].t()], 1), &inputs);
        assert_gradcheck(|t| Tensor::cat(&[t[0].clone(), t[2].t()], 0), &inputs);
        assert_gradcheck(
            |t| stack(&[t[0].clone(), t[2].t(), t[0].clone()], 1),
            &inputs,
        );
        assert_gradcheck(|t| Tensor::stack(&[t[0].clone(), t[2].t()], -1), &inputs);
        // an input that needs no gradient is skipped
        let w = a.requires_grad_();
        let s = Tensor::stack(&[w.clone(), Tensor::ones(&[2, 3])], 0);
        assert_eq!(
            (s.shape(), s.grad_fn()),
            (vec![2, 2, 3], Some("StackBackward0"))
        );
        (&s * &s).sum().backward();
        assert_eq!(w.grad().unwrap().to_vec(), (&w * 2.0).to_vec());
        assert_eq!(cat(&[b.clone(), b], 0).shape(), vec![4, 1]);
        let scalars = stack(&[tensor!(1.), tensor!(2.)], 0);
        assert_eq!((scalars.shape(), scalars.to_vec()), (vec![2], vec![1., 2.]));
    }

    #[test]
    #[should_panic(expected = "cat: expected a non-empty list of tensors")]
    fn cat_of_nothing_is_refused() {
        cat(&[], 0);
    }

    #[test]
    #[should_panic(
        expected = "cat: tensor 2 has shape [3, 2] but tensor 0 has shape [2, 2]; \
                               cat needs the same shape except in dimension 1"
    )]
    fn cat_with_mismatched_shapes_names_the_tensor() {
        let a = Tensor::zeros(&[2, 2]);
        cat(&[a.clone(), a, Tensor::zeros(&[3, 2])], 1);
    }

    #[test]
    #[should_panic(expected = "stack: tensor 1 has shape [2, 1] but tensor 0 has shape [2]")]
    fn stack_with_mismatched_shapes_names_the_tensor() {
        stack(&[Tensor::zeros(&[2]), Tensor::zeros(&[2, 1])], 0);
    }

    #[test]
    #[should_panic(expected = "cat: 0-dimensional tensors cannot be concatenated")]
    fn cat_of_scalars_suggests_stack() {
        cat(&[tensor!(1.), tensor!(2.)], 0);
    }
}
