//! Analysis of one odor-subspace run (Figs 4 and 5): the PCA geometry of the 1 s E patterns,
//! and d_M, QDA, template matching and the concentration readouts on neuron draws (the generic
//! routines of [`engram_analysis::neuron_draws`], fed with the Dp classes); and the geometry
//! of the OB patterns, the reference of Fig. 4.

use engram_analysis::classify::select_rows;
use engram_analysis::distance::CovarianceRegularization;
use engram_analysis::finite::finite_mean;
use engram_analysis::neuron_draws::{
    ClassDistances, ClassRows, NeuronDraws, class_distances_and_qda, class_distances_and_qda_regularized,
    regression_over_draws, svm_over_draws, template_matching_over_draws,
};
use engram_analysis::pca::{
    PcaSolver, angles_around, local_variance, most_correlated, n_components_for_variance, participation_ratio,
    participation_ratio_of_patterns, pca_with,
};
use engram_core::error::EngramError;
use engram_core::rng::{component_id, stream};
use engram_models::dp::subspace::{Classes, PIXEL_MS, Subspace};
use engram_stimuli::Corner;
use engram_stimuli::odor_space::GRID_SIDE;
use ndarray::{Array2, ArrayView2, s};
use rand::Rng;
use rand_distr::{Distribution, Poisson};
use serde::{Deserialize, Serialize};

use super::{DM_TEST_MIN_CORR, LEARNED_HALF_LAST_ROW, QDA_SHRINKAGE, REGRESSION_LEVELS};

/// Sizes of the readout analyses (Fig. 5).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReadoutSizes {
    /// Neurons per draw (paper: 80).
    pub neurons: usize,
    /// Neuron draws for d_M, QDA, template matching and regression (paper: 50).
    pub draws: usize,
    /// Template draws per neuron draw (paper: 10).
    pub template_iterations: usize,
    /// Neuron draws for the SVM (paper: 20).
    pub svm_draws: usize,
    /// Cross-validation repetitions per SVM draw (paper: 20).
    pub svm_repetitions: usize,
    /// Responses per regression class (paper: 32, n = 352).
    pub regression_per_class: usize,
    /// Responses per SVM class (paper: 27, n = 162).
    pub svm_per_class: usize,
    /// Run the Fig. 5 readouts at all (d_M is always computed).
    pub readouts: bool,
}

impl ReadoutSizes {
    /// The sizes used: the paper's where affordable.
    pub fn new(quick: bool) -> Self {
        if quick {
            Self {
                neurons: 20,
                draws: 10,
                template_iterations: 10,
                svm_draws: 2,
                svm_repetitions: 2,
                regression_per_class: 32,
                svm_per_class: 27,
                readouts: true,
            }
        } else {
            Self {
                neurons: 80,
                draws: 50,
                template_iterations: 10,
                svm_draws: 5,
                svm_repetitions: 4,
                regression_per_class: 32,
                svm_per_class: 27,
                readouts: true,
            }
        }
    }

    /// The draws of d_M, QDA, template matching and regression.
    fn class_draws(&self) -> NeuronDraws {
        NeuronDraws { neurons: self.neurons, draws: self.draws }
    }
}

/// The corners of the learned odors (L, M) and of the novel ones (N, O), in [`Corner::ALL`]
/// order.
pub(crate) const LEARNED: [usize; 2] = [0, 1];
/// See [`LEARNED`].
pub(crate) const NOVEL: [usize; 2] = [2, 3];

/// A direction of the d_M comparison: test classes V near the corners of one set against the
/// reference classes Q of another (pairs V = Q left out).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// V near L, M against Q of N, O.
    LearnedToNovel,
    /// V near N, O against Q of L, M.
    NovelToLearned,
    /// V near N, O against Q of the other novel odor.
    NovelToNovel,
    /// V near L, M against Q of the other learned odor.
    LearnedToLearned,
}

impl Direction {
    /// The corners of the test classes V and of the reference classes Q.
    fn corners(self) -> ([usize; 2], [usize; 2]) {
        match self {
            Direction::LearnedToNovel => (LEARNED, NOVEL),
            Direction::NovelToLearned => (NOVEL, LEARNED),
            Direction::NovelToNovel => (NOVEL, NOVEL),
            Direction::LearnedToLearned => (LEARNED, LEARNED),
        }
    }
}

/// One direction of [`Distances`]: the mean over its (V, Q) pairs.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DistanceBlock {
    /// Mean d_M; `None` if any entry of the matrix is not applicable.
    pub d_m: Option<f64>,
    /// Mean d_E, Hz.
    pub d_e: f64,
    /// Mean d_Ê, Hz.
    pub d_ehat: f64,
}

/// d_M, d_E and d_Ê between the test class near each pure odor (rows: V_X) and each pure odor's
/// reference class (columns: Q_Y), mean over valid draws; `None` where no draw was valid.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Distances {
    /// Mahalanobis distance d_M(V_X, Q_Y).
    pub d_m: [[Option<f64>; 4]; 4],
    /// ‖μ_V − μ_Q‖, Hz (0 for an empty V_X).
    pub d_e: [[f64; 4]; 4],
    /// Mean ‖v − μ_Q‖, Hz (0 for an empty V_X).
    pub d_ehat: [[f64; 4]; 4],
    /// Draws per reference class whose covariance was singular.
    pub singular_draws: [usize; 4],
    /// Draws made.
    pub draws: usize,
}

impl Distances {
    /// The Dp corners' distances from the generic ones (4 test and 4 reference classes).
    fn of(d: &ClassDistances) -> Self {
        let matrix = |m: &[Vec<Option<f64>>]| -> [[Option<f64>; 4]; 4] {
            std::array::from_fn(|a| std::array::from_fn(|c| m[a][c]))
        };
        let or_zero = |m: [[Option<f64>; 4]; 4]| m.map(|r| r.map(|x| x.unwrap_or(0.0)));
        Self {
            d_m: matrix(&d.mahalanobis),
            d_e: or_zero(matrix(&d.between_means)),
            d_ehat: or_zero(matrix(&d.to_reference_mean)),
            singular_draws: std::array::from_fn(|c| d.singular_draws[c]),
            draws: d.draws,
        }
    }

    /// Mean of a matrix over (V, Q) pairs from corner sets `v` and `q` (V ≠ Q).
    fn mean_over_pairs(m: &[[f64; 4]; 4], v: &[usize], q: &[usize]) -> f64 {
        let vals: Vec<f64> =
            v.iter().flat_map(|&a| q.iter().filter(move |&&b| b != a).map(move |&b| m[a][b])).collect();
        vals.iter().sum::<f64>() / vals.len() as f64
    }

    /// The block of direction `dir` of `d_m`, `d_e` and `d_ehat`.
    pub fn block(&self, dir: Direction) -> DistanceBlock {
        let (v, q) = dir.corners();
        let dm_ok = self.d_m.iter().all(|r| r.iter().all(Option::is_some));
        let dm = self.d_m.map(|r| r.map(|x| x.unwrap_or(f64::NAN)));
        DistanceBlock {
            d_m: dm_ok.then(|| Self::mean_over_pairs(&dm, &v, &q)),
            d_e: Self::mean_over_pairs(&self.d_e, &v, &q),
            d_ehat: Self::mean_over_pairs(&self.d_ehat, &v, &q),
        }
    }
}

/// Everything measured on one subspace run.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct RunAnalysis {
    /// Mean E rate over all presentations, Hz.
    pub e_rate_hz: f64,
    /// Rate of each corner's (pseudo-)assembly during its pure odor (1 s), Hz.
    pub assembly_rate_pure_hz: [f64; 4],
    /// Participation ratio of all E patterns.
    pub pr_all: f64,
    /// PR of the learned-side half (rows 0–4).
    pub pr_learned_half: f64,
    /// PR of the novel-side half (rows 6–10).
    pub pr_novel_half: f64,
    /// Fraction of the variance in the first 400 PCs (or all).
    pub variance_first_400: f64,
    /// PCs needed for 75 % of the variance.
    pub n_pcs_75: usize,
    /// PCs used for the angles (400 or fewer).
    pub angle_pcs: usize,
    /// Local variance on PCs 1–40 around each corner (mean over trajectories), Hz².
    pub local_variance_1_40: [Vec<f64>; 4],
    /// Mean local variance on PCs 200–400 around each corner (`None` with fewer PCs), Hz².
    pub local_variance_200_400: [Option<f64>; 4],
    /// Angles around each corner in the first `angle_pcs` PCs, rad.
    #[serde(skip)]
    pub angles_pcs: [Vec<f64>; 4],
    /// Angles around each corner in the full space, rad.
    #[serde(skip)]
    pub angles_full: [Vec<f64>; 4],
    /// Projections on PC1 and PC2, Hz.
    #[serde(skip)]
    pub pc12: Vec<(f64, f64)>,
    /// Distances from (pseudo-)assembly neurons.
    pub dist_assembly: Distances,
    /// Distances from neurons drawn from all E.
    pub dist_all: Distances,
    /// QDA P_target per presentation (None: not a test presentation or QDA not applicable),
    /// neurons from the (pseudo-)assemblies.
    #[serde(skip)]
    pub qda_assembly: Vec<Option<f64>>,
    /// The same with neurons from all E.
    #[serde(skip)]
    pub qda_all: Vec<Option<f64>>,
    /// Neuron draws where QDA could be fitted (assembly, all).
    pub qda_valid_draws: [usize; 2],
    /// The covariance-shrinkage reading ([`QDA_SHRINKAGE`]), (pseudo-)assembly neurons:
    /// distances.
    pub dist_assembly_shrunk: Distances,
    /// The shrinkage reading: QDA P_target per presentation.
    #[serde(skip)]
    pub qda_assembly_shrunk: Vec<Option<f64>>,
    /// The shrinkage reading: neuron draws where QDA could be fitted.
    pub qda_valid_draws_shrunk: usize,
    /// Template-matching accuracy per presentation (assembly neurons).
    #[serde(skip)]
    pub template: Vec<Option<f64>>,
    /// Concentration regression per corner: in-sample MSE, %².
    pub regression_mse_fit: [Option<f64>; 4],
    /// Concentration regression per corner: 2-fold cross-validated MSE, %² (median over draws).
    pub regression_mse_cv: [Option<f64>; 4],
    /// Concentration SVM per corner: 2-fold CV accuracy.
    pub svm_accuracy: [Option<f64>; 4],
}

/// A [`RunAnalysis`] with every field, the ones its JSON leaves out (`#[serde(skip)]`) too:
/// how it crosses ranks when the jobs are spread ([`crate::jobs`]).
#[derive(Serialize, Deserialize)]
pub(crate) struct WholeAnalysis {
    written: RunAnalysis,
    angles_pcs: [Vec<f64>; 4],
    angles_full: [Vec<f64>; 4],
    pc12: Vec<(f64, f64)>,
    qda_assembly: Vec<Option<f64>>,
    qda_all: Vec<Option<f64>>,
    qda_assembly_shrunk: Vec<Option<f64>>,
    template: Vec<Option<f64>>,
}

impl From<RunAnalysis> for WholeAnalysis {
    fn from(mut a: RunAnalysis) -> Self {
        use std::mem::take;
        Self {
            angles_pcs: take(&mut a.angles_pcs),
            angles_full: take(&mut a.angles_full),
            pc12: take(&mut a.pc12),
            qda_assembly: take(&mut a.qda_assembly),
            qda_all: take(&mut a.qda_all),
            qda_assembly_shrunk: take(&mut a.qda_assembly_shrunk),
            template: take(&mut a.template),
            written: a,
        }
    }
}

impl From<WholeAnalysis> for RunAnalysis {
    fn from(w: WholeAnalysis) -> Self {
        let WholeAnalysis {
            written,
            angles_pcs,
            angles_full,
            pc12,
            qda_assembly,
            qda_all,
            qda_assembly_shrunk,
            template,
        } = w;
        Self { angles_pcs, angles_full, pc12, qda_assembly, qda_all, qda_assembly_shrunk, template, ..written }
    }
}

pub(crate) fn aerr(e: engram_analysis::AnalysisError) -> EngramError {
    EngramError::Other(format!("fig 4/5 analysis: {e}"))
}

/// Participation ratio of the rows `rows` of `patterns` (NaN if undefined).
fn pr_of_rows(patterns: ArrayView2<f64>, rows: &[usize]) -> f64 {
    participation_ratio_of_patterns(select_rows(patterns, rows).view()).ok().flatten().unwrap_or(f64::NAN)
}

/// The presentations in the learned-side half (rows 0–4) and in the novel-side half (rows
/// 6–10) of the grid.
fn grid_halves(sub: &Subspace) -> (Vec<usize>, Vec<usize>) {
    let rows =
        |f: &dyn Fn(usize) -> bool| -> Vec<usize> { (0..sub.len()).filter(|&i| f(sub.presentations[i].row)).collect() };
    (rows(&|r| r <= LEARNED_HALF_LAST_ROW), rows(&|r| r >= GRID_SIDE - 1 - LEARNED_HALF_LAST_ROW))
}

/// Geometry (Fig. 4) of the 1 s patterns `full` (presentations × neurons).
fn geometry(sub: &Subspace, full: ArrayView2<f64>, out: &mut RunAnalysis) -> Result<(), EngramError> {
    let (n, d) = full.dim();
    let k = n.min(d);
    let p = pca_with(full, k, PcaSolver::Exact).map_err(aerr)?;
    let eig = p.explained_variance.to_vec();
    out.pr_all = participation_ratio(&eig).unwrap_or(f64::NAN);
    let (learned_half, novel_half) = grid_halves(sub);
    out.pr_learned_half = pr_of_rows(full, &learned_half);
    out.pr_novel_half = pr_of_rows(full, &novel_half);
    let k400 = 400.min(k);
    out.angle_pcs = k400;
    out.variance_first_400 = eig[..k400].iter().sum::<f64>() / p.total_variance;
    out.n_pcs_75 = n_components_for_variance(&eig, 0.75).unwrap_or(0);
    out.pc12 = (0..n).map(|i| (p.projections[[i, 0]], p.projections[[i, 1.min(k - 1)]])).collect();
    let proj400 = p.projections.slice(s![.., ..k400]);
    let mut lv: [Vec<Vec<f64>>; 4] = Default::default();
    let mut lv_hi: [Vec<f64>; 4] = Default::default();
    for block in sub.trajectory_blocks() {
        let ob = select_rows(sub.ob.view(), &block);
        for (c, corner) in Corner::ALL.iter().enumerate() {
            let Some(local) = block.iter().position(|&i| {
                let pr = &sub.presentations[i];
                (pr.row, pr.col) == corner.pixel()
            }) else {
                continue;
            };
            let neigh: Vec<usize> = most_correlated(ob.view(), local, 7).into_iter().map(|j| block[j]).collect();
            let center = block[local];
            out.angles_pcs[c].extend(angles_around(proj400, center, &neigh));
            out.angles_full[c].extend(angles_around(full, center, &neigh));
            let mut members = vec![center];
            members.extend_from_slice(&neigh);
            lv[c].push(local_variance(p.projections.view(), &members, 0..40.min(k)).map_err(aerr)?);
            if k >= 400 {
                lv_hi[c].push(finite_mean(&local_variance(p.projections.view(), &members, 199..400).map_err(aerr)?));
            }
        }
    }
    for c in 0..4 {
        let m = lv[c].first().map_or(0, Vec::len);
        out.local_variance_1_40[c] =
            (0..m).map(|j| finite_mean(&lv[c].iter().map(|v| v[j]).collect::<Vec<_>>())).collect();
        out.local_variance_200_400[c] = (!lv_hi[c].is_empty()).then(|| finite_mean(&lv_hi[c]));
    }
    Ok(())
}

/// The rows of the half-pattern matrix (2 per presentation) of the presentations `pres`.
fn half_rows(pres: &[usize]) -> Vec<usize> {
    pres.iter().flat_map(|&k| [2 * k, 2 * k + 1]).collect()
}

/// The classes of d_M, QDA and template matching as half-pattern rows: Q_X = the training
/// class of pure odor X, V_X = the test presentations with target X and OB correlation ≥
/// [`DM_TEST_MIN_CORR`] to X; classified = every test presentation, target = its most
/// OB-correlated pure odor.
fn class_rows(sub: &Subspace, cl: &Classes) -> ClassRows {
    let n = sub.len();
    let mut q: [Vec<usize>; 4] = Default::default();
    let mut v: [Vec<usize>; 4] = Default::default();
    for k in 0..n {
        if let Some(c) = cl.train[k] {
            q[c].push(k);
        } else if sub.corr[k][cl.target[k]] >= DM_TEST_MIN_CORR {
            v[cl.target[k]].push(k);
        }
    }
    let classified = half_rows(&(0..n).filter(|&k| cl.test[k]).collect::<Vec<_>>());
    let targets = classified.iter().map(|&row| cl.target[row / 2]).collect();
    ClassRows {
        reference: q.iter().map(|p| half_rows(p)).collect(),
        test: v.iter().map(|p| half_rows(p)).collect(),
        classified,
        targets,
    }
}

/// Per presentation (of `n`): the hits of its classified half-pattern rows over its trials
/// (`trials_per_row` per row); `None` without trials.
fn per_presentation(n: usize, classified: &[usize], hits_per_row: &[usize], trials_per_row: usize) -> Vec<Option<f64>> {
    let mut hits = vec![0usize; n];
    let mut rows = vec![0usize; n];
    for (&row, &h) in classified.iter().zip(hits_per_row) {
        hits[row / 2] += h;
        rows[row / 2] += 1;
    }
    (0..n)
        .map(|k| {
            let trials = rows[k] * trials_per_row;
            (trials > 0).then(|| hits[k] as f64 / trials as f64)
        })
        .collect()
}

/// The concentration readouts of one corner.
struct ConcentrationReadout {
    /// In-sample MSE of the regression, mean over draws, %².
    mse_fit: Option<f64>,
    /// 2-fold cross-validated MSE of the regression, median over draws, %².
    mse_cv: Option<f64>,
    /// SVM accuracy, mean over draws.
    svm_accuracy: Option<f64>,
}

/// Concentration regression and SVM for corner `c` on the 1 s patterns.
fn concentration_readouts(
    sub: &Subspace,
    full: ArrayView2<f64>,
    c: usize,
    pool: &[usize],
    sizes: &ReadoutSizes,
    rng: &mut impl Rng,
) -> Result<ConcentrationReadout, EngramError> {
    let conc = |k: usize| sub.presentations[k].concentration_percent[c] as usize;
    let targets: Vec<f64> = (0..sub.len()).map(|k| conc(k) as f64).collect();
    // regression: the 11 concentration levels 10–80 % (each on at least 4 pixels)
    let mut reg_classes: Vec<Vec<usize>> = vec![Vec::new(); REGRESSION_LEVELS.len()];
    for k in 0..sub.len() {
        if let Some(j) = REGRESSION_LEVELS.iter().position(|&l| l == conc(k)) {
            reg_classes[j].push(k);
        }
    }
    let regression =
        regression_over_draws(full, &reg_classes, &targets, sizes.regression_per_class, pool, sizes.class_draws(), rng)
            .map_err(aerr)?;
    // SVM: 6 classes (10,25], ..., (85,100]
    let mut svm_classes: Vec<Vec<usize>> = vec![Vec::new(); 6];
    for k in 0..sub.len() {
        if conc(k) > 10 {
            svm_classes[((conc(k) - 11) / 15).min(5)].push(k);
        }
    }
    let svm_draws = NeuronDraws { neurons: sizes.neurons, draws: sizes.svm_draws };
    let accuracy =
        svm_over_draws(full, &svm_classes, sizes.svm_per_class, pool, svm_draws, 2, sizes.svm_repetitions, 1.0, rng)
            .map_err(aerr)?;
    let mean = |v: &[f64]| (!v.is_empty()).then(|| finite_mean(v));
    // median over draws for the cross-validated MSE: with nearly silent neurons a held-out
    // fold can meet a numerically singular fit (seen in Scaled I), which would swamp a mean
    let mut cv = regression.cross_validated_mse;
    cv.sort_by(f64::total_cmp);
    Ok(ConcentrationReadout {
        mse_fit: mean(&regression.in_sample_mse),
        mse_cv: (!cv.is_empty()).then(|| cv[cv.len() / 2]),
        svm_accuracy: mean(&accuracy),
    })
}

/// Analyse one subspace run (Figs 4 and 5): `first` and `second` are the rates in the two
/// 0.5 s halves of every presentation (presentations × E neurons, Hz), `asm` the corners'
/// (pseudo-)assemblies; the readouts draw from the stream `seed`.
pub fn analyse(
    sub: &Subspace,
    first: &Array2<f64>,
    second: &Array2<f64>,
    asm: &[Vec<u32>; 4],
    sizes: &ReadoutSizes,
    seed: u64,
) -> Result<RunAnalysis, EngramError> {
    let full = (first + second) / 2.0;
    let (n, ne) = full.dim();
    let mut out = RunAnalysis { e_rate_hz: full.mean().unwrap_or(f64::NAN), ..RunAnalysis::default() };
    for c in 0..4 {
        let pure: Vec<usize> = (0..n)
            .filter(|&k| {
                let p = &sub.presentations[k];
                (p.row, p.col) == Corner::ALL[c].pixel()
            })
            .collect();
        let rates: Vec<f64> = pure
            .iter()
            .flat_map(|&k| asm[c].iter().map(move |&i| (k, i as usize)))
            .map(|(k, i)| full[[k, i]])
            .collect();
        out.assembly_rate_pure_hz[c] = finite_mean(&rates);
    }
    geometry(sub, full.view(), &mut out)?;

    // halves: row 2k = first half of presentation k, 2k + 1 = second half
    let mut halves = Array2::<f64>::zeros((2 * n, ne));
    for k in 0..n {
        halves.row_mut(2 * k).assign(&first.row(k));
        halves.row_mut(2 * k + 1).assign(&second.row(k));
    }
    let rows = class_rows(sub, &sub.classes());
    let mut pool: Vec<usize> = asm.iter().flatten().map(|&i| i as usize).collect();
    pool.sort_unstable();
    pool.dedup();
    let all: Vec<usize> = (0..ne).collect();
    let mut rng = stream(seed, component_id("dp:fig45:readouts"), 0);
    let draws = sizes.class_draws();
    let on_pool = class_distances_and_qda(halves.view(), &pool, draws, &rows, &mut rng).map_err(aerr)?;
    let on_all = class_distances_and_qda(halves.view(), &all, draws, &rows, &mut rng).map_err(aerr)?;
    out.dist_assembly = Distances::of(&on_pool.distances);
    out.dist_all = Distances::of(&on_all.distances);
    out.qda_assembly = per_presentation(n, &rows.classified, &on_pool.qda_hits, on_pool.qda_valid_draws);
    out.qda_all = per_presentation(n, &rows.classified, &on_all.qda_hits, on_all.qda_valid_draws);
    out.qda_valid_draws = [on_pool.qda_valid_draws, on_all.qda_valid_draws];
    // the second reading of the class covariances, from its own stream (the paper's reading
    // above is unchanged by it)
    let mut rng_shrunk = stream(seed, component_id("dp:fig45:readouts:shrinkage"), 0);
    let shrinkage = CovarianceRegularization::Shrinkage(QDA_SHRINKAGE);
    let shrunk = class_distances_and_qda_regularized(halves.view(), &pool, draws, &rows, shrinkage, &mut rng_shrunk)
        .map_err(aerr)?;
    out.dist_assembly_shrunk = Distances::of(&shrunk.distances);
    out.qda_assembly_shrunk = per_presentation(n, &rows.classified, &shrunk.qda_hits, shrunk.qda_valid_draws);
    out.qda_valid_draws_shrunk = shrunk.qda_valid_draws;
    if sizes.readouts {
        let template =
            template_matching_over_draws(halves.view(), &pool, draws, sizes.template_iterations, &rows, &mut rng)
                .map_err(aerr)?;
        out.template = per_presentation(n, &rows.classified, &template.hits, template.trials);
        for c in 0..4 {
            let r = concentration_readouts(sub, full.view(), c, &pool, sizes, &mut rng)?;
            out.regression_mse_fit[c] = r.mse_fit;
            out.regression_mse_cv[c] = r.mse_cv;
            out.svm_accuracy[c] = r.svm_accuracy;
        }
    }
    Ok(out)
}

/// Geometry of the OB patterns (the reference of Fig. 4).
pub(crate) struct ObReference {
    /// Participation ratio of all OB patterns.
    pub(crate) pr_all: f64,
    /// PR of the learned-side half of the grid.
    pub(crate) pr_learned_half: f64,
    /// PR of the novel-side half of the grid.
    pub(crate) pr_novel_half: f64,
    /// PR of Poisson counts drawn from the OB rates over 1 s.
    pub(crate) pr_poisson: f64,
    /// Projections on PC1 and PC2, Hz.
    pub(crate) pc12: Vec<(f64, f64)>,
}

/// The OB reference of `sub`; the Poisson counts draw from the stream of the experiment seed.
pub(crate) fn ob_reference(sub: &Subspace, seed: u64) -> Result<ObReference, EngramError> {
    let ob = sub.ob.view();
    let (n, d) = ob.dim();
    let p = pca_with(ob, n.min(d), PcaSolver::Exact).map_err(aerr)?;
    let mut rng = stream(seed, component_id("dp:fig45:ob_poisson"), 0);
    let counts = ob
        .mapv(|r| if r > 0.0 { Poisson::new(r * PIXEL_MS / 1000.0).map_or(0.0, |d| d.sample(&mut rng)) } else { 0.0 });
    let (learned_half, novel_half) = grid_halves(sub);
    Ok(ObReference {
        pr_all: participation_ratio(&p.explained_variance.to_vec()).unwrap_or(f64::NAN),
        pr_learned_half: pr_of_rows(ob, &learned_half),
        pr_novel_half: pr_of_rows(ob, &novel_half),
        pr_poisson: participation_ratio_of_patterns(counts.view()).ok().flatten().unwrap_or(f64::NAN),
        pc12: (0..n).map(|i| (p.projections[[i, 0]], p.projections[[i, 1]])).collect(),
    })
}
