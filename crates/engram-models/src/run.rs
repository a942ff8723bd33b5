//! Running an experiment: build, run with monitors, write the run directory.
//!
//! A run directory holds `config.ron` (the full resolved experiment), `summary.json`,
//! the monitors' arrays (`spikes_<pop>.npy`, `rates.npy`, `state_<pop>_<var>.npy`) and the
//! figure `raster.png` / `raster.svg`.

use std::path::{Path, PathBuf};
use std::time::Instant;

use engram_core::config::to_ron_string;
use engram_core::error::EngramError;
use engram_sim::{MonitorId, NetworkBuilder, RateMonitor, RunOptions, SpikeMonitor, StateMonitor};
use serde::Serialize;

use crate::cputime::process_cpu_s;
use crate::experiment::{Experiment, ModelConfig};
use crate::rundir::RunStatus;

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

/// Build the network of a model.
pub fn build_model(model: &ModelConfig, dt_ms: f64, seed: u64) -> Result<ModelNetwork, EngramError> {
    match model {
        ModelConfig::Coba(c) => c.build(dt_ms, seed),
        ModelConfig::Cuba(c) => c.build(dt_ms, seed),
    }
}

/// Run an experiment; with `out`, write the run directory there (a fresh folder, usually a
/// [`RunDir`](crate::rundir::RunDir)'s `path()`). Runs inside a rayon pool of
/// `exp.run.threads` threads.
///
/// An interrupted run (SIGINT/SIGTERM, see [`engram_sim::interrupt`]) still writes
/// `config.ron` and a `summary.json` whose `status` is `interrupted` and whose `duration_s` is
/// the simulated time reached, then returns [`EngramError::Interrupted`].
pub fn run_experiment(exp: &Experiment, out: Option<&Path>, progress: bool) -> Result<Summary, EngramError> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(exp.run.threads)
        .build()
        .map_err(|e| EngramError::Other(format!("cannot start {} threads: {e}", exp.run.threads)))?;
    pool.install(|| run_in_pool(exp, out, progress))
}

fn run_in_pool(exp: &Experiment, out: Option<&Path>, progress: bool) -> Result<Summary, EngramError> {
    let t0 = Instant::now();
    let ModelNetwork { mut builder, exc, inh, n_neurons } = build_model(&exp.model, exp.run.dt_ms, exp.run.seed)?;
    builder.divergence_guard(exp.run.divergence.clone()).parallel_min_neurons(exp.run.parallel_min_neurons);
    let rec = &exp.record;
    let all: Vec<&str> = exc.iter().chain(&inh).map(String::as_str).collect();
    let format = rec.format;
    let mut spike_monitor = None;
    if rec.spikes || (rec.figure && out.is_some()) {
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
    let rate_monitor = builder.add_monitor(rates);
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
        if rec.figure {
            let spikes = spike_monitor.and_then(|id| net.monitor::<SpikeMonitor>(id));
            let rates = net.monitor::<RateMonitor>(rate_monitor);
            write_raster(dir, exp, &all, spikes, rates, &net_sizes(&summary))?;
        }
    }
    let _: Option<MonitorId> = spike_monitor;
    Ok(summary)
}

fn net_sizes(summary: &Summary) -> Vec<(String, usize)> {
    summary.populations.iter().map(|p| (p.name.clone(), p.n)).collect()
}

fn write_text(path: &Path, text: &str) -> Result<(), EngramError> {
    std::fs::write(path, text).map_err(|source| EngramError::Output { path: path.to_path_buf(), source })
}

fn write_raster(
    dir: &Path,
    exp: &Experiment,
    names: &[&str],
    spikes: Option<&SpikeMonitor>,
    _rates: Option<&RateMonitor>,
    sizes: &[(String, usize)],
) -> Result<(), EngramError> {
    let Some(spikes) = spikes else { return Ok(()) };
    let pops: Vec<engram_plot::PopulationSpikes> = names
        .iter()
        .map(|&name| engram_plot::PopulationSpikes {
            name: name.to_string(),
            n: sizes.iter().find(|(n, _)| n == name).map_or(0, |(_, k)| *k),
            times_ms: spikes.times_ms(name).to_vec(),
            neurons: spikes.neurons(name).to_vec(),
        })
        .collect();
    let title = format!(
        "{} · {} neurons · seed {}",
        exp.model.name().to_uppercase(),
        sizes.iter().map(|s| s.1).sum::<usize>(),
        exp.run.seed
    );
    let stem: PathBuf = dir.join("raster");
    engram_plot::raster_and_rates(&stem, &title, &pops, exp.run.duration_s * 1000.0, exp.record.rate_bin_ms, Some(250))
        .map(|_| ())
        .map_err(|e| EngramError::Other(format!("figure: {e}")))
}
