//! Normalised Hebbian plasticity for the excitatory inputs of interneurons (E→I), after the
//! E→I rule of Mackwood, Naumann & Sprekeler (eLife 2021): a Hebbian term whose sign follows
//! a homeostatic error, with the total input of every interneuron held fixed by postsynaptic
//! L1 normalisation ([`normalise_l1`]).

use crate::common::{Interaction, Trace, check_bounds, check_shape, clip};
use crate::normalise::{NormaliseSide, l1_sums, normalise_l1};
use crate::stdp::WeightDependence;
use engram_core::checkpoint_fields;
use engram_core::error::ParamError;
use engram_core::neuron::StepContext;
use engram_core::params::{Checked, Params, non_negative, positive};
use engram_core::plasticity::{PlasticityRule, SynapsesMut};
use serde::{Deserialize, Serialize};

/// What the Hebbian term of [`NormalisedHebbian`] compares with the target rate ρ0.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HebbianSignal {
    /// The weighted mean rate of the neurons that drive postsynaptic neuron `i`,
    /// `r_in,i = Σ_k w_ik r_k / Σ_k w_ik` (the "anterograde" E→I rule of Mackwood et al. 2021,
    /// where the error an interneuron sees is the deviation from ρ0 of the E cells that excite
    /// it): an interneuron whose inputs fire above target strengthens its most active inputs.
    #[default]
    InputRate,
    /// The postsynaptic neuron's own rate `r_i` (a plain Hebbian rule with a fixed threshold).
    PostRate,
}

/// Parameters of [`NormalisedHebbian`]. Defaults: τ = 20 ms, ρ0 = 1 Hz, η = 0.01, weights in
/// `[0, 1]`, additive, input-rate signal, postsynaptic normalisation every 10 ms.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct NormalisedHebbianParams {
    /// Time constant of the rate traces, ms. Default 20.
    pub tau_ms: f64,
    /// Target rate ρ0 of the signal, Hz. Default 1.
    pub target_rate_hz: f64,
    /// Learning rate η, weight units per unit trace. Default 0.01.
    pub eta: f64,
    /// What the Hebbian term compares with ρ0. Default [`HebbianSignal::InputRate`].
    pub signal: HebbianSignal,
    /// Weight dependence (soft bounds with [`WeightDependence::Multiplicative`]). Default additive.
    pub weight_dependence: WeightDependence,
    /// Lower weight bound. Default 0.
    pub w_min: f64,
    /// Upper weight bound. Default 1.
    pub w_max: f64,
    /// Interval of the postsynaptic L1 normalisation to the sums the weights had at the
    /// rule's first step, ms; `None`: no normalisation. Default 10.
    pub normalise_every_ms: Option<f64>,
}

impl Default for NormalisedHebbianParams {
    fn default() -> Self {
        Self {
            tau_ms: 20.0,
            target_rate_hz: 1.0,
            eta: 0.01,
            signal: HebbianSignal::InputRate,
            weight_dependence: WeightDependence::Additive,
            w_min: 0.0,
            w_max: 1.0,
            normalise_every_ms: Some(10.0),
        }
    }
}

impl NormalisedHebbianParams {
    /// `α = ρ0 τ`, the trace value at the target rate (dimensionless).
    pub fn alpha(&self) -> f64 {
        self.target_rate_hz * self.tau_ms / 1000.0
    }

    /// Mean drift of one additive synapse before normalisation, weight units per second, for
    /// independent Poisson trains: presynaptic rate `rate_pre_hz`, signal rate `signal_hz`
    /// (`r_in` or `r_post`, see [`HebbianSignal`]): `η τ ρ_pre (signal − ρ0)`.
    pub fn poisson_drift_per_s(&self, rate_pre_hz: f64, signal_hz: f64) -> f64 {
        self.eta * self.tau_ms / 1000.0 * rate_pre_hz * (signal_hz - self.target_rate_hz)
    }
}

impl Params for NormalisedHebbianParams {
    fn validate(&self) -> Result<(), ParamError> {
        positive("tau_ms", self.tau_ms)?;
        non_negative("target_rate_hz", self.target_rate_hz)?;
        non_negative("eta", self.eta)?;
        check_bounds(self.w_min, self.w_max)?;
        if let WeightDependence::Multiplicative { mu } = self.weight_dependence {
            if !(0.0..=1.0).contains(&mu) {
                return Err(ParamError::new("weight_dependence.mu", mu, "a number in [0, 1]"));
            }
        }
        if let Some(every) = self.normalise_every_ms {
            positive("normalise_every_ms", every)?;
        }
        Ok(())
    }
}

/// Normalised Hebbian plasticity (for E→I projections), a spiking form of the E→I rule of
/// Mackwood, Naumann & Sprekeler (2021):
///
/// ```text
/// u_i = y_i / T_i   (InputRate: y_i += w_ik at each spike of input k, τ; T_i = Σ_k w_ik at the start)
/// u_i = x_i         (PostRate:  x_i += 1 at each spike of i, τ)
/// pre spike of j:   w_ij ← clip(w_ij + η f(w_ij) (u_i − α))          α = ρ0 τ
/// every normalise_every_ms: w_ij ← w_ij T_i / Σ_k w_ik               (postsynaptic L1)
/// ```
///
/// with `f = f₊` for a positive and `f₋` for a negative change ([`WeightDependence`]). The mean
/// drift for Poisson trains is `η τ r_j (r_in,i − ρ0)` (InputRate; `r_i` for PostRate): when
/// the E cells driving an interneuron fire above ρ0, its inputs from the active ones grow and,
/// after normalisation, those from the silent ones shrink; its total input stays `T_i`, so
/// the rule cannot run the interneuron's drive away (the bound Mackwood et al. need for E/I
/// assemblies to form). Their rate model writes the change as
/// `ΔW_ij ∝ r_E,j Σ_k W_ik (r_E,k − ρ0)` followed by the same normalisation; dividing by
/// `T_i` (constant under normalisation) only rescales η.
///
/// Order in a step: the weight updates of this step's pre spikes read `u` before this step's
/// spikes are added to the traces (`t − ε`); post spikes only feed the PostRate trace.
///
/// ```
/// use engram_core::{neuron::StepContext, params::Params, plasticity::PlasticityRule};
/// use engram_plasticity::{NormalisedHebbian, NormalisedHebbianParams, SynapseTable};
///
/// let p = NormalisedHebbianParams { eta: 0.1, normalise_every_ms: None, ..Default::default() };
/// let alpha = p.alpha(); // 1 Hz · 20 ms = 0.02
/// let mut rule = NormalisedHebbian::new(p.check().unwrap(), 2, 1);
/// let mut syn = SynapseTable::from_triplets(2, 1, &[(0, 0, 0.5), (1, 0, 0.5)]);
/// let ctx = |step| StepContext { step, dt_ms: 1.0 };
/// rule.step(&ctx(0), &[0], &[], 0.0, syn.view()); // u = 0: w_00 −= η α
/// assert!((syn.weights[0] - (0.5 - 0.1 * alpha)).abs() < 1e-12);
/// rule.step(&ctx(10), &[1], &[], 0.0, syn.view()); // u = w_00 e^{−10/20} / T
/// let u = (0.5 - 0.1 * alpha) * (-0.5f64).exp() / 1.0;
/// assert!((syn.weights[1] - (0.5 + 0.1 * (u - alpha))).abs() < 1e-12);
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NormalisedHebbian {
    params: NormalisedHebbianParams,
    n_pre: usize,
    alpha: f64,
    /// InputRate: the weighted input trace of each postsynaptic neuron; PostRate: its spike trace.
    u: Trace,
    /// `T_i`, the L1 sum of the weights onto each postsynaptic neuron at the first step (NaN before).
    targets: Vec<f64>,
    /// The first step at which the next normalisation is due.
    next_normalise_step: u64,
}

impl NormalisedHebbian {
    /// A rule for a projection of `n_pre` onto `n_post` neurons.
    pub fn new(params: Checked<NormalisedHebbianParams>, n_pre: usize, n_post: usize) -> Self {
        let params = params.into_inner();
        Self {
            n_pre,
            alpha: params.alpha(),
            u: Trace::new(n_post, params.tau_ms),
            targets: vec![f64::NAN; n_post],
            next_normalise_step: 0,
            params,
        }
    }

    /// The parameters.
    pub fn params(&self) -> &NormalisedHebbianParams {
        &self.params
    }

    /// `T_i` per postsynaptic neuron (NaN before the first step).
    pub fn targets(&self) -> &[f64] {
        &self.targets
    }

    /// The signal `u_i` of every postsynaptic neuron (`r̂ τ`, compare with `α`).
    pub fn signal(&self) -> Vec<f64> {
        let u = self.u.values();
        match self.params.signal {
            HebbianSignal::InputRate => u.iter().zip(&self.targets).map(|(y, t)| y / t).collect(),
            HebbianSignal::PostRate => u,
        }
    }

    /// The Hebbian updates along the rows of this step's pre spikes.
    fn update_rows(&self, pre: &[u32], syn: &mut SynapsesMut<'_>) {
        let p = &self.params;
        let (lo, hi, dep) = (p.w_min, p.w_max, p.weight_dependence);
        let input = p.signal == HebbianSignal::InputRate;
        for &i in pre {
            let i = i as usize;
            let row = syn.row_ptr[i]..syn.row_ptr[i + 1];
            for (&j, w) in syn.post[row.clone()].iter().zip(&mut syn.weights[row]) {
                let j = j as usize;
                let u = if input { self.u.get(j) / self.targets[j] } else { self.u.get(j) };
                let d = u - self.alpha;
                let (fp, fm) = dep.factors(*w, lo, hi);
                *w = clip(*w + p.eta * d * if d > 0.0 { fp } else { fm }, lo, hi);
            }
        }
    }
}

impl PlasticityRule for NormalisedHebbian {
    /// Per synapse, normalised per postsynaptic neuron: local to the targets.
    fn local_to_target(&self) -> bool {
        true
    }

    /// Its traces and normalisation targets belong to the postsynaptic neurons: a projection
    /// with it can be rewired (the targets `T_i` stay those of the first step).
    fn neuron_state_only(&self) -> bool {
        true
    }

    fn name(&self) -> &str {
        "normalised_hebbian"
    }

    checkpoint_fields!(u, targets, next_normalise_step);

    fn step(&mut self, ctx: &StepContext, pre: &[u32], post: &[u32], _modulator: f64, mut syn: SynapsesMut<'_>) {
        check_shape(self.name(), self.n_pre, self.targets.len(), &syn);
        let every = self.params.normalise_every_ms.map(|ms| ((ms / ctx.dt_ms).round() as u64).max(1));
        // the targets are the sums at the first step that hands over the synapses (a
        // `ModulatorSwitch` that is off passes none, only keeping the traces running)
        let has_synapses = !syn.weights.is_empty();
        if has_synapses && self.targets.first().is_some_and(|t| t.is_nan()) {
            self.targets = l1_sums(&syn, NormaliseSide::Post);
            self.next_normalise_step = ctx.step + every.unwrap_or(0);
        }
        self.u.advance(ctx.step, ctx.dt_ms);
        self.update_rows(pre, &mut syn);
        match self.params.signal {
            HebbianSignal::InputRate => {
                for &i in pre {
                    let i = i as usize;
                    for k in syn.row_ptr[i]..syn.row_ptr[i + 1] {
                        self.u.add(syn.post[k] as usize, syn.weights[k]);
                    }
                }
            }
            HebbianSignal::PostRate => post.iter().for_each(|&j| self.u.bump(j as usize, Interaction::AllToAll)),
        }
        // after the updates of the step at or past a due time (a driver may skip silent steps)
        if let Some(every) = every.filter(|_| has_synapses) {
            if ctx.step >= self.next_normalise_step {
                normalise_l1(&mut syn, NormaliseSide::Post, &self.targets, self.params.w_min, self.params.w_max);
                self.next_normalise_step = ctx.step + every;
            }
        }
    }

    fn reset_traces(&mut self) {
        self.u.reset();
    }
}
