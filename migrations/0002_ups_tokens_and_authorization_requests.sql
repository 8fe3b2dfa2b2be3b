-- The UPS token pair of each authenticated company, sealed with AES-256-GCM under the key
-- ring (IPM_ENCRYPTION_KEYS): each value is nonce ‖ ciphertext ‖ tag, authenticated with its
-- key id and the row it belongs to, so a value copied elsewhere does not open. Plain tokens
-- are never stored. Both tokens of a pair are sealed under one key, named in token_key_id.
ALTER TABLE ups_connections
    ADD COLUMN access_token_sealed   bytea,
    ADD COLUMN refresh_token_sealed  bytea,
    ADD COLUMN token_key_id          text,
    -- Counts the pairs this company has held; a write of a rotated pair names the generation
    -- it replaces, so a pair is never written over one it did not come from.
    ADD COLUMN token_generation      bigint      NOT NULL DEFAULT 0,
    ADD COLUMN token_scope           text,
    ADD COLUMN last_refreshed_at     timestamptz,
    ADD CONSTRAINT ups_connections_tokens_only_when_authenticated CHECK (
        (status = 'authenticated') = (access_token_sealed IS NOT NULL)
        AND (access_token_sealed IS NULL) = (refresh_token_sealed IS NULL)
        AND (access_token_sealed IS NULL) = (token_key_id IS NULL)
    );

-- Refreshes look for authenticated connections by expiry.
CREATE INDEX ups_connections_access_expiry_idx ON ups_connections (access_token_expires_at)
    WHERE status = 'authenticated';
CREATE INDEX ups_connections_token_key_idx ON ups_connections (token_key_id)
    WHERE token_key_id IS NOT NULL;

-- One started opt-in: bound to the company, the admin and the admin's session; single use;
-- short-lived. The state travels through UPS and comes back on the callback: only its
-- SHA-256 digest is kept. The PKCE verifier is sealed like the tokens.
CREATE TABLE ups_authorization_requests (
    id                     uuid        PRIMARY KEY,
    company_id             uuid        NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    admin_id               uuid        NOT NULL REFERENCES admins (id) ON DELETE CASCADE,
    session_digest         bytea       NOT NULL,
    state_digest           bytea       NOT NULL UNIQUE,
    code_verifier_sealed   bytea,
    key_id                 text,
    created_at             timestamptz NOT NULL,
    expires_at             timestamptz NOT NULL,
    consumed_at            timestamptz,
    CHECK ((code_verifier_sealed IS NULL) = (key_id IS NULL)),
    CHECK (expires_at > created_at)
);
CREATE INDEX ups_authorization_requests_expiry_idx ON ups_authorization_requests (expires_at);
CREATE INDEX ups_authorization_requests_key_idx ON ups_authorization_requests (key_id)
    WHERE key_id IS NOT NULL;
