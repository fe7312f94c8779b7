-- The audit log (issue 14): every admin write, appended in the transaction
-- of the change. `actor_id` is an admin (adm_…) or an API key (key_…);
-- `before_json`/`after_json` are JSON summaries without secrets. Read newest first
-- (occurred_at, id descending) by app, optionally by actor, action or target; the
-- retention sweep deletes by (app_id, occurred_at).
CREATE TABLE audit_log (
    app_id TEXT NOT NULL REFERENCES apps (id),
    id TEXT NOT NULL,
    occurred_at BIGINT NOT NULL,
    actor_id TEXT NOT NULL,
    credential TEXT NOT NULL,
    role TEXT,
    action TEXT NOT NULL,
    target_type TEXT NOT NULL,
    target_id TEXT,
    before_json TEXT,
    after_json TEXT,
    request_id TEXT,
    ip TEXT,
    PRIMARY KEY (app_id, id)
);
CREATE INDEX audit_log_at_idx ON audit_log (app_id, occurred_at, id);
CREATE INDEX audit_log_actor_idx ON audit_log (app_id, actor_id, occurred_at, id);
CREATE INDEX audit_log_action_idx ON audit_log (app_id, action, occurred_at, id);
CREATE INDEX audit_log_target_idx ON audit_log (app_id, target_type, target_id, occurred_at, id);
