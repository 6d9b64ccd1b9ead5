package store

import (
	"context"
	"database/sql"
	"sync"
)

// maxStmts bounds the statement cache: queries built at run time (search filters, IN lists of
// every length) would otherwise grow it without end. Past the bound, queries run unprepared.
const maxStmts = 512

// stmtCache keeps one prepared statement per query text on a *sql.DB; database/sql prepares
// it on each connection once and reuses it, in transactions too (Tx.StmtContext).
//
// A statement cannot be prepared on SQLite's single writer connection while a transaction holds
// it, so inside a transaction a query met for the first time runs unprepared and is remembered;
// it is prepared once the transaction has ended (prepareMissed).
type stmtCache struct {
	db     *sql.DB
	mu     sync.RWMutex
	m      map[string]*sql.Stmt
	missed map[string]bool
}

func newStmtCache(db *sql.DB) *stmtCache {
	return &stmtCache{db: db, m: make(map[string]*sql.Stmt), missed: make(map[string]bool)}
}

// get returns the statement for query. On a miss it prepares it, when prepare is true, or
// remembers it for prepareMissed. It returns nil when the cache is nil or full, or the query
// does not prepare: the caller then runs it unprepared (and sees any error).
func (c *stmtCache) get(ctx context.Context, query string, prepare bool) *sql.Stmt {
	if c == nil {
		return nil
	}
	c.mu.RLock()
	stmt, ok := c.m[query]
	full := len(c.m)+len(c.missed) >= maxStmts
	c.mu.RUnlock()
	if ok || full {
		return stmt
	}
	if !prepare {
		c.mu.Lock()
		c.missed[query] = true
		c.mu.Unlock()
		return nil
	}
	return c.prepare(ctx, query)
}

// prepare prepares query, without holding the lock while it waits for a connection.
func (c *stmtCache) prepare(ctx context.Context, query string) *sql.Stmt {
	stmt, err := c.db.PrepareContext(ctx, query)
	if err != nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil { // closed meanwhile
		stmt.Close()
		return nil
	}
	if old, ok := c.m[query]; ok {
		stmt.Close()
		return old
	}
	c.m[query] = stmt
	return stmt
}

// prepareMissed prepares the queries that ran unprepared inside transactions.
func (c *stmtCache) prepareMissed(ctx context.Context) {
	if c == nil {
		return
	}
	c.mu.Lock()
	if len(c.missed) == 0 {
		c.mu.Unlock()
		return
	}
	queries := make([]string, 0, len(c.missed))
	for q := range c.missed {
		queries = append(queries, q)
	}
	clear(c.missed)
	c.mu.Unlock()
	for _, q := range queries {
		c.prepare(context.WithoutCancel(ctx), q)
	}
}

func (c *stmtCache) close() {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, stmt := range c.m {
		stmt.Close()
	}
	c.m = nil
}

// prepared runs a prepared statement through the queryer interface; the query text is ignored.
type prepared struct{ stmt *sql.Stmt }

func (p prepared) ExecContext(ctx context.Context, _ string, args ...any) (sql.Result, error) {
	return p.stmt.ExecContext(ctx, args...)
}

func (p prepared) QueryContext(ctx context.Context, _ string, args ...any) (*sql.Rows, error) {
	return p.stmt.QueryContext(ctx, args...)
}

func (p prepared) QueryRowContext(ctx context.Context, _ string, args ...any) *sql.Row {
	return p.stmt.QueryRowContext(ctx, args...)
}
