//! Times the convolution layer as `../shared/bench/torch_baseline.py` does:
//! `Conv2d(3→32, 5×5)` on a (100, 3, 32, 32) batch, forward under `no_grad`,
//! forward + backward (gradients of the weight, the bias and the input, the
//! upstream gradient being ones), and forward + backward without the input's
//! gradient; median and minimum of 20 runs after 3 warm-up runs. Then the two
//! convolutions of LeNet-5 on a batch of 64.
//!
//! `cargo run --release --example conv_timing`

use std::time::Instant;

use apprentissage::prelude::*;

/// (median, min) in milliseconds of `runs` calls of `f`, after `warmup` calls.
fn time(mut f: impl FnMut(), warmup: usize, runs: usize) -> (f64, f64) {
    for _ in 0..warmup {
        f();
    }
    let mut ms: Vec<f64> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    ms.sort_by(|a, b| a.total_cmp(b));
    (ms[runs / 2], ms[0])
}

fn report(label: &str, conv: &Conv2d, x_shape: &[usize]) {
    // OpenBLAS's threads spin for ~0.1 s after the program starts and after
    // each product they share: let them fall asleep (src/ops/conv/parallel.rs)
    std::thread::sleep(std::time::Duration::from_millis(300));
    let x = Tensor::randn(x_shape).requires_grad_();
    let x_nograd = x.detach();
    // the upstream gradient, as in the PyTorch script: y.backward(ones)
    let ones = no_grad(|| Tensor::ones(&conv.forward(&x).shape()));
    let forward = time(|| drop(no_grad(|| conv.forward(&x))), 3, 20);
    let forward_backward = time(
        || {
            conv.zero_grad();
            x.zero_grad();
            conv.forward(&x).backward_with(&ones);
        },
        3,
        20,
    );
    let weight_only = time(
        || {
            conv.zero_grad();
            conv.forward(&x_nograd).backward_with(&ones);
        },
        3,
        20,
    );
    println!("{label}: {conv}");
    for (what, (median, min)) in [
        ("forward", forward),
        ("forward+backward", forward_backward),
        ("  same, no input grad", weight_only),
    ] {
        println!("  {what:<22} median {median:6.2} ms   min {min:6.2} ms");
    }
}

fn main() {
    // Like the PyTorch script: one 28 MiB block allocated and freed raises
    // glibc's mmap threshold, so that the 10 MB tensors of each call come from
    // the heap instead of fresh, page-faulting mmaps (the state a training
    // run reaches anyway).
    drop(std::hint::black_box(vec![1u8; 28 << 20]));
    manual_seed(0);
    report(
        "benchmark layer, (100, 3, 32, 32)",
        &Conv2d::new(3, 32, 5),
        &[100, 3, 32, 32],
    );
    report(
        "LeNet-5 conv1, (64, 1, 28, 28)",
        &Conv2d::new(1, 6, 5).padding(2),
        &[64, 1, 28, 28],
    );
    report(
        "LeNet-5 conv2, (64, 6, 14, 14)",
        &Conv2d::new(6, 16, 5),
        &[64, 6, 14, 14],
    );
}
