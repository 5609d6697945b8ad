//! `user_profiles` on published `reg query` outputs.

use devidence_core::windows::{PROFILE_LIST_KEY, parse_profiles, parse_reg_query};
use devidence_testkit::probe::Fixtures;

const WINDOWS: Fixtures = Fixtures::new(env!("CARGO_MANIFEST_DIR"), "windows");

#[test]
fn service_profiles_are_left_out_and_people_kept() {
    let list = WINDOWS.text("reg-query-profilelist-getsidinfo.txt");
    let dump = parse_reg_query(&list);
    assert_eq!(dump.subkeys(PROFILE_LIST_KEY).len(), 4);
    let people = parse_profiles(&list, "");
    assert_eq!(people.len(), 1);
    let t2 = &people[0];
    assert_eq!(t2.sid, "S-1-5-21-1304824241-3403877634-2989090281-1003");
    assert_eq!(t2.user, "T2");
    assert_eq!(t2.profile_dir, r"C:\Users\T2");
    assert!(
        !t2.hive_loaded,
        "no HKU listing: nobody's hive is known to be loaded"
    );
}

#[test]
fn loaded_hives_come_from_the_hku_listing_without_classes_keys() {
    let hku = WINDOWS.text("reg-query-hku-zer1t0.txt");
    let dump = parse_reg_query(&hku);
    assert_eq!(dump.keys().len(), 8);
    // The listing's own SIDs have no ProfileList entry here, so nobody is matched; the
    // getsidinfo user is not among the loaded hives.
    let people = parse_profiles(&WINDOWS.text("reg-query-profilelist-getsidinfo.txt"), &hku);
    assert_eq!(people.len(), 1);
    assert!(!people[0].hive_loaded);
}

#[test]
fn a_registry_read_with_no_key_line_is_an_error_never_no_policy() {
    use devidence_core::redact::Redactor;
    use devidence_core::windows::{parse_reg_query_checked, read_registry_key};
    use devidence_core::{CommandSpec, Os, Policy, ProbeRun, RegistryRead, ReplayHost};
    assert!(parse_reg_query_checked("").is_err());
    assert!(parse_reg_query_checked("Der Zugriff wurde verweigert.\r\n").is_err());
    let ok = parse_reg_query_checked(
        "\r\nHKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Microsoft\\Windows\\WindowsUpdate\\AU\r\n    NoAutoUpdate    REG_DWORD    0x0\r\n",
    )
    .unwrap();
    assert_eq!(ok.keys().len(), 1);
    let key = r"HKLM\SOFTWARE\Policies\Microsoft\Windows\WindowsUpdate\AU";
    let (policy, redactor) = (Policy::default(), Redactor::new());
    let judge = |host: &ReplayHost| {
        let mut run = ProbeRun::new(host, Os::Windows, &policy, &redactor);
        read_registry_key(&mut run, key)
    };
    // Read in-process: garbage text is unreadable, a missing key is "not set".
    let mut host = ReplayHost::new();
    host.registry(
        &RegistryRead::key(key),
        "garbage that is not a key listing\r\n",
    );
    assert!(judge(&host).is_err(), "garbage must be unreadable");
    assert!(matches!(judge(&ReplayHost::new()), Ok(None)));
    // Recorded by older versions with reg.exe: the same answers.
    let reg_exe = CommandSpec::new("reg.exe", ["query", key]).display();
    let mut host = ReplayHost::new();
    host.command(&reg_exe, 0, "garbage that is not a key listing\r\n");
    assert!(judge(&host).is_err(), "garbage must be unreadable");
    let mut host = ReplayHost::new();
    host.command_stderr(
        &reg_exe,
        1,
        "ERROR: The system was unable to find the specified registry key or value.\r\n",
    );
    assert!(matches!(judge(&host), Ok(None)));
}
