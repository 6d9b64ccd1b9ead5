package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/helpdesk/helpdesk/internal/apitest"
	"github.com/helpdesk/helpdesk/internal/ticket"
)

func TestAPI3_TicketBadInputIsAnErrorListAndWritesNothing(t *testing.T) {
	e := apitest.Start(t)
	typ := e.CreateTicketType("Refund", ticket.Customer, nil, tkAttributes...)
	c := e.CreateContact("casey@example.com", "Casey")
	states := tkStates(t, e)
	tk := tkCreate(t, e, typ, c, nil)
	id := apitest.ID(tk)
	conv := tkConversation(t, e, c, "Hello")
	submitted := itoa(states[ticket.Submitted])
	cases := []struct {
		name, method, path string
		body               any
		status             int
		code               string
		mentions           string
	}{
		{"update: malformed JSON", "PUT", "/api/tickets/" + id, `{"open": `, 400, "parameter_invalid", "JSON"},
		{"update: open not a boolean", "PUT", "/api/tickets/" + id, map[string]any{"open": "no"}, 400, "parameter_invalid", "open"},
		{"update: attributes not an object", "PUT", "/api/tickets/" + id, map[string]any{"ticket_attributes": []any{"x"}}, 400, "parameter_invalid", "ticket_attributes"},
		{"update: ticket_state_id not an id", "PUT", "/api/tickets/" + id, map[string]any{"ticket_state_id": "resolved"}, 400, "parameter_invalid", "ticket_state_id"},
		{"update: unknown state", "PUT", "/api/tickets/" + id, map[string]any{"ticket_state_id": "999999"}, 400, "parameter_invalid", "ticket_state_id"},
		{"update: company_id not an id", "PUT", "/api/tickets/" + id, map[string]any{"company_id": "acme"}, 400, "parameter_invalid", "company_id"},
		{"update: snoozed_until as text", "PUT", "/api/tickets/" + id, map[string]any{"snoozed_until": "tomorrow"}, 400, "parameter_invalid", "snoozed_until"},
		{"update: assignee_id not an id", "PUT", "/api/tickets/" + id, map[string]any{"assignee_id": true}, 400, "parameter_invalid", "assignee_id"},
		{"update: unknown assignee", "PUT", "/api/tickets/" + id, map[string]any{"assignee_id": "999999"}, 404, "not_found", "Assignee"},
		{"update: unknown admin", "PUT", "/api/tickets/" + id, map[string]any{"admin_id": 999999, "open": false}, 404, "not_found", "Admin"},
		{"update: unknown ticket", "PUT", "/api/tickets/999999", map[string]any{"open": false}, 404, "not_found", "Ticket"},
		{"update: non-numeric ticket id", "PUT", "/api/tickets/abc", map[string]any{"open": false}, 404, "not_found", "Ticket"},
		{"update: a conversation", "PUT", "/api/tickets/" + conv, map[string]any{"open": false}, 404, "not_found", "Ticket"},
		{"delete: unknown ticket", "DELETE", "/api/tickets/999999", nil, 404, "not_found", "Ticket"},
		{"delete: a conversation", "DELETE", "/api/tickets/" + conv, nil, 404, "not_found", "Ticket"},
		{"change_type: no type", "POST", "/api/tickets/" + id + "/change_type", map[string]any{"ticket_state_id": submitted}, 400, "parameter_not_found", "ticket_type_id"},
		{"change_type: no state", "POST", "/api/tickets/" + id + "/change_type", map[string]any{"ticket_type_id": itoa(typ.ID)}, 400, "parameter_not_found", "ticket_state_id"},
		{"change_type: unknown type", "POST", "/api/tickets/" + id + "/change_type", map[string]any{"ticket_type_id": "999999", "ticket_state_id": submitted}, 404, "not_found", "Ticket type"},
		{"change_type: type not an id", "POST", "/api/tickets/" + id + "/change_type", map[string]any{"ticket_type_id": "refund", "ticket_state_id": submitted}, 400, "parameter_invalid", "ticket_type_id"},
		{"change_type: unknown ticket", "POST", "/api/tickets/999999/change_type", map[string]any{"ticket_type_id": itoa(typ.ID), "ticket_state_id": submitted}, 404, "not_found", "Ticket"},
		{"convert: no type", "POST", "/api/conversations/" + conv + "/convert", map[string]any{}, 400, "parameter_not_found", "ticket_type_id"},
		{"convert: unknown type", "POST", "/api/conversations/" + conv + "/convert", map[string]any{"ticket_type_id": "999999"}, 404, "not_found", "Ticket type"},
		{"convert: bad attribute", "POST", "/api/conversations/" + conv + "/convert", map[string]any{"ticket_type_id": itoa(typ.ID), "attributes": map[string]any{"Priority": "Urgent"}}, 400, "parameter_invalid", "Priority"},
		{"convert: unknown state", "POST", "/api/conversations/" + conv + "/convert", map[string]any{"ticket_type_id": itoa(typ.ID), "ticket_state_id": "999999"}, 400, "parameter_invalid", "ticket_state_id"},
		{"convert: unknown conversation", "POST", "/api/conversations/999999/convert", map[string]any{"ticket_type_id": itoa(typ.ID)}, 404, "not_found", "Conversation"},
		{"convert: a ticket", "POST", "/api/conversations/" + id + "/convert", map[string]any{"ticket_type_id": itoa(typ.ID)}, 404, "not_found", "Conversation"},
		{"search: no query", "POST", "/api/tickets/search", map[string]any{}, 400, "parameter_not_found", "query"},
		{"search: unknown field", "POST", "/api/tickets/search", map[string]any{"query": f("password", "=", "x")}, 400, "parameter_invalid", "password"},
		{"search: bad category", "POST", "/api/tickets/search", map[string]any{"query": f("category", "=", "urgent")}, 400, "parameter_invalid", "category"},
		{"search: bad state", "POST", "/api/tickets/search", map[string]any{"query": f("state", "=", "sleeping")}, 400, "parameter_invalid", "state"},
		{"search: > on a string", "POST", "/api/tickets/search", map[string]any{"query": f("title", ">", "a")}, 400, "parameter_invalid", "operator"},
		{"search: date as text", "POST", "/api/tickets/search", map[string]any{"query": f("created_at", ">", "yesterday")}, 400, "parameter_invalid", "value"},
		{"search: per_page too large", "POST", "/api/tickets/search", map[string]any{"query": f("open", "=", true), "pagination": map[string]any{"per_page": 1000}}, 400, "parameter_invalid", "per_page"},
		{"search: bad cursor", "POST", "/api/tickets/search", map[string]any{"query": f("open", "=", true), "pagination": map[string]any{"starting_after": "nope"}}, 400, "parameter_invalid", "starting_after"},
	}
	before := e.MustDo(http.StatusOK, "GET", "/api/tickets/"+id, nil)
	beforeConv := e.MustDo(http.StatusOK, "GET", "/api/conversations/"+conv, nil)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := e.Do(tc.method, tc.path, tc.body)
			if r.Status != tc.status || r.ErrorCode() != tc.code || !strings.Contains(r.ErrorMessage(), tc.mentions) {
				t.Errorf("%s %s: %d %s, want %d %s naming %q", tc.method, tc.path, r.Status, r.Body, tc.status, tc.code, tc.mentions)
			}
		})
	}
	if after := e.MustDo(http.StatusOK, "GET", "/api/tickets/"+id, nil); apitest.Str(after) != apitest.Str(before) {
		t.Errorf("bad input changed the ticket:\nbefore %s\nafter  %s", apitest.Str(before), apitest.Str(after))
	}
	if after := e.MustDo(http.StatusOK, "GET", "/api/conversations/"+conv, nil); apitest.Str(after) != apitest.Str(beforeConv) {
		t.Errorf("bad input changed the conversation")
	}
}
