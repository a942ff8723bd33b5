//! What a run will cost, estimated from its config before anything is built: memory (neurons,
//! synapses, delay buffers, monitors) against the machine's available memory, and time against
//! a stated limit.
//!
//! ```
//! use engram_models::experiment::Experiment;
//! use engram_models::resources::{Limits, estimate};
//! let exp = Experiment::from_ron_str("(model: Coba(n: 4000))", "<inline>").unwrap();
//! let cost = estimate(&exp);
//! assert!(cost.memory_bytes > 320_000.0 * 12.0);                   // 80 inputs per neuron, 12 B each
//! assert!(cost.check(&Limits { available_bytes: Some(1 << 30), allow_long: false, max_threads: 1 }).is_ok());
//!
//! let huge = Experiment::from_ron_str("(model: Coba(n: 100000000))", "<inline>").unwrap();
//! let e = estimate(&huge).check(&Limits { available_bytes: Some(16 << 30), allow_long: false, max_threads: 1 });
//! assert!(e.unwrap_err().to_string().contains("GB of memory"));
//! ```

use engram_core::error::EngramError;

use crate::experiment::Experiment;

/// Bytes per neuron: state variables, scratch, spike counts (generous for the library's LIFs).
const NEURON_BYTES: f64 = 160.0;
/// Bytes per stored synapse at the build's peak: the drawn pattern and the CSR copy
/// (f64 weight + u32 target) exist together for a moment.
const SYNAPSE_PEAK_BYTES: f64 = 24.0;
/// Bytes per recorded spike kept in memory (f64 time + u32 neuron).
const SPIKE_BYTES: f64 = 12.0;
/// Mean rate assumed for spikes kept in memory (the raster figure), Hz.
const ASSUMED_RATE_HZ: f64 = 20.0;
/// Seconds per neuron and step, a conservative figure from the COBA benchmark on the
/// reference machine (≈ 3 ns measured; synaptic events included at ~20 Hz and 80 inputs).
const SECONDS_PER_NEURON_STEP: f64 = 5e-9;
/// Longest estimated run accepted without `--allow-long`, s of wall time.
pub const LONG_RUN_S: f64 = 24.0 * 3600.0;

/// The estimated cost of an experiment.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Cost {
    /// Peak memory, bytes.
    pub memory_bytes: f64,
    /// Of which synapses, bytes.
    pub synapse_bytes: f64,
    /// Of which the delay ring buffers, bytes.
    pub delay_buffer_bytes: f64,
    /// Of which the monitors kept in memory, bytes.
    pub monitor_bytes: f64,
    /// Steps to simulate.
    pub steps: f64,
    /// Neurons simulated.
    pub neurons: f64,
    /// Estimated wall time on one core, s.
    pub wall_s: f64,
    /// Worker threads asked for.
    pub threads: usize,
}

/// What the machine allows.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Limits {
    /// Memory available to the run, bytes (`None`: unknown, not checked).
    pub available_bytes: Option<u64>,
    /// Accept runs estimated to take longer than [`LONG_RUN_S`].
    pub allow_long: bool,
    /// Most worker threads a run may ask for (the machine's cores; more only slows it down).
    pub max_threads: usize,
}

impl Limits {
    /// This machine's available memory (`MemAvailable` of `/proc/meminfo`; unknown elsewhere).
    pub fn of_this_machine(allow_long: bool) -> Self {
        Self { available_bytes: available_memory_bytes(), allow_long, max_threads: cores() }
    }
}

/// The cores this process may use (1 if unknown).
pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from)
}

/// The memory this machine has available now, bytes (Linux; `None` elsewhere).
pub fn available_memory_bytes() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = text.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

fn gb(bytes: f64) -> String {
    if bytes < 1e15 { format!("{:.1} GB", bytes / 1e9) } else { format!("{:.2e} GB", bytes / 1e9) }
}

impl Cost {
    /// Refuse a run that needs more memory than is available, or (without `allow_long`) that
    /// would take longer than [`LONG_RUN_S`]; the message gives the estimate and the limit.
    pub fn check(&self, limits: &Limits) -> Result<(), EngramError> {
        if self.threads > limits.max_threads {
            return Err(EngramError::Other(format!(
                "run.threads = {}: this machine has {} cores; use at most {} (results do not depend on the thread count)",
                self.threads, limits.max_threads, limits.max_threads
            )));
        }
        if !limits.allow_long && (self.wall_s > LONG_RUN_S || self.wall_s.is_nan()) {
            return Err(EngramError::Other(format!(
                "this run would take about {:.3e} hours ({:.3e} neurons × {:.3e} steps, at {} ns per neuron and step); runs estimated above {} hours need --allow-long",
                self.wall_s / 3600.0,
                self.neurons,
                self.steps,
                SECONDS_PER_NEURON_STEP * 1e9,
                LONG_RUN_S / 3600.0
            )));
        }
        if let Some(available) = limits.available_bytes {
            if self.memory_bytes > available as f64 {
                return Err(EngramError::Other(format!(
                    "this run needs about {} of memory ({} synapses, {} delay buffers, {} monitors, {} neurons) but {} is available; use fewer neurons, shorter delays or a shorter recording",
                    gb(self.memory_bytes),
                    gb(self.synapse_bytes),
                    gb(self.delay_buffer_bytes),
                    gb(self.monitor_bytes),
                    self.neurons,
                    gb(available as f64)
                )));
            }
        }
        Ok(())
    }
}

/// Estimate the cost of `exp` from its config alone (nothing is built). All sizes are `f64`,
/// so absurd configs give large numbers, not overflows.
pub fn estimate(exp: &Experiment) -> Cost {
    let shape = exp.model.shape();
    let neurons = shape.n as f64;
    let synapses = neurons * shape.in_degree();
    let dt = exp.run.dt_ms;
    let steps = (exp.run.duration_s * 1000.0 / dt).round();
    let delay_steps = (exp.model.delay_ms() / dt).round().max(1.0);
    // one slot per step of the longest delay (+1), per neuron and receptor (exc, inh)
    let delay_buffer_bytes = (delay_steps + 1.0) * neurons * 2.0 * 8.0;
    let synapse_bytes = synapses * SYNAPSE_PEAK_BYTES;
    let rec = &exp.record;
    let spikes_in_memory = if rec.figure { neurons * ASSUMED_RATE_HZ * exp.run.duration_s * SPIKE_BYTES } else { 0.0 };
    let state: f64 = rec
        .state
        .iter()
        .map(|s| {
            let every = (s.every_ms / dt).round().max(1.0);
            (steps / every).ceil() * (s.neurons.len() as f64 + 1.0) * 8.0
        })
        .sum();
    let rate_bins = exp.run.duration_s * 1000.0 / rec.rate_bin_ms * 3.0 * 8.0;
    let monitor_bytes = spikes_in_memory + state + rate_bins;
    Cost {
        memory_bytes: neurons * NEURON_BYTES + synapse_bytes + delay_buffer_bytes + monitor_bytes,
        synapse_bytes,
        delay_buffer_bytes,
        monitor_bytes,
        steps,
        neurons,
        wall_s: steps * neurons * SECONDS_PER_NEURON_STEP,
        threads: exp.run.threads,
    }
}
