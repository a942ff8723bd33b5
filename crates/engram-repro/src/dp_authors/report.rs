//! The dp-authors report: the tables of `docs/reproduction/dp-authors.md`, generated from the
//! typed [`AuthorsNumbers`] of a run, beside engram's own networks as the committed `reproduce
//! dp` summary (`docs/reproduction/dp/summary.json`) gives them.
//!
//! `cargo xtask report dp-authors --from runs/dp-authors` commits the numbers of a run to
//! `docs/reproduction/dp-authors/summary.json` and rewrites the page's marked regions; a test
//! fails when the committed page and the committed summaries disagree. The page's engram
//! rows therefore change when the dp summary is recommitted: rerun `cargo xtask report
//! dp-authors` (no `--from`) then.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::{Path, PathBuf};

use engram_core::error::EngramError;
use serde::{Deserialize, Serialize};

use super::structure::StructureMeans;
use super::structure_tables;
use crate::dp::fig1::InhibitionStabilisation;
use crate::dp::report::{DpNumbers, VariantSets, fmt, fmt_ms};

/// The numbers of a dp-authors run that its page shows (a compact summary; a run's full
/// `summary.json` holds them among more).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuthorsNumbers {
    /// Always false (dp-authors has no quick version); kept for the report machinery.
    #[serde(default)]
    pub quick: bool,
    /// The authors' networks run.
    pub networks: Vec<String>,
    /// Wall-clock seconds of the run.
    pub wall_s: f64,
    /// CPU seconds of the run.
    pub cpu_s: f64,
    /// Per variant: the measures on the authors' networks.
    pub variants: BTreeMap<String, VariantSets>,
    /// Per variant: engram's generator on the authors' odors, driven by the authors' spikes.
    pub generated_variants: BTreeMap<String, VariantSets>,
    /// Per rewiring rule (`factors`, `counts`) and variant: engram's rewiring of the authors'
    /// rand networks, driven by the authors' spikes.
    pub rewired_variants: BTreeMap<String, BTreeMap<String, VariantSets>>,
    /// Fig. 1's inhibition-stabilisation test on the authors' rand networks.
    pub shuffle: InhibitionStabilisation,
    /// The same test on engram's generator for the authors' odors, the same trials.
    pub shuffle_generated: InhibitionStabilisation,
    /// The connectivity comparison, averaged per source and variant.
    pub structure: Vec<StructureMeans>,
}

fn bad(path: &Path, what: impl std::fmt::Display) -> EngramError {
    EngramError::Other(format!("{}: {what}", path.display()))
}

/// The committed `reproduce dp` summary, whose variants table gives engram's own networks.
pub fn dp_summary_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/reproduction/dp/summary.json")
}

impl AuthorsNumbers {
    /// Read the numbers from a run's full `summary.json`.
    pub fn from_run(summary_json: &Path) -> Result<Self, EngramError> {
        let text = std::fs::read_to_string(summary_json).map_err(|e| bad(summary_json, e))?;
        serde_json::from_str(&text).map_err(|e| bad(summary_json, format!("not a dp-authors summary.json: {e}")))
    }

    /// Read a committed compact summary written by [`save`](Self::save); a field these
    /// numbers do not hold is an error.
    pub fn load(path: &Path) -> Result<Self, EngramError> {
        crate::report::load_compact(path, "dp-authors")
    }

    /// Write them as pretty JSON.
    pub fn save(&self, path: &Path) -> Result<(), EngramError> {
        crate::report::save_compact(self, path)
    }

    /// The generated regions of the docs page, with engram's own networks from the
    /// committed dp summary (its variants table left out if it cannot be read).
    pub fn regions(&self) -> Vec<(String, String)> {
        let own = DpNumbers::load(&dp_summary_path()).ok();
        self.regions_with(own.as_ref())
    }

    /// The regions, with engram's own networks from `own`.
    pub fn regions_with(&self, own: Option<&DpNumbers>) -> Vec<(String, String)> {
        let m = &self.structure;
        vec![
            ("authors-run".into(), self.run_line()),
            ("authors-variants".into(), self.variants_table(own)),
            ("authors-shuffle".into(), self.shuffle_table(own)),
            ("authors-structure-networks".into(), structure_tables::networks_line(m)),
            ("authors-structure-degrees".into(), structure_tables::degrees_table(m)),
            ("authors-structure-assemblies".into(), structure_tables::assemblies_table(m)),
            ("authors-structure-rewiring".into(), structure_tables::rewiring_table(m)),
            ("authors-rewiring-rules".into(), structure_tables::rewiring_rules_table(m)),
            ("authors-structure-i".into(), structure_tables::i_assemblies_table(m)),
        ]
    }

    fn run_line(&self) -> String {
        format!(
            "Networks {}; this run took {:.0} s wall, {:.0} s CPU (including the structure comparison and engram's networks on the authors' odors).",
            self.networks.join(", "),
            self.wall_s,
            self.cpu_s
        )
    }

    /// Learned odors (and the novel E rate), mean ± SD over networks: the authors' networks,
    /// engram's generator on the authors' odors and spikes, engram's own networks and odors.
    fn variants_table(&self, own: Option<&DpNumbers>) -> String {
        let mut out = String::from(
            "| variant | networks | E rate (Hz), learned / novel | assembly rate (Hz) | amplification in / out | after offset (Hz) | co-tuning r | SD ratio | ISI CV |\n|---|---|---|---|---|---|---|---|---|\n",
        );
        let row = |out: &mut String, variant: &str, who: &str, v: &VariantSets| {
            let l = |k: &str| v.learned.get(k).copied().unwrap_or_default();
            let n = |k: &str| v.novel.get(k).copied().unwrap_or_default();
            let _ = writeln!(
                out,
                "| {variant} | {who} | {} / {} | {} | {} / {} | {} | {} | {} | {} |",
                fmt(l("e_rate_odor_hz").mean, 2),
                fmt(n("e_rate_odor_hz").mean, 2),
                fmt_ms(l("assembly_rate_hz"), 1),
                fmt_ms(l("amplification_in"), 1),
                fmt(l("amplification_out").mean, 2),
                fmt_ms(l("assembly_rate_after_offset_hz"), 2),
                fmt_ms(l("cotuning_r"), 2),
                fmt_ms(l("balanced_sd_ratio"), 2),
                fmt_ms(l("isi_cv_assembly"), 2),
            );
        };
        for variant in ["rand", "scaled_i", "tuned_i", "tuned_ei"] {
            if let Some(v) = self.variants.get(variant) {
                row(&mut out, variant, "the authors'", v);
            }
            for (rule, who) in [
                ("factors", "the authors' rand, rewired by engram (factors)"),
                ("counts", "the authors' rand, rewired by engram (the authors' counts)"),
            ] {
                if variant == "rand" {
                    break; // the rewiring leaves rand as it is
                }
                if let Some(v) = self.rewired_variants.get(rule).and_then(|r| r.get(variant)) {
                    row(&mut out, variant, who, v);
                }
            }
            if let Some(v) = self.generated_variants.get(variant) {
                row(&mut out, variant, "engram's on the authors' odors", v);
            }
            if let Some(v) = own.and_then(|o| o.variants.get(variant)) {
                row(&mut out, variant, "engram's own (dp summary)", v);
            }
        }
        if let Some(o) = own {
            let _ =
                write!(out, "\nengram's own: the committed `reproduce dp` run, networks {}.", o.networks.join(", "));
        }
        out
    }

    /// The runaway probability per shuffling scheme on the authors' rand networks beside
    /// engram's own (the committed dp summary's Fig. 1).
    fn shuffle_table(&self, own: Option<&DpNumbers>) -> String {
        let mut out = String::from(
            "| scheme | P(runaway), the authors' networks | per network | engram's generator, the same trials | engram's own networks and odors (dp summary) |\n|---|---|---|---|---|\n",
        );
        let own_schemes = own
            .and_then(|o| o.fig1.as_ref())
            .and_then(|f| f.inhibition_stabilisation.shuffle_schemes.clone())
            .unwrap_or_default();
        let generated = self.shuffle_generated.shuffle_schemes.clone().unwrap_or_default();
        let ms = |p: &crate::dp::fig1::RunawayProbability| format!("{:.2} ± {:.2}", p.mean, p.sd);
        let _ = writeln!(
            out,
            "| replayed, unshuffled (control) | {} | | {} | |",
            ms(&self.shuffle.p_runaway_replayed_control),
            ms(&self.shuffle_generated.p_runaway_replayed_control)
        );
        for s in self.shuffle.shuffle_schemes.iter().flatten() {
            let per: Vec<String> = s.p_runaway.per_network.iter().map(|p| format!("{p:.1}")).collect();
            let of = |list: &[crate::dp::fig1::ShuffleOutcome]| {
                list.iter().find(|o| o.scheme == s.scheme).map_or("–".to_string(), |o| ms(&o.p_runaway))
            };
            let _ = writeln!(
                out,
                "| `{}` | {} | {} | {} | {} |",
                s.scheme,
                ms(&s.p_runaway),
                per.join(", "),
                of(&generated),
                own_schemes
                    .iter()
                    .find(|o| o.scheme == s.scheme)
                    .map_or("–".to_string(), |o| format!("{:.2} ± {:.2}", o.p_runaway.mean, o.p_runaway.sd))
            );
        }
        let _ = write!(
            out,
            "\nRunaway: E above {} Hz in the odor window; {} learned trials per network; the paper: {}.",
            self.shuffle.runaway_rate_hz, self.shuffle.odors_per_network, self.shuffle.paper_p_runaway_shuffled
        );
        out
    }

    /// The run's `report.md` section: every generated table under a heading.
    pub fn report_md(&self) -> String {
        let mut out = String::new();
        for (name, text) in self.regions() {
            let _ = write!(out, "\n### {name}\n\n{}\n", text.trim_end());
        }
        out
    }
}
