//! The Stripe connector's endpoints and the webhook receiver.

use actix_web::{HttpRequest, HttpResponse, delete, get, post, put, web};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use tollgate_app::Services;
use tollgate_app::stripe::{ConnectInput, LinkInput, LinkStatus, NewStripePrice, StripeConnection};
use tollgate_domain::auth::{Family, Scope};
use tollgate_domain::ids::{AppId, ProductId, UserId};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::dto::rfc3339;
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::{Auth, ValidJson, ValidQuery, path_id};

#[derive(Debug, Serialize, ToSchema)]
pub struct StripeConnectionResponse {
    pub connected: bool,
    /// Whether "Connect with Stripe" (Connect OAuth) is configured on this server.
    pub oauth_available: bool,
    /// Where Stripe must send events for this app.
    pub webhook_url: String,
    pub account_id: Option<String>,
    pub display_name: Option<String>,
    /// `test` or `live`
    pub mode: Option<String>,
    /// `secret_key` or `oauth`
    pub auth: Option<String>,
    /// `managed` (registered by Tollgate) or `manual` (signing secret pasted)
    pub webhook_mode: Option<String>,
    pub webhook_endpoint_id: Option<String>,
    #[schema(format = DateTime)]
    pub connected_at: Option<String>,
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

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConnectStripeRequest {
    /// A secret (`sk_…`) or restricted (`rk_…`) key; stored encrypted.
    #[validate(length(min = 10, max = 255))]
    #[schema(min_length = 10, max_length = 255)]
    pub secret_key: String,
    /// A signing secret (`whsec_…`) for an endpoint you added in Stripe yourself;
    /// leave out to let Tollgate register the endpoint.
    #[validate(length(min = 10, max = 255))]
    #[schema(min_length = 10, max_length = 255)]
    pub webhook_secret: Option<String>,
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

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WebhookSecretRequest {
    /// A new signing secret (`whsec_…`); the three newest are accepted during rotation.
    #[validate(length(min = 10, max = 255))]
    #[schema(min_length = 10, max_length = 255)]
    pub secret: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookSecretResponse {
    /// How many signing secrets are accepted now.
    pub accepted_secrets: usize,
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

#[derive(Debug, Serialize, ToSchema)]
pub struct OAuthStartResponse {
    /// Send the admin's browser here.
    pub url: String,
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

#[derive(Debug, Deserialize, Validate, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OAuthCallbackQuery {
    #[validate(length(max = 255))]
    #[param(max_length = 255)]
    pub code: Option<String>,
    #[validate(length(max = 2000))]
    #[param(max_length = 2000)]
    pub state: Option<String>,
    #[validate(length(max = 255))]
    #[param(max_length = 255)]
    pub error: Option<String>,
    #[validate(length(max = 1000))]
    #[param(max_length = 1000)]
    pub error_description: Option<String>,
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

#[derive(Debug, Serialize, ToSchema)]
pub struct RecoverResponse {
    /// Events Stripe had that Tollgate had not received.
    pub recovered: usize,
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

#[derive(Debug, Serialize, ToSchema)]
pub struct StripePriceResponse {
    pub id: String,
    pub unit_amount: Option<i64>,
    pub currency: Option<String>,
    /// Null for one-off prices.
    #[schema(value_type = Option<crate::dto::PriceInterval>)]
    pub interval: Option<String>,
    pub interval_count: Option<u64>,
    pub nickname: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StripeProductResponse {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    pub active: bool,
    pub prices: Vec<StripePriceResponse>,
    /// Live subscriptions (trialing, active, past_due) a link would import.
    pub active_subscriptions: u64,
    pub linked_product_id: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StripeProductList {
    pub data: Vec<StripeProductResponse>,
}

/// The connected account's active products with prices, for the product-sync picker.
#[utoipa::path(tag = "stripe", security(("bearer" = [])), responses((status = 200, body = StripeProductList), (status = 409, body = Problem),
        (status = 422, body = Problem, description = "stripe_rejected: Stripe refused the request (its path, status and message are in `stripe`)"),
        (status = 502, body = Problem, description = "stripe_misconfigured: Stripe refused the key, or the API base URL does not lead to Stripe"),
        (status = 503, body = Problem, description = "stripe_unavailable: Stripe did not answer (timeout, network, 5xx); try again later")))]
#[get("/connectors/stripe/products")]
pub async fn stripe_products(s: web::Data<Services>, auth: Auth) -> ApiResult<web::Json<StripeProductList>> {
    auth.0.require(Scope::read(Family::Connectors))?;
    let list = s.stripe_products(auth.0.app_id()).await?;
    Ok(web::Json(StripeProductList {
        data: list
            .into_iter()
            .map(|p| StripeProductResponse {
                id: p.id,
                name: p.name,
                description: p.description,
                active: p.active,
                active_subscriptions: p.active_subscriptions,
                linked_product_id: p.linked_product_id,
                prices: p
                    .prices
                    .into_iter()
                    .map(|x| StripePriceResponse { id: x.id, unit_amount: x.unit_amount, currency: x.currency, interval: x.interval, interval_count: x.interval_count, nickname: x.nickname })
                    .collect(),
            })
            .collect(),
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StripeLinkResponse {
    pub product_id: String,
    pub stripe_product_id: String,
    pub stripe_product_name: String,
    /// The price created with "Create a new Stripe product".
    pub created_price_id: Option<String>,
    pub import: ImportProgress,
    #[schema(format = DateTime)]
    pub linked_at: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ImportProgress {
    pub job_id: Option<String>,
    /// The import job's status.
    #[schema(value_type = Option<crate::dto::JobStatusSchema>)]
    pub status: Option<String>,
    pub done: Option<i64>,
    pub total: Option<i64>,
    pub error: Option<String>,
}

fn link_response(l: LinkStatus) -> StripeLinkResponse {
    StripeLinkResponse {
        product_id: l.link.product_id.into_string(),
        stripe_product_id: l.link.stripe_product_id,
        stripe_product_name: l.link.stripe_product_name,
        created_price_id: l.created_price_id,
        linked_at: rfc3339(l.link.created_at),
        import: ImportProgress {
            job_id: l.link.import_job_id,
            status: l.import_status.map(|s| s.as_str().to_owned()),
            done: l.import_done,
            total: l.import_total,
            error: l.import_error,
        },
    }
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPriceRequest {
    /// In the currency's smallest unit (e.g. cents).
    #[validate(range(min = 0, max = 99_999_999))]
    #[schema(minimum = 0, maximum = 99_999_999)]
    pub unit_amount: i64,
    /// Three-letter ISO currency code, e.g. `usd`.
    #[validate(length(equal = 3))]
    #[schema(min_length = 3, max_length = 3)]
    pub currency: String,
    /// Leave out for a one-off price.
    #[schema(value_type = Option<crate::dto::PriceInterval>)]
    pub interval: Option<String>,
    #[validate(range(min = 1, max = 52))]
    #[schema(minimum = 1, maximum = 52)]
    pub interval_count: Option<u32>,
}

/// Link to an existing Stripe product, or create one (it inherits name,
/// description and image) with the given price.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkStripeRequest {
    #[validate(length(min = 1, max = 255))]
    #[schema(min_length = 1, max_length = 255)]
    pub stripe_product_id: Option<String>,
    #[validate(nested)]
    pub create_with_price: Option<NewPriceRequest>,
}

/// The product's Stripe link. A product that is not linked is a normal state,
/// answered 204 (no body) rather than an error; 404 means no such product.
#[utoipa::path(tag = "stripe", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, body = StripeLinkResponse), (status = 204, description = "the product is not linked to Stripe"), (status = 404, body = Problem)))]
#[get("/products/{id}/stripe")]
pub async fn get_link(s: web::Data<Services>, auth: Auth, id: web::Path<String>) -> ApiResult<HttpResponse> {
    auth.0.require(Scope::read(Family::Products))?;
    let id = path_id(&id, "product", ProductId::parse)?;
    match s.stripe_link_status(auth.0.app_id(), &id).await {
        Ok(st) => Ok(HttpResponse::Ok().json(link_response(st))),
        Err(tollgate_app::AppError::NotFound("Stripe link")) => Ok(HttpResponse::NoContent().finish()),
        Err(e) => Err(e.into()),
    }
}

/// Links the product to a Stripe product and imports its current
/// subscribers and past buyers in the background (progress in `import`).
#[utoipa::path(tag = "stripe", security(("bearer" = [])), params(("id" = String, Path)), request_body = LinkStripeRequest,
    responses((status = 200, body = StripeLinkResponse), (status = 404, body = Problem),
        (status = 409, body = Problem, description = "active_subscriptions, stripe_product_already_linked or stripe_not_connected"), (status = 422, body = Problem),
        (status = 502, body = Problem, description = "stripe_misconfigured: Stripe refused the key, or the API base URL does not lead to Stripe"),
        (status = 503, body = Problem, description = "stripe_unavailable: Stripe did not answer (timeout, network, 5xx); try again later")))]
#[put("/products/{id}/stripe")]
pub async fn put_link(s: web::Data<Services>, auth: Auth, id: web::Path<String>, body: ValidJson<LinkStripeRequest>) -> ApiResult<web::Json<StripeLinkResponse>> {
    auth.0.require(Scope::write(Family::Products))?;
    let id = path_id(&id, "product", ProductId::parse)?;
    let input = match (body.0.stripe_product_id, body.0.create_with_price) {
        (Some(p), None) => {
            if !p.starts_with("prod_") {
                return Err(ApiError::field("stripe_product_id", "invalid_id", "must be a Stripe product id (prod_…)"));
            }
            LinkInput::Existing { stripe_product_id: p }
        }
        (None, Some(price)) => {
            if let Some(i) = &price.interval {
                if !["day", "week", "month", "year"].contains(&i.as_str()) {
                    return Err(ApiError::field("create_with_price.interval", "invalid_choice", "must be day, week, month or year"));
                }
            }
            if !price.currency.bytes().all(|b| b.is_ascii_alphabetic()) {
                return Err(ApiError::field("create_with_price.currency", "invalid_currency", "must be a three-letter currency code"));
            }
            LinkInput::Create {
                price: NewStripePrice { unit_amount: price.unit_amount, currency: price.currency.to_lowercase(), interval: price.interval, interval_count: price.interval_count },
            }
        }
        _ => return Err(ApiError::field("stripe_product_id", "one_of", "give exactly one of stripe_product_id or create_with_price")),
    };
    Ok(web::Json(link_response(s.stripe_link_product(auth.0.app_id(), &id, input).await?)))
}

/// Removes the link; refused (409) while the Stripe product has active subscriptions.
#[utoipa::path(tag = "stripe", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = Problem), (status = 409, body = Problem, description = "active_subscriptions"),
        (status = 422, body = Problem, description = "stripe_rejected: Stripe refused the request (its path, status and message are in `stripe`)"),
        (status = 502, body = Problem, description = "stripe_misconfigured: Stripe refused the key, or the API base URL does not lead to Stripe"),
        (status = 503, body = Problem, description = "stripe_unavailable: Stripe did not answer (timeout, network, 5xx); try again later")))]
#[delete("/products/{id}/stripe")]
pub async fn delete_link(s: web::Data<Services>, auth: Auth, id: web::Path<String>) -> ApiResult<HttpResponse> {
    auth.0.require(Scope::write(Family::Products))?;
    let id = path_id(&id, "product", ProductId::parse)?;
    s.stripe_unlink_product(auth.0.app_id(), &id).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SubscriptionResponse {
    pub id: String,
    pub customer_id: String,
    pub status: String,
    pub cancel_at_period_end: bool,
    /// The renewal date, or the end of access when canceling at period end.
    #[schema(format = DateTime)]
    pub current_period_end: Option<String>,
    pub stripe_product_ids: Vec<String>,
    /// Monthly recurring revenue in minor units.
    pub mrr: i64,
    pub currency: Option<String>,
}

impl From<tollgate_persistence::stripe::SubscriptionRecord> for SubscriptionResponse {
    fn from(x: tollgate_persistence::stripe::SubscriptionRecord) -> Self {
        SubscriptionResponse {
            id: x.subscription_id,
            customer_id: x.customer_id,
            status: x.status.as_str().into(),
            cancel_at_period_end: x.cancel_at_period_end,
            current_period_end: x.current_period_end.map(rfc3339),
            stripe_product_ids: x.stripe_product_ids,
            mrr: x.mrr,
            currency: x.currency,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SubscriptionList {
    pub data: Vec<SubscriptionResponse>,
}

/// A member's Stripe subscriptions with status, renewal date and MRR.
#[utoipa::path(tag = "users", security(("bearer" = [])), params(("id" = String, Path)), responses((status = 200, body = SubscriptionList), (status = 404, body = Problem)))]
#[get("/users/{id}/subscriptions")]
pub async fn user_subscriptions(s: web::Data<Services>, auth: Auth, id: web::Path<String>) -> ApiResult<web::Json<SubscriptionList>> {
    auth.0.require(Scope::read(Family::Users))?;
    let id = path_id(&id, "user", UserId::parse)?;
    let subs = s.member_subscriptions(auth.0.app_id(), &id).await?;
    Ok(web::Json(SubscriptionList { data: subs.into_iter().map(Into::into).collect() }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PurchaseResponse {
    pub id: String,
    pub product_id: String,
    /// The Stripe payment behind it (payment intent, charge or checkout session).
    pub source_ref: String,
    pub amount: i64,
    pub currency: Option<String>,
    pub refunded: bool,
    #[schema(format = DateTime)]
    pub purchased_at: String,
}

impl From<tollgate_persistence::stripe::Purchase> for PurchaseResponse {
    fn from(p: tollgate_persistence::stripe::Purchase) -> Self {
        PurchaseResponse {
            id: p.id,
            product_id: p.product_id.into_string(),
            source_ref: p.source_ref,
            amount: p.amount,
            currency: p.currency,
            refunded: p.refunded,
            purchased_at: rfc3339(p.purchased_at),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PurchaseList {
    pub data: Vec<PurchaseResponse>,
}

/// A member's one-off purchases (the Purchases tab).
#[utoipa::path(tag = "users", security(("bearer" = [])), params(("id" = String, Path)), responses((status = 200, body = PurchaseList), (status = 404, body = Problem)))]
#[get("/users/{id}/purchases")]
pub async fn user_purchases(s: web::Data<Services>, auth: Auth, id: web::Path<String>) -> ApiResult<web::Json<PurchaseList>> {
    auth.0.require(Scope::read(Family::Users))?;
    let id = path_id(&id, "user", UserId::parse)?;
    let list = s.member_purchases(auth.0.app_id(), &id).await?;
    Ok(web::Json(PurchaseList { data: list.into_iter().map(Into::into).collect() }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MetricsResponse {
    /// Monthly recurring revenue of active and past_due subscriptions, in minor units.
    pub mrr: i64,
    pub paying_subscriptions: i64,
    /// The currency most paying subscriptions use (null before the first one).
    pub currency: Option<String>,
}

/// Revenue figures of the app.
#[utoipa::path(tag = "app", security(("bearer" = [])), responses((status = 200, body = MetricsResponse)))]
#[get("/app/metrics")]
pub async fn metrics(s: web::Data<Services>, auth: Auth) -> ApiResult<web::Json<MetricsResponse>> {
    auth.0.require(Scope::read(Family::App))?;
    let (mrr, n, currency) = s.mrr_summary(auth.0.app_id()).await?;
    Ok(web::Json(MetricsResponse { mrr, paying_subscriptions: n, currency }))
}

#[derive(Debug, Deserialize, Validate, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct MrrHistoryQuery {
    /// First day (UTC, `YYYY-MM-DD`); default 29 days before `to`.
    pub from: Option<String>,
    /// Last day (UTC, `YYYY-MM-DD`), not after today; default today.
    pub to: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MrrPoint {
    /// UTC day, `YYYY-MM-DD`.
    #[schema(format = Date)]
    pub day: String,
    /// MRR at the end of the day (today: now), in minor units.
    pub mrr: i64,
    pub paying_subscriptions: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MrrHistoryResponse {
    #[schema(format = Date)]
    pub from: String,
    #[schema(format = Date)]
    pub to: String,
    /// Currency of the latest figure (null before the first paying subscription).
    pub currency: Option<String>,
    /// One point per day from the first day Tollgate recorded MRR (days
    /// before that are left out); a day without a snapshot carries the
    /// previous figure.
    pub data: Vec<MrrPoint>,
}

/// MRR per day, for the dashboard chart. Tollgate records the figure while
/// it runs (each minute); the range spans at most 366 days.
#[utoipa::path(tag = "app", security(("bearer" = [])), params(MrrHistoryQuery), responses((status = 200, body = MrrHistoryResponse), (status = 422, body = Problem)))]
#[get("/app/metrics/mrr")]
pub async fn mrr_history(s: web::Data<Services>, auth: Auth, q: ValidQuery<MrrHistoryQuery>) -> ApiResult<web::Json<MrrHistoryResponse>> {
    auth.0.require(Scope::read(Family::App))?;
    let q = q.0;
    let (range, points, currency) = s.mrr_history(auth.0.app_id(), q.from.as_deref(), q.to.as_deref()).await?;
    use tollgate_domain::metrics::format_day;
    Ok(web::Json(MrrHistoryResponse {
        from: format_day(range.from),
        to: format_day(range.to),
        currency,
        data: points.into_iter().map(|p| MrrPoint { day: format_day(p.day), mrr: p.mrr, paying_subscriptions: p.paying_subscriptions }).collect(),
    }))
}

