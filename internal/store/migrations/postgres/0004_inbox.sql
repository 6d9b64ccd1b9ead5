-- The Inbox (issue 5): teammates signed in through the browser. The token is stored as SHA-256.
CREATE TABLE admin_sessions (
    token_hash BYTEA   PRIMARY KEY,
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

-- The inbox views (IN4): open items by teammate, by team, and all, newest activity first, and
-- their counts, straight from the index.
CREATE INDEX conversations_open_admin ON conversations (admin_assignee_id, updated_at, id) WHERE state = 'open';
CREATE INDEX conversations_open_team ON conversations (team_assignee_id, updated_at, id) WHERE state = 'open';
CREATE INDEX conversations_open_updated ON conversations (updated_at, id) WHERE state = 'open';
