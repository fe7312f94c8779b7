-- Member list filters at scale (issue 13's reads benchmark).
-- The renewal index carries the member id, so a page of "renews within N days"
-- picks its ids from the index alone (a covering read, sorted by id) before it
-- reads the rows of the page (users::list_filtered).
DROP INDEX users_renews_idx;
CREATE INDEX users_renews_idx ON users (app_id, renews_at, id);
-- The grant-source filter: open grants of a source in member order, so a page
-- walks members and their grants of that source side by side from the cursor.
CREATE INDEX access_grants_source_user_idx ON access_grants (app_id, source, user_id) WHERE revoked_at IS NULL;
