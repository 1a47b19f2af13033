//! The verdict, decided in the grader: the observations a probe recorded against the
//! student's answers are compared, in order, with those it recorded against the reference
//! answers (same probe, same seed; grader/template/support.rs writes both lists).
//!
//! Only the reference run's numbers are trusted: its expected values, its tolerances, its
//! labels. A student value matches when it is within the reference's tolerance of the
//! reference's expected value or of the reference's own result (so that a statistic the
//! solution itself only approaches still matches a correct answer). Booleans and texts must
//! be equal; the probe must end as the reference's did. The first difference gives the
//! French reason; the expected value is shown only when the label names the course
//! (« du cours »), which prints it.
//!
//! ```text
//! reference: number « f(2) du cours » got 39 want 39 tol 0.001, end ok
//! student:   number « f(2) du cours » got 2,                    end err
//! → FAIL « f(2) du cours : obtenu 2, attendu 39 (à 0.001 près) »
//! ```

use crate::report::Outcome;
use serde_json::Value;

/// What the comparison decided: the outcome, a one-line reason, details.
#[derive(Debug, PartialEq)]
pub struct Verdict {
    pub outcome: Outcome,
    pub reason: String,
    pub details: String,
    /// The panic's place, for a `PANIC` (as the harness wrote it).
    pub location: String,
}

impl Verdict {
    fn new(outcome: Outcome, reason: impl Into<String>) -> Verdict {
        Verdict {
            outcome,
            reason: reason.into(),
            details: String::new(),
            location: String::new(),
        }
    }
}

fn number(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) if s == "NaN" => Some(f64::NAN),
        Value::String(s) if s == "inf" => Some(f64::INFINITY),
        Value::String(s) if s == "-inf" => Some(f64::NEG_INFINITY),
        _ => None,
    }
}

fn numbers(v: &Value) -> Vec<Option<f64>> {
    v.as_array()
        .map(|a| a.iter().map(number).collect())
        .unwrap_or_default()
}

fn text<'a>(v: &'a Value, key: &str) -> &'a str {
    v[key].as_str().unwrap_or("")
}

/// `got` matches `want` within `tol` (NaN matches only NaN, infinities only themselves).
fn near(got: Option<f64>, want: Option<f64>, tol: f64) -> bool {
    match (got, want) {
        (Some(g), Some(w)) if g.is_nan() || w.is_nan() => g.is_nan() && w.is_nan(),
        (Some(g), Some(w)) if g.is_infinite() || w.is_infinite() => g == w,
        (Some(g), Some(w)) => (g - w).abs() <= tol,
        _ => false,
    }
}

/// A French decimal (comma), shortest form.
fn fr(x: f64) -> String {
    if x.is_nan() {
        "NaN".into()
    } else if x.is_infinite() {
        if x > 0.0 { "+∞" } else { "−∞" }.into()
    } else {
        format!("{}", x as f32).replace('.', ",")
    }
}

fn shown(label: &str) -> bool {
    label.contains("du cours")
}

fn list(xs: &[Option<f64>]) -> String {
    let items: Vec<String> = xs
        .iter()
        .take(12)
        .map(|x| x.map(fr).unwrap_or_else(|| "?".into()))
        .collect();
    let more = if xs.len() > 12 { " …" } else { "" };
    format!("[{}{more}]", items.join("; "))
}

/// The first difference between the student's observation `s` and the reference's `r`
/// (both of the same kind and label), as a French reason; `None` when they match.
fn differs(s: &Value, r: &Value) -> Option<String> {
    let label = text(r, "label");
    let tol = number(&r["tol"]).unwrap_or(0.0);
    let tol_fr = fr(tol);
    match text(r, "kind") {
        "number" => {
            let got = number(&s["got"]);
            if near(got, number(&r["want"]), tol) || near(got, number(&r["got"]), tol) {
                return None;
            }
            let got = got.map(fr).unwrap_or_else(|| "?".into());
            Some(if shown(label) {
                let want = number(&r["want"]).map(fr).unwrap_or_default();
                format!("{label} : obtenu {got}, attendu {want} (à {tol_fr} près)")
            } else {
                format!("{label} : obtenu {got}, ce n'est pas la valeur attendue (écart supérieur à {tol_fr})")
            })
        }
        "tensor" => {
            let shape = &s["shape"];
            let (rg, rw) = (numbers(&r["got"]), numbers(&r["want"]));
            let g = numbers(&s["got"]);
            let against = if *shape == r["want_shape"] {
                Some(&rw)
            } else {
                None
            };
            let against_own = if *shape == r["shape"] {
                Some(&rg)
            } else {
                None
            };
            if against.is_none() && against_own.is_none() {
                return Some(format!(
                    "{label} : forme obtenue {shape}, attendue {}",
                    r["want_shape"]
                ));
            }
            let ok_at = |i: usize| {
                against.is_some_and(|w| near(g[i], w.get(i).copied().flatten(), tol))
                    || against_own.is_some_and(|w| near(g[i], w.get(i).copied().flatten(), tol))
            };
            let bad = (0..g.len()).find(|&i| !ok_at(i))?;
            let got = g[bad].map(fr).unwrap_or_else(|| "?".into());
            let expected = if shown(label) {
                format!(
                    ", attendu {}",
                    rw.get(bad).copied().flatten().map(fr).unwrap_or_default()
                )
            } else {
                String::new()
            };
            Some(format!(
                "{label} : à l'indice {bad} (à plat), obtenu {got}{expected} (écart permis {tol_fr})\n  obtenu : {}",
                list(&g)
            ))
        }
        "bool" => {
            if s["value"] == r["value"] {
                return None;
            }
            let m = if s["value"] == false {
                text(s, "message")
            } else {
                text(r, "message")
            };
            Some(m.to_string())
        }
        "text" => {
            if s["got"] == r["got"] {
                return None;
            }
            Some(format!("{label} : obtenu {}", text(s, "got")))
        }
        _ => Some("observation inconnue (erreur du correcteur)".into()),
    }
}

/// Compares the student's observations with the reference's (each list ends with the
/// probe's `end` record; the student's may stop early).
pub fn verdict(student: &[Value], reference: &[Value]) -> Verdict {
    for (i, r) in reference.iter().enumerate() {
        let Some(s) = student.get(i) else {
            return Verdict::new(
                Outcome::Crash,
                "le test s'est arrêté avant la fin, sans dire pourquoi",
            );
        };
        let (sk, rk) = (text(s, "kind"), text(r, "kind"));
        if sk == "end" {
            let (status, message) = (text(s, "status"), text(s, "message"));
            if rk == "end" && status == text(r, "status") {
                return Verdict::new(Outcome::Pass, "");
            }
            return match status {
                "panic" => Verdict {
                    location: text(s, "location").to_string(),
                    ..Verdict::new(Outcome::Panic, message)
                },
                "err" => Verdict::new(Outcome::Fail, message),
                "ok" => Verdict::new(
                    Outcome::Fail,
                    "le test s'est terminé plus tôt qu'avec la solution : un résultat manque",
                ),
                _ => Verdict::new(Outcome::Crash, message),
            };
        }
        if rk == "end" {
            return Verdict::new(
                Outcome::Fail,
                "le test a observé plus de résultats qu'avec la solution (erreur du correcteur ou réponse qui imite le test)",
            );
        }
        if sk != rk || s["label"] != r["label"] {
            return Verdict::new(
                Outcome::Fail,
                format!(
                    "le test ne se déroule pas comme avec la solution à l'étape « {} »",
                    text(r, "label")
                ),
            );
        }
        if let Some(why) = differs(s, r) {
            let mut lines = why.lines();
            let reason = lines.next().unwrap_or("").to_string();
            let details = lines.collect::<Vec<_>>().join("\n");
            return Verdict {
                details,
                ..Verdict::new(Outcome::Fail, reason)
            };
        }
    }
    Verdict::new(
        Outcome::Crash,
        "la solution de référence n'a pas de fin enregistrée (erreur du correcteur)",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn end(status: &str, message: &str) -> Value {
        json!({"kind": "end", "status": status, "message": message, "location": ""})
    }

    fn num(label: &str, got: f64, want: f64, tol: f64) -> Value {
        json!({"kind": "number", "label": label, "got": got, "want": want, "tol": tol})
    }

    #[test]
    fn equal_lists_pass_and_the_first_difference_fails() {
        let r = vec![
            num("a", 1.0, 1.0, 1e-3),
            num("b", 2.0, 2.0, 1e-3),
            end("ok", ""),
        ];
        assert_eq!(verdict(&r, &r).outcome, Outcome::Pass);
        let s = vec![
            num("a", 1.0, 1.0, 1e-3),
            num("b", 2.5, 2.5, 1e-3),
            end("err", "b"),
        ];
        let v = verdict(&s, &r);
        assert_eq!(v.outcome, Outcome::Fail);
        assert!(
            v.reason.starts_with("b : obtenu 2,5, ce n'est pas"),
            "{}",
            v.reason
        );
        assert!(!v.reason.contains("attendu 2"), "{}", v.reason);
    }

    #[test]
    fn the_students_own_expected_values_and_tolerances_are_ignored() {
        let r = vec![num("x", 39.0, 39.0, 1e-3), end("ok", "")];
        // A forged list: the student claims want = got and a huge tolerance, then `ok`.
        let s = vec![num("x", 2.0, 2.0, 1e9), end("ok", "")];
        let v = verdict(&s, &r);
        assert_eq!(v.outcome, Outcome::Fail);
        // Only `end ok` with nothing observed: fails too.
        assert_eq!(verdict(&[end("ok", "")], &r).outcome, Outcome::Fail);
    }

    #[test]
    fn course_values_are_shown_others_not() {
        let r = vec![num("f(2) du cours", 39.0, 39.0, 1e-3), end("ok", "")];
        let s = vec![num("f(2) du cours", 2.0, 39.0, 1e-3), end("err", "")];
        assert_eq!(
            verdict(&s, &r).reason,
            "f(2) du cours : obtenu 2, attendu 39 (à 0,001 près)"
        );
    }

    #[test]
    fn tensors_compare_shape_then_values() {
        let t = |got: Vec<f64>, shape: Vec<usize>| {
            json!({"kind": "tensor", "label": "t", "shape": shape, "got": got,
                   "want_shape": [2], "want": [0.5, 0.5], "tol": 1e-5})
        };
        let r = vec![t(vec![0.5, 0.5], vec![2]), end("ok", "")];
        assert_eq!(verdict(&r, &r).outcome, Outcome::Pass);
        let v = verdict(&[t(vec![0.5], vec![1]), end("err", "")], &r);
        assert_eq!(v.reason, "t : forme obtenue [1], attendue [2]");
        let v = verdict(&[t(vec![0.5, 0.7], vec![2]), end("err", "")], &r);
        assert!(
            v.reason
                .starts_with("t : à l'indice 1 (à plat), obtenu 0,7"),
            "{}",
            v.reason
        );
        assert!(v.details.contains("obtenu : [0,5; 0,7]"), "{}", v.details);
    }

    #[test]
    fn nan_matches_only_nan() {
        let r = vec![num("n", f64::NAN, 1.0, 1.0), end("ok", "")];
        let mut r = r;
        r[0]["got"] = json!("NaN");
        r[0]["want"] = json!("NaN");
        let s = vec![num("n", 1.0, 1.0, 1.0), end("ok", "")];
        assert_eq!(verdict(&s, &r).outcome, Outcome::Fail);
        assert_eq!(verdict(&r, &r).outcome, Outcome::Pass);
    }

    #[test]
    fn a_panic_or_an_early_error_keeps_its_message() {
        let r = vec![num("a", 1.0, 1.0, 0.1), end("ok", "")];
        let mut p = end("panic", "pas encore fait");
        p["location"] = json!("src/cells/c1.rs:3:5");
        let v = verdict(&[p], &r);
        assert_eq!(
            (v.outcome, v.location.as_str()),
            (Outcome::Panic, "src/cells/c1.rs:3:5")
        );
        let b = json!({"kind": "bool", "value": false, "message": "pas dérivable"});
        let rb = json!({"kind": "bool", "value": true, "message": ""});
        let v = verdict(&[b, end("err", "pas dérivable")], &[rb, end("ok", "")]);
        assert_eq!(
            (v.outcome, v.reason.as_str()),
            (Outcome::Fail, "pas dérivable")
        );
    }
}
