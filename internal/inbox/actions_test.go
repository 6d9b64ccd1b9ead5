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

	"github.com/helpdesk/helpdesk/internal/conversation"
	"github.com/helpdesk/helpdesk/internal/store"
	"github.com/helpdesk/helpdesk/internal/ticket"
)

// The tests of actions.go: a conversation's ticket actions and the tracker.

func actItoa(id int64) string { return strconv.FormatInt(id, 10) }

// actConversation starts a conversation from a new contact through the API and returns the
// contact and the conversation's id.
func actConversation(t *testing.T, e *env, email, name, body string) (store.Contact, int64) {
	t.Helper()
	c := e.CreateContact(email, name)
	return c, actConversationOf(t, e, c, body)
}

// actConversationOf starts another conversation from contact c.
func actConversationOf(t *testing.T, e *env, c store.Contact, body string) int64 {
	t.Helper()
	msg := e.MustDo(http.StatusOK, "POST", "/api/conversations", map[string]any{
		"from": map[string]any{"type": "user", "id": actItoa(c.ID)}, "body": body})
	id, err := strconv.ParseInt(fmt.Sprint(msg["conversation_id"]), 10, 64)
	if err != nil {
		t.Fatalf("POST /api/conversations: %v", msg)
	}
	return id
}

// actTicket creates a ticket through the API; extra adds request members. It returns its id.
func actTicket(t *testing.T, e *env, typ ticket.Type, title string, contact *store.Contact, extra map[string]any) int64 {
	t.Helper()
	body := map[string]any{"ticket_type_id": actItoa(typ.ID), "contacts": []any{},
		"ticket_attributes": map[string]any{"_default_title_": title}}
	if contact != nil {
		body["contacts"] = []any{map[string]any{"id": actItoa(contact.ID)}}
	}
	for k, v := range extra {
		body[k] = v
	}
	tk := e.MustDo(http.StatusOK, "POST", "/api/tickets", body)
	id, err := strconv.ParseInt(fmt.Sprint(tk["id"]), 10, 64)
	if err != nil {
		t.Fatalf("POST /api/tickets: %v", tk)
	}
	return id
}

// actCompany creates a company through the API with members, and returns our id for it.
func actCompany(t *testing.T, e *env, companyID, name string, members ...store.Contact) int64 {
	t.Helper()
	co := e.MustDo(http.StatusOK, "POST", "/api/companies", map[string]any{"company_id": companyID, "name": name})
	for _, c := range members {
		e.MustDo(http.StatusOK, "POST", "/api/contacts/"+actItoa(c.ID)+"/companies", map[string]any{"id": co["id"]})
	}
	id, _ := strconv.ParseInt(fmt.Sprint(co["id"]), 10, 64)
	return id
}

// actLinks returns the links of a conversation or ticket, both ways.
func actLinks(t *testing.T, e *env, id int64) []store.Link {
	t.Helper()
	links, err := e.DB.Read().Links(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return links
}

func actLink(t *testing.T, e *env, trackerID, conversationID int64) {
	t.Helper()
	e.MustDo(http.StatusOK, "POST", "/api/tickets/"+actItoa(trackerID)+"/linked_conversations",
		map[string]any{"conversation_id": actItoa(conversationID)})
}

var actNewTicket = regexp.MustCompile(`^/inbox/tickets/(\d+)$`)

// actRedirectedTicket reads the ticket a create form redirected to.
func actRedirectedTicket(t *testing.T, r response) int64 {
	t.Helper()
	m := actNewTicket.FindStringSubmatch(r.location)
	if r.status != http.StatusSeeOther || m == nil {
		t.Fatalf("want a redirect to the new ticket, got %d %q: %s", r.status, r.location, r.body)
	}
	id, _ := strconv.ParseInt(m[1], 10, 64)
	return id
}

func actMustContain(t *testing.T, what, body string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(body, w) {
			t.Errorf("%s: no %q in:\n%s", what, w, body)
		}
	}
}

func actMustNotContain(t *testing.T, what, body string, unwanted ...string) {
	t.Helper()
	for _, w := range unwanted {
		if strings.Contains(body, w) {
			t.Errorf("%s: %q should not be there", what, w)
		}
	}
}

// actShareable is is_internal false: a Back-office type that allows sharing (TT4).
func actShareable() *bool { f := false; return &f }

func TestBO6_ShareChoiceShownOnlyWhereAllowed(t *testing.T) {
	e := start(t)
	c := e.signedIn(t)
	internal := e.CreateTicketType("Fraud investigation", ticket.BackOffice, nil) // TT4: sharing off by default
	sharable := e.CreateTicketType("Refund approval", ticket.BackOffice, actShareable())
	customer := e.CreateTicketType("Order problem", ticket.Customer, nil)

	ada, plain := actConversation(t, e, "ada@example.com", "Ada", "My card was charged twice")
	_, withShared := actConversation(t, e, "bob@example.com", "Bob", "Where is my refund?")
	actTicket(t, e, sharable, "Refund", nil, map[string]any{"is_shared": true, "conversation_to_link_id": actItoa(withShared)})
	customerTicket := actTicket(t, e, customer, "Broken order", &ada, nil)

	page := func(target int64, typ ticket.Type) string {
		t.Helper()
		r := c.get("/inbox/conversations/" + actItoa(target) + "/back-office/new?type_id=" + actItoa(typ.ID))
		if r.status != http.StatusOK {
			t.Fatalf("GET back-office form of %d: %d %s", target, r.status, r.body)
		}
		return r.body
	}
	const control = `name="shared"`
	cases := []struct {
		name   string
		target int64
		typ    ticket.Type
		shown  bool
		why    string
	}{
		{"a type that does not allow sharing (TT4)", plain, internal, false, "does not allow sharing"},
		{"a Customer ticket (BO8)", customerTicket, sharable, false, "It stays internal. A Back-office ticket linked to a Customer ticket cannot be shared."},
		{"a conversation with a shared Back-office ticket (BO7)", withShared, sharable, false, "already has a shared Back-office ticket; one is allowed."},
		{"a conversation, with a type that allows sharing", plain, sharable, true, "Share with the customer"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			body := page(tc.target, tc.typ)
			if got := strings.Contains(body, control); got != tc.shown {
				t.Errorf("share control shown: %v, want %v", got, tc.shown)
			}
			actMustContain(t, tc.name, body, tc.why)
			actMustNotContain(t, tc.name, body, "(BO7)", "(BO8)", "(TT4)") // rule numbers are for developers
		})
	}
	// Before a type is chosen there is no share choice at all.
	if r := c.get("/inbox/conversations/" + actItoa(plain) + "/back-office/new"); r.status != http.StatusOK || strings.Contains(r.body, control) {
		t.Errorf("no type chosen: %d, share control %v", r.status, strings.Contains(r.body, control))
	}

	// Sharing where the rules do not allow it is refused with the rule's message, and nothing
	// is created.
	before := len(actLinks(t, e, withShared))
	r := c.post("/inbox/conversations/"+actItoa(withShared)+"/back-office/new", url.Values{
		"type_id": {actItoa(sharable.ID)}, "title": {"Second refund"}, "shared": {"true"}})
	if r.status != http.StatusUnprocessableEntity {
		t.Fatalf("second shared ticket: %d, want 422", r.status)
	}
	actMustContain(t, "BO7 refusal", r.body, "already has a shared Back-office ticket; one is allowed.", `value="Second refund"`)
	actMustNotContain(t, "BO7 refusal", r.body, "(BO7)")
	if after := len(actLinks(t, e, withShared)); after != before {
		t.Errorf("links %d → %d after a refusal", before, after)
	}

	// Neither a Back-office nor a Tracker ticket starts a Back-office ticket.
	bo := actTicket(t, e, internal, "Internal", nil, nil)
	if r := c.get("/inbox/conversations/" + actItoa(bo) + "/back-office/new"); r.status != http.StatusNotFound {
		t.Errorf("back-office form of a Back-office ticket: %d", r.status)
	}
}

func TestBO1_CreateBackOfficeTicketFromAConversation(t *testing.T) {
	e := start(t)
	c := e.signedIn(t)
	typ := e.CreateTicketType("Refund approval", ticket.BackOffice, actShareable(),
		ticket.Attribute{Name: "Order number", DataType: ticket.Integer, RequiredToCreate: true, VisibleOnCreate: true},
		ticket.Attribute{Name: "Reason", DataType: ticket.List, ListItems: []string{"Damaged", "Late"}, VisibleOnCreate: true},
		ticket.Attribute{Name: "Hidden note", DataType: ticket.String}) // not on the create form
	ada, conv := actConversation(t, e, "ada@example.com", "Ada Lovelace", "My parcel arrived broken")
	acme := actCompany(t, e, "acme", "Acme", ada)
	_, other := actConversation(t, e, "zed@example.com", "Zed", "Hi")
	elsewhere := actCompany(t, e, "globex", "Globex", e.CreateContact("x@example.com", "X"))
	_ = other

	path := "/inbox/conversations/" + actItoa(conv) + "/back-office/new"
	// The form: the type's fields on the create form, the company CO3 chooses for a contact in
	// exactly one company, the customer named.
	r := c.get(path + "?type_id=" + actItoa(typ.ID))
	if r.status != http.StatusOK {
		t.Fatalf("GET: %d %s", r.status, r.body)
	}
	actMustContain(t, "form", r.body, "Ada Lovelace", "My parcel arrived broken", `name="attr.Order number"`, `name="attr.Reason"`,
		`<option value="`+actItoa(acme)+`" selected>Acme</option>`, "No company")
	actMustNotContain(t, "form", r.body, "Hidden note", "Globex")

	// A missing required attribute, a value of the wrong type, a company outside the contacts':
	// each refused with the rule's message next to its control, and nothing written.
	form := func(kv ...string) url.Values {
		v := url.Values{"type_id": {actItoa(typ.ID)}, "title": {"Refund the broken parcel"}, "company_id": {actItoa(acme)}}
		for i := 0; i+1 < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		return v
	}
	for _, tc := range []struct {
		form url.Values
		want string
	}{
		{form(), "Order number is required to create a Refund approval ticket."},
		{form("attr.Order number", "abc"), "Order number must be an integer."},
		{form("attr.Order number", "42", "company_id", actItoa(elsewhere)), "is not a company of the ticket&#39;s contacts."},
	} {
		r := c.post(path, tc.form)
		if r.status != http.StatusUnprocessableEntity {
			t.Fatalf("%v: %d, want 422: %s", tc.form, r.status, r.body)
		}
		actMustContain(t, tc.want, r.body, tc.want, `aria-invalid="true"`, `value="Refund the broken parcel"`)
	}
	if links := actLinks(t, e, conv); len(links) != 0 {
		t.Fatalf("refused forms linked %v", links)
	}

	// Created: a Back-office ticket linked to the conversation, with the customer, the company,
	// its attributes and the teammate's sharing choice; the teammate lands on its page.
	r = c.post(path, form("attr.Order number", "42", "attr.Reason", "Damaged", "shared", "true",
		"description", "Customer sent **photos**"))
	id := actRedirectedTicket(t, r)
	tk, err := e.DB.Read().Ticket(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if tk.Category != ticket.BackOffice || tk.Title != "Refund the broken parcel" || !tk.IsShared || tk.CompanyID != acme ||
		tk.Attributes["Order number"] != float64(42) || tk.Attributes["Reason"] != "Damaged" ||
		len(tk.ContactIDs) != 1 || tk.ContactIDs[0] != ada.ID || !strings.Contains(tk.Description, "<strong>photos</strong>") {
		t.Errorf("created %+v", tk)
	}
	links := actLinks(t, e, conv)
	if len(links) != 1 || links[0].TicketID != id || links[0].ConversationID != conv || !links[0].Shared {
		t.Errorf("links of the conversation: %+v", links)
	}
	// Its own assignee and state (BO1): the teammate's page of it is the ticket page.
	if tk.AdminAssigneeID != 0 || tk.State.Category != ticket.Submitted {
		t.Errorf("assignee %d, state %v", tk.AdminAssigneeID, tk.State)
	}

	// An internal one needs no share choice, and a conversation may have several.
	r = c.post(path, form("attr.Order number", "43"))
	second := actRedirectedTicket(t, r)
	if tk, _ := e.DB.Read().Ticket(context.Background(), second); tk.IsShared {
		t.Errorf("unchecked share made a shared ticket")
	}
	// From another site, nothing is created.
	if r := c.post(path, form("attr.Order number", "44"), "Sec-Fetch-Site", "cross-site"); r.status != http.StatusForbidden {
		t.Errorf("cross-site: %d", r.status)
	}
	if n := len(actLinks(t, e, conv)); n != 2 {
		t.Errorf("%d links, want 2", n)
	}
}

func TestCT2_ConvertToTicketInOneAction(t *testing.T) {
	e := start(t)
	c := e.signedIn(t)
	typ := e.CreateTicketType("Order problem", ticket.Customer, nil,
		ticket.Attribute{Name: "Order", DataType: ticket.String, VisibleOnCreate: true, RequiredToCreate: true})
	e.CreateTicketType("Fraud", ticket.BackOffice, nil) // not a Customer type: not offered
	ada, conv := actConversation(t, e, "ada@example.com", "Ada", "The order never came")
	acme := actCompany(t, e, "acme", "Acme", ada)
	globex := actCompany(t, e, "globex", "Globex", ada)

	path := "/inbox/conversations/" + actItoa(conv) + "/convert"
	r := c.get(path)
	if r.status != http.StatusOK {
		t.Fatalf("GET: %d", r.status)
	}
	// One Customer type: it is chosen already; a contact in two companies: none is (CO3).
	actMustContain(t, "form", r.body, "Order problem", `name="attr.Order"`, `<option value="0" selected>No company</option>`,
		`<option value="`+actItoa(acme)+`" >Acme</option>`, `<option value="`+actItoa(globex)+`" >Globex</option>`)
	actMustNotContain(t, "form", r.body, "Fraud", `name="shared"`)
	// The title starts as the conversation's opening, for the teammate to keep or change.
	actMustContain(t, "form", r.body, `id="action-title" name="title" value="The order never came"`)

	r = c.post(path, url.Values{"type_id": {actItoa(typ.ID)}, "title": {"Lost order"}, "company_id": {actItoa(globex)}})
	if r.status != http.StatusUnprocessableEntity {
		t.Fatalf("missing attribute: %d", r.status)
	}
	actMustContain(t, "refusal", r.body, "Order is required to create an Order problem ticket.")

	// One action: the conversation becomes the ticket, in place.
	r = c.post(path, url.Values{"type_id": {actItoa(typ.ID)}, "title": {"Lost order"}, "company_id": {actItoa(globex)},
		"attr.Order": {"A-1001"}})
	if id := actRedirectedTicket(t, r); id != conv {
		t.Fatalf("converted to %d, not in place (%d)", id, conv)
	}
	tk, err := e.DB.Read().Ticket(context.Background(), conv)
	if err != nil {
		t.Fatal(err)
	}
	if tk.Category != ticket.Customer || !tk.IsShared || tk.Title != "Lost order" || tk.CompanyID != globex || tk.Attributes["Order"] != "A-1001" {
		t.Errorf("converted: %+v", tk)
	}
	// It is a ticket now: nothing to convert.
	if r := c.get(path); r.status != http.StatusNotFound {
		t.Errorf("convert a ticket: %d", r.status)
	}

	// A conversation with a shared Back-office ticket cannot become a Customer ticket (BO8):
	// the rule says so, before and after trying.
	shared := e.CreateTicketType("Refund approval", ticket.BackOffice, actShareable())
	_, conv2 := actConversation(t, e, "bob@example.com", "Bob", "Refund?")
	actTicket(t, e, shared, "Refund", nil, map[string]any{"is_shared": true, "conversation_to_link_id": actItoa(conv2)})
	path = "/inbox/conversations/" + actItoa(conv2) + "/convert"
	actMustContain(t, "GET with a shared Back-office ticket", c.get(path).body, "has a shared Back-office ticket, which a Customer ticket cannot have.")
	actMustNotContain(t, "GET with a shared Back-office ticket", c.get(path).body, "(BO8)") // rule numbers are for developers
	r = c.post(path, url.Values{"type_id": {actItoa(typ.ID)}, "title": {"x"}, "attr.Order": {"1"}})
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "which a Customer ticket cannot have") {
		t.Errorf("BO8: %d %s", r.status, r.body)
	}
	if tgt, _ := e.DB.Read().LinkTarget(context.Background(), conv2); tgt.IsTicket {
		t.Errorf("converted despite BO8")
	}
}

func TestTR2_LinkToExistingOrNewTracker(t *testing.T) {
	e := start(t)
	c := e.signedIn(t)
	tracker := e.CreateTicketType("Outage", ticket.Tracker, nil)
	ada, conv1 := actConversation(t, e, "ada@example.com", "Ada", "Checkout fails")
	conv2 := actConversationOf(t, e, ada, "Cannot pay")
	login := actTicket(t, e, tracker, "Login bug", nil, nil)

	// A new tracker, from the first conversation: created and linked in one step.
	path1 := "/inbox/conversations/" + actItoa(conv1) + "/tracker"
	r := c.get(path1)
	actMustContain(t, "tracker page", r.body, "Link to an existing tracker", "Login bug", "Create tracker and link")
	r = c.post(path1, url.Values{"type_id": {actItoa(tracker.ID)}, "title": {"Checkout outage"}, "description": {"Payments fail"}})
	checkout := actRedirectedTicket(t, r)
	if links := actLinks(t, e, conv1); len(links) != 1 || links[0].TicketID != checkout || links[0].Kind != ticket.Tracker {
		t.Fatalf("conversation 1 links: %+v", links)
	}

	// An existing one, found by its title, from the second.
	path2 := "/inbox/conversations/" + actItoa(conv2) + "/tracker"
	r = c.get(path2 + "?q=CHECKOUT")
	actMustContain(t, "search", r.body, "Checkout outage")
	actMustNotContain(t, "search", r.body, "Login bug")
	r = c.post(path2, url.Values{"link": {actItoa(checkout)}})
	if r.status != http.StatusSeeOther || r.location != "/inbox/conversations/"+actItoa(conv2) {
		t.Fatalf("link: %d %q %s", r.status, r.location, r.body)
	}
	if links := actLinks(t, e, conv2); len(links) != 1 || links[0].TicketID != checkout {
		t.Fatalf("conversation 2 links: %+v", links)
	}

	// One tracker per conversation (TR2): the page says so, and linking another is refused with
	// the rule's message, changing nothing.
	r = c.get(path2)
	actMustContain(t, "linked conversation", r.body, "is already linked to a tracker; one is allowed.", "Checkout outage")
	actMustNotContain(t, "linked conversation", r.body, "(TR2)") // rule numbers are for developers
	actMustNotContain(t, "linked conversation", r.body, "Create tracker and link", `name="link"`)
	r = c.post(path2, url.Values{"link": {actItoa(login)}})
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "is already linked to a tracker; one is allowed.") {
		t.Errorf("second tracker: %d %s", r.status, r.body)
	}
	r = c.post(path2, url.Values{"type_id": {actItoa(tracker.ID)}, "title": {"Another"}})
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "is already linked to a tracker; one is allowed.") {
		t.Errorf("new tracker for a linked conversation: %d", r.status)
	}
	if links := actLinks(t, e, conv2); len(links) != 1 || links[0].TicketID != checkout {
		t.Errorf("links after refusals: %+v", links)
	}

	// The list of trackers is paginated.
	for i := range 21 {
		actTicket(t, e, tracker, fmt.Sprintf("Bulk issue %02d", i), nil, nil)
	}
	_, conv3 := actConversation(t, e, "cy@example.com", "Cy", "Hello")
	path3 := "/inbox/conversations/" + actItoa(conv3) + "/tracker"
	r = c.get(path3 + "?q=bulk")
	if n := strings.Count(r.body, `name="link"`); n != 20 {
		t.Errorf("first page: %d trackers", n)
	}
	next := regexp.MustCompile(`before=(\d+)">More trackers`).FindStringSubmatch(r.body)
	if next == nil {
		t.Fatalf("no next page")
	}
	r = c.get(path3 + "?q=bulk&before=" + next[1])
	if n := strings.Count(r.body, `name="link"`); n != 1 || !strings.Contains(r.body, "Bulk issue 00") || strings.Contains(r.body, "More trackers") {
		t.Errorf("second page: %d trackers", n)
	}
}

func TestCT3_SendTicketFormFromTheInbox(t *testing.T) {
	e := start(t)
	c := e.signedIn(t)
	refund := e.CreateTicketType("Refund request", ticket.Customer, nil)
	shared := e.CreateTicketType("Damage claim", ticket.BackOffice, actShareable())
	internal := e.CreateTicketType("Fraud investigation", ticket.BackOffice, nil)
	e.CreateTicketType("Outage", ticket.Tracker, nil)
	_, conv := actConversation(t, e, "ada@example.com", "Ada", "I want my money back")

	path := "/inbox/conversations/" + actItoa(conv) + "/ticket-form"
	r := c.get(path)
	if r.status != http.StatusOK {
		t.Fatalf("GET: %d", r.status)
	}
	// BO11: the list is the API's sendable list: Customer types and Back-office types that allow
	// sharing.
	list := e.MustDo(http.StatusOK, "GET", "/api/ticket_types?sendable_as_form=true", nil)
	data, _ := list["data"].([]any)
	if len(data) != 2 {
		t.Fatalf("API sendable list: %v", list)
	}
	for _, d := range data {
		actMustContain(t, "BO11 list", r.body, fmt.Sprint(d.(map[string]any)["name"]))
	}
	actMustNotContain(t, "BO11 list", r.body, "Fraud investigation", "Outage")
	if n := strings.Count(r.body, `name="type_id"`); n != 2 {
		t.Errorf("%d send buttons, want 2", n)
	}

	// Sending one posts it into the conversation and goes back there.
	r = c.post(path, url.Values{"type_id": {actItoa(refund.ID)}})
	if r.status != http.StatusSeeOther || r.location != "/inbox/conversations/"+actItoa(conv) {
		t.Fatalf("send: %d %q %s", r.status, r.location, r.body)
	}
	forms, err := e.DB.Read().TicketForms(context.Background(), conv)
	if err != nil || len(forms) != 1 || forms[0].TicketTypeID != refund.ID || forms[0].SentBy != e.Mate.ID {
		t.Fatalf("forms: %+v %v", forms, err)
	}
	actMustContain(t, "sent", c.get(path).body, "Sent before", "Refund request, sent", "waiting for the customer")

	// A type outside the list is refused with the rule's message, and nothing is sent.
	r = c.post(path, url.Values{"type_id": {actItoa(internal.ID)}})
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "cannot be sent as a ticket form") {
		t.Errorf("internal type: %d %s", r.status, r.body)
	}
	// Where the conversation has a shared Back-office ticket, the rule says why neither can go.
	actTicket(t, e, shared, "Claim", nil, map[string]any{"is_shared": true, "conversation_to_link_id": actItoa(conv)})
	r = c.get(path)
	actMustContain(t, "BO7", r.body, "Cannot be sent here", "already has a shared Back-office ticket; one is allowed", "so it cannot become a Customer ticket")
	if n := strings.Count(r.body, `name="type_id"`); n != 0 {
		t.Errorf("%d send buttons, want none", n)
	}
	if forms, _ := e.DB.Read().TicketForms(context.Background(), conv); len(forms) != 1 {
		t.Errorf("%d forms sent", len(forms))
	}
}

// actHX are the headers of an htmx request.
var actHX = []string{"HX-Request", "true"}

func TestTR3_TrackerListsLinkedConversationsWithCustomerAndState(t *testing.T) {
	e := start(t)
	c := e.signedIn(t)
	ctx := context.Background()
	d := e.Server.Desk()
	trackerType := e.CreateTicketType("Outage", ticket.Tracker, nil)
	customerType := e.CreateTicketType("Order problem", ticket.Customer, nil)
	boType := e.CreateTicketType("Fraud", ticket.BackOffice, nil)
	tr := actTicket(t, e, trackerType, "Checkout outage", nil, nil)

	ada, convA := actConversation(t, e, "ada@example.com", "Ada Lovelace", "Checkout fails")
	_, convB := actConversation(t, e, "bob@example.com", "", "Payment error")
	cy := e.CreateContact("cy@example.com", "Cy Young")
	ticketC := actTicket(t, e, customerType, "Order stuck", &cy, nil)
	if _, err := d.AttachContact(ctx, convA, e.Admin.ID, cy.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Snooze(ctx, convB, e.Admin.ID, e.Clock.Now().Add(48*3600e9)); err != nil {
		t.Fatal(err)
	}
	states, _ := e.DB.Read().TicketStates(ctx)
	for _, s := range states {
		if s.Category == ticket.InProgress {
			if _, err := d.ChangeState(ctx, ticketC, e.Admin.ID, s.ID); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, id := range []int64{convA, convB, ticketC} {
		actLink(t, e, tr, id)
	}

	// The fragment the tracker's page loads: each linked conversation and Customer ticket, its
	// customers and its state.
	path := "/inbox/tickets/" + actItoa(tr) + "/linked"
	r := c.get(path, actHX...)
	if r.status != http.StatusOK || strings.Contains(r.body, "<html") {
		t.Fatalf("fragment: %d %s", r.status, r.body)
	}
	rows := regexp.MustCompile(`(?s)<tr class="tracker-row".*?</tr>`).FindAllString(r.body, -1)
	if len(rows) != 3 {
		t.Fatalf("%d rows:\n%s", len(rows), r.body)
	}
	for i, want := range [][]string{
		{"/inbox/conversations/" + actItoa(convA), "Ada Lovelace", "Cy Young", "Open"},
		{"/inbox/conversations/" + actItoa(convB), "bob@example.com", "Snoozed"},
		{"/inbox/tickets/" + actItoa(ticketC), "Order stuck", "Cy Young", "In progress"},
	} {
		actMustContain(t, fmt.Sprintf("row %d", i), rows[i], want...)
	}
	actMustContain(t, "fragment", r.body, "3 linked conversations and tickets · 3 customers",
		`data-live-conversation="`+actItoa(tr)+`"`, `hx-trigger="live"`)
	// Opened in a browser, it is a page of its own.
	if r := c.get(path); r.status != http.StatusOK || !strings.Contains(r.body, "<html") || !strings.Contains(r.body, "Checkout outage") {
		t.Errorf("page: %d", r.status)
	}
	// Only a tracker has one.
	bo := actTicket(t, e, boType, "Check", nil, map[string]any{"conversation_to_link_id": actItoa(convA)})
	for _, id := range []int64{bo, convA, 999999} {
		if r := c.get("/inbox/tickets/"+actItoa(id)+"/linked", actHX...); r.status != http.StatusNotFound || strings.Contains(r.body, "<html") {
			t.Errorf("fragment of %d: %d", id, r.status)
		}
	}

	// Pages of 50, in link order, with a "more" control for the next.
	tk, err := e.DB.Read().Ticket(ctx, tr)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.DB.Tx(ctx, func(tx *store.Tx) error {
		return tx.CreateLinkedConversations(ctx, tk, ada.ID, 55, e.Clock.Now())
	}); err != nil {
		t.Fatal(err)
	}
	r = c.get(path, actHX...)
	if n := strings.Count(r.body, `<tr class="tracker-row"`); n != 50 {
		t.Errorf("first page: %d rows", n)
	}
	more := regexp.MustCompile(`hx-get="(/inbox/tickets/\d+/linked\?after=\d+)"`).FindStringSubmatch(r.body)
	if more == nil {
		t.Fatalf("no more control")
	}
	r = c.get(strings.ReplaceAll(more[1], "&amp;", "&"), actHX...)
	if n := strings.Count(r.body, `<tr class="tracker-row"`); n != 8 || strings.Contains(r.body, "after=") {
		t.Errorf("second page: %d rows", n)
	}

	// Linking from the tracker: by number, or found by search.
	_, convD := actConversation(t, e, "dee@example.com", "Dee", "Basket empties itself")
	_, convE := actConversation(t, e, "eve@example.com", "Eve", "The basket is broken")
	r = c.post(path, url.Values{"conversation_id": {"#" + actItoa(convD)}}, actHX...)
	if r.status != http.StatusOK || !strings.Contains(r.body, "Linked Conversation #"+actItoa(convD)+".") {
		t.Fatalf("link by number: %d %s", r.status, r.body)
	}
	r = c.get(path+"/candidates?q=BASKET", actHX...)
	actMustContain(t, "search", r.body, "#"+actItoa(convE)+" The basket is broken", "Linked here", "Eve")
	if strings.Count(r.body, `name="conversation_id"`) != 1 {
		t.Errorf("search offers to link: %s", r.body)
	}
	r = c.post(path, url.Values{"conversation_id": {actItoa(convE)}, "q": {"basket"}}, actHX...)
	if r.status != http.StatusOK || !strings.Contains(r.body, "Linked Conversation #"+actItoa(convE)+".") {
		t.Fatalf("link found: %d %s", r.status, r.body)
	}
	// A conversation linked to another tracker is refused with TR2's message; the search says
	// so before.
	other := actTicket(t, e, trackerType, "Other", nil, nil)
	r = c.get("/inbox/tickets/"+actItoa(other)+"/linked/candidates?q="+actItoa(convD), actHX...)
	actMustContain(t, "candidate with a tracker", r.body, "is already linked to a tracker; one is allowed")
	r = c.post("/inbox/tickets/"+actItoa(other)+"/linked", url.Values{"conversation_id": {actItoa(convD)}}, actHX...)
	actMustContain(t, "TR2 refusal", r.body, "is already linked to a tracker; one is allowed")
	r = c.post("/inbox/tickets/"+actItoa(other)+"/linked", url.Values{"conversation_id": {actItoa(convD)}})
	if r.status != http.StatusUnprocessableEntity {
		t.Errorf("TR2 refusal without htmx: %d", r.status)
	}
	if links := actLinks(t, e, convD); len(links) != 1 || links[0].TicketID != tr {
		t.Errorf("links of D: %+v", links)
	}
}

func TestTR4_BroadcastPreviewCountsCustomersAndPosts(t *testing.T) {
	e := start(t)
	c := e.signedIn(t)
	ctx := context.Background()
	trackerType := e.CreateTicketType("Outage", ticket.Tracker, nil)
	customerType := e.CreateTicketType("Order problem", ticket.Customer, nil)
	tr := actTicket(t, e, trackerType, "Checkout outage", nil, nil)
	x, conv1 := actConversation(t, e, "x@example.com", "X", "Checkout fails")
	conv2 := actConversationOf(t, e, x, "Still failing") // the same customer again
	y, conv3 := actConversation(t, e, "y@example.com", "Y", "Cannot pay")
	z := e.CreateContact("z@example.com", "Z")
	if _, err := e.Server.Desk().AttachContact(ctx, conv3, e.Admin.ID, z.ID); err != nil {
		t.Fatal(err)
	}
	ticketY := actTicket(t, e, customerType, "Order stuck", &y, nil)
	linked := []int64{conv1, conv2, conv3, ticketY}
	for _, id := range linked {
		actLink(t, e, tr, id)
	}

	path := "/inbox/tickets/" + actItoa(tr) + "/broadcast"
	body := "We found the fault.\n\nPayments work again <3"
	// The preview: how many conversations and tickets, and how many distinct customers (X, Y, Z).
	r := c.post(path, url.Values{"step": {"preview"}, "body": {body}}, actHX...)
	if r.status != http.StatusOK {
		t.Fatalf("preview: %d %s", r.status, r.body)
	}
	actMustContain(t, "preview", r.body, "4 conversations and tickets", "3 customers", "Confirm broadcast", "Payments work again &lt;3")
	if n, _ := e.DB.Read().CountLinkedWithPart(ctx, tr, conversation.PartComment, "<p>We found the fault.</p><p>Payments work again &lt;3</p>"); n != 0 {
		t.Fatalf("the preview posted to %d", n)
	}
	// A blank update is refused with the rule's message.
	r = c.post(path, url.Values{"step": {"confirm"}, "body": {"  "}}, actHX...)
	actMustContain(t, "blank", r.body, "The update must not be blank.")

	// Confirmed: a comment the customer sees in every linked conversation and ticket.
	r = c.post(path, url.Values{"step": {"confirm"}, "body": {body}}, actHX...)
	actMustContain(t, "broadcast", r.body, "Broadcast to 4 conversations and tickets.")
	want := "<p>We found the fault.</p><p>Payments work again &lt;3</p>"
	for _, id := range linked {
		kind := "conversations"
		if id == ticketY {
			kind = "tickets"
		}
		got := e.MustDo(http.StatusOK, "GET", "/api/"+kind+"/"+actItoa(id), nil)
		if !strings.Contains(fmt.Sprint(got), want) {
			t.Errorf("%s %d has no broadcast: %v", kind, id, got)
		}
	}
	// Without htmx, the same, as a page.
	r = c.post(path, url.Values{"step": {"preview"}, "body": {"Second"}})
	if r.status != http.StatusOK || !strings.Contains(r.body, "<html") || !strings.Contains(r.body, "3 customers") {
		t.Errorf("page preview: %d", r.status)
	}
	// Only a tracker broadcasts.
	bo := actTicket(t, e, e.CreateTicketType("Fraud", ticket.BackOffice, nil), "Check", nil, nil)
	if r := c.post("/inbox/tickets/"+actItoa(bo)+"/broadcast", url.Values{"step": {"confirm"}, "body": {"x"}}, actHX...); r.status != http.StatusNotFound {
		t.Errorf("broadcast from a Back-office ticket: %d", r.status)
	}
}
