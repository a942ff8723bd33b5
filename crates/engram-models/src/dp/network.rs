//! One Dp network instance: connectivity of the six pathways, the odors that define the
//! assemblies, and the variants derived from the same random instance.
//!
//! Choices (docs/models/dp.md: #connectivity, #assemblies, #choices-where-the-paper-is-silent):
//! - OB→E and OB→I have a fixed in-degree equal to the authors' matrices (A, B: 31 and 16;
//!   D: 46 and 31), which is p·n_mc + 1; the simple model uses p·n_mc. Structure C fixes the
//!   out-degree of mitral cells instead (80 to E, 10 to I) and the authors' balancing leaves
//!   in-degrees nearly constant too (30 ± 1.5): we draw a fixed in-degree p·n_mc and balance
//!   the out-degrees (±5 % trigger, ±3 % target), which gives both. A pure fixed out-degree
//!   has in-degree SD ≈ 5.5, and neurons with many inputs then respond to every odor.
//! - Recurrent pathways: fixed in-degree round(p·n_pre) by default (the authors' matrices have
//!   an in-degree SD of 1–2 %, and Bernoulli in-degrees give strongly correlated odor
//!   responses), then out-degree balancing (±3 % for E→E and I→I, trigger ±5 % / target ±3 %
//!   for the others). Autapses are allowed; multiplicities up to 3 arise from rewiring.
//! - Assembly k: `assembly_size` E neurons among those with the most inputs from learned odor
//!   k's activated mitral cells, drawn as `DpConfig::assembly_selection` says: by default as
//!   the authors' code does, at random from everyone at or above the `assembly_size`-th
//!   highest count (on their networks, non-members with more inputs than the fewest of a
//!   member are common: `reproduce dp-authors`' structure table); strictly the top ones as an
//!   option. I assemblies likewise.
//! - Variants are derived from one base (rand) instance, so "the corresponding rand network"
//!   of every structured network is the same random draw, as in the paper.

use std::ops::Range;

use engram_connectivity::{
    Assembly, AssemblySet, ConnectSpec, Connectivity, Constraints, OutDegreeBalancing, Rule, WeightMatrix,
    WithinTarget, rewire_within, rewire_within_across, scale_weights, within_assembly_factor,
};
use engram_core::collective::AllGather;
use engram_core::error::{EngramError, ParamError};
use engram_core::params::Params;
use engram_core::rng::component_id;
use engram_stimuli::{Odor, OdorSetParams, OdorSets};
use serde::{Deserialize, Serialize};

use super::params::{DpConfig, Pathway, RecurrentRule, Rewiring, Structure, Variant};

/// What the rewiring of one variant aims for per pathway, as `DpConfig::rewiring` resolves it
/// ([`Rewiring::counts`](super::params::Rewiring::counts)): counts or factors.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RewiringTargets {
    /// E→E within each E assembly (α or `pE`).
    pub e_e: WithinTarget,
    /// I→E within each E/I assembly (β or `pI`; Tuned variants).
    pub i_e: Option<WithinTarget>,
    /// E→I within each E/I assembly (γ or `pEI`; Tuned E+I).
    pub e_i: Option<WithinTarget>,
}

impl RewiringTargets {
    /// The targets of `variant` in networks of `config` (rand: factor 1 for E→E, nothing else).
    pub fn of(config: &DpConfig, variant: Variant) -> Self {
        let (beta, gamma) = match variant {
            Variant::TunedI { beta, .. } => (Some(beta), None),
            Variant::TunedEI { beta, gamma, .. } => (Some(beta), Some(gamma)),
            Variant::Rand | Variant::ScaledI { .. } => (None, None),
        };
        if variant == Variant::Rand {
            return Self { e_e: WithinTarget::Factor(1.0), i_e: None, e_i: None };
        }
        // the authors' counts belong to the fitted structures' connection probabilities; the
        // simple model's sparser E→E and E→I would turn pE = 25 into α ≈ 10 (Table 5 gives
        // it the factors)
        let rule = match (config.rewiring, config.structure) {
            (Rewiring::Reference, Structure::Simple) => Rewiring::Factors,
            (rule, _) => rule,
        };
        let (p_e, p_i, p_ei) = rule.counts(variant, config.assembly_size, config.i_assembly_size);
        let target = |count: Option<u32>, factor: f64| count.map_or(WithinTarget::Factor(factor), WithinTarget::Count);
        Self {
            e_e: target(p_e, variant.alpha()),
            i_e: beta.map(|b| target(p_i, b)),
            e_i: gamma.map(|g| target(p_ei, g)),
        }
    }
}

/// The multiplicity patterns of one network instance, before weights.
#[derive(Clone, Debug)]
pub struct DpConnectivity {
    /// OB → E.
    pub ob_e: Connectivity,
    /// OB → I.
    pub ob_i: Connectivity,
    /// E → E.
    pub e_e: Connectivity,
    /// E → I.
    pub e_i: Connectivity,
    /// I → E.
    pub i_e: Connectivity,
    /// I → I.
    pub i_i: Connectivity,
    /// E assemblies (pseudo-assemblies in rand networks).
    pub assemblies: AssemblySet,
    /// I assemblies of the Tuned variants (empty otherwise).
    pub i_assemblies: Vec<Assembly>,
    /// Global I→E weight scale (χ of Scaled I; 1 otherwise).
    pub chi: f64,
}

/// Achieved structure of a variant, for reports.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Achieved {
    /// α: mean within-assembly E→E inputs after / before rewiring.
    pub alpha: f64,
    /// β: I→E, within the E/I assembly.
    pub beta: f64,
    /// γ: E→I, within the E/I assembly.
    pub gamma: f64,
    /// Fraction of E neurons in at least one assembly.
    pub frac_in_assembly: f64,
    /// Fraction of E neurons in more than one assembly.
    pub frac_in_several: f64,
}

/// The odors of an experiment: learned odors (one per assembly) and novel odors.
pub fn odor_sets(config: &DpConfig, seed: u64) -> Result<OdorSets, ParamError> {
    let mut params = OdorSetParams { n_learned: config.n_assemblies, n_novel: 10, ..OdorSetParams::default() };
    params.odor.n_mitral_cells = config.n_mitral_cells;
    params.odor.n_activated = config.n_mitral_cells / 10;
    params.odor.n_inhibited = config.n_mitral_cells / 20;
    Ok(OdorSets::random(&params.check()?, seed))
}

fn fixed_in(k: usize) -> Rule {
    Rule::FixedInDegree { k: k as u32 }
}

/// The stream id of the draw `name` of a Dp network (`dp:<name>`).
pub(crate) fn draw_id(name: &str) -> u64 {
    component_id(&format!("dp:{name}"))
}

/// The stream id of the rewiring or selection `name` of a variant (`dp:rewire:<name>`).
pub(crate) fn rewire_id(name: &str) -> u64 {
    component_id(&format!("dp:rewire:{name}"))
}

/// How the bulb input pathway `p` (OB→E or OB→I) is drawn in `config`'s structure.
pub(crate) fn input_spec(config: &DpConfig, p: Pathway) -> ConnectSpec {
    let k = (p.p * config.n_mitral_cells as f64).round() as usize;
    match config.structure {
        Structure::A | Structure::B | Structure::D => ConnectSpec::new(fixed_in(k + 1)),
        Structure::C => {
            ConnectSpec::new(fixed_in(k)).balance(OutDegreeBalancing { trigger_fraction: 0.05, target_fraction: 0.03 })
        }
        Structure::Simple => ConnectSpec::new(fixed_in(k)),
    }
}

/// How the recurrent pathway `p` from `n_pre` neurons is drawn (`same`: within one
/// population), and the constraints its edits keep (autapses and multapses allowed).
pub(crate) fn recurrent_spec(config: &DpConfig, p: Pathway, n_pre: usize, same: bool) -> (ConnectSpec, Constraints) {
    let rule = match config.recurrent {
        RecurrentRule::FixedInDegree => fixed_in((p.p * n_pre as f64).round() as usize),
        RecurrentRule::Bernoulli => Rule::FixedProbability { p: p.p },
    };
    let balance = if same {
        OutDegreeBalancing { trigger_fraction: 0.03, target_fraction: 0.03 }
    } else {
        OutDegreeBalancing { trigger_fraction: 0.05, target_fraction: 0.03 }
    };
    (ConnectSpec::new(rule).balance(balance), Constraints { allow_autapses: true, allow_multapses: true })
}

/// The recurrent pathway `p` from `n_pre` to `n_post` neurons, whole (drawn and balanced),
/// from the stream `dp:<name>`.
pub(crate) fn recurrent_pathway(
    config: &DpConfig,
    p: Pathway,
    (n_pre, n_post): (usize, usize),
    same: bool,
    name: &str,
    network_seed: u64,
) -> Result<Connectivity, ParamError> {
    let (spec, constraints) = recurrent_spec(config, p, n_pre, same);
    Ok(spec.connect_populations(n_pre, n_post, same, network_seed, draw_id(name))?.with_constraints(constraints))
}

/// I assembly `index` of E assembly `e_asm`: the `i_assembly_size` I neurons with the most
/// inputs from `e_asm` in the E→I pattern `e_i` (drawn from `dp:rewire:i_assemblies`).
pub(crate) fn select_i_assembly(
    e_i: &Connectivity,
    config: &DpConfig,
    e_asm: &Assembly,
    index: u64,
    network_seed: u64,
) -> Result<Assembly, ParamError> {
    let (size, selection) = (config.i_assembly_size, config.assembly_selection);
    Assembly::from_input(e_i, e_asm.members(), size, selection, network_seed, rewire_id("i_assemblies"), index)
}

/// Rewire `pattern` within one pair of assemblies, `pre` (of `n_pre` neurons) onto `post`
/// (of `n_post`), towards `target`, from the stream `dp:rewire:<name>` xor `index`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn rewire_pair(
    pattern: &mut Connectivity,
    (pre, n_pre): (&Assembly, usize),
    (post, n_post): (&Assembly, usize),
    target: WithinTarget,
    name: &str,
    index: u64,
    network_seed: u64,
) -> Result<(), ParamError> {
    let (pre_set, post_set) = pair_sets((pre, n_pre), (post, n_post))?;
    rewire_within(pattern, &pre_set, &post_set, target, network_seed, rewire_id(name) ^ index)?;
    Ok(())
}

/// [`rewire_pair`] on one of several ranks, each holding `part`, the pattern's entries onto
/// its own postsynaptic neurons `own` ([`rewire_within_across`]).
#[allow(clippy::too_many_arguments)]
pub(crate) fn rewire_pair_across(
    part: &mut Connectivity,
    own: Range<usize>,
    (pre, n_pre): (&Assembly, usize),
    (post, n_post): (&Assembly, usize),
    target: WithinTarget,
    (name, index): (&str, u64),
    network_seed: u64,
    ranks: &mut dyn AllGather,
) -> Result<(), EngramError> {
    let (pre_set, post_set) = pair_sets((pre, n_pre), (post, n_post))?;
    let stream_id = rewire_id(name) ^ index;
    rewire_within_across(part, own, &pre_set, &post_set, target, network_seed, stream_id, ranks)?;
    Ok(())
}

/// One pair of assemblies as two sets of one assembly each.
fn pair_sets(
    (pre, n_pre): (&Assembly, usize),
    (post, n_post): (&Assembly, usize),
) -> Result<(AssemblySet, AssemblySet), ParamError> {
    Ok((AssemblySet::new(n_pre, vec![pre.clone()])?, AssemblySet::new(n_post, vec![post.clone()])?))
}

impl DpConnectivity {
    /// Draw the base (rand) instance of network `network_seed`, with pseudo-assemblies from
    /// the learned odors.
    pub fn generate(config: &DpConfig, learned: &[Odor], network_seed: u64) -> Result<Self, EngramError> {
        let sources: Vec<Vec<u32>> = learned
            .iter()
            .take(config.n_assemblies)
            .map(|o| o.activated().iter().map(|a| a.mitral_cell).collect())
            .collect();
        Self::generate_for_sources(config, &sources, network_seed)
    }

    /// [`generate`](Self::generate) with the learned odors given by their activated mitral
    /// cells: assembly k is chosen from `activated[k]` (the first `n_assemblies` lists), as
    /// for odors read from the authors' files.
    pub fn generate_for_sources(
        config: &DpConfig,
        activated: &[Vec<u32>],
        network_seed: u64,
    ) -> Result<Self, EngramError> {
        config.validate()?;
        let (ne, ni, nm) = (config.n_exc, config.n_inh, config.n_mitral_cells);
        let pw = config.pathways();
        let seed = network_seed;
        let input =
            |p: Pathway, n_post: usize, name: &str| input_spec(config, p).connect(nm, n_post, seed, draw_id(name));
        let ob_e = input(pw.ob_e, ne, "ob_e")?;
        let ob_i = input(pw.ob_i, ni, "ob_i")?;
        let e_e = recurrent_pathway(config, pw.e_e, (ne, ne), true, "e_e", seed)?;
        let e_i = recurrent_pathway(config, pw.e_i, (ne, ni), false, "e_i", seed)?;
        let i_e = recurrent_pathway(config, pw.i_e, (ni, ne), false, "i_e", seed)?;
        let i_i = recurrent_pathway(config, pw.i_i, (ni, ni), true, "i_i", seed)?;
        let sources = &activated[..config.n_assemblies.min(activated.len())];
        let assemblies = AssemblySet::from_input(
            &ob_e,
            sources,
            config.assembly_size,
            config.assembly_selection,
            seed,
            draw_id("assemblies"),
        )?;
        Ok(Self { ob_e, ob_i, e_e, e_i, i_e, i_i, assemblies, i_assemblies: Vec::new(), chi: 1.0 })
    }

    /// The variant `variant` of this (rand) instance, and what its rewiring achieved.
    pub fn with_variant(
        &self,
        config: &DpConfig,
        variant: Variant,
        network_seed: u64,
    ) -> Result<(Self, Achieved), EngramError> {
        variant.validate().map_err(|e| e.within("variant"))?;
        let mut net = self.clone();
        let seed = network_seed;
        let mut achieved = Achieved { alpha: 1.0, beta: 1.0, gamma: 1.0, ..Achieved::default() };
        let memberships = self.assemblies.memberships();
        let n = memberships.len() as f64;
        achieved.frac_in_assembly = memberships.iter().filter(|m| **m >= 1).count() as f64 / n;
        achieved.frac_in_several = memberships.iter().filter(|m| **m >= 2).count() as f64 / n;
        if variant == Variant::Rand {
            return Ok((net, achieved));
        }
        config.validate()?;
        let asm = &self.assemblies;
        let targets = RewiringTargets::of(config, variant);
        rewire_within(&mut net.e_e, asm, asm, targets.e_e, seed, rewire_id("e_e"))?;
        achieved.alpha = within_assembly_factor(&self.e_e, &net.e_e, asm, asm)?;
        if let Variant::ScaledI { chi, .. } = variant {
            net.chi = chi;
        }
        if let Some(i_e) = targets.i_e {
            // One assembly at a time, as the authors' code: I assembly k is chosen from the
            // E→I matrix that already includes the rewiring of assemblies 0..k.
            let ni = config.n_inh;
            let mut i_asms = Vec::new();
            for (k, e_asm) in asm.iter().enumerate() {
                i_asms.push(net.wire_i_assembly(config, e_asm, k as u64, i_e, targets.e_i, seed)?);
            }
            let i_set = AssemblySet::new(ni, i_asms.clone())?;
            achieved.beta = within_assembly_factor(&self.i_e, &net.i_e, &i_set, asm)?;
            if targets.e_i.is_some() {
                achieved.gamma = within_assembly_factor(&self.e_i, &net.e_i, asm, &i_set)?;
            }
            net.i_assemblies = i_asms;
        }
        Ok((net, achieved))
    }

    /// The I assembly of E assembly `e_asm` (number `index`), wired in the authors' order: the
    /// `i_assembly_size` I neurons with the most inputs from `e_asm` in the current E→I
    /// pattern (so it includes the rewiring of earlier assemblies), then I→E within the E/I
    /// assembly towards `i_e` and, with `e_i`, E→I towards `e_i` ([`RewiringTargets`]).
    pub fn wire_i_assembly(
        &mut self,
        config: &DpConfig,
        e_asm: &Assembly,
        index: u64,
        i_e: WithinTarget,
        e_i: Option<WithinTarget>,
        network_seed: u64,
    ) -> Result<Assembly, EngramError> {
        let (ne, ni) = (config.n_exc, config.n_inh);
        let i_asm = select_i_assembly(&self.e_i, config, e_asm, index, network_seed)?;
        rewire_pair(&mut self.i_e, (&i_asm, ni), (e_asm, ne), i_e, "i_e", index, network_seed)?;
        if let Some(e_i_target) = e_i {
            rewire_pair(&mut self.e_i, (e_asm, ne), (&i_asm, ni), e_i_target, "e_i", index, network_seed)?;
        }
        Ok(i_asm)
    }

    /// Weight matrices (multiplicity × w; I→E also × χ), in the order
    /// OB→E, OB→I, E→E, E→I, I→E, I→I.
    pub fn weights(&self, config: &DpConfig) -> [WeightMatrix; 6] {
        let pw = config.pathways();
        let mut i_e = self.i_e.weights(pw.i_e.w_ns);
        if self.chi != 1.0 {
            scale_weights(&mut i_e, self.chi);
        }
        [
            self.ob_e.weights(pw.ob_e.w_ns),
            self.ob_i.weights(pw.ob_i.w_ns),
            self.e_e.weights(pw.e_e.w_ns),
            self.e_i.weights(pw.e_i.w_ns),
            i_e,
            self.i_i.weights(pw.i_i.w_ns),
        ]
    }

    /// E neurons in no assembly.
    pub fn non_assembly(&self) -> Vec<u32> {
        self.assemblies.memberships().iter().enumerate().filter(|(_, m)| **m == 0).map(|(i, _)| i as u32).collect()
    }
}
