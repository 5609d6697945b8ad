//! Which desktop a login session runs, from the `Desktop` property logind records (the display
//! manager's `XDG_SESSION_DESKTOP`: `ubuntu`, `gnome`, `KDE`, `cinnamon`, `xfce`, `sway`,
//! `Hyprland`, `river`, …; sometimes a colon list such as `ubuntu:GNOME`), and whether an XDG autostart entry is switched off.

/// The desktop families this probe knows how to read the screen lock of, or why not.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Desktop {
    /// GNOME Shell and desktops that lock through its `org.gnome.desktop.screensaver` schema
    /// (Ubuntu's GNOME session, Pop!_OS, Zorin, GNOME Classic, Budgie).
    Gnome,
    /// Cinnamon: the same keys under `org.cinnamon.desktop.*`.
    Cinnamon,
    /// KDE Plasma: `kscreenlockerrc`.
    Kde,
    /// MATE: `org.mate.screensaver` and `org.mate.session` (delays in minutes).
    Mate,
    /// XFCE: xfce4-screensaver's xfconf channel.
    Xfce,
    /// Sway (Wayland compositor): swayidle started from its config, locking with swaylock & co.
    Sway,
    /// Hyprland: hypridle (`~/.config/hypr/hypridle.conf`) or swayidle, locking with hyprlock & co.
    Hyprland,
    /// river: swayidle started from `~/.config/river/init`.
    River,
    /// A desktop whose lock settings this version does not read (LXQt, tiling
    /// window managers, …), by the name the session gave.
    Unsupported(String),
    /// The session did not name its desktop.
    Unnamed,
}

impl Desktop {
    /// Classifies logind's `Desktop` value.
    pub fn from_session(desktop: &str) -> Desktop {
        let parts: Vec<String> = desktop
            .split(':')
            .map(|p| p.trim().to_ascii_lowercase())
            .filter(|p| !p.is_empty())
            .collect();
        if parts.is_empty() {
            return Desktop::Unnamed;
        }
        let any = |names: &[&str]| parts.iter().any(|p| names.contains(&p.as_str()));
        if any(&[
            "kde",
            "plasma",
            "plasmawayland",
            "plasmax11",
            "kde-plasma",
            "plasma-wayland",
        ]) {
            Desktop::Kde
        } else if any(&["cinnamon", "cinnamon2d", "x-cinnamon", "cinnamon-wayland"]) {
            Desktop::Cinnamon
        } else if any(&["mate"]) {
            Desktop::Mate
        } else if any(&["xfce", "xfce4", "xubuntu", "xfce-wayland"]) {
            Desktop::Xfce
        } else if any(&["sway", "swayfx", "sway-session"]) {
            Desktop::Sway
        } else if any(&["hyprland", "hyprland-uwsm", "hyprland-systemd"]) {
            Desktop::Hyprland
        } else if any(&["river", "river-classic"]) {
            Desktop::River
        } else if any(&[
            "gnome",
            "gnome-xorg",
            "gnome-wayland",
            "gnome-classic",
            "gnome-classic-xorg",
            "gnome-classic-wayland",
            "ubuntu",
            "ubuntu-xorg",
            "ubuntu-wayland",
            "pop",
            "zorin",
            "budgie",
            "budgie-desktop",
        ]) {
            Desktop::Gnome
        } else {
            Desktop::Unsupported(desktop.trim().to_string())
        }
    }

    /// True for desktops with no lock setting of their own to read when their idle config is
    /// unreadable (the tiling compositors, desktops not read, unnamed sessions): there logind's
    /// idle hints are recorded.
    pub fn without_lock_setting(&self) -> bool {
        matches!(
            self,
            Desktop::Sway
                | Desktop::Hyprland
                | Desktop::River
                | Desktop::Unsupported(_)
                | Desktop::Unnamed
        )
    }

    /// A short name for facts and sentences.
    pub fn label(&self) -> String {
        match self {
            Desktop::Gnome => "GNOME".into(),
            Desktop::Cinnamon => "Cinnamon".into(),
            Desktop::Kde => "KDE Plasma".into(),
            Desktop::Mate => "MATE".into(),
            Desktop::Xfce => "XFCE".into(),
            Desktop::Sway => "Sway".into(),
            Desktop::Hyprland => "Hyprland".into(),
            Desktop::River => "river".into(),
            Desktop::Unsupported(name) => name.clone(),
            Desktop::Unnamed => "(not named by the session)".into(),
        }
    }

    /// A lower-case slug for fact keys.
    pub fn slug(&self) -> String {
        match self {
            Desktop::Gnome => "gnome".into(),
            Desktop::Cinnamon => "cinnamon".into(),
            Desktop::Kde => "kde".into(),
            Desktop::Mate => "mate".into(),
            Desktop::Xfce => "xfce".into(),
            Desktop::Sway => "sway".into(),
            Desktop::Hyprland => "hyprland".into(),
            Desktop::River => "river".into(),
            Desktop::Unsupported(name) => name
                .chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() {
                        c.to_ascii_lowercase()
                    } else {
                        '_'
                    }
                })
                .collect(),
            Desktop::Unnamed => "unnamed".into(),
        }
    }
}

/// True when an XDG autostart entry (a `.desktop` file in `/etc/xdg/autostart`) is switched
/// off (`Hidden=true`), so the session does not start it.
pub fn autostart_hidden(entry: &str) -> bool {
    entry
        .lines()
        .any(|l| l.trim().eq_ignore_ascii_case("Hidden=true"))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn session_desktop_names_map_to_families() {
        assert_eq!(Desktop::from_session("ubuntu"), Desktop::Gnome);
        assert_eq!(Desktop::from_session("ubuntu:GNOME"), Desktop::Gnome);
        assert_eq!(Desktop::from_session("GNOME"), Desktop::Gnome);
        assert_eq!(Desktop::from_session("KDE"), Desktop::Kde);
        assert_eq!(Desktop::from_session("plasmawayland"), Desktop::Kde);
        assert_eq!(Desktop::from_session("X-Cinnamon"), Desktop::Cinnamon);
        assert_eq!(Desktop::from_session("xfce"), Desktop::Xfce);
        assert_eq!(Desktop::from_session("XFCE"), Desktop::Xfce);
        assert_eq!(Desktop::from_session("MATE"), Desktop::Mate);
        // The session file names (sway.desktop, hyprland.desktop, river.desktop) and
        // Hyprland's DesktopNames=Hyprland.
        assert_eq!(Desktop::from_session("sway"), Desktop::Sway);
        assert_eq!(Desktop::from_session("Hyprland"), Desktop::Hyprland);
        assert_eq!(Desktop::from_session("river"), Desktop::River);
        assert_eq!(
            Desktop::from_session("LXQt"),
            Desktop::Unsupported("LXQt".into())
        );
        assert_eq!(Desktop::from_session(""), Desktop::Unnamed);
        assert_eq!(Desktop::Unsupported("LXQt".into()).slug(), "lxqt");
    }
}
