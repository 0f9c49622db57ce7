//! Reading and updating the state file on disk, safely under many concurrent shells.

use std::fs::{self, File, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use crate::fsutil;

use super::error::{StateError, Warning};
use super::file::{self, Decoded};
use super::recents::{Identity, Recents};

/// The state file's name inside the state directory.
pub const FILE_NAME: &str = "recent.json";
/// The lock file's name; it is never renamed, so every writer locks the same inode.
pub const LOCK_NAME: &str = "recent.lock";

/// The new file is written here first. Only the lock holder writes it, so one name serves
/// every writer, and one left behind by a killed writer is simply written over.
const TEMP_NAME: &str = ".recent.json.tmp";

/// The state file of one state directory.
#[derive(Clone, Debug)]
pub struct StateStore {
    dir: PathBuf,
}

/// What was found where the state file should be.
enum Found {
    Missing,
    Current(Recents),
    Newer(u64),
    Damaged(String),
    Unreadable(io::Error),
}

impl StateStore {
    pub fn new(dir: PathBuf) -> Self {
        Self { dir }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The state file itself.
    pub fn path(&self) -> PathBuf {
        self.dir.join(FILE_NAME)
    }

    /// Reads the remembered profiles; see [`StateStore::load_at`]. The clock is read only to
    /// name a damaged file that gets set aside.
    pub fn load(&self) -> (Recents, Option<Warning>) {
        let now = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
        self.load_at(now)
    }

    /// Reads the remembered profiles without taking the lock, since a writer only ever
    /// renames a whole file into place. This never fails: a missing file is empty, and a
    /// file that cannot be used is empty with one warning. A damaged file is moved to
    /// `recent.json.damaged-<now>`; an unreadable one or one from a newer awsuse stays put.
    pub fn load_at(&self, now: u64) -> (Recents, Option<Warning>) {
        let path = self.path();
        match read(&path) {
            Found::Missing => (Recents::default(), None),
            Found::Current(recents) => (recents, None),
            Found::Newer(version) => (Recents::default(), Some(Warning::Newer { path, version })),
            Found::Unreadable(error) => {
                (Recents::default(), Some(Warning::Unreadable { path, error }))
            }
            Found::Damaged(problem) => self.recover(problem, now),
        }
    }

    /// Counts one use of `profile` at `now`. The warning, if any, is about a damaged file
    /// that was set aside first, or a newer file that was left alone (and so not updated).
    pub fn record_use(&self, profile: &str, now: u64) -> Result<Option<Warning>, StateError> {
        self.update(now, |recents| recents.record_use(profile, now))
    }

    /// Remembers who `profile` turned out to be, checked at `now`. It does not count a use.
    pub fn record_identity(
        &self,
        profile: &str,
        identity: Identity,
        now: u64,
    ) -> Result<Option<Warning>, StateError> {
        self.update(now, |recents| recents.record_identity(profile, identity, now))
    }

    /// Sets a damaged file aside, found by a reader that holds no lock. A writer may have
    /// replaced the file since it was read, so it is read again under the lock first, lest
    /// a good file be moved away.
    fn recover(&self, problem: String, now: u64) -> (Recents, Option<Warning>) {
        let path = self.path();
        let lock = match self.open_lock().and_then(|lock| lock.lock().map(|()| lock)) {
            Ok(lock) => lock,
            Err(error) => {
                return (Recents::default(), Some(Warning::Damaged { path, problem, error }));
            }
        };

        let result = match read(&path) {
            Found::Damaged(problem) => {
                let warning = match set_aside(&path, now) {
                    Ok(moved_to) => Warning::SetAside { path, problem, moved_to },
                    Err(error) => Warning::Damaged { path, problem, error },
                };
                (Recents::default(), Some(warning))
            }
            Found::Missing => (Recents::default(), None),
            Found::Current(recents) => (recents, None),
            Found::Newer(version) => (Recents::default(), Some(Warning::Newer { path, version })),
            Found::Unreadable(error) => {
                (Recents::default(), Some(Warning::Unreadable { path, error }))
            }
        };
        drop(lock);
        result
    }

    /// Read, change and write the file as one step that no other writer can interleave with.
    fn update(
        &self,
        now: u64,
        change: impl FnOnce(&mut Recents),
    ) -> Result<Option<Warning>, StateError> {
        let path = self.path();
        fsutil::create_private_dir(&self.dir)
            .map_err(|e| StateError::writing("could not create state directory", &self.dir, e))?;
        let lock = self.lock()?;

        // Whatever is on disk now is the truth; a copy read before the lock may be stale.
        let (mut recents, warning) = match read(&path) {
            Found::Missing => (Recents::default(), None),
            Found::Current(recents) => (recents, None),
            Found::Newer(version) => return Ok(Some(Warning::Newer { path, version })),
            Found::Unreadable(error) => return Err(StateError::unreadable(&path, error)),
            Found::Damaged(problem) => {
                let moved_to = set_aside(&path, now).map_err(|e| StateError::stuck(&path, e))?;
                (
                    Recents::default(),
                    Some(Warning::SetAside { path: path.clone(), problem, moved_to }),
                )
            }
        };

        change(&mut recents);
        write_atomically(&self.dir, &path, &file::encode(&recents))
            .map_err(|e| StateError::writing("could not write state file", &path, e))?;

        // Closing the lock file releases the lock.
        drop(lock);
        Ok(warning)
    }

    fn lock_path(&self) -> PathBuf {
        self.dir.join(LOCK_NAME)
    }

    /// Takes the exclusive lock, waiting for it; the kernel lets go of it if its holder dies.
    fn lock(&self) -> Result<File, StateError> {
        let path = self.lock_path();
        let file = self
            .open_lock()
            .map_err(|e| StateError::writing("could not open lock file", &path, e))?;
        file.lock().map_err(|e| StateError::writing("could not lock", &path, e))?;
        Ok(file)
    }

    fn open_lock(&self) -> io::Result<File> {
        let mut options = OpenOptions::new();
        options.read(true).write(true).create(true).truncate(false);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        options.open(self.lock_path())
    }
}

fn read(path: &Path) -> Found {
    // Opening a FIFO would block and a directory cannot be read: look before opening.
    let metadata = match fs::metadata(path) {
        Ok(metadata) => metadata,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Found::Missing,
        Err(e) => return Found::Unreadable(e),
    };
    if metadata.is_dir() {
        return Found::Damaged("a directory is in its place".to_owned());
    }
    if !metadata.is_file() {
        return Found::Damaged("it is not a regular file".to_owned());
    }

    let bytes = match fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Found::Missing,
        Err(e) => return Found::Unreadable(e),
    };
    match file::decode(&bytes) {
        Ok(Decoded::Current(recents)) => Found::Current(recents),
        Ok(Decoded::Newer(version)) => Found::Newer(version),
        Err(problem) => Found::Damaged(problem),
    }
}

/// Renames a damaged file to `<name>.damaged-<now>`, with a counter if that name is taken,
/// so that no earlier damaged file is ever replaced. The caller holds the lock.
fn set_aside(path: &Path, now: u64) -> io::Result<PathBuf> {
    let base = format!("{}.damaged-{now}", path.display());
    let mut target = PathBuf::from(&base);
    let mut counter = 1;
    while fs::symlink_metadata(&target).is_ok() {
        target = PathBuf::from(format!("{base}.{counter}"));
        counter += 1;
    }
    fs::rename(path, &target)?;
    Ok(target)
}

/// Writes `bytes` to a temporary file beside `path` and puts it in the place of `path`, so
/// that a process killed at any moment leaves either the old file or the new one. The caller
/// holds the lock.
fn write_atomically(dir: &Path, path: &Path, bytes: &[u8]) -> io::Result<()> {
    // Nothing is synced: a flush to disk would cost a switch more than everything else it
    // does, for a list of recent names. After a power cut the file may be the old one or,
    // on file systems that do not order the rename after the data, damaged, and a damaged
    // file is set aside with a warning.
    let temp = dir.join(TEMP_NAME);
    let mut options = OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::custom_flags(&mut options, libc::O_NOFOLLOW);
    if let Err(error) = io::Write::write_all(&mut options.open(&temp)?, bytes) {
        // A disk that is full now may not be later: leave nothing half written behind.
        let _ = fs::remove_file(&temp);
        return Err(error);
    }
    fsutil::replace(&temp, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store() -> (tempfile::TempDir, StateStore) {
        let temp = tempfile::tempdir().unwrap();
        let store = StateStore::new(temp.path().join("state"));
        (temp, store)
    }

    fn write_raw(store: &StateStore, bytes: &[u8]) {
        fs::create_dir_all(store.dir()).unwrap();
        fs::write(store.path(), bytes).unwrap();
    }

    fn files_in(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        names
    }

    fn identity() -> Identity {
        Identity {
            account_id: "111122223333".into(),
            arn: "arn:aws:iam::111122223333:user/me".into(),
            partition: "aws".into(),
        }
    }

    #[test]
    fn a_missing_file_is_empty_without_warning() {
        let (_temp, store) = store();

        let (recents, warning) = store.load_at(1);

        assert!(recents.is_empty());
        assert!(warning.is_none());
        assert!(!store.dir().exists(), "reading must not create the directory");
    }

    #[test]
    fn updates_are_read_back() {
        let (_temp, store) = store();

        assert!(store.record_use("dev", 100).unwrap().is_none());
        assert!(store.record_use("prod", 200).unwrap().is_none());
        assert!(store.record_identity("prod", identity(), 201).unwrap().is_none());
        assert!(store.record_use("dev", 300).unwrap().is_none());

        let (recents, warning) = store.load_at(400);
        assert!(warning.is_none());
        let names: Vec<&str> = recents.recent(10).iter().map(|e| e.name.as_str()).collect();
        assert_eq!(names, ["dev", "prod"]);
        assert_eq!(recents.get("dev").unwrap().uses, 2);
        let prod = recents.get("prod").unwrap();
        assert_eq!(
            prod.identity.as_ref().map(|c| (&c.identity, c.checked_at)),
            Some((&identity(), 201))
        );
    }

    #[cfg(unix)]
    #[test]
    fn creates_a_private_directory_and_file() {
        use std::os::unix::fs::PermissionsExt;
        let (_temp, store) = store();
        let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;

        store.record_use("dev", 1).unwrap();

        assert_eq!(mode(store.dir()), 0o700);
        assert_eq!(mode(&store.path()), 0o600);
        assert_eq!(mode(&store.dir().join(LOCK_NAME)), 0o600);
        assert_eq!(files_in(store.dir()), [FILE_NAME, LOCK_NAME]);
    }

    #[test]
    fn a_damaged_file_is_set_aside_once_and_a_new_one_works() {
        let (_temp, store) = store();
        write_raw(&store, b"{\"version\":1,\"profiles\":[{\"name\":");

        let (recents, warning) = store.load_at(1_700_000_000);

        assert!(recents.is_empty());
        let moved_to = store.dir().join("recent.json.damaged-1700000000");
        let message = warning.expect("a warning").to_string();
        assert!(message.contains(&store.path().display().to_string()), "{message}");
        assert!(message.contains("not valid JSON"), "{message}");
        assert!(message.contains(&moved_to.display().to_string()), "{message}");
        assert_eq!(fs::read(&moved_to).unwrap(), b"{\"version\":1,\"profiles\":[{\"name\":");

        // Once set aside, the next read is quiet and writing starts a fresh file.
        assert!(store.load_at(1_700_000_001).1.is_none());
        assert!(store.record_use("dev", 5).unwrap().is_none());
        assert_eq!(store.load_at(6).0.get("dev").map(|e| e.uses), Some(1));
    }

    #[test]
    fn a_writer_sets_a_damaged_file_aside_too() {
        let (_temp, store) = store();
        write_raw(&store, b"\xff\xfe not text");

        let warning = store.record_use("dev", 42).unwrap().expect("a warning");

        assert!(matches!(&warning, Warning::SetAside { problem, .. } if problem.contains("UTF-8")));
        assert!(store.dir().join("recent.json.damaged-42").is_file());
        assert_eq!(store.load_at(43).0.get("dev").map(|e| e.uses), Some(1));
    }

    #[test]
    fn a_directory_in_its_place_is_set_aside() {
        let (_temp, store) = store();
        fs::create_dir_all(store.path().join("inside")).unwrap();

        let (_, warning) = store.load_at(9);

        assert!(
            matches!(warning, Some(Warning::SetAside { ref problem, .. }) if problem.contains("directory"))
        );
        assert!(store.dir().join("recent.json.damaged-9/inside").is_dir());
    }

    #[test]
    fn setting_aside_never_replaces_an_earlier_damaged_file() {
        let (_temp, store) = store();
        write_raw(&store, b"first");
        store.load_at(7);
        write_raw(&store, b"second");

        let (_, warning) = store.load_at(7);

        assert!(matches!(warning, Some(Warning::SetAside { .. })));
        assert_eq!(fs::read(store.dir().join("recent.json.damaged-7")).unwrap(), b"first");
        assert_eq!(fs::read(store.dir().join("recent.json.damaged-7.1")).unwrap(), b"second");
    }

    #[test]
    fn a_newer_file_is_read_as_empty_and_never_overwritten() {
        let (_temp, store) = store();
        let newer = br#"{"version":2,"profiles":[{"name":"dev","seen":[1,2]}]}"#;
        write_raw(&store, newer);

        let (recents, warning) = store.load_at(1);
        let written = store.record_use("dev", 2).unwrap();
        let checked = store.record_identity("dev", identity(), 3).unwrap();

        assert!(recents.is_empty());
        for warning in [warning, written, checked] {
            let message = warning.expect("a warning").to_string();
            assert!(message.contains("newer awsuse") && message.contains("version 2"), "{message}");
        }
        assert_eq!(fs::read(store.path()).unwrap(), newer);
        assert_eq!(files_in(store.dir()), [FILE_NAME, LOCK_NAME]);
    }

    #[cfg(unix)]
    #[test]
    fn an_unreadable_file_warns_and_stays() {
        use std::os::unix::fs::PermissionsExt;
        let (_temp, store) = store();
        write_raw(&store, b"{\"version\":1,\"profiles\":[]}");
        fs::set_permissions(store.path(), fs::Permissions::from_mode(0o000)).unwrap();
        if File::open(store.path()).is_ok() {
            eprintln!("skipped: this user reads files whatever their mode (root)");
            return;
        }

        let (_, warning) = store.load_at(1);
        let error = store.record_use("dev", 2).unwrap_err();

        assert!(matches!(warning, Some(Warning::Unreadable { .. })));
        assert!(error.to_string().starts_with("could not read state file"), "{error}");
        assert!(store.path().exists());
        assert_eq!(files_in(store.dir()), [FILE_NAME, LOCK_NAME]);
    }

    #[cfg(unix)]
    #[test]
    fn a_read_only_directory_is_an_error_that_leaves_the_file_alone() {
        use std::os::unix::fs::PermissionsExt;
        let (_temp, store) = store();
        store.record_use("dev", 1).unwrap();
        let before = fs::read(store.path()).unwrap();
        fs::set_permissions(store.dir(), fs::Permissions::from_mode(0o500)).unwrap();
        if File::create(store.dir().join("probe")).is_ok() {
            eprintln!("skipped: this user writes anywhere whatever the mode (root)");
            return;
        }

        let error = store.record_use("dev", 2).unwrap_err();
        fs::set_permissions(store.dir(), fs::Permissions::from_mode(0o700)).unwrap();

        let message = error.to_string();
        assert!(message.starts_with("could not write state file"), "{message}");
        assert!(message.contains(&format!("make {} writable", store.dir().display())), "{message}");
        assert_eq!(fs::read(store.path()).unwrap(), before);
    }

    #[test]
    fn a_failed_write_names_the_path_and_what_to_do() {
        let temp = tempfile::tempdir().unwrap();
        let blocker = temp.path().join("not-a-dir");
        fs::write(&blocker, b"").unwrap();
        let store = StateStore::new(blocker.join("awsuse"));

        let error = store.record_use("dev", 1).unwrap_err();

        let message = error.to_string();
        assert!(message.starts_with("could not create state directory"), "{message}");
        assert!(message.contains(&store.dir().display().to_string()), "{message}");
        assert!(message.contains("AWSUSE_STATE_DIR"), "{message}");
        assert_eq!(error.path(), store.dir());
    }

    #[test]
    fn the_temporary_file_of_a_killed_writer_is_written_over() {
        let (_temp, store) = store();
        store.record_use("dev", 1).unwrap();
        fs::write(store.dir().join(TEMP_NAME), b"half").unwrap();

        store.record_use("prod", 2).unwrap();

        assert_eq!(files_in(store.dir()), [FILE_NAME, LOCK_NAME]);
        let (recents, warning) = store.load_at(3);
        assert!(warning.is_none());
        let names: Vec<&str> = recents.entries().iter().map(|e| e.name.as_str()).collect();
        assert_eq!(names, ["prod", "dev"]);
    }
}
