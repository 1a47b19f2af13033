//! Drawing of a [`Graph`](super::Graph) once laid out: edges, boxes, labels
//! on a white background, the legend.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::figure::{Draw, PlotResult, Target};
use super::graph::NodeKind;
use super::graph_layout::{legend_texts, Layout, LABEL_SIZE, NODE_SIZE};
use super::style::{self, colored_text, text, text_width};

/// Colour of the values (forward pass) and of the gradients (backward pass).
const VALUE: RGBColor = RGBColor(25, 75, 165);
const GRAD: RGBColor = RGBColor(200, 25, 25);

/// Text on a white background so that it stays readable over lines.
fn label<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    s: &str,
    (x, y): (i32, i32),
    above: bool,
    color: RGBColor,
) -> PlotResult {
    let anchor = Pos::new(HPos::Center, if above { VPos::Bottom } else { VPos::Top });
    let style = colored_text(LABEL_SIZE, color).pos(anchor);
    let (w, h) = root.estimate_text_size(s, &style)?;
    let (w, h) = (w as i32, h as i32);
    // the glyphs reach beyond the nominal height: a generous background
    let (y0, y1) = if above {
        (y - h - 6, y + 2)
    } else {
        (y - 2, y + h + 6)
    };
    root.draw(&Rectangle::new(
        [(x - w / 2 - 3, y0), (x + w / 2 + 3, y1)],
        WHITE.mix(0.88).filled(),
    ))?;
    root.draw(&Text::new(s.to_string(), (x, y), style))?;
    Ok(())
}

impl Draw for Layout {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, _: Target) -> PlotResult {
        let (w, _) = root.dim_in_pixel();
        if let Some(t) = &self.title {
            let style = text(style::TITLE_SIZE).pos(Pos::new(HPos::Center, VPos::Top));
            root.draw(&Text::new(t.clone(), (w as i32 / 2, 12), style))?;
        }
        for e in &self.edges {
            let color = if e.constant {
                RGBColor(150, 150, 150)
            } else {
                RGBColor(60, 60, 60)
            };
            root.draw(&PathElement::new(vec![e.from, e.to], color.stroke_width(2)))?;
            // arrow head at the target
            let (dx, dy) = ((e.to.0 - e.from.0) as f64, (e.to.1 - e.from.1) as f64);
            let len = (dx * dx + dy * dy).sqrt().max(1.0);
            let (ux, uy) = (dx / len, dy / len);
            let (bx, by) = (e.to.0 as f64 - ux * 10.0, e.to.1 as f64 - uy * 10.0);
            let p = |x: f64, y: f64| (x.round() as i32, y.round() as i32);
            root.draw(&Polygon::new(
                vec![
                    e.to,
                    p(bx - uy * 5.0, by + ux * 5.0),
                    p(bx + uy * 5.0, by - ux * 5.0),
                ],
                color.filled(),
            ))?;
        }
        for b in &self.boxes {
            let (x0, y0, x1, y1) = b.rect;
            let (fill, border, ink, size) = match b.kind {
                NodeKind::Op(_) => (
                    RGBColor(220, 233, 247),
                    RGBColor(50, 100, 170),
                    BLACK,
                    NODE_SIZE,
                ),
                NodeKind::Variable => (
                    RGBColor(255, 241, 190),
                    RGBColor(200, 140, 20),
                    BLACK,
                    NODE_SIZE,
                ),
                NodeKind::Constant => (
                    RGBColor(240, 240, 240),
                    RGBColor(150, 150, 150),
                    RGBColor(70, 70, 70),
                    NODE_SIZE,
                ),
            };
            root.draw(&Rectangle::new([(x0, y0), (x1, y1)], fill.filled()))?;
            root.draw(&Rectangle::new(
                [(x0, y0), (x1, y1)],
                border.stroke_width(if b.kind == NodeKind::Constant { 1 } else { 2 }),
            ))?;
            let style = colored_text(size, ink).pos(Pos::new(HPos::Center, VPos::Center));
            root.draw(&Text::new(
                b.label.clone(),
                ((x0 + x1) / 2, (y0 + y1) / 2),
                style,
            ))?;
        }
        for e in &self.edges {
            let (x, y) = e.at;
            if let Some(v) = &e.value {
                label(root, v, (x, y - 3), true, VALUE)?;
            }
            if let Some(gr) = &e.grad {
                label(root, gr, (x, y + 4), false, GRAD)?;
            }
        }
        let (tx, ty, name) = &self.terminal;
        let style = text(NODE_SIZE + 2.0).pos(Pos::new(HPos::Left, VPos::Center));
        root.draw(&Text::new(name.clone(), (*tx, *ty), style))?;
        let (values, grads) = legend_texts(&self.output);
        let (lx, ly) = self.legend;
        let left = Pos::new(HPos::Left, VPos::Top);
        root.draw(&Text::new(
            values.clone(),
            (lx, ly),
            colored_text(LABEL_SIZE, VALUE).pos(left),
        ))?;
        if self.has_grads {
            let x = lx + text_width(&values, LABEL_SIZE) + 30;
            root.draw(&Text::new(
                grads,
                (x, ly),
                colored_text(LABEL_SIZE, GRAD).pos(left),
            ))?;
        }
        Ok(())
    }
}
