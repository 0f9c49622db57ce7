//! The command line, defined once for parsing, completion and the man page.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::shell::Shell;

const AFTER_HELP: &str = "\
Shell set-up (once, in the rc file):
  bash:  eval \"$(awsuse init bash)\"
  zsh:   eval \"$(awsuse init zsh)\"
  fish:  awsuse init fish | source

Without the set-up, evaluate what a switch prints:
  eval \"$(awsuse use prod)\"       (bash, zsh)
  awsuse use prod | source        (fish)";

/// Switch the AWS profile of the shell you are in.
///
/// awsuse reads the AWS config and credentials files as the AWS SDKs and the AWS CLI read them
/// and prints shell code that sets AWS_PROFILE, AWS_REGION and friends. Your shell evaluates
/// that code; explanations go to standard error.
#[derive(Debug, Parser)]
#[command(name = "awsuse", version, after_help = AFTER_HELP, max_term_width = 100)]
pub struct Cli {
    #[command(flatten)]
    pub files: FileArgs,

    /// Show which files, profiles and endpoints were chosen, on standard error. Secrets are
    /// never shown. The same as AWSUSE_LOG=debug.
    #[arg(long, global = true)]
    pub debug: bool,

    #[command(subcommand)]
    pub command: Command,
}

/// Where the AWS files are, when not where the AWS SDKs look by default.
#[derive(Debug, Args, Clone, Default)]
pub struct FileArgs {
    /// Read this AWS config file instead of AWS_CONFIG_FILE or ~/.aws/config. A switch then
    /// exports AWS_CONFIG_FILE so that every tool reads the same file.
    #[arg(long, global = true, value_name = "PATH")]
    pub config_file: Option<PathBuf>,

    /// Read this AWS credentials file instead of AWS_SHARED_CREDENTIALS_FILE or
    /// ~/.aws/credentials. A switch then exports AWS_SHARED_CREDENTIALS_FILE.
    #[arg(long, global = true, value_name = "PATH")]
    pub credentials_file: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Switch to a profile without a picker.
    ///
    /// Prints shell code that sets AWS_PROFILE (or temporary keys for roles that need MFA),
    /// AWS_REGION, AWS_DEFAULT_REGION and the AWSUSE_* variables, and removes environment keys
    /// and AWS_DEFAULT_PROFILE that would win over the profile.
    ///
    /// Example: eval "$(awsuse use prod --region eu-west-1)"
    Use(UseArgs),

    /// Remove everything a switch set.
    ///
    /// Example: eval "$(awsuse unset)"
    Unset(ShellArgs),

    /// List profiles, recently used first, then the rest alphabetically.
    ///
    /// Example: awsuse list --json | jq '.[] | select(.kind == "sso") | .name'
    List(ListArgs),

    /// Show what this shell uses now, read from its environment only.
    ///
    /// Example: awsuse current --json
    Current(CurrentArgs),

    /// Show the partition, DNS suffixes, STS endpoint and console host of a region.
    ///
    /// Example: awsuse partition cn-north-1 --json
    Partition(PartitionArgs),
}

/// How to reach STS, for commands that validate or assume roles.
#[derive(Debug, Args, Clone)]
pub struct StsArgs {
    /// Ask STS whose credentials these are before switching; nothing is switched if it fails.
    #[arg(long)]
    pub validate: bool,

    /// The code of the MFA device, for roles that need one. Asked for on the terminal when
    /// missing.
    #[arg(long, value_name = "CODE")]
    pub mfa_token: Option<String>,

    /// Give up on STS (and SSO, and a credential process) after this many seconds.
    #[arg(long, value_name = "SECONDS", env = "AWSUSE_TIMEOUT", default_value_t = 15.0)]
    pub timeout: f64,
}

impl StsArgs {
    pub fn options(&self) -> crate::sts::Options {
        let seconds =
            if self.timeout.is_finite() && self.timeout > 0.0 { self.timeout } else { 15.0 };
        crate::sts::Options {
            timeout: std::time::Duration::from_secs_f64(seconds),
            mfa_token: self.mfa_token.clone(),
        }
    }
}

#[derive(Debug, Args)]
pub struct PartitionArgs {
    /// The region, e.g. us-gov-west-1. Regions no partition lists are matched by pattern.
    pub region: String,

    /// Print JSON for tools.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args, Clone, Default)]
pub struct ShellArgs {
    /// The shell that will evaluate the output. By default the shell that started awsuse,
    /// then the one in SHELL.
    #[arg(long, value_enum, env = "AWSUSE_SHELL")]
    pub shell: Option<Shell>,
}

#[derive(Debug, Args)]
pub struct UseArgs {
    /// The profile to switch to, as named in the AWS files.
    pub name: String,

    /// Use this region instead of the profile's.
    #[arg(long, value_name = "REGION")]
    pub region: Option<String>,

    #[command(flatten)]
    pub shell: ShellArgs,

    #[command(flatten)]
    pub sts: StsArgs,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Print JSON for tools: name, kind, region, file, line, problems and last use.
    #[arg(long, conflicts_with = "names")]
    pub json: bool,

    /// Print one profile name a line, in picker order (used by completion).
    #[arg(long)]
    pub names: bool,

    /// How many recently used profiles come first.
    #[arg(long, value_name = "N", env = "AWSUSE_RECENT", default_value_t = 5)]
    pub recent: usize,
}

#[derive(Debug, Args)]
pub struct CurrentArgs {
    /// Print JSON for tools.
    #[arg(long)]
    pub json: bool,

    /// Ask STS who the credentials of this shell belong to.
    #[arg(long)]
    pub validate: bool,

    /// Give up on STS after this many seconds.
    #[arg(long, value_name = "SECONDS", env = "AWSUSE_TIMEOUT", default_value_t = 15.0)]
    pub timeout: f64,
}
