//! KDE's KConfig INI dialect, as far as the screen-lock keys need it: `[Group]` headers
//! (nested `[A][B]`), `Key=value` entries, and the kiosk immutability marker `[$i]` on the file,
//! a group or a key, with which an administrator's `/etc/xdg` file wins over the user's own.
//!
//! Lines KConfig itself would skip (comments, malformed lines, localized `Key[de]=` entries) are
//! skipped here too, so the result is what the desktop reads.

use std::collections::BTreeMap;

/// One entry of a group.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// The value, whitespace-trimmed.
    pub value: String,
    /// Marked `Key[$i]=` (or its group or file is immutable).
    pub immutable: bool,
}

/// One parsed KConfig file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct KConfigFile {
    groups: BTreeMap<String, BTreeMap<String, Entry>>,
    immutable_groups: Vec<String>,
}

impl KConfigFile {
    /// The entry `key` of `group` (nested groups are written `A][B`).
    pub fn get(&self, group: &str, key: &str) -> Option<&Entry> {
        self.groups.get(group).and_then(|g| g.get(key))
    }

    /// True when the group itself is immutable (`[Group][$i]` or a file-level `[$i]`).
    pub fn group_immutable(&self, group: &str) -> bool {
        self.immutable_groups.iter().any(|g| g == group)
    }
}

/// Parses a KConfig file.
pub fn parse(text: &str) -> KConfigFile {
    let mut file = KConfigFile::default();
    let mut file_immutable = false;
    let mut group = String::from("<default>");
    let mut group_immutable = false;
    let mut seen_group = false;
    for raw in text.lines() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if line.starts_with('[') {
            if line == "[$i]" && !seen_group {
                file_immutable = true;
                continue;
            }
            let Some((name, immutable)) = parse_group_header(line) else {
                continue;
            };
            seen_group = true;
            group = name;
            group_immutable = immutable || file_immutable;
            if group_immutable && !file.immutable_groups.contains(&group) {
                file.immutable_groups.push(group.clone());
            }
            continue;
        }
        let Some((key_part, value)) = line.split_once('=') else {
            continue;
        };
        let (key, options) = match key_part.trim().split_once('[') {
            Some((key, rest)) => (key.trim(), Some(rest)),
            None => (key_part.trim(), None),
        };
        if key.is_empty() {
            continue;
        }
        let mut key_immutable = false;
        if let Some(options) = options {
            // `Key[$i]`, `Key[$e]`, `Key[$i][$e]`, or a locale `Key[de]` (skipped).
            let opts = format!("[{options}");
            let mut all_flags = true;
            for opt in opts.split(']').map(str::trim).filter(|o| !o.is_empty()) {
                match opt.strip_prefix("[$") {
                    Some(flags) => key_immutable |= flags.contains('i'),
                    None => all_flags = false,
                }
            }
            if !all_flags {
                continue;
            }
        }
        let entries = file.groups.entry(group.clone()).or_default();
        if entries.get(key).is_some_and(|e| e.immutable) {
            continue;
        }
        entries.insert(
            key.to_string(),
            Entry {
                value: value.trim().to_string(),
                immutable: key_immutable || group_immutable,
            },
        );
    }
    file
}

/// `[Daemon]` → (`Daemon`, false); `[Daemon][$i]` → (`Daemon`, true); `[A][B]` → (`A][B`, false).
fn parse_group_header(line: &str) -> Option<(String, bool)> {
    let inner = line.strip_prefix('[')?.strip_suffix(']')?;
    let mut parts: Vec<&str> = inner.split("][").collect();
    let mut immutable = false;
    while let Some(last) = parts.last() {
        if last.starts_with('$') {
            immutable |= last.contains('i');
            parts.pop();
        } else {
            break;
        }
    }
    if parts.is_empty() || parts.iter().any(|p| p.is_empty()) {
        return None;
    }
    Some((parts.join("]["), immutable))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn groups_entries_and_kiosk_markers_are_read() {
        // Shapes from published kscreenlockerrc files (see tests/fixtures/linux/kde) plus the kiosk markers
        // of the KConfig documentation.
        let f = parse(
            "[$Version]\nupdate_info=kscreenlocker.upd:0.1-autolock\n\n[Daemon]\nAutolock=false\nLockGrace = 10 \nTimeout[$i]=5\nTimeout=30\n\n[Greeter][Wallpaper][org.kde.image][General]\nImage=file:///x.png\nName[de]=Bild\n",
        );
        assert_eq!(f.get("Daemon", "Autolock").unwrap().value, "false");
        assert_eq!(f.get("Daemon", "LockGrace").unwrap().value, "10");
        let timeout = f.get("Daemon", "Timeout").unwrap();
        assert_eq!((timeout.value.as_str(), timeout.immutable), ("5", true));
        assert!(
            f.get("Greeter][Wallpaper][org.kde.image][General", "Image")
                .is_some()
        );
        assert!(
            f.get("Greeter][Wallpaper][org.kde.image][General", "Name")
                .is_none()
        );
        assert!(!f.group_immutable("Daemon"));

        let kiosk = parse("[Daemon][$i]\nAutolock=true\nTimeout=5\n");
        assert!(kiosk.group_immutable("Daemon"));
        assert!(kiosk.get("Daemon", "Autolock").unwrap().immutable);

        let whole = parse("[$i]\n[Daemon]\nAutolock=true\n");
        assert!(whole.group_immutable("Daemon"));
    }
}
