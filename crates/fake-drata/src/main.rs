//! `fake-drata`: serves the fake Drata API until interrupted, printing its base URL on stdout
//! and logging each request on stderr.

use clap::Parser;
use fake_drata::{DEFAULT_MAX_UPLOAD_BYTES, FakeDrata};
use std::io::Write;
use std::net::SocketAddr;
use std::process::ExitCode;

/// A fake Drata public API (V2 device documents) for tests and trials.
#[derive(Debug, Parser)]
#[command(version)]
struct Args {
    /// Address to listen on; port 0 picks a free port.
    #[arg(long, default_value = "127.0.0.1:0")]
    listen: SocketAddr,
    /// The API key clients must send as `Authorization: Bearer <key>`.
    #[arg(long, env = "FAKE_DRATA_API_KEY", hide_env_values = true)]
    api_key: String,
    /// A device (or personnel) ID uploads may target; repeat for more.
    #[arg(long = "device", value_name = "ID")]
    devices: Vec<String>,
    /// Largest file accepted before answering 413.
    #[arg(long, default_value_t = DEFAULT_MAX_UPLOAD_BYTES)]
    max_upload_bytes: usize,
    /// Answer every request with 412, as Drata does until an admin accepts its terms.
    #[arg(long)]
    terms_not_accepted: bool,
    /// An extra key that is valid but lacks the permission, so its requests get 403.
    #[arg(long, value_name = "KEY")]
    unprivileged_key: Vec<String>,
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();

    let mut fake = FakeDrata::new(&args.api_key)
        .with_max_upload_bytes(args.max_upload_bytes)
        .terms_accepted(!args.terms_not_accepted);
    for device in &args.devices {
        fake = fake.with_device(device);
    }
    for key in &args.unprivileged_key {
        fake = fake.with_unprivileged_key(key);
    }
    let running = match fake.start(args.listen).await {
        Ok(running) => running,
        Err(error) => {
            eprintln!("fake-drata: cannot listen on {}: {error}", args.listen);
            return ExitCode::FAILURE;
        }
    };
    let mut stdout = std::io::stdout();
    let _ = writeln!(stdout, "{}", running.base_url());
    let _ = stdout.flush();

    if let Err(error) = tokio::signal::ctrl_c().await {
        eprintln!("fake-drata: cannot wait for Ctrl-C: {error}");
    }
    running.shutdown().await;
    ExitCode::SUCCESS
}
