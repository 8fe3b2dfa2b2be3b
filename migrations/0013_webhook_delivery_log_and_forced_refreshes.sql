-- The webhook outbox becomes a delivery log people can read and act on: what the receiver
-- last answered (HTTP status, or the error when nothing answered) and when, and deliveries
-- that kept failing for IPM_WEBHOOK_GIVE_UP_AFTER are marked dead instead of being retried
-- for ever. `retrying_since` starts the give-up period again when someone redelivers; NULL
-- means since `created_at`.
ALTER TABLE webhook_outbox
    ADD COLUMN last_attempt_at  timestamptz,
    ADD COLUMN last_status      integer CHECK (last_status BETWEEN 100 AND 599),
    ADD COLUMN dead_at          timestamptz,
    ADD COLUMN retrying_since   timestamptz,
    ADD CONSTRAINT webhook_outbox_delivered_or_dead CHECK (delivered_at IS NULL OR dead_at IS NULL);

-- The deliverer's claim: due, neither delivered nor dead.
DROP INDEX webhook_outbox_pending_idx;
CREATE INDEX webhook_outbox_pending_idx ON webhook_outbox (next_attempt_at) WHERE delivered_at IS NULL AND dead_at IS NULL;
-- The delivery log, newest first: every company's (operators) and one company's (its admins).
CREATE INDEX webhook_outbox_time_idx ON webhook_outbox (created_at DESC, event_id DESC);
CREATE INDEX webhook_outbox_company_time_idx ON webhook_outbox (company_id, created_at DESC, event_id DESC);
-- The dead ones, counted for the ipm_webhook_deliveries gauge.
CREATE INDEX webhook_outbox_dead_idx ON webhook_outbox (dead_at) WHERE dead_at IS NOT NULL;

-- Forced refreshes (an admin's "Refresh now"): one per company per IPM_FORCED_REFRESH_INTERVAL,
-- across every instance, so a button or a script cannot spend refresh tokens in a loop.
CREATE TABLE forced_refreshes (
    company_id  uuid        PRIMARY KEY REFERENCES companies (id) ON DELETE CASCADE,
    forced_at   timestamptz NOT NULL,
    forced_by   uuid        REFERENCES admins (id) ON DELETE SET NULL
);
