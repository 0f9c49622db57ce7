//! `awsuse list`: profiles in picker order.

use std::collections::HashSet;
use std::io::Write;

use anyhow::Result;
use serde::Serialize;

use super::Context;
use crate::cli::ListArgs;
use crate::config::{AwsConfig, FileKind, Location, Section};
use crate::profile;
use crate::state::Recents;

/// Profile names in picker order: up to `limit` recently used ones (most recent first), then
/// the others alphabetically (case-insensitive, ties by bytes). The flag says "recent".
pub fn picker_order<'a>(
    config: &'a AwsConfig,
    recents: &Recents,
    limit: usize,
) -> Vec<(&'a Section, bool)> {
    let mut ordered = Vec::with_capacity(config.profiles.len());
    let mut seen = HashSet::new();
    for entry in recents.recent(limit) {
        if let Some((name, section)) = config.profiles.get_key_value(entry.name.as_str()) {
            seen.insert(name.as_str());
            ordered.push((section, true));
        }
    }

    let mut rest: Vec<&Section> =
        config.profiles.values().filter(|s| !seen.contains(s.name.as_str())).collect();
    rest.sort_by_cached_key(|s| (s.name.to_lowercase(), s.name.clone()));
    ordered.extend(rest.into_iter().map(|s| (s, false)));
    ordered
}

#[derive(Serialize)]
struct Row<'a> {
    name: &'a str,
    kind: &'static str,
    region: String,
    region_source: String,
    partition: &'static str,
    /// `config`, `credentials` or `config+credentials`.
    source: &'static str,
    file: String,
    line: usize,
    problems: Vec<String>,
    recent: bool,
    last_used: Option<u64>,
}

fn source_of(section: &Section) -> &'static str {
    let config = section.file == FileKind::Config
        || section.properties.values().any(|p| p.file == FileKind::Config);
    let credentials = section.file == FileKind::Credentials
        || section.properties.values().any(|p| p.file == FileKind::Credentials);
    match (config, credentials) {
        (true, true) => "config+credentials",
        (false, true) => "credentials",
        _ => "config",
    }
}

pub fn run(ctx: &Context, args: &ListArgs, out: &mut dyn Write) -> Result<()> {
    let (location, config) = ctx.load()?;
    let recents = ctx.recents();
    let ordered = picker_order(&config, &recents, args.recent);

    // Completion calls this on every Tab: names only, nothing analysed.
    if args.names {
        let mut buffer = String::with_capacity(ordered.len() * 24);
        for (section, _) in &ordered {
            buffer.push_str(&section.name);
            buffer.push('\n');
        }
        out.write_all(buffer.as_bytes())?;
        return Ok(());
    }
    if ordered.is_empty() {
        eprintln!("{}", no_profiles(&location));
        return Ok(());
    }

    let rows: Vec<Row> = ordered
        .iter()
        .map(|&(section, recent)| {
            let profile = profile::analyse(&config, &section.name, None);
            Row {
                name: &section.name,
                kind: profile.kind.as_str(),
                partition: crate::partition::resolve(&profile.region.name).id,
                region: profile.region.name,
                region_source: profile.region.source.to_string(),
                source: source_of(section),
                file: location.path(section.file).display().to_string(),
                line: section.line,
                problems: profile.problems.iter().map(ToString::to_string).collect(),
                recent,
                last_used: recents.get(&section.name).map(|e| e.last_used),
            }
        })
        .collect();

    if args.json {
        serde_json::to_writer_pretty(&mut *out, &rows)?;
        writeln!(out)?;
    } else {
        table(out, &rows, ctx)?;
    }
    Ok(())
}

pub fn no_profiles(location: &Location) -> String {
    format!(
        "awsuse: there are no profiles in {} or {}; create one with `aws configure --profile NAME`",
        location.config.display(),
        location.credentials.display()
    )
}

fn table(out: &mut dyn Write, rows: &[Row], ctx: &Context) -> Result<()> {
    let active = ctx.env.get("AWSUSE_PROFILE").or_else(|| ctx.env.get("AWS_PROFILE"));
    let width =
        |f: fn(&Row) -> usize, title: &str| rows.iter().map(f).max().unwrap_or(0).max(title.len());
    let name_w = width(|r| r.name.chars().count(), "PROFILE");
    let kind_w = width(|r| r.kind.len(), "KIND");
    let region_w = width(|r| r.region.chars().count(), "REGION");
    let partition_w = width(|r| r.partition.len(), "PARTITION");

    writeln!(
        out,
        "  {:name_w$}  {:kind_w$}  {:region_w$}  {:partition_w$}  LAST USED",
        "PROFILE", "KIND", "REGION", "PARTITION"
    )?;
    for row in rows {
        let mark = if Some(row.name) == active { '*' } else { ' ' };
        let used = match row.last_used {
            Some(at) => ago(ctx.now.saturating_sub(at)),
            None => "-".to_owned(),
        };
        let name = row.name.escape_debug().to_string();
        writeln!(
            out,
            "{mark} {name:name_w$}  {:kind_w$}  {:region_w$}  {:partition_w$}  {used}",
            row.kind,
            row.region.escape_debug().to_string(),
            row.partition
        )?;
        for problem in &row.problems {
            writeln!(out, "    ! {problem} ({} line {})", row.file, row.line)?;
        }
    }
    Ok(())
}

/// A short human duration: `12s ago`, `5m ago`, `3h ago`, `2d ago`.
fn ago(seconds: u64) -> String {
    match seconds {
        0..60 => format!("{seconds}s ago"),
        60..3600 => format!("{}m ago", seconds / 60),
        3600..86_400 => format!("{}h ago", seconds / 3600),
        _ => format!("{}d ago", seconds / 86_400),
    }
}
