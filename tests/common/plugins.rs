//! Real plugins for the tests: the C plugin compiled with the system compiler, the Rust plugins
//! built once with cargo, a throw-away GnuPG key and password store, and moto's STS server.

use std::fs;
use std::io::Write as _;
use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

// Re-exported for the plugin tests; other test binaries leave them unused.
#[allow(unused_imports)]
pub use super::{moto::Moto, shells::require_program};

/// The workspace root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A directory of plugins, private to the user as the host demands.
pub fn plugin_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("plugin directory");
    fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o700)).unwrap();
    dir
}

/// Compiles `plugins/c-minimal/minimal.c` into `dir/file` with extra `-D` flags.
pub fn c_plugin(dir: &Path, file: &str, defines: &[&str]) -> PathBuf {
    let out = dir.join(file);
    let status = Command::new("cc")
        .args(["-shared", "-fPIC", "-Wall", "-Werror", "-I"])
        .arg(root().join("plugins/include"))
        .args(defines)
        .arg("-o")
        .arg(&out)
        .arg(root().join("plugins/c-minimal/minimal.c"))
        .status()
        .expect("run cc");
    assert!(status.success(), "cc failed for {file} {defines:?}");
    fs::set_permissions(&out, fs::Permissions::from_mode(0o755)).unwrap();
    out
}

/// The Rust plugins, built once per test binary into a target directory of their own (the
/// outer cargo holds the lock on the main one).
pub struct RustPlugins {
    pub pass: PathBuf,
    pub panicky: PathBuf,
}

pub fn rust_plugins() -> &'static RustPlugins {
    static BUILT: OnceLock<RustPlugins> = OnceLock::new();
    BUILT.get_or_init(|| {
        let target = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("plugin-build");
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let builds: [&[&str]; 2] =
            [&["-p", "awsuse-pass"], &["-p", "awsuse-plugin", "--example", "panicky"]];
        for args in builds {
            let output = Command::new(&cargo)
                .current_dir(root())
                .args(["build", "--quiet"])
                .args(args)
                .env("CARGO_TARGET_DIR", &target)
                .output()
                .expect("run cargo build");
            assert!(
                output.status.success(),
                "building the Rust plugins failed:\n{}",
                String::from_utf8_lossy(&output.stderr)
            );
        }
        let so = std::env::consts::DLL_EXTENSION;
        RustPlugins {
            pass: target.join(format!("debug/libawsuse_pass.{so}")),
            panicky: target.join(format!("debug/examples/libpanicky.{so}")),
        }
    })
}

/// Copies a built plugin into `dir` under `file`, readable and not writable by others.
pub fn install(from: &Path, dir: &Path, file: &str) -> PathBuf {
    let to = dir.join(file);
    fs::copy(from, &to).expect("copy a plugin");
    fs::set_permissions(&to, fs::Permissions::from_mode(0o755)).unwrap();
    to
}

/// A GnuPG home with one key without passphrase and a password store encrypted to it. The
/// agent it starts is stopped when the store is dropped.
pub struct PassStore {
    dir: tempfile::TempDir,
}

impl PassStore {
    pub fn new() -> Self {
        let dir = tempfile::Builder::new().prefix("pw").tempdir_in("/tmp").expect("store dir");
        let store = Self { dir };
        fs::create_dir(store.gnupg_home()).unwrap();
        fs::set_permissions(store.gnupg_home(), fs::Permissions::from_mode(0o700)).unwrap();

        let key = "%no-protection\nKey-Type: EdDSA\nKey-Curve: ed25519\nSubkey-Type: ECDH\n\
                   Subkey-Curve: cv25519\nName-Real: awsuse test\nName-Email: test@awsuse.invalid\n\
                   Expire-Date: 0\n%commit\n";
        store.run("gpg", &["--batch", "--quiet", "--gen-key"], Some(key));
        store.run("pass", &["init", "test@awsuse.invalid"], None);
        store
    }

    pub fn gnupg_home(&self) -> PathBuf {
        self.dir.path().join("gnupg")
    }

    pub fn store_dir(&self) -> PathBuf {
        self.dir.path().join("store")
    }

    /// What a process needs in its environment to use this store.
    pub fn env(&self) -> Vec<(String, String)> {
        vec![
            ("GNUPGHOME".into(), self.gnupg_home().display().to_string()),
            ("PASSWORD_STORE_DIR".into(), self.store_dir().display().to_string()),
        ]
    }

    /// Stores `text` as the entry `name`.
    pub fn insert(&self, name: &str, text: &str) {
        self.run("pass", &["insert", "--multiline", "--force", name], Some(text));
    }

    fn run(&self, program: &str, args: &[&str], stdin: Option<&str>) {
        let mut child = Command::new(program)
            .args(args)
            .envs(self.env())
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("could not run {program}: {e}"));
        let mut input = child.stdin.take().unwrap();
        input.write_all(stdin.unwrap_or_default().as_bytes()).unwrap();
        drop(input);
        let output = child.wait_with_output().unwrap();
        assert!(
            output.status.success(),
            "{program} {args:?} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

impl Drop for PassStore {
    fn drop(&mut self) {
        let _ = Command::new("gpgconf")
            .args(["--kill", "all"])
            .env("GNUPGHOME", self.gnupg_home())
            .stderr(Stdio::null())
            .status();
    }
}
