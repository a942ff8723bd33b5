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

mod args;
mod resolve;
mod run;
mod tree;

use engram_core::config::to_ron_string;
use engram_core::error::EngramError;

use crate::description::NetworkDescription;
use crate::experiment::{Experiment, FileKind, ModelConfig};
use crate::resources::{LONG_RUN_S, Limits, estimate};
pub use args::{SweepArgs, load_base};
use resolve::{find_node, plain, resolve, sole_field};
pub use run::{
    AfterRun, PointResult, SweepOptions, SweepReport, create_sweep_dir, finish_sweep, run_points, run_sweep,
};
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
