//! Degree-conserving assembly rewiring (Meissner-Bernard et al. 2025,
//! docs/models/dp.md#assemblies): raise the connection probability *within* assemblies by moving
//! inputs of each postsynaptic member from non-members to members, so that every in-degree stays
//! exactly what it was.
//!
//! See [`rewire_within`] for the procedure, the definition of the factor (α, β, γ) and an example.

use std::ops::Range;

use crate::across::Exchange;
use crate::assembly::{Assembly, AssemblySet, partial_shuffle, skip_partial_shuffle};
use crate::edit::RowEditor;
use crate::pattern::Connectivity;
use engram_core::collective::{AllGather, OneRank};
use engram_core::error::{EngramError, ParamError};
use engram_core::rng::{RngStream, stream};
use serde::{Deserialize, Serialize};

/// Chunk ids of the random streams rewiring draws from: assembly pair `g` uses
/// `stream(seed, stream_id, REWIRE_CHUNK_BASE + g)`. Disjoint from the generators' chunks,
/// [`crate::ASSEMBLY_CHUNK_BASE`], [`crate::DELAY_CHUNK_BASE`] and [`crate::BALANCE_CHUNK`].
pub const REWIRE_CHUNK_BASE: u64 = 1 << 62;

/// How many inputs from its assembly each postsynaptic member should end up with.
///
/// In RON: `Factor(5.0)` or `Count(25)`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub enum WithinTarget {
    /// Raise the within-assembly connection probability by this factor (α, β or γ; at least
    /// 1): the target of pair `g` is the count whose predicted mean within-assembly input
    /// after rewiring is closest to `factor · b_g`, with `b_g` the mean number of
    /// within-assembly inputs (counting multiplicity) of its postsynaptic members before
    /// rewiring. See the docs of [`rewire_within`] for the definition.
    Factor(f64),
    /// Every postsynaptic member with fewer than this many distinct presynaptic members as
    /// inputs gets the missing number of inputs, drawn from all presynaptic members (an input
    /// that exists already becomes a multiple connection), so each ends with at least this
    /// many inputs from its group counting multiplicity (the reference code's `pE`, `pI`,
    /// `pEI`).
    Count(u32),
}

/// What a rewiring did.
#[derive(Clone, Debug, PartialEq)]
pub struct RewireReport {
    /// Per assembly pair: the mean number of within-assembly inputs of a postsynaptic member
    /// (counting multiplicity) before rewiring ([`mean_within_inputs`]).
    pub baseline_within_inputs: Vec<f64>,
    /// Per assembly pair: the target number of distinct presynaptic members per postsynaptic
    /// member.
    pub target_counts: Vec<u32>,
    /// Connection units moved from non-members to members (each is one deletion and one
    /// addition onto the same postsynaptic neuron).
    pub moved: u64,
    /// Postsynaptic members (counted once per assembly) that were below their target.
    pub posts_rewired: usize,
    /// Units that could not be moved because a postsynaptic member ran out of non-member
    /// inputs to delete or of members it may still connect to (0 in the Dp setting).
    pub shortfall: u64,
}

/// Rewire `connectivity` so that, for every `g`, the presynaptic members of `groups_pre[g]`
/// connect more densely onto the postsynaptic members of `groups_post[g]`, keeping every
/// in-degree exactly.
///
/// # The procedure (as in the reference code `introduce_assemblies.m`)
///
/// For assembly pair `g` (presynaptic members `P_g`, postsynaptic members `Q_g`) with target
/// `k_g`, for each postsynaptic member `j ∈ Q_g` in increasing index order:
///
/// 1. `c` = number of distinct members of `P_g` connected to `j` (a multiplicity-2 input counts
///    once, as `find(w > 0)` does in the code). If `c >= k_g`, `j` is left alone.
/// 2. Otherwise `k_g − c` members of `P_g` are drawn uniformly **without replacement** and each
///    `i → j` gains one unit of multiplicity. With multapses allowed (the reference code), the
///    draw is over all of `P_g`, so an existing connection becomes multiplicity 2 (counting
///    `2·w`); with multapses not allowed, only over members not yet connected to `j`. The
///    pair `j → j` is never drawn when autapses are not allowed (the reference allows them).
/// 3. The same number of input units from non-members of `P_g` is deleted: drawn uniformly
///    from the inputs of multiplicity exactly 1 (the code's `w == 1`), and only if there are
///    too few of those, from the units of multiplicity > 1 (the code would stop with an error).
///    If non-member inputs or eligible members run out, fewer units are moved and the
///    difference is reported as `shortfall`.
///
/// Assemblies are processed in order (later ones see the edits of earlier ones, as in the
/// code). Hence **every in-degree (counting multiplicity) and the total number of connections
/// are conserved exactly**; out-degrees are *not* (members gain outputs onto their own
/// assembly and non-members lose outputs), also as in the paper.
///
/// # The factor (α for E→E, β for I→E, γ for E→I)
///
/// The paper defines the factor against the random network: the within-assembly connection
/// probability rises by α, from a baseline of 0.05 × 100 = 5 inputs to 25, so α = 25/5 = 5
/// (docs/models/dp.md#assemblies), and the code measures it as
/// `alpha = mean over assemblies of mean(sum(w_ee(Ee,Ee))) / mean(sum(WE_rand(Ee,Ee)))`, i.e.
///
/// > factor = (mean number of inputs, counting multiplicity, that a postsynaptic member
/// > receives from the presynaptic members of its assembly after rewiring) / (the same number
/// > in the pattern before rewiring), averaged over assemblies.
///
/// That is [`within_assembly_factor`]. [`WithinTarget::Factor`] aims at it: with `b_g` =
/// [`mean_within_inputs`] of pair `g` in the pattern before any rewiring, the target `k_g` is
/// the whole number for which the mean within-assembly input after the procedure above,
/// predicted exactly from the pattern before rewiring (post `j` gains
/// `min(max(0, k − c_j), capacity_j)` units), is closest to `factor · b_g`. For a large
/// factor this is `≈ round(factor · b_g)` (Dp E→E: `b_g ≈ 0.05 · 100 = 5`, α = 5 gives
/// `k_g ≈ 25`, the code's `pE`); for a factor near 1 it is smaller, because posts already
/// above `k_g` keep their inputs (factor 1 gives `k_g = 0`: no change). Using the measured
/// `b_g` rather than `p · |P_g|` matters for E→I, where the I members were selected for their input
/// from the E assembly (baseline ≈ 8.6 instead of 4, docs/models/dp.md#variants). The achieved
/// factor differs from the request only by the integer step of `k_g` and by the interaction of
/// overlapping assemblies (a later assembly's deletions can remove inputs an earlier one added).
/// [`WithinTarget::Count`] gives the code's fixed targets directly (`pE = 25`, `pI = 25` (Tuned I) or `5` (Tuned E+I), `pEI = 25`).
///
/// The ratio of within- to outside-assembly connection probability in one pattern is a
/// different number (after rewiring ≈ 0.25 / 0.045 ≈ 5.5 for α = 5 in Dp E→E, because the
/// outside probability drops); it is available as [`within_outside_ratio`].
///
/// # Example
///
/// ```
/// use engram_connectivity::{
///     AssemblySet, ConnectSpec, Constraints, Rule, WithinTarget, rewire_within, within_assembly_factor,
/// };
/// // E→E: 1000 neurons, 100 inputs each; edits may create multiplicity 2, as in the Dp code.
/// let before = ConnectSpec::new(Rule::FixedInDegree { k: 100 })
///     .connect_recurrent(1000, 1, 1)
///     .unwrap()
///     .with_constraints(Constraints { allow_autapses: true, allow_multapses: true });
/// let e = AssemblySet::random(1000, 5, 100, 1, 2).unwrap();
/// let mut after = before.clone();
/// let report = rewire_within(&mut after, &e, &e, WithinTarget::Factor(5.0), 1, 3).unwrap();
/// assert_eq!(after.in_degrees(), before.in_degrees());
/// assert_eq!(after.n_connections(), before.n_connections());
/// let alpha = within_assembly_factor(&before, &after, &e, &e).unwrap();
/// assert!((alpha - 5.0).abs() < 0.5, "{alpha} {report:?}");
/// ```
///
/// # Use
///
/// Use the E assemblies as both groups for E→E (α), I assemblies → E assemblies for I→E (β),
/// E assemblies → I assemblies for E→I (γ). Respects [`Connectivity::constraints`]: no
/// `i → i` if autapses are not allowed, and no multiplicity above 1 created if multapses are
/// not allowed (the Dp reference needs `allow_multapses: true`: "a doubly-made connection
/// counts 2·w"). Pair `g` draws from `stream(seed, stream_id, REWIRE_CHUNK_BASE + g)`; the
/// work is sequential, so the result does not depend on the thread count.
///
/// Errors: `groups_pre` not over `n_pre` neurons (field `groups_pre`), `groups_post` not
/// over `n_post` neurons or not as many assemblies as `groups_pre` (field `groups_post`),
/// a factor below 1 or not finite (field `target`).
pub fn rewire_within(
    connectivity: &mut Connectivity,
    groups_pre: &AssemblySet,
    groups_post: &AssemblySet,
    target: WithinTarget,
    seed: u64,
    stream_id: u64,
) -> Result<RewireReport, ParamError> {
    check_groups(connectivity, groups_pre, groups_post)?;
    let (pre, post, own) = (groups_pre.assemblies(), groups_post.assemblies(), 0..connectivity.n_post());
    on_one_rank(rewire_pairs(connectivity, own, (pre, post, 0), target, (seed, stream_id), &mut OneRank))
}

/// [`rewire_within`] on one of several ranks that hold the pattern split by columns: `part`
/// holds the entries onto this rank's postsynaptic neurons `own` (ranges that tile the
/// columns in rank order, as [`ConnectSpec::connect_onto_across`](crate::ConnectSpec::connect_onto_across)
/// leaves them), and every rank calls this at the same point with the same groups, target,
/// seed and stream. Each rank ends with exactly the whole rewired pattern's entries onto
/// `own`, and every rank gets the whole [`RewireReport`]; no rank holds another's columns.
///
/// Rewiring a postsynaptic member changes only its own column, so its owner rewires it; the
/// others need only how many random numbers it draws, which follows from four counts (its
/// distinct presynaptic members and the lengths of the three lists it draws from). Per
/// assembly pair, the ranks gather the baseline sums (and for a [`WithinTarget::Factor`] three
/// words per postsynaptic member, for the target) before any edit, then four words per
/// postsynaptic member, and all walk the members in order with the pair's stream.
///
/// ```
/// use engram_connectivity::{AssemblySet, ConnectSpec, Constraints, Rule, WithinTarget, rewire_within, rewire_within_across};
/// use engram_core::collective::OneRank;
/// let multapses = Constraints { allow_autapses: true, allow_multapses: true };
/// let before = ConnectSpec::new(Rule::FixedInDegree { k: 50 }).connect_recurrent(500, 1, 1).unwrap()
///     .with_constraints(multapses);
/// let e = AssemblySet::random(500, 3, 60, 1, 2).unwrap();
/// let (mut whole, mut part) = (before.clone(), before);
/// let report = rewire_within(&mut whole, &e, &e, WithinTarget::Factor(4.0), 1, 3).unwrap();
/// // one rank owning every column: the same pattern and report
/// let across = rewire_within_across(&mut part, 0..500, &e, &e, WithinTarget::Factor(4.0), 1, 3, &mut OneRank).unwrap();
/// assert_eq!((part, across), (whole, report));
/// ```
///
/// Errors: as [`rewire_within`], `own` outside `0..n_post` or not tiling it with the other
/// ranks' in rank order, an entry of `part` outside `own` (on every rank), and a failed
/// collective.
#[allow(clippy::too_many_arguments)]
pub fn rewire_within_across(
    part: &mut Connectivity,
    own: Range<usize>,
    groups_pre: &AssemblySet,
    groups_post: &AssemblySet,
    target: WithinTarget,
    seed: u64,
    stream_id: u64,
    ranks: &mut dyn AllGather,
) -> Result<RewireReport, EngramError> {
    // the same groups and target on every rank: a mistake fails on every rank alike
    check_groups(part, groups_pre, groups_post)?;
    let (pre, post) = (groups_pre.assemblies(), groups_post.assemblies());
    rewire_pairs(part, own, (pre, post, 0), target, (seed, stream_id), ranks)
}

/// The whole pattern, held by one rank: a collective cannot fail, so every error is a
/// parameter's.
fn on_one_rank<T>(result: Result<T, EngramError>) -> Result<T, ParamError> {
    result.map_err(|e| match e {
        EngramError::Param(e) => e,
        other => unreachable!("a pattern held whole by one rank failed a collective: {other}"),
    })
}

/// Rewire the assembly pairs `pre[g]` → `post[g]` of `part` (this rank's columns `own`), in
/// order, pair `g` drawing from `stream(seed, stream_id, REWIRE_CHUNK_BASE + first + g)`:
/// the procedure of [`rewire_within`], each rank rewiring its own postsynaptic members and
/// drawing, for the other ranks' members, what they draw (see [`rewire_within_across`]).
fn rewire_pairs(
    part: &mut Connectivity,
    own: Range<usize>,
    (pre, post, first): (&[Assembly], &[Assembly], u64),
    target: WithinTarget,
    (seed, stream_id): (u64, u64),
    ranks: &mut dyn AllGather,
) -> Result<RewireReport, EngramError> {
    check_target(target)?;
    let (mut exchange, _) = Exchange::join(ranks, part, &own)?;
    let own = own.start as u32..own.end as u32;
    let owned = |q| owned_members(q, &own);
    let mut rewirer = Rewirer::new(part, post.iter().map(owned));
    let mut report = RewireReport {
        baseline_within_inputs: Vec::with_capacity(post.len()),
        target_counts: Vec::with_capacity(post.len()),
        moved: 0,
        posts_rewired: 0,
        shortfall: 0,
    };
    // before any edit, every pair's baseline and target from the ranks' parts
    for (p, q) in pre.iter().zip(post) {
        let total = within_inputs_total(part, p, q);
        let mut send = vec![total as u32, (total >> 32) as u32];
        if let WithinTarget::Factor(_) = target {
            send.extend(
                rewirer.post_stats(p.members(), owned(q)).iter().flat_map(|&(w, c, cap)| [w, c, cap].map(|x| x as u32)),
            );
        }
        let (words, counts) = exchange.gather_parts(&send)?;
        let (mut total, mut stats, mut at) = (0u64, Vec::with_capacity(q.len()), 0);
        for &count in counts {
            let rank_part = &words[at..at + count];
            at += count;
            total += u64::from(rank_part[0]) | u64::from(rank_part[1]) << 32;
            stats.extend(rank_part[2..].chunks_exact(3).map(|s| (s[0] as usize, s[1] as usize, s[2] as usize)));
        }
        let baseline = if q.is_empty() { 0.0 } else { total as f64 / q.len() as f64 };
        report.baseline_within_inputs.push(baseline);
        report.target_counts.push(match target {
            WithinTarget::Factor(f) => calibrated(&stats, f * baseline),
            WithinTarget::Count(k) => k,
        });
    }
    let mut lists = Lists::default();
    for (g, (p, q)) in pre.iter().zip(post).enumerate() {
        let k = report.target_counts[g];
        rewirer.mark(p.members(), true);
        let send: Vec<u32> =
            owned(q).iter().flat_map(|&j| rewirer.fill(p.members(), j, k, &mut lists).words()).collect();
        rewirer.mark(p.members(), false);
        let draws = exchange.gather_parts(&send)?.0;
        if draws.len() != 4 * q.len() {
            return Err(EngramError::Other(format!(
                "rewiring across ranks: gathered {} words for the {} members of assembly {g}",
                draws.len(),
                q.len()
            )));
        }
        let mut rng = stream(seed, stream_id, REWIRE_CHUNK_BASE + first + g as u64);
        rewirer.rewire_group(p.members(), q.members(), &own, k, draws, &mut rng, &mut report);
    }
    if report.moved > 0 {
        part.matrix = rewirer.editor.finish();
    }
    Ok(report)
}

/// Rewire one assembly pair (`pre` members onto `post` members) towards `target_count`
/// distinct presynaptic members per postsynaptic member, drawing from
/// `stream(seed, stream_id, REWIRE_CHUNK_BASE + group_index)`. [`rewire_within`] is this
/// for `g = 0, 1, ...` with `group_index = g` (and the targets resolved beforehand).
///
/// For procedures that interleave selection and rewiring, as the reference code does for the
/// Tuned E+I networks (I assembly `k` is selected on the E→I matrix after the E→I rewiring of
/// assemblies `0..k`):
///
/// ```
/// use engram_connectivity::*;
/// let multapses = Constraints { allow_autapses: true, allow_multapses: true };
/// let spec = ConnectSpec::new(Rule::FixedInDegree { k: 40 });
/// let mut e_to_i = spec.connect(1000, 250, 1, 1).unwrap().with_constraints(multapses);
/// let mut i_to_e = ConnectSpec::new(Rule::FixedInDegree { k: 12 }).connect(250, 1000, 1, 2).unwrap()
///     .with_constraints(multapses);
/// let e = AssemblySet::random(1000, 4, 50, 1, 3).unwrap();
/// let mut i = AssemblySet::new(250, Vec::new()).unwrap();
/// for (k, e_k) in e.iter().enumerate() {
///     let i_k = Assembly::from_input(&e_to_i, e_k.members(), 10, TopSelection::Strict, 1, 4, k as u64).unwrap();
///     rewire_assembly(&mut i_to_e, &i_k, e_k, 5, 1, 5, k as u64).unwrap();   // pI = 5
///     rewire_assembly(&mut e_to_i, e_k, &i_k, 25, 1, 6, k as u64).unwrap(); // pEI = 25
///     i.push(i_k).unwrap();
/// }
/// assert_eq!(e_to_i.in_degrees(), vec![40; 250]);
/// assert_eq!(i_to_e.in_degrees(), vec![12; 1000]);
/// ```
///
/// Errors: a member of `pre` `>= n_pre` (field `pre`) or of `post` `>= n_post` (field `post`).
pub fn rewire_assembly(
    connectivity: &mut Connectivity,
    pre: &Assembly,
    post: &Assembly,
    target_count: u32,
    seed: u64,
    stream_id: u64,
    group_index: u64,
) -> Result<RewireReport, ParamError> {
    check_members("pre", pre, connectivity.n_pre())?;
    check_members("post", post, connectivity.n_post())?;
    let (pairs, own) = ((std::slice::from_ref(pre), std::slice::from_ref(post), group_index), 0..connectivity.n_post());
    let target = WithinTarget::Count(target_count);
    on_one_rank(rewire_pairs(connectivity, own, pairs, target, (seed, stream_id), &mut OneRank))
}

/// The mean, over the postsynaptic members of `post`, of the number of inputs (counting
/// multiplicity) each receives from the presynaptic members of `pre`; 0 for an empty `post`.
/// (The code's `mean(sum(w(Ee, Ee)))`.)
///
/// # Panics
/// If a member is out of range of `connectivity`.
pub fn mean_within_inputs(connectivity: &Connectivity, pre: &Assembly, post: &Assembly) -> f64 {
    if post.is_empty() {
        return 0.0;
    }
    within_inputs_total(connectivity, pre, post) as f64 / post.len() as f64
}

/// The number of inputs (counting multiplicity) the postsynaptic members of `post` receive
/// from the presynaptic members of `pre`, all together.
fn within_inputs_total(connectivity: &Connectivity, pre: &Assembly, post: &Assembly) -> u64 {
    let mut is_post = vec![false; connectivity.n_post()];
    for &j in post.members() {
        is_post[j as usize] = true;
    }
    pre.members()
        .iter()
        .map(|&i| {
            let (posts, mults) = connectivity.row(i as usize);
            posts.iter().zip(mults).filter(|&(&j, _)| is_post[j as usize]).map(|(_, &m)| m as u64).sum::<u64>()
        })
        .sum()
}

/// The achieved factor (α, β or γ) in the paper's definition: the mean over assembly pairs of
/// `mean_within_inputs(after) / mean_within_inputs(before)` (pairs with no within-assembly
/// input before are skipped; `NaN` if all are). This is how the reference code computes the
/// `alpha`, `beta` and `gamma` it stores (docs/models/dp.md#assemblies).
///
/// Errors: as [`rewire_within`] (for the shape of `after`), or `before` and `after` of
/// different shapes (field `before`).
pub fn within_assembly_factor(
    before: &Connectivity,
    after: &Connectivity,
    groups_pre: &AssemblySet,
    groups_post: &AssemblySet,
) -> Result<f64, ParamError> {
    check_groups(after, groups_pre, groups_post)?;
    if (before.n_pre(), before.n_post()) != (after.n_pre(), after.n_post()) {
        return Err(ParamError::new(
            "before",
            format!("{} x {}", before.n_pre(), before.n_post()),
            format!("the shape of `after`, {} x {}", after.n_pre(), after.n_post()),
        ));
    }
    let ratios: Vec<f64> = groups_pre
        .iter()
        .zip(groups_post)
        .filter_map(|(p, q)| {
            let b = mean_within_inputs(before, p, q);
            (b > 0.0).then(|| mean_within_inputs(after, p, q) / b)
        })
        .collect();
    Ok(ratios.iter().sum::<f64>() / ratios.len() as f64)
}

/// Ratio of the within-assembly to the outside-assembly connection probability in one
/// pattern, pooled over assembly pairs:
/// `p_in = Σ_g Σ_{j ∈ Q_g} (inputs of j from P_g) / Σ_g Σ_{j ∈ Q_g} (pairs (i, j), i ∈ P_g)` and
/// `p_out` the same for `i ∉ P_g`, counting multiplicity; pairs `j → j` are left out when the
/// pattern does not allow autapses. `NaN` if either has no pairs; `inf` if `p_out` is 0.
///
/// ```
/// use engram_connectivity::{AssemblySet, Connectivity, within_outside_ratio};
/// // Assembly {0, 1} onto {0, 1} in a 4-neuron population: 2 of 4 pairs inside are
/// // connected (p_in = 0.5), 1 of 4 outside (p_out = 0.25).
/// let c = Connectivity::from_pairs(4, 4, [(0, 1), (1, 0), (2, 0)]).unwrap();
/// let a = AssemblySet::from_members(4, vec![vec![0, 1]]).unwrap();
/// assert_eq!(within_outside_ratio(&c, &a, &a).unwrap(), 2.0);
/// ```
///
/// Errors: as [`rewire_within`].
pub fn within_outside_ratio(
    connectivity: &Connectivity,
    groups_pre: &AssemblySet,
    groups_post: &AssemblySet,
) -> Result<f64, ParamError> {
    check_groups(connectivity, groups_pre, groups_post)?;
    let n_pre = connectivity.n_pre() as f64;
    let no_autapses = !connectivity.constraints().allow_autapses;
    let in_degrees = connectivity.in_degrees();
    let (mut within, mut outside, mut pairs_in, mut pairs_out) = (0.0, 0.0, 0.0, 0.0);
    for (p, q) in groups_pre.iter().zip(groups_post) {
        let w = mean_within_inputs(connectivity, p, q) * q.len() as f64;
        let total: f64 = q.members().iter().map(|&j| in_degrees[j as usize] as f64).sum();
        within += w;
        outside += total - w;
        pairs_in += (p.len() * q.len()) as f64;
        pairs_out += (n_pre - p.len() as f64) * q.len() as f64;
        if no_autapses {
            for &j in q.members() {
                if p.contains(j) {
                    pairs_in -= 1.0;
                } else if (j as usize) < connectivity.n_pre() {
                    pairs_out -= 1.0;
                }
            }
        }
    }
    Ok((within / pairs_in) / (outside / pairs_out))
}

/// The members of `q` among the columns `own`.
fn owned_members<'a>(q: &'a Assembly, own: &Range<u32>) -> &'a [u32] {
    let m = q.members();
    &m[m.partition_point(|&j| j < own.start)..m.partition_point(|&j| j < own.end)]
}

fn check_target(target: WithinTarget) -> Result<(), ParamError> {
    match target {
        WithinTarget::Factor(f) if !(f.is_finite() && f >= 1.0) => Err(ParamError::new(
            "target",
            format!("Factor({f})"),
            "a finite factor >= 1 (rewiring only adds connections within assemblies)",
        )),
        _ => Ok(()),
    }
}

fn check_members(field: &str, a: &Assembly, n: usize) -> Result<(), ParamError> {
    match a.members().last() {
        Some(&j) if j as usize >= n => Err(ParamError::new(field, j, format!("neuron indices below {n}"))),
        _ => Ok(()),
    }
}

fn check_groups(c: &Connectivity, groups_pre: &AssemblySet, groups_post: &AssemblySet) -> Result<(), ParamError> {
    if groups_pre.n_neurons() != c.n_pre() {
        return Err(ParamError::new(
            "groups_pre",
            format!("assemblies of {} neurons", groups_pre.n_neurons()),
            format!("assemblies of the {} presynaptic neurons", c.n_pre()),
        ));
    }
    if groups_post.n_neurons() != c.n_post() {
        return Err(ParamError::new(
            "groups_post",
            format!("assemblies of {} neurons", groups_post.n_neurons()),
            format!("assemblies of the {} postsynaptic neurons", c.n_post()),
        ));
    }
    if groups_pre.len() != groups_post.len() {
        return Err(ParamError::new(
            "groups_post",
            format!("{} assemblies", groups_post.len()),
            format!("as many assemblies as groups_pre ({})", groups_pre.len()),
        ));
    }
    Ok(())
}

/// The target count `k` for which the predicted mean within-assembly input after rewiring
/// (each post gains `min(max(0, k − distinct), capacity)` units), from every postsynaptic
/// member's [`Rewirer::post_stats`], is closest to `goal` (the lower `k` on a tie); the
/// smallest `k` reaching the maximum if `goal` is out of reach; 0 without members.
fn calibrated(stats: &[(usize, usize, usize)], goal: f64) -> u32 {
    if stats.is_empty() {
        return 0;
    }
    let predicted = |k: usize| {
        stats.iter().map(|&(w, c, cap)| w + k.saturating_sub(c).min(cap)).sum::<usize>() as f64 / stats.len() as f64
    };
    let k_max = stats.iter().map(|&(_, c, cap)| c + cap).max().unwrap_or(0);
    let mut k = 0;
    while k < k_max && predicted(k) < goal {
        k += 1;
    }
    if k > 0 && goal - predicted(k - 1) <= predicted(k) - goal {
        k -= 1;
    }
    k as u32
}

const NO_SLOT: u32 = u32::MAX;

/// The pattern under edit, plus the inputs (presynaptic neuron, multiplicity; sorted by
/// presynaptic neuron) of every postsynaptic neuron that may be rewired.
struct Rewirer<'a> {
    editor: RowEditor<'a>,
    slot: Vec<u32>,
    inputs: Vec<Vec<(u32, u16)>>,
    is_pre_member: Vec<bool>,
    allow_autapses: bool,
    allow_multapses: bool,
}

impl<'a> Rewirer<'a> {
    fn new<'g>(c: &'a Connectivity, post_groups: impl Iterator<Item = &'g [u32]>) -> Self {
        let mut slot = vec![NO_SLOT; c.n_post()];
        let mut n_slots = 0u32;
        for group in post_groups {
            for &j in group {
                if slot[j as usize] == NO_SLOT {
                    slot[j as usize] = n_slots;
                    n_slots += 1;
                }
            }
        }
        let mut inputs = vec![Vec::new(); n_slots as usize];
        for (i, j, m) in c.iter() {
            let s = slot[j as usize];
            if s != NO_SLOT {
                inputs[s as usize].push((i, m));
            }
        }
        let constraints = c.constraints();
        Self {
            editor: RowEditor::new(&c.matrix),
            slot,
            inputs,
            is_pre_member: vec![false; c.n_pre()],
            allow_autapses: constraints.allow_autapses,
            allow_multapses: constraints.allow_multapses,
        }
    }

    /// For each postsynaptic member `j`: (inputs from members counting multiplicity, distinct
    /// members connected, most units that can be added).
    fn post_stats(&mut self, pre: &[u32], post: &[u32]) -> Vec<(usize, usize, usize)> {
        for &i in pre {
            self.is_pre_member[i as usize] = true;
        }
        let stats = post
            .iter()
            .map(|&j| {
                let col = &self.inputs[self.slot[j as usize] as usize];
                let (mut weighted, mut distinct, mut removable) = (0, 0, 0);
                for &(i, m) in col {
                    if self.is_pre_member[i as usize] {
                        weighted += m as usize;
                        distinct += 1;
                    } else {
                        removable += m as usize;
                    }
                }
                let self_member = !self.allow_autapses && self.is_pre_member.get(j as usize) == Some(&true);
                let self_connected = self_member && col.binary_search_by_key(&j, |e| e.0).is_ok();
                let candidates = if self.allow_multapses {
                    pre.len() - usize::from(self_member)
                } else {
                    pre.len() - distinct - usize::from(self_member && !self_connected)
                };
                (weighted, distinct, candidates.min(removable))
            })
            .collect();
        for &i in pre {
            self.is_pre_member[i as usize] = false;
        }
        stats
    }

    /// Rewire one assembly pair on a rank holding the columns `own`: `draws` holds every
    /// postsynaptic member's [`PostDraw`] (4 words each, in member order, gathered from the
    /// ranks); the owner of a member rewires it, the others draw what it draws.
    #[allow(clippy::too_many_arguments)]
    fn rewire_group(
        &mut self,
        pre: &[u32],
        post: &[u32],
        own: &Range<u32>,
        target: u32,
        draws: &[u32],
        rng: &mut RngStream,
        report: &mut RewireReport,
    ) {
        self.mark(pre, true);
        let mut lists = Lists::default();
        for (&j, words) in post.iter().zip(draws.chunks_exact(4)) {
            let draw = PostDraw::from_words(words);
            let Some(n) = draw.units(target, report) else { continue };
            if own.contains(&j) {
                let mine = self.fill(pre, j, target, &mut lists);
                debug_assert_eq!(mine, draw, "post {j}: the gathered draw is this rank's");
                self.rewire_post(j, n, &mut lists, rng);
            } else {
                draw.skip(n, rng);
            }
        }
        self.mark(pre, false);
    }

    /// Flag (or unflag) the presynaptic members.
    fn mark(&mut self, pre: &[u32], on: bool) {
        for &i in pre {
            self.is_pre_member[i as usize] = on;
        }
    }

    /// Post `j`'s draw, and (if it is below `target`) its lists filled: the presynaptic members
    /// that may gain an input onto `j`, and the inputs from non-members (single ones; units of
    /// multiple ones). The presynaptic members must be [`mark`](Self::mark)ed.
    fn fill(&self, pre: &[u32], j: u32, target: u32, lists: &mut Lists) -> PostDraw {
        let col = &self.inputs[self.slot[j as usize] as usize];
        let connected = col.iter().filter(|e| self.is_pre_member[e.0 as usize]).count();
        if connected >= target as usize {
            return PostDraw { connected, ..PostDraw::default() };
        }
        lists.candidates.clear();
        lists.candidates.extend(pre.iter().copied().filter(|&i| {
            (self.allow_autapses || i != j) && (self.allow_multapses || col.binary_search_by_key(&i, |e| e.0).is_err())
        }));
        lists.singles.clear();
        lists.multi_units.clear();
        for &(i, m) in col.iter().filter(|e| !self.is_pre_member[e.0 as usize]) {
            if m == 1 {
                lists.singles.push(i);
            } else {
                lists.multi_units.extend(std::iter::repeat_n(i, m as usize));
            }
        }
        PostDraw {
            connected,
            candidates: lists.candidates.len(),
            singles: lists.singles.len(),
            multi_units: lists.multi_units.len(),
        }
    }

    /// Move `n` units onto `j`: `n` candidates drawn gain one, `n` non-member units drawn
    /// (single inputs first) lose one.
    fn rewire_post(&mut self, j: u32, n: usize, lists: &mut Lists, rng: &mut RngStream) {
        partial_shuffle(rng, &mut lists.candidates, n);
        for &i in &lists.candidates[..n] {
            self.add_unit(i, j);
        }
        let from_singles = n.min(lists.singles.len());
        partial_shuffle(rng, &mut lists.singles, from_singles);
        for &i in &lists.singles[..from_singles] {
            self.remove_unit(i, j);
        }
        let from_multi = n - from_singles;
        partial_shuffle(rng, &mut lists.multi_units, from_multi);
        for &i in &lists.multi_units[..from_multi] {
            self.remove_unit(i, j);
        }
    }

    fn add_unit(&mut self, i: u32, j: u32) {
        self.editor.add_unit(i as usize, j);
        let col = &mut self.inputs[self.slot[j as usize] as usize];
        match col.binary_search_by_key(&i, |e| e.0) {
            Ok(k) => col[k].1 = col[k].1.checked_add(1).expect("multiplicity above 65535"),
            Err(k) => col.insert(k, (i, 1)),
        }
    }

    fn remove_unit(&mut self, i: u32, j: u32) {
        self.editor.remove_unit(i as usize, j);
        let col = &mut self.inputs[self.slot[j as usize] as usize];
        let k = col.binary_search_by_key(&i, |e| e.0).expect("removing an input that does not exist");
        col[k].1 -= 1;
        if col[k].1 == 0 {
            col.remove(k);
        }
    }
}

/// The lists one postsynaptic member's rewiring draws from (reused between members).
#[derive(Default)]
struct Lists {
    candidates: Vec<u32>,
    singles: Vec<u32>,
    multi_units: Vec<u32>,
}

/// What one postsynaptic member's rewiring draws from: its distinct presynaptic members, and
/// the lengths of its [`Lists`] (0 when it is at its target). Enough to draw the same random
/// numbers without the column.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
struct PostDraw {
    connected: usize,
    candidates: usize,
    singles: usize,
    multi_units: usize,
}

impl PostDraw {
    fn words(&self) -> [u32; 4] {
        [self.connected, self.candidates, self.singles, self.multi_units].map(|x| x as u32)
    }

    fn from_words(w: &[u32]) -> Self {
        Self { connected: w[0] as usize, candidates: w[1] as usize, singles: w[2] as usize, multi_units: w[3] as usize }
    }

    /// The units to move onto this post (`None` if it is at `target` already), counted in
    /// `report`.
    fn units(&self, target: u32, report: &mut RewireReport) -> Option<usize> {
        if self.connected >= target as usize {
            return None;
        }
        report.posts_rewired += 1;
        let missing = target as usize - self.connected;
        let n = missing.min(self.candidates).min(self.singles + self.multi_units);
        report.shortfall += (missing - n) as u64;
        report.moved += n as u64;
        Some(n)
    }

    /// Draw what [`Rewirer::rewire_post`] draws for `n` units, without the lists.
    fn skip(&self, n: usize, rng: &mut RngStream) {
        skip_partial_shuffle(rng, self.candidates, n);
        let from_singles = n.min(self.singles);
        skip_partial_shuffle(rng, self.singles, from_singles);
        skip_partial_shuffle(rng, self.multi_units, n - from_singles);
    }
}
