package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Company is an organisation whose people are contacts (Intercom's company). CompanyID is the
// client's own id for it, set once at creation; ID is ours.
type Company struct {
	ID               int64
	CompanyID        string
	Name             sql.NullString
	Plan             sql.NullString // the plan's name: plans have no objects of their own
	Size             sql.NullInt64
	Website          sql.NullString
	Industry         sql.NullString
	MonthlySpend     int64
	CustomAttributes string // a JSON object of strings
	RemoteCreatedAt  sql.NullInt64
	LastRequestAt    sql.NullInt64
	// UserCount is how many contacts belong to the company, kept by the database's triggers on
	// contact_companies: callers read it and never write it.
	UserCount int64
	CreatedAt time.Time
	UpdatedAt time.Time
}

// ErrCompanyLimit is returned when a contact already belongs to as many companies as allowed.
var ErrCompanyLimit = errors.New("contact company limit reached")

const companyColumns = `id, company_id, name, plan, size, website, industry, monthly_spend, custom_attributes,
	remote_created_at, last_request_at, user_count, created_at, updated_at`

func scanCompany(r interface{ Scan(...any) error }) (Company, error) {
	var c Company
	var created, updated int64
	err := r.Scan(&c.ID, &c.CompanyID, &c.Name, &c.Plan, &c.Size, &c.Website, &c.Industry, &c.MonthlySpend,
		&c.CustomAttributes, &c.RemoteCreatedAt, &c.LastRequestAt, &c.UserCount, &created, &updated)
	c.CreatedAt, c.UpdatedAt = time.Unix(created, 0), time.Unix(updated, 0)
	return c, translate(err)
}

func scanCompanies(rows *sql.Rows) ([]Company, error) {
	return collect(rows, func(r *sql.Rows) (Company, error) { return scanCompany(r) })
}

// lockForUpdate is the locking clause of a read that the transaction will write after: PostgreSQL
// locks the rows until the transaction ends; SQLite transactions already write one at a time.
func (q *Q) lockForUpdate() string {
	if q.dialect == Postgres {
		return " FOR UPDATE"
	}
	return ""
}

// Company returns one company.
func (q *Q) Company(ctx context.Context, id int64) (Company, error) {
	c, err := scanCompany(q.row(ctx, `SELECT `+companyColumns+` FROM companies WHERE id = $1`, id))
	if err != nil {
		return c, fmt.Errorf("store: company %d: %w", id, err)
	}
	return c, nil
}

// CompanyForUpdate is Company in a transaction that will change it: on PostgreSQL the row stays
// locked until the transaction ends, so that two requests cannot lose each other's change.
func (tx *Tx) CompanyForUpdate(ctx context.Context, id int64) (Company, error) {
	c, err := scanCompany(tx.row(ctx, `SELECT `+companyColumns+` FROM companies WHERE id = $1`+tx.lockForUpdate(), id))
	if err != nil {
		return c, fmt.Errorf("store: company %d: %w", id, err)
	}
	return c, nil
}

// CompanyByCompanyIDForUpdate finds, and locks as CompanyForUpdate does, the company with the
// client's own id for it.
func (tx *Tx) CompanyByCompanyIDForUpdate(ctx context.Context, companyID string) (Company, error) {
	c, err := scanCompany(tx.row(ctx, `SELECT `+companyColumns+` FROM companies WHERE company_id = $1`+tx.lockForUpdate(), companyID))
	if err != nil {
		return c, fmt.Errorf("store: company %q: %w", companyID, err)
	}
	return c, nil
}

// CreateCompany adds a company and sets c.ID. ErrConflict when c.CompanyID is taken, also by a
// transaction that committed it meanwhile: the caller then finds that company and updates it.
func (q *Q) CreateCompany(ctx context.Context, c *Company) error {
	if c.CustomAttributes == "" {
		c.CustomAttributes = "{}"
	}
	id, err := q.insert(ctx, `INSERT INTO companies (company_id, name, plan, size, website, industry, monthly_spend,
		custom_attributes, remote_created_at, last_request_at, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT (company_id) DO NOTHING`,
		c.CompanyID, c.Name, c.Plan, c.Size, c.Website, c.Industry, c.MonthlySpend,
		c.CustomAttributes, c.RemoteCreatedAt, c.LastRequestAt, Unix(c.CreatedAt), Unix(c.UpdatedAt))
	if errors.Is(err, ErrNotFound) { // DO NOTHING returned no row
		return fmt.Errorf("store: create company %q: %w", c.CompanyID, ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("store: create company: %w", err)
	}
	c.ID = id
	return nil
}

// UpdateCompany saves the changeable fields of c (not its company_id, not its user_count).
func (q *Q) UpdateCompany(ctx context.Context, c *Company) error {
	res, err := q.exec(ctx, `UPDATE companies SET name = $1, plan = $2, size = $3, website = $4, industry = $5,
		monthly_spend = $6, custom_attributes = $7, remote_created_at = $8, last_request_at = $9, updated_at = $10
		WHERE id = $11`,
		c.Name, c.Plan, c.Size, c.Website, c.Industry, c.MonthlySpend, c.CustomAttributes,
		c.RemoteCreatedAt, c.LastRequestAt, Unix(c.UpdatedAt), c.ID)
	if err != nil {
		return fmt.Errorf("store: update company: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("store: update company %d: %w", c.ID, ErrNotFound)
	}
	return nil
}

// TouchCompany sets a company's updated_at, for changes of its members.
func (q *Q) TouchCompany(ctx context.Context, id int64, now time.Time) error {
	if _, err := q.exec(ctx, `UPDATE companies SET updated_at = $1 WHERE id = $2`, Unix(now), id); err != nil {
		return fmt.Errorf("store: touch company: %w", err)
	}
	return nil
}

// DeleteCompany removes a company; its contacts stay, no longer members of it.
//
// It keeps the order of locks that lockMembership explains. The exclusive membership lock comes
// first, so that no contact joins the company while it goes (such a membership, committed after
// the memberships below were read and then deleted along with its contact, would make the two
// deletions wait for each other); the memberships then go by a statement of their own, so that
// the company's row is locked after them, by the trigger that counts its users.
func (tx *Tx) DeleteCompany(ctx context.Context, id int64) error {
	if err := tx.membershipLock(ctx, id, false); err != nil {
		return fmt.Errorf("store: delete company: %w", err)
	}
	if _, err := tx.exec(ctx, `DELETE FROM contact_companies WHERE company_id = $1`, id); err != nil {
		return fmt.Errorf("store: delete company: %w", err)
	}
	res, err := tx.exec(ctx, `DELETE FROM companies WHERE id = $1`, id)
	if err != nil {
		return fmt.Errorf("store: delete company: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("store: delete company %d: %w", id, ErrNotFound)
	}
	return nil
}

// CompanyFilter narrows a list of companies; empty fields match every company.
type CompanyFilter struct {
	CompanyID string // the client's id, exactly
	Name      string // the name, exactly
}

// CompanyPage returns up to limit companies matching f in the order of their ids (newest first
// when desc), starting after the company with id after (0: from the start), and skipping offset
// of them. Pages are index range scans (companies_name serves a name); the offset, which the
// caller bounds, is the only part that grows with depth.
func (q *Q) CompanyPage(ctx context.Context, f CompanyFilter, after int64, desc bool, offset, limit int) ([]Company, error) {
	var where []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	if f.CompanyID != "" {
		where = append(where, "company_id = "+arg(f.CompanyID))
	}
	if f.Name != "" {
		where = append(where, "name = "+arg(f.Name))
	}
	order := "id"
	if after > 0 {
		if desc {
			where = append(where, "id < "+arg(after))
		} else {
			where = append(where, "id > "+arg(after))
		}
	}
	if desc {
		order = "id DESC"
	}
	query := `SELECT ` + companyColumns + ` FROM companies`
	if len(where) > 0 {
		query += ` WHERE ` + strings.Join(where, " AND ")
	}
	query += ` ORDER BY ` + order + ` LIMIT ` + arg(limit) + ` OFFSET ` + arg(offset)
	rows, err := q.query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("store: companies: %w", err)
	}
	return scanCompanies(rows)
}

// Errors of membership changes, telling which side is missing; both are ErrNotFound too.
var (
	ErrNoSuchContact = fmt.Errorf("contact %w", ErrNotFound)
	ErrNoSuchCompany = fmt.Errorf("company %w", ErrNotFound)
)

// membershipLockSpace is the first key of the PostgreSQL advisory locks on companies'
// memberships ("comp"); the second is the company's id, wrapped to 32 bits (two companies that
// share a key only wait for each other).
const membershipLockSpace = 0x636f6d70

// membershipLock takes, on PostgreSQL, the advisory lock on a company's memberships until the
// transaction ends: shared to change one membership, exclusive to delete the company.
func (tx *Tx) membershipLock(ctx context.Context, companyID int64, shared bool) error {
	if tx.dialect != Postgres {
		return nil // SQLite transactions write one at a time
	}
	fn := "pg_advisory_xact_lock"
	if shared {
		fn += "_shared"
	}
	_, err := tx.exec(ctx, `SELECT `+fn+`($1::int4, $2::int4)`, membershipLockSpace, int32(companyID))
	return err
}

// lockMembership prepares a membership change: it locks the contact, takes the company's shared
// membership lock and checks that the company exists.
//
// On PostgreSQL every change of memberships takes its locks in one order, so that changes wait
// for each other instead of deadlocking: the contact, the company's membership lock, the
// membership rows, then (by the trigger that counts users) the companies' rows in the order of
// their ids. Deleting a contact keeps it by itself (its row, then through the cascade its
// memberships, then the trigger); DeleteCompany starts at the membership lock. The company's row
// is therefore not locked here.
func (tx *Tx) lockMembership(ctx context.Context, contactID, companyID int64) error {
	var id int64
	err := translate(tx.row(ctx, `SELECT id FROM contacts WHERE id = $1`+tx.lockForUpdate(), contactID).Scan(&id))
	if errors.Is(err, ErrNotFound) {
		return fmt.Errorf("store: contact %d: %w", contactID, ErrNoSuchContact)
	}
	if err != nil {
		return fmt.Errorf("store: lock contact: %w", err)
	}
	if err := tx.membershipLock(ctx, companyID, true); err != nil {
		return fmt.Errorf("store: lock company: %w", err)
	}
	err = translate(tx.row(ctx, `SELECT id FROM companies WHERE id = $1`, companyID).Scan(&id))
	if errors.Is(err, ErrNotFound) {
		return fmt.Errorf("store: company %d: %w", companyID, ErrNoSuchCompany)
	}
	if err != nil {
		return fmt.Errorf("store: find company: %w", err)
	}
	return nil
}

// AttachContactCompany makes a contact a member of a company and reports whether it was not one
// already. ErrNoSuchContact or ErrNoSuchCompany when one is missing; ErrCompanyLimit when the
// contact already belongs to limit companies (the lock on the contact keeps two attachments at once
// from passing the limit together).
func (tx *Tx) AttachContactCompany(ctx context.Context, contactID, companyID int64, limit int, now time.Time) (bool, error) {
	if err := tx.lockMembership(ctx, contactID, companyID); err != nil {
		return false, err
	}
	var n int
	err := tx.row(ctx, `SELECT count(*) FROM contact_companies WHERE contact_id = $1 AND company_id = $2`, contactID, companyID).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("store: attach company: %w", translate(err))
	}
	if n > 0 {
		return false, nil
	}
	if n, err = tx.ContactCompanyCount(ctx, contactID); err != nil {
		return false, err
	}
	if n >= limit {
		return false, fmt.Errorf("store: attach company: %w", ErrCompanyLimit)
	}
	_, err = tx.exec(ctx, `INSERT INTO contact_companies (contact_id, company_id, created_at) VALUES ($1, $2, $3)`,
		contactID, companyID, Unix(now))
	if err != nil {
		return false, fmt.Errorf("store: attach company: %w", err)
	}
	return true, nil
}

// DetachContactCompany ends a contact's membership of a company and reports whether it was one.
// ErrNoSuchContact or ErrNoSuchCompany when one is missing.
func (tx *Tx) DetachContactCompany(ctx context.Context, contactID, companyID int64) (bool, error) {
	if err := tx.lockMembership(ctx, contactID, companyID); err != nil {
		return false, err
	}
	res, err := tx.exec(ctx, `DELETE FROM contact_companies WHERE contact_id = $1 AND company_id = $2`, contactID, companyID)
	if err != nil {
		return false, fmt.Errorf("store: detach company: %w", err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// ContactCompanyCount returns how many companies a contact belongs to (at most the limit that
// AttachContactCompany keeps, so counting is cheap).
func (q *Q) ContactCompanyCount(ctx context.Context, contactID int64) (int, error) {
	var n int
	if err := q.row(ctx, `SELECT count(*) FROM contact_companies WHERE contact_id = $1`, contactID).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: contact companies: %w", translate(err))
	}
	return n, nil
}

// ContactCompanies returns up to limit of the companies a contact belongs to, in the order they
// were added (as CompanyIDsOfContacts lists them), skipping offset of them.
func (q *Q) ContactCompanies(ctx context.Context, contactID int64, offset, limit int) ([]Company, error) {
	rows, err := q.query(ctx, `SELECT `+prefixed("c.", companyColumns)+` FROM contact_companies x
		JOIN companies c ON c.id = x.company_id WHERE x.contact_id = $1 ORDER BY x.created_at, x.company_id LIMIT $2 OFFSET $3`,
		contactID, limit, offset)
	if err != nil {
		return nil, fmt.Errorf("store: contact companies: %w", err)
	}
	return scanCompanies(rows)
}

// CompanyContactIDs returns up to limit ids of the contacts of a company, in order, after the
// contact with id after (0: from the start) and skipping offset of them.
func (q *Q) CompanyContactIDs(ctx context.Context, companyID, after int64, offset, limit int) ([]int64, error) {
	rows, err := q.query(ctx, `SELECT contact_id FROM contact_companies WHERE company_id = $1 AND contact_id > $2
		ORDER BY contact_id LIMIT $3 OFFSET $4`, companyID, after, limit, offset)
	if err != nil {
		return nil, fmt.Errorf("store: company contacts: %w", err)
	}
	return collect(rows, func(r *sql.Rows) (int64, error) {
		var id int64
		return id, r.Scan(&id)
	})
}

// ContactCompanyIDs returns the ids of the companies a contact belongs to, in the order joined.
func (q *Q) ContactCompanyIDs(ctx context.Context, contactID int64) ([]int64, error) {
	return q.int64s(ctx, `SELECT company_id FROM contact_companies WHERE contact_id = $1 ORDER BY created_at, company_id`, contactID)
}
