package store

import (
	"context"
	"fmt"
	"time"
)

// CreateAdminSession stores a teammate's browser session by its token's hash.
func (q *Q) CreateAdminSession(ctx context.Context, hash []byte, adminID int64, created, expires time.Time) error {
	_, err := q.exec(ctx, `INSERT INTO admin_sessions (token_hash, admin_id, created_at, expires_at) VALUES ($1, $2, $3, $4)`,
		hash, adminID, Unix(created), Unix(expires))
	if err != nil {
		return fmt.Errorf("store: create admin session: %w", err)
	}
	return nil
}

// AdminBySession returns the teammate of an unexpired session; ErrNotFound when there is none,
// or when the teammate was deactivated (their sessions are deleted then; this holds even so).
func (q *Q) AdminBySession(ctx context.Context, hash []byte, now time.Time) (Admin, error) {
	a, err := scanAdmin(q.row(ctx, `SELECT `+prefixed("a.", adminColumns)+`
		FROM admin_sessions s JOIN admins a ON a.id = s.admin_id
		WHERE s.token_hash = $1 AND s.expires_at > $2 AND a.deactivated_at IS NULL`, hash, Unix(now)))
	if err != nil {
		return a, fmt.Errorf("store: admin session: %w", translate(err))
	}
	return a, nil
}

// DeleteAdminSession ends one session, whether or not it existed.
func (q *Q) DeleteAdminSession(ctx context.Context, hash []byte) error {
	_, err := q.exec(ctx, `DELETE FROM admin_sessions WHERE token_hash = $1`, hash)
	return err
}

// DeleteExpiredAdminSessions removes sessions that ended before now.
func (q *Q) DeleteExpiredAdminSessions(ctx context.Context, now time.Time) error {
	_, err := q.exec(ctx, `DELETE FROM admin_sessions WHERE expires_at <= $1`, Unix(now))
	return err
}
