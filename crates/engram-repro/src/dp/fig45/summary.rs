//! The typed summaries of Figs 4 and 5 as written to `fig4/fig4.json` and `fig5/fig5.json`
//! (and under `"fig4"` and `"fig5"` in `summary.json`), built from the jobs' analyses with the
//! across-network summaries of [`super::measures`]. Maps keyed by variant (`rand`, `scaled_i`,
//! …) are `BTreeMap`s; a value not applicable anywhere is `None`, written `null`.

use std::collections::BTreeMap;

use engram_models::dp::params::Variant;
use engram_models::dp::subspace::Subspace;
use serde::{Deserialize, Serialize};

use super::analyse::{ObReference, ReadoutSizes, RunAnalysis};
use super::measures::{
    DistancePools, GeometryAndDistances, GeometrySummary, ReadoutSummary, ReadoutsAndDistances, ShrinkageReading,
};
use super::simulate::{Group, JobOut};
use super::{DM_TEST_MIN_CORR, QDA_SHRINKAGE, S_TRAJECTORIES, with_tuned_i};
use crate::dp::Context;

/// `x` if finite: NaN marks a value that could not be computed, written `null`.
fn finite(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}

/// The numbers of Fig. 4 (with 4—S2 and 4—S3): geometry of the subspace representations.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Fig4Summary {
    /// Presentations of the main subspace protocol.
    pub presentations: usize,
    /// Trajectories presented.
    pub trajectories: Vec<usize>,
    /// Network labels (`A1`, …).
    pub networks: Vec<String>,
    /// Geometry of the OB input patterns.
    pub ob: ObSummary,
    /// Geometry per variant key, over networks.
    pub variants: BTreeMap<String, GeometrySummary>,
    /// Choices where the paper is silent.
    pub choices: Fig4Choices,
    /// Fig. 4—S2 (full version only).
    pub s2_simple_model: Supplement<SimpleModelSummary>,
    /// Fig. 4—S3 (full version only).
    pub s3_controls: Supplement<ControlsSummary>,
    /// Fig. 4—S2: the search over the simple model's Tuned E+I parameters (absent in
    /// summaries written before it existed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub s2_parameter_search: Option<super::simple_search::SimpleSearch>,
    /// CPU time of all simulations, s.
    pub sim_cpu_s: Option<f64>,
    /// CPU time of all analyses, s.
    pub analysis_cpu_s: Option<f64>,
    /// Every run and its cost.
    pub runs: Vec<RunCost>,
}

/// Participation ratios of the OB patterns (the input; Fig. 4F's reference).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ObSummary {
    /// PR of all presentations.
    pub pr_all: Option<f64>,
    /// PR of the learned-side half of the grid.
    pub pr_learned_half: Option<f64>,
    /// PR of the novel-side half.
    pub pr_novel_half: Option<f64>,
    /// PR of Poisson counts drawn from the OB rates over 1 s.
    pub pr_poisson_counts: Option<f64>,
    /// What the patterns are.
    pub note: String,
}

impl ObSummary {
    fn of(ob: &ObReference) -> Self {
        Self {
            pr_all: finite(ob.pr_all),
            pr_learned_half: finite(ob.pr_learned_half),
            pr_novel_half: finite(ob.pr_novel_half),
            pr_poisson_counts: finite(ob.pr_poisson),
            note: "exact mean OB rates over each 1 s presentation; pr_poisson_counts: Poisson counts drawn from them"
                .into(),
        }
    }
}

/// The choices of Fig. 4 where the paper is silent.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Fig4Choices {
    /// Which odors are the corners.
    pub corners: String,
    /// The grid halves of the PR.
    pub pr_halves: String,
    /// The related mixtures of the angles and the local variance.
    pub related_mixtures: String,
    /// What a pattern is.
    pub patterns: String,
    /// Whether Tuned I is included.
    pub tuned_i: String,
}

/// A supplementary figure's numbers, or why it was not run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Supplement<T> {
    /// It was run.
    Run(Box<T>),
    /// It was skipped (the reason).
    Skipped(String),
}

/// Fig. 4—S2: the simple model (equal E/I parameters), one network.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SimpleModelSummary {
    /// Networks (1).
    pub networks: usize,
    /// Trajectories presented.
    pub trajectories: Vec<usize>,
    /// Presentations.
    pub presentations: usize,
    /// PR of the OB patterns of these trajectories.
    pub ob_pr_all: Option<f64>,
    /// Geometry of `rand` and `tuned_ei`.
    pub variants: BTreeMap<String, GeometrySummary>,
    /// What the network is.
    pub note: String,
}

/// Fig. 4—S3: controls on the first network.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ControlsSummary {
    /// Label of the network.
    pub network: String,
    /// Trajectories presented.
    pub trajectories: Vec<usize>,
    /// Presentations.
    pub presentations: usize,
    /// PR of the OB patterns of these trajectories.
    pub ob_pr_all: Option<f64>,
    /// Where the runs come from.
    pub note: String,
    /// Geometry and distances per condition key.
    pub variants: BTreeMap<String, GeometryAndDistances>,
    /// Readouts per condition key.
    pub readouts: BTreeMap<String, ReadoutSummary>,
    /// The Excitability control.
    pub excitability: ExcitabilitySummary,
    /// Parameters of the adjusted variants.
    pub parameters: ControlParameters,
}

/// The Excitability control: how it was made and calibrated.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ExcitabilitySummary {
    /// How the control is made.
    pub method: String,
    /// Its calibration (`None` if the control was not run).
    pub calibration: Option<ExcitabilityCalibration>,
}

/// The calibration of the Excitability current I* (see the module docs of `fig45`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ExcitabilityCalibration {
    /// Rate of the assemblies of L and M in Tuned E+I during the first 1 s of the pure odors, Hz.
    pub target_tuned_ei_assembly_rate_hz: Option<f64>,
    /// Currents tried, pA.
    pub trial_currents_pa: Vec<f64>,
    /// Rate of the pseudo-assemblies of L and M in rand with each trial current, Hz.
    pub rand_pseudo_assembly_rates_hz: Vec<Option<f64>>,
    /// The current I* at 100 % concentration, pA.
    pub current_at_100_percent_pa: Option<f64>,
    /// How I* was found (interpolated, extrapolated, …).
    pub how: String,
    /// Current injections of the subspace protocol.
    pub injections: usize,
}

/// Labels of the adjusted variants of Fig. 4—S3.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ControlParameters {
    /// `Tuned[adjust]`.
    pub tuned_adjust: String,
    /// `Scaled[adjust]`.
    pub scaled_adjust: String,
}

/// One subspace run and its cost.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunCost {
    /// `Main`, `Simple` or `Controls`.
    pub group: String,
    /// Network label.
    pub network: String,
    /// Variant key.
    pub variant: String,
    /// CPU time of the simulations, s.
    pub sim_cpu_s: Option<f64>,
    /// CPU time of the analyses, s.
    pub analysis_cpu_s: Option<f64>,
}

/// The numbers of Fig. 5: distances and readouts.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Fig5Summary {
    /// Readouts and distances per variant key, over networks.
    pub variants: BTreeMap<String, ReadoutsAndDistances>,
    /// Sizes of the readouts.
    pub sizes: ReadoutSizes,
    /// Training presentations of each class (L, M, N, O).
    pub training_presentations_per_class: Vec<usize>,
    /// Test presentations.
    pub test_presentations: usize,
    /// Choices where the paper is silent.
    pub choices: Fig5Choices,
}

/// The choices of Fig. 5 where the paper is silent.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Fig5Choices {
    /// The classes.
    pub classes: String,
    /// The test classes of d_M and the directions.
    pub d_m_test_classes: String,
    /// Singular covariances.
    pub singular: String,
    /// P(target).
    pub p_target: String,
    /// The hysteresis of template matching.
    pub hysteresis: String,
    /// The concentration regression.
    pub regression: String,
    /// The concentration SVM.
    pub svm: String,
}

/// The analyses of the jobs of `group` and `key` (one per network).
pub(crate) fn select<'a>(outs: &'a [JobOut], group: Group, key: &str) -> Vec<&'a RunAnalysis> {
    outs.iter().filter(|o| o.job.group == group && o.job.key == key).map(|o| &o.analysis).collect()
}

/// The Fig. 4 summary; the supplements are filled in by the caller or skipped.
pub(crate) fn fig4(ctx: &Context, sub: &Subspace, ob: &ObReference, keys: &[&str], outs: &[JobOut]) -> Fig4Summary {
    let quick = ctx.options.quick;
    let skipped = || "skipped in the quick version".to_string();
    Fig4Summary {
        presentations: sub.len(),
        trajectories: super::trajectory_ids(quick),
        networks: ctx.instances.iter().map(|i| i.label()).collect(),
        ob: ObSummary::of(ob),
        variants: keys.iter().map(|&k| (k.to_string(), GeometrySummary::of(&select(outs, Group::Main, k)))).collect(),
        choices: Fig4Choices {
            corners:
                "L, M = learned odors 0, 1 (assemblies 0, 1), top corners; N, O = novel odors 0, 1, bottom corners"
                    .into(),
            pr_halves:
                "learned half = grid rows 1-5 (top, nearest L and M), novel half = rows 7-11; middle row in neither"
                    .into(),
            related_mixtures:
                "7 most OB-correlated presentations of the same trajectory; 21 angles per trajectory and corner".into(),
            patterns: "E rates over each 1 s presentation".into(),
            tuned_i: if with_tuned_i(quick) { "included" } else { "left out (CPU budget)" }.into(),
        },
        s2_simple_model: Supplement::Skipped(skipped()),
        s3_controls: Supplement::Skipped(skipped()),
        s2_parameter_search: None,
        sim_cpu_s: finite(outs.iter().map(|o| o.sim_s).sum()),
        analysis_cpu_s: finite(outs.iter().map(|o| o.analysis_cpu_s).sum()),
        runs: outs
            .iter()
            .map(|o| RunCost {
                group: format!("{:?}", o.job.group),
                network: o.label.clone(),
                variant: o.job.key.into(),
                sim_cpu_s: finite(o.sim_s),
                analysis_cpu_s: finite(o.analysis_cpu_s),
            })
            .collect(),
    }
}

/// The Fig. 4—S2 summary on the subspace `sub_s` with OB reference `ob_s`.
pub(crate) fn simple_model(sub_s: &Subspace, ob_s: &ObReference, outs: &[JobOut]) -> SimpleModelSummary {
    SimpleModelSummary {
        networks: 1,
        trajectories: S_TRAJECTORIES.to_vec(),
        presentations: sub_s.len(),
        ob_pr_all: finite(ob_s.pr_all),
        variants: ["rand", "tuned_ei"]
            .iter()
            .map(|&k| (k.to_string(), GeometrySummary::of(&select(outs, Group::Simple, k))))
            .collect(),
        note: "Structure::Simple with the Table 5 Tuned E+I parameters (α 5, β 4, γ 3)".into(),
    }
}

/// The conditions of Fig. 4—S3, in the order of its bars: the first network's main runs
/// (analysed on the S3 trajectories) and the three controls.
pub(crate) const CONTROLS: [(&str, Group); 6] = [
    ("rand", Group::Main),
    ("scaled_i", Group::Main),
    ("tuned_ei", Group::Main),
    ("tuned_adjust", Group::Controls),
    ("scaled_adjust", Group::Controls),
    ("excitability", Group::Controls),
];

/// The first network's run of `group` and `key` on the S2/S3 trajectories.
pub(crate) fn on_s_trajectories<'a>(outs: &'a [JobOut], group: Group, key: &str) -> Vec<&'a RunAnalysis> {
    outs.iter()
        .filter(|o| o.job.group == group && o.job.key == key && o.job.instance == 0)
        .map(|o| o.subset.as_ref().unwrap_or(&o.analysis))
        .collect()
}

/// The Fig. 4—S3 summary on the subspace `sub_s` with OB reference `ob_s`.
pub(crate) fn controls(ctx: &Context, sub_s: &Subspace, ob_s: &ObReference, outs: &[JobOut]) -> ControlsSummary {
    let cl_s = sub_s.classes();
    let runs = |(key, group): (&str, Group)| (key.to_string(), on_s_trajectories(outs, group, key));
    ControlsSummary {
        network: ctx.instances[0].label(),
        trajectories: S_TRAJECTORIES.to_vec(),
        presentations: sub_s.len(),
        ob_pr_all: finite(ob_s.pr_all),
        note: "rand, scaled_i, tuned_ei: the main runs of this network analysed on the same trajectories".into(),
        variants: CONTROLS.iter().map(|&c| runs(c)).map(|(k, r)| (k, GeometryAndDistances::of(&r))).collect(),
        readouts: CONTROLS.iter().map(|&c| runs(c)).map(|(k, r)| (k, ReadoutSummary::of(&r, sub_s, &cl_s))).collect(),
        excitability: ExcitabilitySummary {
            method: "rand network; depolarising current I*·c/100 into the pseudo-assembly neurons of L (M) during every presentation with concentration c of L (M) (stands in for lowered g_rest)".into(),
            calibration: outs.iter().find(|o| o.job.excitability).and_then(|o| o.calibration.clone()),
        },
        parameters: ControlParameters {
            tuned_adjust: Variant::TUNED_ADJUST.label(),
            scaled_adjust: Variant::SCALED_ADJUST.label(),
        },
    }
}

/// The Fig. 5 summary of the variants `keys` on the main subspace `sub`.
pub(crate) fn fig5(sub: &Subspace, keys: &[&str], sizes: &ReadoutSizes, outs: &[JobOut]) -> Fig5Summary {
    let cl = sub.classes();
    let variant = |key: &str| {
        let runs = select(outs, Group::Main, key);
        ReadoutsAndDistances {
            readouts: ReadoutSummary::of(&runs, sub, &cl),
            distances: DistancePools::of(&runs),
            shrinkage_reading: Some(ShrinkageReading::of(&runs, sub, &cl, QDA_SHRINKAGE)),
        }
    };
    Fig5Summary {
        variants: keys.iter().map(|&k| (k.to_string(), variant(k))).collect(),
        sizes: *sizes,
        training_presentations_per_class: (0..4).map(|c| cl.train.iter().filter(|t| **t == Some(c)).count()).collect(),
        test_presentations: cl.test.iter().filter(|t| **t).count(),
        choices: Fig5Choices {
            classes: "class X = presentations with OB correlation > 0.6 to pure odor X (2 half-patterns each); test = the rest, target = most OB-correlated pure odor".into(),
            d_m_test_classes: format!("V_X = test presentations with target X and OB correlation >= {DM_TEST_MIN_CORR}; directions: learned_to_novel = V near L/M against Q of N/O"),
            singular: "draws with a singular class covariance are skipped and counted; none valid = not applicable (null)".into(),
            p_target: "fraction of valid neuron draws x 2 halves assigning a test pattern to its target".into(),
            hysteresis: "template accuracy on test presentations whose predecessor had more (leaving) or less (approaching) of the target".into(),
            regression: "11 concentration levels 10-80 % x 32 responses (pure odors and 90 % have too few pixels), OLS from 1 s rates on the neurons that vary in the training responses; in-sample MSE (mean over draws) and 2-fold CV MSE (median over draws)".into(),
            svm: "6 classes (10,25],...,(85,100] % x 27 responses, linear one-vs-one SVM C=1, 2-fold CV".into(),
        },
    }
}
