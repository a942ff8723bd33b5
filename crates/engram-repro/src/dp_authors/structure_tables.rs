//! Markdown tables of the structure comparison ([`StructureMeans`]): the authors' networks
//! beside engram's, per variant.

use std::fmt::Write;

use engram_models::dp::structure::{AssemblyPathway, NetworkStructure, Spread};

use super::structure::StructureMeans;
use crate::dp::report::fmt;

fn f(x: f64, digits: usize) -> String {
    fmt(Some(x), digits)
}

/// `mean ± sd (min–max)`.
fn spread(s: Spread, digits: usize) -> String {
    format!("{} ± {} ({}–{})", f(s.mean, digits), f(s.sd, digits), f(s.min, digits), f(s.max, digits))
}

fn find<'a>(means: &'a [StructureMeans], source: &str, variant: &str) -> Option<&'a NetworkStructure> {
    means.iter().find(|m| m.source == source && m.variant == variant).map(|m| &m.structure)
}

/// `authors / engram` of `value` for `variant`, `–` where a side is missing.
fn both(means: &[StructureMeans], variant: &str, value: impl Fn(&NetworkStructure) -> Option<String>) -> [String; 2] {
    ["authors", "engram"].map(|s| find(means, s, variant).and_then(&value).unwrap_or_else(|| "–".into()))
}

/// The networks averaged, per source.
pub fn networks_line(means: &[StructureMeans]) -> String {
    let of = |source: &str| {
        means.iter().find(|m| m.source == source).map(|m| m.networks.join(", ")).unwrap_or_else(|| "none".into())
    };
    format!(
        "Averaged over networks (each number, SDs and extremes included, is the mean of the networks' values): the authors' {}; engram's {}.",
        of("authors"),
        of("engram")
    )
}

/// In- and out-degrees per pathway of the rand networks, and the out-degree after the Tuned
/// E+I rewiring (which moves outputs onto the assemblies).
pub fn degrees_table(means: &[StructureMeans]) -> String {
    let mut out = String::from(
        "| pathway | in-degree, authors' | in-degree, engram's | out-degree, authors' | out-degree, engram's | out-degree SD after Tuned E+I, authors' / engram's | largest multiplicity (Tuned E+I), authors' / engram's |\n|---|---|---|---|---|---|---|\n",
    );
    for (key, name) in
        [("ob_e", "OB→E"), ("ob_i", "OB→I"), ("e_e", "E→E"), ("e_i", "E→I"), ("i_e", "I→E"), ("i_i", "I→I")]
    {
        let [ia, ie] = both(means, "rand", |s| Some(spread(s.degrees[key].in_degree, 1)));
        let [oa, oe] = both(means, "rand", |s| Some(spread(s.degrees[key].out_degree, 1)));
        let [ta, te] = both(means, "tuned_ei", |s| Some(f(s.degrees[key].out_degree.sd, 1)));
        let [ma, me] = both(means, "tuned_ei", |s| Some(f(s.degrees[key].max_multiplicity, 1)));
        let _ = writeln!(out, "| {name} | {ia} | {ie} | {oa} | {oe} | {ta} / {te} | {ma} / {me} |");
    }
    out
}

/// How the assemblies sit on their odors' mitral cells (rand networks: the assemblies are
/// the same in every variant).
pub fn assemblies_table(means: &[StructureMeans]) -> String {
    type Row = (&'static str, fn(&NetworkStructure) -> String);
    let rows: [Row; 9] = [
        ("inputs of a member from its odor's activated cells", |s| spread(s.assembly_input.member_odor_inputs, 2)),
        ("selection threshold (fewest such inputs of a member), per assembly", |s| {
            spread(s.assembly_input.threshold, 2)
        }),
        ("non-members with more such inputs than the threshold, per assembly", |s| {
            spread(s.assembly_input.non_members_above_threshold, 1)
        }),
        ("inputs of an E neuron from an odor's activated cells, population mean", |s| {
            f(s.assembly_input.population_odor_inputs, 2)
        }),
        ("inputs of a member from the other learned odors' activated cells (mean per odor)", |s| {
            spread(s.assembly_input.member_other_odor_inputs, 2)
        }),
        ("members shared by two assemblies", |s| spread(s.assembly_input.shared_members, 2)),
        ("mitral cells two members of one assembly both receive", |s| {
            f(s.assembly_input.shared_mitral_inputs_within, 2)
        }),
        ("the same, one member each of assemblies k and k + 1", |s| {
            f(s.assembly_input.shared_mitral_inputs_between, 2)
        }),
        ("E neurons in ≥ 1 / > 1 assembly (%)", |s| {
            format!(
                "{} / {}",
                f(100.0 * s.assembly_input.frac_in_assembly, 1),
                f(100.0 * s.assembly_input.frac_in_several, 1)
            )
        }),
    ];
    let mut out = String::from("| measure | authors' | engram's |\n|---|---|---|\n");
    for (name, value) in rows {
        let [a, e] = both(means, "rand", |s| Some(value(s)));
        let _ = writeln!(out, "| {name} | {a} | {e} |");
    }
    out
}

/// The within-assembly wiring of each structured variant: the per-assembly factor, the
/// connection probabilities inside and outside the assemblies, the multiplicity (weight / w)
/// of a connection, and the share of the members' outputs that stays in their own assembly.
pub fn rewiring_table(means: &[StructureMeans]) -> String {
    let mut out = String::from(
        "| variant | pathway | factor per assembly, authors' | factor per assembly, engram's | p inside / outside, authors' | p inside / outside, engram's | multiplicity inside, authors' / engram's | members' outputs to own assembly (%), authors' / engram's |\n|---|---|---|---|---|---|---|---|\n",
    );
    type Pick = fn(&NetworkStructure) -> Option<AssemblyPathway>;
    let pathways: [(&str, &str, Pick); 3] = [
        ("E→E", "α", |s| Some(s.e_e)),
        ("I→E", "β", |s| s.inhibition.map(|i| i.i_e)),
        ("E→I", "γ", |s| s.inhibition.map(|i| i.e_i)),
    ];
    for variant in ["rand", "scaled_i", "tuned_i", "tuned_ei"] {
        for (name, factor, pick) in pathways {
            if find(means, "authors", variant).or(find(means, "engram", variant)).and_then(pick).is_none() {
                continue;
            }
            let cell = |g: fn(AssemblyPathway) -> String| both(means, variant, |s| pick(s).map(g));
            let [fa, fe] = cell(|p| spread(p.factor, 2));
            let [pa, pe] = cell(|p| format!("{} / {}", f(p.p_within, 3), f(p.p_outside, 3)));
            let [ma, me] = cell(|p| f(p.multiplicity_within, 2));
            let [oa, oe] = cell(|p| f(100.0 * p.own_share, 1));
            let _ = writeln!(
                out,
                "| {variant} | {name} ({factor}) | {fa} | {fe} | {pa} | {pe} | {ma} / {me} | {oa} / {oe} |"
            );
        }
    }
    out
}

/// The two rewiring rules on the authors' rand networks beside the authors' own rewiring:
/// per structured variant and pathway, the factor per assembly and the within-assembly
/// inputs per member (spread over assemblies).
pub fn rewiring_rules_table(means: &[StructureMeans]) -> String {
    let sources = [
        ("authors", "the authors' files"),
        ("rewired_counts", "engram, the authors' counts"),
        ("rewired_factors", "engram, the same factor"),
    ];
    let mut out = String::from(
        "| variant | pathway | rewired by | factor per assembly | within-assembly inputs per member, per assembly |\n|---|---|---|---|---|\n",
    );
    type Pick = fn(&NetworkStructure) -> Option<AssemblyPathway>;
    let pathways: [(&str, &str, Pick); 3] = [
        ("E→E", "α", |s| Some(s.e_e)),
        ("I→E", "β", |s| s.inhibition.map(|i| i.i_e)),
        ("E→I", "γ", |s| s.inhibition.map(|i| i.e_i)),
    ];
    for variant in ["scaled_i", "tuned_i", "tuned_ei"] {
        for (name, factor, pick) in pathways {
            for (source, who) in sources {
                let Some(p) = find(means, source, variant).and_then(pick) else { continue };
                if p.factor.max <= 1.0 {
                    continue; // not rewired in this variant
                }
                let _ = writeln!(
                    out,
                    "| {variant} | {name} ({factor}) | {who} | {} | {} |",
                    spread(p.factor, 2),
                    spread(p.within_inputs, 1)
                );
            }
        }
    }
    out
}

/// The I assemblies of the Tuned variants.
pub fn i_assemblies_table(means: &[StructureMeans]) -> String {
    let mut out = String::from(
        "| variant | I neurons in ≥ 1 / > 1 I assembly, authors' | engram's | inputs of an I member from its E assembly (rand network), authors' | engram's | non-members above the fewest, authors' | engram's |\n|---|---|---|---|---|---|---|\n",
    );
    for variant in ["tuned_i", "tuned_ei"] {
        let [ca, ce] = both(means, variant, |s| {
            s.inhibition.map(|i| format!("{} / {}", f(i.i_in_assembly, 1), f(i.i_in_several, 1)))
        });
        let [ia, ie] = both(means, variant, |s| s.inhibition.map(|i| spread(i.member_inputs_from_e_assembly, 2)));
        let [aa, ae] = both(means, variant, |s| s.inhibition.map(|i| spread(i.non_members_above_threshold, 1)));
        let _ = writeln!(out, "| {variant} | {ca} | {ce} | {ia} | {ie} | {aa} | {ae} |");
    }
    out
}
