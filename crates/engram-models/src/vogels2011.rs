//! The models of Vogels, Sprekeler, Zenke, Clopath & Gerstner, Science 334:1569 (2011):
//! inhibitory plasticity (iSTDP) balances excitation and inhibition.
//!
//! Two experiments, each a configuration and a function that builds and runs it (the figures,
//! summaries and report of the reproduction, `cargo xtask reproduce vogels2011`, are in
//! `engram_repro::vogels2011`; results in `docs/reproduction/vogels2011.md`):
//!
//! 1. **Detailed balance in one neuron** (paper Figs 1–2; reference code `inhib_plasticity.m`,
//!    docs/models/vogels2011.md#single-neuron-setup): one conductance LIF receives 800 excitatory
//!    and 200 inhibitory input trains in 8 signal channels; each channel's trains share one rate
//!    signal (5 Hz background plus rectified, low-pass filtered white noise, τ = 50 ms, peaks
//!    ≈ 500 Hz; 5 ms input refractoriness). Excitatory weights are tuned to channel 5, inhibitory
//!    weights start flat, and iSTDP (η = 1e-3 ḡ_I, α = 0.25, ρ0 = 6.25 Hz) acts on the inhibitory
//!    synapses. Each channel drives its own pair of receptors (`e0..e7`, `i0..i7`) of the neuron,
//!    so the per-channel currents are read from the conductances by name.
//! 2. **Recurrent memory network** (Fig. 4; docs/models/vogels2011.md, recurrent network and
//!    memory-pattern protocol): 8000 E + 2000 I conductance LIF neurons, p = 0.02,
//!    ḡ_EE = ḡ_EI = 3 nS, ḡ_II = 30 nS, I→E plastic with ρ0 = 3 Hz, 200 pA background current.
//!    Protocol: a short run without plasticity, then I→E = 0 and iSTDP on until the rates return
//!    to ρ0, then two assemblies with ×5 E→E weights, iSTDP again, and recall by a Poisson cue to
//!    25 % of one assembly.
//!
//! The weight edits in the middle of a run (I→E = 0, E→E × 5) are made between two chunks of
//! steps, with `Network::weights_mut`.

use engram_analysis::correlation::pearson_correlation;
use engram_analysis::isi::isi_cv_per_neuron;
use engram_analysis::rates::binned_rates_hz;
use engram_connectivity::{ConnectSpec, Rule};
use engram_core::error::EngramError;
use engram_core::monitor::{Monitor, NetworkView};
use engram_core::neuron::{SpikeSource, StepContext};
use engram_core::params::Params;
use engram_core::rng::{RngStream, component_id, stream};
use engram_neurons::{ConductanceReceptor, LifCond, LifCondParams, MembraneIntegrator};
use engram_plasticity::{InhibitoryStdp, InhibitoryStdpParams};
use engram_sim::{Delay, NetworkBuilder};
use engram_stimuli::{
    CurrentInjection, CurrentInjectionParams, PoissonInput, PoissonInputParams, RateSegment, RateSpec, Targets,
};
use rand::Rng;
use serde::Serialize;

// ---------------------------------------------------------------------------------------------
// Shared helpers
// ---------------------------------------------------------------------------------------------

fn mean(v: &[f64]) -> f64 {
    if v.is_empty() { f64::NAN } else { v.iter().sum::<f64>() / v.len() as f64 }
}

fn cpu_s() -> f64 {
    crate::cputime::process_cpu_s().unwrap_or(f64::NAN)
}

// ---------------------------------------------------------------------------------------------
// Part 1: detailed balance in a single neuron
// ---------------------------------------------------------------------------------------------

/// Parameters of the single-neuron experiment (defaults: `inhib_plasticity.m`).
#[derive(Clone, Debug, Serialize)]
pub struct SingleCellConfig {
    /// Number of consecutive runs (the reference: 100).
    pub n_runs: usize,
    /// Duration of one run, ms (1500).
    pub run_ms: f64,
    /// Signal channels (8).
    pub n_channels: usize,
    /// Excitatory trains per channel (100).
    pub exc_per_channel: usize,
    /// Inhibitory trains per channel (25).
    pub inh_per_channel: usize,
    /// Excitatory weight unit ḡ_E, nS (0.014 g_leak = 0.14 nS).
    pub g_bar_exc_ns: f64,
    /// Inhibitory weight unit ḡ_I, nS (0.035 g_leak = 0.35 nS).
    pub g_bar_inh_ns: f64,
    /// Initial inhibitory weight in units of ḡ_I (0.1).
    pub w_inh_initial: f64,
    /// Learning rate in units of ḡ_I (1e-3).
    pub eta: f64,
    /// Target rate ρ0 = 0.25 / (2 τ_STDP) = 6.25 Hz.
    pub rho0_hz: f64,
    /// Input background rate, Hz (5).
    pub background_hz: f64,
    /// Peak input rate scale, Hz (500; divided by the normaliser 0.03 of the filtered noise).
    pub max_rate_hz: f64,
    /// Time constant of the filtered noise, ms (50).
    pub noise_tau_ms: f64,
    /// Refractoriness of the input trains, ms (5).
    pub input_refractory_ms: f64,
    /// Integration step, ms (0.1).
    pub dt_ms: f64,
}

impl Default for SingleCellConfig {
    fn default() -> Self {
        Self {
            n_runs: 100,
            run_ms: 1500.0,
            n_channels: 8,
            exc_per_channel: 100,
            inh_per_channel: 25,
            g_bar_exc_ns: 0.14,
            g_bar_inh_ns: 0.35,
            w_inh_initial: 0.1,
            eta: 1e-3,
            rho0_hz: 6.25,
            background_hz: 5.0,
            max_rate_hz: 500.0,
            noise_tau_ms: 50.0,
            input_refractory_ms: 5.0,
            dt_ms: 0.1,
        }
    }
}

/// The input trains of one channel: `n_exc` excitatory then `n_inh` inhibitory trains sharing
/// one rate signal, with the reference's input refractoriness.
struct ChannelSource {
    n_exc: usize,
    n_inh: usize,
    rng: RngStream,
    filtered: f64,
    decay: f64,
    background_p: f64,
    max_p: f64,
    refractory: Vec<u32>,
    n_refractory: u32,
}

impl ChannelSource {
    fn new(cfg: &SingleCellConfig, seed: u64, channel: usize) -> Self {
        let dt_s = cfg.dt_ms / 1000.0;
        Self {
            n_exc: cfg.exc_per_channel,
            n_inh: cfg.inh_per_channel,
            rng: stream(seed, component_id("vogels2011:channel"), channel as u64),
            filtered: 0.0,
            decay: (-cfg.dt_ms / cfg.noise_tau_ms).exp(),
            background_p: cfg.background_hz * dt_s,
            max_p: cfg.max_rate_hz * dt_s / 0.03,
            refractory: vec![0; cfg.exc_per_channel + cfg.inh_per_channel],
            n_refractory: (cfg.input_refractory_ms / cfg.dt_ms).round() as u32,
        }
    }
}

impl SpikeSource for ChannelSource {
    fn kind(&self) -> &str {
        "vogels2011_channel"
    }
    fn len(&self) -> usize {
        self.n_exc + self.n_inh
    }
    fn emit(&mut self, _ctx: &StepContext, spikes: &mut Vec<u32>) {
        // inhib_plasticity.m: re = rand − 0.5; F ← re − (re − F) e^{−dt/τ};
        // p = 5 Hz dt + max(0, 500 Hz dt · F) / 0.03
        let re = self.rng.r#gen::<f64>() - 0.5;
        self.filtered = re - (re - self.filtered) * self.decay;
        let p = self.background_p + (self.max_p * self.filtered).max(0.0);
        for (i, r) in self.refractory.iter_mut().enumerate() {
            if *r > 0 {
                *r -= 1;
            } else if self.rng.r#gen::<f64>() < p {
                spikes.push(i as u32);
                *r = self.n_refractory;
            }
        }
    }
}

/// What the single-neuron monitor keeps per run.
#[derive(Clone, Debug, Default, Serialize)]
pub struct RunRecord {
    /// Output spikes.
    pub spikes: u64,
    /// Mean excitatory current per channel, pA (positive = depolarising).
    pub exc_pa: Vec<f64>,
    /// Mean inhibitory current per channel plus 1/8 of the leak current, pA (as in the
    /// reference code's tuning plot).
    pub inh_pa: Vec<f64>,
    /// Pearson correlation over time (every step) of the total E and total I currents.
    pub temporal_corr: f64,
    /// Mean net synaptic + leak current, pA.
    pub mean_net_pa: f64,
}

/// Records per-channel currents of the neuron `cell` per run, and current/voltage traces
/// (every 1 ms) of selected runs.
struct ChannelMonitor {
    n_channels: usize,
    steps_per_run: u64,
    trace_runs: Vec<usize>,
    pop: usize,
    names_e: Vec<String>,
    names_i: Vec<String>,
    e_rev_e: f64,
    e_rev_i: f64,
    g_l: f64,
    e_l: f64,
    acc_e: Vec<f64>,
    acc_i: Vec<f64>,
    acc_leak: f64,
    sums: [f64; 5],
    n: u64,
    spikes: u64,
    runs: Vec<RunRecord>,
    /// (run, t within run ms, I_E total pA (negative), I_I total pA, V mV)
    traces: Vec<(usize, f64, f64, f64, f64)>,
}

impl Monitor for ChannelMonitor {
    fn bind(&mut self, net: &dyn NetworkView) -> Result<(), EngramError> {
        self.pop = net.population("cell").ok_or_else(|| EngramError::Other("no population `cell`".into()))?;
        Ok(())
    }

    fn observe(&mut self, ctx: &StepContext, net: &dyn NetworkView) -> Result<(), EngramError> {
        let v = net.state(self.pop, "v_mv").expect("v_mv")[0];
        let (mut tot_e, mut tot_i) = (0.0, 0.0);
        for k in 0..self.n_channels {
            let ge = net.state(self.pop, &self.names_e[k]).expect("g_e")[0];
            let gi = net.state(self.pop, &self.names_i[k]).expect("g_i")[0];
            let ie = ge * (v - self.e_rev_e);
            let ii = gi * (v - self.e_rev_i);
            self.acc_e[k] += ie;
            self.acc_i[k] += ii;
            tot_e += ie;
            tot_i += ii;
        }
        let leak = self.g_l * (v - self.e_l);
        self.acc_leak += leak;
        let (x, y) = (-tot_e, tot_i);
        self.sums[0] += x;
        self.sums[1] += y;
        self.sums[2] += x * x;
        self.sums[3] += y * y;
        self.sums[4] += x * y;
        self.n += 1;
        self.spikes += net.spikes(self.pop).len() as u64;
        let run = (ctx.step / self.steps_per_run) as usize;
        let in_run = ctx.step % self.steps_per_run;
        if in_run % 10 == 0 && self.trace_runs.contains(&run) {
            self.traces.push((run, in_run as f64 * ctx.dt_ms, tot_e, tot_i, v));
        }
        if in_run + 1 == self.steps_per_run {
            let n = self.n as f64;
            let leak_share = self.acc_leak / n / self.n_channels as f64;
            let [sx, sy, sxx, syy, sxy] = self.sums;
            let cov = sxy / n - sx * sy / n / n;
            let vx = sxx / n - sx * sx / n / n;
            let vy = syy / n - sy * sy / n / n;
            self.runs.push(RunRecord {
                spikes: self.spikes,
                exc_pa: self.acc_e.iter().map(|s| -s / n).collect(),
                inh_pa: self.acc_i.iter().map(|s| s / n + leak_share).collect(),
                temporal_corr: if vx > 0.0 && vy > 0.0 { cov / (vx * vy).sqrt() } else { f64::NAN },
                mean_net_pa: (self.acc_e.iter().sum::<f64>() + self.acc_i.iter().sum::<f64>() + self.acc_leak) / n,
            });
            self.acc_e.fill(0.0);
            self.acc_i.fill(0.0);
            self.acc_leak = 0.0;
            self.sums = [0.0; 5];
            self.n = 0;
            self.spikes = 0;
        }
        Ok(())
    }

    fn as_any(&self) -> Option<&dyn std::any::Any> {
        Some(self)
    }
}

/// Results of the single-neuron experiment.
#[derive(Clone, Debug, Serialize)]
pub struct SingleCellResult {
    /// The configuration.
    pub config: SingleCellConfig,
    /// Per run: output rate, Hz.
    pub rate_hz: Vec<f64>,
    /// Per run: Pearson correlation across channels of the mean E and I currents (co-tuning).
    pub cotuning_corr: Vec<f64>,
    /// Per run: the full record.
    pub runs: Vec<RunRecord>,
    /// Per run (after it): mean inhibitory weight per channel, pS.
    pub inh_weight_ps: Vec<Vec<f64>>,
    /// Excitatory weight per channel (mean), pS.
    pub exc_weight_ps: Vec<f64>,
    /// Traces of the first and last run: (run, t ms, I_E pA, I_I pA, V mV).
    pub traces: Vec<(usize, f64, f64, f64, f64)>,
    /// CPU seconds of the simulation.
    pub cpu_s: f64,
}

/// Build and run the single-neuron experiment.
pub fn run_single_cell(cfg: &SingleCellConfig, seed: u64) -> Result<SingleCellResult, EngramError> {
    let cpu0 = cpu_s();
    let nc = cfg.n_channels;
    let mut b = NetworkBuilder::new(cfg.dt_ms, seed)?;
    // The unbalanced start (before iSTDP) fires at up to 200 Hz by design, above the default
    // ceiling of 0.5 / t_ref = 100 Hz: only a true runaway, above 500 Hz, is an error.
    b.divergence_guard(engram_sim::DivergenceGuard { max_rate_hz: Some(500.0), ..Default::default() });
    let mut receptors = Vec::new();
    for k in 0..nc {
        receptors.push(ConductanceReceptor::new(&format!("e{k}"), 0.0, 5.0));
    }
    for k in 0..nc {
        receptors.push(ConductanceReceptor::new(&format!("i{k}"), -80.0, 10.0));
    }
    let neuron = LifCondParams { receptors, integrator: MembraneIntegrator::ExpEuler, ..LifCondParams::coba() };
    let (g_l, e_l) = (neuron.g_l_ns, neuron.e_l_mv);
    b.add_population("cell", LifCond::new(1, neuron.check()?))?;
    let mut wrng = stream(seed, component_id("vogels2011:exc_weights"), 0);
    let (ne, ni) = (cfg.exc_per_channel, cfg.inh_per_channel);
    let rule = InhibitoryStdpParams {
        eta: cfg.eta * cfg.g_bar_inh_ns,
        target_rate_hz: cfg.rho0_hz,
        w_min: 0.0,
        w_max: 1e3,
        ..InhibitoryStdpParams::default()
    }
    .check()?;
    let mut inh_proj = Vec::new();
    let mut exc_weight_ps = Vec::new();
    for k in 0..nc {
        let name = format!("ch{k}");
        b.add_source(&name, ChannelSource::new(cfg, seed, k))?;
        // E weights tuned to channel 5 (1-based group), as in inhib_plasticity.m
        let group = (k + 1) as f64;
        let we: Vec<f64> = (0..ne)
            .map(|_| cfg.g_bar_exc_ns * (0.3 + 1.1 / (1.0 + (group - 5.0).powi(4)) + 0.1 * wrng.r#gen::<f64>()))
            .collect();
        exc_weight_ps.push(mean(&we) * 1000.0);
        let mut data = we;
        data.extend(std::iter::repeat_n(0.0, ni));
        // one column: E rows carry weights on receptor e_k; I rows on i_k (separate matrices)
        let e_mat = column(ne + ni, (0..ne).collect(), data[..ne].to_vec());
        b.connect(&name, "cell", &format!("e{k}"), e_mat, Delay::Steps(1))?;
        let i_mat = column(ne + ni, (ne..ne + ni).collect(), vec![cfg.w_inh_initial * cfg.g_bar_inh_ns; ni]);
        let p = b.connect(&name, "cell", &format!("i{k}"), i_mat, Delay::Steps(1))?;
        b.add_plasticity(p, InhibitoryStdp::new(rule.clone(), ne + ni, 1));
        inh_proj.push(p);
    }
    let steps_per_run = (cfg.run_ms / cfg.dt_ms).round() as u64;
    let mon = b.add_monitor(ChannelMonitor {
        n_channels: nc,
        steps_per_run,
        trace_runs: vec![0, cfg.n_runs - 1],
        pop: 0,
        names_e: (0..nc).map(|k| format!("g_e{k}_ns")).collect(),
        names_i: (0..nc).map(|k| format!("g_i{k}_ns")).collect(),
        e_rev_e: 0.0,
        e_rev_i: -80.0,
        g_l,
        e_l,
        acc_e: vec![0.0; nc],
        acc_i: vec![0.0; nc],
        acc_leak: 0.0,
        sums: [0.0; 5],
        n: 0,
        spikes: 0,
        runs: Vec::new(),
        traces: Vec::new(),
    });
    let mut net = b.build()?;
    let mut inh_weight_ps = Vec::new();
    for _ in 0..cfg.n_runs {
        net.run_steps(steps_per_run)?;
        inh_weight_ps.push(inh_proj.iter().map(|&p| mean(net.weights(p).data()) * 1000.0).collect());
    }
    let m = net.monitor::<ChannelMonitor>(mon).expect("channel monitor");
    let runs = m.runs.clone();
    let rate_hz = runs.iter().map(|r| r.spikes as f64 / (cfg.run_ms / 1000.0)).collect();
    let cotuning_corr = runs.iter().map(|r| pearson_correlation(&r.exc_pa, &r.inh_pa).unwrap_or(f64::NAN)).collect();
    Ok(SingleCellResult {
        config: cfg.clone(),
        rate_hz,
        cotuning_corr,
        runs,
        inh_weight_ps,
        exc_weight_ps,
        traces: m.traces.clone(),
        cpu_s: cpu_s() - cpu0,
    })
}

/// Mean E and I tuning curves over `runs`.
pub fn mean_tuning(runs: &[RunRecord]) -> (Vec<f64>, Vec<f64>) {
    let nc = runs[0].exc_pa.len();
    let e = (0..nc).map(|k| mean(&runs.iter().map(|r| r.exc_pa[k]).collect::<Vec<_>>())).collect();
    let i = (0..nc).map(|k| mean(&runs.iter().map(|r| r.inh_pa[k]).collect::<Vec<_>>())).collect();
    (e, i)
}

/// An `n_pre × 1` CSR matrix with entries at `rows`.
fn column(n_pre: usize, rows: Vec<usize>, w: Vec<f64>) -> sprs::CsMatI<f64, u32, usize> {
    let mut tri = sprs::TriMatI::<f64, u32>::new((n_pre, 1));
    for (r, x) in rows.into_iter().zip(w) {
        tri.add_triplet(r, 0, x);
    }
    tri.to_csr()
}

// ---------------------------------------------------------------------------------------------
// Part 2: recurrent network with memory patterns
// ---------------------------------------------------------------------------------------------

/// Parameters of the recurrent experiment (defaults: the full run).
#[derive(Clone, Debug, Serialize)]
pub struct RecurrentConfig {
    /// Excitatory neurons (8000).
    pub n_e: usize,
    /// Inhibitory neurons (2000).
    pub n_i: usize,
    /// Connection probability (0.02).
    pub p: f64,
    /// E→E and E→I weight, nS (3).
    pub w_exc_ns: f64,
    /// I→I weight, nS (30).
    pub w_ii_ns: f64,
    /// Initial I→E weight, nS (30).
    pub w_ie_initial_ns: f64,
    /// Background current, pA (200).
    pub bg_current_pa: f64,
    /// Synaptic delay, ms (0.8, Auryn).
    pub delay_ms: f64,
    /// iSTDP learning rate, nS per unit trace (reference 0.01 nS).
    pub eta_ns: f64,
    /// iSTDP upper bound, nS (300).
    pub w_max_ns: f64,
    /// Target rate, Hz (3).
    pub rho0_hz: f64,
    /// Neurons per pattern (784 = 720 own + 64 shared).
    pub pattern_size: usize,
    /// Neurons shared by the two patterns (64).
    pub pattern_overlap: usize,
    /// Cue subset of pattern 1 (196 = 25 %).
    pub cue_size: usize,
    /// E→E factor within patterns (5).
    pub pattern_factor: f64,
    /// Cue: Poisson inputs per cued neuron (1000 × p 0.05 = 50), rate Hz (100), weight nS (3).
    pub cue_inputs: u32,
    /// Cue rate, Hz.
    pub cue_rate_hz: f64,
    /// Cue weight, nS.
    pub cue_weight_ns: f64,
    /// Phase durations, ms: without plasticity, learning from I→E = 0, memory consolidation,
    /// and each of the three recall segments (before, cue, after).
    pub t_pre_ms: f64,
    /// Learning phase (A+B).
    pub t_learn_ms: f64,
    /// Phase D (after imprinting patterns).
    pub t_memory_ms: f64,
    /// Recall segment length.
    pub t_recall_ms: f64,
    /// Statistics window at the end of phases B and D, ms.
    pub stats_window_ms: f64,
    /// Bookkeeping chunk, ms.
    pub chunk_ms: f64,
    /// Integration step, ms.
    pub dt_ms: f64,
}

impl Default for RecurrentConfig {
    fn default() -> Self {
        Self {
            n_e: 8000,
            n_i: 2000,
            p: 0.02,
            w_exc_ns: 3.0,
            w_ii_ns: 30.0,
            w_ie_initial_ns: 30.0,
            bg_current_pa: 200.0,
            delay_ms: 0.8,
            eta_ns: 0.2,
            w_max_ns: 300.0,
            rho0_hz: 3.0,
            pattern_size: 784,
            pattern_overlap: 64,
            cue_size: 196,
            pattern_factor: 5.0,
            cue_inputs: 50,
            cue_rate_hz: 100.0,
            cue_weight_ns: 3.0,
            t_pre_ms: 2000.0,
            t_learn_ms: 150_000.0,
            t_memory_ms: 100_000.0,
            t_recall_ms: 1000.0,
            stats_window_ms: 5000.0,
            chunk_ms: 500.0,
            dt_ms: 0.1,
        }
    }
}

impl RecurrentConfig {
    /// The quick version: same network, shorter phases, larger η.
    pub fn quick() -> Self {
        Self { eta_ns: 0.5, t_learn_ms: 15_000.0, t_memory_ms: 15_000.0, stats_window_ms: 3000.0, ..Self::default() }
    }

    /// A test-only size that runs the whole pipeline in seconds: a quarter of the network (each
    /// neuron keeps its 160 E and 40 I inputs) and phases of 1–2 s. Its numbers mean nothing.
    pub fn tiny() -> Self {
        Self {
            n_e: 2000,
            n_i: 500,
            p: 0.08,
            pattern_size: 196,
            pattern_overlap: 16,
            cue_size: 49,
            t_pre_ms: 1000.0,
            t_learn_ms: 2000.0,
            t_memory_ms: 2000.0,
            t_recall_ms: 500.0,
            stats_window_ms: 500.0,
            chunk_ms: 250.0,
            ..Self::quick()
        }
    }

    /// The E neuron groups of the memory-pattern protocol: patterns 1 and 2 (overlapping by
    /// `pattern_overlap`), the control group after them, and the cue (the first `cue_size`
    /// neurons of pattern 1).
    pub fn groups(&self) -> Groups {
        let p1 = 0..self.pattern_size;
        let s2 = self.pattern_size - self.pattern_overlap;
        let p2 = s2..s2 + self.pattern_size;
        let ctrl = p2.end..p2.end + self.pattern_size;
        Groups { p1, p2, ctrl, cue: 0..self.cue_size, n_e: self.n_e }
    }
}

/// The E neuron groups of the recurrent experiment ([`RecurrentConfig::groups`]); the
/// background is every E neuron after the control group.
#[derive(Clone, Debug)]
pub struct Groups {
    /// Pattern 1.
    pub p1: std::ops::Range<usize>,
    /// Pattern 2 (its first `pattern_overlap` neurons are the last of pattern 1).
    pub p2: std::ops::Range<usize>,
    /// The control group, of the size of a pattern.
    pub ctrl: std::ops::Range<usize>,
    /// The cued part of pattern 1.
    pub cue: std::ops::Range<usize>,
    /// All E neurons.
    pub n_e: usize,
}

impl Groups {
    /// Disjoint display/analysis groups: cue, rest of P1 (no overlap), overlap, P2 only,
    /// control, background.
    fn named(&self) -> Vec<(&'static str, Vec<usize>)> {
        let ov = self.p2.start..self.p1.end;
        vec![
            ("cue", self.cue.clone().collect()),
            ("P1 rest", (self.cue.end..ov.start).collect()),
            ("P2", (self.p1.end..self.p2.end).collect()),
            ("control", self.ctrl.clone().collect()),
            ("background", (self.ctrl.end..self.n_e).collect()),
        ]
    }
}

/// Records spikes of E and I in step windows.
struct WindowSpikes {
    windows: Vec<(u64, u64)>,
    pops: [usize; 2],
    /// Per window, per population: (times ms, neurons).
    data: Vec<[(Vec<f64>, Vec<u32>); 2]>,
}

impl Monitor for WindowSpikes {
    fn bind(&mut self, net: &dyn NetworkView) -> Result<(), EngramError> {
        self.pops = [net.population("E").expect("E"), net.population("I").expect("I")];
        self.data = self.windows.iter().map(|_| Default::default()).collect();
        Ok(())
    }
    fn observe(&mut self, ctx: &StepContext, net: &dyn NetworkView) -> Result<(), EngramError> {
        for (w, &(a, b)) in self.windows.iter().enumerate() {
            if ctx.step >= a && ctx.step < b {
                let t = ctx.step as f64 * ctx.dt_ms;
                for (k, &p) in self.pops.iter().enumerate() {
                    for &i in net.spikes(p) {
                        self.data[w][k].0.push(t);
                        self.data[w][k].1.push(i);
                    }
                }
            }
        }
        Ok(())
    }
    fn as_any(&self) -> Option<&dyn std::any::Any> {
        Some(self)
    }
}

/// One bookkeeping chunk of the recurrent run.
#[derive(Clone, Debug, Serialize)]
pub struct Chunk {
    /// End time, s.
    pub t_s: f64,
    /// Mean E and I rates, Hz.
    pub rate_e_hz: f64,
    /// Mean I rate, Hz.
    pub rate_i_hz: f64,
    /// Rates of the groups (cue, P1 rest, P2, control, background), Hz.
    pub group_rates_hz: Vec<f64>,
    /// Mean I→E weight onto each group, nS.
    pub group_w_ie_ns: Vec<f64>,
}

/// Statistics of a window of the recurrent run.
#[derive(Clone, Debug, Serialize)]
pub struct WindowStats {
    /// Label.
    pub label: String,
    /// Start and end, s.
    pub t0_s: f64,
    /// End, s.
    pub t1_s: f64,
    /// Mean E and I rates, Hz.
    pub rate_e_hz: f64,
    /// I rate.
    pub rate_i_hz: f64,
    /// Mean ISI CV of E neurons with ≥ 3 spikes (and how many).
    pub isi_cv: f64,
    /// Neurons with a CV.
    pub n_cv: usize,
    /// Mean pairwise spike-count correlation (100 ms bins) of 300 E neurons.
    pub count_corr: f64,
    /// Mean Fano factor of E spike counts (100 ms bins).
    pub fano: f64,
    /// Group rates (cue, P1 rest, P2, control, background), Hz.
    pub group_rates_hz: Vec<f64>,
    /// ISI CVs (for histograms).
    #[serde(skip)]
    pub cvs: Vec<f64>,
    /// Pairwise correlations (for histograms).
    #[serde(skip)]
    pub corrs: Vec<f64>,
}

/// Results of the recurrent experiment.
#[derive(Clone, Debug, Serialize)]
pub struct RecurrentResult {
    /// The configuration.
    pub config: RecurrentConfig,
    /// Bookkeeping chunks.
    pub chunks: Vec<Chunk>,
    /// Window statistics.
    pub windows: Vec<WindowStats>,
    /// Recall: group rates in 50 ms bins over the three recall segments.
    #[serde(skip)]
    pub recall_bins: Vec<(f64, Vec<f64>)>,
    /// Spikes of the windows (times relative to the window start), for rasters.
    #[serde(skip)]
    pub raster: Vec<(String, f64, Vec<f64>, Vec<u32>)>,
    /// Synapses.
    pub n_synapses: usize,
    /// CPU seconds.
    pub cpu_s: f64,
    /// Wall seconds.
    pub wall_s: f64,
}

fn group_rates(counts: &[u32], prev: &[u32], groups: &[(&str, Vec<usize>)], seconds: f64) -> Vec<f64> {
    groups
        .iter()
        .map(|(_, idx)| {
            idx.iter().map(|&i| (counts[i] - prev[i]) as f64).sum::<f64>() / idx.len().max(1) as f64 / seconds
        })
        .collect()
}

fn window_stats(
    label: &str,
    t0_ms: f64,
    t1_ms: f64,
    e: &(Vec<f64>, Vec<u32>),
    i: &(Vec<f64>, Vec<u32>),
    cfg: &RecurrentConfig,
    groups: &[(&str, Vec<usize>)],
) -> Result<WindowStats, EngramError> {
    let secs = (t1_ms - t0_ms) / 1000.0;
    let an = |e: engram_analysis::AnalysisError| EngramError::Other(format!("analysis: {e}"));
    let cvs: Vec<f64> = isi_cv_per_neuron(&e.0, &e.1, cfg.n_e).map_err(an)?.into_iter().flatten().collect();
    let mut counts = vec![0u32; cfg.n_e];
    for &n in &e.1 {
        counts[n as usize] += 1;
    }
    let zeros = vec![0u32; cfg.n_e];
    let group_rates_hz = group_rates(&counts, &zeros, groups, secs);
    // counts in 100 ms bins: pairwise correlation among 300 background neurons, Fano factor
    let bins = binned_rates_hz(&e.0, &e.1, cfg.n_e, t0_ms, t1_ms, 100.0).map_err(an)?;
    let sample: Vec<usize> = (0..300).map(|k| cfg.n_e - 1 - k * ((cfg.n_e / 2) / 300)).collect();
    let mut corrs = Vec::new();
    for a in 0..sample.len() {
        for b in a + 1..sample.len() {
            let (x, y) = (bins.row(sample[a]), bins.row(sample[b]));
            if let Some(r) = pearson_correlation(x.as_slice().expect("contiguous"), y.as_slice().expect("contiguous")) {
                corrs.push(r);
            }
        }
    }
    let mut fanos = Vec::new();
    for row in bins.rows() {
        let c: Vec<f64> = row.iter().map(|r| r * 0.1).collect();
        let m = mean(&c);
        if m > 0.0 {
            let var = c.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (c.len() as f64 - 1.0);
            fanos.push(var / m);
        }
    }
    Ok(WindowStats {
        label: label.into(),
        t0_s: t0_ms / 1000.0,
        t1_s: t1_ms / 1000.0,
        rate_e_hz: e.0.len() as f64 / cfg.n_e as f64 / secs,
        rate_i_hz: i.0.len() as f64 / cfg.n_i as f64 / secs,
        isi_cv: mean(&cvs),
        n_cv: cvs.len(),
        count_corr: mean(&corrs),
        fano: mean(&fanos),
        group_rates_hz,
        cvs,
        corrs,
    })
}

/// Build and run the recurrent experiment.
pub fn run_recurrent(cfg: &RecurrentConfig, seed: u64, progress: bool) -> Result<RecurrentResult, EngramError> {
    let (cpu0, wall0) = (cpu_s(), std::time::Instant::now());
    let dt = cfg.dt_ms;
    let steps = |ms: f64| (ms / dt).round() as u64;
    // timeline (ms)
    let t_a = cfg.t_pre_ms;
    let t_c = t_a + cfg.t_learn_ms;
    let t_r = t_c + cfg.t_memory_ms;
    let t_cue0 = t_r + cfg.t_recall_ms;
    let t_cue1 = t_cue0 + cfg.t_recall_ms;
    let t_end = t_cue1 + cfg.t_recall_ms;
    let sw = cfg.stats_window_ms;
    let windows_ms: Vec<(&str, f64, f64)> = vec![
        ("pre (no iSTDP, I->E = 30 nS)", t_a - 1000.0, t_a),
        ("A: I->E = 0, iSTDP on", t_a, t_a + 1000.0),
        ("B: end of learning", t_c - sw, t_c),
        ("C: patterns x5", t_c, t_c + 1000.0),
        ("D: end of consolidation", t_r - sw, t_r),
        ("E: recall", t_r, t_end),
    ];

    let groups = cfg.groups();
    let named = groups.named();
    let mut b = NetworkBuilder::new(dt, seed)?;
    // The unbalanced start (before iSTDP) fires at up to 200 Hz by design, above the default
    // ceiling of 0.5 / t_ref = 100 Hz: only a true runaway, above 500 Hz, is an error.
    b.divergence_guard(engram_sim::DivergenceGuard { max_rate_hz: Some(500.0), ..Default::default() });
    b.parallel_min_neurons(1);
    let neuron = LifCondParams { integrator: MembraneIntegrator::ExpEuler, ..LifCondParams::coba() }.check()?;
    for (name, n) in [("E", cfg.n_e), ("I", cfg.n_i)] {
        let mut pop = LifCond::new(n, neuron.clone());
        let mut rng = stream(seed, component_id(&format!("vogels2011:v0:{name}")), 0);
        if let Some(v) = engram_core::neuron::NeuronModel::state_mut(&mut pop, "v_mv") {
            v.iter_mut().for_each(|x| *x = -60.0 + 10.0 * rng.r#gen::<f64>());
        }
        b.add_population(name, pop)?;
        let bg = CurrentInjectionParams { bias_pa: cfg.bg_current_pa, ..Default::default() }.check()?;
        b.add_stimulus(name, CurrentInjection::new(bg, n, b.clock())?)?;
    }
    let spec = ConnectSpec::new(Rule::FixedProbability { p: cfg.p });
    let delay = Delay::Ms(cfg.delay_ms);
    let conn = |pre: &str, post: &str, n_pre: usize, n_post: usize| {
        spec.connect_populations(n_pre, n_post, pre == post, seed, component_id(&format!("vogels2011:{pre}->{post}")))
    };
    let ee = b.connect("E", "E", "exc", conn("E", "E", cfg.n_e, cfg.n_e)?.weights(cfg.w_exc_ns), delay.clone())?;
    b.connect("E", "I", "exc", conn("E", "I", cfg.n_e, cfg.n_i)?.weights(cfg.w_exc_ns), delay.clone())?;
    b.connect("I", "I", "inh", conn("I", "I", cfg.n_i, cfg.n_i)?.weights(cfg.w_ii_ns), delay.clone())?;
    let ie = b.connect("I", "E", "inh", conn("I", "E", cfg.n_i, cfg.n_e)?.weights(cfg.w_ie_initial_ns), delay)?;
    let rule = InhibitoryStdpParams {
        eta: cfg.eta_ns,
        target_rate_hz: cfg.rho0_hz,
        w_min: 0.0,
        w_max: cfg.w_max_ns,
        gate_threshold: Some(0.5),
        ..InhibitoryStdpParams::default()
    }
    .check()?;
    b.add_plasticity(ie, InhibitoryStdp::new(rule, cfg.n_i, cfg.n_e));
    // recall cue
    let cue = PoissonInputParams {
        receptor: "exc".into(),
        n_inputs: cfg.cue_inputs,
        rate: RateSpec::Piecewise {
            segments: vec![
                RateSegment { start_ms: 0.0, rates_hz: vec![0.0] },
                RateSegment { start_ms: t_cue0, rates_hz: vec![cfg.cue_rate_hz] },
                RateSegment { start_ms: t_cue1, rates_hz: vec![0.0] },
            ],
        },
        weight: cfg.cue_weight_ns,
        targets: Targets::Indices(groups.cue.clone().map(|i| i as u32).collect()),
    }
    .check()?;
    b.add_stimulus("E", PoissonInput::new(cue, cfg.n_e, seed, component_id("vogels2011:cue"), b.clock())?)?;
    let mon = b.add_monitor(WindowSpikes {
        windows: windows_ms.iter().map(|w| (steps(w.1), steps(w.2))).collect(),
        pops: [0, 0],
        data: Vec::new(),
    });
    let mut net = b.build()?;
    let n_synapses = net.n_synapses();

    let chunk_steps = steps(cfg.chunk_ms);
    let n_chunks = steps(t_end).div_ceil(chunk_steps);
    let mut chunks = Vec::new();
    let mut prev_e = vec![0u32; cfg.n_e];
    let mut prev_i_total: u64 = 0;
    let bar = engram_sim::progress::Progress::new(
        "vogels2011 recurrent",
        n_chunks,
        "chunks",
        engram_sim::progress::Every::Tenth,
        progress,
    );
    let p1_mask: Vec<bool> = (0..cfg.n_e).map(|i| groups.p1.contains(&i)).collect();
    let p2_mask: Vec<bool> = (0..cfg.n_e).map(|i| groups.p2.contains(&i)).collect();
    for c in 0..n_chunks {
        let step0 = c * chunk_steps;
        if step0 == steps(t_a) {
            net.weights_mut(ie).data_mut().fill(0.0);
            net.set_modulator(1.0);
        }
        if step0 == steps(t_c) {
            let (m1, m2, f) = (&p1_mask, &p2_mask, cfg.pattern_factor);
            for (i, mut row) in net.weights_mut(ee).outer_iterator_mut().enumerate() {
                for (j, w) in row.iter_mut() {
                    if (m1[i] && m1[j]) || (m2[i] && m2[j]) {
                        *w *= f;
                    }
                }
            }
        }
        let n = chunk_steps.min(steps(t_end) - step0);
        net.run_steps(n)?;
        let secs = n as f64 * dt / 1000.0;
        let counts_e = net.spike_counts("E")?.to_vec();
        let i_total: u64 = net.spike_counts("I")?.iter().map(|&c| c as u64).sum();
        let e_spikes: u64 = counts_e.iter().zip(&prev_e).map(|(a, b)| (a - b) as u64).sum();
        // mean I→E weight onto each group
        let w = net.weights(ie);
        let mut sum = vec![0.0f64; cfg.n_e];
        let mut cnt = vec![0u32; cfg.n_e];
        for (&x, &j) in w.data().iter().zip(w.indices()) {
            sum[j as usize] += x;
            cnt[j as usize] += 1;
        }
        let group_w_ie_ns = named
            .iter()
            .map(|(_, idx)| {
                let s: f64 = idx.iter().map(|&i| sum[i]).sum();
                let n: u32 = idx.iter().map(|&i| cnt[i]).sum();
                s / n.max(1) as f64
            })
            .collect();
        chunks.push(Chunk {
            t_s: net.time_ms() / 1000.0,
            rate_e_hz: e_spikes as f64 / cfg.n_e as f64 / secs,
            rate_i_hz: (i_total - prev_i_total) as f64 / cfg.n_i as f64 / secs,
            group_rates_hz: group_rates(&counts_e, &prev_e, &named, secs),
            group_w_ie_ns,
        });
        prev_e = counts_e;
        prev_i_total = i_total;
        bar.set_message(&format!(
            "{:.0} s simulated, E {:.1} Hz",
            net.time_ms() / 1000.0,
            chunks.last().map_or(0.0, |c| c.rate_e_hz)
        ));
        bar.inc(1);
    }
    bar.finish();
    net.finish_monitors()?;
    let m = net.monitor::<WindowSpikes>(mon).expect("window monitor");
    let mut windows = Vec::new();
    let mut raster = Vec::new();
    for (w, (label, t0, t1)) in windows_ms.iter().enumerate() {
        let [e, i] = &m.data[w];
        windows.push(window_stats(label, *t0, *t1, e, i, cfg, &named)?);
        // raster: the first second of the window (recall: all of it)
        let t_show = if w == 5 { t1 - t0 } else { 1000.0 };
        let keep: Vec<usize> = (0..e.0.len()).filter(|&k| e.0[k] < t0 + t_show).collect();
        raster.push((
            label.to_string(),
            t_show,
            keep.iter().map(|&k| e.0[k] - t0).collect(),
            keep.iter().map(|&k| e.1[k]).collect(),
        ));
    }
    // recall time course in 50 ms bins
    let [e, _] = &m.data[5];
    let (t0, t1) = (windows_ms[5].1, windows_ms[5].2);
    let nb = ((t1 - t0) / 50.0).round() as usize;
    let mut recall_bins: Vec<(f64, Vec<f64>)> =
        (0..nb).map(|b| (b as f64 * 50.0 + 25.0 - cfg.t_recall_ms, vec![0.0; named.len()])).collect();
    let mut group_of = vec![usize::MAX; cfg.n_e];
    for (g, (_, idx)) in named.iter().enumerate() {
        idx.iter().for_each(|&i| group_of[i] = g);
    }
    for (&t, &n) in e.0.iter().zip(&e.1) {
        let bi = ((t - t0) / 50.0) as usize;
        let g = group_of[n as usize];
        if bi < nb && g != usize::MAX {
            recall_bins[bi].1[g] += 1.0;
        }
    }
    for (_, v) in recall_bins.iter_mut() {
        for (g, x) in v.iter_mut().enumerate() {
            *x /= named[g].1.len() as f64 * 0.05;
        }
    }
    Ok(RecurrentResult {
        config: cfg.clone(),
        chunks,
        windows,
        recall_bins,
        raster,
        n_synapses,
        cpu_s: cpu_s() - cpu0,
        wall_s: wall0.elapsed().as_secs_f64(),
    })
}
