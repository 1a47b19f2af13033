//! The [`Tensor`] handle: an n-dimensional `f32` array that can remember how it
//! was computed, so that gradients can flow back to it.
//!
//! A `Tensor` is a cheap handle (`Rc`) on a node of the computation graph.
//! Cloning a handle aliases the same node, exactly like assigning a tensor to a
//! second name in Python; [`Tensor::detach`] makes a new, independent leaf.
//!
//! ```
//! use apprentissage::prelude::*;
//! let a = tensor!([[1., 2.], [3., 4.]]);
//! assert_eq!(a.shape(), vec![2, 2]);
//! let b = a.clone(); // same node, like `b = a` in Python
//! assert!(a.same_node(&b));
//! assert_eq!(a.sum().item(), 10.0);
//! ```

use std::cell::{Cell, Ref, RefCell, RefMut};
use std::rc::Rc;

use ndarray::{ArrayD, IxDyn};

use crate::autograd::{self, GradFn, Op};
use crate::random;

/// One node of the computation graph: a value, maybe a gradient, and, for a
/// computed tensor, the operation that produced it.
pub(crate) struct Node {
    /// The value. `RefCell` so that optimizers can update parameters in place.
    pub(crate) data: RefCell<ArrayD<f32>>,
    /// Accumulated gradient (leaves, and non-leaves that asked `retain_grad`).
    pub(crate) grad: RefCell<Option<ArrayD<f32>>>,
    pub(crate) requires_grad: Cell<bool>,
    pub(crate) retains_grad: Cell<bool>,
    /// The operation and its inputs; `None` for a leaf or once the graph is freed.
    pub(crate) grad_fn: RefCell<Option<GradFn>>,
    /// Name of the operation (`MulBackward0`…), kept after the graph is freed.
    pub(crate) grad_fn_name: Option<&'static str>,
}

impl Drop for Node {
    /// Dismantles a long chain of nodes iteratively: the default recursive drop
    /// would overflow the stack on a graph a hundred thousand ops deep.
    fn drop(&mut self) {
        let Some(grad_fn) = self.grad_fn.get_mut().take() else {
            return;
        };
        let mut pending = grad_fn.inputs;
        while let Some(Tensor(rc)) = pending.pop() {
            if let Ok(mut node) = Rc::try_unwrap(rc) {
                if let Some(f) = node.grad_fn.get_mut().take() {
                    pending.extend(f.inputs);
                }
            }
        }
    }
}

/// An n-dimensional array of `f32` with automatic differentiation.
///
/// See the [crate documentation](crate) for a tour. The PyTorch names are kept:
/// `requires_grad_`, `backward`, `grad`, `zero_grad`, `detach`, `item`, `shape`…
///
/// ```
/// use apprentissage::prelude::*;
/// let x = tensor!([1., 2., 3.]).requires_grad_();
/// let y = (&x * &x).sum(); // y = Σ x²
/// y.backward();
/// assert_eq!(x.grad().unwrap().to_vec(), vec![2., 4., 6.]); // dy/dx = 2x
/// ```
#[derive(Clone)]
pub struct Tensor(pub(crate) Rc<Node>);

impl Tensor {
    // ----- construction --------------------------------------------------

    /// Wraps an ndarray array as a new leaf tensor (no gradient).
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// let t = Tensor::from_array(ndarray::arr2(&[[1f32, 2.], [3., 4.]]));
    /// assert_eq!(t.shape(), vec![2, 2]);
    /// ```
    pub fn from_array<D: ndarray::Dimension>(array: ndarray::Array<f32, D>) -> Tensor {
        Tensor::leaf(array.into_dyn(), false)
    }

    pub(crate) fn leaf(data: ArrayD<f32>, requires_grad: bool) -> Tensor {
        Tensor(Rc::new(Node {
            data: RefCell::new(data),
            grad: RefCell::new(None),
            requires_grad: Cell::new(requires_grad),
            retains_grad: Cell::new(false),
            grad_fn: RefCell::new(None),
            grad_fn_name: None,
        }))
    }

    /// Builds the result of an operation.
    ///
    /// This is how every op joins the graph: when grad mode is on and one of
    /// the `inputs` requires a gradient, the result remembers `op` and its
    /// inputs so that [`Tensor::backward`] can call [`Op::backward`] later.
    /// Otherwise the result is a plain leaf and nothing is recorded.
    /// It is public so that you can write your own differentiable operations.
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// use apprentissage::autograd::Op;
    /// use ndarray::ArrayD;
    ///
    /// /// y = 3·x, with dy/dx = 3.
    /// struct Triple;
    /// impl Op for Triple {
    ///     fn name(&self) -> &'static str { "TripleBackward" }
    ///     fn backward(&self, g: &ArrayD<f32>, _: &[&ArrayD<f32>], _: &ArrayD<f32>, _: &[bool])
    ///         -> Vec<Option<ArrayD<f32>>> { vec![Some(g * 3.0)] }
    /// }
    /// let x = tensor!([1., 2.]).requires_grad_();
    /// let y = Tensor::from_op(x.to_array() * 3.0, vec![x.clone()], Triple);
    /// y.sum().backward();
    /// assert_eq!(x.grad().unwrap().to_vec(), vec![3., 3.]);
    /// ```
    pub fn from_op(data: ArrayD<f32>, inputs: Vec<Tensor>, op: impl Op + 'static) -> Tensor {
        let track = autograd::is_grad_enabled() && inputs.iter().any(|t| t.requires_grad());
        if !track {
            return Tensor::leaf(data, false);
        }
        Tensor(Rc::new(Node {
            data: RefCell::new(data),
            grad: RefCell::new(None),
            requires_grad: Cell::new(true),
            retains_grad: Cell::new(false),
            grad_fn_name: Some(op.name()),
            grad_fn: RefCell::new(Some(GradFn {
                op: Box::new(op),
                inputs,
            })),
        }))
    }

    /// A tensor from a flat vector and a shape (row-major order).
    ///
    /// Panics when `values.len()` is not the product of `shape`.
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// let t = Tensor::from_vec(vec![1., 2., 3., 4., 5., 6.], &[2, 3]);
    /// assert_eq!(t.to_vec2(), vec![vec![1., 2., 3.], vec![4., 5., 6.]]);
    /// ```
    pub fn from_vec(values: Vec<f32>, shape: &[usize]) -> Tensor {
        let n: usize = shape.iter().product();
        assert!(
            values.len() == n,
            "from_vec: {} values cannot fill a tensor of shape {:?} ({} values expected)",
            values.len(),
            shape,
            n
        );
        Tensor::from_array(ArrayD::from_shape_vec(IxDyn(shape), values).expect("checked length"))
    }

    /// A 0-dimensional tensor holding one number (what `loss.item()` reads).
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// assert_eq!(Tensor::scalar(2.5).item(), 2.5);
    /// ```
    pub fn scalar(value: f32) -> Tensor {
        Tensor::from_array(ndarray::arr0(value))
    }

    /// A tensor filled with zeros. `Tensor::zeros(&[2, 3])` is `torch.zeros(2, 3)`.
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// assert_eq!(Tensor::zeros(&[2, 3]).sum().item(), 0.0);
    /// ```
    pub fn zeros(shape: &[usize]) -> Tensor {
        Tensor::full(shape, 0.0)
    }

    /// A tensor filled with ones.
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// assert_eq!(Tensor::ones(&[2, 3]).sum().item(), 6.0);
    /// ```
    pub fn ones(shape: &[usize]) -> Tensor {
        Tensor::full(shape, 1.0)
    }

    /// A tensor filled with `value`.
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// assert_eq!(Tensor::full(&[2], 7.0).to_vec(), vec![7., 7.]);
    /// ```
    pub fn full(shape: &[usize], value: f32) -> Tensor {
        Tensor::from_array(ArrayD::from_elem(IxDyn(shape), value))
    }

    /// Uniform random values in [0, 1), drawn from the crate's seeded
    /// generator (see [`manual_seed`](crate::manual_seed)).
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// manual_seed(0);
    /// let a = Tensor::rand(&[1000]);
    /// assert!(a.min().item() >= 0.0 && a.max().item() < 1.0);
    /// ```
    pub fn rand(shape: &[usize]) -> Tensor {
        Tensor::from_array(random::uniform(shape, 0.0, 1.0))
    }

    /// Standard normal random values (mean 0, standard deviation 1).
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// manual_seed(0);
    /// let a = Tensor::randn(&[10_000]);
    /// assert!(a.mean().item().abs() < 0.05);
    /// ```
    pub fn randn(shape: &[usize]) -> Tensor {
        Tensor::from_array(random::normal(shape, 0.0, 1.0))
    }

    /// Values `start, start + step, …` strictly below `end`, like `torch.arange`.
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// assert_eq!(Tensor::arange(0.0, 5.0, 2.0).to_vec(), vec![0., 2., 4.]);
    /// ```
    pub fn arange(start: f32, end: f32, step: f32) -> Tensor {
        assert!(step != 0.0, "arange: step must not be zero");
        let n = ((end - start) / step).ceil().max(0.0) as usize;
        let values = (0..n).map(|i| start + i as f32 * step).collect();
        Tensor::from_vec(values, &[n])
    }

    /// `steps` evenly spaced values from `start` to `end` included, like `torch.linspace`.
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// assert_eq!(Tensor::linspace(0.0, 1.0, 5).to_vec(), vec![0., 0.25, 0.5, 0.75, 1.]);
    /// ```
    pub fn linspace(start: f32, end: f32, steps: usize) -> Tensor {
        Tensor::from_array(ndarray::Array1::linspace(start, end, steps))
    }

    // ----- reading -------------------------------------------------------

    /// The shape, e.g. `[2, 3]` (PyTorch's `a.shape`).
    pub fn shape(&self) -> Vec<usize> {
        self.0.data.borrow().shape().to_vec()
    }

    /// Number of dimensions (PyTorch's `a.dim()`).
    pub fn ndim(&self) -> usize {
        self.0.data.borrow().ndim()
    }

    /// Number of elements (PyTorch's `a.numel()`).
    pub fn numel(&self) -> usize {
        self.0.data.borrow().len()
    }

    /// The single value of a one-element tensor, like PyTorch's `a.item()`.
    ///
    /// Panics with a clear message when the tensor has several elements.
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// assert_eq!(tensor!([[4.]]).item(), 4.0);
    /// ```
    pub fn item(&self) -> f32 {
        let data = self.0.data.borrow();
        assert!(
            data.len() == 1,
            "item(): only a tensor with exactly one element can be converted to a number, \
             this one has shape {:?} ({} elements)",
            data.shape(),
            data.len()
        );
        *data.iter().next().expect("one element")
    }

    /// All values in row-major order (PyTorch's `a.flatten().tolist()`).
    pub fn to_vec(&self) -> Vec<f32> {
        self.0.data.borrow().iter().copied().collect()
    }

    /// The rows of a 2-D tensor as nested vectors (PyTorch's `a.tolist()`).
    ///
    /// Panics if the tensor is not 2-D.
    pub fn to_vec2(&self) -> Vec<Vec<f32>> {
        let data = self.0.data.borrow();
        assert!(
            data.ndim() == 2,
            "to_vec2(): expected a 2-D tensor, got shape {:?}",
            data.shape()
        );
        data.outer_iter()
            .map(|row| row.iter().copied().collect())
            .collect()
    }

    /// A copy of the values as an ndarray array (PyTorch's `a.numpy()`).
    pub fn to_array(&self) -> ArrayD<f32> {
        self.0.data.borrow().clone()
    }

    /// Borrows the values without copying. Do not keep the borrow across an
    /// operation that updates this tensor in place.
    pub fn data(&self) -> Ref<'_, ArrayD<f32>> {
        self.0.data.borrow()
    }

    /// Borrows the values mutably, bypassing autograd (PyTorch's `a.data`).
    /// Optimizers use it to update parameters in place.
    pub fn data_mut(&self) -> RefMut<'_, ArrayD<f32>> {
        self.0.data.borrow_mut()
    }

    /// True when both handles point to the same graph node (Python's `a is b`).
    pub fn same_node(&self, other: &Tensor) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }

    /// A new leaf holding a copy of the values, cut from the graph
    /// (PyTorch's `a.detach()`, which in Rust also copies).
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// let x = tensor!([1.]).requires_grad_();
    /// let y = (&x * 2.0).detach();
    /// assert!(!y.requires_grad() && y.is_leaf());
    /// ```
    pub fn detach(&self) -> Tensor {
        Tensor::leaf(self.to_array(), false)
    }

    // ----- autograd flags ------------------------------------------------

    /// Marks a leaf as a parameter whose gradient is wanted and returns it,
    /// so it can be chained: `let w = Tensor::randn(&[3]).requires_grad_();`.
    ///
    /// Panics on a non-leaf: only leaves can be made to require a gradient
    /// (use `detach()` first), as in PyTorch.
    pub fn requires_grad_(self) -> Tensor {
        self.set_requires_grad(true);
        self
    }

    /// Sets or clears the `requires_grad` flag of a leaf.
    pub fn set_requires_grad(&self, requires_grad: bool) {
        assert!(
            self.is_leaf(),
            "requires_grad can only be changed on a leaf tensor; this one was computed by {}. \
             Use .detach() to get a leaf copy.",
            self.0.grad_fn_name.unwrap_or("?")
        );
        self.0.requires_grad.set(requires_grad);
    }

    /// Whether a gradient is computed for this tensor.
    pub fn requires_grad(&self) -> bool {
        self.0.requires_grad.get()
    }

    /// A leaf was created by the user (not computed by an op that tracked gradients).
    pub fn is_leaf(&self) -> bool {
        self.0.grad_fn_name.is_none()
    }

    /// Name of the operation that computed this tensor, e.g. `Some("MulBackward0")`
    /// (PyTorch's `a.grad_fn`); `None` for a leaf.
    pub fn grad_fn(&self) -> Option<&'static str> {
        self.0.grad_fn_name
    }

    /// Asks `backward` to keep the gradient of this intermediate (non-leaf)
    /// tensor too, like PyTorch's `retain_grad()`. Useful to annotate a graph.
    pub fn retain_grad(&self) -> &Tensor {
        self.0.retains_grad.set(true);
        self
    }

    /// The accumulated gradient (a copy, as a leaf), or `None` before any
    /// `backward` reached this tensor. Like PyTorch's `x.grad`.
    pub fn grad(&self) -> Option<Tensor> {
        self.0
            .grad
            .borrow()
            .as_ref()
            .map(|g| Tensor::leaf(g.clone(), false))
    }

    /// Borrows the gradient without copying (for optimizers).
    pub fn grad_ref(&self) -> Ref<'_, Option<ArrayD<f32>>> {
        self.0.grad.borrow()
    }

    /// Forgets the accumulated gradient (PyTorch's `x.grad = None`, which is
    /// what `optimizer.zero_grad()` does by default). Gradients accumulate
    /// across `backward` calls until this is called.
    pub fn zero_grad(&self) {
        *self.0.grad.borrow_mut() = None;
    }
}

/// Builds a tensor from a nested array literal, like `torch.FloatTensor(...)`.
///
/// Up to 6 dimensions; integer literals are accepted and converted to `f32`.
/// A single number gives a 0-dimensional tensor.
///
/// ```
/// use apprentissage::prelude::*;
/// let a = tensor!([[1, 2], [3, 4]]);
/// assert_eq!(a.shape(), vec![2, 2]);
/// let s = tensor!(2.5);
/// assert_eq!(s.shape(), Vec::<usize>::new());
/// ```
#[macro_export]
macro_rules! tensor {
    ([$($t:tt)*]) => {
        $crate::Tensor::from_array(
            $crate::ndarray::array![$($t)*].mapv(|v| $crate::tensor::ToF32::to_f32(v)),
        )
    };
    ($x:expr) => {
        $crate::Tensor::scalar($crate::tensor::ToF32::to_f32($x))
    };
}

/// Numbers that [`tensor!`] accepts.
///
/// ```
/// use apprentissage::tensor::ToF32;
/// assert_eq!(3u8.to_f32(), 3.0);
/// ```
pub trait ToF32: Copy {
    /// Converts to `f32` (rounding for `f64`).
    fn to_f32(self) -> f32;
}

macro_rules! impl_to_f32 {
    ($($t:ty),*) => { $(impl ToF32 for $t { fn to_f32(self) -> f32 { self as f32 } })* };
}
impl_to_f32!(f32, f64, i32, i64, u8, u32, usize);

#[cfg(test)]
mod tests {
    use crate::prelude::*;

    #[test]
    fn constructors_have_the_requested_shapes_and_values() {
        assert_eq!(Tensor::zeros(&[2, 3]).shape(), vec![2, 3]);
        assert_eq!(Tensor::ones(&[4]).to_vec(), vec![1.0; 4]);
        assert_eq!(Tensor::full(&[1, 2], 3.0).to_vec(), vec![3.0, 3.0]);
        assert_eq!(
            Tensor::arange(1.0, 2.0, 0.25).to_vec(),
            vec![1., 1.25, 1.5, 1.75]
        );
        assert_eq!(Tensor::arange(0.0, -3.0, -1.0).to_vec(), vec![0., -1., -2.]);
        assert_eq!(Tensor::linspace(-1.0, 1.0, 3).to_vec(), vec![-1., 0., 1.]);
        let t = tensor!([[[1.], [2.]]]);
        assert_eq!(t.shape(), vec![1, 2, 1]);
        assert_eq!(t.to_vec(), vec![1., 2.]);
    }

    #[test]
    #[should_panic(expected = "5 values cannot fill a tensor of shape [2, 3]")]
    fn from_vec_with_the_wrong_length_says_so() {
        Tensor::from_vec(vec![1.0; 5], &[2, 3]);
    }

    #[test]
    #[should_panic(expected = "only a tensor with exactly one element")]
    fn item_on_many_elements_says_so() {
        tensor!([1., 2.]).item();
    }

    #[test]
    fn manual_seed_makes_random_tensors_reproducible() {
        let _lock = crate::random::SEED_LOCK
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        manual_seed(42);
        let a = Tensor::randn(&[5]).to_vec();
        let u = Tensor::rand(&[5]).to_vec();
        manual_seed(42);
        assert_eq!(a, Tensor::randn(&[5]).to_vec());
        assert_eq!(u, Tensor::rand(&[5]).to_vec());
        assert_ne!(a, Tensor::randn(&[5]).to_vec());
    }

    #[test]
    fn randn_has_mean_zero_and_unit_variance() {
        let _lock = crate::random::SEED_LOCK
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        manual_seed(1);
        let x = Tensor::randn(&[20_000]);
        let mean = x.mean().item();
        let var = (&x - mean).pow(2.0).mean().item();
        assert!(mean.abs() < 0.03, "mean {mean}");
        assert!((var - 1.0).abs() < 0.05, "variance {var}");
    }

    #[test]
    fn clone_aliases_and_detach_copies() {
        let a = tensor!([1., 2.]);
        let b = a.clone();
        b.data_mut()[[0]] = 10.0;
        assert_eq!(a.to_vec(), vec![10., 2.]);
        let c = a.detach();
        c.data_mut()[[0]] = 0.0;
        assert_eq!(a.to_vec(), vec![10., 2.]);
    }

    #[test]
    #[should_panic(expected = "requires_grad can only be changed on a leaf")]
    fn requires_grad_on_a_computed_tensor_is_refused() {
        let x = tensor!([1.]).requires_grad_();
        let _ = (&x * 2.0).requires_grad_();
    }
}
