//! Readouts repeated over random draws of neurons, as the Dp paper measures them
//! (docs/models/dp.md#distances-and-classification; Fig. 5: 50 draws of 80 neurons from the
//! (pseudo-)assemblies or from all E neurons): in every draw the patterns are cut down to the
//! drawn neurons, a readout is fitted and scored, and the scores are collected over draws.
//!
//! - [`class_distances_and_qda`]: Mahalanobis distance d_M (with its Euclidean companions d_E
//!   and d_Ê) between test classes and reference classes, and QDA trained on the reference
//!   classes, both on the same draws;
//! - [`template_matching_over_draws`]: template matching on the same classes;
//! - [`regression_over_draws`] and [`svm_over_draws`]: least-squares and SVM readouts of a
//!   graded target (the concentration) from classes equalised in size by
//!   [`equalised_classes`].
//!
//! Patterns are `ArrayView2<f64>` with **rows = patterns** and **columns = neurons**; classes
//! are given as lists of row indices; neurons are drawn from a `pool` of column indices by
//! [`draw_from_pool`]. Every random choice takes the caller's `rand::Rng`, in a documented
//! order, so a run is reproducible from its seed.

mod classes;
mod regression;

pub use classes::template_matching_over_draws;
pub use classes::{
    ClassDistances, ClassReadout, ClassRows, TemplateHits, class_distances_and_qda, class_distances_and_qda_regularized,
};
pub use regression::{RegressionDraws, fit_on_varying_columns, regression_over_draws, svm_over_draws, two_fold_mse};

use rand::Rng;
use rand::seq::SliceRandom;

use crate::classify::subsample_neurons;

/// How many neurons are drawn, and how often.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NeuronDraws {
    /// Neurons per draw (the paper: 80); a smaller pool is used whole.
    pub neurons: usize,
    /// Number of draws (the paper: 50 for d_M, QDA, template matching and regression).
    pub draws: usize,
}

/// `m` neurons drawn without replacement from `pool` (all of it if the pool is smaller), in
/// pool order: [`subsample_neurons`] draws the positions, which are mapped into the pool.
///
/// ```
/// use rand::SeedableRng;
/// use engram_analysis::neuron_draws::draw_from_pool;
/// let mut rng = rand_pcg::Pcg64::seed_from_u64(1);
/// let pool = [3, 8, 15, 16, 42];
/// let drawn = draw_from_pool(&pool, 3, &mut rng);
/// assert_eq!(drawn.len(), 3);
/// assert!(drawn.windows(2).all(|w| w[0] < w[1]) && drawn.iter().all(|n| pool.contains(n)));
/// assert_eq!(draw_from_pool(&pool, 10, &mut rng), pool.to_vec());
/// ```
pub fn draw_from_pool<R: Rng + ?Sized>(pool: &[usize], m: usize, rng: &mut R) -> Vec<usize> {
    let positions = subsample_neurons(pool.len(), m.min(pool.len()), rng).expect("m is at most the pool size");
    positions.into_iter().map(|i| pool[i]).collect()
}

/// Classes equalised in size: each class shuffled by `rng` (in class order) and cut to
/// `per_class` members, or to the size of the smallest class if that is smaller, so that every
/// class ends up with the same number of members.
///
/// ```
/// use rand::SeedableRng;
/// use engram_analysis::neuron_draws::equalised_classes;
/// let mut rng = rand_pcg::Pcg64::seed_from_u64(2);
/// let classes = vec![vec![0, 1, 2, 3, 4], vec![5, 6, 7], vec![8, 9, 10, 11]];
/// let eq = equalised_classes(&classes, 10, &mut rng);
/// assert!(eq.iter().all(|c| c.len() == 3));
/// assert!(eq[1].iter().all(|m| classes[1].contains(m)));
/// assert!(equalised_classes(&classes, 2, &mut rng).iter().all(|c| c.len() == 2));
/// ```
pub fn equalised_classes<R: Rng + ?Sized>(classes: &[Vec<usize>], per_class: usize, rng: &mut R) -> Vec<Vec<usize>> {
    let m = classes.iter().map(Vec::len).min().unwrap_or(0).min(per_class);
    classes
        .iter()
        .map(|c| {
            let mut c = c.clone();
            c.shuffle(rng);
            c.truncate(m);
            c
        })
        .collect()
}
