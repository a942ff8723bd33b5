//! Slow synaptic volatility: a "night" step that moves every weight of one synapse class by a
//! random multiplicative step between simulated days, as spine sizes fluctuate in vivo
//! (Loewenstein, Kuras & Rumpel 2011; Statman et al. 2014). Apply it to a projection's weights
//! between days; activity-dependent rules run during the days.
//!
//! ```
//! use engram_core::params::Params;
//! use engram_core::rng::{component_id, stream};
//! use engram_plasticity::volatility::{LogNormalOu, LogNormalOuParams, NightStep, LogWeightStats};
//!
//! // E->E weights of mean 1 nS, after many nights: log-normal with log-SD 0.8, mean kept at 1
//! let night = LogNormalOu::new(LogNormalOuParams::default().check().unwrap(), 1.0).unwrap();
//! let mut weights = vec![1.0; 20_000];
//! for day in 0..60 {
//!     // one stream per (seed, class, day): every condition of a run sees the same noise
//!     night.apply(&mut weights, &mut stream(7, component_id("E->E night"), day));
//! }
//! let s = LogWeightStats::of(&weights);
//! assert!((s.mean - 1.0).abs() < 0.03 && (s.log_sd - 0.8).abs() < 0.02);
//! ```
//!
//! Two steps are provided, behind one trait ([`NightStep`]):
//!
//! - [`LogNormalOu`], the default: an Ornstein–Uhlenbeck process in log-weight, discretised
//!   exactly over one night of Δ days, reverting to a *class-wide* log mean μ = −σ²/2 so the
//!   class mean weight stays w̄ (the mean E and I drive are kept). Its stationary law is
//!   log-normal with log-SD σ, and the day-to-day correlation of log weights is ρ^k at a lag of
//!   k nights, ρ = e^(−Δ/τ). Reverting to each synapse's own start value instead would cap the
//!   drift at a floor.
//! - [`Kesten`]: w ← a·w + b with a log-normal (mean ā = e^(−Δ/τ)) and b normal (mean
//!   b̄ = w̄(1 − ā)); stationary mean w̄ and a closed-form second moment; heavier tails.
//!
//! Beside the weight steps, [`Turnover`] replaces synapses: each night a synapse is deleted
//! with a small probability and a new one made onto the same postsynaptic neuron from a
//! random presynaptic neuron that is not yet connected to it, its weight drawn from the night
//! step's stationary law. In-degrees are kept exactly, and with them the connection
//! probability (the structural turnover of Kossio et al. 2021). It returns a new matrix: put
//! it in place with `engram_sim::Network::rewire`.
//!
//! Both keep weights in `[min_ratio, max_ratio] · w̄` (a weight at or below zero counts as the
//! lower bound), and draw one standard normal (and for Kesten two) per synapse, in order, from
//! the stream they are given: pass [`stream`](engram_core::rng::stream)`(seed, class, day)` so
//! that the noise of a night depends only on the seed, the class and the day.

use engram_core::error::ParamError;
use engram_core::params::{Checked, Params, positive};
use rand::{Rng, RngCore};
use rand_distr::{Distribution, StandardNormal};
use serde::{Deserialize, Serialize};
use sprs::CsMatI;

/// One night of volatility for one synapse class: a random step for every weight.
pub trait NightStep {
    /// Moves every weight of `weights` by one night's step, drawing from `rng` in order.
    fn apply(&self, weights: &mut [f64], rng: &mut dyn RngCore);

    /// The stationary mean weight (the class scale w̄).
    fn mean_weight(&self) -> f64;

    /// One weight drawn from (an approximation of) the stationary law, for a new synapse.
    fn draw_stationary(&self, rng: &mut dyn RngCore) -> f64;
}

fn normal(rng: &mut dyn RngCore) -> f64 {
    StandardNormal.sample(rng)
}

fn check_ratios(min_ratio: f64, max_ratio: f64) -> Result<(), ParamError> {
    positive("min_ratio", min_ratio)?;
    if !(max_ratio.is_finite() && max_ratio > 1.0 && max_ratio > min_ratio) || min_ratio >= 1.0 {
        let (field, value) = if min_ratio >= 1.0 { ("min_ratio", min_ratio) } else { ("max_ratio", max_ratio) };
        return Err(ParamError::new(
            field,
            value,
            "0 < min_ratio < 1 < max_ratio (bounds relative to the mean weight)",
        ));
    }
    Ok(())
}

/// Parameters of [`LogNormalOu`]. Defaults: τ = 10 days, σ = 0.8 (per-night log step SD
/// σ·√(1 − ρ²) ≈ 0.34), one day per night; weights kept in [0.001, 50]·w̄.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LogNormalOuParams {
    /// Correlation time τ of the log weights, days. Default 10.
    pub tau_days: f64,
    /// Stationary standard deviation σ of ln(w / w̄). Default 0.8.
    pub log_sd: f64,
    /// Days Δ one step covers. Default 1.
    pub days_per_night: f64,
    /// Lower bound of w / w̄ (> 0; a weight at or below it is taken at it). Default 0.001.
    pub min_ratio: f64,
    /// Upper bound of w / w̄. Default 50.
    pub max_ratio: f64,
}

impl Default for LogNormalOuParams {
    fn default() -> Self {
        Self { tau_days: 10.0, log_sd: 0.8, days_per_night: 1.0, min_ratio: 1e-3, max_ratio: 50.0 }
    }
}

impl Params for LogNormalOuParams {
    fn validate(&self) -> Result<(), ParamError> {
        positive("tau_days", self.tau_days)?;
        positive("log_sd", self.log_sd)?;
        positive("days_per_night", self.days_per_night)?;
        check_ratios(self.min_ratio, self.max_ratio)
    }
}

/// The mean-preserving log-normal Ornstein–Uhlenbeck night step. With x = ln(w / w̄):
///
/// x ← μ + ρ(x − μ) + σ√(1 − ρ²)·ξ,  ξ ~ N(0, 1),  ρ = e^(−Δ/τ),  μ = −σ²/2,
///
/// then w = w̄·eˣ, kept in `[min_ratio, max_ratio]·w̄`.
#[derive(Clone, Debug, PartialEq)]
pub struct LogNormalOu {
    params: LogNormalOuParams,
    mean_weight: f64,
}

impl LogNormalOu {
    /// The step for a class whose stationary mean weight is `mean_weight` (> 0, the class
    /// scale; often the mean of its weights when the nights begin).
    ///
    /// # Errors
    /// `mean_weight` not finite and positive.
    pub fn new(params: Checked<LogNormalOuParams>, mean_weight: f64) -> Result<Self, ParamError> {
        positive("mean_weight", mean_weight)?;
        Ok(Self { params: params.into_inner(), mean_weight })
    }

    /// ρ = e^(−Δ/τ): the correlation of log weights from one night to the next.
    pub fn rho(&self) -> f64 {
        (-self.params.days_per_night / self.params.tau_days).exp()
    }

    /// μ = −σ²/2: the stationary mean of ln(w / w̄).
    pub fn log_mean(&self) -> f64 {
        -0.5 * self.params.log_sd * self.params.log_sd
    }

    /// σ·√(1 − ρ²): the SD of one night's log step.
    pub fn step_sd(&self) -> f64 {
        let rho = self.rho();
        self.params.log_sd * (1.0 - rho * rho).sqrt()
    }

    fn bound(&self, ratio: f64) -> f64 {
        ratio.clamp(self.params.min_ratio, self.params.max_ratio)
    }
}

impl NightStep for LogNormalOu {
    fn apply(&self, weights: &mut [f64], rng: &mut dyn RngCore) {
        let (rho, mu, sd, w_bar) = (self.rho(), self.log_mean(), self.step_sd(), self.mean_weight);
        for w in weights {
            let x = self.bound(*w / w_bar).ln();
            let x = mu + rho * (x - mu) + sd * normal(rng);
            *w = w_bar * self.bound(x.exp());
        }
    }

    fn mean_weight(&self) -> f64 {
        self.mean_weight
    }

    fn draw_stationary(&self, rng: &mut dyn RngCore) -> f64 {
        let x = self.log_mean() + self.params.log_sd * normal(rng);
        self.mean_weight * self.bound(x.exp())
    }
}

/// Parameters of [`Kesten`]. Defaults: τ = 10 days, log-SD of a 0.1, SD of b 0.05·w̄, one
/// day per night; weights kept in [0.001, 50]·w̄.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct KestenParams {
    /// Time constant τ of the mean multiplier ā = e^(−Δ/τ), days. Default 10.
    pub tau_days: f64,
    /// Log-SD s_a of the multiplier a (log-normal with mean ā). Default 0.1.
    pub a_log_sd: f64,
    /// SD of the additive term b, in units of the mean weight w̄. Default 0.05.
    pub b_sd_ratio: f64,
    /// Days Δ one step covers. Default 1.
    pub days_per_night: f64,
    /// Lower bound of w / w̄. Default 0.001.
    pub min_ratio: f64,
    /// Upper bound of w / w̄. Default 50.
    pub max_ratio: f64,
}

impl Default for KestenParams {
    fn default() -> Self {
        Self { tau_days: 10.0, a_log_sd: 0.1, b_sd_ratio: 0.05, days_per_night: 1.0, min_ratio: 1e-3, max_ratio: 50.0 }
    }
}

impl Params for KestenParams {
    fn validate(&self) -> Result<(), ParamError> {
        positive("tau_days", self.tau_days)?;
        positive("a_log_sd", self.a_log_sd)?;
        positive("b_sd_ratio", self.b_sd_ratio)?;
        positive("days_per_night", self.days_per_night)?;
        check_ratios(self.min_ratio, self.max_ratio)?;
        let a_bar = (-self.days_per_night / self.tau_days).exp();
        if a_bar * a_bar * (self.a_log_sd * self.a_log_sd).exp() >= 1.0 {
            return Err(ParamError::new(
                "a_log_sd",
                self.a_log_sd,
                "small enough that E[a²] = ā²·exp(a_log_sd²) < 1 (otherwise the weights have no stationary law)",
            ));
        }
        Ok(())
    }
}

/// The Kesten night step w ← a·w + b, with a ~ LogNormal(ln ā − s_a²/2, s_a) (so E(a) = ā =
/// e^(−Δ/τ)) and b ~ N(b̄, (s_b·w̄)²), b̄ = w̄(1 − ā), kept in `[min_ratio, max_ratio]·w̄`.
/// Without the bounds the stationary mean is b̄/(1 − ā) = w̄ and the stationary second moment
/// (2ā·b̄·w̄ + E(b²)) / (1 − E(a²)), E(a²) = ā²·e^(s_a²).
#[derive(Clone, Debug, PartialEq)]
pub struct Kesten {
    params: KestenParams,
    mean_weight: f64,
}

impl Kesten {
    /// The step for a class of stationary mean weight `mean_weight` (> 0).
    ///
    /// # Errors
    /// `mean_weight` not finite and positive.
    pub fn new(params: Checked<KestenParams>, mean_weight: f64) -> Result<Self, ParamError> {
        positive("mean_weight", mean_weight)?;
        Ok(Self { params: params.into_inner(), mean_weight })
    }

    /// ā = e^(−Δ/τ).
    pub fn a_mean(&self) -> f64 {
        (-self.params.days_per_night / self.params.tau_days).exp()
    }

    /// The stationary SD of w without the bounds, from the closed-form second moment.
    pub fn stationary_sd(&self) -> f64 {
        let (a, m, s_a) = (self.a_mean(), self.mean_weight, self.params.a_log_sd);
        let b = m * (1.0 - a);
        let s_b = self.params.b_sd_ratio * m;
        let second = (2.0 * a * b * m + b * b + s_b * s_b) / (1.0 - a * a * (s_a * s_a).exp());
        (second - m * m).max(0.0).sqrt()
    }
}

impl NightStep for Kesten {
    fn apply(&self, weights: &mut [f64], rng: &mut dyn RngCore) {
        let (a_bar, s_a, w_bar) = (self.a_mean(), self.params.a_log_sd, self.mean_weight);
        let (b_bar, s_b) = (w_bar * (1.0 - a_bar), self.params.b_sd_ratio * w_bar);
        let log_a_mean = a_bar.ln() - 0.5 * s_a * s_a;
        let (low, high) = (self.params.min_ratio * w_bar, self.params.max_ratio * w_bar);
        for w in weights {
            let a = (log_a_mean + s_a * normal(rng)).exp();
            let b = b_bar + s_b * normal(rng);
            *w = (a * w.max(low) + b).clamp(low, high);
        }
    }

    fn mean_weight(&self) -> f64 {
        self.mean_weight
    }

    /// A normal draw with the stationary mean and SD, kept in the bounds (the stationary law
    /// itself has no closed form).
    fn draw_stationary(&self, rng: &mut dyn RngCore) -> f64 {
        let w = self.mean_weight + self.stationary_sd() * normal(rng);
        w.clamp(self.params.min_ratio * self.mean_weight, self.params.max_ratio * self.mean_weight)
    }
}

/// A night step named in a configuration file: `LogNormalOu(tau_days: 10.0, log_sd: 0.8)` or
/// `Kesten(tau_days: 10.0)`; the class's mean weight is given when it is built.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum Volatility {
    /// [`LogNormalOu`].
    LogNormalOu(LogNormalOuParams),
    /// [`Kesten`].
    Kesten(KestenParams),
}

impl Volatility {
    /// The step for a class of mean weight `mean_weight`.
    ///
    /// # Errors
    /// Parameters out of range (the field named), or `mean_weight` not positive.
    pub fn build(&self, mean_weight: f64) -> Result<Box<dyn NightStep + Send + Sync>, ParamError> {
        Ok(match self {
            Volatility::LogNormalOu(p) => Box::new(LogNormalOu::new(p.clone().check()?, mean_weight)?),
            Volatility::Kesten(p) => Box::new(Kesten::new(p.clone().check()?, mean_weight)?),
        })
    }
}

/// Statistics of a class's weights to log after each night: mean, and mean, SD and skewness of
/// ln(w) over the positive weights.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LogWeightStats {
    /// Number of weights.
    pub n: usize,
    /// Mean weight.
    pub mean: f64,
    /// Mean of ln(w) over the positive weights.
    pub log_mean: f64,
    /// SD of ln(w) over the positive weights.
    pub log_sd: f64,
    /// Skewness of ln(w) over the positive weights (0 for a log-normal law).
    pub log_skewness: f64,
    /// Fraction of the weights at or below zero.
    pub fraction_zero: f64,
}

impl LogWeightStats {
    /// The statistics of `weights` (NaN fields for an empty slice or no positive weight).
    pub fn of(weights: &[f64]) -> Self {
        let n = weights.len();
        let mean = weights.iter().sum::<f64>() / n as f64;
        let logs: Vec<f64> = weights.iter().filter(|&&w| w > 0.0).map(|w| w.ln()).collect();
        let m = logs.len() as f64;
        let log_mean = logs.iter().sum::<f64>() / m;
        let central = |p: i32| logs.iter().map(|x| (x - log_mean).powi(p)).sum::<f64>() / m;
        let log_sd = central(2).sqrt();
        Self {
            n,
            mean,
            log_mean,
            log_sd,
            log_skewness: central(3) / log_sd.powi(3),
            fraction_zero: (n - logs.len()) as f64 / n as f64,
        }
    }
}

/// Pearson correlation of ln(w) between two snapshots of the same synapses (positive weights
/// in both); ρ^k after k nights of [`LogNormalOu`] from its stationary law. NaN if fewer than
/// two such synapses or no variance.
///
/// # Panics
/// If the snapshots differ in length.
pub fn log_weight_correlation(before: &[f64], after: &[f64]) -> f64 {
    assert_eq!(before.len(), after.len(), "log_weight_correlation: snapshots of different synapses");
    let pairs: Vec<(f64, f64)> =
        before.iter().zip(after).filter(|(a, b)| **a > 0.0 && **b > 0.0).map(|(a, b)| (a.ln(), b.ln())).collect();
    let n = pairs.len() as f64;
    let (ma, mb) = (pairs.iter().map(|p| p.0).sum::<f64>() / n, pairs.iter().map(|p| p.1).sum::<f64>() / n);
    let (mut sab, mut saa, mut sbb) = (0.0, 0.0, 0.0);
    for (a, b) in &pairs {
        sab += (a - ma) * (b - mb);
        saa += (a - ma) * (a - ma);
        sbb += (b - mb) * (b - mb);
    }
    sab / (saa * sbb).sqrt()
}

/// Parameters of [`Turnover`]. Defaults: 2 % of the synapses replaced per day, one day per
/// night, autapses allowed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TurnoverParams {
    /// Probability that a synapse is replaced within one day, in [0, 1]. Default 0.02.
    pub p_per_day: f64,
    /// Days Δ one night covers. Default 1.
    pub days_per_night: f64,
    /// Refuse new synapses from a neuron onto itself (for a projection of a population onto
    /// itself). Default false.
    pub no_autapses: bool,
}

impl Default for TurnoverParams {
    fn default() -> Self {
        Self { p_per_day: 0.02, days_per_night: 1.0, no_autapses: false }
    }
}

impl Params for TurnoverParams {
    fn validate(&self) -> Result<(), ParamError> {
        if !(0.0..=1.0).contains(&self.p_per_day) {
            return Err(ParamError::new("p_per_day", self.p_per_day, "a probability in [0, 1]"));
        }
        positive("days_per_night", self.days_per_night)
    }
}

/// Structural turnover that keeps in-degrees: each night every synapse is, with probability
/// q = 1 − (1 − p)^Δ, deleted and replaced by a synapse onto the same postsynaptic neuron from
/// a presynaptic neuron drawn uniformly among those not connected to it (the deleted one
/// excluded), with a weight from [`NightStep::draw_stationary`]. A postsynaptic neuron that
/// is already connected to every allowed presynaptic neuron keeps its synapses. After k nights
/// a synapse of the start survives with probability (1 − q)^k (a little more: a deleted
/// synapse can be made again later).
///
/// ```
/// use engram_core::params::Params;
/// use engram_core::rng::{component_id, stream};
/// use engram_plasticity::volatility::{LogNormalOu, LogNormalOuParams, Turnover, TurnoverParams};
///
/// // 200 presynaptic neurons onto 100 targets, 10 synapses from each, 20 onto each
/// let indptr: Vec<usize> = (0..=200).map(|i| 10 * i).collect();
/// let targets: Vec<u32> = (0..200u32).flat_map(|i| (0..10).map(move |k| (i % 10) + 10 * k)).collect();
/// let w = sprs::CsMatI::<f64, u32, usize>::new((200, 100), indptr, targets, vec![0.1; 2000]);
/// let turnover = Turnover::new(TurnoverParams { p_per_day: 0.1, ..Default::default() }.check().unwrap());
/// let law = LogNormalOu::new(LogNormalOuParams::default().check().unwrap(), 0.1).unwrap();
/// let (next, replaced) = turnover.apply(&w, &law, &mut stream(7, component_id("OB->E turnover"), 0));
/// assert!(replaced > 150 && replaced < 250); // about 10 % of 2000
/// assert_eq!(next.nnz(), w.nnz());           // in-degrees kept (20 onto each target)
/// /// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Turnover {
    params: TurnoverParams,
}

impl Turnover {
    /// The turnover of `params`.
    pub fn new(params: Checked<TurnoverParams>) -> Self {
        Self { params: params.into_inner() }
    }

    /// q = 1 − (1 − p)^Δ: the probability that a synapse is replaced in one night.
    pub fn p_per_night(&self) -> f64 {
        1.0 - (1.0 - self.params.p_per_day).powf(self.params.days_per_night)
    }

    /// One night of turnover on `weights` (CSR, row = presynaptic neuron): returns the new
    /// matrix (same shape, same in-degree for every column, sorted indices) and the number of
    /// synapses replaced. Targets are visited in order, and each target's synapses in order of
    /// their presynaptic neuron; every synapse draws one uniform number from `rng`, each
    /// replacement its presynaptic neuron(s) and one weight, so the result depends only on
    /// the matrix and the stream.
    pub fn apply(
        &self,
        weights: &CsMatI<f64, u32, usize>,
        law: &dyn NightStep,
        rng: &mut dyn RngCore,
    ) -> (CsMatI<f64, u32, usize>, usize) {
        let (n_pre, n_post) = weights.shape();
        let q = self.p_per_night();
        // the synapses onto each target, by presynaptic neuron
        let mut onto: Vec<Vec<(u32, f64)>> = vec![Vec::new(); n_post];
        for (pre, row) in weights.outer_iterator().enumerate() {
            for (post, &w) in row.iter() {
                onto[post].push((pre as u32, w));
            }
        }
        let mut connected = vec![false; n_pre];
        let mut replaced = 0;
        for (post, synapses) in onto.iter_mut().enumerate() {
            let autapse = self.params.no_autapses && post < n_pre;
            let allowed = n_pre - usize::from(autapse);
            for &(pre, _) in synapses.iter() {
                connected[pre as usize] = true;
            }
            for k in 0..synapses.len() {
                let u: f64 = rng.r#gen();
                if u >= q || synapses.len() >= allowed {
                    continue;
                }
                let old = synapses[k].0 as usize;
                let new = loop {
                    let i = rng.gen_range(0..n_pre);
                    let taken = connected[i] || (autapse && i == post);
                    if !taken {
                        break i;
                    }
                };
                connected[new] = true;
                connected[old] = false;
                synapses[k] = (new as u32, law.draw_stationary(rng));
                replaced += 1;
            }
            for &(pre, _) in synapses.iter() {
                connected[pre as usize] = false;
            }
        }
        // back to rows: count per presynaptic neuron, then fill in target order (sorted)
        let mut indptr = vec![0usize; n_pre + 1];
        for synapses in &onto {
            for &(pre, _) in synapses {
                indptr[pre as usize + 1] += 1;
            }
        }
        for i in 0..n_pre {
            indptr[i + 1] += indptr[i];
        }
        let nnz = indptr[n_pre];
        let (mut indices, mut data) = (vec![0u32; nnz], vec![0.0; nnz]);
        let mut next = indptr.clone();
        for (post, synapses) in onto.iter().enumerate() {
            for &(pre, w) in synapses {
                let at = &mut next[pre as usize];
                indices[*at] = post as u32;
                data[*at] = w;
                *at += 1;
            }
        }
        (CsMatI::new((n_pre, n_post), indptr, indices, data), replaced)
    }
}
