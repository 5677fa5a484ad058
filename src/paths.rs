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
    let cwd = working_dir();
    // The walk's paths (`./pkg/mod.py`) need no more than the join.
    if let (Some(cwd), Some(rest)) = (cwd, clean_relative(path))
        && is_clean_absolute(cwd)
    {
        return Cow::Owned(cwd.join(rest));
    }
    let joined = match cwd {
        Some(cwd) if path.is_relative() && !path.as_os_str().is_empty() => {
            Cow::Owned(cwd.join(path))
        }
        _ => Cow::Borrowed(path),
    };
    Cow::Owned(std::path::absolute(&joined).unwrap_or_else(|_| path.to_owned()))
}

/// The bytes of `path` up to and including its last separator, and after it: its
/// directory as written (`/` for `/a.py`, empty for a bare `a.py`, so that the two
/// differ) and its file name. On bytes, because `Path::parent` and `Path::file_name`
/// parse components, which costs more than what the callers on a walk's hot path do
/// with the answer.
pub fn split_dir(path: &Path) -> (&[u8], &[u8]) {
    let bytes = path.as_os_str().as_encoded_bytes();
    let at = bytes
        .iter()
        .rposition(|&b| std::path::is_separator(b.into()))
        .map_or(0, |separator| separator + 1);
    bytes.split_at(at)
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
        bytes.len() >= 2 && bytes[0] == b'/' && is_clean_after_separator(&bytes[1..])
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        false
    }
}

/// `path` without its leading `./`s, when what is left is relative and, put after a
/// clean absolute directory, leaves `std::path::absolute` nothing to normalise (POSIX
/// only; elsewhere, `None`).
fn clean_relative(path: &Path) -> Option<&Path> {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let mut bytes = path.as_os_str().as_bytes();
        while let Some(rest) = bytes.strip_prefix(b"./") {
            bytes = rest;
        }
        (!bytes.is_empty() && is_clean_after_separator(bytes))
            .then(|| Path::new(std::ffi::OsStr::from_bytes(bytes)))
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        None
    }
}

/// Whether the bytes that follow a separator hold no `.` component and no repeated or
/// trailing separator.
fn is_clean_after_separator(bytes: &[u8]) -> bool {
    if bytes.ends_with(b"/") {
        return false;
    }
    // One pass: after a separator, neither another one nor a `.` component.
    let mut after_separator = true;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_off_the_file_name() {
        fn split(path: &str) -> (&[u8], &[u8]) {
            split_dir(Path::new(path))
        }
        assert_eq!(split("pkg/sub/a.py"), (&b"pkg/sub/"[..], &b"a.py"[..]));
        assert_eq!(split("/a.py"), (&b"/"[..], &b"a.py"[..]));
        assert_eq!(split("a.py"), (&b""[..], &b"a.py"[..]));
    }

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
            "./a/b.py",
            "././a.py",
            ".//a.py",
            "./.",
            "./../a",
            "a/./b",
            "a/b/",
            ".hidden/x.py",
            "./..",
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
