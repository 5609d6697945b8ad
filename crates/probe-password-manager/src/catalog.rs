//! The password managers this probe recognises, with every identifier each one is known by.
//!
//! One row per product; to add a product or an identifier, edit [`CATALOG`] only. Where an
//! identifier was verified, the comment names the public source (repository and path, or URL).
//! Browser extensions are matched by **store ID**, never by display name.

/// One password manager and the identifiers it installs under.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Product {
    /// The product's name, as reports show it.
    pub name: &'static str,
    /// Debian/Ubuntu package names (`dpkg-query`).
    pub deb: &'static [&'static str],
    /// RPM package names (`rpm -qa`).
    pub rpm: &'static [&'static str],
    /// Flatpak application IDs (Flathub or the vendor's repository).
    pub flatpak: &'static [&'static str],
    /// Snap names (`/snap/<name>`).
    pub snap: &'static [&'static str],
    /// Directory names under `/opt` (compared case-insensitively).
    pub opt: &'static [&'static str],
    /// Lower-case prefixes of AppImage file names in `~/Applications`.
    pub appimage: &'static [&'static str],
    /// Chrome Web Store and Edge Add-ons IDs (also used by Chromium, Brave and Vivaldi).
    pub chromium: &'static [&'static str],
    /// Firefox add-on IDs (`addons[].id` in `extensions.json`).
    pub firefox: &'static [&'static str],
    /// macOS app bundle names (`/Applications/<name>`).
    pub macos_apps: &'static [&'static str],
    /// macOS bundle identifiers (`CFBundleIdentifier`), what Spotlight finds apps by.
    pub macos_bundle_ids: &'static [&'static str],
    /// Windows "Programs and Features" display names (`DisplayName` under the Uninstall keys),
    /// matched as case-insensitive prefixes (`1Password` matches `1Password 8`).
    pub windows_names: &'static [&'static str],
}

const NONE: &[&str] = &[];

/// Every recognised product.
pub const CATALOG: &[Product] = &[
    Product {
        name: "1Password",
        deb: &["1password"],
        rpm: &["1password"],
        // Official flatpakref https://downloads.1password.com/linux/flatpak/1Password.flatpakref
        // installs com.onepassword.OnePassword.
        flatpak: &["com.onepassword.OnePassword"],
        snap: &["1password"],
        opt: &["1Password"],
        appimage: &["1password"],
        // aeblf… is the Chrome Web Store listing and dppgm… the Edge one (1Password's own
        // README links); the other four are the beta/nightly builds that 1Password's native
        // messaging host manifest (com.1password.1password.json, `allowed_origins`) accepts.
        chromium: &[
            "aeblfdkhhhdcdjpifhhbdiojplfjncoa",
            "dppgmdbiimibapkepcbdbmkaabgiofem",
            "khgocmkkpikpnmmkgmdnfckapcdkgfaf",
            "hjlinigoblmkhjejkmbegnoaljkphmgo",
            "bkpbhnjcbehoklfkljkkbbmipaphipgl",
            "gejiddohjgogedgjnonbofjigllpkmbf",
        ],
        // AMO "1password-x-password-manager" is {d634138d…}; the other two are accepted by the
        // same native messaging manifest (`allowed_extensions`).
        firefox: &[
            "{d634138d-c276-4fc8-924b-40a0ea21d284}",
            "{0a75d802-9aed-41e7-8daa-24c067386e82}",
            "{25fc87fa-4d31-4fee-b5c1-c32a7844c063}",
        ],
        macos_apps: &[
            "1Password.app",
            "1Password 7.app",
            "1Password for Safari.app",
        ],
        // com.agilebits.onepassword7 for /Applications/1Password 7.app: AutoPkg's
        // MunkiInstallsItemsCreator output in autopkg/hjuutilainen-recipes#160.
        // com.1password.1password (1Password 8) is not yet verified from a public source.
        macos_bundle_ids: &["com.1password.1password", "com.agilebits.onepassword7"],
        windows_names: &["1Password"],
    },
    Product {
        name: "1Password CLI",
        deb: &["1password-cli"],
        rpm: &["1password-cli"],
        flatpak: NONE,
        snap: NONE,
        opt: NONE,
        appimage: NONE,
        chromium: NONE,
        firefox: NONE,
        macos_apps: NONE,
        macos_bundle_ids: NONE,
        windows_names: NONE,
    },
    Product {
        name: "Bitwarden",
        deb: &["bitwarden"],
        rpm: &["bitwarden"],
        // flathub/com.bitwarden.desktop
        flatpak: &["com.bitwarden.desktop"],
        snap: &["bitwarden"],
        opt: &["Bitwarden"],
        appimage: &["bitwarden"],
        // Bitwarden desktop's native messaging manifest (`allowed_origins`): Chrome Web Store,
        // Edge Add-ons, and a third listing; settings.component.ts links the first two.
        chromium: &[
            "nngceckbapebfimnlniiiahkandclblb",
            "jbkfoedolllekgbhcbcoahefnbanhhlh",
            "ccnckbpmaceehanjmeomladnmlffdjgn",
        ],
        // Same manifest, `allowed_extensions`.
        firefox: &["{446900e4-71c2-419f-a6a7-df9c091e268b}"],
        macos_apps: &["Bitwarden.app"],
        // Not yet verified from a public source.
        macos_bundle_ids: &["com.bitwarden.desktop"],
        windows_names: &["Bitwarden"],
    },
    Product {
        name: "Bitwarden CLI",
        deb: NONE,
        rpm: NONE,
        flatpak: NONE,
        snap: &["bw"],
        opt: NONE,
        appimage: NONE,
        chromium: NONE,
        firefox: NONE,
        macos_apps: NONE,
        macos_bundle_ids: NONE,
        windows_names: NONE,
    },
    Product {
        name: "KeePassXC",
        // keepassxc-full/-minimal are the Debian 13 split; keepassx is Debian 12's
        // transitional package to keepassxc; webext-keepassxc-browser is the Debian-packaged
        // browser extension (Firefox and Chromium, system-wide).
        deb: &[
            "keepassxc",
            "keepassxc-full",
            "keepassxc-minimal",
            "keepassx",
            "webext-keepassxc-browser",
        ],
        rpm: &["keepassxc"],
        flatpak: &["org.keepassxc.KeePassXC"],
        snap: &["keepassxc"],
        opt: NONE,
        appimage: &["keepassxc"],
        // keepassxreboot/keepassxc src/browser/NativeMessageInstaller.cpp @ 75fe52c3
        // (ALLOWED_ORIGINS: Edge pdffh…, Chrome oboon…; ALLOWED_EXTENSIONS for Firefox).
        chromium: &[
            "oboonakemofpalcgghocfoadofidjkkk",
            "pdffhmdngciaglkoonimfcmckehcpafo",
        ],
        firefox: &["keepassxc-browser@keepassxc.org"],
        macos_apps: &["KeePassXC.app"],
        // Not yet verified from a public source.
        macos_bundle_ids: &["org.keepassxc.keepassxc"],
        windows_names: &["KeePassXC"],
    },
    Product {
        name: "KeePass 2",
        deb: &["keepass2"],
        rpm: &["keepass"],
        flatpak: NONE,
        snap: NONE,
        opt: NONE,
        appimage: NONE,
        chromium: NONE,
        firefox: NONE,
        macos_apps: NONE,
        macos_bundle_ids: NONE,
        windows_names: &["KeePass Password Safe"],
    },
    Product {
        name: "Proton Pass",
        deb: &["proton-pass"],
        rpm: &["proton-pass"],
        // Flathub me.proton.Pass (not marked verified on Flathub).
        flatpak: &["me.proton.Pass"],
        snap: NONE,
        opt: NONE,
        appimage: NONE,
        // ProtonMail/WebClients packages/pass/constants.ts: PASS_CHROME_URL and PASS_EDGE_URL.
        chromium: &[
            "ghmbeldphafepmbegfdlkpapadhbakde",
            "gcllgfdnfnllodcaambdaknbipemelie",
        ],
        // AMO "proton-pass" (rycee/nur-expressions generated-firefox-addons.nix addonId).
        firefox: &["78272b6fa58f4a1abaac99321d503a20@proton.me"],
        macos_apps: &["Proton Pass.app"],
        macos_bundle_ids: NONE,
        windows_names: &["Proton Pass"],
    },
    Product {
        name: "Enpass",
        deb: &["enpass"],
        rpm: &["enpass"],
        flatpak: NONE,
        snap: &["enpass"],
        opt: &["enpass"],
        appimage: NONE,
        chromium: &["kmcfomidfpdkfieipokbalgegidffkal"],
        // AMO enpass_password_manager addonId.
        firefox: &["firefox-enpass@enpass.io"],
        macos_apps: &["Enpass.app"],
        macos_bundle_ids: NONE,
        windows_names: &["Enpass"],
    },
    Product {
        name: "Keeper",
        // keepersecurity.com ships keeperpasswordmanager_<ver>_amd64.deb (AUR PKGBUILD source).
        deb: &["keeperpasswordmanager"],
        rpm: &["keeperpasswordmanager"],
        flatpak: NONE,
        // Seen in one public install note only.
        snap: &["keeper-password-manager"],
        opt: NONE,
        appimage: NONE,
        // Keeper's own docs link the Chrome Web Store listing bfogi….
        chromium: &["bfogiafebfohielmmehodmfbbebbbpei"],
        firefox: &["KeeperFFStoreExtension@KeeperSecurityInc"],
        macos_apps: &["Keeper Password Manager.app"],
        macos_bundle_ids: NONE,
        windows_names: &["Keeper Password Manager", "Keeper Desktop"],
    },
    Product {
        name: "LastPass",
        deb: NONE,
        rpm: NONE,
        flatpak: NONE,
        snap: NONE,
        opt: NONE,
        appimage: NONE,
        chromium: &[
            "hdokiejnpimakedhajhdlcegeplioahd",
            "bbcinlkgjjkejfdpemiealijmmooekmp",
        ],
        // Gentoo's lastpass-binary ebuild native messaging manifest `allowed_extensions`.
        firefox: &["support@lastpass.com"],
        macos_apps: &["LastPass.app"],
        macos_bundle_ids: NONE,
        windows_names: &["LastPass"],
    },
    Product {
        name: "Dashlane",
        deb: NONE,
        rpm: NONE,
        flatpak: NONE,
        snap: NONE,
        opt: NONE,
        appimage: NONE,
        chromium: &["fdjamakpfbbddfjaooikfcpapjohcfmg"],
        firefox: &["jetpack-extension@dashlane.com"],
        macos_apps: NONE,
        macos_bundle_ids: NONE,
        windows_names: &["Dashlane"],
    },
    Product {
        name: "NordPass",
        deb: NONE,
        rpm: NONE,
        flatpak: NONE,
        // NordPass' own Linux get-started page: `snap install nordpass`.
        snap: &["nordpass"],
        opt: NONE,
        appimage: NONE,
        // fooolg… is the Chrome Web Store "NordPass® Password Manager" listing; eiaei… is the
        // standalone extension listing.
        chromium: &[
            "fooolghllnmhmmndgjiamiiodkpenpbb",
            "eiaeiblijfjekdanodkjadfinkhbfgcd",
        ],
        firefox: &["nordpassStandalone@nordsecurity.com"],
        macos_apps: &["NordPass.app"],
        macos_bundle_ids: NONE,
        windows_names: &["NordPass"],
    },
    Product {
        name: "RoboForm",
        deb: NONE,
        rpm: NONE,
        flatpak: NONE,
        snap: NONE,
        opt: NONE,
        appimage: NONE,
        chromium: &["pnlccmojcmeohlpggmfnbbiapkmbliob"],
        firefox: NONE,
        macos_apps: &["RoboForm.app"],
        macos_bundle_ids: NONE,
        windows_names: &["RoboForm"],
    },
    Product {
        name: "pass",
        deb: &["pass", "webext-browserpass"],
        rpm: &["pass"],
        flatpak: NONE,
        snap: NONE,
        opt: NONE,
        appimage: NONE,
        // Browserpass, the browser front end of pass.
        chromium: &["naepdomgkenhinolocfifgehidddafch"],
        firefox: NONE,
        macos_apps: NONE,
        macos_bundle_ids: NONE,
        windows_names: NONE,
    },
    Product {
        name: "gopass",
        deb: &["gopass"],
        rpm: &["gopass"],
        flatpak: NONE,
        snap: NONE,
        opt: NONE,
        appimage: NONE,
        chromium: NONE,
        firefox: NONE,
        macos_apps: NONE,
        macos_bundle_ids: NONE,
        windows_names: NONE,
    },
    Product {
        name: "GNOME Secrets",
        // Debian 12: `secrets`, with `gnome-passwordsafe` as its transitional name.
        deb: &["secrets", "gnome-passwordsafe"],
        rpm: &["secrets"],
        flatpak: &["org.gnome.World.Secrets"],
        snap: NONE,
        opt: NONE,
        appimage: NONE,
        chromium: NONE,
        firefox: NONE,
        macos_apps: NONE,
        macos_bundle_ids: NONE,
        windows_names: NONE,
    },
];

/// The product installed under package name `name` in the chosen source, if any.
pub fn find(
    source: fn(&Product) -> &'static [&'static str],
    name: &str,
) -> Option<&'static Product> {
    CATALOG.iter().find(|p| source(p).contains(&name))
}

/// The product an `/opt` directory belongs to (case-insensitive).
pub fn find_opt(dir: &str) -> Option<&'static Product> {
    CATALOG
        .iter()
        .find(|p| p.opt.iter().any(|o| o.eq_ignore_ascii_case(dir)))
}

/// The product an AppImage file name belongs to (`KeePassXC-2.7.9-x86_64.AppImage`).
pub fn find_appimage(file: &str) -> Option<&'static Product> {
    let lower = file.to_ascii_lowercase();
    if !lower.ends_with(".appimage") {
        return None;
    }
    CATALOG
        .iter()
        .find(|p| p.appimage.iter().any(|prefix| lower.starts_with(prefix)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn identifiers_are_well_formed_and_unique() {
        let mut seen = HashSet::new();
        for p in CATALOG {
            for id in p.chromium {
                assert_eq!(id.len(), 32, "{} {id}", p.name);
                assert!(
                    id.chars().all(|c| ('a'..='p').contains(&c)),
                    "{} {id} is not a Chrome ID",
                    p.name
                );
                assert!(seen.insert(*id), "{id} listed twice");
            }
            for id in p.firefox {
                assert!(
                    id.contains('@') || (id.starts_with('{') && id.ends_with('}')),
                    "{} {id}",
                    p.name
                );
                assert!(seen.insert(*id), "{id} listed twice");
            }
            for id in p.flatpak {
                assert!(id.matches('.').count() >= 2, "{} {id}", p.name);
            }
        }
    }

    #[test]
    fn lookups() {
        assert_eq!(
            find(|p| p.deb, "keepassxc").map(|p| p.name),
            Some("KeePassXC")
        );
        assert_eq!(find(|p| p.deb, "passwd"), None);
        assert_eq!(
            find(|p| p.flatpak, "com.bitwarden.desktop").map(|p| p.name),
            Some("Bitwarden")
        );
        assert_eq!(
            find(|p| p.chromium, "aeblfdkhhhdcdjpifhhbdiojplfjncoa").map(|p| p.name),
            Some("1Password")
        );
        assert_eq!(find_opt("1password").map(|p| p.name), Some("1Password"));
        assert_eq!(
            find_appimage("KeePassXC-2.7.9-x86_64.AppImage").map(|p| p.name),
            Some("KeePassXC")
        );
        assert_eq!(
            find_appimage("Bitwarden-2024.1.0-x86_64.AppImage").map(|p| p.name),
            Some("Bitwarden")
        );
        assert_eq!(find_appimage("keepassxc-notes.txt"), None);
    }
}
