//! What can go wrong with the state file: warnings that never stop a switch, and errors
//! when an update could not be written (which the caller also shows as a warning).

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

use super::file::VERSION;

/// Something about the state file the user should hear of; awsuse goes on regardless.
#[derive(Debug)]
pub enum Warning {
    /// The file could not be understood and was renamed out of the way.
    SetAside { path: PathBuf, problem: String, moved_to: PathBuf },
    /// The file could not be understood, nor moved out of the way.
    Damaged { path: PathBuf, problem: String, error: io::Error },
    /// The file exists but could not be read; it is left where it is.
    Unreadable { path: PathBuf, error: io::Error },
    /// A newer awsuse wrote the file; it is read as empty and never overwritten.
    Newer { path: PathBuf, version: u64 },
}

impl Warning {
    /// The state file the warning is about.
    pub fn path(&self) -> &Path {
        match self {
            Self::SetAside { path, .. }
            | Self::Damaged { path, .. }
            | Self::Unreadable { path, .. }
            | Self::Newer { path, .. } => path,
        }
    }
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::SetAside { path, problem, moved_to } => write!(
                f,
                "state file {} was damaged ({problem}); it was moved to {} and a new one is \
                 started, so recently used profiles start afresh",
                path.display(),
                moved_to.display()
            ),
            Self::Damaged { path, problem, error } => write!(
                f,
                "state file {} is damaged ({problem}) and could not be moved aside ({error}); \
                 remove it so that a new one can be started",
                path.display()
            ),
            Self::Unreadable { path, error } => write!(
                f,
                "state file {} could not be read ({error}); recently used profiles are not \
                 shown until it is readable (chmod 600 it, or remove it)",
                path.display()
            ),
            Self::Newer { path, version } => write!(
                f,
                "state file {} was written by a newer awsuse (format version {version}, this \
                 one knows {VERSION}); it is left untouched and recently used profiles are \
                 neither shown nor recorded until awsuse is upgraded",
                path.display()
            ),
        }
    }
}

/// An update of the state file that did not happen.
#[derive(Debug)]
pub struct StateError {
    path: PathBuf,
    action: &'static str,
    hint: String,
    source: io::Error,
}

impl StateError {
    /// The file or directory the failing step was about.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The underlying system error.
    pub fn io_error(&self) -> &io::Error {
        &self.source
    }

    /// A step that writes into the state directory failed; the advice depends on why.
    pub(super) fn writing(action: &'static str, path: &Path, source: io::Error) -> Self {
        let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(path);
        let hint = match source.kind() {
            io::ErrorKind::StorageFull | io::ErrorKind::QuotaExceeded => {
                "free some space on that disk, or set AWSUSE_STATE_DIR to a directory on \
                 another one"
                    .to_owned()
            }
            io::ErrorKind::PermissionDenied | io::ErrorKind::ReadOnlyFilesystem => format!(
                "make {} writable, or set AWSUSE_STATE_DIR to a writable directory",
                dir.display()
            ),
            _ => format!(
                "check that {} is a writable directory, or set AWSUSE_STATE_DIR to one",
                dir.display()
            ),
        };
        Self { path: path.to_owned(), action, hint, source }
    }

    /// The existing file could not be read, so updating it would lose what it holds.
    pub(super) fn unreadable(path: &Path, source: io::Error) -> Self {
        let hint = format!("make it readable (chmod 600 {}) or remove it", path.display());
        Self { path: path.to_owned(), action: "could not read state file", hint, source }
    }

    /// A damaged file could not be renamed out of the way, so it is not overwritten either.
    pub(super) fn stuck(path: &Path, source: io::Error) -> Self {
        let hint = "remove it so that a new one can be started".to_owned();
        Self { path: path.to_owned(), action: "could not move damaged state file", hint, source }
    }
}

impl fmt::Display for StateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}: {}; {}", self.action, self.path.display(), self.source, self.hint)
    }
}

impl std::error::Error for StateError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}
