-- How each connection's refreshes have been going, so a failing one backs off (exponential
-- with jitter, up to a cooldown) and stays within a daily budget of failed refreshes, on
-- every instance alike. Reset by a successful refresh and by every change of status.
ALTER TABLE ups_connections
    ADD COLUMN refresh_failures        integer     NOT NULL DEFAULT 0 CHECK (refresh_failures >= 0),
    ADD COLUMN next_refresh_at         timestamptz,
    ADD COLUMN last_refresh_error      text,
    ADD COLUMN refresh_failures_today  integer     NOT NULL DEFAULT 0 CHECK (refresh_failures_today >= 0),
    ADD COLUMN refresh_failure_day     date;
