//! Uploading the evidence files to Drata, one document per file under its control's type.

use crate::bundle::EvidenceFile;
use drata_client::{Client, DrataError};

/// Why one file was not sent.
#[derive(Debug, thiserror::Error)]
pub enum UploadError {
    /// Drata (or the network to it) refused it.
    #[error(transparent)]
    Drata(#[from] DrataError),
    /// The evidence file could not be read back from disk.
    #[error("{0}")]
    Local(String),
    /// Not attempted because an earlier error would have repeated.
    #[error("not attempted after the error above")]
    Skipped,
}

/// What happened to one evidence file.
#[derive(Debug)]
pub struct Outcome {
    /// The file.
    pub file: EvidenceFile,
    /// The name it was uploaded as.
    pub upload_name: String,
    /// Drata's document id, or why it was not accepted.
    pub result: Result<String, UploadError>,
}

/// Uploads each file to `device_id`. Stops early on errors that would repeat for every file
/// (wrong key, missing permission, unknown device, terms not accepted, network down); the
/// remaining files are reported as not sent.
pub async fn upload_all(
    client: &Client,
    device_id: &str,
    files: Vec<(EvidenceFile, String)>,
) -> Vec<Outcome> {
    let mut outcomes = Vec::new();
    let mut stop = false;
    for (file, upload_name) in files {
        if stop {
            outcomes.push(Outcome {
                file,
                upload_name,
                result: Err(UploadError::Skipped),
            });
            continue;
        }
        let result = match std::fs::read(&file.path) {
            Ok(bytes) => client
                .upload_device_document(device_id, file.control.drata_type(), &upload_name, bytes)
                .await
                .map(|doc| doc.id.to_string())
                .map_err(UploadError::from),
            Err(err) => Err(UploadError::Local(format!(
                "cannot read {}: {err}",
                file.path.display()
            ))),
        };
        match &result {
            Ok(id) => {
                tracing::info!(control = %file.control, document = %id, "uploaded {upload_name}")
            }
            Err(err) => {
                tracing::warn!(control = %file.control, "upload of {upload_name} failed: {err}");
                stop = stops_the_run(err);
            }
        }
        outcomes.push(Outcome {
            file,
            upload_name,
            result,
        });
    }
    outcomes
}

/// Errors that would repeat for every remaining file.
fn stops_the_run(err: &UploadError) -> bool {
    !matches!(
        err,
        UploadError::Local(_)
            | UploadError::Drata(DrataError::TooLarge { .. } | DrataError::BadRequest { .. })
    )
}
