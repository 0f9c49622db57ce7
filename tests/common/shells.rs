//! Runs generated shell code in the real shells, the way users apply it, and reads the
//! variables back byte for byte.
//!
//! Every shell starts without rc files and in strict mode: bash with `set -euo pipefail`, zsh
//! with `ERR_EXIT NO_UNSET PIPE_FAIL`, fish with its `$status` checked after each script. A run
//! fails when the shell exits non-zero or writes anything to standard error.
//!
//! Several cases share one shell process: bash and zsh run each case in a subshell, fish resets
//! the variables between cases, so that every case starts from the same environment.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use awsuse::shell::Shell;

/// How the generated code reaches the shell.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Delivery {
    /// From a command's output: `eval "$(cat FILE)"` in bash and zsh, `cat FILE | source` in
    /// fish, as users run `awsuse`.
    Eval,
    /// From a file: `. FILE` in bash and zsh, `source FILE` in fish.
    Source,
}

/// One script to apply, and the variables to read back after it.
#[derive(Clone, Debug)]
pub struct Case {
    pub script: String,
    pub names: Vec<String>,
}

impl Case {
    pub fn new(script: impl Into<String>, names: &[&str]) -> Self {
        Self { script: script.into(), names: names.iter().map(|n| n.to_string()).collect() }
    }
}

/// The variables a case asked for, after its script ran: `None` when unset, `Some("")` when set
/// to an empty string. Each one was read both by the shell itself and by a child process, and
/// the two agreed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Readback {
    pub vars: BTreeMap<String, Option<String>>,
}

impl Readback {
    /// The value of a variable the case asked for.
    pub fn get(&self, name: &str) -> Option<&str> {
        match self.vars.get(name) {
            Some(value) => value.as_deref(),
            None => panic!("{name} was not among the names the case asked for"),
        }
    }
}

/// Whether `shell` can be run here. A missing shell fails the test in CI (`CI=true`) and
/// skips it elsewhere, saying which shell is missing.
pub fn require(shell: Shell) -> bool {
    require_program(shell.name(), shell.name())
}

/// Whether `program` is on `PATH`. A missing one fails the test in CI (`CI=true`) and skips it
/// elsewhere, naming the package that installs it.
pub fn require_program(program: &str, package: &str) -> bool {
    if find_program(program).is_some() {
        return true;
    }
    if std::env::var("CI").is_ok_and(|ci| ci == "true") {
        panic!(
            "{program} is not installed, and CI must run these tests: apt-get install {package}"
        );
    }
    eprintln!("skipping: {program} is not installed (apt-get install {package})");
    false
}

/// Whether a program of that name is on `PATH`.
pub fn find_program(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).map(|dir| dir.join(name)).find(|p| p.is_file())
}

/// A real shell in a temporary directory, with a starting environment.
pub struct Session {
    shell: Shell,
    dir: tempfile::TempDir,
    start: Vec<(String, String)>,
    prelude: String,
    delivery: Delivery,
}

impl Session {
    /// A session for `shell`, or `None` (after [`require`] said why) when it is not installed.
    pub fn new(shell: Shell) -> Option<Self> {
        if !require(shell) {
            return None;
        }
        let dir = tempfile::tempdir().expect("create a temporary directory");
        for sub in ["work", "home", "scripts"] {
            fs::create_dir(dir.path().join(sub)).expect("create a session directory");
        }
        Some(Self {
            shell,
            dir,
            start: Vec::new(),
            prelude: String::new(),
            delivery: Delivery::Eval,
        })
    }

    /// Variables set before any script runs, in addition to a minimal `PATH`, `HOME` and a
    /// UTF-8 locale.
    pub fn with_env(mut self, pairs: &[(&str, &str)]) -> Self {
        self.start.extend(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        self
    }

    /// Shell code run once, before the cases (for example `setopt RC_QUOTES` in zsh).
    pub fn with_prelude(mut self, code: &str) -> Self {
        self.prelude = code.to_owned();
        self
    }

    pub fn with_delivery(mut self, delivery: Delivery) -> Self {
        self.delivery = delivery;
        self
    }

    pub fn shell(&self) -> Shell {
        self.shell
    }

    /// The working directory of the shell, empty until something the shell ran writes there.
    pub fn work_dir(&self) -> PathBuf {
        self.dir.path().join("work")
    }

    /// Applies one script and reads `names` back.
    pub fn run_one(&self, script: &str, names: &[&str]) -> Readback {
        self.run(&[Case::new(script, names)]).remove(0)
    }

    /// Applies every case in one shell process, each from the starting environment, and reads
    /// back the variables each asked for. Panics, with the shell's output, when the shell fails.
    pub fn run(&self, cases: &[Case]) -> Vec<Readback> {
        let scripts = self.dir.path().join("scripts");
        for (i, case) in cases.iter().enumerate() {
            fs::write(scripts.join(i.to_string()), &case.script).expect("write a case script");
        }

        let driver = match self.shell {
            Shell::Bash | Shell::Zsh => self.posix_driver(cases),
            Shell::Fish => self.fish_driver(cases),
        };
        let output = self.run_code(&driver);

        let describe = || {
            format!(
                "{} failed ({}).\nstderr:\n{}\nscripts:\n{}",
                self.shell,
                output.status,
                String::from_utf8_lossy(&output.stderr),
                cases.iter().map(|c| c.script.as_str()).collect::<Vec<_>>().join("---\n"),
            )
        };
        assert!(output.status.success() && output.stderr.is_empty(), "{}", describe());
        parse_readbacks(&output.stdout, cases).unwrap_or_else(|e| panic!("{e}\n{}", describe()))
    }

    /// Runs arbitrary code in the shell, in strict mode, from the work directory, with the
    /// starting environment. The caller judges the output.
    pub fn run_code(&self, code: &str) -> Output {
        let (program, args, strict): (&str, &[&str], &str) = match self.shell {
            Shell::Bash => ("bash", &["--norc", "--noprofile"], "set -euo pipefail\n"),
            Shell::Zsh => ("zsh", &["-f"], "set -eu\nsetopt ERR_EXIT NO_UNSET PIPE_FAIL\n"),
            Shell::Fish => ("fish", &["--no-config"], ""),
        };
        let driver = self.dir.path().join(format!("driver.{program}"));
        fs::write(&driver, format!("{strict}{}\n{code}", self.prelude)).expect("write the driver");

        let home = self.dir.path().join("home");
        let mut command = Command::new(program);
        command
            .args(args)
            .arg(&driver)
            .current_dir(self.work_dir())
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", &home)
            .env("XDG_CONFIG_HOME", home.join(".config"))
            .env("XDG_DATA_HOME", home.join(".local/share"))
            .env("XDG_CACHE_HOME", home.join(".cache"))
            .env("LANG", "C.UTF-8")
            .env("LC_ALL", "C.UTF-8")
            .stdin(Stdio::null());
        for (name, value) in &self.start {
            command.env(name, value);
            // fish has no subshells; it restores the starting value from this copy.
            command.env(format!("__awsuse_start_{name}"), value);
        }
        command.output().unwrap_or_else(|e| panic!("could not run {program}: {e}"))
    }

    fn posix_driver(&self, cases: &[Case]) -> String {
        let mut code = String::new();
        for (i, case) in cases.iter().enumerate() {
            let apply = match self.delivery {
                Delivery::Eval => format!("eval \"$(cat ../scripts/{i})\""),
                Delivery::Source => format!(". ../scripts/{i}"),
            };
            let _ = writeln!(code, "(\n{apply}\nprintf 'C\\0'");
            for name in &case.names {
                let _ = writeln!(
                    code,
                    "if [ -n \"${{{name}+x}}\" ]; then printf 'S%s\\0' \"${name}\"; \
                     else printf 'U\\0'; fi"
                );
            }
            code.push_str("env -0\nprintf '\\0'\n)\n");
        }
        code.push_str("printf 'END\\0'\n");
        code
    }

    fn fish_driver(&self, cases: &[Case]) -> String {
        let starting: BTreeSet<&str> = self.start.iter().map(|(n, _)| n.as_str()).collect();
        let touched: BTreeSet<&str> =
            cases.iter().flat_map(|c| c.names.iter().map(String::as_str)).collect();

        let mut code = String::new();
        for (i, case) in cases.iter().enumerate() {
            for name in touched.union(&starting) {
                let _ = writeln!(code, "set -e -g {name}");
            }
            for name in &starting {
                let _ = writeln!(code, "set -gx {name} $__awsuse_start_{name}");
            }
            // `set` keeps the status it finds, so start each case from success.
            code.push_str("true\n");
            let apply = match self.delivery {
                Delivery::Eval => format!("cat ../scripts/{i} | source"),
                Delivery::Source => format!("source ../scripts/{i}"),
            };
            let _ = writeln!(
                code,
                "{apply}\nset -l st $status\n\
                 if test $st -ne 0; echo \"case {i}: status $st\" >&2; exit 3; end\n\
                 printf 'C\\0'"
            );
            for name in &case.names {
                let _ = writeln!(
                    code,
                    "if set -q {name}; printf 'S%s\\0' \"${name}\"; else; printf 'U\\0'; end"
                );
            }
            code.push_str("env -0\nprintf '\\0'\n");
        }
        code.push_str("printf 'END\\0'\n");
        code
    }
}

/// Splits the driver's output: per case a `C` record, one `S<value>` or `U` record per name,
/// the child's environment as `NAME=value` records, and an empty record; `END` at the end.
/// Values cannot hold NUL, so NUL-terminated records are unambiguous.
fn parse_readbacks(stdout: &[u8], cases: &[Case]) -> Result<Vec<Readback>, String> {
    let mut records = stdout.split(|&b| b == 0).map(decode);
    let mut next = || records.next().unwrap_or_else(|| Err("output ends early".to_owned()));

    let mut readbacks = Vec::new();
    for (i, case) in cases.iter().enumerate() {
        if next()? != "C" {
            return Err(format!("case {i}: no start record"));
        }

        let mut seen = BTreeMap::new();
        for name in &case.names {
            let record = next()?;
            let value = match record.split_at(1.min(record.len())) {
                ("S", value) => Some(value.to_owned()),
                ("U", "") => None,
                _ => return Err(format!("case {i}: bad record {record:?}")),
            };
            seen.insert(name.clone(), value);
        }

        let mut exported = BTreeMap::new();
        loop {
            let record = next()?;
            if record.is_empty() {
                break;
            }
            if let Some((name, value)) = record.split_once('=') {
                exported.insert(name.to_owned(), value.to_owned());
            }
        }

        // A variable the shell holds but does not export is invisible to the AWS tools.
        for (name, value) in &seen {
            if exported.get(name) != value.as_ref() {
                return Err(format!(
                    "case {i}: {name} is {value:?} in the shell but {:?} in its children",
                    exported.get(name)
                ));
            }
        }
        readbacks.push(Readback { vars: seen });
    }

    if next()? != "END" {
        return Err("no end record".to_owned());
    }
    Ok(readbacks)
}

fn decode(record: &[u8]) -> Result<String, String> {
    String::from_utf8(record.to_vec()).map_err(|_| format!("record is not UTF-8: {record:?}"))
}

/// Whether `dir` holds anything, for tests that check no command ran.
pub fn entries(dir: &Path) -> Vec<String> {
    fs::read_dir(dir)
        .expect("read a directory")
        .map(|e| e.expect("read a directory entry").file_name().to_string_lossy().into_owned())
        .collect()
}
