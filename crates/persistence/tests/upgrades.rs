//! What upgrading does to rows an older version wrote: each test migrates a
//! fresh database up to an old version, writes rows as that version did,
//! runs the remaining migrations and reads them through today's code.

mod common;

use common::*;
use tollgate_domain::connector::ConnectorKind::{ActiveCampaign, Keap, Stripe};
use tollgate_domain::page::Limit;
use tollgate_persistence::inbox::{self, InboxEvent, InboxFilter};
use tollgate_persistence::{contacts, crm, stripe, users};
use tollgate_persistence::testing::TestDb;
use tollgate_persistence::{Backend, Db};

async fn exec(db: &Db, sql: &str) {
    match db {
        Db::Sqlite(p) => sqlx::query(sqlx::AssertSqlSafe(sql.to_owned())).execute(p).await.map(|_| ()),
        Db::Pg(p) => sqlx::query(sqlx::AssertSqlSafe(sql.to_owned())).execute(p).await.map(|_| ()),
    }
    .expect(sql);
}

/// 0027 moved Stripe's events and their tries into the generic inbox.
async fn stripe_events_move_into_the_inbox(backend: Backend) {
    let t = TestDb::at_version(backend, Some(26)).await.expect("a database at version 26");
    let db = &t.db;
    let app = new_app(db, "A").await;
    let a = app.id.as_str();
    exec(db, &format!("INSERT INTO stripe_events (app_id, event_id, event_type, created, payload, status, received_at, processed_at, error) VALUES ('{a}', 'evt_old', 'invoice.paid', 100, '{{\"id\":\"evt_old\"}}', 'failed', 5000, 6000, 'no such product')")).await;
    exec(db, &format!("INSERT INTO stripe_events (app_id, event_id, event_type, created, payload, status, received_at) VALUES ('{a}', 'evt_new', 'customer.subscription.updated', 200, '{{}}', 'pending', 7000)")).await;
    exec(db, &format!("INSERT INTO stripe_event_attempts (app_id, event_id, attempt, started_at, finished_at, outcome, error) VALUES ('{a}', 'evt_old', 1, 5500, 6000, 'failed', 'no such product')")).await;

    db.migrate().await.expect("the remaining migrations");

    let mut c = db.acquire().await.unwrap();
    let old = inbox::find_event(&mut c.conn(), &app.id, Stripe, "evt_old").await.unwrap().expect("the old event is in the inbox");
    assert_eq!((old.status.as_str(), old.error.as_deref(), old.created, old.payload.as_str()), ("failed", Some("no such product"), 100, r#"{"id":"evt_old"}"#));
    let tries = inbox::attempts(&mut c.conn(), &app.id, Stripe, "evt_old").await.unwrap();
    assert_eq!(tries.len(), 1, "its processing try came along");
    assert_eq!(tries[0].error.as_deref(), Some("no such product"));
    let page = inbox::list(&mut c.conn(), &app.id, Stripe, &InboxFilter::default(), None, Limit::default()).await.unwrap();
    assert_eq!(page.items.iter().map(|e| e.event_id.as_str()).collect::<Vec<_>>(), ["evt_new", "evt_old"], "newest first, as before");
    assert_eq!(inbox::latest_event_created(&mut c.conn(), &app.id, Stripe).await.unwrap(), Some(200), "recovery resumes where it was");
    assert!(inbox::reopen(&mut c.conn(), &app.id, Stripe, "evt_old").await.unwrap(), "a failed event can still be processed again");
    drop(c);
    let again = InboxEvent { event_id: "evt_new".into(), event_type: "customer.subscription.updated".into(), created: 200, payload: "{}".into(), status: "pending".into(), received_at: T0, processed_at: None, error: None };
    assert!(!inbox::store_event(db, &app.id, Stripe, &again).await.unwrap(), "a redelivery of a moved event is still a duplicate");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_stripe_events_move_into_the_inbox() {
    stripe_events_move_into_the_inbox(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_stripe_events_move_into_the_inbox() {
    stripe_events_move_into_the_inbox(Backend::Postgres).await;
}

/// 0029 moved Stripe's customers and the CRMs' contacts into one mapping,
/// keyed by connector. Written at version 28: the lead's 0028 is not on
/// every branch, and sqlx's `run_to` applies every migration up to the
/// number whether that number exists or not (0013 and 0014 never did).
async fn contacts_move_into_one_mapping(backend: Backend) {
    let t = TestDb::at_version(backend, Some(28)).await.expect("a database at version 28");
    let db = &t.db;
    let app = new_app(db, "A").await;
    let (u, v) = (user(&app, "u@example.com", "U"), user(&app, "v@example.com", "V"));
    {
        let mut c = db.acquire().await.unwrap();
        users::insert(&mut c.conn(), &u, None).await.unwrap();
        users::insert(&mut c.conn(), &v, None).await.unwrap();
    }
    let (a, u_id, v_id) = (app.id.as_str(), u.id.as_str(), v.id.as_str());
    exec(db, &format!("INSERT INTO stripe_customers (app_id, customer_id, user_id, created_at) VALUES ('{a}', 'cus_new', '{u_id}', 2000), ('{a}', 'cus_old', '{u_id}', 1000), ('{a}', 'cus_v', '{v_id}', 1500)")).await;
    exec(db, &format!("INSERT INTO crm_contacts (app_id, kind, user_id, contact_id, updated_at) VALUES ('{a}', 'keap', '{u_id}', '7', 3000), ('{a}', 'activecampaign', '{u_id}', '7', 3000), ('{a}', 'keap', '{v_id}', '8', 3000)")).await;

    db.migrate().await.expect("the remaining migrations");

    let mut c = db.acquire().await.unwrap();
    assert_eq!(stripe::customers_of(&mut c.conn(), &app.id, &u.id).await.unwrap(), ["cus_old", "cus_new"], "a member's customers, oldest first as before");
    assert_eq!(stripe::user_for_customer(&mut c.conn(), &app.id, "cus_v").await.unwrap(), Some(v.id.clone()));
    assert_eq!(contacts::contact_of(&mut c.conn(), &app.id, Keap, &u.id).await.unwrap().as_deref(), Some("7"));
    assert_eq!(contacts::contact_of(&mut c.conn(), &app.id, ActiveCampaign, &u.id).await.unwrap().as_deref(), Some("7"));
    assert_eq!(contacts::member_of(&mut c.conn(), &app.id, Keap, "8").await.unwrap(), Some(v.id.clone()));
    assert_eq!(contacts::member_of(&mut c.conn(), &app.id, Stripe, "7").await.unwrap(), None, "a CRM's contact is not a Stripe customer");
    assert_eq!(crm::counts(&mut c.conn(), &app.id, "keap").await.unwrap().1, 2);
    // The moved rows keep each connector's rule.
    stripe::link_customer(&mut c.conn(), &app.id, "cus_v", &u.id, T0).await.unwrap();
    assert_eq!(stripe::user_for_customer(&mut c.conn(), &app.id, "cus_v").await.unwrap(), Some(v.id.clone()), "a linked customer stays");
    contacts::link(&mut c.conn(), &app.id, Keap, &u.id, "9", T0).await.unwrap();
    assert_eq!(contacts::contact_of(&mut c.conn(), &app.id, Keap, &u.id).await.unwrap().as_deref(), Some("9"), "one contact per member per CRM");
    assert_eq!(contacts::member_of(&mut c.conn(), &app.id, Keap, "7").await.unwrap(), None);
    drop(c);
    for old in ["stripe_customers", "crm_contacts"] {
        let gone = match db {
            Db::Sqlite(p) => sqlx::query(sqlx::AssertSqlSafe(format!("SELECT 1 FROM {old}"))).execute(p).await.is_err(),
            Db::Pg(p) => sqlx::query(sqlx::AssertSqlSafe(format!("SELECT 1 FROM {old}"))).execute(p).await.is_err(),
        };
        assert!(gone, "{old} is dropped");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_contacts_move_into_one_mapping() {
    contacts_move_into_one_mapping(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_contacts_move_into_one_mapping() {
    contacts_move_into_one_mapping(Backend::Postgres).await;
}

/// An app with one endpoint and one recorded `user.login` event (body
/// `{"id":"m"}`), for the upgrades of the outbound tables: the app's, the
/// endpoint's and the event's ids.
async fn an_endpoint_and_an_event(db: &Db) -> (tollgate_domain::ids::AppId, tollgate_domain::ids::EndpointId, tollgate_domain::ids::MessageId) {
    use tollgate_persistence::outbound;

    let app = new_app(db, "A").await;
    let e = endpoint(&app.id, "https://hooks.example.com/a");
    let msg = tollgate_domain::ids::MessageId::new();
    let mut c = db.acquire().await.unwrap();
    outbound::insert_endpoint(&mut c.conn(), &e, "sealed").await.unwrap();
    outbound::insert_message(&mut c.conn(), &app.id, &msg, "user.login", r#"{"id":"m"}"#, T0).await.unwrap();
    (app.id, e.id, msg)
}

/// 0033 moved the due queue out of `webhook_deliveries` into `webhook_queue`:
/// a delivery pending before the upgrade is still claimed when it is due
/// (and a leased one when its lease ends), with its tries so far; delivered
/// and failed ones are not.
async fn pending_deliveries_move_into_the_queue(backend: Backend) {
    use tollgate_domain::ids::DeliveryId;
    use tollgate_persistence::outbound;

    let t = TestDb::at_version(backend, Some(32)).await.expect("a database at version 32");
    let db = &t.db;
    let (app, e, msg) = an_endpoint_and_an_event(db).await;
    let t0 = tollgate_domain::clock::to_millis(T0);
    let (a, ep, m) = (app.as_str(), e.as_str(), msg.as_str());
    let ids: Vec<DeliveryId> = (0..4).map(|_| DeliveryId::new()).collect();
    // Due, with two tries behind it; leased for a minute; delivered; failed.
    let rows = [("pending", 2, Some(t0), None::<i64>), ("pending", 0, Some(t0 + 60_000), Some(t0 + 60_000)), ("delivered", 1, None, None), ("failed", 7, None, None)];
    for (id, (status, attempts, next, locked)) in ids.iter().zip(rows) {
        let opt = |v: Option<i64>| v.map_or("NULL".to_owned(), |v| v.to_string());
        exec(db, &format!(
            "INSERT INTO webhook_deliveries (app_id, id, endpoint_id, message_id, event_type, status, attempts, next_attempt_at, locked_until, created_at, updated_at) \
             VALUES ('{a}', '{}', '{ep}', '{m}', 'user.login', '{status}', {attempts}, {}, {}, {t0}, {t0})",
            id.as_str(), opt(next), opt(locked)
        ))
        .await;
    }

    db.migrate().await.expect("the remaining migrations");

    let mut c = db.acquire().await.unwrap();
    let now = outbound::claim_due(&mut c.conn(), 10, T0 + time::Duration::seconds(30), time::Duration::seconds(60), &[]).await.unwrap();
    assert_eq!(now.iter().map(|(c, _)| (c.id.clone(), c.attempts)).collect::<Vec<_>>(), [(ids[0].clone(), 2)], "the due one, with its tries so far");
    assert_eq!(now[0].1.as_deref(), Some(r#"{"id":"m"}"#), "with its event's body");
    let later = outbound::claim_due(&mut c.conn(), 10, T0 + time::Duration::seconds(61), time::Duration::seconds(60), &[]).await.unwrap();
    assert_eq!(later.iter().map(|(c, _)| c.id.clone()).collect::<Vec<_>>(), [ids[1].clone()], "the leased one once its lease ended; never the delivered or failed ones");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_pending_deliveries_move_into_the_queue() {
    pending_deliveries_move_into_the_queue(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_pending_deliveries_move_into_the_queue() {
    pending_deliveries_move_into_the_queue(Backend::Postgres).await;
}

/// 0034 gave queue rows the place of their delivery's row: a delivery
/// queued before it has none, and its success still lands on its row (by
/// key), leaving nothing due.
async fn deliveries_queued_before_their_place_was_kept_are_still_answered(backend: Backend) {
    use tollgate_domain::ids::DeliveryId;
    use tollgate_domain::outbound::{Attempt, DeliveryStatus};
    use tollgate_persistence::outbound;

    let t = TestDb::at_version(backend, Some(33)).await.expect("a database at version 33");
    let db = &t.db;
    let (app, e, msg) = an_endpoint_and_an_event(db).await;
    let t0 = tollgate_domain::clock::to_millis(T0);
    let (a, ep, m) = (app.as_str(), e.as_str(), msg.as_str());
    let id = DeliveryId::new();
    // As 0033's code queued a delivery: its row and a queue row.
    exec(db, &format!(
        "INSERT INTO webhook_deliveries (app_id, id, endpoint_id, message_id, event_type, status, attempts, next_attempt_at, created_at, updated_at) \
         VALUES ('{a}', '{}', '{ep}', '{m}', 'user.login', 'pending', 0, {t0}, {t0}, {t0})",
        id.as_str()
    ))
    .await;
    exec(db, &format!("INSERT INTO webhook_queue (app_id, delivery_id, endpoint_id, message_id, attempts, next_attempt_at) VALUES ('{a}', '{}', '{ep}', '{m}', 0, {t0})", id.as_str())).await;

    db.migrate().await.expect("the remaining migrations");

    let mut tx = db.begin().await.unwrap();
    let got = outbound::claim_due(&mut tx.conn(), 10, T0, time::Duration::seconds(60), &[]).await.unwrap();
    assert_eq!(got.iter().map(|(c, _)| c.id.clone()).collect::<Vec<_>>(), [id.clone()]);
    assert_eq!(got[0].0.dtid, None, "queued before its place was kept");
    let at = T0 + time::Duration::seconds(1);
    let ok = Attempt { n: 1, attempted_at: at, status_code: Some(200), latency_ms: 5, response_body: Some("ok".into()), error: None };
    outbound::record_delivered(&mut tx.conn(), &[(got[0].0.clone(), ok, 1)]).await.unwrap();
    tx.commit().await.unwrap();
    let mut c = db.acquire().await.unwrap();
    let d = outbound::find_delivery(&mut c.conn(), &app, &id).await.unwrap().unwrap();
    assert_eq!((d.status, d.delivered_at, d.last_status_code), (DeliveryStatus::Delivered, Some(at), Some(200)));
    assert!(!outbound::any_due(&mut c.conn(), T0 + time::Duration::hours(1)).await.unwrap(), "nothing is left due");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_deliveries_queued_before_their_place_was_kept_are_still_answered() {
    deliveries_queued_before_their_place_was_kept_are_still_answered(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_deliveries_queued_before_their_place_was_kept_are_still_answered() {
    deliveries_queued_before_their_place_was_kept_are_still_answered(Backend::Postgres).await;
}
