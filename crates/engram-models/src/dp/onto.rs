//! One pathway of a Dp network made onto some of its postsynaptic neurons (a rank's own), with
//! the connectivity of [`DpConnectivity::generate`](crate::dp::DpConnectivity::generate) and
//! [`with_variant`](crate::dp::DpConnectivity::with_variant) bit for bit, holding no more of
//! the other targets' synapses than the construction needs.
//!
//! ```
//! use engram_models::dp::described::PathwayName;
//! use engram_models::dp::onto::DpConnectivityOnto;
//! use engram_models::dp::{DpConfig, DpConnectivity, Variant, odor_sets};
//! let config = DpConfig { variant: Variant::TUNED_EI, ..DpConfig::default() }.scaled_down(8);
//! let odors = odor_sets(&config, 1).unwrap();
//! let draw = DpConnectivityOnto::new(&config, &odors.learned, 11).unwrap();
//! // E→E onto E neurons 100..300 of 500
//! let (part, omitted) = draw.pathway_onto(PathwayName::EE, 100..300).unwrap();
//! // the same entries as the whole network's, and what each row left out
//! let base = DpConnectivity::generate(&config, &odors.learned, 11).unwrap();
//! let (whole, _) = base.with_variant(&config, config.variant, 11).unwrap();
//! assert_eq!((part, omitted), whole.e_e.restrict_targets(100..300).unwrap());
//! ```
//!
//! What each step needs of the other targets (docs/guide/distributed.md, "What each rank
//! holds"), made by one rank alone ([`pathway_onto`](DpConnectivityOnto::pathway_onto)) or by
//! the ranks together ([`pathway_across`](DpConnectivityOnto::pathway_across)):
//! - OB→E and OB→I with a fixed in-degree (structures A, B, D, simple) are drawn column by
//!   column, so only the own columns are kept
//!   ([`ConnectSpec::connect_onto`](engram_connectivity::ConnectSpec::connect_onto)); structure C
//!   balances their out-degrees, which needs the other columns: alone, the whole pattern is
//!   made, cut and dropped; together, the ranks balance it
//!   ([`ConnectSpec::connect_onto_across`](engram_connectivity::ConnectSpec::connect_onto_across)).
//! - The E assemblies need, for every E neuron, its number of inputs from each learned
//!   odor's activated mitral cells: counted while the OB→E columns are streamed
//!   ([`ConnectSpec::input_counts`](engram_connectivity::ConnectSpec::input_counts)), never
//!   stored; for structure C, alone: whole, transiently; together: each rank counts its
//!   columns of the balanced OB→E and the counts are gathered
//!   ([`input_counts_across`](engram_connectivity::input_counts_across)).
//! - Every recurrent pathway is balanced (out-degree balancing moves single connections
//!   between presynaptic neurons, choosing among each row's entries onto all targets), then
//!   rewired within assemblies (column by column, one stream per assembly): alone, it is made
//!   whole, rewired, cut to the targets and dropped, one pathway at a time; together, the
//!   ranks balance and rewire it
//!   ([`rewire_within_across`](engram_connectivity::rewire_within_across)).
//! - The I assemblies of the Tuned variants are chosen from the E→I pattern, each after the
//!   E→I rewiring of the ones before: alone, the whole E→I pattern is made (transiently) to
//!   choose them; together, each choice is made on gathered input counts. They are kept as
//!   [`DpAssemblies`] (O(assemblies)) for I→E.

use std::ops::Range;
use std::sync::OnceLock;

use engram_connectivity::{
    Assembly, AssemblySet, Connectivity, OmittedEntries, WeightMatrix, input_counts_across, rewire_within,
    rewire_within_across, scale_weights,
};
use engram_core::collective::{AllGather, OneRank};
use engram_core::error::{EngramError, ParamError};
use engram_core::params::Params;
use engram_stimuli::Odor;

use super::described::PathwayName;
use super::network::{
    RewiringTargets, draw_id, input_spec, recurrent_pathway, recurrent_spec, rewire_id, rewire_pair, rewire_pair_across,
};
use super::params::{DpConfig, Pathway, Variant};

/// The assemblies of a Dp network: E assemblies (pseudo-assemblies in rand networks) and the
/// I assemblies of the Tuned variants (empty otherwise), as
/// [`DpConnectivity::with_variant`](crate::dp::DpConnectivity::with_variant) chooses them.
#[derive(Clone, Debug, PartialEq)]
pub struct DpAssemblies {
    /// E assemblies.
    pub e: AssemblySet,
    /// I assemblies (Tuned variants).
    pub i: Vec<Assembly>,
}

/// The connectivity of one Dp network (`config`, its variant `config.variant`, the learned
/// odors' activated mitral cells and the network seed), made pathway by pathway onto chosen
/// postsynaptic neurons: [`pathway_onto`](Self::pathway_onto) gives exactly the entries of
/// [`DpConnectivity::generate`](crate::dp::DpConnectivity::generate) followed by
/// [`with_variant`](crate::dp::DpConnectivity::with_variant) onto those neurons, and what each
/// row left out. The assemblies are chosen once, on first use.
#[derive(Debug)]
pub struct DpConnectivityOnto {
    config: DpConfig,
    activated: Vec<Vec<u32>>,
    network_seed: u64,
    /// The E assemblies, once chosen.
    e_assemblies: OnceLock<AssemblySet>,
    /// The I assemblies of a Tuned variant, once chosen.
    i_assemblies: OnceLock<Vec<Assembly>>,
}

impl DpConnectivityOnto {
    /// The network of `config` (with its variant) whose assemblies are chosen from `learned`
    /// (the first `n_assemblies` odors), drawn from `network_seed`.
    ///
    /// Errors: `config` or its variant out of range.
    pub fn new(config: &DpConfig, learned: &[Odor], network_seed: u64) -> Result<Self, EngramError> {
        let activated = learned
            .iter()
            .take(config.n_assemblies)
            .map(|o| o.activated().iter().map(|a| a.mitral_cell).collect())
            .collect();
        Self::for_sources(config, activated, network_seed)
    }

    /// [`new`](Self::new) with the learned odors given by their activated mitral cells, as
    /// [`DpConnectivity::generate_for_sources`](crate::dp::DpConnectivity::generate_for_sources).
    ///
    /// Errors: `config` or its variant out of range.
    pub fn for_sources(
        config: &DpConfig,
        mut activated: Vec<Vec<u32>>,
        network_seed: u64,
    ) -> Result<Self, EngramError> {
        config.validate()?;
        config.variant.validate().map_err(|e| e.within("variant"))?;
        activated.truncate(config.n_assemblies);
        Ok(Self {
            config: config.clone(),
            activated,
            network_seed,
            e_assemblies: OnceLock::new(),
            i_assemblies: OnceLock::new(),
        })
    }
    /// The network's assemblies, chosen on first use: the E assemblies from the OB→E input
    /// counts (streamed, see the module docs), and for the Tuned variants the I assemblies
    /// from the whole E→I pattern (made, used and dropped).
    ///
    /// Errors: those of the draws.
    pub fn assemblies(&self) -> Result<DpAssemblies, EngramError> {
        let e = self.e_assemblies()?;
        let i = match self.i_assemblies.get() {
            Some(i) => i,
            None if self.tuned() => {
                let (_, i) = self.e_i_with_i_assemblies(e)?;
                self.i_assemblies.get_or_init(|| i)
            }
            None => self.i_assemblies.get_or_init(Vec::new),
        };
        Ok(DpAssemblies { e: e.clone(), i: i.clone() })
    }

    /// The entries of pathway `pathway` onto its postsynaptic neurons `targets` (same shape
    /// and global indices as the whole pattern; other columns empty), and what each row of
    /// the whole pattern left out.
    ///
    /// Errors: `targets` not within the postsynaptic population (field `targets`); those of
    /// the draws.
    pub fn pathway_onto(
        &self,
        pathway: PathwayName,
        targets: Range<usize>,
    ) -> Result<(Connectivity, OmittedEntries), EngramError> {
        let config = &self.config;
        let (ne, ni, nm) = (config.n_exc, config.n_inh, config.n_mitral_cells);
        let (pw, seed) = (config.pathways(), self.network_seed);
        let n_post = self.n_post(pathway);
        if targets.start > targets.end || targets.end > n_post {
            return Err(ParamError::new(
                "targets",
                format!("{}..{}", targets.start, targets.end),
                format!("a range of postsynaptic neurons of {pathway:?} within 0..{n_post}"),
            )
            .into());
        }
        let rewiring = RewiringTargets::of(config, config.variant);
        Ok(match pathway {
            PathwayName::ObE => {
                input_spec(config, pw.ob_e).connect_onto(nm, ne, false, seed, draw_id("ob_e"), targets)?
            }
            PathwayName::ObI => {
                input_spec(config, pw.ob_i).connect_onto(nm, ni, false, seed, draw_id("ob_i"), targets)?
            }
            PathwayName::EE => {
                let mut e_e = recurrent_pathway(config, pw.e_e, (ne, ne), true, "e_e", seed)?;
                if config.variant != Variant::Rand {
                    let e = self.e_assemblies()?;
                    rewire_within(&mut e_e, e, e, rewiring.e_e, seed, rewire_id("e_e"))?;
                }
                e_e.restrict_targets(targets)?
            }
            PathwayName::EI if self.tuned() => {
                let (e_i, i) = self.e_i_with_i_assemblies(self.e_assemblies()?)?;
                self.i_assemblies.get_or_init(|| i);
                e_i.restrict_targets(targets)?
            }
            PathwayName::EI => {
                recurrent_pathway(config, pw.e_i, (ne, ni), false, "e_i", seed)?.restrict_targets(targets)?
            }
            PathwayName::IE => {
                let mut i_e = recurrent_pathway(config, pw.i_e, (ni, ne), false, "i_e", seed)?;
                if let Some(target) = rewiring.i_e {
                    let asm = self.assemblies()?;
                    for (k, (e_asm, i_asm)) in asm.e.iter().zip(&asm.i).enumerate() {
                        rewire_pair(&mut i_e, (i_asm, ni), (e_asm, ne), target, "i_e", k as u64, seed)?;
                    }
                }
                i_e.restrict_targets(targets)?
            }
            PathwayName::II => {
                recurrent_pathway(config, pw.i_i, (ni, ni), true, "i_i", seed)?.restrict_targets(targets)?
            }
        })
    }

    /// [`pathway_onto`](Self::pathway_onto) on one of several ranks that each call it, at
    /// the same point, for their own `targets` (ranges that tile the postsynaptic population
    /// in rank order): every step is made across the ranks, no rank ever holding the whole
    /// pattern of a pathway. Balancing
    /// ([`ConnectSpec::connect_onto_across`](engram_connectivity::ConnectSpec::connect_onto_across)),
    /// rewiring ([`rewire_within_across`](engram_connectivity::rewire_within_across)) and the
    /// input counts that choose assemblies
    /// ([`input_counts_across`](engram_connectivity::input_counts_across)) exchange what they
    /// need of the other ranks' columns. The same entries, bit for bit.
    ///
    /// The assemblies are chosen across the ranks on first need, each rank taking the part of
    /// the other population that corresponds to its `targets` (proportionally: the parts tile
    /// it as the `targets` do).
    ///
    /// Errors: as [`pathway_onto`](Self::pathway_onto) (a bad range fails on every rank, in
    /// the first collective), and a failed collective.
    pub fn pathway_across(
        &self,
        pathway: PathwayName,
        targets: Range<usize>,
        ranks: &mut dyn AllGather,
    ) -> Result<(Connectivity, OmittedEntries), EngramError> {
        let config = &self.config;
        let (ne, ni, nm) = (config.n_exc, config.n_inh, config.n_mitral_cells);
        let (pw, seed) = (config.pathways(), self.network_seed);
        let rewiring = RewiringTargets::of(config, config.variant);
        let own = targets.clone();
        match pathway {
            PathwayName::ObE => {
                Ok(input_spec(config, pw.ob_e).connect_onto_across(nm, ne, false, seed, draw_id("ob_e"), own, ranks)?)
            }
            PathwayName::ObI => {
                Ok(input_spec(config, pw.ob_i).connect_onto_across(nm, ni, false, seed, draw_id("ob_i"), own, ranks)?)
            }
            PathwayName::EE if config.variant != Variant::Rand => {
                let (mut part, _) = self.balanced_across(pw.e_e, (ne, ne), true, "e_e", own.clone(), ranks)?;
                let e = self.e_assemblies_across(own.clone(), ranks)?;
                rewire_within_across(&mut part, own.clone(), e, e, rewiring.e_e, seed, rewire_id("e_e"), ranks)?;
                let omitted = part.omitted_across(own, ranks)?;
                Ok((part, omitted))
            }
            PathwayName::EI if self.tuned() => {
                let e = self.e_assemblies_across(corresponding(&own, ni, ne), ranks)?;
                let (part, i) = self.e_i_across(e, own.clone(), ranks)?;
                self.i_assemblies.get_or_init(|| i);
                let omitted = part.omitted_across(own, ranks)?;
                Ok((part, omitted))
            }
            PathwayName::IE if self.tuned() => {
                let (mut part, _) = self.balanced_across(pw.i_e, (ni, ne), false, "i_e", own.clone(), ranks)?;
                let e = self.e_assemblies_across(own.clone(), ranks)?;
                let i = match self.i_assemblies.get() {
                    Some(i) => i,
                    None => {
                        let (_, i) = self.e_i_across(e, corresponding(&own, ne, ni), ranks)?;
                        self.i_assemblies.get_or_init(|| i)
                    }
                };
                let target = rewiring.i_e.expect("a Tuned variant rewires I→E");
                for (k, (e_asm, i_asm)) in e.iter().zip(i).enumerate() {
                    let pair = ("i_e", k as u64);
                    rewire_pair_across(&mut part, own.clone(), (i_asm, ni), (e_asm, ne), target, pair, seed, ranks)?;
                }
                let omitted = part.omitted_across(own, ranks)?;
                Ok((part, omitted))
            }
            PathwayName::EE => self.balanced_across(pw.e_e, (ne, ne), true, "e_e", own, ranks),
            PathwayName::EI => self.balanced_across(pw.e_i, (ne, ni), false, "e_i", own, ranks),
            PathwayName::IE => self.balanced_across(pw.i_e, (ni, ne), false, "i_e", own, ranks),
            PathwayName::II => self.balanced_across(pw.i_i, (ni, ni), true, "i_i", own, ranks),
        }
    }

    /// [`weights_onto`](Self::weights_onto) through [`pathway_across`](Self::pathway_across).
    ///
    /// Errors: as [`pathway_across`](Self::pathway_across).
    pub fn weights_across(
        &self,
        pathway: PathwayName,
        targets: Range<usize>,
        ranks: &mut dyn AllGather,
    ) -> Result<(WeightMatrix, OmittedEntries), EngramError> {
        let (part, omitted) = self.pathway_across(pathway, targets, ranks)?;
        Ok((self.weigh(pathway, part), omitted))
    }

    /// The weights of pathway `pathway` onto `targets` (multiplicity × the pathway's weight;
    /// I→E also × χ of Scaled I), and what each row left out: the whole network's weights
    /// ([`DpConnectivity::weights`](crate::dp::DpConnectivity::weights)) onto those neurons.
    ///
    /// Errors: as [`pathway_onto`](Self::pathway_onto).
    pub fn weights_onto(
        &self,
        pathway: PathwayName,
        targets: Range<usize>,
    ) -> Result<(WeightMatrix, OmittedEntries), EngramError> {
        let (part, omitted) = self.pathway_onto(pathway, targets)?;
        Ok((self.weigh(pathway, part), omitted))
    }

    /// The weights of a part of `pathway`: multiplicity × the pathway's weight (I→E also × χ
    /// of Scaled I).
    fn weigh(&self, pathway: PathwayName, part: Connectivity) -> WeightMatrix {
        let pw = self.config.pathways();
        let w_ns = [pw.ob_e, pw.ob_i, pw.e_e, pw.e_i, pw.i_e, pw.i_i][pathway.index()].w_ns;
        let mut weights = part.weights(w_ns);
        if let (PathwayName::IE, Variant::ScaledI { chi, .. }) = (pathway, self.config.variant)
            && chi != 1.0
        {
            scale_weights(&mut weights, chi);
        }
        weights
    }

    /// The size of `pathway`'s postsynaptic population.
    fn n_post(&self, pathway: PathwayName) -> usize {
        match pathway {
            PathwayName::ObE | PathwayName::EE | PathwayName::IE => self.config.n_exc,
            PathwayName::ObI | PathwayName::EI | PathwayName::II => self.config.n_inh,
        }
    }

    /// Whether the variant has I assemblies (Tuned I, Tuned E+I): I→E is rewired within
    /// them, and E→I is the pattern they are chosen on.
    fn tuned(&self) -> bool {
        RewiringTargets::of(&self.config, self.config.variant).i_e.is_some()
    }

    /// The E assemblies: for each learned odor, the E neurons with the most inputs from its
    /// activated mitral cells, counted while the OB→E pattern is drawn (chosen once).
    fn e_assemblies(&self) -> Result<&AssemblySet, ParamError> {
        if let Some(e) = self.e_assemblies.get() {
            return Ok(e);
        }
        let config = &self.config;
        let (ne, nm, seed) = (config.n_exc, config.n_mitral_cells, self.network_seed);
        let spec = input_spec(config, config.pathways().ob_e);
        let counts = spec.input_counts(nm, ne, false, seed, draw_id("ob_e"), &self.activated)?;
        let e = self.e_from_counts(&counts)?;
        Ok(self.e_assemblies.get_or_init(|| e))
    }

    /// [`e_assemblies`](Self::e_assemblies) on a rank owning the E neurons `own_e`: when the
    /// OB→E pattern is balanced (structure C), it is made across the ranks and the counts
    /// gathered; otherwise they are streamed on every rank (no collective).
    fn e_assemblies_across(&self, own_e: Range<usize>, ranks: &mut dyn AllGather) -> Result<&AssemblySet, EngramError> {
        let config = &self.config;
        let spec = input_spec(config, config.pathways().ob_e);
        if self.e_assemblies.get().is_some() || spec.balance.is_none() {
            return Ok(self.e_assemblies()?);
        }
        let (ne, nm, seed) = (config.n_exc, config.n_mitral_cells, self.network_seed);
        let (part, _) = spec.connect_onto_across(nm, ne, false, seed, draw_id("ob_e"), own_e.clone(), ranks)?;
        let counts = self
            .activated
            .iter()
            .map(|sources| input_counts_across(&part, own_e.clone(), sources, ranks))
            .collect::<Result<Vec<_>, _>>()?;
        drop(part);
        let e = self.e_from_counts(&counts)?;
        Ok(self.e_assemblies.get_or_init(|| e))
    }

    /// The E assemblies from each learned odor's input counts.
    fn e_from_counts(&self, counts: &[Vec<u32>]) -> Result<AssemblySet, ParamError> {
        let config = &self.config;
        let (size, selection) = (config.assembly_size, config.assembly_selection);
        AssemblySet::from_counts(config.n_exc, counts, size, selection, self.network_seed, draw_id("assemblies"))
    }

    /// The whole E→I pattern of a Tuned variant and its I assemblies: I assembly `k` chosen
    /// from the pattern after the E→I rewiring of assemblies `0..k` (Tuned E+I), as
    /// [`DpConnectivity::wire_i_assembly`](crate::dp::DpConnectivity::wire_i_assembly) does:
    /// [`e_i_across`](Self::e_i_across) on one rank that owns every I neuron.
    fn e_i_with_i_assemblies(&self, e: &AssemblySet) -> Result<(Connectivity, Vec<Assembly>), EngramError> {
        self.e_i_across(e, 0..self.config.n_inh, &mut OneRank)
    }

    /// On a rank owning the I neurons `own_i`: its part of the E→I pattern of a Tuned variant
    /// (balanced and rewired across the ranks) and the I assemblies, each chosen on input
    /// counts gathered from the ranks after the E→I rewiring of the ones before.
    fn e_i_across(
        &self,
        e: &AssemblySet,
        own_i: Range<usize>,
        ranks: &mut dyn AllGather,
    ) -> Result<(Connectivity, Vec<Assembly>), EngramError> {
        let config = &self.config;
        let (ne, ni, seed) = (config.n_exc, config.n_inh, self.network_seed);
        let (mut part, _) =
            self.balanced_across(config.pathways().e_i, (ne, ni), false, "e_i", own_i.clone(), ranks)?;
        let gamma = RewiringTargets::of(config, config.variant).e_i;
        let (size, selection, stream_id) =
            (config.i_assembly_size, config.assembly_selection, rewire_id("i_assemblies"));
        let mut i_asms = Vec::with_capacity(e.len());
        for (k, e_asm) in e.iter().enumerate() {
            let counts = input_counts_across(&part, own_i.clone(), e_asm.members(), ranks)?;
            let i_asm = Assembly::from_counts(&counts, size, selection, seed, stream_id, k as u64)?;
            if let Some(target) = gamma {
                let pair = ("e_i", k as u64);
                rewire_pair_across(&mut part, own_i.clone(), (e_asm, ne), (&i_asm, ni), target, pair, seed, ranks)?;
            }
            i_asms.push(i_asm);
        }
        Ok((part, i_asms))
    }

    /// A recurrent pathway drawn onto `own` and out-degree balanced across the ranks, with
    /// the constraints its rewiring keeps.
    #[allow(clippy::too_many_arguments)]
    fn balanced_across(
        &self,
        p: Pathway,
        (n_pre, n_post): (usize, usize),
        same: bool,
        name: &str,
        own: Range<usize>,
        ranks: &mut dyn AllGather,
    ) -> Result<(Connectivity, OmittedEntries), EngramError> {
        let (spec, constraints) = recurrent_spec(&self.config, p, n_pre, same);
        let seed = self.network_seed;
        let (part, omitted) = spec.connect_onto_across(n_pre, n_post, same, seed, draw_id(name), own, ranks)?;
        Ok((part.with_constraints(constraints), omitted))
    }
}

/// The part of a population of `n_to` neurons that corresponds to `own` of a population of
/// `n_from` (proportionally): ranges that tile `0..n_from` in rank order give ranges that
/// tile `0..n_to`, and a range out of bounds stays out of bounds.
fn corresponding(own: &Range<usize>, n_from: usize, n_to: usize) -> Range<usize> {
    let map = |x: usize| (x as u128 * n_to as u128 / n_from.max(1) as u128) as usize;
    map(own.start)..map(own.end)
}
