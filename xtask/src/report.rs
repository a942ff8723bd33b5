//! `cargo xtask report`: regenerate the tables of a reproduction's docs page from its committed
//! compact summary (or from a run), or check that the committed page matches it.

use std::path::PathBuf;

use anyhow::{Result, bail};
use engram_repro::report::{check_regions, rewrite_regions};
use engram_repro::reproduction;

use crate::workspace_root;

/// Options of `cargo xtask report`.
#[derive(clap::Args)]
pub struct ReportArgs {
    /// Which reproduction (those with a generated page: see the error for a name without one),
    /// `mpi-scaling` (the cost model in docs/performance.md; `--from` a summary written by
    /// `cargo xtask bench --mpi`) or `thread-scaling` (`--from` the scaling.json of
    /// `cargo xtask bench --scaling`).
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
    if args.paper == "mpi-scaling" {
        return crate::mpi_scaling::report(args.from.as_deref(), args.check);
    }
    if args.paper == "thread-scaling" {
        return crate::mpi_scaling::report_threads(args.from.as_deref(), args.check);
    }
    let with_pages: Vec<&str> = reproduction::all().iter().filter(|r| r.report().is_some()).map(|r| r.name()).collect();
    let Some(report) = reproduction::find(&args.paper).and_then(|r| r.report()) else {
        bail!(
            "no generated report for `{}`; available: {}, mpi-scaling, thread-scaling",
            args.paper,
            with_pages.join(", ")
        );
    };
    let root = workspace_root();
    let summary_path = root.join(report.summary());
    let page_name = report.page();
    let page_path = root.join(page_name);
    if args.check && args.from.is_some() {
        bail!("--check compares the committed page with the committed summary; it takes no --from");
    }
    // From a run: write its compact summary beside the committed one and move it into place
    // only once the page has been regenerated from it, so that a failure changes nothing.
    let fresh = args.from.as_ref().map(|_| summary_path.with_extension("json.new"));
    if let (Some(dir), Some(fresh)) = (&args.from, &fresh) {
        report.commit_from_run(dir, fresh)?;
    }
    let regions = report.regions(fresh.as_deref().unwrap_or(&summary_path));
    let page = std::fs::read_to_string(&page_path);
    let result = regions.map_err(anyhow::Error::from).and_then(|regions| {
        let page = page?;
        if args.check {
            check_regions(&page, &regions, page_name)?;
            println!("{page_name}: every generated table matches {}", summary_path.display());
        } else {
            std::fs::write(&page_path, rewrite_regions(&page, &regions, page_name)?)?;
            println!("wrote the generated tables of {page_name} from {}", summary_path.display());
        }
        Ok(())
    });
    if let Some(fresh) = &fresh {
        match &result {
            Ok(()) => std::fs::rename(fresh, &summary_path)?,
            Err(_) => {
                let _ = std::fs::remove_file(fresh);
            }
        }
    }
    result
}
