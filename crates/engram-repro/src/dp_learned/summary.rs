//! The typed summary of `dp-learned` (`OUT/summary.json`): the settings, the table of the
//! standard measures per condition (mean ± SD over networks), the Figs 4–5 geometry of every
//! condition measured on the subspace, the E→I selectivity of the hard-wired references, and
//! every network's raw results. Maps keyed by condition or measure name are `BTreeMap`s.

use std::collections::BTreeMap;

use engram_analysis::finite::finite_mean_sd;
use engram_models::dp::metrics::RunMetrics;
use engram_models::dp::subspace::Subspace;
use serde::{Deserialize, Serialize};

use super::{InstanceResult, LearnedOptions, LearnedParams};
use crate::dp::fig45::measures::{DistancePools, GeometrySummary, QdaPools};
use crate::dp::fig45::{ReadoutSizes, RunAnalysis};

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

/// Mean ± SD over networks of one measure (finite values only).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct MeasureStat {
    /// Mean over the networks' finite values (`None` without any), in the measure's unit.
    pub mean: Option<f64>,
    /// Sample SD (0 for fewer than two values), in the measure's unit.
    pub sd: f64,
}

impl MeasureStat {
    fn of(values: &[f64]) -> Self {
        let (mean, sd) = finite_mean_sd(values);
        Self { mean: mean.is_finite().then_some(mean), sd }
    }
}

/// The measures of one condition, per odor set, keyed by the names of [`MEASURES`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConditionMeasures {
    /// The 10 learned odors.
    pub learned: BTreeMap<String, MeasureStat>,
    /// The 10 novel odors.
    pub novel: BTreeMap<String, MeasureStat>,
}

/// The Figs 4–5 measures of one condition over networks: geometry, distances and QDA (the
/// template, regression and SVM readouts are left out).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LearnedGeometry {
    /// The geometry (Fig. 4).
    #[serde(flatten)]
    pub geometry: GeometrySummary,
    /// The distances from both pools (Fig. 5B).
    #[serde(flatten)]
    pub distances: DistancePools,
    /// QDA from both pools (Fig. 5C).
    #[serde(flatten)]
    pub qda: QdaPools,
}

/// The subspace protocol of the geometry.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GeometryProtocol {
    /// Trajectories presented.
    pub trajectories: Vec<usize>,
    /// Presentations.
    pub presentations: usize,
    /// Sizes of the readouts.
    pub sizes: ReadoutSizes,
    /// Training presentations of each class (L, M, N, O).
    pub training_presentations_per_class: Vec<usize>,
    /// Test presentations.
    pub test_presentations: usize,
    /// How the geometry relates to `reproduce dp`.
    pub note: String,
}

/// E→I selectivity (see [`super::TrainingStep::e_i_selectivity`]) of the hard-wired references,
/// per network (`None` where undefined).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EiSelectivity {
    /// Tuned E+I (hand-wired I assemblies).
    pub tuned_ei: Vec<Option<f64>>,
    /// The start (random E→I).
    pub start_chi1: Vec<Option<f64>>,
}

impl EiSelectivity {
    /// From the networks' values (NaN: undefined).
    pub(super) fn new(tuned_ei: &[f64], start_chi1: &[f64]) -> Self {
        let finite = |v: &[f64]| v.iter().map(|&x| x.is_finite().then_some(x)).collect();
        Self { tuned_ei: finite(tuned_ei), start_chi1: finite(start_chi1) }
    }
}

/// The headline measures of one condition (a trained setting or a hard-wired reference),
/// mean ± SD over networks: the answer to "does precise balance learn itself?" in one record.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SettingRecord {
    /// Condition key (`rand`, `tuned_ei`, `istdp_rho1_eta0.05_hebb_rho1_eta0.05`, …).
    pub name: String,
    /// Whether E→I learned (false for the references).
    pub learns_e_to_i: bool,
    /// E rate during the learned odors, Hz.
    pub e_rate_learned_hz: MeasureStat,
    /// E rate during the novel odors, Hz.
    pub e_rate_novel_hz: MeasureStat,
    /// Assembly rate over rand's, learned odors.
    pub amplification_in: MeasureStat,
    /// Non-assembly rate over rand's, learned odors.
    pub amplification_out: MeasureStat,
    /// Assembly rate after odor offset, learned odors, Hz.
    pub assembly_rate_after_offset_hz: MeasureStat,
    /// E/I co-tuning r, learned odors.
    pub cotuning_r: MeasureStat,
    /// SD ratio of the balanced axis, learned odors.
    pub balanced_sd_ratio: MeasureStat,
    /// ISI CV of assembly neurons, learned odors.
    pub isi_cv_assembly: MeasureStat,
    /// E→I selectivity ([`super::TrainingStep::e_i_selectivity`]) of the trained assemblies
    /// (learned: after training; after continual learning: of the two new assemblies;
    /// references: of all assemblies; `None` where not defined).
    pub e_to_i_selectivity: MeasureStat,
    /// Whether the E rates for learned and novel odors are within 50 % of rand's on every
    /// network (`None` for rand itself).
    pub stable_vs_rand: Option<bool>,
}

/// Everything `dp-learned` reports.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct LearnedSummary {
    /// What was run.
    pub model: String,
    /// Experiment seed.
    pub seed: u64,
    /// Whether this was the quick version.
    pub quick: bool,
    /// Network seeds.
    pub networks: Vec<u64>,
    /// The parameters of the settings trained, the default first.
    pub setting_params: Vec<LearnedParams>,
    /// The headline measures of every learned condition (trained settings, measured with
    /// plasticity on, continual learning), in table order.
    pub settings: Vec<SettingRecord>,
    /// The same measures of the hard-wired references on the same networks (`rand`,
    /// `scaled_i`, `tuned_i`, `tuned_ei`, `start_chi1`).
    pub references: Vec<SettingRecord>,
    /// Condition keys in table order.
    pub conditions: Vec<String>,
    /// Measures per condition key, over networks.
    pub table: BTreeMap<String, ConditionMeasures>,
    /// Figs 4–5 geometry per condition key whose geometry was measured.
    pub geometry: BTreeMap<String, LearnedGeometry>,
    /// The subspace protocol of the geometry.
    pub geometry_protocol: GeometryProtocol,
    /// E→I selectivity of the hard-wired references.
    pub e_i_selectivity: EiSelectivity,
    /// Every network's results.
    pub instances: Vec<InstanceResult>,
    /// Wall time of every job, s.
    pub job_wall_s: Vec<f64>,
    /// Wall time of the whole run, s.
    pub wall_s: f64,
}

impl LearnedSummary {
    /// The summary of `instances` (one per network seed of `networks`, conditions in table
    /// order) on the subspace `sub` (trajectories `trajectories`); the timings are left at 0.
    pub(super) fn new(
        options: &LearnedOptions,
        networks: Vec<u64>,
        settings: Vec<LearnedParams>,
        sub: &Subspace,
        trajectories: &[usize],
        sizes: ReadoutSizes,
        e_i_selectivity: EiSelectivity,
        reference_selectivity: &BTreeMap<String, Vec<f64>>,
        instances: Vec<InstanceResult>,
    ) -> Self {
        let conditions: Vec<String> = instances[0].conditions.iter().map(|c| c.key.clone()).collect();
        let cl = sub.classes();
        let (references, learned) = records(&instances, &conditions, &settings, reference_selectivity);
        Self {
            model: "dp-learned: iSTDP on I->E, alone or with E->I plasticity (pair STDP or normalised Hebbian), from Scaled I chi=1 or rand (structure A)".into(),
            seed: options.seed,
            quick: options.quick,
            networks,
            setting_params: settings,
            settings: learned,
            references,
            table: table(&instances, &conditions),
            geometry: geometry(&instances, &conditions, sub),
            conditions,
            geometry_protocol: GeometryProtocol {
                trajectories: trajectories.to_vec(),
                presentations: sub.len(),
                sizes,
                training_presentations_per_class: (0..4)
                    .map(|c| cl.train.iter().filter(|t| **t == Some(c)).count())
                    .collect(),
                test_presentations: cl.test.iter().filter(|t| **t).count(),
                note: "fig45::analyse on the subspace of `reproduce dp --quick` (same seeds); Fig. 5 template/regression/SVM readouts left out".into(),
            },
            e_i_selectivity,
            instances,
            job_wall_s: Vec::new(),
            wall_s: 0.0,
        }
    }
}

/// Mean ± SD over networks of every measure of every condition (index `c` of each network's
/// conditions).
fn table(instances: &[InstanceResult], conditions: &[String]) -> BTreeMap<String, ConditionMeasures> {
    let set = |c: usize, learned: bool| -> BTreeMap<String, MeasureStat> {
        MEASURES
            .iter()
            .map(|&(name, f)| {
                let v: Vec<f64> = instances
                    .iter()
                    .map(|r| f(if learned { &r.conditions[c].learned } else { &r.conditions[c].novel }))
                    .collect();
                (name.to_string(), MeasureStat::of(&v))
            })
            .collect()
    };
    conditions
        .iter()
        .enumerate()
        .map(|(c, name)| (name.clone(), ConditionMeasures { learned: set(c, true), novel: set(c, false) }))
        .collect()
}

/// The Figs 4–5 summaries of every condition whose geometry was measured on some network.
fn geometry(instances: &[InstanceResult], conditions: &[String], sub: &Subspace) -> BTreeMap<String, LearnedGeometry> {
    let cl = sub.classes();
    let mut out = BTreeMap::new();
    for (c, name) in conditions.iter().enumerate() {
        let runs: Vec<&RunAnalysis> = instances.iter().filter_map(|r| r.conditions[c].geometry.as_ref()).collect();
        if runs.is_empty() {
            continue;
        }
        let g = LearnedGeometry {
            geometry: GeometrySummary::of(&runs),
            distances: DistancePools::of(&runs),
            qda: QdaPools::of(&runs, sub, &cl),
        };
        out.insert(name.clone(), g);
    }
    out
}

/// The [`SettingRecord`]s of every condition: `(references, learned)`.
fn records(
    instances: &[InstanceResult],
    conditions: &[String],
    settings: &[LearnedParams],
    reference_selectivity: &BTreeMap<String, Vec<f64>>,
) -> (Vec<SettingRecord>, Vec<SettingRecord>) {
    // the setting a condition key belongs to
    let owner = |key: &str| settings.iter().find(|p| super::condition_keys(p).iter().any(|k| k == key));
    let selectivity = |key: &str| -> Vec<f64> {
        if let Some(v) = reference_selectivity.get(key) {
            return v.clone();
        }
        let Some(p) = owner(key) else { return vec![f64::NAN; instances.len()] };
        let last = |steps: &[super::TrainingStep]| steps.last().map_or(f64::NAN, |s| s.e_i_selectivity);
        instances
            .iter()
            .map(|r| {
                let continual = if p.learns_e_to_i() { &r.continual_e_to_i } else { &r.continual };
                let [wired, after] = super::continual_keys(p);
                if key == after {
                    continual.as_ref().map_or(f64::NAN, |c| last(&c.steps))
                } else if key == wired {
                    f64::NAN
                } else {
                    r.training.iter().find(|t| t.key == p.key()).map_or(f64::NAN, |t| last(&t.steps))
                }
            })
            .collect()
    };
    let (mut refs, mut learned) = (Vec::new(), Vec::new());
    for (c, key) in conditions.iter().enumerate() {
        let m = |f: fn(&RunMetrics) -> f64, novel: bool| -> Vec<f64> {
            instances.iter().map(|r| f(if novel { &r.conditions[c].novel } else { &r.conditions[c].learned })).collect()
        };
        let stat = |f: fn(&RunMetrics) -> f64| MeasureStat::of(&m(f, false));
        let (el, en) = (m(|x| x.e_rate_odor_hz, false), m(|x| x.e_rate_odor_hz, true));
        let stable = (key != "rand").then(|| {
            instances.iter().enumerate().all(|(n, r)| {
                let within = |x: f64, rand: f64| (x / rand - 1.0).abs() <= 0.5;
                within(el[n], r.conditions[0].learned.e_rate_odor_hz)
                    && within(en[n], r.conditions[0].novel.e_rate_odor_hz)
            })
        });
        let record = SettingRecord {
            name: key.clone(),
            learns_e_to_i: owner(key).is_some_and(LearnedParams::learns_e_to_i),
            e_rate_learned_hz: MeasureStat::of(&el),
            e_rate_novel_hz: MeasureStat::of(&en),
            amplification_in: stat(|x| x.amplification_in),
            amplification_out: stat(|x| x.amplification_out),
            assembly_rate_after_offset_hz: stat(|x| x.assembly_rate_after_offset_hz),
            cotuning_r: stat(|x| x.cotuning_r),
            balanced_sd_ratio: stat(|x| x.balanced_sd_ratio),
            isi_cv_assembly: stat(|x| x.isi_cv_assembly),
            e_to_i_selectivity: MeasureStat::of(&selectivity(key)),
            stable_vs_rand: stable,
        };
        if super::REFERENCES.contains(&key.as_str()) { refs.push(record) } else { learned.push(record) }
    }
    (refs, learned)
}
