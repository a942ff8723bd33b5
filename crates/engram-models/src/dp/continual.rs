//! Continual learning in the Dp network (paper Fig. 6, claim 9 of docs/models/dp.md#claims):
//! new assemblies added to a built network by the procedure that built the first ones, without
//! re-tuning α, β, γ or χ. The figure and its measures are in `engram_repro::dp::fig6`.

use engram_connectivity::{Assembly, AssemblySet, rewire_assembly, rewire_within, within_assembly_factor};
use engram_core::error::EngramError;
use engram_core::rng::component_id;
use engram_stimuli::Odor;
use serde::{Deserialize, Serialize};

use super::network::{DpConnectivity, RewiringTargets};
use super::params::{DpConfig, Variant};

/// What [`add_assemblies`] did.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct AddedAssemblies {
    /// The new E assemblies, in the order of the odors.
    pub e: Vec<Assembly>,
    /// The new I assemblies (Tuned variants; empty otherwise).
    pub i: Vec<Assembly>,
    /// E→E target counts (distinct within-assembly inputs per member), resolved on the rand
    /// pattern as [`DpConnectivity::with_variant`] does for the first assemblies.
    pub e_e_targets: Vec<u32>,
    /// Achieved α of the new assemblies (within-assembly E→E inputs after / in the rand network).
    pub alpha: f64,
    /// Achieved β of the new assemblies (NaN if no I assemblies).
    pub beta: f64,
    /// Achieved γ of the new assemblies (NaN unless Tuned E+I).
    pub gamma: f64,
    /// Fraction of the members of the first new assembly that are also in the second.
    pub overlap: f64,
}

/// Add one assembly per odor in `odors` to `structured`, the variant `variant` of the rand
/// network `base` (as returned by `base.with_variant(config, variant, network_seed)`), with the
/// same parameters and the same procedure: E assembly = the `assembly_size` E neurons with the
/// most inputs from the odor's activated MCs; E→E rewiring with the target count that α gives
/// on the rand pattern; for Tuned variants, I assembly = the `i_assembly_size` I neurons with
/// the most inputs from the new E assembly in the current E→I matrix, then I→E (β) and, for
/// Tuned E+I, E→I (γ) rewiring. Assembly `k ≥ 15` uses the random streams assembly `k` would
/// have used in [`DpConnectivity::generate`] / [`DpConnectivity::with_variant`]. Every
/// in-degree is conserved; χ is unchanged.
pub fn add_assemblies(
    config: &DpConfig,
    variant: Variant,
    base: &DpConnectivity,
    structured: &DpConnectivity,
    odors: &[Odor],
    network_seed: u64,
) -> Result<(DpConnectivity, AddedAssemblies), EngramError> {
    let seed = network_seed;
    let rid = |name: &str| component_id(&format!("dp:rewire:{name}"));
    let n0 = structured.assemblies.len();
    let mut net = structured.clone();
    let new_e = odors
        .iter()
        .enumerate()
        .map(|(j, o)| {
            let sources: Vec<u32> = o.activated().iter().map(|a| a.mitral_cell).collect();
            Assembly::from_input(
                &structured.ob_e,
                &sources,
                config.assembly_size,
                config.assembly_selection,
                seed,
                component_id("dp:assemblies"),
                (n0 + j) as u64,
            )
        })
        .collect::<Result<Vec<_>, _>>()?;
    let overlap = match new_e.as_slice() {
        [a, b, ..] => a.members().iter().filter(|&&j| b.contains(j)).count() as f64 / a.len().max(1) as f64,
        _ => f64::NAN,
    };
    let new_set = AssemblySet::new(config.n_exc, new_e.clone())?;
    let mut added = AddedAssemblies {
        e: new_e.clone(),
        i: Vec::new(),
        e_e_targets: Vec::new(),
        alpha: 1.0,
        beta: f64::NAN,
        gamma: f64::NAN,
        overlap,
    };
    if variant != Variant::Rand {
        // Targets as with_variant resolves them: on the rand pattern, before any rewiring.
        let targets = RewiringTargets::of(config, variant);
        let mut probe = base.e_e.clone();
        let report = rewire_within(&mut probe, &new_set, &new_set, targets.e_e, seed, rid("e_e"))?;
        for (j, a) in new_e.iter().enumerate() {
            rewire_assembly(&mut net.e_e, a, a, report.target_counts[j], seed, rid("e_e"), (n0 + j) as u64)?;
        }
        added.e_e_targets = report.target_counts;
        added.alpha = within_assembly_factor(&base.e_e, &net.e_e, &new_set, &new_set)?;
        if let Some(i_e) = targets.i_e {
            let ni = config.n_inh;
            for (j, e_asm) in new_e.iter().enumerate() {
                added.i.push(net.wire_i_assembly(config, e_asm, (n0 + j) as u64, i_e, targets.e_i, seed)?);
            }
            let i_set = AssemblySet::new(ni, added.i.clone())?;
            added.beta = within_assembly_factor(&base.i_e, &net.i_e, &i_set, &new_set)?;
            if targets.e_i.is_some() {
                added.gamma = within_assembly_factor(&base.e_i, &net.e_i, &new_set, &i_set)?;
            }
            net.i_assemblies.extend(added.i.iter().cloned());
        }
    }
    for a in new_e {
        net.assemblies.push(a)?;
    }
    Ok((net, added))
}
