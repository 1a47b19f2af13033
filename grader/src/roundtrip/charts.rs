//! The class page's three charts, drawn by the course crate's plot module
//! ([`apprentissage::plot::Bars`]) as PNG and returned as `data:` URIs.

use super::{fr, Class};
use crate::report::Outcome;
use apprentissage::plot::Bars;
use base64::Engine as _;

/// Every outcome, in the order of the legend, with its colour (the badges' colours).
pub const OUTCOMES: [(Outcome, (u8, u8, u8)); 8] = [
    (Outcome::Pass, (30, 132, 73)),
    (Outcome::Fail, (211, 84, 0)),
    (Outcome::Panic, (192, 57, 43)),
    (Outcome::Timeout, (125, 60, 152)),
    (Outcome::CompileError, (146, 43, 33)),
    (Outcome::Refused, (183, 149, 11)),
    (Outcome::Crash, (52, 73, 94)),
    (Outcome::Missing, (128, 139, 150)),
];

fn data_uri(bars: &Bars) -> String {
    let fig = bars.render();
    format!(
        "data:image/png;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(fig.bytes())
    )
}

/// Buckets of totals: one per point when the maximum is at most 40, else ten equal ranges.
pub fn buckets(totals: &[f64], max: f64) -> (Vec<String>, Vec<f64>) {
    let n = if max <= 40.0 {
        max.floor() as usize + 1
    } else {
        10
    };
    let width = if max <= 40.0 { 1.0 } else { max / 10.0 };
    let labels = (0..n)
        .map(|k| {
            if width == 1.0 {
                fr(k as f64)
            } else {
                format!(
                    "{}–{}",
                    fr((k as f64 * width).round()),
                    fr(((k + 1) as f64 * width).round())
                )
            }
        })
        .collect();
    let mut counts = vec![0.0; n];
    for &t in totals {
        let k = ((t / width).floor().max(0.0) as usize).min(n - 1);
        counts[k] += 1.0;
    }
    (labels, counts)
}

/// The distribution of totals.
pub fn totals(class: &Class) -> String {
    let totals: Vec<f64> = class.entries.iter().map(|e| e.score()).collect();
    let (labels, counts) = buckets(&totals, class.max);
    data_uri(
        &Bars::new(&labels)
            .series(&counts, "")
            .color((41, 98, 155))
            .title("Répartition des totaux")
            .xlabel(&format!("total (sur {})", fr(class.max)))
            .ylabel("élèves")
            .size(640, 360),
    )
}

/// The share of participants who passed each exercise, in percent.
pub fn pass_rate(class: &Class) -> String {
    let ids: Vec<&str> = class.exercises.iter().map(|(id, _)| id.as_str()).collect();
    let n = class.entries.len().max(1) as f64;
    let rates: Vec<f64> = ids
        .iter()
        .map(|id| class.count(id, Outcome::Pass) as f64 * 100.0 / n)
        .collect();
    data_uri(
        &Bars::new(&ids)
            .series(&rates, "")
            .color((30, 132, 73))
            .top(100.0)
            .title("Taux de réussite par exercice")
            .ylabel("% des élèves")
            .size(640, 360),
    )
}

/// Per exercise, how many participants got each outcome (stacked).
pub fn outcomes(class: &Class) -> String {
    let ids: Vec<&str> = class.exercises.iter().map(|(id, _)| id.as_str()).collect();
    let mut bars = Bars::new(&ids)
        .title("Résultats par exercice")
        .ylabel("élèves")
        .top(class.entries.len().max(1) as f64 * 1.35)
        .size(640, 400);
    for (outcome, color) in OUTCOMES {
        let counts: Vec<f64> = ids
            .iter()
            .map(|id| class.count(id, outcome) as f64)
            .collect();
        if counts.iter().any(|&c| c > 0.0) {
            bars = bars.series(&counts, outcome.french()).color(color);
        }
    }
    data_uri(&bars)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn totals_fall_in_their_bucket() {
        let (labels, counts) = buckets(&[0.0, 2.0, 3.5, 5.0, 5.0], 5.0);
        assert_eq!(labels, ["0", "1", "2", "3", "4", "5"]);
        assert_eq!(counts, [1.0, 0.0, 1.0, 1.0, 0.0, 2.0]);
        let (labels, counts) = buckets(&[0.0, 99.0, 100.0], 100.0);
        assert_eq!((labels.len(), counts[0], counts[9]), (10, 1.0, 2.0));
    }
}
