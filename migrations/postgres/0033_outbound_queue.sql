-- The due queue moves out of webhook_deliveries into a table of its own: one
-- row per pending delivery, deleted when the delivery is answered for good.
--
-- Marking a delivery delivered used to change two columns that an index
-- depends on (status, the partial due index's predicate, and
-- next_attempt_at), so every answer wrote a new row version plus an entry in
-- each of the table's indexes (the key and the endpoint index): half of
-- PostgreSQL's work per delivery in `tollgate-bench fanout`. Now the answer
-- deletes the delivery's queue row (no index is written) and updates the
-- delivery row without touching an indexed column, which PostgreSQL does in
-- place on the same page (a HOT update) when the page has room: hence the
-- fill factor, which leaves half of each new page free for the answer.
--
-- A delivery is pending exactly when it has a queue row. Claims and leases
-- (locked_until) live on the queue row only; next_attempt_at is kept on the
-- delivery too, for the log.
--
-- Stop every Tollgate process before this migration runs: a process of an
-- older version would queue deliveries without queue rows (never sent) and
-- answer them without deleting their queue rows (sent again).
--
-- The fill factor applies to pages written from now on: the table's rows
-- take about twice the space on disk, in exchange for an answer that writes
-- no index entry.
CREATE TABLE webhook_queue (
    app_id TEXT NOT NULL,
    delivery_id TEXT NOT NULL,
    endpoint_id TEXT NOT NULL,
    message_id TEXT NOT NULL,
    attempts BIGINT NOT NULL,
    next_attempt_at BIGINT NOT NULL,
    locked_until BIGINT,
    PRIMARY KEY (app_id, delivery_id)
);
CREATE INDEX webhook_queue_due_idx ON webhook_queue (next_attempt_at, delivery_id);
INSERT INTO webhook_queue (app_id, delivery_id, endpoint_id, message_id, attempts, next_attempt_at, locked_until)
    SELECT app_id, id, endpoint_id, message_id, attempts, COALESCE(next_attempt_at, updated_at), locked_until
    FROM webhook_deliveries WHERE status = 'pending';
UPDATE webhook_deliveries SET locked_until = NULL WHERE locked_until IS NOT NULL;
DROP INDEX webhook_deliveries_due_order_idx;
ALTER TABLE webhook_deliveries SET (fillfactor = 50);
