//! The client core: [`Client`], its options, the `Authorization` header and the base URL it
//! talks to, and `Client::send`, which runs one operation's request through the retry loop
//! (`retry.rs`), each attempt on the wire (`client/transport.rs`).

mod transport;

use crate::error::root_cause;
use crate::op::Op;
use crate::rate_limit::Pacer;
use crate::retry::{self, Failure};
use crate::{DrataError, RetryPolicy};
use reqwest::header::HeaderValue;
use reqwest::{Method, Url};
use secrecy::{ExposeSecret, SecretString};
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

/// How long one request may take in total: connecting, sending the file, and reading the
/// whole answer. A server that trickles its answer is cut off here, not at an idle timeout.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);
/// The largest answer read from Drata. Its answers are small JSON (a document, a page of
/// devices, a page of records: kilobytes); anything larger is an error that names the URL,
/// stops reading at this size and is retried like a bad gateway, so a hostile or broken
/// server (a captive portal, a misbehaving proxy, an endless body) cannot grow the agent's
/// memory.
pub const MAX_RESPONSE_BYTES: usize = 4 * 1024 * 1024;
/// How long establishing the TCP + TLS connection may take.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// The default spacing between two requests of one client (at most 4 per second).
pub const DEFAULT_MIN_INTERVAL: Duration = Duration::from_millis(250);

/// A client for one Drata tenant's public API, authenticated with one API key.
///
/// Cheap to clone; clones share the connection pool.
#[derive(Clone)]
pub struct Client {
    /// The connection pool; the endpoint modules build their requests on it.
    pub(crate) http: reqwest::Client,
    base: Url,
    api_key: SecretString,
    auth: HeaderValue,
    retry: RetryPolicy,
    pacer: Pacer,
    timeout: Duration,
    server_date: std::sync::Arc<std::sync::Mutex<Option<time::OffsetDateTime>>>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.base.as_str())
            .field("api_key", &"[REDACTED]")
            .field("retry", &self.retry)
            .field("min_interval", &self.pacer.interval())
            .finish_non_exhaustive()
    }
}

/// Makes `ring` the process's rustls crypto provider, once; reqwest is built without one
/// (see the workspace Cargo.toml). A provider another part of the program installed first
/// is kept: `install_default` refuses to replace it.
fn install_crypto_provider() {
    static INSTALLED: std::sync::Once = std::sync::Once::new();
    INSTALLED.call_once(|| {
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}

impl Client {
    /// Creates a client for the API at `base_url` (e.g.
    /// [`Region::base_url`](crate::Region::base_url); a trailing slash is fine), sending
    /// `api_key` as a bearer token and `user_agent` as the `User-Agent`.
    ///
    /// `base_url` must be `https://`, or `http://` to a loopback host (`localhost`,
    /// `127.0.0.0/8`, `::1`) for tests and local fakes; anything else is refused before any
    /// request is made, so the key is never sent in clear text. Retries use
    /// [`RetryPolicy::default`]; see [`Client::with_retry`].
    pub fn new(
        base_url: &str,
        api_key: SecretString,
        user_agent: &str,
    ) -> Result<Client, DrataError> {
        Client::build(base_url, api_key, user_agent, true)
    }

    /// [`Client::new`], with the OS trust store loaded for `https://` or, when
    /// `system_roots` is false (this crate's unit tests, which make no request), with no
    /// trust at all, so they run on a machine without CA certificates.
    fn build(
        base_url: &str,
        api_key: SecretString,
        user_agent: &str,
        system_roots: bool,
    ) -> Result<Client, DrataError> {
        let base = validate_base_url(base_url)?;
        let auth = bearer_header(&api_key)?;
        install_crypto_provider();
        let mut builder = reqwest::Client::builder()
            .user_agent(user_agent)
            .connect_timeout(CONNECT_TIMEOUT)
            // A redirect would turn the upload into a GET, or send the key elsewhere.
            .redirect(reqwest::redirect::Policy::none());
        if !system_roots {
            builder = builder.tls_certs_only(std::iter::empty::<reqwest::Certificate>());
        }
        if base.scheme() == "http" {
            // Plain HTTP (tests and local fakes) goes only to this computer: never through a
            // proxy (HTTP_PROXY would receive the key in clear text), and a `localhost` name is
            // pinned to the loopback addresses whatever the hosts file or DNS say.
            // It never speaks TLS either (no redirects are followed), so it needs no trust
            // store: none is loaded, and a machine without CA certificates can still talk to a
            // local fake.
            builder = builder
                .no_proxy()
                .tls_certs_only(std::iter::empty::<reqwest::Certificate>());
            if let Some(name) = base.domain() {
                builder = builder.resolve_to_addrs(
                    name,
                    &[
                        SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
                        SocketAddr::from((Ipv6Addr::LOCALHOST, 0)),
                    ],
                );
            }
        }
        let http = builder.build().map_err(|e| DrataError::Setup {
            detail: root_cause(&e),
        })?;
        Ok(Client {
            http,
            base,
            api_key,
            auth,
            retry: RetryPolicy::default(),
            pacer: Pacer::new(DEFAULT_MIN_INTERVAL),
            timeout: REQUEST_TIMEOUT,
            server_date: Default::default(),
        })
    }

    /// The `Date` Drata's last answer carried, if any: for checking this computer's clock.
    pub fn last_server_date(&self) -> Option<time::OffsetDateTime> {
        *self
            .server_date
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Replaces the deadline of one request, answer included (default [`REQUEST_TIMEOUT`]).
    pub fn with_timeout(mut self, timeout: Duration) -> Client {
        self.timeout = timeout;
        self
    }

    /// Spaces this client's requests (retries included) at least `interval` apart;
    /// [`Duration::ZERO`] turns pacing off. Default: [`DEFAULT_MIN_INTERVAL`].
    pub fn with_min_interval(mut self, interval: Duration) -> Client {
        self.pacer = Pacer::new(interval);
        self
    }

    /// Replaces the retry policy (e.g. [`RetryPolicy::none`], or tiny delays in tests).
    pub fn with_retry(mut self, policy: RetryPolicy) -> Client {
        self.retry = policy;
        self
    }

    /// The API base URL requests go to, without a trailing slash.
    pub fn base_url(&self) -> &str {
        self.base.as_str().trim_end_matches('/')
    }

    /// `base` + the given path segments, each percent-encoded as one segment.
    pub(crate) fn endpoint(&self, segments: &[&str]) -> Result<Url, DrataError> {
        let mut url = self.base.clone();
        url.path_segments_mut()
            .map_err(|()| DrataError::InvalidUrl {
                url: self.base.to_string(),
                reason: "it cannot have a path".into(),
            })?
            .pop_if_empty()
            .extend(segments);
        Ok(url)
    }

    /// Sends the request `build` makes, retrying per the policy, and returns the body of the
    /// first 2xx answer.
    pub(crate) async fn send(
        &self,
        op: &Op,
        method: Method,
        url: &Url,
        build: impl Fn() -> Result<reqwest::RequestBuilder, DrataError>,
    ) -> Result<Vec<u8>, DrataError> {
        let build = &build;
        retry::retrying(&self.retry, &method, url, move || async move {
            match build() {
                Ok(request) => self.attempt(op, url, request).await,
                Err(error) => Err(Failure::from(error)),
            }
        })
        .await
    }
}

/// Parses and checks the base URL; see [`Client::new`].
fn validate_base_url(raw: &str) -> Result<Url, DrataError> {
    let trimmed = raw.trim();
    let invalid = |url: String, reason: &str| DrataError::InvalidUrl {
        url,
        reason: reason.to_string(),
    };
    let mut url = Url::parse(trimmed).map_err(|e| invalid(trimmed.to_string(), &e.to_string()))?;
    let had_credentials = !url.username().is_empty() || url.password().is_some();
    // Never repeat credentials back, whatever else is wrong.
    let _ = url.set_username("");
    let _ = url.set_password(None);
    if had_credentials {
        return Err(invalid(
            url.to_string(),
            "it must not contain a user name or password",
        ));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(invalid(
            url.to_string(),
            "it must not have a query or fragment",
        ));
    }
    match url.scheme() {
        "https" => {}
        "http" if is_loopback(&url) => {}
        "http" => {
            return Err(DrataError::InsecureUrl {
                url: url.to_string(),
            });
        }
        _ => return Err(invalid(url.to_string(), "it must start with https://")),
    }
    if url.host().is_none() {
        return Err(invalid(url.to_string(), "it has no host"));
    }
    // Normalise to no trailing slash, so "/public/v2" and "/public/v2/" both work.
    let path = url.path().trim_end_matches('/').to_string();
    url.set_path(&path);
    Ok(url)
}

/// Whether the URL's host is this computer: `localhost`, `127.0.0.0/8` or `::1`.
fn is_loopback(url: &Url) -> bool {
    let Some(host) = url.host_str() else {
        return false;
    };
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    match bare.parse::<IpAddr>() {
        Ok(ip) => ip.is_loopback(),
        Err(_) => {
            let name = bare.trim_end_matches('.').to_ascii_lowercase();
            name == "localhost" || name.ends_with(".localhost")
        }
    }
}

/// The `Authorization: Bearer …` header, marked sensitive so HTTP-level logging hides it.
fn bearer_header(api_key: &SecretString) -> Result<HeaderValue, DrataError> {
    let key = api_key.expose_secret().trim();
    if key.is_empty() {
        return Err(DrataError::InvalidApiKey { reason: "is empty" });
    }
    if key.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(DrataError::InvalidApiKey {
            reason: "contains spaces or control characters",
        });
    }
    let mut value =
        HeaderValue::from_str(&format!("Bearer {key}")).map_err(|_| DrataError::InvalidApiKey {
            reason: "contains characters that cannot be sent in an HTTP header",
        })?;
    value.set_sensitive(true);
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> SecretString {
        SecretString::from("sk-live-abcdef0123456789")
    }

    /// A client that makes no request, so needs no CA certificates on this machine.
    fn client(url: &str) -> Result<Client, DrataError> {
        Client::build(url, key(), "devidence-test", false)
    }

    #[test]
    fn https_and_loopback_http_are_accepted() {
        for url in [
            "https://public-api.drata.com/public/v2",
            "https://public-api.drata.com/public/v2/",
            "http://127.0.0.1:4010",
            "http://127.0.0.1:4010/",
            "http://127.8.9.10:80/public/v2",
            "http://localhost:8080",
            "http://LOCALHOST./x",
            "http://[::1]:9000",
        ] {
            let c = client(url).unwrap_or_else(|e| panic!("{url}: {e}"));
            assert!(!c.base_url().ends_with('/'), "{url} -> {}", c.base_url());
        }
    }

    #[test]
    fn plain_http_elsewhere_is_refused() {
        for url in [
            "http://example.com",
            "http://public-api.drata.com/public/v2",
            "http://10.0.0.1:8080",
            "http://[::2]/",
            "http://localhost.example.com/",
        ] {
            match client(url) {
                Err(DrataError::InsecureUrl { .. }) => {}
                other => panic!("{url}: {other:?}"),
            }
        }
    }

    #[test]
    fn unusable_urls_are_refused() {
        for url in [
            "",
            "public-api.drata.com",
            "ftp://example.com",
            "https://x.test/?a=1",
            "file:///tmp",
        ] {
            match client(url) {
                Err(DrataError::InvalidUrl { .. }) => {}
                other => panic!("{url}: {other:?}"),
            }
        }
        match client("https://user:hunter2@example.com/") {
            Err(e @ DrataError::InvalidUrl { .. }) => {
                assert!(!e.to_string().contains("hunter2"), "{e}");
                assert!(!format!("{e:?}").contains("hunter2"), "{e:?}");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn endpoints_join_onto_the_base_path() {
        let c = client("https://public-api.drata.com/public/v2/").expect("valid");
        assert_eq!(c.base_url(), "https://public-api.drata.com/public/v2");
        let url = c.endpoint(&["devices", "42", "documents"]).expect("joins");
        assert_eq!(
            url.as_str(),
            "https://public-api.drata.com/public/v2/devices/42/documents"
        );
        let root = client("http://127.0.0.1:4010").expect("valid");
        let url = root
            .endpoint(&["devices", "a/b c", "documents"])
            .expect("joins");
        assert_eq!(
            url.as_str(),
            "http://127.0.0.1:4010/devices/a%2Fb%20c/documents"
        );
    }

    #[test]
    fn bad_keys_are_refused_without_echoing_them() {
        for (raw, reason) in [
            ("", "empty"),
            ("  ", "empty"),
            ("abc def", "spaces"),
            ("abc\ndef", "spaces"),
        ] {
            match Client::build("https://x.test", SecretString::from(raw), "ua", false) {
                Err(e @ DrataError::InvalidApiKey { .. }) => {
                    assert!(e.to_string().contains(reason), "{e}");
                    if !raw.trim().is_empty() {
                        assert!(!e.to_string().contains(raw), "{e}");
                    }
                }
                other => panic!("{raw:?}: {other:?}"),
            }
        }
        // Surrounding blanks (a pasted key with a newline) are forgiven.
        assert!(
            Client::build(
                "https://x.test",
                SecretString::from("key123\n"),
                "ua",
                false
            )
            .is_ok()
        );
    }

    #[test]
    fn the_key_never_shows_in_debug() {
        let c = client("https://public-api.drata.com/public/v2").expect("valid");
        let debug = format!("{c:?}");
        assert!(!debug.contains("abcdef0123456789"), "{debug}");
        assert!(debug.contains("REDACTED"), "{debug}");
        assert!(!format!("{:?}", c.auth).contains("abcdef"), "{:?}", c.auth);
    }
}
