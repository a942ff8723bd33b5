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
//! - The paper does not say how it shuffled, so every trial is also played back under each
//!   scheme of [`IShuffle`] (what each keeps and destroys is in its docs); the summary holds the
//!   runaway probability of each (`"shuffle_schemes"`), the headline one being
//!   [`IShuffle::UniformTime`].

use engram_core::error::EngramError;
use engram_core::rng::{component_id, stream};
use engram_models::dp::metrics::OdorSet;
use engram_models::dp::network::DpConnectivity;
use engram_models::dp::params::{DpConfig, Variant};
use engram_models::dp::simulate::{DpRecording, Protocol, WindowKind, simulate};
use engram_plot::{BarPanel, Figure};
use rand::Rng;
use rand::seq::SliceRandom;
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
    /// Every shuffling scheme of [`IShuffle`], in [`IShuffle::ALL`] order (absent in summaries
    /// written before the schemes were compared).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shuffle_schemes: Option<Vec<ShuffleOutcome>>,
}

/// The runaway probability under one shuffling scheme.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ShuffleOutcome {
    /// The scheme ([`IShuffle::name`]).
    pub scheme: String,
    /// What it keeps of the recorded I spikes.
    pub keeps: String,
    /// Fraction of each network's trials that ran away.
    pub p_runaway: RunawayProbability,
    /// Mean E rate in the odor window over every trial, Hz.
    #[serde(deserialize_with = "null_as_nan::f64")]
    pub e_rate_odor_hz: f64,
}

/// How the recorded I spikes are shuffled before they are played back (the paper says only
/// "shuffling the spike times of I neurons").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IShuffle {
    /// Every spike moves to a uniformly random time step of the run; each neuron keeps its
    /// spike count (less the few spikes that land on a step it already fires in). Destroys the odor-evoked time course (inhibition is spread over baseline
    /// and odor alike) and all timing.
    UniformTime,
    /// Each neuron's inter-spike intervals are permuted (its first spike stays); it keeps its
    /// spike count and ISI distribution, and roughly its time course over the trial.
    Isi,
    /// The spike times are dealt to the I neurons at random (the neuron labels of the spikes
    /// permuted): the population time course and each neuron's count are kept (less the few
    /// spikes dealt twice to one neuron at one step), which neuron fires when is not.
    SpikeLabels,
    /// Whole spike trains are permuted between I neurons: every train is intact, but reaches
    /// the targets of another I neuron (breaks the I neurons' specificity only).
    Trains,
}

impl IShuffle {
    /// Every scheme, the headline one first.
    pub const ALL: [IShuffle; 4] = [IShuffle::UniformTime, IShuffle::Isi, IShuffle::SpikeLabels, IShuffle::Trains];

    /// Its name in the summary.
    pub fn name(self) -> &'static str {
        match self {
            IShuffle::UniformTime => "uniform_time",
            IShuffle::Isi => "isi",
            IShuffle::SpikeLabels => "spike_labels",
            IShuffle::Trains => "trains",
        }
    }

    /// What it keeps, in words.
    pub fn keeps(self) -> &'static str {
        match self {
            IShuffle::UniformTime => "each neuron's spike count",
            IShuffle::Isi => "each neuron's count, first spike and ISIs",
            IShuffle::SpikeLabels => "each neuron's count and the population time course",
            IShuffle::Trains => "every spike train, given to another I neuron",
        }
    }

    /// `spikes` (`(I neuron, time_ms)`, times on the `dt_ms` grid within `[0, duration_ms)`)
    /// shuffled by this scheme for `n_inh` I neurons, sorted by neuron then time, with no
    /// spike twice at the same step of the same neuron.
    ///
    /// ```
    /// use engram_repro::dp::fig1::IShuffle;
    /// let spikes = vec![(0, 1.0), (0, 5.0), (1, 2.0)];
    /// let mut rng = engram_core::rng::stream(1, 2, 3);
    /// let t = IShuffle::Trains.apply(&spikes, 2, 10.0, 0.1, &mut rng);
    /// assert_eq!(t.len(), 3);
    /// ```
    pub fn apply<R: Rng + ?Sized>(
        self,
        spikes: &[(u32, f64)],
        n_inh: usize,
        duration_ms: f64,
        dt_ms: f64,
        rng: &mut R,
    ) -> Vec<(u32, f64)> {
        let on_grid = |t: f64| (t / dt_ms).round() * dt_ms;
        let mut out: Vec<(u32, f64)> = match self {
            IShuffle::UniformTime => {
                spikes.iter().map(|&(n, _)| (n, (rng.gen_range(0.0..duration_ms) / dt_ms).floor() * dt_ms)).collect()
            }
            IShuffle::Isi => {
                let mut trains = vec![Vec::new(); n_inh];
                for &(n, t) in spikes {
                    trains[n as usize].push(t);
                }
                let mut out = Vec::with_capacity(spikes.len());
                for (n, train) in trains.iter_mut().enumerate() {
                    train.sort_by(f64::total_cmp);
                    let Some(&first) = train.first() else { continue };
                    let mut isis: Vec<f64> = train.windows(2).map(|w| w[1] - w[0]).collect();
                    isis.shuffle(rng);
                    let mut t = first;
                    out.push((n as u32, on_grid(t)));
                    for isi in isis {
                        t += isi;
                        out.push((n as u32, on_grid(t)));
                    }
                }
                out
            }
            IShuffle::SpikeLabels => {
                let mut labels: Vec<u32> = spikes.iter().map(|s| s.0).collect();
                labels.shuffle(rng);
                labels.into_iter().zip(spikes.iter().map(|s| s.1)).collect()
            }
            IShuffle::Trains => {
                let mut to: Vec<u32> = (0..n_inh as u32).collect();
                to.shuffle(rng);
                spikes.iter().map(|&(n, t)| (to[n as usize], t)).collect()
            }
        };
        out.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)));
        out.dedup_by(|a, b| a.0 == b.0 && (a.1 - b.1).abs() < 0.5 * dt_ms);
        out
    }
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

/// Mean E rate in the odor window of one odor's runs (or their means), Hz.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PlaybackRates {
    /// The network simulated with its I population.
    #[serde(deserialize_with = "null_as_nan::f64")]
    pub simulated: f64,
    /// The I spikes of that run played back unchanged.
    #[serde(deserialize_with = "null_as_nan::f64")]
    pub replayed: f64,
    /// The I spikes played back at shuffled times ([`IShuffle::UniformTime`]).
    #[serde(deserialize_with = "null_as_nan::f64")]
    pub shuffled: f64,
}

/// One trial's E rates in the odor window: simulated, replayed, and per scheme of
/// [`IShuffle::ALL`], Hz.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct TrialRates {
    simulated: f64,
    replayed: f64,
    by_scheme: Vec<f64>,
}

/// Run Fig. 1 from the shared basic runs.
pub fn run(ctx: &Context, basic: &[BasicRun]) -> Result<Fig1Summary, EngramError> {
    let dir = ctx.figure_dir("fig1")?;
    let rand: Vec<_> =
        [OdorSet::Learned, OdorSet::Novel].iter().flat_map(|&s| select(basic, Variant::Rand, s)).collect();
    let summary = Fig1Summary {
        observables_rand: RunMetricsStats::over(&rand),
        paper_targets: PaperTargets::default(),
        inhibition_stabilisation: shuffle_test(ctx)?,
    };
    panels(&summary).save(dir.join("fig1_observables")).map_err(plot_err)?;
    write_summary(&dir.join("fig1.json"), &summary)?;
    Ok(summary)
}

/// The inhibition-stabilisation test on every network of `ctx` (10 odors each, 4 in the quick
/// version).
pub fn shuffle_test(ctx: &Context) -> Result<InhibitionStabilisation, EngramError> {
    let n_odors = if ctx.options.quick { 4 } else { 10 };
    Ok(inhibition_stabilisation(&simulate_playback(ctx, n_odors)?, n_odors))
}

/// The inhibition-stabilisation runs: for every network (outer index) and each of its first
/// `n_odors` learned odors, the odor-window E rate simulated, with its I spikes replayed and
/// with them shuffled by each scheme.
fn simulate_playback(ctx: &Context, n_odors: usize) -> Result<Vec<Vec<TrialRates>>, EngramError> {
    let jobs: Vec<(usize, usize)> = (0..ctx.instances.len()).flat_map(|i| (0..n_odors).map(move |k| (i, k))).collect();
    let outcomes = ctx.run_jobs("Fig 1: shuffled inhibition", &jobs, |&(i, k)| {
        let inst = &ctx.instances[i];
        let protocol = Protocol::trials(vec![ctx.odors.learned[k].clone()]);
        let seed = inst.network_seed ^ (0x51ED + k as u64);
        playback_trial(&inst.config, &inst.base, protocol, seed, ctx.dt_ms)
    })?;
    Ok(outcomes.chunks(n_odors).map(<[TrialRates]>::to_vec).collect())
}

/// One trial of the inhibition-stabilisation test on `net`: the single-odor `protocol`
/// simulated, then with its own I spikes replayed in place of the I population, then with
/// them shuffled by each of [`IShuffle::ALL`] (stream `seed`).
pub fn playback_trial(
    config: &DpConfig,
    net: &DpConnectivity,
    mut protocol: Protocol,
    seed: u64,
    dt_ms: f64,
) -> Result<TrialRates, EngramError> {
    let control = simulate(config, net, &protocol, seed, dt_ms, None)?;
    let spikes: Vec<(u32, f64)> =
        control.i_spike_neurons.iter().copied().zip(control.i_spike_times_ms.iter().copied()).collect();
    protocol.inhibition_playback = Some(spikes.clone());
    let replay = simulate(config, net, &protocol, seed, dt_ms, None)?;
    let mut by_scheme = Vec::with_capacity(IShuffle::ALL.len());
    for (s, scheme) in IShuffle::ALL.into_iter().enumerate() {
        // the uniform-time scheme keeps the stream it had before the schemes were added
        let mut rng = stream(seed, component_id("fig1:shuffle"), s as u64);
        let shuffled = scheme.apply(&spikes, config.n_inh, protocol.duration_ms, dt_ms, &mut rng);
        protocol.inhibition_playback = Some(shuffled);
        by_scheme.push(odor_rate_hz(&simulate(config, net, &protocol, seed, dt_ms, None)?));
    }
    Ok(TrialRates { simulated: odor_rate_hz(&control), replayed: odor_rate_hz(&replay), by_scheme })
}

/// Mean E rate in the (single) odor window of a recording, Hz.
fn odor_rate_hz(rec: &DpRecording) -> f64 {
    let w = rec.windows_of(WindowKind::Odor).next().expect("one odor window");
    rec.e_rates_hz(w).iter().sum::<f64>() / rec.e_counts[w].len() as f64
}

/// Runaway probabilities per network (`playback[i]`: network i's trials) and mean rates over
/// all runs.
pub fn inhibition_stabilisation(playback: &[Vec<TrialRates>], n_odors: usize) -> InhibitionStabilisation {
    let runaway = |f: &dyn Fn(&TrialRates) -> f64| {
        let per_network = playback
            .iter()
            .map(|runs| runs.iter().filter(|o| f(o) > RUNAWAY_RATE_HZ).count() as f64 / runs.len() as f64)
            .collect();
        RunawayProbability::of(per_network)
    };
    let all: Vec<&TrialRates> = playback.iter().flatten().collect();
    let mean_rate =
        |f: &dyn Fn(&TrialRates) -> f64| MeanSd::of_finite(&all.iter().map(|o| f(o)).collect::<Vec<_>>()).mean;
    let shuffle_schemes = IShuffle::ALL
        .iter()
        .enumerate()
        .map(|(s, scheme)| ShuffleOutcome {
            scheme: scheme.name().into(),
            keeps: scheme.keeps().into(),
            p_runaway: runaway(&|o| o.by_scheme[s]),
            e_rate_odor_hz: mean_rate(&|o| o.by_scheme[s]),
        })
        .collect();
    InhibitionStabilisation {
        runaway_rate_hz: RUNAWAY_RATE_HZ,
        odors_per_network: n_odors,
        p_runaway_shuffled: runaway(&|o| o.by_scheme[0]),
        p_runaway_replayed_control: runaway(&|o| o.replayed),
        paper_p_runaway_shuffled: PAPER_P_RUNAWAY_SHUFFLED.into(),
        e_rate_odor_hz: PlaybackRates {
            simulated: mean_rate(&|o| o.simulated),
            replayed: mean_rate(&|o| o.replayed),
            shuffled: mean_rate(&|o| o.by_scheme[0]),
        },
        shuffle_schemes: Some(shuffle_schemes),
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
