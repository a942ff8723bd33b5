//! `cargo xtask report`: regenerate the tables of a reproduction's docs page from its committed
//! compact summary (or from a run), or check that the committed page matches it.

use std::path::PathBuf;

use anyhow::{Result, bail};
use engram_repro::report::{check_regions, rewrite_regions};
use engram_repro::vogels2011::report::CompactSummary;

use crate::workspace_root;

/// Options of `cargo xtask report`.
#[derive(clap::Args)]
pub struct ReportArgs {
    /// Which reproduction: `vogels2011` (the others' pages are not generated yet).
    paper: String,
    /// A run directory (with its `summary.json`): take the numbers from it and commit its
    /// compact summary to `docs/reproduction/<paper>/summary.json`.
    #[arg(long)]
    from: Option<PathBuf>,
    /// Only check that the committed page is what the committed summary generates.
    #[arg(long)]
    check: bool,
}

/// Run `cargo xtask report`.
pub fn report(args: ReportArgs) -> Result<()> {
    if args.paper != "vogels2011" {
        bail!("no generated report for `{}` yet; available: vogels2011", args.paper);
    }
    let root = workspace_root();
    let summary_path = root.join("docs/reproduction/vogels2011/summary.json");
    let page_name = "docs/reproduction/vogels2011.md";
    let page_path = root.join(page_name);
    let compact = match &args.from {
        Some(_) if args.check => {
            bail!("--check compares the committed page with the committed summary; it takes no --from")
        }
        Some(dir) => {
            let compact = CompactSummary::from_run(&dir.join("summary.json"))?;
            if compact.quick {
                bail!("{} is a --quick run; the docs page reports the full run", dir.display());
            }
            compact.save(&summary_path)?;
            compact
        }
        None => CompactSummary::load(&summary_path)?,
    };
    let page = std::fs::read_to_string(&page_path)?;
    if args.check {
        check_regions(&page, &compact.regions(), page_name)?;
        println!("{page_name}: every generated table matches {}", summary_path.display());
    } else {
        std::fs::write(&page_path, rewrite_regions(&page, &compact.regions(), page_name)?)?;
        println!("wrote the generated tables of {page_name} from {}", summary_path.display());
    }
    Ok(())
}
