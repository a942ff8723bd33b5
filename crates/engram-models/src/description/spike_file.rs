//! The `SpikeTrainsFile` source kind: a source group that replays the spikes of a `.npy` file,
//! in the layout engram's spike monitor writes (`spikes_<pop>.npy`: rows of time_ms, neuron),
//! through [`engram_stimuli::SpikeTrains`]; and the reading, checking and caching of such files.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use engram_core::error::ParamError;
use engram_core::params::{Checked, Params};
use engram_sim::npy::read_npy_2d;
use engram_stimuli::{SpikeTrains, SpikeTrainsParams};
use serde::{Deserialize, Serialize};

use super::registry::SourceContext;

/// Parameters of the `SpikeTrainsFile` source: `(path: "inputs/ob.npy", n_sources: 200)`.
///
/// The file is a float64 `.npy` array of shape `(rows, 2)`, one spike per row: its time in ms
/// (finite, ≥ 0) and its source's index (a whole number below `n_sources`), rows in any
/// order. This is what engram's spike monitor writes for a population (`spikes_<pop>.npy` in a
/// run directory), so a population's output replays as its spikes: at the same `dt_ms`, each
/// spike is emitted in the step it was recorded in (`floor(t / dt)`, as
/// [`SpikeTrains`] places spikes). Two spikes of one source in one step are an error.
///
/// ```
/// use engram_models::description::NetworkDescription;
/// use engram_sim::npy::{OutputFormat, write_array};
/// let dir = std::env::temp_dir().join(format!("engram_doc_spike_file_{}", std::process::id()));
/// std::fs::create_dir_all(&dir).unwrap();
/// // three spikes: (time_ms, neuron) rows
/// write_array(&dir.join("in.npy"), OutputFormat::Npy, &["time_ms", "neuron"], &[1.0, 0.0, 2.5, 3.0, 2.5, 1.0]).unwrap();
/// let text = r#"(
///     populations: [(name: "E", size: 4, neuron: (kind: "LifCond"))],
///     sources: [(name: "replay", source: (kind: "SpikeTrainsFile", params: (path: "in.npy", n_sources: 4)))],
///     projections: [(pre: "replay", post: "E", receptor: "exc",
///                    connectivity: (kind: "OneToOne"), weight: Constant(value: 1.0))],
///     monitors: [Spikes(populations: ["replay"])],
/// )"#;
/// std::fs::write(dir.join("net.ron"), text).unwrap();
/// // a relative path is relative to the description's file
/// let d = NetworkDescription::from_file(&dir.join("net.ron")).unwrap();
/// let mut built = d.build_with(&Default::default(), 0.1, 1).unwrap();
/// built.network.run_ms(5.0).unwrap();
/// let m = built.network.monitor::<engram_sim::SpikeMonitor>(built.monitors[0]).unwrap();
/// assert_eq!((m.times_ms("replay"), m.neurons("replay")), (&[1.0, 2.5, 2.5][..], &[0, 1, 3][..]));
///
/// // a neuron index beyond n_sources: the error names the file's row and value
/// std::fs::write(dir.join("bad.ron"), text.replace("n_sources: 4", "n_sources: 3")).unwrap();
/// let e = NetworkDescription::from_file(&dir.join("bad.ron")).unwrap_err().to_string();
/// assert!(e.contains("bad.ron:3: sources[0].source.params.path[1].neuron = 3 is not allowed: \
///                     expected a source index below n_sources = 3 (row 1 of "), "{e}");
/// # std::fs::remove_dir_all(&dir).ok();
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpikeTrainsFileParams {
    /// The `.npy` file; a relative path is relative to the description's folder (its
    /// `base_dir`).
    pub path: PathBuf,
    /// Number of sources in the group (≥ 1); every neuron index in the file is below it.
    pub n_sources: usize,
}

impl Params for SpikeTrainsFileParams {
    fn validate(&self) -> Result<(), ParamError> {
        if self.path.as_os_str().is_empty() {
            return Err(ParamError::new("path", "\"\"", "the path of a .npy file of spikes (time_ms, neuron)"));
        }
        if self.n_sources == 0 || self.n_sources > u32::MAX as usize {
            return Err(ParamError::new("n_sources", self.n_sources, "between 1 and 2^32 - 1 sources"));
        }
        Ok(())
    }
}

/// The rows of a spike file, each time finite and ≥ 0 and each neuron a whole number that fits
/// a `u32` (the checks that do not depend on the group).
#[derive(Debug)]
struct SpikeRows {
    times_ms: Vec<f64>,
    neurons: Vec<u32>,
}

/// A file as it is on disk: the same path, length and modification time read the same rows.
#[derive(Clone, Debug, PartialEq)]
struct FileKey {
    path: PathBuf,
    len: u64,
    modified: Option<SystemTime>,
}

/// Files read while checking a description, kept until the network is built from it (which
/// takes them out) so that a check followed by a build reads each file once. At most
/// [`CACHED_FILES`] are kept, the oldest dropped first.
static CACHE: Mutex<Vec<(FileKey, Arc<SpikeRows>)>> = Mutex::new(Vec::new());

/// How many files [`CACHE`] keeps.
const CACHED_FILES: usize = 4;

/// What a file of spikes must be, for messages.
const LAYOUT: &str = "a float64 .npy array of shape (rows, 2), one spike per row: time_ms, neuron (what engram's \
                      spike monitor writes as spikes_<pop>.npy)";

/// The rows of `file` (`written`: the path as the parameters give it), from the cache or
/// read and checked; `keep`: leave them in the cache (while checking) or take them out.
fn rows_of(file: &Path, written: &Path, keep: bool) -> Result<Arc<SpikeRows>, ParamError> {
    let shown = format!("{:?}", written.display().to_string());
    let meta = std::fs::metadata(file)
        .map_err(|e| ParamError::new("path", &shown, format!("{LAYOUT}; {} cannot be read: {e}", file.display())))?;
    let absolute = std::path::absolute(file).unwrap_or_else(|_| file.to_path_buf());
    let key = FileKey { path: absolute, len: meta.len(), modified: meta.modified().ok() };
    {
        let mut cache = CACHE.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(i) = cache.iter().position(|(k, _)| *k == key) {
            return Ok(if keep { Arc::clone(&cache[i].1) } else { cache.remove(i).1 });
        }
    }
    let rows = Arc::new(read_rows(file, &shown)?);
    if keep {
        let mut cache = CACHE.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        cache.retain(|(k, _)| k.path != key.path);
        if cache.len() >= CACHED_FILES {
            cache.remove(0);
        }
        cache.push((key, Arc::clone(&rows)));
    }
    Ok(rows)
}

/// Where row `i` of `file` is, for messages.
fn row_of(i: usize, file: &Path) -> String {
    format!("row {i} of {}, rows counted from 0", file.display())
}

/// Read `file` and check each row on its own.
fn read_rows(file: &Path, shown: &str) -> Result<SpikeRows, ParamError> {
    let (shape, data) = read_npy_2d(file).map_err(|e| ParamError::new("path", shown, format!("{LAYOUT}; {e}")))?;
    if shape.len() != 2 || shape[1] != 2 {
        let dims: Vec<String> = shape.iter().map(usize::to_string).collect();
        return Err(ParamError::new(
            "path",
            shown,
            format!("{LAYOUT}; {} has shape ({})", file.display(), dims.join(", ")),
        ));
    }
    let mut times_ms = Vec::with_capacity(shape[0]);
    let mut neurons = Vec::with_capacity(shape[0]);
    for (i, row) in data.chunks_exact(2).enumerate() {
        let (t, x) = (row[0], row[1]);
        if !(t.is_finite() && t >= 0.0) {
            return Err(ParamError::new(
                format!("path[{i}].time_ms"),
                t,
                format!("a finite time >= 0 ms ({})", row_of(i, file)),
            ));
        }
        if !(x >= 0.0 && x.fract() == 0.0 && x <= f64::from(u32::MAX)) {
            return Err(ParamError::new(
                format!("path[{i}].neuron"),
                x,
                format!("a whole neuron index from 0 to 2^32 - 1 ({})", row_of(i, file)),
            ));
        }
        times_ms.push(t);
        neurons.push(x as u32);
    }
    Ok(SpikeRows { times_ms, neurons })
}

/// The first pair of rows (in the order of the file) of one source that `collide` (same time
/// while checking, same step when building), if any.
fn colliding_rows(rows: &SpikeRows, collide: impl Fn(f64, f64) -> bool) -> Option<(usize, usize)> {
    let mut order: Vec<usize> = (0..rows.neurons.len()).collect();
    order.sort_by(|&a, &b| rows.neurons[a].cmp(&rows.neurons[b]).then(rows.times_ms[a].total_cmp(&rows.times_ms[b])));
    order
        .windows(2)
        .filter(|w| rows.neurons[w[0]] == rows.neurons[w[1]])
        .filter(|w| collide(rows.times_ms[w[0]], rows.times_ms[w[1]]))
        .map(|w| (w[0].min(w[1]), w[0].max(w[1])))
        .min()
}

/// The error for rows `a < b` of `file` that put one source twice into one step.
fn collision(rows: &SpikeRows, (a, b): (usize, usize), file: &Path, dt_ms: Option<f64>) -> ParamError {
    let (n, ta, tb) = (rows.neurons[b], rows.times_ms[a], rows.times_ms[b]);
    let step = match dt_ms {
        Some(dt) => format!("one step of dt = {dt} ms"),
        None => "one time".to_string(),
    };
    ParamError::new(
        format!("path[{b}]"),
        format!("(time_ms: {tb}, neuron: {n})"),
        format!(
            "at most one spike per source per step: row {a} (time_ms: {ta}) puts source {n} into {step} as well \
             ({}{})",
            row_of(b, file),
            if dt_ms.is_some() { "; a smaller dt_ms may separate them" } else { "" }
        ),
    )
}

/// The `SpikeTrainsFile` source: the file's spikes, checked against the group (every neuron
/// below `n_sources`, at most one spike per source and step), replayed by [`SpikeTrains`].
/// While checking, the file's rows are checked (and kept for the build) but no trains are
/// made.
pub(crate) fn spike_trains_from_file(
    p: Checked<SpikeTrainsFileParams>,
    ctx: &SourceContext,
) -> Result<SpikeTrains, ParamError> {
    let file = ctx.resolve(&p.path);
    let rows = rows_of(&file, &p.path, ctx.checking)?;
    if let Some(i) = rows.neurons.iter().position(|&x| x as usize >= p.n_sources) {
        return Err(ParamError::new(
            format!("path[{i}].neuron"),
            rows.neurons[i],
            format!("a source index below n_sources = {} ({})", p.n_sources, row_of(i, &file)),
        ));
    }
    if ctx.checking {
        if let Some(pair) = colliding_rows(&rows, |a, b| a == b) {
            return Err(collision(&rows, pair, &file, None));
        }
        return SpikeTrains::from_steps(p.n_sources, Vec::new());
    }
    let spikes: Vec<(u32, f64)> = rows.neurons.iter().copied().zip(rows.times_ms.iter().copied()).collect();
    let params = SpikeTrainsParams { n_sources: p.n_sources, spikes }.check()?;
    SpikeTrains::new(params, ctx.clock).map_err(|e| {
        // the engine's own step rule decides which two rows collide
        let same_step = |a: f64, b: f64| {
            let pair = SpikeTrainsParams { n_sources: 1, spikes: vec![(0, a), (0, b)] };
            pair.check().is_ok_and(|pair| SpikeTrains::new(pair, ctx.clock).is_err())
        };
        match colliding_rows(&rows, same_step) {
            Some(pair) => collision(&rows, pair, &file, Some(ctx.clock.dt_ms())),
            None => e.within("path"),
        }
    })
}
