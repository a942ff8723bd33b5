//! The runs Figs 1 and 2 share: every network instance in the four variants (rand, Scaled I,
//! Tuned I, Tuned E+I), each with the 10 learned and the 10 novel odors (30 s + 1 s each),
//! with the per-run measures and amplification relative to the same instance's rand network.

use engram_core::error::EngramError;
use engram_models::dp::metrics::{OdorSet, RunMetrics, run_metrics};
use engram_models::dp::network::Achieved;
use engram_models::dp::params::Variant;
use engram_models::dp::simulate::{Protocol, simulate};
use serde::Serialize;

use super::Context;

/// The variants of Figs 2–3 (Table 5).
pub const VARIANTS: [Variant; 4] = [Variant::Rand, Variant::SCALED_I, Variant::TUNED_I, Variant::TUNED_EI];

/// One run's measures.
#[derive(Clone, Debug, Serialize)]
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
    let mut runs = ctx.run_jobs("Figs 1-2: variants x odor sets", &jobs, |&(i, variant, set)| {
        let inst = &ctx.instances[i];
        let (net, achieved) = inst.base.with_variant(&inst.config, variant, inst.network_seed)?;
        let odors = match set {
            OdorSet::Learned => ctx.odors.learned[..10].to_vec(),
            OdorSet::Novel => ctx.odors.novel[..10].to_vec(),
        };
        let run_seed = inst.network_seed ^ ((set as u64 + 1) * 0x9E37);
        let rec = simulate(&inst.config, &net, &Protocol::trials(odors), run_seed, ctx.dt_ms, None)?;
        let metrics = run_metrics(&rec, &net, set);
        let odor_windows: Vec<usize> = rec.windows_of(engram_models::dp::simulate::WindowKind::Odor).collect();
        let rates: Vec<f64> = odor_windows.iter().flat_map(|&w| rec.e_rates_hz(w)).collect();
        let set_name = match set {
            OdorSet::Learned => "learned",
            OdorSet::Novel => "novel",
        };
        let path = rates_dir.join(format!("rates_{}_{}_{set_name}.npy", inst.label(), variant.name()));
        let columns: Vec<String> = (0..inst.config.n_exc).map(|i| format!("n{i}")).collect();
        let columns: Vec<&str> = columns.iter().map(String::as_str).collect();
        engram_sim::npy::write_array(&path, engram_sim::npy::OutputFormat::Npy, &columns, &rates)?;
        let e_rate_per_odor_hz = rec
            .windows_of(engram_models::dp::simulate::WindowKind::Odor)
            .map(|w| rec.e_rates_hz(w).iter().sum::<f64>() / rec.e_counts[w].len() as f64)
            .collect();
        Ok(BasicRun { instance: i, variant, set, metrics, achieved, e_rate_per_odor_hz, loop_s: rec.loop_s })
    })?;
    // amplification relative to the same instance's rand network, same odor set
    let rand: Vec<(usize, OdorSet, f64, f64)> = runs
        .iter()
        .filter(|r| r.variant == Variant::Rand)
        .map(|r| (r.instance, r.set, r.metrics.assembly_rate_hz, r.metrics.non_assembly_rate_hz))
        .collect();
    for r in &mut runs {
        if let Some(&(_, _, a, o)) = rand.iter().find(|x| x.0 == r.instance && x.1 == r.set) {
            r.metrics.amplification_in = r.metrics.assembly_rate_hz / a;
            r.metrics.amplification_out = r.metrics.non_assembly_rate_hz / o;
        }
    }
    Ok(runs)
}

/// The metrics of the runs of one variant and odor set.
pub fn select(runs: &[BasicRun], variant: Variant, set: OdorSet) -> Vec<RunMetrics> {
    runs.iter().filter(|r| r.variant == variant && r.set == set).map(|r| r.metrics.clone()).collect()
}
