//! Tidy as a test: the style rules of `cargo xtask tidy` hold for the whole repository.

#[path = "../src/tidy.rs"]
mod tidy;

#[test]
fn repository_is_tidy() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let problems = tidy::check(root).unwrap();
    assert!(problems.is_empty(), "tidy problems:\n{}", problems.join("\n"));
}
