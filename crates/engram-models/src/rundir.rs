//! Run directories that never lose a user's data: written aside, renamed on success, replaced
//! only where engram wrote them.
//!
//! A run writes into `OUT.partial-<pid>` beside `OUT`, whose first file is the marker
//! `.engram-run`. Only when the run has succeeded is the partial folder renamed to `OUT`; an
//! earlier run in `OUT` is kept until then. `--force` (`force = true`) replaces `OUT` only if it
//! carries the marker and holds nothing but the files listed in it (what engram wrote), and
//! never `/`, the home folder, the current folder or one above it, a git work tree or a Cargo
//! project.
//!
//! ```
//! use engram_models::rundir::RunDir;
//! let out = std::env::temp_dir().join(format!("engram_doc_rundir_{}", std::process::id()));
//! # let _ = std::fs::remove_dir_all(&out);
//! let run = RunDir::create(&out, false).unwrap();
//! std::fs::write(run.path().join("summary.json"), "{}").unwrap();   // the run writes aside
//! assert!(!out.exists());
//! run.commit().unwrap();                                             // and appears on success
//! assert!(out.join("summary.json").exists());
//!
//! std::fs::write(out.join("my_notes.txt"), "mine").unwrap();        // a file engram did not write
//! let e = RunDir::create(&out, true).unwrap_err().to_string();
//! assert!(e.contains("my_notes.txt") && e.contains("nothing was deleted"), "{e}");
//! # std::fs::remove_dir_all(&out).unwrap();
//! ```

use std::path::{Path, PathBuf};

use engram_core::error::EngramError;
use serde::{Deserialize, Serialize};

/// The marker file engram writes first into every run directory.
pub const MARKER: &str = ".engram-run";

/// How a run ended, as written in its marker and `summary.json`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    /// Still being written (or killed without a chance to say so).
    Running,
    /// Finished; every output is complete.
    Complete,
    /// Stopped by SIGINT or SIGTERM; the outputs are complete up to the simulated time reached.
    Interrupted,
    /// Stopped by an error (the message is in `summary.json`).
    Failed,
}

impl std::fmt::Display for RunStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            RunStatus::Running => "running",
            RunStatus::Complete => "complete",
            RunStatus::Interrupted => "interrupted",
            RunStatus::Failed => "failed",
        })
    }
}

/// What the marker file holds.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Marker {
    /// Always `engram`.
    written_by: String,
    /// The engram version that wrote it.
    version: String,
    /// How the run ended.
    status: RunStatus,
    /// Every file engram wrote, relative to the run directory (filled in at the end).
    files: Vec<String>,
}

impl Marker {
    fn new(status: RunStatus) -> Self {
        Self { written_by: "engram".into(), version: env!("CARGO_PKG_VERSION").into(), status, files: Vec::new() }
    }
}

/// A run directory being written. Write into [`path`](Self::path); then [`commit`](Self::commit)
/// on success, or [`abandon`](Self::abandon) on an error or an interruption.
#[derive(Debug)]
pub struct RunDir {
    target: PathBuf,
    partial: PathBuf,
}

fn io(path: &Path) -> impl Fn(std::io::Error) -> EngramError + '_ {
    move |source| EngramError::Output { path: path.to_path_buf(), source }
}

fn refuse(out: &Path, why: impl std::fmt::Display) -> EngramError {
    EngramError::Other(format!("refusing to use {} as the output directory: {why}; nothing was deleted", out.display()))
}

impl RunDir {
    /// Check `out` and create the partial folder beside it. Without `force`, `out` must not
    /// exist or be an empty folder; with `force`, it may also be an earlier engram run
    /// (see the module docs), which is replaced only at [`commit`](Self::commit).
    pub fn create(out: &Path, force: bool) -> Result<Self, EngramError> {
        let absolute = std::path::absolute(out).map_err(io(out))?;
        let name = absolute
            .file_name()
            .ok_or_else(|| refuse(out, "it names no folder (give a path such as runs/my-run)"))?
            .to_string_lossy()
            .into_owned();
        if let Ok(meta) = std::fs::symlink_metadata(&absolute) {
            if meta.file_type().is_symlink() {
                return Err(refuse(out, "it is a symbolic link (give the folder it points to)"));
            }
            if !meta.is_dir() {
                return Err(refuse(out, "it exists and is not a directory"));
            }
            check_existing(out, &absolute, force)?;
        }
        let parent = absolute.parent().ok_or_else(|| refuse(out, "it is the file-system root"))?;
        std::fs::create_dir_all(parent).map_err(io(parent))?;
        let mut k = 0;
        let partial = loop {
            let suffix = if k == 0 { String::new() } else { format!("-{k}") };
            let p = parent.join(format!("{name}.partial-{}{suffix}", std::process::id()));
            if !p.exists() {
                break p;
            }
            k += 1;
        };
        std::fs::create_dir(&partial).map_err(io(&partial))?;
        let run = Self { target: absolute, partial };
        run.write_marker(&Marker::new(RunStatus::Running))?;
        Ok(run)
    }

    /// Where the run writes now (the partial folder).
    pub fn path(&self) -> &Path {
        &self.partial
    }

    /// Where the results will be once the run has succeeded.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// The run succeeded: mark it complete, then put it in place of the target (an earlier run
    /// there is removed only after the new one is in place). Returns the target.
    pub fn commit(self) -> Result<PathBuf, EngramError> {
        let mut marker = Marker::new(RunStatus::Complete);
        marker.files = files_below(&self.partial)?;
        self.write_marker(&marker)?;
        let target = &self.target;
        if !target.exists() {
            std::fs::rename(&self.partial, target).map_err(io(target))?;
            return Ok(self.target);
        }
        if is_empty_dir(target)? {
            std::fs::remove_dir(target).map_err(io(target))?;
            std::fs::rename(&self.partial, target).map_err(io(target))?;
            return Ok(self.target);
        }
        // checked at create(); checked again, the folder may have changed during the run
        check_existing(target, target, true)?;
        let old = self.partial.with_file_name(format!(
            "{}.old-{}",
            target.file_name().map(|n| n.to_string_lossy()).unwrap_or_default(),
            std::process::id()
        ));
        std::fs::rename(target, &old).map_err(io(target))?;
        if let Err(e) = std::fs::rename(&self.partial, target) {
            let _ = std::fs::rename(&old, target);
            return Err(io(target)(e));
        }
        std::fs::remove_dir_all(&old).map_err(io(&old))?;
        Ok(self.target)
    }

    /// The run stopped early (`Interrupted` or `Failed`): mark the partial folder with the
    /// status and, unless the run already wrote one, a `summary.json` with the status, the
    /// message and the simulated time reached (if known). The folder is kept, and returned, when
    /// the run wrote anything into it; an empty one is removed. The target is never touched.
    pub fn abandon(
        self,
        status: RunStatus,
        message: &str,
        simulated_s: Option<f64>,
    ) -> Result<Option<PathBuf>, EngramError> {
        let written = files_below(&self.partial)?;
        if written.iter().all(|f| f == MARKER) {
            std::fs::remove_dir_all(&self.partial).map_err(io(&self.partial))?;
            return Ok(None);
        }
        let summary = self.partial.join("summary.json");
        if !summary.exists() {
            let json = serde_json::json!({ "status": status, "error": message, "simulated_s": simulated_s });
            let text = serde_json::to_string_pretty(&json).expect("a JSON value serialises");
            std::fs::write(&summary, text).map_err(io(&summary))?;
        }
        let mut marker = Marker::new(status);
        marker.files = files_below(&self.partial)?;
        self.write_marker(&marker)?;
        Ok(Some(self.partial))
    }

    fn write_marker(&self, marker: &Marker) -> Result<(), EngramError> {
        let path = self.partial.join(MARKER);
        let text = serde_json::to_string_pretty(marker).expect("the marker serialises");
        std::fs::write(&path, text).map_err(io(&path))
    }
}

/// May `dir` (which exists) be used, or replaced with `force`? `out` is the path as given.
fn check_existing(out: &Path, dir: &Path, force: bool) -> Result<(), EngramError> {
    let canonical = dir.canonicalize().map_err(io(out))?;
    if canonical.parent().is_none() {
        return Err(refuse(out, "it is the file-system root"));
    }
    if let Some(home) = std::env::var_os("HOME").and_then(|h| PathBuf::from(h).canonicalize().ok()) {
        if home.starts_with(&canonical) {
            return Err(refuse(out, "it is your home folder or holds it"));
        }
    }
    if let Ok(cwd) = std::env::current_dir().and_then(|c| c.canonicalize()) {
        if cwd.starts_with(&canonical) {
            return Err(refuse(out, "it is the current folder or holds it"));
        }
    }
    for project in [".git", "Cargo.toml"] {
        if canonical.join(project).exists() {
            return Err(refuse(out, format!("it holds {project} (a work tree or project, not a run directory)")));
        }
    }
    if is_empty_dir(&canonical)? {
        return Ok(());
    }
    if !force {
        return Err(EngramError::Other(format!(
            "output directory {} already exists and is not empty; pass --force to replace an earlier engram run there, or choose another --out",
            out.display()
        )));
    }
    let marker_path = canonical.join(MARKER);
    let marker: Marker = std::fs::read_to_string(&marker_path)
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .filter(|m: &Marker| m.written_by == "engram")
        .ok_or_else(|| {
            refuse(
                out,
                format!("it was not written by engram (no {MARKER} marker); --force replaces only engram's own runs"),
            )
        })?;
    let foreign: Vec<String> =
        files_below(&canonical)?.into_iter().filter(|f| f != MARKER && !marker.files.contains(f)).collect();
    if !foreign.is_empty() {
        let shown: Vec<&str> = foreign.iter().take(5).map(String::as_str).collect();
        let more = if foreign.len() > 5 { format!(" and {} more", foreign.len() - 5) } else { String::new() };
        return Err(refuse(
            out,
            format!("it holds files engram did not write ({}{more}); move them away first", shown.join(", ")),
        ));
    }
    Ok(())
}

fn is_empty_dir(dir: &Path) -> Result<bool, EngramError> {
    Ok(std::fs::read_dir(dir).map_err(io(dir))?.next().is_none())
}

/// Every file and symbolic link below `root`, as sorted `/`-separated relative paths (folders
/// are implied by their files; an empty folder is listed as `name/`).
fn files_below(root: &Path) -> Result<Vec<String>, EngramError> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let mut empty = true;
        for entry in std::fs::read_dir(&dir).map_err(io(&dir))? {
            empty = false;
            let entry = entry.map_err(io(&dir))?;
            let path = entry.path();
            if entry.file_type().map_err(io(&path))?.is_dir() {
                stack.push(path);
            } else {
                out.push(relative(root, &path));
            }
        }
        if empty && dir != root {
            out.push(relative(root, &dir) + "/");
        }
    }
    out.sort();
    Ok(out)
}

fn relative(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    rel.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/")
}
