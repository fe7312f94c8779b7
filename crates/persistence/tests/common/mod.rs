//! What the persistence test files share: the rows most tests start from.
//! (`tollgate_persistence::both!` runs each test on SQLite and on PostgreSQL,
//! each in a fresh database.)
#![allow(dead_code)]

use time::{OffsetDateTime, macros::datetime};
use tollgate_domain::access::{AccessGrant, AccessSource};
use tollgate_domain::app::{App, AppSettings};
use tollgate_domain::email::Email;
use tollgate_domain::ids::*;
use tollgate_domain::product::{Product, ProductFields, PurchaseMethod};
use tollgate_domain::user::User;
use tollgate_persistence::*;

pub const T0: OffsetDateTime = datetime!(2026-06-01 12:00 UTC);

pub async fn new_app(db: &Db, name: &str) -> App {
    let app = App {
        id: AppId::new(),
        name: name.into(),
        site_url: Some("https://site.example.com".into()),
        support_email: None,
        settings: AppSettings::default(),
        branding: Default::default(),
        created_at: T0,
        updated_at: T0,
    };
    apps::insert(&mut db.acquire().await.unwrap().conn(), &app).await.unwrap();
    app
}

pub fn user(app: &App, email: &str, name: &str) -> User {
    User {
        id: UserId::new(),
        app_id: app.id.clone(),
        email: Email::parse(email).unwrap(),
        name: name.into(),
        has_password: false,
        last_login_at: None,
        created_at: T0,
        updated_at: T0,
        customer: Default::default(),
    }
}

pub fn product(app: &App, name: &str) -> Product {
    Product {
        id: ProductId::new(),
        app_id: app.id.clone(),
        fields: ProductFields {
            name: name.into(),
            description: "d".into(),
            image_url: None,
            purchase_method: PurchaseMethod::DirectCheckout,
            external_url: None,
            show_locked_card: true,
        },
        archived_at: None,
        created_at: T0,
        updated_at: T0,
    }
}

pub fn grant(u: &User, p: &Product, source: AccessSource, source_ref: Option<&str>) -> AccessGrant {
    AccessGrant {
        id: GrantId::new(),
        app_id: u.app_id.clone(),
        user_id: u.id.clone(),
        product_id: p.id.clone(),
        source,
        source_ref: source_ref.map(str::to_owned),
        reason: None,
        granted_at: T0,
        ends_at: None,
        revoked_at: None,
        revoke_reason: None,
    }
}

/// An enabled Standard Webhooks endpoint of `app` at `url`, wanting every event.
pub fn endpoint(app: &AppId, url: &str) -> tollgate_domain::outbound::Endpoint {
    tollgate_domain::outbound::Endpoint {
        id: EndpointId::new(),
        app_id: app.clone(),
        kind: tollgate_domain::outbound::EndpointKind::Standard,
        url: url.to_owned(),
        description: String::new(),
        event_types: Vec::new(),
        enabled: true,
        disabled_reason: None,
        failing_since: None,
        previous_secret_until: None,
        created_at: T0,
        updated_at: T0,
    }
}
