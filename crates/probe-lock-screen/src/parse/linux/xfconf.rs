//! XFCE's xfconf channel files (`xfce-perchannel-xml/<channel>.xml`): nested `<property>`
//! elements, flattened to `/group/key` paths, and the xfce4-screensaver settings read from them.
//!
//! Defaults when a property is absent are xfce4-screensaver's own (`src/gs-prefs.h`, the same
//! in 4.16, 4.18 and 4.20): `/saver/enabled` true, `/saver/idle-activation/enabled` true,
//! `/saver/idle-activation/delay` 5 (minutes), `/lock/enabled` true,
//! `/lock/saver-activation/enabled` true, `/lock/saver-activation/delay` 0 (minutes after the
//! saver starts), `/lock/sleep-activation` true.

use std::collections::BTreeMap;

/// A channel's properties: path → (xfconf type, value as written).
pub type Channel = BTreeMap<String, (String, String)>;

/// Parses a channel file. `Err` when it is not XML or not a `<channel>` document (fail
/// closed: an unreadable file is never taken as "all defaults").
pub fn parse_channel(text: &str) -> Result<Channel, String> {
    let doc =
        roxmltree::Document::parse(text).map_err(|e| format!("not a readable xfconf file: {e}"))?;
    let root = doc.root_element();
    if root.tag_name().name() != "channel" {
        return Err(format!(
            "the file's root element is <{}>, not an xfconf <channel>",
            root.tag_name().name()
        ));
    }
    let mut out = Channel::new();
    collect(root, "", &mut out);
    Ok(out)
}

fn collect(node: roxmltree::Node<'_, '_>, prefix: &str, out: &mut Channel) {
    for child in node.children().filter(|c| c.has_tag_name("property")) {
        let Some(name) = child.attribute("name") else {
            continue;
        };
        let path = format!("{prefix}/{name}");
        let kind = child.attribute("type").unwrap_or("");
        if let Some(value) = child.attribute("value") {
            out.insert(path.clone(), (kind.to_string(), value.to_string()));
        }
        collect(child, &path, out);
    }
}

/// One xfce4-screensaver setting and where its value came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Setting<T> {
    /// The value in force.
    pub value: T,
    /// `user file`, `system file` or `default`.
    pub source: &'static str,
}

/// The xfce4-screensaver settings that decide the lock.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScreensaverSettings {
    /// `/saver/enabled`.
    pub saver_enabled: Setting<bool>,
    /// `/saver/idle-activation/enabled`.
    pub idle_activation: Setting<bool>,
    /// `/saver/idle-activation/delay`, minutes.
    pub idle_delay_minutes: Setting<u64>,
    /// `/lock/enabled`.
    pub lock_enabled: Setting<bool>,
    /// `/lock/saver-activation/enabled`.
    pub lock_with_saver: Setting<bool>,
    /// `/lock/saver-activation/delay`, minutes after the saver starts.
    pub lock_delay_minutes: Setting<u64>,
    /// `/lock/sleep-activation` (4.18.2 and later).
    pub lock_on_sleep: Setting<bool>,
}

/// Resolves the settings: the user's file over the system file over the defaults. `Err` when a
/// property that decides holds a value of the wrong type (never guessed).
pub fn screensaver_settings(
    user: Option<&Channel>,
    system: Option<&Channel>,
) -> Result<ScreensaverSettings, String> {
    fn lookup<'c>(
        user: Option<&'c Channel>,
        system: Option<&'c Channel>,
        path: &str,
    ) -> Option<(&'c (String, String), &'static str)> {
        user.and_then(|c| c.get(path).map(|v| (v, "user file")))
            .or_else(|| system.and_then(|c| c.get(path).map(|v| (v, "system file"))))
    }
    let boolean = |path: &str, default: bool| -> Result<Setting<bool>, String> {
        match lookup(user, system, path) {
            None => Ok(Setting {
                value: default,
                source: "default",
            }),
            Some(((_, v), source)) => match v.as_str() {
                "true" => Ok(Setting {
                    value: true,
                    source,
                }),
                "false" => Ok(Setting {
                    value: false,
                    source,
                }),
                other => Err(format!(
                    "xfce4-screensaver {path} is `{other}`, not true or false"
                )),
            },
        }
    };
    let minutes = |path: &str, default: u64| -> Result<Setting<u64>, String> {
        match lookup(user, system, path) {
            None => Ok(Setting {
                value: default,
                source: "default",
            }),
            Some(((_, v), source)) => v
                .trim()
                .parse()
                .map(|value| Setting { value, source })
                .map_err(|_| format!("xfce4-screensaver {path} is `{v}`, not a number of minutes")),
        }
    };
    Ok(ScreensaverSettings {
        saver_enabled: boolean("/saver/enabled", true)?,
        idle_activation: boolean("/saver/idle-activation/enabled", true)?,
        idle_delay_minutes: minutes("/saver/idle-activation/delay", 5)?,
        lock_enabled: boolean("/lock/enabled", true)?,
        lock_with_saver: boolean("/lock/saver-activation/enabled", true)?,
        lock_delay_minutes: minutes("/lock/saver-activation/delay", 0)?,
        lock_on_sleep: boolean("/lock/sleep-activation", true)?,
    })
}
