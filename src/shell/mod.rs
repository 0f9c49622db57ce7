//! Shell code that the user's shell evaluates.
//!
//! The binary decides and the shell applies: a switch builds a [`Script`] of variables to set
//! and unset, and renders it for the [`Shell`] that will evaluate it. Every value is quoted by
//! [`quote`], so nothing a profile name, a region or a plugin gives can run in the user's shell.

mod quote;
mod script;

use crate::env::Env;

pub use quote::quote;
pub use script::{InvalidName, Script, SetError};

/// A shell awsuse can write code for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
}

impl Shell {
    /// Every shell, in the order the documentation lists them.
    pub const ALL: [Shell; 3] = [Shell::Bash, Shell::Zsh, Shell::Fish];

    /// The name users type (`--shell NAME`, `awsuse init NAME`).
    pub fn name(self) -> &'static str {
        match self {
            Shell::Bash => "bash",
            Shell::Zsh => "zsh",
            Shell::Fish => "fish",
        }
    }

    /// The shell a program name or path stands for: `bash`, `-bash` (a login shell's argv[0]),
    /// `/bin/zsh`, `zsh-5.9`, `fish`. Anything else, `sh` and `rbash` included, is `None`.
    pub fn from_program(program: &str) -> Option<Shell> {
        let base = program.trim().rsplit('/').next().unwrap_or_default();
        let base = base.strip_prefix('-').unwrap_or(base);

        // Versioned installs name the binary `zsh-5.9` or `bash5.2`; the letters before the
        // version are the shell.
        let letters = base.find(|c: char| !c.is_ascii_alphabetic()).unwrap_or(base.len());
        let (word, rest) = base.split_at(letters);
        let versioned = rest.starts_with(|c: char| matches!(c, '-' | '.') || c.is_ascii_digit());
        if !rest.is_empty() && !versioned {
            return None;
        }
        Shell::ALL.into_iter().find(|shell| shell.name() == word)
    }

    /// The shell that will evaluate what awsuse prints: the parent process when it is a shell
    /// (`eval "$(awsuse ...)"` runs awsuse from a subshell of the user's shell), else the
    /// `SHELL` variable of `env`, else bash.
    pub fn detect(env: &Env) -> Shell {
        Shell::detect_from(parent_program().as_deref(), env)
    }

    /// [`Shell::detect`] with the parent's program name given, so that the choice can be
    /// checked without processes.
    pub fn detect_from(parent_program: Option<&str>, env: &Env) -> Shell {
        parent_program
            .and_then(Shell::from_program)
            .or_else(|| env.get("SHELL").and_then(Shell::from_program))
            .unwrap_or(Shell::Bash)
    }
}

impl std::fmt::Display for Shell {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// The program name of the parent process. Detection runs on every switch, so this reads one
/// small file on Linux and spawns nothing anywhere.
#[cfg(target_os = "linux")]
fn parent_program() -> Option<String> {
    let ppid = std::os::unix::process::parent_id();
    std::fs::read_to_string(format!("/proc/{ppid}/comm")).ok()
}

/// Other systems have no cheap way to name the parent, so `SHELL` decides there.
#[cfg(not(target_os = "linux"))]
fn parent_program() -> Option<String> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn program_names_are_recognised() {
        let cases = [
            ("bash", Some(Shell::Bash)),
            ("-bash", Some(Shell::Bash)),
            ("/bin/bash", Some(Shell::Bash)),
            ("/usr/local/bin/bash5.2", Some(Shell::Bash)),
            ("zsh", Some(Shell::Zsh)),
            ("-zsh", Some(Shell::Zsh)),
            ("/bin/zsh", Some(Shell::Zsh)),
            ("zsh-5.9", Some(Shell::Zsh)),
            ("fish", Some(Shell::Fish)),
            ("/opt/homebrew/bin/fish", Some(Shell::Fish)),
            ("fish\n", Some(Shell::Fish)),
            ("sh", None),
            ("dash", None),
            ("rbash", None),
            ("fishy", None),
            ("bashful", None),
            ("tmux: server", None),
            ("", None),
            ("/", None),
        ];
        for (program, expected) in cases {
            assert_eq!(Shell::from_program(program), expected, "program {program:?}");
        }
    }

    #[test]
    fn parent_wins_over_shell_variable() {
        let env = Env::from_pairs([("SHELL", "/bin/zsh")]);
        assert_eq!(Shell::detect_from(Some("fish"), &env), Shell::Fish);
    }

    #[test]
    fn shell_variable_decides_when_parent_is_not_a_shell() {
        let env = Env::from_pairs([("SHELL", "/usr/bin/fish")]);
        assert_eq!(Shell::detect_from(Some("tmux: server"), &env), Shell::Fish);
        assert_eq!(Shell::detect_from(None, &env), Shell::Fish);
    }

    #[test]
    fn bash_is_the_last_resort() {
        assert_eq!(Shell::detect_from(None, &Env::default()), Shell::Bash);
        let env = Env::from_pairs([("SHELL", "/bin/tcsh")]);
        assert_eq!(Shell::detect_from(Some("sudo"), &env), Shell::Bash);
        let env = Env::from_pairs([("SHELL", "")]);
        assert_eq!(Shell::detect_from(None, &env), Shell::Bash);
    }

    #[test]
    fn names_round_trip() {
        for shell in Shell::ALL {
            assert_eq!(Shell::from_program(shell.name()), Some(shell));
            assert_eq!(shell.to_string(), shell.name());
        }
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn parent_of_the_test_process_is_named() {
        // The test harness's parent is cargo or a shell; either way /proc names it.
        let name = parent_program().expect("/proc/<ppid>/comm is readable on linux");
        assert!(!name.trim().is_empty());
    }
}
