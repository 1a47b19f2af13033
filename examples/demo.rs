//! The main job until the notebooks exist: train a 784-128-10 network on
//! MNIST for one epoch with the bare engine (tensors, autograd, a hand-written
//! SGD step) and print its test accuracy.
//!
//! Run with `cargo run --release --example demo` after `make data`.

use std::process::ExitCode;
use std::time::Instant;

use apprentissage::prelude::*;

const DATA_DIR: &str = "data/mnist";

/// A linear layer's weight and bias, initialised U(−1/√in, 1/√in) like PyTorch.
fn layer(inputs: usize, outputs: usize) -> (Tensor, Tensor) {
    let bound = 1.0 / (inputs as f32).sqrt();
    let w = (Tensor::rand(&[inputs, outputs]) * (2.0 * bound) - bound).requires_grad_();
    let b = (Tensor::rand(&[outputs]) * (2.0 * bound) - bound).requires_grad_();
    (w, b)
}

fn main() -> ExitCode {
    let load = |split| Mnist::load(DATA_DIR, split).map(|ds| ds.transform(ToTensor));
    let (train_set, test_set) = match (load(Split::Train), load(Split::Test)) {
        (Ok(train), Ok(test)) => (train, test),
        (Err(e), _) | (_, Err(e)) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    println!(
        "MNIST: {} training images, {} test images",
        train_set.len(),
        test_set.len()
    );

    manual_seed(0);
    let (w1, b1) = layer(784, 128);
    let (w2, b2) = layer(128, 10);
    let params = [&w1, &b1, &w2, &b2];
    let forward = |x: &Tensor| (x.matmul(&w1) + &b1).relu().matmul(&w2) + &b2;

    let (batch, lr) = (64, 0.1);
    let loader = DataLoader::new(&train_set, batch);
    let start = Instant::now();
    for (step, (images, labels)) in loader.iter().enumerate() {
        let x = images.view(&[-1, 784]);
        let loss = F::cross_entropy(&forward(&x), &labels);
        params.iter().for_each(|p| p.zero_grad());
        loss.backward();
        no_grad(|| {
            for p in params {
                p.sub_(&(p.grad().expect("backward reached every parameter") * lr));
            }
        });
        if step % 200 == 0 {
            println!("step {step:4}  loss {:.4}", loss.item());
        }
    }
    let seconds = start.elapsed().as_secs_f64();
    println!(
        "one epoch in {seconds:.2} s ({:.0} images/s)",
        train_set.len() as f64 / seconds
    );

    let accuracy = no_grad(|| {
        let (images, labels) = full_batch(&test_set);
        forward(&images.view(&[-1, 784]))
            .argmax(1)
            .eq(&labels)
            .mean()
            .item()
    });
    println!("test accuracy after one epoch: {:.2} %", 100.0 * accuracy);
    if accuracy < 0.9 {
        eprintln!("error: accuracy below 90 %, something is wrong with training");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
