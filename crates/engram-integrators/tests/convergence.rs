//! Each explicit scheme converges to the exact solution at its nominal order: halving dt
//! divides the maximum error over the trajectory by about 2^order.

use crate::common::{Oscillator, Relax, trajectory};
use engram_core::ode::{Integrator, OdeSystem};
use engram_integrators::{Euler, ExactLinear, ExpEuler, IntegratorKind, Rk2, Rk4};
use proptest::prelude::*;

const T_END: f64 = 5.0;

/// Maximum error over the grid of `n` steps, against the exact propagator of `sys`.
fn max_error(kind: IntegratorKind, sys: &Oscillator, y0: &[f64], n: usize, stride: usize) -> f64 {
    let dt = T_END / n as f64;
    let mut integ = kind.build();
    let num = trajectory(integ.as_mut(), sys, y0, dt, n);
    let exact = ExactLinear::new(sys, dt * stride as f64);
    let mut y = y0.to_vec();
    let mut err: f64 = 0.0;
    for k in (stride - 1..n).step_by(stride) {
        exact.step(&mut y);
        for (a, b) in num[k].iter().zip(&y) {
            err = err.max((a - b).abs());
        }
    }
    err
}

/// Error ratio when halving dt, measured on the coarse grid.
fn ratio(kind: IntegratorKind, sys: &Oscillator, y0: &[f64], n: usize) -> (f64, f64, f64) {
    let coarse = max_error(kind, sys, y0, n, 1);
    let fine = max_error(kind, sys, y0, 2 * n, 2);
    (coarse / fine, coarse, fine)
}

fn oscillator() -> impl Strategy<Value = (Oscillator, [f64; 2])> {
    (0.5f64..2.0, 0.05f64..0.9, -1.0f64..1.0, -1.0f64..1.0, -1.0f64..1.0).prop_filter_map(
        "needs a nonzero motion",
        |(omega, zeta, force, x0, v0)| {
            let sys = Oscillator { omega, zeta, force };
            // Skip starts at (or next to) the fixed point, where there is nothing to integrate.
            let x_eq = force / (omega * omega);
            ((x0 - x_eq).abs() + v0.abs() > 0.1).then_some((sys, [x0, v0]))
        },
    )
}

fn config() -> ProptestConfig {
    ProptestConfig { cases: 48, failure_persistence: None, ..ProptestConfig::default() }
}

/// Steps per T_END for each scheme: fine enough to be in the asymptotic regime, coarse enough
/// that the error stays far above round-off.
fn steps(kind: IntegratorKind) -> usize {
    match kind {
        IntegratorKind::Euler | IntegratorKind::ExpEuler => 2000,
        IntegratorKind::Rk2 => 400,
        IntegratorKind::Rk4 => 50,
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn every_scheme_converges_at_its_order((sys, y0) in oscillator()) {
        for kind in IntegratorKind::ALL {
            let (r, coarse, fine) = ratio(kind, &sys, &y0, steps(kind));
            let expected = 2f64.powi(kind.order() as i32);
            prop_assert!(
                (r / expected - 1.0).abs() < 0.15,
                "{kind:?}: error ratio {r} (coarse {coarse:e}, fine {fine:e}), expected {expected} for {sys:?} from {y0:?}"
            );
            // And the errors themselves are small: the scheme converges to the right solution.
            // Global error of an order-p scheme on an oscillation of angular frequency ω:
            // about c·T·ω·(ω·dt)^p·amplitude with c < 1 (1/2 for Euler).
            let amplitude = (y0[0] - sys.force / (sys.omega * sys.omega)).abs() + y0[1].abs() / sys.omega;
            let dt_fine = T_END / (2 * steps(kind)) as f64;
            let bound = T_END * sys.omega * (sys.omega * dt_fine).powi(kind.order() as i32) * amplitude;
            prop_assert!(fine < bound, "{kind:?}: error {fine:e}, bound {bound:e}");
        }
    }

    #[test]
    fn exp_euler_is_exact_for_a_single_linear_variable(
        tau in 0.1f64..50.0, c in -5.0f64..5.0, y0 in -10.0f64..10.0, dt in 0.01f64..20.0,
    ) {
        let sys = Relax { tau, c };
        let mut y = [y0];
        let mut integ = ExpEuler::new();
        for k in 0..10 {
            integ.step(&sys, k as f64 * dt, dt, &mut y);
        }
        let exact = sys.exact(y0, 10.0 * dt);
        prop_assert!((y[0] - exact).abs() <= 1e-10 * (1.0 + exact.abs()), "{} vs {}", y[0], exact);
    }

    #[test]
    fn schemes_agree_on_relaxation_at_small_dt(tau in 1.0f64..20.0, c in -5.0f64..5.0, y0 in -10.0f64..10.0) {
        let sys = Relax { tau, c };
        let dt = 0.01;
        let exact = sys.exact(y0, 100.0 * dt);
        let scale = (y0 - c * tau).abs() + 1e-12;
        for kind in IntegratorKind::ALL {
            let mut integ = kind.build();
            let mut y = [y0];
            for k in 0..100 {
                integ.step(&sys, k as f64 * dt, dt, &mut y);
            }
            // Global error bound of order p: a few times (dt/tau)^p·|y0 − y∞| over one time unit.
            let bound = 10.0 * (dt / tau).powi(kind.order() as i32) * scale + 1e-12;
            prop_assert!((y[0] - exact).abs() < bound, "{kind:?}: {} vs {exact}", y[0]);
        }
    }
}

/// A system with no linear part: exponential Euler falls back to forward Euler, exactly.
struct NoLinear;
impl OdeSystem for NoLinear {
    fn dim(&self) -> usize {
        2
    }
    fn derivatives(&self, _t: f64, y: &[f64], d: &mut [f64]) {
        d[0] = -y[0] * y[1];
        d[1] = y[0].sin();
    }
}

#[test]
fn exp_euler_without_linear_part_is_forward_euler() {
    let (mut a, mut b) = ([0.3, 1.2], [0.3, 1.2]);
    let (mut e, mut x) = (Euler::new(), ExpEuler::new());
    for k in 0..100 {
        e.step(&NoLinear, k as f64 * 0.05, 0.05, &mut a);
        x.step(&NoLinear, k as f64 * 0.05, 0.05, &mut b);
    }
    assert_eq!(a, b);
}

#[test]
fn names_and_orders() {
    let integrators: [Box<dyn Integrator>; 4] =
        [Box::new(Euler::new()), Box::new(ExpEuler::new()), Box::new(Rk2::new()), Box::new(Rk4::new())];
    let names: Vec<_> = integrators.iter().map(|i| (i.name(), i.order())).collect();
    assert_eq!(names, vec![("euler", 1), ("exp_euler", 1), ("rk2", 2), ("rk4", 4)]);
    for kind in IntegratorKind::ALL {
        assert_eq!(kind.build().order(), kind.order());
    }
}
