//! The divergence guard: NaN potentials and runaway rates end a run (step 6 of the loop);
//! [`DivergenceGuard`], [`RunawayAction`] and the per-population rate ceilings.

use engram_core::error::EngramError;

use super::{Body, Network};

/// When the engine declares a run diverged: a membrane potential that is NaN or infinite
/// (always an error), or a population whose mean rate over the last check window exceeds its
/// ceiling (runaway activity, an error or a warning: [`on_runaway`](Self::on_runaway)).
///
/// The ceiling of a population is `max_rate_hz` if it is set, else derived from the model's
/// refractory period ([`NeuronModel::refractory_ms`]): `min(500 Hz, 0.5 / t_ref)`, half the
/// highest rate the period allows (500 Hz for models without one). A network pinned at the
/// refractory limit therefore stops instead of reporting success.
///
/// [`NeuronModel::refractory_ms`]: engram_core::neuron::NeuronModel::refractory_ms
///
/// ```
/// use engram_sim::network::{DivergenceGuard, RunawayAction};
/// let guard = DivergenceGuard::default();
/// assert_eq!(guard.rate_ceiling_hz(Some(5.0)), 100.0);   // 0.5 / 5 ms
/// assert_eq!(guard.rate_ceiling_hz(Some(0.5)), 500.0);   // capped
/// assert_eq!(guard.rate_ceiling_hz(None), 500.0);
/// let fixed = DivergenceGuard { max_rate_hz: Some(1000.0), on_runaway: RunawayAction::Warn, ..guard };
/// assert_eq!(fixed.rate_ceiling_hz(Some(5.0)), 1000.0);
/// ```
///
/// In RON (`run.divergence` of an experiment), `max_rate_hz: 1000.0` sets a fixed ceiling:
/// `(check_every_ms: 10.0, max_rate_hz: 1000.0, on_runaway: Warn)`.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DivergenceGuard {
    /// Check every this many ms of simulated time.
    pub check_every_ms: f64,
    /// One fixed ceiling for every population, Hz: a population whose mean rate over the last
    /// check window exceeds it is a runaway. `None` (default): per population,
    /// `min(500, 0.5 / t_ref)` Hz (see [`rate_ceiling_hz`](Self::rate_ceiling_hz)).
    pub max_rate_hz: Option<f64>,
    /// What a runaway population does to the run. Default [`RunawayAction::Stop`].
    pub on_runaway: RunawayAction,
}

impl Default for DivergenceGuard {
    fn default() -> Self {
        Self { check_every_ms: 10.0, max_rate_hz: None, on_runaway: RunawayAction::Stop }
    }
}

/// The ceiling of models without a refractory period, and the cap of derived ceilings, Hz.
const DEFAULT_MAX_RATE_HZ: f64 = 500.0;

impl DivergenceGuard {
    /// The rate ceiling, Hz, of a population whose model has the refractory period
    /// `refractory_ms` ([`NeuronModel::refractory_ms`]): `max_rate_hz` if set, else
    /// `min(500, 0.5 / t_ref)` (500 without a refractory period).
    ///
    /// [`NeuronModel::refractory_ms`]: engram_core::neuron::NeuronModel::refractory_ms
    pub fn rate_ceiling_hz(&self, refractory_ms: Option<f64>) -> f64 {
        self.ceiling(refractory_ms).hz()
    }

    pub(crate) fn ceiling(&self, refractory_ms: Option<f64>) -> RateCeiling {
        match (self.max_rate_hz, refractory_ms) {
            (Some(hz), _) => RateCeiling::Fixed(hz),
            (None, Some(t_ref_ms)) if t_ref_ms > 0.0 && 500.0 / t_ref_ms < DEFAULT_MAX_RATE_HZ => {
                RateCeiling::Refractory { hz: 500.0 / t_ref_ms, t_ref_ms }
            }
            (None, t_ref_ms) => RateCeiling::Default { t_ref_ms },
        }
    }
}

/// What the divergence guard does when a population's rate exceeds its ceiling.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum RunawayAction {
    /// Stop the run with [`EngramError::Diverged`] (default).
    #[default]
    Stop,
    /// Print one line to stderr the first time each population exceeds its ceiling and go on.
    Warn,
}

/// The rate ceiling of one population and where it comes from.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum RateCeiling {
    /// `max_rate_hz` of the guard.
    Fixed(f64),
    /// `0.5 / t_ref`.
    Refractory { hz: f64, t_ref_ms: f64 },
    /// 500 Hz: no refractory period, or one so short that `0.5 / t_ref` is higher.
    Default { t_ref_ms: Option<f64> },
}

impl RateCeiling {
    fn hz(self) -> f64 {
        match self {
            RateCeiling::Fixed(hz) | RateCeiling::Refractory { hz, .. } => hz,
            RateCeiling::Default { .. } => DEFAULT_MAX_RATE_HZ,
        }
    }

    /// "the ceiling of 100 Hz = 0.5 / t_ref (5 ms); set ... to change it", for messages.
    fn describe(self, kind: &str) -> String {
        const HOW: &str = "set run.divergence.max_rate_hz to change it";
        match self {
            RateCeiling::Fixed(hz) => format!("max_rate_hz = {hz} Hz (run.divergence.max_rate_hz)"),
            RateCeiling::Refractory { hz, t_ref_ms } => format!(
                "the ceiling of {hz} Hz = 0.5 / t_ref ({t_ref_ms} ms), half the highest rate the refractory period of `{kind}` allows; {HOW}"
            ),
            RateCeiling::Default { t_ref_ms: None } => {
                format!("the default ceiling of {DEFAULT_MAX_RATE_HZ} Hz (`{kind}` has no refractory period); {HOW}")
            }
            RateCeiling::Default { t_ref_ms: Some(t) } => format!(
                "the default ceiling of {DEFAULT_MAX_RATE_HZ} Hz (0.5 / t_ref ({t} ms) of `{kind}` is higher); {HOW}"
            ),
        }
    }
}

impl Network {
    /// The guard's check at the end of a window of `check_every` steps: NaN or infinite
    /// potentials, then each population's mean rate over the window against its ceiling.
    pub(crate) fn check_divergence(&mut self) -> Result<(), EngramError> {
        let window_s = self.clock.time_ms(self.check_every) / 1000.0;
        let time_ms = self.time_ms();
        for (k, p) in self.populations.iter().enumerate() {
            let rate = self.window_counts[k] as f64 / p.len as f64 / window_s;
            self.window_counts[k] = 0;
            let Body::Neurons { model, .. } = &p.body else { continue };
            if let Some(v) = model.state(model.potential_name()) {
                if let Some(i) = v.iter().position(|x| !x.is_finite()) {
                    return Err(EngramError::Diverged {
                        population: p.name.clone(),
                        neuron: i,
                        time_ms,
                        reason: format!("{} = {}", model.potential_name(), v[i]),
                    });
                }
            }
            let ceiling = self.ceilings[k];
            if rate > ceiling.hz() {
                let what = format!(
                    "runaway activity: mean rate {rate:.0} Hz over the last {:.1} ms exceeds {}",
                    window_s * 1000.0,
                    ceiling.describe(model.kind())
                );
                match self.guard.on_runaway {
                    RunawayAction::Stop => {
                        let counts = &self.neuron_counts[k];
                        let busiest = counts.iter().enumerate().max_by_key(|(_, c)| **c).map_or(0, |(i, _)| i);
                        return Err(EngramError::Diverged {
                            population: p.name.clone(),
                            neuron: busiest,
                            time_ms,
                            reason: format!("{what} (neuron given: the most active so far)"),
                        });
                    }
                    RunawayAction::Warn if !self.warned[k] => {
                        self.warned[k] = true;
                        eprintln!(
                            "warning: population `{}` at t = {time_ms:.1} ms: {what}; going on (on_runaway: Warn, reported once)",
                            p.name
                        );
                    }
                    RunawayAction::Warn => {}
                }
            }
        }
        Ok(())
    }
}
