-- Every change of a company's UPS connection is announced to every ipm-server, in the
-- transaction that makes it (decision 66): the trigger sends pg_notify on channel
-- ipm_ups_connection with the company's id, whoever writes the row (a refresh, an opt-in or
-- opt-out, a re-authorization, a key rotation, the deletion of the company, an operator's
-- UPDATE by hand). PostgreSQL delivers it only once the transaction has committed, and
-- merges duplicates within one transaction. Each server drops what it keeps in memory of
-- that company's access token.
--
-- One exception (decision 78): a NOTIFY holds a database-wide lock from before the commit until
-- its WAL is flushed, so notifying transactions commit one at a time. The refresh sweep stores
-- thousands of refreshes of companies it took because they were due -- tokens no server hands
-- out from memory any more -- and so sets ipm.notify_after_commit = 'on' in its transaction and
-- announces the change itself once it has committed, without waiting for a flush.
CREATE FUNCTION ipm_ups_connection_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF coalesce(current_setting('ipm.notify_after_commit', true), '') = 'on' THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'TRUNCATE' THEN
        PERFORM pg_notify('ipm_ups_connection', '*');
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM pg_notify('ipm_ups_connection', OLD.company_id::text);
    ELSE
        PERFORM pg_notify('ipm_ups_connection', NEW.company_id::text);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER ups_connections_changed AFTER INSERT OR UPDATE OR DELETE ON ups_connections
    FOR EACH ROW EXECUTE FUNCTION ipm_ups_connection_changed();
CREATE TRIGGER ups_connections_truncated AFTER TRUNCATE ON ups_connections
    FOR EACH STATEMENT EXECUTE FUNCTION ipm_ups_connection_changed();
