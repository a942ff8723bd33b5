//! Inhibitory STDP: the homeostatic rule of Vogels et al. (2011), its neuromodulator-gated
//! form (plasticity only inside a disinhibition window) and the global-factor variant of
//! Zenke, Agnes & Gerstner (2015).

use crate::common::{Interaction, Trace, check_bounds, check_shape, clip, load_all_or_nothing};
use engram_core::checkpoint::{ComponentState, StateField};
use engram_core::checkpoint_fields;
use engram_core::error::{EngramError, ParamError};
use engram_core::neuron::StepContext;
use engram_core::params::{Checked, Params, finite, non_negative, positive};
use engram_core::plasticity::{PlasticityRule, SynapsesMut};
use serde::{Deserialize, Serialize};

/// Parameters of [`InhibitoryStdp`] (Vogels, Sprekeler, Zenke, Clopath & Gerstner 2011).
///
/// Defaults: the recurrent-network values of the Brian2 port
/// (docs/models/vogels2011.md#learning-rule): `tau_stdp_ms = 20`, `target_rate_hz = 3` (ρ0),
/// `eta = 0.01` (weight units per unit trace, 10 pS for weights in nS), bounds `[0, 100]`, no gate.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct InhibitoryStdpParams {
    /// Time constant of the symmetric pre and post traces, ms. Default 20.
    pub tau_stdp_ms: f64,
    /// Target postsynaptic rate ρ0, Hz; the depression per presynaptic spike is
    /// `α = 2 ρ0 τ_STDP`. Default 3.
    pub target_rate_hz: f64,
    /// Learning rate η, weight units per unit trace. Default 0.01.
    pub eta: f64,
    /// Lower weight bound. Default 0.
    pub w_min: f64,
    /// Upper weight bound. Default 100.
    pub w_max: f64,
    /// Neuromodulatory gate: if set, weights change only in steps where the modulator
    /// (`Network::set_modulator`) is strictly above this threshold (a disinhibition window);
    /// traces follow the spikes all the time. Default `None` (always plastic).
    pub gate_threshold: Option<f64>,
}

impl Default for InhibitoryStdpParams {
    fn default() -> Self {
        Self { tau_stdp_ms: 20.0, target_rate_hz: 3.0, eta: 0.01, w_min: 0.0, w_max: 100.0, gate_threshold: None }
    }
}

impl InhibitoryStdpParams {
    /// The single-cell "sensory pathway" experiment of the paper (inhib_plasticity.m): there
    /// the trace jumps by η = 1e-3 and each presynaptic spike depresses by 0.25 η, i.e.
    /// `α = 0.25` and `ρ0 = 0.25 / (2 · 20 ms) = 6.25 Hz`. Weight bounds `[0, 100]`.
    pub fn single_cell() -> Self {
        Self { eta: 1e-3, target_rate_hz: 6.25, ..Self::default() }
    }

    /// The default rule, plastic only while the modulator is above `threshold`.
    pub fn gated(threshold: f64) -> Self {
        Self { gate_threshold: Some(threshold), ..Self::default() }
    }

    /// `α = 2 ρ0 τ_STDP` (dimensionless).
    pub fn alpha(&self) -> f64 {
        2.0 * self.target_rate_hz * self.tau_stdp_ms / 1000.0
    }

    /// The mean drift of one synapse for independent Poisson trains at `rate_pre_hz` and
    /// `rate_post_hz`, weight units per second: `2 η τ ρ_pre (ρ_post − ρ0)`.
    pub fn poisson_drift_per_s(&self, rate_pre_hz: f64, rate_post_hz: f64) -> f64 {
        2.0 * self.eta * self.tau_stdp_ms / 1000.0 * rate_pre_hz * (rate_post_hz - self.target_rate_hz)
    }
}

impl Params for InhibitoryStdpParams {
    fn validate(&self) -> Result<(), ParamError> {
        positive("tau_stdp_ms", self.tau_stdp_ms)?;
        non_negative("target_rate_hz", self.target_rate_hz)?;
        non_negative("eta", self.eta)?;
        check_bounds(self.w_min, self.w_max)?;
        if let Some(g) = self.gate_threshold {
            finite("gate_threshold", g)?;
        }
        Ok(())
    }
}

/// Inhibitory STDP of Vogels et al. (2011), for I→E projections:
///
/// ```text
/// x_pre, x_post: traces, +1 per spike, τ_STDP
/// pre spike of j:   w_ij ← clip(w_ij + η (x_post,i − α))        α = 2 ρ0 τ_STDP
/// post spike of i:  w_ij ← clip(w_ij + η x_pre,j)
/// ```
///
/// For uncorrelated Poisson trains the mean drift is `2 η τ ρ_pre (ρ_post − ρ0)`: inhibition
/// grows onto neurons firing above ρ0 and shrinks onto those below, which drives every
/// postsynaptic neuron's rate towards ρ0.
///
/// Traces are per neuron (one per presynaptic and one per postsynaptic neuron), decayed per
/// step by one multiply. In a step, presynaptic spikes are processed first (reading the post
/// trace before this step's post spikes), then postsynaptic spikes (reading the pre trace
/// including this step's pre spikes): a coincident pair counts once, as `+η`.
///
/// **Delays:** attached with `add_plasticity`, timing is taken at the somata (spike emission
/// times; zero axonal and zero dendritic delay for plasticity, whatever the projection's
/// transmission delay); `add_plasticity_with_timing` times spikes at the synapse instead.
///
/// With [`InhibitoryStdpParams::gate_threshold`] the weights change only while the modulator
/// exceeds the threshold (neuromodulatory gating; a disinhibition window).
///
/// ```
/// use engram_core::{neuron::StepContext, params::Params, plasticity::PlasticityRule};
/// use engram_plasticity::{InhibitoryStdp, InhibitoryStdpParams, SynapseTable};
///
/// let params = InhibitoryStdpParams { eta: 0.1, ..Default::default() }.check().unwrap();
/// let alpha = params.alpha();                      // 2 · 3 Hz · 20 ms = 0.12
/// let mut rule = InhibitoryStdp::new(params, 1, 1);
/// let mut syn = SynapseTable::one_to_one(1, 1.0);
/// let ctx = |step| StepContext { step, dt_ms: 1.0 };
/// rule.step(&ctx(0), &[0], &[], 0.0, syn.view());  // lone pre spike: w -= η α
/// assert!((syn.weights[0] - (1.0 - 0.1 * alpha)).abs() < 1e-12);
/// rule.step(&ctx(10), &[], &[0], 0.0, syn.view()); // post 10 ms later: w += η e^{-10/20}
/// let expected = 1.0 - 0.1 * alpha + 0.1 * (-0.5f64).exp();
/// assert!((syn.weights[0] - expected).abs() < 1e-12);
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InhibitoryStdp {
    params: InhibitoryStdpParams,
    alpha: f64,
    x_pre: Trace,
    x_post: Trace,
}

impl InhibitoryStdp {
    /// A rule for a projection of `n_pre` presynaptic onto `n_post` postsynaptic neurons.
    pub fn new(params: Checked<InhibitoryStdpParams>, n_pre: usize, n_post: usize) -> Self {
        let params = params.into_inner();
        Self {
            alpha: params.alpha(),
            x_pre: Trace::new(n_pre, params.tau_stdp_ms),
            x_post: Trace::new(n_post, params.tau_stdp_ms),
            params,
        }
    }

    /// The parameters.
    pub fn params(&self) -> &InhibitoryStdpParams {
        &self.params
    }

    /// Presynaptic traces.
    pub fn pre_trace(&self) -> &Trace {
        &self.x_pre
    }

    /// Postsynaptic traces.
    pub fn post_trace(&self) -> &Trace {
        &self.x_post
    }
}

impl PlasticityRule for InhibitoryStdp {
    /// Per synapse, from its own neurons' traces: local to the targets.
    fn local_to_target(&self) -> bool {
        true
    }

    fn name(&self) -> &str {
        "inhibitory_stdp"
    }

    checkpoint_fields!(x_pre, x_post);

    fn step(&mut self, ctx: &StepContext, pre: &[u32], post: &[u32], modulator: f64, syn: SynapsesMut<'_>) {
        check_shape(self.name(), self.x_pre.len(), self.x_post.len(), &syn);
        self.x_pre.advance(ctx.step, ctx.dt_ms);
        self.x_post.advance(ctx.step, ctx.dt_ms);
        let plastic = self.params.gate_threshold.is_none_or(|g| modulator > g);
        let (eta, alpha, lo, hi) = (self.params.eta, self.alpha, self.params.w_min, self.params.w_max);
        for &i in pre {
            let i = i as usize;
            if plastic {
                for k in syn.row_ptr[i]..syn.row_ptr[i + 1] {
                    let j = syn.post[k] as usize;
                    syn.weights[k] = clip(syn.weights[k] + eta * (self.x_post.get(j) - alpha), lo, hi);
                }
            }
            self.x_pre.bump(i, Interaction::AllToAll);
        }
        for &j in post {
            let j = j as usize;
            if plastic {
                for e in syn.col_ptr[j]..syn.col_ptr[j + 1] {
                    let (k, i) = (syn.syn_of_post[e] as usize, syn.pre_of_post[e] as usize);
                    syn.weights[k] = clip(syn.weights[k] + eta * self.x_pre.get(i), lo, hi);
                }
            }
            self.x_post.bump(j, Interaction::AllToAll);
        }
    }

    fn reset_traces(&mut self) {
        self.x_pre.reset();
        self.x_post.reset();
    }
}

/// Where the non-Hebbian "+1" of [`GlobalFactorIstdp`] sits.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlusOneOn {
    /// On presynaptic spikes, `Δw = η G (x_post + 1)` (Auryn `GlobalPFConnection`, Zenke 2015).
    #[default]
    Pre,
    /// On postsynaptic spikes, `Δw = η G (x_pre + 1)` (the Brian2 example).
    Post,
}

/// Parameters of [`GlobalFactorIstdp`]. Defaults: `sim_rc_p10c` of Zenke, Agnes & Gerstner
/// (2015): τ_STDP 20 ms, τ_H 10 s, γ 3 Hz, η 2e-5, bounds `[0, 5]`, G normalised by γ, "+1"
/// on presynaptic spikes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct GlobalFactorIstdpParams {
    /// Time constant of the pre and post traces, ms. Default 20.
    pub tau_stdp_ms: f64,
    /// Time constant of the population-rate estimate H, ms. Default 10 000.
    pub tau_rate_ms: f64,
    /// Target population rate γ, Hz (> 0). Default 3.
    pub target_rate_hz: f64,
    /// Learning rate η. Default 2e-5.
    pub eta: f64,
    /// Lower weight bound. Default 0.
    pub w_min: f64,
    /// Upper weight bound. Default 5.
    pub w_max: f64,
    /// `G = (H − γ)/γ` if true (Auryn), `G = H − γ` (in Hz) if false (Brian2). Default true.
    pub normalize_by_target: bool,
    /// Where the "+1" goes. Default [`PlusOneOn::Pre`].
    pub plus_one_on: PlusOneOn,
}

impl Default for GlobalFactorIstdpParams {
    fn default() -> Self {
        Self {
            tau_stdp_ms: 20.0,
            tau_rate_ms: 10_000.0,
            target_rate_hz: 3.0,
            eta: 2e-5,
            w_min: 0.0,
            w_max: 5.0,
            normalize_by_target: true,
            plus_one_on: PlusOneOn::Pre,
        }
    }
}

impl Params for GlobalFactorIstdpParams {
    fn validate(&self) -> Result<(), ParamError> {
        positive("tau_stdp_ms", self.tau_stdp_ms)?;
        positive("tau_rate_ms", self.tau_rate_ms)?;
        positive("target_rate_hz", self.target_rate_hz)?;
        non_negative("eta", self.eta)?;
        check_bounds(self.w_min, self.w_max)
    }
}

/// Global-factor inhibitory STDP (Zenke, Agnes & Gerstner 2015, Auryn `GlobalPFConnection`):
///
/// ```text
/// H: mean rate of the postsynaptic population, low-pass with τ_H (starts at γ)
/// G = (H − γ)/γ   (or H − γ)
/// pre spike of j:   w_ij ← clip(w_ij + η G (x_post,i + 1))
/// post spike of i:  w_ij ← clip(w_ij + η G x_pre,j)
/// ```
///
/// The whole symmetric kernel changes sign with G: above the target rate inhibition is
/// potentiated, below it is depressed. H is estimated from the projection's postsynaptic
/// population (the E population for I→E). Same trace handling, ordering and delay semantics
/// as [`InhibitoryStdp`].
///
/// ```
/// use engram_core::{neuron::StepContext, params::Params, plasticity::PlasticityRule};
/// use engram_plasticity::{GlobalFactorIstdp, GlobalFactorIstdpParams, SynapseTable};
///
/// let p = GlobalFactorIstdpParams { eta: 0.01, ..Default::default() };
/// let mut rule = GlobalFactorIstdp::new(p.check().unwrap(), 1, 1);
/// assert_eq!(rule.global_factor(), 0.0);          // H starts at the target
/// let mut syn = SynapseTable::one_to_one(1, 1.0);
/// rule.step(&StepContext { step: 0, dt_ms: 1.0 }, &[0], &[], 0.0, syn.view());
/// assert!(syn.weights[0] < 1.0);                  // silent post population: G < 0, depression
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GlobalFactorIstdp {
    params: GlobalFactorIstdpParams,
    x_pre: Trace,
    x_post: Trace,
    rate_hz: f64,
    dt_ms: f64,
    rate_decay: f64,
    last_step: Option<u64>,
}

impl GlobalFactorIstdp {
    /// A rule for a projection of `n_pre` onto `n_post` neurons.
    pub fn new(params: Checked<GlobalFactorIstdpParams>, n_pre: usize, n_post: usize) -> Self {
        let params = params.into_inner();
        Self {
            x_pre: Trace::new(n_pre, params.tau_stdp_ms),
            x_post: Trace::new(n_post, params.tau_stdp_ms),
            rate_hz: params.target_rate_hz,
            dt_ms: 0.0,
            rate_decay: 1.0,
            last_step: None,
            params,
        }
    }

    /// The current population-rate estimate H, Hz.
    pub fn rate_estimate_hz(&self) -> f64 {
        self.rate_hz
    }

    /// The current global factor G.
    pub fn global_factor(&self) -> f64 {
        let d = self.rate_hz - self.params.target_rate_hz;
        if self.params.normalize_by_target { d / self.params.target_rate_hz } else { d }
    }

    /// The parameters.
    pub fn params(&self) -> &GlobalFactorIstdpParams {
        &self.params
    }
}

impl PlasticityRule for GlobalFactorIstdp {
    /// Per synapse, with a factor from the postsynaptic spikes (which every rank sees).
    fn local_to_target(&self) -> bool {
        true
    }

    fn name(&self) -> &str {
        "global_factor_istdp"
    }

    fn save_state(&self) -> Result<ComponentState, EngramError> {
        let mut s = ComponentState::new(self.name());
        self.x_pre.save_field(&mut s, "x_pre")?;
        self.x_post.save_field(&mut s, "x_post")?;
        Ok(s.with_f64("rate_dt_decay", vec![self.rate_hz, self.dt_ms, self.rate_decay])
            .with_opt_u64("last_step", self.last_step))
    }

    fn load_state(&mut self, state: &ComponentState) -> Result<(), EngramError> {
        let kind = self.name().to_string();
        load_all_or_nothing(self, &kind, state, |r, s| {
            r.x_pre.load_field(s, "x_pre")?;
            r.x_post.load_field(s, "x_post")?;
            let mut v = [0.0; 3];
            s.read_f64("rate_dt_decay", &mut v)?;
            [r.rate_hz, r.dt_ms, r.rate_decay] = v;
            r.last_step = s.opt_u64("last_step")?;
            Ok(())
        })
    }

    fn step(&mut self, ctx: &StepContext, pre: &[u32], post: &[u32], _modulator: f64, syn: SynapsesMut<'_>) {
        check_shape(self.name(), self.x_pre.len(), self.x_post.len(), &syn);
        if ctx.dt_ms != self.dt_ms {
            self.dt_ms = ctx.dt_ms;
            self.rate_decay = (-ctx.dt_ms / self.params.tau_rate_ms).exp();
        }
        self.x_pre.advance(ctx.step, ctx.dt_ms);
        self.x_post.advance(ctx.step, ctx.dt_ms);
        // H: dH/dt = −H/τ_H + (1/N) Σ δ / τ_H, in Hz, decayed over the steps since the last call
        let n = self.last_step.map_or(1, |s| ctx.step.saturating_sub(s));
        self.last_step = Some(ctx.step);
        let decay = match n {
            1 => self.rate_decay,
            n => (-(n as f64) * ctx.dt_ms / self.params.tau_rate_ms).exp(),
        };
        self.rate_hz = self.rate_hz * decay
            + post.len() as f64 / self.x_post.len().max(1) as f64 / (self.params.tau_rate_ms / 1000.0);
        let g = self.params.eta * self.global_factor();
        let (lo, hi) = (self.params.w_min, self.params.w_max);
        let (one_pre, one_post) = match self.params.plus_one_on {
            PlusOneOn::Pre => (1.0, 0.0),
            PlusOneOn::Post => (0.0, 1.0),
        };
        for &i in pre {
            let i = i as usize;
            if g != 0.0 {
                for k in syn.row_ptr[i]..syn.row_ptr[i + 1] {
                    let j = syn.post[k] as usize;
                    syn.weights[k] = clip(syn.weights[k] + g * (self.x_post.get(j) + one_pre), lo, hi);
                }
            }
            self.x_pre.bump(i, Interaction::AllToAll);
        }
        for &j in post {
            let j = j as usize;
            if g != 0.0 {
                for e in syn.col_ptr[j]..syn.col_ptr[j + 1] {
                    let (k, i) = (syn.syn_of_post[e] as usize, syn.pre_of_post[e] as usize);
                    syn.weights[k] = clip(syn.weights[k] + g * (self.x_pre.get(i) + one_post), lo, hi);
                }
            }
            self.x_post.bump(j, Interaction::AllToAll);
        }
    }

    fn reset_traces(&mut self) {
        self.x_pre.reset();
        self.x_post.reset();
        self.rate_hz = self.params.target_rate_hz;
        self.last_step = None;
    }
}
