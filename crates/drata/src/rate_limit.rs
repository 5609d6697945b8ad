//! A client-side request pacer, so one agent (or a fleet of them) never bursts at Drata.

use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Mutex;
use tokio::time::Instant;

/// Spaces requests at least `interval` apart (retries included). Clones share the pace.
#[derive(Debug, Clone)]
pub(crate) struct Pacer {
    interval: Duration,
    next_free: Arc<Mutex<Option<Instant>>>,
}

impl Pacer {
    /// A pacer allowing one request per `interval`; zero disables pacing.
    pub fn new(interval: Duration) -> Pacer {
        Pacer {
            interval,
            next_free: Arc::new(Mutex::new(None)),
        }
    }

    /// The spacing between requests.
    pub fn interval(&self) -> Duration {
        self.interval
    }

    /// Waits until this request may be sent and books the next slot.
    pub async fn wait_turn(&self) {
        if self.interval.is_zero() {
            return;
        }
        let start = {
            let mut next = self.next_free.lock().await;
            let now = Instant::now();
            let start = next.map_or(now, |free| free.max(now));
            *next = Some(start + self.interval);
            start
        };
        tokio::time::sleep_until(start).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn requests_are_spaced_by_the_interval() {
        let pacer = Pacer::new(Duration::from_millis(250));
        let began = Instant::now();
        for _ in 0..5 {
            pacer.wait_turn().await;
        }
        // The first goes at once, the other four each wait one interval.
        assert_eq!(began.elapsed(), Duration::from_millis(1000));
    }

    #[tokio::test(start_paused = true)]
    async fn zero_interval_never_waits() {
        let pacer = Pacer::new(Duration::ZERO);
        let began = Instant::now();
        for _ in 0..100 {
            pacer.wait_turn().await;
        }
        assert_eq!(began.elapsed(), Duration::ZERO);
    }
}
