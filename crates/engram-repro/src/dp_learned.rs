//! Learned E/I assemblies (`cargo xtask reproduce dp-learned`): the Dp paper hard-wires its
//! E/I assemblies (Tuned E+I); here inhibitory STDP (Vogels et al. 2011) on I→E, alone or
//! with pair STDP on E→I, has to find them.
//!
//! Procedure (structure-A network instances, `seed·1000 + k` as in `reproduce dp`):
//! 1. Start: the Scaled I connectivity with χ = 1 (E assemblies with α = 5, random I→E at the
//!    rand weight), the unstable, Scaled-like situation: assemblies run away.
//! 2. Training, once per setting of the sweep ([`sweep`]: target rate ρ0 × learning rate η,
//!    and the default with E→I learning): the odors of all 15 assemblies presented `repeats`
//!    times (standard 3 s trials, 1 s baseline + 2 s odor) with iSTDP on every I→E synapse
//!    (bounds [0, `w_max`]) and, in the E→I setting, additive pair STDP on every E→I synapse
//!    ([`LearnedParams::e_i_rule`]). One simulation per repeat (46 s); the learned weights carry
//!    over, the rules' traces and the neuron state start afresh each repeat (a 1 s baseline
//!    separates repeats anyway).
//! 3. Measurement: weights frozen (no plasticity), the standard protocol with the 10 learned
//!    and the 10 novel odors, [`run_metrics`]; compared with rand, Scaled I (χ 1.4) and Tuned
//!    E+I of the same instance, with the same OB Poisson draws (paired).
//! 4. Geometry (Figs 4–5), weights frozen: the odor-subspace protocol of
//!    [`fig45`](crate::dp::fig45) (corners L, M = learned odors 0, 1, whose assemblies
//!    were trained; N, O = novel odors 0, 1), analysed by the same [`analyse`] as `reproduce
//!    dp` (PCA, participation ratio, angles, local variance, d_M, QDA; the Fig. 5 readouts
//!    template / regression / SVM are left out). The same subspace, simulation seed and
//!    readout seed as `reproduce dp --quick`, so the rand / Scaled I / Tuned E+I rows of the
//!    first network equal that run's network A1.
//! 5. Continual learning (first setting of the sweep only): two novel odors get new E
//!    assemblies (assemblies 15 and 16, by the procedure of Fig. 6, [`add_assemblies`]), then
//!    are presented `repeats` times with iSTDP on, starting from the learned weights; the old
//!    learned odors are re-measured (frozen) right after the new assemblies are wired and
//!    again after training on the new odors.
//!
//! Choices (not in the paper, which has no plasticity in Dp): ρ0 ∈ {1, 2} Hz (1 Hz is the mean
//! E rate of the rand network during odors; 2 Hz leaves room for amplification); η ∈ {0.05,
//! 0.02} nS per unit trace (see [`LearnedParams`]); bounds [0, 5] nS per (multi-)synapse; the
//! I→E pattern is fixed (only weights change). All 15 assemblies are trained, not only the 10
//! measured odors': an untrained assembly keeps χ = 1 inhibition on a network whose other
//! inhibition iSTDP has lowered, and it ignited and stayed on through the subspace run (seen
//! with 10 trained). E→I learning (one setting): Hebbian pair STDP, so that I cells that fire
//! with an assembly take more of its drive (an I assembly, as Tuned E+I wires by hand);
//! A₊ = 0.05 of the bound [0, 3 × 0.068 nS] (0.2 ran away once frozen in a trial run, see the
//! report); its pattern is fixed too. How selective the I cells' drive became is
//! [`TrainingStep::e_i_selectivity`].

use std::path::PathBuf;

use engram_connectivity::WeightMatrix;
use engram_core::error::EngramError;
use engram_core::rng::component_id;
use engram_models::dp::continual::add_assemblies;
use engram_models::dp::metrics::{OdorSet, RunMetrics, mean_of, run_metrics};
use engram_models::dp::network::{DpConnectivity, odor_sets};
use engram_models::dp::params::{DpConfig, Structure, Variant};
use engram_models::dp::simulate::{LearnedWeights, LearningOptions, Protocol, WindowKind, simulate_with};
use engram_models::dp::subspace::{Subspace, corner_assemblies, half_rates};
use engram_plasticity::{InhibitoryStdpParams, PairStdpParams};
use engram_plot::{BarPanel, Figure, LinePanel};
use engram_stimuli::Odor;
use rayon::prelude::*;
use serde::Serialize;
use serde_json::json;

use crate::dp::fig45::{
    ReadoutSizes, RunAnalysis, analyse, angle_panel, bars, corner_scatter, distances_summary, dm_panel,
    geometry_summary, ob_reference, pr_panel, readout_summary, stat, trajectory_ids,
};
use crate::dp::{finite_mean_sd, plot_err, write_json};

/// The starting point: E assemblies, random inhibition at the rand weight.
pub const START: Variant = Variant::ScaledI { alpha: 5.0, chi: 1.0 };

/// Parameters of the learning phases.
#[derive(Clone, Debug, Serialize)]
pub struct LearnedParams {
    /// The iSTDP rule on I→E (weights in nS).
    pub istdp: InhibitoryStdpParams,
    /// Pair STDP on E→I (weights in nS), if E→I learns too; `None`: E→I stays fixed.
    pub e_i_stdp: Option<PairStdpParams>,
    /// Presentations of every odor during training.
    pub repeats: usize,
}

impl LearnedParams {
    /// These parameters with target rate `rho0_hz` and learning rate `eta`.
    pub fn with_rule(&self, rho0_hz: f64, eta: f64) -> Self {
        let mut p = self.clone();
        p.istdp.target_rate_hz = rho0_hz;
        p.istdp.eta = eta;
        p
    }

    /// These parameters with E→I learning by [`LearnedParams::e_i_rule`].
    pub fn with_e_i_learning(&self) -> Self {
        Self { e_i_stdp: Some(Self::e_i_rule()), ..self.clone() }
    }

    /// Condition key of the network trained with these parameters, e.g. `istdp_rho1_eta0.05`
    /// (`…_ei` with E→I learning).
    pub fn key(&self) -> String {
        let ei = if self.e_i_stdp.is_some() { "_ei" } else { "" };
        format!("istdp_rho{}_eta{}{ei}", self.istdp.target_rate_hz, self.istdp.eta)
    }

    /// Short label for tables and figures, e.g. `iSTDP ρ0=1 η=0.05` (`… + E→I STDP`).
    pub fn label(&self) -> String {
        let ei = if self.e_i_stdp.is_some() { " + E→I STDP" } else { "" };
        format!("iSTDP ρ0={} η={}{ei}", self.istdp.target_rate_hz, self.istdp.eta)
    }

    /// The E→I rule: additive all-to-all pair STDP (Song, Miller & Abbott 2000: τ± = 20 ms,
    /// A₋ = 1.05 A₊) in nS, bounds [0, 3 w_EI] with w_EI = 0.068 nS the structure-A weight
    /// (3×: the γ of Tuned E+I), A₊ = 0.05 of the upper bound.
    pub fn e_i_rule() -> PairStdpParams {
        let w_max = 3.0 * 0.068;
        let a_plus = 0.05 * w_max;
        PairStdpParams { a_plus, a_minus: 1.05 * a_plus, w_min: 0.0, w_max, ..PairStdpParams::default() }
    }
}

/// The settings trained (`repeats` presentations each): iSTDP with ρ0 ∈ {1, 2} Hz × η ∈
/// {0.05, 0.02} nS, the default (ρ0 = 1 Hz, η = 0.05 nS) first, then the default with E→I
/// learning too ([`LearnedParams::with_e_i_learning`]). `--quick`: the default and the default
/// with E→I learning.
pub fn sweep(quick: bool, repeats: usize) -> Vec<LearnedParams> {
    let base = LearnedParams { repeats, ..LearnedParams::default() };
    let grid: &[(f64, f64)] =
        if quick { &[(1.0, 0.05)] } else { &[(1.0, 0.05), (2.0, 0.05), (1.0, 0.02), (2.0, 0.02)] };
    let mut settings: Vec<LearnedParams> = grid.iter().map(|&(rho0, eta)| base.with_rule(rho0, eta)).collect();
    settings.push(base.with_e_i_learning());
    settings
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
            e_i_stdp: None,
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
    /// E→I selectivity: per trained assembly, the total E→I weight from its members onto each
    /// I neuron; the mean over the top 25 I neurons (an I assembly's size in Tuned E+I)
    /// divided by the mean over all, averaged over the assemblies (1 = no preference).
    pub e_i_selectivity: f64,
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

/// Size of the I assemblies of Tuned E+I (per E assembly).
const I_ASSEMBLY_SIZE: usize = 25;

/// See [`TrainingStep::e_i_selectivity`]; `groups` are the E assemblies' members.
pub fn e_i_selectivity(e_i: &WeightMatrix, groups: &[Vec<u32>], n_inh: usize) -> f64 {
    mean_of(groups.iter().map(|members| {
        let mut drive = vec![0.0; n_inh];
        for &e in members {
            if let Some(row) = e_i.outer_view(e as usize) {
                for (i, w) in row.iter() {
                    drive[i] += *w;
                }
            }
        }
        let all = mean_of(drive.iter().copied());
        drive.sort_by(|a, b| b.total_cmp(a));
        mean_of(drive[..I_ASSEMBLY_SIZE.min(n_inh)].iter().copied()) / all
    }))
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
fn own_assembly_rate(rec: &engram_models::dp::simulate::DpRecording, net: &DpConnectivity, ids: &[usize]) -> f64 {
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
    start_weights: Option<LearnedWeights>,
    params: &LearnedParams,
    run_seed: u64,
    dt_ms: f64,
) -> Result<(LearnedWeights, Vec<TrainingStep>), EngramError> {
    let mut w = start_weights.unwrap_or_else(|| LearnedWeights::of(config, net));
    let asm = members_of(net, assembly_ids);
    let non = net.non_assembly();
    let groups: Vec<Vec<u32>> = assembly_ids.iter().map(|&k| members_of(net, &[k])).collect();
    let step = |w: &LearnedWeights, repeat, e_rate_odor_hz, assembly_rate_hz| {
        let inh = inhibitory_input_ns(&w.i_e, config.n_exc);
        TrainingStep {
            repeat,
            w_assembly_ns: mean_at(&inh, &asm),
            w_non_assembly_ns: mean_at(&inh, &non),
            e_i_selectivity: e_i_selectivity(&w.e_i, &groups, config.n_inh),
            e_rate_odor_hz,
            assembly_rate_hz,
        }
    };
    let mut steps = vec![step(&w, 0, f64::NAN, f64::NAN)];
    let protocol = Protocol::trials(odors.to_vec());
    for r in 0..params.repeats {
        let ie =
            LearningOptions { weights: Some(w), istdp: Some(params.istdp.clone()), e_i_stdp: params.e_i_stdp.clone() };
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
    weights: Option<&LearnedWeights>,
    odors: &[Odor],
    set: OdorSet,
    run_seed: u64,
    dt_ms: f64,
) -> Result<RunMetrics, EngramError> {
    let ie = LearningOptions { weights: weights.cloned(), ..LearningOptions::default() };
    let (rec, _) = simulate_with(config, net, &Protocol::trials(odors.to_vec()), run_seed, dt_ms, None, &ie)?;
    Ok(run_metrics(&rec, net, set))
}

/// Geometry (Figs 4–5) of `net` with I→E `weights` (frozen) if given: the subspace protocol
/// simulated with the seed of `reproduce dp` (`network_seed ^ 0x4545`), analysed by
/// [`analyse`] with the readout seed `network_seed ^ component_id(key)` (`key` = the variant
/// key of `reproduce dp`, e.g. `rand`, for the same numbers). The corners' (pseudo-)assemblies
/// are those of `net` ([`corner_assemblies`]).
#[allow(clippy::too_many_arguments)]
pub fn subspace_analysis(
    config: &DpConfig,
    net: &DpConnectivity,
    weights: Option<&LearnedWeights>,
    sub: &Subspace,
    sizes: &ReadoutSizes,
    network_seed: u64,
    key: &str,
    dt_ms: f64,
) -> Result<RunAnalysis, EngramError> {
    let asm = corner_assemblies(net, config, &sub.corners, network_seed)?;
    let ie = LearningOptions { weights: weights.cloned(), ..LearningOptions::default() };
    let (rec, _) = simulate_with(config, net, &sub.protocol(), network_seed ^ 0x4545, dt_ms, None, &ie)?;
    let (first, second) = half_rates(&rec);
    drop(rec);
    analyse(sub, &first, &second, &asm, sizes, network_seed ^ component_id(key))
}

/// Options of `cargo xtask reproduce dp-learned`.
#[derive(Clone, Debug)]
pub struct LearnedOptions {
    /// 1 network, 4 repeats, 1 iSTDP setting, one subspace trajectory and no geometry for
    /// Scaled I and the start, instead of 3 networks, 8 repeats, 4 settings and two
    /// trajectories.
    pub quick: bool,
    /// Experiment seed.
    pub seed: u64,
    /// Output directory.
    pub out: PathBuf,
    /// Test-only size: the quick protocol on a network scaled down by this factor (1 = full
    /// size), to run the whole pipeline in CI. Its numbers mean nothing.
    pub scale_down: usize,
}

/// The hard-wired reference conditions, in table order (the trained ones follow, then
/// `new_wired` and `after_continual`).
pub const REFERENCES: [&str; 4] = ["rand", "scaled_i", "tuned_ei", "start_chi1"];

/// One condition measured on one network.
#[derive(Clone, Debug, Serialize)]
pub struct Condition {
    /// Condition key (`rand`, …, `istdp_rho1_eta0.05`, `new_wired`, `after_continual`).
    pub key: String,
    /// Standard protocol, 10 learned odors.
    pub learned: RunMetrics,
    /// Standard protocol, 10 novel odors.
    pub novel: RunMetrics,
    /// Subspace geometry and readouts (Figs 4–5), if measured.
    pub geometry: Option<RunAnalysis>,
}

/// Training trajectory of one iSTDP setting.
#[derive(Clone, Debug, Serialize)]
pub struct Training {
    /// Condition key of the setting.
    pub key: String,
    /// Step 0 = start, then one step per repeat.
    pub steps: Vec<TrainingStep>,
}

/// Continual learning (first setting of the sweep).
#[derive(Clone, Debug, Serialize)]
pub struct Continual {
    /// Trajectory of phase 2 (2 new odors; the assembly weights are of the new assemblies).
    pub steps: Vec<TrainingStep>,
    /// Total I→E weight onto the old (trained) assembly neurons, start / end of phase 2, nS.
    pub w_old_assembly_ns: Vec<f64>,
    /// Own-assembly rate of the new odors, before / after phase 2, Hz.
    pub new_assembly_rate_hz: (f64, f64),
}

/// One network's results.
#[derive(Clone, Debug, Serialize)]
pub struct InstanceResult {
    /// Network seed.
    pub network_seed: u64,
    /// Per condition, in table order.
    pub conditions: Vec<Condition>,
    /// Phase 1 trajectory of every setting (the 15 assemblies' odors).
    pub training: Vec<Training>,
    /// Phase 2 (continual learning) of the first setting.
    pub continual: Option<Continual>,
}

/// What one job of the run does.
#[derive(Clone, Copy, Debug)]
enum Task {
    /// A hard-wired condition: measures and geometry.
    Reference(usize),
    /// Training with setting `k`, then measures and geometry (and continual learning for 0).
    Setting(usize),
}

struct JobOut {
    net: usize,
    conditions: Vec<Condition>,
    training: Option<Training>,
    continual: Option<Continual>,
    wall_s: f64,
}

/// Everything shared by the jobs of a run.
struct Experiment<'a> {
    config: &'a DpConfig,
    odors: &'a engram_stimuli::OdorSets,
    sub: &'a Subspace,
    sizes: &'a ReadoutSizes,
    settings: &'a [LearnedParams],
    /// Whether the geometry of each of [`REFERENCES`] is measured.
    reference_geometry: [bool; 4],
    dt_ms: f64,
}

impl Experiment<'_> {
    fn both(
        &self,
        net: &DpConnectivity,
        w: Option<&LearnedWeights>,
        network_seed: u64,
    ) -> Result<(RunMetrics, RunMetrics), EngramError> {
        let seed_of = |set: OdorSet| network_seed ^ ((set as u64 + 1) * 0x9E37);
        let (l, n) = (&self.odors.learned[..10], &self.odors.novel[..10]);
        Ok((
            measure(self.config, net, w, l, OdorSet::Learned, seed_of(OdorSet::Learned), self.dt_ms)?,
            measure(self.config, net, w, n, OdorSet::Novel, seed_of(OdorSet::Novel), self.dt_ms)?,
        ))
    }

    fn condition(
        &self,
        key: &str,
        net: &DpConnectivity,
        w: Option<&LearnedWeights>,
        network_seed: u64,
        geometry: bool,
    ) -> Result<Condition, EngramError> {
        let (learned, novel) = self.both(net, w, network_seed)?;
        let geometry = if geometry {
            Some(subspace_analysis(self.config, net, w, self.sub, self.sizes, network_seed, key, self.dt_ms)?)
        } else {
            None
        };
        Ok(Condition { key: key.to_string(), learned, novel, geometry })
    }

    fn run(&self, base: &DpConnectivity, net: usize, network_seed: u64, task: Task) -> Result<JobOut, EngramError> {
        let t0 = std::time::Instant::now();
        let config = self.config;
        let mut out = JobOut { net, conditions: Vec::new(), training: None, continual: None, wall_s: 0.0 };
        let (start, _) = base.with_variant(config, START, network_seed)?;
        match task {
            Task::Reference(r) => {
                let variant = [Variant::Rand, Variant::SCALED_I, Variant::TUNED_EI, START][r];
                let (conn, _) = base.with_variant(config, variant, network_seed)?;
                let geometry = self.reference_geometry[r];
                out.conditions.push(self.condition(REFERENCES[r], &conn, None, network_seed, geometry)?);
            }
            Task::Setting(k) => {
                let params = &self.settings[k];
                let ids: Vec<usize> = (0..config.n_assemblies).collect();
                let learned_odors = &self.odors.learned[..config.n_assemblies];
                let (w1, steps) = train(config, &start, learned_odors, &ids, None, params, network_seed, self.dt_ms)?;
                out.training = Some(Training { key: params.key(), steps });
                out.conditions.push(self.condition(&params.key(), &start, Some(&w1), network_seed, true)?);
                if k == 0 {
                    let (conditions, continual) = self.continual(base, &start, &w1, params, network_seed)?;
                    out.conditions.extend(conditions);
                    out.continual = Some(continual);
                }
            }
        }
        out.wall_s = t0.elapsed().as_secs_f64();
        Ok(out)
    }

    /// Novel odors 0 and 1 get assemblies 15 and 16; returns `new_wired` and `after_continual`.
    fn continual(
        &self,
        base: &DpConnectivity,
        start: &DpConnectivity,
        w1: &LearnedWeights,
        params: &LearnedParams,
        network_seed: u64,
    ) -> Result<(Vec<Condition>, Continual), EngramError> {
        let (config, dt) = (self.config, self.dt_ms);
        let new_odors = self.odors.novel[..2].to_vec();
        let (net2, _) = add_assemblies(config, START, base, start, &new_odors, network_seed)?;
        let wired = self.condition("new_wired", &net2, Some(w1), network_seed, false)?;
        let n0 = start.assemblies.len();
        let new_ids = [n0, n0 + 1];
        let new_rate = |w: &LearnedWeights| -> Result<f64, EngramError> {
            let ie = LearningOptions { weights: Some(w.clone()), ..LearningOptions::default() };
            let p = Protocol::trials(new_odors.clone());
            let (rec, _) = simulate_with(config, &net2, &p, network_seed ^ 0xC0_FFEE, dt, None, &ie)?;
            Ok(own_assembly_rate(&rec, &net2, &new_ids))
        };
        let new_before = new_rate(w1)?;
        let (w2, steps) =
            train(config, &net2, &new_odors, &new_ids, Some(w1.clone()), params, network_seed ^ 0x5EC0_0000, dt)?;
        let new_after = new_rate(&w2)?;
        let after = self.condition("after_continual", &net2, Some(&w2), network_seed, false)?;
        let old = members_of(start, &(0..config.n_assemblies).collect::<Vec<_>>());
        let w_old = |w: &LearnedWeights| mean_at(&inhibitory_input_ns(&w.i_e, config.n_exc), &old);
        let continual = Continual {
            steps,
            w_old_assembly_ns: vec![w_old(w1), w_old(&w2)],
            new_assembly_rate_hz: (new_before, new_after),
        };
        Ok((vec![wired, after], continual))
    }
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

/// Short labels of the condition keys for figures.
fn short_label(key: &str, settings: &[LearnedParams]) -> String {
    match key {
        "rand" => "rand".into(),
        "scaled_i" => "Scaled I".into(),
        "tuned_ei" => "Tuned E+I".into(),
        "start_chi1" => "start χ1".into(),
        "new_wired" => "new wired".into(),
        "after_continual" => "after cont.".into(),
        k => settings.iter().find(|p| p.key() == k).map_or(k.to_string(), |p| {
            let ei = if p.e_i_stdp.is_some() { " +E→I" } else { "" };
            format!("ρ0 {} η {}{ei}", p.istdp.target_rate_hz, p.istdp.eta)
        }),
    }
}

/// Run the experiment; writes `OUT/summary.json`, `OUT/dp_learned_measures.{png,svg}`,
/// `OUT/dp_learned_geometry.{png,svg}` and `OUT/dp_learned_weights.{png,svg}`; returns the
/// summary.
pub fn reproduce(options: LearnedOptions) -> Result<serde_json::Value, EngramError> {
    let t0 = std::time::Instant::now();
    let quick = options.quick;
    let config = DpConfig { structure: Structure::A, ..DpConfig::default() }.scaled_down(options.scale_down.max(1));
    let odors = odor_sets(&config, options.seed)?;
    let settings = sweep(quick, if quick { 4 } else { 8 });
    let n_net = if quick { 1 } else { 3 };
    let seeds: Vec<u64> = (1..=n_net as u64).map(|k| options.seed.wrapping_mul(1000).wrapping_add(k)).collect();
    // the subspace of `reproduce dp --quick` (trajectories 0 and 4); `--quick` here: trajectory 0
    let corners = [odors.learned[0].clone(), odors.learned[1].clone(), odors.novel[0].clone(), odors.novel[1].clone()];
    let ids = if quick { vec![trajectory_ids(true)[0]] } else { trajectory_ids(true) };
    let sub = Subspace::new(corners, &ids, options.seed ^ component_id("dp:fig45:subspace"))?;
    let sizes = ReadoutSizes { readouts: false, ..ReadoutSizes::new(true) };
    let bases = seeds
        .par_iter()
        .map(|&s| DpConnectivity::generate(&config, &odors.learned, s))
        .collect::<Result<Vec<_>, EngramError>>()?;
    let exp = Experiment {
        config: &config,
        odors: &odors,
        sub: &sub,
        sizes: &sizes,
        settings: &settings,
        reference_geometry: if quick { [true, false, true, false] } else { [true; 4] },
        dt_ms: 0.1,
    };
    // longest jobs first: setting 0 (with continual learning), the other settings, the references
    let mut jobs: Vec<(usize, Task)> = Vec::new();
    for k in 0..settings.len() {
        jobs.extend((0..n_net).map(|n| (n, Task::Setting(k))));
    }
    for r in 0..REFERENCES.len() {
        jobs.extend((0..n_net).map(|n| (n, Task::Reference(r))));
    }
    let outs = jobs
        .par_iter()
        .map(|&(n, task)| exp.run(&bases[n], n, seeds[n], task))
        .collect::<Result<Vec<_>, EngramError>>()?;
    let keys: Vec<String> = REFERENCES
        .iter()
        .map(|s| s.to_string())
        .chain(settings.iter().map(LearnedParams::key))
        .chain(["new_wired".to_string(), "after_continual".to_string()])
        .collect();
    let mut results: Vec<InstanceResult> = Vec::new();
    for (n, &network_seed) in seeds.iter().enumerate() {
        let mine: Vec<&JobOut> = outs.iter().filter(|o| o.net == n).collect();
        let mut conditions: Vec<Condition> = keys
            .iter()
            .filter_map(|k| mine.iter().flat_map(|o| &o.conditions).find(|c| &c.key == k).cloned())
            .collect();
        // amplification vs rand, same odor set
        let (rand_l, rand_n) = (conditions[0].learned.clone(), conditions[0].novel.clone());
        for c in &mut conditions {
            c.learned.amplification_in = c.learned.assembly_rate_hz / rand_l.assembly_rate_hz;
            c.learned.amplification_out = c.learned.non_assembly_rate_hz / rand_l.non_assembly_rate_hz;
            c.novel.amplification_in = c.novel.assembly_rate_hz / rand_n.assembly_rate_hz;
            c.novel.amplification_out = c.novel.non_assembly_rate_hz / rand_n.non_assembly_rate_hz;
        }
        let training: Vec<Training> = settings
            .iter()
            .filter_map(|p| mine.iter().find_map(|o| o.training.as_ref().filter(|t| t.key == p.key())).cloned())
            .collect();
        let continual = mine.iter().find_map(|o| o.continual.clone());
        results.push(InstanceResult { network_seed, conditions, training, continual });
    }
    std::fs::create_dir_all(&options.out)
        .map_err(|source| EngramError::Output { path: options.out.clone(), source })?;
    let conds: Vec<&str> = results[0].conditions.iter().map(|c| c.key.as_str()).collect();
    let labels: Vec<String> = conds.iter().map(|k| short_label(k, &settings)).collect();
    // table: condition -> set -> measure -> (mean, sd)
    let measure_stat = |c: usize, learned: bool, f: Measure| {
        let v: Vec<f64> = results
            .iter()
            .map(|r| f(if learned { &r.conditions[c].learned } else { &r.conditions[c].novel }))
            .collect();
        finite_mean_sd(&v)
    };
    let mut table = serde_json::Map::new();
    for (c, name) in conds.iter().enumerate() {
        let mut sets = serde_json::Map::new();
        for (set, learned) in [("learned", true), ("novel", false)] {
            let mut m = serde_json::Map::new();
            for (mname, f) in MEASURES {
                let (mean, sd) = measure_stat(c, learned, f);
                m.insert(mname.into(), json!({"mean": mean, "sd": sd}));
            }
            sets.insert(set.into(), m.into());
        }
        table.insert(name.to_string(), sets.into());
    }
    // geometry: condition -> the summaries of `reproduce dp` (Fig. 4 geometry, Fig. 5 d_M, QDA)
    let cl = sub.classes();
    let mut geometry = serde_json::Map::new();
    for (c, name) in conds.iter().enumerate() {
        let runs: Vec<&RunAnalysis> = results.iter().filter_map(|r| r.conditions[c].geometry.as_ref()).collect();
        if runs.is_empty() {
            continue;
        }
        let mut g = geometry_summary(&runs);
        g["distances_assembly_neurons"] = distances_summary(&runs, false);
        g["distances_all_neurons"] = distances_summary(&runs, true);
        let readouts = readout_summary(&runs, &sub, &cl);
        g["qda_assembly_neurons"] = readouts["qda_assembly_neurons"].clone();
        g["qda_all_neurons"] = readouts["qda_all_neurons"].clone();
        geometry.insert(name.to_string(), g);
    }
    let ob = ob_reference(&sub, options.seed)?;
    // E→I selectivity of the hard-wired Tuned E+I and of the start (random E→I), per network
    let selectivity = |variant: Variant| -> Result<Vec<f64>, EngramError> {
        bases
            .iter()
            .zip(&seeds)
            .map(|(b, &s)| {
                let (net, _) = b.with_variant(&config, variant, s)?;
                let groups: Vec<Vec<u32>> = (0..config.n_assemblies).map(|k| members_of(&net, &[k])).collect();
                Ok(e_i_selectivity(&LearnedWeights::of(&config, &net).e_i, &groups, config.n_inh))
            })
            .collect()
    };
    let (tuned_selectivity, start_selectivity) = (selectivity(Variant::TUNED_EI)?, selectivity(START)?);

    // figures
    let cats: Vec<&str> = labels.iter().map(String::as_str).collect();
    let clean = |x: f64| if x.is_finite() { x } else { 0.0 };
    let panel = |title: &str, ylabel: &str, f: Measure, with_novel: bool| {
        let mut p = BarPanel::new(title, ylabel, &cats);
        let sets: &[(&str, bool)] =
            if with_novel { &[("learned", true), ("novel", false)] } else { &[("learned", true)] };
        for &(sname, learned) in sets {
            let s: Vec<(f64, f64)> = (0..conds.len()).map(|c| measure_stat(c, learned, f)).collect();
            p = p.group(
                sname,
                &s.iter().map(|x| clean(x.0)).collect::<Vec<_>>(),
                &s.iter().map(|x| clean(x.1)).collect::<Vec<_>>(),
            );
        }
        p
    };
    Figure::new(2, 4)
        .title(&format!(
            "Learned E/I assemblies: iSTDP on I→E (and pair STDP on E→I) vs hard-wired variants (mean ± SD over {n_net} networks)"
        ))
        .size(3000, 1200)
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
    let geo_keys: Vec<&str> = conds.iter().copied().filter(|k| geometry.contains_key(*k)).collect();
    let geo_labels: Vec<String> = geo_keys.iter().map(|k| short_label(k, &settings)).collect();
    let rows: Vec<(&str, &serde_json::Value)> =
        geo_keys.iter().zip(&geo_labels).map(|(k, l)| (l.as_str(), &geometry[*k])).collect();
    let geo_cats: Vec<&str> = rows.iter().map(|r| r.0).collect();
    let by = |path: &[&str]| -> Vec<(f64, f64)> { rows.iter().map(|r| stat(r.1, path)).collect() };
    let r0 = &results[0];
    let first_key = settings[0].key();
    let scatter_keys = ["rand", "scaled_i", "tuned_ei", first_key.as_str()];
    let mut fig = Figure::new(2, 4)
        .title(&format!(
            "Geometry (Figs 4–5 measures, {} subspace presentations; scatter: network {}; bars: mean ± SD over {n_net} networks)",
            sub.len(),
            r0.network_seed
        ))
        .size(2800, 1300);
    for key in &scatter_keys {
        if let Some(g) = r0.conditions.iter().find(|c| c.key == *key).and_then(|c| c.geometry.as_ref()) {
            fig = fig.panel(corner_scatter(&short_label(key, &settings), &g.pc12, &sub));
        }
    }
    let n = sizes.neurons;
    fig.panel(pr_panel("participation ratio", &ob, &rows))
        .panel(angle_panel("angles around pure odors (in PCs)", &rows, "angles_rad_in_pcs"))
        .panel(dm_panel(
            &format!("d_M, {n} (pseudo-)assembly neurons"),
            "d_m",
            "d_M",
            &rows,
            "distances_assembly_neurons",
        ))
        .panel(bars(
            "QDA P(target), test mixtures (assembly neurons)",
            "P(target)",
            &geo_cats,
            &[
                ("learned targets", by(&["qda_assembly_neurons", "p_target_learned"])),
                ("novel targets", by(&["qda_assembly_neurons", "p_target_novel"])),
            ],
        ))
        .save(options.out.join("dp_learned_geometry"))
        .map_err(plot_err)?;
    let n1 = settings[0].repeats;
    let pts = |steps: &[TrainingStep], off: usize, f: fn(&TrainingStep) -> f64| -> Vec<(f64, f64)> {
        steps.iter().filter(|s| f(s).is_finite()).map(|s| ((s.repeat + off) as f64, f(s))).collect()
    };
    let mut wp = LinePanel::new("total I→E weight onto a trained-assembly neuron", "repeat", "nS");
    let mut rp = LinePanel::new("own-assembly rate during odor (plastic)", "repeat", "Hz");
    let mut sp = LinePanel::new("E→I selectivity (top-25 I / all I drive from an assembly)", "repeat", "ratio");
    for t in &r0.training {
        let l = short_label(&t.key, &settings);
        wp = wp.series(&l, &pts(&t.steps, 0, |s| s.w_assembly_ns));
        rp = rp.series(&l, &pts(&t.steps, 0, |s| s.assembly_rate_hz));
        if settings.iter().any(|p| p.key() == t.key && p.e_i_stdp.is_some()) {
            sp = sp.series(&l, &pts(&t.steps, 0, |s| s.e_i_selectivity));
        }
    }
    let n_rep = n1 as f64;
    sp = sp.series("Tuned E+I (hard-wired)", &[(0.0, tuned_selectivity[0]), (n_rep, tuned_selectivity[0])]);
    sp = sp.series("start (random E→I)", &[(0.0, start_selectivity[0]), (n_rep, start_selectivity[0])]);
    if let Some(t) = r0.training.first() {
        wp = wp.series("no assembly (first setting)", &pts(&t.steps, 0, |s| s.w_non_assembly_ns));
    }
    if let Some(c) = &r0.continual {
        wp = wp.series("new assemblies (continual)", &pts(&c.steps, n1, |s| s.w_assembly_ns));
        rp = rp.series("new odors (continual)", &pts(&c.steps, n1, |s| s.assembly_rate_hz));
    }
    Figure::new(1, 3)
        .title(&format!(
            "Training, network {} (repeats 1–{n1}: learned odors; then 2 new odors, first setting)",
            r0.network_seed
        ))
        .size(2400, 600)
        .panel(wp)
        .panel(rp)
        .panel(sp)
        .save(options.out.join("dp_learned_weights"))
        .map_err(plot_err)?;
    let summary = json!({
        "model": "dp-learned: iSTDP on I->E from Scaled I chi=1 (structure A)",
        "seed": options.seed,
        "quick": quick,
        "networks": seeds,
        "settings": settings,
        "conditions": conds,
        "table": table,
        "geometry": geometry,
        "geometry_protocol": {
            "trajectories": ids,
            "presentations": sub.len(),
            "sizes": sizes,
            "training_presentations_per_class": (0..4).map(|c| cl.train.iter().filter(|t| **t == Some(c)).count()).collect::<Vec<_>>(),
            "test_presentations": cl.test.iter().filter(|t| **t).count(),
            "note": "fig45::analyse on the subspace of `reproduce dp --quick` (same seeds); Fig. 5 template/regression/SVM readouts left out",
        },
        "e_i_selectivity": {"tuned_ei": tuned_selectivity, "start_chi1": start_selectivity},
        "instances": results,
        "job_wall_s": outs.iter().map(|o| o.wall_s).collect::<Vec<_>>(),
        "wall_s": t0.elapsed().as_secs_f64(),
    });
    write_json(&options.out.join("summary.json"), &summary)?;
    Ok(summary)
}
