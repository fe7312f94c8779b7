-- The webhook inbox is the connectors' own, keyed by connector kind
-- (`stripe` today): every delivery stored once, before it is acknowledged,
-- then processed by the job worker. Replaces stripe_events and
-- stripe_event_attempts; their rows move here as connector `stripe`.
CREATE TABLE inbox_events (
    app_id TEXT NOT NULL,
    connector TEXT NOT NULL,
    event_id TEXT NOT NULL,
    event_type TEXT NOT NULL,
    created BIGINT NOT NULL,
    payload TEXT NOT NULL,
    -- pending | processed | ignored | failed
    status TEXT NOT NULL,
    received_at BIGINT NOT NULL,
    processed_at BIGINT,
    error TEXT,
    PRIMARY KEY (app_id, connector, event_id)
);
-- Where recovery resumes: the newest event's `created`.
CREATE INDEX inbox_events_created_idx ON inbox_events (app_id, connector, created);
-- The inspector's lists, newest first, all or filtered by status or type.
CREATE INDEX inbox_events_received_idx ON inbox_events (app_id, connector, received_at, event_id);
CREATE INDEX inbox_events_status_idx ON inbox_events (app_id, connector, status, received_at);
CREATE INDEX inbox_events_type_idx ON inbox_events (app_id, connector, event_type, received_at);

CREATE TABLE inbox_event_attempts (
    app_id TEXT NOT NULL,
    connector TEXT NOT NULL,
    event_id TEXT NOT NULL,
    attempt BIGINT NOT NULL,
    started_at BIGINT NOT NULL,
    finished_at BIGINT NOT NULL,
    -- processed | ignored | failed
    outcome TEXT NOT NULL,
    error TEXT,
    PRIMARY KEY (app_id, connector, event_id, attempt),
    FOREIGN KEY (app_id, connector, event_id) REFERENCES inbox_events (app_id, connector, event_id) ON DELETE CASCADE
);

INSERT INTO inbox_events (app_id, connector, event_id, event_type, created, payload, status, received_at, processed_at, error)
    SELECT app_id, 'stripe', event_id, event_type, created, payload, status, received_at, processed_at, error FROM stripe_events;
INSERT INTO inbox_event_attempts (app_id, connector, event_id, attempt, started_at, finished_at, outcome, error)
    SELECT app_id, 'stripe', event_id, attempt, started_at, finished_at, outcome, error FROM stripe_event_attempts;
DROP TABLE stripe_event_attempts;
DROP TABLE stripe_events;
