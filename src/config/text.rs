//! Reading a whole AWS file into memory that lives as long as the process: sections keep
//! slices of the text, so the buffer is never freed.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

/// The bytes of the file at `path`, for the rest of the process.
pub(super) fn read_whole(path: &Path) -> io::Result<&'static [u8]> {
    let mut file = File::open(path)?;
    let size = usize::try_from(file.metadata()?.len()).unwrap_or(usize::MAX);
    // One byte more than the size, so that reading up to the end needs no second block. The
    // binary's allocator gives a large file a block of its own, in huge pages.
    let mut bytes = Vec::with_capacity(size.saturating_add(1).min(1 << 30));
    file.read_to_end(&mut bytes)?;
    Ok(bytes.leak())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_and_large_files_read_whole() {
        let dir = tempfile::tempdir().unwrap();
        for size in [0, 10, 4096, 600 * 1024, 3 * 1024 * 1024 + 3] {
            let path = dir.path().join(format!("f{size}"));
            let bytes: Vec<u8> = (0..size).map(|i| (i % 251) as u8).collect();
            std::fs::write(&path, &bytes).unwrap();
            assert_eq!(read_whole(&path).unwrap(), &bytes[..], "{size} bytes");
        }
    }

    #[test]
    fn a_missing_file_is_not_found() {
        let error = read_whole(Path::new("/nonexistent/awsuse/config")).unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::NotFound);
    }
}
