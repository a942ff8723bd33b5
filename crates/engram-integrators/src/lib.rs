//! ODE integrators for engram: forward Euler, exponential Euler, RK2 (midpoint), RK4, and an
//! exact propagator for linear systems with constant coefficients.
//!
//! The explicit schemes implement [`engram_core::ode::Integrator`] and keep their own scratch
//! buffers, so a step allocates nothing once an integrator has seen the system's dimension.
//! [`ExactLinear`] is built once for a step size and then advances `dy/dt = A·y + c` exactly.
//!
//! ```
//! use engram_core::ode::{Integrator, OdeSystem};
//! use engram_integrators::IntegratorKind;
//!
//! /// Exponential decay dy/dt = -y.
//! struct Decay;
//! impl OdeSystem for Decay {
//!     fn dim(&self) -> usize { 1 }
//!     fn derivatives(&self, _t: f64, y: &[f64], d: &mut [f64]) { d[0] = -y[0] }
//! }
//! let mut rk4 = IntegratorKind::Rk4.build();
//! let mut y = [1.0];
//! for k in 0..100 { rk4.step(&Decay, k as f64 * 0.01, 0.01, &mut y) }
//! assert!((y[0] - (-1.0f64).exp()).abs() < 1e-10);
//! ```

mod exact;
mod explicit;

pub use exact::ExactLinear;
pub use explicit::{Euler, ExpEuler, Rk2, Rk4};

use engram_core::ode::Integrator;
use serde::{Deserialize, Serialize};

/// The integration schemes a config can name.
///
/// ```
/// use engram_integrators::IntegratorKind;
/// assert_eq!(IntegratorKind::Rk2.order(), 2);
/// assert_eq!(IntegratorKind::ExpEuler.build().name(), "exp_euler");
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IntegratorKind {
    /// Forward Euler, first order.
    #[default]
    Euler,
    /// Exponential Euler (exact for the linear part of each variable), first order.
    ExpEuler,
    /// Explicit midpoint method, second order.
    Rk2,
    /// Classical fourth-order Runge–Kutta.
    Rk4,
}

impl IntegratorKind {
    /// A fresh integrator of this kind.
    pub fn build(&self) -> Box<dyn Integrator> {
        match self {
            Self::Euler => Box::new(Euler::new()),
            Self::ExpEuler => Box::new(ExpEuler::new()),
            Self::Rk2 => Box::new(Rk2::new()),
            Self::Rk4 => Box::new(Rk4::new()),
        }
    }

    /// Global order of accuracy of the scheme.
    pub fn order(&self) -> u32 {
        match self {
            Self::Euler | Self::ExpEuler => 1,
            Self::Rk2 => 2,
            Self::Rk4 => 4,
        }
    }

    /// All kinds, for sweeps and tests.
    pub const ALL: [IntegratorKind; 4] = [Self::Euler, Self::ExpEuler, Self::Rk2, Self::Rk4];
}
