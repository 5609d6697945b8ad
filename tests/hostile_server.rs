//! The hostile-server matrix: the real binary's `run` meets servers on 127.0.0.1 that answer
//! the upload the way a broken proxy, a captive portal or an attacker would. For every case
//! the run must end in bounded time with bounded memory (its own peak RSS, which it logs at
//! exit), say clearly what happened, send nothing anywhere else, and keep all five evidence
//! items in the spool for the next run.
//!
//! The cases run in parallel, each with its own server and data folder; the table printed at
//! the end (`cargo test --test hostile_server -- --nocapture`) is the one in ARCHITECTURE.md.
#![cfg(unix)]
#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use common::{KEY, devidence, spooled_hashes};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// The per-attempt total deadline the runs get (`request_timeout_seconds`).
const DEADLINE_S: u64 = 3;
/// Most resident memory a run may reach (the agent's own `VmHWM`); a normal run of this debug
/// build peaks at about a third of it, and an unbounded body grew it to gigabytes.
const MAX_RSS_KB: u64 = 96 * 1024;
/// Longest a case may take, whole run included.
const MAX_SECONDS: u64 = 90;

/// How a hostile server answers one request (after reading it).
#[derive(Clone, Copy, Debug)]
enum Answer {
    EndlessChunked,
    HugeBody,
    Slowloris,
    EndlessHeaders,
    InvalidJsonCreated,
    CaptivePortal,
    RedirectOtherHost,
    RedirectPlainHttp,
    RedirectFile,
    RetryAfterZero,
    RetryAfterNegative,
    RetryAfterHuge,
    RetryAfter2099,
    RateLimitedForever,
    ResetAfterBody,
}

struct Case {
    name: &'static str,
    answer: Option<Answer>,
    /// The run's stderr must contain this.
    says: &'static str,
    /// Most requests the server may see (a floor on 429 waits, no endless retries).
    max_requests: usize,
    /// The run must take at least this long (waits that must be honoured).
    min_seconds: u64,
}

/// The request head and body, read and thrown away (up to the body's announced length), except
/// the last `keep_unread` bytes of the body.
fn read_request(stream: &mut TcpStream, keep_unread: usize) -> Option<()> {
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .ok()?;
    let mut reader = BufReader::new(stream.try_clone().ok()?);
    let mut length = 0usize;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        if line == "\r\n" {
            break;
        }
        if let Some((name, value)) = line.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().ok()?;
        }
    }
    let mut body = vec![0; length.saturating_sub(keep_unread)];
    reader.read_exact(&mut body).ok()?;
    Some(())
}

fn answer(stream: &mut TcpStream, answer: Answer, trap: &str) {
    let head = |status: &str, extra: &str| {
        format!("HTTP/1.1 {status}\r\nConnection: close\r\n{extra}\r\n")
    };
    let _ = match answer {
        Answer::EndlessChunked => {
            let _ = stream.write_all(
                head(
                    "201 Created",
                    "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n",
                )
                .as_bytes(),
            );
            let chunk = format!("10000\r\n{}\r\n", "x".repeat(0x10000));
            while stream.write_all(chunk.as_bytes()).is_ok() {}
            Ok(())
        }
        Answer::HugeBody => {
            let size = 100 * 1024 * 1024;
            let _ = stream.write_all(
                head("201 Created", &format!("Content-Length: {size}\r\n")).as_bytes(),
            );
            let block = vec![b' '; 64 * 1024];
            let mut sent = 0;
            while sent < size && stream.write_all(&block).is_ok() {
                sent += block.len();
            }
            Ok(())
        }
        Answer::Slowloris => {
            let _ = stream.write_all(head("201 Created", "Content-Length: 1000\r\n").as_bytes());
            for _ in 0..1000 {
                if stream.write_all(b"{").is_err() {
                    break;
                }
                std::thread::sleep(Duration::from_secs(1));
            }
            Ok(())
        }
        Answer::EndlessHeaders => {
            let _ = stream.write_all(b"HTTP/1.1 201 Created\r\n");
            let mut n = 0u64;
            while stream
                .write_all(format!("X-Header-{n}: {}\r\n", "y".repeat(100)).as_bytes())
                .is_ok()
            {
                n += 1;
            }
            Ok(())
        }
        Answer::InvalidJsonCreated => stream.write_all(
            format!(
                "{}{{\"id\": 7, \"type\": ",
                head("201 Created", "Content-Type: application/json\r\nContent-Length: 16\r\n")
            )
            .as_bytes(),
        ),
        Answer::CaptivePortal => {
            let page = "<html><body><h1>Welcome to Airport Wi-Fi</h1><form>Log in</form></body></html>";
            stream.write_all(
                format!(
                    "{}{page}",
                    head(
                        "200 OK",
                        &format!("Content-Type: text/html\r\nContent-Length: {}\r\n", page.len())
                    )
                )
                .as_bytes(),
            )
        }
        Answer::RedirectOtherHost => stream.write_all(
            head(
                "307 Temporary Redirect",
                "Location: https://drata-login.invalid/portal?session=PORTAL-SECRET\r\nContent-Length: 0\r\n",
            )
            .as_bytes(),
        ),
        Answer::RedirectPlainHttp => stream.write_all(
            head(
                "302 Found",
                &format!("Location: {trap}/devices/4242/documents\r\nContent-Length: 0\r\n"),
            )
            .as_bytes(),
        ),
        Answer::RedirectFile => stream.write_all(
            head(
                "301 Moved Permanently",
                "Location: file:///etc/passwd\r\nContent-Length: 0\r\n",
            )
            .as_bytes(),
        ),
        Answer::RetryAfterZero => stream.write_all(
            head("429 Too Many Requests", "Retry-After: 0\r\nContent-Length: 0\r\n").as_bytes(),
        ),
        Answer::RetryAfterNegative => stream.write_all(
            head("429 Too Many Requests", "Retry-After: -5\r\nContent-Length: 0\r\n").as_bytes(),
        ),
        Answer::RetryAfterHuge => stream.write_all(
            head(
                "429 Too Many Requests",
                "Retry-After: 1000000000\r\nContent-Length: 0\r\n",
            )
            .as_bytes(),
        ),
        Answer::RetryAfter2099 => stream.write_all(
            head(
                "429 Too Many Requests",
                "Retry-After: Thu, 01 Jan 2099 00:00:00 GMT\r\nContent-Length: 0\r\n",
            )
            .as_bytes(),
        ),
        Answer::RateLimitedForever => stream.write_all(
            head("429 Too Many Requests", "Retry-After: 1\r\nContent-Length: 0\r\n").as_bytes(),
        ),
        // The body was read but for its last byte: closing with unread data makes the kernel
        // answer with a reset.
        Answer::ResetAfterBody => Ok(()),
    };
    let _ = stream.shutdown(Shutdown::Both);
}

/// A server on 127.0.0.1 that answers every request with `answer`; counts requests.
fn start_hostile(answer_with: Answer, trap: String) -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(AtomicUsize::new(0));
    let count = seen.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let count = count.clone();
            let trap = trap.clone();
            std::thread::spawn(move || {
                let mut stream = stream;
                let keep = usize::from(matches!(answer_with, Answer::ResetAfterBody));
                if read_request(&mut stream, keep).is_some() {
                    count.fetch_add(1, Ordering::SeqCst);
                    answer(&mut stream, answer_with, &trap);
                }
            });
        }
    });
    (url, seen)
}

/// A listener that records every connection: where a redirect would have sent the key.
fn start_trap() -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let hits = Arc::new(AtomicUsize::new(0));
    let count = hits.clone();
    std::thread::spawn(move || {
        for _ in listener.incoming() {
            count.fetch_add(1, Ordering::SeqCst);
        }
    });
    (url, hits)
}

/// A TLS server with a self-signed certificate (tests/fixtures/tls), which no trust store
/// accepts.
fn start_self_signed_tls() -> (String, Arc<AtomicUsize>) {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/tls");
    let cert = CertificateDer::from_pem_file(fixtures.join("self-signed-localhost.crt")).unwrap();
    let key = PrivateKeyDer::from_pem_file(fixtures.join("self-signed-localhost.key")).unwrap();
    let config = Arc::new(
        rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![cert], key)
        .unwrap(),
    );
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("https://{}", listener.local_addr().unwrap());
    let finished = Arc::new(AtomicUsize::new(0));
    let count = finished.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let config = config.clone();
            let count = count.clone();
            std::thread::spawn(move || {
                let connection = rustls::ServerConnection::new(config).unwrap();
                let mut tls = rustls::StreamOwned::new(connection, stream);
                let mut buf = [0u8; 1024];
                // A request would only arrive after a handshake the client accepted.
                if matches!(tls.read(&mut buf), Ok(n) if n > 0) {
                    count.fetch_add(1, Ordering::SeqCst);
                }
            });
        }
    });
    (url, finished)
}

/// What one case's run came to.
struct Outcome {
    name: &'static str,
    code: Option<i32>,
    seconds: f64,
    peak_rss_kb: u64,
    requests: usize,
    error: String,
    kept: usize,
    rejected: usize,
    trapped: usize,
}

fn run_case(case: &Case) -> Outcome {
    let (trap, trapped) = start_trap();
    let (url, seen) = match case.answer {
        Some(answer) => start_hostile(answer, trap),
        None => start_self_signed_tls(),
    };
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(
        tmp.path().join("config.toml"),
        format!("request_interval_ms = 0\nrequest_timeout_seconds = {DEADLINE_S}\n"),
    )
    .unwrap();
    let started = Instant::now();
    let out = devidence(tmp.path())
        .args(["run", "--api-url", &url, "--device-id", "4242", "--out"])
        .arg(tmp.path().join("evidence"))
        .env("DRATA_API_KEY", KEY)
        .env("DEVIDENCE_LOG", "warn,devidence::resource_use=debug")
        .timeout(Duration::from_secs(MAX_SECONDS * 2))
        .output()
        .unwrap();
    let seconds = started.elapsed().as_secs_f64();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let spool = tmp.path().join("data/spool");
    let rejected = std::fs::read_dir(spool.join("rejected"))
        .map(|d| d.count())
        .unwrap_or(0);
    Outcome {
        name: case.name,
        code: out.status.code(),
        seconds,
        peak_rss_kb: common::peak_rss_kb(&stderr).unwrap_or(u64::MAX),
        requests: seen.load(Ordering::SeqCst),
        error: stderr
            .lines()
            .find(|l| l.starts_with("error:"))
            .unwrap_or("")
            .to_string(),
        kept: spooled_hashes(&spool).len(),
        rejected,
        trapped: trapped.load(Ordering::SeqCst),
    }
}

#[test]
fn hostile_servers_cost_bounded_time_and_memory_and_lose_nothing() {
    use Answer::*;
    let case = |name, answer, says, max_requests, min_seconds| Case {
        name,
        answer,
        says,
        max_requests,
        min_seconds,
    };
    let cases = [
        case(
            "endless chunked body",
            Some(EndlessChunked),
            "larger than 4194304 bytes",
            3,
            0,
        ),
        case(
            "100 MB body with Content-Length",
            Some(HugeBody),
            "at least 104857600 bytes",
            3,
            0,
        ),
        case(
            "body trickling 1 byte/s",
            Some(Slowloris),
            "within 3 s (the request's total deadline)",
            3,
            9,
        ),
        case(
            "headers that never end",
            Some(EndlessHeaders),
            "could not reach Drata",
            3,
            0,
        ),
        case(
            "invalid JSON on 201",
            Some(InvalidJsonCreated),
            "could not be read",
            1,
            0,
        ),
        case(
            "HTML page on 200 (captive portal)",
            Some(CaptivePortal),
            "an HTML page, not JSON",
            1,
            0,
        ),
        case(
            "redirect to another host",
            Some(RedirectOtherHost),
            "redirect (307) to https://drata-login.invalid/…",
            1,
            0,
        ),
        case(
            "redirect to plain http://",
            Some(RedirectPlainHttp),
            "which devidence never follows",
            1,
            0,
        ),
        case(
            "redirect to file://",
            Some(RedirectFile),
            "redirect (301) to a file: address",
            1,
            0,
        ),
        case(
            "429, Retry-After: 0",
            Some(RetryAfterZero),
            "limiting the rate",
            23,
            20,
        ),
        case(
            "429, Retry-After: -5",
            Some(RetryAfterNegative),
            "limiting the rate",
            3,
            0,
        ),
        case(
            "429, Retry-After: 10^9 s",
            Some(RetryAfterHuge),
            "limiting the rate",
            1,
            0,
        ),
        case(
            "429, Retry-After: a date in 2099",
            Some(RetryAfter2099),
            "limiting the rate",
            1,
            0,
        ),
        case(
            "429 forever (Retry-After: 1)",
            Some(RateLimitedForever),
            "limiting the rate",
            23,
            20,
        ),
        case(
            "TLS, self-signed certificate",
            None,
            "refused the TLS certificate",
            0,
            0,
        ),
        case(
            "reset after the request body",
            Some(ResetAfterBody),
            "could not reach Drata",
            3,
            0,
        ),
    ];
    let outcomes: Vec<Outcome> = std::thread::scope(|scope| {
        let handles: Vec<_> = cases
            .iter()
            .map(|case| scope.spawn(move || run_case(case)))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });

    println!("| case | peak RSS | time | requests | error | items kept |");
    println!("|---|---|---|---|---|---|");
    for o in &outcomes {
        println!(
            "| {} | {:.1} MB | {:.1} s | {} | {} | {}/5 |",
            o.name,
            o.peak_rss_kb as f64 / 1024.0,
            o.seconds,
            o.requests,
            o.error.trim_start_matches("error: ").replace('|', "\\|"),
            o.kept
        );
    }
    let mut failures = Vec::new();
    for (case, o) in cases.iter().zip(&outcomes) {
        if case.answer.is_none() && !common::trust_store_available(&o.error) {
            continue;
        }
        let mut check = |ok: bool, what: String| {
            if !ok {
                failures.push(format!("{}: {what}", case.name));
            }
        };
        check(o.code == Some(3), format!("exit code {:?}, not 3", o.code));
        check(
            o.error.contains(case.says),
            format!("`{}` lacks `{}`", o.error, case.says),
        );
        check(
            o.peak_rss_kb <= MAX_RSS_KB,
            format!("peak RSS {} kB", o.peak_rss_kb),
        );
        check(
            o.seconds <= MAX_SECONDS as f64,
            format!("took {:.1} s", o.seconds),
        );
        check(
            o.seconds >= case.min_seconds as f64,
            format!("took {:.1} s, less than the waits asked for", o.seconds),
        );
        check(
            o.requests <= case.max_requests,
            format!("{} requests", o.requests),
        );
        check(
            o.kept == 5 && o.rejected == 0,
            format!("{} kept, {} rejected", o.kept, o.rejected),
        );
        check(o.trapped == 0, "a redirect was followed".into());
        check(
            !o.error.contains(KEY) && !o.error.contains("PORTAL-SECRET"),
            "secret in the error".into(),
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
