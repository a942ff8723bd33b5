//! Fig. 6 continual learning (dp::continual): adding two assemblies to a structured Dp network
//! (scaled down) keeps every in-degree and adds the expected within-assembly connectivity.

use engram_connectivity::{Assembly, Connectivity, mean_within_inputs};
use engram_core::params::Params;
use engram_models::dp::continual::add_assemblies;
use engram_models::dp::{DpConfig, DpConnectivity, Variant, odor_sets};
use engram_stimuli::odor::OdorParams;
use engram_stimuli::{Odor, OdorSubspace};

fn pathways(n: &DpConnectivity) -> [&Connectivity; 6] {
    [&n.ob_e, &n.ob_i, &n.e_e, &n.e_i, &n.i_e, &n.i_i]
}

fn setup() -> (DpConfig, DpConnectivity, Vec<Odor>) {
    let config = DpConfig::default().scaled_down(4);
    let odors = odor_sets(&config, 3).unwrap();
    let base = DpConnectivity::generate(&config, &odors.learned, 41).unwrap();
    let params = OdorParams {
        n_mitral_cells: config.n_mitral_cells,
        n_activated: config.n_mitral_cells / 10,
        n_inhibited: config.n_mitral_cells / 20,
        ..OdorParams::default()
    }
    .check()
    .unwrap();
    let space = OdorSubspace::correlated(&params, 0.5, 5).unwrap();
    (config, base, space.corners()[..2].to_vec())
}

fn ratio(before: &Connectivity, after: &Connectivity, pre: &Assembly, post: &Assembly) -> f64 {
    mean_within_inputs(after, pre, post) / mean_within_inputs(before, pre, post)
}

#[test]
fn adding_assemblies_keeps_in_degrees_and_adds_within_connectivity() {
    let (config, base, yz) = setup();
    for variant in [Variant::TUNED_EI, Variant::SCALED_I] {
        let (net, _) = base.with_variant(&config, variant, 41).unwrap();
        let (after, added) = add_assemblies(&config, variant, &base, &net, &yz, 41).unwrap();
        let name = variant.name();
        // in-degrees of every pathway conserved, χ unchanged
        for (k, (b, a)) in pathways(&net).iter().zip(pathways(&after)).enumerate() {
            assert_eq!(b.in_degrees(), a.in_degrees(), "{name}: pathway {k}");
            assert_eq!(b.n_connections(), a.n_connections(), "{name}: pathway {k}");
        }
        assert_eq!(after.chi, net.chi);
        // OB→E, OB→I, I→I untouched
        for k in [0, 1, 5] {
            assert_eq!(pathways(&net)[k].iter().collect::<Vec<_>>(), pathways(&after)[k].iter().collect::<Vec<_>>());
        }
        // two new E assemblies of the right size, appended; they overlap (correlated odors)
        assert_eq!(after.assemblies.len(), net.assemblies.len() + 2);
        assert_eq!(added.e.len(), 2);
        assert!(added.e.iter().all(|a| a.len() == config.assembly_size));
        assert_eq!(&after.assemblies[net.assemblies.len()], &added.e[0]);
        assert!(added.overlap > 0.0 && added.overlap < 1.0, "{name}: overlap {}", added.overlap);
        // E→E within the new assemblies rises by about α relative to the rand network
        assert!((added.alpha - variant.alpha()).abs() < 1.0, "{name}: alpha {}", added.alpha);
        for a in &added.e {
            let r = ratio(&base.e_e, &after.e_e, a, a);
            assert!(r > 3.5 && r < 6.5, "{name}: within-assembly E→E factor {r}");
            assert!(ratio(&net.e_e, &after.e_e, a, a) > 2.0, "{name}: E→E barely changed by adding");
        }
        match variant {
            Variant::TunedEI { beta, gamma, .. } => {
                assert_eq!(added.i.len(), 2);
                assert_eq!(after.i_assemblies.len(), net.i_assemblies.len() + 2);
                assert!(added.i.iter().all(|a| a.len() == config.i_assembly_size));
                for (e, i) in added.e.iter().zip(&added.i) {
                    let b = ratio(&base.i_e, &after.i_e, i, e);
                    let g = ratio(&base.e_i, &after.e_i, e, i);
                    assert!(b > 0.6 * beta && b < 1.6 * beta, "I→E factor {b}");
                    assert!(g > 0.6 * gamma && g < 1.6 * gamma, "E→I factor {g}");
                }
            }
            _ => {
                // Scaled I: inhibition untouched
                assert!(added.i.is_empty());
                assert_eq!(net.i_e.iter().collect::<Vec<_>>(), after.i_e.iter().collect::<Vec<_>>());
                assert_eq!(net.e_i.iter().collect::<Vec<_>>(), after.e_i.iter().collect::<Vec<_>>());
            }
        }
    }
}

#[test]
fn added_assemblies_are_those_of_a_network_built_with_them() {
    // The new E assemblies are chosen exactly like the first ones: the same as
    // DpConnectivity::generate would give with the two odors appended to the learned ones.
    let (config, base, yz) = setup();
    let odors = odor_sets(&config, 3).unwrap();
    let mut all = odors.learned[..config.n_assemblies].to_vec();
    all.extend(yz.iter().cloned());
    let config17 = DpConfig { n_assemblies: config.n_assemblies + 2, ..config.clone() };
    let base17 = DpConnectivity::generate(&config17, &all, 41).unwrap();
    let (_, added) = add_assemblies(&config, Variant::Rand, &base, &base, &yz, 41).unwrap();
    assert_eq!(&base17.assemblies[config.n_assemblies], &added.e[0]);
    assert_eq!(&base17.assemblies[config.n_assemblies + 1], &added.e[1]);
}
