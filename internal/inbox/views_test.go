package inbox_test

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/helpdesk/helpdesk/internal/apitest"
	"github.com/helpdesk/helpdesk/internal/conversation"
	"github.com/helpdesk/helpdesk/internal/desk"
	"github.com/helpdesk/helpdesk/internal/store"
	"github.com/helpdesk/helpdesk/internal/ticket"
)

// viewsWorld is an inbox with a little of everything: conversations and the three kinds of
// tickets, assigned to teammates and teams or not, in every state, with companies and a tag.
type viewsWorld struct {
	*env
	ctx                  context.Context
	d                    *desk.Desk
	olive                store.Admin // the env's other teammate
	billing, logistics   store.Team
	jane, joe, multi     store.Contact // jane is at Acme, joe at Globex, multi at both
	acme, globex         int64
	vip                  int64 // a tag
	customer, backOffice ticket.Type
	tracker, bug         ticket.Type // two Tracker types
	states               map[ticket.StateCategory]int64

	// The threads, oldest first.
	parcel  conversation.Conversation // from jane, assigned to Mia, with her note
	invoice conversation.Conversation // from joe, to team Billing, tagged vip
	old     conversation.Conversation // from joe, closed by Mia
	nap     conversation.Conversation // from multi, snoozed, assigned to Mia
	refund  ticket.Ticket             // Customer, jane (Acme), Mia and Billing
	gadget  ticket.Ticket             // Customer, joe (Globex), unassigned
	fraud   ticket.Ticket             // Back-office, Olive and Logistics, In progress
	outage  ticket.Ticket             // Tracker, unassigned
}

func newViewsWorld(t *testing.T) *viewsWorld {
	t.Helper()
	e := start(t)
	w := &viewsWorld{env: e, ctx: t.Context(), d: e.Server.Desk(), olive: e.Admin}
	w.billing = e.CreateTeam("Billing", e.Mate.ID)
	w.logistics = e.CreateTeam("Logistics", e.Admin.ID)
	w.jane = e.CreateContact("jane@acme.example", "Jane Doe")
	w.joe = e.CreateContact("joe@globex.example", "Joe Bloggs")
	w.multi = e.CreateContact("max@both.example", "Max Multi")
	w.acme = w.company(t, "acme", "Acme", w.jane, w.multi)
	w.globex = w.company(t, "globex", "Globex", w.joe, w.multi)
	vip := e.MustDo(http.StatusOK, "POST", "/api/tags", map[string]any{"name": "vip"})
	w.vip, _ = strconv.ParseInt(apitest.ID(vip), 10, 64)
	w.customer = e.CreateTicketType("Refund", ticket.Customer, nil)
	w.backOffice = e.CreateTicketType("Fraud check", ticket.BackOffice, nil)
	w.tracker = e.CreateTicketType("Outage", ticket.Tracker, nil)
	w.bug = e.CreateTicketType("Bug", ticket.Tracker, nil)
	states, err := e.DB.Read().TicketStates(w.ctx)
	if err != nil {
		t.Fatal(err)
	}
	w.states = map[ticket.StateCategory]int64{}
	for _, s := range states {
		w.states[s.Category] = s.ID
	}

	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	var c conversation.Conversation
	w.parcel = w.start(t, w.jane, "<p>My parcel is late</p>")
	_, err = w.d.Assign(w.ctx, w.parcel.ID, e.Mate.ID, desk.ToAdmin, e.Mate.ID, "")
	must(err)
	w.tick()
	_, err = w.d.AdminReply(w.ctx, w.parcel.ID, e.Mate.ID, conversation.PartNote,
		"<p>Checked with the <b>carrier</b></p><p>tomorrow</p>")
	must(err)

	w.invoice = w.start(t, w.joe, "Invoice 7 is wrong")
	c, err = w.d.Assign(w.ctx, w.invoice.ID, e.Mate.ID, desk.ToTeam, w.billing.ID, "")
	must(err)
	w.invoice = c
	_, err = w.d.Tag(w.ctx, w.invoice.ID, w.vip, e.Mate.ID)
	must(err)

	w.old = w.start(t, w.joe, "Thanks, all good")
	_, err = w.d.Assign(w.ctx, w.old.ID, e.Mate.ID, desk.ToAdmin, e.Mate.ID, "")
	must(err)
	_, err = w.d.Close(w.ctx, w.old.ID, e.Mate.ID, "")
	must(err)

	w.nap = w.start(t, w.multi, "Call me next week")
	_, err = w.d.Assign(w.ctx, w.nap.ID, e.Mate.ID, desk.ToAdmin, e.Mate.ID, "")
	must(err)
	_, err = w.d.Snooze(w.ctx, w.nap.ID, e.Mate.ID, e.Clock.Now().Add(72*time.Hour))
	must(err)

	w.refund = w.ticket(t, desk.NewTicket{TypeID: w.customer.ID, Contacts: []desk.ContactRef{{ID: w.jane.ID}},
		AdminID: e.Mate.ID, TeamID: w.billing.ID}, "Refund for order 42", "The parcel never came")
	w.gadget = w.ticket(t, desk.NewTicket{TypeID: w.customer.ID, Contacts: []desk.ContactRef{{ID: w.joe.ID}}},
		"Gadget broken", "Screen cracked")
	w.fraud = w.ticket(t, desk.NewTicket{TypeID: w.backOffice.ID, AdminID: e.Admin.ID, TeamID: w.logistics.ID},
		"Suspicious orders", "Many orders from one card")
	w.tick()
	_, err = w.d.ChangeState(w.ctx, w.fraud.ID, e.Admin.ID, w.states[ticket.InProgress])
	must(err)
	w.outage = w.ticket(t, desk.NewTicket{TypeID: w.tracker.ID}, "Checkout down", "Payments fail since 9:00")
	return w
}

// tick moves the clock on, so that every change is newer than the one before.
func (w *viewsWorld) tick() { w.Clock.Advance(time.Minute) }

func (w *viewsWorld) start(t *testing.T, from store.Contact, body string) conversation.Conversation {
	t.Helper()
	w.tick()
	c, err := w.d.StartConversation(w.ctx, from.ID, body)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (w *viewsWorld) ticket(t *testing.T, n desk.NewTicket, title, description string) ticket.Ticket {
	t.Helper()
	w.tick()
	n.By = conversation.Author{Type: conversation.AuthorAdmin, ID: w.Mate.ID}
	n.Attributes = map[string]json.RawMessage{
		ticket.TitleAttribute:       json.RawMessage(strconv.Quote(title)),
		ticket.DescriptionAttribute: json.RawMessage(strconv.Quote(description)),
	}
	tk, err := w.d.CreateTicket(w.ctx, n)
	if err != nil {
		t.Fatalf("create ticket %q: %v", title, err)
	}
	return tk
}

func (w *viewsWorld) company(t *testing.T, companyID, name string, members ...store.Contact) int64 {
	t.Helper()
	id := apitest.ID(w.MustDo(http.StatusOK, "POST", "/api/companies", map[string]any{"company_id": companyID, "name": name}))
	for _, c := range members {
		w.MustDo(http.StatusOK, "POST", fmt.Sprintf("/api/contacts/%d/companies", c.ID), map[string]any{"id": id})
	}
	n, _ := strconv.ParseInt(id, 10, 64)
	return n
}

var (
	viewsRowRE   = regexp.MustCompile(`id="views-row-(\d+)"`)
	viewsCountRE = regexp.MustCompile(`<span class="views-nav-label">([^<]+)</span> <span class="views-count">([^<]+)<`)
)

// viewsRows returns the ids of a page's rows, in order.
func viewsRows(body string) []int64 {
	var ids []int64
	for _, m := range viewsRowRE.FindAllStringSubmatch(body, -1) {
		n, _ := strconv.ParseInt(m[1], 10, 64)
		ids = append(ids, n)
	}
	return ids
}

// viewsCounts returns the sidebar's counts by view name.
func viewsCounts(body string) map[string]string {
	out := map[string]string{}
	for _, m := range viewsCountRE.FindAllStringSubmatch(body, -1) {
		out[html.UnescapeString(m[1])] = html.UnescapeString(m[2])
	}
	return out
}

func viewsSameIDs(got []int64, want ...int64) bool {
	a, b := slices.Clone(got), slices.Clone(want)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

func TestIN4_ViewsWithCounts(t *testing.T) {
	w := newViewsWorld(t)
	c := w.signedIn(t)

	// The inbox opens on the teammate's own view, with every view and its count of open items.
	r := c.get("/inbox")
	if r.status != http.StatusOK {
		t.Fatalf("GET /inbox: %d %s", r.status, r.body)
	}
	counts := viewsCounts(r.body)
	want := map[string]string{"Mine": "2", "Unassigned": "3", "All": "6", "Trackers": "1", "Billing": "2", "Logistics": "1"}
	for view, n := range want {
		if counts[view] != n {
			t.Errorf("count of %s: %q, want %s (all: %v)", view, counts[view], n, counts)
		}
	}
	if len(counts) != len(want) {
		t.Errorf("views: %v", counts)
	}
	if !strings.Contains(r.body, `href="/inbox/views/mine" aria-current="page"`) {
		t.Error("the teammate's own view is not the current one")
	}

	// Each view lists its open items, newest activity first.
	for _, tc := range []struct {
		path string
		want []int64
	}{
		{"/inbox", []int64{w.refund.ID, w.parcel.ID}},
		{"/inbox/views/mine", []int64{w.refund.ID, w.parcel.ID}},
		// Unassigned: no teammate's, even when a team's (the invoice).
		{"/inbox/views/unassigned", []int64{w.outage.ID, w.gadget.ID, w.invoice.ID}},
		{"/inbox/views/all", []int64{w.outage.ID, w.fraud.ID, w.gadget.ID, w.refund.ID, w.invoice.ID, w.parcel.ID}},
		{"/inbox/views/trackers", []int64{w.outage.ID}},
		{fmt.Sprintf("/inbox/views/team-%d", w.billing.ID), []int64{w.refund.ID, w.invoice.ID}},
		{fmt.Sprintf("/inbox/views/team-%d", w.logistics.ID), []int64{w.fraud.ID}},
		// The state tabs show the rest.
		{"/inbox/views/mine?state=closed", []int64{w.old.ID}},
		{"/inbox/views/mine?state=snoozed", []int64{w.nap.ID}},
		{"/inbox/views/mine?state=any", []int64{w.refund.ID, w.nap.ID, w.old.ID, w.parcel.ID}},
	} {
		r := c.get(tc.path)
		if r.status != http.StatusOK {
			t.Errorf("GET %s: %d", tc.path, r.status)
			continue
		}
		if got := viewsRows(r.body); !slices.Equal(got, tc.want) {
			t.Errorf("GET %s: rows %v, want %v", tc.path, got, tc.want)
		}
	}
	// An unknown view is not found.
	for _, path := range []string{"/inbox/views/nope", "/inbox/views/team-999999"} {
		if r := c.get(path); r.status != http.StatusNotFound {
			t.Errorf("GET %s: %d", path, r.status)
		}
	}

	// Live refreshes ask for one region (htmx's HX-Target) and get only it, counts up to date.
	_, err := w.d.Assign(w.ctx, w.invoice.ID, w.Mate.ID, desk.ToAdmin, w.Mate.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	r = c.get("/inbox", "HX-Request", "true", "HX-Target", "views-nav")
	if !strings.HasPrefix(strings.TrimSpace(r.body), `<nav id="views-nav"`) || strings.Contains(r.body, "views-list") {
		t.Errorf("the sidebar's refresh: %s", r.body)
	}
	if got := viewsCounts(r.body); got["Mine"] != "3" || got["Unassigned"] != "2" {
		t.Errorf("counts after an assignment: %v", got)
	}
	r = c.get("/inbox", "HX-Request", "true", "HX-Target", "views-list")
	if !strings.HasPrefix(strings.TrimSpace(r.body), `<div id="views-list"`) || strings.Contains(r.body, "views-nav") {
		t.Errorf("the list's refresh: %s", r.body)
	}
	if got := viewsRows(r.body); !slices.Equal(got, []int64{w.invoice.ID, w.refund.ID, w.parcel.ID}) {
		t.Errorf("mine after an assignment: %v", got)
	}
	// Both regions say how to refresh themselves.
	r = c.get("/inbox/views/all?state=closed")
	for _, region := range []string{
		`<nav id="views-nav" class="views-nav" aria-label="Inbox views" data-live-list
     hx-get="/inbox/views/all?state=closed" hx-trigger="live"`,
		`<div id="views-list" class="views-list" data-live-list
     hx-get="/inbox/views/all?state=closed" hx-trigger="live"`,
	} {
		if !strings.Contains(r.body, region) {
			t.Errorf("no live region %q", region)
		}
	}
}

// viewsRowHTML returns the HTML of the row of thread id in a list page.
func viewsRowHTML(t *testing.T, body string, id int64) string {
	t.Helper()
	start := strings.Index(body, fmt.Sprintf(`id="views-row-%d"`, id))
	if start < 0 {
		t.Fatalf("no row %d", id)
	}
	begin, end := strings.LastIndex(body[:start], "<li"), strings.Index(body[start:], "</li>")
	if table := strings.LastIndex(body[:start], "<tr"); table > begin {
		begin, end = table, strings.Index(body[start:], "</tr>")
	}
	return body[begin : start+end]
}

func TestIN1_RowsTellKindsApart(t *testing.T) {
	w := newViewsWorld(t)
	// A reply that tries to run a script and a customer's answer, as the newest parts.
	w.tick()
	if _, err := w.d.AdminReply(w.ctx, w.invoice.ID, w.Mate.ID, conversation.PartComment,
		`<p>Fixed &amp; refunded<script>alert("x")</script><img src=x onerror="alert(1)"></p>`); err != nil {
		t.Fatal(err)
	}
	w.tick()
	if _, err := w.d.ContactReplyTicket(w.ctx, w.gadget.ID, w.joe.ID, "<p>Any news?</p>"); err != nil {
		t.Fatal(err)
	}
	c := w.signedIn(t)
	r := c.get("/inbox/views/all?state=any")
	if r.status != http.StatusOK {
		t.Fatalf("GET: %d %s", r.status, r.body)
	}

	for _, tc := range []struct {
		id   int64
		want []string // in the row, in this order
	}{
		// A conversation without a title goes by its first message; its newest part is a note.
		{w.parcel.ID, []string{`href="/inbox/conversations/` + viewsID(w.parcel.ID) + `"`, `aria-label="Conversation"`,
			"My parcel is late", "Note by Mia Mate", "Checked with the carrier tomorrow", ">Open<", "Mia Mate", `<time datetime="`}},
		// A teammate's reply, as text: no markup, no script.
		{w.invoice.ID, []string{`aria-label="Conversation"`, "Invoice 7 is wrong", "Reply by Mia Mate",
			"Fixed &amp; refunded", "Unassigned · Billing"}},
		{w.old.ID, []string{`aria-label="Conversation"`, "Thanks, all good", "Closed by Mia Mate", ">Closed<"}},
		{w.nap.ID, []string{"Call me next week", "Snoozed by Mia Mate", ">Snoozed<"}},
		// Tickets: their kind, ID and title, state (its internal label) and assignee.
		{w.refund.ID, []string{`href="/inbox/tickets/` + viewsID(w.refund.ID) + `"`, `aria-label="Customer ticket"`,
			"#" + viewsID(w.refund.Number), "Refund for order 42", "Ticket created by Mia Mate", ">Submitted<", "Mia Mate · Billing"}},
		{w.gadget.ID, []string{`aria-label="Customer ticket"`, "#" + viewsID(w.gadget.Number), "Gadget broken",
			"Message from Joe Bloggs", "Any news?", "Unassigned"}},
		{w.fraud.ID, []string{`aria-label="Back-office ticket"`, "#" + viewsID(w.fraud.Number), "Suspicious orders",
			"State changed to In progress by Olive Owner", ">In progress<", "Olive Owner · Logistics"}},
		{w.outage.ID, []string{`aria-label="Tracker ticket"`, "#" + viewsID(w.outage.Number), "Checkout down", ">Submitted<"}},
	} {
		row := viewsRowHTML(t, r.body, tc.id)
		at := 0
		for _, s := range tc.want {
			i := strings.Index(row[at:], s)
			if i < 0 {
				t.Errorf("row %d: no %q after position %d in\n%s", tc.id, s, at, row)
				break
			}
			at += i + len(s)
		}
	}
	for _, bad := range []string{"<script>alert", "onerror", "<img", "<b>carrier"} {
		if strings.Contains(r.body, bad) {
			t.Errorf("the list shows stored HTML: %q", bad)
		}
	}
	// Each kind has its own icon.
	for _, kind := range []string{"conversation", "customer", "back-office", "tracker"} {
		if !strings.Contains(r.body, `class="views-icon views-icon-`+kind+`"`) {
			t.Errorf("no %s icon", kind)
		}
	}
	// A ticket's closed or snoozed flag shows beside its state (ST3).
	if _, err := w.d.UpdateTicket(w.ctx, w.outage.ID, desk.TicketChange{AdminID: w.Mate.ID, Open: new(bool)}); err != nil {
		t.Fatal(err)
	}
	if row := viewsRowHTML(t, c.get("/inbox/views/trackers?state=closed").body, w.outage.ID); !strings.Contains(row, ">Submitted · Closed<") {
		t.Errorf("a closed tracker: %s", row)
	}
}

func viewsID(n int64) string { return strconv.FormatInt(n, 10) }

func TestIN3_SearchAndFiltersCombineAndAreShareableURLs(t *testing.T) {
	w := newViewsWorld(t)
	// A second tracker type, a ticket tagged (Customer tickets may be: BO9 is about Back-office).
	bug := w.ticket(t, desk.NewTicket{TypeID: w.bug.ID}, "Search is slow", "")
	if _, err := w.d.TagTicket(w.ctx, w.refund.ID, w.vip, w.Mate.ID); err != nil {
		t.Fatal(err)
	}
	c := w.signedIn(t)
	all := []int64{w.parcel.ID, w.invoice.ID, w.old.ID, w.nap.ID, w.refund.ID, w.gadget.ID, w.fraud.ID, w.outage.ID, bug.ID}
	id := viewsID
	for _, tc := range []struct {
		query string
		want  []int64
	}{
		{"", all},
		// Text: in titles, first messages and descriptions, any case; a ticket by its ID.
		{"q=PARCEL", []int64{w.parcel.ID, w.refund.ID}}, // its message; the refund's description
		{"q=checkout", []int64{w.outage.ID}},
		{"q=%23" + id(w.fraud.Number), []int64{w.fraud.ID}},
		{"q=100%25", nil}, // a wildcard is only a character
		// Category.
		{"category=conversation", []int64{w.parcel.ID, w.invoice.ID, w.old.ID, w.nap.ID}},
		{"category=customer", []int64{w.refund.ID, w.gadget.ID}},
		{"category=back-office", []int64{w.fraud.ID}},
		{"category=tracker", []int64{w.outage.ID, bug.ID}},
		// The API's names of the categories are understood too, in any case.
		{"category=Customer", []int64{w.refund.ID, w.gadget.ID}},
		{"category=Back-office", []int64{w.fraud.ID}},
		{"category=TRACKER", []int64{w.outage.ID, bug.ID}},
		{"category=Conversation", []int64{w.parcel.ID, w.invoice.ID, w.old.ID, w.nap.ID}},
		// Ticket type.
		{"type=" + id(w.bug.ID), []int64{bug.ID}},
		// State: open, snoozed, closed; and a ticket's state.
		{"state=closed", []int64{w.old.ID}},
		{"state=snoozed", []int64{w.nap.ID}},
		{"ticket_state=" + id(w.states[ticket.InProgress]), []int64{w.fraud.ID}},
		{"ticket_state=" + id(w.states[ticket.Submitted]), []int64{w.refund.ID, w.gadget.ID, w.outage.ID, bug.ID}},
		// Assignee and team, or none.
		{"assignee=" + id(w.Mate.ID), []int64{w.parcel.ID, w.old.ID, w.nap.ID, w.refund.ID}},
		{"assignee=none", []int64{w.invoice.ID, w.gadget.ID, w.outage.ID, bug.ID}},
		{"team=" + id(w.billing.ID), []int64{w.invoice.ID, w.refund.ID}},
		{"team=none", []int64{w.parcel.ID, w.old.ID, w.nap.ID, w.gadget.ID, w.outage.ID, bug.ID}},
		// Contact, by email or by name.
		{"contact=JOE@globex.example", []int64{w.invoice.ID, w.old.ID, w.gadget.ID}},
		{"contact=jane", []int64{w.parcel.ID, w.refund.ID}},
		{"contact=bloggs", []int64{w.invoice.ID, w.old.ID, w.gadget.ID}}, // by name only
		{"contact=acme.example", []int64{w.parcel.ID, w.refund.ID}},      // by email only
		{"contact_id=" + id(w.multi.ID), []int64{w.nap.ID}},
		// Tag.
		{"tag=" + id(w.vip), []int64{w.invoice.ID, w.refund.ID}},
		// Company: its tickets, and the conversations of its people.
		{"company=" + id(w.acme), []int64{w.parcel.ID, w.nap.ID, w.refund.ID}},
		{"company=" + id(w.globex), []int64{w.invoice.ID, w.old.ID, w.nap.ID, w.gadget.ID}},
		// Combined.
		{"category=customer&company=" + id(w.globex), []int64{w.gadget.ID}},
		{"assignee=" + id(w.Mate.ID) + "&state=open", []int64{w.parcel.ID, w.refund.ID}},
		{"q=order&team=" + id(w.billing.ID) + "&tag=" + id(w.vip), []int64{w.refund.ID}},
		{"category=conversation&contact=joe&state=closed", []int64{w.old.ID}},
		// What is not understood is left out, not an error.
		{"category=bogus&type=x&assignee=-3&state=gone", all},
	} {
		r := c.get("/inbox/search?" + tc.query)
		if r.status != http.StatusOK {
			t.Errorf("search %q: %d %s", tc.query, r.status, r.body)
			continue
		}
		if got := viewsRows(r.body); !viewsSameIDs(got, tc.want...) {
			t.Errorf("search %q: %v, want %v", tc.query, got, tc.want)
		}
	}

	// The URL is the search: written back in one order, the category in lower case, it gives
	// the same rows and the form shows the filters chosen.
	r := c.get("/inbox/search?tag=" + id(w.vip) + "&q=+order+&category=Customer&junk=1&team=" + id(w.billing.ID))
	canonical := "/inbox/search?category=customer&amp;q=order&amp;tag=" + id(w.vip) + "&amp;team=" + id(w.billing.ID)
	if !strings.Contains(r.body, `<a class="views-link" href="`+canonical+`">`) {
		t.Errorf("no link to the search %s", canonical)
	}
	shared := c.get(strings.ReplaceAll(canonical, "&amp;", "&"))
	if got := viewsRows(shared.body); !slices.Equal(got, viewsRows(r.body)) || !slices.Equal(got, []int64{w.refund.ID}) {
		t.Errorf("the shared search: %v", got)
	}
	for _, chosen := range []string{
		`<option value="customer" selected>`, `<option value="` + id(w.billing.ID) + `" selected>Billing`,
		`<option value="` + id(w.vip) + `" selected>vip`, `name="q" type="search" value="order"`,
	} {
		if !strings.Contains(shared.body, chosen) {
			t.Errorf("the form does not show %s", chosen)
		}
	}
	// The form, through htmx, gets the results alone and the address to show for them.
	r = c.get("/inbox/search?q=&category=Customer&type=&company="+id(w.acme), "HX-Request", "true",
		"HX-Target", "views-list", "HX-Trigger", "views-search")
	if !strings.HasPrefix(strings.TrimSpace(r.body), `<div id="views-list"`) || strings.Contains(r.body, "<form") {
		t.Errorf("the form's results: %s", r.body)
	}
	if got := r.header.Get("HX-Push-Url"); got != "/inbox/search?category=customer&company="+id(w.acme) {
		t.Errorf("HX-Push-Url %q", got)
	}
	if got := viewsRows(r.body); !slices.Equal(got, []int64{w.refund.ID}) {
		t.Errorf("the form's results: %v", got)
	}
	// The same search again (Search after a change) adds no history entry.
	r = c.get("/inbox/search?category=customer&company="+id(w.acme), "HX-Request", "true", "HX-Target", "views-list",
		"HX-Trigger", "views-search", "HX-Current-URL", w.URL+"/inbox/search?category=customer&company="+id(w.acme))
	if got := r.header.Get("HX-Push-Url"); got != "false" {
		t.Errorf("the same search again: HX-Push-Url %q", got)
	}
	// A live refresh does not change the address.
	r = c.get("/inbox/search?category=customer", "HX-Request", "true", "HX-Target", "views-list", "HX-Trigger", "views-list")
	if r.header.Get("HX-Push-Url") != "" {
		t.Errorf("a live refresh pushes %q", r.header.Get("HX-Push-Url"))
	}
	// Every control is labelled.
	page := c.get("/inbox/search").body
	for _, field := range []string{"q", "category", "type", "state", "ticket-state", "assignee", "team", "contact", "tag", "company"} {
		if !strings.Contains(page, `<label for="views-`+field+`">`) || !strings.Contains(page, `id="views-`+field+`"`) {
			t.Errorf("no labelled %s", field)
		}
	}
}

func TestIN3_TableViewHasACompanyColumn(t *testing.T) {
	w := newViewsWorld(t)
	c := w.signedIn(t)
	r := c.get("/inbox/views/all?state=any&layout=table")
	if r.status != http.StatusOK {
		t.Fatalf("GET: %d", r.status)
	}
	if !strings.Contains(r.body, `<th scope="col">Company</th>`) || !strings.Contains(r.body, `<table class="views-table">`) {
		t.Fatal("no table with a Company column")
	}
	acme := `<a href="/inbox/companies/` + viewsID(w.acme) + `">Acme</a>`
	globex := `<a href="/inbox/companies/` + viewsID(w.globex) + `">Globex</a>`
	for _, tc := range []struct {
		id      int64
		company string
	}{
		{w.refund.ID, acme},   // the ticket's company (its contact's only one)
		{w.gadget.ID, globex}, // the same
		{w.parcel.ID, acme},   // a conversation: its contact's only company
		{w.old.ID, globex},
		{w.nap.ID, acme + ", " + globex}, // a contact at two companies: both, by name
		{w.fraud.ID, ""},                 // a ticket without a company
		{w.outage.ID, ""},                // the same
	} {
		row := viewsRowHTML(t, r.body, tc.id)
		if !strings.Contains(row, `<td class="views-company">`+tc.company+`</td>`) {
			t.Errorf("row %d: company is not %q: %s", tc.id, tc.company, row)
		}
	}
	// A ticket's company is the ticket's, even when its contact's companies say otherwise.
	if _, err := w.d.UpdateTicket(w.ctx, w.refund.ID, desk.TicketChange{AdminID: w.Mate.ID, CompanyID: new(int64)}); err != nil {
		t.Fatal(err)
	}
	r = c.get("/inbox/views/all?state=any&layout=table")
	if row := viewsRowHTML(t, r.body, w.refund.ID); !strings.Contains(row, `<td class="views-company"></td>`) {
		t.Errorf("a ticket of no company: %s", row)
	}
	// The layout goes with the list: its pages, its refresh, the toggle back; and search has it.
	if !strings.Contains(r.body, `hx-get="/inbox/views/all?layout=table&amp;state=any"`) ||
		!strings.Contains(r.body, `<a href="/inbox/views/all?state=any">List</a>`) {
		t.Error("the table's own URL or the way back to the list is missing")
	}
	r = c.get("/inbox/search?company=" + viewsID(w.acme) + "&layout=table")
	if !strings.Contains(r.body, `<th scope="col">Company</th>`) || !strings.Contains(r.body, `<input type="hidden" name="layout" value="table">`) {
		t.Error("search in the table layout")
	}
}

// TestIN1_ALargeInboxPagesByKeyset: 10,000 conversations (a tracker's, written in bulk) list
// page by page, newest first, each row once; the counts stop at their cap. That a page costs
// the same few queries however long is proven in package store
// (TestIN1_InboxPageLoadsInAFixedNumberOfQueries).
func TestIN1_ALargeInboxPagesByKeyset(t *testing.T) {
	e := start(t)
	ctx := t.Context()
	typ := e.CreateTicketType("Outage", ticket.Tracker, nil)
	contact := e.CreateContact("many@example.com", "Many")
	tk, err := e.Server.Desk().CreateTicket(ctx, desk.NewTicket{TypeID: typ.ID,
		By:         conversation.Author{Type: conversation.AuthorAdmin, ID: e.Mate.ID},
		Attributes: map[string]json.RawMessage{ticket.TitleAttribute: json.RawMessage(`"Checkout down"`)}})
	if err != nil {
		t.Fatal(err)
	}
	const n = 10000
	if err := e.DB.Tx(ctx, func(tx *store.Tx) error {
		return tx.CreateLinkedConversations(ctx, tk, contact.ID, n, e.Clock.Now())
	}); err != nil {
		t.Fatal(err)
	}
	c := e.signedIn(t)
	r := c.get("/inbox/views/all")
	if counts := viewsCounts(r.body); counts["All"] != "999+" || counts["Unassigned"] != "999+" || counts["Trackers"] != "1" || counts["Mine"] != "0" {
		t.Errorf("counts: %v", counts)
	}
	older := regexp.MustCompile(`<a href="([^"]+)" rel="next">Older</a>`)
	seen := map[int64]bool{}
	var last int64
	pages := 0
	for path := "/inbox/views/all"; path != ""; pages++ {
		r := c.get(path, "HX-Request", "true", "HX-Target", "views-list") // the list alone, as htmx would ask
		if r.status != http.StatusOK {
			t.Fatalf("GET %s: %d", path, r.status)
		}
		rows := viewsRows(r.body)
		if len(rows) == 0 || len(rows) > 30 {
			t.Fatalf("GET %s: %d rows", path, len(rows))
		}
		for _, id := range rows {
			// All were written at one time: the newest first is then the highest id first.
			if seen[id] || (last != 0 && id >= last) {
				t.Fatalf("row %d out of order or twice (after %d)", id, last)
			}
			seen[id], last = true, id
		}
		path = ""
		if m := older.FindStringSubmatch(r.body); m != nil {
			path = strings.ReplaceAll(m[1], "&amp;", "&")
		}
	}
	if len(seen) != n+1 || pages != (n+1+29)/30 {
		t.Errorf("%d rows in %d pages, want %d", len(seen), pages, n+1)
	}
}

// The trackers view starts a tracker for a new issue (TR2), before any conversation is linked.
func TestTR2_TrackersViewOffersNewTracker(t *testing.T) {
	e := start(t)
	c := e.signedIn(t)
	if p := c.get("/inbox/views/trackers"); p.status != http.StatusOK || !strings.Contains(p.body, `href="/inbox/tickets/new?category=Tracker">New tracker</a>`) {
		t.Errorf("the trackers view: %d, no New tracker", p.status)
	}
	if p := c.get("/inbox/views/all"); strings.Contains(p.body, ">New tracker<") {
		t.Error("New tracker offered outside the trackers view")
	}
}
