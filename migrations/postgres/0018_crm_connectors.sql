-- CRM connectors (ActiveCampaign, Keap): a tag per product; tags grant and
-- remove access; access from other sources applies and removes the tag.

-- One row per app and CRM. A disconnected row stays (status 'disconnected',
-- secrets gone) so reconnecting the same account resumes its tag mapping.
CREATE TABLE crm_connections (
    app_id TEXT NOT NULL REFERENCES apps (id),
    kind TEXT NOT NULL,
    -- Which CRM account the credentials open (ActiveCampaign: the API URL; Keap: the account).
    account_id TEXT NOT NULL,
    account_name TEXT NOT NULL,
    status TEXT NOT NULL,
    -- 'api_key' or 'oauth'
    auth TEXT NOT NULL,
    -- Public settings as JSON: api_url, tag_pattern, create_members, removal_revokes_all.
    settings TEXT NOT NULL,
    -- Encrypted credentials (API key, or OAuth tokens).
    secrets TEXT,
    -- The random token in the webhook URL the CRM posts to.
    hook_token TEXT NOT NULL,
    -- The CRM's ids of the webhook subscriptions Tollgate made, as JSON.
    hook_ids TEXT NOT NULL,
    connected_at BIGINT NOT NULL,
    last_sync_at BIGINT,
    last_error TEXT,
    last_error_at BIGINT,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (app_id, kind)
);

-- Product ↔ tag. Kept on disconnect; dropped when a different account connects.
CREATE TABLE crm_tags (
    app_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    product_id TEXT NOT NULL,
    tag_id TEXT NOT NULL,
    tag_name TEXT NOT NULL,
    -- Whether an admin picked the tag (a rename of the product leaves it alone).
    picked BOOLEAN NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (app_id, kind, product_id),
    FOREIGN KEY (app_id, product_id) REFERENCES products (app_id, id)
);
CREATE UNIQUE INDEX crm_tags_tag_idx ON crm_tags (app_id, kind, tag_id);

-- Contact ↔ member.
CREATE TABLE crm_contacts (
    app_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    user_id TEXT NOT NULL,
    contact_id TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (app_id, kind, user_id),
    FOREIGN KEY (app_id, user_id) REFERENCES users (app_id, id)
);
CREATE UNIQUE INDEX crm_contacts_contact_idx ON crm_contacts (app_id, kind, contact_id);

-- Tags Tollgate itself applied because the member has access from another
-- source: their webhook echo is not a grant (loop safety). Written before the
-- CRM is called, removed before Tollgate removes the tag.
CREATE TABLE crm_pushed_tags (
    app_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    user_id TEXT NOT NULL,
    product_id TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (app_id, kind, user_id, product_id)
);
