//! LeNet-5 on MNIST (course chapter 10), written the way a student writes it:
//! a struct of layers implementing `Module` (the course's "forme standard"),
//! a `DataLoader`, Adam, and a progress line per epoch.
//!
//! Run with `cargo run --release --example lenet` after `make data`. It exits
//! with an error if the test accuracy stays below 98.5 %.

use std::process::ExitCode;
use std::time::Instant;

use apprentissage::prelude::*;

const EPOCHS: usize = 4;

struct LeNet5 {
    conv1: Conv2d,
    conv2: Conv2d,
    fc1: Linear,
    fc2: Linear,
    fc3: Linear,
}

impl LeNet5 {
    fn new() -> LeNet5 {
        LeNet5 {
            conv1: Conv2d::new(1, 6, 5).padding(2), // (N,1,28,28) → (N,6,28,28)
            conv2: Conv2d::new(6, 16, 5),           // (N,6,14,14) → (N,16,10,10)
            fc1: Linear::new(16 * 5 * 5, 120),
            fc2: Linear::new(120, 84),
            fc3: Linear::new(84, 10),
        }
    }
}

impl Module for LeNet5 {
    fn forward(&self, x: &Tensor) -> Tensor {
        let x = self.conv1.forward(x).relu().max_pool2d(2);
        let x = self.conv2.forward(&x).relu().max_pool2d(2);
        let x = self.fc1.forward(&x.flatten_from(1)).relu();
        let x = self.fc2.forward(&x).relu();
        self.fc3.forward(&x)
    }

    fn children(&self) -> Vec<(&str, &dyn Module)> {
        vec![
            ("conv1", &self.conv1),
            ("conv2", &self.conv2),
            ("fc1", &self.fc1),
            ("fc2", &self.fc2),
            ("fc3", &self.fc3),
        ]
    }
}

/// Share of the test images whose predicted class is right.
fn test_accuracy(model: &LeNet5, test: &DataLoader<ImageDataset>) -> f32 {
    model.eval();
    let (mut correct, mut seen) = (0.0, 0);
    no_grad(|| {
        for (images, labels) in test.iter() {
            correct += model.forward(&images).argmax(1).eq(&labels).sum().item();
            seen += labels.numel();
        }
    });
    model.train();
    correct / seen as f32
}

fn main() -> ExitCode {
    let normalise = || compose![ToTensor, Normalize::new(MNIST_MEAN, MNIST_STD)];
    let load = |split| Mnist::load("data/mnist", split).map(|d| d.transform(normalise()));
    let (train, test) = match (load(Split::Train), load(Split::Test)) {
        (Ok(train), Ok(test)) => (train, test),
        (Err(e), _) | (_, Err(e)) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    manual_seed(0);
    let model = LeNet5::new();
    println!("{}", model.display());
    println!("{} parameters", model.num_parameters());
    let train_loader = DataLoader::new(&train, 64).shuffle(true);
    let test_loader = DataLoader::new(&test, 1000);
    let mut optimizer = Adam::new(model.parameters()).lr(1e-3);

    let mut accuracy = 0.0;
    for epoch in 1..=EPOCHS {
        let start = Instant::now();
        let (mut total_loss, mut batches) = (0.0, 0);
        for (images, labels) in train_loader.iter() {
            optimizer.zero_grad();
            let loss = F::cross_entropy(&model.forward(&images), &labels);
            loss.backward();
            optimizer.step();
            total_loss += loss.item();
            batches += 1;
        }
        let seconds = start.elapsed().as_secs_f64();
        accuracy = test_accuracy(&model, &test_loader);
        println!(
            "epoch {epoch}/{EPOCHS}  loss {:.4}  test accuracy {:.2} %  ({seconds:.1} s, {:.0} images/s)",
            total_loss / batches as f32,
            100.0 * accuracy,
            train.len() as f64 / seconds
        );
    }
    if accuracy < 0.985 {
        eprintln!(
            "error: test accuracy {:.2} % is below 98.5 %",
            100.0 * accuracy
        );
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
