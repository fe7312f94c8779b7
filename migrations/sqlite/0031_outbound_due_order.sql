-- The dispatcher reads due deliveries in a stable order, next_attempt_at then
-- id, and resumes each read where the last one stopped (a keyset cursor), so
-- it walks only rows it has not read yet: not the rows it already holds in
-- memory, nor the index entries of rows answered since. The due index gains
-- id to serve that order.
CREATE INDEX webhook_deliveries_due_order_idx ON webhook_deliveries (next_attempt_at, id) WHERE status = 'pending';
DROP INDEX webhook_deliveries_due_idx;
