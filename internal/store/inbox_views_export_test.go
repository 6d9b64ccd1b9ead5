package store

import (
	"context"
	"database/sql"
	"sync/atomic"
)

// CountingRead is Read that counts the statements it sends to the database, so that tests
// outside the package can prove a page loads in a fixed number of queries (no N+1).
func (db *DB) CountingRead() (*Q, func() int64) {
	c := &countingQueryer{queryer: db.read}
	return &Q{q: c, dialect: db.dialect}, c.n.Load
}

type countingQueryer struct {
	queryer
	n atomic.Int64
}

func (c *countingQueryer) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	c.n.Add(1)
	return c.queryer.ExecContext(ctx, query, args...)
}

func (c *countingQueryer) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	c.n.Add(1)
	return c.queryer.QueryContext(ctx, query, args...)
}

func (c *countingQueryer) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	c.n.Add(1)
	return c.queryer.QueryRowContext(ctx, query, args...)
}
