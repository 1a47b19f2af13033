//! Drawing of a [`Chart`]: axes, series, paths of iterates, legend.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::chart::{Chart, Kind, Series};
use super::figure::{Draw, PlotResult, Target};
use super::style::{self, finite_range, number, pad, series_color, text};

impl Chart {
    /// The data ranges, padded, unless fixed by `xlim`/`ylim`.
    pub(super) fn ranges(&self) -> ((f64, f64), (f64, f64)) {
        let all = |f: fn(&Series) -> &Vec<f64>| {
            finite_range(self.series.iter().flat_map(|s| f(s).iter().copied()))
                .unwrap_or((0.0, 1.0))
        };
        let x = self.xlim.unwrap_or_else(|| {
            let r = all(|s| &s.xs);
            // function curves span exactly their interval: no padding needed
            if self.series.iter().all(|s| s.kind == Kind::Line) && r.1 > r.0 {
                r
            } else {
                pad(r, 0.05)
            }
        });
        let y = self.ylim.unwrap_or_else(|| pad(all(|s| &s.ys), 0.06));
        (x, y)
    }

    /// Draws the chart in `area` (part of `top`, the whole figure).
    pub(crate) fn draw_in<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        top: &DrawingArea<DB, Shift>,
    ) -> PlotResult {
        let area = match &self.title {
            Some(t) => area.titled(t, text(style::TITLE_SIZE))?,
            None => area.clone(),
        };
        let (mut xr, mut yr) = self.ranges();
        let (margin, right, x_area, y_area) = (8, 22, 48, 64);
        let (aw, ah) = area.dim_in_pixel();
        let plot_w = (aw as f64 - (margin + right + y_area) as f64).max(10.0);
        let plot_h = (ah as f64 - (2 * margin + x_area) as f64).max(10.0);
        if self.equal {
            let sx = (xr.1 - xr.0) / plot_w;
            let sy = (yr.1 - yr.0) / plot_h;
            if sx > sy {
                let c = (yr.0 + yr.1) / 2.0;
                yr = (c - sx * plot_h / 2.0, c + sx * plot_h / 2.0);
            } else {
                let c = (xr.0 + xr.1) / 2.0;
                xr = (c - sy * plot_w / 2.0, c + sy * plot_w / 2.0);
            }
        }
        let mut chart = ChartBuilder::on(&area)
            .margin(margin)
            .margin_right(right)
            .x_label_area_size(x_area)
            .y_label_area_size(y_area)
            .build_cartesian_2d(xr.0..xr.1, yr.0..yr.1)?;
        chart
            .configure_mesh()
            .x_desc(self.xlabel.as_str())
            .y_desc(self.ylabel.as_str())
            .label_style(text(style::TICK_SIZE))
            .axis_desc_style(text(style::LABEL_SIZE))
            .x_labels(8)
            .y_labels(8)
            .x_label_formatter(&|v| number(*v))
            .y_label_formatter(&|v| number(*v))
            .bold_line_style(RGBColor(220, 220, 220))
            .light_line_style(RGBColor(242, 242, 242))
            .draw()?;

        for (i, s) in self.series.iter().enumerate() {
            let color = s.color.unwrap_or_else(|| series_color(i));
            let points: Vec<(f64, f64)> =
                s.xs.iter()
                    .zip(&s.ys)
                    .map(|(&x, &y)| (x, y))
                    .filter(|(x, y)| x.is_finite() && y.is_finite())
                    .collect();
            let annotation = match s.kind {
                Kind::Line => chart.draw_series(LineSeries::new(points, color.stroke_width(2)))?,
                Kind::Dashed => {
                    chart.draw_series(DashedLineSeries::new(points, 8, 5, color.stroke_width(2)))?
                }
                Kind::Points => {
                    chart.draw_series(points.iter().map(|&p| Circle::new(p, 3, color.filled())))?
                }
                Kind::Path => {
                    chart.draw_series(LineSeries::new(points.clone(), color.stroke_width(1)))?;
                    let pixels: Vec<(i32, i32)> =
                        points.iter().map(|p| chart.backend_coord(p)).collect();
                    for pair in pixels.windows(2) {
                        draw_arrow_head(top, pair[0], pair[1], color)?;
                    }
                    // numbers, except where they would pile up (near the minimum)
                    let mut numbered: Vec<(i32, i32)> = Vec::new();
                    for (k, &p) in pixels.iter().enumerate() {
                        top.draw(&Circle::new(p, 5, color.filled()))?;
                        top.draw(&Circle::new(p, 5, BLACK.stroke_width(1)))?;
                        let free = numbered
                            .iter()
                            .all(|q| (q.0 - p.0).pow(2) + (q.1 - p.1).pow(2) >= 18 * 18);
                        if free {
                            numbered.push(p);
                            top.draw(&Text::new(
                                format!("{k}"),
                                (p.0 + 6, p.1 - 18),
                                text(style::TICK_SIZE),
                            ))?;
                        }
                    }
                    chart.draw_series(std::iter::empty::<Circle<(f64, f64), i32>>())?
                }
            };
            if !s.label.is_empty() {
                annotation
                    .label(s.label.clone())
                    .legend(move |(x, y)| legend_mark(s.kind, color, x, y));
            }
        }
        if self.series.iter().any(|s| !s.label.is_empty()) {
            chart
                .configure_series_labels()
                .position(self.legend_corner(xr, yr))
                .background_style(WHITE.mix(0.85))
                .border_style(BLACK.mix(0.3))
                .label_font(text(style::TICK_SIZE + 1.0))
                .draw()?;
        }
        Ok(())
    }

    /// The corner of the chart with the fewest data points, for the legend.
    pub(super) fn legend_corner(&self, xr: (f64, f64), yr: (f64, f64)) -> SeriesLabelPosition {
        let mut counts = [0usize; 4]; // UL, UR, LL, LR
        for s in &self.series {
            for (&x, &y) in s.xs.iter().zip(&s.ys) {
                let u = (x - xr.0) / (xr.1 - xr.0);
                let v = (y - yr.0) / (yr.1 - yr.0);
                let (left, right, top, bottom) = (u < 0.45, u > 0.55, v > 0.65, v < 0.35);
                if top && left {
                    counts[0] += 1;
                }
                if top && right {
                    counts[1] += 1;
                }
                if bottom && left {
                    counts[2] += 1;
                }
                if bottom && right {
                    counts[3] += 1;
                }
            }
        }
        let order = [1, 0, 3, 2]; // prefer upper right on ties
        let best = order
            .into_iter()
            .min_by_key(|&i| counts[i])
            .expect("four corners");
        match best {
            0 => SeriesLabelPosition::UpperLeft,
            1 => SeriesLabelPosition::UpperRight,
            2 => SeriesLabelPosition::LowerLeft,
            _ => SeriesLabelPosition::LowerRight,
        }
    }
}

/// The small sample drawn next to a legend entry.
fn legend_mark<DB: DrawingBackend>(
    kind: Kind,
    color: RGBColor,
    x: i32,
    y: i32,
) -> DynElement<'static, DB, (i32, i32)> {
    match kind {
        Kind::Points | Kind::Path => Circle::new((x + 10, y), 4, color.filled()).into_dyn(),
        Kind::Dashed => {
            PathElement::new(vec![(x, y), (x + 7, y)], color.stroke_width(2)).into_dyn()
        }
        Kind::Line => PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(2)).into_dyn(),
    }
}

/// A small filled triangle in the middle of the segment `a → b`, pointing to `b`.
pub(crate) fn draw_arrow_head<DB: DrawingBackend>(
    top: &DrawingArea<DB, Shift>,
    a: (i32, i32),
    b: (i32, i32),
    color: RGBColor,
) -> PlotResult {
    let (dx, dy) = ((b.0 - a.0) as f64, (b.1 - a.1) as f64);
    let len = (dx * dx + dy * dy).sqrt();
    if len < 30.0 {
        return Ok(());
    }
    let (ux, uy) = (dx / len, dy / len);
    let (mx, my) = ((a.0 + b.0) as f64 / 2.0, (a.1 + b.1) as f64 / 2.0);
    let tip = (mx + ux * 5.0, my + uy * 5.0);
    let back = (mx - ux * 5.0, my - uy * 5.0);
    let p = |x: f64, y: f64| (x.round() as i32, y.round() as i32);
    top.draw(&Polygon::new(
        vec![
            p(tip.0, tip.1),
            p(back.0 - uy * 4.5, back.1 + ux * 4.5),
            p(back.0 + uy * 4.5, back.1 - ux * 4.5),
        ],
        color.filled(),
    ))?;
    Ok(())
}

impl Draw for Chart {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, _: Target) -> PlotResult {
        self.draw_in(root, root)
    }
}
