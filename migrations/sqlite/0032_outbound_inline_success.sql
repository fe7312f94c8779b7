-- A delivery's successful try is written on the delivery row itself
-- (delivered_at, last_status_code, and these two columns) instead of as a
-- row of webhook_attempts: a delivered answer then writes one row, not two,
-- and the attempts table keeps only the tries that failed (and successes
-- recorded before this migration, whose rows have NULL here). The delivery
-- log shows the inline success as the delivery's last try. Redelivering a
-- delivered row first moves its inline success into webhook_attempts.
ALTER TABLE webhook_deliveries ADD COLUMN success_latency_ms BIGINT;
ALTER TABLE webhook_deliveries ADD COLUMN success_body TEXT;
