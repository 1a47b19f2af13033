//! The gradebook: every run's results in one SQLite file, so that a later run (late
//! submissions, a corrected file) regrades only the notebooks that changed and every
//! participant keeps a history.
//!
//! A notebook is identified by the SHA-256 of its bytes; a result is reused only when the same
//! bytes were graded with the same grading key (grader version, chapter and a digest of the
//! chapter's graded cells and checks, see [`super::grading_key`]).
//!
//! ```text
//! runs(id, started_at, source, chapter, grading_key, graded, reused, seconds)
//! participants(key PRIMARY KEY, moodle_id, name)
//! results(id, run → runs, participant → participants, notebook, sha256, grading_key,
//!         score, max_score, problem, report_json, reused_from → results)
//! ```

use crate::report::Report;
use rusqlite::{params, Connection, OptionalExtension};
use std::path::Path;

pub struct Gradebook {
    db: Connection,
}

/// One participant's row of a run.
pub struct Row<'a> {
    pub key: &'a str,
    pub moodle_id: Option<u64>,
    pub name: &'a str,
    pub notebook: Option<&'a str>,
    pub sha256: Option<&'a str>,
    pub score: f64,
    pub max_score: f64,
    pub problem: Option<&'a str>,
    pub report: Option<&'a Report>,
    pub reused_from: Option<i64>,
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY,
    started_at TEXT NOT NULL,
    source TEXT NOT NULL,
    chapter TEXT NOT NULL,
    grading_key TEXT NOT NULL,
    graded INTEGER NOT NULL DEFAULT 0,
    reused INTEGER NOT NULL DEFAULT 0,
    seconds REAL
);
CREATE TABLE IF NOT EXISTS participants (
    key TEXT PRIMARY KEY,
    moodle_id INTEGER,
    name TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS results (
    id INTEGER PRIMARY KEY,
    run INTEGER NOT NULL REFERENCES runs(id),
    participant TEXT NOT NULL REFERENCES participants(key),
    notebook TEXT,
    sha256 TEXT,
    grading_key TEXT NOT NULL,
    score REAL NOT NULL,
    max_score REAL NOT NULL,
    problem TEXT,
    report_json TEXT,
    reused_from INTEGER REFERENCES results(id)
);
CREATE INDEX IF NOT EXISTS results_by_content ON results(sha256, grading_key);
CREATE INDEX IF NOT EXISTS results_by_participant ON results(participant, run);
";

fn sql(e: rusqlite::Error) -> String {
    format!("carnet de notes SQLite : {e}")
}

impl Gradebook {
    pub fn open(path: &Path) -> Result<Gradebook, String> {
        let db = Connection::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
        db.execute_batch(SCHEMA).map_err(sql)?;
        Ok(Gradebook { db })
    }

    /// A new run; its id.
    pub fn start_run(&self, source: &str, chapter: &str, key: &str) -> Result<i64, String> {
        self.db
            .execute(
                "INSERT INTO runs (started_at, source, chapter, grading_key)
                 VALUES (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), ?1, ?2, ?3)",
                params![source, chapter, key],
            )
            .map_err(sql)?;
        Ok(self.db.last_insert_rowid())
    }

    /// The latest result for these bytes graded with this key: its row id and report.
    pub fn find(&self, sha256: &str, key: &str) -> Result<Option<(i64, Report)>, String> {
        let row: Option<(i64, String)> = self
            .db
            .query_row(
                "SELECT id, report_json FROM results
                 WHERE sha256 = ?1 AND grading_key = ?2 AND report_json IS NOT NULL
                 ORDER BY id DESC LIMIT 1",
                params![sha256, key],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(sql)?;
        Ok(row.and_then(|(id, json)| serde_json::from_str(&json).ok().map(|r| (id, r))))
    }

    /// Records one participant's result in `run`.
    pub fn record(&self, run: i64, grading_key: &str, row: &Row) -> Result<(), String> {
        self.db
            .execute(
                "INSERT INTO participants (key, moodle_id, name) VALUES (?1, ?2, ?3)
                 ON CONFLICT(key) DO UPDATE SET moodle_id = excluded.moodle_id, name = excluded.name",
                params![row.key, row.moodle_id.map(|i| i as i64), row.name],
            )
            .map_err(sql)?;
        let json = row
            .report
            .map(|r| serde_json::to_string(r).unwrap_or_default());
        self.db
            .execute(
                "INSERT INTO results (run, participant, notebook, sha256, grading_key, score,
                                      max_score, problem, report_json, reused_from)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                params![
                    run,
                    row.key,
                    row.notebook,
                    row.sha256,
                    grading_key,
                    row.score,
                    row.max_score,
                    row.problem,
                    json,
                    row.reused_from
                ],
            )
            .map_err(sql)?;
        Ok(())
    }

    /// Closes a run with its counts and duration.
    pub fn finish_run(
        &self,
        run: i64,
        graded: usize,
        reused: usize,
        secs: f64,
    ) -> Result<(), String> {
        self.db
            .execute(
                "UPDATE runs SET graded = ?2, reused = ?3, seconds = ?4 WHERE id = ?1",
                params![run, graded as i64, reused as i64, secs],
            )
            .map_err(sql)?;
        Ok(())
    }

    /// A participant's totals in earlier runs, oldest first: (run start, score).
    pub fn history(&self, key: &str, before_run: i64) -> Result<Vec<(String, f64)>, String> {
        let mut stmt = self
            .db
            .prepare(
                "SELECT runs.started_at, results.score FROM results JOIN runs ON runs.id = results.run
                 WHERE results.participant = ?1 AND results.run < ?2 ORDER BY results.run",
            )
            .map_err(sql)?;
        let rows = stmt
            .query_map(params![key, before_run], |r| Ok((r.get(0)?, r.get(1)?)))
            .map_err(sql)?;
        rows.collect::<Result<Vec<_>, _>>().map_err(sql)
    }
}
