//! The verifier's pool of async connections to PostgreSQL, beside the
//! synchronous pool ([`super::pool`]) that serves every other query.

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};

use super::tls::PgTls;

/// Most connections the verifier's pool holds to PostgreSQL, besides the
/// synchronous pool's 16. Each verification is one short statement, so a
/// few connections keep PostgreSQL busy, and clients beyond them queue
/// here, on the executor, rather than as backends contending for the
/// CPU. Measured on 2 cores (bench/services.rs, same run): 16 connections
/// gave 3,900/s with 8 clients (p99 7.2 ms) and 4,500/s with 64 (p99 23
/// ms); 4 gave 5,400/s (p99 4.2 ms) and 5,200/s (p99 17 ms).
const VERIFIER_CONNECTIONS: usize = 4;

/// A pool of `tokio-postgres` connections kept open, with the same
/// settings and TLS as the synchronous pool's.
// Why a second pool, and an async one, for `/verify` alone: a verification
// is one round trip now (migration 0008), and on the synchronous client
// each still cost a hop to Tokio's blocking pool and back, and a driver
// whose own runtime wakes a thread per query. With the async client the
// request's task sends the statement and is woken by the connection's
// task, on the executor's threads. The rest of the server stays on the
// synchronous layer, whose closures serve SQLite and PostgreSQL alike and
// run transactions of many statements; moving it would be a rewrite of
// every query for no measured need. deadpool keeps connections open and
// caches each one's prepared statement (`prepare_cached`), so a
// verification costs the one Bind/Execute round trip; `Fast` recycling
// drops a connection found closed, without a round trip to check it.
pub(super) fn new(config: tokio_postgres::Config, tls: &PgTls) -> anyhow::Result<Pool> {
    let settings = ManagerConfig {
        recycling_method: RecyclingMethod::Fast,
    };
    let manager = match &tls.0 {
        None => Manager::from_config(config, tokio_postgres::NoTls, settings),
        Some(tls) => Manager::from_config(config, tls.clone(), settings),
    };
    Ok(Pool::builder(manager)
        .max_size(VERIFIER_CONNECTIONS)
        .build()?)
}
