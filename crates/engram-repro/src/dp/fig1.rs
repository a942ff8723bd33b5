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
use engram_core::rng::{component_id, stream};
use engram_models::dp::metrics::OdorSet;
use engram_models::dp::params::Variant;
use engram_models::dp::simulate::{DpRecording, Protocol, WindowKind, simulate};
use engram_plot::{BarPanel, Figure};
use rand::Rng;
use serde::{Deserialize, Serialize};

use super::basic::{BasicRun, MeanSdCount, RunMetricsStats, select};
use super::{Context, MeanSd, null_as_nan, plot_err, write_summary};

/// Mean E rate in the odor window above which a run counts as runaway, Hz.
pub const RUNAWAY_RATE_HZ: f64 = 10.0;
/// The paper's runaway probability with shuffled I spike times (mean ± SD).
pub const PAPER_P_RUNAWAY_SHUFFLED: &str = "0.79 ± 0.20";

/// What `fig1.json` (and `"fig1"` of `summary.json`) holds.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Fig1Summary {
    /// Observables of the rand networks, learned and novel odors pooled, over runs.
    pub observables_rand: RunMetricsStats,
    /// The paper's target band of each fitted observable.
    pub paper_targets: PaperTargets,
    /// The inhibition-stabilisation test.
    pub inhibition_stabilisation: InhibitionStabilisation,
}

/// The paper's target bands of the fitted observables (text).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PaperTargets {
    /// Spontaneous E rate, Hz.
    pub e_rate_baseline_hz: String,
    /// Odor-evoked E rate, Hz.
    pub e_rate_odor_hz: String,
    /// Odor-evoked I rate, Hz.
    pub i_rate_odor_hz: String,
    /// Odor-evoked bulb conductance change, nS.
    pub g_oe_ns: String,
    /// Odor-evoked total synaptic conductance change, nS.
    pub g_syn_ns: String,
    /// Recurrent share of the odor-evoked excitatory input, %.
    pub pct_recurrent: String,
    /// Correlation between odor response patterns.
    pub pattern_corr: String,
}

impl Default for PaperTargets {
    fn default() -> Self {
        Self {
            e_rate_baseline_hz: "< 0.1 (paper text), < 0.15 (code)".into(),
            e_rate_odor_hz: "0.9–1.1 (≈ 1)".into(),
            i_rate_odor_hz: "≈ 4–6, above E".into(),
            g_oe_ns: "0.03–0.16".into(),
            g_syn_ns: "1–9".into(),
            pct_recurrent: "78–90 (> 80)".into(),
            pattern_corr: "−0.15 to 0.15 (≈ 0)".into(),
        }
    }
}

/// The inhibition-stabilisation test: runaway after replaying or shuffling the I spikes.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct InhibitionStabilisation {
    /// Mean E rate in the odor window above which a run counts as runaway, Hz.
    pub runaway_rate_hz: f64,
    /// Odors presented per network.
    pub odors_per_network: usize,
    /// Runaway probability with shuffled I spike times.
    pub p_runaway_shuffled: RunawayProbability,
    /// Runaway probability with the I spikes replayed unchanged (control).
    pub p_runaway_replayed_control: RunawayProbability,
    /// The paper's runaway probability with shuffled I spikes (text).
    pub paper_p_runaway_shuffled: String,
    /// Mean E rate in the odor window over every run, Hz.
    pub e_rate_odor_hz: PlaybackRates,
}

/// The fraction of a network's odors whose run ran away, over networks.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RunawayProbability {
    /// Mean over networks.
    #[serde(deserialize_with = "null_as_nan::f64")]
    pub mean: f64,
    /// Sample SD over networks.
    #[serde(deserialize_with = "null_as_nan::f64")]
    pub sd: f64,
    /// Per network.
    #[serde(deserialize_with = "null_as_nan::vec")]
    pub per_network: Vec<f64>,
}

impl RunawayProbability {
    fn of(per_network: Vec<f64>) -> Self {
        let MeanSd { mean, sd } = MeanSd::of_finite(&per_network);
        Self { mean, sd, per_network }
    }

    fn mean_sd(&self) -> MeanSd {
        MeanSd { mean: self.mean, sd: self.sd }
    }
}

/// Mean E rate in the odor window of one odor's three runs (or their means), Hz.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PlaybackRates {
    /// The network simulated with its I population.
    #[serde(deserialize_with = "null_as_nan::f64")]
    pub simulated: f64,
    /// The I spikes of that run played back unchanged.
    #[serde(deserialize_with = "null_as_nan::f64")]
    pub replayed: f64,
    /// The I spikes played back at shuffled times.
    #[serde(deserialize_with = "null_as_nan::f64")]
    pub shuffled: f64,
}

/// Run Fig. 1 from the shared basic runs.
pub fn run(ctx: &Context, basic: &[BasicRun]) -> Result<Fig1Summary, EngramError> {
    let dir = ctx.figure_dir("fig1")?;
    let rand: Vec<_> =
        [OdorSet::Learned, OdorSet::Novel].iter().flat_map(|&s| select(basic, Variant::Rand, s)).collect();
    let n_odors = if ctx.options.quick { 4 } else { 10 };
    let playback = simulate_playback(ctx, n_odors)?;
    let summary = Fig1Summary {
        observables_rand: RunMetricsStats::over(&rand),
        paper_targets: PaperTargets::default(),
        inhibition_stabilisation: inhibition_stabilisation(&playback, n_odors),
    };
    panels(&summary).save(dir.join("fig1_observables")).map_err(plot_err)?;
    write_summary(&dir.join("fig1.json"), &summary)?;
    Ok(summary)
}

/// The inhibition-stabilisation runs: for every network (outer index) and each of its first
/// `n_odors` learned odors, the odor-window E rate simulated, with its I spikes replayed and with
/// them shuffled.
fn simulate_playback(ctx: &Context, n_odors: usize) -> Result<Vec<Vec<PlaybackRates>>, EngramError> {
    let jobs: Vec<(usize, usize)> = (0..ctx.instances.len()).flat_map(|i| (0..n_odors).map(move |k| (i, k))).collect();
    let outcomes = ctx.run_jobs("Fig 1: shuffled inhibition", &jobs, |&(i, k)| {
        let inst = &ctx.instances[i];
        let mut protocol = Protocol::trials(vec![ctx.odors.learned[k].clone()]);
        let seed = inst.network_seed ^ (0x51ED + k as u64);
        let control = simulate(&inst.config, &inst.base, &protocol, seed, ctx.dt_ms, None)?;
        let spikes: Vec<(u32, f64)> =
            control.i_spike_neurons.iter().copied().zip(control.i_spike_times_ms.iter().copied()).collect();
        protocol.inhibition_playback = Some(spikes.clone());
        let replay = simulate(&inst.config, &inst.base, &protocol, seed, ctx.dt_ms, None)?;
        let mut rng = stream(seed, component_id("fig1:shuffle"), 0);
        let dt = ctx.dt_ms;
        let mut shuffled: Vec<(u32, f64)> =
            spikes.iter().map(|&(n, _)| (n, (rng.gen_range(0.0..protocol.duration_ms) / dt).floor() * dt)).collect();
        shuffled.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)));
        shuffled.dedup_by(|a, b| a.0 == b.0 && a.1 == b.1);
        protocol.inhibition_playback = Some(shuffled);
        let shuffle = simulate(&inst.config, &inst.base, &protocol, seed, ctx.dt_ms, None)?;
        Ok(PlaybackRates {
            simulated: odor_rate_hz(&control),
            replayed: odor_rate_hz(&replay),
            shuffled: odor_rate_hz(&shuffle),
        })
    })?;
    Ok(outcomes.chunks(n_odors).map(<[PlaybackRates]>::to_vec).collect())
}

/// Mean E rate in the (single) odor window of a recording, Hz.
fn odor_rate_hz(rec: &DpRecording) -> f64 {
    let w = rec.windows_of(WindowKind::Odor).next().expect("one odor window");
    rec.e_rates_hz(w).iter().sum::<f64>() / rec.e_counts[w].len() as f64
}

/// Runaway probabilities per network and mean rates over all runs.
fn inhibition_stabilisation(playback: &[Vec<PlaybackRates>], n_odors: usize) -> InhibitionStabilisation {
    let runaway = |f: fn(&PlaybackRates) -> f64| {
        let per_network = playback
            .iter()
            .map(|runs| runs.iter().filter(|o| f(o) > RUNAWAY_RATE_HZ).count() as f64 / runs.len() as f64)
            .collect();
        RunawayProbability::of(per_network)
    };
    let all: Vec<&PlaybackRates> = playback.iter().flatten().collect();
    let mean_rate =
        |f: fn(&PlaybackRates) -> f64| MeanSd::of_finite(&all.iter().map(|o| f(o)).collect::<Vec<_>>()).mean;
    InhibitionStabilisation {
        runaway_rate_hz: RUNAWAY_RATE_HZ,
        odors_per_network: n_odors,
        p_runaway_shuffled: runaway(|o| o.shuffled),
        p_runaway_replayed_control: runaway(|o| o.replayed),
        paper_p_runaway_shuffled: PAPER_P_RUNAWAY_SHUFFLED.into(),
        e_rate_odor_hz: PlaybackRates {
            simulated: mean_rate(|o| o.simulated),
            replayed: mean_rate(|o| o.replayed),
            shuffled: mean_rate(|o| o.shuffled),
        },
    }
}

/// The fitted observables in the panels and in [`Fig1Summary::key_numbers`]: the measure, its
/// label in the figure, its label in `summary.md`, the paper's target there.
type Observable = (fn(&RunMetricsStats) -> MeanSdCount, &'static str, &'static str, &'static str);
const OBSERVABLES: [Observable; 7] = [
    (|o| o.e_rate_baseline_hz, "spontaneous E rate (Hz)", "spontaneous E rate, Hz", "< 0.1"),
    (|o| o.e_rate_odor_hz, "odor-evoked E rate (Hz)", "odor-evoked E rate, Hz", "≈ 1"),
    (|o| o.i_rate_odor_hz, "odor-evoked I rate (Hz)", "odor-evoked I rate, Hz", "4–6"),
    (|o| o.g_oe_ns, "Δg_OE (nS)", "Δg_OE, nS", "0.03–0.16"),
    (|o| o.g_syn_ns, "Δg_syn (nS)", "Δg_syn, nS", "1–9"),
    (|o| o.pct_recurrent, "recurrent E input (%)", "recurrent E input, %", "> 80"),
    (|o| o.pattern_corr, "pattern correlation", "pattern correlation", "≈ 0"),
];

/// The figure: observables over networks, and runaway probabilities.
fn panels(summary: &Fig1Summary) -> Figure {
    let mut fig =
        Figure::new(2, 4).title("Fig. 1 — rand networks fitted to pDp (mean ± SD over networks)").size(1800, 900);
    for (field, label, _, _) in OBSERVABLES {
        let s = field(&summary.observables_rand);
        fig = fig.panel(BarPanel::new(label, "", &["engram"]).group("rand", &[s.mean], &[s.sd]));
    }
    let inh = &summary.inhibition_stabilisation;
    let (replayed, shuffled) = (inh.p_runaway_replayed_control.mean_sd(), inh.p_runaway_shuffled.mean_sd());
    fig.panel(BarPanel::new("runaway probability", "P(runaway)", &["replayed I", "shuffled I"]).group(
        "engram",
        &[replayed.mean, shuffled.mean],
        &[replayed.sd, shuffled.sd],
    ))
}

impl Fig1Summary {
    /// The Fig. 1 section of `summary.md`: the observables beside the paper's targets.
    pub fn key_numbers(&self) -> String {
        let mut out = String::from("## Fig. 1: rand networks (paper targets in brackets)\n\n");
        for (field, _, label, target) in OBSERVABLES {
            out += &format!("- {label}: {} [{target}]\n", field(&self.observables_rand));
        }
        let shuffled = self.inhibition_stabilisation.p_runaway_shuffled.mean_sd();
        out + &format!("- runaway after shuffling I spikes: {shuffled} [{PAPER_P_RUNAWAY_SHUFFLED}]\n\n")
    }
}
