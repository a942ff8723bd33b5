//! Several rules on one projection, applied one after the other in every step (pair STDP with a
//! reward-gated rule beside it, iSTDP with scaling, ...).

use engram_core::checkpoint::ComponentState;
use engram_core::error::EngramError;
use engram_core::neuron::StepContext;
use engram_core::plasticity::{PlasticityRule, SynapsesMut};

/// Rules that share one projection's weights: in every step each rule, in the order given,
/// sees the step's spikes and the weights as the rules before it left them. The engine attaches
/// one rule per projection; this is that one rule.
///
/// ```
/// use engram_core::{neuron::StepContext, params::Params, plasticity::PlasticityRule};
/// use engram_plasticity::{Combined, ModulatorExcess, PairStdp, PairStdpParams};
/// use engram_plasticity::{RewardModulatedStdp, RewardModulatedStdpParams, SynapseTable};
///
/// let stdp = PairStdp::new(PairStdpParams { w_max: 2.0, ..Default::default() }.check().unwrap(), 1, 1);
/// let reward = RewardModulatedStdp::new(RewardModulatedStdpParams::default().check().unwrap(), 1, 1, 1);
/// // STDP all the time; the three-factor rule only learns from the modulator above 2
/// let mut rule = Combined::new(vec![Box::new(stdp), Box::new(ModulatorExcess::new(reward, 2.0))]).unwrap();
/// assert_eq!(rule.name(), "combined(pair_stdp+reward_modulated_stdp)");
/// let mut syn = SynapseTable::one_to_one(1, 1.0);
/// rule.step(&StepContext { step: 0, dt_ms: 1.0 }, &[0], &[0], 2.0, syn.view());
/// assert!(syn.weights[0] > 1.0); // STDP potentiated the Δt = 0 pair; no reward yet
/// ```
pub struct Combined {
    rules: Vec<Box<dyn PlasticityRule>>,
    name: String,
}

impl Combined {
    /// Rules applied in this order. Refused: no rule, or a rule that scales transmission
    /// (short-term plasticity keeps per-synapse efficacies of its own; attach it alone).
    pub fn new(rules: Vec<Box<dyn PlasticityRule>>) -> Result<Self, EngramError> {
        if rules.is_empty() {
            return Err(EngramError::Other("Combined: give at least one rule".into()));
        }
        if let Some(r) = rules.iter().find(|r| r.scales_transmission()) {
            return Err(EngramError::Other(format!(
                "Combined: rule `{}` scales transmission (short-term plasticity) and must be the projection's only rule",
                r.name()
            )));
        }
        let name = format!("combined({})", rules.iter().map(|r| r.name()).collect::<Vec<_>>().join("+"));
        Ok(Self { rules, name })
    }

    /// The rules, in order.
    pub fn rules(&self) -> &[Box<dyn PlasticityRule>] {
        &self.rules
    }

    /// The rules, mutable (their own parameters and state).
    pub fn rules_mut(&mut self) -> &mut [Box<dyn PlasticityRule>] {
        &mut self.rules
    }
}

/// The key of part `k`'s field `name` in the combined state.
fn key(k: usize, name: &str) -> String {
    format!("{k}.{name}")
}

/// Part `k`'s own state out of the combined one.
fn part_state(state: &ComponentState, k: usize, kind: &str) -> ComponentState {
    let prefix = format!("{k}.");
    let pick = |name: &String| name.strip_prefix(&prefix).map(str::to_string);
    let mut part = ComponentState::new(kind);
    part.f64s = state.f64s.iter().filter_map(|(n, v)| Some((pick(n)?, v.clone()))).collect();
    part.u64s = state.u64s.iter().filter_map(|(n, v)| Some((pick(n)?, v.clone()))).collect();
    part.blobs = state.blobs.iter().filter_map(|(n, v)| Some((pick(n)?, v.clone()))).collect();
    part
}

impl PlasticityRule for Combined {
    /// Local to the targets if every part is.
    fn local_to_target(&self) -> bool {
        self.rules.iter().all(|r| r.local_to_target())
    }

    fn name(&self) -> &str {
        &self.name
    }

    fn step(&mut self, ctx: &StepContext, pre: &[u32], post: &[u32], modulator: f64, syn: SynapsesMut<'_>) {
        let SynapsesMut { row_ptr, post: post_of, weights, col_ptr, syn_of_post, pre_of_post } = syn;
        for rule in &mut self.rules {
            let view =
                SynapsesMut { row_ptr, post: post_of, weights: &mut *weights, col_ptr, syn_of_post, pre_of_post };
            rule.step(ctx, pre, post, modulator, view);
        }
    }

    fn reset_traces(&mut self) {
        self.rules.iter_mut().for_each(|r| r.reset_traces());
    }

    /// Every part's state, its fields prefixed by the part's position (`0.x_pre`, `1.x_pre`).
    fn save_state(&self) -> Result<ComponentState, EngramError> {
        let mut state = ComponentState::new(&self.name);
        for (k, rule) in self.rules.iter().enumerate() {
            let part = rule.save_state()?;
            state.f64s.extend(part.f64s.into_iter().map(|(n, v)| (key(k, &n), v)));
            state.u64s.extend(part.u64s.into_iter().map(|(n, v)| (key(k, &n), v)));
            state.blobs.extend(part.blobs.into_iter().map(|(n, v)| (key(k, &n), v)));
        }
        Ok(state)
    }

    /// All or nothing: if a part refuses its state, the parts already loaded get their
    /// previous state back.
    fn load_state(&mut self, state: &ComponentState) -> Result<(), EngramError> {
        state.check_kind(&self.name)?;
        let before: Vec<ComponentState> = self.rules.iter().map(|r| r.save_state()).collect::<Result<_, _>>()?;
        for k in 0..self.rules.len() {
            let kind = self.rules[k].name().to_string();
            if let Err(e) = self.rules[k].load_state(&part_state(state, k, &kind)) {
                for (rule, old) in self.rules.iter_mut().zip(&before).take(k) {
                    rule.load_state(old)?;
                }
                return Err(e);
            }
        }
        Ok(())
    }
}
