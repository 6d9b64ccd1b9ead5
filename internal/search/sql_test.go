package search

import (
	"encoding/json"
	"fmt"
	"testing"
)

func TestWhere(t *testing.T) {
	const exists = "EXISTS (SELECT 1 FROM conv_contacts x WHERE x.conversation_id = c.id AND x.contact_id "
	tests := []struct {
		query, sql string
		args       []any
	}{
		{`{"field":"source.subject","operator":"=","value":"Hi"}`, "LOWER(c.subject) = LOWER($2)", []any{"Hi"}},
		{`{"field":"source.subject","operator":"!=","value":"Hi"}`, "(c.subject IS NULL OR NOT (LOWER(c.subject) = LOWER($2)))", []any{"Hi"}},
		{`{"field":"source.subject","operator":"IN","value":["a","b"]}`, "LOWER(c.subject) IN (LOWER($2), LOWER($3))", []any{"a", "b"}},
		{`{"field":"source.subject","operator":"~","value":"50%_a\\b"}`, `LOWER(c.subject) LIKE LOWER($2) ESCAPE '\'`, []any{`%50\%\_a\\b%`}},
		{`{"field":"source.subject","operator":"!~","value":"x"}`, `(c.subject IS NULL OR NOT (LOWER(c.subject) LIKE LOWER($2) ESCAPE '\'))`, []any{"%x%"}},
		{`{"field":"source.subject","operator":"^","value":"x"}`, `LOWER(c.subject) LIKE LOWER($2) ESCAPE '\'`, []any{"x%"}},
		{`{"field":"source.subject","operator":"$","value":"x"}`, `LOWER(c.subject) LIKE LOWER($2) ESCAPE '\'`, []any{"%x"}},
		{`{"field":"source.subject","operator":"=","value":null}`, "c.subject IS NULL", []any{}},
		{`{"field":"source.subject","operator":"!=","value":null}`, "c.subject IS NOT NULL", []any{}},
		{`{"field":"state","operator":"=","value":"Open"}`, "c.state = $2", []any{"open"}},
		{`{"field":"state","operator":"NIN","value":["open","closed"]}`, "(c.state IS NULL OR NOT (c.state IN ($2, $3)))", []any{"open", "closed"}},
		{`{"field":"admin_assignee_id","operator":">=","value":"5"}`, "c.assignee >= $2", []any{int64(5)}},
		{`{"field":"open","operator":"=","value":"true"}`, "c.open = $2", []any{true}},
		{`{"field":"contact_ids","operator":"=","value":"7"}`, exists + "= $2)", []any{int64(7)}},
		{`{"field":"contact_ids","operator":"!=","value":7}`, "NOT (" + exists + "= $2))", []any{int64(7)}},
		{`{"field":"contact_ids","operator":"NIN","value":[7,8]}`, "NOT (" + exists + "IN ($2, $3)))", []any{int64(7), int64(8)}},
		{`{"field":"contact_ids","operator":"=","value":null}`, "NOT (" + exists + "IS NOT NULL))", []any{}},
		{`{"field":"contact_ids","operator":"!=","value":null}`, exists + "IS NOT NULL)", []any{}},
		// 1577869200 is 2020-01-01 09:00 UTC, 11:00 in UTC+2.
		{`{"field":"contact.created_at","operator":"=","value":1577869200}`, "c.created_at BETWEEN $2 AND $3", []any{int64(1577829600), int64(1577916000 - 1)}},
		{`{"field":"contact.created_at","operator":">","value":1577869200}`, "c.created_at >= $2", []any{int64(1577916000)}},
		{`{"field":"contact.created_at","operator":"<","value":1577869200}`, "c.created_at < $2", []any{int64(1577829600)}},
		{`{"field":"created_day","operator":"NIN","value":[1577869200,1577923300]}`,
			"(c.created_at IS NULL OR NOT ((c.created_at BETWEEN $2 AND $3 OR c.created_at BETWEEN $4 AND $5)))",
			[]any{int64(1577836800), int64(1577923199), int64(1577923200), int64(1578009599)}},
		{`{"operator":"OR","value":[{"operator":"AND","value":[{"field":"state","operator":"=","value":"open"},{"field":"open","operator":"=","value":true}]},{"field":"id","operator":"=","value":"3"}]}`,
			"((c.state = $2 AND c.open = $3) OR c.id = $4)", []any{"open", true, int64(3)}},
		{`{"operator":"AND","value":[{"field":"id","operator":"=","value":"3"}]}`, "c.id = $2", []any{int64(3)}},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			q, err := Parse(json.RawMessage(tt.query), testFields())
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			args := []any{"caller's own"}
			if got := q.Where(&args); got != tt.sql {
				t.Errorf("Where =\n\t%s\nwant\n\t%s", got, tt.sql)
			}
			want := append([]any{"caller's own"}, tt.args...)
			if fmt.Sprintf("%#v", args) != fmt.Sprintf("%#v", want) {
				t.Errorf("args = %#v; want %#v", args, want)
			}
		})
	}
}

func TestWhereNil(t *testing.T) {
	var q *Query
	var args []any
	if got := q.Where(&args); got != "1=1" || len(args) != 0 {
		t.Errorf("nil Where = %q, %v; want 1=1 and no args", got, args)
	}
}
