-- Automations: a trigger, optional conditions and ordered steps, per app.
-- Every save makes a new version; a run keeps the version it started with,
-- so editing an enabled automation does not change runs in progress.
CREATE TABLE automations (
    app_id TEXT NOT NULL REFERENCES apps (id),
    id TEXT NOT NULL,
    name TEXT NOT NULL,
    enabled BOOLEAN NOT NULL,
    version BIGINT NOT NULL,
    -- What the trigger listens to: `activity:<kind>`, `renewal_upcoming`,
    -- `trial_ending`, `payment_failed`. Matching an activity is one lookup
    -- of this index.
    trigger_key TEXT NOT NULL,
    definition TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (app_id, id)
);
CREATE INDEX automations_trigger_idx ON automations (app_id, trigger_key) WHERE enabled;

CREATE TABLE automation_versions (
    app_id TEXT NOT NULL,
    automation_id TEXT NOT NULL,
    version BIGINT NOT NULL,
    definition TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (app_id, automation_id, version)
);

-- One run per (automation, what triggered it): an activity id, or a
-- subscription period for time-based triggers. The unique key makes a
-- trigger processed twice start one run.
CREATE TABLE automation_runs (
    app_id TEXT NOT NULL,
    id TEXT NOT NULL,
    automation_id TEXT NOT NULL,
    version BIGINT NOT NULL,
    trigger_ref TEXT NOT NULL,
    user_id TEXT,
    product_id TEXT,
    depth BIGINT NOT NULL,
    context TEXT NOT NULL,
    status TEXT NOT NULL,
    current_step BIGINT NOT NULL,
    error TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    finished_at BIGINT,
    PRIMARY KEY (app_id, id),
    CONSTRAINT automation_runs_trigger_key UNIQUE (app_id, automation_id, trigger_ref)
);
CREATE INDEX automation_runs_automation_idx ON automation_runs (app_id, automation_id, id);
CREATE INDEX automation_runs_user_idx ON automation_runs (app_id, user_id, id);

-- What each step of a run did.
CREATE TABLE automation_run_steps (
    app_id TEXT NOT NULL,
    run_id TEXT NOT NULL,
    idx BIGINT NOT NULL,
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    detail TEXT,
    error TEXT,
    started_at BIGINT NOT NULL,
    finished_at BIGINT,
    PRIMARY KEY (app_id, run_id, idx)
);

-- Email templates of an app: subject and Markdown body with {{variables}}.
CREATE TABLE email_templates (
    app_id TEXT NOT NULL REFERENCES apps (id),
    id TEXT NOT NULL,
    name TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (app_id, id)
);
