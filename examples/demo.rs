//! The main job until the notebooks exist: train a 784-128-10 network on
//! MNIST for one epoch with the bare engine (tensors, autograd, a hand-written
//! SGD step) and print its test accuracy.
//!
//! Run with `cargo run --release --example demo` after `make data`.

use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use apprentissage::prelude::*;

const DATA_DIR: &str = "data/mnist";
const FILES: [&str; 4] = [
    "train-images-idx3-ubyte",
    "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte",
];

/// Images as an (n, 784) tensor in [0, 1] and labels as whole numbers.
fn to_tensors(images: &[u8], labels: &[u8]) -> (Tensor, Vec<usize>) {
    let n = labels.len();
    let x = images.iter().map(|&p| p as f32 / 255.0).collect();
    let x = Tensor::from_vec(x, &[n, 784]);
    (x, labels.iter().map(|&l| l as usize).collect())
}

/// A linear layer's weight and bias, initialised U(−1/√in, 1/√in) like PyTorch.
fn layer(inputs: usize, outputs: usize) -> (Tensor, Tensor) {
    let bound = 1.0 / (inputs as f32).sqrt();
    let w = (Tensor::rand(&[inputs, outputs]) * (2.0 * bound) - bound).requires_grad_();
    let b = (Tensor::rand(&[outputs]) * (2.0 * bound) - bound).requires_grad_();
    (w, b)
}

fn main() -> ExitCode {
    let dir = Path::new(DATA_DIR);
    if let Some(missing) = FILES.iter().find(|f| !dir.join(f).is_file()) {
        eprintln!(
            "error: {} is missing; run `make data` first",
            dir.join(missing).display()
        );
        return ExitCode::FAILURE;
    }
    let mnist = mnist::MnistBuilder::new()
        .base_path(DATA_DIR)
        .label_format_digit()
        .training_set_length(60_000)
        .test_set_length(10_000)
        .finalize();
    let (x_train, y_train) = to_tensors(&mnist.trn_img, &mnist.trn_lbl);
    let (x_test, y_test) = to_tensors(&mnist.tst_img, &mnist.tst_lbl);
    println!(
        "MNIST: {} training images, {} test images",
        y_train.len(),
        y_test.len()
    );

    manual_seed(0);
    let (w1, b1) = layer(784, 128);
    let (w2, b2) = layer(128, 10);
    let params = [&w1, &b1, &w2, &b2];
    let forward = |x: &Tensor| (x.matmul(&w1) + &b1).relu().matmul(&w2) + &b2;

    let (batch, lr) = (64, 0.1);
    let start = Instant::now();
    let n = y_train.len();
    for (step, first) in (0..n).step_by(batch).enumerate() {
        let last = (first + batch).min(n);
        let x = x_train.slice(s![first..last, ..]);
        let loss = F::cross_entropy(&forward(&x), &y_train[first..last]);
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
        n as f64 / seconds
    );

    let accuracy = no_grad(|| {
        let predicted = forward(&x_test).argmax(1);
        predicted
            .eq(&Tensor::from_vec(
                y_test.iter().map(|&y| y as f32).collect(),
                &[y_test.len()],
            ))
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
