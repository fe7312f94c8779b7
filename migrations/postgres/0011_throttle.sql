-- Throttling state that every `serve` process shares (they may be several
-- on PostgreSQL), and refresh session families.
--
-- throttle: one row per throttled key. For a password (an admin's, or a
-- member's in one app) it counts failed attempts and holds the lockout they
-- earned; for a member's emailed links (magic links, email changes) it counts
-- the requests of the current window. `key_hash` is the SHA-256 of the
-- purpose and the account (e.g. "admin_password:<email>"), so the table holds
-- no addresses and attacker-chosen input has a fixed size. It is not
-- tenant-owned (an admin account spans apps): member keys include their app
-- id inside the hash. Rows untouched for two days are pruned.
CREATE TABLE throttle (
    key_hash TEXT NOT NULL PRIMARY KEY,
    hits BIGINT NOT NULL,
    window_start BIGINT NOT NULL,
    locked_until BIGINT,
    updated_at BIGINT NOT NULL
);
CREATE INDEX throttle_updated_idx ON throttle (updated_at);

-- A refresh token issued by rotation carries the family of the login that
-- started the chain, so replaying a token that was already rotated (a stolen
-- copy, OAuth 2.0 Security BCP 4.14) ends every session of the family.
-- Sessions from before this migration are each their own family.
ALTER TABLE sessions ADD COLUMN family_id TEXT;
UPDATE sessions SET family_id = token_hash;
CREATE INDEX sessions_family_idx ON sessions (app_id, family_id);
