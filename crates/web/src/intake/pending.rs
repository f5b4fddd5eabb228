//! Uploaded files waiting between their preview and their import.
//!
//! A coordinator uploads a file once: the preview page keeps the file on
//! the server's disk, named by its scope (the municipality, or `central`)
//! and its SHA-256, and the import form names only that hash. So the file
//! is never sent twice, a page can only import what its own scope
//! uploaded, and the import reads exactly the bytes the preview showed
//! (the use case checks the hash again). Files are removed after the
//! import and, if it never comes, after a day.
//!
//! Must not read a file's contents: `komhen_core` does. With several
//! servers behind one address the preview and the import must reach the
//! same server (or share the temporary folder).

use crate::WebError;
use std::path::PathBuf;
use std::time::{Duration, SystemTime};

/// How long an uploaded file waits for its import.
const KEEP: Duration = Duration::from_secs(24 * 60 * 60);

fn folder() -> PathBuf {
    std::env::temp_dir().join("komhen-uploads")
}

fn io(error: std::io::Error) -> WebError {
    WebError::internal("den uploadede fil kunne ikke gemmes", error)
}

/// A SHA-256 as hex (what a form may name).
fn is_hash(value: &str) -> bool {
    value.len() == 64 && value.bytes().all(|b| b.is_ascii_hexdigit())
}

fn path_of(scope: &str, sha256: &str) -> PathBuf {
    folder().join(format!("{scope}-{}", sha256.to_ascii_lowercase()))
}

/// Saves an uploaded file for `scope`; returns its SHA-256 and where it is.
pub(crate) fn save(scope: &str, bytes: &[u8]) -> Result<(String, PathBuf), WebError> {
    let dir = folder();
    std::fs::create_dir_all(&dir).map_err(io)?;
    remove_old(&dir);
    let unique = format!(
        "{scope}-upload-{}-{}",
        std::process::id(),
        SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos())
    );
    let incoming = dir.join(unique);
    std::fs::write(&incoming, bytes).map_err(io)?;
    let sha256 = komhen_core::intake::files::sha256_of(&incoming)
        .map_err(|e| WebError::internal("den uploadede fil kunne ikke læses", e))?;
    let path = path_of(scope, &sha256);
    std::fs::rename(&incoming, &path).map_err(io)?;
    Ok((sha256, path))
}

/// The file `scope` uploaded with this SHA-256, if it is still here.
pub(crate) fn find(scope: &str, sha256: &str) -> Option<PathBuf> {
    if !is_hash(sha256) {
        return None;
    }
    let path = path_of(scope, sha256);
    path.is_file().then_some(path)
}

/// Removes a file after its import.
pub(crate) fn remove(path: &std::path::Path) {
    if let Err(error) = std::fs::remove_file(path) {
        tracing::warn!(%error, path = %path.display(), "uploaded file not removed");
    }
}

/// Removes files whose import never came.
fn remove_old(dir: &std::path::Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let now = SystemTime::now();
    for entry in entries.flatten() {
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|modified| now.duration_since(modified).ok())
            .is_some_and(|age| age > KEEP);
        if old {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// The name a user gave a file, for showing it: the last path part, at
/// most 200 characters.
pub(crate) fn display_name(name: &str) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or_default().trim();
    let name: String = last.chars().take(200).collect();
    if name.is_empty() {
        "fil.csv".into()
    } else {
        name
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // test code: a failure should panic
mod tests {
    #[test]
    fn a_form_can_name_only_a_hash_of_its_own_scope() {
        let (sha, path) = super::save("test-259", b"label,nb_visits\n").unwrap();
        assert_eq!(super::find("test-259", &sha), Some(path.clone()));
        assert_eq!(super::find("test-101", &sha), None);
        assert_eq!(super::find("test-259", "../../etc/passwd"), None);
        super::remove(&path);
        assert_eq!(super::find("test-259", &sha), None);
        assert_eq!(
            super::display_name("C:\\Users\\kim\\sider.csv"),
            "sider.csv"
        );
    }
}
