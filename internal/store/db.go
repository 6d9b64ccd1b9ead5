// Package store keeps Helpdesk's data in SQLite (the embedded default) or PostgreSQL.
//
// The SQL is written once where the two databases agree ($1..$n placeholders work on both);
// only what differs (schema DDL, upserts, error codes) is chosen per dialect. Every write
// happens inside Tx, so a request's writes commit together or not at all.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
	_ "modernc.org/sqlite"             // the "sqlite" database/sql driver
)

// Dialect names the database behind a DB.
type Dialect string

// The supported databases.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// DB is an open database. SQLite gets one writer connection and a pool of readers;
// PostgreSQL one pool for both.
type DB struct {
	write   *sql.DB
	read    *sql.DB
	dialect Dialect
	log     *slog.Logger
	// Prepared statements for SQLite, whose driver otherwise compiles every query anew (about a
	// third of the time a write holds the single writer). pgx caches statements itself.
	writeStmts, readStmts *stmtCache
	// watchers hear of this process's committed changes (changes.go).
	watchers watchers
}

// Open connects to url: "sqlite:PATH" or a "postgres://" URL. It does not migrate.
func Open(ctx context.Context, url string, log *slog.Logger) (*DB, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	db := &DB{log: log}
	switch {
	case strings.HasPrefix(url, "sqlite:"):
		path := strings.TrimPrefix(url, "sqlite:")
		path = strings.TrimPrefix(path, "//")
		if path == "" {
			return nil, errors.New("store: sqlite URL needs a path, as in sqlite:helpdesk.db")
		}
		pragmas := "_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)"
		w, err := sql.Open("sqlite", "file:"+path+"?"+pragmas+"&_txlock=immediate")
		if err != nil {
			return nil, fmt.Errorf("store: open sqlite: %w", err)
		}
		w.SetMaxOpenConns(1) // SQLite has one writer; queueing here beats SQLITE_BUSY.
		w.SetMaxIdleConns(1)
		w.SetConnMaxLifetime(0)
		r, err := sql.Open("sqlite", "file:"+path+"?"+pragmas+"&_pragma=query_only(1)")
		if err != nil {
			w.Close()
			return nil, fmt.Errorf("store: open sqlite: %w", err)
		}
		n := max(4, runtime.NumCPU())
		r.SetMaxOpenConns(n)
		r.SetMaxIdleConns(n)
		db.write, db.read, db.dialect = w, r, SQLite
		db.writeStmts, db.readStmts = newStmtCache(w), newStmtCache(r)
	case strings.HasPrefix(url, "postgres://"), strings.HasPrefix(url, "postgresql://"):
		p, err := sql.Open("pgx", url)
		if err != nil {
			return nil, fmt.Errorf("store: open postgres: %w", err)
		}
		p.SetMaxOpenConns(max(8, 4*runtime.NumCPU()))
		p.SetMaxIdleConns(max(8, 4*runtime.NumCPU()))
		p.SetConnMaxIdleTime(5 * time.Minute)
		db.write, db.read, db.dialect = p, p, Postgres
	default:
		return nil, fmt.Errorf("store: unsupported database URL %q: use sqlite:PATH or postgres://", redact(url))
	}
	if err := db.Ping(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// redact hides a password in a URL for error messages.
func redact(url string) string {
	at := strings.LastIndex(url, "@")
	scheme := strings.Index(url, "://")
	if at < 0 || scheme < 0 {
		return url
	}
	return url[:scheme+3] + "…" + url[at:]
}

// Dialect tells which database this is.
func (db *DB) Dialect() Dialect { return db.dialect }

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.write.PingContext(ctx); err != nil {
		return fmt.Errorf("store: ping: %w", err)
	}
	if db.read != db.write {
		if err := db.read.PingContext(ctx); err != nil {
			return fmt.Errorf("store: ping: %w", err)
		}
	}
	return nil
}

// Close closes every connection.
func (db *DB) Close() error {
	db.writeStmts.close()
	db.readStmts.close()
	err := db.write.Close()
	if db.read != db.write {
		err = errors.Join(err, db.read.Close())
	}
	return err
}

// queryer is what both *sql.DB and *sql.Tx offer.
type queryer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Q runs queries: on the read pool (from Read) or inside a transaction (Tx embeds it).
type Q struct {
	q       queryer
	dialect Dialect
	stmts   *stmtCache // nil: no statement cache
	tx      *sql.Tx    // set inside a transaction
}

// Read returns a Q on the read pool. Writes through it fail on SQLite.
func (db *DB) Read() *Q { return &Q{q: db.read, dialect: db.dialect, stmts: db.readStmts} }

// Tx is one write transaction.
type Tx struct {
	*Q
	tx      *sql.Tx
	changes changeSet // the conversations and tickets it changes (changes.go)
}

// Tx runs fn in one write transaction, committed when fn returns nil and rolled back otherwise.
func (db *DB) Tx(ctx context.Context, fn func(tx *Tx) error) error {
	sqlTx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: begin: %w", translate(err))
	}
	tx := &Tx{Q: &Q{q: sqlTx, dialect: db.dialect, stmts: db.writeStmts, tx: sqlTx}, tx: sqlTx}
	defer db.writeStmts.prepareMissed(ctx)
	err = fn(tx)
	if err == nil {
		err = tx.recordChanges(ctx) // the change log (changes.go), as late as can be
	}
	if err != nil {
		_ = sqlTx.Rollback()
		return err
	}
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("store: commit: %w", translate(err))
	}
	db.committed(ctx, tx.changes) // changes.go: open pages learn of it
	return nil
}

// on returns what runs query: a cached prepared statement where there is one, else q's
// connection or transaction.
func (q *Q) on(ctx context.Context, query string) queryer {
	stmt := q.stmts.get(ctx, query, q.tx == nil)
	if stmt == nil {
		return q.q
	}
	if q.tx != nil {
		stmt = q.tx.StmtContext(ctx, stmt) // reuses the statement prepared on the tx's connection
	}
	return prepared{stmt}
}

func (q *Q) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	res, err := q.on(ctx, query).ExecContext(ctx, query, args...)
	return res, translate(err)
}

// insert runs an INSERT ... RETURNING id and returns the id.
func (q *Q) insert(ctx context.Context, query string, args ...any) (int64, error) {
	var id int64
	query += " RETURNING id"
	err := q.on(ctx, query).QueryRowContext(ctx, query, args...).Scan(&id)
	return id, translate(err)
}

func (q *Q) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	rows, err := q.on(ctx, query).QueryContext(ctx, query, args...)
	return rows, translate(err)
}

func (q *Q) row(ctx context.Context, query string, args ...any) *sql.Row {
	return q.on(ctx, query).QueryRowContext(ctx, query, args...)
}

// collect reads every row with scan.
func collect[T any](rows *sql.Rows, scan func(*sql.Rows) (T, error)) ([]T, error) {
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, translate(err)
		}
		out = append(out, v)
	}
	return out, translate(rows.Err())
}

// Unix turns a time into the Unix seconds the database stores.
func Unix(t time.Time) int64 { return t.Unix() }

// nullInt turns 0 into NULL.
func nullInt(v int64) sql.NullInt64 { return sql.NullInt64{Int64: v, Valid: v != 0} }

// prefixed qualifies each column in a comma-separated list with prefix, as in "a.id, a.name".
func prefixed(prefix, columns string) string {
	cols := strings.Split(columns, ",")
	for i, c := range cols {
		cols[i] = prefix + strings.TrimSpace(c)
	}
	return strings.Join(cols, ", ")
}
