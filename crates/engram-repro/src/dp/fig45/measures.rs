//! Summaries over networks of the measures of [`RunAnalysis`] (geometry, distances, readouts):
//! mean ± SD over the networks' values and paired Wilcoxon tests, as typed records. Figs 4
//! and 5 and `dp-learned` build their JSON from these.
//!
//! A measure with no finite value over the networks (not applicable everywhere, e.g. QDA with
//! singular covariances) is `None` and written as `null`.

use engram_analysis::finite::{finite_mean, finite_mean_sd};
use engram_analysis::stats::{WilcoxonMethod, wilcoxon_signed_rank};
use engram_models::dp::subspace::{Classes, Subspace};
use serde::{Deserialize, Serialize};

use super::analyse::{Direction, DistanceBlock, Distances, LEARNED, NOVEL, RunAnalysis};

/// Mean ± sample SD over the finite values of a measure, and how many there were.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct MeanSd {
    /// Mean, in the measure's unit.
    pub mean: f64,
    /// Sample SD (n − 1; 0 for a single value), in the measure's unit.
    pub sd: f64,
    /// Number of finite values.
    pub n: usize,
}

impl MeanSd {
    /// Mean ± SD of the finite `values`; `None` if there are none.
    pub fn of(values: &[f64]) -> Option<Self> {
        let v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
        if v.is_empty() {
            return None;
        }
        let (mean, sd) = finite_mean_sd(&v);
        Some(Self { mean, sd, n: v.len() })
    }

    /// `(mean, sd)` for a bar with an error bar; `(NaN, NaN)` (no bar) for `None`.
    pub fn bar(stat: &Option<Self>) -> (f64, f64) {
        stat.map_or((f64::NAN, f64::NAN), |s| (s.mean, s.sd))
    }
}

/// A two-sided paired Wilcoxon signed-rank test across networks.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct WilcoxonSummary {
    /// Two-sided p-value.
    pub p: f64,
    /// Nonzero paired differences used.
    pub n: usize,
    /// Sum of the ranks of the positive differences.
    pub w_plus: f64,
    /// Sum of the ranks of the negative differences.
    pub w_minus: f64,
}

impl WilcoxonSummary {
    /// The test of `x` against `y` (paired by network); `None` with fewer than 2 pairs, a
    /// non-finite value, or all differences zero.
    pub fn of(x: &[f64], y: &[f64]) -> Option<Self> {
        if x.len() != y.len() || x.len() < 2 || x.iter().chain(y).any(|v| !v.is_finite()) {
            return None;
        }
        let r = wilcoxon_signed_rank(x, y, WilcoxonMethod::Auto).ok()?;
        Some(Self { p: r.p_value, n: r.n, w_plus: r.w_plus, w_minus: r.w_minus })
    }
}

/// A measure summarised for the learned (L, M) and the novel (N, O) corners.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct LearnedNovel {
    /// Around / for the learned odors L and M.
    pub learned: Option<MeanSd>,
    /// Around / for the novel odors N and O.
    pub novel: Option<MeanSd>,
}

/// Participation ratios of the E patterns (Fig. 4F).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct ParticipationRatioSummary {
    /// PR of all presentations.
    pub all: Option<MeanSd>,
    /// PR of the learned-side half of the grid (rows 1–5).
    pub learned_half: Option<MeanSd>,
    /// PR of the novel-side half (rows 7–11).
    pub novel_half: Option<MeanSd>,
}

/// Angles around the pure odors (Fig. 4G), rad.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct AnglesSummary {
    /// All angles around L and M of all networks, pooled.
    pub learned_pooled: Option<MeanSd>,
    /// All angles around N and O, pooled.
    pub novel_pooled: Option<MeanSd>,
    /// The networks' mean angles around L and M.
    pub learned_network_means: Option<MeanSd>,
    /// The networks' mean angles around N and O.
    pub novel_network_means: Option<MeanSd>,
    /// Network means, learned vs novel.
    pub wilcoxon_learned_vs_novel: Option<WilcoxonSummary>,
}

/// Local variance around the pure odors (Fig. 4H), per network the mean over the PCs and the
/// corners of a set, Hz².
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct LocalVarianceSummary {
    /// Around L and M, PCs 1–5.
    pub learned_pcs_1_5: Option<MeanSd>,
    /// Around N and O, PCs 1–5.
    pub novel_pcs_1_5: Option<MeanSd>,
    /// Around L and M, PCs 1–40.
    pub learned_pcs_1_40: Option<MeanSd>,
    /// Around N and O, PCs 1–40.
    pub novel_pcs_1_40: Option<MeanSd>,
    /// Around L and M, PCs 200–400 (`None` with fewer PCs).
    pub learned_pcs_200_400: Option<MeanSd>,
    /// Around N and O, PCs 200–400.
    pub novel_pcs_200_400: Option<MeanSd>,
}

/// The geometry of one variant's E representations over networks (Fig. 4).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GeometrySummary {
    /// Networks summarised.
    pub networks: usize,
    /// Mean E rate over all presentations, Hz.
    pub e_rate_hz: Option<MeanSd>,
    /// Rate of the assemblies of L and M during their pure odors, Hz.
    pub assembly_rate_pure_learned_hz: Option<MeanSd>,
    /// Rate of the pseudo-assemblies of N and O during their pure odors, Hz.
    pub assembly_rate_pure_novel_hz: Option<MeanSd>,
    /// Participation ratios.
    pub participation_ratio: ParticipationRatioSummary,
    /// Fraction of the variance in the first 400 PCs (or all).
    pub variance_in_first_400_pcs: Option<MeanSd>,
    /// PCs needed for 75 % of the variance.
    pub pcs_for_75_percent: Option<MeanSd>,
    /// PCs of the angles in [`GeometrySummary::angles_rad_in_pcs`] (of the first network).
    pub angle_pcs: usize,
    /// Angles in the first `angle_pcs` PCs, rad.
    pub angles_rad_in_pcs: AnglesSummary,
    /// Angles in the full E space, rad.
    pub angles_rad_full_space: AnglesSummary,
    /// Local variance, Hz².
    pub local_variance: LocalVarianceSummary,
}

/// Angles of `r` around corner `c`, in the PCs or in the full space.
fn angles_of(r: &RunAnalysis, c: usize, full_space: bool) -> &[f64] {
    if full_space { &r.angles_full[c] } else { &r.angles_pcs[c] }
}

impl GeometrySummary {
    /// The geometry of `runs` (one per network).
    pub fn of(runs: &[&RunAnalysis]) -> Self {
        let ms = |f: &dyn Fn(&RunAnalysis) -> f64| MeanSd::of(&runs.iter().map(|r| f(r)).collect::<Vec<_>>());
        let local_variance = |cs: [usize; 2], pcs: std::ops::Range<usize>| {
            ms(&|r| {
                finite_mean(
                    &cs.iter()
                        .flat_map(|&c| r.local_variance_1_40[c].get(pcs.clone()).unwrap_or(&[]).to_vec())
                        .collect::<Vec<_>>(),
                )
            })
        };
        let local_variance_hi = |cs: [usize; 2]| {
            ms(&|r| finite_mean(&cs.iter().filter_map(|&c| r.local_variance_200_400[c]).collect::<Vec<_>>()))
        };
        Self {
            networks: runs.len(),
            e_rate_hz: ms(&|r| r.e_rate_hz),
            assembly_rate_pure_learned_hz: ms(&|r| finite_mean(&r.assembly_rate_pure_hz[..2])),
            assembly_rate_pure_novel_hz: ms(&|r| finite_mean(&r.assembly_rate_pure_hz[2..])),
            participation_ratio: ParticipationRatioSummary {
                all: ms(&|r| r.pr_all),
                learned_half: ms(&|r| r.pr_learned_half),
                novel_half: ms(&|r| r.pr_novel_half),
            },
            variance_in_first_400_pcs: ms(&|r| r.variance_first_400),
            pcs_for_75_percent: ms(&|r| r.n_pcs_75 as f64),
            angle_pcs: runs.first().map_or(0, |r| r.angle_pcs),
            angles_rad_in_pcs: Self::angles(runs, false),
            angles_rad_full_space: Self::angles(runs, true),
            local_variance: LocalVarianceSummary {
                learned_pcs_1_5: local_variance(LEARNED, 0..5),
                novel_pcs_1_5: local_variance(NOVEL, 0..5),
                learned_pcs_1_40: local_variance(LEARNED, 0..40),
                novel_pcs_1_40: local_variance(NOVEL, 0..40),
                learned_pcs_200_400: local_variance_hi(LEARNED),
                novel_pcs_200_400: local_variance_hi(NOVEL),
            },
        }
    }

    fn angles(runs: &[&RunAnalysis], full_space: bool) -> AnglesSummary {
        let pooled = |cs: [usize; 2]| -> Vec<f64> {
            runs.iter().flat_map(|r| cs.iter().flat_map(move |&c| angles_of(r, c, full_space).to_vec())).collect()
        };
        let network_means = |cs: [usize; 2]| -> Vec<f64> {
            runs.iter()
                .map(|r| {
                    finite_mean(&cs.iter().flat_map(|&c| angles_of(r, c, full_space).to_vec()).collect::<Vec<_>>())
                })
                .collect()
        };
        let (learned, novel) = (network_means(LEARNED), network_means(NOVEL));
        AnglesSummary {
            learned_pooled: MeanSd::of(&pooled(LEARNED)),
            novel_pooled: MeanSd::of(&pooled(NOVEL)),
            learned_network_means: MeanSd::of(&learned),
            novel_network_means: MeanSd::of(&novel),
            wilcoxon_learned_vs_novel: WilcoxonSummary::of(&learned, &novel),
        }
    }
}

/// One direction of the distances over networks (Fig. 5B and 5—S1).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct DirectionSummary {
    /// Mahalanobis distance d_M.
    pub d_m: Option<MeanSd>,
    /// Distance between the class means d_E, Hz.
    pub d_e: Option<MeanSd>,
    /// Mean distance of the test patterns from the reference mean d_Ê, Hz.
    pub d_ehat: Option<MeanSd>,
}

/// Reference-class fits whose covariance was singular.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct SingularFits {
    /// Singular fits, all networks.
    pub singular: usize,
    /// Fits made (draws × 4 reference classes × networks).
    pub of: usize,
}

/// Distances between the test mixtures and the pure odors' classes over networks, for one
/// neuron pool (Fig. 5B).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct DistancesSummary {
    /// V near L, M against Q of N, O.
    pub learned_to_novel: DirectionSummary,
    /// V near N, O against Q of L, M.
    pub novel_to_learned: DirectionSummary,
    /// V near N, O against Q of the other novel odor.
    pub novel_to_novel: DirectionSummary,
    /// V near L, M against Q of the other learned odor.
    pub learned_to_learned: DirectionSummary,
    /// Singular reference fits.
    pub singular_reference_fits: SingularFits,
    /// d_M, learned → novel against novel → learned, paired by network.
    pub wilcoxon_d_m_learned_to_novel_vs_novel_to_learned: Option<WilcoxonSummary>,
    /// The same for d_E.
    pub wilcoxon_d_e_learned_to_novel_vs_novel_to_learned: Option<WilcoxonSummary>,
    /// The same for d_Ê.
    pub wilcoxon_d_ehat_learned_to_novel_vs_novel_to_learned: Option<WilcoxonSummary>,
}

impl DistancesSummary {
    /// The distances of `runs` (one per network) from the pool `distances_of` picks.
    pub fn of(runs: &[&RunAnalysis], distances_of: fn(&RunAnalysis) -> &Distances) -> Self {
        let per_net = |dir: Direction, metric: fn(&DistanceBlock) -> f64| -> Vec<f64> {
            runs.iter().map(|r| metric(&distances_of(r).block(dir))).collect()
        };
        let d_m = |b: &DistanceBlock| b.d_m.unwrap_or(f64::NAN);
        let d_e = |b: &DistanceBlock| b.d_e;
        let d_ehat = |b: &DistanceBlock| b.d_ehat;
        let direction = |dir: Direction| DirectionSummary {
            d_m: MeanSd::of(&per_net(dir, d_m)),
            d_e: MeanSd::of(&per_net(dir, d_e)),
            d_ehat: MeanSd::of(&per_net(dir, d_ehat)),
        };
        let wilcoxon = |metric: fn(&DistanceBlock) -> f64| {
            WilcoxonSummary::of(
                &per_net(Direction::LearnedToNovel, metric),
                &per_net(Direction::NovelToLearned, metric),
            )
        };
        Self {
            learned_to_novel: direction(Direction::LearnedToNovel),
            novel_to_learned: direction(Direction::NovelToLearned),
            novel_to_novel: direction(Direction::NovelToNovel),
            learned_to_learned: direction(Direction::LearnedToLearned),
            singular_reference_fits: SingularFits {
                singular: runs.iter().map(|r| distances_of(r).singular_draws.iter().sum::<usize>()).sum(),
                of: runs.iter().map(|r| distances_of(r).draws * 4).sum(),
            },
            wilcoxon_d_m_learned_to_novel_vs_novel_to_learned: wilcoxon(d_m),
            wilcoxon_d_e_learned_to_novel_vs_novel_to_learned: wilcoxon(d_e),
            wilcoxon_d_ehat_learned_to_novel_vs_novel_to_learned: wilcoxon(d_ehat),
        }
    }

    /// The summary of direction `dir`.
    pub fn direction(&self, dir: Direction) -> &DirectionSummary {
        match dir {
            Direction::LearnedToNovel => &self.learned_to_novel,
            Direction::NovelToLearned => &self.novel_to_learned,
            Direction::NovelToNovel => &self.novel_to_novel,
            Direction::LearnedToLearned => &self.learned_to_learned,
        }
    }
}

/// The distances from both neuron pools.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct DistancePools {
    /// Neurons drawn from the (pseudo-)assemblies.
    pub distances_assembly_neurons: DistancesSummary,
    /// Neurons drawn from all E neurons.
    pub distances_all_neurons: DistancesSummary,
}

impl DistancePools {
    /// The distances of `runs` (one per network).
    pub fn of(runs: &[&RunAnalysis]) -> Self {
        Self {
            distances_assembly_neurons: DistancesSummary::of(runs, |r| &r.dist_assembly),
            distances_all_neurons: DistancesSummary::of(runs, |r| &r.dist_all),
        }
    }
}

/// QDA over networks, one neuron pool (Fig. 5C).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct QdaSummary {
    /// P(target) of the test mixtures whose target is L or M, per network the mean.
    pub p_target_learned: Option<MeanSd>,
    /// The same for targets N and O.
    pub p_target_novel: Option<MeanSd>,
    /// Learned vs novel, paired by network.
    pub wilcoxon_learned_vs_novel: Option<WilcoxonSummary>,
    /// Neuron draws where QDA could be fitted, all networks.
    pub valid_draws: usize,
    /// Neuron draws made, all networks.
    pub draws: usize,
    /// Whether any draw could be fitted.
    pub applicable: bool,
    /// P(target) against the OB correlation to the target (bin centre), learned targets;
    /// `None` where no network has a value in the bin.
    pub curve_learned: Vec<(f64, Option<f64>)>,
    /// The same for novel targets.
    pub curve_novel: Vec<(f64, Option<f64>)>,
}

/// OB-correlation bins of the QDA curves: [0, 0.1), …, [0.5, 0.6].
const QDA_BINS: usize = 6;

/// Per-presentation values averaged over the test presentations whose target is in `targets`
/// (and that pass `keep`).
fn mean_over(vals: &[Option<f64>], cl: &Classes, targets: &[usize], keep: &dyn Fn(usize) -> bool) -> f64 {
    let v: Vec<f64> =
        (0..vals.len()).filter(|&k| targets.contains(&cl.target[k]) && keep(k)).filter_map(|k| vals[k]).collect();
    finite_mean(&v)
}

impl QdaSummary {
    /// QDA of `runs` (one per network) with the P(target) values `p_target_of` picks and the
    /// valid draws `valid_of` picks.
    fn of(
        runs: &[&RunAnalysis],
        sub: &Subspace,
        cl: &Classes,
        p_target_of: fn(&RunAnalysis) -> &[Option<f64>],
        valid_of: fn(&RunAnalysis) -> usize,
    ) -> Self {
        let per_net = |targets: &[usize]| -> Vec<f64> {
            runs.iter().map(|r| mean_over(p_target_of(r), cl, targets, &|_| true)).collect()
        };
        let (learned, novel) = (per_net(&LEARNED), per_net(&NOVEL));
        let valid: usize = runs.iter().map(|r| valid_of(r)).sum();
        let curve = |targets: &[usize]| -> Vec<(f64, Option<f64>)> {
            (0..QDA_BINS)
                .map(|b| {
                    let lo = b as f64 / 10.0;
                    let in_bin = |k: usize| {
                        let x = sub.corr[k][cl.target[k]];
                        x >= lo && (x < lo + 0.1 || b == QDA_BINS - 1)
                    };
                    let per_net: Vec<f64> =
                        runs.iter().map(|r| mean_over(p_target_of(r), cl, targets, &in_bin)).collect();
                    let y = finite_mean(&per_net);
                    (lo + 0.05, y.is_finite().then_some(y))
                })
                .collect()
        };
        Self {
            p_target_learned: MeanSd::of(&learned),
            p_target_novel: MeanSd::of(&novel),
            wilcoxon_learned_vs_novel: WilcoxonSummary::of(&learned, &novel),
            valid_draws: valid,
            draws: runs.len() * runs.first().map_or(0, |r| r.dist_all.draws),
            applicable: valid > 0,
            curve_learned: curve(&LEARNED),
            curve_novel: curve(&NOVEL),
        }
    }
}

/// QDA from both neuron pools.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct QdaPools {
    /// Neurons drawn from the (pseudo-)assemblies.
    pub qda_assembly_neurons: QdaSummary,
    /// Neurons drawn from all E neurons.
    pub qda_all_neurons: QdaSummary,
}

impl QdaPools {
    /// QDA of `runs` (one per network) on the subspace `sub` with classes `cl`.
    pub fn of(runs: &[&RunAnalysis], sub: &Subspace, cl: &Classes) -> Self {
        Self {
            qda_assembly_neurons: QdaSummary::of(runs, sub, cl, |r| &r.qda_assembly, |r| r.qda_valid_draws[0]),
            qda_all_neurons: QdaSummary::of(runs, sub, cl, |r| &r.qda_all, |r| r.qda_valid_draws[1]),
        }
    }
}

/// Template-matching accuracy before and after a change of direction (Fig. 5—S2).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct HysteresisSummary {
    /// Test presentations whose predecessor had less of the target.
    pub approaching_target: Option<MeanSd>,
    /// Test presentations whose predecessor had more of the target.
    pub leaving_target: Option<MeanSd>,
    /// Approaching, learned targets only.
    pub learned_approaching: Option<MeanSd>,
    /// Leaving, learned targets only.
    pub learned_leaving: Option<MeanSd>,
    /// Presentations of the row-wise trajectories (0–3).
    pub row_wise_trajectories: Option<MeanSd>,
    /// Presentations of the column-wise trajectories (4–7).
    pub column_wise_trajectories: Option<MeanSd>,
}

/// Template-matching accuracy over networks (assembly neurons, Fig. 5—S2).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct TemplateSummary {
    /// All test presentations.
    pub accuracy_all: Option<MeanSd>,
    /// Test presentations with target L or M.
    pub accuracy_learned_targets: Option<MeanSd>,
    /// Test presentations with target N or O.
    pub accuracy_novel_targets: Option<MeanSd>,
    /// By the direction of the trajectory.
    pub hysteresis: HysteresisSummary,
}

/// Direction of presentation `k` relative to its target: +1 leaving (the previous presentation
/// of the trajectory had more of the target), −1 approaching, 0 otherwise.
fn direction(sub: &Subspace, cl: &Classes, k: usize) -> i32 {
    if k == 0 || sub.presentations[k - 1].trajectory != sub.presentations[k].trajectory {
        return 0;
    }
    let c = cl.target[k];
    let (prev, now) =
        (sub.presentations[k - 1].concentration_percent[c], sub.presentations[k].concentration_percent[c]);
    (prev as i32 - now as i32).signum()
}

impl TemplateSummary {
    /// Template matching of `runs` (one per network).
    fn of(runs: &[&RunAnalysis], sub: &Subspace, cl: &Classes) -> Self {
        let both = [0usize, 1, 2, 3];
        let tm = |targets: &[usize], keep: &dyn Fn(usize) -> bool| {
            MeanSd::of(&runs.iter().map(|r| mean_over(&r.template, cl, targets, keep)).collect::<Vec<_>>())
        };
        let approaching = |k: usize| direction(sub, cl, k) < 0;
        let leaving = |k: usize| direction(sub, cl, k) > 0;
        let row_wise = |k: usize| sub.presentations[k].trajectory < 4;
        Self {
            accuracy_all: tm(&both, &|_| true),
            accuracy_learned_targets: tm(&LEARNED, &|_| true),
            accuracy_novel_targets: tm(&NOVEL, &|_| true),
            hysteresis: HysteresisSummary {
                approaching_target: tm(&both, &approaching),
                leaving_target: tm(&both, &leaving),
                learned_approaching: tm(&LEARNED, &approaching),
                learned_leaving: tm(&LEARNED, &leaving),
                row_wise_trajectories: tm(&both, &row_wise),
                column_wise_trajectories: tm(&both, &|k| !row_wise(k)),
            },
        }
    }
}

/// The readouts of Fig. 5 over networks.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReadoutSummary {
    /// QDA from both pools.
    #[serde(flatten)]
    pub qda: QdaPools,
    /// Template matching (assembly neurons).
    pub template_matching: TemplateSummary,
    /// Concentration regression, in-sample MSE, %².
    pub regression_mse_fit_pct2: LearnedNovel,
    /// Concentration regression, 2-fold cross-validated MSE (median over draws), %².
    pub regression_mse_cv_pct2: LearnedNovel,
    /// Concentration SVM, 2-fold cross-validated accuracy.
    pub svm_accuracy: LearnedNovel,
}

impl ReadoutSummary {
    /// The readouts of `runs` (one per network) on the subspace `sub` with classes `cl`.
    pub fn of(runs: &[&RunAnalysis], sub: &Subspace, cl: &Classes) -> Self {
        let by_corners = |f: fn(&RunAnalysis) -> &[Option<f64>; 4]| {
            let set = |cs: [usize; 2]| {
                let per_net: Vec<f64> =
                    runs.iter().map(|r| finite_mean(&cs.iter().filter_map(|&c| f(r)[c]).collect::<Vec<_>>())).collect();
                MeanSd::of(&per_net)
            };
            LearnedNovel { learned: set(LEARNED), novel: set(NOVEL) }
        };
        Self {
            qda: QdaPools::of(runs, sub, cl),
            template_matching: TemplateSummary::of(runs, sub, cl),
            regression_mse_fit_pct2: by_corners(|r| &r.regression_mse_fit),
            regression_mse_cv_pct2: by_corners(|r| &r.regression_mse_cv),
            svm_accuracy: by_corners(|r| &r.svm_accuracy),
        }
    }
}

/// Geometry and distances of a variant (Fig. 4—S3).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GeometryAndDistances {
    /// The geometry.
    #[serde(flatten)]
    pub geometry: GeometrySummary,
    /// The distances from both pools.
    #[serde(flatten)]
    pub distances: DistancePools,
}

impl GeometryAndDistances {
    /// Geometry and distances of `runs` (one per network).
    pub fn of(runs: &[&RunAnalysis]) -> Self {
        Self { geometry: GeometrySummary::of(runs), distances: DistancePools::of(runs) }
    }
}

/// Readouts and distances of a variant (Fig. 5).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReadoutsAndDistances {
    /// The readouts.
    #[serde(flatten)]
    pub readouts: ReadoutSummary,
    /// The distances from both pools.
    #[serde(flatten)]
    pub distances: DistancePools,
    /// d_M and QDA with shrunk class covariances (absent in summaries written before it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shrinkage_reading: Option<ShrinkageReading>,
}

/// d_M and QDA from (pseudo-)assembly neurons with the class covariances shrunk toward their
/// mean variance (`(1 − λ) S + λ (tr S / d) I`), the second reading of Fig. 5's covariances.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ShrinkageReading {
    /// λ.
    pub lambda: f64,
    /// QDA.
    pub qda: QdaSummary,
    /// Distances.
    pub distances: DistancesSummary,
}

impl ShrinkageReading {
    /// The shrinkage reading of `runs` (one per network), with shrinkage `lambda`.
    pub fn of(runs: &[&RunAnalysis], sub: &Subspace, cl: &Classes, lambda: f64) -> Self {
        Self {
            lambda,
            qda: QdaSummary::of(runs, sub, cl, |r| &r.qda_assembly_shrunk, |r| r.qda_valid_draws_shrunk),
            distances: DistancesSummary::of(runs, |r| &r.dist_assembly_shrunk),
        }
    }
}
