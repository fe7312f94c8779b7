-- Accounts (issue 13, contact type "accounts"): a Stripe customer is a
-- company whose owner (the customer's email) invites teammates, up to the
-- subscription's quantity in seats; every seat shares the account's access.
CREATE TABLE accounts (
    app_id TEXT NOT NULL REFERENCES apps (id),
    id TEXT NOT NULL,
    name TEXT NOT NULL,
    owner_id TEXT NOT NULL,
    stripe_customer_id TEXT NOT NULL,
    -- People the subscriptions pay for, the owner included (the largest item quantity).
    seats BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (app_id, id)
);
CREATE UNIQUE INDEX accounts_customer_idx ON accounts (app_id, stripe_customer_id);
CREATE INDEX accounts_owner_idx ON accounts (app_id, owner_id);

-- Who sits in an account (the owner too); a member sits in at most one.
CREATE TABLE account_members (
    app_id TEXT NOT NULL,
    account_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    -- owner | member
    role TEXT NOT NULL,
    added_at BIGINT NOT NULL,
    PRIMARY KEY (app_id, account_id, user_id),
    FOREIGN KEY (app_id, user_id) REFERENCES users (app_id, id)
);
CREATE UNIQUE INDEX account_members_user_idx ON account_members (app_id, user_id);
