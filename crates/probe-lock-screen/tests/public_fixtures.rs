//! The shared public fixtures (`../shared/fixtures-public`, copied under
//! `tests/fixtures/<os>/public/`, each with its `# source:` line) through the parsers that
//! read them, with what each machine's timers are, and the wrong output failing closed.

#![allow(clippy::unwrap_used, missing_docs)]

use devidence_testkit::probe::Fixtures;
use probe_lock_screen::parse::macos::{parse_pmset_custom, worst_seconds};
use probe_lock_screen::parse::windows::{parse_powercfg_setting, parse_powercfg_values};

const MACOS: Fixtures = Fixtures::new(env!("CARGO_MANIFEST_DIR"), "macos");
const WINDOWS: Fixtures = Fixtures::new(env!("CARGO_MANIFEST_DIR"), "windows");

#[test]
fn pmset_outputs_give_each_macs_display_and_system_sleep() {
    // (file, display sleep minutes, system sleep minutes) of the section in use.
    let table = [
        ("pmset-g-custom-desktop-ac-only-displaysleep10.txt", 10, 1),
        ("pmset-g-imac20-1-displaysleep20-sleep-prevented.txt", 20, 1),
        ("pmset-g-thinkpad-t480-displaysleep15-sleep15.txt", 15, 15),
    ];
    for (name, display, system) in table {
        let sections = parse_pmset_custom(&MACOS.text(&format!("public/{name}")));
        let (_, timers) = sections
            .iter()
            .rev()
            .find(|(_, t)| t.display_minutes.is_some())
            .unwrap_or_else(|| panic!("{name}: {sections:?}"));
        assert_eq!(timers.display_minutes, Some(display), "{name}");
        assert_eq!(timers.system_minutes, Some(system), "{name}");
        // The worst source is the one printed (one source in each of these machines).
        let worst = worst_seconds(&sections, |t| t.display_minutes);
        assert_eq!(worst, Some(Some(display * 60)), "{name}");
    }
}

#[test]
fn powercfg_query_gives_ac_and_battery_display_timeouts_and_other_output_is_unreadable() {
    assert_eq!(
        parse_powercfg_values(
            &WINDOWS.text("public/powercfg-q-sub-video-videoidle-ac600-dc300.txt")
        ),
        Some((600, 300))
    );
    assert_eq!(
        parse_powercfg_values(
            &WINDOWS.text("public/powercfg-q-sub-video-videoidle-ac900-dc900.txt")
        ),
        Some((900, 900))
    );
    // `powercfg /a` lists sleep states, not a setting's values: nothing is read from it.
    assert_eq!(
        parse_powercfg_values(&WINDOWS.text("public/powercfg-a-desktop-S3-only-hibernate-off.txt")),
        None
    );
}

#[test]
fn one_whole_scheme_dump_gives_each_setting_by_its_guid() {
    // The plan runs one `powercfg /query SCHEME_CURRENT` and picks settings by GUID. Two
    // published blocks joined stand for a dump with several settings: each GUID's block ends
    // where the next GUID starts, so one setting's numbers never leak into another's.
    const VIDEOIDLE: &str = "3c0bc021-c8a8-4e07-a973-6b14cbcb2b7e";
    let first = WINDOWS.text("public/powercfg-q-sub-video-videoidle-ac600-dc300.txt");
    let second = WINDOWS
        .text("public/powercfg-q-sub-video-videoidle-ac900-dc900.txt")
        .replace(VIDEOIDLE, "29f6c1db-86da-48c5-9fdb-f2b67b1f44da");
    let dump = format!("{first}\n{second}");
    assert_eq!(parse_powercfg_setting(&dump, VIDEOIDLE), Some((600, 300)));
    assert_eq!(
        parse_powercfg_setting(&dump, probe_lock_screen::windows::STANDBYIDLE_GUID),
        Some((900, 900))
    );
    assert_eq!(
        parse_powercfg_setting(&dump, probe_lock_screen::windows::CONSOLELOCK_GUID),
        None,
        "a setting the dump does not hold is unread, never a neighbour's value"
    );
}
