//! Absolute paths, cheaply. `std::path::absolute` rebuilds the path component by
//! component (and asks the OS for the working directory when the path is relative);
//! a directory walk asks this for every file and directory it meets, where the path is
//! almost always absolute and clean already.

use std::borrow::Cow;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// `std::path::absolute(path)`, or `path` itself when that fails; borrowed when `path`
/// is already what `std::path::absolute` would return.
pub fn absolute(path: &Path) -> Cow<'_, Path> {
    if is_clean_absolute(path) {
        return Cow::Borrowed(path);
    }
    // A relative path is joined to the working directory asked for once, not once per
    // path: with `pitfall check .` every path is relative, and asking is a system call.
    let joined = match working_dir() {
        Some(cwd) if path.is_relative() && !path.as_os_str().is_empty() => {
            Cow::Owned(cwd.join(path))
        }
        _ => Cow::Borrowed(path),
    };
    Cow::Owned(std::path::absolute(&joined).unwrap_or_else(|_| path.to_owned()))
}

/// The working directory, asked of the OS on first use: pitfall never changes it.
fn working_dir() -> Option<&'static Path> {
    static WORKING_DIR: OnceLock<Option<PathBuf>> = OnceLock::new();
    WORKING_DIR
        .get_or_init(|| std::env::current_dir().ok())
        .as_deref()
}

/// Whether `path` is absolute with nothing for `std::path::absolute` to normalise: no
/// `.` component, no repeated or trailing separator (POSIX only; elsewhere, `false`).
fn is_clean_absolute(path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let bytes = path.as_os_str().as_bytes();
        if bytes.len() < 2 || bytes[0] != b'/' || bytes.ends_with(b"/") {
            return false;
        }
        // One pass: after a separator, neither another one nor a `.` component.
        let mut after_separator = false;
        for (i, &byte) in bytes.iter().enumerate() {
            if after_separator
                && (byte == b'/' || (byte == b'.' && matches!(bytes.get(i + 1), None | Some(b'/'))))
            {
                return false;
            }
            after_separator = byte == b'/';
        }
        true
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agrees_with_the_standard_library() {
        let cwd = std::env::current_dir().unwrap();
        let relative = [
            "a.py",
            "./a.py",
            "pkg/../a.py",
            ".",
            "",
            "a/",
            "a//b",
            "./",
            "a/.",
            "..",
            "../x",
        ];
        let already = [
            "/",
            "//x",
            "/a/b.py",
            "/a//b.py",
            "/a/./b.py",
            "/a/b/",
            "/a/.",
            "/a/../b",
            "/a/.hidden/b",
            "/a/b..py",
            "/.",
        ];
        for path in relative.iter().chain(&already) {
            let path = Path::new(path);
            let expected = std::path::absolute(path).unwrap_or_else(|_| path.to_owned());
            assert_eq!(absolute(path).as_os_str(), expected.as_os_str(), "{path:?}");
        }
        assert!(matches!(absolute(Path::new("/a/b.py")), Cow::Borrowed(_)));
        assert!(matches!(absolute(&cwd.join("x/./y")), Cow::Owned(_)));
    }
}
