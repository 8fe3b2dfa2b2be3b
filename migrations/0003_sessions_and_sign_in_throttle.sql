-- Signed-in sessions of admins (web and terminal). The client keeps a random token; only
-- its SHA-256 digest is stored, so a copy of this table signs nobody in.
CREATE TABLE admin_sessions (
    id              uuid        PRIMARY KEY,
    admin_id        uuid        NOT NULL REFERENCES admins (id) ON DELETE CASCADE,
    token_digest    bytea       NOT NULL UNIQUE,
    kind            text        NOT NULL CHECK (kind IN ('web', 'cli')),
    created_at      timestamptz NOT NULL,
    last_seen_at    timestamptz NOT NULL,
    expires_at      timestamptz NOT NULL,
    idle_timeout_seconds double precision NOT NULL CHECK (idle_timeout_seconds > 0),
    revoked_at      timestamptz,
    CHECK (expires_at > created_at)
);
CREATE INDEX admin_sessions_admin_idx ON admin_sessions (admin_id);
CREATE INDEX admin_sessions_expiry_idx ON admin_sessions (expires_at);

-- Failed sign-ins, per sign-in name ("name:…") and per client address ("address:…"), so
-- every instance throttles alike.
CREATE TABLE sign_in_failures (
    key         text        NOT NULL,
    failed_at   timestamptz NOT NULL
);
CREATE INDEX sign_in_failures_key_time_idx ON sign_in_failures (key, failed_at);
