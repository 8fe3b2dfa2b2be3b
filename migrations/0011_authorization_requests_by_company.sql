-- 0011: a company's page shows its latest opt-in when it is still waiting for UPS or never
-- came back (IPM cannot see UPS's /authorize errors: the browser goes there, not IPM), so
-- the latest request of one company is looked up on every company view.
CREATE INDEX ups_authorization_requests_company_idx ON ups_authorization_requests (company_id, created_at DESC);
