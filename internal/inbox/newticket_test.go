package inbox_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/helpdesk/helpdesk/internal/ticket"
)

// newTicketForm is a "New ticket" form of typ with the values kv.
func newTicketForm(typ ticket.Type, kv ...string) url.Values {
	v := url.Values{"type_id": {actItoa(typ.ID)}, "admin_id": {"0"}, "team_id": {"0"}}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return v
}

func TestCT2_TeammateCreatesACustomerTicketOnBehalfOfACustomer(t *testing.T) {
	e := start(t)
	c := e.signedIn(t)
	typ := e.CreateTicketType("Refund", ticket.Customer, nil,
		ticket.Attribute{Name: "Order number", DataType: ticket.Integer, RequiredToCreate: true, VisibleOnCreate: true})
	e.CreateTicketType("Chargeback", ticket.BackOffice, nil) // two types: none is chosen for the teammate
	ada := e.CreateContact("ada@example.com", "Ada Lovelace")
	acme := actCompany(t, e, "acme", "Acme", ada)

	// Every page links to it; the contact's page fills in the customer.
	if p := c.get("/inbox"); !strings.Contains(p.body, `href="/inbox/tickets/new"`) {
		t.Error("the inbox has no New ticket link")
	}
	if p := c.get("/inbox/contacts/" + actItoa(ada.ID)); !strings.Contains(p.body, `/inbox/tickets/new?customer=ada%40example.com`) {
		t.Error("the contact page has no New ticket link")
	}
	// Choosing the type keeps the customer; the form then names them and the company CO3 selects.
	r := c.get("/inbox/tickets/new?customer=ada%40example.com")
	actMustContain(t, "no type yet", r.body, `name="customer" value="ada@example.com"`, "Customer: Refund")
	r = c.get("/inbox/tickets/new?customer=ada%40example.com&type_id=" + actItoa(typ.ID))
	actMustContain(t, "the form", r.body, `id="action-customer"`, `value="ada@example.com"`, "Found: <a href=\"/inbox/contacts/"+actItoa(ada.ID),
		`<option value="`+actItoa(acme)+`" selected>Acme</option>`, `name="attr.Order number"`,
		`<option value="`+actItoa(e.Mate.ID)+`" selected>Mia Mate</option>`)

	// Refused: no customer; a missing required attribute. Nothing is written.
	for _, tc := range []struct {
		form url.Values
		want string
	}{
		{newTicketForm(typ, "title", "Refund please", "attr.Order number", "7"), "A Customer ticket needs the contact it is for."},
		{newTicketForm(typ, "title", "Refund please", "customer", "ada@example.com"), "Order number is required to create a Refund ticket."},
	} {
		r := c.post("/inbox/tickets/new", tc.form)
		if r.status != http.StatusUnprocessableEntity {
			t.Fatalf("%v: %d", tc.form, r.status)
		}
		actMustContain(t, tc.want, r.body, tc.want, `aria-invalid="true"`, `value="Refund please"`)
	}

	// Created: the customer's ticket, assigned as chosen, shared, with the company.
	r = c.post("/inbox/tickets/new", newTicketForm(typ, "title", "Refund please", "customer", "ada@example.com",
		"attr.Order number", "7", "company_id", actItoa(acme), "admin_id", actItoa(e.Mate.ID)))
	id := actRedirectedTicket(t, r)
	tk, err := e.DB.Read().Ticket(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if tk.Category != ticket.Customer || !tk.IsShared || tk.Title != "Refund please" || tk.CompanyID != acme ||
		len(tk.ContactIDs) != 1 || tk.ContactIDs[0] != ada.ID || tk.AdminAssigneeID != e.Mate.ID || tk.Attributes["Order number"] != float64(7) {
		t.Errorf("created %+v", tk)
	}

	// A customer not known yet is made from the email.
	r = c.post("/inbox/tickets/new", newTicketForm(typ, "title", "Hello", "customer", "new@example.com", "attr.Order number", "8"))
	id = actRedirectedTicket(t, r)
	if tk, _ := e.DB.Read().Ticket(context.Background(), id); len(tk.ContactIDs) != 1 {
		t.Fatalf("contacts %v", tk.ContactIDs)
	}
	if ct, err := e.DB.Read().ContactByEmail(context.Background(), "new@example.com"); err != nil || ct.Role != "lead" {
		t.Errorf("the new customer: %+v %v", ct, err)
	}
	// From another site, nothing is created.
	if r := c.post("/inbox/tickets/new", newTicketForm(typ, "title", "X", "customer", "ada@example.com", "attr.Order number", "9"),
		"Sec-Fetch-Site", "cross-site"); r.status != http.StatusForbidden {
		t.Errorf("cross-site: %d", r.status)
	}
}

func TestBO1_StandaloneBackOfficeTicketAndNewTracker(t *testing.T) {
	e := start(t)
	c := e.signedIn(t)
	bo := e.CreateTicketType("Fraud review", ticket.BackOffice, nil)
	tr := e.CreateTicketType("Outage", ticket.Tracker, nil)
	team := e.CreateTeam("Trust")

	// A Back-office ticket related to no conversation: internal, no customer needed, with its
	// own team; no share choice is offered.
	r := c.get("/inbox/tickets/new?type_id=" + actItoa(bo.ID))
	actMustContain(t, "back-office form", r.body, `id="action-customer"`, `id="action-team"`)
	actMustNotContain(t, "back-office form", r.body, `id="action-shared"`)
	r = c.post("/inbox/tickets/new", newTicketForm(bo, "title", "Card testing from one IP", "team_id", actItoa(team.ID)))
	id := actRedirectedTicket(t, r)
	tk, err := e.DB.Read().Ticket(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if tk.Category != ticket.BackOffice || tk.IsShared || tk.TeamAssigneeID != team.ID || len(tk.ContactIDs) != 0 || len(actLinks(t, e, id)) != 0 {
		t.Errorf("standalone back-office ticket %+v", tk)
	}

	// A tracker for a new issue: no customer field, never shared.
	r = c.get("/inbox/tickets/new?type_id=" + actItoa(tr.ID))
	actMustNotContain(t, "tracker form", r.body, `id="action-customer"`, `id="action-shared"`)
	r = c.post("/inbox/tickets/new", newTicketForm(tr, "title", "Checkout is down"))
	id = actRedirectedTicket(t, r)
	if tk, _ := e.DB.Read().Ticket(context.Background(), id); tk.Category != ticket.Tracker || tk.IsShared || tk.Title != "Checkout is down" {
		t.Errorf("tracker %+v", tk)
	}
	if p := c.get("/inbox/tickets/" + actItoa(id)); p.status != http.StatusOK || !strings.Contains(p.body, "Checkout is down") {
		t.Errorf("the tracker's page: %d", p.status)
	}

	// No type chosen, a bad team: refused.
	if r := c.post("/inbox/tickets/new", url.Values{"title": {"x"}}); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "Choose a ticket type.") {
		t.Errorf("no type: %d", r.status)
	}
	if r := c.post("/inbox/tickets/new", newTicketForm(tr, "title", "x", "team_id", "999")); r.status != http.StatusUnprocessableEntity ||
		!strings.Contains(r.body, "Assignee team") {
		t.Errorf("a team that does not exist: %d %s", r.status, r.body)
	}
}

// CO3 on New ticket: typing the customer refreshes the form (htmx sends what it has, the
// company "No company" included); a customer in exactly one company gets it selected.
func TestCO3_NewTicketSelectsTheCustomersOnlyCompany(t *testing.T) {
	e := start(t)
	c := e.signedIn(t)
	typ := e.CreateTicketType("Refund", ticket.Customer, nil)
	e.CreateTicketType("Fraud", ticket.BackOffice, nil)
	ada := e.CreateContact("ada@example.com", "Ada Lovelace")
	acme := actCompany(t, e, "acme", "Acme", ada)
	q := "/inbox/tickets/new?type_id=" + actItoa(typ.ID) + "&customer=ada%40example.com&company_id=0"
	r := c.get(q, "HX-Request", "true", "HX-Trigger-Name", "customer")
	actMustContain(t, "the refreshed form", r.body, `<option value="`+actItoa(acme)+`" selected>Acme</option>`)
	// A choice the teammate made stays when something else is typed.
	r = c.get(q, "HX-Request", "true", "HX-Trigger-Name", "title")
	actMustContain(t, "a kept choice", r.body, `<option value="0" selected>No company</option>`)
}
