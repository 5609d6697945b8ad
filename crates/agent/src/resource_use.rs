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

/// Logs (at debug level) how long the command took and, on Linux, this process's peak
/// resident memory (`VmHWM`, commands it ran not included): what `bench/run.py` reports, with
/// `DEVIDENCE_LOG=warn,devidence::resource_use=debug`.
pub fn log(started: std::time::Instant) {
    // Reading /proc costs a file read on every run; only when someone is listening.
    if !tracing::enabled!(target: "devidence::resource_use", tracing::Level::DEBUG) {
        return;
    }
    tracing::debug!(
        target: "devidence::resource_use",
        wall_ms = started.elapsed().as_millis() as u64,
        peak_rss_kb = peak_rss_kb(),
        "resource use"
    );
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
