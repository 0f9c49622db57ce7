//! The state file of recently used profiles, and what STS last said about each.
//!
//! The file is small JSON in the user's state directory. Many shells update it at once, so
//! every update is a read-modify-write under an exclusive lock on a separate lock file, and
//! the new contents reach the file by renaming a synced temporary file over it: a reader never
//! needs the lock and never sees half a file. The file holds names, counts, times and account
//! identifiers only; there is no field a secret could go into.

mod error;
mod file;
mod recents;
mod store;

use std::path::PathBuf;

use crate::env::Env;

pub use error::{StateError, Warning};
pub use recents::{Entry, Identity, IdentityCheck, MAX_ENTRIES, Recents};
pub use store::{FILE_NAME, LOCK_NAME, StateStore};

/// The directory the state file lives in, or `None` when no home directory can be found.
///
/// `AWSUSE_STATE_DIR` wins; then `$XDG_STATE_HOME/awsuse`, but only for an absolute
/// `XDG_STATE_HOME` since the XDG rules say a relative one is to be ignored; then
/// `~/.local/state/awsuse`; and last the platform's own directory for such data.
pub fn state_dir(env: &Env) -> Option<PathBuf> {
    if let Some(dir) = env.path("AWSUSE_STATE_DIR") {
        return Some(dir);
    }
    if let Some(xdg) = env.path("XDG_STATE_HOME").filter(|p| p.is_absolute()) {
        return Some(xdg.join("awsuse"));
    }
    if let Some(home) = env.home() {
        return Some(home.join(".local").join("state").join("awsuse"));
    }

    // `dirs::state_dir` knows no such directory on macOS, where local data is the nearest.
    dirs::state_dir().or_else(dirs::data_local_dir).map(|dir| dir.join("awsuse"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Env {
        Env::from_pairs(pairs.iter().copied())
    }

    #[test]
    fn override_wins_over_everything() {
        let env = env(&[("AWSUSE_STATE_DIR", "/s"), ("XDG_STATE_HOME", "/x"), ("HOME", "/h")]);
        assert_eq!(state_dir(&env), Some(PathBuf::from("/s")));
    }

    #[test]
    fn empty_override_is_unset() {
        let env = env(&[("AWSUSE_STATE_DIR", ""), ("XDG_STATE_HOME", "/x"), ("HOME", "/h")]);
        assert_eq!(state_dir(&env), Some(PathBuf::from("/x/awsuse")));
    }

    #[test]
    fn relative_xdg_state_home_is_ignored() {
        let env = env(&[("XDG_STATE_HOME", "rel/state"), ("HOME", "/h")]);
        assert_eq!(state_dir(&env), Some(PathBuf::from("/h/.local/state/awsuse")));
    }

    #[test]
    fn home_is_the_usual_place() {
        let env = env(&[("HOME", "/home/me")]);
        assert_eq!(state_dir(&env), Some(PathBuf::from("/home/me/.local/state/awsuse")));
    }
}
