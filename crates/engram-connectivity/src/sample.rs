//! Sampling kernels shared by the generators: sorted draws with or without replacement, and
//! geometric skipping for Bernoulli rows.

use engram_core::rng::RngStream;
use rand::Rng;

/// Draw `k` indices from `0..m`, optionally never `excluded`, and leave them sorted in `out`
/// (cleared first). With `with_replacement` the same index may appear several times;
/// without, `k` must be at most the number of allowed indices.
///
/// Without replacement: for `4k < m`, draw `k`, sort, drop repeats and draw the missing ones
/// again until `k` distinct remain (the result is uniform over `k`-subsets by symmetry); for
/// denser draws, a partial Fisher–Yates shuffle of `0..m` in `scratch`.
pub(crate) fn draw_sorted(
    rng: &mut RngStream,
    m: u32,
    k: u32,
    excluded: Option<u32>,
    with_replacement: bool,
    scratch: &mut Vec<u32>,
    out: &mut Vec<u32>,
) {
    out.clear();
    // Draw from 0..m_eff and map v >= excluded to v + 1: order-preserving, skips `excluded`.
    let m_eff = if excluded.is_some_and(|x| x < m) { m - 1 } else { m };
    let map = |v: u32| match excluded {
        Some(x) if v >= x => v + 1,
        _ => v,
    };
    if k == 0 || m_eff == 0 {
        return;
    }
    if with_replacement {
        out.extend((0..k).map(|_| map(rng.gen_range(0..m_eff))));
        out.sort_unstable();
        return;
    }
    debug_assert!(k <= m_eff, "cannot draw {k} distinct of {m_eff}");
    if (k as u64) * 4 < m_eff as u64 {
        out.extend((0..k).map(|_| rng.gen_range(0..m_eff)));
        out.sort_unstable();
        out.dedup();
        while out.len() < k as usize {
            let missing = k as usize - out.len();
            out.extend((0..missing).map(|_| rng.gen_range(0..m_eff)));
            out.sort_unstable();
            out.dedup();
        }
        if excluded.is_some() {
            out.iter_mut().for_each(|v| *v = map(*v));
        }
    } else {
        scratch.clear();
        scratch.extend(0..m_eff);
        for i in 0..k {
            let j = rng.gen_range(i..m_eff);
            scratch.swap(i as usize, j as usize);
        }
        out.extend(scratch[..k as usize].iter().map(|&v| map(v)));
        out.sort_unstable();
    }
}

/// Push, in increasing order, each index of `0..m` (never `excluded`) independently with
/// probability `p`, using geometric skipping: the gap to the next connection is drawn as
/// `floor(ln U / ln(1 − p))`, so the cost is one draw per connection, not one per pair.
pub(crate) fn bernoulli_sorted(rng: &mut RngStream, m: u32, p: f64, excluded: Option<u32>, out: &mut Vec<u32>) {
    let m_eff = u64::from(if excluded.is_some_and(|x| x < m) { m - 1 } else { m });
    let map = |v: u64| match excluded {
        Some(x) if v >= x as u64 => v as u32 + 1,
        _ => v as u32,
    };
    if p <= 0.0 || m_eff == 0 {
        return;
    }
    if p >= 1.0 {
        out.extend((0..m_eff).map(map));
        return;
    }
    let inv_log_q = 1.0 / (-p).ln_1p();
    let mut next: u64 = 0;
    loop {
        let u: f64 = rng.r#gen();
        // 1 − u is in (0, 1], so the log is finite and ≤ 0; the float-to-int cast saturates.
        let gap = ((-u).ln_1p() * inv_log_q) as u64;
        next = next.saturating_add(gap);
        if next >= m_eff {
            break;
        }
        out.push(map(next));
        next += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use engram_core::rng::stream;

    #[test]
    fn draws_without_replacement_are_distinct_sorted_and_skip_the_excluded_index() {
        let mut rng = stream(1, 2, 3);
        let (mut scratch, mut out) = (Vec::new(), Vec::new());
        for &(m, k) in &[(10u32, 9u32), (1000, 20), (50, 30), (7, 0)] {
            draw_sorted(&mut rng, m, k, Some(3), false, &mut scratch, &mut out);
            assert_eq!(out.len(), k as usize);
            assert!(out.windows(2).all(|w| w[0] < w[1]));
            assert!(out.iter().all(|&v| v < m && v != 3));
        }
    }

    #[test]
    fn geometric_skipping_hits_the_expected_count() {
        let mut rng = stream(1, 2, 3);
        let mut out = Vec::new();
        for _ in 0..100 {
            bernoulli_sorted(&mut rng, 10_000, 0.1, Some(0), &mut out);
        }
        // 100 rows × 9 999 candidates × 0.1, SD ≈ 95
        let n = out.len() as f64;
        assert!((n - 99_990.0).abs() < 5.0 * 95.0, "{n}");
        assert!(!out.contains(&0));
    }
}
