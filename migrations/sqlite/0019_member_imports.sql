-- CSV import of members (issue 13): an upload is parsed and validated into
-- rows (the preview); running it processes the rows in order, a batch per
-- transaction, and records each row's outcome for the report.

CREATE TABLE member_imports (
    app_id TEXT NOT NULL REFERENCES apps (id),
    id TEXT NOT NULL,
    -- 'previewed', 'running', 'done' or 'failed'
    status TEXT NOT NULL,
    -- The file's columns as JSON: {"email", "name", "products", "ignored": [...]}.
    columns TEXT NOT NULL,
    -- Invitations for members the import creates (set when run).
    invite BOOLEAN NOT NULL,
    total BIGINT NOT NULL,
    invalid BIGINT NOT NULL,
    would_create BIGINT NOT NULL,
    would_update BIGINT NOT NULL,
    created BIGINT NOT NULL,
    updated BIGINT NOT NULL,
    granted BIGINT NOT NULL,
    skipped BIGINT NOT NULL,
    -- Rows processed so far; the run resumes at the first row after it.
    processed BIGINT NOT NULL,
    next_row BIGINT NOT NULL,
    job_id TEXT,
    error TEXT,
    created_at BIGINT NOT NULL,
    started_at BIGINT,
    finished_at BIGINT,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (app_id, id)
);
CREATE INDEX member_imports_created_idx ON member_imports (app_id, created_at);

-- One row of the file. `line` is its row number in the file (the header is
-- row 1). `problems` (JSON [{"code", "message"}]) is what the preview found;
-- `outcome` ('created', 'updated', 'granted', 'skipped') and `reason` are
-- written when the run reaches the row.
CREATE TABLE member_import_rows (
    app_id TEXT NOT NULL,
    import_id TEXT NOT NULL,
    line BIGINT NOT NULL,
    email TEXT NOT NULL,
    name TEXT,
    -- JSON array of product ids the row grants.
    products TEXT NOT NULL,
    problems TEXT NOT NULL,
    outcome TEXT,
    reason TEXT,
    user_id TEXT,
    -- JSON array of product ids the run granted.
    granted TEXT,
    PRIMARY KEY (app_id, import_id, line),
    FOREIGN KEY (app_id, import_id) REFERENCES member_imports (app_id, id)
);
CREATE INDEX member_import_rows_outcome_idx ON member_import_rows (app_id, import_id, outcome, line);
