-- Member list filters at scale (issue 13's reads benchmark).
-- The grant-source filter: open grants of a source in member order, so a page
-- (newest members first) merges members and their grants of that source from
-- the cursor instead of walking every open grant.
CREATE INDEX access_grants_source_user_idx ON access_grants (app_id, source, user_id) WHERE revoked_at IS NULL;
