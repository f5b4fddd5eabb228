//! Running the `komhen` binary as a user does, for the command-line tests.

use std::process::Command;

/// What a run printed (standard output, then standard error) and whether
/// it succeeded.
pub struct Run {
    pub ok: bool,
    pub out: String,
}

/// Runs `komhen` with the arguments, never with a database URL from the
/// environment.
pub fn komhen(args: &[&str]) -> Run {
    let output = Command::new(env!("CARGO_BIN_EXE_komhen"))
        .args(args)
        .env_remove("KOMHEN_DATABASE_URL")
        .env("KOMHEN_LOG", "warn")
        .output()
        .unwrap();
    Run {
        ok: output.status.success(),
        out: format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ),
    }
}
