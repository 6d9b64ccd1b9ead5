package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Contact is a customer's end user: role "user" (identified) or "lead".
type Contact struct {
	ID                     int64
	Role                   string
	ExternalID             sql.NullString
	Email                  string
	Phone                  sql.NullString
	Name                   sql.NullString
	Avatar                 sql.NullString
	OwnerID                sql.NullInt64
	CustomAttributes       string // a JSON object
	UnsubscribedFromEmails bool
	LastSeenAt             sql.NullInt64
	SignedUpAt             sql.NullInt64
	CreatedAt              time.Time
	UpdatedAt              time.Time
}

const contactColumns = `id, role, external_id, email, phone, name, avatar, owner_id, custom_attributes,
	unsubscribed_from_emails, last_seen_at, signed_up_at, created_at, updated_at`

func scanContact(r interface{ Scan(...any) error }) (Contact, error) {
	var c Contact
	var created, updated int64
	err := r.Scan(&c.ID, &c.Role, &c.ExternalID, &c.Email, &c.Phone, &c.Name, &c.Avatar, &c.OwnerID, &c.CustomAttributes,
		&c.UnsubscribedFromEmails, &c.LastSeenAt, &c.SignedUpAt, &created, &updated)
	c.CreatedAt, c.UpdatedAt = time.Unix(created, 0), time.Unix(updated, 0)
	return c, translate(err)
}

// Contact returns one contact.
func (q *Q) Contact(ctx context.Context, id int64) (Contact, error) {
	c, err := scanContact(q.row(ctx, `SELECT `+contactColumns+` FROM contacts WHERE id = $1`, id))
	if err != nil {
		return c, fmt.Errorf("store: contact %d: %w", id, err)
	}
	return c, nil
}

// ContactsByID returns the contacts with the given ids, in one query.
func (q *Q) ContactsByID(ctx context.Context, ids []int64) (map[int64]Contact, error) {
	out := make(map[int64]Contact, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	in, args := inList(ids, 0)
	rows, err := q.query(ctx, `SELECT `+contactColumns+` FROM contacts WHERE id IN (`+in+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: contacts: %w", err)
	}
	list, err := collect(rows, func(r *sql.Rows) (Contact, error) { return scanContact(r) })
	for _, c := range list {
		out[c.ID] = c
	}
	return out, err
}

// ContactByExternalID finds the contact with the client's own id for it.
func (q *Q) ContactByExternalID(ctx context.Context, externalID string) (Contact, error) {
	c, err := scanContact(q.row(ctx, `SELECT `+contactColumns+` FROM contacts WHERE external_id = $1`, externalID))
	if err != nil {
		return c, fmt.Errorf("store: contact %q: %w", externalID, err)
	}
	return c, nil
}

// ContactByEmail finds the oldest contact with an email address, ignoring case; users before leads.
func (q *Q) ContactByEmail(ctx context.Context, email string) (Contact, error) {
	c, err := scanContact(q.row(ctx, `SELECT `+contactColumns+` FROM contacts WHERE lower(email) = lower($1)
		ORDER BY CASE role WHEN 'user' THEN 0 ELSE 1 END, id LIMIT 1`, email))
	if err != nil {
		return c, fmt.Errorf("store: contact %q: %w", email, err)
	}
	return c, nil
}

// CreateContact adds a contact and sets c.ID. ErrConflict when the external id is taken.
func (q *Q) CreateContact(ctx context.Context, c *Contact) error {
	if c.CustomAttributes == "" {
		c.CustomAttributes = "{}"
	}
	id, err := q.insert(ctx, `INSERT INTO contacts (role, external_id, email, phone, name, avatar, owner_id, custom_attributes,
		unsubscribed_from_emails, last_seen_at, signed_up_at, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
		c.Role, c.ExternalID, c.Email, c.Phone, c.Name, c.Avatar, c.OwnerID, c.CustomAttributes,
		c.UnsubscribedFromEmails, c.LastSeenAt, c.SignedUpAt, Unix(c.CreatedAt), Unix(c.UpdatedAt))
	if err != nil {
		return fmt.Errorf("store: create contact: %w", err)
	}
	c.ID = id
	return nil
}
