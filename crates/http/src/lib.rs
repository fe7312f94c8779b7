//! Tollgate's HTTP API (actix-web). Handlers are thin: they extract and
//! validate input, call a use case in `tollgate-app`, and map the answer.
//! The OpenAPI document is collected from the real handlers.

pub mod audit;
pub mod dto;
pub mod error;
pub mod extract;
pub mod metrics;
pub mod middleware;
mod openapi;
pub mod routes;

use std::net::TcpListener;
use std::path::PathBuf;

use actix_web::dev::Server;
use actix_web::{App, HttpResponse, web};
use tollgate_app::Services;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_actix_web::AppExt;
use utoipa_actix_web::scope::scope;
use utoipa_swagger_ui::SwaggerUi;

use crate::routes::{accounts, app, audit as audit_log, auth, automations, connectors, crm, customers, images, member_area, members, ops, outbound, products, selling, stripe, team};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Tollgate API",
        description = "Membership hub: products, members, access grants from Stripe and by hand, activities.\n\n\
            Authenticate with `Authorization: Bearer <token>`: an admin access token from `POST /api/v1/auth/login`, \
            or an API key (`tg_key_…`) created under /api/v1/api-keys. The credential decides the app.\n\n\
            Errors are `application/problem+json` with a stable `code`; validation failures (422) list the offending fields.\n\n\
            Lists are cursor-paginated: pass `next_cursor` back as `cursor`.",
        license(name = "AGPL-3.0-or-later")
    ),
    modifiers(&Security),
    components(schemas(routes::outbound::WebhookEvent, routes::outbound::WebhookEventData, tollgate_domain::connector::ConnectorKind)),
    tags(
        (name = "auth", description = "Setup and admin sessions"),
        (name = "app", description = "The app (tenant) and its settings"),
        (name = "products", description = "Products and their content pages"),
        (name = "users", description = "Members and their access grants"),
        (name = "activities", description = "What members do and what happens to them"),
        (name = "team", description = "The app's admins, invitations and roles"),
        (name = "api-keys", description = "Keys for integrators"),
        (name = "jobs", description = "Background jobs"),
        (name = "emails", description = "The email outbox"),
        (name = "connectors", description = "Connector settings"),
        (name = "member", description = "Member area sessions"),
        (name = "selling", description = "Checkout, sales pages, the billing portal, hosted media"),
        (name = "stripe", description = "The Stripe connector: connection, product sync, webhooks"),
        (name = "automations", description = "Automations (trigger, conditions, steps), their runs, and email templates"),
        (name = "webhooks", description = "Outbound events: Standard Webhooks endpoints, their delivery log, Zapier REST hooks"),
        (name = "health", description = "Liveness and readiness"),
    )
)]
struct ApiDoc;

struct Security;

impl Modify for Security {
    fn modify(&self, api: &mut utoipa::openapi::OpenApi) {
        let c = api.components.get_or_insert_with(Default::default);
        c.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("An admin access token or an API key"))
                    .build(),
            ),
        );
        c.add_security_scheme(
            "member_bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).description(Some("A member access token")).build()),
        );
    }
}

/// Registers every /api/v1 route, capability by capability; utoipa collects
/// their `#[utoipa::path]` docs. Where two paths could match one request
/// (`/users/export.csv` and `/users/{id}`), the literal one is registered first.
fn configure_v1(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.configure(auth::configure)
        .configure(team::configure)
        .configure(app::configure)
        .configure(products::configure)
        .configure(members::configure)
        .configure(ops::configure)
        .configure(connectors::configure)
        .configure(member_area::configure)
        .configure(stripe::configure)
        .configure(selling::configure)
        .configure(outbound::configure)
        .configure(automations::configure)
        .configure(customers::configure)
        .configure(crm::configure)
        .configure(accounts::configure)
        .configure(images::configure)
        .configure(audit_log::configure);
}

fn api_v1() -> utoipa_actix_web::scope::Scope<impl actix_web::dev::ServiceFactory<
    actix_web::dev::ServiceRequest,
    Config = (),
    Response = actix_web::dev::ServiceResponse,
    Error = actix_web::Error,
    InitError = (),
>> {
    scope("/api/v1").configure(configure_v1)
}

/// Error bodies are served as application/problem+json: the document says so.
fn problem_content_types(api: &mut utoipa::openapi::OpenApi) {
    for item in api.paths.paths.values_mut() {
        for op in [&mut item.get, &mut item.put, &mut item.post, &mut item.delete, &mut item.patch].into_iter().flatten() {
            for (status, resp) in op.responses.responses.iter_mut() {
                if !(status.starts_with('4') || status.starts_with('5')) {
                    continue;
                }
                if let utoipa::openapi::RefOr::T(r) = resp {
                    if let Some(c) = r.content.shift_remove("application/json") {
                        r.content.insert("application/problem+json".into(), c);
                    }
                }
            }
        }
    }
}

/// Every documented route: what `serve` answers and what `openapi()` describes.
/// The few outside /api/v1 (health, the connectors' webhook receiver, OAuth
/// returns) are listed here; the rest is `configure_v1`.
fn routes<T>(app: utoipa_actix_web::UtoipaApp<T>) -> utoipa_actix_web::UtoipaApp<T>
where
    T: actix_web::dev::ServiceFactory<actix_web::dev::ServiceRequest, Config = (), Error = actix_web::Error, InitError = ()>,
{
    app.service(ops::healthz)
        .service(ops::readyz)
        .service(connectors::webhook)
        .service(connectors::webhook_with_token)
        .service(stripe::oauth_callback)
        .service(crm::keap_oauth_callback)
        .service(api_v1())
}

/// The OpenAPI document of the API, generated from the handlers.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let (_, mut api) = routes(App::new().into_utoipa_app().openapi(ApiDoc::openapi())).split_for_parts();
    problem_content_types(&mut api);
    openapi::complete(&mut api);
    api.extensions.get_or_insert_with(Default::default).insert("webhooks".into(), outbound::webhooks_section());
    api
}

/// The document as committed at `openapi/openapi.json`.
pub fn openapi_json() -> String {
    let mut s = openapi().to_pretty_json().expect("the OpenAPI document serializes");
    s.push('\n');
    s
}

/// Options of the HTTP server.
#[derive(Debug, Clone, Default)]
pub struct HttpOptions {
    /// Built SPA to serve (frontend/dist); `None` serves the API only.
    pub frontend_dir: Option<PathBuf>,
    pub workers: Option<usize>,
}

/// Starts the HTTP server on `listener` (`/metrics` off).
pub fn serve(listener: TcpListener, services: Services, opts: HttpOptions) -> std::io::Result<Server> {
    serve_with(listener, services, opts, metrics::MetricsOptions::default())
}

/// Starts the HTTP server on `listener`, with `/metrics` as `metrics_opts` say.
pub fn serve_with(listener: TcpListener, services: Services, opts: HttpOptions, metrics_opts: metrics::MetricsOptions) -> std::io::Result<Server> {
    metrics::handle();
    let metrics_opts = web::Data::new(metrics_opts);
    let data = web::Data::new(services);
    let doc = openapi();
    let methods = std::sync::Arc::new(openapi::MethodIndex::new(&doc));
    let frontend = opts.frontend_dir.filter(|d| d.join("index.html").is_file());
    let mut server = actix_web::HttpServer::new(move || {
        let frontend = frontend.clone();
        let methods = methods.clone();
        let app = App::new()
            .app_data(data.clone())
            .app_data(metrics_opts.clone())
            // Stripe events can exceed the default 256 KiB.
            .app_data(web::PayloadConfig::new(1024 * 1024))
            // Innermost: the audit scope wraps only the handler, inside the request id.
            .wrap(actix_web::middleware::from_fn(audit::audit_scope))
            .wrap(actix_web::middleware::from_fn(middleware::idempotency))
            .wrap(actix_web::middleware::from_fn(middleware::request_id))
            .wrap(actix_web::middleware::Compress::default())
            .wrap(actix_web::middleware::from_fn(middleware::security_headers))
            .wrap(actix_web::middleware::from_fn(metrics::record_http))
            .into_utoipa_app()
            .openapi(ApiDoc::openapi());
        let (app, _) = routes(app).split_for_parts();
        // No validator badge: it would send the document's URL to swagger.io (and the CSP blocks it).
        let docs_config = utoipa_swagger_ui::Config::default().validator_url("none");
        let app = app.service(metrics::scrape).service(SwaggerUi::new("/api/docs/{_:.*}").url("/api/openapi.json", doc.clone()).config(docs_config));
        let app = match &frontend {
            Some(dir) => app.service(
                actix_files::Files::new("/assets", dir.join("assets")).prefer_utf8(true),
            ),
            None => app,
        };
        let index = frontend.map(|d| d.join("index.html"));
        let root = index.as_ref().and_then(|i| i.parent().map(|p| p.to_path_buf()));
        app.default_service(web::to(move |req: actix_web::HttpRequest| {
            let index = index.clone();
            let root = root.clone();
            let methods = methods.clone();
            async move { fallback(req, index, root, methods).await }
        }))
    })
    .shutdown_timeout(10)
    .listen(listener)?;
    if let Some(w) = opts.workers {
        server = server.workers(w);
    }
    Ok(server.run())
}

/// A method the document does not list for a known path is a problem+json
/// 405 with `Allow`; unknown `/api` paths are problem+json 404s; other paths
/// serve a file of the SPA when one exists, else its index.html (client-side routes).
async fn fallback(req: actix_web::HttpRequest, index: Option<PathBuf>, root: Option<PathBuf>, methods: std::sync::Arc<openapi::MethodIndex>) -> actix_web::Result<HttpResponse> {
    let path = req.path();
    if let Some(allowed) = methods.allowed(path).filter(|m| !m.contains(&req.method().as_str())) {
        let e = error::ApiError::new(actix_web::http::StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed", format!("{path} takes {}", allowed.join(", ")));
        let mut resp = actix_web::ResponseError::error_response(&e);
        let allow = actix_web::http::header::HeaderValue::from_str(&allowed.join(", ")).map_err(|_| error::ApiError::internal())?;
        resp.headers_mut().insert(actix_web::http::header::ALLOW, allow);
        return Ok(resp);
    }
    if path.starts_with("/api/") || path == "/api" || index.is_none() {
        return Err(error::api_not_found(req).await.into());
    }
    if req.method() != actix_web::http::Method::GET && req.method() != actix_web::http::Method::HEAD {
        return Err(error::ApiError::new(actix_web::http::StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed", "only GET is served here").into());
    }
    let (Some(index), Some(root)) = (index, root) else { return Err(error::ApiError::not_found("page").into()) };
    // A top-level static file (favicon, robots.txt…) if it exists, without escaping the root.
    let rel = path.trim_start_matches('/');
    if !rel.is_empty() && !rel.contains("..") && !rel.contains('\\') {
        let candidate = root.join(rel);
        if candidate.is_file() {
            return Ok(actix_files::NamedFile::open_async(candidate).await?.into_response(&req));
        }
    }
    let mut resp = actix_files::NamedFile::open_async(index).await?.into_response(&req);
    resp.headers_mut().insert(actix_web::http::header::CACHE_CONTROL, actix_web::http::header::HeaderValue::from_static("no-cache"));
    Ok(resp)
}

