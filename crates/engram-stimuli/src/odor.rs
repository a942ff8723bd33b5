//! Olfactory-bulb odor inputs of the Dp model: odors as fixed patterns over mitral cells (MCs),
//! odor sets, mixtures, morphs and the input correlation between odors.
//!
//! An [`Odor`] (Meissner-Bernard, Zenke & Friedrich, eLife 2025, Methods) is a fixed pattern over
//! `n_mitral_cells` (1500) MCs that fire Poisson spikes at a 6 Hz baseline:
//!
//! - 150 **activated** MCs (10%) get a rate increment Δ, an onset latency (0–200 ms in 1 ms steps)
//!   and a decay time constant τ ∈ {1, 2, 4} s (one third of the cells each). From
//!   `t_onset + latency` on the rate is `r(t) = baseline + Δ·exp(−(t − t_onset − latency)/τ)`.
//! - 75 **inhibited** MCs (5%, disjoint from the activated ones) drop by a constant decrement from
//!   their latency on, without decay.
//! - All other MCs stay at baseline; every MC returns to baseline at odor offset.
//!
//! Identities, increments, latencies and time constants are drawn once per odor; trial-to-trial
//! variability comes only from the Poisson draws (see [`OdorSchedule`](crate::OdorSchedule)).
//!
//! Two rate conventions ([`RateConvention`]):
//! - `increment_on_baseline` (default; what the authors' shipped spike files contain,
//!   docs/models/dp.md#the-authors-spike-files): Δ ~ U{8..32} Hz added on top of the baseline (peak
//!   14–38 Hz), inhibited MCs drop by U{2..6} Hz (to 0–4 Hz).
//! - `rate_replaces_baseline` (the paper's Methods text): the activated rate itself is
//!   U{8..32} Hz (Δ = rate − baseline) and the inhibited rate is U{0..5} Hz.
//!
//! ```
//! use engram_core::prelude::*;
//! use engram_stimuli::odor::{Odor, OdorParams, input_correlation};
//!
//! let params = OdorParams::default().check().unwrap();
//! let a = Odor::random(&params, 1, 0);
//! let b = Odor::random(&params, 1, 1);
//! assert_eq!((a.activated().len(), a.inhibited().len()), (150, 75));
//! assert!(a.activated().iter().all(|c| (8.0..=32.0).contains(&c.increment_hz)));
//! assert!((input_correlation(&a, &a) - 1.0).abs() < 1e-12);
//! assert!(input_correlation(&a, &b).abs() < 0.15); // independent odors are uncorrelated
//! ```

use engram_core::error::ParamError;
use engram_core::params::{Checked, Params, non_negative, positive, probability};
use engram_core::rng::{RngStream, component_id, stream};
use rand::Rng;
use rand::seq::SliceRandom;
use rand::seq::index::sample;
use serde::{Deserialize, Serialize};

/// Duration of an odor presentation in the standard trials of the paper, ms (2 s). It is also
/// the window over which [`input_correlation`] averages the rates.
pub const ODOR_DURATION_MS: f64 = 2000.0;

/// How the drawn rates of an odor relate to the baseline. See the [module docs](self).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum RateConvention {
    /// The authors' shipped spike files (docs/models/dp.md#the-authors-spike-files): the activated
    /// MCs' increment is drawn and added to the baseline; the inhibited MCs' decrement is drawn and
    /// subtracted.
    IncrementOnBaseline {
        /// Range (inclusive, integer Hz, discrete uniform) of the increment Δ. Default (8, 32).
        activated_increment_hz: [u32; 2],
        /// Range (inclusive, integer Hz, discrete uniform) of the decrement. Default (2, 6).
        inhibited_decrement_hz: [u32; 2],
    },
    /// The paper's Methods text: the drawn rate replaces the baseline (Δ = rate − baseline).
    RateReplacesBaseline {
        /// Range (inclusive, integer Hz, discrete uniform) of the activated peak rate. Default (8, 32).
        activated_rate_hz: [u32; 2],
        /// Range (inclusive, integer Hz, discrete uniform) of the inhibited rate. Default (0, 5).
        inhibited_rate_hz: [u32; 2],
    },
}

impl RateConvention {
    /// `increment_on_baseline` with the shipped files' ranges: Δ ∈ {8..32} Hz, decrement ∈ {2..6} Hz.
    pub fn increment_on_baseline() -> Self {
        RateConvention::IncrementOnBaseline { activated_increment_hz: [8, 32], inhibited_decrement_hz: [2, 6] }
    }

    /// `rate_replaces_baseline` with the paper text's ranges: rate ∈ {8..32} Hz, inhibited ∈ {0..5} Hz.
    pub fn rate_replaces_baseline() -> Self {
        RateConvention::RateReplacesBaseline { activated_rate_hz: [8, 32], inhibited_rate_hz: [0, 5] }
    }

    fn validate(&self, baseline_rate_hz: f64) -> Result<(), ParamError> {
        let range = |field: &str, r: [u32; 2]| {
            if r[0] <= r[1] {
                Ok(())
            } else {
                Err(ParamError::new(field, format!("{r:?}"), "[min, max] with min <= max"))
            }
        };
        let (variant, result) = match self {
            RateConvention::IncrementOnBaseline { activated_increment_hz, inhibited_decrement_hz } => (
                "increment_on_baseline",
                range("activated_increment_hz", *activated_increment_hz)
                    .and_then(|_| range("inhibited_decrement_hz", *inhibited_decrement_hz))
                    .and_then(|_| {
                        if inhibited_decrement_hz[1] as f64 <= baseline_rate_hz {
                            Ok(())
                        } else {
                            Err(ParamError::new(
                                "inhibited_decrement_hz",
                                format!("{inhibited_decrement_hz:?}"),
                                format!("decrements <= baseline_rate_hz ({baseline_rate_hz} Hz)"),
                            ))
                        }
                    }),
            ),
            RateConvention::RateReplacesBaseline { activated_rate_hz, inhibited_rate_hz } => (
                "rate_replaces_baseline",
                range("activated_rate_hz", *activated_rate_hz)
                    .and_then(|_| range("inhibited_rate_hz", *inhibited_rate_hz))
                    .and_then(|_| {
                        if activated_rate_hz[0] as f64 >= baseline_rate_hz {
                            Ok(())
                        } else {
                            Err(ParamError::new(
                                "activated_rate_hz",
                                format!("{activated_rate_hz:?}"),
                                format!("rates >= baseline_rate_hz ({baseline_rate_hz} Hz)"),
                            ))
                        }
                    })
                    .and_then(|_| {
                        if inhibited_rate_hz[1] as f64 <= baseline_rate_hz {
                            Ok(())
                        } else {
                            Err(ParamError::new(
                                "inhibited_rate_hz",
                                format!("{inhibited_rate_hz:?}"),
                                format!("rates <= baseline_rate_hz ({baseline_rate_hz} Hz)"),
                            ))
                        }
                    }),
            ),
        };
        result.map_err(|e| e.within(variant).within("convention"))
    }

    /// Draw (increment Δ, Hz) of an activated MC.
    fn draw_increment_hz(&self, baseline_rate_hz: f64, rng: &mut impl Rng) -> f64 {
        match self {
            RateConvention::IncrementOnBaseline { activated_increment_hz: [lo, hi], .. } => {
                rng.gen_range(*lo..=*hi) as f64
            }
            RateConvention::RateReplacesBaseline { activated_rate_hz: [lo, hi], .. } => {
                rng.gen_range(*lo..=*hi) as f64 - baseline_rate_hz
            }
        }
    }

    /// Draw the (positive) decrement of an inhibited MC, Hz.
    fn draw_decrement_hz(&self, baseline_rate_hz: f64, rng: &mut impl Rng) -> f64 {
        match self {
            RateConvention::IncrementOnBaseline { inhibited_decrement_hz: [lo, hi], .. } => {
                rng.gen_range(*lo..=*hi) as f64
            }
            RateConvention::RateReplacesBaseline { inhibited_rate_hz: [lo, hi], .. } => {
                baseline_rate_hz - rng.gen_range(*lo..=*hi) as f64
            }
        }
    }
}

impl Default for RateConvention {
    fn default() -> Self {
        Self::increment_on_baseline()
    }
}

/// Parameters of a random [`Odor`]. Defaults: the Dp model (paper Methods, shipped files;
/// docs/models/dp.md#odor-inputs).
///
/// In RON: `(n_mitral_cells: 1500, convention: increment_on_baseline(activated_increment_hz:
/// (8, 32), inhibited_decrement_hz: (2, 6)), tau_decay_ms: [1000, 2000, 4000], ...)`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OdorParams {
    /// Number of mitral cells (≥ 1). Default 1500.
    pub n_mitral_cells: usize,
    /// Activated MCs per odor. Default 150 (10%).
    pub n_activated: usize,
    /// Inhibited MCs per odor, disjoint from the activated ones. Default 75 (5%).
    pub n_inhibited: usize,
    /// Spontaneous rate of every MC, Hz (≥ 0). Default 6.
    pub baseline_rate_hz: f64,
    /// How drawn rates combine with the baseline. Default `increment_on_baseline` (8–32, 2–6 Hz).
    pub convention: RateConvention,
    /// Onset latency range (inclusive, whole ms, discrete uniform), for activated and inhibited
    /// MCs. Default (0, 200) (the paper; the shipped files use 1–200 ms).
    pub latency_ms: [u32; 2],
    /// Decay time constants of the activated MCs, ms (each > 0), each used for an equal share of
    /// the cells (shares differ by at most one cell). Default [1000, 2000, 4000].
    pub tau_decay_ms: Vec<f64>,
    /// Half-open range `[start, end)` of MC indices the odor's cells are drawn from; `None`: all.
    /// (The shipped learned odors use MCs 0..1125 and the novel ones 0..750.) Default `None`.
    pub mitral_cell_range: Option<[usize; 2]>,
}

impl Default for OdorParams {
    fn default() -> Self {
        Self {
            n_mitral_cells: 1500,
            n_activated: 150,
            n_inhibited: 75,
            baseline_rate_hz: 6.0,
            convention: RateConvention::default(),
            latency_ms: [0, 200],
            tau_decay_ms: vec![1000.0, 2000.0, 4000.0],
            mitral_cell_range: None,
        }
    }
}

impl OdorParams {
    /// The paper text's convention: activated rates U{8..32} Hz and inhibited U{0..5} Hz replace
    /// the baseline; everything else default.
    pub fn paper_text() -> Self {
        Self { convention: RateConvention::rate_replaces_baseline(), ..Default::default() }
    }

    /// The MC index range cells are drawn from.
    fn pool(&self) -> [usize; 2] {
        self.mitral_cell_range.unwrap_or([0, self.n_mitral_cells])
    }
}

impl Params for OdorParams {
    fn validate(&self) -> Result<(), ParamError> {
        if self.n_mitral_cells == 0 || self.n_mitral_cells > u32::MAX as usize {
            return Err(ParamError::new("n_mitral_cells", self.n_mitral_cells, "between 1 and 2^32 - 1"));
        }
        non_negative("baseline_rate_hz", self.baseline_rate_hz)?;
        if let Some([start, end]) = self.mitral_cell_range
            && !(start < end && end <= self.n_mitral_cells)
        {
            return Err(ParamError::new(
                "mitral_cell_range",
                format!("[{start}, {end}]"),
                format!("[start, end) with start < end <= n_mitral_cells ({})", self.n_mitral_cells),
            ));
        }
        let [start, end] = self.pool();
        let pool = end - start;
        if self.n_activated > pool {
            return Err(ParamError::new("n_activated", self.n_activated, format!("at most {pool} (MCs available)")));
        }
        if self.n_activated + self.n_inhibited > pool {
            return Err(ParamError::new(
                "n_inhibited",
                self.n_inhibited,
                format!("at most {} (MCs available minus n_activated)", pool - self.n_activated),
            ));
        }
        self.convention.validate(self.baseline_rate_hz)?;
        if self.latency_ms[0] > self.latency_ms[1] {
            return Err(ParamError::new("latency_ms", format!("{:?}", self.latency_ms), "[min, max] with min <= max"));
        }
        if self.tau_decay_ms.is_empty() {
            return Err(ParamError::new("tau_decay_ms", "[]", "at least one time constant"));
        }
        for (i, tau) in self.tau_decay_ms.iter().enumerate() {
            positive(&format!("tau_decay_ms[{i}]"), *tau)?;
        }
        Ok(())
    }
}

/// An activated mitral cell of an odor.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct ActivatedMc {
    /// MC index.
    pub mitral_cell: u32,
    /// Rate increment over the baseline at the response onset, Hz (≥ 0).
    pub increment_hz: f64,
    /// Response onset after odor onset, ms (≥ 0).
    pub latency_ms: f64,
    /// Time constant of the exponential decay of the increment, ms (> 0).
    pub tau_decay_ms: f64,
}

/// An inhibited mitral cell of an odor.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct InhibitedMc {
    /// MC index.
    pub mitral_cell: u32,
    /// Constant rate decrement below the baseline, Hz (0 ≤ decrement ≤ baseline).
    pub decrement_hz: f64,
    /// Response onset after odor onset, ms (≥ 0).
    pub latency_ms: f64,
}

/// A fixed odor pattern over the mitral cells. See the [module docs](self).
///
/// Cells are kept sorted by MC index, so two odors with the same cells compare equal.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Odor {
    n_mitral_cells: usize,
    baseline_rate_hz: f64,
    activated: Vec<ActivatedMc>,
    inhibited: Vec<InhibitedMc>,
}

impl Odor {
    /// A random odor from the stream `engram_core::rng::stream(seed, stream_id, 0)`.
    pub fn random(params: &Checked<OdorParams>, seed: u64, stream_id: u64) -> Self {
        Self::random_with_rng(params, &mut stream(seed, stream_id, 0))
    }

    /// A random odor drawn from `rng`.
    pub fn random_with_rng(params: &Checked<OdorParams>, rng: &mut impl Rng) -> Self {
        let [start, end] = params.pool();
        let ids: Vec<u32> = sample(rng, end - start, params.n_activated + params.n_inhibited)
            .into_iter()
            .map(|i| (start + i) as u32)
            .collect();
        let (act, inh) = ids.split_at(params.n_activated);
        draw_cells(params, act, inh, rng)
    }

    /// An odor from explicit cells (sorted by MC index here). Errors if an index is out of range,
    /// an MC appears twice (also across the two lists), or a value is out of range.
    pub fn from_cells(
        n_mitral_cells: usize,
        baseline_rate_hz: f64,
        mut activated: Vec<ActivatedMc>,
        mut inhibited: Vec<InhibitedMc>,
    ) -> Result<Self, ParamError> {
        non_negative("baseline_rate_hz", baseline_rate_hz)?;
        let mut seen = vec![false; n_mitral_cells];
        let mut claim = |field: String, mc: u32| {
            let i = mc as usize;
            if i >= n_mitral_cells {
                return Err(ParamError::new(field, mc, format!("an MC index < {n_mitral_cells}")));
            }
            if std::mem::replace(&mut seen[i], true) {
                return Err(ParamError::new(field, mc, "an MC not used by another cell of the odor"));
            }
            Ok(())
        };
        for (k, c) in activated.iter().enumerate() {
            let f = |name: &str| format!("activated[{k}].{name}");
            claim(f("mitral_cell"), c.mitral_cell)?;
            non_negative(&f("increment_hz"), c.increment_hz)?;
            non_negative(&f("latency_ms"), c.latency_ms)?;
            positive(&f("tau_decay_ms"), c.tau_decay_ms)?;
        }
        for (k, c) in inhibited.iter().enumerate() {
            let f = |name: &str| format!("inhibited[{k}].{name}");
            claim(f("mitral_cell"), c.mitral_cell)?;
            non_negative(&f("latency_ms"), c.latency_ms)?;
            if !(c.decrement_hz >= 0.0 && c.decrement_hz <= baseline_rate_hz) {
                return Err(ParamError::new(
                    f("decrement_hz"),
                    c.decrement_hz,
                    format!("between 0 and baseline_rate_hz ({baseline_rate_hz})"),
                ));
            }
        }
        activated.sort_by_key(|c| c.mitral_cell);
        inhibited.sort_by_key(|c| c.mitral_cell);
        Ok(Self { n_mitral_cells, baseline_rate_hz, activated, inhibited })
    }

    /// Number of mitral cells.
    pub fn n_mitral_cells(&self) -> usize {
        self.n_mitral_cells
    }

    /// Baseline rate of every MC, Hz.
    pub fn baseline_rate_hz(&self) -> f64 {
        self.baseline_rate_hz
    }

    /// The activated MCs, sorted by MC index.
    pub fn activated(&self) -> &[ActivatedMc] {
        &self.activated
    }

    /// The inhibited MCs, sorted by MC index.
    pub fn inhibited(&self) -> &[InhibitedMc] {
        &self.inhibited
    }

    /// Write the rates of all MCs at `t_ms` after odor onset into `out` (length n_mitral_cells).
    /// Negative times give the baseline.
    pub fn rates_at_hz(&self, t_ms: f64, out: &mut [f64]) {
        assert_eq!(out.len(), self.n_mitral_cells, "out must have one entry per mitral cell");
        out.fill(self.baseline_rate_hz);
        for c in &self.activated {
            if t_ms >= c.latency_ms {
                out[c.mitral_cell as usize] += c.increment_hz * (-(t_ms - c.latency_ms) / c.tau_decay_ms).exp();
            }
        }
        for c in &self.inhibited {
            if t_ms >= c.latency_ms {
                out[c.mitral_cell as usize] -= c.decrement_hz;
            }
        }
    }

    /// Mean rate of every MC over the first `window_ms` after odor onset (exact integral), Hz.
    pub fn mean_rates_hz(&self, window_ms: f64) -> Vec<f64> {
        assert!(window_ms > 0.0, "window_ms must be > 0");
        let mut out = vec![self.baseline_rate_hz; self.n_mitral_cells];
        for c in &self.activated {
            let on_ms = (window_ms - c.latency_ms).max(0.0);
            out[c.mitral_cell as usize] +=
                c.increment_hz * c.tau_decay_ms * (1.0 - (-on_ms / c.tau_decay_ms).exp()) / window_ms;
        }
        for c in &self.inhibited {
            let on_ms = (window_ms - c.latency_ms).max(0.0);
            out[c.mitral_cell as usize] -= c.decrement_hz * on_ms / window_ms;
        }
        out
    }

    /// Whether `other` has the same MC count and baseline (so the two can be mixed or scheduled
    /// together).
    pub fn is_compatible(&self, other: &Odor) -> bool {
        self.n_mitral_cells == other.n_mitral_cells && self.baseline_rate_hz == other.baseline_rate_hz
    }
}

/// Draw rates, latencies and decay groups for the given activated and inhibited MC identities.
pub(crate) fn draw_cells(params: &OdorParams, act: &[u32], inh: &[u32], rng: &mut impl Rng) -> Odor {
    let b = params.baseline_rate_hz;
    let [lat_lo, lat_hi] = params.latency_ms;
    let n_tau = params.tau_decay_ms.len();
    // Equal shares of the decay groups, assigned in random order.
    let mut groups: Vec<usize> = (0..act.len()).map(|i| i % n_tau).collect();
    groups.shuffle(rng);
    let activated = act
        .iter()
        .zip(&groups)
        .map(|(&mc, &g)| ActivatedMc {
            mitral_cell: mc,
            increment_hz: params.convention.draw_increment_hz(b, rng),
            latency_ms: rng.gen_range(lat_lo..=lat_hi) as f64,
            tau_decay_ms: params.tau_decay_ms[g],
        })
        .collect();
    let inhibited = inh
        .iter()
        .map(|&mc| InhibitedMc {
            mitral_cell: mc,
            decrement_hz: params.convention.draw_decrement_hz(b, rng),
            latency_ms: rng.gen_range(lat_lo..=lat_hi) as f64,
        })
        .collect();
    Odor::from_cells(params.n_mitral_cells, b, activated, inhibited).expect("checked parameters give a valid odor")
}

/// Parameters of the learned and novel odor sets of Figs 1–3.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OdorSetParams {
    /// Parameters of each odor (its `mitral_cell_range` is overridden by the ranges below when
    /// they are set).
    pub odor: OdorParams,
    /// Number of learned odors. Default 10.
    pub n_learned: usize,
    /// Number of novel odors. Default 10.
    pub n_novel: usize,
    /// MC range `[start, end)` of the learned odors; `None`: `odor.mitral_cell_range`. Default `None`.
    pub learned_mitral_cell_range: Option<[usize; 2]>,
    /// MC range `[start, end)` of the novel odors; `None`: `odor.mitral_cell_range`. Default `None`.
    pub novel_mitral_cell_range: Option<[usize; 2]>,
}

impl Default for OdorSetParams {
    fn default() -> Self {
        Self {
            odor: OdorParams::default(),
            n_learned: 10,
            n_novel: 10,
            learned_mitral_cell_range: None,
            novel_mitral_cell_range: None,
        }
    }
}

impl OdorSetParams {
    /// Like the authors' shipped files (docs/models/dp.md#the-authors-spike-files): learned odors
    /// drawn from MCs 0..1125, novel odors from MCs 0..750 (so novel odors overlap more: measured
    /// correlation 0.057 vs 0.019).
    pub fn shipped_files() -> Self {
        Self {
            learned_mitral_cell_range: Some([0, 1125]),
            novel_mitral_cell_range: Some([0, 750]),
            ..Default::default()
        }
    }

    fn odor_params(&self, range: Option<[usize; 2]>) -> OdorParams {
        OdorParams { mitral_cell_range: range.or(self.odor.mitral_cell_range), ..self.odor.clone() }
    }
}

impl Params for OdorSetParams {
    fn validate(&self) -> Result<(), ParamError> {
        self.odor.validate().map_err(|e| e.within("odor"))?;
        for (name, range) in [
            ("learned_mitral_cell_range", self.learned_mitral_cell_range),
            ("novel_mitral_cell_range", self.novel_mitral_cell_range),
        ] {
            if range.is_some() {
                self.odor_params(range).validate().map_err(|mut e| {
                    if e.field == "mitral_cell_range" {
                        e.field = name.to_string();
                    } else {
                        e = e.within("odor");
                    }
                    e
                })?;
            }
        }
        Ok(())
    }
}

/// Learned and novel odor sets. Odor `k` of a set comes from the stream
/// `stream(seed, component_id("odor_set.learned" | "odor_set.novel"), k)`, so odors are
/// independent (uncorrelated) and adding odors to a set does not change the earlier ones.
///
/// ```
/// use engram_core::prelude::*;
/// use engram_stimuli::odor::{OdorSetParams, OdorSets};
/// let sets = OdorSets::random(&OdorSetParams::default().check().unwrap(), 7);
/// assert_eq!((sets.learned.len(), sets.novel.len()), (10, 10));
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OdorSets {
    /// The learned odors (learned odor k ↔ assembly k).
    pub learned: Vec<Odor>,
    /// The novel odors.
    pub novel: Vec<Odor>,
}

impl OdorSets {
    /// Draw both sets.
    pub fn random(params: &Checked<OdorSetParams>, seed: u64) -> Self {
        let draw = |range: Option<[usize; 2]>, name: &str, n: usize| {
            let p = params.odor_params(range).check().expect("validated with the set");
            (0..n).map(|k| Odor::random_with_rng(&p, &mut stream(seed, component_id(name), k as u64))).collect()
        };
        Self {
            learned: draw(params.learned_mitral_cell_range, "odor_set.learned", params.n_learned),
            novel: draw(params.novel_mitral_cell_range, "odor_set.novel", params.n_novel),
        }
    }
}

/// Pearson correlation of two vectors (NaN if either is constant).
pub fn pearson(a: &[f64], b: &[f64]) -> f64 {
    assert_eq!(a.len(), b.len(), "pearson: vectors of different lengths");
    let n = a.len() as f64;
    let (ma, mb) = (a.iter().sum::<f64>() / n, b.iter().sum::<f64>() / n);
    let (mut sab, mut saa, mut sbb) = (0.0, 0.0, 0.0);
    for (x, y) in a.iter().zip(b) {
        let (dx, dy) = (x - ma, y - mb);
        sab += dx * dy;
        saa += dx * dx;
        sbb += dy * dy;
    }
    sab / (saa * sbb).sqrt()
}

/// The "input correlation" of Fig. 3A: Pearson correlation of the two odors' MC rate vectors,
/// each MC's rate averaged over the [`ODOR_DURATION_MS`] (2 s) odor window (exact, not sampled).
pub fn input_correlation(a: &Odor, b: &Odor) -> f64 {
    input_correlation_over(a, b, ODOR_DURATION_MS)
}

/// [`input_correlation`] with rates averaged over the first `window_ms` after onset.
pub fn input_correlation_over(a: &Odor, b: &Odor, window_ms: f64) -> f64 {
    pearson(&a.mean_rates_hz(window_ms), &b.mean_rates_hz(window_ms))
}

/// One pure odor's part in a [`mixture`].
#[derive(Clone, Copy, Debug)]
pub struct MixtureComponent<'a> {
    /// The pure odor.
    pub odor: &'a Odor,
    /// Fraction of its activated and of its inhibited MCs that the mixture keeps, in [0, 1]
    /// (`floor(fraction · n)` cells, see [`cells_kept`]; the "concentration" of Table 3 / 100).
    pub fraction: f64,
    /// Fraction of its cells, in order of shortest latency, eligible to be kept, in [0, 1]
    /// (Table 4 / 100). The pool is at least as large as the number of cells kept.
    pub pool_fraction: f64,
}

/// A mixture of pure odors (docs/models/dp.md#odor-subspace): from each component keep
/// `floor(fraction · 150)` activated and `floor(fraction · 75)` inhibited MCs ([`cells_kept`]),
/// drawn at random from its `pool_fraction` shortest-latency cells. Kept cells keep their pure-odor
/// latency and τ; when two or more components have a fraction > 0, each kept cell's increment
/// (decrement) is jittered by a discrete uniform U{−`rate_jitter_hz`..`rate_jitter_hz`} Hz (clamped
/// to ≥ 0, decrements to ≤ baseline).
///
/// Overlaps: components claim cells in order of decreasing fraction (ties: given order),
/// activated cells of all components before inhibited cells. A cell already claimed is skipped
/// and the component takes its next eligible cell instead (its pool in random order, then its
/// remaining cells in latency order), so the counts stay at their targets whenever possible.
pub fn mixture(
    components: &[MixtureComponent<'_>],
    rate_jitter_hz: u32,
    rng: &mut impl Rng,
) -> Result<Odor, ParamError> {
    let first = components.first().ok_or_else(|| ParamError::new("components", "[]", "at least one odor"))?;
    for (i, c) in components.iter().enumerate() {
        let f = |n: &str| format!("components[{i}].{n}");
        probability(&f("fraction"), c.fraction)?;
        probability(&f("pool_fraction"), c.pool_fraction)?;
        if !c.odor.is_compatible(first.odor) {
            return Err(ParamError::new(f("odor"), "an odor", "the same n_mitral_cells and baseline as components[0]"));
        }
    }
    let candidates: Vec<Candidates> = components
        .iter()
        .map(|c| {
            let act = pool_order(c.odor.activated.iter().map(|a| a.latency_ms), c.fraction, c.pool_fraction, rng);
            let inh = pool_order(c.odor.inhibited.iter().map(|a| a.latency_ms), c.fraction, c.pool_fraction, rng);
            Candidates { act: act.0, n_act: act.1, inh: inh.0, n_inh: inh.1 }
        })
        .collect();
    let odors: Vec<&Odor> = components.iter().map(|c| c.odor).collect();
    let fractions: Vec<f64> = components.iter().map(|c| c.fraction).collect();
    Ok(assemble(&odors, &fractions, &candidates, rate_jitter_hz, rng))
}

/// A morph from `a` to `b` in `n_steps` (≥ 2) odors (Fig. 3A): step `i` keeps the fraction
/// `1 − i/(n_steps − 1)` of `a`'s activated and inhibited MCs and adds the fraction
/// `i/(n_steps − 1)` of `b`'s, as in [`mixture`] with `pool_fraction = 1`, except that the cells
/// are taken in one fixed random order per odor, so the cells of `a` kept at a step are (up to
/// overlap) a subset of those kept at the step before: identities change gradually.
/// The endpoints are `a` and `b` exactly. Random draws come from `seed`.
///
/// ```
/// use engram_core::prelude::*;
/// use engram_stimuli::odor::{Odor, OdorParams, morph, input_correlation};
/// let p = OdorParams::default().check().unwrap();
/// let (a, b) = (Odor::random(&p, 3, 0), Odor::random(&p, 3, 1));
/// let steps = morph(&a, &b, 11, 1, 5).unwrap();
/// assert_eq!((&steps[0], &steps[10]), (&a, &b));
/// let r: Vec<f64> = steps.iter().map(|m| input_correlation(m, &a)).collect();
/// assert!(r.windows(2).all(|w| w[1] < w[0]));
/// ```
pub fn morph(a: &Odor, b: &Odor, n_steps: usize, rate_jitter_hz: u32, seed: u64) -> Result<Vec<Odor>, ParamError> {
    if n_steps < 2 {
        return Err(ParamError::new("n_steps", n_steps, "at least 2"));
    }
    if !a.is_compatible(b) {
        return Err(ParamError::new("b", "an odor", "the same n_mitral_cells and baseline as a"));
    }
    let mut rng = stream(seed, component_id("odor_morph"), 0);
    let perm = |n: usize, rng: &mut RngStream| {
        let mut v: Vec<usize> = (0..n).collect();
        v.shuffle(rng);
        v
    };
    let (a_act, a_inh) = (perm(a.activated.len(), &mut rng), perm(a.inhibited.len(), &mut rng));
    let (b_act, b_inh) = (perm(b.activated.len(), &mut rng), perm(b.inhibited.len(), &mut rng));
    let mut out = Vec::with_capacity(n_steps);
    for i in 0..n_steps {
        let fb = i as f64 / (n_steps - 1) as f64;
        let fa = 1.0 - fb;
        let cands = [
            Candidates {
                act: a_act.clone(),
                n_act: cells_kept(fa, a.activated.len()),
                inh: a_inh.clone(),
                n_inh: cells_kept(fa, a.inhibited.len()),
            },
            Candidates {
                act: b_act.clone(),
                n_act: cells_kept(fb, b.activated.len()),
                inh: b_inh.clone(),
                n_inh: cells_kept(fb, b.inhibited.len()),
            },
        ];
        let mut step_rng = stream(seed, component_id("odor_morph"), 1 + i as u64);
        out.push(assemble(&[a, b], &[fa, fb], &cands, rate_jitter_hz, &mut step_rng));
    }
    Ok(out)
}

/// Number of cells kept for a fraction: `floor(fraction · n)` (with a 1e-9 tolerance, so
/// 0.7 · 150 is 105). Rounding down keeps every pixel of the mirrored Table 3 (whose fractions sum
/// to 100–110%) within the paper's 150 ± 10% and 75 ± 10% cells; rounding 7.5 up would not.
pub fn cells_kept(fraction: f64, n: usize) -> usize {
    ((fraction * n as f64 + 1e-9).floor().max(0.0) as usize).min(n)
}

/// Candidate cells of one component (indices into its activated / inhibited lists) in order of
/// preference, and how many to keep.
struct Candidates {
    act: Vec<usize>,
    n_act: usize,
    inh: Vec<usize>,
    n_inh: usize,
}

/// Preference order for a [`mixture`] component: its `pool` shortest-latency cells in random
/// order, then the rest in latency order; and the number to keep.
fn pool_order(
    latencies: impl Iterator<Item = f64>,
    fraction: f64,
    pool_fraction: f64,
    rng: &mut impl Rng,
) -> (Vec<usize>, usize) {
    let lat: Vec<f64> = latencies.collect();
    let n = lat.len();
    let keep = cells_kept(fraction, n);
    let pool = cells_kept(pool_fraction, n).max(keep);
    // Latency order; ties broken by a random order.
    let mut order: Vec<usize> = (0..n).collect();
    order.shuffle(rng);
    order.sort_by(|&i, &j| lat[i].total_cmp(&lat[j]));
    order[..pool].shuffle(rng);
    (order, keep)
}

/// Build the mixture from per-component candidate orders (see [`mixture`] for the rules).
fn assemble(odors: &[&Odor], fractions: &[f64], cands: &[Candidates], jitter_hz: u32, rng: &mut impl Rng) -> Odor {
    let n_mc = odors[0].n_mitral_cells;
    let baseline = odors[0].baseline_rate_hz;
    let mut priority: Vec<usize> = (0..odors.len()).collect();
    priority.sort_by(|&i, &j| fractions[j].total_cmp(&fractions[i])); // stable: ties keep order
    let mixed = fractions.iter().filter(|&&f| f > 0.0).count() >= 2;
    let j = jitter_hz as i64;
    let jitter = |rng: &mut dyn rand::RngCore| if mixed && j > 0 { rng.gen_range(-j..=j) as f64 } else { 0.0 };
    let mut claimed = vec![false; n_mc];
    let mut activated = Vec::new();
    for &k in &priority {
        let mut taken = 0;
        for &idx in &cands[k].act {
            if taken == cands[k].n_act {
                break;
            }
            let mut c = odors[k].activated[idx];
            if std::mem::replace(&mut claimed[c.mitral_cell as usize], true) {
                continue;
            }
            c.increment_hz = (c.increment_hz + jitter(rng)).max(0.0);
            activated.push(c);
            taken += 1;
        }
    }
    let mut inhibited = Vec::new();
    for &k in &priority {
        let mut taken = 0;
        for &idx in &cands[k].inh {
            if taken == cands[k].n_inh {
                break;
            }
            let mut c = odors[k].inhibited[idx];
            if std::mem::replace(&mut claimed[c.mitral_cell as usize], true) {
                continue;
            }
            c.decrement_hz = (c.decrement_hz + jitter(rng)).clamp(0.0, baseline);
            inhibited.push(c);
            taken += 1;
        }
    }
    Odor::from_cells(n_mc, baseline, activated, inhibited).expect("cells of valid odors, each MC claimed once")
}
