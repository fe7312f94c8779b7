-- MRR per app and UTC day, refreshed while the day lasts (the access sweep
-- records it each minute). `day` is YYYY-MM-DD, so text order is date order.
CREATE TABLE mrr_daily (
    app_id TEXT NOT NULL,
    day TEXT NOT NULL,
    mrr BIGINT NOT NULL,
    paying_subscriptions BIGINT NOT NULL,
    currency TEXT,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (app_id, day)
);
