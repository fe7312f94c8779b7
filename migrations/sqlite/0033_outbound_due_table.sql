-- The delivery queue moves out of webhook_deliveries into a table of its own:
-- one row per delivery still to be sent (status 'pending'), deleted when the
-- delivery is delivered or fails for good. The dispatcher reads and leases
-- this table; webhook_deliveries keeps the record the log shows.
--
-- Why: the due index on webhook_deliveries covered status and
-- next_attempt_at, so every answer changed an indexed column. On PostgreSQL
-- that made each answer a non-HOT update: a new row version plus a new entry
-- in the primary key and in the endpoint index. With no index on a column an
-- HOT update of the delivery row (no index entry) and a deleted row here.
-- SQLite shares the schema (one queue code for both databases).
CREATE TABLE webhook_due (
    app_id TEXT NOT NULL,
    id TEXT NOT NULL,
    endpoint_id TEXT NOT NULL,
    message_id TEXT NOT NULL,
    -- Tries in the current schedule so far (as on the delivery row).
    attempts BIGINT NOT NULL,
    next_attempt_at BIGINT NOT NULL,
    locked_until BIGINT,
    PRIMARY KEY (app_id, id)
);
CREATE INDEX webhook_due_order_idx ON webhook_due (next_attempt_at, id);
INSERT INTO webhook_due (app_id, id, endpoint_id, message_id, attempts, next_attempt_at, locked_until)
    SELECT app_id, id, endpoint_id, message_id, attempts, COALESCE(next_attempt_at, 0), locked_until
    FROM webhook_deliveries WHERE status = 'pending';
DROP INDEX webhook_deliveries_due_order_idx;
UPDATE webhook_deliveries SET locked_until = NULL WHERE locked_until IS NOT NULL;
