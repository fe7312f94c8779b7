-- Saved segments (issue 13): a name and a members filter (the members
-- list's query parameters as JSON), usable as an automation condition and
-- as the target of a bulk action.
CREATE TABLE segments (
    app_id TEXT NOT NULL REFERENCES apps (id),
    id TEXT NOT NULL,
    name TEXT NOT NULL,
    filter TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (app_id, id)
);
CREATE UNIQUE INDEX segments_name_idx ON segments (app_id, name);
