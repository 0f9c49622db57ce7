//! Plugins: shared libraries that add profiles, keys, MFA codes and variables, loaded at run
//! time through the C interface of `plugins/ABI.md`.
//!
//! Plugins come from the directories of `AWSUSE_PLUGIN_PATH`, else `<data dir>/awsuse/plugins`,
//! never from the current directory. Anything wrong with one plugin (permissions, interface
//! version, a failing hook, malformed output) is reported once and that plugin is skipped; the
//! rest of awsuse keeps working. `--no-plugins` or `AWSUSE_NO_PLUGINS=1` turns them all off.
//!
//! Every call into a plugin is made from one thread at a time.

mod call;
mod load;

use std::cell::RefCell;
use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::mpsc;
use std::time::Duration;

use anyhow::{Result, bail};
use awsuse_plugin::abi::{self, Descriptor};
use awsuse_plugin::{Credentials, EnvChange};

use crate::env::Env;
use crate::switch::{self, Changes};
use call::Reply;

pub use load::check_permissions;

/// The variable that turns plugins off when set to anything but `0` or `false`.
pub const DISABLE_VAR: &str = "AWSUSE_NO_PLUGINS";
/// The variable listing plugin directories, separated by `:`.
pub const PATH_VAR: &str = "AWSUSE_PLUGIN_PATH";
/// How long completion waits for plugins' profile names, in milliseconds.
pub const TIMEOUT_VAR: &str = "AWSUSE_PLUGIN_TIMEOUT_MS";
const DEFAULT_TIMEOUT_MS: u64 = 300;

/// A loaded plugin.
pub struct Plugin {
    pub name: String,
    pub version: String,
    pub path: PathBuf,
    descriptor: &'static Descriptor,
}

impl Plugin {
    /// The names of the hooks it declares.
    pub fn hooks(&self) -> Vec<&'static str> {
        let bits = self.descriptor.hooks;
        [
            (abi::HOOK_PROFILES, "profiles"),
            (abi::HOOK_CREDENTIALS, "credentials"),
            (abi::HOOK_MFA_CODE, "mfa_code"),
            (abi::HOOK_AFTER_SWITCH, "after_switch"),
        ]
        .into_iter()
        .filter(|(bit, _)| bits & bit != 0)
        .map(|(_, name)| name)
        .collect()
    }

    fn has(&self, bit: u32) -> bool {
        self.descriptor.hooks & bit != 0
    }
}

/// A plugin file or directory that was not loaded, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    pub path: PathBuf,
    pub reason: String,
}

/// A profile a plugin contributes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PluginProfile {
    /// The plugin's name; the profile's source is `plugin:NAME`.
    pub plugin: String,
    pub path: PathBuf,
    pub name: String,
    pub region: Option<String>,
    pub description: Option<String>,
}

impl PluginProfile {
    pub fn source(&self) -> String {
        format!("plugin:{}", self.plugin)
    }
}

/// The plugins of one run of awsuse, and what went wrong with them.
#[derive(Default)]
pub struct Host {
    pub plugins: Vec<Plugin>,
    pub refusals: Vec<Refusal>,
    /// Hook failures, in the order they happened, each once.
    failures: RefCell<Vec<String>>,
}

/// Whether plugins are on in this environment.
pub fn enabled(env: &Env) -> bool {
    !env.get(DISABLE_VAR).is_some_and(|v| !matches!(v, "0" | "false"))
}

/// The directories searched, in order. Relative entries are dropped, so that the current
/// directory can never supply code.
pub fn search_path(env: &Env) -> Vec<PathBuf> {
    if let Some(list) = env.get_os(PATH_VAR).filter(|v| !v.is_empty()) {
        return std::env::split_paths(list).filter(|p| p.is_absolute()).collect();
    }
    data_dir(env).map(|dir| vec![dir.join("awsuse").join("plugins")]).unwrap_or_default()
}

/// The user's data directory as the environment gives it (`XDG_DATA_HOME`, else
/// `~/.local/share` on Linux), else as the platform names it.
fn data_dir(env: &Env) -> Option<PathBuf> {
    if cfg!(target_os = "linux") {
        let xdg = env.path("XDG_DATA_HOME").filter(|p| p.is_absolute());
        return xdg.or_else(|| env.home().map(|home| home.join(".local/share")));
    }
    dirs::data_dir()
}

impl Host {
    /// Loads every plugin of the search path, or none when plugins are off.
    pub fn load(env: &Env) -> Host {
        let mut host = Host::default();
        if !enabled(env) {
            return host;
        }
        for dir in search_path(env) {
            let files = match load::files_in(&dir) {
                Ok(files) => files,
                Err(refusal) => {
                    host.refusals.push(refusal);
                    continue;
                }
            };
            for path in files {
                host.add(path);
            }
        }
        host
    }

    fn add(&mut self, path: PathBuf) {
        let refuse = |reason| Refusal { path: path.clone(), reason };
        match load::load(&path) {
            Ok(plugin) if self.plugins.iter().any(|p| p.name == plugin.name) => {
                let first = self.plugins.iter().find(|p| p.name == plugin.name).unwrap();
                let reason = format!(
                    "a plugin named '{}' was already loaded from {}",
                    plugin.name,
                    first.path.display()
                );
                self.refusals.push(refuse(reason));
            }
            Ok(plugin) => {
                log::debug!(
                    "plugin {} {} loaded from {}",
                    plugin.name,
                    plugin.version,
                    path.display()
                );
                self.plugins.push(plugin);
            }
            Err(reason) => self.refusals.push(refuse(reason)),
        }
    }

    fn fail(&self, message: String) {
        let mut failures = self.failures.borrow_mut();
        if !failures.contains(&message) {
            failures.push(message);
        }
    }

    /// Refusals and hook failures so far, as sentences for the user.
    pub fn problems(&self) -> Vec<String> {
        let refusals = self
            .refusals
            .iter()
            .map(|r| format!("plugin {} is skipped: {}", r.path.display(), r.reason));
        refusals.chain(self.failures.borrow().iter().cloned()).collect()
    }

    /// Prints every problem once, as a warning on standard error.
    pub fn report(&self) {
        for problem in self.problems() {
            crate::say!("awsuse: warning: {problem}");
        }
    }

    /// The profiles every plugin contributes, except those whose name `taken` already holds
    /// (profiles of the AWS files) or an earlier plugin gave.
    pub fn profiles(&self, taken: &dyn Fn(&str) -> bool) -> Vec<PluginProfile> {
        let mut seen: HashSet<String> = HashSet::new();
        let mut all = Vec::new();
        for plugin in self.plugins.iter().filter(|p| p.has(abi::HOOK_PROFILES)) {
            let profiles = match self.profiles_of(plugin) {
                Ok(profiles) => profiles,
                Err(message) => {
                    self.fail(message);
                    continue;
                }
            };
            for profile in profiles {
                if let Some(problem) = name_problem(&profile.name) {
                    self.fail(format!(
                        "plugin '{}' gives a profile {problem}; it is skipped",
                        plugin.name
                    ));
                } else if taken(&profile.name) {
                    self.fail(format!(
                        "plugin '{}' profile '{}' is skipped: the AWS files have a profile of that name, and it wins",
                        plugin.name,
                        profile.name.escape_debug()
                    ));
                } else if !seen.insert(profile.name.clone()) {
                    self.fail(format!(
                        "plugin '{}' profile '{}' is skipped: an earlier plugin gives a profile of that name",
                        plugin.name,
                        profile.name.escape_debug()
                    ));
                } else {
                    all.push(PluginProfile {
                        plugin: plugin.name.clone(),
                        path: plugin.path.clone(),
                        name: profile.name,
                        region: profile.region,
                        description: profile.description,
                    });
                }
            }
        }
        all
    }

    fn profiles_of(&self, plugin: &Plugin) -> Result<Vec<awsuse_plugin::Profile>, String> {
        let fields = match plugin.call(plugin.descriptor.profiles, "profiles", "")? {
            Reply::Found(fields) => fields,
            Reply::NotFound => return Ok(Vec::new()),
        };
        awsuse_plugin::profiles_from_fields(&borrowed(&fields))
            .map_err(|e| format!("plugin '{}' profiles: malformed answer: {e}", plugin.name))
    }

    /// Keys for a profile of the plugin named `plugin`.
    pub fn credentials(&self, plugin: &str, profile: &str) -> Result<Credentials> {
        let Some(found) = self.plugins.iter().find(|p| p.name == plugin) else {
            bail!("plugin '{plugin}' is not loaded; run `awsuse plugins` to see why");
        };
        let reply = found
            .call(found.descriptor.credentials, "credentials", profile)
            .map_err(anyhow::Error::msg)?;
        let Reply::Found(fields) = reply else {
            bail!("plugin '{plugin}' has no credentials for profile '{}'", profile.escape_debug());
        };
        awsuse_plugin::credentials_from_fields(&borrowed(&fields))
            .map_err(|e| anyhow::anyhow!("plugin '{plugin}' credentials: malformed answer: {e}"))
    }

    /// The first MFA code a plugin gives for `serial`.
    pub fn mfa_code(&self, serial: &str) -> Option<String> {
        for plugin in self.plugins.iter().filter(|p| p.has(abi::HOOK_MFA_CODE)) {
            match plugin.call(plugin.descriptor.mfa_code, "mfa_code", serial) {
                Ok(Reply::Found(fields)) => {
                    match awsuse_plugin::code_from_fields(&borrowed(&fields)) {
                        Ok(code) => {
                            log::debug!("MFA code for {serial} from plugin {}", plugin.name);
                            return Some(code);
                        }
                        Err(e) => self.fail(format!(
                            "plugin '{}' mfa_code: malformed answer: {e}",
                            plugin.name
                        )),
                    }
                }
                Ok(Reply::NotFound) => {}
                Err(message) => self.fail(message),
            }
        }
        None
    }

    /// The variables every plugin adds after a switch to `profile`, names already checked.
    pub fn after_switch(&self, profile: &str) -> Vec<EnvChange> {
        let mut all = Vec::new();
        for plugin in self.plugins.iter().filter(|p| p.has(abi::HOOK_AFTER_SWITCH)) {
            let changes = match plugin.call(plugin.descriptor.after_switch, "after_switch", profile)
            {
                Ok(Reply::Found(fields)) => awsuse_plugin::changes_from_fields(&borrowed(&fields))
                    .map_err(|e| {
                        format!("plugin '{}' after_switch: malformed answer: {e}", plugin.name)
                    }),
                Ok(Reply::NotFound) => Ok(Vec::new()),
                Err(message) => Err(message),
            };
            // One bad variable makes the plugin's whole answer suspect, so all of it is dropped.
            let checked = changes.and_then(|changes| {
                match changes.iter().find_map(|c| variable_problem(env_name(c))) {
                    Some(problem) => {
                        Err(format!("plugin '{}' after_switch: {problem}", plugin.name))
                    }
                    None => Ok(changes),
                }
            });
            match checked {
                Ok(changes) => all.extend(changes),
                Err(message) => self.fail(message),
            }
        }
        all
    }
}

fn borrowed(fields: &[(String, String)]) -> Vec<(&str, &str)> {
    fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

fn env_name(change: &EnvChange) -> &str {
    match change {
        EnvChange::Set(name, _) | EnvChange::Unset(name) => name,
    }
}

/// Why a plugin may not touch this variable: an invalid name, or one that awsuse or the AWS
/// credential chain owns.
fn variable_problem(name: &str) -> Option<String> {
    let mut chars = name.chars();
    let valid = chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !valid {
        return Some(format!("{:?} is not a valid variable name", name));
    }
    let owned = switch::OWN_VARS.contains(&name)
        || switch::CREDENTIAL_VARS.contains(&name)
        || name.starts_with("AWSUSE_");
    owned.then(|| {
        format!("{name} belongs to awsuse or the AWS credentials, and a plugin may not change it")
    })
}

/// Why a plugin's profile name is unusable, if it is.
fn name_problem(name: &str) -> Option<String> {
    if name.is_empty() {
        return Some("with an empty name".to_owned());
    }
    if name.chars().any(char::is_control) {
        return Some(format!("named {:?}, with control characters", name));
    }
    None
}

/// Adds plugin variables to a switch: sets are listed in `AWSUSE_VARS` so that `unset`
/// removes them; unsets simply happen.
pub fn apply(changes: &mut Changes, extra: &[EnvChange]) {
    let mut listed: Vec<String> = changes
        .set
        .iter()
        .find(|(n, _)| n == switch::EXTRA_LIST_VAR)
        .map(|(_, v)| v.split(':').filter(|n| !n.is_empty()).map(str::to_owned).collect())
        .unwrap_or_default();

    for change in extra {
        match change {
            EnvChange::Set(name, value) => {
                changes.unset.retain(|n| n != name);
                changes.set.retain(|(n, _)| n != name);
                changes.set.push((name.clone(), value.clone()));
                if !listed.contains(name) {
                    listed.push(name.clone());
                }
            }
            EnvChange::Unset(name) => {
                changes.set.retain(|(n, _)| n != name);
                if !changes.unset.contains(name) {
                    changes.unset.push(name.clone());
                }
            }
        }
    }
    if !listed.is_empty() {
        changes.unset.retain(|n| n != switch::EXTRA_LIST_VAR);
        changes.set.retain(|(n, _)| n != switch::EXTRA_LIST_VAR);
        changes.set.push((switch::EXTRA_LIST_VAR.to_owned(), listed.join(":")));
    }
}

/// An MFA code for the device `serial` from the first plugin that has one, or `None` (plugins
/// off, none has the hook, none knows the serial). Problems are reported on standard error.
/// Call this before asking the user for a code.
pub fn mfa_code(env: &Env, serial: &str) -> Option<String> {
    let host = Host::load(env);
    let code = host.mfa_code(serial);
    host.report();
    code
}

/// Plugin profile names for completion, given up on after the time `AWSUSE_PLUGIN_TIMEOUT_MS`
/// allows (300 ms by default), so that a slow plugin cannot make Tab hang. Nothing is
/// reported: completion has no place for warnings.
pub fn names_within(env: &Env, taken: impl FnOnce() -> HashSet<String>) -> Vec<String> {
    if !enabled(env) || search_path(env).iter().all(|dir| !dir.exists()) {
        return Vec::new();
    }
    let taken = taken();
    let timeout = env.get(TIMEOUT_VAR).and_then(|v| v.parse().ok()).unwrap_or(DEFAULT_TIMEOUT_MS);

    // The worker is left behind on a timeout; the process ends soon after and takes it along.
    let (sender, receiver) = mpsc::channel();
    let env = env.clone();
    let spawned = std::thread::Builder::new().name("awsuse-plugins".into()).spawn(move || {
        let host = Host::load(&env);
        let names: Vec<String> =
            host.profiles(&|name| taken.contains(name)).into_iter().map(|p| p.name).collect();
        let _ = sender.send(names);
    });
    if spawned.is_err() {
        return Vec::new();
    }
    receiver.recv_timeout(Duration::from_millis(timeout)).unwrap_or_else(|_| {
        log::debug!("plugins gave no names within {timeout} ms");
        Vec::new()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_directories_are_never_searched() {
        let env = Env::from_pairs([(PATH_VAR, "plugins:/opt/awsuse::./x:/usr/lib/awsuse")]);
        assert_eq!(
            search_path(&env),
            [PathBuf::from("/opt/awsuse"), PathBuf::from("/usr/lib/awsuse")]
        );
    }

    #[test]
    fn the_data_directory_is_the_default() {
        let env = Env::from_pairs([("HOME", "/home/u")]);
        if cfg!(target_os = "linux") {
            assert_eq!(search_path(&env), [PathBuf::from("/home/u/.local/share/awsuse/plugins")]);
            let env = Env::from_pairs([("HOME", "/home/u"), ("XDG_DATA_HOME", "/d")]);
            assert_eq!(search_path(&env), [PathBuf::from("/d/awsuse/plugins")]);
        }
    }

    #[test]
    fn the_switch_turns_plugins_off() {
        assert!(enabled(&Env::default()));
        assert!(!enabled(&Env::from_pairs([(DISABLE_VAR, "1")])));
        assert!(enabled(&Env::from_pairs([(DISABLE_VAR, "0")])));
    }

    #[test]
    fn owned_and_invalid_names_are_refused() {
        assert!(variable_problem("AWS_SECRET_ACCESS_KEY").is_some());
        assert!(variable_problem("AWSUSE_VARS").is_some());
        assert!(variable_problem("A B").is_some());
        assert!(variable_problem("1A").is_some());
        assert_eq!(variable_problem("TEAM_TAG"), None);
    }

    #[test]
    fn plugin_variables_are_listed_for_unset() {
        let mut changes = Changes::default();
        changes.set.push((switch::EXTRA_LIST_VAR.into(), "AWS_ACCESS_KEY_ID".into()));
        apply(
            &mut changes,
            &[EnvChange::Set("TEAM".into(), "x y".into()), EnvChange::Unset("OLD".into())],
        );
        assert!(changes.set.contains(&("TEAM".into(), "x y".into())));
        assert!(changes.unset.contains(&"OLD".into()));
        let listed = &changes.set.iter().find(|(n, _)| n == switch::EXTRA_LIST_VAR).unwrap().1;
        assert_eq!(listed, "AWS_ACCESS_KEY_ID:TEAM");
    }
}
