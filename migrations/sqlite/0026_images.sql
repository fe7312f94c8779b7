-- Public images (a site's logo and favicon, products' covers): uploaded by an
-- admin, served to anyone at /api/v1/public/apps/{app_id}/images/{id}. The
-- bytes live in the media storage under `<app>/<id>`.
CREATE TABLE images (
    app_id TEXT NOT NULL REFERENCES apps (id),
    id TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    storage_key TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (app_id, id)
);
