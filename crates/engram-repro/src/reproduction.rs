//! The reproductions of papers behind one trait, so that `cargo xtask reproduce <name>` is one
//! code path and `cargo xtask reproduce --list` names them all.
//!
//! ```
//! use engram_repro::reproduction::{all, find};
//! let names: Vec<&str> = all().iter().map(|r| r.name()).collect();
//! assert_eq!(names, ["dp", "dp-authors", "dp-learned", "drift", "vogels2011"]);
//! let v = find("vogels2011").unwrap();
//! assert_eq!(v.default_seed(), 2011);
//! assert!(v.figures().is_none() && !v.takes_networks());
//! assert_eq!(find("dp").unwrap().figures(), Some(1..=6));
//! // dp-authors reads the authors' files, from ../shared/pdp-model unless told otherwise
//! let a = find("dp-authors").unwrap();
//! assert_eq!(a.default_data(), Some("../shared/pdp-model"));
//! assert!(!a.has_quick() && !a.takes_seed());
//! ```

use std::ops::RangeInclusive;
use std::path::{Path, PathBuf};

use engram_core::error::EngramError;

use crate::jobs::Spread;

/// What a user asks of a reproduction (what applies depends on it: see
/// [`Reproduction::figures`] and [`Reproduction::takes_networks`]).
#[derive(Clone, Debug)]
pub struct Options {
    /// The quick version (minutes).
    pub quick: bool,
    /// A test-only size that runs the whole pipeline in seconds (reproductions without one
    /// refuse it); its numbers mean nothing.
    pub tiny: bool,
    /// Experiment seed; `None` = the reproduction's [default](Reproduction::default_seed).
    pub seed: Option<u64>,
    /// Output directory (a run directory being written).
    pub out: PathBuf,
    /// Show progress.
    pub progress: bool,
    /// Only these figures (empty = all), for reproductions with figures.
    pub figures: Vec<u32>,
    /// Networks per structure, for reproductions that take it; `None` = their default.
    pub networks: Option<usize>,
    /// The folder of the input files, for reproductions that read some
    /// ([`Reproduction::default_data`]); `None` for the others.
    pub data: Option<PathBuf>,
    /// Where the simulations run: on this process (the default), or spread over ranks for
    /// reproductions that [spread](Reproduction::spreads) (`engram-mpi reproduce`). Over
    /// several ranks, every rank calls [`Reproduction::run`] with its own `out`; only rank 0's
    /// is kept.
    pub spread: Spread,
}

/// A reproduction of a paper or study.
pub trait Reproduction: Sync {
    /// The name on the command line (`dp`).
    fn name(&self) -> &'static str;
    /// One line: the paper and what is reproduced.
    fn describe(&self) -> &'static str;
    /// The seed used when the user gives none (a user-given seed is always used).
    fn default_seed(&self) -> u64;
    /// The figures `--figure` may select, if the reproduction has them.
    fn figures(&self) -> Option<RangeInclusive<u32>> {
        None
    }
    /// Whether `--networks` applies.
    fn takes_networks(&self) -> bool {
        false
    }
    /// Whether it has a [`quick`](Options::quick) version (one without refuses `quick`).
    fn has_quick(&self) -> bool {
        true
    }
    /// Whether [`seed`](Options::seed) changes anything (one without randomness refuses it).
    fn takes_seed(&self) -> bool {
        true
    }
    /// For a reproduction that reads input files: the default folder of [`data`](Options::data),
    /// relative to the repository root.
    fn default_data(&self) -> Option<&'static str> {
        None
    }
    /// Whether it has a test-only [`tiny`](Options::tiny) size (one without must refuse
    /// `tiny` rather than run at full size).
    fn has_tiny(&self) -> bool {
        false
    }
    /// Whether its simulations can be spread over ranks ([`Options::spread`]); one that cannot
    /// runs everything on each rank given, so `engram-mpi reproduce` refuses several ranks.
    fn spreads(&self) -> bool {
        false
    }
    /// Run it into `options.out`; returns its summary (also written there).
    fn run(&self, options: &Options) -> Result<serde_json::Value, EngramError>;
    /// Its generated docs page, if it has one.
    fn report(&self) -> Option<&'static dyn Report> {
        None
    }
}

/// A docs page whose marked tables are generated from a committed compact summary of a full
/// run (`cargo xtask report <name> [--from RUN] [--check]`).
pub trait Report: Sync {
    /// The page, relative to the workspace root (`docs/reproduction/dp.md`).
    fn page(&self) -> &'static str;
    /// The committed compact summary, relative to the workspace root.
    fn summary(&self) -> &'static str;
    /// Read the full `summary.json` of the run directory `run`, refuse a quick (or tiny) run,
    /// and write its compact summary to `to`.
    fn commit_from_run(&self, run: &Path, to: &Path) -> Result<(), EngramError>;
    /// The generated regions `(name, Markdown)` from the compact summary at `summary`.
    fn regions(&self, summary: &Path) -> Result<Vec<(String, String)>, EngramError>;
}

/// The compact numbers behind a generated page: read from a run, committed, turned into regions.
trait PageNumbers: Sized {
    fn from_run(summary_json: &Path) -> Result<Self, EngramError>;
    fn load(path: &Path) -> Result<Self, EngramError>;
    fn save(&self, path: &Path) -> Result<(), EngramError>;
    fn quick(&self) -> bool;
    fn regions(&self) -> Vec<(String, String)>;
    /// Why a run cannot be committed to the page (default: a quick run; the page reports
    /// the full one).
    fn refusal(&self) -> Option<&'static str> {
        self.quick().then_some("is a --quick run; the docs page reports the full run")
    }
}

macro_rules! page_numbers {
    ($t:ty) => {
        impl PageNumbers for $t {
            fn from_run(summary_json: &Path) -> Result<Self, EngramError> {
                <$t>::from_run(summary_json)
            }
            fn load(path: &Path) -> Result<Self, EngramError> {
                <$t>::load(path)
            }
            fn save(&self, path: &Path) -> Result<(), EngramError> {
                <$t>::save(self, path)
            }
            fn quick(&self) -> bool {
                self.quick
            }
            fn regions(&self) -> Vec<(String, String)> {
                <$t>::regions(self)
            }
        }
    };
}
page_numbers!(crate::dp::report::DpNumbers);
page_numbers!(crate::dp_learned::report::LearnedNumbers);
page_numbers!(crate::dp_authors::report::AuthorsNumbers);
page_numbers!(crate::vogels2011::report::CompactSummary);

/// A docs page generated from the compact numbers `N`.
struct PageReport<N> {
    page: &'static str,
    summary: &'static str,
    numbers: std::marker::PhantomData<fn() -> N>,
}

impl<N: PageNumbers> Report for PageReport<N> {
    fn page(&self) -> &'static str {
        self.page
    }
    fn summary(&self) -> &'static str {
        self.summary
    }
    fn commit_from_run(&self, run: &Path, to: &Path) -> Result<(), EngramError> {
        let numbers = N::from_run(&run.join("summary.json"))?;
        if let Some(why) = numbers.refusal() {
            return Err(EngramError::Other(format!("{} {why}", run.display())));
        }
        numbers.save(to)
    }
    fn regions(&self, summary: &Path) -> Result<Vec<(String, String)>, EngramError> {
        Ok(N::load(summary)?.regions())
    }
}

static DP_REPORT: PageReport<crate::dp::report::DpNumbers> = PageReport {
    page: "docs/reproduction/dp.md",
    summary: "docs/reproduction/dp/summary.json",
    numbers: std::marker::PhantomData,
};
static DP_LEARNED_REPORT: PageReport<crate::dp_learned::report::LearnedNumbers> = PageReport {
    page: "docs/reproduction/dp-learned.md",
    summary: "docs/reproduction/dp-learned/summary.json",
    numbers: std::marker::PhantomData,
};
static VOGELS_REPORT: PageReport<crate::vogels2011::report::CompactSummary> = PageReport {
    page: "docs/reproduction/vogels2011.md",
    summary: "docs/reproduction/vogels2011/summary.json",
    numbers: std::marker::PhantomData,
};

/// The drift page reports two runs, the full protocol and `--quick` (which alone runs the
/// class controls C3a–c and C5): its committed summary holds both
/// ([`DriftPage`](crate::drift::report::DriftPage)), and a run replaces its own part.
struct DriftReport;

impl Report for DriftReport {
    fn page(&self) -> &'static str {
        "docs/reproduction/drift.md"
    }
    fn summary(&self) -> &'static str {
        "docs/reproduction/drift/summary.json"
    }
    fn commit_from_run(&self, run: &Path, to: &Path) -> Result<(), EngramError> {
        let s: crate::drift::DriftSummary = crate::report::load_compact(&run.join("summary.json"), "drift")?;
        if s.scale_down >= 8 {
            return Err(EngramError::Other(format!(
                "{} is a test-only tiny run; the docs page reports the full and the --quick runs",
                run.display()
            )));
        }
        // the other part comes from the committed summary (`to` is it with `.new` appended)
        let committed = if to.extension().is_some_and(|e| e == "new") { to.with_extension("") } else { to.into() };
        let mut page: crate::drift::report::DriftPage =
            if committed.is_file() { crate::report::load_compact(&committed, "drift")? } else { Default::default() };
        if s.quick {
            page.quick = Some(s);
        } else {
            page.full = Some(s);
        }
        crate::report::save_compact(&page, to)
    }
    fn regions(&self, summary: &Path) -> Result<Vec<(String, String)>, EngramError> {
        Ok(crate::report::load_compact::<crate::drift::report::DriftPage>(summary, "drift")?.regions())
    }
}

static DRIFT_REPORT: DriftReport = DriftReport;

static DP_AUTHORS_REPORT: PageReport<crate::dp_authors::report::AuthorsNumbers> = PageReport {
    page: "docs/reproduction/dp-authors.md",
    summary: "docs/reproduction/dp-authors/summary.json",
    numbers: std::marker::PhantomData,
};

struct Dp;
struct DpAuthors;
struct DpLearned;
struct Drift;
struct Vogels2011;

impl Reproduction for Dp {
    fn name(&self) -> &'static str {
        "dp"
    }
    fn has_tiny(&self) -> bool {
        true
    }
    fn describe(&self) -> &'static str {
        "Meissner-Bernard, Zenke & Friedrich, eLife 2025: the precisely balanced Dp memory network, Figs 1-6"
    }
    fn default_seed(&self) -> u64 {
        2025
    }
    fn figures(&self) -> Option<RangeInclusive<u32>> {
        Some(1..=6)
    }
    fn takes_networks(&self) -> bool {
        true
    }
    fn spreads(&self) -> bool {
        true
    }
    fn run(&self, o: &Options) -> Result<serde_json::Value, EngramError> {
        crate::dp::reproduce(crate::dp::ReproduceOptions {
            figures: o.figures.clone(),
            networks_per_structure: o.networks.unwrap_or(2),
            quick: o.quick || o.tiny,
            scale_down: if o.tiny { 8 } else { 1 },
            seed: o.seed.unwrap_or(self.default_seed()),
            out: o.out.clone(),
            progress: o.progress,
            spread: o.spread.clone(),
        })
    }
    fn report(&self) -> Option<&'static dyn Report> {
        Some(&DP_REPORT)
    }
}

impl Reproduction for DpAuthors {
    fn name(&self) -> &'static str {
        "dp-authors"
    }
    fn describe(&self) -> &'static str {
        "the Dp paper's Fig. 2 measures on the authors' own networks (A1, B4, C1, D1) and input spikes (their .mat files; --data DIR)"
    }
    fn default_seed(&self) -> u64 {
        2025
    }
    fn has_quick(&self) -> bool {
        false
    }
    fn takes_seed(&self) -> bool {
        false
    }
    fn default_data(&self) -> Option<&'static str> {
        Some("../shared/pdp-model")
    }
    fn spreads(&self) -> bool {
        true
    }
    fn run(&self, o: &Options) -> Result<serde_json::Value, EngramError> {
        let Some(data) = o.data.clone() else {
            return Err(EngramError::Other(
                "dp-authors needs the folder of the authors' .mat files (Options::data; --data DIR)".into(),
            ));
        };
        if o.quick || o.tiny {
            return Err(EngramError::Other("dp-authors has no quick or tiny version (it runs in minutes)".into()));
        }
        crate::dp_authors::reproduce(crate::dp_authors::AuthorsOptions {
            data,
            out: o.out.clone(),
            progress: o.progress,
            spread: o.spread.clone(),
        })
    }
    fn report(&self) -> Option<&'static dyn Report> {
        Some(&DP_AUTHORS_REPORT)
    }
}

impl Reproduction for DpLearned {
    fn name(&self) -> &'static str {
        "dp-learned"
    }
    fn describe(&self) -> &'static str {
        "can inhibitory plasticity learn the Dp network's E/I assemblies? (iSTDP on I->E, optional E->I STDP)"
    }
    fn default_seed(&self) -> u64 {
        2025
    }
    fn has_tiny(&self) -> bool {
        true
    }
    fn run(&self, o: &Options) -> Result<serde_json::Value, EngramError> {
        crate::dp_learned::reproduce(crate::dp_learned::LearnedOptions {
            quick: o.quick || o.tiny,
            scale_down: if o.tiny { 8 } else { 1 },
            seed: o.seed.unwrap_or(self.default_seed()),
            out: o.out.clone(),
            progress: o.progress,
        })
    }
    fn report(&self) -> Option<&'static dyn Report> {
        Some(&DP_LEARNED_REPORT)
    }
}

impl Reproduction for Drift {
    fn name(&self) -> &'static str {
        "drift"
    }
    fn describe(&self) -> &'static str {
        "representational drift on the Dp network: synaptic volatility, odor schedules, controls (Schoonover 2021, Morales 2025)"
    }
    fn default_seed(&self) -> u64 {
        2021
    }
    fn has_tiny(&self) -> bool {
        true
    }
    fn run(&self, o: &Options) -> Result<serde_json::Value, EngramError> {
        crate::drift::reproduce(crate::drift::DriftOptions {
            quick: o.quick || o.tiny,
            scale_down: if o.tiny { 8 } else { 1 },
            seed: o.seed.unwrap_or(self.default_seed()),
            networks: 1,
            out: o.out.clone(),
            progress: o.progress,
        })
    }
    fn report(&self) -> Option<&'static dyn Report> {
        Some(&DRIFT_REPORT)
    }
}

impl Reproduction for Vogels2011 {
    fn name(&self) -> &'static str {
        "vogels2011"
    }
    fn describe(&self) -> &'static str {
        "Vogels, Sprekeler, Zenke, Clopath & Gerstner, Science 2011: inhibitory plasticity, one neuron and a memory network"
    }
    fn default_seed(&self) -> u64 {
        2011
    }
    fn has_tiny(&self) -> bool {
        true
    }
    fn run(&self, o: &Options) -> Result<serde_json::Value, EngramError> {
        crate::vogels2011::reproduce(crate::vogels2011::ReproduceOptions {
            quick: o.quick,
            tiny: o.tiny,
            seed: o.seed.unwrap_or(self.default_seed()),
            out: o.out.clone(),
            progress: o.progress,
        })
    }
    fn report(&self) -> Option<&'static dyn Report> {
        Some(&VOGELS_REPORT)
    }
}

/// Every reproduction, in the order `--list` prints them.
pub fn all() -> [&'static dyn Reproduction; 5] {
    [&Dp, &DpAuthors, &DpLearned, &Drift, &Vogels2011]
}

/// The reproduction called `name`.
pub fn find(name: &str) -> Option<&'static dyn Reproduction> {
    all().into_iter().find(|r| r.name() == name)
}
