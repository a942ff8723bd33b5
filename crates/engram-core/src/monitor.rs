//! Monitors: observers that record what the network does and stream it out.

use crate::error::EngramError;
use crate::neuron::StepContext;

/// Read access to the network during a step, as monitors see it.
pub trait NetworkView {
    /// Names of all populations (neurons and spike sources), in build order.
    fn population_names(&self) -> Vec<&str>;
    /// Index of a population by name.
    fn population(&self, name: &str) -> Option<usize>;
    /// Number of neurons in population `pop`.
    fn population_len(&self, pop: usize) -> usize;
    /// Indices of the neurons of `pop` that spiked in this step, increasing.
    fn spikes(&self, pop: usize) -> &[u32];
    /// A state variable of the neurons of `pop` (after this step's update): of all of them,
    /// or, on a rank of a network split across ranks that stores only its own block of `pop`,
    /// of that block, element `k` being neuron [`state_first`](Self::state_first)`(pop) + k`.
    fn state(&self, pop: usize, name: &str) -> Option<&[f64]>;
    /// The neuron whose value [`state`](Self::state) gives first: 0 unless only a block of
    /// `pop` is stored here. Default 0.
    fn state_first(&self, pop: usize) -> usize {
        let _ = pop;
        0
    }
    /// Names of the state variables of `pop`.
    fn state_names(&self, pop: usize) -> Vec<&'static str>;
    /// Names of all projections, in build order (`"E->I"` unless the builder named them).
    /// Default: none (a view without projections).
    fn projection_names(&self) -> Vec<&str> {
        Vec::new()
    }
    /// Index of a projection by name. Default `None`.
    fn projection(&self, name: &str) -> Option<usize> {
        let _ = name;
        None
    }
    /// The weights of projection `projection` in its CSR order (after this step's plasticity).
    /// Default `None`.
    fn weights(&self, projection: usize) -> Option<&[f64]> {
        let _ = projection;
        None
    }
}

/// Observes the network after each step and records what it is asked to.
///
/// `bind` is called once before the first step and is where names are resolved, so that
/// a misspelt population fails before the run starts.
///
/// ```
/// use engram_core::monitor::{Monitor, NetworkView};
/// use engram_core::neuron::StepContext;
/// use engram_core::error::EngramError;
/// /// Counts all spikes of one population.
/// struct Count { pop: String, idx: usize, n: usize }
/// impl Monitor for Count {
///     fn bind(&mut self, net: &dyn NetworkView) -> Result<(), EngramError> {
///         self.idx = net.population(&self.pop)
///             .ok_or_else(|| EngramError::unknown("population", &self.pop, net.population_names()))?;
///         Ok(())
///     }
///     fn observe(&mut self, _ctx: &StepContext, net: &dyn NetworkView) -> Result<(), EngramError> {
///         self.n += net.spikes(self.idx).len();
///         Ok(())
///     }
/// }
/// ```
pub trait Monitor: Send {
    /// Resolve names against the network; called once before the run.
    fn bind(&mut self, net: &dyn NetworkView) -> Result<(), EngramError>;
    /// Record after a step.
    fn observe(&mut self, ctx: &StepContext, net: &dyn NetworkView) -> Result<(), EngramError>;
    /// Write what is buffered to the output files, leaving them complete and readable up to
    /// here, and keep recording (called by `Network::flush_monitors` and before a stopped run
    /// returns). Default: nothing.
    fn flush(&mut self) -> Result<(), EngramError> {
        Ok(())
    }
    /// Flush and close outputs at the end of a run. Default: nothing.
    fn finish(&mut self) -> Result<(), EngramError> {
        Ok(())
    }
    /// The monitor as `Any`, so the caller can read its data back after the run.
    fn as_any(&self) -> Option<&dyn std::any::Any> {
        None
    }
    /// The monitor as mutable `Any`, so the caller can take its data during or after the run
    /// (a run across ranks drains what each rank's weight monitor sampled). Default: `None`.
    fn as_any_mut(&mut self) -> Option<&mut dyn std::any::Any> {
        None
    }
}
