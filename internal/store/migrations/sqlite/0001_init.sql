-- The foundation: teammates, teams, tokens, contacts, companies, tags, conversations.
-- Times are Unix seconds. Ids are 64-bit integers.

CREATE TABLE admins (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    email              TEXT    NOT NULL,
    name               TEXT    NOT NULL,
    role               TEXT    NOT NULL CHECK (role IN ('owner', 'admin', 'agent')),
    password_hash      TEXT    NOT NULL,
    job_title          TEXT    NOT NULL DEFAULT '',
    avatar             TEXT,
    away_mode_enabled  BOOLEAN NOT NULL DEFAULT FALSE,
    away_mode_reassign BOOLEAN NOT NULL DEFAULT FALSE,
    created_at         BIGINT  NOT NULL
);
CREATE UNIQUE INDEX admins_email ON admins (lower(email));

CREATE TABLE teams (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    name       TEXT   NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX teams_name ON teams (lower(name));

CREATE TABLE team_members (
    team_id  BIGINT NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    admin_id BIGINT NOT NULL REFERENCES admins (id) ON DELETE CASCADE,
    PRIMARY KEY (team_id, admin_id)
);
CREATE INDEX team_members_admin ON team_members (admin_id);

CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    admin_id     BIGINT NOT NULL REFERENCES admins (id) ON DELETE CASCADE,
    name         TEXT   NOT NULL,
    token_hash   BLOB   NOT NULL UNIQUE,
    created_at   BIGINT NOT NULL
);

CREATE TABLE contacts (
    id                       INTEGER PRIMARY KEY AUTOINCREMENT,
    role                     TEXT    NOT NULL CHECK (role IN ('user', 'lead')),
    external_id              TEXT UNIQUE,
    email                    TEXT    NOT NULL DEFAULT '',
    email_domain             TEXT GENERATED ALWAYS AS (CASE WHEN instr(email, '@') > 0 THEN lower(substr(email, instr(email, '@') + 1)) END) VIRTUAL,
    phone                    TEXT,
    name                     TEXT,
    avatar                   TEXT,
    owner_id                 BIGINT REFERENCES admins (id) ON DELETE SET NULL,
    custom_attributes        TEXT    NOT NULL DEFAULT '{}',
    unsubscribed_from_emails BOOLEAN NOT NULL DEFAULT FALSE,
    last_seen_at             BIGINT,
    signed_up_at             BIGINT,
    created_at               BIGINT  NOT NULL,
    updated_at               BIGINT  NOT NULL
);
-- An empty email is none: NULLIF keeps '' out of lookups and of the uniqueness of users' emails
-- (Intercom refuses a second user with an address; leads may share one).
CREATE INDEX contacts_email ON contacts (lower(NULLIF(email, '')));
CREATE UNIQUE INDEX contacts_user_email ON contacts (lower(NULLIF(email, ''))) WHERE role = 'user';
CREATE INDEX contacts_email_domain ON contacts (email_domain);

-- companies are Intercom's: company_id is the client's own id for one, which cannot change.
-- name, plan, size, website, industry and remote_created_at are NULL until the client sets them.
CREATE TABLE companies (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    company_id        TEXT    NOT NULL UNIQUE,
    name              TEXT,
    plan              TEXT,
    size              BIGINT,
    website           TEXT,
    industry          TEXT,
    monthly_spend     BIGINT  NOT NULL DEFAULT 0,
    custom_attributes TEXT    NOT NULL DEFAULT '{}',
    remote_created_at BIGINT,
    last_request_at   BIGINT,
    user_count        BIGINT  NOT NULL DEFAULT 0,
    created_at        BIGINT  NOT NULL,
    updated_at        BIGINT  NOT NULL
);
CREATE INDEX companies_name ON companies (name, id);

CREATE TABLE contact_companies (
    contact_id BIGINT NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    company_id BIGINT NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (contact_id, company_id)
);
CREATE INDEX contact_companies_company ON contact_companies (company_id, contact_id);

-- user_count is what Intercom shows on a company; these triggers keep it right however a
-- membership row goes (detach, or the cascade of a deleted contact or company).
CREATE TRIGGER contact_companies_count_insert AFTER INSERT ON contact_companies BEGIN
    UPDATE companies SET user_count = user_count + 1 WHERE id = NEW.company_id;
END;
CREATE TRIGGER contact_companies_count_delete AFTER DELETE ON contact_companies BEGIN
    UPDATE companies SET user_count = user_count - 1 WHERE id = OLD.company_id;
END;

CREATE TABLE tags (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    name       TEXT   NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX tags_name ON tags (lower(name));

CREATE TABLE contact_tags (
    contact_id BIGINT NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    tag_id     BIGINT NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
    applied_at BIGINT NOT NULL,
    applied_by BIGINT REFERENCES admins (id) ON DELETE SET NULL,
    PRIMARY KEY (contact_id, tag_id)
);
CREATE INDEX contact_tags_tag ON contact_tags (tag_id);

-- conversations holds every thread. Tickets will share this table's id space (SPEC: one id space).
CREATE TABLE conversations (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    title               TEXT,
    state               TEXT    NOT NULL CHECK (state IN ('open', 'snoozed', 'closed')),
    read                BOOLEAN NOT NULL DEFAULT FALSE,
    priority            TEXT    NOT NULL DEFAULT 'none',
    admin_assignee_id   BIGINT REFERENCES admins (id) ON DELETE SET NULL,
    team_assignee_id    BIGINT REFERENCES teams (id) ON DELETE SET NULL,
    snoozed_until       BIGINT,
    waiting_since       BIGINT,
    source_type         TEXT    NOT NULL,
    source_delivered_as TEXT    NOT NULL,
    source_subject      TEXT    NOT NULL DEFAULT '',
    source_body         TEXT    NOT NULL,
    source_author_type  TEXT    NOT NULL,
    source_author_id    BIGINT  NOT NULL,
    created_at          BIGINT  NOT NULL,
    updated_at          BIGINT  NOT NULL
);
CREATE INDEX conversations_snoozed ON conversations (snoozed_until) WHERE state = 'snoozed';
CREATE INDEX conversations_admin_assignee ON conversations (admin_assignee_id, id);
CREATE INDEX conversations_team_assignee ON conversations (team_assignee_id, id);
CREATE INDEX conversations_updated ON conversations (updated_at, id);

CREATE TABLE conversation_contacts (
    conversation_id BIGINT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    contact_id      BIGINT NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    added_at        BIGINT NOT NULL,
    PRIMARY KEY (conversation_id, contact_id)
);
CREATE INDEX conversation_contacts_contact ON conversation_contacts (contact_id, conversation_id);

CREATE TABLE conversation_parts (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    conversation_id  BIGINT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    part_type        TEXT   NOT NULL,
    body             TEXT,
    author_type      TEXT   NOT NULL,
    author_id        BIGINT NOT NULL,
    assigned_to_type TEXT,
    assigned_to_id   BIGINT,
    created_at       BIGINT NOT NULL
);
CREATE INDEX conversation_parts_conversation ON conversation_parts (conversation_id, id);

CREATE TABLE conversation_tags (
    conversation_id BIGINT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    tag_id          BIGINT NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
    applied_at      BIGINT NOT NULL,
    applied_by      BIGINT REFERENCES admins (id) ON DELETE SET NULL,
    PRIMARY KEY (conversation_id, tag_id)
);
CREATE INDEX conversation_tags_tag ON conversation_tags (tag_id, conversation_id);
