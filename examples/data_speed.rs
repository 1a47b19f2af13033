//! How fast batches are built: MNIST loading, one 64-image batch, and one
//! epoch of iteration without training (in order and shuffled), with
//! `ToTensor` + `Normalize`.
//!
//! Run with `cargo run --release --example data_speed` after `make data`.

use std::process::ExitCode;
use std::time::Instant;

use apprentissage::prelude::*;

fn main() -> ExitCode {
    let start = Instant::now();
    let train_set = match Mnist::load("data/mnist", Split::Train) {
        Ok(ds) => ds,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    println!(
        "load MNIST train (60 000 images, IDX)  {:8.1} ms",
        1e3 * start.elapsed().as_secs_f64()
    );
    let train_set = train_set.transform(compose![ToTensor, Normalize::new(MNIST_MEAN, MNIST_STD)]);

    let loader = DataLoader::new(&train_set, 64);
    let mut batches = loader.iter();
    let _ = batches.next(); // warm-up
    let start = Instant::now();
    let k = 200;
    for _ in 0..k {
        std::hint::black_box(batches.next());
    }
    println!(
        "one batch of 64 (1×28×28)             {:8.1} µs",
        1e6 * start.elapsed().as_secs_f64() / k as f64
    );

    for shuffle in [false, true] {
        let loader = DataLoader::new(&train_set, 64).shuffle(shuffle);
        let start = Instant::now();
        let mut n = 0;
        for (images, labels) in &loader {
            n += std::hint::black_box(images).shape()[0];
            std::hint::black_box(labels);
        }
        println!(
            "one epoch, {} ({n} images)      {:8.1} ms",
            if shuffle { "shuffled" } else { "in order" },
            1e3 * start.elapsed().as_secs_f64()
        );
    }

    let start = Instant::now();
    let (mean, std) = mean_std(&train_set.clone().transform(ToTensor));
    println!(
        "mean_std over the training set         {:8.1} ms  (mean {:.4}, std {:.4})",
        1e3 * start.elapsed().as_secs_f64(),
        mean[0],
        std[0]
    );
    ExitCode::SUCCESS
}
