//! The Dp connectivity made onto a rank's own neurons (`DpConnectivityOnto`, the `DpPathway`
//! kind on a rank): on 1 to 4 ranks, each rank's part of each of the six pathways is the
//! whole network's entries onto its neurons with the right counts of what each row left
//! out, and the parts stacked are the whole matrices, for structures A and C (C balances its
//! bulb input) and the variants rand, Scaled I, Tuned I and Tuned E+I; also through a
//! description built on each rank; and made across ranks as threads (`pathway_across`: every
//! step, balancing, rewiring and the choice of assemblies, across the ranks, in any order of
//! the pathways), the same.

use engram_connectivity::{Connectivity, WeightMatrix};
use engram_models::description::Registry;
use engram_models::dp::described::{DpModel, PathwayName};
use engram_models::dp::onto::DpConnectivityOnto;
use engram_models::dp::{DpConfig, DpConnectivity, Structure, Variant, odor_sets};
use engram_sim::network::{Partition, ThreadGroup};

const PATHWAYS: [PathwayName; 6] =
    [PathwayName::ObE, PathwayName::ObI, PathwayName::EE, PathwayName::EI, PathwayName::IE, PathwayName::II];

/// The whole network's pattern of `pathway`.
fn whole_pattern(net: &DpConnectivity, pathway: PathwayName) -> &Connectivity {
    match pathway {
        PathwayName::ObE => &net.ob_e,
        PathwayName::ObI => &net.ob_i,
        PathwayName::EE => &net.e_e,
        PathwayName::EI => &net.e_i,
        PathwayName::IE => &net.i_e,
        PathwayName::II => &net.i_i,
    }
}

/// Every entry `(pre, post, value)` of the matrices `parts` together, in row-major order.
fn stacked<T: Copy>(parts: &[sprs::CsMatI<T, u32, usize>]) -> Vec<(usize, u32, T)> {
    let mut all = Vec::new();
    for m in parts {
        for (i, row) in m.outer_iterator().enumerate() {
            all.extend(row.iter().map(|(j, &v)| (i, j as u32, v)));
        }
    }
    all.sort_by_key(|&(i, j, _)| (i, j));
    all
}

fn entries<T: Copy>(m: &sprs::CsMatI<T, u32, usize>) -> Vec<(usize, u32, T)> {
    stacked(std::slice::from_ref(m))
}

/// `(structure, variant, scale_down)` of the networks checked.
fn networks() -> Vec<(Structure, Variant, usize)> {
    let mut v = Vec::new();
    for structure in [Structure::A, Structure::C] {
        for variant in [Variant::Rand, Variant::SCALED_I, Variant::TUNED_I, Variant::TUNED_EI] {
            v.push((structure, variant, 8));
        }
    }
    v.push((Structure::A, Variant::TUNED_EI, 4));
    v
}

#[test]
fn each_ranks_part_of_every_dp_pathway_is_the_whole_network_onto_its_neurons() {
    for (structure, variant, scale) in networks() {
        let config = DpConfig { structure, variant, ..DpConfig::default() }.scaled_down(scale);
        let odors = odor_sets(&config, 3).unwrap();
        let base = DpConnectivity::generate(&config, &odors.learned, 17).unwrap();
        let (whole, _) = base.with_variant(&config, variant, 17).unwrap();
        let weights = whole.weights(&config);
        let onto = DpConnectivityOnto::new(&config, &odors.learned, 17).unwrap();
        let what = format!("{structure:?} {} 1/{scale}", variant.label());
        let asm = onto.assemblies().unwrap();
        assert_eq!((&asm.e, &asm.i), (&whole.assemblies, &whole.i_assemblies), "{what}: assemblies");
        if matches!(variant, Variant::TunedI { .. } | Variant::TunedEI { .. }) {
            assert_eq!(asm.i.len(), config.n_assemblies, "{what}: I assemblies chosen");
        }
        for pathway in PATHWAYS {
            let pattern = whole_pattern(&whole, pathway);
            let n_post = pattern.n_post();
            for n_ranks in 1..=4 {
                let mut parts = Vec::new();
                let mut weight_parts: Vec<WeightMatrix> = Vec::new();
                for rank in 0..n_ranks {
                    let own = Partition::new(rank, n_ranks).unwrap().owned(n_post);
                    let (part, omitted) = onto.pathway_onto(pathway, own.clone()).unwrap();
                    let expected = pattern.restrict_targets(own.clone()).unwrap();
                    let at = format!("{what}: {pathway:?}, rank {rank} of {n_ranks} ({own:?})");
                    assert_eq!((&part, &omitted), (&expected.0, &expected.1), "{at}");
                    let (w, w_omitted) = onto.weights_onto(pathway, own).unwrap();
                    assert_eq!(w_omitted, omitted, "{at}");
                    parts.push(part.into_matrix());
                    weight_parts.push(w);
                }
                let at = format!("{what}: {pathway:?} on {n_ranks} ranks");
                assert_eq!(stacked(&parts), entries(pattern.matrix()), "{at}: the parts stacked are the whole pattern");
                let (got, want) = (stacked(&weight_parts), entries(&weights[pathway.index()]));
                assert!(
                    got.len() == want.len()
                        && got
                            .iter()
                            .zip(&want)
                            .all(|(a, b)| (a.0, a.1) == (b.0, b.1) && a.2.to_bits() == b.2.to_bits()),
                    "{at}: the weights stacked are the whole network's, bit for bit"
                );
            }
        }
        // the variant changed what it should (so the test is not about empty rewiring)
        if variant != Variant::Rand {
            assert_ne!(whole.e_e.matrix(), base.e_e.matrix(), "{what}: E→E rewired");
        }
    }
}

/// `pathway_across` on 2 and 3 ranks as threads: every rank's part of every pathway
/// (balanced, rewired and with assemblies chosen across the ranks) and its weights are the
/// whole network's onto its neurons, for structures A and C and every variant.
#[test]
fn each_ranks_part_made_across_the_ranks_is_the_whole_network_onto_its_neurons() {
    for structure in [Structure::A, Structure::C] {
        for variant in [Variant::Rand, Variant::SCALED_I, Variant::TUNED_I, Variant::TUNED_EI] {
            let config = DpConfig { structure, variant, ..DpConfig::default() }.scaled_down(8);
            let odors = odor_sets(&config, 3).unwrap();
            let base = DpConnectivity::generate(&config, &odors.learned, 17).unwrap();
            let (whole, _) = base.with_variant(&config, variant, 17).unwrap();
            let weights = whole.weights(&config);
            let what = format!("{structure:?} {}", variant.label());
            for n_ranks in [2, 3] {
                let group = ThreadGroup::new(n_ranks);
                let ranks: Vec<_> = std::thread::scope(|s| {
                    let handles: Vec<_> = (0..n_ranks)
                        .map(|rank| {
                            let (config, learned) = (&config, &odors.learned);
                            let mut member = group.member(rank);
                            s.spawn(move || {
                                let onto = DpConnectivityOnto::new(config, learned, 17).unwrap();
                                PATHWAYS.map(|pathway| {
                                    let n_post = whole_pattern_size(config, pathway);
                                    let own = Partition::new(rank, n_ranks).unwrap().owned(n_post);
                                    let part = onto.pathway_across(pathway, own.clone(), &mut member).unwrap();
                                    let w = onto.weights_across(pathway, own.clone(), &mut member).unwrap();
                                    (own, part, w)
                                })
                            })
                        })
                        .collect();
                    handles.into_iter().map(|h| h.join().unwrap()).collect()
                });
                for (rank, parts) in ranks.into_iter().enumerate() {
                    for (pathway, (own, (part, omitted), (w, w_omitted))) in PATHWAYS.into_iter().zip(parts) {
                        let at = format!("{what}: {pathway:?}, rank {rank} of {n_ranks} ({own:?})");
                        let expected = whole_pattern(&whole, pathway).restrict_targets(own.clone()).unwrap();
                        assert!(part == expected.0 && omitted == expected.1, "{at}: the part differs");
                        assert!(w_omitted == omitted, "{at}");
                        let want: Vec<_> = entries(&weights[pathway.index()])
                            .into_iter()
                            .filter(|&(_, j, _)| own.contains(&(j as usize)))
                            .map(|(i, j, x)| (i, j, x.to_bits()))
                            .collect();
                        let got: Vec<_> = entries(&w).into_iter().map(|(i, j, x)| (i, j, x.to_bits())).collect();
                        assert!(got == want, "{at}: weights differ");
                    }
                }
            }
        }
    }
}

/// The assemblies are chosen across the ranks on first need, whichever pathway needs them
/// first: made in the reverse order (I→E first, so the I assemblies are chosen on each rank's
/// part of the I neurons that corresponds to its E neurons; E→I after that, with the cached
/// ones), on 3 uneven ranks, every part is still the whole network's, for structures A and C.
#[test]
fn pathways_made_across_the_ranks_in_any_order_are_the_whole_networks() {
    for structure in [Structure::A, Structure::C] {
        let variant = Variant::TUNED_EI;
        let config = DpConfig { structure, variant, ..DpConfig::default() }.scaled_down(8);
        let odors = odor_sets(&config, 4).unwrap();
        let base = DpConnectivity::generate(&config, &odors.learned, 23).unwrap();
        let (whole, _) = base.with_variant(&config, variant, 23).unwrap();
        // uneven: 1/6, 1/2, 1/3 of each population
        let owned = |rank: usize, n: usize| [0..n / 6, n / 6..2 * n / 3, 2 * n / 3..n][rank].clone();
        let order =
            [PathwayName::IE, PathwayName::II, PathwayName::EI, PathwayName::EE, PathwayName::ObI, PathwayName::ObE];
        let group = ThreadGroup::new(3);
        let ranks: Vec<_> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..3)
                .map(|rank| {
                    let (config, learned) = (&config, &odors.learned);
                    let mut member = group.member(rank);
                    s.spawn(move || {
                        let onto = DpConnectivityOnto::new(config, learned, 23).unwrap();
                        let parts = order.map(|pathway| {
                            let n_post = whole_pattern_size(config, pathway);
                            let own = owned(rank, n_post);
                            (own.clone(), onto.pathway_across(pathway, own, &mut member).unwrap())
                        });
                        (parts, onto.assemblies().unwrap())
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        for (rank, (parts, asm)) in ranks.into_iter().enumerate() {
            let what = format!("{structure:?} Tuned E+I, rank {rank} of 3");
            assert_eq!((&asm.e, &asm.i), (&whole.assemblies, &whole.i_assemblies), "{what}: assemblies");
            for (pathway, (own, (part, omitted))) in order.into_iter().zip(parts) {
                let expected = whole_pattern(&whole, pathway).restrict_targets(own.clone()).unwrap();
                assert!(part == expected.0 && omitted == expected.1, "{what}: {pathway:?} ({own:?}) differs");
            }
        }
    }
}

/// The size of `pathway`'s postsynaptic population.
fn whole_pattern_size(config: &DpConfig, pathway: PathwayName) -> usize {
    if matches!(pathway, PathwayName::ObI | PathwayName::EI | PathwayName::II) { config.n_inh } else { config.n_exc }
}

#[test]
fn a_dp_description_built_on_each_rank_holds_the_whole_networks_synapses_onto_its_neurons() {
    let model = DpModel {
        structure: Structure::C,
        variant: Variant::TUNED_EI,
        n_odors: 1,
        scale_down: 8,
        ..DpModel::default()
    };
    let d = model.description().unwrap();
    let registry = Registry::default();
    let built = d.build_with(&registry, 0.1, 5).unwrap();
    for n_ranks in [2, 3] {
        let mut per_projection: Vec<Vec<WeightMatrix>> = vec![Vec::new(); built.projections.len()];
        for rank in 0..n_ranks {
            let partition = Partition::new(rank, n_ranks).unwrap();
            let (mut b, handles) = d.builder_on_rank(&registry, 0.1, 5, Some(partition)).unwrap();
            // the other ranks are not built here: a group of one answers build's exchange
            b.distribute(partition, Box::new(ThreadGroup::new(1)));
            let net = b.build().unwrap();
            for (k, &pid) in handles.projections.iter().enumerate() {
                per_projection[k].push(net.weights(pid).clone());
            }
        }
        for (k, parts) in per_projection.iter().enumerate() {
            let whole = built.network.weights(built.projections[k]);
            let (got, want) = (stacked(parts), entries(whole));
            assert!(
                got.len() == want.len()
                    && got.iter().zip(&want).all(|(a, b)| (a.0, a.1) == (b.0, b.1) && a.2.to_bits() == b.2.to_bits()),
                "projection {k} on {n_ranks} ranks: the ranks' synapses stacked are the single process's"
            );
        }
    }
}

#[test]
fn a_dp_pathway_onto_neurons_outside_its_population_is_refused() {
    let config = DpConfig::default().scaled_down(8);
    let odors = odor_sets(&config, 3).unwrap();
    let onto = DpConnectivityOnto::new(&config, &odors.learned, 17).unwrap();
    // 125 I neurons at 1/8
    let e = onto.pathway_onto(PathwayName::EI, 100..126).unwrap_err().to_string();
    assert!(e.contains("targets") && e.contains("126"), "{e}");
    let e = onto.pathway_onto(PathwayName::ObI, 100..126).unwrap_err().to_string();
    assert!(e.contains("targets"), "{e}");
}
