//! Checked parameters, in linfa's pattern: a plain serde struct with literature defaults, a
//! `validate()` that names the failing field, and a [`Checked`] wrapper the engine accepts.

use crate::error::ParamError;

/// A parameter set that can check itself.
///
/// ```
/// use engram_core::params::{Params, positive};
/// use engram_core::error::ParamError;
///
/// #[derive(Clone, Debug)]
/// struct Membrane { tau_m_ms: f64 }
/// impl Params for Membrane {
///     fn validate(&self) -> Result<(), ParamError> { positive("tau_m_ms", self.tau_m_ms) }
/// }
/// assert!(Membrane { tau_m_ms: 20.0 }.check().is_ok());
/// let err = Membrane { tau_m_ms: -3.0 }.check().unwrap_err();
/// assert_eq!(err.field, "tau_m_ms");
/// ```
pub trait Params: Sized {
    /// `Ok` if every field is in range, else the first failing field.
    fn validate(&self) -> Result<(), ParamError>;

    /// Validate and wrap, so that code taking [`Checked<Self>`] knows the values are sane.
    fn check(self) -> Result<Checked<Self>, ParamError> {
        self.validate()?;
        Ok(Checked(self))
    }
}

/// Parameters that passed [`Params::validate`]. Dereferences to the parameters.
#[derive(Clone, Debug, PartialEq)]
pub struct Checked<P>(P);

impl<P> Checked<P> {
    /// The checked parameters.
    pub fn into_inner(self) -> P {
        self.0
    }
}

impl<P> std::ops::Deref for Checked<P> {
    type Target = P;
    fn deref(&self) -> &P {
        &self.0
    }
}

/// `Ok` if `value` is finite and > 0.
pub fn positive(field: &str, value: f64) -> Result<(), ParamError> {
    if value.is_finite() && value > 0.0 { Ok(()) } else { Err(ParamError::new(field, value, "a finite number > 0")) }
}

/// `Ok` if `value` is finite and ≥ 0.
pub fn non_negative(field: &str, value: f64) -> Result<(), ParamError> {
    if value.is_finite() && value >= 0.0 { Ok(()) } else { Err(ParamError::new(field, value, "a finite number >= 0")) }
}

/// `Ok` if `value` is finite.
pub fn finite(field: &str, value: f64) -> Result<(), ParamError> {
    if value.is_finite() { Ok(()) } else { Err(ParamError::new(field, value, "a finite number")) }
}

/// `Ok` if `value` is a probability in [0, 1].
pub fn probability(field: &str, value: f64) -> Result<(), ParamError> {
    if (0.0..=1.0).contains(&value) { Ok(()) } else { Err(ParamError::new(field, value, "a probability in [0, 1]")) }
}

/// `Ok` if `low < high` (both finite); the error names `field_high`.
pub fn ordered(field_high: &str, low: f64, high: f64) -> Result<(), ParamError> {
    if low.is_finite() && high.is_finite() && low < high {
        Ok(())
    } else {
        Err(ParamError::new(field_high, high, format!("a number greater than {low}")))
    }
}
