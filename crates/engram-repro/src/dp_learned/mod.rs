//! Learned E/I assemblies (`cargo xtask reproduce dp-learned`): does precise balance learn
//! itself? The Dp paper hard-wires its E/I assemblies (Tuned E+I); here inhibitory STDP
//! (Vogels et al. 2011) on I→E, alone or with plasticity on E→I (pair STDP, or the normalised
//! Hebbian rule after Mackwood, Naumann & Sprekeler 2021,
//! [`NormalisedHebbian`](engram_plasticity::NormalisedHebbian)), has to find them.
//!
//! Procedure (structure-A network instances, `seed·1000 + k` as in `reproduce dp`):
//! 1. Start ([`Start`]): the Scaled I connectivity with χ = 1 (E assemblies with α = 5, random
//!    I→E at the rand weight), the unstable, Scaled-like situation; or the rand network.
//! 2. Training, once per setting of the sweep ([`sweep`]: iSTDP alone; with pair STDP on E→I;
//!    with the Hebbian E→I rule over its target × rate grid [`HEBB_GRID`], soft bounds, from
//!    rand): the odors of all 15 assemblies presented `repeats` times (standard 3 s trials)
//!    with the rules on, iSTDP bounds [0, `w_max`], E→I bounds [0, [`E_I_MAX_NS`]]. One
//!    simulation per repeat (46 s); the learned weights carry over, the rules' traces and the
//!    neuron state start afresh each repeat.
//! 3. Measurement: weights frozen (no plasticity), the standard protocol with the 10 learned
//!    and the 10 novel odors, [`run_metrics`]; compared with rand, Scaled I (χ 1.4), Tuned I
//!    and Tuned E+I of the same instance, with the same OB Poisson draws (paired). Settings
//!    with `plastic_measurement` are measured a second time with their rules on.
//! 4. Geometry (Figs 4–5), weights frozen: the odor-subspace protocol of
//!    [`fig45`](crate::dp::fig45) (corners L, M = learned odors 0, 1, whose assemblies
//!    were trained; N, O = novel odors 0, 1), analysed by the same [`analyse()`] as `reproduce
//!    dp` (PCA, participation ratio, angles, local variance, d_M, QDA; the Fig. 5 readouts
//!    template / regression / SVM are left out). The same subspace, simulation seed and
//!    readout seed as `reproduce dp --quick`, so the rand / Scaled I / Tuned E+I rows of the
//!    first network equal that run's network A1.
//! 5. Continual learning (settings with `continual`: the default and the main Hebbian one, so
//!    with E→I learning on as well): two novel odors get new E
//!    assemblies (assemblies 15 and 16, by the procedure of Fig. 6,
//!    [`add_assemblies`](engram_models::dp::continual::add_assemblies)), then are presented
//!    `repeats` times with iSTDP on, starting from the learned weights; the old learned odors
//!    are re-measured (frozen) right after the new assemblies are wired and again after
//!    training on the new odors.
//!
//! Choices (not in the paper, which has no plasticity in Dp): iSTDP ρ0 = 1 Hz (the mean E
//! rate of the rand network during odors; 2 Hz ran away in an earlier sweep), η = 0.05 nS per
//! unit trace, bounds [0, 5] nS per (multi-)synapse; the I→E and E→I patterns are fixed (only
//! weights change). All 15 assemblies are trained, not only the 10 measured odors': an
//! untrained assembly keeps χ = 1 inhibition on a network whose other inhibition iSTDP has
//! lowered, and it ignited and stayed on through the subspace run (seen with 10 trained).
//! E→I learning: pair STDP with A₊ = 0.05 of the bound [0, 3 × 0.068 nS] (the γ of Tuned
//! E+I), or the normalised Hebbian rule with the same bounds, each I cell's total E input held
//! at its start ([`LearnedParams::e_i_hebbian_rule`]); its grid was chosen after a one-network
//! trial in which every Hebbian setting stayed stable and the larger rates gave more E→I
//! selectivity. How selective the I cells' drive became is [`TrainingStep::e_i_selectivity`].
//!
//! **Structure**: this module holds the learning rules, training and measurement; `experiment`
//! runs the jobs of every network; [`summary`] builds the typed [`LearnedSummary`] (with the
//! across-network summaries of Figs 4–5, [`crate::dp::fig45::measures`]); `panels` draws the
//! three figures from it; [`report`] generates the tables of the docs page (and of the run's
//! `report.md`) from it.

use std::path::PathBuf;

use engram_connectivity::WeightMatrix;
use engram_core::error::EngramError;
use engram_core::rng::component_id;
use engram_models::dp::metrics::{OdorSet, RunMetrics, mean_of, run_metrics};
use engram_models::dp::network::{DpConnectivity, odor_sets};
use engram_models::dp::params::{DpConfig, Rewiring, Structure, Variant};
use engram_models::dp::simulate::{LearnedWeights, LearningOptions, Protocol, WindowKind, simulate_with};
use engram_models::dp::subspace::{Subspace, corner_assemblies, half_rates};
use engram_plasticity::{InhibitoryStdpParams, NormalisedHebbianParams, PairStdpParams, WeightDependence};
use engram_stimuli::Odor;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::dp::fig45::analyse::ob_reference;
use crate::dp::fig45::{ReadoutSizes, RunAnalysis, analyse, trajectory_ids};
use crate::dp::{plot_err, write_json};

mod experiment;
mod panels;
pub mod report;
pub mod summary;

pub use experiment::{Condition, Continual, InstanceResult, Training, condition_keys, continual_keys};
pub use summary::{LearnedSummary, MEASURES};

/// The starting point: E assemblies, random inhibition at the rand weight.
pub const START: Variant = Variant::ScaledI { alpha: 5.0, chi: 1.0 };

/// `config` for wiring `variant`: for [`START`], the authors' E→E count of Scaled I (pE = 25,
/// where it fits the network), which [`Rewiring::Reference`] gives only Table 5's presets, so
/// that the start's E→E is exactly that of the hard-wired Scaled I, Tuned I and Tuned E+I of
/// the same network; `config` itself for every other variant.
pub fn variant_config(config: &DpConfig, variant: Variant) -> DpConfig {
    let counts = config.rewiring.counts(Variant::SCALED_I, config.assembly_size, config.i_assembly_size);
    match (variant == START, counts) {
        (true, (Some(p_e), _, _)) => DpConfig { rewiring: Rewiring::Counts { p_e, p_i: 0, p_ei: 0 }, ..config.clone() },
        _ => config.clone(),
    }
}

/// Where training starts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Start {
    /// [`START`]: E assemblies (α = 5), random I→E at the rand weight (Scaled I, χ = 1).
    #[default]
    ScaledChi1,
    /// The rand network: no E assemblies wired (the assemblies are only the odors' target
    /// neurons), random I→E and E→I.
    Rand,
}

impl Start {
    /// The hard-wired variant training starts from.
    pub fn variant(self) -> Variant {
        match self {
            Start::ScaledChi1 => START,
            Start::Rand => Variant::Rand,
        }
    }
}

/// Parameters of the learning phases.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LearnedParams {
    /// The iSTDP rule on I→E (weights in nS).
    pub istdp: InhibitoryStdpParams,
    /// Pair STDP on E→I (weights in nS), if E→I learns by it; `None`: not this rule.
    pub e_i_stdp: Option<PairStdpParams>,
    /// Normalised Hebbian plasticity on E→I (weights in nS), if E→I learns by it.
    #[serde(default)]
    pub e_i_hebbian: Option<NormalisedHebbianParams>,
    /// Where training starts.
    #[serde(default)]
    pub start: Start,
    /// Also measure the learned network with its rules kept on (condition `{key}_plastic`).
    #[serde(default)]
    pub plastic_measurement: bool,
    /// Run the continual-learning step (two new odors) from this setting.
    #[serde(default)]
    pub continual: bool,
    /// Measure the Figs 4–5 geometry of the learned network.
    #[serde(default = "yes")]
    pub geometry: bool,
    /// Presentations of every odor during training.
    pub repeats: usize,
}

fn yes() -> bool {
    true
}

impl LearnedParams {
    /// These parameters with target rate `rho0_hz` and learning rate `eta`.
    pub fn with_rule(&self, rho0_hz: f64, eta: f64) -> Self {
        let mut p = self.clone();
        p.istdp.target_rate_hz = rho0_hz;
        p.istdp.eta = eta;
        p
    }

    /// These parameters with E→I learning by pair STDP ([`LearnedParams::e_i_rule`]).
    pub fn with_e_i_learning(&self) -> Self {
        Self { e_i_stdp: Some(Self::e_i_rule()), e_i_hebbian: None, continual: false, ..self.clone() }
    }

    /// These parameters with E→I learning by the normalised Hebbian rule
    /// ([`LearnedParams::e_i_hebbian_rule`]) with target `rho0_hz` and rate `eta` (nS).
    pub fn with_e_i_hebbian(&self, rho0_hz: f64, eta: f64) -> Self {
        let rule = Self::e_i_hebbian_rule(rho0_hz, eta);
        Self { e_i_hebbian: Some(rule), e_i_stdp: None, continual: false, ..self.clone() }
    }

    /// Whether E→I learns in this setting.
    pub fn learns_e_to_i(&self) -> bool {
        self.e_i_stdp.is_some() || self.e_i_hebbian.is_some()
    }

    /// Condition key of the network trained with these parameters, e.g. `istdp_rho1_eta0.05`
    /// (`…_ei` with pair STDP on E→I, `…_hebb_rho1_eta0.05` with the Hebbian E→I rule,
    /// `…_soft` with its soft bounds, `…_from_rand` when trained from rand).
    pub fn key(&self) -> String {
        let mut k = format!("istdp_rho{}_eta{}", self.istdp.target_rate_hz, self.istdp.eta);
        if self.e_i_stdp.is_some() {
            k.push_str("_ei");
        }
        if let Some(h) = &self.e_i_hebbian {
            k.push_str(&format!("_hebb_rho{}_eta{}", h.target_rate_hz, h.eta));
            if h.weight_dependence != WeightDependence::Additive {
                k.push_str("_soft");
            }
        }
        if self.start == Start::Rand {
            k.push_str("_from_rand");
        }
        k
    }

    /// Short label for tables and figures, e.g. `iSTDP ρ0=1 η=0.05` (`… + E→I STDP`,
    /// `… + E→I Hebb ρ0=1 η=0.05`, `…, from rand`).
    pub fn label(&self) -> String {
        let mut l = format!("iSTDP ρ0={} η={}", self.istdp.target_rate_hz, self.istdp.eta);
        if self.e_i_stdp.is_some() {
            l.push_str(" + E→I STDP");
        }
        if let Some(h) = &self.e_i_hebbian {
            l.push_str(&format!(" + E→I Hebb ρ0={} η={}", h.target_rate_hz, h.eta));
            if h.weight_dependence != WeightDependence::Additive {
                l.push_str(" soft");
            }
        }
        if self.start == Start::Rand {
            l.push_str(", from rand");
        }
        l
    }

    /// The E→I pair STDP rule: additive all-to-all pair STDP (Song, Miller & Abbott 2000: τ± =
    /// 20 ms, A₋ = 1.05 A₊) in nS, bounds [0, 3 w_EI] with w_EI = 0.068 nS the structure-A
    /// weight (3×: the γ of Tuned E+I), A₊ = 0.05 of the upper bound.
    pub fn e_i_rule() -> PairStdpParams {
        let w_max = E_I_MAX_NS;
        let a_plus = 0.05 * w_max;
        PairStdpParams { a_plus, a_minus: 1.05 * a_plus, w_min: 0.0, w_max, ..PairStdpParams::default() }
    }

    /// The E→I normalised Hebbian rule ([`NormalisedHebbian`](engram_plasticity::NormalisedHebbian),
    /// after Mackwood et al. 2021): signal = the weighted mean rate of an I cell's E inputs
    /// against `rho0_hz`, τ = 20 ms, learning rate `eta` nS, bounds [0, 3 w_EI] as the pair
    /// rule, every I cell's total E→I weight renormalised to its start every 10 ms.
    pub fn e_i_hebbian_rule(rho0_hz: f64, eta: f64) -> NormalisedHebbianParams {
        NormalisedHebbianParams {
            target_rate_hz: rho0_hz,
            eta,
            w_min: 0.0,
            w_max: E_I_MAX_NS,
            normalise_every_ms: Some(10.0),
            ..NormalisedHebbianParams::default()
        }
    }
}

/// Upper bound of a learned E→I (multi-)synapse, nS: 3 × the structure-A weight 0.068 nS (the
/// γ of Tuned E+I).
pub const E_I_MAX_NS: f64 = 3.0 * 0.068;

/// The settings trained (`repeats` presentations each), the default (iSTDP ρ0 = 1 Hz, η = 0.05
/// nS, with continual learning) first; then iSTDP with pair STDP on E→I; then iSTDP with the
/// Hebbian E→I rule over its target ρ0 × rate η ([`HEBB_GRID`]), the first of the grid also
/// with soft bounds, from rand, measured with plasticity on and with continual learning.
/// `--quick`: the default, pair STDP and the first Hebbian setting (plastic measurement and
/// continual learning included). The Figs 4–5 geometry, on the full protocol, is measured for
/// the default, the main Hebbian setting (also from rand and with soft bounds) and the one
/// with target 2 Hz (the full sweep; every setting in `--quick`, on its reduced subspace).
pub fn sweep(quick: bool, repeats: usize) -> Vec<LearnedParams> {
    let base = LearnedParams { repeats, ..LearnedParams::default() };
    let mut settings = vec![LearnedParams { continual: true, ..base.clone() }, base.with_e_i_learning()];
    let grid: &[(f64, f64)] = if quick { &HEBB_GRID[..1] } else { &HEBB_GRID };
    for (k, &(rho0, eta)) in grid.iter().enumerate() {
        let p = base.with_e_i_hebbian(rho0, eta);
        settings.push(if k == 0 { LearnedParams { plastic_measurement: true, continual: true, ..p } } else { p });
    }
    if !quick {
        // the full geometry is costly (968 presentations per condition): the default, the
        // main Hebbian setting and the most selective stable one
        for (k, setting) in settings.iter_mut().enumerate() {
            setting.geometry = matches!(k, 0 | 2 | 3);
        }
    }
    let first = base.with_e_i_hebbian(HEBB_GRID[0].0, HEBB_GRID[0].1);
    settings.push(LearnedParams { start: Start::Rand, ..first.clone() });
    if !quick {
        let mut soft = first;
        if let Some(h) = &mut soft.e_i_hebbian {
            h.weight_dependence = WeightDependence::Multiplicative { mu: 1.0 };
        }
        settings.push(soft);
    }
    settings
}

/// The Hebbian E→I settings of the full sweep: (target ρ0 Hz, rate η nS), the main one first.
pub const HEBB_GRID: [(f64, f64); 4] = [(1.0, 0.2), (2.0, 0.2), (1.0, 0.05), (1.0, 0.5)];

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
            e_i_hebbian: None,
            start: Start::ScaledChi1,
            plastic_measurement: false,
            continual: false,
            geometry: true,
            repeats: 8,
        }
    }
}

/// State after one training repeat.
#[derive(Clone, Debug, Serialize, Deserialize)]
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
    /// Mean E rate during odors in this repeat, Hz (NaN for step 0, written `null`).
    #[serde(deserialize_with = "nan_if_null")]
    pub e_rate_odor_hz: f64,
    /// Rate of assembly k during odor k in this repeat, Hz (NaN for step 0, written `null`).
    #[serde(deserialize_with = "nan_if_null")]
    pub assembly_rate_hz: f64,
}

/// Reads a number written by serde_json, where NaN becomes `null`, back as NaN.
fn nan_if_null<'de, D: serde::Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    Ok(Option::<f64>::deserialize(d)?.unwrap_or(f64::NAN))
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

/// Mean of `v` at the indices `idx` (NaN if none).
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
        let ie = params.learning(Some(w));
        let seed = run_seed ^ (0x7A11_0000 + r as u64);
        let (rec, learned) = simulate_with(config, net, &protocol, seed, dt_ms, None, &ie)?;
        let e_rate = mean_of(rec.windows_of(WindowKind::Odor).map(|k| mean_of(rec.e_rates_hz(k))));
        let a_rate = own_assembly_rate(&rec, net, assembly_ids);
        w = learned;
        steps.push(step(&w, r + 1, e_rate, a_rate));
    }
    Ok((w, steps))
}

impl LearnedParams {
    /// The learning options of this setting's rules, starting from `weights`.
    pub fn learning(&self, weights: Option<LearnedWeights>) -> LearningOptions {
        LearningOptions {
            weights,
            istdp: Some(self.istdp.clone()),
            e_i_stdp: self.e_i_stdp.clone(),
            e_i_hebbian: self.e_i_hebbian.clone(),
        }
    }
}

/// Measure `net` (with I→E and E→I `weights` if given) with the standard protocol; weights
/// frozen, or with the rules of `plastic` on (from `weights`).
#[allow(clippy::too_many_arguments)]
pub fn measure(
    config: &DpConfig,
    net: &DpConnectivity,
    weights: Option<&LearnedWeights>,
    plastic: Option<&LearnedParams>,
    odors: &[Odor],
    set: OdorSet,
    run_seed: u64,
    dt_ms: f64,
) -> Result<RunMetrics, EngramError> {
    let ie = match plastic {
        Some(p) => p.learning(weights.cloned()),
        None => LearningOptions { weights: weights.cloned(), ..LearningOptions::default() },
    };
    let (rec, _) = simulate_with(config, net, &Protocol::trials(odors.to_vec()), run_seed, dt_ms, None, &ie)?;
    Ok(run_metrics(&rec, net, set))
}

/// Geometry (Figs 4–5) of `net` with I→E `weights` (frozen) if given: the subspace protocol
/// simulated with the seed of `reproduce dp` (`network_seed ^ 0x4545`), analysed by
/// [`analyse()`] with the readout seed `network_seed ^ component_id(key)` (`key` = the variant
/// key of `reproduce dp`, e.g. `rand`, for the same numbers). The corners' (pseudo-)assemblies
/// are those of `net` ([`corner_assemblies`]).
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
    /// 1 network, 4 repeats, 3 settings, one subspace trajectory with small readouts and no
    /// geometry for Scaled I, Tuned I and the start, instead of 3 networks, 8 repeats, 8
    /// settings and the full Figs 4–5 protocol of `reproduce dp` (8 trajectories, the
    /// paper's readout sizes) for rand, Scaled I, Tuned E+I and three settings.
    pub quick: bool,
    /// Experiment seed.
    pub seed: u64,
    /// Output directory.
    pub out: PathBuf,
    /// Test-only size: the quick protocol on a network scaled down by this factor (1 = full
    /// size), to run the whole pipeline in CI. Its numbers mean nothing.
    pub scale_down: usize,
    /// Show progress (a bar on a terminal, one line per finished job otherwise).
    pub progress: bool,
}

/// The hard-wired reference conditions, in table order (the trained ones follow, then
/// `new_wired` and `after_continual`).
pub const REFERENCES: [&str; 5] = ["rand", "scaled_i", "tuned_i", "tuned_ei", "start_chi1"];

/// The hard-wired variants of [`REFERENCES`].
pub const REFERENCE_VARIANTS: [Variant; 5] =
    [Variant::Rand, Variant::SCALED_I, Variant::TUNED_I, Variant::TUNED_EI, START];

/// Run the experiment; writes `OUT/summary.json`, `OUT/report.md` (the tables of the docs page,
/// [`report`]), `OUT/dp_learned_measures.{png,svg}`, `OUT/dp_learned_geometry.{png,svg}` and
/// `OUT/dp_learned_weights.{png,svg}`; returns the summary (the [`LearnedSummary`] as JSON).
pub fn reproduce(options: LearnedOptions) -> Result<serde_json::Value, EngramError> {
    let t0 = std::time::Instant::now();
    let quick = options.quick;
    let config = DpConfig { structure: Structure::A, ..DpConfig::default() }.scaled_down(options.scale_down.max(1));
    let odors = odor_sets(&config, options.seed)?;
    let settings = sweep(quick, if quick { 4 } else { 8 });
    let n_net = if quick { 1 } else { 3 };
    let seeds: Vec<u64> = (1..=n_net as u64).map(|k| options.seed.wrapping_mul(1000).wrapping_add(k)).collect();
    // the subspace and readouts of `reproduce dp` (all 8 trajectories); `--quick`: trajectory 0
    // with the quick readout sizes
    let corners = [odors.learned[0].clone(), odors.learned[1].clone(), odors.novel[0].clone(), odors.novel[1].clone()];
    let ids = if quick { vec![trajectory_ids(true)[0]] } else { trajectory_ids(false) };
    let sub = Subspace::new(corners, &ids, options.seed ^ component_id("dp:fig45:subspace"))?;
    let sizes =
        if quick { ReadoutSizes { readouts: false, ..ReadoutSizes::new(true) } } else { ReadoutSizes::new(false) };
    let bases = seeds
        .par_iter()
        .map(|&s| DpConnectivity::generate(&config, &odors.learned, s))
        .collect::<Result<Vec<_>, EngramError>>()?;
    let exp = experiment::Experiment {
        config: &config,
        odors: &odors,
        sub: &sub,
        sizes: &sizes,
        settings: &settings,
        // REFERENCES: rand, scaled_i, tuned_i, tuned_ei, start_chi1
        reference_geometry: if quick { [true, false, false, true, false] } else { [true, true, false, true, false] },
        dt_ms: 0.1,
    };
    let (instances, job_wall_s) = exp.run_all(&bases, &seeds, options.progress)?;
    std::fs::create_dir_all(&options.out)
        .map_err(|source| EngramError::Output { path: options.out.clone(), source })?;
    let mut by_reference = std::collections::BTreeMap::new();
    for (key, variant) in REFERENCES.iter().zip(REFERENCE_VARIANTS) {
        by_reference.insert(key.to_string(), reference_selectivity(&config, &bases, &seeds, variant)?);
    }
    let selectivity = summary::EiSelectivity::new(&by_reference["tuned_ei"], &by_reference["start_chi1"]);
    let mut summary =
        LearnedSummary::new(&options, seeds, settings, &sub, &ids, sizes, selectivity, &by_reference, instances);
    summary.job_wall_s = job_wall_s;
    let ob = ob_reference(&sub, options.seed)?;
    panels::measures(&summary).save(options.out.join("dp_learned_measures")).map_err(plot_err)?;
    panels::geometry(&summary, &sub, &ob).save(options.out.join("dp_learned_geometry")).map_err(plot_err)?;
    panels::weights(&summary).save(options.out.join("dp_learned_weights")).map_err(plot_err)?;
    summary.wall_s = t0.elapsed().as_secs_f64();
    let json = serde_json::to_value(&summary).expect("the summary serialises");
    write_json(&options.out.join("summary.json"), &json)?;
    // report.md: the tables of docs/reproduction/dp-learned.md, from this run
    let report = report::LearnedNumbers::from_value(&json)?.report_md();
    let path = options.out.join("report.md");
    std::fs::write(&path, report).map_err(|source| EngramError::Output { path, source })?;
    Ok(json)
}

/// E→I selectivity ([`e_i_selectivity`]) of the hard-wired `variant` of every network (random
/// E→I in the start, I assemblies in Tuned E+I), over all its assemblies.
fn reference_selectivity(
    config: &DpConfig,
    bases: &[DpConnectivity],
    seeds: &[u64],
    variant: Variant,
) -> Result<Vec<f64>, EngramError> {
    bases
        .iter()
        .zip(seeds)
        .map(|(b, &s)| {
            let (net, _) = b.with_variant(&variant_config(config, variant), variant, s)?;
            let groups: Vec<Vec<u32>> = (0..config.n_assemblies).map(|k| members_of(&net, &[k])).collect();
            Ok(e_i_selectivity(&LearnedWeights::of(config, &net).e_i, &groups, config.n_inh))
        })
        .collect()
}
