//! The standard monitors: spikes, state variables (a subset, every k steps) and population
//! rates. Each keeps what it records in memory and can also stream it to `.npy` or CSV
//! while the run goes on; a streamed file is complete and readable up to the last flush
//! (a full buffer, [`Monitor::flush`](engram_core::monitor::Monitor::flush) or the end of the run; see
//! [`crate::npy`]).

use engram_core::error::EngramError;
use engram_core::monitor::NetworkView;

pub use crate::npy::OutputFormat;

mod basic;
mod weights;
mod window;

pub use basic::{RateMonitor, SpikeMonitor, StateMonitor};
pub use weights::{ProjectionRef, WeightMonitor};
pub use window::WindowMonitor;

fn resolve(net: &dyn NetworkView, name: &str) -> Result<usize, EngramError> {
    net.population(name).ok_or_else(|| EngramError::unknown("population", name, net.population_names()))
}
