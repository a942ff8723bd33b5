//! Rasters: the spikes of one population as parallel lists of step indices and neuron indices,
//! with the simple statistics tests assert on (counts, rates, inter-spike intervals, CV, Fano
//! factor of the population count).
//!
//! ```
//! use engram_testkit::raster::Raster;
//! // neuron 0 fires every 10 steps, neuron 1 twice; dt = 1 ms
//! let trains = vec![(0..10).map(|k| 10 * k).collect(), vec![3, 50]];
//! let r = Raster::from_trains(&trains, 1.0);
//! assert_eq!(r.len(), 12);
//! assert_eq!(r.counts(), vec![10, 2]);
//! assert_eq!(r.rates_hz(100), vec![100.0, 20.0]);     // over 100 steps = 0.1 s
//! assert_eq!(r.cv_isi(), Some(0.0));                    // neuron 0 is perfectly regular
//! assert_eq!(r.window(0, 20).len(), 3);                 // steps 0, 3 and 10
//! assert_eq!(r.trains(), trains);
//! ```

/// Spikes of a population, sorted by step and, within a step, by neuron.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Raster {
    n_neurons: usize,
    dt_ms: f64,
    steps: Vec<u64>,
    neurons: Vec<u32>,
}

impl Raster {
    /// An empty raster of `n_neurons` neurons recorded with step `dt_ms`.
    pub fn new(n_neurons: usize, dt_ms: f64) -> Self {
        Self { n_neurons, dt_ms, steps: Vec::new(), neurons: Vec::new() }
    }

    /// From the spike steps of each neuron (`trains[i]`: steps of neuron `i`, any order).
    pub fn from_trains(trains: &[Vec<u64>], dt_ms: f64) -> Self {
        let mut pairs: Vec<(u64, u32)> =
            trains.iter().enumerate().flat_map(|(i, t)| t.iter().map(move |&s| (s, i as u32))).collect();
        pairs.sort_unstable();
        let (steps, neurons) = pairs.into_iter().unzip();
        Self { n_neurons: trains.len(), dt_ms, steps, neurons }
    }

    /// From spike times in ms and neuron indices, as a `SpikeMonitor` of the engine records
    /// them (`times_ms(pop)`, `neurons(pop)`); times are rounded to steps of `dt_ms`.
    pub fn from_times_ms(n_neurons: usize, dt_ms: f64, times_ms: &[f64], neurons: &[u32]) -> Self {
        assert_eq!(times_ms.len(), neurons.len(), "one neuron per spike time");
        let mut pairs: Vec<(u64, u32)> =
            times_ms.iter().zip(neurons).map(|(&t, &i)| ((t / dt_ms).round() as u64, i)).collect();
        pairs.sort_unstable();
        let (steps, neurons) = pairs.into_iter().unzip();
        Self { n_neurons, dt_ms, steps, neurons }
    }

    /// Append the spikes of step `step` (not earlier than the last step pushed).
    ///
    /// # Panics
    /// If `step` is earlier than the last one pushed or a neuron is out of range.
    pub fn push(&mut self, step: u64, neurons: &[u32]) {
        if let Some(&last) = self.steps.last() {
            assert!(step >= last, "step {step} pushed after step {last}");
        }
        let mut sorted = neurons.to_vec();
        sorted.sort_unstable();
        for i in sorted {
            assert!((i as usize) < self.n_neurons, "neuron {i} of a raster of {} neurons", self.n_neurons);
            self.steps.push(step);
            self.neurons.push(i);
        }
    }

    /// Number of neurons.
    pub fn n_neurons(&self) -> usize {
        self.n_neurons
    }

    /// Step size, ms.
    pub fn dt_ms(&self) -> f64 {
        self.dt_ms
    }

    /// Number of spikes.
    pub fn len(&self) -> usize {
        self.steps.len()
    }

    /// `true` without spikes.
    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }

    /// Step of each spike.
    pub fn steps(&self) -> &[u64] {
        &self.steps
    }

    /// Neuron of each spike.
    pub fn neurons(&self) -> &[u32] {
        &self.neurons
    }

    /// Time of each spike (start of its step), ms.
    pub fn times_ms(&self) -> Vec<f64> {
        self.steps.iter().map(|&s| s as f64 * self.dt_ms).collect()
    }

    /// The spike steps of each neuron.
    pub fn trains(&self) -> Vec<Vec<u64>> {
        let mut out = vec![Vec::new(); self.n_neurons];
        for (&s, &i) in self.steps.iter().zip(&self.neurons) {
            out[i as usize].push(s);
        }
        out
    }

    /// Spikes per neuron.
    pub fn counts(&self) -> Vec<u64> {
        let mut out = vec![0; self.n_neurons];
        for &i in &self.neurons {
            out[i as usize] += 1;
        }
        out
    }

    /// The spikes in steps `from..to`, same neurons.
    pub fn window(&self, from: u64, to: u64) -> Raster {
        let a = self.steps.partition_point(|&s| s < from);
        let b = self.steps.partition_point(|&s| s < to);
        Raster {
            n_neurons: self.n_neurons,
            dt_ms: self.dt_ms,
            steps: self.steps[a..b].to_vec(),
            neurons: self.neurons[a..b].to_vec(),
        }
    }

    /// Rate of each neuron over `duration_steps` steps, Hz.
    pub fn rates_hz(&self, duration_steps: u64) -> Vec<f64> {
        let t_s = duration_steps as f64 * self.dt_ms / 1000.0;
        self.counts().into_iter().map(|c| c as f64 / t_s).collect()
    }

    /// Mean rate per neuron over `duration_steps` steps, Hz.
    pub fn mean_rate_hz(&self, duration_steps: u64) -> f64 {
        let t_s = duration_steps as f64 * self.dt_ms / 1000.0;
        self.len() as f64 / self.n_neurons.max(1) as f64 / t_s
    }

    /// Inter-spike intervals of every neuron, pooled, ms.
    pub fn isis_ms(&self) -> Vec<f64> {
        self.trains().iter().flat_map(|t| crate::neuron::isis_ms(t, self.dt_ms)).collect()
    }

    /// Mean over neurons with at least two intervals of the coefficient of variation of their
    /// inter-spike intervals (1 for a Poisson train, 0 for a regular one); `None` if no neuron
    /// has two intervals.
    pub fn cv_isi(&self) -> Option<f64> {
        let cvs: Vec<f64> = self
            .trains()
            .iter()
            .map(|t| crate::neuron::isis_ms(t, self.dt_ms))
            .filter(|isi| isi.len() >= 2)
            .map(|isi| crate::stats::cv(&isi))
            .collect();
        (!cvs.is_empty()).then(|| crate::stats::mean(&cvs))
    }

    /// Spikes of the whole population in consecutive bins of `bin_steps` steps covering
    /// `0..duration_steps` (a last partial bin is dropped).
    pub fn population_counts(&self, bin_steps: u64, duration_steps: u64) -> Vec<u64> {
        assert!(bin_steps > 0, "bins of at least one step");
        let mut out = vec![0; (duration_steps / bin_steps) as usize];
        for &s in &self.steps {
            if let Some(c) = out.get_mut((s / bin_steps) as usize) {
                *c += 1;
            }
        }
        out
    }

    /// Fano factor (variance / mean) of the population counts in bins of `bin_steps` (1 for
    /// independent Poisson neurons, larger for synchronous activity); `None` without spikes or
    /// with fewer than two bins.
    pub fn fano_factor(&self, bin_steps: u64, duration_steps: u64) -> Option<f64> {
        let counts: Vec<f64> =
            self.population_counts(bin_steps, duration_steps).into_iter().map(|c| c as f64).collect();
        let m = crate::stats::mean(&counts);
        (counts.len() >= 2 && m > 0.0).then(|| crate::stats::variance(&counts) / m)
    }
}
