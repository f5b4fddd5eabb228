//! Running the `komhen` binary as a user does, shared by the command-line
//! tests.
#![allow(dead_code, clippy::unwrap_used)] // each test file uses its own part

use std::process::{Command, Output};

/// What a run printed (standard output, then standard error) and whether
/// it succeeded.
pub struct Run {
    pub ok: bool,
    pub out: String,
}

/// Runs `komhen` with the arguments, never with a database URL from the
/// environment.
pub fn output(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_komhen"))
        .args(args)
        .env_remove("KOMHEN_DATABASE_URL")
        .env_remove("KOMHEN_SMTP_URL")
        .env_remove("KOMHEN_BASE_URL")
        .env("KOMHEN_LOG", "warn")
        .output()
        .unwrap()
}

/// Runs `komhen`; whether it succeeded and all it printed.
pub fn komhen(args: &[&str]) -> Run {
    let output = output(args);
    Run {
        ok: output.status.success(),
        out: format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ),
    }
}

/// Runs the command, which must succeed; its standard output.
pub fn succeeds(args: &[&str]) -> String {
    let out = output(args);
    assert!(
        out.status.success(),
        "komhen {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Runs the command, which must fail; its standard error.
pub fn fails(args: &[&str]) -> String {
    let out = output(args);
    assert!(!out.status.success(), "komhen {args:?} should fail");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A demo of 1,000 registrations in the database `url` names.
pub fn demo(url: &str) {
    succeeds(&["demo", "--no-serve", "--size", "1k", "--database-url", url]);
}

/// A database of the test backend, migrated by `komhen migrate`, and a
/// temporary folder for the files a test writes. The backend is the one
/// `KOMHEN_TEST_DATABASE_URL` names (SQLite in a temporary folder when it is
/// unset, a new PostgreSQL database otherwise), dropped with the value.
pub struct Migrated {
    pub url: String,
    pub dir: tempfile::TempDir,
    _database: komhen_backend::testing::EmptyDatabase,
}

pub fn migrated() -> Migrated {
    let database = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(komhen_backend::testing::EmptyDatabase::new());
    let url = database.url.clone();
    succeeds(&["migrate", "--database-url", &url]);
    Migrated {
        url,
        dir: tempfile::tempdir().unwrap(),
        _database: database,
    }
}
