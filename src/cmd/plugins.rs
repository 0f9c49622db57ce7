//! `awsuse plugins`: what was found, what it offers, and what was refused.

use std::io::Write;

use anyhow::Result;

use super::Context;
use crate::plugins::{self, Host};

pub fn run(ctx: &Context, out: &mut dyn Write) -> Result<()> {
    if !plugins::enabled(&ctx.env) {
        writeln!(out, "plugins are off (--no-plugins or {}=1)", plugins::DISABLE_VAR)?;
        return Ok(());
    }
    let dirs = plugins::search_path(&ctx.env);
    let host = Host::load(&ctx.env);

    writeln!(out, "searched:")?;
    if dirs.is_empty() {
        writeln!(out, "  (no directory: set {} or HOME)", plugins::PATH_VAR)?;
    }
    for dir in &dirs {
        let note = if dir.exists() { "" } else { " (does not exist)" };
        writeln!(out, "  {}{note}", dir.display())?;
    }

    // Asking for profiles shows whether the hook works, not only that it is declared.
    let profiles = host.profiles(&|_| false);
    writeln!(out, "loaded:")?;
    if host.plugins.is_empty() {
        writeln!(out, "  (none)")?;
    }
    for plugin in &host.plugins {
        let count = profiles.iter().filter(|p| p.plugin == plugin.name).count();
        writeln!(
            out,
            "  {} {}  hooks: {}  profiles: {count}  ({})",
            plugin.name,
            plugin.version.escape_debug(),
            plugin.hooks().join(", "),
            plugin.path.display()
        )?;
    }

    let problems = host.problems();
    if !problems.is_empty() {
        writeln!(out, "problems:")?;
        for problem in problems {
            writeln!(out, "  {problem}")?;
        }
    }
    Ok(())
}
