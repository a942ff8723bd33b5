//! Fig. 2 (and Fig. 2—S2): E assemblies destabilise, E/I assemblies restore balance.
//!
//! - 2B: α sweep with random inhibition (χ = 1): E and assembly rates against α; the paper
//!   finds runaway activity near α ≈ 6. (4 learned odors per run.)
//! - 2E–I, 2—S2 from the shared runs: rates for learned vs novel odors, amplification inside
//!   and outside assemblies, persistence after odor offset, co-tuning, balanced-axis SD ratio,
//!   ISI CV of assembly neurons.
//! - 2E bottom / 2—S2D: time–time correlation of E rate vectors (100 ms bins) over 3 repeats
//!   of 2 learned odors; the diagonal uses pairs of different trials only.

use std::collections::BTreeMap;

use engram_analysis::correlation::mean_time_time_correlation;
use engram_analysis::rates::binned_rates_hz;
use engram_core::error::EngramError;
use engram_models::dp::metrics::{OdorSet, RunMetrics, run_metrics};
use engram_models::dp::params::Variant;
use engram_models::dp::simulate::{Protocol, simulate};
use engram_plot::{BarPanel, Figure, HeatmapPanel, LinePanel};
use ndarray::Array2;
use serde::{Deserialize, Serialize};

use super::basic::{BasicRun, VARIANTS, select};
use super::{Context, MeanSd, null_as_nan, plot_err, write_summary};

/// What `fig2.json` (and `"fig2"` of `summary.json`) holds.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Fig2Summary {
    /// 2B: rates against α with random inhibition, in increasing α.
    pub alpha_sweep: Vec<AlphaSweepPoint>,
    /// 2E–I per variant (by name), from the shared runs.
    pub variants: BTreeMap<String, VariantMeasures>,
    /// 2E bottom per variant (by name): time–time correlation of E rate vectors.
    pub time_time: BTreeMap<String, TimeTimeCorrelation>,
}

/// Rates at one α of the sweep, mean ± SD over networks.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct AlphaSweepPoint {
    /// Within-assembly E→E factor α.
    pub alpha: f64,
    /// Mean E rate during odors, Hz.
    pub e_rate_hz: MeanSd,
    /// Assembly rate during odors, Hz.
    pub assembly_rate_hz: MeanSd,
    /// Mean I rate during odors, Hz.
    pub i_rate_hz: MeanSd,
}

/// The measures of Fig. 2E–I of one variant, mean ± SD over networks (learned odors unless
/// named).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct VariantMeasures {
    /// Mean E rate during learned odors, Hz.
    pub e_rate_learned_hz: MeanSd,
    /// Mean E rate during novel odors, Hz.
    pub e_rate_novel_hz: MeanSd,
    /// Assembly rate during learned odors, Hz.
    pub assembly_rate_learned_hz: MeanSd,
    /// Assembly rate ÷ the same network's rand.
    pub amplification_in: MeanSd,
    /// Non-assembly rate ÷ the same network's rand.
    pub amplification_out: MeanSd,
    /// Assembly rate in the 500 ms after odor offset, Hz.
    pub assembly_rate_after_offset_hz: MeanSd,
    /// E/I co-tuning correlation.
    pub cotuning_r: MeanSd,
    /// Balanced / counter-balanced SD ratio.
    pub balanced_sd_ratio: MeanSd,
    /// ISI CV of assembly neurons.
    pub isi_cv_assembly: MeanSd,
}

/// Time–time correlation of one variant.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TimeTimeCorrelation {
    /// Mean correlation between different 100 ms bins during the odor (bins 10 onwards).
    #[serde(deserialize_with = "null_as_nan::f64")]
    pub mean_offdiag_during_odor: f64,
}

/// A matrix by rows.
type Matrix = Vec<Vec<f64>>;

/// Mean ± SD over runs of one measure.
fn measure(runs: &[RunMetrics], f: fn(&RunMetrics) -> f64) -> MeanSd {
    MeanSd::of_finite(&runs.iter().map(f).collect::<Vec<_>>())
}

/// Run Fig. 2 from the shared basic runs plus the α sweep and the repeated trials.
pub fn run(ctx: &Context, basic: &[BasicRun]) -> Result<Fig2Summary, EngramError> {
    let dir = ctx.figure_dir("fig2")?;
    let alpha_sweep = alpha_sweep(ctx)?;
    alpha_sweep_panel(&alpha_sweep).save(dir.join("fig2b_alpha_sweep")).map_err(plot_err)?;
    variant_panels(basic).save(dir.join("fig2_variants")).map_err(plot_err)?;
    let time_time = time_time_correlations(ctx)?;
    time_time_panels(&time_time).save(dir.join("fig2e_time_time")).map_err(plot_err)?;
    let summary = Fig2Summary {
        alpha_sweep,
        variants: VARIANTS.iter().map(|&v| (v.name().to_string(), variant_measures(basic, v))).collect(),
        time_time: time_time
            .iter()
            .map(|(v, avg)| (v.name().to_string(), TimeTimeCorrelation { mean_offdiag_during_odor: during_odor(avg) }))
            .collect(),
    };
    write_summary(&dir.join("fig2.json"), &summary)?;
    Ok(summary)
}

/// 2B: every network as Scaled I (χ = 1) at each α, 4 learned odors; rates over networks.
fn alpha_sweep(ctx: &Context) -> Result<Vec<AlphaSweepPoint>, EngramError> {
    let alphas: Vec<f64> =
        if ctx.options.quick { vec![1.0, 3.0, 5.0, 7.0] } else { vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0] };
    let jobs: Vec<(usize, f64)> = (0..ctx.instances.len()).flat_map(|i| alphas.iter().map(move |&a| (i, a))).collect();
    let sweep = ctx.run_jobs("Fig 2B: alpha sweep", &jobs, |&(i, alpha)| {
        let inst = &ctx.instances[i];
        let (net, _) = inst.base.with_variant(&inst.config, Variant::ScaledI { alpha, chi: 1.0 }, inst.network_seed)?;
        let protocol = Protocol::trials(ctx.odors.learned[..4].to_vec());
        let rec = simulate(&inst.config, &net, &protocol, inst.network_seed ^ 0xA1FA, ctx.dt_ms, None)?;
        Ok(run_metrics(&rec, &net, OdorSet::Learned))
    })?;
    Ok(alphas
        .iter()
        .map(|&alpha| {
            let runs: Vec<RunMetrics> =
                jobs.iter().zip(&sweep).filter(|((_, a), _)| *a == alpha).map(|(_, m)| m.clone()).collect();
            AlphaSweepPoint {
                alpha,
                e_rate_hz: measure(&runs, |m| m.e_rate_odor_hz),
                assembly_rate_hz: measure(&runs, |m| m.assembly_rate_hz),
                i_rate_hz: measure(&runs, |m| m.i_rate_odor_hz),
            }
        })
        .collect())
}

fn alpha_sweep_panel(sweep: &[AlphaSweepPoint]) -> Figure {
    let series =
        |f: fn(&AlphaSweepPoint) -> MeanSd| -> Vec<(f64, f64)> { sweep.iter().map(|p| (p.alpha, f(p).mean)).collect() };
    Figure::new(1, 1).title("Fig. 2B — E assemblies with random inhibition (χ = 1)").panel(
        LinePanel::new("", "α (within-assembly E→E factor)", "rate during odor (Hz)")
            .series("all E", &series(|p| p.e_rate_hz))
            .series("assembly", &series(|p| p.assembly_rate_hz))
            .series("I", &series(|p| p.i_rate_hz))
            .log_y(true),
    )
}

/// 2E–I of one variant from the shared runs (mean ± SD over the runs of its instances).
pub fn variant_measures(basic: &[BasicRun], v: Variant) -> VariantMeasures {
    let l = select(basic, v, OdorSet::Learned);
    let n = select(basic, v, OdorSet::Novel);
    VariantMeasures {
        e_rate_learned_hz: measure(&l, |m| m.e_rate_odor_hz),
        e_rate_novel_hz: measure(&n, |m| m.e_rate_odor_hz),
        assembly_rate_learned_hz: measure(&l, |m| m.assembly_rate_hz),
        amplification_in: measure(&l, |m| m.amplification_in),
        amplification_out: measure(&l, |m| m.amplification_out),
        assembly_rate_after_offset_hz: measure(&l, |m| m.assembly_rate_after_offset_hz),
        cotuning_r: measure(&l, |m| m.cotuning_r),
        balanced_sd_ratio: measure(&l, |m| m.balanced_sd_ratio),
        isi_cv_assembly: measure(&l, |m| m.isi_cv_assembly),
    }
}

/// 2E–I: bars per variant, learned (and novel) odors.
pub fn variant_panels(basic: &[BasicRun]) -> Figure {
    let names: Vec<String> = VARIANTS.iter().map(|v| v.name().to_string()).collect();
    let cats: Vec<&str> = names.iter().map(String::as_str).collect();
    let panel = |title: &str, ylabel: &str, f: fn(&RunMetrics) -> f64, sets: &[(&str, OdorSet)]| {
        let mut p = BarPanel::new(title, ylabel, &cats);
        for (set_name, set) in sets {
            let stats: Vec<MeanSd> = VARIANTS.iter().map(|&v| measure(&select(basic, v, *set), f)).collect();
            p = p.group(
                set_name,
                &stats.iter().map(|s| s.mean).collect::<Vec<_>>(),
                &stats.iter().map(|s| s.sd).collect::<Vec<_>>(),
            );
        }
        p
    };
    let both = [("learned", OdorSet::Learned), ("novel", OdorSet::Novel)];
    let learned = [("learned", OdorSet::Learned)];
    Figure::new(2, 4)
        .title("Fig. 2 — variants (mean ± SD over networks)")
        .size(2000, 1000)
        .panel(panel("E rate during odor", "Hz", |m| m.e_rate_odor_hz, &both))
        .panel(panel("assembly rate", "Hz", |m| m.assembly_rate_hz, &both))
        .panel(panel("amplification in assemblies", "× rand", |m| m.amplification_in, &learned))
        .panel(panel("amplification outside", "× rand", |m| m.amplification_out, &learned))
        .panel(panel("assembly rate after odor offset", "Hz", |m| m.assembly_rate_after_offset_hz, &learned))
        .panel(panel("E/I co-tuning r", "r", |m| m.cotuning_r, &learned))
        .panel(panel("balanced / counter-balanced SD", "ratio", |m| m.balanced_sd_ratio, &learned))
        .panel(panel("ISI CV, assembly neurons", "CV", |m| m.isi_cv_assembly, &learned))
}

/// 2E bottom: per variant (in [`VARIANTS`] order), the time–time correlation matrix of E rate
/// vectors (100 ms bins, 1 s before to 2 s after onset) over 3 repeats of 2 learned odors,
/// averaged over networks and odors (NaN entries skipped).
fn time_time_correlations(ctx: &Context) -> Result<Vec<(Variant, Matrix)>, EngramError> {
    let repeats = 3;
    let jobs: Vec<(usize, Variant)> =
        (0..ctx.instances.len()).flat_map(|i| VARIANTS.iter().map(move |&v| (i, v))).collect();
    let tt = ctx.run_jobs("Fig 2E: time-time correlations", &jobs, |&(i, variant)| {
        let inst = &ctx.instances[i];
        let (net, _) = inst.base.with_variant(&inst.config, variant, inst.network_seed)?;
        let protocol = Protocol::repeated_trials(ctx.odors.learned[..2].to_vec(), repeats);
        let rec = simulate(&inst.config, &net, &protocol, inst.network_seed ^ 0x77, ctx.dt_ms, None)?;
        let n = inst.config.n_exc;
        let mut per_odor = Vec::new();
        for odor in 0..2 {
            let trials = protocol
                .presentations
                .iter()
                .filter(|p| p.odor == odor)
                .map(|p| {
                    let t0 = p.onset_ms - 1000.0;
                    binned_rates_hz(&rec.e_spike_times_ms, &rec.e_spike_neurons, n, t0, t0 + 3000.0, 100.0)
                })
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| EngramError::Other(e.to_string()))?;
            let views: Vec<_> = trials.iter().map(|t| t.view()).collect();
            per_odor.push(mean_time_time_correlation(&views).map_err(|e| EngramError::Other(e.to_string()))?);
        }
        Ok(per_odor)
    })?;
    Ok(VARIANTS
        .iter()
        .map(|&v| {
            let mats: Vec<&Array2<f64>> =
                jobs.iter().zip(&tt).filter(|((_, x), _)| *x == v).flat_map(|(_, m)| m.iter()).collect();
            (v, finite_mean_matrix(&mats))
        })
        .collect())
}

/// The element-wise mean of the finite entries of equally sized square matrices (NaN where
/// none is finite).
fn finite_mean_matrix(mats: &[&Array2<f64>]) -> Matrix {
    let nb = mats[0].nrows();
    (0..nb)
        .map(|a| {
            (0..nb)
                .map(|b| {
                    let vals: Vec<f64> = mats.iter().map(|m| m[[a, b]]).filter(|x| x.is_finite()).collect();
                    if vals.is_empty() { f64::NAN } else { vals.iter().sum::<f64>() / vals.len() as f64 }
                })
                .collect()
        })
        .collect()
}

/// Mean correlation between different time bins during the odor (bins 10 onwards).
fn during_odor(avg: &[Vec<f64>]) -> f64 {
    let nb = avg.len();
    let odor_bins: Vec<f64> = (10..nb)
        .flat_map(|a| (10..nb).filter(move |&b| b != a).map(move |b| (a, b)))
        .map(|(a, b)| avg[a][b])
        .filter(|x| x.is_finite())
        .collect();
    odor_bins.iter().sum::<f64>() / odor_bins.len().max(1) as f64
}

fn time_time_panels(time_time: &[(Variant, Matrix)]) -> Figure {
    let mut fig = Figure::new(1, 4)
        .title("Fig. 2E — time–time correlation of E rate vectors (100 ms bins; odor 1–3 s)")
        .size(2000, 520);
    for (v, avg) in time_time {
        fig = fig.panel(HeatmapPanel::new(&v.label(), "time bin (100 ms)", "time bin (100 ms)", "r", avg));
    }
    fig
}
