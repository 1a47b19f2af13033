//! [`Graph`]: the computation graph of a result, with the values of the
//! forward pass and the gradients of the backward pass on its edges — the
//! pictures of course 2.4 and 2.5.3, drawn from what autograd recorded.

use std::collections::HashMap;
use std::rc::Rc;

use super::figure::{Figure, Format};
use super::figures::displayable;
use super::graph_layout::{layout, Layout};
use crate::tensor::Tensor;

/// What a node of the drawing is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum NodeKind {
    /// An operation, by its short name ("Mul" for `MulBackward0`).
    Op(&'static str),
    /// A leaf that requires a gradient (a variable, a parameter).
    Variable,
    /// A tensor with no gradient: a constant such as the 2 of `2·x0`.
    Constant,
}

#[derive(Clone, Debug)]
pub(crate) struct GraphNode {
    pub(crate) tensor: Tensor,
    pub(crate) kind: NodeKind,
    /// indices of the inputs, in the operation's order
    pub(crate) inputs: Vec<usize>,
}

/// The computation graph of a tensor, drawn left to right: leaves (the
/// variables, in yellow, and constants, in gray) on the left, one box per
/// operation (named after its `grad_fn`: `Mul` for `MulBackward0`), the
/// result on the right. Each edge carries the value that flows along it (in
/// blue) and, once `backward` has run, the gradient of the result with
/// respect to that value (in red).
///
/// The structure is read when the `Graph` is built; values and gradients
/// when it is drawn. Since `backward()` frees the graph it went through
/// (as in PyTorch), build the `Graph` BEFORE calling `backward()`, or call
/// `backward_retain_graph()` instead. Gradients are kept for leaves; to see
/// the gradient of an intermediate result too, call `retain_grad()` on it
/// before `backward`.
///
/// The figure is SVG (sharp at any zoom); `.render().to_png()` gives a PNG.
///
/// Course 2.4: f(x0, x1) = (2·x0 + 5·x1)·(3·x0·x1) at (2, 1):
///
/// ```
/// use apprentissage::prelude::*;
/// let x0 = tensor!(2.).requires_grad_();
/// let x1 = tensor!(1.).requires_grad_();
/// let y0 = &x0 * 2.0 + &x1 * 5.0;
/// let y1 = &x0 * &x1 * 3.0;
/// let f = &y0 * &y1;
/// y0.retain_grad();
/// y1.retain_grad();
/// let graph = Graph::new(&f).name(&x0, "x0").name(&x1, "x1").name(&y0, "y0").name(&y1, "y1");
/// f.backward();
/// let svg = graph.render(); // as the last expression of a cell: shown
/// let text = String::from_utf8(svg.bytes().to_vec()).unwrap();
/// assert!(text.contains("∂f/∂x0 = 39") && text.contains("∂f/∂x1 = 84"));
/// assert!(text.contains("f = 54"));
/// ```
#[derive(Clone, Debug)]
pub struct Graph {
    pub(crate) nodes: Vec<GraphNode>,
    /// index of the result
    pub(crate) root: usize,
    pub(crate) names: HashMap<usize, String>,
    pub(crate) title: Option<String>,
}

/// Identity of a tensor's node.
fn key(t: &Tensor) -> *const () {
    Rc::as_ptr(&t.0) as *const ()
}

impl Graph {
    /// Reads the graph that leads to `output` (usually a scalar: a loss).
    ///
    /// Panics when that graph was already freed by `backward()`; the message
    /// says what to do instead.
    pub fn new(output: &Tensor) -> Graph {
        let mut nodes: Vec<GraphNode> = Vec::new();
        let mut index: HashMap<*const (), usize> = HashMap::new();
        // iterative depth-first search, nodes listed after their inputs
        let mut stack = vec![(output.clone(), false)];
        let mut pending: HashMap<*const (), Vec<Tensor>> = HashMap::new();
        while let Some((t, expanded)) = stack.pop() {
            let k = key(&t);
            if index.contains_key(&k) {
                continue;
            }
            if expanded {
                let inputs = pending.remove(&k).unwrap_or_default();
                let kind = match t.grad_fn() {
                    Some(name) => NodeKind::Op(short_name(name)),
                    None if t.requires_grad() => NodeKind::Variable,
                    None => NodeKind::Constant,
                };
                let inputs = inputs.iter().map(|i| index[&key(i)]).collect();
                index.insert(k, nodes.len());
                nodes.push(GraphNode {
                    tensor: t,
                    kind,
                    inputs,
                });
                continue;
            }
            let inputs: Vec<Tensor> = match (t.0.grad_fn.borrow().as_ref(), t.grad_fn()) {
                (Some(f), _) => f.inputs.clone(),
                (None, Some(name)) => panic!(
                    "Graph::new: the graph behind this tensor (computed by {name}) was freed by \
                     backward(). Build the Graph before calling backward(), or call \
                     backward_retain_graph() instead of backward()."
                ),
                (None, None) => Vec::new(),
            };
            stack.push((t.clone(), true));
            // reversed so that the first input is explored (and listed) first
            for input in inputs.iter().rev() {
                if !index.contains_key(&key(input)) {
                    stack.push((input.clone(), false));
                }
            }
            pending.insert(k, inputs);
        }
        let root = index[&key(output)];
        Graph {
            nodes,
            root,
            names: HashMap::new(),
            title: None,
        }
    }

    /// Names a tensor of the graph ("x0", "y1", "loss"…): the name appears in
    /// its box (leaves), on the edges that carry its value, and in the
    /// gradients (∂f/∂x0). The result is called "f" unless named.
    ///
    /// Panics if `tensor` is not part of the graph.
    pub fn name(mut self, tensor: &Tensor, name: &str) -> Graph {
        let i = self
            .nodes
            .iter()
            .position(|n| n.tensor.same_node(tensor))
            .unwrap_or_else(|| {
                panic!("Graph::name: the tensor named {name:?} is not part of this graph")
            });
        self.names.insert(i, name.to_string());
        self
    }

    /// The title, above the graph.
    pub fn title(mut self, title: &str) -> Graph {
        self.title = Some(title.to_string());
        self
    }

    /// Number of nodes (operations, leaves and constants).
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Always false: a graph has at least its result.
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// The layout (positions and texts), read from the current values and
    /// gradients.
    pub(crate) fn layout(&self) -> Layout {
        layout(self)
    }

    /// Draws the graph as an SVG [`Figure`] (`.to_png()` for a bitmap).
    pub fn render(&self) -> Figure {
        let picture = self.layout();
        let size = picture.size;
        Figure::render(picture, size, Format::Svg)
    }
}

/// `MulBackward0` → `Mul`.
fn short_name(name: &'static str) -> &'static str {
    match name.find("Backward") {
        Some(i) if i > 0 => &name[..i],
        _ => name,
    }
}

displayable!(Graph);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plot::testing::assert_drawn;
    use crate::prelude::*;

    fn course_2_4() -> (Tensor, Tensor, Tensor, Tensor, Tensor) {
        let x0 = tensor!(2.).requires_grad_();
        let x1 = tensor!(1.).requires_grad_();
        let y0 = &x0 * 2.0 + &x1 * 5.0;
        let y1 = &x0 * &x1 * 3.0;
        let f = &y0 * &y1;
        (x0, x1, y0, y1, f)
    }

    #[test]
    fn the_structure_of_course_2_4() {
        let (x0, x1, _, _, f) = course_2_4();
        let g = Graph::new(&f);
        // x0, x1, the constants 2, 5, 3 and six operations
        assert_eq!(g.len(), 11);
        let count = |k: NodeKind| g.nodes.iter().filter(|n| n.kind == k).count();
        assert_eq!(count(NodeKind::Variable), 2);
        assert_eq!(count(NodeKind::Constant), 3);
        assert_eq!(count(NodeKind::Op("Mul")), 5);
        assert_eq!(count(NodeKind::Op("Add")), 1);
        assert!(g.nodes[g.root].tensor.same_node(&f));
        // inputs come before the nodes that use them; x0 is found first
        for (i, n) in g.nodes.iter().enumerate() {
            assert!(n.inputs.iter().all(|&j| j < i));
        }
        assert!(g.nodes[0].tensor.same_node(&x0));
        assert!(g.nodes.iter().any(|n| n.tensor.same_node(&x1)));
    }

    #[test]
    fn gradients_of_course_2_4_appear_after_backward() {
        let (x0, x1, y0, y1, f) = course_2_4();
        y0.retain_grad();
        y1.retain_grad();
        let g = Graph::new(&f)
            .name(&x0, "x0")
            .name(&x1, "x1")
            .name(&y0, "y0")
            .name(&y1, "y1")
            .title("f(x0, x1) = (2x0 + 5x1)·(3x0x1)");
        let before = g.render();
        let text = std::str::from_utf8(before.bytes()).unwrap().to_string();
        assert!(text.contains("x0 = 2") && text.contains("y0 = 9") && text.contains("y1 = 6"));
        assert!(!text.contains("∂f/∂x0"));
        f.backward();
        let after = g.render();
        let text = std::str::from_utf8(after.bytes()).unwrap();
        for expected in [
            "∂f/∂x0 = 39",
            "∂f/∂x1 = 84",
            "∂f/∂y0 = 6",
            "∂f/∂y1 = 9",
            "f = 54",
        ] {
            assert!(text.contains(expected), "{expected} missing");
        }
        assert_eq!(after.format(), Format::Svg);
        let (w, h) = after.size();
        assert_drawn(&after.to_png(), (w, h));
    }

    #[test]
    fn backward_retain_graph_allows_drawing_afterwards() {
        let x0 = tensor!(3.).requires_grad_();
        let x1 = tensor!(-1.).requires_grad_();
        let f = (&x0 * &x1 + x1.abs()).pow(2.0);
        f.backward_retain_graph();
        let g = Graph::new(&f).name(&x0, "x0").name(&x1, "x1");
        let svg = g.render();
        let text = std::str::from_utf8(svg.bytes()).unwrap();
        assert!(
            text.contains("∂f/∂x0 = 4") && text.contains("∂f/∂x1 = -8"),
            "{text}"
        );
        assert!(text.contains(">\nAbs\n<") && text.contains(">\nPow\n<"));
    }

    #[test]
    #[should_panic(expected = "Build the Graph before calling backward()")]
    fn a_freed_graph_is_explained() {
        let x = tensor!(1.).requires_grad_();
        let f = &x * &x;
        f.backward();
        let _ = Graph::new(&f);
    }

    #[test]
    #[should_panic(expected = "is not part of this graph")]
    fn naming_a_stranger_is_refused() {
        let x = tensor!(1.).requires_grad_();
        let _ = Graph::new(&(&x * 2.0)).name(&tensor!(3.), "z");
    }

    #[test]
    fn tensors_and_a_lone_leaf_render() {
        let w = Tensor::ones(&[2, 3]).requires_grad_();
        let x = tensor!([[1., 2.]]);
        let loss = x.matmul(&w).relu().sum();
        let g = Graph::new(&loss).name(&w, "W");
        loss.backward();
        let fig = g.render();
        let text = std::str::from_utf8(fig.bytes()).unwrap();
        assert!(
            text.contains("W (2×3)") && text.contains("‖∂f/∂W‖ = 3.873"),
            "{text}"
        );
        assert_drawn(&fig.to_png(), fig.size());
        let lone = Graph::new(&tensor!(5.)).render();
        assert!(lone.size().0 > 0);
    }
}
