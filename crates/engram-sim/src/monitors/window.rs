//! Spike counts and mean state variables over time windows (trials), without whole traces.

use std::any::Any;

use engram_core::error::EngramError;
use engram_core::monitor::{Monitor, NetworkView};
use engram_core::neuron::StepContext;

use super::resolve;

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
