-- A refresh rewrites a company's connection row every few hours, and the sweep rewrites
-- thousands in a row. Two indexes on columns every refresh changes made each of those updates
-- write a new entry in every index of the table and left a dead row version behind that only
-- VACUUM removes: the due query (a scan of the table, as its condition is no index's) read
-- five dead versions per live row after one sweep of 10,000. Neither index served a query: the
-- due query orders by an expression over several columns, and the planner took them only as a
-- bitmap for the status, which ups_connections_status_idx gives too. Without them, and with
-- room left on each page, a refresh is a heap-only update (HOT): no index is written, and the
-- old version is pruned in place by the next reader of the page (decision 79).
DROP INDEX ups_connections_access_expiry_idx;
DROP INDEX ups_connections_blocked_idx;
ALTER TABLE ups_connections SET (fillfactor = 50);
