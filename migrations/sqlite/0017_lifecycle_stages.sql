-- Lifecycle stages and per-customer figures (issue 13).
--
-- Each member keeps their stage, MRR (minor units of mrr_currency: active
-- and past-due subscriptions, trialing counts 0) and renewal date (earliest
-- period end of a live subscription not set to cancel), updated in the same
-- transaction as the subscription they come from.
ALTER TABLE users ADD COLUMN stage TEXT;
ALTER TABLE users ADD COLUMN mrr BIGINT NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN mrr_currency TEXT;
ALTER TABLE users ADD COLUMN renews_at BIGINT;
-- The members list's filters: by stage (newest first) and renewal within N days.
CREATE INDEX users_stage_idx ON users (app_id, stage, id);
CREATE INDEX users_renews_idx ON users (app_id, renews_at);

-- An app's stage definitions, highest priority first, as JSON
-- [{"name", "statuses": [...]}]; no row: the default stages. The recompute
-- after an edit walks the members by id and records its progress here.
CREATE TABLE lifecycle_stages (
    app_id TEXT NOT NULL PRIMARY KEY REFERENCES apps (id),
    definitions TEXT NOT NULL,
    recompute_total BIGINT NOT NULL,
    recompute_done BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- Members with subscriptions get their figures under the default stages
-- (Customer ← active, incomplete, incomplete_expired, past_due, unpaid;
-- Trial ← trialing; Churn ← canceled).
UPDATE users SET
    stage = CASE
        WHEN EXISTS (SELECT 1 FROM stripe_subscriptions s WHERE s.app_id = users.app_id AND s.user_id = users.id
                     AND s.status IN ('active', 'incomplete', 'incomplete_expired', 'past_due', 'unpaid')) THEN 'Customer'
        WHEN EXISTS (SELECT 1 FROM stripe_subscriptions s WHERE s.app_id = users.app_id AND s.user_id = users.id AND s.status = 'trialing') THEN 'Trial'
        WHEN EXISTS (SELECT 1 FROM stripe_subscriptions s WHERE s.app_id = users.app_id AND s.user_id = users.id AND s.status = 'canceled') THEN 'Churn'
    END,
    mrr = COALESCE((SELECT SUM(s.mrr) FROM stripe_subscriptions s WHERE s.app_id = users.app_id AND s.user_id = users.id
                    AND s.status IN ('active', 'past_due')), 0),
    mrr_currency = (SELECT MAX(s.currency) FROM stripe_subscriptions s WHERE s.app_id = users.app_id AND s.user_id = users.id
                    AND s.status IN ('active', 'past_due')),
    renews_at = (SELECT MIN(s.current_period_end) FROM stripe_subscriptions s WHERE s.app_id = users.app_id AND s.user_id = users.id
                 AND s.status IN ('trialing', 'active', 'past_due') AND NOT s.cancel_at_period_end)
WHERE EXISTS (SELECT 1 FROM stripe_subscriptions s WHERE s.app_id = users.app_id AND s.user_id = users.id);
