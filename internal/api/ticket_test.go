package api_test

import (
	"net/http"
	"testing"

	"github.com/helpdesk/helpdesk/internal/apitest"
	"github.com/helpdesk/helpdesk/internal/ticket"
)

func TestCT1_CustomerTicketsAreAlwaysShared(t *testing.T) {
	e := apitest.Start(t)
	typ := e.CreateTicketType("Address change", ticket.Customer, nil)
	c := e.CreateContact("casey@example.com", "Casey")
	tk := e.MustDo(http.StatusOK, "POST", "/api/tickets", map[string]any{
		"ticket_type_id": itoa(typ.ID), "contacts": []any{map[string]any{"id": itoa(c.ID)}},
		"ticket_attributes": map[string]any{"_default_title_": "New address", "_default_description_": "**Moved** to Paris"}})
	if tk["is_shared"] != true || tk["category"] != "Customer" {
		t.Errorf("Customer ticket: is_shared %v category %v", tk["is_shared"], tk["category"])
	}
	state := tk["ticket_state"].(map[string]any)
	if state["category"] != "submitted" || state["external_label"] != "Submitted" {
		t.Errorf("new ticket state = %v", state)
	}
	attrs := tk["ticket_attributes"].(map[string]any)
	if attrs["_default_title_"] != "New address" || attrs["_default_description_"] != "<p><strong>Moved</strong> to Paris</p>" {
		t.Errorf("attributes = %v", attrs)
	}
	got := e.MustDo(http.StatusOK, "GET", "/api/tickets/"+apitest.ID(tk), nil)
	if got["ticket_id"] == "" || got["ticket_id"] != tk["ticket_id"] {
		t.Errorf("GET ticket_id %v, created %v", got["ticket_id"], tk["ticket_id"])
	}
	r := e.Do("POST", "/api/tickets", map[string]any{"ticket_type_id": itoa(typ.ID), "contacts": []any{map[string]any{"id": itoa(c.ID)}}, "is_shared": false})
	if r.Status != http.StatusBadRequest || !containsFold(r.ErrorMessage(), "is_shared") {
		t.Errorf("unshared Customer ticket: %d %s", r.Status, r.Body)
	}
}
