//! The line parser for one AWS file.
//!
//! The parser makes one pass over the lines and works on slices of the input: a string is
//! allocated only for a name, key or value that is kept. Sections the AWS SDKs skip still have
//! their lines checked (an SDK fails on a broken line anywhere) and are reported as [`Ignored`].

use std::borrow::Cow;

use super::{FileKind, Ignored, IgnoredReason, Property, Value};

/// The kind of a section that the AWS SDKs read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SectionKind {
    /// `[default]`, `[profile NAME]` in the config file; `[NAME]` in the credentials file.
    Profile,
    /// `[sso-session NAME]` in the config file.
    SsoSession,
    /// `[services NAME]` in the config file.
    Services,
}

/// One section header and the properties under it, before duplicates are merged.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParsedSection {
    pub kind: SectionKind,
    pub name: String,
    /// 1-based line of the header.
    pub line: usize,
    /// Properties in file order with lowercased keys. A key may appear twice: the later wins.
    pub properties: Vec<(Cow<'static, str>, Property)>,
    /// Bytes of the header line and the lines under it, up to the next header.
    pub span: std::ops::Range<usize>,
}

/// The sections of one file, before the two files are merged.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParsedFile {
    pub kind: FileKind,
    /// Sections in file order; a name may appear more than once.
    pub sections: Vec<ParsedSection>,
    /// Sections the SDKs skip, in file order.
    pub ignored: Vec<Ignored>,
}

impl ParsedFile {
    /// A file without sections, which is what a missing file reads as.
    pub fn empty(kind: FileKind) -> Self {
        Self { kind, sections: Vec::new(), ignored: Vec::new() }
    }
}

/// Parses one file. An error carries the 1-based line and a message.
///
/// In the config file, `[default]` is dropped (and reported as ignored) when the same file has
/// `[profile default]`, whatever the order, as the SDKs do.
pub fn parse(text: &str, kind: FileKind) -> Result<ParsedFile, (usize, String)> {
    parse_at(text, kind, 1)
}

/// Parses `text` whose first line is line `first_line` of its file.
pub fn parse_at(
    text: &str,
    kind: FileKind,
    first_line: usize,
) -> Result<ParsedFile, (usize, String)> {
    let mut parser = Parser::new(text, kind, None);
    parser.run(first_line)?;
    Ok(parser.finish())
}

/// [`parse_at`] for a text that lives as long as the process: keys and values are borrowed
/// from it rather than copied, where they need no change.
pub(crate) fn parse_static(
    text: &'static str,
    kind: FileKind,
    first_line: usize,
) -> Result<ParsedFile, (usize, String)> {
    let mut parser = Parser::new(text, kind, None);
    parser.lasting = Some(text);
    parser.run(first_line)?;
    Ok(parser.finish())
}

/// A section header that a check found, with the slice of the file it covers.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Header<'a> {
    pub kind: SectionKind,
    pub name: &'a str,
    /// 1-based line of the header.
    pub line: usize,
    /// The header line and the lines under it, up to the next header.
    pub text: &'a str,
}

/// Checks every line of a file without keeping any property, and hands each section that the
/// SDKs read to `found`, in file order (a bare `[default]` of the config file comes after the
/// others, and only when the file has no `[profile default]`). Returns the sections the SDKs
/// skip.
pub(crate) fn check<'a>(
    text: &'a str,
    kind: FileKind,
    found: &mut dyn FnMut(Header<'a>),
) -> Result<Vec<Ignored>, (usize, String)> {
    let mut parser = Parser::new(text, kind, Some(found));
    parser.run(1)?;
    Ok(parser.finish().ignored)
}

const BOM: &str = "the file starts with a byte order mark, which the AWS tools cannot read \
                   (save it as UTF-8 without BOM)";
const NO_BRACKET: &str = "a section header must end with ']' (write [profile NAME])";
const PROPERTY_OUTSIDE: &str = "a property comes before any section header \
                                (add a header such as [profile NAME] above it)";
const CONTINUATION_OUTSIDE: &str = "an indented line continues a property, but no section is \
                                    open yet (remove the indentation or add a header above it)";
const CONTINUATION_NO_PROPERTY: &str = "an indented line continues a property, but the section \
                                        has no property yet (remove the indentation)";
const NO_EQUALS: &str = "expected '=' in a property line (write key = value)";
const NO_KEY: &str = "a property has no name before '=' (write key = value)";
const SUB_NO_EQUALS: &str =
    "expected '=' in a sub-property line (write an indented key = value under the property)";
const SUB_NO_KEY: &str = "a sub-property has no name before '=' (write an indented key = value)";

/// Where the properties of the current section go.
#[derive(Clone, Copy)]
enum Target {
    /// No header seen yet.
    Nothing,
    /// A section the SDKs skip: lines are checked, then dropped.
    Skipped,
    /// An index into `ParsedFile::sections`.
    Section(usize),
    /// A section the SDKs read, during a check: lines are checked, nothing is kept.
    Checked,
}

/// The property that indented lines continue.
#[derive(Clone, Copy)]
struct Current {
    /// Index into the section's properties; `None` when the property is dropped.
    index: Option<usize>,
    /// An empty value on the property line makes the indented lines sub-properties.
    sub_properties: bool,
}

/// A header whose section is still being read.
#[derive(Clone, Copy)]
struct Open<'a> {
    kind: SectionKind,
    name: &'a str,
    line: usize,
    start: usize,
    bare_default: bool,
}

struct Parser<'a, 's> {
    text: &'a str,
    file: ParsedFile,
    target: Target,
    current: Option<Current>,
    /// Indices of bare `[default]` sections in the config file, dropped if `[profile default]`
    /// appears too.
    bare_defaults: Vec<usize>,
    prefixed_default: bool,
    /// Where a check sends the sections it finds; without it, properties are kept.
    found: Option<&'s mut dyn FnMut(Header<'a>)>,
    /// Bare `[default]` sections a check holds back until the end of the file.
    held: Vec<Header<'a>>,
    /// The section whose span the next header ends.
    open: Option<Open<'a>>,
    /// `text`, when it lives as long as the process and kept strings can borrow from it.
    lasting: Option<&'static str>,
}

impl<'a, 's> Parser<'a, 's> {
    fn new(text: &'a str, kind: FileKind, found: Option<&'s mut dyn FnMut(Header<'a>)>) -> Self {
        Self {
            text,
            file: ParsedFile::empty(kind),
            target: Target::Nothing,
            current: None,
            bare_defaults: Vec::new(),
            prefixed_default: false,
            found,
            held: Vec::new(),
            open: None,
            lasting: None,
        }
    }

    /// A slice of the text to keep: borrowed when the text lasts, else copied.
    fn kept(&self, part: &str) -> Cow<'static, str> {
        match self.lasting {
            Some(lasting) => {
                let start = part.as_ptr() as usize - self.text.as_ptr() as usize;
                Cow::Borrowed(&lasting[start..start + part.len()])
            }
            None => Cow::Owned(part.to_owned()),
        }
    }

    /// A key to keep, lowercased: borrowed when it is lowercase already and the text lasts.
    fn kept_key(&self, key: &str) -> Cow<'static, str> {
        if key.bytes().any(|b| b.is_ascii_uppercase()) {
            Cow::Owned(key.to_ascii_lowercase())
        } else {
            self.kept(key)
        }
    }

    fn keep(&self) -> bool {
        self.found.is_none()
    }

    fn run(&mut self, first_line: usize) -> Result<(), (usize, String)> {
        let text = self.text;
        // A byte order mark makes the first header unreadable for the SDKs and the CLI alike.
        if text.starts_with('\u{feff}') {
            return Err((first_line, BOM.to_string()));
        }
        if self.found.is_some() {
            return self.run_check(first_line);
        }
        let mut start = 0;
        let ends = memchr::memchr_iter(b'\n', text.as_bytes()).chain(std::iter::once(text.len()));
        for (number, end) in (first_line..).zip(ends) {
            // Both ends sit on ASCII bytes, so the slice is on character boundaries.
            let line = &text[start..end];
            let line = line.strip_suffix('\r').unwrap_or(line);
            self.line(line, number, start).map_err(|message| (number, message.to_string()))?;
            start = end + 1;
        }
        self.close_span(text.len());
        Ok(())
    }

    /// The pass of a check over a whole file. The lines that make up nearly all of a file are
    /// read in place: blank lines and comments are skipped to their end, and a property line
    /// is read up to its '=' and the first character of its value. Every other line, and
    /// every error, goes through [`Parser::line`]; what is read in place, it reads the same.
    fn run_check(&mut self, first_line: usize) -> Result<(), (usize, String)> {
        let text = self.text;
        let bytes = text.as_bytes();
        let line_end =
            |from: usize| memchr::memchr(b'\n', &bytes[from..]).map_or(bytes.len(), |at| from + at);
        let mut start = 0;
        let mut number = first_line;
        while start <= bytes.len() {
            let end = match bytes.get(start) {
                None => bytes.len(),
                Some(b'\n') => start,
                Some(b'#' | b';') => line_end(start),
                Some(b'[' | b' ' | b'\t' | b'=' | b'\r') => {
                    self.general(start, line_end(start), number)?
                }
                Some(_) if matches!(self.target, Target::Nothing) => {
                    self.general(start, line_end(start), number)?
                }
                Some(_) => match key_end(&bytes[start..]) {
                    Some(equals) => {
                        let value = start + equals + 1;
                        let end = line_end(value);
                        let value = &text[value..end];
                        let sub_properties =
                            value_is_empty(value.strip_suffix('\r').unwrap_or(value));
                        self.current = Some(Current { index: None, sub_properties });
                        end
                    }
                    None => self.general(start, line_end(start), number)?,
                },
            };
            start = end + 1;
            number += 1;
        }
        self.close_span(text.len());
        Ok(())
    }

    /// Reads the line from `start` to `end` (its newline) the general way; returns `end`.
    fn general(
        &mut self,
        start: usize,
        end: usize,
        number: usize,
    ) -> Result<usize, (usize, String)> {
        // Both ends sit on ASCII bytes, so the slice is on character boundaries.
        let line = &self.text[start..end];
        let line = line.strip_suffix('\r').unwrap_or(line);
        self.line(line, number, start).map_err(|message| (number, message.to_string()))?;
        Ok(end)
    }

    /// Ends the span of the open section at byte `end`.
    fn close_span(&mut self, end: usize) {
        let Some(open) = self.open.take() else { return };
        let Some(found) = self.found.as_mut() else {
            if let Some(section) = self.file.sections.last_mut() {
                section.span.end = end;
            }
            return;
        };
        let header = Header {
            kind: open.kind,
            name: open.name,
            line: open.line,
            text: &self.text[open.start..end],
        };
        if open.bare_default {
            self.held.push(header);
        } else {
            found(header);
        }
    }

    fn line(&mut self, line: &'a str, number: usize, start: usize) -> Result<(), &'static str> {
        if is_blank(line) || line.starts_with(['#', ';']) {
            return Ok(());
        }
        if line.starts_with('[') {
            self.close_span(start);
            self.header(line, number, start)
        } else if line.starts_with([' ', '\t']) {
            self.continuation(line)
        } else {
            self.property(line, number)
        }
    }

    fn header(&mut self, line: &'a str, number: usize, start: usize) -> Result<(), &'static str> {
        let (header, classified) = read_header(line, self.file.kind)?;
        self.current = None;
        match classified {
            Ok((kind, name, bare)) => {
                let default = kind == SectionKind::Profile && name == "default";
                if default && !bare {
                    self.prefixed_default = true;
                }
                let bare_default = default && bare;
                if self.keep() {
                    if bare_default {
                        self.bare_defaults.push(self.file.sections.len());
                    }
                    self.file.sections.push(ParsedSection {
                        kind,
                        name: name.to_string(),
                        line: number,
                        // Most profiles have a handful of keys: one allocation, not two or three.
                        properties: Vec::with_capacity(8),
                        span: start..start,
                    });
                    self.target = Target::Section(self.file.sections.len() - 1);
                } else {
                    self.target = Target::Checked;
                }
                self.open = Some(Open { kind, name, line: number, start, bare_default });
            }
            Err((reason, name)) => {
                self.file.ignored.push(Ignored {
                    header: header.to_string(),
                    name: name.map(str::to_string),
                    file: self.file.kind,
                    line: number,
                    reason,
                });
                self.target = Target::Skipped;
            }
        }
        Ok(())
    }

    fn property(&mut self, line: &str, number: usize) -> Result<(), &'static str> {
        if let Target::Nothing = self.target {
            return Err(PROPERTY_OUTSIDE);
        }
        let (key, raw_value) = split_property(line).ok_or(NO_EQUALS)?;
        let key = trim(key);
        if key.is_empty() {
            return Err(NO_KEY);
        }
        // A check reads no further than it must: the value only matters when it is empty.
        let keep = self.keep();
        let value = if keep { trim(strip_inline_comment(raw_value)) } else { "" };
        let empty = if keep { value.is_empty() } else { value_is_empty(raw_value) };

        // Keys with characters the SDKs do not accept are dropped, not reported.
        let index = match self.target {
            Target::Section(section) if valid_name(key) => {
                let property = Property {
                    value: Value::Text(self.kept(value)),
                    file: self.file.kind,
                    line: number,
                };
                let key = self.kept_key(key);
                let properties = &mut self.file.sections[section].properties;
                properties.push((key, property));
                Some(properties.len() - 1)
            }
            _ => None,
        };
        self.current = Some(Current { index, sub_properties: empty });
        Ok(())
    }

    fn continuation(&mut self, line: &str) -> Result<(), &'static str> {
        if let Target::Nothing = self.target {
            return Err(CONTINUATION_OUTSIDE);
        }
        let current = self.current.ok_or(CONTINUATION_NO_PROPERTY)?;
        let text = trim(line);

        // Sub-property lines are checked even in a section or property that is dropped.
        let entry = if current.sub_properties {
            let (key, value) = split_at_equals(text).ok_or(SUB_NO_EQUALS)?;
            let key = trim(key);
            if key.is_empty() {
                return Err(SUB_NO_KEY);
            }
            Some((key, trim(value)))
        } else {
            None
        };

        let (Target::Section(section), Some(index)) = (self.target, current.index) else {
            return Ok(());
        };
        let value = &mut self.file.sections[section].properties[index].1.value;
        let Some((key, entry_value)) = entry else {
            let joined = match value {
                Value::Text(joined) => joined.to_mut(),
                Value::Map { raw, .. } => raw,
            };
            joined.push('\n');
            joined.push_str(text);
            return Ok(());
        };
        if let Value::Text(empty) = value {
            *value = Value::Map { raw: std::mem::take(empty).into_owned(), entries: Vec::new() };
        }
        if let Value::Map { raw, entries } = value {
            raw.push('\n');
            raw.push_str(text);
            if valid_name(key) {
                entries.push((key.to_ascii_lowercase(), entry_value.to_string()));
            }
        }
        Ok(())
    }

    fn finish(mut self) -> ParsedFile {
        if let Some(found) = self.found.as_mut() {
            if !self.prefixed_default {
                self.held.drain(..).for_each(found);
            }
            let dropped = self.held.iter().map(|header| header.line).collect();
            return self.shadowed(dropped);
        }
        if !self.prefixed_default || self.bare_defaults.is_empty() {
            return self.file;
        }

        // `[profile default]` replaces every bare `[default]` of the same file.
        let mut index = 0;
        let bare = &self.bare_defaults;
        let mut dropped = Vec::with_capacity(bare.len());
        self.file.sections.retain(|section| {
            let keep = !bare.contains(&index);
            if !keep {
                dropped.push(section.line);
            }
            index += 1;
            keep
        });
        self.shadowed(dropped)
    }

    /// Reports the bare `[default]` sections at `lines` as replaced by `[profile default]`.
    fn shadowed(mut self, lines: Vec<usize>) -> ParsedFile {
        if lines.is_empty() {
            return self.file;
        }
        for line in lines {
            self.file.ignored.push(Ignored {
                header: "default".to_string(),
                name: Some("default".to_string()),
                file: self.file.kind,
                line,
                reason: IgnoredReason::ShadowedDefault,
            });
        }
        self.file.ignored.sort_by_key(|ignored| ignored.line);
        self.file
    }
}

/// The text between the brackets of a header line, trimmed, and what it declares.
fn read_header(line: &str, kind: FileKind) -> Result<(&str, Classified<'_>), &'static str> {
    // A comment may follow the closing bracket directly, so any '#' or ';' ends the header.
    let end = memchr::memchr2(b'#', b';', line.as_bytes()).unwrap_or(line.len());
    let inner = trim(&line[..end])
        .strip_prefix('[')
        .and_then(|rest| rest.strip_suffix(']'))
        .ok_or(NO_BRACKET)?;
    let header = trim(inner);
    let classified = match kind {
        FileKind::Config => classify_config(header),
        FileKind::Credentials => classify_credentials(header),
    };
    Ok((header, classified))
}

/// Hands `found` the name of every profile section of `text`, reading only the lines that
/// start with '[': completion needs nothing else, and a broken line elsewhere, which a check
/// refuses, does not keep it from offering names. A name may come more than once.
pub(crate) fn profile_names<'a>(text: &'a str, kind: FileKind, found: &mut dyn FnMut(&'a str)) {
    let bytes = text.as_bytes();
    let after_newlines = memchr::memmem::find_iter(bytes, b"\n[").map(|at| at + 1);
    for start in std::iter::once(0).chain(after_newlines) {
        if bytes.get(start) != Some(&b'[') {
            continue;
        }
        let end = memchr::memchr(b'\n', &bytes[start..]).map_or(bytes.len(), |at| start + at);
        // Both ends sit on ASCII bytes, so the slice is on character boundaries.
        let line = &text[start..end];
        let line = line.strip_suffix('\r').unwrap_or(line);
        if let Ok((_, Ok((SectionKind::Profile, name, _)))) = read_header(line, kind) {
            found(name);
        }
    }
}

type Classified<'a> = Result<(SectionKind, &'a str, bool), (IgnoredReason, Option<&'a str>)>;

/// Reads a config file header: the kind, the name, and whether it is a bare `[default]`.
fn classify_config(header: &str) -> Classified<'_> {
    if header == "default" {
        return Ok((SectionKind::Profile, header, true));
    }
    let Some((prefix, rest)) = split_at_blank(header) else {
        let name = Some(header).filter(|h| !h.is_empty());
        return Err((IgnoredReason::MissingProfilePrefix, name));
    };
    let kind = match prefix {
        "profile" => SectionKind::Profile,
        "sso-session" => SectionKind::SsoSession,
        "services" => SectionKind::Services,
        _ => return Err((IgnoredReason::UnknownPrefix, None)),
    };
    let name = trim(rest);
    if !valid_name(name) {
        let expected = Some(name).filter(|n| kind == SectionKind::Profile && !n.is_empty());
        return Err((IgnoredReason::InvalidName, expected));
    }
    Ok((kind, name, false))
}

/// Reads a credentials file header, which is a bare profile name.
fn classify_credentials(header: &str) -> Classified<'_> {
    if let Some(("profile", rest)) = split_at_blank(header) {
        let name = Some(trim(rest)).filter(|n| !n.is_empty());
        return Err((IgnoredReason::ProfilePrefixInCredentials, name));
    }
    if !valid_name(header) {
        let name = Some(header).filter(|h| !h.is_empty());
        return Err((IgnoredReason::InvalidName, name));
    }
    Ok((SectionKind::Profile, header, false))
}

/// Splits at the first '='. Lines are short, so a plain scan beats a general string search.
fn split_at_equals(line: &str) -> Option<(&str, &str)> {
    let at = memchr::memchr(b'=', line.as_bytes())?;
    Some((&line[..at], &line[at + 1..]))
}

/// Splits a property line at its first `=`, as `split_at_equals(strip_inline_comment(line))`
/// would, without reading the value: a comment that starts before the `=` hides it.
fn split_property(line: &str) -> Option<(&str, &str)> {
    // Nearly always no '#' or ';' comes before the '=', and then there is no comment to find.
    if let Some(at) = key_end(line.as_bytes()) {
        return Some((&line[..at], &line[at + 1..]));
    }
    let (key, value) = split_at_equals(line)?;
    // Keys are short: a plain loop costs less than setting up a vector search.
    let key_bytes = key.as_bytes();
    let comment = key_bytes
        .windows(2)
        .any(|pair| matches!(pair[0], b' ' | b'\t') && matches!(pair[1], b'#' | b';'));
    (!comment).then_some((key, value))
}

/// Whether the text after `=` is empty once trimmed and cut at an inline comment. The first
/// character after `=` never starts a comment: it follows `=`, not a blank.
fn value_is_empty(value: &str) -> bool {
    let bytes = value.as_bytes();
    match bytes.iter().position(|b| *b != b' ' && *b != b'\t') {
        None => true,
        Some(first) => first > 0 && matches!(bytes[first], b'#' | b';'),
    }
}

/// Cuts a property line at a `#` or `;` that follows a space or tab.
fn strip_inline_comment(line: &str) -> &str {
    let bytes = line.as_bytes();
    // Values are short, and setting up a vector search costs more than reading them.
    (0..bytes.len())
        .filter(|&i| matches!(bytes[i], b'#' | b';'))
        .find(|&i| i > 0 && matches!(bytes[i - 1], b' ' | b'\t'))
        .map_or(line, |i| &line[..i])
}

/// The place of the first `=` of the text, when it comes before any newline, `#` or `;`.
/// Eight bytes are looked at in one step: keys are short, and their lines are most of a file.
fn key_end(bytes: &[u8]) -> Option<usize> {
    let mut chunks = bytes.chunks_exact(8);
    let mut offset = 0;
    for chunk in &mut chunks {
        let word = u64::from_le_bytes(chunk.try_into().expect("eight bytes"));
        let equals = matching(word, b'=');
        let stops = matching(word, b'\n') | matching(word, b'#') | matching(word, b';');
        if equals | stops != 0 {
            // In little-endian order the lowest set bit is the first byte.
            let first_equals = equals.trailing_zeros();
            return (stops.trailing_zeros() > first_equals)
                .then(|| offset + first_equals as usize / 8);
        }
        offset += 8;
    }
    for (at, byte) in chunks.remainder().iter().enumerate() {
        match byte {
            b'=' => return Some(offset + at),
            b'\n' | b'#' | b';' => return None,
            _ => {}
        }
    }
    None
}

/// The high bit of each byte of `word` equal to `byte`: exact up to and including the first
/// one, which is all the callers read.
fn matching(word: u64, byte: u8) -> u64 {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);
    let zeroed = word ^ (ONES * u64::from(byte));
    zeroed.wrapping_sub(ONES) & !zeroed & HIGHS
}

/// Splits at the first space or tab, leaving it out.
fn split_at_blank(text: &str) -> Option<(&str, &str)> {
    let at = text.bytes().position(|b| b == b' ' || b == b'\t')?;
    Some((&text[..at], &text[at + 1..]))
}

/// Profile, section and property names the SDKs accept: `[A-Za-z0-9_\-/.%@:+]+`.
pub(crate) fn valid_name(name: &str) -> bool {
    !name.is_empty() && name.bytes().all(|b| NAME_BYTES[usize::from(b)])
}

/// The bytes of [`valid_name`], as a table: one load a byte.
const NAME_BYTES: [bool; 256] = {
    let mut table = [false; 256];
    let mut byte = 0;
    while byte < 256 {
        let b = byte as u8;
        table[byte] = b.is_ascii_alphanumeric()
            || matches!(b, b'_' | b'-' | b'/' | b'.' | b'%' | b'@' | b':' | b'+');
        byte += 1;
    }
    table
};

/// The SDKs trim spaces and tabs only.
fn trim(text: &str) -> &str {
    let blank = |b: &u8| *b == b' ' || *b == b'\t';
    let bytes = text.as_bytes();
    let start = bytes.iter().position(|b| !blank(b)).unwrap_or(bytes.len());
    let end = bytes.iter().rposition(|b| !blank(b)).map_or(start, |i| i + 1);
    // Spaces and tabs are ASCII: cutting them keeps character boundaries.
    &text[start..end.max(start)]
}

fn is_blank(line: &str) -> bool {
    line.bytes().all(|b| b == b' ' || b == b'\t')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(text: &str) -> ParsedFile {
        parse(text, FileKind::Config).expect("parses")
    }

    fn error(text: &str, kind: FileKind) -> (usize, String) {
        parse(text, kind).expect_err("is an error")
    }

    fn text<'a>(section: &'a ParsedSection, key: &str) -> &'a str {
        let (_, property) = section.properties.iter().rev().find(|(k, _)| k == key).unwrap();
        property.value.as_str()
    }

    #[test]
    fn errors_carry_the_line_and_say_what_to_write() {
        let cases: [(&str, usize, &str); 7] = [
            ("[profile a]\nregion = x\n\nnot a property\n", 4, "expected '='"),
            ("# top\n\nregion = x\n", 3, "before any section header"),
            ("[profile a]\r\n\r\n= x\r\n", 3, "no name before '='"),
            ("[profile a]\n  indented\n", 2, "has no property yet"),
            ("\n  indented\n", 2, "no section is open"),
            ("[profile a]\ns3 =\n  endpoint_url\n", 3, "sub-property"),
            ("[profile a]\n[profile b\n", 2, "must end with ']'"),
        ];
        for (text, line, words) in cases {
            let (got_line, message) = error(text, FileKind::Config);
            assert_eq!(got_line, line, "{text:?}");
            assert!(message.contains(words), "{text:?}: {message}");
            assert!(message.starts_with(|c: char| c.is_ascii_lowercase()), "{message}");
            assert!(message.ends_with(')'), "says what to do: {message}");
        }
    }

    #[test]
    fn a_byte_order_mark_is_an_error_on_line_one() {
        let (line, message) = error("\u{feff}[default]\n", FileKind::Credentials);
        assert_eq!(line, 1);
        assert!(message.contains("byte order mark"));
    }

    #[test]
    fn sections_and_properties_keep_their_lines() {
        let file =
            config("# c\n[default]\nregion = a\n\n[profile b] ; c\r\nx = 1\n  more\ny = 2\n");
        let lines: Vec<(&str, usize)> =
            file.sections.iter().map(|s| (s.name.as_str(), s.line)).collect();
        assert_eq!(lines, [("default", 2), ("b", 5)]);
        let b = &file.sections[1];
        let property_lines: Vec<usize> = b.properties.iter().map(|(_, p)| p.line).collect();
        assert_eq!(property_lines, [6, 8]);
        assert_eq!(text(b, "x"), "1\nmore");
    }

    #[test]
    fn section_kinds_in_the_config_file() {
        let file = config("[sso-session corp]\n[services local]\n[profile dev]\n[default]\n");
        let kinds: Vec<(SectionKind, &str)> =
            file.sections.iter().map(|s| (s.kind, s.name.as_str())).collect();
        assert_eq!(
            kinds,
            [
                (SectionKind::SsoSession, "corp"),
                (SectionKind::Services, "local"),
                (SectionKind::Profile, "dev"),
                (SectionKind::Profile, "default"),
            ]
        );
    }

    #[test]
    fn skipped_sections_are_reported_with_a_reason() {
        let text = "[profile my thing]\nx = 1\n[dev]\n[sso-sesion corp]\n[profile ok]\n";
        let file = config(text);
        let ignored: Vec<(&str, Option<&str>, usize, IgnoredReason)> = file
            .ignored
            .iter()
            .map(|i| (i.header.as_str(), i.name.as_deref(), i.line, i.reason))
            .collect();
        assert_eq!(
            ignored,
            [
                ("profile my thing", Some("my thing"), 1, IgnoredReason::InvalidName),
                ("dev", Some("dev"), 3, IgnoredReason::MissingProfilePrefix),
                ("sso-sesion corp", None, 4, IgnoredReason::UnknownPrefix),
            ]
        );
        assert!(file.ignored.iter().all(|i| i.file == FileKind::Config));
        assert_eq!(file.sections.len(), 1);
        assert!(file.sections[0].properties.is_empty(), "x belongs to the skipped section");
    }

    #[test]
    fn skipped_sections_in_the_credentials_file() {
        let file = parse("[profile dev]\n[in valid]\n[dev]\n", FileKind::Credentials).unwrap();
        let reasons: Vec<(Option<&str>, IgnoredReason)> =
            file.ignored.iter().map(|i| (i.name.as_deref(), i.reason)).collect();
        assert_eq!(
            reasons,
            [
                (Some("dev"), IgnoredReason::ProfilePrefixInCredentials),
                (Some("in valid"), IgnoredReason::InvalidName),
            ]
        );
        assert_eq!(file.sections.len(), 1);
        assert_eq!(file.ignored[1].file, FileKind::Credentials);
    }

    #[test]
    fn profile_default_shadows_bare_default_in_the_same_file() {
        let file = config("[default]\na = 1\n[profile x]\n[profile default]\nb = 2\n[default]\n");
        let names: Vec<(&str, usize)> =
            file.sections.iter().map(|s| (s.name.as_str(), s.line)).collect();
        assert_eq!(names, [("x", 3), ("default", 4)]);
        let shadowed: Vec<(usize, IgnoredReason)> =
            file.ignored.iter().map(|i| (i.line, i.reason)).collect();
        assert_eq!(
            shadowed,
            [(1, IgnoredReason::ShadowedDefault), (6, IgnoredReason::ShadowedDefault)]
        );
    }

    #[test]
    fn lines_in_skipped_sections_are_still_checked() {
        assert_eq!(error("[dev]\nno equals here\n", FileKind::Config).0, 2);
        let file = config("[dev]\nkey = value\n  continued\n");
        assert!(file.sections.is_empty());
    }

    #[test]
    fn a_file_without_final_newline_keeps_its_last_line() {
        let file = config("[default]\nregion = us-east-1");
        assert_eq!(text(&file.sections[0], "region"), "us-east-1");
        let file = config("[default]\ns3 =\n  addressing_style = path");
        assert_eq!(text(&file.sections[0], "s3"), "\naddressing_style = path");
    }

    #[test]
    fn sub_properties_keep_the_raw_string_and_the_entries() {
        let file =
            config("[services s]\nS3 =\n  Endpoint_URL = http://x # kept\n\n  bad key = 1\n");
        let (key, property) = &file.sections[0].properties[0];
        assert_eq!(key, "s3");
        let Value::Map { raw, entries } = &property.value else { panic!("not a map") };
        assert_eq!(raw, "\nEndpoint_URL = http://x # kept\nbad key = 1");
        assert_eq!(entries, &[("endpoint_url".to_string(), "http://x # kept".to_string())]);
    }

    #[test]
    fn an_empty_value_without_indented_lines_stays_text() {
        let file = config("[default]\nregion =\nother = 1\n");
        assert_eq!(file.sections[0].properties[0].1.value, Value::Text("".into()));
    }

    #[test]
    fn keys_are_lowercased_and_invalid_keys_dropped() {
        let file = config("[default]\nRegion = a\nin valid = b\n  still dropped\nx! = c\n");
        let keys: Vec<&str> = file.sections[0].properties.iter().map(|(k, _)| k.as_ref()).collect();
        assert_eq!(keys, ["region"]);
    }

    #[test]
    fn inline_comments_need_whitespace_before_them() {
        let file = config("[default]\na = x#y\nb = x;y\nc = x\t# y\nd = x ;y\n");
        let values: Vec<&str> =
            file.sections[0].properties.iter().map(|(_, p)| p.value.as_str()).collect();
        assert_eq!(values, ["x#y", "x;y", "x", "x"]);
    }

    proptest::proptest! {
        /// The eight-byte search finds what a byte-by-byte one does.
        #[test]
        fn equals_are_found_eight_bytes_at_a_time(line in "[a=#; \t\n\u{e9}]{0,40}") {
            let bytes = line.as_bytes();
            let naive = bytes
                .iter()
                .position(|b| matches!(b, b'=' | b'#' | b';' | b'\n'))
                .filter(|&at| bytes[at] == b'=');
            proptest::prop_assert_eq!(key_end(bytes), naive);
        }

        /// A check finds the same sections and errors as a full parse.
        #[test]
        fn a_check_agrees_with_a_full_parse(text in "(\\[((profile|sso-session) )?(a|default)\\]|[ab=#; \t]{0,6}|\r|\n){0,24}") {
            for kind in [FileKind::Config, FileKind::Credentials] {
                let parsed = parse(&text, kind);
                let mut found = Vec::new();
                let checked = check(&text, kind, &mut |header| found.push((header.name, header.line)));
                match (parsed, checked) {
                    (Ok(parsed), Ok(ignored)) => {
                        let mut expected: Vec<(&str, usize)> =
                            parsed.sections.iter().map(|s| (s.name.as_str(), s.line)).collect();
                        expected.sort_by_key(|&(_, line)| line);
                        found.sort_by_key(|&(_, line)| line);
                        proptest::prop_assert_eq!(found, expected);
                        proptest::prop_assert_eq!(ignored, parsed.ignored);
                    }
                    (Err(parsed), Err(checked)) => proptest::prop_assert_eq!(parsed, checked),
                    (parsed, checked) => proptest::prop_assert!(false, "{parsed:?} / {checked:?}"),
                }
            }
        }

        /// Reading headers only finds the profiles a check finds, in files the check accepts.
        #[test]
        fn headers_alone_name_the_profiles_of_a_sound_file(text in "(\\[((profile|sso-session) )?(a|b|default)\\]|[ab=#; \t]{0,6}|\r|\n){0,24}") {
            for kind in [FileKind::Config, FileKind::Credentials] {
                let mut checked = Vec::new();
                let sound = check(&text, kind, &mut |header| {
                    if header.kind == SectionKind::Profile {
                        checked.push(header.name);
                    }
                });
                if sound.is_err() {
                    continue;
                }
                let mut read = Vec::new();
                profile_names(&text, kind, &mut |name| read.push(name));
                for names in [&mut checked, &mut read] {
                    names.sort_unstable();
                    names.dedup();
                }
                proptest::prop_assert_eq!(read, checked);
            }
        }

        /// The check-only shortcut reads a property line exactly as the full parse does.
        #[test]
        fn the_shortcut_agrees_with_the_full_reading(line in "[a= #;\t]{0,12}") {
            let full = split_at_equals(strip_inline_comment(&line));
            let short = split_property(&line);
            proptest::prop_assert_eq!(full.map(|(k, _)| k), short.map(|(k, _)| k));
            if let (Some((_, value)), Some((_, raw))) = (full, short) {
                proptest::prop_assert_eq!(trim(value).is_empty(), value_is_empty(raw));
            }
        }
    }
}
