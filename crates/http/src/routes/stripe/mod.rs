//! The Stripe connector: the connection (keys, Connect OAuth, webhook
//! secrets, recovering missed events) here; Stripe products and their links
//! (products.rs); members' subscriptions and purchases, the app's figures
//! (billing.rs); the inbox inspector (inbox.rs). The receiver of Stripe's
//! webhooks is `routes::connectors`.

pub mod billing;
pub mod dto;
pub mod inbox;
pub mod products;

use actix_web::{HttpRequest, HttpResponse, delete, get, post, web};
use secrecy::SecretString;
use tollgate_app::Services;
use tollgate_app::stripe::{ConnectInput, StripeConnection};
use tollgate_domain::auth::{Family, Scope};
use tollgate_domain::ids::AppId;

use crate::dto::rfc3339;
use crate::error::{ApiResult, Problem};
use crate::extract::{Auth, ValidJson, ValidQuery};

pub use self::dto::*;

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(get_stripe)
        .service(connect_stripe)
        .service(disconnect_stripe)
        .service(add_webhook_secret)
        .service(oauth_start)
        .service(sync_events)
        .service(products::stripe_products)
        .service(products::get_link)
        .service(products::put_link)
        .service(products::delete_link)
        .service(billing::user_subscriptions)
        .service(billing::user_purchases)
        .service(billing::metrics)
        .service(billing::mrr_history)
        .service(inbox::inbox)
        .service(inbox::inbox_event)
        .service(inbox::reprocess_event);
}

fn connection_response(s: &Services, app: &AppId, c: Option<StripeConnection>) -> StripeConnectionResponse {
    let webhook_url = s.stripe_webhook_url(app);
    let oauth_available = s.config.stripe.client_id.is_some() && s.config.stripe.platform_secret_key.is_some();
    match c {
        None => StripeConnectionResponse {
            connected: false,
            oauth_available,
            webhook_url,
            account_id: None,
            display_name: None,
            mode: None,
            auth: None,
            webhook_mode: None,
            webhook_endpoint_id: None,
            connected_at: None,
        },
        Some(c) => StripeConnectionResponse {
            connected: true,
            oauth_available,
            webhook_url,
            mode: Some(if c.livemode { "live" } else { "test" }.into()),
            connected_at: time::OffsetDateTime::from_unix_timestamp(c.connected_at).ok().map(rfc3339),
            account_id: Some(c.account_id),
            display_name: Some(c.display_name),
            auth: Some(c.auth),
            webhook_mode: Some(c.webhook_mode),
            webhook_endpoint_id: c.webhook_endpoint_id,
        },
    }
}

/// The app's Stripe connection and its webhook URL.
#[utoipa::path(tag = "stripe", security(("bearer" = [])), responses((status = 200, body = StripeConnectionResponse)))]
#[get("/connectors/stripe")]
pub async fn get_stripe(s: web::Data<Services>, auth: Auth) -> ApiResult<web::Json<StripeConnectionResponse>> {
    auth.0.require(Scope::read(Family::Connectors))?;
    let app = auth.0.app_id();
    Ok(web::Json(connection_response(&s, app, s.stripe_connection(app).await?)))
}

/// Connects Stripe with a key: validated by retrieving the account; the
/// webhook endpoint is registered (replacing any previous one) unless a signing secret is given.
#[utoipa::path(tag = "stripe", security(("bearer" = [])), request_body = ConnectStripeRequest,
    responses((status = 200, body = StripeConnectionResponse), (status = 422, body = Problem), (status = 503, body = Problem),
        (status = 502, body = Problem, description = "stripe_misconfigured: Stripe refused the key, or the API base URL does not lead to Stripe")))]
#[post("/connectors/stripe/connect")]
pub async fn connect_stripe(s: web::Data<Services>, auth: Auth, body: ValidJson<ConnectStripeRequest>) -> ApiResult<web::Json<StripeConnectionResponse>> {
    auth.0.require(Scope::write(Family::Connectors))?;
    let b = body.0;
    let app = auth.0.app_id();
    let c = s
        .stripe_connect(app, ConnectInput { secret_key: SecretString::from(b.secret_key), webhook_secret: b.webhook_secret.map(SecretString::from) })
        .await?;
    Ok(web::Json(connection_response(&s, app, Some(c))))
}

/// Disconnects Stripe (removes the endpoint Tollgate registered). Links stay.
#[utoipa::path(tag = "stripe", security(("bearer" = [])), responses((status = 204), (status = 404, body = Problem)))]
#[delete("/connectors/stripe")]
pub async fn disconnect_stripe(s: web::Data<Services>, auth: Auth) -> ApiResult<HttpResponse> {
    auth.0.require(Scope::write(Family::Connectors))?;
    s.stripe_disconnect(auth.0.app_id()).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Adds a webhook signing secret (rotation).
#[utoipa::path(tag = "stripe", security(("bearer" = [])), request_body = WebhookSecretRequest,
    responses((status = 200, body = WebhookSecretResponse), (status = 409, body = Problem), (status = 422, body = Problem)))]
#[post("/connectors/stripe/webhook-secrets")]
pub async fn add_webhook_secret(s: web::Data<Services>, auth: Auth, body: ValidJson<WebhookSecretRequest>) -> ApiResult<web::Json<WebhookSecretResponse>> {
    auth.0.require(Scope::write(Family::Connectors))?;
    let n = s.stripe_add_webhook_secret(auth.0.app_id(), &body.0.secret).await?;
    Ok(web::Json(WebhookSecretResponse { accepted_secrets: n }))
}

/// Starts Stripe Connect OAuth. Sets a short-lived cookie that binds the
/// connection to this browser: the callback must arrive in the same one.
#[utoipa::path(tag = "stripe", security(("bearer" = [])), responses((status = 200, body = OAuthStartResponse), (status = 409, body = Problem, description = "oauth_not_configured")))]
#[get("/connectors/stripe/oauth/start")]
pub async fn oauth_start(s: web::Data<Services>, auth: Auth) -> ApiResult<HttpResponse> {
    auth.0.require(Scope::write(Family::Connectors))?;
    let (url, nonce) = s.stripe_oauth_start(auth.0.app_id())?;
    Ok(HttpResponse::Ok().cookie(oauth_cookie(&s, "stripe", Some(nonce))).json(OAuthStartResponse { url }))
}

/// Binds an OAuth start to this browser: httpOnly, only sent to the
/// callback, SameSite=Lax because Stripe's redirect back is a cross-site
/// top-level navigation (Strict would withhold it), ten minutes like the state.
/// One cookie per connector (`stripe`, `keap`), sent only to its callback
/// `/oauth/{connector}/…`; `None` makes the removal.
pub(crate) fn oauth_cookie(s: &Services, connector: &str, nonce: Option<String>) -> actix_web::cookie::Cookie<'static> {
    use actix_web::cookie::{Cookie, SameSite, time::Duration};
    let removal = nonce.is_none();
    let mut c = Cookie::build(format!("tollgate_{connector}_oauth"), nonce.unwrap_or_default())
        .path(format!("/oauth/{connector}"))
        .http_only(true)
        .secure(s.config.public_url.starts_with("https://"))
        .same_site(SameSite::Lax)
        .max_age(Duration::minutes(10))
        .finish();
    if removal {
        c.make_removal();
    }
    c
}

/// Stripe Connect OAuth callback: exchanges the code and returns the browser to the dashboard.
#[utoipa::path(tag = "stripe", params(OAuthCallbackQuery), responses((status = 303, description = "Redirect to /settings/connectors?stripe=connected|denied|error")))]
#[get("/oauth/stripe/callback")]
pub async fn oauth_callback(s: web::Data<Services>, req: HttpRequest, q: ValidQuery<OAuthCallbackQuery>) -> HttpResponse {
    let svc = s.clone();
    oauth_return(&s, &req, q.0, "stripe", |code, state, nonce| async move { svc.stripe_oauth_callback(&code, &state, nonce.as_deref()).await.map(|_| ()) }).await
}

/// The end of a connector's OAuth callback: the provider's refusal, a
/// missing code, or `finish(code, state, browser nonce)`'s outcome, and the
/// browser back to the Connectors page as `?{connector}=connected|denied|error`.
/// The browser's cookie is spent whatever the outcome.
pub(crate) async fn oauth_return<F, Fut>(s: &Services, req: &HttpRequest, q: OAuthCallbackQuery, connector: &str, finish: F) -> HttpResponse
where
    F: FnOnce(String, String, Option<String>) -> Fut,
    Fut: std::future::Future<Output = Result<(), tollgate_app::AppError>>,
{
    let back = |outcome: &str| {
        HttpResponse::SeeOther()
            .insert_header(("location", format!("{}/settings/connectors?{connector}={outcome}", s.config.public_url)))
            .cookie(oauth_cookie(s, connector, None))
            .finish()
    };
    if q.error.is_some() {
        return back("denied");
    }
    let (Some(code), Some(state)) = (q.code, q.state) else { return back("error") };
    let nonce = crate::routes::auth::read_cookie(req, &format!("tollgate_{connector}_oauth"));
    match finish(code, state, nonce).await {
        Ok(()) => back("connected"),
        Err(e) => {
            tracing::warn!(error = %e, connector, "OAuth callback failed");
            back("error")
        }
    }
}

/// Fetches events Stripe has (last 30 days) that were not delivered, and processes them.
#[utoipa::path(tag = "stripe", security(("bearer" = [])), responses((status = 200, body = RecoverResponse), (status = 409, body = Problem),
        (status = 422, body = Problem, description = "stripe_rejected: Stripe refused the request (its path, status and message are in `stripe`)"),
        (status = 502, body = Problem, description = "stripe_misconfigured: Stripe refused the key, or the API base URL does not lead to Stripe"),
        (status = 503, body = Problem, description = "stripe_unavailable: Stripe did not answer (timeout, network, 5xx); try again later")))]
#[post("/connectors/stripe/sync-events")]
pub async fn sync_events(s: web::Data<Services>, auth: Auth) -> ApiResult<web::Json<RecoverResponse>> {
    auth.0.require(Scope::write(Family::Connectors))?;
    Ok(web::Json(RecoverResponse { recovered: s.recover_stripe_events(auth.0.app_id()).await? }))
}
