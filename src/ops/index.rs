//! Reading part of a tensor: `slice`, `index_select`, `gather` and `index`
//! (the course's `Scores[I, CAT]`).
//!
//! Each output value is a copy of one input value, so the backward pass
//! sends each output gradient back to the place the value came from. When one
//! input value was read several times (a repeated index), its gradients are
//! **added**, as for any variable used twice.
//!
//! | op | forward | backward | `grad_fn` |
//! |---|---|---|---|
//! | `slice(s![…])` | `y = x[…]` | zeros, with g written into the same slice | `SliceBackward0` |
//! | `index_select(d, idx)` | `y[…, k, …] = x[…, idx[k], …]` | `dx[…, idx[k], …] += g[…, k, …]` | `IndexSelectBackward0` |
//! | `gather(1, idx)` | `y[i][j] = x[i][idx[i][j]]` | `dx[i][idx[i][j]] += g[i][j]` | `GatherBackward0` |
//! | `index(rows, cols)` | `y[k] = x[rows[k], cols[k]]` | `dx[rows[k], cols[k]] += g[k]` | `IndexBackward0` |
//!
//! ```
//! use apprentissage::prelude::*;
//! let a = tensor!([[1, 2, 3, 4], [6, 7, 8, 9]]);
//! assert_eq!(a.slice(s![0, 1..]).to_vec(), vec![2., 3., 4.]); // a[0, 1:]
//! // the course's Scores[I, CAT]: the score of each row's true class
//! let scores = tensor!([[0.1, 2.0, 0.3], [1.5, 0.2, 0.0]]);
//! assert_eq!(scores.index(&[0, 1], &[1, 0]).to_vec(), vec![2.0, 1.5]);
//! ```

use ndarray::{ArrayD, Axis, IxDyn, Slice, SliceInfoElem, Zip};

use super::{resolve_dim, Dim, Indices};
use crate::autograd::Op;
use crate::tensor::Tensor;

/// Panics with a message naming `op`, the index, the dimension and its size.
fn check_index(op: &str, index: usize, dim: usize, size: usize) {
    assert!(
        index < size,
        "{op}: index {index} is out of range for dimension {dim} of size {size} \
         (valid indices: 0 to {})",
        size as isize - 1
    );
}

// ----- slice ---------------------------------------------------------------

/// `slice`: the gradient goes back into the same slice of a zero tensor.
struct SliceOp {
    info: Vec<SliceInfoElem>,
}

impl Op for SliceOp {
    fn name(&self) -> &'static str {
        "SliceBackward0"
    }
    fn backward(
        &self,
        g: &ArrayD<f32>,
        x: &[&ArrayD<f32>],
        _: &ArrayD<f32>,
        _: &[bool],
    ) -> Vec<Option<ArrayD<f32>>> {
        let mut grad = ArrayD::zeros(x[0].raw_dim());
        grad.slice_mut(&self.info[..]).assign(g);
        vec![Some(grad)]
    }
}

/// Checks `info` against `shape` and makes it explicit: negative indices
/// resolved, range ends clamped to the size (as in Python), and the missing
/// trailing dimensions taken whole (`a[0]` is the first row).
fn normalize_slice(shape: &[usize], info: &[SliceInfoElem]) -> Vec<SliceInfoElem> {
    let given = info
        .iter()
        .filter(|e| !matches!(e, SliceInfoElem::NewAxis))
        .count();
    assert!(
        given <= shape.len(),
        "slice: {given} indices given for a tensor of shape {shape:?}, which has only {} \
         dimension(s)",
        shape.len()
    );
    let clamp = |i: isize, len: usize| -> usize {
        let i = if i < 0 { i + len as isize } else { i };
        i.clamp(0, len as isize) as usize
    };
    let mut dim = 0;
    let mut out = Vec::with_capacity(info.len() + shape.len() - given);
    for &elem in info {
        match elem {
            SliceInfoElem::NewAxis => out.push(elem),
            SliceInfoElem::Index(i) => {
                let len = shape[dim];
                let resolved = if i < 0 { i + len as isize } else { i };
                assert!(
                    (0..len as isize).contains(&resolved),
                    "slice: index {i} is out of range for dimension {dim} of size {len} \
                     (tensor of shape {shape:?}; valid: 0 to {}, or -{len} to -1 from the end)",
                    len as isize - 1
                );
                out.push(SliceInfoElem::Index(resolved));
                dim += 1;
            }
            SliceInfoElem::Slice { start, end, step } => {
                assert!(step != 0, "slice: the step of a range must not be zero");
                let len = shape[dim];
                let start = clamp(start, len);
                let end = end.map_or(len, |e| clamp(e, len)).max(start);
                out.push(SliceInfoElem::Slice {
                    start: start as isize,
                    end: Some(end as isize),
                    step,
                });
                dim += 1;
            }
        }
    }
    out.extend((dim..shape.len()).map(|_| SliceInfoElem::from(..)));
    out
}

impl Tensor {
    /// Part of the tensor selected with ndarray's `s![]` macro, PyTorch's
    /// indexing with commas: `a.slice(s![0, 1..])` is `a[0, 1:]`,
    /// `a.slice(s![.., 2])` is `a[:, 2]`, `a.slice(s![0..4;2])` is `a[0:4:2]`.
    ///
    /// An index removes its dimension, a range keeps it. Negative indices
    /// count from the end (`-1` is the last). As in Python, range ends past
    /// the size are cut to the size, and dimensions left out are taken whole.
    /// A negative step (not allowed in PyTorch) walks the range backwards.
    ///
    /// Panics when an index is out of range, naming it, the dimension and its size.
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// let a = tensor!([[1, 2, 3, 4], [6, 7, 8, 9]]);
    /// assert_eq!(a.slice(s![1]).to_vec(), vec![6., 7., 8., 9.]);     // a[1]
    /// assert_eq!(a.slice(s![0, ..2]).to_vec(), vec![1., 2.]);        // a[0, :2]
    /// assert_eq!(a.slice(s![0, -1]).item(), 4.);                     // a[0, -1]
    /// assert_eq!(a.slice(s![.., 1..;2]).to_vec2(), vec![vec![2., 4.], vec![7., 9.]]);
    /// ```
    pub fn slice(&self, info: impl AsRef<[SliceInfoElem]>) -> Tensor {
        let x = self.data();
        let info = normalize_slice(x.shape(), info.as_ref());
        let value = x.slice(&info[..]).to_owned();
        Tensor::from_op(value, vec![self.clone()], SliceOp { info })
    }
}

// ----- index_select, gather, index ------------------------------------------

/// `index_select`: each selected slice sends its gradient back; repeated
/// indices accumulate.
struct IndexSelectOp {
    dim: usize,
    indices: Vec<usize>,
}

impl Op for IndexSelectOp {
    fn name(&self) -> &'static str {
        "IndexSelectBackward0"
    }
    fn backward(
        &self,
        g: &ArrayD<f32>,
        x: &[&ArrayD<f32>],
        _: &ArrayD<f32>,
        _: &[bool],
    ) -> Vec<Option<ArrayD<f32>>> {
        let mut grad = ArrayD::zeros(x[0].raw_dim());
        for (k, &i) in self.indices.iter().enumerate() {
            let mut dst = grad.index_axis_mut(Axis(self.dim), i);
            dst += &g.index_axis(Axis(self.dim), k);
        }
        vec![Some(grad)]
    }
}

/// `gather`: `dx[…, index[…, j, …], …] += g[…, j, …]` along `dim`.
struct GatherOp {
    dim: usize,
    index: ArrayD<usize>,
}

impl Op for GatherOp {
    fn name(&self) -> &'static str {
        "GatherBackward0"
    }
    fn backward(
        &self,
        g: &ArrayD<f32>,
        x: &[&ArrayD<f32>],
        _: &ArrayD<f32>,
        _: &[bool],
    ) -> Vec<Option<ArrayD<f32>>> {
        let d = self.dim;
        let mut grad = ArrayD::zeros(x[0].raw_dim());
        let mut part = grad.slice_each_axis_mut(|ax| gather_extent(ax.axis, d, &self.index));
        Zip::from(part.lanes_mut(Axis(d)))
            .and(g.lanes(Axis(d)))
            .and(self.index.lanes(Axis(d)))
            .for_each(|mut lane, g, index| {
                for (&g, &i) in g.iter().zip(index) {
                    lane[i] += g;
                }
            });
        vec![Some(grad)]
    }
}

/// The part of the input that `gather` can read: all of dimension `dim`,
/// and as much as the index covers in the other dimensions.
fn gather_extent(axis: Axis, dim: usize, index: &ArrayD<usize>) -> Slice {
    if axis.index() == dim {
        Slice::from(..)
    } else {
        Slice::from(..index.shape()[axis.index()])
    }
}

/// `a[rows, cols]`: each picked element receives its gradient.
struct IndexOp {
    rows: Vec<usize>,
    cols: Vec<usize>,
}

impl Op for IndexOp {
    fn name(&self) -> &'static str {
        "IndexBackward0"
    }
    fn backward(
        &self,
        g: &ArrayD<f32>,
        x: &[&ArrayD<f32>],
        _: &ArrayD<f32>,
        _: &[bool],
    ) -> Vec<Option<ArrayD<f32>>> {
        let mut grad = ArrayD::zeros(x[0].raw_dim());
        for ((&r, &c), &g) in self.rows.iter().zip(&self.cols).zip(g.iter()) {
            grad[[r, c]] += g;
        }
        vec![Some(grad)]
    }
}

impl Tensor {
    /// The slices `indices` of dimension `dim`, in that order
    /// (`torch.index_select(x, dim, indices)`): `y[…, k, …] = x[…, indices[k], …]`.
    ///
    /// An index may appear several times; in the backward pass its gradients
    /// add up. `indices` can be `&[usize]`, a `Vec<usize>` or a tensor of
    /// whole numbers.
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// let x = tensor!([[1., 2.], [3., 4.], [5., 6.]]);
    /// let y = x.index_select(0, &[2, 0, 2]);
    /// assert_eq!(y.to_vec2(), vec![vec![5., 6.], vec![1., 2.], vec![5., 6.]]);
    /// assert_eq!(x.index_select(1, &tensor!([1.])).to_vec(), vec![2., 4., 6.]);
    /// ```
    pub fn index_select(&self, dim: impl Dim, indices: &(impl Indices + ?Sized)) -> Tensor {
        let x = self.data();
        assert!(
            x.ndim() > 0,
            "index_select: needs a tensor with at least 1 dimension, got a 0-dimensional one"
        );
        let d = resolve_dim("index_select", dim, x.ndim());
        let indices = indices.to_indices();
        for &i in &indices {
            check_index("index_select", i, d, x.shape()[d]);
        }
        let value = x.select(Axis(d), &indices);
        let op = IndexSelectOp { dim: d, indices };
        Tensor::from_op(value, vec![self.clone()], op)
    }

    /// Picks along `dim` the elements that `index` points at
    /// (`torch.gather(x, dim, index)`); for `dim = 1` on a matrix,
    /// `y[i][j] = x[i][index[i][j]]`, and in general `index` replaces the
    /// coordinate `dim` while the others stay. The result has the shape of
    /// `index`, which must have as many dimensions as `self` and be no larger
    /// outside `dim`. Repeated indices add up their gradients.
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// let scores = tensor!([[0.1, 2.0, 0.3], [1.5, 0.2, 0.0]]);
    /// let labels = tensor!([[1], [0]]);
    /// assert_eq!(scores.gather(1, &labels).to_vec2(), vec![vec![2.0], vec![1.5]]);
    /// ```
    pub fn gather(&self, dim: impl Dim, index: &Tensor) -> Tensor {
        let x = self.data();
        let (xs, is) = (x.shape(), index.shape());
        assert!(
            x.ndim() > 0 && is.len() == x.ndim(),
            "gather: the index must have as many dimensions as the input, which needs at least \
             one: input of shape {xs:?}, index of shape {is:?}"
        );
        let d = resolve_dim("gather", dim, x.ndim());
        if let Some(k) = (0..xs.len()).find(|&k| k != d && is[k] > xs[k]) {
            panic!(
                "gather: an index of shape {is:?} does not fit an input of shape {xs:?}: in \
                 dimension {k} it has size {} > {}; only dimension {d} (the gathered one) may \
                 be larger",
                is[k], xs[k]
            );
        }
        let values = index.to_indices();
        for &i in &values {
            check_index("gather", i, d, xs[d]);
        }
        let index = ArrayD::from_shape_vec(IxDyn(&is), values).expect("same shape");
        let part = x.slice_each_axis(|ax| gather_extent(ax.axis, d, &index));
        let mut value = ArrayD::zeros(index.raw_dim());
        Zip::from(value.lanes_mut(Axis(d)))
            .and(part.lanes(Axis(d)))
            .and(index.lanes(Axis(d)))
            .for_each(|mut out, lane, index| {
                for (o, &i) in out.iter_mut().zip(index) {
                    *o = lane[i];
                }
            });
        Tensor::from_op(value, vec![self.clone()], GatherOp { dim: d, index })
    }

    /// PyTorch's `a[rows, cols]` on a matrix: the 1-D tensor of the elements
    /// `a[rows[k], cols[k]]`. The course's `Scores[I, CAT]` picks in each row
    /// `I[k]` the score of its true category `CAT[k]`; labels can be given as
    /// a tensor. Picking an element twice adds up its gradients.
    ///
    /// Panics unless `self` is 2-D, `rows` and `cols` have the same length and
    /// every index is in range.
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// let scores = tensor!([[0.1, 2.0, 0.3], [1.5, 0.2, 0.0]]);
    /// let cat = tensor!([1., 2.]);
    /// let rows: Vec<usize> = (0..2).collect();
    /// assert_eq!(scores.index(&rows, &cat).to_vec(), vec![2.0, 0.0]);
    /// ```
    pub fn index(&self, rows: &(impl Indices + ?Sized), cols: &(impl Indices + ?Sized)) -> Tensor {
        let x = self.data();
        assert!(
            x.ndim() == 2,
            "index: a[rows, cols] needs a 2-D tensor (a matrix), got shape {:?}",
            x.shape()
        );
        let (rows, cols) = (rows.to_indices(), cols.to_indices());
        assert!(
            rows.len() == cols.len(),
            "index: a[rows, cols] needs as many rows as columns, got {} row indices and {} \
             column indices",
            rows.len(),
            cols.len()
        );
        for (&r, &c) in rows.iter().zip(&cols) {
            check_index("index", r, 0, x.shape()[0]);
            check_index("index", c, 1, x.shape()[1]);
        }
        let values: Vec<f32> = rows.iter().zip(&cols).map(|(&r, &c)| x[[r, c]]).collect();
        let value = ArrayD::from_shape_vec(IxDyn(&[values.len()]), values).expect("1-D");
        Tensor::from_op(value, vec![self.clone()], IndexOp { rows, cols })
    }
}

// ----- masks -----------------------------------------------------------------

#[cfg(test)]
mod tests {
    use crate::gradcheck::assert_gradcheck;
    use crate::prelude::*;
    use crate::random::test_tensor as random;
    use ndarray::NewAxis;

    #[test]
    fn course_3_7_slicing() {
        let a = tensor!([[1, 2, 3, 4], [6, 7, 8, 9]]);
        assert_eq!(a.slice(s![0]).to_vec(), vec![1., 2., 3., 4.]); // a[0]
        assert_eq!(a.slice(s![1]).to_vec(), vec![6., 7., 8., 9.]); // a[1]
        assert_eq!(a.slice(s![0, 1..]).to_vec(), vec![2., 3., 4.]); // a[0, 1:]
        assert_eq!(a.slice(s![0, ..2]).to_vec(), vec![1., 2.]); // a[0, :2]
        let last = a.slice(s![0, -1]); // a[0, -1] → tensor(4)
        assert_eq!((last.shape(), last.item()), (vec![], 4.));
        assert_eq!(a.slice(s![0, ..]).to_vec(), vec![1., 2., 3., 4.]); // a[0, :]

        // a sub-tensor, a step (start:end:step), and ends past the size
        assert_eq!(
            a.slice(s![.., 1..3]).to_vec2(),
            vec![vec![2., 3.], vec![7., 8.]]
        );
        assert_eq!(a.slice(s![1, 0..4;2]).to_vec(), vec![6., 8.]);
        assert_eq!(a.slice(s![0, 2..10]).to_vec(), vec![3., 4.]);
        assert_eq!(a.slice(s![0, 5..]).shape(), vec![0]);
        assert_eq!(a.slice(s![.., NewAxis, 0]).shape(), vec![2, 1]);
        // course 3.10.1: T[0:50, 0:50] of a 100×100 tensor
        assert_eq!(
            Tensor::ones(&[100, 100]).slice(s![0..50, 0..50]).shape(),
            vec![50, 50]
        );
    }

    #[test]
    fn slicing_passes_gradcheck_also_on_strided_inputs() {
        let x = [random(&[3, 4], 1)];
        assert_gradcheck(|t| t[0].slice(s![1, ..]), &x);
        assert_gradcheck(|t| t[0].slice(s![.., 1..;2]), &x);
        assert_gradcheck(|t| t[0].slice(s![-2.., NewAxis, ..;-1]), &x);
        assert_gradcheck(|t| t[0].t().slice(s![1.., 0]), &x);
        assert_gradcheck(|t| t[0].slice(s![.., 2]).unsqueeze(1).t(), &x);
        let x = Tensor::zeros(&[2, 3]).requires_grad_();
        let y = x.slice(s![0, 1..]);
        assert_eq!(y.grad_fn(), Some("SliceBackward0"));
        (&y * &tensor!([1., 2.])).sum().backward();
        assert_eq!(
            x.grad().unwrap().to_vec2(),
            vec![vec![0., 1., 2.], vec![0., 0., 0.]]
        );
    }

    #[test]
    fn selections_pass_gradcheck() {
        let x = [random(&[3, 4], 2)];
        assert_gradcheck(|t| t[0].index_select(0, &[2, 0, 2]), &x);
        assert_gradcheck(|t| t[0].index_select(-1, &vec![3, 1]), &x);
        assert_gradcheck(|t| t[0].t().index_select(1, &[1, 1]), &x);
        let idx = tensor!([[0, 3], [1, 1], [3, 0]]);
        assert_gradcheck(|t| t[0].gather(1, &idx), &x);
        assert_gradcheck(|t| t[0].t().gather(0, &idx), &x);
        assert_gradcheck(|t| t[0].gather(0, &tensor!([[2, 0, 1]])), &x);
        let cube = random(&[2, 3, 4], 3);
        let idx3 = Tensor::from_vec((0..12).map(|i| (i % 3) as f32).collect(), &[2, 3, 2]);
        assert_gradcheck(|t| t[0].permute(&[0, 2, 1]).gather(2, &idx3), &[cube]);
        assert_gradcheck(|t| t[0].index(&[0, 2, 0], &[3, 1, 3]), &x);
        assert_gradcheck(|t| t[0].t().index(&tensor!([1, 3]), &[2, 0]), &x);
    }

    #[test]
    fn repeated_indices_accumulate() {
        let x = tensor!([[1., 2.], [3., 4.], [5., 6.]]).requires_grad_();
        x.index_select(0, &[0, 0, 2]).sum().backward();
        assert_eq!(x.grad().unwrap().to_vec(), vec![2., 2., 0., 0., 1., 1.]);
        x.zero_grad();
        let g = x.gather(1, &tensor!([[1, 1, 1], [0, 1, 0], [0, 0, 0]]));
        assert_eq!(g.to_vec2()[1], vec![3., 4., 3.]);
        g.sum().backward();
        assert_eq!(x.grad().unwrap().to_vec(), vec![0., 3., 2., 1., 3., 0.]);
        x.zero_grad();
        x.index(&[2, 2, 1], &[1, 1, 0]).sum().backward();
        assert_eq!(x.grad().unwrap().to_vec(), vec![0., 0., 1., 0., 0., 2.]);
    }

    #[test]
    fn scores_of_the_true_classes_like_the_course() {
        // Scores[I, CAT] (chapter 7): each row's score of its true category
        let scores = tensor!([[0.1, 2.0, 0.3], [1.5, 0.2, 0.0], [0.0, 0.1, 0.9]]);
        let cat = tensor!([1, 0, 2]);
        let i: Vec<usize> = (0..3).collect();
        let picked = scores.index(&i, &cat);
        assert_eq!(picked.to_vec(), vec![2.0, 1.5, 0.9]);
        let same = scores.gather(1, &cat.unsqueeze(1)).flatten();
        assert_eq!(same.to_vec(), picked.to_vec());
        let rows = scores.index_select(0, &[2, 0]);
        assert_eq!(rows.to_vec2()[0], vec![0.0, 0.1, 0.9]);
    }

    #[test]
    #[should_panic(expected = "slice: index 2 is out of range for dimension 0 of size 2")]
    fn slice_out_of_range_is_named() {
        tensor!([[1., 2.], [3., 4.]]).slice(s![2, ..]);
    }

    #[test]
    #[should_panic(expected = "slice: 3 indices given for a tensor of shape [2, 2]")]
    fn slice_with_too_many_indices_is_named() {
        tensor!([[1., 2.], [3., 4.]]).slice(s![0, 0, 0]);
    }

    #[test]
    #[should_panic(expected = "index_select: index 3 is out of range for dimension 1 of size 3")]
    fn index_select_out_of_range_is_named() {
        Tensor::zeros(&[2, 3]).index_select(1, &[0, 3]);
    }

    #[test]
    #[should_panic(expected = "gather: the index must have as many dimensions as the input")]
    fn gather_with_a_1d_index_on_a_matrix_is_refused() {
        Tensor::zeros(&[2, 3]).gather(1, &tensor!([0, 1]));
    }

    #[test]
    #[should_panic(expected = "gather: index 5 is out of range for dimension 1 of size 3")]
    fn gather_out_of_range_is_named() {
        Tensor::zeros(&[2, 3]).gather(1, &tensor!([[0], [5]]));
    }

    #[test]
    #[should_panic(expected = "in dimension 0 it has size 3 > 2")]
    fn gather_with_a_too_large_index_is_refused() {
        Tensor::zeros(&[2, 3]).gather(1, &Tensor::zeros(&[3, 1]));
    }

    #[test]
    #[should_panic(expected = "index: index 4 is out of range for dimension 0 of size 3")]
    fn index_out_of_range_is_named() {
        Tensor::zeros(&[3, 10]).index(&[0, 4], &[1, 9]);
    }

    #[test]
    #[should_panic(expected = "got 2 row indices and 3 column indices")]
    fn index_with_unequal_lengths_is_refused() {
        Tensor::zeros(&[3, 3]).index(&[0, 1], &[0, 1, 2]);
    }
}
