package inbox_test

import (
	"html"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/helpdesk/helpdesk/internal/apitest"
	"github.com/helpdesk/helpdesk/internal/browsertest"
	"github.com/helpdesk/helpdesk/internal/store"
	"github.com/helpdesk/helpdesk/internal/ticket"
)

// peopleCompany creates a company through the API with the contacts as its members, and returns
// its id.
func peopleCompany(t *testing.T, e *env, companyID, name string, members ...store.Contact) string {
	t.Helper()
	id := apitest.ID(e.MustDo(http.StatusOK, "POST", "/api/companies", map[string]any{"company_id": companyID, "name": name}))
	for _, c := range members {
		e.MustDo(http.StatusOK, "POST", "/api/contacts/"+strconv.FormatInt(c.ID, 10)+"/companies", map[string]any{"id": id})
	}
	return id
}

// peopleTicket creates a ticket of typ for contact through the API; extra fields go in the
// request as they are. It returns the ticket's id and number.
func peopleTicket(t *testing.T, e *env, typ ticket.Type, contact store.Contact, title string, extra map[string]any) (string, string) {
	t.Helper()
	body := map[string]any{"ticket_type_id": strconv.FormatInt(typ.ID, 10),
		"contacts":          []any{map[string]any{"id": strconv.FormatInt(contact.ID, 10)}},
		"ticket_attributes": map[string]any{"_default_title_": title}}
	for k, v := range extra {
		body[k] = v
	}
	tk := e.MustDo(http.StatusOK, "POST", "/api/tickets", body)
	return apitest.ID(tk), peopleStr(tk["ticket_id"])
}

// peopleStr reads a JSON string or number as a string.
func peopleStr(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case float64:
		return strconv.FormatInt(int64(x), 10)
	}
	return ""
}

// peopleStates returns the ids of the built-in states by category.
func peopleStates(t *testing.T, e *env) map[ticket.StateCategory]string {
	t.Helper()
	states, err := e.DB.Read().TicketStates(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	out := map[ticket.StateCategory]string{}
	for _, s := range states {
		out[s.Category] = strconv.FormatInt(s.ID, 10)
	}
	return out
}

// peopleRowIDs returns the data-id of each row of conversations or tickets in a page, in order.
func peopleRowIDs(body string) []string {
	var ids []string
	for _, m := range regexp.MustCompile(`<tr data-id="(\d+)"`).FindAllStringSubmatch(body, -1) {
		ids = append(ids, m[1])
	}
	return ids
}

func TestCO4_CompanyProfileHasATicketsTab(t *testing.T) {
	e := start(t)
	refund := e.CreateTicketType("Refund", ticket.Customer, nil)
	investigation := e.CreateTicketType("Investigation", ticket.BackOffice, nil)
	outage := e.CreateTicketType("Outage", ticket.Tracker, nil)
	ann := e.CreateContact("ann@acme.example", "Ann Acme")
	bob := e.CreateContact("bob@globex.example", "Bob Globex")
	acme := peopleCompany(t, e, "acme", "Acme", ann)
	globex := peopleCompany(t, e, "globex", "Globex", bob)

	// Acme's tickets, of every category; Ann is in one company, so it is chosen (CO3).
	customer, customerNo := peopleTicket(t, e, refund, ann, "Refund my order", nil)
	backOffice, backOfficeNo := peopleTicket(t, e, investigation, ann, "Check the payment", map[string]any{"company_id": acme})
	tracker, _ := peopleTicket(t, e, outage, ann, "Checkout is down", map[string]any{"company_id": acme})
	// Not Acme's: Globex's, and one of Ann's with the company cleared.
	other, _ := peopleTicket(t, e, refund, bob, "Globex wants a refund", nil)
	cleared, _ := peopleTicket(t, e, refund, ann, "No company here", nil)
	e.MustDo(http.StatusOK, "PUT", "/api/tickets/"+cleared, map[string]any{"company_id": "0"})
	states := peopleStates(t, e)
	e.MustDo(http.StatusOK, "PUT", "/api/tickets/"+backOffice, map[string]any{"ticket_state_id": states[ticket.InProgress],
		"assignee_id": strconv.FormatInt(e.Mate.ID, 10)})

	c := e.signedIn(t)
	r := c.get("/inbox/companies/" + acme + "?tab=tickets")
	if r.status != http.StatusOK {
		t.Fatalf("tickets tab: %d %s", r.status, r.body)
	}
	if got, want := peopleRowIDs(r.body), []string{tracker, backOffice, customer}; strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("Acme's tickets = %v, want %v (newest first)", got, want)
	}
	for _, want := range []string{"Acme", `href="/inbox/tickets/` + customer + `"`, "#" + customerNo, "#" + backOfficeNo,
		"Refund my order", "Check the payment", "Checkout is down", "Customer ticket", "Back-office ticket", "Tracker ticket",
		"Refund", "Investigation", "Outage", "Submitted", "In progress", "Mia Mate", `aria-current="page">Tickets`,
		`data-live-list`} {
		if !strings.Contains(r.body, want) {
			t.Errorf("tickets tab lacks %q", want)
		}
	}
	for _, not := range []string{other, cleared} {
		if strings.Contains(r.body, `href="/inbox/tickets/`+not+`"`) {
			t.Errorf("Acme's tickets show ticket %s of another company", not)
		}
	}

	// Filtered by state.
	r = c.get("/inbox/companies/" + acme + "?tab=tickets&state=" + states[ticket.InProgress])
	if got := peopleRowIDs(r.body); len(got) != 1 || got[0] != backOffice {
		t.Errorf("Acme's tickets in progress = %v, want [%s]", got, backOffice)
	}
	// The region alone, as live updates and htmx fetch it.
	r = c.get("/inbox/companies/" + acme + "/tickets")
	if got := peopleRowIDs(r.body); r.status != http.StatusOK || len(got) != 3 || strings.Contains(r.body, "<html") {
		t.Errorf("tickets region: %d, rows %v", r.status, got)
	}
	// Globex's tab has its own ticket only.
	if got := peopleRowIDs(c.get("/inbox/companies/" + globex + "?tab=tickets").body); len(got) != 1 || got[0] != other {
		t.Errorf("Globex's tickets = %v, want [%s]", got, other)
	}

	// The People tab lists its contacts, linking to their pages.
	r = c.get("/inbox/companies/" + acme)
	if !strings.Contains(r.body, `href="/inbox/contacts/`+strconv.FormatInt(ann.ID, 10)+`"`) || strings.Contains(r.body, "Bob Globex") {
		t.Errorf("People tab: %s", r.body)
	}

	// The list of companies, searchable.
	r = c.get("/inbox/companies")
	if !strings.Contains(r.body, `href="/inbox/companies/`+acme+`"`) || !strings.Contains(r.body, `href="/inbox/companies/`+globex+`"`) {
		t.Errorf("companies list lacks a company")
	}
	r = c.get("/inbox/companies?q=ACM")
	if !strings.Contains(r.body, `href="/inbox/companies/`+acme+`"`) || strings.Contains(r.body, `href="/inbox/companies/`+globex+`"`) {
		t.Errorf("search for ACM: %s", r.body)
	}
	if r := c.get("/inbox/companies/999999"); r.status != http.StatusNotFound {
		t.Errorf("unknown company: %d", r.status)
	}
}

func TestCO4_CompanyTicketsArePaged(t *testing.T) {
	e := start(t)
	refund := e.CreateTicketType("Refund", ticket.Customer, nil)
	ann := e.CreateContact("ann@acme.example", "Ann Acme")
	acme := peopleCompany(t, e, "acme", "Acme", ann)
	var ids []string
	for i := range 27 {
		id, _ := peopleTicket(t, e, refund, ann, "Ticket "+strconv.Itoa(i), nil)
		ids = append([]string{id}, ids...) // newest first
	}
	c := e.signedIn(t)
	r := c.get("/inbox/companies/" + acme + "?tab=tickets")
	first := peopleRowIDs(r.body)
	m := regexp.MustCompile(`href="(/inbox/companies/\d+\?[^"]*before=\d+[^"]*)" rel="next"`).FindStringSubmatch(r.body)
	if len(first) != 25 || m == nil {
		t.Fatalf("first page: %d rows, next link %v", len(first), m)
	}
	second := peopleRowIDs(c.get(strings.ReplaceAll(m[1], "&amp;", "&")).body)
	if got := strings.Join(append(first, second...), ","); got != strings.Join(ids, ",") {
		t.Errorf("pages = %s, want %s", got, strings.Join(ids, ","))
	}
}

func TestCO4_ContactPageListsConversationsAndTickets(t *testing.T) {
	e := start(t)
	refund := e.CreateTicketType("Refund", ticket.Customer, nil)
	ann := e.CreateContact("ann@acme.example", "Ann Acme")
	bob := e.CreateContact("bob@globex.example", "Bob Globex")
	acme := peopleCompany(t, e, "acme", "Acme", ann)
	annID := strconv.FormatInt(ann.ID, 10)

	msg := e.MustDo(http.StatusOK, "POST", "/api/conversations", map[string]any{
		"from": map[string]any{"type": "user", "id": annID}, "body": "<p>My <b>parcel</b> never came</p>"})
	conv := peopleStr(msg["conversation_id"])
	tk, number := peopleTicket(t, e, refund, ann, "Refund the parcel", nil)
	bobs := e.MustDo(http.StatusOK, "POST", "/api/conversations", map[string]any{
		"from": map[string]any{"type": "user", "id": strconv.FormatInt(bob.ID, 10)}, "body": "Bob's question"})
	bobConv := peopleStr(bobs["conversation_id"])

	c := e.signedIn(t)
	r := c.get("/inbox/contacts/" + annID)
	if r.status != http.StatusOK {
		t.Fatalf("contact page: %d %s", r.status, r.body)
	}
	if got, want := peopleRowIDs(r.body), []string{tk, conv}; strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("Ann's threads = %v, want %v (newest first)", got, want)
	}
	for _, want := range []string{"Ann Acme", "ann@acme.example", `href="/inbox/companies/` + acme + `"`,
		`href="/inbox/conversations/` + conv + `"`, `href="/inbox/tickets/` + tk + `"`, "#" + number,
		"Refund the parcel", "My parcel never came", "Conversation", "Customer ticket", "Submitted", "Open"} {
		if !strings.Contains(r.body, want) {
			t.Errorf("contact page lacks %q", want)
		}
	}
	if strings.Contains(r.body, "/inbox/conversations/"+bobConv+`"`) || strings.Contains(r.body, "<b>parcel") {
		t.Errorf("contact page shows another's conversation, or raw HTML")
	}
	if r := c.get("/inbox/contacts/999999"); r.status != http.StatusNotFound {
		t.Errorf("unknown contact: %d", r.status)
	}
}

func TestCO4_CompanyTicketsTabInABrowser(t *testing.T) {
	e := start(t)
	refund := e.CreateTicketType("Refund", ticket.Customer, nil)
	investigation := e.CreateTicketType("Investigation", ticket.BackOffice, nil)
	ann := e.CreateContact("ann@acme.example", "Ann Acme")
	acme := peopleCompany(t, e, "acme", "Acme", ann)
	e.MustDo(http.StatusOK, "PUT", "/api/companies/"+acme, map[string]any{"plan": "Pro", "industry": "Retail", "website": "https://acme.example"})
	peopleTicket(t, e, refund, ann, "Refund my order", nil)
	id, _ := peopleTicket(t, e, investigation, ann, "Check the payment", map[string]any{"company_id": acme})
	e.MustDo(http.StatusOK, "PUT", "/api/tickets/"+id, map[string]any{"ticket_state_id": peopleStates(t, e)[ticket.InProgress],
		"assignee_id": strconv.FormatInt(e.Mate.ID, 10)})

	ctx := e.browser(t)
	var rows int
	var title string
	err := chromedp.Run(ctx,
		chromedp.Navigate(e.URL+"/inbox/companies"),
		chromedp.WaitVisible(`#people-companies`, chromedp.ByQuery),
		chromedp.Click(`#people-companies a`, chromedp.ByQuery),
		chromedp.WaitVisible(`#people-tickets-tab`, chromedp.ByQuery),
		chromedp.Click(`#people-tickets-tab`, chromedp.ByQuery),
		chromedp.WaitVisible(`#people-tickets tr[data-id="`+id+`"]`, chromedp.ByQuery),
		chromedp.Evaluate(`document.querySelectorAll("#people-tickets tbody tr").length`, &rows),
		chromedp.Text(`#people-tickets tr[data-id="`+id+`"] a`, &title, chromedp.ByQuery),
	)
	if err != nil {
		t.Fatal(err)
	}
	if rows != 2 || title != "Check the payment" {
		t.Errorf("Tickets tab: %d rows, first %q", rows, title)
	}
	if os.Getenv("HELPDESK_SCREENSHOTS") == "1" {
		browsertest.Screenshot(t, ctx, "../../docs/screenshots/inbox-people-company-tickets.png")
	}
	// The row links to the ticket's page.
	var href string
	var ok bool
	if err := chromedp.Run(ctx, chromedp.AttributeValue(`#people-tickets tr[data-id="`+id+`"] a`, "href", &href, &ok, chromedp.ByQuery)); err != nil {
		t.Fatal(err)
	}
	if href != "/inbox/tickets/"+id {
		t.Errorf("the row links to %q", href)
	}
}

func TestCO4_CompaniesArePagedByName(t *testing.T) {
	e := start(t)
	// 27 named companies, given in no order, and 3 without a name, which come last.
	var want []string
	names := map[string]string{}
	for i := range 27 {
		name := "Company " + strconv.Itoa(100+(i*7)%27)
		id := peopleCompany(t, e, "c"+strconv.Itoa(i), name)
		names[name] = id
	}
	for i := 100; i < 127; i++ {
		want = append(want, names["Company "+strconv.Itoa(i)])
	}
	for i := range 3 {
		want = append(want, apitest.ID(e.MustDo(http.StatusOK, "POST", "/api/companies", map[string]any{"company_id": "unnamed" + strconv.Itoa(i)})))
	}
	c := e.signedIn(t)
	link := regexp.MustCompile(`<td><a href="/inbox/companies/(\d+)">`)
	next := regexp.MustCompile(`href="(/inbox/companies\?[^"]*)" rel="next"`)
	var got []string
	for page, path := 0, "/inbox/companies"; path != ""; page++ {
		if page > 3 {
			t.Fatal("too many pages")
		}
		body := c.get(path).body
		for _, m := range link.FindAllStringSubmatch(body, -1) {
			got = append(got, m[1])
		}
		path = ""
		if m := next.FindStringSubmatch(body); m != nil {
			path = html.UnescapeString(m[1])
		}
	}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("companies = %v, want %v", got, want)
	}
	// A search matches a part of the name, or the company_id, ignoring case; % is no wildcard.
	for q, n := range map[string]int{"company 10": 10, "UNNAMED1": 1, "%": 0} {
		body := c.get("/inbox/companies?q=" + url.QueryEscape(q)).body
		if got := len(link.FindAllString(body, -1)); got != n {
			t.Errorf("search %q: %d companies, want %d", q, got, n)
		}
	}
}

// The companies directory is a live list (IN5): refreshed with the other lists on a change.
func TestIN5_CompaniesDirectoryIsALiveList(t *testing.T) {
	e := start(t)
	c := e.signedIn(t)
	p := c.get("/inbox/companies?q=acme")
	if !strings.Contains(p.body, `id="people-directory" data-live-list hx-get="/inbox/companies?q=acme" hx-trigger="live"`) {
		t.Errorf("the directory is not a live list")
	}
}
