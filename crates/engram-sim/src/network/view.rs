//! The network as monitors see it: [`NetworkView`] over the populations, this step's spikes
//! and the projections' weights.

use engram_core::monitor::NetworkView;

use super::{Body, Population, Projection};

/// What monitors see of a network in one step (borrows its parts, so that the monitors
/// themselves can be borrowed mutably beside it).
pub(crate) struct View<'a> {
    pub(crate) pops: &'a [Population],
    pub(crate) spikes: &'a [Vec<u32>],
    pub(crate) projections: &'a [Projection],
}

impl NetworkView for View<'_> {
    fn population_names(&self) -> Vec<&str> {
        self.pops.iter().map(|p| p.name.as_str()).collect()
    }
    fn population(&self, name: &str) -> Option<usize> {
        self.pops.iter().position(|p| p.name == name)
    }
    fn population_len(&self, pop: usize) -> usize {
        self.pops[pop].len
    }
    fn spikes(&self, pop: usize) -> &[u32] {
        &self.spikes[pop]
    }
    fn state(&self, pop: usize, name: &str) -> Option<&[f64]> {
        match &self.pops[pop].body {
            Body::Neurons { model, .. } => model.state(name),
            Body::Source(_) => None,
        }
    }
    fn state_first(&self, pop: usize) -> usize {
        self.pops[pop].first_stored()
    }
    fn state_names(&self, pop: usize) -> Vec<&'static str> {
        match &self.pops[pop].body {
            Body::Neurons { model, .. } => model.state_names().to_vec(),
            Body::Source(_) => Vec::new(),
        }
    }
    fn projection_names(&self) -> Vec<&str> {
        self.projections.iter().map(|p| p.name.as_str()).collect()
    }
    fn projection(&self, name: &str) -> Option<usize> {
        self.projections.iter().position(|p| p.name == name)
    }
    fn weights(&self, projection: usize) -> Option<&[f64]> {
        self.projections.get(projection).map(|p| p.weights.data())
    }
}
