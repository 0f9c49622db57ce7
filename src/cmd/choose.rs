//! `awsuse choose`: pick a profile on the terminal, then switch as `awsuse use` does.
//!
//! inquire draws on standard error, so standard output carries nothing but the shell code of
//! the switch and `eval "$(awsuse choose)"` works.

use std::fmt;
use std::io::{IsTerminal, Write};

use anyhow::{Result, bail};
use inquire::{InquireError, Select};

use super::{Context, SilentExit, list, use_profile};
use crate::cli::ChooseArgs;
use crate::config::AwsConfig;
use crate::partition;
use crate::profile;
use crate::state::Recents;

/// The exit status of a picker left with Esc or Ctrl-C, as shells report an interrupt.
pub const CANCELLED: i32 = 130;

/// One line of the picker.
pub struct Row {
    pub name: String,
    pub recent: bool,
    pub kind: &'static str,
    pub region: String,
    /// The partition mark outside `aws`.
    pub mark: Option<&'static str>,
    /// The account STS last named for this profile.
    pub account: Option<String>,
    /// Why the profile cannot be used, when it cannot.
    pub problem: Option<String>,
    /// What filtering matches against, lowercased once.
    haystack: String,
    /// Column widths shared by all rows: name, kind, region.
    widths: (usize, usize, usize),
}

impl fmt::Display for Row {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (name_w, kind_w, region_w) = self.widths;
        let recent = if self.recent { '*' } else { ' ' };
        let name = self.name.escape_debug().to_string();
        let region = self.region.escape_debug().to_string();
        write!(f, "{recent} {name:name_w$}  {:kind_w$}  {region:region_w$}", self.kind)?;
        write!(f, "  {:4}", self.mark.unwrap_or(""))?;
        if let Some(account) = &self.account {
            write!(f, "  {account}")?;
        }
        if let Some(problem) = &self.problem {
            write!(f, "  ! {problem}")?;
        }
        Ok(())
    }
}

/// The rows in picker order: recent profiles first, then the rest alphabetically.
pub fn rows(config: &AwsConfig, recents: &Recents, recent_limit: usize) -> Vec<Row> {
    let ordered = list::picker_order(config, recents, recent_limit);
    let mut rows: Vec<Row> = ordered
        .into_iter()
        .map(|(name, recent)| {
            let profile = profile::analyse(config, name, None);
            let mark = partition::resolve(&profile.region.name).mark();
            let account = recents
                .get(name)
                .and_then(|e| e.identity.as_ref())
                .map(|check| check.identity.account_id.clone());
            let haystack = format!(
                "{} {} {} {} {}",
                name,
                profile.kind.as_str(),
                profile.region.name,
                mark.unwrap_or(""),
                account.as_deref().unwrap_or("")
            )
            .to_lowercase();
            Row {
                name: name.to_owned(),
                recent,
                kind: profile.kind.as_str(),
                region: profile.region.name,
                mark,
                account,
                problem: profile.problems.first().map(ToString::to_string),
                haystack,
                widths: (0, 0, 0),
            }
        })
        .collect();

    // Columns line up across the whole list, not only the visible page.
    let width = |f: fn(&Row) -> usize| rows.iter().map(f).max().unwrap_or(0);
    let widths = (
        width(|r| r.name.escape_debug().count()),
        width(|r| r.kind.len()),
        width(|r| r.region.escape_debug().count()),
    );
    for row in &mut rows {
        row.widths = widths;
    }
    rows
}

/// Whether every word of `filter` occurs in the row, so that each word narrows the list.
pub fn matches(filter: &str, row: &Row) -> bool {
    filter.split_whitespace().all(|word| row.haystack.contains(&word.to_lowercase()))
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
        eprintln!(
            "{}\nor write one into {} yourself:\n  [default]\n  aws_access_key_id = ...\n  aws_secret_access_key = ...",
            list::no_profiles(&location),
            location.credentials.display()
        );
        return Err(SilentExit(1).into());
    }
    let rows = rows(config, &ctx.recents(), args.recent);

    // A profile with a problem cannot be chosen: say why and offer the list again.
    let mut cursor = 0;
    loop {
        let index = pick(&rows, cursor)?;
        let row = &rows[index];
        if let Some(problem) = &row.problem {
            eprintln!("awsuse: '{}' cannot be used: {problem}", row.name.escape_debug());
            cursor = index;
            continue;
        }
        if !args.no_validate {
            validate_choice(ctx, &row.name)?;
        }
        return use_profile::switch(ctx, &row.name, args.region.as_deref(), &args.shell, out);
    }
}

/// Checks the chosen profile's credentials with STS before the switch.
// TODO: this accepts every choice until the STS client lands; then it calls GetCallerIdentity
// and lets the user choose again when the call fails.
fn validate_choice(_ctx: &Context, _name: &str) -> Result<()> {
    Ok(())
}

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
        let rows = rows(&sample(), &recents, 5);
        let names: Vec<&str> = rows.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["beta", "alpha", "broken"]);
        assert!(rows[0].recent && !rows[1].recent);
        assert_eq!((rows[0].region.as_str(), rows[0].mark), ("cn-north-1", Some("cn")));
        assert_eq!(
            (rows[1].kind, rows[1].region.as_str(), rows[1].mark),
            ("static", "us-east-1", None)
        );
        assert!(rows[2].problem.is_some() && rows[0].problem.is_none());
        assert!(rows[2].to_string().contains("! "));
    }

    #[test]
    fn every_word_narrows() {
        let rows = rows(&sample(), &Recents::default(), 5);
        let hits = |filter: &str| -> Vec<&str> {
            rows.iter().filter(|r| matches(filter, r)).map(|r| r.name.as_str()).collect()
        };
        assert_eq!(hits("a"), ["alpha", "beta", "broken"]);
        assert_eq!(hits("b CN"), ["beta"]);
        assert_eq!(hits("static alp"), ["alpha"]);
        assert!(hits("beta static").is_empty());
    }
}
