package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/helpdesk/helpdesk/internal/apitest"
	"github.com/helpdesk/helpdesk/internal/ticket"
)

func TestTT5_ChangeTypeCarriesMatchingAttributesAndValidatesTheNewOnes(t *testing.T) {
	e := apitest.Start(t)
	from := e.CreateTicketType("Refund", ticket.Customer, nil, tkAttributes...)
	to := e.CreateTicketType("Return", ticket.Customer, nil,
		ticket.Attribute{Name: "Priority", DataType: ticket.List, ListItems: []string{"Low", "High"}},
		ticket.Attribute{Name: "Order number", DataType: ticket.String},
		ticket.Attribute{Name: "Carrier", DataType: ticket.String, RequiredToCreate: true})
	c := e.CreateContact("casey@example.com", "Casey")
	states := tkStates(t, e)
	tk := tkCreate(t, e, from, c, map[string]any{"ticket_attributes": map[string]any{"_default_title_": "Broken", "Priority": "High", "Order number": 42, "Refund": true}})
	id := apitest.ID(tk)

	for _, tc := range []struct {
		name  string
		body  map[string]any
		names string
	}{
		{"required attribute missing", map[string]any{"ticket_type_id": itoa(to.ID), "ticket_state_id": itoa(states[ticket.Submitted])}, "Carrier"},
		{"bad value for the new type", map[string]any{"ticket_type_id": itoa(to.ID), "ticket_state_id": itoa(states[ticket.Submitted]), "ticket_attributes": map[string]any{"Carrier": 5}}, "Carrier"},
		{"attribute of the old type only", map[string]any{"ticket_type_id": itoa(to.ID), "ticket_state_id": itoa(states[ticket.Submitted]), "ticket_attributes": map[string]any{"Carrier": "DHL", "Refund": false}}, "Refund"},
		{"same type", map[string]any{"ticket_type_id": itoa(from.ID), "ticket_state_id": itoa(states[ticket.Submitted])}, "same ticket type"},
		{"unknown state", map[string]any{"ticket_type_id": itoa(to.ID), "ticket_state_id": "999999", "ticket_attributes": map[string]any{"Carrier": "DHL"}}, "ticket_state_id"},
	} {
		r := e.Do("POST", "/api/tickets/"+id+"/change_type", tc.body)
		if r.Status != http.StatusBadRequest || !strings.Contains(r.ErrorMessage(), tc.names) {
			t.Errorf("%s: %d %s, want 400 naming %s", tc.name, r.Status, r.Body, tc.names)
		}
	}
	got := e.MustDo(http.StatusOK, "POST", "/api/tickets/"+id+"/change_type", map[string]any{"ticket_type_id": itoa(to.ID),
		"ticket_state_id": itoa(states[ticket.InProgress]), "ticket_attributes": map[string]any{"Carrier": "DHL"}})
	attrs := got["ticket_attributes"].(map[string]any)
	if got["ticket_type"].(map[string]any)["id"] != itoa(to.ID) || attrs["Priority"] != "High" || attrs["Carrier"] != "DHL" || attrs["_default_title_"] != "Broken" {
		t.Errorf("after change_type: type %v attributes %v", got["ticket_type"].(map[string]any)["id"], attrs)
	}
	for _, gone := range []string{"Order number", "Refund"} { // another data type; not in the new type
		if _, ok := attrs[gone]; ok {
			t.Errorf("%s carried over to a type where it does not fit: %v", gone, attrs)
		}
	}
	if got["ticket_state"].(map[string]any)["category"] != "in_progress" || len(tkPartsOfType(t, got, "ticket_state_updated_by_admin")) != 1 ||
		len(tkPartsOfType(t, got, "ticket_type_changed")) != 1 {
		t.Errorf("after change_type: state %v parts %v", got["ticket_state"], tkParts(t, got))
	}
}

func TestTT4_ASharedBackOfficeTicketKeepsATypeThatAllowsSharing(t *testing.T) {
	e := apitest.Start(t)
	allow, deny := false, true
	sharing := e.CreateTicketType("Escalation", ticket.BackOffice, &allow)
	sharing2 := e.CreateTicketType("Escalation 2", ticket.BackOffice, &allow)
	internal := e.CreateTicketType("Fraud investigation", ticket.BackOffice, &deny)
	tracker := e.CreateTicketType("Outage", ticket.Tracker, nil)
	c := e.CreateContact("casey@example.com", "Casey")
	states := tkStates(t, e)
	conv := tkConversation(t, e, c, "Hello")
	shared := tkCreate(t, e, sharing, c, map[string]any{"conversation_to_link_id": conv, "is_shared": true})
	id := apitest.ID(shared)
	for _, typ := range []ticket.Type{internal, tracker} {
		r := e.Do("POST", "/api/tickets/"+id+"/change_type", map[string]any{"ticket_type_id": itoa(typ.ID), "ticket_state_id": itoa(states[ticket.Submitted])})
		if r.Status != http.StatusBadRequest || !strings.Contains(r.ErrorMessage(), "ticket_type_id") {
			t.Errorf("shared Back-office ticket to %s: %d %s", typ.Name, r.Status, r.Body)
		}
	}
	got := e.MustDo(http.StatusOK, "POST", "/api/tickets/"+id+"/change_type", map[string]any{"ticket_type_id": itoa(sharing2.ID), "ticket_state_id": itoa(states[ticket.Submitted])})
	if got["is_shared"] != true || tkNum(got["linked_objects"].(map[string]any)["total_count"]) != 1 {
		t.Errorf("after change_type: is_shared %v links %v", got["is_shared"], got["linked_objects"])
	}
	// An unshared one may become a type that does not allow sharing.
	plain := apitest.ID(tkCreate(t, e, sharing, c, nil))
	e.MustDo(http.StatusOK, "POST", "/api/tickets/"+plain+"/change_type", map[string]any{"ticket_type_id": itoa(internal.ID), "ticket_state_id": itoa(states[ticket.Submitted])})
}
