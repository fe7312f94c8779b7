//! `tollgate-bench reads`: admin reads at scale (issue 13). Seeds one app
//! with 100,000 members, 300,000 grants over 20 products and 1,000,000
//! activities (by SQL, in bulk), then times, inside the server process (the
//! use-case calls the HTTP handlers make, without the network), each read
//! many times: the members list with each filter, search by email and by
//! name, the activity feed with its filters, a member's detail, and the CSV
//! export's walk over 100,000 members (with the process's RSS before and after).

use std::sync::Arc;
use std::time::Instant;

use tollgate_app::crypto::Keys;
use tollgate_app::usecases::admin_auth::NewAdminAndApp;
use tollgate_app::{Services, ServicesConfig};
use tollgate_domain::activity::ActivityKind;
use tollgate_domain::clock::SystemClock;
use tollgate_domain::ids::{AppId, ProductId, UserId};
use tollgate_domain::members::RawMemberFilter;
use tollgate_domain::page::Limit;
use tollgate_persistence::activities::ActivityFilter;
use tollgate_persistence::{Backend, Db};

use crate::db::FreshDb;

pub struct Sizes {
    pub members: i64,
    pub grants_per_member: i64,
    pub activities: i64,
    pub products: i64,
}

/// One measured read.
pub struct Row {
    pub name: String,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
}

pub struct Figures {
    pub seed_s: f64,
    pub rows: Vec<Row>,
    pub export_rows: usize,
    pub export_s: f64,
    pub rss_growth_mb: f64,
}

fn rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmRSS:")).and_then(|l| l.split_whitespace().nth(1)).and_then(|v| v.parse().ok()))
        .unwrap_or(0)
}

/// `n` as a 32-digit id suffix (ids sort like the numbers).
fn pad_sql(backend: Backend, expr: &str) -> String {
    match backend {
        Backend::Sqlite => format!("substr('00000000000000000000000000000000' || ({expr}), -32, 32)"),
        Backend::Postgres => format!("lpad(({expr})::text, 32, '0')"),
    }
}

async fn exec(db: &Db, sql: &str) -> anyhow::Result<()> {
    match db {
        Db::Sqlite(p) => {
            sqlx::query(sqlx::AssertSqlSafe(sql.to_owned())).execute(p).await?;
        }
        Db::Pg(p) => {
            sqlx::query(sqlx::AssertSqlSafe(sql.to_owned())).execute(p).await?;
        }
    }
    Ok(())
}

/// Inserts the rows with one INSERT … SELECT over a generated sequence per chunk.
async fn seed(db: &Db, backend: Backend, app: &AppId, sizes: &Sizes, now_ms: i64) -> anyhow::Result<()> {
    let seq = |from: i64, to: i64| match backend {
        Backend::Sqlite => format!("WITH RECURSIVE seq(n) AS (SELECT {from} UNION ALL SELECT n + 1 FROM seq WHERE n < {}) ", to - 1),
        Backend::Postgres => format!("WITH seq(n) AS (SELECT generate_series({from}::bigint, {}::bigint)) ", to - 1),
    };
    let day = 86_400_000i64;
    for p in 0..sizes.products {
        exec(
            db,
            &format!(
                "INSERT INTO products (app_id, id, name, description, image_url, purchase_method, external_url, show_locked_card, archived_at, created_at, updated_at) \
                 VALUES ('{app}', 'prod_{}', 'Product {p}', '', NULL, 'none', NULL, TRUE, NULL, {now_ms}, {now_ms})",
                format!("{p:032}")
            ),
        )
        .await?;
    }
    let chunk = 50_000;
    let mut from = 0;
    while from < sizes.members {
        let to = (from + chunk).min(sizes.members);
        let uid = pad_sql(backend, "n");
        // Stages, MRR, logins and inactivity spread over the members.
        exec(
            db,
            &format!(
                "{}INSERT INTO users (app_id, id, email, name, name_folded, password_hash, last_login_at, created_at, updated_at, inactive_since, stage, mrr, mrr_currency, renews_at) \
                 SELECT '{app}', 'usr_' || {uid}, 'user' || n || '@example.com', 'Member ' || n, 'member ' || n, NULL, \
                 CASE WHEN n % 3 = 0 THEN NULL ELSE {now_ms} - (n % 365) * {day} END, {now_ms} - (n % 730) * {day}, {now_ms}, \
                 CASE WHEN n % 7 = 0 THEN {now_ms} - {day} ELSE NULL END, \
                 CASE n % 4 WHEN 0 THEN 'Customer' WHEN 1 THEN 'Trial' WHEN 2 THEN 'Churn' ELSE NULL END, \
                 CASE WHEN n % 4 = 0 THEN 1000 + (n % 50) * 100 ELSE 0 END, CASE WHEN n % 4 = 0 THEN 'usd' ELSE NULL END, \
                 CASE WHEN n % 4 = 0 THEN {now_ms} + (n % 30) * {day} ELSE NULL END FROM seq",
                seq(from, to)
            ),
        )
        .await?;
        for k in 0..sizes.grants_per_member {
            let gid = pad_sql(backend, &format!("n * {} + {k}", sizes.grants_per_member));
            let pid = pad_sql(backend, &format!("(n + {k} * 7) % {}", sizes.products));
            exec(
                db,
                &format!(
                    "{}INSERT INTO access_grants (app_id, id, user_id, product_id, source, source_ref, reason, granted_at, ends_at, revoked_at, revoke_reason, created_at, updated_at) \
                     SELECT '{app}', 'grant_' || {gid}, 'usr_' || {uid}, 'prod_' || {pid}, \
                     CASE (n + {k}) % 5 WHEN 0 THEN 'stripe_subscription' WHEN 1 THEN 'manual' WHEN 2 THEN 'keap' WHEN 3 THEN 'import' ELSE 'stripe_purchase' END, \
                     NULL, NULL, {now_ms} - {day}, NULL, CASE WHEN (n + {k}) % 10 = 0 THEN {now_ms} ELSE NULL END, NULL, {now_ms}, {now_ms} FROM seq",
                    seq(from, to)
                ),
            )
            .await?;
        }
        from = to;
    }
    let kinds = ["user.login", "product.access_granted", "user.page_completed", "user.video_watched", "product.purchased"];
    let kind_case = kinds.iter().enumerate().map(|(i, k)| format!("WHEN {i} THEN '{k}'")).collect::<Vec<_>>().join(" ");
    let chunk = 100_000;
    let mut from = 0;
    while from < sizes.activities {
        let to = (from + chunk).min(sizes.activities);
        let aid = pad_sql(backend, "n");
        let uid = pad_sql(backend, &format!("n % {}", sizes.members));
        let pid = pad_sql(backend, &format!("n % {}", sizes.products));
        exec(
            db,
            &format!(
                "{}INSERT INTO activities (app_id, id, kind, user_id, product_id, data, occurred_at) \
                 SELECT '{app}', 'act_' || {aid}, CASE n % {} {kind_case} END, 'usr_' || {uid}, CASE WHEN n % 5 = 0 THEN NULL ELSE 'prod_' || {pid} END, '{{}}', {now_ms} - n * 1000 FROM seq",
                seq(from, to),
                kinds.len()
            ),
        )
        .await?;
        from = to;
    }
    if let Db::Pg(p) = db {
        sqlx::query("ANALYZE").execute(p).await?;
    }
    if let Db::Sqlite(p) = db {
        sqlx::query("ANALYZE").execute(p).await?;
    }
    Ok(())
}

fn summarize(name: &str, mut ms: Vec<f64>) -> Row {
    ms.sort_by(f64::total_cmp);
    let at = |q: f64| ms[((ms.len() as f64 - 1.0) * q).round() as usize];
    Row { name: name.to_owned(), p50_ms: at(0.5), p99_ms: at(0.99), max_ms: *ms.last().unwrap_or(&0.0) }
}

async fn time<F, Fut, T>(n: usize, mut f: F) -> anyhow::Result<Vec<f64>>
where
    F: FnMut(usize) -> Fut,
    Fut: std::future::Future<Output = Result<T, tollgate_app::AppError>>,
{
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let t = Instant::now();
        f(i).await.map_err(|e| anyhow::anyhow!("{e}"))?;
        out.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    Ok(out)
}

pub async fn measure(backend: Backend, sizes: Sizes, iterations: usize) -> anyhow::Result<Figures> {
    let fresh = FreshDb::create(backend, "reads", 8).await?;
    fresh.db.migrate().await?;
    let keys = Keys::from_master(&[42u8; 32]).map_err(|e| anyhow::anyhow!("{e}"))?;
    let s = Services::new(fresh.db.clone(), Arc::new(SystemClock), keys, ServicesConfig::new("http://127.0.0.1:8080"));
    let (_, app) = s
        .create_admin_and_app(
            NewAdminAndApp { email: "bench@example.com".into(), password: "correct horse battery staple".into(), name: "Bench".into(), app_name: "Bench".into(), site_url: None },
            false,
        )
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let app = app.id;
    let now_ms = tollgate_domain::clock::to_millis(s.now());
    let started = Instant::now();
    seed(&s.db, backend, &app, &sizes, now_ms).await?;
    let seed_s = started.elapsed().as_secs_f64();

    let product = format!("prod_{:032}", 3);
    let filters: Vec<(&str, RawMemberFilter)> = vec![
        ("members: no filter", RawMemberFilter::default()),
        ("members: stage", RawMemberFilter { stage: Some("Customer".into()), ..Default::default() }),
        ("members: renews within 7 days", RawMemberFilter { renews_within_days: Some(7), ..Default::default() }),
        ("members: has product", RawMemberFilter { has_product: Some(product.clone()), ..Default::default() }),
        ("members: lacks product", RawMemberFilter { lacks_product: Some(product.clone()), ..Default::default() }),
        ("members: grant source keap", RawMemberFilter { source: Some("keap".into()), ..Default::default() }),
        ("members: MRR at least 3000", RawMemberFilter { mrr_min: Some(3000), ..Default::default() }),
        ("members: no login for 90 days", RawMemberFilter { last_login_before: Some(tollgate_domain::metrics::format_day((s.now() - time::Duration::days(90)).date())), ..Default::default() }),
        ("members: inactive", RawMemberFilter { status: Some("inactive".into()), ..Default::default() }),
        ("members: joined in 30 days", RawMemberFilter { created_after: Some(tollgate_domain::metrics::format_day((s.now() - time::Duration::days(30)).date())), ..Default::default() }),
        ("members: search email prefix", RawMemberFilter { q: Some("user4242".into()), ..Default::default() }),
        ("members: search name part", RawMemberFilter { q: Some("member 777".into()), ..Default::default() }),
    ];
    let mut rows = Vec::new();
    let page = Limit::parse(Some(50)).map_err(|e| anyhow::anyhow!(e.message))?;
    for (name, filter) in &filters {
        // The first page, and a page deep into the list (a cursor half-way through the ids).
        let ms = time(iterations, |i| {
            let after = (i % 2 == 1).then(|| UserId::from_trusted(format!("usr_{:032}", sizes.members / 2)));
            let s = s.clone();
            let app = app.clone();
            let filter = filter.clone();
            async move { s.list_members(&app, &filter, after.as_ref(), page).await }
        })
        .await?;
        rows.push(summarize(name, ms));
    }
    let ms = time(iterations, |_| {
        let (s, app, filter) = (s.clone(), app.clone(), filters[3].1.clone());
        async move { s.count_members(&app, &filter).await }
    })
    .await?;
    rows.push(summarize("members: total count, has product", ms));

    let feeds: Vec<(&str, ActivityFilter)> = vec![
        ("feed: no filter", ActivityFilter::default()),
        ("feed: one kind", ActivityFilter { kinds: vec![ActivityKind::UserPageCompleted], ..Default::default() }),
        ("feed: one member", ActivityFilter { user_id: Some(UserId::from_trusted(format!("usr_{:032}", 4242))), ..Default::default() }),
        ("feed: one product", ActivityFilter { product_id: Some(ProductId::from_trusted(product.clone())), ..Default::default() }),
    ];
    for (name, filter) in &feeds {
        let ms = time(iterations, |_| {
            let (s, app, filter) = (s.clone(), app.clone(), filter.clone());
            async move { s.activity_feed(&app, &filter, None, page).await }
        })
        .await?;
        rows.push(summarize(name, ms));
    }
    let ms = time(iterations, |i| {
        let (s, app) = (s.clone(), app.clone());
        let u = UserId::from_trusted(format!("usr_{:032}", (i as i64 * 7919) % sizes.members));
        async move {
            s.get_member(&app, &u).await?;
            s.list_grants(&app, &u, None, None, page).await?;
            s.activity_feed(&app, &ActivityFilter { user_id: Some(u.clone()), ..Default::default() }, None, Limit::parse(Some(20)).unwrap_or_default()).await
        }
    })
    .await?;
    rows.push(summarize("member detail (member, grants, 20 activities)", ms));

    // The export's walk: every member, 1,000 a page, as the CSV export reads them.
    let rss_before = rss_kb();
    let t = Instant::now();
    let mut after: Option<UserId> = None;
    let mut export_rows = 0;
    let mut peak = rss_before;
    loop {
        let p = s.list_members(&app, &RawMemberFilter::default(), after.as_ref(), Limit::batch(1000)).await.map_err(|e| anyhow::anyhow!("{e}"))?;
        export_rows += p.items.len();
        peak = peak.max(rss_kb());
        match p.next_cursor {
            Some(c) => after = Some(UserId::from_trusted(c)),
            None => break,
        }
    }
    let export_s = t.elapsed().as_secs_f64();
    fresh.remove().await?;
    Ok(Figures { seed_s, rows, export_rows, export_s, rss_growth_mb: (peak.saturating_sub(rss_before)) as f64 / 1024.0 })
}
