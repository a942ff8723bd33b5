//! Odors: statistics of random odors, conventions, sets, mixtures and morphs, parameter errors.

use std::collections::HashSet;

use engram_core::config::{from_ron_str, to_ron_string};
use engram_core::prelude::*;
use engram_stimuli::odor::{
    MixtureComponent, Odor, OdorParams, OdorSetParams, OdorSets, RateConvention, input_correlation, mixture, morph,
};

fn params() -> Checked<OdorParams> {
    OdorParams::default().check().unwrap()
}

fn field<P: Params>(p: P) -> String {
    p.check().err().expect("should be rejected").field
}

#[test]
fn random_odor_has_exact_counts_ranges_and_decay_groups() {
    let p = params();
    let (mut min_inc, mut max_inc, mut min_lat, mut max_lat) = (f64::MAX, 0.0f64, f64::MAX, 0.0f64);
    let mut lat_sum = 0.0;
    for s in 0..20 {
        let o = Odor::random(&p, 11, s);
        assert_eq!(o.n_mitral_cells(), 1500);
        assert_eq!(o.activated().len(), 150);
        assert_eq!(o.inhibited().len(), 75);
        let act: HashSet<u32> = o.activated().iter().map(|c| c.mitral_cell).collect();
        let inh: HashSet<u32> = o.inhibited().iter().map(|c| c.mitral_cell).collect();
        assert_eq!((act.len(), inh.len()), (150, 75), "duplicate MCs");
        assert!(act.is_disjoint(&inh), "activated and inhibited overlap");
        assert!(act.iter().chain(&inh).all(|&i| i < 1500));
        for c in o.activated() {
            assert!((8.0..=32.0).contains(&c.increment_hz) && c.increment_hz.fract() == 0.0, "{c:?}");
            assert!((0.0..=200.0).contains(&c.latency_ms) && c.latency_ms.fract() == 0.0, "{c:?}");
            min_inc = min_inc.min(c.increment_hz);
            max_inc = max_inc.max(c.increment_hz);
            min_lat = min_lat.min(c.latency_ms);
            max_lat = max_lat.max(c.latency_ms);
            lat_sum += c.latency_ms;
        }
        for c in o.inhibited() {
            assert!((2.0..=6.0).contains(&c.decrement_hz) && c.decrement_hz.fract() == 0.0, "{c:?}");
            assert!((0.0..=200.0).contains(&c.latency_ms) && c.latency_ms.fract() == 0.0, "{c:?}");
        }
        // Decay groups: exactly one third each.
        for tau in [1000.0, 2000.0, 4000.0] {
            assert_eq!(o.activated().iter().filter(|c| c.tau_decay_ms == tau).count(), 50, "tau {tau}");
        }
        // Rates at a time after every latency: baseline + increment·decay, baseline − decrement.
        let mut r = vec![0.0; 1500];
        o.rates_at_hz(200.0, &mut r);
        assert_eq!(r.iter().filter(|&&x| x == 6.0).count(), 1500 - 225);
        assert!(o.inhibited().iter().all(|c| (0.0..=4.0).contains(&r[c.mitral_cell as usize])));
    }
    // The whole discrete ranges are used (3000 draws each).
    assert_eq!((min_inc, max_inc, min_lat, max_lat), (8.0, 32.0, 0.0, 200.0));
    let mean_lat = lat_sum / 3000.0;
    assert!((mean_lat - 100.0).abs() < 3.5, "mean latency {mean_lat} ms"); // SD of mean ≈ 1.1 ms
}

#[test]
fn paper_text_convention_rates_replace_the_baseline() {
    let p = OdorParams::paper_text().check().unwrap();
    let o = Odor::random(&p, 2, 0);
    let mut r = vec![0.0; 1500];
    for c in o.activated() {
        let peak = 6.0 + c.increment_hz;
        assert!((8.0..=32.0).contains(&peak), "peak {peak}");
    }
    o.rates_at_hz(250.0, &mut r);
    for c in o.inhibited() {
        let rate = r[c.mitral_cell as usize];
        assert!((0.0..=5.0).contains(&rate) && rate.fract() == 0.0, "inhibited rate {rate}");
    }
}

#[test]
fn odors_are_deterministic_and_independent() {
    let p = params();
    assert_eq!(Odor::random(&p, 5, 1), Odor::random(&p, 5, 1));
    assert_ne!(Odor::random(&p, 5, 1), Odor::random(&p, 5, 2));
    assert_ne!(Odor::random(&p, 5, 1), Odor::random(&p, 6, 1));
    let a = OdorSets::random(&OdorSetParams::default().check().unwrap(), 3);
    let b = OdorSets::random(&OdorSetParams::default().check().unwrap(), 3);
    assert_eq!(a, b);
}

#[test]
fn learned_and_novel_sets_are_uncorrelated() {
    let sets = OdorSets::random(&OdorSetParams::default().check().unwrap(), 21);
    assert_eq!((sets.learned.len(), sets.novel.len()), (10, 10));
    let all: Vec<&Odor> = sets.learned.iter().chain(&sets.novel).collect();
    let mut worst: f64 = 0.0;
    for i in 0..all.len() {
        for j in i + 1..all.len() {
            let r = input_correlation(all[i], all[j]);
            worst = worst.max(r.abs());
        }
    }
    assert!(worst < 0.15, "largest |r| between set odors {worst}");
}

#[test]
fn shipped_file_ranges_restrict_the_mitral_cells() {
    let sets = OdorSets::random(&OdorSetParams::shipped_files().check().unwrap(), 4);
    let max_mc = |o: &Odor| {
        o.activated().iter().map(|c| c.mitral_cell).chain(o.inhibited().iter().map(|c| c.mitral_cell)).max().unwrap()
    };
    assert!(sets.learned.iter().all(|o| max_mc(o) < 1125));
    assert!(sets.novel.iter().all(|o| max_mc(o) < 750));
    assert!(sets.learned.iter().any(|o| max_mc(o) >= 750));
}

#[test]
fn morph_endpoints_are_the_pure_odors_and_correlation_falls_monotonically() {
    let p = params();
    for seed in 0..5 {
        let (a, b) = (Odor::random(&p, seed, 0), Odor::random(&p, seed, 1));
        let steps = morph(&a, &b, 11, 1, seed).unwrap();
        assert_eq!(steps.len(), 11);
        assert_eq!(steps[0], a);
        assert_eq!(steps[10], b);
        let to_a: Vec<f64> = steps.iter().map(|m| input_correlation(m, &a)).collect();
        let to_b: Vec<f64> = steps.iter().map(|m| input_correlation(m, &b)).collect();
        assert!(to_a.windows(2).all(|w| w[1] < w[0]), "seed {seed}: corr with a {to_a:?}");
        assert!(to_b.windows(2).all(|w| w[1] > w[0]), "seed {seed}: corr with b {to_b:?}");
        assert!((to_a[0] - 1.0).abs() < 1e-12 && to_a[10].abs() < 0.15);
        for (i, m) in steps.iter().enumerate() {
            assert!((135..=165).contains(&m.activated().len()), "step {i}: {} activated", m.activated().len());
            assert!((68..=82).contains(&m.inhibited().len()), "step {i}: {} inhibited", m.inhibited().len());
            // Fraction of a's activated cells kept.
            let a_cells: HashSet<u32> = a.activated().iter().map(|c| c.mitral_cell).collect();
            let kept = m.activated().iter().filter(|c| a_cells.contains(&c.mitral_cell)).count();
            assert!(kept >= (150 - 15 * i), "step {i}: kept {kept} of a's cells");
        }
    }
}

#[test]
fn mixture_keeps_fractions_from_the_latency_pool_and_jitters_rates() {
    let p = params();
    let (a, b) = (Odor::random(&p, 8, 0), Odor::random(&p, 8, 1));
    let mut rng = engram_core::rng::stream(1, 2, 3);
    let m = mixture(
        &[
            MixtureComponent { odor: &a, fraction: 0.6, pool_fraction: 0.8 },
            MixtureComponent { odor: &b, fraction: 0.4, pool_fraction: 0.7 },
        ],
        1,
        &mut rng,
    )
    .unwrap();
    assert_eq!(m.activated().len(), 90 + 60);
    assert_eq!(m.inhibited().len(), 45 + 30);
    // a's 90 kept cells lie within its 120 shortest-latency cells (ties at the cut included).
    let mut lat: Vec<f64> = a.activated().iter().map(|c| c.latency_ms).collect();
    lat.sort_by(f64::total_cmp);
    let cut = lat[119];
    let a_by_mc: std::collections::HashMap<u32, _> = a.activated().iter().map(|c| (c.mitral_cell, *c)).collect();
    let from_a: Vec<_> = m.activated().iter().filter(|c| a_by_mc.contains_key(&c.mitral_cell)).collect();
    assert!(from_a.len() >= 90);
    let mut jittered = 0;
    for c in &from_a {
        let pure = a_by_mc[&c.mitral_cell];
        if c.latency_ms == pure.latency_ms && c.tau_decay_ms == pure.tau_decay_ms {
            assert!((c.increment_hz - pure.increment_hz).abs() <= 1.0);
            jittered += usize::from(c.increment_hz != pure.increment_hz);
        }
    }
    assert!(jittered > 30, "rates should be jittered by ±1 Hz in about 2/3 of cells ({jittered})");
    assert!(from_a.iter().filter(|c| c.latency_ms <= cut).count() >= 90);
    // A single component: the pure odor, unjittered.
    let pure = mixture(&[MixtureComponent { odor: &a, fraction: 1.0, pool_fraction: 1.0 }], 1, &mut rng).unwrap();
    assert_eq!(pure, a);
}

#[test]
fn odor_params_errors_name_the_field() {
    let base = OdorParams::default();
    assert_eq!(field(OdorParams { n_mitral_cells: 0, ..base.clone() }), "n_mitral_cells");
    assert_eq!(field(OdorParams { n_activated: 1501, ..base.clone() }), "n_activated");
    assert_eq!(field(OdorParams { n_inhibited: 1400, ..base.clone() }), "n_inhibited");
    assert_eq!(field(OdorParams { baseline_rate_hz: -1.0, ..base.clone() }), "baseline_rate_hz");
    assert_eq!(field(OdorParams { latency_ms: [10, 5], ..base.clone() }), "latency_ms");
    assert_eq!(field(OdorParams { tau_decay_ms: vec![], ..base.clone() }), "tau_decay_ms");
    assert_eq!(field(OdorParams { tau_decay_ms: vec![1000.0, 0.0], ..base.clone() }), "tau_decay_ms[1]");
    assert_eq!(field(OdorParams { mitral_cell_range: Some([0, 2000]), ..base.clone() }), "mitral_cell_range");
    assert_eq!(field(OdorParams { mitral_cell_range: Some([0, 100]), ..base.clone() }), "n_activated");
    assert_eq!(field(OdorParams { mitral_cell_range: Some([0, 200]), ..base.clone() }), "n_inhibited");
    assert_eq!(
        field(OdorParams {
            convention: RateConvention::IncrementOnBaseline {
                activated_increment_hz: [32, 8],
                inhibited_decrement_hz: [2, 6]
            },
            ..base.clone()
        }),
        "convention.increment_on_baseline.activated_increment_hz"
    );
    assert_eq!(
        field(OdorParams {
            convention: RateConvention::IncrementOnBaseline {
                activated_increment_hz: [8, 32],
                inhibited_decrement_hz: [2, 7]
            },
            ..base.clone()
        }),
        "convention.increment_on_baseline.inhibited_decrement_hz"
    );
    assert_eq!(
        field(OdorParams {
            convention: RateConvention::RateReplacesBaseline { activated_rate_hz: [4, 32], inhibited_rate_hz: [0, 5] },
            ..base.clone()
        }),
        "convention.rate_replaces_baseline.activated_rate_hz"
    );
    assert_eq!(
        field(OdorSetParams { novel_mitral_cell_range: Some([0, 100]), ..Default::default() }),
        "odor.n_activated"
    );
    assert_eq!(
        field(OdorSetParams { learned_mitral_cell_range: Some([5, 5]), ..Default::default() }),
        "learned_mitral_cell_range"
    );
    assert_eq!(
        morph(&Odor::random(&params(), 1, 1), &Odor::random(&params(), 1, 2), 1, 0, 0).unwrap_err().field,
        "n_steps"
    );
    let mut rng = engram_core::rng::stream(0, 0, 0);
    let a = Odor::random(&params(), 1, 1);
    let err = mixture(&[MixtureComponent { odor: &a, fraction: 1.5, pool_fraction: 1.0 }], 0, &mut rng).unwrap_err();
    assert_eq!(err.field, "components[0].fraction");
}

#[test]
fn odor_params_round_trip_through_ron() {
    let p = OdorParams::paper_text();
    let text = to_ron_string(&p);
    assert!(text.contains("rate_replaces_baseline"), "{text}");
    let back: OdorParams = from_ron_str(&text, "<inline>").unwrap();
    assert_eq!(back, p);
    let partial: OdorParams = from_ron_str("(n_activated: 100)", "<inline>").unwrap();
    assert_eq!(partial, OdorParams { n_activated: 100, ..Default::default() });
    assert!(from_ron_str::<OdorParams>("(n_activated: 100, tau_ms: 3)", "<inline>").is_err());
    let sets: OdorSetParams = from_ron_str("(n_learned: 15, odor: (baseline_rate_hz: 5))", "<inline>").unwrap();
    assert_eq!((sets.n_learned, sets.odor.baseline_rate_hz), (15, 5.0));
}

#[test]
fn from_cells_rejects_duplicates_and_bad_values() {
    use engram_stimuli::odor::{ActivatedMc, InhibitedMc};
    let act = |mc| ActivatedMc { mitral_cell: mc, increment_hz: 10.0, latency_ms: 5.0, tau_decay_ms: 1000.0 };
    let inh = |mc, d| InhibitedMc { mitral_cell: mc, decrement_hz: d, latency_ms: 0.0 };
    assert!(Odor::from_cells(10, 6.0, vec![act(3), act(1)], vec![inh(2, 4.0)]).is_ok());
    let e = Odor::from_cells(10, 6.0, vec![act(3)], vec![inh(3, 4.0)]).unwrap_err();
    assert_eq!(e.field, "inhibited[0].mitral_cell");
    let e = Odor::from_cells(10, 6.0, vec![act(10)], vec![]).unwrap_err();
    assert_eq!(e.field, "activated[0].mitral_cell");
    let e = Odor::from_cells(10, 6.0, vec![], vec![inh(1, 7.0)]).unwrap_err();
    assert_eq!(e.field, "inhibited[0].decrement_hz");
    let o = Odor::from_cells(10, 6.0, vec![act(3), act(1)], vec![]).unwrap();
    assert_eq!(o.activated()[0].mitral_cell, 1, "cells are sorted by MC");
}
