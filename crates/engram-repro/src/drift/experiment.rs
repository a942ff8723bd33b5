//! The day loop of the drift experiment: the whole timeline of one run (probe trials,
//! exposure presentations, settles) laid out in advance, one persistent network per condition
//! that runs through it block by block, the modulator switching plasticity between blocks and
//! the night step applied between exposure and settle.

use engram_core::error::{EngramError, ParamError};
use engram_core::params::Params;
use engram_core::rng::{component_id, stream};
use engram_core::time::Clock;
use engram_models::dp::network::{DpConnectivity, odor_sets};
use engram_models::dp::params::Variant;
use engram_neurons::LifCond;
use engram_plasticity::volatility::{LogNormalOu, LogWeightStats, NightStep, Turnover, log_weight_correlation};
use engram_plasticity::{
    Combined, InhibitoryStdp, ModulatorExcess, ModulatorSwitch, NormalisedHebbian, PairStdp, RewardModulatedStdp,
};
use engram_sim::progress::{Every, Progress};
use engram_sim::{Delay, NetworkBuilder, WindowMonitor};
use engram_stimuli::{Odor, OdorSchedule, PoissonMethod, Presentation};
use rand::seq::SliceRandom;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::{Condition, DriftParams, ODOR_ROLES, ObELearning};

/// Modulator during probes (everything frozen).
const FROZEN: f64 = 0.0;
/// Modulator during the settle: iSTDP only (its gate is 0.5).
const HOMEOSTATIC: f64 = 1.0;
/// Modulator during exposure: iSTDP and E→E STDP (its switch is at 1.5).
const PLASTIC: f64 = 2.0;
/// Modulator during a reward pulse: the three-factor rule on E→E sees the excess over
/// [`PLASTIC`], 1; iSTDP and pair STDP stay on.
const REWARD: f64 = 3.0;

/// The blocks of one simulated day, absolute times in ms.
#[derive(Clone, Debug, PartialEq)]
pub struct DayBlocks {
    /// Simulated day.
    pub sim_day: u32,
    /// End of the probe block (= its start on a day without probes).
    pub probe_end_ms: f64,
    /// End of the exposure block.
    pub exposure_end_ms: f64,
    /// End of the settle after the night.
    pub settle_end_ms: f64,
}

/// Everything shown to the network in one run, laid out in advance (the same in every
/// condition).
#[derive(Clone, Debug)]
pub struct Timeline {
    /// Odor presentations (probes and exposures), in time order.
    pub presentations: Vec<Presentation>,
    /// Probe count windows `(start, end)` ms, in time order.
    pub windows_ms: Vec<(f64, f64)>,
    /// Per window: the odor, or `n_odors` for a blank trial.
    pub labels: Vec<usize>,
    /// Per window: the simulated probe day.
    pub window_day: Vec<u32>,
    /// Reward pulses `(start, end)` ms, in time order (after exposures of rewarded odors).
    pub rewards_ms: Vec<(f64, f64)>,
    /// The days.
    pub days: Vec<DayBlocks>,
    /// Odors.
    pub n_odors: usize,
}

impl Timeline {
    /// Lay out the run: trial orders and exposure orders shuffled from `seed`.
    pub fn new(params: &DriftParams, n_odors: usize, seed: u64) -> Self {
        let p = params;
        let trial_ms = p.t_on_ms + p.t_off_ms;
        let mut t = p.burn_in_settle_ms + p.warmup_ms;
        let (mut presentations, mut windows_ms, mut labels, mut window_day, mut days) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
        let mut rewards_ms = Vec::new();
        let probes = p.probe_sim_days();
        for d in 0..p.n_days {
            if probes.contains(&d) {
                let mut trials: Vec<usize> = (0..n_odors).flat_map(|o| std::iter::repeat_n(o, p.n_trials)).collect();
                trials.extend(std::iter::repeat_n(n_odors, p.n_blank));
                trials.shuffle(&mut stream(seed, component_id("drift:probe order"), d as u64));
                for o in trials {
                    if o < n_odors {
                        presentations.push(Presentation { odor: o, onset_ms: t, duration_ms: p.t_on_ms });
                    }
                    windows_ms.push((t, t + p.t_on_ms));
                    labels.push(o);
                    window_day.push(d);
                    t += trial_ms;
                }
            }
            let probe_end_ms = t;
            // the last day is a probe day; nothing after its probes is measured
            if d + 1 < p.n_days {
                let day = p.day_of(d);
                let mut shown: Vec<usize> = (0..n_odors)
                    .flat_map(|o| std::iter::repeat_n(o, ODOR_ROLES[o].presentations_on(day, p.n_pres)))
                    .collect();
                shown.shuffle(&mut stream(seed, component_id("drift:exposure order"), d as u64));
                for o in shown {
                    presentations.push(Presentation { odor: o, onset_ms: t, duration_ms: p.t_on_ms });
                    if ODOR_ROLES[o].rewarded() && p.e_e_reward.is_some() {
                        let offset = t + p.t_on_ms;
                        rewards_ms.push((offset, offset + p.reward_pulse_ms));
                    }
                    t += trial_ms;
                }
            }
            let exposure_end_ms = t;
            if d + 1 < p.n_days {
                t += p.settle_ms;
            }
            days.push(DayBlocks { sim_day: d, probe_end_ms, exposure_end_ms, settle_end_ms: t });
        }
        Self { presentations, windows_ms, labels, window_day, rewards_ms, days, n_odors }
    }

    /// Simulated time, s.
    pub fn duration_s(&self) -> f64 {
        self.days.last().map_or(0.0, |d| d.settle_end_ms) / 1000.0
    }
}

/// One probe day's responses.
#[derive(Clone, Debug)]
pub struct ProbeDay {
    /// Simulated day.
    pub sim_day: u32,
    /// Experiment day.
    pub day: u32,
    /// Per trial: the odor, or `n_odors` for a blank.
    pub labels: Vec<usize>,
    /// Per trial: E spike counts in the odor window (one per E neuron).
    pub counts: Vec<Vec<u32>>,
}

/// Weight statistics after one night (docs/models/drift.md, "What to log").
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NightStats {
    /// Experiment day the night ends.
    pub day: u32,
    /// E→E weights after the night.
    pub e_e: LogWeightStats,
    /// I→E weights after the night.
    pub i_e: LogWeightStats,
    /// Correlation of ln w (E→E) with the weights on day 0 (after the burn-in).
    pub e_e_log_corr_with_start: f64,
    /// Correlation of ln w (I→E) with the weights on day 0 (after the burn-in).
    pub i_e_log_corr_with_start: f64,
    /// RMS of the change of ln w (E→E) during this day's exposure block.
    pub e_e_exposure_log_step_rms: f64,
    /// RMS of the change of ln w (I→E) during this day's exposure block.
    pub i_e_exposure_log_step_rms: f64,
    /// RMS of the change of ln w (E→E) in this night.
    pub e_e_night_log_step_rms: f64,
    /// RMS of the change of ln w (I→E) in this night.
    pub i_e_night_log_step_rms: f64,
    /// OB→E weights after the night (and its turnover).
    pub ob_e: LogWeightStats,
    /// RMS of the change of ln w (OB→E) during this day's exposure block.
    pub ob_e_exposure_log_step_rms: f64,
    /// RMS of the change of ln w (OB→E) in this night's weight step (turnover not counted).
    pub ob_e_night_log_step_rms: f64,
    /// Fraction of the OB→E synapses replaced in this night.
    pub ob_e_turnover_fraction: f64,
}

/// What one condition on one network recorded.
#[derive(Clone, Debug)]
pub struct ConditionRun {
    /// The condition.
    pub condition: Condition,
    /// Network seed.
    pub network_seed: u64,
    /// The probe days.
    pub probes: Vec<ProbeDay>,
    /// One per night.
    pub nights: Vec<NightStats>,
    /// Simulated time, s.
    pub bio_s: f64,
    /// Wall time, s.
    pub wall_s: f64,
    /// CPU time of the thread that ran it, s.
    pub cpu_s: f64,
}

/// RMS of ln(a) − ln(b) over the synapses positive in both.
fn log_step_rms(before: &[f64], after: &[f64]) -> f64 {
    let (mut sum, mut n) = (0.0, 0usize);
    for (a, b) in before.iter().zip(after) {
        if *a > 0.0 && *b > 0.0 {
            sum += (b.ln() - a.ln()).powi(2);
            n += 1;
        }
    }
    (sum / n.max(1) as f64).sqrt()
}

/// Run one condition on the network `net` (its variant: [`Condition::variant`]) through `timeline`. The OB Poisson input
/// is drawn from `run_seed`, the night noise from `stream(seed, component_id(class), day)`.
#[allow(clippy::too_many_arguments)]
pub fn run_condition(
    params: &DriftParams,
    net: &DpConnectivity,
    odors: &[Odor],
    timeline: &Timeline,
    condition: Condition,
    seed: u64,
    network_seed: u64,
    run_seed: u64,
) -> Result<ConditionRun, EngramError> {
    let t0 = std::time::Instant::now();
    let config = &params.network;
    let clock = Clock::new(params.dt_ms)?;
    let mut b = NetworkBuilder::new(params.dt_ms, run_seed)?;
    let schedule = OdorSchedule::new(odors.to_vec(), &timeline.presentations, 1.0, clock)?;
    b.add_source("OB", schedule.into_poisson_group(PoissonMethod::Auto, run_seed, component_id("dp:ob")))?;
    let (e_params, i_params) = config.structure.neurons();
    b.add_population("E", LifCond::new(config.n_exc, e_params.check().map_err(|e| e.within("neuron_e"))?))?;
    b.add_population("I", LifCond::new(config.n_inh, i_params.check().map_err(|e| e.within("neuron_i"))?))?;
    let [ob_e, ob_i, e_e, e_i, i_e, i_i] = net.weights(config);
    let one = Delay::Steps(1);
    let obe_id = b.connect("OB", "E", "ob", ob_e, one.clone())?;
    let n_ob = config.n_mitral_cells;
    match &params.ob_e_learning {
        Some(ObELearning::Stdp(p)) => {
            let p = p.clone().check().map_err(|e| e.within("ob_e_learning"))?;
            b.add_plasticity(obe_id, ModulatorSwitch::new(PairStdp::new(p, n_ob, config.n_exc), 1.5));
        }
        Some(ObELearning::Hebbian(p)) => {
            let p = p.clone().check().map_err(|e| e.within("ob_e_learning"))?;
            b.add_plasticity(obe_id, ModulatorSwitch::new(NormalisedHebbian::new(p, n_ob, config.n_exc), 1.5));
        }
        None => {}
    }
    let n_ee = e_e.nnz();
    let ee_id = b.connect("E", "E", "exc", e_e, one.clone())?;
    let ie_id = b.connect("I", "E", "inh", i_e, one.clone())?;
    b.connect("OB", "I", "ob", ob_i, one.clone())?;
    b.connect("E", "I", "exc", e_i, one.clone())?;
    b.connect("I", "I", "inh", i_i, one)?;
    let istdp = params.istdp.clone().check().map_err(|e| e.within("istdp"))?;
    b.add_plasticity(ie_id, InhibitoryStdp::new(istdp, config.n_inh, config.n_exc));
    let stdp = match &params.e_e_stdp {
        Some(p) => {
            let p = p.clone().check().map_err(|e| e.within("e_e_stdp"))?;
            Some(ModulatorSwitch::new(PairStdp::new(p, config.n_exc, config.n_exc), 1.5))
        }
        None => None,
    };
    let reward = match &params.e_e_reward {
        Some(p) => {
            if !(params.reward_pulse_ms > 0.0 && params.reward_pulse_ms <= params.t_off_ms) {
                return Err(ParamError::new(
                    "reward_pulse_ms",
                    params.reward_pulse_ms,
                    format!("a pulse within the gap after the odor, (0, t_off_ms = {}] ms", params.t_off_ms),
                )
                .into());
            }
            let p = p.clone().check().map_err(|e| e.within("e_e_reward"))?;
            Some(ModulatorExcess::new(RewardModulatedStdp::new(p, config.n_exc, config.n_exc, n_ee), PLASTIC))
        }
        None => None,
    };
    match (stdp, reward) {
        (Some(s), Some(r)) => b.add_plasticity(ee_id, Combined::new(vec![Box::new(s), Box::new(r)])?),
        (Some(s), None) => b.add_plasticity(ee_id, s),
        (None, Some(r)) => b.add_plasticity(ee_id, r),
        (None, None) => {}
    }
    let windows: Vec<(u64, u64)> = timeline
        .windows_ms
        .iter()
        .map(|&(a, z)| Ok((clock.steps(a)?, clock.steps(z)?)))
        .collect::<Result<_, ParamError>>()?;
    let wm = b.add_monitor(WindowMonitor::new("E", &windows, &[], clock.steps(1.0)?.max(1)));
    b.divergence_guard(engram_sim::DivergenceGuard {
        check_every_ms: 100.0,
        max_rate_hz: Some(1000.0),
        ..Default::default()
    });
    let mut network = b.build()?;
    let cpu0 = engram_sim::cputime::thread_cpu_s();
    let mut now = 0u64;
    let mut run_to = |network: &mut engram_sim::Network, ms: f64| -> Result<(), EngramError> {
        let target = clock.steps(ms)?;
        if target > now {
            network.run_steps(target - now)?;
            now = target;
        }
        Ok(())
    };
    // the nights' class means: the hand-wired weights' when the nights begin (the burn-in)
    let night_params = params.night.clone().check().map_err(|e| e.within("night"))?;
    let mean = |w: &[f64]| w.iter().sum::<f64>() / w.len().max(1) as f64;
    let ou_ee = LogNormalOu::new(night_params.clone(), mean(network.weights(ee_id).data()))?;
    let ou_ie = LogNormalOu::new(night_params.clone(), mean(network.weights(ie_id).data()))?;
    let ou_obe = LogNormalOu::new(night_params, mean(network.weights(obe_id).data()))?;
    let turnover = match &params.ob_e_turnover {
        Some(p) => Some(Turnover::new(p.clone().check().map_err(|e| e.within("ob_e_turnover"))?)),
        None => None,
    };
    // burn-in: the same in every condition
    for k in 0..params.burn_in_nights as u64 {
        ou_ee.apply(network.weights_mut(ee_id).data_mut(), &mut stream(seed, component_id("E->E burn-in"), k));
        ou_ie.apply(network.weights_mut(ie_id).data_mut(), &mut stream(seed, component_id("I->E burn-in"), k));
        ou_obe.apply(network.weights_mut(obe_id).data_mut(), &mut stream(seed, component_id("OB->E burn-in"), k));
    }
    network.set_modulator(HOMEOSTATIC);
    run_to(&mut network, params.burn_in_settle_ms)?;
    network.set_modulator(FROZEN);
    run_to(&mut network, params.burn_in_settle_ms + params.warmup_ms)?;
    let start_ee = network.weights(ee_id).data().to_vec();
    let start_ie = network.weights(ie_id).data().to_vec();
    let mut stats = Vec::new();
    let plastic = condition.plastic();
    // C5 probes with plasticity on (as in the recordings); every other condition freezes it
    let probe_modulator = if condition == Condition::PlasticProbes { PLASTIC } else { FROZEN };
    for day in &timeline.days {
        network.set_modulator(probe_modulator);
        run_to(&mut network, day.probe_end_ms)?;
        if day.exposure_end_ms == day.settle_end_ms {
            run_to(&mut network, day.exposure_end_ms)?;
            continue;
        }
        let ee0 = network.weights(ee_id).data().to_vec();
        let ie0 = network.weights(ie_id).data().to_vec();
        let ob0 = network.weights(obe_id).data().to_vec();
        network.set_modulator(if plastic { PLASTIC } else { FROZEN });
        if plastic {
            let pulses = timeline.rewards_ms.iter().filter(|(a, _)| *a >= day.probe_end_ms && *a < day.exposure_end_ms);
            for &(start, end) in pulses {
                run_to(&mut network, start)?;
                network.set_modulator(REWARD);
                run_to(&mut network, end)?;
                network.set_modulator(PLASTIC);
            }
        }
        run_to(&mut network, day.exposure_end_ms)?;
        let ee1 = network.weights(ee_id).data().to_vec();
        let ie1 = network.weights(ie_id).data().to_vec();
        let ob1 = network.weights(obe_id).data().to_vec();
        let d = day.sim_day as u64;
        if condition.e_e_volatile() {
            ou_ee.apply(network.weights_mut(ee_id).data_mut(), &mut stream(seed, component_id("E->E night"), d));
        }
        if condition.i_e_volatile() {
            ou_ie.apply(network.weights_mut(ie_id).data_mut(), &mut stream(seed, component_id("I->E night"), d));
        }
        if condition.ob_e_volatile() {
            ou_obe.apply(network.weights_mut(obe_id).data_mut(), &mut stream(seed, component_id("OB->E night"), d));
        }
        let ob_e_night_log_step_rms = log_step_rms(&ob1, network.weights(obe_id).data());
        let mut ob_e_turnover_fraction = 0.0;
        if let Some(turnover) = turnover.as_ref().filter(|_| condition.ob_e_turnover()) {
            let rng = &mut stream(seed, component_id("OB->E turnover"), d);
            let (rewired, replaced) = turnover.apply(network.weights(obe_id), &ou_obe, rng);
            ob_e_turnover_fraction = replaced as f64 / rewired.nnz().max(1) as f64;
            network.rewire(obe_id, rewired)?;
        }
        let (ee2, ie2) = (network.weights(ee_id).data(), network.weights(ie_id).data());
        stats.push(NightStats {
            day: params.day_of(day.sim_day + 1),
            e_e: LogWeightStats::of(ee2),
            i_e: LogWeightStats::of(ie2),
            e_e_log_corr_with_start: log_weight_correlation(&start_ee, ee2),
            i_e_log_corr_with_start: log_weight_correlation(&start_ie, ie2),
            e_e_exposure_log_step_rms: log_step_rms(&ee0, &ee1),
            i_e_exposure_log_step_rms: log_step_rms(&ie0, &ie1),
            e_e_night_log_step_rms: log_step_rms(&ee1, ee2),
            i_e_night_log_step_rms: log_step_rms(&ie1, ie2),
            ob_e: LogWeightStats::of(network.weights(obe_id).data()),
            ob_e_exposure_log_step_rms: log_step_rms(&ob0, &ob1),
            ob_e_night_log_step_rms,
            ob_e_turnover_fraction,
        });
        network.set_modulator(if plastic { HOMEOSTATIC } else { FROZEN });
        run_to(&mut network, day.settle_end_ms)?;
    }
    let cpu_s = match (cpu0, engram_sim::cputime::thread_cpu_s()) {
        (Some(a), Some(b)) => b - a,
        _ => f64::NAN,
    };
    let monitor = network.monitor::<WindowMonitor>(wm).expect("window monitor E");
    let probes = params
        .probe_sim_days()
        .into_iter()
        .map(|sim_day| {
            let idx: Vec<usize> = (0..timeline.labels.len()).filter(|&k| timeline.window_day[k] == sim_day).collect();
            ProbeDay {
                sim_day,
                day: params.day_of(sim_day),
                labels: idx.iter().map(|&k| timeline.labels[k]).collect(),
                counts: idx.iter().map(|&k| monitor.counts(k).to_vec()).collect(),
            }
        })
        .collect();
    Ok(ConditionRun {
        condition,
        network_seed,
        probes,
        nights: stats,
        bio_s: timeline.duration_s(),
        wall_s: t0.elapsed().as_secs_f64(),
        cpu_s,
    })
}

/// Every condition on every network (seeds `seeds`), in parallel, longest first; returns the
/// runs in the order network, then [`Condition::ALL`].
pub fn run_all(
    params: &DriftParams,
    seed: u64,
    seeds: &[u64],
    progress: bool,
) -> Result<Vec<ConditionRun>, EngramError> {
    let config = &params.network;
    let odors = odor_sets(config, seed)?;
    let n_odors = ODOR_ROLES.len().min(config.n_assemblies);
    let odors: Vec<Odor> = odors.learned[..n_odors].to_vec();
    let timeline = Timeline::new(params, n_odors, seed);
    // one network per seed and variant (the main variant, and rand / Scaled I where asked)
    let mut variants: Vec<Variant> = Vec::new();
    for c in &params.conditions {
        let v = c.variant(params.variant);
        if !variants.contains(&v) {
            variants.push(v);
        }
    }
    let nets = seeds
        .iter()
        .map(|&s| {
            let base = DpConnectivity::generate(config, &odors, s)?;
            variants
                .iter()
                .map(|&v| Ok((v, base.with_variant(config, v, s)?.0)))
                .collect::<Result<Vec<_>, EngramError>>()
        })
        .collect::<Result<Vec<_>, EngramError>>()?;
    let net_of = |n: usize, c: Condition| {
        let v = c.variant(params.variant);
        &nets[n].iter().find(|(w, _)| *w == v).expect("every condition's variant was built").1
    };
    let jobs: Vec<(usize, Condition)> =
        params.conditions.iter().flat_map(|&c| (0..seeds.len()).map(move |n| (n, c))).collect();
    let label = format!("drift: {} conditions × {} s simulated", jobs.len(), timeline.duration_s().round());
    let bar = Progress::new(&label, jobs.len() as u64, "runs", Every::Item, progress);
    let runs = jobs
        .par_iter()
        .map(|&(n, c)| {
            let run_seed = seeds[n] ^ 0xD1F7;
            let out = run_condition(params, net_of(n, c), &odors, &timeline, c, seed, seeds[n], run_seed);
            bar.inc(1);
            out
        })
        .collect::<Result<Vec<_>, EngramError>>();
    match &runs {
        Ok(_) => bar.finish(),
        Err(_) => bar.abandon(),
    }
    let mut runs = runs?;
    runs.sort_by_key(|r| {
        (seeds.iter().position(|&s| s == r.network_seed), Condition::ALL.iter().position(|&c| c == r.condition))
    });
    Ok(runs)
}
