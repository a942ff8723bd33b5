//! What a Dp network's connectivity looks like, measured the same way on the authors' networks
//! and on engram's: degrees per pathway, how the assemblies sit on their odors' inputs, how
//! dense and heavy the within-assembly connections are after rewiring, and the per-assembly
//! α, β and γ (their spread, not only the mean).
//!
//! ```
//! use engram_models::dp::structure::{Spread, network_structure};
//! use engram_models::dp::{DpConfig, DpConnectivity, Variant, odor_sets};
//! let config = DpConfig::default().scaled_down(8);
//! let odors = odor_sets(&config, 1).unwrap();
//! let rand = DpConnectivity::generate(&config, &odors.learned, 11).unwrap();
//! let (tuned, _) = rand.with_variant(&config, Variant::TUNED_EI, 11).unwrap();
//! let activated: Vec<Vec<u32>> =
//!     odors.learned.iter().map(|o| o.activated().iter().map(|a| a.mitral_cell).collect()).collect();
//! let s = network_structure(&rand, &tuned, &activated).unwrap();
//! assert!(s.e_e.factor.mean > 3.0); // α = 5 requested
//! assert_eq!(s.degrees["e_e"].in_degree.sd, 0.0); // rewiring keeps every in-degree
//! assert_eq!(Spread::of(&[1.0, 3.0]).mean, 2.0);
//! ```

use std::collections::BTreeMap;

use engram_analysis::stats::{mean, sd};
use engram_connectivity::{Assembly, Connectivity, input_counts, mean_within_inputs};
use engram_core::error::{EngramError, ParamError};
use serde::{Deserialize, Serialize};

use super::network::DpConnectivity;
use crate::nan_if_null;

/// Mean, sample SD, minimum and maximum of some values (`NaN` where undefined: all four for
/// no values, the SD for one).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Spread {
    /// Mean.
    #[serde(deserialize_with = "nan_if_null")]
    pub mean: f64,
    /// Sample SD (n − 1).
    #[serde(deserialize_with = "nan_if_null")]
    pub sd: f64,
    /// Minimum.
    #[serde(deserialize_with = "nan_if_null")]
    pub min: f64,
    /// Maximum.
    #[serde(deserialize_with = "nan_if_null")]
    pub max: f64,
}

impl Spread {
    /// The spread of `values`.
    pub fn of(values: &[f64]) -> Self {
        let min = values.iter().copied().fold(f64::INFINITY, f64::min);
        let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        Self {
            mean: mean(values).unwrap_or(f64::NAN),
            sd: sd(values).unwrap_or(f64::NAN),
            min: if values.is_empty() { f64::NAN } else { min },
            max: if values.is_empty() { f64::NAN } else { max },
        }
    }

    fn of_counts(values: &[u32]) -> Self {
        Self::of(&values.iter().map(|&v| f64::from(v)).collect::<Vec<_>>())
    }
}

/// In- and out-degrees of one pathway, counting multiplicity.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PathwayDegrees {
    /// Inputs per postsynaptic neuron.
    pub in_degree: Spread,
    /// Outputs per presynaptic neuron.
    pub out_degree: Spread,
    /// The largest multiplicity of one connection.
    #[serde(deserialize_with = "nan_if_null")]
    pub max_multiplicity: f64,
}

impl PathwayDegrees {
    fn of(c: &Connectivity) -> Self {
        Self {
            in_degree: Spread::of_counts(&c.in_degrees()),
            out_degree: Spread::of_counts(&c.out_degrees()),
            max_multiplicity: f64::from(c.max_multiplicity()),
        }
    }
}

/// How the E assemblies sit on their odors' mitral cells (OB→E).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssemblyInput {
    /// Per member of assembly k (pooled over assemblies): inputs from odor k's activated
    /// mitral cells.
    pub member_odor_inputs: Spread,
    /// Per assembly: the fewest such inputs of a member (the selection threshold).
    pub threshold: Spread,
    /// Per assembly: non-members with more such inputs than the threshold (0 when the
    /// assembly is strictly the top neurons by input; more when members are drawn from
    /// everyone at or above the threshold, as the authors' code does).
    pub non_members_above_threshold: Spread,
    /// Mean over E neurons and learned odors of the inputs from the odor's activated cells.
    #[serde(deserialize_with = "nan_if_null")]
    pub population_odor_inputs: f64,
    /// Per member of assembly k: mean over the other learned odors l of its inputs from odor
    /// l's activated cells.
    pub member_other_odor_inputs: Spread,
    /// Per pair of assemblies: members they share.
    pub shared_members: Spread,
    /// Mean over pairs of members of one assembly: mitral cells both receive input from.
    #[serde(deserialize_with = "nan_if_null")]
    pub shared_mitral_inputs_within: f64,
    /// The same over pairs of members of two consecutive assemblies (k, k + 1), each in only
    /// its own assembly.
    #[serde(deserialize_with = "nan_if_null")]
    pub shared_mitral_inputs_between: f64,
    /// Fraction of E neurons in at least one assembly.
    #[serde(deserialize_with = "nan_if_null")]
    pub frac_in_assembly: f64,
    /// Fraction of E neurons in more than one assembly.
    #[serde(deserialize_with = "nan_if_null")]
    pub frac_in_several: f64,
}

/// One pathway between assemblies (presynaptic group k onto postsynaptic group k), pooled
/// over the assembly pairs, counting distinct connections for probabilities and units of
/// multiplicity (weight / w) for the rest.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssemblyPathway {
    /// Probability that a presynaptic member connects to a postsynaptic member.
    #[serde(deserialize_with = "nan_if_null")]
    pub p_within: f64,
    /// Probability that a presynaptic non-member connects to a postsynaptic member.
    #[serde(deserialize_with = "nan_if_null")]
    pub p_outside: f64,
    /// Mean multiplicity (weight in units of w) of a within-assembly connection.
    #[serde(deserialize_with = "nan_if_null")]
    pub multiplicity_within: f64,
    /// Mean multiplicity of a connection from a non-member onto a member.
    #[serde(deserialize_with = "nan_if_null")]
    pub multiplicity_outside: f64,
    /// Fraction of the presynaptic members' output units in this pathway that land on their
    /// own postsynaptic group.
    #[serde(deserialize_with = "nan_if_null")]
    pub own_share: f64,
    /// Per assembly pair: within-assembly inputs per postsynaptic member after / before
    /// rewiring (α for E→E, β for I→E, γ for E→I; pairs with none before are left out).
    pub factor: Spread,
    /// Per assembly pair: within-assembly inputs (units) per postsynaptic member. A rewiring
    /// to fixed counts makes it nearly the same for every assembly; one to a fixed factor
    /// keeps the spread the assemblies had before, scaled up.
    pub within_inputs: Spread,
}

/// The I assemblies of a Tuned network and the E↔I pathways between E and I assemblies.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Inhibition {
    /// I neurons in at least one I assembly.
    #[serde(deserialize_with = "nan_if_null")]
    pub i_in_assembly: f64,
    /// I neurons in more than one I assembly.
    #[serde(deserialize_with = "nan_if_null")]
    pub i_in_several: f64,
    /// Per I member of assembly k: inputs (units) from E assembly k in the rand network (what
    /// the selection saw, before any E→I rewiring).
    pub member_inputs_from_e_assembly: Spread,
    /// Per I assembly: non-members with more inputs from the E assembly (rand network) than
    /// the fewest of a member (exactly the selection's view for Tuned I; Tuned E+I selects on
    /// the E→I pattern after the earlier assemblies' rewiring).
    pub non_members_above_threshold: Spread,
    /// I assembly k → E assembly k.
    pub i_e: AssemblyPathway,
    /// E assembly k → I assembly k.
    pub e_i: AssemblyPathway,
}

/// Everything [`network_structure`] measures.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NetworkStructure {
    /// Per pathway (`ob_e`, `ob_i`, `e_e`, `e_i`, `i_e`, `i_i`).
    pub degrees: BTreeMap<String, PathwayDegrees>,
    /// The assemblies on their odors' inputs.
    pub assembly_input: AssemblyInput,
    /// E assembly k → E assembly k.
    pub e_e: AssemblyPathway,
    /// The I assemblies (Tuned variants; `None` otherwise).
    pub inhibition: Option<Inhibition>,
}

/// For each postsynaptic neuron, its inputs `(pre, multiplicity)` sorted by pre.
fn inputs_by_post(c: &Connectivity) -> Vec<Vec<(u32, u16)>> {
    let mut inputs = vec![Vec::new(); c.n_post()];
    for (i, j, m) in c.iter() {
        inputs[j as usize].push((i, m));
    }
    inputs
}

/// Presynaptic group k onto postsynaptic group k in `after`, with the per-pair factor
/// against `before`.
fn assembly_pathway(
    before: &Connectivity,
    after: &Connectivity,
    pre: &[Assembly],
    post: &[Assembly],
) -> AssemblyPathway {
    let inputs = inputs_by_post(after);
    let out_degrees = after.out_degrees();
    let n_pre = after.n_pre() as f64;
    let (mut distinct_in, mut units_in, mut pairs_in) = (0.0, 0.0, 0.0);
    let (mut distinct_out, mut units_out, mut pairs_out) = (0.0, 0.0, 0.0);
    let (mut own, mut all_out) = (0.0, 0.0);
    let (mut factors, mut within) = (Vec::new(), Vec::new());
    for (p, q) in pre.iter().zip(post) {
        for &j in q.members() {
            for &(i, m) in &inputs[j as usize] {
                if p.contains(i) {
                    distinct_in += 1.0;
                    units_in += f64::from(m);
                } else {
                    distinct_out += 1.0;
                    units_out += f64::from(m);
                }
            }
        }
        pairs_in += (p.len() * q.len()) as f64;
        pairs_out += (n_pre - p.len() as f64) * q.len() as f64;
        own += mean_within_inputs(after, p, q) * q.len() as f64;
        all_out += p.members().iter().map(|&i| f64::from(out_degrees[i as usize])).sum::<f64>();
        let (b, a) = (mean_within_inputs(before, p, q), mean_within_inputs(after, p, q));
        within.push(a);
        if b > 0.0 {
            factors.push(a / b);
        }
    }
    AssemblyPathway {
        p_within: distinct_in / pairs_in,
        p_outside: distinct_out / pairs_out,
        multiplicity_within: units_in / distinct_in,
        multiplicity_outside: units_out / distinct_out,
        own_share: own / all_out,
        factor: Spread::of(&factors),
        within_inputs: Spread::of(&within),
    }
}

/// Mitral cells that both `a` and `b` receive input from (sorted input lists).
fn shared(a: &[(u32, u16)], b: &[(u32, u16)]) -> usize {
    let (mut x, mut y, mut n) = (0, 0, 0);
    while x < a.len() && y < b.len() {
        match a[x].0.cmp(&b[y].0) {
            std::cmp::Ordering::Less => x += 1,
            std::cmp::Ordering::Greater => y += 1,
            std::cmp::Ordering::Equal => {
                n += 1;
                x += 1;
                y += 1;
            }
        }
    }
    n
}

fn assembly_input(net: &DpConnectivity, activated: &[Vec<u32>]) -> Result<AssemblyInput, ParamError> {
    let asm = net.assemblies.assemblies();
    if activated.len() < asm.len() {
        return Err(ParamError::new(
            "activated",
            format!("{} odors", activated.len()),
            format!("one list of activated mitral cells per assembly ({})", asm.len()),
        ));
    }
    let counts: Vec<Vec<u32>> =
        activated[..asm.len()].iter().map(|cells| input_counts(&net.ob_e, cells)).collect::<Result<_, _>>()?;
    let (mut member, mut threshold, mut other, mut above) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for (k, a) in asm.iter().enumerate() {
        let own: Vec<f64> = a.members().iter().map(|&j| f64::from(counts[k][j as usize])).collect();
        let t = own.iter().copied().fold(f64::INFINITY, f64::min);
        threshold.push(t);
        let n_above = counts[k].iter().enumerate().filter(|&(j, &c)| f64::from(c) > t && !a.contains(j as u32)).count();
        above.push(n_above as f64);
        member.extend(own);
        for &j in a.members() {
            let rest: f64 = (0..asm.len()).filter(|&l| l != k).map(|l| f64::from(counts[l][j as usize])).sum();
            other.push(rest / (asm.len() - 1).max(1) as f64);
        }
    }
    let n_exc = net.ob_e.n_post() as f64;
    let population = counts.iter().flatten().map(|&c| f64::from(c)).sum::<f64>() / (n_exc * counts.len() as f64);
    let mut overlaps = Vec::new();
    for k in 0..asm.len() {
        for l in k + 1..asm.len() {
            overlaps.push(asm[k].members().iter().filter(|&&j| asm[l].contains(j)).count() as f64);
        }
    }
    let inputs = inputs_by_post(&net.ob_e);
    let memberships = net.assemblies.memberships();
    let (mut within, mut n_within, mut between, mut n_between) = (0usize, 0usize, 0usize, 0usize);
    for (k, a) in asm.iter().enumerate() {
        let m = a.members();
        for x in 0..m.len() {
            for y in x + 1..m.len() {
                within += shared(&inputs[m[x] as usize], &inputs[m[y] as usize]);
                n_within += 1;
            }
        }
        if let Some(b) = asm.get(k + 1) {
            let single = |v: &&u32| memberships[**v as usize] == 1;
            for &x in m.iter().filter(single) {
                for &y in b.members().iter().filter(single) {
                    between += shared(&inputs[x as usize], &inputs[y as usize]);
                    n_between += 1;
                }
            }
        }
    }
    Ok(AssemblyInput {
        member_odor_inputs: Spread::of(&member),
        threshold: Spread::of(&threshold),
        non_members_above_threshold: Spread::of(&above),
        population_odor_inputs: population,
        member_other_odor_inputs: Spread::of(&other),
        shared_members: Spread::of(&overlaps),
        shared_mitral_inputs_within: within as f64 / n_within as f64,
        shared_mitral_inputs_between: between as f64 / n_between as f64,
        frac_in_assembly: memberships.iter().filter(|&&m| m >= 1).count() as f64 / n_exc,
        frac_in_several: memberships.iter().filter(|&&m| m >= 2).count() as f64 / n_exc,
    })
}

/// The structure of `net` (a variant of `rand`, or `rand` itself, with the same assemblies),
/// with assembly k defined by learned odor k whose activated mitral cells are
/// `activated[k]`.
///
/// Errors: fewer odors than assemblies (field `activated`), a mitral cell out of range or
/// repeated (field `sources`), or `rand` and `net` of different shapes (field `before`).
pub fn network_structure(
    rand: &DpConnectivity,
    net: &DpConnectivity,
    activated: &[Vec<u32>],
) -> Result<NetworkStructure, EngramError> {
    let pathways = [
        ("ob_e", &rand.ob_e, &net.ob_e),
        ("ob_i", &rand.ob_i, &net.ob_i),
        ("e_e", &rand.e_e, &net.e_e),
        ("e_i", &rand.e_i, &net.e_i),
        ("i_e", &rand.i_e, &net.i_e),
        ("i_i", &rand.i_i, &net.i_i),
    ];
    for (name, before, after) in pathways {
        if (before.n_pre(), before.n_post()) != (after.n_pre(), after.n_post()) {
            return Err(ParamError::new(
                format!("before.{name}"),
                format!("{} x {}", before.n_pre(), before.n_post()),
                format!("the shape of the network's {name}, {} x {}", after.n_pre(), after.n_post()),
            )
            .into());
        }
    }
    let degrees = pathways.iter().map(|(name, _, c)| (name.to_string(), PathwayDegrees::of(c))).collect();
    let e_asm = net.assemblies.assemblies();
    let inhibition = (!net.i_assemblies.is_empty()).then(|| {
        let i_asm = &net.i_assemblies;
        let mut memberships = vec![0u32; net.i_e.n_pre()];
        for a in i_asm {
            for &j in a.members() {
                memberships[j as usize] += 1;
            }
        }
        let inputs = inputs_by_post(&rand.e_i);
        let member_inputs: Vec<f64> = e_asm
            .iter()
            .zip(i_asm)
            .flat_map(|(e, i)| {
                let inputs = &inputs;
                i.members().iter().map(move |&j| {
                    inputs[j as usize].iter().filter(|(p, _)| e.contains(*p)).map(|&(_, m)| f64::from(m)).sum()
                })
            })
            .collect();
        let above: Vec<f64> = e_asm
            .iter()
            .zip(i_asm)
            .map(|(e, i)| {
                let counts = input_counts(&rand.e_i, e.members()).expect("members checked against the population");
                let t = i.members().iter().map(|&j| counts[j as usize]).min().unwrap_or(0);
                counts.iter().enumerate().filter(|&(j, &c)| c > t && !i.contains(j as u32)).count() as f64
            })
            .collect();
        Inhibition {
            non_members_above_threshold: Spread::of(&above),
            i_in_assembly: memberships.iter().filter(|&&m| m >= 1).count() as f64,
            i_in_several: memberships.iter().filter(|&&m| m >= 2).count() as f64,
            member_inputs_from_e_assembly: Spread::of(&member_inputs),
            i_e: assembly_pathway(&rand.i_e, &net.i_e, i_asm, e_asm),
            e_i: assembly_pathway(&rand.e_i, &net.e_i, e_asm, i_asm),
        }
    });
    Ok(NetworkStructure {
        degrees,
        assembly_input: assembly_input(net, activated)?,
        e_e: assembly_pathway(&rand.e_e, &net.e_e, e_asm, e_asm),
        inhibition,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use engram_connectivity::AssemblySet;

    fn tiny(e_e: Connectivity) -> DpConnectivity {
        let empty = |a, b| Connectivity::empty(a, b);
        DpConnectivity {
            ob_e: Connectivity::from_pairs(3, 4, [(0, 0), (1, 0), (0, 1), (2, 2), (2, 3)]).unwrap(),
            ob_i: empty(3, 2),
            e_e,
            e_i: empty(4, 2),
            i_e: empty(2, 4),
            i_i: empty(2, 2),
            assemblies: AssemblySet::from_members(4, vec![vec![0, 1], vec![1, 2]]).unwrap(),
            i_assemblies: Vec::new(),
            chi: 1.0,
        }
    }

    #[test]
    fn counts_inputs_overlaps_and_factors_by_hand() {
        let before = Connectivity::from_pairs(4, 4, [(0, 1), (3, 1), (3, 2)]).unwrap();
        // after: 0→1 doubled; 3→2 moved to 1→2
        let after = Connectivity::from_pairs(4, 4, [(0, 1), (0, 1), (1, 2)]).unwrap();
        let (rand, net) = (tiny(before), tiny(after));
        let s = network_structure(&rand, &net, &[vec![0, 1], vec![2]]).unwrap();
        let a = &s.assembly_input;
        // assembly 0 = {0, 1}: inputs from cells {0, 1}: neuron 0 has 2, neuron 1 has 1
        // assembly 1 = {1, 2}: inputs from cell {2}: neuron 1 has 0, neuron 2 has 1
        assert_eq!(a.member_odor_inputs.mean, 1.0);
        assert_eq!((a.threshold.min, a.threshold.max), (0.0, 1.0));
        // assembly 0 (threshold 1): nobody outside above 1; assembly 1 (threshold 0):
        // neuron 3 has 1 input from cell 2 and is no member
        assert_eq!((a.non_members_above_threshold.min, a.non_members_above_threshold.max), (0.0, 1.0));
        assert_eq!(a.shared_members.mean, 1.0);
        assert_eq!((a.frac_in_assembly, a.frac_in_several), (0.75, 0.25));
        // within pairs: (0, 1) share cell 0; (1, 2) share none
        assert_eq!(a.shared_mitral_inputs_within, 0.5);
        // E→E pair 0 ({0,1}→{0,1}): before 1 input (0→1), after 2 → factor 2;
        // pair 1 ({1,2}→{1,2}): before 0 (skipped).
        assert_eq!(s.e_e.factor.mean, 2.0);
        assert_eq!(s.e_e.factor.min, 2.0);
        // within inputs per member after: pair 0: neuron 0 none, neuron 1 two units (0→1 ×2)
        // → 1.0; pair 1: neuron 1 none from {1,2}, neuron 2 one (1→2) → 0.5
        assert_eq!((s.e_e.within_inputs.min, s.e_e.within_inputs.max), (0.5, 1.0));
        assert_eq!(s.e_e.within_inputs.mean, 0.75);
        // within distinct: pair 0 has 0→1, pair 1 has 1→2: 2 of 8 pairs
        assert_eq!(s.e_e.p_within, 0.25);
        // multiplicity within: (2 + 1) units over 2 connections
        assert_eq!(s.e_e.multiplicity_within, 1.5);
        // outside onto {0,1}: none from {2,3}; onto {1,2}: 0→1 (mult 2) from 0 ∉ {1,2}
        assert_eq!(s.e_e.p_outside, 1.0 / 8.0);
        assert_eq!(s.e_e.multiplicity_outside, 2.0);
        // own share: pair 0 members {0,1} send 3 units, 2 onto {0,1}; pair 1 members {1,2}
        // send 1 unit, 1 onto {1,2}: 3 / 4
        assert_eq!(s.e_e.own_share, 0.75);
        assert_eq!(s.degrees["e_e"].in_degree.max, 2.0);
        assert_eq!(s.degrees["e_e"].max_multiplicity, 2.0);
        assert!(s.inhibition.is_none());
    }

    /// The authors' code draws assembly members at random from everyone at or above the
    /// threshold, so some non-members have more odor input than the fewest member; strictly
    /// taking the top neurons (engram's earlier default) never leaves one out.
    #[test]
    fn assemblies_are_drawn_as_the_authors_code_draws_them() {
        use crate::dp::{DpConfig, Variant, odor_sets};
        use engram_connectivity::TopSelection;
        let config = DpConfig::default().scaled_down(4);
        let odors = odor_sets(&config, 1).unwrap();
        let activated: Vec<Vec<u32>> =
            odors.learned.iter().map(|o| o.activated().iter().map(|a| a.mitral_cell).collect()).collect();
        let above = |selection| {
            let c = DpConfig { assembly_selection: selection, ..config.clone() };
            let rand = DpConnectivity::generate(&c, &odors.learned, 7).unwrap();
            let (tuned, _) = rand.with_variant(&c, Variant::TUNED_I, 7).unwrap();
            let s = network_structure(&rand, &tuned, &activated).unwrap();
            (s.assembly_input.non_members_above_threshold, s.inhibition.unwrap().non_members_above_threshold)
        };
        let (e, i) = above(DpConfig::default().assembly_selection);
        assert!(e.max > 0.0 && i.max > 0.0, "default selection left nobody above the threshold out: {e:?} {i:?}");
        let (e, i) = above(TopSelection::Strict);
        assert_eq!((e.max, i.max), (0.0, 0.0));
    }

    #[test]
    fn too_few_odors_is_an_error_naming_the_field() {
        let c = Connectivity::empty(4, 4);
        let e = network_structure(&tiny(c.clone()), &tiny(c), &[vec![0]]).unwrap_err().to_string();
        assert!(e.contains("activated"), "{e}");
    }
}
