//! Drata's hosting regions and their public API base URLs.

use std::fmt;
use std::str::FromStr;

/// The region a Drata tenant lives in. Each has its own API host, and an API key only works
/// against the region it was created in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Region {
    /// United States: `https://public-api.drata.com/public/v2` (the default).
    #[default]
    Us,
    /// European Union: `https://public-api.eu.drata.com/public/v2`.
    Eu,
    /// Asia-Pacific: `https://public-api.apac.drata.com/public/v2`.
    Apac,
}

impl Region {
    /// Every region, in the order the spec's `servers` list gives them.
    pub const ALL: [Region; 3] = [Region::Us, Region::Eu, Region::Apac];

    /// The base URL of the public V2 API in this region, without a trailing slash.
    pub fn base_url(self) -> &'static str {
        match self {
            Region::Us => "https://public-api.drata.com/public/v2",
            Region::Eu => "https://public-api.eu.drata.com/public/v2",
            Region::Apac => "https://public-api.apac.drata.com/public/v2",
        }
    }

    /// The short name used in configuration: `us`, `eu` or `apac`.
    pub fn as_str(self) -> &'static str {
        match self {
            Region::Us => "us",
            Region::Eu => "eu",
            Region::Apac => "apac",
        }
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A region name that is not `us`, `eu` or `apac`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown Drata region {given:?}: use us, eu or apac (or give the API URL instead)")]
pub struct UnknownRegion {
    /// What was given.
    pub given: String,
}

impl FromStr for Region {
    type Err = UnknownRegion;

    /// Parses `us`, `eu` or `apac`, ignoring case and surrounding blanks.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "us" => Ok(Region::Us),
            "eu" => Ok(Region::Eu),
            "apac" => Ok(Region::Apac),
            _ => Err(UnknownRegion {
                given: s.to_string(),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_names_and_maps_to_the_spec_servers() {
        assert_eq!("us".parse(), Ok(Region::Us));
        assert_eq!(" EU ".parse(), Ok(Region::Eu));
        assert_eq!("Apac".parse(), Ok(Region::Apac));
        assert!("asia".parse::<Region>().is_err());
        assert_eq!(
            Region::Us.base_url(),
            "https://public-api.drata.com/public/v2"
        );
        assert_eq!(
            Region::Eu.base_url(),
            "https://public-api.eu.drata.com/public/v2"
        );
        assert_eq!(
            Region::Apac.base_url(),
            "https://public-api.apac.drata.com/public/v2"
        );
        for region in Region::ALL {
            assert_eq!(region.to_string().parse(), Ok(region));
        }
    }
}
