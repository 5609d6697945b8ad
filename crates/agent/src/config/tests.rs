//! The settings' loading, merging and checking.
#![allow(clippy::unwrap_used)]
use super::*;
use secrecy::ExposeSecret;

fn write(text: &str) -> tempfile::NamedTempFile {
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), text).unwrap();
    file
}

#[test]
fn an_oversized_file_is_refused_before_parsing() {
    let file = write(&"\n".repeat(300 * 1024));
    let error = load(
        Some(file.path()),
        &Env::from_pairs(&[]),
        &Overrides::default(),
    )
    .err()
    .unwrap();
    assert!(
        error.to_string().contains("more than the 262144"),
        "{error}"
    );
}

#[test]
fn flags_override_env_which_overrides_the_file() {
    let file = write("region = \"eu\"\ndevice_id = \"1\"\nformat = \"png\"\n");
    let env = Env::from_pairs(&[
        ("DEVIDENCE_DEVICE_ID", "2"),
        ("DRATA_API_KEY", "k-123456789"),
    ]);
    let s = load(Some(file.path()), &env, &Overrides::default()).unwrap();
    assert_eq!(s.api_url, "https://public-api.eu.drata.com/public/v2");
    assert_eq!(s.device_id.as_deref(), Some("2"));
    assert_eq!(s.format, Format::Png);
    assert_eq!(s.api_key.as_ref().unwrap().expose_secret(), "k-123456789");
    let flags = Overrides {
        device_id: Some("3".into()),
        api_url: Some("http://127.0.0.1:9".into()),
        ..Overrides::default()
    };
    let s = load(Some(file.path()), &env, &flags).unwrap();
    assert_eq!(s.device_id.as_deref(), Some("3"));
    assert_eq!(s.api_url, "http://127.0.0.1:9");
    assert!(!format!("{s:?}").contains("k-123456789"));
}

#[test]
fn out_of_range_or_malformed_values_are_refused_at_load() {
    let err = |text: &str, env: &[(&str, &str)]| {
        let file = write(text);
        load(
            Some(file.path()),
            &Env::from_pairs(env),
            &Overrides::default(),
        )
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default()
    };
    for (text, says) in [
        (
            "[schedule]\ninterval_minutes = 0\n",
            "schedule.interval_minutes",
        ),
        (
            "[schedule]\ninterval_minutes = 18446744073709551615\n",
            "expected 10 to 10080 minutes",
        ),
        ("[schedule]\nretry_minutes = 0\n", "schedule.retry_minutes"),
        (
            "[schedule]\nsplay_minutes = 100000\n",
            "schedule.splay_minutes",
        ),
        (
            "[schedule]\nmin_upload_hours = 100000\n",
            "min_upload_hours",
        ),
        ("request_timeout_seconds = 0\n", "request_timeout_seconds"),
        ("request_interval_ms = 999999999\n", "request_interval_ms"),
        ("[spool]\nmax_items = 0\n", "spool.max_items"),
        ("device_id = \"..\"\n", "numeric device ID"),
        ("device_id = \"42/../documents\"\n", "numeric device ID"),
        (
            "owner_email = \"a@b.c\\u0000x\"\n",
            "invalid owner_email `a@b.c\\0x`",
        ),
        ("owner_email = \"a@b.c\\nX-Evil: 1\"\n", "owner_email"),
        ("keep_evidence_runs = 0\n", "keep_evidence_runs"),
    ] {
        let got = err(text, &[]);
        assert!(got.contains(says), "{text:?}: `{got}` lacks `{says}`");
    }
    for (key, value) in [
        ("DEVIDENCE_INTERVAL_SECONDS", "0"),
        ("DEVIDENCE_RETRY_SECONDS", "soon"),
        ("DEVIDENCE_REQUEST_TIMEOUT_SECONDS", "-1"),
        ("DEVIDENCE_DEVICE_ID", "abc"),
    ] {
        let got = err("", &[(key, value)]);
        assert!(
            got.contains(key) || got.contains("device_id"),
            "{key}: {got}"
        );
    }
    let file = write("device_id = \" 4242 \"\n[schedule]\ninterval_minutes = 10080\n");
    let s = load(
        Some(file.path()),
        &Env::from_pairs(&[]),
        &Overrides::default(),
    )
    .unwrap();
    assert_eq!(s.device_id.as_deref(), Some("4242"));
    assert_eq!(
        s.schedule.interval,
        std::time::Duration::from_secs(10080 * 60)
    );
}

#[test]
fn the_shipped_example_config_is_valid() {
    let example = include_str!("../../../../installers/config.example.toml");
    let file: FileConfig = toml::from_str(example).unwrap();
    assert_eq!(file.region.as_deref(), Some("us"));
    assert_eq!(file.policy, Policy::default());
}

#[test]
fn bad_settings_say_what_is_wrong() {
    let file = write("regoin = \"eu\"\n");
    let err = load(
        Some(file.path()),
        &Env::from_pairs(&[]),
        &Overrides::default(),
    )
    .unwrap_err();
    assert!(err.to_string().contains("regoin"), "{err}");
    let file = write("region = \"mars\"\n");
    let err = load(
        Some(file.path()),
        &Env::from_pairs(&[]),
        &Overrides::default(),
    )
    .unwrap_err();
    assert!(err.to_string().contains("expected us, eu or apac"), "{err}");
    let err = load(
        Some(Path::new("/nonexistent/devidence.toml")),
        &Env::from_pairs(&[]),
        &Overrides::default(),
    )
    .unwrap_err();
    assert!(err.to_string().contains("--config"), "{err}");
}

#[test]
fn each_setting_comes_from_the_first_layer_that_sets_it() {
    let file = FileConfig {
        region: Some("eu".into()),
        format: Some("png".into()),
        data_dir: Some("/from/file".into()),
        ..FileConfig::default()
    };
    let env = Env::from_pairs(&[("DEVIDENCE_FORMAT", "both")]);
    let managed = crate::managed::Managed {
        region: Some("apac".into()),
        origin: "managed settings".into(),
        ..Default::default()
    };
    let flags = Overrides {
        device_id: Some("42".into()),
        ..Overrides::default()
    };
    let merged = Layer::merge([
        Layer::flags(&flags),
        Layer::env(&env),
        Layer::managed(&managed),
        Layer::file(&file, "/etc/devidence/config.toml"),
    ]);
    let origin = |s: &Option<Sourced<String>>| s.as_ref().map(|s| s.origin.clone());
    assert_eq!(origin(&merged.device_id).as_deref(), Some("command line"));
    assert_eq!(
        origin(&merged.format).as_deref(),
        Some("environment variable DEVIDENCE_FORMAT")
    );
    assert_eq!(
        merged.region.as_ref().map(|s| s.value.as_str()),
        Some("apac")
    );
    assert_eq!(
        merged.data_dir.map(|s| s.value),
        Some(std::path::PathBuf::from("/from/file"))
    );
    assert_eq!(merged.screenshot, None);
}
