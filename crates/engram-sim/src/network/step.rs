//! Running a [`Network`]: `run_ms`, `run_steps`, the between-steps hook
//! ([`Network::run_steps_with`]) and one step of the loop (stimuli, advance, delivery,
//! plasticity with its delay lines, bookkeeping, monitors, divergence check).

use std::ops::Range;

use engram_core::busy;
use engram_core::error::EngramError;
use engram_core::neuron::{StepContext, StepInput};
use engram_core::plasticity::SynapsesMut;
use engram_core::stimulus::StimulusTarget;
use rayon::prelude::*;

use super::chunks::deliver_parallel;
use super::view::View;
use super::{Body, Network, Population, Projection, RunOptions, SynapseDelay};
use crate::progress::{Every, Progress};

impl Network {
    /// Run for `duration_ms` of simulated time.
    pub fn run_ms(&mut self, duration_ms: f64) -> Result<(), EngramError> {
        self.run_ms_with(duration_ms, &RunOptions::default())
    }

    /// Run for `duration_ms` with options (progress bar), then finish the monitors.
    ///
    /// If [`run_steps`](Self::run_steps) stops with an error, the progress bar is cleared and
    /// the error returned after the monitors are flushed; on [`EngramError::Interrupted`]
    /// (see [`crate::interrupt`]) they are also finished, so every streamed file is complete up
    /// to the time reached. (Should writing them fail as well, that is printed to stderr and
    /// the run's error returned.)
    pub fn run_ms_with(&mut self, duration_ms: f64, options: &RunOptions) -> Result<(), EngramError> {
        let n = self.clock.steps(duration_ms)?;
        let progress = Progress::new(&options.label, n, "steps", Every::Tenth, options.progress);
        // whole exchange intervals per chunk (one step unless split across ranks)
        let chunk = (n / 200).max(1).next_multiple_of(u64::from(self.exchange_interval_steps()));
        let mut done = 0;
        while done < n {
            let k = chunk.min(n - done);
            if let Err(e) = self.run_steps(k) {
                progress.set_message(&format!("{:.2} s simulated", self.time_ms() / 1000.0));
                progress.abandon();
                let written = match e {
                    EngramError::Interrupted { .. } => self.finish_monitors(),
                    _ => self.flush_monitors(),
                };
                if let Err(w) = written {
                    eprintln!("error: writing the monitors' outputs after the run stopped: {w}");
                }
                return Err(e);
            }
            done += k;
            if progress.is_visible() {
                progress.set_message(&format!("{:.2} s simulated", self.time_ms() / 1000.0));
                progress.set_position(done);
            }
        }
        progress.finish();
        self.finish_monitors()
    }

    /// Write what the monitors have buffered to their files ([`Monitor::flush`]) and go on
    /// recording: every streamed file is then complete and readable up to the current step.
    ///
    /// [`Monitor::flush`]: engram_core::monitor::Monitor::flush
    pub fn flush_monitors(&mut self) -> Result<(), EngramError> {
        self.monitors.iter_mut().try_for_each(|m| m.flush())
    }

    /// Flush and close the monitors' outputs (called at the end of `run_ms`; safe to call again).
    pub fn finish_monitors(&mut self) -> Result<(), EngramError> {
        for m in &mut self.monitors {
            m.finish()?;
        }
        Ok(())
    }

    /// Run `n` steps.
    ///
    /// After each complete step, checks for a stop request ([`crate::interrupt`]) and, if one
    /// is set, returns [`EngramError::Interrupted`] with the simulated time reached (the end
    /// of that step). The monitors are left open: [`run_ms_with`](Self::run_ms_with) finishes
    /// them, a caller of `run_steps` calls [`finish_monitors`](Self::finish_monitors).
    ///
    /// On a rank of a network split across ranks whose shortest transmission delay is `D > 1`
    /// steps ([`exchange_interval_steps`](Self::exchange_interval_steps)), runs by intervals
    /// of `D` steps (the last one shorter), with one spike exchange each (see the
    /// [network docs](crate::network#across-ranks)); the network is complete at the end, and
    /// a stop request is seen at the end of an interval.
    pub fn run_steps(&mut self, n: u64) -> Result<(), EngramError> {
        let interval = u64::from(self.exchange_interval_steps());
        if interval <= 1 {
            return self.run_steps_with(n, |_, _| Ok(()));
        }
        let parallel = self.parallel && rayon::current_num_threads() > 1;
        let stop = crate::interrupt::flag_ref();
        let mut done = 0;
        while done < n {
            let len = (n - done).min(interval) as usize;
            if parallel {
                self.run_interval(len, true)?;
            } else {
                busy::timed(|| self.run_interval(len, false))?;
            }
            done += len as u64;
            if let Some(signal) = crate::interrupt::name(stop.load(std::sync::atomic::Ordering::Relaxed)) {
                return Err(EngramError::Interrupted { signal, time_ms: self.time_ms() });
            }
        }
        Ok(())
    }

    /// Steps between two spike exchanges of a network split across ranks: the shortest
    /// transmission delay of all its projections, over all ranks, in steps (at most
    /// [`MAX_EXCHANGE_INTERVAL_STEPS`](super::MAX_EXCHANGE_INTERVAL_STEPS)); 1 for a network in one
    /// process.
    pub fn exchange_interval_steps(&self) -> u32 {
        self.distributed.as_ref().map_or(1, |d| d.interval_steps())
    }

    /// Spike exchanges made so far by this rank of a network split across ranks (0 in one
    /// process): one per step with [`run_steps_with`](Self::run_steps_with), one per
    /// [interval](Self::exchange_interval_steps) with [`run_steps`](Self::run_steps).
    pub fn spike_exchanges(&self) -> u64 {
        self.distributed.as_ref().map_or(0, |d| d.exchanges())
    }

    /// Run `n` steps like [`run_steps`](Self::run_steps), calling `between(net, step)` before
    /// each of them: `step` is the step about to be computed (`net.current_step()`), and the
    /// previous step is complete (its spikes delivered, its plasticity applied, its monitors
    /// fed). The hook may do anything a caller between two `run_steps` calls may: edit weights
    /// ([`weights_mut`](Self::weights_mut)), set the modulator, perturb a model
    /// ([`model_mut`](Self::model_mut)), start a trial of a stimulus. An error from the hook
    /// ends the run before that step, as an error of the step would.
    ///
    /// The hook is called with the whole network, so it is not part of the network's state:
    /// a [checkpoint](Self::checkpoint) does not include it, and a restored run passes its own.
    ///
    /// ```
    /// # use engram_sim::prelude::*;
    /// # use engram_core::prelude::*;
    /// # use engram_core::neuron::StepInput;
    /// # struct Integrator1 { v: Vec<f64>, r: Vec<Receptor> }
    /// # impl NeuronModel for Integrator1 {
    /// #   fn kind(&self) -> &str { "toy" }
    /// #   fn len(&self) -> usize { self.v.len() }
    /// #   fn receptors(&self) -> &[Receptor] { &self.r }
    /// #   fn state_names(&self) -> &[&'static str] { &["v_mv"] }
    /// #   fn state(&self, n: &str) -> Option<&[f64]> { (n == "v_mv").then_some(&self.v[..]) }
    /// #   fn state_mut(&mut self, n: &str) -> Option<&mut [f64]> { (n == "v_mv").then_some(&mut self.v[..]) }
    /// #   fn step(&mut self, _c: &StepContext, inp: StepInput<'_>, s: &mut Vec<u32>) {
    /// #     for i in 0..self.v.len() { self.v[i] += inp.receptors[0][i] + 0.01 * inp.current_pa[i];
    /// #       if self.v[i] >= 1.0 { self.v[i] = 0.0; s.push(i as u32) } } }
    /// # }
    /// # let toy = |n| Integrator1 { v: vec![0.0; n], r: vec![Receptor::current("exc", 1.0)] };
    /// let mut b = NetworkBuilder::new(0.1, 42).unwrap();
    /// b.add_population("A", toy(10)).unwrap();
    /// b.add_population("B", toy(10)).unwrap();
    /// let ab = b.connect("A", "B", "exc", sprs::CsMatI::eye(10), Delay::Steps(1)).unwrap();
    /// b.add_stimulus("A", engram_sim::stimulus::ConstantCurrent::new(2.0)).unwrap(); // A fires every 5 ms
    /// let mut net = b.build().unwrap();
    /// // silence A -> B from t = 20 ms on, in the middle of a run
    /// net.run_steps_with(400, |net, step| {
    ///     if step == 200 {
    ///         net.weights_mut(ab).data_mut().fill(0.0);
    ///     }
    ///     Ok(())
    /// })
    /// .unwrap();
    /// let fired = net.spike_counts("B").unwrap()[0];
    /// assert_eq!(fired, 4);                             // B fired after A's spikes at 5, 10, 15, 20 ms
    /// ```
    pub fn run_steps_with<F>(&mut self, n: u64, mut between: F) -> Result<(), EngramError>
    where
        F: FnMut(&mut Network, u64) -> Result<(), EngramError>,
    {
        let parallel = self.parallel && rayon::current_num_threads() > 1;
        let stop = crate::interrupt::flag_ref();
        for _ in 0..n {
            between(self, self.step)?;
            if parallel {
                self.step_once(true)?;
            } else {
                busy::timed(|| self.step_once(false))?;
            }
            if let Some(signal) = crate::interrupt::name(stop.load(std::sync::atomic::Ordering::Relaxed)) {
                return Err(EngramError::Interrupted { signal, time_ms: self.time_ms() });
            }
        }
        Ok(())
    }

    /// One step of the loop, in the order of the [module docs](crate::network).
    fn step_once(&mut self, parallel: bool) -> Result<(), EngramError> {
        let step = self.step;
        self.advance_step(parallel, step);
        // across ranks: every rank gets every rank's spikes of this step (see `partition`)
        if let Some(d) = &mut self.distributed {
            serial(parallel, || d.exchange_steps(std::slice::from_mut(&mut self.spikes)))?;
        }
        self.deliver_step(parallel, step)
    }

    /// `len` steps (at most the exchange interval) of a rank of a network split across
    /// ranks, with one exchange: every step's stimuli and advance, keeping each step's spike
    /// lists; the exchange of the interval's spikes; then every step's delivery, plasticity,
    /// bookkeeping and monitors, in step order, with the spike lists of a single process.
    /// Exact because every transmission delay is at least the interval: no spike of the
    /// interval reaches an input before the interval's last step has advanced, and every
    /// input buffer receives its terms in the single process's order.
    fn run_interval(&mut self, len: usize, parallel: bool) -> Result<(), EngramError> {
        let t0 = self.step;
        let mut interval = std::mem::take(&mut self.distributed.as_mut().expect("a distributed network").interval);
        for (k, spikes) in interval[..len].iter_mut().enumerate() {
            self.advance_step(parallel, t0 + k as u64);
            std::mem::swap(&mut self.spikes, spikes);
        }
        let d = self.distributed.as_mut().expect("a distributed network");
        let mut done = serial(parallel, || d.exchange_steps(&mut interval[..len]));
        for (k, spikes) in interval[..len].iter_mut().enumerate() {
            if done.is_err() {
                break;
            }
            std::mem::swap(&mut self.spikes, spikes);
            done = self.deliver_step(parallel, t0 + k as u64);
        }
        self.distributed.as_mut().expect("a distributed network").interval = interval;
        done
    }

    /// Steps 1–3 of step `step`: stimuli, sources and neurons (the spikes of the step in
    /// `self.spikes`).
    fn advance_step(&mut self, parallel: bool, step: u64) {
        let ctx = StepContext { step, dt_ms: self.clock.dt_ms() };
        let slot = (step % self.ring_len as u64) as usize;

        // 2. stimuli write into this step's input
        serial(parallel, || {
            for s in &mut self.stimuli {
                let p = &mut self.populations[s.target];
                let first_neuron = p.local.as_ref().map_or(0, |block| block.start);
                if let Body::Neurons { ring, current_pa, .. } = &mut p.body {
                    let receptor = s.receptor.map(|r| &mut ring[slot][r][..]);
                    s.stimulus.apply(&ctx, StimulusTarget { receptor, current_pa, first_neuron });
                }
            }
        });

        // 1 + 3. sources emit, neurons advance (on a rank of a distributed network, its own
        //    block of each population)
        let owned = self.distributed.as_ref().map(|d| d.owned());
        let own = |pop: usize| owned.map(|o| o[pop].clone());
        if parallel {
            let chunk_len = self.chunk_len;
            self.populations
                .par_iter_mut()
                .zip(self.spikes.par_iter_mut())
                .enumerate()
                .for_each(|(i, (p, s))| advance_chunked(p, s, &ctx, slot, chunk_len, own(i)));
        } else {
            for (i, (p, s)) in self.populations.iter_mut().zip(self.spikes.iter_mut()).enumerate() {
                advance(p, s, &ctx, slot, own(i));
            }
        }
    }

    /// Steps 4–6 of step `step` with its spikes in `self.spikes`: short-term plasticity,
    /// delivery, plasticity, bookkeeping, monitors; then the step is complete (the step
    /// count moves past it) and, every `check_every` steps, the divergence guard looks.
    fn deliver_step(&mut self, parallel: bool, step: u64) -> Result<(), EngramError> {
        let ctx = StepContext { step, dt_ms: self.clock.dt_ms() };

        // 4. short-term plasticity sets the efficacies of this step's transmitting synapses
        //    (sequential: one rule per projection), then delivery, one writer per target
        //    element (per target population, or per chunk of it in a parallel step)
        serial(parallel, || {
            for p in &mut self.projections {
                if let (Some((rule, _)), Some(eff)) = (&mut p.rule, &mut p.efficacy) {
                    let row_ptr = p.weights.indptr();
                    rule.before_delivery(&ctx, &self.spikes[p.pre], row_ptr.raw_storage(), eff);
                }
            }
        });
        let (projections, spikes) = (&self.projections, &self.spikes);
        if parallel {
            // by chunks of the targets (see `chunks`): bit-identical to the loop below
            let (table, tasks) = (&mut self.ring_table, &self.tasks);
            let (by_target, ring_len) = (&self.by_target, self.ring_len);
            deliver_parallel(table, &mut self.populations, tasks, by_target, projections, spikes, step, ring_len);
        } else {
            for (p, incoming) in self.populations.iter_mut().zip(&self.by_target) {
                deliver(p, incoming, projections, spikes, step);
            }
        }

        serial(parallel, || self.after_delivery(&ctx, step))?;
        self.step = step + 1;
        self.steps_run += 1;
        if self.step % self.check_every == 0 {
            self.check_divergence()?;
        }
        Ok(())
    }

    /// Steps 5 and 6 of the loop: plasticity, bookkeeping, monitors.
    fn after_delivery(&mut self, ctx: &StepContext, step: u64) -> Result<(), EngramError> {
        // 5. plasticity (on the spikes that reach the synapse in this step)
        for p in &mut self.projections {
            if let Some((rule, t)) = &mut p.rule {
                // The matrix's own row pointers and columns beside its mutable values (no
                // copies; the rows of this step's spikes are still in cache from delivery).
                let (row_ptr, post, weights) = p.weights.view_mut().into_raw_storage();
                let syn = SynapsesMut {
                    row_ptr,
                    post,
                    weights,
                    col_ptr: &t.col_ptr,
                    syn_of_post: &t.syn_of_post,
                    pre_of_post: &t.pre_of_post,
                };
                let pre = p.timing.pre.advance(step, &self.spikes[p.pre]);
                let post = p.timing.post.advance(step, &self.spikes[p.post]);
                rule.step(ctx, pre, post, self.modulator, syn);
            }
        }

        // 6. bookkeeping and monitors
        for ((s, total), (window, per_neuron)) in self
            .spikes
            .iter()
            .zip(&mut self.spike_counts)
            .zip(self.window_counts.iter_mut().zip(&mut self.neuron_counts))
        {
            *total += s.len() as u64;
            *window += s.len() as u64;
            for &i in s {
                per_neuron[i as usize] += 1;
            }
        }
        if !self.monitors.is_empty() {
            let view = View { pops: &self.populations, spikes: &self.spikes, projections: &self.projections };
            for m in &mut self.monitors {
                m.observe(ctx, &view)?;
            }
        }
        Ok(())
    }
}

/// Advance one population (steps 1 and 3 of the loop); with `owned`, only those neurons
/// need to advance ([`NeuronModel::step_owned`]).
///
/// [`NeuronModel::step_owned`]: engram_core::neuron::NeuronModel::step_owned
fn advance(pop: &mut Population, spikes: &mut Vec<u32>, ctx: &StepContext, slot: usize, owned: Option<Range<usize>>) {
    spikes.clear();
    let local = pop.local.clone();
    match &mut pop.body {
        Body::Source(src) => src.emit(ctx, spikes),
        Body::Neurons { model, ring, current_pa, stimulated } => {
            let input = StepInput { receptors: &ring[slot], current_pa };
            match (local, owned) {
                (Some(block), _) => {
                    model.step(ctx, input, spikes);
                    to_network_indices(spikes, block.start);
                }
                (None, Some(own)) => model.step_owned(ctx, input, own, None, spikes),
                (None, None) => model.step(ctx, input, spikes),
            }
            for buf in ring[slot].iter_mut() {
                buf.fill(0.0);
            }
            if *stimulated {
                current_pa.fill(0.0);
            }
        }
    }
}

/// [`advance`] in a parallel step: the model may advance its chunks in parallel
/// ([`NeuronModel::step_chunked`](engram_core::neuron::NeuronModel::step_chunked)), and the
/// input slot is cleared by chunks.
fn advance_chunked(
    pop: &mut Population,
    spikes: &mut Vec<u32>,
    ctx: &StepContext,
    slot: usize,
    chunk_len: usize,
    owned: Option<Range<usize>>,
) {
    spikes.clear();
    let local = pop.local.clone();
    match &mut pop.body {
        Body::Source(src) => busy::timed(|| src.emit(ctx, spikes)),
        Body::Neurons { model, ring, current_pa, stimulated } => {
            let input = StepInput { receptors: &ring[slot], current_pa };
            match (local, owned) {
                (Some(block), _) => {
                    model.step_chunked(ctx, input, chunk_len, spikes);
                    to_network_indices(spikes, block.start);
                }
                (None, Some(own)) => model.step_owned(ctx, input, own, Some(chunk_len), spikes),
                (None, None) => model.step_chunked(ctx, input, chunk_len, spikes),
            }
            for buf in ring[slot].iter_mut().chain(stimulated.then_some(current_pa)) {
                buf.par_chunks_mut(chunk_len).for_each(|b| busy::timed(|| b.fill(0.0)));
            }
        }
    }
}

/// The spikes of a population that stores only a block from `first` on, from the model's
/// indices (within the block) to the network's.
fn to_network_indices(spikes: &mut [u32], first: usize) {
    if first > 0 {
        let first = first as u32;
        spikes.iter_mut().for_each(|s| *s += first);
    }
}

/// Run a sequential section of a parallel step as one timed piece of work ([`busy`]); in a
/// sequential step (timed as a whole) just run it.
fn serial<R>(parallel: bool, section: impl FnOnce() -> R) -> R {
    if parallel { busy::timed(section) } else { section() }
}

/// Deliver this step's spikes of all projections onto one target population (step 4).
fn deliver(pop: &mut Population, incoming: &[usize], projections: &[Projection], spikes: &[Vec<u32>], step: u64) {
    // element `j - first` of a buffer is neuron `j` (every synapse here targets a stored neuron)
    let first = pop.first_stored();
    let Body::Neurons { ring, .. } = &mut pop.body else { return };
    let ring_len = ring.len() as u64;
    for &pi in incoming {
        let p = &projections[pi];
        let pre_spikes = &spikes[p.pre];
        if pre_spikes.is_empty() {
            continue;
        }
        let ip = p.weights.indptr();
        let ip = ip.raw_storage();
        let (idx, w) = (p.weights.indices(), p.weights.data());
        match (&p.delay, &p.efficacy) {
            (SynapseDelay::Uniform(d), None) => {
                let buf = &mut ring[((step + *d as u64) % ring_len) as usize][p.receptor];
                for &i in pre_spikes {
                    let row = ip[i as usize]..ip[i as usize + 1];
                    for (&j, &wk) in idx[row.clone()].iter().zip(&w[row]) {
                        buf[j as usize - first] += wk;
                    }
                }
            }
            (SynapseDelay::PerSynapse(delays), None) => {
                for &i in pre_spikes {
                    for k in ip[i as usize]..ip[i as usize + 1] {
                        let slot = ((step + delays[k] as u64) % ring_len) as usize;
                        ring[slot][p.receptor][idx[k] as usize - first] += w[k];
                    }
                }
            }
            (SynapseDelay::Uniform(d), Some(eff)) => {
                let buf = &mut ring[((step + *d as u64) % ring_len) as usize][p.receptor];
                for &i in pre_spikes {
                    let row = ip[i as usize]..ip[i as usize + 1];
                    for ((&j, &wk), &ek) in idx[row.clone()].iter().zip(&w[row.clone()]).zip(&eff[row]) {
                        buf[j as usize - first] += wk * ek;
                    }
                }
            }
            (SynapseDelay::PerSynapse(delays), Some(eff)) => {
                for &i in pre_spikes {
                    for k in ip[i as usize]..ip[i as usize + 1] {
                        let slot = ((step + delays[k] as u64) % ring_len) as usize;
                        ring[slot][p.receptor][idx[k] as usize - first] += w[k] * eff[k];
                    }
                }
            }
        }
    }
}
