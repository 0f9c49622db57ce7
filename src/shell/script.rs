//! A list of variables to set and unset, rendered for one shell.

use std::fmt;

use super::{Shell, quote};

/// Shell code that sets and unsets environment variables, built up and then rendered for one
/// shell. Every value is quoted; every name is checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Script {
    shell: Shell,
    steps: Vec<Step>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Step {
    Set(String, String),
    Unset(String),
}

/// A variable name that shells cannot take: names must match `[A-Za-z_][A-Za-z0-9_]*`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvalidName {
    pub name: String,
}

/// Why a variable could not be set.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SetError {
    /// The name is not a valid variable name.
    Name(InvalidName),
    /// The value holds a NUL byte, which no environment variable can carry.
    Nul { name: String },
}

impl Script {
    /// An empty script for `shell`.
    pub fn new(shell: Shell) -> Self {
        Self { shell, steps: Vec::new() }
    }

    /// The shell this script is rendered for.
    pub fn shell(&self) -> Shell {
        self.shell
    }

    /// Sets and exports `name` to `value`.
    pub fn set(&mut self, name: &str, value: &str) -> Result<(), SetError> {
        check_name(name)?;
        if value.contains('\0') {
            return Err(SetError::Nul { name: name.to_owned() });
        }
        self.steps.push(Step::Set(name.to_owned(), value.to_owned()));
        Ok(())
    }

    /// Removes `name` from the environment; nothing happens when it is not set.
    pub fn unset(&mut self, name: &str) -> Result<(), InvalidName> {
        check_name(name)?;
        self.steps.push(Step::Unset(name.to_owned()));
        Ok(())
    }

    /// Whether the script does nothing.
    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }

    /// The code, one statement a line, in the order the steps were added.
    ///
    /// bash and zsh: `export NAME='value';` and `unset -v NAME;` (`-v`, because bash's plain
    /// `unset` removes a function of that name when no such variable exists). Both succeed under
    /// `set -eu` whether or not the variable was set.
    ///
    /// fish: `set -gx NAME 'value';` and `if set -q -g NAME; set -e -g NAME; end;`. A bare
    /// `set -e` of a missing variable leaves `$status` at 4, and the status of the last line is
    /// what `awsuse ... | source` returns; the `if` leaves 0. Erasing in the global scope only
    /// leaves the user's universal variables, shared with every other fish, untouched.
    pub fn render(&self) -> String {
        let mut out = String::new();
        for step in &self.steps {
            let line = match (self.shell, step) {
                (Shell::Bash | Shell::Zsh, Step::Set(name, value)) => {
                    format!("export {name}={};\n", quote(self.shell, value))
                }
                (Shell::Bash | Shell::Zsh, Step::Unset(name)) => format!("unset -v {name};\n"),
                (Shell::Fish, Step::Set(name, value)) => {
                    format!("set -gx {name} {};\n", quote(self.shell, value))
                }
                (Shell::Fish, Step::Unset(name)) => {
                    format!("if set -q -g {name}; set -e -g {name}; end;\n")
                }
            };
            out.push_str(&line);
        }
        out
    }
}

/// Names are checked here rather than trusted, because plugins will supply some of them.
fn check_name(name: &str) -> Result<(), InvalidName> {
    let mut chars = name.chars();
    let starts_well = chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
    if starts_well && chars.all(|c| c.is_ascii_alphanumeric() || c == '_') {
        Ok(())
    } else {
        Err(InvalidName { name: name.to_owned() })
    }
}

impl fmt::Display for InvalidName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid environment variable name {:?}: a name starts with an ASCII letter or `_` \
             and holds only ASCII letters, digits and `_`",
            self.name
        )
    }
}

impl std::error::Error for InvalidName {}

impl fmt::Display for SetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SetError::Name(invalid) => invalid.fmt(f),
            SetError::Nul { name } => write!(
                f,
                "the value for {name} holds a NUL byte, which no environment variable can carry"
            ),
        }
    }
}

impl std::error::Error for SetError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            SetError::Name(invalid) => Some(invalid),
            SetError::Nul { .. } => None,
        }
    }
}

impl From<InvalidName> for SetError {
    fn from(invalid: InvalidName) -> Self {
        SetError::Name(invalid)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(shell: Shell) -> String {
        let mut script = Script::new(shell);
        script.set("AWS_PROFILE", "dev's").unwrap();
        script.unset("AWS_ACCESS_KEY_ID").unwrap();
        script.render()
    }

    #[test]
    fn renders_bash_and_zsh() {
        let expected = "export AWS_PROFILE='dev'\\''s';\nunset -v AWS_ACCESS_KEY_ID;\n";
        assert_eq!(sample(Shell::Bash), expected);
        assert_eq!(sample(Shell::Zsh), expected);
    }

    #[test]
    fn renders_fish() {
        let expected = "set -gx AWS_PROFILE 'dev\\'s';\n\
                        if set -q -g AWS_ACCESS_KEY_ID; set -e -g AWS_ACCESS_KEY_ID; end;\n";
        assert_eq!(sample(Shell::Fish), expected);
    }

    #[test]
    fn empty_script_renders_nothing() {
        let script = Script::new(Shell::Fish);
        assert!(script.is_empty());
        assert_eq!(script.render(), "");
    }

    #[test]
    fn valid_names_are_accepted() {
        let mut script = Script::new(Shell::Bash);
        for name in ["A", "_", "_a1", "AWS_REGION", "awsuse_x", "Z9"] {
            assert_eq!(script.unset(name), Ok(()), "name {name:?}");
        }
        assert!(!script.is_empty());
    }

    #[test]
    fn invalid_names_are_refused() {
        let mut script = Script::new(Shell::Zsh);
        for name in ["", "1A", "A-B", "A B", "A=B", "A;B", "$A", "é", "A\n", "A.B", "a'b"] {
            let invalid = InvalidName { name: name.to_owned() };
            assert_eq!(script.unset(name), Err(invalid.clone()), "name {name:?}");
            assert_eq!(script.set(name, "v"), Err(SetError::Name(invalid)), "name {name:?}");
        }
        assert!(script.is_empty(), "refused steps must not be kept");
    }

    #[test]
    fn nul_in_a_value_is_refused() {
        let mut script = Script::new(Shell::Bash);
        let err = script.set("AWS_PROFILE", "a\0b").unwrap_err();
        assert_eq!(err, SetError::Nul { name: "AWS_PROFILE".to_owned() });
        assert!(err.to_string().contains("AWS_PROFILE"));
        assert!(script.is_empty());
    }

    #[test]
    fn error_messages_name_the_variable() {
        let err = Script::new(Shell::Fish).set("A-B", "v").unwrap_err();
        assert!(err.to_string().starts_with("invalid environment variable name \"A-B\""));
    }
}
