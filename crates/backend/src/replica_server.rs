//! A real PostgreSQL streaming replica for tests: `pg_basebackup` of the
//! test server (`KOMHEN_TEST_DATABASE_URL`) into a temporary folder, then
//! `postgres` on a free port of 127.0.0.1 as a hot standby following it,
//! stopped and removed when dropped. Tests read through it exactly as
//! `komhen serve --read-database-url` does.
//!
//! Needs the server's programs (`pg_basebackup`, `postgres`, `pg_isready`,
//! `psql`: `KOMHEN_TEST_PG_BINDIR`, else the newest
//! `/usr/lib/postgresql/*/bin`, else the `PATH`) and a `replication` line
//! for 127.0.0.1 in the primary's `pg_hba.conf` (`.ci/run` adds one). Run
//! as root, the replica runs as the `postgres` user, as PostgreSQL
//! requires. A replica that cannot start fails the test: it is never
//! skipped.

use std::os::unix::fs::MetadataExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The environment variable naming the folder of PostgreSQL's programs.
pub const PG_BINDIR_ENV: &str = "KOMHEN_TEST_PG_BINDIR";
/// How long the base backup, a start or a catch-up may take.
const WAIT_FOR: Duration = Duration::from_secs(120);

/// A hot standby of the test server, on a port of its own.
pub struct ReplicaServer {
    dir: tempfile::TempDir,
    bindir: PathBuf,
    /// The user the server runs as: `postgres` when the test runs as root.
    owner: Option<(u32, u32)>,
    primary: Primary,
    port: u16,
    child: Option<Child>,
}

/// The primary's address, from its URL.
struct Primary {
    host: String,
    port: String,
    user: String,
}

impl Primary {
    fn of(url: &str) -> Option<Self> {
        let rest = url.split_once("://")?.1;
        let (user, rest) = rest.rsplit_once('@').unwrap_or(("postgres", rest));
        let user = user.split(':').next()?.to_owned();
        let host_port = rest.split(['/', '?']).next()?;
        let (host, port) = host_port.rsplit_once(':').unwrap_or((host_port, "5432"));
        Some(Self {
            host: host.to_owned(),
            port: port.to_owned(),
            user,
        })
    }
}

impl ReplicaServer {
    /// Takes a base backup of the server `primary_url` names and starts it
    /// as a replica; returns once the replica accepts connections.
    ///
    /// # Panics
    /// When a program is missing, the primary refuses replication or the
    /// replica does not start.
    #[allow(clippy::expect_used, clippy::panic)]
    pub fn start(primary_url: &str) -> Self {
        let primary = Primary::of(primary_url).expect("a postgres:// URL of the primary");
        let bindir = bindir();
        let dir = tempfile::tempdir().expect("a folder for the replica");
        let owner = owner();
        if let Some((uid, gid)) = owner {
            std::os::unix::fs::chown(dir.path(), Some(uid), Some(gid))
                .expect("the replica's folder given to the postgres user");
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let mut server = Self {
            dir,
            bindir,
            owner,
            primary,
            port,
            child: None,
        };
        let data = server.data();
        let backup = server
            .command("pg_basebackup")
            .args(["-h", &server.primary.host, "-p", &server.primary.port])
            .args(["-U", &server.primary.user, "-D"])
            .arg(&data)
            .args(["-X", "stream", "-R", "-c", "fast"])
            .output()
            .expect("pg_basebackup runs");
        assert!(
            backup.status.success(),
            "pg_basebackup failed (does the primary's pg_hba.conf allow replication from \
             127.0.0.1?): {}",
            String::from_utf8_lossy(&backup.stderr)
        );
        // Debian keeps the configuration outside the data folder: the copy
        // gets its own, trusting local connections as the test server does.
        server.write(&data.join("postgresql.conf"), "");
        server.write(
            &data.join("pg_hba.conf"),
            "local all all trust\nhost all all 127.0.0.1/32 trust\n",
        );
        server.write(&data.join("pg_ident.conf"), "");
        server.run();
        server
    }

    /// The replica's URL for a database.
    pub fn url_of(&self, database: &str) -> String {
        format!(
            "postgres://{}@127.0.0.1:{}/{database}",
            self.primary.user, self.port
        )
    }

    /// Stops the replica (PostgreSQL's fast shutdown) and waits for it.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = Command::new("kill")
                .args(["-INT", &child.id().to_string()])
                .status();
            let deadline = Instant::now() + WAIT_FOR;
            while Instant::now() < deadline {
                if let Ok(Some(_)) = child.try_wait() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts the stopped replica again.
    pub fn restart(&mut self) {
        self.run();
    }

    /// Waits until the replica has replayed everything the primary has
    /// written so far.
    ///
    /// # Panics
    /// When it has not within two minutes.
    #[allow(clippy::panic)]
    pub fn catch_up(&self) {
        let target = self.primary_sql("SELECT pg_current_wal_lsn()");
        let deadline = Instant::now() + WAIT_FOR;
        while Instant::now() < deadline {
            let done = self.replica_sql(&format!(
                "SELECT pg_last_wal_replay_lsn() >= '{target}'::pg_lsn"
            ));
            if done == "t" {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("the replica did not reach the primary's {target}");
    }

    /// Holds the replica at what it has replayed: the primary's later
    /// writes wait until `resume`.
    pub fn pause(&self) {
        self.replica_sql("SELECT pg_wal_replay_pause()");
    }

    pub fn resume(&self) {
        self.replica_sql("SELECT pg_wal_replay_resume()");
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// A program of the server's, as the user the replica runs as.
    fn command(&self, program: &str) -> Command {
        let mut command = Command::new(self.bindir.join(program));
        if let Some((uid, gid)) = self.owner {
            command.uid(uid).gid(gid);
        }
        command.env("PGCONNECT_TIMEOUT", "10");
        command
    }

    #[allow(clippy::expect_used)]
    fn write(&self, path: &Path, text: &str) {
        std::fs::write(path, text).expect("the replica's configuration written");
        if let Some((uid, gid)) = self.owner {
            std::os::unix::fs::chown(path, Some(uid), Some(gid))
                .expect("the replica's configuration given to the postgres user");
        }
    }

    #[allow(clippy::expect_used, clippy::panic)]
    fn run(&mut self) {
        let socket = self.dir.path().display().to_string();
        let child = self
            .command("postgres")
            .arg("-D")
            .arg(self.data())
            .args(["-p", &self.port.to_string()])
            .args(["-c", "listen_addresses=127.0.0.1"])
            .args(["-c", &format!("unix_socket_directories={socket}")])
            .args(["-c", "hot_standby=on"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("postgres starts");
        self.child = Some(child);
        let deadline = Instant::now() + WAIT_FOR;
        while Instant::now() < deadline {
            let ready = self
                .command("pg_isready")
                .args(["-q", "-h", "127.0.0.1", "-p", &self.port.to_string()])
                .status()
                .is_ok_and(|s| s.success());
            if ready {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("the replica on port {} did not start", self.port);
    }

    fn primary_sql(&self, sql: &str) -> String {
        let (host, port) = (self.primary.host.clone(), self.primary.port.clone());
        self.sql(&host, &port, sql)
    }

    fn replica_sql(&self, sql: &str) -> String {
        self.sql("127.0.0.1", &self.port.to_string(), sql)
    }

    #[allow(clippy::expect_used)]
    fn sql(&self, host: &str, port: &str, sql: &str) -> String {
        let out = self
            .command("psql")
            .args(["-h", host, "-p", port, "-U", &self.primary.user])
            .args(["-d", "postgres", "-Atc", sql])
            .output()
            .expect("psql runs");
        assert!(
            out.status.success(),
            "{sql}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    }
}

impl Drop for ReplicaServer {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The folder of PostgreSQL's programs.
fn bindir() -> PathBuf {
    if let Some(dir) = std::env::var_os(PG_BINDIR_ENV) {
        return PathBuf::from(dir);
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let version = e.file_name().to_str()?.parse().ok()?;
            let bin = e.path().join("bin");
            bin.join("postgres").exists().then_some((version, bin))
        })
        .collect();
    versions.sort();
    versions.pop().map_or_else(PathBuf::new, |(_, bin)| bin)
}

/// The `postgres` user's ids when the test runs as root (PostgreSQL will
/// not run as root); None runs everything as the test's own user.
fn owner() -> Option<(u32, u32)> {
    let me = std::fs::metadata("/proc/self").ok()?.uid();
    if me != 0 {
        return None;
    }
    let passwd = std::fs::read_to_string("/etc/passwd").ok()?;
    passwd.lines().find_map(|line| {
        let fields: Vec<&str> = line.split(':').collect();
        match fields.as_slice() {
            ["postgres", _, uid, gid, ..] => Some((uid.parse().ok()?, gid.parse().ok()?)),
            _ => None,
        }
    })
}
