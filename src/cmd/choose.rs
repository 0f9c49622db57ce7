//! `awsuse choose`: pick a profile on the terminal, then switch as `awsuse use` does.
//!
//! inquire draws on standard error, so standard output carries nothing but the shell code of
//! the switch and `eval "$(awsuse choose)"` works.

use std::fmt;
use std::io::{IsTerminal, Write};
use std::sync::OnceLock;

use anyhow::{Result, bail};
use inquire::{Confirm, InquireError, Select};

use super::{Context, SilentExit, list, shown, use_profile, write_cell};
use crate::cli::{ChooseArgs, StsArgs};
use crate::config::AwsConfig;
use crate::partition;
use crate::profile;
use crate::state::Recents;

/// The exit status of a picker left with Esc or Ctrl-C, as shells report an interrupt.
pub const CANCELLED: i32 = 130;

/// One line of the picker. What needs the profile analysed is worked out once, when the row
/// is first formatted or filtered. inquire formats every option when it starts, so the first
/// draw needs every profile analysed: [`analyse_ahead`] does that on all cores first.
pub struct Row<'a> {
    pub name: &'a str,
    pub recent: bool,
    /// The account STS last named for this profile.
    pub account: Option<String>,
    config: &'a AwsConfig,
    details: OnceLock<Details>,
    /// Width of the name column, shared by all rows.
    name_width: usize,
}

/// What the picker shows of a profile beyond its name.
pub struct Details {
    pub kind: &'static str,
    pub region: String,
    /// The partition mark outside `aws`.
    pub mark: Option<&'static str>,
    /// Why the profile cannot be used, when it cannot.
    pub problem: Option<String>,
    /// What filtering matches against, lowercased once.
    haystack: String,
    /// The row as the picker shows it, formatted once.
    line: String,
}

/// Columns after the name: the longest kind (`web-identity`) and a common long region.
const KIND_WIDTH: usize = 12;
const REGION_WIDTH: usize = 14;

impl Row<'_> {
    pub fn details(&self) -> &Details {
        self.details.get_or_init(|| {
            let profile = profile::analyse(self.config, self.name, None);
            let mark = partition::resolve(&profile.region.name).mark();
            let haystack = format!(
                "{} {} {} {} {}",
                self.name,
                profile.kind.as_str(),
                profile.region.name,
                mark.unwrap_or(""),
                self.account.as_deref().unwrap_or("")
            )
            .to_lowercase();
            let mut details = Details {
                kind: profile.kind.as_str(),
                region: profile.region.name,
                mark,
                problem: profile.problems.first().map(ToString::to_string),
                haystack,
                line: String::new(),
            };
            details.line = self.format(&details);
            details
        })
    }

    fn format(&self, details: &Details) -> String {
        let mut line = String::with_capacity(self.name_width + KIND_WIDTH + REGION_WIDTH + 16);
        line.push_str(if self.recent { "* " } else { "  " });
        // Writing to a String cannot fail.
        let _ = write_cell(&mut line, &shown(self.name), self.name_width);
        line.push_str("  ");
        let _ = write_cell(&mut line, details.kind, KIND_WIDTH);
        line.push_str("  ");
        let _ = write_cell(&mut line, &shown(&details.region), REGION_WIDTH);
        line.push_str("  ");
        let _ = write_cell(&mut line, details.mark.unwrap_or(""), 4);
        if let Some(account) = &self.account {
            // Read back from the state file, which anyone with the user's rights can edit.
            line.push_str("  ");
            line.push_str(&shown(account));
        }
        if let Some(problem) = &details.problem {
            line.push_str("  ! ");
            line.push_str(problem);
        }
        line
    }
}

impl fmt::Display for Row<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.details().line)
    }
}

/// The rows in picker order: recent profiles first, then the rest alphabetically.
pub fn rows<'a>(config: &'a AwsConfig, recents: &Recents, recent_limit: usize) -> Vec<Row<'a>> {
    let ordered = list::picker_order(config, recents, recent_limit);
    let name_width = ordered.iter().map(|(name, _)| shown(name).chars().count()).max().unwrap_or(0);
    ordered
        .into_iter()
        .map(|(name, recent)| Row {
            name,
            recent,
            account: recents
                .get(name)
                .and_then(|e| e.identity.as_ref())
                .map(|check| check.identity.account_id.clone()),
            config,
            details: OnceLock::new(),
            name_width,
        })
        .collect()
}

/// Whether every word of `filter` occurs in the row, so that each word narrows the list.
pub fn matches(filter: &str, row: &Row) -> bool {
    let mut words = filter.split_whitespace().peekable();
    if words.peek().is_none() {
        return true;
    }
    let haystack = &row.details().haystack;
    words.all(|word| haystack.contains(&word.to_lowercase()))
}

pub fn run(ctx: &Context, args: &ChooseArgs, out: &mut dyn Write) -> Result<()> {
    // The picker needs a terminal to draw on and to read keys from.
    if !std::io::stderr().is_terminal() || std::fs::File::open("/dev/tty").is_err() {
        bail!(
            "the picker needs a terminal, and standard error is not one\nin scripts, switch with `awsuse use NAME`"
        );
    }

    let (location, config) = ctx.load()?;
    if config.profiles.is_empty() {
        crate::say!(
            "{}\nor write one into {} yourself:\n  [default]\n  aws_access_key_id = ...\n  aws_secret_access_key = ...",
            list::no_profiles(&location),
            location.credentials.display()
        );
        return Err(SilentExit(1).into());
    }
    let rows = rows(config, &ctx.recents(), args.recent);
    analyse_ahead(&rows);
    watch_for_hangup();

    // A profile with a problem cannot be chosen: say why and offer the list again.
    let mut cursor = 0;
    loop {
        let index = pick(&rows, cursor)?;
        let row = &rows[index];
        if let Some(problem) = &row.details().problem {
            crate::say!("awsuse: '{}' cannot be used: {problem}", row.name.escape_debug());
            cursor = index;
            continue;
        }
        // A failed validation says why and lets the user choose again or leave.
        let sts = StsArgs { validate: !args.no_validate, ..StsArgs::default() };
        match use_profile::switch(ctx, row.name, args.region.as_deref(), &args.shell, &sts, out) {
            Err(error) if sts.validate && error.downcast_ref::<SilentExit>().is_none() => {
                crate::say!("awsuse: {error:#}");
                let again = Confirm::new("Choose another profile?").with_default(true).prompt();
                match again {
                    Ok(true) => cursor = index,
                    _ => return Err(SilentExit(1).into()),
                }
            }
            result => return result,
        }
    }
}

/// Works out every row's details before the picker starts, on all the machine's cores: the
/// picker formats every row before its first draw, one after the other.
fn analyse_ahead(rows: &[Row]) {
    // Below this, a thread costs more than it saves.
    const PER_THREAD: usize = 500;
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    let threads = threads.min(rows.len() / PER_THREAD).max(1);
    if threads == 1 {
        return;
    }
    let chunk = rows.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let mut chunks = rows.chunks(chunk);
        let mine = chunks.next();
        for theirs in chunks {
            scope.spawn(move || theirs.iter().for_each(|row| _ = row.details()));
        }
        mine.into_iter().flatten().for_each(|row| _ = row.details());
    });
}

/// Ends the process when the terminal goes away under the picker. The terminal library then
/// reads end-of-file forever instead of failing, and a closed window whose shell did not pass
/// on the hangup would leave the picker spinning. Nothing reaches standard output.
fn watch_for_hangup() {
    use std::os::fd::AsRawFd;

    let Ok(tty) = std::fs::File::open("/dev/tty") else { return };
    let stdin_is_tty = std::io::stdin().is_terminal();
    let spawned = std::thread::Builder::new().name("awsuse-hangup".into()).spawn(move || {
        let fds = if stdin_is_tty { vec![0, tty.as_raw_fd()] } else { vec![tty.as_raw_fd()] };
        loop {
            std::thread::sleep(std::time::Duration::from_millis(250));
            if fds.iter().any(|&fd| hung_up(fd)) {
                std::process::exit(SIGHUP_STATUS);
            }
        }
    });
    if let Err(error) = spawned {
        log::debug!("no hangup watch for the picker: {error}");
    }
}

/// Whether the terminal behind `fd` has gone away.
fn hung_up(fd: std::os::fd::RawFd) -> bool {
    let mut poll = libc::pollfd { fd, events: 0, revents: 0 };
    // SAFETY: one pollfd on the stack and a zero timeout; a closed `fd` reports POLLNVAL.
    let ready = unsafe { libc::poll(&mut poll, 1, 0) };
    ready > 0 && poll.revents & (libc::POLLHUP | libc::POLLNVAL) != 0
}

/// Whether the controlling terminal is gone, as after a closed window: the picker's read then
/// fails, and that failure is the hangup, not something to report.
fn terminal_gone() -> bool {
    use std::os::fd::AsRawFd;

    match std::fs::File::open("/dev/tty") {
        Ok(tty) => hung_up(tty.as_raw_fd()) || (std::io::stdin().is_terminal() && hung_up(0)),
        Err(_) => true,
    }
}

/// The exit status of a process ended by a hangup, as shells report it.
const SIGHUP_STATUS: i32 = 129;

/// Shows the picker with the cursor on `cursor`; the index of the chosen row.
fn pick(rows: &[Row], cursor: usize) -> Result<usize> {
    // Every match scores by its place, so filtering never reorders the list.
    let scorer = &|filter: &str, row: &&Row, _: &str, index: usize| {
        matches(filter, row).then(|| -(index as i64))
    };
    let options: Vec<&Row> = rows.iter().collect();
    let answer = Select::new("AWS profile (* = recent; type words to filter):", options)
        .with_page_size(15)
        .with_starting_cursor(cursor)
        .with_scorer(scorer)
        .with_help_message("↑↓ to move, Enter to switch, Esc to leave")
        .raw_prompt();
    match answer {
        Ok(chosen) => Ok(chosen.index),
        Err(InquireError::OperationCanceled | InquireError::OperationInterrupted) => {
            Err(SilentExit(CANCELLED).into())
        }
        Err(InquireError::NotTTY) => bail!("the picker needs a terminal; use `awsuse use NAME`"),
        Err(InquireError::IO(_)) if terminal_gone() => Err(SilentExit(SIGHUP_STATUS).into()),
        Err(error) => bail!("the picker failed: {error}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config;

    fn sample() -> AwsConfig {
        config::from_strings(
            "[profile beta]\nregion = cn-north-1\n[profile alpha]\n[profile broken]\nsource_profile = nowhere\nrole_arn = arn:aws:iam::1:role/x\n",
            "[alpha]\naws_access_key_id = A\naws_secret_access_key = S\n",
        )
        .unwrap()
    }

    #[test]
    fn rows_carry_kind_region_mark_problem_and_recent_order() {
        let mut recents = Recents::default();
        recents.record_use("beta", 10);
        let config = sample();
        let rows = rows(&config, &recents, 5);
        let names: Vec<&str> = rows.iter().map(|r| r.name).collect();
        assert_eq!(names, ["beta", "alpha", "broken"]);
        assert!(rows[0].recent && !rows[1].recent);
        let details: Vec<&Details> = rows.iter().map(Row::details).collect();
        assert_eq!((details[0].region.as_str(), details[0].mark), ("cn-north-1", Some("cn")));
        assert_eq!(
            (details[1].kind, details[1].region.as_str(), details[1].mark),
            ("static", "us-east-1", None)
        );
        assert!(details[2].problem.is_some() && details[0].problem.is_none());
        assert!(rows[2].to_string().contains("! "));
    }

    #[test]
    fn every_word_narrows() {
        let config = sample();
        let rows = rows(&config, &Recents::default(), 5);
        let hits = |filter: &str| -> Vec<&str> {
            rows.iter().filter(|r| matches(filter, r)).map(|r| r.name).collect()
        };
        assert_eq!(hits("a"), ["alpha", "beta", "broken"]);
        assert_eq!(hits("b CN"), ["beta"]);
        assert_eq!(hits("static alp"), ["alpha"]);
        assert!(hits("beta static").is_empty());
    }
}
