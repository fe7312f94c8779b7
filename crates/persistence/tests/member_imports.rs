//! Member imports and their rows, on SQLite and on PostgreSQL.

mod common;

use time::{OffsetDateTime, macros::datetime};
use tollgate_domain::app::{App, AppSettings};
use tollgate_domain::email::Email;
use tollgate_domain::ids::{AppId, ImportId, JobId, UserId};
use tollgate_domain::page::Limit;
use tollgate_domain::user::User;
use tollgate_persistence::member_imports::{self as repo, ImportRowRecord, MemberImport, RowOutcome, RowProblem, Tally};
use tollgate_persistence::*;

both!(imports_store_rows_run_once_and_stay_in_their_app);

const T0: OffsetDateTime = datetime!(2026-06-01 12:00 UTC);

async fn new_app(db: &Db) -> App {
    let app = App {
        id: AppId::new(),
        name: "Academy".into(),
        site_url: None,
        support_email: None,
        settings: AppSettings::default(),
        branding: Default::default(),
        created_at: T0,
        updated_at: T0,
    };
    apps::insert(&mut db.acquire().await.unwrap().conn(), &app).await.unwrap();
    app
}

fn import(app: &App, total: i64) -> MemberImport {
    MemberImport {
        id: ImportId::new(),
        app_id: app.id.clone(),
        status: "previewed".into(),
        columns: serde_json::json!({"email": true, "name": false, "products": false, "ignored": []}),
        invite: false,
        total,
        invalid: 1,
        would_create: total - 1,
        would_update: 0,
        created: 0,
        updated: 0,
        granted: 0,
        skipped: 0,
        processed: 0,
        next_row: 2,
        job_id: None,
        error: None,
        created_at: T0,
        started_at: None,
        finished_at: None,
        updated_at: T0,
    }
}

async fn imports_store_rows_run_once_and_stay_in_their_app(db: &Db) {
    let app = new_app(db).await;
    let other = new_app(db).await;
    let mut c = db.acquire().await.unwrap();
    // 1,201 rows: more than one INSERT statement's worth.
    let rows: Vec<ImportRowRecord> = (0..1201)
        .map(|i| ImportRowRecord {
            line: i + 2,
            email: format!("m{i}@example.com"),
            name: (i % 2 == 0).then(|| format!("M {i}")),
            products: vec![],
            problems: if i == 5 { vec![RowProblem { code: "duplicate_row".into(), message: "x".into() }] } else { vec![] },
            outcome: None,
            reason: None,
            user_id: None,
            granted: vec![],
        })
        .collect();
    let imp = import(&app, rows.len() as i64);
    repo::insert(&mut c.conn(), &imp).await.unwrap();
    repo::insert_rows(&mut c.conn(), &app.id, &imp.id, &rows).await.unwrap();
    assert_eq!(repo::find(&mut c.conn(), &app.id, &imp.id).await.unwrap().unwrap(), imp);
    assert_eq!(repo::find(&mut c.conn(), &other.id, &imp.id).await.unwrap(), None, "another app never sees it");
    let page = repo::list_rows(&mut c.conn(), &other.id, &imp.id, None, None, Limit::parse(Some(10)).unwrap()).await.unwrap();
    assert!(page.items.is_empty());

    let batch = repo::rows_from(&mut c.conn(), &app.id, &imp.id, 500, 500).await.unwrap();
    assert_eq!((batch.len(), batch[0].line, batch[499].line), (500, 500, 999));
    assert_eq!(repo::rows_from(&mut c.conn(), &app.id, &imp.id, 2, 10).await.unwrap()[5].problems[0].code, "duplicate_row");

    // Started once only.
    let job = JobId::new();
    assert!(repo::start(&mut c.conn(), &app.id, &imp.id, true, &job, T0).await.unwrap());
    assert!(!repo::start(&mut c.conn(), &app.id, &imp.id, true, &job, T0).await.unwrap());
    assert!(!repo::start(&mut c.conn(), &other.id, &imp.id, true, &job, T0).await.unwrap());

    let u = UserId::new();
    let granted = vec!["prod_x".to_owned()];
    repo::set_outcome(&mut c.conn(), &app.id, &imp.id, &RowOutcome { line: 2, outcome: "created", reason: None, user_id: Some(&u), granted: &granted }).await.unwrap();
    repo::set_outcome(&mut c.conn(), &app.id, &imp.id, &RowOutcome { line: 3, outcome: "skipped", reason: Some("why"), user_id: None, granted: &[] }).await.unwrap();
    let t = Tally { processed: 2, created: 1, updated: 0, granted: 0, skipped: 1 };
    // The resume point moves only from where it is.
    assert!(!repo::advance(&mut c.conn(), &app.id, &imp.id, t, 3, 4, T0).await.unwrap());
    assert!(repo::advance(&mut c.conn(), &app.id, &imp.id, t, 2, 4, T0).await.unwrap());
    let got = repo::find(&mut c.conn(), &app.id, &imp.id).await.unwrap().unwrap();
    assert_eq!((got.status.as_str(), got.invite, got.next_row, got.processed, got.created, got.skipped), ("running", true, 4, 2, 1, 1));
    assert_eq!(got.job_id, Some(job));

    let created = repo::list_rows(&mut c.conn(), &app.id, &imp.id, Some("created"), None, Limit::parse(Some(10)).unwrap()).await.unwrap();
    assert_eq!(created.items.len(), 1);
    assert_eq!((created.items[0].user_id.as_ref(), created.items[0].granted.clone()), (Some(&u), granted));
    let p1 = repo::list_rows(&mut c.conn(), &app.id, &imp.id, None, None, Limit::parse(Some(100)).unwrap()).await.unwrap();
    let after: i64 = p1.next_cursor.unwrap().parse().unwrap();
    assert_eq!(after, 101);
    let p2 = repo::list_rows(&mut c.conn(), &app.id, &imp.id, None, Some(after), Limit::parse(Some(100)).unwrap()).await.unwrap();
    assert_eq!(p2.items[0].line, 102);

    assert!(repo::finish(&mut c.conn(), &app.id, &imp.id, "failed", Some("boom"), T0).await.unwrap());
    assert!(repo::reopen(&mut c.conn(), &app.id, &imp.id, T0).await.unwrap());
    assert_eq!(repo::find(&mut c.conn(), &app.id, &imp.id).await.unwrap().unwrap().status, "previewed");

    let member = User {
        id: UserId::new(),
        app_id: app.id.clone(),
        email: Email::parse("m7@example.com").unwrap(),
        name: String::new(),
        has_password: false,
        last_login_at: None,
        created_at: T0,
        updated_at: T0,
        customer: Default::default(),
    };
    users::insert(&mut c.conn(), &member, None).await.unwrap();
    let emails: Vec<String> = (0..1000).map(|i| format!("m{i}@example.com")).collect();
    let refs: Vec<&str> = emails.iter().map(String::as_str).collect();
    assert_eq!(repo::existing_emails(&mut c.conn(), &app.id, &refs).await.unwrap(), ["m7@example.com"]);
    assert!(repo::existing_emails(&mut c.conn(), &other.id, &refs).await.unwrap().is_empty());
}
