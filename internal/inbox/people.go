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

	"github.com/helpdesk/helpdesk/internal/store"
	"github.com/helpdesk/helpdesk/internal/ticket"
)

// Company and contact pages (SPEC CO4): the list of companies, a company's profile with its
// People and Tickets tabs, and a contact's page with their conversations and tickets. Every
// list is one page along an index (keyset), with a link to the next.

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
	p := &peopleCompaniesPage{Page: Page{Title: "Companies", Nav: "companies"}, Search: search, First: after.ID == 0 && !after.Unnamed}
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
	Label     string // its title, or the start of its first message
	Kind      string // conversation, customer, back-office or tracker: the icon (IN1)
	KindLabel string // "Conversation", "Customer ticket", ...
	StateText string // the ticket's internal state label, or the conversation's state
	Assignee  string // the teammate, else the team, else ""
}

// peopleTickets is a page of a company's tickets: the Tickets tab, a region that refreshes
// live (data-live-list).
type peopleTickets struct {
	CompanyID int64
	States    ticket.States
	StateID   int64 // the state filter; 0 for every state
	Rows      []peopleRow
	First     bool
	Next      string // the URL of the next page; "" on the last
	Self      string // the URL of this region, for live refreshes
}

// peopleCompanyPage is a company's profile.
type peopleCompanyPage struct {
	Page
	Company store.Company
	Tab     string // "people" or "tickets"
	// People tab:
	People     []store.Contact
	PeopleNext string
	PeopleAll  bool // the first page of people
	// Tickets tab:
	Tickets peopleTickets
}

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
	p := &peopleCompanyPage{Page: Page{Title: peopleCompanyName(company), Nav: "companies"}, Company: company, Tab: "people"}
	if q.Get("tab") == "tickets" {
		p.Tab = "tickets"
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
// as q asks: state (a state id) and before (the cursor).
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
	before, _ := strconv.ParseInt(q.Get("before"), 10, 64)
	t.First = before == 0
	rows, err := db.TicketsOfCompany(ctx, companyID, t.StateID, before, peoplePageSize+1)
	if err != nil {
		return t, err
	}
	base := "/inbox/companies/" + strconv.FormatInt(companyID, 10)
	filter := url.Values{}
	if t.StateID != 0 {
		filter.Set("state", strconv.FormatInt(t.StateID, 10))
	}
	if before != 0 {
		filter.Set("before", strconv.FormatInt(before, 10))
	}
	t.Self = base + "/tickets?" + filter.Encode()
	if len(rows) > peoplePageSize {
		rows = rows[:peoplePageSize]
		filter.Set("before", strconv.FormatInt(rows[len(rows)-1].ID, 10))
		filter.Set("tab", "tickets")
		t.Next = base + "?" + filter.Encode()
	}
	t.Rows, err = in.peopleRows(ctx, rows)
	return t, err
}

// peopleContactPage is a contact with their conversations and tickets.
type peopleContactPage struct {
	Page
	Contact   store.Contact
	Companies []store.Company
	Rows      []peopleRow
	First     bool
	Next      string
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
	p := &peopleContactPage{Page: Page{Title: peopleContactName(c), Nav: "companies"}, Contact: c}
	if p.Companies, err = db.ContactCompanies(ctx, id, 0, peopleContactCompanies); err != nil {
		return err
	}
	before, _ := strconv.ParseInt(r.URL.Query().Get("before"), 10, 64)
	p.First = before == 0
	rows, err := db.ThreadsOfContact(ctx, id, before, peoplePageSize+1)
	if err != nil {
		return err
	}
	if len(rows) > peoplePageSize {
		rows = rows[:peoplePageSize]
		p.Next = "/inbox/contacts/" + strconv.FormatInt(id, 10) + "?before=" + strconv.FormatInt(rows[len(rows)-1].ID, 10)
	}
	if p.Rows, err = in.peopleRows(ctx, rows); err != nil {
		return err
	}
	in.render(w, r, http.StatusOK, "people_contact", p)
	return nil
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
		if x.IsTicket {
			row.URL = "/inbox/tickets/" + id
			row.Kind, row.KindLabel = peopleKind(x.Category)
			row.StateText = x.StateName
		} else {
			row.URL = "/inbox/conversations/" + id
			row.Kind, row.KindLabel = "conversation", "Conversation"
			row.StateText = peopleConversationState(x.State)
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

func peopleConversationState(s string) string {
	switch s {
	case "snoozed":
		return "Snoozed"
	case "closed":
		return "Closed"
	}
	return "Open"
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
