-- The customer's side (SPEC M, N, E, P, CT3): which parts customers see, what they have seen,
-- the notifications owed to them, the email threads that carry those, customer sessions, and
-- ticket forms sent into conversations.

-- visible: the customer sees this part (package notify decides; N5). Comments were always seen
-- where a customer is, and so were the events of Customer tickets.
ALTER TABLE conversation_parts ADD COLUMN visible BOOLEAN NOT NULL DEFAULT FALSE;
UPDATE conversation_parts SET visible = TRUE
    WHERE part_type = 'comment' AND conversation_id NOT IN (SELECT id FROM tickets WHERE category <> 'Customer');
UPDATE conversation_parts SET visible = TRUE
    WHERE part_type IN ('ticket_created', 'ticket_state_updated_by_admin')
    AND conversation_id IN (SELECT id FROM tickets WHERE category = 'Customer');
CREATE INDEX conversation_parts_visible ON conversation_parts (conversation_id, id) WHERE visible;

-- M3: the last visible part each contact has seen of each thread, and when.
CREATE TABLE contact_reads (
    contact_id      BIGINT NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    conversation_id BIGINT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    seen_part_id    BIGINT NOT NULL,
    seen_at         BIGINT NOT NULL,
    PRIMARY KEY (contact_id, conversation_id)
);

-- N1-N4: a notification owed to a contact about a part, written in the transaction that wrote
-- the part. The email_* columns are its email's delivery (E3): due when email_due_at has come
-- (the reply delay of N2, then each retry's backoff, or a worker's lease while it sends).
CREATE TABLE notifications (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    contact_id      BIGINT  NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    conversation_id BIGINT  NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    part_id         BIGINT  NOT NULL REFERENCES conversation_parts (id) ON DELETE CASCADE,
    kind            TEXT    NOT NULL CHECK (kind IN ('ticket-submitted', 'ticket-reply', 'ticket-state', 'conversation-reply')),
    created_at      BIGINT  NOT NULL,
    email_status    TEXT    NOT NULL DEFAULT 'pending' CHECK (email_status IN ('pending', 'sent', 'skipped', 'failed')),
    email_due_at    BIGINT  NOT NULL,
    email_attempts  BIGINT  NOT NULL DEFAULT 0,
    email_sent_at   BIGINT,
    email_error     TEXT
);
CREATE INDEX notifications_due ON notifications (email_due_at, id) WHERE email_status = 'pending';
CREATE INDEX notifications_contact ON notifications (contact_id, id);
CREATE INDEX notifications_part ON notifications (part_id);

-- E2: each contact's email thread about a conversation or ticket, with the token of its reply
-- address (reply+TOKEN@domain), and every Message-ID sent or received in it.
CREATE TABLE email_threads (
    contact_id      BIGINT NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    conversation_id BIGINT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    reply_token     TEXT   NOT NULL UNIQUE,
    created_at      BIGINT NOT NULL,
    PRIMARY KEY (contact_id, conversation_id)
);
CREATE TABLE email_messages (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    message_id      TEXT   NOT NULL UNIQUE,
    contact_id      BIGINT NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    conversation_id BIGINT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    inbound         BOOLEAN NOT NULL,
    created_at      BIGINT NOT NULL
);
CREATE INDEX email_messages_thread ON email_messages (conversation_id, contact_id, id);

-- P2, M1: a customer signed in by their product's identity; the token is stored as SHA-256.
CREATE TABLE customer_sessions (
    token_hash BLOB   PRIMARY KEY,
    contact_id BIGINT NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX customer_sessions_expiry ON customer_sessions (expires_at);

-- CT3: a ticket form a teammate sent into a conversation (its part), and the ticket its
-- submission created.
CREATE TABLE ticket_forms (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    conversation_id BIGINT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    part_id         BIGINT NOT NULL,
    ticket_type_id  BIGINT NOT NULL REFERENCES ticket_types (id),
    sent_by         BIGINT NOT NULL,
    sent_at         BIGINT NOT NULL,
    ticket_id       BIGINT REFERENCES conversations (id) ON DELETE SET NULL,
    submitted_at    BIGINT
);
CREATE INDEX ticket_forms_conversation ON ticket_forms (conversation_id, id);

-- Workspace settings the Inbox edits (the Messenger's logo, the identity secret); the
-- environment overrides them.
CREATE TABLE settings (
    name       TEXT   PRIMARY KEY,
    value      TEXT   NOT NULL,
    updated_at BIGINT NOT NULL
);
