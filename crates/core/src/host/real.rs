use super::files::{self, io_outcome};
use super::{CommandSpec, Host, RegistryRead, UserContext, WmiQuery};
use crate::finding::{Observation, Outcome, SourceKind};
use std::io::{self, Read};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

/// Most bytes kept of one output stream or file; the rest is drained and dropped.
pub const MAX_OUTPUT_BYTES: usize = 1024 * 1024;

/// The trusted search path commands run with; the agent's own PATH is never used.
const FIXED_PATH: &str = if cfg!(target_os = "macos") {
    "/usr/bin:/bin:/usr/sbin:/sbin:/usr/libexec:/usr/local/bin:/opt/homebrew/bin"
} else {
    "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:/snap/bin"
};

/// The machine itself: runs real commands with deadlines, reads real files.
#[derive(Debug, Default, Clone)]
pub struct RealHost {
    _private: (),
}

impl RealHost {
    /// The real machine.
    pub fn new() -> RealHost {
        RealHost { _private: () }
    }
}

impl Host for RealHost {
    fn run(&self, spec: &CommandSpec) -> Observation {
        let started = Instant::now();
        let mut obs = Observation::new(SourceKind::Command, spec.display(), Outcome::Completed);
        obs.as_user = spec.as_user.as_ref().map(|u| u.name.clone());
        let mut command = match build_command(spec) {
            Ok(command) => command,
            Err(outcome) => {
                obs.outcome = outcome;
                return obs;
            }
        };
        // Counted from before the spawn until the child is listed, so a stop that comes in
        // between waits for it and kills it too (the child may already be running).
        running::spawning();
        match command.spawn() {
            Ok(child) => {
                let pid = child.id();
                running::add(pid);
                wait_with_deadline(child, spec.deadline, &mut obs);
                running::remove(pid);
            }
            Err(err) => {
                running::spawn_failed();
                obs.outcome = io_outcome(&err);
            }
        }
        obs.duration_ms = millis(started.elapsed());
        obs
    }

    fn read_file(&self, path: &str) -> Observation {
        let started = Instant::now();
        let mut obs = Observation::new(SourceKind::File, path, Outcome::Completed);
        files::read_file(path, MAX_OUTPUT_BYTES, &mut obs);
        obs.duration_ms = millis(started.elapsed());
        obs
    }

    fn list_dir(&self, path: &str) -> Observation {
        let started = Instant::now();
        let mut obs = Observation::new(SourceKind::Directory, path, Outcome::Completed);
        files::list_dir(path, &mut obs);
        obs.duration_ms = millis(started.elapsed());
        obs
    }

    fn read_user_file(&self, user: &UserContext, path: &str) -> Observation {
        let started = Instant::now();
        let mut obs = Observation::new(SourceKind::File, path, Outcome::Completed);
        obs.as_user = Some(user.name.clone());
        files::read_in_home(user, path, MAX_OUTPUT_BYTES, &mut obs);
        obs.duration_ms = millis(started.elapsed());
        obs
    }

    fn list_user_dir(&self, user: &UserContext, path: &str) -> Observation {
        let started = Instant::now();
        let mut obs = Observation::new(SourceKind::Directory, path, Outcome::Completed);
        obs.as_user = Some(user.name.clone());
        files::list_in_home(user, path, &mut obs);
        obs.duration_ms = millis(started.elapsed());
        obs
    }

    fn env(&self, name: &str) -> Option<String> {
        std::env::var(name).ok()
    }

    fn read_registry(&self, read: &RegistryRead) -> Observation {
        let started = Instant::now();
        let mut obs = Observation::new(SourceKind::Registry, read.display(), Outcome::Completed);
        #[cfg(windows)]
        super::windows_api::read_registry(read, MAX_OUTPUT_BYTES, &mut obs);
        #[cfg(not(windows))]
        {
            obs.outcome = Outcome::NotFound;
        }
        obs.duration_ms = millis(started.elapsed());
        obs
    }

    fn query_wmi(&self, query: &WmiQuery) -> Observation {
        let started = Instant::now();
        let mut obs = Observation::new(SourceKind::Wmi, query.display(), Outcome::Completed);
        #[cfg(windows)]
        super::windows_api::query_wmi(query, MAX_OUTPUT_BYTES, &mut obs);
        #[cfg(not(windows))]
        {
            obs.outcome = Outcome::NotFound;
        }
        obs.duration_ms = millis(started.elapsed());
        obs
    }
}

/// Kills every command the probes are running, with its whole process group (Unix; on
/// Windows nothing: a command there is killed at its deadline). For the agent's handler of
/// SIGTERM, SIGINT and SIGHUP, so that no hung tool outlives a run that was stopped.
pub fn kill_running_commands() {
    running::stop_all();
}

/// The process groups of the commands running now (each command leads its own).
mod running {
    use std::sync::Mutex;

    /// The running commands' process groups, and whether the agent is stopping (then a
    /// command that starts is killed at once).
    static RUNNING: Mutex<(Vec<u32>, bool)> = Mutex::new((Vec::new(), false));

    /// Commands between "about to spawn" and "listed in RUNNING".
    static SPAWNING: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

    /// Longest a stop waits for commands being spawned to be listed (then killed).
    const SPAWN_WAIT: std::time::Duration = std::time::Duration::from_secs(2);

    fn lock() -> std::sync::MutexGuard<'static, (Vec<u32>, bool)> {
        RUNNING
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub(super) fn spawning() {
        SPAWNING.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    }

    pub(super) fn spawn_failed() {
        SPAWNING.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
    }

    pub(super) fn add(pid: u32) {
        let mut running = lock();
        if running.1 {
            super::platform::kill_group(pid);
        }
        running.0.push(pid);
        SPAWNING.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
    }

    pub(super) fn remove(pid: u32) {
        lock().0.retain(|p| *p != pid);
    }

    /// Kills every listed command and, for up to [`SPAWN_WAIT`], waits for commands being
    /// spawned right now to be listed ([`add`] kills those, as the agent is stopping), so that
    /// when this returns no command started by a probe is left running.
    pub(super) fn stop_all() {
        {
            let mut running = lock();
            running.1 = true;
            for pid in &running.0 {
                super::platform::kill_group(*pid);
            }
        }
        let started = std::time::Instant::now();
        while SPAWNING.load(std::sync::atomic::Ordering::SeqCst) > 0
            && started.elapsed() < SPAWN_WAIT
        {
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
    }
}

/// True when the agent runs as root (Unix); on Windows always false (services run as SYSTEM,
/// which callers detect by other means).
pub fn running_as_root() -> bool {
    platform::current_uid() == Some(0)
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// Where `program` is on [`FIXED_PATH`], found as `execvp` would (the first executable file;
/// else the first file, which then fails as permission denied); `program` unchanged when it
/// names a path (or on Windows); `None` when a bare name is on none of the folders, so the
/// command is reported missing without starting anything.
///
/// Searching here rather than in the child matters for speed: given a bare name and a cleared
/// environment, the standard library must `fork` the whole agent to search the child's PATH,
/// while an absolute path lets it use `posix_spawn`, several times cheaper for a process with
/// threads and a large address space (BENCHMARKS.md, collect against a shell script).
fn program_path(program: &str) -> Option<std::path::PathBuf> {
    let given = std::path::PathBuf::from(program);
    if !cfg!(unix) || program.contains('/') || program.is_empty() {
        return Some(given);
    }
    let mut first_file = None;
    for dir in FIXED_PATH.split(':') {
        let candidate = std::path::Path::new(dir).join(program);
        match std::fs::metadata(&candidate) {
            Ok(meta) if meta.is_file() => {
                if platform::is_executable(&meta) {
                    return Some(candidate);
                }
                first_file.get_or_insert(candidate);
            }
            _ => {}
        }
    }
    first_file
}

/// Builds the process: no shell, a fixed PATH and locale, no inherited environment on Unix,
/// its own process group so a timeout kills its children too.
fn build_command(spec: &CommandSpec) -> Result<Command, Outcome> {
    let mut command = match &spec.as_user {
        Some(user) => user_command(spec, user)?,
        None => {
            let mut c = Command::new(program_path(&spec.program).ok_or(Outcome::NotFound)?);
            c.args(&spec.args);
            c
        }
    };
    command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if cfg!(unix) {
        command.env_clear();
        command.env("PATH", FIXED_PATH);
        command.env(
            "LC_ALL",
            if cfg!(target_os = "macos") {
                "C"
            } else {
                "C.UTF-8"
            },
        );
        match &spec.as_user {
            Some(user) => {
                command.env("HOME", &user.home);
                command.env("USER", &user.name);
                command.env("LOGNAME", &user.name);
                let runtime = format!("/run/user/{}", user.uid);
                command.env(
                    "DBUS_SESSION_BUS_ADDRESS",
                    format!("unix:path={runtime}/bus"),
                );
                command.env("XDG_RUNTIME_DIR", runtime);
            }
            None => {
                if let Ok(home) = std::env::var("HOME") {
                    command.env("HOME", home);
                }
            }
        }
    }
    for (key, value) in &spec.env {
        command.env(key, value);
    }
    platform::isolate(&mut command);
    Ok(command)
}

/// A command that runs in another user's context. As root, it drops to the user with
/// `setpriv` (uid, gid and that user's groups); as that user already, it runs directly;
/// otherwise the agent lacks the right, which is reported, not guessed around.
fn user_command(spec: &CommandSpec, user: &super::UserContext) -> Result<Command, Outcome> {
    match platform::current_uid() {
        Some(uid) if uid == user.uid => {
            let mut c = Command::new(program_path(&spec.program).ok_or(Outcome::NotFound)?);
            c.args(&spec.args);
            Ok(c)
        }
        Some(0) if cfg!(target_os = "macos") => {
            // The user's GUI (Aqua) bootstrap context, so per-host preferences and
            // `sysadminctl` answer for them; sudo drops the uid and sets HOME.
            let mut c = Command::new("/bin/launchctl");
            c.arg("asuser")
                .arg(user.uid.to_string())
                .arg("/usr/bin/sudo")
                .arg("-H")
                .arg("-u")
                .arg(&user.name)
                .arg("--")
                .arg(&spec.program)
                .args(&spec.args);
            Ok(c)
        }
        Some(0) => {
            let mut c = Command::new(program_path("setpriv").ok_or(Outcome::NotFound)?);
            c.arg(format!("--reuid={}", user.uid))
                .arg(format!("--regid={}", user.gid))
                .arg("--init-groups")
                .arg("--")
                .arg(&spec.program)
                .args(&spec.args);
            Ok(c)
        }
        Some(_) => Err(Outcome::Failed {
            message: format!(
                "reading {}'s settings needs the agent to run as root or as {}",
                user.name, user.name
            ),
        }),
        None => Err(Outcome::Failed {
            message: format!(
                "running a command as {} is not supported on this OS; the plan must read that user's settings another way",
                user.name
            ),
        }),
    }
}

fn wait_with_deadline(mut child: Child, deadline: Duration, obs: &mut Observation) {
    let stdout = child.stdout.take().map(spawn_reader);
    let stderr = child.stderr.take().map(spawn_reader);
    let started = Instant::now();
    let mut pause = Duration::from_millis(1);
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) if started.elapsed() >= deadline => {
                platform::kill_tree(&mut child);
                let _ = child.wait();
                obs.outcome = Outcome::TimedOut {
                    deadline_ms: millis(deadline),
                };
                break None;
            }
            Ok(None) => {
                thread::sleep(pause.min(deadline.saturating_sub(started.elapsed())));
                pause = (pause * 2).min(Duration::from_millis(20));
            }
            Err(err) => {
                platform::kill_tree(&mut child);
                obs.outcome = io_outcome(&err);
                break None;
            }
        }
    };
    if let Some(status) = status {
        obs.exit_code = status.code();
        if status.code().is_none() {
            obs.outcome = Outcome::Failed {
                message: format!("terminated by a signal ({status})"),
            };
        }
    }
    // A grandchild may still hold the pipes open; wait a little, never forever.
    let grace = Duration::from_millis(500);
    for (reader, target) in [(stdout, &mut obs.stdout), (stderr, &mut obs.stderr)] {
        if let Some(rx) = reader
            && let Ok((bytes, truncated)) = rx.recv_timeout(grace)
        {
            *target = String::from_utf8_lossy(&bytes).into_owned();
            obs.truncated |= truncated;
        }
    }
}

/// Reads a pipe on its own thread, keeping the first [`MAX_OUTPUT_BYTES`] and draining the
/// rest so the child never blocks on a full pipe.
fn spawn_reader<R: Read + Send + 'static>(mut pipe: R) -> mpsc::Receiver<(Vec<u8>, bool)> {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let mut kept = Vec::new();
        let mut truncated = false;
        let mut buf = [0u8; 16 * 1024];
        loop {
            match pipe.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => {
                    let room = MAX_OUTPUT_BYTES.saturating_sub(kept.len());
                    kept.extend_from_slice(&buf[..n.min(room)]);
                    truncated |= n > room;
                }
                Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
                Err(_) => break,
            }
        }
        let _ = tx.send((kept, truncated));
    });
    rx
}

#[cfg(unix)]
mod platform {
    use std::os::unix::process::CommandExt;
    use std::process::{Child, Command};

    pub fn isolate(command: &mut Command) {
        command.process_group(0);
    }

    pub fn kill_tree(child: &mut Child) {
        kill_group(child.id());
        let _ = child.kill();
    }

    /// Kills the process group `pid` leads.
    pub fn kill_group(pid: u32) {
        if let Some(pid) = i32::try_from(pid)
            .ok()
            .and_then(rustix::process::Pid::from_raw)
        {
            let _ = rustix::process::kill_process_group(pid, rustix::process::Signal::KILL);
        }
    }

    pub fn current_uid() -> Option<u32> {
        Some(rustix::process::geteuid().as_raw())
    }

    /// Whether any execute bit is set (what `execvp` looks for on the search path).
    pub fn is_executable(meta: &std::fs::Metadata) -> bool {
        use std::os::unix::fs::PermissionsExt;
        meta.permissions().mode() & 0o111 != 0
    }
}

#[cfg(windows)]
mod platform {
    use std::os::windows::process::CommandExt;
    use std::process::{Child, Command};

    /// CREATE_NO_WINDOW: never flash a console window in front of the employee.
    const CREATE_NO_WINDOW: u32 = 0x0800_0000;

    pub fn isolate(command: &mut Command) {
        command.creation_flags(CREATE_NO_WINDOW);
    }

    pub fn kill_tree(child: &mut Child) {
        let _ = child.kill();
    }

    /// Windows has no process groups to kill from here; commands end at their deadline.
    pub fn kill_group(_pid: u32) {}

    pub fn current_uid() -> Option<u32> {
        None
    }

    /// Windows has no execute bit; the search path is not used there ([`super::program_path`]).
    pub fn is_executable(_meta: &std::fs::Metadata) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    #[cfg(unix)]
    #[test]
    fn bare_program_names_are_found_on_the_fixed_path_as_execvp_would() {
        let sh = super::program_path("sh").expect("sh is on the fixed PATH");
        assert!(sh.is_absolute(), "{}", sh.display());
        assert!(
            super::FIXED_PATH
                .split(':')
                .any(|dir| sh.parent() == Some(std::path::Path::new(dir))),
            "{}",
            sh.display()
        );
        assert_eq!(super::program_path("no-such-program-devidence"), None);
        assert_eq!(
            super::program_path("/bin/true"),
            Some(std::path::PathBuf::from("/bin/true"))
        );
    }

    use super::*;

    #[test]
    fn a_completed_command_keeps_output_and_exit_code() {
        let obs = RealHost::new().run(&CommandSpec::new(
            "sh",
            ["-c", "echo out; echo err >&2; exit 3"],
        ));
        assert_eq!(obs.outcome, Outcome::Completed);
        assert_eq!(obs.exit_code, Some(3));
        assert_eq!(obs.stdout, "out\n");
        assert_eq!(obs.stderr, "err\n");
        assert!(!obs.succeeded());
    }

    #[test]
    fn a_hung_command_is_killed_at_its_deadline_with_its_children() {
        let spec = CommandSpec::new("sh", ["-c", "sleep 30 & sleep 30"])
            .deadline(Duration::from_millis(200));
        let started = Instant::now();
        let obs = RealHost::new().run(&spec);
        assert_eq!(obs.outcome, Outcome::TimedOut { deadline_ms: 200 });
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "took {:?}",
            started.elapsed()
        );
    }

    #[test]
    fn a_missing_program_is_not_found() {
        let obs = RealHost::new().run(&CommandSpec::new(
            "devidence-no-such-tool",
            Vec::<String>::new(),
        ));
        assert_eq!(obs.outcome, Outcome::NotFound);
    }

    #[test]
    fn a_flood_of_gigabytes_is_drained_and_capped() {
        // 2 GiB on stdout: the first MiB is kept, the rest drained so the program never
        // blocks on a full pipe, and memory stays at the cap.
        let spec = CommandSpec::new("sh", ["-c", "head -c 2147483648 /dev/zero"])
            .deadline(Duration::from_secs(120));
        let obs = RealHost::new().run(&spec);
        assert_eq!(obs.outcome, Outcome::Completed);
        assert_eq!(obs.exit_code, Some(0));
        assert!(obs.truncated);
        assert_eq!(obs.stdout.len(), MAX_OUTPUT_BYTES);
    }

    #[cfg(unix)]
    #[test]
    fn a_program_that_may_not_be_executed_is_permission_denied() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let program = dir.path().join("not-executable");
        std::fs::write(&program, "#!/bin/sh\necho ran\n").unwrap();
        std::fs::set_permissions(&program, std::fs::Permissions::from_mode(0o644)).unwrap();
        let obs = RealHost::new().run(&CommandSpec::new(
            program.to_str().unwrap(),
            Vec::<String>::new(),
        ));
        assert_eq!(obs.outcome, Outcome::PermissionDenied);
        assert!(obs.stdout.is_empty());
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn as_root_a_per_user_command_runs_as_that_user_only() {
        if !devidence_testkit::available(
            "root",
            platform::current_uid() == Some(0),
            "dropping to another user needs the tests to run as root",
        ) {
            return;
        }
        let nobody = crate::UserContext {
            name: "nobody".into(),
            uid: 65534,
            gid: 65534,
            home: "/nonexistent".into(),
        };
        let spec = CommandSpec::new("sh", ["-c", "id -u; id -g; id -G"]).as_user(&nobody);
        let obs = RealHost::new().run(&spec);
        assert_eq!(obs.exit_code, Some(0), "{obs:?}");
        let lines: Vec<&str> = obs.stdout.lines().collect();
        assert_eq!(lines[..2], ["65534", "65534"], "{obs:?}");
        assert!(
            !lines[2].split_whitespace().any(|g| g == "0"),
            "root's group kept: {obs:?}"
        );
    }

    #[test]
    fn the_environment_is_not_inherited() {
        // SAFETY-free: set on our own process only for this check.
        let obs = RealHost::new().run(&CommandSpec::new("sh", ["-c", "echo \"$PATH|$CARGO\""]));
        assert_eq!(obs.stdout.trim(), format!("{FIXED_PATH}|"));
    }

    #[test]
    fn files_and_directories_are_read_or_reported_missing() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("b.txt"), "hello").unwrap();
        std::fs::write(dir.path().join("a.txt"), "").unwrap();
        let host = RealHost::new();
        let listing = host.list_dir(dir.path().to_str().unwrap());
        assert_eq!(listing.stdout, "a.txt\nb.txt");
        let file = host.read_file(dir.path().join("b.txt").to_str().unwrap());
        assert_eq!(file.stdout, "hello");
        assert!(file.succeeded());
        let missing = host.read_file(dir.path().join("nope").to_str().unwrap());
        assert_eq!(missing.outcome, Outcome::NotFound);
    }
}
