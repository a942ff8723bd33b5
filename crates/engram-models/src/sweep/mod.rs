//! Parameter sweeps: one experiment run over a grid of values of some of its fields and of
//! seeds, in parallel, one run directory per grid point and a `sweep.json` table of them.
//!
//! ```
//! use engram_models::experiment::{Experiment, FileKind};
//! use engram_models::sweep::{Set, Sweep, parse_seeds};
//! let base = Experiment::from_ron_str("(model: Coba(n: 400), run: (duration_s: 0.1))", "coba.ron").unwrap();
//! let sets = vec![Set::parse("model.Coba.w_exc_ns=[4.0, 6.0]").unwrap()];
//! let sweep = Sweep::new("coba.ron", base, FileKind::Experiment, sets, Some(parse_seeds("1..3").unwrap())).unwrap();
//! let names: Vec<&str> = sweep.points().iter().map(|p| p.name.as_str()).collect();
//! assert_eq!(names, ["000-w_exc_ns=4.0-seed=1", "001-w_exc_ns=4.0-seed=2", "002-w_exc_ns=6.0-seed=1", "003-w_exc_ns=6.0-seed=2"]);
//! let p = &sweep.points()[3];
//! assert_eq!((p.experiment.run.seed, p.experiment.run.threads), (2, 1));   // each point runs on one thread
//!
//! // a key that names no field says what there is
//! let base = Experiment::builtin("coba-network").unwrap();
//! let sets = vec![Set::parse("model.Network.projections.ei.weight=[Constant(value: 1.0)]").unwrap()];
//! let e = Sweep::new("coba-network", base, FileKind::Experiment, sets, None).unwrap_err().to_string();
//! assert_eq!(e, "--set model.Network.projections.ei.weight: no projection named \"ei\"; there are: E->E, E->I, I->E, I->I");
//! ```
//!
//! **Keys** are dotted paths from the top of the file the user gave: `model.Coba.w_exc_ns`,
//! `run.duration_s` in an experiment file; `projections.E->I.weight`, `populations[0].size`
//! in a bare description file (whose `run.*` and `record.*` are the experiment's it runs as).
//! A list element is addressed by index (`[0]`) or by its name (a `name` field, or the
//! default name of a projection or stimulus; `["a.b"]` for a name with a dot). An enum
//! value is entered through its variant: `weight.Uniform.low`; a plain number given for a
//! variant with one plain field goes into it (`weight=[0.4]` on `Constant(value: ..)`). A key may add a parameter
//! to a component's `params` that the file leaves at its default.
//!
//! **Values** are a RON list of any RON values: `[0.4, 0.5]`, `[Constant(value: 0.4)]`,
//! `["E", "I"]`. Each replaces the value in the resolved experiment's RON text (the dialect of
//! [`engram_core::config`]), which is then read and checked as `cargo xtask run` reads a file,
//! so a value of the wrong kind or out of range is the same error, naming the field.
//!
//! **The grid** is the cartesian product of every value list, in the order given, and of the
//! seeds (innermost; default: the file's own seed). Every check, for each value and for each
//! grid point, is done by [`Sweep::new`], before anything is written or run. A point runs
//! exactly as `cargo xtask run` runs the same file with the same values and seed would (one
//! thread; results do not depend on it), so its spikes are the same.

mod tree;

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use engram_core::config::to_ron_string;
use engram_core::error::{ConfigError, EngramError};
use engram_sim::progress::{Every, Progress};

use crate::description::NetworkDescription;
use crate::experiment::{Experiment, FileKind, ModelConfig};
use crate::resources::{LONG_RUN_S, Limits, estimate};
use crate::run::{RunOutput, run_experiment};
use crate::rundir::{RunDir, RunStatus};
use tree::{Kind, Node};

/// The most runs one sweep may have.
pub const MAX_RUNS: usize = 100_000;

/// What is wrong with a sweep's input; every variant names the flag and the value.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SweepError {
    /// A `--set` argument that does not read, or a key that names no field.
    #[error("--set {arg}: {why}")]
    Set {
        /// The argument, or its key.
        arg: String,
        /// What is wrong and what there is.
        why: String,
    },
    /// A `--seeds` argument that does not read.
    #[error("--seeds {arg}: {why}")]
    Seeds {
        /// The argument.
        arg: String,
        /// What is wrong and what is allowed.
        why: String,
    },
    /// One value, or one grid point, that makes an invalid experiment (the typed error of
    /// reading it, without the place in the generated text).
    #[error("{what}: {message}")]
    Invalid {
        /// `--set KEY=VALUE` for one value, `grid point K (...)` for a combination.
        what: String,
        /// The error, naming the field.
        message: String,
    },
    /// The sweep as a whole (nothing to sweep, too many runs).
    #[error("{0}")]
    Grid(String),
}

/// One step of a [`Key`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Segment {
    /// A field, an enum variant, or a list element's name.
    Name(String),
    /// A list element's index.
    Index(usize),
}

/// A dotted path to a value: `model.Coba.w_exc_ns`, `populations[0].size`,
/// `projections.E->I.weight.Constant.value`, `populations["a.b"].size`.
///
/// ```
/// use engram_models::sweep::{Key, Segment};
/// let k = Key::parse("populations[0].neuron.params").unwrap();
/// assert_eq!(k.segments()[1], Segment::Index(0));
/// assert_eq!(Key::parse("a..b").unwrap_err().to_string(), "--set a..b: empty segment after `a`");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Key {
    text: String,
    segments: Vec<Segment>,
}

impl Key {
    /// Read a key.
    pub fn parse(text: &str) -> Result<Self, SweepError> {
        let fail = |why: String| SweepError::Set { arg: text.to_string(), why };
        if text.trim().is_empty() {
            return Err(fail("the key is empty (write KEY=[values], e.g. run.duration_s=[0.5, 1.0])".into()));
        }
        let mut segments = Vec::new();
        let mut rest = text;
        let mut expect_name = true;
        while !rest.is_empty() {
            let shown = &text[..text.len() - rest.len()];
            if let Some(r) = rest.strip_prefix('[') {
                let close = r.find(']').ok_or_else(|| fail(format!("`[` after `{shown}` is not closed")))?;
                let inside = r[..close].trim();
                let segment = if inside.starts_with('"') {
                    let name: String = ron::from_str(inside)
                        .map_err(|_| fail(format!("[{inside}] after `{shown}`: a name in quotes, like [\"E\"]")))?;
                    Segment::Name(name)
                } else {
                    let index = inside.parse::<usize>().map_err(|_| {
                        fail(format!(
                            "[{inside}] after `{shown}`: an index (a whole number from 0) or a name in quotes"
                        ))
                    })?;
                    Segment::Index(index)
                };
                segments.push(segment);
                rest = &r[close + 1..];
                expect_name = false;
                continue;
            }
            if !expect_name {
                rest = rest.strip_prefix('.').ok_or_else(|| fail(format!("`.` or `[` expected after `{shown}`")))?;
            }
            let end = rest.find(['.', '[']).unwrap_or(rest.len());
            let name = rest[..end].trim();
            if name.is_empty() {
                let shown = shown.trim_end_matches('.');
                return Err(fail(if shown.is_empty() {
                    "the key starts with an empty segment".into()
                } else {
                    format!("empty segment after `{shown}`")
                }));
            }
            segments.push(Segment::Name(name.to_string()));
            rest = &rest[end..];
            expect_name = false;
        }
        Ok(Self { text: text.to_string(), segments })
    }

    /// The key as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Its steps.
    pub fn segments(&self) -> &[Segment] {
        &self.segments
    }

    fn first_name(&self) -> Option<&str> {
        match self.segments.first() {
            Some(Segment::Name(n)) => Some(n),
            _ => None,
        }
    }
}

impl std::fmt::Display for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

/// One `--set KEY=[v1, v2, ...]`: a key and the RON text of each value.
///
/// ```
/// use engram_models::sweep::Set;
/// let s = Set::parse("projections.E->I.weight=[Constant(value: 0.4), Constant(value: 0.5)]").unwrap();
/// assert_eq!(s.values, ["Constant(value: 0.4)", "Constant(value: 0.5)"]);
/// let e = Set::parse("run.duration_s=0.5").unwrap_err().to_string();
/// assert_eq!(e, "--set run.duration_s=0.5: the values must be a RON list, like [0.5, 1.0]; found 0.5");
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Set {
    /// Where the values go.
    pub key: Key,
    /// Each value, as RON text.
    pub values: Vec<String>,
}

impl Set {
    /// Read `KEY=[values]`.
    pub fn parse(arg: &str) -> Result<Self, SweepError> {
        let fail = |why: String| SweepError::Set { arg: arg.to_string(), why };
        let Some((key, values)) = split_assignment(arg) else {
            return Err(fail("expected KEY=[values], e.g. model.Coba.w_exc_ns=[4.0, 6.0]".into()));
        };
        let key = Key::parse(key).map_err(|e| match e {
            SweepError::Set { why, .. } => fail(why),
            other => other,
        })?;
        let values = values.trim();
        let list = tree::parse(values).map_err(|e| fail(format!("the values are not valid RON: {e}")))?;
        let Kind::List(items) = &list.kind else {
            return Err(fail(format!("the values must be a RON list, like [0.5, 1.0]; found {values}")));
        };
        if items.is_empty() {
            return Err(fail("the list of values is empty; give at least one value".into()));
        }
        let values: Vec<String> = items.iter().map(|n| n.text(values).to_string()).collect();
        for (k, v) in values.iter().enumerate() {
            if values[..k].contains(v) {
                return Err(fail(format!("the value {v} is given twice")));
            }
        }
        Ok(Self { key, values })
    }
}

/// `KEY=VALUES` split at the first `=` outside brackets and quotes.
fn split_assignment(arg: &str) -> Option<(&str, &str)> {
    let mut depth = 0i32;
    let mut quoted = false;
    for (i, c) in arg.char_indices() {
        match c {
            '"' => quoted = !quoted,
            '[' if !quoted => depth += 1,
            ']' if !quoted => depth -= 1,
            '=' if !quoted && depth == 0 => return Some((&arg[..i], &arg[i + 1..])),
            _ => {}
        }
    }
    None
}

/// Read `--seeds`: `A..B` (A to B−1, as Rust ranges), `A..=B` (A to B), or `A,B,C`.
///
/// ```
/// use engram_models::sweep::parse_seeds;
/// assert_eq!(parse_seeds("1..4").unwrap(), [1, 2, 3]);
/// assert_eq!(parse_seeds("1..=4").unwrap(), [1, 2, 3, 4]);
/// assert_eq!(parse_seeds("1,5,9").unwrap(), [1, 5, 9]);
/// assert!(parse_seeds("4..1").unwrap_err().to_string().contains("is empty"));
/// ```
pub fn parse_seeds(arg: &str) -> Result<Vec<u64>, SweepError> {
    let fail = |why: String| SweepError::Seeds { arg: arg.to_string(), why };
    let seed = |s: &str| {
        s.trim()
            .replace('_', "")
            .parse::<u64>()
            .map_err(|_| fail(format!("`{}` is not a seed: seeds are whole numbers from 0 to {}", s.trim(), u64::MAX)))
    };
    let text = arg.trim();
    let seeds: Vec<u64> = if let Some((a, b)) = text.split_once("..") {
        let (inclusive, b) = match b.strip_prefix('=') {
            Some(b) => (true, b),
            None => (false, b),
        };
        let (a, b) = (seed(a)?, seed(b)?);
        let end = if inclusive { b.checked_add(1) } else { Some(b) };
        let empty = end.is_some_and(|end| end <= a);
        if empty {
            return Err(fail(
                "the range is empty; A..B runs the seeds A to B-1 (1..4: 1, 2, 3) and A..=B includes B (1..=4: 1, 2, 3, 4)"
                    .into(),
            ));
        }
        let count = end.map_or(u64::MAX - a, |end| end - a);
        if count > MAX_RUNS as u64 {
            return Err(fail(format!("{count} seeds; a sweep has at most {MAX_RUNS} runs")));
        }
        (0..count).map(|k| a + k).collect()
    } else {
        let seeds = text.split(',').map(seed).collect::<Result<Vec<u64>, _>>()?;
        for (k, s) in seeds.iter().enumerate() {
            if seeds[..k].contains(s) {
                return Err(fail(format!("the seed {s} is given twice")));
            }
        }
        seeds
    };
    Ok(seeds)
}

/// One run of the grid.
#[derive(Clone, Debug, PartialEq)]
pub struct Point {
    /// Its place in the grid (0, 1, ...).
    pub index: usize,
    /// Its run directory's name: `003-w_exc_ns=6.0-seed=2`.
    pub name: String,
    /// Each key and the RON text of its value here, in the order of the `--set`s.
    pub values: Vec<(String, String)>,
    /// Its seed.
    pub seed: u64,
    /// The experiment it runs (values and seed applied, one thread), checked.
    pub experiment: Experiment,
}

impl Point {
    /// `w_exc_ns=6.0, seed=2` style description of the point (full keys).
    fn describe(&self) -> String {
        let mut parts: Vec<String> = self.values.iter().map(|(k, v)| format!("{k}={v}")).collect();
        parts.push(format!("seed={}", self.seed));
        parts.join(", ")
    }
}

/// What the user swept: the base experiment, the `--set`s and the seeds, and the grid points,
/// every one checked.
#[derive(Clone, Debug)]
pub struct Sweep {
    origin: String,
    sets: Vec<Set>,
    seeds: Vec<u64>,
    points: Vec<Point>,
}

/// The RON text a key is resolved in: the experiment, or (for a bare description file) the
/// description.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Stage {
    Description,
    Experiment,
}

/// Where a value goes in a text.
#[derive(Clone, Debug, PartialEq)]
enum Target {
    /// Replace `text[start..end]`.
    Replace { start: usize, end: usize },
    /// Insert `prefix` and the value at `at` (a parameter the file leaves at its default).
    Insert { at: usize, prefix: String },
}

impl Target {
    fn range(&self) -> (usize, usize) {
        match self {
            Target::Replace { start, end } => (*start, *end),
            Target::Insert { at, .. } => (*at, *at),
        }
    }
}

impl Sweep {
    /// Check every `--set` key against `base` (read from `origin` as `kind`), every value and
    /// every grid point (the cartesian product of the value lists, then of `seeds`; `None`:
    /// the base's own seed). Nothing is run.
    pub fn new(
        origin: &str,
        base: Experiment,
        kind: FileKind,
        sets: Vec<Set>,
        seeds: Option<Vec<u64>>,
    ) -> Result<Self, SweepError> {
        if sets.is_empty() && seeds.is_none() {
            return Err(SweepError::Grid(
                "nothing to sweep: give --set KEY=[values] (e.g. --set run.duration_s=[0.5,1.0]) or --seeds".into(),
            ));
        }
        for (k, s) in sets.iter().enumerate() {
            let fail = |why: String| SweepError::Set { arg: s.key.to_string(), why };
            if sets[..k].iter().any(|o| o.key.segments == s.key.segments) {
                return Err(fail("this key is given twice; give all its values in one list".into()));
            }
            let run_field = |name: &str| {
                s.key.segments.len() == 2
                    && s.key.first_name() == Some("run")
                    && s.key.segments[1] == Segment::Name(name.into())
            };
            if run_field("seed") {
                return Err(fail("sweep seeds with --seeds (e.g. --seeds 1..5), not --set run.seed".into()));
            }
            if run_field("threads") {
                return Err(fail(
                    "each run of a sweep uses one thread; --threads sets how many runs go at once".into(),
                ));
            }
        }
        let seeds = seeds.unwrap_or_else(|| vec![base.run.seed]);
        let mut total: usize = seeds.len();
        for s in &sets {
            total = total.saturating_mul(s.values.len());
        }
        if total > MAX_RUNS {
            return Err(SweepError::Grid(format!("the grid has {total} runs; a sweep has at most {MAX_RUNS}")));
        }
        let description = kind == FileKind::Description;
        let base = Base::new(base, description);
        // every key resolves in the base, and no two keys overlap
        let mut targets = Vec::new();
        for s in &sets {
            let stage = base.stage_of(&s.key);
            let (text, root) = base.tree(stage);
            let target = base.resolve(stage, &text, &root, &s.key)?;
            for (other, other_stage, t) in &targets {
                let ((a0, a1), (b0, b1)) = (target.range(), Target::range(t));
                let nested =
                    (a0 < b1 && b0 < a1) || (a0 == a1 && b0 < a0 && a0 < b1) || (b0 == b1 && a0 < b0 && b0 < a1);
                if *other_stage == stage && nested {
                    return Err(SweepError::Set {
                        arg: s.key.to_string(),
                        why: format!("it overlaps --set {other}; sweep a value or the values inside it, not both"),
                    });
                }
            }
            targets.push((s.key.clone(), stage, target));
        }
        // every value alone
        for s in &sets {
            for v in &s.values {
                base.apply(&[(s, v.as_str())]).map_err(|message| {
                    let hint = base.hint(s, v).unwrap_or_default();
                    SweepError::Invalid { what: format!("--set {}={v}", s.key), message: message + &hint }
                })?;
            }
        }
        // every grid point
        let labels = labels(&sets);
        let width = (total.max(1) - 1).to_string().len().max(3);
        let mut points = Vec::with_capacity(total);
        let mut choice = vec![0usize; sets.len()];
        'grid: loop {
            let chosen: Vec<(&Set, &str)> = sets.iter().zip(&choice).map(|(s, &k)| (s, s.values[k].as_str())).collect();
            let point_exp = if sets.len() > 1 {
                base.apply(&chosen).map_err(|message| SweepError::Invalid {
                    what: format!(
                        "grid point {} ({})",
                        points.len(),
                        chosen.iter().map(|(s, v)| format!("{}={v}", s.key)).collect::<Vec<_>>().join(", ")
                    ),
                    message,
                })?
            } else {
                base.apply(&chosen).map_err(|message| SweepError::Invalid { what: "the grid".into(), message })?
            };
            for &seed in &seeds {
                let index = points.len();
                let mut experiment = point_exp.clone();
                experiment.run.seed = seed;
                experiment.run.threads = 1;
                let mut name = format!("{index:0width$}");
                for ((_, v), label) in chosen.iter().zip(&labels) {
                    name.push_str(&format!("-{label}={}", file_safe(v)));
                }
                name.push_str(&format!("-seed={seed}"));
                let values = chosen.iter().map(|(s, v)| (s.key.to_string(), v.to_string())).collect();
                points.push(Point { index, name, values, seed, experiment });
            }
            // next combination, the last --set fastest
            for k in (0..sets.len()).rev() {
                choice[k] += 1;
                if choice[k] < sets[k].values.len() {
                    continue 'grid;
                }
                choice[k] = 0;
            }
            break;
        }
        Ok(Self { origin: origin.to_string(), sets, seeds, points })
    }

    /// The grid points, in order.
    pub fn points(&self) -> &[Point] {
        &self.points
    }

    /// The seeds of every value combination.
    pub fn seeds(&self) -> &[u64] {
        &self.seeds
    }

    /// The `--set`s.
    pub fn sets(&self) -> &[Set] {
        &self.sets
    }

    /// Refuse a sweep whose runs would not fit: each run against `limits` (one thread each),
    /// then `parallel` of the largest at once against the available memory, and the whole
    /// grid (spread over `parallel` cores) against the long-run limit unless allowed.
    pub fn check_resources(&self, limits: &Limits, parallel: usize) -> Result<(), EngramError> {
        let costs: Vec<_> = self.points.iter().map(|p| estimate(&p.experiment)).collect();
        for (p, c) in self.points.iter().zip(&costs) {
            c.check(&Limits { allow_long: true, ..*limits })
                .map_err(|e| EngramError::Other(format!("run {} of the sweep ({}): {e}", p.name, p.describe())))?;
        }
        let mut memory: Vec<f64> = costs.iter().map(|c| c.memory_bytes).collect();
        memory.sort_by(|a, b| b.total_cmp(a));
        let at_once: f64 = memory.iter().take(parallel.max(1)).sum();
        if let Some(available) = limits.available_bytes
            && at_once > available as f64
        {
            return Err(EngramError::Other(format!(
                "{parallel} runs at once need about {:.1} GB of memory but {:.1} GB is available; run fewer at once (--threads)",
                at_once / 1e9,
                available as f64 / 1e9
            )));
        }
        let wall_s: f64 = costs.iter().map(|c| c.wall_s).sum::<f64>() / parallel.max(1) as f64;
        if !limits.allow_long && (wall_s > LONG_RUN_S || wall_s.is_nan()) {
            return Err(EngramError::Other(format!(
                "this sweep would take about {:.1} hours on {parallel} cores; sweeps estimated above {} hours need --allow-long",
                wall_s / 3600.0,
                LONG_RUN_S / 3600.0
            )));
        }
        Ok(())
    }
}

/// The experiment a sweep starts from, as RON text in the stage(s) keys are resolved in.
#[derive(Clone, Debug)]
struct Base {
    experiment: Experiment,
    /// For a bare description file: its description (keys other than `run.*`/`record.*`
    /// address it, and the experiment is made from it as `cargo xtask run` makes it).
    description: Option<NetworkDescription>,
}

impl Base {
    fn new(experiment: Experiment, description: bool) -> Self {
        let description = match (&experiment.model, description) {
            (ModelConfig::Network(d), true) => Some(d.clone()),
            _ => None,
        };
        Self { experiment, description }
    }

    fn stage_of(&self, key: &Key) -> Stage {
        match (&self.description, key.first_name()) {
            (Some(_), Some("run" | "record")) | (None, _) => Stage::Experiment,
            (Some(_), _) => Stage::Description,
        }
    }

    /// The base's text and tree in `stage`.
    fn tree(&self, stage: Stage) -> (String, Node) {
        let text = match (stage, &self.description) {
            (Stage::Description, Some(d)) => d.to_ron_string(),
            _ => to_ron_string(&self.experiment),
        };
        let node = tree::parse(&text).expect("engram writes valid RON");
        (text, node)
    }

    /// The names of a list's elements that have no `name` written: the default names of a
    /// description's projections and stimuli (`fields` is the path of field names to it).
    fn default_names(
        &self,
        stage: Stage,
        fields: &[String],
        description: Option<&NetworkDescription>,
    ) -> Option<Vec<String>> {
        let inner: &[String] = match stage {
            Stage::Description => fields,
            Stage::Experiment if fields.len() > 2 && fields[0] == "model" && fields[1] == "Network" => &fields[2..],
            Stage::Experiment => return None,
        };
        let d = description.or(match &self.experiment.model {
            ModelConfig::Network(d) => Some(d),
            _ => None,
        })?;
        match inner {
            [one] if one == "projections" => Some(d.projection_names()),
            [one] if one == "stimuli" => Some(d.stimulus_names()),
            _ => None,
        }
    }

    /// Where `key` points in `text` (parsed as `root`).
    fn resolve(&self, stage: Stage, text: &str, root: &Node, key: &Key) -> Result<Target, SweepError> {
        let description = match (stage, &self.description) {
            (Stage::Description, Some(d)) => Some(d),
            _ => None,
        };
        resolve(text, root, key, stage, &|fields: &[String]| self.default_names(stage, fields, description))
            .map_err(|why| SweepError::Set { arg: key.to_string(), why })
    }

    /// The experiment with each `(set, value)` applied, read and checked; the error is the
    /// typed one, without its place in the generated text.
    fn apply(&self, chosen: &[(&Set, &str)]) -> Result<Experiment, String> {
        let in_stage =
            |stage: Stage| chosen.iter().filter(|(s, _)| self.stage_of(&s.key) == stage).copied().collect::<Vec<_>>();
        let mut experiment = self.experiment.clone();
        if let Some(d) = &self.description {
            let edits = in_stage(Stage::Description);
            if !edits.is_empty() {
                let text = d.to_ron_string();
                let changed = self.edit(Stage::Description, &text, &edits)?;
                let d = NetworkDescription::from_ron_str(&changed, "<sweep>").map_err(plain)?;
                // as `cargo xtask run` makes the experiment of a description file
                experiment = Experiment::of_description(d);
            }
        }
        let edits = in_stage(Stage::Experiment);
        if edits.is_empty() {
            use engram_core::params::Params;
            experiment.validate().map_err(|e| e.to_string())?;
            return Ok(experiment);
        }
        let text = to_ron_string(&experiment);
        let changed = self.edit(Stage::Experiment, &text, &edits)?;
        Experiment::from_ron_str(&changed, "<sweep>").map_err(plain)
    }

    /// `text` with each value written in place of what its key points to.
    fn edit(&self, stage: Stage, text: &str, edits: &[(&Set, &str)]) -> Result<String, String> {
        let root = tree::parse(text).map_err(|e| format!("internal: {e}"))?;
        let mut placed = Vec::new();
        for (s, v) in edits {
            let target = self.resolve(stage, text, &root, &s.key).map_err(|e| e.to_string())?;
            placed.push((sole_field(&root, target, v), *v));
        }
        placed.sort_by_key(|(t, _)| std::cmp::Reverse(t.range().0));
        let mut out = text.to_string();
        for (target, value) in placed {
            match target {
                Target::Replace { start, end } => out.replace_range(start..end, value),
                Target::Insert { at, prefix } => out.insert_str(at, &format!("{prefix}{value}")),
            }
        }
        Ok(out)
    }

    /// A hint for a plain value given where the base has an enum value with several fields
    /// (`weight: Uniform(low: 0.4, high: 0.6)`): the key of the field to sweep instead.
    fn hint(&self, set: &Set, value: &str) -> Option<String> {
        let stage = self.stage_of(&set.key);
        let (text, root) = self.tree(stage);
        let Ok(Target::Replace { start, end }) = self.resolve(stage, &text, &root, &set.key) else { return None };
        let node = find_node(&root, start, end)?;
        let Kind::Struct { name: Some(variant), fields, .. } = &node.kind else { return None };
        let value_node = tree::parse(value).ok()?;
        if !matches!(value_node.kind, Kind::Leaf) || fields.is_empty() {
            return None;
        }
        let field = &fields[0].0;
        Some(format!(
            " ({key} is {variant}(...) here: sweep its field with --set '{key}.{variant}.{field}=[{value}, ...]', or give whole values like {variant}({field}: {value}))",
            key = set.key
        ))
    }
}

/// A plain value (`0.5`) given where the text has an enum value with one plain field
/// (`Constant(value: 0.4)`) goes into that field, so `weight=[0.4, 0.5]` sweeps a constant
/// weight; any other target is kept.
fn sole_field(root: &Node, target: Target, value: &str) -> Target {
    let Target::Replace { start, end } = target else { return target };
    let plain = tree::parse(value).is_ok_and(|v| matches!(v.kind, Kind::Leaf));
    match find_node(root, start, end).map(|n| &n.kind) {
        Some(Kind::Struct { name: Some(_), fields, .. })
            if plain && fields.len() == 1 && matches!(fields[0].1.kind, Kind::Leaf) =>
        {
            Target::Replace { start: fields[0].1.start, end: fields[0].1.end }
        }
        _ => target,
    }
}

/// The node of `root` written exactly at `start..end`.
fn find_node(root: &Node, start: usize, end: usize) -> Option<&Node> {
    if root.start == start && root.end == end {
        return Some(root);
    }
    let children: Vec<&Node> = match &root.kind {
        Kind::Leaf => Vec::new(),
        Kind::List(items) | Kind::Tuple { items, .. } => items.iter().collect(),
        Kind::Map(entries) => entries.iter().map(|(_, v)| v).collect(),
        Kind::Struct { fields, .. } => fields.iter().map(|(_, v)| v).collect(),
    };
    children.into_iter().find(|c| c.start <= start && end <= c.end).and_then(|c| find_node(c, start, end))
}

/// A config error as the field and the message, without the place in the generated text.
fn plain(e: ConfigError) -> String {
    match e {
        ConfigError::Syntax { field: Some(f), message, .. } => format!("{f}: {message}"),
        ConfigError::Syntax { field: None, message, .. } => message,
        ConfigError::Invalid { source, .. } => source.to_string(),
        other => other.to_string(),
    }
}

/// The word for one element of a list field (`projections` → `projection`).
fn element_word(list_field: Option<&str>) -> &'static str {
    match list_field {
        Some("projections") => "projection",
        Some("populations") => "population",
        Some("sources") => "source group",
        Some("stimuli") => "stimulus",
        Some("phases") => "phase",
        Some("monitors") => "monitor",
        Some("state") => "state record",
        _ => "element",
    }
}

/// A RON string leaf's text, unquoted.
fn string_of(text: &str) -> Option<String> {
    ron::from_str::<String>(text).ok().filter(|_| text.trim_start().starts_with(['"', 'r']))
}

/// Follow `key` through the tree of `text`; the error says which segment failed and what
/// there is at that point.
fn resolve(
    text: &str,
    root: &Node,
    key: &Key,
    stage: Stage,
    default_names: &dyn Fn(&[String]) -> Option<Vec<String>>,
) -> Result<Target, String> {
    let mut node = root;
    let mut shown = String::new();
    let mut fields: Vec<String> = Vec::new();
    let mut variant_entered = false;
    let mut in_field: Option<&str> = None;
    let n = key.segments.len();
    for (i, segment) in key.segments.iter().enumerate() {
        let last = i + 1 == n;
        let here = if shown.is_empty() {
            match stage {
                Stage::Experiment => "the experiment".to_string(),
                Stage::Description => "the description".to_string(),
            }
        } else {
            format!("`{shown}`")
        };
        let next_shown = match segment {
            Segment::Name(name) if shown.is_empty() => name.clone(),
            Segment::Name(name) if name.contains(['.', '[']) => format!("{shown}[{name:?}]"),
            Segment::Name(name) => format!("{shown}.{name}"),
            Segment::Index(k) => format!("{shown}[{k}]"),
        };
        match (segment, &node.kind) {
            (Segment::Name(name), Kind::Struct { name: Some(variant), fields: f, open }) if !variant_entered => {
                if name != variant {
                    let is_field = f.iter().any(|(field, _)| field == name);
                    return Err(if is_field {
                        format!("{here} is {variant}(...): write {shown}.{variant}.{name}")
                    } else {
                        format!(
                            "{here} is {variant}(...), not {name}: the segment after `{shown}` is its variant name, {variant} (to change the variant, set the whole value: --set '{shown}=[{name}(...)]')"
                        )
                    });
                }
                variant_entered = true;
                fields.push(name.clone());
                if last {
                    return Ok(Target::Replace { start: *open, end: node.end });
                }
            }
            (Segment::Name(name), Kind::Tuple { name: Some(variant), items, open }) if !variant_entered => {
                if name != variant {
                    return Err(format!("{here} is {variant}(...), not {name}"));
                }
                variant_entered = true;
                fields.push(name.clone());
                if last {
                    return Ok(Target::Replace { start: *open, end: node.end });
                }
                if let [only] = items.as_slice() {
                    node = only;
                    variant_entered = false;
                }
            }
            (Segment::Name(name), Kind::Struct { fields: f, open, .. }) => {
                match f.iter().find(|(field, _)| field == name) {
                    Some((_, child)) => {
                        node = child;
                        variant_entered = false;
                        in_field = Some(name);
                        fields.push(name.clone());
                    }
                    None if last && in_field == Some("params") => {
                        // a parameter the file leaves at its default: written in, and checked by its kind
                        return Ok(match f.last() {
                            Some((_, v)) => Target::Insert { at: v.end, prefix: format!(", {name}: ") },
                            None => Target::Insert { at: open + 1, prefix: format!("{name}: ") },
                        });
                    }
                    None => {
                        let mut names: Vec<&str> = f.iter().map(|(field, _)| field.as_str()).collect();
                        let extra = if shown.is_empty() && stage == Stage::Description {
                            names.extend(["run", "record"]);
                            " (run and record: the experiment it runs as)"
                        } else {
                            ""
                        };
                        return Err(if names.is_empty() {
                            format!("{here} has no fields (it is `()`)")
                        } else {
                            format!("{here} has no field `{name}`; its fields: {}{extra}", names.join(", "))
                        });
                    }
                }
            }
            (Segment::Name(name), Kind::List(items)) => {
                let defaults = default_names(&fields);
                let names: Vec<Option<String>> = items
                    .iter()
                    .enumerate()
                    .map(|(k, item)| {
                        let written = match &item.kind {
                            Kind::Struct { fields, .. } => {
                                fields.iter().find(|(f, _)| f == "name").and_then(|(_, v)| string_of(v.text(text)))
                            }
                            _ => None,
                        };
                        written.or_else(|| defaults.as_ref().and_then(|d| d.get(k).cloned()))
                    })
                    .collect();
                let word = element_word(in_field);
                match names.iter().position(|n| n.as_deref() == Some(name.as_str())) {
                    Some(k) => {
                        node = &items[k];
                        variant_entered = false;
                        in_field = None;
                    }
                    None if items.is_empty() => {
                        return Err(format!("{here} is an empty list: no {word} named {name:?}"));
                    }
                    None if names.iter().all(Option::is_none) => {
                        return Err(format!(
                            "the {word}s of {here} have no names; address them by index: {shown}[0] to {shown}[{}]",
                            items.len() - 1
                        ));
                    }
                    None => {
                        let known: Vec<&str> = names.iter().flatten().map(String::as_str).collect();
                        return Err(format!("no {word} named {name:?}; there are: {}", known.join(", ")));
                    }
                }
            }
            (Segment::Name(name), Kind::Map(entries)) => {
                let keys: Vec<String> = entries
                    .iter()
                    .map(|(k, _)| string_of(k.text(text)).unwrap_or_else(|| k.text(text).into()))
                    .collect();
                match keys.iter().position(|k| k == name) {
                    Some(k) => {
                        node = &entries[k].1;
                        variant_entered = false;
                        in_field = None;
                    }
                    None => return Err(format!("{here} has no key {name:?}; its keys: {}", keys.join(", "))),
                }
            }
            (Segment::Name(name), Kind::Leaf) => {
                return Err(format!("{here} is a single value ({}), with no field `{name}`", node.text(text)));
            }
            (Segment::Name(name), Kind::Tuple { items, .. }) => {
                return Err(format!(
                    "{here} is a tuple of {} values, with no field `{name}`; address its values by index: {shown}[0]",
                    items.len()
                ));
            }
            (Segment::Index(k), Kind::List(items) | Kind::Tuple { name: None, items, .. }) => match items.get(*k) {
                Some(item) => {
                    node = item;
                    variant_entered = false;
                    in_field = None;
                }
                None if items.is_empty() => return Err(format!("{here} is empty: it has no element [{k}]")),
                None => {
                    return Err(format!(
                        "{here} has {} element{}: [0] to [{}], not [{k}]",
                        items.len(),
                        if items.len() == 1 { "" } else { "s" },
                        items.len() - 1
                    ));
                }
            },
            (Segment::Index(k), _) => {
                return Err(format!("{here} is {}, not a list: it has no element [{k}]", what_is(node, text)));
            }
        }
        shown = next_shown;
    }
    Ok(Target::Replace { start: node.start, end: node.end })
}

/// What a node is, in words: `a struct with fields a, b`, `a single value (0.1)`.
fn what_is(node: &Node, text: &str) -> String {
    match &node.kind {
        Kind::Struct { fields, .. } if fields.is_empty() => "`()`".into(),
        Kind::Struct { fields, .. } => {
            let names: Vec<&str> = fields.iter().map(|(f, _)| f.as_str()).collect();
            format!("a struct with fields {}", names.join(", "))
        }
        Kind::Leaf => format!("a single value ({})", node.text(text)),
        Kind::Map(_) => "a map".into(),
        Kind::Tuple { .. } => "a tuple".into(),
        Kind::List(_) => "a list".into(),
    }
}

/// The label of each key in run directory names: its last segment, or as many last segments
/// as make it differ from the other keys' labels.
fn labels(sets: &[Set]) -> Vec<String> {
    let render = |s: &Set, take: usize| -> String {
        let segs = s.key.segments();
        let from = segs.len().saturating_sub(take);
        segs[from..]
            .iter()
            .map(|seg| match seg {
                Segment::Name(n) => file_safe(n),
                Segment::Index(k) => k.to_string(),
            })
            .collect::<Vec<_>>()
            .join(".")
    };
    sets.iter()
        .map(|s| {
            let len = s.key.segments().len();
            (1..=len)
                .map(|take| render(s, take))
                .find(|label| {
                    sets.iter()
                        .filter(|o| !std::ptr::eq(*o, s))
                        .all(|o| (1..=o.key.segments().len()).all(|take| render(o, take) != *label))
                })
                .unwrap_or_else(|| render(s, len))
        })
        .collect()
}

/// A value or name made safe for a folder name: `->` becomes `_to_`, quotes and blanks go,
/// other characters outside `[A-Za-z0-9._+-]` become `_`; at most 40 characters.
fn file_safe(text: &str) -> String {
    let text = text.replace("->", "_to_");
    let mut out = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '+' | '_') {
            out.push(c);
        } else if c.is_whitespace() || c == '"' {
            continue;
        } else if !out.ends_with('_') {
            out.push('_');
        }
    }
    let out = out.trim_matches('_');
    let cut: String = out.chars().take(40).collect();
    if cut.is_empty() { "_".into() } else { cut }
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
pub fn run_sweep(
    sweep: &Sweep,
    out: &Path,
    options: &SweepOptions,
    after_run: &AfterRun<'_>,
) -> Result<SweepReport, EngramError> {
    let t0 = Instant::now();
    if options.force && out.is_dir() && std::fs::read_dir(out).is_ok_and(|mut d| d.next().is_some()) {
        let is_sweep = out.join("sweep.json").is_file();
        if !is_sweep {
            return Err(EngramError::Other(format!(
                "refusing to use {} as the output directory: it is not an earlier sweep (no sweep.json); --force replaces only an earlier engram sweep; nothing was deleted",
                out.display()
            )));
        }
    }
    let dir = RunDir::create(out, options.force)?;
    let points = sweep.points();
    let parallel = options.parallel.clamp(1, points.len().max(1));
    let progress = Progress::new("sweep", points.len() as u64, "runs", Every::Item, options.progress);
    let next = AtomicUsize::new(0);
    let rows: Mutex<Vec<Option<Finished>>> = Mutex::new((0..points.len()).map(|_| None).collect());
    std::thread::scope(|scope| {
        for _ in 0..parallel {
            scope.spawn(|| {
                loop {
                    if engram_sim::interrupt::requested().is_some() {
                        return;
                    }
                    let k = next.fetch_add(1, Ordering::Relaxed);
                    let Some(point) = points.get(k) else { return };
                    let (row, status, error) = run_point(dir.path(), point, after_run);
                    progress.set_message(&format!("{} {status}", point.name));
                    progress.inc(1);
                    rows.lock().unwrap_or_else(|e| e.into_inner())[k] = Some((row, status, error));
                }
            });
        }
    });
    progress.finish();
    let done = rows.into_inner().unwrap_or_else(|e| e.into_inner());
    let mut table = Vec::with_capacity(points.len());
    let mut failed = 0;
    let mut interruption = None;
    let mut not_run = 0;
    for (point, row) in points.iter().zip(done) {
        match row {
            Some((row, status, error)) => {
                match status {
                    RunStatus::Failed => failed += 1,
                    RunStatus::Interrupted if interruption.is_none() => interruption = error,
                    _ => {}
                }
                table.push(row);
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

/// A finished run: its row of `sweep.json`, its status and, unless it completed, its error.
type Finished = (Ordered, RunStatus, Option<EngramError>);

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
fn run_point(root: &Path, point: &Point, after_run: &AfterRun<'_>) -> Finished {
    let target = root.join(&point.name);
    let dir = match RunDir::create(&target, false) {
        Ok(dir) => dir,
        Err(e) => return (row_of(point, None, "failed", Some(e.to_string())), RunStatus::Failed, Some(e)),
    };
    let result = run_experiment(&point.experiment, Some(dir.path()), false).and_then(|output| {
        after_run(dir.path(), point, &output)?;
        Ok(output)
    });
    match result {
        Ok(output) => match dir.commit() {
            Ok(_) => {
                let summary = serde_json::to_value(&output.summary).ok();
                (row_of(point, summary, "complete", None), RunStatus::Complete, None)
            }
            Err(e) => (row_of(point, None, "failed", Some(e.to_string())), RunStatus::Failed, Some(e)),
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
            (row_of(point, summary, &status.to_string(), Some(message)), status, Some(e))
        }
    }
}
