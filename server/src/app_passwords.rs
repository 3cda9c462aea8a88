//! `/app-passwords`: the caller's app passwords.

use axum::extract::State;
use axum::Json;
use rusqlite::Row;
use serde::Serialize;

use crate::auth::SignedIn;
use crate::problem::Problem;
use crate::AppState;

/// The contract's `AppPassword`: everything about one app password except
/// the secret, which only its create answer ever carries.
#[derive(Debug, Serialize)]
pub struct AppPasswordView {
    id: String,
    name: String,
    created_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    last_used_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    last_used_ip: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    expires_at: Option<String>,
}

impl AppPasswordView {
    fn from_row(row: &Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            id: row.get(0)?,
            name: row.get(1)?,
            created_at: row.get(2)?,
            last_used_at: row.get(3)?,
            last_used_ip: row.get(4)?,
            expires_at: row.get(5)?,
        })
    }
}

/// Answer of `GET /app-passwords`.
#[derive(Debug, Serialize)]
pub struct AppPasswordList {
    items: Vec<AppPasswordView>,
    max_count: u32,
}

/// `GET /app-passwords`: the caller's app passwords, oldest first.
pub async fn list(
    State(state): State<AppState>,
    caller: SignedIn,
) -> Result<Json<AppPasswordList>, Problem> {
    let user_id = caller.user.id;
    let items = state
        .db
        .call(move |conn| {
            let mut statement = conn.prepare(
                "SELECT id, name, created_at, last_used_at, last_used_ip, expires_at
                 FROM app_passwords WHERE user_id = ?1 ORDER BY created_at, rowid",
            )?;
            let items = statement
                .query_map([user_id], AppPasswordView::from_row)?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(items)
        })
        .await?;
    Ok(Json(AppPasswordList {
        items,
        max_count: state.settings.max_app_passwords,
    }))
}
