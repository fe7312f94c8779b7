-- A member's request to change their sign-in email, waiting until the new
-- address confirms it. One pending change per member (a new request replaces
-- the previous one); the single-use confirmation token is stored hashed and
-- the row is deleted when the change is confirmed or cancelled.
CREATE TABLE email_changes (
    app_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    new_email TEXT NOT NULL,
    token_hash TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (app_id, user_id),
    FOREIGN KEY (app_id, user_id) REFERENCES users (app_id, id)
);
CREATE UNIQUE INDEX email_changes_token_idx ON email_changes (app_id, token_hash);
