//! The numbers of the Dp report: the parts of a run's `summary.json` that the tables of
//! `docs/reproduction/dp.md` show, as typed structs laid out like the run's summary (so that
//! reading a run is one `serde` call and a field the report needs cannot silently vanish).
//!
//! The same structs, serialised, are the committed compact summary
//! `docs/reproduction/dp/summary.json`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Mean ± SD over networks, as an object (`{"mean": …, "sd": …}`); `None` = not applicable
/// (NaN in the run, `null` in JSON; a run writes a measure that had no value at all as
/// `null`, read as both `None`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(from = "Option<MsObject>")]
pub struct Ms {
    /// Mean over networks.
    pub mean: Option<f64>,
    /// Sample SD over networks.
    pub sd: Option<f64>,
}

#[derive(Deserialize)]
struct MsObject {
    mean: Option<f64>,
    sd: Option<f64>,
}

impl From<Option<MsObject>> for Ms {
    fn from(m: Option<MsObject>) -> Self {
        m.map_or(Ms::default(), |m| Ms { mean: m.mean, sd: m.sd })
    }
}

/// Mean ± SD over networks as a `[mean, sd]` pair (the figure modules' format).
pub type Pair = (Option<f64>, Option<f64>);

/// A Wilcoxon signed-rank test over networks (`null` in a run where it could not be made).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Wilcoxon {
    /// Two-sided exact p value.
    pub p: Option<f64>,
}

impl Wilcoxon {
    /// The p value of a test that may be missing.
    pub fn p_of(test: Option<Wilcoxon>) -> Option<f64> {
        test.and_then(|w| w.p)
    }
}

/// What the report needs of a Dp run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DpNumbers {
    /// Experiment seed.
    pub seed: u64,
    /// Whether it was the quick version.
    pub quick: bool,
    /// The network instances (`A1`, `A2`, `B11`, …).
    pub networks: Vec<String>,
    /// Wall-clock seconds of the whole run.
    pub wall_s: f64,
    /// Per variant (`rand`, `scaled_i`, `tuned_i`, `tuned_ei`): the per-run measures of
    /// Figs 1–2 for learned and novel odors (empty when neither figure ran).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub variants: BTreeMap<String, VariantSets>,
    /// Fig. 1 (each figure is absent when a run left it out, `--figure`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fig1: Option<Fig1>,
    /// Fig. 2.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fig2: Option<Fig2>,
    /// Fig. 3.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fig3: Option<Fig3>,
    /// Fig. 4 and its supplements.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fig4: Option<Fig4>,
    /// Fig. 5.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fig5: Option<Fig5>,
    /// Fig. 6.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fig6: Option<Fig6>,
}

/// One variant's measures for the two odor sets.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VariantSets {
    /// Label with parameters, e.g. `Tuned E+I (α 5, β 4, γ 3)`.
    pub label: String,
    /// Learned odors: measure name → mean ± SD over networks.
    pub learned: BTreeMap<String, Ms>,
    /// Novel odors.
    pub novel: BTreeMap<String, Ms>,
    /// The α, β, γ each network achieved after rewiring.
    pub achieved: Vec<Achieved>,
}

/// Connectivity a network achieved.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Achieved {
    /// E→E connection-probability ratio inside vs outside assemblies.
    pub alpha: Option<f64>,
    /// I→E ratio.
    pub beta: Option<f64>,
    /// E→I ratio.
    pub gamma: Option<f64>,
    /// Fraction of E neurons in at least one assembly.
    pub frac_in_assembly: f64,
    /// Fraction in more than one.
    pub frac_in_several: f64,
}

/// Fig. 1: the rand networks and their inhibition stabilisation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Fig1 {
    /// The fitted observables of the rand networks, learned and novel odors together: measure
    /// name → mean ± SD.
    pub observables_rand: BTreeMap<String, Ms>,
    /// The shuffled-inhibition test.
    pub inhibition_stabilisation: InhibitionStabilisation,
}

/// Replaying a run's I spikes, unchanged or shuffled in time.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InhibitionStabilisation {
    /// Odors per network.
    pub odors_per_network: usize,
    /// E rate above which a trial counts as a runaway, Hz.
    pub runaway_rate_hz: f64,
    /// Fraction of trials that ran away with shuffled I spikes.
    pub p_runaway_shuffled: PerNetwork,
    /// The same with the I spikes replayed unchanged (control).
    pub p_runaway_replayed_control: PerNetwork,
    /// Mean E rate during the odor in the three conditions, Hz.
    pub e_rate_odor_hz: ReplayRates,
    /// The runaway probability under each shuffling scheme (absent in older summaries).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shuffle_schemes: Option<Vec<ShuffleScheme>>,
}

/// One way of shuffling the I spikes (`crate::dp::fig1::IShuffle`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ShuffleScheme {
    /// Its name.
    pub scheme: String,
    /// Fraction of trials that ran away.
    pub p_runaway: PerNetwork,
    /// Mean E rate during the odor, Hz.
    pub e_rate_odor_hz: Option<f64>,
}

/// A measure per network and its mean ± SD.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PerNetwork {
    /// Mean over networks.
    pub mean: f64,
    /// SD over networks.
    pub sd: f64,
    /// One value per network, in the order of [`DpNumbers::networks`].
    pub per_network: Vec<f64>,
}

/// Mean E rates of the inhibition-stabilisation test, Hz.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReplayRates {
    /// The network simulated normally.
    pub simulated: f64,
    /// I spikes replayed unchanged.
    pub replayed: f64,
    /// I spikes shuffled in time.
    pub shuffled: f64,
}

/// Fig. 2: the α sweep and the time–time correlations.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Fig2 {
    /// E-only assemblies of increasing α (χ = 1).
    pub alpha_sweep: Vec<AlphaPoint>,
    /// Per variant: time–time correlation of the population vector.
    pub time_time: BTreeMap<String, TimeTime>,
}

/// One α of the sweep.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct AlphaPoint {
    /// E→E probability ratio inside assemblies.
    pub alpha: f64,
    /// Mean E rate during odors, Hz.
    pub e_rate_hz: Pair,
    /// Mean I rate, Hz.
    pub i_rate_hz: Pair,
    /// Mean rate of the activated assembly, Hz.
    pub assembly_rate_hz: Pair,
}

/// Time–time correlations of one variant.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct TimeTime {
    /// Mean off-diagonal correlation during the odor.
    pub mean_offdiag_during_odor: f64,
}

/// Fig. 3: morphs and partial stimulation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Fig3 {
    /// Per variant.
    pub morphs: BTreeMap<String, Morphs>,
    /// Per variant.
    pub partial_stimulation: BTreeMap<String, PartialStimulation>,
}

/// The morphs of one variant.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Morphs {
    /// Novel odor → learned odor.
    pub novel_to_learned: NovelToLearned,
}

/// Along the novel → learned morph, one entry per step (fraction of the learned odor
/// 0, 0.2, …, 1).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NovelToLearned {
    /// Fraction of the target per step.
    pub fraction_target: Vec<f64>,
    /// Correlation of the OB input with the target's.
    pub input_r: Vec<Pair>,
    /// Correlation of the Dp output with the target's.
    pub output_r: Vec<Pair>,
    /// Steepest slope of output r over one step (per unit fraction).
    pub steepest_step_slope: Pair,
    /// Mean OB input current to the assembly, pA.
    pub ob_assembly_pa: Vec<Pair>,
    /// Mean recurrent excitatory current to the assembly, pA.
    pub exc_assembly_pa: Vec<Pair>,
    /// Mean inhibitory current to the assembly, pA.
    pub inh_assembly_pa: Vec<Pair>,
    /// Net recurrent current to the assembly, pA.
    pub net_recurrent_assembly_pa: Vec<Pair>,
}

/// Partial stimulation of one variant.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PartialStimulation {
    /// Rate of the unstimulated assembly members over the non-assembly rate, during.
    pub other_members_over_no_assembly_during: Pair,
    /// Rates before the injection.
    pub before: GroupRates,
    /// Rates during it.
    pub during: GroupRates,
}

/// Rates of the groups of a partial-stimulation trial, Hz.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct GroupRates {
    /// Injected half of the assembly.
    pub injected: Pair,
    /// The other half.
    pub other_members: Pair,
    /// Neurons in no assembly.
    pub no_assembly: Pair,
}

/// Fig. 4 and its supplements.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Fig4 {
    /// Networks analysed.
    pub networks: Vec<String>,
    /// Presentations per network and variant.
    pub presentations: usize,
    /// The bulb's own geometry.
    pub ob: ObGeometry,
    /// Per variant.
    pub variants: BTreeMap<String, Geometry>,
    /// The simple model (absent in the quick version).
    #[serde(deserialize_with = "object_or_none", default, skip_serializing_if = "Option::is_none")]
    pub s2_simple_model: Option<S2>,
    /// The controls (absent in the quick version).
    #[serde(deserialize_with = "object_or_none", default, skip_serializing_if = "Option::is_none")]
    pub s3_controls: Option<S3>,
    /// The search over the simple model's Tuned E+I parameters (absent in older summaries).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub s2_parameter_search: Option<crate::dp::fig45::simple_search::SimpleSearch>,
}

/// A value that is an object in full runs and a note (a string) in quick ones.
fn object_or_none<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Either<T> {
        Object(T),
        Note(#[allow(dead_code)] String),
    }
    Ok(match Option::<Either<T>>::deserialize(d)? {
        Some(Either::Object(t)) => Some(t),
        _ => None,
    })
}

/// Participation ratios of the OB input patterns.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct ObGeometry {
    /// All presentations.
    pub pr_all: f64,
    /// Learned half of the grid.
    pub pr_learned_half: f64,
    /// Novel half.
    pub pr_novel_half: f64,
}

/// Geometry of one variant's odor subspace.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Geometry {
    /// Participation ratio.
    pub participation_ratio: Halves,
    /// PCs explaining 75 % of the variance.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pcs_for_75_percent: Option<Ms>,
    /// Angles between neighbouring mixtures, rad.
    pub angles_rad_full_space: Angles,
    /// Local variance on the leading PCs.
    pub local_variance: LocalVariance,
    /// Assembly rate for the pure learned and novel odors, Hz.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assembly_rate_pure_learned_hz: Option<Ms>,
    /// See `assembly_rate_pure_learned_hz`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assembly_rate_pure_novel_hz: Option<Ms>,
    /// d_M on (pseudo-)assembly neurons (the S3 controls only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub distances_assembly_neurons: Option<Distances>,
}

/// A measure on all presentations and on each half of the grid.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Halves {
    /// All presentations.
    pub all: Ms,
    /// Learned half (nearest the learned odors).
    pub learned_half: Ms,
    /// Novel half.
    pub novel_half: Ms,
}

/// Angles near learned vs near novel odors.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Angles {
    /// Mean over networks of each network's mean angle near learned odors, rad.
    pub learned_network_means: Ms,
    /// The same near novel odors.
    pub novel_network_means: Ms,
    /// Learned vs novel, paired over networks.
    pub wilcoxon_learned_vs_novel: Option<Wilcoxon>,
}

/// Local variance on PCs 1–5.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct LocalVariance {
    /// Near learned odors.
    pub learned_pcs_1_5: Ms,
    /// Near novel odors.
    pub novel_pcs_1_5: Ms,
}

/// Fig. 4—S2.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct S2 {
    /// `rand` and `tuned_ei` of the simple model.
    pub variants: BTreeMap<String, Geometry>,
}

/// Fig. 4—S3.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct S3 {
    /// The network.
    pub network: String,
    /// Per control (and the main variants on the same trajectories).
    pub variants: BTreeMap<String, Geometry>,
}

/// Mahalanobis distances between classes.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Distances {
    /// Test patterns near a learned odor to a novel reference class.
    pub learned_to_novel: Distance,
    /// Near a novel odor to a learned class.
    pub novel_to_learned: Distance,
    /// Between novel classes.
    pub novel_to_novel: Distance,
    /// Learned → novel vs novel → learned, paired over networks.
    pub wilcoxon_d_m_learned_to_novel_vs_novel_to_learned: Option<Wilcoxon>,
    /// How many reference covariance fits were singular.
    pub singular_reference_fits: Singular,
}

/// One distance.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Distance {
    /// Mahalanobis distance.
    pub d_m: Ms,
}

/// Singular covariance fits.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Singular {
    /// Singular fits.
    pub singular: usize,
    /// Of this many.
    pub of: usize,
}

/// Fig. 5.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Fig5 {
    /// Per variant.
    pub variants: BTreeMap<String, Readouts>,
}

/// The readouts of one variant.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Readouts {
    /// d_M on 80 (pseudo-)assembly neurons.
    pub distances_assembly_neurons: Distances,
    /// 4-way QDA on the same neurons.
    pub qda_assembly_neurons: Qda,
    /// Template matching.
    pub template_matching: Templates,
    /// Linear regression of concentration, in-sample MSE, %².
    pub regression_mse_fit_pct2: LearnedNovel,
    /// The same, cross-validated.
    pub regression_mse_cv_pct2: LearnedNovel,
    /// Linear SVM accuracy on concentration classes.
    pub svm_accuracy: LearnedNovel,
    /// d_M and QDA with shrunk class covariances (absent in older summaries).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shrinkage_reading: Option<ShrinkageReading>,
}

/// d_M and QDA on (pseudo-)assembly neurons with the class covariances shrunk by `lambda`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct ShrinkageReading {
    /// Shrinkage toward the mean variance, a fraction.
    pub lambda: f64,
    /// QDA.
    pub qda: Qda,
    /// d_M.
    pub distances: Distances,
}

/// A measure for learned and for novel odors.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct LearnedNovel {
    /// Learned odors.
    pub learned: Ms,
    /// Novel odors.
    pub novel: Ms,
}

/// QDA classification.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Qda {
    /// Whether enough covariance fits were regular.
    pub applicable: bool,
    /// Fraction assigned to the target class, learned-side targets.
    pub p_target_learned: Ms,
    /// The same, novel-side targets.
    pub p_target_novel: Ms,
    /// Learned vs novel, paired over networks.
    pub wilcoxon_learned_vs_novel: Option<Wilcoxon>,
}

/// Template matching.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Templates {
    /// Learned targets.
    pub accuracy_learned_targets: Ms,
    /// Novel targets.
    pub accuracy_novel_targets: Ms,
    /// Accuracy by direction of travel.
    pub hysteresis: Hysteresis,
}

/// Template accuracy by direction of travel along a trajectory.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Hysteresis {
    /// The previous presentation had less of the target.
    pub approaching_target: Ms,
    /// It had more.
    pub leaving_target: Ms,
    /// Approaching, learned targets only.
    pub learned_approaching: Ms,
    /// Leaving, learned targets only.
    pub learned_leaving: Ms,
}

/// Fig. 6.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Fig6 {
    /// Input (OB) correlations of the four pure odors (Y, Z, W, X).
    pub input_corr: Vec<Vec<f64>>,
    /// Networks and trajectories used.
    pub protocol: Fig6Protocol,
    /// Per variant (`scaled_i`, `tuned_ei`).
    pub variants: BTreeMap<String, Continual>,
}

/// The Fig. 6 protocol.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Fig6Protocol {
    /// Network labels.
    pub networks: Vec<String>,
    /// Trajectory indices.
    pub trajectories: Vec<usize>,
}

/// One variant before and after adding the Y and Z assemblies.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Continual {
    /// The added assemblies.
    pub added: Added,
    /// Before adding them.
    pub before: ContinualState,
    /// After.
    pub after: ContinualState,
}

/// The added assemblies.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Added {
    /// Fraction of shared neurons.
    pub overlap: Pair,
}

/// The measures of Fig. 6 in one state.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct ContinualState {
    /// Mean E rate, Hz.
    pub e_rate_hz: Pair,
    /// Rate of the Y/Z assemblies for their own odors, Hz.
    pub yz_assembly_rate_own_hz: Pair,
    /// Correlation of the Y and Z class means.
    pub corr_yz: Pair,
    /// Correlation of the responses to pure Y and Z.
    pub corr_yz_pure: Pair,
    /// Distance between the Y and Z class means, Hz.
    pub dist_yz_hz: Pair,
    /// Separation of Y and Z on the leading PCs.
    pub pc_sep_yz: Pair,
    /// The same over the Y and Z classes' own spread, d′ (absent in older summaries).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pc_dprime_yz: Option<Pair>,
    /// QDA fraction assigned to the target, Y and Z.
    pub p_target_yz: Pair,
    /// d_M of Y test patterns to class Z and the reverse, and the same for W, X.
    pub d_m_vy_qz: Pair,
    /// See `d_m_vy_qz`.
    pub d_m_vz_qy: Pair,
    /// See `d_m_vy_qz`.
    pub d_m_vw_qx: Pair,
    /// See `d_m_vy_qz`.
    pub d_m_vx_qw: Pair,
}
