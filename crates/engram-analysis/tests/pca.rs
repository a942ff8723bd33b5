//! PCA, participation ratio, local variance and angles on data with known geometry.

use std::f64::consts::{FRAC_PI_2, FRAC_PI_3, FRAC_PI_4, PI};

use engram_analysis::pca::*;
use ndarray::{Array2, array};
use rand_distr::{Distribution, StandardNormal};

use crate::common::{gaussian, identity, rng};

#[test]
fn participation_ratio_closed_form() {
    assert_eq!(participation_ratio(&[1.0; 4]), Some(4.0));
    assert_eq!(participation_ratio(&[5.0, 0.0, 0.0]), Some(1.0));
    // (3 + 1)² / (9 + 1) = 1.6
    assert!((participation_ratio(&[3.0, 1.0]).unwrap() - 1.6).abs() < 1e-15);
    // (4 + 2 + 1 + 1)² / (16 + 4 + 1 + 1) = 64 / 22
    assert!((participation_ratio(&[4.0, 2.0, 1.0, 1.0]).unwrap() - 64.0 / 22.0).abs() < 1e-15);
    assert_eq!(participation_ratio(&[0.0, 0.0]), None);
    assert_eq!(participation_ratio(&[]), None);
}

#[test]
fn participation_ratio_of_isotropic_gaussian_is_its_dimension() {
    let d = 10;
    let mut r = rng(1);
    let x = gaussian(5000, &vec![1.0; d], &identity(d), &mut r);
    let pr = participation_ratio_of_patterns(x.view()).unwrap().unwrap();
    // sample eigenvalues spread by O(sqrt(d/n)); PR = d / (1 + d/n) ≈ 9.98 in expectation
    assert!((pr - d as f64).abs() < 0.3, "PR {pr}");
}

#[test]
fn participation_ratio_of_rank_one_data_is_one() {
    let mut r = rng(2);
    let u = [0.3, -0.5, 0.8, 0.1, 0.0, 2.0];
    let x = Array2::from_shape_fn((50, u.len()), |(_, j)| u[j]);
    let t: Vec<f64> = (0..50).map(|_| StandardNormal.sample(&mut r)).collect();
    let x = Array2::from_shape_fn(x.dim(), |(i, j)| 4.0 + t[i] * x[[i, j]]);
    let pr = participation_ratio_of_patterns(x.view()).unwrap().unwrap();
    assert!((pr - 1.0).abs() < 1e-9, "PR {pr}");
}

#[test]
fn covariance_spectrum_agrees_between_gram_and_covariance_routes() {
    let mut r = rng(3);
    // 6 patterns of 9 neurons go through the Gram matrix, 9 patterns of 6 neurons through the
    // covariance; either way the eigenvalues sum to the trace of the covariance
    let wide = gaussian(6, &[0.0; 9], &identity(9), &mut r);
    let tall = wide.t().to_owned(); // 9 patterns of 6 neurons
    for x in [wide.view(), tall.view()] {
        let s = covariance_spectrum(x).unwrap();
        assert_eq!(s.len(), x.nrows().min(x.ncols()));
        let trace: f64 = engram_analysis::distance::sample_covariance(x).unwrap().diag().sum();
        assert!((s.iter().sum::<f64>() - trace).abs() < 1e-9 * trace);
        assert!(s.windows(2).all(|w| w[0] >= w[1]));
    }
}

#[test]
fn pca_recovers_the_principal_axis_of_an_anisotropic_gaussian() {
    // covariance 9 uuᵀ + 1 vvᵀ + 0.25 wwᵀ with orthonormal u, v, w
    let u = [1.0 / 3.0, 2.0 / 3.0, 2.0 / 3.0];
    let v = [2.0 / 3.0, 1.0 / 3.0, -2.0 / 3.0];
    let w = [2.0 / 3.0, -2.0 / 3.0, 1.0 / 3.0];
    let lam = [9.0, 1.0, 0.25];
    let mut cov = vec![0.0; 9];
    for a in 0..3 {
        for b in 0..3 {
            cov[a * 3 + b] = lam[0] * u[a] * u[b] + lam[1] * v[a] * v[b] + lam[2] * w[a] * w[b];
        }
    }
    let mut r = rng(4);
    let x = gaussian(4000, &[1.0, -2.0, 0.5], &cov, &mut r);
    for solver in [PcaSolver::Linfa, PcaSolver::Exact] {
        check_anisotropic(&x, &u, &v, solver);
    }
}

fn check_anisotropic(x: &Array2<f64>, u: &[f64; 3], v: &[f64; 3], solver: PcaSolver) {
    let p = pca_with(x.view(), 2, solver).unwrap();
    assert_eq!(p.solver, solver);
    let pc1 = p.components.row(0);
    let dot: f64 = (0..3).map(|a| pc1[a] * u[a]).sum();
    assert!(dot.abs() > 0.999, "|PC1·u| = {}", dot.abs());
    let pc2 = p.components.row(1);
    let dot2: f64 = (0..3).map(|a| pc2[a] * v[a]).sum();
    assert!(dot2.abs() > 0.99, "|PC2·v| = {}", dot2.abs());
    assert!((p.explained_variance[0] / 9.0 - 1.0).abs() < 0.06);
    assert!((p.explained_variance[1] / 1.0 - 1.0).abs() < 0.06);
    // ratio is relative to the total variance (9 + 1 + 0.25), not to the 2 kept components
    assert!((p.explained_variance_ratio[0] - 9.0 / 10.25).abs() < 0.01);
    assert!(p.explained_variance_ratio.sum() < 0.99);
    // sign convention: largest-magnitude loading positive
    assert!(pc1.iter().cloned().fold(0.0f64, |b, x| if x.abs() > b.abs() { x } else { b }) > 0.0);
    // projections are the centred data times the components, and var(projection) = eigenvalue
    let proj = p.project(x.view());
    assert!((&proj - &p.projections).iter().all(|d| d.abs() < 1e-9));
    let col: Vec<f64> = p.projections.column(0).to_vec();
    let s = engram_analysis::stats::sd(&col).unwrap();
    assert!((s * s - p.explained_variance[0]).abs() < 1e-6 * p.explained_variance[0]);
    // the full spectrum agrees with the PCA eigenvalues
    let spec = covariance_spectrum(x.view()).unwrap();
    assert!((spec[0] - p.explained_variance[0]).abs() < 1e-6 * spec[0]);
    assert!((spec[1] - p.explained_variance[1]).abs() < 1e-4 * spec[1]);
}

#[test]
fn linfa_and_exact_solvers_agree_for_few_components() {
    // 300 patterns of 20 neurons, variances 20, 10, 5, then 1: distinct leading eigenvalues
    let mut cov = identity(20);
    for (i, l) in [20.0, 10.0, 5.0].into_iter().enumerate() {
        cov[i * 20 + i] = l;
    }
    let mut r = rng(7);
    let x = gaussian(300, &[0.5; 20], &cov, &mut r);
    let a = pca_with(x.view(), 3, PcaSolver::Linfa).unwrap();
    let b = pca_with(x.view(), 3, PcaSolver::Exact).unwrap();
    assert_eq!(pca(x.view(), 3).unwrap().solver, PcaSolver::Linfa); // 5·3 <= 20
    assert_eq!(pca(x.view(), 5).unwrap().solver, PcaSolver::Exact); // 5·5 > 20
    for i in 0..3 {
        assert!((a.explained_variance[i] / b.explained_variance[i] - 1.0).abs() < 1e-6);
    }
    // same sign convention, so components and projections agree entrywise
    assert!((&a.components - &b.components).iter().all(|d| d.abs() < 1e-5));
    assert!((&a.projections - &b.projections).iter().all(|d| d.abs() < 1e-4));
    assert!((a.total_variance - b.total_variance).abs() < 1e-9);
    // the exact route through the Gram matrix (patterns < neurons) gives the same components
    let t = x.slice(ndarray::s![..15, ..]).to_owned();
    let g = pca_with(t.view(), 3, PcaSolver::Exact).unwrap();
    let spec = covariance_spectrum(t.view()).unwrap();
    for i in 0..3 {
        assert!((g.explained_variance[i] - spec[i]).abs() < 1e-9 * spec[0]);
        let col: Vec<f64> = g.projections.column(i).to_vec();
        let s = engram_analysis::stats::sd(&col).unwrap();
        assert!((s * s - spec[i]).abs() < 1e-9 * spec[0]);
        let norm = g.components.row(i).dot(&g.components.row(i));
        assert!((norm - 1.0).abs() < 1e-12);
    }
}

#[test]
fn components_for_variance_threshold() {
    let l = [1.0, 5.0, 3.0, 1.0]; // sorted: 5, 3, 1, 1 -> cumulative 0.5, 0.8, 0.9, 1.0
    assert_eq!(n_components_for_variance(&l, 0.5), Some(1));
    assert_eq!(n_components_for_variance(&l, 0.75), Some(2));
    assert_eq!(n_components_for_variance(&l, 0.8), Some(2));
    assert_eq!(n_components_for_variance(&l, 0.81), Some(3));
    assert_eq!(n_components_for_variance(&l, 1.0), Some(4));
    assert_eq!(n_components_for_variance(&l, 0.0), None);
    assert_eq!(n_components_for_variance(&[0.0], 0.5), None);
}

#[test]
fn pca_rejects_bad_k() {
    let x = Array2::<f64>::zeros((5, 3));
    assert!(pca(x.view(), 0).is_err());
    assert!(pca(x.view(), 4).is_err());
    assert!(pca(Array2::<f64>::zeros((1, 3)).view(), 1).is_err());
}

#[test]
fn angles_of_known_vectors() {
    assert!((angle(array![1.0, 0.0].view(), array![0.0, 2.0].view()).unwrap() - FRAC_PI_2).abs() < 1e-12);
    assert!((angle(array![1.0, 1.0].view(), array![-2.0, -2.0].view()).unwrap() - PI).abs() < 1e-7);
    assert!(angle(array![1.0, 1.0].view(), array![3.0, 3.0].view()).unwrap().abs() < 1e-7);
    assert_eq!(angle(array![0.0, 0.0].view(), array![1.0, 0.0].view()), None);
    let p = array![0.0, 0.0, 1.0];
    let t = angle_between_differences(p.view(), array![1.0, 0.0, 1.0].view(), array![1.0, 1.0, 1.0].view());
    assert!((t.unwrap() - FRAC_PI_4).abs() < 1e-12);
    assert_eq!(angle_between_differences(p.view(), p.view(), array![1.0, 0.0, 0.0].view()), None);
}

#[test]
fn angles_around_orthogonal_neighbours_are_right_angles() {
    // center p and 7 neighbours p + e_i: 21 pairs, all at π/2
    let d = 7;
    let mut x = Array2::from_elem((d + 1, d), 0.5);
    for i in 0..d {
        x[[i + 1, i]] += 1.0 + i as f64;
    }
    let neighbours: Vec<usize> = (1..=d).collect();
    let a = angles_around(x.view(), 0, &neighbours);
    assert_eq!(a.len(), 21);
    assert!(a.iter().all(|t| (t - FRAC_PI_2).abs() < 1e-12));
}

#[test]
fn angles_between_random_patterns_are_near_sixty_degrees() {
    // iid isotropic patterns in high dimension: (s_y − p)·(s_z − p) ≈ ‖p − μ‖² = half of
    // ‖s − p‖², so θ ≈ arccos(1/2) = π/3 ≈ 1.05 rad (the paper's "about 1 rad" for rand)
    let d = 2000;
    let mut r = rng(5);
    let x = Array2::from_shape_fn((8, d), |_| StandardNormal.sample(&mut r));
    let a = angles_around(x.view(), 0, &[1, 2, 3, 4, 5, 6, 7]);
    let m = a.iter().sum::<f64>() / a.len() as f64;
    assert!((m - FRAC_PI_3).abs() < 0.03, "mean angle {m}");
}

#[test]
fn local_variance_and_neighbours() {
    let proj = array![[1.0, 10.0], [2.0, 10.0], [3.0, 10.0], [100.0, -5.0]];
    let v = local_variance(proj.view(), &[0, 1, 2], 0..2).unwrap();
    assert_eq!(v, vec![1.0, 0.0]);
    assert!(local_variance(proj.view(), &[0], 0..1).is_err());
    assert!(local_variance(proj.view(), &[0, 9], 0..1).is_err());
    assert!(local_variance(proj.view(), &[0, 1], 0..3).is_err());
    let ob = array![[1.0, 2.0, 3.0, 4.0], [1.0, 2.0, 3.0, 5.0], [4.0, 3.0, 2.0, 1.0], [1.0, 3.0, 2.0, 4.0]];
    assert_eq!(most_correlated(ob.view(), 0, 2), vec![1, 3]);
}

#[test]
fn reconstruction_error_is_zero_with_all_components() {
    let mut r = rng(6);
    let x = gaussian(30, &[0.0; 4], &identity(4), &mut r);
    let full = pca(x.view(), 4).unwrap();
    let e = distance_reconstruction_error(x.view(), full.projections.view()).unwrap();
    assert!(e.abs() < 1e-9, "error {e}");
    let one = pca(x.view(), 1).unwrap();
    assert!(distance_reconstruction_error(x.view(), one.projections.view()).unwrap() > 0.01);
}
