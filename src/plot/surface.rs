//! [`Surface`]: the graph of f(x, y) in 3-D, with the tangent plane at a
//! point (course 2.2).

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::figure::{Draw, Figure, Format, PlotResult, Target};
use super::figures::displayable;
use super::style::{self, colored_text, number, text, tint, viridis};

/// Number of cells of the surface's grid along each axis.
const GRID: usize = 28;
/// Colour of the tangent plane and of its two tangent lines.
const PLANE: RGBColor = RGBColor(230, 120, 30);
const LINES: RGBColor = RGBColor(200, 25, 25);

/// The point of tangency: position, value and the two partial derivatives.
#[derive(Clone, Copy, Debug)]
struct Tangent {
    x: f64,
    y: f64,
    z: f64,
    dx: f64,
    dy: f64,
}

/// The surface z = f(x, y) over a rectangle, seen in perspective and coloured
/// by height, and on request the **tangent plane** at a point (x₀, y₀):
///
/// z = f(x₀, y₀) + (x − x₀)·∂f/∂x + (y − y₀)·∂f/∂y,
///
/// drawn in orange with its two tangent lines (x alone varies, y alone
/// varies) in red; the legend writes the plane's equation. The faces of the
/// surface are drawn from the farthest to the nearest; the plane is drawn
/// see-through on top (under a convex surface it would be hidden).
/// [`Surface::yaw`] turns the point of view.
///
/// ```
/// use apprentissage::prelude::*;
/// let f = |x: f32, y: f32| x * x + y * y; // ∇f = (2x, 2y)
/// let fig = Surface::new(f, (-2.0, 2.0), (-2.0, 2.0))
///     .tangent_plane((1.0, 0.5), f(1.0, 0.5), (2.0, 1.0))
///     .title("f(x, y) = x² + y² et son plan tangent en (1, 0.5)")
///     .render();
/// assert_eq!(fig.size(), (640, 520));
/// fig.save(std::env::temp_dir().join("plan-tangent.png")).unwrap();
/// ```
#[derive(Clone, Debug)]
pub struct Surface {
    x_range: (f64, f64),
    y_range: (f64, f64),
    /// GRID + 1 rows (y) of GRID + 1 values (x)
    z: Vec<Vec<f64>>,
    tangent: Option<Tangent>,
    title: Option<String>,
    zlabel: String,
    size: (u32, u32),
    yaw: f64,
}

impl Surface {
    /// The surface of `f` over `x_range` × `y_range`.
    pub fn new(f: impl Fn(f32, f32) -> f32, x_range: (f32, f32), y_range: (f32, f32)) -> Surface {
        let (x0, x1) = (x_range.0 as f64, x_range.1 as f64);
        let (y0, y1) = (y_range.0 as f64, y_range.1 as f64);
        assert!(
            x1 > x0 && y1 > y0,
            "Surface: empty range ({x0}, {x1}) × ({y0}, {y1})"
        );
        let z = (0..=GRID)
            .map(|j| {
                let y = y0 + (y1 - y0) * j as f64 / GRID as f64;
                (0..=GRID)
                    .map(|i| {
                        let x = x0 + (x1 - x0) * i as f64 / GRID as f64;
                        f(x as f32, y as f32) as f64
                    })
                    .collect()
            })
            .collect();
        Surface {
            x_range: (x0, x1),
            y_range: (y0, y1),
            z,
            tangent: None,
            title: None,
            zlabel: "f(x, y)".into(),
            size: (640, 520),
            yaw: 0.6,
        }
    }

    /// Adds the tangent plane at (`x0`, `y0`), where f equals `z0` and its
    /// partial derivatives are `(dfdx, dfdy)` (computed by hand, by autograd
    /// or by finite differences).
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// let g = |x: f32, y: f32| x * y; // ∂g/∂x = y, ∂g/∂y = x
    /// let s = Surface::new(g, (-1.0, 1.0), (-1.0, 1.0)).tangent_plane((0.5, -0.5), g(0.5, -0.5), (-0.5, 0.5));
    /// assert_eq!(s.gradient(), Some((-0.5, 0.5)));
    /// ```
    pub fn tangent_plane(
        mut self,
        (x0, y0): (f32, f32),
        z0: f32,
        (dfdx, dfdy): (f32, f32),
    ) -> Surface {
        self.tangent = Some(Tangent {
            x: x0 as f64,
            y: y0 as f64,
            z: z0 as f64,
            dx: dfdx as f64,
            dy: dfdy as f64,
        });
        self
    }

    /// The partial derivatives used for the tangent plane, if there is one.
    pub fn gradient(&self) -> Option<(f64, f64)> {
        self.tangent.map(|t| (t.dx, t.dy))
    }

    /// The title, above the figure.
    pub fn title(mut self, title: &str) -> Surface {
        self.title = Some(title.to_string());
        self
    }

    /// The name of the vertical axis (default "f(x, y)").
    pub fn zlabel(mut self, name: &str) -> Surface {
        self.zlabel = name.to_string();
        self
    }

    /// Size in pixels (default 640×520).
    pub fn size(mut self, width: u32, height: u32) -> Surface {
        self.size = (width, height);
        self
    }

    /// The angle of view around the vertical axis, in radians (default 0.6).
    pub fn yaw(mut self, radians: f64) -> Surface {
        self.yaw = radians;
        self
    }

    /// Draws the surface as a PNG [`Figure`].
    pub fn render(&self) -> Figure {
        Figure::render(self.clone(), self.size, Format::Png)
    }
}

displayable!(Surface);

/// A point of the 3-D chart: (x, f(x, y), y), the vertical axis second.
type Point3 = (f64, f64, f64);

/// `c·(v − at)` written for a person: `− 3·(x + 0.5)`, `+ 4·(y − 0.5)`, `+ 2·x`.
fn term(c: f64, v: &str, at: f64) -> String {
    let sign = if c < 0.0 { "−" } else { "+" };
    let inner = if at == 0.0 {
        v.to_string()
    } else if at < 0.0 {
        format!("({v} + {})", number(-at))
    } else {
        format!("({v} − {})", number(at))
    };
    format!("{sign} {}·{inner}", number(c.abs()))
}

/// The equation of the tangent plane, as written under the figure.
fn equation(t: &Tangent) -> String {
    format!(
        "plan tangent en ({}, {}) : z = {} {} {}",
        number(t.x),
        number(t.y),
        number(t.z),
        term(t.dx, "x", t.x),
        term(t.dy, "y", t.y)
    )
}

impl Draw for Surface {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, _: Target) -> PlotResult {
        let area = match &self.title {
            Some(t) => root.titled(t, text(style::TITLE_SIZE))?,
            None => root.clone(),
        };
        let (x0, x1) = self.x_range;
        let (y0, y1) = self.y_range;
        let flat = self.z.iter().flatten().copied().filter(|v| v.is_finite());
        let (zmin, zmax) = flat.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
            (a.min(v), b.max(v))
        });
        let (zmin, zmax) = if zmax > zmin {
            (zmin, zmax)
        } else {
            (zmin - 1.0, zmin + 1.0)
        };
        let bottom = if self.tangent.is_some() { 62 } else { 24 };
        // plotters' 3-D axes: x, then the vertical axis (our z), then y
        let mut chart = ChartBuilder::on(&area)
            .margin(16)
            .margin_bottom(bottom)
            .build_cartesian_3d(x0..x1, zmin..zmax, y0..y1)?;
        let yaw = self.yaw;
        chart.with_projection(|mut p| {
            p.yaw = yaw;
            p.pitch = 0.45;
            p.scale = 0.8;
            p.into_matrix()
        });
        chart
            .configure_axes()
            .label_style(text(style::TICK_SIZE))
            .light_grid_style(RGBColor(225, 225, 225))
            .max_light_lines(2)
            .x_labels(5)
            .y_labels(5)
            .z_labels(5)
            .x_formatter(&|v| number(*v))
            .y_formatter(&|v| number(*v))
            .z_formatter(&|v| number(*v))
            .draw()?;

        // the faces of the surface, drawn from the farthest to the nearest
        // (plotters: a larger depth is farther from the eye)
        let xs = |i: usize| x0 + (x1 - x0) * i as f64 / GRID as f64;
        let ys = |j: usize| y0 + (y1 - y0) * j as f64 / GRID as f64;
        let coord = chart.as_coord_spec().clone();
        let mut faces: Vec<(i32, [Point3; 4])> = Vec::new();
        for j in 0..GRID {
            for i in 0..GRID {
                let c = [
                    (xs(i), self.z[j][i], ys(j)),
                    (xs(i + 1), self.z[j][i + 1], ys(j)),
                    (xs(i + 1), self.z[j + 1][i + 1], ys(j + 1)),
                    (xs(i), self.z[j + 1][i], ys(j + 1)),
                ];
                if c.iter().all(|p| p.1.is_finite()) {
                    let d = c
                        .iter()
                        .map(|p| coord.projected_depth(&p.0, &p.1, &p.2))
                        .sum();
                    faces.push((d, c));
                }
            }
        }
        faces.sort_by_key(|f| std::cmp::Reverse(f.0));
        for (_, c) in &faces {
            let mean = c.iter().map(|p| p.1).sum::<f64>() / 4.0;
            let fill = tint(viridis((mean - zmin) / (zmax - zmin)), 0.85);
            chart.draw_series(std::iter::once(Polygon::new(c.to_vec(), fill.filled())))?;
            let mut outline = c.to_vec();
            outline.push(c[0]);
            chart.draw_series(std::iter::once(PathElement::new(
                outline,
                RGBColor(110, 110, 110).mix(0.5).stroke_width(1),
            )))?;
        }

        // the tangent plane, see-through and on top: for a convex function it
        // lies under the surface, which would hide it
        if let Some(t) = self.tangent {
            let (hx, hy) = ((x1 - x0) / 5.0, (y1 - y0) / 5.0);
            let plane = |x: f64, y: f64| (x, t.z + (x - t.x) * t.dx + (y - t.y) * t.dy, y);
            let square = vec![
                plane(t.x - hx, t.y - hy),
                plane(t.x + hx, t.y - hy),
                plane(t.x + hx, t.y + hy),
                plane(t.x - hx, t.y + hy),
            ];
            chart.draw_series(std::iter::once(Polygon::new(
                square.clone(),
                PLANE.mix(0.55).filled(),
            )))?;
            let mut border = square.clone();
            border.push(square[0]);
            chart.draw_series(std::iter::once(PathElement::new(
                border,
                PLANE.stroke_width(2),
            )))?;
            for (a, b) in [
                (plane(t.x - hx, t.y), plane(t.x + hx, t.y)),
                (plane(t.x, t.y - hy), plane(t.x, t.y + hy)),
            ] {
                chart.draw_series(std::iter::once(PathElement::new(
                    vec![a, b],
                    LINES.stroke_width(3),
                )))?;
            }
            chart.draw_series(std::iter::once(Circle::new(
                (t.x, t.z, t.y),
                5,
                BLACK.filled(),
            )))?;
            let (w, h) = root.dim_in_pixel();
            let style = colored_text(style::TICK_SIZE + 1.0, RGBColor(150, 70, 10))
                .pos(Pos::new(HPos::Center, VPos::Bottom));
            root.draw(&Text::new(
                equation(&t),
                (w as i32 / 2, h as i32 - 26),
                style,
            ))?;
            let style =
                colored_text(style::TICK_SIZE, LINES).pos(Pos::new(HPos::Center, VPos::Bottom));
            root.draw(&Text::new(
                "en rouge : les deux tangentes (seul x varie, seul y varie)",
                (w as i32 / 2, h as i32 - 6),
                style,
            ))?;
        }

        // names of the axes, beyond the edges that carry the ticks: those that
        // meet at the bottom corner nearest to the eye; the vertical axis
        // carries its ticks on the left of the picture
        let (cx, cy) = [(x0, y0), (x0, y1), (x1, y0), (x1, y1)]
            .into_iter()
            .min_by_key(|&(x, y)| coord.projected_depth(&x, &zmin, &y))
            .expect("four corners");
        let (ox, oy) = (x0 + x1 - cx, y0 + y1 - cy); // the opposite corner
        let screen_x = |x: f64, y: f64| coord.translate(&(x, zmin, y)).0;
        let (vx, vy) = if screen_x(ox, cy) < screen_x(cx, oy) {
            (ox, cy)
        } else {
            (cx, oy)
        };
        let name = text(style::LABEL_SIZE).pos(Pos::new(HPos::Center, VPos::Center));
        let labels = [
            (
                "x".to_string(),
                ((x0 + x1) / 2.0, zmin, cy + (cy - oy) * 0.3),
            ),
            (
                "y".to_string(),
                (cx + (cx - ox) * 0.3, zmin, (y0 + y1) / 2.0),
            ),
            (self.zlabel.clone(), (vx, zmax + (zmax - zmin) * 0.1, vy)),
        ];
        for (s, at) in labels {
            chart.draw_series(std::iter::once(Text::new(s, at, name.clone())))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plot::testing::assert_drawn;

    fn paraboloid(x: f32, y: f32) -> f32 {
        x * x + 2.0 * y * y
    }

    #[test]
    fn the_plane_goes_through_the_point_with_the_given_slopes() {
        let s = Surface::new(paraboloid, (-2.0, 2.0), (-2.0, 2.0)).tangent_plane(
            (1.0, -0.5),
            paraboloid(1.0, -0.5),
            (2.0, -2.0),
        );
        assert_eq!(s.gradient(), Some((2.0, -2.0)));
        let t = s.tangent.unwrap();
        assert_eq!((t.x, t.y, t.z), (1.0, -0.5, 1.5));
        assert_eq!(
            equation(&t),
            "plan tangent en (1, -0.5) : z = 1.5 + 2·(x − 1) − 2·(y + 0.5)"
        );
        let origin = Tangent {
            x: 0.0,
            y: 0.0,
            z: 0.0,
            dx: -0.25,
            dy: 3.0,
        };
        assert_eq!(
            equation(&origin),
            "plan tangent en (0, 0) : z = 0 − 0.25·x + 3·y"
        );
    }

    #[test]
    fn the_surface_and_its_plane_are_drawn() {
        let bare = Surface::new(paraboloid, (-2.0, 2.0), (-2.0, 2.0)).size(500, 420);
        let with = bare.clone().tangent_plane((1.0, -0.5), 1.5, (2.0, -2.0));
        let img = assert_drawn(&bare.render(), (500, 420));
        let img2 = assert_drawn(&with.render(), (500, 420));
        // the border of the plane is drawn in its plain colour
        let plane = |p: [u8; 3]| p == [PLANE.0, PLANE.1, PLANE.2];
        let red = |p: [u8; 3]| p == [LINES.0, LINES.1, LINES.2];
        // the plane's orange and the tangents' red appear only with the plane
        assert_eq!(img.pixel_fraction(plane), 0.0);
        assert!(
            img2.pixel_fraction(plane) > 0.002,
            "{}",
            img2.pixel_fraction(plane)
        );
        assert!(img2.pixel_fraction(red) > 0.001);
        // the surface takes a good part of the picture
        assert!(img.pixel_fraction(|p| p != [255, 255, 255]) > 0.25);
    }
}
