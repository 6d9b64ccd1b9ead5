package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/helpdesk/helpdesk/internal/apitest"
	"github.com/helpdesk/helpdesk/internal/ticket"
)

func TestCT2_ConvertingAConversationKeepsItsIDParticipantsAndTimeline(t *testing.T) {
	e := apitest.Start(t)
	typ := e.CreateTicketType("Refund", ticket.Customer, nil, tkAttributes...)
	c := e.CreateContact("casey@example.com", "Casey")
	other := e.CreateContact("dana@example.com", "Dana")
	conv := tkConversation(t, e, c, "My parcel never came")
	e.MustDo(http.StatusOK, "POST", "/api/conversations/"+conv+"/reply", map[string]any{"type": "admin", "admin_id": itoa(e.Admin.ID), "message_type": "comment", "body": "Looking into it"})
	e.MustDo(http.StatusOK, "POST", "/api/conversations/"+conv+"/customers", map[string]any{"admin_id": itoa(e.Admin.ID), "customer": map[string]any{"intercom_user_id": itoa(other.ID)}})
	e.MustDo(http.StatusOK, "POST", "/api/conversations/"+conv+"/parts", map[string]any{"message_type": "assignment", "type": "admin", "admin_id": itoa(e.Admin.ID), "assignee_id": itoa(e.Admin.ID)})
	before := e.MustDo(http.StatusOK, "GET", "/api/conversations/"+conv, nil)

	tk := e.MustDo(http.StatusOK, "POST", "/api/conversations/"+conv+"/convert", map[string]any{"ticket_type_id": itoa(typ.ID),
		"attributes": map[string]any{"_default_title_": "Lost parcel", "_default_description_": "Never came", "Priority": "High"}})
	if apitest.ID(tk) != conv {
		t.Fatalf("ticket id %s, conversation id %s: the conversation is the ticket", apitest.ID(tk), conv)
	}
	if tk["category"] != "Customer" || tk["is_shared"] != true || tk["ticket_state"].(map[string]any)["category"] != "submitted" || tk["ticket_id"] == "" {
		t.Errorf("converted ticket: %v", tk)
	}
	attrs := tk["ticket_attributes"].(map[string]any)
	if attrs["_default_title_"] != "Lost parcel" || attrs["_default_description_"] != "<p>Never came</p>" || attrs["Priority"] != "High" {
		t.Errorf("attributes = %v", attrs)
	}
	var contacts []string
	for _, x := range tk["contacts"].(map[string]any)["contacts"].([]any) {
		contacts = append(contacts, x.(map[string]any)["id"].(string))
	}
	if strings.Join(contacts, ",") != itoa(c.ID)+","+itoa(other.ID) {
		t.Errorf("contacts = %v", contacts)
	}
	if tkNum(tk["admin_assignee_id"]) != e.Admin.ID || tkNum(tk["created_at"]) != tkNum(before["created_at"]) {
		t.Errorf("assignee %v created_at %v, want the conversation's", tk["admin_assignee_id"], tk["created_at"])
	}
	// The timeline: the conversation's parts, then the conversion (as Intercom shows it).
	var types []string
	for _, p := range tkParts(t, tk) {
		types = append(types, p["part_type"].(string))
	}
	if strings.Join(types, ",") != "comment,participant_added,assignment,ticket_state_updated_by_admin" {
		t.Errorf("ticket parts = %v", types)
	}
	// It is a ticket now, and no longer a conversation.
	if r := e.Do("GET", "/api/conversations/"+conv, nil); r.Status != http.StatusNotFound {
		t.Errorf("GET /conversations of a converted conversation: %d", r.Status)
	}
	e.MustDo(http.StatusOK, "GET", "/api/tickets/"+conv, nil)
	list := e.MustDo(http.StatusOK, "GET", "/api/conversations", nil)
	if ids := conversationIDs(list); len(ids) != 0 {
		t.Errorf("conversation list still has %v", ids)
	}
	if r := e.Do("POST", "/api/conversations/"+conv+"/convert", map[string]any{"ticket_type_id": itoa(typ.ID)}); r.Status != http.StatusNotFound {
		t.Errorf("converting again: %d %s", r.Status, r.Body)
	}
	// Its state changes as any ticket's.
	states := tkStates(t, e)
	up := e.MustDo(http.StatusOK, "PUT", "/api/tickets/"+conv, map[string]any{"ticket_state_id": itoa(states[ticket.InProgress])})
	if up["ticket_state"].(map[string]any)["category"] != "in_progress" {
		t.Errorf("state = %v", up["ticket_state"])
	}
	history, err := e.DB.Read().StateHistory(t.Context(), tkNum(conv))
	if err != nil || len(history) != 2 {
		t.Errorf("state history = %+v, %v", history, err)
	}
}

func TestCT2_OnlyCustomerTypesConvert(t *testing.T) {
	e := apitest.Start(t)
	c := e.CreateContact("casey@example.com", "Casey")
	conv := tkConversation(t, e, c, "Hello")
	required := ticket.Attribute{Name: "Order number", DataType: ticket.Integer, RequiredToCreate: true}
	customer := e.CreateTicketType("Refund", ticket.Customer, nil, required)
	for _, typ := range []ticket.Type{
		e.CreateTicketType("Investigation", ticket.BackOffice, nil),
		e.CreateTicketType("Outage", ticket.Tracker, nil),
	} {
		r := e.Do("POST", "/api/conversations/"+conv+"/convert", map[string]any{"ticket_type_id": itoa(typ.ID)})
		if r.Status != http.StatusBadRequest || !strings.Contains(r.ErrorMessage(), "customer ticket type") {
			t.Errorf("convert to %s: %d %s", typ.Category, r.Status, r.Body)
		}
	}
	r := e.Do("POST", "/api/conversations/"+conv+"/convert", map[string]any{"ticket_type_id": itoa(customer.ID)})
	if r.Status != http.StatusBadRequest || !strings.Contains(r.ErrorMessage(), "Order number") {
		t.Errorf("convert without a required attribute: %d %s", r.Status, r.Body)
	}
	e.MustDo(http.StatusOK, "GET", "/api/conversations/"+conv, nil) // still a conversation
}

// TestCT2_TheCustomersExperienceIsTheSame compares a Customer ticket created through the API on
// behalf of a customer with one converted from the customer's conversation: what GET shows of
// them, but for ids, numbers, times and timelines, is the same.
func TestCT2_TheCustomersExperienceIsTheSame(t *testing.T) {
	e := apitest.Start(t)
	typ := e.CreateTicketType("Refund", ticket.Customer, nil, tkAttributes...)
	c := e.CreateContact("casey@example.com", "Casey")
	acme := tkCompany(t, e, "acme", "Acme", c)
	attrs := map[string]any{"_default_title_": "Lost parcel", "_default_description_": "Never *came*", "Priority": "High"}
	created := e.MustDo(http.StatusOK, "POST", "/api/tickets", map[string]any{"ticket_type_id": itoa(typ.ID),
		"contacts": []any{map[string]any{"id": itoa(c.ID)}}, "ticket_attributes": attrs})
	conv := tkConversation(t, e, c, "My parcel never came")
	converted := e.MustDo(http.StatusOK, "POST", "/api/conversations/"+conv+"/convert", map[string]any{"ticket_type_id": itoa(typ.ID), "attributes": attrs})

	a := e.MustDo(http.StatusOK, "GET", "/api/tickets/"+apitest.ID(created), nil)
	b := e.MustDo(http.StatusOK, "GET", "/api/tickets/"+apitest.ID(converted), nil)
	for _, k := range []string{"id", "ticket_id", "created_at", "updated_at", "ticket_parts"} {
		delete(a, k)
		delete(b, k)
	}
	if apitest.Str(a) != apitest.Str(b) {
		t.Errorf("created and converted tickets differ:\ncreated   %s\nconverted %s", apitest.Str(a), apitest.Str(b))
	}
	if tkCompanyID(a) != acme {
		t.Errorf("company = %v, want %s (CO3)", a["company"], acme)
	}
}
