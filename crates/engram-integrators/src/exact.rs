//! Exact propagator for linear systems with constant coefficients, `dy/dt = A·y + c`.

use engram_core::ode::LinearOdeSystem;
use nalgebra::DMatrix;

/// Dimension up to which [`ExactLinear::step`] works on the stack (no allocation).
const STACK_DIM: usize = 32;

/// The exact one-step map of `dy/dt = A·y + c` for a fixed step `dt`:
/// `y(t + dt) = P·y(t) + q` with `P = e^{A·dt}` and `q = ∫₀^dt e^{A·s} ds · c`.
///
/// Both come from one matrix exponential of the augmented `(n+1)×(n+1)` matrix
/// `[[A, c], [0, 0]]·dt` (nalgebra's Padé scaling-and-squaring `exp`), so `A` need not be
/// invertible. Build it once per step size; `step` then costs one `n×n` matrix-vector product.
///
/// ```
/// use engram_core::ode::LinearOdeSystem;
/// use engram_integrators::ExactLinear;
/// /// Membrane relaxing to E_L = -70 mV with tau = 20 ms: dv/dt = -(v + 70)/20.
/// struct Membrane;
/// impl LinearOdeSystem for Membrane {
///     fn dim(&self) -> usize { 1 }
///     fn matrix(&self) -> Vec<f64> { vec![-1.0 / 20.0] }
///     fn offset(&self) -> Vec<f64> { vec![-70.0 / 20.0] }
/// }
/// let prop = ExactLinear::new(&Membrane, 0.1);
/// let mut v = [-50.0];
/// for _ in 0..200 { prop.step(&mut v) }           // 20 ms
/// let exact = -70.0 + 20.0 * (-1.0f64).exp();
/// assert!((v[0] - exact).abs() < 1e-10);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct ExactLinear {
    n: usize,
    dt: f64,
    /// `P`, row-major `n × n`.
    propagator: Vec<f64>,
    /// `q`.
    offset: Vec<f64>,
}

impl ExactLinear {
    /// The propagator of `sys` over a step of `dt` (in the system's time unit).
    ///
    /// # Panics
    /// If `sys.matrix()` is not `dim × dim` or `sys.offset()` is not `dim` long.
    pub fn new(sys: &dyn LinearOdeSystem, dt: f64) -> Self {
        let n = sys.dim();
        let a = sys.matrix();
        let c = sys.offset();
        assert_eq!(a.len(), n * n, "LinearOdeSystem::matrix must be dim × dim (row-major)");
        assert_eq!(c.len(), n, "LinearOdeSystem::offset must have dim entries");
        let mut m = DMatrix::<f64>::zeros(n + 1, n + 1);
        for i in 0..n {
            for j in 0..n {
                m[(i, j)] = a[i * n + j] * dt;
            }
            m[(i, n)] = c[i] * dt;
        }
        let e = m.exp();
        let mut propagator = vec![0.0; n * n];
        let mut offset = vec![0.0; n];
        for i in 0..n {
            for j in 0..n {
                propagator[i * n + j] = e[(i, j)];
            }
            offset[i] = e[(i, n)];
        }
        Self { n, dt, propagator, offset }
    }

    /// Dimension of the system.
    pub fn dim(&self) -> usize {
        self.n
    }

    /// The step size this propagator was built for.
    pub fn dt(&self) -> f64 {
        self.dt
    }

    /// `P = e^{A·dt}`, row-major.
    pub fn propagator(&self) -> &[f64] {
        &self.propagator
    }

    /// `q`, the response to the constant term over one step.
    pub fn offset(&self) -> &[f64] {
        &self.offset
    }

    /// Advance `y` by one step of `dt`: `y ← P·y + q`.
    ///
    /// Allocates nothing for systems of dimension ≤ 32 (the input is copied to the stack);
    /// larger systems use a temporary vector.
    ///
    /// # Panics
    /// If `y.len() != self.dim()`.
    pub fn step(&self, y: &mut [f64]) {
        let n = self.n;
        assert_eq!(y.len(), n, "state length must equal the propagator's dimension");
        if n <= STACK_DIM {
            let mut y0 = [0.0; STACK_DIM];
            y0[..n].copy_from_slice(y);
            self.apply(&y0[..n], y);
        } else {
            let y0 = y.to_vec();
            self.apply(&y0, y);
        }
    }

    fn apply(&self, y0: &[f64], y: &mut [f64]) {
        for (i, (yi, row)) in y.iter_mut().zip(self.propagator.chunks_exact(self.n)).enumerate() {
            *yi = row.iter().zip(y0).map(|(p, x)| p * x).sum::<f64>() + self.offset[i];
        }
    }
}
