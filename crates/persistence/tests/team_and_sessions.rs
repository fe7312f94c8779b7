//! Admins, members' sessions and links, API keys, the team, invitations and
//! throttling, on SQLite and on PostgreSQL.

mod common;

use common::*;
use time::{Duration, OffsetDateTime};
use tollgate_domain::auth::{Family, Role, Scope};
use tollgate_domain::email::Email;
use tollgate_domain::ids::*;
use tollgate_domain::page::Limit;
use tollgate_domain::user::PendingEmailChange;
use tollgate_persistence::*;

both!(
    sessions_and_magic_links_are_single_use,
    api_keys_scopes_and_revoke,
    email_changes_replace_take_once_and_stay_in_their_app,
    team_roles_and_removal,
    invitations_single_use_replace_and_isolation,
    sessions_and_keys_of_a_removed_admin,
    session_families_end_together_on_replay,
    throttle_counts_windows_and_locks,
);

async fn sessions_and_magic_links_are_single_use(db: &Db) {
    use tollgate_persistence::sessions::{NewSession, SubjectKind};
    let app = new_app(db, "A").await;
    let mut c = db.acquire().await.unwrap();
    let s = NewSession { app_id: &app.id, token_hash: "th", kind: SubjectKind::Admin, subject_id: "adm_1", family_id: None, expires_at: T0 + Duration::days(1), now: T0 };
    sessions::insert(&mut c.conn(), &s).await.unwrap();
    assert_eq!(sessions::consume(&mut c.conn(), &app.id, "th", SubjectKind::Member, T0).await.unwrap(), None, "kind must match");
    assert_eq!(sessions::consume(&mut c.conn(), &app.id, "th", SubjectKind::Admin, T0).await.unwrap().map(|c| c.subject_id).as_deref(), Some("adm_1"));
    assert_eq!(sessions::consume(&mut c.conn(), &app.id, "th", SubjectKind::Admin, T0).await.unwrap(), None, "single use");
    let s2 = NewSession { token_hash: "th2", ..s };
    sessions::insert(&mut c.conn(), &s2).await.unwrap();
    assert_eq!(sessions::consume(&mut c.conn(), &app.id, "th2", SubjectKind::Admin, T0 + Duration::days(2)).await.unwrap(), None, "expired");

    let u = user(&app, "m@example.com", "M");
    users::insert(&mut c.conn(), &u, None).await.unwrap();
    magic_links::insert(&mut c.conn(), &app.id, "ml", &u.id, T0 + Duration::minutes(15), T0).await.unwrap();
    assert_eq!(magic_links::consume(&mut c.conn(), &app.id, "ml", T0 + Duration::minutes(16)).await.unwrap(), None, "expired");
    magic_links::insert(&mut c.conn(), &app.id, "ml2", &u.id, T0 + Duration::minutes(15), T0).await.unwrap();
    assert_eq!(magic_links::consume(&mut c.conn(), &app.id, "ml2", T0).await.unwrap(), Some(u.id.clone()));
    assert_eq!(magic_links::consume(&mut c.conn(), &app.id, "ml2", T0).await.unwrap(), None, "single use");
}

async fn api_keys_scopes_and_revoke(db: &Db) {
    let app = new_app(db, "A").await;
    let other = new_app(db, "B").await;
    let mut c = db.acquire().await.unwrap();
    let key = api_keys::ApiKey {
        id: ApiKeyId::new(),
        app_id: app.id.clone(),
        name: "Zapier".into(),
        last4: "abcd".into(),
        scopes: vec![Scope::read(Family::Products), Scope::write(Family::Users)],
        created_by: None,
        created_at: T0,
        last_used_at: None,
        revoked_at: None,
    };
    api_keys::insert(&mut c.conn(), &key, "sha").await.unwrap();
    let (found, hash) = api_keys::find_for_auth(&mut c.conn(), key.id.as_str()).await.unwrap().unwrap();
    assert_eq!((found, hash.as_str()), (key.clone(), "sha"));
    assert!(!api_keys::revoke(&mut c.conn(), &other.id, &key.id, T0).await.unwrap(), "other app cannot revoke");
    assert!(api_keys::revoke(&mut c.conn(), &app.id, &key.id, T0).await.unwrap());
    api_keys::touch(&mut c.conn(), &app.id, &key.id, T0).await.unwrap();
    let k = api_keys::find(&mut c.conn(), &app.id, &key.id).await.unwrap().unwrap();
    assert_eq!((k.revoked_at, k.last_used_at), (Some(T0), Some(T0)));
    assert_eq!(api_keys::list(&mut c.conn(), &other.id, None, Limit::default()).await.unwrap().items.len(), 0);
}


async fn email_changes_replace_take_once_and_stay_in_their_app(db: &Db) {
    let app = new_app(db, "A").await;
    let other = new_app(db, "B").await;
    let mut c = db.acquire().await.unwrap();
    let u = user(&app, "m@example.com", "M");
    let v = user(&app, "v@example.com", "V");
    users::insert(&mut c.conn(), &u, None).await.unwrap();
    users::insert(&mut c.conn(), &v, None).await.unwrap();
    let change = |to: &str, at: OffsetDateTime| PendingEmailChange {
        app_id: app.id.clone(),
        user_id: u.id.clone(),
        new_email: Email::parse(to).unwrap(),
        expires_at: at + Duration::hours(24),
        created_at: at,
    };
    assert_eq!(email_changes::find_by_user(&mut c.conn(), &app.id, &u.id).await.unwrap(), None);
    email_changes::replace(&mut c.conn(), &change("first@example.com", T0), "t1").await.unwrap();
    assert_eq!(email_changes::find_by_user(&mut c.conn(), &app.id, &u.id).await.unwrap(), Some(change("first@example.com", T0)));
    // A new request replaces the pending one, and the old token stops working.
    let second = change("second@example.com", T0 + Duration::hours(1));
    email_changes::replace(&mut c.conn(), &second, "t2").await.unwrap();
    assert_eq!(email_changes::find_by_user(&mut c.conn(), &app.id, &u.id).await.unwrap(), Some(second.clone()));
    assert_eq!(email_changes::take_by_token(&mut c.conn(), &app.id, "t1").await.unwrap(), None, "replaced token");
    // Tokens and members belong to their app.
    assert_eq!(email_changes::take_by_token(&mut c.conn(), &other.id, "t2").await.unwrap(), None, "another app's token");
    assert_eq!(email_changes::find_by_user(&mut c.conn(), &other.id, &u.id).await.unwrap(), None);
    assert!(!email_changes::delete_by_user(&mut c.conn(), &other.id, &u.id).await.unwrap());
    // Another member's change lives beside it; taking one leaves the other.
    let theirs = PendingEmailChange { user_id: v.id.clone(), new_email: Email::parse("vee@example.com").unwrap(), ..second.clone() };
    email_changes::replace(&mut c.conn(), &theirs, "tv").await.unwrap();
    // Single use: the token gives the change once (expired or not: the caller decides).
    assert_eq!(email_changes::take_by_token(&mut c.conn(), &app.id, "t2").await.unwrap(), Some(second));
    assert_eq!(email_changes::take_by_token(&mut c.conn(), &app.id, "t2").await.unwrap(), None, "single use");
    assert_eq!(email_changes::find_by_user(&mut c.conn(), &app.id, &u.id).await.unwrap(), None);
    assert_eq!(email_changes::find_by_user(&mut c.conn(), &app.id, &v.id).await.unwrap(), Some(theirs.clone()));
    assert!(theirs.is_expired(theirs.expires_at) && !theirs.is_expired(theirs.expires_at - Duration::seconds(1)));
    // Cancelling.
    assert!(email_changes::delete_by_user(&mut c.conn(), &app.id, &v.id).await.unwrap());
    assert!(!email_changes::delete_by_user(&mut c.conn(), &app.id, &v.id).await.unwrap(), "nothing left to cancel");
    assert_eq!(email_changes::take_by_token(&mut c.conn(), &app.id, "tv").await.unwrap(), None, "a cancelled change's token");
    // Only members of the app can have one.
    let stranger = PendingEmailChange { user_id: UserId::new(), ..theirs };
    assert!(matches!(email_changes::replace(&mut c.conn(), &stranger, "tx").await, Err(DbError::ForeignKeyViolation)));
}

async fn new_admin(c: &mut PooledConn, email: &str) -> admins::Admin {
    let a = admins::Admin { id: AdminId::new(), email: Email::parse(email).unwrap(), name: email.split('@').next().unwrap().into(), created_at: T0 };
    admins::insert(&mut c.conn(), &a, "hash").await.unwrap();
    a
}

async fn team_roles_and_removal(db: &Db) {
    let app = new_app(db, "A").await;
    let other = new_app(db, "B").await;
    let mut c = db.acquire().await.unwrap();
    let o = new_admin(&mut c, "o@example.com").await;
    let v = new_admin(&mut c, "v@example.com").await;
    admins::add_to_app(&mut c.conn(), &app.id, &o.id, Role::Owner, T0).await.unwrap();
    admins::add_to_app(&mut c.conn(), &app.id, &v.id, Role::Viewer, T0 + Duration::seconds(1)).await.unwrap();
    admins::add_to_app(&mut c.conn(), &other.id, &v.id, Role::Owner, T0).await.unwrap();
    let team = admins::list_team(&mut c.conn(), &app.id).await.unwrap();
    assert_eq!(team.iter().map(|m| (m.admin.email.as_str(), m.role)).collect::<Vec<_>>(), vec![("o@example.com", Role::Owner), ("v@example.com", Role::Viewer)]);
    assert_eq!(team[1].joined_at, T0 + Duration::seconds(1));
    assert_eq!(admins::count_owners(&mut c.conn(), &app.id).await.unwrap(), 1);
    assert!(admins::set_role(&mut c.conn(), &app.id, &v.id, Role::Owner).await.unwrap());
    assert_eq!(admins::count_owners(&mut c.conn(), &app.id).await.unwrap(), 2);
    assert!(!admins::set_role(&mut c.conn(), &app.id, &AdminId::new(), Role::Owner).await.unwrap());
    assert!(admins::remove_from_app(&mut c.conn(), &app.id, &v.id).await.unwrap());
    assert!(!admins::remove_from_app(&mut c.conn(), &app.id, &v.id).await.unwrap());
    assert_eq!(admins::role_in(&mut c.conn(), &other.id, &v.id).await.unwrap(), Some(Role::Owner), "other apps untouched");
    assert_eq!(admins::list_team(&mut c.conn(), &app.id).await.unwrap().len(), 1);
}

async fn invitations_single_use_replace_and_isolation(db: &Db) {
    use tollgate_persistence::invitations::{self, Invitation};
    let app = new_app(db, "A").await;
    let other = new_app(db, "B").await;
    let mut c = db.acquire().await.unwrap();
    let o = new_admin(&mut c, "o@example.com").await;
    let inv = Invitation {
        id: InvitationId::new(),
        app_id: app.id.clone(),
        email: Email::parse("new@example.com").unwrap(),
        role: Role::Viewer,
        invited_by: o.id.clone(),
        expires_at: T0 + Duration::days(7),
        created_at: T0,
        accepted_at: None,
        accepted_by: None,
        revoked_at: None,
    };
    invitations::insert(&mut c.conn(), &inv, "tok1").await.unwrap();
    let dup = Invitation { id: InvitationId::new(), ..inv.clone() };
    assert!(matches!(invitations::insert(&mut c.conn(), &dup, "tok2").await, Err(DbError::Taken(Unique::OpenInvitation))), "one open invitation per email");
    // The same email may be invited to another app.
    invitations::insert(&mut c.conn(), &Invitation { id: InvitationId::new(), app_id: other.id.clone(), ..inv.clone() }, "tok1").await.unwrap();
    let open = invitations::list_open(&mut c.conn(), &app.id).await.unwrap();
    assert_eq!(open.len(), 1);
    assert_eq!((open[0].invitation.clone(), open[0].invited_by_email.as_str()), (inv.clone(), "o@example.com"));
    assert_eq!(invitations::find_by_token(&mut c.conn(), &app.id, "tok1").await.unwrap(), Some(inv.clone()));
    assert_eq!(invitations::find_by_token(&mut c.conn(), &app.id, "nope").await.unwrap(), None);
    // Replace: the old one is revoked, a new one can be stored.
    assert_eq!(invitations::revoke_open_for_email(&mut c.conn(), &app.id, &inv.email, T0).await.unwrap(), 1);
    invitations::insert(&mut c.conn(), &dup, "tok2").await.unwrap();
    assert_eq!(invitations::find(&mut c.conn(), &app.id, &inv.id).await.unwrap().unwrap().revoked_at, Some(T0));
    assert!(!invitations::mark_accepted(&mut c.conn(), &app.id, &inv.id, &o.id, T0).await.unwrap(), "revoked cannot be used");
    // Single use, and not after expiry.
    assert!(!invitations::mark_accepted(&mut c.conn(), &app.id, &dup.id, &o.id, T0 + Duration::days(8)).await.unwrap(), "expired");
    assert!(!invitations::mark_accepted(&mut c.conn(), &other.id, &dup.id, &o.id, T0).await.unwrap(), "other app");
    assert!(invitations::mark_accepted(&mut c.conn(), &app.id, &dup.id, &o.id, T0).await.unwrap());
    assert!(!invitations::mark_accepted(&mut c.conn(), &app.id, &dup.id, &o.id, T0).await.unwrap(), "single use");
    assert_eq!(invitations::find(&mut c.conn(), &app.id, &dup.id).await.unwrap().unwrap().accepted_by, Some(o.id.clone()));
    assert!(!invitations::revoke(&mut c.conn(), &app.id, &dup.id, T0).await.unwrap(), "accepted cannot be revoked");
    assert!(invitations::list_open(&mut c.conn(), &app.id).await.unwrap().is_empty());
    assert_eq!(invitations::list_open(&mut c.conn(), &other.id).await.unwrap().len(), 1);
    assert!(invitations::find(&mut c.conn(), &other.id, &dup.id).await.unwrap().is_none());
}

async fn sessions_and_keys_of_a_removed_admin(db: &Db) {
    use tollgate_persistence::sessions::{NewSession, SubjectKind};
    let app = new_app(db, "A").await;
    let other = new_app(db, "B").await;
    let mut c = db.acquire().await.unwrap();
    for (a, h, who) in [(&app.id, "s1", "adm_x"), (&app.id, "s2", "adm_x"), (&other.id, "s3", "adm_x"), (&app.id, "s4", "adm_y")] {
        sessions::insert(&mut c.conn(), &NewSession { app_id: a, token_hash: h, kind: SubjectKind::Admin, subject_id: who, family_id: None, expires_at: T0 + Duration::days(1), now: T0 }).await.unwrap();
    }
    assert_eq!(sessions::revoke_subject(&mut c.conn(), &app.id, SubjectKind::Admin, "adm_x", T0).await.unwrap(), 2);
    assert_eq!(sessions::consume(&mut c.conn(), &app.id, "s1", SubjectKind::Admin, T0).await.unwrap(), None);
    assert!(sessions::consume(&mut c.conn(), &other.id, "s3", SubjectKind::Admin, T0).await.unwrap().is_some(), "other app's session lives");
    assert!(sessions::consume(&mut c.conn(), &app.id, "s4", SubjectKind::Admin, T0).await.unwrap().is_some(), "other admin's session lives");
    let key = |by: &str| api_keys::ApiKey {
        id: ApiKeyId::new(),
        app_id: app.id.clone(),
        name: "k".into(),
        last4: "abcd".into(),
        scopes: vec![Scope::read(Family::Products)],
        created_by: Some(by.into()),
        created_at: T0,
        last_used_at: None,
        revoked_at: None,
    };
    let (k1, k2, k3) = (key("adm_x"), key("adm_x"), key("adm_y"));
    for k in [&k1, &k2, &k3] {
        api_keys::insert(&mut c.conn(), k, "h").await.unwrap();
    }
    api_keys::revoke(&mut c.conn(), &app.id, &k2.id, T0).await.unwrap();
    let live = api_keys::list_live_created_by(&mut c.conn(), &app.id, "adm_x").await.unwrap();
    assert_eq!(live.iter().map(|k| k.id.clone()).collect::<Vec<_>>(), vec![k1.id.clone()]);
    assert!(api_keys::list_live_created_by(&mut c.conn(), &other.id, "adm_x").await.unwrap().is_empty());
}

async fn session_families_end_together_on_replay(db: &Db) {
    use tollgate_persistence::sessions::{Consumed, NewSession, SubjectKind};
    let app = new_app(db, "A").await;
    let other = new_app(db, "B").await;
    let mut c = db.acquire().await.unwrap();
    let new = |app_id, token_hash, family_id| NewSession { app_id, token_hash, kind: SubjectKind::Member, subject_id: "usr_1", family_id, expires_at: T0 + Duration::days(1), now: T0 };
    // A login starts a family named by its token; rotation carries it on.
    sessions::insert(&mut c.conn(), &new(&app.id, "t1", None)).await.unwrap();
    let first = sessions::consume(&mut c.conn(), &app.id, "t1", SubjectKind::Member, T0).await.unwrap().unwrap();
    assert_eq!(first, Consumed { subject_id: "usr_1".into(), family_id: "t1".into() });
    sessions::insert(&mut c.conn(), &new(&app.id, "t2", Some(&first.family_id))).await.unwrap();
    sessions::insert(&mut c.conn(), &new(&app.id, "other-login", None)).await.unwrap();
    sessions::insert(&mut c.conn(), &new(&other.id, "t1", None)).await.unwrap();
    // Only used-up tokens count as replays, and only those ended before the cut-off.
    assert_eq!(sessions::find_replayed(&mut c.conn(), &app.id, "t2", SubjectKind::Member, T0 + Duration::hours(1)).await.unwrap(), None, "t2 is live");
    assert_eq!(sessions::find_replayed(&mut c.conn(), &app.id, "t1", SubjectKind::Member, T0).await.unwrap(), None, "ended at T0, not before");
    assert_eq!(sessions::find_replayed(&mut c.conn(), &app.id, "t1", SubjectKind::Admin, T0 + Duration::seconds(1)).await.unwrap(), None, "kind must match");
    let replayed = sessions::find_replayed(&mut c.conn(), &app.id, "t1", SubjectKind::Member, T0 + Duration::seconds(1)).await.unwrap().unwrap();
    assert_eq!(replayed.family_id, "t1");
    assert_eq!(sessions::revoke_family(&mut c.conn(), &app.id, &replayed.family_id, T0).await.unwrap(), 1, "t2 ends");
    assert_eq!(sessions::consume(&mut c.conn(), &app.id, "t2", SubjectKind::Member, T0).await.unwrap(), None);
    assert!(sessions::consume(&mut c.conn(), &app.id, "other-login", SubjectKind::Member, T0).await.unwrap().is_some(), "another login of the same member lives");
    assert!(sessions::consume(&mut c.conn(), &other.id, "t1", SubjectKind::Member, T0).await.unwrap().is_some(), "another app's family of the same name lives");
}

async fn throttle_counts_windows_and_locks(db: &Db) {
    let mut c = db.acquire().await.unwrap();
    let hour_ago = |t: OffsetDateTime| t - Duration::hours(1);
    assert_eq!(throttle::find(&mut c.conn(), "k").await.unwrap(), None);
    for n in 1..=3 {
        let s = throttle::hit(&mut c.conn(), "k", T0 + Duration::minutes(n), hour_ago(T0 + Duration::minutes(n))).await.unwrap();
        assert_eq!((s.hits, s.window_start, s.locked_until), (n, T0 + Duration::minutes(1), None));
    }
    throttle::hit(&mut c.conn(), "other", T0, hour_ago(T0)).await.unwrap();
    throttle::lock(&mut c.conn(), "k", T0 + Duration::minutes(30)).await.unwrap();
    throttle::lock(&mut c.conn(), "k", T0 + Duration::minutes(10)).await.unwrap();
    let s = throttle::find(&mut c.conn(), "k").await.unwrap().unwrap();
    assert_eq!(s.locked_until, Some(T0 + Duration::minutes(30)), "a shorter lock does not shorten a longer one");
    // A window that started before the cut-off starts over; the lock stays.
    let later = T0 + Duration::hours(2);
    let s = throttle::hit(&mut c.conn(), "k", later, hour_ago(later)).await.unwrap();
    assert_eq!((s.hits, s.window_start, s.locked_until), (1, later, Some(T0 + Duration::minutes(30))));
    // Concurrent hits are each counted once.
    let mut tasks = vec![];
    for _ in 0..8 {
        let db = db.clone();
        tasks.push(tokio::spawn(async move {
            let mut c = db.acquire().await.unwrap();
            throttle::hit(&mut c.conn(), "busy", T0, hour_ago(T0)).await.unwrap().hits
        }));
    }
    let mut seen = vec![];
    for t in tasks {
        seen.push(t.await.unwrap());
    }
    seen.sort();
    assert_eq!(seen, (1..=8).collect::<Vec<_>>());
    throttle::clear(&mut c.conn(), "other").await.unwrap();
    assert_eq!(throttle::find(&mut c.conn(), "other").await.unwrap(), None);
    assert_eq!(throttle::prune(&mut c.conn(), T0 + Duration::days(3)).await.unwrap(), 2, "k and busy");
}
