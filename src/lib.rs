//! awsuse switches the AWS profile of the shell you are in.
//!
//! The binary decides and the shell applies: every command that switches prints shell code
//! on standard output and explanations on standard error. The library is split the way the
//! work is: reading the AWS files (`config`), understanding profiles (`profile`), writing
//! shell code (`shell`), remembering what was used (`state`).

pub mod cli_cache;
pub mod config;
pub mod env;
pub mod partition;
pub mod shell;
pub mod state;
