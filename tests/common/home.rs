//! A throw-away home with AWS files, and the built binary run inside it with a clean
//! environment.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use tempfile::TempDir;

pub struct TestHome {
    dir: TempDir,
}

impl Default for TestHome {
    fn default() -> Self {
        Self::new()
    }
}

impl TestHome {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().expect("temporary home");
        std::fs::create_dir_all(dir.path().join(".aws")).unwrap();
        Self { dir }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn state_dir(&self) -> PathBuf {
        self.path().join("state")
    }

    pub fn config_path(&self) -> PathBuf {
        self.path().join(".aws/config")
    }

    pub fn credentials_path(&self) -> PathBuf {
        self.path().join(".aws/credentials")
    }

    pub fn config(&self, text: &str) -> &Self {
        std::fs::write(self.config_path(), text).unwrap();
        self
    }

    pub fn credentials(&self, text: &str) -> &Self {
        std::fs::write(self.credentials_path(), text).unwrap();
        self
    }

    /// The binary with only HOME, PATH and the state directory set.
    pub fn command(&self) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_awsuse"));
        command
            .env_clear()
            .env("HOME", self.path())
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("AWSUSE_STATE_DIR", self.state_dir())
            .stdin(Stdio::null());
        command
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.command().args(args).output().expect("run awsuse")
    }
}

/// Standard output and error as text, for assertions.
pub fn text(output: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// Asserts a failure: non-zero status, nothing on standard output, and every `needle` in the
/// message. Returns the message.
pub fn assert_fails(output: &Output, needles: &[&str]) -> String {
    let (stdout, stderr) = text(output);
    assert!(!output.status.success(), "expected failure, got success; stderr: {stderr}");
    assert!(stdout.is_empty(), "nothing may reach standard output on failure, got: {stdout:?}");
    for needle in needles {
        assert!(stderr.contains(needle), "expected {needle:?} in the message: {stderr}");
    }
    stderr
}
