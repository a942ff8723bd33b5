//! Ordinary differential equations and the integrators that advance them.

/// A system `dy/dt = f(t, y)` of fixed dimension.
///
/// ```
/// use engram_core::ode::OdeSystem;
/// /// Exponential decay dy/dt = -y / tau.
/// struct Decay { tau: f64 }
/// impl OdeSystem for Decay {
///     fn dim(&self) -> usize { 1 }
///     fn derivatives(&self, _t: f64, y: &[f64], dydt: &mut [f64]) { dydt[0] = -y[0] / self.tau }
///     fn linear_part(&self, _t: f64, _y: &[f64], i: usize) -> Option<(f64, f64)> {
///         (i == 0).then_some((-1.0 / self.tau, 0.0))
///     }
/// }
/// let mut d = [0.0];
/// Decay { tau: 2.0 }.derivatives(0.0, &[1.0], &mut d);
/// assert_eq!(d[0], -0.5);
/// ```
pub trait OdeSystem {
    /// Number of state variables.
    fn dim(&self) -> usize;
    /// Write `f(t, y)` into `dydt`.
    fn derivatives(&self, t: f64, y: &[f64], dydt: &mut [f64]);
    /// For exponential Euler: write `dy_i/dt = a·y_i + b` with `a`, `b` evaluated at `(t, y)`.
    /// `None` (the default) means the system does not provide it, and exponential Euler
    /// treats that variable with forward Euler.
    fn linear_part(&self, _t: f64, _y: &[f64], _i: usize) -> Option<(f64, f64)> {
        None
    }
}

/// A linear system with constant coefficients, `dy/dt = A·y + c`, which has an exact propagator.
pub trait LinearOdeSystem {
    /// Dimension.
    fn dim(&self) -> usize;
    /// The matrix `A`, row-major, `dim × dim`.
    fn matrix(&self) -> Vec<f64>;
    /// The constant term `c`.
    fn offset(&self) -> Vec<f64>;
}

/// Advances an [`OdeSystem`] by one step. Implementations keep their own scratch space, so
/// a step allocates nothing once the integrator has seen the system's dimension.
///
/// ```
/// use engram_core::ode::{Integrator, OdeSystem};
/// struct Euler { k: Vec<f64> }
/// impl Integrator for Euler {
///     fn name(&self) -> &'static str { "euler" }
///     fn order(&self) -> u32 { 1 }
///     fn step(&mut self, sys: &dyn OdeSystem, t: f64, dt: f64, y: &mut [f64]) {
///         self.k.resize(y.len(), 0.0);
///         sys.derivatives(t, y, &mut self.k);
///         for (yi, ki) in y.iter_mut().zip(&self.k) { *yi += dt * ki }
///     }
/// }
/// struct Growth;
/// impl OdeSystem for Growth {
///     fn dim(&self) -> usize { 1 }
///     fn derivatives(&self, _t: f64, y: &[f64], d: &mut [f64]) { d[0] = y[0] }
/// }
/// let mut y = [1.0];
/// Euler { k: vec![] }.step(&Growth, 0.0, 0.5, &mut y);
/// assert_eq!(y[0], 1.5);
/// ```
pub trait Integrator: Send + Sync {
    /// Name used in configs (`euler`, `exp_euler`, `rk2`, `rk4`).
    fn name(&self) -> &'static str;
    /// Global order of accuracy.
    fn order(&self) -> u32;
    /// Advance `y` from `t` to `t + dt`.
    fn step(&mut self, sys: &dyn OdeSystem, t: f64, dt: f64, y: &mut [f64]);
}
