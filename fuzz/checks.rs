//! The properties the fuzz targets check, shared with the test that replays the corpus
//! (tests/fuzz_regressions.rs), so a committed input is held to the same rules in `cargo test`.

use awsuse::config::write::{NewSection, append};
use awsuse::config::{FileKind, ParsedFile, ParsedSection, parse};
use awsuse::shell::{Shell, quote};

/// The name of the profile the write-back check appends.
const ADDED: &str = "fuzz-added";

/// Any bytes, read as a config and as a credentials file: parsing never panics, gives the
/// same answer twice, and a profile appended the way `awsuse create` writes one leaves every
/// section that was there as it was, followed by the new one. (Merging the two files is left
/// out: `from_strings` keeps every text for the life of the process, which a fuzzer running
/// millions of inputs in one process would count as unbounded memory.)
///
/// The loader refuses invalid UTF-8 before parsing, so the bytes are read lossily: the parser
/// itself only ever sees text.
pub fn config_parser(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    for kind in [FileKind::Config, FileKind::Credentials] {
        let first = parse(&text, kind);
        assert_eq!(first, parse(&text, kind), "a second parse differs");
        let Ok(file) = first else { continue };
        written_back(&text, kind, &file);
    }
}

fn written_back(text: &str, kind: FileKind, before: &ParsedFile) {
    let section =
        NewSection::profile(kind, ADDED, vec![("region".to_owned(), "eu-west-1".to_owned())]);
    let bytes = append(text.as_bytes(), &section);
    let appended = String::from_utf8(bytes).expect("appending made invalid UTF-8");
    let after = parse(&appended, kind)
        .unwrap_or_else(|(line, why)| panic!("the appended file fails at line {line}: {why}"));

    let n = before.sections.len();
    assert_eq!(after.sections.len(), n + 1, "appending one section gave another count");
    for (old, new) in before.sections.iter().zip(&after.sections) {
        assert_eq!(same(old), same(new), "appending changed an existing section");
    }
    let added = &after.sections[n];
    assert_eq!(added.name, ADDED);
    let region = added.properties.iter().find(|(k, _)| k == "region");
    assert_eq!(region.map(|(_, p)| p.value.as_str()), Some("eu-west-1"));
}

/// A section without its byte span, which grows when a line ending is added after it.
fn same(section: &ParsedSection) -> impl PartialEq + std::fmt::Debug + '_ {
    (section.kind, &section.name, section.line, &section.properties)
}

/// Any bytes, read lossily as a value and quoted for each shell: the quoted word contains no
/// character a shell would expand and reads back as exactly the value.
pub fn shell_quote(data: &[u8]) {
    let value = String::from_utf8_lossy(data);
    for shell in Shell::ALL {
        let word = quote(shell, &value);
        let read = match shell {
            Shell::Bash | Shell::Zsh => read_posix(&word),
            Shell::Fish => read_fish(&word),
        };
        match read {
            Ok(back) => assert_eq!(back, value, "{shell:?} reads {word:?} differently"),
            Err(why) => panic!("{shell:?}: {why} in {word:?} (value {value:?})"),
        }
    }
}

/// Reads a word the way bash and zsh do, accepting only single-quoted runs and backslash
/// escapes: any other character outside quotes could expand or split, and fails the word.
/// `''` is refused too, since zsh with RC_QUOTES reads it inside quotes as one quote.
pub fn read_posix(word: &str) -> Result<String, String> {
    if word.is_empty() {
        return Err("an empty word vanishes".to_owned());
    }
    let mut out = String::new();
    let mut chars = word.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\'' => loop {
                match chars.next() {
                    Some('\'') if chars.peek() == Some(&'\'') => {
                        return Err("'' joins two quoted runs (zsh RC_QUOTES)".to_owned());
                    }
                    Some('\'') => break,
                    Some(c) => out.push(c),
                    None => return Err("an unterminated single quote".to_owned()),
                }
            },
            '\\' => match chars.next() {
                Some(c) => out.push(c),
                None => return Err("a trailing backslash".to_owned()),
            },
            c => return Err(format!("{c:?} outside quotes")),
        }
    }
    Ok(out)
}

/// Reads a word the way fish does: one single-quoted string, where only `\\` and `\'` are
/// escapes and any other backslash is literal; nothing may stand outside the quotes.
pub fn read_fish(word: &str) -> Result<String, String> {
    let Some(body) = word.strip_prefix('\'') else {
        return Err("the word does not start with a quote".to_owned());
    };
    let mut out = String::new();
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.clone().next() {
                Some(next @ ('\\' | '\'')) => {
                    chars.next();
                    out.push(next);
                }
                _ => out.push('\\'),
            },
            '\'' => {
                let rest: String = chars.collect();
                return if rest.is_empty() {
                    Ok(out)
                } else {
                    Err(format!("{rest:?} after the closing quote"))
                };
            }
            c => out.push(c),
        }
    }
    Err("an unterminated single quote".to_owned())
}
