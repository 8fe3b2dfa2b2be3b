-- 0012: connection health that admins see and act on. A company whose refreshes UPS answers
-- with 403 "Blocked Merchant" is `blocked`: unlike re-authorization required it keeps its
-- tokens (the block is UPS's, not a refusal of the grant) and says why in blocked_reason.
-- What the admins were told about the connection's health is kept, so that each change is
-- announced once and a flapping connection at most once per period.
ALTER TABLE ups_connections
    DROP CONSTRAINT ups_connections_status_check,
    DROP CONSTRAINT ups_connections_check,
    DROP CONSTRAINT ups_connections_tokens_only_when_authenticated,
    ADD COLUMN blocked_reason         text,
    ADD COLUMN blocked_at             timestamptz,
    -- The trouble announced (refresh_failing or blocked) and not yet followed by `recovered`.
    ADD COLUMN trouble_announced      text CHECK (trouble_announced IN ('refresh_failing', 'blocked')),
    ADD COLUMN trouble_announced_at   timestamptz,
    -- When refresh_token_expiring was announced for the current refresh token's end.
    ADD COLUMN expiry_warned_at       timestamptz,
    -- Whether the last refresh moved the refresh token's end later (NULL: none since the opt-in).
    ADD COLUMN refresh_token_renews   boolean,
    ADD CONSTRAINT ups_connections_status_check
        CHECK (status IN ('not_connected', 'authenticated', 'reauthorization_required', 'opted_out', 'blocked')),
    ADD CONSTRAINT ups_connections_reauthorization_message_check
        CHECK (status = 'reauthorization_required' OR reauthorization_message IS NULL),
    ADD CONSTRAINT ups_connections_blocked_reason_check
        CHECK ((status = 'blocked') = (blocked_reason IS NOT NULL)),
    ADD CONSTRAINT ups_connections_tokens_only_when_held CHECK (
        (status IN ('authenticated', 'blocked')) = (access_token_sealed IS NOT NULL)
        AND (access_token_sealed IS NULL) = (refresh_token_sealed IS NULL)
        AND (access_token_sealed IS NULL) = (token_key_id IS NULL)
    );

-- Blocked companies are retried when their wait is over.
CREATE INDEX ups_connections_blocked_idx ON ups_connections (next_refresh_at) WHERE status = 'blocked';

-- The new health events reach the admins as notifications too.
ALTER TABLE notifications
    DROP CONSTRAINT notifications_kind_check,
    ADD CONSTRAINT notifications_kind_check CHECK (kind IN (
        'opted_in', 'opted_out', 'reauthorization_required',
        'refresh_failing', 'recovered', 'blocked', 'refresh_token_expiring'
    ));
