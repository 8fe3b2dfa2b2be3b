-- What a company's admins are told: opt-in, opt-out, re-authorization required. Written
-- in the same transaction as the state change (the id is the audit event's).
CREATE TABLE notifications (
    id           uuid        PRIMARY KEY,
    company_id   uuid        NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    kind         text        NOT NULL CHECK (kind IN ('opted_in', 'opted_out', 'reauthorization_required')),
    message      text        NOT NULL,
    occurred_at  timestamptz NOT NULL
);
CREATE INDEX notifications_company_time_idx ON notifications (company_id, occurred_at DESC, id DESC);

-- Which admin has read which notification.
CREATE TABLE notification_reads (
    admin_id         uuid        NOT NULL REFERENCES admins (id) ON DELETE CASCADE,
    notification_id  uuid        NOT NULL REFERENCES notifications (id) ON DELETE CASCADE,
    read_at          timestamptz NOT NULL,
    PRIMARY KEY (admin_id, notification_id)
);

-- Events for the configured webhook (IPM_WEBHOOK_URL), written with the state change and
-- delivered at least once, with backoff; `event_id` lets receivers drop duplicates. The
-- payload never holds a secret.
CREATE TABLE webhook_outbox (
    event_id         uuid        PRIMARY KEY,
    company_id       uuid        NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    payload          text        NOT NULL,
    created_at       timestamptz NOT NULL,
    attempts         integer     NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NOT NULL,
    delivered_at     timestamptz,
    last_error       text
);
CREATE INDEX webhook_outbox_pending_idx ON webhook_outbox (next_attempt_at) WHERE delivered_at IS NULL;
