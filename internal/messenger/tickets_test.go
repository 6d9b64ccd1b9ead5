package messenger_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/helpdesk/helpdesk/internal/apitest"
	"github.com/helpdesk/helpdesk/internal/ticket"
)

// recentTickets is the Recent tickets card of Home.
func recentTickets(t *testing.T, home page) string {
	t.Helper()
	i := strings.Index(home.Body, "data-recent-tickets")
	if i < 0 {
		t.Fatalf("home has no Recent tickets: %s", home.Body)
	}
	rest := home.Body[i:]
	return rest[:strings.Index(rest, "</section>")]
}

// TestN1_SubmittedTicketAppearsInRecentTicketsWithTheBadge: a ticket submitted for the
// customer, by a teammate, by the customer or by converting a conversation, is counted by the
// badge, appears in Recent tickets marked as new, and opens as a thread with the ticket at the
// top and a "submitted" event, the same in every case.
func TestN1_SubmittedTicketAppearsInRecentTicketsWithTheBadge(t *testing.T) {
	e := start(t)
	question := e.CreateTicketType("Question", ticket.Customer, nil)
	c := e.signIn("u-1", "casey@example.com", "Casey")
	casey := e.contactID("u-1")
	if n := c.badge(); n != 0 {
		t.Fatalf("badge at first: %d", n)
	}

	// By a teammate, through the API.
	byTeammate := e.createTicket(question, casey, "Teammate made this", "", nil)
	// By the customer, in the Messenger (CT4).
	fields := inputNames(t, c.mustGet("/tickets/new/"+itoa(question.ID)).Body)
	p := c.post("/tickets/new/"+itoa(question.ID), url.Values{fields["Title"]: {"I made this"}, fields["Description"]: {"Details"}})
	byCustomer, ok := strings.CutPrefix(p.Location, c.base+"/c/")
	if p.Status != http.StatusSeeOther || !ok {
		t.Fatalf("customer creates a ticket: %d %q %s", p.Status, p.Location, p.Body)
	}
	// By converting the customer's conversation.
	conv := c.startConversation("Please make this a ticket")
	e.MustDo(http.StatusOK, "POST", "/api/conversations/"+conv+"/convert", map[string]any{"ticket_type_id": itoa(question.ID),
		"attributes": map[string]any{"_default_title_": "Converted one"}})

	if n := c.badge(); n != 3 {
		t.Errorf("badge: %d, want 3 (each submitted ticket)", n)
	}
	recent := recentTickets(t, c.mustGet("/"))
	for _, title := range []string{"Teammate made this", "I made this", "Converted one"} {
		if !strings.Contains(recent, title) {
			t.Errorf("Recent tickets lacks %q: %s", title, recent)
		}
	}
	if n := strings.Count(recent, `class="dot unseen"`); n != 3 {
		t.Errorf("Recent tickets marks %d as new, want 3", n)
	}
	if !strings.Contains(recent, ">Submitted<") {
		t.Errorf("Recent tickets does not show the state: %s", recent)
	}
	for _, id := range []string{byTeammate, byCustomer, conv} {
		th := c.mustGet("/c/" + id)
		if !th.has(`id="ticket-card"`) || !th.has("Ticket submitted") || !th.has(">Submitted<") {
			t.Errorf("thread %s: no card or no submitted event: %s", id, th.Body)
		}
	}
	if n := c.badge(); n != 0 {
		t.Errorf("badge after opening them: %d", n)
	}

	// Home shows three; the fourth is in the tickets space, which lists them all.
	e.createTicket(question, casey, "Fourth one", "", nil)
	home := c.mustGet("/")
	recent = recentTickets(t, home)
	if !strings.Contains(recent, "Fourth one") || strings.Count(recent, `<li>`) != 3 || !strings.Contains(recent, "See all your tickets") {
		t.Errorf("Recent tickets with four tickets: %s", recent)
	}
	all := c.mustGet("/tickets")
	for _, title := range []string{"Teammate made this", "I made this", "Converted one", "Fourth one"} {
		if !all.has(title) {
			t.Errorf("the tickets space lacks %q", title)
		}
	}
}

// inputNames maps the labels of a page's form fields to their inputs' names.
func inputNames(t *testing.T, body string) map[string]string {
	t.Helper()
	out := map[string]string{}
	labels := regexp.MustCompile(`<label for="([^"]+)">([^<]+)`).FindAllStringSubmatch(body, -1)
	for _, l := range labels {
		input := regexp.MustCompile(`id="` + regexp.QuoteMeta(l[1]) + `" name="([^"]+)"`).FindStringSubmatch(body)
		if input != nil {
			out[strings.TrimSpace(html.UnescapeString(l[2]))] = input[1]
		}
	}
	return out
}

// TestCT3_CustomerFillsTheFormSentIntoTheConversation: a teammate sends a ticket form into the
// conversation; the customer sees the customer-visible attributes as inputs of their types,
// fills them in the Messenger, required ones enforced with the problem next to the field and
// what was typed kept, and submitting creates the ticket, once.
func TestCT3_CustomerFillsTheFormSentIntoTheConversation(t *testing.T) {
	e := start(t)
	ret := e.CreateTicketType("Return", ticket.Customer, nil,
		ticket.Attribute{Name: "Order number", DataType: ticket.String, VisibleToContacts: true, RequiredForContacts: true},
		ticket.Attribute{Name: "Quantity", Description: "How many items", DataType: ticket.Integer, VisibleToContacts: true},
		ticket.Attribute{Name: "Reason", DataType: ticket.List, ListItems: []string{"Damaged", "Late", "Other"}, VisibleToContacts: true, RequiredForContacts: true},
		ticket.Attribute{Name: "Weight", DataType: ticket.Decimal, VisibleToContacts: true},
		ticket.Attribute{Name: "Gift", DataType: ticket.Boolean, VisibleToContacts: true},
		ticket.Attribute{Name: "Delivered at", DataType: ticket.Datetime, VisibleToContacts: true},
		ticket.Attribute{Name: "Colours", DataType: ticket.List, ListItems: []string{"Red", "Blue"}, AllowMultiple: true, VisibleToContacts: true},
		ticket.Attribute{Name: "Photos", DataType: ticket.Files, VisibleToContacts: true},
		ticket.Attribute{Name: "Warehouse code", DataType: ticket.String},
		ticket.Attribute{Name: "Old field", DataType: ticket.String, VisibleToContacts: true, Archived: true},
	)
	c := e.signIn("u-1", "casey@example.com", "Casey")
	conv := c.startConversation("My order arrived broken")
	convID, _ := strconv.ParseInt(conv, 10, 64)
	form, err := e.Server.Desk().SendTicketForm(context.Background(), convID, e.Admin.ID, ret.ID)
	if err != nil {
		t.Fatal(err)
	}
	action := "/c/" + conv + "/forms/" + itoa(form.ID)

	p := c.mustGet("/c/" + conv)
	names := inputNames(t, p.Body)
	if m := regexp.MustCompile(`<input type="checkbox" name="([^"]+)" value="Red"`).FindStringSubmatch(p.Body); m != nil {
		names["Colours"] = m[1]
	}
	for _, label := range []string{"Title", "Description", "Colours", "Order number", "Quantity", "Reason", "Weight", "Gift", "Delivered at"} {
		if names[label] == "" {
			t.Errorf("the form lacks %q: %v", label, names)
		}
	}
	for _, hidden := range []string{"Warehouse code", "Old field", "Photos"} {
		if p.has(hidden) {
			t.Errorf("the form shows %q", hidden)
		}
	}
	for _, want := range []string{`<option>Damaged</option>`, `type="number"`, `type="datetime-local"`, `<legend>Colours`, `value="Blue"`, "How many items", `action="` + c.base + action + `"`} {
		if !p.has(want) {
			t.Errorf("the form lacks %s", want)
		}
	}

	// A value of the wrong type: said next to its field, nothing submitted, all kept.
	bad := url.Values{names["Title"]: {"Broken vase"}, names["Quantity"]: {"two"}, names["Reason"]: {"Damaged"}, names["Colours"]: {"Blue"}, "tz": {"60"}}
	p = c.post(action, bad)
	if p.Status != http.StatusUnprocessableEntity || !p.has("Quantity must be a whole number") || !p.has(`value="two"`) ||
		!p.has(`<option selected>Damaged</option>`) || !p.has(`value="Blue" checked`) || !p.has(`value="Broken vase"`) {
		t.Errorf("a bad quantity: %d %s", p.Status, p.Body[strings.Index(p.Body, "<main"):])
	}
	// A required attribute left out: desk's refusal next to the field, what was typed kept.
	missing := url.Values{names["Title"]: {"Broken vase"}, names["Quantity"]: {"2"}, names["Reason"]: {"Damaged"}, names["Gift"]: {"yes"},
		names["Weight"]: {"1,5"}, names["Delivered at"]: {"2026-10-30T14:30"}, names["Colours"]: {"Red", "Blue"}, "tz": {"60"}}
	p = c.post(action, missing)
	errID := regexp.MustCompile(`id="([^"]+)" name="` + names["Order number"] + `"`).FindStringSubmatch(p.Body)
	if p.Status != http.StatusUnprocessableEntity || errID == nil ||
		!regexp.MustCompile(`id="`+errID[1]+`-err">Order number is required to create a Return ticket`).MatchString(p.Body) ||
		!p.has(`aria-describedby="`+errID[1]+`-err"`) || !p.has(`value="2"`) || !p.has(`<option value="yes" selected>`) {
		t.Errorf("a missing order number: %d %s", p.Status, p.Body)
	}
	if tk := e.Do("GET", "/api/tickets/"+conv, nil); tk.Status != http.StatusNotFound {
		t.Errorf("a refused form made the ticket: %d", tk.Status)
	}

	missing.Set(names["Order number"], "A-1001")
	p = c.post(action, missing)
	if p.Status != http.StatusSeeOther || p.Location != c.base+"/c/"+conv {
		t.Fatalf("submit: %d %q %s", p.Status, p.Location, p.Body)
	}
	// The conversation is now the ticket, with the customer's values.
	tk := e.MustDo(http.StatusOK, "GET", "/api/tickets/"+conv, nil)
	attrs := tk["ticket_attributes"].(map[string]any)
	if attrs["Order number"] != "A-1001" || attrs["Quantity"] != float64(2) || attrs["Reason"] != "Damaged" || attrs["Gift"] != true ||
		attrs["Weight"] != 1.5 || attrs["_default_title_"] != "Broken vase" {
		t.Errorf("ticket attributes: %v", attrs)
	}
	if colours, _ := attrs["Colours"].([]any); len(colours) != 2 {
		t.Errorf("colours: %v", attrs["Colours"])
	}
	if at := num(attrs["Delivered at"]); at != 1793367000 { // 2026-10-30 14:30 at UTC+1
		t.Errorf("delivered at: %v", attrs["Delivered at"])
	}
	th := c.mustGet("/c/" + conv)
	if !th.has(`id="ticket-card"`) || !th.has("Broken vase") || !th.has("data-submitted") || !th.has("Ticket submitted") || !th.has("A-1001") || th.has("Warehouse code") {
		t.Errorf("thread after submitting: %s", th.Body)
	}
	// Once only.
	p = c.post(action, missing)
	if p.Status != http.StatusUnprocessableEntity || !p.has("submitted already") {
		t.Errorf("a second submission: %d", p.Status)
	}
	// Another customer cannot submit it, nor see it.
	other := e.signIn("u-2", "dana@example.com", "Dana")
	if p := other.post(action, missing); p.Status != http.StatusNotFound {
		t.Errorf("another customer's submission: %d", p.Status)
	}
}

// TestCT4_CustomerCreatesATicketWithoutAConversation: the Messenger offers the Customer ticket
// types that are not archived; the customer fills the form (required attributes enforced) and
// the ticket is created without a conversation, shown as a thread of its own.
func TestCT4_CustomerCreatesATicketWithoutAConversation(t *testing.T) {
	e := start(t)
	no := false
	bug := e.CreateTicketType("Bug report", ticket.Customer, nil,
		ticket.Attribute{Name: "Browser", DataType: ticket.String, VisibleToContacts: true, RequiredForContacts: true},
		ticket.Attribute{Name: "Severity", DataType: ticket.List, ListItems: []string{"Low", "High"}, VisibleToContacts: true},
		ticket.Attribute{Name: "Triage notes", DataType: ticket.String})
	old := e.CreateTicketType("Old type", ticket.Customer, nil)
	e.MustDo(http.StatusOK, "PUT", "/api/ticket_types/"+itoa(old.ID), map[string]any{"archived": true})
	shared := e.CreateTicketType("Beta access", ticket.BackOffice, &no)
	tracker := e.CreateTicketType("Outage", ticket.Tracker, nil)
	c := e.signIn("u-1", "casey@example.com", "Casey")

	types := c.mustGet("/tickets/new")
	if !types.has("Bug report") || types.has("Old type") || types.has("Beta access") || types.has("Outage") {
		t.Errorf("ticket types offered: %s", types.Body)
	}
	if home := c.mustGet("/"); !home.has("Create a ticket") || !home.has(c.base+"/tickets/new/"+itoa(bug.ID)) {
		t.Errorf("home does not offer to create a ticket")
	}
	for _, typ := range []ticket.Type{old, shared, tracker} {
		if p := c.get("/tickets/new/" + itoa(typ.ID)); p.Status != http.StatusNotFound {
			t.Errorf("form of %s: %d, want 404", typ.Name, p.Status)
		}
		if p := c.post("/tickets/new/"+itoa(typ.ID), url.Values{}); p.Status != http.StatusNotFound {
			t.Errorf("create a %s: %d, want 404", typ.Name, p.Status)
		}
	}

	p := c.mustGet("/tickets/new/" + itoa(bug.ID))
	names := inputNames(t, p.Body)
	if names["Browser"] == "" || names["Title"] == "" || p.has("Triage notes") {
		t.Fatalf("the form: %v", names)
	}
	p = c.post("/tickets/new/"+itoa(bug.ID), url.Values{names["Title"]: {"Login button does nothing"}, names["Severity"]: {"High"}})
	if p.Status != http.StatusUnprocessableEntity || !p.has("Browser is required to create a Bug report ticket") || !p.has(`value="Login button does nothing"`) {
		t.Errorf("missing browser: %d %s", p.Status, p.Body)
	}
	p = c.post("/tickets/new/"+itoa(bug.ID), url.Values{names["Title"]: {"Login button does nothing"}, names["Severity"]: {"Extreme"}, names["Browser"]: {"Firefox"}})
	if p.Status != http.StatusUnprocessableEntity || !p.has("is not one of Low, High") {
		t.Errorf("a severity not in the list: %d %s", p.Status, p.Body)
	}
	p = c.post("/tickets/new/"+itoa(bug.ID), url.Values{names["Title"]: {"Login button does nothing"}, names["Description"]: {"I click and\n\nnothing happens"},
		names["Severity"]: {"High"}, names["Browser"]: {"Firefox"}})
	id, ok := strings.CutPrefix(p.Location, c.base+"/c/")
	if p.Status != http.StatusSeeOther || !ok {
		t.Fatalf("create: %d %q %s", p.Status, p.Location, p.Body)
	}
	tk := e.MustDo(http.StatusOK, "GET", "/api/tickets/"+id, nil)
	contacts, _ := tk["contacts"].(map[string]any)["contacts"].([]any)
	if tk["category"] != "Customer" || len(contacts) != 1 || apitest.ID(contacts[0].(map[string]any)) != e.contactID("u-1") ||
		tk["ticket_attributes"].(map[string]any)["Browser"] != "Firefox" {
		t.Errorf("the ticket: %v", tk)
	}
	th := c.mustGet("/c/" + id)
	if !th.has("Login button does nothing") || !th.has("Bug report") || !th.has("Ticket submitted") || !th.has("Firefox") {
		t.Errorf("the ticket's thread: %s", th.Body)
	}
	// No conversation was started: the customer's only thread is the ticket.
	if m := c.mustGet("/messages"); strings.Count(m.Body, `class="item"`) != 1 {
		t.Errorf("messages: %d threads, want 1", strings.Count(m.Body, `class="item"`))
	}
}

// TestBO10_SharedBackOfficeTicketLooksLikeACustomerTicket: a Back-office ticket shared with the
// customer shows in the Messenger as a Customer ticket does: in Recent tickets and the tickets
// space, at the top of its conversation with its external state, its events in the thread; an
// unshared one never shows, and its own id is not found.
func TestBO10_SharedBackOfficeTicketLooksLikeACustomerTicket(t *testing.T) {
	e := start(t)
	no := false
	beta := e.CreateTicketType("Beta access", ticket.BackOffice, &no)
	fraud := e.CreateTicketType("Fraud check", ticket.BackOffice, nil)
	c := e.signIn("u-1", "casey@example.com", "Casey")
	casey := e.contactID("u-1")

	conv := c.startConversation("Can I join the beta?")
	bo := e.createTicket(beta, casey, "Join the beta", "", map[string]any{"conversation_to_link_id": conv, "is_shared": true})
	e.setState(bo, ticket.WaitingOnCustomer)
	number := num(e.MustDo(http.StatusOK, "GET", "/api/tickets/"+bo, nil)["ticket_id"])
	other := c.startConversation("Is my card safe?")
	hidden := e.createTicket(fraud, casey, "Fraud check secret", "", map[string]any{"conversation_to_link_id": other})

	if n := c.badge(); n != 1 {
		t.Errorf("badge: %d, want 1 (the shared ticket's conversation)", n)
	}
	recent := recentTickets(t, c.mustGet("/"))
	if !strings.Contains(recent, "Join the beta") || !strings.Contains(recent, "#"+itoa(number)+" · Beta access") ||
		!strings.Contains(recent, "Waiting on you") || !strings.Contains(recent, `href="`+c.base+`/c/`+conv+`"`) || strings.Contains(recent, "Fraud") {
		t.Errorf("Recent tickets: %s", recent)
	}
	space := c.mustGet("/tickets")
	if !space.has("Join the beta") || space.has("Fraud") || space.has("Is my card safe?") {
		t.Errorf("tickets space: %s", space.Body)
	}
	th := c.mustGet("/c/" + conv)
	text := html.UnescapeString(th.Body)
	for _, want := range []string{`id="ticket-card"`, "Join the beta", "Ticket #" + itoa(number) + " · Beta access", "Waiting on you",
		"Ticket #" + itoa(number) + " submitted", "Status changed to Waiting on you", "Can I join the beta?"} {
		if !strings.Contains(text, want) {
			t.Errorf("the conversation lacks %q", want)
		}
	}
	if strings.Contains(text, "Waiting on customer") {
		t.Error("the conversation shows an internal label")
	}
	if p := c.mustGet("/c/" + other); p.has(`id="ticket-card"`) || p.has("Fraud") {
		t.Errorf("the unshared ticket shows: %s", p.Body)
	}
	for _, id := range []string{bo, hidden} {
		if p := c.get("/c/" + id); p.Status != http.StatusNotFound {
			t.Errorf("the Back-office ticket's own id %s: %d, want 404", id, p.Status)
		}
	}
	// A form of the Back-office type sent into a conversation: submitting it shares the new
	// ticket, which shows at the top of that conversation like any other (CT3, BO11).
	third := c.startConversation("I want the beta too")
	thirdID, _ := strconv.ParseInt(third, 10, 64)
	form, err := e.Server.Desk().SendTicketForm(context.Background(), thirdID, e.Admin.ID, beta.ID)
	if err != nil {
		t.Fatal(err)
	}
	names := inputNames(t, c.mustGet("/c/"+third).Body)
	if p := c.post("/c/"+third+"/forms/"+itoa(form.ID), url.Values{names["Title"]: {"Beta for Casey"}}); p.Status != http.StatusSeeOther {
		t.Fatalf("submit the Back-office form: %d %s", p.Status, p.Body)
	}
	if p := c.mustGet("/c/" + third); !p.has(`id="ticket-card"`) || !p.has("Beta for Casey") || !p.has("Beta access") || !p.has("data-submitted") {
		t.Errorf("the conversation after the Back-office form: %s", p.Body)
	}

	// The customer answers in the conversation, where the front line sees it.
	if p := c.post("/c/"+conv+"/reply", url.Values{"body": {"Here are my details"}}); p.Status != http.StatusSeeOther {
		t.Fatalf("reply: %d %s", p.Status, p.Body)
	}
	parts := e.MustDo(http.StatusOK, "GET", "/api/conversations/"+conv, nil)["conversation_parts"].(map[string]any)["conversation_parts"].([]any)
	if last := parts[len(parts)-1].(map[string]any); last["body"] != "<p>Here are my details</p>" {
		t.Errorf("the customer's reply: %v", last)
	}
}
