//! The error type shared by every analysis in this crate.

use thiserror::Error;

/// Why an analysis could not produce a number.
///
/// Functions whose only failure is "the quantity is undefined for these data" (zero variance,
/// fewer than two values) return `Option` instead; this type is for bad inputs and for failures
/// the caller must decide about (a singular covariance, a solver that failed).
#[derive(Debug, Error, Clone, PartialEq)]
#[non_exhaustive]
pub enum AnalysisError {
    /// Two inputs that must agree in size do not.
    #[error("shape mismatch in {what}: expected {expected}, found {found}")]
    ShapeMismatch {
        /// Which input or dimension.
        what: &'static str,
        /// The size that was required.
        expected: usize,
        /// The size that was given.
        found: usize,
    },
    /// Too few observations for the quantity (for example a covariance from one pattern).
    #[error("too few samples for {what}: need at least {needed}, found {found}")]
    TooFewSamples {
        /// Which quantity.
        what: &'static str,
        /// The minimum number required.
        needed: usize,
        /// The number given.
        found: usize,
    },
    /// An argument is outside its allowed range.
    #[error("invalid argument {name} = {value}: {reason}")]
    InvalidArgument {
        /// Argument name.
        name: &'static str,
        /// The offending value, formatted.
        value: String,
        /// What is allowed.
        reason: &'static str,
    },
    /// A neuron index in a spike train is not below the population size.
    #[error("neuron index {index} out of range for a population of {n}")]
    NeuronOutOfRange {
        /// The offending index.
        index: u32,
        /// The population size.
        n: usize,
    },
    /// The covariance matrix of a class is singular (or numerically so: its smallest eigenvalue
    /// is below [`crate::distance::SINGULAR_RTOL`] times its largest), so its inverse and log
    /// determinant do not exist. Single-class functions (Mahalanobis distance) report `class: 0`.
    /// The paper finds this for QDA in Scaled networks; choose a
    /// [`crate::distance::CovarianceRegularization`] or another classifier.
    #[error("covariance of class {class} is singular (numerical rank {rank} of {dim}, {n_samples} samples)")]
    SingularCovariance {
        /// Class label (0 for single-class functions).
        class: usize,
        /// Number of eigenvalues above the tolerance.
        rank: usize,
        /// Dimension of the covariance (number of neurons).
        dim: usize,
        /// Number of patterns the covariance was estimated from.
        n_samples: usize,
    },
    /// A linfa model failed to fit; the message is linfa's.
    #[error("{model} failed: {message}")]
    Fit {
        /// Which model (PCA, linear regression, SVM).
        model: &'static str,
        /// linfa's error message.
        message: String,
    },
}

/// Shorthand for results of this crate.
pub type Result<T> = std::result::Result<T, AnalysisError>;

pub(crate) fn check_len(what: &'static str, expected: usize, found: usize) -> Result<()> {
    if expected == found { Ok(()) } else { Err(AnalysisError::ShapeMismatch { what, expected, found }) }
}
