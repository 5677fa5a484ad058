//! The file format of a shard. A warm run must cost little more than reading the files,
//! so a shard is a compact index, read eagerly with one `read`, and one encoded body per
//! file, decoded only when that file is looked up, by the worker thread that checks it.
//!
//! Layout (integers little-endian; a string or a body is a `u32` length and its bytes):
//! `MAGIC`, the build, the settings fingerprint, a `u32` count, then per file its
//! absolute path, the `u128` hash of its text and its body, the postcard encoding of an
//! [`EntryBody`](super::entry::EntryBody).

use std::ops::Range;

use rustc_hash::FxHashMap;

/// Names the format; a file that starts otherwise (an older format, or garbage) is not
/// a shard.
const MAGIC: &[u8; 8] = b"PFCACHE\x01";

/// Where one file's entry is in a shard's bytes.
#[derive(Debug, Clone)]
pub struct Slot {
    pub content_hash: u128,
    pub body: Range<usize>,
}

/// The index of a shard file.
pub struct Index {
    pub build: String,
    pub settings: String,
    pub slots: FxHashMap<String, Slot>,
}

/// Reads the index of `bytes`; `None` when they are not a whole shard (truncated,
/// damaged, another format).
pub fn read_index(bytes: &[u8]) -> Option<Index> {
    let mut reader = Reader { bytes, at: 0 };
    if reader.take(MAGIC.len())? != MAGIC {
        return None;
    }
    let build = reader.str()?.to_owned();
    let settings = reader.str()?.to_owned();
    let count = reader.u32()? as usize;
    // Each entry takes at least 24 bytes: a damaged count must not reserve gigabytes.
    let mut slots =
        FxHashMap::with_capacity_and_hasher(count.min(bytes.len() / 24), Default::default());
    for _ in 0..count {
        let path = reader.str()?.to_owned();
        let content_hash = u128::from_le_bytes(reader.take(16)?.try_into().ok()?);
        let length = reader.u32()? as usize;
        let start = reader.at;
        reader.take(length)?;
        slots.insert(
            path,
            Slot {
                content_hash,
                body: start..start + length,
            },
        );
    }
    (reader.at == bytes.len()).then_some(Index {
        build,
        settings,
        slots,
    })
}

/// Encodes a shard: `entries` are (path, content hash, body), in the order to write.
pub fn write<'e>(
    build: &str,
    settings: &str,
    entries: &[(&'e str, u128, &'e [u8])],
) -> Option<Vec<u8>> {
    let size = entries
        .iter()
        .map(|(path, _, body)| path.len() + body.len() + 24)
        .sum::<usize>();
    let mut out = Vec::with_capacity(MAGIC.len() + build.len() + settings.len() + 12 + size);
    out.extend_from_slice(MAGIC);
    put(&mut out, build.as_bytes())?;
    put(&mut out, settings.as_bytes())?;
    out.extend_from_slice(&u32::try_from(entries.len()).ok()?.to_le_bytes());
    for (path, content_hash, body) in entries {
        put(&mut out, path.as_bytes())?;
        out.extend_from_slice(&content_hash.to_le_bytes());
        put(&mut out, body)?;
    }
    Some(out)
}

fn put(out: &mut Vec<u8>, bytes: &[u8]) -> Option<()> {
    out.extend_from_slice(&u32::try_from(bytes.len()).ok()?.to_le_bytes());
    out.extend_from_slice(bytes);
    Some(())
}

struct Reader<'b> {
    bytes: &'b [u8],
    at: usize,
}

impl<'b> Reader<'b> {
    fn take(&mut self, length: usize) -> Option<&'b [u8]> {
        let taken = self.bytes.get(self.at..self.at.checked_add(length)?)?;
        self.at += length;
        Some(taken)
    }

    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }

    fn str(&mut self) -> Option<&'b str> {
        let length = self.u32()? as usize;
        std::str::from_utf8(self.take(length)?).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_index_reads_back_what_was_written() {
        let entries = [
            ("/a.py", 7_u128, &b"xyz"[..]),
            ("/b.py", u128::MAX, &b""[..]),
        ];
        let bytes = write("build", "settings", &entries).unwrap();
        let index = read_index(&bytes).unwrap();
        assert_eq!(
            (index.build.as_str(), index.settings.as_str()),
            ("build", "settings")
        );
        assert_eq!(index.slots.len(), 2);
        let a = &index.slots["/a.py"];
        assert_eq!((a.content_hash, &bytes[a.body.clone()]), (7, &b"xyz"[..]));
        assert_eq!(index.slots["/b.py"].content_hash, u128::MAX);
    }

    #[test]
    fn truncated_or_foreign_bytes_are_not_a_shard() {
        let bytes = write("build", "settings", &[("/a.py", 1, &b"body"[..])]).unwrap();
        for end in 0..bytes.len() {
            assert!(read_index(&bytes[..end]).is_none(), "{end}");
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(read_index(&longer).is_none());
        assert!(read_index(b"{\"build\":\"x\"}").is_none());
    }
}
