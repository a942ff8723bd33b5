//! Fig. 4—S2's simple model: a search over its Tuned E+I parameters (α, β, γ) for the region
//! that gives Tuned-like amplification, since Table 5's values (α 5, β 4, γ 3, given for the
//! fitted networks) leave the simple model's assemblies unamplified.
//!
//! **Protocol.** One simple-model network (the seed of Fig. 4—S2), rand and every grid point
//! of [`SimpleSearchGrid`]; each shows the first learned odors as standard trials (1 s
//! baseline, 2 s odor). Measures as Figs 1–2 ([`run_metrics`]): the E rate during the odors,
//! the rate of assembly k during odor k, and the same neurons 500 ms after offset.
//!
//! **Tuned-like** (the paper's description of Tuned E+I, Results and Fig. 2): the assembly is
//! amplified a few-fold at most ([`AMPLIFICATION_RANGE`] over the same neurons in rand), the
//! population rate stays within [`MAX_E_RATE_CHANGE`] of rand's (the paper's criterion for
//! its parameters), and the assembly does not persist after the odor (below
//! [`MAX_AFTER_OFFSET_HZ`]).

use engram_core::error::EngramError;
use engram_models::dp::metrics::{OdorSet, run_metrics};
use engram_models::dp::network::DpConnectivity;
use engram_models::dp::params::{Structure, Variant};
use engram_models::dp::simulate::{Protocol, simulate};
use serde::{Deserialize, Serialize};

use crate::dp::{Context, instance_config, null_as_nan};

/// Amplification (assembly rate ÷ the same neurons in rand) that counts as Tuned-like.
pub const AMPLIFICATION_RANGE: (f64, f64) = (1.5, 5.0);
/// Largest relative change of the E population rate against rand that counts as Tuned-like.
pub const MAX_E_RATE_CHANGE: f64 = 0.15;
/// Largest assembly rate in the 500 ms after odor offset that counts as Tuned-like, Hz.
pub const MAX_AFTER_OFFSET_HZ: f64 = 2.0;

/// The grid searched.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SimpleSearchGrid {
    /// E→E within-assembly factors.
    pub alpha: Vec<f64>,
    /// I→E within-E/I-assembly factors.
    pub beta: Vec<f64>,
    /// E→I within-assembly factors.
    pub gamma: Vec<f64>,
    /// Learned odors shown (one trial each).
    pub odors: usize,
}

impl SimpleSearchGrid {
    /// The full grid (24 points, 4 odors), or the quick one (4 points, 2 odors).
    pub fn new(quick: bool) -> Self {
        if quick {
            Self { alpha: vec![5.0, 10.0], beta: vec![1.0, 4.0], gamma: vec![3.0], odors: 2 }
        } else {
            Self { alpha: vec![5.0, 7.5, 10.0, 15.0], beta: vec![1.0, 2.0, 4.0], gamma: vec![1.0, 3.0], odors: 4 }
        }
    }

    /// The points, α outermost.
    pub fn points(&self) -> Vec<Variant> {
        let mut out = Vec::new();
        for &alpha in &self.alpha {
            for &beta in &self.beta {
                for &gamma in &self.gamma {
                    out.push(Variant::TunedEI { alpha, beta, gamma });
                }
            }
        }
        out
    }
}

/// The rates of one network variant over the trials.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SimpleRates {
    /// E rate during the odors, Hz.
    #[serde(deserialize_with = "null_as_nan::f64")]
    pub e_rate_odor_hz: f64,
    /// Rate of assembly k during odor k, Hz.
    #[serde(deserialize_with = "null_as_nan::f64")]
    pub assembly_rate_hz: f64,
    /// The same neurons in the 500 ms after offset, Hz.
    #[serde(deserialize_with = "null_as_nan::f64")]
    pub assembly_rate_after_offset_hz: f64,
}

/// One grid point.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SimplePoint {
    /// α.
    pub alpha: f64,
    /// β.
    pub beta: f64,
    /// γ.
    pub gamma: f64,
    /// Its rates.
    pub rates: SimpleRates,
    /// Assembly rate ÷ rand's.
    #[serde(deserialize_with = "null_as_nan::f64")]
    pub amplification: f64,
    /// E rate ÷ rand's − 1.
    #[serde(deserialize_with = "null_as_nan::f64")]
    pub e_rate_change: f64,
    /// Whether it meets the Tuned-like criteria (module docs).
    pub tuned_like: bool,
}

impl SimplePoint {
    /// The point `variant` with `rates`, against `rand`.
    pub fn new(variant: Variant, rates: SimpleRates, rand: &SimpleRates) -> Self {
        let (alpha, beta, gamma) = match variant {
            Variant::TunedEI { alpha, beta, gamma } => (alpha, beta, gamma),
            other => (other.alpha(), f64::NAN, f64::NAN),
        };
        let amplification = rates.assembly_rate_hz / rand.assembly_rate_hz;
        let e_rate_change = rates.e_rate_odor_hz / rand.e_rate_odor_hz - 1.0;
        let tuned_like = (AMPLIFICATION_RANGE.0..=AMPLIFICATION_RANGE.1).contains(&amplification)
            && e_rate_change.abs() <= MAX_E_RATE_CHANGE
            && rates.assembly_rate_after_offset_hz < MAX_AFTER_OFFSET_HZ;
        Self { alpha, beta, gamma, rates, amplification, e_rate_change, tuned_like }
    }
}

/// What the search found (`"s2_parameter_search"` of `fig4.json`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SimpleSearch {
    /// The grid.
    pub grid: SimpleSearchGrid,
    /// The Tuned-like criteria, in words.
    pub criteria: String,
    /// rand.
    pub rand: SimpleRates,
    /// Every grid point, in [`SimpleSearchGrid::points`] order.
    pub points: Vec<SimplePoint>,
}

impl SimpleSearch {
    /// The Tuned-like points.
    pub fn tuned_like(&self) -> impl Iterator<Item = &SimplePoint> {
        self.points.iter().filter(|p| p.tuned_like)
    }
}

/// The rates of one run of `variant` on the simple network `base`.
fn rates_of(
    ctx: &Context,
    base: &DpConnectivity,
    variant: Variant,
    seed: u64,
    odors: usize,
) -> Result<SimpleRates, EngramError> {
    let config = instance_config(Structure::Simple, ctx.options.scale_down);
    let (net, _) = base.with_variant(&config, variant, seed)?;
    let protocol = Protocol::trials(ctx.odors.learned[..odors].to_vec());
    let rec = simulate(&config, &net, &protocol, seed ^ 0x5EA5C4, ctx.dt_ms, None)?;
    let m = run_metrics(&rec, &net, OdorSet::Learned);
    Ok(SimpleRates {
        e_rate_odor_hz: m.e_rate_odor_hz,
        assembly_rate_hz: m.assembly_rate_hz,
        assembly_rate_after_offset_hz: m.assembly_rate_after_offset_hz,
    })
}

/// Run the search on the simple-model network of seed `simple_seed`.
pub fn run(ctx: &Context, simple_seed: u64) -> Result<SimpleSearch, EngramError> {
    let grid = SimpleSearchGrid::new(ctx.options.quick);
    let config = instance_config(Structure::Simple, ctx.options.scale_down);
    let base = DpConnectivity::generate(&config, &ctx.odors.learned, simple_seed)?;
    let mut variants = vec![Variant::Rand];
    variants.extend(grid.points());
    let rates = ctx
        .run_jobs("Fig 4-S2: simple-model search", &variants, |&v| rates_of(ctx, &base, v, simple_seed, grid.odors))?;
    let rand = rates[0];
    let points = variants[1..].iter().zip(&rates[1..]).map(|(&v, &r)| SimplePoint::new(v, r, &rand)).collect();
    let criteria = format!(
        "amplification {}–{} × rand, E rate within ±{:.0} % of rand, assembly rate after offset below {} Hz",
        AMPLIFICATION_RANGE.0,
        AMPLIFICATION_RANGE.1,
        100.0 * MAX_E_RATE_CHANGE,
        MAX_AFTER_OFFSET_HZ
    );
    Ok(SimpleSearch { grid, criteria, rand, points })
}
