package search

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"slices"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite"
)

// The rows every database test searches. Times: 1577869200 is 2020-01-01
// 09:00 UTC, 1577836800 is 2020-01-01 00:00 UTC, 1577923200 is 2020-01-02
// 00:00 UTC and 1577829600 is 2019-12-31 22:00 UTC (midnight in UTC+2).
const testSchema = `
CREATE TABLE conv (
    id         BIGINT PRIMARY KEY,
    state      TEXT    NOT NULL,
    subject    TEXT,
    assignee   BIGINT,
    created_at BIGINT  NOT NULL,
    open       BOOLEAN NOT NULL,
    priority   TEXT    NOT NULL
);
CREATE TABLE conv_contacts (
    conversation_id BIGINT NOT NULL REFERENCES conv (id),
    contact_id      BIGINT NOT NULL,
    PRIMARY KEY (conversation_id, contact_id)
)`

type testRow struct {
	id       int64
	state    string
	subject  any
	assignee any
	created  int64
	open     bool
	priority string
	contacts []int64
}

var testRows = []testRow{
	{1, "open", "Need support now", int64(5), 1577869200, true, "high", []int64{10, 11}},
	{2, "closed", `50% off_sale c:\temp`, nil, 1577836800, false, "normal", []int64{11}},
	{3, "snoozed", nil, int64(7), 1577923200, true, "normal", nil},
	{4, "open", "REFUND please", int64(5), 1577829600, true, "high", []int64{12}},
}

var matchTests = []struct {
	query string
	ids   []int64
}{
	{`{"field":"state","operator":"=","value":"open"}`, []int64{1, 4}},
	{`{"field":"state","operator":"=","value":"OPEN"}`, []int64{1, 4}},
	{`{"field":"state","operator":"!=","value":"open"}`, []int64{2, 3}},
	{`{"field":"state","operator":"IN","value":["closed","snoozed"]}`, []int64{2, 3}},
	{`{"field":"state","operator":"NIN","value":["closed","snoozed"]}`, []int64{1, 4}},

	{`{"field":"source.subject","operator":"=","value":"refund PLEASE"}`, []int64{4}},
	{`{"field":"source.subject","operator":"!=","value":"refund please"}`, []int64{1, 2, 3}},
	{`{"field":"source.subject","operator":"IN","value":["need support now","x"]}`, []int64{1}},
	{`{"field":"source.subject","operator":"~","value":"SUPPORT"}`, []int64{1}},
	{`{"field":"source.subject","operator":"~","value":"%"}`, []int64{2}},
	{`{"field":"source.subject","operator":"~","value":"_"}`, []int64{2}},
	{`{"field":"source.subject","operator":"~","value":"\\"}`, []int64{2}},
	{`{"field":"source.subject","operator":"~","value":"c:\\t"}`, []int64{2}},
	{`{"field":"source.subject","operator":"~","value":"f%s"}`, nil},
	{`{"field":"source.subject","operator":"!~","value":"support"}`, []int64{2, 3, 4}},
	{`{"field":"source.subject","operator":"^","value":"need"}`, []int64{1}},
	{`{"field":"source.subject","operator":"^","value":"support"}`, nil},
	{`{"field":"source.subject","operator":"$","value":"PLEASE"}`, []int64{4}},
	{`{"field":"source.subject","operator":"=","value":null}`, []int64{3}},
	{`{"field":"source.subject","operator":"!=","value":null}`, []int64{1, 2, 4}},

	// Words: = matches one word of the text, whatever surrounds it, as Intercom's source.body.
	{`{"field":"source.body","operator":"=","value":"SUPPORT"}`, []int64{1}},
	{`{"field":"source.body","operator":"=","value":"sup"}`, nil},
	{`{"field":"source.body","operator":"=","value":"refund"}`, []int64{4}},
	{`{"field":"source.body","operator":"=","value":"temp"}`, []int64{2}},
	{`{"field":"source.body","operator":"!=","value":"support"}`, []int64{2, 3, 4}},
	{`{"field":"source.body","operator":"IN","value":["please","now"]}`, []int64{1, 4}},
	{`{"field":"source.body","operator":"~","value":"sup"}`, []int64{1}},

	{`{"field":"admin_assignee_id","operator":"=","value":5}`, []int64{1, 4}},
	{`{"field":"admin_assignee_id","operator":"=","value":"5"}`, []int64{1, 4}},
	{`{"field":"admin_assignee_id","operator":"!=","value":5}`, []int64{2, 3}},
	{`{"field":"admin_assignee_id","operator":"IN","value":[5,"7"]}`, []int64{1, 3, 4}},
	{`{"field":"admin_assignee_id","operator":"NIN","value":[5]}`, []int64{2, 3}},
	{`{"field":"admin_assignee_id","operator":">","value":5}`, []int64{3}},
	{`{"field":"admin_assignee_id","operator":">=","value":5}`, []int64{1, 3, 4}},
	{`{"field":"admin_assignee_id","operator":"<","value":7}`, []int64{1, 4}},
	{`{"field":"admin_assignee_id","operator":"<=","value":7}`, []int64{1, 3, 4}},
	{`{"field":"admin_assignee_id","operator":"=","value":null}`, []int64{2}},

	{`{"field":"created_at","operator":">","value":"1577836800"}`, []int64{1, 3}},
	{`{"field":"created_at","operator":">=","value":1577836800}`, []int64{1, 2, 3}},
	{`{"field":"created_at","operator":"<","value":1577869200}`, []int64{2, 4}},
	{`{"field":"created_at","operator":"<=","value":1577869200}`, []int64{1, 2, 4}},
	{`{"field":"created_at","operator":"=","value":1577836800}`, []int64{2}},
	{`{"field":"created_at","operator":"!=","value":1577836800}`, []int64{1, 3, 4}},

	{`{"field":"open","operator":"=","value":true}`, []int64{1, 3, 4}},
	{`{"field":"open","operator":"=","value":"false"}`, []int64{2}},
	{`{"field":"open","operator":"!=","value":true}`, []int64{2}},
	{`{"field":"open","operator":"IN","value":[true,false]}`, []int64{1, 2, 3, 4}},

	{`{"field":"id","operator":"IN","value":["1",3]}`, []int64{1, 3}},
	{`{"field":"priority","operator":"=","value":"priority"}`, []int64{1, 4}},
	{`{"field":"priority","operator":"NIN","value":["priority"]}`, []int64{2, 3}},

	{`{"field":"contact_ids","operator":"=","value":"11"}`, []int64{1, 2}},
	{`{"field":"contact_ids","operator":"=","value":10}`, []int64{1}},
	{`{"field":"contact_ids","operator":"!=","value":11}`, []int64{3, 4}},
	{`{"field":"contact_ids","operator":"IN","value":[10,12]}`, []int64{1, 4}},
	{`{"field":"contact_ids","operator":"NIN","value":[10,12]}`, []int64{2, 3}},
	{`{"field":"contact_ids","operator":"=","value":null}`, []int64{3}},
	{`{"field":"contact_ids","operator":"!=","value":null}`, []int64{1, 2, 4}},

	// The day of 2020-01-01 09:00 UTC in UTC+2 runs from 2019-12-31 22:00 UTC.
	{`{"field":"contact.created_at","operator":"=","value":1577869200}`, []int64{1, 2, 4}},
	{`{"field":"contact.created_at","operator":">","value":1577869200}`, []int64{3}},
	{`{"field":"contact.created_at","operator":"<","value":1577869200}`, nil},
	{`{"field":"contact.created_at","operator":"<","value":1577923200}`, []int64{1, 2, 4}},
	{`{"field":"created_day","operator":"=","value":1577869200}`, []int64{1, 2}},
	{`{"field":"created_day","operator":"!=","value":1577869200}`, []int64{3, 4}},
	{`{"field":"created_day","operator":"IN","value":[1577869200,1577923300]}`, []int64{1, 2, 3}},
	{`{"field":"created_day","operator":"NIN","value":[1577869200,1577923300]}`, []int64{4}},
	{`{"field":"created_day","operator":"<=","value":1577836800}`, []int64{1, 2, 4}},
	{`{"field":"created_day","operator":">=","value":1577869200}`, []int64{1, 2, 3}},

	{`{"operator":"OR","value":[
		{"operator":"AND","value":[{"field":"state","operator":"=","value":"open"},{"field":"admin_assignee_id","operator":"=","value":5}]},
		{"operator":"AND","value":[{"field":"contact_ids","operator":"=","value":11},{"field":"open","operator":"=","value":false}]}]}`,
		[]int64{1, 2, 4}},
	{`{"operator":"AND","value":[
		{"operator":"OR","value":[{"field":"state","operator":"=","value":"open"},{"field":"state","operator":"=","value":"snoozed"}]},
		{"operator":"OR","value":[{"field":"source.subject","operator":"~","value":"refund"},{"field":"source.subject","operator":"=","value":null}]}]}`,
		[]int64{3, 4}},
}

func TestMatchSQLite(t *testing.T) {
	db, err := sql.Open("sqlite", ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1) // every connection has its own in-memory database
	testMatch(t, db)
}

func TestMatchPostgres(t *testing.T) {
	dsn := os.Getenv("HELPDESK_TEST_DATABASE_URL")
	if dsn == "" {
		t.Skip("HELPDESK_TEST_DATABASE_URL is not set")
	}
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	schema := fmt.Sprintf("search_test_%d_%d", os.Getpid(), time.Now().UnixNano())
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		t.Fatal(err)
	}
	defer func() {
		if _, err := admin.Exec("DROP SCHEMA " + schema + " CASCADE"); err != nil {
			t.Errorf("drop schema: %v", err)
		}
	}()

	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	params := u.Query()
	params.Set("search_path", schema) // sent as a run-time parameter on every connection
	u.RawQuery = params.Encode()
	db, err := sql.Open("pgx", u.String())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	testMatch(t, db)
}

func testMatch(t *testing.T, db *sql.DB) {
	t.Helper()
	if _, err := db.Exec(testSchema); err != nil { // two statements: no arguments, so both drivers take them
		t.Fatalf("schema: %v", err)
	}
	for _, r := range testRows {
		if _, err := db.Exec(`INSERT INTO conv (id, state, subject, assignee, created_at, open, priority)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, r.id, r.state, r.subject, r.assignee, r.created, r.open, r.priority); err != nil {
			t.Fatal(err)
		}
		for _, c := range r.contacts {
			if _, err := db.Exec(`INSERT INTO conv_contacts (conversation_id, contact_id) VALUES ($1, $2)`, r.id, c); err != nil {
				t.Fatal(err)
			}
		}
	}

	fields := testFields()
	for _, tt := range matchTests {
		t.Run(tt.query, func(t *testing.T) {
			q, err := Parse(json.RawMessage(tt.query), fields)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			// A condition of the caller's own comes first, to check numbering.
			args := []any{int64(0)}
			where := "c.id > $1 AND " + q.Where(&args)
			rows, err := db.Query("SELECT c.id FROM conv c WHERE "+where+" ORDER BY c.id", args...)
			if err != nil {
				t.Fatalf("query %s %v: %v", where, args, err)
			}
			defer rows.Close()
			var ids []int64
			for rows.Next() {
				var id int64
				if err := rows.Scan(&id); err != nil {
					t.Fatal(err)
				}
				ids = append(ids, id)
			}
			if err := rows.Err(); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(ids, tt.ids) {
				t.Errorf("%s %v\nmatched %v; want %v", where, args, ids, tt.ids)
			}
		})
	}
}
