//! The `komhen` binary as a user runs it, on SQLite files in a temporary folder.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure should panic

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};

mod common;

use common::output as komhen;

fn http_get(address: &str, path: &str) -> String {
    let mut stream = TcpStream::connect(address).unwrap();
    write!(stream, "GET {path} HTTP/1.0\r\nHost: {address}\r\n\r\n").unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    response
}

#[test]
fn serve_refuses_a_database_file_that_does_not_exist() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("komhen-typo.db").display());
    let out = komhen(&["serve", "--database-url", &url]);
    assert!(!out.status.success());
    let message = String::from_utf8_lossy(&out.stderr);
    assert!(message.contains("findes ikke"), "{message}");
    assert!(
        !dir.path().join("komhen-typo.db").exists(),
        "no new file from a typo"
    );
}

#[test]
fn a_url_of_no_known_backend_is_refused_clearly() {
    let out = komhen(&[
        "migrate",
        "--database-url",
        "mysql://root:hemmelig@localhost/komhen",
    ]);
    assert!(!out.status.success());
    let message = String::from_utf8_lossy(&out.stderr);
    assert!(
        message.contains("sqlite://") && message.contains("postgres://"),
        "{message}"
    );
    assert!(
        !message.contains("hemmelig"),
        "the password must not be printed"
    );
}

#[test]
fn migrate_then_serve_answers_over_http() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("komhen.db").display());
    let out = komhen(&["migrate", "--database-url", &url]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("98 kommuner"));
    let again = komhen(&["migrate", "--database-url", &url]);
    assert_eq!(again.stdout, out.stdout, "migrate is idempotent");

    let mut server = Command::new(env!("CARGO_BIN_EXE_komhen"))
        .args(["serve", "--database-url", &url, "--listen", "127.0.0.1:0"])
        .env("KOMHEN_LOG", "warn")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first_line = String::new();
    BufReader::new(server.stdout.take().unwrap())
        .read_line(&mut first_line)
        .unwrap();
    let address = first_line
        .split("http://")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .unwrap()
        .to_owned();
    let health = http_get(&address, "/healthz");
    let municipalities = http_get(&address, "/kommuner");
    server.kill().unwrap();
    server.wait().unwrap();
    assert!(health.starts_with("HTTP/1.0 200"), "{health}");
    assert!(health.contains("SQLite"));
    assert!(municipalities.contains("Køge"));
}
