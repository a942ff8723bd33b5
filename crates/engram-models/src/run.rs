//! Running an experiment: build, run with monitors, write the run directory.
//!
//! A run directory holds `config.ron` (the full resolved experiment), `summary.json` and the
//! monitors' arrays (`spikes_<pop>.npy`, `rates.npy`, `state_<pop>_<var>.npy`). With
//! `record.figure` the run also returns every spike in memory ([`RunOutput::spikes`]), from
//! which `cargo xtask run` draws the raster figure `raster.png` / `raster.svg` into the run
//! directory (this crate draws no figures).

use std::path::Path;
use std::time::Instant;

use engram_core::config::to_ron_string;
use engram_core::error::EngramError;
use engram_sim::{NetworkBuilder, RateMonitor, RunOptions, SpikeMonitor, StateMonitor};
use serde::Serialize;

use crate::experiment::{Experiment, ModelConfig};
use crate::rundir::RunStatus;
use engram_sim::cputime::process_cpu_s;

/// A network ready to run, with the names of its excitatory and inhibitory populations.
pub struct ModelNetwork {
    /// The assembled network (monitors are added by the runner).
    pub builder: NetworkBuilder,
    /// Excitatory populations (for `rate_exc_hz`).
    pub exc: Vec<String>,
    /// Inhibitory populations (for `rate_inh_hz`).
    pub inh: Vec<String>,
    /// Total neurons (without input sources).
    pub n_neurons: usize,
}

/// What `summary.json` holds.
#[derive(Clone, Debug, PartialEq, Serialize, serde::Deserialize)]
pub struct Summary {
    /// `complete`, or `interrupted` (the numbers then cover the simulated time reached).
    pub status: RunStatus,
    /// Model name (`coba`, `cuba`).
    pub model: String,
    /// Number of neurons.
    pub n: usize,
    /// Simulated time, s (a whole number of steps; less than asked if interrupted).
    pub duration_s: f64,
    /// Step, ms.
    pub dt_ms: f64,
    /// Experiment seed.
    pub seed: u64,
    /// Worker threads.
    pub threads: usize,
    /// Spikes of all neuron populations.
    pub n_spikes: u64,
    /// Mean rate of the excitatory populations, Hz.
    pub rate_exc_hz: f64,
    /// Mean rate of the inhibitory populations, Hz.
    pub rate_inh_hz: f64,
    /// Stored synapses.
    pub n_synapses: usize,
    /// Network construction wall time, s.
    pub build_s: f64,
    /// Simulation loop wall time, s.
    pub loop_wall_s: f64,
    /// Simulation loop CPU time (all threads), s.
    pub loop_cpu_s: f64,
    /// Synaptic events delivered per simulated second (spikes × out-degree).
    pub syn_events_per_s: f64,
    /// Per-population spike counts and rates.
    pub populations: Vec<engram_sim::PopulationStats>,
}

/// The spikes of one neuron population that a run kept in memory.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PopulationSpikes {
    /// Population name (`E`, `I`).
    pub name: String,
    /// Number of neurons in the population.
    pub n: usize,
    /// Spike times, ms, one per spike, in time order.
    pub times_ms: Vec<f64>,
    /// Index (0..n) of the neuron that fired each spike.
    pub neurons: Vec<u32>,
}

/// What a finished run returns: what `summary.json` holds and, with `record.figure`, every
/// spike of the neuron populations (excitatory first), for a raster figure drawn by the caller.
///
/// ```
/// use engram_models::experiment::Experiment;
/// use engram_models::run::run_experiment;
/// let mut exp = Experiment::builtin("coba").unwrap();
/// exp.run.duration_s = 0.05;
/// exp.record.figure = true;
/// let run = run_experiment(&exp, None, false).unwrap();
/// let e = &run.spikes[0];
/// assert_eq!((e.name.as_str(), e.n), ("E", 3200));
/// assert_eq!(e.times_ms.len() as u64, run.summary.populations[0].n_spikes);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct RunOutput {
    /// The run's summary, as written to `summary.json`.
    pub summary: Summary,
    /// The spikes of every neuron population, kept when `record.figure` is set; empty otherwise.
    pub spikes: Vec<PopulationSpikes>,
}

/// Build the network of a model.
pub fn build_model(model: &ModelConfig, dt_ms: f64, seed: u64) -> Result<ModelNetwork, EngramError> {
    match model {
        ModelConfig::Coba(c) => c.build(dt_ms, seed),
        ModelConfig::Cuba(c) => c.build(dt_ms, seed),
    }
}

/// Run an experiment; with `out`, write the run directory there (a fresh folder, usually a
/// [`RunDir`](crate::rundir::RunDir)'s `path()`). Runs inside a rayon pool of
/// `exp.run.threads` threads. Returns the summary and, with `record.figure`, the spikes for
/// the raster figure (see [`RunOutput`]); drawing it is the caller's.
///
/// An interrupted run (SIGINT/SIGTERM, see [`engram_sim::interrupt`]) still writes
/// `config.ron` and a `summary.json` whose `status` is `interrupted` and whose `duration_s` is
/// the simulated time reached, then returns [`EngramError::Interrupted`].
pub fn run_experiment(exp: &Experiment, out: Option<&Path>, progress: bool) -> Result<RunOutput, EngramError> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(exp.run.threads)
        .build()
        .map_err(|e| EngramError::Other(format!("cannot start {} threads: {e}", exp.run.threads)))?;
    pool.install(|| run_in_pool(exp, out, progress))
}

fn run_in_pool(exp: &Experiment, out: Option<&Path>, progress: bool) -> Result<RunOutput, EngramError> {
    let t0 = Instant::now();
    let ModelNetwork { mut builder, exc, inh, n_neurons } = build_model(&exp.model, exp.run.dt_ms, exp.run.seed)?;
    builder.divergence_guard(exp.run.divergence.clone()).parallel_min_neurons(exp.run.parallel_min_neurons);
    let rec = &exp.record;
    let all: Vec<&str> = exc.iter().chain(&inh).map(String::as_str).collect();
    let format = rec.format;
    let mut spike_monitor = None;
    if rec.spikes || rec.figure {
        let mut m = SpikeMonitor::new(&all);
        if let (Some(dir), true) = (out, rec.spikes) {
            m = m.streaming_to(dir, format);
        }
        spike_monitor = Some(builder.add_monitor(m));
    }
    let mut rates = RateMonitor::new(&all, rec.rate_bin_ms);
    if let Some(dir) = out {
        rates = rates.streaming_to(dir, format);
    }
    builder.add_monitor(rates);
    let dt = exp.run.dt_ms;
    for s in &rec.state {
        let every = ((s.every_ms / dt).round() as u64).max(1);
        let mut m = StateMonitor::new(&s.population, &s.variable, &s.neurons, every);
        if let Some(dir) = out {
            m = m.streaming_to(dir, format);
        }
        builder.add_monitor(m);
    }
    let mut net = builder.build()?;
    let build_s = t0.elapsed().as_secs_f64();

    let cpu0 = process_cpu_s();
    let t1 = Instant::now();
    let options = RunOptions { progress, label: exp.model.name().to_string() };
    let (status, interruption) = match net.run_ms_with(exp.run.duration_s * 1000.0, &options) {
        Ok(()) => (RunStatus::Complete, None),
        Err(e @ EngramError::Interrupted { .. }) if out.is_some() => (RunStatus::Interrupted, Some(e)),
        Err(e) => return Err(e),
    };
    let loop_wall_s = t1.elapsed().as_secs_f64();
    let loop_cpu_s = match (cpu0, process_cpu_s()) {
        (Some(a), Some(b)) => b - a,
        _ => f64::NAN,
    };

    // rates over the simulated time (whole steps; less than asked if interrupted)
    let simulated_s = net.time_ms() / 1000.0;
    let stats = net.stats();
    let rate_of = |names: &[String]| {
        let (spikes, n) = stats
            .iter()
            .filter(|s| names.contains(&s.name))
            .fold((0u64, 0usize), |(k, n), s| (k + s.n_spikes, n + s.n));
        if n == 0 || simulated_s <= 0.0 { 0.0 } else { spikes as f64 / n as f64 / simulated_s }
    };
    let neuron_pops: Vec<&String> = exc.iter().chain(&inh).collect();
    let n_spikes = stats.iter().filter(|s| neuron_pops.contains(&&s.name)).map(|s| s.n_spikes).sum();
    let summary = Summary {
        status,
        model: exp.model.name().to_string(),
        n: n_neurons,
        duration_s: simulated_s,
        dt_ms: exp.run.dt_ms,
        seed: exp.run.seed,
        threads: exp.run.threads,
        n_spikes,
        rate_exc_hz: rate_of(&exc),
        rate_inh_hz: rate_of(&inh),
        n_synapses: net.n_synapses(),
        build_s,
        loop_wall_s,
        loop_cpu_s,
        syn_events_per_s: if simulated_s > 0.0 { net.syn_events() as f64 / simulated_s } else { 0.0 },
        populations: stats,
    };

    if let Some(dir) = out {
        write_text(&dir.join("config.ron"), &to_ron_string(exp))?;
        let json = serde_json::to_string_pretty(&summary).expect("summary serialises");
        write_text(&dir.join("summary.json"), &json)?;
        if let Some(e) = interruption {
            return Err(e);
        }
    }
    let spikes = match spike_monitor.and_then(|id| net.monitor::<SpikeMonitor>(id)) {
        Some(m) if rec.figure => all
            .iter()
            .map(|&name| PopulationSpikes {
                name: name.to_string(),
                n: summary.populations.iter().find(|p| p.name == name).map_or(0, |p| p.n),
                times_ms: m.times_ms(name).to_vec(),
                neurons: m.neurons(name).to_vec(),
            })
            .collect(),
        _ => Vec::new(),
    };
    Ok(RunOutput { summary, spikes })
}

fn write_text(path: &Path, text: &str) -> Result<(), EngramError> {
    std::fs::write(path, text).map_err(|source| EngramError::Output { path: path.to_path_buf(), source })
}
