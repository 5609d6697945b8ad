//! Facts in, verdict out: any installed password manager passes; nothing found fails only when
//! every source was read; otherwise the probe says what it could not read.

use devidence_core::Verdict;

/// One place a password manager was found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hit {
    /// The product (catalogue name).
    pub product: &'static str,
    /// How it is installed, e.g. `deb package keepassxc 2.7.4` or `Firefox extension
    /// keepassxc-browser@keepassxc.org 1.8.4 (enabled)`.
    pub how: String,
    /// Whose it is: `system-wide`, or `user alice, profile Default`.
    pub whose: String,
}

impl Hit {
    /// `KeePassXC: deb package keepassxc 2.7.4 (system-wide)`.
    pub fn describe(&self) -> String {
        format!("{}: {} ({})", self.product, self.how, self.whose)
    }
}

/// Everything the plan looked at.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Survey {
    /// Password managers found.
    pub hits: Vec<Hit>,
    /// Sources that were read completely (`deb packages`, `alice's browser profiles`, …).
    pub read: Vec<String>,
    /// Sources that exist but could not be read, each with the reason.
    pub unreadable: Vec<String>,
}

/// A verdict with its one-sentence summary and, unless passing, what to do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decision {
    /// Pass, fail or unknown.
    pub verdict: Verdict,
    /// One sentence for people.
    pub summary: String,
    /// How to fix it (None when passing).
    pub remediation: Option<String>,
}

/// What to do when no password manager is found.
pub const INSTALL_REMEDY: &str = "Install the company's approved password manager: its desktop app (for example `sudo apt install keepassxc`, or 1Password or Bitwarden from the vendor's repository) and its browser extension in the browser profiles you use.";

/// The same advice for macOS and Windows, where the vendor's installer is the way.
pub const INSTALL_REMEDY_DESKTOP: &str = "Install the company's approved password manager (for example 1Password, Bitwarden or KeePassXC from the vendor's site or the company portal) and its browser extension in the browser profiles you use.";

/// The verdict for a survey.
pub fn decide(survey: &Survey) -> Decision {
    if !survey.hits.is_empty() {
        let mut products: Vec<&str> = Vec::new();
        for hit in &survey.hits {
            if !products.contains(&hit.product) {
                products.push(hit.product);
            }
        }
        let places = survey.hits.len();
        return Decision {
            verdict: Verdict::Pass,
            summary: format!(
                "Found {} installed in {places} place{}, first as {}.",
                join_words(&products),
                if places == 1 { "" } else { "s" },
                survey.hits[0].describe()
            ),
            remediation: None,
        };
    }
    if survey.read.is_empty() {
        let why = if survey.unreadable.is_empty() {
            "no package database, home directory or browser profile could be read".to_string()
        } else {
            format!("no source could be read ({})", survey.unreadable.join("; "))
        };
        return Decision {
            verdict: Verdict::unknown(why.clone()),
            summary: format!("Could not look for a password manager because {why}."),
            remediation: Some("Run the agent as root so it can read the package databases and every user's home directory.".into()),
        };
    }
    if !survey.unreadable.is_empty() {
        let why = format!(
            "no password manager found in {}, but {} could not be read",
            survey.read.join(", "),
            survey.unreadable.join("; ")
        );
        return Decision {
            verdict: Verdict::unknown(why.clone()),
            summary: format!("Could not rule out a password manager: {why}."),
            remediation: Some(
                "Run the agent as root so it can read every user's home directory.".into(),
            ),
        };
    }
    Decision {
        verdict: Verdict::Fail,
        summary: format!(
            "No password manager was found in {}.",
            survey.read.join(", ")
        ),
        remediation: Some(INSTALL_REMEDY.into()),
    }
}

fn join_words(words: &[&str]) -> String {
    match words {
        [] => String::new(),
        [one] => (*one).to_string(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hit(product: &'static str) -> Hit {
        Hit {
            product,
            how: "deb package x 1".into(),
            whose: "system-wide".into(),
        }
    }

    #[test]
    fn verdict_table() {
        let read = vec!["deb packages".to_string()];
        let unreadable = vec!["bob's home (/home/bob permission denied)".to_string()];
        let table = [
            (vec![hit("KeePassXC")], vec![], unreadable.clone(), "PASS"),
            (vec![], read.clone(), vec![], "FAIL"),
            (vec![], read.clone(), unreadable.clone(), "UNKNOWN"),
            (vec![], vec![], unreadable.clone(), "UNKNOWN"),
            (vec![], vec![], vec![], "UNKNOWN"),
        ];
        for (hits, read, unreadable, want) in table {
            let d = decide(&Survey {
                hits,
                read,
                unreadable,
            });
            assert_eq!(d.verdict.label(), want, "{d:?}");
            assert_eq!(d.remediation.is_none(), want == "PASS");
        }
    }

    #[test]
    fn pass_summary_names_products_once() {
        let d = decide(&Survey {
            hits: vec![hit("KeePassXC"), hit("Bitwarden"), hit("KeePassXC")],
            ..Survey::default()
        });
        assert_eq!(
            d.summary,
            "Found KeePassXC and Bitwarden installed in 3 places, first as KeePassXC: deb package x 1 (system-wide)."
        );
    }
}
