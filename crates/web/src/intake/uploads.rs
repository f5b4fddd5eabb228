//! The one way an uploaded file comes in and waits: every upload form
//! (registration files, Matomo exports, central deliveries, total counts,
//! call logs, KLE files) is read by [`Uploads::receive`], which streams the
//! `file` field to disk, hashing it on the way, so no upload is ever held
//! in memory whole; the body's size is bounded by the route's limit.
//!
//! A previewed file waits in the folder the application configures
//! (`komhen serve --upload-dir`, `KOMHEN_UPLOAD_DIR`), named by its scope
//! (a page and a municipality, or `central`) and its SHA-256, with what the
//! import needs beside it in a small JSON file (the name the user gave it,
//! who uploaded it, its kind and rows). So a preview survives a restart, an
//! import form names only the hash, a page can import only what its own
//! scope uploaded, and the import reads exactly the bytes the preview
//! showed. Files are removed after their import and, if it never comes,
//! after a day.
//!
//! Must not read a file's contents: `komhen_core` does. With several
//! servers behind one address the folder must be shared (or the preview and
//! the import reach the same server).

use crate::WebError;
use axum::extract::Multipart;
use komhen_domain::UserId;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};
use tokio::io::AsyncWriteExt;

/// How long an uploaded file waits for its import.
const KEEP: Duration = Duration::from_secs(24 * 60 * 60);
/// The longest file name kept, in characters.
const NAME_CHARS: usize = 200;

/// What is known of a kept upload besides its bytes.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct Meta {
    /// The name the user gave the file (last path part).
    pub(crate) file_name: String,
    /// Who uploaded it, where a page imports only its uploader's files.
    pub(crate) user: Option<i64>,
    /// What the preview found the file to be (a page's own code).
    pub(crate) kind: Option<String>,
    /// The rows the preview found valid.
    pub(crate) rows: Option<u64>,
}

/// An uploaded file on disk.
#[derive(Debug, Clone)]
pub(crate) struct Kept {
    pub(crate) sha256: String,
    pub(crate) path: PathBuf,
    pub(crate) meta: Meta,
}

/// An upload form as received: the file (if one was chosen and not empty)
/// and the text fields.
#[derive(Debug)]
pub(crate) struct UploadForm {
    pub(crate) file: Option<Kept>,
    fields: Vec<(String, String)>,
}

impl UploadForm {
    /// A text field's value ("" when absent).
    pub(crate) fn field(&self, name: &str) -> &str {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    }
}

/// The folder uploads wait in.
#[derive(Debug, Clone)]
pub struct Uploads {
    dir: PathBuf,
}

impl Uploads {
    /// Uploads kept in `dir` (created when the first one comes).
    pub fn new(dir: PathBuf) -> Self {
        Self { dir }
    }

    /// A folder in the system's temporary folder (tests, and a server
    /// started without one).
    pub fn in_temp() -> Self {
        Self::new(std::env::temp_dir().join("komhen-uploads"))
    }

    /// Reads an upload form: its `file` field streamed to disk under
    /// `scope`, its other fields as text. `user` is recorded with the file.
    pub(crate) async fn receive(
        &self,
        mut multipart: Multipart,
        scope: &str,
        user: Option<UserId>,
    ) -> Result<UploadForm, WebError> {
        tokio::fs::create_dir_all(&self.dir)
            .await
            .map_err(|e| WebError::internal("uploadmappen kunne ikke oprettes", e))?;
        self.prune();
        let mut form = UploadForm {
            file: None,
            fields: Vec::new(),
        };
        while let Some(mut field) = multipart
            .next_field()
            .await
            .map_err(|_| WebError::TooLarge)?
        {
            let name = field.name().unwrap_or_default().to_owned();
            if name != "file" {
                let value = field.text().await.map_err(|_| WebError::TooLarge)?;
                form.fields.push((name, value));
                continue;
            }
            let file_name = display_name(field.file_name().unwrap_or_default());
            let incoming = self.dir.join(format!(
                "{scope}-incoming-{}",
                komhen_core::accounts::auth::random_token()
            ));
            let written = write_streamed(&mut field, &incoming).await;
            let (size, sha256) = match written {
                Ok(done) => done,
                Err(e) => {
                    let _ = tokio::fs::remove_file(&incoming).await;
                    return Err(e);
                }
            };
            if size == 0 {
                let _ = tokio::fs::remove_file(&incoming).await;
                continue;
            }
            let kept = Kept {
                path: self.path_of(scope, &sha256),
                sha256,
                meta: Meta {
                    file_name,
                    user: user.map(|u| u.0),
                    ..Meta::default()
                },
            };
            tokio::fs::rename(&incoming, &kept.path)
                .await
                .map_err(|e| WebError::internal("den uploadede fil kunne ikke gemmes", e))?;
            self.update(&kept)?;
            form.file = Some(kept);
        }
        Ok(form)
    }

    /// The file `scope` uploaded with this SHA-256, if it is still here.
    pub(crate) fn find(&self, scope: &str, sha256: &str) -> Option<Kept> {
        if !is_hash(sha256) {
            return None;
        }
        let sha256 = sha256.to_ascii_lowercase();
        let path = self.path_of(scope, &sha256);
        if !path.is_file() {
            return None;
        }
        let meta = std::fs::read(meta_path(&path))
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .unwrap_or_default();
        Some(Kept { sha256, path, meta })
    }

    /// Writes what is known of a kept file beside it.
    pub(crate) fn update(&self, kept: &Kept) -> Result<(), WebError> {
        let json = serde_json::to_vec(&kept.meta)
            .map_err(|e| WebError::internal("den uploadede fil kunne ikke gemmes", e))?;
        std::fs::write(meta_path(&kept.path), json)
            .map_err(|e| WebError::internal("den uploadede fil kunne ikke gemmes", e))
    }

    /// Removes a file after its import (or when nothing of it can be).
    pub(crate) fn remove(&self, kept: &Kept) {
        for path in [kept.path.clone(), meta_path(&kept.path)] {
            if let Err(error) = std::fs::remove_file(&path) {
                if error.kind() != std::io::ErrorKind::NotFound {
                    tracing::warn!(%error, path = %path.display(), "uploaded file not removed");
                }
            }
        }
    }

    /// Reads a small kept file (totals, KLE) whole and removes it: those
    /// are read once, straight after the upload.
    pub(crate) fn take(&self, kept: &Kept) -> Result<Vec<u8>, WebError> {
        let bytes = std::fs::read(&kept.path);
        self.remove(kept);
        bytes.map_err(|e| WebError::internal("den uploadede fil kunne ikke gemmes", e))
    }

    fn path_of(&self, scope: &str, sha256: &str) -> PathBuf {
        self.dir
            .join(format!("{scope}-{}", sha256.to_ascii_lowercase()))
    }

    /// Removes files whose import never came.
    fn prune(&self) {
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
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
}

/// Streams a multipart field into a new file; returns its size and SHA-256.
async fn write_streamed(
    field: &mut axum::extract::multipart::Field<'_>,
    path: &Path,
) -> Result<(u64, String), WebError> {
    let mut file = tokio::fs::File::create(path)
        .await
        .map_err(|e| WebError::internal("den uploadede fil kunne ikke gemmes", e))?;
    let mut hasher = Sha256::new();
    let mut size = 0u64;
    while let Some(chunk) = field.chunk().await.map_err(|_| WebError::TooLarge)? {
        size += chunk.len() as u64;
        hasher.update(&chunk);
        file.write_all(&chunk)
            .await
            .map_err(|e| WebError::internal("den uploadede fil kunne ikke gemmes", e))?;
    }
    file.flush()
        .await
        .map_err(|e| WebError::internal("den uploadede fil kunne ikke gemmes", e))?;
    let sha256 = hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    Ok((size, sha256))
}

fn meta_path(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".json");
    PathBuf::from(name)
}

/// A SHA-256 as hex (what a form may name).
fn is_hash(value: &str) -> bool {
    value.len() == 64 && value.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The name a user gave a file, for showing it: the last path part without
/// control characters, at most [`NAME_CHARS`] characters.
pub(crate) fn display_name(name: &str) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or_default().trim();
    let name: String = last
        .chars()
        .filter(|c| !c.is_control())
        .take(NAME_CHARS)
        .collect();
    if name.is_empty() {
        "fil.csv".into()
    } else {
        name
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // test code: a failure should panic
mod tests {
    use super::*;

    #[test]
    fn a_form_can_name_only_a_hash_of_its_own_scope() {
        let dir = tempfile::tempdir().unwrap();
        let uploads = Uploads::new(dir.path().to_owned());
        let sha = format!("{:x}", Sha256::digest(b"label,nb_visits\n"));
        let kept = Kept {
            sha256: sha.clone(),
            path: uploads.path_of("test-259", &sha),
            meta: Meta {
                file_name: "sider.csv".into(),
                ..Meta::default()
            },
        };
        std::fs::write(&kept.path, b"label,nb_visits\n").unwrap();
        uploads.update(&kept).unwrap();
        let found = uploads.find("test-259", &sha).unwrap();
        assert_eq!(found.path, kept.path);
        assert_eq!(found.meta.file_name, "sider.csv");
        assert!(uploads.find("test-101", &sha).is_none());
        assert!(uploads.find("test-259", "../../etc/passwd").is_none());
        uploads.remove(&kept);
        assert!(uploads.find("test-259", &sha).is_none());
        assert_eq!(display_name("C:\\Users\\kim\\sider.csv"), "sider.csv");
    }
}
