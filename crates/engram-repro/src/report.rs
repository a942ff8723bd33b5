//! Reports generated from runs: marked regions of a Markdown page rewritten from a summary, and
//! the check that a committed page is what its committed summary generates.
//!
//! A region is written between `<!-- report:NAME -->` and `<!-- /report:NAME -->` lines; the
//! prose around it is the author's, the region is the generator's.
//!
//! ```
//! use engram_repro::report::{rewrite_regions, check_regions};
//! let page = "Intro.\n<!-- report:rates -->\nold table\n<!-- /report:rates -->\nOutro.\n";
//! let regions = [("rates".to_string(), "| E | 5.3 Hz |".to_string())];
//! let new = rewrite_regions(page, &regions, "page.md").unwrap();
//! assert_eq!(new, "Intro.\n<!-- report:rates -->\n| E | 5.3 Hz |\n<!-- /report:rates -->\nOutro.\n");
//! assert!(check_regions(&new, &regions, "page.md").is_ok());
//! let e = check_regions(page, &regions, "page.md").unwrap_err().to_string();
//! assert!(e.contains("page.md") && e.contains("`rates`") && e.contains("old table"), "{e}");
//! ```

use engram_core::error::EngramError;

fn markers(name: &str) -> (String, String) {
    (format!("<!-- report:{name} -->"), format!("<!-- /report:{name} -->"))
}

/// Where region `name`'s content starts and ends in `page` (byte offsets), or an error naming
/// the page and the missing marker.
fn region(page: &str, name: &str, origin: &str) -> Result<(usize, usize), EngramError> {
    let (open, close) = markers(name);
    let missing = |m: &str| EngramError::Other(format!("{origin}: no `{m}` line (a generated region must be marked)"));
    let start = page.find(&format!("{open}\n")).ok_or_else(|| missing(&open))? + open.len() + 1;
    let end = start + page[start..].find(&close).ok_or_else(|| missing(&close))?;
    Ok((start, end))
}

/// `page` with each region `(name, text)` replaced by `text` (a trailing newline is added).
pub fn rewrite_regions(page: &str, regions: &[(String, String)], origin: &str) -> Result<String, EngramError> {
    let mut out = page.to_string();
    for (name, text) in regions {
        let (start, end) = region(&out, name, origin)?;
        out.replace_range(start..end, &format!("{}\n", text.trim_end()));
    }
    Ok(out)
}

/// `Ok` if every region of `page` holds exactly what the generator writes; otherwise an error
/// naming the page, the region and the first line that differs.
pub fn check_regions(page: &str, regions: &[(String, String)], origin: &str) -> Result<(), EngramError> {
    for (name, text) in regions {
        let (start, end) = region(page, name, origin)?;
        let (have, want) = (page[start..end].trim_end(), text.trim_end());
        if have != want {
            let (h, w) = have
                .lines()
                .chain(std::iter::repeat(""))
                .zip(want.lines().chain(std::iter::repeat("")))
                .find(|(h, w)| h != w)
                .unwrap_or(("", ""));
            return Err(EngramError::Other(format!(
                "{origin}: region `{name}` differs from what its summary generates (a number typed or edited by hand?): the page has `{h}`, the summary gives `{w}`; regenerate it with `cargo xtask report`"
            )));
        }
    }
    Ok(())
}

/// Read a committed compact summary that must hold exactly what `T` holds: a field `T` does not
/// know, or a value it cannot hold, is an error naming `path` and the command (`cargo xtask
/// report <report> --from <run>`) that regenerates it.
pub fn load_compact<T: serde::Serialize + serde::de::DeserializeOwned>(
    path: &std::path::Path,
    report: &str,
) -> Result<T, EngramError> {
    let bad = |what: String| EngramError::Other(format!("{}: {what}", path.display()));
    let text = std::fs::read_to_string(path).map_err(|e| bad(e.to_string()))?;
    let value: serde_json::Value = serde_json::from_str(&text).map_err(|e| bad(e.to_string()))?;
    let numbers: T = serde_json::from_value(value.clone()).map_err(|e| bad(e.to_string()))?;
    if serde_json::to_value(&numbers).expect("the numbers serialise") != value {
        return Err(bad(format!(
            "holds fields the {report} report does not know (or a value it cannot hold); regenerate it with `cargo xtask report {report} --from <run>`"
        )));
    }
    Ok(numbers)
}

/// Write a compact summary as pretty JSON (with a final newline).
pub fn save_compact<T: serde::Serialize>(numbers: &T, path: &std::path::Path) -> Result<(), EngramError> {
    let text = serde_json::to_string_pretty(numbers).expect("the numbers serialise") + "\n";
    std::fs::write(path, text).map_err(|source| EngramError::Output { path: path.to_path_buf(), source })
}
