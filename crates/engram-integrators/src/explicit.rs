//! Explicit one-step schemes: forward Euler, exponential Euler, RK2 (midpoint) and RK4.

use engram_core::ode::{Integrator, OdeSystem};

/// Resize a scratch buffer to `n` (allocates only when it grows past its capacity).
fn fit(buf: &mut Vec<f64>, n: usize) {
    if buf.len() != n {
        buf.resize(n, 0.0);
    }
}

/// `expm1(x) / x`, with its limit 1 at `x = 0`.
///
/// This is the weight of the exponential Euler update: `y ← y + dt·φ(a·dt)·(a·y + b)`.
#[inline]
pub(crate) fn phi1(x: f64) -> f64 {
    if x.abs() < 1e-300 { 1.0 } else { x.exp_m1() / x }
}

/// Forward Euler: `y ← y + dt·f(t, y)`. First order.
///
/// ```
/// use engram_core::ode::{Integrator, OdeSystem};
/// use engram_integrators::Euler;
/// struct Growth;
/// impl OdeSystem for Growth {
///     fn dim(&self) -> usize { 1 }
///     fn derivatives(&self, _t: f64, y: &[f64], d: &mut [f64]) { d[0] = y[0] }
/// }
/// let mut y = [1.0];
/// Euler::new().step(&Growth, 0.0, 0.5, &mut y);
/// assert_eq!(y[0], 1.5);
/// ```
#[derive(Clone, Debug, Default)]
pub struct Euler {
    k: Vec<f64>,
}

impl Euler {
    /// A forward Euler integrator (scratch space is sized on the first step).
    pub fn new() -> Self {
        Self::default()
    }
}

impl Integrator for Euler {
    fn name(&self) -> &'static str {
        "euler"
    }
    fn order(&self) -> u32 {
        1
    }
    fn step(&mut self, sys: &dyn OdeSystem, t: f64, dt: f64, y: &mut [f64]) {
        fit(&mut self.k, y.len());
        sys.derivatives(t, y, &mut self.k);
        for (yi, ki) in y.iter_mut().zip(&self.k) {
            *yi += dt * ki;
        }
    }
}

/// Exponential Euler: for each variable with a linear part `dy_i/dt = a·y_i + b` (from
/// [`OdeSystem::linear_part`], evaluated at the start of the step), `y_i` follows the exact
/// solution with `a` and `b` frozen over the step: `y_i ← y_i + (e^{a·dt} − 1)/a · (a·y_i + b)`.
/// Variables without a linear part use forward Euler. First order; exact for a single linear
/// variable with constant coefficients, and stable for stiff decays.
///
/// ```
/// use engram_core::ode::{Integrator, OdeSystem};
/// use engram_integrators::ExpEuler;
/// /// dy/dt = -y/tau + c, exact under exponential Euler at any step.
/// struct Relax { tau: f64, c: f64 }
/// impl OdeSystem for Relax {
///     fn dim(&self) -> usize { 1 }
///     fn derivatives(&self, _t: f64, y: &[f64], d: &mut [f64]) { d[0] = -y[0] / self.tau + self.c }
///     fn linear_part(&self, _t: f64, _y: &[f64], _i: usize) -> Option<(f64, f64)> {
///         Some((-1.0 / self.tau, self.c))
///     }
/// }
/// let sys = Relax { tau: 2.0, c: 3.0 };
/// let mut y = [0.0];
/// ExpEuler::new().step(&sys, 0.0, 5.0, &mut y); // one huge step
/// let exact = 6.0 * (1.0 - (-2.5f64).exp());
/// assert!((y[0] - exact).abs() < 1e-12);
/// ```
#[derive(Clone, Debug, Default)]
pub struct ExpEuler {
    k: Vec<f64>,
    y_new: Vec<f64>,
    euler_vars: Vec<bool>,
}

impl ExpEuler {
    /// An exponential Euler integrator.
    pub fn new() -> Self {
        Self::default()
    }
}

impl Integrator for ExpEuler {
    fn name(&self) -> &'static str {
        "exp_euler"
    }
    fn order(&self) -> u32 {
        1
    }
    fn step(&mut self, sys: &dyn OdeSystem, t: f64, dt: f64, y: &mut [f64]) {
        let n = y.len();
        fit(&mut self.y_new, n);
        if self.euler_vars.len() != n {
            self.euler_vars.resize(n, false);
        }
        let mut any_euler = false;
        for i in 0..n {
            match sys.linear_part(t, y, i) {
                Some((a, b)) => {
                    self.y_new[i] = y[i] + dt * phi1(a * dt) * (a * y[i] + b);
                    self.euler_vars[i] = false;
                }
                None => {
                    self.euler_vars[i] = true;
                    any_euler = true;
                }
            }
        }
        if any_euler {
            fit(&mut self.k, n);
            sys.derivatives(t, y, &mut self.k);
            for i in 0..n {
                if self.euler_vars[i] {
                    self.y_new[i] = y[i] + dt * self.k[i];
                }
            }
        }
        y.copy_from_slice(&self.y_new);
    }
}

/// Explicit midpoint method (Brian2's `rk2`): `k1 = f(t, y)`,
/// `y ← y + dt·f(t + dt/2, y + dt/2·k1)`. Second order.
///
/// ```
/// use engram_core::ode::{Integrator, OdeSystem};
/// use engram_integrators::Rk2;
/// struct Growth;
/// impl OdeSystem for Growth {
///     fn dim(&self) -> usize { 1 }
///     fn derivatives(&self, _t: f64, y: &[f64], d: &mut [f64]) { d[0] = y[0] }
/// }
/// let mut y = [1.0];
/// Rk2::new().step(&Growth, 0.0, 0.5, &mut y);
/// assert_eq!(y[0], 1.0 + 0.5 * 1.25); // 1 + h + h²/2
/// ```
#[derive(Clone, Debug, Default)]
pub struct Rk2 {
    k1: Vec<f64>,
    k2: Vec<f64>,
    tmp: Vec<f64>,
}

impl Rk2 {
    /// A midpoint-method integrator.
    pub fn new() -> Self {
        Self::default()
    }
}

impl Integrator for Rk2 {
    fn name(&self) -> &'static str {
        "rk2"
    }
    fn order(&self) -> u32 {
        2
    }
    fn step(&mut self, sys: &dyn OdeSystem, t: f64, dt: f64, y: &mut [f64]) {
        let n = y.len();
        fit(&mut self.k1, n);
        fit(&mut self.k2, n);
        fit(&mut self.tmp, n);
        sys.derivatives(t, y, &mut self.k1);
        for ((tmp, yi), k1) in self.tmp.iter_mut().zip(y.iter()).zip(&self.k1) {
            *tmp = yi + 0.5 * dt * k1;
        }
        sys.derivatives(t + 0.5 * dt, &self.tmp, &mut self.k2);
        for (yi, k2) in y.iter_mut().zip(&self.k2) {
            *yi += dt * k2;
        }
    }
}

/// Classical fourth-order Runge–Kutta.
///
/// ```
/// use engram_core::ode::{Integrator, OdeSystem};
/// use engram_integrators::Rk4;
/// /// Harmonic oscillator x'' = -x; after one period the state returns.
/// struct Osc;
/// impl OdeSystem for Osc {
///     fn dim(&self) -> usize { 2 }
///     fn derivatives(&self, _t: f64, y: &[f64], d: &mut [f64]) { d[0] = y[1]; d[1] = -y[0] }
/// }
/// let (mut y, mut rk4, n) = ([1.0, 0.0], Rk4::new(), 1000);
/// let h = 2.0 * std::f64::consts::PI / n as f64;
/// for k in 0..n { rk4.step(&Osc, k as f64 * h, h, &mut y) }
/// assert!((y[0] - 1.0).abs() < 1e-10 && y[1].abs() < 1e-10);
/// ```
#[derive(Clone, Debug, Default)]
pub struct Rk4 {
    k1: Vec<f64>,
    k2: Vec<f64>,
    k3: Vec<f64>,
    k4: Vec<f64>,
    tmp: Vec<f64>,
}

impl Rk4 {
    /// A classical RK4 integrator.
    pub fn new() -> Self {
        Self::default()
    }
}

impl Integrator for Rk4 {
    fn name(&self) -> &'static str {
        "rk4"
    }
    fn order(&self) -> u32 {
        4
    }
    fn step(&mut self, sys: &dyn OdeSystem, t: f64, dt: f64, y: &mut [f64]) {
        let n = y.len();
        for buf in [&mut self.k1, &mut self.k2, &mut self.k3, &mut self.k4, &mut self.tmp] {
            fit(buf, n);
        }
        let h2 = 0.5 * dt;
        sys.derivatives(t, y, &mut self.k1);
        for i in 0..n {
            self.tmp[i] = y[i] + h2 * self.k1[i];
        }
        sys.derivatives(t + h2, &self.tmp, &mut self.k2);
        for i in 0..n {
            self.tmp[i] = y[i] + h2 * self.k2[i];
        }
        sys.derivatives(t + h2, &self.tmp, &mut self.k3);
        for i in 0..n {
            self.tmp[i] = y[i] + dt * self.k3[i];
        }
        sys.derivatives(t + dt, &self.tmp, &mut self.k4);
        let h6 = dt / 6.0;
        for i in 0..n {
            y[i] += h6 * (self.k1[i] + 2.0 * self.k2[i] + 2.0 * self.k3[i] + self.k4[i]);
        }
    }
}
