//! The `komhen` binary: parses the command line and hands over to the library.

use clap::Parser;
use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = komhen::Cli::parse();
    komhen::init_logging();
    match komhen::run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("komhen: {error:#}");
            ExitCode::FAILURE
        }
    }
}
