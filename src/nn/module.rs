//! The [`Module`] trait: what every layer, and every network built from
//! layers, can do (PyTorch's `nn.Module`).

use std::cell::Cell;
use std::fmt;

use crate::tensor::Tensor;

/// A layer, or a network of layers: something with a `forward` computation
/// and, maybe, parameters to learn (PyTorch's `nn.Module`).
///
/// To write a module, implement [`forward`](Module::forward) and say what it
/// is made of: its sub-modules with [`children`](Module::children), its own
/// parameter tensors (if any, besides those of its children) with
/// [`own_parameters`](Module::own_parameters). Everything else follows:
/// `parameters()` for the optimizer, `train()`/`eval()`, `zero_grad()`,
/// `num_parameters()`, and the printout of [`display`](Module::display).
/// The [`nn` page](crate::nn) shows a whole network written this way.
///
/// ```
/// use apprentissage::prelude::*;
///
/// /// y = a·x + b, with a learnt scalar a and a learnt b.
/// struct Affine { a: Tensor, b: Tensor }
///
/// impl Module for Affine {
///     fn forward(&self, x: &Tensor) -> Tensor {
///         x * &self.a + &self.b
///     }
///     fn own_parameters(&self) -> Vec<(&str, Tensor)> {
///         vec![("a", self.a.clone()), ("b", self.b.clone())]
///     }
/// }
///
/// let m = Affine { a: tensor!([2.]).requires_grad_(), b: tensor!([1.]).requires_grad_() };
/// assert_eq!(m.forward(&tensor!([3.])).to_vec(), vec![7.]);
/// assert_eq!(m.num_parameters(), 2);
/// assert_eq!(m.display().to_string(), "Affine()");
/// ```
pub trait Module {
    /// Computes the output for the input `x` (PyTorch's `model(x)`).
    fn forward(&self, x: &Tensor) -> Tensor;

    /// The sub-modules, with their names, in order: a network lists its
    /// layers here, so that their parameters, their train/eval mode and
    /// their printout are part of its own. None by default.
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// let model = sequential![Linear::new(2, 3), ReLU::new()];
    /// let names: Vec<&str> = model.children().iter().map(|(name, _)| *name).collect();
    /// assert_eq!(names, vec!["0", "1"]);
    /// ```
    fn children(&self) -> Vec<(&str, &dyn Module)> {
        Vec::new()
    }

    /// The parameters that belong to this module itself (not to its
    /// children), with their names: `weight` and `bias` for a [`Linear`](crate::nn::Linear)
    /// layer. None by default.
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// let fc = Linear::new(4, 2);
    /// let names: Vec<&str> = fc.own_parameters().iter().map(|(name, _)| *name).collect();
    /// assert_eq!(names, vec!["weight", "bias"]);
    /// ```
    fn own_parameters(&self) -> Vec<(&str, Tensor)> {
        Vec::new()
    }

    /// The train/eval flag this module keeps, if it keeps one (every layer of
    /// the crate does). A network made of children needs none: its mode is
    /// that of its children.
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// use std::cell::Cell;
    ///
    /// /// Adds noise in training mode only: it keeps its own flag.
    /// struct Noise { training: Cell<bool> }
    /// impl Module for Noise {
    ///     fn forward(&self, x: &Tensor) -> Tensor {
    ///         if self.is_training() { x + &Tensor::randn(&x.shape()) } else { x.clone() }
    ///     }
    ///     fn training_flag(&self) -> Option<&Cell<bool>> { Some(&self.training) }
    /// }
    /// let noise = Noise { training: Cell::new(true) };
    /// noise.eval();
    /// assert_eq!(noise.forward(&tensor!([1.])).to_vec(), vec![1.]);
    /// ```
    fn training_flag(&self) -> Option<&Cell<bool>> {
        None
    }

    /// The name shown by [`display`](Module::display): the type's name by default.
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// assert_eq!(Linear::new(2, 2).name(), "Linear");
    /// ```
    fn name(&self) -> String {
        let full = std::any::type_name::<Self>();
        let base = full.split('<').next().unwrap_or(full);
        base.rsplit("::").next().unwrap_or(base).to_string()
    }

    /// The settings shown between the parentheses by [`display`](Module::display),
    /// e.g. `in_features=784, out_features=128, bias=true`. Empty by default.
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// assert_eq!(Linear::new(784, 128).extra_repr(), "in_features=784, out_features=128, bias=true");
    /// assert_eq!(ReLU::new().extra_repr(), "");
    /// ```
    fn extra_repr(&self) -> String {
        String::new()
    }

    /// Every parameter of the module and its children, with a dotted name
    /// (`fc1.weight`, `0.bias`…), each tensor once (PyTorch's `named_parameters()`).
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// let model = sequential![Linear::new(4, 3), ReLU::new(), Linear::no_bias(3, 2)];
    /// let names: Vec<String> = model.named_parameters().into_iter().map(|(n, _)| n).collect();
    /// assert_eq!(names, vec!["0.weight", "0.bias", "2.weight"]);
    /// ```
    fn named_parameters(&self) -> Vec<(String, Tensor)> {
        let mut all: Vec<(String, Tensor)> = self
            .own_parameters()
            .into_iter()
            .map(|(name, t)| (name.to_string(), t))
            .collect();
        for (child, module) in self.children() {
            for (name, t) in module.named_parameters() {
                all.push((format!("{child}.{name}"), t));
            }
        }
        // a tensor shared by two layers (tied weights) is listed once
        let mut unique: Vec<(String, Tensor)> = Vec::with_capacity(all.len());
        for (name, t) in all {
            if !unique.iter().any(|(_, u)| u.same_node(&t)) {
                unique.push((name, t));
            }
        }
        unique
    }

    /// The parameters to learn, as handles on the model's own tensors
    /// (PyTorch's `model.parameters()`): an optimizer that updates them
    /// updates the model.
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// let fc = Linear::new(3, 1);
    /// let params = fc.parameters();
    /// assert!(params[0].same_node(&fc.weight));
    /// no_grad(|| params[0].mul_(&tensor!(0.)));
    /// assert_eq!(fc.weight.to_vec(), vec![0., 0., 0.]); // the layer sees the update
    /// ```
    fn parameters(&self) -> Vec<Tensor> {
        self.named_parameters()
            .into_iter()
            .map(|(_, t)| t)
            .collect()
    }

    /// The number of learnt values, Σ of the parameters' sizes.
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// let mlp = sequential![Linear::new(784, 128), ReLU::new(), Linear::new(128, 10)];
    /// assert_eq!(mlp.num_parameters(), 101_770); // 784·128 + 128 + 128·10 + 10
    /// ```
    fn num_parameters(&self) -> usize {
        self.parameters().iter().map(Tensor::numel).sum()
    }

    /// Forgets the gradients of every parameter (PyTorch's `model.zero_grad()`).
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// let fc = Linear::new(2, 1);
    /// fc.forward(&tensor!([1., 2.])).sum().backward();
    /// assert!(fc.weight.grad().is_some());
    /// fc.zero_grad();
    /// assert!(fc.weight.grad().is_none());
    /// ```
    fn zero_grad(&self) {
        for p in self.parameters() {
            p.zero_grad();
        }
    }

    /// Training mode, for the module and all its children (PyTorch's
    /// `model.train()`): [`Dropout`](crate::nn::Dropout) drops values.
    /// Modules start in training mode.
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// let d = Dropout::new(0.5);
    /// d.eval();
    /// d.train();
    /// assert!(d.is_training());
    /// ```
    fn train(&self) {
        self.set_training(true);
    }

    /// Evaluation mode, for the module and all its children (PyTorch's
    /// `model.eval()`): [`Dropout`](crate::nn::Dropout) is the identity.
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// let model = sequential![Linear::new(4, 4), Dropout::new(0.5)];
    /// assert!(model.is_training());
    /// model.eval();
    /// assert!(!model.is_training() && !model[1].is_training());
    /// model.train();
    /// assert!(model[1].is_training());
    /// ```
    fn eval(&self) {
        self.set_training(false);
    }

    /// Sets the mode of this module (its flag, if it keeps one) and of all
    /// its children; `train()` and `eval()` call it.
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// let model = sequential![Linear::new(2, 2), Dropout::new(0.1)];
    /// model.set_training(false); // model.eval()
    /// assert!(!model[1].is_training());
    /// ```
    fn set_training(&self, training: bool) {
        if let Some(flag) = self.training_flag() {
            flag.set(training);
        }
        for (_, child) in self.children() {
            child.set_training(training);
        }
    }

    /// True in training mode (PyTorch's `model.training`). A module without
    /// a flag of its own reports the mode of its first child (true if it has none).
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// let fc = Linear::new(2, 2);
    /// assert!(fc.is_training());
    /// fc.eval();
    /// assert!(!fc.is_training());
    /// ```
    fn is_training(&self) -> bool {
        match self.training_flag() {
            Some(flag) => flag.get(),
            None => self
                .children()
                .first()
                .is_none_or(|(_, child)| child.is_training()),
        }
    }

    /// The printout of the module, like PyTorch's `print(model)`: one line
    /// per layer, nested modules indented.
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// let model = sequential![Linear::new(784, 128), ReLU::new(), Linear::new(128, 10)];
    /// assert_eq!(
    ///     model.display().to_string(),
    ///     "Sequential(\n  \
    ///        (0): Linear(in_features=784, out_features=128, bias=true)\n  \
    ///        (1): ReLU()\n  \
    ///        (2): Linear(in_features=128, out_features=10, bias=true)\n\
    ///      )"
    /// );
    /// ```
    ///
    /// The crate's layers are also `Display` (and `Debug`, which is what
    /// a notebook cell shows): `println!("{model}")`. For your own network,
    /// `println!("{}", net.display())`.
    fn display(&self) -> ModuleDisplay<'_>
    where
        Self: Sized,
    {
        ModuleDisplay(self)
    }

    /// A table of the layers that hold parameters: the shape of each
    /// parameter, their number per layer, and the total. It prints as text
    /// (`println!("{}", model.summary())`, or as the last line of a notebook cell).
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// let model = sequential![Linear::new(784, 128), ReLU::new(), Linear::new(128, 10)];
    /// println!("{}", model.summary());
    /// // layer  type    parameters                      count
    /// // 0      Linear  weight [128, 784], bias [128]  100480
    /// // 2      Linear  weight [10, 128], bias [10]      1290
    /// // total                                         101770
    /// assert!(model.summary().to_string().ends_with("101770"));
    /// ```
    fn summary(&self) -> Summary
    where
        Self: Sized,
    {
        Summary(summary(self))
    }
}

/// Shows a module like PyTorch's `print(model)`; made by [`Module::display`].
/// `Debug` (what a notebook cell shows) gives the same text.
pub struct ModuleDisplay<'a>(&'a dyn Module);

impl fmt::Display for ModuleDisplay<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_module(self.0, f)
    }
}

impl fmt::Debug for ModuleDisplay<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_module(self.0, f)
    }
}

/// The table made by [`Module::summary`]; `Display` and `Debug` both show it.
#[derive(Clone, PartialEq, Eq)]
pub struct Summary(String);

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Display for dyn Module + '_ {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_module(self, f)
    }
}

impl fmt::Debug for dyn Module + '_ {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_module(self, f)
    }
}

/// PyTorch's `Module.__repr__`: `Name(extra)`, or `Name(` + one indented
/// `(child): …` line per child + `)`.
pub(crate) fn write_module(m: &dyn Module, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    let children = m.children();
    let extra = m.extra_repr();
    if children.is_empty() {
        return write!(f, "{}({extra})", m.name());
    }
    let mut lines: Vec<String> = extra.lines().map(str::to_string).collect();
    for (name, child) in children {
        let text = child.to_string().replace('\n', "\n  ");
        lines.push(format!("({name}): {text}"));
    }
    write!(f, "{}(\n  {}\n)", m.name(), lines.join("\n  "))
}

/// Display and Debug (what a notebook cell shows) of a crate layer: its
/// PyTorch-style printout.
macro_rules! display_as_module {
    ($($t:ty),*) => {$(
        impl std::fmt::Display for $t {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                $crate::nn::module::write_module(self, f)
            }
        }
        impl std::fmt::Debug for $t {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                $crate::nn::module::write_module(self, f)
            }
        }
    )*};
}
pub(crate) use display_as_module;

/// The table of [`Module::summary`].
fn summary(m: &dyn Module) -> String {
    let mut rows = vec![[
        "layer".to_string(),
        "type".to_string(),
        "parameters".to_string(),
        "count".to_string(),
    ]];
    let mut total = 0;
    let mut stack = vec![(String::new(), m)];
    while let Some((path, module)) = stack.pop() {
        let own = module.own_parameters();
        if !own.is_empty() {
            let shapes: Vec<String> = own
                .iter()
                .map(|(name, t)| format!("{name} {:?}", t.shape()))
                .collect();
            let count: usize = own.iter().map(|(_, t)| t.numel()).sum();
            total += count;
            let path = if path.is_empty() {
                "-".into()
            } else {
                path.clone()
            };
            rows.push([path, module.name(), shapes.join(", "), count.to_string()]);
        }
        for (name, child) in module.children().into_iter().rev() {
            let child_path = if path.is_empty() {
                name.to_string()
            } else {
                format!("{path}.{name}")
            };
            stack.push((child_path, child));
        }
    }
    rows.push([
        "total".into(),
        String::new(),
        String::new(),
        total.to_string(),
    ]);
    let width = |c: usize| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0);
    let (w0, w1, w2, w3) = (width(0), width(1), width(2), width(3));
    rows.iter()
        .map(|r| {
            format!("{:<w0$}  {:<w1$}  {:<w2$}  {:>w3$}", r[0], r[1], r[2], r[3])
                .trim_end()
                .to_string()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// A boxed module is a module (so that `Box<dyn Module>` can be stored and
/// passed around, e.g. in a [`Sequential`](crate::nn::Sequential)).
impl<M: Module + ?Sized> Module for Box<M> {
    fn forward(&self, x: &Tensor) -> Tensor {
        (**self).forward(x)
    }
    fn children(&self) -> Vec<(&str, &dyn Module)> {
        (**self).children()
    }
    fn own_parameters(&self) -> Vec<(&str, Tensor)> {
        (**self).own_parameters()
    }
    fn training_flag(&self) -> Option<&Cell<bool>> {
        (**self).training_flag()
    }
    fn name(&self) -> String {
        (**self).name()
    }
    fn extra_repr(&self) -> String {
        (**self).extra_repr()
    }
    fn named_parameters(&self) -> Vec<(String, Tensor)> {
        (**self).named_parameters()
    }
    fn parameters(&self) -> Vec<Tensor> {
        (**self).parameters()
    }
    fn set_training(&self, training: bool) {
        (**self).set_training(training)
    }
    fn is_training(&self) -> bool {
        (**self).is_training()
    }
}
