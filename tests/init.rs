//! `awsuse init`: the integration of every shell, under every option, sourced in the real
//! shell in strict mode without rc files; shellcheck and fish's own parser on the output; the
//! function switching, passing through and keeping the status; the prompt function agreeing
//! with `awsuse prompt`.

mod common;

use std::path::Path;
use std::process::Command;

use awsuse::shell::Shell;
use common::home::{TestHome, text};
use common::shells::{Session, find_program};

const OPTIONS: &[&[&str]] =
    &[&[], &["--prompt"], &["--cmd", "aws-p"], &["--cmd", "ap", "--prompt"]];

fn init(shell: Shell, options: &[&str]) -> String {
    let home = TestHome::new();
    let output = home.command().arg("init").arg(shell.name()).args(options).output().unwrap();
    let (stdout, stderr) = text(&output);
    assert!(output.status.success() && stderr.is_empty(), "init {shell} {options:?}: {stderr}");
    stdout
}

/// A session whose PATH starts with the built binary and whose AWS files are `home`'s.
fn session(shell: Shell, home: &TestHome) -> Option<Session> {
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_awsuse")).parent().unwrap().to_owned();
    let path = format!("{}:{}", bin_dir.display(), std::env::var("PATH").unwrap_or_default());
    let config = home.config_path().display().to_string();
    let credentials = home.credentials_path().display().to_string();
    let state = home.state_dir().display().to_string();
    Session::new(shell).map(|s| {
        s.with_env(&[
            ("PATH", &path),
            ("AWS_CONFIG_FILE", &config),
            ("AWS_SHARED_CREDENTIALS_FILE", &credentials),
            ("AWSUSE_STATE_DIR", &state),
        ])
    })
}

fn source_line(shell: Shell, file: &Path) -> String {
    match shell {
        Shell::Fish => format!("source {}\n", file.display()),
        _ => format!(". {}\n", file.display()),
    }
}

/// Sourcing twice in strict mode succeeds and prints nothing.
#[test]
fn every_shell_under_every_option_sources_silently() {
    let home = TestHome::new();
    for shell in Shell::ALL {
        let Some(session) = session(shell, &home) else { continue };
        for options in OPTIONS {
            let file = home.path().join(format!("init.{shell}"));
            std::fs::write(&file, init(shell, options)).unwrap();
            let code = format!("{0}{0}", source_line(shell, &file));
            let output = session.run_code(&code);
            let (stdout, stderr) = text(&output);
            assert!(output.status.success(), "{shell} {options:?}: {stderr}");
            assert_eq!((stdout.as_str(), stderr.as_str()), ("", ""), "{shell} {options:?}");
        }
    }
}

#[test]
fn shellcheck_accepts_the_bash_integration() {
    if !tool("shellcheck") {
        return;
    }
    for options in OPTIONS {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("init.bash");
        std::fs::write(&file, init(Shell::Bash, options)).unwrap();
        let output = Command::new("shellcheck").args(["-s", "bash"]).arg(&file).output().unwrap();
        assert!(output.status.success(), "{options:?}: {}", text(&output).0);
    }
}

#[test]
fn fish_parses_the_fish_integration() {
    if !tool("fish") {
        return;
    }
    for options in OPTIONS {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("init.fish");
        std::fs::write(&file, init(Shell::Fish, options)).unwrap();
        let output = Command::new("fish").arg("--no-execute").arg(&file).output().unwrap();
        assert!(output.status.success(), "{options:?}: {}", text(&output).1);
    }
}

/// The function evaluates a switch, returns a failure's status with nothing evaluated, passes
/// other commands through (the list shows the switch as recent), and its prompt segment is what `awsuse prompt` prints.
#[test]
fn the_function_switches_keeps_status_and_renders_the_prompt() {
    let home = TestHome::new();
    home.config("[profile prod]\nregion = cn-north-1\n[profile dev]\n");
    for shell in Shell::ALL {
        let Some(session) = session(shell, &home) else { continue };
        let file = home.path().join(format!("init.{shell}"));
        std::fs::write(&file, init(shell, &["--cmd", "sw"])).unwrap();
        let code = match shell {
            Shell::Fish => "sw use prod\n\
                 sw use nosuch 2>/dev/null; echo \"status=$status\"\n\
                 echo \"profile=$AWS_PROFILE\"\n\
                 echo \"prompt=\"(__awsuse_prompt)\n\
                 echo \"command=\"(awsuse prompt)\n\
                 sw list --names | string join ,\n"
                .to_owned(),
            _ => "sw use prod\n\
                 st=0; sw use nosuch 2>/dev/null || st=$?; echo \"status=$st\"\n\
                 echo \"profile=$AWS_PROFILE\"\n\
                 echo \"prompt=$(__awsuse_prompt)\"\n\
                 echo \"command=$(awsuse prompt)\"\n\
                 sw list --names | paste -sd, -\n"
                .to_owned(),
        };
        let output = session.run_code(&format!("{}{code}", source_line(shell, &file)));
        let (stdout, stderr) = text(&output);
        assert!(output.status.success(), "{shell}: {stderr}");
        let expected = "status=1\nprofile=prod\nprompt=prod@cn-north-1 [cn]\n\
                        command=prod@cn-north-1 [cn]\nprod,dev\n";
        assert_eq!(stdout, expected, "{shell}: {stderr}");
    }
}

fn tool(name: &str) -> bool {
    if find_program(name).is_some() {
        return true;
    }
    assert!(std::env::var("CI").map_or(true, |ci| ci != "true"), "{name} must be installed in CI");
    eprintln!("skipping: {name} is not installed");
    false
}

/// The bash completion function offers the names that start with what was typed, and nothing
/// (not one empty word) when none does, and leaves pathname expansion as it found it.
#[test]
fn bash_completes_names_by_prefix_and_offers_nothing_for_no_match() {
    let home = TestHome::new();
    home.config("[profile prod-eu]\n[profile prod-us]\n[profile dev]\n");
    let Some(session) = session(Shell::Bash, &home) else { return };
    let file = home.path().join("init.bash");
    std::fs::write(&file, init(Shell::Bash, &[])).unwrap();
    let code = "complete_word() {\n\
                    COMP_WORDS=(awsuse use \"$1\"); COMP_CWORD=2\n\
                    __awsuse_complete awsuse \"$1\" use\n\
                    echo \"$1: ${#COMPREPLY[@]} ${COMPREPLY[*]}\"\n\
                }\n\
                glob() { case $- in *f*) echo \"glob off\" ;; *) echo \"glob on\" ;; esac; }\n\
                complete_word prod\ncomplete_word d\ncomplete_word x\nglob\n\
                set -f\ncomplete_word p\nglob\n";
    let output = session.run_code(&format!("{}{code}", source_line(Shell::Bash, &file)));
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "{stderr}");
    // The shell's own setting of pathname expansion is left as it was.
    let expected =
        "prod: 2 prod-eu prod-us\nd: 1 dev\nx: 0 \nglob on\np: 2 prod-eu prod-us\nglob off\n";
    assert_eq!(stdout, expected, "{stderr}");
}
