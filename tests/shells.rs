//! Generated shell code, evaluated by the real bash, zsh and fish in strict mode: values come
//! back byte for byte, nothing in a value runs, and unsetting works whether or not a variable
//! was set.

mod common;

use awsuse::shell::{InvalidName, Script, SetError, Shell};
use common::shells::{Case, Delivery, Session, entries};
use proptest::prelude::*;

/// Values that have broken shell quoting somewhere, each set on its own and all together.
const TRICKY: &[&str] = &[
    "",
    " ",
    "plain",
    "it's",
    "'",
    "''",
    "'''",
    "\"",
    "\"'\"'",
    "a\nb",
    "\n",
    "trailing newline\n\n",
    "\t",
    "cr\r\nlf",
    "\\",
    "\\\\",
    "\\'",
    "\\\n",
    "\\n\\t\\0",
    "$(touch MARKER)",
    "`touch MARKER`",
    "'; touch MARKER; '",
    "\\'; touch MARKER #",
    "\"; touch MARKER; \"",
    "$HOME ${HOME} $0 $$ $? $*",
    "(touch MARKER)",
    "{$HOME}",
    "!",
    "!!",
    "!$ !-1 ^a^b",
    "%s %d %% %1",
    "-",
    "-e",
    "--help",
    "-n",
    "-gx",
    "~",
    "~root/x",
    "=ls",
    "* ? [a] {a,b} **/*",
    "#not a comment",
    "a=b",
    "; & | && || < > >> 2>&1",
    "é",
    "日本語",
    "🙂👍🏽",
    "e\u{301}",
    "\u{1}\u{2}\u{7f}",
    "\u{1b}[31mred\u{1b}[0m",
    "\u{85}\u{2028}\u{feff}\u{202e}",
    "\u{f600}\u{f6ff}\u{fdd0}\u{fdef}\u{fffd}",
];

fn sessions() -> Vec<Session> {
    let mut sessions = Vec::new();
    for shell in Shell::ALL {
        for delivery in [Delivery::Eval, Delivery::Source] {
            if let Some(session) = Session::new(shell) {
                sessions.push(session.with_delivery(delivery));
            }
        }
    }

    // Interactive users run with their own options; these change how zsh and bash read words.
    if let Some(zsh) = Session::new(Shell::Zsh) {
        sessions
            .push(zsh.with_prelude("setopt RC_QUOTES GLOB_SUBST SH_WORD_SPLIT MAGIC_EQUAL_SUBST"));
    }
    if let Some(bash) = Session::new(Shell::Bash) {
        sessions.push(bash.with_prelude("shopt -s extglob failglob nullglob dotglob"));
    }
    sessions
}

fn set_all(shell: Shell, pairs: &[(String, &str)]) -> String {
    let mut script = Script::new(shell);
    for (name, value) in pairs {
        script.set(name, value).expect("valid name and value");
    }
    script.render()
}

#[test]
fn tricky_values_round_trip() {
    for session in sessions() {
        let shell = session.shell();

        // One case per value, then one case setting them all at once.
        let named: Vec<(String, &str)> =
            TRICKY.iter().enumerate().map(|(i, v)| (format!("AWSUSE_T{i}"), *v)).collect();
        let mut cases: Vec<Case> = named
            .iter()
            .map(|pair| Case::new(set_all(shell, std::slice::from_ref(pair)), &[&pair.0]))
            .collect();
        let names: Vec<&str> = named.iter().map(|(n, _)| n.as_str()).collect();
        cases.push(Case::new(set_all(shell, &named), &names));

        let readbacks = session.run(&cases);

        for ((name, value), readback) in named.iter().zip(&readbacks) {
            assert_eq!(readback.get(name), Some(*value), "{shell}: {name}");
        }
        let all = readbacks.last().unwrap();
        for (name, value) in &named {
            assert_eq!(all.get(name), Some(*value), "{shell}, all at once: {name}");
        }
        assert_eq!(entries(&session.work_dir()), Vec::<String>::new(), "{shell} ran a command");
    }
}

#[test]
fn unset_removes_variables_set_before() {
    let start = [("AWS_PROFILE", "old"), ("AWS_ACCESS_KEY_ID", "AKIA'x"), ("AWS_EMPTY", "")];
    for session in sessions() {
        let session = session.with_env(&start);
        let shell = session.shell();

        let mut script = Script::new(shell);
        script.unset("AWS_PROFILE").unwrap();
        script.unset("AWS_ACCESS_KEY_ID").unwrap();
        script.unset("AWS_EMPTY").unwrap();
        script.set("AWS_REGION", "eu-west-1").unwrap();
        // Last, so that its status is the script's status.
        script.unset("AWSUSE_NEVER_SET").unwrap();
        let names =
            ["AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_EMPTY", "AWS_REGION", "AWSUSE_NEVER_SET"];

        // An empty script shows the starting environment is really there.
        let readbacks = session.run(&[Case::new("", &names), Case::new(script.render(), &names)]);

        let before = &readbacks[0];
        assert_eq!(before.get("AWS_PROFILE"), Some("old"), "{shell}");
        assert_eq!(before.get("AWS_ACCESS_KEY_ID"), Some("AKIA'x"), "{shell}");
        assert_eq!(before.get("AWS_EMPTY"), Some(""), "{shell}");
        assert_eq!(before.get("AWS_REGION"), None, "{shell}");

        let after = &readbacks[1];
        for name in ["AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_EMPTY", "AWSUSE_NEVER_SET"] {
            assert_eq!(after.get(name), None, "{shell}: {name}");
        }
        assert_eq!(after.get("AWS_REGION"), Some("eu-west-1"), "{shell}");
    }
}

#[test]
fn unsetting_a_missing_variable_succeeds_and_prints_nothing() {
    for shell in Shell::ALL {
        let Some(session) = Session::new(shell) else { continue };
        let mut script = Script::new(shell);
        script.unset("AWSUSE_NEVER_SET").unwrap();
        let check = match shell {
            Shell::Bash | Shell::Zsh => "echo \"status $?\"",
            Shell::Fish => "echo \"status $status\"",
        };

        let output = session.run_code(&format!("{}{check}", script.render()));

        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(output.status.success(), "{shell}: {output:?}");
        assert_eq!(stdout, "status 0\n", "{shell}");
        assert!(output.stderr.is_empty(), "{shell}: {}", String::from_utf8_lossy(&output.stderr));
    }
}

#[test]
fn bare_fish_erase_of_a_missing_variable_fails() {
    // Why the fish code guards its erase: without the guard the status is not 0.
    let Some(session) = Session::new(Shell::Fish) else { return };
    let output = session.run_code("set -e AWSUSE_NEVER_SET; echo \"status $status\"");
    assert_ne!(String::from_utf8_lossy(&output.stdout), "status 0\n");
}

#[test]
fn invalid_names_are_refused_before_any_code_is_written() {
    for shell in Shell::ALL {
        let mut script = Script::new(shell);
        for name in ["", "9LIVES", "A-B", "A B", "A=B", "X;touch MARKER", "$(x)", "Ä", "A\nB"] {
            let invalid = InvalidName { name: name.to_owned() };
            assert_eq!(script.set(name, "v"), Err(SetError::Name(invalid.clone())), "{name:?}");
            assert_eq!(script.unset(name), Err(invalid), "{name:?}");
        }
        assert_eq!(
            script.set("AWS_PROFILE", "a\0b"),
            Err(SetError::Nul { name: "AWS_PROFILE".to_owned() })
        );
        assert!(script.is_empty());
        assert_eq!(script.render(), "");
    }
}

#[test]
fn bash_code_passes_shellcheck() {
    if common::shells::find_program("shellcheck").is_none() {
        assert!(std::env::var("CI").as_deref() != Ok("true"), "CI must install shellcheck");
        eprintln!("skipping: shellcheck is not installed");
        return;
    }
    let mut script = Script::new(Shell::Bash);
    for (i, value) in TRICKY.iter().enumerate() {
        script.set(&format!("AWSUSE_T{i}"), value).unwrap();
    }
    script.unset("AWS_PROFILE").unwrap();

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("code.bash");
    std::fs::write(&file, script.render()).unwrap();
    let output = std::process::Command::new("shellcheck")
        .args(["--shell=bash", "--exclude=SC1003,SC2016"])
        .arg(&file)
        .output()
        .unwrap();

    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stdout));
}

/// Single characters and pieces that mean something to at least one of the shells.
const ALPHABET: &[&str] = &[
    "'",
    "\"",
    "`",
    "$",
    "(",
    ")",
    ";",
    "&",
    "|",
    "\n",
    "\t",
    "\r",
    "%",
    "\\",
    "!",
    "*",
    "?",
    "~",
    "{",
    "}",
    "[",
    "]",
    "#",
    " ",
    "-",
    "=",
    "<",
    ">",
    "^",
    ",",
    ":",
    "@",
    "\u{1}",
    "\u{7}",
    "\u{8}",
    "\u{b}",
    "\u{c}",
    "\u{1b}",
    "\u{1f}",
    "\u{7f}",
    "\u{80}",
    "\u{9f}",
    "é",
    "ß",
    "日",
    "🙂",
    "👍🏽",
    "\u{301}",
    "\u{200d}",
    "\u{feff}",
    "\u{f600}",
    "\u{fdd0}",
    "\u{10ffff}",
];

const PAYLOADS: &[&str] = &[
    "$(touch MARKER)",
    "`touch MARKER`",
    "'; touch MARKER; '",
    "\\'; touch MARKER #",
    "\"; touch MARKER; \"",
    "(touch MARKER)",
    "'\\''; touch MARKER; '\\''",
    "\n touch MARKER\n",
    "$'\\x27'; touch MARKER",
];

fn hostile_value() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        8 => prop::sample::select(ALPHABET).prop_map(str::to_owned),
        2 => any::<char>().prop_filter("no NUL", |c| *c != '\0').prop_map(String::from),
        2 => "[a-zA-Z0-9_.-]{1,4}",
        1 => prop::sample::select(PAYLOADS).prop_map(str::to_owned),
    ];
    (any::<bool>(), prop::collection::vec(piece, 0..12))
        .prop_map(|(dash, pieces)| format!("{}{}", if dash { "-" } else { "" }, pieces.concat()))
}

const PROPERTY_NAMES: [&str; 4] = ["AWSUSE_P0", "AWSUSE_P1", "AWSUSE_P2", "AWS_PROFILE"];

/// Each case sets the first few of [`PROPERTY_NAMES`] and unsets the rest.
fn hostile_cases() -> impl Strategy<Value = Vec<Vec<String>>> {
    prop::collection::vec(prop::collection::vec(hostile_value(), 1..=PROPERTY_NAMES.len()), 100)
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 3,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn hostile_values_round_trip_and_never_run(batch in hostile_cases()) {
        for shell in Shell::ALL {
            let Some(session) = Session::new(shell) else { continue };
            let session = session.with_env(&[("AWS_PROFILE", "before")]);

            let cases: Vec<Case> = batch
                .iter()
                .map(|values| {
                    let mut script = Script::new(shell);
                    for (i, name) in PROPERTY_NAMES.iter().enumerate() {
                        match values.get(i) {
                            Some(value) => script.set(name, value).unwrap(),
                            None => script.unset(name).unwrap(),
                        }
                    }
                    Case::new(script.render(), &PROPERTY_NAMES)
                })
                .collect();
            let readbacks = session.run(&cases);

            for (values, readback) in batch.iter().zip(&readbacks) {
                for (i, name) in PROPERTY_NAMES.iter().enumerate() {
                    prop_assert_eq!(readback.get(name), values.get(i).map(String::as_str), "{} {}", shell, name);
                }
            }
            prop_assert_eq!(entries(&session.work_dir()), Vec::<String>::new(), "{} ran a command", shell);
        }
    }
}
