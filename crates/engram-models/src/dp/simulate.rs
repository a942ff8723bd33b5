//! Running a Dp network through a protocol of odor presentations and recording what the
//! analyses need: per-neuron spike counts and mean conductances in the windows around each
//! presentation, and the E spike trains.
//!
//! Each presentation `k` (onset t₀, offset t₁) gets four contiguous windows:
//! `Pre` [t₀ − 500 ms, t₀), `Odor` [t₀, t₀ + 1500 ms) (the paper's analysis window: the first
//! 1.5 s of the odor), `Late` [t₀ + 1500 ms, t₁) and `Post` [t₁, t₁ + 500 ms) (persistence
//! after odor offset). Presentations must be at least 1 s apart so that windows do not
//! overlap; the standard trial (1 s baseline, 2 s odor) satisfies this.

use engram_connectivity::WeightMatrix;
use engram_core::error::{EngramError, ParamError};
use engram_core::neuron::SpikeSource;
use engram_core::params::Params;
use engram_core::rng::component_id;
use engram_core::time::Clock;
use engram_neurons::LifCond;
use engram_plasticity::{
    InhibitoryStdp, InhibitoryStdpParams, NormalisedHebbian, NormalisedHebbianParams, PairStdp, PairStdpParams,
};
use engram_sim::{Delay, NetworkBuilder, RunOptions, SpikeMonitor, WindowMonitor};
use engram_stimuli::{
    CurrentInjection, CurrentInjectionParams, CurrentPulse, Odor, OdorSchedule, PoissonMethod, Presentation,
    SpikeTrains, SpikeTrainsParams, Targets,
};
use serde::Serialize;

use super::network::DpConnectivity;
use super::params::DpConfig;

/// Which part of a presentation a window covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum WindowKind {
    /// The 500 ms before odor onset.
    Pre,
    /// The first 1.5 s of the odor.
    Odor,
    /// The rest of the odor.
    Late,
    /// The 500 ms after odor offset.
    Post,
}

/// One measurement window.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Window {
    /// Presentation index.
    pub presentation: usize,
    /// Odor index (into the protocol's odors).
    pub odor: usize,
    /// Which part.
    pub kind: WindowKind,
    /// Start, ms.
    pub start_ms: f64,
    /// End, ms.
    pub end_ms: f64,
}

impl Window {
    /// Length, s.
    pub fn seconds(&self) -> f64 {
        (self.end_ms - self.start_ms) / 1000.0
    }
}

/// A current pulse into some E neurons (partial assembly stimulation, Fig. 3—S1A).
#[derive(Clone, Debug, PartialEq)]
pub struct Injection {
    /// E neuron indices.
    pub neurons: Vec<u32>,
    /// Onset, ms.
    pub start_ms: f64,
    /// Offset, ms.
    pub stop_ms: f64,
    /// Amplitude, pA.
    pub amplitude_pa: f64,
}

/// What the network is shown.
#[derive(Clone, Debug)]
pub struct Protocol {
    /// The odors (indexed by the presentations).
    pub odors: Vec<Odor>,
    /// Odor presentations, in time order.
    pub presentations: Vec<Presentation>,
    /// Total simulated time, ms.
    pub duration_ms: f64,
    /// Current injections.
    pub injections: Vec<Injection>,
    /// Replace the I population by a playback of these spikes `(I neuron, time_ms)` (the
    /// inhibition-stabilisation test of Fig. 1: shuffled I spike times).
    pub inhibition_playback: Option<Vec<(u32, f64)>>,
    /// Measure in these windows instead of the four around each presentation (for
    /// back-to-back presentations such as the odor subspace, or protocols without odors).
    /// They must be sorted and must not overlap.
    pub custom_windows: Option<Vec<Window>>,
    /// Replace the bulb's Poisson spikes by these trains (one source per mitral cell; the
    /// authors' input files, [`authors`](super::authors)); `odors` is then not used, and the
    /// presentations only place the windows.
    pub ob_playback: Option<SpikeTrains>,
}

impl Protocol {
    /// The standard protocol: each odor once, as 3 s trials (1 s baseline, 2 s odor), plus a
    /// final 1 s of baseline (30 s + 1 s for 10 odors).
    pub fn trials(odors: Vec<Odor>) -> Self {
        Self::repeated_trials(odors, 1)
    }

    /// Every odor `repeats` times in a row of trials (odor 0, 1, …, n−1, then again).
    pub fn repeated_trials(odors: Vec<Odor>, repeats: usize) -> Self {
        let n = odors.len();
        let presentations = Self::trial_presentations(n, repeats);
        let duration_ms = 3000.0 * (n * repeats) as f64 + 1000.0;
        Self {
            odors,
            presentations,
            duration_ms,
            injections: Vec::new(),
            inhibition_playback: None,
            custom_windows: None,
            ob_playback: None,
        }
    }

    /// The standard trials (1 s baseline, 2 s odor each, then 1 s) with the bulb replaying
    /// `ob` instead of drawing Poisson spikes: trial k's odor is odor k for the windows and
    /// the metrics (learned odor k ↔ assembly k), whatever `ob` shows then.
    ///
    /// ```
    /// use engram_stimuli::SpikeTrains;
    /// let ob = SpikeTrains::from_steps(1500, vec![(3, 12_000)]).unwrap();
    /// let p = engram_models::dp::Protocol::played_back_trials(2, ob);
    /// assert_eq!((p.duration_ms, p.presentations[1].onset_ms), (7000.0, 4000.0));
    /// assert!(p.odors.is_empty() && p.ob_playback.is_some());
    /// ```
    pub fn played_back_trials(n_trials: usize, ob: SpikeTrains) -> Self {
        Self {
            presentations: Self::trial_presentations(n_trials, 1),
            duration_ms: 3000.0 * n_trials as f64 + 1000.0,
            ob_playback: Some(ob),
            ..Self::repeated_trials(Vec::new(), 0)
        }
    }

    /// The presentations of [`repeated_trials`](Self::repeated_trials) for `n_odors` odors:
    /// trial k shows odor k mod `n_odors` from 3 k + 1 s to 3 k + 3 s.
    ///
    /// ```
    /// let p = engram_models::dp::Protocol::trial_presentations(2, 2);
    /// assert_eq!(p.iter().map(|p| (p.odor, p.onset_ms)).collect::<Vec<_>>(),
    ///            vec![(0, 1000.0), (1, 4000.0), (0, 7000.0), (1, 10000.0)]);
    /// ```
    pub fn trial_presentations(n_odors: usize, repeats: usize) -> Vec<Presentation> {
        (0..n_odors * repeats)
            .map(|k| Presentation { odor: k % n_odors, onset_ms: 3000.0 * k as f64 + 1000.0, duration_ms: 2000.0 })
            .collect()
    }

    /// The measurement windows: `custom_windows` if given, else four around every presentation.
    pub fn windows(&self) -> Vec<Window> {
        if let Some(w) = &self.custom_windows {
            return w.clone();
        }
        let mut out = Vec::with_capacity(4 * self.presentations.len());
        for (k, p) in self.presentations.iter().enumerate() {
            let (t0, t1) = (p.onset_ms, p.onset_ms + p.duration_ms);
            let odor_end = (t0 + 1500.0).min(t1);
            let w = |kind, start_ms, end_ms| Window { presentation: k, odor: p.odor, kind, start_ms, end_ms };
            out.push(w(WindowKind::Pre, (t0 - 500.0).max(0.0), t0));
            out.push(w(WindowKind::Odor, t0, odor_end));
            if t1 > odor_end {
                out.push(w(WindowKind::Late, odor_end, t1));
            }
            out.push(w(WindowKind::Post, t1, (t1 + 500.0).min(self.duration_ms)));
        }
        out
    }
}

/// What one simulation of a protocol recorded.
#[derive(Clone, Debug)]
pub struct DpRecording {
    /// The windows.
    pub windows: Vec<Window>,
    /// E spike counts per window (outer) and neuron.
    pub e_counts: Vec<Vec<u32>>,
    /// I spike counts per window and neuron.
    pub i_counts: Vec<Vec<u32>>,
    /// Mean bulb conductance of each E neuron per window, nS.
    pub g_ob_ns: Vec<Vec<f64>>,
    /// Mean recurrent excitatory conductance of each E neuron per window, nS.
    pub g_exc_ns: Vec<Vec<f64>>,
    /// Mean inhibitory conductance of each E neuron per window, nS.
    pub g_inh_ns: Vec<Vec<f64>>,
    /// Every E spike: times, ms.
    pub e_spike_times_ms: Vec<f64>,
    /// Every E spike: neuron.
    pub e_spike_neurons: Vec<u32>,
    /// Every I spike: times, ms.
    pub i_spike_times_ms: Vec<f64>,
    /// Every I spike: neuron.
    pub i_spike_neurons: Vec<u32>,
    /// Simulated time, ms.
    pub duration_ms: f64,
    /// Loop CPU time (this thread), s.
    pub loop_s: f64,
}

impl DpRecording {
    /// Indices of the windows of a kind.
    pub fn windows_of(&self, kind: WindowKind) -> impl Iterator<Item = usize> + '_ {
        self.windows.iter().enumerate().filter(move |(_, w)| w.kind == kind).map(|(i, _)| i)
    }

    /// Rates (Hz) of every E neuron in window `w`.
    pub fn e_rates_hz(&self, w: usize) -> Vec<f64> {
        let s = self.windows[w].seconds();
        self.e_counts[w].iter().map(|&c| c as f64 / s).collect()
    }
}

/// Build the network of `net` with the OB driven by `protocol` and run it.
///
/// `run_seed` seeds the Poisson draws of the mitral cells (fresh per run, so repeated runs of
/// one network are independent trials).
pub fn simulate(
    config: &DpConfig,
    net: &DpConnectivity,
    protocol: &Protocol,
    run_seed: u64,
    dt_ms: f64,
    progress: Option<&str>,
) -> Result<DpRecording, EngramError> {
    simulate_with(config, net, protocol, run_seed, dt_ms, progress, &LearningOptions::default()).map(|(rec, _)| rec)
}

/// The weights of the two pathways between E and I that the learned E/I assemblies study
/// (`engram_repro::dp_learned`) lets learn (CSR, row = presynaptic neuron, nS, multiplicity
/// folded in).
#[derive(Clone, Debug)]
pub struct LearnedWeights {
    /// I→E, `n_inh × n_exc`.
    pub i_e: WeightMatrix,
    /// E→I, `n_exc × n_inh`.
    pub e_i: WeightMatrix,
}

impl LearnedWeights {
    /// The weights `net` itself has.
    pub fn of(config: &DpConfig, net: &DpConnectivity) -> Self {
        let [_, _, _, e_i, i_e, _] = net.weights(config);
        Self { i_e, e_i }
    }
}

/// Optional changes to the I→E and E→I pathways for [`simulate_with`] (the learned E/I
/// assemblies, `engram_repro::dp_learned`). The default changes nothing.
#[derive(Clone, Debug, Default)]
pub struct LearningOptions {
    /// Use these weights instead of `net`'s; the patterns may differ from `net`'s but the
    /// shapes must be `n_inh × n_exc` (I→E) and `n_exc × n_inh` (E→I).
    pub weights: Option<LearnedWeights>,
    /// Attach inhibitory STDP (Vogels et al. 2011) to I→E.
    pub istdp: Option<InhibitoryStdpParams>,
    /// Attach pair STDP (Song, Miller & Abbott 2000; weights in nS) to E→I.
    pub e_i_stdp: Option<PairStdpParams>,
    /// Attach normalised Hebbian plasticity (Mackwood, Naumann & Sprekeler 2021; weights in
    /// nS) to E→I. At most one of `e_i_stdp` and `e_i_hebbian`.
    pub e_i_hebbian: Option<NormalisedHebbianParams>,
}

/// [`simulate`] with [`LearningOptions`]; also returns the I→E and E→I weights at the end of
/// the run (the learned ones where a rule is attached).
pub fn simulate_with(
    config: &DpConfig,
    net: &DpConnectivity,
    protocol: &Protocol,
    run_seed: u64,
    dt_ms: f64,
    progress: Option<&str>,
    learning: &LearningOptions,
) -> Result<(DpRecording, LearnedWeights), EngramError> {
    config.validate()?;
    let clock = Clock::new(dt_ms)?;
    let mut b = NetworkBuilder::new(dt_ms, run_seed)?;
    match &protocol.ob_playback {
        None => {
            let schedule = OdorSchedule::new(protocol.odors.clone(), &protocol.presentations, 1.0, clock)?;
            let ob = schedule.into_poisson_group(PoissonMethod::Auto, run_seed, component_id("dp:ob"));
            b.add_source("OB", ob)?;
        }
        Some(trains) => {
            if trains.len() != config.n_mitral_cells {
                return Err(ParamError::new(
                    "ob_playback",
                    format!("{} sources", trains.len()),
                    format!("one source per mitral cell ({})", config.n_mitral_cells),
                )
                .into());
            }
            b.add_source("OB", trains.clone())?;
        }
    }
    let (e_params, i_params) = config.structure.neurons();
    b.add_population("E", LifCond::new(config.n_exc, e_params.check().map_err(|e| e.within("neuron_e"))?))?;
    match &protocol.inhibition_playback {
        None => {
            b.add_population("I", LifCond::new(config.n_inh, i_params.check().map_err(|e| e.within("neuron_i"))?))?;
        }
        Some(spikes) => {
            let params = SpikeTrainsParams { n_sources: config.n_inh, spikes: spikes.clone() };
            b.add_source("I", SpikeTrains::new(params.check().map_err(|e| e.within("inhibition_playback"))?, clock)?)?;
        }
    }
    let [ob_e, ob_i, e_e, e_i, i_e, i_i] = net.weights(config);
    let one = Delay::Steps(1);
    b.connect("OB", "E", "ob", ob_e, one.clone())?;
    b.connect("E", "E", "exc", e_e, one.clone())?;
    let (i_e, e_i) = match &learning.weights {
        Some(w) => (w.i_e.clone(), w.e_i.clone()),
        None => (i_e, e_i),
    };
    // kept for the result when E→I is not simulated (inhibition played back)
    let mut e_i = Some(e_i);
    let ie_id = b.connect("I", "E", "inh", i_e, one.clone())?;
    if let Some(p) = &learning.istdp {
        let rule = InhibitoryStdp::new(p.clone().check().map_err(|e| e.within("istdp"))?, config.n_inh, config.n_exc);
        b.add_plasticity(ie_id, rule);
    }
    let mut ei_id = None;
    if protocol.inhibition_playback.is_none() {
        b.connect("OB", "I", "ob", ob_i, one.clone())?;
        let id = b.connect("E", "I", "exc", e_i.take().expect("E→I connected once"), one.clone())?;
        match (&learning.e_i_stdp, &learning.e_i_hebbian) {
            (Some(_), Some(_)) => {
                return Err(ParamError::new("e_i_hebbian", "set with e_i_stdp", "at most one E→I rule").into());
            }
            (Some(p), None) => {
                let p = p.clone().check().map_err(|e| e.within("e_i_stdp"))?;
                b.add_plasticity(id, PairStdp::new(p, config.n_exc, config.n_inh));
            }
            (None, Some(p)) => {
                let p = p.clone().check().map_err(|e| e.within("e_i_hebbian"))?;
                b.add_plasticity(id, NormalisedHebbian::new(p, config.n_exc, config.n_inh));
            }
            (None, None) => {}
        }
        ei_id = Some(id);
        b.connect("I", "I", "inh", i_i, one)?;
    } else if learning.e_i_stdp.is_some() || learning.e_i_hebbian.is_some() {
        return Err(EngramError::Other(
            "e_i_stdp / e_i_hebbian: E→I plasticity needs spiking I neurons, but this protocol plays inhibition back"
                .into(),
        ));
    }
    for (k, inj) in protocol.injections.iter().enumerate() {
        let params = CurrentInjectionParams {
            pulses: vec![CurrentPulse { start_ms: inj.start_ms, stop_ms: inj.stop_ms, amplitude_pa: inj.amplitude_pa }],
            bias_pa: 0.0,
            targets: Targets::Indices(inj.neurons.clone()),
        };
        let stim = CurrentInjection::new(
            params.check().map_err(|e| e.within(&format!("injections[{k}]")))?,
            config.n_exc,
            clock,
        )?;
        b.add_stimulus("E", stim)?;
    }
    let windows = protocol.windows();
    let steps: Vec<(u64, u64)> = windows
        .iter()
        .map(|w| Ok((clock.steps(w.start_ms)?, clock.steps(w.end_ms)?)))
        .collect::<Result<_, ParamError>>()?;
    let sample_every = clock.steps(1.0)?.max(1);
    let we = b.add_monitor(WindowMonitor::new("E", &steps, &["g_ob_ns", "g_exc_ns", "g_inh_ns"], sample_every));
    let wi = b.add_monitor(WindowMonitor::new("I", &steps, &[], sample_every));
    let sm = b.add_monitor(SpikeMonitor::new(&["E", "I"]));
    // The Dp network is inhibition-stabilised and runaway activity is a result (Fig. 2B), so
    // only NaN stops a run; rates are capped by the 8 ms refractory period anyway.
    b.divergence_guard(engram_sim::DivergenceGuard {
        check_every_ms: 100.0,
        max_rate_hz: Some(1000.0),
        ..Default::default()
    });
    let mut network = b.build()?;
    let cpu0 = engram_sim::cputime::thread_cpu_s();
    let options = RunOptions { progress: progress.is_some(), label: progress.unwrap_or("").to_string() };
    network.run_ms_with(protocol.duration_ms, &options)?;
    let loop_s = match (cpu0, engram_sim::cputime::thread_cpu_s()) {
        (Some(a), Some(b)) => b - a,
        _ => f64::NAN,
    };
    let me = network.monitor::<WindowMonitor>(we).expect("window monitor E");
    let mi = network.monitor::<WindowMonitor>(wi).expect("window monitor I");
    let spikes = network.monitor::<SpikeMonitor>(sm).expect("spike monitor");
    let n_w = windows.len();
    let mean = |var: &str| (0..n_w).map(|w| me.mean(var, w).expect("recorded")).collect::<Vec<_>>();
    let learned = LearnedWeights {
        i_e: network.weights(ie_id).clone(),
        e_i: match ei_id {
            Some(id) => network.weights(id).clone(),
            None => e_i.expect("E→I kept when not connected"),
        },
    };
    let rec = DpRecording {
        e_counts: (0..n_w).map(|w| me.counts(w).to_vec()).collect(),
        i_counts: (0..n_w).map(|w| mi.counts(w).to_vec()).collect(),
        g_ob_ns: mean("g_ob_ns"),
        g_exc_ns: mean("g_exc_ns"),
        g_inh_ns: mean("g_inh_ns"),
        e_spike_times_ms: spikes.times_ms("E").to_vec(),
        e_spike_neurons: spikes.neurons("E").to_vec(),
        i_spike_times_ms: spikes.times_ms("I").to_vec(),
        i_spike_neurons: spikes.neurons("I").to_vec(),
        windows,
        duration_ms: protocol.duration_ms,
        loop_s,
    };
    Ok((rec, learned))
}
