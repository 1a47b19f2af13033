//! Colour maps (a grid of coloured cells) drawn into a rectangle of the
//! figure: pixel by pixel on a bitmap, as rectangles (runs of equal colour
//! merged) on SVG.

use plotters::coord::Shift;
use plotters::element::BitMapElement;
use plotters::prelude::*;

use super::figure::{PlotResult, Target};

/// A grid of colours, row 0 at the top.
pub(crate) struct Raster {
    pub(crate) nx: usize,
    pub(crate) ny: usize,
    pub(crate) cells: Vec<RGBColor>,
}

impl Raster {
    pub(crate) fn new(nx: usize, ny: usize, cells: Vec<RGBColor>) -> Raster {
        assert_eq!(cells.len(), nx * ny, "raster: {nx}×{ny} cells expected");
        Raster { nx, ny, cells }
    }
}

/// Draws `raster` stretched over the pixel rectangle `[x0, x1) × [y0, y1)` of
/// `root` (nearest cell for each pixel).
pub(crate) fn draw_raster<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    (x0, y0, x1, y1): (i32, i32, i32, i32),
    raster: &Raster,
    target: Target,
) -> PlotResult {
    let (w, h) = ((x1 - x0).max(0) as usize, (y1 - y0).max(0) as usize);
    if w == 0 || h == 0 || raster.cells.is_empty() {
        return Ok(());
    }
    let (nx, ny) = (raster.nx, raster.ny);
    match target {
        Target::Bitmap => {
            let columns: Vec<usize> = (0..w).map(|px| px * nx / w).collect();
            let mut buffer = Vec::with_capacity(w * h * 3);
            for py in 0..h {
                let row = &raster.cells[(py * ny / h) * nx..][..nx];
                for &ix in &columns {
                    let c = row[ix];
                    buffer.extend_from_slice(&[c.0, c.1, c.2]);
                }
            }
            let element = BitMapElement::with_owned_buffer((x0, y0), (w as u32, h as u32), buffer)
                .expect("buffer of the right size");
            root.draw(&element)?;
        }
        Target::Vector => {
            let x_at = |i: usize| x0 + (i * w / nx) as i32;
            let y_at = |j: usize| y0 + (j * h / ny) as i32;
            for iy in 0..ny {
                let row = &raster.cells[iy * nx..][..nx];
                let mut start = 0;
                for ix in 1..=nx {
                    if ix == nx || row[ix] != row[start] {
                        let rect = [(x_at(start), y_at(iy)), (x_at(ix), y_at(iy + 1))];
                        root.draw(&Rectangle::new(rect, row[start].filled()))?;
                        start = ix;
                    }
                }
            }
        }
    }
    Ok(())
}
