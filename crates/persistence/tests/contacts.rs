//! The contact ↔ member mapping every connector shares (`contacts`): one
//! table keyed by connector kind, Stripe's rule (several customers per
//! member, a linked customer stays) beside the CRMs' (one contact per
//! member, a new link replaces), on both databases.

mod common;

use common::*;
use tollgate_domain::connector::ConnectorKind::{ActiveCampaign, Keap, Stripe};
use tollgate_persistence::{Db, both, contacts, crm, stripe, users};

both!(stripe_customers_are_many_per_member_and_stay_linked, crm_contacts_are_one_per_member_and_move, connectors_and_apps_do_not_mix);

async fn stripe_customers_are_many_per_member_and_stay_linked(db: &Db) {
    let app = new_app(db, "A").await;
    let mut c = db.acquire().await.unwrap();
    let (u, v) = (user(&app, "u@example.com", "U"), user(&app, "v@example.com", "V"));
    users::insert(&mut c.conn(), &u, None).await.unwrap();
    users::insert(&mut c.conn(), &v, None).await.unwrap();
    contacts::link(&mut c.conn(), &app.id, Stripe, &u.id, "cus_2", T0 + time::Duration::seconds(1)).await.unwrap();
    contacts::link(&mut c.conn(), &app.id, Stripe, &u.id, "cus_1", T0).await.unwrap();
    contacts::link(&mut c.conn(), &app.id, Stripe, &v.id, "cus_1", T0).await.unwrap();
    assert_eq!(contacts::contacts_of(&mut c.conn(), &app.id, Stripe, &u.id).await.unwrap(), ["cus_1", "cus_2"], "several, oldest first");
    assert_eq!(contacts::member_of(&mut c.conn(), &app.id, Stripe, "cus_1").await.unwrap(), Some(u.id.clone()), "a linked customer stays with its member");
    assert!(contacts::contacts_of(&mut c.conn(), &app.id, Stripe, &v.id).await.unwrap().is_empty());
    // The Stripe names read the same rows.
    assert_eq!(stripe::customers_of(&mut c.conn(), &app.id, &u.id).await.unwrap(), ["cus_1", "cus_2"]);
    assert_eq!(stripe::unlink_customer(&mut c.conn(), &app.id, "cus_2").await.unwrap(), 1);
    assert_eq!(contacts::count(&mut c.conn(), &app.id, Stripe).await.unwrap(), 1);
}

async fn crm_contacts_are_one_per_member_and_move(db: &Db) {
    let app = new_app(db, "A").await;
    let mut c = db.acquire().await.unwrap();
    let (u, v) = (user(&app, "u@example.com", "U"), user(&app, "v@example.com", "V"));
    users::insert(&mut c.conn(), &u, None).await.unwrap();
    users::insert(&mut c.conn(), &v, None).await.unwrap();
    contacts::link(&mut c.conn(), &app.id, Keap, &u.id, "1", T0).await.unwrap();
    contacts::link(&mut c.conn(), &app.id, Keap, &u.id, "1", T0).await.unwrap();
    contacts::link(&mut c.conn(), &app.id, Keap, &u.id, "2", T0).await.unwrap();
    assert_eq!(contacts::contact_of(&mut c.conn(), &app.id, Keap, &u.id).await.unwrap().as_deref(), Some("2"), "the new contact replaces the old");
    assert_eq!(contacts::member_of(&mut c.conn(), &app.id, Keap, "1").await.unwrap(), None);
    contacts::link(&mut c.conn(), &app.id, Keap, &v.id, "2", T0).await.unwrap();
    assert_eq!(contacts::member_of(&mut c.conn(), &app.id, Keap, "2").await.unwrap(), Some(v.id.clone()), "the contact moves to the other member");
    assert_eq!(contacts::contact_of(&mut c.conn(), &app.id, Keap, &u.id).await.unwrap(), None);
    assert_eq!(contacts::count(&mut c.conn(), &app.id, Keap).await.unwrap(), 1);
    assert_eq!(crm::counts(&mut c.conn(), &app.id, "keap").await.unwrap().1, 1, "the connector card counts them");
    crm::forget_account(&mut c.conn(), &app.id, "keap").await.unwrap();
    assert_eq!(contacts::count(&mut c.conn(), &app.id, Keap).await.unwrap(), 0, "another account forgets them");
}

async fn connectors_and_apps_do_not_mix(db: &Db) {
    let (app, other) = (new_app(db, "A").await, new_app(db, "B").await);
    let mut c = db.acquire().await.unwrap();
    let u = user(&app, "u@example.com", "U");
    users::insert(&mut c.conn(), &u, None).await.unwrap();
    for kind in [Stripe, Keap, ActiveCampaign] {
        contacts::link(&mut c.conn(), &app.id, kind, &u.id, "42", T0).await.unwrap();
    }
    for kind in [Stripe, Keap, ActiveCampaign] {
        assert_eq!(contacts::member_of(&mut c.conn(), &app.id, kind, "42").await.unwrap(), Some(u.id.clone()), "{kind}: the same id in each connector");
        assert_eq!(contacts::member_of(&mut c.conn(), &other.id, kind, "42").await.unwrap(), None, "{kind}: another app's");
    }
    assert_eq!(contacts::forget_all(&mut c.conn(), &app.id, ActiveCampaign).await.unwrap(), 1);
    assert_eq!(contacts::count(&mut c.conn(), &app.id, Keap).await.unwrap(), 1, "forgetting one connector's leaves the others'");
    assert_eq!(contacts::count(&mut c.conn(), &app.id, Stripe).await.unwrap(), 1);
}
