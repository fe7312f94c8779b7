//! The persistence conformance suite: every test runs on SQLite and on
//! PostgreSQL, each in a fresh database.

mod common;

use common::*;
use time::{Duration, OffsetDateTime};
use tollgate_domain::access::AccessSource;
use tollgate_domain::activity::{ActivityKind, NewActivity};
use tollgate_domain::app::AppSettings;
use tollgate_domain::auth::Role;
use tollgate_domain::email::Email;
use tollgate_domain::ids::*;
use tollgate_domain::page::Limit;
use tollgate_persistence::activities::ActivityFilter;
use tollgate_persistence::idempotency::Claim;
use tollgate_persistence::*;
use tollgate_domain::connector::ConnectorKind::{self, Stripe};
use tollgate_persistence::inbox::{self, InboxEvent, InboxFilter, find_event, latest_event_created, list_events, mark_event, store_event};

both!(
    apps_round_trip,
    admins_unique_email_and_roles,
    users_unique_per_app_and_isolated,
    users_search_and_keyset_pages,
    products_crud_archive_and_pages,
    grants_open_unique_and_revoke,
    activities_feed_filters_and_cursor,
    idempotency_claims,
    connectors_upsert,
    failed_transaction_writes_nothing,
    stripe_links_customers_subscriptions_purchases_inbox,
    lock_for_update_serializes_transactions,
    webhook_events_stored_once_then_taken_for_queueing,
    mrr_history_days,
    audit_entry_commits_and_rolls_back_with_the_change,
);

async fn apps_round_trip(db: &Db) {
    let mut app = new_app(db, "Academy").await;
    let mut c = db.acquire().await.unwrap();
    assert_eq!(apps::find(&mut c.conn(), &app.id).await.unwrap().unwrap(), app);
    app.settings = AppSettings { inactivity_threshold_days: 45, past_due_grace_days: 3, refund_revokes_access: false };
    app.name = "Academy 2".into();
    assert!(apps::update(&mut c.conn(), &app).await.unwrap());
    assert_eq!(apps::find(&mut c.conn(), &app.id).await.unwrap().unwrap(), app);
    assert!(apps::find(&mut c.conn(), &AppId::new()).await.unwrap().is_none());
}

async fn admins_unique_email_and_roles(db: &Db) {
    let app = new_app(db, "A").await;
    let other = new_app(db, "B").await;
    let mut c = db.acquire().await.unwrap();
    let a = admins::Admin { id: AdminId::new(), email: Email::parse("Owner@Example.com").unwrap(), name: "O".into(), created_at: T0 };
    admins::insert(&mut c.conn(), &a, "hash").await.unwrap();
    let dup = admins::Admin { id: AdminId::new(), ..a.clone() };
    assert!(matches!(admins::insert(&mut c.conn(), &dup, "h").await, Err(DbError::Taken(Unique::AdminEmail))));
    admins::add_to_app(&mut c.conn(), &app.id, &a.id, Role::Owner, T0).await.unwrap();
    assert_eq!(admins::role_in(&mut c.conn(), &app.id, &a.id).await.unwrap(), Some(Role::Owner));
    assert_eq!(admins::role_in(&mut c.conn(), &other.id, &a.id).await.unwrap(), None);
    let found = admins::find_by_email(&mut c.conn(), &Email::parse("owner@example.com").unwrap()).await.unwrap().unwrap();
    assert_eq!(found.password_hash, "hash");
    let ms = admins::memberships(&mut c.conn(), &a.id).await.unwrap();
    assert_eq!(ms.len(), 1);
    assert_eq!(ms[0].app_name, "A");
    assert_eq!(admins::count(&mut c.conn()).await.unwrap(), 1);
}

async fn users_unique_per_app_and_isolated(db: &Db) {
    let a = new_app(db, "A").await;
    let b = new_app(db, "B").await;
    let mut c = db.acquire().await.unwrap();
    let ua = user(&a, "m@example.com", "M");
    users::insert(&mut c.conn(), &ua, None).await.unwrap();
    assert!(matches!(users::insert(&mut c.conn(), &user(&a, "m@example.com", "M2"), None).await, Err(DbError::Taken(Unique::MemberEmail))));
    let ub = user(&b, "m@example.com", "M");
    users::insert(&mut c.conn(), &ub, Some("pw")).await.unwrap();
    assert!(users::find(&mut c.conn(), &b.id, &ua.id).await.unwrap().is_none(), "app B cannot read app A's member");
    let (found, hash) = users::find_credentials(&mut c.conn(), &b.id, &ub.email).await.unwrap().unwrap();
    assert!(found.has_password);
    assert_eq!(hash.as_deref(), Some("pw"));
    let prev = users::record_login(&mut c.conn(), &a.id, &ua.id, T0 + Duration::days(1)).await.unwrap();
    assert_eq!(prev, None);
    let prev = users::record_login(&mut c.conn(), &a.id, &ua.id, T0 + Duration::days(2)).await.unwrap();
    assert_eq!(prev, Some(T0 + Duration::days(1)));
}

async fn users_search_and_keyset_pages(db: &Db) {
    let app = new_app(db, "A").await;
    let mut c = db.acquire().await.unwrap();
    let mut ids = vec![];
    for i in 0..7 {
        let u = user(&app, &format!("member{i}@example.com"), &format!("Member {i}"));
        users::insert(&mut c.conn(), &u, None).await.unwrap();
        ids.push(u.id);
    }
    let special = user(&app, "zed@other.org", "Ada_Lovelace 100%");
    users::insert(&mut c.conn(), &special, None).await.unwrap();
    // Walk all pages of 3: every member once, newest first.
    let mut seen = vec![];
    let mut cursor: Option<UserId> = None;
    loop {
        let page = users::list(&mut c.conn(), &app.id, None, cursor.as_ref(), Limit::parse(Some(3)).unwrap()).await.unwrap();
        seen.extend(page.items.iter().map(|u| u.id.clone()));
        match page.next_cursor {
            Some(cur) => cursor = Some(UserId::from_trusted(cur)),
            None => break,
        }
    }
    assert_eq!(seen.len(), 8);
    let mut sorted = seen.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(seen, sorted);
    let hit = |q: &'static str| {
        let app_id = app.id.clone();
        async move {
            let mut c = db.acquire().await.unwrap();
            users::list(&mut c.conn(), &app_id, Some(q), None, Limit::default()).await.unwrap().items.len()
        }
    };
    assert_eq!(hit("member3@").await, 1, "email prefix");
    assert_eq!(hit("MEMBER").await, 7, "case-insensitive");
    assert_eq!(hit("lovelace").await, 1, "name contains");
    assert_eq!(hit("100%").await, 1, "% is literal");
    assert_eq!(hit("a_l").await, 1, "_ is literal");
    assert_eq!(hit("example.com").await, 0, "email matches by prefix only");
    // Case folds beyond ASCII on both backends (SQLite's LOWER() alone would not).
    let mut c = db.acquire().await.unwrap();
    users::insert(&mut c.conn(), &user(&app, "elodie@example.fr", "Élodie Ørsted"), None).await.unwrap();
    drop(c);
    assert_eq!(hit("élodie").await, 1, "É matches é");
    assert_eq!(hit("ØRSTED").await, 1, "ø matches Ø");
    assert_eq!(hit("elodie").await, 1, "the email prefix still matches");
    let mut c = db.acquire().await.unwrap();
    let mut renamed = users::list(&mut c.conn(), &app.id, Some("élodie"), None, Limit::default()).await.unwrap().items.remove(0);
    renamed.name = "Ève Ørsted".into();
    users::update(&mut c.conn(), &renamed).await.unwrap();
    drop(c);
    assert_eq!((hit("ève").await, hit("élodie").await), (1, 0), "a rename refolds the name");
}

async fn products_crud_archive_and_pages(db: &Db) {
    let app = new_app(db, "A").await;
    let other = new_app(db, "B").await;
    let mut c = db.acquire().await.unwrap();
    let mut p = product(&app, "Course");
    products::insert(&mut c.conn(), &p).await.unwrap();
    p.fields.name = "Course 2".into();
    p.archived_at = Some(T0);
    assert!(products::update(&mut c.conn(), &p).await.unwrap());
    assert_eq!(products::find(&mut c.conn(), &app.id, &p.id).await.unwrap().unwrap(), p);
    assert!(products::find(&mut c.conn(), &other.id, &p.id).await.unwrap().is_none());
    let mut q = p.clone();
    q.app_id = other.id.clone();
    assert!(!products::update(&mut c.conn(), &q).await.unwrap(), "update across apps touches nothing");
    let live = products::list(&mut c.conn(), &app.id, false, None, Limit::default()).await.unwrap();
    assert!(live.items.is_empty());
    let all = products::list(&mut c.conn(), &app.id, true, None, Limit::default()).await.unwrap();
    assert_eq!(all.items.len(), 1);

    for (title, pos) in [("Third", 3), ("First", 1), ("Second", 2)] {
        let pg = tollgate_domain::product::ContentPage {
            id: PageId::new(),
            app_id: app.id.clone(),
            product_id: p.id.clone(),
            title: title.into(),
            body: "".into(),
            position: pos,
            created_at: T0,
            updated_at: T0,
        };
        products::insert_page(&mut c.conn(), &pg).await.unwrap();
    }
    let pages = products::list_pages(&mut c.conn(), &app.id, &p.id).await.unwrap();
    assert_eq!(pages.iter().map(|p| p.title.as_str()).collect::<Vec<_>>(), ["First", "Second", "Third"]);
    assert!(products::delete_page(&mut c.conn(), &app.id, &p.id, &pages[0].id).await.unwrap());
    assert!(!products::delete_page(&mut c.conn(), &other.id, &p.id, &pages[1].id).await.unwrap());
    // A page of a product that does not exist is refused by the database.
    let orphan = tollgate_domain::product::ContentPage { id: PageId::new(), product_id: ProductId::new(), ..pages[1].clone() };
    assert!(matches!(products::insert_page(&mut c.conn(), &orphan).await, Err(DbError::ForeignKeyViolation)));
}

async fn grants_open_unique_and_revoke(db: &Db) {
    let app = new_app(db, "A").await;
    let mut c = db.acquire().await.unwrap();
    let u = user(&app, "m@example.com", "M");
    users::insert(&mut c.conn(), &u, None).await.unwrap();
    let p = product(&app, "P");
    products::insert(&mut c.conn(), &p).await.unwrap();
    let g1 = grant(&u, &p, AccessSource::StripeSubscription, Some("sub_1"));
    access::insert(&mut c.conn(), &g1, T0).await.unwrap();
    let again = grant(&u, &p, AccessSource::StripeSubscription, Some("sub_1"));
    assert!(matches!(access::insert(&mut c.conn(), &again, T0).await, Err(DbError::Taken(Unique::OpenGrant))), "one open grant per source object");
    access::insert(&mut c.conn(), &grant(&u, &p, AccessSource::Manual, None), T0).await.unwrap();
    assert!(matches!(access::insert(&mut c.conn(), &grant(&u, &p, AccessSource::Manual, None), T0).await, Err(DbError::Taken(Unique::OpenGrant))));
    assert_eq!(access::open_for(&mut c.conn(), &app.id, &u.id, &p.id).await.unwrap().len(), 2);
    assert_eq!(access::open_by_source(&mut c.conn(), &app.id, AccessSource::StripeSubscription, "sub_1").await.unwrap().len(), 1);
    let end = T0 + Duration::days(30);
    assert!(access::set_ends_at(&mut c.conn(), &app.id, &g1.id, Some(end), T0).await.unwrap());
    assert!(access::revoke(&mut c.conn(), &app.id, &g1.id, Some("canceled"), T0).await.unwrap());
    assert!(!access::revoke(&mut c.conn(), &app.id, &g1.id, None, T0).await.unwrap(), "second revoke is a no-op");
    let stored = access::find(&mut c.conn(), &app.id, &g1.id).await.unwrap().unwrap();
    assert_eq!(stored.ends_at, Some(end));
    assert_eq!(stored.revoke_reason.as_deref(), Some("canceled"));
    // Once revoked, the same source object may grant again.
    access::insert(&mut c.conn(), &again, T0).await.unwrap();
    let page = access::list_for_user(&mut c.conn(), &app.id, &u.id, Some(&p.id), None, Limit::default()).await.unwrap();
    assert_eq!(page.items.len(), 3);
}

async fn activities_feed_filters_and_cursor(db: &Db) {
    let app = new_app(db, "A").await;
    let other = new_app(db, "B").await;
    let mut c = db.acquire().await.unwrap();
    let u1 = UserId::new();
    let u2 = UserId::new();
    let p = ProductId::new();
    let kinds = [ActivityKind::UserCreated, ActivityKind::ProductAccessGranted, ActivityKind::UserLogin];
    for i in 0..9 {
        let u = if i % 2 == 0 { &u1 } else { &u2 };
        let a = NewActivity::new(kinds[i % 3], Some(u.clone()), (i % 3 == 1).then(|| p.clone()), T0 + Duration::minutes((i / 2) as i64))
            .with_data(serde_json::json!({ "i": i }));
        activities::insert(&mut c.conn(), &app.id, &a).await.unwrap();
    }
    activities::insert(&mut c.conn(), &other.id, &NewActivity::new(ActivityKind::UserLogin, Some(u1.clone()), None, T0)).await.unwrap();
    // Pages of 4 cover all 9 in (occurred_at, id) descending order, each once.
    let mut all = vec![];
    let mut cur = None;
    loop {
        let page = activities::list(&mut c.conn(), &app.id, &ActivityFilter::default(), cur.as_ref(), Limit::parse(Some(4)).unwrap()).await.unwrap();
        all.extend(page.items);
        match page.next_cursor {
            Some(s) => cur = Some(tollgate_domain::page::TimeCursor::parse(&s).unwrap()),
            None => break,
        }
    }
    assert_eq!(all.len(), 9);
    for w in all.windows(2) {
        assert!((w[0].occurred_at, &w[0].id) > (w[1].occurred_at, &w[1].id));
    }
    let f = |kinds: Vec<ActivityKind>, user: Option<UserId>, product: Option<ProductId>, since: Option<OffsetDateTime>| ActivityFilter {
        kinds,
        user_id: user,
        product_id: product,
        since_ms: since.map(tollgate_domain::clock::to_millis),
        until_ms: None,
    };
    let count = |filter: ActivityFilter| {
        let app_id = app.id.clone();
        async move {
            let mut c = db.acquire().await.unwrap();
            activities::list(&mut c.conn(), &app_id, &filter, None, Limit::parse(Some(100)).unwrap()).await.unwrap().items.len()
        }
    };
    assert_eq!(count(f(vec![ActivityKind::UserLogin], None, None, None)).await, 3);
    assert_eq!(count(f(vec![ActivityKind::UserLogin, ActivityKind::UserCreated], None, None, None)).await, 6);
    assert_eq!(count(f(vec![], Some(u1.clone()), None, None)).await, 5);
    assert_eq!(count(f(vec![], None, Some(p.clone()), None)).await, 3);
    assert_eq!(count(f(vec![], None, None, Some(T0 + Duration::minutes(3)))).await, 3);
    assert_eq!(all[0].data, serde_json::json!({ "i": 8 }));
}

async fn idempotency_claims(db: &Db) {
    let app = new_app(db, "A").await;
    let other = new_app(db, "B").await;
    let mut c = db.acquire().await.unwrap();
    assert_eq!(idempotency::claim(&mut c.conn(), &app.id, "k1", "h1", T0).await.unwrap(), Claim::Fresh);
    assert_eq!(idempotency::claim(&mut c.conn(), &app.id, "k1", "h1", T0).await.unwrap(), Claim::InFlight);
    assert_eq!(idempotency::claim(&mut c.conn(), &app.id, "k1", "h2", T0).await.unwrap(), Claim::Mismatch);
    idempotency::complete(&mut c.conn(), &app.id, "k1", 201, "{\"id\":1}").await.unwrap();
    assert_eq!(idempotency::claim(&mut c.conn(), &app.id, "k1", "h1", T0).await.unwrap(), Claim::Done { status: 201, body: "{\"id\":1}".into() });
    assert_eq!(idempotency::claim(&mut c.conn(), &other.id, "k1", "h1", T0).await.unwrap(), Claim::Fresh, "keys are per app");
    idempotency::release(&mut c.conn(), &other.id, "k1").await.unwrap();
    assert_eq!(idempotency::claim(&mut c.conn(), &other.id, "k1", "h9", T0).await.unwrap(), Claim::Fresh, "a released key is free");
    assert_eq!(idempotency::prune(&mut c.conn(), T0 + Duration::hours(25)).await.unwrap(), 2);
}

async fn connectors_upsert(db: &Db) {
    let app = new_app(db, "A").await;
    let mut c = db.acquire().await.unwrap();
    let mut rec = connectors::ConnectorRecord { kind: "stripe".into(), settings: serde_json::json!({"a": 1}), secrets: Some("enc".into()), updated_at: T0 };
    connectors::upsert(&mut c.conn(), &app.id, &rec).await.unwrap();
    rec.settings = serde_json::json!({"a": 2});
    rec.secrets = None;
    connectors::upsert(&mut c.conn(), &app.id, &rec).await.unwrap();
    assert_eq!(connectors::find(&mut c.conn(), &app.id, "stripe").await.unwrap().unwrap(), rec);
    assert!(connectors::find(&mut c.conn(), &app.id, "zapier").await.unwrap().is_none());
}

async fn failed_transaction_writes_nothing(db: &Db) {
    let app = new_app(db, "A").await;
    let u = user(&app, "m@example.com", "M");
    {
        let mut tx = db.begin().await.unwrap();
        users::insert(&mut tx.conn(), &u, None).await.unwrap();
        activities::insert(&mut tx.conn(), &app.id, &NewActivity::new(ActivityKind::UserCreated, Some(u.id.clone()), None, T0)).await.unwrap();
        // dropped without commit
    }
    let mut c = db.acquire().await.unwrap();
    assert!(users::find(&mut c.conn(), &app.id, &u.id).await.unwrap().is_none());
    let feed = activities::list(&mut c.conn(), &app.id, &ActivityFilter::default(), None, Limit::default()).await.unwrap();
    assert!(feed.items.is_empty());
}

async fn stripe_links_customers_subscriptions_purchases_inbox(db: &Db) {
    use tollgate_domain::subscription::SubscriptionStatus;
    use tollgate_persistence::stripe::*;
    let app = new_app(db, "A").await;
    let other = new_app(db, "B").await;
    let mut c = db.acquire().await.unwrap();
    let p1 = product(&app, "P1");
    let p2 = product(&app, "P2");
    products::insert(&mut c.conn(), &p1).await.unwrap();
    products::insert(&mut c.conn(), &p2).await.unwrap();
    let l = ProductLink { product_id: p1.id.clone(), stripe_product_id: "prod_S1".into(), stripe_product_name: "S1".into(), import_job_id: None, created_at: T0 };
    insert_link(&mut c.conn(), &app.id, &l).await.unwrap();
    let dup = ProductLink { product_id: p2.id.clone(), ..l.clone() };
    assert!(matches!(insert_link(&mut c.conn(), &app.id, &dup).await, Err(DbError::Taken(Unique::StripeProductLink))), "one Tollgate product per Stripe product, named");
    assert_eq!(links(&mut c.conn(), &app.id).await.unwrap(), vec![l.clone()]);
    assert!(links(&mut c.conn(), &other.id).await.unwrap().is_empty());

    let u = user(&app, "m@example.com", "M");
    users::insert(&mut c.conn(), &u, None).await.unwrap();
    link_customer(&mut c.conn(), &app.id, "cus_1", &u.id, T0).await.unwrap();
    link_customer(&mut c.conn(), &app.id, "cus_1", &u.id, T0).await.unwrap();
    link_customer(&mut c.conn(), &app.id, "cus_2", &u.id, T0).await.unwrap();
    assert_eq!(user_for_customer(&mut c.conn(), &app.id, "cus_1").await.unwrap(), Some(u.id.clone()));
    assert_eq!(user_for_customer(&mut c.conn(), &other.id, "cus_1").await.unwrap(), None);
    assert_eq!(customers_of(&mut c.conn(), &app.id, &u.id).await.unwrap().len(), 2, "a member may have several customers");

    let mut s = SubscriptionRecord {
        subscription_id: "sub_1".into(),
        customer_id: "cus_1".into(),
        user_id: u.id.clone(),
        status: SubscriptionStatus::Active,
        cancel_at_period_end: false,
        current_period_end: Some(T0 + Duration::days(30)),
        past_due_since: None,
        stripe_product_ids: vec!["prod_S1".into(), "prod_S2".into()],
        mrr: 2500,
        currency: Some("usd".into()),
        started_recorded: true,
        cancel_recorded: false,
        state_at: T0,
    };
    upsert_subscription(&mut c.conn(), &app.id, &s, T0).await.unwrap();
    s.status = SubscriptionStatus::PastDue;
    s.past_due_since = Some(T0);
    s.cancel_at_period_end = true;
    upsert_subscription(&mut c.conn(), &app.id, &s, T0).await.unwrap();
    assert_eq!(find_subscription(&mut c.conn(), &app.id, "sub_1").await.unwrap().unwrap(), s);
    let mut s2 = s.clone();
    s2.subscription_id = "sub_2".into();
    s2.mrr = 1000;
    upsert_subscription(&mut c.conn(), &app.id, &s2, T0).await.unwrap();
    assert_eq!(mrr_summary(&mut c.conn(), &app.id).await.unwrap(), (3500, 2));
    assert_eq!(mrr_summary(&mut c.conn(), &other.id).await.unwrap(), (0, 0));

    let pur = Purchase { id: "pur_1".into(), user_id: u.id.clone(), product_id: p1.id.clone(), source_ref: "pi_1".into(), amount: 1900, currency: Some("eur".into()), refunded: false, purchased_at: T0 };
    assert!(insert_purchase(&mut c.conn(), &app.id, &pur, T0).await.unwrap());
    assert!(!insert_purchase(&mut c.conn(), &app.id, &Purchase { id: "pur_2".into(), ..pur.clone() }, T0).await.unwrap(), "one purchase per payment and product");
    assert_eq!(mark_refunded(&mut c.conn(), &app.id, "pi_1").await.unwrap(), 1);
    assert_eq!(mark_refunded(&mut c.conn(), &app.id, "pi_1").await.unwrap(), 0);
    assert!(purchases_of(&mut c.conn(), &app.id, &u.id).await.unwrap()[0].refunded);

    let e = InboxEvent { event_id: "evt_1".into(), event_type: "invoice.paid".into(), created: 100, payload: "{}".into(), status: "pending".into(), received_at: T0, processed_at: None, error: None };
    assert!(store_event(db, &app.id, Stripe, &e).await.unwrap());
    assert!(!store_event(db, &app.id, Stripe, &e).await.unwrap(), "the same event twice is stored once");
    assert!(store_event(db, &other.id, Stripe, &e).await.unwrap(), "event ids are per app");
    mark_event(&mut c.conn(), &app.id, Stripe, "evt_1", "processed", None, T0).await.unwrap();
    assert_eq!(find_event(&mut c.conn(), &app.id, Stripe, "evt_1").await.unwrap().unwrap().status, "processed");
    assert_eq!(latest_event_created(&mut c.conn(), &app.id, Stripe).await.unwrap(), Some(100));
    assert_eq!(list_events(&mut c.conn(), &app.id, Stripe, Some("pending"), 10).await.unwrap().len(), 0);

    // The inbox is keyed by connector kind: another connector's event of the
    // same id is its own row, with its own status, and reads stay per kind.
    let keap = ConnectorKind::Keap;
    assert!(store_event(db, &app.id, keap, &InboxEvent { created: 200, ..e.clone() }).await.unwrap(), "same id, another connector");
    assert_eq!(find_event(&mut c.conn(), &app.id, keap, "evt_1").await.unwrap().unwrap().status, "pending");
    assert_eq!(find_event(&mut c.conn(), &app.id, Stripe, "evt_1").await.unwrap().unwrap().status, "processed");
    assert_eq!(latest_event_created(&mut c.conn(), &app.id, Stripe).await.unwrap(), Some(100), "recovery resumes per connector");
    assert_eq!(latest_event_created(&mut c.conn(), &app.id, keap).await.unwrap(), Some(200));
    assert_eq!(list_events(&mut c.conn(), &app.id, keap, None, 10).await.unwrap().len(), 1);
    assert_eq!(list_events(&mut c.conn(), &app.id, Stripe, None, 10).await.unwrap().len(), 1);
    // A delivery that arrives late (created before the newest) does not move
    // the recovery point back.
    let later = InboxEvent { event_id: "evt_2".into(), created: 300, received_at: T0 + Duration::seconds(1), ..e.clone() };
    let late = InboxEvent { event_id: "evt_3".into(), created: 150, received_at: T0 + Duration::seconds(2), ..e.clone() };
    assert!(store_event(db, &app.id, Stripe, &later).await.unwrap());
    assert!(store_event(db, &app.id, Stripe, &late).await.unwrap());
    assert_eq!(latest_event_created(&mut c.conn(), &app.id, Stripe).await.unwrap(), Some(300), "the newest created, not the last received");
}

async fn lock_for_update_serializes_transactions(db: &Db) {
    // Two transactions that lock the same key run one after the other: the
    // second reads what the first wrote.
    let app = new_app(db, "A").await;
    let first = {
        let db = db.clone();
        let app = app.id.clone();
        tokio::spawn(async move {
            let mut tx = db.begin().await.unwrap();
            lock_for_update(&mut tx.conn(), "k").await.unwrap();
            tokio::time::sleep(std::time::Duration::from_millis(300)).await;
            let mut a = apps::find(&mut tx.conn(), &app).await.unwrap().unwrap();
            a.name = "first".into();
            apps::update(&mut tx.conn(), &a).await.unwrap();
            tx.commit().await.unwrap();
        })
    };
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    let mut tx = db.begin().await.unwrap();
    lock_for_update(&mut tx.conn(), "k").await.unwrap();
    let seen = apps::find(&mut tx.conn(), &app.id).await.unwrap().unwrap().name;
    tx.commit().await.unwrap();
    first.await.unwrap();
    assert_eq!(seen, "first", "the second transaction waited for the first");
}

async fn webhook_events_stored_once_then_taken_for_queueing(db: &Db) {
    let app = new_app(db, "A").await;
    let ev = |id: &str| InboxEvent { event_id: id.into(), event_type: "invoice.paid".into(), created: 1, payload: "{}".into(), status: inbox::RECEIVED.into(), received_at: T0, processed_at: None, error: None };
    assert!(store_event(db, &app.id, Stripe, &ev("evt_1")).await.unwrap());
    assert!(!store_event(db, &app.id, Stripe, &ev("evt_1")).await.unwrap(), "duplicate");
    assert!(store_event(db, &app.id, Stripe, &InboxEvent { status: "ignored".into(), ..ev("evt_2") }).await.unwrap(), "an ignored type: stored");
    let mut c = db.acquire().await.unwrap();
    assert!(jobs::list(&mut c.conn(), &app.id, None, None, Limit::default()).await.unwrap().items.is_empty(), "ingest queues no job");
    let e1 = find_event(&mut c.conn(), &app.id, Stripe, "evt_1").await.unwrap().unwrap();
    assert_eq!(e1.status, "pending", "a received event reads as pending");
    let pending = inbox::list(&mut c.conn(), &app.id, Stripe, &InboxFilter { status: Some("pending".into()), ..Default::default() }, None, Limit::default()).await.unwrap();
    assert_eq!(pending.items.iter().map(|e| e.event_id.as_str()).collect::<Vec<_>>(), ["evt_1"], "the pending filter finds received events");
    drop(c);
    // Concurrent deliveries of one event: stored once.
    let mut tasks = vec![];
    for _ in 0..8 {
        let (db, app) = (db.clone(), app.id.clone());
        tasks.push(tokio::spawn(async move { store_event(&db, &app, Stripe, &ev("evt_3")).await.unwrap() }));
    }
    let mut stored = 0;
    for t in tasks {
        stored += t.await.unwrap() as usize;
    }
    assert_eq!(stored, 1);
    // Many deliveries at once (SQLite writes them in shared commits): each
    // event stored once, for its own app, and each caller told the truth.
    let other = new_app(db, "B").await;
    let mut tasks = vec![];
    for round in 0..3 {
        for n in 0..10 {
            let (db, target) = (db.clone(), if n % 2 == 0 { app.id.clone() } else { other.id.clone() });
            let id = format!("evt_burst_{n}");
            tasks.push(tokio::spawn(async move {
                let stored = store_event(&db, &target, Stripe, &ev(&id)).await.unwrap();
                (round, id, stored)
            }));
        }
    }
    let mut stored_ids = vec![];
    for t in tasks {
        let (_, id, stored) = t.await.unwrap();
        if stored {
            stored_ids.push(id);
        }
    }
    stored_ids.sort();
    assert_eq!(stored_ids, (0..10).map(|n| format!("evt_burst_{n}")).collect::<Vec<_>>(), "every event stored exactly once");
    // The worker takes each received event once, across apps, a batch at a
    // time, and marks it pending; ignored events are not taken.
    let mut taken = vec![];
    for _ in 0..4 {
        let mut tx = db.begin().await.unwrap();
        let batch = inbox::take_received(&mut tx.conn(), 5).await.unwrap();
        tx.commit().await.unwrap();
        assert!(batch.len() <= 5);
        taken.extend(batch.into_iter().map(|(a, k, id, at)| (a.as_str().to_owned(), k.as_str(), id, at)));
    }
    taken.sort();
    let mut want: Vec<(String, &str, String, time::OffsetDateTime)> = ["evt_1", "evt_3", "evt_burst_0", "evt_burst_2", "evt_burst_4", "evt_burst_6", "evt_burst_8"]
        .iter()
        .map(|id| (app.id.as_str().to_owned(), "stripe", id.to_string(), T0))
        .chain(["evt_burst_1", "evt_burst_3", "evt_burst_5", "evt_burst_7", "evt_burst_9"].iter().map(|id| (other.id.as_str().to_owned(), "stripe", id.to_string(), T0)))
        .collect();
    want.sort();
    assert_eq!(taken, want);
    let mut c = db.acquire().await.unwrap();
    assert!(inbox::take_received(&mut c.conn(), 5).await.unwrap().is_empty(), "nothing is taken twice");
    assert_eq!(find_event(&mut c.conn(), &other.id, Stripe, "evt_burst_1").await.unwrap().unwrap().status, "pending");
    assert_eq!(find_event(&mut c.conn(), &app.id, Stripe, "evt_2").await.unwrap().unwrap().status, "ignored");
}

async fn mrr_history_days(db: &Db) {
    use time::macros::date;
    use tollgate_domain::metrics::DailyMrr;
    let app = new_app(db, "A").await;
    let other = new_app(db, "B").await;
    let mut c = db.acquire().await.unwrap();
    let p = |day, mrr, n| DailyMrr { day, mrr, paying_subscriptions: n };
    metrics::record_day(&mut c.conn(), &app.id, &p(date!(2026 - 05 - 30), 1000, 1), Some("eur"), T0).await.unwrap();
    metrics::record_day(&mut c.conn(), &app.id, &p(date!(2026 - 06 - 01), 1500, 2), Some("eur"), T0).await.unwrap();
    // The same day again replaces its figure.
    metrics::record_day(&mut c.conn(), &app.id, &p(date!(2026 - 06 - 01), 2500, 3), None, T0).await.unwrap();
    metrics::record_day(&mut c.conn(), &other.id, &p(date!(2026 - 06 - 01), 99, 9), Some("usd"), T0).await.unwrap();

    let days = metrics::days(&mut c.conn(), &app.id, date!(2026 - 05 - 31), date!(2026 - 06 - 30)).await.unwrap();
    assert_eq!(days, vec![(p(date!(2026 - 06 - 01), 2500, 3), None)], "one row per day, the latest figure, this app only");
    let before = metrics::last_before(&mut c.conn(), &app.id, date!(2026 - 05 - 31)).await.unwrap();
    assert_eq!(before, Some((p(date!(2026 - 05 - 30), 1000, 1), Some("eur".into()))));
    assert_eq!(metrics::last_before(&mut c.conn(), &app.id, date!(2026 - 05 - 30)).await.unwrap(), None);
    assert_eq!(metrics::days(&mut c.conn(), &other.id, date!(2026 - 05 - 01), date!(2026 - 06 - 30)).await.unwrap().len(), 1);
}

/// Inside an audit scope with an actor, a transaction's commit carries the
/// request's entry (once); a rolled-back transaction leaves neither the
/// change nor the entry; outside a scope nothing is recorded.
async fn audit_entry_commits_and_rolls_back_with_the_change(db: &Db) {
    use tollgate_domain::audit::{Actor, AuditFilter, CredentialKind};
    let app = new_app(db, "Audited").await;
    let pending = |action: &str| audit::Pending { action: action.into(), target_type: "product".into(), at: Some(T0), ..Default::default() };
    let actor = Actor { id: "adm_1".into(), credential: CredentialKind::Session, role: Some(Role::Owner) };
    let count = |db: Db, app: AppId| async move {
        audit::list(&mut db.acquire().await.unwrap().conn(), &app, &AuditFilter::default(), None, Limit::parse(Some(100)).unwrap()).await.unwrap().items
    };

    // Rolled back: no product, no entry; not marked written.
    let (_, p) = audit::scope(pending("product.created"), async {
        audit::set_actor(&app.id, actor.clone());
        let mut tx = db.begin().await.unwrap();
        products::insert(&mut tx.conn(), &product(&app, "Gone")).await.unwrap();
        tx.rollback().await.unwrap();
    })
    .await;
    assert!(!p.written);
    assert!(count(db.clone(), app.id.clone()).await.is_empty());
    assert!(products::list(&mut db.acquire().await.unwrap().conn(), &app.id, true, None, Limit::parse(Some(10)).unwrap()).await.unwrap().items.is_empty());

    // Committed twice in one request: one entry, with the first commit.
    let (_, p) = audit::scope(pending("product.created"), async {
        audit::set_actor(&app.id, actor.clone());
        for name in ["Kept", "Also kept"] {
            let mut tx = db.begin().await.unwrap();
            let pr = product(&app, name);
            products::insert(&mut tx.conn(), &pr).await.unwrap();
            audit::set_target_id(&pr.id);
            tx.commit().await.unwrap();
        }
    })
    .await;
    assert!(p.written);
    let entries = count(db.clone(), app.id.clone()).await;
    assert_eq!(entries.len(), 1);
    assert_eq!((entries[0].action.as_str(), &entries[0].actor, entries[0].at), ("product.created", &actor, T0));

    // No actor (nobody signed in yet), or no scope at all: nothing recorded.
    audit::scope(pending("product.created"), async {
        let mut tx = db.begin().await.unwrap();
        products::insert(&mut tx.conn(), &product(&app, "Anonymous")).await.unwrap();
        tx.commit().await.unwrap();
    })
    .await;
    let mut tx = db.begin().await.unwrap();
    products::insert(&mut tx.conn(), &product(&app, "Worker")).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(count(db.clone(), app.id.clone()).await.len(), 1);

    // Retention: entries before the cutoff go, newer ones stay.
    assert_eq!(audit::prune(&mut db.acquire().await.unwrap().conn(), &app.id, T0).await.unwrap(), 0);
    assert_eq!(audit::prune(&mut db.acquire().await.unwrap().conn(), &app.id, T0 + Duration::seconds(1)).await.unwrap(), 1);
}
