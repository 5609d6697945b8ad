//! Who uses this machine: local accounts and graphical login sessions (Linux). Per-user
//! settings (screen lock, browser extensions) are read for these people, in their own context.

use crate::host::{CommandSpec, UserContext};
use crate::probe::ProbeRun;
use std::time::Duration;

/// A local login account with a home directory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LocalUser {
    /// Login name.
    pub name: String,
    /// Numeric user id.
    pub uid: u32,
    /// Primary group id.
    pub gid: u32,
    /// Home directory.
    pub home: String,
}

impl LocalUser {
    /// The context to run commands as this user.
    pub fn context(&self) -> UserContext {
        UserContext {
            name: self.name.clone(),
            uid: self.uid,
            gid: self.gid,
            home: self.home.clone(),
        }
    }
}

/// Parses `/etc/passwd` into the accounts people log in with: uid 1000–59999 (Debian, Fedora
/// and Arch convention) with a real shell, plus root only if `include_root`.
pub fn parse_passwd(text: &str, include_root: bool) -> Vec<LocalUser> {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|line| {
            let f: Vec<&str> = line.split(':').collect();
            if f.len() < 7 {
                return None;
            }
            let uid: u32 = f[2].parse().ok()?;
            let gid: u32 = f[3].parse().ok()?;
            let shell = f[6].trim();
            let no_login =
                shell.ends_with("nologin") || shell.ends_with("/false") || shell.is_empty();
            let human = (1000..60000).contains(&uid) || (include_root && uid == 0);
            (human && !no_login && !f[5].is_empty()).then(|| LocalUser {
                name: f[0].to_string(),
                uid,
                gid,
                home: f[5].to_string(),
            })
        })
        .collect()
}

/// A `/etc/passwd` line reduced to what the checks use: login accounts only (as
/// [`parse_passwd`] selects them, root included), with the GECOS field emptied.
fn minimise_passwd_line(line: &str) -> Option<String> {
    let user = parse_passwd(line, true).into_iter().next()?;
    let shell = line.rsplit(':').next().unwrap_or("");
    Some(format!(
        "{}:x:{}:{}::{}:{shell}",
        user.name, user.uid, user.gid, user.home
    ))
}

/// One login session as `loginctl show-session` describes it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Session {
    /// Session id.
    pub id: String,
    /// Owner's login name.
    pub user: String,
    /// Owner's uid.
    pub uid: Option<u32>,
    /// `x11`, `wayland`, `tty`, …
    pub kind: String,
    /// `user`, `greeter`, …
    pub class: String,
    /// Whether it is the session in front of the screen.
    pub active: bool,
    /// Desktop name (`GNOME`, `KDE`, …) when the display manager sets it.
    pub desktop: String,
    /// For a session logind lists as a text console (`Type=tty`) that runs a Wayland
    /// compositor started by hand (`sway` typed after logging in), what showed it: the
    /// compositor's sockets in the person's runtime folder. `None` for a session logind
    /// itself reports as graphical.
    pub found_by: Option<String>,
}

impl Session {
    /// True for a person's desktop session (X11 or Wayland, class `user`).
    pub fn is_graphical(&self) -> bool {
        (self.kind == "x11" || self.kind == "wayland" || self.kind == "mir") && self.class == "user"
    }
}

/// Parses the session ids from `loginctl list-sessions --no-legend` (first column).
pub fn parse_session_ids(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|l| l.split_whitespace().next())
        .filter(|id| id.chars().all(|c| c.is_ascii_alphanumeric()))
        .map(str::to_string)
        .collect()
}

/// Parses `loginctl show-session ID -p …` (`Key=value` lines).
pub fn parse_show_session(id: &str, text: &str) -> Session {
    let mut s = Session {
        id: id.to_string(),
        ..Session::default()
    };
    for line in text.lines() {
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        match key {
            "Name" => s.user = value.to_string(),
            "User" => s.uid = value.parse().ok(),
            "Type" => s.kind = value.to_string(),
            "Class" => s.class = value.to_string(),
            "Active" => s.active = value == "yes",
            "Desktop" => s.desktop = value.to_string(),
            _ => {}
        }
    }
    s
}

/// The graphical sessions on this Linux machine, active first, found with `loginctl`
/// (recorded as evidence), plus, for a person with only text-console sessions, the Wayland
/// compositor they started by hand from one ([`compositor_in_runtime_dir`]; one session per
/// person). `Err` says why sessions could not be listed.
pub fn graphical_sessions(run: &mut ProbeRun<'_>) -> Result<Vec<Session>, String> {
    let deadline = Duration::from_secs(5);
    let list =
        run.run(CommandSpec::new("loginctl", ["list-sessions", "--no-legend"]).deadline(deadline));
    if !list.succeeded() {
        return Err(list.failure_reason());
    }
    let mut sessions = Vec::new();
    // Text-console sessions: a compositor started by hand leaves logind saying `tty`.
    let mut consoles: Vec<Session> = Vec::new();
    for id in parse_session_ids(&list.stdout) {
        let show = run.run(
            CommandSpec::new(
                "loginctl",
                [
                    "show-session",
                    id.as_str(),
                    "-p",
                    "Name",
                    "-p",
                    "User",
                    "-p",
                    "Type",
                    "-p",
                    "Class",
                    "-p",
                    "Active",
                    "-p",
                    "Desktop",
                ],
            )
            .deadline(deadline),
        );
        if show.succeeded() {
            let session = parse_show_session(&id, &show.stdout);
            if session.is_graphical() {
                sessions.push(session);
            } else if session.kind == "tty" && session.class == "user" {
                consoles.push(session);
            }
        }
    }
    consoles.sort_by_key(|s| !s.active);
    for console in consoles {
        let Some(uid) = console.uid else { continue };
        if sessions.iter().any(|s| s.uid == Some(uid)) {
            continue;
        }
        let entries = run.list_dir_quietly(&format!("/run/user/{uid}"));
        if let Some((desktop, found_by)) = compositor_in_runtime_dir(&entries, uid) {
            sessions.push(Session {
                kind: "wayland".into(),
                desktop,
                found_by: Some(found_by),
                ..console
            });
        }
    }
    sessions.sort_by_key(|s| !s.active);
    Ok(sessions)
}

/// A Wayland compositor a person started from a text console, told by the sockets it makes
/// in their runtime folder (`/run/user/<uid>`, logind's `XDG_RUNTIME_DIR`): `wayland-N`
/// (libwayland's `wl_display_add_socket_auto`, every compositor), Sway's
/// `sway-ipc.<uid>.<pid>.sock` (swaywm/sway `sway/ipc-server.c`, `ipc_user_sockaddr`) and
/// Hyprland's `hypr/` folder (wiki.hypr.land/IPC: `$XDG_RUNTIME_DIR/hypr/[HIS]/.socket.sock`).
/// Returns the desktop name (empty when the compositor has no sign of its own, as river) and
/// what was seen; `None` without a `wayland-N` socket.
pub fn compositor_in_runtime_dir(entries: &[String], uid: u32) -> Option<(String, String)> {
    let socket = entries.iter().find(|name| {
        name.strip_prefix("wayland-")
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
    })?;
    let runtime = format!("/run/user/{uid}");
    let sway = format!("sway-ipc.{uid}.");
    if let Some(ipc) = entries
        .iter()
        .find(|name| name.starts_with(&sway) && name.ends_with(".sock"))
    {
        return Some((
            "sway".into(),
            format!("{runtime}/{socket} and {runtime}/{ipc}"),
        ));
    }
    if entries.iter().any(|name| name == "hypr") {
        return Some((
            "Hyprland".into(),
            format!("{runtime}/{socket} and {runtime}/hypr/"),
        ));
    }
    Some((String::new(), format!("{runtime}/{socket}")))
}

/// The local accounts from `/etc/passwd`. Only the lines of login accounts are kept as
/// evidence, with the full-name (GECOS) field emptied: an auditor needs the accounts checked,
/// not the people's names.
pub fn local_users(run: &mut ProbeRun<'_>) -> Result<Vec<LocalUser>, String> {
    let passwd = run.read_file_minimised("/etc/passwd", minimise_passwd_line);
    if passwd.succeeded() {
        Ok(parse_passwd(&passwd.stdout, false))
    } else {
        Err(passwd.failure_reason())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_compositor_started_from_a_console_is_told_by_its_sockets() {
        let names = |list: &[&str]| list.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let sway = names(&[
            "bus",
            "wayland-1",
            "wayland-1.lock",
            "sway-ipc.1000.1234.sock",
        ]);
        assert_eq!(
            compositor_in_runtime_dir(&sway, 1000),
            Some((
                "sway".into(),
                "/run/user/1000/wayland-1 and /run/user/1000/sway-ipc.1000.1234.sock".into()
            ))
        );
        let hypr = names(&["hypr", "wayland-1", "wayland-1.lock", "pipewire-0"]);
        assert_eq!(
            compositor_in_runtime_dir(&hypr, 1000).map(|(d, _)| d),
            Some("Hyprland".into())
        );
        let river = names(&["wayland-0", "wayland-0.lock"]);
        assert_eq!(
            compositor_in_runtime_dir(&river, 1001),
            Some((String::new(), "/run/user/1001/wayland-0".into()))
        );
        // Another person's Sway socket name, a lock file alone, or no socket: nothing.
        assert_eq!(
            compositor_in_runtime_dir(&names(&["bus", "pulse", "systemd"]), 1000),
            None
        );
        assert_eq!(
            compositor_in_runtime_dir(&names(&["wayland-1.lock", "sway-ipc.1000.1.sock"]), 1000),
            None
        );
        assert_eq!(
            compositor_in_runtime_dir(&names(&["wayland-1", "sway-ipc.1001.1.sock"]), 1000)
                .map(|(d, _)| d),
            Some(String::new())
        );
    }

    #[test]
    fn passwd_keeps_people_and_drops_system_accounts() {
        let text = "root:x:0:0:root:/root:/bin/bash\n\
                    daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n\
                    alice:x:1000:1000:Alice,,,:/home/alice:/bin/bash\n\
                    nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n\
                    svc:x:1001:1001::/var/lib/svc:/bin/false\n";
        let users = parse_passwd(text, false);
        assert_eq!(users.len(), 1);
        assert_eq!(users[0].name, "alice");
        assert_eq!(users[0].home, "/home/alice");
        assert_eq!(parse_passwd(text, true).len(), 2);
    }

    #[test]
    fn passwd_evidence_keeps_login_accounts_without_names() {
        let host = {
            let mut h = crate::ReplayHost::new();
            h.file(
                "/etc/passwd",
                "root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\nalice:x:1000:1000:Alice Example,,,:/home/alice:/bin/bash\n",
            );
            h
        };
        let policy = crate::Policy::default();
        let redactor = crate::redact::Redactor::new();
        let mut run = ProbeRun::new(&host, crate::Os::Linux, &policy, &redactor);
        let users = local_users(&mut run).unwrap_or_default();
        assert_eq!(users.len(), 1);
        let recorded = &run.observations()[0].stdout;
        assert_eq!(
            recorded,
            "root:x:0:0::/root:/bin/bash\nalice:x:1000:1000::/home/alice:/bin/bash\n"
        );
        assert!(!recorded.contains("Alice Example") && !recorded.contains("daemon"));
    }

    #[test]
    fn loginctl_sessions_are_parsed() {
        // systemd 252 (Debian 12) `loginctl list-sessions --no-legend`
        let ids =
            parse_session_ids("      2 1000 alice seat0 tty2\n     c1  120 gdm   seat0 tty1\n");
        assert_eq!(ids, ["2", "c1"]);
        let s = parse_show_session(
            "2",
            "Name=alice\nUser=1000\nType=wayland\nClass=user\nActive=yes\nDesktop=GNOME\n",
        );
        assert!(s.is_graphical() && s.active);
        assert_eq!(s.uid, Some(1000));
        let greeter = parse_show_session(
            "c1",
            "Name=gdm\nUser=120\nType=wayland\nClass=greeter\nActive=no\n",
        );
        assert!(!greeter.is_graphical());
    }
}
