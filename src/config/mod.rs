//! The AWS shared config and credentials files, read the way the AWS SDKs read them.
//!
//! `locate` finds the two files, `parse` reads one file into sections, and `load` merges both
//! into an [`AwsConfig`]: profiles (the credentials file wins key by key), `sso-session`
//! sections and `services` sections.

mod parse;

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use crate::env::Env;

pub use parse::{ParsedFile, ParsedSection, SectionKind, parse};

/// Which of the two AWS files a section or property came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FileKind {
    Config,
    Credentials,
}

impl FileKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FileKind::Config => "config",
            FileKind::Credentials => "credentials",
        }
    }
}

/// Where the two files are.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    pub config: PathBuf,
    pub credentials: PathBuf,
}

impl Location {
    pub fn path(&self, kind: FileKind) -> &Path {
        match kind {
            FileKind::Config => &self.config,
            FileKind::Credentials => &self.credentials,
        }
    }
}

/// The value of a property: plain text, or a group of sub-properties (`s3 =` followed by
/// indented `key = value` lines).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    Text(String),
    /// Sub-properties in file order; keys are lowercased, invalid ones are dropped.
    /// `raw` is the value as the SDKs expose it as a string (`"\nname = value"`).
    Map { raw: String, entries: Vec<(String, String)> },
}

impl Value {
    /// The value as the SDKs expose it as a string.
    pub fn as_str(&self) -> &str {
        match self {
            Value::Text(text) => text,
            Value::Map { raw, .. } => raw,
        }
    }
}

/// One property with the place it was defined.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Property {
    pub value: Value,
    pub file: FileKind,
    /// 1-based line of the `key = value` line.
    pub line: usize,
}

/// A profile, `sso-session` or `services` section after merging.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Section {
    pub name: String,
    /// Where the section was first defined (the config file when it appears in both).
    pub file: FileKind,
    /// 1-based line of its first header.
    pub line: usize,
    /// Properties by lowercased key.
    pub properties: BTreeMap<String, Property>,
}

impl Section {
    pub fn new(name: impl Into<String>, file: FileKind, line: usize) -> Self {
        Self { name: name.into(), file, line, properties: BTreeMap::new() }
    }

    /// A property's text value by key (any case). Sub-property groups are not text.
    pub fn get(&self, key: &str) -> Option<&str> {
        let property = if key.bytes().any(|b| b.is_ascii_uppercase()) {
            self.properties.get(&key.to_ascii_lowercase())
        } else {
            self.properties.get(key)
        };
        match property.map(|p| &p.value) {
            Some(Value::Text(text)) => Some(text),
            _ => None,
        }
    }

    pub fn property(&self, key: &str) -> Option<&Property> {
        self.properties.get(&key.to_ascii_lowercase())
    }
}

/// A section that the SDKs skip, kept so that awsuse can explain why a name is missing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ignored {
    /// The header as written, without brackets and trimmed.
    pub header: String,
    /// The profile name a user would expect it to define, when there is one.
    pub name: Option<String>,
    pub file: FileKind,
    pub line: usize,
    pub reason: IgnoredReason,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IgnoredReason {
    /// The name has characters outside `A-Za-z0-9_-/.%@:+`.
    InvalidName,
    /// `[NAME]` without the `profile` prefix in the config file.
    MissingProfilePrefix,
    /// `[profile NAME]` in the credentials file.
    ProfilePrefixInCredentials,
    /// `[default]` in the config file when `[profile default]` exists too.
    ShadowedDefault,
    /// A header with a prefix the SDKs do not know (`[sso-sesion x]`).
    UnknownPrefix,
}

impl fmt::Display for IgnoredReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            IgnoredReason::InvalidName => {
                "its name has characters other than letters, digits and _-/.%@:+, so the AWS SDKs skip it"
            }
            IgnoredReason::MissingProfilePrefix => {
                "sections of the config file need the 'profile ' prefix (write [profile NAME])"
            }
            IgnoredReason::ProfilePrefixInCredentials => {
                "sections of the credentials file are bare names (write [NAME], not [profile NAME])"
            }
            IgnoredReason::ShadowedDefault => {
                "[profile default] in the same file replaces [default] for the AWS SDKs"
            }
            IgnoredReason::UnknownPrefix => "the AWS SDKs do not know this kind of section",
        })
    }
}

/// Both files, merged.
#[derive(Clone, Debug, Default)]
pub struct AwsConfig {
    pub profiles: BTreeMap<String, Section>,
    pub sso_sessions: BTreeMap<String, Section>,
    pub services: BTreeMap<String, Section>,
    pub ignored: Vec<Ignored>,
}

/// A file that could not be parsed: names the file and the line.
#[derive(Debug)]
pub struct ParseError {
    pub path: PathBuf,
    pub line: usize,
    pub message: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.path.display(), self.line, self.message)
    }
}

impl std::error::Error for ParseError {}
