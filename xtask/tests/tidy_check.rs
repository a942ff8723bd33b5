//! Tidy as a test: the style rules of `cargo xtask tidy` hold for the whole repository.

#[path = "../src/tidy.rs"]
mod tidy;

#[test]
fn repository_is_tidy() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let problems = tidy::check(root).unwrap();
    assert!(problems.is_empty(), "tidy problems:\n{}", problems.join("\n"));
}

#[test]
fn an_unused_dependency_is_found_and_a_used_one_is_not() {
    let root = std::env::temp_dir().join(format!("engram_tidy_deps_{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(root.join("pkg/src")).unwrap();
    std::fs::write(
        root.join("pkg/Cargo.toml"),
        "[package]\nname = \"pkg\"\n\n[dependencies]\nserde.workspace = true\nrand_distr = \"0.4\"\n\n[dev-dependencies]\nproptest.workspace = true\n",
    )
    .unwrap();
    std::fs::write(root.join("pkg/src/lib.rs"), "//! x\nuse serde::Serialize;\n// my_rand_distr::x is not a use\n")
        .unwrap();
    let problems = tidy::unused_dependencies(&root).unwrap();
    std::fs::remove_dir_all(&root).unwrap();
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(problems[0].contains("[dependencies] `rand_distr`"), "{problems:?}");
    assert!(problems[1].contains("[dev-dependencies] `proptest`"), "{problems:?}");
}
