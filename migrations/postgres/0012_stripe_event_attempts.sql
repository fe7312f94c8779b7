-- The Stripe inbox inspector: each processing try of a stored event (when,
-- how it ended, the error), and lists filtered by type and time.
CREATE TABLE stripe_event_attempts (
    app_id TEXT NOT NULL,
    event_id TEXT NOT NULL,
    attempt BIGINT NOT NULL,
    started_at BIGINT NOT NULL,
    finished_at BIGINT NOT NULL,
    -- processed | ignored | failed
    outcome TEXT NOT NULL,
    error TEXT,
    PRIMARY KEY (app_id, event_id, attempt),
    FOREIGN KEY (app_id, event_id) REFERENCES stripe_events (app_id, event_id) ON DELETE CASCADE
);
CREATE INDEX stripe_events_received_idx ON stripe_events (app_id, received_at, event_id);
CREATE INDEX stripe_events_type_idx ON stripe_events (app_id, event_type, received_at);
