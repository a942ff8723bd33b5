//! Fig. 1: the rand networks fitted to pDp, and the inhibition-stabilisation test.
//!
//! - Observables (docs/models/dp.md#fitting-observables) of every rand network with learned and
//!   novel odors, next to the paper's target bands.
//! - Inhibition stabilisation (docs/models/dp.md#inhibition-stabilisation-test): each odor is
//!   presented alone (1 s baseline, 2 s odor); the I spikes of that run are then played back into
//!   the same network in place of the I population, either unchanged (control: activity must stay
//!   normal) or with every spike moved to a uniformly random time of the run ("shuffled I spike
//!   times"; the paper does not describe its shuffling). A run counts as runaway when the mean E
//!   rate in the odor window exceeds 10 Hz (ten times the fitted odor-evoked rate). Paper: runaway
//!   probability 0.79 ± 0.20.

use engram_core::error::EngramError;
use engram_models::dp::metrics::{OdorSet, mean_sd_table};
use engram_models::dp::params::Variant;
use engram_models::dp::simulate::{Protocol, WindowKind, simulate};
use engram_plot::{BarPanel, Figure};
use rand::Rng;
use serde_json::json;

use super::basic::{BasicRun, select};
use super::finite_mean_sd as mean_sd;
use super::{Context, plot_err, write_json};

/// Mean E rate in the odor window above which a run counts as runaway, Hz.
pub const RUNAWAY_RATE_HZ: f64 = 10.0;

/// Run Fig. 1 from the shared basic runs.
pub fn run(ctx: &Context, basic: &[BasicRun]) -> Result<serde_json::Value, EngramError> {
    let dir = ctx.figure_dir("fig1")?;
    // Observables of the rand networks, learned and novel odors pooled per network.
    let rand: Vec<_> =
        [OdorSet::Learned, OdorSet::Novel].iter().flat_map(|&s| select(basic, Variant::Rand, s)).collect();
    let observables = mean_sd_table(&rand);
    let targets = json!({
        "e_rate_baseline_hz": "< 0.1 (paper text), < 0.15 (code)",
        "e_rate_odor_hz": "0.9–1.1 (≈ 1)",
        "i_rate_odor_hz": "≈ 4–6, above E",
        "g_oe_ns": "0.03–0.16",
        "g_syn_ns": "1–9",
        "pct_recurrent": "78–90 (> 80)",
        "pattern_corr": "−0.15 to 0.15 (≈ 0)",
    });

    // Inhibition-stabilisation test.
    let n_odors = if ctx.options.quick { 4 } else { 10 };
    let jobs: Vec<(usize, usize)> = (0..ctx.instances.len()).flat_map(|i| (0..n_odors).map(move |k| (i, k))).collect();
    let outcomes = ctx.run_jobs("Fig 1: shuffled inhibition", &jobs, |&(i, k)| {
        let inst = &ctx.instances[i];
        let mut protocol = Protocol::trials(vec![ctx.odors.learned[k].clone()]);
        let seed = inst.network_seed ^ (0x51ED + k as u64);
        let control = simulate(&inst.config, &inst.base, &protocol, seed, ctx.dt_ms, None)?;
        let spikes: Vec<(u32, f64)> =
            control.i_spike_neurons.iter().copied().zip(control.i_spike_times_ms.iter().copied()).collect();
        let odor_rate = |rec: &engram_models::dp::simulate::DpRecording| {
            let w = rec.windows_of(WindowKind::Odor).next().expect("one odor window");
            rec.e_rates_hz(w).iter().sum::<f64>() / rec.e_counts[w].len() as f64
        };
        protocol.inhibition_playback = Some(spikes.clone());
        let replay = simulate(&inst.config, &inst.base, &protocol, seed, ctx.dt_ms, None)?;
        let mut rng = engram_core::rng::stream(seed, engram_core::rng::component_id("fig1:shuffle"), 0);
        let dt = ctx.dt_ms;
        let mut shuffled: Vec<(u32, f64)> =
            spikes.iter().map(|&(n, _)| (n, (rng.gen_range(0.0..protocol.duration_ms) / dt).floor() * dt)).collect();
        shuffled.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)));
        shuffled.dedup_by(|a, b| a.0 == b.0 && a.1 == b.1);
        protocol.inhibition_playback = Some(shuffled);
        let shuffle = simulate(&inst.config, &inst.base, &protocol, seed, ctx.dt_ms, None)?;
        Ok((odor_rate(&control), odor_rate(&replay), odor_rate(&shuffle)))
    })?;
    let per_network: Vec<(f64, f64)> = (0..ctx.instances.len())
        .map(|i| {
            let mine: Vec<&(f64, f64, f64)> =
                jobs.iter().zip(&outcomes).filter(|((j, _), _)| *j == i).map(|(_, o)| o).collect();
            let frac = |f: &dyn Fn(&(f64, f64, f64)) -> f64| {
                mine.iter().filter(|o| f(o) > RUNAWAY_RATE_HZ).count() as f64 / mine.len() as f64
            };
            (frac(&|o| o.2), frac(&|o| o.1))
        })
        .collect();
    let p_shuffled: Vec<f64> = per_network.iter().map(|p| p.0).collect();
    let p_replay: Vec<f64> = per_network.iter().map(|p| p.1).collect();
    let (pm, psd) = mean_sd(&p_shuffled);
    let (rm, rsd) = mean_sd(&p_replay);
    let rates = |f: &dyn Fn(&(f64, f64, f64)) -> f64| mean_sd(&outcomes.iter().map(f).collect::<Vec<_>>());

    // Figure: observables per network, and runaway probabilities.
    let keys = [
        ("e_rate_baseline_hz", "spontaneous E rate (Hz)"),
        ("e_rate_odor_hz", "odor-evoked E rate (Hz)"),
        ("i_rate_odor_hz", "odor-evoked I rate (Hz)"),
        ("g_oe_ns", "Δg_OE (nS)"),
        ("g_syn_ns", "Δg_syn (nS)"),
        ("pct_recurrent", "recurrent E input (%)"),
        ("pattern_corr", "pattern correlation"),
    ];
    let mut fig =
        Figure::new(2, 4).title("Fig. 1 — rand networks fitted to pDp (mean ± SD over networks)").size(1800, 900);
    for (key, label) in keys {
        let m = observables[key]["mean"].as_f64().unwrap_or(f64::NAN);
        let s = observables[key]["sd"].as_f64().unwrap_or(0.0);
        fig = fig.panel(BarPanel::new(label, "", &["engram"]).group("rand", &[m], &[s]));
    }
    fig = fig.panel(BarPanel::new("runaway probability", "P(runaway)", &["replayed I", "shuffled I"]).group(
        "engram",
        &[rm, pm],
        &[rsd, psd],
    ));
    fig.save(dir.join("fig1_observables")).map_err(plot_err)?;

    let result = json!({
        "observables_rand": observables,
        "paper_targets": targets,
        "inhibition_stabilisation": {
            "runaway_rate_hz": RUNAWAY_RATE_HZ,
            "odors_per_network": n_odors,
            "p_runaway_shuffled": { "mean": pm, "sd": psd, "per_network": p_shuffled },
            "p_runaway_replayed_control": { "mean": rm, "sd": rsd, "per_network": p_replay },
            "paper_p_runaway_shuffled": "0.79 ± 0.20",
            "e_rate_odor_hz": {
                "simulated": rates(&|o| o.0).0,
                "replayed": rates(&|o| o.1).0,
                "shuffled": rates(&|o| o.2).0,
            },
        },
    });
    write_json(&dir.join("fig1.json"), &result)?;
    Ok(result)
}
