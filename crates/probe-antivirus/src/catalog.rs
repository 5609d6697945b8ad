//! The antivirus/EDR catalogue: per product and OS, how it is found and how its protection
//! state is read. Data, not code: adding a product is adding a row.
//!
//! A product is *found* when its status tool exists, one of its services is installed, or
//! one of its install folders is there. Its state then comes from, in order:
//! 1. its status tool ([`Status`]), whose output (in its [`StatusFormat`]) is parsed under
//!    [`crate::parse`] and concluded fail-closed by [`crate::policy::conclude_status`];
//! 2. failing that, its service: stopped → not protecting; running, for a product with no
//!    local status tool → protecting (the service running is then the evidence, and says so);
//!    running, for a product whose status tool could not answer → unreadable, naming it.
//!
//! Service names, labels and paths come from each vendor's documentation; the sources are
//! listed in ARCHITECTURE.md's antivirus table.

use devidence_core::Os;

/// The output format of a vendor's status tool: which parser reads it and which rule in
/// [`crate::policy::conclude_status`] judges it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StatusFormat {
    /// Microsoft Defender for Endpoint `mdatp health` (JSON or text; Linux and macOS).
    MdatpHealth,
    /// CrowdStrike Falcon `falconctl -g --rfm-state --aid --version` (Linux).
    FalconctlOptions,
    /// CrowdStrike Falcon `falconctl stats` (macOS).
    FalconctlStats,
    /// SentinelOne `sentinelctl control status` (Linux).
    SentinelctlControlStatus,
    /// SentinelOne `sentinelctl status` (macOS).
    SentinelctlStatus,
    /// Carbon Black Cloud `repcli status` (Linux and macOS).
    RepcliStatus,
    /// Cortex XDR `cytool runtime query` (Linux and macOS).
    CytoolRuntimeQuery,
    /// Bitdefender `bduitool get ps` (Linux).
    BduitoolPs,
    /// Sophos Anti-Virus for Linux `savdstatus`.
    Savdstatus,
    /// Trend Micro Deep Security `dsa_query -c GetAgentStatus` (Linux).
    DsaAgentStatus,
}

/// The command whose output says whether a product protects, and the format it prints.
#[derive(Clone, Copy, Debug)]
pub struct Status {
    /// Absolute path of the vendor's tool (no `PATH` lookup for a root agent).
    pub program: &'static str,
    /// Its arguments.
    pub args: &'static [&'static str],
    /// The format of the tool's standard output.
    pub format: StatusFormat,
}

/// One product on one OS.
#[derive(Clone, Copy, Debug)]
pub struct Product {
    /// The name people know it by.
    pub name: &'static str,
    /// The OS this row is for.
    pub os: Os,
    /// The status tool, when the product has one that answers locally.
    pub status: Option<Status>,
    /// Its services: systemd units on Linux, launchd labels on macOS, service names on Windows.
    pub services: &'static [&'static str],
    /// Folders whose presence shows it is installed even when no service list can be read.
    pub install_dirs: &'static [&'static str],
}

const fn status(
    program: &'static str,
    args: &'static [&'static str],
    format: StatusFormat,
) -> Option<Status> {
    Some(Status {
        program,
        args,
        format,
    })
}

/// Every product the agent knows, all OSes.
pub const PRODUCTS: &[Product] = &[
    // ---- Linux ----
    Product {
        name: "Microsoft Defender for Endpoint",
        os: Os::Linux,
        status: status(
            "mdatp",
            &["health", "--output", "json"],
            StatusFormat::MdatpHealth,
        ),
        services: &["mdatp.service"],
        install_dirs: &["/opt/microsoft/mdatp"],
    },
    Product {
        name: "CrowdStrike Falcon",
        os: Os::Linux,
        status: status(
            "/opt/CrowdStrike/falconctl",
            &["-g", "--rfm-state", "--aid", "--version"],
            StatusFormat::FalconctlOptions,
        ),
        services: &["falcon-sensor.service"],
        install_dirs: &["/opt/CrowdStrike"],
    },
    Product {
        name: "SentinelOne",
        os: Os::Linux,
        status: status(
            "/opt/sentinelone/bin/sentinelctl",
            &["control", "status"],
            StatusFormat::SentinelctlControlStatus,
        ),
        services: &["sentinelone.service"],
        install_dirs: &["/opt/sentinelone"],
    },
    Product {
        name: "Carbon Black Cloud",
        os: Os::Linux,
        status: status(
            "/opt/carbonblack/psc/bin/repcli",
            &["status"],
            StatusFormat::RepcliStatus,
        ),
        services: &["cbagentd.service"],
        install_dirs: &["/opt/carbonblack/psc"],
    },
    Product {
        name: "Cortex XDR",
        os: Os::Linux,
        status: status(
            "/opt/traps/bin/cytool",
            &["runtime", "query"],
            StatusFormat::CytoolRuntimeQuery,
        ),
        services: &["traps_pmd.service"],
        install_dirs: &["/opt/traps"],
    },
    Product {
        name: "Bitdefender GravityZone",
        os: Os::Linux,
        status: status(
            "/opt/bitdefender-security-tools/bin/bduitool",
            &["get", "ps"],
            StatusFormat::BduitoolPs,
        ),
        services: &["bdsec.service"],
        install_dirs: &["/opt/bitdefender-security-tools"],
    },
    Product {
        name: "Sophos Protection for Linux",
        os: Os::Linux,
        status: None,
        services: &["sophos-spl.service"],
        install_dirs: &["/opt/sophos-spl"],
    },
    Product {
        name: "Sophos Anti-Virus for Linux",
        os: Os::Linux,
        status: status(
            "/opt/sophos-av/bin/savdstatus",
            &[],
            StatusFormat::Savdstatus,
        ),
        services: &["sav-protect.service"],
        install_dirs: &["/opt/sophos-av"],
    },
    Product {
        name: "ESET Endpoint Antivirus",
        os: Os::Linux,
        status: None,
        services: &["eea.service", "efs.service"],
        install_dirs: &["/opt/eset/eea", "/opt/eset/efs"],
    },
    Product {
        name: "Trend Micro Deep Security",
        os: Os::Linux,
        status: status(
            "/opt/ds_agent/dsa_query",
            &["-c", "GetAgentStatus"],
            StatusFormat::DsaAgentStatus,
        ),
        services: &["ds_agent.service"],
        install_dirs: &["/opt/ds_agent"],
    },
    Product {
        name: "Kaspersky Endpoint Security",
        os: Os::Linux,
        status: None,
        services: &["kesl.service"],
        install_dirs: &["/opt/kaspersky/kesl"],
    },
    // ---- macOS ----
    Product {
        name: "Microsoft Defender for Endpoint",
        os: Os::Macos,
        status: status(
            "/usr/local/bin/mdatp",
            &["health"],
            StatusFormat::MdatpHealth,
        ),
        services: &["com.microsoft.wdav.daemon"],
        install_dirs: &["/Applications/Microsoft Defender.app"],
    },
    Product {
        name: "CrowdStrike Falcon",
        os: Os::Macos,
        status: status(
            "/Applications/Falcon.app/Contents/Resources/falconctl",
            &["stats"],
            StatusFormat::FalconctlStats,
        ),
        services: &["com.crowdstrike.falcond"],
        install_dirs: &["/Applications/Falcon.app"],
    },
    Product {
        name: "SentinelOne",
        os: Os::Macos,
        status: status(
            "/Library/Sentinel/sentinel-agent.bundle/Contents/MacOS/sentinelctl",
            &["status"],
            StatusFormat::SentinelctlStatus,
        ),
        services: &["com.sentinelone.sentineld"],
        install_dirs: &["/Library/Sentinel"],
    },
    Product {
        name: "Carbon Black Cloud",
        os: Os::Macos,
        status: status(
            "/Applications/VMware Carbon Black Cloud/repcli.bundle/Contents/MacOS/repcli",
            &["status"],
            StatusFormat::RepcliStatus,
        ),
        services: &["com.vmware.carbonblack.cloud.daemon"],
        install_dirs: &["/Applications/VMware Carbon Black Cloud"],
    },
    Product {
        name: "Cortex XDR",
        os: Os::Macos,
        status: status(
            "/Library/Application Support/PaloAltoNetworks/Traps/bin/cytool",
            &["runtime", "query"],
            StatusFormat::CytoolRuntimeQuery,
        ),
        services: &["com.paloaltonetworks.cortex.pmd"],
        install_dirs: &["/Library/Application Support/PaloAltoNetworks/Traps"],
    },
    Product {
        name: "Jamf Protect",
        os: Os::Macos,
        status: None,
        services: &["com.jamf.protect.daemon"],
        install_dirs: &["/Applications/JamfProtect.app"],
    },
    Product {
        name: "Bitdefender Endpoint Security Tools",
        os: Os::Macos,
        status: None,
        services: &["com.bitdefender.epag"],
        install_dirs: &["/Library/Bitdefender/AVP"],
    },
    Product {
        name: "Sophos",
        os: Os::Macos,
        status: None,
        services: &["com.sophos.endpoint.scanextension"],
        install_dirs: &["/Library/Sophos Anti-Virus"],
    },
    Product {
        name: "ESET Endpoint Security",
        os: Os::Macos,
        status: None,
        services: &["com.eset.protection"],
        install_dirs: &[
            "/Applications/ESET Endpoint Security.app",
            "/Applications/ESET Endpoint Antivirus.app",
        ],
    },
    Product {
        name: "Trend Micro Apex One",
        os: Os::Macos,
        status: None,
        services: &["com.trendmicro.icore.main"],
        install_dirs: &["/Library/Application Support/TrendMicro"],
    },
    Product {
        name: "Kaspersky Endpoint Security",
        os: Os::Macos,
        status: None,
        services: &["com.kaspersky.kav"],
        install_dirs: &["/Library/Application Support/Kaspersky Lab"],
    },
    // ---- Windows (Defender and Security Center are read by the Windows plan itself) ----
    Product {
        name: "CrowdStrike Falcon",
        os: Os::Windows,
        status: None,
        services: &["CSFalconService"],
        install_dirs: &[],
    },
    Product {
        name: "SentinelOne",
        os: Os::Windows,
        status: None,
        services: &["SentinelAgent"],
        install_dirs: &[],
    },
    Product {
        name: "Carbon Black Cloud",
        os: Os::Windows,
        status: None,
        services: &["CbDefense"],
        install_dirs: &[],
    },
    Product {
        name: "Cortex XDR",
        os: Os::Windows,
        status: None,
        services: &["cyserver"],
        install_dirs: &[],
    },
    Product {
        name: "Bitdefender Endpoint Security Tools",
        os: Os::Windows,
        status: None,
        services: &["EPSecurityService"],
        install_dirs: &[],
    },
    Product {
        name: "Sophos Endpoint",
        os: Os::Windows,
        status: None,
        services: &["Sophos Endpoint Defense Service", "SAVService"],
        install_dirs: &[],
    },
    Product {
        name: "ESET Endpoint Security",
        os: Os::Windows,
        status: None,
        services: &["ekrn"],
        install_dirs: &[],
    },
    Product {
        name: "Trend Micro",
        os: Os::Windows,
        status: None,
        services: &["ds_agent", "ntrtscan"],
        install_dirs: &[],
    },
    Product {
        name: "Kaspersky Endpoint Security",
        os: Os::Windows,
        status: None,
        services: &["AVP"],
        install_dirs: &[],
    },
];

/// The catalogue's rows for `os`, in table order.
pub fn for_os(os: Os) -> impl Iterator<Item = &'static Product> {
    PRODUCTS.iter().filter(move |p| p.os == os)
}

/// Every service name the catalogue knows for `os` (plus `extra`), for one service query.
pub fn services_for(os: Os, extra: &[&'static str]) -> Vec<&'static str> {
    let mut names: Vec<&'static str> = for_os(os)
        .flat_map(|p| p.services.iter().copied())
        .chain(extra.iter().copied())
        .collect();
    names.sort_unstable();
    names.dedup();
    names
}

/// The status command of the catalogue's `name` row for `os`, as the plan runs it.
///
/// # Panics
/// When the catalogue has no such row with a status tool (a programming error, caught by
/// the tests that call this).
pub fn status_command(os: Os, name: &str) -> devidence_core::CommandSpec {
    let status = for_os(os)
        .find(|p| p.name == name)
        .and_then(|p| p.status)
        .unwrap_or_else(|| panic!("the catalogue has no status tool for {name} on {os:?}"));
    crate::products::status_spec(&status)
}
