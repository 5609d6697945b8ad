//! The Windows formats: `sc.exe qc` output, as older versions recorded it.

/// Reads `START_TYPE` from recorded `sc qc` output (`START_TYPE : 3   DEMAND_START`): the
/// number (older recordings; the plan reads the service key's `Start` value).
pub fn parse_start_type(text: &str) -> Option<u32> {
    text.lines().find_map(|line| {
        let (name, value) = line.split_once(':')?;
        (name.trim() == "START_TYPE").then(|| value.split_whitespace().next()?.parse().ok())?
    })
}
