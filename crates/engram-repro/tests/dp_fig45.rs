//! Figs 4–5 pipeline: the odor-subspace protocol presents every pixel of every trajectory in
//! two contiguous 0.5 s windows with Table 3's concentrations, the QDA classes follow the 0.6
//! OB-correlation rule, and on a scaled-down network the rand representation has a higher
//! participation ratio than Scaled I (attractors collapse the subspace, Fig. 4F).

use engram_models::dp::subspace::{Subspace, TRAIN_CORR, corner_assemblies, half_rates};
use engram_models::dp::{DpConfig, DpConnectivity, Variant, odor_sets, simulate};
use engram_repro::dp::fig45::{ReadoutSizes, analyse, trajectory_ids};
use engram_stimuli::Corner;
use engram_stimuli::odor_space::concentrations_percent;

fn corners(config: &DpConfig, seed: u64) -> [engram_stimuli::Odor; 4] {
    let o = odor_sets(config, seed).unwrap();
    [o.learned[0].clone(), o.learned[1].clone(), o.novel[0].clone(), o.novel[1].clone()]
}

#[test]
fn subspace_protocol_presents_968_pixels_in_contiguous_halves() {
    let config = DpConfig::default();
    let sub = Subspace::new(corners(&config, 3), &trajectory_ids(false), 9).unwrap();
    assert_eq!(sub.len(), 968);
    assert_eq!(sub.duration_ms, 8.0 * (2000.0 + 121_000.0));
    let protocol = sub.protocol();
    let windows = protocol.windows();
    assert_eq!(windows.len(), 2 * 968);
    for (k, p) in sub.presentations.iter().enumerate() {
        let (a, b) = (&windows[2 * k], &windows[2 * k + 1]);
        assert_eq!((a.presentation, b.presentation), (k, k));
        assert_eq!((a.start_ms, a.end_ms, b.end_ms), (p.onset_ms, p.onset_ms + 500.0, p.onset_ms + 1000.0));
        assert_eq!(b.start_ms, a.end_ms);
        assert_eq!(p.concentration_percent, concentrations_percent(p.row, p.col));
        assert_eq!(protocol.presentations[k].odor, k);
    }
    // every trajectory visits all 121 pixels once; pure odors are the corners themselves
    for t in 0..8 {
        let mut px: Vec<(usize, usize)> =
            sub.presentations.iter().filter(|p| p.trajectory == t).map(|p| (p.row, p.col)).collect();
        px.sort_unstable();
        px.dedup();
        assert_eq!(px.len(), 121);
    }
    for (c, corner) in Corner::ALL.iter().enumerate() {
        let k = sub.presentations.iter().position(|p| (p.row, p.col) == corner.pixel()).unwrap();
        assert_eq!(sub.presentations[k].concentration_percent[c], 100);
        assert_eq!(&sub.mixtures[k], &sub.corners[c]);
        assert!((sub.corr[k][c] - 1.0).abs() < 1e-12);
    }
    // classes: pure odors train their own class; test presentations are ≤ 0.6 to every corner
    let cl = sub.classes();
    for k in 0..sub.len() {
        match cl.train[k] {
            Some(c) => assert!(sub.corr[k][c] > TRAIN_CORR),
            None => assert!(cl.test[k] && sub.corr[k].iter().all(|&r| r <= TRAIN_CORR)),
        }
    }
    let per_class: Vec<usize> = (0..4).map(|c| cl.train.iter().filter(|t| **t == Some(c)).count()).collect();
    assert!(per_class.iter().all(|&n| n >= 8 * 4), "training presentations per class: {per_class:?}");
}

#[test]
fn rand_keeps_more_dimensions_than_scaled_i_on_a_small_network() {
    let config = DpConfig::default().scaled_down(4);
    let c = corners(&config, 5);
    let sub = Subspace::new(c.clone(), &[0], 11).unwrap();
    let odors = odor_sets(&config, 5).unwrap();
    let base = DpConnectivity::generate(&config, &odors.learned, 77).unwrap();
    let sizes = ReadoutSizes { neurons: 10, draws: 2, readouts: false, ..ReadoutSizes::new(true) };
    let pr = |variant: Variant| {
        let (net, _) = base.with_variant(&config, variant, 77).unwrap();
        let asm = corner_assemblies(&net, &config, &sub.corners, 77).unwrap();
        let rec = simulate(&config, &net, &sub.protocol(), 3, 0.1, None).unwrap();
        let (a, b) = half_rates(&rec);
        assert_eq!(a.dim(), (121, config.n_exc));
        analyse(&sub, &a, &b, &asm, &sizes, 1).unwrap()
    };
    let (rand, scaled) = (pr(Variant::Rand), pr(Variant::SCALED_I));
    assert!(rand.pr_all.is_finite() && scaled.pr_all.is_finite());
    assert!(rand.pr_all > scaled.pr_all, "PR rand {} vs Scaled I {}", rand.pr_all, scaled.pr_all);
    // the learned odors' assemblies are amplified in Scaled I
    assert!(scaled.assembly_rate_pure_hz[0] > rand.assembly_rate_pure_hz[0]);
}
