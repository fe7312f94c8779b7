-- Member search at scale (issue 13's reads benchmark): a trigram index over
-- each member's email and folded name (FTS5), so a search of three or more
-- characters looks up candidates instead of reading every member. The list
-- query still applies its exact LIKEs to them. Kept in step with `users` by
-- triggers; rows are keyed by (app_id, user_id), not by rowid (VACUUM may
-- renumber the rowids of `users`); user_id is indexed too, so a trigger finds
-- a member's row through the index (searches name the email and name columns).
CREATE VIRTUAL TABLE users_search USING fts5(app_id UNINDEXED, user_id, email, name, tokenize = 'trigram');
INSERT INTO users_search (app_id, user_id, email, name) SELECT app_id, id, email, COALESCE(name_folded, lower(name)) FROM users;
CREATE TRIGGER users_search_insert AFTER INSERT ON users BEGIN
    INSERT INTO users_search (app_id, user_id, email, name) VALUES (new.app_id, new.id, new.email, COALESCE(new.name_folded, lower(new.name)));
END;
CREATE TRIGGER users_search_update AFTER UPDATE OF email, name, name_folded ON users BEGIN
    DELETE FROM users_search WHERE users_search MATCH 'user_id : "' || old.id || '"' AND user_id = old.id AND app_id = old.app_id;
    INSERT INTO users_search (app_id, user_id, email, name) VALUES (new.app_id, new.id, new.email, COALESCE(new.name_folded, lower(new.name)));
END;
CREATE TRIGGER users_search_delete AFTER DELETE ON users BEGIN
    DELETE FROM users_search WHERE users_search MATCH 'user_id : "' || old.id || '"' AND user_id = old.id AND app_id = old.app_id;
END;
