//! Upload throughput against fake Drata on loopback (same process, separate Tokio runtime).
//!
//! Method: for each file size (a small PNG card, the typical PDF, a 1 MB report), one client
//! uploads `UPLOADS` documents one after another, with pacing off (so the figure is the
//! client + HTTP + multipart cost, not the agent's 4-requests-a-second courtesy limit), after
//! 5 warm-up uploads; repeated `ROUNDS` times. Printed: min / median uploads per second and
//! MB/s over the rounds, and the median latency of one upload. Then the same with the default
//! pacing, which is what one agent really does.
//!
//! Run: `cargo bench -p drata-client --bench upload`.

use drata_client::{Client, RetryPolicy};
use fake_drata::FakeDrata;
use secrecy::SecretString;
use std::time::{Duration, Instant};

const KEY: &str = "upload-bench-key";
const UPLOADS: usize = 200;
const ROUNDS: usize = 5;

fn main() {
    // The server gets its own runtime and threads, so client and server do not share one.
    let server_runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("a Tokio runtime");
    let server = server_runtime.block_on(async {
        FakeDrata::new(KEY)
            .with_device("42")
            .without_file_bytes()
            .start("127.0.0.1:0".parse().expect("an address"))
            .await
            .expect("fake Drata listens")
    });
    let client_runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a Tokio runtime");
    let client = Client::new(&server.base_url(), SecretString::from(KEY), "upload-bench")
        .expect("a client")
        .with_retry(RetryPolicy::none());

    println!(
        "upload benchmark: {UPLOADS} sequential uploads per round, {ROUNDS} rounds, fake Drata on 127.0.0.1 ({} logical CPUs)",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    println!(
        "{:<26} {:>14} {:>14} {:>12} {:>16}",
        "file", "uploads/s min", "uploads/s med", "MB/s med", "latency median"
    );
    let unpaced = client.clone().with_min_interval(Duration::ZERO);
    for (label, size) in [
        ("PNG card, 280 KB", 280 * 1024),
        ("PDF report, 190 KB", 190 * 1024),
        ("small PDF, 40 KB", 40 * 1024),
        ("large PDF, 1 MB", 1024 * 1024),
    ] {
        let payload = vec![b'%'; size];
        let mut rates = Vec::new();
        let mut latencies = Vec::new();
        client_runtime.block_on(async {
            for _ in 0..5 {
                upload(&unpaced, &payload).await;
            }
            for _ in 0..ROUNDS {
                let started = Instant::now();
                for _ in 0..UPLOADS {
                    let one = Instant::now();
                    upload(&unpaced, &payload).await;
                    latencies.push(one.elapsed());
                }
                rates.push(UPLOADS as f64 / started.elapsed().as_secs_f64());
            }
        });
        rates.sort_by(f64::total_cmp);
        latencies.sort();
        let median = rates[rates.len() / 2];
        println!(
            "{label:<26} {:>14.0} {:>14.0} {:>12.1} {:>13.2} ms",
            rates[0],
            median,
            median * size as f64 / 1e6,
            latencies[latencies.len() / 2].as_secs_f64() * 1000.0
        );
    }
    // What one agent does: the default pacing of 4 requests a second.
    let paced = client.with_min_interval(drata_client::DEFAULT_MIN_INTERVAL);
    let payload = vec![b'%'; 190 * 1024];
    let started = Instant::now();
    client_runtime.block_on(async {
        for _ in 0..10 {
            upload(&paced, &payload).await;
        }
    });
    println!(
        "with the agent's default pacing ({} ms): 10 uploads of 190 KB in {:.2} s",
        drata_client::DEFAULT_MIN_INTERVAL.as_millis(),
        started.elapsed().as_secs_f64()
    );
    assert!(server.uploads().len() >= 4 * (5 + UPLOADS * ROUNDS) + 10);
    server_runtime.block_on(server.shutdown());
}

async fn upload(client: &Client, payload: &[u8]) {
    client
        .upload_device_document("42", "ANTIVIRUS_EVIDENCE", "a.pdf", payload.to_vec())
        .await
        .unwrap_or_else(|e| panic!("upload failed: {e}"));
}
