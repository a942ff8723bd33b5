//! Readouts over neuron draws: drawing and equalising, the class distances against the
//! single-draw distances of `distance`, QDA and template matching on separable classes,
//! singular and empty classes, the regression and SVM readouts, and the finite averages.

use engram_analysis::classify::subsample_neurons;
use engram_analysis::distance::{
    CovarianceRegularization, distance_between_means, mean_distance_to_mean, mean_mahalanobis_distance,
};
use engram_analysis::finite::{finite_mean, finite_mean_sd};
use engram_analysis::neuron_draws::*;
use engram_analysis::stats::mean_sd;
use ndarray::{Array1, Array2, concatenate};
use ndarray::{Axis, s};
use proptest::prelude::*;
use rand::Rng;
use rand_distr::{Distribution, Normal};

use crate::common::{gaussian, identity, rng};

/// `per_class` patterns of each of `k` Gaussian classes in `d` dims, class c centred at
/// `sep · e_c`; rows class after class.
fn classes(k: usize, per_class: usize, d: usize, sep: f64, seed: u64) -> Array2<f64> {
    let mut r = rng(seed);
    let blocks: Vec<Array2<f64>> = (0..k)
        .map(|c| {
            let mut mean = vec![0.0; d];
            mean[c] = sep;
            gaussian(per_class, &mean, &identity(d), &mut r)
        })
        .collect();
    let views: Vec<_> = blocks.iter().map(Array2::view).collect();
    concatenate(Axis(0), &views).unwrap()
}

fn range(a: usize, b: usize) -> Vec<usize> {
    (a..b).collect()
}

#[test]
fn drawing_from_a_pool_maps_the_drawn_positions_into_the_pool() {
    let pool = [2, 5, 7, 11, 13, 17, 19, 23];
    let (mut a, mut b) = (rng(1), rng(1));
    let drawn = draw_from_pool(&pool, 3, &mut a);
    let positions = subsample_neurons(pool.len(), 3, &mut b).unwrap();
    assert_eq!(drawn, positions.iter().map(|&i| pool[i]).collect::<Vec<_>>());
    // a pool smaller than the draw is used whole
    assert_eq!(draw_from_pool(&pool[..2], 5, &mut a), vec![2, 5]);
}

#[test]
fn equalised_classes_shuffle_each_class_and_cut_all_to_the_same_size() {
    let mut r = rng(2);
    let classes = vec![range(0, 10), range(10, 14), range(14, 30)];
    let eq = equalised_classes(&classes, 6, &mut r);
    assert!(eq.iter().all(|c| c.len() == 4), "the smallest class sets the size");
    for (e, c) in eq.iter().zip(&classes) {
        assert!(e.iter().all(|m| c.contains(m)));
    }
    let eq = equalised_classes(&classes, 3, &mut r);
    assert!(eq.iter().all(|c| c.len() == 3));
    // over many draws every member of the large class is chosen about equally often
    let mut hits = [0usize; 16];
    for _ in 0..3200 {
        for m in &equalised_classes(&classes, 4, &mut r)[2] {
            hits[m - 14] += 1;
        }
    }
    assert!(hits.iter().all(|&h| (650..950).contains(&h)), "{hits:?}");
    assert!(equalised_classes(&[], 3, &mut r).is_empty());
}

/// Two reference classes and their test classes in 5 dimensions, 60 + 20 patterns each.
fn two_classes(sep: f64, seed: u64) -> (Array2<f64>, ClassRows) {
    let x = classes(2, 80, 5, sep, seed);
    let rows = ClassRows {
        reference: vec![range(0, 60), range(80, 140)],
        test: vec![range(60, 80), range(140, 160)],
        classified: range(60, 80).into_iter().chain(range(140, 160)).collect(),
        targets: [0; 20].into_iter().chain([1; 20]).collect(),
    };
    (x, rows)
}

#[test]
fn with_every_neuron_drawn_the_class_distances_are_those_of_one_draw() {
    let (x, rows) = two_classes(4.0, 3);
    let pool = range(0, 5);
    let draws = NeuronDraws { neurons: 5, draws: 3 };
    let r = class_distances_and_qda(x.view(), &pool, draws, &rows, &mut rng(4)).unwrap();
    let d = &r.distances;
    assert_eq!((d.draws, d.singular_draws.clone()), (3, vec![0, 0]));
    for a in 0..2 {
        for c in 0..2 {
            let v = x.select(Axis(0), &rows.test[a]);
            let q = x.select(Axis(0), &rows.reference[c]);
            let close = |got: Option<f64>, want: f64| (got.unwrap() - want).abs() < 1e-9 * want.max(1.0);
            let dm = mean_mahalanobis_distance(v.view(), q.view(), CovarianceRegularization::None).unwrap();
            assert!(close(d.mahalanobis[a][c], dm), "d_M[{a}][{c}]");
            assert!(close(d.between_means[a][c], distance_between_means(v.view(), q.view()).unwrap()));
            assert!(close(d.to_reference_mean[a][c], mean_distance_to_mean(v.view(), q.view()).unwrap()));
        }
        // a test class is nearer its own reference class
        assert!(d.mahalanobis[a][a] < d.mahalanobis[a][1 - a]);
    }
    // well separated classes: QDA assigns (almost) every test pattern to its target in every draw
    assert_eq!(r.qda_valid_draws, 3);
    let correct = r.qda_hits.iter().filter(|&&h| h == 3).count();
    assert!(correct >= 38, "{correct} of 40 always right");
}

#[test]
fn singular_reference_classes_and_empty_test_classes_are_not_applicable() {
    let (x, mut rows) = two_classes(4.0, 5);
    // class 1 has 4 patterns in 5 dimensions: singular in every draw of all 5 neurons
    rows.reference[1] = range(80, 84);
    rows.test[0] = Vec::new();
    let draws = NeuronDraws { neurons: 5, draws: 4 };
    let r = class_distances_and_qda(x.view(), &range(0, 5), draws, &rows, &mut rng(6)).unwrap();
    let d = &r.distances;
    assert_eq!(d.singular_draws, vec![0, 4]);
    assert_eq!(d.mahalanobis[1][1], None, "singular in every draw");
    assert!(d.mahalanobis[1][0].is_some() && d.between_means[1][1].is_some());
    assert_eq!((d.mahalanobis[0].clone(), d.between_means[0].clone()), (vec![None, None], vec![None, None]));
    assert_eq!(r.qda_valid_draws, 0, "QDA needs every class covariance");
    assert!(r.qda_hits.iter().all(|&h| h == 0));
    // drawing 3 of the 5 neurons makes class 1 invertible again
    let draws = NeuronDraws { neurons: 3, draws: 4 };
    let r = class_distances_and_qda(x.view(), &range(0, 5), draws, &rows, &mut rng(6)).unwrap();
    assert_eq!(r.distances.singular_draws, vec![0, 0]);
    rows.reference[0] = Vec::new();
    assert!(class_distances_and_qda(x.view(), &range(0, 5), draws, &rows, &mut rng(6)).is_err());
}

#[test]
fn template_matching_over_draws_is_perfect_on_separable_classes_and_draws_nothing_without_tests() {
    // class patterns alternate across all 5 neurons, so that any 4 of them tell the classes apart
    let (_, rows) = two_classes(0.0, 7);
    let mut r = rng(7);
    let means = [[10.0, 0.0, 10.0, 0.0, 10.0], [0.0, 10.0, 0.0, 10.0, 0.0]];
    let blocks: Vec<Array2<f64>> = means.iter().map(|m| gaussian(80, m, &identity(5), &mut r)).collect();
    let x = concatenate(Axis(0), &[blocks[0].view(), blocks[1].view()]).unwrap();
    let draws = NeuronDraws { neurons: 4, draws: 3 };
    let t = template_matching_over_draws(x.view(), &range(0, 5), draws, 5, &rows, &mut rng(8)).unwrap();
    assert_eq!(t.trials, 15);
    assert!(t.hits.iter().all(|&h| h == 15), "{:?}", t.hits);
    let empty = ClassRows { classified: vec![], targets: vec![], ..rows };
    let mut r = rng(9);
    let t = template_matching_over_draws(x.view(), &range(0, 5), draws, 5, &empty, &mut r).unwrap();
    assert_eq!((t.hits.len(), t.trials), (0, 0));
    assert_eq!(r.r#gen::<u64>(), rng(9).r#gen::<u64>(), "no random draw without classified rows");
}

#[test]
fn least_squares_on_varying_columns_and_its_two_fold_error() {
    let mut r = rng(10);
    let noise = Normal::new(0.0, 0.5).unwrap();
    let mut x = Array2::from_shape_fn((200, 4), |_| r.r#gen::<f64>() * 10.0);
    x.column_mut(2).fill(3.0);
    let y: Array1<f64> =
        x.rows().into_iter().map(|row| 2.0 * row[0] - row[1] + 0.5 * row[3] + 1.0 + noise.sample(&mut r)).collect();
    let (m, kept) = fit_on_varying_columns(x.view(), y.view()).unwrap();
    assert_eq!(kept, vec![0, 1, 3]);
    for (w, want) in m.coefficients().iter().zip([2.0, -1.0, 0.5]) {
        assert!((w - want).abs() < 0.05, "{w} vs {want}");
    }
    // held-out MSE ≈ σ² (1 + p/n)
    let cv = two_fold_mse(x.view(), y.view(), &mut r).unwrap().unwrap();
    assert!((cv - 0.25).abs() < 0.06, "2-fold MSE {cv}");
    // a half whose columns are all constant cannot be fitted
    let flat = Array2::from_elem((10, 3), 1.0);
    assert_eq!(two_fold_mse(flat.view(), Array1::zeros(10).view(), &mut r).unwrap(), None);
}

#[test]
fn regression_over_draws_reads_a_graded_target_and_stops_when_underdetermined() {
    let mut r = rng(11);
    // 6 levels × 15 responses of 12 neurons; neuron j's rate grows with the level at slope j / 4
    let level = |row: usize| (row / 15) as f64 * 10.0;
    let noise = Normal::new(0.0, 0.2).unwrap();
    let x = Array2::from_shape_fn((90, 12), |(i, j)| 5.0 + level(i) * j as f64 / 40.0 + noise.sample(&mut r));
    let targets: Vec<f64> = (0..90).map(level).collect();
    let classes: Vec<Vec<usize>> = (0..6).map(|l| range(15 * l, 15 * l + 15)).collect();
    let draws = NeuronDraws { neurons: 6, draws: 5 };
    let out = regression_over_draws(x.view(), &classes, &targets, 12, &range(0, 12), draws, &mut r).unwrap();
    assert_eq!((out.in_sample_mse.len(), out.cross_validated_mse.len()), (5, 5));
    let (fit, cv) = (mean_sd(&out.in_sample_mse).unwrap().0, mean_sd(&out.cross_validated_mse).unwrap().0);
    assert!(fit < cv && cv < 10.0, "in-sample {fit}, 2-fold {cv} (target variance ≈ 290)");
    // 6 × 2 responses cannot fit 12 neurons + intercept: no draw is made after the equalisation
    let draws = NeuronDraws { neurons: 12, draws: 5 };
    let (mut a, mut b) = (rng(12), rng(12));
    let out = regression_over_draws(x.view(), &classes, &targets, 2, &range(0, 12), draws, &mut a).unwrap();
    assert_eq!(out, RegressionDraws::default());
    equalised_classes(&classes, 2, &mut b);
    assert_eq!(a.r#gen::<u64>(), b.r#gen::<u64>(), "one equalisation, then stop");
}

#[test]
fn svm_over_draws_separates_separable_classes_and_is_at_chance_on_shuffled_ones() {
    let x = classes(4, 30, 8, 6.0, 13);
    let by_class: Vec<Vec<usize>> = (0..4).map(|c| range(30 * c, 30 * c + 30)).collect();
    let draws = NeuronDraws { neurons: 8, draws: 3 };
    let mut r = rng(14);
    let acc = svm_over_draws(x.view(), &by_class, 20, &range(0, 8), draws, 2, 2, 1.0, &mut r).unwrap();
    assert_eq!(acc.len(), 3);
    assert!(acc.iter().all(|&a| a > 0.9), "{acc:?}");
    let mut rows = range(0, 120);
    rand::seq::SliceRandom::shuffle(rows.as_mut_slice(), &mut r);
    let shuffled: Vec<Vec<usize>> = rows.chunks(30).map(<[usize]>::to_vec).collect();
    let draws = NeuronDraws { neurons: 8, draws: 6 };
    let acc = svm_over_draws(x.view(), &shuffled, 30, &range(0, 8), draws, 2, 3, 1.0, &mut r).unwrap();
    let mean = acc.iter().sum::<f64>() / acc.len() as f64;
    assert!((mean - 0.25).abs() < 0.1, "accuracy {mean} (chance 0.25)");
    // classes of one response each: nothing to cross-validate
    let singles: Vec<Vec<usize>> = (0..4).map(|c| vec![30 * c]).collect();
    assert!(svm_over_draws(x.view(), &singles, 5, &range(0, 8), draws, 2, 3, 1.0, &mut r).unwrap().is_empty());
}

#[test]
fn a_draw_uses_only_the_drawn_columns() {
    // columns outside the pool carry nonsense; the distances see only the pool
    let (x, rows) = two_classes(4.0, 15);
    let mut wide = Array2::from_elem((160, 8), f64::NAN);
    wide.slice_mut(s![.., ..5]).assign(&x);
    let draws = NeuronDraws { neurons: 5, draws: 2 };
    let narrow = class_distances_and_qda(x.view(), &range(0, 5), draws, &rows, &mut rng(16)).unwrap();
    let padded = class_distances_and_qda(wide.view(), &range(0, 5), draws, &rows, &mut rng(16)).unwrap();
    assert_eq!(narrow, padded);
}

fn config() -> ProptestConfig {
    ProptestConfig { cases: 64, failure_persistence: None, ..ProptestConfig::default() }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn equalised_classes_have_the_size_of_the_smallest_class_or_per_class(
        sizes in prop::collection::vec(0usize..20, 1..6),
        per_class in 0usize..25,
        seed in 0u64..1000,
    ) {
        let mut start = 0;
        let classes: Vec<Vec<usize>> = sizes.iter().map(|&n| { start += n; range(start - n, start) }).collect();
        let eq = equalised_classes(&classes, per_class, &mut rng(seed));
        let m = sizes.iter().copied().min().unwrap().min(per_class);
        prop_assert_eq!(eq.len(), classes.len());
        for (e, c) in eq.iter().zip(&classes) {
            prop_assert_eq!(e.len(), m);
            let mut sorted = e.clone();
            sorted.sort_unstable();
            sorted.dedup();
            prop_assert_eq!(sorted.len(), m, "no member twice");
            prop_assert!(e.iter().all(|x| c.contains(x)));
        }
    }

    #[test]
    fn finite_averages_ignore_non_finite_values(
        values in prop::collection::vec(-1e6f64..1e6, 0..20),
        junk in prop::collection::vec(prop::sample::select(vec![f64::NAN, f64::INFINITY, f64::NEG_INFINITY]), 0..5),
        at in 0usize..20,
    ) {
        let mut mixed = values.clone();
        for (k, j) in junk.iter().enumerate() {
            mixed.insert((at + k).min(mixed.len()), *j);
        }
        let (m, s) = finite_mean_sd(&mixed);
        prop_assert_eq!(finite_mean(&mixed).to_bits(), m.to_bits());
        match values.len() {
            0 => prop_assert!(m.is_nan() && s == 0.0),
            1 => prop_assert_eq!((m, s), (values[0], 0.0)),
            _ => prop_assert_eq!(Some((m, s)), mean_sd(&values)),
        }
    }
}
