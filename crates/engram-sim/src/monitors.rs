//! The standard monitors: spikes, state variables (a subset, every k steps) and population
//! rates. Each keeps what it records in memory and can also stream it to `.npy` or CSV
//! while the run goes on; a streamed file is complete and readable up to the last flush
//! (a full buffer, [`Monitor::flush`] or the end of the run; see [`crate::npy`]).

use std::any::Any;
use std::path::{Path, PathBuf};

use engram_core::error::EngramError;
use engram_core::monitor::{Monitor, NetworkView};
use engram_core::neuron::StepContext;

use crate::npy::ArrayWriter;
pub use crate::npy::OutputFormat;

fn resolve(net: &dyn NetworkView, name: &str) -> Result<usize, EngramError> {
    net.population(name).ok_or_else(|| EngramError::unknown("population", name, net.population_names()))
}

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
pub struct StateMonitor {
    population: String,
    variable: String,
    neurons: Vec<u32>,
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
            neurons: neurons.to_vec(),
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

    /// Sample times, ms.
    pub fn times_ms(&self) -> &[f64] {
        &self.times_ms
    }

    /// Recorded values, row-major: one row of `neurons().len()` values per sample.
    pub fn values(&self) -> &[f64] {
        &self.values
    }

    /// The trace of the `k`-th recorded neuron.
    pub fn trace(&self, k: usize) -> Vec<f64> {
        self.values.iter().skip(k).step_by(self.neurons.len()).copied().collect()
    }

    /// The recorded neurons.
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
        if let Some(&bad) = self.neurons.iter().find(|&&i| i as usize >= state.len()) {
            return Err(EngramError::Other(format!(
                "StateMonitor: neuron {bad} does not exist in `{}` ({} neurons)",
                self.population,
                state.len()
            )));
        }
        if let Some((dir, format)) = &self.stream {
            let names: Vec<String> =
                std::iter::once("time_ms".to_string()).chain(self.neurons.iter().map(|i| format!("n{i}"))).collect();
            let names: Vec<&str> = names.iter().map(String::as_str).collect();
            let path = dir.join(format!("state_{}_{}.{}", self.population, self.variable, format.extension()));
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
            self.row[k + 1] = state[i as usize];
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
/// then one column per population.
pub struct RateMonitor {
    names: Vec<String>,
    pops: Vec<usize>,
    sizes: Vec<usize>,
    bin_steps: u64,
    dt_ms: f64,
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
        if (ctx.step + 1) % self.bin_steps == 0 {
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

/// Per-neuron spike counts and mean state variables over a list of time windows (trials,
/// baseline and stimulus periods), without recording whole traces.
///
/// Windows are `[start, end)` in steps, sorted and not overlapping. State variables are
/// sampled every `sample_every` steps inside a window (e.g. every 1 ms, as the Dp paper's
/// code does), and their mean over the samples is reported.
///
/// ```
/// use engram_sim::monitors::WindowMonitor;
/// let m = WindowMonitor::new("E", &[(0, 100), (100, 300)], &["v_mv"], 10);
/// assert_eq!(m.n_windows(), 2);
/// ```
pub struct WindowMonitor {
    population: String,
    windows: Vec<(u64, u64)>,
    variables: Vec<String>,
    sample_every: u64,
    pop: usize,
    n: usize,
    current: usize,
    counts: Vec<u32>,
    sums: Vec<Vec<f64>>,
    samples: Vec<u32>,
}

impl WindowMonitor {
    /// Count spikes of `population` and average `variables` in each window (steps).
    pub fn new(population: &str, windows: &[(u64, u64)], variables: &[&str], sample_every: u64) -> Self {
        Self {
            population: population.into(),
            windows: windows.to_vec(),
            variables: variables.iter().map(|s| s.to_string()).collect(),
            sample_every: sample_every.max(1),
            pop: 0,
            n: 0,
            current: 0,
            counts: Vec::new(),
            sums: Vec::new(),
            samples: Vec::new(),
        }
    }

    /// Number of windows.
    pub fn n_windows(&self) -> usize {
        self.windows.len()
    }

    /// The windows, in steps.
    pub fn windows(&self) -> &[(u64, u64)] {
        &self.windows
    }

    /// Spike counts in window `w`, one per neuron.
    pub fn counts(&self, w: usize) -> &[u32] {
        &self.counts[w * self.n..(w + 1) * self.n]
    }

    /// Mean of `variable` in window `w`, one per neuron (`None` if the variable was not asked
    /// for). NaN if no sample fell in the window.
    pub fn mean(&self, variable: &str, w: usize) -> Option<Vec<f64>> {
        let k = self.variables.iter().position(|v| v == variable)?;
        let s = self.samples[w] as f64;
        Some(self.sums[k][w * self.n..(w + 1) * self.n].iter().map(|x| x / s).collect())
    }
}

impl Monitor for WindowMonitor {
    fn bind(&mut self, net: &dyn NetworkView) -> Result<(), EngramError> {
        self.pop = resolve(net, &self.population)?;
        self.n = net.population_len(self.pop);
        for (k, w) in self.windows.iter().enumerate() {
            let overlaps = k > 0 && w.0 < self.windows[k - 1].1;
            if w.1 <= w.0 || overlaps {
                return Err(EngramError::Other(format!(
                    "WindowMonitor: window {k} = {w:?} is empty or overlaps the previous one; windows must be sorted [start, end) step ranges"
                )));
            }
        }
        for v in &self.variables {
            if net.state(self.pop, v).is_none() {
                return Err(EngramError::unknown("state variable", v, net.state_names(self.pop)));
            }
        }
        self.counts = vec![0; self.windows.len() * self.n];
        self.sums = vec![vec![0.0; self.windows.len() * self.n]; self.variables.len()];
        self.samples = vec![0; self.windows.len()];
        self.current = 0;
        Ok(())
    }

    fn observe(&mut self, ctx: &StepContext, net: &dyn NetworkView) -> Result<(), EngramError> {
        while self.current < self.windows.len() && ctx.step >= self.windows[self.current].1 {
            self.current += 1;
        }
        let Some(&(start, _)) = self.windows.get(self.current) else { return Ok(()) };
        if ctx.step < start {
            return Ok(());
        }
        let w = self.current;
        let base = w * self.n;
        for &i in net.spikes(self.pop) {
            self.counts[base + i as usize] += 1;
        }
        if (ctx.step - start) % self.sample_every == 0 {
            self.samples[w] += 1;
            for (k, v) in self.variables.iter().enumerate() {
                let state = net.state(self.pop, v).unwrap_or(&[]);
                for (s, x) in self.sums[k][base..base + self.n].iter_mut().zip(state) {
                    *s += x;
                }
            }
        }
        Ok(())
    }

    fn as_any(&self) -> Option<&dyn Any> {
        Some(self)
    }
}

/// Which projection a [`WeightMonitor`] records: by name (`"E->I"`) or by index.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProjectionRef {
    /// The projection's name (see [`NetworkBuilder::name_projection`](crate::NetworkBuilder::name_projection)).
    Name(String),
    /// The projection's index (its [`ProjectionId`](crate::ProjectionId)).
    Index(usize),
}

impl From<&str> for ProjectionRef {
    fn from(name: &str) -> Self {
        ProjectionRef::Name(name.into())
    }
}

impl From<crate::ProjectionId> for ProjectionRef {
    fn from(id: crate::ProjectionId) -> Self {
        ProjectionRef::Index(id.0)
    }
}

/// The weights of one projection (all, or a subset of synapses), every `every_steps` steps,
/// after the step's plasticity.
///
/// Keeps the samples in memory and can stream them to `DIR/weights_<projection>.<npy|csv>`:
/// one row per sample, first the time in ms (the start of the sampled step, as for
/// [`StateMonitor`]), then one column per recorded synapse (CSR order of the weights, or the
/// order of `subset`). Streaming all weights of a large projection writes
/// `8 × (1 + n_synapses)` bytes per sample; use a subset or a long interval.
///
/// ```
/// use engram_sim::prelude::*;
/// # use engram_core::prelude::*;
/// # use engram_core::neuron::StepInput;
/// # struct Silent(Vec<f64>, Vec<Receptor>);
/// # impl NeuronModel for Silent {
/// #   fn kind(&self) -> &str { "silent" }
/// #   fn len(&self) -> usize { self.0.len() }
/// #   fn receptors(&self) -> &[Receptor] { &self.1 }
/// #   fn state_names(&self) -> &[&'static str] { &["v_mv"] }
/// #   fn state(&self, _: &str) -> Option<&[f64]> { Some(&self.0) }
/// #   fn state_mut(&mut self, _: &str) -> Option<&mut [f64]> { Some(&mut self.0) }
/// #   fn step(&mut self, _: &StepContext, _: StepInput<'_>, _: &mut Vec<u32>) {}
/// # }
/// # let silent = |n| Silent(vec![0.0; n], vec![Receptor::current("exc", 1.0)]);
/// let mut b = NetworkBuilder::new(0.1, 1).unwrap();
/// b.add_population("A", silent(2)).unwrap();
/// b.add_population("B", silent(2)).unwrap();
/// let w = sprs::CsMatI::<f64, u32, usize>::new((2, 2), vec![0, 2, 3], vec![0, 1, 1], vec![0.5, 1.0, 2.0]);
/// b.connect("A", "B", "exc", w, Delay::Steps(1)).unwrap();
/// let id = b.add_monitor(WeightMonitor::new("A->B", 10, Some(vec![2, 0])));
/// let mut net = b.build().unwrap();
/// net.run_ms(5.0).unwrap();                   // 50 steps: samples at steps 0, 10, ..., 40
/// let m = net.monitor::<WeightMonitor>(id).unwrap();
/// assert_eq!(m.times_ms().len(), 5);
/// assert_eq!(m.sample(0), &[2.0, 0.5]);       // synapses 2 and 0
/// ```
pub struct WeightMonitor {
    projection: ProjectionRef,
    every_steps: u64,
    subset: Option<Vec<usize>>,
    index: usize,
    width: usize,
    keep: bool,
    times_ms: Vec<f64>,
    values: Vec<f64>,
    stream: Option<(PathBuf, OutputFormat)>,
    writer: Option<ArrayWriter>,
    row: Vec<f64>,
}

impl WeightMonitor {
    /// Record `projection`'s weights every `every_steps` steps (at least 1): all of them, or the
    /// synapses in `subset` (indices into the CSR data of the weights, in the order given).
    pub fn new(projection: impl Into<ProjectionRef>, every_steps: u64, subset: Option<Vec<usize>>) -> Self {
        Self {
            projection: projection.into(),
            every_steps: every_steps.max(1),
            subset,
            index: 0,
            width: 0,
            keep: true,
            times_ms: Vec::new(),
            values: Vec::new(),
            stream: None,
            writer: None,
            row: Vec::new(),
        }
    }

    /// Also stream to `dir/weights_<projection>.<ext>` (the name with `->` written `_to_` and
    /// other characters outside `[A-Za-z0-9_-]` as `_`).
    pub fn streaming_to(mut self, dir: &Path, format: OutputFormat) -> Self {
        self.stream = Some((dir.to_path_buf(), format));
        self
    }

    /// Do not keep the samples in memory (stream only).
    pub fn without_memory(mut self) -> Self {
        self.keep = false;
        self
    }

    /// Time of each sample, ms.
    pub fn times_ms(&self) -> &[f64] {
        &self.times_ms
    }

    /// Number of recorded synapses per sample.
    pub fn width(&self) -> usize {
        self.width
    }

    /// All samples, row-major (`times_ms().len() × width()`).
    pub fn values(&self) -> &[f64] {
        &self.values
    }

    /// The recorded weights of sample `k`.
    pub fn sample(&self, k: usize) -> &[f64] {
        &self.values[k * self.width..(k + 1) * self.width]
    }

    /// The weight of recorded synapse `j` (column) in every sample.
    pub fn trace(&self, j: usize) -> Vec<f64> {
        self.values.iter().skip(j).step_by(self.width.max(1)).copied().collect()
    }
}

impl Monitor for WeightMonitor {
    fn bind(&mut self, net: &dyn NetworkView) -> Result<(), EngramError> {
        let names = net.projection_names();
        self.index = match &self.projection {
            ProjectionRef::Name(name) => {
                net.projection(name).ok_or_else(|| EngramError::unknown("projection", name, names.iter().copied()))?
            }
            ProjectionRef::Index(i) if *i < names.len() => *i,
            ProjectionRef::Index(i) => {
                return Err(EngramError::Other(format!(
                    "WeightMonitor: projection {i} does not exist ({} projections)",
                    names.len()
                )));
            }
        };
        let name = names[self.index].to_string();
        let n = net.weights(self.index).map_or(0, <[f64]>::len);
        if let Some(bad) = self.subset.as_ref().and_then(|s| s.iter().find(|&&k| k >= n)) {
            return Err(EngramError::Other(format!(
                "WeightMonitor: synapse {bad} does not exist in projection `{name}` ({n} synapses)"
            )));
        }
        self.width = self.subset.as_ref().map_or(n, Vec::len);
        self.row = vec![0.0; self.width + 1];
        if let Some((dir, format)) = &self.stream {
            let columns: Vec<String> = std::iter::once("time_ms".to_string())
                .chain((0..self.width).map(|j| format!("s{}", self.subset.as_ref().map_or(j, |s| s[j]))))
                .collect();
            let columns: Vec<&str> = columns.iter().map(String::as_str).collect();
            let stem: String = name
                .replace("->", "_to_")
                .chars()
                .map(|c| if c.is_ascii_alphanumeric() || c == '_' || c == '-' { c } else { '_' })
                .collect();
            let path = dir.join(format!("weights_{stem}.{}", format.extension()));
            self.writer = Some(ArrayWriter::create(&path, *format, &columns)?);
        }
        Ok(())
    }

    fn observe(&mut self, ctx: &StepContext, net: &dyn NetworkView) -> Result<(), EngramError> {
        if ctx.step % self.every_steps != 0 {
            return Ok(());
        }
        let w = net.weights(self.index).unwrap_or(&[]);
        self.row[0] = ctx.time_ms();
        match &self.subset {
            None => self.row[1..].copy_from_slice(w),
            Some(s) => {
                for (r, &k) in self.row[1..].iter_mut().zip(s) {
                    *r = w[k];
                }
            }
        }
        if self.keep {
            self.times_ms.push(self.row[0]);
            self.values.extend_from_slice(&self.row[1..]);
        }
        if let Some(writer) = &mut self.writer {
            writer.write_row(&self.row)?;
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
