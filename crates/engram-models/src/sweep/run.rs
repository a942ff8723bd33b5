//! Running a sweep: every grid point in parallel into its own run directory, and `sweep.json`.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use engram_core::error::EngramError;
use engram_sim::progress::{Every, Progress};

use crate::run::{RunOutput, run_experiment};
use crate::rundir::{RunDir, RunStatus};

use super::resolve::string_of;
use super::{Point, Sweep};

/// How a sweep runs.
#[derive(Clone, Copy, Debug)]
pub struct SweepOptions {
    /// Runs at once (each on one thread).
    pub parallel: usize,
    /// Replace an earlier engram sweep in the output directory (only once this one is done).
    pub force: bool,
    /// One line per finished run (a bar on a terminal).
    pub progress: bool,
}

/// Work done in a run's directory after it succeeded and before it is put in place (a
/// figure): `(run directory, point, output)`.
pub type AfterRun<'a> = dyn Fn(&Path, &Point, &RunOutput) -> Result<(), EngramError> + Sync + 'a;

/// What a finished sweep wrote.
#[derive(Clone, Debug)]
pub struct SweepReport {
    /// The sweep's directory.
    pub dir: PathBuf,
    /// The rows of `sweep.json`, one per point.
    pub rows: Vec<serde_json::Value>,
    /// How many runs failed.
    pub failed: usize,
    /// Wall time of the whole sweep, s.
    pub wall_s: f64,
}

/// Run every point of `sweep`, `options.parallel` at once, into `out`: one run directory per
/// point (named [`Point::name`], each as `cargo xtask run` writes one) and `sweep.json`. The
/// sweep directory is written aside and put in place at the end, as a [`RunDir`]; an
/// existing `out` is replaced only with `force`, and only if it is an earlier sweep. A run
/// that fails is recorded in `sweep.json` with its error and the others go on (see
/// [`SweepReport::failed`]); an interrupted sweep (SIGINT, SIGTERM) starts no more runs,
/// keeps its folder aside marked interrupted, and returns [`EngramError::Interrupted`].
///
/// It is [`create_sweep_dir`], [`run_points`] of every point and [`finish_sweep`]; a sweep
/// spread over processes (`engram-mpi sweep`) calls the three itself.
pub fn run_sweep(
    sweep: &Sweep,
    out: &Path,
    options: &SweepOptions,
    after_run: &AfterRun<'_>,
) -> Result<SweepReport, EngramError> {
    let t0 = Instant::now();
    let dir = create_sweep_dir(out, options.force)?;
    let points = sweep.points();
    let parallel = options.parallel.clamp(1, points.len().max(1));
    let progress = Progress::new("sweep", points.len() as u64, "runs", Every::Item, options.progress);
    let all: Vec<usize> = (0..points.len()).collect();
    let results = run_points(sweep, dir.path(), &all, parallel, &progress, after_run);
    progress.finish();
    finish_sweep(sweep, dir, results, parallel, t0)
}

/// Check `out` and create the sweep's folder aside (a [`RunDir`]): with `force`, an existing
/// non-empty `out` must be an earlier sweep (it holds `sweep.json`) written by engram.
pub fn create_sweep_dir(out: &Path, force: bool) -> Result<RunDir, EngramError> {
    if force && out.is_dir() && std::fs::read_dir(out).is_ok_and(|mut d| d.next().is_some()) {
        let is_sweep = out.join("sweep.json").is_file();
        if !is_sweep {
            return Err(EngramError::Other(format!(
                "refusing to use {} as the output directory: it is not an earlier sweep (no sweep.json); --force replaces only an earlier engram sweep; nothing was deleted",
                out.display()
            )));
        }
    }
    RunDir::create(out, force)
}

/// How one point of a sweep ended: its row of `sweep.json` (fields in order), its status and,
/// unless it completed, its error. It serialises (JSON), so that a process that ran the point
/// can send it to the one that writes `sweep.json`.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PointResult {
    /// The point's [`Point::index`].
    pub index: usize,
    /// How the run ended.
    pub status: RunStatus,
    /// Its error, unless it completed.
    pub error: Option<String>,
    /// Its row of `sweep.json`, as (field, value) pairs in order.
    row: Vec<(String, serde_json::Value)>,
    /// The error itself (only in the process that ran the point).
    #[serde(skip)]
    engram_error: Option<EngramError>,
}

impl PointResult {
    /// A point that could not be run (`status` failed), with the reason: its row has the
    /// point and the error, as a run that failed before it started.
    pub fn failed(point: &Point, error: String) -> Self {
        let row = row_of(point, None, "failed", Some(error.clone()));
        Self { index: point.index, status: RunStatus::Failed, error: Some(error), row: row.0, engram_error: None }
    }

    /// Its row of `sweep.json` as a JSON object.
    pub fn row(&self) -> serde_json::Value {
        Ordered(self.row.clone()).to_value()
    }
}

/// Run the points `indices` of `sweep` (in that order), `parallel` at once, each into its
/// run directory below `root` (the folder of [`create_sweep_dir`]), counting each finished
/// run on `progress`. Returns the results of the points that ran, in the order of `indices`;
/// after SIGINT or SIGTERM no more runs start, and the points not started are left out.
pub fn run_points(
    sweep: &Sweep,
    root: &Path,
    indices: &[usize],
    parallel: usize,
    progress: &Progress,
    after_run: &AfterRun<'_>,
) -> Vec<PointResult> {
    let points = sweep.points();
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<PointResult>>> = Mutex::new((0..indices.len()).map(|_| None).collect());
    std::thread::scope(|scope| {
        for _ in 0..parallel.clamp(1, indices.len().max(1)) {
            scope.spawn(|| {
                loop {
                    if engram_sim::interrupt::requested().is_some() {
                        return;
                    }
                    let k = next.fetch_add(1, Ordering::Relaxed);
                    let Some(point) = indices.get(k).and_then(|&i| points.get(i)) else { return };
                    let result = run_point(root, point, after_run);
                    progress.set_message(&format!("{} {}", point.name, result.status));
                    progress.inc(1);
                    results.lock().unwrap_or_else(|e| e.into_inner())[k] = Some(result);
                }
            });
        }
    });
    results.into_inner().unwrap_or_else(|e| e.into_inner()).into_iter().flatten().collect()
}

/// Write `sweep.json` into `dir` from the `results` of the sweep's points (from any
/// processes, in any order; a point without a result is `not run`), then put the folder in
/// place, or, if a run was interrupted or a point did not run, keep it aside marked
/// interrupted and return [`EngramError::Interrupted`]. `parallel` is the number of runs
/// that went at once (written as `parallel_runs`), `t0` when the sweep started.
pub fn finish_sweep(
    sweep: &Sweep,
    dir: RunDir,
    results: Vec<PointResult>,
    parallel: usize,
    t0: Instant,
) -> Result<SweepReport, EngramError> {
    let points = sweep.points();
    let mut done: Vec<Option<PointResult>> = (0..points.len()).map(|_| None).collect();
    for r in results {
        let index = r.index;
        let slot = done.get_mut(index).ok_or_else(|| {
            EngramError::Other(format!("a result for point {index}, but the sweep has {} points", points.len()))
        })?;
        if slot.is_some() {
            return Err(EngramError::Other(format!("two results for point {index} of the sweep")));
        }
        *slot = Some(r);
    }
    let mut table = Vec::with_capacity(points.len());
    let mut failed = 0;
    let mut interruption: Option<EngramError> = None;
    let mut not_run = 0;
    for (point, result) in points.iter().zip(done) {
        match result {
            Some(r) => {
                match r.status {
                    RunStatus::Failed => failed += 1,
                    RunStatus::Interrupted if interruption.is_none() => {
                        interruption = Some(r.engram_error.unwrap_or_else(|| EngramError::Interrupted {
                            signal: engram_sim::interrupt::requested().unwrap_or("SIGINT"),
                            time_ms: 0.0,
                        }))
                    }
                    _ => {}
                }
                table.push(Ordered(r.row));
            }
            None => {
                not_run += 1;
                table.push(row_of(point, None, "not run", None));
            }
        }
    }
    let interrupted = interruption.is_some() || not_run > 0;
    let status = if interrupted {
        "interrupted"
    } else if failed > 0 {
        "failed"
    } else {
        "complete"
    };
    let wall_s = t0.elapsed().as_secs_f64();
    let mut set = Ordered::default();
    for s in sweep.sets() {
        set.push(s.key.as_str(), s.values.iter().map(|v| json_of(v)).collect::<Vec<_>>());
    }
    let json = SweepTable {
        status,
        file: &sweep.origin,
        set,
        seeds: sweep.seeds(),
        n_runs: points.len(),
        n_failed: failed,
        parallel_runs: parallel,
        wall_s,
        runs: &table,
    };
    let path = dir.path().join("sweep.json");
    std::fs::write(&path, serde_json::to_string_pretty(&json).expect("JSON values serialise"))
        .map_err(|source| EngramError::Output { path: path.clone(), source })?;
    if interrupted {
        let e = interruption.unwrap_or(EngramError::Interrupted {
            signal: engram_sim::interrupt::requested().unwrap_or("SIGINT"),
            time_ms: 0.0,
        });
        if let Some(kept) = dir.abandon(RunStatus::Interrupted, &e.to_string(), None)? {
            eprintln!("The sweep's runs so far and its sweep.json are in {}, marked interrupted.", kept.display());
        }
        return Err(e);
    }
    let written = dir.commit()?;
    Ok(SweepReport { dir: written, rows: table.iter().map(Ordered::to_value).collect(), failed, wall_s })
}

/// One row of `sweep.json`: the point, its status, its error, and its summary's numbers.
fn row_of(point: &Point, summary: Option<serde_json::Value>, status: &str, error: Option<String>) -> Ordered {
    let mut row = Ordered::default();
    row.push("index", point.index);
    row.push("dir", point.name.clone());
    for (key, value) in &point.values {
        row.push(key, json_of(value));
    }
    row.push("seed", point.seed);
    row.push("status", status);
    if let Some(e) = error {
        row.push("error", e);
    }
    if let Some(serde_json::Value::Object(mut summary)) = summary {
        // the summary's numbers in the order of summary.json, then any others
        for k in SUMMARY_ORDER {
            if let Some(v) = summary.remove(*k) {
                row.push(k, v);
            }
        }
        for (k, v) in summary {
            if !row.0.iter().any(|(have, _)| *have == k) {
                row.push(&k, v);
            }
        }
    }
    row
}

/// The fields of `summary.json` in the order it writes them.
const SUMMARY_ORDER: &[&str] = &[
    "model",
    "n",
    "duration_s",
    "dt_ms",
    "threads",
    "n_spikes",
    "rate_exc_hz",
    "rate_inh_hz",
    "n_synapses",
    "build_s",
    "loop_wall_s",
    "loop_cpu_s",
    "syn_events_per_s",
    "populations",
];

/// A JSON object that keeps its fields in the order they were pushed (serde_json's own map
/// sorts them), so that `sweep.json` reads index, dir, values, seed, status, numbers.
#[derive(Clone, Debug, Default)]
struct Ordered(Vec<(String, serde_json::Value)>);

impl Ordered {
    fn push(&mut self, key: &str, value: impl Into<serde_json::Value>) {
        self.0.push((key.to_string(), value.into()));
    }

    fn to_value(&self) -> serde_json::Value {
        serde_json::Value::Object(self.0.iter().cloned().collect())
    }
}

impl serde::Serialize for Ordered {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

/// `sweep.json`, its fields in this order.
#[derive(serde::Serialize)]
struct SweepTable<'a> {
    status: &'a str,
    file: &'a str,
    set: Ordered,
    seeds: &'a [u64],
    n_runs: usize,
    n_failed: usize,
    parallel_runs: usize,
    wall_s: f64,
    runs: &'a [Ordered],
}

/// Run one point into `root/<name>`; its row, status and (if it did not complete) error.
fn run_point(root: &Path, point: &Point, after_run: &AfterRun<'_>) -> PointResult {
    let ended = |row: Ordered, status: RunStatus, e: Option<EngramError>| PointResult {
        index: point.index,
        status,
        error: e.as_ref().map(ToString::to_string),
        row: row.0,
        engram_error: e,
    };
    let target = root.join(&point.name);
    let dir = match RunDir::create(&target, false) {
        Ok(dir) => dir,
        Err(e) => return ended(row_of(point, None, "failed", Some(e.to_string())), RunStatus::Failed, Some(e)),
    };
    let result = run_experiment(&point.experiment, Some(dir.path()), false).and_then(|output| {
        after_run(dir.path(), point, &output)?;
        Ok(output)
    });
    match result {
        Ok(output) => match dir.commit() {
            Ok(_) => {
                let summary = serde_json::to_value(&output.summary).ok();
                ended(row_of(point, summary, "complete", None), RunStatus::Complete, None)
            }
            Err(e) => ended(row_of(point, None, "failed", Some(e.to_string())), RunStatus::Failed, Some(e)),
        },
        Err(e) => {
            let (status, simulated_s) = match &e {
                EngramError::Interrupted { time_ms, .. } => (RunStatus::Interrupted, Some(time_ms / 1000.0)),
                EngramError::Diverged { time_ms, .. } => (RunStatus::Failed, Some(time_ms / 1000.0)),
                _ => (RunStatus::Failed, None),
            };
            let message = e.to_string();
            let summary_path = dir.path().join("summary.json");
            let summary = std::fs::read_to_string(&summary_path).ok().and_then(|t| serde_json::from_str(&t).ok());
            // the run directory keeps its name in the sweep, marked with how it ended
            if let Ok(Some(kept)) = dir.abandon(status, &message, simulated_s) {
                let _ = std::fs::rename(&kept, &target);
            }
            ended(row_of(point, summary, &status.to_string(), Some(message)), status, Some(e))
        }
    }
}

/// A RON value's text as JSON: numbers, booleans and strings as such, anything else as its
/// RON text.
fn json_of(text: &str) -> serde_json::Value {
    let t = text.trim();
    if let Ok(i) = t.parse::<i64>() {
        return i.into();
    }
    if let Ok(x) = t.parse::<f64>()
        && x.is_finite()
    {
        return x.into();
    }
    match t {
        "true" => return true.into(),
        "false" => return false.into(),
        _ => {}
    }
    string_of(t).unwrap_or_else(|| t.to_string()).into()
}
