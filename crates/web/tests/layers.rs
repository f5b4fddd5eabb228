//! The rule between the web and the store (ARCHITECTURE.md, "Web and the
//! store"): pages may read through the `Store`, but every write goes through
//! `komhen_core`, where the rules are. Checked on the source: no file of
//! the web crate calls a writing method of the `Store` trait.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should panic

use std::path::{Path, PathBuf};

/// How the `Store` trait names the methods that write.
const WRITING: &[&str] = &[
    "create_", "update_", "delete_", "insert_", "set_", "apply", "append_", "commit_", "stage_",
    "record_", "clear_", "migrate",
];

fn store_methods() -> Vec<String> {
    let trait_file = Path::new(env!("CARGO_MANIFEST_DIR")).join("../store/src/lib.rs");
    let source = std::fs::read_to_string(trait_file).unwrap();
    source
        .lines()
        .filter_map(|line| line.trim().strip_prefix("async fn "))
        .filter_map(|rest| rest.split('(').next())
        .map(str::to_owned)
        .collect()
}

fn rust_files(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.push(path);
        }
    }
}

#[test]
fn the_web_never_writes_through_the_store() {
    let writing: Vec<String> = store_methods()
        .into_iter()
        .filter(|m| WRITING.iter().any(|w| m.starts_with(w)))
        .collect();
    for expected in [
        "apply",
        "insert_registration",
        "append_to_batch",
        "delete_batch",
    ] {
        assert!(
            writing.iter().any(|m| m == expected),
            "{expected} not found: {writing:?}"
        );
    }
    let mut files = Vec::new();
    rust_files(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut files,
    );
    assert!(files.len() > 10, "the web's sources were not found");
    let mut calls = Vec::new();
    for file in files {
        let source = std::fs::read_to_string(&file).unwrap();
        for (n, line) in source.lines().enumerate() {
            if line.trim_start().starts_with("//") {
                continue;
            }
            for method in &writing {
                if line.contains(&format!(".{method}(")) {
                    calls.push(format!("{}:{}: {method}", file.display(), n + 1));
                }
            }
        }
    }
    assert!(
        calls.is_empty(),
        "the web writes through the store: {calls:#?}"
    );
}
