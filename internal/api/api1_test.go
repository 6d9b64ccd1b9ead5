package api_test

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/helpdesk/helpdesk/internal/apitest"
	"github.com/helpdesk/helpdesk/internal/ticket"
)

// TestAPI1_EveryIntercomOperationAnswersInIntercomsShape drives every operation of Intercom's API
// that our published document lists, the way an Intercom client would, and checks that each one
// answered at least once with a success that matches Intercom's description (request and
// response; apitest checks every exchange). An operation added to the document without being
// exercised here fails the test.
func TestAPI1_EveryIntercomOperationAnswersInIntercomsShape(t *testing.T) {
	e := apitest.Start(t)
	matched := map[string]bool{} // "METHOD /path" of each contract-checked 2xx
	e.Exchanges = func(method, path string, status int) {
		if status < 300 {
			matched[method+" "+path] = true
		}
	}
	admin := itoa(e.Admin.ID)
	team := e.CreateTeam("Billing", e.Admin.ID)

	e.MustDo(200, "GET", "/api/me", nil)
	e.MustDo(200, "GET", "/api/admins", nil)
	e.MustDo(200, "GET", "/api/admins/"+admin, nil)
	e.MustDo(200, "GET", "/api/teams", nil)
	e.MustDo(200, "GET", "/api/teams/"+itoa(team.ID), nil)

	tag := apitest.ID(e.MustDo(200, "POST", "/api/tags", map[string]any{"name": "vip"}))
	e.MustDo(200, "GET", "/api/tags", nil)
	e.MustDo(200, "GET", "/api/tags/"+tag, nil)

	contact := apitest.ID(e.MustDo(200, "POST", "/api/contacts", map[string]any{"role": "user", "email": "casey@example.com", "external_id": "u-1", "name": "Casey"}))
	lead := apitest.ID(e.MustDo(200, "POST", "/api/contacts", map[string]any{"role": "lead", "name": "Lee"}))
	e.MustDo(200, "GET", "/api/contacts", nil)
	e.MustDo(200, "GET", "/api/contacts/"+contact, nil)
	e.MustDo(200, "PUT", "/api/contacts/"+contact, map[string]any{"name": "Casey C"})
	e.MustDo(200, "POST", "/api/contacts/search", map[string]any{"query": map[string]any{"field": "email", "operator": "=", "value": "casey@example.com"}})
	e.MustDo(200, "GET", "/api/contacts/find_by_external_id/u-1", nil)
	e.MustDo(200, "POST", "/api/contacts/"+contact+"/tags", map[string]any{"id": tag})
	e.MustDo(200, "GET", "/api/contacts/"+contact+"/tags", nil)
	e.MustDo(200, "DELETE", "/api/contacts/"+contact+"/tags/"+tag, nil)

	company := apitest.ID(e.MustDo(200, "POST", "/api/companies", map[string]any{"company_id": "acme", "name": "Acme"}))
	e.MustDo(200, "GET", "/api/companies", nil)
	e.MustDo(200, "GET", "/api/companies/"+company, nil)
	e.MustDo(200, "PUT", "/api/companies/"+company, map[string]any{"name": "Acme Inc"})
	e.MustDo(200, "POST", "/api/companies/list", map[string]any{"per_page": 5})
	e.MustDo(200, "GET", "/api/companies/scroll", nil)
	e.MustDo(200, "POST", "/api/contacts/"+contact+"/companies", map[string]any{"id": company})
	e.MustDo(200, "GET", "/api/contacts/"+contact+"/companies", nil)
	e.MustDo(200, "GET", "/api/companies/"+company+"/contacts", nil)
	e.MustDo(200, "DELETE", "/api/contacts/"+contact+"/companies/"+company, nil)

	conv := e.MustDo(200, "POST", "/api/conversations", map[string]any{"from": map[string]any{"type": "user", "id": contact}, "body": "Hello"})["conversation_id"].(string)
	e.MustDo(200, "GET", "/api/conversations", nil)
	e.MustDo(200, "GET", "/api/conversations/"+conv, nil)
	e.MustDo(200, "PUT", "/api/conversations/"+conv, map[string]any{"title": "Greeting", "read": true})
	e.MustDo(200, "POST", "/api/conversations/search", map[string]any{"query": map[string]any{"field": "open", "operator": "=", "value": true}})
	e.MustDo(200, "POST", "/api/conversations/"+conv+"/reply", map[string]any{"type": "admin", "admin_id": admin, "message_type": "comment", "body": "Hi"})
	e.MustDo(200, "POST", "/api/conversations/"+conv+"/parts", map[string]any{"message_type": "snoozed", "admin_id": admin, "snoozed_until": e.Clock.Now().Add(time.Hour).Unix()})
	e.MustDo(200, "POST", "/api/conversations/"+conv+"/customers", map[string]any{"admin_id": admin, "customer": map[string]any{"intercom_user_id": lead}})
	e.MustDo(200, "DELETE", "/api/conversations/"+conv+"/customers/"+lead, map[string]any{"admin_id": admin})
	e.MustDo(200, "POST", "/api/conversations/"+conv+"/tags", map[string]any{"id": tag, "admin_id": admin})
	e.MustDo(200, "DELETE", "/api/conversations/"+conv+"/tags/"+tag, map[string]any{"admin_id": admin})

	typ := e.CreateTicketType("Question", ticket.Customer, nil)
	tk := apitest.ID(e.MustDo(200, "POST", "/api/tickets", map[string]any{"ticket_type_id": itoa(typ.ID),
		"contacts": []any{map[string]any{"id": contact}}, "ticket_attributes": map[string]any{"_default_title_": "Help"}}))
	e.MustDo(200, "GET", "/api/tickets/"+tk, nil)
	states, err := e.DB.Read().TicketStates(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	e.MustDo(200, "GET", "/api/ticket_states", nil)
	e.MustDo(200, "GET", "/api/ticket_types", nil)
	newType := apitest.ID(e.MustDo(200, "POST", "/api/ticket_types", map[string]any{"name": "Refund", "category": "Back-office"}))
	e.MustDo(200, "GET", "/api/ticket_types/"+newType, nil)
	e.MustDo(200, "PUT", "/api/ticket_types/"+newType, map[string]any{"description": "Money back"})
	attr := apitest.ID(e.MustDo(200, "POST", "/api/ticket_types/"+newType+"/attributes", map[string]any{"name": "amount", "description": "Amount", "data_type": "decimal"}))
	e.MustDo(200, "PUT", "/api/ticket_types/"+newType+"/attributes/"+attr, map[string]any{"required_to_create": true})
	e.MustDo(200, "PUT", "/api/tickets/"+tk, map[string]any{"ticket_state_id": itoa(states[1].ID), "open": true, "admin_id": e.Admin.ID, "assignee_id": admin})
	e.MustDo(200, "POST", "/api/tickets/search", map[string]any{"query": map[string]any{"field": "open", "operator": "=", "value": true}})
	other := e.CreateTicketType("Other question", ticket.Customer, nil)
	e.MustDo(200, "POST", "/api/tickets/"+tk+"/change_type", map[string]any{"ticket_type_id": itoa(other.ID), "ticket_state_id": itoa(states[0].ID)})
	conv2 := e.MustDo(200, "POST", "/api/conversations", map[string]any{"from": map[string]any{"type": "user", "id": contact}, "body": "Hi"})["conversation_id"].(string)
	e.MustDo(200, "POST", "/api/conversations/"+conv2+"/convert", map[string]any{"ticket_type_id": itoa(typ.ID)})
	e.MustDo(200, "POST", "/api/tickets/"+tk+"/reply", map[string]any{"message_type": "comment", "type": "admin", "admin_id": admin, "body": "On it"})
	e.MustDo(200, "POST", "/api/tickets/"+tk+"/tags", map[string]any{"id": tag, "admin_id": admin})
	e.MustDo(200, "DELETE", "/api/tickets/"+tk+"/tags/"+tag, map[string]any{"admin_id": admin})
	outage := e.CreateTicketType("Outage", ticket.Tracker, nil)
	tracker := apitest.ID(e.MustDo(200, "POST", "/api/tickets", map[string]any{"ticket_type_id": itoa(outage.ID), "contacts": []any{}}))
	e.MustDo(200, "POST", "/api/tickets/"+tracker+"/linked_conversations", map[string]any{"conversation_id": conv})
	e.MustDo(200, "DELETE", "/api/tickets/"+tracker+"/linked_conversations/"+conv, nil)
	e.MustDo(200, "DELETE", "/api/tickets/"+tk, nil)

	e.MustDo(200, "DELETE", "/api/companies/"+company, nil)
	e.MustDo(200, "DELETE", "/api/contacts/"+lead, nil)
	e.MustDo(200, "DELETE", "/api/tags/"+tag, nil)

	doc := servedDocument(t, e)
	param := regexp.MustCompile(`\{[^}]+\}`)
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			if op.Extensions["x-helpdesk-extension"] == true {
				continue
			}
			quoted := regexp.QuoteMeta(param.ReplaceAllString(path, "PARAM"))
			pattern := regexp.MustCompile("^" + method + " /api" + strings.ReplaceAll(quoted, "PARAM", `[^/]+`) + "$")
			found := false
			for exchange := range matched {
				if pattern.MatchString(exchange) {
					found = true
					break
				}
			}
			if !found {
				t.Errorf("%s %s: no successful exchange matched Intercom's description", method, path)
			}
		}
	}
	if t.Failed() {
		t.Logf("matched: %v", matched)
	}
}
