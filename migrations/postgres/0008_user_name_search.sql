-- The member's name folded to lower case by Tollgate (Unicode-aware), for
-- search: SQLite's LOWER() and LIKE only fold ASCII. Filled on every insert
-- and update; rows from before this migration are filled on start-up.
ALTER TABLE users ADD COLUMN name_folded TEXT;
