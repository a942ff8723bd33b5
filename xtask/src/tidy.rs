//! Style checks run by `cargo xtask tidy` and by the `tidy` test: module docs, whitespace,
//! and no unused dependencies.

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
    problems.extend(unused_dependencies(root)?);
    Ok(problems)
}

/// Dependencies a package's manifest lists but none of its Rust files names (`name::`,
/// `use name`, `extern crate name`, `name!`), one line each. A package is a folder with a
/// `Cargo.toml` holding `[package]`; its files are every `.rs` below it that belongs to no
/// nested package. `[dependencies]` and `[dev-dependencies]` are both checked.
pub fn unused_dependencies(root: &Path) -> Result<Vec<String>> {
    let mut manifests = Vec::new();
    collect_where(root, &|name| name == "Cargo.toml", &mut manifests)?;
    let packages: Vec<PathBuf> = manifests
        .iter()
        .filter(|m| std::fs::read_to_string(m).is_ok_and(|t| t.contains("[package]")))
        .map(|m| m.parent().unwrap_or(root).to_path_buf())
        .collect();
    let mut problems = Vec::new();
    for dir in &packages {
        let manifest = std::fs::read_to_string(dir.join("Cargo.toml"))?;
        let nested: Vec<&PathBuf> = packages.iter().filter(|p| *p != dir && p.starts_with(dir)).collect();
        let mut files = Vec::new();
        collect(dir, &mut files)?;
        let text: String = files
            .iter()
            .filter(|f| !nested.iter().any(|n| f.starts_with(n)))
            .filter_map(|f| std::fs::read_to_string(f).ok())
            .collect::<Vec<_>>()
            .join("\n");
        for (section, name) in dependencies(&manifest) {
            let ident = name.replace('-', "_");
            let used =
                [format!("{ident}::"), format!("use {ident}"), format!("extern crate {ident}"), format!("{ident}!")]
                    .iter()
                    .any(|pattern| mentions(&text, pattern));
            if !used {
                let rel = dir.strip_prefix(root).unwrap_or(dir).join("Cargo.toml");
                problems
                    .push(format!("{}: [{section}] `{name}` is not used by any of the package's files", rel.display()));
            }
        }
    }
    Ok(problems)
}

/// `pattern` occurs in `text` at the start of an identifier (not as the end of a longer one).
fn mentions(text: &str, pattern: &str) -> bool {
    text.match_indices(pattern)
        .any(|(i, _)| text[..i].chars().next_back().is_none_or(|c| !(c.is_alphanumeric() || c == '_')))
}

/// `(section, name)` of every entry of `[dependencies]` and `[dev-dependencies]`.
fn dependencies(manifest: &str) -> Vec<(&'static str, String)> {
    let mut section = None;
    let mut out = Vec::new();
    for line in manifest.lines().map(str::trim) {
        if line.starts_with('[') {
            section = match line {
                "[dependencies]" => Some("dependencies"),
                "[dev-dependencies]" => Some("dev-dependencies"),
                _ => None,
            };
            continue;
        }
        let Some(section) = section else { continue };
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let name = line.split(['=', '.', ' ']).next().unwrap_or("").trim();
        if !name.is_empty() {
            out.push((section, name.to_string()));
        }
    }
    out
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    collect_where(dir, &|name| name.ends_with(".rs"), out)
}

/// Every file below `dir` whose name satisfies `wanted`, skipping build outputs, runs and
/// hidden folders.
fn collect_where(dir: &Path, wanted: &dyn Fn(&str) -> bool, out: &mut Vec<PathBuf>) -> Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if path.is_dir() {
            if !matches!(name, "target" | "runs" | "node_modules") && !name.starts_with('.') {
                collect_where(&path, wanted, out)?;
            }
        } else if wanted(name) {
            out.push(path);
        }
    }
    Ok(())
}
