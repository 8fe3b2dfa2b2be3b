-- 0001: the foundation's schema: companies (tenants), admins, memberships, each
-- company's UPS connection, and the audit trail. Times are always written by the
-- application (UTC, microseconds), never by now(), so what is read back compares equal.

CREATE TABLE companies (
    id          uuid        PRIMARY KEY,
    name        text        NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    created_at  timestamptz NOT NULL
);
CREATE UNIQUE INDEX companies_name_key ON companies (lower(name));

CREATE TABLE admins (
    id             uuid        PRIMARY KEY,
    sign_in_name   text        NOT NULL CHECK (length(sign_in_name) BETWEEN 1 AND 64),
    display_name   text        NOT NULL,
    email          text,
    password_hash  text        NOT NULL,
    disabled       boolean     NOT NULL DEFAULT false,
    created_at     timestamptz NOT NULL,
    updated_at     timestamptz NOT NULL
);
CREATE UNIQUE INDEX admins_sign_in_name_key ON admins (lower(sign_in_name));

CREATE TABLE memberships (
    company_id  uuid        NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    admin_id    uuid        NOT NULL REFERENCES admins (id) ON DELETE CASCADE,
    role        text        NOT NULL CHECK (role IN ('admin', 'viewer')),
    granted_at  timestamptz NOT NULL,
    PRIMARY KEY (company_id, admin_id)
);
CREATE INDEX memberships_admin_idx ON memberships (admin_id);

-- One row per company, created with the company, so a transition can always lock it.
CREATE TABLE ups_connections (
    company_id                uuid        PRIMARY KEY REFERENCES companies (id) ON DELETE CASCADE,
    status                    text        NOT NULL DEFAULT 'not_connected'
        CHECK (status IN ('not_connected', 'authenticated', 'reauthorization_required', 'opted_out')),
    authorized_by             uuid        REFERENCES admins (id) ON DELETE SET NULL,
    authorized_at             timestamptz,
    access_token_expires_at   timestamptz,
    refresh_token_expires_at  timestamptz,
    reauthorization_message   text,
    updated_at                timestamptz,
    CHECK (status = 'reauthorization_required' OR reauthorization_message IS NULL)
);
CREATE INDEX ups_connections_status_idx ON ups_connections (status);

-- Who did what, when and why, per company. actor_admin_id has no foreign key on purpose:
-- history outlives the admin.
CREATE TABLE audit_events (
    id              uuid        PRIMARY KEY,
    company_id      uuid        NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    occurred_at     timestamptz NOT NULL,
    actor_kind      text        NOT NULL CHECK (actor_kind IN ('admin', 'system', 'operator')),
    actor_admin_id  uuid,
    actor_name      text        NOT NULL,
    action          text        NOT NULL,
    detail          text        NOT NULL
);
CREATE INDEX audit_events_company_time_idx ON audit_events (company_id, occurred_at DESC, id DESC);
