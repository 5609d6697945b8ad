//! Keeps the API key out of any text shown: Drata should never echo it, but a proxy in between
//! might.

/// `text` with every occurrence of `key` replaced by `[REDACTED]`: letters matched in any case,
/// and each character also when percent-encoded (`-` as `%2D`, as a URL or form body may carry
/// it).
pub(crate) fn redact_key(text: &str, key: &str) -> String {
    if key.len() < 4 {
        return text.to_string();
    }
    let bytes = text.as_bytes();
    let key = key.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut at = 0;
    while at < bytes.len() {
        match key_match_len(&bytes[at..], key) {
            Some(len) => {
                out.push_str(&text[copied..at]);
                out.push_str("[REDACTED]");
                at += len;
                copied = at;
            }
            None => at += 1,
        }
    }
    out.push_str(&text[copied..]);
    out
}

/// How many bytes at the start of `hay` spell `key` (see [`redact_key`]), if they do.
fn key_match_len(hay: &[u8], key: &[u8]) -> Option<usize> {
    let mut at = 0;
    for &want in key {
        let next = *hay.get(at)?;
        if next.eq_ignore_ascii_case(&want) {
            at += 1;
        } else if next == b'%' {
            let hex = std::str::from_utf8(hay.get(at + 1..at + 3)?).ok()?;
            if u8::from_str_radix(hex, 16).ok()? != want {
                return None;
            }
            at += 3;
        } else {
            return None;
        }
    }
    // Matches start on a character boundary; a whole match ends on one too.
    Some(at)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_is_redacted_in_any_case_and_percent_encoded() {
        let key = "sk-live/abc+DEF=0123456789";
        let text = "a sk-live/abc+DEF=0123456789 b SK-LIVE/ABC+DEF=0123456789 c sk-live%2fabc%2BDEF%3D0123456789 d sk%2Dlive/abc+def=0123456789";
        let out = redact_key(text, key);
        assert_eq!(out, "a [REDACTED] b [REDACTED] c [REDACTED] d [REDACTED]");
        assert_eq!(redact_key("héllo sk-l", key), "héllo sk-l");
    }
}
