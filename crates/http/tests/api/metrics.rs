//! MRR history: daily snapshots, carried forward, today's point live.

use serde_json::Value;
use time::{Duration, OffsetDateTime, UtcOffset};
use tollgate_domain::ids::AppId;
use tollgate_domain::metrics::{DailyMrr, format_day};
use tollgate_persistence::metrics;

use crate::both;
use crate::helpers::TestApp;

both!(mrr_history_carries_days_forward_and_validates_its_range, the_access_sweep_records_todays_mrr);

fn today(app: &TestApp) -> time::Date {
    use tollgate_domain::clock::Clock;
    app.clock.now().to_offset(UtcOffset::UTC).date()
}

fn points(body: &Value) -> Vec<(String, i64, i64)> {
    body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["day"].as_str().unwrap().to_owned(), p["mrr"].as_i64().unwrap(), p["paying_subscriptions"].as_i64().unwrap()))
        .collect()
}

async fn app_id(app: &TestApp, t: &str) -> AppId {
    AppId::parse(app.get("/api/v1/auth/me", t).await.expect(200).body["app"]["id"].as_str().unwrap()).unwrap()
}

async fn mrr_history_carries_days_forward_and_validates_its_range(app: TestApp) {
    let t = app.setup().await;
    let d = today(&app);
    let day = |n: i64| format_day(d - Duration::days(n));

    // Nothing recorded yet: only today's live figure.
    let r = app.get("/api/v1/app/metrics/mrr", &t).await.expect(200);
    assert_eq!(points(&r.body), vec![(day(0), 0, 0)]);
    assert_eq!((r.body["from"].as_str(), r.body["to"].as_str()), (Some(day(29).as_str()), Some(day(0).as_str())), "the default range is the last 30 days");

    // Earlier days as the sweep would have recorded them.
    let id = app_id(&app, &t).await;
    let mut c = app.services.db.acquire().await.unwrap();
    let now = OffsetDateTime::now_utc();
    for (n, mrr, subs) in [(40, 700, 1), (5, 1000, 1), (2, 2500, 2)] {
        let p = DailyMrr { day: d - Duration::days(n), mrr, paying_subscriptions: subs };
        metrics::record_day(&mut c.conn(), &id, &p, Some("eur"), now).await.unwrap();
    }
    // Today's sweep found no subscription: zero, and no currency.
    metrics::record_day(&mut c.conn(), &id, &DailyMrr { day: d, mrr: 0, paying_subscriptions: 0 }, None, now).await.unwrap();
    drop(c);

    let r = app.get(&format!("/api/v1/app/metrics/mrr?from={}", day(6)), &t).await.expect(200);
    assert_eq!(
        points(&r.body),
        vec![(day(6), 700, 1), (day(5), 1000, 1), (day(4), 1000, 1), (day(3), 1000, 1), (day(2), 2500, 2), (day(1), 2500, 2), (day(0), 0, 0)],
        "a day without a snapshot keeps the figure before it; today is live (no subscriptions now)"
    );
    assert_eq!(r.body["currency"], "eur", "today has no subscription (no currency); the history's currency stays");

    // A past window that ends before today has no live point.
    let r = app.get(&format!("/api/v1/app/metrics/mrr?from={}&to={}", day(3), day(2)), &t).await.expect(200);
    assert_eq!(points(&r.body), vec![(day(3), 1000, 1), (day(2), 2500, 2)]);
    // Before the first snapshot there is nothing to draw.
    let r = app.get(&format!("/api/v1/app/metrics/mrr?from={}&to={}", day(60), day(50)), &t).await.expect(200);
    assert_eq!(points(&r.body), vec![]);

    // Bad ranges are 422 problems naming the field.
    for (query, field, code) in [
        (format!("from={}", day(400)), "from", "range_too_long"),
        (format!("from={}&to={}", day(1), day(2)), "from", "after_to"),
        (format!("to={}", format_day(d + Duration::days(1))), "to", "in_future"),
        ("from=2026-02-30".to_owned(), "from", "invalid_date"),
        ("days=7".to_owned(), "days", "unknown_parameter"),
    ] {
        let r = app.get(&format!("/api/v1/app/metrics/mrr?{query}"), &t).await.expect(422);
        assert_eq!((r.fields(), r.body["errors"][0]["code"].as_str()), (vec![field.to_owned()], Some(code)), "{query}");
    }
}

async fn the_access_sweep_records_todays_mrr(app: TestApp) {
    let t = app.setup().await;
    let id = app_id(&app, &t).await;
    let d = today(&app);
    tollgate_app::worker::Worker::new(app.services.clone()).schedule_periodic().await.unwrap();
    app.drain_jobs().await;
    let mut c = app.services.db.acquire().await.unwrap();
    let rows = metrics::days(&mut c.conn(), &id, d, d).await.unwrap();
    assert_eq!(rows, vec![(DailyMrr { day: d, mrr: 0, paying_subscriptions: 0 }, None)]);
}
