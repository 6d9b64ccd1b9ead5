package api_test

import (
	"net/http"
	"testing"

	"github.com/helpdesk/helpdesk/internal/apitest"
	"github.com/helpdesk/helpdesk/internal/ticket"
)

// TestTR3_TrackerListsItsConversationsWithCustomerAndState checks the extension
// GET /tickets/{id}/linked_conversations: every linked conversation and Customer ticket, with its
// customer and state, page by page.
func TestTR3_TrackerListsItsConversationsWithCustomerAndState(t *testing.T) {
	e := apitest.Start(t)
	outage := e.CreateTicketType("Outage", ticket.Tracker, nil)
	question := e.CreateTicketType("Question", ticket.Customer, nil)
	admin := itoa(e.Admin.ID)
	tracker := apitest.ID(e.MustDo(http.StatusOK, "POST", "/api/tickets", map[string]any{"ticket_type_id": itoa(outage.ID), "contacts": []any{}}))

	var convs []string
	for _, email := range []string{"a@example.com", "b@example.com", "c@example.com"} {
		_, id := startConversation(t, e, email, "Payments fail")
		convs = append(convs, id)
		e.MustDo(http.StatusOK, "POST", "/api/tickets/"+tracker+"/linked_conversations", map[string]any{"conversation_id": id})
	}
	e.MustDo(http.StatusOK, "POST", "/api/conversations/"+convs[1]+"/parts", map[string]any{"message_type": "close", "type": "admin", "admin_id": admin})
	dana := e.CreateContact("dana@example.com", "Dana")
	ct := apitest.ID(e.MustDo(http.StatusOK, "POST", "/api/tickets", map[string]any{"ticket_type_id": itoa(question.ID),
		"contacts": []any{map[string]any{"id": itoa(dana.ID)}}, "ticket_attributes": map[string]any{"_default_title_": "Card declined"}}))
	e.MustDo(http.StatusOK, "POST", "/api/tickets/"+tracker+"/linked_conversations", map[string]any{"conversation_id": ct})

	var got []map[string]any
	path := "/api/tickets/" + tracker + "/linked_conversations?per_page=3"
	for range 5 {
		page := e.MustDo(http.StatusOK, "GET", path, nil)
		for _, d := range page["data"].([]any) {
			got = append(got, d.(map[string]any))
		}
		next, _ := page["pages"].(map[string]any)["next"].(map[string]any)
		if next == nil {
			break
		}
		path = "/api/tickets/" + tracker + "/linked_conversations?per_page=3&starting_after=" + next["starting_after"].(string)
	}
	if len(got) != 4 {
		t.Fatalf("listed %d linked objects, want 4: %v", len(got), got)
	}
	if got[1]["id"] != convs[1] || got[1]["state"] != "closed" || got[0]["state"] != "open" {
		t.Errorf("states: %v", got)
	}
	first := got[0]["contacts"].([]any)[0].(map[string]any)
	if first["email"] != "a@example.com" || first["name"] != "Casey Customer" {
		t.Errorf("customer of the first conversation = %v", first)
	}
	last := got[3]
	if last["type"] != "ticket" || last["id"] != ct || last["category"] != "Customer" || last["title"] != "Card declined" ||
		last["ticket_state"].(map[string]any)["category"] != "submitted" ||
		last["contacts"].([]any)[0].(map[string]any)["email"] != "dana@example.com" {
		t.Errorf("Customer ticket entry = %v", last)
	}
	if r := e.Do("GET", "/api/tickets/987654/linked_conversations", nil); r.Status != http.StatusNotFound {
		t.Errorf("unknown ticket: %d", r.Status)
	}
}

// TestBO1_ConversationListsShowTheirLinks checks that a list of conversations shows each one's
// linked tickets, as a single conversation does.
func TestBO1_ConversationListsShowTheirLinks(t *testing.T) {
	e := apitest.Start(t)
	refund := e.CreateTicketType("Refund", ticket.BackOffice, nil)
	contactID, conv := startConversation(t, e, "casey@example.com", "Refund please")
	_, other := startConversation(t, e, "dana@example.com", "Hello")
	bo := apitest.ID(e.MustDo(http.StatusOK, "POST", "/api/tickets", map[string]any{"ticket_type_id": itoa(refund.ID),
		"contacts": []any{map[string]any{"id": contactID}}, "conversation_to_link_id": conv}))
	for _, list := range []map[string]any{
		e.MustDo(http.StatusOK, "GET", "/api/conversations", nil),
		e.MustDo(http.StatusOK, "POST", "/api/conversations/search", map[string]any{"query": map[string]any{"field": "open", "operator": "=", "value": true}}),
	} {
		for _, c := range list["conversations"].([]any) {
			c := c.(map[string]any)
			lo := c["linked_objects"].(map[string]any)
			data := lo["data"].([]any)
			switch c["id"] {
			case conv:
				if len(data) != 1 || data[0].(map[string]any)["id"] != bo || data[0].(map[string]any)["category"] != "Back-office" || lo["total_count"] != float64(1) {
					t.Errorf("conversation %s links = %v, want the Back-office ticket %s", conv, lo, bo)
				}
			case other:
				if len(data) != 0 {
					t.Errorf("conversation %s links = %v, want none", other, lo)
				}
			}
		}
	}
}
