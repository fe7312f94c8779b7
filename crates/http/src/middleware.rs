//! Request ids, request logging, security headers, and idempotent POSTs.

use actix_web::body::{BoxBody, MessageBody, to_bytes};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{HttpMessage, HttpResponse, ResponseError, web};
use sha2::{Digest, Sha256};
use tollgate_app::Services;
use tollgate_persistence::idempotency::{self, Claim};
use tracing::Instrument;

use crate::error::ApiError;
use crate::extract::{MAX_BODY, authenticate};

pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// The request's id, in the request's extensions (for the audit log).
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

/// The SPA: the Vite build loads only its own scripts and stylesheets (no
/// inline ones). Product and sales-page images come from any https URL,
/// member media plays from blob: URLs, and sales pages embed YouTube
/// (privacy-enhanced) and Vimeo players.
pub const SPA_CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob: https:; \
    media-src 'self' blob: https:; font-src 'self' data:; connect-src 'self'; \
    frame-src https://www.youtube-nocookie.com https://player.vimeo.com; \
    frame-ancestors 'none'; form-action 'self'; base-uri 'self'; object-src 'none'";

/// Swagger UI at /api/docs/ (vendored 5.17): its own files, icons as data:
/// URIs, "Try it out" calls to this origin. Its scripts and stylesheets are
/// files, so neither needs 'unsafe-inline'; the one inline `<style>`, in its
/// SVG logo (`.logo_small_svg__cls-2{fill:#fff}…`), is allowed by its hash
/// (checked in Chromium: no other violation; a newer Swagger UI with another
/// logo would only lose the logo's colours). Images stay on this origin.
pub const DOCS_CSP: &str = "default-src 'self'; script-src 'self'; \
    style-src 'self' 'sha256-RL3ie0nH+Lzz2YNqQN83mnU0J1ot4QL7b99vMdIX99w='; img-src 'self' data:; \
    connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'self'; object-src 'none'";

/// JSON, problem details, media bytes: nothing in them may load or run anything.
pub const API_CSP: &str = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/// Security headers on every response (and on errors that escaped the
/// handlers): a Content-Security-Policy chosen by path, no framing (CSP
/// `frame-ancestors 'none'` and, for older browsers, `X-Frame-Options`), no
/// MIME sniffing, no full URLs in Referer to other origins, and HSTS when
/// Tollgate is served over https (`public_url`).
pub async fn security_headers(req: ServiceRequest, next: Next<impl MessageBody + 'static>) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let path = req.path();
    let csp = if path == "/api/docs" || path.starts_with("/api/docs/") {
        DOCS_CSP
    } else if path.starts_with("/api/") || path.starts_with("/webhooks/") || path == "/healthz" || path == "/readyz" {
        API_CSP
    } else {
        SPA_CSP
    };
    let https = req.app_data::<web::Data<Services>>().is_some_and(|s| s.config.public_url.starts_with("https://"));
    match next.call(req).await {
        Ok(mut res) => {
            set_security_headers(res.headers_mut(), csp, https);
            Ok(res.map_into_boxed_body())
        }
        Err(e) => {
            // An error that escaped the handlers becomes its response further
            // out; this one already carries the headers.
            let mut resp = e.error_response();
            set_security_headers(resp.headers_mut(), csp, https);
            Err(actix_web::error::InternalError::from_response(e, resp).into())
        }
    }
}

fn set_security_headers(h: &mut header::HeaderMap, csp: &'static str, https: bool) {
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(csp));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("strict-origin-when-cross-origin"));
    if https {
        h.insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static("max-age=31536000"));
    }
}

/// Gives every request an id (a sane incoming `X-Request-Id` is kept),
/// returns it in `X-Request-Id`, puts it into problem bodies, and logs
/// one line per request with method, path, status and latency.
pub async fn request_id(req: ServiceRequest, next: Next<impl MessageBody + 'static>) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let rid = req
        .headers()
        .get(REQUEST_ID_HEADER)
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty() && v.len() <= 64 && v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'))
        .map(str::to_owned)
        .unwrap_or_else(|| uuid::Uuid::new_v4().simple().to_string());
    actix_web::HttpMessage::extensions_mut(&req).insert(RequestId(rid.clone()));
    let span = tracing::info_span!("http", method = %req.method(), path = %req.path(), request_id = %rid);
    let started = std::time::Instant::now();
    let rid2 = rid.clone();
    let res = async move { next.call(req).await.map(|r| r.map_into_boxed_body()) }.instrument(span.clone()).await;
    let mut res = match res {
        Ok(r) => r,
        Err(e) => {
            // Errors that escaped handlers (e.g. from other middleware).
            let resp = e.error_response();
            return Err(actix_web::error::InternalError::from_response(e, resp).into());
        }
    };
    let status = res.status();
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    span.in_scope(|| {
        if status.is_server_error() {
            tracing::error!(status = status.as_u16(), ms, "request failed");
        } else {
            tracing::info!(status = status.as_u16(), ms, "request");
        }
    });
    if let Ok(v) = HeaderValue::from_str(&rid2) {
        res.headers_mut().insert(HeaderName::from_static(REQUEST_ID_HEADER), v);
    }
    // Problem bodies carry the request id so a user can quote it.
    let is_problem = res.headers().get(actix_web::http::header::CONTENT_TYPE).is_some_and(|v| v.as_bytes() == b"application/problem+json");
    if is_problem {
        let (req, resp) = res.into_parts();
        let (head, body) = resp.into_parts();
        let bytes = to_bytes(body).await.unwrap_or_default();
        let bytes = match serde_json::from_slice::<serde_json::Value>(&bytes) {
            Ok(serde_json::Value::Object(mut m)) => {
                m.insert("request_id".into(), serde_json::Value::String(rid2));
                serde_json::to_vec(&m).unwrap_or_else(|_| bytes.to_vec())
            }
            _ => bytes.to_vec(),
        };
        let resp = head.set_body(BoxBody::new(bytes));
        return Ok(ServiceResponse::new(req, resp));
    }
    Ok(res)
}

/// The body limit of the routes that take raw uploads (their handlers read
/// the body themselves, past the JSON limit).
fn upload_limit(path: &str) -> Option<usize> {
    let rest = path.strip_prefix("/api/v1/")?;
    let parts: Vec<&str> = rest.split('/').collect();
    match parts.as_slice() {
        ["products", _, "media"] => Some(tollgate_app::member_area::MAX_MEDIA_BYTES),
        ["images"] => Some(tollgate_app::images::MAX_IMAGE_BYTES),
        ["users", "imports"] => Some(tollgate_app::members_import::parse::MAX_BYTES),
        _ => None,
    }
}

/// `Idempotency-Key` on POST: the first request's answer is stored for 24 h
/// per app; a retry with the same key and body gets the stored answer (with
/// `Idempotent-Replayed: true`) and writes nothing; the same key with
/// another body is 422; a retry while the first is still running is 409.
/// Server errors are not stored, so a retry after a 5xx runs again.
pub async fn idempotency(mut req: ServiceRequest, next: Next<impl MessageBody + 'static>) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let key = req.headers().get("idempotency-key").cloned();
    // Not for member routes, nor for API key creation (its answer is a secret shown once).
    let applies = req.method() == Method::POST
        && req.path().starts_with("/api/v1/")
        && !req.path().starts_with("/api/v1/member/")
        && !req.path().starts_with("/api/v1/api-keys");
    let (Some(key), true) = (key, applies) else {
        return next.call(req).await.map(|r| r.map_into_boxed_body());
    };
    let Ok(principal) = authenticate(req.request()).await else {
        // Let the handler answer the authentication problem (401 before a bad key's 422).
        return next.call(req).await.map(|r| r.map_into_boxed_body());
    };
    let key = match key.to_str().ok().filter(|k| !k.is_empty() && k.len() <= 255 && k.bytes().all(|b| (0x21..0x7f).contains(&b))) {
        Some(k) => k.to_owned(),
        None => {
            let e = ApiError::field("Idempotency-Key", "invalid_header", "must be 1 to 255 visible ASCII characters");
            return Ok(req.into_response(e.error_response()));
        }
    };
    let Some(services) = req.app_data::<web::Data<Services>>().cloned() else {
        return next.call(req).await.map(|r| r.map_into_boxed_body());
    };
    // The body is read here to hash it, up to the route's own limit: uploads
    // (media, images, member imports) are larger than JSON bodies.
    let limit = upload_limit(req.path()).unwrap_or(MAX_BODY);
    let too_large = || ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large", "the request body is too large");
    let body = match crate::extract::read_body(crate::extract::declared_length(req.request()), req.take_payload(), limit, too_large).await {
        Ok(b) => b.freeze(),
        Err(e) => return Ok(req.into_response(e.error_response())),
    };
    let mut h = Sha256::new();
    // The credential is part of the request: another principal replaying the
    // key gets a mismatch, never someone else's answer.
    h.update(principal.actor());
    h.update(b"\n");
    h.update(req.method().as_str());
    h.update(b"\n");
    h.update(req.uri().to_string());
    h.update(b"\n");
    h.update(&body);
    let hash = hex::encode(h.finalize());
    let app = principal.app_id().clone();
    let claim = async {
        let mut c = services.db.acquire().await?;
        idempotency::claim(&mut c.conn(), &app, &key, &hash, services.now()).await
    }
    .await;
    match claim {
        Err(e) => {
            tracing::error!(error = ?e, "idempotency store failed");
            Ok(req.into_response(ApiError::internal().error_response()))
        }
        Ok(Claim::Mismatch) => {
            let e = ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "idempotency_key_reused", "this Idempotency-Key was used with a different request");
            Ok(req.into_response(e.error_response()))
        }
        Ok(Claim::InFlight) => {
            let e = ApiError::new(StatusCode::CONFLICT, "idempotency_key_in_use", "a request with this Idempotency-Key is still being processed");
            Ok(req.into_response(e.error_response()))
        }
        Ok(Claim::Done { status, body }) => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
            let ct = if status.is_success() { "application/json" } else { "application/problem+json" };
            let resp = HttpResponse::build(status).insert_header(("content-type", ct)).insert_header(("idempotent-replayed", "true")).body(body);
            Ok(req.into_response(resp))
        }
        Ok(Claim::Fresh) => {
            req.set_payload(actix_http::Payload::from(body));
            let res = next.call(req).await.map(|r| r.map_into_boxed_body());
            let res = match res {
                Ok(r) => r,
                Err(e) => {
                    release(&services, &app, &key).await;
                    return Err(e);
                }
            };
            let status = res.status();
            let (req, resp) = res.into_parts();
            let (head, body) = resp.into_parts();
            let bytes = to_bytes(body).await.unwrap_or_default();
            if status.is_server_error() {
                release(&services, &app, &key).await;
            } else {
                let text = String::from_utf8_lossy(&bytes).into_owned();
                let stored = async {
                    let mut c = services.db.acquire().await?;
                    idempotency::complete(&mut c.conn(), &app, &key, status.as_u16(), &text).await
                }
                .await;
                if let Err(e) = stored {
                    tracing::error!(error = ?e, "could not store an idempotent response");
                }
            }
            Ok(ServiceResponse::new(req, head.set_body(BoxBody::new(bytes))))
        }
    }
}

async fn release(services: &Services, app: &tollgate_domain::ids::AppId, key: &str) {
    if let Ok(mut c) = services.db.acquire().await {
        let _ = idempotency::release(&mut c.conn(), app, key).await;
    }
}
