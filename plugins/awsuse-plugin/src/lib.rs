//! Write an awsuse plugin in Rust.
//!
//! A plugin is a `cdylib` crate that implements [`Plugin`] and exports it with
//! [`export_plugin!`]:
//!
//! ```
//! use awsuse_plugin::{Credentials, Error, Hooks, Plugin, Profile, export_plugin};
//!
//! struct Vault;
//!
//! impl Plugin for Vault {
//!     const NAME: &'static str = "vault";
//!     const VERSION: &'static str = "1.0.0";
//!     const HOOKS: Hooks = Hooks::PROFILES.with(Hooks::CREDENTIALS);
//!
//!     fn profiles() -> Result<Vec<Profile>, Error> {
//!         Ok(vec![Profile { name: "vault-dev".into(), ..Profile::default() }])
//!     }
//!
//!     fn credentials(profile: &str) -> Result<Option<Credentials>, Error> {
//!         Ok((profile == "vault-dev").then(|| Credentials {
//!             access_key_id: "AKIAEXAMPLE".into(),
//!             secret_access_key: "secret".into(),
//!             ..Credentials::default()
//!         }))
//!     }
//! }
//!
//! export_plugin!(Vault);
//! ```
//!
//! The macro exports the entry symbol `awsuse_plugin_v1`. Every hook runs inside
//! `catch_unwind`: a panic becomes an error the host reports, never an abort of awsuse. The
//! host calls hooks from one thread at a time, so a plugin needs no locking of its own for
//! that; it may not be the process's main thread.
//!
//! `plugins/ABI.md` in the awsuse repository describes the same interface for C authors.
#![deny(missing_docs)]

pub mod abi;
mod types;
pub mod wire;

#[doc(hidden)]
pub mod glue;

use std::fmt;

pub use types::{
    Credentials, EnvChange, FieldError, Profile, changes_from_fields, changes_to_fields,
    code_from_fields, credentials_from_fields, credentials_to_fields, profiles_from_fields,
    profiles_to_fields,
};

/// The hooks a plugin has. Only declared hooks are called.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Hooks(u32);

impl Hooks {
    /// No hooks.
    pub const NONE: Hooks = Hooks(0);
    /// [`Plugin::profiles`].
    pub const PROFILES: Hooks = Hooks(abi::HOOK_PROFILES);
    /// [`Plugin::credentials`].
    pub const CREDENTIALS: Hooks = Hooks(abi::HOOK_CREDENTIALS);
    /// [`Plugin::mfa_code`].
    pub const MFA_CODE: Hooks = Hooks(abi::HOOK_MFA_CODE);
    /// [`Plugin::after_switch`].
    pub const AFTER_SWITCH: Hooks = Hooks(abi::HOOK_AFTER_SWITCH);

    /// Both sets of hooks.
    pub const fn with(self, other: Hooks) -> Hooks {
        Hooks(self.0 | other.0)
    }

    /// Whether every hook of `other` is in this set.
    pub const fn contains(self, other: Hooks) -> bool {
        self.0 & other.0 == other.0
    }

    /// The `HOOK_*` bits of the C interface.
    pub const fn bits(self) -> u32 {
        self.0
    }
}

/// An error a hook reports to the user. Say what failed and what to do; never put a secret in
/// it, because the host prints it on standard error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error(String);

impl Error {
    /// An error with this message.
    pub fn new(message: impl Into<String>) -> Self {
        Self(message.into())
    }

    /// The message.
    pub fn message(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<E: std::error::Error> From<E> for Error {
    fn from(error: E) -> Self {
        Self(error.to_string())
    }
}

/// A plugin. Implement the hooks you declare in [`Plugin::HOOKS`]; the others are never
/// called, and their default bodies say so.
pub trait Plugin {
    /// The plugin's name: ASCII letters, digits, `-` and `_`. Its profiles show as
    /// `plugin:NAME`.
    const NAME: &'static str;
    /// The plugin's version, shown by `awsuse plugins`.
    const VERSION: &'static str;
    /// The hooks this plugin has.
    const HOOKS: Hooks;

    /// The profiles this plugin contributes.
    fn profiles() -> Result<Vec<Profile>, Error> {
        Err(Error::new("this plugin has no profiles hook"))
    }

    /// Keys for one of this plugin's profiles; `None` when the profile is not one of them.
    fn credentials(profile: &str) -> Result<Option<Credentials>, Error> {
        let _ = profile;
        Err(Error::new("this plugin has no credentials hook"))
    }

    /// A current MFA code for the device `serial`; `None` when the plugin has none for it.
    fn mfa_code(serial: &str) -> Result<Option<String>, Error> {
        let _ = serial;
        Err(Error::new("this plugin has no mfa_code hook"))
    }

    /// Variables to set or unset after a switch to `profile`.
    fn after_switch(profile: &str) -> Result<Vec<EnvChange>, Error> {
        let _ = profile;
        Err(Error::new("this plugin has no after_switch hook"))
    }
}

/// Exports a [`Plugin`] as the entry symbol `awsuse_plugin_v1`. Use it once, in a `cdylib`
/// crate.
#[macro_export]
macro_rules! export_plugin {
    ($plugin:ty) => {
        static __AWSUSE_DESCRIPTOR: $crate::abi::Descriptor = $crate::glue::descriptor::<$plugin>();

        /// The entry point the awsuse host looks up.
        #[unsafe(no_mangle)]
        pub extern "C" fn awsuse_plugin_v1() -> *const $crate::abi::Descriptor {
            &__AWSUSE_DESCRIPTOR
        }
    };
}
