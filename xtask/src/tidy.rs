//! Style checks run by `cargo xtask tidy` and by the `tidy` test: module docs, whitespace.

use std::path::{Path, PathBuf};

use anyhow::Result;

/// Every problem found under `root` (Rust files outside `target/`), one line each.
pub fn check(root: &Path) -> Result<Vec<String>> {
    let mut files = Vec::new();
    collect(root, &mut files)?;
    let mut problems = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(&f)?;
        let rel = f.strip_prefix(root).unwrap_or(&f).display().to_string();
        if !text.trim_start().starts_with("//!") {
            problems.push(format!("{rel}: must start with a `//!` line saying what the file is for"));
        }
        for (i, line) in text.lines().enumerate() {
            if line.ends_with(' ') || line.ends_with('\t') {
                problems.push(format!("{rel}:{}: trailing whitespace", i + 1));
            }
            if line.contains('\t') {
                problems.push(format!("{rel}:{}: tab character", i + 1));
            }
        }
    }
    Ok(problems)
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if path.is_dir() {
            if !matches!(name, "target" | ".git" | "runs" | "node_modules") && !name.starts_with('.') {
                collect(&path, out)?;
            }
        } else if name.ends_with(".rs") {
            out.push(path);
        }
    }
    Ok(())
}
