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
// An empty address is no address: it finds nobody.
func (q *Q) ContactByEmail(ctx context.Context, email string) (Contact, error) {
	c, err := scanContact(q.row(ctx, `SELECT `+contactColumns+` FROM contacts WHERE lower(NULLIF(email, '')) = lower($1)
		ORDER BY CASE role WHEN 'user' THEN 0 ELSE 1 END, id LIMIT 1`, email))
	if err != nil {
		return c, fmt.Errorf("store: contact %q: %w", email, err)
	}
	return c, nil
}

// CreateContact adds a contact and sets c.ID. ErrConflict when the external id, or a user's email,
// is another contact's.
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

// ContactForUpdate is Contact inside a transaction that will change it: on PostgreSQL the row is
// locked until the transaction ends, so that two requests cannot lose each other's change.
// (SQLite transactions already write one at a time.)
func (tx *Tx) ContactForUpdate(ctx context.Context, id int64) (Contact, error) {
	lock := ""
	if tx.dialect == Postgres {
		lock = " FOR UPDATE"
	}
	c, err := scanContact(tx.row(ctx, `SELECT `+contactColumns+` FROM contacts WHERE id = $1`+lock, id))
	if err != nil {
		return c, fmt.Errorf("store: contact %d: %w", id, err)
	}
	return c, nil
}

// UserIDByEmail returns the id of the user (not lead) with an email address, ignoring case.
// Users' addresses are unique (leads may share one), so there is at most one.
func (q *Q) UserIDByEmail(ctx context.Context, email string) (int64, error) {
	var id int64
	err := q.row(ctx, `SELECT id FROM contacts WHERE lower(NULLIF(email, '')) = lower($1) AND role = 'user'
		ORDER BY id LIMIT 1`, email).Scan(&id)
	if err = translate(err); err != nil {
		return 0, fmt.Errorf("store: user %q: %w", email, err)
	}
	return id, nil
}

// UpdateContact saves every field of c but its id and creation time. ErrConflict when the
// external id, or a user's email, is another contact's.
func (q *Q) UpdateContact(ctx context.Context, c *Contact) error {
	if c.CustomAttributes == "" {
		c.CustomAttributes = "{}"
	}
	res, err := q.exec(ctx, `UPDATE contacts SET role = $1, external_id = $2, email = $3, phone = $4, name = $5, avatar = $6,
		owner_id = $7, custom_attributes = $8, unsubscribed_from_emails = $9, last_seen_at = $10, signed_up_at = $11,
		updated_at = $12 WHERE id = $13`,
		c.Role, c.ExternalID, c.Email, c.Phone, c.Name, c.Avatar, c.OwnerID, c.CustomAttributes,
		c.UnsubscribedFromEmails, c.LastSeenAt, c.SignedUpAt, Unix(c.UpdatedAt), c.ID)
	if err != nil {
		return fmt.Errorf("store: update contact: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("store: update contact %d: %w", c.ID, ErrNotFound)
	}
	return nil
}

// TouchContact sets a contact's updated_at, for changes kept outside its row (tags).
func (q *Q) TouchContact(ctx context.Context, id int64, now time.Time) error {
	if _, err := q.exec(ctx, `UPDATE contacts SET updated_at = $1 WHERE id = $2`, Unix(now), id); err != nil {
		return fmt.Errorf("store: touch contact: %w", err)
	}
	return nil
}

// DeleteContact removes a contact with its tags, company memberships and conversation
// participation. ErrInUse when something that cannot lose it still refers to it.
func (q *Q) DeleteContact(ctx context.Context, id int64) error {
	res, err := q.exec(ctx, `DELETE FROM contacts WHERE id = $1`, id)
	if err != nil {
		return fmt.Errorf("store: delete contact: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("store: delete contact %d: %w", id, ErrNotFound)
	}
	return nil
}

// CompanyIDsOfContacts returns the ids of each contact's companies, in the order they were
// added, in one query.
func (q *Q) CompanyIDsOfContacts(ctx context.Context, ids ...int64) (map[int64][]int64, error) {
	out := make(map[int64][]int64, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	in, args := inList(ids, 0)
	rows, err := q.query(ctx, `SELECT contact_id, company_id FROM contact_companies WHERE contact_id IN (`+in+`)
		ORDER BY created_at, company_id`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: contact companies: %w", err)
	}
	pairs, err := collect(rows, func(r *sql.Rows) ([2]int64, error) {
		var p [2]int64
		return p, r.Scan(&p[0], &p[1])
	})
	for _, p := range pairs {
		out[p[0]] = append(out[p[0]], p[1])
	}
	return out, err
}

// ContactPageQuery asks for one page of contacts.
type ContactPageQuery struct {
	// Where is a SQL condition on alias c with its arguments ("" for every contact). It comes from
	// our own code (internal/search), never from client text.
	Where string
	Args  []any
	// Key is the SQL expression on alias c to order by before the id ("" orders by id alone). It
	// must never be NULL (COALESCE it), so that both databases order and compare alike.
	Key  string
	Desc bool
	// After continues the list after the contact with this key and id (AfterID 0: first page).
	AfterKey any
	AfterID  int64
	// Limit is the most contacts returned: ask for one more than a page to learn whether
	// another page follows, so that nothing ever counts the table.
	Limit int
}

// ContactPage returns one page of contacts, each page one index range however long the list.
func (q *Q) ContactPage(ctx context.Context, p ContactPageQuery) ([]Contact, error) {
	args := append([]any(nil), p.Args...)
	bind := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	cond := "TRUE"
	if p.Where != "" {
		cond = "(" + p.Where + ")"
	}
	cmp, dir := ">", "ASC"
	if p.Desc {
		cmp, dir = "<", "DESC"
	}
	order := "c.id " + dir
	if p.Key != "" {
		order = p.Key + " " + dir + ", " + order
	}
	if p.AfterID > 0 {
		if p.Key == "" {
			cond += " AND c.id " + cmp + " " + bind(p.AfterID)
		} else {
			cond += fmt.Sprintf(" AND (%[1]s %[2]s %[3]s OR (%[1]s = %[4]s AND c.id %[2]s %[5]s))",
				p.Key, cmp, bind(p.AfterKey), bind(p.AfterKey), bind(p.AfterID))
		}
	}
	rows, err := q.query(ctx, `SELECT `+prefixed("c.", contactColumns)+` FROM contacts c WHERE `+cond+
		` ORDER BY `+order+` LIMIT `+bind(p.Limit), args...)
	if err != nil {
		return nil, fmt.Errorf("store: contacts: %w", err)
	}
	list, err := collect(rows, func(r *sql.Rows) (Contact, error) { return scanContact(r) })
	if err != nil {
		return nil, fmt.Errorf("store: contacts: %w", err)
	}
	return list, nil
}
