-- Invitations to sign up and join a company with a role. The token is shown once; only its
-- SHA-256 digest is stored. Used at most once, expires, revocable by a company admin.
CREATE TABLE invitations (
    id               uuid        PRIMARY KEY,
    company_id       uuid        NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    role             text        NOT NULL CHECK (role IN ('admin', 'viewer')),
    token_digest     bytea       NOT NULL UNIQUE,
    invited_by_kind  text        NOT NULL,
    invited_by_id    uuid,
    invited_by_name  text        NOT NULL,
    created_at       timestamptz NOT NULL,
    expires_at       timestamptz NOT NULL,
    accepted_at      timestamptz,
    accepted_by      uuid        REFERENCES admins (id) ON DELETE SET NULL,
    revoked_at       timestamptz
);
CREATE INDEX invitations_company_pending_idx ON invitations (company_id, created_at DESC)
    WHERE accepted_at IS NULL AND revoked_at IS NULL;
