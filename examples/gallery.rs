//! Draws one figure of each kind the plot module offers, with data from the
//! course, into `docs/gallery/`, and times the decision map of a 2-100-3
//! network (the issue asks for well under 100 ms).
//!
//! Run with `cargo run --release --example gallery` (MNIST figures need
//! `make data` first; they are skipped otherwise).

use std::path::Path;
use std::time::Instant;

use apprentissage::prelude::*;

const OUT: &str = "docs/gallery";

fn save(fig: &Figure, name: &str) {
    let path = Path::new(OUT).join(name);
    fig.save(&path)
        .unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
    println!("  {} ({}×{})", path.display(), fig.width(), fig.height());
}

/// A linear layer's weight and bias, initialised U(−1/√in, 1/√in) like PyTorch.
fn layer(inputs: usize, outputs: usize) -> (Tensor, Tensor) {
    let bound = 1.0 / (inputs as f32).sqrt();
    let w = (Tensor::rand(&[inputs, outputs]) * (2.0 * bound) - bound).requires_grad_();
    let b = (Tensor::rand(&[outputs]) * (2.0 * bound) - bound).requires_grad_();
    (w, b)
}

/// A 2-h-3 network written with raw tensors: Linear, ReLU, Linear.
struct Mlp {
    w1: Tensor,
    b1: Tensor,
    w2: Tensor,
    b2: Tensor,
}

impl Mlp {
    fn new(hidden: usize) -> Mlp {
        let (w1, b1) = layer(2, hidden);
        let (w2, b2) = layer(hidden, 3);
        Mlp { w1, b1, w2, b2 }
    }

    fn forward(&self, x: &Tensor) -> Tensor {
        (x.matmul(&self.w1) + &self.b1).relu().matmul(&self.w2) + &self.b2
    }

    fn step(&self, lr: f32) {
        no_grad(|| {
            for p in [&self.w1, &self.b1, &self.w2, &self.b2] {
                p.sub_(&(p.grad().unwrap() * lr));
                p.zero_grad();
            }
        });
    }
}

/// The three-armed spiral of course 7.5.2: `n` points per class, radius
/// `(i + 1)/n` as in the chapter 7 notebook (never 0, where the three arms
/// would share a point).
fn spiral(n: usize, noise: f32) -> (Tensor, Vec<usize>) {
    let mut xy = Vec::new();
    let mut labels = Vec::new();
    let jitter = Tensor::randn(&[3 * n]).to_vec();
    for class in 0..3 {
        for i in 0..n {
            let r = (i + 1) as f32 / n as f32;
            let t = class as f32 * 4.0 + 4.0 * r + jitter[class * n + i] * noise;
            xy.extend([r * t.sin(), r * t.cos()]);
            labels.push(class);
        }
    }
    (Tensor::from_vec(xy, &[3 * n, 2]), labels)
}

fn accuracy(scores: &Tensor, labels: &[usize]) -> f32 {
    let labels = Tensor::from_vec(labels.iter().map(|&l| l as f32).collect(), &[labels.len()]);
    scores.argmax(1).eq(&labels).mean().item()
}

fn course_graphs() {
    // 2.4: f(x0, x1) = (2·x0 + 5·x1)·(3·x0·x1) at (2, 1)
    let x0 = tensor!(2.).requires_grad_();
    let x1 = tensor!(1.).requires_grad_();
    let y0 = &x0 * 2.0 + &x1 * 5.0;
    let y1 = &x0 * &x1 * 3.0;
    let f = &y0 * &y1;
    y0.retain_grad();
    y1.retain_grad();
    let graph = Graph::new(&f)
        .name(&x0, "x0")
        .name(&x1, "x1")
        .name(&y0, "y0")
        .name(&y1, "y1")
        .title("2.4 : f(x0, x1) = (2·x0 + 5·x1) · (3·x0·x1) en (2, 1)");
    f.backward();
    let fig = graph.render();
    save(&fig, "graph_2_4.svg");
    save(&fig.to_png(), "graph_2_4.png");

    // 2.5.3: f(x0, x1) = ((x0·x1) + |x1|)² at (3, −1), after backward_retain_graph
    let x0 = tensor!(3.).requires_grad_();
    let x1 = tensor!(-1.).requires_grad_();
    let y0 = &x0 * &x1;
    let y1 = x1.abs();
    let f = (&y0 + &y1).pow(2.0);
    y0.retain_grad();
    y1.retain_grad();
    f.backward_retain_graph();
    let fig = Graph::new(&f)
        .name(&x0, "x0")
        .name(&x1, "x1")
        .name(&y0, "y0")
        .name(&y1, "y1")
        .title("2.5.3 : f(x0, x1) = (x0·x1 + |x1|)² en (3, −1)")
        .render();
    save(&fig, "graph_2_5_3.svg");
    save(&fig.to_png(), "graph_2_5_3.png");
}

fn curves() {
    // 5.5: one neuron y = a·x + b followed by ReLU, sampled on [−2, 2]
    let x = Tensor::linspace(-2.0, 2.0, 50);
    let (a, b) = (0.74f32, 0.31f32);
    let y = (&x * a + b).relu();
    let fig = Chart::new()
        .title("5.5 : sortie d'un neurone suivi de ReLU")
        .xlabel("x")
        .ylabel("ReLU(a·x + b)")
        .scatter(&x, &y, &format!("a = {a}, b = {b}"))
        .equal_axes()
        .render();
    save(&fig, "neuron_relu.png");

    // 2.5.1 / 2.5.4: Err(a) = a² + 3a + 1 (x = 3), from a₀ = 5 with a step of 0.3
    let err = |a: f32| a * a + 3.0 * a + 1.0;
    let mut iterates = vec![5.0f32];
    for _ in 0..8 {
        let a = *iterates.last().unwrap();
        iterates.push(a - 0.3 * (2.0 * a + 3.0));
    }
    let fig = Chart::descent(err, &iterates)
        .title("2.5.4 : descente de gradient sur Err(a) = a² + 3a + 1, pas 0.3")
        .xlabel("a")
        .ylabel("Err(a)")
        .render();
    save(&fig, "descent_1d.png");
}

/// Gradient descent on f from `start`, the gradient computed by autograd.
fn descend(
    f: impl Fn(&Tensor, &Tensor) -> Tensor,
    start: (f32, f32),
    lr: f32,
    steps: usize,
) -> Vec<(f32, f32)> {
    let x = tensor!(start.0).requires_grad_();
    let y = tensor!(start.1).requires_grad_();
    let mut path = vec![start];
    for _ in 0..steps {
        f(&x, &y).backward();
        no_grad(|| {
            x.sub_(&(x.grad().unwrap() * lr));
            y.sub_(&(y.grad().unwrap() * lr));
        });
        x.zero_grad();
        y.zero_grad();
        path.push((x.item(), y.item()));
    }
    path
}

fn heatmaps() {
    // 2.5.4, the 2-D case: an elongated bowl, the path zigzags across the valley
    let f = |x: &Tensor, y: &Tensor| x.pow(2.0) + y.pow(2.0) * 8.0;
    let path = descend(f, (-1.8, 0.9), 0.11, 15);
    let fig = Heatmap::new(|x, y| x * x + 8.0 * y * y, (-2.0, 2.0), (-1.2, 1.2))
        .path(&path, "itérés (pas 0.11)")
        .title("2.5.4 : f(x, y) = x² + 8y², niveaux de couleur")
        .size(700, 520)
        .render();
    save(&fig, "descent_2d.png");

    // 2.5.4, with a max: f(x, y) = max(|x|, 2|y − 0.5|) + 0.5·x
    let g = |x: &Tensor, y: &Tensor| (x.abs().maximum(&((y - 0.5).abs() * 2.0))) + x * 0.3;
    let path = descend(g, (1.8, -1.5), 0.12, 25);
    let fig = Heatmap::new(
        |x, y| x.abs().max(2.0 * (y - 0.5).abs()) + 0.3 * x,
        (-2.0, 2.0),
        (-2.0, 2.0),
    )
    .levels(16)
    .path(&path, "itérés (pas 0.12)")
    .title("2.5.4 : f(x, y) = max(|x|, 2|y − 0.5|) + 0.3x")
    .size(640, 560)
    .render();
    save(&fig, "descent_max.png");
}

fn decision_maps() {
    // 7.5.1: ten points, three classes, one Linear layer trained with the
    // margin loss; a frame every 3 iterations
    manual_seed(1);
    let points = tensor!([
        [-0.7, 0.6],
        [-0.5, 0.8],
        [-0.8, 0.3],
        [0.6, 0.7],
        [0.8, 0.4],
        [0.5, 0.9],
        [0.0, -0.7],
        [-0.3, -0.5],
        [0.3, -0.8],
        [0.1, -0.3]
    ]);
    let labels = [0usize, 0, 0, 1, 1, 1, 2, 2, 2, 2];
    let (w, b) = layer(2, 3);
    let mut animation = Animation::new().delay_ms(250);
    for it in 0..=90 {
        if it % 3 == 0 {
            let map = DecisionMap::new(|p| p.matmul(&w) + &b, (-1.0, 1.0), (-1.0, 1.0))
                .points(&points, &labels)
                .title(&format!("7.5.1 : itération {it}"))
                .axis_labels("p1", "p2")
                .size(420, 400);
            animation.push(&map);
        }
        let loss = F::margin_loss(&(points.matmul(&w) + &b), &labels, 1.0);
        loss.backward();
        no_grad(|| {
            for p in [&w, &b] {
                p.sub_(&(p.grad().unwrap() * 0.08));
                p.zero_grad();
            }
        });
    }
    animation
        .save(Path::new(OUT).join("decision_training.gif"))
        .expect("write the GIF");
    println!("  {OUT}/decision_training.gif ({} frames)", animation.len());

    // 7.5.2: the spiral and a 2-100-3 network
    manual_seed(0);
    let (xy, labels) = spiral(100, 0.2);
    let mlp = Mlp::new(100);
    for _ in 0..3000 {
        F::cross_entropy(&mlp.forward(&xy), &labels).backward();
        mlp.step(1.0);
    }
    let acc = no_grad(|| accuracy(&mlp.forward(&xy), &labels));
    let draw = || {
        DecisionMap::new(|p| mlp.forward(p), (-1.1, 1.1), (-1.1, 1.1))
            .points(&xy, &labels)
            .title(&format!(
                "7.5.2 : réseau 2-100-3, précision {:.0} %",
                100.0 * acc
            ))
            .render()
    };
    let fig = draw();
    save(&fig, "decision_regions.png");

    // timing: the model on the 40 000 grid points, then drawing + PNG encoding
    let median = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let ms = |t: Instant| t.elapsed().as_secs_f64() * 1000.0;
    let (mut total, mut model, mut drawing) = (Vec::new(), Vec::new(), Vec::new());
    let mut cpu = 0.0;
    for _ in 0..20 {
        let (t, c) = (Instant::now(), cpu_ms());
        let fig = draw();
        total.push(ms(t));
        cpu += cpu_ms() - c;
        let t = Instant::now();
        let _ = DecisionMap::new(|p| mlp.forward(p), (-1.1, 1.1), (-1.1, 1.1));
        model.push(ms(t));
        let t = Instant::now();
        let again = fig.resized(560, 520);
        drawing.push(ms(t));
        assert_eq!(again.size(), fig.size());
    }
    println!(
        "decision map 200×200 of a 2-100-3 MLP as a 560×520 PNG: {:.1} ms (median of 20; \
         the model on the 40 000 grid points and the argmax: {:.1} ms, drawing and PNG \
         encoding: {:.1} ms); CPU time of the process per map: {:.1} ms",
        median(total),
        median(model),
        median(drawing),
        cpu / 20.0
    );
}

/// CPU time (user + system) used so far by this process, all threads, in
/// milliseconds, from /proc/self/stat (0 where there is no /proc): on a busy
/// machine, wall-clock times measure the neighbours too.
fn cpu_ms() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return 0.0;
    };
    // the fields after the command name, which is in parentheses
    let fields: Vec<&str> = stat
        .rsplit(')')
        .next()
        .unwrap_or("")
        .split_whitespace()
        .collect();
    let ticks: f64 = [11, 12]
        .iter()
        .filter_map(|&i| fields.get(i)?.parse::<f64>().ok())
        .sum();
    ticks * 10.0 // USER_HZ is 100 on Linux
}

fn training_curves() {
    // 10.3's comparison, on the spiral: three widths, 20 epochs, mini-batches of 32
    manual_seed(2);
    let (xy, labels) = spiral(300, 0.25);
    let n = labels.len();
    let mut order: Vec<usize> = (0..n).collect();
    let mut state = 12345u64;
    let mut next = || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (state >> 33) as usize
    };
    for i in (1..n).rev() {
        order.swap(i, next() % (i + 1));
    }
    let (train, val) = order.split_at(n * 4 / 5);
    let subset = |idx: &[usize]| {
        (
            xy.index_select(0, idx),
            idx.iter().map(|&i| labels[i]).collect::<Vec<usize>>(),
        )
    };
    let (x_val, y_val) = subset(val);
    let mut curves = TrainingCurves::new()
        .title("10.3 (sur la spirale) : trois largeurs de couche cachée, 20 epochs");
    for hidden in [10, 30, 100] {
        let mlp = Mlp::new(hidden);
        let mut history = [Vec::new(), Vec::new(), Vec::new(), Vec::new()];
        for _ in 0..20 {
            let mut batches = train.to_vec();
            for i in (1..batches.len()).rev() {
                batches.swap(i, next() % (i + 1));
            }
            let (mut sum, mut correct) = (0.0, 0.0);
            for batch in batches.chunks(32) {
                let (x, y) = subset(batch);
                let scores = mlp.forward(&x);
                let loss = F::cross_entropy(&scores, &y);
                sum += loss.item() * batch.len() as f32;
                correct += no_grad(|| accuracy(&scores, &y)) * batch.len() as f32;
                loss.backward();
                mlp.step(0.5);
            }
            let (val_loss, val_acc) = no_grad(|| {
                let s = mlp.forward(&x_val);
                (F::cross_entropy(&s, &y_val).item(), accuracy(&s, &y_val))
            });
            history[0].push(sum / train.len() as f32);
            history[1].push(val_loss);
            history[2].push(100.0 * correct / train.len() as f32);
            history[3].push(100.0 * val_acc);
        }
        curves = curves.run(
            Run::new(&format!("2-{hidden}-3"))
                .train_loss(&history[0])
                .val_loss(&history[1])
                .train_accuracy(&history[2])
                .val_accuracy(&history[3]),
        );
    }
    save(&curves.render(), "training_curves.png");
}

/// A 32×32 colour picture drawn from a few shapes, for the CIFAR-like grid.
fn synthetic_image(kind: usize, seed: usize) -> Vec<f32> {
    let mut img = vec![0f32; 3 * 32 * 32];
    let noise = Tensor::rand(&[3 * 32 * 32]).to_vec();
    for y in 0..32 {
        for x in 0..32 {
            let (fx, fy) = (x as f32 / 31.0, y as f32 / 31.0);
            let s = seed as f32 * 0.37;
            let rgb = match kind {
                // sky with a sun
                0 => {
                    let d = ((fx - 0.3 - 0.1 * s.sin()).powi(2) + (fy - 0.3).powi(2)).sqrt();
                    if d < 0.15 {
                        [1.0, 0.85, 0.2]
                    } else {
                        [0.35 + 0.3 * fy, 0.6 + 0.2 * fy, 0.95]
                    }
                }
                // sea below a horizon
                1 => {
                    if fy < 0.4 + 0.05 * s.cos() {
                        [0.75, 0.85, 0.95]
                    } else {
                        [0.1, 0.45 + 0.2 * (fx * 9.0 + s).sin().abs(), 0.7]
                    }
                }
                // grass with a red flower
                2 => {
                    let d = ((fx - 0.5 - 0.2 * s.cos()).powi(2) + (fy - 0.5).powi(2)).sqrt();
                    if d < 0.12 {
                        [0.9, 0.1, 0.15]
                    } else {
                        [0.2, 0.55 + 0.25 * fy, 0.15]
                    }
                }
                // sunset
                _ => [0.95, 0.35 + 0.4 * fy, 0.25 + 0.2 * (1.0 - fy)],
            };
            for c in 0..3 {
                img[c * 1024 + y * 32 + x] =
                    (rgb[c] + 0.12 * (noise[c * 1024 + y * 32 + x] - 0.5)).clamp(0.0, 1.0);
            }
        }
    }
    img
}

fn images() {
    manual_seed(4);
    let names = ["ciel", "mer", "fleur", "couchant"];
    let mut data = Vec::new();
    let mut labels = Vec::new();
    for k in 0..8 {
        data.extend(synthetic_image(k % 4, k));
        labels.push(k % 4);
    }
    let batch = Tensor::from_vec(data, &[8, 3, 32, 32]);
    let fig = ImageGrid::new(&batch)
        .labels(&labels)
        .class_names(&names)
        .columns(4)
        .title("Images 32×32×3 au format CIFAR-10 (synthétiques)")
        .render();
    save(&fig, "images_rgb.png");

    // 8.2.2: per-channel histogram of an "underwater" picture, water (38, 196, 236)
    let water = [38.0f32 / 255.0, 196.0 / 255.0, 236.0 / 255.0];
    let (h, w) = (96, 128);
    let noise = Tensor::randn(&[3, h, w]).to_vec();
    let mut pixels = vec![0f32; 3 * h * w];
    for y in 0..h {
        for x in 0..w {
            let depth = y as f32 / h as f32;
            let fish = ((x as f32 - 80.0).powi(2) / 400.0 + (y as f32 - 40.0).powi(2) / 60.0) < 1.0;
            for c in 0..3 {
                let base = if fish {
                    [0.85, 0.45, 0.1][c]
                } else {
                    water[c] * (1.0 - 0.35 * depth)
                };
                pixels[c * h * w + y * w + x] =
                    (base + 0.06 * noise[c * h * w + y * w + x]).clamp(0.0, 1.0);
            }
        }
    }
    let sea = Tensor::from_vec(pixels, &[3, h, w]);
    let fig = Histogram::channels(&sea)
        .title("8.2.2 : histogramme par canal d'une image « sous-marine » (synthétique)")
        .render();
    save(&fig, "histogram_channels.png");

    let kernels = tensor!([
        [[[-1., 0., 1.], [-2., 0., 2.], [-1., 0., 1.]]],
        [[[-1., -2., -1.], [0., 0., 0.], [1., 2., 1.]]],
        [[[0., 1., 2.], [-1., 0., 1.], [-2., -1., 0.]]],
        [[[2., 1., 0.], [1., 0., -1.], [0., -1., -2.]]],
        [[[0., -1., 0.], [-1., 4., -1.], [0., -1., 0.]]],
        [[[1., 1., 1.], [1., 1., 1.], [1., 1., 1.]]]
    ]);
    let fig = ImageGrid::kernels(&kernels)
        .columns(6)
        .title("10.1.4 : six noyaux 3×3 (contours, laplacien, flou)")
        .render();
    save(&fig, "kernels.png");

    let Some((digits, digit_labels)) = mnist_test(16) else {
        println!("  (no MNIST in data/mnist: run `make data` for the MNIST figures)");
        return;
    };
    // feature maps: the first digit convolved with the six kernels, then ReLU
    let img = digits.slice(s![0, 0, .., ..]).to_vec();
    let mut maps = vec![0f32; 6 * 26 * 26];
    let k = kernels.to_vec();
    for o in 0..6 {
        for y in 0..26 {
            for x in 0..26 {
                let mut s = 0.0;
                for dy in 0..3 {
                    for dx in 0..3 {
                        s += k[o * 9 + dy * 3 + dx] * img[(y + dy) * 28 + x + dx];
                    }
                }
                maps[o * 676 + y * 26 + x] = s.max(0.0);
            }
        }
    }
    let fig = ImageGrid::feature_maps(&Tensor::from_vec(maps, &[6, 26, 26]))
        .columns(6)
        .title(&format!(
            "10.1.4 : cartes de features du chiffre {} (conv 3×3 + ReLU)",
            digit_labels[0]
        ))
        .render();
    save(&fig, "feature_maps.png");

    // predictions of a softmax regression trained for one epoch
    let Some((train_x, train_y)) = mnist_train() else {
        return;
    };
    manual_seed(0);
    let (w, b) = layer(784, 10);
    let n = train_y.len();
    for start in (0..n).step_by(64) {
        let idx: Vec<usize> = (start..(start + 64).min(n)).collect();
        let x = train_x.index_select(0, &idx);
        let y: Vec<usize> = idx.iter().map(|&i| train_y[i]).collect();
        F::cross_entropy(&(x.matmul(&w) + &b), &y).backward();
        no_grad(|| {
            for p in [&w, &b] {
                p.sub_(&(p.grad().unwrap() * 0.5));
                p.zero_grad();
            }
        });
    }
    let predictions = no_grad(|| (digits.view(&[-1, 784]).matmul(&w) + &b).argmax(1));
    let fig = ImageGrid::new(&digits)
        .labels(&digit_labels)
        .predictions(&predictions)
        .title("MNIST : étiquette → prédiction (régression softmax, 1 epoch)")
        .render();
    save(&fig, "mnist_grid.png");
}

/// One raw IDX file of `data/mnist` (or its `.gz`), without its header.
fn read_idx(name: &str, header: usize) -> Option<Vec<u8>> {
    use std::io::Read;
    let path = Path::new("data/mnist").join(name);
    let mut bytes = Vec::new();
    if let Ok(raw) = std::fs::read(&path) {
        bytes = raw;
    } else {
        let file = std::fs::File::open(path.with_extension("gz")).ok()?;
        flate2::read::GzDecoder::new(file)
            .read_to_end(&mut bytes)
            .ok()?;
    }
    Some(bytes.split_off(header))
}

/// The first `n` digits of a split, (n, 1, 28, 28) in [0, 1], and their labels.
fn mnist(split: &str, n: usize) -> Option<(Tensor, Vec<usize>)> {
    let images = read_idx(&format!("{split}-images-idx3-ubyte"), 16)?;
    let labels = read_idx(&format!("{split}-labels-idx1-ubyte"), 8)?;
    let n = n.min(labels.len());
    let x = images[..n * 784]
        .iter()
        .map(|&p| p as f32 / 255.0)
        .collect();
    let y = labels[..n].iter().map(|&l| l as usize).collect();
    Some((Tensor::from_vec(x, &[n, 1, 28, 28]), y))
}

fn mnist_test(n: usize) -> Option<(Tensor, Vec<usize>)> {
    mnist("t10k", n)
}

/// The training set as (60000, 784).
fn mnist_train() -> Option<(Tensor, Vec<usize>)> {
    let (x, y) = mnist("train", 60_000)?;
    Some((x.view(&[-1, 784]), y))
}

fn main() {
    std::fs::create_dir_all(OUT).expect("create docs/gallery");
    println!("writing the gallery into {OUT}/");
    course_graphs();
    curves();
    heatmaps();
    decision_maps();
    training_curves();
    images();
    // several figures in one notebook output: one HTML block
    let both = Figures::new()
        .with(
            Chart::new()
                .function(|x| x.max(0.0), (-2.0, 2.0), "ReLU")
                .size(320, 240),
        )
        .with(
            Chart::new()
                .function(|x| 1.0 / (1.0 + (-x).exp()), (-4.0, 4.0), "sigmoïde")
                .size(320, 240),
        );
    both.save(Path::new(OUT).join("figures.html"))
        .expect("write figures.html");
    println!(
        "  {OUT}/figures.html ({} figures in one HTML block)",
        both.len()
    );
}
