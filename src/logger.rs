//! A small logger on standard error: quiet by default, `--debug` or `AWSUSE_LOG=debug` (or
//! `trace`) to see which files, profiles and endpoints were chosen. Nothing logged is secret.

use log::{Level, LevelFilter, Log, Metadata, Record};

use crate::env::Env;

struct StderrLogger;

impl Log for StderrLogger {
    fn enabled(&self, metadata: &Metadata) -> bool {
        metadata.level() <= log::max_level() && metadata.target().starts_with("awsuse")
    }

    fn log(&self, record: &Record) {
        if self.enabled(record.metadata()) {
            let level = match record.level() {
                Level::Error => "error",
                Level::Warn => "warning",
                Level::Info => "info",
                Level::Debug => "debug",
                Level::Trace => "trace",
            };
            crate::say!("awsuse: {level}: {}", record.args());
        }
    }

    fn flush(&self) {}
}

static LOGGER: StderrLogger = StderrLogger;

/// Installs the logger at the level the flag or `AWSUSE_LOG` asks for.
pub fn init(debug: bool, env: &Env) {
    let level = match env.get("AWSUSE_LOG").map(str::to_ascii_lowercase).as_deref() {
        Some("trace") => LevelFilter::Trace,
        Some("debug") => LevelFilter::Debug,
        Some("info") => LevelFilter::Info,
        _ if debug => LevelFilter::Debug,
        _ => LevelFilter::Warn,
    };
    if log::set_logger(&LOGGER).is_ok() {
        log::set_max_level(level);
    }
}
