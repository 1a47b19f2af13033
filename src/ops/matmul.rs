//! Matrix product through BLAS (OpenBLAS `sgemm`).
//!
//! For `C = A·B` with `A` (m, k) and `B` (k, n), the chain rule gives
//!
//! ```text
//! ∂L/∂A = ∂L/∂C · Bᵀ      (m, n)·(n, k) → (m, k)
//! ∂L/∂B = Aᵀ · ∂L/∂C      (k, m)·(m, n) → (k, n)
//! ```
//!
//! Both are again matrix products, so the backward pass costs two GEMMs.
//! Transposes are never copied: BLAS reads a transposed view directly.
//!
//! Shapes follow `torch.matmul`: 2-D × 2-D; batched 3-D × 3-D (same batch
//! size, or a batch of 1 that is repeated), 3-D × 2-D (the matrix is shared by
//! the whole batch; its gradient is summed over the batch); a 1-D left operand
//! is a row vector and a 1-D right operand a column vector, their dimension
//! being removed from the result.
//!
//! ```
//! use apprentissage::prelude::*;
//! let a = tensor!([[1., 2.], [3., 4.]]);
//! let b = tensor!([[5.], [6.]]);
//! assert_eq!(a.matmul(&b).to_vec(), vec![17., 39.]);
//! assert_eq!(tensor!([1., 2.]).matmul(&tensor!([3., 4.])).item(), 11.0);
//! ```

use ndarray::linalg::general_mat_mul;
use ndarray::{Array3, ArrayD, ArrayView3, Axis, Ix3, IxDyn};

use crate::autograd::Op;
use crate::tensor::Tensor;

/// Views `x` as a batch of matrices: 1-D left → (1, 1, k), 1-D right →
/// (1, k, 1), 2-D → (1, m, k), 3-D as it is. Never copies: inserting an axis
/// only changes the view's shape and strides.
fn as_batch(x: &ArrayD<f32>, left: bool) -> ArrayView3<'_, f32> {
    let v = x.view();
    match x.ndim() {
        1 if left => v.insert_axis(Axis(0)).insert_axis(Axis(0)),
        1 => v.insert_axis(Axis(1)).insert_axis(Axis(0)),
        2 => v.insert_axis(Axis(0)),
        _ => v,
    }
    .into_dimensionality::<Ix3>()
    .expect("checked rank")
}

/// The result's shape, from the operands' shapes, or a clear panic.
fn result_shape(a: &[usize], b: &[usize]) -> Vec<usize> {
    let explain = || {
        format!(
            "matmul: cannot multiply shapes {a:?} and {b:?}; \
             the last dimension of the left operand must equal the \
             {} dimension of the right operand",
            if b.len() == 1 { "only" } else { "first matrix" }
        )
    };
    assert!(
        (1..=3).contains(&a.len()) && (1..=3).contains(&b.len()),
        "matmul: only 1-D, 2-D and 3-D tensors are supported, got shapes {a:?} and {b:?}"
    );
    let k_left = a[a.len() - 1];
    let k_right = if b.len() == 1 { b[0] } else { b[b.len() - 2] };
    assert!(k_left == k_right, "{}", explain());
    let batch_a = if a.len() == 3 { a[0] } else { 1 };
    let batch_b = if b.len() == 3 { b[0] } else { 1 };
    assert!(
        batch_a == batch_b || batch_a == 1 || batch_b == 1,
        "matmul: batch sizes {batch_a} and {batch_b} differ (shapes {a:?} and {b:?})"
    );
    let mut shape = Vec::new();
    if a.len() == 3 || b.len() == 3 {
        shape.push(batch_a.max(batch_b));
    }
    if a.len() >= 2 {
        shape.push(a[a.len() - 2]);
    }
    if b.len() >= 2 {
        shape.push(b[b.len() - 1]);
    }
    shape
}

/// `C[i] = A[i]·B[i]` for every batch entry, repeating a batch of one.
fn batched_product(a: ArrayView3<f32>, b: ArrayView3<f32>) -> Array3<f32> {
    let batch = a.len_of(Axis(0)).max(b.len_of(Axis(0)));
    let (m, n) = (a.len_of(Axis(1)), b.len_of(Axis(2)));
    let mut c = Array3::zeros((batch, m, n));
    for (i, mut ci) in c.outer_iter_mut().enumerate() {
        let ai = a.index_axis(Axis(0), i.min(a.len_of(Axis(0)) - 1));
        let bi = b.index_axis(Axis(0), i.min(b.len_of(Axis(0)) - 1));
        general_mat_mul(1.0, &ai, &bi, 0.0, &mut ci);
    }
    c
}

struct MatMulOp;

impl Op for MatMulOp {
    fn name(&self) -> &'static str {
        "MmBackward0"
    }

    fn backward(
        &self,
        g: &ArrayD<f32>,
        x: &[&ArrayD<f32>],
        _: &ArrayD<f32>,
        needs: &[bool],
    ) -> Vec<Option<ArrayD<f32>>> {
        let (a, b) = (as_batch(x[0], true), as_batch(x[1], false));
        let batch = a.len_of(Axis(0)).max(b.len_of(Axis(0)));
        let (m, n) = (a.len_of(Axis(1)), b.len_of(Axis(2)));
        let g = g.as_standard_layout();
        let g = g
            .view()
            .into_shape_with_order((batch, m, n))
            .expect("gradient has the output's size");

        // ∂L/∂A[i] += g[i]·B[i]ᵀ ; ∂L/∂B[i] += A[i]ᵀ·g[i] — accumulated with
        // beta = 1 when an operand of batch 1 was shared by the whole batch.
        let grad_a = needs[0].then(|| {
            let mut da = Array3::zeros(a.raw_dim());
            for (i, gi) in g.outer_iter().enumerate() {
                let j = i.min(a.len_of(Axis(0)) - 1);
                let bi = b.index_axis(Axis(0), i.min(b.len_of(Axis(0)) - 1));
                general_mat_mul(1.0, &gi, &bi.t(), 1.0, &mut da.index_axis_mut(Axis(0), j));
            }
            da.into_shape_with_order(IxDyn(x[0].shape())).expect("size")
        });
        let grad_b = needs[1].then(|| {
            let mut db = Array3::zeros(b.raw_dim());
            for (i, gi) in g.outer_iter().enumerate() {
                let j = i.min(b.len_of(Axis(0)) - 1);
                let ai = a.index_axis(Axis(0), i.min(a.len_of(Axis(0)) - 1));
                general_mat_mul(1.0, &ai.t(), &gi, 1.0, &mut db.index_axis_mut(Axis(0), j));
            }
            db.into_shape_with_order(IxDyn(x[1].shape())).expect("size")
        });
        vec![grad_a, grad_b]
    }
}

impl Tensor {
    /// Matrix product `self · other` (PyTorch's `a @ b` / `torch.matmul`),
    /// computed by OpenBLAS. See the [module documentation](self) for the
    /// shapes accepted.
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// let x = Tensor::ones(&[64, 784]);
    /// let w = Tensor::ones(&[784, 128]);
    /// assert_eq!(x.matmul(&w).shape(), vec![64, 128]);
    /// ```
    pub fn matmul(&self, other: &Tensor) -> Tensor {
        let (a, b) = (self.data(), other.data());
        let shape = result_shape(a.shape(), b.shape());
        let c = batched_product(as_batch(&a, true), as_batch(&b, false));
        let value = c.into_shape_with_order(IxDyn(&shape)).expect("size");
        Tensor::from_op(value, vec![self.clone(), other.clone()], MatMulOp)
    }

    /// Product of two matrices (PyTorch's `torch.mm`): [`Tensor::matmul`]
    /// restricted to 2-D operands.
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// let i = tensor!([[1., 0.], [0., 1.]]);
    /// assert_eq!(i.mm(&tensor!([[2.], [3.]])).to_vec(), vec![2., 3.]);
    /// ```
    pub fn mm(&self, other: &Tensor) -> Tensor {
        assert!(
            self.ndim() == 2 && other.ndim() == 2,
            "mm: both operands must be 2-D matrices, got shapes {:?} and {:?} (use matmul)",
            self.shape(),
            other.shape()
        );
        self.matmul(other)
    }
}

#[cfg(test)]
mod tests {
    use crate::gradcheck::assert_gradcheck;
    use crate::prelude::*;
    use crate::random::{test_array, test_tensor as random};

    #[test]
    fn matmul_passes_gradcheck_for_every_supported_rank() {
        let cases: [(&[usize], &[usize]); 8] = [
            (&[3, 4], &[4, 2]),
            (&[1, 5], &[5, 1]),
            (&[2, 3, 4], &[2, 4, 5]),
            (&[2, 3, 4], &[4, 5]),
            (&[3, 4], &[2, 4, 5]),
            (&[1, 3, 4], &[2, 4, 2]),
            (&[4], &[4, 3]),
            (&[3, 4], &[4]),
        ];
        for (i, (a, b)) in cases.iter().enumerate() {
            let (x, y) = (random(a, i as u64), random(b, 100 + i as u64));
            assert_gradcheck(|t| t[0].matmul(&t[1]), &[x, y]);
        }
        assert_gradcheck(|t| t[0].matmul(&t[1]), &[random(&[5], 1), random(&[5], 2)]);
    }

    #[test]
    fn matmul_reads_transposed_operands_without_copy_errors() {
        let a = Tensor::from_array(test_array(&[4, 3], 5).reversed_axes()); // (3, 4), F-order
        let b = random(&[4, 2], 6);
        let expected = Tensor::from_array(a.data().as_standard_layout().into_owned()).matmul(&b);
        assert_eq!(a.matmul(&b).to_vec(), expected.to_vec());
        assert_gradcheck(|t| t[0].matmul(&t[1]), &[a, b]);
    }

    #[test]
    fn result_shapes_follow_torch_matmul() {
        let s = |a: &[usize], b: &[usize]| Tensor::zeros(a).matmul(&Tensor::zeros(b)).shape();
        assert_eq!(s(&[2, 3], &[3, 4]), vec![2, 4]);
        assert_eq!(s(&[5, 2, 3], &[3, 4]), vec![5, 2, 4]);
        assert_eq!(s(&[3], &[3, 4]), vec![4]);
        assert_eq!(s(&[2, 3], &[3]), vec![2]);
        assert_eq!(s(&[3], &[3]), Vec::<usize>::new());
    }

    #[test]
    fn a_known_product() {
        // torch.tensor([[1.,2.,3.],[4.,5.,6.]]) @ torch.tensor([[1.,0.],[0.,1.],[1.,1.]])
        // → tensor([[ 4.,  5.], [10., 11.]])
        let a = tensor!([[1., 2., 3.], [4., 5., 6.]]);
        let b = tensor!([[1., 0.], [0., 1.], [1., 1.]]);
        assert_eq!(a.matmul(&b).to_vec2(), vec![vec![4., 5.], vec![10., 11.]]);
    }

    #[test]
    #[should_panic(expected = "matmul: cannot multiply shapes [2, 3] and [4, 2]")]
    fn mismatched_inner_dimensions_are_explained() {
        Tensor::zeros(&[2, 3]).matmul(&Tensor::zeros(&[4, 2]));
    }

    #[test]
    #[should_panic(expected = "mm: both operands must be 2-D")]
    fn mm_refuses_vectors() {
        tensor!([1.]).mm(&tensor!([[1.]]));
    }
}
