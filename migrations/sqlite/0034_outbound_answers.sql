-- Successful answers may be appended to a narrow log, webhook_answers, that a
-- later pass folds into the delivery rows (see the PostgreSQL migration of
-- the same number for why). SQLite's dispatcher still writes each answer on
-- its delivery row (one writer, in process: the append would not spare it
-- anything measurable), so this table stays empty there; it exists so both
-- databases have the same schema.
CREATE TABLE webhook_answers (
    app_id TEXT NOT NULL,
    delivery_id TEXT NOT NULL,
    tries BIGINT NOT NULL,
    code BIGINT NOT NULL,
    at BIGINT NOT NULL,
    latency BIGINT NOT NULL,
    body TEXT NOT NULL
);
