//! When and how long to wait before trying a failed request again, and the loop that does.

use crate::DrataError;
use reqwest::{Method, Url};
use std::hash::{BuildHasher, Hasher};
use std::time::{Duration, Instant, SystemTime};

/// How the client retries errors for which [`DrataError::is_retryable`](crate::DrataError::is_retryable)
/// is true.
///
/// Waits grow exponentially from `base_delay` (with random jitter, so many agents that failed
/// together do not retry together) up to `max_delay`. A `Retry-After` from Drata replaces the
/// computed wait; if it asks for longer than `max_delay` the client gives up at once instead,
/// as the run would otherwise stall for a long time.
///
/// A 429 that carries `Retry-After` is the server scheduling the request, not a failure: its
/// wait does not use up an attempt, as long as the waits for one request add up to at most
/// `max_rate_limited_wait` and number at most `max_rate_limited_retries`. Without this, a
/// fleet meeting a rate limit gave up after three 429s and came back only at the next retry,
/// leaving the limit's capacity unused (BENCHMARKS.md, fleet simulation).
///
/// Every `Retry-After` is held to at least [`MIN_RETRY_AFTER`]: a server answering 429 with
/// `Retry-After: 0` (or a date in the past) forever would otherwise have the whole file sent
/// again as fast as the connection allows, without end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in total, including the first; `1` means no retry. `0` is treated as `1`.
    pub max_attempts: u32,
    /// The wait before the second attempt (before jitter); doubled for each later attempt.
    pub base_delay: Duration,
    /// The longest the client will wait between two attempts, including for `Retry-After`.
    pub max_delay: Duration,
    /// The most one request waits in total on 429 answers with `Retry-After` before those
    /// count as failed attempts. `Duration::ZERO` counts every 429 as an attempt.
    pub max_rate_limited_wait: Duration,
    /// The most 429 answers with `Retry-After` one request waits out without using an
    /// attempt; later ones count as failed attempts.
    pub max_rate_limited_retries: u32,
}

/// The shortest wait a `Retry-After` can ask for (`0`, a past date and tiny values are raised
/// to it).
pub const MIN_RETRY_AFTER: Duration = Duration::from_secs(1);

impl Default for RetryPolicy {
    /// Three attempts, waiting about 0.5 s then 1 s, honouring `Retry-After` (at least 1 s)
    /// up to 60 s at a time; rate-limit waits take no attempt for up to 10 min and 20 answers
    /// per request.
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(60),
            max_rate_limited_wait: Duration::from_secs(600),
            max_rate_limited_retries: 20,
        }
    }
}

impl RetryPolicy {
    /// A single attempt, never retried.
    pub fn none() -> Self {
        RetryPolicy {
            max_attempts: 1,
            max_rate_limited_wait: Duration::ZERO,
            max_rate_limited_retries: 0,
            ..RetryPolicy::default()
        }
    }

    /// The wait for the `waits_so_far + 1`-th 429 of a request that asked for `retry_after`,
    /// if it is taken without using an attempt: it must fit in `max_delay`, in what is left of
    /// `max_rate_limited_wait` after `waited_so_far`, and within `max_rate_limited_retries`.
    /// The wait is what was asked (at least [`MIN_RETRY_AFTER`]) plus a random part of up to
    /// half of it.
    pub(crate) fn rate_limited_wait(
        &self,
        retry_after: Option<Duration>,
        waited_so_far: Duration,
        waits_so_far: u32,
    ) -> Option<Duration> {
        let asked = retry_after?.max(MIN_RETRY_AFTER);
        let fits = asked <= self.max_delay
            && waits_so_far < self.max_rate_limited_retries
            && waited_so_far.saturating_add(asked) <= self.max_rate_limited_wait;
        // Up to half as long again, at random: every agent the limit turned away was told the
        // same moment, and arriving all together at it wasted whole windows of the limit
        // (BENCHMARKS.md, fleet simulation).
        fits.then(|| asked + (asked / 2).mul_f64(random_fraction()))
    }

    /// The wait after failed attempt number `attempt` (1-based), or `None` to stop trying.
    /// `retry_after` is what the server asked for, if anything.
    pub(crate) fn delay(&self, attempt: u32, retry_after: Option<Duration>) -> Option<Duration> {
        if attempt >= self.max_attempts.max(1) {
            return None;
        }
        if let Some(asked) = retry_after {
            let asked = asked.max(MIN_RETRY_AFTER);
            return (asked <= self.max_delay).then_some(asked);
        }
        let exponent = attempt.saturating_sub(1).min(20);
        let full = self
            .base_delay
            .saturating_mul(1 << exponent)
            .min(self.max_delay);
        // "Equal jitter": somewhere between half and all of the exponential wait.
        let half = full / 2;
        Some(half + half.mul_f64(random_fraction()))
    }
}

/// One failed attempt: the error, and how long the server asked us to wait.
pub(crate) struct Failure {
    pub error: DrataError,
    pub retry_after: Option<Duration>,
}

impl From<DrataError> for Failure {
    fn from(error: DrataError) -> Self {
        Failure {
            error,
            retry_after: None,
        }
    }
}

/// Calls `send_once` (one request and its answer, to `method` `url`) until it succeeds, fails
/// with an error that is not retryable, or `policy` says to stop, and returns the body of the
/// first success. A 429 with `Retry-After` is waited out without using an attempt while
/// [`RetryPolicy::rate_limited_wait`] allows.
pub(crate) async fn retrying<F, Fut>(
    policy: &RetryPolicy,
    method: &Method,
    url: &Url,
    mut send_once: F,
) -> Result<Vec<u8>, DrataError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Vec<u8>, Failure>>,
{
    let mut attempt = 1;
    let mut rate_limited_wait = Duration::ZERO;
    let mut rate_limited_waits = 0;
    loop {
        let started = Instant::now();
        tracing::debug!(%method, %url, attempt, "drata request");
        let failure = match send_once().await {
            Ok(body) => {
                tracing::debug!(%method, %url, elapsed_ms = started.elapsed().as_millis() as u64, "drata request succeeded");
                return Ok(body);
            }
            Err(failure) => failure,
        };
        if failure.error.status() == Some(429)
            && let Some(wait) =
                policy.rate_limited_wait(failure.retry_after, rate_limited_wait, rate_limited_waits)
        {
            tracing::debug!(%method, %url, attempt, wait_ms = wait.as_millis() as u64, "rate limited; waiting as Drata asks, without using an attempt");
            tokio::time::sleep(wait).await;
            rate_limited_wait += wait;
            rate_limited_waits += 1;
            continue;
        }
        let wait = if failure.error.is_retryable() {
            policy.delay(attempt, failure.retry_after)
        } else {
            None
        };
        let Some(wait) = wait else {
            tracing::debug!(%method, %url, attempt, error = %failure.error, "drata request failed");
            return Err(failure.error);
        };
        tracing::debug!(%method, %url, attempt, wait_ms = wait.as_millis() as u64, error = %failure.error, "drata request failed; retrying");
        tokio::time::sleep(wait).await;
        attempt += 1;
    }
}

/// A number in `[0, 1)` that differs between calls and processes; good enough for jitter
/// without a random-number crate.
fn random_fraction() -> f64 {
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    let nanos = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    hasher.write_u128(nanos);
    (hasher.finish() >> 11) as f64 / (1u64 << 53) as f64
}

/// Parses a `Retry-After` header: delay-seconds, or an HTTP date (RFC 9110 IMF-fixdate).
pub(crate) fn parse_retry_after(value: &str) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when =
        time::OffsetDateTime::parse(value, &time::format_description::well_known::Rfc2822).ok()?;
    let wait = when - time::OffsetDateTime::now_utc();
    Some(Duration::try_from(wait).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_policy_makes_three_attempts_with_growing_jittered_waits() {
        let policy = RetryPolicy::default();
        for _ in 0..50 {
            let first = policy.delay(1, None).expect("a second attempt");
            assert!(
                first >= Duration::from_millis(250) && first <= Duration::from_millis(500),
                "{first:?}"
            );
            let second = policy.delay(2, None).expect("a third attempt");
            assert!(
                second >= Duration::from_millis(500) && second <= Duration::from_secs(1),
                "{second:?}"
            );
        }
        assert_eq!(policy.delay(3, None), None);
        assert_eq!(RetryPolicy::none().delay(1, None), None);
    }

    #[test]
    fn waits_are_capped_and_retry_after_wins_up_to_the_cap() {
        let policy = RetryPolicy {
            max_attempts: 40,
            ..RetryPolicy::default()
        };
        assert!(policy.delay(39, None).expect("more attempts") <= Duration::from_secs(60));
        for _ in 0..50 {
            let wait = policy
                .rate_limited_wait(Some(Duration::from_secs(7)), Duration::from_secs(590), 3)
                .expect("within the budget");
            assert!(
                wait >= Duration::from_secs(7) && wait <= Duration::from_millis(10_500),
                "{wait:?}"
            );
        }
        assert_eq!(
            policy.rate_limited_wait(Some(Duration::from_secs(7)), Duration::from_secs(597), 3),
            None,
            "the budget for rate-limit waits is spent"
        );
        assert_eq!(
            policy.rate_limited_wait(Some(Duration::from_secs(1)), Duration::from_secs(20), 20),
            None,
            "the number of rate-limit waits is spent"
        );
        assert_eq!(
            policy.rate_limited_wait(Some(Duration::from_secs(61)), Duration::ZERO, 0),
            None
        );
        assert_eq!(policy.rate_limited_wait(None, Duration::ZERO, 0), None);
        assert_eq!(
            RetryPolicy::none().rate_limited_wait(Some(Duration::from_secs(1)), Duration::ZERO, 0),
            None
        );
        // `Retry-After: 0` (or a past date) is raised to the floor, never a busy loop.
        for _ in 0..20 {
            let wait = policy
                .rate_limited_wait(Some(Duration::ZERO), Duration::ZERO, 0)
                .expect("waited");
            assert!(
                wait >= MIN_RETRY_AFTER && wait <= MIN_RETRY_AFTER * 3 / 2,
                "{wait:?}"
            );
        }
        assert_eq!(policy.delay(1, Some(Duration::ZERO)), Some(MIN_RETRY_AFTER));
        assert_eq!(
            policy.delay(1, Some(Duration::from_secs(7))),
            Some(Duration::from_secs(7))
        );
        assert_eq!(
            policy.delay(1, Some(Duration::from_secs(60))),
            Some(Duration::from_secs(60))
        );
        assert_eq!(
            policy.delay(1, Some(Duration::from_secs(61))),
            None,
            "too long: give up now"
        );
    }

    #[test]
    fn jitter_varies() {
        let policy = RetryPolicy::default();
        let waits: std::collections::HashSet<_> =
            (0..20).filter_map(|_| policy.delay(1, None)).collect();
        assert!(waits.len() > 1);
    }

    #[test]
    fn retry_after_parses_seconds_and_dates() {
        assert_eq!(parse_retry_after("1"), Some(Duration::from_secs(1)));
        assert_eq!(parse_retry_after(" 120 "), Some(Duration::from_secs(120)));
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT"),
            Some(Duration::ZERO)
        );
        let later = time::OffsetDateTime::now_utc() + time::Duration::seconds(30);
        let header = later
            .format(&time::format_description::well_known::Rfc2822)
            .expect("formats");
        let wait = parse_retry_after(&header).expect("parses");
        assert!(
            wait > Duration::from_secs(25) && wait <= Duration::from_secs(30),
            "{wait:?}"
        );
        assert_eq!(parse_retry_after("soon"), None);
        assert_eq!(parse_retry_after("-1"), None);
        assert_eq!(
            parse_retry_after("1000000000"),
            Some(Duration::from_secs(1_000_000_000))
        );
        let far = parse_retry_after("Thu, 01 Jan 2099 00:00:00 GMT").expect("a date");
        assert!(
            far > Duration::from_secs(60 * 60 * 24 * 365 * 70),
            "{far:?}"
        );
    }
}
