package api_test

import (
	"net/http"
	"strconv"
	"testing"

	"github.com/helpdesk/helpdesk/internal/apitest"
	"github.com/helpdesk/helpdesk/internal/store"
	"github.com/helpdesk/helpdesk/internal/ticket"
)

// tkCreate creates a ticket of typ for contact through the API, with extra request members.
func tkCreate(t *testing.T, e *apitest.Env, typ ticket.Type, contact store.Contact, extra map[string]any) map[string]any {
	t.Helper()
	body := map[string]any{"ticket_type_id": itoa(typ.ID), "contacts": []any{map[string]any{"id": itoa(contact.ID)}},
		"ticket_attributes": map[string]any{"_default_title_": "Broken", "_default_description_": "It broke"}}
	for k, v := range extra {
		body[k] = v
	}
	return e.MustDo(http.StatusOK, "POST", "/api/tickets", body)
}

// tkParts returns the ticket_parts of a ticket.
func tkParts(t *testing.T, tk map[string]any) []map[string]any {
	t.Helper()
	tp, _ := tk["ticket_parts"].(map[string]any)
	list, _ := tp["ticket_parts"].([]any)
	out := make([]map[string]any, len(list))
	for i, p := range list {
		out[i] = p.(map[string]any)
	}
	return out
}

// tkPartsOfType returns the parts of one part_type.
func tkPartsOfType(t *testing.T, tk map[string]any, partType string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, p := range tkParts(t, tk) {
		if p["part_type"] == partType {
			out = append(out, p)
		}
	}
	return out
}

// tkStates returns the ids of the built-in states by category.
func tkStates(t *testing.T, e *apitest.Env) map[ticket.StateCategory]int64 {
	t.Helper()
	states, err := e.DB.Read().TicketStates(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	out := map[ticket.StateCategory]int64{}
	for _, s := range states {
		out[s.Category] = s.ID
	}
	return out
}

// tkCompany creates a company through the API and makes the contacts its members.
func tkCompany(t *testing.T, e *apitest.Env, companyID, name string, members ...store.Contact) string {
	t.Helper()
	id := apitest.ID(e.MustDo(http.StatusOK, "POST", "/api/companies", map[string]any{"company_id": companyID, "name": name}))
	for _, c := range members {
		e.MustDo(http.StatusOK, "POST", "/api/contacts/"+itoa(c.ID)+"/companies", map[string]any{"id": id})
	}
	return id
}

// tkCompanyID returns the id of a ticket's company, or "".
func tkCompanyID(tk map[string]any) string {
	c, _ := tk["company"].(map[string]any)
	id, _ := c["id"].(string)
	return id
}

// tkConversation starts a conversation from contact through the API and returns its id.
func tkConversation(t *testing.T, e *apitest.Env, contact store.Contact, body string) string {
	t.Helper()
	msg := e.MustDo(http.StatusOK, "POST", "/api/conversations", map[string]any{
		"from": map[string]any{"type": "user", "id": itoa(contact.ID)}, "body": body})
	id, _ := msg["conversation_id"].(string)
	if id == "" {
		t.Fatalf("POST /conversations gave no conversation_id: %v", msg)
	}
	return id
}

// tkNum reads a number sent as a JSON number or a string of digits.
func tkNum(v any) int64 {
	switch x := v.(type) {
	case float64:
		return int64(x)
	case string:
		n, _ := strconv.ParseInt(x, 10, 64)
		return n
	}
	return 0
}

// tkIDs returns the ids of a ticket.list, in order.
func tkIDs(list map[string]any) []string {
	items, _ := list["tickets"].([]any)
	out := make([]string, len(items))
	for i, it := range items {
		out[i], _ = it.(map[string]any)["id"].(string)
	}
	return out
}
