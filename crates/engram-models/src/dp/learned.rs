//! Learned E/I assemblies (`cargo xtask reproduce dp-learned`): the Dp paper hard-wires its
//! E/I assemblies (Tuned E+I); here inhibitory STDP (Vogels et al. 2011) on I→E has to find
//! them.
//!
//! Procedure (one structure-A network instance, `seed·1000 + k` as in `reproduce dp`):
//! 1. Start: the Scaled I connectivity with χ = 1 (E assemblies with α = 5, random I→E at the
//!    rand weight), the unstable, Scaled-like situation: assemblies run away.
//! 2. Training: the 10 learned odors presented `repeats` times (standard 3 s trials, 1 s
//!    baseline + 2 s odor) with iSTDP on every I→E synapse (target ρ0, learning rate η, weight
//!    bounds [0, `w_max`]). One simulation per repeat (31 s); the learned weights carry over,
//!    the rule's traces and the neuron state start afresh each repeat (a 1 s baseline separates
//!    repeats anyway).
//! 3. Measurement: weights frozen (no plasticity), the standard protocol with the 10 learned
//!    and the 10 novel odors, [`run_metrics`]; compared with rand, Scaled I (χ 1.4) and Tuned
//!    E+I of the same instance, with the same OB Poisson draws (paired).
//! 4. Continual learning: two novel odors get new E assemblies (assemblies 15 and 16, by the
//!    procedure of Fig. 6, [`add_assemblies`]), then are presented `repeats` times with iSTDP
//!    on, starting from the learned weights; the old learned odors are re-measured (frozen)
//!    right after the new assemblies are wired and again after training on the new odors.
//!
//! Choices (not in the paper, which has no plasticity in Dp): ρ0 = 1 Hz (the mean E rate of
//! the rand network during odors); η = 0.05 nS per unit trace (see [`LearnedParams`]); bounds
//! [0, 5] nS per (multi-)synapse; the I→E pattern is fixed (only weights change). Assemblies
//! 10–14 of the 15-assembly network are never presented; they keep χ = 1 inhibition.

use std::path::PathBuf;

use engram_core::error::EngramError;
use engram_plasticity::InhibitoryStdpParams;
use engram_plot::{BarPanel, Figure, LinePanel};
use engram_stimuli::Odor;
use rayon::prelude::*;
use serde::Serialize;
use serde_json::json;

use super::metrics::{OdorSet, RunMetrics, mean_of, run_metrics};
use super::network::{DpConnectivity, odor_sets};
use super::params::{DpConfig, Structure, Variant};
use super::reproduce::fig6::add_assemblies;
use super::reproduce::{finite_mean_sd, plot_err, write_json};
use super::simulate::{IeOptions, Protocol, WindowKind, simulate_with};
use engram_connectivity::WeightMatrix;

/// The starting point: E assemblies, random inhibition at the rand weight.
pub const START: Variant = Variant::ScaledI { alpha: 5.0, chi: 1.0 };

/// Parameters of the learning phases.
#[derive(Clone, Debug, Serialize)]
pub struct LearnedParams {
    /// The iSTDP rule on I→E (weights in nS).
    pub istdp: InhibitoryStdpParams,
    /// Presentations of every odor during training.
    pub repeats: usize,
}

impl Default for LearnedParams {
    /// ρ0 = 1 Hz, η = 0.05 nS, bounds [0, 5] nS, 8 repeats. With I rates of a few Hz and a
    /// runaway assembly neuron at tens of Hz, the drift 2ητρ_I(ρ_E − ρ0) is ~0.1 nS/s per
    /// synapse during its odor, so the 0.48 nS synapses onto an assembly can double within a
    /// few 2 s presentations.
    fn default() -> Self {
        Self {
            istdp: InhibitoryStdpParams {
                target_rate_hz: 1.0,
                eta: 0.05,
                w_min: 0.0,
                w_max: 5.0,
                ..Default::default()
            },
            repeats: 8,
        }
    }
}

/// State after one training repeat.
#[derive(Clone, Debug, Serialize)]
pub struct TrainingStep {
    /// Repeats done (0 = initial weights).
    pub repeat: usize,
    /// Mean total I→E weight onto a neuron of the trained assemblies, nS.
    pub w_assembly_ns: f64,
    /// Mean total I→E weight onto a neuron in no assembly, nS.
    pub w_non_assembly_ns: f64,
    /// Mean E rate during odors in this repeat, Hz (NaN for step 0).
    pub e_rate_odor_hz: f64,
    /// Rate of assembly k during odor k in this repeat, Hz (NaN for step 0).
    pub assembly_rate_hz: f64,
}

/// Total I→E weight onto every E neuron (column sums), nS.
pub fn inhibitory_input_ns(w: &WeightMatrix, n_exc: usize) -> Vec<f64> {
    let mut out = vec![0.0; n_exc];
    for (v, (_, j)) in w.iter() {
        out[j as usize] += *v;
    }
    out
}

/// Union of the members of the assemblies `ids`.
fn members_of(net: &DpConnectivity, ids: &[usize]) -> Vec<u32> {
    let mut m: Vec<u32> = ids
        .iter()
        .flat_map(|&k| net.assemblies.iter().nth(k).map(|a| a.members().to_vec()).unwrap_or_default())
        .collect();
    m.sort_unstable();
    m.dedup();
    m
}

fn mean_at(v: &[f64], idx: &[u32]) -> f64 {
    mean_of(idx.iter().map(|&i| v[i as usize]))
}

/// Rate of assembly `ids[odor]` during the odor windows of each presentation, mean, Hz.
fn own_assembly_rate(rec: &super::simulate::DpRecording, net: &DpConnectivity, ids: &[usize]) -> f64 {
    mean_of(rec.windows_of(WindowKind::Odor).map(|w| {
        let rates = rec.e_rates_hz(w);
        mean_at(&rates, &members_of(net, &[ids[rec.windows[w].odor]]))
    }))
}

/// Present `odors` (odor j ↔ assembly `assembly_ids[j]`) `params.repeats` times with iSTDP on
/// I→E, starting from `start_weights` (default: `net`'s). Returns the learned weights and the
/// trajectory (step 0 = start).
#[allow(clippy::too_many_arguments)]
pub fn train(
    config: &DpConfig,
    net: &DpConnectivity,
    odors: &[Odor],
    assembly_ids: &[usize],
    start_weights: Option<WeightMatrix>,
    params: &LearnedParams,
    run_seed: u64,
    dt_ms: f64,
) -> Result<(WeightMatrix, Vec<TrainingStep>), EngramError> {
    let mut w = start_weights.unwrap_or_else(|| net.weights(config)[4].clone());
    let asm = members_of(net, assembly_ids);
    let non = net.non_assembly();
    let step = |w: &WeightMatrix, repeat, e_rate_odor_hz, assembly_rate_hz| {
        let inh = inhibitory_input_ns(w, config.n_exc);
        TrainingStep {
            repeat,
            w_assembly_ns: mean_at(&inh, &asm),
            w_non_assembly_ns: mean_at(&inh, &non),
            e_rate_odor_hz,
            assembly_rate_hz,
        }
    };
    let mut steps = vec![step(&w, 0, f64::NAN, f64::NAN)];
    let protocol = Protocol::trials(odors.to_vec());
    for r in 0..params.repeats {
        let ie = IeOptions { weights: Some(w), istdp: Some(params.istdp.clone()) };
        let seed = run_seed ^ (0x7A11_0000 + r as u64);
        let (rec, learned) = simulate_with(config, net, &protocol, seed, dt_ms, None, &ie)?;
        let e_rate = mean_of(rec.windows_of(WindowKind::Odor).map(|k| mean_of(rec.e_rates_hz(k))));
        let a_rate = own_assembly_rate(&rec, net, assembly_ids);
        w = learned;
        steps.push(step(&w, r + 1, e_rate, a_rate));
    }
    Ok((w, steps))
}

/// Measure `net` (with I→E `weights` if given, frozen) with the standard protocol.
pub fn measure(
    config: &DpConfig,
    net: &DpConnectivity,
    weights: Option<&WeightMatrix>,
    odors: &[Odor],
    set: OdorSet,
    run_seed: u64,
    dt_ms: f64,
) -> Result<RunMetrics, EngramError> {
    let ie = IeOptions { weights: weights.cloned(), istdp: None };
    let (rec, _) = simulate_with(config, net, &Protocol::trials(odors.to_vec()), run_seed, dt_ms, None, &ie)?;
    Ok(run_metrics(&rec, net, set))
}

/// Options of `cargo xtask reproduce dp-learned`.
#[derive(Clone, Debug)]
pub struct LearnedOptions {
    /// 1 network and 4 repeats instead of 2 networks and 8 repeats.
    pub quick: bool,
    /// Experiment seed.
    pub seed: u64,
    /// Output directory.
    pub out: PathBuf,
}

/// The conditions measured, in table order.
pub const CONDITIONS: [&str; 7] =
    ["rand", "scaled_i", "tuned_ei", "start_chi1", "learned_istdp", "new_wired", "after_continual"];

/// One network's results.
#[derive(Clone, Debug, Serialize)]
pub struct InstanceResult {
    /// Network seed.
    pub network_seed: u64,
    /// Per condition (see [`CONDITIONS`]): learned-odor and novel-odor measures.
    pub conditions: Vec<(String, RunMetrics, RunMetrics)>,
    /// Phase 1 trajectory (10 learned odors).
    pub training: Vec<TrainingStep>,
    /// Phase 2 trajectory (2 new odors; the assembly weights are of the new assemblies).
    pub continual: Vec<TrainingStep>,
    /// Phase 2: total I→E weight onto the old (trained) assembly neurons per step, nS.
    pub continual_w_old_assembly_ns: Vec<f64>,
    /// Own-assembly rate of the new odors, before / after phase 2, Hz.
    pub new_assembly_rate_hz: (f64, f64),
    /// Loop wall time, s.
    pub wall_s: f64,
}

fn run_instance(
    config: &DpConfig,
    odors: &engram_stimuli::OdorSets,
    network_seed: u64,
    params: &LearnedParams,
    dt: f64,
) -> Result<InstanceResult, EngramError> {
    let t0 = std::time::Instant::now();
    let base = DpConnectivity::generate(config, &odors.learned, network_seed)?;
    let learned_odors = odors.learned[..10].to_vec();
    let novel_odors = odors.novel[..10].to_vec();
    let seed_of = |set: OdorSet| network_seed ^ ((set as u64 + 1) * 0x9E37);
    let both = |net: &DpConnectivity, w: Option<&WeightMatrix>| -> Result<(RunMetrics, RunMetrics), EngramError> {
        Ok((
            measure(config, net, w, &learned_odors, OdorSet::Learned, seed_of(OdorSet::Learned), dt)?,
            measure(config, net, w, &novel_odors, OdorSet::Novel, seed_of(OdorSet::Novel), dt)?,
        ))
    };
    let mut conditions = Vec::new();
    for (name, v) in [("rand", Variant::Rand), ("scaled_i", Variant::SCALED_I), ("tuned_ei", Variant::TUNED_EI)] {
        let (net, _) = base.with_variant(config, v, network_seed)?;
        let (l, n) = both(&net, None)?;
        conditions.push((name.to_string(), l, n));
    }
    let (start, _) = base.with_variant(config, START, network_seed)?;
    let (l, n) = both(&start, None)?;
    conditions.push(("start_chi1".into(), l, n));
    let ids: Vec<usize> = (0..10).collect();
    let (w1, training) = train(config, &start, &learned_odors, &ids, None, params, network_seed, dt)?;
    let (l, n) = both(&start, Some(&w1))?;
    conditions.push(("learned_istdp".into(), l, n));
    // continual learning: novel odors 0 and 1 get assemblies 15 and 16
    let new_odors = odors.novel[..2].to_vec();
    let (net2, _) = add_assemblies(config, START, &base, &start, &new_odors, network_seed)?;
    let (l, n) = both(&net2, Some(&w1))?;
    conditions.push(("new_wired".into(), l, n));
    let n0 = start.assemblies.len();
    let new_ids = [n0, n0 + 1];
    let new_rate = |w: &WeightMatrix| -> Result<f64, EngramError> {
        let ie = IeOptions { weights: Some(w.clone()), istdp: None };
        let p = Protocol::trials(new_odors.clone());
        let (rec, _) = simulate_with(config, &net2, &p, network_seed ^ 0xC0_FFEE, dt, None, &ie)?;
        Ok(own_assembly_rate(&rec, &net2, &new_ids))
    };
    let new_before = new_rate(&w1)?;
    let (w2, continual) =
        train(config, &net2, &new_odors, &new_ids, Some(w1.clone()), params, network_seed ^ 0x5EC0_0000, dt)?;
    let new_after = new_rate(&w2)?;
    let (l, n) = both(&net2, Some(&w2))?;
    conditions.push(("after_continual".into(), l, n));
    let old = members_of(&start, &ids);
    let continual_w_old_assembly_ns = {
        // weights onto the old assemblies at the start and end of phase 2
        let a = mean_at(&inhibitory_input_ns(&w1, config.n_exc), &old);
        let b = mean_at(&inhibitory_input_ns(&w2, config.n_exc), &old);
        vec![a, b]
    };
    // amplification vs rand, same odor set
    let (rand_l, rand_n) = (conditions[0].1.clone(), conditions[0].2.clone());
    for c in &mut conditions {
        c.1.amplification_in = c.1.assembly_rate_hz / rand_l.assembly_rate_hz;
        c.1.amplification_out = c.1.non_assembly_rate_hz / rand_l.non_assembly_rate_hz;
        c.2.amplification_in = c.2.assembly_rate_hz / rand_n.assembly_rate_hz;
        c.2.amplification_out = c.2.non_assembly_rate_hz / rand_n.non_assembly_rate_hz;
    }
    Ok(InstanceResult {
        network_seed,
        conditions,
        training,
        continual,
        continual_w_old_assembly_ns,
        new_assembly_rate_hz: (new_before, new_after),
        wall_s: t0.elapsed().as_secs_f64(),
    })
}

type Measure = fn(&RunMetrics) -> f64;

/// The measures of the table and the bar figure.
pub const MEASURES: [(&str, Measure); 9] = [
    ("e_rate_odor_hz", |m| m.e_rate_odor_hz),
    ("assembly_rate_hz", |m| m.assembly_rate_hz),
    ("non_assembly_rate_hz", |m| m.non_assembly_rate_hz),
    ("amplification_in", |m| m.amplification_in),
    ("amplification_out", |m| m.amplification_out),
    ("assembly_rate_after_offset_hz", |m| m.assembly_rate_after_offset_hz),
    ("cotuning_r", |m| m.cotuning_r),
    ("balanced_sd_ratio", |m| m.balanced_sd_ratio),
    ("isi_cv_assembly", |m| m.isi_cv_assembly),
];

/// Run the experiment; writes `OUT/summary.json`, `OUT/dp_learned_measures.{png,svg}` and
/// `OUT/dp_learned_weights.{png,svg}`; returns the summary.
pub fn reproduce(options: LearnedOptions) -> Result<serde_json::Value, EngramError> {
    let t0 = std::time::Instant::now();
    let config = DpConfig { structure: Structure::A, ..DpConfig::default() };
    let odors = odor_sets(&config, options.seed)?;
    let params = LearnedParams { repeats: if options.quick { 4 } else { 8 }, ..LearnedParams::default() };
    let n_net = if options.quick { 1 } else { 2 };
    let seeds: Vec<u64> = (1..=n_net as u64).map(|k| options.seed.wrapping_mul(1000).wrapping_add(k)).collect();
    let results = seeds
        .par_iter()
        .map(|&s| run_instance(&config, &odors, s, &params, 0.1))
        .collect::<Result<Vec<_>, EngramError>>()?;
    std::fs::create_dir_all(&options.out)
        .map_err(|source| EngramError::Output { path: options.out.clone(), source })?;
    // table: condition -> set -> measure -> (mean, sd)
    let stat = |c: usize, learned: bool, f: Measure| {
        let v: Vec<f64> =
            results.iter().map(|r| f(if learned { &r.conditions[c].1 } else { &r.conditions[c].2 })).collect();
        finite_mean_sd(&v)
    };
    let mut table = serde_json::Map::new();
    for (c, name) in CONDITIONS.iter().enumerate() {
        let mut sets = serde_json::Map::new();
        for (set, learned) in [("learned", true), ("novel", false)] {
            let mut m = serde_json::Map::new();
            for (mname, f) in MEASURES {
                let (mean, sd) = stat(c, learned, f);
                m.insert(mname.into(), json!({"mean": mean, "sd": sd}));
            }
            sets.insert(set.into(), m.into());
        }
        table.insert(name.to_string(), sets.into());
    }
    // figures
    let cats: Vec<&str> = CONDITIONS.to_vec();
    let clean = |x: f64| if x.is_finite() { x } else { 0.0 };
    let panel = |title: &str, ylabel: &str, f: Measure, with_novel: bool| {
        let mut p = BarPanel::new(title, ylabel, &cats);
        let sets: &[(&str, bool)] =
            if with_novel { &[("learned", true), ("novel", false)] } else { &[("learned", true)] };
        for &(sname, learned) in sets {
            let s: Vec<(f64, f64)> = (0..CONDITIONS.len()).map(|c| stat(c, learned, f)).collect();
            p = p.group(
                sname,
                &s.iter().map(|x| clean(x.0)).collect::<Vec<_>>(),
                &s.iter().map(|x| clean(x.1)).collect::<Vec<_>>(),
            );
        }
        p
    };
    Figure::new(2, 4)
        .title("Learned E/I assemblies: iSTDP on I→E vs hard-wired variants (mean ± SD over networks)")
        .size(2400, 1100)
        .panel(panel("E rate during odor", "Hz", |m| m.e_rate_odor_hz, true))
        .panel(panel("assembly rate", "Hz", |m| m.assembly_rate_hz, true))
        .panel(panel("amplification in assemblies", "× rand", |m| m.amplification_in, false))
        .panel(panel("assembly rate after offset", "Hz", |m| m.assembly_rate_after_offset_hz, false))
        .panel(panel("E/I co-tuning r", "r", |m| m.cotuning_r, false))
        .panel(panel("balanced / counter-balanced SD", "ratio", |m| m.balanced_sd_ratio, false))
        .panel(panel("ISI CV, assembly neurons", "CV", |m| m.isi_cv_assembly, false))
        .panel(panel("non-assembly rate", "Hz", |m| m.non_assembly_rate_hz, true))
        .save(options.out.join("dp_learned_measures"))
        .map_err(plot_err)?;
    let r0 = &results[0];
    let n1 = r0.training.len() - 1;
    let pts = |steps: &[TrainingStep], off: usize, f: fn(&TrainingStep) -> f64| -> Vec<(f64, f64)> {
        steps.iter().map(|s| ((s.repeat + off) as f64, f(s))).collect()
    };
    let rate_pts = |steps: &[TrainingStep], off: usize| -> Vec<(f64, f64)> {
        steps.iter().filter(|s| s.repeat > 0).map(|s| ((s.repeat + off) as f64, s.assembly_rate_hz)).collect()
    };
    Figure::new(1, 2)
        .title(&format!(
            "iSTDP training, network {} (repeats 1–{n1}: learned odors; then 2 new odors)",
            r0.network_seed
        ))
        .size(1600, 600)
        .panel(
            LinePanel::new("total I→E weight onto a neuron", "repeat", "nS")
                .series("trained assemblies (phase 1)", &pts(&r0.training, 0, |s| s.w_assembly_ns))
                .series("no assembly (phase 1)", &pts(&r0.training, 0, |s| s.w_non_assembly_ns))
                .series("new assemblies (phase 2)", &pts(&r0.continual, n1, |s| s.w_assembly_ns))
                .series("no assembly (phase 2)", &pts(&r0.continual, n1, |s| s.w_non_assembly_ns)),
        )
        .panel(
            LinePanel::new("own-assembly rate during odor (plastic)", "repeat", "Hz")
                .series("learned odors (phase 1)", &rate_pts(&r0.training, 0))
                .series("new odors (phase 2)", &rate_pts(&r0.continual, n1)),
        )
        .save(options.out.join("dp_learned_weights"))
        .map_err(plot_err)?;
    let summary = json!({
        "model": "dp-learned: iSTDP on I->E from Scaled I chi=1 (structure A)",
        "seed": options.seed,
        "quick": options.quick,
        "params": params,
        "conditions": CONDITIONS,
        "table": table,
        "instances": results,
        "wall_s": t0.elapsed().as_secs_f64(),
    });
    write_json(&options.out.join("summary.json"), &summary)?;
    Ok(summary)
}
