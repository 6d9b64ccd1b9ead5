-- The Inbox (issue 5): teammates signed in through the browser. The token is stored as SHA-256.
CREATE TABLE admin_sessions (
    token_hash BLOB   PRIMARY KEY,
    admin_id   BIGINT NOT NULL REFERENCES admins (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX admin_sessions_admin ON admin_sessions (admin_id);
CREATE INDEX admin_sessions_expiry ON admin_sessions (expires_at);

-- What the Inbox's pages read: a company's tickets newest first (CO4), the state history by
-- time (IN6 reports), a teammate's API tokens (settings).
CREATE INDEX tickets_company_id ON tickets (company_id, id);
CREATE INDEX ticket_state_history_started ON ticket_state_history (started_at);
CREATE INDEX api_tokens_admin ON api_tokens (admin_id);
