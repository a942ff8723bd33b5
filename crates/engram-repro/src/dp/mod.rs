//! `cargo xtask reproduce dp`: every figure of the Dp paper, one module each (the model, its
//! variants and the protocols of Figs 3–6 are in [`engram_models::dp`]).
//!
//! A [`Context`] holds the network instances (by default 2 per structure A–D, i.e. 8
//! networks, the paper's count for Figs 3–5), the shared odors and the output directory.
//! Each figure module runs its simulations in parallel over cores (rayon; each simulation is
//! single-threaded and seeded, so results do not depend on the thread count) through
//! [`Context::run_jobs`], which spreads them over MPI ranks when [`ReproduceOptions::spread`]
//! says so (`engram-mpi reproduce dp`, [`crate::jobs`]: the jobs return what they measured,
//! files are written after each batch), writes its
//! panels under `OUT/figN/`, its arrays as `.npy`, and returns its typed summary
//! (`FigNSummary`, also written to `OUT/figN/figN.json`), which goes into [`DpSummary`]
//! (`OUT/summary.json`) under `"figN"`; [`readable_summary`] makes `OUT/summary.md` from it.
//!
//! Summaries hold means ± SD over networks as [`MeanSd`] (written `[mean, sd]`). serde_json
//! writes a non-finite number (a measure that was not applicable) as `null`; the summaries read
//! `null` back as NaN ([`null_as_nan`]).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use engram_core::error::EngramError;
use engram_models::dp::network::{DpConnectivity, odor_sets};
use engram_models::dp::params::{DpConfig, Structure};
use engram_stimuli::OdorSets;
use rayon::prelude::*;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::jobs::Spread;

pub mod basic;
pub mod fig1;
pub mod fig2;
pub mod fig3;
pub mod fig45;
pub mod fig6;
pub mod report;

/// What to reproduce and how big.
#[derive(Clone, Debug)]
pub struct ReproduceOptions {
    /// Figures to run (1–6); empty = all.
    pub figures: Vec<u32>,
    /// Networks per structure (the paper's Figs 3–5 use 2 of each of A–D).
    pub networks_per_structure: usize,
    /// The quick version: fewer networks and shorter protocols (minutes, not half an hour).
    pub quick: bool,
    /// Experiment seed (odors, network instances and Poisson draws derive from it).
    pub seed: u64,
    /// Output directory.
    pub out: PathBuf,
    /// Show progress bars.
    pub progress: bool,
    /// Test-only size: the quick protocols on networks scaled down by this factor (1 = full
    /// size), to run the whole pipeline in CI. Its numbers mean nothing.
    pub scale_down: usize,
    /// Where the simulations run: here (the default), or spread over ranks
    /// (`engram-mpi reproduce dp`), with the same results.
    pub spread: Spread,
}

impl Default for ReproduceOptions {
    fn default() -> Self {
        Self {
            figures: Vec::new(),
            networks_per_structure: 2,
            quick: false,
            seed: 2025,
            out: "runs/dp".into(),
            progress: true,
            scale_down: 1,
            spread: Spread::here(),
        }
    }
}

/// One network instance: its structure and seed, and its base (rand) connectivity.
pub struct Instance {
    /// Configuration (structure A–D, rand variant).
    pub config: DpConfig,
    /// Seed of this network.
    pub network_seed: u64,
    /// The random (rand) connectivity with pseudo-assemblies.
    pub base: DpConnectivity,
}

impl Instance {
    /// A label like `A1`.
    pub fn label(&self) -> String {
        format!("{}{}", self.config.structure.name(), self.network_seed % 100)
    }
}

/// Everything the figure modules share.
pub struct Context {
    /// The options.
    pub options: ReproduceOptions,
    /// Learned (15, one per assembly) and novel (10) odors, shared by all networks.
    pub odors: OdorSets,
    /// The network instances.
    pub instances: Vec<Instance>,
    /// Integration step, ms.
    pub dt_ms: f64,
}

/// The configuration of one network instance: structure `structure`'s Table 2 pathways, sizes
/// divided by `scale_down` (1: full size).
///
/// The structure is set before scaling: [`DpConfig::scaled_down`] writes the pathways in force
/// into the configuration, so a structure changed afterwards would keep the old structure's
/// pathways.
///
/// ```
/// use engram_models::dp::Structure;
/// let c = engram_repro::dp::instance_config(Structure::C, 1);
/// assert_eq!(c.pathways(), Structure::C.pathways());
/// ```
pub fn instance_config(structure: Structure, scale_down: usize) -> DpConfig {
    DpConfig { structure, ..DpConfig::default() }.scaled_down(scale_down.max(1))
}

impl Context {
    /// Draw odors and network instances.
    pub fn new(options: ReproduceOptions) -> Result<Self, EngramError> {
        let structures: Vec<Structure> =
            if options.quick { vec![Structure::A, Structure::C] } else { Structure::FITTED.to_vec() };
        let per = if options.quick { 1 } else { options.networks_per_structure.max(1) };
        let scale_down = options.scale_down.max(1);
        let odors = odor_sets(&instance_config(Structure::A, scale_down), options.seed)?;
        let specs: Vec<(Structure, u64)> = structures
            .iter()
            .enumerate()
            .flat_map(|(s, &st)| (0..per).map(move |k| (st, 1 + k as u64 + 10 * s as u64)))
            .collect();
        let instances = specs
            .par_iter()
            .map(|&(structure, k)| {
                let config = instance_config(structure, scale_down);
                let network_seed = options.seed.wrapping_mul(1000).wrapping_add(k);
                let base = DpConnectivity::generate(&config, &odors.learned, network_seed)?;
                Ok(Instance { config, network_seed, base })
            })
            .collect::<Result<Vec<_>, EngramError>>()?;
        Ok(Self { options, odors, instances, dt_ms: 0.1 })
    }

    /// The directory of figure `n` (created).
    pub fn figure_dir(&self, n: &str) -> Result<PathBuf, EngramError> {
        let dir = self.options.out.join(n);
        std::fs::create_dir_all(&dir).map_err(|source| EngramError::Output { path: dir.clone(), source })?;
        Ok(dir)
    }

    /// Run `jobs` in parallel with a progress bar labelled `label`, spread over ranks as
    /// [`ReproduceOptions::spread`] says ([`Spread::run_jobs`]); results in job order.
    pub fn run_jobs<J, T, F>(&self, label: &str, jobs: &[J], f: F) -> Result<Vec<T>, EngramError>
    where
        J: Sync,
        T: Send + Serialize + DeserializeOwned,
        F: Fn(&J) -> Result<T, EngramError> + Sync,
    {
        self.options.spread.run_jobs(label, jobs, self.options.progress, f)
    }
}

/// Mean ± SD over networks (or runs) of one measure, written as `[mean, sd]` (`null` for a
/// non-finite value, read back as NaN).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct MeanSd {
    /// Mean (NaN when no value was finite).
    pub mean: f64,
    /// Sample standard deviation (0 for a single value).
    pub sd: f64,
}

impl MeanSd {
    /// Mean ± SD over the finite values, as [`finite_mean_sd`].
    pub fn of_finite(values: &[f64]) -> Self {
        finite_mean_sd(values).into()
    }
}

impl From<(f64, f64)> for MeanSd {
    fn from((mean, sd): (f64, f64)) -> Self {
        Self { mean, sd }
    }
}

impl Serialize for MeanSd {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        (self.mean, self.sd).serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for MeanSd {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let (mean, sd) = <(Option<f64>, Option<f64>)>::deserialize(deserializer)?;
        Ok(Self { mean: mean.unwrap_or(f64::NAN), sd: sd.unwrap_or(f64::NAN) })
    }
}

/// `12.34 ± 0.56` (two decimals), or `–` unless both are finite (as `summary.md` shows them).
impl std::fmt::Display for MeanSd {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.mean.is_finite() && self.sd.is_finite() {
            write!(f, "{:.2} ± {:.2}", self.mean, self.sd)
        } else {
            f.write_str("–")
        }
    }
}

/// Deserialisers for `#[serde(deserialize_with = "...")]` that read `null` (what serde_json
/// writes for NaN and ±∞) as NaN, so a summary with a measure that was not applicable reads back.
pub mod null_as_nan {
    use serde::de::Error;
    use serde::{Deserialize, Deserializer};

    fn or_nan(x: Option<f64>) -> f64 {
        x.unwrap_or(f64::NAN)
    }

    /// A number, `null` as NaN.
    pub fn f64<'de, D: Deserializer<'de>>(deserializer: D) -> Result<f64, D::Error> {
        Option::<f64>::deserialize(deserializer).map(or_nan)
    }

    /// A list of numbers, `null` as NaN.
    pub fn vec<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<f64>, D::Error> {
        Ok(Vec::<Option<f64>>::deserialize(deserializer)?.into_iter().map(or_nan).collect())
    }

    /// A list of `N` numbers, `null` as NaN.
    pub fn array<'de, D: Deserializer<'de>, const N: usize>(deserializer: D) -> Result<[f64; N], D::Error> {
        let v = vec(deserializer)?;
        let n = v.len();
        v.try_into().map_err(|_| D::Error::invalid_length(n, &format!("{N} numbers").as_str()))
    }

    /// A list of lists of numbers (a matrix by rows), `null` as NaN.
    pub fn matrix<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<Vec<f64>>, D::Error> {
        let rows = Vec::<Vec<Option<f64>>>::deserialize(deserializer)?;
        Ok(rows.into_iter().map(|r| r.into_iter().map(or_nan).collect()).collect())
    }
}

/// Mean ± sample SD over the finite values, as the figures report them across networks
/// (NaN marks a measure that was not applicable, e.g. QDA with a singular covariance):
/// `(NaN, 0)` without finite values, SD 0 for a single one.
pub fn finite_mean_sd(values: &[f64]) -> (f64, f64) {
    use engram_analysis::stats::{mean, sd};
    let v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    (mean(&v).unwrap_or(f64::NAN), sd(&v).unwrap_or(0.0))
}

/// CPU time of this process from the moment it was started (a figure runs alone, so this is
/// the figure's CPU time).
pub struct CpuClock(Option<f64>);

impl CpuClock {
    /// Start now.
    pub fn start() -> Self {
        Self(engram_sim::cputime::process_cpu_s())
    }

    /// CPU seconds since the start; NaN where the platform gives none.
    pub fn elapsed_s(&self) -> f64 {
        match (self.0, engram_sim::cputime::process_cpu_s()) {
            (Some(a), Some(b)) => b - a,
            _ => f64::NAN,
        }
    }
}

/// What `OUT/summary.json` holds: the run and each figure's summary (figures not run are left
/// out).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct DpSummary {
    /// The model and its paper.
    pub model: String,
    /// Experiment seed.
    pub seed: u64,
    /// Whether the quick protocols were run.
    pub quick: bool,
    /// Labels of the network instances (`A1`, `C11`, …).
    pub networks: Vec<String>,
    /// Per variant (by name): mean ± SD over networks of every per-run measure of the shared
    /// runs of Figs 1–2, for learned and novel odors (run with Fig. 1 or 2).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub variants: Option<BTreeMap<String, basic::VariantStats>>,
    /// Fig. 1.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fig1: Option<fig1::Fig1Summary>,
    /// Fig. 2.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fig2: Option<fig2::Fig2Summary>,
    /// Fig. 3.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fig3: Option<fig3::Fig3Summary>,
    /// Fig. 4 (with 4—S2 and 4—S3).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fig4: Option<fig45::Fig4Summary>,
    /// Fig. 5.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fig5: Option<fig45::Fig5Summary>,
    /// Fig. 6.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fig6: Option<fig6::Fig6Summary>,
    /// Wall-clock time of the whole reproduction, s.
    #[serde(deserialize_with = "null_as_nan::f64")]
    pub wall_s: f64,
}

/// The key numbers of a reproduction as a short Markdown page (`summary.md`): what a reader
/// wants to see first, with the paper's values beside ours. Figures that were not run are
/// left out.
pub fn readable_summary(summary: &DpSummary) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let networks = serde_json::to_string(&summary.networks).expect("serialises");
    let n_networks = summary.networks.len();
    let _ = writeln!(out, "# Dp reproduction: key numbers\n\nNetworks: {networks}. Mean ± SD over networks.\n");
    if n_networks < 4 {
        let _ = writeln!(
            out,
            "> **Only {n_networks} network(s)**: the spreads below are wide (one structure may differ from another by more than the effects), and quick protocols are shorter. Compare with the paper after the full run (8 networks, `cargo xtask reproduce dp`).\n"
        );
    }
    if let Some(fig1) = &summary.fig1 {
        out += &fig1.key_numbers();
    }
    if let Some(variants) = &summary.variants {
        out += &basic::variants_key_numbers(variants);
    }
    if let Some(fig3) = &summary.fig3 {
        out += &fig3.key_numbers();
    }
    if let Some(fig6) = &summary.fig6 {
        out += &fig6.key_numbers();
    }
    if let Some(fig4) = &summary.fig4 {
        out += &fig4_key_numbers(fig4);
    }
    if let Some(fig5) = &summary.fig5 {
        out += &fig5_key_numbers(fig5);
    }
    let _ = writeln!(out, "Everything else: summary.json and figN/figN.json; figures in figN/.");
    out
}

/// A fig45 mean ± SD as [`MeanSd`]'s text (`–` if absent).
fn fig45_mean_sd(m: Option<fig45::measures::MeanSd>) -> String {
    m.map_or(MeanSd { mean: f64::NAN, sd: f64::NAN }, |m| MeanSd { mean: m.mean, sd: m.sd }).to_string()
}

/// The Fig. 4 section of `summary.md`.
fn fig4_key_numbers(fig4: &fig45::Fig4Summary) -> String {
    let mut out = String::from("## Fig. 4: participation ratio (paper: rand > Tuned > Scaled I)\n\n");
    for v in ["rand", "scaled_i", "tuned_ei"] {
        let pr = fig4.variants.get(v).and_then(|g| g.participation_ratio.all);
        out += &format!("- {v}: {}\n", fig45_mean_sd(pr));
    }
    out + "\n"
}

/// The Fig. 5 section of `summary.md`.
fn fig5_key_numbers(fig5: &fig45::Fig5Summary) -> String {
    let mut out = String::from("## Fig. 5: concentration readout, learned odors (paper: Tuned best)\n\n");
    for v in ["rand", "scaled_i", "tuned_ei"] {
        let r = fig5.variants.get(v).map(|r| &r.readouts);
        out += &format!(
            "- {v}: regression MSE {} %², SVM accuracy {}\n",
            fig45_mean_sd(r.and_then(|r| r.regression_mse_fit_pct2.learned)),
            fig45_mean_sd(r.and_then(|r| r.svm_accuracy.learned))
        );
    }
    out + "\n"
}

/// Write a JSON value to `path`.
pub fn write_json(path: &Path, value: &serde_json::Value) -> Result<(), EngramError> {
    let text = serde_json::to_string_pretty(value).expect("serialises");
    std::fs::write(path, text).map_err(|source| EngramError::Output { path: path.to_path_buf(), source })
}

/// Write a typed summary to `path` as JSON (keys in alphabetical order, as [`write_json`]).
pub fn write_summary<T: Serialize>(path: &Path, summary: &T) -> Result<(), EngramError> {
    write_json(path, &serde_json::to_value(summary).expect("serialises"))
}

/// Convert a plot error into an engine error.
pub fn plot_err(e: engram_plot::PlotError) -> EngramError {
    EngramError::Other(format!("figure: {e}"))
}

/// Run the requested figures; returns the summary (also written to `OUT/summary.json`, and its
/// key numbers to `OUT/summary.md`).
pub fn reproduce(options: ReproduceOptions) -> Result<serde_json::Value, EngramError> {
    let t0 = std::time::Instant::now();
    let ctx = Context::new(options)?;
    let wants = |n: u32| ctx.options.figures.is_empty() || ctx.options.figures.contains(&n);
    let mut summary = DpSummary {
        model: "dp (Meissner-Bernard, Zenke & Friedrich, eLife 2025)".into(),
        seed: ctx.options.seed,
        quick: ctx.options.quick,
        networks: ctx.instances.iter().map(Instance::label).collect(),
        ..DpSummary::default()
    };
    if wants(1) || wants(2) {
        let basic = basic::basic_runs(&ctx)?;
        summary.variants = Some(basic::variants_table(&basic));
        if wants(1) {
            summary.fig1 = Some(fig1::run(&ctx, &basic)?);
        }
        if wants(2) {
            summary.fig2 = Some(fig2::run(&ctx, &basic)?);
        }
    }
    if wants(3) {
        summary.fig3 = Some(fig3::run(&ctx)?);
    }
    if wants(6) {
        summary.fig6 = Some(fig6::run(&ctx)?);
    }
    if wants(4) || wants(5) {
        let (fig4, fig5) = fig45::run(&ctx)?;
        summary.fig4 = Some(fig4);
        summary.fig5 = Some(fig5);
    }
    summary.wall_s = t0.elapsed().as_secs_f64();
    write_summary(&ctx.options.out.join("summary.json"), &summary)?;
    let text = readable_summary(&summary);
    let path = ctx.options.out.join("summary.md");
    std::fs::write(&path, &text).map_err(|source| EngramError::Output { path, source })?;
    if ctx.options.progress {
        eprintln!("\n{text}");
    }
    let value = serde_json::to_value(&summary).expect("serialises");
    // report.md: the tables of docs/reproduction/dp.md, from this run
    let report = report::DpNumbers::from_value(&value)?.report_md();
    let path = ctx.options.out.join("report.md");
    std::fs::write(&path, report).map_err(|source| EngramError::Output { path, source })?;
    Ok(value)
}
