-- Every webhook delivery inserts an inbox row, and each index on the table
-- is one more entry written on that request path. The `created` index
-- served one query: where recovery resumes (the newest `created` of an app's
-- events for a connector), run by the periodic recovery job, not by ingest.
-- That point is now read from the newest received events through
-- inbox_events_received_idx, so the index goes.
DROP INDEX inbox_events_created_idx;
