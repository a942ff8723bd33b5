//! engram: spiking network models of memory.
//!
//! The facade of the workspace: re-exports every crate and a prelude.
//!
//! ```no_run
//! use engram::prelude::*;
//! ```

pub use engram_analysis as analysis;
pub use engram_connectivity as connectivity;
pub use engram_core as core;
pub use engram_integrators as integrators;
pub use engram_models as models;
pub use engram_neurons as neurons;
pub use engram_plasticity as plasticity;
pub use engram_plot as plot;
pub use engram_repro as repro;
pub use engram_sim as sim;
pub use engram_stimuli as stimuli;

/// Everything a typical experiment needs.
pub mod prelude {
    #[doc(no_inline)]
    pub use engram_core::prelude::*;
}
