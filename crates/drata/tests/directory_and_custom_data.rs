//! Device lookup, the owner lookup, the custom device connection, custom data records and
//! sessions, pacing and faults: the client against the spec-faithful fake on 127.0.0.1.
#![allow(clippy::unwrap_used, missing_docs)]

use drata_client::custom_data::{Record, Resource, SessionAction};
use drata_client::devices::{CustomDevice, DeviceQuery, PersonnelRef};
use drata_client::{Client, DrataError, RetryPolicy};
use fake_drata::{FakeDrata, Fault, RunningFake};
use secrecy::SecretString;
use serde_json::json;
use std::time::{Duration, Instant};

const KEY: &str = "test-key-2b9c44e1";
const AT: Resource = Resource {
    connection_id: 11,
    resource_id: 22,
};

async fn fake(builder: FakeDrata) -> RunningFake {
    builder.start("127.0.0.1:0".parse().unwrap()).await.unwrap()
}

fn client(url: &str) -> Client {
    Client::new(url, SecretString::from(KEY.to_string()), "devidence-test")
        .unwrap()
        .with_min_interval(Duration::ZERO)
        .with_retry(RetryPolicy {
            max_attempts: 4,
            base_delay: Duration::from_millis(20),
            max_delay: Duration::from_secs(5),
            ..RetryPolicy::default()
        })
}

fn record(value: serde_json::Value) -> Record {
    value.as_object().unwrap().clone()
}

#[tokio::test]
async fn devices_are_found_by_serial_and_mac_across_pages() {
    let mut builder = FakeDrata::new(KEY);
    // 130 devices share a serial (e.g. a bad MDM import): two pages of 100.
    for id in 1..=130 {
        builder = builder.with_known_device(id, 900, Some("DUP-SERIAL"), None);
    }
    builder = builder.with_known_device(777, 901, Some("C02XL0GHJGH5"), Some("a4:83:e7:12:34:56"));
    let server = fake(builder).await;
    let c = client(&server.base_url());

    let dup = c
        .find_devices(&DeviceQuery::serial_number("DUP-SERIAL"))
        .await
        .unwrap();
    assert_eq!(dup.len(), 130);
    let pages = server
        .requests()
        .iter()
        .filter(|r| r.path.starts_with("/devices?"))
        .count();
    assert_eq!(pages, 2, "{:?}", server.requests());

    let one = c
        .find_devices(&DeviceQuery::serial_number("C02XL0GHJGH5"))
        .await
        .unwrap();
    assert_eq!((one.len(), one[0].id, one[0].personnel_id), (1, 777, 901));
    // MAC addresses match whatever the separator and case.
    let by_mac = c
        .find_devices(&DeviceQuery::mac_address("A4-83-E7-12-34-56"))
        .await
        .unwrap();
    assert_eq!(by_mac[0].id, 777);
    assert!(
        c.find_devices(&DeviceQuery::serial_number("NOPE"))
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn the_owner_is_found_by_email_or_reported_missing() {
    let server = fake(FakeDrata::new(KEY).with_person(314, "Jane@Example.com")).await;
    let c = client(&server.base_url());
    let person = c.person_by_email("jane@example.com").await.unwrap();
    assert_eq!(person.id, 314);
    let err = c.person_by_email("nobody@example.com").await.unwrap_err();
    assert!(matches!(err, DrataError::NotFound { .. }), "{err:?}");
    assert!(err.to_string().contains("owner_email"), "{err}");
}

#[tokio::test]
async fn a_custom_connection_device_is_upserted_not_duplicated() {
    let server = fake(
        FakeDrata::new(KEY)
            .with_person(314, "jane@example.com")
            .with_custom_device_connection(5),
    )
    .await;
    let c = client(&server.base_url());
    let device = CustomDevice {
        personnel_id: PersonnelRef::Email("jane@example.com".into()),
        platform_name: "LINUX",
        platform_version: "Debian GNU/Linux 12".into(),
        serial_number: Some("SN-42".into()),
        mac_address: Some("02:00:00:aa:bb:cc".into()),
        model: Some("ThinkPad".into()),
        alias: Some("laptop-42".into()),
        encryption_enabled: Some(true),
        antivirus_enabled: Some(false),
        auto_update_enabled: None,
        password_manager_enabled: None,
        screen_lock_enabled: Some(true),
    };
    let first = c.upsert_custom_connection_device(5, &device).await.unwrap();
    let second = c.upsert_custom_connection_device(5, &device).await.unwrap();
    assert_eq!(first.id, second.id);
    assert_eq!(first.personnel_id, 314);
    assert_eq!(server.devices().len(), 1);
    let err = c
        .upsert_custom_connection_device(6, &device)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("device_connection_id"), "{err}");
}

#[tokio::test]
async fn records_are_upserted_singly_and_in_bulk_then_updated_and_deleted() {
    let server = fake(FakeDrata::new(KEY).with_custom_resource(11, 22, &["id", "verdict"])).await;
    let c = client(&server.base_url());

    let one = c
        .upsert_record(AT, record(json!({"id": "SN-1:disk", "verdict": "pass"})))
        .await
        .unwrap();
    assert!(one.is_stored() && one.status_code == Some(201), "{one:?}");
    // The same identifier again updates, it does not duplicate.
    let again = c
        .upsert_record(AT, record(json!({"id": "SN-1:disk", "verdict": "fail"})))
        .await
        .unwrap();
    assert_eq!(
        (again.id.clone(), again.status_code),
        (one.id.clone(), Some(200))
    );

    let bulk = c
        .upsert_records(
            AT,
            vec![
                record(json!({"id": "SN-1:av", "verdict": "pass"})),
                record(json!({"id": "SN-1:lock"})),
                record(json!({"id": "SN-1:disk", "verdict": "unknown"})),
            ],
        )
        .await
        .unwrap();
    assert_eq!(bulk.len(), 3);
    assert!(bulk[0].is_stored() && bulk[2].is_stored());
    assert!(!bulk[1].is_stored());
    assert!(
        bulk[1].error.as_deref().unwrap().contains("verdict"),
        "{:?}",
        bulk[1]
    );

    let listed = c.list_records(AT).await.unwrap();
    assert_eq!(listed.len(), 2);
    let disk = listed
        .iter()
        .find(|r| r.attributes["id"] == "SN-1:disk")
        .unwrap();
    assert_eq!(disk.attributes["verdict"], "unknown");

    let updated = c
        .update_record(
            AT,
            &disk.id,
            record(json!({"id": "SN-1:disk", "verdict": "pass"})),
        )
        .await
        .unwrap();
    assert_eq!(updated.attributes["verdict"], "pass");
    c.delete_record(AT, &disk.id).await.unwrap();
    assert_eq!(c.list_records(AT).await.unwrap().len(), 1);
    let err = c.delete_record(AT, &disk.id).await.unwrap_err();
    assert!(matches!(err, DrataError::NotFound { .. }), "{err:?}");
}

#[tokio::test]
async fn a_session_refreshes_the_whole_resource_or_is_cancelled() {
    let server = fake(FakeDrata::new(KEY).with_custom_resource(11, 22, &["id"])).await;
    let c = client(&server.base_url());
    c.upsert_records(
        AT,
        vec![
            record(json!({"id": "old-1"})),
            record(json!({"id": "old-2"})),
        ],
    )
    .await
    .unwrap();

    let cancelled = "devidence-cancel-1";
    c.upload_session_records(AT, cancelled, vec![record(json!({"id": "x"}))])
        .await
        .unwrap();
    let result = c
        .session_action(AT, cancelled, SessionAction::Cancel)
        .await
        .unwrap();
    assert_eq!(result.status, "CANCELED");
    assert_eq!(c.list_records(AT).await.unwrap().len(), 2);

    let session = "devidence-refresh-1";
    let outcomes = c
        .upload_session_records(AT, session, vec![record(json!({"id": "new-1"}))])
        .await
        .unwrap();
    assert!(outcomes[0].is_stored());
    // Inactive until completed.
    assert_eq!(c.list_records(AT).await.unwrap().len(), 2);
    let done = c
        .session_action(AT, session, SessionAction::Complete)
        .await
        .unwrap();
    assert_eq!(done.status, "ACTIVE");
    let ids: Vec<_> = c
        .list_records(AT)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.attributes["id"].clone())
        .collect();
    assert_eq!(ids, vec![json!("new-1")]);
    let sessions = c.list_sessions(AT).await.unwrap();
    assert_eq!(sessions.len(), 2);
    // Completing twice is refused with a clear 422.
    let err = c
        .session_action(AT, session, SessionAction::Complete)
        .await
        .unwrap_err();
    assert!(matches!(err, DrataError::Unprocessable { .. }), "{err:?}");
}

#[tokio::test]
async fn plan_and_permission_refusals_say_what_to_do() {
    let server = fake(
        FakeDrata::new(KEY)
            .with_custom_resource(11, 22, &[])
            .custom_connections_plan(false),
    )
    .await;
    let c = client(&server.base_url());
    let err = c
        .upsert_record(AT, record(json!({"id": "a"})))
        .await
        .unwrap_err();
    assert!(matches!(err, DrataError::PlanRequired { .. }), "{err:?}");
    assert!(
        err.to_string().contains("Custom Connections and Tests"),
        "{err}"
    );
    assert_eq!(server.requests().len(), 1, "402 is not retried");

    let server = fake(
        FakeDrata::new(KEY)
            .with_unprivileged_key("weak-key-1")
            .with_custom_resource(11, 22, &[]),
    )
    .await;
    let weak = Client::new(
        &server.base_url(),
        SecretString::from("weak-key-1".to_string()),
        "t",
    )
    .unwrap();
    let err = weak
        .upsert_record(AT, record(json!({"id": "a"})))
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("Create Custom Connection Data"),
        "{err}"
    );
    let err = weak
        .find_devices(&DeviceQuery::serial_number("x"))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("Devices: List Devices"), "{err}");
    let err = weak.person_by_email("a@b.c").await.unwrap_err();
    assert!(err.to_string().contains("Personnel"), "{err}");
}

#[tokio::test]
async fn retry_after_from_a_rate_limit_is_honoured() {
    let server = fake(FakeDrata::new(KEY).with_person(1, "a@b.c")).await;
    server.inject([Fault::Status {
        status: 429,
        retry_after: Some(1),
    }]);
    let c = client(&server.base_url());
    let started = Instant::now();
    c.person_by_email("a@b.c").await.unwrap();
    let seen = server.requests();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[0].status, 429);
    let gap = seen[1].at.duration_since(seen[0].at);
    assert!(gap >= Duration::from_millis(1000), "retried after {gap:?}");
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn a_server_side_rate_limit_is_waited_out() {
    // 3 requests per second; 7 lookups need the client to wait at least twice.
    let server = fake(
        FakeDrata::new(KEY)
            .with_person(1, "a@b.c")
            .with_rate_limit(3, Duration::from_secs(1)),
    )
    .await;
    let c = client(&server.base_url()).with_retry(RetryPolicy {
        max_attempts: 10,
        base_delay: Duration::from_millis(20),
        max_delay: Duration::from_secs(5),
        ..RetryPolicy::default()
    });
    for _ in 0..7 {
        c.person_by_email("a@b.c").await.unwrap();
    }
    let seen = server.requests();
    let ok = seen.iter().filter(|r| r.status == 200).count();
    let limited = seen.iter().filter(|r| r.status == 429).count();
    assert_eq!(ok, 7);
    assert!(limited >= 2, "{seen:?}");
}

#[tokio::test]
async fn waiting_on_a_rate_limit_uses_no_attempt_until_its_budget_is_spent() {
    // 2 requests per second and a single attempt allowed: 5 lookups still all succeed,
    // because a 429 with Retry-After is waited out without using the attempt.
    let server = fake(
        FakeDrata::new(KEY)
            .with_person(1, "a@b.c")
            .with_rate_limit(2, Duration::from_secs(1)),
    )
    .await;
    let patient = client(&server.base_url()).with_retry(RetryPolicy {
        max_attempts: 1,
        ..RetryPolicy::default()
    });
    for _ in 0..5 {
        patient.person_by_email("a@b.c").await.unwrap();
    }
    let seen = server.requests();
    assert_eq!(seen.iter().filter(|r| r.status == 200).count(), 5);
    assert!(seen.iter().any(|r| r.status == 429), "{seen:?}");

    // With no budget for rate-limit waits, the 429 is a failed attempt, reported as such.
    let impatient = client(&server.base_url()).with_retry(RetryPolicy {
        max_attempts: 1,
        max_rate_limited_wait: Duration::ZERO,
        ..RetryPolicy::default()
    });
    let mut errors = Vec::new();
    for _ in 0..5 {
        if let Err(e) = impatient.person_by_email("a@b.c").await {
            errors.push(e);
        }
    }
    assert!(
        !errors.is_empty(),
        "3+ lookups in one second must meet the limit"
    );
    assert!(errors.iter().all(|e| e.status() == Some(429)), "{errors:?}");
}

#[tokio::test]
async fn bursts_of_server_errors_and_dropped_connections_are_retried() {
    let server = fake(FakeDrata::new(KEY).with_person(1, "a@b.c")).await;
    server.inject([
        Fault::Status {
            status: 503,
            retry_after: None,
        },
        Fault::Drop,
        Fault::Status {
            status: 502,
            retry_after: None,
        },
    ]);
    let c = client(&server.base_url());
    assert_eq!(c.person_by_email("a@b.c").await.unwrap().id, 1);
    assert_eq!(server.requests().len(), 4);
}

#[tokio::test]
async fn a_slow_answer_past_the_deadline_is_a_network_error() {
    let server = fake(FakeDrata::new(KEY).with_person(1, "a@b.c")).await;
    server.inject([Fault::Slow(Duration::from_secs(3))]);
    let c = client(&server.base_url())
        .with_timeout(Duration::from_millis(300))
        .with_retry(RetryPolicy::none());
    let err = c.person_by_email("a@b.c").await.unwrap_err();
    assert!(matches!(err, DrataError::Network { .. }), "{err:?}");
    assert!(err.to_string().contains("timed out"), "{err}");
}

#[tokio::test]
async fn requests_are_paced_client_side() {
    let server = fake(FakeDrata::new(KEY).with_person(1, "a@b.c")).await;
    let c = client(&server.base_url()).with_min_interval(Duration::from_millis(100));
    for _ in 0..4 {
        c.person_by_email("a@b.c").await.unwrap();
    }
    let seen = server.requests();
    for pair in seen.windows(2) {
        let gap = pair[1].at.duration_since(pair[0].at);
        assert!(gap >= Duration::from_millis(90), "gap {gap:?}");
    }
}
