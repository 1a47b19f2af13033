//! Results: per exercise an outcome, points and a one-line reason; French text for the
//! student, JSON and CSV for the instructor.

use serde::{Deserialize, Serialize};
use std::fmt::Write as _;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Outcome {
    Pass,
    Fail,
    Panic,
    Timeout,
    CompileError,
    Crash,
    Missing,
    /// The answer does not do the exercise: a forbidden or missing call (src/forbidden.rs).
    Refused,
}

impl Outcome {
    pub fn code(self) -> &'static str {
        match self {
            Outcome::Pass => "PASS",
            Outcome::Fail => "FAIL",
            Outcome::Panic => "PANIC",
            Outcome::Timeout => "TIMEOUT",
            Outcome::CompileError => "COMPILE_ERROR",
            Outcome::Crash => "CRASH",
            Outcome::Missing => "MISSING",
            Outcome::Refused => "REFUSED",
        }
    }

    pub fn french(self) -> &'static str {
        match self {
            Outcome::Pass => "réussi",
            Outcome::Fail => "échoué",
            Outcome::Panic => "panique",
            Outcome::Timeout => "temps dépassé",
            Outcome::CompileError => "ne compile pas",
            Outcome::Crash => "plantage",
            Outcome::Missing => "absent",
            Outcome::Refused => "refusé",
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Exercise {
    pub id: String,
    pub outcome: Outcome,
    pub points: f64,
    pub max_points: f64,
    /// One line for the table.
    pub reason: String,
    /// Compiler message, panic location… (several lines, may be empty).
    pub details: String,
    /// The student's output during the check, truncated.
    pub output: String,
    pub notes: Vec<String>,
    pub seconds: f64,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Report {
    pub file: String,
    pub chapter: Option<String>,
    pub score: f64,
    pub max_score: f64,
    /// Why the file as a whole could not be graded (then every exercise is MISSING).
    pub error: Option<String>,
    pub notes: Vec<String>,
    pub exercises: Vec<Exercise>,
    pub seconds: f64,
}

impl Report {
    pub fn all_pass(&self) -> bool {
        self.error.is_none()
            && !self.exercises.is_empty()
            && self.exercises.iter().all(|e| e.outcome == Outcome::Pass)
    }

    /// Totals, and every text neutralised ([`crate::sanitize`]): any of them may come
    /// from the submission.
    pub fn finish(&mut self) {
        use crate::sanitize::text;
        self.file = text(&self.file);
        self.error = self.error.as_deref().map(text);
        for n in &mut self.notes {
            *n = text(n);
        }
        for e in &mut self.exercises {
            for s in [&mut e.id, &mut e.reason, &mut e.details, &mut e.output] {
                *s = text(s);
            }
            for n in &mut e.notes {
                *n = text(n);
            }
        }
        // `+ 0.0`: the sum of no exercise is -0.0
        self.score = self.exercises.iter().map(|e| e.points).sum::<f64>() + 0.0;
        self.max_score = self.exercises.iter().map(|e| e.max_points).sum::<f64>() + 0.0;
    }
}

/// Points as a number (JSON, CSV, instructors' lines): `2`, `2.5`, `0.25`; never `-0`.
pub fn points(p: f64) -> String {
    let p = p + 0.0; // -0.0 (the sum of nothing) becomes 0
    if p.fract() == 0.0 {
        format!("{p:.0}")
    } else {
        let s = format!("{p:.2}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// Points in French text: a decimal comma (`2,5`).
pub fn points_fr(p: f64) -> String {
    points(p).replace('.', ",")
}

fn indent(text: &str, by: &str) -> String {
    text.lines().map(|l| format!("{by}{l}\n")).collect()
}

/// The student's report, in French.
pub fn text(r: &Report) -> String {
    let mut s = String::new();
    let chapter = r
        .chapter
        .as_deref()
        .map(|c| format!(" (chapitre {c})"))
        .unwrap_or_default();
    writeln!(s, "Correction de {}{chapter}", r.file).unwrap();
    if let Some(e) = &r.error {
        writeln!(s, "  Impossible de corriger ce fichier : {e}").unwrap();
    }
    for n in &r.notes {
        writeln!(s, "  remarque : {n}").unwrap();
    }
    let width = r
        .exercises
        .iter()
        .map(|e| e.id.chars().count())
        .max()
        .unwrap_or(9)
        .max(9);
    if !r.exercises.is_empty() {
        writeln!(s).unwrap();
        writeln!(s, "  {:width$}  points  résultat", "exercice").unwrap();
    }
    for e in &r.exercises {
        let pts = format!("{}/{}", points_fr(e.points), points_fr(e.max_points));
        let reason = if e.reason.is_empty() {
            String::new()
        } else {
            format!(" : {}", e.reason)
        };
        writeln!(
            s,
            "  {:width$}  {pts:>6}  {}{reason}",
            e.id,
            e.outcome.french()
        )
        .unwrap();
    }
    // a file that could not be graded at all (no chapter) has no table and no total
    if !r.exercises.is_empty() {
        writeln!(
            s,
            "\nTotal : {} / {}",
            points_fr(r.score),
            points_fr(r.max_score)
        )
        .unwrap();
    }
    let details: Vec<&Exercise> = r
        .exercises
        .iter()
        .filter(|e| {
            e.outcome != Outcome::Pass
                && (!e.details.is_empty() || !e.output.is_empty() || !e.notes.is_empty())
        })
        .collect();
    if !details.is_empty() {
        writeln!(s, "\nDétails").unwrap();
    }
    for e in details {
        writeln!(s, "\n  [{}] {}", e.id, e.outcome.french()).unwrap();
        for n in &e.notes {
            writeln!(s, "    remarque : {n}").unwrap();
        }
        s += &indent(&e.details, "    ");
        if !e.output.is_empty() {
            writeln!(s, "    sortie de votre code pendant le test :").unwrap();
            s += &indent(&e.output, "    | ");
        }
    }
    if r.all_pass() {
        writeln!(s, "\nBravo : tous les exercices sont réussis.").unwrap();
    }
    s
}

/// One line per submission for a batch.
pub fn summary_line(r: &Report) -> String {
    let outcomes: Vec<String> = r
        .exercises
        .iter()
        .map(|e| format!("{}={}", e.id, e.outcome.code()))
        .collect();
    let err = r
        .error
        .as_deref()
        .map(|e| format!("  [{e}]"))
        .unwrap_or_default();
    format!(
        "{}  {}/{}  {}{err}",
        r.file,
        points(r.score),
        points(r.max_score),
        outcomes.join(" ")
    )
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// A gradebook: one row per submission; per exercise its points and its outcome.
pub fn csv(reports: &[Report]) -> String {
    let mut ids: Vec<String> = Vec::new();
    for r in reports {
        for e in &r.exercises {
            if !ids.contains(&e.id) {
                ids.push(e.id.clone());
            }
        }
    }
    let mut header = vec![
        "file".to_string(),
        "chapter".into(),
        "score".into(),
        "max_score".into(),
        "error".into(),
    ];
    for id in &ids {
        header.push(id.clone());
        header.push(format!("{id} outcome"));
    }
    let mut out = header
        .iter()
        .map(|h| csv_field(h))
        .collect::<Vec<_>>()
        .join(",")
        + "\n";
    for r in reports {
        let mut row = vec![
            r.file.clone(),
            r.chapter.clone().unwrap_or_default(),
            points(r.score),
            points(r.max_score),
            r.error.clone().unwrap_or_default(),
        ];
        for id in &ids {
            match r.exercises.iter().find(|e| &e.id == id) {
                Some(e) => {
                    row.push(points(e.points));
                    row.push(e.outcome.code().into());
                }
                None => row.extend([String::new(), String::new()]),
            }
        }
        out += &(row
            .iter()
            .map(|f| csv_field(f))
            .collect::<Vec<_>>()
            .join(",")
            + "\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_in_numbers_and_in_french() {
        assert_eq!(points(2.5), "2.5");
        assert_eq!(points(0.25), "0.25");
        assert_eq!(points(2.0), "2");
        assert_eq!(points(-0.0), "0");
        assert_eq!(points(2.999), "3");
        assert_eq!(points_fr(2.5), "2,5");
        assert_eq!(points_fr(12.0), "12");
    }

    #[test]
    fn a_file_that_could_not_be_graded_has_no_total() {
        let mut r = Report {
            file: "x.ipynb".into(),
            chapter: None,
            score: 0.0,
            max_score: 0.0,
            error: Some("fichier introuvable".into()),
            notes: vec![],
            exercises: vec![],
            seconds: 0.0,
        };
        r.finish();
        let t = text(&r);
        assert!(!t.contains("Total") && !t.contains("-0"), "{t}");
        assert!(
            t.contains("Impossible de corriger ce fichier : fichier introuvable"),
            "{t}"
        );
        let json = serde_json::to_value(&r).unwrap();
        assert_eq!(json["score"].to_string(), "0.0");
    }

    #[test]
    fn refused_is_reported_in_french() {
        assert_eq!(Outcome::Refused.code(), "REFUSED");
        assert_eq!(Outcome::Refused.french(), "refusé");
        let r = Report {
            file: "a.ipynb".into(),
            chapter: Some("ch9".into()),
            score: 0.0,
            max_score: 2.5,
            error: None,
            notes: vec![],
            exercises: vec![Exercise {
                id: "9.1-softmax".into(),
                outcome: Outcome::Refused,
                points: 0.0,
                max_points: 2.5,
                reason: "n'appelez pas `softmax`".into(),
                details: String::new(),
                output: String::new(),
                notes: vec![],
                seconds: 0.0,
            }],
            seconds: 0.0,
        };
        let t = text(&r);
        assert!(t.contains("0/2,5  refusé : n'appelez pas `softmax`"), "{t}");
        assert!(t.contains("Total : 0 / 2,5"), "{t}");
        assert_eq!(
            serde_json::to_value(&r).unwrap()["exercises"][0]["outcome"],
            "REFUSED"
        );
    }

    #[test]
    fn csv_quotes_and_formats_points() {
        let r = Report {
            file: "a,b.ipynb".into(),
            chapter: Some("demo".into()),
            score: 2.0,
            max_score: 5.0,
            error: None,
            notes: vec![],
            exercises: vec![Exercise {
                id: "x".into(),
                outcome: Outcome::CompileError,
                points: 0.0,
                max_points: 2.5,
                reason: String::new(),
                details: String::new(),
                output: String::new(),
                notes: vec![],
                seconds: 0.0,
            }],
            seconds: 0.0,
        };
        assert_eq!(
            csv(&[r]),
            "file,chapter,score,max_score,error,x,x outcome\n\"a,b.ipynb\",demo,2,5,,0,COMPILE_ERROR\n"
        );
    }
}
