//! The evidence bundle: per control a PDF and/or a PNG, plus `findings.json` with every
//! observation. Files are written atomically (temporary file, fsync, rename), so a killed run
//! never leaves a half-written evidence file behind.

use crate::checks::Collection;
use crate::config::Format;
use anyhow::{Context, Result};
use devidence_core::{Control, DeviceIdentity, Finding, Observation};
use devidence_render::Evidence;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;

/// The largest evidence file devidence writes for upload. Drata's API documents no size limit
/// (only a 413 answer), so this is the agent's own cap; a report over it is shrunk (fewer output
/// rows per observation, then no picture) rather than refused, and the report says what it
/// left out. The complete outputs always stay in `findings.json`.
pub const MAX_UPLOAD_BYTES: u64 = 20 * 1024 * 1024;

/// What the reports say about where their evidence goes: Drata, and the device-document type
/// each control's evidence is uploaded as.
pub const DESTINATION: devidence_render::Destination<'static> = devidence_render::Destination {
    service: "Drata",
    evidence_type: crate::deliver::evidence_type,
};

/// Version of the `findings.json` layout.
pub const BUNDLE_SCHEMA: u32 = 1;

/// The content of `findings.json`.
#[derive(Debug, Serialize, Deserialize)]
pub struct Bundle {
    /// Layout version ([`BUNDLE_SCHEMA`]).
    pub schema: u32,
    /// The agent that collected it.
    pub agent_version: String,
    /// The device.
    pub device: DeviceIdentity,
    /// All five findings with every observation.
    pub findings: Vec<Finding>,
}

/// One evidence file on disk.
#[derive(Debug, Clone)]
pub struct EvidenceFile {
    /// The control it proves.
    pub control: Control,
    /// `pdf` or `png`.
    pub extension: &'static str,
    /// Where it is.
    pub path: PathBuf,
    /// Its size in bytes.
    pub size: u64,
}

/// Renders and writes the bundle into `dir` (created if needed), `workers` controls at a time
/// (see [`render_workers`]): per control the files of `formats` (`collect` writes both; a
/// scheduled run only what it uploads, since rendering is most of its CPU and memory), and
/// always `findings.json`. Returns the evidence files. `screenshot` (a stamped PNG from
/// [`devidence_render::stamp_screenshot`]) becomes every control's picture; without one each
/// control gets its rendered card.
pub fn write(
    dir: &Path,
    collection: &Collection,
    screenshot: Option<&[u8]>,
    workers: usize,
    formats: Format,
) -> Result<Vec<EvidenceFile>> {
    crate::atomic::create_private_dir(dir)
        .with_context(|| format!("cannot create the evidence folder {}", dir.display()))?;
    let version = env!("CARGO_PKG_VERSION");
    let next = AtomicUsize::new(0);
    let slots: Vec<Mutex<Option<Result<Vec<EvidenceFile>>>>> = collection
        .findings
        .iter()
        .map(|_| Mutex::new(None))
        .collect();
    // Workers take the controls in turn; one worker is this thread (no stack to spawn).
    let work = || {
        loop {
            let index = next.fetch_add(1, Ordering::Relaxed);
            let Some(finding) = collection.findings.get(index) else {
                break;
            };
            let result = write_control(
                dir,
                finding,
                &collection.device,
                version,
                screenshot,
                formats,
            );
            *slots[index].lock().unwrap_or_else(|p| p.into_inner()) = Some(result);
        }
    };
    let workers = workers.clamp(1, collection.findings.len().max(1));
    if workers == 1 {
        work();
    } else {
        thread::scope(|scope| {
            for _ in 0..workers {
                scope.spawn(work);
            }
        });
    }
    let rendered = slots.into_iter().map(|slot| {
        slot.into_inner()
            .unwrap_or_else(|p| p.into_inner())
            .unwrap_or_else(|| Err(anyhow::anyhow!("rendering stopped before this control")))
    });
    let bundle = Bundle {
        schema: BUNDLE_SCHEMA,
        agent_version: version.to_string(),
        device: collection.device.clone(),
        findings: collection.findings.clone(),
    };
    let json = serde_json::to_vec_pretty(&bundle).context("cannot serialise findings")?;
    write_atomically(&dir.join("findings.json"), &json)?;
    let mut files = Vec::new();
    for result in rendered {
        files.extend(result?);
    }
    Ok(files)
}

/// How many controls to render at the same time. Each render holds its PDF being laid out and
/// written (up to about 2 MB for the largest report) and, for a PNG, the card's pixels (0.96 MB)
/// and encoder, so every extra worker adds to the run's peak memory (BENCHMARKS.md, memory).
/// Someone waiting for `collect` gets two (one on a single-core computer); a `--background` run,
/// which nobody waits for, renders one control at a time, on the calling thread.
pub fn render_workers(background: bool) -> usize {
    if background {
        return 1;
    }
    thread::available_parallelism().map_or(1, |n| n.get().min(MAX_RENDER_WORKERS))
}

/// The most controls rendered at the same time.
const MAX_RENDER_WORKERS: usize = 2;

fn write_control(
    dir: &Path,
    finding: &Finding,
    device: &DeviceIdentity,
    version: &str,
    screenshot: Option<&[u8]>,
    formats: Format,
) -> Result<Vec<EvidenceFile>> {
    let evidence = Evidence {
        finding,
        device,
        agent_version: version,
        destination: DESTINATION,
    };
    let slug = finding.control.slug();
    let wanted = formats.extensions();
    // The PDF carries the same picture on its first page, so one document shows both: the
    // screenshot, or the card (which the PDF draws as vector graphics and text, so a PDF-only
    // run never paints the card's pixels).
    let picture = match screenshot {
        Some(shot) => devidence_render::Picture::Screenshot(shot),
        None => devidence_render::Picture::Card,
    };
    let mut files = Vec::new();
    for extension in wanted {
        let bytes: Cow<[u8]> = match (*extension, screenshot) {
            ("pdf", _) => Cow::Owned(pdf_within(&evidence, picture, MAX_UPLOAD_BYTES)?),
            (_, Some(shot)) => Cow::Borrowed(shot),
            (_, None) => Cow::Owned(
                devidence_render::render_png(&evidence)
                    .with_context(|| format!("cannot render the {slug} PNG"))?,
            ),
        };
        let path = dir.join(format!("{slug}.{extension}"));
        write_atomically(&path, &bytes)?;
        files.push(EvidenceFile {
            control: finding.control,
            extension,
            path,
            size: bytes.len() as u64,
        });
    }
    Ok(files)
}

/// Renders the PDF report within `limit` bytes: all output rows (up to the renderer's cap)
/// first, then half as many per observation each time, down to 25, then without the picture.
/// Fails with a clear message if even that is too large; never uploads an over-limit file.
pub fn pdf_within(
    evidence: &Evidence,
    picture: devidence_render::Picture<'_>,
    limit: u64,
) -> Result<Vec<u8>> {
    let slug = evidence.finding.control.slug();
    let mut rows = devidence_render::MAX_OUTPUT_ROWS;
    let mut with_picture = true;
    loop {
        let bytes =
            devidence_render::render_pdf_limited(evidence, with_picture.then_some(picture), rows)
                .with_context(|| format!("cannot render the {slug} PDF"))?;
        let size = bytes.len() as u64;
        if size <= limit {
            return Ok(bytes);
        }
        if rows > 25 {
            rows /= 2;
            tracing::warn!(
                "the {slug} PDF is {size} bytes, over the {limit}-byte upload limit; showing at most {rows} output rows per observation"
            );
        } else if with_picture {
            with_picture = false;
            tracing::warn!("the {slug} PDF is still over {limit} bytes; leaving out its picture");
        } else {
            anyhow::bail!(
                "the {slug} PDF is {size} bytes even with 25 output rows per observation and no picture, over the {limit}-byte upload limit; the full evidence is in findings.json"
            );
        }
    }
}

/// Writes the combined report (all controls in one PDF) into `dir`; returns its path. It is
/// named like the evidence files: `<host>_report_<date>.pdf`.
pub fn write_report(dir: &Path, collection: &Collection) -> Result<PathBuf> {
    let version = env!("CARGO_PKG_VERSION");
    let list: Vec<Evidence> = collection
        .findings
        .iter()
        .map(|finding| Evidence {
            finding,
            device: &collection.device,
            agent_version: version,
            destination: DESTINATION,
        })
        .collect();
    let bytes = devidence_render::render_report(&list).context("cannot render the report")?;
    let name = match collection.findings.first() {
        Some(first) => {
            let base = upload_name(&collection.device, first, "pdf");
            base.replacen(first.control.slug(), "report", 1)
        }
        None => "report.pdf".to_string(),
    };
    let path = dir.join(name);
    write_atomically(&path, &bytes)?;
    Ok(path)
}

/// Writes `bytes` to `path` atomically (see [`crate::atomic::write`]), readable by the owner
/// only.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    crate::atomic::write(path, bytes).with_context(|| format!("cannot write {}", path.display()))
}

/// Removes the oldest dated evidence folders (`YYYYMMDDTHHMMSSZ`, as `run` names them) in
/// `parent` until at most `keep` remain; anything else there is left alone. Returns what was
/// removed. Without this, every retry during an outage left another folder behind, forever.
pub fn prune_dated_folders(parent: &Path, keep: usize) -> Vec<PathBuf> {
    let Ok(entries) = fs::read_dir(parent) else {
        return Vec::new();
    };
    let mut dated: Vec<PathBuf> = entries
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .filter(|e| is_dated_folder_name(&e.file_name().to_string_lossy()))
        .map(|e| e.path())
        .collect();
    // The names sort as the times they stand for.
    dated.sort();
    let excess = dated.len().saturating_sub(keep.max(1));
    let mut removed = Vec::new();
    for old in dated.into_iter().take(excess) {
        match fs::remove_dir_all(&old) {
            Ok(()) => removed.push(old),
            Err(e) => {
                tracing::warn!(folder = %old.display(), "cannot remove an old evidence folder: {e}")
            }
        }
    }
    removed
}

/// `20261202T040506Z`, optionally with a `-N` suffix.
fn is_dated_folder_name(name: &str) -> bool {
    let stamp = name.split('-').next().unwrap_or("");
    let b = stamp.as_bytes();
    b.len() == 16
        && b[8] == b'T'
        && b[15] == b'Z'
        && b[..8].iter().chain(&b[9..15]).all(u8::is_ascii_digit)
}

/// Most bytes read of a bundle or recording file: a bundle holds five findings of at most a
/// few MiB of outputs each.
pub const MAX_BUNDLE_BYTES: u64 = 64 * 1024 * 1024;

/// A bundle or recording file's text (a regular file, at most [`MAX_BUNDLE_BYTES`]).
fn read_text(file: &Path) -> Result<String> {
    let bytes = crate::atomic::read_capped(file, MAX_BUNDLE_BYTES, true)
        .with_context(|| format!("cannot read {}", file.display()))?;
    String::from_utf8(bytes).with_context(|| format!("{} is not UTF-8 text", file.display()))
}

/// Reads a bundle: a `findings.json` file, or a folder holding one.
pub fn read(path: &Path) -> Result<Bundle> {
    let file = if path.is_dir() {
        path.join("findings.json")
    } else {
        path.to_path_buf()
    };
    let text = read_text(&file)?;
    let bundle: Bundle = serde_json::from_str(&text)
        .with_context(|| format!("{} is not a devidence findings.json", file.display()))?;
    if bundle.schema != BUNDLE_SCHEMA {
        anyhow::bail!(
            "{} has bundle schema {}, this devidence reads schema {BUNDLE_SCHEMA}; use a matching devidence version",
            file.display(),
            bundle.schema
        );
    }
    Ok(bundle)
}

/// What `replay` re-judges: a collected bundle, or a folder of recorded outputs.
pub enum Replayable {
    /// A `findings.json` (collected by `devidence collect`/`run`).
    Bundle(Bundle),
    /// Observations recorded elsewhere (support's or a test's), with no device identity.
    Recording(Vec<Observation>),
}

/// Reads what `replay` was pointed at: a `findings.json`, a folder holding one, or a folder of
/// recorded outputs (every `*.json` file in it is a JSON array of observations, the shape
/// `findings.json` keeps them in, optionally after a `# source: …` line saying where they
/// came from).
pub fn read_replayable(path: &Path) -> Result<Replayable> {
    if !path.is_dir() || path.join("findings.json").is_file() {
        return read(path).map(Replayable::Bundle);
    }
    let mut files: Vec<PathBuf> = fs::read_dir(path)
        .with_context(|| format!("cannot read {}", path.display()))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|ext| ext == "json"))
        .collect();
    files.sort();
    if files.is_empty() {
        anyhow::bail!(
            "{} holds neither a findings.json nor recorded outputs (*.json arrays of observations)",
            path.display()
        );
    }
    let mut observations = Vec::new();
    for file in files {
        let text = read_text(&file)?;
        let body = match devidence_core::fixture::split_source(&text) {
            Ok((_, body)) => body,
            Err(_) => text.as_str(),
        };
        let recorded: Vec<Observation> = serde_json::from_str(body)
            .with_context(|| format!("{} is not a JSON array of observations", file.display()))?;
        observations.extend(recorded);
    }
    Ok(Replayable::Recording(observations))
}

/// The name an evidence file is uploaded under: device, control and date, e.g.
/// `laptop-42_disk-encryption_2026-11-23.pdf`.
pub fn upload_name(device: &DeviceIdentity, finding: &Finding, extension: &str) -> String {
    let host: String = device
        .hostname
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect();
    let date = finding.collected_at.date();
    format!("{host}_{}_{date}.{extension}", finding.control.slug())
}

#[cfg(test)]
mod prune_tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn only_the_newest_dated_folders_are_kept_and_nothing_else_is_touched() {
        let dir = tempfile::tempdir().unwrap();
        for name in [
            "20261101T000000Z",
            "20261102T000000Z",
            "20261103T000000Z",
            "20261104T000000Z",
            "my-notes",
        ] {
            fs::create_dir(dir.path().join(name)).unwrap();
        }
        fs::write(dir.path().join("20261100T000000Z"), "a file").unwrap();
        let removed = prune_dated_folders(dir.path(), 2);
        assert_eq!(removed.len(), 2);
        let mut left: Vec<String> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(
            left,
            [
                "20261100T000000Z",
                "20261103T000000Z",
                "20261104T000000Z",
                "my-notes"
            ]
        );
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use devidence_core::{Os, Outcome, SourceKind, Verdict};
    use devidence_render::Picture;

    fn big_finding() -> Finding {
        let mut obs = Observation::new(SourceKind::Command, "dmesg", Outcome::Completed);
        obs.exit_code = Some(0);
        obs.stdout = (0..20_000)
            .map(|i| format!("[{i:>6}.000000] a kernel line long enough to wrap the report\n"))
            .collect();
        Finding {
            control: Control::DiskEncryption,
            os: Os::Linux,
            verdict: Verdict::Pass,
            summary: "Encrypted.".into(),
            facts: Default::default(),
            remediation: None,
            observations: vec![obs],
            collected_at: time::OffsetDateTime::UNIX_EPOCH,
            duration_ms: 1,
        }
    }

    #[test]
    fn one_render_worker_writes_the_same_files_as_two() {
        let findings: Vec<Finding> = Control::ALL
            .iter()
            .map(|&control| {
                let mut f = big_finding();
                f.control = control;
                f.observations[0].stdout.truncate(2_000);
                f
            })
            .collect();
        let collection = Collection {
            device: DeviceIdentity::default(),
            findings,
        };
        let tmp = tempfile::tempdir().unwrap();
        let written = |workers: usize| {
            let dir = tmp.path().join(workers.to_string());
            let mut files: Vec<(String, Vec<u8>)> =
                write(&dir, &collection, None, workers, Format::Both)
                    .unwrap()
                    .into_iter()
                    .map(|f| {
                        let name = f.path.file_name().unwrap().to_string_lossy().into_owned();
                        (name, std::fs::read(&f.path).unwrap())
                    })
                    .collect();
            files.sort();
            files
        };
        let one = written(1);
        assert_eq!(one.len(), 2 * Control::ALL.len());
        assert!(one == written(2), "the worker count changed the evidence");
        // Only the formats asked for are rendered.
        let pdf_only = write(&tmp.path().join("pdf"), &collection, None, 1, Format::Pdf).unwrap();
        assert_eq!(pdf_only.len(), Control::ALL.len());
        assert!(pdf_only.iter().all(|f| f.extension == "pdf"));
        let png_only = write(&tmp.path().join("png"), &collection, None, 1, Format::Png).unwrap();
        assert!(
            png_only
                .iter()
                .all(|f| f.extension == "png" && f.path.exists())
        );
        assert!(!tmp.path().join("png").join("antivirus.pdf").exists());
        assert_eq!(render_workers(true), 1);
        assert!((1..=MAX_RENDER_WORKERS).contains(&render_workers(false)));
    }

    #[test]
    fn every_control_has_its_own_drata_evidence_type() {
        let types: Vec<_> = Control::ALL
            .iter()
            .map(|&c| (DESTINATION.evidence_type)(c))
            .collect();
        for t in &types {
            assert!(fake_drata::DEVICE_DOCUMENT_TYPES.contains(t), "{t:?}");
        }
        let distinct: std::collections::BTreeSet<_> = types.iter().collect();
        assert_eq!(distinct.len(), Control::ALL.len());
        assert_eq!(DESTINATION.service, "Drata");
    }

    #[test]
    fn an_oversized_report_is_shrunk_under_the_limit_and_says_what_it_left_out() {
        let finding = big_finding();
        let device = DeviceIdentity::default();
        let e = Evidence {
            finding: &finding,
            device: &device,
            agent_version: "test",
            destination: DESTINATION,
        };
        let full = devidence_render::render_pdf_with(&e, Some(Picture::Card)).unwrap();
        let limit = full.len() as u64 / 2;
        let shrunk = pdf_within(&e, Picture::Card, limit).unwrap();
        assert!(shrunk.len() as u64 <= limit, "{} > {limit}", shrunk.len());
        // A limit no report can meet is an error that says so, not a silent over-limit file.
        let err = pdf_within(&e, Picture::Card, 1_000)
            .unwrap_err()
            .to_string();
        assert!(err.contains("over the 1000-byte upload limit"), "{err}");
        assert!(err.contains("findings.json"), "{err}");
    }
}
