-- One contact <-> member mapping for every connector, keyed by connector
-- kind like the inbox: Stripe customers (connector `stripe`; a member may
-- have several) and CRM contacts (`keap`, `activecampaign`; one per member
-- per CRM). Replaces stripe_customers and crm_contacts; their rows move
-- here. The two tables had the same columns but for the time: Stripe kept
-- when a customer was linked (created_at, the order of a member's
-- customers), a CRM when its contact was last linked (updated_at); both
-- are kept, each filled from the one the old table had.
CREATE TABLE connector_contacts (
    app_id TEXT NOT NULL,
    connector TEXT NOT NULL,
    contact_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (app_id, connector, contact_id),
    FOREIGN KEY (app_id, user_id) REFERENCES users (app_id, id)
);
-- A member's contacts in one connector, oldest first.
CREATE INDEX connector_contacts_user_idx ON connector_contacts (app_id, connector, user_id, created_at);
-- A CRM keeps one contact per member.
CREATE UNIQUE INDEX connector_contacts_one_per_member ON connector_contacts (app_id, connector, user_id) WHERE connector <> 'stripe';

INSERT INTO connector_contacts (app_id, connector, contact_id, user_id, created_at, updated_at)
    SELECT app_id, 'stripe', customer_id, user_id, created_at, created_at FROM stripe_customers;
INSERT INTO connector_contacts (app_id, connector, contact_id, user_id, created_at, updated_at)
    SELECT app_id, kind, contact_id, user_id, updated_at, updated_at FROM crm_contacts;

DROP TABLE stripe_customers;
DROP TABLE crm_contacts;
