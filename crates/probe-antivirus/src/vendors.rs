//! Readers of the vendors' status tools: text in, a [`Reading`] out. Each reader is fail
//! closed: output it cannot read is [`Reading::Unreadable`] with the reason, never a pass and
//! never a fail. Formats follow the published outputs under `tests/fixtures/<os>/`.

use crate::ProductState;
use crate::parse;
use std::collections::BTreeMap;

/// What a status tool said: the state (never [`ProductState::Absent`]) and the facts worth
/// recording, keyed without the product prefix.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reading {
    /// Protecting, not protecting, or unreadable, with why.
    pub state: ProductState,
    /// `(key, value)` facts read on the way.
    pub facts: Vec<(String, String)>,
}

impl Reading {
    fn new(state: ProductState) -> Reading {
        Reading {
            state,
            facts: Vec::new(),
        }
    }

    fn unreadable(why: impl Into<String>) -> Reading {
        Reading::new(ProductState::Unreadable(why.into()))
    }

    fn fact(mut self, key: &str, value: impl Into<String>) -> Reading {
        self.facts.push((key.to_string(), value.into()));
        self
    }
}

/// `key: value` lines, keys trimmed and lower-cased; the first occurrence wins.
fn colon_fields(text: &str) -> BTreeMap<String, String> {
    let mut fields = BTreeMap::new();
    for line in text.lines() {
        if let Some((key, value)) = line.split_once(':') {
            fields
                .entry(key.trim().to_ascii_lowercase())
                .or_insert_with(|| value.trim().to_string());
        }
    }
    fields
}

/// `mdatp health` (JSON or text), on Linux and macOS.
pub fn mdatp_health(text: &str) -> Reading {
    let health = match parse::mdatp_health(text) {
        Ok(h) => h,
        Err(why) => return Reading::unreadable(why),
    };
    let mut facts = Vec::new();
    if let Some(v) = &health.app_version {
        facts.push(("app_version".to_string(), v.clone()));
    }
    facts.push((
        "real_time_protection".into(),
        format!("{:?}", health.real_time_protection),
    ));
    facts.push((
        "definitions_status".into(),
        health
            .definitions_status
            .clone()
            .unwrap_or_else(|| "not reported".into()),
    ));
    facts.push(("healthy".into(), format!("{:?}", health.healthy)));
    let state = if health.real_time_protection == Some(true)
        && health.real_time_protection_available == Some(false)
    {
        ProductState::NotProtecting(
            "real-time protection is switched on but not available (on macOS: approve Defender's system extension and Full Disk Access)".into(),
        )
    } else {
        match (
            health.real_time_protection,
            health.healthy,
            health.definitions_status.as_deref(),
        ) {
            (Some(false), _, _) => {
                ProductState::NotProtecting("real-time protection is off".into())
            }
            (_, Some(false), _) => {
                ProductState::NotProtecting("mdatp reports the agent unhealthy".into())
            }
            (_, _, Some(status)) if !["up_to_date", "updating"].contains(&status) => {
                ProductState::NotProtecting(format!("definitions are {status}"))
            }
            (Some(true), _, _) => {
                ProductState::Protecting("real-time protection on, definitions up to date".into())
            }
            (None, _, _) => {
                ProductState::Unreadable("mdatp did not report real_time_protection_enabled".into())
            }
        }
    };
    Reading { state, facts }
}

/// The options `falconctl -g` printed: `name="v"`, `name=v`, `name is not set`, `version = v`.
/// `None` for an option it reported as not set.
pub fn falconctl_options(text: &str) -> BTreeMap<String, Option<String>> {
    let mut options = BTreeMap::new();
    for item in text.split([',', '\n']) {
        let item = item.trim().trim_end_matches('.').trim();
        if item.is_empty() {
            continue;
        }
        if let Some(name) = item.strip_suffix(" is not set") {
            options.insert(name.trim().to_ascii_lowercase(), None);
        } else if let Some((name, value)) = item.split_once('=') {
            let value = value.trim().trim_matches('"').to_string();
            let name = name.trim().to_ascii_lowercase();
            if !name.contains(char::is_whitespace) {
                options.insert(name, Some(value));
            }
        }
    }
    options
}

/// Linux `falconctl -g --rfm-state --aid --version`: protecting when not in Reduced
/// Functionality Mode and registered (an agent ID is assigned at the first cloud contact).
pub fn falcon_linux(text: &str) -> Reading {
    let options = falconctl_options(text);
    let mut reading_facts = Vec::new();
    if let Some(Some(v)) = options.get("version") {
        reading_facts.push(("version".to_string(), v.clone()));
    }
    let rfm = match options.get("rfm-state") {
        None => return Reading::unreadable("falconctl printed no rfm-state"),
        Some(None) => {
            return Reading::unreadable(
                "falconctl reports rfm-state as not set: the sensor has not reported its mode yet",
            );
        }
        Some(Some(v)) => match v.as_str() {
            "true" => true,
            "false" => false,
            other => {
                return Reading::unreadable(format!(
                    "falconctl printed rfm-state `{other}`, neither true nor false"
                ));
            }
        },
    };
    reading_facts.push(("reduced_functionality_mode".into(), rfm.to_string()));
    let state = match options.get("aid") {
        Some(None) => ProductState::NotProtecting(
            "the sensor has no agent ID: it has never registered with the CrowdStrike cloud".into(),
        ),
        _ if rfm => {
            ProductState::NotProtecting("the sensor is in Reduced Functionality Mode".into())
        }
        Some(Some(aid)) => {
            reading_facts.push(("aid".into(), aid.clone()));
            ProductState::Protecting("registered sensor, not in Reduced Functionality Mode".into())
        }
        None => ProductState::Protecting("not in Reduced Functionality Mode".into()),
    };
    Reading {
        state,
        facts: reading_facts,
    }
}

/// macOS `falconctl stats`: `Sensor operational: true|false` decides.
pub fn falcon_stats(text: &str) -> Reading {
    let stats = parse::falcon_stats(text);
    let mut reading = Reading::unreadable("");
    if let Some(v) = &stats.version {
        reading = reading.fact("version", v.clone());
    }
    if let Some(state) = &stats.cloud_state {
        reading = reading.fact("cloud_state", state.clone());
    }
    reading.state = match stats.operational {
        Some(true) => ProductState::Protecting(match &stats.cloud_state {
            Some(state) => format!("sensor operational, cloud {state}"),
            None => "sensor operational".into(),
        }),
        Some(false) => {
            ProductState::NotProtecting("falconctl reports the sensor not operational".into())
        }
        None => {
            ProductState::Unreadable("falconctl stats printed no `Sensor operational` line".into())
        }
    };
    reading
}

/// Linux `sentinelctl control status`: `Agent state   Enabled|Disabled` decides.
pub fn sentinelctl_linux(text: &str) -> Reading {
    let state_line = text
        .lines()
        .map(str::trim)
        .find_map(|l| l.strip_prefix("Agent state"))
        .map(|rest| rest.trim().trim_start_matches(':').trim().to_string());
    let version = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("Agent version:"))
        .map(|v| v.trim().to_string());
    let mut reading = match state_line.as_deref() {
        Some(s) if s.eq_ignore_ascii_case("enabled") => {
            Reading::new(ProductState::Protecting("agent state Enabled".into()))
        }
        Some(s) if s.eq_ignore_ascii_case("disabled") => Reading::new(ProductState::NotProtecting(
            "sentinelctl reports the agent state Disabled".into(),
        )),
        Some(s) => Reading::unreadable(format!(
            "sentinelctl printed agent state `{s}`, neither Enabled nor Disabled"
        )),
        None => Reading::unreadable("sentinelctl printed no `Agent state` line"),
    };
    if let Some(s) = state_line {
        reading = reading.fact("agent_state", s);
    }
    if let Some(v) = version {
        reading = reading.fact("version", v);
    }
    reading
}

/// macOS `sentinelctl status`: the agent's operational state, `Protection` and `Ready` must
/// all be on; any one off is not protecting, any one missing is unreadable.
pub fn sentinelctl_macos(text: &str) -> Reading {
    let fields = colon_fields(text);
    let mut reading = Reading::unreadable("");
    if let Some(v) = fields.get("version") {
        reading = reading.fact("version", v.clone());
    }
    let checks = [
        ("agent operational state", "enabled"),
        ("protection", "enabled"),
        ("ready", "yes"),
    ];
    const OFF_WORDS: [&str; 4] = ["disabled", "no", "not running", "stopped"];
    let mut missing = Vec::new();
    let mut off = Vec::new();
    for (key, good) in checks {
        match fields.get(key).filter(|v| !v.is_empty()) {
            None => missing.push(key.to_string()),
            Some(value) => {
                reading = reading.fact(&key.replace(' ', "_"), value.clone());
                let lower = value.to_ascii_lowercase();
                if OFF_WORDS.contains(&lower.as_str()) {
                    off.push(format!("{key}: {value}"));
                } else if lower != good {
                    missing.push(format!("a {key} it knows (it printed `{value}`)"));
                }
            }
        }
    }
    reading.state = if !off.is_empty() {
        ProductState::NotProtecting(format!("sentinelctl reports {}", off.join(", ")))
    } else if !missing.is_empty() {
        ProductState::Unreadable(format!(
            "sentinelctl status printed no {}",
            missing.join(", ")
        ))
    } else {
        ProductState::Protecting("agent enabled, protection enabled, ready".into())
    };
    reading
}

/// Carbon Black `repcli status`: the sensor `State:` (under `Sensor Status`/`Sensor State`)
/// decides; `Enabled` protects, anything else (`Disabled`, `Bypass`) does not.
pub fn repcli_status(text: &str) -> Reading {
    let fields = colon_fields(text);
    let mut reading = Reading::unreadable("");
    if let Some(v) = fields.get("sensor version") {
        reading = reading.fact("version", v.clone());
    }
    if let Some(v) = fields.get("system extension") {
        reading = reading.fact("system_extension", v.clone());
    }
    reading.state = match fields.get("state").map(String::as_str) {
        Some("Enabled") => ProductState::Protecting("sensor state Enabled".into()),
        Some(off @ ("Disabled" | "Bypass")) => {
            ProductState::NotProtecting(format!("repcli reports sensor state {off}"))
        }
        Some("") | None => {
            ProductState::Unreadable("repcli status printed no sensor `State:` line".into())
        }
        Some(other) => ProductState::Unreadable(format!(
            "repcli printed sensor state `{other}`, which is not one it knows"
        )),
    };
    reading
}

/// Cortex XDR `cytool runtime query`: every listed component must be `Running` (or `Loaded`,
/// for a kernel component); one stopped is not protecting; no readable row is unreadable.
pub fn cytool_runtime(text: &str) -> Reading {
    const GOOD: [&str; 2] = ["running", "loaded"];
    const BAD: [&str; 5] = ["stopped", "terminated", "unloaded", "disabled", "not"];
    let mut lines = text.lines().filter(|l| !l.trim().is_empty());
    let header = lines.next().unwrap_or("");
    if !(header.contains("Name") && header.contains("Status")) {
        return Reading::unreadable("cytool runtime query printed no `Name … Status` table");
    }
    let mut running = 0;
    let mut down = Vec::new();
    for line in lines {
        let tokens: Vec<&str> = line.split_whitespace().collect();
        let status = tokens
            .iter()
            .map(|t| t.to_ascii_lowercase())
            .find(|t| GOOD.contains(&t.as_str()) || BAD.contains(&t.as_str()));
        match status {
            Some(s) if GOOD.contains(&s.as_str()) => running += 1,
            Some(_) => down.push(tokens.first().copied().unwrap_or("?").to_string()),
            None => {
                return Reading::unreadable(format!(
                    "cytool printed a row with no status it knows: `{}`",
                    line.trim().chars().take(80).collect::<String>()
                ));
            }
        }
    }
    let reading = Reading::unreadable("").fact("components_running", running.to_string());
    Reading {
        state: if !down.is_empty() {
            ProductState::NotProtecting(format!("components not running: {}", down.join(", ")))
        } else if running == 0 {
            ProductState::Unreadable("cytool runtime query listed no component".into())
        } else {
            ProductState::Protecting(format!("all {running} components running"))
        },
        ..reading
    }
}

/// Bitdefender `bduitool get ps`: the `Antimalware status` feature decides; pending security
/// content (`New security content available: yes`) is recorded.
pub fn bduitool_ps(text: &str) -> Reading {
    let fields = colon_fields(&text.replace("  - ", ""));
    let mut reading = Reading::unreadable("");
    if let Some(v) = fields.get("product version") {
        reading = reading.fact("version", v.clone());
    }
    if let Some(v) = fields.get("last security content update") {
        reading = reading.fact("last_security_content_update", v.clone());
    }
    reading.state = match fields.get("antimalware status").map(String::as_str) {
        Some("On") => match fields
            .get("new security content available")
            .map(String::as_str)
        {
            Some("yes") => ProductState::NotProtecting(
                "antimalware on, but newer security content is waiting to be installed".into(),
            ),
            _ => ProductState::Protecting("antimalware on".into()),
        },
        Some("Off") => ProductState::NotProtecting("bduitool reports antimalware Off".into()),
        Some(other) => ProductState::Unreadable(format!(
            "bduitool printed antimalware status `{other}`, neither On nor Off"
        )),
        None => ProductState::Unreadable("bduitool get ps printed no `Antimalware status`".into()),
    };
    reading
}

/// Sophos Anti-Virus for Linux `savdstatus`: one sentence.
pub fn savdstatus(text: &str) -> Reading {
    let line = text
        .lines()
        .map(str::trim)
        .find(|l| l.starts_with("Sophos Anti-Virus"));
    Reading::new(match line {
        Some(l) if l.ends_with("on-access scanning is running") && l.contains(" is active") => {
            ProductState::Protecting("active, on-access scanning running".into())
        }
        Some(l) if l.contains("not running") || l.contains("inactive") => {
            ProductState::NotProtecting(format!("savdstatus: {l}"))
        }
        _ => ProductState::Unreadable("savdstatus printed no `Sophos Anti-Virus is …` line".into()),
    })
}

/// Trend Micro Deep Security `dsa_query -c GetAgentStatus`: `AgentStatus.agentState` is
/// `green` when the agent is managed and protecting, `red` on an error; any other colour
/// (`yellow`, a warning) is not judged.
pub fn dsa_agent_status(text: &str) -> Reading {
    let state = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("AgentStatus.agentState:"))
        .map(|s| s.trim().to_string());
    let reading = Reading::new(match state.as_deref() {
        Some("green") => ProductState::Protecting("agent state green".into()),
        Some("red") => ProductState::NotProtecting("dsa_query reports the agent state red".into()),
        Some(other) => ProductState::Unreadable(format!(
            "dsa_query reports the agent state `{other}`, which is neither green nor red"
        )),
        None => ProductState::Unreadable("dsa_query printed no AgentStatus.agentState".into()),
    });
    match state {
        Some(s) => reading.fact("agent_state", s),
        None => reading,
    }
}
