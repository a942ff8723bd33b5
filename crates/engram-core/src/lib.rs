//! Shared traits and types of engram: the contracts between neuron models, integrators,
//! stimuli, monitors, plasticity rules and the engine.
//!
//! Nothing here knows about a concrete model. The engine (`engram-sim`) drives these traits;
//! the model crates implement them. Units are explicit in names: the engine works in
//! ms, mV, nS, pA and pF, and time inside the loop is an integer step count.
//!
//! ```
//! use engram_core::prelude::*;
//! let clock = Clock::new(0.1).unwrap();
//! assert_eq!(clock.steps(5.0).unwrap(), 50);   // 5 ms at dt = 0.1 ms
//! ```

pub mod busy;
pub mod checkpoint;
pub mod collective;
pub mod config;
pub mod error;
pub mod monitor;
pub mod neuron;
pub mod ode;
pub mod params;
pub mod plasticity;
pub mod rng;
pub mod stimulus;
pub mod time;

#[cfg(feature = "proptest")]
pub mod proptest;

/// The traits and types most programs need, for `use engram_core::prelude::*`.
pub mod prelude {
    #[doc(no_inline)]
    pub use crate::checkpoint::{ComponentState, StateField};
    #[doc(no_inline)]
    pub use crate::checkpoint_fields;
    #[doc(no_inline)]
    pub use crate::error::{ConfigError, EngramError, ParamError};
    #[doc(no_inline)]
    pub use crate::monitor::{Monitor, NetworkView};
    #[doc(no_inline)]
    pub use crate::neuron::{NeuronModel, PointNeuron, Receptor, ReceptorKind, SpikeSource, StepContext, StepInput};
    #[doc(no_inline)]
    pub use crate::ode::{Integrator, LinearOdeSystem, OdeSystem};
    #[doc(no_inline)]
    pub use crate::params::{Checked, Params};
    #[doc(no_inline)]
    pub use crate::plasticity::{PlasticityRule, SynapsesMut};
    #[doc(no_inline)]
    pub use crate::rng::{RngStream, stream};
    #[doc(no_inline)]
    pub use crate::stimulus::{Stimulus, StimulusTarget};
    #[doc(no_inline)]
    pub use crate::time::{Clock, Step};
}
