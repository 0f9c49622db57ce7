//! `awsuse choose`: pick a profile on the terminal.
use super::Context;
use crate::cli::ChooseArgs;
use anyhow::Result;
use std::io::Write;
pub fn run(_ctx: &Context, _args: &ChooseArgs, _out: &mut dyn Write) -> Result<()> {
    todo!()
}
