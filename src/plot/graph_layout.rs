//! Layout of a [`Graph`](super::Graph): layers from left to right
//! (longest path from the leaves), order within a layer by the barycentre
//! heuristic, straight edges with their labels at mid-length.

use super::font;
use super::graph::{Graph, NodeKind};
use super::style::{self, number, text_width};
use crate::tensor::Tensor;

const MARGIN: i32 = 20;
const ROW: f64 = 80.0;
const BOX_H: i32 = 34;
pub(super) const NODE_SIZE: f64 = 15.0;
pub(super) const LABEL_SIZE: f64 = 13.0;

#[derive(Clone, Debug)]
pub(super) struct NodeBox {
    pub(super) rect: (i32, i32, i32, i32),
    pub(super) label: String,
    pub(super) kind: NodeKind,
}

#[derive(Clone, Debug)]
pub(super) struct Edge {
    pub(super) from: (i32, i32),
    pub(super) to: (i32, i32),
    /// the point of the edge where its labels are written
    pub(super) at: (i32, i32),
    pub(super) value: Option<String>,
    pub(super) grad: Option<String>,
    pub(super) constant: bool,
}

/// Everything needed to draw the graph, computed from its current values.
#[derive(Clone, Debug)]
pub(crate) struct Layout {
    pub(crate) size: (u32, u32),
    pub(super) boxes: Vec<NodeBox>,
    pub(super) edges: Vec<Edge>,
    /// where the result's name is written, right of the last edge
    pub(super) terminal: (i32, i32, String),
    pub(super) title: Option<String>,
    pub(super) legend: (i32, i32),
    pub(super) output: String,
    pub(super) has_grads: bool,
}

/// The value of a tensor as a short text: `54`, `[1, 2]`, `(2×3)`.
fn value_text(t: &Tensor) -> String {
    let data = t.data();
    match data.len() {
        1 => number(*data.iter().next().expect("one value") as f64),
        2 | 3 => {
            let v: Vec<String> = data.iter().map(|&v| number(v as f64)).collect();
            format!("[{}]", v.join(", "))
        }
        _ => format!("({})", shape_text(data.shape())),
    }
}

fn shape_text(shape: &[usize]) -> String {
    let parts: Vec<String> = shape.iter().map(|d| d.to_string()).collect();
    if parts.is_empty() {
        "scalaire".into()
    } else {
        parts.join("×")
    }
}

/// `∂f/∂x0 = 39`, `‖∂f/∂W‖ = 2.449` for a large tensor, `39` when unnamed.
fn grad_text(t: &Tensor, name: Option<&str>, output: &str) -> Option<String> {
    let grad = t.grad_ref();
    let g = grad.as_ref()?;
    let symbol = match name {
        Some(n) => format!("∂{output}/∂{n}"),
        None => "∂".into(),
    };
    Some(match g.len() {
        1 if name.is_some() => format!("{symbol} = {}", number(g.iter().next().copied()? as f64)),
        1 => number(g.iter().next().copied()? as f64),
        2 | 3 => {
            let v: Vec<String> = g.iter().map(|&v| number(v as f64)).collect();
            format!("{symbol} = [{}]", v.join(", "))
        }
        _ => {
            let norm = g
                .iter()
                .map(|&v| (v as f64) * (v as f64))
                .sum::<f64>()
                .sqrt();
            format!("‖{symbol}‖ = {}", number(norm))
        }
    })
}

pub(crate) fn layout(g: &Graph) -> Layout {
    font::ensure_registered();
    let n = g.nodes.len();
    let kind = |i: usize| g.nodes[i].kind;
    let name = |i: usize| g.names.get(&i).map(String::as_str);
    let output = name(g.root).unwrap_or("f").to_string();

    // consumers of each node (each once)
    let mut consumers: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (i, node) in g.nodes.iter().enumerate() {
        for &j in &node.inputs {
            if !consumers[j].contains(&i) {
                consumers[j].push(i);
            }
        }
    }
    // a single-number constant (the 2 of 2·x0) is written inside its
    // operation's box, "Mul(·, 2)", instead of being a node of its own
    let folded: Vec<bool> = (0..n)
        .map(|i| {
            kind(i) == NodeKind::Constant
                && i != g.root
                && g.nodes[i].tensor.numel() == 1
                && !consumers[i].is_empty()
        })
        .collect();
    let inputs = |i: usize| -> Vec<usize> {
        let mut v: Vec<usize> = g.nodes[i]
            .inputs
            .iter()
            .copied()
            .filter(|&j| !folded[j])
            .collect();
        v.dedup();
        v
    };
    // layers: longest path from the variables; other constants (data) just
    // before their first use
    let mut layer = vec![0usize; n];
    for i in 0..n {
        if let NodeKind::Op(_) = kind(i) {
            layer[i] = 1 + inputs(i)
                .into_iter()
                .filter(|&j| kind(j) != NodeKind::Constant)
                .map(|j| layer[j])
                .max()
                .unwrap_or(0);
        }
    }
    for i in 0..n {
        if kind(i) == NodeKind::Constant && !folded[i] {
            if let Some(first) = consumers[i].iter().map(|&c| layer[c]).min() {
                layer[i] = first.saturating_sub(1);
            }
        }
    }
    let drawn: Vec<usize> = (0..n).filter(|&i| !folded[i]).collect();
    let layers = drawn.iter().map(|&i| layer[i]).max().map_or(1, |m| m + 1);
    let mut rows: Vec<Vec<usize>> = vec![Vec::new(); layers];
    for &i in &drawn {
        rows[layer[i]].push(i);
    }
    let preds: Vec<Vec<usize>> = (0..n).map(inputs).collect();

    // texts and box widths
    let labels: Vec<String> = (0..n)
        .map(|i| match (kind(i), name(i)) {
            (NodeKind::Op(op), _) if g.nodes[i].inputs.iter().any(|&j| folded[j]) => {
                let args: Vec<String> = g.nodes[i]
                    .inputs
                    .iter()
                    .map(|&j| {
                        if folded[j] {
                            value_text(&g.nodes[j].tensor)
                        } else {
                            "·".into()
                        }
                    })
                    .collect();
                format!("{op}({})", args.join(", "))
            }
            (NodeKind::Op(op), _) => op.to_string(),
            (_, Some(nm)) if g.nodes[i].tensor.numel() > 3 => {
                format!("{nm} {}", shape_text(&g.nodes[i].tensor.shape()))
            }
            (_, Some(nm)) => nm.to_string(),
            (_, None) => value_text(&g.nodes[i].tensor),
        })
        .collect();
    let value_label = |i: usize| match name(i) {
        Some(nm) if g.nodes[i].tensor.numel() > 3 => {
            format!("{nm} {}", value_text(&g.nodes[i].tensor))
        }
        Some(nm) => format!("{nm} = {}", value_text(&g.nodes[i].tensor)),
        None => value_text(&g.nodes[i].tensor),
    };
    let grad_label = |i: usize| grad_text(&g.nodes[i].tensor, name(i), &output);
    // crossing two edges costs the length of their labels
    let weights: Vec<f64> = (0..n)
        .map(|i| {
            let grad = grad_label(i).map_or(0, |s| s.chars().count());
            (value_label(i).chars().count() + grad) as f64
        })
        .collect();
    order_rows(&mut rows, &layer, &preds, &consumers, &weights);
    let widths: Vec<i32> = (0..n)
        .map(|i| (text_width(&labels[i], NODE_SIZE) + 24).max(56))
        .collect();
    let mut gap = 90;
    for &i in &drawn {
        gap = gap.max(text_width(&value_label(i), LABEL_SIZE) + 44);
        if let Some(s) = grad_label(i) {
            gap = gap.max(text_width(&s, LABEL_SIZE) + 44);
        }
    }

    // positions: each layer spread over the whole height
    let title_h = if g.title.is_some() { 40 } else { 0 };
    let top = MARGIN + title_h;
    let most = rows.iter().map(Vec::len).max().unwrap_or(1).max(1);
    let plot_h = (most as f64 * ROW) as i32;
    let mut centre = vec![(0i32, 0i32); n];
    let mut x = MARGIN;
    for row in &rows {
        let col_w = row.iter().map(|&i| widths[i]).max().unwrap_or(40);
        for (k, &i) in row.iter().enumerate() {
            let y = top + ((k as f64 + 0.5) * plot_h as f64 / row.len() as f64) as i32;
            centre[i] = (x + col_w / 2, y);
        }
        x += col_w + gap;
    }
    let boxes: Vec<NodeBox> = drawn
        .iter()
        .map(|&i| {
            let (cx, cy) = centre[i];
            NodeBox {
                rect: (
                    cx - widths[i] / 2,
                    cy - BOX_H / 2,
                    cx + widths[i] / 2,
                    cy + BOX_H / 2,
                ),
                label: labels[i].clone(),
                kind: kind(i),
            }
        })
        .collect();
    let rect = |i: usize| {
        let (cx, cy) = centre[i];
        (
            cx - widths[i] / 2,
            cy - BOX_H / 2,
            cx + widths[i] / 2,
            cy + BOX_H / 2,
        )
    };

    // edges, spread along the sides of the boxes in the order of the other end
    let mut links: Vec<(usize, usize)> = Vec::new();
    for &i in &drawn {
        for j in inputs(i) {
            if !links.contains(&(j, i)) {
                links.push((j, i));
            }
        }
    }
    let port = |mut ends: Vec<usize>, me: usize, other: usize| -> i32 {
        ends.sort_by_key(|&e| centre[e].1);
        let m = ends.len() as i32;
        let k = ends.iter().position(|&e| e == other).unwrap_or(0) as i32;
        if m < 2 {
            return centre[me].1;
        }
        let spread = (BOX_H - 12).min(10 * (m - 1));
        centre[me].1 - spread / 2 + k * spread / (m - 1)
    };
    let mut edges = Vec::new();
    for &(j, i) in &links {
        let outs: Vec<usize> = links.iter().filter(|l| l.0 == j).map(|l| l.1).collect();
        let ins: Vec<usize> = links.iter().filter(|l| l.1 == i).map(|l| l.0).collect();
        edges.push(Edge {
            from: (rect(j).2, port(outs, j, i)),
            to: (rect(i).0, port(ins, i, j)),
            at: (0, 0),
            value: Some(value_label(j)),
            grad: grad_label(j),
            constant: kind(j) == NodeKind::Constant,
        });
    }
    // the result leaves on the right
    let root = g.root;
    let out_value = format!("{output} = {}", value_text(&g.nodes[root].tensor));
    let has_grads = g.nodes.iter().any(|nd| nd.tensor.grad_ref().is_some());
    let out_grad = has_grads.then(|| format!("∂{output}/∂{output} = 1"));
    let out_w = text_width(&out_value, LABEL_SIZE)
        .max(out_grad.as_deref().map_or(0, |s| text_width(s, LABEL_SIZE)));
    let end_x = rect(root).2 + out_w + 30;
    edges.push(Edge {
        from: (rect(root).2, centre[root].1),
        to: (end_x, centre[root].1),
        at: (0, 0),
        value: Some(out_value),
        grad: out_grad,
        constant: false,
    });
    place_labels(&mut edges, &boxes);
    let terminal = (end_x + 6, centre[root].1, output.clone());
    let width = end_x + 6 + text_width(&output, NODE_SIZE + 2.0) + MARGIN;
    let (values, grads) = legend_texts(&output);
    let legend_w =
        text_width(&values, LABEL_SIZE) + text_width(&grads, LABEL_SIZE) + 30 + 2 * MARGIN;
    let height = top + plot_h + 44;
    let title_w = g
        .title
        .as_ref()
        .map_or(0, |t| text_width(t, style::TITLE_SIZE) + 2 * MARGIN);
    Layout {
        size: (
            width.max(legend_w).max(title_w).max(240) as u32,
            height as u32,
        ),
        boxes,
        edges,
        terminal,
        title: g.title.clone(),
        legend: (MARGIN, top + plot_h + 14),
        output,
        has_grads,
    }
}

/// The rectangles taken by the labels of `e` written at `at` (value above
/// the line, gradient below), as drawn by [`label`].
fn label_rects(e: &Edge, (x, y): (i32, i32)) -> Vec<(i32, i32, i32, i32)> {
    let h = (LABEL_SIZE / 1.24) as i32;
    let mut rects = Vec::new();
    if let Some(v) = &e.value {
        let w = text_width(v, LABEL_SIZE);
        rects.push((x - w / 2 - 3, y - 3 - h - 6, x + w / 2 + 3, y - 1));
    }
    if let Some(g) = &e.grad {
        let w = text_width(g, LABEL_SIZE);
        rects.push((x - w / 2 - 3, y + 2, x + w / 2 + 3, y + 4 + h + 6));
    }
    rects
}

fn overlap(a: (i32, i32, i32, i32), b: (i32, i32, i32, i32)) -> i64 {
    let w = (a.2.min(b.2) - a.0.max(b.0)).max(0) as i64;
    let h = (a.3.min(b.3) - a.1.max(b.1)).max(0) as i64;
    w * h
}

/// Chooses where along each edge its labels go: the middle if it is free,
/// else the free point nearest to the middle (or the least crowded one), so
/// that labels cover neither boxes nor other labels.
fn place_labels(edges: &mut [Edge], boxes: &[NodeBox]) {
    let mut taken: Vec<(i32, i32, i32, i32)> = boxes
        .iter()
        .map(|b| (b.rect.0 - 2, b.rect.1 - 2, b.rect.2 + 2, b.rect.3 + 2))
        .collect();
    let mut order: Vec<usize> = (0..edges.len()).collect();
    let size =
        |e: &Edge| e.value.as_ref().map_or(0, |v| v.len()) + e.grad.as_ref().map_or(0, |g| g.len());
    order.sort_by_key(|&k| std::cmp::Reverse(size(&edges[k])));
    for k in order {
        let e = &edges[k];
        let point = |t: f64| {
            (
                (e.from.0 as f64 + t * (e.to.0 - e.from.0) as f64).round() as i32,
                (e.from.1 as f64 + t * (e.to.1 - e.from.1) as f64).round() as i32,
            )
        };
        let mut best = (i64::MAX, point(0.5));
        for t in [0.5, 0.4, 0.6, 0.32, 0.68, 0.25, 0.75] {
            let at = point(t);
            let clash: i64 = label_rects(e, at)
                .iter()
                .map(|&r| taken.iter().map(|&o| overlap(r, o)).sum::<i64>())
                .sum();
            if clash < best.0 {
                best = (clash, at);
            }
            if clash == 0 {
                break;
            }
        }
        taken.extend(label_rects(e, best.1));
        edges[k].at = best.1;
    }
}

pub(super) fn legend_texts(output: &str) -> (String, String) {
    (
        "en bleu : valeurs (passe avant)".to_string(),
        format!("en rouge : gradients ∂{output}/∂… (rétropropagation)"),
    )
}

/// Orders the nodes of each layer to reduce crossings: a few sweeps of the
/// barycentre heuristic (each node moves to the mean position of its
/// neighbours in the layer just placed), keeping the order whose crossings
/// cost least (a crossing costs the label lengths of its two edges).
fn order_rows(
    rows: &mut [Vec<usize>],
    layer: &[usize],
    preds: &[Vec<usize>],
    succs: &[Vec<usize>],
    weights: &[f64],
) {
    let n = preds.len();
    let mut pos = vec![0.0f64; n];
    let place = |row: &[usize], pos: &mut Vec<f64>| {
        for (k, &i) in row.iter().enumerate() {
            pos[i] = (k as f64 + 0.5) / row.len() as f64;
        }
    };
    for row in rows.iter() {
        place(row, &mut pos);
    }
    let edges: Vec<(usize, usize)> = (0..n)
        .flat_map(|i| preds[i].iter().map(move |&j| (j, i)))
        .collect();
    let cost = |pos: &[f64]| -> f64 {
        let mut total = 0.0;
        for (a, &(j, i)) in edges.iter().enumerate() {
            for &(k, l) in &edges[a + 1..] {
                if j == k || i == l || j == l || i == k {
                    continue;
                }
                let p = |v: usize| (layer[v] as f64, pos[v]);
                if segments_cross(p(j), p(i), p(k), p(l)) {
                    total += 1.0 + weights[j] + weights[k];
                }
            }
        }
        total
    };
    let mean = |neighbours: &[usize], pos: &[f64], own: f64| {
        if neighbours.is_empty() {
            own
        } else {
            neighbours.iter().map(|&j| pos[j]).sum::<f64>() / neighbours.len() as f64
        }
    };
    let mut best = (cost(&pos), rows.to_vec());
    for _ in 0..4 {
        for forward in [true, false] {
            let order: Vec<usize> = if forward {
                (1..rows.len()).collect()
            } else {
                (0..rows.len().saturating_sub(1)).rev().collect()
            };
            for l in order {
                let keys: Vec<(usize, f64)> = rows[l]
                    .iter()
                    .map(|&i| {
                        let neighbours = if forward { &preds[i] } else { &succs[i] };
                        (i, mean(neighbours, &pos, pos[i]))
                    })
                    .collect();
                sort_by_key(&mut rows[l], &keys);
                place(&rows[l], &mut pos);
            }
            let c = cost(&pos);
            if c < best.0 {
                best = (c, rows.to_vec());
            }
        }
    }
    rows.clone_from_slice(&best.1);
}

/// Whether the segments a–b and c–d cross (strictly).
fn segments_cross(a: (f64, f64), b: (f64, f64), c: (f64, f64), d: (f64, f64)) -> bool {
    let orient = |p: (f64, f64), q: (f64, f64), r: (f64, f64)| {
        let v = (q.0 - p.0) * (r.1 - p.1) - (q.1 - p.1) * (r.0 - p.0);
        if v.abs() < 1e-12 {
            0.0
        } else {
            v.signum()
        }
    };
    let (o1, o2) = (orient(a, b, c), orient(a, b, d));
    let (o3, o4) = (orient(c, d, a), orient(c, d, b));
    o1 * o2 < 0.0 && o3 * o4 < 0.0
}

fn sort_by_key(row: &mut [usize], keys: &[(usize, f64)]) {
    let key = |i: usize| keys.iter().find(|k| k.0 == i).map_or(0.0, |k| k.1);
    row.sort_by(|&a, &b| key(a).total_cmp(&key(b)));
}
