//! Parameters of the Dp model (Meissner-Bernard, Zenke & Friedrich, eLife 2025): network
//! structures A–D and the simple model (Table 2), variants (Table 5), sizes.

use engram_connectivity::TopSelection;
use engram_core::error::ParamError;
use engram_core::params::{Params, finite, non_negative};
use engram_neurons::LifCondParams;
use serde::{Deserialize, Serialize};

/// One pathway: connection probability and weight (Table 2; weights in nS, the paper's pS/1000).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pathway {
    /// Connection probability.
    pub p: f64,
    /// Weight of one connection, nS.
    pub w_ns: f64,
}

/// The six pathways of a Dp network.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pathways {
    /// Olfactory bulb (mitral cells) → E.
    pub ob_e: Pathway,
    /// Olfactory bulb → I.
    pub ob_i: Pathway,
    /// E → E.
    pub e_e: Pathway,
    /// E → I.
    pub e_i: Pathway,
    /// I → E.
    pub i_e: Pathway,
    /// I → I.
    pub i_i: Pathway,
}

/// The published network structures (Table 2), each fitted to the same pDp observables.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Structure {
    /// Structure A.
    A,
    /// Structure B.
    B,
    /// Structure C (fixed out-degree of mitral cells; sparser E→I and I→I).
    C,
    /// Structure D.
    D,
    /// The simple model of Fig. 4—S2: equal E and I neuron parameters.
    Simple,
}

impl Structure {
    /// The four fitted structures, in order.
    pub const FITTED: [Structure; 4] = [Structure::A, Structure::B, Structure::C, Structure::D];

    /// Table 2 of the paper: {p, w} per pathway (w converted from pS to nS).
    pub fn pathways(self) -> Pathways {
        let pw = |p: f64, w_ps: f64| Pathway { p, w_ns: w_ps / 1000.0 };
        let [ob_e, ob_i, e_e, e_i, i_e, i_i] = match self {
            Structure::A => {
                [pw(0.02, 128.0), pw(0.01, 68.0), pw(0.05, 128.0), pw(0.04, 68.0), pw(0.05, 480.0), pw(0.04, 250.0)]
            }
            Structure::B => {
                [pw(0.02, 128.0), pw(0.01, 66.0), pw(0.05, 128.0), pw(0.04, 66.0), pw(0.05, 450.0), pw(0.04, 210.0)]
            }
            Structure::C => {
                [pw(0.02, 128.0), pw(0.01, 68.0), pw(0.05, 108.0), pw(0.02, 80.0), pw(0.05, 520.0), pw(0.02, 310.0)]
            }
            Structure::D => {
                [pw(0.03, 95.0), pw(0.02, 42.0), pw(0.05, 128.0), pw(0.04, 58.0), pw(0.05, 590.0), pw(0.04, 270.0)]
            }
            Structure::Simple => {
                [pw(0.03, 160.0), pw(0.03, 160.0), pw(0.025, 370.0), pw(0.025, 370.0), pw(0.1, 1010.0), pw(0.1, 1010.0)]
            }
        };
        Pathways { ob_e, ob_i, e_e, e_i, i_e, i_i }
    }

    /// Excitatory and inhibitory neuron parameters (Table 1).
    pub fn neurons(self) -> (LifCondParams, LifCondParams) {
        match self {
            Structure::Simple => (LifCondParams::dp_simple(), LifCondParams::dp_simple()),
            _ => (LifCondParams::dp_excitatory(), LifCondParams::dp_inhibitory()),
        }
    }

    /// Short name (`A` … `D`, `simple`).
    pub fn name(self) -> &'static str {
        match self {
            Structure::A => "A",
            Structure::B => "B",
            Structure::C => "C",
            Structure::D => "D",
            Structure::Simple => "simple",
        }
    }
}

/// A network variant (Table 5): how assemblies are wired in.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub enum Variant {
    /// Random connectivity; the assemblies are "pseudo-assemblies" (same neuron sets, no rewiring).
    Rand,
    /// E assemblies (E→E within-assembly connectivity × `alpha`) with random inhibition,
    /// all I→E weights scaled by `chi`.
    ScaledI {
        /// Within-assembly E→E factor α.
        alpha: f64,
        /// Global I→E weight scale χ.
        chi: f64,
    },
    /// E assemblies plus I assemblies: I→E within the E/I assembly × `beta`.
    TunedI {
        /// α.
        alpha: f64,
        /// β (I→E within the E/I assembly).
        beta: f64,
    },
    /// E assemblies plus I assemblies: I→E × `beta` and E→I × `gamma`.
    TunedEI {
        /// α.
        alpha: f64,
        /// β.
        beta: f64,
        /// γ (E→I within the E/I assembly).
        gamma: f64,
    },
}

impl Variant {
    /// Scaled I of Table 5 (α = 5, χ = 1.4).
    pub const SCALED_I: Variant = Variant::ScaledI { alpha: 5.0, chi: 1.4 };
    /// Tuned I of Table 5 (α = 5, β = 18).
    pub const TUNED_I: Variant = Variant::TunedI { alpha: 5.0, beta: 18.0 };
    /// Tuned E+I of Table 5 (α = 5, β = 4, γ = 3).
    pub const TUNED_EI: Variant = Variant::TunedEI { alpha: 5.0, beta: 4.0, gamma: 3.0 };
    /// Scaled\[adjust\] of Fig. 4—S3 (α = 3.7, χ = 1.07).
    pub const SCALED_ADJUST: Variant = Variant::ScaledI { alpha: 3.7, chi: 1.07 };
    /// Tuned\[adjust\] of Fig. 4—S3 (α = 5, β = 11.5, γ = 3).
    pub const TUNED_ADJUST: Variant = Variant::TunedEI { alpha: 5.0, beta: 11.5, gamma: 3.0 };

    /// Short name for tables and files (`rand`, `scaled_i`, `tuned_i`, `tuned_ei`).
    pub fn name(&self) -> &'static str {
        match self {
            Variant::Rand => "rand",
            Variant::ScaledI { .. } => "scaled_i",
            Variant::TunedI { .. } => "tuned_i",
            Variant::TunedEI { .. } => "tuned_ei",
        }
    }

    /// Human-readable label (`Scaled I (α 5, χ 1.4)`).
    pub fn label(&self) -> String {
        match *self {
            Variant::Rand => "rand".into(),
            Variant::ScaledI { alpha, chi } => format!("Scaled I (α {alpha}, χ {chi})"),
            Variant::TunedI { alpha, beta } => format!("Tuned I (α {alpha}, β {beta})"),
            Variant::TunedEI { alpha, beta, gamma } => format!("Tuned E+I (α {alpha}, β {beta}, γ {gamma})"),
        }
    }

    /// α of the variant (1 for rand).
    pub fn alpha(&self) -> f64 {
        match *self {
            Variant::Rand => 1.0,
            Variant::ScaledI { alpha, .. } | Variant::TunedI { alpha, .. } | Variant::TunedEI { alpha, .. } => alpha,
        }
    }
}

/// A rewiring factor: finite and at least 1 (rewiring only adds connections within
/// assemblies).
fn factor(field: &str, value: f64) -> Result<(), ParamError> {
    if value.is_finite() && value >= 1.0 {
        Ok(())
    } else {
        Err(ParamError::new(field, value, "a finite factor >= 1 (rewiring only adds connections within assemblies)"))
    }
}

impl Params for Variant {
    fn validate(&self) -> Result<(), ParamError> {
        match *self {
            Variant::Rand => Ok(()),
            Variant::ScaledI { alpha, chi } => {
                factor("alpha", alpha).and(non_negative("chi", chi)).and(finite("chi", chi))
            }
            Variant::TunedI { alpha, beta } => factor("alpha", alpha).and(factor("beta", beta)),
            Variant::TunedEI { alpha, beta, gamma } => {
                factor("alpha", alpha).and(factor("beta", beta)).and(factor("gamma", gamma))
            }
        }
    }
}

/// How recurrent pathways are drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum RecurrentRule {
    /// Fixed in-degree p·n_pre, then out-degree balancing (the authors' matrices: in-degree SD
    /// ≈ 1 %; default).
    FixedInDegree,
    /// Bernoulli with probability p, then out-degree balancing (in-degree SD ≈ 7 %).
    Bernoulli,
}

/// How many within-assembly connections the structured variants rewire in.
///
/// The authors' code gives every member of an assembly the same number of inputs from its
/// assembly (`pE`, `pI`, `pEI`), whatever that assembly had before; engram's first generator
/// asked instead for the same *factor* α, β, γ per assembly, which gives assemblies that were
/// already better connected more connections still. On the authors' own rand networks the
/// second rule turns their Scaled I (22.5 Hz, 7.3×, co-tuning 0.07 with fixed counts) into
/// engram's old one (15.8 Hz, 5.2×, 0.10; `reproduce dp-authors`, docs/models/dp.md#variants).
///
/// ```
/// use engram_models::dp::{Rewiring, Variant};
/// // the counts the authors' networks were built with: pE, pI (25 for Tuned I, 5 for Tuned E+I), pEI
/// assert_eq!(Rewiring::reference_counts(Variant::TUNED_EI), Some(Rewiring::Counts { p_e: 25, p_i: 5, p_ei: 25 }));
/// assert_eq!(Rewiring::reference_counts(Variant::SCALED_ADJUST), None); // no stored counts: factors
/// // a quarter-size network (25 E, 6 I per assembly): pI = 25 does not fit, β applies there
/// assert_eq!(Rewiring::Reference.counts(Variant::TUNED_I, 25, 6), (Some(25), None, Some(25)));
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum Rewiring {
    /// The authors' fixed counts for the variants they built ([`Rewiring::reference_counts`]:
    /// Table 5's Scaled I, Tuned I, Tuned E+I and Fig. 4—S3's Tuned\[adjust\]) where they fit
    /// the network ([`Rewiring::counts`]), in the fitted structures A–D; the factors
    /// everywhere else, the simple model of Fig. 4—S2 included (default).
    #[default]
    Reference,
    /// The variant's factors α, β, γ per assembly: each assembly's target is the count of
    /// distinct presynaptic members whose predicted mean within-assembly input is closest to
    /// the factor × that assembly's own input before rewiring, so every assembly gets the
    /// factor almost exactly (and better-connected assemblies get more connections).
    Factors,
    /// Fixed counts, as the authors' code rewires (`introduce_assemblies.m`): every E member
    /// gets `p_e` distinct E members of its assembly as inputs, every E member `p_i` members
    /// of its I assembly, every I member `p_ei` members of its E assembly (Tuned E+I only).
    /// The achieved factors then spread with each assembly's baseline. The variant's α, β, γ
    /// are not used (χ is).
    Counts {
        /// E→E inputs from the own assembly per E member (the code's `pE`).
        p_e: u32,
        /// I→E inputs from the own I assembly per E member (`pI`).
        p_i: u32,
        /// E→I inputs from the own E assembly per I member (`pEI`).
        p_ei: u32,
    },
}

impl Rewiring {
    /// The counts the authors' networks were built with: `pE` 25, `pI` 25 (Table 5's Scaled I
    /// and Tuned I), 5 (Tuned E+I) or 13 (Fig. 4—S3's Tuned\[adjust\]), `pEI` 25; `None` for
    /// rand and every other variant.
    pub fn reference_counts(variant: Variant) -> Option<Rewiring> {
        let p_i = match variant {
            v if v == Variant::SCALED_I || v == Variant::TUNED_I => 25,
            v if v == Variant::TUNED_EI => 5,
            v if v == Variant::TUNED_ADJUST => 13,
            _ => return None,
        };
        Some(Rewiring::Counts { p_e: 25, p_i, p_ei: 25 })
    }

    /// The count of each pathway for `variant` that this rule asks for, `(pE, pI, pEI)`, each
    /// `None` where the factor applies instead: [`Counts`](Rewiring::Counts) gives its own,
    /// [`Reference`](Rewiring::Reference) the authors' counts where they fit (a count above
    /// its presynaptic group's size, `assembly_size` E or `i_assembly_size` I members, as in
    /// networks scaled down 8×, falls back to the factor, which reaches it through multiple
    /// connections), [`Factors`](Rewiring::Factors) none.
    pub fn counts(
        self,
        variant: Variant,
        assembly_size: usize,
        i_assembly_size: usize,
    ) -> (Option<u32>, Option<u32>, Option<u32>) {
        match self {
            Rewiring::Factors => (None, None, None),
            Rewiring::Counts { p_e, p_i, p_ei } => (Some(p_e), Some(p_i), Some(p_ei)),
            Rewiring::Reference => match Rewiring::reference_counts(variant) {
                Some(Rewiring::Counts { p_e, p_i, p_ei }) => {
                    let fit = |count: u32, size: usize| (count as usize <= size).then_some(count);
                    (fit(p_e, assembly_size), fit(p_i, i_assembly_size), fit(p_ei, assembly_size))
                }
                _ => (None, None, None),
            },
        }
    }
}

/// A Dp network: sizes, structure, variant and everything that defines one instance.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DpConfig {
    /// Network structure (Table 2).
    pub structure: Structure,
    /// Variant (Table 5).
    pub variant: Variant,
    /// Excitatory neurons.
    pub n_exc: usize,
    /// Inhibitory neurons.
    pub n_inh: usize,
    /// Mitral cells of the olfactory bulb.
    pub n_mitral_cells: usize,
    /// Learned odors, each with an assembly (the first ones are presented as "learned").
    pub n_assemblies: usize,
    /// E neurons per assembly.
    pub assembly_size: usize,
    /// I neurons per I assembly (Tuned variants).
    pub i_assembly_size: usize,
    /// How recurrent pathways are drawn.
    pub recurrent: RecurrentRule,
    /// How E assemblies (from the odors' inputs) and I assemblies (from the E assemblies'
    /// inputs) are picked among the neurons with the most inputs: `ReferenceCode` (default)
    /// draws them from everyone at or above the threshold, as the authors' code and networks
    /// do; `Strict` takes everyone above it first.
    pub assembly_selection: TopSelection,
    /// How many within-assembly connections the structured variants rewire in: the authors'
    /// fixed counts where they built the variant (default), the variant's factors per
    /// assembly, or counts of your own.
    pub rewiring: Rewiring,
    /// Replace the pathways of the structure (for sweeps and sensitivity tests).
    pub pathways: Option<Pathways>,
}

impl Default for DpConfig {
    fn default() -> Self {
        Self {
            structure: Structure::A,
            variant: Variant::Rand,
            n_exc: 4000,
            n_inh: 1000,
            n_mitral_cells: 1500,
            n_assemblies: 15,
            assembly_size: 100,
            i_assembly_size: 25,
            recurrent: RecurrentRule::FixedInDegree,
            assembly_selection: TopSelection::ReferenceCode,
            rewiring: Rewiring::Reference,
            pathways: None,
        }
    }
}

impl DpConfig {
    /// The pathways in force.
    pub fn pathways(&self) -> Pathways {
        self.pathways.unwrap_or_else(|| self.structure.pathways())
    }

    /// A scaled-down network for tests: sizes divided by `factor`, in-degrees kept by scaling
    /// the probabilities (so per-neuron input statistics stay as in the full model).
    ///
    /// The result carries explicit pathways (those in force, scaled), so choose the structure
    /// first: `DpConfig { structure: Structure::C, ..scaled }` would keep the old structure's
    /// pathways.
    ///
    /// ```
    /// use engram_models::dp::{DpConfig, Structure};
    /// let c = DpConfig { structure: Structure::C, ..DpConfig::default() }.scaled_down(4);
    /// assert_eq!(c.n_exc, 1000);
    /// assert_eq!(c.pathways().i_e.w_ns, Structure::C.pathways().i_e.w_ns);
    /// ```
    pub fn scaled_down(&self, factor: usize) -> Self {
        let f = factor.max(1) as f64;
        let mut pw = self.pathways();
        for p in [&mut pw.ob_e, &mut pw.ob_i, &mut pw.e_e, &mut pw.e_i, &mut pw.i_e, &mut pw.i_i] {
            p.p = (p.p * f).min(1.0);
        }
        Self {
            n_exc: self.n_exc / factor,
            n_inh: self.n_inh / factor,
            n_mitral_cells: self.n_mitral_cells / factor,
            assembly_size: self.assembly_size / factor,
            i_assembly_size: (self.i_assembly_size / factor).max(1),
            pathways: Some(pw),
            ..self.clone()
        }
    }
}

impl Params for DpConfig {
    fn validate(&self) -> Result<(), ParamError> {
        for (name, n) in [("n_exc", self.n_exc), ("n_inh", self.n_inh), ("n_mitral_cells", self.n_mitral_cells)] {
            if n == 0 {
                return Err(ParamError::new(name, 0, "at least 1"));
            }
        }
        if self.assembly_size == 0 || self.assembly_size > self.n_exc {
            return Err(ParamError::new("assembly_size", self.assembly_size, format!("1..={} (n_exc)", self.n_exc)));
        }
        if self.i_assembly_size == 0 || self.i_assembly_size > self.n_inh {
            return Err(ParamError::new(
                "i_assembly_size",
                self.i_assembly_size,
                format!("1..={} (n_inh)", self.n_inh),
            ));
        }
        let pw = self.pathways();
        for (name, p) in
            [("ob_e", pw.ob_e), ("ob_i", pw.ob_i), ("e_e", pw.e_e), ("e_i", pw.e_i), ("i_e", pw.i_e), ("i_i", pw.i_i)]
        {
            engram_core::params::probability(&format!("pathways.{name}.p"), p.p)?;
            non_negative(&format!("pathways.{name}.w_ns"), p.w_ns)?;
        }
        if let Rewiring::Counts { p_e, p_i, p_ei } = self.rewiring {
            for (name, count, max) in [
                ("rewiring.p_e", p_e, self.assembly_size),
                ("rewiring.p_i", p_i, self.i_assembly_size),
                ("rewiring.p_ei", p_ei, self.assembly_size),
            ] {
                if count as usize > max {
                    return Err(ParamError::new(name, count, format!("0..={max} (the presynaptic group's size)")));
                }
            }
        }
        self.variant.validate().map_err(|e| e.within("variant"))
    }
}
