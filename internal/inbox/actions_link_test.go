package inbox_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/helpdesk/helpdesk/internal/ticket"
)

// The tests of linking an existing Back-office ticket, of how the ticket actions and the
// tracker number conversations and tickets, and of the smaller fixes of their pages.

// actNumber is the Ticket ID (TT3) of ticket id.
func actNumber(t *testing.T, e *env, id int64) int64 {
	t.Helper()
	tk, err := e.DB.Read().Ticket(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return tk.Number
}

// actItem is the list item of the search results that links to path, or "".
func actItem(body, path string) string {
	for _, li := range regexp.MustCompile(`(?s)<li class="action-item">.*?</li>`).FindAllString(body, -1) {
		if strings.Contains(li, `href="`+path+`"`) {
			return li
		}
	}
	return ""
}

func TestBO1_LinkAnExistingBackOfficeTicketToAConversationOrCustomerTicket(t *testing.T) {
	e := start(t)
	c := e.signedIn(t)
	boType := e.CreateTicketType("Fraud investigation", ticket.BackOffice, nil)
	sharable := e.CreateTicketType("Refund approval", ticket.BackOffice, actShareable())
	customerType := e.CreateTicketType("Order problem", ticket.Customer, nil)
	trackerType := e.CreateTicketType("Outage", ticket.Tracker, nil)

	ada, conv := actConversation(t, e, "ada@example.com", "Ada Lovelace", "My parcel arrived broken")
	bob := e.CreateContact("bob@example.com", "Bob Baker")
	customerTicket := actTicket(t, e, customerType, "Parcel lost", &bob, nil)
	bo := actTicket(t, e, boType, "Check the courier", nil, nil) // standalone (BO1)
	tracker := actTicket(t, e, trackerType, "Courier outage", nil, nil)
	path := "/inbox/tickets/" + actItoa(bo) + "/link"

	// Only a Back-office ticket has the page.
	for _, id := range []int64{customerTicket, tracker, conv, 999999} {
		if r := c.get("/inbox/tickets/" + actItoa(id) + "/link"); r.status != http.StatusNotFound {
			t.Errorf("link page of %d: %d", id, r.status)
		}
		if r := c.post("/inbox/tickets/"+actItoa(id)+"/link", url.Values{"target_id": {actItoa(conv)}}); r.status != http.StatusNotFound {
			t.Errorf("link from %d: %d", id, r.status)
		}
	}
	r := c.get(path)
	if r.status != http.StatusOK {
		t.Fatalf("GET: %d %s", r.status, r.body)
	}
	actMustContain(t, "page", r.body, "Back-office ticket #"+actItoa(actNumber(t, e, bo)), "Check the courier", `name="q"`)
	actMustNotContain(t, "page", r.body, `name="target_id"`, "Linked now")

	// Found by words (both, with the customer), and by number: a Customer ticket by its Ticket ID.
	r = c.get(path + "?q=parcel")
	convItem := actItem(r.body, "/inbox/conversations/"+actItoa(conv))
	ticketItem := actItem(r.body, "/inbox/tickets/"+actItoa(customerTicket))
	actMustContain(t, "conversation found", convItem, "Conversation #"+actItoa(conv)+" My parcel arrived broken", "Ada Lovelace",
		`name="target_id" value="`+actItoa(conv)+`"`, `aria-label="Link Conversation #`+actItoa(conv)+` My parcel arrived broken"`)
	actMustContain(t, "ticket found", ticketItem, "Customer ticket #"+actItoa(actNumber(t, e, customerTicket))+" Parcel lost",
		"Submitted", `name="target_id" value="`+actItoa(customerTicket)+`"`)
	r = c.get(path + "?q=" + url.QueryEscape("#"+actItoa(actNumber(t, e, customerTicket))))
	actMustContain(t, "by number", actItem(r.body, "/inbox/tickets/"+actItoa(customerTicket)), "Parcel lost")

	// Linked: the teammate is back on the ticket, and both timelines say so.
	r = c.post(path, url.Values{"target_id": {actItoa(conv)}, "q": {"parcel"}})
	if r.status != http.StatusSeeOther || r.location != "/inbox/tickets/"+actItoa(bo) {
		t.Fatalf("link: %d %q %s", r.status, r.location, r.body)
	}
	r = c.post(path, url.Values{"target_id": {actItoa(customerTicket)}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("link the Customer ticket: %d %s", r.status, r.body)
	}
	links := actLinks(t, e, bo)
	if len(links) != 2 || links[0].ConversationID != conv || links[1].ConversationID != customerTicket || links[0].Kind != ticket.BackOffice {
		t.Fatalf("links: %+v", links)
	}
	r = c.get(path + "?q=parcel")
	actMustContain(t, "after linking", r.body, "Linked now", "Conversation #"+actItoa(conv)+" My parcel arrived broken")
	actMustContain(t, "after linking", actItem(r.body, "/inbox/conversations/"+actItoa(conv)), "Linked here")
	actMustNotContain(t, "after linking", r.body, `name="target_id"`)

	// A shared Back-office ticket: a Customer ticket is refused (the search says so, and a post
	// is refused next to it), as is a conversation that has a shared one already.
	_, other := actConversation(t, e, "cy@example.com", "Cy", "Refund my parcel please")
	shared := actTicket(t, e, sharable, "Refund", nil, map[string]any{"is_shared": true, "conversation_to_link_id": actItoa(other)})
	_, third := actConversation(t, e, "dee@example.com", "Dee", "Another parcel problem")
	actTicket(t, e, sharable, "Refund too", nil, map[string]any{"is_shared": true, "conversation_to_link_id": actItoa(third)})
	sharedPath := "/inbox/tickets/" + actItoa(shared) + "/link"
	r = c.get(sharedPath + "?q=parcel")
	ticketItem = actItem(r.body, "/inbox/tickets/"+actItoa(customerTicket))
	actMustContain(t, "shared: Customer ticket", ticketItem, "A shared Back-office ticket cannot link to a Customer ticket.")
	actMustNotContain(t, "shared: Customer ticket", ticketItem, `name="target_id"`, "(BO8)")
	actMustContain(t, "shared: conversation with a shared one", actItem(r.body, "/inbox/conversations/"+actItoa(third)),
		"already has a shared Back-office ticket; one is allowed.")
	actMustContain(t, "shared: its own conversation", actItem(r.body, "/inbox/conversations/"+actItoa(other)), "Linked here")
	actMustContain(t, "shared: a plain conversation", actItem(r.body, "/inbox/conversations/"+actItoa(conv)), `name="target_id"`)

	r = c.post(sharedPath, url.Values{"target_id": {actItoa(customerTicket)}, "q": {"parcel"}})
	if r.status != http.StatusUnprocessableEntity {
		t.Fatalf("shared to Customer ticket: %d", r.status)
	}
	actMustContain(t, "refusal next to the one chosen", actItem(r.body, "/inbox/tickets/"+actItoa(customerTicket)),
		`class="error action-error" role="alert">A shared Back-office ticket cannot link to a Customer ticket.</p>`)

	// Nothing chosen, something that does not exist, a tracker: each refused in a sentence.
	for _, tc := range []struct {
		target string
		want   string
	}{
		{"", "Choose a conversation or Customer ticket to link"},
		{"999999", "Conversation not found."},
		{actItoa(tracker), "Back-office tickets link to conversations and Customer tickets, not to a Tracker ticket."},
	} {
		r := c.post(path, url.Values{"target_id": {tc.target}})
		if r.status != http.StatusUnprocessableEntity {
			t.Errorf("target %q: %d", tc.target, r.status)
		}
		actMustContain(t, "target "+tc.target, r.body, tc.want)
	}
	// From another site, nothing is linked.
	if r := c.post(path, url.Values{"target_id": {actItoa(third)}}, "Sec-Fetch-Site", "cross-site"); r.status != http.StatusForbidden {
		t.Errorf("cross-site: %d", r.status)
	}
	if n := len(actLinks(t, e, bo)); n != 2 {
		t.Errorf("%d links after refusals, want 2", n)
	}
	_ = ada
}

func TestTT3_ActionsAndTrackerNumberTicketsByTheirTicketID(t *testing.T) {
	e := start(t)
	c := e.signedIn(t)
	ctx := context.Background()
	trackerType := e.CreateTicketType("Outage", ticket.Tracker, nil)
	customerType := e.CreateTicketType("Order problem", ticket.Customer, nil)
	// Conversations first, then tickets: a Customer ticket's number is then some conversation's
	// id, as it will be in any workspace.
	ada, convA := actConversation(t, e, "ada@example.com", "Ada", "Login fails")
	var convs []int64
	for range 3 {
		convs = append(convs, actConversationOf(t, e, ada, "Cannot log in"))
	}
	tr := actTicket(t, e, trackerType, "Login outage", nil, nil)
	bob := e.CreateContact("bob@example.com", "Bob")
	tk := actTicket(t, e, customerType, "Login locked", &bob, nil)
	n := actNumber(t, e, tk)
	same, err := e.DB.Read().LinkTarget(ctx, n)
	if err != nil || same.IsTicket || n == tk {
		t.Fatalf("setup: ticket %d has number %d, which is not a conversation's id (%+v, %v)", tk, n, same, err)
	}
	number := actItoa(n)

	// The tracker's search by number lists both the conversation with that id and the ticket
	// with that Ticket ID, each named as everywhere else; the ticket with its ticket state.
	path := "/inbox/tickets/" + actItoa(tr) + "/linked"
	r := c.get(path+"/candidates?q="+number, actHX...)
	convItem := actItem(r.body, "/inbox/conversations/"+number)
	ticketItem := actItem(r.body, "/inbox/tickets/"+actItoa(tk))
	actMustContain(t, "conversation by number", convItem, "Conversation #"+number+" Cannot log in", "Open")
	actMustContain(t, "ticket by number", ticketItem, "Customer ticket #"+number+" Login locked", "Submitted",
		`aria-label="Link Customer ticket #`+number+` Login locked"`)
	actMustNotContain(t, "ticket by number", ticketItem, "Open", "Ticket #"+actItoa(tk))
	if strings.Index(r.body, convItem) > strings.Index(r.body, ticketItem) {
		t.Errorf("the conversation should come first")
	}
	// A ticket's internal id is not its number: searched, it finds no ticket.
	r = c.get(path+"/candidates?q="+actItoa(tk), actHX...)
	if actItem(r.body, "/inbox/tickets/"+actItoa(tk)) != "" {
		t.Errorf("the ticket's internal id found it")
	}
	// Words find the ticket too, numbered the same way.
	r = c.get(path+"/candidates?q=locked", actHX...)
	actMustContain(t, "ticket by words", actItem(r.body, "/inbox/tickets/"+actItoa(tk)), "Customer ticket #"+number+" Login locked")

	// Linked, the confirmation and the tracker's table name it by its number.
	r = c.post(path, url.Values{"conversation_id": {actItoa(tk)}, "q": {number}}, actHX...)
	actMustContain(t, "linked ticket", r.body, "Linked Customer ticket #"+number+".")
	r = c.post(path, url.Values{"conversation_id": {actItoa(convs[0])}}, actHX...)
	actMustContain(t, "linked conversation", r.body, "Linked Conversation #"+actItoa(convs[0])+".")
	r = c.get(path, actHX...)
	rows := regexp.MustCompile(`(?s)<tr class="tracker-row".*?</tr>`).FindAllString(r.body, -1)
	if len(rows) != 2 {
		t.Fatalf("%d rows", len(rows))
	}
	actMustContain(t, "conversation row", rows[0], `<span class="tracker-kind">Conversation #`+actItoa(convs[0])+`</span>`)
	actMustContain(t, "ticket row", rows[1], `<span class="tracker-kind">Customer ticket #`+number+`</span> Login locked`, "Submitted")
	// Not a conversation or ticket: refused in a sentence.
	r = c.post(path, url.Values{"conversation_id": {"999999"}}, actHX...)
	actMustContain(t, "missing", r.body, "Conversation not found.")

	// The conversation's "Link to tracker" names trackers by their number too, and so does the
	// tracker's own page.
	trNumber := actItoa(actNumber(t, e, tr))
	r = c.get("/inbox/conversations/" + actItoa(convA) + "/tracker")
	actMustContain(t, "tracker search", r.body, "Tracker ticket #"+trNumber+" · Login outage",
		`aria-label="Link to Tracker ticket #`+trNumber+`: Login outage"`)
	r = c.get("/inbox/conversations/" + actItoa(convs[0]) + "/tracker")
	actMustContain(t, "linked already", r.body, "It is linked to <a href=\"/inbox/tickets/"+actItoa(tr)+"\">Tracker ticket #"+trNumber+": Login outage</a>")
	actMustContain(t, "tracker page", c.get(path).body, "<h1>Tracker ticket #"+trNumber+": Login outage</h1>")
	// An action started from a Customer ticket names it by its number.
	r = c.get("/inbox/conversations/" + actItoa(tk) + "/back-office/new")
	actMustContain(t, "action on a ticket", r.body, `<span class="action-kind">Customer ticket #`+number+`</span>`)
}

func TestBO8_ConvertSaysWhatToDoInsteadOfOfferingAButton(t *testing.T) {
	e := start(t)
	c := e.signedIn(t)
	e.CreateTicketType("Order problem", ticket.Customer, nil)
	e.CreateTicketType("Refund request", ticket.Customer, nil) // two types: none chosen at first
	sharable := e.CreateTicketType("Refund approval", ticket.BackOffice, actShareable())
	_, plain := actConversation(t, e, "ada@example.com", "Ada", "Where is my order?")
	_, conv := actConversation(t, e, "bob@example.com", "Bob", "Refund?")
	bo := actTicket(t, e, sharable, "Refund", nil, map[string]any{"is_shared": true, "conversation_to_link_id": actItoa(conv)})

	const button = `<button type="submit" class="primary">Convert to ticket</button>`
	// A conversation that can be converted has the button once a type is chosen.
	types := regexp.MustCompile(`<option value="(\d+)"`).FindAllStringSubmatch(c.get("/inbox/conversations/"+actItoa(plain)+"/convert").body, -1)
	if len(types) != 2 {
		t.Fatalf("types offered: %v", types)
	}
	actMustContain(t, "plain", c.get("/inbox/conversations/"+actItoa(plain)+"/convert?type_id="+types[0][1]).body, button)

	// One with a shared Back-office ticket: before and after choosing a type, no form to fill in
	// or send, but the rule, and what to do instead.
	path := "/inbox/conversations/" + actItoa(conv) + "/convert"
	for _, p := range []string{path, path + "?type_id=" + types[0][1]} {
		r := c.get(p)
		if r.status != http.StatusOK {
			t.Fatalf("GET %s: %d", p, r.status)
		}
		actMustContain(t, p, r.body, "has a shared Back-office ticket, which a Customer ticket cannot have.",
			"keep replying to the customer in this conversation",
			`<a href="/inbox/tickets/`+actItoa(bo)+`">Back-office ticket #`+actItoa(actNumber(t, e, bo))+`</a>`,
			`<a href="/inbox/tickets/new?category=Customer&amp;customer=bob%40example.com">create a Customer ticket</a>`)
		actMustNotContain(t, p, r.body, button, `id="action-title"`, `id="action-type"`)
	}
	// Posted anyway, it is refused the same way.
	r := c.post(path, url.Values{"type_id": {types[0][1]}, "title": {"x"}})
	if r.status != http.StatusUnprocessableEntity {
		t.Errorf("post: %d", r.status)
	}
	actMustContain(t, "post", r.body, "which a Customer ticket cannot have.", "create a Customer ticket")
	actMustNotContain(t, "post", r.body, button)
}

func TestTT2_ChoosingATypePushesOnlyTheTypeToTheAddressBar(t *testing.T) {
	e := start(t)
	c := e.signedIn(t)
	bo := e.CreateTicketType("Refund approval", ticket.BackOffice, nil)
	e.CreateTicketType("Fraud", ticket.BackOffice, nil)
	tracker := e.CreateTicketType("Outage", ticket.Tracker, nil)
	_, conv := actConversation(t, e, "ada@example.com", "Ada", "Broken")

	// The select asks htmx for the fields only; the answer says which address to show.
	chose := []string{"HX-Request", "true", "HX-Trigger-Name", "type_id"}
	typed := "&title=My+secret+title&description=Card+1234"
	for _, tc := range []struct{ get, want string }{
		{"/inbox/conversations/" + actItoa(conv) + "/back-office/new?type_id=" + actItoa(bo.ID) + typed,
			"/inbox/conversations/" + actItoa(conv) + "/back-office/new?type_id=" + actItoa(bo.ID)},
		{"/inbox/conversations/" + actItoa(conv) + "/tracker?type_id=" + actItoa(tracker.ID) + typed,
			"/inbox/conversations/" + actItoa(conv) + "/tracker?type_id=" + actItoa(tracker.ID)},
		{"/inbox/tickets/new?category=Tracker&customer=ada%40example.com&type_id=" + actItoa(tracker.ID) + typed,
			"/inbox/tickets/new?category=Tracker&type_id=" + actItoa(tracker.ID)},
	} {
		r := c.get(tc.get, chose...)
		if r.status != http.StatusOK {
			t.Fatalf("GET %s: %d", tc.get, r.status)
		}
		if got := r.header.Get("HX-Push-Url"); got != tc.want {
			t.Errorf("GET %s pushes %q, want %q", tc.get, got, tc.want)
		}
		actMustNotContain(t, tc.get, r.body, `hx-push-url="true"`)
	}
	// Other requests push nothing: a page, or htmx reloading for the customer's email.
	if r := c.get("/inbox/conversations/" + actItoa(conv) + "/back-office/new?type_id=" + actItoa(bo.ID)); r.header.Get("HX-Push-Url") != "" {
		t.Errorf("a page pushes %q", r.header.Get("HX-Push-Url"))
	}
	if r := c.get("/inbox/tickets/new?type_id="+actItoa(bo.ID), "HX-Request", "true", "HX-Trigger-Name", "customer"); r.header.Get("HX-Push-Url") != "" {
		t.Errorf("the customer's reload pushes %q", r.header.Get("HX-Push-Url"))
	}
}

func TestBO11_SendTicketFormButtonsNameTheirType(t *testing.T) {
	e := start(t)
	c := e.signedIn(t)
	e.CreateTicketType("Refund request", ticket.Customer, nil)
	e.CreateTicketType("Damage claim", ticket.BackOffice, actShareable())
	_, conv := actConversation(t, e, "ada@example.com", "Ada", "I want my money back")
	r := c.get("/inbox/conversations/" + actItoa(conv) + "/ticket-form")
	actMustContain(t, "send buttons", r.body, `<button type="submit" aria-label="Send the Refund request form">Send</button>`,
		`<button type="submit" aria-label="Send the Damage claim form">Send</button>`)
}

func TestTR4_BroadcastSaysConversationsAndTickets(t *testing.T) {
	e := start(t)
	c := e.signedIn(t)
	tr := actTicket(t, e, e.CreateTicketType("Outage", ticket.Tracker, nil), "Outage", nil, nil)
	bob := e.CreateContact("bob@example.com", "Bob")
	actLink(t, e, tr, actTicket(t, e, e.CreateTicketType("Order problem", ticket.Customer, nil), "Stuck", &bob, nil))
	r := c.post("/inbox/tickets/"+actItoa(tr)+"/broadcast", url.Values{"step": {"confirm"}, "body": {"Fixed"}}, actHX...)
	actMustContain(t, "one ticket", r.body, "Broadcast to 1 conversation or ticket.")
	_, conv := actConversation(t, e, "ada@example.com", "Ada", "Down?")
	actLink(t, e, tr, conv)
	r = c.post("/inbox/tickets/"+actItoa(tr)+"/broadcast", url.Values{"step": {"confirm"}, "body": {"Fixed again"}}, actHX...)
	actMustContain(t, "a ticket and a conversation", r.body, "Broadcast to 2 conversations and tickets.")
}

func TestTR2_NewTicketOfOneCategory(t *testing.T) {
	e := start(t)
	c := e.signedIn(t)
	customer := e.CreateTicketType("Refund", ticket.Customer, nil)
	e.CreateTicketType("Chargeback", ticket.BackOffice, nil)
	outage := e.CreateTicketType("Outage", ticket.Tracker, nil)
	bug := e.CreateTicketType("Bug", ticket.Tracker, nil)

	// ?category=Tracker lists the trackers' types only, and keeps the category in the form, so
	// that choosing a type (which reloads the form with it) and sending it keep it too.
	r := c.get("/inbox/tickets/new?category=Tracker")
	if r.status != http.StatusOK {
		t.Fatalf("GET: %d", r.status)
	}
	actMustContain(t, "trackers", r.body, "<h1 id=\"action-heading\">New Tracker ticket</h1>", "Tracker ticket type",
		`<option value="`+actItoa(outage.ID)+`" >Outage</option>`, `<option value="`+actItoa(bug.ID)+`" >Bug</option>`,
		`<input type="hidden" name="category" value="Tracker">`, `href="/inbox/tickets/new">Another kind of ticket`)
	actMustNotContain(t, "trackers", r.body, "Refund", "Chargeback")
	r = c.get("/inbox/tickets/new?category=tracker&type_id=" + actItoa(bug.ID)) // any case
	actMustContain(t, "a tracker type chosen", r.body, `<option value="`+actItoa(bug.ID)+`" selected>Bug</option>`,
		`<input type="hidden" name="category" value="Tracker">`, `id="action-title"`)
	actMustNotContain(t, "a tracker type chosen", r.body, "Refund")
	// The other categories likewise.
	actMustContain(t, "customer", c.get("/inbox/tickets/new?category=Customer").body, "New Customer ticket", "Refund")
	actMustNotContain(t, "customer", c.get("/inbox/tickets/new?category=Customer").body, "Outage", "Chargeback")
	actMustContain(t, "back-office", c.get("/inbox/tickets/new?category=Back-office").body, "New Back-office ticket", "Chargeback")
	// Another category, or none: every type, each with its category.
	for _, p := range []string{"/inbox/tickets/new", "/inbox/tickets/new?category=Nonsense"} {
		r := c.get(p)
		actMustContain(t, p, r.body, "Customer: Refund", "Back-office: Chargeback", "Tracker: Outage")
		actMustNotContain(t, p, r.body, `name="category"`)
	}

	// Sent with the category, a type of another is refused; one of it is created.
	r = c.post("/inbox/tickets/new", newTicketForm(customer, "category", "Tracker", "title", "Refund please", "customer", "ada@example.com"))
	if r.status != http.StatusUnprocessableEntity {
		t.Fatalf("a Customer type with category Tracker: %d", r.status)
	}
	actMustContain(t, "refused", r.body, "Choose a Tracker ticket type.", `<input type="hidden" name="category" value="Tracker">`)
	r = c.post("/inbox/tickets/new", newTicketForm(outage, "category", "Tracker", "title", "Checkout down"))
	id := actRedirectedTicket(t, r)
	if tk, err := e.DB.Read().Ticket(context.Background(), id); err != nil || tk.Category != ticket.Tracker || tk.Title != "Checkout down" {
		t.Errorf("created %+v %v", tk, err)
	}
}

// BO1, CO1: a Back-office ticket created on its own and then linked to a customer's
// conversation takes that conversation's customers, and the company CO3 selects for them, each
// with an event; a tracker linked to it takes none.
func TestBO1_LinkingABackOfficeTicketKeepsTheCustomersContext(t *testing.T) {
	e := start(t)
	c := e.signedIn(t)
	bo := e.CreateTicketType("Fraud review", ticket.BackOffice, nil)
	tr := e.CreateTicketType("Outage", ticket.Tracker, nil)
	ada, conv := actConversation(t, e, "ada@example.com", "Ada Lovelace", "Strange charge")
	acme := actCompany(t, e, "acme", "Acme", ada)
	id := actRedirectedTicket(t, c.post("/inbox/tickets/new", newTicketForm(bo, "title", "Card testing")))
	if r := c.post("/inbox/tickets/"+actItoa(id)+"/link", url.Values{"target_id": {actItoa(conv)}}); r.status != http.StatusSeeOther {
		t.Fatalf("link: %d %s", r.status, r.body)
	}
	tk, err := e.DB.Read().Ticket(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if len(tk.ContactIDs) != 1 || tk.ContactIDs[0] != ada.ID || tk.CompanyID != acme {
		t.Errorf("after linking: contacts %v, company %d (want %d, %d)", tk.ContactIDs, tk.CompanyID, ada.ID, acme)
	}
	page := c.get("/inbox/tickets/" + actItoa(id)).body
	actMustContain(t, "the ticket's page", page, "Ada Lovelace", "added a participant",
		`<option value="`+actItoa(acme)+`" selected>Acme</option>`)

	tracker := actRedirectedTicket(t, c.post("/inbox/tickets/new", newTicketForm(tr, "title", "Checkout down")))
	_, conv2 := actConversation(t, e, "bob@example.com", "Bob", "Cannot pay")
	if r := c.post("/inbox/tickets/"+actItoa(tracker)+"/linked", url.Values{"conversation_id": {actItoa(conv2)}}); r.status != http.StatusSeeOther {
		t.Fatalf("link to the tracker: %d", r.status)
	}
	if tk, _ := e.DB.Read().Ticket(context.Background(), tracker); len(tk.ContactIDs) != 0 {
		t.Errorf("the tracker took the conversation's customers: %v", tk.ContactIDs)
	}
}
