//! awsuse switches the AWS profile of the shell you are in.
//!
//! The binary decides and the shell applies: every command that switches prints shell code
//! on standard output and explanations on standard error. The library is split the way the
//! work is: reading the AWS files (`config`), understanding profiles (`profile`), what a
//! switch changes (`switch`), writing shell code (`shell`), remembering what was used
//! (`state`), and one module a subcommand (`cmd`).

/// Writes one line to standard error, like `eprintln!`, but never panics: a closed terminal
/// or pipe must not turn a message into a crash.
#[macro_export]
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

pub mod alloc;
pub mod cli;
pub mod cli_cache;
pub mod cmd;
pub mod config;
pub mod env;
pub mod fsutil;
pub mod logger;
pub mod partition;
pub mod plugins;
pub mod profile;
pub mod shell;
pub mod state;
pub mod sts;
pub mod switch;
pub mod time;
