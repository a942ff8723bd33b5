//! The runs Figs 1 and 2 share: every network instance in the four variants (rand, Scaled I,
//! Tuned I, Tuned E+I), each with the 10 learned and the 10 novel odors (30 s + 1 s each),
//! with the per-run measures and amplification relative to the same instance's rand network,
//! and their table over networks ([`variants_table`], `"variants"` of `summary.json`).

use std::collections::BTreeMap;

use engram_core::error::EngramError;
use engram_models::dp::metrics::{OdorSet, RunMetrics, mean_sd_table, run_metrics};
use engram_models::dp::network::Achieved;
use engram_models::dp::params::Variant;
use engram_models::dp::simulate::{Protocol, WindowKind, simulate};
use serde::{Deserialize, Serialize};

use super::{Context, null_as_nan};

/// The variants of Figs 2–3 (Table 5).
pub const VARIANTS: [Variant; 4] = [Variant::Rand, Variant::SCALED_I, Variant::TUNED_I, Variant::TUNED_EI];

/// One run's measures.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct BasicRun {
    /// Index of the network instance.
    pub instance: usize,
    /// Variant.
    pub variant: Variant,
    /// Odor set.
    pub set: OdorSet,
    /// Measures.
    pub metrics: RunMetrics,
    /// What the rewiring achieved.
    pub achieved: Achieved,
    /// Mean E rate per odor (10 values), Hz.
    pub e_rate_per_odor_hz: Vec<f64>,
    /// Loop CPU time of the simulation, s.
    pub loop_s: f64,
}

/// Run every instance × variant × odor set. The E rates of every odor presentation are also
/// written to `OUT/fig2/rates/rates_<network>_<variant>_<learned|novel>.npy` (rows: the 10
/// odors, first 1.5 s of each; columns: the 4000 E neurons; Hz), with the assembly members in
/// `assemblies_<network>.npy` (rows: assemblies, columns: member indices), so every analysis of
/// Figs 1–2 can be redone in NumPy.
pub fn basic_runs(ctx: &Context) -> Result<Vec<BasicRun>, EngramError> {
    let rates_dir = ctx.figure_dir("fig2")?.join("rates");
    std::fs::create_dir_all(&rates_dir).map_err(|source| EngramError::Output { path: rates_dir.clone(), source })?;
    for inst in &ctx.instances {
        let members: Vec<f64> =
            inst.base.assemblies.iter().flat_map(|a| a.members().iter().map(|&m| m as f64)).collect();
        let size = inst.config.assembly_size;
        let columns: Vec<String> = (0..size).map(|k| format!("m{k}")).collect();
        let columns: Vec<&str> = columns.iter().map(String::as_str).collect();
        let path = rates_dir.join(format!("assemblies_{}.npy", inst.label()));
        engram_sim::npy::write_array(&path, engram_sim::npy::OutputFormat::Npy, &columns, &members)?;
    }
    let jobs: Vec<(usize, Variant, OdorSet)> = (0..ctx.instances.len())
        .flat_map(|i| VARIANTS.iter().flat_map(move |&v| [OdorSet::Learned, OdorSet::Novel].map(|s| (i, v, s))))
        .collect();
    // the rates come back with each run and are written here, so that rank 0 writes every
    // file when the runs are spread over ranks
    let runs_and_rates: Vec<(BasicRun, Vec<f64>)> =
        ctx.run_jobs("Figs 1-2: variants x odor sets", &jobs, |&(i, variant, set)| {
            let inst = &ctx.instances[i];
            let (net, achieved) = inst.base.with_variant(&inst.config, variant, inst.network_seed)?;
            let odors = match set {
                OdorSet::Learned => ctx.odors.learned[..10].to_vec(),
                OdorSet::Novel => ctx.odors.novel[..10].to_vec(),
            };
            let run_seed = inst.network_seed ^ ((set as u64 + 1) * 0x9E37);
            let rec = simulate(&inst.config, &net, &Protocol::trials(odors), run_seed, ctx.dt_ms, None)?;
            let metrics = run_metrics(&rec, &net, set);
            let odor_windows: Vec<usize> = rec.windows_of(WindowKind::Odor).collect();
            let rates: Vec<f64> = odor_windows.iter().flat_map(|&w| rec.e_rates_hz(w)).collect();
            let e_rate_per_odor_hz = rec
                .windows_of(WindowKind::Odor)
                .map(|w| rec.e_rates_hz(w).iter().sum::<f64>() / rec.e_counts[w].len() as f64)
                .collect();
            let run = BasicRun { instance: i, variant, set, metrics, achieved, e_rate_per_odor_hz, loop_s: rec.loop_s };
            Ok((run, rates))
        })?;
    let mut runs = Vec::with_capacity(runs_and_rates.len());
    for (run, rates) in runs_and_rates {
        let set_name = match run.set {
            OdorSet::Learned => "learned",
            OdorSet::Novel => "novel",
        };
        let inst = &ctx.instances[run.instance];
        let path = rates_dir.join(format!("rates_{}_{}_{set_name}.npy", inst.label(), run.variant.name()));
        let columns: Vec<String> = (0..inst.config.n_exc).map(|i| format!("n{i}")).collect();
        let columns: Vec<&str> = columns.iter().map(String::as_str).collect();
        engram_sim::npy::write_array(&path, engram_sim::npy::OutputFormat::Npy, &columns, &rates)?;
        runs.push(run);
    }
    set_amplification(&mut runs);
    Ok(runs)
}

/// Fill in `amplification_in` / `_out` of every run: its assembly / non-assembly rate divided
/// by that of the same instance's rand run with the same odor set (left NaN without one).
pub fn set_amplification(runs: &mut [BasicRun]) {
    let rand: Vec<(usize, OdorSet, f64, f64)> = runs
        .iter()
        .filter(|r| r.variant == Variant::Rand)
        .map(|r| (r.instance, r.set, r.metrics.assembly_rate_hz, r.metrics.non_assembly_rate_hz))
        .collect();
    for r in runs {
        if let Some(&(_, _, a, o)) = rand.iter().find(|x| x.0 == r.instance && x.1 == r.set) {
            r.metrics.amplification_in = r.metrics.assembly_rate_hz / a;
            r.metrics.amplification_out = r.metrics.non_assembly_rate_hz / o;
        }
    }
}

/// The metrics of the runs of one variant and odor set.
pub fn select(runs: &[BasicRun], variant: Variant, set: OdorSet) -> Vec<RunMetrics> {
    runs.iter().filter(|r| r.variant == variant && r.set == set).map(|r| r.metrics.clone()).collect()
}

/// Mean, sample SD and count of the finite values of one measure over runs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct MeanSdCount {
    /// Mean (NaN without finite values).
    #[serde(deserialize_with = "null_as_nan::f64")]
    pub mean: f64,
    /// Sample standard deviation (0 for fewer than two values).
    #[serde(deserialize_with = "null_as_nan::f64")]
    pub sd: f64,
    /// Number of finite values.
    pub n: usize,
}

impl std::fmt::Display for MeanSdCount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        super::MeanSd { mean: self.mean, sd: self.sd }.fmt(f)
    }
}

/// Every per-run measure of [`RunMetrics`] over runs (networks), as
/// [`mean_sd_table`] computes them; units as in [`RunMetrics`].
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunMetricsStats {
    /// Mean E rate before odor onset, Hz.
    pub e_rate_baseline_hz: MeanSdCount,
    /// Mean E rate during odors, Hz.
    pub e_rate_odor_hz: MeanSdCount,
    /// Mean I rate during odors, Hz.
    pub i_rate_odor_hz: MeanSdCount,
    /// Assembly rate during odors, Hz.
    pub assembly_rate_hz: MeanSdCount,
    /// Rate of neurons in no assembly during odors, Hz.
    pub non_assembly_rate_hz: MeanSdCount,
    /// Assembly rate ÷ the rand network's.
    pub amplification_in: MeanSdCount,
    /// Non-assembly rate ÷ the rand network's.
    pub amplification_out: MeanSdCount,
    /// Assembly rate in the 500 ms after odor offset, Hz.
    pub assembly_rate_after_offset_hz: MeanSdCount,
    /// E/I co-tuning correlation.
    pub cotuning_r: MeanSdCount,
    /// Balanced / counter-balanced SD ratio.
    pub balanced_sd_ratio: MeanSdCount,
    /// Slope of the balanced axis (g_I / g_E).
    pub balanced_axis_slope: MeanSdCount,
    /// ISI CV of assembly neurons during odors.
    pub isi_cv_assembly: MeanSdCount,
    /// Mean correlation between odor response patterns.
    pub pattern_corr: MeanSdCount,
    /// Odor-evoked bulb conductance change, nS.
    pub g_oe_ns: MeanSdCount,
    /// Odor-evoked total synaptic conductance change, nS.
    pub g_syn_ns: MeanSdCount,
    /// Recurrent share of the odor-evoked excitatory conductance, %.
    pub pct_recurrent: MeanSdCount,
}

impl RunMetricsStats {
    /// The table of `runs` (at least one).
    pub fn over(runs: &[RunMetrics]) -> Self {
        assert!(!runs.is_empty(), "RunMetricsStats::over needs at least one run");
        serde_json::from_value(mean_sd_table(runs).into()).expect("mean_sd_table has a row per field of RunMetrics")
    }
}

/// What the rewiring of one network achieved ([`Achieved`], with `Deserialize`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct AchievedStructure {
    /// α: mean within-assembly E→E inputs after / before rewiring.
    #[serde(deserialize_with = "null_as_nan::f64")]
    pub alpha: f64,
    /// β: I→E, within the E/I assembly.
    #[serde(deserialize_with = "null_as_nan::f64")]
    pub beta: f64,
    /// γ: E→I, within the E/I assembly.
    #[serde(deserialize_with = "null_as_nan::f64")]
    pub gamma: f64,
    /// Fraction of E neurons in at least one assembly.
    #[serde(deserialize_with = "null_as_nan::f64")]
    pub frac_in_assembly: f64,
    /// Fraction of E neurons in more than one assembly.
    #[serde(deserialize_with = "null_as_nan::f64")]
    pub frac_in_several: f64,
}

impl From<&Achieved> for AchievedStructure {
    fn from(a: &Achieved) -> Self {
        let Achieved { alpha, beta, gamma, frac_in_assembly, frac_in_several } = *a;
        Self { alpha, beta, gamma, frac_in_assembly, frac_in_several }
    }
}

/// One variant's row of the table: its measures over networks for each odor set.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct VariantStats {
    /// Learned odors.
    pub learned: RunMetricsStats,
    /// Novel odors.
    pub novel: RunMetricsStats,
    /// What the rewiring achieved, per network.
    pub achieved: Vec<AchievedStructure>,
    /// Label with the variant's parameters.
    pub label: String,
}

/// For each variant (by name) and odor set, mean ± SD over networks of every per-run measure.
pub fn variants_table(basic: &[BasicRun]) -> BTreeMap<String, VariantStats> {
    VARIANTS
        .iter()
        .map(|&v| {
            let achieved = basic
                .iter()
                .filter(|r| r.variant == v && r.set == OdorSet::Learned)
                .map(|r| AchievedStructure::from(&r.achieved))
                .collect();
            let stats = VariantStats {
                learned: RunMetricsStats::over(&select(basic, v, OdorSet::Learned)),
                novel: RunMetricsStats::over(&select(basic, v, OdorSet::Novel)),
                achieved,
                label: v.label(),
            };
            (v.name().to_string(), stats)
        })
        .collect()
}

/// The Figs 2–3 section of `summary.md`: the key measures of every variant.
pub fn variants_key_numbers(variants: &BTreeMap<String, VariantStats>) -> String {
    let mut out = String::from("## Figs 2–3: variants (learned odors; novel in the second column)\n\n");
    out += "| variant | E rate learned | E rate novel | assembly rate | amplification | after offset | co-tuning r | SD ratio | ISI CV |\n|---|---|---|---|---|---|---|---|---|\n";
    for (name, v) in variants {
        let l = &v.learned;
        out += &format!(
            "| {name} | {} | {} | {} | {} | {} | {} | {} | {} |\n",
            l.e_rate_odor_hz,
            v.novel.e_rate_odor_hz,
            l.assembly_rate_hz,
            l.amplification_in,
            l.assembly_rate_after_offset_hz,
            l.cotuning_r,
            l.balanced_sd_ratio,
            l.isi_cv_assembly,
        );
    }
    out + "\nPaper: Scaled I fires its assemblies at high rates, regularly (low ISI CV), persists after the odor, responds far less to novel odors and is weakly co-tuned; Tuned I and Tuned E+I stay near 1 Hz for learned and novel odors with modest amplification, irregular firing, and co-tuning and SD ratio clearly above rand and Scaled I.\n\n"
}
