//! Neuron models for engram, each a population stored as structure-of-arrays and implementing
//! [`engram_core::neuron::NeuronModel`]:
//!
//! - [`LifCurrent`]: leaky integrate-and-fire with exponential synaptic currents, integrated
//!   exactly (Rotter & Diesmann 1999).
//! - [`LifCond`]: leaky integrate-and-fire with any number of exponential conductances and an
//!   optional adaptation current (COBA of Brette et al. 2007; the Dp neurons of
//!   Meissner-Bernard et al. 2025).
//! - [`LifNmda`]: conductance LIF with AMPA + NMDA excitation and a moving threshold
//!   (Zenke et al. 2013, 2015; Auryn's `IFGroup`).
//! - [`AdEx`]: adaptive exponential integrate-and-fire (Brette & Gerstner 2005).
//! - [`Izhikevich`]: the simple model of Izhikevich (2003).
//! - [`PointPopulation`]: vectorises a user's per-neuron [`PointNeuron`](engram_core::neuron::PointNeuron)
//!   with any integrator.
//!
//! All models follow the same order of work in a step (Brian2's and the Dp paper's):
//! (1) add the weights arriving in this step to the synaptic variables; (2) if not refractory,
//! advance the membrane from the current state; (3) threshold; (4) reset and refractoriness;
//! (5) decay each synaptic variable by its exact factor `exp(-dt/tau)`. Units: ms, mV, nS, pA, pF.
//!
//! The pieces they share are public, for models of your own: [`ReceptorBank`] (steps 1 and 5
//! for any set of conductance and current receptors, with the sums the membrane needs),
//! [`refractory_steps`], [`collect_spikes`], [`check_input`] and [`synaptic_current_pa`].
//! Every model checkpoints through the default `save_state` / `load_state` of
//! [`NeuronModel`](engram_core::neuron::NeuronModel): its state variables plus its refractory
//! counters, declared with [`checkpoint_fields!`](engram_core::checkpoint_fields).
//!
//! ```
//! use engram_core::prelude::*;
//! use engram_neurons::{LifCond, LifCondParams};
//!
//! let mut pop = LifCond::new(2, LifCondParams::coba().check().unwrap());
//! let (receptors, current) = (vec![vec![0.0; 2]; 2], vec![0.0, 250.0]); // 250 pA into neuron 1
//! let mut spikes = Vec::with_capacity(2);
//! let mut fired = [0; 2];
//! for step in 0..1000 {
//!     spikes.clear();
//!     pop.step(&StepContext { step, dt_ms: 0.1 }, StepInput { receptors: &receptors, current_pa: &current }, &mut spikes);
//!     for &i in &spikes { fired[i as usize] += 1 }
//! }
//! assert_eq!(fired[0], 0);
//! assert!(fired[1] > 5);
//! ```

mod adex;
mod common;
mod izhikevich;
mod lif_cond;
mod lif_current;
mod lif_nmda;
mod point;

pub use adex::{AdEx, AdExParams};
pub use common::{
    ConductanceReceptor, MembraneIntegrator, ReceptorBank, check_input, collect_spikes, collect_spikes_from,
    refractory_steps, synaptic_current_pa,
};
pub use izhikevich::{Izhikevich, IzhikevichParams};
pub use lif_cond::{Adaptation, LifCond, LifCondIntegrator, LifCondParams, ResetMode};
pub use lif_current::{LifCurrent, LifCurrentParams};
pub use lif_nmda::{LifNmda, LifNmdaParams};
pub use point::PointPopulation;
