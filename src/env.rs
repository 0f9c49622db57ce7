//! The process environment as a value, so that every piece of awsuse can be run
//! against an environment a test builds, and no test has to mutate its own.

use std::collections::HashMap;
use std::ffi::{OsStr, OsString};
use std::path::PathBuf;

/// A snapshot of environment variables.
#[derive(Clone, Debug, Default)]
pub struct Env {
    vars: HashMap<OsString, OsString>,
}

impl Env {
    /// The environment of the running process.
    pub fn from_process() -> Self {
        Self { vars: std::env::vars_os().collect() }
    }

    /// An environment made of the given pairs only.
    pub fn from_pairs<K, V>(pairs: impl IntoIterator<Item = (K, V)>) -> Self
    where
        K: Into<OsString>,
        V: Into<OsString>,
    {
        Self { vars: pairs.into_iter().map(|(k, v)| (k.into(), v.into())).collect() }
    }

    /// The raw value of a variable, set or not, empty or not.
    pub fn get_os(&self, name: &str) -> Option<&OsStr> {
        self.vars.get(OsStr::new(name)).map(OsString::as_os_str)
    }

    /// A variable that is set, non-empty and valid UTF-8. Empty values count as unset,
    /// as they do for the AWS SDKs.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.get_os(name).and_then(OsStr::to_str).filter(|v| !v.is_empty())
    }

    /// A variable that names a path, when it is set and non-empty.
    pub fn path(&self, name: &str) -> Option<PathBuf> {
        self.get_os(name).filter(|v| !v.is_empty()).map(PathBuf::from)
    }

    /// The user's home directory: `HOME` first, as the AWS SDKs do on every platform, then
    /// the platform's own lookup.
    pub fn home(&self) -> Option<PathBuf> {
        self.path("HOME").or_else(dirs::home_dir)
    }

    /// Whether a variable is set, even to an empty string.
    pub fn contains(&self, name: &str) -> bool {
        self.vars.contains_key(OsStr::new(name))
    }

    /// Sets a variable in this snapshot (never in the process).
    pub fn set(&mut self, name: impl Into<OsString>, value: impl Into<OsString>) {
        self.vars.insert(name.into(), value.into());
    }
}
