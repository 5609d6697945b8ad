//! The owner of a computer, looked up by email: `GET /personnel/email:{email}`.

use crate::json::{decode, whole_number};
use crate::op::Op;
use crate::{Client, DrataError};
use reqwest::Method;
use serde::Deserialize;

/// A person as Drata returns them (`PersonResponsePublicV2Dto`), the fields devidence uses.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Person {
    /// The personnel ID. Drata accepts it as the device ID of a computer it has no device
    /// record for, and creates a placeholder device under it.
    #[serde(deserialize_with = "whole_number")]
    pub id: u64,
    /// The user ID (not the same as the personnel ID).
    #[serde(default)]
    pub user_id: Option<f64>,
    /// e.g. `CURRENT_EMPLOYEE`, `FORMER_EMPLOYEE`.
    #[serde(default)]
    pub employment_status: Option<String>,
}

impl Client {
    /// The person whose email in Drata is `email`.
    ///
    /// Needs the "Personnel: Get Personnel" permission; 404 when nobody has that email.
    pub async fn person_by_email(&self, email: &str) -> Result<Person, DrataError> {
        let email = email.trim();
        let url = self.endpoint(&["personnel", &format!("email:{email}")])?;
        let body = self
            .send(&Op::person(email), Method::GET, &url, || {
                Ok(self.http.get(url.clone()))
            })
            .await?;
        decode(&url, &body)
    }
}
