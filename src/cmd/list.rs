//! `awsuse list`: profiles in picker order.

use std::io::Write;

use anyhow::Result;
use serde::Serialize;

use super::{Context, shown, write_cell};
use crate::cli::ListArgs;
use crate::config::{self, AwsConfig, FileKind, Location, Section};
use crate::plugins::{self, PluginProfile};
use crate::profile;
use crate::state::Recents;

/// Profile names in picker order: up to `limit` recently used ones (most recent first), then
/// the others alphabetically (case-insensitive, ties by bytes). The flag says "recent".
pub fn picker_order<'a>(
    config: &'a AwsConfig,
    recents: &Recents,
    limit: usize,
) -> Vec<(&'a str, bool)> {
    let (recent, rest) = picker_parts(config, recents, limit);
    let recent = recent.into_iter().map(|name| (name, true));
    recent.chain(rest.into_iter().map(|name| (name, false))).collect()
}

/// The two parts of [`picker_order`]: the recent names, and the others sorted.
pub fn picker_parts<'a>(
    config: &'a AwsConfig,
    recents: &Recents,
    limit: usize,
) -> (Vec<&'a str>, Vec<&'a str>) {
    let recent: Vec<&str> = recents
        .recent(limit)
        .into_iter()
        .filter_map(|entry| config.profiles.name(&entry.name))
        .collect();

    // A handful of recent names: a scan beats hashing 10,000 others.
    let mut rest: Vec<&str> =
        config.profiles.keys().filter(|name| !recent.contains(name)).collect();
    sort_for_people(&mut rest);
    (recent, rest)
}

/// Sorts names alphabetically without regard to ASCII case, ties by bytes: `Prod` and `prod`
/// stay together and the order is the same on every run.
fn sort_for_people(names: &mut Vec<&str>) {
    // Names are often all lowercase: then bytes are the whole order.
    if !names.iter().any(|name| name.bytes().any(|b| b.is_ascii_uppercase())) {
        names.sort_unstable();
        return;
    }
    // The first 32 bytes, case folded, as two numbers: nearly every pair is told apart by
    // comparing integers, without a lowercase copy of each name.
    let key = |name: &str| {
        let mut folded = [0u8; 32];
        for (slot, byte) in folded.iter_mut().zip(name.bytes()) {
            *slot = byte.to_ascii_lowercase();
        }
        let (high, low) = folded.split_at(16);
        let number = |half: &[u8]| u128::from_be_bytes(half.try_into().expect("16 bytes"));
        (number(high), number(low))
    };
    let mut keyed: Vec<((u128, u128), &str)> =
        names.iter().map(|&name| (key(name), name)).collect();
    keyed.sort_unstable_by_key(|&(key, _)| key);
    // Names alike in their first 32 bytes, rare, are put in order among themselves.
    for tied in keyed.chunk_by_mut(|(a, _), (b, _)| a == b).filter(|run| run.len() > 1) {
        tied.sort_unstable_by(|(_, a), (_, b)| folded_cmp(a, b).then_with(|| a.cmp(b)));
    }
    names.clear();
    names.extend(keyed.into_iter().map(|(_, name)| name));
}

/// Compares two names as their ASCII lowercase forms would compare.
fn folded_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    let fold = |name: &str| name.bytes().map(|b| b.to_ascii_lowercase()).collect::<Vec<u8>>();
    fold(a).cmp(&fold(b))
}

#[derive(Serialize)]
struct Row<'a> {
    name: &'a str,
    kind: &'static str,
    region: String,
    region_source: String,
    partition: &'static str,
    /// `config`, `credentials`, `config+credentials` or `plugin:NAME`.
    source: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
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
    // Completion asks with a prefix on every Tab: names from the section headers only.
    if let (true, Some(prefix)) = (args.names, args.prefix.as_deref()) {
        return completion_names(ctx, args.recent, prefix, out);
    }

    let (location, config) = ctx.load()?;
    let recents = ctx.recents();
    if args.names {
        let (recent, rest) = picker_parts(config, &recents, args.recent);
        for name in recent.iter().chain(&rest) {
            out.write_all(name.as_bytes())?;
            out.write_all(b"\n")?;
        }
        let taken = || config.profiles.keys().map(str::to_owned).collect();
        return plugin_names(ctx, taken, "", out);
    }

    let ordered = picker_order(config, &recents, args.recent);
    let host = plugins::Host::load(&ctx.env);
    let from_plugins = host.profiles(&|name| config.profiles.contains_key(name));
    host.report();

    let mut rows: Vec<Row> = ordered
        .iter()
        .map(|&(name, recent)| {
            let section = &config.profiles[name];
            let profile = profile::analyse(config, &section.name, None);
            Row {
                name: &section.name,
                kind: profile.kind.as_str(),
                partition: crate::partition::resolve(&profile.region.name).id,
                region: profile.region.name,
                region_source: profile.region.source.to_string(),
                source: source_of(section).to_owned(),
                description: None,
                file: location.path(section.file).display().to_string(),
                line: section.line,
                problems: profile.problems.iter().map(ToString::to_string).collect(),
                recent,
                last_used: recents.get(&section.name).map(|e| e.last_used),
            }
        })
        .collect();
    rows.extend(from_plugins.iter().map(|p| plugin_row(p, &recents)));
    if rows.is_empty() {
        crate::say!("{}", no_profiles(&location));
        return Ok(());
    }

    if args.json {
        serde_json::to_writer_pretty(&mut *out, &rows)?;
        writeln!(out)?;
    } else {
        table(out, &rows, ctx)?;
    }
    Ok(())
}

/// The names that start with `prefix`, in picker order, read from the files' section headers
/// only: nothing else is needed, and a line the SDKs would refuse elsewhere in a file does
/// not keep Tab from offering names (`awsuse use` then says what is wrong).
fn completion_names(ctx: &Context, limit: usize, prefix: &str, out: &mut dyn Write) -> Result<()> {
    let mut names = config::profile_names(&ctx.location()?)?;
    names.retain(|name| name.starts_with(prefix));
    sort_for_people(&mut names);
    names.dedup();

    let recents = ctx.recents();
    let recent: Vec<&str> = recents
        .recent(limit)
        .into_iter()
        .map(|entry| entry.name.as_str())
        .filter(|name| name.starts_with(prefix) && names.contains(name))
        .collect();
    names.retain(|name| !recent.contains(name));
    for name in recent.iter().chain(&names) {
        out.write_all(name.as_bytes())?;
        out.write_all(b"\n")?;
    }
    let taken = || recent.iter().chain(&names).map(|name| (*name).to_owned()).collect();
    plugin_names(ctx, taken, prefix, out)
}

/// Plugin profile names after the AWS files' names, within the completion time bound.
/// `taken` gives the files' names, which plugins cannot shadow.
fn plugin_names(
    ctx: &Context,
    taken: impl FnOnce() -> std::collections::HashSet<String>,
    prefix: &str,
    out: &mut dyn Write,
) -> Result<()> {
    for name in plugins::names_within(&ctx.env, taken).into_iter().filter(|n| n.starts_with(prefix))
    {
        writeln!(out, "{name}")?;
    }
    Ok(())
}

/// A plugin profile as a row: its source names the plugin, its file is the plugin's.
fn plugin_row<'a>(profile: &'a PluginProfile, recents: &Recents) -> Row<'a> {
    let (region, region_source) = match &profile.region {
        Some(region) => (region.clone(), "plugin"),
        None => (profile::DEFAULT_REGION.to_owned(), "default"),
    };
    Row {
        partition: crate::partition::resolve(&region).id,
        name: &profile.name,
        kind: "plugin",
        region,
        region_source: region_source.to_owned(),
        source: profile.source(),
        description: profile.description.clone(),
        file: profile.path.display().to_string(),
        line: 0,
        problems: Vec::new(),
        recent: false,
        last_used: recents.get(&profile.name).map(|e| e.last_used),
    }
}

pub fn no_profiles(location: &Location) -> String {
    format!(
        "awsuse: there are no profiles in {} or {}; create one with `awsuse create`",
        location.config.display(),
        location.credentials.display()
    )
}

fn table(out: &mut dyn Write, rows: &[Row], ctx: &Context) -> Result<()> {
    let active = ctx.env.get("AWSUSE_PROFILE").or_else(|| ctx.env.get("AWS_PROFILE"));
    let width =
        |f: fn(&Row) -> usize, title: &str| rows.iter().map(f).max().unwrap_or(0).max(title.len());
    let name_w = width(|r| shown(r.name).chars().count(), "PROFILE");
    let kind_w = width(|r| r.kind.len(), "KIND");
    let region_w = width(|r| shown(&r.region).chars().count(), "REGION");
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
        let mut line = String::with_capacity(name_w + kind_w + region_w + partition_w + 24);
        line.push(mark);
        line.push(' ');
        for (cell, width) in [
            (shown(row.name), name_w),
            (row.kind.into(), kind_w),
            (shown(&row.region), region_w),
            (row.partition.into(), partition_w),
        ] {
            write_cell(&mut line, &cell, width)?;
            line.push_str("  ");
        }
        writeln!(out, "{line}{used}")?;
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

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn names_sort_as_their_lowercase_forms_then_their_bytes(
            names in proptest::collection::vec("[a-cA-C_-]{0,20}|[a-c_-]{0,20}|ViewOnlyAccess-0123456789-0123456789[aA]{0,3}", 0..40)
        ) {
            let mut sorted: Vec<&str> = names.iter().map(String::as_str).collect();
            sort_for_people(&mut sorted);
            let mut expected: Vec<&str> = names.iter().map(String::as_str).collect();
            expected.sort_by_key(|name| (name.to_ascii_lowercase(), *name));
            proptest::prop_assert_eq!(sorted, expected);
        }
    }
}
