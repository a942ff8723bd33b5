//! Neuron models: whole populations as structure-of-arrays ([`NeuronModel`]), single-neuron
//! equations for quick custom models ([`PointNeuron`]), and spike sources ([`SpikeSource`]).

use serde::{Deserialize, Serialize};

use crate::checkpoint::{ComponentState, StateField, load_fields, save_fields};
use crate::error::EngramError;

/// What a receptor channel does with the weights that arrive on it.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub enum ReceptorKind {
    /// Conductance (nS) with reversal potential `e_rev_mv`; a spike adds its weight to `g`.
    Conductance {
        /// Reversal potential in mV.
        e_rev_mv: f64,
    },
    /// Current-like input (pA, or mV for models written in voltage units); a spike adds its
    /// weight to the synaptic variable.
    Current,
}

/// One input channel of a neuron model, e.g. `exc` (AMPA-like) or `inh` (GABA-A-like).
///
/// The model owns the channel's kinetics; the engine only hands it the summed weight that
/// arrives on the channel in each step.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Receptor {
    /// Name used by projections and monitors (`exc`, `inh`, `ob`, ...).
    pub name: String,
    /// Conductance or current.
    pub kind: ReceptorKind,
    /// Decay time constant of the synaptic variable, ms.
    pub tau_ms: f64,
}

impl Receptor {
    /// A conductance channel.
    pub fn conductance(name: &str, e_rev_mv: f64, tau_ms: f64) -> Self {
        Self { name: name.into(), kind: ReceptorKind::Conductance { e_rev_mv }, tau_ms }
    }
    /// A current channel.
    pub fn current(name: &str, tau_ms: f64) -> Self {
        Self { name: name.into(), kind: ReceptorKind::Current, tau_ms }
    }
}

/// Where the loop is: the step being computed and the step size.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StepContext {
    /// Index of the step being computed.
    pub step: u64,
    /// Step size, ms.
    pub dt_ms: f64,
}

impl StepContext {
    /// Simulated time at the start of this step, ms.
    pub fn time_ms(&self) -> f64 {
        self.step as f64 * self.dt_ms
    }
}

/// The input a population receives in one step.
#[derive(Clone, Copy, Debug)]
pub struct StepInput<'a> {
    /// `receptors[r][i]`: summed weight arriving on receptor `r` of neuron `i` in this step
    /// (nS for conductance channels; the model's current unit otherwise). Multiplicity and
    /// delays have already been applied.
    pub receptors: &'a [Vec<f64>],
    /// Injected current per neuron in this step, pA.
    pub current_pa: &'a [f64],
}

/// A population of neurons, stored as structure-of-arrays.
///
/// `step` advances every neuron by one `dt` given the input arriving in this step and pushes
/// the indices of neurons that spiked, in increasing order. The spike vector is empty on entry
/// and has capacity for every neuron, so `step` need not allocate.
///
/// Order of work inside a step, which the library models follow (it is Brian2's and the Dp
/// paper's): add the arriving weights to the synaptic variables, advance the membrane from
/// the current state, detect threshold crossings, reset, and decay the synaptic variables.
///
/// ```
/// use engram_core::neuron::{NeuronModel, Receptor, StepContext, StepInput};
///
/// /// Neurons that integrate input and spike at 1.0 (a toy "counter" model).
/// struct Counter { x: Vec<f64>, receptors: Vec<Receptor> }
/// impl NeuronModel for Counter {
///     fn kind(&self) -> &str { "counter" }
///     fn len(&self) -> usize { self.x.len() }
///     fn receptors(&self) -> &[Receptor] { &self.receptors }
///     fn state_names(&self) -> &[&'static str] { &["x"] }
///     fn state(&self, name: &str) -> Option<&[f64]> { (name == "x").then_some(&self.x[..]) }
///     fn state_mut(&mut self, name: &str) -> Option<&mut [f64]> { (name == "x").then_some(&mut self.x[..]) }
///     fn step(&mut self, _ctx: &StepContext, input: StepInput<'_>, spikes: &mut Vec<u32>) {
///         for (i, x) in self.x.iter_mut().enumerate() {
///             *x += input.receptors[0][i];
///             if *x >= 1.0 { *x = 0.0; spikes.push(i as u32); }
///         }
///     }
/// }
///
/// let mut pop = Counter { x: vec![0.0; 3], receptors: vec![Receptor::current("in", 1.0)] };
/// let input = vec![vec![0.6, 0.2, 1.5]];
/// let mut spikes = Vec::with_capacity(3);
/// let ctx = StepContext { step: 0, dt_ms: 0.1 };
/// pop.step(&ctx, StepInput { receptors: &input, current_pa: &[0.0; 3] }, &mut spikes);
/// assert_eq!(spikes, vec![2]);
/// spikes.clear(); // the engine hands `step` an empty vector
/// pop.step(&ctx, StepInput { receptors: &input, current_pa: &[0.0; 3] }, &mut spikes);
/// assert_eq!(spikes, vec![0, 2]);
///
/// // Checkpoints come for free: `x` is the whole state, and the defaults save and load it.
/// let saved = pop.save_state().unwrap();
/// let mut again = Counter { x: vec![0.0; 3], receptors: vec![Receptor::current("in", 1.0)] };
/// again.load_state(&saved).unwrap();
/// assert_eq!(again.state("x"), pop.state("x"));
/// ```
pub trait NeuronModel: Send {
    /// Short name of the model (`lif_cond`, `adex`, ...), for summaries and errors.
    fn kind(&self) -> &str;
    /// Number of neurons.
    fn len(&self) -> usize;
    /// `true` if the population has no neurons.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// The receptor channels, in the order of [`StepInput::receptors`].
    fn receptors(&self) -> &[Receptor];
    /// Names of the state variables a monitor can read (`v_mv`, `g_exc_ns`, `w_pa`, ...).
    fn state_names(&self) -> &[&'static str];
    /// One state variable for all neurons.
    fn state(&self, name: &str) -> Option<&[f64]>;
    /// One state variable for all neurons, mutable (initial conditions, perturbations).
    fn state_mut(&mut self, name: &str) -> Option<&mut [f64]>;
    /// Advance all neurons by one step; push spiking neurons' indices in increasing order.
    fn step(&mut self, ctx: &StepContext, input: StepInput<'_>, spikes: &mut Vec<u32>);
    /// Advance all neurons by one step like [`step`](Self::step), free to split them into
    /// chunks of `chunk_len` consecutive neurons and advance the chunks in parallel (on the
    /// current rayon pool). The engine calls it instead of `step` when the network runs in
    /// parallel. The result must be exactly that of `step`: the same state, bit for bit, and
    /// the same spikes in increasing order, whatever the number of threads; so a model that
    /// overrides it must not use randomness or any order-dependent state inside the step.
    /// Wrap the work of each chunk in [`busy::timed`](crate::busy::timed) (and nothing that
    /// waits for other chunks), so that benchmarks see each thread's share.
    ///
    /// Default: `step`, sequentially (timed as one piece of work), so every model works
    /// unchanged; the library's `LifCond` overrides it.
    fn step_chunked(&mut self, ctx: &StepContext, input: StepInput<'_>, chunk_len: usize, spikes: &mut Vec<u32>) {
        let _ = chunk_len;
        crate::busy::timed(|| self.step(ctx, input, spikes));
    }
    /// Advance the neurons `owned` by one step, for a rank of a network split across ranks
    /// (each rank advances its own block of every population; the engine then keeps only the
    /// spikes of `owned`): like [`step_chunked`](Self::step_chunked) with `Some(chunk_len)`
    /// (a parallel step), like [`step`](Self::step) with `None`. The state and spikes of the
    /// neurons in `owned` must be exactly those of `step`; the other neurons may be left as
    /// they are (their input is incomplete on this rank, and nobody reads them).
    ///
    /// Default: every neuron, through `step_chunked` or `step` (correct, but each rank then
    /// pays for the whole population); the library's `LifCond` advances `owned` only.
    fn step_owned(
        &mut self,
        ctx: &StepContext,
        input: StepInput<'_>,
        owned: std::ops::Range<usize>,
        chunk_len: Option<usize>,
        spikes: &mut Vec<u32>,
    ) {
        let _ = owned;
        match chunk_len {
            Some(c) => self.step_chunked(ctx, input, c, spikes),
            None => self.step(ctx, input, spikes),
        }
    }
    /// Keep only the neurons `block` and drop the others: afterwards the model holds
    /// `block.len()` neurons, its neuron `k` being the former neuron `block.start + k`, with
    /// its state and parameters unchanged. A rank of a network split across ranks calls it
    /// once, at build, so that it stores only its own neurons (and their input buffers);
    /// every later call (`step`, `state`, checkpoints) then sees the block only.
    ///
    /// Return `false` to keep every neuron (the default): the rank then stores the whole
    /// population and advances its own neurons through [`step_owned`](Self::step_owned).
    /// A model that returns `true` must give each kept neuron exactly the state and spikes
    /// it would have had in the whole population (no state shared between neurons), and save
    /// one value per kept neuron in each checkpoint array. The library's models do.
    fn keep_block(&mut self, block: std::ops::Range<usize>) -> bool {
        let _ = block;
        false
    }
    /// Return to the resting state (between trials), keeping parameters. Default: nothing.
    fn reset_state(&mut self) {}
    /// Name of the membrane potential variable, used by divergence checks. Default `v_mv`.
    fn potential_name(&self) -> &'static str {
        "v_mv"
    }
    /// The absolute refractory period in ms, if the model has one (`None` if it has none or it
    /// is 0). The divergence guard uses it to set the population's rate ceiling at half the
    /// highest rate the period allows, `0.5 / t_ref` (at most 500 Hz). Default `None`.
    fn refractory_ms(&self) -> Option<f64> {
        None
    }
    /// Dynamic state besides the state variables, for checkpoints: refractory counters, a
    /// random stream, anything a [`StateField`] can hold. Write it with
    /// [`checkpoint_fields!`](crate::checkpoint_fields) (`checkpoint_fields!(refractory_left);`),
    /// which also writes [`checkpoint_fields_mut`](Self::checkpoint_fields_mut). Default: none.
    fn checkpoint_fields(&self) -> Vec<(&'static str, &dyn StateField)> {
        Vec::new()
    }
    /// The same fields as [`checkpoint_fields`](Self::checkpoint_fields), mutable, in the same
    /// order (for loading). Default: none.
    fn checkpoint_fields_mut(&mut self) -> Vec<(&'static str, &mut dyn StateField)> {
        Vec::new()
    }
    /// The complete dynamic state (not parameters or caches derived from `dt`), for
    /// checkpoints. Loading it into a population built the same way must make the next steps
    /// bit-identical.
    ///
    /// Default: every state variable of [`state_names`](Self::state_names) as a float array
    /// of that name, plus the [`checkpoint_fields`](Self::checkpoint_fields). That is the
    /// whole state of a model that keeps everything that changes in its named variables and
    /// declared fields, which is what the library's models do. Override `save_state` and
    /// `load_state` only if some dynamic state lives elsewhere. A model that declares no state
    /// at all gets an error naming it ([`ComponentState::unsupported`]).
    fn save_state(&self) -> Result<ComponentState, EngramError> {
        let (names, fields) = (self.state_names(), self.checkpoint_fields());
        if names.is_empty() && fields.is_empty() {
            return Err(ComponentState::unsupported("neuron model", self.kind()));
        }
        let mut state = save_fields(self.kind(), &fields)?;
        for &name in names {
            let values = self.state(name).ok_or_else(|| {
                EngramError::Checkpoint(format!(
                    "neuron model `{}` lists state variable `{name}` but `state` does not return it",
                    self.kind()
                ))
            })?;
            state.f64s.insert(name.into(), values.to_vec());
        }
        Ok(state)
    }
    /// Restore a state written by [`save_state`](Self::save_state) of the same kind and size,
    /// all or nothing: on an error (another kind, a missing variable, another length) the
    /// model is unchanged. Default: the counterpart of the default `save_state`.
    fn load_state(&mut self, state: &ComponentState) -> Result<(), EngramError> {
        let kind = self.kind().to_string();
        state.check_kind(&kind)?;
        let names: Vec<&'static str> = self.state_names().to_vec();
        if names.is_empty() && self.checkpoint_fields().is_empty() {
            return Err(ComponentState::unsupported("neuron model", &kind));
        }
        // Check every state variable before anything changes.
        for &name in &names {
            let saved = state.f64_array(name)?.len();
            let Some(current) = self.state_mut(name).map(|v| v.len()) else {
                return Err(EngramError::Checkpoint(format!(
                    "neuron model `{kind}` lists state variable `{name}` but `state_mut` does not return it \
                     (implement `load_state`)"
                )));
            };
            if saved != current {
                return Err(EngramError::Checkpoint(format!(
                    "state of `{kind}`: `{name}` has {saved} values, expected {current}"
                )));
            }
        }
        load_fields(&kind, state, &mut self.checkpoint_fields_mut())?;
        for name in names {
            state.read_f64(name, self.state_mut(name).expect("checked above"))?;
        }
        Ok(())
    }
}

/// A population that emits spikes on its own (Poisson groups, odor inputs, spike trains).
/// It has no inputs; projections from it work like projections from neurons.
///
/// ```
/// use engram_core::neuron::{SpikeSource, StepContext};
/// /// Neuron 0 fires every 10 steps.
/// struct Metronome;
/// impl SpikeSource for Metronome {
///     fn kind(&self) -> &str { "metronome" }
///     fn len(&self) -> usize { 1 }
///     fn emit(&mut self, ctx: &StepContext, spikes: &mut Vec<u32>) {
///         if ctx.step % 10 == 0 { spikes.push(0) }
///     }
/// }
/// let mut m = Metronome; let mut s = Vec::new();
/// m.emit(&StepContext { step: 20, dt_ms: 0.1 }, &mut s);
/// assert_eq!(s, vec![0]);
/// ```
pub trait SpikeSource: Send {
    /// Short name (`poisson`, `odor`, ...).
    fn kind(&self) -> &str;
    /// Number of sources.
    fn len(&self) -> usize;
    /// `true` if there are no sources.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Push the indices of sources spiking in this step, in increasing order.
    fn emit(&mut self, ctx: &StepContext, spikes: &mut Vec<u32>);
    /// The fields that hold the source's dynamic state (random stream, next-spike steps,
    /// refractory counters), for checkpoints. Write it with
    /// [`checkpoint_fields!`](crate::checkpoint_fields), which also writes
    /// [`checkpoint_fields_mut`](Self::checkpoint_fields_mut). Default: none.
    fn checkpoint_fields(&self) -> Vec<(&'static str, &dyn StateField)> {
        Vec::new()
    }
    /// The same fields, mutable, in the same order (for loading). Default: none.
    fn checkpoint_fields_mut(&mut self) -> Vec<(&'static str, &mut dyn StateField)> {
        Vec::new()
    }
    /// The complete dynamic state (random stream, pending spikes, schedule position), for
    /// checkpoints. Default: the [`checkpoint_fields`](Self::checkpoint_fields)
    /// ([`save_fields`]), or an error naming the source if it declares none. Override it (with
    /// `load_state`) for state that is not in fields of its own.
    fn save_state(&self) -> Result<ComponentState, EngramError> {
        let fields = self.checkpoint_fields();
        if fields.is_empty() {
            return Err(ComponentState::unsupported("spike source", self.kind()));
        }
        save_fields(self.kind(), &fields)
    }
    /// Restore a state written by [`save_state`](Self::save_state), all or nothing. Default:
    /// the counterpart of the default `save_state` ([`load_fields`]).
    fn load_state(&mut self, state: &ComponentState) -> Result<(), EngramError> {
        let kind = self.kind().to_string();
        let mut fields = self.checkpoint_fields_mut();
        if fields.is_empty() {
            return Err(ComponentState::unsupported("spike source", &kind));
        }
        load_fields(&kind, state, &mut fields)
    }
    /// The source as `Any`, so that its owner can reach its own methods (reseed, start a
    /// trial) through `Network::source_mut`. Default `None`.
    fn as_any_mut(&mut self) -> Option<&mut dyn std::any::Any> {
        None
    }
}

/// One neuron's equations, for custom models written in a few lines: derivatives, threshold
/// and reset. The adapter `engram_neurons::PointPopulation` stores many of them as
/// structure-of-arrays, gives each receptor an exponential synaptic variable, and integrates
/// with any `Integrator`.
///
/// `state` holds the model's variables in the order of [`PointNeuron::STATE`]; `synaptic`
/// holds one value per receptor (a conductance in nS or a current in pA).
///
/// ```
/// use engram_core::neuron::{PointNeuron, Receptor};
/// /// Quadratic integrate-and-fire: C dv/dt = k (v - v_r)(v - v_t) + I.
/// struct Qif { receptors: Vec<Receptor> }
/// impl PointNeuron for Qif {
///     const STATE: &'static [&'static str] = &["v_mv"];
///     fn receptors(&self) -> &[Receptor] { &self.receptors }
///     fn initial_state(&self, state: &mut [f64]) { state[0] = -65.0 }
///     fn derivatives(&self, s: &[f64], syn: &[f64], i_pa: f64, ds: &mut [f64]) {
///         let v = s[0];
///         ds[0] = (0.04 * (v + 65.0) * (v + 45.0) + syn[0] * (0.0 - v) + i_pa) / 100.0;
///     }
///     fn spiked(&self, s: &[f64]) -> bool { s[0] >= 30.0 }
///     fn reset(&self, s: &mut [f64]) { s[0] = -65.0 }
/// }
/// let q = Qif { receptors: vec![Receptor::conductance("exc", 0.0, 5.0)] };
/// let mut ds = [0.0];
/// q.derivatives(&[-65.0], &[0.0], 100.0, &mut ds);
/// assert!((ds[0] - 1.0).abs() < 1e-12);
/// ```
pub trait PointNeuron: Send + Sync {
    /// Names of the state variables, first the membrane potential (`v_mv`).
    const STATE: &'static [&'static str];
    /// The receptor channels.
    fn receptors(&self) -> &[Receptor];
    /// Write the initial (resting) state of one neuron.
    fn initial_state(&self, state: &mut [f64]);
    /// Time derivatives (per ms) of the state, given the synaptic variables and injected current.
    fn derivatives(&self, state: &[f64], synaptic: &[f64], i_ext_pa: f64, dstate: &mut [f64]);
    /// `true` if the neuron spikes in this state (checked after each step).
    fn spiked(&self, state: &[f64]) -> bool;
    /// Apply the reset after a spike.
    fn reset(&self, state: &mut [f64]);
    /// Absolute refractory period in ms, during which the state is held at the reset. Default 0.
    fn refractory_ms(&self) -> f64 {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `v` (a state variable, writable unless `read_only`) and refractory counters (a field).
    struct Model {
        v: Vec<f64>,
        refractory: Vec<u32>,
        read_only: bool,
        names: &'static [&'static str],
    }

    impl NeuronModel for Model {
        fn kind(&self) -> &str {
            "model"
        }
        fn len(&self) -> usize {
            self.v.len()
        }
        fn receptors(&self) -> &[Receptor] {
            &[]
        }
        fn state_names(&self) -> &[&'static str] {
            self.names
        }
        fn state(&self, name: &str) -> Option<&[f64]> {
            (name == "v").then_some(&self.v[..])
        }
        fn state_mut(&mut self, name: &str) -> Option<&mut [f64]> {
            (name == "v" && !self.read_only).then_some(&mut self.v[..])
        }
        fn step(&mut self, _: &StepContext, _: StepInput<'_>, _: &mut Vec<u32>) {}
        crate::checkpoint_fields!(refractory);
    }

    fn model(n: usize) -> Model {
        Model { v: vec![0.0; n], refractory: vec![0; n], read_only: false, names: &["v"] }
    }

    #[test]
    fn the_default_saves_state_variables_and_fields() {
        let mut a = model(2);
        a.v = vec![-60.5, f64::NAN];
        a.refractory = vec![0, 7];
        let saved = a.save_state().unwrap();
        let expected =
            ComponentState::new("model").with_f64("v", vec![-60.5, f64::NAN]).with_u32("refractory", &[0, 7]);
        assert_eq!(format!("{saved:?}"), format!("{expected:?}"));
        let mut b = model(2);
        b.load_state(&saved).unwrap();
        assert_eq!((b.v[0], b.v[1].is_nan(), &b.refractory[..]), (-60.5, true, &[0, 7][..]));
    }

    #[test]
    fn a_refused_state_changes_nothing() {
        let saved = model(2).save_state().unwrap();
        let mut short = model(3);
        short.refractory = vec![1, 2, 3];
        let e = short.load_state(&saved).unwrap_err().to_string();
        assert!(e.contains("state of `model`: `v` has 2 values, expected 3"), "{e}");
        // right `v`, wrong counters: `v` must not be written either
        let mut odd = saved.clone();
        odd.f64s.insert("v".into(), vec![1.0, 1.0, 1.0]);
        let e = short.load_state(&odd).unwrap_err().to_string();
        assert!(e.contains("`refractory` has 2 values, expected 3"), "{e}");
        assert_eq!((&short.v[..], &short.refractory[..]), (&[0.0; 3][..], &[1, 2, 3][..]));
    }

    #[test]
    fn undeclared_or_read_only_state_is_an_error_naming_the_model() {
        let mut ro = model(1);
        ro.read_only = true;
        let saved = ro.save_state().unwrap();
        let e = ro.load_state(&saved).unwrap_err().to_string();
        assert!(e.contains("`model` lists state variable `v` but `state_mut` does not return it"), "{e}");
        let ghost = Model { names: &["v", "w"], ..model(1) };
        let e = ghost.save_state().unwrap_err().to_string();
        assert!(e.contains("lists state variable `w` but `state` does not return it"), "{e}");

        struct Nothing;
        impl NeuronModel for Nothing {
            fn kind(&self) -> &str {
                "nothing"
            }
            fn len(&self) -> usize {
                1
            }
            fn receptors(&self) -> &[Receptor] {
                &[]
            }
            fn state_names(&self) -> &[&'static str] {
                &[]
            }
            fn state(&self, _: &str) -> Option<&[f64]> {
                None
            }
            fn state_mut(&mut self, _: &str) -> Option<&mut [f64]> {
                None
            }
            fn step(&mut self, _: &StepContext, _: StepInput<'_>, _: &mut Vec<u32>) {}
        }
        let e = Nothing.save_state().unwrap_err().to_string();
        assert!(
            e.contains("neuron model `nothing` does not support checkpoints (list its state in `state_names`"),
            "{e}"
        );
        let e = Nothing.load_state(&ComponentState::new("nothing")).unwrap_err().to_string();
        assert!(e.contains("neuron model `nothing` does not support checkpoints"), "{e}");
    }
}
