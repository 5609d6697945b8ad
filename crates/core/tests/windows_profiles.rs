//! `user_profiles` on published `reg query` outputs.

use devidence_core::fixture::load;
use devidence_core::windows::{PROFILE_LIST_KEY, parse_profiles, parse_reg_query};

fn fixture(name: &str) -> String {
    load(format!(
        "{}/tests/fixtures/windows/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn service_profiles_are_left_out_and_people_kept() {
    let list = fixture("reg-query-profilelist-getsidinfo.txt");
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
    let hku = fixture("reg-query-hku-zer1t0.txt");
    let dump = parse_reg_query(&hku);
    assert_eq!(dump.keys().len(), 8);
    // The listing's own SIDs have no ProfileList entry here, so nobody is matched; the
    // getsidinfo user is not among the loaded hives.
    let people = parse_profiles(&fixture("reg-query-profilelist-getsidinfo.txt"), &hku);
    assert_eq!(people.len(), 1);
    assert!(!people[0].hive_loaded);
}
