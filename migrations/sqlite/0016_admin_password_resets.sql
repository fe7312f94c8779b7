-- "Forgot password?" for admins: single-use reset links, stored hashed.

CREATE TABLE admin_password_resets (
    token_hash TEXT PRIMARY KEY,
    admin_id TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT,
    created_at BIGINT NOT NULL,
    FOREIGN KEY (admin_id) REFERENCES admins (id)
);
CREATE INDEX admin_password_resets_admin_idx ON admin_password_resets (admin_id);
