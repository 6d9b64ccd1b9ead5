package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// The queries of the Inbox's settings pages (issue 5): a teammate's API tokens, and team
// membership.

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

// CountOwners tells how many teammates are owners.
func (q *Q) CountOwners(ctx context.Context) (int, error) {
	var n int
	err := q.row(ctx, `SELECT count(*) FROM admins WHERE role = 'owner'`).Scan(&n)
	return n, translate(err)
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
