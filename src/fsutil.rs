//! Replacing a whole file so that a reader sees the old one or the new one, never a mix.
//!
//! The new contents go to a temporary file in the target's own directory (so the rename cannot
//! cross file systems), which is then renamed over the target. Whether to sync, and what to do
//! between writing and renaming, is each caller's policy.

use std::fs::{self, File};
use std::io::{self, Write as _};
use std::path::Path;

use tempfile::NamedTempFile;

/// The suffix of every temporary file made here, so that a caller can recognise one left
/// behind by a writer that was killed.
pub const TEMP_SUFFIX: &str = ".tmp";

/// Whether a write is flushed to disk before and after the rename.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sync {
    /// Nothing is synced: after a power cut the file may be the old one, or damaged.
    No,
    /// The file is synced before the rename and its directory after it.
    Durable,
}

/// A new temporary file `<prefix>XXXXXX.tmp` in `dir` with permissions `mode`.
pub fn temp_file_in(dir: &Path, prefix: &str, mode: u32) -> io::Result<NamedTempFile> {
    let mut builder = tempfile::Builder::new();
    builder.prefix(prefix).suffix(TEMP_SUFFIX);
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(mode));
    #[cfg(not(unix))]
    let _ = mode;
    builder.tempfile_in(dir)
}

/// Renames `temp` over `target`.
pub fn persist(temp: NamedTempFile, target: &Path) -> io::Result<()> {
    temp.persist(target).map(drop).map_err(|e| e.error)
}

/// Writes `bytes` to a temporary file in `dir` and renames it over `target`, which must be in
/// `dir`. A process killed at any moment leaves either the old file or the new one.
pub fn write_atomically(
    dir: &Path,
    target: &Path,
    prefix: &str,
    mode: u32,
    bytes: &[u8],
    sync: Sync,
) -> io::Result<()> {
    let mut temp = temp_file_in(dir, prefix, mode)?;
    temp.write_all(bytes)?;
    if sync == Sync::Durable {
        temp.as_file().sync_all()?;
    }
    persist(temp, target)?;

    // The file is already complete either way; this only makes the rename itself durable.
    if sync == Sync::Durable {
        sync_dir_or_log(dir);
    }
    Ok(())
}

/// Puts the complete file at `temp` in the place of `target` in one atomic step, leaving
/// nothing at `temp`. Both must be in the same directory.
///
/// Where the system can, the two files are exchanged and the old one is then removed: ext4
/// starts writing a file out to disk when it is renamed over another one (its
/// `auto_da_alloc` rule), which makes a rename cost four times as much as an exchange.
pub fn replace(temp: &Path, target: &Path) -> io::Result<()> {
    #[cfg(target_os = "linux")]
    if exchange(temp, target).is_ok() {
        // The old contents are at `temp` now. Left behind, they are harmless: the next
        // writer writes over them.
        if let Err(error) = fs::remove_file(temp) {
            log::debug!("could not remove {}: {error}", temp.display());
        }
        return Ok(());
    }
    // No file to exchange with yet, or a file system that cannot exchange.
    fs::rename(temp, target)
}

/// Exchanges two existing files atomically.
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> io::Result<()> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;

    let c_path = |path: &Path| {
        CString::new(path.as_os_str().as_bytes()).map_err(|_| io::ErrorKind::InvalidInput)
    };
    let (a, b) = (c_path(a)?, c_path(b)?);
    // SAFETY: two NUL-terminated paths that live across the call.
    let done = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            a.as_ptr(),
            libc::AT_FDCWD,
            b.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if done == 0 { Ok(()) } else { Err(io::Error::last_os_error()) }
}

/// Syncs a directory so that a rename or removal in it survives a power cut. Some file
/// systems refuse to sync a directory, and the files in it are complete anyway, so a failure
/// is only logged.
pub fn sync_dir_or_log(dir: &Path) {
    if let Err(error) = File::open(dir).and_then(|d| d.sync_all()) {
        log::debug!("could not sync the directory {}: {error}", dir.display());
    }
}

/// Creates `dir` and its missing parents with mode 0700, unless it exists; a directory the
/// user made is left with the mode they gave it.
pub fn create_private_dir(dir: &Path) -> io::Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn mode(path: &Path) -> u32 {
        fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn replace_swaps_in_the_new_file_and_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let (temp, target) = (dir.path().join(".t.tmp"), dir.path().join("t"));
        for contents in ["first", "second", "third"] {
            fs::write(&temp, contents).unwrap();
            replace(&temp, &target).unwrap();
            assert_eq!(fs::read_to_string(&target).unwrap(), contents);
            assert!(!temp.exists(), "{contents}");
        }
    }

    #[test]
    fn replaces_the_file_with_the_mode_asked_and_leaves_nothing_behind() {
        let temp = tempfile::tempdir().unwrap();
        let dir = temp.path().join("a/b");
        let target = dir.join("file");

        create_private_dir(&dir).unwrap();
        fs::write(&target, "old").unwrap();
        for sync in [Sync::No, Sync::Durable] {
            write_atomically(&dir, &target, ".file.", 0o600, b"new", sync).unwrap();
        }

        assert_eq!(fs::read(&target).unwrap(), b"new");
        assert_eq!(mode(&target), 0o600);
        assert_eq!(mode(&dir), 0o700);
        assert_eq!(fs::read_dir(&dir).unwrap().count(), 1, "no temporary file is left");
    }

    #[test]
    fn an_existing_directory_keeps_its_mode() {
        let temp = tempfile::tempdir().unwrap();
        fs::set_permissions(temp.path(), fs::Permissions::from_mode(0o750)).unwrap();

        create_private_dir(temp.path()).unwrap();

        assert_eq!(mode(temp.path()), 0o750);
    }

    #[test]
    fn temporary_files_carry_the_suffix() {
        let temp = tempfile::tempdir().unwrap();

        let file = temp_file_in(temp.path(), ".x.", 0o640).unwrap();

        let name = file.path().file_name().unwrap().to_string_lossy().into_owned();
        assert!(name.starts_with(".x.") && name.ends_with(TEMP_SUFFIX), "{name}");
        assert_eq!(mode(file.path()), 0o640);
    }
}
