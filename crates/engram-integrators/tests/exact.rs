//! The exact linear propagator against closed-form solutions.

use crate::common::{Oscillator, Relax};
use engram_core::ode::LinearOdeSystem;
use engram_integrators::ExactLinear;
use proptest::prelude::*;

/// Membrane driven by an exponentially decaying current: dv/dt = -(v - E)/tau_m + i/C,
/// di/dt = -i/tau_s (ms, mV, pA, pF).
struct CurrentIntoMembrane {
    tau_m: f64,
    tau_s: f64,
    c_m: f64,
    e_l: f64,
}

impl CurrentIntoMembrane {
    fn exact(&self, v0: f64, i0: f64, t: f64) -> (f64, f64) {
        let (tm, ts) = (self.tau_m, self.tau_s);
        let v = self.e_l
            + (v0 - self.e_l) * (-t / tm).exp()
            + i0 / self.c_m * tm * ts / (tm - ts) * ((-t / tm).exp() - (-t / ts).exp());
        (v, i0 * (-t / ts).exp())
    }
}

impl LinearOdeSystem for CurrentIntoMembrane {
    fn dim(&self) -> usize {
        2
    }
    fn matrix(&self) -> Vec<f64> {
        vec![-1.0 / self.tau_m, 1.0 / self.c_m, 0.0, -1.0 / self.tau_s]
    }
    fn offset(&self) -> Vec<f64> {
        vec![self.e_l / self.tau_m, 0.0]
    }
}

fn config() -> ProptestConfig {
    ProptestConfig { cases: 64, failure_persistence: None, ..ProptestConfig::default() }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn relaxation_matches_closed_form(
        tau in 0.5f64..100.0, c in -5.0f64..5.0, y0 in -80.0f64..80.0, dt in 0.01f64..1.0, n in 1usize..2000,
    ) {
        let sys = Relax { tau, c };
        let prop = ExactLinear::new(&sys, dt);
        let mut y = [y0];
        for _ in 0..n {
            prop.step(&mut y);
        }
        let exact = sys.exact(y0, n as f64 * dt);
        prop_assert!((y[0] - exact).abs() < 1e-10 * (1.0 + exact.abs()), "{} vs {exact}", y[0]);
    }

    #[test]
    fn psp_system_matches_closed_form(
        tau_m in 5.0f64..50.0, tau_s in 0.5f64..4.0, c_m in 50.0f64..300.0,
        v0 in -80.0f64..-40.0, i0 in -500.0f64..500.0, dt in 0.01f64..0.5,
    ) {
        let sys = CurrentIntoMembrane { tau_m, tau_s, c_m, e_l: -65.0 };
        let prop = ExactLinear::new(&sys, dt);
        let mut y = [v0, i0];
        for k in 1..=500 {
            prop.step(&mut y);
            let (v, i) = sys.exact(v0, i0, k as f64 * dt);
            prop_assert!((y[0] - v).abs() < 1e-10 * (1.0 + v.abs()), "step {k}: v {} vs {v}", y[0]);
            prop_assert!((y[1] - i).abs() < 1e-10 * (1.0 + i.abs()), "step {k}: i {} vs {i}", y[1]);
        }
    }
}

#[test]
fn undamped_oscillator_returns_after_a_period() {
    // x'' = -ω² x: after one period the propagator is the identity.
    let sys = Oscillator { omega: 2.0, zeta: 0.0, force: 0.0 };
    let period = std::f64::consts::PI;
    let prop = ExactLinear::new(&sys, period / 100.0);
    let mut y = [1.0, -0.5];
    for _ in 0..100 {
        prop.step(&mut y);
    }
    assert!((y[0] - 1.0).abs() < 1e-10 && (y[1] + 0.5).abs() < 1e-10, "{y:?}");
    // A quarter period maps (x, v) to (v/ω, -ω x).
    let quarter = ExactLinear::new(&sys, period / 4.0);
    let mut y = [1.0, -0.5];
    quarter.step(&mut y);
    assert!((y[0] + 0.25).abs() < 1e-10 && (y[1] + 2.0).abs() < 1e-10, "{y:?}");
}

#[test]
fn accessors_and_singular_matrix() {
    // A = 0 (singular): y(t) = y0 + c t. The augmented exponential handles it.
    struct Drift;
    impl LinearOdeSystem for Drift {
        fn dim(&self) -> usize {
            2
        }
        fn matrix(&self) -> Vec<f64> {
            vec![0.0; 4]
        }
        fn offset(&self) -> Vec<f64> {
            vec![1.0, -2.0]
        }
    }
    let prop = ExactLinear::new(&Drift, 0.5);
    assert_eq!(prop.dim(), 2);
    assert_eq!(prop.dt(), 0.5);
    assert!((prop.propagator()[0] - 1.0).abs() < 1e-15 && prop.propagator()[1].abs() < 1e-15);
    assert!((prop.offset()[0] - 0.5).abs() < 1e-14 && (prop.offset()[1] + 1.0).abs() < 1e-14);
    let mut y = [0.0, 0.0];
    for _ in 0..4 {
        prop.step(&mut y);
    }
    assert!((y[0] - 2.0).abs() < 1e-13 && (y[1] + 4.0).abs() < 1e-13);
}

#[test]
fn large_system_steps_correctly() {
    // 40 independent relaxations (above the stack threshold of `step`).
    struct Many;
    impl LinearOdeSystem for Many {
        fn dim(&self) -> usize {
            40
        }
        fn matrix(&self) -> Vec<f64> {
            let mut a = vec![0.0; 1600];
            for i in 0..40 {
                a[i * 40 + i] = -1.0 / (1.0 + i as f64);
            }
            a
        }
        fn offset(&self) -> Vec<f64> {
            vec![1.0; 40]
        }
    }
    let prop = ExactLinear::new(&Many, 0.1);
    let mut y = vec![0.0; 40];
    for _ in 0..10 {
        prop.step(&mut y);
    }
    for (i, yi) in y.iter().enumerate() {
        let tau = 1.0 + i as f64;
        let exact = Relax { tau, c: 1.0 }.exact(0.0, 1.0);
        assert!((yi - exact).abs() < 1e-10, "{i}: {yi} vs {exact}");
    }
}
