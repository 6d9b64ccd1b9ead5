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

func TestCT1_ACustomerTicketStaysShared(t *testing.T) {
	e := apitest.Start(t)
	typ := e.CreateTicketType("Address change", ticket.Customer, nil)
	other := e.CreateTicketType("Refund", ticket.Customer, nil)
	backOffice := e.CreateTicketType("Investigation", ticket.BackOffice, nil)
	c := e.CreateContact("casey@example.com", "Casey")
	id := apitest.ID(tkCreate(t, e, typ, c, nil))
	r := e.Do("PUT", "/api/tickets/"+id, map[string]any{"is_shared": false})
	if r.Status != http.StatusBadRequest || !containsFold(r.ErrorMessage(), "is_shared") {
		t.Errorf("unsharing a Customer ticket: %d %s", r.Status, r.Body)
	}
	states := tkStates(t, e)
	r = e.Do("POST", "/api/tickets/"+id+"/change_type", map[string]any{"ticket_type_id": itoa(backOffice.ID), "ticket_state_id": itoa(states[ticket.Submitted])})
	if r.Status != http.StatusBadRequest || !containsFold(r.ErrorMessage(), "same category") {
		t.Errorf("Customer ticket to a Back-office type: %d %s", r.Status, r.Body)
	}
	got := e.MustDo(http.StatusOK, "POST", "/api/tickets/"+id+"/change_type", map[string]any{"ticket_type_id": itoa(other.ID), "ticket_state_id": itoa(states[ticket.Submitted])})
	if got["is_shared"] != true || got["category"] != "Customer" {
		t.Errorf("after change_type: is_shared %v category %v", got["is_shared"], got["category"])
	}
}

func TestCT4_ATicketWithoutAConversation(t *testing.T) {
	e := apitest.Start(t)
	typ := e.CreateTicketType("Address change", ticket.Customer, nil)
	c := e.CreateContact("casey@example.com", "Casey")
	conv := tkConversation(t, e, c, "Hello")
	tk := tkCreate(t, e, typ, c, nil)
	id := apitest.ID(tk)
	if lo := tk["linked_objects"].(map[string]any); tkNum(lo["total_count"]) != 0 {
		t.Errorf("a ticket created on its own has links: %v", lo)
	}
	// Tickets and conversations share one id space and do not leak into each other's endpoints.
	if id == conv {
		t.Fatalf("ticket and conversation share id %s", id)
	}
	for _, path := range []string{"/api/conversations/" + id, "/api/tickets/" + conv} {
		if r := e.Do("GET", path, nil); r.Status != http.StatusNotFound || r.ErrorCode() != "not_found" {
			t.Errorf("GET %s: %d %s, want 404", path, r.Status, r.Body)
		}
	}
	for _, r := range []*apitest.Response{
		e.Do("PUT", "/api/tickets/"+conv, map[string]any{"open": false}),
		e.Do("POST", "/api/tickets/"+conv+"/change_type", map[string]any{"ticket_type_id": itoa(typ.ID), "ticket_state_id": "1"}),
		e.Do("POST", "/api/conversations/"+id+"/convert", map[string]any{"ticket_type_id": itoa(typ.ID)}),
		e.Do("POST", "/api/conversations/"+id+"/parts", map[string]any{"message_type": "close", "admin_id": itoa(e.Admin.ID)}),
	} {
		if r.Status != http.StatusNotFound {
			t.Errorf("crossing endpoints: %d %s, want 404", r.Status, r.Body)
		}
	}
	if ids := conversationIDs(e.MustDo(http.StatusOK, "GET", "/api/conversations", nil)); len(ids) != 1 || ids[0] != conv {
		t.Errorf("conversation list = %v", ids)
	}
	found := e.MustDo(http.StatusOK, "POST", "/api/conversations/search", map[string]any{"query": map[string]any{"field": "contact_ids", "operator": "=", "value": itoa(c.ID)}})
	if ids := conversationIDs(found); len(ids) != 1 || ids[0] != conv {
		t.Errorf("conversation search = %v", ids)
	}
	found = e.MustDo(http.StatusOK, "POST", "/api/tickets/search", map[string]any{"query": map[string]any{"field": "contact_ids", "operator": "=", "value": itoa(c.ID)}})
	if ids := tkIDs(found); len(ids) != 1 || ids[0] != id {
		t.Errorf("ticket search = %v", ids)
	}
}
