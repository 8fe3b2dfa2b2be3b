-- A refresh under way: committed before the refresh token is sent to UPS, so that an
-- instance that locks the company's row after the database lost the first holder's lock (a
-- restart) leaves the company alone until the holder has stored the rotated pair, or the
-- lease has expired (the holder died). One row per company at most; deleted with the commit.
CREATE TABLE refresh_leases (
    company_id        uuid        PRIMARY KEY REFERENCES companies (id) ON DELETE CASCADE,
    holder            uuid        NOT NULL,
    token_generation  bigint      NOT NULL,
    expires_at        timestamptz NOT NULL
);
