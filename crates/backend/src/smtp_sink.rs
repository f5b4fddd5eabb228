//! A real SMTP server for tests: Python's `aiosmtpd`, started on a free
//! port of 127.0.0.1, keeping every mail it receives in a maildir, and
//! stopped when the sink is dropped. Tests that send mail talk to it over
//! SMTP exactly as komhen talks to a municipality's mail server.
//!
//! The Python that runs it is `KOMHEN_TEST_PYTHON`, else `python3`; it must
//! have aiosmtpd (`pip install aiosmtpd`, or Debian's `python3-aiosmtpd`).
//! A sink that cannot start fails the test: it is never skipped.

use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The environment variable naming the Python that runs the sink.
pub const PYTHON_ENV: &str = "KOMHEN_TEST_PYTHON";
/// How long the sink may take to start.
const START_TIMEOUT: Duration = Duration::from_secs(20);

/// A mail as the sink received it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceivedMail {
    /// The envelope's recipients, as the sink recorded them.
    pub to: String,
    pub subject: String,
    /// The text, decoded from quoted-printable when it came so.
    pub body: String,
    /// The whole message as received (headers and body, still encoded).
    pub raw: String,
}

/// Decodes quoted-printable text (soft line breaks and `=XX` bytes).
fn quoted_printable(text: &str) -> String {
    crate::hex_escapes_decoded(&text.replace("=\r\n", "").replace("=\n", ""), b'=')
}

pub struct SmtpSink {
    child: Child,
    port: u16,
    dir: tempfile::TempDir,
}

impl SmtpSink {
    /// Starts the sink and waits until it accepts connections.
    ///
    /// # Panics
    /// When Python or aiosmtpd is missing or the sink does not start.
    #[allow(clippy::expect_used, clippy::panic)]
    pub fn start() -> Self {
        let dir = tempfile::tempdir().expect("a folder for the sink's maildir");
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let python = std::env::var(PYTHON_ENV).unwrap_or_else(|_| "python3".into());
        let maildir: PathBuf = dir.path().join("mail");
        let mut child = Command::new(&python)
            .args(["-m", "aiosmtpd", "-n", "-l"])
            .arg(format!("127.0.0.1:{port}"))
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(&maildir)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("{python} could not start the SMTP sink: {e}"));
        let started = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Ok(Some(status)) = child.try_wait() {
                let mut err = String::new();
                if let Some(mut stderr) = child.stderr.take() {
                    let _ = std::io::Read::read_to_string(&mut stderr, &mut err);
                }
                panic!(
                    "the SMTP sink stopped ({status}): {err}\nInstall aiosmtpd for {python}: \
                     `pip install aiosmtpd` or `apt-get install python3-aiosmtpd` (and set \
                     {PYTHON_ENV}=/usr/bin/python3)"
                );
            }
            assert!(
                started.elapsed() < START_TIMEOUT,
                "the SMTP sink did not listen on port {port} within {START_TIMEOUT:?}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Self { child, port, dir }
    }

    /// The URL komhen sends to (`KOMHEN_SMTP_URL`).
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Every mail received so far, oldest first.
    #[allow(clippy::expect_used)]
    pub fn mails(&self) -> Vec<ReceivedMail> {
        let new = self.dir.path().join("mail").join("new");
        let Ok(entries) = std::fs::read_dir(&new) else {
            return Vec::new();
        };
        // Oldest first: by the time the sink wrote them (maildir names do
        // not sort by time within a second).
        let mut files: Vec<(std::time::SystemTime, PathBuf)> = entries
            .filter_map(|e| e.ok())
            .map(|e| {
                let written = e
                    .metadata()
                    .and_then(|m| m.modified())
                    .unwrap_or(std::time::UNIX_EPOCH);
                (written, e.path())
            })
            .collect();
        files.sort();
        files
            .iter()
            .map(|(_, path)| {
                let raw = std::fs::read_to_string(path).expect("a mail the sink kept");
                let header = |name: &str| {
                    raw.lines()
                        .take_while(|l| !l.is_empty())
                        .find_map(|l| {
                            l.split_once(':')
                                .filter(|(k, _)| k.eq_ignore_ascii_case(name))
                                .map(|(_, v)| v.trim().to_owned())
                        })
                        .unwrap_or_default()
                };
                let text = raw
                    .split_once("\n\n")
                    .map_or("", |(_, body)| body)
                    .to_owned();
                let body = if header("Content-Transfer-Encoding")
                    .eq_ignore_ascii_case("quoted-printable")
                {
                    quoted_printable(&text)
                } else {
                    text
                };
                ReceivedMail {
                    to: header("X-RcptTo"),
                    subject: header("Subject"),
                    body,
                    raw: raw.clone(),
                }
            })
            .collect()
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
