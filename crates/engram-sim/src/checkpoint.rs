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
//! On a rank of a network split across ranks, [`Network::checkpoint`](crate::Network::checkpoint)
//! is that rank's part (the synapses onto its own neurons), which restores only into the same
//! rank; [`Network::gather_checkpoint`](crate::Network::gather_checkpoint) merges the ranks'
//! parts into the whole network's checkpoint on rank 0, the one a single process takes.
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

mod files;
mod gather;
mod restore;

use engram_core::checkpoint::ComponentState;
use serde::{Deserialize, Serialize};

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

impl Checkpoint {
    /// Simulated time of the checkpoint (the start of its next step), ms.
    pub fn time_ms(&self) -> f64 {
        self.step as f64 * self.dt_ms
    }
}
