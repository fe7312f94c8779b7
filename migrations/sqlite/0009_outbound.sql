-- Outbound events (Standard Webhooks endpoints and Zapier REST hooks).
--
-- An endpoint receives the events its filter names (an empty JSON array:
-- all). Its signing secret is sealed with the instance key; after a rotation
-- the previous one keeps signing until previous_secret_until.
CREATE TABLE webhook_endpoints (
    app_id TEXT NOT NULL REFERENCES apps (id),
    id TEXT NOT NULL,
    kind TEXT NOT NULL,
    url TEXT NOT NULL,
    description TEXT NOT NULL,
    event_types TEXT NOT NULL,
    enabled BOOLEAN NOT NULL,
    disabled_reason TEXT,
    secret_sealed TEXT NOT NULL,
    previous_secret_sealed TEXT,
    previous_secret_until BIGINT,
    failing_since BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (app_id, id)
);

-- One row per event; its id is the webhook-id of every delivery of it, and
-- payload is the exact body sent, so retries are byte-identical.
CREATE TABLE webhook_messages (
    app_id TEXT NOT NULL REFERENCES apps (id),
    id TEXT NOT NULL,
    event_type TEXT NOT NULL,
    payload TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (app_id, id)
);
-- Zapier's samples: the newest events of a type.
CREATE INDEX webhook_messages_type_idx ON webhook_messages (app_id, event_type, id);

-- One row per (event, endpoint), written in the transaction that recorded
-- the event. It is also the delivery queue: due rows are claimed with a
-- lease (locked_until) so a crashed sender's rows are sent again.
CREATE TABLE webhook_deliveries (
    app_id TEXT NOT NULL,
    id TEXT NOT NULL,
    endpoint_id TEXT NOT NULL,
    message_id TEXT NOT NULL,
    event_type TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts BIGINT NOT NULL,
    next_attempt_at BIGINT,
    locked_until BIGINT,
    last_status_code BIGINT,
    last_error TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    delivered_at BIGINT,
    PRIMARY KEY (app_id, id),
    FOREIGN KEY (app_id, message_id) REFERENCES webhook_messages (app_id, id)
);
CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_endpoint_idx ON webhook_deliveries (app_id, endpoint_id, id);

-- Each try of a delivery: when, the answer's status, how long, the first
-- kilobyte of the answer's body, or the network error.
CREATE TABLE webhook_attempts (
    app_id TEXT NOT NULL,
    delivery_id TEXT NOT NULL,
    n BIGINT NOT NULL,
    attempted_at BIGINT NOT NULL,
    status_code BIGINT,
    latency_ms BIGINT NOT NULL,
    response_body TEXT,
    error TEXT,
    PRIMARY KEY (app_id, delivery_id, n)
);
