//! Serving: [`FakeDrata::start`] binds and spawns the server, and [`RunningFake`] is the handle
//! tests inspect it and inject faults through.

use crate::config::{FakeDrata, KnownDevice};
use crate::routes;
use crate::state::{Fault, SeenRequest, Shared, State, StoredRecord, Upload};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

impl FakeDrata {
    /// Binds `addr` (e.g. `127.0.0.1:0` for any free port) and serves on the current Tokio
    /// runtime until [`RunningFake::shutdown`] or until the [`RunningFake`] is dropped.
    pub async fn start(self, addr: SocketAddr) -> std::io::Result<RunningFake> {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let base_url = format!("http://{addr}");
        let devices = self.known_devices.clone();
        let shared = Arc::new(Shared {
            config: self,
            base_url: base_url.clone(),
            state: Mutex::new(State {
                devices,
                next_device_id: 5000,
                ..State::default()
            }),
        });
        let app = routes::router(shared.clone());
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    // Resolves on shutdown() and when the RunningFake is dropped.
                    let _ = stopped.await;
                })
                .await
        });
        tracing::info!(%base_url, "fake Drata listening");
        Ok(RunningFake {
            addr,
            base_url,
            shared,
            stop: Some(stop),
            task,
        })
    }
}

/// A fake Drata that is serving. Dropping it stops the server too.
#[derive(Debug)]
pub struct RunningFake {
    addr: SocketAddr,
    base_url: String,
    shared: Arc<Shared>,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<std::io::Result<()>>,
}

impl RunningFake {
    /// The base URL, e.g. `http://127.0.0.1:41234`; `{base_url}/public/v2` works as well.
    pub fn base_url(&self) -> String {
        self.base_url.clone()
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Every upload accepted so far, oldest first.
    pub fn uploads(&self) -> Vec<Upload> {
        self.shared.lock().uploads.clone()
    }

    /// Every request seen so far, oldest first (including refused ones).
    pub fn requests(&self) -> Vec<SeenRequest> {
        self.shared.lock().requests.clone()
    }

    /// Every device the tenant has now: configured, upserted and placeholders.
    pub fn devices(&self) -> Vec<KnownDevice> {
        self.shared.lock().devices.clone()
    }

    /// Removes a device, as when an admin deletes it in Drata: uploads to its ID get 404.
    pub fn forget_device(&self, id: u64) {
        self.shared.lock().devices.retain(|d| d.id != id);
    }

    /// Adds a device Drata now knows (as [`FakeDrata::with_known_device`], while serving).
    pub fn add_known_device(&self, id: u64, personnel_id: u64, serial_number: Option<&str>) {
        self.shared.lock().devices.push(KnownDevice {
            id,
            personnel_id,
            serial_number: serial_number.map(str::to_string),
            mac_address: None,
            source_type: "AGENT".into(),
            connection_id: None,
            external_id: None,
            os_version: None,
        });
    }

    /// Every custom data record stored now, active or pending in a session.
    pub fn records(&self) -> Vec<StoredRecord> {
        self.shared.lock().records.clone()
    }

    /// Drops every queued fault not yet used.
    pub fn clear_faults(&self) {
        self.shared.lock().faults.clear();
    }

    /// Queues faults: each of the next requests takes the next fault, in order.
    pub fn inject(&self, faults: impl IntoIterator<Item = Fault>) {
        self.shared.lock().faults.extend(faults);
    }

    /// Stops accepting connections and waits (up to 5 s) for requests in flight to finish.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let abort = self.task.abort_handle();
        if tokio::time::timeout(Duration::from_secs(5), &mut self.task)
            .await
            .is_err()
        {
            abort.abort();
        }
    }
}
