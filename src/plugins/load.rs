//! Finding plugin files, checking who may have changed them, loading them, and the handshake.

use std::fs;
use std::os::unix::fs::MetadataExt as _;
use std::path::{Path, PathBuf};

use awsuse_plugin::abi::{self, Descriptor, Entry};
use libloading::Library;

use super::{Plugin, Refusal};

/// The versions the handshake recognises to explain a mismatch; only 1 is spoken.
const OTHER_VERSIONS: std::ops::RangeInclusive<u32> = 0..=16;

/// The plugin files of one directory, sorted by name, or why the directory is refused.
/// A directory that does not exist holds no plugins and is no error.
pub fn files_in(dir: &Path) -> Result<Vec<PathBuf>, Refusal> {
    if !dir.exists() {
        return Ok(Vec::new());
    }
    check_permissions(dir).map_err(|reason| Refusal { path: dir.to_owned(), reason })?;
    let entries = fs::read_dir(dir).map_err(|e| Refusal {
        path: dir.to_owned(),
        reason: format!("could not read the directory: {e}"),
    })?;

    let mut files: Vec<PathBuf> = entries
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == std::env::consts::DLL_EXTENSION))
        .collect();
    files.sort();
    Ok(files)
}

/// Refuses what someone other than the user (or root) could have changed: code loaded from
/// such a file runs with the user's AWS keys at hand.
pub fn check_permissions(path: &Path) -> Result<(), String> {
    let meta = fs::metadata(path).map_err(|e| format!("could not read its metadata: {e}"))?;
    let shown = path.display();
    if meta.mode() & 0o022 != 0 {
        return Err(format!(
            "it is writable by group or others (mode {:o}); fix it with `chmod go-w {shown}`",
            meta.mode() & 0o7777
        ));
    }
    // SAFETY: geteuid has no preconditions and cannot fail.
    let me = unsafe { libc::geteuid() };
    if meta.uid() != me && meta.uid() != 0 {
        return Err(format!(
            "it is owned by user id {}, not by you or root; fix it with `chown {me} {shown}` or remove it",
            meta.uid()
        ));
    }
    Ok(())
}

/// Loads one plugin file and checks its descriptor. The library is never unloaded: a plugin
/// may have started threads, and the process ends soon anyway.
pub fn load(path: &Path) -> Result<Plugin, String> {
    check_permissions(path)?;

    // SAFETY: loading runs the library's initialisers. The file passed the permission check,
    // so it is the user's own code; that is the trust a plugin directory means.
    let library = unsafe { Library::new(path) }
        .map_err(|e| format!("could not load it as a shared library: {e}"))?;
    let library: &'static Library = Box::leak(Box::new(library));

    // SAFETY: the symbol has the documented signature when it exists at all.
    let entry = match unsafe { library.get::<Entry>(abi::ENTRY_SYMBOL) } {
        Ok(entry) => *entry,
        Err(_) => return Err(missing_entry(library)),
    };

    // SAFETY: calling the entry point is what the interface asks of the host.
    let descriptor = unsafe { entry() };
    if descriptor.is_null() {
        return Err("its entry point awsuse_plugin_v1 returned a null descriptor".to_owned());
    }
    // SAFETY: non-null, and every descriptor version begins with the two u32 fields.
    let (size, version) = unsafe {
        let head = descriptor.cast::<u32>();
        (head.read_unaligned(), head.add(1).read_unaligned())
    };
    if version != abi::VERSION {
        return Err(format!(
            "it is built for plugin interface version {version}, but this awsuse speaks version {}; rebuild it against version {}",
            abi::VERSION,
            abi::VERSION
        ));
    }
    if (size as usize) < size_of::<Descriptor>() {
        return Err(format!(
            "its descriptor is {size} bytes, smaller than the {} bytes of interface version 1",
            size_of::<Descriptor>()
        ));
    }

    // SAFETY: the version and size say the whole version 1 structure is there, and the
    // library stays loaded for the life of the process.
    let descriptor: &'static Descriptor = unsafe { &*descriptor };
    describe(path, descriptor)
}

/// Names what went wrong when `awsuse_plugin_v1` is absent: another version, or no plugin.
fn missing_entry(library: &Library) -> String {
    for version in OTHER_VERSIONS.filter(|&v| v != abi::VERSION) {
        let symbol = format!("awsuse_plugin_v{version}\0");
        // SAFETY: only the symbol's presence is checked; it is never called.
        if unsafe { library.get::<*const ()>(symbol.as_bytes()) }.is_ok() {
            return format!(
                "it is built for plugin interface version {version} (it exports awsuse_plugin_v{version}), but this awsuse speaks version {}; rebuild it against version {}",
                abi::VERSION,
                abi::VERSION
            );
        }
    }
    "it does not export the entry symbol awsuse_plugin_v1; is it an awsuse plugin?".to_owned()
}

/// Reads the descriptor's strings and checks that each declared hook is there.
fn describe(path: &Path, d: &'static Descriptor) -> Result<Plugin, String> {
    // SAFETY: descriptor strings live as long as the library, which is never unloaded.
    let name = std::str::from_utf8(unsafe { d.name.as_bytes() })
        .map_err(|_| "its name is not UTF-8".to_owned())?;
    let valid = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
    if name.is_empty() || name.len() > 64 || !name.chars().all(valid) {
        return Err(format!("its name {name:?} is not 1 to 64 ASCII letters, digits, '-' or '_'"));
    }
    // SAFETY: as above.
    let version = String::from_utf8_lossy(unsafe { d.plugin_version.as_bytes() }).into_owned();

    let declared = [
        (abi::HOOK_PROFILES, d.profiles.is_some(), "profiles"),
        (abi::HOOK_CREDENTIALS, d.credentials.is_some(), "credentials"),
        (abi::HOOK_MFA_CODE, d.mfa_code.is_some(), "mfa_code"),
        (abi::HOOK_AFTER_SWITCH, d.after_switch.is_some(), "after_switch"),
    ];
    for (bit, present, hook) in declared {
        if d.hooks & bit != 0 && !present {
            return Err(format!("it declares the {hook} hook but gives no function for it"));
        }
    }
    if d.hooks & abi::HOOKS_KNOWN != 0 && d.free_buffer.is_none() {
        return Err("it has hooks but no free_buffer function".to_owned());
    }
    Ok(Plugin { name: name.to_owned(), version, path: path.to_owned(), descriptor: d })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt as _;

    #[test]
    fn group_writable_files_are_refused_with_the_fix() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("x.so");
        fs::write(&file, b"").unwrap();
        fs::set_permissions(&file, fs::Permissions::from_mode(0o664)).unwrap();
        let reason = check_permissions(&file).unwrap_err();
        assert!(reason.contains("chmod go-w"), "{reason}");

        fs::set_permissions(&file, fs::Permissions::from_mode(0o644)).unwrap();
        assert_eq!(check_permissions(&file), Ok(()));
    }

    #[test]
    fn only_shared_libraries_are_candidates() {
        let dir = tempfile::tempdir().unwrap();
        fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o755)).unwrap();
        for name in ["b.so", "a.so", "notes.txt", "c.so.bak"] {
            fs::write(dir.path().join(name), b"").unwrap();
        }
        let files = files_in(dir.path()).unwrap();
        let names: Vec<_> = files.iter().map(|p| p.file_name().unwrap().to_owned()).collect();
        assert_eq!(names, ["a.so", "b.so"]);
        assert!(files_in(&dir.path().join("absent")).unwrap().is_empty());
    }

    #[test]
    fn a_file_that_is_no_library_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("x.so");
        fs::write(&file, b"not a library").unwrap();
        fs::set_permissions(&file, fs::Permissions::from_mode(0o644)).unwrap();
        let reason = load(&file).err().unwrap();
        assert!(reason.contains("could not load it"), "{reason}");
    }
}
