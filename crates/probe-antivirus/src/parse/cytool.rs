//! Pure parser for Cortex XDR's `cytool runtime query`, read on Linux and macOS.

/// The components `cytool runtime query` lists, by status.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CytoolRuntime {
    /// How many components are `Running` (or `Loaded`, for a kernel component).
    pub running: usize,
    /// The names of the components that are not (stopped, terminated, unloaded, disabled).
    pub down: Vec<String>,
}

/// Parses `cytool runtime query`: a `Name … Status` header, then one row per component.
/// `Err` when the table is missing or a row has no status it knows (fail closed).
pub fn cytool_runtime(text: &str) -> Result<CytoolRuntime, String> {
    const GOOD: [&str; 2] = ["running", "loaded"];
    const BAD: [&str; 5] = ["stopped", "terminated", "unloaded", "disabled", "not"];
    let mut lines = text.lines().filter(|l| !l.trim().is_empty());
    let header = lines.next().unwrap_or("");
    if !(header.contains("Name") && header.contains("Status")) {
        return Err("cytool runtime query printed no `Name … Status` table".into());
    }
    let mut table = CytoolRuntime::default();
    for line in lines {
        let tokens: Vec<&str> = line.split_whitespace().collect();
        let status = tokens
            .iter()
            .map(|t| t.to_ascii_lowercase())
            .find(|t| GOOD.contains(&t.as_str()) || BAD.contains(&t.as_str()));
        match status {
            Some(s) if GOOD.contains(&s.as_str()) => table.running += 1,
            Some(_) => table
                .down
                .push(tokens.first().copied().unwrap_or("?").to_string()),
            None => {
                return Err(format!(
                    "cytool printed a row with no status it knows: `{}`",
                    line.trim().chars().take(80).collect::<String>()
                ));
            }
        }
    }
    Ok(table)
}
