//! A plugin whose `profiles` hook panics. The host must report it and carry on; the tests load
//! it beside working plugins.

use awsuse_plugin::{Error, Hooks, Plugin, Profile, export_plugin};

struct Panicky;

impl Plugin for Panicky {
    const NAME: &'static str = "panicky";
    const VERSION: &'static str = "0.0.1";
    const HOOKS: Hooks = Hooks::PROFILES;

    fn profiles() -> Result<Vec<Profile>, Error> {
        panic!("the vault is on fire")
    }
}

export_plugin!(Panicky);
