//! `class.html`: the class at a glance for the instructor (French): the distribution of totals,
//! the pass rate and the outcomes per exercise (PNG charts as `data:` URIs), and a table of
//! students sortable by any column (a few lines of inline script, allowed by the page's
//! Content-Security-Policy through its SHA-256 and nothing else; every name escaped).

use super::feedback::{html, STYLE};
use super::highlight::escape;
use super::{charts, fr, Class};
use base64::Engine as _;
use sha2::{Digest, Sha256};
use std::fmt::Write as _;

const SORT_SCRIPT: &str = r#"
document.querySelectorAll('table.eleves th').forEach(function (th, col) {
  th.addEventListener('click', function () {
    var body = th.closest('table').tBodies[0];
    var asc = th.getAttribute('aria-sort') !== 'ascending';
    th.closest('tr').querySelectorAll('th').forEach(function (h) { h.removeAttribute('aria-sort'); });
    th.setAttribute('aria-sort', asc ? 'ascending' : 'descending');
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = a.cells[col].getAttribute('data-v'), y = b.cells[col].getAttribute('data-v');
      var nx = parseFloat(x), ny = parseFloat(y);
      var c = (!isNaN(nx) && !isNaN(ny)) ? nx - ny : x.localeCompare(y, 'fr');
      return asc ? c : -c;
    });
    rows.forEach(function (r) { body.appendChild(r); });
  });
});
"#;

const CLASS_STYLE: &str = "
body{max-width:84rem}.charts{display:flex;flex-wrap:wrap;gap:1rem;margin:1rem 0}.charts img{box-sizing:border-box;width:calc(33.3% - .7rem);min-width:20rem;height:auto;border:1px solid #d9dee3;border-radius:.4rem}
td.id,td.ex{white-space:nowrap}
.stats{display:flex;gap:1.5rem;flex-wrap:wrap}.stats div{background:#eef3f8;border-radius:.4rem;padding:.4rem .9rem}
table.eleves{border-collapse:collapse;width:100%;font-size:.9rem;margin-top:1rem}
table.eleves th{cursor:pointer;background:#eef3f8;text-align:left;padding:.35rem .5rem;border-bottom:2px solid #c5ced8;white-space:nowrap}
table.eleves th[aria-sort=ascending]::after{content:' ▲'}table.eleves th[aria-sort=descending]::after{content:' ▼'}
table.eleves td{padding:.3rem .5rem;border-bottom:1px solid #e5e8eb;vertical-align:top}
table.eleves tr:nth-child(even) td{background:#fafbfc}td.num{text-align:right;white-space:nowrap}
";

fn median(mut v: Vec<f64>) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// The page; `pages` gives each entry's feedback page path relative to class.html.
pub fn page(class: &Class, pages: &[String], graded_at: &str) -> String {
    let totals: Vec<f64> = class.entries.iter().map(|e| e.score()).collect();
    let n = totals.len();
    let mean = if n == 0 {
        0.0
    } else {
        totals.iter().sum::<f64>() / n as f64
    };
    let full = class
        .entries
        .iter()
        .filter(|e| e.score() >= class.max && class.max > 0.0)
        .count();
    let problems = class
        .entries
        .iter()
        .filter(|e| e.problem.is_some() || e.report.as_ref().is_some_and(|r| r.error.is_some()))
        .count();
    let mut b = String::new();
    let _ = write!(
        b,
        "<h1>La classe en un coup d'œil : chapitre {}</h1><p class=\"sub\">{} · corrigé le {}</p>",
        escape(&class.chapter),
        escape(&class.source),
        escape(graded_at)
    );
    let _ = write!(
        b,
        "<div class=\"stats\"><div>{n} participant(s)</div><div>moyenne {} / {}</div><div>médiane {}</div>\
         <div>{full} avec tous les points</div><div>{problems} dépôt(s) à problème</div></div>",
        fr((mean * 100.0).round() / 100.0),
        fr(class.max),
        fr(median(totals.clone())),
    );
    let _ = write!(
        b,
        "<div class=\"charts\"><img id=\"totaux\" alt=\"Répartition des totaux\" src=\"{}\">\
         <img id=\"reussite\" alt=\"Taux de réussite par exercice\" src=\"{}\">\
         <img id=\"resultats\" alt=\"Résultats par exercice\" src=\"{}\"></div>",
        charts::totals(class),
        charts::pass_rate(class),
        charts::outcomes(class)
    );
    b += "<h2>Les élèves</h2><p class=\"note\">Cliquez sur un titre de colonne pour trier.</p>";
    b += "<table class=\"eleves\"><thead><tr><th>Nom</th><th>Identifiant</th><th>Total</th>";
    for (id, max) in &class.exercises {
        let _ = write!(b, "<th>{} (/{})</th>", escape(id), fr(*max));
    }
    b += "<th>Remarque</th><th>Retour</th></tr></thead><tbody>";
    for (e, page) in class.entries.iter().zip(pages) {
        let id = e
            .participant
            .moodle_id
            .map(|i| format!("Participant {i}"))
            .unwrap_or_else(|| e.participant.key.clone());
        let _ = write!(
            b,
            "<tr><td data-v=\"{n}\">{n}</td><td class=\"id\" data-v=\"{i}\">{i}</td><td class=\"num\" data-v=\"{s}\">{sf}</td>",
            n = escape(&e.participant.name),
            i = escape(&id),
            s = e.score(),
            sf = fr(e.score()),
        );
        for (ex_id, _) in &class.exercises {
            match e.exercise(ex_id) {
                Some(x) => {
                    let _ = write!(
                        b,
                        "<td class=\"ex\" data-v=\"{}\"><span class=\"badge {}\">{}</span> {}</td>",
                        x.points,
                        x.outcome.code(),
                        escape(x.outcome.french()),
                        fr(x.points)
                    );
                }
                None => b += "<td data-v=\"-1\">—</td>",
            }
        }
        let remark = e
            .problem
            .clone()
            .or_else(|| e.report.as_ref()?.error.clone())
            .unwrap_or_default();
        let _ = write!(
            b,
            "<td data-v=\"{r}\">{r}</td><td data-v=\"\"><a href=\"{p}\">retour</a></td></tr>",
            r = escape(&remark),
            p = escape(page)
        );
    }
    b += "</tbody></table>";
    let hash =
        base64::engine::general_purpose::STANDARD.encode(Sha256::digest(SORT_SCRIPT.as_bytes()));
    let csp = format!(
        "default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src 'sha256-{hash}'"
    );
    html(
        &format!("Classe : chapitre {}", class.chapter),
        &csp,
        &format!("{STYLE}{CLASS_STYLE}"),
        &b,
        SORT_SCRIPT,
    )
}
