-- Checkout per linked product, sales pages, progress, hosted media.

ALTER TABLE stripe_product_links ADD COLUMN checkout_enabled BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE stripe_product_links ADD COLUMN checkout_price_id TEXT;
ALTER TABLE stripe_product_links ADD COLUMN checkout_mode TEXT;
ALTER TABLE stripe_product_links ADD COLUMN trial_period_days BIGINT;
ALTER TABLE stripe_product_links ADD COLUMN payment_link_id TEXT;
ALTER TABLE stripe_product_links ADD COLUMN payment_link_url TEXT;

CREATE TABLE sales_pages (
    app_id TEXT NOT NULL,
    product_id TEXT NOT NULL,
    title TEXT NOT NULL,
    blocks TEXT NOT NULL,
    cta_label TEXT NOT NULL,
    template TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (app_id, product_id),
    FOREIGN KEY (app_id, product_id) REFERENCES products (app_id, id)
);

CREATE TABLE page_completions (
    app_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    page_id TEXT NOT NULL,
    product_id TEXT NOT NULL,
    completed_at BIGINT NOT NULL,
    PRIMARY KEY (app_id, user_id, page_id)
);
CREATE INDEX page_completions_product_idx ON page_completions (app_id, user_id, product_id);

CREATE TABLE product_completions (
    app_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    product_id TEXT NOT NULL,
    completed_at BIGINT NOT NULL,
    PRIMARY KEY (app_id, user_id, product_id)
);

CREATE TABLE media (
    app_id TEXT NOT NULL,
    id TEXT NOT NULL,
    product_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    storage_key TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (app_id, id),
    FOREIGN KEY (app_id, product_id) REFERENCES products (app_id, id)
);
CREATE INDEX media_product_idx ON media (app_id, product_id, id);
