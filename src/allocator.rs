//! The global allocator: mimalloc, asked for plain blocks whenever it can.
//!
//! The `mimalloc` crate passes every request through `mi_malloc_aligned`, whose checks
//! cost several times the plain fast path. Every block mimalloc hands out is aligned
//! to at least 8 bytes (its size classes are whole words), so a layout that needs no
//! more than that takes the plain `mi_malloc`/`mi_realloc`; anything stricter goes to
//! the crate's aligned calls. Both kinds are released with the same `mi_free`.

use std::alloc::{GlobalAlloc, Layout};
use std::ffi::c_void;

use libmimalloc_sys::{mi_free, mi_malloc, mi_realloc, mi_zalloc};
use mimalloc::MiMalloc;

/// The alignment of every block `mi_malloc` returns.
const WORD_ALIGN: usize = 8;

pub struct Allocator;

/// Keeps the process on ordinary 4 KiB pages. mimalloc asks the kernel for
/// transparent huge pages, and each one is zeroed in full on first touch, 2 MiB at a
/// time, used or not. A run allocates a few megabytes per thread and ends in a second,
/// so the pages cost more to clear than they save in TLB misses: on the benchmark
/// corpus, system time fell from 0.26–0.45 s to 0.13 s, wall time by 4–11% and peak
/// memory from 113–147 MB to about 80 MB, and the project phase's occasional 20 ms
/// stalls (a fresh huge page faulted in) went away.
pub fn small_pages_only() {
    #[cfg(target_os = "linux")]
    // SAFETY: `PR_SET_THP_DISABLE` takes plain integers and touches no memory of ours;
    // a kernel without it returns an error, which leaves things as they were.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

// SAFETY: each call hands the layout to mimalloc unchanged, through the plain calls
// only when their guaranteed alignment covers the layout's; every block, plain or
// aligned, may be freed or resized by the calls used here (mimalloc's own contract).
unsafe impl GlobalAlloc for Allocator {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if layout.align() <= WORD_ALIGN {
            // SAFETY: `GlobalAlloc::alloc`'s caller guarantees a non-zero size.
            unsafe { mi_malloc(layout.size()).cast() }
        } else {
            // SAFETY: as above.
            unsafe { MiMalloc.alloc(layout) }
        }
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if layout.align() <= WORD_ALIGN {
            // SAFETY: as in `alloc`.
            unsafe { mi_zalloc(layout.size()).cast() }
        } else {
            // SAFETY: as in `alloc`.
            unsafe { MiMalloc.alloc_zeroed(layout) }
        }
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, _layout: Layout) {
        // SAFETY: `ptr` came from this allocator, so from mimalloc.
        unsafe { mi_free(ptr.cast::<c_void>()) }
    }

    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if layout.align() <= WORD_ALIGN {
            // SAFETY: `ptr` came from mimalloc; the new block keeps word alignment.
            unsafe { mi_realloc(ptr.cast::<c_void>(), new_size).cast() }
        } else {
            // SAFETY: as in `alloc`.
            unsafe { MiMalloc.realloc(ptr, layout, new_size) }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Blocks of every alignment up to a page come back aligned, zeroed when asked,
    /// and keep their bytes when resized.
    #[test]
    fn blocks_are_aligned_and_keep_their_contents() {
        let allocator = Allocator;
        for align in [1, 2, 4, 8, 16, 32, 64, 4096] {
            for size in [1, 7, 8, 24, 100, 1024, 70_000] {
                let size = size.max(align);
                let layout = Layout::from_size_align(size, align).unwrap();
                unsafe {
                    let block = allocator.alloc_zeroed(layout);
                    assert!(!block.is_null());
                    assert_eq!(block as usize % align, 0, "size {size} align {align}");
                    assert!((0..size).all(|i| *block.add(i) == 0));
                    block.write_bytes(0xAB, size);
                    let grown = allocator.realloc(block, layout, size * 3);
                    assert_eq!(grown as usize % align, 0);
                    assert!((0..size).all(|i| *grown.add(i) == 0xAB));
                    allocator.dealloc(grown, Layout::from_size_align(size * 3, align).unwrap());
                    let plain = allocator.alloc(layout);
                    assert_eq!(plain as usize % align, 0);
                    allocator.dealloc(plain, layout);
                }
            }
        }
    }

    /// After the call the kernel reports huge pages off for the process.
    #[cfg(target_os = "linux")]
    #[test]
    fn huge_pages_are_turned_off() {
        small_pages_only();
        // SAFETY: as in `small_pages_only`; the call only reads the process's flag.
        let disabled = unsafe { libc::prctl(libc::PR_GET_THP_DISABLE, 0, 0, 0, 0) };
        assert_eq!(disabled, 1);
    }
}
