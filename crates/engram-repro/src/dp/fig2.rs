//! Fig. 2 (and Fig. 2—S2): E assemblies destabilise, E/I assemblies restore balance.
//!
//! - 2B: α sweep with random inhibition (χ = 1): E and assembly rates against α; the paper
//!   finds runaway activity near α ≈ 6. (4 learned odors per run.)
//! - 2E–I, 2—S2 from the shared runs: rates for learned vs novel odors, amplification inside
//!   and outside assemblies, persistence after odor offset, co-tuning, balanced-axis SD ratio,
//!   ISI CV of assembly neurons.
//! - 2E bottom / 2—S2D: time–time correlation of E rate vectors (100 ms bins) over 3 repeats
//!   of 2 learned odors; the diagonal uses pairs of different trials only.

use engram_analysis::correlation::mean_time_time_correlation;
use engram_analysis::rates::binned_rates_hz;
use engram_core::error::EngramError;
use engram_models::dp::metrics::{OdorSet, RunMetrics, run_metrics};
use engram_models::dp::params::Variant;
use engram_models::dp::simulate::{Protocol, simulate};
use engram_plot::{BarPanel, Figure, HeatmapPanel, LinePanel};
use serde_json::json;

use super::basic::{BasicRun, VARIANTS, select};
use super::finite_mean_sd as mean_sd;
use super::{Context, plot_err, write_json};

fn measure(runs: &[RunMetrics], f: fn(&RunMetrics) -> f64) -> (f64, f64) {
    mean_sd(&runs.iter().map(f).collect::<Vec<_>>())
}

/// Run Fig. 2 from the shared basic runs plus the α sweep and the repeated trials.
pub fn run(ctx: &Context, basic: &[BasicRun]) -> Result<serde_json::Value, EngramError> {
    let dir = ctx.figure_dir("fig2")?;

    // 2B: α sweep.
    let alphas: Vec<f64> =
        if ctx.options.quick { vec![1.0, 3.0, 5.0, 7.0] } else { vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0] };
    let jobs: Vec<(usize, f64)> = (0..ctx.instances.len()).flat_map(|i| alphas.iter().map(move |&a| (i, a))).collect();
    let sweep = ctx.run_jobs("Fig 2B: alpha sweep", &jobs, |&(i, alpha)| {
        let inst = &ctx.instances[i];
        let (net, _) = inst.base.with_variant(&inst.config, Variant::ScaledI { alpha, chi: 1.0 }, inst.network_seed)?;
        let protocol = Protocol::trials(ctx.odors.learned[..4].to_vec());
        let rec = simulate(&inst.config, &net, &protocol, inst.network_seed ^ 0xA1FA, ctx.dt_ms, None)?;
        let m = run_metrics(&rec, &net, OdorSet::Learned);
        Ok((m.e_rate_odor_hz, m.assembly_rate_hz, m.i_rate_odor_hz))
    })?;
    let sweep_stats: Vec<serde_json::Value> = alphas
        .iter()
        .map(|&a| {
            let rows: Vec<&(f64, f64, f64)> =
                jobs.iter().zip(&sweep).filter(|((_, x), _)| *x == a).map(|(_, r)| r).collect();
            let (e, e_sd) = mean_sd(&rows.iter().map(|r| r.0).collect::<Vec<_>>());
            let (asm, asm_sd) = mean_sd(&rows.iter().map(|r| r.1).collect::<Vec<_>>());
            let (i, i_sd) = mean_sd(&rows.iter().map(|r| r.2).collect::<Vec<_>>());
            json!({ "alpha": a, "e_rate_hz": [e, e_sd], "assembly_rate_hz": [asm, asm_sd], "i_rate_hz": [i, i_sd] })
        })
        .collect();
    let series = |k: &str| -> Vec<(f64, f64)> {
        sweep_stats.iter().map(|s| (s["alpha"].as_f64().unwrap_or(0.0), s[k][0].as_f64().unwrap_or(f64::NAN))).collect()
    };
    Figure::new(1, 1)
        .title("Fig. 2B — E assemblies with random inhibition (χ = 1)")
        .panel(
            LinePanel::new("", "α (within-assembly E→E factor)", "rate during odor (Hz)")
                .series("all E", &series("e_rate_hz"))
                .series("assembly", &series("assembly_rate_hz"))
                .series("I", &series("i_rate_hz"))
                .log_y(true),
        )
        .save(dir.join("fig2b_alpha_sweep"))
        .map_err(plot_err)?;

    // 2E–I from the shared runs.
    let names: Vec<String> = VARIANTS.iter().map(|v| v.name().to_string()).collect();
    let cats: Vec<&str> = names.iter().map(String::as_str).collect();
    let panel = |title: &str, ylabel: &str, f: fn(&RunMetrics) -> f64, sets: &[(&str, OdorSet)]| {
        let mut p = BarPanel::new(title, ylabel, &cats);
        for (set_name, set) in sets {
            let stats: Vec<(f64, f64)> = VARIANTS.iter().map(|&v| measure(&select(basic, v, *set), f)).collect();
            p = p.group(
                set_name,
                &stats.iter().map(|s| s.0).collect::<Vec<_>>(),
                &stats.iter().map(|s| s.1).collect::<Vec<_>>(),
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
        .save(dir.join("fig2_variants"))
        .map_err(plot_err)?;

    // 2E bottom: time–time correlations over repeated trials.
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
    let mut tt_json = serde_json::Map::new();
    let mut fig = Figure::new(1, 4)
        .title("Fig. 2E — time–time correlation of E rate vectors (100 ms bins; odor 1–3 s)")
        .size(2000, 520);
    for v in VARIANTS {
        let mats: Vec<&ndarray::Array2<f64>> =
            jobs.iter().zip(&tt).filter(|((_, x), _)| *x == v).flat_map(|(_, m)| m.iter()).collect();
        let nb = mats[0].nrows();
        let avg: Vec<Vec<f64>> = (0..nb)
            .map(|a| {
                (0..nb)
                    .map(|b| {
                        let vals: Vec<f64> = mats.iter().map(|m| m[[a, b]]).filter(|x| x.is_finite()).collect();
                        if vals.is_empty() { f64::NAN } else { vals.iter().sum::<f64>() / vals.len() as f64 }
                    })
                    .collect()
            })
            .collect();
        // mean correlation between different time bins during the odor (bins 10..30)
        let odor_bins: Vec<f64> = (10..nb)
            .flat_map(|a| (10..nb).filter(move |&b| b != a).map(move |b| (a, b)))
            .map(|(a, b)| avg[a][b])
            .filter(|x| x.is_finite())
            .collect();
        let during = odor_bins.iter().sum::<f64>() / odor_bins.len().max(1) as f64;
        tt_json.insert(v.name().into(), json!({ "mean_offdiag_during_odor": during }));
        fig = fig.panel(HeatmapPanel::new(&v.label(), "time bin (100 ms)", "time bin (100 ms)", "r", &avg));
    }
    fig.save(dir.join("fig2e_time_time")).map_err(plot_err)?;

    let per_variant: serde_json::Map<String, serde_json::Value> = VARIANTS
        .iter()
        .map(|&v| {
            let l = select(basic, v, OdorSet::Learned);
            let n = select(basic, v, OdorSet::Novel);
            (
                v.name().to_string(),
                json!({
                    "e_rate_learned_hz": measure(&l, |m| m.e_rate_odor_hz),
                    "e_rate_novel_hz": measure(&n, |m| m.e_rate_odor_hz),
                    "assembly_rate_learned_hz": measure(&l, |m| m.assembly_rate_hz),
                    "amplification_in": measure(&l, |m| m.amplification_in),
                    "amplification_out": measure(&l, |m| m.amplification_out),
                    "assembly_rate_after_offset_hz": measure(&l, |m| m.assembly_rate_after_offset_hz),
                    "cotuning_r": measure(&l, |m| m.cotuning_r),
                    "balanced_sd_ratio": measure(&l, |m| m.balanced_sd_ratio),
                    "isi_cv_assembly": measure(&l, |m| m.isi_cv_assembly),
                }),
            )
        })
        .collect();
    let result = json!({ "alpha_sweep": sweep_stats, "variants": per_variant, "time_time": tt_json });
    write_json(&dir.join("fig2.json"), &result)?;
    Ok(result)
}
