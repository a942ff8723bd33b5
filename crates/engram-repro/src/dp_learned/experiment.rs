//! The jobs of `dp-learned`: per network, every hard-wired reference condition and every
//! setting of the sweep (training, then measurement with frozen weights, and continual learning
//! for the first setting), run in parallel and collected per network.

use engram_core::error::EngramError;
use engram_models::dp::continual::add_assemblies;
use engram_models::dp::metrics::{OdorSet, RunMetrics};
use engram_models::dp::network::DpConnectivity;
use engram_models::dp::params::DpConfig;
use engram_models::dp::simulate::{LearnedWeights, LearningOptions, Protocol, simulate_with};
use engram_models::dp::subspace::Subspace;
use engram_sim::progress::{Every, Progress};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::{
    LearnedParams, REFERENCE_VARIANTS, REFERENCES, START, TrainingStep, inhibitory_input_ns, mean_at, measure,
    members_of, own_assembly_rate, subspace_analysis, train, variant_config,
};
use crate::dp::fig45::{ReadoutSizes, RunAnalysis};

/// One condition measured on one network.
#[derive(Clone, Debug, Serialize, Deserialize)]
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
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Training {
    /// Condition key of the setting.
    pub key: String,
    /// Step 0 = start, then one step per repeat.
    pub steps: Vec<TrainingStep>,
}

/// Continual learning (from a setting with `continual`).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Continual {
    /// Condition key of the setting it continues.
    #[serde(default)]
    pub key: String,
    /// Trajectory of phase 2 (2 new odors; the assembly weights are of the new assemblies).
    pub steps: Vec<TrainingStep>,
    /// Total I→E weight onto the old (trained) assembly neurons, start / end of phase 2, nS.
    pub w_old_assembly_ns: Vec<f64>,
    /// Own-assembly rate of the new odors, before / after phase 2, Hz.
    pub new_assembly_rate_hz: (f64, f64),
}

/// One network's results.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct InstanceResult {
    /// Network seed.
    pub network_seed: u64,
    /// Per condition, in table order.
    pub conditions: Vec<Condition>,
    /// Phase 1 trajectory of every setting (the 15 assemblies' odors).
    pub training: Vec<Training>,
    /// Phase 2 (continual learning) of the first setting (iSTDP only).
    pub continual: Option<Continual>,
    /// Phase 2 of the setting with E→I learning and `continual`, if any.
    #[serde(default)]
    pub continual_e_to_i: Option<Continual>,
}

/// What one job of the run does.
#[derive(Clone, Copy, Debug)]
enum Task {
    /// A hard-wired condition: measures and geometry.
    Reference(usize),
    /// Training with setting `k`, then measures and geometry (and continual learning for 0).
    Setting(usize),
}

/// What one job measured.
struct JobOut {
    /// Index of the network.
    net: usize,
    /// The conditions measured.
    conditions: Vec<Condition>,
    /// The training of a setting.
    training: Option<Training>,
    /// Continual learning.
    continual: Option<Continual>,
    /// Wall time of the job, s.
    wall_s: f64,
}

/// Everything shared by the jobs of a run.
pub(super) struct Experiment<'a> {
    /// The network configuration (structure A).
    pub(super) config: &'a DpConfig,
    /// Learned and novel odors.
    pub(super) odors: &'a engram_stimuli::OdorSets,
    /// The subspace of the geometry.
    pub(super) sub: &'a Subspace,
    /// Sizes of the geometry's readouts.
    pub(super) sizes: &'a ReadoutSizes,
    /// The settings of the sweep.
    pub(super) settings: &'a [LearnedParams],
    /// Whether the geometry of each of [`REFERENCES`] is measured.
    pub(super) reference_geometry: [bool; 5],
    /// Integration step, ms.
    pub(super) dt_ms: f64,
}

impl Experiment<'_> {
    fn both(
        &self,
        net: &DpConnectivity,
        w: Option<&LearnedWeights>,
        plastic: Option<&LearnedParams>,
        network_seed: u64,
    ) -> Result<(RunMetrics, RunMetrics), EngramError> {
        let seed_of = |set: OdorSet| network_seed ^ ((set as u64 + 1) * 0x9E37);
        let (l, n) = (&self.odors.learned[..10], &self.odors.novel[..10]);
        let (c, dt) = (self.config, self.dt_ms);
        Ok((
            measure(c, net, w, plastic, l, OdorSet::Learned, seed_of(OdorSet::Learned), dt)?,
            measure(c, net, w, plastic, n, OdorSet::Novel, seed_of(OdorSet::Novel), dt)?,
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
        let (learned, novel) = self.both(net, w, None, network_seed)?;
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
        match task {
            Task::Reference(r) => {
                let variant = REFERENCE_VARIANTS[r];
                let (conn, _) = base.with_variant(&variant_config(config, variant), variant, network_seed)?;
                let geometry = self.reference_geometry[r];
                out.conditions.push(self.condition(REFERENCES[r], &conn, None, network_seed, geometry)?);
            }
            Task::Setting(k) => {
                let params = &self.settings[k];
                let variant = params.start.variant();
                let (start, _) = base.with_variant(&variant_config(config, variant), variant, network_seed)?;
                let ids: Vec<usize> = (0..config.n_assemblies).collect();
                let learned_odors = &self.odors.learned[..config.n_assemblies];
                let (w1, steps) = train(config, &start, learned_odors, &ids, None, params, network_seed, self.dt_ms)?;
                out.training = Some(Training { key: params.key(), steps });
                let key = params.key();
                out.conditions.push(self.condition(&key, &start, Some(&w1), network_seed, params.geometry)?);
                if params.plastic_measurement {
                    let (learned, novel) = self.both(&start, Some(&w1), Some(params), network_seed)?;
                    out.conditions.push(Condition { key: format!("{key}_plastic"), learned, novel, geometry: None });
                }
                if params.continual {
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
        let (net2, _) = add_assemblies(&variant_config(config, START), START, base, start, &new_odors, network_seed)?;
        let [wired_key, after_key] = continual_keys(params);
        let wired = self.condition(&wired_key, &net2, Some(w1), network_seed, false)?;
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
        let after = self.condition(&after_key, &net2, Some(&w2), network_seed, false)?;
        let old = members_of(start, &(0..config.n_assemblies).collect::<Vec<_>>());
        let w_old = |w: &LearnedWeights| mean_at(&inhibitory_input_ns(&w.i_e, config.n_exc), &old);
        let continual = Continual {
            key: params.key(),
            steps,
            w_old_assembly_ns: vec![w_old(w1), w_old(&w2)],
            new_assembly_rate_hz: (new_before, new_after),
        };
        Ok((vec![wired, after], continual))
    }
}

impl Experiment<'_> {
    /// Every job of `n_net` networks (bases `bases`, seeds `seeds`), longest first (setting 0
    /// with continual learning, the other settings, the references), in parallel; returns each
    /// network's results in table order (amplification relative to its rand condition) and
    /// every job's wall time, s.
    pub(super) fn run_all(
        &self,
        bases: &[DpConnectivity],
        seeds: &[u64],
        progress: bool,
    ) -> Result<(Vec<InstanceResult>, Vec<f64>), EngramError> {
        let n_net = seeds.len();
        let mut jobs: Vec<(usize, Task)> = Vec::new();
        for k in 0..self.settings.len() {
            jobs.extend((0..n_net).map(|n| (n, Task::Setting(k))));
        }
        for r in 0..REFERENCES.len() {
            jobs.extend((0..n_net).map(|n| (n, Task::Reference(r))));
        }
        let bar = Progress::new("dp-learned: train and measure", jobs.len() as u64, "jobs", Every::Item, progress);
        let outs = jobs
            .par_iter()
            .map(|&(n, task)| {
                let out = self.run(&bases[n], n, seeds[n], task);
                bar.inc(1);
                out
            })
            .collect::<Result<Vec<_>, EngramError>>();
        match &outs {
            Ok(_) => bar.finish(),
            Err(_) => bar.abandon(),
        }
        let outs = outs?;
        let keys: Vec<String> =
            REFERENCES.iter().map(|s| s.to_string()).chain(self.settings.iter().flat_map(condition_keys)).collect();
        let results =
            seeds.iter().enumerate().map(|(n, &network_seed)| self.collect(&outs, n, network_seed, &keys)).collect();
        Ok((results, outs.iter().map(|o| o.wall_s).collect()))
    }

    /// The results of network `n`: its conditions in the order of `keys`, with amplification
    /// relative to rand (same odor set), its training trajectories and its continual learning.
    fn collect(&self, outs: &[JobOut], n: usize, network_seed: u64, keys: &[String]) -> InstanceResult {
        let mine: Vec<&JobOut> = outs.iter().filter(|o| o.net == n).collect();
        let mut conditions: Vec<Condition> = keys
            .iter()
            .filter_map(|k| mine.iter().flat_map(|o| &o.conditions).find(|c| &c.key == k).cloned())
            .collect();
        let (rand_l, rand_n) = (conditions[0].learned.clone(), conditions[0].novel.clone());
        for c in &mut conditions {
            c.learned.amplification_in = c.learned.assembly_rate_hz / rand_l.assembly_rate_hz;
            c.learned.amplification_out = c.learned.non_assembly_rate_hz / rand_l.non_assembly_rate_hz;
            c.novel.amplification_in = c.novel.assembly_rate_hz / rand_n.assembly_rate_hz;
            c.novel.amplification_out = c.novel.non_assembly_rate_hz / rand_n.non_assembly_rate_hz;
        }
        let training: Vec<Training> = self
            .settings
            .iter()
            .filter_map(|p| mine.iter().find_map(|o| o.training.as_ref().filter(|t| t.key == p.key())).cloned())
            .collect();
        let continual = mine.iter().find_map(|o| o.continual.clone().filter(|c| !is_e_to_i(self.settings, &c.key)));
        let continual_e_to_i =
            mine.iter().find_map(|o| o.continual.clone().filter(|c| is_e_to_i(self.settings, &c.key)));
        InstanceResult { network_seed, conditions, training, continual, continual_e_to_i }
    }
}

/// Whether the setting with condition key `key` learns E→I.
fn is_e_to_i(settings: &[LearnedParams], key: &str) -> bool {
    settings.iter().any(|p| p.key() == key && p.learns_e_to_i())
}

/// Keys of the continual-learning conditions of `params`: `new_wired` and `after_continual`
/// for a setting without E→I learning (the default), `{key}_new_wired` and
/// `{key}_after_continual` otherwise.
pub fn continual_keys(params: &LearnedParams) -> [String; 2] {
    if params.learns_e_to_i() {
        let key = params.key();
        [format!("{key}_new_wired"), format!("{key}_after_continual")]
    } else {
        ["new_wired".to_string(), "after_continual".to_string()]
    }
}

/// The condition keys a setting contributes, in table order: its own, `{key}_plastic`, then
/// its continual-learning conditions.
pub fn condition_keys(params: &LearnedParams) -> Vec<String> {
    let mut keys = vec![params.key()];
    if params.plastic_measurement {
        keys.push(format!("{}_plastic", params.key()));
    }
    if params.continual {
        keys.extend(continual_keys(params));
    }
    keys
}
