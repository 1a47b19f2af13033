//! Drawing of a [`Topology`](super::Topology) once laid out: the boxes of the
//! feature maps (front, top and right faces), the columns of neurons, the
//! names above, the shapes under, the arrows between.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::figure::{Draw, PlotResult, Target};
use super::style::{self, colored_text, text};
use super::topology::{oblique, shape_text, Block, LINE, NAME_SIZE, NEURONS};

/// A block placed in the picture: its front face is `width × height`, its
/// depth goes right and up; `column` is the horizontal room it takes.
#[derive(Clone, Debug)]
pub(super) struct Placed {
    pub(super) block: Block,
    pub(super) width: i32,
    pub(super) height: i32,
    pub(super) depth: i32,
    pub(super) column: i32,
    pub(super) x: i32,
}

impl Placed {
    /// The front face: (left, top, right, bottom), around the line `centre`.
    pub(super) fn front(&self, centre: i32) -> (i32, i32, i32, i32) {
        let top = centre - self.height / 2;
        (self.x, top, self.x + self.width, top + self.height)
    }

    /// The middle of the block's column.
    fn middle(&self) -> i32 {
        self.x + (self.width + self.depth) / 2
    }
}

/// The whole picture, ready to draw.
#[derive(Clone, Debug)]
pub(super) struct Layout {
    pub(super) blocks: Vec<Placed>,
    pub(super) title: Option<String>,
    pub(super) names_bottom: i32,
    pub(super) centre: i32,
    pub(super) shapes_top: i32,
    pub(super) width: i32,
    pub(super) height: i32,
}

fn shade(c: RGBColor, f: f64) -> RGBColor {
    let s = |v: u8| (v as f64 * f).clamp(0.0, 255.0) as u8;
    RGBColor(s(c.0), s(c.1), s(c.2))
}

impl Draw for Layout {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, _: Target) -> PlotResult {
        if let Some(t) = &self.title {
            let style = text(style::TITLE_SIZE).pos(Pos::new(HPos::Center, VPos::Top));
            root.draw(&Text::new(t.clone(), (self.width / 2, 10), style))?;
        }
        let ink = RGBColor(50, 50, 50);
        let centered = |size: f64, color: RGBColor| {
            colored_text(size, color).pos(Pos::new(HPos::Center, VPos::Top))
        };
        for (i, p) in self.blocks.iter().enumerate() {
            let (x0, y0, x1, y1) = p.front(self.centre);
            let color = p.block.kind.color();
            let border = shade(color, 0.55);
            if p.depth > 0 {
                // the depth of the box: its top face, then its right face
                let (dx, dy) = (p.depth, oblique(p.depth));
                let top = vec![(x0, y0), (x1, y0), (x1 + dx, y0 - dy), (x0 + dx, y0 - dy)];
                let side = vec![(x1, y0), (x1 + dx, y0 - dy), (x1 + dx, y1 - dy), (x1, y1)];
                for (face, f) in [(top, 1.15), (side, 0.8)] {
                    root.draw(&Polygon::new(face.clone(), shade(color, f).filled()))?;
                    let mut outline = face;
                    outline.push(outline[0]);
                    root.draw(&PathElement::new(outline, border.stroke_width(1)))?;
                }
            }
            root.draw(&Rectangle::new([(x0, y0), (x1, y1)], color.filled()))?;
            root.draw(&Rectangle::new(
                [(x0, y0), (x1, y1)],
                border.stroke_width(1),
            ))?;
            if p.depth == 0 {
                // a column of neurons; ⋮ stands for those not drawn
                let n = p.block.shape.iter().product::<usize>();
                let shown = n.min(NEURONS);
                let step = (y1 - y0) as f64 / (shown as f64 + if n > NEURONS { 1.0 } else { 0.0 });
                let cx = (x0 + x1) / 2;
                for k in 0..shown {
                    let slot = if n > NEURONS && k >= shown / 2 {
                        k + 1
                    } else {
                        k
                    };
                    let cy = y0 as f64 + step * (slot as f64 + 0.5);
                    let r = (step * 0.35).clamp(2.0, 6.0) as i32;
                    root.draw(&Circle::new((cx, cy as i32), r, WHITE.filled()))?;
                    root.draw(&Circle::new((cx, cy as i32), r, border.stroke_width(1)))?;
                }
                if n > NEURONS {
                    let cy = y0 as f64 + step * (shown / 2) as f64 + step * 0.5;
                    let style = colored_text(12.0, ink).pos(Pos::new(HPos::Center, VPos::Center));
                    root.draw(&Text::new("⋮", (cx, cy as i32), style))?;
                }
            }
            // the name and the notes above, the shape under the block
            let first = self.names_bottom - LINE * p.block.lines.len() as i32;
            for (k, line) in p.block.lines.iter().enumerate() {
                let (size, color) = if k == 0 {
                    (NAME_SIZE, BLACK)
                } else {
                    (NAME_SIZE - 1.0, RGBColor(90, 90, 90))
                };
                let y = first + LINE * k as i32;
                root.draw(&Text::new(
                    line.clone(),
                    (p.middle(), y),
                    centered(size, color),
                ))?;
            }
            let shape = shape_text(&p.block.shape);
            root.draw(&Text::new(
                shape,
                (p.middle(), self.shapes_top),
                centered(NAME_SIZE, shade(border, 0.8)),
            ))?;
            // an arrow to the next block
            if let Some(next) = self.blocks.get(i + 1) {
                let from = x1 + p.depth + 4;
                let to = next.x - 4;
                let y = self.centre;
                root.draw(&PathElement::new(
                    vec![(from, y), (to, y)],
                    ink.stroke_width(2),
                ))?;
                root.draw(&Polygon::new(
                    vec![(to, y), (to - 8, y - 5), (to - 8, y + 5)],
                    ink.filled(),
                ))?;
            }
        }
        Ok(())
    }
}
