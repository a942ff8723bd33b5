//! Part 1 of Vogels et al. 2011, detailed balance in a single neuron (paper Figs 1–2): the
//! channel inputs, the per-channel current monitor and [`run_single_cell`].

use engram_analysis::correlation::pearson_correlation;
use engram_core::error::EngramError;
use engram_core::monitor::{Monitor, NetworkView};
use engram_core::neuron::{SpikeSource, StepContext};
use engram_core::params::Params;
use engram_core::rng::{RngStream, component_id, stream};
use engram_neurons::{ConductanceReceptor, LifCond, LifCondParams, MembraneIntegrator};
use engram_plasticity::{InhibitoryStdp, InhibitoryStdpParams};
use engram_sim::{Delay, NetworkBuilder};
use rand::Rng;
use serde::Serialize;

use super::{cpu_s, mean};

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
