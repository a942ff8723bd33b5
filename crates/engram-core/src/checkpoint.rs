//! The state of one component (neuron population, spike source, stimulus, plasticity rule,
//! rate schedule) as plain data, for checkpoints.
//!
//! A [`ComponentState`] is a small serde type: named `f64` and `u64` arrays (the bulk: membrane
//! potentials, conductances, traces, refractory counters, next-spike steps) and named *blobs*,
//! short JSON texts for anything else (a random stream's state). The engine collects one per
//! component into a checkpoint (`engram_sim::Checkpoint`) and writes the arrays bit-exactly.
//!
//! Components opt in by implementing `save_state` / `load_state` of their trait; the default
//! implementations return an error naming the component ([`ComponentState::unsupported`]), so
//! a checkpoint never silently skips state.
//!
//! ```
//! use engram_core::checkpoint::ComponentState;
//! let s = ComponentState::new("counter").with_f64("x", vec![0.5, 1.5]).with_u32("refr", &[0, 3]);
//! s.check_kind("counter").unwrap();
//! let mut x = [0.0; 2];
//! s.read_f64("x", &mut x).unwrap();
//! assert_eq!(x, [0.5, 1.5]);
//! let mut short = [0.0; 3];
//! assert!(s.read_f64("x", &mut short).unwrap_err().to_string().contains("has 2 values, expected 3"));
//! ```

use std::collections::BTreeMap;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::error::EngramError;

/// The saved state of one component: its kind, named arrays and named blobs.
///
/// Floating-point state belongs in [`f64s`](Self::f64s), which checkpoint files store
/// bit-exactly (NaN and infinities included). Blobs are JSON and meant for small structured
/// data such as a `Pcg64` stream (integers only round-trip exactly in any format).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ComponentState {
    /// The component's kind (`lif_cond`, `poisson`, a rule's name, ...), checked on load.
    pub kind: String,
    /// Named float arrays.
    pub f64s: BTreeMap<String, Vec<f64>>,
    /// Named integer arrays (step counts, counters, flags; `u32` state is widened).
    pub u64s: BTreeMap<String, Vec<u64>>,
    /// Named JSON texts.
    pub blobs: BTreeMap<String, String>,
}

fn err(kind: &str, msg: impl std::fmt::Display) -> EngramError {
    EngramError::Checkpoint(format!("state of `{kind}`: {msg}"))
}

impl ComponentState {
    /// An empty state of a component of kind `kind`.
    pub fn new(kind: &str) -> Self {
        Self { kind: kind.into(), ..Self::default() }
    }

    /// The error a component returns when it cannot be checkpointed:
    /// ``{what} `{kind}` does not support checkpoints``.
    pub fn unsupported(what: &str, kind: &str) -> EngramError {
        EngramError::Checkpoint(format!(
            "{what} `{kind}` does not support checkpoints (implement `save_state` and `load_state`)"
        ))
    }

    /// Fail unless this state was saved by a component of kind `kind`.
    pub fn check_kind(&self, kind: &str) -> Result<(), EngramError> {
        if self.kind == kind {
            Ok(())
        } else {
            Err(EngramError::Checkpoint(format!("a saved `{}` state cannot be loaded into `{kind}`", self.kind)))
        }
    }

    /// Add a float array.
    pub fn with_f64(mut self, name: &str, values: impl Into<Vec<f64>>) -> Self {
        self.f64s.insert(name.into(), values.into());
        self
    }

    /// Add an integer array.
    pub fn with_u64(mut self, name: &str, values: impl Into<Vec<u64>>) -> Self {
        self.u64s.insert(name.into(), values.into());
        self
    }

    /// Add a `u32` array (stored widened to `u64`).
    pub fn with_u32(mut self, name: &str, values: &[u32]) -> Self {
        self.u64s.insert(name.into(), values.iter().map(|&v| v as u64).collect());
        self
    }

    /// Add an optional integer (stored as an array of zero or one value).
    pub fn with_opt_u64(mut self, name: &str, value: Option<u64>) -> Self {
        self.u64s.insert(name.into(), value.into_iter().collect());
        self
    }

    /// Add a blob: `value` serialised as JSON.
    pub fn with_blob<T: Serialize + ?Sized>(mut self, name: &str, value: &T) -> Result<Self, EngramError> {
        let text =
            serde_json::to_string(value).map_err(|e| err(&self.kind, format!("cannot serialise `{name}`: {e}")))?;
        self.blobs.insert(name.into(), text);
        Ok(self)
    }

    /// A float array.
    pub fn f64_array(&self, name: &str) -> Result<&[f64], EngramError> {
        self.f64s.get(name).map(Vec::as_slice).ok_or_else(|| err(&self.kind, format!("no array `{name}`")))
    }

    /// An integer array.
    pub fn u64_array(&self, name: &str) -> Result<&[u64], EngramError> {
        self.u64s.get(name).map(Vec::as_slice).ok_or_else(|| err(&self.kind, format!("no array `{name}`")))
    }

    fn check_len(&self, name: &str, got: usize, expected: usize) -> Result<(), EngramError> {
        if got == expected {
            Ok(())
        } else {
            Err(err(&self.kind, format!("`{name}` has {got} values, expected {expected}")))
        }
    }

    /// Copy float array `name` into `dst`, which must have the same length.
    pub fn read_f64(&self, name: &str, dst: &mut [f64]) -> Result<(), EngramError> {
        let src = self.f64_array(name)?;
        self.check_len(name, src.len(), dst.len())?;
        dst.copy_from_slice(src);
        Ok(())
    }

    /// Copy integer array `name` into `dst`, which must have the same length.
    pub fn read_u64(&self, name: &str, dst: &mut [u64]) -> Result<(), EngramError> {
        let src = self.u64_array(name)?;
        self.check_len(name, src.len(), dst.len())?;
        dst.copy_from_slice(src);
        Ok(())
    }

    /// Copy integer array `name` into a `u32` slice of the same length (values must fit).
    pub fn read_u32(&self, name: &str, dst: &mut [u32]) -> Result<(), EngramError> {
        let src = self.u64_array(name)?;
        self.check_len(name, src.len(), dst.len())?;
        for (d, &s) in dst.iter_mut().zip(src) {
            *d = u32::try_from(s).map_err(|_| err(&self.kind, format!("`{name}` holds {s}, above u32")))?;
        }
        Ok(())
    }

    /// The single value of float array `name`.
    pub fn f64_scalar(&self, name: &str) -> Result<f64, EngramError> {
        let mut x = [0.0];
        self.read_f64(name, &mut x)?;
        Ok(x[0])
    }

    /// The single value of integer array `name`.
    pub fn u64_scalar(&self, name: &str) -> Result<u64, EngramError> {
        let mut x = [0];
        self.read_u64(name, &mut x)?;
        Ok(x[0])
    }

    /// An optional integer written by [`with_opt_u64`](Self::with_opt_u64).
    pub fn opt_u64(&self, name: &str) -> Result<Option<u64>, EngramError> {
        match self.u64_array(name)? {
            [] => Ok(None),
            [x] => Ok(Some(*x)),
            more => Err(err(&self.kind, format!("`{name}` has {} values, expected 0 or 1", more.len()))),
        }
    }

    /// Blob `name`, deserialised.
    pub fn blob<T: DeserializeOwned>(&self, name: &str) -> Result<T, EngramError> {
        let text = self.blobs.get(name).ok_or_else(|| err(&self.kind, format!("no blob `{name}`")))?;
        serde_json::from_str(text).map_err(|e| err(&self.kind, format!("blob `{name}`: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::Rng;

    #[test]
    fn rng_blob_round_trips() {
        let mut rng = crate::rng::stream(1, 2, 3);
        let _: f64 = rng.r#gen();
        let s = ComponentState::new("x").with_blob("rng", &rng).unwrap();
        let mut back: crate::rng::RngStream = s.blob("rng").unwrap();
        for _ in 0..100 {
            assert_eq!(rng.r#gen::<u64>(), back.r#gen::<u64>());
        }
    }

    #[test]
    fn errors_name_the_component_and_field() {
        let s = ComponentState::new("lif_cond").with_u64("r", vec![1, 2]).with_u64("big", vec![u64::MAX]);
        assert_eq!(
            s.check_kind("adex").unwrap_err().to_string(),
            "checkpoint: a saved `lif_cond` state cannot be loaded into `adex`"
        );
        assert!(s.f64_array("v").unwrap_err().to_string().contains("state of `lif_cond`: no array `v`"));
        assert!(s.read_u32("big", &mut [0]).unwrap_err().to_string().contains("above u32"));
        assert!(s.opt_u64("r").is_err());
        let u = ComponentState::unsupported("neuron model", "point:hh").to_string();
        assert!(u.contains("neuron model `point:hh` does not support checkpoints"), "{u}");
    }

    #[test]
    fn scalars_and_options() {
        let s = ComponentState::new("k").with_f64("a", vec![2.5]).with_opt_u64("n", None).with_opt_u64("m", Some(7));
        assert_eq!(s.f64_scalar("a").unwrap(), 2.5);
        assert_eq!(s.opt_u64("n").unwrap(), None);
        assert_eq!(s.opt_u64("m").unwrap(), Some(7));
    }
}
