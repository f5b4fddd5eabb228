//! `komhen import` given files built to exhaust memory: each is refused
//! with a Danish sentence naming the limit, nothing is stored, and the
//! process's peak memory stays under [`PEAK_LIMIT_KB`] (its high-water
//! mark, `VmHWM`, read from `/proc` while it runs).
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should panic

#[path = "../../ingest/tests/bombs/mod.rs"]
mod bombs;

use std::io::BufWriter;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

/// The most memory a refusal may take: 300 MB.
const PEAK_LIMIT_KB: u64 = 300 * 1024;

struct Run {
    ok: bool,
    out: String,
    peak_kb: u64,
}

/// Runs `komhen` with `args`, reading its memory high-water mark every
/// few milliseconds until it ends.
fn komhen_measured(args: &[&str]) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_komhen"))
        .args(args)
        .env_remove("KOMHEN_DATABASE_URL")
        .env("KOMHEN_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let status = format!("/proc/{}/status", child.id());
    let mut peak_kb = 0;
    loop {
        if let Ok(text) = std::fs::read_to_string(&status) {
            if let Some(kb) = high_water_kb(&text) {
                peak_kb = peak_kb.max(kb);
            }
        }
        if child.try_wait().unwrap().is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    let output = child.wait_with_output().unwrap();
    Run {
        ok: output.status.success(),
        out: format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ),
        peak_kb,
    }
}

fn high_water_kb(status: &str) -> Option<u64> {
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn migrated(dir: &Path) -> String {
    let url = format!("sqlite://{}", dir.join("komhen.db").display());
    let run = komhen_measured(&["migrate", "--database-url", &url]);
    assert!(run.ok, "{}", run.out);
    url
}

fn write(path: &Path, build: impl FnOnce(BufWriter<std::fs::File>) -> std::io::Result<()>) {
    build(BufWriter::new(std::fs::File::create(path).unwrap())).unwrap();
}

fn import_registrations(url: &str, file: &Path) -> Run {
    komhen_measured(&[
        "import",
        "registrations",
        file.to_str().unwrap(),
        "--municipality",
        "259",
        "--database-url",
        url,
    ])
}

fn assert_refused_within_memory(run: &Run, message: &str) {
    assert!(!run.ok, "the file must be refused: {}", run.out);
    assert!(run.out.contains(message), "{}", run.out);
    assert!(run.peak_kb > 0, "the peak was read");
    assert!(
        run.peak_kb < PEAK_LIMIT_KB,
        "peak {} KB, limit {PEAK_LIMIT_KB} KB: {}",
        run.peak_kb,
        run.out
    );
}

#[test]
fn a_workbook_with_thirty_million_cells_in_one_row_is_refused_within_300_mb() {
    let dir = tempfile::tempdir().unwrap();
    let url = migrated(dir.path());
    let file = dir.path().join("bred.xlsx");
    write(&file, |out| bombs::xlsx_wide_row(out, 30_000_000));
    let run = import_registrations(&url, &file);
    assert_refused_within_memory(&run, "række 1 i projektmappen har flere end 1.000 celler");
    eprintln!("30 mio. celler i én række: {} KB", run.peak_kb);
}

#[test]
fn a_workbook_with_a_shared_text_of_a_gigabyte_is_refused_within_300_mb() {
    let dir = tempfile::tempdir().unwrap();
    let url = migrated(dir.path());
    let file = dir.path().join("lang.xlsx");
    write(&file, |out| bombs::xlsx_long_string(out, 1 << 30));
    let run = import_registrations(&url, &file);
    assert_refused_within_memory(&run, "er større end grænsen på 256 KB");
    eprintln!("delt tekst på 1 GB: {} KB", run.peak_kb);
}

#[test]
fn a_csv_file_with_one_line_of_ten_million_columns_is_refused_within_300_mb() {
    let dir = tempfile::tempdir().unwrap();
    let url = migrated(dir.path());
    let file = dir.path().join("bred.csv");
    write(&file, |out| bombs::csv_wide_line(out, 10_000_000));
    let run = import_registrations(&url, &file);
    assert_refused_within_memory(&run, "flere end 1.000 kolonner");
    eprintln!("CSV-linje med 10 mio. kolonner: {} KB", run.peak_kb);

    // The same line through the call log, web and totals imports.
    let cdr = komhen_measured(&[
        "import",
        "cdr",
        file.to_str().unwrap(),
        "--municipality",
        "259",
        "--database-url",
        &url,
    ]);
    assert!(!cdr.ok, "{}", cdr.out);
    assert!(cdr.peak_kb < PEAK_LIMIT_KB, "{} KB", cdr.peak_kb);
}
