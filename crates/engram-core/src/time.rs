//! Simulation time: integer steps inside the loop, milliseconds only at the edges.

use crate::error::ParamError;
use serde::{Deserialize, Serialize};

/// A step index. Step `n` covers simulated time `[n·dt, (n+1)·dt)`.
pub type Step = u64;

/// The simulation clock: the step size and conversions between ms and steps.
///
/// ```
/// use engram_core::time::Clock;
/// let c = Clock::new(0.1).unwrap();
/// assert_eq!(c.steps(1000.0).unwrap(), 10_000);
/// assert!((c.time_ms(25) - 2.5).abs() < 1e-12);
/// assert!(Clock::new(0.0).is_err());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Clock {
    dt_ms: f64,
}

impl Clock {
    /// A clock with step `dt_ms` (> 0).
    pub fn new(dt_ms: f64) -> Result<Self, ParamError> {
        crate::params::positive("dt_ms", dt_ms)?;
        Ok(Self { dt_ms })
    }

    /// The step size in ms.
    pub fn dt_ms(&self) -> f64 {
        self.dt_ms
    }

    /// Number of whole steps in `ms` (rounded to the nearest step; ms must be ≥ 0 and finite).
    pub fn steps(&self, ms: f64) -> Result<Step, ParamError> {
        crate::params::non_negative("duration_ms", ms)?;
        Ok((ms / self.dt_ms).round() as Step)
    }

    /// A delay in steps: rounded to the nearest step, at least one step.
    pub fn delay_steps(&self, delay_ms: f64) -> Result<u32, ParamError> {
        crate::params::non_negative("delay_ms", delay_ms)?;
        Ok(((delay_ms / self.dt_ms).round() as u32).max(1))
    }

    /// Start time of step `step`, in ms.
    pub fn time_ms(&self, step: Step) -> f64 {
        step as f64 * self.dt_ms
    }
}
