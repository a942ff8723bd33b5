//! Analyses of spiking representations for the Dp memory-network paper (Meissner-Bernard,
//! Zenke & Friedrich, eLife 2025) and beyond: rates, ISI CV, correlations, amplification, E/I
//! co-tuning, PCA geometry and participation ratio, Mahalanobis distance, QDA, template
//! matching, regression and SVM readouts (also repeated over random neuron draws, as the paper
//! measures them: [`neuron_draws`]), and the Wilcoxon signed-rank test.
//!
//! Everything takes plain data and returns numbers; nothing depends on the engine.
//!
//! # Conventions
//! - **Spike trains**: two parallel slices `times_ms: &[f64]` and `neurons: &[u32]` (spike `i`
//!   is neuron `neurons[i]` at `times_ms[i]`), plus the population size `n`; any order.
//!   Windows are half-open `[t0_ms, t1_ms)`; rates are in Hz.
//! - **Pattern matrices** (`Array2<f64>`): **rows = observations** (patterns, odors, trials,
//!   responses), **columns = neurons** (or PCs). The one exception is
//!   [`rates::binned_rates_hz`], which returns **neurons × time bins** (columns are population
//!   vectors at successive times), the input of [`correlation::time_time_correlation`].
//! - Variances and covariances divide by n − 1; angles are in radians.
//! - Undefined scalars (zero variance, too few values) are `None`; in matrices of correlations
//!   they are `NaN` and skipped by the averaging helpers. Bad inputs and decisions for the
//!   caller (a singular covariance) are [`AnalysisError`]s.
//! - Randomness comes from a caller-provided `rand::Rng` (rand 0.8).
//!
//! Algorithms that linfa provides are used from linfa (PCA: linfa-reduction, SVM: linfa-svm).
//! Linear regression is solved here (minimum-norm least squares through a symmetric
//! eigendecomposition) rather than by linfa-linear, whose unpivoted QR runs away on the
//! collinear rates of saturated assemblies ([`classify::LinearReadout`]). QDA, Mahalanobis
//! with class covariance, participation ratio, angles, co-tuning, the Wilcoxon test and the
//! drift measures ([`drift`]) are written here and tested against closed forms or synthetic
//! data with a known answer.

pub mod amplification;
pub mod classify;
pub mod correlation;
pub mod cotuning;
pub mod distance;
pub mod drift;
mod error;
pub mod finite;
pub mod isi;
pub mod neuron_draws;
pub mod pca;
pub mod rates;
pub mod stats;

pub use error::{AnalysisError, Result};
