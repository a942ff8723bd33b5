//! The jobs of `dp-learned`: per network, every hard-wired reference condition and every
//! setting of the sweep (training, then measurement with frozen weights, and continual learning
//! for the first setting), run in parallel and collected per network.

use engram_core::error::EngramError;
use engram_models::dp::continual::add_assemblies;
use engram_models::dp::metrics::{OdorSet, RunMetrics};
use engram_models::dp::network::DpConnectivity;
use engram_models::dp::params::{DpConfig, Variant};
use engram_models::dp::simulate::{LearnedWeights, LearningOptions, Protocol, simulate_with};
use engram_models::dp::subspace::Subspace;
use engram_sim::progress::{Every, Progress};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::{
    LearnedParams, REFERENCES, START, TrainingStep, inhibitory_input_ns, mean_at, measure, members_of,
    own_assembly_rate, subspace_analysis, train,
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

/// Continual learning (first setting of the sweep).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Continual {
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

/// What one job measured.
struct JobOut {
    /// Index of the network.
    net: usize,
    /// The conditions measured.
    conditions: Vec<Condition>,
    /// The training of a setting.
    training: Option<Training>,
    /// Continual learning (setting 0).
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
    pub(super) reference_geometry: [bool; 4],
    /// Integration step, ms.
    pub(super) dt_ms: f64,
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
        let keys: Vec<String> = REFERENCES
            .iter()
            .map(|s| s.to_string())
            .chain(self.settings.iter().map(LearnedParams::key))
            .chain(["new_wired".to_string(), "after_continual".to_string()])
            .collect();
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
        let continual = mine.iter().find_map(|o| o.continual.clone());
        InstanceResult { network_seed, conditions, training, continual }
    }
}
