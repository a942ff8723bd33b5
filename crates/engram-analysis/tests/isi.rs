//! ISI CV: regular train 0, Poisson train 1.

use engram_analysis::isi::*;
use rand::Rng;

#[test]
fn regular_train_has_cv_zero() {
    let t: Vec<f64> = (0..50).map(|k| 3.0 + 12.5 * k as f64).collect();
    assert!(isi_cv(&t).unwrap().abs() < 1e-12);
}

#[test]
fn long_poisson_train_has_cv_one() {
    let mut rng = crate::common::rng(11);
    let mut t = Vec::new();
    let mut s = 0.0;
    for _ in 0..20_000 {
        s += -(1.0 - rng.r#gen::<f64>()).ln() * 100.0; // 10 Hz
        t.push(s);
    }
    let cv = isi_cv(&t).unwrap();
    // SE of the CV of an exponential sample of 20 000 is about 0.007
    assert!((cv - 1.0).abs() < 0.03, "cv {cv}");
}

#[test]
fn two_point_cv_closed_form() {
    // intervals 10 and 30: mean 20, population SD 10 -> CV 0.5 (order of spikes irrelevant)
    assert!((isi_cv(&[40.0, 0.0, 10.0]).unwrap() - 0.5).abs() < 1e-12);
}

#[test]
fn per_neuron_needs_three_spikes_and_mean_skips_none() {
    let t = [0.0, 10.0, 20.0, 0.0, 10.0, 40.0, 5.0];
    let i = [0u32, 0, 0, 1, 1, 1, 2];
    let cv = isi_cv_per_neuron(&t, &i, 4).unwrap();
    assert_eq!(cv[0], Some(0.0));
    assert!((cv[1].unwrap() - 0.5).abs() < 1e-12);
    assert_eq!(cv[2], None);
    assert_eq!(cv[3], None);
    assert!((mean_isi_cv(&cv, None).unwrap() - 0.25).abs() < 1e-12);
    assert!((mean_isi_cv(&cv, Some(&[1, 2])).unwrap() - 0.5).abs() < 1e-12);
    assert_eq!(mean_isi_cv(&cv, Some(&[2, 3])), None);
    assert!(isi_cv_per_neuron(&t, &i, 2).is_err());
}

/// Two independent implementations agree: the analysis's per-neuron ISI CV, averaged, equals
/// the test kit's raster statistic on discrete Poisson rasters (and is near 1, as it must be
/// for Poisson trains: `sqrt(1 - p)` per step of probability `p`).
#[test]
fn per_neuron_cv_agrees_with_the_test_kits_raster_on_poisson_rasters() {
    use engram_testkit::raster::Raster;
    use engram_testkit::spikes::{poisson_trains, rng};
    let dt_ms = 0.1;
    for seed in 1..=3 {
        let trains = poisson_trains(&mut rng(seed), 40, 20.0, dt_ms, 200_000); // 20 s at 20 Hz
        let raster = Raster::from_trains(&trains, dt_ms);
        let cvs = isi_cv_per_neuron(&raster.times_ms(), raster.neurons(), 40).unwrap();
        let ours = mean_isi_cv(&cvs, None).unwrap();
        let kit = raster.cv_isi().unwrap();
        assert!((ours - kit).abs() < 1e-12, "seed {seed}: analysis {ours} vs test kit {kit}");
        assert!((ours - 1.0).abs() < 0.03, "seed {seed}: Poisson CV {ours}");
    }
}
