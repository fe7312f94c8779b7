-- Foundation schema. Timestamps are milliseconds since the Unix epoch (BIGINT);
-- ids are prefixed UUIDv7 text; every tenant-owned primary key begins with app_id.

CREATE TABLE apps (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    site_url TEXT,
    support_email TEXT,
    inactivity_threshold_days BIGINT NOT NULL,
    past_due_grace_days BIGINT NOT NULL,
    refund_revokes_access BOOLEAN NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE admins (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL,
    name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    CONSTRAINT admins_email_key UNIQUE (email)
);

CREATE TABLE app_admins (
    app_id TEXT NOT NULL REFERENCES apps (id),
    admin_id TEXT NOT NULL REFERENCES admins (id),
    role TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (app_id, admin_id)
);
CREATE INDEX app_admins_admin_idx ON app_admins (admin_id, created_at);

-- Refresh tokens of admin and member sessions, stored as SHA-256 hashes.
CREATE TABLE sessions (
    app_id TEXT NOT NULL REFERENCES apps (id),
    token_hash TEXT NOT NULL,
    subject_kind TEXT NOT NULL,
    subject_id TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT,
    PRIMARY KEY (app_id, token_hash)
);
CREATE INDEX sessions_subject_idx ON sessions (app_id, subject_kind, subject_id);

CREATE TABLE api_keys (
    app_id TEXT NOT NULL REFERENCES apps (id),
    id TEXT NOT NULL,
    name TEXT NOT NULL,
    secret_hash TEXT NOT NULL,
    last4 TEXT NOT NULL,
    scopes TEXT NOT NULL,
    created_by TEXT,
    created_at BIGINT NOT NULL,
    last_used_at BIGINT,
    revoked_at BIGINT,
    PRIMARY KEY (app_id, id)
);
CREATE UNIQUE INDEX api_keys_id_idx ON api_keys (id);

CREATE TABLE users (
    app_id TEXT NOT NULL REFERENCES apps (id),
    id TEXT NOT NULL,
    email TEXT NOT NULL,
    name TEXT NOT NULL,
    password_hash TEXT,
    last_login_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (app_id, id),
    CONSTRAINT users_app_email_key UNIQUE (app_id, email)
);
CREATE INDEX users_last_login_idx ON users (app_id, last_login_at);

CREATE TABLE products (
    app_id TEXT NOT NULL REFERENCES apps (id),
    id TEXT NOT NULL,
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    image_url TEXT,
    purchase_method TEXT NOT NULL,
    external_url TEXT,
    show_locked_card BOOLEAN NOT NULL,
    archived_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (app_id, id)
);

CREATE TABLE product_pages (
    app_id TEXT NOT NULL,
    id TEXT NOT NULL,
    product_id TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    position BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (app_id, id),
    FOREIGN KEY (app_id, product_id) REFERENCES products (app_id, id)
);
CREATE INDEX product_pages_product_idx ON product_pages (app_id, product_id, position, id);

CREATE TABLE access_grants (
    app_id TEXT NOT NULL,
    id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    product_id TEXT NOT NULL,
    source TEXT NOT NULL,
    source_ref TEXT,
    reason TEXT,
    granted_at BIGINT NOT NULL,
    ends_at BIGINT,
    revoked_at BIGINT,
    revoke_reason TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (app_id, id),
    FOREIGN KEY (app_id, user_id) REFERENCES users (app_id, id),
    FOREIGN KEY (app_id, product_id) REFERENCES products (app_id, id)
);
CREATE INDEX access_grants_user_idx ON access_grants (app_id, user_id, product_id);
CREATE INDEX access_grants_product_idx ON access_grants (app_id, product_id, user_id);
CREATE INDEX access_grants_source_idx ON access_grants (app_id, source, source_ref);
-- At most one open grant per member, product and source object.
CREATE UNIQUE INDEX access_grants_open_key ON access_grants (app_id, user_id, product_id, source, COALESCE(source_ref, ''))
    WHERE revoked_at IS NULL;

CREATE TABLE activities (
    app_id TEXT NOT NULL REFERENCES apps (id),
    id TEXT NOT NULL,
    kind TEXT NOT NULL,
    user_id TEXT,
    product_id TEXT,
    data TEXT NOT NULL,
    occurred_at BIGINT NOT NULL,
    PRIMARY KEY (app_id, id)
);
CREATE INDEX activities_time_idx ON activities (app_id, occurred_at, id);
CREATE INDEX activities_user_idx ON activities (app_id, user_id, occurred_at, id);
CREATE INDEX activities_product_idx ON activities (app_id, product_id, occurred_at, id);
CREATE INDEX activities_kind_idx ON activities (app_id, kind, occurred_at, id);

CREATE TABLE jobs (
    app_id TEXT NOT NULL,
    id TEXT NOT NULL,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts BIGINT NOT NULL,
    max_attempts BIGINT NOT NULL,
    run_at BIGINT NOT NULL,
    unique_key TEXT,
    locked_by TEXT,
    locked_at BIGINT,
    last_error TEXT,
    progress_done BIGINT,
    progress_total BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    finished_at BIGINT,
    PRIMARY KEY (app_id, id)
);
CREATE INDEX jobs_due_idx ON jobs (status, run_at);
CREATE INDEX jobs_app_status_idx ON jobs (app_id, status, id);
CREATE UNIQUE INDEX jobs_unique_key ON jobs (app_id, unique_key) WHERE unique_key IS NOT NULL;

CREATE TABLE email_outbox (
    app_id TEXT NOT NULL REFERENCES apps (id),
    id TEXT NOT NULL,
    template TEXT NOT NULL,
    to_email TEXT NOT NULL,
    subject TEXT NOT NULL,
    text_body TEXT NOT NULL,
    html_body TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts BIGINT NOT NULL,
    last_error TEXT,
    created_at BIGINT NOT NULL,
    sent_at BIGINT,
    PRIMARY KEY (app_id, id)
);

CREATE TABLE magic_links (
    app_id TEXT NOT NULL,
    token_hash TEXT NOT NULL,
    user_id TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (app_id, token_hash),
    FOREIGN KEY (app_id, user_id) REFERENCES users (app_id, id)
);

CREATE TABLE idempotency_keys (
    app_id TEXT NOT NULL REFERENCES apps (id),
    idem_key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status_code BIGINT,
    response_body TEXT,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (app_id, idem_key)
);

CREATE TABLE connector_settings (
    app_id TEXT NOT NULL REFERENCES apps (id),
    kind TEXT NOT NULL,
    settings TEXT NOT NULL,
    secrets TEXT,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (app_id, kind)
);
