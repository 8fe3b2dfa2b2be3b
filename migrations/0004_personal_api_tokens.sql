-- Personal API tokens: created and revoked by an admin on the web, shown once. Only the
-- SHA-256 digest of a token is stored, so a copy of this table authenticates nobody.
CREATE TABLE api_tokens (
    id              uuid        PRIMARY KEY,
    admin_id        uuid        NOT NULL REFERENCES admins (id) ON DELETE CASCADE,
    name            text        NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    token_digest    bytea       NOT NULL UNIQUE,
    created_at      timestamptz NOT NULL,
    last_used_at    timestamptz,
    revoked_at      timestamptz
);
CREATE INDEX api_tokens_admin_idx ON api_tokens (admin_id);
