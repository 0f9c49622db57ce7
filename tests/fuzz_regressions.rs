//! Replays the fuzzing corpus (fuzz/corpus/TARGET/*) through the checks the fuzz targets
//! make, so every input the fuzzer found interesting stays checked by `cargo test`, on stable
//! Rust and without libFuzzer.

#[path = "../fuzz/checks.rs"]
mod checks;

use std::path::{Path, PathBuf};

fn corpus(target: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus").join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("no corpus at {}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "the corpus at {} is empty", dir.display());
    files
}

fn replay(target: &str, check: fn(&[u8])) {
    let files = corpus(target);
    for file in &files {
        let data = std::fs::read(file).unwrap();
        let outcome = std::panic::catch_unwind(|| check(&data));
        assert!(outcome.is_ok(), "{} fails the {target} checks", file.display());
    }
    eprintln!("{target}: {} inputs replayed", files.len());
}

#[test]
fn config_parser_corpus_passes() {
    replay("config_parser", checks::config_parser);
}

#[test]
fn shell_quote_corpus_passes() {
    replay("shell_quote", checks::shell_quote);
}

#[test]
fn posix_reader_refuses_what_a_shell_would_expand() {
    for word in ["$HOME", "'a'$b", "'a''b'", "'open", "a", "'x'\\", "*", "~", "", "'a' 'b'"] {
        assert!(checks::read_posix(word).is_err(), "{word:?} was accepted");
    }
    assert_eq!(checks::read_posix("'it'\\''s'").unwrap(), "it's");
    assert_eq!(checks::read_posix("''").unwrap(), "");
}

#[test]
fn fish_reader_refuses_what_fish_would_expand() {
    for word in ["$HOME", "'a'b", "'open", "a'b'", "'a\\'", "'a' "] {
        assert!(checks::read_fish(word).is_err(), "{word:?} was accepted");
    }
    assert_eq!(checks::read_fish("'it\\'s \\\\ \\n'").unwrap(), "it's \\ \\n");
}
