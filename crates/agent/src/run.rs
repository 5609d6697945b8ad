//! The `run` pipeline: collect on this machine, write the evidence, put what is uploaded in
//! the spool before any network I/O, deliver the spool to Drata ([`crate::deliver`]) and
//! remember the outcome ([`crate::state`]). The binary and the tests drive it the same way.

use crate::config::{self, Env, Overrides, Settings};
use crate::exit::{self, Failure, fail, io_error_kind, is_disk_full};
use crate::{bundle, checks, daemon, deliver, report, screenshot, secrets, spool, state, status};
use anyhow::Context;
use devidence_core::{Os, RealHost};
use secrecy::SecretString;
use std::path::{Path, PathBuf};

/// How this run was started, beyond the settings.
#[derive(Debug, Default, Clone)]
pub struct RunRequest {
    /// Evidence folder (`--out`; default a dated folder under the data folder).
    pub out: Option<PathBuf>,
    /// Started by a scheduler (`--scheduled`): skip uploading unchanged, recent verdicts.
    pub scheduled: bool,
    /// In the background (`--background`): lower priority, one render at a time.
    ///
    /// A scheduled or background run renders only the formats it uploads (`format`); a run
    /// started by hand writes both files per control, as `collect` does.
    pub background: bool,
}

/// `devidence run`: collect, store the evidence in the spool, then deliver it to Drata.
/// Returns the exit code, or the failure (with the evidence kept) that ends the run.
pub fn run(
    config_path: Option<&Path>,
    env: &Env,
    flags: &Overrides,
    args: RunRequest,
) -> Result<u8, Failure> {
    if args.background {
        daemon::lower_priority();
    }
    let mut settings = config::load(config_path, env, flags)?;
    // Check what upload needs before spending time on the probes.
    let (client, api_key) = connect(&settings)?;
    // The key, wherever it came from, is redacted from every recorded output.
    settings.api_key = Some(api_key);
    crate::atomic::create_private_dir(&settings.data_dir)
        .with_context(|| format!("cannot use the data folder {}", settings.data_dir.display()))
        .map_err(|e| fail(exit::EVIDENCE, e))?;
    let spool_dir = settings.data_dir.join("spool");
    let spool = spool::Spool::open(&spool_dir, settings.spool)
        .context("cannot open the evidence spool")
        .map_err(|e| fail(exit::EVIDENCE, e))?;

    // Without --out, each run writes a dated folder under the data folder; the oldest beyond
    // keep_evidence_runs are removed once this run's is written.
    let dated_parent = args
        .out
        .is_none()
        .then(|| settings.data_dir.join("evidence"));
    let out = args.out.unwrap_or_else(|| {
        let stamp = time::OffsetDateTime::now_utc()
            .format(time::macros::format_description!(
                "[year][month][day]T[hour][minute][second]Z"
            ))
            .unwrap_or_else(|_| "latest".into());
        settings.data_dir.join("evidence").join(stamp)
    });
    let collection = collect_this_machine(&settings);
    let state_file = state::path(&settings.data_dir);
    let mut state = state::State::load(&state_file);
    let now = time::OffsetDateTime::now_utc();
    if args.scheduled
        && deliver::unchanged_and_recent(
            &state,
            &collection.findings,
            spool.pending().is_empty(),
            settings.schedule.min_upload,
            now,
        )
    {
        print!("{}", report::table(&collection.findings));
        println!(
            "\nEvery verdict is unchanged and was delivered recently; nothing uploaded this time."
        );
        state.last_run_at = Some(now);
        state.last_run_outcome = Some("checked; verdicts unchanged, nothing to upload".into());
        if let Err(e) = state.save(&state_file) {
            tracing::warn!("cannot save the state to {}: {e}", state_file.display());
        }
        return Ok(exit::OK);
    }
    let shot = screenshot_for(&settings, &collection);
    let render = Render {
        workers: bundle::render_workers(args.background),
        formats: if args.scheduled || args.background {
            settings.format
        } else {
            config::Format::Both
        },
    };
    let stored = store_evidence(
        &out,
        &collection,
        shot.as_deref(),
        render,
        &settings,
        &spool,
        now,
    );
    print!("{}", report::table(&collection.findings));
    if let Some(parent) = &dated_parent {
        for old in bundle::prune_dated_folders(parent, settings.keep_evidence_runs) {
            tracing::info!(folder = %old.display(), "removed an old evidence folder (keep_evidence_runs)");
        }
    }

    // Drata knows the machine by the configured serial number where one is set.
    let mut known_as = collection.device.clone();
    if let Some(serial) = &settings.serial_number {
        known_as.serial_number = Some(serial.clone());
    }
    if let Err(error) = stored {
        if io_error_kind(&error).is_some_and(is_disk_full) {
            // This run's evidence has no room, but what the spool already holds can still be
            // sent, and sending it frees space.
            deliver_spool_on_a_full_disk(
                &client,
                &settings,
                &spool,
                &mut state,
                &known_as,
                &collection,
            );
            if let Err(e) = state.save(&state_file) {
                tracing::warn!("cannot save the state to {}: {e}", state_file.display());
            }
        }
        return Err(fail(exit::EVIDENCE, error));
    }

    let delivery = runtime()?.block_on(deliver::deliver(
        &client,
        &settings,
        &spool,
        &mut state,
        &known_as,
        &collection.findings,
    ));
    let pending = spool.pending();
    deliver::remember(&mut state, &collection.findings, Some(&delivery), &pending);
    state.last_run_at = Some(time::OffsetDateTime::now_utc());
    state.last_run_outcome = Some(match &delivery.error {
        None => "all evidence delivered".to_string(),
        Some(e) => format!("{} item(s) pending: {e}", pending.len()),
    });
    if let Err(e) = state.save(&state_file) {
        tracing::warn!("cannot save the state to {}: {e}", state_file.display());
    }

    status::print_delivery(&delivery);
    match &delivery.error {
        None => {
            println!("\nEvidence kept in {}", out.display());
            Ok(exit::OK)
        }
        Some(err) => Err(fail(
            exit::UPLOAD,
            anyhow::anyhow!(
                "{err}\nThe evidence is kept in {} and {} file(s) wait in the spool {}; nothing was lost. They are sent on the next `devidence run` (see `devidence status`).",
                out.display(),
                delivery.pending_after,
                spool.dir().display()
            ),
        )),
    }
}

/// How a run renders its evidence.
#[derive(Clone, Copy, Debug)]
struct Render {
    /// Controls rendered at the same time ([`bundle::render_workers`]).
    workers: usize,
    /// The files written per control.
    formats: config::Format,
}

/// Writes this run's evidence files into `out` and puts the ones to upload into the spool,
/// before any network I/O: from then on nothing can be lost.
fn store_evidence(
    out: &Path,
    collection: &checks::Collection,
    screenshot: Option<&[u8]>,
    render: Render,
    settings: &Settings,
    spool: &spool::Spool,
    now: time::OffsetDateTime,
) -> anyhow::Result<()> {
    let files = bundle::write(out, collection, screenshot, render.workers, render.formats)?;
    let wanted = settings.format.extensions();
    for file in files.iter().filter(|f| wanted.contains(&f.extension)) {
        let Some(finding) = collection
            .findings
            .iter()
            .find(|x| x.control == file.control)
        else {
            continue;
        };
        let name = bundle::upload_name(&collection.device, finding, file.extension);
        let bytes = crate::atomic::read_capped(&file.path, bundle::MAX_BUNDLE_BYTES, false)
            .with_context(|| format!("cannot read back {}", file.path.display()))?;
        let (_, dropped) = spool
            .enqueue(file.control, &name, file.extension, &bytes, now)
            .context("cannot store the evidence in the spool")?;
        for d in dropped {
            eprintln!(
                "warning: dropped unsent evidence {} (spooled {}) from the spool: {}",
                d.item.upload_name, d.item.created_at, d.why
            );
        }
    }
    Ok(())
}

/// On a full disk, sends what earlier runs left in the spool (deleting each file once Drata
/// has it frees space) and says so. This run's findings are not recorded as delivered: their
/// evidence was never stored.
fn deliver_spool_on_a_full_disk(
    client: &drata_client::Client,
    settings: &Settings,
    spool: &spool::Spool,
    state: &mut state::State,
    known_as: &devidence_core::DeviceIdentity,
    collection: &checks::Collection,
) {
    let waiting = spool.pending().len();
    if waiting == 0 {
        return;
    }
    let Ok(runtime) = runtime() else {
        return;
    };
    let delivery = runtime.block_on(deliver::deliver(
        client,
        settings,
        spool,
        state,
        known_as,
        &collection.findings,
    ));
    let sent = waiting.saturating_sub(delivery.pending_after);
    eprintln!(
        "The disk is full, so this run's evidence could not be stored; {sent} of the {waiting} file(s) earlier runs left in the spool were sent to Drata and removed, {} still wait{}.",
        delivery.pending_after,
        delivery
            .error
            .as_deref()
            .map(|e| format!(" ({e})"))
            .unwrap_or_default()
    );
    state.last_run_at = Some(time::OffsetDateTime::now_utc());
    state.last_run_outcome = Some(format!(
        "disk full: evidence not stored; {sent} spooled item(s) sent, {} pending",
        delivery.pending_after
    ));
}

/// Runs the five probes and the identity lookup on this machine with `settings`.
pub fn collect_this_machine(settings: &Settings) -> checks::Collection {
    checks::collect(
        &RealHost::new(),
        Os::current(),
        &settings.policy,
        &settings.redactor(),
    )
}

/// The stamped screenshot for the evidence pictures when the setting is on and a display
/// exists; otherwise `None` (each report then carries its rendered card), saying why.
pub fn screenshot_for(settings: &Settings, collection: &checks::Collection) -> Option<Vec<u8>> {
    if !settings.screenshot {
        return None;
    }
    let taken_at = time::OffsetDateTime::now_utc();
    match screenshot::capture() {
        Ok(shot) => match devidence_render::stamp_screenshot(
            &shot,
            &collection.device,
            taken_at,
            env!("CARGO_PKG_VERSION"),
        ) {
            Ok(png) => {
                tracing::info!("screenshot taken ({} bytes)", png.len());
                Some(png)
            }
            Err(err) => {
                tracing::warn!("screenshot not used: {err}; the reports carry their cards");
                None
            }
        },
        Err(why) => {
            tracing::warn!("no screenshot: {why}; the reports carry their rendered cards instead");
            None
        }
    }
}

/// The API client for `settings` and the key it uses (looked up once: the keychain may ask
/// the user), or a usage error saying what is missing.
pub fn connect(settings: &Settings) -> Result<(drata_client::Client, SecretString), Failure> {
    let (api_key, source) = secrets::api_key(settings).map_err(|e| fail(exit::USAGE, e.into()))?;
    tracing::info!("using the Drata API key from {source}");
    let client = drata_client::Client::new(
        &settings.api_url,
        api_key.clone(),
        &format!(
            "devidence/{} ({})",
            env!("CARGO_PKG_VERSION"),
            Os::current()
        ),
    )
    .map_err(|e| fail(exit::USAGE, e.into()))?;
    let client = client
        .with_min_interval(settings.request_interval)
        .with_timeout(settings.request_timeout);
    Ok((client, api_key))
}

/// The single-threaded network runtime a command's requests run on.
pub fn runtime() -> Result<tokio::runtime::Runtime, Failure> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the network runtime")
        .map_err(|e| fail(exit::UPLOAD, e))
}
