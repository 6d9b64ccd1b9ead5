package inbox

// thread.go: a conversation's page and a ticket's page (SPEC IN2, ST2, ST3, BO2, BO3, BO9, BO12,
// CO1-CO3, CV2, CV3). Every change calls package desk, which applies the rules; a refusal shows
// the rule's message next to the control that asked, and changes nothing.
//
// A change answers with the page again: the page's main for htmx (the forms target #main), a
// redirect to the page for a plain form, and status 422 with the page and the message when desk
// refuses. Regions that others' changes refresh (IN5) carry data-live-conversation and fetch
// themselves again from {page}/live/{region}.

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"html/template"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/microcosm-cc/bluemonday"

	"github.com/helpdesk/helpdesk/internal/conversation"
	"github.com/helpdesk/helpdesk/internal/desk"
	"github.com/helpdesk/helpdesk/internal/notify"
	"github.com/helpdesk/helpdesk/internal/store"
	"github.com/helpdesk/helpdesk/internal/ticket"
	"github.com/helpdesk/helpdesk/internal/web"
)

func init() {
	// threadHTML shows HTML that is stored sanitised, sanitised again on the way out.
	featureFuncs["threadHTML"] = func(*Inbox) any {
		return func(s string) template.HTML { return template.HTML(threadUGC.Sanitize(s)) }
	}
}

// threadRoutes adds the routes of thread.go.
func (in *Inbox) threadRoutes(add route) {
	// A ticket (IN2).
	add("GET /inbox/tickets/{id}", in.threadShow(true))
	add("GET /inbox/tickets/{id}/live/{region}", in.threadRegion)
	add("GET /inbox/tickets/{id}/earlier", in.threadEarlier)
	add("POST /inbox/tickets/{id}/title", in.threadTitle)
	add("POST /inbox/tickets/{id}/description", in.threadDescription)
	add("POST /inbox/tickets/{id}/attributes", in.threadAttribute)
	add("POST /inbox/tickets/{id}/state", in.threadState)
	add("POST /inbox/tickets/{id}/open", in.threadTicketOpen)
	add("POST /inbox/tickets/{id}/reply", in.threadTicketReply)
	add("POST /inbox/tickets/{id}/company", in.threadCompany)
	add("POST /inbox/tickets/{id}/assign", in.threadTicketAssign)
	add("POST /inbox/tickets/{id}/tags", in.threadTag(true))
	add("POST /inbox/tickets/{id}/tags/{tag}/remove", in.threadUntag(true))
	add("POST /inbox/tickets/{id}/unlink/{conversation}", in.threadUnlink)
	// A conversation.
	add("GET /inbox/conversations/{id}", in.threadShow(false))
	add("GET /inbox/conversations/{id}/live/{region}", in.threadRegion)
	add("GET /inbox/conversations/{id}/earlier", in.threadEarlier)
	add("POST /inbox/conversations/{id}/reply", in.threadConversationReply)
	add("POST /inbox/conversations/{id}/assign", in.threadConversationAssign)
	add("POST /inbox/conversations/{id}/snooze", in.threadSnooze)
	add("POST /inbox/conversations/{id}/close", in.threadClose)
	add("POST /inbox/conversations/{id}/open", in.threadReopen)
	add("POST /inbox/conversations/{id}/tags", in.threadTag(false))
	add("POST /inbox/conversations/{id}/tags/{tag}/remove", in.threadUntag(false))
	// The preview of a linked conversation or ticket (BO12).
	add("GET /inbox/preview/{id}", in.threadPreview)
	add("POST /inbox/conversations/{id}/link-back-office", in.threadLinkBackOffice)
	add("POST /inbox/tickets/{id}/link-back-office", in.threadLinkBackOffice)
}

// threadPartsPerPage is how many parts of a timeline a page shows at once; "Show earlier" loads
// the ones before.
const threadPartsPerPage = 50

// threadLinksShown is how many linked objects the sidebar lists (a tracker may have 100,000:
// its own page lists them all).
const threadLinksShown = 25

// threadPreviewParts is how many of its newest parts a preview shows, after its first message.
const threadPreviewParts = 4

// threadUGC is what may stay of stored HTML shown on the pages: bodies and descriptions.
var threadUGC = bluemonday.UGCPolicy()

// threadPlain reads the text of stored HTML, for one-line excerpts.
var threadPlain = bluemonday.StrictPolicy()

// threadPage is a conversation's or a ticket's page.
type threadPage struct {
	Page
	ID       int64
	IsTicket bool
	Base     string // the page's path: /inbox/tickets/ID or /inbox/conversations/ID
	Heading  string
	Conv     threadConv
	Ticket   *threadTicket // nil on a conversation's page
	// Tracker is the tracker a conversation is linked to (TR2: at most one), instead of the
	// "Link to tracker" action; nil when it has none.
	Tracker  *threadRef
	Timeline threadTimeline
	Composer threadComposer
	Side     threadSide
	// Errors are refusals by the control they answer: title, description, attr:NAME, state,
	// open, composer, company, assignee, team, tags, links, snooze, close.
	Errors map[string]string
	// Editing names the in-place editor left open by a refusal ("title", "description"), with
	// what the teammate had written.
	Editing          string
	TitleInput       string
	DescriptionInput string // HTML, sanitised
}

// threadConv is what the head of a conversation's page says of it.
type threadConv struct {
	State        conversation.State
	SnoozedUntil time.Time
	Title        string
}

// threadTicket is what a ticket's page shows of the ticket (IN2).
type threadTicket struct {
	Number      int64
	Category    ticket.Category
	TypeName    string
	Shared      bool
	Open        bool // ST3: open or closed, apart from its state
	Title       string
	Description template.HTML
	State       ticket.State
	States      []ticket.State // those it may move to (not archived)
	Attributes  []threadAttr
}

// Icon names the category's icon class.
func (t threadTicket) Icon() string { return threadIcon(true, t.Category) }

// BackOffice, Tracker and Customer tell the category.
func (t threadTicket) BackOffice() bool { return t.Category == ticket.BackOffice }
func (t threadTicket) Tracker() bool    { return t.Category == ticket.Tracker }
func (t threadTicket) Customer() bool   { return t.Category == ticket.Customer }

// threadAttr is one custom attribute in the middle panel, as a form control.
type threadAttr struct {
	Name     string
	Help     string
	Input    string          // text, textarea, number, boolean, datetime, select, multiselect, files
	Value    string          // boolean: "true", "false", or "" for unset
	Selected map[string]bool // multiselect
	Options  []string
	Required bool
	FieldID  string
	Action   string // where its form posts
	Error    string
}

// threadTimeline is a page of a timeline, oldest first.
type threadTimeline struct {
	ID      int64
	Base    string
	Opening *threadPart // the conversation's first message, on the first page
	Parts   []threadPart
	Earlier int64 // the oldest part shown, when there are parts before it; 0: none
}

// threadPart is one entry of a timeline, in words.
type threadPart struct {
	ID         int64
	Kind       string // comment, note, event
	Author     string
	ByCustomer bool
	Body       template.HTML
	// An event reads Text, Ref, Tail.
	Text string
	Ref  *threadRef
	Tail string
	// From is the ticket a cross-posted note or a broadcast comes from (BO3, TR4).
	From     *threadRef
	FromWord string
	// CrossPosted: a Back-office ticket's note that went to its links too (BO3).
	CrossPosted bool
	At          time.Time
}

// ISO is the part's time for <time datetime>.
func (p threadPart) ISO() string { return p.At.UTC().Format(time.RFC3339) }

// threadRef names another conversation or ticket, with a link to its page.
type threadRef struct {
	ID    int64
	URL   string
	Label string
}

// threadComposer is the form that adds comments and notes.
type threadComposer struct {
	Base  string
	Mode  string // reply (comment or note), notes (notes only), backoffice (note or cross-post: BO2, BO3)
	Body  string
	Error string
}

// threadSide is the right-hand sidebar: people, company (tickets), assignment, tags, links.
type threadSide struct {
	ID         int64
	IsTicket   bool
	Tracker    bool // a tracker has no people or company of its own (TR1)
	BackOffice bool // a Back-office ticket links to conversations and Customer tickets from here
	Base       string
	People     []threadPerson
	// The company picker (CO2, CO3): the participants' companies.
	Companies   []threadOption
	CompanyID   int64
	CompanyHint string
	Admins      []threadOption
	Teams       []threadOption
	Tags        []store.Tag
	OtherTags   []store.Tag
	CanTag      bool // conversations, and tickets shared with the customer (BO9)
	Links       []threadLink
	MoreLinks   int
	Errors      map[string]string
}

type threadPerson struct {
	ID        int64
	Name      string
	Email     string
	Companies string
}

type threadOption struct {
	ID       int64
	Name     string
	Selected bool
}

// threadLink is one linked object in the Links section (BO12): the other end of a link.
type threadLink struct {
	TicketID       int64 // the Back-office or Tracker ticket of the link
	ConversationID int64 // the conversation or Customer ticket it links to
	Other          threadRef
	Icon           string
	State          string
	Shared         bool // the other end is the Back-office ticket shared with the customer (BO6, BO7)
}

// threadPreview is the preview of a linked conversation or ticket (BO12): what it is about (the
// customer's first message, a ticket's description), then its newest parts.
type threadPreview struct {
	Ref         threadRef
	Noun        string
	Icon        string
	State       string
	Opening     *threadPart
	Description template.HTML
	Earlier     bool // there are parts between the opening and those shown
	Parts       []threadPart
}

// threadIcon names the icon class of a conversation or a ticket's category (IN1).
func threadIcon(isTicket bool, c ticket.Category) string {
	switch {
	case !isTicket:
		return "conversation"
	case c == ticket.BackOffice:
		return "backoffice"
	case c == ticket.Tracker:
		return "tracker"
	}
	return "customer"
}

// threadPath is the page of a conversation or ticket.
func threadPath(id int64, isTicket bool) string {
	if isTicket {
		return fmt.Sprintf("/inbox/tickets/%d", id)
	}
	return fmt.Sprintf("/inbox/conversations/%d", id)
}

// threadID reads the {id} of the path; a malformed one is not found.
func threadID(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, store.ErrNotFound
	}
	return id, nil
}

// threadShow serves a ticket's page (isTicket) or a conversation's. A conversation converted
// into a ticket, or an id of the other kind, goes to its own page.
func (in *Inbox) threadShow(isTicket bool) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := threadID(r, "id")
		if err != nil {
			return err
		}
		p, err := in.threadLoad(r.Context(), id, 0)
		if err != nil {
			return err
		}
		if p.IsTicket != isTicket {
			http.Redirect(w, r, p.Base, http.StatusSeeOther)
			return nil
		}
		in.threadRender(w, r, http.StatusOK, p)
		return nil
	}
}

func (in *Inbox) threadRender(w http.ResponseWriter, r *http.Request, status int, p *threadPage) {
	name := "conversation"
	if p.IsTicket {
		name = "ticket"
	}
	in.render(w, r, status, name, p)
}

// threadRegion serves one live region of a page, fresh (IN5): head, details, timeline, side.
func (in *Inbox) threadRegion(w http.ResponseWriter, r *http.Request) error {
	id, err := threadID(r, "id")
	if err != nil {
		return err
	}
	region := r.PathValue("region")
	if !slices.Contains([]string{"head", "details", "timeline", "side"}, region) {
		return store.ErrNotFound
	}
	p, err := in.threadLoad(r.Context(), id, 0)
	if err != nil {
		return err
	}
	if p.IsTicket != strings.HasPrefix(r.URL.Path, "/inbox/tickets/") {
		// The conversation became a ticket (a customer submitted a form, a teammate converted
		// it): its page is the ticket's now, which has regions the conversation's has not.
		w.Header().Set("HX-Redirect", p.Base)
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	var data any = p
	switch region {
	case "timeline":
		data = p.Timeline
	case "side":
		data = p.Side
	case "details":
		if p.Ticket == nil {
			return store.ErrNotFound
		}
	}
	in.renderPart(w, r, http.StatusOK, "ticket", "thread-"+region, data)
	return nil
}

// threadEarlier serves the parts of a timeline before ?before=, for "Show earlier".
func (in *Inbox) threadEarlier(w http.ResponseWriter, r *http.Request) error {
	id, err := threadID(r, "id")
	if err != nil {
		return err
	}
	before, err := strconv.ParseInt(r.URL.Query().Get("before"), 10, 64)
	if err != nil || before <= 0 {
		return store.ErrNotFound
	}
	p, err := in.threadLoad(r.Context(), id, before)
	if err != nil {
		return err
	}
	in.renderPart(w, r, http.StatusOK, "ticket", "thread-parts", p.Timeline)
	return nil
}

// threadPreview serves the preview of a conversation or ticket: its title, state, first message
// and newest parts (BO12).
func (in *Inbox) threadPreview(w http.ResponseWriter, r *http.Request) error {
	id, err := threadID(r, "id")
	if err != nil {
		return err
	}
	ctx := r.Context()
	q := in.db.Read()
	heads, err := q.ThreadHeads(ctx, id)
	if err != nil {
		return err
	}
	h, ok := heads[id]
	if !ok {
		return store.ErrNotFound
	}
	if r.Header.Get("HX-Request") != "true" {
		http.Redirect(w, r, threadPath(h.ID, h.IsTicket), http.StatusSeeOther) // the whole thing, then
		return nil
	}
	c, err := q.Conversation(ctx, id)
	if err != nil {
		return err
	}
	parts, err := q.ThreadPartsBefore(ctx, id, 0, threadPreviewParts+1)
	if err != nil {
		return err
	}
	pv := threadPreview{Ref: threadRefOf(h), Icon: threadIcon(h.IsTicket, h.Category), State: threadHeadState(h), Noun: "conversation"}
	if pv.Earlier = len(parts) > threadPreviewParts; pv.Earlier {
		parts = parts[:threadPreviewParts]
	}
	slices.Reverse(parts)
	// The message that opened it, as its page shows it first (a ticket made as a ticket has none).
	named := parts
	var opening *conversation.Part
	if c.Source.Type != "ticket" && strings.TrimSpace(c.Source.Body) != "" {
		opening = &conversation.Part{Type: conversation.PartComment, Body: c.Source.Body, Author: c.Source.Author, CreatedAt: c.CreatedAt}
		named = append([]conversation.Part{*opening}, parts...)
	}
	l, err := in.threadLookups(ctx, q, id, named, nil)
	if err != nil {
		return err
	}
	if opening != nil {
		o := l.part(*opening)
		pv.Opening = &o
	}
	if h.IsTicket {
		pv.Noun = "ticket"
		tk, err := q.Ticket(ctx, id)
		if err != nil {
			return err
		}
		pv.Description = template.HTML(threadUGC.Sanitize(tk.Description))
	}
	for _, p := range parts {
		pv.Parts = append(pv.Parts, l.part(p))
	}
	in.renderPart(w, r, http.StatusOK, "ticket", "thread-preview", pv)
	return nil
}

// threadLookup holds what the parts of a page name, each loaded in one query: teammates, teams,
// contacts, the other conversations and tickets, states, companies and attribute changes.
type threadLookup struct {
	id        int64 // the page's conversation or ticket
	admins    map[int64]store.Admin
	teams     map[int64]store.Team
	contacts  map[int64]store.Contact
	heads     map[int64]store.ThreadHead
	states    ticket.States
	companies map[int64]store.Company
	changes   map[int64]store.AttributeChange
	typ       *ticket.Type // the ticket's type, for the attributes its changes name
	// Of the page's own links (BO12).
	links []store.Link
	total int
	// The participants' companies (CO2).
	contactCompanies map[int64][]int64
	admin            []store.Admin
	team             []store.Team
}

// threadLookups loads what parts (and, for a whole page, c and its links) name.
func (in *Inbox) threadLookups(ctx context.Context, q *store.Q, id int64, parts []conversation.Part, tk *ticket.Ticket) (*threadLookup, error) {
	l := &threadLookup{id: id, admins: map[int64]store.Admin{}, teams: map[int64]store.Team{}}
	var err error
	if l.admin, err = q.Admins(ctx); err != nil {
		return nil, err
	}
	for _, a := range l.admin {
		l.admins[a.ID] = a
	}
	if l.team, err = q.Teams(ctx); err != nil {
		return nil, err
	}
	for _, t := range l.team {
		l.teams[t.ID] = t
	}
	if l.states, err = q.TicketStates(ctx); err != nil {
		return nil, err
	}
	var contactIDs, headIDs, companyIDs []int64
	for _, p := range parts {
		if p.Author.IsContact() {
			contactIDs = append(contactIDs, p.Author.ID)
		}
		if p.SourceTicketID != 0 {
			headIDs = append(headIDs, p.SourceTicketID)
		}
	}
	if tk != nil {
		l.typ = &tk.Type
		if l.changes, err = q.AttributeChanges(ctx, id); err != nil {
			return nil, err
		}
		for _, c := range l.changes {
			if c.Label == "Company" {
				if f, ok := c.Value.(float64); ok {
					companyIDs = append(companyIDs, int64(f))
				}
			}
		}
	}
	l.heads, err = q.ThreadHeads(ctx, headIDs...)
	if err != nil {
		return nil, err
	}
	if l.contacts, err = q.ContactsByID(ctx, contactIDs); err != nil {
		return nil, err
	}
	if l.companies, err = q.ThreadCompanies(ctx, companyIDs...); err != nil {
		return nil, err
	}
	return l, nil
}

// threadLoad loads a conversation's or ticket's page; before pages the timeline (0: the newest).
func (in *Inbox) threadLoad(ctx context.Context, id, before int64) (*threadPage, error) {
	q := in.db.Read()
	c, err := q.Conversation(ctx, id)
	if err != nil {
		return nil, err
	}
	var tk *ticket.Ticket
	if c.IsTicket {
		t, err := q.Ticket(ctx, id)
		if err != nil {
			return nil, err
		}
		tk, c = &t, t.Conversation
	}
	parts, err := q.ThreadPartsBefore(ctx, id, before, threadPartsPerPage+1)
	if err != nil {
		return nil, err
	}
	more := len(parts) > threadPartsPerPage
	if more {
		parts = parts[:threadPartsPerPage]
	}
	slices.Reverse(parts)
	l, err := in.threadLookups(ctx, q, id, parts, tk)
	if err != nil {
		return nil, err
	}
	// What the page's own head and sidebar name, loaded in the same few queries.
	if l.links, l.total, err = q.LinkedObjects(ctx, id, threadLinksShown); err != nil {
		return nil, err
	}
	var others []int64
	for _, k := range l.links {
		others = append(others, threadOtherEnd(k, id))
	}
	moreHeads, err := q.ThreadHeads(ctx, others...)
	if err != nil {
		return nil, err
	}
	for k, v := range moreHeads {
		l.heads[k] = v
	}
	people := slices.Clone(c.ContactIDs)
	if a := c.Source.Author; a.IsContact() {
		people = append(people, a.ID)
	}
	contacts, err := q.ContactsByID(ctx, people)
	if err != nil {
		return nil, err
	}
	for k, v := range contacts {
		l.contacts[k] = v
	}
	if l.contactCompanies, err = q.CompanyIDsOfContacts(ctx, c.ContactIDs...); err != nil {
		return nil, err
	}
	var companyIDs []int64
	for _, ids := range l.contactCompanies {
		companyIDs = append(companyIDs, ids...)
	}
	if tk != nil && tk.CompanyID != 0 {
		companyIDs = append(companyIDs, tk.CompanyID)
	}
	companies, err := q.ThreadCompanies(ctx, companyIDs...)
	if err != nil {
		return nil, err
	}
	for k, v := range companies {
		l.companies[k] = v
	}
	tagged, err := q.ConversationTags(ctx, id)
	if err != nil {
		return nil, err
	}
	allTags, err := q.Tags(ctx)
	if err != nil {
		return nil, err
	}

	p := &threadPage{ID: id, IsTicket: tk != nil, Base: threadPath(id, tk != nil), Errors: map[string]string{}}
	p.Nav = "inbox"
	p.Conv = threadConv{State: c.State, SnoozedUntil: c.SnoozedUntil, Title: c.Title}
	p.Heading = c.Title
	if p.Heading == "" {
		p.Heading = threadExcerpt(c.Source.Body, 80)
	}
	if p.Heading == "" {
		p.Heading = fmt.Sprintf("Conversation %d", id)
	}
	p.Title = p.Heading
	p.Timeline = threadTimeline{ID: id, Base: p.Base}
	if more {
		p.Timeline.Earlier = parts[0].ID
	} else if c.Source.Type != "ticket" && strings.TrimSpace(c.Source.Body) != "" {
		opening := l.part(conversation.Part{Type: conversation.PartComment, Body: c.Source.Body, Author: c.Source.Author, CreatedAt: c.CreatedAt})
		p.Timeline.Opening = &opening
	}
	for _, part := range parts {
		p.Timeline.Parts = append(p.Timeline.Parts, l.part(part))
	}
	if before == 0 && c.State == conversation.Snoozed {
		// A snooze part does not keep its time, but the newest one is the snooze in force (CV2).
		for i := len(parts) - 1; i >= 0; i-- {
			if parts[i].Type == conversation.PartSnoozed {
				p.Timeline.Parts[i].Text += " until " + threadWhen(c.SnoozedUntil)
				break
			}
		}
	}
	if tk == nil {
		if p.Tracker, err = threadTrackerOf(ctx, q, id, l); err != nil {
			return nil, err
		}
	}
	p.Composer = threadComposer{Base: p.Base, Mode: "reply"}
	if tk != nil {
		p.Ticket = threadTicketOf(*tk, l.states, p.Base)
		p.TitleInput = tk.Title
		p.DescriptionInput = string(p.Ticket.Description)
		p.Title = fmt.Sprintf("#%d %s", tk.Number, threadOr(tk.Title, tk.Type.Name))
		p.Heading = threadOr(tk.Title, "Untitled")
		switch tk.Category {
		case ticket.BackOffice:
			p.Composer.Mode = "backoffice" // notes only, added or cross-posted (BO2, BO3)
		case ticket.Tracker:
			p.Composer.Mode = "notes" // TR1: the tracker speaks to customers by broadcast (TR4)
		}
	}
	p.Side = in.threadSideOf(p, c, tk, l, tagged[id], allTags)
	return p, nil
}

// threadWhen is a time as the pages say it.
func threadWhen(t time.Time) string { return t.UTC().Format("2 Jan 2006, 15:04") + " UTC" }

// threadTrackerOf is the tracker conversation id is linked to (TR2), if any: found among the
// links the page loaded, else, for a conversation with more links than the page lists, asked of
// the store.
func threadTrackerOf(ctx context.Context, q *store.Q, id int64, l *threadLookup) (*threadRef, error) {
	for _, k := range l.links {
		if k.Kind == ticket.Tracker && k.ConversationID == id {
			return l.ref(k.TicketID), nil
		}
	}
	if l.total <= len(l.links) {
		return nil, nil
	}
	t, err := q.LinkTarget(ctx, id)
	if err != nil || !t.HasTracker {
		return nil, err
	}
	return &threadRef{Label: "one of the linked tickets"}, nil
}

// threadOtherEnd is the other end of a link, seen from id.
func threadOtherEnd(k store.Link, id int64) int64 {
	if k.TicketID == id {
		return k.ConversationID
	}
	return k.TicketID
}

func threadTicketOf(tk ticket.Ticket, states ticket.States, base string) *threadTicket {
	t := &threadTicket{Number: tk.Number, Category: tk.Category, TypeName: tk.Type.Name, Shared: tk.IsShared,
		Open: tk.Conversation.State != conversation.Closed, Title: tk.Title, State: tk.State,
		Description: template.HTML(threadUGC.Sanitize(tk.Description))}
	for _, s := range states {
		if !s.Archived {
			t.States = append(t.States, s)
		}
	}
	for i, a := range tk.Type.Attributes {
		if a.Default || a.Archived {
			continue
		}
		at := threadAttrOf(a, tk.Attributes[a.Name], i)
		at.Action = base + "/attributes"
		t.Attributes = append(t.Attributes, at)
	}
	return t
}

// threadAttrOf is an attribute as a form control holding its stored value.
func threadAttrOf(a ticket.Attribute, v any, i int) threadAttr {
	at := threadAttr{Name: a.Name, Help: a.Description, Required: a.RequiredToCreate, FieldID: fmt.Sprintf("thread-attr-%d", i)}
	switch a.DataType {
	case ticket.String:
		at.Input = "text"
		if a.Multiline {
			at.Input = "textarea"
		}
		at.Value, _ = v.(string)
	case ticket.Integer, ticket.Decimal:
		at.Input = "number"
		if f, ok := v.(float64); ok {
			at.Value = strconv.FormatFloat(f, 'f', -1, 64)
		}
	case ticket.Boolean:
		// Yes, No, or not set, as on the create forms: a checkbox cannot tell "No" from "not set".
		at.Input = "boolean"
		if b, ok := v.(bool); ok {
			at.Value = strconv.FormatBool(b)
		}
	case ticket.Datetime:
		at.Input = "datetime"
		if f, ok := v.(float64); ok {
			at.Value = time.Unix(int64(f), 0).UTC().Format("2006-01-02T15:04")
		}
	case ticket.List:
		at.Input, at.Options = "select", a.ListItems
		if a.AllowMultiple {
			at.Input = "multiselect"
			at.Selected = map[string]bool{}
			for _, s := range threadStrings(v) {
				at.Selected[s] = true
			}
		} else {
			at.Value, _ = v.(string)
		}
	case ticket.Files:
		at.Input = "files"
		at.Value = strings.Join(threadStrings(v), "\n")
	default:
		at.Input = "text"
	}
	return at
}

func threadStrings(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []string:
		return x
	case []any:
		var out []string
		for _, e := range x {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// threadSideOf builds the sidebar.
func (in *Inbox) threadSideOf(p *threadPage, c conversation.Conversation, tk *ticket.Ticket, l *threadLookup, tagged []store.Tagging, all []store.Tag) threadSide {
	s := threadSide{ID: p.ID, IsTicket: tk != nil, Base: p.Base, Errors: p.Errors,
		Tracker: tk != nil && tk.Category == ticket.Tracker, BackOffice: tk != nil && tk.Category == ticket.BackOffice,
		CanTag: tk == nil || tk.CanTag() == nil, MoreLinks: max(0, l.total-len(l.links))}
	for _, id := range c.ContactIDs {
		ct := l.contacts[id]
		person := threadPerson{ID: id, Name: threadContactName(ct), Email: ct.Email}
		var names []string
		for _, co := range l.contactCompanies[id] {
			names = append(names, threadCompanyName(l.companies[co]))
		}
		person.Companies = strings.Join(names, ", ")
		s.People = append(s.People, person)
	}
	if tk != nil {
		// CO2: the companies of the participating contacts, and "No company" (in the template).
		s.CompanyID = tk.CompanyID
		seen := map[int64]bool{}
		for _, id := range c.ContactIDs {
			for _, co := range l.contactCompanies[id] {
				if !seen[co] {
					seen[co] = true
					s.Companies = append(s.Companies, threadOption{ID: co, Name: threadCompanyName(l.companies[co]), Selected: co == tk.CompanyID})
				}
			}
		}
		if tk.CompanyID != 0 && !seen[tk.CompanyID] {
			s.Companies = append(s.Companies, threadOption{ID: tk.CompanyID, Selected: true,
				Name: threadCompanyName(l.companies[tk.CompanyID]) + " (no longer a company of these people)"})
		}
		if tk.CompanyID == 0 && len(s.Companies) > 1 {
			s.CompanyHint = "These people belong to several companies: choose the one this ticket is for."
		}
	}
	s.Admins = append(s.Admins, threadOption{Name: "Unassigned", Selected: c.AdminAssigneeID == 0})
	for _, a := range l.admin {
		// A deactivated teammate is offered no more work, but one still holding this keeps
		// showing as its assignee until someone reassigns it.
		switch {
		case a.Active():
			s.Admins = append(s.Admins, threadOption{ID: a.ID, Name: a.Name, Selected: a.ID == c.AdminAssigneeID})
		case a.ID == c.AdminAssigneeID:
			s.Admins = append(s.Admins, threadOption{ID: a.ID, Name: a.Name + " (deactivated)", Selected: true})
		}
	}
	s.Teams = append(s.Teams, threadOption{Name: "No team", Selected: c.TeamAssigneeID == 0})
	for _, t := range l.team {
		s.Teams = append(s.Teams, threadOption{ID: t.ID, Name: t.Name, Selected: t.ID == c.TeamAssigneeID})
	}
	has := map[int64]bool{}
	for _, t := range tagged {
		s.Tags = append(s.Tags, t.Tag)
		has[t.ID] = true
	}
	for _, t := range all {
		if !has[t.ID] {
			s.OtherTags = append(s.OtherTags, t)
		}
	}
	for _, k := range l.links {
		other := threadOtherEnd(k, p.ID)
		link := threadLink{TicketID: k.TicketID, ConversationID: k.ConversationID,
			Shared: other == k.TicketID && k.Kind == ticket.BackOffice && k.Shared}
		if h, ok := l.heads[other]; ok {
			link.Other, link.Icon, link.State = threadRefOf(h), threadIcon(h.IsTicket, h.Category), threadHeadState(h)
		} else {
			link.Other = threadRef{ID: other, Label: "Deleted"}
		}
		s.Links = append(s.Links, link)
	}
	return s
}

func threadOr(s, otherwise string) string {
	if strings.TrimSpace(s) == "" {
		return otherwise
	}
	return s
}

func threadContactName(c store.Contact) string {
	switch {
	case c.Name.Valid && c.Name.String != "":
		return c.Name.String
	case c.Email != "":
		return c.Email
	case c.ID != 0:
		return fmt.Sprintf("Contact %d", c.ID)
	}
	return "A deleted contact"
}

func threadCompanyName(c store.Company) string {
	switch {
	case c.Name.Valid && c.Name.String != "":
		return c.Name.String
	case c.CompanyID != "":
		return c.CompanyID
	case c.ID != 0:
		return fmt.Sprintf("Company %d", c.ID)
	}
	return "A deleted company"
}

// threadExcerpt is the first n characters of the text of stored HTML, on one line.
func threadExcerpt(body string, n int) string {
	s := strings.ReplaceAll(body, "<br>", " ")
	s = strings.ReplaceAll(s, "</p>", "</p> ")
	s = html.UnescapeString(threadPlain.Sanitize(s))
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:n-1])) + "…"
}

// threadRefOf names a conversation or ticket: "Back-office ticket #12 Refund the order".
func threadRefOf(h store.ThreadHead) threadRef {
	ref := threadRef{ID: h.ID, URL: threadPath(h.ID, h.IsTicket)}
	if h.IsTicket {
		ref.Label = fmt.Sprintf("%s ticket #%d %s", h.Category, h.Number, threadOr(h.Title, h.TypeName))
	} else {
		ref.Label = fmt.Sprintf("Conversation “%s”", threadOr(h.Title, threadOr(threadExcerpt(h.FirstBody, 60), strconv.FormatInt(h.ID, 10))))
	}
	return ref
}

// threadHeadState is a conversation's state or a ticket's internal state label (ST1).
func threadHeadState(h store.ThreadHead) string {
	if h.IsTicket && h.TicketState.InternalLabel != "" {
		if h.State == conversation.Closed {
			return h.TicketState.InternalLabel + " (closed)"
		}
		return h.TicketState.InternalLabel
	}
	return stateWord(h.State)
}

// ref names the conversation or ticket id that a part names.
func (l *threadLookup) ref(id int64) *threadRef {
	if h, ok := l.heads[id]; ok {
		r := threadRefOf(h)
		return &r
	}
	return &threadRef{ID: id, Label: "a deleted conversation or ticket"}
}

func (l *threadLookup) author(a conversation.Author) string {
	switch {
	case a.Type == conversation.AuthorAdmin:
		if ad, ok := l.admins[a.ID]; ok {
			return ad.Name
		}
		return "A teammate"
	case a.IsContact():
		return threadContactName(l.contacts[a.ID])
	}
	return "Helpdesk"
}

func (l *threadLookup) stateLabel(id int64) string {
	if s, ok := l.states.ByID(id); ok {
		return s.InternalLabel
	}
	return "a removed state"
}

// part tells a part in words: comments and notes with their bodies, events as sentences with
// the internal state labels (ST1), cross-posted notes naming their ticket (BO3).
func (l *threadLookup) part(p conversation.Part) threadPart {
	v := threadPart{ID: p.ID, Kind: "event", Author: l.author(p.Author), ByCustomer: p.Author.IsContact(), At: p.CreatedAt}
	who := v.Author
	body := func() { v.Body = template.HTML(threadUGC.Sanitize(p.Body)) }
	switch p.Type {
	case conversation.PartComment:
		v.Kind = "comment"
		body()
		if p.SourceTicketID != 0 {
			v.From, v.FromWord = l.ref(p.SourceTicketID), "Broadcast from"
		}
	case conversation.PartNote:
		v.Kind = "note"
		body()
		switch p.SourceTicketID {
		case 0:
		case l.id: // the Back-office ticket's own note, copied to its links (BO3)
			v.CrossPosted = true
		default:
			v.From, v.FromWord = l.ref(p.SourceTicketID), "Cross-posted from"
		}
	case conversation.PartAssignment:
		body()
		switch {
		case p.AssignedTo == nil:
			v.Text = who + " changed the assignment"
		case p.AssignedTo.Type == "team" && p.AssignedTo.ID == 0:
			v.Text = who + " removed the team"
		case p.AssignedTo.Type == "team":
			v.Text = fmt.Sprintf("%s assigned this to the team %s", who, threadOr(l.teams[p.AssignedTo.ID].Name, "(deleted)"))
		case p.AssignedTo.ID == 0:
			v.Text = who + " unassigned the teammate"
		case p.Author.Type == conversation.AuthorAdmin && p.Author.ID == p.AssignedTo.ID:
			v.Text = who + " assigned this to themselves"
		default:
			v.Text = fmt.Sprintf("%s assigned this to %s", who, threadOr(l.admins[p.AssignedTo.ID].Name, "a teammate"))
		}
	case conversation.PartClose:
		v.Text = who + " closed this"
		body()
	case conversation.PartOpen:
		v.Text = who + " reopened this"
		if p.SourceTicketID != 0 {
			v.Text, v.Ref = "Reopened by a note cross-posted from", l.ref(p.SourceTicketID)
		}
	case conversation.PartSnoozed:
		v.Text = who + " snoozed this"
	case conversation.PartUnsnooze:
		v.Text = "The snooze ended: open again"
	case conversation.PartParticipantAdded:
		v.Text = who + " added a participant"
	case conversation.PartParticipantRemoved:
		v.Text = who + " removed a participant"
	case conversation.PartTitleChanged:
		v.Text = fmt.Sprintf("%s changed the title to “%s”", who, p.Body)
	case conversation.PartTicketCreated:
		v.Text = who + " created the ticket"
	case conversation.PartStateChanged:
		if p.FromStateID == p.ToStateID {
			v.Text = fmt.Sprintf("%s submitted the ticket: %s", who, l.stateLabel(p.ToStateID))
		} else {
			v.Text = fmt.Sprintf("%s changed the state from %s to %s", who, l.stateLabel(p.FromStateID), l.stateLabel(p.ToStateID))
		}
	case conversation.PartLinked:
		v.Text, v.Ref = who+" linked", l.ref(p.SourceTicketID)
	case conversation.PartUnlinked:
		v.Text, v.Ref = who+" unlinked", l.ref(p.SourceTicketID)
	case conversation.PartLinkedStateChanged: // BO4
		v.Text, v.Ref = who+" moved", l.ref(p.SourceTicketID)
		v.Tail = fmt.Sprintf(" from %s to %s", l.stateLabel(p.FromStateID), l.stateLabel(p.ToStateID))
	case ticket.PartAttributeUpdated:
		v.Text = l.attributeChange(who, l.changes[p.ID])
	case ticket.PartTypeChanged:
		v.Text = fmt.Sprintf("%s changed the ticket type to %s", who, p.Body)
	case notify.PartTicketForm:
		v.Text = fmt.Sprintf("%s sent the ticket form “%s”", who, p.Body)
	default:
		v.Text = fmt.Sprintf("%s: %s", who, strings.ReplaceAll(string(p.Type), "_", " "))
		body()
	}
	return v
}

// attributeChange tells one change of an attribute.
func (l *threadLookup) attributeChange(who string, c store.AttributeChange) string {
	switch {
	case c.Label == "" && c.AttributeID == 0:
		return who + " updated the ticket's attributes"
	case c.Label == "Description" || c.Label == ticket.DescriptionAttribute:
		return who + " edited the description"
	case c.Label == "Company":
		f, ok := c.Value.(float64)
		if !ok {
			return who + " cleared the company"
		}
		return fmt.Sprintf("%s set the company to %s", who, threadCompanyName(l.companies[int64(f)]))
	case c.Value == nil:
		return fmt.Sprintf("%s cleared %s", who, c.Label)
	}
	var dt ticket.DataType
	if l.typ != nil {
		for _, a := range l.typ.Attributes {
			if a.ID == c.AttributeID {
				dt = a.DataType
			}
		}
	}
	return fmt.Sprintf("%s set %s to %s", who, c.Label, threadValueText(c.Value, dt))
}

func threadValueText(v any, dt ticket.DataType) string {
	switch x := v.(type) {
	case string:
		return "“" + x + "”"
	case bool:
		if x {
			return "Yes"
		}
		return "No"
	case float64:
		if dt == ticket.Datetime {
			return time.Unix(int64(x), 0).UTC().Format("2 Jan 2006, 15:04 UTC")
		}
		return strconv.FormatFloat(x, 'f', -1, 64)
	case []any:
		return strings.Join(threadStrings(x), ", ")
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// threadRefusal is the message of a rule desk applied to refuse a change; ok is false for an
// error that is not a refusal.
func threadRefusal(err error) (string, bool) {
	var te *ticket.Error
	var ce *conversation.Error
	var nf *desk.NotFoundError
	var fe *desk.FieldError
	switch {
	case errors.As(err, &te):
		return plainMessage(te.Message), true
	case errors.As(err, &fe):
		return plainMessage(fe.Message), true
	case errors.As(err, &ce):
		return plainMessage(ce.Message), true
	case errors.As(err, &nf):
		return nf.Error(), true
	}
	return "", false
}

// threadAnswer answers a change of thread id: on success the page again (htmx) or a redirect
// to it; on a refusal the page with status 422, with refused placing the message; any other
// error is returned.
func (in *Inbox) threadAnswer(w http.ResponseWriter, r *http.Request, id int64, err error, refused func(p *threadPage, msg string)) error {
	msg, isRefusal := threadRefusal(err)
	if err != nil && !isRefusal {
		return err
	}
	p, lerr := in.threadLoad(r.Context(), id, 0)
	if lerr != nil {
		return lerr
	}
	if !isRefusal {
		if r.Header.Get("HX-Request") != "true" {
			http.Redirect(w, r, p.Base, http.StatusSeeOther)
			return nil
		}
		in.threadRender(w, r, http.StatusOK, p)
		return nil
	}
	refused(p, msg)
	in.threadRender(w, r, http.StatusUnprocessableEntity, p)
	return nil
}

// threadRefusedAt places a refusal next to one control.
func threadRefusedAt(control string) func(p *threadPage, msg string) {
	return func(p *threadPage, msg string) { p.Errors[control] = msg }
}

// threadForm reads the path's id and the posted form.
func threadForm(r *http.Request) (int64, error) {
	id, err := threadID(r, "id")
	if err != nil {
		return 0, err
	}
	if err := r.ParseForm(); err != nil {
		return 0, store.ErrNotFound
	}
	return id, nil
}

// threadText cleans what a teammate typed of what the database cannot store.
func threadText(s string) string {
	s = strings.ToValidUTF8(s, "")
	return strings.ReplaceAll(strings.ReplaceAll(s, "\x00", ""), "\r\n", "\n")
}

func threadJSONString(s string) json.RawMessage {
	b, _ := json.Marshal(s)
	return b
}

// threadTitle changes a ticket's title (TT3), edited in place.
func (in *Inbox) threadTitle(w http.ResponseWriter, r *http.Request) error {
	id, err := threadForm(r)
	if err != nil {
		return err
	}
	title := threadText(r.PostFormValue("title"))
	if strings.TrimSpace(title) == "" { // an untitled ticket is named three ways: keep its title
		return in.threadAnswer(w, r, id, &ticket.Error{Field: "title", Message: "a ticket's title cannot be blank"}, func(p *threadPage, msg string) {
			p.Errors["title"], p.Editing, p.TitleInput = msg, "title", title
		})
	}
	_, err = in.desk.UpdateTicket(r.Context(), id, desk.TicketChange{AdminID: currentAdmin(r.Context()).ID,
		Attributes: map[string]json.RawMessage{ticket.TitleAttribute: threadJSONString(title)}})
	return in.threadAnswer(w, r, id, err, func(p *threadPage, msg string) {
		p.Errors["title"], p.Editing, p.TitleInput = msg, "title", title
	})
}

// threadDescription changes a ticket's description (TT3): the rich text editor's HTML, which
// desk stores sanitised (ticket.SanitizeDescription).
func (in *Inbox) threadDescription(w http.ResponseWriter, r *http.Request) error {
	id, err := threadForm(r)
	if err != nil {
		return err
	}
	description := threadText(r.PostFormValue("description"))
	_, err = in.desk.UpdateTicket(r.Context(), id, desk.TicketChange{AdminID: currentAdmin(r.Context()).ID,
		Attributes: map[string]json.RawMessage{ticket.DescriptionAttribute: threadJSONString(description)}})
	return in.threadAnswer(w, r, id, err, func(p *threadPage, msg string) {
		p.Errors["description"], p.Editing = msg, "description"
		p.DescriptionInput = threadUGC.Sanitize(description)
	})
}

// threadAttribute changes one custom attribute (TT5: desk validates it against its type).
func (in *Inbox) threadAttribute(w http.ResponseWriter, r *http.Request) error {
	id, err := threadForm(r)
	if err != nil {
		return err
	}
	name, values := r.PostFormValue("name"), r.PostForm["value"]
	tk, err := in.db.Read().Ticket(r.Context(), id)
	if err != nil {
		return err
	}
	a := ticket.Attribute{Name: name, DataType: ticket.String}
	for _, x := range tk.Type.Attributes {
		if x.Name == name {
			a = x
		}
	}
	_, err = in.desk.UpdateTicket(r.Context(), id, desk.TicketChange{AdminID: currentAdmin(r.Context()).ID,
		Attributes: map[string]json.RawMessage{name: threadAttrJSON(a, values)}})
	return in.threadAnswer(w, r, id, err, func(p *threadPage, msg string) {
		if p.Ticket == nil {
			return
		}
		for i, at := range p.Ticket.Attributes {
			if at.Name != name {
				continue
			}
			// Show what the teammate typed, with why it was refused.
			at.Error = msg
			switch at.Input {
			case "multiselect":
				at.Selected = map[string]bool{}
				for _, v := range values {
					at.Selected[v] = true
				}
			default:
				if len(values) > 0 {
					at.Value = threadText(values[len(values)-1])
				}
			}
			p.Ticket.Attributes[i] = at
			return
		}
		p.Errors["attributes"] = name + ": " + msg
	})
}

// threadAttrJSON encodes what an attribute's form control sent as the JSON value the API would
// send; what does not read as the attribute's type is sent as typed, for desk to refuse (TT5).
func threadAttrJSON(a ticket.Attribute, values []string) json.RawMessage {
	last := ""
	if len(values) > 0 {
		last = threadText(values[len(values)-1])
	}
	null := json.RawMessage("null")
	switch a.DataType {
	case ticket.Integer, ticket.Decimal:
		s := strings.TrimSpace(last)
		if s == "" {
			return null
		}
		if f, err := strconv.ParseFloat(s, 64); err == nil && json.Valid([]byte(s)) && !math.IsInf(f, 0) {
			return json.RawMessage(s)
		}
		return threadJSONString(s)
	case ticket.Boolean:
		switch strings.TrimSpace(last) {
		case "true", "false":
			return json.RawMessage(strings.TrimSpace(last))
		case "":
			return null // cleared; desk refuses it for a required attribute
		}
		return threadJSONString(last)
	case ticket.Datetime:
		s := strings.TrimSpace(last)
		if s == "" {
			return null
		}
		if t, err := time.Parse("2006-01-02T15:04", s); err == nil {
			return threadJSONString(t.UTC().Format(time.RFC3339))
		}
		return threadJSONString(s)
	case ticket.List:
		var items []string
		for _, v := range values {
			if v = strings.TrimSpace(threadText(v)); v != "" {
				items = append(items, v)
			}
		}
		switch {
		case len(items) == 0:
			return null
		case !a.AllowMultiple:
			return threadJSONString(items[len(items)-1])
		}
		b, _ := json.Marshal(items)
		return b
	case ticket.Files:
		var urls []string
		for line := range strings.SplitSeq(last, "\n") {
			if line = strings.TrimSpace(line); line != "" {
				urls = append(urls, line)
			}
		}
		if len(urls) == 0 {
			return null
		}
		b, _ := json.Marshal(urls)
		return b
	}
	if strings.TrimSpace(last) == "" {
		return null
	}
	return threadJSONString(last)
}

// threadState moves a ticket to another state (ST2; BO4 for a Back-office ticket's links).
func (in *Inbox) threadState(w http.ResponseWriter, r *http.Request) error {
	id, err := threadForm(r)
	if err != nil {
		return err
	}
	stateID, _ := strconv.ParseInt(r.PostFormValue("state_id"), 10, 64)
	_, err = in.desk.ChangeState(r.Context(), id, currentAdmin(r.Context()).ID, stateID)
	return in.threadAnswer(w, r, id, err, threadRefusedAt("state"))
}

// threadTicketOpen closes a ticket (without resolving it) or opens it again (ST3).
func (in *Inbox) threadTicketOpen(w http.ResponseWriter, r *http.Request) error {
	id, err := threadForm(r)
	if err != nil {
		return err
	}
	open := r.PostFormValue("open") == "1"
	_, err = in.desk.UpdateTicket(r.Context(), id, desk.TicketChange{AdminID: currentAdmin(r.Context()).ID, Open: &open})
	return in.threadAnswer(w, r, id, err, threadRefusedAt("open"))
}

// threadTicketReply adds a comment or note to a ticket; on a Back-office ticket, notes only, and
// cross_post=1 cross-posts the note (BO2, BO3).
func (in *Inbox) threadTicketReply(w http.ResponseWriter, r *http.Request) error {
	id, err := threadForm(r)
	if err != nil {
		return err
	}
	text := threadText(r.PostFormValue("body"))
	t := conversation.PartNote
	if r.PostFormValue("type") == string(conversation.PartComment) {
		t = conversation.PartComment
	}
	crossPost := slices.Contains(r.PostForm["cross_post"], "1")
	_, err = in.desk.AdminReplyTicket(r.Context(), id, currentAdmin(r.Context()).ID, t, web.TextToHTML(text), crossPost)
	return in.threadAnswer(w, r, id, err, func(p *threadPage, msg string) {
		p.Composer.Error, p.Composer.Body = msg, text
	})
}

// threadCompany sets a ticket's company (CO1-CO3): desk refuses one that is not a company of the
// ticket's people; 0 is "No company".
func (in *Inbox) threadCompany(w http.ResponseWriter, r *http.Request) error {
	id, err := threadForm(r)
	if err != nil {
		return err
	}
	company, err := strconv.ParseInt(cmp.Or(r.PostFormValue("company_id"), "0"), 10, 64)
	if err != nil {
		company = -1 // names no company: desk refuses it
	}
	_, err = in.desk.UpdateTicket(r.Context(), id, desk.TicketChange{AdminID: currentAdmin(r.Context()).ID, CompanyID: &company})
	return in.threadAnswer(w, r, id, err, threadRefusedAt("company"))
}

// threadAssignee reads assignee_id or team_id from a form; which tells which was sent.
func threadAssignee(r *http.Request) (which string, id int64) {
	for _, name := range []string{"assignee_id", "team_id"} {
		if r.PostForm.Has(name) {
			id, err := strconv.ParseInt(cmp.Or(r.PostFormValue(name), "0"), 10, 64)
			if err != nil {
				id = -1
			}
			return strings.TrimSuffix(name, "_id"), id
		}
	}
	return "", 0
}

// threadTicketAssign gives a ticket to a teammate or a team (BO1: its own assignee and team).
func (in *Inbox) threadTicketAssign(w http.ResponseWriter, r *http.Request) error {
	id, err := threadForm(r)
	if err != nil {
		return err
	}
	ch := desk.TicketChange{AdminID: currentAdmin(r.Context()).ID}
	which, to := threadAssignee(r)
	switch which {
	case "assignee":
		ch.AssigneeID = &to
	case "team":
		ch.TeamAssigneeID = &to
	default:
		return store.ErrNotFound
	}
	_, err = in.desk.UpdateTicket(r.Context(), id, ch)
	return in.threadAnswer(w, r, id, err, threadRefusedAt(which))
}

// threadTag applies a tag: to a conversation (CV4), or to a ticket, which desk refuses unless it
// is shared with the customer (BO9).
func (in *Inbox) threadTag(isTicket bool) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := threadForm(r)
		if err != nil {
			return err
		}
		// A tag chosen from the list (tag_id), or named (tag): an existing name is that tag, a new
		// one is made (CV4).
		ref := desk.TagRef{Name: r.PostFormValue("tag")}
		if ref.ID, _ = strconv.ParseInt(r.PostFormValue("tag_id"), 10, 64); ref.ID == 0 && strings.TrimSpace(ref.Name) == "" {
			return in.threadAnswer(w, r, id, &conversation.Error{Field: "tag", Message: "type the name of a tag"}, threadRefusedAt("tags"))
		}
		_, err = in.desk.ApplyTag(r.Context(), id, currentAdmin(r.Context()).ID, isTicket, ref)
		return in.threadAnswer(w, r, id, err, threadRefusedAt("tags"))
	}
}

// threadUntag removes a tag.
func (in *Inbox) threadUntag(isTicket bool) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := threadForm(r)
		if err != nil {
			return err
		}
		tagID, _ := strconv.ParseInt(r.PathValue("tag"), 10, 64)
		if isTicket {
			_, err = in.desk.UntagTicket(r.Context(), id, tagID)
		} else {
			_, err = in.desk.Untag(r.Context(), id, tagID)
		}
		return in.threadAnswer(w, r, id, err, threadRefusedAt("tags"))
	}
}

// threadUnlink removes a link between a ticket and a conversation or Customer ticket (BO12),
// from the page of either: from names the page to answer with.
func (in *Inbox) threadUnlink(w http.ResponseWriter, r *http.Request) error {
	id, err := threadForm(r)
	if err != nil {
		return err
	}
	target, err := threadID(r, "conversation")
	if err != nil {
		return err
	}
	from, _ := strconv.ParseInt(r.PostFormValue("from"), 10, 64)
	if from != target {
		from = id
	}
	err = in.desk.UnlinkTicket(r.Context(), id, currentAdmin(r.Context()).ID, target)
	return in.threadAnswer(w, r, from, err, threadRefusedAt("links"))
}

// threadLinkBackOffice links an existing Back-office ticket, named by its Ticket ID, to the
// page's conversation or Customer ticket (BO1), from the front-line teammate's side.
func (in *Inbox) threadLinkBackOffice(w http.ResponseWriter, r *http.Request) error {
	id, err := threadForm(r)
	if err != nil {
		return err
	}
	number, perr := strconv.ParseInt(strings.TrimPrefix(strings.TrimSpace(r.PostFormValue("number")), "#"), 10, 64)
	tk, lerr := in.db.Read().TicketByNumber(r.Context(), number)
	switch {
	case perr != nil || number <= 0:
		err = &ticket.Error{Field: "number", Message: "give the Ticket ID of a Back-office ticket, such as 12"}
	case errors.Is(lerr, store.ErrNotFound) || lerr == nil && tk.Category != ticket.BackOffice:
		err = &ticket.Error{Field: "number", Message: fmt.Sprintf("no Back-office ticket has the ID %d", number)}
	case lerr != nil:
		return lerr
	default:
		err = in.desk.LinkTicket(r.Context(), tk.ID, currentAdmin(r.Context()).ID, id)
	}
	return in.threadAnswer(w, r, id, err, threadRefusedAt("links"))
}

// threadConversationReply adds a comment or a note to a conversation (CV1).
func (in *Inbox) threadConversationReply(w http.ResponseWriter, r *http.Request) error {
	id, err := threadForm(r)
	if err != nil {
		return err
	}
	text := threadText(r.PostFormValue("body"))
	t := conversation.PartComment
	if r.PostFormValue("type") == string(conversation.PartNote) {
		t = conversation.PartNote
	}
	_, err = in.desk.AdminReply(r.Context(), id, currentAdmin(r.Context()).ID, t, web.TextToHTML(text))
	return in.threadAnswer(w, r, id, err, func(p *threadPage, msg string) {
		p.Composer.Error, p.Composer.Body = msg, text
	})
}

// threadConversationAssign gives a conversation to a teammate or a team (CV3).
func (in *Inbox) threadConversationAssign(w http.ResponseWriter, r *http.Request) error {
	id, err := threadForm(r)
	if err != nil {
		return err
	}
	which, to := threadAssignee(r)
	kind := desk.ToAdmin
	switch which {
	case "assignee":
	case "team":
		kind = desk.ToTeam
	default:
		return store.ErrNotFound
	}
	// Choosing who it already is changes nothing and says nothing (CV3: an event per change).
	if c, err := in.db.Read().Conversation(r.Context(), id); err == nil &&
		(kind == desk.ToAdmin && c.AdminAssigneeID == to || kind == desk.ToTeam && c.TeamAssigneeID == to) {
		return in.threadAnswer(w, r, id, nil, threadRefusedAt(which))
	}
	_, err = in.desk.Assign(r.Context(), id, currentAdmin(r.Context()).ID, kind, to, "")
	return in.threadAnswer(w, r, id, err, threadRefusedAt(which))
}

// threadSnoozeChoices are the snooze form's quick choices.
var threadSnoozeChoices = map[string]time.Duration{"1h": time.Hour, "4h": 4 * time.Hour, "1d": 24 * time.Hour, "1w": 7 * 24 * time.Hour}

// threadSnooze snoozes a conversation until a chosen time (CV2): a quick choice, or a date and
// time in the teammate's time zone (tz: minutes east of UTC, set by thread.js; UTC without it).
func (in *Inbox) threadSnooze(w http.ResponseWriter, r *http.Request) error {
	id, err := threadForm(r)
	if err != nil {
		return err
	}
	var until time.Time
	if s := strings.TrimSpace(r.PostFormValue("until")); s != "" {
		t, perr := time.Parse("2006-01-02T15:04", s)
		if perr != nil {
			return in.threadAnswer(w, r, id, &conversation.Error{Field: "snoozed_until", Message: "is not a date and time"}, threadRefusedAt("snooze"))
		}
		tz, _ := strconv.Atoi(r.PostFormValue("tz"))
		until = t.Add(-time.Duration(tz) * time.Minute)
	} else if d, ok := threadSnoozeChoices[r.PostFormValue("for")]; ok {
		until = in.clock.Now().Add(d)
	} else {
		return in.threadAnswer(w, r, id, &conversation.Error{Field: "snoozed_until", Message: "choose how long to snooze for, or until when"}, threadRefusedAt("snooze"))
	}
	_, err = in.desk.Snooze(r.Context(), id, currentAdmin(r.Context()).ID, until)
	return in.threadAnswer(w, r, id, err, threadRefusedAt("snooze"))
}

// threadClose closes a conversation.
func (in *Inbox) threadClose(w http.ResponseWriter, r *http.Request) error {
	id, err := threadForm(r)
	if err != nil {
		return err
	}
	_, err = in.desk.Close(r.Context(), id, currentAdmin(r.Context()).ID, "")
	return in.threadAnswer(w, r, id, err, threadRefusedAt("close"))
}

// threadReopen opens a snoozed or closed conversation.
func (in *Inbox) threadReopen(w http.ResponseWriter, r *http.Request) error {
	id, err := threadForm(r)
	if err != nil {
		return err
	}
	_, err = in.desk.Open(r.Context(), id, currentAdmin(r.Context()).ID)
	return in.threadAnswer(w, r, id, err, threadRefusedAt("close"))
}
