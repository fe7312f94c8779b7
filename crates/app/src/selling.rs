//! Selling (issue: Checkout, purchase methods, Customer Portal): Checkout
//! per linked product through a Stripe payment link, Checkout sessions for
//! logged-in members, sales pages, and the billing portal.

use tollgate_domain::error::{ValidationErrors, http_url, text};
use tollgate_domain::ids::{AppId, ProductId, UserId};
use tollgate_domain::selling::{Block, SaleProblem, TEMPLATES, sale_problem, template, validate_blocks};
use time::OffsetDateTime;
use tollgate_persistence::selling::{self as repo, CheckoutSettings, SalesPage};
use tollgate_persistence::stripe as srepo;
use tollgate_persistence::{apps, products, users};
use tollgate_stripe::client::{
    AfterCompletionParams, BillingPortalConfigurationParams, CheckoutMode, CustomerCreation, CreateBillingPortalSession, CreateCheckoutSession, CreatePaymentLink,
    LineItemParams, PortalBusinessProfileParams, PortalCancelMode, PortalCustomerUpdateParams, PortalFeaturesParams, PortalSubscriptionCancelParams,
    PortalToggleParams, SubscriptionDataParams, UpdatePaymentLink, UpdateSubscription,
};

pub use crate::connector_settings::PortalSettings;
use crate::error::{AppError, AppResult};
use crate::services::Services;
use crate::stripe::stripe_error;
use crate::stripe::SubscriptionView;

/// A product's Checkout settings as an admin sees them (the payment link's
/// id stays inside).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckoutView {
    pub enabled: bool,
    pub price_id: Option<String>,
    /// `payment` or `subscription`, from the price.
    pub mode: Option<String>,
    pub trial_period_days: Option<i64>,
    /// The Stripe payment link shown as the product's purchase target.
    pub payment_link_url: Option<String>,
}

impl From<CheckoutSettings> for CheckoutView {
    fn from(c: CheckoutSettings) -> Self {
        CheckoutView { enabled: c.enabled, price_id: c.price_id, mode: c.mode, trial_period_days: c.trial_period_days, payment_link_url: c.payment_link_url }
    }
}

/// A product's sales page.
#[derive(Debug, Clone, PartialEq)]
pub struct SalesPageView {
    pub product_id: ProductId,
    pub title: String,
    pub blocks: Vec<Block>,
    pub cta_label: String,
    /// The built-in template it was made from, if any.
    pub template: Option<String>,
    pub updated_at: OffsetDateTime,
}

impl From<SalesPage> for SalesPageView {
    fn from(p: SalesPage) -> Self {
        SalesPageView { product_id: p.product_id, title: p.title, blocks: p.blocks, cta_label: p.cta_label, template: p.template, updated_at: p.updated_at }
    }
}

/// A Checkout session for a member.
#[derive(Debug, Clone)]
pub struct CheckoutStart {
    pub session_id: String,
    pub url: String,
}

impl Services {
    fn site_base(&self, app: &tollgate_domain::app::App) -> String {
        app.site_url.clone().unwrap_or_else(|| self.config.public_url.clone()).trim_end_matches('/').to_owned()
    }

    pub async fn checkout_settings(&self, app: &AppId, product: &ProductId) -> AppResult<CheckoutView> {
        let mut c = self.db.acquire().await?;
        products::find(&mut c.conn(), app, product).await?.ok_or(AppError::NotFound("product"))?;
        repo::checkout_for(&mut c.conn(), app, product).await?.map(CheckoutView::from).ok_or_else(|| AppError::conflict("not_linked", "link the product to a Stripe product first"))
    }

    /// Turns Checkout on with one of the linked Stripe product's prices
    /// (Tollgate keeps a payment link for it, replaced when the price
    /// changes), or off (the payment link is deactivated).
    pub async fn set_checkout(&self, app: &AppId, product: &ProductId, enabled: bool, price_id: Option<&str>, trial_period_days: Option<u32>) -> AppResult<CheckoutView> {
        {
            let mut c = self.db.acquire().await?;
            products::find(&mut c.conn(), app, product).await?.ok_or(AppError::NotFound("product"))?;
        }
        let (client, _) = self.stripe_client(app).await?;
        let (link, current, appv) = {
            let mut c = self.db.acquire().await?;
            let link = srepo::link_for_product(&mut c.conn(), app, product).await?.ok_or_else(|| AppError::conflict("not_linked", "link the product to a Stripe product first"))?;
            let current = repo::checkout_for(&mut c.conn(), app, product).await?.unwrap_or_default();
            let appv = apps::find(&mut c.conn(), app).await?.ok_or(AppError::NotFound("app"))?;
            (link, current, appv)
        };
        let mut next = current.clone();
        if !enabled {
            if let Some(pl) = &current.payment_link_id {
                client.update_payment_link(pl, &UpdatePaymentLink { active: Some(false), ..Default::default() }, None).await.map_err(stripe_error)?;
            }
            next.enabled = false;
            next.payment_link_id = None;
            next.payment_link_url = None;
        } else {
            let price_id = price_id.or(current.price_id.as_deref()).ok_or_else(|| AppError::field("price_id", "required", "choose one of the Stripe product's prices"))?;
            let price = match client.retrieve_price(price_id).await {
                Ok(p) => p,
                Err(e) if e.is_not_found() => return Err(AppError::field("price_id", "not_found", "no such price in the connected Stripe account")),
                Err(e) => return Err(stripe_error(e)),
            };
            if price.product_id() != Some(link.stripe_product_id.as_str()) {
                return Err(AppError::field("price_id", "wrong_product", "this price belongs to another Stripe product"));
            }
            if price.active == Some(false) {
                return Err(AppError::field("price_id", "inactive", "this price is archived in Stripe"));
            }
            let recurring = price.recurring.is_some();
            if trial_period_days.is_some() && !recurring {
                return Err(AppError::field("trial_period_days", "not_recurring", "free trials need a recurring price"));
            }
            let trial = trial_period_days.filter(|_| recurring);
            let trial_changed = current.trial_period_days != trial.map(i64::from);
            if current.payment_link_id.is_none() || current.price_id.as_deref() != Some(price_id) || !current.enabled || trial_changed {
                if let Some(old) = &current.payment_link_id {
                    client.update_payment_link(old, &UpdatePaymentLink { active: Some(false), ..Default::default() }, None).await.map_err(stripe_error)?;
                }
                let site = self.site_base(&appv);
                let pl = client
                    .create_payment_link(
                        &CreatePaymentLink {
                            line_items: vec![LineItemParams { price: price_id.to_owned(), quantity: 1 }],
                            metadata: [("tollgate_app".to_owned(), app.to_string()), ("tollgate_product_id".to_owned(), product.to_string())].into_iter().collect(),
                            after_completion: Some(AfterCompletionParams::redirect(format!("{site}/member/products/{product}?checkout=success"))),
                            subscription_data: trial.map(|d| SubscriptionDataParams { trial_period_days: Some(d), ..Default::default() }),
                            allow_promotion_codes: Some(true),
                            customer_creation: (!recurring).then_some(CustomerCreation::Always),
                            ..Default::default()
                        },
                        None,
                    )
                    .await
                    .map_err(stripe_error)?;
                next.payment_link_id = Some(pl.id);
                next.payment_link_url = Some(pl.url);
            }
            next.enabled = true;
            next.price_id = Some(price_id.to_owned());
            next.mode = Some(if recurring { "subscription" } else { "payment" }.into());
            next.trial_period_days = trial.map(i64::from);
        }
        let mut tx = self.db.begin().await?;
        repo::set_checkout(&mut tx.conn(), app, product, &next, self.now()).await?;
        tx.commit().await?;
        Ok(next.into())
    }

    /// "Buy" for a logged-in member: a Checkout session with the member's
    /// Stripe customer (or email) prefilled and the member named in
    /// `client_reference_id`, so the purchase lands on this member.
    pub async fn member_checkout(&self, app: &AppId, user: &UserId, product: &ProductId) -> AppResult<CheckoutStart> {
        let (member, appv, settings, customers, prod) = {
            let mut c = self.db.acquire().await?;
            let member = users::find(&mut c.conn(), app, user).await?.ok_or(AppError::NotFound("user"))?;
            let appv = apps::find(&mut c.conn(), app).await?.ok_or(AppError::NotFound("app"))?;
            let prod = products::find(&mut c.conn(), app, product).await?.ok_or(AppError::NotFound("product"))?;
            let settings = repo::checkout_for(&mut c.conn(), app, product).await?.unwrap_or_default();
            let customers = srepo::customers_of(&mut c.conn(), app, user).await?;
            (member, appv, settings, customers, prod)
        };
        if prod.archived_at.is_some() {
            return Err(AppError::NotFound("product"));
        }
        let (true, Some(price)) = (settings.enabled, settings.price_id.clone()) else {
            return Err(AppError::conflict("checkout_disabled", "this product is not sold through Checkout"));
        };
        let (client, _) = self.stripe_client(app).await?;
        let site = self.site_base(&appv);
        let mode = if settings.mode.as_deref() == Some("subscription") { CheckoutMode::Subscription } else { CheckoutMode::Payment };
        let metadata: tollgate_stripe::types::Metadata =
            [("tollgate_app".to_owned(), app.to_string()), ("tollgate_user_id".to_owned(), user.to_string()), ("tollgate_product_id".to_owned(), product.to_string())]
                .into_iter()
                .collect();
        let customer = customers.first().cloned();
        let session = client
            .create_checkout_session(
                &CreateCheckoutSession {
                    mode,
                    line_items: vec![LineItemParams { price, quantity: 1 }],
                    success_url: format!("{site}/member/products/{product}?checkout=success"),
                    cancel_url: Some(format!("{site}/member/products/{product}?checkout=canceled")),
                    customer_email: customer.is_none().then(|| member.email.to_string()),
                    // One-off payments create no Customer by default ("if_required"):
                    // ask for one so the purchase links to the member.
                    customer_creation: (customer.is_none() && mode == CheckoutMode::Payment).then_some(CustomerCreation::Always),
                    customer,
                    client_reference_id: Some(user.to_string()),
                    metadata: metadata.clone(),
                    subscription_data: (mode == CheckoutMode::Subscription).then(|| SubscriptionDataParams {
                        metadata: metadata.clone(),
                        trial_period_days: settings.trial_period_days.and_then(|d| u32::try_from(d).ok()),
                    }),
                    payment_intent_data: None,
                    allow_promotion_codes: Some(true),
                },
                None,
            )
            .await
            .map_err(stripe_error)?;
        let url = session.url.clone().ok_or_else(|| AppError::Internal("Stripe returned a session without url".into()))?;
        Ok(CheckoutStart { session_id: session.id, url })
    }

    // ---------- portal ----------

    pub async fn portal_settings(&self, app: &AppId) -> AppResult<PortalSettings> {
        Ok(self.stripe_settings(app).await?.portal.unwrap_or_default())
    }

    /// Saves the portal options and keeps Tollgate's one portal
    /// configuration in the connected account in step (created once, then updated).
    pub async fn set_portal(&self, app: &AppId, enabled: bool, privacy: Option<String>, terms: Option<String>, allow_cancel: bool) -> AppResult<PortalSettings> {
        let mut e = ValidationErrors::new();
        let privacy = privacy.filter(|s| !s.trim().is_empty()).and_then(|u| e.check("privacy_policy_url", http_url(&u)));
        let terms = terms.filter(|s| !s.trim().is_empty()).and_then(|u| e.check("terms_of_service_url", http_url(&u)));
        if enabled && e.is_empty() {
            if privacy.is_none() {
                e.add("privacy_policy_url", "required", "Stripe requires a privacy policy URL to enable the portal");
            }
            if terms.is_none() {
                e.add("terms_of_service_url", "required", "Stripe requires a terms of service URL to enable the portal");
            }
        }
        e.into_result()?;
        let (client, _) = self.stripe_client(app).await?;
        let mut current = self.portal_settings(app).await?;
        let appv = self.get_app(app).await?;
        let params = BillingPortalConfigurationParams {
            business_profile: Some(PortalBusinessProfileParams { headline: Some(appv.name.clone()), privacy_policy_url: privacy.clone(), terms_of_service_url: terms.clone() }),
            default_return_url: Some(format!("{}/member", self.site_base(&appv))),
            features: Some(PortalFeaturesParams {
                customer_update: Some(PortalCustomerUpdateParams { enabled: true, allowed_updates: vec!["email".into(), "address".into()] }),
                invoice_history: Some(PortalToggleParams { enabled: true }),
                payment_method_update: Some(PortalToggleParams { enabled: true }),
                subscription_cancel: Some(PortalSubscriptionCancelParams { enabled: allow_cancel, mode: Some(PortalCancelMode::AtPeriodEnd) }),
            }),
            metadata: [("tollgate_app".to_owned(), app.to_string())].into_iter().collect(),
        };
        if enabled || current.configuration_id.is_some() {
            let cfg = match &current.configuration_id {
                Some(id) => client.update_billing_portal_configuration(id, &params, None).await,
                None => client.create_billing_portal_configuration(&params, Some(&format!("tollgate-portal-{app}"))).await,
            }
            .map_err(stripe_error)?;
            current.configuration_id = Some(cfg.id);
        }
        current.enabled = enabled;
        current.privacy_policy_url = privacy;
        current.terms_of_service_url = terms;
        current.allow_cancel = allow_cancel;
        self.update_stripe_settings(app, |s, _| {
            s.portal = Some(current.clone());
            Ok(())
        })
        .await?;
        Ok(current)
    }

    /// A billing portal session URL for a member (profile dropdown "Billing").
    pub async fn member_portal(&self, app: &AppId, user: &UserId) -> AppResult<String> {
        let portal = self.portal_settings(app).await?;
        if !portal.enabled {
            return Err(AppError::conflict("portal_disabled", "the billing portal is not enabled for this site"));
        }
        let (client, _) = self.stripe_client(app).await?;
        let (customers, appv) = {
            let mut c = self.db.acquire().await?;
            (srepo::customers_of(&mut c.conn(), app, user).await?, apps::find(&mut c.conn(), app).await?.ok_or(AppError::NotFound("app"))?)
        };
        let customer = customers.last().cloned().ok_or_else(|| AppError::conflict("no_billing_account", "you have no purchases or subscriptions to manage yet"))?;
        let s = client
            .create_billing_portal_session(
                &CreateBillingPortalSession { customer, return_url: Some(format!("{}/member", self.site_base(&appv))), configuration: portal.configuration_id },
                None,
            )
            .await
            .map_err(stripe_error)?;
        Ok(s.url)
    }

    /// Admin action: cancels a member's subscription now or at period end;
    /// access follows at once (the webhook that follows changes nothing more).
    pub async fn cancel_member_subscription(&self, app: &AppId, user: &UserId, subscription: &str, at_period_end: bool) -> AppResult<SubscriptionView> {
        let rec = {
            let mut c = self.db.acquire().await?;
            srepo::find_subscription(&mut c.conn(), app, subscription).await?.filter(|s| &s.user_id == user).ok_or(AppError::NotFound("subscription"))?
        };
        let (client, settings) = self.stripe_client(app).await?;
        let sub = if at_period_end {
            client
                .update_subscription(&rec.subscription_id, &UpdateSubscription { cancel_at_period_end: Some(true), ..Default::default() }, None)
                .await
        } else {
            client.cancel_subscription(&rec.subscription_id).await
        }
        .map_err(stripe_error)?;
        self.apply_subscription(app, &client, &settings, &sub, self.now()).await?;
        let mut c = self.db.acquire().await?;
        srepo::find_subscription(&mut c.conn(), app, subscription).await?.map(SubscriptionView::from).ok_or(AppError::NotFound("subscription"))
    }

    // ---------- sales pages ----------

    /// What a visitor's sales page needs, read on one connection with one
    /// product lookup: the live (not archived) product, its page, and the
    /// payment link when Checkout is on. `NotFound` for any missing part.
    /// Products whose purchase method cannot sell them yet, with what is missing.
    pub async fn sale_problems(&self, app: &AppId) -> AppResult<Vec<(ProductId, SaleProblem)>> {
        let mut c = self.db.acquire().await?;
        let all = crate::member_area::active_products(&mut c.conn(), app).await?;
        let checkout = repo::checkout_urls(&mut c.conn(), app).await?;
        let sales: std::collections::HashSet<ProductId> = repo::products_with_sales_pages(&mut c.conn(), app).await?.into_iter().collect();
        Ok(all
            .into_iter()
            .filter_map(|p| sale_problem(&p.fields, checkout.get(&p.id).map(String::as_str), sales.contains(&p.id)).map(|why| (p.id, why)))
            .collect())
    }

    pub async fn public_sales_page(&self, app: &AppId, product: &ProductId) -> AppResult<(tollgate_domain::product::Product, SalesPageView, Option<String>)> {
        let mut c = self.db.acquire().await?;
        let p = products::find(&mut c.conn(), app, product).await?.filter(|p| p.archived_at.is_none()).ok_or(AppError::NotFound("sales page"))?;
        let page = repo::sales_page(&mut c.conn(), app, product).await?.ok_or(AppError::NotFound("sales page"))?;
        let checkout = repo::checkout_for(&mut c.conn(), app, product).await?.filter(|c| c.enabled).and_then(|c| c.payment_link_url);
        Ok((p, page.into(), checkout))
    }

    pub async fn sales_page(&self, app: &AppId, product: &ProductId) -> AppResult<SalesPageView> {
        let mut c = self.db.acquire().await?;
        products::find(&mut c.conn(), app, product).await?.ok_or(AppError::NotFound("product"))?;
        repo::sales_page(&mut c.conn(), app, product).await?.map(SalesPageView::from).ok_or(AppError::NotFound("sales page"))
    }

    pub async fn save_sales_page(&self, app: &AppId, product: &ProductId, title: &str, blocks: Vec<Block>, cta_label: &str, template_name: Option<String>) -> AppResult<SalesPageView> {
        let mut e = ValidationErrors::new();
        let title = e.check("title", text(title, 1, 200));
        let cta = e.check("cta_label", text(cta_label, 1, 80));
        if let Err(v) = validate_blocks(&blocks) {
            e.0.extend(v.0);
        }
        e.clone().into_result()?;
        let (Some(title), Some(cta_label)) = (title, cta) else { return Err(e.into()) };
        let mut tx = self.db.begin().await?;
        products::find(&mut tx.conn(), app, product).await?.ok_or(AppError::NotFound("product"))?;
        let page = SalesPage { product_id: product.clone(), title, blocks, cta_label, template: template_name, updated_at: self.now() };
        repo::upsert_sales_page(&mut tx.conn(), app, &page).await?;
        tx.commit().await?;
        Ok(page.into())
    }

    /// Creates (or replaces) a product's sales page from a built-in template.
    pub async fn sales_page_from_template(&self, app: &AppId, product: &ProductId, name: &str) -> AppResult<SalesPageView> {
        let p = self.get_product(app, product).await?;
        let (title, blocks, cta) = template(name, &p.fields.name, &p.fields.description, p.fields.image_url.as_deref())
            .ok_or_else(|| AppError::field("template", "invalid_choice", format!("must be one of {}", TEMPLATES.join(", "))))?;
        self.save_sales_page(app, product, &title, blocks, &cta, Some(name.to_owned())).await
    }

    /// Copies another product's sales page.
    pub async fn duplicate_sales_page(&self, app: &AppId, product: &ProductId, from: &ProductId) -> AppResult<SalesPageView> {
        let src = self.sales_page(app, from).await.map_err(|e| match e {
            AppError::NotFound(_) => AppError::field("from_product_id", "not_found", "that product has no sales page"),
            other => other,
        })?;
        self.save_sales_page(app, product, &src.title, src.blocks, &src.cta_label, src.template).await
    }
}
