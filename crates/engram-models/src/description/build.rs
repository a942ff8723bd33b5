//! Checking a description against a registry (every name, kind, parameter and reference) and
//! building it into an engine network, with the protocol's switches as thin wrappers.

use std::collections::BTreeMap;

use engram_core::checkpoint::{ComponentState, StateField};
use engram_core::error::{ConfigError, EngramError, ParamError};
use engram_core::neuron::{NeuronModel, Receptor, SpikeSource, StepContext};
use engram_core::params::{Params, finite, non_negative, positive};
use engram_core::plasticity::{PlasticityRule, SynapsesMut};
use engram_core::rng::{component_id, stream};
use engram_core::stimulus::{Stimulus, StimulusTarget};
use engram_core::time::Clock;
use engram_sim::{
    Delay, MonitorId, Network, NetworkBuilder, PlasticityTiming, ProjectionId, RateMonitor, SpikeMonitor, StateMonitor,
    WeightMonitor,
};
use rand::Rng;
use rand_distr::{Distribution as _, StandardNormal};

use super::registry::{ComponentError, ConnectContext, Registry, RuleContext, SourceContext, StimulusContext};
use super::types::{Distribution, MonitorDescription, NetworkDescription, PhaseDescription};

/// Chunk id of the weight draws of a projection (`stream(seed, id, WEIGHT_CHUNK)`), apart from
/// the chunks its connectivity and delays use.
pub const WEIGHT_CHUNK: u64 = 1 << 62;

/// A check that failed: a value out of range (field path from the top of the description),
/// or a component's parameter text that does not parse (`field`: the path of that `params`).
#[derive(Debug)]
pub(crate) enum CheckError {
    Param(ParamError),
    Syntax { field: String, params: String, error: Box<ConfigError> },
    Engine(EngramError),
}

impl From<ParamError> for CheckError {
    fn from(e: ParamError) -> Self {
        Self::Param(e)
    }
}

impl From<CheckError> for EngramError {
    fn from(e: CheckError) -> Self {
        match e {
            CheckError::Param(p) => EngramError::Param(p),
            CheckError::Engine(e) => e,
            CheckError::Syntax { field, error, .. } => match *error {
                ConfigError::Syntax { line, column, field: inner, message, .. } => {
                    EngramError::Config(ConfigError::Syntax {
                        path: format!("{field} (parameters)").into(),
                        line,
                        column,
                        field: inner,
                        message,
                    })
                }
                other => EngramError::Config(other),
            },
        }
    }
}

/// A component error placed at `field` (the path of the component's `params`).
fn place(field: &str, params: &str, e: ComponentError) -> CheckError {
    match e {
        ComponentError::Parse(error) => {
            CheckError::Syntax { field: field.into(), params: params.into(), error: Box::new(error) }
        }
        ComponentError::Param(p) => CheckError::Param(p.within(field)),
        ComponentError::Engine(EngramError::Param(p)) => CheckError::Param(p.within(field)),
        ComponentError::Engine(e) => CheckError::Engine(e),
    }
}

fn unknown_kind(field: String, kind: &str, family: &str, known: Vec<&str>) -> CheckError {
    let known = if known.is_empty() { "none registered".to_string() } else { known.join(", ") };
    CheckError::Param(ParamError::new(field, format!("{kind:?}"), format!("one of the registered {family}: {known}")))
}

fn quoted(s: &str) -> String {
    format!("{s:?}")
}

/// A population or source group as the rest of the description sees it.
pub(crate) struct Node {
    pub(crate) size: usize,
    /// `None` for a source group.
    pub(crate) neurons: Option<NeuronInfo>,
}

pub(crate) struct NeuronInfo {
    pub(crate) kind: String,
    pub(crate) receptors: Vec<Receptor>,
    pub(crate) state_names: Vec<String>,
}

/// What a successful check learnt: sizes, receptors, and the names of stimuli and projections.
pub(crate) struct CheckedInfo {
    pub(crate) nodes: BTreeMap<String, Node>,
    pub(crate) stimulus_names: Vec<String>,
    pub(crate) projection_names: Vec<String>,
    /// Start and end (ms) of each phase.
    pub(crate) phase_times_ms: Vec<(f64, f64)>,
}

fn check_distribution(field: &str, d: &Distribution) -> Result<(), ParamError> {
    match *d {
        Distribution::Constant { value } => finite(&format!("{field}.value"), value),
        Distribution::Uniform { low, high } => {
            finite(&format!("{field}.low"), low)?;
            finite(&format!("{field}.high"), high)?;
            if high < low {
                return Err(ParamError::new(format!("{field}.high"), high, format!("a number >= low = {low}")));
            }
            Ok(())
        }
        Distribution::Normal { mean, sd, times, plus } => {
            finite(&format!("{field}.mean"), mean)?;
            finite(&format!("{field}.sd"), sd)?;
            non_negative(&format!("{field}.sd"), sd)?;
            finite(&format!("{field}.times"), times)?;
            finite(&format!("{field}.plus"), plus)
        }
    }
}

fn draw(d: &Distribution, rng: &mut engram_core::rng::RngStream) -> f64 {
    match *d {
        Distribution::Constant { value } => value,
        // the order of operations of the built-in models (bit-identical results)
        Distribution::Uniform { low, high } => low + rng.r#gen::<f64>() * (high - low),
        Distribution::Normal { mean, sd, times, plus } => {
            let z: f64 = StandardNormal.sample(rng);
            (mean + sd * z) * times + plus
        }
    }
}

/// The default name of projection `k` (the engine's rule: `pre->post`, then
/// `pre->post:receptor`, then `pre->post:receptor#k`).
fn projection_names(d: &NetworkDescription) -> Vec<String> {
    let mut names: Vec<String> = Vec::with_capacity(d.projections.len());
    for (k, p) in d.projections.iter().enumerate() {
        let name = match &p.name {
            Some(n) => n.clone(),
            None => [
                format!("{}->{}", p.pre, p.post),
                format!("{}->{}:{}", p.pre, p.post, p.receptor),
                format!("{}->{}:{}#{k}", p.pre, p.post, p.receptor),
            ]
            .into_iter()
            .find(|n| !names.contains(n) && !d.projections.iter().any(|q| q.name.as_deref() == Some(n)))
            .unwrap_or_else(|| format!("projection{k}")),
        };
        names.push(name);
    }
    names
}

fn stimulus_names(d: &NetworkDescription) -> Vec<String> {
    d.stimuli.iter().enumerate().map(|(k, s)| s.name.clone().unwrap_or_else(|| format!("stimulus{k}"))).collect()
}

/// The clock used while checking (sources and stimuli are made once to learn their size and
/// receptor; nothing depends on the step then).
fn check_clock() -> Clock {
    Clock::new(0.1).expect("0.1 ms is a valid step")
}

impl NetworkDescription {
    /// Check every part against `registry`: names unique and referring to what exists, kinds
    /// registered, parameters parsed and in range, rules able to serve their projection,
    /// monitors on variables the models have, phases in order without overlap.
    pub(crate) fn check_with(&self, registry: &Registry) -> Result<CheckedInfo, CheckError> {
        let mut nodes: BTreeMap<String, Node> = BTreeMap::new();
        if self.populations.is_empty() {
            return Err(ParamError::new("populations", "[]", "at least one population").into());
        }
        let name_taken = |nodes: &BTreeMap<String, Node>, field: String, name: &str| -> Result<(), CheckError> {
            if name.is_empty() {
                return Err(ParamError::new(field, "\"\"", "a name").into());
            }
            if nodes.contains_key(name) {
                return Err(ParamError::new(
                    field,
                    quoted(name),
                    "a name not used by another population or source group",
                )
                .into());
            }
            Ok(())
        };
        for (k, p) in self.populations.iter().enumerate() {
            let at = format!("populations[{k}]");
            name_taken(&nodes, format!("{at}.name"), &p.name)?;
            if p.size == 0 || p.size as u64 > u64::from(u32::MAX) {
                return Err(ParamError::new(format!("{at}.size"), p.size, "between 1 and 2^32 - 1 neurons").into());
            }
            let Some(factory) = registry.neuron(&p.neuron.kind) else {
                return Err(unknown_kind(
                    format!("{at}.neuron.kind"),
                    &p.neuron.kind,
                    "neuron kinds",
                    registry.neuron_kinds(),
                ));
            };
            let params_field = format!("{at}.neuron.params");
            let one = factory(&p.neuron.params, 1).map_err(|e| place(&params_field, p.neuron.params.as_str(), e))?;
            let state_names: Vec<String> = one.state_names().iter().map(|s| s.to_string()).collect();
            for (j, init) in p.initial.iter().enumerate() {
                let f = format!("{at}.initial[{j}]");
                if !state_names.contains(&init.variable) {
                    return Err(ParamError::new(
                        format!("{f}.variable"),
                        quoted(&init.variable),
                        format!("a state variable of `{}` ({}): {}", p.name, p.neuron.kind, state_names.join(", ")),
                    )
                    .into());
                }
                check_distribution(&format!("{f}.value"), &init.value)?;
            }
            let info = NeuronInfo { kind: p.neuron.kind.clone(), receptors: one.receptors().to_vec(), state_names };
            nodes.insert(p.name.clone(), Node { size: p.size, neurons: Some(info) });
        }
        let clock = check_clock();
        for (k, s) in self.sources.iter().enumerate() {
            let at = format!("sources[{k}]");
            name_taken(&nodes, format!("{at}.name"), &s.name)?;
            let Some(factory) = registry.source(&s.source.kind) else {
                return Err(unknown_kind(
                    format!("{at}.source.kind"),
                    &s.source.kind,
                    "source kinds",
                    registry.source_kinds(),
                ));
            };
            let ctx = SourceContext { seed: 0, stream_id: 0, clock };
            let params_field = format!("{at}.source.params");
            let source =
                factory(&s.source.params, &ctx).map_err(|e| place(&params_field, s.source.params.as_str(), e))?;
            if source.is_empty() {
                return Err(ParamError::new(params_field, 0, "a source group of at least one source").into());
            }
            nodes.insert(s.name.clone(), Node { size: source.len(), neurons: None });
        }
        let neuron_pops = |nodes: &BTreeMap<String, Node>| -> String {
            let names: Vec<&str> = self.populations.iter().map(|p| p.name.as_str()).collect();
            let _ = nodes;
            names.join(", ")
        };
        let all_nodes = || -> String {
            let names: Vec<&str> = self
                .populations
                .iter()
                .map(|p| p.name.as_str())
                .chain(self.sources.iter().map(|s| s.name.as_str()))
                .collect();
            names.join(", ")
        };
        let target_of = |nodes: &BTreeMap<String, Node>,
                         field: String,
                         name: &str|
         -> Result<(usize, Vec<Receptor>, String), CheckError> {
            match nodes.get(name) {
                Some(Node { size, neurons: Some(info) }) => Ok((*size, info.receptors.clone(), info.kind.clone())),
                Some(Node { neurons: None, .. }) => Err(ParamError::new(
                    field,
                    quoted(name),
                    format!(
                        "a neuron population (`{name}` is a source group, which receives nothing): {}",
                        neuron_pops(nodes)
                    ),
                )
                .into()),
                None => {
                    Err(ParamError::new(field, quoted(name), format!("one of the populations: {}", neuron_pops(nodes)))
                        .into())
                }
            }
        };
        let receptor_list = |rs: &[Receptor]| rs.iter().map(|r| r.name.as_str()).collect::<Vec<_>>().join(", ");

        let stimulus_names = stimulus_names(self);
        for (k, s) in self.stimuli.iter().enumerate() {
            let at = format!("stimuli[{k}]");
            if stimulus_names[..k].contains(&stimulus_names[k]) {
                return Err(ParamError::new(
                    format!("{at}.name"),
                    quoted(&stimulus_names[k]),
                    "a name not used by another stimulus",
                )
                .into());
            }
            let (n, receptors, kind) = target_of(&nodes, format!("{at}.target"), &s.target)?;
            let Some(factory) = registry.stimulus(&s.stimulus.kind) else {
                return Err(unknown_kind(
                    format!("{at}.stimulus.kind"),
                    &s.stimulus.kind,
                    "stimulus kinds",
                    registry.stimulus_kinds(),
                ));
            };
            let ctx = StimulusContext { n_neurons: n, seed: 0, stream_id: 0, clock };
            let params_field = format!("{at}.stimulus.params");
            let stim =
                factory(&s.stimulus.params, &ctx).map_err(|e| place(&params_field, s.stimulus.params.as_str(), e))?;
            if let Some(r) = stim.receptor() {
                if !receptors.iter().any(|x| x.name == r) {
                    return Err(ParamError::new(
                        format!("{params_field}.receptor"),
                        quoted(r),
                        format!("a receptor of `{}` ({kind}): {}", s.target, receptor_list(&receptors)),
                    )
                    .into());
                }
            }
        }

        let projection_names = projection_names(self);
        for (k, p) in self.projections.iter().enumerate() {
            let at = format!("projections[{k}]");
            if projection_names[..k].contains(&projection_names[k]) {
                return Err(ParamError::new(
                    format!("{at}.name"),
                    quoted(&projection_names[k]),
                    "a name not used by another projection",
                )
                .into());
            }
            let Some(pre) = nodes.get(&p.pre) else {
                return Err(ParamError::new(
                    format!("{at}.pre"),
                    quoted(&p.pre),
                    format!("one of the populations and source groups: {}", all_nodes()),
                )
                .into());
            };
            let n_pre = pre.size;
            let (n_post, receptors, kind) = target_of(&nodes, format!("{at}.post"), &p.post)?;
            let Some(receptor) = receptors.iter().find(|r| r.name == p.receptor) else {
                return Err(ParamError::new(
                    format!("{at}.receptor"),
                    quoted(&p.receptor),
                    format!("a receptor of `{}` ({kind}): {}", p.post, receptor_list(&receptors)),
                )
                .into());
            };
            let Some(factory) = registry.connect(&p.connectivity.kind) else {
                return Err(unknown_kind(
                    format!("{at}.connectivity.kind"),
                    &p.connectivity.kind,
                    "connectivity rules",
                    registry.connectivity_kinds(),
                ));
            };
            let ctx = ConnectContext {
                n_pre,
                n_post,
                same_population: p.pre == p.post,
                autapses: p.autapses,
                multapses: p.multapses,
            };
            let params_field = format!("{at}.connectivity.params");
            let spec = factory(&p.connectivity.params, &ctx)
                .map_err(|e| place(&params_field, p.connectivity.params.as_str(), e))?;
            spec.validate_for(n_pre, n_post, p.pre == p.post).map_err(|e| {
                let field = match e.field.strip_prefix("rule.") {
                    Some(inner) => format!("{params_field}.{inner}"),
                    None if e.field == "n_post" => format!("{at}.post"),
                    None => format!("{at}.{}", e.field),
                };
                ParamError { field, ..e }
            })?;
            check_distribution(&format!("{at}.weight"), &p.weight)?;
            p.delay.validate().map_err(|e| e.within(&format!("{at}.delay")))?;
            if let Some(pl) = &p.plasticity {
                let Some(factory) = registry.rule(&pl.rule.kind) else {
                    return Err(unknown_kind(
                        format!("{at}.plasticity.rule.kind"),
                        &pl.rule.kind,
                        "plasticity rules",
                        registry.rule_kinds(),
                    ));
                };
                non_negative(&format!("{at}.plasticity.axonal_delay_ms"), pl.axonal_delay_ms)?;
                finite(&format!("{at}.plasticity.axonal_delay_ms"), pl.axonal_delay_ms)?;
                non_negative(&format!("{at}.plasticity.dendritic_delay_ms"), pl.dendritic_delay_ms)?;
                finite(&format!("{at}.plasticity.dendritic_delay_ms"), pl.dendritic_delay_ms)?;
                let ctx = RuleContext {
                    n_pre,
                    n_post,
                    n_synapses: None,
                    receptor: receptor.clone(),
                    weight_range: p.weight.range(),
                };
                let params_field = format!("{at}.plasticity.rule.params");
                factory(&pl.rule.params, &ctx).map_err(|e| place(&params_field, pl.rule.params.as_str(), e))?;
            }
        }

        for (k, m) in self.monitors.iter().enumerate() {
            let at = format!("monitors[{k}]");
            let exists = |field: String, name: &str| -> Result<(), CheckError> {
                if nodes.contains_key(name) {
                    Ok(())
                } else {
                    Err(ParamError::new(
                        field,
                        quoted(name),
                        format!("one of the populations and source groups: {}", all_nodes()),
                    )
                    .into())
                }
            };
            match m {
                MonitorDescription::Spikes { populations } => {
                    for (j, name) in populations.iter().enumerate() {
                        exists(format!("{at}.populations[{j}]"), name)?;
                    }
                }
                MonitorDescription::Rates { populations, bin_ms } => {
                    for (j, name) in populations.iter().enumerate() {
                        exists(format!("{at}.populations[{j}]"), name)?;
                    }
                    positive(&format!("{at}.bin_ms"), *bin_ms)?;
                    finite(&format!("{at}.bin_ms"), *bin_ms)?;
                }
                MonitorDescription::State { population, variable, neurons, every_ms } => {
                    let (n, _, kind) = target_of(&nodes, format!("{at}.population"), population)?;
                    let names = &nodes[population].neurons.as_ref().expect("a neuron population").state_names;
                    if !names.contains(variable) {
                        return Err(ParamError::new(
                            format!("{at}.variable"),
                            quoted(variable),
                            format!("a state variable of `{population}` ({kind}): {}", names.join(", ")),
                        )
                        .into());
                    }
                    if let Some(bad) = neurons.iter().find(|&&i| i as usize >= n) {
                        return Err(ParamError::new(
                            format!("{at}.neurons"),
                            bad,
                            format!("neuron indices of `{population}` (0 to {})", n - 1),
                        )
                        .into());
                    }
                    positive(&format!("{at}.every_ms"), *every_ms)?;
                    finite(&format!("{at}.every_ms"), *every_ms)?;
                }
                MonitorDescription::Weights { projection, every_ms } => {
                    if !projection_names.contains(projection) {
                        return Err(ParamError::new(
                            format!("{at}.projection"),
                            quoted(projection),
                            format!("one of the projections: {}", projection_names.join(", ")),
                        )
                        .into());
                    }
                    positive(&format!("{at}.every_ms"), *every_ms)?;
                    finite(&format!("{at}.every_ms"), *every_ms)?;
                }
            }
        }

        let phase_times_ms = self.check_phases(&stimulus_names, &projection_names)?;
        Ok(CheckedInfo { nodes, stimulus_names, projection_names, phase_times_ms })
    }

    fn check_phases(&self, stimuli: &[String], projections: &[String]) -> Result<Vec<(f64, f64)>, CheckError> {
        let switchable: Vec<&str> =
            stimuli.iter().map(String::as_str).chain(self.sources.iter().map(|s| s.name.as_str())).collect();
        let plastic: Vec<&str> = self
            .projections
            .iter()
            .zip(projections)
            .filter(|(p, _)| p.plasticity.is_some())
            .map(|(_, n)| n.as_str())
            .collect();
        let mut times = Vec::with_capacity(self.phases.len());
        let mut end = 0.0;
        for (k, ph) in self.phases.iter().enumerate() {
            let at = format!("phases[{k}]");
            if self.phases[..k].iter().any(|q| q.name == ph.name) {
                return Err(ParamError::new(
                    format!("{at}.name"),
                    quoted(&ph.name),
                    "a name not used by another phase",
                )
                .into());
            }
            positive(&format!("{at}.duration_ms"), ph.duration_ms)?;
            finite(&format!("{at}.duration_ms"), ph.duration_ms)?;
            finite(&format!("{at}.modulator"), ph.modulator)?;
            if let Some(start) = ph.start_ms {
                let previous =
                    if k == 0 { "the start".to_string() } else { format!("the end of `{}`", self.phases[k - 1].name) };
                if start < end {
                    return Err(ParamError::new(
                        format!("{at}.start_ms"),
                        start,
                        format!("{end} ms ({previous}): phases may not overlap"),
                    )
                    .into());
                }
                if start > end || !start.is_finite() {
                    return Err(ParamError::new(
                        format!("{at}.start_ms"),
                        start,
                        format!("{end} ms ({previous}): phases follow each other without gaps"),
                    )
                    .into());
                }
            }
            for (j, name) in ph.stimuli_on.iter().flatten().enumerate() {
                if !switchable.contains(&name.as_str()) {
                    return Err(ParamError::new(
                        format!("{at}.stimuli_on[{j}]"),
                        quoted(name),
                        format!("a stimulus or source group: {}", switchable.join(", ")),
                    )
                    .into());
                }
            }
            for (j, name) in ph.learning.iter().flatten().enumerate() {
                if !plastic.contains(&name.as_str()) {
                    return Err(ParamError::new(
                        format!("{at}.learning[{j}]"),
                        quoted(name),
                        format!("a projection with a plasticity rule: {}", plastic.join(", ")),
                    )
                    .into());
                }
            }
            times.push((end, end + ph.duration_ms));
            end += ph.duration_ms;
        }
        Ok(times)
    }
}

/// Handles to the parts of a description in a builder (see
/// [`NetworkDescription::builder_with`]).
#[derive(Clone, Debug)]
pub struct Handles {
    /// The projections, in the order of the description.
    pub projections: Vec<ProjectionId>,
    /// The monitors, in the order of the description.
    pub monitors: Vec<MonitorId>,
    /// The protocol's phases: name, steps, modulator.
    pub phases: Vec<(String, u64, f64)>,
}

/// A network built from a description, with handles to its parts.
pub struct BuiltNetwork {
    /// The network, ready to run.
    pub network: Network,
    /// The projections, in the order of the description.
    pub projections: Vec<ProjectionId>,
    /// The monitors, in the order of the description.
    pub monitors: Vec<MonitorId>,
    /// The protocol's phases: name, steps, modulator.
    pub phases: Vec<(String, u64, f64)>,
}

impl BuiltNetwork {
    /// Run the protocol: each phase for its duration with its modulator (the stimuli and
    /// rules switch by themselves). Without phases, runs nothing.
    pub fn run_protocol(&mut self) -> Result<(), EngramError> {
        for (_, steps, modulator) in &self.phases {
            self.network.set_modulator(*modulator);
            self.network.run_steps(*steps)?;
        }
        Ok(())
    }
}

/// Steps `[start, end)` in which a switched component is on (the last phase's setting holds
/// after the protocol ends).
type OnSteps = Vec<(u64, u64)>;

fn is_on(on: &OnSteps, step: u64) -> bool {
    on.iter().any(|&(a, b)| step >= a && step < b)
}

/// A stimulus that acts only in some steps.
struct SwitchedStimulus {
    inner: Box<dyn Stimulus>,
    on: OnSteps,
}

impl Stimulus for SwitchedStimulus {
    fn receptor(&self) -> Option<&str> {
        self.inner.receptor()
    }
    fn apply(&mut self, ctx: &StepContext, target: StimulusTarget<'_>) {
        if is_on(&self.on, ctx.step) {
            self.inner.apply(ctx, target);
        }
    }
    fn kind(&self) -> &str {
        self.inner.kind()
    }
    fn save_state(&self) -> Result<ComponentState, EngramError> {
        self.inner.save_state()
    }
    fn load_state(&mut self, state: &ComponentState) -> Result<(), EngramError> {
        self.inner.load_state(state)
    }
    fn as_any_mut(&mut self) -> Option<&mut dyn std::any::Any> {
        self.inner.as_any_mut()
    }
}

/// A spike source that emits only in some steps.
struct SwitchedSource {
    inner: Box<dyn SpikeSource>,
    on: OnSteps,
}

impl SpikeSource for SwitchedSource {
    fn kind(&self) -> &str {
        self.inner.kind()
    }
    fn len(&self) -> usize {
        self.inner.len()
    }
    fn emit(&mut self, ctx: &StepContext, spikes: &mut Vec<u32>) {
        if is_on(&self.on, ctx.step) {
            self.inner.emit(ctx, spikes);
        }
    }
    fn checkpoint_fields(&self) -> Vec<(&'static str, &dyn StateField)> {
        self.inner.checkpoint_fields()
    }
    fn checkpoint_fields_mut(&mut self) -> Vec<(&'static str, &mut dyn StateField)> {
        self.inner.checkpoint_fields_mut()
    }
    fn save_state(&self) -> Result<ComponentState, EngramError> {
        self.inner.save_state()
    }
    fn load_state(&mut self, state: &ComponentState) -> Result<(), EngramError> {
        self.inner.load_state(state)
    }
    fn as_any_mut(&mut self) -> Option<&mut dyn std::any::Any> {
        self.inner.as_any_mut()
    }
}

/// A registered rule behind the engine's `add_plasticity`, learning only in some steps
/// (`None`: always).
struct DescribedRule {
    inner: Box<dyn PlasticityRule>,
    learning: Option<OnSteps>,
}

impl PlasticityRule for DescribedRule {
    fn name(&self) -> &str {
        self.inner.name()
    }
    fn step(
        &mut self,
        ctx: &StepContext,
        pre_spikes: &[u32],
        post_spikes: &[u32],
        modulator: f64,
        syn: SynapsesMut<'_>,
    ) {
        if self.learning.as_ref().is_none_or(|on| is_on(on, ctx.step)) {
            self.inner.step(ctx, pre_spikes, post_spikes, modulator, syn);
        }
    }
    fn reset_traces(&mut self) {
        self.inner.reset_traces();
    }
    fn scales_transmission(&self) -> bool {
        self.inner.scales_transmission()
    }
    fn before_delivery(&mut self, ctx: &StepContext, pre_spikes: &[u32], row_ptr: &[usize], efficacy: &mut [f64]) {
        self.inner.before_delivery(ctx, pre_spikes, row_ptr, efficacy);
    }
    fn checkpoint_fields(&self) -> Vec<(&'static str, &dyn StateField)> {
        self.inner.checkpoint_fields()
    }
    fn checkpoint_fields_mut(&mut self) -> Vec<(&'static str, &mut dyn StateField)> {
        self.inner.checkpoint_fields_mut()
    }
    fn save_state(&self) -> Result<ComponentState, EngramError> {
        self.inner.save_state()
    }
    fn load_state(&mut self, state: &ComponentState) -> Result<(), EngramError> {
        self.inner.load_state(state)
    }
}

/// The steps in which `name` is on, given each phase's list (`None` in a phase: on); `None`
/// if it is on throughout (no wrapper needed).
fn on_steps(
    phases: &[PhaseDescription],
    steps: &[(u64, u64)],
    list: impl Fn(&PhaseDescription) -> Option<&Vec<String>>,
    name: &str,
) -> Option<OnSteps> {
    let on = |ph: &PhaseDescription| list(ph).is_none_or(|names| names.iter().any(|n| n == name));
    if phases.iter().all(on) {
        return None;
    }
    let last = phases.len() - 1;
    Some(
        phases
            .iter()
            .zip(steps)
            .enumerate()
            .filter(|(_, (ph, _))| on(ph))
            .map(|(k, (_, &(a, b)))| (a, if k == last { u64::MAX } else { b }))
            .collect(),
    )
}

impl NetworkDescription {
    /// Check the description against `registry` and build it with step `dt_ms` and experiment
    /// seed `seed`: the builder with everything added (add monitors or options of your own,
    /// then build), and the handles of its parts.
    pub fn builder_with(
        &self,
        registry: &Registry,
        dt_ms: f64,
        seed: u64,
    ) -> Result<(NetworkBuilder, Handles), EngramError> {
        let info = self.check_with(registry)?;
        let mut b = NetworkBuilder::new(dt_ms, seed)?;
        let clock = b.clock();

        // phases in steps
        let mut phase_steps = Vec::with_capacity(self.phases.len());
        let mut phases = Vec::with_capacity(self.phases.len());
        let mut start = 0u64;
        for (k, (ph, &(_, _))) in self.phases.iter().zip(&info.phase_times_ms).enumerate() {
            let exact = ph.duration_ms / dt_ms;
            let steps = exact.round();
            if steps < 1.0 || (exact - steps).abs() > 1e-6 * steps.max(1.0) {
                return Err(ParamError::new(
                    format!("phases[{k}].duration_ms"),
                    ph.duration_ms,
                    format!("a whole number of steps of dt = {dt_ms} ms (at least one)"),
                )
                .into());
            }
            let steps = steps as u64;
            phase_steps.push((start, start + steps));
            phases.push((ph.name.clone(), steps, ph.modulator));
            start += steps;
        }
        let switch = |list: fn(&PhaseDescription) -> Option<&Vec<String>>, name: &str| {
            if self.phases.is_empty() { None } else { on_steps(&self.phases, &phase_steps, list, name) }
        };

        for (k, p) in self.populations.iter().enumerate() {
            let factory = registry.neuron(&p.neuron.kind).expect("checked");
            let field = format!("populations[{k}].neuron.params");
            let mut model = factory(&p.neuron.params, p.size)
                .map_err(|e| EngramError::from(place(&field, p.neuron.params.as_str(), e)))?;
            if !p.initial.is_empty() {
                let name = p.stream.clone().unwrap_or_else(|| format!("init:{}", p.name));
                let mut rng = stream(seed, component_id(&name), 0);
                for init in &p.initial {
                    let values: Vec<f64> = (0..p.size).map(|_| draw(&init.value, &mut rng)).collect();
                    if model.state(&init.variable).is_none() {
                        return Err(EngramError::unknown("state variable", &init.variable, model_state_names(&*model)));
                    }
                    model.state_mut(&init.variable).expect("checked above").copy_from_slice(&values);
                }
            }
            b.add_population_boxed(&p.name, model)?;
        }

        for (k, s) in self.sources.iter().enumerate() {
            let factory = registry.source(&s.source.kind).expect("checked");
            let name = s.stream.clone().unwrap_or_else(|| format!("source:{}", s.name));
            let ctx = SourceContext { seed, stream_id: component_id(&name), clock };
            let field = format!("sources[{k}].source.params");
            let source = factory(&s.source.params, &ctx)
                .map_err(|e| EngramError::from(place(&field, s.source.params.as_str(), e)))?;
            match switch(|ph| ph.stimuli_on.as_ref(), &s.name) {
                Some(on) => b.add_source_boxed(&s.name, Box::new(SwitchedSource { inner: source, on }))?,
                None => b.add_source_boxed(&s.name, source)?,
            };
        }

        let mut projections = Vec::with_capacity(self.projections.len());
        for (k, p) in self.projections.iter().enumerate() {
            let name = &info.projection_names[k];
            let n_pre = info.nodes[&p.pre].size;
            let post = &info.nodes[&p.post];
            let n_post = post.size;
            let same = p.pre == p.post;
            let ctx =
                ConnectContext { n_pre, n_post, same_population: same, autapses: p.autapses, multapses: p.multapses };
            let factory = registry.connect(&p.connectivity.kind).expect("checked");
            let field = format!("projections[{k}].connectivity.params");
            let spec = factory(&p.connectivity.params, &ctx)
                .map_err(|e| EngramError::from(place(&field, p.connectivity.params.as_str(), e)))?;
            let id = component_id(&p.stream.clone().unwrap_or_else(|| format!("projection:{name}")));
            let pattern = spec
                .connect_populations(n_pre, n_post, same, seed, id)
                .map_err(|e| e.within(&format!("projections[{k}].connectivity")))?;
            let weights = match p.weight {
                Distribution::Constant { value } => pattern.weights(value),
                ref d => {
                    let mut w = pattern.weights(1.0);
                    let mut rng = stream(seed, id, WEIGHT_CHUNK);
                    for x in w.data_mut() {
                        *x *= draw(d, &mut rng);
                    }
                    w
                }
            };
            let nnz = weights.nnz();
            let delay = match p.delay {
                engram_connectivity::DelayDistribution::Constant { ms } => Delay::Ms(ms),
                ref d => Delay::PerSynapse(d.sample_steps(nnz, &clock, seed, id)),
            };
            let pid = b.connect(&p.pre, &p.post, &p.receptor, weights, delay)?;
            b.name_projection(pid, name)?;
            if let Some(pl) = &p.plasticity {
                let receptor = post
                    .neurons
                    .as_ref()
                    .and_then(|n| n.receptors.iter().find(|r| r.name == p.receptor))
                    .cloned()
                    .expect("checked");
                let ctx =
                    RuleContext { n_pre, n_post, n_synapses: Some(nnz), receptor, weight_range: p.weight.range() };
                let factory = registry.rule(&pl.rule.kind).expect("checked");
                let field = format!("projections[{k}].plasticity.rule.params");
                let inner = factory(&pl.rule.params, &ctx)
                    .map_err(|e| EngramError::from(place(&field, pl.rule.params.as_str(), e)))?;
                let rule = DescribedRule { inner, learning: switch(|ph| ph.learning.as_ref(), name) };
                let timing =
                    PlasticityTiming { axonal_delay_ms: pl.axonal_delay_ms, dendritic_delay_ms: pl.dendritic_delay_ms };
                if timing == PlasticityTiming::default() {
                    b.add_plasticity(pid, rule);
                } else {
                    b.add_plasticity_with_timing(pid, rule, timing)?;
                }
            }
            projections.push(pid);
        }

        for (k, s) in self.stimuli.iter().enumerate() {
            let name = &info.stimulus_names[k];
            let factory = registry.stimulus(&s.stimulus.kind).expect("checked");
            let stream_name = s.stream.clone().unwrap_or_else(|| format!("stimulus:{name}"));
            let ctx = StimulusContext {
                n_neurons: info.nodes[&s.target].size,
                seed,
                stream_id: component_id(&stream_name),
                clock,
            };
            let field = format!("stimuli[{k}].stimulus.params");
            let stim = factory(&s.stimulus.params, &ctx)
                .map_err(|e| EngramError::from(place(&field, s.stimulus.params.as_str(), e)))?;
            match switch(|ph| ph.stimuli_on.as_ref(), name) {
                Some(on) => b.add_stimulus_boxed(&s.target, Box::new(SwitchedStimulus { inner: stim, on }))?,
                None => b.add_stimulus_boxed(&s.target, stim)?,
            }
        }

        let every = |ms: f64| ((ms / dt_ms).round() as u64).max(1);
        let mut monitors = Vec::with_capacity(self.monitors.len());
        for m in &self.monitors {
            let id = match m {
                MonitorDescription::Spikes { populations } => {
                    let names: Vec<&str> = populations.iter().map(String::as_str).collect();
                    b.add_monitor(SpikeMonitor::new(&names))
                }
                MonitorDescription::Rates { populations, bin_ms } => {
                    let names: Vec<&str> = populations.iter().map(String::as_str).collect();
                    b.add_monitor(RateMonitor::new(&names, *bin_ms))
                }
                MonitorDescription::State { population, variable, neurons, every_ms } => {
                    b.add_monitor(StateMonitor::new(population, variable, neurons, every(*every_ms)))
                }
                MonitorDescription::Weights { projection, every_ms } => {
                    b.add_monitor(WeightMonitor::new(projection.as_str(), every(*every_ms), None))
                }
            };
            monitors.push(id);
        }
        Ok((b, Handles { projections, monitors, phases }))
    }

    /// Check and build with `registry` (see [`builder_with`](Self::builder_with)).
    pub fn build_with(&self, registry: &Registry, dt_ms: f64, seed: u64) -> Result<BuiltNetwork, EngramError> {
        let (b, Handles { projections, monitors, phases }) = self.builder_with(registry, dt_ms, seed)?;
        Ok(BuiltNetwork { network: b.build()?, projections, monitors, phases })
    }

    /// Check and build with the library's kinds ([`Registry::default`]).
    pub fn build(&self, dt_ms: f64, seed: u64) -> Result<Network, EngramError> {
        Ok(self.build_with(&Registry::default(), dt_ms, seed)?.network)
    }
}

fn model_state_names(model: &dyn NeuronModel) -> Vec<&str> {
    model.state_names().to_vec()
}
