//! [`TrainingCurves`]: loss and accuracy per epoch, training against
//! validation, for one run or several side by side (course 10.3).

use plotters::coord::Shift;
use plotters::prelude::*;

use super::chart::Chart;
use super::figure::{Draw, Figure, Format, PlotResult, Target};
use super::figures::displayable;
use super::input::Values;
use super::style::{self, series_color, text, text_width};
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// The history of one training run: per-epoch values recorded in the loop.
///
/// ```
/// use apprentissage::prelude::*;
/// let run = Run::new("Linear 10")
///     .train_loss(&[2.1, 1.8, 1.7])
///     .val_accuracy(&[0.35, 0.39, 0.41]);
/// assert_eq!(run.name(), "Linear 10");
/// ```
#[derive(Clone, Debug)]
pub struct Run {
    name: String,
    /// train loss, validation loss, train accuracy, validation accuracy
    metrics: [Vec<f64>; 4],
}

impl Run {
    /// An empty run; its name appears in the legend.
    pub fn new(name: &str) -> Run {
        Run {
            name: name.to_string(),
            metrics: Default::default(),
        }
    }

    /// The run's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Training loss, one value per epoch.
    pub fn train_loss(mut self, values: &(impl Values + ?Sized)) -> Run {
        self.metrics[0] = values.to_f64s();
        self
    }

    /// Validation loss, one value per epoch.
    pub fn val_loss(mut self, values: &(impl Values + ?Sized)) -> Run {
        self.metrics[1] = values.to_f64s();
        self
    }

    /// Training accuracy (fractions or percentages), one value per epoch.
    pub fn train_accuracy(mut self, values: &(impl Values + ?Sized)) -> Run {
        self.metrics[2] = values.to_f64s();
        self
    }

    /// Validation accuracy (fractions or percentages), one value per epoch.
    pub fn val_accuracy(mut self, values: &(impl Values + ?Sized)) -> Run {
        self.metrics[3] = values.to_f64s();
        self
    }
}

/// Loss and accuracy curves per epoch: one colour per run, training as a
/// solid line, validation dashed; the loss on the left, the accuracy on the
/// right (a panel is left out when no run has its values).
///
/// Course 10.3 compares three networks on CIFAR-10 over 20 epochs:
///
/// ```
/// use apprentissage::prelude::*;
/// let fig = TrainingCurves::new()
///     .run(Run::new("Linear 10").val_accuracy(&[0.36, 0.39, 0.40, 0.41]))
///     .run(Run::new("Linear 256/10").val_accuracy(&[0.42, 0.45, 0.47, 0.48]))
///     .title("CIFAR-10, validation")
///     .render();
/// assert_eq!(fig.size(), (640, 460)); // one panel
/// ```
#[derive(Clone, Debug, Default)]
pub struct TrainingCurves {
    runs: Vec<Run>,
    title: Option<String>,
    size: Option<(u32, u32)>,
}

impl TrainingCurves {
    /// No run yet.
    pub fn new() -> TrainingCurves {
        TrainingCurves::default()
    }

    /// Adds a run.
    pub fn run(mut self, run: Run) -> TrainingCurves {
        self.runs.push(run);
        self
    }

    /// The title, above the panels.
    pub fn title(mut self, title: &str) -> TrainingCurves {
        self.title = Some(title.to_string());
        self
    }

    /// Size in pixels (default 960×440 for two panels, 640×460 for one).
    pub fn size(mut self, width: u32, height: u32) -> TrainingCurves {
        self.size = Some((width, height));
        self
    }

    /// Draws the curves as a PNG [`Figure`].
    pub fn render(&self) -> Figure {
        let size = self.size.unwrap_or(match self.panels().len() {
            2 => (960, 440),
            _ => (640, 460),
        });
        Figure::render(self.clone(), size, Format::Png)
    }

    /// The charts to draw (loss and/or accuracy), without legends: one
    /// legend for both is drawn below them.
    fn panels(&self) -> Vec<Chart> {
        let mut panels = Vec::new();
        for (first, title) in [(0, "Erreur (loss)"), (2, "Taux de prédiction (accuracy)")] {
            let has = |r: &Run, k: usize| !r.metrics[k].is_empty();
            if !self.runs.iter().any(|r| has(r, first) || has(r, first + 1)) {
                continue;
            }
            let mut chart = Chart::new().title(title).xlabel("epoch");
            for (i, run) in self.runs.iter().enumerate() {
                let color = series_color(i);
                for k in [first, first + 1] {
                    let values = &run.metrics[k];
                    if values.is_empty() {
                        continue;
                    }
                    let epochs: Vec<f64> = (1..=values.len()).map(|e| e as f64).collect();
                    chart = if k == first {
                        chart.line(&epochs, values, "")
                    } else {
                        chart.dashed(&epochs, values, "")
                    };
                    chart = chart.color((color.0, color.1, color.2));
                }
            }
            panels.push(chart);
        }
        if panels.is_empty() {
            panels.push(Chart::new().title("(aucune valeur)").xlabel("epoch"));
        }
        panels
    }

    /// Whether some run has training values, validation values.
    fn splits(&self) -> (bool, bool) {
        let any = |ks: [usize; 2]| {
            self.runs
                .iter()
                .any(|r| ks.iter().any(|&k| !r.metrics[k].is_empty()))
        };
        (any([0, 2]), any([1, 3]))
    }
}

/// Height of the legend row below the panels.
const LEGEND_H: u32 = 34;

impl Draw for TrainingCurves {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, _: Target) -> PlotResult {
        let area = match &self.title {
            Some(t) => root.titled(t, text(style::TITLE_SIZE + 2.0))?,
            None => root.clone(),
        };
        let (_, h) = area.dim_in_pixel();
        let (charts, legend) = area.split_vertically(h.saturating_sub(LEGEND_H));
        let panels = self.panels();
        let parts = charts.split_evenly((1, panels.len()));
        for (chart, part) in panels.iter().zip(&parts) {
            chart.draw_in(part, root)?;
        }
        // one legend for all panels: a colour per run, a line style per split
        let mut entries: Vec<(String, RGBColor, bool)> = self
            .runs
            .iter()
            .enumerate()
            .filter(|(_, r)| !r.name.is_empty())
            .map(|(i, r)| (r.name.clone(), series_color(i), false))
            .collect();
        let (train, val) = self.splits();
        if train && val {
            entries.push(("train".into(), RGBColor(60, 60, 60), false));
            entries.push(("validation".into(), RGBColor(60, 60, 60), true));
        }
        let widths: Vec<i32> = entries
            .iter()
            .map(|(s, _, _)| 34 + text_width(s, style::TICK_SIZE + 1.0) + 24)
            .collect();
        let (w, _) = legend.dim_in_pixel();
        let mut x = (w as i32 - widths.iter().sum::<i32>()) / 2;
        let y = 12;
        for ((label, color, dashed), width) in entries.iter().zip(widths) {
            if *dashed {
                for k in 0..3 {
                    let x0 = x + k * 11;
                    legend.draw(&PathElement::new(
                        vec![(x0, y), (x0 + 6, y)],
                        color.stroke_width(2),
                    ))?;
                }
            } else {
                legend.draw(&PathElement::new(
                    vec![(x, y), (x + 28, y)],
                    color.stroke_width(3),
                ))?;
            }
            let style = text(style::TICK_SIZE + 1.0).pos(Pos::new(HPos::Left, VPos::Center));
            legend.draw(&Text::new(label.clone(), (x + 34, y), style))?;
            x += width;
        }
        Ok(())
    }
}

displayable!(TrainingCurves);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plot::testing::assert_drawn;

    #[test]
    fn several_runs_in_two_panels() {
        let epochs = 20;
        let curve = |a: f64, b: f64| -> Vec<f64> {
            (0..epochs)
                .map(|e| a + b * (-(e as f64) / 5.0).exp())
                .collect()
        };
        let fig = TrainingCurves::new()
            .run(
                Run::new("A")
                    .train_loss(&curve(1.0, 1.0))
                    .val_loss(&curve(1.2, 0.9))
                    .train_accuracy(&curve(0.5, -0.3))
                    .val_accuracy(&curve(0.45, -0.3)),
            )
            .run(
                Run::new("B")
                    .train_loss(&curve(0.8, 1.2))
                    .val_accuracy(&curve(0.48, -0.3)),
            )
            .title("Deux réseaux")
            .render();
        let img = assert_drawn(&fig, (960, 440));
        // run A in blue, run B in orange
        assert!(img.pixel_fraction(|p| p == [31, 119, 180]) > 0.001);
        assert!(img.pixel_fraction(|p| p == [255, 127, 14]) > 0.001);
    }

    #[test]
    fn one_panel_when_only_the_loss_is_known() {
        let fig = TrainingCurves::new()
            .run(Run::new("").train_loss(&[3.0, 2.0, 1.5, 1.2]))
            .render();
        assert_drawn(&fig, (640, 460));
    }
}
