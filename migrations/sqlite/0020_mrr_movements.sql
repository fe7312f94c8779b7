-- MRR movements (issue 13: new and churned MRR over a range): each change of
-- a subscription's contribution to MRR (active and past_due count; trialing,
-- canceled, unpaid… contribute 0), recorded in the transaction that applies
-- the subscription. amount is signed, in minor units of currency a month.
CREATE TABLE mrr_movements (
    app_id TEXT NOT NULL,
    id TEXT NOT NULL,
    subscription_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    -- new | expansion | contraction | churn | reactivation
    kind TEXT NOT NULL,
    amount BIGINT NOT NULL,
    currency TEXT,
    occurred_at BIGINT NOT NULL,
    PRIMARY KEY (app_id, id)
);
CREATE INDEX mrr_movements_time_idx ON mrr_movements (app_id, occurred_at);
CREATE INDEX mrr_movements_sub_idx ON mrr_movements (app_id, subscription_id);

-- Subscriptions contributing today started contributing when they were first seen.
INSERT INTO mrr_movements (app_id, id, subscription_id, user_id, kind, amount, currency, occurred_at)
SELECT app_id, 'mov_' || subscription_id, subscription_id, user_id, 'new', mrr, currency, created_at
FROM stripe_subscriptions
WHERE status IN ('active', 'past_due') AND mrr > 0;
