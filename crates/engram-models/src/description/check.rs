//! Checking a description against a registry: every name, kind, parameter and reference, one
//! function per part (populations, sources, stimuli, projections and their rules, monitors,
//! phases), called in that order from `NetworkDescription::check_with`, so the first error
//! reported is the first in the description.

use std::collections::BTreeMap;
use std::path::PathBuf;

use engram_core::error::{ConfigError, EngramError, ParamError};
use engram_core::neuron::Receptor;
use engram_core::params::{Params, finite, non_negative, positive};
use engram_core::time::Clock;

use super::registry::{
    ComponentError, ConnectContext, MonitorContext, Registry, RuleContext, SourceContext, StimulusContext,
};
use super::types::{
    Distribution, MonitorDescription, NetworkDescription, PlasticityDescription, ProjectionDescription, WeightChange,
};

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
pub(crate) fn place(field: &str, params: &str, e: ComponentError) -> CheckError {
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

fn receptor_list(rs: &[Receptor]) -> String {
    rs.iter().map(|r| r.name.as_str()).collect::<Vec<_>>().join(", ")
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

/// The populations and source groups checked so far, by name.
type Nodes = BTreeMap<String, Node>;

/// What a successful check learnt: sizes, receptors, and the names of stimuli and projections.
pub(crate) struct CheckedInfo {
    pub(crate) nodes: Nodes,
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
/// receptor, with `checking` set: nothing may depend on the step then).
fn check_clock() -> Clock {
    Clock::new(0.1).expect("0.1 ms is a valid step")
}

/// `name` is a new population or source group name.
fn name_free(nodes: &Nodes, field: String, name: &str) -> Result<(), CheckError> {
    if name.is_empty() {
        return Err(ParamError::new(field, "\"\"", "a name").into());
    }
    if nodes.contains_key(name) {
        return Err(
            ParamError::new(field, quoted(name), "a name not used by another population or source group").into()
        );
    }
    Ok(())
}

impl NetworkDescription {
    /// The name of each projection, in order: its `name`, or the default one (`pre->post`,
    /// then `pre->post:receptor` when that is taken), as monitors, phases and sweep keys
    /// (`projections.E->I.weight`) name it.
    ///
    /// ```
    /// use engram_models::description::NetworkDescription;
    /// let d = NetworkDescription::from_ron_str(r#"(
    ///     populations: [(name: "E", size: 10, neuron: (kind: "LifCond"))],
    ///     projections: [
    ///         (pre: "E", post: "E", receptor: "exc", connectivity: (kind: "AllToAll"), weight: Constant(value: 1.0)),
    ///         (pre: "E", post: "E", receptor: "inh", connectivity: (kind: "AllToAll"), weight: Constant(value: 1.0)),
    ///         (name: "mine", pre: "E", post: "E", receptor: "exc", connectivity: (kind: "AllToAll"), weight: Constant(value: 1.0)),
    ///     ],
    /// )"#, "<inline>").unwrap();
    /// assert_eq!(d.projection_names(), ["E->E", "E->E:inh", "mine"]);
    /// ```
    pub fn projection_names(&self) -> Vec<String> {
        projection_names(self)
    }

    /// The name of each stimulus, in order: its `name`, or `stimulus<k>`.
    pub fn stimulus_names(&self) -> Vec<String> {
        stimulus_names(self)
    }

    /// Check every part against `registry`: names unique and referring to what exists, kinds
    /// registered, parameters parsed and in range, rules able to serve their projection,
    /// monitors on variables the models have, phases in order without overlap.
    pub(crate) fn check_with(&self, registry: &Registry) -> Result<CheckedInfo, CheckError> {
        if self.populations.is_empty() {
            return Err(ParamError::new("populations", "[]", "at least one population").into());
        }
        let mut nodes = Nodes::new();
        self.check_populations(registry, &mut nodes)?;
        self.check_sources(registry, &mut nodes)?;
        let stimulus_names = stimulus_names(self);
        self.check_stimuli(registry, &nodes, &stimulus_names)?;
        let projection_names = projection_names(self);
        self.check_projections(registry, &nodes, &projection_names)?;
        self.check_monitors(registry, &nodes, &projection_names)?;
        let phase_times_ms = self.check_phases(&stimulus_names, &projection_names)?;
        self.check_weight_changes(&nodes, &projection_names)?;
        Ok(CheckedInfo { nodes, stimulus_names, projection_names, phase_times_ms })
    }

    /// The names of the neuron populations, for messages.
    fn neuron_populations(&self) -> String {
        let names: Vec<&str> = self.populations.iter().map(|p| p.name.as_str()).collect();
        names.join(", ")
    }

    /// The names of the populations and source groups, for messages.
    fn all_nodes(&self) -> String {
        let names: Vec<&str> = self
            .populations
            .iter()
            .map(|p| p.name.as_str())
            .chain(self.sources.iter().map(|s| s.name.as_str()))
            .collect();
        names.join(", ")
    }

    /// `name` as a target (a neuron population): its size, receptors and kind.
    fn target_of(
        &self,
        nodes: &Nodes,
        field: String,
        name: &str,
    ) -> Result<(usize, Vec<Receptor>, String), CheckError> {
        match nodes.get(name) {
            Some(Node { size, neurons: Some(info) }) => Ok((*size, info.receptors.clone(), info.kind.clone())),
            Some(Node { neurons: None, .. }) => Err(ParamError::new(
                field,
                quoted(name),
                format!(
                    "a neuron population (`{name}` is a source group, which receives nothing): {}",
                    self.neuron_populations()
                ),
            )
            .into()),
            None => Err(ParamError::new(
                field,
                quoted(name),
                format!("one of the populations: {}", self.neuron_populations()),
            )
            .into()),
        }
    }

    /// `name` is a population or source group.
    fn node_exists(&self, nodes: &Nodes, field: String, name: &str) -> Result<(), CheckError> {
        if nodes.contains_key(name) {
            Ok(())
        } else {
            Err(ParamError::new(
                field,
                quoted(name),
                format!("one of the populations and source groups: {}", self.all_nodes()),
            )
            .into())
        }
    }

    /// Names, sizes, neuron kinds and parameters, initial values; each population goes into
    /// `nodes`.
    fn check_populations(&self, registry: &Registry, nodes: &mut Nodes) -> Result<(), CheckError> {
        for (k, p) in self.populations.iter().enumerate() {
            let at = format!("populations[{k}]");
            name_free(nodes, format!("{at}.name"), &p.name)?;
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
        Ok(())
    }

    /// Names, source kinds and parameters (each group made once to learn its size); each
    /// group goes into `nodes`.
    fn check_sources(&self, registry: &Registry, nodes: &mut Nodes) -> Result<(), CheckError> {
        let clock = check_clock();
        for (k, s) in self.sources.iter().enumerate() {
            let at = format!("sources[{k}]");
            name_free(nodes, format!("{at}.name"), &s.name)?;
            let Some(factory) = registry.source(&s.source.kind) else {
                return Err(unknown_kind(
                    format!("{at}.source.kind"),
                    &s.source.kind,
                    "source kinds",
                    registry.source_kinds(),
                ));
            };
            let ctx = SourceContext { seed: 0, stream_id: 0, clock, checking: true, base_dir: self.base_dir() };
            let params_field = format!("{at}.source.params");
            let source =
                factory(&s.source.params, &ctx).map_err(|e| place(&params_field, s.source.params.as_str(), e))?;
            if source.is_empty() {
                return Err(ParamError::new(params_field, 0, "a source group of at least one source").into());
            }
            nodes.insert(s.name.clone(), Node { size: source.len(), neurons: None });
        }
        Ok(())
    }

    /// Names (`names`: given or default), targets, stimulus kinds and parameters, and the
    /// receptor each stimulus drives.
    fn check_stimuli(&self, registry: &Registry, nodes: &Nodes, names: &[String]) -> Result<(), CheckError> {
        let clock = check_clock();
        for (k, s) in self.stimuli.iter().enumerate() {
            let at = format!("stimuli[{k}]");
            if names[..k].contains(&names[k]) {
                return Err(ParamError::new(
                    format!("{at}.name"),
                    quoted(&names[k]),
                    "a name not used by another stimulus",
                )
                .into());
            }
            let (n, receptors, kind) = self.target_of(nodes, format!("{at}.target"), &s.target)?;
            let Some(factory) = registry.stimulus(&s.stimulus.kind) else {
                return Err(unknown_kind(
                    format!("{at}.stimulus.kind"),
                    &s.stimulus.kind,
                    "stimulus kinds",
                    registry.stimulus_kinds(),
                ));
            };
            let ctx = StimulusContext {
                n_neurons: n,
                seed: 0,
                stream_id: 0,
                clock,
                checking: true,
                base_dir: self.base_dir(),
            };
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
        Ok(())
    }

    /// Each projection's name (`names`: given or default) unique, then the projection itself.
    fn check_projections(&self, registry: &Registry, nodes: &Nodes, names: &[String]) -> Result<(), CheckError> {
        for (k, p) in self.projections.iter().enumerate() {
            let at = format!("projections[{k}]");
            if names[..k].contains(&names[k]) {
                return Err(ParamError::new(
                    format!("{at}.name"),
                    quoted(&names[k]),
                    "a name not used by another projection",
                )
                .into());
            }
            self.check_projection(registry, nodes, &at, p)?;
        }
        Ok(())
    }

    /// One projection at `at`: its ends and receptor, connectivity, weights, delays and rule.
    fn check_projection(
        &self,
        registry: &Registry,
        nodes: &Nodes,
        at: &str,
        p: &ProjectionDescription,
    ) -> Result<(), CheckError> {
        let Some(pre) = nodes.get(&p.pre) else {
            return Err(ParamError::new(
                format!("{at}.pre"),
                quoted(&p.pre),
                format!("one of the populations and source groups: {}", self.all_nodes()),
            )
            .into());
        };
        let n_pre = pre.size;
        let (n_post, receptors, kind) = self.target_of(nodes, format!("{at}.post"), &p.post)?;
        let Some(receptor) = receptors.iter().find(|r| r.name == p.receptor) else {
            return Err(ParamError::new(
                format!("{at}.receptor"),
                quoted(&p.receptor),
                format!("a receptor of `{}` ({kind}): {}", p.post, receptor_list(&receptors)),
            )
            .into());
        };
        check_connectivity(registry, at, p, n_pre, n_post)?;
        if let Some(w) = &p.weight {
            check_distribution(&format!("{at}.weight"), w)?;
        }
        p.delay.validate().map_err(|e| e.within(&format!("{at}.delay")))?;
        if let Some(pl) = &p.plasticity {
            let ctx = RuleContext {
                n_pre,
                n_post,
                n_synapses: None,
                receptor: receptor.clone(),
                weight_range: p.weight.as_ref().map(Distribution::range),
            };
            check_rule(registry, at, pl, ctx)?;
        }
        Ok(())
    }

    /// Each monitor: on populations, variables, neurons and projections that exist, sampling
    /// at positive intervals; a `Custom` one of a registered kind, with parameters it takes.
    fn check_monitors(
        &self,
        registry: &Registry,
        nodes: &Nodes,
        projection_names: &[String],
    ) -> Result<(), CheckError> {
        for (k, m) in self.monitors.iter().enumerate() {
            let at = format!("monitors[{k}]");
            match m {
                MonitorDescription::Spikes { populations } => {
                    for (j, name) in populations.iter().enumerate() {
                        self.node_exists(nodes, format!("{at}.populations[{j}]"), name)?;
                    }
                }
                MonitorDescription::Rates { populations, bin_ms } => {
                    for (j, name) in populations.iter().enumerate() {
                        self.node_exists(nodes, format!("{at}.populations[{j}]"), name)?;
                    }
                    positive(&format!("{at}.bin_ms"), *bin_ms)?;
                    finite(&format!("{at}.bin_ms"), *bin_ms)?;
                }
                MonitorDescription::State { population, variable, neurons, every_ms } => {
                    self.check_state_monitor(nodes, &at, population, variable, neurons)?;
                    positive(&format!("{at}.every_ms"), *every_ms)?;
                    finite(&format!("{at}.every_ms"), *every_ms)?;
                }
                MonitorDescription::Weights { projection, every_ms } => {
                    if !projection_names.iter().any(|n| n == projection) {
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
                MonitorDescription::Custom { kind, params } => {
                    let Some(factory) = registry.monitor(kind) else {
                        let e = unknown_kind(format!("{at}.kind"), kind, "monitor kinds", registry.monitor_kinds());
                        return Err(match e {
                            CheckError::Param(p) => CheckError::Param(ParamError {
                                allowed: format!(
                                    "{} (the built-in Spikes, Rates, State and Weights are written without \
                                     Custom: `Spikes(populations: [...])`)",
                                    p.allowed
                                ),
                                ..p
                            }),
                            other => other,
                        });
                    };
                    let ctx = self.monitor_context(nodes, projection_names, check_clock(), true, None);
                    factory(params, &ctx).map_err(|e| place(&format!("{at}.params"), params.as_str(), e))?;
                }
            }
        }
        Ok(())
    }

    /// The context a monitor is made in: the populations and source groups (sizes from
    /// `nodes`), the projections, and the run directory if any.
    pub(crate) fn monitor_context(
        &self,
        nodes: &Nodes,
        projection_names: &[String],
        clock: Clock,
        checking: bool,
        out_dir: Option<PathBuf>,
    ) -> MonitorContext {
        let names = self.populations.iter().map(|p| &p.name).chain(self.sources.iter().map(|s| &s.name));
        MonitorContext {
            clock,
            checking,
            populations: names.filter_map(|n| nodes.get(n).map(|node| (n.clone(), node.size))).collect(),
            projections: projection_names.to_vec(),
            out_dir,
        }
    }

    /// The folder relative paths are resolved against: `base_dir`, or the current directory.
    pub(crate) fn base_dir(&self) -> PathBuf {
        self.base_dir.clone().unwrap_or_default()
    }

    /// A state monitor at `at`: a neuron population, one of its state variables, and neuron
    /// indices within it.
    fn check_state_monitor(
        &self,
        nodes: &Nodes,
        at: &str,
        population: &str,
        variable: &str,
        neurons: &[u32],
    ) -> Result<(), CheckError> {
        let (n, _, kind) = self.target_of(nodes, format!("{at}.population"), population)?;
        let names = &nodes[population].neurons.as_ref().expect("a neuron population").state_names;
        if !names.iter().any(|s| s == variable) {
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
        Ok(())
    }

    /// Phase names unique, durations positive, starts where the previous phase ends, and
    /// `stimuli_on` and `learning` naming what they can switch; the start and end (ms) of each.
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
            if ph.checkpoint {
                folder_name(&format!("{at}.name"), &ph.name)?;
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

/// `name` can be a folder's name (a phase saving a checkpoint into `checkpoints/<name>/`).
fn folder_name(field: &str, name: &str) -> Result<(), ParamError> {
    let bad = name.is_empty()
        || name == "."
        || name == ".."
        || name.chars().any(|c| matches!(c, '/' | '\\' | ':' | '\0') || c.is_control());
    if bad {
        return Err(ParamError::new(
            field,
            quoted(name),
            "a name that can be a folder's (the phase saves checkpoints/<name>/): not empty, not . or .., \
             without / \\ : or control characters",
        ));
    }
    Ok(())
}

impl NetworkDescription {
    /// Each phase's weight changes: on projections that exist, with finite values and
    /// factors (≥ 0), and groups of neurons both ends of the projection have.
    fn check_weight_changes(&self, nodes: &Nodes, projection_names: &[String]) -> Result<(), CheckError> {
        for (k, ph) in self.phases.iter().enumerate() {
            for (j, change) in ph.weight_changes.iter().enumerate() {
                let at = format!("phases[{k}].weight_changes[{j}]");
                let name = change.projection();
                let Some(p) = projection_names.iter().position(|n| n == name).map(|i| &self.projections[i]) else {
                    return Err(ParamError::new(
                        format!("{at}.projection"),
                        quoted(name),
                        format!("one of the projections: {}", projection_names.join(", ")),
                    )
                    .into());
                };
                match change {
                    WeightChange::Set { value, .. } => finite(&format!("{at}.value"), *value)?,
                    WeightChange::ScaleWithin { groups, factor, .. } => {
                        finite(&format!("{at}.factor"), *factor)?;
                        non_negative(&format!("{at}.factor"), *factor)?;
                        let n = nodes[&p.pre].size.min(nodes[&p.post].size);
                        for (g, range) in groups.iter().enumerate() {
                            if range.end < range.start || range.end as usize > n {
                                return Err(ParamError::new(
                                    format!("{at}.groups[{g}]"),
                                    format!("(start: {}, end: {})", range.start, range.end),
                                    format!(
                                        "start <= end <= {n} (neurons of both `{}` and `{}`, the ends of `{name}`)",
                                        p.pre, p.post
                                    ),
                                )
                                .into());
                            }
                        }
                    }
                }
            }
        }
        Ok(())
    }
}

/// The connectivity of projection `p` at `at`: a registered rule, its parameters, and a
/// pattern it can draw between `n_pre` and `n_post` neurons.
fn check_connectivity(
    registry: &Registry,
    at: &str,
    p: &ProjectionDescription,
    n_pre: usize,
    n_post: usize,
) -> Result<(), CheckError> {
    let params_field = format!("{at}.connectivity.params");
    if let Some(check) = registry.matrix_check(&p.connectivity.kind) {
        let kind = &p.connectivity.kind;
        if let Some(w) = &p.weight {
            return Err(ParamError::new(
                format!("{at}.weight"),
                format!("{w:?}"),
                format!("left out: connectivity `{kind}` gives each synapse its own weight"),
            )
            .into());
        }
        // the settings of a drawn pattern, given where the kind makes the matrix itself
        let drawn_only = [
            ("balance", p.balance.map(|b| format!("{b:?}"))),
            ("multapses", p.multapses.then(|| "true".to_string())),
            ("autapses", (!p.autapses).then(|| "false".to_string())),
        ];
        if let Some((field, Some(value))) = drawn_only.into_iter().find(|(_, v)| v.is_some()) {
            return Err(ParamError::new(
                format!("{at}.{field}"),
                value,
                format!("left out: connectivity `{kind}` makes the whole matrix itself"),
            )
            .into());
        }
        check(&p.connectivity.params).map_err(|e| place(&params_field, p.connectivity.params.as_str(), e))?;
        return Ok(());
    }
    let Some(factory) = registry.connect(&p.connectivity.kind) else {
        return Err(unknown_kind(
            format!("{at}.connectivity.kind"),
            &p.connectivity.kind,
            "connectivity kinds",
            registry.connectivity_kinds(),
        ));
    };
    let ctx = ConnectContext {
        n_pre,
        n_post,
        same_population: p.pre == p.post,
        autapses: p.autapses,
        multapses: p.multapses,
        seed: 0,
        stream_id: 0,
    };
    if p.weight.is_none() {
        return Err(ParamError::new(
            format!("{at}.weight"),
            "missing",
            format!(
                "a weight distribution, e.g. `weight: Constant(value: 0.5)`: connectivity `{}` draws only the pattern",
                p.connectivity.kind
            ),
        )
        .into());
    }
    let mut spec =
        factory(&p.connectivity.params, &ctx).map_err(|e| place(&params_field, p.connectivity.params.as_str(), e))?;
    if let Some(b) = p.balance {
        b.validate().map_err(|e| e.within(&format!("{at}.balance")))?;
        spec = spec.balance(b);
    }
    spec.validate_for(n_pre, n_post, p.pre == p.post).map_err(|e| {
        let field = match e.field.strip_prefix("rule.") {
            Some(inner) => format!("{params_field}.{inner}"),
            None if e.field == "n_post" => format!("{at}.post"),
            None => format!("{at}.{}", e.field),
        };
        ParamError { field, ..e }
    })?;
    Ok(())
}

/// The plasticity of the projection at `at`: a registered rule, its delays, and parameters
/// that serve the projection (`ctx`).
fn check_rule(registry: &Registry, at: &str, pl: &PlasticityDescription, ctx: RuleContext) -> Result<(), CheckError> {
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
    if let Some(g) = pl.gate_threshold {
        finite(&format!("{at}.plasticity.gate_threshold"), g)?;
    }
    let params_field = format!("{at}.plasticity.rule.params");
    factory(&pl.rule.params, &ctx).map_err(|e| place(&params_field, pl.rule.params.as_str(), e))?;
    Ok(())
}
