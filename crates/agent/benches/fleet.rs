//! Fleet simulation: what a whole company's agents cost Drata's API, and whether a rate limit
//! loses anything.
//!
//! One process simulates `FLEET_AGENTS` agents (default 10,000), each with its own device ID,
//! its own API client (the real `drata-client`, configured like `devidence run`: 250 ms pacing,
//! three attempts, rate-limit waits as `Retry-After` asks) and `FLEET_ITEMS` evidence items
//! (default 5). The agents' clients share one connection pool, so the simulator's memory
//! does not grow with a TLS setup per agent (the URL is plain HTTP on loopback). Fake
//! Drata runs in a second process (this program, re-started with `FLEET_ROLE=server`), so the
//! peak RSS printed for the client is the simulator's alone.
//!
//! Scenarios:
//! 1. **burst**: every agent starts at once against a server-side fixed-window rate limit of
//!    `FLEET_RATE` requests per second (default 1,000), answering 429 with `Retry-After`. At
//!    most `FLEET_ACTIVE` agents (default 2,000) run at a time. An agent whose attempts all
//!    fail keeps the item spooled and tries again after the daemon's retry delay,
//!    scaled from 10 min ± 5 min to `FLEET_RETRY_MS` (default 2,000 ms) ± half of it. The
//!    simulation checks that every item arrives, counts duplicates, and compares the time
//!    taken with the floor the rate limit imposes (`items / rate` seconds).
//! 2. **splay**: no rate limit; each agent starts after `daemon::with_splay(0, splay)` with the
//!    splay scaled to `FLEET_SPLAY_SECONDS` (default 60 s), and the server's arrival times are
//!    printed as a histogram. A third table applies the same function at production scale
//!    (15 min splay, 1 min buckets) without sending anything.
//!
//! Run: `cargo bench -p devidence --bench fleet` (`FLEET_SCENARIOS=burst` or `splay` for one).

use devidence::daemon::with_splay;
use devidence_core::Control;
use fake_drata::FakeDrata;
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

const API_KEY: &str = "fleet-simulation-key";
/// Device IDs are `FIRST_DEVICE + agent index`.
const FIRST_DEVICE: u64 = 100_000;

/// The simulation's knobs, from `FLEET_*` environment variables.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct Knobs {
    agents: u64,
    items: usize,
    rate: u32,
    active: usize,
    payload_kb: usize,
    retry_ms: u64,
    splay_seconds: u64,
}

impl Knobs {
    fn from_env() -> Knobs {
        let get = |name: &str, default: u64| -> u64 {
            std::env::var(name)
                .ok()
                .and_then(|v| v.parse().ok())
                .unwrap_or(default)
        };
        Knobs {
            agents: get("FLEET_AGENTS", 10_000),
            items: get("FLEET_ITEMS", 5).clamp(1, 5) as usize,
            rate: get("FLEET_RATE", 1_000) as u32,
            active: get("FLEET_ACTIVE", 2_000) as usize,
            payload_kb: get("FLEET_PAYLOAD_KB", 32) as usize,
            retry_ms: get("FLEET_RETRY_MS", 2_000),
            splay_seconds: get("FLEET_SPLAY_SECONDS", 60),
        }
    }
}

/// What the server process reports when its standard input closes.
#[derive(Debug, Serialize, Deserialize)]
struct ServerReport {
    /// Accepted uploads.
    uploads: usize,
    /// Distinct (device, type, file name) among them.
    distinct: usize,
    /// Requests answered 429.
    rate_limited: usize,
    /// All requests seen.
    requests: usize,
    /// Milliseconds from the server's start to each accepted upload.
    arrivals_ms: Vec<u64>,
    /// Milliseconds from the server's start to the first request of any kind.
    first_request_ms: Option<u64>,
}

fn main() {
    if std::env::var("FLEET_ROLE").as_deref() == Ok("server") {
        serve();
        return;
    }
    raise_open_file_limit();
    let knobs = Knobs::from_env();
    let scenarios = std::env::var("FLEET_SCENARIOS").unwrap_or_else(|_| "burst,splay".into());
    println!("fleet simulation: {knobs:?}");
    println!(
        "machine: {} logical CPUs; reproduce with `cargo bench -p devidence --bench fleet`",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    for scenario in scenarios.split(',') {
        match scenario.trim() {
            "burst" => burst(&knobs),
            "splay" => splay(&knobs),
            other => eprintln!("unknown scenario {other:?}; expected burst or splay"),
        }
    }
    splay_at_production_scale(knobs.agents);
}

// ---------------------------------------------------------------------------------------
// The server process
// ---------------------------------------------------------------------------------------

/// Serves fake Drata until standard input closes, then prints a [`ServerReport`].
fn serve() {
    let knobs = Knobs::from_env();
    let limited = std::env::var("FLEET_LIMITED").as_deref() == Ok("1");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a Tokio runtime");
    runtime.block_on(async move {
        let mut fake = FakeDrata::new(API_KEY).without_file_bytes();
        for agent in 0..knobs.agents {
            fake = fake.with_device(&(FIRST_DEVICE + agent).to_string());
        }
        if limited {
            fake = fake.with_rate_limit(knobs.rate, Duration::from_secs(1));
        }
        let running = fake
            .start("127.0.0.1:0".parse().expect("an address"))
            .await
            .expect("fake Drata listens");
        let started = Instant::now();
        println!("{}", running.base_url());
        std::io::stdout().flush().expect("stdout");
        // Wait for the client to close our standard input.
        tokio::task::spawn_blocking(|| {
            let _ = std::io::stdin().read_to_end(&mut Vec::new());
        })
        .await
        .expect("stdin reader");
        let uploads = running.uploads();
        let requests = running.requests();
        let ms = |at: Instant| at.saturating_duration_since(started).as_millis() as u64;
        let mut distinct = std::collections::HashSet::new();
        for u in &uploads {
            distinct.insert((
                u.device_id.as_str(),
                u.doc_type.as_str(),
                u.file_name.as_str(),
            ));
        }
        let report = ServerReport {
            uploads: uploads.len(),
            distinct: distinct.len(),
            rate_limited: requests.iter().filter(|r| r.status == 429).count(),
            requests: requests.len(),
            arrivals_ms: uploads.iter().map(|u| ms(u.at)).collect(),
            first_request_ms: requests.iter().map(|r| ms(r.at)).min(),
        };
        println!("{}", serde_json::to_string(&report).expect("JSON"));
        running.shutdown().await;
    });
}

/// The server process and its base URL.
struct Server {
    child: Child,
    base_url: String,
}

impl Server {
    fn start(knobs: &Knobs, limited: bool) -> Server {
        let mut child = Command::new(std::env::current_exe().expect("this program"))
            .env("FLEET_ROLE", "server")
            .env("FLEET_AGENTS", knobs.agents.to_string())
            .env("FLEET_RATE", knobs.rate.to_string())
            .env("FLEET_LIMITED", if limited { "1" } else { "0" })
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("the server process starts");
        let mut line = String::new();
        BufReader::new(child.stdout.as_mut().expect("stdout"))
            .read_line(&mut line)
            .expect("the server prints its URL");
        Server {
            child,
            base_url: line.trim().to_string(),
        }
    }

    /// Closes the server's input and reads its report.
    fn finish(mut self) -> ServerReport {
        drop(self.child.stdin.take());
        let mut out = String::new();
        self.child
            .stdout
            .take()
            .expect("stdout")
            .read_to_string(&mut out)
            .expect("the report");
        let _ = self.child.wait();
        serde_json::from_str(out.trim()).expect("a server report")
    }
}

// ---------------------------------------------------------------------------------------
// The simulated agents
// ---------------------------------------------------------------------------------------

/// Counters shared by all agents.
#[derive(Default)]
struct Counters {
    delivered: AtomicU64,
    /// Items left in the spool by a run whose attempts all failed (sent again later).
    spooled_again: AtomicU64,
    /// Errors other than running out of attempts on a retryable error.
    hard_errors: AtomicU64,
}

/// One agent's life: runs until every item is delivered, like the daemon re-running
/// `devidence run` after its retry delay while evidence waits in the spool.
async fn agent(
    index: u64,
    pool: drata_client::Client,
    payload: Arc<Vec<u8>>,
    knobs: Arc<Knobs>,
    active: Arc<tokio::sync::Semaphore>,
    counters: Arc<Counters>,
) {
    let device = (FIRST_DEVICE + index).to_string();
    let mut pending: Vec<usize> = (0..knobs.items).collect();
    while !pending.is_empty() {
        {
            let _slot = active.acquire().await.expect("the semaphore stays open");
            // Its own pacer (and retry state) on the shared pool.
            let client = pool
                .clone()
                .with_min_interval(drata_client::DEFAULT_MIN_INTERVAL);
            while let Some(&item) = pending.first() {
                let control = Control::ALL[item];
                let name = format!("{}.pdf", control.slug());
                match client
                    .upload_device_document(
                        &device,
                        devidence::deliver::evidence_type(control),
                        &name,
                        payload.to_vec(),
                    )
                    .await
                {
                    Ok(_) => {
                        counters.delivered.fetch_add(1, Ordering::Relaxed);
                        pending.remove(0);
                    }
                    Err(e) => {
                        if e.is_retryable() {
                            counters.spooled_again.fetch_add(1, Ordering::Relaxed);
                        } else {
                            counters.hard_errors.fetch_add(1, Ordering::Relaxed);
                            eprintln!("agent {index}: {e}");
                        }
                        // The run stops; the rest stays spooled for the next one.
                        break;
                    }
                }
            }
        }
        if !pending.is_empty() {
            let retry = Duration::from_millis(knobs.retry_ms);
            tokio::time::sleep(with_splay(retry, retry / 2)).await;
        }
    }
}

/// Runs `agents` (each started after its delay) to completion; returns the wall time.
fn run_fleet(knobs: &Knobs, base_url: &str, delays: Vec<Duration>, counters: &Arc<Counters>) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a Tokio runtime");
    let pool = runtime.block_on(async {
        drata_client::Client::new(
            base_url,
            SecretString::from(API_KEY),
            "devidence-fleet-simulation",
        )
        .expect("a client")
    });
    let payload = Arc::new(vec![b'%'; knobs.payload_kb * 1024]);
    let shared_knobs = Arc::new(knobs.clone());
    let active = Arc::new(tokio::sync::Semaphore::new(knobs.active.max(1)));
    runtime.block_on(async {
        let mut tasks = tokio::task::JoinSet::new();
        for (index, delay) in delays.into_iter().enumerate() {
            let (pool, payload, knobs, active, counters) = (
                pool.clone(),
                payload.clone(),
                shared_knobs.clone(),
                active.clone(),
                counters.clone(),
            );
            tasks.spawn(async move {
                tokio::time::sleep(delay).await;
                agent(index as u64, pool, payload, knobs, active, counters).await;
            });
        }
        while tasks.join_next().await.is_some() {}
    });
}

fn burst(knobs: &Knobs) {
    let server = Server::start(knobs, true);
    let counters = Arc::new(Counters::default());
    let started = Instant::now();
    run_fleet(
        knobs,
        &server.base_url,
        vec![Duration::ZERO; knobs.agents as usize],
        &counters,
    );
    let wall = started.elapsed();
    let report = server.finish();
    let items = knobs.agents * knobs.items as u64;
    let first = report.first_request_ms.unwrap_or(0);
    let last = report.arrivals_ms.iter().copied().max().unwrap_or(0);
    let span = Duration::from_millis(last.saturating_sub(first));
    // A fixed window of one second admits `rate` requests per window, counted from the first.
    let floor = Duration::from_secs_f64((items as f64 / knobs.rate as f64).ceil() - 1.0);
    println!();
    println!(
        "## burst: {} agents × {} items, all at once, rate limit {}/s, {} active at a time",
        knobs.agents, knobs.items, knobs.rate, knobs.active
    );
    println!("items expected                 {items}");
    println!(
        "items arrived (distinct)       {}   lost: {}",
        report.distinct,
        items.saturating_sub(report.distinct as u64)
    );
    println!(
        "uploads accepted               {}   duplicates: {}",
        report.uploads,
        report.uploads - report.distinct
    );
    println!(
        "requests seen / answered 429   {} / {}",
        report.requests, report.rate_limited
    );
    println!(
        "runs that left items spooled   {}   (all attempts met 429; sent again after the scaled retry delay)",
        counters.spooled_again.load(Ordering::Relaxed)
    );
    println!(
        "other errors                   {}",
        counters.hard_errors.load(Ordering::Relaxed)
    );
    println!(
        "first to last arrival          {:.1} s   floor set by the rate limit: {:.1} s   ratio {:.3}",
        span.as_secs_f64(),
        floor.as_secs_f64(),
        span.as_secs_f64() / floor.as_secs_f64().max(0.001)
    );
    // Where the time above the floor went: one-second windows (from the first request) that
    // admitted fewer uploads than the limit allows.
    let mut per_window: HashMap<u64, u64> = HashMap::new();
    for &ms in &report.arrivals_ms {
        *per_window
            .entry(ms.saturating_sub(first) / 1000)
            .or_default() += 1;
    }
    let windows = per_window.keys().copied().max().map_or(0, |w| w + 1);
    let short: Vec<(u64, u64)> = (0..windows)
        .map(|w| (w, per_window.get(&w).copied().unwrap_or(0)))
        .filter(|&(_, n)| n < u64::from(knobs.rate))
        .collect();
    println!(
        "windows of 1 s used / not full  {windows} / {} (uploads short of the limit: {})",
        short.len(),
        short
            .iter()
            .map(|&(_, n)| u64::from(knobs.rate) - n)
            .sum::<u64>()
    );
    let listed: Vec<String> = short.iter().map(|(w, n)| format!("#{w}: {n}")).collect();
    println!("not full                       {}", listed.join(", "));
    println!("client wall time               {:.1} s", wall.as_secs_f64());
    println!("client peak RSS                {}", peak_rss());
}

fn splay(knobs: &Knobs) {
    let server = Server::start(knobs, false);
    let counters = Arc::new(Counters::default());
    let splay = Duration::from_secs(knobs.splay_seconds);
    let delays: Vec<Duration> = (0..knobs.agents)
        .map(|_| with_splay(Duration::ZERO, splay))
        .collect();
    let started = Instant::now();
    let mut unlimited = knobs.clone();
    unlimited.active = knobs.agents as usize;
    run_fleet(&unlimited, &server.base_url, delays, &counters);
    let wall = started.elapsed();
    let report = server.finish();
    println!();
    println!(
        "## splay: {} agents × {} items, each starting at with_splay(0, {} s), no rate limit",
        knobs.agents, knobs.items, knobs.splay_seconds
    );
    println!(
        "items arrived (distinct) {} of {}; duplicates {}; client wall time {:.1} s",
        report.distinct,
        knobs.agents * knobs.items as u64,
        report.uploads - report.distinct,
        wall.as_secs_f64()
    );
    let bucket = (knobs.splay_seconds * 1000 / 12).max(1);
    let arrivals: Vec<f64> = report.arrivals_ms.iter().map(|&ms| ms as f64).collect();
    histogram("arrivals at fake Drata", &arrivals, bucket as f64, "ms", 12);
    println!("client peak RSS {}", peak_rss());
}

/// The daemon's first-check and per-interval splay at its defaults (15 min), for a fleet that
/// all wakes at once: when each agent's check starts, in one-minute buckets.
fn splay_at_production_scale(agents: u64) {
    let splay = Duration::from_secs(15 * 60);
    let starts: Vec<f64> = (0..agents)
        .map(|_| with_splay(Duration::ZERO, splay).as_secs_f64())
        .collect();
    println!();
    println!(
        "## splay at production scale: {agents} agents, default 15 min splay (computed with daemon::with_splay, nothing sent)"
    );
    histogram("check starts", &starts, 60.0, "s", 15);
}

/// Prints a text histogram of `values` in buckets of `width`, with the peak-to-mean ratio.
/// The mean is taken over `buckets` buckets (the span the load should be spread over).
fn histogram(title: &str, values: &[f64], width: f64, unit: &str, buckets: u64) {
    let mut counts: HashMap<u64, usize> = HashMap::new();
    for v in values {
        *counts.entry((v / width) as u64).or_default() += 1;
    }
    let last = counts.keys().copied().max().unwrap_or(0);
    let mean = values.len() as f64 / buckets.max(1) as f64;
    let peak = counts.values().copied().max().unwrap_or(0);
    println!(
        "{title}: buckets of {width} {unit}; peak {peak}, mean over the first {buckets} {mean:.0}, peak/mean {:.2}",
        peak as f64 / mean.max(1.0)
    );
    for b in 0..=last {
        let n = counts.get(&b).copied().unwrap_or(0);
        let bar = "#".repeat((n as f64 / peak.max(1) as f64 * 50.0).round() as usize);
        println!(
            "  {:>8.0}-{:<8.0} {unit} {n:>6} {bar}",
            b as f64 * width,
            (b + 1) as f64 * width
        );
    }
}

/// Raises the soft limit on open files to the hard limit: every request in flight holds a
/// connection, in this process and in the server.
fn raise_open_file_limit() {
    #[cfg(unix)]
    {
        use rustix::process::{Resource, getrlimit, setrlimit};
        let mut limit = getrlimit(Resource::Nofile);
        limit.current = limit.maximum;
        if let Err(e) = setrlimit(Resource::Nofile, limit) {
            eprintln!("cannot raise the open-file limit: {e}");
        }
    }
}

/// This process's peak resident set size.
fn peak_rss() -> String {
    devidence::resource_use::peak_rss_kb()
        .map_or_else(|| "n/a (not Linux)".into(), |kb| format!("{kb} kB"))
}
