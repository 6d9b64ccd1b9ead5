package inbox_test

import (
	"html"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/helpdesk/helpdesk/internal/ticket"
)

// Fixes from the newcomers' walk through the company and contact pages.

// peopleLink returns the address of the link with text label in a page, or "".
func peopleLink(body, label string) string {
	m := regexp.MustCompile(`<a href="([^"]+)"(?: rel="[a-z]+")?>` + regexp.QuoteMeta(label) + `</a>`).FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return html.UnescapeString(m[1])
}

// The header and facts of a company's and a contact's page are a live region: the page says
// how to ask for it again, and asking gives it alone, fresh.
func TestIN5_CompanyAndContactHeadersAreLiveRegions(t *testing.T) {
	e := start(t)
	refund := e.CreateTicketType("Refund", ticket.Customer, nil)
	ann := e.CreateContact("ann@acme.example", "Ann Acme")
	acme := peopleCompany(t, e, "acme", "Acme", ann)
	peopleTicket(t, e, refund, ann, "Refund my order", nil)
	annID := strconv.FormatInt(ann.ID, 10)
	c := e.signedIn(t)

	for _, tc := range []struct {
		path, rename string
		body         map[string]any
		want         string
	}{
		{"/inbox/companies/" + acme, "/api/companies/" + acme, map[string]any{"name": "Acme Corporation"}, "<h1>Acme Corporation</h1>"},
		{"/inbox/companies/" + acme + "?tab=tickets", "/api/companies/" + acme, map[string]any{"name": "Acme Two"}, "<h1>Acme Two</h1>"},
		{"/inbox/contacts/" + annID, "/api/contacts/" + annID, map[string]any{"name": "Ann Smith", "email": "ann@smith.example"}, "<h1>Ann Smith</h1>"},
	} {
		r := c.get(tc.path)
		region := `<div id="people-head" class="people-head-region" data-live-list hx-get="` + html.EscapeString(tc.path) +
			`" hx-trigger="live" hx-select="#people-head" hx-swap="outerHTML">`
		if r.status != http.StatusOK || !strings.Contains(r.body, region) {
			t.Errorf("%s: no live header %s", tc.path, region)
		}
		e.MustDo(http.StatusOK, "PUT", tc.rename, tc.body)
		r = c.get(tc.path, "HX-Request", "true", "HX-Target", "people-head")
		if r.status != http.StatusOK || !strings.HasPrefix(strings.TrimSpace(r.body), `<div id="people-head"`) ||
			strings.Contains(r.body, "<html") || strings.Contains(r.body, "people-rows") || !strings.Contains(r.body, tc.want) {
			t.Errorf("%s: the header's refresh: %d %s", tc.path, r.status, r.body)
		}
	}
	r := c.get("/inbox/contacts/"+annID, "HX-Request", "true", "HX-Target", "people-head")
	if !strings.Contains(r.body, "ann@smith.example") || !strings.Contains(r.body, `>Acme Two</a>`) {
		t.Errorf("the contact's facts: %s", r.body)
	}
	// The contact's list and the company's People tab are live too.
	for path, region := range map[string]string{
		"/inbox/contacts/" + annID: `id="people-threads" data-live-list hx-get="/inbox/contacts/` + annID + `"`,
		"/inbox/companies/" + acme: `id="people-people" data-live-list hx-get="/inbox/companies/` + acme + `"`,
	} {
		if !strings.Contains(c.get(path).body, region) {
			t.Errorf("%s: no live region %s", path, region)
		}
	}
	r = c.get("/inbox/companies/"+acme, "HX-Request", "true", "HX-Target", "people-people")
	if !strings.HasPrefix(strings.TrimSpace(r.body), `<div class="people-panel" id="people-people"`) || !strings.Contains(r.body, "Ann Smith") {
		t.Errorf("the People tab's refresh: %s", r.body)
	}
}

// A contact's page is no company's: its breadcrumb starts at the Inbox, and no section of the
// top bar claims it. Its conversations and tickets have tabs: all, tickets, conversations.
func TestCO4_ContactPageHasItsOwnCrumbsAndTabs(t *testing.T) {
	e := start(t)
	refund := e.CreateTicketType("Refund", ticket.Customer, nil)
	ann := e.CreateContact("ann@acme.example", "Ann Acme")
	annID := strconv.FormatInt(ann.ID, 10)
	msg := e.MustDo(http.StatusOK, "POST", "/api/conversations", map[string]any{
		"from": map[string]any{"type": "user", "id": annID}, "body": "<p>My parcel never came</p>"})
	conv := peopleStr(msg["conversation_id"])
	tk, number := peopleTicket(t, e, refund, ann, "Refund the parcel", nil)

	c := e.signedIn(t)
	r := c.get("/inbox/contacts/" + annID)
	if !strings.Contains(r.body, `<nav class="people-crumbs" aria-label="Breadcrumb"><ol><li><a href="/inbox">Inbox</a></li><li aria-current="page">Contact</li></ol></nav>`) {
		t.Error("the contact page's breadcrumb")
	}
	if top := regexp.MustCompile(`<header class="top">[\s\S]*?</header>`).FindString(r.body); top == "" || strings.Contains(top, "aria-current") {
		t.Errorf("a section of the top bar claims the contact page: %s", top)
	}
	// A conversation shows its id, as a ticket its number.
	for id, ref := range map[string]string{conv: "#" + conv, tk: "#" + number} {
		if !regexp.MustCompile(`<tr data-id="` + id + `">[\s\S]*?<td class="people-number">` + ref + `</td>`).MatchString(r.body) {
			t.Errorf("row %s has no %s", id, ref)
		}
	}
	for _, tc := range []struct {
		show, label string
		want        []string
	}{
		{"", "All", []string{tk, conv}},
		{"tickets", "Tickets", []string{tk}},
		{"conversations", "Conversations", []string{conv}},
	} {
		path := "/inbox/contacts/" + annID
		if tc.show != "" {
			path += "?show=" + tc.show
		}
		r := c.get(path)
		if got := peopleRowIDs(r.body); !slices.Equal(got, tc.want) {
			t.Errorf("%s: rows %v, want %v", tc.label, got, tc.want)
		}
		if !strings.Contains(r.body, `<a href="`+html.EscapeString(path)+`" aria-current="page">`+tc.label+`</a>`) {
			t.Errorf("%s: the tab is not the current one", tc.label)
		}
	}
	// A contact with no tickets says so in that tab.
	bob := e.CreateContact("bob@example.com", "Bob")
	if r := c.get("/inbox/contacts/" + strconv.FormatInt(bob.ID, 10) + "?show=tickets"); !strings.Contains(r.body, "No tickets yet.") {
		t.Error("no tickets: no word of it")
	}
	// The company page keeps its Companies crumb, and Companies in the top bar.
	acme := peopleCompany(t, e, "acme", "Acme", ann)
	r = c.get("/inbox/companies/" + acme)
	if !strings.Contains(r.body, `<li><a href="/inbox/companies">Companies</a></li><li aria-current="page">Acme</li>`) ||
		!strings.Contains(r.body, `<a href="/inbox/companies" aria-current="page">Companies</a>`) {
		t.Error("the company page's breadcrumb or section")
	}
}

// The contact's conversations and tickets, and a company's tickets, page to older and back to
// newer pages, each tab on its own.
func TestCO4_PeoplePagesGoBackToNewerPages(t *testing.T) {
	e := start(t)
	refund := e.CreateTicketType("Refund", ticket.Customer, nil)
	ann := e.CreateContact("ann@acme.example", "Ann Acme")
	annID := strconv.FormatInt(ann.ID, 10)
	acme := peopleCompany(t, e, "acme", "Acme", ann)
	var convs, tickets []string // newest first
	for i := range 28 {
		msg := e.MustDo(http.StatusOK, "POST", "/api/conversations", map[string]any{
			"from": map[string]any{"type": "user", "id": annID}, "body": "Question " + strconv.Itoa(i)})
		convs = append([]string{peopleStr(msg["conversation_id"])}, convs...)
		if i%10 == 0 {
			id, _ := peopleTicket(t, e, refund, ann, "Ticket "+strconv.Itoa(i), nil)
			tickets = append([]string{id}, tickets...)
		}
	}
	for i := range 25 {
		id, _ := peopleTicket(t, e, refund, ann, "More "+strconv.Itoa(i), nil)
		tickets = append([]string{id}, tickets...)
	}
	c := e.signedIn(t)
	for _, tc := range []struct {
		first string
		want  []string
	}{
		{"/inbox/contacts/" + annID + "?show=conversations", convs},
		{"/inbox/contacts/" + annID + "?show=tickets", tickets},
		{"/inbox/companies/" + acme + "?tab=tickets", tickets},
	} {
		first := c.get(tc.first).body
		if got := peopleRowIDs(first); !slices.Equal(got, tc.want[:25]) || peopleLink(first, "Newer") != "" || peopleLink(first, "Newest") != "" {
			t.Errorf("%s: first page %v", tc.first, got)
			continue
		}
		older := peopleLink(first, "Older")
		second := c.get(older).body
		if got := peopleRowIDs(second); !slices.Equal(got, tc.want[25:]) || peopleLink(second, "Older") != "" {
			t.Errorf("%s: second page (%s) %v", tc.first, older, got)
		}
		newer := peopleLink(second, "Newer")
		if !strings.Contains(newer, "after=") || peopleLink(second, "Newest") != tc.first {
			t.Errorf("%s: the second page's links: newer %q, newest %q", tc.first, newer, peopleLink(second, "Newest"))
		}
		back := c.get(newer).body
		if got := peopleRowIDs(back); !slices.Equal(got, tc.want[:25]) || peopleLink(back, "Newer") != "" {
			t.Errorf("%s: back to newer: %v", tc.first, got)
		}
	}
	// A newer page short of the newest: one row newer than the sixth conversation of the
	// second page gives rows 6 to 30.
	r := c.get("/inbox/contacts/" + annID + "?show=conversations&after=" + convs[26])
	if got := peopleRowIDs(r.body); !slices.Equal(got, convs[1:26]) || peopleLink(r.body, "Newer") == "" || peopleLink(r.body, "Older") == "" {
		t.Errorf("newer than row 27: %v, want %v", got, convs[1:26])
	}
	// The live region keeps the page it shows.
	if !strings.Contains(r.body, `id="people-threads" data-live-list hx-get="/inbox/contacts/`+annID+`?after=`+convs[26]+`&amp;show=conversations"`) {
		t.Error("the newer page's live region")
	}
}
