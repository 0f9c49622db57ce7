//! Sections by name, whose properties are read only when asked for.
//!
//! A switch among 10,000 profiles needs one profile and its sources; completion needs only the
//! names. Loading therefore checks every line (a broken line anywhere is an error, as for the
//! SDKs) and keeps, for each section, the slices of the file it was written in. The properties
//! of a section are parsed from those slices the first time it is looked up.

use std::collections::HashMap;
use std::collections::hash_map::Entry as Entry_;
use std::ops::Index;
use std::sync::OnceLock;

use rustc_hash::FxBuildHasher;

use super::parse::{self, SectionKind};
use super::{FileKind, Section};

/// Where one header and its lines are in a file that lives as long as the process.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Body {
    pub kind: FileKind,
    /// The header line and the lines under it, up to the next header.
    pub text: &'static str,
    /// 1-based line of the header.
    pub line: usize,
}

/// One section: nearly always written once, so the first slice is held inline.
#[derive(Debug)]
struct Entry {
    first: Body,
    more: Vec<Body>,
    /// Boxed: most sections are never read, and a small entry keeps the map small.
    section: OnceLock<Box<Section>>,
}

impl Entry {
    fn bodies(&self) -> impl Iterator<Item = &Body> {
        std::iter::once(&self.first).chain(&self.more)
    }
}

/// Sections of one kind (profiles, sso-sessions or services) by name. Iteration order is
/// unspecified: callers that show names sort them.
#[derive(Debug, Default)]
pub struct Sections {
    entries: HashMap<&'static str, Entry, FxBuildHasher>,
}

impl Clone for Sections {
    fn clone(&self) -> Self {
        self.values().cloned().collect()
    }
}

impl Sections {
    /// Adds a slice of a file to the section `name`; where several slices name the same
    /// section, later properties win, and the first slice gives the section's place.
    pub(crate) fn add_body(&mut self, name: &'static str, body: Body) {
        match self.entries.entry(name) {
            Entry_::Occupied(mut entry) => entry.get_mut().more.push(body),
            Entry_::Vacant(entry) => {
                entry.insert(Entry { first: body, more: Vec::new(), section: OnceLock::new() });
            }
        }
    }

    pub(crate) fn reserve(&mut self, additional: usize) {
        self.entries.reserve(additional);
    }

    /// Adds a section whose properties are already known (tests, generated profiles). Its
    /// name lives as long as the process, as names read from the files do.
    pub fn insert(&mut self, section: Section) {
        let name: &'static str = String::leak(section.name.clone());
        let first = Body { kind: section.file, text: "", line: section.line };
        let entry = Entry { first, more: Vec::new(), section: OnceLock::from(Box::new(section)) };
        self.entries.insert(name, entry);
    }

    pub fn get(&self, name: &str) -> Option<&Section> {
        let (name, entry) = self.entries.get_key_value(name)?;
        Some(entry.section.get_or_init(|| materialize(name, entry)))
    }

    /// The stored name equal to `name`, without reading properties.
    pub fn name(&self, name: &str) -> Option<&'static str> {
        self.entries.get_key_value(name).map(|(name, _)| *name)
    }

    pub fn contains_key(&self, name: &str) -> bool {
        self.entries.contains_key(name)
    }

    /// Names, in no particular order, without reading any properties.
    pub fn keys(&self) -> impl ExactSizeIterator<Item = &'static str> + '_ {
        self.entries.keys().copied()
    }

    /// Where a section was first defined, without reading its properties.
    pub fn place(&self, name: &str) -> Option<(FileKind, usize)> {
        self.entries.get(name).map(|entry| (entry.first.kind, entry.first.line))
    }

    /// Every section, each read on first use.
    pub fn values(&self) -> impl Iterator<Item = &Section> {
        self.entries
            .iter()
            .map(|(name, entry)| &**entry.section.get_or_init(|| materialize(name, entry)))
    }

    pub fn iter(&self) -> impl Iterator<Item = (&'static str, &Section)> {
        self.keys().zip(self.values())
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

impl Index<&str> for Sections {
    type Output = Section;

    fn index(&self, name: &str) -> &Section {
        self.get(name).unwrap_or_else(|| panic!("no section named {name:?}"))
    }
}

impl FromIterator<Section> for Sections {
    fn from_iter<I: IntoIterator<Item = Section>>(sections: I) -> Self {
        let mut all = Sections::default();
        for section in sections {
            all.insert(section);
        }
        all
    }
}

/// Parses the slices of one section. They were checked when the file was loaded, so a
/// failure here is a bug; it yields the properties read so far rather than a panic.
fn materialize(name: &str, entry: &Entry) -> Box<Section> {
    let mut section = Box::new(Section::new(name, entry.first.kind, entry.first.line));
    for body in entry.bodies() {
        let parsed = match parse::parse_static(body.text, body.kind, body.line) {
            Ok(parsed) => parsed,
            Err((line, message)) => {
                log::error!("a checked section failed to parse again at line {line}: {message}");
                continue;
            }
        };
        for part in parsed.sections {
            section.properties.absorb(part.properties);
        }
    }
    section
}

/// Which map of [`super::AwsConfig`] a kind of section goes to.
pub(crate) fn select(config: &mut super::AwsConfig, kind: SectionKind) -> &mut Sections {
    match kind {
        SectionKind::Profile => &mut config.profiles,
        SectionKind::SsoSession => &mut config.sso_sessions,
        SectionKind::Services => &mut config.services,
    }
}

#[cfg(test)]
mod tests {
    use crate::config::{FileKind, from_strings};

    #[test]
    fn properties_read_later_keep_their_files_and_lines() {
        let config = "# top\n[profile a]\nregion = one\n\n[profile b]\nregion = two\n[profile a]\noutput = json\n";
        let credentials = "[a]\nregion = three\n";
        let parsed = from_strings(config, credentials).unwrap();

        assert_eq!(parsed.profiles.place("a"), Some((FileKind::Config, 2)));
        let a = &parsed.profiles["a"];
        let region = a.property("region").unwrap();
        assert_eq!(
            (a.get("region"), region.file, region.line),
            (Some("three"), FileKind::Credentials, 2)
        );
        assert_eq!(a.property("output").map(|p| (p.file, p.line)), Some((FileKind::Config, 8)));
        assert_eq!(parsed.profiles["b"].property("region").map(|p| p.line), Some(6));
    }
}
