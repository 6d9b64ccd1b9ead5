package inbox

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/microcosm-cc/bluemonday"

	"github.com/helpdesk/helpdesk/internal/conversation"
	"github.com/helpdesk/helpdesk/internal/store"
	"github.com/helpdesk/helpdesk/internal/ticket"
)

// Company and contact pages (SPEC CO4): the list of companies, a company's profile with its
// People and Tickets tabs, and a contact's page with their conversations and tickets (all, or
// tickets or conversations only). Every list is one page along an index (keyset), with links to
// the older and newer pages, never counted. The header and facts, and the lists, are live
// regions (data-live-list): a rename shows without a reload.

// peoplePageSize is how many rows a page of these lists shows.
const peoplePageSize = 25

// peopleRoutes adds the routes of people.go.
func (in *Inbox) peopleRoutes(add route) {
	add("GET /inbox/companies", in.peopleCompanies)
	add("GET /inbox/companies/{id}", in.peopleCompany)
	add("GET /inbox/companies/{id}/tickets", in.peopleCompanyTicketsRegion)
	add("GET /inbox/contacts/{id}", in.peopleContact)
}

// peopleCompaniesPage is the list of companies.
type peopleCompaniesPage struct {
	Page
	Search    string
	Companies []store.Company
	First     bool   // this is the first page
	Next      string // the URL of the next page; "" on the last
	Self      string // this page's URL, for a live refresh of the list
}

func (in *Inbox) peopleCompanies(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	search := strings.TrimSpace(q.Get("q"))
	var after store.CompanyCursor
	after.ID, _ = strconv.ParseInt(q.Get("after_id"), 10, 64)
	after.Name = q.Get("after_name")
	after.Unnamed = q.Get("unnamed") == "1"
	list, err := in.db.Read().CompanyDirectory(r.Context(), search, after, peoplePageSize+1)
	if err != nil {
		return err
	}
	p := &peopleCompaniesPage{Page: Page{Title: "Companies", Nav: "companies"}, Search: search, First: after.ID == 0 && !after.Unnamed,
		Self: r.URL.RequestURI()}
	if len(list) > peoplePageSize {
		list = list[:peoplePageSize]
		last := list[len(list)-1]
		next := url.Values{"after_id": {strconv.FormatInt(last.ID, 10)}}
		if last.Name.Valid {
			next.Set("after_name", last.Name.String)
		} else {
			next.Set("unnamed", "1")
		}
		if search != "" {
			next.Set("q", search)
		}
		p.Next = "/inbox/companies?" + next.Encode()
	}
	p.Companies = list
	in.render(w, r, http.StatusOK, "people_companies", p)
	return nil
}

// peopleRow is a conversation or ticket as a row of the company and contact pages.
type peopleRow struct {
	store.ThreadRow
	URL       string // its page in the Inbox
	Ref       string // a ticket's number or a conversation's id: "#12"
	Label     string // its title, or the start of its first message
	Kind      string // conversation, customer, back-office or tracker: the icon (IN1)
	KindLabel string // "Conversation", "Customer ticket", ...
	StateText string // the ticket's internal state label, or the conversation's state
	Assignee  string // the teammate, else the team, else ""
}

// peoplePager is the way through a list in pages: to the newest page, the newer one and the
// older one ("" where there is none).
type peoplePager struct {
	Label                string // what the pages are of: "Pages of tickets"
	Newest, Newer, Older string
}

// peoplePaged loads the page of a list in id order that page asks for, as load loads it (one
// more than a page), and the links to the pages around it (link writes a page's URL). A newer
// page that would not be full is the newest page. It returns the page it shows.
func peoplePaged(page store.IDPage, load func(store.IDPage) ([]store.ThreadRow, error), link func(store.IDPage) string) ([]store.ThreadRow, store.IDPage, peoplePager, error) {
	var p peoplePager
	rows, err := load(page)
	if err != nil {
		return nil, page, p, err
	}
	if page.After > 0 && len(rows) <= peoplePageSize {
		page = store.IDPage{}
		if rows, err = load(page); err != nil {
			return nil, page, p, err
		}
	}
	switch {
	case page.After > 0:
		rows = rows[1:] // the one more is the newest, beyond this page
		p.Older = link(store.IDPage{Before: rows[len(rows)-1].ID})
	case len(rows) > peoplePageSize:
		rows = rows[:peoplePageSize]
		p.Older = link(store.IDPage{Before: rows[len(rows)-1].ID})
	}
	if page != (store.IDPage{}) {
		p.Newest = link(store.IDPage{})
		if len(rows) > 0 {
			p.Newer = link(store.IDPage{After: rows[0].ID})
		}
	}
	return rows, page, p, nil
}

// peoplePageOf reads the page a list's query asks for: before or after an id.
func peoplePageOf(q url.Values) store.IDPage {
	before, _ := strconv.ParseInt(q.Get("before"), 10, 64)
	after, _ := strconv.ParseInt(q.Get("after"), 10, 64)
	if before > 0 {
		return store.IDPage{Before: before}
	}
	return store.IDPage{After: max(after, 0)}
}

// peopleSetPage writes page into q.
func peopleSetPage(q url.Values, page store.IDPage) {
	q.Del("before")
	q.Del("after")
	switch {
	case page.Before > 0:
		q.Set("before", strconv.FormatInt(page.Before, 10))
	case page.After > 0:
		q.Set("after", strconv.FormatInt(page.After, 10))
	}
}

// peopleTickets is a page of a company's tickets: the Tickets tab, a region that refreshes
// live (data-live-list).
type peopleTickets struct {
	CompanyID int64
	States    ticket.States
	StateID   int64 // the state filter; 0 for every state
	Rows      []peopleRow
	Pager     peoplePager
	Self      string // the URL of this region, for live refreshes
}

// peopleCompanyPage is a company's profile.
type peopleCompanyPage struct {
	Page
	Company store.Company
	Tab     string // "people" or "tickets"
	Self    string // this page's URL: its live regions ask for themselves there
	// People tab:
	People     []store.Contact
	PeopleNext string
	PeopleAll  bool // the first page of people
	// Tickets tab:
	Tickets peopleTickets
}

// peopleHeadTarget is the id of the company's and contact's header and facts: a live region
// (data-live-list), which the page's handler answers alone when htmx asks for it.
const peopleHeadTarget = "people-head"

func (in *Inbox) peopleCompany(w http.ResponseWriter, r *http.Request) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		in.notFound(w, r)
		return nil
	}
	ctx, db := r.Context(), in.db.Read()
	company, err := db.Company(ctx, id)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	p := &peopleCompanyPage{Page: Page{Title: peopleCompanyName(company), Nav: "companies"}, Company: company, Tab: "people",
		Self: r.URL.RequestURI()}
	if q.Get("tab") == "tickets" {
		p.Tab = "tickets"
	}
	target := r.Header.Get("HX-Target")
	if target == peopleHeadTarget {
		in.renderPart(w, r, http.StatusOK, "people_company", "people-company-head", p)
		return nil
	}
	if p.Tab == "tickets" {
		if p.Tickets, err = in.peopleCompanyTickets(ctx, id, q); err != nil {
			return err
		}
		in.render(w, r, http.StatusOK, "people_company", p)
		return nil
	}
	after, _ := strconv.ParseInt(q.Get("after"), 10, 64)
	p.PeopleAll = after == 0
	ids, err := db.CompanyContactIDs(ctx, id, after, 0, peoplePageSize+1)
	if err != nil {
		return err
	}
	if len(ids) > peoplePageSize {
		ids = ids[:peoplePageSize]
		p.PeopleNext = "/inbox/companies/" + strconv.FormatInt(id, 10) + "?after=" + strconv.FormatInt(ids[len(ids)-1], 10)
	}
	contacts, err := db.ContactsByID(ctx, ids)
	if err != nil {
		return err
	}
	for _, cid := range ids {
		if c, ok := contacts[cid]; ok {
			p.People = append(p.People, c)
		}
	}
	if target == "people-people" {
		in.renderPart(w, r, http.StatusOK, "people_company", "people-company-people", p)
		return nil
	}
	in.render(w, r, http.StatusOK, "people_company", p)
	return nil
}

// peopleCompanyTicketsRegion answers the Tickets tab alone: what htmx swaps in when the list
// changes (live) or pages.
func (in *Inbox) peopleCompanyTicketsRegion(w http.ResponseWriter, r *http.Request) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		in.notFound(w, r)
		return nil
	}
	if _, err := in.db.Read().Company(r.Context(), id); err != nil {
		return err
	}
	t, err := in.peopleCompanyTickets(r.Context(), id, r.URL.Query())
	if err != nil {
		return err
	}
	in.renderPart(w, r, http.StatusOK, "people_company", "people-tickets", t)
	return nil
}

// peopleCompanyTickets loads one page of a company's tickets (CO4: all of them, every category)
// as q asks: state (a state id), and before or after (a ticket's id).
func (in *Inbox) peopleCompanyTickets(ctx context.Context, companyID int64, q url.Values) (peopleTickets, error) {
	db := in.db.Read()
	t := peopleTickets{CompanyID: companyID}
	var err error
	if t.States, err = db.TicketStates(ctx); err != nil {
		return t, err
	}
	t.StateID, _ = strconv.ParseInt(q.Get("state"), 10, 64)
	if _, ok := t.States.ByID(t.StateID); !ok {
		t.StateID = 0
	}
	base := "/inbox/companies/" + strconv.FormatInt(companyID, 10)
	filter := url.Values{}
	if t.StateID != 0 {
		filter.Set("state", strconv.FormatInt(t.StateID, 10))
	}
	link := func(page store.IDPage) string {
		v := url.Values{"tab": {"tickets"}}
		for k, x := range filter {
			v[k] = x
		}
		peopleSetPage(v, page)
		return base + "?" + v.Encode()
	}
	rows, page, pager, err := peoplePaged(peoplePageOf(q), func(page store.IDPage) ([]store.ThreadRow, error) {
		return db.TicketsOfCompany(ctx, companyID, t.StateID, page, peoplePageSize+1)
	}, link)
	if err != nil {
		return t, err
	}
	pager.Label = "Pages of tickets"
	t.Pager = pager
	peopleSetPage(filter, page)
	t.Self = base + "/tickets?" + filter.Encode()
	t.Rows, err = in.peopleRows(ctx, rows)
	return t, err
}

// peopleContactPage is a contact with their conversations and tickets.
type peopleContactPage struct {
	Page
	Contact   store.Contact
	Companies []store.Company
	Self      string // this page's URL, for its live header
	Threads   peopleThreads
}

// peopleThreads is a page of a contact's conversations and tickets, all or of one kind: a
// region that refreshes live.
type peopleThreads struct {
	ContactID int64
	Show      string // "", "tickets" or "conversations"
	Tabs      []viewsNavItem
	Rows      []peopleRow
	Pager     peoplePager
	Self      string
	Empty     string
}

// peopleContactTabs are the contact page's tabs: what each shows.
var peopleContactTabs = []struct{ show, label, kind, empty string }{
	{"", "All", "", "No conversations or tickets yet."},
	{"tickets", "Tickets", "ticket", "No tickets yet."},
	{"conversations", "Conversations", "conversation", "No conversations yet."},
}

// peopleContactCompanies is the most companies a contact page lists (a contact belongs to few).
const peopleContactCompanies = 100

func (in *Inbox) peopleContact(w http.ResponseWriter, r *http.Request) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		in.notFound(w, r)
		return nil
	}
	ctx, db := r.Context(), in.db.Read()
	c, err := db.Contact(ctx, id)
	if err != nil {
		return err
	}
	// No section of the top bar is the contact's: the page is reached from lists and threads.
	p := &peopleContactPage{Page: Page{Title: peopleContactName(c)}, Contact: c, Self: r.URL.RequestURI()}
	target := r.Header.Get("HX-Target")
	if target != "people-threads" {
		if p.Companies, err = db.ContactCompanies(ctx, id, 0, peopleContactCompanies); err != nil {
			return err
		}
		if target == peopleHeadTarget {
			in.renderPart(w, r, http.StatusOK, "people_contact", "people-contact-head", p)
			return nil
		}
	}
	if p.Threads, err = in.peopleContactThreads(ctx, id, r.URL.Query()); err != nil {
		return err
	}
	if target == "people-threads" {
		in.renderPart(w, r, http.StatusOK, "people_contact", "people-threads", p.Threads)
		return nil
	}
	in.render(w, r, http.StatusOK, "people_contact", p)
	return nil
}

// peopleContactThreads loads one page of a contact's conversations and tickets as q asks:
// show (the tab), and before or after (an id).
func (in *Inbox) peopleContactThreads(ctx context.Context, contactID int64, q url.Values) (peopleThreads, error) {
	t := peopleThreads{ContactID: contactID}
	tab := peopleContactTabs[0]
	for _, x := range peopleContactTabs {
		if x.show == q.Get("show") {
			tab = x
		}
	}
	t.Show, t.Empty = tab.show, tab.empty
	base := "/inbox/contacts/" + strconv.FormatInt(contactID, 10)
	link := func(show string, page store.IDPage) string {
		v := url.Values{}
		if show != "" {
			v.Set("show", show)
		}
		peopleSetPage(v, page)
		if len(v) == 0 {
			return base
		}
		return base + "?" + v.Encode()
	}
	for _, x := range peopleContactTabs {
		t.Tabs = append(t.Tabs, viewsNavItem{Label: x.label, URL: link(x.show, store.IDPage{}), Current: x.show == tab.show})
	}
	rows, page, pager, err := peoplePaged(peoplePageOf(q), func(page store.IDPage) ([]store.ThreadRow, error) {
		return in.db.Read().ThreadsOfContact(ctx, contactID, tab.kind, page, peoplePageSize+1)
	}, func(page store.IDPage) string { return link(tab.show, page) })
	if err != nil {
		return t, err
	}
	pager.Label = "Pages of conversations and tickets"
	t.Pager, t.Self = pager, link(tab.show, page)
	t.Rows, err = in.peopleRows(ctx, rows)
	return t, err
}

// peopleRows dresses rows for display, loading their assignees in one query and the teams in
// another.
func (in *Inbox) peopleRows(ctx context.Context, rows []store.ThreadRow) ([]peopleRow, error) {
	db := in.db.Read()
	var adminIDs []int64
	needTeams := false
	for _, x := range rows {
		if x.AdminAssigneeID != 0 {
			adminIDs = append(adminIDs, x.AdminAssigneeID)
		} else if x.TeamAssigneeID != 0 {
			needTeams = true
		}
	}
	admins, err := db.AdminsByID(ctx, adminIDs)
	if err != nil {
		return nil, err
	}
	teams := map[int64]string{}
	if needTeams {
		list, err := db.Teams(ctx)
		if err != nil {
			return nil, err
		}
		for _, t := range list {
			teams[t.ID] = t.Name
		}
	}
	strip := bluemonday.StrictPolicy()
	out := make([]peopleRow, len(rows))
	for i, x := range rows {
		row := peopleRow{ThreadRow: x, Label: x.Title}
		id := strconv.FormatInt(x.ID, 10)
		row.Ref = "#" + id
		if x.IsTicket {
			row.URL = "/inbox/tickets/" + id
			row.Ref = "#" + strconv.FormatInt(x.Number, 10)
			row.Kind, row.KindLabel = peopleKind(x.Category)
			row.StateText = x.StateName
		} else {
			row.URL = "/inbox/conversations/" + id
			row.Kind, row.KindLabel = "conversation", "Conversation"
			row.StateText = stateWord(conversation.State(x.State))
			if row.Label == "" {
				row.Label = x.Subject
			}
			if row.Label == "" {
				row.Label = peopleSnippet(html.UnescapeString(strip.Sanitize(x.Body)), 80)
			}
		}
		if row.Label == "" {
			row.Label = "Untitled"
		}
		switch {
		case x.AdminAssigneeID != 0:
			row.Assignee = admins[x.AdminAssigneeID].Name
		case x.TeamAssigneeID != 0:
			row.Assignee = teams[x.TeamAssigneeID]
		}
		out[i] = row
	}
	return out, nil
}

// peopleKind is the icon class and the words for a ticket's category (IN1).
func peopleKind(c ticket.Category) (string, string) {
	switch c {
	case ticket.BackOffice:
		return "back-office", "Back-office ticket"
	case ticket.Tracker:
		return "tracker", "Tracker ticket"
	}
	return "customer", "Customer ticket"
}

// peopleSnippet is the start of text, at most n characters, on one line.
func peopleSnippet(text string, n int) string {
	text = strings.Join(strings.Fields(text), " ")
	if utf8.RuneCountInString(text) <= n {
		return text
	}
	r := []rune(text)
	return strings.TrimSpace(string(r[:n-1])) + "…"
}

// peopleCompanyName is what a company is called, even without a name.
func peopleCompanyName(c store.Company) string {
	if c.Name.Valid && strings.TrimSpace(c.Name.String) != "" {
		return c.Name.String
	}
	return c.CompanyID
}

// peopleContactName is what a contact is called, even without a name.
func peopleContactName(c store.Contact) string {
	switch {
	case c.Name.Valid && strings.TrimSpace(c.Name.String) != "":
		return c.Name.String
	case c.Email != "":
		return c.Email
	}
	return "Contact " + strconv.FormatInt(c.ID, 10)
}

func init() {
	featureFuncs["peopleCompanyName"] = func(*Inbox) any { return peopleCompanyName }
	featureFuncs["peopleContactName"] = func(*Inbox) any { return peopleContactName }
	featureFuncs["peopleDate"] = func(*Inbox) any {
		return func(t time.Time) string { return t.UTC().Format("2 Jan 2006") }
	}
}
