//! Test systems with known solutions.

use engram_core::ode::{Integrator, LinearOdeSystem, OdeSystem};

/// Forced damped oscillator x'' + 2ζω x' + ω² x = f, as y = (x, x').
#[derive(Clone, Copy, Debug)]
pub struct Oscillator {
    pub omega: f64,
    pub zeta: f64,
    pub force: f64,
}

impl OdeSystem for Oscillator {
    fn dim(&self) -> usize {
        2
    }
    fn derivatives(&self, _t: f64, y: &[f64], d: &mut [f64]) {
        d[0] = y[1];
        d[1] = -self.omega * self.omega * y[0] - 2.0 * self.zeta * self.omega * y[1] + self.force;
    }
    fn linear_part(&self, _t: f64, y: &[f64], i: usize) -> Option<(f64, f64)> {
        match i {
            0 => Some((0.0, y[1])),
            1 => Some((-2.0 * self.zeta * self.omega, -self.omega * self.omega * y[0] + self.force)),
            _ => None,
        }
    }
}

impl LinearOdeSystem for Oscillator {
    fn dim(&self) -> usize {
        2
    }
    fn matrix(&self) -> Vec<f64> {
        vec![0.0, 1.0, -self.omega * self.omega, -2.0 * self.zeta * self.omega]
    }
    fn offset(&self) -> Vec<f64> {
        vec![0.0, self.force]
    }
}

/// Relaxation y' = -y/tau + c.
#[derive(Clone, Copy, Debug)]
pub struct Relax {
    pub tau: f64,
    pub c: f64,
}

impl Relax {
    pub fn exact(&self, y0: f64, t: f64) -> f64 {
        let y_inf = self.c * self.tau;
        y_inf + (y0 - y_inf) * (-t / self.tau).exp()
    }
}

impl OdeSystem for Relax {
    fn dim(&self) -> usize {
        1
    }
    fn derivatives(&self, _t: f64, y: &[f64], d: &mut [f64]) {
        d[0] = -y[0] / self.tau + self.c;
    }
    fn linear_part(&self, _t: f64, _y: &[f64], i: usize) -> Option<(f64, f64)> {
        (i == 0).then_some((-1.0 / self.tau, self.c))
    }
}

impl LinearOdeSystem for Relax {
    fn dim(&self) -> usize {
        1
    }
    fn matrix(&self) -> Vec<f64> {
        vec![-1.0 / self.tau]
    }
    fn offset(&self) -> Vec<f64> {
        vec![self.c]
    }
}

/// Integrate `sys` from `y0` over `n` steps of `dt`; return the state after every step.
pub fn trajectory(integ: &mut dyn Integrator, sys: &dyn OdeSystem, y0: &[f64], dt: f64, n: usize) -> Vec<Vec<f64>> {
    let mut y = y0.to_vec();
    let mut out = Vec::with_capacity(n);
    for k in 0..n {
        integ.step(sys, k as f64 * dt, dt, &mut y);
        out.push(y.clone());
    }
    out
}
