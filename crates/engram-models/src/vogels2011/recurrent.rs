//! Part 2 of Vogels et al. 2011, the recurrent network with memory patterns (paper Fig. 4):
//! configuration, E groups, the window statistics and [`run_recurrent`].

use engram_analysis::correlation::pearson_correlation;
use engram_analysis::isi::isi_cv_per_neuron;
use engram_analysis::rates::binned_rates_hz;
use engram_connectivity::{ConnectSpec, Rule};
use engram_core::error::{EngramError, ParamError};
use engram_core::monitor::{Monitor, NetworkView};
use engram_core::neuron::StepContext;
use engram_core::params::{Params, positive};
use engram_core::rng::{component_id, stream};
use engram_neurons::{LifCond, LifCondParams, MembraneIntegrator};
use engram_plasticity::{InhibitoryStdp, InhibitoryStdpParams};
use engram_sim::{Delay, MonitorId, Network, NetworkBuilder, ProjectionId};
use engram_stimuli::{
    CurrentInjection, CurrentInjectionParams, PoissonInput, PoissonInputParams, RateSegment, RateSpec, Targets,
};
use rand::Rng;
use serde::{Deserialize, Serialize};

use super::{cpu_s, mean};

/// Parameters of the recurrent experiment (defaults: the full run). In RON, as the named
/// model `Vogels2011(...)` of an experiment file (`experiments/vogels2011.ron`), every field
/// defaults to the value below.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
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
    let time = Timeline::of(cfg);
    check_chunk_boundaries(cfg, &time)?;
    let windows_ms = time.windows(cfg);
    let groups = cfg.groups();
    let named = groups.named();
    let Built { mut net, ee, ie, mon } = build_network(cfg, seed, &groups, &time, &windows_ms)?;
    let n_synapses = net.n_synapses();
    let chunks = run_chunks(&mut net, ee, ie, cfg, &groups, &time, progress)?;
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
    let recall_bins = recall_time_course(&m.data[5][0], windows_ms[5].1, windows_ms[5].2, cfg, &named);
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

/// The weight changes (I→E to zero at the end of `t_pre_ms`, patterns imprinted at the end of
/// `t_learn_ms`) happen between bookkeeping chunks, so both times must be whole numbers of
/// `chunk_ms`; otherwise the run would skip them.
fn check_chunk_boundaries(cfg: &RecurrentConfig, time: &Timeline) -> Result<(), ParamError> {
    positive("chunk_ms", cfg.chunk_ms)?;
    for (field, value, at) in [("t_pre_ms", cfg.t_pre_ms, time.t_a), ("t_learn_ms", cfg.t_learn_ms, time.t_c)] {
        let chunks = at / cfg.chunk_ms;
        if (chunks - chunks.round()).abs() > 1e-9 {
            return Err(ParamError::new(
                field,
                value,
                format!(
                    "a value that puts the switch at a whole number of chunk_ms = {} ms (it falls at {at} ms)",
                    cfg.chunk_ms
                ),
            ));
        }
    }
    Ok(())
}

/// The phase boundaries of the recurrent run, ms.
struct Timeline {
    /// I→E set to 0 and iSTDP on (end of the run without plasticity).
    t_a: f64,
    /// Patterns imprinted, E→E × `pattern_factor` (end of learning).
    t_c: f64,
    /// Recall starts (end of consolidation).
    t_r: f64,
    /// Cue on.
    t_cue0: f64,
    /// Cue off.
    t_cue1: f64,
    /// End of the run.
    t_end: f64,
}

impl Timeline {
    fn of(cfg: &RecurrentConfig) -> Self {
        let t_a = cfg.t_pre_ms;
        let t_c = t_a + cfg.t_learn_ms;
        let t_r = t_c + cfg.t_memory_ms;
        let t_cue0 = t_r + cfg.t_recall_ms;
        let t_cue1 = t_cue0 + cfg.t_recall_ms;
        let t_end = t_cue1 + cfg.t_recall_ms;
        Self { t_a, t_c, t_r, t_cue0, t_cue1, t_end }
    }

    /// The windows of the statistics and rasters: (label, start ms, end ms); the recall
    /// window is the last.
    fn windows(&self, cfg: &RecurrentConfig) -> Vec<(&'static str, f64, f64)> {
        let Self { t_a, t_c, t_r, t_end, .. } = *self;
        let sw = cfg.stats_window_ms;
        vec![
            ("pre (no iSTDP, I->E = 30 nS)", t_a - 1000.0, t_a),
            ("A: I->E = 0, iSTDP on", t_a, t_a + 1000.0),
            ("B: end of learning", t_c - sw, t_c),
            ("C: patterns x5", t_c, t_c + 1000.0),
            ("D: end of consolidation", t_r - sw, t_r),
            ("E: recall", t_r, t_end),
        ]
    }
}

/// The built recurrent network, its E→E and plastic I→E projections and its window monitor.
struct Built {
    net: Network,
    ee: ProjectionId,
    ie: ProjectionId,
    mon: MonitorId,
}

/// E and I with background current, the four projections, gated iSTDP on I→E (off until the
/// modulator is set), the recall cue and the spike monitor of `windows_ms`.
fn build_network(
    cfg: &RecurrentConfig,
    seed: u64,
    groups: &Groups,
    time: &Timeline,
    windows_ms: &[(&str, f64, f64)],
) -> Result<Built, EngramError> {
    let dt = cfg.dt_ms;
    let steps = |ms: f64| (ms / dt).round() as u64;
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
                RateSegment { start_ms: time.t_cue0, rates_hz: vec![cfg.cue_rate_hz] },
                RateSegment { start_ms: time.t_cue1, rates_hz: vec![0.0] },
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
    Ok(Built { net: b.build()?, ee, ie, mon })
}

/// Run the protocol in bookkeeping chunks: I→E = 0 and iSTDP on at `t_a`, the patterns
/// imprinted at `t_c`; after each chunk, its rates and the mean I→E weight onto each group.
fn run_chunks(
    net: &mut Network,
    ee: ProjectionId,
    ie: ProjectionId,
    cfg: &RecurrentConfig,
    groups: &Groups,
    time: &Timeline,
    progress: bool,
) -> Result<Vec<Chunk>, EngramError> {
    let dt = cfg.dt_ms;
    let steps = |ms: f64| (ms / dt).round() as u64;
    let named = groups.named();
    let chunk_steps = steps(cfg.chunk_ms);
    let n_chunks = steps(time.t_end).div_ceil(chunk_steps);
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
    for c in 0..n_chunks {
        let step0 = c * chunk_steps;
        if step0 == steps(time.t_a) {
            net.weights_mut(ie).data_mut().fill(0.0);
            net.set_modulator(1.0);
        }
        if step0 == steps(time.t_c) {
            imprint_patterns(net, ee, groups, cfg);
        }
        let n = chunk_steps.min(steps(time.t_end) - step0);
        net.run_steps(n)?;
        let secs = n as f64 * dt / 1000.0;
        let counts_e = net.spike_counts("E")?.to_vec();
        let i_total: u64 = net.spike_counts("I")?.iter().map(|&c| c as u64).sum();
        let e_spikes: u64 = counts_e.iter().zip(&prev_e).map(|(a, b)| (a - b) as u64).sum();
        chunks.push(Chunk {
            t_s: net.time_ms() / 1000.0,
            rate_e_hz: e_spikes as f64 / cfg.n_e as f64 / secs,
            rate_i_hz: (i_total - prev_i_total) as f64 / cfg.n_i as f64 / secs,
            group_rates_hz: group_rates(&counts_e, &prev_e, &named, secs),
            group_w_ie_ns: group_weights(net, ie, cfg.n_e, &named),
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
    Ok(chunks)
}

/// Multiply the E→E weights within each pattern by `cfg.pattern_factor`.
fn imprint_patterns(net: &mut Network, ee: ProjectionId, groups: &Groups, cfg: &RecurrentConfig) {
    let p1_mask: Vec<bool> = (0..cfg.n_e).map(|i| groups.p1.contains(&i)).collect();
    let p2_mask: Vec<bool> = (0..cfg.n_e).map(|i| groups.p2.contains(&i)).collect();
    let (m1, m2, f) = (&p1_mask, &p2_mask, cfg.pattern_factor);
    for (i, mut row) in net.weights_mut(ee).outer_iterator_mut().enumerate() {
        for (j, w) in row.iter_mut() {
            if (m1[i] && m1[j]) || (m2[i] && m2[j]) {
                *w *= f;
            }
        }
    }
}

/// Mean I→E weight onto each group, nS.
fn group_weights(net: &Network, ie: ProjectionId, n_e: usize, groups: &[(&str, Vec<usize>)]) -> Vec<f64> {
    let w = net.weights(ie);
    let mut sum = vec![0.0f64; n_e];
    let mut cnt = vec![0u32; n_e];
    for (&x, &j) in w.data().iter().zip(w.indices()) {
        sum[j as usize] += x;
        cnt[j as usize] += 1;
    }
    groups
        .iter()
        .map(|(_, idx)| {
            let s: f64 = idx.iter().map(|&i| sum[i]).sum();
            let n: u32 = idx.iter().map(|&i| cnt[i]).sum();
            s / n.max(1) as f64
        })
        .collect()
}

/// Group rates in 50 ms bins over the recall window `t0..t1` (E spikes `e`), each bin at its
/// centre relative to the cue onset.
fn recall_time_course(
    e: &(Vec<f64>, Vec<u32>),
    t0: f64,
    t1: f64,
    cfg: &RecurrentConfig,
    named: &[(&str, Vec<usize>)],
) -> Vec<(f64, Vec<f64>)> {
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
    recall_bins
}
