// Package storetest gives tests a fresh, migrated database: SQLite in a temporary directory, or,
// when HELPDESK_TEST_DATABASE_URL names a PostgreSQL server, a schema of its own there, dropped
// when the test ends. The same tests thus run on both databases.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/helpdesk/helpdesk/internal/store"
)

// EnvURL is the variable naming the PostgreSQL server for tests.
const EnvURL = "HELPDESK_TEST_DATABASE_URL"

// URL returns a database URL for a fresh database, and arranges its removal.
func URL(t testing.TB) string {
	t.Helper()
	pg := os.Getenv(EnvURL)
	if pg == "" {
		return "sqlite:" + filepath.Join(t.TempDir(), "helpdesk.db")
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	schema := "test_" + hex.EncodeToString(b)
	admin, err := sql.Open("pgx", pg)
	if err != nil {
		t.Fatalf("storetest: %v", err)
	}
	if _, err := admin.Exec(`CREATE SCHEMA ` + schema); err != nil {
		admin.Close()
		t.Fatalf("storetest: create schema (is PostgreSQL at %s up?): %v", EnvURL, err)
	}
	t.Cleanup(func() {
		defer admin.Close()
		if _, err := admin.Exec(`DROP SCHEMA ` + schema + ` CASCADE`); err != nil {
			t.Logf("storetest: drop schema %s: %v", schema, err)
		}
	})
	u, err := url.Parse(pg)
	if err != nil {
		t.Fatalf("storetest: %s: %v", EnvURL, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// Open returns a fresh, migrated database, closed when the test ends.
func Open(t testing.TB) *store.DB {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, URL(t), nil)
	if err != nil {
		t.Fatalf("storetest: open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		t.Fatalf("storetest: migrate: %v", err)
	}
	return db
}
