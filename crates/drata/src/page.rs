//! Drata V2's cursor pagination: `{data: [...], pagination: {cursor}}`, following `cursor`
//! until it is null.

use crate::json::decode;
use crate::op::Op;
use crate::{Client, DrataError};
use reqwest::{Method, Url};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use std::collections::HashSet;

/// Stop after this many pages: a lookup by serial number never needs more, and a server that
/// keeps sending cursors must not keep the agent busy forever.
pub(crate) const MAX_PAGES: usize = 200;
/// Items per page requested (the spec allows 1–500, default 50).
pub(crate) const PAGE_SIZE: &str = "100";

#[derive(Deserialize)]
struct Page<T> {
    data: Vec<T>,
    pagination: Pagination,
}

#[derive(Deserialize)]
struct Pagination {
    #[serde(default)]
    cursor: Option<String>,
}

impl Client {
    /// GETs `url` (which carries the filters) page after page and returns every item.
    pub(crate) async fn all_pages<T: DeserializeOwned>(
        &self,
        op: &Op,
        url: &Url,
    ) -> Result<Vec<T>, DrataError> {
        let mut items = Vec::new();
        let mut cursor: Option<String> = None;
        let mut seen = HashSet::new();
        for _ in 0..MAX_PAGES {
            let mut page_url = url.clone();
            {
                let mut query = page_url.query_pairs_mut();
                query.append_pair("size", PAGE_SIZE);
                if let Some(cursor) = &cursor {
                    query.append_pair("cursor", cursor);
                }
            }
            let body = self
                .send(op, Method::GET, &page_url, || {
                    Ok(self.http.get(page_url.clone()))
                })
                .await?;
            let page: Page<T> = decode(&page_url, &body)?;
            items.extend(page.data);
            match page.pagination.cursor.filter(|c| !c.is_empty()) {
                None => return Ok(items),
                Some(next) if !seen.insert(next.clone()) => {
                    return Err(DrataError::Decode {
                        url: url.to_string(),
                        detail: format!("the pagination cursor {next:?} came back twice"),
                    });
                }
                Some(next) => cursor = Some(next),
            }
        }
        Err(DrataError::Decode {
            url: url.to_string(),
            detail: format!("more than {MAX_PAGES} pages"),
        })
    }
}
