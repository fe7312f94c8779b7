//! `GET /metrics` in the Prometheus text format, for operators: request
//! durations by route template, Stripe webhook ingest outcomes, job queue
//! depth and age, job outcomes, outbound deliveries, database pool usage.
//!
//! Counters and histograms are recorded where things happen (the `metrics`
//! facade; `metrics-exporter-prometheus` renders them); queue, delivery and
//! pool figures are read at scrape time. The endpoint answers only with the
//! configured bearer token (`[metrics] token`), or on the separate metrics
//! address (`[metrics] bind`) without one; otherwise it is 404.

use std::collections::BTreeSet;
use std::sync::{Mutex, OnceLock};

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::middleware::Next;
use actix_web::{HttpRequest, HttpResponse, get, web};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use sha2::{Digest, Sha256};
use tollgate_app::Services;

use crate::error::{ApiError, ApiResult};

/// How `/metrics` is reached.
#[derive(Debug, Clone, Default)]
pub struct MetricsOptions {
    /// The bearer token scrapers send; `None` (and not `open`): `/metrics` is 404.
    pub token: Option<String>,
    /// Served without a token (the separate metrics address).
    pub open: bool,
}

const BUCKETS: [f64; 12] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0];

/// The process's recorder, installed on first use.
pub fn handle() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let recorder = PrometheusBuilder::new().set_buckets(&BUCKETS).expect("buckets are not empty").build_recorder();
        let handle = recorder.handle();
        if metrics::set_global_recorder(recorder).is_err() {
            tracing::warn!("another metrics recorder is installed; /metrics shows only scrape-time figures");
        }
        handle
    })
}

/// Records each request's duration by method, route template (never the
/// raw path: ids would make a series per object) and status.
pub async fn record_http(req: ServiceRequest, next: Next<impl MessageBody + 'static>) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = std::time::Instant::now();
    let res = next.call(req).await?;
    let route = res.request().match_pattern().unwrap_or_else(|| "unmatched".to_owned());
    let labels = [("method", res.request().method().to_string()), ("route", route), ("status", res.status().as_u16().to_string())];
    metrics::histogram!("tollgate_http_request_duration_seconds", &labels).record(started.elapsed().as_secs_f64());
    Ok(res)
}

/// A Stripe webhook delivery's outcome: stored, duplicate, ignored, rejected (bad signature) or invalid.
pub fn webhook_outcome(outcome: &'static str) {
    metrics::counter!("tollgate_stripe_webhooks_total", "outcome" => outcome).increment(1);
}

fn token_matches(expected: &str, header: Option<&str>) -> bool {
    let given = header.and_then(|h| h.strip_prefix("Bearer ")).unwrap_or("");
    // Compare digests: equal length, no early exit on a prefix of the token.
    !given.is_empty() && Sha256::digest(given.as_bytes()) == Sha256::digest(expected.as_bytes())
}

/// Label sets of gauges set at an earlier scrape, so that one that is gone
/// (no job of that kind left) reads 0 instead of its last value.
static SEEN: Mutex<BTreeSet<(&'static str, Vec<(&'static str, String)>)>> = Mutex::new(BTreeSet::new());

fn set_gauges(now: Vec<(&'static str, Vec<(&'static str, String)>, f64)>) {
    let mut seen = SEEN.lock().unwrap_or_else(|e| e.into_inner());
    let current: BTreeSet<_> = now.iter().map(|(n, l, _)| (*n, l.clone())).collect();
    for (name, labels) in seen.iter().filter(|k| !current.contains(k)) {
        metrics::gauge!(*name, labels).set(0.0);
    }
    for (name, labels, v) in now {
        metrics::gauge!(name, &labels).set(v);
    }
    seen.extend(current);
}

async fn scrape_time_figures(s: &Services) -> Result<(), tollgate_persistence::DbError> {
    let now = s.now();
    let mut gauges = vec![];
    {
        let mut c = s.db.acquire().await?;
        for j in tollgate_persistence::ops_metrics::jobs(&mut c.conn(), now).await? {
            if j.status == "queued" {
                let age = j.oldest_due.map(|t| (now - t).as_seconds_f64().max(0.0)).unwrap_or(0.0);
                gauges.push(("tollgate_job_oldest_due_age_seconds", vec![("kind", j.kind.clone())], age));
            }
            gauges.push(("tollgate_jobs", vec![("kind", j.kind), ("status", j.status)], j.count as f64));
        }
        for (status, n) in tollgate_persistence::ops_metrics::outbound_deliveries(&mut c.conn()).await? {
            gauges.push(("tollgate_outbound_deliveries", vec![("status", status)], n as f64));
        }
    }
    // Read after the connection above went back: it is not counted as in use.
    let pool = s.db.pool_stats();
    gauges.push(("tollgate_db_pool_connections", vec![("state", "in_use".to_owned())], pool.open.saturating_sub(pool.idle) as f64));
    gauges.push(("tollgate_db_pool_connections", vec![("state", "idle".to_owned())], pool.idle as f64));
    gauges.push(("tollgate_db_pool_max_connections", vec![], pool.max as f64));
    set_gauges(gauges);
    Ok(())
}

/// The Prometheus text exposition.
#[get("/metrics")]
pub async fn scrape(s: web::Data<Services>, opts: web::Data<MetricsOptions>, req: HttpRequest) -> ApiResult<HttpResponse> {
    if !opts.open {
        let Some(expected) = opts.token.as_deref() else {
            return Err(ApiError::new(StatusCode::NOT_FOUND, "route_not_found", "metrics are not enabled (set [metrics] token or bind)"));
        };
        let header = req.headers().get(actix_web::http::header::AUTHORIZATION).and_then(|v| v.to_str().ok());
        if !token_matches(expected, header) {
            return Err(ApiError::unauthorized("invalid_token", "send the metrics token as a bearer token"));
        }
    }
    let handle = handle();
    if let Err(e) = scrape_time_figures(&s).await {
        tracing::warn!(error = %e, "metrics: the database figures could not be read");
        metrics::counter!("tollgate_metrics_scrape_errors_total").increment(1);
    }
    Ok(HttpResponse::Ok().content_type("text/plain; version=0.0.4; charset=utf-8").body(handle.render()))
}

/// A server with `/metrics` alone, open (bind it where only scrapers reach).
pub fn serve_metrics(listener: std::net::TcpListener, services: Services) -> std::io::Result<actix_web::dev::Server> {
    handle();
    let data = web::Data::new(services);
    let opts = web::Data::new(MetricsOptions { token: None, open: true });
    Ok(actix_web::HttpServer::new(move || actix_web::App::new().app_data(data.clone()).app_data(opts.clone()).service(scrape)).workers(1).listen(listener)?.run())
}
