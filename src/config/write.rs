//! Adding a section to an AWS file without touching a byte that is already there.
//!
//! [`append`] works on bytes: the old content stays a byte-exact prefix of the new one, new
//! lines follow the file's own line endings, and a missing final newline is added before the
//! new section. [`append_to_file`] and [`replace`] put the result in place the safe way: through
//! symbolic links to the real file, into a temporary file in the same directory that carries the
//! old mode and owner, synced, then renamed over the original, so an interrupted write leaves
//! the old file whole. A file that does not exist yet is created with mode 0600, in a directory
//! created with mode 0700.

use std::fs::{self, File};
use std::io::{self, Write as _};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result, bail};

use super::FileKind;
use crate::fsutil;

/// Mode of a file this module creates: it may hold secrets.
const NEW_FILE_MODE: u32 = 0o600;
/// Symbolic links followed before giving up, as the kernel does.
const MAX_LINKS: usize = 40;

/// A section to add: its header line without brackets, and its properties in order.
#[derive(Clone, PartialEq, Eq)]
pub struct NewSection {
    pub header: String,
    pub properties: Vec<(String, String)>,
}

impl std::fmt::Debug for NewSection {
    // The properties may be keys: only their names are shown.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let keys: Vec<&str> = self.properties.iter().map(|(k, _)| k.as_str()).collect();
        f.debug_struct("NewSection").field("header", &self.header).field("keys", &keys).finish()
    }
}

impl NewSection {
    /// The section of profile `name` in a file of `kind`: `[NAME]` in the credentials file,
    /// `[default]` or `[profile NAME]` in the config file.
    pub fn profile(kind: FileKind, name: &str, properties: Vec<(String, String)>) -> Self {
        let header = match kind {
            FileKind::Credentials => name.to_owned(),
            FileKind::Config if name == "default" => "default".to_owned(),
            FileKind::Config => format!("profile {name}"),
        };
        Self { header, properties }
    }

    /// Refuses text that would change the file's structure or read differently elsewhere: line
    /// breaks anywhere, and brackets in the header.
    fn check(&self) -> Result<()> {
        let breaks = |text: &str| text.contains(['\n', '\r']);
        if breaks(&self.header) || self.header.contains([']', '[']) {
            bail!("a section header cannot contain line breaks or brackets");
        }
        if self.properties.iter().any(|(k, v)| breaks(k) || breaks(v) || k.contains('=')) {
            bail!("a property cannot contain line breaks, and its name cannot contain '='");
        }
        Ok(())
    }
}

/// The line ending a file uses: the one of its first line, `\n` when it has none.
fn line_ending(existing: &[u8]) -> &'static [u8] {
    match existing.iter().position(|&b| b == b'\n') {
        Some(at) if at > 0 && existing[at - 1] == b'\r' => b"\r\n",
        _ => b"\n",
    }
}

/// `existing` followed by `section`. Every byte of `existing` is kept; a missing final line
/// ending is added and one blank line separates the new section from the last line.
pub fn append(existing: &[u8], section: &NewSection) -> Vec<u8> {
    let eol = line_ending(existing);
    let mut out = existing.to_vec();

    // A final line without its ending would run into the new header. A file cut between the
    // CR and the LF of its last line gets the LF alone: a whole CRLF after the CR would make
    // that line read as ending in a stray CR, which is no longer blank or no longer the value.
    if out.ends_with(b"\r") {
        out.push(b'\n');
    } else if !out.is_empty() && !out.ends_with(b"\n") {
        out.extend_from_slice(eol);
    }
    let last_line_blank = {
        let body = out.strip_suffix(eol).unwrap_or(&out);
        out.is_empty() || body.is_empty() || body.ends_with(b"\n")
    };
    if !last_line_blank {
        out.extend_from_slice(eol);
    }

    // Comments never go after a value: botocore would read them as part of it.
    out.push(b'[');
    out.extend_from_slice(section.header.as_bytes());
    out.push(b']');
    out.extend_from_slice(eol);
    for (key, value) in &section.properties {
        out.extend_from_slice(key.as_bytes());
        out.extend_from_slice(b" = ");
        out.extend_from_slice(value.as_bytes());
        out.extend_from_slice(eol);
    }
    out
}

/// What a file held before a write, so that the write can be undone.
#[derive(Clone, PartialEq, Eq)]
pub enum Previous {
    Missing,
    Contents(Vec<u8>),
}

impl std::fmt::Debug for Previous {
    // The contents may be secrets.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Previous::Missing => f.write_str("Missing"),
            Previous::Contents(bytes) => write!(f, "Contents({} bytes)", bytes.len()),
        }
    }
}

/// Adds `section` at the end of the file at `path` (creating the file when missing) and returns
/// what the file held before.
pub fn append_to_file(path: &Path, section: &NewSection) -> Result<Previous> {
    section.check()?;
    let previous = read_previous(path)?;
    let old = match &previous {
        Previous::Missing => &[][..],
        Previous::Contents(bytes) => bytes,
    };
    replace(path, &previous, &append(old, section))?;
    Ok(previous)
}

/// Puts back what [`append_to_file`] found before it added `section`, after a later step
/// failed. A file changed by someone else since is left alone.
pub fn restore(path: &Path, previous: &Previous, section: &NewSection) -> Result<()> {
    let target = resolve_links(path)?;
    let old = match previous {
        Previous::Missing => &[][..],
        Previous::Contents(bytes) => bytes,
    };
    let now = Previous::Contents(append(old, section));
    match previous {
        Previous::Missing => {
            ensure_unchanged(&target, &now)?;
            fs::remove_file(&target)
                .with_context(|| format!("could not remove {}", target.display()))?;
            sync_dir(&target);
            Ok(())
        }
        Previous::Contents(bytes) => replace(path, &now, bytes),
    }
}

fn read_previous(path: &Path) -> Result<Previous> {
    match fs::read(path) {
        Ok(bytes) => Ok(Previous::Contents(bytes)),
        Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(Previous::Missing),
        Err(error) => Err(error).with_context(|| format!("could not read {}", path.display())),
    }
}

/// Replaces the file at `path` (the file a chain of symbolic links ends at) with `contents`,
/// provided it still holds `expected`. Mode and owner are kept; a new file gets mode 0600.
pub fn replace(path: &Path, expected: &Previous, contents: &[u8]) -> Result<()> {
    let target = resolve_links(path)?;
    let dir = match target.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        _ => PathBuf::from("."),
    };

    // The old file's mode and owner carry over; a new file and its directory are private.
    let existing = match fs::metadata(&target) {
        Ok(meta) => Some(meta),
        Err(error) if error.kind() == io::ErrorKind::NotFound => None,
        Err(error) => {
            return Err(error).with_context(|| format!("could not read {}", target.display()));
        }
    };
    if existing.is_none() {
        create_dir(&dir)?;
    }
    ensure_unchanged(&target, expected)?;

    // Same directory, so the rename cannot cross file systems and is atomic.
    let unwritable = || {
        format!(
            "could not write a temporary file in {} (make the directory writable, or set \
             AWS_SHARED_CREDENTIALS_FILE and AWS_CONFIG_FILE to files in a writable one)",
            dir.display()
        )
    };
    let mut temp =
        fsutil::temp_file_in(&dir, ".awsuse-", NEW_FILE_MODE).with_context(unwritable)?;
    temp.write_all(contents).with_context(unwritable)?;
    if let Some(meta) = &existing {
        keep_owner_and_mode(temp.as_file(), meta, &target)?;
    }
    temp.as_file().sync_all().with_context(unwritable)?;

    // Someone may have saved the file while this one was written.
    ensure_unchanged(&target, expected)?;
    fsutil::persist(temp, &target).with_context(|| {
        format!("could not replace {} (make its directory writable)", target.display())
    })?;
    sync_dir(&target);
    Ok(())
}

fn keep_owner_and_mode(file: &File, old: &fs::Metadata, target: &Path) -> Result<()> {
    let new = file.metadata()?;
    if (new.uid(), new.gid()) != (old.uid(), old.gid()) {
        std::os::unix::fs::fchown(file, Some(old.uid()), Some(old.gid())).with_context(|| {
            format!(
                "could not keep the owner of {} (uid {}, gid {}): run awsuse as that user",
                target.display(),
                old.uid(),
                old.gid()
            )
        })?;
    }
    // After the owner: a change of owner may clear set-id bits.
    let mode = old.permissions().mode() & 0o7777;
    file.set_permissions(fs::Permissions::from_mode(mode))
        .with_context(|| format!("could not keep the mode of {}", target.display()))
}

fn ensure_unchanged(target: &Path, expected: &Previous) -> Result<()> {
    if read_previous(target)? != *expected {
        bail!(
            "{} changed while awsuse was writing it; nothing was written by awsuse, run the \
             command again",
            target.display()
        );
    }
    Ok(())
}

fn create_dir(dir: &Path) -> Result<()> {
    fsutil::create_private_dir(dir).with_context(|| {
        format!("could not create the directory {} (check its parent's permissions)", dir.display())
    })
}

/// Makes the rename or removal of `target` durable. A failure here leaves a correct file
/// behind, so it is only logged.
fn sync_dir(target: &Path) {
    if let Some(dir) = target.parent() {
        fsutil::sync_dir_or_log(dir);
    }
}

/// The file a chain of symbolic links ends at (which may not exist yet). Only the final
/// component is followed: linked directories above it work as they are.
pub fn resolve_links(path: &Path) -> Result<PathBuf> {
    let mut current = path.to_path_buf();
    for _ in 0..MAX_LINKS {
        let is_link = fs::symlink_metadata(&current).is_ok_and(|m| m.file_type().is_symlink());
        if !is_link {
            return Ok(current);
        }
        let link = fs::read_link(&current)
            .with_context(|| format!("could not read the symbolic link {}", current.display()))?;
        current = match current.parent() {
            Some(dir) => dir.join(link),
            None => link,
        };
    }
    bail!("{}: too many levels of symbolic links (fix the link)", path.display())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn section() -> NewSection {
        NewSection::profile(FileKind::Credentials, "dev", vec![("k".into(), "v".into())])
    }

    #[test]
    fn headers_follow_the_file_kind() {
        let header = |kind, name| NewSection::profile(kind, name, vec![]).header;
        assert_eq!(header(FileKind::Credentials, "default"), "default");
        assert_eq!(header(FileKind::Credentials, "dev"), "dev");
        assert_eq!(header(FileKind::Config, "default"), "default");
        assert_eq!(header(FileKind::Config, "dev"), "profile dev");
    }

    #[test]
    fn appends_to_nothing_without_blank_lines() {
        assert_eq!(append(b"", &section()), b"[dev]\nk = v\n");
    }

    #[test]
    fn separates_with_one_blank_line_and_keeps_every_old_byte() {
        let cases: [(&[u8], &[u8]); 5] = [
            (b"[a]\nx = 1\n", b"[a]\nx = 1\n\n[dev]\nk = v\n"),
            (b"[a]\nx = 1", b"[a]\nx = 1\n\n[dev]\nk = v\n"),
            (b"[a]\nx = 1\n\n", b"[a]\nx = 1\n\n[dev]\nk = v\n"),
            (b"[a]\r\nx = 1", b"[a]\r\nx = 1\r\n\r\n[dev]\r\nk = v\r\n"),
            (b"\n", b"\n[dev]\nk = v\n"),
        ];
        for (old, new) in cases {
            let appended = append(old, &section());
            assert_eq!(appended, new, "{:?}", String::from_utf8_lossy(old));
            assert!(appended.starts_with(old));
        }
    }

    #[test]
    fn a_final_cr_without_its_lf_is_completed_not_doubled() {
        let cases: [(&[u8], &[u8]); 2] = [
            (b"#\r\n\r", b"#\r\n\r\n[dev]\r\nk = v\r\n"),
            (b"[a]\nx = 1\r", b"[a]\nx = 1\r\n\n[dev]\nk = v\n"),
        ];
        for (old, new) in cases {
            assert_eq!(append(old, &section()), new, "{:?}", String::from_utf8_lossy(old));
        }
    }

    #[test]
    fn line_breaks_in_values_are_refused() {
        let mut bad = section();
        bad.properties.push(("x".into(), "a\nb".into()));
        assert!(bad.check().is_err());
        let mut bad = section();
        bad.header = "a]b".into();
        assert!(bad.check().is_err());
        assert!(section().check().is_ok());
    }

    #[test]
    fn creates_a_private_file_in_a_private_directory() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("new/.aws/credentials");
        let previous = append_to_file(&path, &section()).unwrap();
        assert_eq!(previous, Previous::Missing);
        assert_eq!(fs::read(&path).unwrap(), b"[dev]\nk = v\n");
        let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&path), 0o600);
        assert_eq!(mode(path.parent().unwrap()), 0o700);
        let leftovers = fs::read_dir(path.parent().unwrap()).unwrap().count();
        assert_eq!(leftovers, 1, "no temporary file is left behind");
    }

    #[test]
    fn writes_through_links_and_keeps_the_mode() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("dotfiles/credentials");
        fs::create_dir(dir.path().join("dotfiles")).unwrap();
        fs::write(&real, "# mine\n[a]\nx = 1").unwrap();
        fs::set_permissions(&real, fs::Permissions::from_mode(0o640)).unwrap();
        let link = dir.path().join("credentials");
        std::os::unix::fs::symlink("dotfiles/credentials", &link).unwrap();

        append_to_file(&link, &section()).unwrap();
        assert!(fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
        assert_eq!(fs::read(&real).unwrap(), b"# mine\n[a]\nx = 1\n\n[dev]\nk = v\n");
        assert_eq!(fs::metadata(&real).unwrap().permissions().mode() & 0o7777, 0o640);
    }

    #[test]
    fn the_owner_is_kept_when_root_writes_another_users_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("credentials");
        fs::write(&path, "[a]\n").unwrap();

        // Only root can give a file away; for anyone else there is nothing to check.
        if std::os::unix::fs::chown(&path, Some(65534), Some(65534)).is_err() {
            eprintln!("skipped: only root can hand a file to another user");
            return;
        }
        append_to_file(&path, &section()).unwrap();
        let meta = fs::metadata(&path).unwrap();
        assert_eq!((meta.uid(), meta.gid()), (65534, 65534));
    }

    #[test]
    fn restore_puts_back_the_old_bytes_or_removes_a_new_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config");
        fs::write(&path, "[a]\n").unwrap();
        let previous = append_to_file(&path, &section()).unwrap();
        restore(&path, &previous, &section()).unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"[a]\n");

        let fresh = dir.path().join("fresh");
        let previous = append_to_file(&fresh, &section()).unwrap();
        restore(&fresh, &previous, &section()).unwrap();
        assert!(!fresh.exists());
    }

    #[test]
    fn a_file_changed_behind_its_back_is_not_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config");
        fs::write(&path, "[b]\n").unwrap();
        let stale = Previous::Contents(b"[a]\n".to_vec());
        let error = replace(&path, &stale, b"[a]\n[c]\n").unwrap_err();
        assert!(error.to_string().contains("changed while awsuse was writing"), "{error}");
        assert_eq!(fs::read(&path).unwrap(), b"[b]\n");
    }

    #[test]
    fn link_loops_are_reported() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a");
        std::os::unix::fs::symlink("b", &a).unwrap();
        std::os::unix::fs::symlink("a", dir.path().join("b")).unwrap();
        assert!(resolve_links(&a).unwrap_err().to_string().contains("too many levels"));
    }
}
