package inbox

import (
	"context"
	"errors"
	"fmt"
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

// The inbox lists (SPEC IN1, IN4) and search (IN3): views in a sidebar with their counts, rows
// that tell conversations and the three kinds of tickets apart, a table layout with a Company
// column, and a search whose every filter lives in the URL, so that a search can be shared.
//
// A list region (#views-list) and the sidebar (#views-nav) are marked data-live-list: htmx asks
// for the same URL again, and the handler answers with just that region (HX-Target).

const (
	// viewsPageSize is how many rows a page of a list shows.
	viewsPageSize = 30
	// viewsCountCap is where a view's count stops, so that counting stays cheap: more shows as "999+".
	viewsCountCap = 999
	// viewsCompanyChoices bounds the companies the company filter offers.
	viewsCompanyChoices = 500
)

// viewRoutes adds the routes of views.go.
func (in *Inbox) viewRoutes(add route) {
	add("GET /inbox", in.viewsInbox)
	add("GET /inbox/views/{view}", in.viewsInbox)
	add("GET /inbox/search", in.viewsSearch)
}

// viewsPage is the inbox page (a view) and the search page.
type viewsPage struct {
	Page
	Heading string
	Sidebar viewsNav   // the inbox's views
	Form    *viewsForm // the search's filters
	List    viewsList
	New     *viewsNavItem // a view's own "new" action: "New tracker"
}

// viewsNav is the sidebar of views with their counts (IN4).
type viewsNav struct {
	URL   string // the page's own URL, for a live refresh
	Views []viewsNavItem
	Teams []viewsNavItem
}

type viewsNavItem struct {
	Label   string
	URL     string
	Count   string
	Current bool
}

// viewsList is one page of rows, in the list or table layout.
type viewsList struct {
	URL      string // this page of the list, for a live refresh and as a shareable link
	Caption  string
	Table    bool
	ListURL  string // the same in the list layout
	TableURL string // the same in the table layout
	Tabs     []viewsNavItem
	Rows     []viewsRow
	OlderURL string
	NewerURL string // the page before this one, when this is an older page
	FirstURL string // back to the newest, when this is an older page
	Empty    string
}

// viewsRow is a conversation or ticket as a list shows it (IN1, IN3).
type viewsRow struct {
	ID        int64
	URL       string
	Kind      string // conversation, customer, back-office, tracker: the icon
	KindLabel string // the icon's words
	Ref       string // a ticket's ID, or a conversation's id: "#12"
	Title     string
	Untitled  bool   // a conversation without a title: its Title says "Conversation #12", Ref too
	Preview   string // an untitled conversation's first message, when the newest part is another
	Type      string
	Contacts  string
	People    []viewsLink // the participants, at most three, to their pages
	More      string      // "+2": the participants not named
	Companies []viewsLink // to the companies' pages
	// MoreCompanies: a conversation's participants belong to more companies than shown.
	MoreCompanies bool
	State         string
	StateKey      string // for the state's colour
	Assignee      string
	Team          string
	LastLabel     string // the newest part's kind in words, and who
	LastText      string // a comment's or note's text
	LastISO       string
	LastAgo       string
	LastWhen      string
}

// viewsLink is a name that links to its page.
type viewsLink struct {
	Name, URL string
}

// viewsView is one inbox view: its filter and names.
type viewsView struct {
	key, label, heading string
	filter              store.InboxFilter
}

// viewsOf returns the views a teammate has: mine, unassigned, all, trackers, then each team.
func viewsOf(admin store.Admin, teams []store.Team) (fixed, perTeam []viewsView) {
	fixed = []viewsView{
		{"mine", "Mine", "Assigned to you", store.InboxFilter{AdminID: admin.ID}},
		{"unassigned", "Unassigned", "Unassigned", store.InboxFilter{Unassigned: true}},
		{"all", "All", "All conversations and tickets", store.InboxFilter{}},
		{"trackers", "Trackers", "Tracker tickets", store.InboxFilter{Kind: string(ticket.Tracker)}},
	}
	for _, t := range teams {
		perTeam = append(perTeam, viewsView{"team-" + strconv.FormatInt(t.ID, 10), t.Name, "Team " + t.Name,
			store.InboxFilter{TeamID: t.ID}})
	}
	return fixed, perTeam
}

// viewsStates are the state tabs of a view: what each shows.
var viewsStates = []struct {
	key, label string
	states     []conversation.State
}{
	{"open", "Open", []conversation.State{conversation.Open}},
	{"snoozed", "Snoozed", []conversation.State{conversation.Snoozed}},
	{"closed", "Closed", []conversation.State{conversation.Closed}},
	{"any", "All states", nil},
}

// viewsInbox is GET /inbox (the teammate's own view) and GET /inbox/views/{view}: a view's
// open items (or those in the state of its tab), newest activity first.
func (in *Inbox) viewsInbox(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	admin := currentAdmin(ctx)
	key := r.PathValue("view")
	if key == "" {
		key = "mine"
	}
	teams, err := in.db.Read().Teams(ctx)
	if err != nil {
		return err
	}
	fixed, perTeam := viewsOf(admin, teams)
	var view viewsView
	for _, v := range append(fixed, perTeam...) {
		if v.key == key {
			view = v
		}
	}
	if view.key == "" {
		in.notFound(w, r)
		return nil
	}
	query := r.URL.Query()
	state := viewsStates[0]
	for _, s := range viewsStates {
		if s.key == query.Get("state") {
			state = s
		}
	}
	filter := view.filter
	filter.States = state.states
	table := query.Get("layout") == "table"
	base := r.URL.Path
	stateParams := func(key string) url.Values {
		if key == viewsStates[0].key {
			return url.Values{}
		}
		return url.Values{"state": {key}}
	}
	params := stateParams(state.key)

	// A live refresh asks for one region (HX-Target): the sidebar or the list.
	target := r.Header.Get("HX-Target")
	var nav viewsNav
	if target != "views-list" {
		if nav, err = in.viewsNav(ctx, admin, fixed, perTeam, key); err != nil {
			return err
		}
		nav.URL = viewsURL(base, params, table, viewsCursorParams(query))
		if target == "views-nav" {
			in.renderPart(w, r, http.StatusOK, "inbox", "views-nav", nav)
			return nil
		}
	}
	list, err := in.viewsList(ctx, base, params, filter, table, viewsCursorParams(query))
	if err != nil {
		return err
	}
	list.Caption, list.Empty = view.heading, "Nothing here."
	if state.key != viewsStates[0].key {
		list.Empty = "Nothing " + strings.ToLower(state.label) + " here."
	}
	for _, s := range viewsStates {
		list.Tabs = append(list.Tabs, viewsNavItem{Label: s.label, URL: viewsURL(base, stateParams(s.key), table, nil),
			Current: s.key == state.key})
	}
	if target == "views-list" {
		in.renderPart(w, r, http.StatusOK, "inbox", "views-list", list)
		return nil
	}
	p := &viewsPage{Page: Page{Title: view.label, Nav: "inbox"}, Heading: view.heading, Sidebar: nav, List: list}
	if view.key == "trackers" {
		p.New = &viewsNavItem{Label: "New tracker", URL: "/inbox/tickets/new?category=Tracker"}
	}
	in.render(w, r, http.StatusOK, "inbox", p)
	return nil
}

// viewsForm is the search's filters as its form shows them (IN3).
type viewsForm struct {
	Text, Contact string
	// ContactID and ContactName: the contact the search is limited to (contact_id), shown as
	// a chip that RemoveContact takes away.
	ContactID     string
	ContactName   string
	RemoveContact string
	Table         bool
	Categories    viewsSelect
	Types         viewsSelect
	States        viewsSelect
	TicketStates  viewsSelect
	Assignees     viewsSelect
	Teams         viewsSelect
	Tags          viewsSelect
	Companies     viewsSelect
}

// viewsSelect is a labelled select of the search form.
type viewsSelect struct {
	ID, Name, Label string
	Options         []viewsOption
}

type viewsOption struct {
	Value, Label string
	Selected     bool
}

// viewsSearchQuery reads a search's URL query: the filter, and the query as it is written back
// (the values understood, in one order), so that the address of a search is stable.
func viewsSearchQuery(q url.Values) (store.InboxFilter, url.Values) {
	var f store.InboxFilter
	out := url.Values{}
	text := func(name string, to *string) {
		if v := strings.TrimSpace(q.Get(name)); v != "" {
			*to = v
			out.Set(name, v)
		}
	}
	id := func(name string, to *int64) bool {
		n, err := strconv.ParseInt(q.Get(name), 10, 64)
		if err != nil || n <= 0 {
			return false
		}
		*to = n
		out.Set(name, q.Get(name))
		return true
	}
	text("q", &f.Text)
	text("contact", &f.Contact)
	if kind, slug, ok := viewsCategory(q.Get("category")); ok {
		f.Kind = kind
		out.Set("category", slug)
	}
	id("type", &f.TypeID)
	switch s := conversation.State(q.Get("state")); s {
	case conversation.Open, conversation.Snoozed, conversation.Closed:
		f.States = []conversation.State{s}
		out.Set("state", string(s))
	}
	id("ticket_state", &f.TicketStateID)
	if q.Get("assignee") == "none" {
		f.Unassigned = true
		out.Set("assignee", "none")
	} else {
		id("assignee", &f.AdminID)
	}
	if q.Get("team") == "none" {
		f.NoTeam = true
		out.Set("team", "none")
	} else {
		id("team", &f.TeamID)
	}
	id("contact_id", &f.ContactID)
	id("tag", &f.TagID)
	id("company", &f.CompanyID)
	return f, out
}

// viewsCategories are the search's categories: the value in its URL, the filter's kind, and
// the words of the form.
var viewsCategories = []struct{ slug, kind, label string }{
	{"conversation", "conversation", "Conversation"},
	{"customer", string(ticket.Customer), "Customer ticket"},
	{"back-office", string(ticket.BackOffice), "Back-office ticket"},
	{"tracker", string(ticket.Tracker), "Tracker ticket"},
}

// viewsCategory reads a category of the search's URL: written in lower case ("back-office"),
// as the search writes it, or as the API names it ("Back-office"), in any case.
func viewsCategory(s string) (kind, slug string, ok bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	if cat, found := ticket.ParseCategory(s); found {
		s = string(cat)
	}
	for _, c := range viewsCategories {
		if strings.EqualFold(s, c.kind) {
			return c.kind, c.slug, true
		}
	}
	return "", "", false
}

// viewsSearch is GET /inbox/search: conversations and tickets by text, category, type, state,
// assignee, team, contact, tag and company, combined; every filter is in the URL.
func (in *Inbox) viewsSearch(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	query := r.URL.Query()
	filter, params := viewsSearchQuery(query)
	table := query.Get("layout") == "table"
	list, err := in.viewsList(ctx, r.URL.Path, params, filter, table, viewsCursorParams(query))
	if err != nil {
		return err
	}
	list.Caption = "Search results"
	list.Empty = "Nothing matches these filters."
	if r.Header.Get("HX-Target") == "views-list" {
		if r.Header.Get("HX-Trigger") == "views-search" {
			// The form asked: the address bar shows the search, written as a link would be, in
			// a new history entry unless it shows it already (a Search click after a change).
			push := list.URL
			if cur, err := url.Parse(r.Header.Get("HX-Current-URL")); err == nil && cur.RequestURI() == list.URL {
				push = "false"
			}
			w.Header().Set("HX-Push-Url", push)
		}
		in.renderPart(w, r, http.StatusOK, "search", "views-list", list)
		return nil
	}
	form, err := in.viewsFormFor(ctx, params, table)
	if err != nil {
		return err
	}
	in.render(w, r, http.StatusOK, "search", &viewsPage{Page: Page{Title: "Search", Nav: "search"},
		Heading: "Search", Form: &form, List: list})
	return nil
}

// viewsFormFor fills the search form's choices, with the values of params selected.
func (in *Inbox) viewsFormFor(ctx context.Context, params url.Values, table bool) (viewsForm, error) {
	db := in.db.Read()
	form := viewsForm{Text: params.Get("q"), Contact: params.Get("contact"), Table: table}
	options := func(name, label string, pairs ...string) viewsSelect {
		sel := viewsSelect{ID: "views-" + strings.ReplaceAll(name, "_", "-"), Name: name, Label: label,
			Options: []viewsOption{{Value: "", Label: "Any", Selected: params.Get(name) == ""}}}
		for i := 0; i+1 < len(pairs); i += 2 {
			sel.Options = append(sel.Options, viewsOption{Value: pairs[i], Label: pairs[i+1], Selected: params.Get(name) == pairs[i]})
		}
		return sel
	}
	var pairs []string
	for _, c := range viewsCategories {
		pairs = append(pairs, c.slug, c.label)
	}
	form.Categories = options("category", "Category", pairs...)
	form.States = options("state", "Status", "open", "Open", "snoozed", "Snoozed", "closed", "Closed")

	types, err := db.TicketTypes(ctx)
	if err != nil {
		return form, err
	}
	pairs = nil
	for _, t := range types {
		label := t.Name + " (" + string(t.Category) + ")"
		if t.Archived {
			label += ", archived"
		}
		pairs = append(pairs, strconv.FormatInt(t.ID, 10), label)
	}
	form.Types = options("type", "Ticket type", pairs...)

	states, err := db.TicketStates(ctx)
	if err != nil {
		return form, err
	}
	pairs = nil
	for _, s := range states {
		pairs = append(pairs, strconv.FormatInt(s.ID, 10), s.InternalLabel)
	}
	form.TicketStates = options("ticket_state", "Ticket state", pairs...)

	admins, err := db.Admins(ctx)
	if err != nil {
		return form, err
	}
	pairs = []string{"none", "Unassigned"}
	for _, a := range admins {
		// Deactivated teammates stay: what they still hold is found here to be reassigned.
		name := a.Name
		if !a.Active() {
			name += " (deactivated)"
		}
		pairs = append(pairs, strconv.FormatInt(a.ID, 10), name)
	}
	form.Assignees = options("assignee", "Assignee", pairs...)

	teams, err := db.Teams(ctx)
	if err != nil {
		return form, err
	}
	pairs = []string{"none", "No team"}
	for _, t := range teams {
		pairs = append(pairs, strconv.FormatInt(t.ID, 10), t.Name)
	}
	form.Teams = options("team", "Team", pairs...)

	tags, err := db.Tags(ctx)
	if err != nil {
		return form, err
	}
	pairs = nil
	for _, t := range tags {
		pairs = append(pairs, strconv.FormatInt(t.ID, 10), t.Name)
	}
	form.Tags = options("tag", "Tag", pairs...)

	companies, err := db.InboxCompanies(ctx, viewsCompanyChoices)
	if err != nil {
		return form, err
	}
	pairs = nil
	chosen := params.Get("company")
	for _, c := range companies {
		id := strconv.FormatInt(c.ID, 10)
		if id == chosen {
			chosen = ""
		}
		pairs = append(pairs, id, c.Name)
	}
	if chosen != "" { // a company past the first ones offered
		id, _ := strconv.ParseInt(chosen, 10, 64)
		if c, err := db.Company(ctx, id); err == nil {
			name := c.CompanyID
			if c.Name.Valid && c.Name.String != "" {
				name = c.Name.String
			}
			pairs = append(pairs, chosen, name)
		}
	}
	form.Companies = options("company", "Company", pairs...)

	if id := params.Get("contact_id"); id != "" {
		n, _ := strconv.ParseInt(id, 10, 64)
		c, err := db.Contact(ctx, n)
		switch {
		case err == nil:
			form.ContactName = peopleContactName(c)
		case errors.Is(err, store.ErrNotFound):
			form.ContactName = "Contact " + id + " (deleted)"
		default:
			return form, err
		}
		form.ContactID = id
		rest := url.Values{}
		for k, v := range params {
			if k != "contact_id" {
				rest[k] = v
			}
		}
		form.RemoveContact = viewsURL("/inbox/search", rest, form.Table, nil)
	}
	return form, nil
}

// viewsNav builds the sidebar: every view with its count of open items, in one query.
func (in *Inbox) viewsNav(ctx context.Context, admin store.Admin, fixed, perTeam []viewsView, current string) (viewsNav, error) {
	teamIDs := make([]int64, len(perTeam))
	for i, v := range perTeam {
		teamIDs[i] = v.filter.TeamID
	}
	counts, err := in.db.Read().InboxCounts(ctx, admin.ID, teamIDs, viewsCountCap)
	if err != nil {
		return viewsNav{}, err
	}
	var nav viewsNav
	for _, v := range fixed {
		n := map[string]int{"mine": counts.Mine, "unassigned": counts.Unassigned, "all": counts.All, "trackers": counts.Trackers}[v.key]
		nav.Views = append(nav.Views, viewsNavItem{Label: v.label, URL: "/inbox/views/" + v.key, Count: viewsCount(n), Current: v.key == current})
	}
	for _, v := range perTeam {
		nav.Teams = append(nav.Teams, viewsNavItem{Label: v.label, URL: "/inbox/views/" + v.key,
			Count: viewsCount(counts.Teams[v.filter.TeamID]), Current: v.key == current})
	}
	return nav, nil
}

// viewsCount writes a count, "999+" past the cap.
func viewsCount(n int) string {
	plus := ""
	if n > viewsCountCap {
		n, plus = viewsCountCap, "+"
	}
	return strconv.Itoa(n) + plus
}

// viewsURL is path with params, the layout and the cursor (before or after, from
// viewsCursorParams): a list's shareable address.
func viewsURL(path string, params url.Values, table bool, cursor url.Values) string {
	p := url.Values{}
	for k, v := range params {
		p[k] = v
	}
	if table {
		p.Set("layout", "table")
	}
	for k, v := range cursor {
		p[k] = v
	}
	if len(p) == 0 {
		return path
	}
	return path + "?" + p.Encode()
}

// viewsCursorParams keeps the cursor of a list's query: before (an older page) or after (a
// newer one).
func viewsCursorParams(q url.Values) url.Values {
	for _, k := range []string{"before", "after"} {
		if v := q.Get(k); v != "" {
			return url.Values{k: {v}}
		}
	}
	return nil
}

// viewsCursorOf writes the cursor of a row, as viewsCursor reads it.
func viewsCursorOf(it store.InboxItem) string {
	c := it.Cursor()
	return fmt.Sprintf("%d-%d", c.UpdatedAt, c.ID)
}

// viewsList loads one page of filter's rows: the newest, those older than the cursor in
// cursor's "before", or those newer than its "after" (the page before an older page). It never
// counts: one row more than a page tells whether another page follows. A newer page that
// would not be full is the newest page.
func (in *Inbox) viewsList(ctx context.Context, path string, params url.Values, filter store.InboxFilter, table bool, cursor url.Values) (viewsList, error) {
	db := in.db.Read()
	var items []store.InboxItem
	var err error
	newerPage := false
	older, olderOK := viewsCursor(cursor.Get("before"))
	newer, newerOK := viewsCursor(cursor.Get("after"))
	switch {
	case olderOK:
		cursor = url.Values{"before": {cursor.Get("before")}}
	case newerOK:
		if items, err = db.InboxPageNewer(ctx, filter, newer, viewsPageSize+1); err != nil {
			return viewsList{}, err
		}
		newerPage = len(items) > viewsPageSize
		cursor = url.Values{"after": {cursor.Get("after")}}
		if !newerPage {
			cursor = nil
		}
	default:
		cursor = nil
	}
	if !newerPage {
		if items, err = db.InboxPage(ctx, filter, older, viewsPageSize+1); err != nil {
			return viewsList{}, err
		}
	}
	list := viewsList{URL: viewsURL(path, params, table, cursor), Table: table,
		ListURL: viewsURL(path, params, false, cursor), TableURL: viewsURL(path, params, true, cursor)}
	at := func(key string, it store.InboxItem) string {
		return viewsURL(path, params, table, url.Values{key: {viewsCursorOf(it)}})
	}
	if newerPage {
		items = items[1:] // the one more is the newest, beyond this page
		list.OlderURL = at("before", items[len(items)-1])
	} else if len(items) > viewsPageSize {
		items = items[:viewsPageSize]
		list.OlderURL = at("before", items[len(items)-1])
	}
	if cursor != nil {
		list.FirstURL = viewsURL(path, params, table, nil)
		if len(items) > 0 {
			list.NewerURL = at("after", items[0])
		}
	}
	now := in.clock.Now()
	for _, it := range items {
		list.Rows = append(list.Rows, viewsRowOf(it, now))
	}
	return list, nil
}

// viewsCursor reads a cursor written as "UPDATED-ID".
func viewsCursor(s string) (store.InboxCursor, bool) {
	at, id, ok := strings.Cut(s, "-")
	if !ok {
		return store.InboxCursor{}, false
	}
	u, err1 := strconv.ParseInt(at, 10, 64)
	n, err2 := strconv.ParseInt(id, 10, 64)
	if err1 != nil || err2 != nil || n <= 0 {
		return store.InboxCursor{}, false
	}
	return store.InboxCursor{UpdatedAt: u, ID: n}, true
}

// viewsRowOf is what a row shows of it.
func viewsRowOf(it store.InboxItem, now time.Time) viewsRow {
	row := viewsRow{ID: it.ID, Type: it.TypeName, Assignee: "Unassigned", Team: it.TeamAssignee, Title: it.Title,
		MoreCompanies: it.MoreCompanies}
	if it.AdminAssignee != "" {
		row.Assignee = it.AdminAssignee
	}
	id := strconv.FormatInt(it.ID, 10)
	if it.IsTicket {
		row.URL = "/inbox/tickets/" + id
		row.Ref = "#" + strconv.FormatInt(it.Number, 10)
		row.State, row.StateKey = it.TicketState, string(it.TicketStateCategory)
		if it.State != conversation.Open {
			row.State += " · " + stateWord(it.State)
		}
		switch it.Category {
		case ticket.Customer:
			row.Kind, row.KindLabel = "customer", "Customer ticket"
		case ticket.BackOffice:
			row.Kind, row.KindLabel = "back-office", "Back-office ticket"
		default:
			row.Kind, row.KindLabel = "tracker", "Tracker ticket"
		}
		if row.Title == "" {
			row.Title = viewsExcerpt(it.SourceBody, 80)
		}
		if row.Title == "" {
			row.Title = "(no title)"
		}
	} else {
		row.URL = "/inbox/conversations/" + id
		row.Ref = "#" + id
		row.Kind, row.KindLabel = "conversation", "Conversation"
		row.State, row.StateKey = stateWord(it.State), string(it.State)
		if row.Title == "" {
			// Its first message shows once: as the newest part, or else under the title.
			row.Title, row.Untitled = "Conversation #"+id, true
			if it.Last != nil {
				row.Preview = viewsExcerpt(it.SourceBody, 140)
			}
		}
	}
	for _, c := range it.Companies {
		row.Companies = append(row.Companies, viewsLink{Name: c.Name, URL: "/inbox/companies/" + strconv.FormatInt(c.ID, 10)})
	}
	var names []string
	for i, c := range it.Contacts {
		if i == 3 {
			row.More = fmt.Sprintf("+%d", len(it.Contacts)-3)
			names = append(names, row.More)
			break
		}
		name := c.Name
		if name == "" {
			name = c.Email
		}
		if name == "" {
			name = "Contact " + strconv.FormatInt(c.ID, 10)
		}
		names = append(names, name)
		row.People = append(row.People, viewsLink{Name: name, URL: "/inbox/contacts/" + strconv.FormatInt(c.ID, 10)})
	}
	row.Contacts = strings.Join(names, ", ")

	at := it.CreatedAt
	if p := it.Last; p != nil {
		at = p.CreatedAt
		row.LastLabel = viewsPartWords(*p)
		if p.Type == conversation.PartComment || p.Type == conversation.PartNote {
			row.LastText = viewsExcerpt(p.Body, 140)
		}
	} else {
		row.LastLabel = "Message"
		if len(row.People) > 0 {
			row.LastLabel += " from " + row.People[0].Name
		}
		row.LastText = viewsExcerpt(it.SourceBody, 140)
	}
	row.LastISO = at.UTC().Format(time.RFC3339)
	row.LastAgo = ago(now, at)
	row.LastWhen = at.UTC().Format("2 Jan 2006, 15:04 UTC")
	return row
}

// viewsPartWords says what the newest part of a thread is, and who wrote it.
func viewsPartWords(p store.InboxPart) string {
	by := ""
	if p.Author != "" {
		by = " by " + p.Author
	}
	switch p.Type {
	case conversation.PartComment:
		if p.AuthorType == conversation.AuthorAdmin || p.AuthorType == conversation.AuthorBot {
			return "Reply" + by
		}
		if p.Author != "" {
			return "Message from " + p.Author
		}
		return "Message"
	case conversation.PartNote:
		return "Note" + by
	case conversation.PartAssignment:
		if p.AssignedTo == "" {
			return "Unassigned" + by
		}
		return "Assigned to " + p.AssignedTo + by
	case conversation.PartClose:
		return "Closed" + by
	case conversation.PartOpen:
		return "Reopened" + by
	case conversation.PartSnoozed:
		return "Snoozed" + by
	case conversation.PartUnsnooze:
		return "Snooze ended"
	case conversation.PartParticipantAdded:
		return "Participant added" + by
	case conversation.PartParticipantRemoved:
		return "Participant removed" + by
	case conversation.PartTitleChanged:
		return "Title changed" + by
	case conversation.PartStateChanged:
		if p.ToState != "" {
			return "State changed to " + p.ToState + by
		}
		return "State changed" + by
	case conversation.PartTicketCreated:
		return "Ticket created" + by
	case conversation.PartLinked:
		return "Linked" + by
	case conversation.PartUnlinked:
		return "Unlinked" + by
	case conversation.PartLinkedStateChanged:
		if p.ToState != "" {
			return "Linked ticket now " + p.ToState
		}
		return "Linked ticket changed state"
	case "ticket_attribute_updated_by_admin":
		return "Attribute updated" + by
	case "ticket_type_changed":
		return "Type changed" + by
	case "ticket_form":
		return "Ticket form sent" + by
	}
	words := strings.ReplaceAll(string(p.Type), "_", " ")
	if words == "" {
		return "Update"
	}
	return strings.ToUpper(words[:1]) + words[1:] + by
}

// viewsStrict keeps only the text of stored HTML (its output is escaped text).
var viewsStrict = bluemonday.StrictPolicy()

// viewsBlockEnds put a space where a block of stored HTML ends, so that words do not run on.
var viewsBlockEnds = strings.NewReplacer("<br>", " ", "<br/>", " ", "<br />", " ", "</p>", "</p> ", "</li>", "</li> ",
	"</div>", "</div> ", "</blockquote>", "</blockquote> ", "</pre>", "</pre> ", "</h1>", "</h1> ", "</h2>", "</h2> ",
	"</h3>", "</h3> ", "</td>", "</td> ", "</tr>", "</tr> ")

// viewsExcerpt is the text of stored HTML on one line, at most n characters.
func viewsExcerpt(body string, n int) string {
	s := html.UnescapeString(viewsStrict.Sanitize(viewsBlockEnds.Replace(body)))
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:n-1])) + "…"
}
