//! The library's three Rust-built models written as network descriptions — Vogels et al.
//! 2011's recurrent network, Auryn's plastic background network and the selection model —
//! drawing from the same random streams in the same order as their own builds, so that the
//! networks built from them fire the same spikes (re-exported from [`models`](super::models)).

use engram_connectivity::DelayDistribution;
use engram_core::error::{EngramError, ParamError};
use engram_core::params::{Params, finite, positive};
use engram_neurons::{LifCondParams, LifNmdaParams, MembraneIntegrator};
use engram_plasticity::{InhibitoryStdpParams, TripletStdpParams};
use engram_stimuli::{CurrentInjectionParams, PoissonGroupParams, PoissonInputParams, RateSegment, RateSpec, Targets};

use super::registry::{FixedProbabilityParams, WithinGroupsParams};
use super::types::{
    Component, Distribution, InitialValue, NetworkDescription, NeuronRange, PhaseDescription, PlasticityDescription,
    PopulationDescription, ProjectionDescription, Role, SourceDescription, StimulusDescription, WeightChange,
};
use crate::auryn_background::AurynBackgroundConfig;
use crate::selection::{SelectionConfig, timeline};
use crate::vogels2011::RecurrentConfig;

/// A population of `size` neurons of `kind` with `params`, its initial values drawn from the
/// stream `stream`.
fn population<P: serde::Serialize>(
    name: &str,
    size: usize,
    kind: &str,
    params: &P,
    initial: Vec<InitialValue>,
    stream: String,
    role: Role,
) -> PopulationDescription {
    PopulationDescription {
        name: name.into(),
        size,
        neuron: Component::new(kind, params),
        initial,
        stream: Some(stream),
        role: Some(role),
    }
}

/// A projection with a constant weight and delay and no plasticity, on the stream `stream`.
fn projection(
    (pre, post, receptor): (&str, &str, &str),
    connectivity: Component,
    weight: f64,
    delay_ms: f64,
    stream: String,
) -> ProjectionDescription {
    ProjectionDescription {
        name: None,
        pre: pre.into(),
        post: post.into(),
        receptor: receptor.into(),
        connectivity,
        autapses: true,
        multapses: false,
        balance: None,
        weight: Some(Distribution::Constant { value: weight }),
        delay: DelayDistribution::Constant { ms: delay_ms },
        plasticity: None,
        stream: Some(stream),
    }
}

fn stimulus<P: serde::Serialize>(
    name: &str,
    target: &str,
    kind: &str,
    params: &P,
    stream: Option<String>,
) -> StimulusDescription {
    StimulusDescription {
        name: Some(name.into()),
        target: target.into(),
        stimulus: Component::new(kind, params),
        stream,
    }
}

fn phase(name: &str, duration_ms: f64, modulator: f64, weight_changes: Vec<WeightChange>) -> PhaseDescription {
    PhaseDescription {
        name: name.into(),
        start_ms: None,
        duration_ms,
        stimuli_on: None,
        learning: None,
        modulator,
        weight_changes,
        checkpoint: false,
    }
}

/// `v_mv` uniform on [−60, −50) mV, as `−60 + 10 u` (Vogels et al. 2011; the selection model).
fn v_uniform_60_50() -> Vec<InitialValue> {
    vec![InitialValue { variable: "v_mv".into(), value: Distribution::Uniform { low: -60.0, high: -50.0 } }]
}

/// A duration or step: positive and finite.
fn positive_finite(field: &str, v: f64) -> Result<(), ParamError> {
    positive(field, v)?;
    finite(field, v)
}

/// A population size: 1 to 2^32 − 1 neurons (indices are 32-bit), checked before anything of
/// that size is made.
fn population_size(field: &str, n: usize) -> Result<(), ParamError> {
    if n == 0 || n as u64 > u64::from(u32::MAX) {
        return Err(ParamError::new(field, n, "between 1 and 2^32 - 1 neurons"));
    }
    Ok(())
}

fn range(r: std::ops::Range<usize>) -> NeuronRange {
    NeuronRange { start: r.start as u32, end: r.end as u32 }
}

/// Vogels et al. 2011's recurrent memory network (paper Fig. 4; [`crate::vogels2011`]) as a
/// description: `E` and `I` of `LifCond` (COBA's neuron, exponential Euler) with a 200 pA
/// background current each, the four random projections (p = 0.02), gated iSTDP on `I->E`,
/// the recall cue, and the protocol as phases: `pre` (no plasticity), `learning` (I→E set to
/// 0, iSTDP on), `consolidation` (E→E × 5 within the two patterns), then the three recall
/// segments (`recall: before cue`, `recall: cue`, `recall: after cue`).
///
/// The networks it builds fire the same spikes as [`run_recurrent`](crate::vogels2011::run_recurrent)'s
/// at the same seed and step (its parts draw from the streams `vogels2011:v0:E`,
/// `vogels2011:E->E`, `vogels2011:cue`, ...); the step is the run's (`run.dt_ms`, which must
/// equal `dt_ms`). `chunk_ms` and `stats_window_ms` belong to the reproduction's analysis and
/// change nothing here.
///
/// ```
/// use engram_models::description::models::vogels2011;
/// use engram_models::vogels2011::RecurrentConfig;
/// let d = vogels2011(&RecurrentConfig::default()).unwrap();
/// assert_eq!((d.populations[0].size, d.populations[1].size), (8000, 2000));
/// let names: Vec<&str> = d.phases.iter().map(|p| p.name.as_str()).collect();
/// assert_eq!(names[..3], ["pre", "learning", "consolidation"]);
/// assert_eq!(d.phases.iter().map(|p| p.duration_ms).sum::<f64>(), 255_000.0);
/// ```
pub fn vogels2011(c: &RecurrentConfig) -> Result<NetworkDescription, EngramError> {
    check_vogels(c)?;
    let neuron = LifCondParams { integrator: MembraneIntegrator::ExpEuler, ..LifCondParams::coba() };
    let populations = [("E", c.n_e, Role::Excitatory), ("I", c.n_i, Role::Inhibitory)]
        .into_iter()
        .map(|(name, n, role)| {
            population(name, n, "LifCond", &neuron, v_uniform_60_50(), format!("vogels2011:v0:{name}"), role)
        })
        .collect();
    let background = CurrentInjectionParams { bias_pa: c.bg_current_pa, ..Default::default() };
    let groups = c.groups();
    let t_cue0 = c.t_pre_ms + c.t_learn_ms + c.t_memory_ms + c.t_recall_ms;
    let cue = PoissonInputParams {
        receptor: "exc".into(),
        n_inputs: c.cue_inputs,
        rate: RateSpec::Piecewise {
            segments: vec![
                RateSegment { start_ms: 0.0, rates_hz: vec![0.0] },
                RateSegment { start_ms: t_cue0, rates_hz: vec![c.cue_rate_hz] },
                RateSegment { start_ms: t_cue0 + c.t_recall_ms, rates_hz: vec![0.0] },
            ],
        },
        weight: c.cue_weight_ns,
        targets: Targets::Indices(groups.cue.clone().map(|i| i as u32).collect()),
    };
    let stimuli = vec![
        stimulus("background_E", "E", "CurrentInjection", &background, None),
        stimulus("background_I", "I", "CurrentInjection", &background, None),
        stimulus("cue", "E", "PoissonInput", &cue, Some("vogels2011:cue".into())),
    ];
    let p = Component::new("FixedProbability", &FixedProbabilityParams { p: c.p });
    let mut projections: Vec<ProjectionDescription> =
        [("E", "E", "exc", c.w_exc_ns), ("E", "I", "exc", c.w_exc_ns), ("I", "I", "inh", c.w_ii_ns)]
            .into_iter()
            .map(|(pre, post, receptor, w)| {
                projection((pre, post, receptor), p.clone(), w, c.delay_ms, format!("vogels2011:{pre}->{post}"))
            })
            .collect();
    let istdp = InhibitoryStdpParams {
        eta: c.eta_ns,
        target_rate_hz: c.rho0_hz,
        w_min: 0.0,
        w_max: c.w_max_ns,
        gate_threshold: Some(0.5),
        ..InhibitoryStdpParams::default()
    };
    projections.push(ProjectionDescription {
        plasticity: Some(PlasticityDescription {
            rule: Component::new("InhibitoryStdp", &istdp),
            axonal_delay_ms: 0.0,
            dendritic_delay_ms: 0.0,
            gate_threshold: None,
        }),
        ..projection(("I", "E", "inh"), p, c.w_ie_initial_ns, c.delay_ms, "vogels2011:I->E".into())
    });
    let silence = WeightChange::Set { projection: "I->E".into(), value: 0.0 };
    let imprint = WeightChange::ScaleWithin {
        projection: "E->E".into(),
        groups: vec![range(groups.p1), range(groups.p2)],
        factor: c.pattern_factor,
    };
    let phases = vec![
        phase("pre", c.t_pre_ms, 0.0, Vec::new()),
        phase("learning", c.t_learn_ms, 1.0, vec![silence]),
        phase("consolidation", c.t_memory_ms, 1.0, vec![imprint]),
        phase("recall: before cue", c.t_recall_ms, 1.0, Vec::new()),
        phase("recall: cue", c.t_recall_ms, 1.0, Vec::new()),
        phase("recall: after cue", c.t_recall_ms, 1.0, Vec::new()),
    ];
    Ok(NetworkDescription { populations, stimuli, projections, phases, ..NetworkDescription::default() })
}

/// The fields of a [`RecurrentConfig`] the description depends on, in range.
fn check_vogels(c: &RecurrentConfig) -> Result<(), ParamError> {
    for (field, v) in [
        ("t_pre_ms", c.t_pre_ms),
        ("t_learn_ms", c.t_learn_ms),
        ("t_memory_ms", c.t_memory_ms),
        ("t_recall_ms", c.t_recall_ms),
        ("dt_ms", c.dt_ms),
    ] {
        positive_finite(field, v)?;
    }
    population_size("n_e", c.n_e)?;
    population_size("n_i", c.n_i)?;
    if c.pattern_overlap > c.pattern_size {
        return Err(ParamError::new(
            "pattern_overlap",
            c.pattern_overlap,
            format!("at most pattern_size = {}", c.pattern_size),
        ));
    }
    if c.cue_size > c.pattern_size {
        return Err(ParamError::new("cue_size", c.cue_size, format!("at most pattern_size = {}", c.pattern_size)));
    }
    let both = c.pattern_size.saturating_mul(2) - c.pattern_overlap;
    if both > c.n_e {
        return Err(ParamError::new(
            "pattern_size",
            c.pattern_size,
            format!(
                "two patterns overlapping by pattern_overlap = {} within n_e = {} neurons",
                c.pattern_overlap, c.n_e
            ),
        ));
    }
    Ok(())
}

/// Auryn's plastic background network ([`crate::auryn_background`]) as a description:
/// `E` and `I` of `LifNmda` (the I cells with τ_m = `tau_m_i_ms`), the Poisson source group
/// `P`, five random projections (weights in units of g_leak times `neuron.g_l_ns`), triplet
/// STDP with a sliding threshold on `E->E` (amplitudes and bounds times g_leak, axonal
/// timing, gated at 0.5), and Auryn's protocol: `priming` (modulator 0: the rule's traces
/// and rate estimates run, the weights stay) for `priming_ms`, then `plastic` (modulator 1)
/// for `plastic_ms`.
///
/// The networks it builds fire the same spikes as [`AurynBackgroundConfig::build`]'s at the
/// same seed and step, switched the same way (streams `auryn_bg:v0:E`, `auryn_bg:poisson`,
/// `auryn_bg:E->E`, ...).
///
/// ```
/// use engram_models::auryn_background::AurynBackgroundConfig;
/// use engram_models::description::models::auryn_background;
/// let d = auryn_background(&AurynBackgroundConfig::default()).unwrap();
/// assert_eq!(d.projections.len(), 5);
/// assert_eq!(d.projections[0].plasticity.as_ref().unwrap().gate_threshold, Some(0.5));
/// assert_eq!((d.phases[0].modulator, d.phases[1].modulator), (0.0, 1.0));
/// ```
pub fn auryn_background(c: &AurynBackgroundConfig) -> Result<NetworkDescription, EngramError> {
    positive_finite("priming_ms", c.priming_ms)?;
    positive_finite("plastic_ms", c.plastic_ms)?;
    population_size("n_e", c.n_e)?;
    population_size("n_i", c.n_i)?;
    population_size("n_poisson", c.n_poisson)?;
    let exc = c.neuron.clone();
    let inh = LifNmdaParams { tau_m_ms: c.tau_m_i_ms, ..exc.clone() };
    exc.validate().map_err(|e| e.within("neuron"))?;
    inh.validate().map_err(|e| e.within("tau_m_i_ms"))?;
    let g_l = exc.g_l_ns;
    let v0 = vec![InitialValue {
        variable: "v_mv".into(),
        value: Distribution::Normal { mean: -60.0, sd: 10.0, times: 1.0, plus: 0.0 },
    }];
    let populations = vec![
        population("E", c.n_e, "LifNmda", &exc, v0.clone(), "auryn_bg:v0:E".into(), Role::Excitatory),
        population("I", c.n_i, "LifNmda", &inh, v0, "auryn_bg:v0:I".into(), Role::Inhibitory),
    ];
    let input = PoissonGroupParams {
        n_sources: c.n_poisson,
        rates: RateSpec::Constant { rate_hz: c.poisson_rate_hz },
        ..Default::default()
    };
    let sources = vec![SourceDescription {
        name: "P".into(),
        source: Component::new("PoissonGroup", &input),
        stream: Some("auryn_bg:poisson".into()),
    }];
    let t = &c.triplet;
    let triplet = TripletStdpParams {
        a2_plus: t.a2_plus * g_l,
        a3_plus: t.a3_plus * g_l,
        a2_minus: t.a2_minus * g_l,
        a3_minus: t.a3_minus * g_l,
        w_min: t.w_min * g_l,
        w_max: t.w_max * g_l,
        ..t.clone()
    };
    let p = Component::new("FixedProbability", &FixedProbabilityParams { p: c.p });
    let projections = [
        ("E", "E", "exc", c.w_ee),
        ("E", "I", "exc", c.w_ei),
        ("I", "E", "inh", c.w_ie),
        ("I", "I", "inh", c.w_ii),
        ("P", "E", "exc", c.w_ext),
    ]
    .into_iter()
    .map(|(pre, post, receptor, w)| {
        let mut proj =
            projection((pre, post, receptor), p.clone(), w * g_l, c.delay_ms, format!("auryn_bg:{pre}->{post}"));
        if (pre, post) == ("E", "E") {
            // Auryn's connections see presynaptic spikes when they arrive: axonal timing
            proj.plasticity = Some(PlasticityDescription {
                rule: Component::new("TripletStdp", &triplet),
                axonal_delay_ms: c.delay_ms,
                dendritic_delay_ms: 0.0,
                gate_threshold: Some(0.5),
            });
        }
        proj
    })
    .collect();
    let phases = vec![phase("priming", c.priming_ms, 0.0, Vec::new()), phase("plastic", c.plastic_ms, 1.0, Vec::new())];
    Ok(NetworkDescription { populations, sources, projections, phases, ..NetworkDescription::default() })
}

/// The most learning trials of the selection model (each is two phases of the protocol).
const MAX_TRIALS: usize = 100_000;

/// The selection model ([`crate::selection`]) as a description: `E` (assemblies A and B,
/// `n_assembly` neurons each, one after the other) and `I` of `LifCond` with Poisson
/// background input, E→E within each assembly only (`WithinGroups`), E→I, I→I and plastic
/// I→E (iSTDP gated at 0.5), the stimuli of A and B as piecewise-constant Poisson input over
/// the whole protocol, and one phase per step of the protocol: `test before`, `pause 0`,
/// then `trial k` (modulator 1 if `gated`) and `pause k` for each trial, and `test after`.
///
/// The networks it builds fire the same spikes as [`run_selection`](crate::selection::run_selection)'s
/// at the same seed and step (streams `selection:v0:E`, `selection:bg:E`,
/// `selection:stim:A`, `selection:E->E`, ...); the step is the run's (`run.dt_ms`, which must
/// equal `dt_ms`). `bin_ms` belongs to the example's figure and changes nothing here.
///
/// ```
/// use engram_models::description::models::selection;
/// use engram_models::selection::SelectionConfig;
/// let d = selection(&SelectionConfig::default()).unwrap();
/// assert_eq!(d.populations[0].size, 200);
/// assert_eq!(d.phases.len(), 2 + 2 * 20 + 1);
/// assert_eq!(d.phases[2].name, "trial 1");
/// ```
pub fn selection(c: &SelectionConfig) -> Result<NetworkDescription, EngramError> {
    if c.n_assembly == 0 || c.n_assembly as u64 > u64::from(u32::MAX) / 2 {
        let allowed = "between 1 and 2^31 - 1 neurons (E holds both assemblies)";
        return Err(ParamError::new("n_assembly", c.n_assembly, allowed).into());
    }
    population_size("n_inh", c.n_inh)?;
    if c.n_trials > MAX_TRIALS {
        return Err(ParamError::new("n_trials", c.n_trials, format!("at most {MAX_TRIALS} trials")).into());
    }
    for (field, v) in [("test_ms", c.test_ms), ("trial_ms", c.trial_ms), ("pause_ms", c.pause_ms), ("dt_ms", c.dt_ms)] {
        positive_finite(field, v)?;
    }
    let (na, ni) = (c.n_assembly, c.n_inh);
    let ne = 2 * na;
    let neuron = LifCondParams { integrator: MembraneIntegrator::ExpEuler, ..LifCondParams::coba() };
    let populations = [("E", ne, Role::Excitatory), ("I", ni, Role::Inhibitory)]
        .into_iter()
        .map(|(name, n, role)| {
            population(name, n, "LifCond", &neuron, v_uniform_60_50(), format!("selection:v0:{name}"), role)
        })
        .collect();
    let background = PoissonInputParams {
        n_inputs: c.bg_inputs,
        rate: RateSpec::Constant { rate_hz: c.bg_rate_hz },
        weight: c.bg_weight_ns,
        ..Default::default()
    };
    let protocol = timeline(c);
    let mut stimuli: Vec<StimulusDescription> = ["E", "I"]
        .into_iter()
        .map(|target| {
            let stream = Some(format!("selection:bg:{target}"));
            stimulus(&format!("background_{target}"), target, "PoissonInput", &background, stream)
        })
        .collect();
    for (k, name) in ["A", "B"].into_iter().enumerate() {
        let segments = protocol
            .iter()
            .map(|p| RateSegment { start_ms: p.0, rates_hz: vec![if k == 0 { p.2 } else { p.3 }] })
            .collect();
        let drive = PoissonInputParams {
            n_inputs: c.stim_inputs,
            rate: RateSpec::Piecewise { segments },
            weight: c.stim_weight_ns,
            targets: Targets::Indices((k * na..(k + 1) * na).map(|i| i as u32).collect()),
            ..Default::default()
        };
        let stream = Some(format!("selection:stim:{name}"));
        stimuli.push(stimulus(&format!("stimulus_{name}"), "E", "PoissonInput", &drive, stream));
    }
    let delay_ms = 0.5;
    let within = Component::new("WithinGroups", &WithinGroupsParams { p: c.p_within, group_size: na });
    let p = Component::new("FixedProbability", &FixedProbabilityParams { p: c.p_inh });
    let istdp = InhibitoryStdpParams {
        eta: c.eta_ns,
        target_rate_hz: c.rho0_hz,
        w_max: c.w_max_ns,
        ..InhibitoryStdpParams::gated(0.5)
    };
    let projections = vec![
        ProjectionDescription {
            autapses: false,
            ..projection(("E", "E", "exc"), within, c.w_ee_ns, delay_ms, "selection:E->E".into())
        },
        projection(("E", "I", "exc"), p.clone(), c.w_ei_ns, delay_ms, "selection:E->I".into()),
        projection(("I", "I", "inh"), p.clone(), c.w_ii_ns, delay_ms, "selection:I->I".into()),
        ProjectionDescription {
            plasticity: Some(PlasticityDescription {
                rule: Component::new("InhibitoryStdp", &istdp),
                axonal_delay_ms: 0.0,
                dendritic_delay_ms: 0.0,
                gate_threshold: None,
            }),
            ..projection(("I", "E", "inh"), p, c.w_ie_ns, delay_ms, "selection:I->E".into())
        },
    ];
    let last = protocol.len() - 1;
    let phases = protocol
        .iter()
        .enumerate()
        .map(|(k, &(start, end, _, _, signal))| {
            let name = match k {
                0 => "test before".to_string(),
                k if k == last => "test after".to_string(),
                k if k % 2 == 0 => format!("trial {}", k / 2),
                k => format!("pause {}", k / 2),
            };
            phase(&name, end - start, if signal { 1.0 } else { 0.0 }, Vec::new())
        })
        .collect();
    Ok(NetworkDescription { populations, stimuli, projections, phases, ..NetworkDescription::default() })
}
