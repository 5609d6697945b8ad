//! The agent's own memory, where the OS's defaults cost a small program more than it uses:
//! one malloc arena for all threads ([`use_one_malloc_arena`]), and the idle daemon's clean
//! file pages ([`release_clean_file_pages`]).
//!
//! Clean file pages: Linux maps 64 KB of an executable around every page fault ("fault-around"), so the
//! daemon's start-up alone leaves about 4 MB of the 11 MB binary's code in its resident set,
//! while its own memory is 0.6 MB (BENCHMARKS.md, idle daemon). Those pages are clean copies of
//! the file: unmapping them loses nothing, they stay in the page cache, and a later access
//! maps them again. Only mappings that are not writable and hold no private (copy-on-write)
//! page qualify, so nothing that differs from the file is ever dropped.
//!
//! macOS and Windows report an idle process's own memory (Activity Monitor's footprint, Task
//! Manager's private working set) without clean file pages, so there is nothing to do there.

/// Makes glibc's malloc serve every thread from one arena. Call first in `main`, before any
/// thread starts; a no-op where the C library is not glibc.
///
/// glibc gives each new thread an arena of its own (up to eight per core), and each arena keeps
/// what was freed in it: the probe threads, the command output readers and the render worker
/// each left theirs behind, 2.2 MB of a background run's 6.8 MB anonymous peak (BENCHMARKS.md,
/// memory; measured with `MALLOC_ARENA_MAX=1`). The threads mostly wait on commands, so one
/// arena's lock is not contended. Returns whether the setting was taken.
pub fn use_one_malloc_arena() -> bool {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        glibc::one_arena()
    }
    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    {
        false
    }
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
mod glibc {
    /// `mallopt(M_ARENA_MAX, 1)`.
    #[allow(unsafe_code)]
    pub(super) fn one_arena() -> bool {
        // SAFETY: mallopt takes two integers and changes only malloc's tuning; glibc documents
        // M_ARENA_MAX as settable at any time (arenas that already exist are kept).
        unsafe { libc::mallopt(libc::M_ARENA_MAX, 1) == 1 }
    }
}

/// One mapping from `/proc/self/smaps` that may be unmapped losslessly.
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct CleanMapping {
    start: usize,
    end: usize,
    resident_kb: u64,
}

/// One mapping's header and the smaps fields read under it so far.
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
struct Entry {
    start: usize,
    end: usize,
    read_only_file: bool,
    resident_kb: u64,
    anonymous_kb: Option<u64>,
}

#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
impl Entry {
    /// The mapping, if it may be unmapped losslessly: a read-only private file mapping with
    /// resident pages and an `Anonymous:` line saying none of them is a private copy.
    fn clean(&self) -> Option<CleanMapping> {
        (self.read_only_file && self.resident_kb > 0 && self.anonymous_kb == Some(0)).then_some(
            CleanMapping {
                start: self.start,
                end: self.end,
                resident_kb: self.resident_kb,
            },
        )
    }
}

/// Reads `/proc/self/smaps` and returns the read-only file mappings with resident pages and
/// no private page: text that `madvise(MADV_DONTNEED)` can drop without changing memory.
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
fn clean_file_mappings(smaps: &str) -> Vec<CleanMapping> {
    let kb = |rest: &str| {
        rest.trim()
            .trim_end_matches("kB")
            .trim()
            .parse::<u64>()
            .ok()
    };
    let mut entries: Vec<Entry> = Vec::new();
    for line in smaps.lines() {
        if let Some((start, end, read_only_file)) = mapping_header(line) {
            entries.push(Entry {
                start,
                end,
                read_only_file,
                resident_kb: 0,
                anonymous_kb: None,
            });
        } else if let Some(entry) = entries.last_mut() {
            if let Some(rest) = line.strip_prefix("Rss:") {
                entry.resident_kb = kb(rest).unwrap_or(0);
            } else if let Some(rest) = line.strip_prefix("Anonymous:") {
                entry.anonymous_kb = kb(rest);
            }
        }
    }
    entries.iter().filter_map(Entry::clean).collect()
}

/// `(start, end, read-only private file mapping)` from an smaps header line such as
/// `55d0c2a00000-55d0c3000000 r-xp 00200000 fd:01 1234 /usr/bin/devidence`; `None` for the
/// field lines under it.
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
fn mapping_header(line: &str) -> Option<(usize, usize, bool)> {
    let mut fields = line.split_ascii_whitespace();
    let (start, end) = fields.next()?.split_once('-')?;
    let start = usize::from_str_radix(start, 16).ok()?;
    let end = usize::from_str_radix(end, 16).ok()?;
    let perms = fields.next()?;
    let (_offset, _device, inode) = (fields.next()?, fields.next()?, fields.next()?);
    let path = fields.next().unwrap_or("");
    let read_only_private = perms.len() == 4 && !perms.contains('w') && perms.ends_with('p');
    // A real file (inode ≠ 0, an absolute path): not [heap], [stack], [vdso] or anonymous.
    let file = inode != "0" && path.starts_with('/');
    Some((start, end, read_only_private && file && end > start))
}

/// Unmaps the clean pages of read-only file mappings from this process (see the module
/// docs). Returns the kB that were resident in them; 0 where the OS has no such thing or
/// `/proc/self/smaps` cannot be read.
pub fn release_clean_file_pages() -> u64 {
    #[cfg(target_os = "linux")]
    {
        let Ok(smaps) = std::fs::read_to_string("/proc/self/smaps") else {
            return 0;
        };
        let mut released = 0;
        for mapping in clean_file_mappings(&smaps) {
            if linux::dont_need(mapping.start, mapping.end - mapping.start) {
                released += mapping.resident_kb;
            }
        }
        released
    }
    #[cfg(not(target_os = "linux"))]
    {
        0
    }
}

#[cfg(target_os = "linux")]
mod linux {
    /// `madvise(MADV_DONTNEED)` over one mapping; false if the kernel refused.
    #[allow(unsafe_code)]
    pub(super) fn dont_need(start: usize, len: usize) -> bool {
        // SAFETY: the range is one whole mapping of this process, listed by /proc/self/smaps
        // just before as a private, non-writable mapping of a file with no anonymous
        // (copy-on-write) page. Dropping such pages cannot change memory: every later access
        // maps the same bytes again from the file. Nothing in this program makes a file
        // mapping writable (only the loader does, at start-up, before main); a range that was
        // unmapped meanwhile only makes the call fail, which is harmless.
        unsafe {
            rustix::mm::madvise(
                start as *mut std::ffi::c_void,
                len,
                rustix::mm::Advice::LinuxDontNeed,
            )
        }
        .is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SMAPS: &str = "\
55d0c2a00000-55d0c2b00000 r--p 00000000 fd:01 1234 /usr/bin/devidence
Size:               1024 kB
Rss:                 704 kB
Anonymous:             0 kB
55d0c2b00000-55d0c3000000 r-xp 00100000 fd:01 1234 /usr/bin/devidence
Size:               5120 kB
Rss:                3996 kB
Anonymous:             0 kB
55d0c3000000-55d0c3050000 r--p 00600000 fd:01 1234 /usr/bin/devidence
Size:                320 kB
Rss:                 320 kB
Anonymous:           316 kB
55d0c3050000-55d0c3060000 rw-p 00650000 fd:01 1234 /usr/bin/devidence
Size:                 64 kB
Rss:                  64 kB
Anonymous:            64 kB
55d0c4000000-55d0c4100000 rw-p 00000000 00:00 0 [heap]
Size:               1024 kB
Rss:                 128 kB
Anonymous:           128 kB
7f0000000000-7f0000200000 r-xp 00028000 fd:01 99 /usr/lib/x86_64-linux-gnu/libc.so.6
Size:               2048 kB
Rss:                 936 kB
Anonymous:             0 kB
7f0000300000-7f0000310000 r--p 00000000 fd:01 77 /usr/lib/locale/C.utf8/LC_CTYPE
Size:                 64 kB
Rss:                   0 kB
Anonymous:             0 kB
7fff00000000-7fff00002000 r-xp 00000000 00:00 0 [vdso]
Size:                  8 kB
Rss:                   4 kB
Anonymous:             0 kB
";

    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    #[test]
    fn glibc_takes_the_one_arena_setting() {
        assert!(use_one_malloc_arena());
        // Allocation keeps working across threads.
        let joined = std::thread::spawn(|| vec![7u8; 1 << 20].len()).join();
        assert_eq!(joined.ok(), Some(1 << 20));
    }

    #[test]
    fn only_clean_read_only_file_mappings_with_resident_pages_qualify() {
        let found = clean_file_mappings(SMAPS);
        assert_eq!(
            found,
            [
                CleanMapping {
                    start: 0x55d0c2a00000,
                    end: 0x55d0c2b00000,
                    resident_kb: 704
                },
                CleanMapping {
                    start: 0x55d0c2b00000,
                    end: 0x55d0c3000000,
                    resident_kb: 3996
                },
                CleanMapping {
                    start: 0x7f0000000000,
                    end: 0x7f0000200000,
                    resident_kb: 936
                },
            ],
            "relocated constants (copy-on-write pages), writable data, the heap, an untouched \
             file and the vdso are all left alone"
        );
    }

    #[test]
    fn a_mapping_whose_anonymous_line_is_missing_is_left_alone() {
        let smaps = "\
55d0c2a00000-55d0c2b00000 r-xp 00000000 fd:01 1234 /usr/bin/devidence
Rss:                 704 kB
";
        assert!(clean_file_mappings(smaps).is_empty());
    }

    /// The real call on this test process: file-backed resident memory falls, and the code
    /// and constants the dropped pages held still work afterwards (mapped again on use).
    #[cfg(target_os = "linux")]
    #[test]
    fn releasing_lowers_file_backed_memory_and_keeps_the_process_working() {
        let rss_file = || {
            let status = std::fs::read_to_string("/proc/self/status").unwrap();
            let line = status.lines().find(|l| l.starts_with("RssFile:")).unwrap();
            line.split_whitespace()
                .nth(1)
                .unwrap()
                .parse::<u64>()
                .unwrap()
        };
        let before = rss_file();
        let released = release_clean_file_pages();
        let after = rss_file();
        assert!(released > 0, "nothing was released");
        assert!(
            after < before,
            "RssFile {before} kB before, {after} kB after"
        );
        // Code and read-only data from the dropped pages still work.
        assert_eq!(clean_file_mappings(SMAPS).len(), 3);
    }
}
