//! Quoting values so that a shell reads them back byte for byte.

use super::Shell;

/// A word that `shell` reads back as exactly `value`, with no expansion of any kind: no
/// parameters, commands, globs, braces, tildes, history or escapes.
///
/// Environment values cannot hold NUL, and no shell can carry one in a variable, so a `value`
/// holding NUL has no faithful quoting; [`super::Script::set`] refuses such values.
pub fn quote(shell: Shell, value: &str) -> String {
    match shell {
        Shell::Bash | Shell::Zsh => quote_posix(value),
        Shell::Fish => quote_fish(value),
    }
}

/// Single quotes keep every byte literal in bash and zsh, newlines and `!` included, whatever
/// options the user's interactive shell has. A single quote cannot appear inside them, so each
/// one is written outside as `\'` and the runs between are quoted; empty runs are left out
/// rather than written as `''`, so `it's` becomes `'it'\''s'` and `'x` becomes `\''x'`.
fn quote_posix(value: &str) -> String {
    if value.is_empty() {
        return "''".to_owned();
    }

    let mut out = String::with_capacity(value.len() + 2);
    for (i, run) in value.split('\'').enumerate() {
        if i > 0 {
            out.push_str("\\'");
        }
        if !run.is_empty() {
            out.push('\'');
            out.push_str(run);
            out.push('\'');
        }
    }
    out
}

/// Inside fish's single quotes only `\\` and `\'` are escapes; every other byte is literal.
fn quote_fish(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('\'');
    for c in value.chars() {
        if matches!(c, '\\' | '\'') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('\'');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn posix_quoting() {
        let cases = [
            ("", "''"),
            ("plain", "'plain'"),
            ("it's", "'it'\\''s'"),
            ("'", "\\'"),
            ("''", "\\'\\'"),
            ("'x'", "\\''x'\\'"),
            ("a\nb", "'a\nb'"),
            ("$(touch x) `y` !z %1 ~ *", "'$(touch x) `y` !z %1 ~ *'"),
            ("back\\slash", "'back\\slash'"),
            ("-n", "'-n'"),
            ("eu-west-1 ✓ é", "'eu-west-1 ✓ é'"),
        ];
        for (value, expected) in cases {
            assert_eq!(quote(Shell::Bash, value), expected, "value {value:?}");
            assert_eq!(quote(Shell::Zsh, value), expected, "value {value:?}");
        }
    }

    #[test]
    fn posix_quoting_writes_no_empty_runs() {
        for value in ["'", "''", "x'", "'x", "a''b", "'''a'''"] {
            let quoted = quote(Shell::Bash, value);
            let empty_run =
                quoted.starts_with("''") || quoted.ends_with("''") || quoted.contains("\\'''");
            assert!(!empty_run, "{value:?} -> {quoted}");
        }
    }

    #[test]
    fn fish_quoting() {
        let cases = [
            ("", "''"),
            ("plain", "'plain'"),
            ("it's", "'it\\'s'"),
            ("back\\slash", "'back\\\\slash'"),
            ("\\'", "'\\\\\\''"),
            ("a\nb\tc", "'a\nb\tc'"),
            ("$HOME (echo x) {a,b} *", "'$HOME (echo x) {a,b} *'"),
        ];
        for (value, expected) in cases {
            assert_eq!(quote(Shell::Fish, value), expected, "value {value:?}");
        }
    }
}
