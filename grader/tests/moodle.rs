//! `grader grade --moodle`: the instructor's round trip on a fixture built like Moodle's
//! « Download all submissions » (20 participants), as a zip and as a folder, checked against
//! the formats read in Moodle's source (see docs/DESIGN.md, Grader, Moodle round trip):
//! the worksheet's columns and rows, the feedback zip's names (the importer's filename rule is
//! ported below), the pages' escaping, and the gradebook's reuse of unchanged notebooks.
//! The outputs of the zip run are copied to target/moodle-fixture/ for scripts/e2e-pages.sh.

mod common;

use common::*;
use serde_json::Value;
use std::collections::{BTreeMap, HashSet};
use std::io::{Read, Write};
use std::path::Path;
use std::time::Instant;

const FIRST_ID: u64 = 12345;

/// What a participant hands in: files inside their folder.
enum Hand {
    Notebook(&'static str, Value),
    Files(Vec<(&'static str, Vec<u8>)>),
}

fn bytes(nb: &Value) -> Vec<u8> {
    serde_json::to_vec_pretty(nb).unwrap()
}

fn hostile() -> Value {
    let mut nb = good();
    set_answer(
        &mut nb,
        "9.1-softmax",
        "// </td></table><script>alert(1)</script><img src=x onerror=alert(2)>\nfn softmax_lignes(scores: &Tensor) -> Tensor {\n    scores.softmax(1) // \"</pre><script>\"\n}\n",
    );
    nb
}

fn class() -> Vec<(&'static str, Hand)> {
    let partial = with_gradient_body("    (x0, x1)");
    let compile = with_gradient_body("    let y: u32 = \"pas un nombre\";\n    (x0, x1)");
    let mut softmax_wrong = good();
    set_answer(
        &mut softmax_wrong,
        "9.1-softmax",
        "fn softmax_lignes(scores: &Tensor) -> Tensor {\n    scores.clone()\n}\n",
    );
    let nb = |v: &Value| Hand::Notebook("demo.ipynb", v.clone());
    vec![
        ("Jean Dupont", nb(&good())),
        ("Zoé Ñúñez", nb(&good())),
        ("Élodie Château", nb(&good())),
        ("Łukasz Żółć", nb(&partial)),
        ("Amélie Poulain", nb(&partial)),
        ("Bob Martin", nb(&student())),
        ("Chloé Bernard", nb(&student())),
        ("David Petit", nb(&student())),
        ("Emma Durand", nb(&compile)),
        ("François Leroy", nb(&compile)),
        (
            "Gaëlle Moreau",
            Hand::Files(vec![("demo.ipynb", b"{ pas du json".to_vec())]),
        ),
        (
            "Hugo Lambert",
            Hand::Files(vec![("rapport.pdf", b"%PDF-1.4".to_vec())]),
        ),
        (
            "Inès Fournier",
            Hand::Files(vec![
                ("essai.ipynb", bytes(&good())),
                ("final.ipynb", bytes(&partial)),
            ]),
        ),
        ("Jules Girard", Hand::Notebook("mon carnet.ipynb", good())),
        ("Karim Benali", nb(&softmax_wrong)),
        ("Léa Rousseau", nb(&softmax_wrong)),
        ("Mallory <img src=x onerror=alert(3)>", nb(&hostile())),
        (
            "Nina Roux",
            Hand::Files(vec![
                ("demo.ipynb", bytes(&good())),
                (
                    ".ipynb_checkpoints/demo-checkpoint.ipynb",
                    bytes(&student()),
                ),
            ]),
        ),
        ("Oscar Blanc", nb(&partial)),
        ("Paul Henry", nb(&good())),
    ]
}

/// Moodle's folder for participant `k` (≥ 4.1: no trailing `_`; one in three as before 4.1).
fn folder(name: &str, k: usize) -> String {
    let trail = if k % 3 == 2 { "_" } else { "" };
    format!(
        "{name}_{}_assignsubmission_file{trail}",
        FIRST_ID + k as u64
    )
}

/// The download as (path in the archive, bytes).
fn download(changed: bool) -> Vec<(String, Vec<u8>)> {
    let mut files = Vec::new();
    for (k, (name, hand)) in class().into_iter().enumerate() {
        let dir = folder(name, k);
        let hand = match (changed, name) {
            (true, "Oscar Blanc") => {
                // a late, corrected submission: full marks, and not byte-identical to any other
                let mut nb = good();
                set_answer(
                    &mut nb,
                    "9.1-softmax",
                    "fn softmax_lignes(scores: &Tensor) -> Tensor {\n    // rendu en retard\n    scores.softmax(1)\n}\n",
                );
                Hand::Notebook("demo.ipynb", nb)
            }
            _ => hand,
        };
        match hand {
            Hand::Notebook(file, nb) => files.push((format!("{dir}/{file}"), bytes(&nb))),
            Hand::Files(list) => {
                for (file, b) in list {
                    files.push((format!("{dir}/{file}"), b));
                }
            }
        }
        if name == "Paul Henry" {
            let id = FIRST_ID + k as u64;
            files.push((
                format!("{name}_{id}_assignsubmission_onlinetext/onlinetext.html"),
                b"<p>voir le carnet</p>".to_vec(),
            ));
        }
    }
    files
}

fn write_zip(path: &Path, files: &[(String, Vec<u8>)]) {
    let mut zip = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    let opts = zip::write::SimpleFileOptions::default();
    for (name, b) in files {
        zip.start_file(name.as_str(), opts).unwrap();
        zip.write_all(b).unwrap();
    }
    zip.finish().unwrap();
}

fn write_dir(dir: &Path, files: &[(String, Vec<u8>)]) {
    for (name, b) in files {
        let p = dir.join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, b).unwrap();
    }
}

fn grade(source: &Path, out: &Path, book: &Path, extra: &[&str]) -> f64 {
    let t = Instant::now();
    let mut args = vec![
        "grade",
        "--moodle",
        source.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--gradebook",
        book.to_str().unwrap(),
        "--max-check-time",
        "20",
    ];
    args.extend_from_slice(extra);
    let o = run(&args);
    assert_eq!(o.status.code(), Some(0), "grader failed");
    t.elapsed().as_secs_f64()
}

/// Moodle's importer rule for feedback zips (importziplib.php, is_valid_filename_for_import),
/// ported: hidden names skipped; for each path part, split on `_` into at most 5 fields; at
/// least 4; field 2 numeric and a participant; fields 3-4 a plugin of the assignment; the rest
/// of the path is the file's name. Returns (participant id, file name).
fn moodle_import_match(path: &str, participants: &HashSet<u64>) -> Option<(u64, String)> {
    const PLUGINS: [(&str, &str); 4] = [
        ("assignsubmission", "file"),
        ("assignsubmission", "onlinetext"),
        ("assignfeedback", "file"),
        ("assignfeedback", "comments"),
    ];
    if path.ends_with('/') {
        return None;
    }
    let base = path.rsplit('/').next().unwrap();
    if base.starts_with('.') || base.starts_with('~') {
        return None;
    }
    let mut parts: Vec<String> = path.split('/').map(String::from).collect();
    while !parts.is_empty() {
        let part = parts.remove(0);
        let info: Vec<&str> = part.splitn(5, '_').collect();
        if info.len() < 4 {
            continue;
        }
        let Ok(id) = info[1].parse::<u64>() else {
            continue;
        };
        if !participants.contains(&id) || !PLUGINS.contains(&(info[2], info[3])) {
            continue;
        }
        parts.insert(0, info.get(4).unwrap_or(&"").to_string());
        return Some((id, parts.join("/")));
    }
    None
}

fn csv_rows(path: &Path) -> Vec<Vec<String>> {
    // a small RFC 4180 reader, independent of the grader's
    let text = std::fs::read_to_string(path).unwrap();
    let (mut rows, mut row, mut field, mut quoted) = (vec![], vec![], String::new(), false);
    let mut chars = text.trim_start_matches('\u{feff}').chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            '"' => quoted = !quoted,
            ',' if !quoted => row.push(std::mem::take(&mut field)),
            '\n' if !quoted => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            c => field.push(c),
        }
    }
    rows
}

fn col(rows: &[Vec<String>], name: &str) -> usize {
    rows[0]
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no column {name}"))
}

fn runs(book: &Path) -> Vec<(i64, i64)> {
    let db = rusqlite::Connection::open(book).unwrap();
    let mut st = db
        .prepare("SELECT graded, reused FROM runs ORDER BY id")
        .unwrap();
    st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

#[test]
fn moodle_round_trip_zip_folder_worksheet_and_regrade() {
    let dir = tempfile::tempdir().unwrap();
    let book = dir.path().join("gradebook.sqlite");
    let ids: HashSet<u64> = (0..20).map(|k| FIRST_ID + k).collect();
    let names: BTreeMap<u64, &str> = class()
        .iter()
        .enumerate()
        .map(|(k, (n, _))| (FIRST_ID + k as u64, *n))
        .collect();

    // 1. the zip, chapter guessed
    let zip_path = dir.path().join("ML-Devoir demo-42.zip");
    write_zip(&zip_path, &download(false));
    let out = dir.path().join("out");
    let first = grade(&zip_path, &out, &book, &[]);

    let rows = csv_rows(&out.join("feuille-de-notes.csv"));
    assert_eq!(
        rows[0],
        [
            "Identifier",
            "Full name",
            "Status",
            "Grade",
            "Maximum Grade",
            "Grade can be changed",
            "Last modified (submission)",
            "Last modified (grade)",
            "Feedback comments"
        ]
    );
    assert_eq!(rows.len(), 21, "a row per participant");
    let (id_c, name_c, grade_c, fb_c, mod_c) = (
        col(&rows, "Identifier"),
        col(&rows, "Full name"),
        col(&rows, "Grade"),
        col(&rows, "Feedback comments"),
        col(&rows, "Last modified (grade)"),
    );
    let mut grades: BTreeMap<&str, f64> = BTreeMap::new();
    let mut seen = HashSet::new();
    for r in &rows[1..] {
        assert_eq!(r.len(), rows[0].len());
        // the importer strips "Participant " and looks the rest up
        let id: u64 = r[id_c]
            .strip_prefix("Participant ")
            .unwrap()
            .parse()
            .unwrap();
        assert!(ids.contains(&id) && seen.insert(id), "{}", r[id_c]);
        assert_eq!(r[name_c], names[&id]);
        // unformat_float: a '.' decimal point, never a ','
        let g: f64 = r[grade_c]
            .parse()
            .unwrap_or_else(|_| panic!("grade {:?}", r[grade_c]));
        assert!((0.0..=5.0).contains(&g));
        assert!(!r[mod_c].is_empty());
        assert!(
            r[fb_c].starts_with("Total ") && !r[fb_c].contains('\n'),
            "{}",
            r[fb_c]
        );
        grades.insert(names[&id], g);
    }
    assert_eq!(grades["Jean Dupont"], 5.0);
    assert_eq!(grades["Zoé Ñúñez"], 5.0);
    assert_eq!(grades["Jules Girard"], 5.0);
    assert_eq!(
        grades["Nina Roux"], 5.0,
        "checkpoints are not a second notebook"
    );
    assert_eq!(grades["Bob Martin"], 0.0);
    assert!(grades["Oscar Blanc"] > 0.0 && grades["Oscar Blanc"] < 5.0);
    assert!(grades["Emma Durand"] > 0.0 && grades["Emma Durand"] < 5.0);
    let comment = |name: &str| rows[1..].iter().find(|r| r[name_c] == name).unwrap()[fb_c].clone();
    assert!(
        comment("Hugo Lambert").contains("aucun carnet"),
        "{}",
        comment("Hugo Lambert")
    );
    assert!(
        comment("Inès Fournier").contains("2 carnets"),
        "{}",
        comment("Inès Fournier")
    );
    assert!(
        comment("Gaëlle Moreau").contains("non corrigé"),
        "{}",
        comment("Gaëlle Moreau")
    );
    assert!(comment("Emma Durand").contains("ne compile pas"));
    assert!(
        comment("Oscar Blanc").starts_with("Total 3 / 5 : 2.4-gradient échoué (0/2)"),
        "{}",
        comment("Oscar Blanc")
    );

    // the feedback zip: every name matched by Moodle's rule to the right participant, once
    let mut zip =
        zip::ZipArchive::new(std::fs::File::open(out.join("retours.zip")).unwrap()).unwrap();
    let mut matched = BTreeMap::new();
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).unwrap();
        let name = f.name().unwrap().to_string();
        let (id, file) = moodle_import_match(&name, &ids)
            .unwrap_or_else(|| panic!("Moodle would ignore {name}"));
        assert_eq!(file, "retour-demo.html");
        assert!(name.starts_with(&names[&id].replace('_', " ")), "{name}");
        let mut html = String::new();
        f.read_to_string(&mut html).unwrap();
        assert!(html.starts_with("<!DOCTYPE html>") && html.contains("Total : "));
        assert!(matched.insert(id, html).is_none(), "two files for {id}");
    }
    assert_eq!(matched.len(), 20);

    // the hostile participant: nothing of theirs becomes markup
    let mallory = &matched[&(FIRST_ID + 16)];
    for bad in ["<script>alert", "<img src=x", "</table><script>"] {
        assert!(!mallory.contains(bad), "{bad} in the page");
    }
    assert!(mallory.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(
        !mallory.contains("<script"),
        "a feedback page has no script at all"
    );
    let emma = &matched[&(FIRST_ID + 8)];
    assert!(
        emma.contains("class=\"err\"") && emma.contains("dans cette cellule"),
        "compile error at its line"
    );

    let class_html = std::fs::read_to_string(out.join("class.html")).unwrap();
    assert_eq!(class_html.matches("<tr><td data-v=").count(), 20);
    assert_eq!(
        class_html.matches("src=\"data:image/png;base64,").count(),
        3
    );
    assert!(!class_html.contains("<img src=x"));
    assert_eq!(
        runs(&book),
        [(7, 0)],
        "7 distinct notebooks graded once each"
    );

    // 2. the same download as a folder, with the exported worksheet: nothing regraded
    let folder = dir.path().join("dossier");
    write_dir(&folder, &download(false));
    let exported = dir.path().join("exported.csv");
    let mut csv = String::from("\u{feff}Identifier,\"Full name\",\"Email address\",Status,Grade,\"Maximum Grade\",\"Grade can be changed\",\"Last modified (submission)\",\"Last modified (grade)\",\"Feedback comments\"\n");
    for (id, name) in &names {
        csv += &format!("\"Participant {id}\",\"{name}\",e{id}@exemple.fr,\"Submitted for grading\",,5.00,Yes,\"Saturday, 5 December 2026, 9:00 AM\",-,\n");
    }
    csv +=
        "\"Participant 99999\",\"Sans Dépôt\",absent@exemple.fr,\"No submission\",,5.00,Yes,-,-,\n";
    std::fs::write(&exported, &csv).unwrap();
    let out2 = dir.path().join("out2");
    let second = grade(
        &folder,
        &out2,
        &book,
        &[
            "--worksheet",
            exported.to_str().unwrap(),
            "--chapter",
            "demo",
        ],
    );
    let filled = csv_rows(&out2.join("feuille-de-notes.csv"));
    let original = csv_rows(&exported);
    assert_eq!(filled.len(), original.len());
    assert_eq!(filled[0], original[0]);
    let (g, f) = (col(&filled, "Grade"), col(&filled, "Feedback comments"));
    for (a, b) in filled.iter().zip(&original).skip(1) {
        for c in 0..a.len() {
            if c != g && c != f {
                assert_eq!(a[c], b[c], "column {} changed", original[0][c]);
            }
        }
    }
    let last = filled.last().unwrap();
    assert_eq!(
        (last[g].as_str(), last[f].as_str()),
        ("", ""),
        "a row without submission stays empty"
    );
    for r in &filled[1..21] {
        let name = &r[1];
        assert_eq!(
            r[g].parse::<f64>().unwrap(),
            grades[name.as_str()],
            "{name}"
        );
    }
    assert_eq!(
        runs(&book)[1],
        (0, 18),
        "unchanged notebooks are not regraded"
    );

    // 3. a late submission replaces one notebook: one regrade
    write_zip(&zip_path, &download(true));
    let third = grade(&zip_path, &out, &book, &[]);
    assert_eq!(
        runs(&book)[2],
        (1, 17),
        "only the changed notebook is graded"
    );
    let rows = csv_rows(&out.join("feuille-de-notes.csv"));
    let oscar = rows.iter().find(|r| r[name_c] == "Oscar Blanc").unwrap();
    assert_eq!(oscar[grade_c], "5");
    let db = rusqlite::Connection::open(&book).unwrap();
    let history: Vec<f64> = db
        .prepare("SELECT score FROM results WHERE participant = ?1 ORDER BY run")
        .unwrap()
        .query_map([format!("moodle-{}", FIRST_ID + 18)], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(history.len(), 3);
    assert_eq!(history[2], 5.0);
    assert!(history[0] < 5.0);
    let page = std::fs::read_to_string(out.join("retours/moodle-12363.html")).unwrap();
    assert!(
        page.contains("Corrections précédentes"),
        "history on the page"
    );

    // 4. --regrade grades every distinct notebook again
    let fourth = grade(&zip_path, &dir.path().join("out4"), &book, &["--regrade"]);
    assert_eq!(
        runs(&book)[3],
        (8, 0),
        "the 7 distinct notebooks and the late one"
    );

    eprintln!(
        "times: zip, first run {first:.1} s; folder with the worksheet, all reused {second:.1} s; \
         one late submission {third:.1} s; --regrade {fourth:.1} s"
    );
    // for scripts/e2e-pages.sh
    let keep = root().join("target/moodle-fixture");
    let _ = std::fs::remove_dir_all(&keep);
    copy_dir(&out, &keep);
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

/// Other platforms: a folder of login.ipynb and login/demo.ipynb.
#[test]
fn plain_folders_of_logins() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("depots");
    std::fs::create_dir_all(src.join("bob")).unwrap();
    save(&student(), &src.join("alice.ipynb"));
    save(&student(), &src.join("bob/demo.ipynb"));
    std::fs::write(src.join("carla.txt"), "oubli").unwrap();
    let out = dir.path().join("out");
    grade(
        &src,
        &out,
        &dir.path().join("g.sqlite"),
        &["--chapter", "demo"],
    );
    let class_html = std::fs::read_to_string(out.join("class.html")).unwrap();
    assert_eq!(
        class_html.matches("<tr><td data-v=").count(),
        3,
        "alice, bob and carla"
    );
    assert!(class_html.contains("aucun carnet"));
    let zip = zip::ZipArchive::new(std::fs::File::open(out.join("retours.zip")).unwrap()).unwrap();
    let mut names: Vec<String> = zip.file_names().map(|n| n.unwrap().to_string()).collect();
    names.sort();
    assert_eq!(
        names,
        [
            "alice/retour-demo.html",
            "bob/retour-demo.html",
            "carla.txt/retour-demo.html"
        ]
    );
    assert_eq!(
        runs(&dir.path().join("g.sqlite")),
        [(1, 0)],
        "the two identical stubs graded once"
    );
}
