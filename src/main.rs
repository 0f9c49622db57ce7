use std::io::{self, Write};
use std::process::ExitCode;

use clap::Parser;

use awsuse::cli::Cli;
use awsuse::cmd::{self, SilentExit};
use awsuse::env::Env;
use awsuse::logger;

#[global_allocator]
static ALLOCATOR: awsuse::alloc::Allocator = awsuse::alloc::Allocator;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let env = Env::from_process();
    logger::init(cli.debug, &env);

    // Shell code is written in one piece at the end, so a failure prints none of it.
    let mut out = Vec::new();
    let result = cmd::run(cli, env, &mut out);
    let result = result.and_then(|()| {
        let mut stdout = io::stdout().lock();
        stdout.write_all(&out).and_then(|()| stdout.flush()).or_else(|e| match e.kind() {
            io::ErrorKind::BrokenPipe => Ok(()),
            _ => Err(e),
        })?;
        Ok(())
    });

    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            if let Some(SilentExit(code)) = error.downcast_ref::<SilentExit>() {
                return ExitCode::from(*code as u8);
            }
            let _ = writeln!(io::stderr(), "awsuse: {error:#}");
            ExitCode::FAILURE
        }
    }
}
