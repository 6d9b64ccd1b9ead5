-- Teammates who left (settings, Teammates): a deactivated teammate keeps their row, so that
-- their name stays in the history and on what is still assigned to them, but cannot sign in
-- and is not offered as an assignee. deactivated_at is when, in Unix seconds; NULL is active.
ALTER TABLE admins ADD COLUMN deactivated_at BIGINT;
