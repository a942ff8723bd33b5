//! Class readouts over neuron draws: d_M, d_E and d_Ê between test and reference classes, QDA
//! and template matching trained on the reference classes (Fig. 5B,C and 5—S1, 5—S2).

use ndarray::{Array2, ArrayView2, Axis};
use rand::Rng;

use super::{NeuronDraws, draw_from_pool};
use crate::classify::{Qda, select_columns, select_rows, template_matching};
use crate::distance::{CovarianceRegularization, GaussianClass, euclidean_distance};
use crate::error::{AnalysisError, Result, check_len};

/// The classes of a class readout, as row indices of the pattern matrix.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClassRows {
    /// Rows of each reference class Q_c (entry c): the classes d_M is measured against, and
    /// the training classes (label c) of QDA and template matching. None may be empty.
    pub reference: Vec<Vec<usize>>,
    /// Rows of each test class V_a (entry a) whose distances to every Q_c are measured; may
    /// be empty (then it has no distances).
    pub test: Vec<Vec<usize>>,
    /// Rows classified by QDA and template matching.
    pub classified: Vec<usize>,
    /// Target class of each classified row (a reference class index).
    pub targets: Vec<usize>,
}

impl ClassRows {
    /// The training set of QDA and template matching: the rows of the reference classes, class
    /// after class, and their labels (the class index).
    pub fn training(&self) -> (Vec<usize>, Vec<usize>) {
        let rows = self.reference.concat();
        let labels = self.reference.iter().enumerate().flat_map(|(c, r)| std::iter::repeat_n(c, r.len())).collect();
        (rows, labels)
    }

    fn check(&self) -> Result<()> {
        check_len("targets (one per classified row)", self.classified.len(), self.targets.len())?;
        if let Some(empty) = self.reference.iter().position(Vec::is_empty) {
            return Err(AnalysisError::InvalidArgument {
                name: "reference",
                value: format!("class {empty} has no row"),
                reason: "every reference class needs patterns",
            });
        }
        Ok(())
    }
}

/// Distances between the test classes V_a (rows of each matrix) and the reference classes Q_c
/// (columns), each the mean over the neuron draws; `None` where the test class is empty.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ClassDistances {
    /// d_M(V_a, Q_c): the mean over v ∈ V_a of the Mahalanobis distance of v from Q_c with
    /// Q_c's own covariance, averaged over the draws in which that covariance was invertible;
    /// `None` also where it was singular in every draw ("not applicable").
    pub mahalanobis: Vec<Vec<Option<f64>>>,
    /// d_E(V_a, Q_c) = ‖μ_V − μ_Q‖, averaged over all draws.
    pub between_means: Vec<Vec<Option<f64>>>,
    /// d_Ê(V_a, Q_c) = the mean over v ∈ V_a of ‖v − μ_Q‖, averaged over all draws.
    pub to_reference_mean: Vec<Vec<Option<f64>>>,
    /// Draws in which the covariance of Q_c was singular, per reference class.
    pub singular_draws: Vec<usize>,
    /// Draws made.
    pub draws: usize,
}

/// What [`class_distances_and_qda`] measured.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ClassReadout {
    /// d_M, d_E and d_Ê between the classes.
    pub distances: ClassDistances,
    /// Per classified row: the draws whose QDA assigned it to its target.
    pub qda_hits: Vec<usize>,
    /// Draws in which QDA could be fitted (every reference covariance invertible); the
    /// fraction of them assigning a row to its target is that row's P_target.
    pub qda_valid_draws: usize,
}

fn mean_row(m: &Array2<f64>) -> Result<ndarray::Array1<f64>> {
    m.mean_axis(Axis(0)).ok_or(AnalysisError::TooFewSamples { what: "patterns in a class", needed: 1, found: 0 })
}

fn is_singular(e: &AnalysisError) -> bool {
    matches!(e, AnalysisError::SingularCovariance { .. })
}

/// d_M, d_E and d_Ê between every test class and every reference class, and QDA (no
/// regularisation) trained on the reference classes and applied to the classified rows, all
/// on the same `draws.draws` draws of `draws.neurons` neurons from `pool` (one
/// [`draw_from_pool`] per draw, nothing else random). A singular reference covariance is not
/// an error: that class's d_M skips the draw ([`ClassDistances::singular_draws`]) and so does
/// QDA (it fits the same covariances).
///
/// ```
/// use ndarray::Array2;
/// use rand::{Rng, SeedableRng};
/// use engram_analysis::neuron_draws::{ClassRows, NeuronDraws, class_distances_and_qda};
/// let mut rng = rand_pcg::Pcg64::seed_from_u64(4);
/// // two classes of 30 noisy patterns of 6 neurons, far apart on neuron 0
/// let x = Array2::from_shape_fn((60, 6), |(i, j)| {
///     let centre = if j == 0 && i >= 30 { 20.0 } else { 0.0 };
///     centre + rng.gen_range(-1.0..1.0)
/// });
/// let rows = ClassRows {
///     reference: vec![(0..25).collect(), (30..55).collect()],
///     test: vec![(25..30).collect(), (55..60).collect()],
///     classified: (25..30).chain(55..60).collect(),
///     targets: [0; 5].into_iter().chain([1; 5]).collect(),
/// };
/// let pool: Vec<usize> = (0..6).collect();
/// let draws = NeuronDraws { neurons: 4, draws: 5 };
/// let r = class_distances_and_qda(x.view(), &pool, draws, &rows, &mut rng).unwrap();
/// let d = &r.distances;
/// // a test class is nearer its own reference class than the other one (when neuron 0 was drawn)
/// assert!(d.between_means[0][0].unwrap() < d.between_means[0][1].unwrap());
/// assert_eq!(r.qda_valid_draws, 5);
/// assert!(r.qda_hits.iter().all(|&h| h <= 5));
/// ```
///
/// # Errors
/// An empty reference class, targets not one per classified row, or a failure other than a
/// singular covariance (for example a reference class of one pattern).
pub fn class_distances_and_qda<R: Rng + ?Sized>(
    patterns: ArrayView2<f64>,
    pool: &[usize],
    draws: NeuronDraws,
    classes: &ClassRows,
    rng: &mut R,
) -> Result<ClassReadout> {
    class_distances_and_qda_regularized(patterns, pool, draws, classes, CovarianceRegularization::None, rng)
}

/// [`class_distances_and_qda`] with the class covariances regularised as `regularization`
/// says (both for d_M and for QDA); with [`CovarianceRegularization::None`] it is that
/// function (the paper's reading), draw for draw.
///
/// ```
/// use ndarray::Array2;
/// use engram_analysis::distance::CovarianceRegularization;
/// use engram_analysis::neuron_draws::{ClassRows, NeuronDraws, class_distances_and_qda_regularized};
/// // neuron 1 is silent: every class covariance is singular without regularisation
/// let x = Array2::from_shape_fn((40, 3), |(i, j)| if j == 1 { 0.0 } else { (i * (j + 3) % 7) as f64 + 10.0 * (i / 20) as f64 });
/// let rows = ClassRows {
///     reference: vec![(0..15).collect(), (20..35).collect()],
///     test: vec![(15..20).collect(), (35..40).collect()],
///     classified: (15..20).chain(35..40).collect(),
///     targets: [0; 5].into_iter().chain([1; 5]).collect(),
/// };
/// let draws = NeuronDraws { neurons: 3, draws: 2 };
/// let mut rng = <rand_pcg::Pcg64 as rand::SeedableRng>::seed_from_u64(3);
/// let none = class_distances_and_qda_regularized(x.view(), &[0, 1, 2], draws, &rows, CovarianceRegularization::None, &mut rng).unwrap();
/// assert_eq!(none.qda_valid_draws, 0);
/// let shrunk = class_distances_and_qda_regularized(x.view(), &[0, 1, 2], draws, &rows, CovarianceRegularization::Shrinkage(0.1), &mut rng).unwrap();
/// assert_eq!(shrunk.qda_valid_draws, 2);
/// ```
///
/// # Errors
/// As [`class_distances_and_qda`], and an invalid regularisation parameter.
pub fn class_distances_and_qda_regularized<R: Rng + ?Sized>(
    patterns: ArrayView2<f64>,
    pool: &[usize],
    draws: NeuronDraws,
    classes: &ClassRows,
    regularization: CovarianceRegularization,
    rng: &mut R,
) -> Result<ClassReadout> {
    classes.check()?;
    let (n_ref, n_test) = (classes.reference.len(), classes.test.len());
    let (train_rows, train_labels) = classes.training();
    let n_draws = draws.draws as f64;
    let mut d_e = vec![vec![0.0; n_ref]; n_test];
    let mut d_ehat = vec![vec![0.0; n_ref]; n_test];
    let mut dm_sum = vec![vec![0.0; n_ref]; n_test];
    let mut dm_valid = vec![vec![0usize; n_ref]; n_test];
    let mut singular_draws = vec![0usize; n_ref];
    let mut qda_hits = vec![0usize; classes.classified.len()];
    let mut qda_valid_draws = 0usize;
    for _ in 0..draws.draws {
        let x = select_columns(patterns, &draw_from_pool(pool, draws.neurons, rng));
        let q: Vec<Array2<f64>> = classes.reference.iter().map(|rows| select_rows(x.view(), rows)).collect();
        let v: Vec<Array2<f64>> = classes.test.iter().map(|rows| select_rows(x.view(), rows)).collect();
        let mut all_invertible = true;
        for c in 0..n_ref {
            let mu_q = mean_row(&q[c])?;
            for a in 0..n_test {
                if v[a].nrows() == 0 {
                    continue;
                }
                let mu_v = mean_row(&v[a])?;
                d_e[a][c] += euclidean_distance(mu_v.view(), mu_q.view()) / n_draws;
                d_ehat[a][c] += v[a].rows().into_iter().map(|r| euclidean_distance(r, mu_q.view())).sum::<f64>()
                    / v[a].nrows() as f64
                    / n_draws;
            }
            match GaussianClass::fit(q[c].view(), regularization, c) {
                Ok(g) => {
                    for a in 0..n_test {
                        if v[a].nrows() > 0 {
                            dm_sum[a][c] +=
                                v[a].rows().into_iter().map(|r| g.mahalanobis(r)).sum::<f64>() / v[a].nrows() as f64;
                            dm_valid[a][c] += 1;
                        }
                    }
                }
                Err(e) if is_singular(&e) => {
                    singular_draws[c] += 1;
                    all_invertible = false;
                }
                Err(e) => return Err(e),
            }
        }
        if !all_invertible || classes.classified.is_empty() {
            continue;
        }
        let qda = match Qda::fit(select_rows(x.view(), &train_rows).view(), &train_labels, regularization) {
            Ok(qda) => qda,
            Err(e) if is_singular(&e) => continue,
            Err(e) => return Err(e),
        };
        qda_valid_draws += 1;
        let predicted = qda.predict_batch(select_rows(x.view(), &classes.classified).view())?;
        for (j, (&p, &target)) in predicted.iter().zip(&classes.targets).enumerate() {
            if p == target {
                qda_hits[j] += 1;
            }
        }
    }
    let nonempty = |a: usize| !classes.test[a].is_empty();
    let per_test = |m: &[Vec<f64>]| -> Vec<Vec<Option<f64>>> {
        (0..n_test).map(|a| m[a].iter().map(|&x| nonempty(a).then_some(x)).collect()).collect()
    };
    let mahalanobis = (0..n_test)
        .map(|a| (0..n_ref).map(|c| (dm_valid[a][c] > 0).then(|| dm_sum[a][c] / dm_valid[a][c] as f64)).collect())
        .collect();
    let distances = ClassDistances {
        mahalanobis,
        between_means: per_test(&d_e),
        to_reference_mean: per_test(&d_ehat),
        singular_draws,
        draws: draws.draws,
    };
    Ok(ClassReadout { distances, qda_hits, qda_valid_draws })
}

/// Hits of [`template_matching_over_draws`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TemplateHits {
    /// Per classified row: the template draws that assigned it to its target.
    pub hits: Vec<usize>,
    /// Template draws per classified row (neuron draws × template iterations; 0 without
    /// classified rows).
    pub trials: usize,
}

/// Template matching ([`template_matching`]) trained on the reference classes of `classes`:
/// per draw of `draws.neurons` neurons from `pool`, `iterations` template draws, each
/// classifying every classified row. Random order: per neuron draw, one [`draw_from_pool`],
/// then the iterations' template choices. Without classified rows nothing is drawn.
///
/// ```
/// use ndarray::array;
/// use rand::SeedableRng;
/// use engram_analysis::neuron_draws::{ClassRows, NeuronDraws, template_matching_over_draws};
/// let x = array![[1.0, 0.0, 0.0], [0.9, 0.1, 0.0], [0.0, 0.1, 1.0], [0.1, 0.0, 0.8], [1.0, 0.2, 0.0]];
/// let rows = ClassRows {
///     reference: vec![vec![0, 1], vec![2, 3]],
///     test: vec![],
///     classified: vec![4],
///     targets: vec![0],
/// };
/// let mut rng = rand_pcg::Pcg64::seed_from_u64(5);
/// let draws = NeuronDraws { neurons: 3, draws: 2 };
/// let t = template_matching_over_draws(x.view(), &[0, 1, 2], draws, 4, &rows, &mut rng).unwrap();
/// assert_eq!((t.hits, t.trials), (vec![8], 8));
/// ```
///
/// # Errors
/// As [`template_matching`], an empty reference class, or targets not one per classified row.
pub fn template_matching_over_draws<R: Rng + ?Sized>(
    patterns: ArrayView2<f64>,
    pool: &[usize],
    draws: NeuronDraws,
    iterations: usize,
    classes: &ClassRows,
    rng: &mut R,
) -> Result<TemplateHits> {
    classes.check()?;
    let mut hits = vec![0usize; classes.classified.len()];
    if classes.classified.is_empty() {
        return Ok(TemplateHits { hits, trials: 0 });
    }
    let (train_rows, train_labels) = classes.training();
    for _ in 0..draws.draws {
        let x = select_columns(patterns, &draw_from_pool(pool, draws.neurons, rng));
        let train = select_rows(x.view(), &train_rows);
        let test = select_rows(x.view(), &classes.classified);
        for _ in 0..iterations {
            let predicted = template_matching(train.view(), &train_labels, test.view(), rng)?;
            for (j, (p, &target)) in predicted.iter().zip(&classes.targets).enumerate() {
                if *p == Some(target) {
                    hits[j] += 1;
                }
            }
        }
    }
    Ok(TemplateHits { hits, trials: draws.draws * iterations })
}
