package api_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/helpdesk/helpdesk/internal/apitest"
	"github.com/helpdesk/helpdesk/internal/conversation"
	"github.com/helpdesk/helpdesk/internal/desk"
	"github.com/helpdesk/helpdesk/internal/store"
	"github.com/helpdesk/helpdesk/internal/ticket"
)

// linkEnv drives tickets, links, replies and broadcasts through the API for the BO and TR tests.
type linkEnv struct {
	*apitest.Env
	t     *testing.T
	admin string // the token's teammate
	n     int
}

func startLinkEnv(t *testing.T) *linkEnv {
	e := apitest.Start(t)
	return &linkEnv{Env: e, t: t, admin: itoa(e.Admin.ID)}
}

// conversation starts a conversation from a new contact and returns the contact's and the
// conversation's ids.
func (e *linkEnv) conversation() (contact, id string) {
	e.t.Helper()
	e.n++
	return startConversation(e.t, e.Env, "customer"+itoa(int64(e.n))+"@example.com", "Something is wrong")
}

// ticket creates a ticket of typ for contact; extra adds or overrides request fields.
func (e *linkEnv) ticket(typ ticket.Type, contact string, extra map[string]any) map[string]any {
	e.t.Helper()
	r := e.createTicket(typ, contact, extra)
	if r.Status != http.StatusOK {
		e.t.Fatalf("POST /tickets (%s): %d %s", typ.Category, r.Status, r.Body)
	}
	return r.JSON()
}

func (e *linkEnv) createTicket(typ ticket.Type, contact string, extra map[string]any) *apitest.Response {
	e.t.Helper()
	body := map[string]any{"ticket_type_id": itoa(typ.ID), "contacts": []any{},
		"ticket_attributes": map[string]any{"_default_title_": string(typ.Category) + " ticket"}}
	if contact != "" {
		body["contacts"] = []any{map[string]any{"id": contact}}
	}
	for k, v := range extra {
		body[k] = v
	}
	return e.Do("POST", "/api/tickets", body)
}

func (e *linkEnv) getTicket(id string) map[string]any {
	e.t.Helper()
	return e.MustDo(http.StatusOK, "GET", "/api/tickets/"+id, nil)
}

func (e *linkEnv) getConversation(id string) map[string]any {
	e.t.Helper()
	return e.MustDo(http.StatusOK, "GET", "/api/conversations/"+id, nil)
}

func (e *linkEnv) link(ticketID, conversationID string) *apitest.Response {
	e.t.Helper()
	return e.Do("POST", "/api/tickets/"+ticketID+"/linked_conversations", map[string]any{"conversation_id": conversationID})
}

func (e *linkEnv) mustLink(ticketID, conversationID string) map[string]any {
	e.t.Helper()
	r := e.link(ticketID, conversationID)
	if r.Status != http.StatusOK {
		e.t.Fatalf("link %s to ticket %s: %d %s", conversationID, ticketID, r.Status, r.Body)
	}
	return r.JSON()
}

func (e *linkEnv) reply(ticketID string, body map[string]any) *apitest.Response {
	e.t.Helper()
	return e.Do("POST", "/api/tickets/"+ticketID+"/reply", body)
}

func (e *linkEnv) note(ticketID, adminID, body string, crossPost bool) *apitest.Response {
	e.t.Helper()
	req := map[string]any{"type": "admin", "admin_id": adminID, "message_type": "note", "body": body}
	if crossPost {
		req["cross_post"] = true
	}
	return e.reply(ticketID, req)
}

func (e *linkEnv) broadcast(ticketID, adminID, body string) *apitest.Response {
	e.t.Helper()
	return e.Do("POST", "/api/tickets/"+ticketID+"/broadcast", map[string]any{"admin_id": adminID, "body": body})
}

// snooze snoozes a conversation for a day.
func (e *linkEnv) snooze(id string) {
	e.t.Helper()
	e.MustDo(http.StatusOK, "POST", "/api/conversations/"+id+"/parts", map[string]any{
		"message_type": "snoozed", "admin_id": e.admin, "snoozed_until": e.Clock.Now().Add(24 * time.Hour).Unix()})
}

func (e *linkEnv) assign(id, adminID string) {
	e.t.Helper()
	e.MustDo(http.StatusOK, "POST", "/api/conversations/"+id+"/parts", map[string]any{
		"message_type": "assignment", "type": "admin", "admin_id": e.admin, "assignee_id": adminID})
}

// snoozeTicket snoozes a Customer ticket's conversation for a day and assigns it (the API
// snoozes conversations only).
func (e *linkEnv) snoozeTicket(id string, assignee int64) {
	e.t.Helper()
	ctx := context.Background()
	err := e.DB.Tx(ctx, func(tx *store.Tx) error {
		c, err := tx.ConversationForUpdate(ctx, idNum(e.t, id))
		if err != nil {
			return err
		}
		c.AdminAssigneeID = assignee
		if _, err := c.Snooze(conversation.Author{Type: conversation.AuthorAdmin, ID: e.Admin.ID}, e.Clock.Now().Add(24*time.Hour), e.Clock.Now()); err != nil {
			return err
		}
		return tx.UpdateConversation(ctx, &c)
	})
	if err != nil {
		e.t.Fatal(err)
	}
}

// linkedIDs returns "type:id:category" of each linked object, and total_count.
func linkedIDs(obj map[string]any) ([]string, int) {
	lo, _ := obj["linked_objects"].(map[string]any)
	data, _ := lo["data"].([]any)
	var out []string
	for _, d := range data {
		m := d.(map[string]any)
		cat, _ := m["category"].(string)
		out = append(out, m["type"].(string)+":"+m["id"].(string)+":"+cat)
	}
	total, _ := lo["total_count"].(float64)
	return out, int(total)
}

// ticketPartList returns part_type and body of each part of a ticket.
func ticketPartList(tk map[string]any) [][2]string {
	tp, _ := tk["ticket_parts"].(map[string]any)
	list, _ := tp["ticket_parts"].([]any)
	out := make([][2]string, len(list))
	for i, p := range list {
		m := p.(map[string]any)
		body, _ := m["body"].(string)
		out[i] = [2]string{m["part_type"].(string), body}
	}
	return out
}

func hasPart(list [][2]string, partType, body string) bool {
	for _, p := range list {
		if p[0] == partType && (body == "" || p[1] == body) {
			return true
		}
	}
	return false
}

func countParts(list [][2]string, partType string) int {
	n := 0
	for _, p := range list {
		if p[0] == partType {
			n++
		}
	}
	return n
}

func wantStatus(t *testing.T, what string, r *apitest.Response, status int, msg string) {
	t.Helper()
	if r.Status != status || (msg != "" && !containsFold(r.ErrorMessage(), msg)) {
		t.Errorf("%s: %d %s, want %d mentioning %q", what, r.Status, r.Body, status, msg)
	}
}

func TestBO1_BackOfficeTicketFromConversationOrStandaloneLinkedLater(t *testing.T) {
	e := startLinkEnv(t)
	bo := e.CreateTicketType("Refund", ticket.BackOffice, nil)
	customer := e.CreateTicketType("Address change", ticket.Customer, nil)
	finance := e.CreateAdmin("finance@example.com", "Fran Finance")
	team := e.CreateTeam("Finance", finance.ID)

	// From within a conversation: linked to it, keeping the customer context, with its own
	// assignee and team.
	contact, conv := e.conversation()
	e.assign(conv, e.admin)
	tk := e.ticket(bo, contact, map[string]any{"conversation_to_link_id": conv,
		"assignment": map[string]any{"admin_assignee_id": itoa(finance.ID), "team_assignee_id": itoa(team.ID)}})
	id := apitest.ID(tk)
	if got, total := linkedIDs(tk); total != 1 || len(got) != 1 || got[0] != "conversation:"+conv+":" {
		t.Errorf("Back-office ticket from a conversation: linked_objects %v (total %d)", got, total)
	}
	c := e.getConversation(conv)
	if got, total := linkedIDs(c); total != 1 || got[0] != "ticket:"+id+":Back-office" {
		t.Errorf("the conversation's linked_objects = %v (total %d), want the Back-office ticket", got, total)
	}
	if !hasPart(parts(t, c), "linked_ticket", "") || !hasPart(ticketPartList(e.getTicket(id)), "linked_ticket", "") {
		t.Errorf("linking posts an event on both sides: conversation %v, ticket %v", parts(t, c), ticketPartList(e.getTicket(id)))
	}
	if tk["admin_assignee_id"] != float64(finance.ID) || tk["team_assignee_id"] != float64(team.ID) {
		t.Errorf("ticket assignees = %v, %v", tk["admin_assignee_id"], tk["team_assignee_id"])
	}
	if c["admin_assignee_id"] != float64(e.Admin.ID) || c["team_assignee_id"] != float64(0) {
		t.Errorf("the conversation keeps its own assignee: %v, team %v", c["admin_assignee_id"], c["team_assignee_id"])
	}
	// Its own state: closing the conversation leaves the ticket as it is.
	e.MustDo(http.StatusOK, "POST", "/api/conversations/"+conv+"/parts", map[string]any{"message_type": "close", "type": "admin", "admin_id": e.admin})
	if got := e.getTicket(id); got["open"] != true || got["ticket_state"].(map[string]any)["category"] != "submitted" {
		t.Errorf("closing the conversation changed the ticket: open %v state %v", got["open"], got["ticket_state"])
	}

	// Standalone, not related to any conversation; linked later to a conversation and to a
	// Customer ticket.
	standalone := apitest.ID(e.ticket(bo, "", nil))
	if got, total := linkedIDs(e.getTicket(standalone)); total != 0 || len(got) != 0 {
		t.Errorf("standalone ticket linked_objects = %v (total %d)", got, total)
	}
	contact2, conv2 := e.conversation()
	linked := e.mustLink(standalone, conv2)
	if linked["type"] != "conversation" || apitest.ID(linked) != conv2 {
		t.Errorf("linked_conversations answers with the conversation: %v", linked)
	}
	if got, _ := linkedIDs(linked); len(got) != 1 || got[0] != "ticket:"+standalone+":Back-office" {
		t.Errorf("linked conversation's linked_objects = %v", got)
	}
	ct := apitest.ID(e.ticket(customer, contact2, nil))
	e.mustLink(standalone, ct)
	if got, total := linkedIDs(e.getTicket(standalone)); total != 2 || got[0] != "conversation:"+conv2+":" || got[1] != "ticket:"+ct+":Customer" {
		t.Errorf("standalone ticket after two links: %v (total %d)", got, total)
	}
	if got, _ := linkedIDs(e.getTicket(ct)); len(got) != 1 || got[0] != "ticket:"+standalone+":Back-office" {
		t.Errorf("the Customer ticket's linked_objects = %v", got)
	}

	// Unlinking: event on both sides, and the link is gone from both.
	un := e.MustDo(http.StatusOK, "DELETE", "/api/tickets/"+standalone+"/linked_conversations/"+conv2, nil)
	if _, total := linkedIDs(un); total != 0 {
		t.Errorf("unlinked conversation still shows links: %v", un["linked_objects"])
	}
	if !hasPart(parts(t, e.getConversation(conv2)), "unlinked_ticket", "") || !hasPart(ticketPartList(e.getTicket(standalone)), "unlinked_ticket", "") {
		t.Errorf("unlinking posts an event on both sides")
	}
	wantStatus(t, "unlink what is not linked", e.Do("DELETE", "/api/tickets/"+standalone+"/linked_conversations/"+conv2, nil), http.StatusNotFound, "")

	// What cannot be linked.
	wantStatus(t, "link from a Customer ticket", e.link(ct, conv2), http.StatusBadRequest, "Customer")
	wantStatus(t, "link to a Back-office ticket", e.link(standalone, id), http.StatusBadRequest, "Back-office")
	wantStatus(t, "link to itself", e.link(standalone, standalone), http.StatusBadRequest, "")
	wantStatus(t, "link twice", e.link(id, conv), http.StatusBadRequest, "already linked")
	wantStatus(t, "link an unknown conversation", e.link(standalone, "999999"), http.StatusNotFound, "Conversation")
	wantStatus(t, "link to an unknown ticket", e.link("999999", conv2), http.StatusNotFound, "Ticket")
	wantStatus(t, "link with no conversation_id", e.DoUnchecked("POST", "/api/tickets/"+standalone+"/linked_conversations", map[string]any{}), http.StatusBadRequest, "conversation_id")
	// "id" names the conversation too.
	if r := e.DoUnchecked("POST", "/api/tickets/"+standalone+"/linked_conversations", map[string]any{"id": conv2}); r.Status != http.StatusOK {
		t.Errorf("link by id: %d %s", r.Status, r.Body)
	}
}

func TestBO2_BackOfficeTicketsTakeInternalNotesOnly(t *testing.T) {
	e := startLinkEnv(t)
	bo := e.CreateTicketType("Refund", ticket.BackOffice, nil)
	tracker := e.CreateTicketType("Outage", ticket.Tracker, nil)
	customer := e.CreateTicketType("Question", ticket.Customer, nil)
	contact, conv := e.conversation()
	comment := func(id string) *apitest.Response {
		return e.reply(id, map[string]any{"type": "admin", "admin_id": e.admin, "message_type": "comment", "body": "Hello customer"})
	}
	contactReply := func(id string) *apitest.Response {
		return e.reply(id, map[string]any{"type": "user", "intercom_user_id": contact, "message_type": "comment", "body": "Any news?"})
	}
	for _, typ := range []ticket.Type{bo, tracker} {
		id := apitest.ID(e.ticket(typ, contact, map[string]any{"conversation_to_link_id": conv}))
		if typ.Category == ticket.Tracker {
			_, conv = e.conversation() // one tracker per conversation
		}
		wantStatus(t, string(typ.Category)+" ticket: teammate comment", comment(id), http.StatusBadRequest, "notes only")
		wantStatus(t, string(typ.Category)+" ticket: customer comment", contactReply(id), http.StatusBadRequest, "not shared")
		r := e.note(id, e.admin, "Checked the ledger", false)
		if r.Status != http.StatusOK {
			t.Fatalf("%s ticket: note: %d %s", typ.Category, r.Status, r.Body)
		}
		p := r.JSON()
		if p["type"] != "ticket_part" || p["part_type"] != "note" || p["body"] != "Checked the ledger" ||
			p["author"].(map[string]any)["id"] != e.admin || p["id"] == "" {
			t.Errorf("%s ticket: note answer = %v", typ.Category, p)
		}
		list := ticketPartList(e.getTicket(id))
		if hasPart(list, "comment", "") || !hasPart(list, "note", "Checked the ledger") {
			t.Errorf("%s ticket timeline = %v, want the note and no comment", typ.Category, list)
		}
	}
	// Customer-facing replies happen in the Customer ticket or conversation.
	ct := apitest.ID(e.ticket(customer, contact, nil))
	if r := comment(ct); r.Status != http.StatusOK || r.JSON()["part_type"] != "comment" {
		t.Errorf("Customer ticket: teammate comment: %d %s", r.Status, r.Body)
	}
	if r := contactReply(ct); r.Status != http.StatusOK || r.JSON()["author"].(map[string]any)["type"] != "user" {
		t.Errorf("Customer ticket: customer comment: %d %s", r.Status, r.Body)
	}
	// Bad requests.
	wantStatus(t, "no body", e.reply(ct, map[string]any{"type": "admin", "admin_id": e.admin, "message_type": "note"}), http.StatusBadRequest, "body")
	wantStatus(t, "quick_reply", e.reply(ct, map[string]any{"type": "admin", "admin_id": e.admin, "message_type": "quick_reply", "body": "x"}), http.StatusBadRequest, "message_type")
	wantStatus(t, "unknown admin", e.note(ct, "999999", "x", false), http.StatusNotFound, "Admin")
	wantStatus(t, "unknown ticket", e.note("999999", e.admin, "x", false), http.StatusNotFound, "Ticket")
	wantStatus(t, "a conversation is no ticket", e.note(conv, e.admin, "x", false), http.StatusNotFound, "Ticket")
}

func TestBO3_CrossPostedNoteGoesToEveryLinkedConversationAndCustomerTicketAsANote(t *testing.T) {
	e := startLinkEnv(t)
	bo := e.CreateTicketType("Refund", ticket.BackOffice, nil)
	customer := e.CreateTicketType("Question", ticket.Customer, nil)
	tracker := e.CreateTicketType("Outage", ticket.Tracker, nil)
	contact, conv := e.conversation()
	id := apitest.ID(e.ticket(bo, contact, map[string]any{"conversation_to_link_id": conv}))
	ct := apitest.ID(e.ticket(customer, contact, nil))
	e.mustLink(id, ct)
	_, unrelated := e.conversation()

	// Add note: to the Back-office ticket only.
	e.note(id, e.admin, "Only here", false)
	if hasPart(parts(t, e.getConversation(conv)), "note", "Only here") || hasPart(ticketPartList(e.getTicket(ct)), "note", "Only here") {
		t.Errorf("a note without cross_post reached a linked conversation or ticket")
	}

	// Cross-post note: to the ticket and, as an internal note naming the ticket, to each linked.
	r := e.note(id, e.admin, "Refund approved", true)
	if r.Status != http.StatusOK || r.JSON()["part_type"] != "note" {
		t.Fatalf("cross-post: %d %s", r.Status, r.Body)
	}
	if !hasPart(ticketPartList(e.getTicket(id)), "note", "Refund approved") {
		t.Errorf("the cross-posted note is not on the Back-office ticket")
	}
	convParts := parts(t, e.getConversation(conv))
	ctParts := ticketPartList(e.getTicket(ct))
	for name, list := range map[string][][2]string{"conversation": convParts, "Customer ticket": ctParts} {
		if !hasPart(list, "note", "Refund approved") || hasPart(list, "comment", "Refund approved") {
			t.Errorf("%s: parts %v, want the cross-posted note as a note and never as a comment", name, list)
		}
	}
	if hasPart(parts(t, e.getConversation(unrelated)), "note", "Refund approved") {
		t.Errorf("the note reached a conversation that is not linked")
	}
	ctx := context.Background()
	for _, target := range []string{conv, ct} {
		stored, err := e.DB.Read().Parts(ctx, idNum(t, target))
		if err != nil {
			t.Fatal(err)
		}
		last := stored[len(stored)-1]
		if last.Type != conversation.PartNote || last.SourceTicketID != idNum(t, id) || last.Author.ID != e.Admin.ID {
			t.Errorf("%s: cross-posted part = %+v, want a note by the teammate naming ticket %s", target, last, id)
		}
	}

	// Where cross_post does not apply.
	wantStatus(t, "cross-post a comment", e.reply(id, map[string]any{"type": "admin", "admin_id": e.admin, "message_type": "comment", "body": "x", "cross_post": true}), http.StatusBadRequest, "")
	tr := apitest.ID(e.ticket(tracker, "", nil))
	wantStatus(t, "cross-post from a tracker", e.note(tr, e.admin, "x", true), http.StatusBadRequest, "cross_post")
	wantStatus(t, "cross-post from a Customer ticket", e.note(ct, e.admin, "x", true), http.StatusBadRequest, "cross_post")
	// A refused cross-post writes nothing.
	if hasPart(ticketPartList(e.getTicket(tr)), "note", "x") {
		t.Errorf("a refused cross-post left a note")
	}
}

// changeState drives ST2 through PUT /tickets/{id} when it is served, else through package desk.
func (e *linkEnv) changeState(id string, stateID int64) {
	e.t.Helper()
	r := e.DoUnchecked("PUT", "/api/tickets/"+id, map[string]any{"ticket_state_id": itoa(stateID), "admin_id": e.admin})
	if r.Status == http.StatusOK {
		return
	}
	if !strings.Contains(r.ErrorMessage(), "no API path") {
		e.t.Fatalf("PUT /tickets/%s: %d %s", id, r.Status, r.Body)
	}
	d := desk.New(e.DB, e.Clock, nil)
	if _, err := d.ChangeState(context.Background(), idNum(e.t, id), e.Admin.ID, stateID); err != nil {
		e.t.Fatal(err)
	}
}

func TestBO4_StateChangeOfBackOfficeTicketPostsEventInEveryLinked(t *testing.T) {
	e := startLinkEnv(t)
	bo := e.CreateTicketType("Refund", ticket.BackOffice, nil)
	customer := e.CreateTicketType("Question", ticket.Customer, nil)
	contact, conv := e.conversation()
	id := apitest.ID(e.ticket(bo, contact, map[string]any{"conversation_to_link_id": conv}))
	ct := apitest.ID(e.ticket(customer, contact, nil))
	e.mustLink(id, ct)
	_, unrelated := e.conversation()
	states, err := e.DB.Read().TicketStates(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var inProgress ticket.State
	for _, s := range states {
		if s.Category == "in_progress" {
			inProgress = s
		}
	}
	e.changeState(id, inProgress.ID)
	const event = "linked_ticket_state_updated"
	if n := countParts(parts(t, e.getConversation(conv)), event); n != 1 {
		t.Errorf("linked conversation got %d state events, want 1: %v", n, parts(t, e.getConversation(conv)))
	}
	if n := countParts(ticketPartList(e.getTicket(ct)), event); n != 1 {
		t.Errorf("linked Customer ticket got %d state events, want 1", n)
	}
	if countParts(parts(t, e.getConversation(unrelated)), event) != 0 {
		t.Errorf("an unlinked conversation got the event")
	}
	// The events are internal: no comment reaches the customer.
	if hasPart(parts(t, e.getConversation(conv)), "comment", "") {
		t.Errorf("a state change posted a comment in the conversation")
	}
}

func TestBO5_CrossPostUnsnoozesOnlyWhenAssigneesDiffer(t *testing.T) {
	e := startLinkEnv(t)
	bo := e.CreateTicketType("Refund", ticket.BackOffice, nil)
	customer := e.CreateTicketType("Question", ticket.Customer, nil)
	back := e.CreateAdmin("back@example.com", "Bea Backoffice")
	front := e.Admin

	contact, other := e.conversation() // assigned to another teammate than the ticket: wakes
	_, same := e.conversation()        // assigned to the ticket's teammate: stays snoozed
	e.assign(other, itoa(front.ID))
	e.assign(same, itoa(back.ID))
	e.snooze(other)
	e.snooze(same)
	ct := apitest.ID(e.ticket(customer, contact, nil))
	e.snoozeTicket(ct, front.ID)

	id := apitest.ID(e.ticket(bo, contact, map[string]any{"conversation_to_link_id": other,
		"assignment": map[string]any{"admin_assignee_id": itoa(back.ID)}}))
	e.mustLink(id, same)
	e.mustLink(id, ct)

	// A note without cross_post wakes nobody.
	e.note(id, itoa(back.ID), "Looking into it", false)
	if c := e.getConversation(other); c["state"] != "snoozed" {
		t.Errorf("a plain note woke a linked conversation: %v", c["state"])
	}

	e.note(id, itoa(back.ID), "Refund sent", true)
	c := e.getConversation(other)
	if c["state"] != "open" || c["snoozed_until"] != nil {
		t.Errorf("conversation of another teammate: state %v snoozed_until %v, want open", c["state"], c["snoozed_until"])
	}
	if got := parts(t, c); len(got) < 2 || got[len(got)-2] != [2]string{"note", "Refund sent"} || got[len(got)-1][0] != "open" {
		t.Errorf("conversation of another teammate: parts %v, want the note then an open event", got)
	}
	c = e.getConversation(same)
	if c["state"] != "snoozed" || hasPart(parts(t, c), "open", "") {
		t.Errorf("conversation of the same teammate: state %v parts %v, want it snoozed", c["state"], parts(t, c))
	}
	if !hasPart(parts(t, c), "note", "Refund sent") {
		t.Errorf("conversation of the same teammate did not get the note")
	}
	if got := e.getTicket(ct); got["snoozed_until"] != nil || !hasPart(ticketPartList(got), "open", "") {
		t.Errorf("Customer ticket of another teammate: snoozed_until %v parts %v, want it open", got["snoozed_until"], ticketPartList(got))
	}
}

func TestBO6_SharingNeedsTheTypesAllowanceAndALinkedConversation(t *testing.T) {
	e := startLinkEnv(t)
	internal := e.CreateTicketType("Fraud investigation", ticket.BackOffice, nil)
	no := false
	sharable := e.CreateTicketType("Beta sign-up", ticket.BackOffice, &no)
	contact, conv := e.conversation()

	wantStatus(t, "share a ticket of a type that does not allow it",
		e.createTicket(internal, contact, map[string]any{"conversation_to_link_id": conv, "is_shared": true}), http.StatusBadRequest, "is_shared")
	wantStatus(t, "share a standalone ticket",
		e.createTicket(sharable, contact, map[string]any{"is_shared": true}), http.StatusBadRequest, "is_shared")

	// Enabling sharing on the type shares nothing by itself.
	unshared := e.ticket(sharable, contact, map[string]any{"conversation_to_link_id": conv})
	if unshared["is_shared"] != false {
		t.Errorf("a ticket of a sharable type not chosen to be shared: is_shared %v", unshared["is_shared"])
	}
	_, conv2 := e.conversation()
	shared := e.ticket(sharable, contact, map[string]any{"conversation_to_link_id": conv2, "is_shared": true})
	if shared["is_shared"] != true {
		t.Errorf("shared ticket: is_shared %v", shared["is_shared"])
	}
	// Sharing one has no effect on other tickets of the type.
	if got := e.getTicket(apitest.ID(unshared)); got["is_shared"] != false {
		t.Errorf("sharing a ticket shared another of its type")
	}
	_, conv3 := e.conversation()
	if later := e.ticket(sharable, contact, map[string]any{"conversation_to_link_id": conv3}); later["is_shared"] != false {
		t.Errorf("a later ticket of the type is shared without being chosen")
	}
	// A refused share wrote nothing: conv has one link, the unshared ticket.
	if got, total := linkedIDs(e.getConversation(conv)); total != 1 || got[0] != "ticket:"+apitest.ID(unshared)+":Back-office" {
		t.Errorf("conversation links after a refused share: %v", got)
	}
}

func TestBO7_OneSharedBackOfficeTicketPerConversation(t *testing.T) {
	e := startLinkEnv(t)
	no := false
	sharable := e.CreateTicketType("Beta sign-up", ticket.BackOffice, &no)
	contact, conv := e.conversation()
	first := apitest.ID(e.ticket(sharable, contact, map[string]any{"conversation_to_link_id": conv, "is_shared": true}))
	wantStatus(t, "second shared ticket from the conversation",
		e.createTicket(sharable, contact, map[string]any{"conversation_to_link_id": conv, "is_shared": true}), http.StatusBadRequest, "BO7")
	// An unshared one is fine.
	e.ticket(sharable, contact, map[string]any{"conversation_to_link_id": conv})

	// Linking a shared ticket to a conversation that has one already is refused too.
	_, conv2 := e.conversation()
	second := apitest.ID(e.ticket(sharable, contact, map[string]any{"conversation_to_link_id": conv2, "is_shared": true}))
	wantStatus(t, "link a second shared ticket to the conversation", e.link(second, conv), http.StatusBadRequest, "BO7")
	if got, total := linkedIDs(e.getConversation(conv)); total != 2 || !strings.Contains(strings.Join(got, " "), first) {
		t.Errorf("conversation links = %v", got)
	}
}

func TestBO8_BackOfficeTicketLinkedToCustomerTicketCannotBeShared(t *testing.T) {
	e := startLinkEnv(t)
	no := false
	sharable := e.CreateTicketType("Beta sign-up", ticket.BackOffice, &no)
	customer := e.CreateTicketType("Question", ticket.Customer, nil)
	contact, conv := e.conversation()
	ct := apitest.ID(e.ticket(customer, contact, nil))

	wantStatus(t, "shared ticket created from a Customer ticket",
		e.createTicket(sharable, contact, map[string]any{"conversation_to_link_id": ct, "is_shared": true}), http.StatusBadRequest, "BO8")
	shared := apitest.ID(e.ticket(sharable, contact, map[string]any{"conversation_to_link_id": conv, "is_shared": true}))
	wantStatus(t, "shared ticket linked to a Customer ticket", e.link(shared, ct), http.StatusBadRequest, "BO8")
	// Unshared, it links.
	unshared := apitest.ID(e.ticket(sharable, contact, map[string]any{"conversation_to_link_id": ct}))
	if got, _ := linkedIDs(e.getTicket(ct)); len(got) != 1 || got[0] != "ticket:"+unshared+":Back-office" {
		t.Errorf("Customer ticket links = %v", got)
	}
}

func TestBO9_OnlySharedTicketsCanBeTagged(t *testing.T) {
	e := startLinkEnv(t)
	no := false
	sharable := e.CreateTicketType("Beta sign-up", ticket.BackOffice, &no)
	customer := e.CreateTicketType("Question", ticket.Customer, nil)
	tag := apitest.ID(e.MustDo(http.StatusOK, "POST", "/api/tags", map[string]any{"name": "beta"}))
	contact, conv := e.conversation()
	shared := apitest.ID(e.ticket(sharable, contact, map[string]any{"conversation_to_link_id": conv, "is_shared": true}))
	unshared := apitest.ID(e.ticket(sharable, contact, map[string]any{"conversation_to_link_id": conv}))
	ct := apitest.ID(e.ticket(customer, contact, nil))
	tagReq := map[string]any{"id": tag, "admin_id": e.admin}

	wantStatus(t, "tag an unshared Back-office ticket", e.Do("POST", "/api/tickets/"+unshared+"/tags", tagReq), http.StatusBadRequest, "BO9")
	for _, id := range []string{shared, ct} {
		got := e.MustDo(http.StatusOK, "POST", "/api/tickets/"+id+"/tags", tagReq)
		if got["type"] != "tag" || apitest.ID(got) != tag || got["name"] != "beta" || got["applied_by"].(map[string]any)["id"] != e.admin {
			t.Errorf("tag answer = %v", got)
		}
	}
	tags, err := e.DB.Read().ConversationTags(context.Background(), idNum(t, shared), idNum(t, unshared))
	if err != nil {
		t.Fatal(err)
	}
	if len(tags[idNum(t, shared)]) != 1 || len(tags[idNum(t, unshared)]) != 0 {
		t.Errorf("tags stored: shared %v, unshared %v", tags[idNum(t, shared)], tags[idNum(t, unshared)])
	}
	e.MustDo(http.StatusOK, "DELETE", "/api/tickets/"+shared+"/tags/"+tag, map[string]any{"admin_id": e.admin})
	wantStatus(t, "remove a tag that is not there", e.Do("DELETE", "/api/tickets/"+shared+"/tags/"+tag, map[string]any{"admin_id": e.admin}), http.StatusNotFound, "")
	wantStatus(t, "unknown tag", e.Do("POST", "/api/tickets/"+shared+"/tags", map[string]any{"id": "999999", "admin_id": e.admin}), http.StatusNotFound, "Tag")
	wantStatus(t, "unknown ticket", e.Do("POST", "/api/tickets/999999/tags", tagReq), http.StatusNotFound, "Ticket")
	wantStatus(t, "a conversation is no ticket", e.Do("POST", "/api/tickets/"+conv+"/tags", tagReq), http.StatusNotFound, "Ticket")
	wantStatus(t, "no admin_id", e.Do("POST", "/api/tickets/"+shared+"/tags", map[string]any{"id": tag}), http.StatusBadRequest, "admin_id")
}

func TestBO10_SharedBackOfficeTicketLooksLikeACustomerTicket(t *testing.T) {
	e := startLinkEnv(t)
	no := false
	sharable := e.CreateTicketType("Beta sign-up", ticket.BackOffice, &no)
	backOffice := e.CreateAdmin("back@example.com", "Bea Backoffice")
	team := e.CreateTeam("Back office", backOffice.ID)
	contact, conv := e.conversation()
	e.assign(conv, e.admin) // the front-line teammate
	id := apitest.ID(e.ticket(sharable, contact, map[string]any{"conversation_to_link_id": conv, "is_shared": true,
		"assignment": map[string]any{"team_assignee_id": itoa(team.ID)}}))

	tk := e.getTicket(id)
	if tk["is_shared"] != true || tk["team_assignee_id"] != float64(team.ID) {
		t.Errorf("shared Back-office ticket: is_shared %v team %v", tk["is_shared"], tk["team_assignee_id"])
	}
	// The teammate sees two linked objects: the conversation (front line) and the ticket (back office).
	c := e.getConversation(conv)
	if got, _ := linkedIDs(c); len(got) != 1 || got[0] != "ticket:"+id+":Back-office" || c["admin_assignee_id"] != float64(e.Admin.ID) {
		t.Errorf("conversation: linked %v, assignee %v", got, c["admin_assignee_id"])
	}
	if got, _ := linkedIDs(tk); len(got) != 1 || got[0] != "conversation:"+conv+":" {
		t.Errorf("ticket: linked %v", got)
	}
	// The customer takes part as in a Customer ticket: teammates comment, the customer answers.
	if r := e.reply(id, map[string]any{"type": "admin", "admin_id": e.admin, "message_type": "comment", "body": "You're in the beta"}); r.Status != http.StatusOK {
		t.Errorf("teammate comment on a shared ticket: %d %s", r.Status, r.Body)
	}
	if r := e.reply(id, map[string]any{"type": "user", "intercom_user_id": contact, "message_type": "comment", "body": "Thanks"}); r.Status != http.StatusOK {
		t.Errorf("customer comment on a shared ticket: %d %s", r.Status, r.Body)
	}
}

func TestTR1_TrackerTicketsAreNeverSharedTaggedOrCommented(t *testing.T) {
	e := startLinkEnv(t)
	tracker := e.CreateTicketType("Outage", ticket.Tracker, nil)
	contact, conv := e.conversation()
	wantStatus(t, "shared tracker", e.createTicket(tracker, contact, map[string]any{"conversation_to_link_id": conv, "is_shared": true}), http.StatusBadRequest, "TR1")
	tk := e.ticket(tracker, contact, map[string]any{"conversation_to_link_id": conv})
	id := apitest.ID(tk)
	if tk["is_shared"] != false {
		t.Errorf("tracker is_shared = %v", tk["is_shared"])
	}
	tag := apitest.ID(e.MustDo(http.StatusOK, "POST", "/api/tags", map[string]any{"name": "outage"}))
	wantStatus(t, "tag a tracker", e.Do("POST", "/api/tickets/"+id+"/tags", map[string]any{"id": tag, "admin_id": e.admin}), http.StatusBadRequest, "")
	wantStatus(t, "teammate comment on a tracker", e.reply(id, map[string]any{"type": "admin", "admin_id": e.admin, "message_type": "comment", "body": "x"}), http.StatusBadRequest, "")
	wantStatus(t, "customer comment on a tracker", e.reply(id, map[string]any{"type": "user", "intercom_user_id": contact, "message_type": "comment", "body": "x"}), http.StatusBadRequest, "")
	if r := e.note(id, e.admin, "Root cause: DNS", false); r.Status != http.StatusOK {
		t.Errorf("note on a tracker: %d %s", r.Status, r.Body)
	}
}

func TestTR2_OneTrackerPerConversation(t *testing.T) {
	e := startLinkEnv(t)
	tracker := e.CreateTicketType("Outage", ticket.Tracker, nil)
	bo := e.CreateTicketType("Refund", ticket.BackOffice, nil)
	customer := e.CreateTicketType("Question", ticket.Customer, nil)
	contact, conv := e.conversation()
	// A tracker created for a new issue from a conversation, and an existing tracker linked
	// from the tracker's side.
	t1 := apitest.ID(e.ticket(tracker, contact, map[string]any{"conversation_to_link_id": conv}))
	t2 := apitest.ID(e.ticket(tracker, "", nil))
	wantStatus(t, "a second tracker for the conversation", e.link(t2, conv), http.StatusBadRequest, "tracker")
	wantStatus(t, "a second tracker created from the conversation",
		e.createTicket(tracker, contact, map[string]any{"conversation_to_link_id": conv}), http.StatusBadRequest, "")
	ct := apitest.ID(e.ticket(customer, contact, nil))
	e.mustLink(t1, ct)
	wantStatus(t, "a second tracker for the Customer ticket", e.link(t2, ct), http.StatusBadRequest, "tracker")
	// Back-office tickets are not trackers: they link alongside.
	e.ticket(bo, contact, map[string]any{"conversation_to_link_id": conv})
	// Moved from one tracker to another.
	e.MustDo(http.StatusOK, "DELETE", "/api/tickets/"+t1+"/linked_conversations/"+conv, nil)
	e.mustLink(t2, conv)
	if got, _ := linkedIDs(e.getConversation(conv)); !strings.Contains(strings.Join(got, " "), "ticket:"+t2+":Tracker") ||
		strings.Contains(strings.Join(got, " "), t1) {
		t.Errorf("conversation links after the move = %v", got)
	}

	// Racing trackers: exactly one gets the conversation.
	_, contested := e.conversation()
	trackers := make([]string, 6)
	for i := range trackers {
		trackers[i] = apitest.ID(e.ticket(tracker, "", nil))
	}
	var wg sync.WaitGroup
	statuses := make([]int, len(trackers))
	for i, tr := range trackers {
		wg.Go(func() { statuses[i] = e.link(tr, contested).Status })
	}
	wg.Wait()
	won := 0
	for _, s := range statuses {
		if s == http.StatusOK {
			won++
		} else if s != http.StatusBadRequest {
			t.Errorf("racing link answered %d", s)
		}
	}
	if _, total := linkedIDs(e.getConversation(contested)); won != 1 || total != 1 {
		t.Errorf("racing trackers: %d won, conversation has %d links; want 1 and 1 (%v)", won, total, statuses)
	}
}

func TestTR3_TrackerListsEveryLinkedConversationAndCustomerTicket(t *testing.T) {
	e := startLinkEnv(t)
	tracker := e.CreateTicketType("Outage", ticket.Tracker, nil)
	customer := e.CreateTicketType("Question", ticket.Customer, nil)
	contact, first := e.conversation()
	id := apitest.ID(e.ticket(tracker, contact, map[string]any{"conversation_to_link_id": first}))
	want := []string{"conversation:" + first + ":"}
	for range 2 {
		_, c := e.conversation()
		e.mustLink(id, c)
		want = append(want, "conversation:"+c+":")
	}
	ct := apitest.ID(e.ticket(customer, contact, nil))
	e.mustLink(id, ct)
	want = append(want, "ticket:"+ct+":Customer")

	tk := e.getTicket(id)
	got, total := linkedIDs(tk)
	if total != 4 || strings.Join(got, " ") != strings.Join(want, " ") || tk["linked_objects"].(map[string]any)["has_more"] != false {
		t.Errorf("tracker linked_objects = %v (total %d), want %v", got, total, want)
	}
	for _, w := range want {
		id2 := strings.Split(w, ":")[1]
		var obj map[string]any
		if strings.HasPrefix(w, "ticket:") {
			obj = e.getTicket(id2)
		} else {
			obj = e.getConversation(id2)
		}
		if l, _ := linkedIDs(obj); len(l) != 1 || l[0] != "ticket:"+id+":Tracker" {
			t.Errorf("%s shows links %v, want the tracker", w, l)
		}
	}
	// Teammates collaborate in it with notes.
	if r := e.note(id, e.admin, "Rolled back the deploy", false); r.Status != http.StatusOK {
		t.Errorf("note on the tracker: %d %s", r.Status, r.Body)
	}

	// Past Intercom's 1,000 shown, total_count still counts them all.
	ctx := context.Background()
	tr, err := e.DB.Read().Ticket(ctx, idNum(t, id))
	if err != nil {
		t.Fatal(err)
	}
	err = e.DB.Tx(ctx, func(tx *store.Tx) error {
		return tx.CreateLinkedConversations(ctx, tr, idNum(t, contact), 1200, e.Clock.Now())
	})
	if err != nil {
		t.Fatal(err)
	}
	lo := e.getTicket(id)["linked_objects"].(map[string]any)
	if lo["total_count"] != float64(1204) || len(lo["data"].([]any)) != 1000 || lo["has_more"] != true {
		t.Errorf("tracker with 1,204 links: total_count %v, %d shown, has_more %v", lo["total_count"], len(lo["data"].([]any)), lo["has_more"])
	}
}

func TestTR4_BroadcastPostsACommentInEachLinkedAuthoredByTheTeammate(t *testing.T) {
	e := startLinkEnv(t)
	tracker := e.CreateTicketType("Outage", ticket.Tracker, nil)
	bo := e.CreateTicketType("Refund", ticket.BackOffice, nil)
	customer := e.CreateTicketType("Question", ticket.Customer, nil)
	lead := e.CreateAdmin("lead@example.com", "Lee Lead")
	contact, c1 := e.conversation()
	id := apitest.ID(e.ticket(tracker, contact, map[string]any{"conversation_to_link_id": c1}))
	_, c2 := e.conversation()
	e.mustLink(id, c2)
	e.snooze(c2)
	ct := apitest.ID(e.ticket(customer, contact, nil))
	e.mustLink(id, ct)
	_, unrelated := e.conversation()

	const body = "<p>The outage is over.</p>"
	r := e.broadcast(id, itoa(lead.ID), body)
	if r.Status != http.StatusOK {
		t.Fatalf("broadcast: %d %s", r.Status, r.Body)
	}
	if got := r.JSON(); got["type"] != "broadcast" || got["ticket_id"] != id || got["reached"] != float64(3) {
		t.Errorf("broadcast answer = %v", got)
	}
	for _, c := range []string{c1, c2} {
		last := lastPart(t, e.getConversation(c))
		if last["part_type"] != "comment" || last["body"] != body || last["author"].(map[string]any)["id"] != itoa(lead.ID) ||
			last["author"].(map[string]any)["type"] != "admin" {
			t.Errorf("conversation %s: last part %v, want the broadcast comment by %d", c, last, lead.ID)
		}
	}
	if list := ticketPartList(e.getTicket(ct)); list[len(list)-1] != [2]string{"comment", body} {
		t.Errorf("Customer ticket: parts %v, want the broadcast comment last", list)
	}
	if hasPart(parts(t, e.getConversation(unrelated)), "comment", body) {
		t.Errorf("the broadcast reached a conversation that is not linked")
	}
	// The tracker keeps the record, as an internal note.
	if list := ticketPartList(e.getTicket(id)); list[len(list)-1][0] != "note" || !strings.Contains(list[len(list)-1][1], body) {
		t.Errorf("tracker: parts %v, want a note of the broadcast", list)
	}

	// Only trackers broadcast; bad requests write nothing.
	boID := apitest.ID(e.ticket(bo, contact, map[string]any{"conversation_to_link_id": c1}))
	wantStatus(t, "broadcast from a Back-office ticket", e.broadcast(boID, e.admin, "x"), http.StatusBadRequest, "Tracker")
	wantStatus(t, "broadcast from a Customer ticket", e.broadcast(ct, e.admin, "x"), http.StatusBadRequest, "Tracker")
	wantStatus(t, "broadcast with no body", e.broadcast(id, e.admin, " "), http.StatusBadRequest, "body")
	wantStatus(t, "broadcast with no admin", e.Do("POST", "/api/tickets/"+id+"/broadcast", map[string]any{"body": "x"}), http.StatusBadRequest, "admin_id")
	wantStatus(t, "broadcast by an unknown admin", e.broadcast(id, "999999", "x"), http.StatusNotFound, "Admin")
	wantStatus(t, "broadcast from an unknown ticket", e.broadcast("999999", e.admin, "x"), http.StatusNotFound, "Ticket")
	if hasPart(parts(t, e.getConversation(c1)), "comment", "x") {
		t.Errorf("a refused broadcast posted a comment")
	}
	// A tracker with no links reaches nobody.
	if got := e.MustDo(http.StatusOK, "POST", "/api/tickets/"+apitest.ID(e.ticket(tracker, "", nil))+"/broadcast",
		map[string]any{"admin_id": e.admin, "body": "x"}); got["reached"] != float64(0) {
		t.Errorf("broadcast with no links: %v", got)
	}
}

func TestTR5_BroadcastToAHundredThousandLinkedConversations(t *testing.T) {
	if testing.Short() {
		t.Skip("100,000 links: not under -short")
	}
	e := startLinkEnv(t)
	n := 100_000
	switch {
	case linkTestRace && e.DB.Dialect() == store.SQLite:
		n = 5_000 // the race detector slows the SQLite driver (C translated to Go) some thirtyfold
	case linkTestRace:
		n = 20_000
	}
	tracker := e.CreateTicketType("Outage", ticket.Tracker, nil)
	contact, conv := e.conversation()
	id := apitest.ID(e.ticket(tracker, contact, map[string]any{"conversation_to_link_id": conv}))
	ctx := context.Background()
	tr, err := e.DB.Read().Ticket(ctx, idNum(t, id))
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if err := e.DB.Tx(ctx, func(tx *store.Tx) error {
		return tx.CreateLinkedConversations(ctx, tr, idNum(t, contact), n-1, e.Clock.Now())
	}); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d links made in %v", n, time.Since(start))
	// Linking still works at that size, and the tracker still answers.
	_, last := e.conversation()
	e.mustLink(id, last)
	n++
	if lo := e.getTicket(id)["linked_objects"].(map[string]any); lo["total_count"] != float64(n) {
		t.Errorf("total_count = %v, want %d", lo["total_count"], n)
	}

	const body = "<p>Fixed for everyone.</p>"
	start = time.Now()
	r := e.broadcast(id, e.admin, body)
	t.Logf("broadcast to %d in %v", n, time.Since(start))
	if r.Status != http.StatusOK || r.JSON()["reached"] != float64(n) {
		t.Fatalf("broadcast: %d %s, want reached %d", r.Status, r.Body, n)
	}
	got, err := e.DB.Read().CountLinkedWithPart(ctx, idNum(t, id), conversation.PartComment, body)
	if err != nil {
		t.Fatal(err)
	}
	if got != int64(n) {
		t.Errorf("%d of %d linked conversations have the comment", got, n)
	}
	if p := lastPart(t, e.getConversation(last)); p["body"] != body || p["part_type"] != "comment" {
		t.Errorf("last linked conversation: last part %v", p)
	}
}

func idNum(t *testing.T, id string) int64 {
	t.Helper()
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil {
		t.Fatalf("id %q: %v", id, err)
	}
	return n
}

// TestAPI1_TicketLinkOperationsAnswerInIntercomsShape drives the ticket operations of this file
// as an Intercom client would, and checks that each answered a success matching Intercom's
// description (the contract check of apitest); TestAPI1_EveryIntercomOperation... covers them
// once its list has them.
func TestAPI1_TicketLinkOperationsAnswerInIntercomsShape(t *testing.T) {
	e := startLinkEnv(t)
	matched := map[string]bool{}
	e.Exchanges = func(method, path string, status int) {
		if status < 300 {
			matched[method+" "+path] = true
		}
	}
	no := false
	bo := e.CreateTicketType("Beta sign-up", ticket.BackOffice, &no)
	tracker := e.CreateTicketType("Outage", ticket.Tracker, nil)
	contact, conv := e.conversation()
	shared := apitest.ID(e.ticket(bo, contact, map[string]any{"conversation_to_link_id": conv, "is_shared": true}))
	tr := apitest.ID(e.ticket(tracker, "", nil))
	tag := apitest.ID(e.MustDo(http.StatusOK, "POST", "/api/tags", map[string]any{"name": "beta"}))

	e.MustDo(http.StatusOK, "POST", "/api/tickets/"+tr+"/linked_conversations", map[string]any{"conversation_id": conv})
	e.MustDo(http.StatusOK, "DELETE", "/api/tickets/"+tr+"/linked_conversations/"+conv, nil)
	e.MustDo(http.StatusOK, "POST", "/api/tickets/"+shared+"/reply", map[string]any{"message_type": "note", "type": "admin", "admin_id": e.admin, "body": "x", "cross_post": true})
	e.MustDo(http.StatusOK, "POST", "/api/tickets/"+shared+"/reply", map[string]any{"message_type": "comment", "type": "user", "intercom_user_id": contact, "body": "Thanks"})
	e.MustDo(http.StatusOK, "POST", "/api/tickets/"+shared+"/tags", map[string]any{"id": tag, "admin_id": e.admin})
	e.MustDo(http.StatusOK, "DELETE", "/api/tickets/"+shared+"/tags/"+tag, map[string]any{"admin_id": e.admin})

	for _, op := range []string{
		"POST /api/tickets/" + tr + "/linked_conversations",
		"DELETE /api/tickets/" + tr + "/linked_conversations/" + conv,
		"POST /api/tickets/" + shared + "/reply",
		"POST /api/tickets/" + shared + "/tags",
		"DELETE /api/tickets/" + shared + "/tags/" + tag,
	} {
		if !matched[op] {
			t.Errorf("%s: no success matched Intercom's description", op)
		}
	}
}
