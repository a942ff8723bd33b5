//! Template matching, linear regression, SVM and subsampling on data with known answers.

use engram_analysis::classify::*;
use ndarray::{Array1, Array2, Axis};
use rand::Rng;
use rand_distr::{Distribution, Normal, StandardNormal};

use crate::common::rng;

/// `per_class` patterns of each of `k` classes in `d` dims: class c has mean `sep · e_c`
/// (plus a common offset) and isotropic unit noise.
fn blobs(k: usize, per_class: usize, d: usize, sep: f64, seed: u64) -> (Array2<f64>, Vec<usize>) {
    let mut r = rng(seed);
    let mut x = Array2::zeros((k * per_class, d));
    let mut y = Vec::new();
    for c in 0..k {
        for i in 0..per_class {
            let row = c * per_class + i;
            for j in 0..d {
                let z: f64 = StandardNormal.sample(&mut r);
                x[[row, j]] = 2.0 + z + if j == c { sep } else { 0.0 };
            }
            y.push(c);
        }
    }
    (x, y)
}

#[test]
fn template_matching_on_separable_classes_is_perfect() {
    let (train, ytr) = blobs(4, 10, 40, 15.0, 50);
    let (test, yte) = blobs(4, 25, 40, 15.0, 51);
    let mut r = rng(52);
    let acc = template_matching_accuracy(train.view(), &ytr, test.view(), &yte, 10, &mut r).unwrap();
    assert_eq!(acc, 1.0);
    // a constant test pattern has no correlation with anything
    let flat = Array2::from_elem((1, 40), 3.0);
    assert_eq!(template_matching(train.view(), &ytr, flat.view(), &mut r).unwrap(), vec![None]);
}

#[test]
fn template_matching_on_indistinguishable_classes_is_at_chance() {
    let (train, _) = blobs(1, 40, 30, 0.0, 53);
    let ytr: Vec<usize> = (0..40).map(|i| i % 4).collect();
    let (test, _) = blobs(1, 400, 30, 0.0, 54);
    let yte: Vec<usize> = (0..400).map(|i| i % 4).collect();
    let mut r = rng(55);
    let acc = template_matching_accuracy(train.view(), &ytr, test.view(), &yte, 20, &mut r).unwrap();
    assert!((acc - 0.25).abs() < 0.05, "accuracy {acc}");
}

#[test]
fn regression_recovers_known_coefficients() {
    let mut r = rng(56);
    let (n, d) = (352, 8);
    let w: Vec<f64> = (0..d).map(|j| j as f64 - 3.5).collect();
    let noise = Normal::new(0.0, 0.1).unwrap();
    let x = Array2::from_shape_fn((n, d), |_| r.r#gen::<f64>() * 10.0);
    let y: Array1<f64> = x
        .rows()
        .into_iter()
        .map(|row| row.iter().zip(&w).map(|(a, b)| a * b).sum::<f64>() + 7.0 + noise.sample(&mut r))
        .collect();
    let m = LinearReadout::fit(x.view(), y.view()).unwrap();
    for j in 0..d {
        assert!((m.coefficients()[j] - w[j]).abs() < 0.01, "w{j} = {}", m.coefficients()[j]);
    }
    assert!((m.intercept() - 7.0).abs() < 0.05, "b = {}", m.intercept());
    let mse = mean_squared_error(m.predict(x.view()).unwrap().view(), y.view()).unwrap();
    assert!((mse - 0.01).abs() < 0.003, "training MSE {mse}");
    // held-out MSE ≈ σ² (1 + p/n) ≈ 0.0103
    let cv = cross_validated_mse(x.view(), y.view(), 4, &mut r).unwrap();
    assert!((cv - 0.01).abs() < 0.003, "CV MSE {cv}");
    assert!(m.predict(Array2::zeros((1, 3)).view()).is_err());
}

/// A design like the rates of a Scaled I network's saturated assemblies: 352 responses of 80
/// neurons whose rates are exact linear combinations of 3 latent signals (many neurons are
/// copies of each other), so the design has rank 3.
fn collinear_design(seed: u64) -> (Array2<f64>, Array1<f64>) {
    let mut r = rng(seed);
    let (n, d, rank) = (352, 80, 3);
    let latent = Array2::from_shape_fn((n, rank), |_| r.r#gen::<f64>() * 40.0);
    let mixing =
        Array2::from_shape_fn(
            (rank, d),
            |(k, j)| if j % 4 == 0 { (k + 1) as f64 } else { (j % rank == k) as u8 as f64 * 2.5 },
        );
    let x = latent.dot(&mixing);
    let noise = Normal::new(0.0, 2.0).unwrap();
    let y: Array1<f64> =
        latent.rows().into_iter().map(|l| 1.5 * l[0] - 0.5 * l[2] + 10.0 + noise.sample(&mut r)).collect();
    (x, y)
}

#[test]
fn regression_on_a_rank_deficient_design_gives_the_least_squares_projection() {
    let (x, y) = collinear_design(59);
    let m = LinearReadout::fit(x.view(), y.view()).unwrap();
    let predicted = m.predict(x.view()).unwrap();
    assert!(predicted.iter().all(|p| p.is_finite()));
    let mse = mean_squared_error(predicted.view(), y.view()).unwrap();
    let variance = y.var(0.0);
    // the target is linear in the latent signals plus noise of SD 2: the fit explains all but the
    // noise (MSE ≈ 4 · (1 − 4/352)); an intercept-only fit would leave the variance (≈ 300)
    assert!((3.0..4.5).contains(&mse), "in-sample MSE {mse} (target variance {variance})");
    // minimum norm: the weights are of the size of the latent coefficients, not huge
    let norm = m.coefficients().dot(m.coefficients()).sqrt();
    assert!(norm < 10.0, "|w| = {norm}");
    let mut r = rng(60);
    let cv = cross_validated_mse(x.view(), y.view(), 2, &mut r).unwrap();
    assert!((3.0..5.0).contains(&cv), "2-fold MSE {cv}");
}

/// Four identical neurons, most responses silent (a proptest case on which nalgebra's SVD with
/// vectors returned a wrong decomposition and the fit left more error than the mean): the fit
/// is the one-neuron fit with its weight shared equally.
#[test]
fn identical_sparse_neurons_share_the_one_neuron_fit() {
    let c = [
        5.0, 29.0, 15.0, 12.0, 33.0, 19.0, 0.0, 38.0, 27.0, 44.0, 15.0, 0.0, 13.0, 22.0, 43.0, 44.0, 28.0, 42.0, 43.0,
        0.0, 24.0, 16.0, 6.0,
    ];
    let n = c.len();
    let x = Array2::from_shape_fn((n, 4), |(i, _)| c[i]);
    let mut y = Array1::zeros(n);
    y[0] = -9.341258755009749;
    y[19] = 9.779283672750926;
    let m = LinearReadout::fit(x.view(), y.view()).unwrap();
    // closed form with one neuron: β = cov(c, y) / var(c)
    let c = Array1::from_iter(c);
    let (cm, ym) = (c.mean().unwrap(), y.mean().unwrap());
    let beta = (&c - cm).dot(&(&y - ym)) / (&c - cm).dot(&(&c - cm));
    for &w in m.coefficients() {
        assert!((w - beta / 4.0).abs() < 1e-12, "w {w}, expected {}", beta / 4.0);
    }
    let mse = mean_squared_error(m.predict(x.view()).unwrap().view(), y.view()).unwrap();
    assert!(mse <= y.var(0.0), "MSE {mse} > variance {}", y.var(0.0));
}

#[test]
fn regression_rejects_non_finite_rates() {
    let x = ndarray::array![[0.0], [f64::NAN], [2.0]];
    let err = LinearReadout::fit(x.view(), ndarray::array![0.0, 1.0, 2.0].view()).unwrap_err();
    assert!(err.to_string().contains("not finite"), "{err}");
}

#[test]
fn svm_separates_separable_classes() {
    // 6 classes, 27 responses each (162, as in the paper), 20 neurons
    let (x, y) = blobs(6, 27, 20, 8.0, 57);
    let mut r = rng(58);
    let acc = svm_cross_validated_accuracy(x.view(), &y, 2, 3, 1.0, &mut r).unwrap();
    assert!(acc > 0.98, "accuracy {acc}");
    let svm = LinearSvm::fit(x.view(), &y, 1.0).unwrap();
    assert_eq!(svm.n_classes(), 6);
    let pred = svm.predict(x.view()).unwrap();
    assert!(accuracy(&pred, &y).unwrap() > 0.99);
}

#[test]
fn svm_is_at_chance_for_random_labels() {
    let (x, _) = blobs(1, 162, 20, 0.0, 59);
    let mut r = rng(60);
    let y: Vec<usize> = (0..162).map(|i| i % 6).collect();
    let mut shuffled = y.clone();
    rand::seq::SliceRandom::shuffle(shuffled.as_mut_slice(), &mut r);
    let acc = svm_cross_validated_accuracy(x.view(), &shuffled, 2, 5, 1.0, &mut r).unwrap();
    // chance is 1/6; SE of one 162-point accuracy ≈ 0.03
    assert!((acc - 1.0 / 6.0).abs() < 0.07, "accuracy {acc}");
}

#[test]
fn subsampling_and_folds() {
    let mut r = rng(61);
    let s = subsample_neurons(400, 80, &mut r).unwrap();
    assert_eq!(s.len(), 80);
    assert!(s.windows(2).all(|w| w[0] < w[1]) && *s.last().unwrap() < 400);
    assert!(subsample_neurons(5, 6, &mut r).is_err());
    // every neuron is drawn with probability m/n: 2000 draws of 10 of 50 -> 400 each
    let mut hits = vec![0usize; 50];
    for _ in 0..2000 {
        for i in subsample_neurons(50, 10, &mut r).unwrap() {
            hits[i] += 1;
        }
    }
    assert!(hits.iter().all(|&h| (300..500).contains(&h)), "{hits:?}");
    let x = Array2::from_shape_fn((3, 4), |(i, j)| (10 * i + j) as f64);
    assert_eq!(select_columns(x.view(), &[3, 1]).row(2).to_vec(), vec![23.0, 21.0]);
    assert_eq!(select_rows(x.view(), &[2]).index_axis(Axis(0), 0).to_vec(), vec![20.0, 21.0, 22.0, 23.0]);

    let labels: Vec<usize> = (0..30).map(|i| i % 3).collect();
    let folds = stratified_k_folds(&labels, 2, &mut r).unwrap();
    let mut all: Vec<usize> = folds.concat();
    all.sort_unstable();
    assert_eq!(all, (0..30).collect::<Vec<_>>());
    for f in &folds {
        for c in 0..3 {
            let n = f.iter().filter(|&&i| labels[i] == c).count();
            assert!(n == 5, "fold has {n} of class {c}");
        }
    }
    assert_eq!(k_folds(10, 3, &mut r).unwrap().iter().map(Vec::len).sum::<usize>(), 10);
    assert!(k_folds(10, 1, &mut r).is_err());
}
