//! The engram engine: build a network of populations, projections, stimuli and monitors,
//! then run it with a clock-driven loop that allocates nothing per step.
//!
//! ```
//! use engram_sim::prelude::*;
//! use engram_core::prelude::*;
//! # use engram_core::neuron::StepInput;
//! # struct Integrator1 { v: Vec<f64>, r: Vec<Receptor> }
//! # impl NeuronModel for Integrator1 {
//! #   fn kind(&self) -> &str { "toy" }
//! #   fn len(&self) -> usize { self.v.len() }
//! #   fn receptors(&self) -> &[Receptor] { &self.r }
//! #   fn state_names(&self) -> &[&'static str] { &["v_mv"] }
//! #   fn state(&self, n: &str) -> Option<&[f64]> { (n == "v_mv").then_some(&self.v[..]) }
//! #   fn state_mut(&mut self, n: &str) -> Option<&mut [f64]> { (n == "v_mv").then_some(&mut self.v[..]) }
//! #   fn step(&mut self, _c: &StepContext, inp: StepInput<'_>, s: &mut Vec<u32>) {
//! #     for i in 0..self.v.len() { self.v[i] += inp.receptors[0][i] + 0.01 * inp.current_pa[i];
//! #       if self.v[i] >= 1.0 { self.v[i] = 0.0; s.push(i as u32) } } }
//! # }
//! # let toy = |n| Integrator1 { v: vec![0.0; n], r: vec![Receptor::current("exc", 1.0)] };
//! let mut b = NetworkBuilder::new(0.1, 42).unwrap();
//! b.add_population("A", toy(10)).unwrap();           // any NeuronModel
//! b.add_population("B", toy(10)).unwrap();
//! // A -> B one-to-one with weight 1.0 on receptor `exc`, delay 1 step
//! let w = sprs::CsMatI::<f64, u32, usize>::eye(10);
//! b.connect("A", "B", "exc", w, Delay::Steps(1)).unwrap();
//! b.add_stimulus("A", engram_sim::stimulus::ConstantCurrent::new(2.0)).unwrap(); // A fires every 5 ms
//! let spikes = b.add_monitor(SpikeMonitor::new(&["A", "B"]));
//! let mut net = b.build().unwrap();
//! net.run_ms(10.0).unwrap();
//! let rec = net.monitor::<SpikeMonitor>(spikes).unwrap();
//! assert!(rec.count("B") > 0);                        // B fires one step after A
//! ```

pub mod checkpoint;
pub mod cputime;
pub mod interrupt;
pub mod monitors;
pub mod network;
pub mod npy;
pub mod progress;
pub mod stimulus;

pub use checkpoint::Checkpoint;
pub use monitors::{RateMonitor, SpikeMonitor, StateMonitor, WeightMonitor, WindowMonitor};
pub use network::{
    Delay, DivergenceGuard, MonitorId, Network, NetworkBuilder, PlasticityTiming, PopulationStats, ProjectionId,
    RunOptions, RunawayAction,
};

/// The builder, the network and the standard monitors.
pub mod prelude {
    #[doc(no_inline)]
    pub use crate::checkpoint::Checkpoint;
    #[doc(no_inline)]
    pub use crate::monitors::{OutputFormat, RateMonitor, SpikeMonitor, StateMonitor, WeightMonitor, WindowMonitor};
    #[doc(no_inline)]
    pub use crate::network::{
        Delay, DivergenceGuard, MonitorId, Network, NetworkBuilder, PlasticityTiming, ProjectionId, RunOptions,
        RunawayAction,
    };
}
