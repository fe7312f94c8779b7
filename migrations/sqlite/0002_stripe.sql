-- The Stripe connector: product links, customers, a mirror of subscriptions,
-- one-off purchases, and the webhook inbox.

CREATE TABLE stripe_product_links (
    app_id TEXT NOT NULL,
    product_id TEXT NOT NULL,
    stripe_product_id TEXT NOT NULL,
    stripe_product_name TEXT NOT NULL,
    import_job_id TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (app_id, product_id),
    FOREIGN KEY (app_id, product_id) REFERENCES products (app_id, id),
    CONSTRAINT stripe_links_stripe_product_key UNIQUE (app_id, stripe_product_id)
);

CREATE TABLE stripe_customers (
    app_id TEXT NOT NULL,
    customer_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (app_id, customer_id),
    FOREIGN KEY (app_id, user_id) REFERENCES users (app_id, id)
);
CREATE INDEX stripe_customers_user_idx ON stripe_customers (app_id, user_id);

CREATE TABLE stripe_subscriptions (
    app_id TEXT NOT NULL,
    subscription_id TEXT NOT NULL,
    customer_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    status TEXT NOT NULL,
    cancel_at_period_end BOOLEAN NOT NULL,
    current_period_end BIGINT,
    past_due_since BIGINT,
    stripe_product_ids TEXT NOT NULL,
    mrr BIGINT NOT NULL,
    currency TEXT,
    started_recorded BOOLEAN NOT NULL,
    cancel_recorded BOOLEAN NOT NULL,
    state_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (app_id, subscription_id)
);
CREATE INDEX stripe_subscriptions_user_idx ON stripe_subscriptions (app_id, user_id);
CREATE INDEX stripe_subscriptions_status_idx ON stripe_subscriptions (app_id, status);

CREATE TABLE stripe_purchases (
    app_id TEXT NOT NULL,
    id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    product_id TEXT NOT NULL,
    source_ref TEXT NOT NULL,
    amount BIGINT NOT NULL,
    currency TEXT,
    refunded BOOLEAN NOT NULL,
    purchased_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (app_id, id),
    CONSTRAINT stripe_purchases_source_key UNIQUE (app_id, source_ref, product_id)
);
CREATE INDEX stripe_purchases_user_idx ON stripe_purchases (app_id, user_id);

CREATE TABLE stripe_events (
    app_id TEXT NOT NULL,
    event_id TEXT NOT NULL,
    event_type TEXT NOT NULL,
    created BIGINT NOT NULL,
    payload TEXT NOT NULL,
    status TEXT NOT NULL,
    received_at BIGINT NOT NULL,
    processed_at BIGINT,
    error TEXT,
    PRIMARY KEY (app_id, event_id)
);
CREATE INDEX stripe_events_created_idx ON stripe_events (app_id, created);
CREATE INDEX stripe_events_status_idx ON stripe_events (app_id, status, received_at);

CREATE INDEX access_grants_ends_idx ON access_grants (app_id, ends_at) WHERE revoked_at IS NULL AND ends_at IS NOT NULL;
