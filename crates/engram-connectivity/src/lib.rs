//! Connection patterns of engram: generators (fixed probability, fixed in-/out-degree,
//! all-to-all, one-to-one, explicit lists, within groups), sparse CSR storage with multiplicities,
//! out-degree balancing, the postsynaptic transpose index, synaptic delays, assemblies and
//! degree-conserving assembly rewiring ([`rewire_within`]), and weight scaling by
//! postsynaptic neuron.
//!
//! A projection's pattern is a [`Connectivity`]: a `sprs` CSR matrix (row = presynaptic
//! neuron) of multiplicities. [`ConnectSpec`] draws one from a [`Rule`]; every chunk of rows
//! draws from its own `engram_core::rng::stream(seed, stream_id, chunk)`, so the result is the
//! same for any number of rayon threads.
//!
//! ```
//! use engram_connectivity::{ConnectSpec, DelayDistribution, Rule, TransposeIndex};
//! use engram_core::time::Clock;
//! // COBA-style E→E: 3200 neurons, p = 0.02, no self-connections.
//! let spec = ConnectSpec::new(Rule::FixedProbability { p: 0.02 }).autapses(false);
//! let ee = spec.connect_recurrent(3200, 2024, 1).unwrap();
//! let w = ee.weights(0.4);                       // nS, multiplicity folded in
//! let t = TransposeIndex::new(&w);               // for plasticity
//! let delays = DelayDistribution::Constant { ms: 0.1 }
//!     .sample_steps(ee.n_entries(), &Clock::new(0.1).unwrap(), 2024, 1);
//! assert_eq!(t.syn_of_post.len(), w.nnz());
//! assert!(delays.iter().all(|&d| d == 1));
//! assert_eq!(ee.n_diagonal_entries(), 0);
//! ```

mod across;
mod assembly;
mod balance;
mod delay;
mod edit;
mod pattern;
mod rewire;
mod rule;
mod sample;
mod scale;
mod transpose;

pub use across::input_counts_across;
pub use assembly::{ASSEMBLY_CHUNK_BASE, Assembly, AssemblySet, TopSelection, input_counts};
pub use balance::{BALANCE_CHUNK, BalanceReport, OutDegreeBalancing};
pub use delay::{DELAY_CHUNK_BASE, DELAYS_PER_CHUNK, DelayDistribution};
pub use pattern::{Connectivity, Constraints, MultiplicityMatrix, OmittedEntries, WeightMatrix};
pub use rewire::{
    REWIRE_CHUNK_BASE, RewireReport, WithinTarget, mean_within_inputs, rewire_assembly, rewire_within,
    rewire_within_across, within_assembly_factor, within_outside_ratio,
};
pub use rule::{ConnectSpec, LINES_PER_CHUNK, Rule};
pub use scale::{scale_weights, scale_weights_by_post, scale_weights_onto};
pub use transpose::TransposeIndex;
