-- Member search at scale (issue 13's reads benchmark): the list's
-- `email LIKE 'x%' OR name_folded LIKE '%x%'` served by indexes: a pattern
-- index for the email prefix, and pg_trgm trigram indexes for the substring
-- (when the server lets Tollgate enable pg_trgm; without it, search scans).
CREATE INDEX users_email_pattern_idx ON users (email text_pattern_ops);
DO $$
BEGIN
    BEGIN
        CREATE EXTENSION IF NOT EXISTS pg_trgm;
    EXCEPTION WHEN insufficient_privilege OR undefined_file OR feature_not_supported THEN
        RAISE NOTICE 'pg_trgm is not available: member search by name reads every member';
    END;
    IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN
        EXECUTE 'CREATE INDEX users_name_trgm_idx ON users USING gin (name_folded gin_trgm_ops)';
        EXECUTE 'CREATE INDEX users_email_trgm_idx ON users USING gin (email gin_trgm_ops)';
    END IF;
END
$$;
