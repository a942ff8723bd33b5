//! Odor subspace: Tables 3 and 4 at the pixels, corners, counts, trajectories, schedule, and the
//! correlated subspace of Fig. 6.

use std::collections::HashSet;

use engram_core::prelude::*;
use engram_stimuli::odor::{Odor, OdorParams, cells_kept, input_correlation};
use engram_stimuli::odor_space::{
    CONCENTRATION_TOP_LEFT_PERCENT, Corner, GRID_SIDE, OdorSubspace, SubspaceTimingParams, concentration_percent,
    concentrations_percent, latency_pool_percent, trajectories,
};

fn params() -> Checked<OdorParams> {
    OdorParams::default().check().unwrap()
}

fn mcs(cells: impl Iterator<Item = u32>) -> HashSet<u32> {
    cells.collect()
}

/// The `pool`% shortest-latency activated MCs of `o` (all cells tied at the cut included).
fn latency_pool(o: &Odor, pool_percent: u8) -> HashSet<u32> {
    let n = cells_kept(pool_percent as f64 / 100.0, o.activated().len());
    if n == 0 {
        return HashSet::new();
    }
    let mut lat: Vec<f64> = o.activated().iter().map(|c| c.latency_ms).collect();
    lat.sort_by(f64::total_cmp);
    let cut = lat[n - 1];
    mcs(o.activated().iter().filter(|c| c.latency_ms <= cut).map(|c| c.mitral_cell))
}

#[test]
fn tables_are_mirrored_to_the_four_corners() {
    assert_eq!(CONCENTRATION_TOP_LEFT_PERCENT[0], [100, 90, 80, 70, 60, 50, 40, 30, 20, 10, 0]);
    for corner in Corner::ALL {
        let (r, c) = corner.pixel();
        assert_eq!(concentrations_percent(r, c)[corner.index()], 100);
        assert_eq!(concentrations_percent(r, c).iter().map(|&x| x as u32).sum::<u32>(), 100);
    }
    assert_eq!(concentrations_percent(5, 5), [25; 4]);
    assert_eq!(concentration_percent(Corner::TopRight, 1, 9), 90);
    assert_eq!(concentration_percent(Corner::BottomLeft, 8, 0), 80);
    assert_eq!(concentration_percent(Corner::BottomRight, 7, 9), 70); // Table 3 at (3, 1)
    assert_eq!(latency_pool_percent(Corner::TopLeft, 2, 3), 60); // the "60 70" as printed
    assert_eq!(latency_pool_percent(Corner::BottomRight, 8, 7), 60);
    for row in 0..GRID_SIDE {
        for col in 0..GRID_SIDE {
            let sum: u32 = concentrations_percent(row, col).iter().map(|&x| x as u32).sum();
            assert!((100..=110).contains(&sum), "({row}, {col}): {sum}%");
            for c in Corner::ALL {
                // The eligible pool (Table 4) is never smaller than the cells kept (Table 3).
                assert!(concentration_percent(c, row, col) <= latency_pool_percent(c, row, col));
            }
        }
    }
}

/// Check every pixel of trajectory `t`: Table 3 reproduced, latency pools respected, counts ±10%.
fn check_pixels(space: &OdorSubspace, trajectory: usize) {
    let corners = space.corners();
    let act_sets: Vec<HashSet<u32>> =
        corners.iter().map(|o| mcs(o.activated().iter().map(|c| c.mitral_cell))).collect();
    let inh_sets: Vec<HashSet<u32>> =
        corners.iter().map(|o| mcs(o.inhibited().iter().map(|c| c.mitral_cell))).collect();
    for row in 0..GRID_SIDE {
        for col in 0..GRID_SIDE {
            let m = space.mixture(row, col, trajectory);
            let (n_act, n_inh) = (m.activated().len(), m.inhibited().len());
            assert!((135..=165).contains(&n_act), "({row}, {col}): {n_act} activated");
            assert!((68..=82).contains(&n_inh), "({row}, {col}): {n_inh} inhibited");
            let act = mcs(m.activated().iter().map(|c| c.mitral_cell));
            let inh = mcs(m.inhibited().iter().map(|c| c.mitral_cell));
            assert!(act.is_disjoint(&inh));
            for c in Corner::ALL {
                let k = c.index();
                let f = concentration_percent(c, row, col);
                let target = cells_kept(f as f64 / 100.0, 150);
                // Cells of the mixture that belong to this pure odor: at least the target, and
                // more only through MCs shared with another corner.
                let shared: usize = act_sets[k]
                    .iter()
                    .filter(|mc| (0..4).any(|j| j != k && (act_sets[j].contains(mc) || inh_sets[j].contains(mc))))
                    .count();
                let of_c = act.intersection(&act_sets[k]).count();
                assert!(
                    of_c >= target && of_c <= target + shared,
                    "({row}, {col}) {c:?}: {of_c} of its cells, Table 3 says {f}% = {target}"
                );
                let pool = latency_pool(&corners[k], latency_pool_percent(c, row, col));
                assert!(act.intersection(&pool).count() >= target, "({row}, {col}) {c:?}: kept cells outside the pool");
                let inh_target = cells_kept(f as f64 / 100.0, 75);
                assert!(inh.intersection(&inh_sets[k]).count() >= inh_target, "({row}, {col}) {c:?} inhibited");
            }
        }
    }
}

#[test]
fn uncorrelated_subspace_reproduces_table_3_at_every_pixel() {
    let space = OdorSubspace::random(&params(), 31);
    let c = space.corners();
    for i in 0..4 {
        for j in i + 1..4 {
            let r = input_correlation(&c[i], &c[j]);
            assert!(r.abs() < 0.15, "pure odors {i}, {j}: r = {r}");
        }
    }
    for t in [0, 5] {
        check_pixels(&space, t);
    }
    for t in 0..8 {
        for corner in Corner::ALL {
            let (r, col) = corner.pixel();
            assert_eq!(&space.mixture(r, col, t), space.corner(corner), "corner {corner:?}, trajectory {t}");
        }
    }
    // Independent draws per trajectory, deterministic per (seed, trajectory, pixel).
    assert_ne!(space.mixture(4, 6, 0), space.mixture(4, 6, 1));
    assert_eq!(space.mixture(4, 6, 2), OdorSubspace::random(&params(), 31).mixture(4, 6, 2));
    // Input correlation to the top-left odor falls along the top edge (the Fig. 3A morph).
    let r: Vec<f64> = (0..GRID_SIDE).map(|col| input_correlation(&space.mixture(0, col, 0), &c[0])).collect();
    assert!(r.windows(2).all(|w| w[1] < w[0]), "{r:?}");
}

#[test]
fn correlated_subspace_has_the_fig6_correlations() {
    let mut adjacent = Vec::new();
    for seed in 0..5 {
        let space = OdorSubspace::correlated(&params(), 0.5, seed).unwrap();
        let c = space.corners();
        let act = |k: usize| mcs(c[k].activated().iter().map(|x| x.mitral_cell));
        let inh = |k: usize| mcs(c[k].inhibited().iter().map(|x| x.mitral_cell));
        for (i, j, adj) in [(0, 1, true), (0, 2, true), (1, 3, true), (2, 3, true), (0, 3, false), (1, 2, false)] {
            let r = input_correlation(&c[i], &c[j]);
            let shared_act = act(i).intersection(&act(j)).count();
            let shared_inh = inh(i).intersection(&inh(j)).count();
            if adj {
                assert_eq!(shared_act, 75, "adjacent corners share half their activated MCs");
                assert!((37..=38).contains(&shared_inh), "{shared_inh}");
                assert!((0.27..=0.44).contains(&r), "seed {seed}: adjacent {i}-{j} r = {r}");
                adjacent.push(r);
            } else {
                assert_eq!(shared_act + shared_inh, 0);
                assert!(r.abs() < 0.15, "seed {seed}: diagonal {i}-{j} r = {r}");
            }
            assert!(act(i).is_disjoint(&inh(j)));
        }
        for k in 0..4 {
            assert_eq!((c[k].activated().len(), c[k].inhibited().len()), (150, 75));
            for tau in [1000.0, 2000.0, 4000.0] {
                assert_eq!(c[k].activated().iter().filter(|x| x.tau_decay_ms == tau).count(), 50);
            }
        }
        if seed == 0 {
            check_pixels(&space, 0);
        }
    }
    let mean = adjacent.iter().sum::<f64>() / adjacent.len() as f64;
    println!("correlated subspace, adjacent-pair input correlations: mean {mean:.3}, all {adjacent:.3?}");
    assert_eq!(
        OdorSubspace::correlated(&params(), 0.6, 0).unwrap_err().field,
        "shared_fraction",
        "more than half cannot be shared with both neighbours"
    );
}

#[test]
fn trajectories_visit_every_pixel_once_along_neighbours() {
    let ts = trajectories();
    assert_eq!(ts.len(), 8);
    let starts: Vec<(usize, usize)> = ts.iter().map(|t| t[0]).collect();
    assert_eq!(starts, [(0, 0), (0, 10), (10, 0), (10, 10), (0, 0), (0, 10), (10, 0), (10, 10)]);
    for (k, t) in ts.iter().enumerate() {
        assert_eq!(t.len(), 121);
        assert_eq!(t.iter().collect::<HashSet<_>>().len(), 121, "trajectory {k} repeats a pixel");
        for w in t.windows(2) {
            let d = w[0].0.abs_diff(w[1].0) + w[0].1.abs_diff(w[1].1);
            assert_eq!(d, 1, "trajectory {k}: jump {:?} -> {:?}", w[0], w[1]);
        }
        // Time (s, at 1 s per pixel) between the two learned odors (top corners).
        let pos = |p: (usize, usize)| t.iter().position(|&q| q == p).unwrap() as i64;
        let gap = (pos((0, 0)) - pos((0, 10))).abs();
        assert_eq!(gap, if k < 4 { 10 } else { 110 }, "trajectory {k}");
    }
}

#[test]
fn presentation_schedule_lasts_984_s() {
    let space = OdorSubspace::random(&params(), 2);
    let clock = Clock::new(0.1).unwrap();
    let (schedule, list) =
        space.presentation_schedule(&SubspaceTimingParams::default().check().unwrap(), clock).unwrap();
    assert_eq!(list.len(), 968);
    assert_eq!(schedule.odors().len(), 968);
    assert_eq!(schedule.duration_steps(), 9_840_000);
    assert_eq!(list[0].onset_ms, 2000.0);
    assert_eq!(list[121].onset_ms, 2000.0 + 121_000.0 + 2000.0);
    for (p, (odor, onset, offset)) in list.iter().zip(schedule.presentation_steps()) {
        assert_eq!(offset - onset, 10_000);
        assert_eq!(onset, (p.onset_ms * 10.0).round() as u64);
        assert_eq!(p.concentration_percent, concentrations_percent(p.row, p.col));
        assert_eq!(schedule.odors()[odor], space.mixture(p.row, p.col, p.trajectory));
    }
    let field = |t: SubspaceTimingParams| t.check().unwrap_err().field;
    assert_eq!(field(SubspaceTimingParams { pixel_ms: 0.0, ..Default::default() }), "pixel_ms");
    assert_eq!(
        field(SubspaceTimingParams { baseline_before_trajectory_ms: -2.0, ..Default::default() }),
        "baseline_before_trajectory_ms"
    );
}
