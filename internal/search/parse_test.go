package search

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestParseErrors(t *testing.T) {
	filters := func(n int) string {
		f := make([]string, n)
		for i := range f {
			f[i] = `{"field":"open","operator":"=","value":true}`
		}
		return strings.Join(f, ",")
	}
	ints := func(n int) string {
		v := make([]string, n)
		for i := range v {
			v[i] = fmt.Sprint(i)
		}
		return strings.Join(v, ",")
	}
	tests := []struct {
		name, query, field, message string
	}{
		{"missing", ``, "query", "is required"},
		{"null", `null`, "query", "is required"},
		{"not an object", `[]`, "query", "must be an object"},
		{"string", `"state = open"`, "query", "must be an object"},
		{"unknown field", `{"field":"nope","operator":"=","value":1}`, "query.field", `"nope" is not a searchable field`},
		{"field not a string", `{"field":5,"operator":"=","value":1}`, "query.field", "must be the name of a field"},
		{"empty field", `{"field":"","operator":"=","value":1}`, "query.field", "must be the name of a field"},
		{"no operator", `{"field":"state","value":"open"}`, "query.operator", "is required"},
		{"operator not a string", `{"field":"state","operator":5,"value":"open"}`, "query.operator", "must be a string"},
		{"no field", `{"operator":"=","value":"open"}`, "query.field", "is required"},
		{"unknown group operator", `{"operator":"XOR","value":[]}`, "query.operator", "must be AND or OR"},
		{"unknown operator", `{"field":"state","operator":"LIKE","value":"x"}`, "query.operator", `"LIKE" is not an operator`},
		{"group operator on a filter", `{"field":"state","operator":"AND","value":[]}`, "query.operator", "combines filters"},
		{"no value", `{"field":"state","operator":"="}`, "query.value", "is required"},
		{"group without value", `{"operator":"AND"}`, "query.value", "is required"},
		{"group value not a list", `{"operator":"AND","value":{"field":"open","operator":"=","value":true}}`, "query.value", "must be a list"},
		{"empty group", `{"operator":"OR","value":[]}`, "query.value", "at least one"},
		{"group too big", `{"operator":"AND","value":[` + filters(16) + `]}`, "query.value", "at most 15"},
		{"nested too deep", `{"operator":"AND","value":[{"operator":"OR","value":[{"operator":"AND","value":[` + filters(1) + `]}]}]}`,
			"query.value[0].value[0]", "nested at most 2 deep"},
		{"member not an object", `{"operator":"AND","value":[` + filters(1) + `,7]}`, "query.value[1]", "must be an object"},
		{"member error path", `{"operator":"OR","value":[{"field":"state","operator":"=","value":"open"},{"field":"state","operator":">","value":"x"}]}`,
			"query.value[1].operator", `">" is not allowed for string field "state"`},
		{"nested member error path", `{"operator":"AND","value":[` + filters(1) + `,{"operator":"OR","value":[` + filters(2) + `,{"field":"x","operator":"=","value":1}]}]}`,
			"query.value[1].value[2].field", `"x" is not a searchable field`},
		{"contains on a date", `{"field":"created_at","operator":"~","value":"1"}`, "query.operator", "not allowed"},
		{"greater on a string", `{"field":"source.subject","operator":">","value":"a"}`, "query.operator", "not allowed"},
		{"greater on a boolean", `{"field":"open","operator":">","value":true}`, "query.operator", "not allowed"},
		{"contains on a Values field", `{"field":"state","operator":"~","value":"op"}`, "query.operator", "not allowed"},
		{"contains on a Many field", `{"field":"contact_ids","operator":"~","value":"1"}`, "query.operator", "not allowed"},
		{"operators override", `{"field":"contact.created_at","operator":"!=","value":1}`, "query.operator", "it accepts = < >"},
		{"string for an integer", `{"field":"admin_assignee_id","operator":"=","value":"abc"}`, "query.value", "must be an integer"},
		{"fraction for an integer", `{"field":"admin_assignee_id","operator":"=","value":1.5}`, "query.value", "must be an integer"},
		{"boolean for an integer", `{"field":"admin_assignee_id","operator":"=","value":true}`, "query.value", "must be an integer"},
		{"string for a date", `{"field":"created_at","operator":">","value":"foorbar"}`, "query.value", "Unix seconds"},
		{"bad id", `{"field":"id","operator":"=","value":"12a"}`, "query.value", "must be an id"},
		{"bad boolean", `{"field":"open","operator":"=","value":"yes"}`, "query.value", "true or false"},
		{"number for a boolean", `{"field":"open","operator":"=","value":1}`, "query.value", "true or false"},
		{"object for a string", `{"field":"source.subject","operator":"=","value":{}}`, "query.value", "must be a string"},
		{"boolean for a string", `{"field":"source.subject","operator":"=","value":false}`, "query.value", "must be a string"},
		{"not in Values", `{"field":"state","operator":"=","value":"pending"}`, "query.value", "must be one of open, closed, snoozed"},
		{"Map refuses", `{"field":"priority","operator":"=","value":"urgent"}`, "query.value", "must be priority or not_priority"},
		{"IN without a list", `{"field":"state","operator":"IN","value":"open"}`, "query.value", "must be a list"},
		{"IN empty", `{"field":"state","operator":"NIN","value":[]}`, "query.value", "at least one value"},
		{"IN too long", `{"field":"id","operator":"IN","value":[` + ints(101) + `]}`, "query.value", "at most 100"},
		{"IN bad member", `{"field":"admin_assignee_id","operator":"IN","value":[1,"x"]}`, "query.value[1]", "must be an integer"},
		{"IN null member", `{"field":"state","operator":"IN","value":["open",null]}`, "query.value[1]", "must be a string"},
		{"list for =", `{"field":"state","operator":"=","value":["open"]}`, "query.value", "use IN or NIN"},
		{"null with >", `{"field":"created_at","operator":">","value":null}`, "query.value", "only allowed with = and !="},
		{"null with IN", `{"field":"state","operator":"IN","value":null}`, "query.value", "only allowed with = and !="},
		{"null with ~", `{"field":"source.subject","operator":"~","value":null}`, "query.value", "only allowed with = and !="},
		{"bad JSON", `{"field":"state","operator":"=","value":}`, "query", "must be an object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, err := Parse(json.RawMessage(tt.query), testFields())
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Parse = %v, %v; want *Error", q, err)
			}
			if e.Field != tt.field || !strings.Contains(e.Message, tt.message) {
				t.Errorf("Parse error = %q: %q; want %q: …%q…", e.Field, e.Message, tt.field, tt.message)
			}
		})
	}
}

func TestParseAccepts(t *testing.T) {
	filters := func(n int) string {
		f := make([]string, n)
		for i := range f {
			f[i] = `{"field":"open","operator":"=","value":true}`
		}
		return strings.Join(f, ",")
	}
	tests := []struct {
		name, query string
		args        []any
	}{
		{"Intercom's example", `{"operator":"AND","value":[{"field":"created_at","operator":">","value":"1306054154"}]}`, []any{int64(1306054154)}},
		{"date as a number", `{"field":"created_at","operator":"<=","value":1306054154}`, []any{int64(1306054154)}},
		{"exponent", `{"field":"admin_assignee_id","operator":"=","value":1e3}`, []any{int64(1000)}},
		{"id as a string", `{"field":"id","operator":"IN","value":["1",2]}`, []any{int64(1), int64(2)}},
		{"boolean string", `{"field":"open","operator":"=","value":"False"}`, []any{false}},
		{"number for a string", `{"field":"source.subject","operator":"=","value":123}`, []any{"123"}},
		{"Values canonical spelling", `{"field":"state","operator":"IN","value":["OPEN","Closed"]}`, []any{"open", "closed"}},
		{"Map", `{"field":"priority","operator":"!=","value":"not_priority"}`, []any{"normal"}},
		{"lower-case words", `{"operator":"or","value":[{"field":"state","operator":"nin","value":["open"]}]}`, []any{"open"}},
		{"null", `{"field":"source.subject","operator":"!=","value":null}`, nil},
		{"unknown members ignored", `{"field":"open","operator":"=","value":true,"extra":1}`, []any{true}},
		{"15 filters at depth 2", `{"operator":"AND","value":[{"operator":"OR","value":[` + filters(15) + `]}]}`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, err := Parse(json.RawMessage(tt.query), testFields())
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			var args []any
			q.Where(&args)
			if tt.args != nil && fmt.Sprintf("%#v", args) != fmt.Sprintf("%#v", tt.args) {
				t.Errorf("args = %#v; want %#v", args, tt.args)
			}
		})
	}
}

func TestFieldsValidate(t *testing.T) {
	if err := testFields().Validate(); err != nil {
		t.Fatalf("testFields: %v", err)
	}
	bad := []Field{
		{Kind: String},
		{Kind: String, Column: "c.a", Many: "EXISTS (%s)"},
		{Kind: ID, Many: "EXISTS (SELECT 1 FROM t WHERE t.a LIKE 'x%' AND t.b %s)"},
		{Kind: ID, Many: "EXISTS (SELECT 1 FROM t)"},
		{Kind: Kind(9), Column: "c.a"},
		{Kind: Integer, Column: "c.a", Day: nil, Operators: []string{"~"}},
		{Kind: String, Column: "c.a", Operators: []string{">"}},
		{Kind: String, Column: "c.a", Operators: []string{"LIKE"}},
		{Kind: String, Many: "EXISTS (%s)", Operators: []string{"^"}},
		{Kind: Integer, Column: "c.a", Day: testFields()["created_day"].Day},
	}
	for i, f := range bad {
		if err := (Fields{"f": f}).Validate(); err == nil {
			t.Errorf("bad[%d]: Validate = nil; want an error", i)
		}
	}
}
