//! Taking a [`Checkpoint`] of a [`Network`] and restoring one: the structure check that
//! refuses a network built otherwise, and the load that puts a network back if a component
//! refuses its state.

use std::ops::Range;

use engram_core::checkpoint::ComponentState;
use engram_core::error::EngramError;

use super::{Checkpoint, FORMAT_VERSION, PlasticityDelayState, PopulationState, ProjectionState, StimulusState};
use crate::network::{Body, Network, Projection, SynapseDelay};

impl Network {
    /// The complete dynamic state, for [`restore`](Self::restore) into this network or into
    /// one built the same way (see [`crate::checkpoint`]). Fails, naming it, if a model,
    /// source, stimulus or rule does not implement checkpoints. Monitors are not included. On
    /// a rank of a network split across ranks, this rank's part only; the whole network's is
    /// [`gather_checkpoint`](Self::gather_checkpoint).
    pub fn checkpoint(&self) -> Result<Checkpoint, EngramError> {
        let populations = self
            .populations
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let (state, is_source, n_receptors, ring, current_pa) = match (&p.body, &p.local) {
                    (Body::Neurons { model, ring, current_pa, .. }, None) => (
                        model.save_state()?,
                        false,
                        model.receptors().len(),
                        ring.iter().flatten().flatten().copied().collect(),
                        current_pa.clone(),
                    ),
                    // a rank that stores only its block: the arrays of the whole population,
                    // its own neurons' values in place (as a rank storing every neuron has them)
                    (Body::Neurons { model, ring, current_pa, .. }, Some(block)) => (
                        widen_state(model.save_state()?, block, p.len).map_err(|e| within(e, &p.name))?,
                        false,
                        model.receptors().len(),
                        ring.iter().flatten().flat_map(|buf| widen(buf, block, p.len)).collect(),
                        widen(current_pa, block, p.len),
                    ),
                    (Body::Source(src), _) => (src.save_state()?, true, 0, Vec::new(), Vec::new()),
                };
                Ok(PopulationState {
                    name: p.name.clone(),
                    len: p.len,
                    is_source,
                    state,
                    n_receptors,
                    ring,
                    current_pa,
                    last_spikes: self.spikes[i].clone(),
                    spike_count: self.spike_counts[i],
                    window_count: self.window_counts[i],
                    neuron_counts: self.neuron_counts[i].clone(),
                })
            })
            .collect::<Result<_, EngramError>>()?;
        let projections = self
            .projections
            .iter()
            .map(|p| {
                Ok(ProjectionState {
                    name: p.name.clone(),
                    pre: self.populations[p.pre].name.clone(),
                    post: self.populations[p.post].name.clone(),
                    receptor: self.receptor_name(p),
                    shape: p.weights.shape(),
                    nnz: p.weights.nnz(),
                    structure_hash: structure_hash(p),
                    weights: p.weights.data().to_vec(),
                    efficacy: p.efficacy.clone(),
                    rule: p.rule.as_ref().map(|(r, _)| r.save_state()).transpose()?,
                    plasticity_delays: p.timing.is_delayed().then(|| {
                        let ((pre_spikes, pre_counts), (post_spikes, post_counts)) =
                            (p.timing.pre.save(), p.timing.post.save());
                        PlasticityDelayState { pre_spikes, pre_counts, post_spikes, post_counts }
                    }),
                })
            })
            .collect::<Result<_, EngramError>>()?;
        let stimuli = self
            .stimuli
            .iter()
            .map(|s| {
                Ok(StimulusState { target: self.populations[s.target].name.clone(), state: s.stimulus.save_state()? })
            })
            .collect::<Result<_, EngramError>>()?;
        Ok(Checkpoint {
            version: FORMAT_VERSION,
            dt_ms: self.clock.dt_ms(),
            seed: self.seed,
            step: self.step,
            steps_run: self.steps_run,
            modulator: self.modulator,
            ring_len: self.ring_len,
            populations,
            projections,
            stimuli,
        })
    }

    fn receptor_name(&self, p: &Projection) -> String {
        match &self.populations[p.post].body {
            Body::Neurons { model, .. } => model.receptors()[p.receptor].name.clone(),
            Body::Source(_) => String::new(),
        }
    }

    /// Check that `checkpoint` was taken from a network with this structure (step size,
    /// populations with their names, sizes and kinds, projections with their end points,
    /// receptors, shapes, connectivity and delays, rules, stimuli).
    fn check_structure(&self, ck: &Checkpoint) -> Result<(), EngramError> {
        let fail =
            |msg: String| Err(EngramError::Checkpoint(format!("the checkpoint does not fit this network: {msg}")));
        if ck.version != FORMAT_VERSION {
            return fail(format!("checkpoint version {}, this engine writes {FORMAT_VERSION}", ck.version));
        }
        if ck.dt_ms.to_bits() != self.clock.dt_ms().to_bits() {
            return fail(format!("dt = {} ms in the checkpoint, {} ms here", ck.dt_ms, self.clock.dt_ms()));
        }
        if ck.populations.len() != self.populations.len() {
            let names: Vec<&str> = ck.populations.iter().map(|p| p.name.as_str()).collect();
            return fail(format!(
                "{} populations ({}) in the checkpoint, {} here ({})",
                names.len(),
                names.join(", "),
                self.populations.len(),
                self.populations.iter().map(|p| p.name.as_str()).collect::<Vec<_>>().join(", ")
            ));
        }
        for (p, c) in self.populations.iter().zip(&ck.populations) {
            if p.name != c.name || p.len != c.len {
                return fail(format!(
                    "population `{}` ({} neurons) here, `{}` ({}) in the checkpoint",
                    p.name, p.len, c.name, c.len
                ));
            }
            let (kind, is_source, n_receptors) = match &p.body {
                Body::Neurons { model, .. } => (model.kind().to_string(), false, model.receptors().len()),
                Body::Source(src) => (src.kind().to_string(), true, 0),
            };
            if kind != c.state.kind || is_source != c.is_source {
                return fail(format!(
                    "population `{}` is a `{kind}` here, a `{}` in the checkpoint",
                    p.name, c.state.kind
                ));
            }
            let ring = if is_source { 0 } else { self.ring_len * n_receptors * p.len };
            let current = if is_source { 0 } else { p.len };
            if c.n_receptors != n_receptors
                || c.ring.len() != ring
                || c.current_pa.len() != current
                || c.neuron_counts.len() != p.len
                || c.last_spikes.iter().any(|&i| i as usize >= p.len)
            {
                return fail(format!(
                    "population `{}`: delay buffers or counters of another size (longest delay or receptors differ)",
                    p.name
                ));
            }
        }
        if ck.projections.len() != self.projections.len() {
            return fail(format!(
                "{} projections in the checkpoint, {} here",
                ck.projections.len(),
                self.projections.len()
            ));
        }
        for (p, c) in self.projections.iter().zip(&ck.projections) {
            let (pre, post) = (&self.populations[p.pre].name, &self.populations[p.post].name);
            let what = format!("projection `{}` ({pre} -> {post})", p.name);
            if (pre, post) != (&c.pre, &c.post) || self.receptor_name(p) != c.receptor {
                return fail(format!(
                    "{what} here, `{}` ({} -> {}, receptor `{}`) in the checkpoint",
                    c.name, c.pre, c.post, c.receptor
                ));
            }
            if p.weights.shape() != c.shape || p.weights.nnz() != c.nnz || c.weights.len() != c.nnz {
                return fail(format!(
                    "{what}: {:?} with {} synapses here, {:?} with {} in the checkpoint",
                    p.weights.shape(),
                    p.weights.nnz(),
                    c.shape,
                    c.nnz
                ));
            }
            if structure_hash(p) != c.structure_hash {
                return fail(format!("{what}: same size, but other synapses or delays"));
            }
            let rule = p.rule.as_ref().map(|(r, _)| r.name().to_string());
            let saved = c.rule.as_ref().map(|r| r.kind.clone());
            if rule != saved {
                let show = |r: Option<String>| r.map_or("no plasticity rule".to_string(), |r| format!("`{r}`"));
                return fail(format!("{what}: {} here, {} in the checkpoint", show(rule), show(saved)));
            }
            if p.efficacy.as_ref().map(Vec::len) != c.efficacy.as_ref().map(Vec::len) {
                return fail(format!("{what}: short-term plasticity efficacies differ"));
            }
            let steps = |pre: usize, post: usize| format!("axonal {pre}, dendritic {post} steps");
            let here = steps(p.timing.pre.steps(), p.timing.post.steps());
            let saved =
                c.plasticity_delays.as_ref().map_or(steps(0, 0), |d| steps(d.pre_counts.len(), d.post_counts.len()));
            if here != saved {
                return fail(format!("{what}: plasticity delays of {here} here, {saved} in the checkpoint"));
            }
            if let Some(d) = &c.plasticity_delays {
                let (n_pre, n_post) = (self.populations[p.pre].len, self.populations[p.post].len);
                let fits = |spikes: &[u32], counts: &[u32], n: usize| {
                    counts.iter().map(|&c| c as usize).sum::<usize>() == spikes.len()
                        && spikes.iter().all(|&i| (i as usize) < n)
                };
                if !fits(&d.pre_spikes, &d.pre_counts, n_pre) || !fits(&d.post_spikes, &d.post_counts, n_post) {
                    return fail(format!("{what}: the spikes on their way to the plasticity rule do not fit"));
                }
            }
        }
        if ck.stimuli.len() != self.stimuli.len() {
            return fail(format!("{} stimuli in the checkpoint, {} here", ck.stimuli.len(), self.stimuli.len()));
        }
        for (k, (s, c)) in self.stimuli.iter().zip(&ck.stimuli).enumerate() {
            let target = &self.populations[s.target].name;
            if target != &c.target || s.stimulus.kind() != c.state.kind {
                return fail(format!(
                    "stimulus {k} is a `{}` on `{target}` here, a `{}` on `{}` in the checkpoint",
                    s.stimulus.kind(),
                    c.state.kind,
                    c.target
                ));
            }
        }
        Ok(())
    }

    /// Load a [`checkpoint`](Self::checkpoint) taken from this network or from one built the
    /// same way (same step size, populations, projections with the same synapses and delays,
    /// rules and stimuli); the next steps are then bit-identical to those that followed the
    /// checkpoint in the original run. A network of another structure is refused with an error
    /// naming the first difference, before anything changes; if a component refuses its state,
    /// the network is put back as it was. Monitors are left as they are.
    ///
    /// On a rank of a network split across ranks, only that rank's own checkpoint (taken with
    /// `checkpoint` on the same rank) fits; the checkpoint of the whole network
    /// ([`gather_checkpoint`](Self::gather_checkpoint), or a single process's) restores into
    /// the ranks' parts with [`restore_whole`](Self::restore_whole), and is refused here with
    /// an error that says so.
    pub fn restore(&mut self, checkpoint: &Checkpoint) -> Result<(), EngramError> {
        if let Err(e) = self.check_structure(checkpoint) {
            return Err(match (self.partition(), e) {
                (Some(p), EngramError::Checkpoint(msg)) => EngramError::Checkpoint(format!(
                    "{msg} (this network is rank {} of {}, which holds only the synapses onto its own \
                     neurons: it restores a checkpoint that the same rank took with `checkpoint`; a \
                     checkpoint of the whole network, such as a run's `checkpoints/<phase>/`, \
                     restores into the ranks' parts with `restore_whole`, called on every rank)",
                    p.rank(),
                    p.n_ranks()
                )),
                (_, e) => e,
            });
        }
        let backup = self.checkpoint()?;
        if let Err(e) = self.load_unchecked(checkpoint) {
            self.load_unchecked(&backup).expect("the network's own state loads back");
            return Err(e);
        }
        Ok(())
    }

    fn load_unchecked(&mut self, ck: &Checkpoint) -> Result<(), EngramError> {
        let ring_len = self.ring_len;
        for (i, (p, c)) in self.populations.iter_mut().zip(&ck.populations).enumerate() {
            match (&mut p.body, &p.local) {
                (Body::Neurons { model, ring, current_pa, .. }, None) => {
                    model.load_state(&c.state).map_err(|e| within(e, &p.name))?;
                    let mut values = c.ring.iter();
                    for buf in ring.iter_mut().flatten().flatten() {
                        *buf = *values.next().expect("ring size checked");
                    }
                    debug_assert_eq!(ring.len(), ring_len);
                    current_pa.copy_from_slice(&c.current_pa);
                }
                (Body::Neurons { model, ring, current_pa, .. }, Some(block)) => {
                    model.load_state(&narrow_state(&c.state, block, p.len)).map_err(|e| within(e, &p.name))?;
                    for (buf, whole) in ring.iter_mut().flatten().zip(c.ring.chunks(p.len)) {
                        buf.copy_from_slice(&whole[block.clone()]);
                    }
                    current_pa.copy_from_slice(&c.current_pa[block.clone()]);
                }
                (Body::Source(src), _) => src.load_state(&c.state).map_err(|e| within(e, &p.name))?,
            }
            self.spikes[i].clear();
            self.spikes[i].extend_from_slice(&c.last_spikes);
            self.spike_counts[i] = c.spike_count;
            self.window_counts[i] = c.window_count;
            self.neuron_counts[i].copy_from_slice(&c.neuron_counts);
        }
        for (p, c) in self.projections.iter_mut().zip(&ck.projections) {
            p.weights.data_mut().copy_from_slice(&c.weights);
            if let (Some(eff), Some(saved)) = (&mut p.efficacy, &c.efficacy) {
                eff.copy_from_slice(saved);
            }
            if let (Some((rule, _)), Some(saved)) = (&mut p.rule, &c.rule) {
                rule.load_state(saved).map_err(|e| within(e, &p.name))?;
            }
            match &c.plasticity_delays {
                Some(d) => {
                    p.timing.pre.load(&d.pre_spikes, &d.pre_counts);
                    p.timing.post.load(&d.post_spikes, &d.post_counts);
                }
                None => {
                    p.timing.pre.clear();
                    p.timing.post.clear();
                }
            }
        }
        for (k, (s, c)) in self.stimuli.iter_mut().zip(&ck.stimuli).enumerate() {
            s.stimulus.load_state(&c.state).map_err(|e| within(e, &format!("stimulus {k}")))?;
        }
        self.step = ck.step;
        self.steps_run = ck.steps_run;
        self.modulator = ck.modulator;
        Ok(())
    }
}

/// The values of the neurons `block` of a population of `n` as an array of the whole
/// population (zeros for the neurons of other ranks).
fn widen<T: Copy + Default>(values: &[T], block: &Range<usize>, n: usize) -> Vec<T> {
    let mut whole = vec![T::default(); n];
    whole[block.clone()].copy_from_slice(values);
    whole
}

/// The state of a model that stores only the neurons `block` as the whole population's: every
/// array widened (a model that keeps a block saves one value per neuron in each array, see
/// [`NeuronModel::keep_block`](engram_core::neuron::NeuronModel::keep_block)).
fn widen_state(mut state: ComponentState, block: &Range<usize>, n: usize) -> Result<ComponentState, EngramError> {
    let odd = state
        .f64s
        .iter()
        .map(|(k, v)| (k, v.len()))
        .chain(state.u64s.iter().map(|(k, v)| (k, v.len())))
        .find(|&(_, len)| len != block.len());
    if let Some((name, len)) = odd {
        return Err(EngramError::Checkpoint(format!(
            "array `{name}` holds {len} values, not one per stored neuron ({}): a model that keeps only its \
             rank's block (keep_block) must save per-neuron arrays only",
            block.len()
        )));
    }
    state.f64s.values_mut().for_each(|v| *v = widen(v, block, n));
    state.u64s.values_mut().for_each(|v| *v = widen(v, block, n));
    Ok(state)
}

/// The arrays of the whole population's `state` cut to the neurons `block` (see
/// [`widen_state`]).
fn narrow_state(state: &ComponentState, block: &Range<usize>, n: usize) -> ComponentState {
    let mut out = state.clone();
    out.f64s.values_mut().filter(|v| v.len() == n).for_each(|v| *v = v[block.clone()].to_vec());
    out.u64s.values_mut().filter(|v| v.len() == n).for_each(|v| *v = v[block.clone()].to_vec());
    out
}

/// FNV-1a hash of a projection's connectivity (row pointers, columns) and delays.
fn structure_hash(p: &Projection) -> u64 {
    let ip = p.weights.indptr();
    structure_hash_of(ip.raw_storage(), p.weights.indices(), &p.delay)
}

/// [`structure_hash`] of a projection given as its CSR row pointers, columns and delays (a
/// projection merged from the ranks' parts, see `gather`).
pub(super) fn structure_hash_of(indptr: &[usize], indices: &[u32], delay: &SynapseDelay) -> u64 {
    let mut h = 0xcbf2_9ce4_8422_2325u64;
    let mut eat = |x: u64| {
        for b in x.to_le_bytes() {
            h = (h ^ b as u64).wrapping_mul(0x0000_0100_0000_01b3);
        }
    };
    indptr.iter().for_each(|&x| eat(x as u64));
    indices.iter().for_each(|&x| eat(x as u64));
    match delay {
        SynapseDelay::Uniform(d) => eat(*d as u64),
        SynapseDelay::PerSynapse(d) => d.iter().for_each(|&x| eat(x as u64 | 1 << 40)),
    }
    h
}

/// Put `where_` in front of a checkpoint error from a component.
fn within(e: EngramError, where_: &str) -> EngramError {
    match e {
        EngramError::Checkpoint(msg) => EngramError::Checkpoint(format!("{where_}: {msg}")),
        other => other,
    }
}
