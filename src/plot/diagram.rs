//! [`Diagram`]: boxes, circles and labelled arrows placed by hand — the
//! course's block diagrams (the learning system of 1.1–1.3, the generic layer
//! of backpropagation in 2.4, the neuron of 5.1).

use std::collections::HashMap;

use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::figure::{Draw, Figure, Format, PlotResult, Target};
use super::figures::displayable;
use super::style::{self, colored_text, text, text_width};

/// Size of the text in the nodes and on the arrows, in pixels.
const NODE_TEXT: f64 = 15.0;
const ARROW_TEXT: f64 = 14.0;
/// Height of one line of text.
const LINE_H: f64 = 19.0;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Shape {
    Box,
    Circle,
    Text,
}

#[derive(Clone, Debug)]
struct Node {
    at: (f64, f64),
    lines: Vec<String>,
    shape: Shape,
    fill: RGBColor,
    border: RGBColor,
    /// half width and half height (radius twice for a circle)
    half: (f64, f64),
}

#[derive(Clone, Debug)]
struct Arrow {
    from: usize,
    to: usize,
    label: String,
    color: RGBColor,
    dashed: bool,
    bend: f64,
    offset: f64,
    label_below: bool,
}

/// A block diagram: nodes (boxes, circles, free text) placed at pixel
/// positions, joined by arrows that may be coloured, dashed, curved and
/// labelled. Each node is sized to its text (`\n` starts a new line); an
/// arrow runs from the border of one node to the border of another, with
/// its label on a white background at mid-length.
///
/// Builder methods act on the last node or arrow added (`fill`, `color`,
/// `dashed`, `bend`, `label_below`). Ids name the nodes for the arrows.
/// The figure is a PNG; it shows itself as the last expression of a cell.
///
/// Course 1.3, the error flowing back to the parameters:
///
/// ```
/// use apprentissage::prelude::*;
/// let fig = Diagram::new(620, 240)
///     .title("Apprendre : l'erreur fait évoluer les poids")
///     .node("x", (70.0, 80.0), "donnée x")
///     .node("w", (70.0, 170.0), "poids w")
///     .fill((255, 241, 190))
///     .node("f", (250.0, 120.0), "f(x, w)")
///     .node("err", (470.0, 120.0), "Erreur")
///     .arrow("x", "f", "")
///     .arrow("w", "f", "")
///     .arrow("f", "err", "réponse")
///     .arrow("err", "w", "modifier w")
///     .color((200, 25, 25))
///     .dashed()
///     .bend(-60.0)
///     .render();
/// assert_eq!(fig.size(), (620, 240));
/// fig.save(std::env::temp_dir().join("diagramme.png")).unwrap();
/// ```
#[derive(Clone, Debug)]
pub struct Diagram {
    size: (u32, u32),
    title: Option<String>,
    nodes: Vec<Node>,
    arrows: Vec<Arrow>,
    index: HashMap<String, usize>,
    last_is_arrow: bool,
}

impl Diagram {
    /// An empty diagram of `width` × `height` pixels; positions are in pixels
    /// from the top left corner.
    pub fn new(width: u32, height: u32) -> Diagram {
        Diagram {
            size: (width, height),
            title: None,
            nodes: Vec::new(),
            arrows: Vec::new(),
            index: HashMap::new(),
            last_is_arrow: false,
        }
    }

    /// The title, centred at the top.
    pub fn title(mut self, title: &str) -> Diagram {
        self.title = Some(title.to_string());
        self
    }

    fn add(mut self, id: &str, at: (f64, f64), label: &str, shape: Shape) -> Diagram {
        assert!(
            !self.index.contains_key(id),
            "Diagram: two nodes are called {id:?}"
        );
        let lines: Vec<String> = label.split('\n').map(str::to_string).collect();
        let w = lines
            .iter()
            .map(|l| text_width(l, NODE_TEXT))
            .max()
            .unwrap_or(0) as f64;
        let h = lines.len() as f64 * LINE_H;
        let half = match shape {
            Shape::Box => (w / 2.0 + 12.0, h / 2.0 + 8.0),
            Shape::Circle => {
                let r = (w / 2.0).max(h / 2.0) + 10.0;
                (r, r)
            }
            Shape::Text => (w / 2.0 + 3.0, h / 2.0 + 2.0),
        };
        let (fill, border) = match shape {
            Shape::Box => (RGBColor(220, 233, 247), RGBColor(50, 100, 170)),
            Shape::Circle => (RGBColor(235, 235, 235), RGBColor(90, 90, 90)),
            Shape::Text => (WHITE, WHITE),
        };
        self.index.insert(id.to_string(), self.nodes.len());
        self.nodes.push(Node {
            at,
            lines,
            shape,
            fill,
            border,
            half,
        });
        self.last_is_arrow = false;
        self
    }

    /// A box with `label` centred at `at` (a block of computation, data…).
    pub fn node(self, id: &str, at: (f64, f64), label: &str) -> Diagram {
        self.add(id, at, label, Shape::Box)
    }

    /// A circle with `label` centred at `at` (a neuron, an input value…).
    pub fn circle(self, id: &str, at: (f64, f64), label: &str) -> Diagram {
        self.add(id, at, label, Shape::Circle)
    }

    /// Free text centred at `at`; arrows may start or end there.
    pub fn text(self, id: &str, at: (f64, f64), label: &str) -> Diagram {
        self.add(id, at, label, Shape::Text)
    }

    /// Fill colour of the last node, as `(red, green, blue)`; its border is
    /// a darker shade.
    pub fn fill(mut self, (r, g, b): (u8, u8, u8)) -> Diagram {
        let node = self
            .nodes
            .last_mut()
            .expect("Diagram::fill colours the last node: add one first");
        node.fill = RGBColor(r, g, b);
        let dark = |v: u8| (v as f64 * 0.55) as u8;
        node.border = RGBColor(dark(r), dark(g), dark(b));
        self
    }

    fn id(&self, id: &str) -> usize {
        *self.index.get(id).unwrap_or_else(|| {
            panic!("Diagram::arrow: no node called {id:?} (add it with node, circle or text first)")
        })
    }

    /// An arrow from node `from` to node `to`, with `label` ("" for none)
    /// written at mid-length, above the arrow.
    pub fn arrow(mut self, from: &str, to: &str, label: &str) -> Diagram {
        let (from, to) = (self.id(from), self.id(to));
        self.arrows.push(Arrow {
            from,
            to,
            label: label.to_string(),
            color: RGBColor(60, 60, 60),
            dashed: false,
            bend: 0.0,
            offset: 0.0,
            label_below: false,
        });
        self.last_is_arrow = true;
        self
    }

    fn last_arrow(&mut self, what: &str) -> &mut Arrow {
        assert!(
            self.last_is_arrow,
            "Diagram::{what} changes the last arrow: add one first"
        );
        self.arrows.last_mut().expect("an arrow")
    }

    /// Colour of the last arrow and of its label.
    pub fn color(mut self, (r, g, b): (u8, u8, u8)) -> Diagram {
        self.last_arrow("color").color = RGBColor(r, g, b);
        self
    }

    /// Draws the last arrow dashed.
    pub fn dashed(mut self) -> Diagram {
        self.last_arrow("dashed").dashed = true;
        self
    }

    /// Curves the last arrow: its middle moves `pixels` to the left of its
    /// direction (negative: to the right).
    pub fn bend(mut self, pixels: f64) -> Diagram {
        self.last_arrow("bend").bend = pixels;
        self
    }

    /// Shifts the whole last arrow `pixels` to the left of its direction
    /// (negative: to the right): an arrow and its way back, both shifted by
    /// the same amount, run side by side instead of on top of each other.
    pub fn offset(mut self, pixels: f64) -> Diagram {
        self.last_arrow("offset").offset = pixels;
        self
    }

    /// Writes the label of the last arrow below it instead of above.
    pub fn label_below(mut self) -> Diagram {
        self.last_arrow("label_below").label_below = true;
        self
    }

    /// Number of nodes.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// True when there is no node.
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// Draws the diagram as a PNG [`Figure`].
    pub fn render(&self) -> Figure {
        Figure::render(self.clone(), self.size, Format::Png)
    }
}

displayable!(Diagram);

impl Node {
    /// True when the point lies inside the node's shape.
    fn contains(&self, (x, y): (f64, f64)) -> bool {
        let (dx, dy) = (x - self.at.0, y - self.at.1);
        match self.shape {
            Shape::Circle => dx * dx + dy * dy <= self.half.0 * self.half.0,
            _ => dx.abs() <= self.half.0 + 2.0 && dy.abs() <= self.half.1 + 2.0,
        }
    }
}

impl Arrow {
    /// The point at `t` ∈ [0, 1] of the (quadratic Bézier) path between the
    /// two centres.
    fn point(&self, nodes: &[Node], t: f64) -> (f64, f64) {
        let (a, b) = (nodes[self.from].at, nodes[self.to].at);
        let (dx, dy) = (b.0 - a.0, b.1 - a.1);
        let len = (dx * dx + dy * dy).sqrt().max(1e-9);
        // the unit vector to the left of the direction (y points down)
        let (nx, ny) = (dy / len, -dx / len);
        let a = (a.0 + nx * self.offset, a.1 + ny * self.offset);
        let b = (b.0 + nx * self.offset, b.1 + ny * self.offset);
        // the control point: twice the wanted offset of the middle
        let c = (
            (a.0 + b.0) / 2.0 + nx * self.bend * 2.0,
            (a.1 + b.1) / 2.0 + ny * self.bend * 2.0,
        );
        let u = 1.0 - t;
        (
            u * u * a.0 + 2.0 * u * t * c.0 + t * t * b.0,
            u * u * a.1 + 2.0 * u * t * c.1 + t * t * b.1,
        )
    }

    /// The part of the path outside both nodes, as `[t0, t1]`.
    fn visible(&self, nodes: &[Node]) -> (f64, f64) {
        // the last t still inside `node`, searching from `inside` towards `outside`
        let edge = |node: &Node, inside: f64, outside: f64| {
            let (mut lo, mut hi) = (inside, outside);
            for _ in 0..30 {
                let mid = (lo + hi) / 2.0;
                if node.contains(self.point(nodes, mid)) {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            hi
        };
        (
            edge(&nodes[self.from], 0.0, 0.5),
            edge(&nodes[self.to], 1.0, 0.5),
        )
    }
}

fn round((x, y): (f64, f64)) -> (i32, i32) {
    (x.round() as i32, y.round() as i32)
}

impl Draw for Diagram {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, _: Target) -> PlotResult {
        if let Some(t) = &self.title {
            let (w, _) = root.dim_in_pixel();
            let style = text(style::TITLE_SIZE).pos(Pos::new(HPos::Center, VPos::Top));
            root.draw(&Text::new(t.clone(), (w as i32 / 2, 10), style))?;
        }
        for a in &self.arrows {
            let (t0, t1) = a.visible(&self.nodes);
            // a straight arrow as one segment (sampling would make it wobble)
            let n = if a.bend == 0.0 { 1 } else { 40 };
            let path: Vec<(i32, i32)> = (0..=n)
                .map(|i| round(a.point(&self.nodes, t0 + (t1 - t0) * i as f64 / n as f64)))
                .collect();
            let line = a.color.stroke_width(2);
            if a.dashed {
                root.draw(&DashedPathElement::new(path.clone(), 7, 5, line))?;
            } else {
                root.draw(&PathElement::new(path.clone(), line))?;
            }
            // the head, along the last part of the path
            let tip = a.point(&self.nodes, t1);
            let back = a.point(&self.nodes, t1 - (t1 - t0) * 0.05);
            let (dx, dy) = (tip.0 - back.0, tip.1 - back.1);
            let len = (dx * dx + dy * dy).sqrt().max(1e-9);
            let (ux, uy) = (dx / len, dy / len);
            let base = (tip.0 - ux * 12.0, tip.1 - uy * 12.0);
            root.draw(&Polygon::new(
                vec![
                    round(tip),
                    round((base.0 - uy * 6.0, base.1 + ux * 6.0)),
                    round((base.0 + uy * 6.0, base.1 - ux * 6.0)),
                ],
                a.color.filled(),
            ))?;
        }
        for n in &self.nodes {
            let (x, y) = n.at;
            let (hw, hh) = n.half;
            match n.shape {
                Shape::Box => {
                    let rect = [round((x - hw, y - hh)), round((x + hw, y + hh))];
                    root.draw(&Rectangle::new(rect, n.fill.filled()))?;
                    root.draw(&Rectangle::new(rect, n.border.stroke_width(2)))?;
                }
                Shape::Circle => {
                    let c = round((x, y));
                    root.draw(&Circle::new(c, hw.round() as i32, n.fill.filled()))?;
                    root.draw(&Circle::new(c, hw.round() as i32, n.border.stroke_width(2)))?;
                }
                Shape::Text => {}
            }
            let top = y - n.lines.len() as f64 * LINE_H / 2.0 + LINE_H / 2.0;
            for (i, line) in n.lines.iter().enumerate() {
                let style = text(NODE_TEXT).pos(Pos::new(HPos::Center, VPos::Center));
                let at = round((x, top + i as f64 * LINE_H));
                root.draw(&Text::new(line.clone(), at, style))?;
            }
        }
        for a in self.arrows.iter().filter(|a| !a.label.is_empty()) {
            let (t0, t1) = a.visible(&self.nodes);
            let (mx, my) = a.point(&self.nodes, (t0 + t1) / 2.0);
            let style = colored_text(ARROW_TEXT, a.color);
            let w = text_width(&a.label, ARROW_TEXT) as f64;
            let h = 16.0;
            // the centre of the label: beside a steep arrow (right, or left
            // when "below"), else above or below, far enough for the ends of
            // the label to clear a sloping line
            let (p, q) = (a.point(&self.nodes, t0), a.point(&self.nodes, t1));
            let (dx, dy) = ((q.0 - p.0).abs(), (q.1 - p.1).abs());
            let (cx, cy) = if dy > 1.5 * dx {
                let side = if a.label_below { -1.0 } else { 1.0 };
                (mx + side * (w / 2.0 + 8.0), my)
            } else {
                let gap = 4.0 + dy / dx.max(1e-9) * (w / 2.0 + 3.0) + h / 2.0;
                (mx, if a.label_below { my + gap } else { my - gap })
            };
            root.draw(&Rectangle::new(
                [
                    round((cx - w / 2.0 - 3.0, cy - h / 2.0)),
                    round((cx + w / 2.0 + 3.0, cy + h / 2.0)),
                ],
                WHITE.mix(0.9).filled(),
            ))?;
            let style = style.pos(Pos::new(HPos::Center, VPos::Center));
            root.draw(&Text::new(a.label.clone(), round((cx, cy)), style))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plot::testing::assert_drawn;

    fn system() -> Diagram {
        Diagram::new(500, 220)
            .title("Système")
            .node("x", (60.0, 110.0), "entrée")
            .node("f", (250.0, 110.0), "fonction f")
            .fill((255, 241, 190))
            .circle("y", (440.0, 110.0), "sortie")
            .arrow("x", "f", "données")
            .arrow("f", "y", "")
            .arrow("y", "f", "retour")
            .color((200, 25, 25))
            .dashed()
            .bend(50.0)
            .label_below()
    }

    #[test]
    fn nodes_and_arrows_are_drawn_where_asked() {
        let d = system();
        assert_eq!(d.len(), 3);
        let img = assert_drawn(&d.render(), (500, 220));
        // the box of f is filled in yellow (next to its text), the entrée box in blue
        assert_eq!(img.pixel(250, 96), [255, 241, 190]);
        assert_eq!(img.pixel(30, 98), [220, 233, 247]);
        assert_eq!(img.pixel(250, 30), [255, 255, 255]);
        // the red dashed arrow passes below the straight ones (bend to the
        // left of y → f, that is downwards)
        let red_below = (130..215)
            .flat_map(|y| (300..400).map(move |x| (x, y)))
            .filter(|&(x, y)| img.pixel(x, y) == [200, 25, 25])
            .count();
        assert!(red_below > 30, "{red_below} red pixels below the boxes");
        let red_above = (20..100)
            .flat_map(|y| (300..400).map(move |x| (x, y)))
            .filter(|&(x, y)| img.pixel(x, y) == [200, 25, 25])
            .count();
        assert_eq!(red_above, 0);
    }

    #[test]
    fn arrows_stop_at_the_borders() {
        let d = system();
        let a = &d.arrows[0];
        let (t0, t1) = a.visible(&d.nodes);
        let start = a.point(&d.nodes, t0);
        let end = a.point(&d.nodes, t1);
        // right edge of "entrée", left edge of "f"
        assert!(
            (start.0 - (60.0 + d.nodes[0].half.0)).abs() < 3.0,
            "{start:?}"
        );
        assert!((end.0 - (250.0 - d.nodes[1].half.0)).abs() < 3.0, "{end:?}");
        assert!((start.1 - 110.0).abs() < 1e-6);
    }

    #[test]
    #[should_panic(expected = "no node called \"z\"")]
    fn an_unknown_node_is_named() {
        let _ = Diagram::new(100, 100)
            .node("a", (10.0, 10.0), "a")
            .arrow("a", "z", "");
    }

    #[test]
    #[should_panic(expected = "changes the last arrow")]
    fn colouring_a_node_as_an_arrow_is_refused() {
        let _ = Diagram::new(100, 100)
            .node("a", (10.0, 10.0), "a")
            .color((0, 0, 0));
    }
}
