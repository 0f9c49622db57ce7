//! One module a subcommand; this one holds what they share.

mod choose;
mod completions;
mod create;
mod current;
mod init;
mod list;
mod man;
mod partition;
mod plugins;
mod prompt;
mod unset;
mod use_profile;

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::{Context as _, Result};

use crate::cli::{Cli, Command, FileArgs, ShellArgs};
use crate::config::{self, AwsConfig, Location};
use crate::env::Env;
use crate::shell::Shell;
use crate::state::{self, Recents, StateStore};

/// `text` as a terminal should show it: control characters, quotes and backslashes escaped
/// as Rust's debug format does. Names the SDKs accept are shown as they are, without a copy.
pub(crate) fn shown(text: &str) -> std::borrow::Cow<'_, str> {
    let plain = |b: u8| matches!(b, b' '..=b'~') && !matches!(b, b'\\' | b'\'' | b'"');
    if text.bytes().all(plain) {
        std::borrow::Cow::Borrowed(text)
    } else {
        std::borrow::Cow::Owned(text.escape_debug().to_string())
    }
}

/// Writes `text` and the spaces that fill a column of `width` characters. Formatting with a
/// width writes the spaces one by one, which shows when a picker formats 10,000 rows.
pub(crate) fn write_cell(
    out: &mut impl std::fmt::Write,
    text: &str,
    width: usize,
) -> std::fmt::Result {
    const SPACES: &str = match std::str::from_utf8(&[b' '; 128]) {
        Ok(spaces) => spaces,
        Err(_) => panic!("spaces are UTF-8"),
    };
    out.write_str(text)?;
    let mut missing = width.saturating_sub(text.chars().count());
    while missing > 0 {
        let chunk = missing.min(SPACES.len());
        out.write_str(&SPACES[..chunk])?;
        missing -= chunk;
    }
    Ok(())
}

/// An error that has already been explained to the user and only carries the exit status.
#[derive(Debug)]
pub struct SilentExit(pub i32);

impl std::fmt::Display for SilentExit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "exit status {}", self.0)
    }
}

impl std::error::Error for SilentExit {}

/// What every command needs to know about the world it runs in.
pub struct Context {
    pub env: Env,
    pub files: FileArgs,
    /// Whether standard output is a terminal, where nobody evaluates shell code.
    pub stdout_is_terminal: bool,
    /// Seconds since the Unix epoch, taken once.
    pub now: u64,
}

impl Context {
    pub fn new(env: Env, files: FileArgs) -> Self {
        let now = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
        Self { env, files, stdout_is_terminal: std::io::stdout().is_terminal(), now }
    }

    pub fn location(&self) -> Result<Location> {
        let absolute = |p: &PathBuf| std::path::absolute(p).unwrap_or_else(|_| p.clone());
        config::locate(
            &self.env,
            self.files.config_file.as_ref().map(absolute),
            self.files.credentials_file.as_ref().map(absolute),
        )
    }

    /// Both AWS files, merged. The model lives until the process exits: with 10,000 profiles,
    /// taking it apart would cost more than the rest of a switch.
    pub fn load(&self) -> Result<(Location, &'static AwsConfig)> {
        let location = self.location()?;
        log::debug!(
            "config file {}, credentials file {}",
            location.config.display(),
            location.credentials.display()
        );
        let config = config::load(&location)?;
        log::debug!("{} profiles read", config.profiles.len());
        Ok((location, Box::leak(Box::new(config))))
    }

    pub fn state(&self) -> Option<StateStore> {
        state::state_dir(&self.env).map(StateStore::new)
    }

    /// Records something in the state file. The command has done its work by then, so a
    /// failure is only a warning.
    pub fn record(
        &self,
        change: impl FnOnce(&StateStore, u64) -> Result<Option<state::Warning>, state::StateError>,
    ) {
        let Some(store) = self.state() else { return };
        match change(&store, self.now) {
            Ok(Some(warning)) => warn(&warning),
            Ok(None) => {}
            Err(error) => warn(&error),
        }
    }

    /// The recently used profiles; a damaged state file is set aside with one warning.
    pub fn recents(&self) -> Recents {
        let Some(store) = self.state() else { return Recents::default() };
        let (recents, warning) = store.load();
        if let Some(warning) = warning {
            warn(&warning);
        }
        recents
    }

    pub fn shell(&self, args: &ShellArgs) -> Shell {
        args.shell.unwrap_or_else(|| Shell::detect(&self.env))
    }
}

/// Prints a warning on standard error.
pub fn warn(message: &dyn std::fmt::Display) {
    crate::say!("awsuse: warning: {message}");
}

/// Writes shell code to standard output, or a hint when standard output is a terminal.
/// Returns whether the code was written.
pub fn emit(ctx: &Context, out: &mut dyn Write, code: &str, shell: Shell) -> Result<bool> {
    if ctx.stdout_is_terminal {
        crate::say!("{}", hint(shell));
        return Ok(false);
    }
    out.write_all(code.as_bytes()).context("could not write to standard output")?;
    Ok(true)
}

fn hint(shell: Shell) -> String {
    let (eval, init) = match shell {
        Shell::Fish => ("awsuse use NAME | source", "awsuse init fish | source"),
        Shell::Bash => ("eval \"$(awsuse use NAME)\"", "eval \"$(awsuse init bash)\""),
        Shell::Zsh => ("eval \"$(awsuse use NAME)\"", "eval \"$(awsuse init zsh)\""),
    };
    format!(
        "awsuse: nothing was changed: a switch prints shell code for your shell to evaluate.\n\
         Evaluate it:            {eval}\n\
         or set up the shell:    {init}   (in your rc file), then run: awsuse use NAME"
    )
}

pub fn run(cli: Cli, mut env: Env, out: &mut dyn Write) -> Result<()> {
    // The flag and the variable are one switch: everything below reads the variable.
    if cli.no_plugins {
        env.set(crate::plugins::DISABLE_VAR, "1");
    }
    let ctx = Context::new(env, cli.files);
    match cli.command {
        Command::Use(args) => use_profile::run(&ctx, &args, out),
        Command::Unset(args) => unset::run(&ctx, &args, out),
        Command::List(args) => list::run(&ctx, &args, out),
        Command::Current(args) => current::run(&ctx, &args, out),
        Command::Plugins => plugins::run(&ctx, out),
        Command::Create(args) => create::run(&ctx, &args, out),
        Command::Choose(args) => choose::run(&ctx, &args, out),
        Command::Init(args) => init::run(&args, out),
        Command::Completions(args) => completions::run(&args, out),
        Command::Prompt => prompt::run(&ctx, out),
        Command::Man => man::run(out),
        Command::Partition(args) => partition::run(&ctx, &args, out),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn shown_text_is_the_debug_escape(text in "[a-z\\-'\"\\\\ \t\n\u{1b}\u{e9}]{0,12}") {
            proptest::prop_assert_eq!(shown(&text), text.escape_debug().to_string());
        }

        #[test]
        fn cells_fill_their_column(text in "[a-z\u{e9}]{0,8}", width in 0usize..300) {
            let mut cell = String::new();
            write_cell(&mut cell, &text, width).unwrap();
            proptest::prop_assert_eq!(cell, format!("{text:width$}"));
        }
    }

    #[test]
    fn names_the_sdks_accept_are_shown_without_a_copy() {
        assert!(matches!(shown("team-a/prod@eu:1+2%"), std::borrow::Cow::Borrowed(_)));
    }
}
