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
    /// The settings trained.
    pub settings: Vec<LearnedParams>,
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
        instances: Vec<InstanceResult>,
    ) -> Self {
        let conditions: Vec<String> = instances[0].conditions.iter().map(|c| c.key.clone()).collect();
        let cl = sub.classes();
        Self {
            model: "dp-learned: iSTDP on I->E from Scaled I chi=1 (structure A)".into(),
            seed: options.seed,
            quick: options.quick,
            networks,
            settings,
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
