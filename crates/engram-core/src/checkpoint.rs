//! The state of one component (neuron population, spike source, stimulus, plasticity rule,
//! rate schedule) as plain data, for checkpoints.
//!
//! A [`ComponentState`] is a small serde type: named `f64` and `u64` arrays (the bulk: membrane
//! potentials, conductances, traces, refractory counters, next-spike steps) and named *blobs*,
//! short JSON texts for anything else (a random stream's state). The engine collects one per
//! component into a checkpoint (`engram_sim::Checkpoint`) and writes the arrays bit-exactly.
//!
//! Checkpoints come by default. A neuron model is saved from its declared state variables
//! (`state_names` / `state` / `state_mut`); a neuron model, spike source or plasticity rule
//! saves whatever else it declares with [`checkpoint_fields!`](crate::checkpoint_fields)
//! (refractory counters, traces, random streams: anything that implements [`StateField`]).
//! A component that declares nothing gets an error naming it ([`ComponentState::unsupported`]),
//! so a checkpoint never silently skips a component; one whose state does not fit these shapes
//! implements `save_state` / `load_state` itself.
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
    /// ``{what} `{kind}` does not support checkpoints``, with a hint on what to implement
    /// (`what` is `neuron model`, `spike source`, `plasticity rule` or `stimulus`).
    pub fn unsupported(what: &str, kind: &str) -> EngramError {
        let hint = match what {
            "neuron model" => {
                "list its state in `state_names` or `checkpoint_fields!`, or implement `save_state` and `load_state`"
            }
            "spike source" | "plasticity rule" => {
                "list its state with `checkpoint_fields!`, or implement `save_state` and `load_state`"
            }
            _ => "implement `save_state` and `load_state`",
        };
        EngramError::Checkpoint(format!("{what} `{kind}` does not support checkpoints ({hint})"))
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

/// One piece of a component's dynamic state that can be written into a [`ComponentState`]
/// under a name and read back bit-exactly: float and integer vectors, arrays and scalars,
/// `Option<u64>` (a step that may not have come yet), `bool`, and random streams
/// ([`RngStream`](crate::rng::RngStream), stored as a JSON blob). Other crates implement it for
/// their own building blocks (`engram_plasticity::Trace`).
///
/// Components list their fields with [`checkpoint_fields!`](crate::checkpoint_fields); the
/// default `save_state` / `load_state` of `NeuronModel`, `SpikeSource` and `PlasticityRule`
/// then call [`save_fields`] and [`load_fields`].
///
/// | type | stored as |
/// |---|---|
/// | `Vec<f64>`, `[f64; N]`, `f64` | float array `name` (a scalar as one value) |
/// | `Vec<u64>`, `[u64; N]`, `u64`, `Vec<u32>`, `u32`, `usize`, `bool` | integer array `name` |
/// | `Option<u64>` | integer array `name` of zero or one value |
/// | `RngStream` | blob `name` |
///
/// Loading never resizes: a vector must have as many values as the saved one, so the component
/// must be built the same way (same size) before its state is loaded.
pub trait StateField {
    /// Write this value into `state` under `name`.
    fn save_field(&self, state: &mut ComponentState, name: &str) -> Result<(), EngramError>;
    /// Read the value saved under `name` back into `self`.
    fn load_field(&mut self, state: &ComponentState, name: &str) -> Result<(), EngramError>;
}

impl StateField for [f64] {
    fn save_field(&self, state: &mut ComponentState, name: &str) -> Result<(), EngramError> {
        state.f64s.insert(name.into(), self.to_vec());
        Ok(())
    }
    fn load_field(&mut self, state: &ComponentState, name: &str) -> Result<(), EngramError> {
        state.read_f64(name, self)
    }
}

impl StateField for [u64] {
    fn save_field(&self, state: &mut ComponentState, name: &str) -> Result<(), EngramError> {
        state.u64s.insert(name.into(), self.to_vec());
        Ok(())
    }
    fn load_field(&mut self, state: &ComponentState, name: &str) -> Result<(), EngramError> {
        state.read_u64(name, self)
    }
}

impl StateField for [u32] {
    fn save_field(&self, state: &mut ComponentState, name: &str) -> Result<(), EngramError> {
        state.u64s.insert(name.into(), self.iter().map(|&v| v as u64).collect());
        Ok(())
    }
    fn load_field(&mut self, state: &ComponentState, name: &str) -> Result<(), EngramError> {
        state.read_u32(name, self)
    }
}

/// Vectors and arrays store as their slices.
macro_rules! as_slice_field {
    ($($t:ty),*) => {$(
        impl StateField for Vec<$t> {
            fn save_field(&self, state: &mut ComponentState, name: &str) -> Result<(), EngramError> {
                self.as_slice().save_field(state, name)
            }
            fn load_field(&mut self, state: &ComponentState, name: &str) -> Result<(), EngramError> {
                self.as_mut_slice().load_field(state, name)
            }
        }
        impl<const N: usize> StateField for [$t; N] {
            fn save_field(&self, state: &mut ComponentState, name: &str) -> Result<(), EngramError> {
                self.as_slice().save_field(state, name)
            }
            fn load_field(&mut self, state: &ComponentState, name: &str) -> Result<(), EngramError> {
                self.as_mut_slice().load_field(state, name)
            }
        }
    )*};
}
as_slice_field!(f64, u64, u32);

impl StateField for f64 {
    fn save_field(&self, state: &mut ComponentState, name: &str) -> Result<(), EngramError> {
        std::slice::from_ref(self).save_field(state, name)
    }
    fn load_field(&mut self, state: &ComponentState, name: &str) -> Result<(), EngramError> {
        std::slice::from_mut(self).load_field(state, name)
    }
}

impl StateField for u64 {
    fn save_field(&self, state: &mut ComponentState, name: &str) -> Result<(), EngramError> {
        std::slice::from_ref(self).save_field(state, name)
    }
    fn load_field(&mut self, state: &ComponentState, name: &str) -> Result<(), EngramError> {
        std::slice::from_mut(self).load_field(state, name)
    }
}

impl StateField for u32 {
    fn save_field(&self, state: &mut ComponentState, name: &str) -> Result<(), EngramError> {
        std::slice::from_ref(self).save_field(state, name)
    }
    fn load_field(&mut self, state: &ComponentState, name: &str) -> Result<(), EngramError> {
        std::slice::from_mut(self).load_field(state, name)
    }
}

impl StateField for usize {
    fn save_field(&self, state: &mut ComponentState, name: &str) -> Result<(), EngramError> {
        (*self as u64).save_field(state, name)
    }
    fn load_field(&mut self, state: &ComponentState, name: &str) -> Result<(), EngramError> {
        let v = state.u64_scalar(name)?;
        *self = usize::try_from(v).map_err(|_| err(&state.kind, format!("`{name}` holds {v}, above usize")))?;
        Ok(())
    }
}

impl StateField for bool {
    fn save_field(&self, state: &mut ComponentState, name: &str) -> Result<(), EngramError> {
        (*self as u64).save_field(state, name)
    }
    fn load_field(&mut self, state: &ComponentState, name: &str) -> Result<(), EngramError> {
        *self = match state.u64_scalar(name)? {
            0 => false,
            1 => true,
            v => return Err(err(&state.kind, format!("`{name}` holds {v}, expected 0 or 1"))),
        };
        Ok(())
    }
}

impl StateField for Option<u64> {
    fn save_field(&self, state: &mut ComponentState, name: &str) -> Result<(), EngramError> {
        state.u64s.insert(name.into(), self.iter().copied().collect());
        Ok(())
    }
    fn load_field(&mut self, state: &ComponentState, name: &str) -> Result<(), EngramError> {
        *self = state.opt_u64(name)?;
        Ok(())
    }
}

impl StateField for crate::rng::RngStream {
    fn save_field(&self, state: &mut ComponentState, name: &str) -> Result<(), EngramError> {
        let text =
            serde_json::to_string(self).map_err(|e| err(&state.kind, format!("cannot serialise `{name}`: {e}")))?;
        state.blobs.insert(name.into(), text);
        Ok(())
    }
    fn load_field(&mut self, state: &ComponentState, name: &str) -> Result<(), EngramError> {
        *self = state.blob(name)?;
        Ok(())
    }
}

/// The state of a component of kind `kind` made of `fields` (what the default `save_state`
/// of a spike source or plasticity rule returns for its
/// [`checkpoint_fields`](crate::checkpoint_fields)).
///
/// ```
/// use engram_core::checkpoint::{ComponentState, StateField, load_fields, save_fields};
/// let (mut trace, mut last_step) = (vec![0.5, 0.25], Some(7u64));
/// let saved = save_fields("my_rule", &[("trace", &trace), ("last_step", &last_step)]).unwrap();
/// assert_eq!(saved, ComponentState::new("my_rule").with_f64("trace", vec![0.5, 0.25]).with_opt_u64("last_step", Some(7)));
/// (trace, last_step) = (vec![0.0; 2], None);
/// load_fields("my_rule", &saved, &mut [("trace", &mut trace), ("last_step", &mut last_step)]).unwrap();
/// assert_eq!((trace, last_step), (vec![0.5, 0.25], Some(7)));
/// ```
pub fn save_fields(kind: &str, fields: &[(&str, &dyn StateField)]) -> Result<ComponentState, EngramError> {
    let mut state = ComponentState::new(kind);
    for (name, field) in fields {
        field.save_field(&mut state, name)?;
    }
    Ok(state)
}

/// Load what [`save_fields`] wrote into `fields`, all or nothing: the kind must be `kind`, and
/// if any field cannot be loaded (missing, another length) every field is put back as it was
/// and the error names the field.
pub fn load_fields(
    kind: &str,
    state: &ComponentState,
    fields: &mut [(&str, &mut dyn StateField)],
) -> Result<(), EngramError> {
    state.check_kind(kind)?;
    let mut backup = ComponentState::new(kind);
    for (name, field) in fields.iter() {
        field.save_field(&mut backup, name)?;
    }
    for k in 0..fields.len() {
        let (name, field) = &mut fields[k];
        if let Err(e) = field.load_field(state, name) {
            for (name, field) in fields[..=k].iter_mut() {
                // Loading what was just saved from the same field cannot fail.
                field.load_field(&backup, name).expect("restoring a field from its own copy");
            }
            return Err(e);
        }
    }
    Ok(())
}

/// Declare the fields that hold a component's dynamic state, for checkpoints: inside an
/// `impl NeuronModel`, `impl SpikeSource` or `impl PlasticityRule` block,
/// `checkpoint_fields!(a, b, c);` writes the trait's `checkpoint_fields` and
/// `checkpoint_fields_mut` methods, which list the fields `self.a`, `self.b`, `self.c` under
/// their own names. Each field's type implements [`StateField`]. The default `save_state` and
/// `load_state` then save and restore them; for a neuron model they come on top of the
/// state variables of `state_names`.
///
/// ```
/// use engram_core::checkpoint_fields;
/// use engram_core::neuron::{SpikeSource, StepContext};
/// use engram_core::rng::{RngStream, stream};
/// use rand::Rng;
///
/// /// Each source fires with probability `p` per step, then stays silent for 10 steps.
/// struct Bernoulli { p: f64, rng: RngStream, silent_for: Vec<u32> }
/// impl SpikeSource for Bernoulli {
///     fn kind(&self) -> &str { "bernoulli" }
///     fn len(&self) -> usize { self.silent_for.len() }
///     fn emit(&mut self, _ctx: &StepContext, spikes: &mut Vec<u32>) {
///         for (i, s) in self.silent_for.iter_mut().enumerate() {
///             if *s > 0 { *s -= 1 } else if self.rng.r#gen::<f64>() < self.p { *s = 10; spikes.push(i as u32) }
///         }
///     }
///     checkpoint_fields!(rng, silent_for); // checkpoints come for free
/// }
///
/// let new = || Bernoulli { p: 0.2, rng: stream(1, 2, 0), silent_for: vec![0; 5] };
/// let (mut a, mut b) = (new(), new());
/// let mut spikes = Vec::new();
/// for step in 0..50 { a.emit(&StepContext { step, dt_ms: 0.1 }, &mut spikes) }
/// b.load_state(&a.save_state().unwrap()).unwrap();
/// let (mut sa, mut sb) = (Vec::new(), Vec::new());
/// for step in 50..100 {
///     a.emit(&StepContext { step, dt_ms: 0.1 }, &mut sa);
///     b.emit(&StepContext { step, dt_ms: 0.1 }, &mut sb);
/// }
/// assert_eq!(sa, sb);
/// ```
#[macro_export]
macro_rules! checkpoint_fields {
    ($($field:ident),* $(,)?) => {
        fn checkpoint_fields(&self) -> ::std::vec::Vec<(&'static str, &dyn $crate::checkpoint::StateField)> {
            ::std::vec![$((::core::stringify!($field), &self.$field as &dyn $crate::checkpoint::StateField)),*]
        }
        fn checkpoint_fields_mut(
            &mut self,
        ) -> ::std::vec::Vec<(&'static str, &mut dyn $crate::checkpoint::StateField)> {
            ::std::vec![$((::core::stringify!($field), &mut self.$field as &mut dyn $crate::checkpoint::StateField)),*]
        }
    };
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
    fn every_field_type_round_trips() {
        let mut rng = crate::rng::stream(4, 5, 6);
        let _: u64 = rng.r#gen();
        let (v, a, x, n, u, m, b, o, none) =
            (vec![0.5, f64::NAN, -0.0], [1u64, 2], 2.5f64, 7u64, 3u32, 9usize, true, Some(4u64), None::<u64>);
        let (w, r) = (vec![3u32, 4], vec![5u64]);
        let fields: [(&str, &dyn StateField); 12] = [
            ("v", &v),
            ("a", &a),
            ("x", &x),
            ("n", &n),
            ("u", &u),
            ("m", &m),
            ("b", &b),
            ("o", &o),
            ("none", &none),
            ("w", &w),
            ("r", &r),
            ("rng", &rng),
        ];
        let saved = save_fields("all", &fields).unwrap();
        let (mut v2, mut a2, mut x2, mut n2, mut u2, mut m2, mut b2, mut o2, mut none2) =
            (vec![0.0; 3], [0u64; 2], 0.0, 0u64, 0u32, 0usize, false, None, Some(1));
        let (mut w2, mut r2, mut rng2) = (vec![0u32; 2], vec![0u64], crate::rng::stream(0, 0, 0));
        let mut fields2: [(&str, &mut dyn StateField); 12] = [
            ("v", &mut v2),
            ("a", &mut a2),
            ("x", &mut x2),
            ("n", &mut n2),
            ("u", &mut u2),
            ("m", &mut m2),
            ("b", &mut b2),
            ("o", &mut o2),
            ("none", &mut none2),
            ("w", &mut w2),
            ("r", &mut r2),
            ("rng", &mut rng2),
        ];
        load_fields("all", &saved, &mut fields2).unwrap();
        assert_eq!(
            v2.iter().map(|x| x.to_bits()).collect::<Vec<_>>(),
            v.iter().map(|x| x.to_bits()).collect::<Vec<_>>()
        );
        assert_eq!((a2, x2, n2, u2, m2, b2, o2, none2, w2, r2), (a, x, n, u, m, b, o, none, w, r));
        assert_eq!(rng2.r#gen::<u64>(), rng.r#gen::<u64>());
    }

    #[test]
    fn a_failed_load_puts_every_field_back() {
        let saved = ComponentState::new("k").with_f64("a", vec![1.0, 2.0]).with_f64("b", vec![3.0]);
        let (mut a, mut b) = (vec![0.0; 2], vec![0.0; 2]);
        let e = load_fields("k", &saved, &mut [("a", &mut a), ("b", &mut b)]).unwrap_err().to_string();
        assert!(e.contains("state of `k`: `b` has 1 values, expected 2"), "{e}");
        assert_eq!((a, b), (vec![0.0; 2], vec![0.0; 2]));
        let flag = ComponentState::new("k").with_u64("f", vec![2]);
        let e = load_fields("k", &flag, &mut [("f", &mut false)]).unwrap_err().to_string();
        assert!(e.contains("`f` holds 2, expected 0 or 1"), "{e}");
        let e = load_fields("j", &flag, &mut [("f", &mut false)]).unwrap_err().to_string();
        assert!(e.contains("a saved `k` state cannot be loaded into `j`"), "{e}");
    }

    #[test]
    fn scalars_and_options() {
        let s = ComponentState::new("k").with_f64("a", vec![2.5]).with_opt_u64("n", None).with_opt_u64("m", Some(7));
        assert_eq!(s.f64_scalar("a").unwrap(), 2.5);
        assert_eq!(s.opt_u64("n").unwrap(), None);
        assert_eq!(s.opt_u64("m").unwrap(), Some(7));
    }
}
