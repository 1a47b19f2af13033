//! Layers and networks (PyTorch's `torch.nn`): the [`Module`] trait, the
//! layers of the course, and [`Sequential`].
//!
//! | PyTorch | apprentissage | course |
//! |---|---|---|
//! | `nn.Linear(784, 128)` | [`Linear::new(784, 128)`](Linear::new) | 5.1 |
//! | `nn.Linear(2, 3)` then `layer.weight.data = w`, `layer.bias.data = b` | [`Linear::from_weights(w, Some(b))`](Linear::from_weights) | |
//! | `nn.Conv2d(3, 32, 5, stride=1, padding=2)` | [`Conv2d::new(3, 32, 5).stride(1).padding(2)`](Conv2d) | 10.1.3 |
//! | `nn.Conv2d(…)` then `conv.weight.data = w`, `conv.bias.data = b` | [`Conv2d::from_weights(w, Some(b))`](Conv2d::from_weights) | |
//! | `nn.MaxPool2d(2)`, `nn.AvgPool2d(2)` (stride = kernel) | [`MaxPool2d::new(2)`](MaxPool2d), [`AvgPool2d::new(2)`](AvgPool2d) (`.stride(1)` for `stride=1`) | 10.1.5 |
//! | `nn.Dropout(0.5)` | [`Dropout::new(0.5)`](Dropout) | 10.1.6 |
//! | `nn.Flatten()` | [`Flatten::new()`](Flatten) | 10.1.7 |
//! | `nn.ReLU()`, `nn.LeakyReLU()`, `nn.Sigmoid()`, `nn.Tanh()`, `nn.Softmax(1)`, `nn.LogSoftmax(1)` | [`ReLU::new()`](ReLU), [`LeakyReLU::new()`](LeakyReLU) (`.negative_slope(0.2)` for `nn.LeakyReLU(0.2)`), … | |
//! | `nn.CrossEntropyLoss()`, `criterion(scores, labels)` | [`CrossEntropyLoss::new()`](CrossEntropyLoss), `criterion.forward(&scores, &labels)` | 9.5.2 |
//! | `nn.Sequential(a, b, c)` | [`sequential![a, b, c]`](crate::sequential) | 7.4 |
//! | `model(x)`, `model.parameters()`, `model.train()`, `model.eval()`, `print(model)` | `model.forward(&x)`, `model.parameters()`, `model.train()`, `model.eval()`, `println!("{model}")` | |
//!
//! # The "forme standard" (course 7.4)
//!
//! A network is a plain struct holding its layers. It implements [`Module`]:
//! `forward` says how the layers are chained (activations and pooling can be
//! called as tensor methods there, like `F.relu` in PyTorch), `children`
//! lists the layers, and everything else — `parameters()` for the optimizer,
//! `train()`/`eval()`, `zero_grad()`, the count of parameters, the printout —
//! comes with it. Here LeNet-5 (course 10.2), trained a few steps on random
//! images:
//!
//! ```
//! use apprentissage::prelude::*;
//!
//! struct Net {
//!     conv1: Conv2d,
//!     conv2: Conv2d,
//!     fc1: Linear,
//!     fc2: Linear,
//!     fc3: Linear,
//! }
//!
//! impl Net {
//!     fn new() -> Net {
//!         Net {
//!             conv1: Conv2d::new(1, 6, 5).padding(2), // (N, 1, 28, 28) → (N, 6, 28, 28)
//!             conv2: Conv2d::new(6, 16, 5),           // (N, 6, 14, 14) → (N, 16, 10, 10)
//!             fc1: Linear::new(16 * 5 * 5, 120),
//!             fc2: Linear::new(120, 84),
//!             fc3: Linear::new(84, 10),
//!         }
//!     }
//! }
//!
//! impl Module for Net {
//!     fn forward(&self, x: &Tensor) -> Tensor {
//!         let x = self.conv1.forward(x).relu().max_pool2d(2);  // (N, 6, 14, 14)
//!         let x = self.conv2.forward(&x).relu().max_pool2d(2); // (N, 16, 5, 5)
//!         let x = x.flatten_from(1);                           // (N, 400)
//!         let x = self.fc1.forward(&x).relu();
//!         let x = self.fc2.forward(&x).relu();
//!         self.fc3.forward(&x)                                 // (N, 10) scores
//!     }
//!
//!     fn children(&self) -> Vec<(&str, &dyn Module)> {
//!         vec![
//!             ("conv1", &self.conv1),
//!             ("conv2", &self.conv2),
//!             ("fc1", &self.fc1),
//!             ("fc2", &self.fc2),
//!             ("fc3", &self.fc3),
//!         ]
//!     }
//! }
//!
//! manual_seed(0);
//! let model = Net::new();
//! assert_eq!(model.num_parameters(), 61_706);
//! println!("{}", model.display());
//! // Net(
//! //   (conv1): Conv2d(1, 6, kernel_size=(5, 5), stride=(1, 1), padding=(2, 2))
//! //   (conv2): Conv2d(6, 16, kernel_size=(5, 5), stride=(1, 1))
//! //   (fc1): Linear(in_features=400, out_features=120, bias=true)
//! //   (fc2): Linear(in_features=120, out_features=84, bias=true)
//! //   (fc3): Linear(in_features=84, out_features=10, bias=true)
//! // )
//!
//! let images = Tensor::rand(&[16, 1, 28, 28]);
//! let labels: Vec<usize> = (0..16).map(|i| i % 10).collect();
//! let mut optim = Sgd::new(model.parameters()).lr(0.1);
//! let mut losses = Vec::new();
//! for _ in 0..20 {
//!     optim.zero_grad();                                    // remet à zéro le gradient
//!     let predictions = model.forward(&images);             // passe forward
//!     let loss = F::cross_entropy(&predictions, &labels);
//!     loss.backward();                                      // rétropropagation
//!     optim.step();                                         // descente
//!     losses.push(loss.item());
//! }
//! assert!(losses[19] < losses[0]);
//! ```
//!
//! A network that holds tensors of its own, besides its layers, lists them in
//! [`Module::own_parameters`]; one with a train/eval behaviour of its own keeps a
//! `Cell<bool>` and returns it from [`Module::training_flag`].
//! `model.display()` prints any module; the crate's layers are also
//! `Display`, and their `Debug` (what a notebook cell shows) is the same text.

mod activation;
mod conv;
mod dropout;
mod flatten;
pub mod init;
mod linear;
mod loss;
pub(crate) mod module;
mod pool;
mod sequential;

pub use activation::{LeakyReLU, LogSoftmax, ReLU, Sigmoid, Softmax, Tanh};
pub use conv::Conv2d;
pub use dropout::Dropout;
pub use flatten::Flatten;
pub use linear::Linear;
pub use loss::CrossEntropyLoss;
pub use module::{Module, ModuleDisplay, Summary};
pub use pool::{AvgPool2d, MaxPool2d};
pub use sequential::Sequential;

/// The [`sequential!`](crate::sequential) macro, also reachable as `nn::sequential!`.
pub use crate::sequential;

#[cfg(test)]
mod tests {
    use std::sync::MutexGuard;

    use crate::prelude::*;
    use crate::random::SEED_LOCK;

    /// Creating layers draws from the shared generator: tests that do hold the lock.
    fn seeded() -> MutexGuard<'static, ()> {
        let lock = SEED_LOCK.lock().unwrap_or_else(|e| e.into_inner());
        manual_seed(0);
        lock
    }

    fn lenet5() -> Sequential {
        sequential![
            Conv2d::new(1, 6, 5).padding(2),
            ReLU::new(),
            MaxPool2d::new(2),
            Conv2d::new(6, 16, 5),
            ReLU::new(),
            MaxPool2d::new(2),
            Flatten::new(),
            Linear::new(400, 120),
            ReLU::new(),
            Linear::new(120, 84),
            ReLU::new(),
            Linear::new(84, 10),
        ]
    }

    /// A user-defined network with a dropout inside a nested Sequential.
    struct Net {
        features: Sequential,
        classifier: Linear,
    }

    impl Module for Net {
        fn forward(&self, x: &Tensor) -> Tensor {
            self.classifier.forward(&self.features.forward(x))
        }
        fn children(&self) -> Vec<(&str, &dyn Module)> {
            vec![
                ("features", &self.features),
                ("classifier", &self.classifier),
            ]
        }
    }

    fn net() -> Net {
        Net {
            features: sequential![Linear::new(4, 8), ReLU::new(), Dropout::new(0.5)],
            classifier: Linear::new(8, 3),
        }
    }

    #[test]
    fn parameter_counts_of_the_course_networks() {
        let _lock = seeded();
        let mlp = sequential![Linear::new(784, 128), ReLU::new(), Linear::new(128, 10)];
        assert_eq!(mlp.num_parameters(), 101_770);
        let lenet = lenet5();
        assert_eq!(lenet.num_parameters(), 61_706);
        assert_eq!(lenet.parameters().len(), 10);
        assert_eq!(
            lenet.forward(&Tensor::zeros(&[2, 1, 28, 28])).shape(),
            vec![2, 10]
        );
        assert_eq!(Conv2d::new(3, 32, 5).num_parameters(), 2432);
    }

    #[test]
    fn sequential_display_is_pytorchs() {
        let _lock = seeded();
        let mlp = sequential![Linear::new(784, 128), ReLU::new(), Linear::new(128, 10)];
        assert_eq!(
            mlp.to_string(),
            "Sequential(\n\
             \x20 (0): Linear(in_features=784, out_features=128, bias=true)\n\
             \x20 (1): ReLU()\n\
             \x20 (2): Linear(in_features=128, out_features=10, bias=true)\n\
             )"
        );
        assert_eq!(format!("{mlp:?}"), mlp.to_string());
        assert_eq!(
            lenet5().to_string(),
            "Sequential(\n\
             \x20 (0): Conv2d(1, 6, kernel_size=(5, 5), stride=(1, 1), padding=(2, 2))\n\
             \x20 (1): ReLU()\n\
             \x20 (2): MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=false)\n\
             \x20 (3): Conv2d(6, 16, kernel_size=(5, 5), stride=(1, 1))\n\
             \x20 (4): ReLU()\n\
             \x20 (5): MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=false)\n\
             \x20 (6): Flatten(start_dim=1, end_dim=-1)\n\
             \x20 (7): Linear(in_features=400, out_features=120, bias=true)\n\
             \x20 (8): ReLU()\n\
             \x20 (9): Linear(in_features=120, out_features=84, bias=true)\n\
             \x20 (10): ReLU()\n\
             \x20 (11): Linear(in_features=84, out_features=10, bias=true)\n\
             )"
        );
    }

    #[test]
    fn a_user_struct_displays_its_nested_children_indented() {
        let _lock = seeded();
        assert_eq!(
            net().display().to_string(),
            "Net(\n\
             \x20 (features): Sequential(\n\
             \x20   (0): Linear(in_features=4, out_features=8, bias=true)\n\
             \x20   (1): ReLU()\n\
             \x20   (2): Dropout(p=0.5, inplace=false)\n\
             \x20 )\n\
             \x20 (classifier): Linear(in_features=8, out_features=3, bias=true)\n\
             )"
        );
        assert_eq!(Sequential::new().to_string(), "Sequential()");
    }

    #[test]
    fn named_parameters_and_summary_of_a_user_struct() {
        let _lock = seeded();
        let model = net();
        let names: Vec<String> = model
            .named_parameters()
            .into_iter()
            .map(|(n, _)| n)
            .collect();
        assert_eq!(
            names,
            vec![
                "features.0.weight",
                "features.0.bias",
                "classifier.weight",
                "classifier.bias"
            ]
        );
        assert_eq!(
            model.summary().to_string(),
            "layer       type    parameters               count\n\
             features.0  Linear  weight [8, 4], bias [8]     40\n\
             classifier  Linear  weight [3, 8], bias [3]     27\n\
             total                                           67"
        );
    }

    #[test]
    fn train_and_eval_reach_every_layer_of_sequential_and_user_structs() {
        let _lock = seeded();
        let model = net();
        let all_modes = |m: &Net| {
            let mut modes = vec![m.is_training(), m.features.is_training()];
            modes.extend((0..3).map(|i| m.features[i].is_training()));
            modes.push(m.classifier.is_training());
            modes
        };
        assert_eq!(all_modes(&model), vec![true; 6]);
        model.eval();
        assert_eq!(all_modes(&model), vec![false; 6]);
        // in eval mode the dropout is the identity: two passes agree
        let x = Tensor::ones(&[5, 4]);
        assert_eq!(model.forward(&x).to_vec(), model.forward(&x).to_vec());
        model.train();
        assert_eq!(all_modes(&model), vec![true; 6]);
        // in training mode it drops: wide enough that two masks differ
        let wide = sequential![Dropout::new(0.5)];
        let y = Tensor::ones(&[1000]);
        assert_ne!(wide.forward(&y).to_vec(), wide.forward(&y).to_vec());
        wide.eval();
        assert_eq!(wide.forward(&y).to_vec(), y.to_vec());
    }

    #[test]
    fn parameters_are_handles_an_optimizer_updates_and_zero_grad_clears() {
        let _lock = seeded();
        let model = sequential![Linear::new(3, 2), Tanh::new(), Linear::new(2, 1)];
        let before = model.parameters()[0].to_vec();
        let mut optim = Sgd::new(model.parameters()).lr(0.5);
        let loss = model.forward(&Tensor::ones(&[4, 3])).pow(2.0).mean();
        loss.backward();
        assert!(model.parameters().iter().all(|p| p.grad().is_some()));
        optim.step();
        assert_ne!(model.parameters()[0].to_vec(), before);
        model.zero_grad();
        assert!(model.parameters().iter().all(|p| p.grad().is_none()));
    }

    #[test]
    fn tied_parameters_are_listed_once() {
        let _lock = seeded();
        let a = Linear::new(2, 2);
        let b = Linear::from_weights(a.weight.clone(), None);
        let tied = sequential![a, b];
        assert_eq!(tied.parameters().len(), 2); // the shared weight and a's bias
        assert_eq!(tied.num_parameters(), 6);
    }

    #[test]
    fn boxed_layers_and_activation_modules() {
        let _lock = seeded();
        let layers: Vec<Box<dyn Module>> = vec![
            Box::new(Linear::new(2, 2)),
            Box::new(Sigmoid::new()),
            Box::new(LeakyReLU::default()),
            Box::new(LogSoftmax::new(-1)),
        ];
        let model = Sequential::from(layers);
        let out = model.forward(&tensor!([[1., -1.]]));
        assert!((out.exp().sum().item() - 1.0).abs() < 1e-6);
        let boxed: Box<dyn Module> = Box::new(model);
        assert_eq!(boxed.num_parameters(), 6);
        assert_eq!(boxed.name(), "Sequential");
        assert_eq!(boxed.children()[3].1.to_string(), "LogSoftmax(dim=-1)");
    }
}
