-- When Tollgate recorded User Inactive for a member (cleared on their next login).
ALTER TABLE users ADD COLUMN inactive_since BIGINT;
CREATE INDEX users_activity_idx ON users (app_id, inactive_since, last_login_at);
