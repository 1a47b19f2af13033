//! Automatic differentiation: how `loss.backward()` finds every gradient.
//!
//! # The idea in one screen
//!
//! Every operation on tensors that require a gradient records, in its result,
//! *which operation* produced it and *from which inputs* (its `grad_fn`). The
//! results therefore form a graph that goes from the loss back to the
//! parameters, the "graphe de calcul" of chapter 2.
//!
//! `backward()` walks that graph from the loss to the leaves, in reverse
//! topological order (a node is processed only once all the nodes that use
//! it are done). For each node it knows ∂loss/∂node, and asks the node's
//! [`Op`] for ∂loss/∂input of each input: the chain rule,
//!
//! ```text
//! ∂f/∂xᵢ = Σⱼ ∂f/∂yⱼ · ∂yⱼ/∂xᵢ
//! ```
//!
//! where the sum runs over every use `yⱼ` of `xᵢ`: gradients arriving at the
//! same node are added. At a leaf (a tensor you created, e.g. a weight), the
//! result is *added* to `x.grad()`, which is why `zero_grad()` is needed
//! between two training steps (chapter 6).
//!
//! ```
//! use apprentissage::prelude::*;
//! // Chapter 2.4: f(x0, x1) = (2·x0 + 5·x1) · (3·x0·x1) at (2, 1).
//! let x0 = tensor!(2.).requires_grad_();
//! let x1 = tensor!(1.).requires_grad_();
//! let y0 = &x0 * 2.0 + &x1 * 5.0; // 9
//! let y1 = &x0 * &x1 * 3.0;       // 6
//! let f = &y0 * &y1;              // 54
//! f.backward();
//! assert_eq!(x0.grad().unwrap().item(), 39.0); // 6·2 + 9·3
//! assert_eq!(x1.grad().unwrap().item(), 84.0); // 6·5 + 9·6
//! ```
//!
//! After `backward` the graph is freed (each op's saved state and its links to
//! its inputs are dropped), as in PyTorch: a second `backward` through the same
//! graph is an error, unless the first one was [`Tensor::backward_retain_graph`].

use std::cell::Cell;
use std::collections::HashMap;
use std::fmt;

use ndarray::ArrayD;

use crate::tensor::Tensor;

/// The backward half of a differentiable operation.
///
/// The forward half is ordinary code that computes the value and calls
/// [`Tensor::from_op`]; `backward` receives ∂loss/∂output and returns
/// ∂loss/∂input for each input (`None` where `needs[i]` is false, to skip work).
/// Each returned gradient must have its input's shape.
///
/// ```
/// use apprentissage::prelude::*;
/// use apprentissage::autograd::Op;
/// use ndarray::ArrayD;
///
/// /// y = sin(x), with dy/dx = cos(x).
/// struct Sin;
/// impl Op for Sin {
///     fn name(&self) -> &'static str { "SinBackward0" }
///     fn backward(&self, g: &ArrayD<f32>, x: &[&ArrayD<f32>], _: &ArrayD<f32>, _: &[bool])
///         -> Vec<Option<ArrayD<f32>>> {
///         vec![Some(g * &x[0].mapv(f32::cos))]
///     }
/// }
/// let x = tensor!([0.]).requires_grad_();
/// let y = Tensor::from_op(x.data().mapv(f32::sin), vec![x.clone()], Sin);
/// assert_eq!(y.grad_fn(), Some("SinBackward0"));
/// y.sum().backward();
/// assert_eq!(x.grad().unwrap().to_vec(), vec![1.0]); // cos 0
/// ```
pub trait Op {
    /// PyTorch-style name shown as `grad_fn`, e.g. `"MulBackward0"`.
    fn name(&self) -> &'static str;

    /// Computes the gradients of the inputs.
    ///
    /// * `grad`: ∂loss/∂output, the shape of `output`;
    /// * `inputs`: the values of the inputs, as they are now;
    /// * `output`: the value this op computed;
    /// * `needs`: which inputs want a gradient.
    fn backward(
        &self,
        grad: &ArrayD<f32>,
        inputs: &[&ArrayD<f32>],
        output: &ArrayD<f32>,
        needs: &[bool],
    ) -> Vec<Option<ArrayD<f32>>>;
}

/// What a computed tensor remembers: the operation and its inputs.
pub(crate) struct GradFn {
    pub(crate) op: Box<dyn Op>,
    pub(crate) inputs: Vec<Tensor>,
}

/// Why `backward` could not run.
///
/// ```
/// use apprentissage::prelude::*;
/// let x = tensor!([1., 2.]).requires_grad_();
/// let err = (&x * 2.0).try_backward().unwrap_err();
/// assert_eq!(err, AutogradError::NotAScalar(vec![2]));
/// println!("{err}"); // says to reduce with .sum() or .mean() first
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum AutogradError {
    /// `backward()` needs a single number (a loss), not a tensor of this shape.
    NotAScalar(Vec<usize>),
    /// Nothing in the computation required a gradient.
    NoGradient,
    /// The graph was already freed by an earlier `backward`.
    GraphFreed(&'static str),
}

impl fmt::Display for AutogradError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AutogradError::NotAScalar(shape) => write!(
                f,
                "backward() can only start from a single number (e.g. a loss), \
                 this tensor has shape {shape:?}; reduce it first, e.g. with .sum() or .mean()"
            ),
            AutogradError::NoGradient => write!(
                f,
                "backward(): this tensor does not require a gradient and has no grad_fn; \
                 call .requires_grad_() on the parameters before computing with them"
            ),
            AutogradError::GraphFreed(name) => write!(
                f,
                "backward() went through a graph that was already freed by an earlier \
                 backward (at {name}); recompute the forward pass, or call \
                 backward_retain_graph() the first time"
            ),
        }
    }
}

impl std::error::Error for AutogradError {}

thread_local! {
    static GRAD_ENABLED: Cell<bool> = const { Cell::new(true) };
}

/// Whether operations currently record the graph (false inside [`no_grad`]).
pub fn is_grad_enabled() -> bool {
    GRAD_ENABLED.with(|g| g.get())
}

/// Restores the previous grad mode when dropped, even if the code panics.
struct GradModeGuard(bool);

impl Drop for GradModeGuard {
    fn drop(&mut self) {
        GRAD_ENABLED.with(|g| g.set(self.0));
    }
}

/// Runs `f` without recording any graph, like `with torch.no_grad():`.
///
/// Use it to update parameters by hand, or to evaluate a model, without the
/// update itself becoming part of the next gradient.
///
/// ```
/// use apprentissage::prelude::*;
/// let w = tensor!([1.]).requires_grad_();
/// let y = no_grad(|| &w * 2.0);
/// assert!(!y.requires_grad());
/// ```
pub fn no_grad<R>(f: impl FnOnce() -> R) -> R {
    let _guard = GradModeGuard(GRAD_ENABLED.with(|g| g.replace(false)));
    f()
}

impl Tensor {
    /// Computes the gradient of this scalar with respect to every leaf that
    /// requires one, and adds it to their `grad()` (PyTorch's `loss.backward()`).
    ///
    /// Panics with the message of [`AutogradError`] when the tensor is not a
    /// single number, needs no gradient, or its graph was already freed; use
    /// [`Tensor::try_backward`] to get the error as a value instead.
    pub fn backward(&self) {
        if let Err(e) = self.try_backward() {
            panic!("{e}");
        }
    }

    /// Like [`Tensor::backward`] but keeps the graph, so that `backward` can be
    /// called again on it (PyTorch's `backward(retain_graph=True)`).
    pub fn backward_retain_graph(&self) {
        if let Err(e) = run_backward(self, None, true) {
            panic!("{e}");
        }
    }

    /// Backpropagates a given gradient ∂L/∂self instead of 1 (PyTorch's
    /// `y.backward(g)`): the result is the gradient of `Σ g ⊙ self`, so `self`
    /// need not be a single number. `g` must have `self`'s shape.
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// let x = tensor!([1., 2.]).requires_grad_();
    /// let y = &x * &x;
    /// y.backward_with(&tensor!([1., 10.]));
    /// assert_eq!(x.grad().unwrap().to_vec(), vec![2., 40.]); // g ⊙ 2x
    /// ```
    pub fn backward_with(&self, grad: &Tensor) {
        assert_eq!(
            grad.shape(),
            self.shape(),
            "backward_with: the gradient must have the tensor's shape"
        );
        if let Err(e) = run_backward(self, Some(grad.to_array()), false) {
            panic!("{e}");
        }
    }

    /// [`Tensor::backward`] that returns an error instead of panicking.
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// let x = tensor!([1., 2.]).requires_grad_();
    /// let y = &x * 3.0;
    /// assert!(y.try_backward().is_err()); // not a scalar
    /// assert!(y.sum().try_backward().is_ok());
    /// ```
    pub fn try_backward(&self) -> Result<(), AutogradError> {
        run_backward(self, None, false)
    }
}

/// Identity of a node, to key the gradient map.
fn key(t: &Tensor) -> *const () {
    std::rc::Rc::as_ptr(&t.0) as *const ()
}

/// Backward from `root`, seeded with `seed` (∂L/∂root; ones for a scalar loss).
fn run_backward(
    root: &Tensor,
    seed: Option<ArrayD<f32>>,
    retain_graph: bool,
) -> Result<(), AutogradError> {
    let shape = root.shape();
    if seed.is_none() && shape.iter().product::<usize>() != 1 {
        return Err(AutogradError::NotAScalar(shape));
    }
    if !root.requires_grad() {
        return Err(AutogradError::NoGradient);
    }
    let order = topological_order(root)?;

    // ∂root/∂node for the nodes reached so far; each entry is dropped once used.
    let mut grads: HashMap<*const (), ArrayD<f32>> = HashMap::new();
    let seed = seed.unwrap_or_else(|| ArrayD::ones(root.0.data.borrow().raw_dim()));
    grads.insert(key(root), seed);

    for node in order.iter().rev() {
        let Some(grad) = grads.remove(&key(node)) else {
            continue; // no gradient flowed here (e.g. an op returned None)
        };
        if node.is_leaf() || node.0.retains_grad.get() {
            accumulate_into_grad(node, &grad);
        }
        let grad_fn = node.0.grad_fn.borrow();
        let Some(GradFn { op, inputs }) = grad_fn.as_ref() else {
            continue; // a leaf
        };
        let needs: Vec<bool> = inputs.iter().map(Tensor::requires_grad).collect();
        let values: Vec<_> = inputs.iter().map(|t| t.0.data.borrow()).collect();
        let refs: Vec<&ArrayD<f32>> = values.iter().map(|v| &**v).collect();
        let input_grads = op.backward(&grad, &refs, &node.0.data.borrow(), &needs);
        assert_eq!(
            input_grads.len(),
            inputs.len(),
            "{}: backward returned {} gradients for {} inputs",
            op.name(),
            input_grads.len(),
            inputs.len()
        );
        for ((input, value), g) in inputs.iter().zip(&refs).zip(input_grads) {
            let Some(g) = g.filter(|_| input.requires_grad()) else {
                continue;
            };
            assert_eq!(
                g.shape(),
                value.shape(),
                "{}: gradient shape differs from its input's shape",
                op.name()
            );
            match grads.get_mut(&key(input)) {
                Some(sum) => *sum += &g,
                None => {
                    grads.insert(key(input), g);
                }
            }
        }
    }

    if !retain_graph {
        for node in &order {
            node.0.grad_fn.borrow_mut().take();
        }
    }
    Ok(())
}

/// Adds `grad` to the gradient stored in the node (leaves accumulate).
fn accumulate_into_grad(node: &Tensor, grad: &ArrayD<f32>) {
    let mut stored = node.0.grad.borrow_mut();
    match stored.as_mut() {
        Some(sum) => *sum += grad,
        None => *stored = Some(grad.clone()),
    }
}

/// Every node that leads to `root` through tensors requiring a gradient, each
/// listed after all of its inputs (iterative depth-first search: deep graphs,
/// such as a long training loop unrolled by mistake, must not overflow the stack).
fn topological_order(root: &Tensor) -> Result<Vec<Tensor>, AutogradError> {
    let mut order = Vec::new();
    // Nodes already expanded. A node is marked when it is EXPANDED, not when
    // it is pushed: a node reached again through a longer path must still be
    // finished after that path's nodes (marking on push broke this order).
    let mut expanded = std::collections::HashSet::new();
    // (node, inputs already pushed?)
    let mut stack = vec![(root.clone(), false)];
    while let Some((node, done)) = stack.pop() {
        if done {
            order.push(node);
            continue;
        }
        if !expanded.insert(key(&node)) {
            continue; // already finished or in progress through another path
        }
        let inputs: Vec<Tensor> = match (node.0.grad_fn.borrow().as_ref(), node.grad_fn()) {
            (Some(f), _) => f.inputs.clone(),
            (None, Some(name)) => return Err(AutogradError::GraphFreed(name)),
            (None, None) => Vec::new(),
        };
        stack.push((node, true));
        for input in inputs {
            if input.requires_grad() && !expanded.contains(&key(&input)) {
                stack.push((input, false));
            }
        }
    }
    Ok(order)
}

#[cfg(test)]
mod tests {
    use crate::prelude::*;

    #[test]
    fn course_2_4_gradient_is_39_84() {
        let x0 = tensor!(2.).requires_grad_();
        let x1 = tensor!(1.).requires_grad_();
        let f = (&x0 * 2.0 + &x1 * 5.0) * (&x0 * &x1 * 3.0);
        assert_eq!(f.item(), 54.0);
        f.backward();
        assert_eq!(x0.grad().unwrap().item(), 39.0);
        assert_eq!(x1.grad().unwrap().item(), 84.0);
    }

    #[test]
    fn course_2_5_3_gradient_is_4_minus_8() {
        // f = ((x0·x1) + |x1|)² at (3, −1)
        let x0 = tensor!(3.).requires_grad_();
        let x1 = tensor!(-1.).requires_grad_();
        let f = (&x0 * &x1 + x1.abs()).pow(2.0);
        assert_eq!(f.item(), 4.0);
        f.backward();
        assert_eq!(x0.grad().unwrap().item(), 4.0);
        assert_eq!(x1.grad().unwrap().item(), -8.0);
    }

    #[test]
    fn gradients_accumulate_until_zero_grad() {
        let x = tensor!([1., 2.]).requires_grad_();
        (&x * &x).sum().backward();
        assert_eq!(x.grad().unwrap().to_vec(), vec![2., 4.]);
        (&x * &x).sum().backward();
        assert_eq!(x.grad().unwrap().to_vec(), vec![4., 8.]); // doubled, like PyTorch
        x.zero_grad();
        assert!(x.grad().is_none());
        (&x * &x).sum().backward();
        assert_eq!(x.grad().unwrap().to_vec(), vec![2., 4.]);
    }

    #[test]
    fn a_node_reached_through_paths_of_different_lengths_gets_every_gradient() {
        // f = x / Σx: x reaches f directly and through the sum. A topological
        // order that marked nodes when pushed processed x before the sum.
        let x = tensor!([[1., 3.]]).requires_grad_();
        let f = &x / &x.sum_dim(1, true);
        (&f * &tensor!([[1., 0.]])).sum().backward();
        // ∂(x₀/s)/∂x₀ = 1/s − x₀/s² = 3/16, ∂(x₀/s)/∂x₁ = −x₀/s² = −1/16
        assert_eq!(x.grad().unwrap().to_vec(), vec![3. / 16., -1. / 16.]);
    }

    #[test]
    fn a_node_used_twice_receives_both_gradients() {
        let x = tensor!(3.).requires_grad_();
        let y = &x * 2.0;
        let f = &y * &y + &y; // f = 4x² + 2x, f' = 8x + 2 = 26
        f.backward();
        assert_eq!(x.grad().unwrap().item(), 26.0);
    }

    #[test]
    fn backward_twice_through_a_freed_graph_is_a_clear_error() {
        let x = tensor!(3.).requires_grad_();
        let f = &x * &x;
        f.backward();
        let err = f.try_backward().unwrap_err();
        assert_eq!(err, AutogradError::GraphFreed("MulBackward0"));
        assert!(err.to_string().contains("already freed"));
        assert_eq!(x.grad().unwrap().item(), 6.0); // untouched by the failed call
    }

    #[test]
    fn retain_graph_allows_a_second_backward() {
        let x = tensor!(3.).requires_grad_();
        let f = &x * &x;
        f.backward_retain_graph();
        f.backward();
        assert_eq!(x.grad().unwrap().item(), 12.0);
    }

    #[test]
    fn backward_on_a_non_scalar_or_without_grad_is_refused() {
        let x = tensor!([1., 2.]).requires_grad_();
        assert_eq!(
            (&x * 2.0).try_backward(),
            Err(AutogradError::NotAScalar(vec![2]))
        );
        assert_eq!(
            tensor!([1.]).sum().try_backward(),
            Err(AutogradError::NoGradient)
        );
    }

    #[test]
    #[should_panic(expected = "can only start from a single number")]
    fn backward_panics_with_the_error_message() {
        tensor!([1., 2.]).requires_grad_().backward();
    }

    #[test]
    fn no_grad_records_nothing_and_restores_the_mode() {
        let w = tensor!([1.]).requires_grad_();
        let y = no_grad(|| {
            assert!(!crate::autograd::is_grad_enabled());
            &w * 2.0
        });
        assert!(!y.requires_grad() && y.is_leaf());
        assert!(crate::autograd::is_grad_enabled());
        let caught = std::panic::catch_unwind(|| no_grad(|| panic!("inside")));
        assert!(caught.is_err());
        assert!(crate::autograd::is_grad_enabled(), "restored after a panic");
    }

    #[test]
    fn requires_grad_propagates_like_pytorch() {
        // Course 6.4: a result requires grad as soon as one input does.
        let a = tensor!([1.]);
        let b = tensor!([2.]).requires_grad_();
        assert!(!(&a * 2.0).requires_grad());
        let c = &a + &b;
        assert!(c.requires_grad() && !c.is_leaf());
        assert_eq!(c.grad_fn(), Some("AddBackward0"));
    }

    #[test]
    fn retain_grad_keeps_an_intermediate_gradient() {
        let x = tensor!(2.).requires_grad_();
        let y = &x * 3.0;
        y.retain_grad();
        let z = &y * &y;
        z.backward();
        assert_eq!(y.grad().unwrap().item(), 12.0); // 2y
        assert_eq!(x.grad().unwrap().item(), 36.0); // 2y·3
    }

    #[test]
    fn a_deep_chain_does_not_overflow_the_stack() {
        let x = tensor!(1.).requires_grad_();
        let mut y = x.clone();
        for _ in 0..100_000 {
            y = &y * 1.0;
        }
        y.backward();
        assert_eq!(x.grad().unwrap().item(), 1.0);
    }
}
