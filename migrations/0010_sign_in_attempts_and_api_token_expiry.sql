-- Sign-in attempts are recorded before the password is checked (issue 11): each row names
-- its attempt, so a sign-in that succeeds removes exactly its own rows again.
ALTER TABLE sign_in_failures ADD COLUMN attempt_id uuid;
CREATE INDEX sign_in_failures_attempt_idx ON sign_in_failures (attempt_id);

-- Personal API tokens expire. Tokens made before this migration keep 90 days from their
-- creation, and at least 30 days from now, so no program loses its token without warning.
ALTER TABLE api_tokens ADD COLUMN expires_at timestamptz;
UPDATE api_tokens SET expires_at = GREATEST(created_at + interval '90 days', now() + interval '30 days');
ALTER TABLE api_tokens ALTER COLUMN expires_at SET NOT NULL;
ALTER TABLE api_tokens ADD CHECK (expires_at > created_at);
