//! A home that is missing or damaged: no `HOME`, a `HOME` that does not exist, a directory
//! where a file should be, NUL bytes and invalid UTF-8. Each gives a clear message naming the
//! file (and the line, when there is one), a non-zero status and nothing on standard output;
//! none panics.

mod common;

use std::process::Output;

use common::home::{TestHome, assert_fails, text};

/// Fails when the process panicked, whatever else it did.
fn assert_no_panic(output: &Output) {
    let stderr = text(output).1;
    assert_ne!(output.status.code(), Some(101), "the process panicked: {stderr}");
    assert!(!stderr.contains("panicked"), "the process panicked: {stderr}");
}

#[test]
fn home_pointing_nowhere_says_there_are_no_profiles_and_where_it_looked() {
    let home = TestHome::new();
    let run = |args: &[&str]| home.command().env("HOME", "/nonexistent/awsuse").args(args).output();

    let use_output = run(&["use", "dev", "--shell", "bash"]).unwrap();
    assert_no_panic(&use_output);
    assert_fails(&use_output, &["no profiles", "/nonexistent/awsuse/.aws/config", "awsuse create"]);

    // An empty list is no error, but it still says why it is empty.
    let list = run(&["list"]).unwrap();
    let (stdout, stderr) = text(&list);
    assert_no_panic(&list);
    assert!(list.status.success(), "{stderr}");
    assert!(stdout.is_empty(), "{stdout}");
    assert!(stderr.contains("/nonexistent/awsuse/.aws/credentials"), "{stderr}");
}

#[test]
fn home_unset_still_works_with_explicit_files_and_never_panics() {
    let home = TestHome::new();
    home.config("[profile dev]\nregion = eu-west-1\n");

    // The files named by the variables need no home at all.
    let output = home
        .command()
        .env_remove("HOME")
        .env("AWS_CONFIG_FILE", home.config_path())
        .env("AWS_SHARED_CREDENTIALS_FILE", home.credentials_path())
        .args(["use", "dev", "--shell", "bash"])
        .output()
        .unwrap();
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "{stderr}");
    assert!(stdout.contains("export AWS_PROFILE='dev';"), "{stdout}");

    // Without them awsuse falls back to the account's home from the password database, which
    // this test does not control: whatever is there, it must answer without a panic, and a
    // failure must say which files it read.
    for args in [&["list"][..], &["use", "dev", "--shell", "bash"]] {
        let output = home.command().env_remove("HOME").args(args).output().unwrap();
        assert_no_panic(&output);
        if !output.status.success() {
            assert_fails(&output, &[".aws/"]);
        }
    }
}

#[test]
fn a_directory_where_a_file_should_be_is_named() {
    let home = TestHome::new();
    std::fs::create_dir(home.config_path()).unwrap();
    home.credentials("[dev]\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = s\n");

    for args in [&["list"][..], &["use", "dev", "--shell", "bash"]] {
        let output = home.run(args);
        assert_no_panic(&output);
        let config = home.config_path().display().to_string();
        assert_fails(&output, &[&config, "is a directory", "AWS_CONFIG_FILE"]);
    }

    std::fs::remove_dir(home.config_path()).unwrap();
    std::fs::remove_file(home.credentials_path()).unwrap();
    std::fs::create_dir(home.credentials_path()).unwrap();
    let output = home.run(&["list"]);
    let credentials = home.credentials_path().display().to_string();
    assert_fails(&output, &[&credentials, "is a directory", "AWS_SHARED_CREDENTIALS_FILE"]);
}

#[test]
fn nul_bytes_are_refused_with_file_and_line() {
    let home = TestHome::new();
    std::fs::write(
        home.config_path(),
        b"[profile a]\nregion = eu-west-1\n[profile b]\nregion = eu\0west-1\n",
    )
    .unwrap();
    let at = format!("{}:4:", home.config_path().display());

    // Even the profile without the byte: the file is damaged, and which part is unknown.
    for args in [&["list"][..], &["list", "--json"], &["use", "a", "--shell", "bash"]] {
        let output = home.run(args);
        assert_no_panic(&output);
        assert_fails(&output, &[&at, "NUL byte"]);
    }

    // In a section name too, where the byte would otherwise hide the profile.
    std::fs::write(home.credentials_path(), b"[b\0x]\naws_access_key_id = A\n").unwrap();
    std::fs::write(home.config_path(), b"").unwrap();
    let at = format!("{}:1:", home.credentials_path().display());
    assert_fails(&home.run(&["list"]), &[&at, "NUL byte"]);
}

#[test]
fn invalid_utf8_is_refused_with_file_and_line() {
    let home = TestHome::new();
    home.config("[profile a]\nregion = eu-west-1\n");
    std::fs::write(home.credentials_path(), b"[a]\n# caf\xe9\naws_access_key_id = A\n").unwrap();
    let at = format!("{}:2:", home.credentials_path().display());

    for args in [&["list"][..], &["list", "--names"], &["use", "a", "--shell", "bash"]] {
        let output = home.run(args);
        assert_no_panic(&output);
        assert_fails(&output, &[&at, "not valid UTF-8", "save it as UTF-8"]);
    }
}

#[test]
fn a_closed_standard_error_changes_the_status_but_never_panics() {
    let home = TestHome::new();
    home.config("[profile a]\nregion = eu-west-1\n");
    // Standard error a pipe nobody reads: every message fails to be written.
    for (args, status) in [(&["use", "nosuch"][..], 1), (&["use", "a", "--shell", "bash"], 0)] {
        let (reader, writer) = std::io::pipe().expect("a pipe");
        drop(reader);
        let output = home.command().args(args).stderr(writer).output().expect("run awsuse");
        assert_eq!(output.status.code(), Some(status), "{args:?}: {}", text(&output).0);
    }
}
