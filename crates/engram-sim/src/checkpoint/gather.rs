//! The checkpoint of a network split across ranks: every rank's part gathered and merged into
//! the checkpoint of the whole network ([`Network::gather_checkpoint`]), the one a single
//! process with the same seed takes at the same step.
//!
//! Each rank holds only the synapses onto its own neurons and advances only its own neurons,
//! so the parts merge as follows (`Partition::block` gives each rank's block of a population):
//!
//! - a projection's weights, short-term efficacies and every rule array with one value per
//!   synapse of the rank are put back in the single process's CSR order: row by row
//!   (presynaptic neuron), each rank's part of the row in rank order (its targets are a block
//!   of increasing columns); the structure hash is that of the merged connectivity;
//! - arrays with one value per neuron of a population (neuron state, delay buffers per slot
//!   and receptor, injected currents, spike counts, a rule's per-postsynaptic-neuron state,
//!   a stimulus' per-target state) take each neuron's value from the rank that owns it;
//! - everything else (spikes of the last step, counters, the step, random streams of sources
//!   and stimuli, presynaptic traces, scalars) is computed identically on every rank, and is
//!   checked to be: a difference is an error naming the array, never a silent choice.

use engram_core::checkpoint::ComponentState;
use engram_core::error::EngramError;

use super::files::{ArrayMut, ArrayRef};
use super::restore::structure_hash_of;
use super::{Checkpoint, PopulationState, ProjectionState, StimulusState};
use crate::network::{Network, Partition, SynapseDelay};

/// A projection's connectivity on one rank: CSR row pointers and columns, and delays.
struct Structure {
    indptr: Vec<usize>,
    indices: Vec<u32>,
    delay: SynapseDelay,
}

impl Network {
    /// The checkpoint of the whole network, on rank 0 of a network split across ranks
    /// ([`NetworkBuilder::distribute`](crate::NetworkBuilder::distribute)); `None` on the
    /// other ranks. In one process, [`checkpoint`](Self::checkpoint) itself.
    ///
    /// Every rank takes its own checkpoint and sends it, with its projections' connectivity,
    /// to rank 0 (one [`gather_to_rank_0_over_ranks`](Self::gather_to_rank_0_over_ranks), each
    /// value as the words of its bits); rank 0 merges the parts (weights and per-synapse state back in
    /// CSR order, per-neuron arrays from each neuron's owner, everything else checked to be the
    /// same on every rank) into the checkpoint a single process with the same seed takes at
    /// this step: saved with [`Checkpoint::save`], its files are those of the single process
    /// byte for byte; it [restores](Self::restore) into the network built in one process, and
    /// with [`restore_whole`](Self::restore_whole) into a network split across any number of
    /// ranks. A collective call:
    /// every rank must make it at the same step. Rank 0 alone receives the parts, so it
    /// briefly holds the whole network's state (the parts as received, about 12 bytes per
    /// synapse and the state of every neuron once per rank, then the merged checkpoint); the
    /// other ranks hold only their own part.
    ///
    /// # Errors
    /// A component that does not support checkpoints (as [`checkpoint`](Self::checkpoint)),
    /// or ranks whose parts do not fit together: an array that should be the same on every
    /// rank and is not (a model that keeps state the ranks do not share), named.
    pub fn gather_checkpoint(&mut self) -> Result<Option<Checkpoint>, EngramError> {
        let local = self.checkpoint()?;
        let Some(partition) = self.partition() else { return Ok(Some(local)) };
        let structures = self.structures();
        let send = encode(&local, &structures)?;
        drop(local);
        let (mut recv, mut counts) = (Vec::new(), Vec::new());
        self.gather_to_rank_0_over_ranks(&send, &mut recv, &mut counts)?;
        drop(send);
        if partition.rank() != 0 {
            return Ok(None);
        }
        if counts.len() != partition.n_ranks() {
            return Err(gather_error(format!(
                "{} ranks answered, the network has {}",
                counts.len(),
                partition.n_ranks()
            )));
        }
        let mut parts = Vec::with_capacity(counts.len());
        let mut at = 0;
        for (rank, &count) in counts.iter().enumerate() {
            let part = decode(&recv[at..at + count]).map_err(|e| gather_error(format!("rank {rank}'s part: {e}")))?;
            parts.push(part);
            at += count;
        }
        merge(partition, &parts).map(Some)
    }
}

impl Network {
    /// Restore the checkpoint of the whole network (saved by a single process, or gathered
    /// across ranks with [`gather_checkpoint`](Self::gather_checkpoint), such as a run's
    /// `checkpoints/<phase>/`) into this rank's part of a network split across ranks: every
    /// rank loads the same whole checkpoint and keeps its part (its synapses' weights,
    /// efficacies and per-synapse rule state; the state of the neurons it stores), after the ranks have swapped their connectivity (one exchange) to find their
    /// synapses in the whole network's CSR order and to check the whole connectivity against
    /// the checkpoint's. The next steps are then those of the single process after the
    /// checkpoint, bit for bit. In one process, [`restore`](Self::restore) itself. A
    /// collective call: every rank must make it at the same point.
    ///
    /// # Errors
    /// A checkpoint of another network (as [`restore`](Self::restore), or whole
    /// connectivity that differs), named; the network is left as it was.
    pub fn restore_whole(&mut self, whole: &Checkpoint) -> Result<(), EngramError> {
        let Some(partition) = self.partition() else { return self.restore(whole) };
        let mine = self.structures();
        let mut w = Words::default();
        encode_structures(&mut w, &mine);
        let (mut recv, mut counts) = (Vec::new(), Vec::new());
        self.all_gather_over_ranks(&w.0, &mut recv, &mut counts)?;
        let names: Vec<String> = self.projections.iter().map(|p| p.name.clone()).collect();
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        let mut all = Vec::with_capacity(counts.len());
        let mut at = 0;
        for (rank, &count) in counts.iter().enumerate() {
            let mut r = Reader { words: &recv[at..at + count], at: 0 };
            all.push(decode_structures(&mut r, &names).map_err(|e| restore_error(format!("rank {rank}: {e}")))?);
            at += count;
        }
        if whole.projections.len() != mine.len() {
            return Err(restore_error(format!(
                "{} projections in the checkpoint, {} here",
                whole.projections.len(),
                mine.len()
            )));
        }
        let mut local = whole.clone();
        for (j, p) in local.projections.iter_mut().enumerate() {
            let what = format!("projection `{}`", p.name);
            let parts: Vec<&Structure> = all.iter().map(|s| &s[j]).collect();
            let m = SynapseMerge::new(&what, p.shape.0, &parts)?;
            let delay = merged_delay(&what, &m, &parts)?;
            if m.indices.len() != p.weights.len()
                || structure_hash_of(&m.indptr, &m.indices, &delay) != p.structure_hash
            {
                return Err(restore_error(format!(
                    "{what}: the ranks' synapses together ({}) are not those of the checkpoint ({})",
                    m.indices.len(),
                    p.weights.len()
                )));
            }
            let own = &m.global_of[partition.rank()];
            let keep = |v: &[f64]| own.iter().map(|&g| v[g]).collect::<Vec<f64>>();
            p.weights = keep(&p.weights);
            p.efficacy = p.efficacy.as_deref().map(keep);
            let (total, n_post) = (m.indices.len(), p.shape.1);
            if let Some(rule) = &mut p.rule {
                // per-synapse arrays: as many values as the whole projection has synapses
                for (name, v) in &mut rule.f64s {
                    if v.len() == total && total != n_post {
                        *v = keep(v);
                    } else if v.len() == total && total > 0 {
                        return Err(restore_error(format!("{what}: rule array `{name}` is per neuron or per synapse")));
                    }
                }
                for (name, v) in &mut rule.u64s {
                    if v.len() == total && total != n_post {
                        *v = own.iter().map(|&g| v[g]).collect();
                    } else if v.len() == total && total > 0 {
                        return Err(restore_error(format!("{what}: rule array `{name}` is per neuron or per synapse")));
                    }
                }
            }
            let s = &mine[j];
            p.nnz = own.len();
            p.structure_hash = structure_hash_of(&s.indptr, &s.indices, &s.delay);
        }
        self.restore(&local)
    }

    /// Each projection's connectivity on this rank.
    fn structures(&self) -> Vec<Structure> {
        self.projections
            .iter()
            .map(|p| Structure {
                indptr: p.weights.indptr().raw_storage().to_vec(),
                indices: p.weights.indices().to_vec(),
                delay: match &p.delay {
                    SynapseDelay::Uniform(d) => SynapseDelay::Uniform(*d),
                    SynapseDelay::PerSynapse(d) => SynapseDelay::PerSynapse(d.clone()),
                },
            })
            .collect()
    }
}

fn restore_error(msg: String) -> EngramError {
    EngramError::Checkpoint(format!("restoring the whole network's checkpoint on a rank: {msg}"))
}

fn gather_error(msg: String) -> EngramError {
    EngramError::Checkpoint(format!("gathering the checkpoint across ranks: {msg}"))
}

/// Words of a rank's part: lengths and values as `u32` words (a `u64` or `f64` as two).
#[derive(Default)]
struct Words(Vec<u32>);

impl Words {
    fn u64(&mut self, x: u64) {
        self.0.extend_from_slice(&[(x >> 32) as u32, x as u32]);
    }
    fn u64s(&mut self, v: impl ExactSizeIterator<Item = u64>) {
        self.u64(v.len() as u64);
        v.for_each(|x| self.u64(x));
    }
    fn u32s(&mut self, v: &[u32]) {
        self.u64(v.len() as u64);
        self.0.extend_from_slice(v);
    }
}

/// Reads [`Words`] back.
struct Reader<'a> {
    words: &'a [u32],
    at: usize,
}

impl Reader<'_> {
    fn take(&mut self, n: usize) -> Result<&[u32], String> {
        let end = self.at.checked_add(n).filter(|&e| e <= self.words.len());
        let end = end.ok_or_else(|| format!("ends after {} words, {n} more expected", self.words.len()))?;
        let out = &self.words[self.at..end];
        self.at = end;
        Ok(out)
    }
    fn u64(&mut self) -> Result<u64, String> {
        let w = self.take(2)?;
        Ok((u64::from(w[0]) << 32) | u64::from(w[1]))
    }
    fn len(&mut self) -> Result<usize, String> {
        usize::try_from(self.u64()?).map_err(|e| e.to_string())
    }
    fn u64s(&mut self) -> Result<Vec<u64>, String> {
        let n = self.len()?;
        (0..n).map(|_| self.u64()).collect()
    }
    fn u32s(&mut self) -> Result<Vec<u32>, String> {
        let n = self.len()?;
        Ok(self.take(n)?.to_vec())
    }
}

/// A rank's part as words: its checkpoint's skeleton (JSON bytes), its arrays in
/// [`Checkpoint::arrays`] order, then each projection's connectivity.
fn encode(ck: &Checkpoint, structures: &[Structure]) -> Result<Vec<u32>, EngramError> {
    let mut w = Words::default();
    let skeleton = serde_json::to_vec(&ck.skeleton())
        .map_err(|e| gather_error(format!("cannot serialise this rank's checkpoint: {e}")))?;
    w.u64(skeleton.len() as u64);
    w.0.extend(skeleton.chunks(4).map(|c| {
        let mut b = [0u8; 4];
        b[..c.len()].copy_from_slice(c);
        u32::from_le_bytes(b)
    }));
    ck.arrays(&mut |_, array| match array {
        ArrayRef::F64(v) => w.u64s(v.iter().map(|x| x.to_bits())),
        ArrayRef::U64(v) => w.u64s(v.iter().copied()),
        ArrayRef::U32(v) => w.u32s(v),
    });
    encode_structures(&mut w, structures);
    Ok(w.0)
}

/// [`encode`] read back.
fn decode(words: &[u32]) -> Result<(Checkpoint, Vec<Structure>), String> {
    let mut r = Reader { words, at: 0 };
    let n_bytes = r.len()?;
    let bytes: Vec<u8> = r.take(n_bytes.div_ceil(4))?.iter().flat_map(|w| w.to_le_bytes()).take(n_bytes).collect();
    let mut ck: Checkpoint = serde_json::from_slice(&bytes).map_err(|e| format!("its skeleton: {e}"))?;
    let mut result = Ok(());
    ck.arrays_mut(&mut |key, array| {
        if result.is_err() {
            return;
        }
        let read = match array {
            ArrayMut::F64(v) => r.u64s().map(|x| *v = x.into_iter().map(f64::from_bits).collect()),
            ArrayMut::U64(v) => r.u64s().map(|x| *v = x),
            ArrayMut::U32(v) => r.u32s().map(|x| *v = x),
        };
        result = read.map_err(|e| format!("array `{key}`: {e}"));
    });
    result?;
    let structures = decode_structures(&mut r, &ck.projections.iter().map(|p| p.name.as_str()).collect::<Vec<_>>())?;
    if r.at != words.len() {
        return Err(format!("{} words left over", words.len() - r.at));
    }
    Ok((ck, structures))
}

/// Each projection's connectivity as words (after a rank's checkpoint, or alone).
fn encode_structures(w: &mut Words, structures: &[Structure]) {
    for s in structures {
        w.u64s(s.indptr.iter().map(|&x| x as u64));
        w.u32s(&s.indices);
        match &s.delay {
            SynapseDelay::Uniform(d) => w.0.extend_from_slice(&[0, *d]),
            SynapseDelay::PerSynapse(d) => {
                w.0.push(1);
                w.u32s(d);
            }
        }
    }
}

/// [`encode_structures`] read back, for the projections named `names`.
fn decode_structures(r: &mut Reader, names: &[&str]) -> Result<Vec<Structure>, String> {
    let mut structures = Vec::with_capacity(names.len());
    for name in names {
        let what = |e: String| format!("the connectivity of projection `{name}`: {e}");
        let indptr = r.u64s().map_err(what)?.into_iter().map(|x| x as usize).collect();
        let indices = r.u32s().map_err(what)?;
        let delay = match r.take(1).map_err(what)?[0] {
            0 => SynapseDelay::Uniform(r.take(1).map_err(what)?[0]),
            _ => SynapseDelay::PerSynapse(r.u32s().map_err(what)?),
        };
        structures.push(Structure { indptr, indices, delay });
    }
    Ok(structures)
}

/// The delays of a projection merged from the ranks' parts: one for all if every rank has
/// that one, else per synapse in the merged order.
fn merged_delay(what: &str, m: &SynapseMerge, structures: &[&Structure]) -> Result<SynapseDelay, EngramError> {
    if let SynapseDelay::Uniform(d) = structures[0].delay
        && structures.iter().all(|s| matches!(s.delay, SynapseDelay::Uniform(e) if e == d))
    {
        return Ok(SynapseDelay::Uniform(d));
    }
    let per: Option<Vec<&[u32]>> = structures
        .iter()
        .map(|s| match &s.delay {
            SynapseDelay::PerSynapse(d) if d.len() == s.indices.len() => Some(d.as_slice()),
            _ => None,
        })
        .collect();
    let per = per.ok_or_else(|| gather_error(format!("{what}: the ranks' delays do not fit together")))?;
    Ok(SynapseDelay::PerSynapse(m.merge(&per)))
}

/// Where each rank's synapses of one projection go in the single process's CSR order.
struct SynapseMerge {
    /// Per rank, the position of each of its synapses in the merged data.
    global_of: Vec<Vec<usize>>,
    indptr: Vec<usize>,
    indices: Vec<u32>,
}

impl SynapseMerge {
    fn new(what: &str, n_pre: usize, parts: &[&Structure]) -> Result<Self, EngramError> {
        for (rank, s) in parts.iter().enumerate() {
            if s.indptr.len() != n_pre + 1 || s.indptr.last() != Some(&s.indices.len()) {
                return Err(gather_error(format!("{what}: rank {rank}'s row pointers do not fit {n_pre} rows")));
            }
        }
        let total = parts.iter().map(|s| s.indices.len()).sum();
        let mut global_of: Vec<Vec<usize>> = parts.iter().map(|s| vec![0; s.indices.len()]).collect();
        let (mut indptr, mut indices) = (Vec::with_capacity(n_pre + 1), Vec::with_capacity(total));
        indptr.push(0);
        for row in 0..n_pre {
            for (rank, s) in parts.iter().enumerate() {
                for k in s.indptr[row]..s.indptr[row + 1] {
                    global_of[rank][k] = indices.len();
                    indices.push(s.indices[k]);
                }
            }
            indptr.push(indices.len());
        }
        Ok(Self { global_of, indptr, indices })
    }

    /// Whether `lens` are the ranks' synapse counts.
    fn per_synapse(&self, lens: &[usize]) -> bool {
        lens.len() == self.global_of.len() && lens.iter().zip(&self.global_of).all(|(&n, g)| n == g.len())
    }

    /// The ranks' per-synapse arrays in the merged order.
    fn merge<T: Copy + Default>(&self, parts: &[&[T]]) -> Vec<T> {
        let mut out = vec![T::default(); self.indices.len()];
        for (part, global) in parts.iter().zip(&self.global_of) {
            for (&x, &g) in part.iter().zip(global) {
                out[g] = x;
            }
        }
        out
    }
}

/// The arrays of every rank, made of `n`-long segments (one value per neuron of a population
/// of `n`, possibly several such segments: a delay buffer's slots and receptors), each
/// neuron's value taken from its owner. Empty if `n` is 0.
fn merge_blocks<T: Copy>(what: &str, parts: &[&[T]], n: usize, partition: Partition) -> Result<Vec<T>, EngramError> {
    let mut out = parts[0].to_vec();
    if n == 0 {
        return Ok(out);
    }
    if let Some(rank) = parts.iter().position(|p| p.len() != out.len() || p.len() % n != 0) {
        return Err(gather_error(format!(
            "{what}: rank {rank} has {} values, rank 0 {} (whole segments of {n} neurons expected)",
            parts[rank].len(),
            out.len()
        )));
    }
    for (rank, part) in parts.iter().enumerate().skip(1) {
        let own = partition.block(n, rank);
        for segment in (0..out.len()).step_by(n) {
            let range = segment + own.start..segment + own.end;
            out[range.clone()].copy_from_slice(&part[range]);
        }
    }
    Ok(out)
}

/// `values` of every rank, checked to be the same.
fn same<'a, T: PartialEq + ?Sized>(what: &str, values: &[&'a T]) -> Result<&'a T, EngramError> {
    match values.iter().position(|v| *v != values[0]) {
        None => Ok(values[0]),
        Some(rank) => Err(gather_error(format!(
            "{what} differs between rank 0 and rank {rank} (it should be computed identically on every rank)"
        ))),
    }
}

/// One array of a component with a value per rank (as `u64` words; `f64` by its bits): one
/// value per neuron of `n` (merged by owner), one per synapse (`synapses`; merged in CSR
/// order), or the same on every rank.
fn merge_array(
    what: &str,
    parts: &[&[u64]],
    n: usize,
    synapses: Option<&SynapseMerge>,
    partition: Partition,
) -> Result<Vec<u64>, EngramError> {
    let lens: Vec<usize> = parts.iter().map(|p| p.len()).collect();
    let per_neuron = n > 0 && lens.iter().all(|&l| l == n);
    let per_synapse = synapses.is_some_and(|m| m.per_synapse(&lens));
    match (per_neuron, per_synapse) {
        (true, false) => merge_blocks(what, parts, n, partition),
        (false, true) => Ok(synapses.expect("per synapse").merge(parts)),
        (true, true) => Err(gather_error(format!(
            "{what}: every rank holds as many synapses of the projection as it has postsynaptic neurons \
             ({n}), so the array cannot be told to be per neuron or per synapse"
        ))),
        (false, false) => same(what, parts).map(<[u64]>::to_vec),
    }
}

/// The state of one component (a population's model or source, a rule, a stimulus) merged
/// from the ranks' states: see [`merge_array`].
fn merge_component(
    what: &str,
    parts: &[&ComponentState],
    n: usize,
    synapses: Option<&SynapseMerge>,
    partition: Partition,
) -> Result<ComponentState, EngramError> {
    let first = parts[0];
    same(&format!("{what}: the kind"), &parts.iter().map(|s| s.kind.as_str()).collect::<Vec<_>>())?;
    let blobs: Vec<_> = parts.iter().map(|s| &s.blobs).collect();
    let mut out = ComponentState {
        kind: first.kind.clone(),
        blobs: same(&format!("{what}: the blobs"), &blobs)?.clone(),
        ..ComponentState::default()
    };
    let keys =
        |s: &ComponentState| (s.f64s.keys().cloned().collect::<Vec<_>>(), s.u64s.keys().cloned().collect::<Vec<_>>());
    same(
        &format!("{what}: the array names"),
        &parts.iter().map(|s| keys(s)).collect::<Vec<_>>().iter().collect::<Vec<_>>(),
    )?;
    for name in first.f64s.keys() {
        let bits: Vec<Vec<u64>> = parts.iter().map(|s| s.f64s[name].iter().map(|x| x.to_bits()).collect()).collect();
        let bits: Vec<&[u64]> = bits.iter().map(Vec::as_slice).collect();
        let merged = merge_array(&format!("{what}: array `{name}`"), &bits, n, synapses, partition)?;
        out.f64s.insert(name.clone(), merged.into_iter().map(f64::from_bits).collect());
    }
    for name in first.u64s.keys() {
        let values: Vec<&[u64]> = parts.iter().map(|s| s.u64s[name].as_slice()).collect();
        out.u64s
            .insert(name.clone(), merge_array(&format!("{what}: array `{name}`"), &values, n, synapses, partition)?);
    }
    Ok(out)
}

/// The ranks' checkpoints, in rank order, merged into the whole network's.
fn merge(partition: Partition, parts: &[(Checkpoint, Vec<Structure>)]) -> Result<Checkpoint, EngramError> {
    let cks: Vec<&Checkpoint> = parts.iter().map(|(c, _)| c).collect();
    let first = cks[0];
    let header = |c: &Checkpoint| {
        let sizes = (c.populations.len(), c.projections.len(), c.stimuli.len());
        (c.version, c.dt_ms.to_bits(), c.seed, c.step, c.steps_run, c.modulator.to_bits(), c.ring_len, sizes)
    };
    same(
        "the step, step size, seed, modulator or number of components",
        &cks.iter().map(|c| header(c)).collect::<Vec<_>>().iter().collect::<Vec<_>>(),
    )?;
    let mut populations = Vec::with_capacity(first.populations.len());
    for (i, p) in first.populations.iter().enumerate() {
        let ps: Vec<&PopulationState> = cks.iter().map(|c| &c.populations[i]).collect();
        let what = format!("population `{}`", p.name);
        let shape =
            |q: &PopulationState| (q.name.clone(), q.len, q.is_source, q.n_receptors, q.spike_count, q.window_count);
        same(
            &format!("{what}: its size, kind or spike counts"),
            &ps.iter().map(|q| shape(q)).collect::<Vec<_>>().iter().collect::<Vec<_>>(),
        )?;
        let n = p.len;
        let states: Vec<&ComponentState> = ps.iter().map(|q| &q.state).collect();
        let ring: Vec<&[f64]> = ps.iter().map(|q| q.ring.as_slice()).collect();
        let current: Vec<&[f64]> = ps.iter().map(|q| q.current_pa.as_slice()).collect();
        let counts: Vec<&[u32]> = ps.iter().map(|q| q.neuron_counts.as_slice()).collect();
        let last: Vec<&[u32]> = ps.iter().map(|q| q.last_spikes.as_slice()).collect();
        populations.push(PopulationState {
            state: merge_component(&what, &states, n, None, partition)?,
            ring: merge_blocks(&format!("{what}: its delay buffers"), &ring, n, partition)?,
            current_pa: merge_blocks(&format!("{what}: its injected currents"), &current, n, partition)?,
            last_spikes: same(&format!("{what}: its spikes of the last step"), &last)?.to_vec(),
            neuron_counts: merge_blocks(&format!("{what}: its spike counts per neuron"), &counts, n, partition)?,
            ..p.clone_skeleton()
        });
    }
    let n_of = |name: &str| first.populations.iter().find(|p| p.name == name).map_or(0, |p| p.len);
    let mut projections = Vec::with_capacity(first.projections.len());
    for (j, p) in first.projections.iter().enumerate() {
        let ps: Vec<&ProjectionState> = cks.iter().map(|c| &c.projections[j]).collect();
        let what = format!("projection `{}`", p.name);
        let ends = |q: &ProjectionState| (q.name.clone(), q.pre.clone(), q.post.clone(), q.receptor.clone(), q.shape);
        same(
            &format!("{what}: its end points"),
            &ps.iter().map(|q| ends(q)).collect::<Vec<_>>().iter().collect::<Vec<_>>(),
        )?;
        let structures: Vec<&Structure> = parts.iter().map(|(_, s)| &s[j]).collect();
        let m = SynapseMerge::new(&what, p.shape.0, &structures)?;
        let delay = merged_delay(&what, &m, &structures)?;
        let weights: Vec<&[f64]> = ps.iter().map(|q| q.weights.as_slice()).collect();
        if !m.per_synapse(&weights.iter().map(|w| w.len()).collect::<Vec<_>>()) {
            return Err(gather_error(format!("{what}: a rank's weights do not match its synapses")));
        }
        let efficacy = match ps.iter().map(|q| q.efficacy.as_deref()).collect::<Option<Vec<&[f64]>>>() {
            Some(e) if m.per_synapse(&e.iter().map(|x| x.len()).collect::<Vec<_>>()) => Some(m.merge(&e)),
            Some(_) => return Err(gather_error(format!("{what}: a rank's efficacies do not match its synapses"))),
            None if ps.iter().all(|q| q.efficacy.is_none()) => None,
            None => return Err(gather_error(format!("{what}: only some ranks have short-term efficacies"))),
        };
        let rule = match ps.iter().map(|q| q.rule.as_ref()).collect::<Option<Vec<&ComponentState>>>() {
            Some(r) => Some(merge_component(&format!("{what}: its rule"), &r, n_of(&p.post), Some(&m), partition)?),
            None if ps.iter().all(|q| q.rule.is_none()) => None,
            None => return Err(gather_error(format!("{what}: only some ranks have a plasticity rule"))),
        };
        let delays: Vec<_> = ps.iter().map(|q| &q.plasticity_delays).collect();
        projections.push(ProjectionState {
            nnz: m.indices.len(),
            structure_hash: structure_hash_of(&m.indptr, &m.indices, &delay),
            weights: m.merge(&weights),
            efficacy,
            rule,
            plasticity_delays: same(&format!("{what}: its spikes on their way to the rule"), &delays)?.clone(),
            ..p.clone_skeleton()
        });
    }
    let mut stimuli = Vec::with_capacity(first.stimuli.len());
    for (k, s) in first.stimuli.iter().enumerate() {
        let states: Vec<&ComponentState> = cks.iter().map(|c| &c.stimuli[k].state).collect();
        let targets: Vec<&str> = cks.iter().map(|c| c.stimuli[k].target.as_str()).collect();
        let what = format!("stimulus {k} (on `{}`)", s.target);
        same(&format!("{what}: its target"), &targets)?;
        let state = merge_component(&what, &states, n_of(&s.target), None, partition)?;
        stimuli.push(StimulusState { target: s.target.clone(), state });
    }
    Ok(Checkpoint { populations, projections, stimuli, ..first.clone_header() })
}

impl Checkpoint {
    /// The scalar fields, with no components.
    fn clone_header(&self) -> Checkpoint {
        Checkpoint { populations: Vec::new(), projections: Vec::new(), stimuli: Vec::new(), ..self.skeleton() }
    }
}

impl PopulationState {
    /// The scalar fields, with empty arrays.
    fn clone_skeleton(&self) -> PopulationState {
        PopulationState {
            name: self.name.clone(),
            len: self.len,
            is_source: self.is_source,
            state: ComponentState::default(),
            n_receptors: self.n_receptors,
            ring: Vec::new(),
            current_pa: Vec::new(),
            last_spikes: Vec::new(),
            spike_count: self.spike_count,
            window_count: self.window_count,
            neuron_counts: Vec::new(),
        }
    }
}

impl ProjectionState {
    /// The scalar fields, with empty arrays.
    fn clone_skeleton(&self) -> ProjectionState {
        ProjectionState {
            name: self.name.clone(),
            pre: self.pre.clone(),
            post: self.post.clone(),
            receptor: self.receptor.clone(),
            shape: self.shape,
            nnz: 0,
            structure_hash: 0,
            weights: Vec::new(),
            efficacy: None,
            rule: None,
            plasticity_delays: None,
        }
    }
}
