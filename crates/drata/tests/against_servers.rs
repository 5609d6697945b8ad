//! The client against real HTTP servers on 127.0.0.1: the spec-faithful fake Drata for every
//! status, and small scripted servers for retries.
#![allow(clippy::unwrap_used, missing_docs)]

use axum::Router;
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::post;
use drata_client::{Client, DrataError, RetryPolicy};
use fake_drata::{FakeDrata, RunningFake};
use secrecy::SecretString;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

const KEY: &str = "test-key-7d1e0c5a9b";
const PDF: &[u8] = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n";
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";

async fn fake(builder: FakeDrata) -> RunningFake {
    builder.start("127.0.0.1:0".parse().unwrap()).await.unwrap()
}

fn client(url: &str, key: &str) -> Client {
    Client::new(url, SecretString::from(key.to_string()), "devidence-test")
        .unwrap()
        .with_retry(RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(20),
            max_delay: Duration::from_secs(5),
            ..RetryPolicy::default()
        })
}

#[tokio::test]
async fn pdf_and_png_uploads_arrive_and_are_listed() {
    let server = fake(FakeDrata::new(KEY).with_device("42")).await;
    let c = client(&server.base_url(), KEY);
    let pdf = c
        .upload_device_document(
            "42",
            "HARD_DRIVE_ENCRYPTION_EVIDENCE",
            "disk.pdf",
            PDF.to_vec(),
        )
        .await
        .unwrap();
    let png = c
        .upload_device_document("42", "LOCK_SCREEN_EVIDENCE", "lock.png", PNG.to_vec())
        .await
        .unwrap();
    assert_eq!(pdf.r#type, "HARD_DRIVE_ENCRYPTION_EVIDENCE");
    assert_ne!(pdf.id, png.id);
    let listed = c.list_device_documents("42").await.unwrap();
    assert_eq!(listed.len(), 2);
    let uploads = server.uploads();
    assert_eq!(uploads[0].bytes, PDF);
    assert_eq!(uploads[1].file_name, "lock.png");
    assert_eq!(uploads[1].doc_type, "LOCK_SCREEN_EVIDENCE");
}

#[tokio::test]
async fn each_refusal_becomes_its_own_error_without_retrying() {
    let server = fake(
        FakeDrata::new(KEY)
            .with_device("42")
            .with_max_upload_bytes(16),
    )
    .await;
    let started = Instant::now();
    let err = client(&server.base_url(), "wrong-key-000000")
        .upload_device_document("42", "ANTIVIRUS_EVIDENCE", "a.pdf", PDF[..10].to_vec())
        .await
        .unwrap_err();
    assert!(matches!(err, DrataError::Unauthorized { .. }), "{err:?}");
    let c = client(&server.base_url(), KEY);
    let err = c
        .upload_device_document("7", "ANTIVIRUS_EVIDENCE", "a.pdf", PDF[..10].to_vec())
        .await
        .unwrap_err();
    assert!(matches!(err, DrataError::NotFound { .. }), "{err:?}");
    let err = c
        .upload_device_document("42", "ANTIVIRUS_EVIDENCE", "a.pdf", PDF.to_vec())
        .await
        .unwrap_err();
    assert!(matches!(err, DrataError::TooLarge { .. }), "{err:?}");
    assert!(err.to_string().contains("413"), "{err}");
    let err = c
        .upload_device_document("42", "NOT_A_TYPE", "a.pdf", PDF[..10].to_vec())
        .await
        .unwrap_err();
    assert!(matches!(err, DrataError::BadRequest { .. }), "{err:?}");
    let err = c
        .upload_device_document(
            "not-a-number",
            "ANTIVIRUS_EVIDENCE",
            "a.pdf",
            PDF[..10].to_vec(),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, DrataError::BadRequest { .. }), "{err:?}");
    let err = c
        .upload_device_document("42", "ANTIVIRUS_EVIDENCE", "a.exe", PDF[..10].to_vec())
        .await
        .unwrap_err();
    assert!(matches!(err, DrataError::BadRequest { .. }), "{err:?}");
    // None of these is retried: all answered well under one backoff cycle each.
    assert!(started.elapsed() < Duration::from_secs(5));
    assert!(server.uploads().is_empty());

    let terms = fake(FakeDrata::new(KEY).with_device("42").terms_accepted(false)).await;
    let err = client(&terms.base_url(), KEY)
        .upload_device_document("42", "ANTIVIRUS_EVIDENCE", "a.pdf", PDF.to_vec())
        .await
        .unwrap_err();
    assert!(matches!(err, DrataError::TermsNotAccepted), "{err:?}");
    assert!(!format!("{err} {err:?}").contains(KEY));
}

#[tokio::test]
async fn a_server_that_is_down_is_a_network_error() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let err = client(&format!("http://127.0.0.1:{port}"), KEY)
        .upload_device_document("42", "ANTIVIRUS_EVIDENCE", "a.pdf", PDF.to_vec())
        .await
        .unwrap_err();
    assert!(err.is_retryable());
    assert!(err.to_string().contains("could not reach Drata"), "{err}");
}

/// A server answering the scripted statuses in turn (then 201), counting requests.
async fn scripted(script: Vec<(StatusCode, Option<&'static str>)>) -> (String, Arc<AtomicU32>) {
    let hits = Arc::new(AtomicU32::new(0));
    let counter = hits.clone();
    let app = Router::new().route(
        "/devices/{id}/documents",
        post(move || {
            let n = counter.fetch_add(1, Ordering::SeqCst) as usize;
            let step = script.get(n).copied();
            async move {
                match step {
                    Some((status, retry_after)) => {
                        let mut headers = HeaderMap::new();
                        if let Some(value) = retry_after {
                            headers.insert("retry-after", value.parse().unwrap());
                        }
                        let body = format!(r#"{{"statusCode":{},"message":"scripted","code":0}}"#, status.as_u16());
                        (status, headers, body).into_response()
                    }
                    None => (
                        StatusCode::CREATED,
                        [("content-type", "application/json")],
                        r#"{"id":9,"type":"ANTIVIRUS_EVIDENCE","name":"a.pdf","fileUrl":null,"createdAt":"2026-11-23T00:00:00.000Z","updatedAt":"2026-11-23T00:00:00.000Z"}"#,
                    )
                        .into_response(),
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, hits)
}

#[tokio::test]
async fn rate_limits_are_retried_after_the_time_drata_asks_for() {
    let (url, hits) = scripted(vec![(StatusCode::TOO_MANY_REQUESTS, Some("1"))]).await;
    let started = Instant::now();
    let doc = client(&url, KEY)
        .upload_device_document("42", "ANTIVIRUS_EVIDENCE", "a.pdf", PDF.to_vec())
        .await
        .unwrap();
    let waited = started.elapsed();
    assert_eq!(doc.id.to_string(), "9");
    assert_eq!(hits.load(Ordering::SeqCst), 2);
    assert!(
        waited >= Duration::from_millis(950),
        "retried after {waited:?}, before Retry-After: 1"
    );
}

#[tokio::test]
async fn server_errors_are_retried_then_reported() {
    let (url, hits) = scripted(vec![
        (StatusCode::SERVICE_UNAVAILABLE, None),
        (StatusCode::BAD_GATEWAY, None),
    ])
    .await;
    client(&url, KEY)
        .upload_device_document("42", "ANTIVIRUS_EVIDENCE", "a.pdf", PDF.to_vec())
        .await
        .unwrap();
    assert_eq!(hits.load(Ordering::SeqCst), 3);

    let (url, hits) = scripted(vec![(StatusCode::INTERNAL_SERVER_ERROR, None); 5]).await;
    let err = client(&url, KEY)
        .upload_device_document("42", "ANTIVIRUS_EVIDENCE", "a.pdf", PDF.to_vec())
        .await
        .unwrap_err();
    assert!(matches!(err, DrataError::Server { .. }), "{err:?}");
    assert_eq!(
        hits.load(Ordering::SeqCst),
        3,
        "three attempts, then the error"
    );
}
