//! Selection by neuromodulator-gated inhibitory plasticity: two excitatory assemblies A and B
//! compete through one shared inhibitory pool; inhibitory STDP (Vogels et al. 2011) on I→E is
//! gated by a neuromodulatory signal that is on only while A is relevant. After learning, A is
//! released from inhibition, B is more inhibited, and A wins when both are stimulated.
//!
//! Mechanism. The Vogels rule is homeostatic: while it is plastic, each I→E synapse drifts by
//! `2 η τ ρ_I (ρ_E − ρ0)`, so inhibition falls onto neurons firing below the target ρ0 and
//! grows onto neurons firing above it. The gate decides *in which situation* the circuit is
//! balanced. Here the signal (a reward/attention cue, `Network::set_modulator`) is on during
//! the trials in which A is the relevant stimulus but B, a more salient competitor, is
//! presented with it and dominates: A fires below ρ0 and loses inhibition, B fires above ρ0
//! and gains inhibition. Outside these trials (tests, pauses) the weights do not move. In a
//! test with both stimuli equal, the assembly with less inhibition fires more, drives the
//! shared pool, and suppresses the other: A wins. The control (`gated = false`, signal never
//! on) leaves the weights and the tie unchanged.
//!
//! `cargo run --release --example selection` runs it and draws the figure; the guide is
//! `docs/guide/selection.md`.
//!
//! ```no_run
//! use engram_models::selection::{SelectionConfig, run_selection};
//! let r = run_selection(&SelectionConfig::default(), 1).unwrap();
//! assert!(r.after.rate_a_hz > r.after.rate_b_hz);
//! ```

use engram_connectivity::{ConnectSpec, Rule};
use engram_core::error::EngramError;
use engram_core::neuron::NeuronModel;
use engram_core::params::Params;
use engram_core::rng::{component_id, stream};
use engram_neurons::{LifCond, LifCondParams, MembraneIntegrator};
use engram_plasticity::{InhibitoryStdp, InhibitoryStdpParams};
use engram_sim::{Delay, NetworkBuilder};
use engram_stimuli::{PoissonInput, PoissonInputParams, RateSegment, RateSpec, Targets};
use rand::Rng;
use serde::{Deserialize, Serialize};

/// Parameters of the selection experiment (weights in nS, rates in Hz, times in ms).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SelectionConfig {
    /// Neurons per excitatory assembly (A = the first, B = the second). Default 100.
    pub n_assembly: usize,
    /// Neurons of the shared inhibitory pool. Default 50.
    pub n_inh: usize,
    /// E→E connection probability within an assembly (none between). Default 0.2.
    pub p_within: f64,
    /// Connection probability E→I, I→E and I→I. Default 0.3.
    pub p_inh: f64,
    /// E→E weight. Default 1.
    pub w_ee_ns: f64,
    /// E→I weight. Default 1.5.
    pub w_ei_ns: f64,
    /// Initial I→E weight (plastic). Default 6.
    pub w_ie_ns: f64,
    /// I→I weight. Default 6.
    pub w_ii_ns: f64,
    /// Background: Poisson inputs per neuron (E and I), their rate and weight. Default 100 × 8 Hz × 0.5 nS.
    pub bg_inputs: u32,
    /// Background rate, Hz.
    pub bg_rate_hz: f64,
    /// Background weight, nS.
    pub bg_weight_ns: f64,
    /// Stimulus: Poisson inputs per stimulated E neuron and their weight. Default 100 × 0.5 nS.
    pub stim_inputs: u32,
    /// Stimulus weight, nS.
    pub stim_weight_ns: f64,
    /// Stimulus rate of both assemblies in the tests. Default 20.
    pub test_rate_hz: f64,
    /// Stimulus rate of the relevant assembly A in the learning trials. Default 14.
    pub relevant_rate_hz: f64,
    /// Stimulus rate of the salient competitor B in the learning trials. Default 26.
    pub competitor_rate_hz: f64,
    /// Duration of each test, ms. Default 1000.
    pub test_ms: f64,
    /// Number of learning trials. Default 20.
    pub n_trials: usize,
    /// Duration of a learning trial (signal on), ms. Default 500.
    pub trial_ms: f64,
    /// Pause after each trial and test (no stimulus, signal off), ms. Default 250.
    pub pause_ms: f64,
    /// iSTDP learning rate η, nS per unit trace. Default 0.05.
    pub eta_ns: f64,
    /// iSTDP target rate ρ0, Hz. Default 8.
    pub rho0_hz: f64,
    /// Upper bound of the I→E weights, nS. Default 30.
    pub w_max_ns: f64,
    /// If false, the signal is never on (control). Default true.
    pub gated: bool,
    /// Recording bin, ms. Default 50.
    pub bin_ms: f64,
    /// Time step, ms. Default 0.1.
    pub dt_ms: f64,
}

impl Default for SelectionConfig {
    fn default() -> Self {
        Self {
            n_assembly: 100,
            n_inh: 50,
            p_within: 0.2,
            p_inh: 0.3,
            w_ee_ns: 1.0,
            w_ei_ns: 1.5,
            w_ie_ns: 6.0,
            w_ii_ns: 6.0,
            bg_inputs: 100,
            bg_rate_hz: 8.0,
            bg_weight_ns: 0.5,
            stim_inputs: 100,
            stim_weight_ns: 0.5,
            test_rate_hz: 20.0,
            relevant_rate_hz: 14.0,
            competitor_rate_hz: 26.0,
            test_ms: 1000.0,
            n_trials: 20,
            trial_ms: 500.0,
            pause_ms: 250.0,
            eta_ns: 0.05,
            rho0_hz: 8.0,
            w_max_ns: 30.0,
            gated: true,
            bin_ms: 50.0,
            dt_ms: 0.1,
        }
    }
}

/// Rates in one window, Hz.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct WindowRates {
    /// Mean rate of assembly A.
    pub rate_a_hz: f64,
    /// Mean rate of assembly B.
    pub rate_b_hz: f64,
    /// Mean rate of the inhibitory pool.
    pub rate_i_hz: f64,
}

/// What [`run_selection`] measured.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SelectionResult {
    /// End of each recording bin, s.
    pub t_s: Vec<f64>,
    /// Mean I→E weight onto A at the end of each bin, nS.
    pub w_ia_ns: Vec<f64>,
    /// Mean I→E weight onto B at the end of each bin, nS.
    pub w_ib_ns: Vec<f64>,
    /// Rates of A and B in each bin, Hz.
    pub rate_a_hz: Vec<f64>,
    /// See `rate_a_hz`.
    pub rate_b_hz: Vec<f64>,
    /// Whether the signal was on in each bin.
    pub signal: Vec<bool>,
    /// Test with both stimulated equally, before learning.
    pub before: WindowRates,
    /// The same test after learning.
    pub after: WindowRates,
    /// Rates in the first and the last learning trial.
    pub first_trial: WindowRates,
    /// See `first_trial`.
    pub last_trial: WindowRates,
    /// Mean I→E weight onto A and B before and after learning, nS.
    pub w_ia_before_after_ns: (f64, f64),
    /// See `w_ia_before_after_ns`.
    pub w_ib_before_after_ns: (f64, f64),
}

impl SelectionResult {
    /// A's share of the A+B activity in the final test minus the share before (0 = no change).
    pub fn selection_gain(&self) -> f64 {
        let share = |w: &WindowRates| w.rate_a_hz / (w.rate_a_hz + w.rate_b_hz).max(1e-12);
        share(&self.after) - share(&self.before)
    }
}

/// Phases of the protocol: (start ms, end ms, stimulus rate A, stimulus rate B, signal).
pub(crate) fn timeline(cfg: &SelectionConfig) -> Vec<(f64, f64, f64, f64, bool)> {
    let mut t = 0.0;
    let mut phases = Vec::new();
    let mut push = |dur: f64, a: f64, b: f64, s: bool, t: &mut f64| {
        phases.push((*t, *t + dur, a, b, s));
        *t += dur;
    };
    push(cfg.test_ms, cfg.test_rate_hz, cfg.test_rate_hz, false, &mut t);
    push(cfg.pause_ms, 0.0, 0.0, false, &mut t);
    for _ in 0..cfg.n_trials {
        push(cfg.trial_ms, cfg.relevant_rate_hz, cfg.competitor_rate_hz, cfg.gated, &mut t);
        push(cfg.pause_ms, 0.0, 0.0, false, &mut t);
    }
    push(cfg.test_ms, cfg.test_rate_hz, cfg.test_rate_hz, false, &mut t);
    phases
}

/// Run the experiment (single network, deterministic for a seed).
pub fn run_selection(cfg: &SelectionConfig, seed: u64) -> Result<SelectionResult, EngramError> {
    let (na, ni) = (cfg.n_assembly, cfg.n_inh);
    let ne = 2 * na;
    let dt = cfg.dt_ms;
    let mut b = NetworkBuilder::new(dt, seed)?;
    let neuron = LifCondParams { integrator: MembraneIntegrator::ExpEuler, ..LifCondParams::coba() }.check()?;
    for (name, n) in [("E", ne), ("I", ni)] {
        let mut pop = LifCond::new(n, neuron.clone());
        let mut rng = stream(seed, component_id(&format!("selection:v0:{name}")), 0);
        if let Some(v) = pop.state_mut("v_mv") {
            v.iter_mut().for_each(|x| *x = -60.0 + 10.0 * rng.r#gen::<f64>());
        }
        b.add_population(name, pop)?;
        let bg = PoissonInputParams {
            n_inputs: cfg.bg_inputs,
            rate: RateSpec::Constant { rate_hz: cfg.bg_rate_hz },
            weight: cfg.bg_weight_ns,
            ..Default::default()
        }
        .check()?;
        b.add_stimulus(
            name,
            PoissonInput::new(bg, n, seed, component_id(&format!("selection:bg:{name}")), b.clock())?,
        )?;
    }
    // E→E only within assemblies
    let mut rng = stream(seed, component_id("selection:E->E"), 0);
    let mut tri = sprs::TriMatI::<f64, u32>::new((ne, ne));
    for i in 0..ne {
        for j in 0..ne {
            if i != j && i / na == j / na && rng.r#gen::<f64>() < cfg.p_within {
                tri.add_triplet(i, j, cfg.w_ee_ns);
            }
        }
    }
    let delay = Delay::Ms(0.5);
    b.connect("E", "E", "exc", tri.to_csr(), delay.clone())?;
    let spec = ConnectSpec::new(Rule::FixedProbability { p: cfg.p_inh });
    let conn = |pre: &str, post: &str, n_pre: usize, n_post: usize| {
        spec.connect_populations(n_pre, n_post, pre == post, seed, component_id(&format!("selection:{pre}->{post}")))
    };
    b.connect("E", "I", "exc", conn("E", "I", ne, ni)?.weights(cfg.w_ei_ns), delay.clone())?;
    b.connect("I", "I", "inh", conn("I", "I", ni, ni)?.weights(cfg.w_ii_ns), delay.clone())?;
    let ie = b.connect("I", "E", "inh", conn("I", "E", ni, ne)?.weights(cfg.w_ie_ns), delay)?;
    let rule = InhibitoryStdpParams {
        eta: cfg.eta_ns,
        target_rate_hz: cfg.rho0_hz,
        w_max: cfg.w_max_ns,
        ..InhibitoryStdpParams::gated(0.5)
    }
    .check()?;
    b.add_plasticity(ie, InhibitoryStdp::new(rule, ni, ne));
    // stimuli of A and B from the timeline
    let phases = timeline(cfg);
    for (k, name) in ["A", "B"].iter().enumerate() {
        let segments = phases
            .iter()
            .map(|p| RateSegment { start_ms: p.0, rates_hz: vec![if k == 0 { p.2 } else { p.3 }] })
            .collect();
        let stim = PoissonInputParams {
            n_inputs: cfg.stim_inputs,
            rate: RateSpec::Piecewise { segments },
            weight: cfg.stim_weight_ns,
            targets: Targets::Indices((k * na..(k + 1) * na).map(|i| i as u32).collect()),
            ..Default::default()
        }
        .check()?;
        let id = component_id(&format!("selection:stim:{name}"));
        b.add_stimulus("E", PoissonInput::new(stim, ne, seed, id, b.clock())?)?;
    }
    let mut net = b.build()?;

    let steps = |ms: f64| (ms / dt).round() as u64;
    let bin = steps(cfg.bin_ms).max(1);
    let mut r = SelectionResult::default();
    let mut prev_e = vec![0u32; ne];
    let mut prev_i: u64 = 0;
    let mean_w = |net: &engram_sim::Network| {
        let w = net.weights(ie);
        let (mut s, mut c) = ([0.0f64; 2], [0usize; 2]);
        for (&x, &j) in w.data().iter().zip(w.indices()) {
            let g = (j as usize / na).min(1);
            s[g] += x;
            c[g] += 1;
        }
        (s[0] / c[0].max(1) as f64, s[1] / c[1].max(1) as f64)
    };
    let w0 = mean_w(&net);
    let mut windows = Vec::new();
    for &(start, end, _, _, signal) in &phases {
        net.set_modulator(if signal { 1.0 } else { 0.0 });
        let (s0, s1) = (steps(start), steps(end));
        let (e0, i0) = (net.spike_counts("E")?.to_vec(), prev_i);
        let mut s = s0;
        while s < s1 {
            let n = bin.min(s1 - s);
            net.run_steps(n)?;
            s += n;
            let counts = net.spike_counts("E")?.to_vec();
            let i_total: u64 = net.spike_counts("I")?.iter().map(|&c| c as u64).sum();
            let secs = n as f64 * dt / 1000.0;
            let rate =
                |lo: usize| (lo..lo + na).map(|i| (counts[i] - prev_e[i]) as f64).sum::<f64>() / na as f64 / secs;
            r.t_s.push(net.time_ms() / 1000.0);
            r.rate_a_hz.push(rate(0));
            r.rate_b_hz.push(rate(na));
            r.signal.push(signal);
            let (wa, wb) = mean_w(&net);
            r.w_ia_ns.push(wa);
            r.w_ib_ns.push(wb);
            prev_e = counts;
            prev_i = i_total;
        }
        let secs = (s1 - s0) as f64 * dt / 1000.0;
        let rate = |lo: usize| (lo..lo + na).map(|i| (prev_e[i] - e0[i]) as f64).sum::<f64>() / na as f64 / secs;
        windows.push(WindowRates {
            rate_a_hz: rate(0),
            rate_b_hz: rate(na),
            rate_i_hz: (prev_i - i0) as f64 / ni as f64 / secs,
        });
    }
    // phases: test, pause, (trial, pause) × n, test
    r.before = windows[0];
    r.after = *windows.last().expect("tests");
    if cfg.n_trials > 0 {
        r.first_trial = windows[2];
        r.last_trial = windows[2 + 2 * (cfg.n_trials - 1)];
    }
    let w1 = mean_w(&net);
    r.w_ia_before_after_ns = (w0.0, w1.0);
    r.w_ib_before_after_ns = (w0.1, w1.1);
    Ok(r)
}
