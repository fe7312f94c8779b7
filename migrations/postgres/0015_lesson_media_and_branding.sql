-- Media shown inside one lesson (NULL: the product's general media), and the
-- site's branding for member pages, the public sales page and emails.

ALTER TABLE media ADD COLUMN page_id TEXT;

ALTER TABLE apps ADD COLUMN logo_url TEXT;
ALTER TABLE apps ADD COLUMN accent_color TEXT;
ALTER TABLE apps ADD COLUMN favicon_url TEXT;
