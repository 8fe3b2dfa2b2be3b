-- Credentials of the deployment's other services for the token API and the UPS proxy.
-- The token is shown once at creation; only its SHA-256 digest is kept.
CREATE TABLE service_credentials (
    id            uuid        PRIMARY KEY,
    name          text        NOT NULL,
    scopes        text[]      NOT NULL CHECK (cardinality(scopes) > 0 AND scopes <@ ARRAY['access-token', 'proxy']),
    token_digest  bytea       NOT NULL UNIQUE,
    created_at    timestamptz NOT NULL,
    created_by    text        NOT NULL,
    last_used_at  timestamptz,
    revoked_at    timestamptz
);
-- One live credential per name; revoked ones stay for the record.
CREATE UNIQUE INDEX service_credentials_live_name_idx ON service_credentials (lower(name)) WHERE revoked_at IS NULL;
