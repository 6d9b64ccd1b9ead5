package store

import (
	"context"
	"fmt"
	"time"
)

// Token is an API access token; only its hash is kept.
type Token struct {
	ID        int64
	AdminID   int64
	Name      string
	Hash      []byte
	CreatedAt time.Time
}

// CreateToken stores a token's hash.
func (q *Q) CreateToken(ctx context.Context, t *Token) error {
	id, err := q.insert(ctx, `INSERT INTO api_tokens (admin_id, name, token_hash, created_at) VALUES ($1, $2, $3, $4)`,
		t.AdminID, t.Name, t.Hash, Unix(t.CreatedAt))
	if err != nil {
		return fmt.Errorf("store: create token: %w", err)
	}
	t.ID = id
	return nil
}

// AdminByToken returns the teammate a token hash belongs to; ErrNotFound when none.
func (q *Q) AdminByToken(ctx context.Context, hash []byte) (Admin, error) {
	a, err := scanAdmin(q.row(ctx, `SELECT `+prefixed("a.", adminColumns)+`
		FROM api_tokens t JOIN admins a ON a.id = t.admin_id WHERE t.token_hash = $1`, hash))
	if err != nil {
		return a, fmt.Errorf("store: token: %w", err)
	}
	return a, nil
}
