-- Invitations to join an app's team (admins). The token is stored as a
-- SHA-256 hash; the link carries `<app_id>.<token>`. At most one pending
-- invitation per email and app: a new one replaces (revokes) the old.
CREATE TABLE admin_invitations (
    app_id TEXT NOT NULL REFERENCES apps (id),
    id TEXT NOT NULL,
    email TEXT NOT NULL,
    role TEXT NOT NULL,
    token_hash TEXT NOT NULL,
    invited_by TEXT NOT NULL REFERENCES admins (id),
    expires_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    accepted_at BIGINT,
    accepted_by TEXT REFERENCES admins (id),
    revoked_at BIGINT,
    PRIMARY KEY (app_id, id)
);
CREATE UNIQUE INDEX admin_invitations_token_idx ON admin_invitations (app_id, token_hash);
CREATE UNIQUE INDEX admin_invitations_open_idx ON admin_invitations (app_id, email) WHERE accepted_at IS NULL AND revoked_at IS NULL;

-- Revoking a removed admin's API keys looks keys up by creator.
CREATE INDEX api_keys_created_by_idx ON api_keys (app_id, created_by);
