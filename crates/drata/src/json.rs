//! Reading Drata's JSON answers: a 2xx body as the spec's type, and the spec's `number` IDs.

use crate::DrataError;
use reqwest::Url;
use serde::{Deserialize, Deserializer};

/// Parses a 2xx body as `T`, or explains why it does not match the spec.
pub(crate) fn decode<T: for<'de> Deserialize<'de>>(
    url: &Url,
    body: &[u8],
) -> Result<T, DrataError> {
    serde_json::from_slice(body).map_err(|e| {
        let html = String::from_utf8_lossy(&body[..body.len().min(512)])
            .trim_start()
            .starts_with('<');
        DrataError::Decode {
            url: url.to_string(),
            detail: if html {
                "an HTML page, not JSON: a captive portal or proxy may have answered instead of Drata".into()
            } else {
                e.to_string()
            },
        }
    })
}

/// Accepts `7` and `7.0` (JSON "number"), rejects fractions and negatives.
pub(crate) fn whole_number<'de, D: Deserializer<'de>>(deserializer: D) -> Result<u64, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Number {
        Int(u64),
        Float(f64),
    }
    match Number::deserialize(deserializer)? {
        Number::Int(n) => Ok(n),
        Number::Float(f) if f >= 0.0 && f.fract() == 0.0 && f < 2f64.powi(53) => Ok(f as u64),
        Number::Float(f) => Err(serde::de::Error::custom(format!(
            "id {f} is not a whole number"
        ))),
    }
}
