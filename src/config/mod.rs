//! The AWS shared config and credentials files, read the way the AWS SDKs read them.
//!
//! `locate` finds the two files, `parse` reads one file into sections, and `load` merges both
//! into an [`AwsConfig`]: profiles (the credentials file wins key by key), `sso-session`
//! sections and `services` sections.

mod parse;
mod sections;
pub mod write;

use std::borrow::Cow;
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

use crate::env::Env;

pub use parse::{ParsedFile, ParsedSection, SectionKind, parse};
pub use sections::Sections;

use sections::Body;

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
    /// Borrowed from the file's text where the file lives as long as the process.
    Text(Cow<'static, str>),
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
    pub properties: Properties,
}

impl Section {
    pub fn new(name: impl Into<String>, file: FileKind, line: usize) -> Self {
        Self { name: name.into(), file, line, properties: Properties::default() }
    }

    /// A property's text value by key (any case). Sub-property groups are not text.
    pub fn get(&self, key: &str) -> Option<&str> {
        match self.property(key).map(|p| &p.value) {
            Some(Value::Text(text)) => Some(text),
            _ => None,
        }
    }

    /// A property by key (any case).
    pub fn property(&self, key: &str) -> Option<&Property> {
        // Keys are stored lowercased, and callers nearly always ask in lowercase.
        if key.bytes().any(|b| b.is_ascii_uppercase()) {
            self.properties.get(&key.to_ascii_lowercase())
        } else {
            self.properties.get(key)
        }
    }
}

/// The properties of a section by lowercased key, in key order. A section holds a handful,
/// so a sorted vector read from the start finds one faster than a tree does.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Properties(Vec<(Cow<'static, str>, Property)>);

impl Properties {
    pub fn get(&self, key: &str) -> Option<&Property> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, property)| property)
    }

    /// Sets `key`, replacing an earlier value: later definitions win.
    pub fn insert(&mut self, key: impl Into<Cow<'static, str>>, property: Property) {
        let key = key.into();
        match self.0.binary_search_by(|(k, _)| k.as_ref().cmp(&key)) {
            Ok(at) => self.0[at].1 = property,
            Err(at) => self.0.insert(at, (key, property)),
        }
    }

    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&str, &Property)> {
        self.0.iter().map(|(key, property)| (key.as_ref(), property))
    }

    pub fn keys(&self) -> impl ExactSizeIterator<Item = &str> {
        self.0.iter().map(|(key, _)| key.as_ref())
    }

    pub fn values(&self) -> impl ExactSizeIterator<Item = &Property> {
        self.0.iter().map(|(_, property)| property)
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl Properties {
    /// Adds properties in file order, later ones winning. Into an empty set, as when a
    /// section is read, the vector is taken as it is and sorted once.
    pub(crate) fn absorb(&mut self, mut properties: Vec<(Cow<'static, str>, Property)>) {
        if !self.0.is_empty() {
            properties.into_iter().for_each(|(key, property)| self.insert(key, property));
            return;
        }
        // Reversed, a stable sort puts the later of two equal keys first, and it is kept.
        properties.reverse();
        properties.sort_by(|(a, _), (b, _)| a.cmp(b));
        properties.dedup_by(|(a, _), (b, _)| a == b);
        self.0 = properties;
    }
}

impl Extend<(Cow<'static, str>, Property)> for Properties {
    fn extend<I: IntoIterator<Item = (Cow<'static, str>, Property)>>(&mut self, properties: I) {
        self.absorb(properties.into_iter().collect());
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
    pub profiles: Sections,
    pub sso_sessions: Sections,
    pub services: Sections,
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

impl FileKind {
    /// The environment variable that moves this file.
    pub fn env_var(self) -> &'static str {
        match self {
            FileKind::Config => "AWS_CONFIG_FILE",
            FileKind::Credentials => "AWS_SHARED_CREDENTIALS_FILE",
        }
    }

    /// The default path under the home directory.
    fn default_path(self) -> &'static str {
        match self {
            FileKind::Config => ".aws/config",
            FileKind::Credentials => ".aws/credentials",
        }
    }
}

/// Finds the two files: an explicit path (`--config-file`, `--credentials-file`) wins, then
/// `AWS_CONFIG_FILE` / `AWS_SHARED_CREDENTIALS_FILE`, then `~/.aws/config` /
/// `~/.aws/credentials`. A leading `~` is the home directory (`HOME` first).
pub fn locate(
    env: &Env,
    config: Option<PathBuf>,
    credentials: Option<PathBuf>,
) -> anyhow::Result<Location> {
    locate_with_fallback_home(env, config, credentials, dirs::home_dir)
}

/// [`locate`] with the platform's home lookup given by the caller; it is asked only when `HOME`
/// is unset or empty and a path needs the home directory.
pub fn locate_with_fallback_home(
    env: &Env,
    config: Option<PathBuf>,
    credentials: Option<PathBuf>,
    fallback_home: impl FnOnce() -> Option<PathBuf>,
) -> anyhow::Result<Location> {
    // The home directory is looked up at most once, and only when a path needs it.
    let mut lookup = Some(fallback_home);
    let mut found: Option<Option<PathBuf>> = None;
    let mut home = || {
        found
            .get_or_insert_with(|| {
                env.path("HOME").or_else(|| lookup.take().and_then(|fallback| fallback()))
            })
            .clone()
    };
    let config = locate_one(env, FileKind::Config, config, &mut home)?;
    let credentials = locate_one(env, FileKind::Credentials, credentials, &mut home)?;
    Ok(Location { config, credentials })
}

fn locate_one(
    env: &Env,
    kind: FileKind,
    explicit: Option<PathBuf>,
    home: &mut impl FnMut() -> Option<PathBuf>,
) -> anyhow::Result<PathBuf> {
    let Some(path) = explicit.or_else(|| env.path(kind.env_var())) else {
        let Some(home) = home() else {
            anyhow::bail!(
                "cannot find the home directory to read ~/{} (set HOME, or set {} to the file's \
                 full path)",
                kind.default_path(),
                kind.env_var()
            );
        };
        return Ok(home.join(kind.default_path()));
    };

    // `~` and `~/...` are the home directory, as in the SDKs; `~user` is left alone.
    let Ok(rest) = path.strip_prefix("~") else {
        return Ok(path);
    };
    let Some(home) = home() else {
        anyhow::bail!(
            "cannot expand '~' in {}: no home directory is known (set HOME, or give the full path)",
            path.display()
        );
    };
    Ok(if rest.as_os_str().is_empty() { home } else { home.join(rest) })
}

/// Reads and merges both files. A missing file reads as empty.
///
/// Sections of the same kind and name merge with later keys winning, and the credentials
/// file is applied after the config file. `[profile default]` replacing `[default]` is a rule
/// of one file, applied by the check. Properties are read from the texts when a section is
/// first looked up.
pub fn load(location: &Location) -> Result<AwsConfig, LoadError> {
    let mut merged = AwsConfig::default();
    for kind in [FileKind::Config, FileKind::Credentials] {
        let path = location.path(kind);
        let Some(text) = read(path, kind)? else { continue };
        add(&mut merged, text, kind).map_err(|(line, message)| {
            LoadError::Parse(ParseError { path: path.to_path_buf(), line, message })
        })?;
    }
    Ok(merged)
}

/// The profile names of both files, from their section headers only (see
/// [`parse::profile_names`]); a name may come more than once. A file that cannot be read
/// at all is an error, as for [`load`].
pub fn profile_names(location: &Location) -> Result<Vec<&'static str>, LoadError> {
    let mut names = Vec::new();
    for kind in [FileKind::Config, FileKind::Credentials] {
        if let Some(text) = read(location.path(kind), kind)? {
            parse::profile_names(text, kind, &mut |name| names.push(name));
        }
    }
    Ok(names)
}

/// Parses both files from text; errors name the files `config` and `credentials`. The texts
/// are kept for the life of the process, as those of loaded files are.
pub fn from_strings(config: &str, credentials: &str) -> Result<AwsConfig, ParseError> {
    let mut merged = AwsConfig::default();
    for (text, kind) in [(config, FileKind::Config), (credentials, FileKind::Credentials)] {
        let text: &'static str = String::leak(text.to_owned());
        add(&mut merged, text, kind).map_err(|(line, message)| ParseError {
            path: PathBuf::from(kind.as_str()),
            line,
            message,
        })?;
    }
    Ok(merged)
}

/// Checks one file and adds its sections to `merged`.
fn add(merged: &mut AwsConfig, text: &'static str, kind: FileKind) -> Result<(), (usize, String)> {
    // About 200 bytes a profile in real files: room for most without growing the map.
    merged.profiles.reserve(text.len() / 256);
    let ignored = parse::check(text, kind, &mut |header| {
        let body = Body { kind, text: header.text, line: header.line };
        sections::select(merged, header.kind).add_body(header.name, body);
    })?;
    merged.ignored.extend(ignored);
    Ok(())
}

/// Reads one file whole; `None` when it does not exist.
fn read(path: &Path, kind: FileKind) -> Result<Option<&'static str>, LoadError> {
    // The text lives as long as the process: sections point into it. The binary's allocator
    // gives a large file a block of its own, in huge pages.
    let bytes: &'static [u8] = match std::fs::read(path) {
        Ok(bytes) => bytes.leak(),
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(_) if path.is_dir() => {
            return Err(LoadError::Directory { path: path.to_path_buf(), kind });
        }
        Err(source) => return Err(LoadError::Read { path: path.to_path_buf(), kind, source }),
    };
    let text = std::str::from_utf8(bytes).map_err(|error| {
        let valid = &bytes[..error.valid_up_to()];
        let line = memchr::memchr_iter(b'\n', valid).count() + 1;
        LoadError::InvalidUtf8 { path: path.to_path_buf(), line }
    })?;
    // A NUL byte means a damaged file, and no environment variable could carry a value with
    // one: refuse the file here, where its line is known, not at the switch.
    if let Some(at) = memchr::memchr(0, text.as_bytes()) {
        let line = memchr::memchr_iter(b'\n', &text.as_bytes()[..at]).count() + 1;
        return Err(LoadError::NulByte { path: path.to_path_buf(), line });
    }
    Ok(Some(text))
}

/// Why the AWS files could not be read.
#[derive(Debug)]
pub enum LoadError {
    /// The file exists but could not be read.
    Read {
        path: PathBuf,
        kind: FileKind,
        source: io::Error,
    },
    /// A directory is where the file should be.
    Directory {
        path: PathBuf,
        kind: FileKind,
    },
    /// The file is not UTF-8; `line` is where the first bad byte is.
    InvalidUtf8 {
        path: PathBuf,
        line: usize,
    },
    /// The file holds a NUL byte; `line` is where the first one is.
    NulByte {
        path: PathBuf,
        line: usize,
    },
    Parse(ParseError),
}

impl LoadError {
    /// The file the error is about.
    pub fn path(&self) -> &Path {
        match self {
            LoadError::Read { path, .. }
            | LoadError::Directory { path, .. }
            | LoadError::InvalidUtf8 { path, .. }
            | LoadError::NulByte { path, .. } => path,
            LoadError::Parse(error) => &error.path,
        }
    }
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LoadError::Read { path, kind, source } => write!(
                f,
                "could not read {}: {} (make the file readable, or set {} to another file)",
                path.display(),
                source.kind(),
                kind.env_var()
            ),
            LoadError::Directory { path, kind } => write!(
                f,
                "{} is a directory, not a file (remove it, or set {} to a file)",
                path.display(),
                kind.env_var()
            ),
            LoadError::InvalidUtf8 { path, line } => write!(
                f,
                "{}:{line}: the file is not valid UTF-8 (save it as UTF-8)",
                path.display()
            ),
            LoadError::NulByte { path, line } => write!(
                f,
                "{}:{line}: the file holds a NUL byte, so it is damaged (remove the byte)",
                path.display()
            ),
            LoadError::Parse(error) => write!(f, "{error}"),
        }
    }
}

impl std::error::Error for LoadError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            LoadError::Read { source, .. } => Some(source),
            LoadError::Parse(error) => Some(error),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn home_env() -> Env {
        Env::from_pairs([("HOME", "/home/me")])
    }

    fn no_fallback() -> Option<PathBuf> {
        None
    }

    #[test]
    fn a_key_written_twice_keeps_its_later_value_and_borrows_it() {
        let parsed =
            from_strings("[profile a]\nRegion = one\nregion = two\noutput = json\n", "").unwrap();
        let a = &parsed.profiles["a"];
        assert_eq!((a.get("region"), a.property("region").map(|p| p.line)), (Some("two"), Some(3)));
        assert_eq!(a.properties.keys().collect::<Vec<_>>(), ["output", "region"]);
        assert!(matches!(
            &a.properties.get("output").unwrap().value,
            Value::Text(Cow::Borrowed(_))
        ));
    }

    #[test]
    fn credentials_win_key_by_key_and_sections_keep_their_first_place() {
        let merged = from_strings(
            "[profile default]\nregion = a\noutput = json\n[default]\nregion = shadowed\n",
            "# keys\n[default]\nregion = b\naws_access_key_id = k\n[only]\nx = 1\n",
        )
        .unwrap();
        let default = &merged.profiles["default"];
        assert_eq!((default.file, default.line), (FileKind::Config, 1));
        assert_eq!(default.get("region"), Some("b"));
        assert_eq!(default.get("output"), Some("json"));
        let region = default.property("REGION").unwrap();
        assert_eq!((region.file, region.line), (FileKind::Credentials, 3));
        let only = &merged.profiles["only"];
        assert_eq!((only.file, only.line), (FileKind::Credentials, 5));
        assert_eq!(merged.ignored.len(), 1);
        assert_eq!(merged.ignored[0].reason, IgnoredReason::ShadowedDefault);
    }

    #[test]
    fn bare_default_in_the_config_file_merges_with_the_credentials_file() {
        let merged = from_strings("[default]\nregion = a\n", "[default]\noutput = text\n").unwrap();
        let default = &merged.profiles["default"];
        assert_eq!(default.get("region"), Some("a"));
        assert_eq!(default.get("output"), Some("text"));
        assert!(merged.ignored.is_empty());
    }

    #[test]
    fn sso_sessions_and_services_have_their_own_maps() {
        let merged = from_strings(
            "[sso-session corp]\nsso_region = eu-west-1\n[services local]\ns3 =\n  endpoint_url = http://localhost\n[profile corp]\n",
            "",
        )
        .unwrap();
        assert_eq!(merged.sso_sessions["corp"].get("sso_region"), Some("eu-west-1"));
        let s3 = &merged.services["local"].property("s3").unwrap().value;
        assert!(matches!(s3, Value::Map { entries, .. } if entries[0].1 == "http://localhost"));
        assert!(merged.profiles.contains_key("corp"));
        assert!(!merged.profiles.contains_key("local"));
    }

    #[test]
    fn from_strings_names_the_file_of_an_error() {
        let error = from_strings("[default]\n", "[default]\nbroken\n").unwrap_err();
        assert_eq!((error.path.as_path(), error.line), (Path::new("credentials"), 2));
    }

    #[test]
    fn locate_prefers_explicit_paths_then_variables_then_home() {
        let mut env = home_env();
        let location = locate_with_fallback_home(&env, None, None, no_fallback).unwrap();
        assert_eq!(location.config, Path::new("/home/me/.aws/config"));
        assert_eq!(location.credentials, Path::new("/home/me/.aws/credentials"));

        env.set("AWS_CONFIG_FILE", "/etc/aws/config");
        env.set("AWS_SHARED_CREDENTIALS_FILE", "~/creds");
        let explicit = Some(PathBuf::from("/tmp/config"));
        let location = locate_with_fallback_home(&env, explicit, None, no_fallback).unwrap();
        assert_eq!(location.path(FileKind::Config), Path::new("/tmp/config"));
        assert_eq!(location.path(FileKind::Credentials), Path::new("/home/me/creds"));
    }

    #[test]
    fn locate_expands_only_a_leading_tilde() {
        let env = home_env();
        let paths = |config: &str| {
            locate_with_fallback_home(&env, Some(config.into()), Some("~".into()), no_fallback)
                .unwrap()
        };
        let location = paths("~/aws/config");
        assert_eq!(location.config, Path::new("/home/me/aws/config"));
        assert_eq!(location.credentials, Path::new("/home/me"));
        assert_eq!(paths("~other/config").config, Path::new("~other/config"));
        assert_eq!(paths("/a/~/config").config, Path::new("/a/~/config"));
    }

    #[test]
    fn locate_uses_the_fallback_home_only_without_home() {
        let fallback = || Some(PathBuf::from("/fallback"));
        let location = locate_with_fallback_home(&home_env(), None, None, fallback).unwrap();
        assert_eq!(location.config, Path::new("/home/me/.aws/config"));

        let empty_home = Env::from_pairs([("HOME", "")]);
        let location = locate_with_fallback_home(&empty_home, None, None, fallback).unwrap();
        assert_eq!(location.credentials, Path::new("/fallback/.aws/credentials"));
    }

    #[test]
    fn locate_without_a_home_says_what_to_set() {
        let env = Env::default();
        let error = locate_with_fallback_home(&env, None, None, no_fallback).unwrap_err();
        let message = error.to_string();
        assert!(message.contains("set HOME") && message.contains("AWS_CONFIG_FILE"), "{message}");

        // Explicit full paths need no home at all.
        let both = locate_with_fallback_home(
            &env,
            Some("/a/config".into()),
            Some("/a/credentials".into()),
            no_fallback,
        );
        assert!(both.is_ok());
        let tilde = locate_with_fallback_home(
            &env,
            Some("~/config".into()),
            Some("/a".into()),
            no_fallback,
        );
        assert!(tilde.unwrap_err().to_string().contains("cannot expand '~'"));
    }

    fn location_in(dir: &Path) -> Location {
        Location { config: dir.join("config"), credentials: dir.join("credentials") }
    }

    #[test]
    fn load_reads_missing_files_as_empty() {
        let dir = tempfile::tempdir().unwrap();
        let loaded = load(&location_in(dir.path())).unwrap();
        assert!(loaded.profiles.is_empty() && loaded.ignored.is_empty());

        std::fs::write(dir.path().join("credentials"), "[dev]\nregion = x").unwrap();
        let loaded = load(&location_in(dir.path())).unwrap();
        assert_eq!(loaded.profiles["dev"].get("region"), Some("x"));
    }

    #[test]
    fn load_rejects_a_directory_and_names_it() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("config")).unwrap();
        let error = load(&location_in(dir.path())).unwrap_err();
        assert!(matches!(error, LoadError::Directory { kind: FileKind::Config, .. }), "{error:?}");
        let message = error.to_string();
        assert!(message.contains(&dir.path().join("config").display().to_string()), "{message}");
        assert!(message.contains("is a directory"), "{message}");
    }

    #[test]
    fn load_reports_invalid_utf8_with_its_line() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("config"), b"[default]\nregion = a\nname = \xff\xfe\n")
            .unwrap();
        let error = load(&location_in(dir.path())).unwrap_err();
        assert!(matches!(error, LoadError::InvalidUtf8 { line: 3, .. }), "{error:?}");
        assert!(error.to_string().ends_with(":3: the file is not valid UTF-8 (save it as UTF-8)"));
    }

    #[test]
    fn load_reports_a_nul_byte_with_its_line() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("config"), b"[default]\nregion = eu\0west-1\n").unwrap();
        let error = load(&location_in(dir.path())).unwrap_err();
        assert!(matches!(error, LoadError::NulByte { line: 2, .. }), "{error:?}");
        assert!(
            error
                .to_string()
                .ends_with(":2: the file holds a NUL byte, so it is damaged (remove the byte)")
        );
    }

    #[test]
    fn load_reports_parse_errors_with_path_and_line() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("credentials"), "[dev]\n\nwhat\n").unwrap();
        let error = load(&location_in(dir.path())).unwrap_err();
        let LoadError::Parse(parse_error) = &error else { panic!("{error:?}") };
        assert_eq!(parse_error.line, 3);
        assert_eq!(error.path(), dir.path().join("credentials"));
        let expected = format!("{}:3: ", dir.path().join("credentials").display());
        assert!(error.to_string().starts_with(&expected), "{error}");
    }

    #[cfg(unix)]
    #[test]
    fn load_reports_an_unreadable_file() {
        use std::os::unix::fs::PermissionsExt;

        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config");
        std::fs::write(&path, "[default]\n").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o000)).unwrap();

        // Root reads files whatever their mode, so there is nothing to check then.
        if std::fs::read(&path).is_ok() {
            eprintln!("skipped: a file with mode 000 is still readable (running as root)");
            return;
        }
        let error = load(&location_in(dir.path())).unwrap_err();
        assert!(matches!(error, LoadError::Read { .. }), "{error:?}");
        let message = error.to_string();
        assert!(message.contains("permission denied") && message.contains("config"), "{message}");
    }
}
