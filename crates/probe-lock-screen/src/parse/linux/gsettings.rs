//! `gsettings list-recursively SCHEMA` output: one `schema key value` line per key, the value
//! in GVariant text format (`true`, `uint32 300`, `1200`, `'suspend'`, `@as []`).

use std::collections::BTreeMap;

/// The keys of the schemas in one `gsettings list-recursively` output, values still in GVariant
/// text form.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SchemaValues {
    values: BTreeMap<(String, String), String>,
}

impl SchemaValues {
    /// The raw GVariant text of `schema key`, if the output listed it.
    pub fn raw(&self, schema: &str, key: &str) -> Option<&str> {
        self.values
            .get(&(schema.to_string(), key.to_string()))
            .map(String::as_str)
    }

    /// True when the output listed no key at all.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// A boolean key: `Ok(None)` when absent, `Err` when present but not a boolean.
    pub fn bool(&self, schema: &str, key: &str) -> Result<Option<bool>, String> {
        self.typed(schema, key, parse_bool, "a boolean")
    }

    /// An unsigned integer key (`uint32 300`, `300`, `int32 300`): `Ok(None)` when absent, `Err`
    /// when present but not a non-negative integer.
    pub fn uint(&self, schema: &str, key: &str) -> Result<Option<u64>, String> {
        self.typed(schema, key, parse_uint, "a non-negative integer")
    }

    /// A string key (`'suspend'`): `Ok(None)` when absent, `Err` when present but not a string.
    pub fn string(&self, schema: &str, key: &str) -> Result<Option<String>, String> {
        self.typed(schema, key, parse_string, "a string")
    }

    fn typed<T>(
        &self,
        schema: &str,
        key: &str,
        parse: fn(&str) -> Option<T>,
        what: &str,
    ) -> Result<Option<T>, String> {
        match self.raw(schema, key) {
            None => Ok(None),
            Some(raw) => parse(raw)
                .map(Some)
                .ok_or_else(|| format!("{schema} {key} is `{raw}`, not {what}")),
        }
    }
}

/// Parses the output of `gsettings list-recursively` (any number of schemas). A line that is
/// not `schema key value` makes the whole output unreadable: it is not what gsettings prints.
pub fn parse_list_recursively(text: &str) -> Result<SchemaValues, String> {
    let mut out = SchemaValues::default();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let mut parts = line.splitn(3, ' ');
        let (Some(schema), Some(key), Some(value)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(format!(
                "line {} is not `schema key value`: `{}`",
                n + 1,
                line.trim()
            ));
        };
        let schema_ok = !schema.is_empty() && schema.contains('.');
        let key_ok = !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
        if !schema_ok || !key_ok {
            return Err(format!(
                "line {} is not `schema key value`: `{}`",
                n + 1,
                line.trim()
            ));
        }
        out.values.insert(
            (schema.to_string(), key.to_string()),
            value.trim().to_string(),
        );
    }
    Ok(out)
}

/// `true` / `false`.
pub fn parse_bool(raw: &str) -> Option<bool> {
    match raw.trim() {
        "true" => Some(true),
        "false" => Some(false),
        _ => None,
    }
}

/// `uint32 300`, `300`, `int32 300`, `uint64 300`: a non-negative integer. GVariant prints the
/// type prefix for every integer type except `int32`.
pub fn parse_uint(raw: &str) -> Option<u64> {
    let raw = raw.trim();
    let number = match raw.split_once(' ') {
        Some((prefix, rest)) => {
            let known = [
                "byte", "int16", "uint16", "int32", "uint32", "int64", "uint64",
            ];
            if !known.contains(&prefix) {
                return None;
            }
            rest.trim()
        }
        None => raw,
    };
    number.parse::<u64>().ok()
}

/// `'suspend'` or `"it's"`: a GVariant string with its quotes removed (escapes resolved).
pub fn parse_string(raw: &str) -> Option<String> {
    let raw = raw.trim();
    let quote = raw.chars().next().filter(|c| *c == '\'' || *c == '"')?;
    let inner = raw.strip_prefix(quote)?.strip_suffix(quote)?;
    let mut out = String::new();
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            out.push(chars.next()?);
        } else {
            out.push(c);
        }
    }
    Some(out)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn values_of_every_shape_gsettings_prints_are_read() {
        // Lines from the Debian 12 recordings in tests/fixtures/linux/gnome.
        let text = "org.gnome.desktop.screensaver lock-delay uint32 0\n\
                    org.gnome.desktop.screensaver lock-enabled true\n\
                    org.gnome.desktop.screensaver picture-uri 'file:///usr/share/backgrounds/gnome/adwaita-timed.xml'\n\
                    org.gnome.settings-daemon.plugins.power sleep-inactive-ac-timeout 1200\n\
                    org.gnome.settings-daemon.plugins.power sleep-inactive-ac-type 'suspend'\n\
                    org.gnome.desktop.search-providers disabled @as []\n";
        let v = parse_list_recursively(text).unwrap();
        assert_eq!(
            v.uint("org.gnome.desktop.screensaver", "lock-delay"),
            Ok(Some(0))
        );
        assert_eq!(
            v.bool("org.gnome.desktop.screensaver", "lock-enabled"),
            Ok(Some(true))
        );
        assert_eq!(
            v.uint(
                "org.gnome.settings-daemon.plugins.power",
                "sleep-inactive-ac-timeout"
            ),
            Ok(Some(1200))
        );
        assert_eq!(
            v.string(
                "org.gnome.settings-daemon.plugins.power",
                "sleep-inactive-ac-type"
            ),
            Ok(Some("suspend".to_string()))
        );
        assert_eq!(
            v.raw("org.gnome.desktop.search-providers", "disabled"),
            Some("@as []")
        );
        assert_eq!(
            v.bool("org.gnome.desktop.screensaver", "ubuntu-lock-on-suspend"),
            Ok(None)
        );
        assert!(
            v.bool("org.gnome.desktop.screensaver", "lock-delay")
                .is_err()
        );
    }

    #[test]
    fn garbage_is_refused_not_guessed() {
        assert!(parse_list_recursively("No such schema “org.gnome.nope”").is_err());
        assert!(parse_list_recursively("lock-enabled true").is_err());
        assert_eq!(parse_uint("uint32 -1"), None);
        assert_eq!(parse_uint("double 1.5"), None);
        assert_eq!(parse_bool("'true'"), None);
        assert_eq!(parse_string("'it\\'s'"), Some("it's".to_string()));
        assert_eq!(parse_string("suspend"), None);
    }
}
