//! Running the `komhen` binary as a user does, on the database a test
//! names, shared by the command-line tests.
#![allow(dead_code, clippy::unwrap_used)] // each test file uses its own part

use std::process::{Command, Output};

pub fn komhen(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_komhen"))
        .args(args)
        .env_remove("KOMHEN_DATABASE_URL")
        .env("KOMHEN_LOG", "warn")
        .output()
        .unwrap()
}

/// Runs the command, which must succeed; its standard output.
pub fn succeeds(args: &[&str]) -> String {
    let out = komhen(args);
    assert!(
        out.status.success(),
        "komhen {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Runs the command, which must fail; its standard error.
pub fn fails(args: &[&str]) -> String {
    let out = komhen(args);
    assert!(!out.status.success(), "komhen {args:?} should fail");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A demo of 1,000 registrations in the database `url` names.
pub fn demo(url: &str) {
    succeeds(&["demo", "--no-serve", "--size", "1k", "--database-url", url]);
}
