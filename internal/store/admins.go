package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Admin is a teammate.
type Admin struct {
	ID               int64
	Email            string
	Name             string
	Role             string // owner, admin or agent
	PasswordHash     string
	JobTitle         string
	Avatar           sql.NullString
	AwayModeEnabled  bool
	AwayModeReassign bool
	TeamIDs          []int64
	CreatedAt        time.Time
	// DeactivatedAt is when the teammate was deactivated (they left); zero while active. A
	// deactivated teammate cannot sign in and is not offered as an assignee, but keeps their
	// name in the history.
	DeactivatedAt time.Time
}

// Active tells whether the teammate has not been deactivated.
func (a Admin) Active() bool { return a.DeactivatedAt.IsZero() }

// Admin roles.
const (
	RoleOwner = "owner"
	RoleAdmin = "admin"
	RoleAgent = "agent"
)

const adminColumns = `id, email, name, role, password_hash, job_title, avatar, away_mode_enabled, away_mode_reassign, created_at, deactivated_at`

func scanAdmin(r interface{ Scan(...any) error }) (Admin, error) {
	var a Admin
	var created int64
	var deactivated sql.NullInt64
	err := r.Scan(&a.ID, &a.Email, &a.Name, &a.Role, &a.PasswordHash, &a.JobTitle, &a.Avatar,
		&a.AwayModeEnabled, &a.AwayModeReassign, &created, &deactivated)
	a.CreatedAt = time.Unix(created, 0)
	if deactivated.Valid {
		a.DeactivatedAt = time.Unix(deactivated.Int64, 0)
	}
	return a, translate(err)
}

// CreateAdmin adds a teammate. ErrConflict when the email is taken.
func (q *Q) CreateAdmin(ctx context.Context, a *Admin) error {
	id, err := q.insert(ctx, `INSERT INTO admins (email, name, role, password_hash, job_title, created_at)
		VALUES ($1, $2, $3, $4, $5, $6)`, a.Email, a.Name, a.Role, a.PasswordHash, a.JobTitle, Unix(a.CreatedAt))
	if err != nil {
		return fmt.Errorf("store: create admin: %w", err)
	}
	a.ID = id
	return nil
}

// Admin returns one teammate with its team ids.
func (q *Q) Admin(ctx context.Context, id int64) (Admin, error) {
	a, err := scanAdmin(q.row(ctx, `SELECT `+adminColumns+` FROM admins WHERE id = $1`, id))
	if err != nil {
		return a, fmt.Errorf("store: admin %d: %w", id, err)
	}
	a.TeamIDs, err = q.int64s(ctx, `SELECT team_id FROM team_members WHERE admin_id = $1 ORDER BY team_id`, id)
	return a, err
}

// AdminByEmail finds a teammate by email, ignoring case.
func (q *Q) AdminByEmail(ctx context.Context, email string) (Admin, error) {
	a, err := scanAdmin(q.row(ctx, `SELECT `+adminColumns+` FROM admins WHERE lower(email) = lower($1)`, email))
	if err != nil {
		return a, fmt.Errorf("store: admin %q: %w", email, err)
	}
	return a, nil
}

// Admins lists every teammate, deactivated ones too, with their teams, in id order.
func (q *Q) Admins(ctx context.Context) ([]Admin, error) {
	rows, err := q.query(ctx, `SELECT `+adminColumns+` FROM admins ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("store: admins: %w", err)
	}
	admins, err := collect(rows, func(r *sql.Rows) (Admin, error) { return scanAdmin(r) })
	if err != nil {
		return nil, fmt.Errorf("store: admins: %w", err)
	}
	members, err := q.teamMembers(ctx)
	if err != nil {
		return nil, err
	}
	for i := range admins {
		for _, m := range members {
			if m.admin == admins[i].ID {
				admins[i].TeamIDs = append(admins[i].TeamIDs, m.team)
			}
		}
	}
	return admins, nil
}

// CountAdmins tells how many teammates exist (first run has none).
func (q *Q) CountAdmins(ctx context.Context) (int, error) {
	var n int
	err := q.row(ctx, `SELECT count(*) FROM admins`).Scan(&n)
	return n, translate(err)
}

// SetAdminPassword replaces a teammate's password hash.
func (q *Q) SetAdminPassword(ctx context.Context, id int64, hash string) error {
	_, err := q.exec(ctx, `UPDATE admins SET password_hash = $1 WHERE id = $2`, hash, id)
	return err
}

// int64s runs a query returning one integer column.
func (q *Q) int64s(ctx context.Context, query string, args ...any) ([]int64, error) {
	rows, err := q.query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	ids, err := collect(rows, func(r *sql.Rows) (int64, error) {
		var v int64
		return v, r.Scan(&v)
	})
	if ids == nil {
		ids = []int64{}
	}
	return ids, err
}

// AdminsByID returns the teammates with the given ids (without their teams), in one query.
func (q *Q) AdminsByID(ctx context.Context, ids []int64) (map[int64]Admin, error) {
	out := make(map[int64]Admin, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	in, args := inList(ids, 0)
	rows, err := q.query(ctx, `SELECT `+adminColumns+` FROM admins WHERE id IN (`+in+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: admins: %w", err)
	}
	list, err := collect(rows, func(r *sql.Rows) (Admin, error) { return scanAdmin(r) })
	for _, a := range list {
		out[a.ID] = a
	}
	return out, err
}

// AdminExists returns ErrNotFound unless a teammate has this id.
func (q *Q) AdminExists(ctx context.Context, id int64) error {
	var one int
	if err := q.row(ctx, `SELECT 1 FROM admins WHERE id = $1`, id).Scan(&one); err != nil {
		return fmt.Errorf("store: admin %d: %w", id, translate(err))
	}
	return nil
}
