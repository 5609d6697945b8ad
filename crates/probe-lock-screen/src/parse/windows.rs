//! Windows outputs: `powercfg /query` dumps (read by GUID and `0x…` number, never by the
//! display-language labels) and registry numbers.

/// The AC and DC values of the setting `guid` in a `powercfg /query` dump: the block from the
/// line naming the GUID to the next line naming another GUID. GUIDs and `0x…` numbers are the
/// same in every display language; the labels are not, so they are never read.
pub fn parse_powercfg_setting(text: &str, guid: &str) -> Option<(u64, u64)> {
    let mut lines = text.lines();
    lines.find(|line| line.to_ascii_lowercase().contains(guid))?;
    let block: Vec<&str> = lines.take_while(|line| !names_a_guid(line)).collect();
    parse_powercfg_values(&block.join("\n"))
}

/// True when the line holds a GUID (`8-4-4-4-12` hex digits): a subgroup or setting header.
fn names_a_guid(line: &str) -> bool {
    line.split(|c: char| !(c.is_ascii_hexdigit() || c == '-'))
        .any(|word| {
            let parts: Vec<&str> = word.split('-').collect();
            parts.iter().map(|p| p.len()).eq([8, 4, 4, 4, 12])
        })
}

/// The AC and DC (battery) values of one `powercfg /query` setting: the last two `0x…`
/// numbers printed (their labels are in the display language, the numbers are not).
pub fn parse_powercfg_values(text: &str) -> Option<(u64, u64)> {
    let numbers: Vec<u64> = text
        .lines()
        .filter_map(|line| {
            let hex = line.trim().rsplit(' ').next()?.strip_prefix("0x")?;
            u64::from_str_radix(hex, 16).ok()
        })
        .collect();
    match numbers.as_slice() {
        [.., ac, dc] => Some((*ac, *dc)),
        _ => None,
    }
}

/// A registry number as the reader prints it: `0x…` hexadecimal or decimal (`None` when
/// neither).
pub fn parse_reg_number(data: &str) -> Option<u64> {
    let v = data.trim();
    v.strip_prefix("0x")
        .map_or_else(|| v.parse().ok(), |h| u64::from_str_radix(h, 16).ok())
}
