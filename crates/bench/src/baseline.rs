//! The baseline: the least a correct webhook receiver does. A bare
//! actix-web endpoint that verifies `Stripe-Signature` over the raw body
//! with the secret it holds in memory, reads the event id, and does one
//! `INSERT … ON CONFLICT DO NOTHING` of (event id, payload) into a table of
//! its own, on a pool opened like Tollgate's.

use std::net::TcpListener;

use actix_web::dev::Server;
use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use serde::Deserialize;
use tollgate_persistence::Db;
use tollgate_stripe::webhook::{DEFAULT_TOLERANCE_SECS, verify_signature};

pub const TABLE: &str = "baseline_events";

struct State {
    db: Db,
    secret: String,
}

#[derive(Deserialize)]
struct Head<'a> {
    #[serde(borrow)]
    id: &'a str,
}

/// Creates the baseline's table in `db` (a fresh database of its own).
pub async fn create_table(db: &Db) -> anyhow::Result<()> {
    let sql = "CREATE TABLE baseline_events (event_id TEXT PRIMARY KEY, payload TEXT NOT NULL)";
    match db {
        Db::Sqlite(p) => sqlx::query(sql).execute(p).await.map(drop)?,
        Db::Pg(p) => sqlx::query(sql).execute(p).await.map(drop)?,
    }
    Ok(())
}

async fn ingest(state: web::Data<State>, req: HttpRequest, body: web::Bytes) -> HttpResponse {
    let sig = req.headers().get("stripe-signature").and_then(|v| v.to_str().ok()).unwrap_or("");
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0);
    if verify_signature(&body, sig, &[state.secret.as_str()], now, DEFAULT_TOLERANCE_SECS).is_err() {
        return HttpResponse::BadRequest().body("invalid signature");
    }
    let Ok(head) = serde_json::from_slice::<Head>(&body) else {
        return HttpResponse::BadRequest().body("not an event");
    };
    let Ok(payload) = std::str::from_utf8(&body) else {
        return HttpResponse::BadRequest().body("not UTF-8");
    };
    let sql = "INSERT INTO baseline_events (event_id, payload) VALUES ($1, $2) ON CONFLICT DO NOTHING";
    let inserted = match &state.db {
        Db::Sqlite(p) => sqlx::query(sql).bind(head.id).bind(payload).execute(p).await.map(|r| r.rows_affected()),
        Db::Pg(p) => sqlx::query(sql).bind(head.id).bind(payload).execute(p).await.map(|r| r.rows_affected()),
    };
    match inserted {
        Ok(1) => HttpResponse::Ok().content_type("application/json").body(r#"{"received":true,"outcome":"stored"}"#),
        Ok(_) => HttpResponse::Ok().content_type("application/json").body(r#"{"received":true,"outcome":"duplicate"}"#),
        Err(e) => HttpResponse::InternalServerError().body(e.to_string()),
    }
}

/// Serves `POST /webhooks/stripe/{app_id}` on `listener` (the app id is ignored).
pub fn serve(listener: TcpListener, db: Db, secret: String, workers: usize) -> std::io::Result<Server> {
    let state = web::Data::new(State { db, secret });
    let server = HttpServer::new(move || {
        App::new()
            .app_data(state.clone())
            .app_data(web::PayloadConfig::new(1024 * 1024))
            .route("/webhooks/stripe/{app_id}", web::post().to(ingest))
    })
    .workers(workers)
    .shutdown_timeout(1)
    .listen(listener)?;
    Ok(server.run())
}
