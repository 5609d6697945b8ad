//! Stopping cleanly: a stopped run takes the commands its probes started with it.

/// On SIGTERM, SIGINT or SIGHUP (Ctrl-C on Windows), kills the commands the probes are
/// running, each with its process group, then exits with 128 + the signal's number: a hung
/// tool must not outlive a run the service manager or the user stopped. Evidence already
/// spooled stays (every spool write is atomic). Returns once the handlers are in place.
pub fn stop_cleanly_on_signals() {
    let (ready, armed) = std::sync::mpsc::channel();
    let watcher = std::thread::Builder::new()
        .name("signals".into())
        .spawn(move || {
            let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                let _ = ready.send(());
                return;
            };
            runtime.block_on(async move {
                let (name, code) = stop_signal(ready).await;
                devidence_core::host::kill_running_commands();
                eprintln!(
                    "devidence: stopped by {name}; the checks' commands were stopped, and evidence already in the spool is kept"
                );
                std::process::exit(code);
            });
        });
    if watcher.is_ok() {
        let _ = armed.recv_timeout(std::time::Duration::from_secs(2));
    }
}

/// Waits for a stop signal (after saying on `ready` that the handlers are in place); returns
/// its name and the exit code for it.
async fn stop_signal(ready: std::sync::mpsc::Sender<()>) -> (&'static str, i32) {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let (Ok(mut term), Ok(mut int), Ok(mut hup)) = (
            signal(SignalKind::terminate()),
            signal(SignalKind::interrupt()),
            signal(SignalKind::hangup()),
        ) else {
            let _ = ready.send(());
            return std::future::pending().await;
        };
        let _ = ready.send(());
        tokio::select! {
            _ = term.recv() => ("SIGTERM", 128 + 15),
            _ = int.recv() => ("SIGINT", 128 + 2),
            _ = hup.recv() => ("SIGHUP", 128 + 1),
        }
    }
    #[cfg(not(unix))]
    {
        let ctrl_c = tokio::signal::ctrl_c();
        let _ = ready.send(());
        let _ = ctrl_c.await;
        ("Ctrl-C", 128 + 2)
    }
}
