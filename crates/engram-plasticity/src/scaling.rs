//! Homeostatic synaptic scaling (van Rossum, Bi & Turrigiano 2000): each postsynaptic neuron
//! multiplies all its incoming weights towards a target rate, slowly, from a rate sensor.

use crate::common::{check_bounds, check_shape, clip, load_all_or_nothing};
use engram_core::checkpoint::ComponentState;
use engram_core::error::{EngramError, ParamError};
use engram_core::neuron::StepContext;
use engram_core::params::{Checked, Params, non_negative, positive};
use engram_core::plasticity::{PlasticityRule, SynapsesMut};
use serde::{Deserialize, Serialize};

/// Parameters of [`SynapticScaling`]. Defaults: van Rossum et al. (2000): τ_a = 100 s,
/// β = 4e-5 s⁻¹ Hz⁻¹, γ = 1e-7 s⁻² Hz⁻¹; target 3 Hz (this crate's choice, the paper's goal
/// depends on the cell); applied every 100 ms; bounds `[0, 100]`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SynapticScalingParams {
    /// Time constant of the activity sensor, ms. Default 100 000.
    pub tau_sensor_ms: f64,
    /// Target rate a_goal, Hz. Default 3.
    pub target_rate_hz: f64,
    /// Proportional gain β, per s per Hz. Default 4e-5.
    pub beta_per_s_hz: f64,
    /// Integral gain γ, per s² per Hz. Default 1e-7.
    pub gamma_per_s2_hz: f64,
    /// Scaling is applied every this many ms (strided, as Auryn does; cheap). Default 100.
    pub update_every_ms: f64,
    /// Lower weight bound. Default 0.
    pub w_min: f64,
    /// Upper weight bound. Default 100.
    pub w_max: f64,
}

impl Default for SynapticScalingParams {
    fn default() -> Self {
        Self {
            tau_sensor_ms: 100_000.0,
            target_rate_hz: 3.0,
            beta_per_s_hz: 4e-5,
            gamma_per_s2_hz: 1e-7,
            update_every_ms: 100.0,
            w_min: 0.0,
            w_max: 100.0,
        }
    }
}

impl Params for SynapticScalingParams {
    fn validate(&self) -> Result<(), ParamError> {
        positive("tau_sensor_ms", self.tau_sensor_ms)?;
        non_negative("target_rate_hz", self.target_rate_hz)?;
        non_negative("beta_per_s_hz", self.beta_per_s_hz)?;
        non_negative("gamma_per_s2_hz", self.gamma_per_s2_hz)?;
        positive("update_every_ms", self.update_every_ms)?;
        check_bounds(self.w_min, self.w_max)
    }
}

/// Multiplicative synaptic scaling with a PI controller (van Rossum, Bi & Turrigiano 2000):
///
/// ```text
/// τ_a da_i/dt = −a_i + Σ δ(t − t_i)            rate sensor of post neuron i, Hz (starts at a_goal)
/// dw_ij/dt = β w_ij [a_goal − a_i] + γ w_ij ∫ [a_goal − a_i] dt
/// ```
///
/// Every `update_every_ms` (interval T), for each postsynaptic neuron the integral gains
/// `(a_goal − a_i) T` and all its incoming weights are multiplied by
/// `exp(T (β (a_goal − a_i) + γ ∫))` (exact for a constant sensor over T; keeps the sign),
/// then clipped to the bounds. Scaling preserves the ratios of a neuron's weights. The sensor
/// is per neuron and decays per step by one multiply; the scaling pass is `O(synapses)` once
/// per interval, through the transpose index. Presynaptic spikes and delays play no role.
///
/// ```
/// use engram_core::{neuron::StepContext, params::Params, plasticity::PlasticityRule};
/// use engram_plasticity::{SynapseTable, SynapticScaling, SynapticScalingParams};
///
/// // a silent neuron (target 5 Hz): its incoming weights grow, keeping their ratio
/// let p = SynapticScalingParams { target_rate_hz: 5.0, beta_per_s_hz: 0.01, gamma_per_s2_hz: 0.0,
///     update_every_ms: 1.0, ..Default::default() };
/// let mut rule = SynapticScaling::new(p.check().unwrap(), 2, 1);
/// let mut syn = SynapseTable::from_triplets(2, 1, &[(0, 0, 1.0), (1, 0, 2.0)]);
/// for step in 0..1000 {
///     rule.step(&StepContext { step, dt_ms: 1.0 }, &[], &[], 0.0, syn.view());
/// }
/// assert!(syn.weights[0] > 1.0);
/// assert!((syn.weights[1] / syn.weights[0] - 2.0).abs() < 1e-12);
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SynapticScaling {
    params: SynapticScalingParams,
    n_pre: usize,
    sensor_hz: Vec<f64>,
    integral: Vec<f64>,
    dt_ms: f64,
    sensor_decay: f64,
    every_steps: u64,
    since_update: u64,
    last_step: Option<u64>,
}

impl SynapticScaling {
    /// Scaling for a projection of `n_pre` onto `n_post` neurons.
    pub fn new(params: Checked<SynapticScalingParams>, n_pre: usize, n_post: usize) -> Self {
        let params = params.into_inner();
        Self {
            n_pre,
            sensor_hz: vec![params.target_rate_hz; n_post],
            integral: vec![0.0; n_post],
            dt_ms: 0.0,
            sensor_decay: 1.0,
            every_steps: 1,
            since_update: 0,
            last_step: None,
            params,
        }
    }

    /// The rate sensor of each postsynaptic neuron, Hz.
    pub fn sensor_hz(&self) -> &[f64] {
        &self.sensor_hz
    }

    /// Set the rate sensors (e.g. to a measured rate, to skip the sensor's transient).
    pub fn set_sensor_hz(&mut self, rate_hz: f64) {
        self.sensor_hz.fill(rate_hz);
    }

    /// The parameters.
    pub fn params(&self) -> &SynapticScalingParams {
        &self.params
    }
}

impl PlasticityRule for SynapticScaling {
    /// Per postsynaptic neuron, on the synapses onto it: local to the targets.
    fn local_to_target(&self) -> bool {
        true
    }

    fn name(&self) -> &str {
        "synaptic_scaling"
    }

    fn save_state(&self) -> Result<ComponentState, EngramError> {
        let s = ComponentState::new(self.name());
        Ok(s.with_f64("sensor_hz", self.sensor_hz.clone())
            .with_f64("integral", self.integral.clone())
            .with_f64("dt_decay", vec![self.dt_ms, self.sensor_decay])
            .with_u64("every_since", vec![self.every_steps, self.since_update])
            .with_opt_u64("last_step", self.last_step))
    }

    fn load_state(&mut self, state: &ComponentState) -> Result<(), EngramError> {
        let kind = self.name().to_string();
        load_all_or_nothing(self, &kind, state, |r, s| {
            s.read_f64("sensor_hz", &mut r.sensor_hz)?;
            s.read_f64("integral", &mut r.integral)?;
            let (mut f, mut u) = ([0.0; 2], [0u64; 2]);
            s.read_f64("dt_decay", &mut f)?;
            s.read_u64("every_since", &mut u)?;
            [r.dt_ms, r.sensor_decay] = f;
            [r.every_steps, r.since_update] = u;
            r.last_step = s.opt_u64("last_step")?;
            Ok(())
        })
    }

    fn step(&mut self, ctx: &StepContext, _pre: &[u32], post: &[u32], _modulator: f64, syn: SynapsesMut<'_>) {
        check_shape(self.name(), self.n_pre, self.sensor_hz.len(), &syn);
        let p = &self.params;
        if ctx.dt_ms != self.dt_ms {
            self.dt_ms = ctx.dt_ms;
            self.sensor_decay = (-ctx.dt_ms / p.tau_sensor_ms).exp();
            self.every_steps = ((p.update_every_ms / ctx.dt_ms).round() as u64).max(1);
        }
        // steps since the last call (1 in the engine; rules driven directly may skip steps)
        let n = self.last_step.map_or(1, |s| ctx.step.saturating_sub(s));
        self.last_step = Some(ctx.step);
        let jump = 1000.0 / p.tau_sensor_ms; // Hz per spike
        let f = if n == 1 { self.sensor_decay } else { (-(n as f64) * ctx.dt_ms / p.tau_sensor_ms).exp() };
        self.sensor_hz.iter_mut().for_each(|a| *a *= f);
        for &j in post {
            self.sensor_hz[j as usize] += jump;
        }
        self.since_update += n;
        if self.since_update < self.every_steps {
            return;
        }
        let t_s = self.since_update as f64 * ctx.dt_ms / 1000.0;
        self.since_update = 0;
        for j in 0..self.sensor_hz.len() {
            let err = p.target_rate_hz - self.sensor_hz[j];
            self.integral[j] += err * t_s;
            let factor = (t_s * (p.beta_per_s_hz * err + p.gamma_per_s2_hz * self.integral[j])).exp();
            if factor == 1.0 {
                continue;
            }
            for e in syn.col_ptr[j]..syn.col_ptr[j + 1] {
                let k = syn.syn_of_post[e] as usize;
                syn.weights[k] = clip(syn.weights[k] * factor, p.w_min, p.w_max);
            }
        }
    }

    fn reset_traces(&mut self) {
        self.sensor_hz.fill(self.params.target_rate_hz);
        self.integral.fill(0.0);
        self.since_update = 0;
        self.last_step = None;
    }
}
