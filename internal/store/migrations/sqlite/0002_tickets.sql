-- Tickets (SPEC TT, ST, CT, BO, TR, CO). A ticket is a row of conversations (kind = 'ticket'),
-- sharing its id space, state, assignees and timeline, plus a row of tickets with what only
-- tickets have.

ALTER TABLE conversations ADD COLUMN kind TEXT NOT NULL DEFAULT 'conversation' CHECK (kind IN ('conversation', 'ticket'));
CREATE INDEX conversations_kind ON conversations (kind, id);

CREATE TABLE ticket_types (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    name        TEXT    NOT NULL,
    description TEXT    NOT NULL DEFAULT '',
    icon        TEXT    NOT NULL DEFAULT '',
    category    TEXT    NOT NULL CHECK (category IN ('Customer', 'Back-office', 'Tracker')),
    is_internal BOOLEAN NOT NULL,
    archived    BOOLEAN NOT NULL DEFAULT FALSE,
    created_at  BIGINT  NOT NULL,
    updated_at  BIGINT  NOT NULL
);
CREATE UNIQUE INDEX ticket_types_name ON ticket_types (lower(name));

CREATE TABLE ticket_type_attributes (
    id                              INTEGER PRIMARY KEY AUTOINCREMENT,
    ticket_type_id                  BIGINT  NOT NULL REFERENCES ticket_types (id) ON DELETE CASCADE,
    name                            TEXT    NOT NULL,
    description                     TEXT    NOT NULL DEFAULT '',
    data_type                       TEXT    NOT NULL CHECK (data_type IN ('string', 'list', 'integer', 'decimal', 'boolean', 'datetime', 'files')),
    input_options                   TEXT    NOT NULL DEFAULT '{}',
    position                        BIGINT  NOT NULL,
    required_to_create              BOOLEAN NOT NULL DEFAULT FALSE,
    required_to_create_for_contacts BOOLEAN NOT NULL DEFAULT FALSE,
    visible_on_create               BOOLEAN NOT NULL DEFAULT TRUE,
    visible_to_contacts             BOOLEAN NOT NULL DEFAULT TRUE,
    is_default                      BOOLEAN NOT NULL DEFAULT FALSE,
    archived                        BOOLEAN NOT NULL DEFAULT FALSE,
    created_at                      BIGINT  NOT NULL,
    updated_at                      BIGINT  NOT NULL
);
CREATE UNIQUE INDEX ticket_type_attributes_name ON ticket_type_attributes (ticket_type_id, lower(name));

CREATE TABLE ticket_states (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    category       TEXT    NOT NULL CHECK (category IN ('submitted', 'in_progress', 'waiting_on_customer', 'resolved')),
    internal_label TEXT    NOT NULL,
    external_label TEXT    NOT NULL,
    archived       BOOLEAN NOT NULL DEFAULT FALSE
);
INSERT INTO ticket_states (category, internal_label, external_label) VALUES
    ('submitted', 'Submitted', 'Submitted'),
    ('in_progress', 'In progress', 'In progress'),
    ('waiting_on_customer', 'Waiting on customer', 'Waiting on you'),
    ('resolved', 'Resolved', 'Resolved');

-- The human ticket number (TT3 "Ticket ID") has its own sequence.
CREATE TABLE ticket_numbers (id INTEGER PRIMARY KEY AUTOINCREMENT, ticket_id BIGINT NOT NULL);

CREATE TABLE tickets (
    id              BIGINT  PRIMARY KEY REFERENCES conversations (id) ON DELETE CASCADE,
    ticket_number   BIGINT  NOT NULL UNIQUE,
    ticket_type_id  BIGINT  NOT NULL REFERENCES ticket_types (id),
    category        TEXT    NOT NULL CHECK (category IN ('Customer', 'Back-office', 'Tracker')),
    ticket_state_id BIGINT  NOT NULL REFERENCES ticket_states (id),
    previous_state_id BIGINT REFERENCES ticket_states (id),
    description     TEXT    NOT NULL DEFAULT '',
    attributes      TEXT    NOT NULL DEFAULT '{}',
    is_shared       BOOLEAN NOT NULL,
    company_id      BIGINT REFERENCES companies (id) ON DELETE SET NULL
);
CREATE INDEX tickets_type ON tickets (ticket_type_id);
CREATE INDEX tickets_state ON tickets (ticket_state_id);
CREATE INDEX tickets_company ON tickets (company_id);
CREATE INDEX tickets_category ON tickets (category, id);

-- ST2: every state a ticket has been in, from when to when (ended_at NULL: the current one).
CREATE TABLE ticket_state_history (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    ticket_id       BIGINT NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    ticket_state_id BIGINT NOT NULL REFERENCES ticket_states (id),
    started_at      BIGINT NOT NULL,
    ended_at        BIGINT
);
CREATE INDEX ticket_state_history_ticket ON ticket_state_history (ticket_id, id);

-- Links from a Back-office or Tracker ticket to a conversation or Customer ticket (BO1, TR2).
-- kind and shared copy the ticket's category and sharing (both fixed for a link's life) so that
-- TR2 (one tracker per conversation) and BO7 (one shared Back-office ticket per conversation)
-- hold in the database as well.
CREATE TABLE ticket_links (
    ticket_id       BIGINT  NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    conversation_id BIGINT  NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    kind            TEXT    NOT NULL CHECK (kind IN ('Back-office', 'Tracker')),
    shared          BOOLEAN NOT NULL,
    created_at      BIGINT  NOT NULL,
    PRIMARY KEY (ticket_id, conversation_id)
);
CREATE INDEX ticket_links_conversation ON ticket_links (conversation_id);
CREATE UNIQUE INDEX ticket_links_one_tracker ON ticket_links (conversation_id) WHERE kind = 'Tracker';
CREATE UNIQUE INDEX ticket_links_one_shared_back_office ON ticket_links (conversation_id) WHERE kind = 'Back-office' AND shared;

-- Parts of tickets: state changes keep the states they went between; cross-posted notes and
-- events name the ticket they came from.
ALTER TABLE conversation_parts ADD COLUMN previous_state_id BIGINT;
ALTER TABLE conversation_parts ADD COLUMN state_id BIGINT;
ALTER TABLE conversation_parts ADD COLUMN source_ticket_id BIGINT;
-- ticket_attribute_updated_by_admin parts: which attribute changed and its new value, as JSON
-- ({"attribute_id", "label", "value"}), for Intercom's updated_attribute_data.
ALTER TABLE conversation_parts ADD COLUMN updated_attribute TEXT;
