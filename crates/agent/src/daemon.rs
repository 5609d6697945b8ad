//! `devidence daemon`: the long-running background agent. It owns no probe or upload logic:
//! each cycle starts `devidence run --scheduled --background` as a child process, so the
//! idle daemon stays small, a crash in a run cannot take it down, and a killed run loses
//! nothing (the spool). Between cycles it sleeps in short steps, watching the wall clock so
//! that a computer waking from sleep is checked soon after.

use crate::config::Settings;
use anyhow::Context;
use std::hash::{BuildHasher, Hasher};
use std::path::Path;
use std::process::{Child, Command, ExitStatus};
use std::time::{Duration, Instant, SystemTime};

/// The first check after start (boot, install, upgrade) comes within this much time.
const FIRST_RUN_WITHIN: Duration = Duration::from_secs(60);
/// Longest single sleep, so waking from sleep is noticed soon.
const STEP: Duration = Duration::from_secs(30);
/// Wall-clock time passing this much faster than the monotonic clock means the computer slept.
const SLEPT_THRESHOLD: Duration = Duration::from_secs(90);
/// How long a run gets to stop after SIGTERM before it is killed (its spool stays consistent
/// either way). Windows has no SIGTERM; a run there is stopped at once.
#[cfg(unix)]
const STOP_GRACE: Duration = Duration::from_secs(10);
/// Exit code of `devidence run` when evidence stayed in the spool.
const UPLOAD_FAILED: i32 = 3;

/// Lowers this process's CPU priority (nice 10) where the OS allows; failures are ignored,
/// as a run at normal priority is still correct.
pub fn lower_priority() {
    #[cfg(unix)]
    if let Err(e) = rustix::process::nice(10) {
        tracing::debug!("cannot lower the priority: {e}");
    }
}

/// A number in `[0, 1)` that differs between calls and processes (for the splay).
fn random_fraction() -> f64 {
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u128(
        SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default(),
    );
    hasher.write_u32(std::process::id());
    (hasher.finish() >> 11) as f64 / (1u64 << 53) as f64
}

/// `base` plus a random part of `splay`.
pub fn with_splay(base: Duration, splay: Duration) -> Duration {
    base + splay.mul_f64(random_fraction())
}

/// Runs cycles until SIGTERM / Ctrl-C. Refuses to start if another daemon holds the lock.
pub fn run(settings: &Settings, config: Option<&Path>) -> anyhow::Result<()> {
    crate::atomic::create_private_dir(&settings.data_dir)
        .with_context(|| format!("cannot create {}", settings.data_dir.display()))?;
    let lock_path = settings.data_dir.join("daemon.lock");
    let lock = crate::atomic::open_lock_file(&lock_path)
        .with_context(|| format!("cannot open {}", lock_path.display()))?;
    if lock.try_lock().is_err() {
        anyhow::bail!(
            "another devidence daemon is already running (it holds {}); stop it first (systemctl stop devidence, launchctl bootout, or the Windows task)",
            lock_path.display()
        );
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the runtime")?;
    runtime.block_on(cycles(settings, config));
    drop(lock);
    Ok(())
}

/// Resolves when the service manager or the user asks the daemon to stop.
async fn stop_requested() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = term.recv() => {}
                    _ = tokio::signal::ctrl_c() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

async fn cycles(settings: &Settings, config: Option<&Path>) {
    let stop = stop_requested();
    tokio::pin!(stop);
    let schedule = settings.schedule;
    let mut wait = with_splay(Duration::ZERO, schedule.splay.min(FIRST_RUN_WITHIN));
    tracing::info!(
        interval_s = schedule.interval.as_secs(),
        splay_s = schedule.splay.as_secs(),
        "devidence daemon started; first check in {} s",
        wait.as_secs()
    );
    loop {
        write_next_run(settings, wait);
        // Start-up, or the run just watched, left code pages mapped that the idle loop never
        // uses again; unmap them (lossless, see memory).
        let released = crate::memory::release_clean_file_pages();
        tracing::debug!(
            released_kb = released,
            "released clean file pages before sleeping"
        );
        // Sleep in steps, noticing a wake from sleep.
        let mut left = wait;
        while !left.is_zero() {
            let step = left.min(STEP);
            let (mono, wall) = (Instant::now(), SystemTime::now());
            tokio::select! {
                _ = &mut stop => return stopped(settings),
                _ = tokio::time::sleep(step) => {}
            }
            let slept_for = wall.elapsed().unwrap_or_default();
            if slept_for > mono.elapsed() + SLEPT_THRESHOLD {
                tracing::info!("the computer woke from sleep; checking soon");
                left = with_splay(Duration::ZERO, FIRST_RUN_WITHIN.min(schedule.splay));
                write_next_run(settings, left);
                continue;
            }
            left = left.saturating_sub(step);
        }
        let status = match start_run(config) {
            Ok(mut child) => loop {
                match child.try_wait() {
                    Ok(Some(status)) => break Some(status),
                    Ok(None) => {}
                    Err(e) => {
                        tracing::warn!("cannot watch the run: {e}");
                        break None;
                    }
                }
                tokio::select! {
                    _ = &mut stop => {
                        stop_child(&mut child).await;
                        return stopped(settings);
                    }
                    _ = tokio::time::sleep(Duration::from_millis(200)) => {}
                }
            },
            Err(e) => {
                tracing::warn!("cannot start a run: {e}");
                None
            }
        };
        wait = next_wait(status, settings);
    }
}

/// After a run: the retry delay while evidence waits in the spool, else the interval; each
/// with its splay.
fn next_wait(status: Option<ExitStatus>, settings: &Settings) -> Duration {
    let s = settings.schedule;
    match status.and_then(|st| st.code()) {
        Some(UPLOAD_FAILED) => {
            tracing::info!(
                "evidence waits in the spool; retrying in about {} s",
                s.retry.as_secs()
            );
            with_splay(s.retry, s.splay.min(s.retry / 2))
        }
        code => {
            tracing::info!(
                ?code,
                "run finished; next check in about {} s",
                s.interval.as_secs()
            );
            with_splay(s.interval, s.splay)
        }
    }
}

fn start_run(config: Option<&Path>) -> std::io::Result<Child> {
    let exe = std::env::current_exe()?;
    let mut command = Command::new(exe);
    if let Some(config) = config {
        command.arg("--config").arg(config);
    }
    command.args(["run", "--scheduled", "--background"]);
    tracing::info!("starting a scheduled run");
    command.spawn()
}

/// Asks a running run to stop (SIGTERM), then kills it after [`STOP_GRACE`].
async fn stop_child(child: &mut Child) {
    #[cfg(unix)]
    {
        if let Some(pid) = rustix::process::Pid::from_raw(child.id() as i32) {
            let _ = rustix::process::kill_process(pid, rustix::process::Signal::TERM);
        }
        let deadline = Instant::now() + STOP_GRACE;
        while Instant::now() < deadline {
            if let Ok(Some(_)) = child.try_wait() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    let _ = child.kill();
    let _ = child.wait();
}

fn stopped(settings: &Settings) {
    let _ = std::fs::remove_file(settings.data_dir.join("daemon.json"));
    tracing::info!("devidence daemon stopped");
}

/// Records when the next check is due, for `devidence status`.
fn write_next_run(settings: &Settings, wait: Duration) {
    let now = time::OffsetDateTime::now_utc();
    let next = time::Duration::try_from(wait)
        .ok()
        .and_then(|wait| now.checked_add(wait))
        .unwrap_or(now);
    let body = serde_json::json!({
        "pid": std::process::id(),
        "next_run_at": next.format(&time::format_description::well_known::Rfc3339).unwrap_or_default(),
    });
    let _ = crate::atomic::write(
        &settings.data_dir.join("daemon.json"),
        body.to_string().as_bytes(),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_splay_stays_within_its_bounds_and_varies() {
        let base = Duration::from_secs(100);
        let splay = Duration::from_secs(50);
        let waits: Vec<_> = (0..200).map(|_| with_splay(base, splay)).collect();
        assert!(waits.iter().all(|w| *w >= base && *w < base + splay));
        let distinct: std::collections::BTreeSet<_> = waits.iter().map(|w| w.as_millis()).collect();
        assert!(
            distinct.len() > 100,
            "splay barely varies: {}",
            distinct.len()
        );
    }
}
