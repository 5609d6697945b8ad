//! What a run cost this computer, for the debug log and the benchmarks (BENCHMARKS.md).

/// This process's peak resident memory in kB (`VmHWM` in `/proc/self/status`); `None` where
/// the OS has no such file (macOS, Windows).
pub fn peak_rss_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

#[cfg(test)]
mod tests {
    #[cfg(target_os = "linux")]
    #[test]
    fn the_peak_is_read_on_linux() {
        let kb = super::peak_rss_kb().expect("VmHWM on Linux");
        assert!(kb > 100, "{kb} kB");
    }
}
