package store

import (
	"database/sql"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Errors callers can test for with errors.Is. Driver errors are translated into these so that
// no caller needs to know which database answered.
var (
	ErrNotFound = errors.New("not found")
	ErrConflict = errors.New("conflict") // a unique key already holds the value
	ErrInUse    = errors.New("in use")   // a row is still referenced
	// ErrBadText is text the database cannot store (NUL, or bytes that are not UTF-8); the API
	// refuses such input before it gets here, and this keeps a slip from being a 500.
	ErrBadText = errors.New("text the database cannot store")
)

func translate(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return fmt.Errorf("%w: %v", ErrConflict, err)
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			return fmt.Errorf("%w: %v", ErrInUse, err)
		}
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "23505":
			return fmt.Errorf("%w: %v", ErrConflict, err)
		case "23503":
			return fmt.Errorf("%w: %v", ErrInUse, err)
		case "22021", "22P05":
			return fmt.Errorf("%w: %v", ErrBadText, err)
		}
	}
	return err
}
