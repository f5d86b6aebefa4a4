//! The HTTP accept loop: hyper's HTTP/1 server with a header-read timeout (a half-sent request,
//! or a keep-alive connection with nothing to say, is closed after it), a cap on connections
//! from one address (trusted reverse proxies exempt), the client address given to the app, and
//! graceful shutdown (in-flight requests finish first).

use axum::Router;
use axum::extract::ConnectInfo;
use gongkai_domain::net::Net;
use hyper_util::rt::{TokioIo, TokioTimer};
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::watch;

/// Limits of the accept loop (`[server]`).
#[derive(Debug, Clone)]
pub struct Limits {
    /// Time to receive a request's headers (and the wait for the next one on a kept-alive
    /// connection).
    pub header_timeout: Duration,
    /// Open connections one address may hold.
    pub per_address: usize,
    /// Addresses exempt from the cap (reverse proxies carry everyone's connections).
    pub exempt: Vec<Net>,
}

/// Open connections per address; a guard gives its slot back when the connection ends.
#[derive(Default)]
struct Counts(Mutex<HashMap<IpAddr, usize>>);

struct Slot(Arc<Counts>, IpAddr);

impl Drop for Slot {
    fn drop(&mut self) {
        if let Ok(mut m) = self.0.0.lock()
            && let Some(n) = m.get_mut(&self.1)
        {
            *n -= 1;
            if *n == 0 {
                m.remove(&self.1);
            }
        }
    }
}

impl Counts {
    fn take(self: &Arc<Self>, ip: IpAddr, max: usize) -> Option<Slot> {
        let mut m = self.0.lock().ok()?;
        let n = m.entry(ip).or_insert(0);
        if *n >= max {
            return None;
        }
        *n += 1;
        Some(Slot(self.clone(), ip))
    }
}

/// Serves `app` on `listener` until `shutdown` completes, then lets open requests finish.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: Limits,
    shutdown: impl std::future::Future<Output = ()>,
) -> std::io::Result<()> {
    let counts = Arc::new(Counts::default());
    let (stop_tx, stop_rx) = watch::channel(false);
    let (done_tx, mut done_rx) = tokio::sync::mpsc::channel::<()>(1);
    tokio::pin!(shutdown);
    loop {
        let (stream, remote) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // out of file descriptors and the like: wait a moment, keep serving
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let exempt = limits.exempt.iter().any(|n| n.contains(remote.ip()));
        let slot = if exempt {
            None
        } else {
            match counts.take(remote.ip(), limits.per_address) {
                Some(s) => Some(s),
                None => {
                    tracing::warn!(peer = %remote.ip(), "too many connections from one address; refused");
                    drop(stream);
                    continue;
                }
            }
        };
        let _ = stream.set_nodelay(true);
        let app = app.clone();
        let mut stop = stop_rx.clone();
        let done = done_tx.clone();
        let header_timeout = limits.header_timeout;
        tokio::spawn(async move {
            let _slot = slot;
            let _done = done;
            let svc = hyper::service::service_fn(
                move |mut req: hyper::Request<hyper::body::Incoming>| {
                    req.extensions_mut()
                        .insert(ConnectInfo::<SocketAddr>(remote));
                    let app = app.clone();
                    async move {
                        use tower::ServiceExt;
                        app.oneshot(req).await
                    }
                },
            );
            let conn = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(header_timeout)
                .serve_connection(TokioIo::new(stream), svc);
            tokio::pin!(conn);
            tokio::select! {
                r = conn.as_mut() => {
                    if let Err(e) = r {
                        tracing::debug!(error = %e, "connection ended");
                    }
                }
                _ = stop.changed() => {
                    conn.as_mut().graceful_shutdown();
                    let _ = conn.await;
                }
            }
        });
    }
    drop(listener);
    let _ = stop_tx.send(true);
    drop(done_tx);
    // every connection task holds a sender: all gone means all requests finished
    let _ = done_rx.recv().await;
    Ok(())
}
