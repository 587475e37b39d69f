//! The accept loop, bounded: at most `max_connections` connections at once, each of which
//! must send a request's headers within `header_read_timeout`, and a graceful shutdown.
//!
//! `axum::serve` has neither a connection limit nor a header-read timeout, so 1,100
//! half-sent requests held every file descriptor and every signed webhook timed out. Here
//! a connection waits for a free place before it is accepted (the kernel's backlog holds
//! the rest), and hyper closes one that has not sent its headers in time.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ConnectInfo;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower::ServiceExt as _;

/// Connections and how long one may take to send its headers.
#[derive(Clone, Copy, Debug)]
pub struct ConnectionLimits {
    pub max_connections: usize,
    pub header_read_timeout: Duration,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        ConnectionLimits { max_connections: 2048, header_read_timeout: Duration::from_secs(5) }
    }
}

/// File descriptors kept free for the database, its WAL, the REST client and logging.
const DESCRIPTORS_KEPT: u64 = 64;

impl ConnectionLimits {
    /// The limit lowered, when needed, to stay below the process's open-file limit (after
    /// raising the soft limit to the hard one, as servers do): a connection beyond it
    /// would fail with "too many open files" and take a database file's place.
    pub fn within_open_file_limit(self) -> ConnectionLimits {
        let Some(files) = raise_open_file_limit() else { return self };
        let room = files.saturating_sub(DESCRIPTORS_KEPT).max(1) as usize;
        if self.max_connections > room {
            tracing::warn!(
                max_connections = self.max_connections,
                open_file_limit = files,
                "--max-connections is above what the open-file limit allows: at most {room} connections (raise LimitNOFILE)"
            );
            return ConnectionLimits { max_connections: room, ..self };
        }
        self
    }
}

/// Raises the soft open-file limit to the hard one; returns the limit now in force.
fn raise_open_file_limit() -> Option<u64> {
    let mut limit = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
    // SAFETY: getrlimit and setrlimit only read and write the struct passed by pointer.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) != 0 {
            return None;
        }
        if limit.rlim_cur < limit.rlim_max {
            let raised = libc::rlimit { rlim_cur: limit.rlim_max, rlim_max: limit.rlim_max };
            if libc::setrlimit(libc::RLIMIT_NOFILE, &raised) == 0 {
                limit = raised;
            }
        }
    }
    // RLIM_INFINITY is u64::MAX: no limit.
    Some(limit.rlim_cur)
}

/// Serves `router` on `listener` until `shutdown` resolves; then stops accepting and lets
/// the requests in flight finish (at most `drain` long: a desk page's live updates never end).
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: ConnectionLimits,
    drain: Duration,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let places = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new()).header_read_timeout(limits.header_read_timeout);
    tokio::pin!(shutdown);
    loop {
        let place = tokio::select! {
            place = places.clone().acquire_owned() => place.expect("the semaphore is never closed"),
            () = &mut shutdown => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of descriptors or a connection reset before it was accepted: wait
                    // a moment instead of spinning.
                    tracing::warn!(error = %e, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let router = router.clone();
        let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
            request.extensions_mut().insert(ConnectInfo::<SocketAddr>(peer));
            router.clone().oneshot(request.map(axum::body::Body::new))
        });
        let connection = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::debug!(error = %e, "a connection ended with an error");
            }
            drop(place);
        });
    }
    drop(listener);
    if tokio::time::timeout(drain, graceful.shutdown()).await.is_err() {
        tracing::info!("stopped with connections still open (live desk pages)");
    }
    Ok(())
}
