//! One target per pure parser: the text a command printed or a file held goes straight in.

use crate::seeds::Shape;
use crate::{Target, text};
use probe_antivirus as av;
use probe_auto_updates as au;
use probe_disk_encryption as de;
use probe_lock_screen as ls;
use probe_password_manager as pm;

const AV: &[&str] = &["crates/probe-antivirus/tests/fixtures"];
const AU: &[&str] = &["crates/probe-auto-updates/tests/fixtures"];
const DE: &[&str] = &["crates/probe-disk-encryption/tests/fixtures"];
const LS: &[&str] = &["crates/probe-lock-screen/tests/fixtures"];
const PM: &[&str] = &["crates/probe-password-manager/tests/fixtures"];
const CORE: &[&str] = &["crates/core/tests/fixtures"];
/// Plists and property lists: every macOS fixture.
const MACOS: &[&str] = &[
    "crates/probe-antivirus/tests/fixtures/macos",
    "crates/probe-auto-updates/tests/fixtures/macos",
    "crates/probe-disk-encryption/tests/fixtures/macos",
];
/// `reg query` and PowerShell `Format-List` output: every Windows fixture.
const WINDOWS: &[&str] = &[
    "crates/core/tests/fixtures/windows",
    "crates/probe-antivirus/tests/fixtures/windows",
    "crates/probe-disk-encryption/tests/fixtures/windows",
    "crates/probe-lock-screen/tests/fixtures/windows",
    "crates/probe-password-manager/tests/fixtures/windows",
];

/// A parser target: `$body` sees the input as `&str` named `$t`; whatever it returns is dropped.
macro_rules! parser {
    ($name:literal, $dirs:expr, |$t:ident| $body:expr) => {
        Target {
            name: $name,
            seed_dirs: $dirs,
            seed_shape: Shape::Text,
            run: |data| {
                let owned = text(data);
                let $t: &str = &owned;
                let _ = $body;
            },
        }
    };
}

/// Splits input in two at the first answer separator (for parsers that take two texts).
fn halves(t: &str) -> (&str, &str) {
    t.split_once('\u{1e}').unwrap_or((t, ""))
}

/// Every parser target.
pub fn targets() -> Vec<Target> {
    vec![
        // Antivirus.
        parser!("antivirus/clam_version", AV, |t| {
            av::parse::linux::clam_version(t)
        }),
        parser!(
            "antivirus/ctime_date",
            AV,
            |t| av::parse::linux::ctime_date(t)
        ),
        parser!("antivirus/mdatp_health", AV, |t| {
            av::parse::mdatp::mdatp_health(t)
        }),
        parser!("antivirus/falcon_stats", AV, |t| {
            av::parse::macos::falcon_stats(t)
        }),
        parser!("antivirus/vendor_readers", AV, |t| {
            av::catalog::PRODUCTS
                .iter()
                .filter_map(|p| p.status)
                .map(|s| {
                    let report = av::products::StatusReport::read(s.format, t);
                    (av::policy::conclude_status(&report), report.facts())
                })
                .collect::<Vec<_>>()
        }),
        parser!("antivirus/falconctl_options", AV, |t| {
            av::parse::linux::falconctl_options(t)
        }),
        parser!("antivirus/systemctl_show", AV, |t| {
            av::parse::linux::parse_systemctl_show(t, &["falcon-sensor.service", "mdatp.service"])
        }),
        parser!("antivirus/launchctl_list", AV, |t| {
            av::parse::macos::parse_launchctl_list(
                t,
                &["com.eset.protection", "com.crowdstrike.falcond"],
            )
        }),
        parser!("antivirus/win32_service", WINDOWS, |t| {
            av::parse::windows::parse_win32_service(t, &["CSFalconService", "SentinelAgent"])
        }),
        parser!(
            "antivirus/falcon_rfm",
            AV,
            |t| av::parse::linux::falcon_rfm(t)
        ),
        parser!("antivirus/pgrep_names", AV, |t| {
            av::parse::linux::pgrep_names(t)
        }),
        parser!("antivirus/gatekeeper", AV, |t| {
            av::parse::macos::parse_gatekeeper(t)
        }),
        parser!("antivirus/xprotect_version", AV, |t| {
            av::parse::macos::parse_xprotect_version(t)
        }),
        parser!("antivirus/xprotect_status", AV, |t| {
            av::parse::macos::parse_xprotect_status(t)
        }),
        parser!("antivirus/security_center", WINDOWS, |t| {
            av::parse::windows::parse_security_center(t).map(|products| {
                products
                    .iter()
                    .map(|p| av::parse::windows::decode_product_state(p.state))
                    .collect::<Vec<_>>()
            })
        }),
        parser!("antivirus/defender_status", WINDOWS, |t| {
            av::parse::windows::parse_defender_status(t)
                .map(|status| av::policy::conclude_defender(&status, 7))
        }),
        // Automatic updates.
        parser!("auto-updates/macos_preferences", MACOS, |t| {
            au::parse::macos::parse_preferences(t).map(|prefs| {
                au::policy::conclude_settings(&au::policy::Layers {
                    declared: Ok(&prefs),
                    managed: &prefs,
                    local: &prefs,
                    profile: au::policy::LegacyProfile::Removed,
                })
                .len()
            })
        }),
        parser!("auto-updates/macos_ddm_state", MACOS, |t| {
            au::parse::macos::parse_ddm_state(t)
        }),
        parser!("auto-updates/macos_ddm_declaration", AU, |t| {
            au::parse::macos::parse_declaration(t)
        }),
        parser!("auto-updates/macos_product_version", MACOS, |t| {
            au::parse::macos::parse_product_version(t)
        }),
        parser!("auto-updates/rpm_ostreed_conf", AU, |t| {
            au::parse::linux::ostree::automatic_update_policy(t)
                .map(|value| au::parse::linux::ostree::parse_policy(&value))
        }),
        parser!("auto-updates/macos_file_missing", MACOS, |t| {
            au::parse::macos::file_missing(t)
        }),
        parser!("auto-updates/macos_pending_updates", MACOS, |t| {
            au::parse::macos::parse_pending_updates(t)
        }),
        parser!("auto-updates/systemd_show", AU, |t| {
            au::parse::linux::systemd::parse_show(t)
                .iter()
                .map(|unit| {
                    (
                        au::policy::conclude_timer(unit),
                        au::policy::conclude_apt_timer(unit),
                    )
                })
                .collect::<Vec<_>>()
        }),
        parser!("auto-updates/systemd_is_enabled", AU, |t| {
            let (stdout, stderr) = halves(t);
            (
                au::parse::linux::systemd::parse_is_enabled(stdout, stderr),
                au::parse::linux::systemd::systemd_not_running(stderr),
            )
        }),
        parser!("auto-updates/os_release", AU, |t| {
            au::parse::linux::os_release::parse(t).map(|release| release.family())
        }),
        parser!("auto-updates/dpkg_status", AU, |t| {
            (
                au::parse::linux::apt::parse_dpkg_status(t)
                    .map(|s| au::policy::conclude_package(&s)),
                au::parse::linux::apt::dpkg_says_unknown_package(t),
            )
        }),
        parser!("auto-updates/apt_config_dump", AU, |t| {
            au::parse::linux::apt::parse_apt_config_dump(t).map(|config| {
                let origins = au::parse::linux::apt::unattended_origins(&config);
                let periodic = config.get("APT::Periodic::Unattended-Upgrade");
                let parsed = au::parse::linux::apt::parse_periodic(periodic);
                (
                    au::policy::conclude_origins(&origins, "debian"),
                    au::policy::conclude_periodic(
                        "APT::Periodic::Unattended-Upgrade",
                        periodic,
                        &parsed,
                    ),
                    au::policy::conclude_periodic_enable(config.get("APT::Periodic::Enable")),
                    origins
                        .iter()
                        .filter(|o| au::parse::linux::apt::origin_covers_security(o))
                        .count(),
                )
            })
        }),
        parser!("auto-updates/apt_log_summary", AU, |t| {
            au::parse::linux::apt::log_summary(t)
        }),
        parser!("auto-updates/rpm_q", AU, |t| {
            au::parse::linux::dnf::parse_rpm_q(t, &["dnf-automatic", "dnf5-plugin-automatic"])
        }),
        parser!("auto-updates/dnf_automatic_conf", AU, |t| {
            let (base, over) = halves(t);
            au::parse::linux::dnf::parse_automatic_conf(base)
                .overlay(&au::parse::linux::dnf::parse_automatic_conf(over))
        }),
        parser!("auto-updates/windows_start_type", WINDOWS, |t| {
            au::policy::conclude_service(au::parse::windows::parse_start_type(t))
        }),
        // Disk encryption.
        parser!("disk-encryption/mountinfo", DE, |t| {
            de::parse::linux::mountinfo(t)
        }),
        parser!("disk-encryption/uevent_devname", DE, |t| {
            de::parse::linux::uevent_devname(t)
        }),
        parser!("disk-encryption/dm_layer", DE, |t| {
            de::parse::linux::dm_layer(t)
        }),
        parser!("disk-encryption/cryptsetup_status", DE, |t| {
            de::parse::linux::cryptsetup_status(t)
        }),
        parser!("disk-encryption/encryptable_volumes", WINDOWS, |t| {
            de::parse::windows::parse_encryptable_volumes(t)
        }),
        parser!("disk-encryption/lsblk", DE, |t| {
            de::parse::linux::lsblk(t).map(|nodes| {
                nodes
                    .iter()
                    .map(|n| {
                        (
                            de::parse::linux::every_path_has_crypt(n),
                            de::parse::linux::describe_chain(n),
                        )
                    })
                    .collect::<Vec<_>>()
            })
        }),
        parser!("disk-encryption/crypttab", DE, |t| {
            de::parse::linux::crypttab_names(t)
        }),
        parser!("disk-encryption/swaps", DE, |t| de::parse::linux::swaps(t)),
        parser!("disk-encryption/zfs_encryption", DE, |t| {
            de::parse::linux::zfs_encryption(t)
        }),
        parser!("disk-encryption/fdesetup_status", MACOS, |t| {
            de::parse::macos::parse_fdesetup_status(t)
        }),
        parser!("disk-encryption/apfs_list", MACOS, |t| {
            de::parse::macos::parse_apfs_list(t)
                .map(|containers| de::parse::macos::boot_data_volume(&containers).is_some())
        }),
        parser!("disk-encryption/manage_bde_status", WINDOWS, |t| {
            de::parse::windows::parse_manage_bde_status(t)
                .iter()
                .map(|v| de::windows::SystemVolumeState::of(v).is_ok())
                .collect::<Vec<_>>()
        }),
        parser!("disk-encryption/bitlocker_volume_list", WINDOWS, |t| {
            de::parse::windows::parse_bitlocker_volume_list(t)
        }),
        // Screen lock.
        parser!("lock-screen/xfconf_channel", LS, |t| {
            ls::parse::linux::xfconf::parse_channel(t)
                .map(|c| ls::parse::linux::xfconf::screensaver_settings(Some(&c), None))
        }),
        parser!("lock-screen/macos_screen_lock", MACOS, |t| {
            ls::parse::macos::parse_screen_lock(t)
        }),
        parser!("lock-screen/macos_pmset_custom", MACOS, |t| {
            ls::parse::macos::parse_pmset_custom(t)
        }),
        parser!("lock-screen/macos_managed_screensaver", MACOS, |t| {
            ls::parse::macos::parse_managed_screensaver(t)
        }),
        parser!("lock-screen/kconfig", LS, |t| {
            let file = ls::parse::linux::kconfig::parse(t);
            (
                file.get("Daemon", "Timeout").is_some(),
                file.group_immutable("Daemon"),
            )
        }),
        parser!("lock-screen/hyprlang", LS, |t| {
            let file = ls::parse::linux::hyprlang::parse(t);
            (
                ls::parse::linux::hyprlang::hypridle(&file),
                ls::parse::linux::hyprlang::hyprlock_grace(&file),
            )
        }),
        parser!("lock-screen/swayidle_config", LS, |t| {
            ls::parse::linux::swayidle::parse_config(t)
        }),
        parser!("lock-screen/swayidle_command_line", LS, |t| {
            ls::parse::linux::swayidle::split_words(t)
                .and_then(|words| ls::parse::linux::swayidle::parse_args(&words))
        }),
        parser!("lock-screen/sway_config_scan", LS, |t| {
            use ls::parse::linux::swayidle::{Dialect, scan};
            [Dialect::Sway, Dialect::Hyprland, Dialect::Shell]
                .map(|dialect| scan(t, dialect, &mut Vec::new()))
        }),
        parser!("lock-screen/swayidle_systemd_unit", LS, |t| {
            ls::parse::linux::swayidle::parse_unit_exec_start(t)
        }),
        parser!("lock-screen/swaylock_config_grace", LS, |t| {
            ls::parse::linux::swayidle::swaylock_config_grace(t)
        }),
        parser!("lock-screen/logind_hints", LS, |t| {
            ls::parse::linux::logind::parse_hints(t)
        }),
        parser!("lock-screen/dconf_locks", LS, |t| {
            ls::parse::linux::dconf::parse_locks(t)
        }),
        parser!("lock-screen/dconf_profile", LS, |t| {
            ls::parse::linux::dconf::parse_profile_system_dbs(t)
        }),
        parser!("lock-screen/getent_passwd", LS, |t| {
            ls::parse::linux::passwd::parse_getent_line(t, "alice")
        }),
        parser!("lock-screen/gsettings", LS, |t| {
            ls::parse::linux::gsettings::parse_list_recursively(t).map(|values| {
                (
                    values.bool("org.gnome.desktop.screensaver", "lock-enabled"),
                    values.uint("org.gnome.desktop.session", "idle-delay"),
                    values.string("org.gnome.desktop.screensaver", "picture-uri"),
                )
            })
        }),
        parser!("lock-screen/gsettings_values", LS, |t| {
            (
                ls::parse::linux::gsettings::parse_bool(t),
                ls::parse::linux::gsettings::parse_uint(t),
                ls::parse::linux::gsettings::parse_string(t),
            )
        }),
        parser!("lock-screen/desktop", LS, |t| {
            let desktop = ls::parse::linux::desktop::Desktop::from_session(t);
            (desktop.label(), desktop.slug())
        }),
        parser!("lock-screen/powercfg_setting", WINDOWS, |t| {
            (
                ls::parse::windows::parse_powercfg_setting(t, ls::windows::STANDBYIDLE_GUID),
                ls::parse::windows::parse_powercfg_setting(t, ls::windows::CONSOLELOCK_GUID),
            )
        }),
        parser!("lock-screen/powercfg", WINDOWS, |t| {
            ls::parse::windows::parse_powercfg_values(t)
        }),
        // Password manager.
        parser!("password-manager/firefox_logins", PM, |t| {
            // The evidence keeps only the extract: it must say what the whole file said.
            let kept = pm::parse::builtin::extract_logins_json(t);
            assert_eq!(pm::parse::builtin::extract_logins_json(&kept), kept);
            let count = pm::parse::builtin::parse_saved_logins(t);
            if let Ok(n) = count {
                assert_eq!(pm::parse::builtin::parse_saved_logins(&kept), Ok(n));
            }
            count
        }),
        parser!("password-manager/firefox_prefs", PM, |t| {
            let kept = pm::parse::builtin::extract_remember_signons(t);
            assert_eq!(pm::parse::builtin::extract_remember_signons(&kept), kept);
            let value = pm::parse::builtin::parse_remember_signons(t);
            assert_eq!(pm::parse::builtin::parse_remember_signons(&kept), value);
            value
        }),
        parser!("password-manager/firefox_policies", PM, |t| {
            pm::parse::builtin::parse_policies_json(t)
        }),
        parser!("password-manager/plutil_raw_bool", PM, |t| {
            (
                pm::parse::builtin::parse_raw_bool(t),
                pm::parse::builtin::plutil_key_missing(t),
            )
        }),
        parser!("password-manager/macos_app", PM, |t| {
            pm::parse::macos::product_for_app(t).is_some()
        }),
        parser!("password-manager/catalog_names", PM, |t| {
            (
                pm::catalog::find_opt(t).is_some(),
                pm::catalog::find_appimage(t).is_some(),
                pm::parse::windows::product_for_display_name(t).is_some(),
            )
        }),
        parser!("password-manager/browser_profile_names", PM, |t| {
            (
                pm::parse::browsers::is_chromium_profile(t),
                pm::parse::browsers::addon_id_of_entry(t).len(),
            )
        }),
        parser!("password-manager/profiles_ini", PM, |t| {
            pm::parse::browsers::parse_profiles_ini(t, "/home/alice/.mozilla/firefox")
        }),
        parser!("password-manager/extensions_json", PM, |t| {
            pm::parse::browsers::parse_extensions_json(t)
                .map(|addons| addons.iter().filter(|a| a.enabled()).count())
        }),
        parser!("password-manager/extensions_json_extract", PM, |t| {
            // The extract is what the evidence keeps; it must judge as the whole file does.
            let extract = pm::parse::browsers::extract_extensions_json(t, |_| true);
            assert_eq!(
                pm::parse::browsers::extract_extensions_json(&extract, |_| true),
                extract,
                "the extract of an extract changed"
            );
            pm::parse::browsers::parse_extensions_json(&extract).map(|a| a.len())
        }),
        parser!("password-manager/chromium_preferences", PM, |t| {
            let extract = pm::parse::chromium::extract_settings(t, |_| true);
            assert_eq!(
                pm::parse::chromium::extract_settings(&extract, |_| true),
                extract,
                "the extract of an extract changed"
            );
            let whole = pm::parse::chromium::parse_settings(t);
            let kept = pm::parse::chromium::parse_settings(&extract);
            if let (Ok(whole), Ok(kept)) = (&whole, &kept) {
                let enabled = |list: &[pm::parse::chromium::Registered]| {
                    list.iter().filter(|r| r.enabled()).count()
                };
                assert_eq!(
                    enabled(whole),
                    enabled(kept),
                    "the extract judges differently"
                );
            }
            pm::parse::chromium::merge(&[whole.unwrap_or_default(), kept.unwrap_or_default()]).len()
        }),
        parser!("password-manager/dpkg_list", PM, |t| {
            pm::parse::linux::parse_dpkg_list(t)
        }),
        parser!("password-manager/rpm_list", PM, |t| {
            pm::parse::linux::parse_rpm_list(t)
        }),
        parser!("password-manager/flatpak_list", PM, |t| {
            pm::parse::linux::parse_flatpak_list(t)
        }),
        parser!("password-manager/uninstall_tree", WINDOWS, |t| {
            pm::parse::windows::parse_uninstall_tree(t)
        }),
        parser!("password-manager/windows_programs", WINDOWS, |t| {
            pm::parse::windows::parse_installed_programs(t)
        }),
        // Shared by every probe.
        parser!("core/fixture_source", CORE, |t| {
            devidence_core::fixture::split_source(t)
        }),
        parser!("core/os_release_name", AU, |t| {
            devidence_core::identity::os_release_name(t)
        }),
        parser!("core/macos_user_accounts", MACOS, |t| {
            devidence_core::macos::parse_user_accounts(t)
        }),
        parser!("core/plist", MACOS, |t| {
            devidence_core::macos::parse_plist(t).map(|value| {
                (
                    devidence_core::macos::plist_bool(&value),
                    devidence_core::macos::plist_int(&value),
                )
            })
        }),
        parser!("core/passwd", LS, |t| devidence_core::users::parse_passwd(
            t, false
        )),
        parser!("core/loginctl_sessions", LS, |t| {
            devidence_core::users::parse_session_ids(t)
        }),
        parser!("core/loginctl_show_session", LS, |t| {
            devidence_core::users::parse_show_session("2", t).is_graphical()
        }),
        parser!("core/reg_query_checked", WINDOWS, |t| {
            devidence_core::windows::parse_reg_query_checked(t)
        }),
        parser!("core/reg_query", WINDOWS, |t| {
            let dump = devidence_core::windows::parse_reg_query(t);
            dump.keys()
                .iter()
                .map(|key| dump.subkeys(&key.path).len())
                .sum::<usize>()
        }),
        parser!("core/windows_profiles", WINDOWS, |t| {
            let (profiles, hives) = halves(t);
            devidence_core::windows::parse_profiles(profiles, hives)
        }),
        parser!("core/reg_key_round_trip", WINDOWS, |t| {
            // What the in-process reader writes must read back, whatever the names and data (a
            // line break inside is printed as a space, so one value stays one line; trailing
            // whitespace is not kept, as `reg query`'s own output does not keep it).
            use devidence_core::windows::{RegData, parse_reg_query, write_reg_key};
            let (name, data) = halves(t);
            let name = name.replace(['\r', '\n'], " ").trim().to_string();
            let data = data.replace(['\r', '\n'], " ");
            if !name.is_empty() && !name.contains("    REG_") && !data.starts_with(' ') {
                let mut text = String::new();
                write_reg_key(
                    &mut text,
                    r"HKLM\SOFTWARE\Fuzz",
                    &[(name.clone(), RegData::Sz(data.clone()))],
                );
                let dump = parse_reg_query(&text);
                let value = dump.value(r"HKLM\SOFTWARE\Fuzz", &name);
                assert_eq!(
                    value.map(|v| v.data.as_str()),
                    Some(data.trim_end()),
                    "{text:?}"
                );
            }
        }),
        parser!("core/powershell_property_blocks", WINDOWS, |t| {
            devidence_core::windows::parse_property_blocks(t)
        }),
        parser!("core/redact", CORE, |t| {
            static REDACTOR: std::sync::OnceLock<devidence_core::redact::Redactor> =
                std::sync::OnceLock::new();
            REDACTOR
                .get_or_init(|| {
                    devidence_core::redact::Redactor::new().with_literal("k-0123456789abcdef")
                })
                .redact(t)
        }),
    ]
}
