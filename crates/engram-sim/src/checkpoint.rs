//! Checkpoints: a network's complete dynamic state as data ([`Checkpoint`]), taken with
//! [`Network::checkpoint`](crate::Network::checkpoint), restored with
//! [`Network::restore`](crate::Network::restore), and saved to / loaded from a directory of
//! `.npy` arrays plus a JSON manifest ([`Checkpoint::save`], [`Checkpoint::load`]).
//!
//! # What is in a checkpoint
//!
//! The step counter, the neuromodulator, and for every population its model's or source's
//! [`ComponentState`] (all state variables, refractory counters, random streams, pending
//! spikes), its delay ring buffer and injected-current buffer, its spikes of the last step and
//! its spike counters; for every projection its weights, its plasticity rule's state, its
//! short-term plasticity efficacies and the spikes still on their way to its rule through
//! axonal or dendritic plasticity delays
//! ([`PlasticityTiming`](crate::network::PlasticityTiming)); for every stimulus its state. Restoring it into a network
//! built the same way makes the following steps bit-identical to those of the original run.
//!
//! Not in a checkpoint: the structure (populations, connectivity, delays, parameters: rebuild
//! the network from its config, then restore), and the monitors (their records stay as they
//! are; a monitor that streams to a file keeps appending to it).
//!
//! # File format
//!
//! [`Checkpoint::save`] writes a directory:
//!
//! - `manifest.json`: `{"format": "engram-checkpoint", "version": 1, "arrays": {...},
//!   "checkpoint": {...}}`, where `checkpoint` is this struct serialised with every array left
//!   empty, and `arrays` maps each array's key (`populations[0].state.f64s.v_mv`,
//!   `projections[2].weights`, ...) to its file, NumPy type and length;
//! - one `.npy` file per array (`<f8`, `<u8` or `<u4`, 1-D), bit-exact and readable with
//!   `numpy.load`.
//!
//! Component blobs (random streams) stay in the manifest as JSON text. Sizes: 8 bytes per
//! synapse for the weights (plus 8 for efficacies and per-synapse rule state where a rule has
//! them), a few doubles per neuron and `ring_len × receptors × 8` bytes per neuron for the
//! delay buffers; a network with 10⁶ synapses and 10⁴ neurons takes about 10 MB.
//!
//! ```
//! use engram_core::prelude::*;
//! use engram_neurons::{LifCond, LifCondParams};
//! use engram_sim::prelude::*;
//!
//! let build = || {
//!     let mut b = NetworkBuilder::new(0.1, 1).unwrap();
//!     b.add_population("E", LifCond::new(10, LifCondParams::coba().check().unwrap())).unwrap();
//!     b.add_stimulus("E", engram_sim::stimulus::ConstantCurrent::new(300.0)).unwrap();
//!     b.build().unwrap()
//! };
//! let mut net = build();
//! net.run_ms(20.0).unwrap();
//! let dir = std::env::temp_dir().join("engram_doc_checkpoint");
//! net.checkpoint().unwrap().save(&dir).unwrap();
//! net.run_ms(30.0).unwrap();
//!
//! let mut again = build();                                // same structure, fresh state
//! again.restore(&Checkpoint::load(&dir).unwrap()).unwrap();
//! assert_eq!(again.current_step(), 200);
//! again.run_ms(30.0).unwrap();
//! let v = |n: &Network| n.model("E").unwrap().unwrap().state("v_mv").unwrap().to_vec();
//! assert_eq!(v(&again), v(&net));                         // bit for bit
//! ```

use std::collections::BTreeMap;
use std::path::Path;

use engram_core::checkpoint::ComponentState;
use engram_core::error::EngramError;
use serde::{Deserialize, Serialize};

use crate::npy::{read_npy_1d, write_npy_1d};

/// Version of the checkpoint layout; [`Checkpoint::load`] refuses others.
pub const FORMAT_VERSION: u32 = 1;

/// The complete dynamic state of a [`Network`](crate::Network). See the [module docs](self).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Checkpoint {
    /// [`FORMAT_VERSION`] of the code that took it.
    pub version: u32,
    /// Step size, ms (must match on restore).
    pub dt_ms: f64,
    /// The experiment seed of the network it was taken from (informational).
    pub seed: u64,
    /// The next step to be computed.
    pub step: u64,
    /// Steps counted by the spike statistics since the last `reset_counts`.
    pub steps_run: u64,
    /// The neuromodulatory signal in force.
    pub modulator: f64,
    /// Length of the delay ring buffers (steps).
    pub ring_len: usize,
    /// One entry per population, in build order.
    pub populations: Vec<PopulationState>,
    /// One entry per projection, in build order.
    pub projections: Vec<ProjectionState>,
    /// One entry per stimulus, in the order they were added.
    pub stimuli: Vec<StimulusState>,
}

/// The state of one population.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PopulationState {
    /// Population name.
    pub name: String,
    /// Number of neurons or sources.
    pub len: usize,
    /// `true` for a spike source.
    pub is_source: bool,
    /// The model's or source's own state.
    pub state: ComponentState,
    /// Number of receptors (0 for sources).
    pub n_receptors: usize,
    /// The delay ring buffer, `[slot][receptor][neuron]` flattened (empty for sources).
    pub ring: Vec<f64>,
    /// The injected-current buffer (empty for sources).
    pub current_pa: Vec<f64>,
    /// Spikes of the last step computed.
    pub last_spikes: Vec<u32>,
    /// Spikes since the last `reset_counts`.
    pub spike_count: u64,
    /// Spikes in the divergence guard's current window.
    pub window_count: u64,
    /// Spikes per neuron since the last `reset_counts`.
    pub neuron_counts: Vec<u32>,
}

/// The state of one projection.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProjectionState {
    /// Projection name.
    pub name: String,
    /// Presynaptic population.
    pub pre: String,
    /// Postsynaptic population.
    pub post: String,
    /// Receptor of the postsynaptic population.
    pub receptor: String,
    /// `(n_pre, n_post)`.
    pub shape: (usize, usize),
    /// Number of synapses.
    pub nnz: usize,
    /// Hash of the connectivity (CSR row pointers and columns) and delays, to refuse a
    /// network with the same shape but other synapses.
    pub structure_hash: u64,
    /// Weights, in CSR order.
    pub weights: Vec<f64>,
    /// Short-term plasticity efficacies, if the rule scales transmission.
    pub efficacy: Option<Vec<f64>>,
    /// The plasticity rule's state (`kind` is the rule's name), if there is a rule.
    pub rule: Option<ComponentState>,
    /// Spikes on their way to the rule, if it sees spikes after an axonal or dendritic delay
    /// ([`PlasticityTiming`](crate::network::PlasticityTiming)); absent in checkpoints written
    /// before this field existed.
    #[serde(default)]
    pub plasticity_delays: Option<PlasticityDelayState>,
}

/// The spikes on their way to a plasticity rule through its delay lines, one ring per side
/// with one slot per step of delay. Slot `s` holds the spikes emitted in the step `t < step`
/// with `t mod d = s` (`d` the delay in steps, the number of slots).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PlasticityDelayState {
    /// Presynaptic spikes in flight (axonal delay), slot after slot.
    pub pre_spikes: Vec<u32>,
    /// Number of presynaptic spikes in each slot (one entry per step of axonal delay).
    pub pre_counts: Vec<u32>,
    /// Postsynaptic spikes in flight (dendritic delay), slot after slot.
    pub post_spikes: Vec<u32>,
    /// Number of postsynaptic spikes in each slot (one entry per step of dendritic delay).
    pub post_counts: Vec<u32>,
}

/// The state of one stimulus.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StimulusState {
    /// Target population.
    pub target: String,
    /// The stimulus' own state (`kind` is the stimulus' kind).
    pub state: ComponentState,
}

/// One array of a checkpoint, borrowed.
enum ArrayRef<'a> {
    F64(&'a [f64]),
    U64(&'a [u64]),
    U32(&'a [u32]),
}

/// One array of a checkpoint, to be filled.
enum ArrayMut<'a> {
    F64(&'a mut Vec<f64>),
    U64(&'a mut Vec<u64>),
    U32(&'a mut Vec<u32>),
}

/// Where an array of a saved checkpoint lives.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct ArrayEntry {
    file: String,
    dtype: String,
    len: usize,
}

#[derive(Serialize, Deserialize)]
struct Manifest {
    format: String,
    version: u32,
    arrays: BTreeMap<String, ArrayEntry>,
    checkpoint: Checkpoint,
}

const MANIFEST: &str = "manifest.json";
const FORMAT: &str = "engram-checkpoint";

fn component_arrays<'a>(key: &str, s: &'a ComponentState, f: &mut dyn FnMut(String, ArrayRef<'a>)) {
    for (name, v) in &s.f64s {
        f(format!("{key}.f64s.{name}"), ArrayRef::F64(v));
    }
    for (name, v) in &s.u64s {
        f(format!("{key}.u64s.{name}"), ArrayRef::U64(v));
    }
}

fn component_arrays_mut<'a>(key: &str, s: &'a mut ComponentState, f: &mut dyn FnMut(String, ArrayMut<'a>)) {
    for (name, v) in &mut s.f64s {
        f(format!("{key}.f64s.{name}"), ArrayMut::F64(v));
    }
    for (name, v) in &mut s.u64s {
        f(format!("{key}.u64s.{name}"), ArrayMut::U64(v));
    }
}

fn empty_component(s: &ComponentState) -> ComponentState {
    ComponentState {
        kind: s.kind.clone(),
        f64s: s.f64s.keys().map(|k| (k.clone(), Vec::new())).collect(),
        u64s: s.u64s.keys().map(|k| (k.clone(), Vec::new())).collect(),
        blobs: s.blobs.clone(),
    }
}

impl Checkpoint {
    /// Simulated time of the checkpoint (the start of its next step), ms.
    pub fn time_ms(&self) -> f64 {
        self.step as f64 * self.dt_ms
    }

    /// Visit every array with a unique key, in a fixed order.
    fn arrays<'a>(&'a self, f: &mut dyn FnMut(String, ArrayRef<'a>)) {
        for (i, p) in self.populations.iter().enumerate() {
            let key = format!("populations[{i}]");
            component_arrays(&format!("{key}.state"), &p.state, f);
            f(format!("{key}.ring"), ArrayRef::F64(&p.ring));
            f(format!("{key}.current_pa"), ArrayRef::F64(&p.current_pa));
            f(format!("{key}.last_spikes"), ArrayRef::U32(&p.last_spikes));
            f(format!("{key}.neuron_counts"), ArrayRef::U32(&p.neuron_counts));
        }
        for (i, p) in self.projections.iter().enumerate() {
            let key = format!("projections[{i}]");
            f(format!("{key}.weights"), ArrayRef::F64(&p.weights));
            if let Some(e) = &p.efficacy {
                f(format!("{key}.efficacy"), ArrayRef::F64(e));
            }
            if let Some(r) = &p.rule {
                component_arrays(&format!("{key}.rule"), r, f);
            }
            if let Some(d) = &p.plasticity_delays {
                f(format!("{key}.plasticity_delays.pre_spikes"), ArrayRef::U32(&d.pre_spikes));
                f(format!("{key}.plasticity_delays.pre_counts"), ArrayRef::U32(&d.pre_counts));
                f(format!("{key}.plasticity_delays.post_spikes"), ArrayRef::U32(&d.post_spikes));
                f(format!("{key}.plasticity_delays.post_counts"), ArrayRef::U32(&d.post_counts));
            }
        }
        for (i, s) in self.stimuli.iter().enumerate() {
            component_arrays(&format!("stimuli[{i}].state"), &s.state, f);
        }
    }

    /// [`arrays`](Self::arrays), mutable (same keys, same order).
    fn arrays_mut<'a>(&'a mut self, f: &mut dyn FnMut(String, ArrayMut<'a>)) {
        for (i, p) in self.populations.iter_mut().enumerate() {
            let key = format!("populations[{i}]");
            component_arrays_mut(&format!("{key}.state"), &mut p.state, f);
            f(format!("{key}.ring"), ArrayMut::F64(&mut p.ring));
            f(format!("{key}.current_pa"), ArrayMut::F64(&mut p.current_pa));
            f(format!("{key}.last_spikes"), ArrayMut::U32(&mut p.last_spikes));
            f(format!("{key}.neuron_counts"), ArrayMut::U32(&mut p.neuron_counts));
        }
        for (i, p) in self.projections.iter_mut().enumerate() {
            let key = format!("projections[{i}]");
            f(format!("{key}.weights"), ArrayMut::F64(&mut p.weights));
            if let Some(e) = &mut p.efficacy {
                f(format!("{key}.efficacy"), ArrayMut::F64(e));
            }
            if let Some(r) = &mut p.rule {
                component_arrays_mut(&format!("{key}.rule"), r, f);
            }
            if let Some(d) = &mut p.plasticity_delays {
                f(format!("{key}.plasticity_delays.pre_spikes"), ArrayMut::U32(&mut d.pre_spikes));
                f(format!("{key}.plasticity_delays.pre_counts"), ArrayMut::U32(&mut d.pre_counts));
                f(format!("{key}.plasticity_delays.post_spikes"), ArrayMut::U32(&mut d.post_spikes));
                f(format!("{key}.plasticity_delays.post_counts"), ArrayMut::U32(&mut d.post_counts));
            }
        }
        for (i, s) in self.stimuli.iter_mut().enumerate() {
            component_arrays_mut(&format!("stimuli[{i}].state"), &mut s.state, f);
        }
    }

    /// This checkpoint with every array empty (the manifest's copy).
    fn skeleton(&self) -> Checkpoint {
        Checkpoint {
            version: self.version,
            dt_ms: self.dt_ms,
            seed: self.seed,
            step: self.step,
            steps_run: self.steps_run,
            modulator: self.modulator,
            ring_len: self.ring_len,
            populations: self
                .populations
                .iter()
                .map(|p| PopulationState {
                    name: p.name.clone(),
                    len: p.len,
                    is_source: p.is_source,
                    state: empty_component(&p.state),
                    n_receptors: p.n_receptors,
                    ring: Vec::new(),
                    current_pa: Vec::new(),
                    last_spikes: Vec::new(),
                    spike_count: p.spike_count,
                    window_count: p.window_count,
                    neuron_counts: Vec::new(),
                })
                .collect(),
            projections: self
                .projections
                .iter()
                .map(|p| ProjectionState {
                    name: p.name.clone(),
                    pre: p.pre.clone(),
                    post: p.post.clone(),
                    receptor: p.receptor.clone(),
                    shape: p.shape,
                    nnz: p.nnz,
                    structure_hash: p.structure_hash,
                    weights: Vec::new(),
                    efficacy: p.efficacy.as_ref().map(|_| Vec::new()),
                    rule: p.rule.as_ref().map(empty_component),
                    plasticity_delays: p.plasticity_delays.as_ref().map(|_| PlasticityDelayState {
                        pre_spikes: Vec::new(),
                        pre_counts: Vec::new(),
                        post_spikes: Vec::new(),
                        post_counts: Vec::new(),
                    }),
                })
                .collect(),
            stimuli: self
                .stimuli
                .iter()
                .map(|s| StimulusState { target: s.target.clone(), state: empty_component(&s.state) })
                .collect(),
        }
    }

    /// Write the checkpoint to directory `dir` (created if needed; files of an earlier
    /// checkpoint there are overwritten): `manifest.json` and one `.npy` per array. See the
    /// [module docs](self) for the format.
    pub fn save(&self, dir: &Path) -> Result<(), EngramError> {
        let io = |path: &Path, source| EngramError::Output { path: path.to_path_buf(), source };
        std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
        let mut arrays = BTreeMap::new();
        let mut result = Ok(());
        let mut n = 0usize;
        self.arrays(&mut |key, array| {
            if result.is_err() {
                return;
            }
            let stem: String =
                key.chars().map(|c| if c.is_ascii_alphanumeric() || c == '_' || c == '-' { c } else { '_' }).collect();
            let file = format!("{n:04}_{stem}.npy");
            n += 1;
            let path = dir.join(&file);
            let (dtype, len, r) = match array {
                ArrayRef::F64(v) => ("<f8", v.len(), write_npy_1d(&path, v)),
                ArrayRef::U64(v) => ("<u8", v.len(), write_npy_1d(&path, v)),
                ArrayRef::U32(v) => ("<u4", v.len(), write_npy_1d(&path, v)),
            };
            result = r;
            arrays.insert(key, ArrayEntry { file, dtype: dtype.into(), len });
        });
        result?;
        let manifest = Manifest { format: FORMAT.into(), version: FORMAT_VERSION, arrays, checkpoint: self.skeleton() };
        let text = serde_json::to_string_pretty(&manifest)
            .map_err(|e| EngramError::Checkpoint(format!("cannot serialise the manifest: {e}")))?;
        let path = dir.join(MANIFEST);
        std::fs::write(&path, text).map_err(|e| io(&path, e))
    }

    /// Read a checkpoint written by [`save`](Self::save).
    pub fn load(dir: &Path) -> Result<Checkpoint, EngramError> {
        let path = dir.join(MANIFEST);
        let text = std::fs::read_to_string(&path)
            .map_err(|e| EngramError::Checkpoint(format!("cannot read {}: {e}", path.display())))?;
        let manifest: Manifest = serde_json::from_str(&text).map_err(|e| {
            EngramError::Checkpoint(format!("{}: not an engram checkpoint manifest: {e}", path.display()))
        })?;
        if manifest.format != FORMAT || manifest.version != FORMAT_VERSION {
            return Err(EngramError::Checkpoint(format!(
                "{}: format `{}` version {}, expected `{FORMAT}` version {FORMAT_VERSION}",
                path.display(),
                manifest.format,
                manifest.version
            )));
        }
        let mut checkpoint = manifest.checkpoint;
        let mut result = Ok(());
        checkpoint.arrays_mut(&mut |key, array| {
            if result.is_err() {
                return;
            }
            let Some(entry) = manifest.arrays.get(&key) else {
                result = Err(EngramError::Checkpoint(format!("{}: no file for array `{key}`", path.display())));
                return;
            };
            let file = dir.join(&entry.file);
            let len = match array {
                ArrayMut::F64(v) => read_npy_1d(&file).map(|x| {
                    *v = x;
                    v.len()
                }),
                ArrayMut::U64(v) => read_npy_1d(&file).map(|x| {
                    *v = x;
                    v.len()
                }),
                ArrayMut::U32(v) => read_npy_1d(&file).map(|x| {
                    *v = x;
                    v.len()
                }),
            };
            result = match len {
                Ok(len) if len == entry.len => Ok(()),
                Ok(len) => Err(EngramError::Checkpoint(format!(
                    "{}: {len} values, the manifest says {}",
                    file.display(),
                    entry.len
                ))),
                Err(e) => Err(EngramError::Checkpoint(e.to_string())),
            };
        });
        result?;
        Ok(checkpoint)
    }
}
