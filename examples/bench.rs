//! `make bench`: the performance table of issue "layers, optimizers, data",
//! measured in one run, one row per item. The same five items as
//! `../shared/bench/torch_baseline.py`, set up the same way (MNIST preloaded
//! as normalised f32 tensors, batches of 64 by seeded permutation), so the two
//! can be compared side by side.
//!
//! Run with `cargo run --release --example bench` (needs `make data`). With
//! `--json FILE` the numbers are also written as JSON.

use std::process::ExitCode;
use std::time::Instant;

use apprentissage::data::full_batch;
use apprentissage::datasets::{Mnist, Split};
use apprentissage::ops::conv::conv2d;
use apprentissage::ops::linear::linear;
use apprentissage::ops::pool::max_pool2d;
use apprentissage::prelude::*;
use apprentissage::random::{normal, uniform, with_rng};
use ndarray_rand::rand::seq::SliceRandom;

const BATCH: usize = 64;

/// One row of the table.
struct Row {
    label: &'static str,
    value: String,
    json: String,
}

extern "C" {
    /// OpenBLAS's CBLAS entry point, called directly for the reference row.
    fn cblas_sgemm(
        layout: i32,
        trans_a: i32,
        trans_b: i32,
        m: i32,
        n: i32,
        k: i32,
        alpha: f32,
        a: *const f32,
        lda: i32,
        b: *const f32,
        ldb: i32,
        beta: f32,
        c: *mut f32,
        ldc: i32,
    );
}

/// Runs `f` repeatedly for at least `min_s` seconds (and 5 times); returns runs/s.
fn rate(min_s: f64, mut f: impl FnMut()) -> f64 {
    for _ in 0..3 {
        f();
    }
    let (mut reps, start) = (0, Instant::now());
    while reps < 5 || start.elapsed().as_secs_f64() < min_s {
        f();
        reps += 1;
    }
    reps as f64 / start.elapsed().as_secs_f64()
}

fn median_ms(runs: usize, mut f: impl FnMut()) -> f64 {
    for _ in 0..3 {
        f();
    }
    let mut times: Vec<f64> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    times.sort_by(f64::total_cmp);
    times[runs / 2]
}

fn gemm() -> Row {
    let n = 1024;
    let flop = 2.0 * (n as f64).powi(3);
    let a = Tensor::randn(&[n, n]);
    let b = Tensor::randn(&[n, n]);
    let crate_gflops = rate(1.0, || drop(a.matmul(&b))) * flop / 1e9;
    let (ad, bd) = (a.to_array(), b.to_array());
    let mut c = vec![0f32; n * n];
    let direct_gflops = rate(1.0, || unsafe {
        // row-major (101), no transposes (111)
        let n = n as i32;
        cblas_sgemm(
            101,
            111,
            111,
            n,
            n,
            n,
            1.0,
            ad.as_ptr(),
            n,
            bd.as_ptr(),
            n,
            0.0,
            c.as_mut_ptr(),
            n,
        );
    }) * flop
        / 1e9;
    Row {
        label: "5. sgemm 1024, GFLOP/s (crate matmul / OpenBLAS direct)",
        value: format!("{crate_gflops:.0} / {direct_gflops:.0}"),
        json: format!(
            r#""gemm": {{"crate_gflops": {crate_gflops:.1}, "openblas_gflops": {direct_gflops:.1}}}"#
        ),
    }
}

/// MNIST as (N, 1, 28, 28) tensors normalised with 0.1307 / 0.3081, and labels.
struct Mnist4 {
    train: (Tensor, Tensor),
    test: (Tensor, Tensor),
}

fn load_mnist() -> Result<Mnist4, String> {
    let load = |split| -> Result<(Tensor, Tensor), String> {
        let ds = Mnist::load("data/mnist", split).map_err(|e| e.to_string())?;
        let (x, y) = full_batch(&ds.transform(compose![ToTensor, Normalize::new(0.1307, 0.3081)]));
        Ok((x, y))
    };
    Ok(Mnist4 {
        train: load(Split::Train)?,
        test: load(Split::Test)?,
    })
}

/// A linear layer's parameters, initialised like PyTorch's `nn.Linear`.
fn linear_params(inputs: usize, outputs: usize) -> Vec<Tensor> {
    let k = 1.0 / (inputs as f32).sqrt();
    vec![
        Tensor::from_array(uniform(&[outputs, inputs], -k, k)).requires_grad_(),
        Tensor::from_array(uniform(&[outputs], -k, k)).requires_grad_(),
    ]
}

/// A convolution's parameters, initialised like PyTorch's `nn.Conv2d`.
fn conv_params(inputs: usize, outputs: usize, kernel: usize) -> Vec<Tensor> {
    let k = 1.0 / ((inputs * kernel * kernel) as f32).sqrt();
    vec![
        Tensor::from_array(uniform(&[outputs, inputs, kernel, kernel], -k, k)).requires_grad_(),
        Tensor::from_array(uniform(&[outputs], -k, k)).requires_grad_(),
    ]
}

/// One epoch of minibatch training; returns (seconds, last loss).
fn train_epoch(
    x: &Tensor,
    y: &Tensor,
    forward: &dyn Fn(&Tensor) -> Tensor,
    optimizer: &mut dyn Optimizer,
) -> (f64, f32) {
    let n = y.numel();
    let mut perm: Vec<usize> = (0..n).collect();
    with_rng(|rng| perm.shuffle(rng));
    let labels = y.to_vec();
    let start = Instant::now();
    let mut loss = 0.0;
    for chunk in perm.chunks(BATCH) {
        let xb = x.index_select(0, chunk);
        let yb: Vec<usize> = chunk.iter().map(|&i| labels[i] as usize).collect();
        optimizer.zero_grad();
        let l = F::cross_entropy(&forward(&xb), &yb);
        l.backward();
        optimizer.step();
        loss = l.item();
    }
    (start.elapsed().as_secs_f64(), loss)
}

fn accuracy(x: &Tensor, y: &Tensor, forward: &dyn Fn(&Tensor) -> Tensor) -> f32 {
    no_grad(|| forward(x).argmax(1).eq(y).mean().item())
}

fn mlp(data: &Mnist4) -> Row {
    manual_seed(0);
    let p = [linear_params(784, 128), linear_params(128, 10)].concat();
    let forward = |x: &Tensor| {
        let h = linear(&x.flatten_from(1), &p[0], Some(&p[1])).relu();
        linear(&h, &p[2], Some(&p[3]))
    };
    let mut sgd = Sgd::new(p.clone()).lr(0.05).momentum(0.9);
    let (s, _) = train_epoch(&data.train.0, &data.train.1, &forward, &mut sgd);
    let acc = accuracy(&data.test.0, &data.test.1, &forward);
    let n = data.train.1.numel() as f64;
    Row {
        label: "1. MNIST MLP 784-128-10, SGD, 1 epoch: s, images/s, test acc",
        value: format!("{s:.3} s, {:.0}/s, {:.2} %", n / s, 100.0 * acc),
        json: format!(
            r#""mlp": {{"epoch_s": {s:.4}, "images_per_s": {:.0}, "test_acc": {acc:.4}}}"#,
            n / s
        ),
    }
}

fn lenet(data: &Mnist4) -> Row {
    manual_seed(0);
    let p = [
        conv_params(1, 6, 5),
        conv_params(6, 16, 5),
        linear_params(400, 120),
        linear_params(120, 84),
        linear_params(84, 10),
    ]
    .concat();
    let forward = |x: &Tensor| {
        let x = max_pool2d(&conv2d(x, &p[0], Some(&p[1]), 1, 2).relu(), 2, 2, 0);
        let x = max_pool2d(&conv2d(&x, &p[2], Some(&p[3]), 1, 0).relu(), 2, 2, 0);
        let x = linear(&x.flatten_from(1), &p[4], Some(&p[5])).relu();
        let x = linear(&x, &p[6], Some(&p[7])).relu();
        linear(&x, &p[8], Some(&p[9]))
    };
    let mut adam = Adam::new(p.clone()).lr(1e-3);
    let (s, _) = train_epoch(&data.train.0, &data.train.1, &forward, &mut adam);
    let acc = accuracy(&data.test.0, &data.test.1, &forward);
    let n = data.train.1.numel() as f64;
    Row {
        label: "2. MNIST LeNet-5, Adam, 1 epoch: s, images/s, test acc",
        value: format!("{s:.3} s, {:.0}/s, {:.2} %", n / s, 100.0 * acc),
        json: format!(
            r#""lenet": {{"epoch_s": {s:.4}, "images_per_s": {:.0}, "test_acc": {acc:.4}}}"#,
            n / s
        ),
    }
}

fn conv() -> Row {
    manual_seed(0);
    let p = conv_params(3, 32, 5);
    let x = Tensor::from_array(normal(&[100, 3, 32, 32], 0.0, 1.0)).requires_grad_();
    let g = Tensor::ones(&[100, 32, 28, 28]);
    let fwd = median_ms(20, || {
        no_grad(|| drop(conv2d(&x, &p[0], Some(&p[1]), 1, 0)));
    });
    let fwd_bwd = median_ms(20, || {
        x.zero_grad();
        p.iter().for_each(Tensor::zero_grad);
        conv2d(&x, &p[0], Some(&p[1]), 1, 0).backward_with(&g);
    });
    Row {
        label: "3. Conv2d(3→32, 5×5) on (100,3,32,32), median of 20: fwd ms / fwd+bwd ms",
        value: format!("{fwd:.2} / {fwd_bwd:.2}"),
        json: format!(r#""conv": {{"fwd_ms": {fwd:.3}, "fwd_bwd_ms": {fwd_bwd:.3}}}"#),
    }
}

/// The 300-point, 3-class spiral of the torch baseline (CS231n's).
fn spiral() -> (Tensor, Vec<usize>) {
    let (per_class, classes) = (100, 3);
    let noise = normal(&[classes * per_class], 0.0, 0.2);
    let mut points = Vec::new();
    let mut labels = Vec::new();
    for j in 0..classes {
        for i in 0..per_class {
            let r = i as f32 / (per_class - 1) as f32;
            let t = j as f32 * 4.0 + 4.0 * r + noise[j * per_class + i];
            points.extend([r * t.sin(), r * t.cos()]);
            labels.push(j);
        }
    }
    (Tensor::from_vec(points, &[classes * per_class, 2]), labels)
}

fn tiny() -> Row {
    manual_seed(0);
    let (x, y) = spiral();
    let p = [linear_params(2, 100), linear_params(100, 3)].concat();
    let forward = |x: &Tensor| linear(&linear(x, &p[0], Some(&p[1])).relu(), &p[2], Some(&p[3]));
    let mut sgd = Sgd::new(p.clone()).lr(1.0);
    let start = Instant::now();
    let mut loss = 0.0;
    for _ in 0..1000 {
        sgd.zero_grad();
        let l = F::cross_entropy(&forward(&x), &y);
        l.backward();
        sgd.step();
        loss = l.item();
    }
    let s = start.elapsed().as_secs_f64();
    let labels = Tensor::from_vec(y.iter().map(|&c| c as f32).collect(), &[y.len()]);
    let acc = accuracy(&x, &labels, &forward);
    Row {
        label: "4. spiral MLP 2-100-3, 1000 full-batch SGD steps: s (final loss, train acc)",
        value: format!("{s:.3} s ({loss:.3}, {:.1} %)", 100.0 * acc),
        json: format!(
            r#""tiny": {{"total_s": {s:.4}, "final_loss": {loss:.4}, "train_acc": {acc:.4}}}"#
        ),
    }
}

fn main() -> ExitCode {
    let json_path = std::env::args().skip_while(|a| a != "--json").nth(1);
    let data = match load_mnist() {
        Ok(d) => d,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    // Each item is measured on its own, as PyTorch's script waits for an idle
    // machine before each section: a pause lets OpenBLAS's threads, which
    // spin for ~0.1 s after the previous item's last product, fall asleep
    // (see src/ops/conv/parallel.rs, "Two pools").
    let settle = || std::thread::sleep(std::time::Duration::from_millis(300));
    let items: [&dyn Fn() -> Row; 5] = [&|| mlp(&data), &|| lenet(&data), &conv, &tiny, &gemm];
    let mut rows: Vec<Row> = items
        .iter()
        .map(|item| {
            settle();
            item()
        })
        .collect();
    rows.sort_by_key(|r| r.label);
    let width = rows
        .iter()
        .map(|r| r.label.chars().count())
        .max()
        .unwrap_or(0);
    println!("{:width$}  result", "item");
    for r in &rows {
        println!("{:width$}  {}", r.label, r.value);
    }
    if let Some(path) = json_path {
        let body: Vec<&str> = rows.iter().map(|r| r.json.as_str()).collect();
        if let Err(e) = std::fs::write(&path, format!("{{{}}}\n", body.join(", "))) {
            eprintln!("error: cannot write {path}: {e}");
            return ExitCode::FAILURE;
        }
    }
    ExitCode::SUCCESS
}
