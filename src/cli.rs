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

    /// Load no plugins. The same as AWSUSE_NO_PLUGINS=1.
    #[arg(long, global = true)]
    pub no_plugins: bool,

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
    #[command(display_order = 2)]
    Use(UseArgs),

    /// Remove everything a switch set.
    ///
    /// Example: eval "$(awsuse unset)"
    #[command(display_order = 3)]
    Unset(ShellArgs),

    /// List profiles, recently used first, then the rest alphabetically.
    ///
    /// Example: awsuse list --json | jq '.[] | select(.kind == "sso") | .name'
    #[command(display_order = 4)]
    List(ListArgs),

    /// Show what this shell uses now, read from its environment only.
    ///
    /// Example: awsuse current --json
    #[command(display_order = 5)]
    Current(CurrentArgs),

    /// List the plugins found, their versions and hooks, and why any was refused.
    ///
    /// Plugins are read from the directories in AWSUSE_PLUGIN_PATH (separated by `:`), else
    /// from the awsuse/plugins directory of your data directory.
    ///
    /// Example: awsuse plugins
    #[command(display_order = 11)]
    Plugins,
    /// Create a credentials profile, or add one to the credentials file.
    ///
    /// Asks for a name, an access key ID, the secret access key (hidden) and a region, then
    /// offers to switch to the new profile. Existing files keep every byte; the new profile is
    /// added at the end. Without a terminal, give --name, --access-key-id and the secret on
    /// standard input.
    ///
    /// Example: pass show aws/dev | awsuse create --name dev --access-key-id AKIA... \
    ///          --secret-access-key-stdin --region eu-west-1
    #[command(display_order = 6)]
    Create(CreateArgs),
    /// Pick a profile on the terminal and switch to it.
    ///
    /// Recently used profiles come first, marked, then the rest alphabetically. Type words to
    /// filter (each word narrows the list), Enter switches, Esc or Ctrl-C leaves with exit
    /// status 130 and changes nothing. The picker is drawn on the terminal; only the shell code
    /// goes to standard output.
    ///
    /// Example: eval "$(awsuse choose)"
    #[command(display_order = 1)]
    Choose(ChooseArgs),

    /// Print the shell integration to put in the rc file.
    ///
    /// It defines a function (named awsuse unless --cmd says otherwise) that evaluates what a
    /// switch prints, a prompt segment function named __awsuse_prompt, and tab completion.
    /// The prompt is left alone unless --prompt is given.
    ///
    /// Example: eval "$(awsuse init zsh --prompt)"
    #[command(display_order = 7)]
    Init(InitArgs),

    /// Print the tab-completion script for a shell.
    ///
    /// Profile names complete after `use`, regions after --region and shells after `init`.
    /// The init integration already registers completion; this is for those who want it alone.
    ///
    /// Example: awsuse completions fish > ~/.config/fish/completions/awsuse.fish
    #[command(display_order = 8)]
    Completions(CompletionsArgs),

    /// Print the prompt segment from the environment alone.
    ///
    /// The text is the profile, its region, a partition mark outside aws and the minutes left
    /// on expiring credentials; it is empty when nothing is active. The shell integration's
    /// __awsuse_prompt function prints the same without starting a process.
    ///
    /// Example: PS1='$(awsuse prompt) \$ '
    #[command(display_order = 9)]
    Prompt,

    /// Print the man page in roff, for packagers.
    #[command(name = "__man", hide = true)]
    Man,

    /// Show the partition, DNS suffixes, STS endpoint and console host of a region.
    ///
    /// Example: awsuse partition cn-north-1 --json
    #[command(display_order = 10)]
    Partition(PartitionArgs),
}

#[derive(Debug, Args)]
pub struct ChooseArgs {
    /// Switch without asking STS whether the credentials work.
    #[arg(long)]
    pub no_validate: bool,

    /// Use this region instead of the chosen profile's.
    #[arg(long, value_name = "REGION")]
    pub region: Option<String>,

    /// How many recently used profiles come first.
    #[arg(long, value_name = "N", env = "AWSUSE_RECENT", default_value_t = 5)]
    pub recent: usize,

    #[command(flatten)]
    pub shell: ShellArgs,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// The shell to integrate with.
    #[arg(value_enum)]
    pub shell: Shell,

    /// Name the shell function NAME instead of awsuse.
    #[arg(long, value_name = "NAME", default_value = "awsuse")]
    pub cmd: String,

    /// Put the prompt segment at the start of the prompt.
    #[arg(long)]
    pub prompt: bool,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete in.
    #[arg(value_enum)]
    pub shell: Shell,

    /// The command name to complete, when the function has another name.
    #[arg(long, value_name = "NAME", default_value = "awsuse")]
    pub cmd: String,
}

/// How to reach STS, for commands that validate or assume roles.
#[derive(Debug, Args, Clone)]
pub struct StsArgs {
    /// Ask STS whose credentials these are before switching; nothing is switched if it fails.
    #[arg(long)]
    pub validate: bool,

    /// The code of the MFA device, for roles that need one. A chain with several roles that
    /// need a code takes one --mfa-token for each, in the order the roles are assumed (from
    /// the profile whose keys sign the first call outward). Asked for on the terminal when
    /// missing.
    #[arg(long, value_name = "CODE", action = clap::ArgAction::Append)]
    pub mfa_token: Vec<String>,

    /// Give up on STS (and SSO, and a credential process) after this many seconds.
    #[arg(long, value_name = "SECONDS", env = "AWSUSE_TIMEOUT", default_value_t = 15.0)]
    pub timeout: f64,
}

impl Default for StsArgs {
    fn default() -> Self {
        Self {
            validate: false,
            mfa_token: Vec::new(),
            timeout: crate::sts::DEFAULT_TIMEOUT.as_secs_f64(),
        }
    }
}

impl StsArgs {
    pub fn options(&self) -> crate::sts::Options {
        let seconds =
            if self.timeout.is_finite() && self.timeout > 0.0 { self.timeout } else { 15.0 };
        crate::sts::Options {
            timeout: std::time::Duration::from_secs_f64(seconds),
            mfa_tokens: self.mfa_token.clone(),
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

    /// With --names, only the names that start with PREFIX. This is what completion asks:
    /// only section headers are read, so a broken line elsewhere does not stop it.
    #[arg(long, value_name = "PREFIX", requires = "names", allow_hyphen_values = true)]
    pub prefix: Option<String>,

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

#[derive(Debug, Args)]
pub struct CreateArgs {
    /// Name of the new profile: letters, digits and _ - / . % @ : + only.
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,

    /// The access key ID: AKIA (or ASIA) and 16 capital letters or digits.
    #[arg(long, value_name = "ID")]
    pub access_key_id: Option<String>,

    /// Read the secret access key from standard input; it is never taken from the command
    /// line or the environment, where other users and logs could see it.
    #[arg(long)]
    pub secret_access_key_stdin: bool,

    /// Region of the new profile, written to the config file.
    #[arg(long, value_name = "REGION")]
    pub region: Option<String>,

    /// Do not check the new keys with AWS STS before writing them.
    #[arg(long)]
    pub no_validate: bool,

    /// Switch to the new profile afterwards: print shell code as `awsuse use NAME` does.
    #[arg(long)]
    pub switch: bool,

    #[command(flatten)]
    pub shell: ShellArgs,
}
