package inbox_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/helpdesk/helpdesk/internal/apitest"
	"github.com/helpdesk/helpdesk/internal/conversation"
	"github.com/helpdesk/helpdesk/internal/store"
	"github.com/helpdesk/helpdesk/internal/ticket"
)

// thrConversation starts a conversation from contact through the API.
func thrConversation(t *testing.T, e *env, contact store.Contact, body string) int64 {
	t.Helper()
	msg := e.MustDo(http.StatusOK, "POST", "/api/conversations", map[string]any{
		"from": map[string]any{"type": "user", "id": strconv.FormatInt(contact.ID, 10)}, "body": body})
	id, err := strconv.ParseInt(fmt.Sprint(msg["conversation_id"]), 10, 64)
	if err != nil {
		t.Fatalf("POST /conversations: %v", msg)
	}
	return id
}

// thrTicket creates a ticket of typ for contacts through the API, with extra request members.
func thrTicket(t *testing.T, e *env, typ ticket.Type, title string, extra map[string]any, contacts ...store.Contact) int64 {
	t.Helper()
	refs := []any{}
	for _, c := range contacts {
		refs = append(refs, map[string]any{"id": strconv.FormatInt(c.ID, 10)})
	}
	body := map[string]any{"ticket_type_id": strconv.FormatInt(typ.ID, 10), "contacts": refs,
		"ticket_attributes": map[string]any{"_default_title_": title, "_default_description_": "<p>First words</p>"}}
	for k, v := range extra {
		body[k] = v
	}
	tk := e.MustDo(http.StatusOK, "POST", "/api/tickets", body)
	id, err := strconv.ParseInt(apitest.ID(tk), 10, 64)
	if err != nil {
		t.Fatalf("POST /tickets: %v", tk)
	}
	return id
}

// thrBackOffice is an unshared Back-office ticket linked to a new conversation of a new contact.
func thrBackOffice(t *testing.T, e *env, title, message string) (ticketID, conversationID int64) {
	t.Helper()
	contact := e.CreateContact("ana@example.com", "Ana Customer")
	conversationID = thrConversation(t, e, contact, message)
	typ := e.CreateTicketType("Refund request", ticket.BackOffice, nil)
	ticketID = thrTicket(t, e, typ, title, map[string]any{"conversation_to_link_id": strconv.FormatInt(conversationID, 10)}, contact)
	return ticketID, conversationID
}

func thrStates(t *testing.T, e *env) map[ticket.StateCategory]int64 {
	t.Helper()
	states, err := e.DB.Read().TicketStates(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	out := map[ticket.StateCategory]int64{}
	for _, s := range states {
		out[s.Category] = s.ID
	}
	return out
}

func thrLoadTicket(t *testing.T, e *env, id int64) ticket.Ticket {
	t.Helper()
	tk, err := e.DB.Read().Ticket(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return tk
}

func thrLoadConversation(t *testing.T, e *env, id int64) conversation.Conversation {
	t.Helper()
	c, err := e.DB.Read().Conversation(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func thrCompany(t *testing.T, e *env, companyID, name string, members ...store.Contact) int64 {
	t.Helper()
	co := e.MustDo(http.StatusOK, "POST", "/api/companies", map[string]any{"company_id": companyID, "name": name})
	for _, c := range members {
		e.MustDo(http.StatusOK, "POST", fmt.Sprintf("/api/contacts/%d/companies", c.ID), map[string]any{"id": apitest.ID(co)})
	}
	id, _ := strconv.ParseInt(apitest.ID(co), 10, 64)
	return id
}

// thrPage gets a page and fails unless it answers 200.
func thrPage(t *testing.T, c *client, path string) string {
	t.Helper()
	r := c.get(path)
	if r.status != http.StatusOK {
		t.Fatalf("GET %s: %d %s", path, r.status, r.body)
	}
	return r.body
}

// thrPost posts a form as a plain browser would: a change answers 303 back to the page.
func thrPost(t *testing.T, c *client, path string, form url.Values, want int) response {
	t.Helper()
	r := c.post(path, form)
	if r.status != want {
		t.Fatalf("POST %s %v: %d, want %d: %s", path, form, r.status, want, thrExcerpt(r.body))
	}
	return r
}

// thrExcerpt is the start of a page's main, for messages.
func thrExcerpt(body string) string {
	if i := strings.Index(body, `<main id="main">`); i >= 0 {
		body = body[i:]
	}
	if len(body) > 3000 {
		body = body[:3000]
	}
	return body
}

// thrHas fails unless the page has every one of want.
func thrHas(t *testing.T, what, body string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(body, w) {
			t.Errorf("%s lacks %q", what, w)
		}
	}
}

// thrHasNot fails if the page has any of unwanted.
func thrHasNot(t *testing.T, what, body string, unwanted ...string) {
	t.Helper()
	for _, w := range unwanted {
		if strings.Contains(body, w) {
			t.Errorf("%s has %q", what, w)
		}
	}
}

// thrErrorNear tells whether message is shown in the control's region of the page: between the
// marker (an id or name of the control) and the next form.
func thrErrorNear(body, marker, message string) bool {
	i := strings.Index(body, marker)
	if i < 0 {
		return false
	}
	rest := body[i:]
	j := strings.Index(rest, message)
	if j < 0 {
		return false
	}
	return !strings.Contains(rest[:j], "<form") || strings.Count(rest[:j], "<form") <= 1
}

func TestIN2_TicketOpensWithTitleDescriptionAttributesStateTimelineAndSidebar(t *testing.T) {
	e := start(t)
	c := e.signedIn(t)
	ana := e.CreateContact("ana@example.com", "Ana Customer")
	acme := thrCompany(t, e, "acme", "Acme Ltd", ana)
	typ := e.CreateTicketType("Delivery problem", ticket.Customer, nil,
		ticket.Attribute{Name: "Priority", DataType: ticket.List, ListItems: []string{"Low", "High"}, VisibleOnCreate: true},
		ticket.Attribute{Name: "Order number", DataType: ticket.Integer, VisibleOnCreate: true, Description: "As on the invoice"},
		ticket.Attribute{Name: "Fragile", DataType: ticket.Boolean, VisibleOnCreate: true})
	id := thrTicket(t, e, typ, "Parcel never arrived", map[string]any{"ticket_attributes": map[string]any{
		"_default_title_": "Parcel never arrived", "_default_description_": "<p>The <strong>blue</strong> box</p>", "Priority": "High"}}, ana)
	tk := thrLoadTicket(t, e, id)
	if tk.CompanyID != acme {
		t.Fatalf("CO3: company %d, want %d", tk.CompanyID, acme)
	}
	path := fmt.Sprintf("/inbox/tickets/%d", id)
	page := thrPage(t, c, path)
	thrHas(t, "the ticket's page", page,
		"Parcel never arrived", fmt.Sprintf("#%d", tk.Number), "Delivery problem", // title, ticket ID, type
		`data-thread-edit="title"`, `data-thread-editor="title"`, // title, click to edit
		"The <strong>blue</strong> box", `data-thread-edit-area="description"`, `contenteditable="true"`, // description
		`aria-label="Formatting"`, `data-thread-cmd="bold"`, `data-thread-cmd="italic"`, `data-thread-cmd="insertOrderedList"`,
		`data-thread-cmd="insertUnorderedList"`, `data-thread-cmd="pre"`, `data-thread-cmd="blockquote"`, `data-thread-cmd="link"`,
		">Priority<", "<option selected>High</option>", ">Order number<", "As on the invoice", ">Fragile<", // attributes
		`id="thread-state-button"`, "Submitted</summary>", ">In progress</button>", ">Resolved</button>", // the state button (ST2)
		"created the ticket",                                            // the timeline
		`id="thread-composer"`, ">Reply</button>", ">Add note</button>", // the composer (a Customer ticket: reply and note)
		"Ana Customer", "ana@example.com", // people
		`<option value="0">No company</option>`, fmt.Sprintf(`<option value="%d" selected>Acme Ltd</option>`, acme), // company (CO2, CO3)
		">Links<", "Nothing is linked.", // links (BO12)
		fmt.Sprintf(`data-live-conversation="%d"`, id), fmt.Sprintf(`hx-get="%s/live/timeline"`, path), `hx-trigger="live"`)
	thrHasNot(t, "a Customer ticket's page", page, "Cross-post note", `id="tracker-linked"`)

	// The live regions answer on their own.
	for _, region := range []string{"head", "details", "timeline", "side"} {
		r := c.get(path+"/live/"+region, "HX-Request", "true")
		if r.status != http.StatusOK || !strings.Contains(r.body, `data-live-conversation="`+strconv.FormatInt(id, 10)+`"`) || strings.Contains(r.body, "<html") {
			t.Errorf("live region %s: %d %s", region, r.status, r.body)
		}
	}
	// htmx asking for #main gets the page's main only.
	if r := c.get(path, "HX-Request", "true", "HX-Target", "main"); r.status != http.StatusOK || strings.Contains(r.body, "<html") || !strings.Contains(r.body, "Parcel never arrived") {
		t.Errorf("main only: %d", r.status)
	}

	// Attributes are validated by their type: a refusal is shown next to the attribute, and
	// nothing changes.
	r := thrPost(t, c, path+"/attributes", url.Values{"name": {"Order number"}, "value": {"twelve"}}, http.StatusUnprocessableEntity)
	if !thrErrorNear(r.body, `value="Order number"`, "must be an integer") || !strings.Contains(r.body, `value="twelve"`) {
		t.Errorf("a refused attribute shows no message next to it: %s", thrExcerpt(r.body))
	}
	if _, ok := thrLoadTicket(t, e, id).Attributes["Order number"]; ok {
		t.Error("a refused value was stored")
	}
	r = thrPost(t, c, path+"/attributes", url.Values{"name": {"Order number"}, "value": {"4711"}}, http.StatusSeeOther)
	if r.location != path {
		t.Errorf("after a change: %q", r.location)
	}
	thrPost(t, c, path+"/attributes", url.Values{"name": {"Fragile"}, "value": {"false", "true"}}, http.StatusSeeOther)
	thrPost(t, c, path+"/attributes", url.Values{"name": {"Priority"}, "value": {"Urgent"}}, http.StatusUnprocessableEntity)
	tk = thrLoadTicket(t, e, id)
	if tk.Attributes["Order number"] != float64(4711) || tk.Attributes["Fragile"] != true || tk.Attributes["Priority"] != "High" {
		t.Errorf("attributes: %v", tk.Attributes)
	}
	// The title, edited in place and kept trimmed; a blank one is refused.
	thrPost(t, c, path+"/title", url.Values{"title": {"  Parcel lost in transit "}}, http.StatusSeeOther)
	thrHas(t, "a blank title", thrPost(t, c, path+"/title", url.Values{"title": {"  "}}, http.StatusUnprocessableEntity).body,
		"a ticket&#39;s title cannot be blank")
	if got := thrLoadTicket(t, e, id).Title; got != "Parcel lost in transit" {
		t.Errorf("title %q", got)
	}
	page = thrPage(t, c, path)
	thrHas(t, "the page after the changes", page, "Parcel lost in transit", `value="4711"`,
		"set Order number to 4711", "set Title to “Parcel lost in transit”")

	// The state button moves the ticket (ST2); a state that does not exist is refused in place.
	states := thrStates(t, e)
	thrPost(t, c, path+"/state", url.Values{"state_id": {strconv.FormatInt(states[ticket.InProgress], 10)}}, http.StatusSeeOther)
	if s := thrLoadTicket(t, e, id).State; s.Category != ticket.InProgress {
		t.Errorf("state %v", s)
	}
	r = thrPost(t, c, path+"/state", url.Values{"state_id": {"999"}}, http.StatusUnprocessableEntity)
	thrHas(t, "a refused state", r.body, "Ticket state id is not valid", "In progress</summary>")
	thrHas(t, "the timeline", thrPage(t, c, path), "changed the state from Submitted to In progress")
	// Closing without resolving (ST3).
	thrPost(t, c, path+"/open", url.Values{"open": {"0"}}, http.StatusSeeOther)
	if tk := thrLoadTicket(t, e, id); tk.Conversation.State != conversation.Closed || tk.State.Category != ticket.InProgress {
		t.Errorf("closed: %v %v", tk.Conversation.State, tk.State)
	}
	thrHas(t, "a closed ticket", thrPage(t, c, path), "Reopen ticket")

	// A reply to the customer and a note, from the composer.
	thrPost(t, c, path+"/reply", url.Values{"body": {"We are on it.\n\nThanks <3"}, "type": {"comment"}}, http.StatusSeeOther)
	thrPost(t, c, path+"/reply", url.Values{"body": {"Carrier says Tuesday"}, "type": {"note"}}, http.StatusSeeOther)
	r = thrPost(t, c, path+"/reply", url.Values{"body": {"  "}, "type": {"comment"}}, http.StatusUnprocessableEntity)
	if !thrErrorNear(r.body, `id="thread-composer"`, "must not be blank") {
		t.Errorf("a blank reply shows no message in the composer")
	}
	page = thrPage(t, c, path)
	thrHas(t, "the timeline", page, "<p>We are on it.</p><p>Thanks &lt;3</p>", "Carrier says Tuesday", "Internal note")

	// Unknown ids are not found; an id of a conversation goes to the conversation's page.
	for _, p := range []string{"/inbox/tickets/999999", "/inbox/tickets/abc", "/inbox/conversations/999999", "/inbox/preview/999999"} {
		if r := c.get(p); r.status != http.StatusNotFound || !strings.Contains(r.body, "Not found") {
			t.Errorf("GET %s: %d", p, r.status)
		}
	}
	if r := c.post("/inbox/tickets/999999/title", url.Values{"title": {"x"}}); r.status != http.StatusNotFound {
		t.Errorf("a change of an unknown ticket: %d", r.status)
	}
	conv := thrConversation(t, e, ana, "Hello")
	if r := c.get(fmt.Sprintf("/inbox/tickets/%d", conv)); r.status != http.StatusSeeOther || r.location != fmt.Sprintf("/inbox/conversations/%d", conv) {
		t.Errorf("a conversation's id as a ticket: %d %q", r.status, r.location)
	}
	if r := c.get(fmt.Sprintf("/inbox/conversations/%d", id)); r.status != http.StatusSeeOther || r.location != path {
		t.Errorf("a ticket's id as a conversation: %d %q", r.status, r.location)
	}
	// Forms from another site are refused.
	if r := c.post(path+"/title", url.Values{"title": {"Hacked"}}, "Sec-Fetch-Site", "cross-site"); r.status != http.StatusForbidden {
		t.Errorf("cross-site: %d", r.status)
	}
	// Signed out, the page asks to sign in.
	if r := e.client(t).get(path); r.status != http.StatusSeeOther || !strings.HasPrefix(r.location, "/inbox/login") {
		t.Errorf("signed out: %d %q", r.status, r.location)
	}
}

func TestIN2_DescriptionIsStoredSanitised(t *testing.T) {
	e := start(t)
	c := e.signedIn(t)
	ana := e.CreateContact("ana@example.com", "Ana Customer")
	typ := e.CreateTicketType("Question", ticket.Customer, nil)
	id := thrTicket(t, e, typ, "Rich text", nil, ana)
	path := fmt.Sprintf("/inbox/tickets/%d", id)

	edited := `<p onclick="steal()">Hello <b>bold</b> and <i>italic</i></p><ol><li>one</li></ol><ul><li>two</li></ul>` +
		`<pre>code()</pre><blockquote>quoted</blockquote><p><a href="https://example.com/x" onmouseover="x()">a link</a> ` +
		`<a href="javascript:alert(2)">bad</a></p><script>alert(1)</script><img src=x onerror="alert(3)">`
	thrPost(t, c, path+"/description", url.Values{"description": {edited}}, http.StatusSeeOther)
	stored := thrLoadTicket(t, e, id).Description
	for _, gone := range []string{"<script", "alert(1)", "onclick", "onmouseover", "onerror", "javascript:", "steal()"} {
		if strings.Contains(stored, gone) {
			t.Errorf("the stored description keeps %q: %s", gone, stored)
		}
	}
	for _, kept := range []string{"<b>bold</b>", "<i>italic</i>", "<ol><li>one</li></ol>", "<ul><li>two</li></ul>", "<pre>code()</pre>",
		"<blockquote>quoted</blockquote>", `href="https://example.com/x"`} {
		if !strings.Contains(stored, kept) {
			t.Errorf("the stored description lost %q: %s", kept, stored)
		}
	}
	page := thrPage(t, c, path)
	thrHas(t, "the page", page, "<b>bold</b>", "edited the description")
	thrHasNot(t, "the page", page, "alert(1)", "steal()", "javascript:alert")

	// Markdown typed in works too (TT3: the same sanitiser).
	thrPost(t, c, path+"/description", url.Values{"description": {"**strong** words\n\n- a\n- b"}}, http.StatusSeeOther)
	if stored := thrLoadTicket(t, e, id).Description; !strings.Contains(stored, "<strong>strong</strong>") || !strings.Contains(stored, "<li>a</li>") {
		t.Errorf("markdown: %s", stored)
	}
}

func TestBO3_AddNoteAndCrossPostNote(t *testing.T) {
	e := start(t)
	c := e.signedIn(t)
	id, conv := thrBackOffice(t, e, "Refund the order", "I was charged twice")
	tk := thrLoadTicket(t, e, id)
	path, convPath := fmt.Sprintf("/inbox/tickets/%d", id), fmt.Sprintf("/inbox/conversations/%d", conv)

	page := thrPage(t, c, path)
	// BO2: notes only; BO3: two actions, and the keyboard shortcut is said.
	thrHas(t, "a Back-office ticket's page", page, `name="cross_post" value="0" data-thread-default>Add note</button>`,
		`name="cross_post" value="1" class="primary" data-thread-crosspost>Cross-post note</button>`, "<kbd>Shift</kbd>", "Internal")
	thrHasNot(t, "a Back-office ticket's page", page, `value="comment"`, ">Reply</button>")

	// Add note: in the ticket only.
	thrPost(t, c, path+"/reply", url.Values{"body": {"Checking with the bank"}, "cross_post": {"0"}}, http.StatusSeeOther)
	thrHas(t, "the ticket", thrPage(t, c, path), "Checking with the bank")
	thrHasNot(t, "the ticket", thrPage(t, c, path), "Cross-posted to the linked conversations")
	thrHasNot(t, "the conversation", thrPage(t, c, convPath), "Checking with the bank")

	// Cross-post note: in the ticket and, as an internal note naming the ticket, in the
	// linked conversation.
	thrPost(t, c, path+"/reply", url.Values{"body": {"Refund sent today"}, "cross_post": {"1"}}, http.StatusSeeOther)
	thrHas(t, "the ticket", thrPage(t, c, path), "Refund sent today")
	// On the ticket, the note says it went out; the one added alone does not.
	if page := thrPage(t, c, path); strings.Count(page, "Cross-posted to the linked conversations") != 1 ||
		strings.Index(page, "Cross-posted to the linked conversations") < strings.Index(page, "Checking with the bank") {
		t.Errorf("the cross-posted note is not marked on its ticket, or the other one is")
	}
	convPage := thrPage(t, c, convPath)
	thrHas(t, "the conversation", convPage, "Refund sent today", "Cross-posted from",
		fmt.Sprintf(`<a href="%s">Back-office ticket #%d Refund the order</a>`, path, tk.Number), "Internal note")
	parts, err := e.DB.Read().Parts(context.Background(), conv)
	if err != nil {
		t.Fatal(err)
	}
	last := parts[len(parts)-1]
	if last.Type != conversation.PartNote || last.SourceTicketID != id || last.Visible {
		t.Errorf("the cross-posted note: %+v", last)
	}

	// A comment on a Back-office ticket is refused with the rule's message (BO2), and nothing
	// is added.
	before := len(parts)
	r := thrPost(t, c, path+"/reply", url.Values{"body": {"Dear customer"}, "type": {"comment"}}, http.StatusUnprocessableEntity)
	if !thrErrorNear(r.body, `id="thread-composer"`, "Back-office tickets take internal notes only") || !strings.Contains(r.body, "Dear customer</textarea>") {
		t.Errorf("a refused comment: %s", thrExcerpt(r.body))
	}
	if parts, _ := e.DB.Read().Parts(context.Background(), conv); len(parts) != before {
		t.Error("a refused comment changed the conversation")
	}
	// Cross-posting from a Customer ticket is refused (BO3: Back-office notes only).
	ana := e.CreateContact("bo@example.com", "Bo")
	customer := thrTicket(t, e, e.CreateTicketType("Question", ticket.Customer, nil), "A question", nil, ana)
	r = thrPost(t, c, fmt.Sprintf("/inbox/tickets/%d/reply", customer), url.Values{"body": {"x"}, "type": {"note"}, "cross_post": {"1"}}, http.StatusUnprocessableEntity)
	thrHas(t, "a refused cross-post", r.body, "only notes on Back-office tickets are cross-posted")
}

func TestBO9_TagsOnlyOnSharedTickets(t *testing.T) {
	e := start(t)
	c := e.signedIn(t)
	vip := e.MustDo(http.StatusOK, "POST", "/api/tags", map[string]any{"name": "vip"})
	tagID := apitest.ID(vip)
	id, conv := thrBackOffice(t, e, "Fraud check", "Strange payment")
	path := fmt.Sprintf("/inbox/tickets/%d", id)

	// An unshared ticket offers no tag picker, and says why.
	page := thrPage(t, c, path)
	thrHas(t, "an unshared ticket's tags", page, "Only tickets shared with the customer take tags.")
	thrHasNot(t, "an unshared ticket's tags", page, `id="thread-tag-add"`, ">Add tag</button>")
	// Asked all the same, desk refuses it, next to the tags.
	r := thrPost(t, c, path+"/tags", url.Values{"tag_id": {tagID}}, http.StatusUnprocessableEntity)
	if !thrErrorNear(r.body, `id="thread-tags-h"`, "only tickets shared with the customer can be tagged") {
		t.Errorf("BO9 refusal not shown by the tags: %s", thrExcerpt(r.body))
	}
	// Refused with a new name, it makes no tag either.
	r = thrPost(t, c, path+"/tags", url.Values{"tag": {"suspicious"}}, http.StatusUnprocessableEntity)
	thrHas(t, "BO9 with a new tag name", r.body, "only tickets shared with the customer can be tagged")
	if tags, _ := e.DB.Read().Tags(context.Background()); len(tags) != 1 {
		t.Errorf("a refused tagging made a tag: %v", tags)
	}
	if tags, _ := e.DB.Read().ConversationTags(context.Background(), id); len(tags[id]) != 0 {
		t.Errorf("an unshared Back-office ticket was tagged: %v", tags)
	}

	// A Customer ticket is shared: tagged, and untagged.
	ana := e.CreateContact("bo@example.com", "Bo")
	customer := thrTicket(t, e, e.CreateTicketType("Question", ticket.Customer, nil), "A question", nil, ana)
	cpath := fmt.Sprintf("/inbox/tickets/%d", customer)
	thrHas(t, "the tag picker", thrPage(t, c, cpath), `<option value="vip">`, ">Add tag</button>")
	thrPost(t, c, cpath+"/tags", url.Values{"tag_id": {tagID}}, http.StatusSeeOther)
	page = thrPage(t, c, cpath)
	thrHas(t, "a tagged ticket", page, `<li class="thread-tag">vip`, "/tags/"+tagID+"/remove")
	thrPost(t, c, cpath+"/tags/"+tagID+"/remove", nil, http.StatusSeeOther)
	if tags, _ := e.DB.Read().ConversationTags(context.Background(), customer); len(tags[customer]) != 0 {
		t.Errorf("the tag stayed: %v", tags)
	}
	// A tag that does not exist is refused by name.
	thrHas(t, "an unknown tag", thrPost(t, c, cpath+"/tags", url.Values{"tag_id": {"999"}}, http.StatusUnprocessableEntity).body, "Tag Not Found")

	// Conversations take tags (CV4): named as the teammate types them, an existing one (in any
	// case) or a new one, made then.
	cvPath := fmt.Sprintf("/inbox/conversations/%d", conv)
	thrPost(t, c, cvPath+"/tags", url.Values{"tag": {"VIP"}}, http.StatusSeeOther)
	thrHas(t, "a tagged conversation", thrPage(t, c, cvPath), `<li class="thread-tag">vip`)
	thrPost(t, c, cvPath+"/tags/"+tagID+"/remove", nil, http.StatusSeeOther)
	thrHasNot(t, "an untagged conversation", thrPage(t, c, cvPath), `<li class="thread-tag">vip`)
	thrPost(t, c, cvPath+"/tags", url.Values{"tag": {"  Refund requested "}}, http.StatusSeeOther)
	thrHas(t, "a new tag", thrPage(t, c, cvPath), `<li class="thread-tag">Refund requested`)
	if tags, _ := e.DB.Read().Tags(context.Background()); len(tags) != 2 {
		t.Errorf("tags: %v", tags)
	}
	thrHas(t, "a blank tag", thrPost(t, c, cvPath+"/tags", url.Values{"tag": {" "}}, http.StatusUnprocessableEntity).body, "type the name of a tag")
	long := strings.Repeat("x", 256)
	thrHas(t, "a long tag", thrPost(t, c, cvPath+"/tags", url.Values{"tag": {long}}, http.StatusUnprocessableEntity).body, "1 to 255 characters")
}

func TestCO2_CompanyPickerOffersTheParticipantsCompanies(t *testing.T) {
	e := start(t)
	c := e.signedIn(t)
	ana := e.CreateContact("ana@example.com", "Ana")
	bo := e.CreateContact("bo@example.com", "Bo")
	acme := thrCompany(t, e, "acme", "Acme", ana)
	beta := thrCompany(t, e, "beta", "Beta", ana)
	gamma := thrCompany(t, e, "gamma", "Gamma", bo)
	zeta := thrCompany(t, e, "zeta", "Zeta")
	typ := e.CreateTicketType("Question", ticket.Customer, nil)
	id := thrTicket(t, e, typ, "Which company?", nil, ana, bo)
	path := fmt.Sprintf("/inbox/tickets/%d", id)

	// CO2: the participants' companies and "No company"; CO3: several, so none is chosen.
	page := thrPage(t, c, path)
	thrHas(t, "the company picker", page, `<option value="0" selected>No company</option>`,
		fmt.Sprintf(`<option value="%d">Acme</option>`, acme), fmt.Sprintf(`<option value="%d">Beta</option>`, beta),
		fmt.Sprintf(`<option value="%d">Gamma</option>`, gamma), "choose the one this ticket is for")
	thrHasNot(t, "the company picker", page, ">Zeta</option>")

	// A company outside them is refused next to the picker (CO2), and nothing changes.
	r := thrPost(t, c, path+"/company", url.Values{"company_id": {strconv.FormatInt(zeta, 10)}}, http.StatusUnprocessableEntity)
	if !thrErrorNear(r.body, `id="thread-company"`, "is not a company of the ticket&#39;s contacts") {
		t.Errorf("CO2 refusal not shown by the picker: %s", thrExcerpt(r.body))
	}
	if got := thrLoadTicket(t, e, id).CompanyID; got != 0 {
		t.Errorf("company %d after a refusal", got)
	}
	thrPost(t, c, path+"/company", url.Values{"company_id": {strconv.FormatInt(beta, 10)}}, http.StatusSeeOther)
	if got := thrLoadTicket(t, e, id).CompanyID; got != beta {
		t.Errorf("company %d, want %d", got, beta)
	}
	page = thrPage(t, c, path)
	thrHas(t, "the page", page, fmt.Sprintf(`<option value="%d" selected>Beta</option>`, beta), "set the company to Beta")
	// "No company" clears it.
	thrPost(t, c, path+"/company", url.Values{"company_id": {"0"}}, http.StatusSeeOther)
	if got := thrLoadTicket(t, e, id).CompanyID; got != 0 {
		t.Errorf("No company: %d", got)
	}
	thrHas(t, "the page", thrPage(t, c, path), "cleared the company")

	// CO3: a contact in exactly one company has it chosen for them.
	one := thrTicket(t, e, typ, "One company", nil, bo)
	thrHas(t, "a ticket of Bo", thrPage(t, c, fmt.Sprintf("/inbox/tickets/%d", one)),
		fmt.Sprintf(`<option value="%d" selected>Gamma</option>`, gamma), `<option value="0">No company</option>`)
}

func TestBO12_LinksSectionPreviewsTheLinkedObject(t *testing.T) {
	e := start(t)
	c := e.signedIn(t)
	id, conv := thrBackOffice(t, e, "Investigate the charge", "My card was charged twice")
	tk := thrLoadTicket(t, e, id)
	path, convPath := fmt.Sprintf("/inbox/tickets/%d", id), fmt.Sprintf("/inbox/conversations/%d", conv)

	// The ticket's Links list the conversation with Open and Unlink.
	page := thrPage(t, c, path)
	thrHas(t, "the ticket's links", page, fmt.Sprintf(`<a href="%s">Conversation “My card was charged twice”</a>`, convPath),
		fmt.Sprintf(`hx-get="/inbox/preview/%d" hx-target="#thread-preview"`, conv), `id="thread-preview"`,
		fmt.Sprintf(`action="/inbox/tickets/%d/unlink/%d"`, id, conv))
	// Open previews it: its title, its state, its last parts.
	r := c.get(fmt.Sprintf("/inbox/preview/%d", conv), "HX-Request", "true")
	if r.status != http.StatusOK || strings.Contains(r.body, "<html") {
		t.Fatalf("preview: %d", r.status)
	}
	thrHas(t, "the conversation's preview", r.body, "Conversation “My card was charged twice”", "State: <strong class=\"thread-preview-state\">Open</strong>",
		fmt.Sprintf("linked <a href=\"%s\">Back-office ticket #%d Investigate the charge</a>", path, tk.Number), "Open the whole conversation")
	// Outside htmx (a link opened in a new tab), the preview is the whole page.
	if r := c.get(fmt.Sprintf("/inbox/preview/%d", conv)); r.status != http.StatusSeeOther || r.location != convPath {
		t.Errorf("preview outside htmx: %d %q", r.status, r.location)
	}
	// The conversation's Links list the ticket, whose preview shows its state.
	convPage := thrPage(t, c, convPath)
	thrHas(t, "the conversation's links", convPage, fmt.Sprintf(`<a href="%s">Back-office ticket #%d Investigate the charge</a>`, path, tk.Number),
		fmt.Sprintf(`hx-get="/inbox/preview/%d"`, id))
	thrPost(t, c, path+"/reply", url.Values{"body": {"Looking at the ledger"}}, http.StatusSeeOther)
	r = c.get(fmt.Sprintf("/inbox/preview/%d", id), "HX-Request", "true")
	thrHas(t, "the ticket's preview", r.body, "Submitted", "Looking at the ledger", "Open the whole ticket")

	// Unlink from the conversation's page answers with that page, without the link.
	r = thrPost(t, c, fmt.Sprintf("/inbox/tickets/%d/unlink/%d", id, conv), url.Values{"from": {strconv.FormatInt(conv, 10)}}, http.StatusSeeOther)
	if r.location != convPath {
		t.Errorf("unlink went to %q", r.location)
	}
	convPage = thrPage(t, c, convPath)
	thrHas(t, "the conversation after unlinking", convPage, "Nothing is linked.", "unlinked")
	thrHas(t, "the ticket after unlinking", thrPage(t, c, path), "Nothing is linked.")
	// Unlinking again is refused with desk's message.
	r = thrPost(t, c, fmt.Sprintf("/inbox/tickets/%d/unlink/%d", id, conv), nil, http.StatusUnprocessableEntity)
	thrHas(t, "unlinking twice", r.body, "Conversation linked to this ticket Not Found")
}

func TestCV3_AssignAndSnoozeFromTheConversationPage(t *testing.T) {
	e := start(t)
	c := e.signedIn(t)
	bob := e.CreateAdmin("bob@example.com", "Bob Backoffice")
	billing := e.CreateTeam("Billing", bob.ID)
	ana := e.CreateContact("ana@example.com", "Ana Customer")
	conv := thrConversation(t, e, ana, "Where is my invoice?")
	path := fmt.Sprintf("/inbox/conversations/%d", conv)

	page := thrPage(t, c, path)
	thrHas(t, "the conversation's page", page, "Where is my invoice?", "Ana Customer", // timeline, people
		`<label for="thread-assignee">Teammate</label>`, fmt.Sprintf(`<option value="%d">Bob Backoffice</option>`, bob.ID),
		`<label for="thread-team">Team</label>`, fmt.Sprintf(`<option value="%d">Billing</option>`, billing.ID),
		`Assign<span class="thread-sr"> the teammate</span></button>`, `Assign<span class="thread-sr"> the team</span></button>`,
		">Snooze</summary>", `type="datetime-local" name="until"`, ">Close</button>", ">Reply</button>", ">Add note</button>",
		fmt.Sprintf(`href="/inbox/conversations/%d/back-office/new">Create back-office ticket</a>`, conv),
		fmt.Sprintf(`href="/inbox/conversations/%d/convert">Convert to ticket</a>`, conv),
		fmt.Sprintf(`href="/inbox/conversations/%d/tracker">Link to tracker</a>`, conv),
		fmt.Sprintf(`href="/inbox/conversations/%d/ticket-form">Send ticket form</a>`, conv),
		fmt.Sprintf(`data-live-conversation="%d"`, conv), ">Links<", ">Tags<")

	// Assign to a teammate and to a team (CV3): each an event.
	thrPost(t, c, path+"/assign", url.Values{"assignee_id": {strconv.FormatInt(bob.ID, 10)}}, http.StatusSeeOther)
	thrPost(t, c, path+"/assign", url.Values{"team_id": {strconv.FormatInt(billing.ID, 10)}}, http.StatusSeeOther)
	cv := thrLoadConversation(t, e, conv)
	if cv.AdminAssigneeID != bob.ID || cv.TeamAssigneeID != billing.ID {
		t.Errorf("assignees %d %d", cv.AdminAssigneeID, cv.TeamAssigneeID)
	}
	page = thrPage(t, c, path)
	thrHas(t, "the timeline", page, "Mia Mate assigned this to Bob Backoffice", "Mia Mate assigned this to the team Billing",
		fmt.Sprintf(`<option value="%d" selected>Bob Backoffice</option>`, bob.ID))
	// Choosing who it is already assigned to adds no event.
	thrPost(t, c, path+"/assign", url.Values{"assignee_id": {strconv.FormatInt(bob.ID, 10)}}, http.StatusSeeOther)
	thrPost(t, c, path+"/assign", url.Values{"team_id": {strconv.FormatInt(billing.ID, 10)}}, http.StatusSeeOther)
	if again := thrPage(t, c, path); strings.Count(again, "assigned this to") != strings.Count(page, "assigned this to") {
		t.Errorf("assigning again to the same added events: %d, was %d", strings.Count(again, "assigned this to"), strings.Count(page, "assigned this to"))
	}
	r := thrPost(t, c, path+"/assign", url.Values{"assignee_id": {"9999"}}, http.StatusUnprocessableEntity)
	if !thrErrorNear(r.body, `id="thread-assignee"`, "Assignee admin Not Found") {
		t.Errorf("an unknown teammate: %s", thrExcerpt(r.body))
	}
	thrPost(t, c, path+"/assign", url.Values{"assignee_id": {"0"}}, http.StatusSeeOther)
	if thrLoadConversation(t, e, conv).AdminAssigneeID != 0 {
		t.Error("not unassigned")
	}

	// Snooze for a while (CV2), and until a chosen time in the teammate's zone.
	now := e.Clock.Now()
	thrPost(t, c, path+"/snooze", url.Values{"for": {"4h"}}, http.StatusSeeOther)
	cv = thrLoadConversation(t, e, conv)
	if cv.State != conversation.Snoozed || !cv.SnoozedUntil.Equal(now.Add(4*time.Hour).Truncate(time.Second)) {
		t.Errorf("snoozed: %v until %v", cv.State, cv.SnoozedUntil)
	}
	thrHas(t, "a snoozed conversation", thrPage(t, c, path), "Snoozed until", "snoozed this", ">Unsnooze</button>")
	// 10:30 at UTC+01:00 is 09:30 UTC.
	until := now.Add(48 * time.Hour)
	local := until.Add(time.Hour).Format("2006-01-02T15:04")
	thrPost(t, c, path+"/snooze", url.Values{"until": {local}, "tz": {"60"}}, http.StatusSeeOther)
	if got := thrLoadConversation(t, e, conv).SnoozedUntil; !got.Equal(until.Truncate(time.Minute)) {
		t.Errorf("snoozed until %v, want %v", got, until)
	}
	// A time past is refused next to the snooze form, and the snooze stays.
	r = thrPost(t, c, path+"/snooze", url.Values{"until": {now.Add(-time.Hour).Format("2006-01-02T15:04")}}, http.StatusUnprocessableEntity)
	if !thrErrorNear(r.body, `id="thread-snooze-menu"`, "must be in the future") {
		t.Errorf("a snooze in the past: %s", thrExcerpt(r.body))
	}
	if got := thrLoadConversation(t, e, conv).SnoozedUntil; !got.Equal(until.Truncate(time.Minute)) {
		t.Errorf("a refused snooze changed it to %v", got)
	}
	thrPost(t, c, path+"/snooze", url.Values{"until": {"tomorrow"}}, http.StatusUnprocessableEntity)

	// Close and reopen.
	thrPost(t, c, path+"/close", nil, http.StatusSeeOther)
	if thrLoadConversation(t, e, conv).State != conversation.Closed {
		t.Error("not closed")
	}
	thrHas(t, "a closed conversation", thrPage(t, c, path), ">Reopen</button>", "closed this")
	thrPost(t, c, path+"/open", nil, http.StatusSeeOther)
	if thrLoadConversation(t, e, conv).State != conversation.Open {
		t.Error("not reopened")
	}

	// Reply and note.
	thrPost(t, c, path+"/reply", url.Values{"body": {"Here it is"}, "type": {"comment"}}, http.StatusSeeOther)
	thrPost(t, c, path+"/reply", url.Values{"body": {"Sent the PDF"}, "type": {"note"}}, http.StatusSeeOther)
	parts, err := e.DB.Read().Parts(context.Background(), conv)
	if err != nil {
		t.Fatal(err)
	}
	n := len(parts)
	if parts[n-2].Type != conversation.PartComment || parts[n-1].Type != conversation.PartNote {
		t.Errorf("reply and note: %v %v", parts[n-2].Type, parts[n-1].Type)
	}
	// With htmx the answer is the page's main, with the fresh timeline.
	r = c.post(path+"/reply", url.Values{"body": {"One more"}, "type": {"comment"}}, "HX-Request", "true", "HX-Target", "main")
	if r.status != http.StatusOK || strings.Contains(r.body, "<html") || !strings.Contains(r.body, "One more") || strings.Contains(r.body, "One more</textarea>") {
		t.Errorf("htmx reply: %d", r.status)
	}
}

// TestThread_TimelinePagesBackward shows a long timeline a page at a time.
func TestThread_TimelinePagesBackward(t *testing.T) {
	e := start(t)
	c := e.signedIn(t)
	ana := e.CreateContact("ana@example.com", "Ana")
	conv := thrConversation(t, e, ana, "The very first message")
	for i := range 60 {
		e.MustDo(http.StatusOK, "POST", fmt.Sprintf("/api/conversations/%d/reply", conv), map[string]any{
			"message_type": "note", "type": "admin", "admin_id": strconv.FormatInt(e.Admin.ID, 10), "body": fmt.Sprintf("note number %02d", i)})
	}
	path := fmt.Sprintf("/inbox/conversations/%d", conv)
	page := thrPage(t, c, path)
	thrHas(t, "the newest page", page, "note number 59", "note number 10", "Show earlier")
	opening := `<div class="thread-body">The very first message</div>`
	thrHasNot(t, "the newest page", page, "note number 09", opening)
	m := regexp.MustCompile(`earlier\?before=(\d+)`).FindStringSubmatch(page)
	if m == nil {
		t.Fatal("no Show earlier link")
	}
	r := c.get(path+"/earlier?before="+m[1], "HX-Request", "true")
	thrHas(t, "the earlier page", r.body, "note number 00", "note number 09", opening)
	thrHasNot(t, "the earlier page", r.body, "note number 10", "Show earlier")
}

// TestThread_TrackerTicketTakesNotesAndLoadsItsLinkedList: a Tracker ticket's page has notes
// only (TR1) and loads its list of linked conversations and Customer tickets (TR3) from the
// tracker's own region, /inbox/tickets/{id}/linked.
func TestThread_TrackerTicketTakesNotesAndLoadsItsLinkedList(t *testing.T) {
	e := start(t)
	c := e.signedIn(t)
	ana := e.CreateContact("ana@example.com", "Ana")
	conv := thrConversation(t, e, ana, "The app crashes at login")
	typ := e.CreateTicketType("Outage", ticket.Tracker, nil)
	id := thrTicket(t, e, typ, "Login outage", map[string]any{"conversation_to_link_id": strconv.FormatInt(conv, 10)})
	path := fmt.Sprintf("/inbox/tickets/%d", id)
	page := thrPage(t, c, path)
	thrHas(t, "a tracker's page", page, fmt.Sprintf(`<section id="tracker-linked" class="thread-tracker-linked" hx-get="%s/linked" hx-trigger="load"`, path),
		`name="type" value="note" class="primary" data-thread-default>Add note</button>`, "Conversation “The app crashes at login”")
	thrHasNot(t, "a tracker's page", page, `value="comment"`, "Cross-post note")
	r := thrPost(t, c, path+"/reply", url.Values{"body": {"Hello customers"}, "type": {"comment"}}, http.StatusUnprocessableEntity)
	thrHas(t, "a comment on a tracker", r.body, "Tracker tickets take internal notes only")
	// The conversation's sidebar names its tracker.
	thrHas(t, "the conversation", thrPage(t, c, fmt.Sprintf("/inbox/conversations/%d", conv)),
		fmt.Sprintf(`<a href="%s">Tracker ticket #`, path), "Login outage</a>")
}

// A conversation's open page learns, at its next live refresh, that it became a ticket (a
// customer submitted a ticket form, a teammate converted it), and goes to the ticket's page.
func TestIN5_AConversationThatBecameATicketSendsItsPageToTheTicket(t *testing.T) {
	e := start(t)
	c := e.signedIn(t)
	ana := e.CreateContact("ana@example.com", "Ana Customer")
	conv := thrConversation(t, e, ana, "My export is broken")
	path := fmt.Sprintf("/inbox/conversations/%d", conv)
	if r := c.get(path+"/live/side", "HX-Request", "true"); r.status != http.StatusOK || r.header.Get("HX-Redirect") != "" {
		t.Fatalf("a conversation's region: %d %q", r.status, r.header.Get("HX-Redirect"))
	}
	typ := e.CreateTicketType("Bug", ticket.Customer, nil)
	e.MustDo(http.StatusOK, "POST", fmt.Sprintf("/api/conversations/%d/convert", conv), map[string]any{"ticket_type_id": strconv.FormatInt(typ.ID, 10)})
	for _, region := range []string{"head", "timeline", "side"} {
		r := c.get(path+"/live/"+region, "HX-Request", "true")
		if want := fmt.Sprintf("/inbox/tickets/%d", conv); r.header.Get("HX-Redirect") != want || strings.Contains(r.body, "thread") {
			t.Errorf("region %s of the converted conversation: %d, HX-Redirect %q, want %q", region, r.status, r.header.Get("HX-Redirect"), want)
		}
	}
}

// CV2: a snoozed or closed conversation opens when the customer writes, and its timeline says
// so; customers do not see that event.
func TestCV2_TheCustomersMessageReopensWithAnEvent(t *testing.T) {
	e := start(t)
	c := e.signedIn(t)
	ana := e.CreateContact("ana@example.com", "Ana Customer")
	conv := thrConversation(t, e, ana, "Where is my invoice?")
	path := fmt.Sprintf("/inbox/conversations/%d", conv)
	thrPost(t, c, path+"/snooze", url.Values{"for": {"1d"}}, http.StatusSeeOther)
	e.MustDo(http.StatusOK, "POST", fmt.Sprintf("/api/conversations/%d/reply", conv), map[string]any{
		"message_type": "comment", "type": "user", "intercom_user_id": strconv.FormatInt(ana.ID, 10), "body": "Any news?"})
	if cv := thrLoadConversation(t, e, conv); cv.State != conversation.Open {
		t.Fatalf("state %v", cv.State)
	}
	page := thrPage(t, c, path)
	thrHas(t, "the timeline", page, "Ana Customer reopened this", "Any news?")
	if strings.Index(page, "Ana Customer reopened this") > strings.Index(page, "Any news?") {
		t.Error("the reopening comes after the message that caused it")
	}
	// Writing to an open conversation reopens nothing.
	e.MustDo(http.StatusOK, "POST", fmt.Sprintf("/api/conversations/%d/reply", conv), map[string]any{
		"message_type": "comment", "type": "user", "intercom_user_id": strconv.FormatInt(ana.ID, 10), "body": "Hello?"})
	if n := strings.Count(thrPage(t, c, path), "reopened this"); n != 1 {
		t.Errorf("%d reopenings, want 1", n)
	}
}

// BO1 from the front-line side: a conversation links an existing Back-office ticket by the
// Ticket ID people quote; a number that is no Back-office ticket's is refused, nothing linked.
func TestBO1_AConversationLinksAnExistingBackOfficeTicketByItsID(t *testing.T) {
	e := start(t)
	c := e.signedIn(t)
	ana := e.CreateContact("ana@example.com", "Ana Customer")
	conv := thrConversation(t, e, ana, "Strange charge")
	bo := thrTicket(t, e, e.CreateTicketType("Fraud review", ticket.BackOffice, nil), "Card testing", nil)
	customer := thrTicket(t, e, e.CreateTicketType("Question", ticket.Customer, nil), "A question", nil, ana)
	path := fmt.Sprintf("/inbox/conversations/%d", conv)
	thrHas(t, "the conversation's Links", thrPage(t, c, path), `<label for="thread-link-bo">Link a Back-office ticket, by its ID</label>`)
	for _, n := range []string{"abc", "999", fmt.Sprint(thrLoadTicket(t, e, customer).Number)} {
		r := thrPost(t, c, path+"/link-back-office", url.Values{"number": {n}}, http.StatusUnprocessableEntity)
		if !thrErrorNear(r.body, `id="thread-links-h"`, "Back-office ticket") {
			t.Errorf("number %q: %s", n, thrExcerpt(r.body))
		}
	}
	if links, _ := e.DB.Read().Links(context.Background(), conv); len(links) != 0 {
		t.Fatalf("refused numbers linked %v", links)
	}
	thrPost(t, c, path+"/link-back-office", url.Values{"number": {fmt.Sprintf("#%d", thrLoadTicket(t, e, bo).Number)}}, http.StatusSeeOther)
	thrHas(t, "the conversation's Links", thrPage(t, c, path), "Back-office ticket #", "Card testing")
	if tk := thrLoadTicket(t, e, bo); len(tk.ContactIDs) != 1 || tk.ContactIDs[0] != ana.ID {
		t.Errorf("the Back-office ticket did not take the customer: %v", tk.ContactIDs)
	}
}

// ST1: the state menu of a ticket the customer follows tells what the customer reads where it
// differs ("Waiting on customer" reads "Waiting on you"); an internal ticket's does not.
func TestST1_StateMenuSaysWhatTheCustomerSees(t *testing.T) {
	e := start(t)
	c := e.signedIn(t)
	ana := e.CreateContact("ana@example.com", "Ana Customer")
	customer := thrTicket(t, e, e.CreateTicketType("Question", ticket.Customer, nil), "A question", nil, ana)
	internal := thrTicket(t, e, e.CreateTicketType("Fraud review", ticket.BackOffice, nil), "Card testing", nil)
	thrHas(t, "a Customer ticket", thrPage(t, c, fmt.Sprintf("/inbox/tickets/%d", customer)), "Waiting on customer <span class=\"hint\">(the customer sees “Waiting on you”)</span>")
	thrHasNot(t, "an internal ticket", thrPage(t, c, fmt.Sprintf("/inbox/tickets/%d", internal)), "the customer sees")
}

// CO2: with no company among the participants' there is nothing to choose: no picker, a hint.
func TestCO2_NoPickerWhenThereIsNoCompanyToChoose(t *testing.T) {
	e := start(t)
	c := e.signedIn(t)
	ana := e.CreateContact("ana@example.com", "Ana Customer")
	tk := thrTicket(t, e, e.CreateTicketType("Question", ticket.Customer, nil), "A question", nil, ana)
	page := thrPage(t, c, fmt.Sprintf("/inbox/tickets/%d", tk))
	thrHas(t, "the company box", page, `id="thread-company-h"`, "No company to choose: the customers taking part belong to none.")
	thrHasNot(t, "the company box", page, `id="thread-company"`)
}
