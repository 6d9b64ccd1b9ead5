package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// The queries of the Inbox's settings pages (issue 5): a teammate's API tokens, team
// membership, and teammates' roles and deactivation.

// MaxTokensListed bounds the tokens AdminTokens returns: a teammate keeps a handful.
const MaxTokensListed = 200

// AdminTokens lists a teammate's API tokens, newest first, without their hashes; at most
// MaxTokensListed.
func (q *Q) AdminTokens(ctx context.Context, adminID int64) ([]Token, error) {
	rows, err := q.query(ctx, `SELECT id, admin_id, name, created_at FROM api_tokens WHERE admin_id = $1
		ORDER BY id DESC LIMIT $2`, adminID, MaxTokensListed)
	if err != nil {
		return nil, fmt.Errorf("store: tokens of admin %d: %w", adminID, err)
	}
	return collect(rows, func(r *sql.Rows) (Token, error) {
		var t Token
		var created int64
		err := r.Scan(&t.ID, &t.AdminID, &t.Name, &created)
		t.CreatedAt = time.Unix(created, 0)
		return t, err
	})
}

// DeleteAdminToken removes token id of a teammate; ErrNotFound when the teammate has no such
// token (another's token is not theirs to revoke).
func (q *Q) DeleteAdminToken(ctx context.Context, adminID, id int64) error {
	res, err := q.exec(ctx, `DELETE FROM api_tokens WHERE id = $1 AND admin_id = $2`, id, adminID)
	if err != nil {
		return fmt.Errorf("store: delete token %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("store: delete token %d: %w", id, ErrNotFound)
	}
	return nil
}

// RemoveTeamMember takes a teammate out of a team; removing one who is not in it is not an
// error.
func (q *Q) RemoveTeamMember(ctx context.Context, teamID, adminID int64) error {
	_, err := q.exec(ctx, `DELETE FROM team_members WHERE team_id = $1 AND admin_id = $2`, teamID, adminID)
	if err != nil {
		return fmt.Errorf("store: remove team member: %w", err)
	}
	return nil
}

// RenameTeam changes a team's name. ErrConflict when another team has it; ErrNotFound when
// there is no such team.
func (q *Q) RenameTeam(ctx context.Context, id int64, name string) error {
	res, err := q.exec(ctx, `UPDATE teams SET name = $1 WHERE id = $2`, name, id)
	if err != nil {
		return fmt.Errorf("store: rename team %d: %w", id, translate(err))
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("store: rename team %d: %w", id, ErrNotFound)
	}
	return nil
}

// OpenItemsOfTeam tells how many open or snoozed conversations and tickets are assigned to a
// team.
func (q *Q) OpenItemsOfTeam(ctx context.Context, id int64) (int, error) {
	var n int
	err := q.row(ctx, `SELECT count(*) FROM conversations WHERE team_assignee_id = $1 AND state <> 'closed'`, id).Scan(&n)
	return n, translate(err)
}

// DeleteTeam removes a team and its memberships; closed work assigned to it is left
// with no team (the schema's ON DELETE SET NULL). ErrNotFound when there is no such team.
func (q *Q) DeleteTeam(ctx context.Context, id int64) error {
	res, err := q.exec(ctx, `DELETE FROM teams WHERE id = $1`, id)
	if err != nil {
		return fmt.Errorf("store: delete team %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("store: delete team %d: %w", id, ErrNotFound)
	}
	return nil
}

// SetAdminRole changes a teammate's role.
func (q *Q) SetAdminRole(ctx context.Context, id int64, role string) error {
	_, err := q.exec(ctx, `UPDATE admins SET role = $1 WHERE id = $2`, role, id)
	return err
}

// CountOwners tells how many active (not deactivated) teammates are owners.
func (q *Q) CountOwners(ctx context.Context) (int, error) {
	var n int
	err := q.row(ctx, `SELECT count(*) FROM admins WHERE role = 'owner' AND deactivated_at IS NULL`).Scan(&n)
	return n, translate(err)
}

// LockActiveOwners is CountOwners inside a transaction that may take away an owner (a change of
// role, a deactivation): on PostgreSQL the owners' rows stay locked until the transaction ends,
// so that two owners taking each other away at once cannot leave the workspace with none.
// (SQLite transactions already write one at a time.)
func (tx *Tx) LockActiveOwners(ctx context.Context) (int, error) {
	ids, err := tx.int64s(ctx, `SELECT id FROM admins WHERE role = 'owner' AND deactivated_at IS NULL ORDER BY id`+tx.lockForUpdate())
	if err != nil {
		return 0, fmt.Errorf("store: lock owners: %w", err)
	}
	return len(ids), nil
}

// DeactivateAdmin marks a teammate as deactivated from at and takes their password away (a
// reactivated teammate is given a new one); ErrNotFound when there is no such teammate.
func (q *Q) DeactivateAdmin(ctx context.Context, id int64, at time.Time) error {
	res, err := q.exec(ctx, `UPDATE admins SET deactivated_at = $1, password_hash = '' WHERE id = $2`, Unix(at), id)
	if err != nil {
		return fmt.Errorf("store: deactivate admin %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("store: deactivate admin %d: %w", id, ErrNotFound)
	}
	return nil
}

// ReactivateAdmin makes a deactivated teammate active again, still without a password.
func (q *Q) ReactivateAdmin(ctx context.Context, id int64) error {
	res, err := q.exec(ctx, `UPDATE admins SET deactivated_at = NULL WHERE id = $1`, id)
	if err != nil {
		return fmt.Errorf("store: reactivate admin %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("store: reactivate admin %d: %w", id, ErrNotFound)
	}
	return nil
}

// DeleteAdminTokensOf deletes every API token of a teammate.
func (q *Q) DeleteAdminTokensOf(ctx context.Context, adminID int64) error {
	if _, err := q.exec(ctx, `DELETE FROM api_tokens WHERE admin_id = $1`, adminID); err != nil {
		return fmt.Errorf("store: delete tokens of admin %d: %w", adminID, err)
	}
	return nil
}

// RemoveAdminFromTeams takes a teammate out of every team.
func (q *Q) RemoveAdminFromTeams(ctx context.Context, adminID int64) error {
	if _, err := q.exec(ctx, `DELETE FROM team_members WHERE admin_id = $1`, adminID); err != nil {
		return fmt.Errorf("store: remove admin %d from teams: %w", adminID, err)
	}
	return nil
}

// AdminOpenItems is how many conversations and tickets assigned to a teammate are open, and
// how many snoozed.
type AdminOpenItems struct{ Open, Snoozed int }

// OpenItemsOfAdmins tells, for every teammate among ids who holds any, how many open and
// snoozed conversations and tickets are assigned to them.
func (q *Q) OpenItemsOfAdmins(ctx context.Context, ids []int64) (map[int64]AdminOpenItems, error) {
	out := map[int64]AdminOpenItems{}
	if len(ids) == 0 {
		return out, nil
	}
	in, args := inList(ids, 0)
	rows, err := q.query(ctx, `SELECT admin_assignee_id, state, count(*) FROM conversations
		WHERE admin_assignee_id IN (`+in+`) AND state <> 'closed' GROUP BY admin_assignee_id, state`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: open items of admins: %w", err)
	}
	type count struct {
		admin int64
		state string
		n     int
	}
	counts, err := collect(rows, func(r *sql.Rows) (count, error) {
		var c count
		return c, r.Scan(&c.admin, &c.state, &c.n)
	})
	if err != nil {
		return nil, fmt.Errorf("store: open items of admins: %w", err)
	}
	for _, c := range counts {
		o := out[c.admin]
		if c.state == "snoozed" {
			o.Snoozed += c.n
		} else {
			o.Open += c.n
		}
		out[c.admin] = o
	}
	return out, nil
}

// DeleteAdminSessionsOf ends every session of a teammate but the one whose hash is keep (nil
// keeps none).
func (q *Q) DeleteAdminSessionsOf(ctx context.Context, adminID int64, keep []byte) error {
	if keep == nil {
		keep = []byte{}
	}
	_, err := q.exec(ctx, `DELETE FROM admin_sessions WHERE admin_id = $1 AND token_hash <> $2`, adminID, keep)
	return err
}

// SetAdminProfile changes a teammate's name and email. ErrConflict when another teammate has
// the email.
func (q *Q) SetAdminProfile(ctx context.Context, id int64, name, email string) error {
	_, err := q.exec(ctx, `UPDATE admins SET name = $1, email = $2 WHERE id = $3`, name, email, id)
	if err != nil {
		return fmt.Errorf("store: set admin profile: %w", translate(err))
	}
	return nil
}
