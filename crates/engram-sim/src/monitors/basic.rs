//! Spikes, state variables (a subset, every k steps) and population rates.

use std::any::Any;
use std::path::{Path, PathBuf};

use engram_core::error::EngramError;
use engram_core::monitor::{Monitor, NetworkView};
use engram_core::neuron::StepContext;

use crate::network::Partition;
use crate::npy::{ArrayWriter, OutputFormat};

use super::resolve;

/// Records every spike of some populations: `(time_ms, neuron)` pairs.
///
/// Streams to `DIR/spikes_<population>.<npy|csv>` (two columns: time_ms, neuron) when given
/// an output directory.
#[derive(Default)]
pub struct SpikeMonitor {
    names: Vec<String>,
    pops: Vec<usize>,
    times_ms: Vec<Vec<f64>>,
    neurons: Vec<Vec<u32>>,
    keep: bool,
    stream: Option<(PathBuf, OutputFormat)>,
    writers: Vec<ArrayWriter>,
}

impl SpikeMonitor {
    /// Record the spikes of these populations in memory.
    pub fn new(populations: &[&str]) -> Self {
        Self { names: populations.iter().map(|s| s.to_string()).collect(), keep: true, ..Default::default() }
    }

    /// Also stream them to files in `dir`.
    pub fn streaming_to(mut self, dir: &Path, format: OutputFormat) -> Self {
        self.stream = Some((dir.to_path_buf(), format));
        self
    }

    /// Do not keep spikes in memory (streaming only).
    pub fn without_memory(mut self) -> Self {
        self.keep = false;
        self
    }

    fn slot(&self, population: &str) -> Option<usize> {
        self.names.iter().position(|n| n == population)
    }

    /// Spike times (ms) of `population`.
    pub fn times_ms(&self, population: &str) -> &[f64] {
        self.slot(population).map_or(&[], |i| &self.times_ms[i])
    }

    /// Spiking neuron of each spike of `population`.
    pub fn neurons(&self, population: &str) -> &[u32] {
        self.slot(population).map_or(&[], |i| &self.neurons[i])
    }

    /// Number of spikes recorded for `population`.
    pub fn count(&self, population: &str) -> usize {
        self.times_ms(population).len()
    }

    /// Names of the recorded populations.
    pub fn populations(&self) -> &[String] {
        &self.names
    }
}

impl Monitor for SpikeMonitor {
    fn bind(&mut self, net: &dyn NetworkView) -> Result<(), EngramError> {
        self.pops = self.names.iter().map(|n| resolve(net, n)).collect::<Result<_, _>>()?;
        self.times_ms = vec![Vec::new(); self.pops.len()];
        self.neurons = vec![Vec::new(); self.pops.len()];
        if let Some((dir, format)) = &self.stream {
            self.writers = self
                .names
                .iter()
                .map(|n| {
                    let path = dir.join(format!("spikes_{n}.{}", format.extension()));
                    ArrayWriter::create(&path, *format, &["time_ms", "neuron"])
                })
                .collect::<Result<_, _>>()?;
        }
        Ok(())
    }

    fn observe(&mut self, ctx: &StepContext, net: &dyn NetworkView) -> Result<(), EngramError> {
        let t = ctx.time_ms();
        for (k, &p) in self.pops.iter().enumerate() {
            let spikes = net.spikes(p);
            if self.keep {
                self.times_ms[k].extend(std::iter::repeat_n(t, spikes.len()));
                self.neurons[k].extend_from_slice(spikes);
            }
            if let Some(w) = self.writers.get_mut(k) {
                for &i in spikes {
                    w.write_row(&[t, i as f64])?;
                }
            }
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<(), EngramError> {
        self.writers.iter_mut().try_for_each(ArrayWriter::flush)
    }

    fn finish(&mut self) -> Result<(), EngramError> {
        self.writers.iter_mut().try_for_each(ArrayWriter::finish)
    }

    fn as_any(&self) -> Option<&dyn Any> {
        Some(self)
    }
}

/// Records a state variable (`v_mv`, `g_exc_ns`, ...) of some neurons every `every_steps`.
///
/// Streams to `DIR/state_<population>_<variable>.<npy|csv>`: one row per sample, first
/// column time_ms, then one column per recorded neuron.
///
/// On a rank of a [distributed](crate::NetworkBuilder::distribute) network, which advances
/// only its own neurons, [`owned_by`](Self::owned_by) records only the requested neurons
/// that rank owns (in memory); the ranks then gather their parts (see
/// [`positions_on_rank`](Self::positions_on_rank)).
pub struct StateMonitor {
    population: String,
    variable: String,
    /// The neurons asked for.
    requested: Vec<u32>,
    /// The neurons recorded: `requested`, or those of it this rank owns.
    neurons: Vec<u32>,
    owned_by: Option<Partition>,
    /// Neurons in the population (known once bound).
    n_population: usize,
    /// The neuron whose value the network's state array gives first (0 unless this rank
    /// stores only its block of the population).
    first: usize,
    every_steps: u64,
    pop: usize,
    times_ms: Vec<f64>,
    values: Vec<f64>,
    stream: Option<(PathBuf, OutputFormat)>,
    writer: Option<ArrayWriter>,
    row: Vec<f64>,
}

impl StateMonitor {
    /// Record `variable` of `neurons` of `population` every `every_steps` steps (≥ 1).
    pub fn new(population: &str, variable: &str, neurons: &[u32], every_steps: u64) -> Self {
        Self {
            population: population.into(),
            variable: variable.into(),
            requested: neurons.to_vec(),
            neurons: neurons.to_vec(),
            owned_by: None,
            n_population: 0,
            first: 0,
            every_steps: every_steps.max(1),
            pop: 0,
            times_ms: Vec::new(),
            values: Vec::new(),
            stream: None,
            writer: None,
            row: Vec::new(),
        }
    }

    /// Also stream to a file in `dir`.
    pub fn streaming_to(mut self, dir: &Path, format: OutputFormat) -> Self {
        self.stream = Some((dir.to_path_buf(), format));
        self
    }

    /// Record only the requested neurons that rank `partition` owns
    /// ([`Partition::owned`] of the population), in the requested order, in memory (not
    /// with [`streaming_to`](Self::streaming_to): a file would hold one rank's columns).
    pub fn owned_by(mut self, partition: Partition) -> Self {
        self.owned_by = Some(partition);
        self
    }

    /// The positions, in [`requested`](Self::requested), of the neurons that rank `rank`
    /// records: those in its block of the population for a monitor
    /// [`owned_by`](Self::owned_by) a partition (every rank's monitor gives the same
    /// answer), all of them otherwise (for rank 0; none for other ranks). Meaningful once
    /// the monitor is bound (the network built).
    pub fn positions_on_rank(&self, rank: usize) -> Vec<usize> {
        match self.owned_by {
            Some(p) => {
                let block = p.block(self.n_population, rank);
                (0..self.requested.len()).filter(|&k| block.contains(&(self.requested[k] as usize))).collect()
            }
            None if rank == 0 => (0..self.requested.len()).collect(),
            None => Vec::new(),
        }
    }

    /// Sample times, ms.
    pub fn times_ms(&self) -> &[f64] {
        &self.times_ms
    }

    /// The population recorded.
    pub fn population(&self) -> &str {
        &self.population
    }

    /// The state variable recorded.
    pub fn variable(&self) -> &str {
        &self.variable
    }

    /// The neurons asked for (for a monitor [`owned_by`](Self::owned_by) a partition, a
    /// superset of [`neurons`](Self::neurons)).
    pub fn requested(&self) -> &[u32] {
        &self.requested
    }

    /// The name of the file it streams to: `state_<population>_<variable>.<npy|csv>`.
    pub fn file_name(&self, format: OutputFormat) -> String {
        format!("state_{}_{}.{}", self.population, self.variable, format.extension())
    }

    /// The columns of that file: `time_ms`, then `n<i>` for each requested neuron `i`.
    pub fn column_names(&self) -> Vec<String> {
        std::iter::once("time_ms".to_string()).chain(self.requested.iter().map(|i| format!("n{i}"))).collect()
    }

    /// Recorded values, row-major: one row of `neurons().len()` values per sample.
    pub fn values(&self) -> &[f64] {
        &self.values
    }

    /// The trace of the `k`-th recorded neuron.
    pub fn trace(&self, k: usize) -> Vec<f64> {
        self.values.iter().skip(k).step_by(self.neurons.len()).copied().collect()
    }

    /// The recorded neurons (for a monitor [`owned_by`](Self::owned_by) a partition, the
    /// requested neurons that rank owns, in the requested order).
    pub fn neurons(&self) -> &[u32] {
        &self.neurons
    }
}

impl Monitor for StateMonitor {
    fn bind(&mut self, net: &dyn NetworkView) -> Result<(), EngramError> {
        self.pop = resolve(net, &self.population)?;
        let Some(state) = net.state(self.pop, &self.variable) else {
            return Err(EngramError::unknown("state variable", &self.variable, net.state_names(self.pop)));
        };
        let n = net.population_len(self.pop);
        if let Some(&bad) = self.requested.iter().find(|&&i| i as usize >= n) {
            return Err(EngramError::Other(format!(
                "StateMonitor: neuron {bad} does not exist in `{}` ({n} neurons)",
                self.population
            )));
        }
        self.n_population = n;
        // a rank that stores only its block of the population reads it from `first`
        self.first = net.state_first(self.pop);
        let stored = self.first..self.first + state.len();
        if let Some(p) = self.owned_by {
            if self.stream.is_some() {
                return Err(EngramError::Other(format!(
                    "StateMonitor({}.{}): streaming_to and owned_by together would write only rank {}'s \
                     neurons; record in memory and gather the ranks' parts instead",
                    self.population,
                    self.variable,
                    p.rank()
                )));
            }
            let own = p.owned(n);
            self.neurons = self.requested.iter().copied().filter(|&i| own.contains(&(i as usize))).collect();
        }
        if let Some(&gone) = self.neurons.iter().find(|&&i| !stored.contains(&(i as usize))) {
            return Err(EngramError::Other(format!(
                "StateMonitor({}.{}): neuron {gone} is not stored here (this rank stores neurons {stored:?} of \
                 `{}`); on a rank, record with owned_by",
                self.population, self.variable, self.population
            )));
        }
        if let Some((dir, format)) = &self.stream {
            let names = self.column_names();
            let names: Vec<&str> = names.iter().map(String::as_str).collect();
            let path = dir.join(self.file_name(*format));
            self.writer = Some(ArrayWriter::create(&path, *format, &names)?);
        }
        self.row = vec![0.0; self.neurons.len() + 1];
        Ok(())
    }

    fn observe(&mut self, ctx: &StepContext, net: &dyn NetworkView) -> Result<(), EngramError> {
        if ctx.step % self.every_steps != 0 {
            return Ok(());
        }
        let state = net.state(self.pop, &self.variable).unwrap_or(&[]);
        let t = ctx.time_ms();
        self.times_ms.push(t);
        self.row[0] = t;
        for (k, &i) in self.neurons.iter().enumerate() {
            self.row[k + 1] = state[i as usize - self.first];
        }
        self.values.extend_from_slice(&self.row[1..]);
        if let Some(w) = &mut self.writer {
            w.write_row(&self.row)?;
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<(), EngramError> {
        self.writer.as_mut().map_or(Ok(()), ArrayWriter::flush)
    }

    fn finish(&mut self) -> Result<(), EngramError> {
        self.writer.as_mut().map_or(Ok(()), ArrayWriter::finish)
    }

    fn as_any(&self) -> Option<&dyn Any> {
        Some(self)
    }
}

/// Population rates (Hz per neuron) in bins of `bin_ms`.
///
/// Streams to `DIR/rates.<npy|csv>`: one row per bin, first column the bin start in ms,
/// then one column per population. Bins are aligned to step 0 (bin `k` holds steps
/// `k·b .. (k+1)·b`); a bin the monitor did not see from its start (the network was restored
/// from a checkpoint in its middle) is left out.
pub struct RateMonitor {
    names: Vec<String>,
    pops: Vec<usize>,
    sizes: Vec<usize>,
    bin_steps: u64,
    dt_ms: f64,
    /// The first step observed.
    first_step: Option<u64>,
    counts: Vec<u64>,
    rates_hz: Vec<f64>,
    starts_ms: Vec<f64>,
    stream: Option<(PathBuf, OutputFormat)>,
    writer: Option<ArrayWriter>,
    row: Vec<f64>,
}

impl RateMonitor {
    /// Rates of these populations in bins of `bin_ms` (rounded to whole steps at bind time).
    pub fn new(populations: &[&str], bin_ms: f64) -> Self {
        Self {
            names: populations.iter().map(|s| s.to_string()).collect(),
            pops: Vec::new(),
            sizes: Vec::new(),
            bin_steps: 0,
            dt_ms: bin_ms,
            first_step: None,
            counts: Vec::new(),
            rates_hz: Vec::new(),
            starts_ms: Vec::new(),
            stream: None,
            writer: None,
            row: Vec::new(),
        }
    }

    /// Also stream to `dir/rates.<ext>`.
    pub fn streaming_to(mut self, dir: &Path, format: OutputFormat) -> Self {
        self.stream = Some((dir.to_path_buf(), format));
        self
    }

    /// Start time of each completed bin, ms.
    pub fn bin_starts_ms(&self) -> &[f64] {
        &self.starts_ms
    }

    /// Rates of `population` per completed bin, Hz.
    pub fn rates_hz(&self, population: &str) -> Vec<f64> {
        let Some(k) = self.names.iter().position(|n| n == population) else { return Vec::new() };
        self.rates_hz.iter().skip(k).step_by(self.names.len()).copied().collect()
    }
}

impl Monitor for RateMonitor {
    fn bind(&mut self, net: &dyn NetworkView) -> Result<(), EngramError> {
        self.pops = self.names.iter().map(|n| resolve(net, n)).collect::<Result<_, _>>()?;
        self.sizes = self.pops.iter().map(|&p| net.population_len(p)).collect();
        self.counts = vec![0; self.pops.len()];
        self.row = vec![0.0; self.pops.len() + 1];
        if let Some((dir, format)) = &self.stream {
            let names: Vec<&str> = std::iter::once("time_ms").chain(self.names.iter().map(String::as_str)).collect();
            self.writer =
                Some(ArrayWriter::create(&dir.join(format!("rates.{}", format.extension())), *format, &names)?);
        }
        Ok(())
    }

    fn observe(&mut self, ctx: &StepContext, net: &dyn NetworkView) -> Result<(), EngramError> {
        if self.bin_steps == 0 {
            // `dt_ms` holds the requested bin width until the first step tells us dt.
            self.bin_steps = ((self.dt_ms / ctx.dt_ms).round() as u64).max(1);
            self.dt_ms = ctx.dt_ms;
        }
        for (c, &p) in self.counts.iter_mut().zip(&self.pops) {
            *c += net.spikes(p).len() as u64;
        }
        let first = *self.first_step.get_or_insert(ctx.step);
        if (ctx.step + 1) % self.bin_steps == 0 && ctx.step + 1 - self.bin_steps < first {
            // a bin seen in part
            self.counts.iter_mut().for_each(|c| *c = 0);
        } else if (ctx.step + 1) % self.bin_steps == 0 {
            let bin_s = self.bin_steps as f64 * self.dt_ms / 1000.0;
            let start = (ctx.step + 1 - self.bin_steps) as f64 * self.dt_ms;
            self.starts_ms.push(start);
            self.row[0] = start;
            for (k, c) in self.counts.iter_mut().enumerate() {
                let r = *c as f64 / self.sizes[k] as f64 / bin_s;
                self.rates_hz.push(r);
                self.row[k + 1] = r;
                *c = 0;
            }
            if let Some(w) = &mut self.writer {
                w.write_row(&self.row)?;
            }
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<(), EngramError> {
        self.writer.as_mut().map_or(Ok(()), ArrayWriter::flush)
    }

    fn finish(&mut self) -> Result<(), EngramError> {
        self.writer.as_mut().map_or(Ok(()), ArrayWriter::finish)
    }

    fn as_any(&self) -> Option<&dyn Any> {
        Some(self)
    }
}
