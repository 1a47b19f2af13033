//! The student's feedback page: one self-contained French HTML page per submission (total,
//! each exercise with its points, outcome and message, the student's cell highlighted, the
//! compiler's message under the line it points at). No script and no external resource; a
//! Content-Security-Policy forbids both, and every byte from the submission is escaped.

use super::highlight::{self, escape};
use super::{fr, Entry};
use crate::report::{Exercise, Outcome};
use std::fmt::Write as _;

/// The page's policy: nothing is loaded, nothing runs (images only as data: URIs).
pub const CSP: &str = "default-src 'none'; img-src data:; style-src 'unsafe-inline'";

pub const STYLE: &str = "
body{font-family:system-ui,'DejaVu Sans',sans-serif;max-width:60rem;margin:1.5rem auto;padding:0 1rem;color:#1d232a;line-height:1.45}
h1{font-size:1.5rem;margin-bottom:.2rem}.sub{color:#5a6570;margin-top:0}
.total{font-size:1.35rem;font-weight:600;padding:.6rem 1rem;border-radius:.5rem;background:#eef3f8;display:inline-block}
.problem{border-left:.3rem solid #c0392b;background:#fdf0ee;padding:.5rem 1rem;margin:1rem 0}
.note{color:#5a6570;font-size:.92rem}
section{border:1px solid #d9dee3;border-radius:.5rem;margin:1.2rem 0;padding:.2rem 1rem 1rem}
section h2{font-size:1.1rem;display:flex;gap:.8rem;align-items:center;flex-wrap:wrap}
.badge{font-size:.85rem;padding:.1rem .55rem;border-radius:1rem;color:#fff;font-weight:600}
.PASS{background:#1e8449}.FAIL{background:#d35400}.PANIC{background:#c0392b}.TIMEOUT{background:#7d3c98}
.COMPILE_ERROR{background:#922b21}.CRASH{background:#34495e}.MISSING{background:#808b96}.REFUSED{background:#b7950b}
.pts{margin-left:auto;font-weight:600}
pre{background:#f6f8fa;border:1px solid #e1e4e8;border-radius:.35rem;padding:.5rem .7rem;overflow-x:auto;font-size:.88rem;margin:.4rem 0}
table.code{border-collapse:collapse;width:100%;font-family:'DejaVu Sans Mono',monospace;font-size:.88rem;background:#f6f8fa;border:1px solid #e1e4e8}
table.code td{padding:0 .6rem;white-space:pre;vertical-align:top}
table.code td.ln{color:#8c959f;text-align:right;user-select:none;border-right:1px solid #e1e4e8;width:2.5rem}
table.code tr.err td{background:#fdecea}
table.code tr.msg td{white-space:pre-wrap;color:#922b21;background:#fff5f4;font-size:.84rem;padding:.3rem .6rem}
.k{color:#8250df;font-weight:600}.s{color:#0a3069}.c{color:#6e7781;font-style:italic}.n{color:#0550ae}.m{color:#953800}.t{color:#116329}.l{color:#cf222e}
";

/// The line of the student's cell a compiler message points at (`--> dans cette cellule,
/// ligne N, …`, written by diagnostics.rs).
pub fn error_line(details: &str) -> Option<usize> {
    details.lines().find_map(|l| {
        let rest = l.trim().strip_prefix("--> dans cette cellule, ligne ")?;
        rest.split(',').next()?.trim().parse().ok()
    })
}

fn code_block(source: &str, message: Option<(usize, &str)>) -> String {
    let mut out = String::from("<table class=\"code\">");
    let lines = highlight::lines(source);
    let last = lines.len().max(1);
    for (i, html) in lines.iter().enumerate() {
        let n = i + 1;
        let hit = message.is_some_and(|(l, _)| l == n || (l > last && n == last));
        let _ = write!(
            out,
            "<tr{}><td class=\"ln\">{n}</td><td>{html}</td></tr>",
            if hit { " class=\"err\"" } else { "" }
        );
        if let Some((_, msg)) = message.filter(|_| hit) {
            let _ = write!(
                out,
                "<tr class=\"msg\"><td></td><td>{}</td></tr>",
                escape(msg)
            );
        }
    }
    out + "</table>"
}

fn exercise(e: &Exercise, source: Option<&str>) -> String {
    let mut s = String::new();
    let _ = write!(
        s,
        "<section id=\"ex-{id}\"><h2>Exercice {id} <span class=\"badge {code}\">{out}</span><span class=\"pts\">{p} / {m}</span></h2>",
        id = escape(&e.id),
        code = e.outcome.code(),
        out = escape(e.outcome.french()),
        p = fr(e.points),
        m = fr(e.max_points),
    );
    if !e.reason.is_empty() {
        let _ = write!(s, "<p>{}</p>", escape(&e.reason));
    }
    for n in &e.notes {
        let _ = write!(s, "<p class=\"note\">Remarque : {}</p>", escape(n));
    }
    let at_line = (e.outcome == Outcome::CompileError)
        .then(|| error_line(&e.details))
        .flatten();
    match source {
        Some(src) if !src.trim().is_empty() => {
            s += "<p class=\"note\">Votre cellule :</p>";
            s += &code_block(src, at_line.map(|l| (l, e.details.as_str())));
        }
        _ => s += "<p class=\"note\">Cellule absente de votre carnet.</p>",
    }
    if !e.details.is_empty()
        && (at_line.is_none() || source.is_none())
        && e.outcome != Outcome::Pass
    {
        let label = if e.outcome == Outcome::CompileError {
            "Message du compilateur"
        } else {
            "Détails"
        };
        let _ = write!(
            s,
            "<p class=\"note\">{label} :</p><pre>{}</pre>",
            escape(&e.details)
        );
    }
    if !e.output.is_empty() && e.outcome != Outcome::Pass {
        let _ = write!(
            s,
            "<p class=\"note\">Sortie de votre code pendant le test :</p><pre>{}</pre>",
            escape(&e.output)
        );
    }
    s + "</section>"
}

/// The whole page for one participant.
pub fn page(entry: &Entry, chapter: &str, max: f64, graded_at: &str) -> String {
    let mut body = String::new();
    let _ = write!(
        body,
        "<h1>Retour de correction : {}</h1><p class=\"sub\">Chapitre {} · {}</p>",
        escape(&entry.participant.name),
        escape(chapter),
        match &entry.notebook {
            Some(nb) => format!("carnet « {} »", escape(nb)),
            None => "aucun carnet corrigé".into(),
        }
    );
    let _ = write!(
        body,
        "<p class=\"total\">Total : {} / {}</p>",
        fr(entry.score()),
        fr(max)
    );
    if let Some(p) = &entry.problem {
        let _ = write!(body, "<div class=\"problem\">{}</div>", escape(p));
    }
    if let Some(r) = &entry.report {
        if let Some(e) = &r.error {
            let _ = write!(
                body,
                "<div class=\"problem\">Impossible de corriger ce fichier : {}</div>",
                escape(e)
            );
        }
        for n in &r.notes {
            let _ = write!(body, "<p class=\"note\">Remarque : {}</p>", escape(n));
        }
        for e in &r.exercises {
            body += &exercise(e, entry.sources.get(&e.id).map(String::as_str));
        }
        if r.all_pass() {
            body += "<p><strong>Bravo : tous les exercices sont réussis.</strong></p>";
        }
    }
    if !entry.history.is_empty() {
        body += "<p class=\"note\">Corrections précédentes : ";
        body += &entry
            .history
            .iter()
            .map(|(when, score)| {
                let when = when.replace('T', " à ").replace('Z', " UTC");
                format!("{} / {} le {}", fr(*score), fr(max), escape(&when))
            })
            .collect::<Vec<_>>()
            .join(" ; ");
        body += "</p>";
    }
    let _ = write!(
        body,
        "<p class=\"note\">Corrigé le {} par le correcteur automatique du cours.</p>",
        escape(graded_at)
    );
    html("Retour de correction", CSP, STYLE, &body, "")
}

/// A complete page.
pub fn html(title: &str, csp: &str, style: &str, body: &str, script: &str) -> String {
    let script = if script.is_empty() {
        String::new()
    } else {
        format!("<script>{script}</script>")
    };
    format!(
        "<!DOCTYPE html>\n<html lang=\"fr\"><head><meta charset=\"utf-8\">\
         <meta http-equiv=\"Content-Security-Policy\" content=\"{csp}\">\
         <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <title>{}</title><style>{style}</style></head><body>{body}{script}</body></html>\n",
        escape(title)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_compiler_message_line() {
        let d = "erreur[E0308] : types incompatibles\n  --> dans cette cellule, ligne 3, colonne 5\n   | x\n";
        assert_eq!(error_line(d), Some(3));
        assert_eq!(error_line("erreur : x\n  --> dans les tests, là où ils appellent votre code, ligne 9, colonne 1"), None);
        let html = code_block("fn a() {\n  1\n  x\n}\n", Some((3, "<erreur>")));
        assert!(
            html.contains("<tr class=\"err\"><td class=\"ln\">3</td>"),
            "{html}"
        );
        assert!(html.contains("&lt;erreur&gt;"));
    }
}
