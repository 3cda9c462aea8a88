//! `GET /healthz`: whether the server can reach its database, for load
//! balancers and service managers.

use std::time::Duration;

use axum::extract::State;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Json;

use crate::problem::Problem;
use crate::AppState;

/// How long the database may take to answer before the server counts as
/// unable to reach it: a health check must answer, not hang.
const PATIENCE: Duration = Duration::from_secs(1);

/// `GET /healthz`: 200 `{"status":"ok"}` while the database answers a
/// trivial query within [`PATIENCE`] and, for SQLite, its file is still
/// where it was opened ([`crate::db::Db::healthy`]), 503 otherwise: a load
/// balancer in front of several instances then sends to those that can
/// reach the database. No authentication; never cached, so every check
/// asks afresh.
pub async fn healthz(State(state): State<AppState>) -> Response {
    let query = state.db.healthy();
    let mut response = match tokio::time::timeout(PATIENCE, query).await {
        Ok(Ok(true)) => Json(serde_json::json!({ "status": "ok" })).into_response(),
        Ok(Ok(false)) => {
            tracing::error!("the database file is no longer where it was opened");
            Problem::database_unreachable().into_response()
        }
        Ok(Err(err)) => {
            tracing::error!(cause = %err, "the health check's query failed");
            Problem::database_unreachable().into_response()
        }
        Err(_) => {
            tracing::error!("the health check's query took over {PATIENCE:?}");
            Problem::database_unreachable().into_response()
        }
    };
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
