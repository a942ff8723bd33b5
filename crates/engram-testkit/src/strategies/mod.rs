//! proptest strategies for every parameter and config type of the library, and for small
//! random networks ([`network_spec`]).
//!
//! Built on the basic strategies that `engram-core` exports behind its `proptest` feature
//! ([`dt_ms`], [`seed`], [`probability`], re-exported here). Every strategy produces values
//! that pass the type's `validate()`, within ranges where the models behave (so a value can
//! drive a simulation, not only a round trip); combine them with `prop_map` to explore
//! further.
//!
//! ```
//! use engram_core::config::{from_ron_str, to_ron_string};
//! use engram_core::params::Params;
//! use engram_neurons::LifCondParams;
//! use engram_testkit::strategies::lif_cond_params;
//! use proptest::prelude::*;
//! use proptest::test_runner::{Config, TestRunner};
//!
//! let mut runner = TestRunner::new(Config { cases: 16, ..Config::default() });
//! runner
//!     .run(&lif_cond_params(), |p| {
//!         prop_assert!(p.validate().is_ok());
//!         let back: LifCondParams = from_ron_str(&to_ron_string(&p), "<p>").unwrap();
//!         prop_assert_eq!(back, p);
//!         Ok(())
//!     })
//!     .unwrap();
//! ```
//!
//! In a test file, the `proptest!` macro does the same:
//!
//! ```
//! use engram_core::params::Params;
//! use engram_neurons::LifCurrent;
//! use engram_testkit::NeuronDrive;
//! use engram_testkit::strategies::{dt_ms, lif_current_params};
//! use proptest::prelude::*;
//!
//! proptest! {
//!     // in a test file: #[test]
//!     fn rests_without_input(p in lif_current_params(), dt in dt_ms()) {
//!         let mut model = LifCurrent::new(2, p.check().unwrap());
//!         let mut drive = NeuronDrive::new(&model, dt);
//!         prop_assert!(drive.run(&mut model, 500).iter().all(Vec::is_empty));
//!     }
//! }
//! # fn main() { rests_without_input(); }
//! ```

mod connectivity;
#[cfg(feature = "models")]
mod description;
#[cfg(feature = "models")]
mod models;
mod neurons;
mod plasticity;
mod stimuli;

pub use connectivity::*;
#[cfg(feature = "models")]
pub use description::*;
pub use engram_core::proptest::{dt_ms, probability, seed};
#[cfg(feature = "models")]
pub use models::*;
pub use neurons::*;
pub use plasticity::*;
pub use stimuli::*;

pub use crate::network::{NetworkOptions, network_spec};
