//! The serve loop ([`run`]): hyper's HTTP/1.1 connections on a listener,
//! and what it holds each connection to beyond hyper's own header timeout:
//! a deadline on every write that makes no progress ([`WriteDeadline`]),
//! and a share of the connection cap per client address
//! ([`ConnectionShares`]). Without them, clients that ask for a large file
//! and never read it hold every place for ever.

use std::collections::HashMap;
use std::future::Future;
use std::io;
use std::net::IpAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::time::{Instant, Sleep};

use crate::config::{canonical, IpNetwork};
use crate::rate_limit::limited_address;
use crate::{auth, code_step, idempotency, router, AppState};

/// A connection whose writes fail with `TimedOut` once one has waited
/// `timeout` for the client to take any byte. The clock starts when a
/// write first finds the socket full and stops at the next byte taken, so
/// a slow but reading client keeps its connection, however long its
/// download. Written here because neither hyper (whose only timeout is
/// the header read) nor tokio-util, nor any other crate already linked,
/// has a write timeout.
pub struct WriteDeadline<S> {
    inner: S,
    timeout: Duration,
    deadline: Pin<Box<Sleep>>,
    waiting: bool,
}

impl<S> WriteDeadline<S> {
    /// `inner`, whose writes may each wait at most `timeout`.
    pub fn new(inner: S, timeout: Duration) -> Self {
        Self {
            inner,
            timeout,
            deadline: Box::pin(tokio::time::sleep(timeout)),
            waiting: false,
        }
    }

    /// `polled`, unless it is one more wait past the deadline.
    fn watch<T>(
        &mut self,
        cx: &mut Context<'_>,
        polled: Poll<io::Result<T>>,
    ) -> Poll<io::Result<T>> {
        if polled.is_ready() {
            self.waiting = false;
            return polled;
        }
        if !self.waiting {
            self.waiting = true;
            self.deadline.as_mut().reset(Instant::now() + self.timeout);
        }
        // Polled so that the task wakes at the deadline even when the
        // socket never does.
        match self.deadline.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(Err(io::Error::new(
                io::ErrorKind::TimedOut,
                "the client took nothing of the response within --write-timeout-seconds",
            ))),
            Poll::Pending => Poll::Pending,
        }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for WriteDeadline<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for WriteDeadline<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let polled = Pin::new(&mut this.inner).poll_write(cx, buf);
        this.watch(cx, polled)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let polled = Pin::new(&mut this.inner).poll_write_vectored(cx, bufs);
        this.watch(cx, polled)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let polled = Pin::new(&mut this.inner).poll_flush(cx);
        this.watch(cx, polled)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let polled = Pin::new(&mut this.inner).poll_shutdown(cx);
        this.watch(cx, polled)
    }
}

/// How many connections each client address has open, held to
/// `--max-connections-per-address`. Trusted proxies are not counted: each
/// carries many clients, and would otherwise be held to one client's share.
pub struct ConnectionShares {
    most: usize,
    ipv6_prefix: u8,
    trusted: Vec<IpNetwork>,
    open: Mutex<HashMap<IpAddr, usize>>,
}

/// One connection's part of its address's share, given back when dropped.
pub struct Share {
    shares: Arc<ConnectionShares>,
    counted_as: Option<IpAddr>,
}

impl ConnectionShares {
    /// At most `most` connections per address (an IPv6 one by its first
    /// `ipv6_prefix` bits, as the failure limits count it: one host is
    /// commonly handed a whole /64), except from `trusted`.
    pub fn new(most: usize, ipv6_prefix: u8, trusted: Vec<IpNetwork>) -> Arc<Self> {
        Arc::new(Self {
            most,
            ipv6_prefix,
            trusted,
            open: Mutex::new(HashMap::new()),
        })
    }

    /// A place for one more connection from `peer`, or `None` when its
    /// address has its share open already.
    pub fn admit(self: &Arc<Self>, peer: IpAddr) -> Option<Share> {
        let peer = canonical(peer);
        if self.trusted.iter().any(|network| network.contains(peer)) {
            return Some(Share {
                shares: self.clone(),
                counted_as: None,
            });
        }
        let key = limited_address(peer, self.ipv6_prefix);
        let mut open = self
            .open
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let count = open.entry(key).or_insert(0);
        if *count >= self.most {
            return None;
        }
        *count += 1;
        Some(Share {
            shares: self.clone(),
            counted_as: Some(key),
        })
    }
}

impl Drop for Share {
    fn drop(&mut self) {
        let Some(key) = self.counted_as else {
            return;
        };
        let mut open = self
            .shares
            .open
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(count) = open.get_mut(&key) {
            *count -= 1;
            // So that the table holds only addresses with connections open.
            if *count == 0 {
                open.remove(&key);
            }
        }
    }
}

/// Serves [`router`] on `listener` until `shutdown` completes, then lets
/// the requests under way finish. Each connection gets `TCP_NODELAY`, its
/// peer's address (for [`crate::client_address`]),
/// `--header-timeout-seconds` to send each request's headers (which also
/// closes idle kept-alive connections), and `--write-timeout-seconds` to
/// take any of a response that is waiting ([`WriteDeadline`]); at most
/// `--max-connections` are served at once, and the next waits in the
/// listen queue for a place; one past its address's share
/// (`--max-connections-per-address`) is closed at once.
/// What has expired is swept every `--purge-interval-seconds` meanwhile.
pub async fn run(
    listener: tokio::net::TcpListener,
    state: AppState,
    dist: &std::path::Path,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    use hyper_util::rt::{TokioIo, TokioTimer};
    let settings = state.settings.clone();
    let sweeper = tokio::spawn(purge_regularly(state.clone()));
    let app = router(state, dist);
    let places = Arc::new(tokio::sync::Semaphore::new(settings.max_connections));
    let shares = ConnectionShares::new(
        settings.max_connections_per_address,
        settings.ipv6_prefix_length,
        settings.trusted_proxies.clone(),
    );
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(settings.header_timeout);
    tokio::pin!(shutdown);
    loop {
        let place = tokio::select! {
            place = places.clone().acquire_owned() => place.expect("the semaphore is never closed"),
            () = &mut shutdown => break,
        };
        let (tcp, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(err) => {
                    wait_after_accept_error(err).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let Some(share) = shares.admit(peer.ip()) else {
            tracing::debug!(%peer, "closed: its address has its share of connections open");
            continue;
        };
        // Without TCP_NODELAY, a response written in two parts (headers,
        // then a file read meanwhile) can wait for the client's delayed ACK
        // of the first: about 40 ms for a static file on a kept-alive
        // connection.
        if let Err(err) = tcp.set_nodelay(true) {
            tracing::warn!("setting TCP_NODELAY: {err}");
        }
        let app = app.clone();
        let service = hyper::service::service_fn(
            move |mut request: hyper::Request<hyper::body::Incoming>| {
                request
                    .extensions_mut()
                    .insert(axum::extract::ConnectInfo(peer));
                tower::ServiceExt::oneshot(app.clone(), request)
            },
        );
        let tcp = WriteDeadline::new(tcp, settings.write_timeout);
        let connection = graceful.watch(http.serve_connection(TokioIo::new(tcp), service));
        tokio::spawn(async move {
            // A connection's end (a client gone, a timeout) is routine.
            let _ = connection.await;
            drop((place, share));
        });
    }
    sweeper.abort();
    graceful.shutdown().await;
    Ok(())
}

/// After a failed accept: at once when only that connection failed, a
/// second when the process is out of descriptors or memory, so that the
/// loop neither spins nor floods the log.
async fn wait_after_accept_error(err: std::io::Error) {
    use std::io::ErrorKind;
    if matches!(
        err.kind(),
        ErrorKind::ConnectionAborted | ErrorKind::ConnectionReset | ErrorKind::ConnectionRefused
    ) {
        return;
    }
    tracing::warn!("accepting a connection: {err}");
    tokio::time::sleep(Duration::from_secs(1)).await;
}

/// Every `--purge-interval-seconds`, deletes what has expired: kept create
/// responses (they may hold a password), sessions and failed attempts.
async fn purge_regularly(state: AppState) {
    let mut ticks = tokio::time::interval(state.settings.purge_interval);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        let settings = state.settings.clone();
        let swept = state
            .db
            .call(move |conn| {
                idempotency::purge_expired(conn, settings.idempotency_seconds)?;
                auth::purge_expired_sessions(conn, &settings)?;
                code_step::purge_expired(conn)?;
                Ok(())
            })
            .await;
        let swept = match swept {
            Ok(()) => state.limits.purge_expired().await,
            failed => failed,
        };
        if let Err(err) = swept {
            tracing::warn!("sweeping what has expired: {err}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn address(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn an_address_gets_its_share_and_no_more() {
        let shares = ConnectionShares::new(2, 64, vec!["10.0.0.1/32".parse().unwrap()]);
        let first = shares.admit(address("192.0.2.1")).unwrap();
        let _second = shares.admit(address("::ffff:192.0.2.1")).unwrap();
        assert!(shares.admit(address("192.0.2.1")).is_none());
        assert!(
            shares.admit(address("192.0.2.2")).is_some(),
            "another address"
        );
        drop(first);
        assert!(shares.admit(address("192.0.2.1")).is_some(), "given back");

        // One /64 is one client, however many of its addresses it uses.
        let _a = shares.admit(address("2001:db8::1")).unwrap();
        let _b = shares.admit(address("2001:db8::ffff:2")).unwrap();
        assert!(shares.admit(address("2001:db8::3")).is_none());
        assert!(shares.admit(address("2001:db8:0:1::1")).is_some());

        let proxied: Vec<_> = (0..5)
            .map(|_| shares.admit(address("10.0.0.1")).unwrap())
            .collect();
        drop(proxied);
        assert_eq!(
            shares.open.lock().unwrap().len(),
            2,
            "only addresses with connections open are held"
        );
    }
}
