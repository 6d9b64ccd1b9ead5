package messenger_test

import (
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/helpdesk/helpdesk/internal/ticket"
)

// TestM2_ThreadShowsCommentsAndCustomerVisibleEventsOnly: a thread shows its comments (the
// teammate's, the customer's, a tracker's broadcast) and the events customers see (a ticket
// submitted, its state by its external label), never a note, an assignment, an internal label,
// a tracker or an unshared Back-office ticket (N5). Stored HTML is sanitised when shown.
func TestM2_ThreadShowsCommentsAndCustomerVisibleEventsOnly(t *testing.T) {
	e := start(t)
	question := e.CreateTicketType("Question", ticket.Customer, nil)
	tracker := e.CreateTicketType("Incident-77", ticket.Tracker, nil)
	refunds := e.CreateTicketType("Refund check", ticket.BackOffice, nil) // never shared
	c := e.signIn("u-1", "casey@example.com", "Casey")
	casey := e.contactID("u-1")
	bea := e.CreateAdmin("bea@example.com", "Bea Teammate")

	// A conversation, with everything a teammate may do in it.
	conv := c.startConversation("My printer is on fire")
	e.comment(conv, "<p>Have you tried water?</p>")
	e.MustDo(http.StatusOK, "PUT", "/api/conversations/"+conv, map[string]any{"title": "Internal title: fire hazard"})
	e.note(conv, "<p>Internal: customer is VIP</p>")
	e.MustDo(http.StatusOK, "POST", "/api/conversations/"+conv+"/parts", map[string]any{
		"message_type": "assignment", "type": "admin", "admin_id": itoa(e.Admin.ID), "assignee_id": itoa(bea.ID), "body": "<p>Assigned for the secret reason</p>"})
	e.comment(conv, `<p>Look <a href="javascript:alert(1)" onclick="steal()">here</a></p><script>alert(2)</script><img src="https://example.com/x.png" onerror="alert(3)">`)
	trackerID := e.createTicket(tracker, casey, "Tracker title secret", "Root cause unknown", map[string]any{"conversation_to_link_id": conv})
	e.ticketReply(trackerID, "note", "<p>Tracker note secret</p>")
	e.MustDo(http.StatusOK, "POST", "/api/tickets/"+trackerID+"/broadcast", map[string]any{"admin_id": itoa(e.Admin.ID), "body": "<p>The outage is fixed</p>"})
	boID := e.createTicket(refunds, casey, "Refund check secret", "", map[string]any{"conversation_to_link_id": conv})
	e.setState(boID, ticket.WaitingOnCustomer)
	if r := c.post("/c/"+conv+"/reply", url.Values{"body": {"Thanks!\n\nIt worked."}}); r.Status != http.StatusSeeOther {
		t.Fatalf("customer reply: %d %s", r.Status, r.Body)
	}

	p := c.mustGet("/c/" + conv)
	text := html.UnescapeString(p.Body)
	for _, want := range []string{"My printer is on fire", "Have you tried water?", "Olive Owner", "The outage is fixed", "<p>Thanks!</p><p>It worked.</p>", "Look here", `src="https://example.com/x.png"`} {
		if !strings.Contains(text, want) {
			t.Errorf("conversation: missing %q", want)
		}
	}
	for _, secret := range []string{"VIP", "secret reason", "Internal title", "Tracker title secret", "Incident-77", "Root cause", "Tracker note secret",
		"Refund check", "Waiting on", "Bea Teammate", "javascript:", "onclick", "<script>", "alert(2)", "onerror", "steal()"} {
		if strings.Contains(text, secret) {
			t.Errorf("conversation shows %q", secret)
		}
	}
	if strings.Contains(p.Body, `id="ticket-card"`) {
		t.Error("a conversation with no shared ticket shows a ticket card")
	}
	// The part list the live updates load is the same.
	if frag := c.mustGet("/c/" + conv + "/parts?after=0"); !frag.has("Have you tried water?") || frag.has("VIP") || frag.has("secret reason") {
		t.Errorf("parts fragment: %s", frag.Body)
	}

	// A Customer ticket: the card at the top, its events in words, its external labels only.
	id := e.createTicket(question, casey, "Refund please", "<p>Order <strong>42</strong> arrived broken</p><script>alert(4)</script>", nil)
	e.ticketReply(id, "comment", "<p>We are on it</p>")
	e.ticketReply(id, "note", "<p>Secret refund note</p>")
	e.setState(id, ticket.InProgress)
	e.setState(id, ticket.WaitingOnCustomer)
	number := num(e.MustDo(http.StatusOK, "GET", "/api/tickets/"+id, nil)["ticket_id"])

	p = c.mustGet("/c/" + id)
	text = html.UnescapeString(p.Body)
	card := text[strings.Index(text, `id="ticket-card"`):strings.Index(text, `id="timeline"`)]
	for _, want := range []string{"Refund please", "Ticket #" + itoa(number), "Question", "Waiting on you", "<strong>42</strong>"} {
		if !strings.Contains(card, want) {
			t.Errorf("ticket card: missing %q in %s", want, card)
		}
	}
	for _, want := range []string{"Ticket submitted", "Status changed to In progress", "Status changed to Waiting on you", "We are on it"} {
		if !strings.Contains(text, want) {
			t.Errorf("ticket thread: missing %q", want)
		}
	}
	for _, secret := range []string{"Secret refund note", "Waiting on customer", "<script>", "alert(4)"} {
		if strings.Contains(text, secret) {
			t.Errorf("ticket thread shows %q", secret)
		}
	}
	// The customer answers in the ticket.
	if r := c.post("/c/"+id+"/reply", url.Values{"body": {"Here is a photo"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("reply on the ticket: %d %s", r.Status, r.Body)
	}
	parts := e.MustDo(http.StatusOK, "GET", "/api/tickets/"+id, nil)["ticket_parts"].(map[string]any)["ticket_parts"].([]any)
	last := parts[len(parts)-1].(map[string]any)
	if last["body"] != "<p>Here is a photo</p>" || last["author"].(map[string]any)["id"] != casey {
		t.Errorf("the customer's reply on the ticket: %v", last)
	}
	// A blank reply is refused, on the page.
	if r := c.post("/c/"+id+"/reply", url.Values{"body": {"  "}}); r.Status != http.StatusUnprocessableEntity || !r.has("Please write your reply first.") {
		t.Errorf("blank reply: %d", r.Status)
	}

	// Not the customer's, not a thread customers see, not there: all alike, 404.
	other := e.signIn("u-2", "dana@example.com", "Dana")
	danaConv := other.startConversation("Dana's own question")
	for _, path := range []string{"/c/" + trackerID, "/c/" + boID, "/c/" + danaConv, "/c/999999", "/c/abc", "/c/" + trackerID + "/parts",
		"/c/" + danaConv + "/parts?after=0"} {
		if p := c.get(path); p.Status != http.StatusNotFound || p.has("Dana") || p.has("Tracker title") {
			t.Errorf("GET %s: %d, want 404", path, p.Status)
		}
	}
	for _, path := range []string{"/c/" + trackerID + "/reply", "/c/" + danaConv + "/reply", "/c/" + boID + "/reply"} {
		if p := c.post(path, url.Values{"body": {"let me in"}}); p.Status != http.StatusNotFound {
			t.Errorf("POST %s: %d, want 404", path, p.Status)
		}
	}
	dana := e.MustDo(http.StatusOK, "GET", "/api/conversations/"+danaConv, nil)
	if n := len(dana["conversation_parts"].(map[string]any)["conversation_parts"].([]any)); n != 0 {
		t.Errorf("Casey wrote in Dana's conversation: %d parts", n)
	}

	// The lists: Messages has both threads, Tickets the ticket, with the portal banner (P7).
	if m := c.mustGet("/messages"); !m.has("My printer is on fire") || !m.has("Refund please") || m.has("Dana") || m.has("Internal title") {
		t.Errorf("messages list: %s", m.Body)
	}
	tickets := c.mustGet("/tickets")
	if !tickets.has("Refund please") || tickets.has("My printer is on fire") || tickets.has("Tracker title") ||
		!tickets.has(`href="/portal/login?session=`+strings.TrimPrefix(c.base, "/messenger/s/")+`"`) {
		t.Errorf("tickets space: %s", tickets.Body)
	}
}
