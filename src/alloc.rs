//! The binary's memory allocator: the system's, except that large blocks are mapped on their
//! own and the kernel is asked to back them with huge pages.
//!
//! With 10,000 profiles the files' text and the table of sections are a few megabytes that
//! live until the process exits. Touching them one 4 KiB page at a time costs about as much
//! as parsing them; a 2 MiB huge page is one fault. Small blocks, which are nearly all of
//! them, go to the system allocator unchanged. The advice is only advice: where huge pages
//! are off, or none is free, the kernel backs the block with small pages as usual.

use std::alloc::{GlobalAlloc, Layout, System};

/// Blocks from this size on get their own mapping.
pub const LARGE: usize = 512 * 1024;

/// The size of a huge page on x86-64 and arm64 with 4 KiB pages.
const HUGE_PAGE: usize = 2 * 1024 * 1024;

/// The system allocator, with large blocks in huge-page mappings on Linux.
pub struct Allocator;

fn is_large(layout: Layout) -> bool {
    cfg!(target_os = "linux") && layout.size() >= LARGE && layout.align() <= HUGE_PAGE
}

// SAFETY: small blocks are the system allocator's; large ones are whole mappings made and
// released by `map` and `unmap` below, whose size is derived from the layout the caller
// passes back, as `GlobalAlloc` requires.
unsafe impl GlobalAlloc for Allocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if is_large(layout) {
            map(layout.size())
        } else {
            // SAFETY: forwarded with the caller's guarantees.
            unsafe { System.alloc(layout) }
        }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if is_large(layout) {
            // Fresh anonymous mappings are zeroed by the kernel.
            map(layout.size())
        } else {
            // SAFETY: forwarded with the caller's guarantees.
            unsafe { System.alloc_zeroed(layout) }
        }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if is_large(layout) {
            // SAFETY: `ptr` came from `map` with this size.
            unsafe { unmap(ptr, layout.size()) }
        } else {
            // SAFETY: forwarded with the caller's guarantees.
            unsafe { System.dealloc(ptr, layout) }
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: the caller guarantees a valid size for this alignment.
        let new_layout = unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
        if !is_large(layout) && !is_large(new_layout) {
            // SAFETY: forwarded with the caller's guarantees.
            return unsafe { System.realloc(ptr, layout, new_size) };
        }
        // SAFETY: `new_layout` has a non-zero size, as the caller guarantees.
        let new = unsafe { self.alloc(new_layout) };
        if !new.is_null() {
            // SAFETY: both blocks are valid for the smaller of the two sizes and distinct.
            unsafe {
                std::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size));
                self.dealloc(ptr, layout);
            }
        }
        new
    }
}

/// The length of the mapping that holds a block of `size` bytes.
fn mapped_len(size: usize) -> Option<usize> {
    size.checked_next_multiple_of(HUGE_PAGE)
}

/// Maps `size` bytes aligned on a huge page and advises the kernel to use huge pages; null
/// when the address space is exhausted.
#[cfg(target_os = "linux")]
fn map(size: usize) -> *mut u8 {
    let Some(len) = mapped_len(size) else { return std::ptr::null_mut() };
    let Some(with_slack) = len.checked_add(HUGE_PAGE) else { return std::ptr::null_mut() };
    // SAFETY: a fresh private anonymous mapping; no existing memory is involved.
    let base = unsafe {
        libc::mmap(
            std::ptr::null_mut(),
            with_slack,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
            -1,
            0,
        )
    };
    if base == libc::MAP_FAILED {
        return std::ptr::null_mut();
    }
    // Keep the aligned part and give the slack before and after it back.
    let head = (base as usize).next_multiple_of(HUGE_PAGE) - base as usize;
    let tail = HUGE_PAGE - head;
    // SAFETY: both ranges lie inside the mapping made above and are not used.
    unsafe {
        let start = base.cast::<u8>().add(head);
        if head > 0 {
            libc::munmap(base, head);
        }
        if tail > 0 {
            libc::munmap(start.add(len).cast(), tail);
        }
        // Advice only: without huge pages the block works the same, with small pages.
        libc::madvise(start.cast(), len, libc::MADV_HUGEPAGE);
        start
    }
}

/// Releases a block made by `map` for `size` bytes.
///
/// # Safety
///
/// `ptr` must come from `map(size)` and not be used afterwards.
#[cfg(target_os = "linux")]
unsafe fn unmap(ptr: *mut u8, size: usize) {
    if let Some(len) = mapped_len(size) {
        // SAFETY: the caller passes a block of exactly this mapping.
        unsafe { libc::munmap(ptr.cast(), len) };
    }
}

#[cfg(not(target_os = "linux"))]
fn map(_size: usize) -> *mut u8 {
    unreachable!("large blocks have their own mappings on Linux only")
}

#[cfg(not(target_os = "linux"))]
unsafe fn unmap(_ptr: *mut u8, _size: usize) {
    unreachable!("large blocks have their own mappings on Linux only")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn large_blocks_are_aligned_zeroed_and_grow_with_their_contents() {
        let layout = Layout::from_size_align(LARGE + 1, 8).unwrap();
        // SAFETY: non-zero layouts; each block is released once, with its own layout.
        unsafe {
            let block = Allocator.alloc_zeroed(layout);
            assert!(!block.is_null());
            assert_eq!(block as usize % HUGE_PAGE, 0);
            assert!(std::slice::from_raw_parts(block, layout.size()).iter().all(|&b| b == 0));
            block.write_bytes(7, layout.size());

            let grown = Allocator.realloc(block, layout, 3 * HUGE_PAGE);
            assert!(std::slice::from_raw_parts(grown, layout.size()).iter().all(|&b| b == 7));
            let big = Layout::from_size_align(3 * HUGE_PAGE, 8).unwrap();

            let shrunk = Allocator.realloc(grown, big, 100);
            assert!(std::slice::from_raw_parts(shrunk, 100).iter().all(|&b| b == 7));
            Allocator.dealloc(shrunk, Layout::from_size_align(100, 8).unwrap());
        }
    }

    #[test]
    fn small_blocks_stay_with_the_system_allocator() {
        assert!(!is_large(Layout::from_size_align(LARGE - 1, 8).unwrap()));
        assert!(!is_large(Layout::from_size_align(LARGE, 2 * HUGE_PAGE).unwrap()));
    }
}
