-- Webhook ingest stores a delivery as `received` and nothing else; the job
-- worker then queues its processing (a job per event) and marks it
-- `pending`, off the request path. The worker looks for received events of
-- every app, so the status index leads with the status; the inspector's
-- status filter (app, connector, status, newest first) uses it as before.
DROP INDEX inbox_events_status_idx;
CREATE INDEX inbox_events_status_idx ON inbox_events (status, app_id, connector, received_at);
