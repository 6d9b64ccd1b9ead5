package inbox

// A conversation's ticket actions and the tracker (SPEC BO1, BO6-BO8, BO11, CT2, CT3, TR2-TR5,
// CO1-CO3): "Create back-office ticket", "Convert to ticket", "Link to tracker" and "Send ticket
// form", each a page of its own linked from the conversation, and the tracker's list of linked
// conversations with "Broadcast update", a fragment the ticket page loads; and "Link" of an
// existing Back-office ticket to a conversation or Customer ticket. Every rule is asked of
// package ticket or left to package desk; these pages only show what the rules answer.

import (
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/microcosm-cc/bluemonday"

	"github.com/helpdesk/helpdesk/internal/conversation"
	"github.com/helpdesk/helpdesk/internal/desk"
	"github.com/helpdesk/helpdesk/internal/store"
	"github.com/helpdesk/helpdesk/internal/ticket"
	"github.com/helpdesk/helpdesk/internal/web"
)

// actionRoutes adds the routes of actions.go.
func (in *Inbox) actionRoutes(add route) {
	add("GET /inbox/conversations/{id}/back-office/new", in.actionShowTicketForm(in.actionBackOfficePage))
	add("POST /inbox/conversations/{id}/back-office/new", in.actionBackOfficeCreate)
	add("GET /inbox/conversations/{id}/convert", in.actionShowTicketForm(in.actionConvertPage))
	add("POST /inbox/conversations/{id}/convert", in.actionConvert)
	add("GET /inbox/conversations/{id}/tracker", in.actionTrackerForm)
	add("POST /inbox/conversations/{id}/tracker", in.actionTrackerLink)
	add("GET /inbox/conversations/{id}/ticket-form", in.actionTicketFormForm)
	add("POST /inbox/conversations/{id}/ticket-form", in.actionTicketFormSend)
	add("GET /inbox/tickets/{id}/linked", in.actionLinked)
	add("POST /inbox/tickets/{id}/linked", in.actionLinkedAdd)
	add("GET /inbox/tickets/{id}/linked/candidates", in.actionLinkedCandidates)
	add("POST /inbox/tickets/{id}/broadcast", in.actionBroadcast)
	add("GET /inbox/tickets/{id}/link", in.actionLinkForm)
	add("POST /inbox/tickets/{id}/link", in.actionLinkAdd)
}

// actionPageSize is how many trackers or candidates a search lists at a time;
// actionLinkedPageSize how many linked conversations the tracker lists at a time.
const (
	actionPageSize       = 20
	actionLinkedPageSize = 50
	actionMaxForm        = 1 << 20
)

// actionError is a rule's refusal shown in a form: next to the control named Field (a form
// field's name), or at the top when Field is "".
type actionError struct {
	Field   string
	Message string
}

// On is the message when it belongs to the control named field.
func (e actionError) On(field string) string {
	if e.Message != "" && e.Field == field {
		return e.Message
	}
	return ""
}

// General is the message when it belongs to no control.
func (e actionError) General() string {
	if e.Field == "" {
		return e.Message
	}
	return ""
}

// actionRefusal turns what desk refuses (a rule's error, or something named that does not
// exist) into a message for the form; ok is false for any other error, which is a failure.
func actionRefusal(err error, labels map[string]string) (actionError, bool) {
	var te *ticket.Error
	var ce *conversation.Error
	var nf *desk.NotFoundError
	var field, msg string
	switch {
	case errors.As(err, &te):
		field, msg = te.Field, te.Message
	case errors.As(err, &ce):
		field, msg = ce.Field, ce.Message
	case errors.As(err, &nf):
		return actionError{Message: actionSentence(nf.What + " not found")}, true
	default:
		return actionError{}, false
	}
	msg = plainMessage(msg)
	form := ""
	switch {
	case field == "ticket_attributes."+ticket.TitleAttribute:
		form = "title"
	case field == "ticket_attributes."+ticket.DescriptionAttribute:
		form = "description"
	case strings.HasPrefix(field, "ticket_attributes."):
		form = "attr." + strings.TrimPrefix(field, "ticket_attributes.")
	case field == "is_shared":
		form = "shared"
	case field == "company_id", field == "body", field == "admin_id", field == "team_id":
		form = field
	case strings.HasPrefix(field, "contacts"):
		form = "customer"
	case field == "ticket_type_id":
		form = "type_id"
	}
	// A message that is a sentence of its own ("a Customer ticket needs …") keeps its subject.
	sentence := strings.HasPrefix(msg, "a ") || strings.HasPrefix(msg, "an ") || strings.HasPrefix(msg, "the ")
	if label, ok := labels[form]; ok && actionStartsLower(msg) && !sentence {
		msg = label + " " + msg // "Severity is required to create a Bug ticket"
	}
	return actionError{Field: form, Message: actionSentence(msg)}, true
}

func actionStartsLower(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return unicode.IsLower(r)
}

// actionSentence starts s with a capital and ends it with a full stop.
func actionSentence(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	s = string(unicode.ToUpper(r)) + s[n:]
	if !strings.HasSuffix(s, ".") {
		s += "."
	}
	return s
}

// actionRef names a conversation or ticket as teammates quote it: a conversation by its id,
// "Conversation #12", a ticket by its Ticket ID (TT3), "Customer ticket #7", as every page does.
func actionRef(id int64, isTicket bool, category ticket.Category, number int64) string {
	if isTicket {
		return fmt.Sprintf("%s ticket #%d", category, number)
	}
	return fmt.Sprintf("Conversation #%d", id)
}

// actionStatus is the status of a form's answer: 422 when a rule refused it, except to htmx,
// which swaps only successful answers.
func actionStatus(r *http.Request, refused bool) int {
	if refused && r.Header.Get("HX-Request") != "true" {
		return http.StatusUnprocessableEntity
	}
	return http.StatusOK
}

// actionPathID reads the {id} of the path; a bad one is not found.
func actionPathID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, store.ErrNotFound
	}
	return id, nil
}

// actionParse reads a form, bounded.
func actionParse(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, actionMaxForm)
	if err := r.ParseForm(); err != nil {
		return fmt.Errorf("inbox: form: %w", err)
	}
	return nil
}

// actionContact is a customer as these pages name them.
type actionContact struct {
	ID    int64
	Name  string
	Email string
}

// Label is the name, or the email, or the id.
func (c actionContact) Label() string {
	switch {
	case c.Name != "":
		return c.Name
	case c.Email != "":
		return c.Email
	}
	return "Contact " + strconv.FormatInt(c.ID, 10)
}

func actionContactsOf(ids []int64, byID map[int64]store.Contact) []actionContact {
	out := make([]actionContact, 0, len(ids))
	for _, id := range ids {
		c := byID[id]
		out = append(out, actionContact{ID: id, Name: c.Name.String, Email: c.Email})
	}
	return out
}

// actionTarget is the conversation (or Customer ticket) an action starts from.
type actionTarget struct {
	ID       int64
	IsTicket bool
	Number   int64 // a ticket's
	Label    string
	URL      string // its page
	Link     ticket.Target
	Contacts []actionContact
	contacts []int64
}

// Kind names it in a heading.
func (t actionTarget) Kind() string {
	if t.IsTicket {
		return "Customer ticket"
	}
	return "Conversation"
}

// actionTargetOf loads the conversation, or the Customer ticket when tickets is true, that an
// action starts from; anything else is not found.
func (in *Inbox) actionTargetOf(r *http.Request, tickets bool) (actionTarget, error) {
	id, err := actionPathID(r)
	if err != nil {
		return actionTarget{}, err
	}
	ctx := r.Context()
	q := in.db.Read()
	link, err := q.LinkTarget(ctx, id)
	if err != nil {
		return actionTarget{}, err
	}
	if link.IsTicket && (!tickets || link.Category != ticket.Customer) {
		return actionTarget{}, store.ErrNotFound
	}
	c, err := q.Conversation(ctx, id)
	if err != nil {
		return actionTarget{}, err
	}
	t := actionTarget{ID: id, IsTicket: link.IsTicket, Link: link, contacts: c.ContactIDs,
		URL: "/inbox/conversations/" + strconv.FormatInt(id, 10), Label: c.Title}
	if link.IsTicket {
		tk, err := q.Ticket(ctx, id)
		if err != nil {
			return actionTarget{}, err
		}
		t.Number, t.URL = tk.Number, "/inbox/tickets/"+strconv.FormatInt(id, 10)
	}
	if t.Label == "" {
		t.Label = actionExcerpt(c.Source.Body, 80)
	}
	contacts, err := q.ContactsByID(ctx, c.ContactIDs)
	if err != nil {
		return actionTarget{}, err
	}
	t.Contacts = actionContactsOf(c.ContactIDs, contacts)
	return t, nil
}

// actionPlain is the text of stored HTML.
var actionPlain = bluemonday.StrictPolicy()

// actionExcerpt is the first n characters of the text of stored HTML, on one line.
func actionExcerpt(body string, n int) string {
	s := strings.NewReplacer("<br>", " ", "</p>", "</p> ").Replace(body)
	s = strings.Join(strings.Fields(html.UnescapeString(actionPlain.Sanitize(s))), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return strings.TrimSpace(string([]rune(s)[:n-1])) + "…"
}

// actionOption is one choice of a select.
type actionOption struct {
	Value    string
	Label    string
	Selected bool
}

// actionField is a custom attribute's control on a create form (TT2: those shown on the create
// form, required ones marked).
type actionField struct {
	Name     string // the form's field: "attr.<attribute name>"
	ID       string
	Label    string
	Help     string
	Kind     string // text, textarea, integer, decimal, boolean, datetime, select, multiselect, files
	Required bool
	Value    string
	Options  []actionOption
	Error    string
}

// actionOnForm tells whether an attribute has a control of its own on the create form; title
// and description have theirs apart.
func actionOnForm(a ticket.Attribute) bool { return !a.Default && !a.Archived && a.VisibleOnCreate }

// actionFields are the controls of typ's attributes, filled with form's values.
func actionFields(typ ticket.Type, form url.Values, refusal actionError) []actionField {
	var out []actionField
	for i, a := range typ.Attributes {
		if !actionOnForm(a) {
			continue
		}
		f := actionField{Name: "attr." + a.Name, ID: fmt.Sprintf("action-attr-%d", i), Label: a.Name, Help: a.Description,
			Required: a.RequiredToCreate}
		f.Value = form.Get(f.Name)
		f.Error = refusal.On(f.Name)
		switch a.DataType {
		case ticket.String:
			f.Kind = "text"
			if a.Multiline {
				f.Kind = "textarea"
			}
		case ticket.Integer, ticket.Decimal, ticket.Datetime, ticket.Files:
			f.Kind = string(a.DataType)
		case ticket.Boolean:
			f.Kind = "select"
			f.Options = []actionOption{{Value: "", Label: "—"}, {Value: "true", Label: "Yes"}, {Value: "false", Label: "No"}}
			for j := range f.Options {
				f.Options[j].Selected = f.Options[j].Value == f.Value
			}
		case ticket.List:
			f.Kind = "select"
			if a.AllowMultiple {
				f.Kind = "multiselect"
			} else {
				f.Options = append(f.Options, actionOption{Value: "", Label: "—"})
			}
			chosen := map[string]bool{}
			for _, v := range form[f.Name] {
				chosen[v] = true
			}
			for _, it := range a.ListItems {
				f.Options = append(f.Options, actionOption{Value: it, Label: it, Selected: chosen[it]})
			}
		default:
			continue
		}
		out = append(out, f)
	}
	return out
}

// actionAttributes reads the create form's title, description and attributes into the JSON
// values desk takes (Intercom's ticket_attributes); desk validates them (TT5). What cannot be
// read as the attribute's type goes as a string, for the rule to name.
func actionAttributes(typ ticket.Type, form url.Values) map[string]json.RawMessage {
	out := map[string]json.RawMessage{}
	str := func(s string) json.RawMessage { b, _ := json.Marshal(s); return b }
	if v := strings.TrimSpace(form.Get("title")); v != "" {
		out[ticket.TitleAttribute] = str(v)
	}
	if v := strings.TrimSpace(form.Get("description")); v != "" {
		out[ticket.DescriptionAttribute] = str(v)
	}
	for _, a := range typ.Attributes {
		if !actionOnForm(a) {
			continue
		}
		name := "attr." + a.Name
		var values []string
		for _, v := range form[name] {
			if a.DataType == ticket.Files {
				for line := range strings.SplitSeq(v, "\n") {
					if line = strings.TrimSpace(line); line != "" {
						values = append(values, line)
					}
				}
			} else if v = strings.TrimSpace(v); v != "" {
				values = append(values, v)
			}
		}
		if len(values) == 0 {
			continue
		}
		v := values[0]
		switch {
		case a.DataType == ticket.Files || a.DataType == ticket.List && a.AllowMultiple:
			b, _ := json.Marshal(values)
			out[a.Name] = b
		case a.DataType == ticket.Integer || a.DataType == ticket.Decimal:
			if json.Valid([]byte(v)) && (v[0] == '-' || v[0] >= '0' && v[0] <= '9') {
				out[a.Name] = json.RawMessage(v)
			} else {
				out[a.Name] = str(v)
			}
		case a.DataType == ticket.Boolean && (v == "true" || v == "false"):
			out[a.Name] = json.RawMessage(v)
		case a.DataType == ticket.Datetime:
			if t, err := time.ParseInLocation("2006-01-02T15:04", v, time.UTC); err == nil {
				v = t.Format(time.RFC3339)
			}
			out[a.Name] = str(v)
		default:
			out[a.Name] = str(v)
		}
	}
	return out
}

// actionShare is the sharing choice of a new Back-office ticket (BO6-BO8): Shown where the rules
// allow it, else Why not.
type actionShare struct {
	Shown   bool
	Checked bool
	Why     string
}

// actionTicketForm is the form that creates a ticket of a chosen type: a Back-office ticket, a
// Customer ticket by conversion, or a tracker.
type actionTicketForm struct {
	Action      string // where it posts, and where choosing a type reloads it
	TypeLabel   string
	Types       []actionOption
	Type        *ticket.Type
	Title       string
	Description string
	Fields      []actionField
	Share       actionShare
	// Companies are the choices of company (CO2), with the one CO3 selects; nil: no choice.
	Companies []actionOption
	// A new ticket's own controls (newticket.go): the customer it is for, its assignees.
	Customer  *actionCustomer
	Assignees []actionOption // nil: not asked
	Teams     []actionOption
	Carry     []actionOption // values kept until a type is chosen: Value is the name, Label the value
	Keep      []actionOption // values the form always keeps (a category), as Carry
	Error     actionError
	Submit    string
}

// Ready tells whether the form's fields are shown: a type is chosen.
func (f actionTicketForm) Ready() bool { return f.Type != nil }

// labels names the form's controls, for messages.
func (f actionTicketForm) labels() map[string]string {
	m := map[string]string{"title": "Title", "description": "Description", "type_id": "Type", "company_id": "Company",
		"customer": "Customer", "admin_id": "Assignee", "team_id": "Team"}
	if f.Type != nil {
		for _, a := range f.Type.Attributes {
			if actionOnForm(a) {
				m["attr."+a.Name] = a.Name
			}
		}
	}
	return m
}

// place keeps a refusal next to its control when the form shows that control, else at the top.
func (f *actionTicketForm) place() {
	shown := map[string]bool{"type_id": true, "shared": f.Share.Shown, "company_id": f.Companies != nil,
		"customer": f.Customer != nil, "admin_id": f.Assignees != nil, "team_id": f.Assignees != nil}
	if f.Type != nil {
		shown["title"], shown["description"] = true, true
	}
	for _, fl := range f.Fields {
		shown[fl.Name] = true
	}
	if !shown[f.Error.Field] {
		f.Error.Field = ""
	}
	for i := range f.Fields {
		f.Fields[i].Error = f.Error.On(f.Fields[i].Name)
	}
}

// actionPushURL gives htmx, when it reloads a ticket form for the type just chosen, the address
// to show: the form's page with only the values named in keep (the type, a category). What was
// typed stays out of the address bar and the history.
func actionPushURL(w http.ResponseWriter, r *http.Request, form url.Values, keep ...string) {
	if r.Header.Get("HX-Request") != "true" || r.Header.Get("HX-Trigger-Name") != "type_id" {
		return
	}
	v := url.Values{}
	for _, k := range keep {
		if x := form.Get(k); x != "" {
			v.Set(k, x)
		}
	}
	u := r.URL.Path
	if len(v) > 0 {
		u += "?" + v.Encode()
	}
	w.Header().Set("HX-Push-Url", u)
}

// actionTypes are the ticket types of a category that tickets can be created of.
func (in *Inbox) actionTypes(r *http.Request, category ticket.Category) ([]ticket.Type, error) {
	all, err := in.db.Read().TicketTypes(r.Context())
	if err != nil {
		return nil, err
	}
	var out []ticket.Type
	for _, t := range all {
		if t.Category == category && !t.Archived {
			out = append(out, t)
		}
	}
	return out, nil
}

// actionFillForm fills f from the request's values for the types given: the chosen type (the
// only one, when there is one), its fields, and the values typed so far.
func actionFillForm(f *actionTicketForm, types []ticket.Type, form url.Values) {
	chosen := form.Get("type_id")
	if chosen == "" && len(types) == 1 {
		chosen = strconv.FormatInt(types[0].ID, 10)
	}
	f.Types = nil
	for i, t := range types {
		id := strconv.FormatInt(t.ID, 10)
		label := t.Name
		if t.Description != "" {
			label += " — " + t.Description
		}
		f.Types = append(f.Types, actionOption{Value: id, Label: label, Selected: id == chosen})
		if id == chosen {
			f.Type = &types[i]
		}
	}
	f.Title, f.Description = form.Get("title"), form.Get("description")
	if f.Type != nil {
		f.Fields = actionFields(*f.Type, form, f.Error)
	}
}

// actionCompanies fills the company choice of a ticket for contacts (CO2), selecting what CO3
// selects unless the form chose.
func (in *Inbox) actionCompanies(r *http.Request, contacts []int64, form url.Values) ([]actionOption, error) {
	perContact, companies, err := in.db.Read().CompanyChoices(r.Context(), contacts...)
	if err != nil {
		return nil, err
	}
	selected := form.Get("company_id")
	if _, chose := form["company_id"]; !chose {
		auto, err := ticket.ChooseCompany(perContact, nil)
		if err != nil {
			return nil, err
		}
		selected = strconv.FormatInt(auto, 10)
	}
	out := []actionOption{{Value: "0", Label: "No company", Selected: selected == "0"}}
	for _, c := range companies {
		id := strconv.FormatInt(c.ID, 10)
		out = append(out, actionOption{Value: id, Label: c.Name, Selected: id == selected})
	}
	return out, nil
}

// actionCompanyChoice reads the company chosen: nil when the form has none.
func actionCompanyChoice(form url.Values) (*int64, error) {
	v, ok := form["company_id"]
	if !ok || len(v) == 0 {
		return nil, nil
	}
	id, err := strconv.ParseInt(v[0], 10, 64)
	if err != nil || id < 0 {
		return nil, errors.New("choose a company from the list")
	}
	return &id, nil
}

// actionWith is a copy of form with name set to value.
func actionWith(form url.Values, name, value string) url.Values {
	out := make(url.Values, len(form)+1)
	for k, v := range form {
		out[k] = v
	}
	out.Set(name, value)
	return out
}

// actionTicketPage is "Create back-office ticket" or "Convert to ticket".
type actionTicketPage struct {
	Page
	Heading string
	Intro   string
	Target  actionTarget
	Form    actionTicketForm
	// Blocked, when set, is why the conversation cannot become a ticket at all: the page says
	// so, and what to do instead, in place of the form.
	Blocked *actionBlocked
}

// actionBlocked is why a conversation cannot be converted, whatever the type, and what the
// teammate can do instead.
type actionBlocked struct {
	Why       string
	Shared    *actionLinkTo // the shared Back-office ticket the customer follows already
	NewTicket string        // "New ticket" for a Customer ticket of the customer's own
}

// actionLinkTo is a link to a conversation or ticket, named as teammates quote it.
type actionLinkTo struct {
	URL   string
	Label string
}

// --- Create back-office ticket (BO1, BO6-BO8, CO1-CO3) ---

func (in *Inbox) actionBackOfficePage(r *http.Request, form url.Values, refusal actionError) (*actionTicketPage, error) {
	t, err := in.actionTargetOf(r, true)
	if err != nil {
		return nil, err
	}
	types, err := in.actionTypes(r, ticket.BackOffice)
	if err != nil {
		return nil, err
	}
	p := &actionTicketPage{Page: Page{Title: "Create back-office ticket", Nav: "inbox"}, Heading: "Create back-office ticket",
		Intro: "A Back-office ticket hands the work to another team, linked to this " + strings.ToLower(t.Kind()) +
			" so that the customer's context stays with it. It has its own assignee and state.",
		Target: t, Form: actionTicketForm{Action: r.URL.Path, TypeLabel: "Back-office ticket type", Submit: "Create back-office ticket", Error: refusal}}
	actionFillForm(&p.Form, types, form)
	if typ := p.Form.Type; typ != nil {
		// BO6-BO8: the share choice is offered only where sharing could be chosen.
		yes := true
		if err := actionSharingAllowed(*typ, &yes, t.Link); err != nil {
			p.Form.Share.Why = err.Error()
		} else {
			p.Form.Share.Shown = true
			p.Form.Share.Checked = form.Get("shared") == "true"
		}
		if p.Form.Companies, err = in.actionCompanies(r, t.contacts, form); err != nil {
			return nil, err
		}
	}
	p.Form.place()
	return p, nil
}

// actionSharingAllowed asks ticket.Sharing whether a ticket of typ linked to target may be shared as
// requested, and returns its refusal as the rule says it.
func actionSharingAllowed(typ ticket.Type, requested *bool, target ticket.Target) error {
	_, err := ticket.Sharing(typ, requested, &target)
	var te *ticket.Error
	if errors.As(err, &te) {
		return errors.New(actionSentence(plainMessage(te.Message)))
	}
	return err
}

// actionTicketPageFunc builds a ticket form page (create a Back-office ticket, convert) from
// the form's values, with a refusal to show.
type actionTicketPageFunc func(r *http.Request, form url.Values, refusal actionError) (*actionTicketPage, error)

// actionShowTicketForm serves a ticket form page, filled from the query.
func (in *Inbox) actionShowTicketForm(page actionTicketPageFunc) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		p, err := page(r, r.URL.Query(), actionError{})
		if err != nil {
			return err
		}
		actionPushURL(w, r, r.URL.Query(), "type_id")
		in.render(w, r, http.StatusOK, "action_ticket", p)
		return nil
	}
}

// actionRefuseTicketForm returns what shows a posted ticket form again, as it was sent, with
// a refusal next to its field.
func (in *Inbox) actionRefuseTicketForm(w http.ResponseWriter, r *http.Request, page actionTicketPageFunc) func(actionError) error {
	return func(e actionError) error {
		p, err := page(r, r.PostForm, e)
		if err != nil {
			return err
		}
		in.render(w, r, actionStatus(r, true), "action_ticket", p)
		return nil
	}
}

func (in *Inbox) actionBackOfficeCreate(w http.ResponseWriter, r *http.Request) error {
	if err := actionParse(w, r); err != nil {
		return err
	}
	p, err := in.actionBackOfficePage(r, r.PostForm, actionError{})
	if err != nil {
		return err
	}
	refuse := in.actionRefuseTicketForm(w, r, in.actionBackOfficePage)
	if p.Form.Type == nil {
		return refuse(actionError{Field: "type_id", Message: "Choose a Back-office ticket type."})
	}
	company, err := actionCompanyChoice(r.PostForm)
	if err != nil {
		return refuse(actionError{Field: "company_id", Message: actionSentence(err.Error())})
	}
	n := desk.NewTicket{
		TypeID:     p.Form.Type.ID,
		By:         conversation.Author{Type: conversation.AuthorAdmin, ID: currentAdmin(r.Context()).ID},
		Attributes: actionAttributes(*p.Form.Type, r.PostForm),
		LinkTo:     p.Target.ID,
		CompanyID:  company,
	}
	if r.PostForm.Get("shared") == "true" {
		yes := true
		n.Shared = &yes
	}
	for _, id := range p.Target.contacts {
		n.Contacts = append(n.Contacts, desk.ContactRef{ID: id})
	}
	tk, err := in.desk.CreateTicket(r.Context(), n)
	if e, ok := actionRefusal(err, p.Form.labels()); ok {
		return refuse(e)
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/inbox/tickets/"+strconv.FormatInt(tk.ID, 10), http.StatusSeeOther)
	return nil
}

// --- Convert to ticket (CT2, CO1-CO3) ---

func (in *Inbox) actionConvertPage(r *http.Request, form url.Values, refusal actionError) (*actionTicketPage, error) {
	t, err := in.actionTargetOf(r, false)
	if err != nil {
		return nil, err
	}
	types, err := in.actionTypes(r, ticket.Customer)
	if err != nil {
		return nil, err
	}
	p := &actionTicketPage{Page: Page{Title: "Convert to ticket", Nav: "inbox"}, Heading: "Convert to ticket",
		Intro: "The conversation becomes a Customer ticket in one step, keeping its participants and timeline; " +
			"the customer follows it as any ticket.",
		Target: t, Form: actionTicketForm{Action: r.URL.Path, TypeLabel: "Customer ticket type", Submit: "Convert to ticket", Error: refusal}}
	if _, typed := form["title"]; !typed { // the conversation's title, or its opening, to start from
		form = actionWith(form, "title", t.Label)
	}
	actionFillForm(&p.Form, types, form)
	// The rule is asked with the type chosen, or before one is, with the first: a refusal about
	// the conversation itself holds for every type, and the form would be a dead end.
	check := p.Form.Type
	if check == nil && len(types) > 0 {
		check = &types[0]
	}
	if check != nil {
		if err := ticket.CanConvert(*check, t.Link); err != nil {
			e, ok := actionRefusal(err, nil)
			if !ok {
				return nil, err
			}
			var te *ticket.Error
			if errors.As(err, &te) && te.Field == "id" {
				if p.Blocked, err = in.actionConvertBlocked(r, t, e.Message); err != nil {
					return nil, err
				}
				return p, nil
			}
			if p.Form.Type != nil && p.Form.Error.Message == "" {
				p.Form.Error = actionError{Message: e.Message}
			}
		}
	}
	if p.Form.Type != nil {
		if p.Form.Companies, err = in.actionCompanies(r, t.contacts, form); err != nil {
			return nil, err
		}
	}
	p.Form.place()
	return p, nil
}

// actionConvertBlocked says what a teammate can do with a conversation that cannot become a
// Customer ticket: its customer follows its shared Back-office ticket already, or can have a
// Customer ticket of their own.
func (in *Inbox) actionConvertBlocked(r *http.Request, t actionTarget, why string) (*actionBlocked, error) {
	ctx := r.Context()
	q := in.db.Read()
	b := &actionBlocked{Why: why}
	links, err := q.Links(ctx, t.ID)
	if err != nil {
		return nil, err
	}
	for _, l := range links {
		if l.ConversationID != t.ID || l.Kind != ticket.BackOffice || !l.Shared {
			continue
		}
		heads, err := q.ThreadHeads(ctx, l.TicketID)
		if err != nil {
			return nil, err
		}
		if h, ok := heads[l.TicketID]; ok {
			b.Shared = &actionLinkTo{URL: "/inbox/tickets/" + strconv.FormatInt(h.ID, 10),
				Label: actionRef(h.ID, true, h.Category, h.Number)}
		}
		break
	}
	v := url.Values{"category": {string(ticket.Customer)}}
	for _, c := range t.Contacts {
		if c.Email != "" {
			v.Set("customer", c.Email)
			break
		}
	}
	b.NewTicket = "/inbox/tickets/new?" + v.Encode()
	return b, nil
}

func (in *Inbox) actionConvert(w http.ResponseWriter, r *http.Request) error {
	if err := actionParse(w, r); err != nil {
		return err
	}
	p, err := in.actionConvertPage(r, r.PostForm, actionError{})
	if err != nil {
		return err
	}
	refuse := in.actionRefuseTicketForm(w, r, in.actionConvertPage)
	if p.Form.Type == nil {
		return refuse(actionError{Field: "type_id", Message: "Choose a Customer ticket type."})
	}
	company, err := actionCompanyChoice(r.PostForm)
	if err != nil {
		return refuse(actionError{Field: "company_id", Message: actionSentence(err.Error())})
	}
	tk, err := in.desk.ConvertConversation(r.Context(), desk.Conversion{ConversationID: p.Target.ID,
		AdminID: currentAdmin(r.Context()).ID, TypeID: p.Form.Type.ID,
		Attributes: actionAttributes(*p.Form.Type, r.PostForm), CompanyID: company})
	if e, ok := actionRefusal(err, p.Form.labels()); ok {
		return refuse(e)
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/inbox/tickets/"+strconv.FormatInt(tk.ID, 10), http.StatusSeeOther)
	return nil
}

// --- Link to tracker (TR2) ---

// actionTrackerPage is "Link to tracker": the conversation's tracker if it has one, else a
// search of trackers to link to and a form for a new one.
type actionTrackerPage struct {
	Page
	Target actionTarget
	// Existing is the tracker the conversation is linked to, and Refusal what TR2 says of
	// linking another.
	Existing *store.TrackerRow
	Refusal  string
	Query    string
	Before   int64
	Trackers []store.TrackerRow
	Next     int64 // the cursor of the next page; 0: none
	// LinkError is a refused link, shown next to the tracker LinkErrorFor.
	LinkError    string
	LinkErrorFor int64
	New          actionTicketForm
}

func (in *Inbox) actionTrackerPage(r *http.Request, form url.Values, refusal actionError) (*actionTrackerPage, error) {
	t, err := in.actionTargetOf(r, true)
	if err != nil {
		return nil, err
	}
	ctx := r.Context()
	q := in.db.Read()
	p := &actionTrackerPage{Page: Page{Title: "Link to tracker", Nav: "inbox"}, Target: t,
		New: actionTicketForm{Action: r.URL.Path, TypeLabel: "Tracker ticket type", Submit: "Create tracker and link", Error: refusal}}
	// TR2: one tracker per conversation, as the rule says it.
	if err := (ticket.Ticket{Category: ticket.Tracker}).CanLink(t.Link); err != nil {
		var te *ticket.Error
		if errors.As(err, &te) {
			p.Refusal = actionSentence(plainMessage(te.Message))
		}
		if existing, err := q.TrackerOf(ctx, t.ID); err == nil {
			p.Existing = &existing
		} else if !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
		if p.Refusal != "" {
			return p, nil
		}
	}
	p.Query = strings.TrimSpace(form.Get("q"))
	p.Before, _ = strconv.ParseInt(form.Get("before"), 10, 64)
	list, err := q.TrackerPage(ctx, p.Query, p.Before, actionPageSize+1)
	if err != nil {
		return nil, err
	}
	if len(list) > actionPageSize {
		list = list[:actionPageSize]
		p.Next = list[len(list)-1].ID
	}
	p.Trackers = list
	types, err := in.actionTypes(r, ticket.Tracker)
	if err != nil {
		return nil, err
	}
	actionFillForm(&p.New, types, form)
	p.New.place()
	return p, nil
}

func (in *Inbox) actionTrackerForm(w http.ResponseWriter, r *http.Request) error {
	p, err := in.actionTrackerPage(r, r.URL.Query(), actionError{})
	if err != nil {
		return err
	}
	actionPushURL(w, r, r.URL.Query(), "type_id")
	in.render(w, r, http.StatusOK, "action_tracker", p)
	return nil
}

func (in *Inbox) actionTrackerLink(w http.ResponseWriter, r *http.Request) error {
	if err := actionParse(w, r); err != nil {
		return err
	}
	ctx := r.Context()
	admin := currentAdmin(ctx).ID
	p, err := in.actionTrackerPage(r, r.PostForm, actionError{})
	if err != nil {
		return err
	}
	if link := r.PostForm.Get("link"); link != "" {
		trackerID, err := strconv.ParseInt(link, 10, 64)
		if err != nil {
			return store.ErrNotFound
		}
		err = in.desk.LinkTicket(ctx, trackerID, admin, p.Target.ID)
		if e, ok := actionRefusal(err, nil); ok {
			p, err := in.actionTrackerPage(r, r.PostForm, actionError{})
			if err != nil {
				return err
			}
			p.LinkError, p.LinkErrorFor = e.Message, trackerID
			if p.Refusal != "" { // linked meanwhile (TR2): the page says so at the top
				p.LinkError = ""
			}
			in.render(w, r, actionStatus(r, true), "action_tracker", p)
			return nil
		}
		if err != nil {
			return err
		}
		http.Redirect(w, r, p.Target.URL, http.StatusSeeOther)
		return nil
	}
	if p.Refusal != "" { // TR2: no new tracker either
		in.render(w, r, actionStatus(r, true), "action_tracker", p)
		return nil
	}
	refuse := func(e actionError) error {
		p, err := in.actionTrackerPage(r, r.PostForm, e)
		if err != nil {
			return err
		}
		in.render(w, r, actionStatus(r, true), "action_tracker", p)
		return nil
	}
	if p.New.Type == nil {
		return refuse(actionError{Field: "type_id", Message: "Choose a Tracker ticket type."})
	}
	tk, err := in.desk.CreateTicket(ctx, desk.NewTicket{
		TypeID:     p.New.Type.ID,
		By:         conversation.Author{Type: conversation.AuthorAdmin, ID: admin},
		Attributes: actionAttributes(*p.New.Type, r.PostForm),
		LinkTo:     p.Target.ID,
	})
	if e, ok := actionRefusal(err, p.New.labels()); ok {
		return refuse(e)
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/inbox/tickets/"+strconv.FormatInt(tk.ID, 10), http.StatusSeeOther)
	return nil
}

// --- Send ticket form (CT3, BO11) ---

// actionSendable is a ticket type whose form can be sent (BO11), or why not into this
// conversation.
type actionSendable struct {
	Type  ticket.Type
	Why   string // what the rule says against sending it here
	Error string // a refusal of the last try
}

// actionSentForm is a form sent into the conversation before.
type actionSentForm struct {
	TypeName  string
	SentAt    time.Time
	Submitted bool
	TicketID  int64
}

type actionTicketFormPage struct {
	Page
	Target actionTarget
	Types  []actionSendable
	Sent   []actionSentForm
	Error  string // a refusal of a type that is not listed
}

func (in *Inbox) actionTicketFormPage(r *http.Request, refusedType int64, refusal string) (*actionTicketFormPage, error) {
	t, err := in.actionTargetOf(r, false)
	if err != nil {
		return nil, err
	}
	ctx := r.Context()
	q := in.db.Read()
	all, err := q.TicketTypes(ctx)
	if err != nil {
		return nil, err
	}
	p := &actionTicketFormPage{Page: Page{Title: "Send ticket form", Nav: "inbox"}, Target: t}
	names := map[int64]string{}
	for _, typ := range all {
		names[typ.ID] = typ.Name
		if !typ.InTicketForms() { // BO11: the same list as GET /api/ticket_types?sendable_as_form=true
			continue
		}
		s := actionSendable{Type: typ}
		if err := ticket.CanSendForm(typ, t.Link); err != nil {
			if e, ok := actionRefusal(err, nil); ok {
				s.Why = e.Message
			}
		}
		if typ.ID == refusedType {
			s.Error, refusal = refusal, ""
		}
		p.Types = append(p.Types, s)
	}
	p.Error = refusal
	forms, err := q.TicketForms(ctx, t.ID)
	if err != nil {
		return nil, err
	}
	for _, f := range forms {
		p.Sent = append(p.Sent, actionSentForm{TypeName: names[f.TicketTypeID], SentAt: f.SentAt,
			Submitted: !f.SubmittedAt.IsZero(), TicketID: f.TicketID})
	}
	return p, nil
}

func (in *Inbox) actionTicketFormForm(w http.ResponseWriter, r *http.Request) error {
	p, err := in.actionTicketFormPage(r, 0, "")
	if err != nil {
		return err
	}
	in.render(w, r, http.StatusOK, "action_ticketform", p)
	return nil
}

func (in *Inbox) actionTicketFormSend(w http.ResponseWriter, r *http.Request) error {
	if err := actionParse(w, r); err != nil {
		return err
	}
	t, err := in.actionTargetOf(r, false)
	if err != nil {
		return err
	}
	typeID, _ := strconv.ParseInt(r.PostForm.Get("type_id"), 10, 64)
	_, err = in.desk.SendTicketForm(r.Context(), t.ID, currentAdmin(r.Context()).ID, typeID)
	if e, ok := actionRefusal(err, nil); ok {
		p, err := in.actionTicketFormPage(r, typeID, e.Message)
		if err != nil {
			return err
		}
		in.render(w, r, actionStatus(r, true), "action_ticketform", p)
		return nil
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, t.URL, http.StatusSeeOther)
	return nil
}

// --- The tracker: its linked conversations, linking more, broadcasting (TR2-TR5) ---

// actionLinkedItem is one linked conversation or Customer ticket as the tracker lists it (TR3).
type actionLinkedItem struct {
	ID        int64
	IsTicket  bool
	Ref       string // "Conversation #12", "Customer ticket #7"
	Title     string
	URL       string
	State     string
	Closed    bool
	Customers []actionContact
	LinkedAt  time.Time
}

// actionCandidate is a conversation or Customer ticket found to link to a tracker or a
// Back-office ticket.
type actionCandidate struct {
	ID        int64
	IsTicket  bool
	Ref       string // "Conversation #12", "Customer ticket #7"
	Label     string
	URL       string
	State     string
	Customers []actionContact
	TrackerID int64  // linked to a tracker already (TR2)
	Here      bool   // linked to the ticket that searches already
	Why       string // what the rules say against linking it
	Error     string // a refusal of the last try to link it
}

// actionLinkBox is the tracker's "Link conversations" control.
type actionLinkBox struct {
	Query      string
	Searched   bool
	Candidates []actionCandidate
	Next       int64 // cursor of more candidates
	Error      string
	Done       string
}

// actionBroadcastBox is the tracker's "Broadcast update" composer (TR4).
type actionBroadcastBox struct {
	Body      string
	Preview   bool  // asking to confirm, with the reach below
	Threads   int64 // conversations and Customer tickets linked
	Customers int64 // distinct customers in them
	Done      string
	Error     string
}

// actionLinked is the tracker's fragment.
type actionLinked struct {
	ID        int64
	Number    int64
	Title     string
	Items     []actionLinkedItem
	Next      int64 // after this id come more; 0: none
	Threads   int64
	Customers int64
	Link      actionLinkBox
	Broadcast actionBroadcastBox
}

// actionLinkedPage is the tracker's fragment as a page of its own, for a browser that opens its
// URL.
type actionLinkedPage struct {
	Page
	Linked *actionLinked
}

// actionTracker loads the tracker of the path; any other ticket is not found.
func (in *Inbox) actionTracker(r *http.Request) (ticket.Ticket, error) {
	return in.actionTicketOf(r, ticket.Tracker)
}

// actionTicketOf loads the ticket of the path when it is of category c; any other is not found.
func (in *Inbox) actionTicketOf(r *http.Request, c ticket.Category) (ticket.Ticket, error) {
	id, err := actionPathID(r)
	if err != nil {
		return ticket.Ticket{}, err
	}
	tk, err := in.db.Read().Ticket(r.Context(), id)
	if err != nil {
		return tk, err
	}
	if tk.Category != c {
		return tk, store.ErrNotFound
	}
	return tk, nil
}

// actionLinkedItems loads a page of the tracker's links after the id after, with their customers
// in one more query.
func (in *Inbox) actionLinkedItems(r *http.Request, trackerID, after int64) ([]actionLinkedItem, int64, error) {
	ctx := r.Context()
	q := in.db.Read()
	items, err := q.LinkedPage(ctx, trackerID, after, actionLinkedPageSize+1)
	if err != nil {
		return nil, 0, err
	}
	var next int64
	if len(items) > actionLinkedPageSize {
		items = items[:actionLinkedPageSize]
		next = items[len(items)-1].ID
	}
	var ids, untitled, tickets []int64
	for _, it := range items {
		ids = append(ids, it.ContactIDs...)
		if it.Title == "" {
			untitled = append(untitled, it.ID)
		}
		if it.IsTicket {
			tickets = append(tickets, it.ID)
		}
	}
	contacts, err := q.ContactsByID(ctx, ids)
	if err != nil {
		return nil, 0, err
	}
	openings, err := q.ConversationOpenings(ctx, untitled...)
	if err != nil {
		return nil, 0, err
	}
	heads, err := q.ThreadHeads(ctx, tickets...) // the tickets' numbers
	if err != nil {
		return nil, 0, err
	}
	out := make([]actionLinkedItem, len(items))
	for i, it := range items {
		x := actionLinkedItem{ID: it.ID, IsTicket: it.IsTicket, Title: it.Title, Closed: it.State == conversation.Closed,
			Customers: actionContactsOf(it.ContactIDs, contacts), LinkedAt: it.LinkedAt,
			Ref: actionRef(it.ID, it.IsTicket, it.Category, heads[it.ID].Number)}
		id := strconv.FormatInt(it.ID, 10)
		if it.IsTicket {
			x.URL, x.State = "/inbox/tickets/"+id, it.TicketState.InternalLabel
			if x.Closed {
				x.State += " (closed)"
			}
		} else {
			x.URL, x.State = "/inbox/conversations/"+id, stateWord(it.State)
		}
		if x.Title == "" {
			x.Title = actionExcerpt(openings[it.ID], 80)
		}
		out[i] = x
	}
	return out, next, nil
}

// actionLinkedOf loads the tracker's fragment.
func (in *Inbox) actionLinkedOf(r *http.Request, tk ticket.Ticket) (*actionLinked, error) {
	l := &actionLinked{ID: tk.ID, Number: tk.Number, Title: tk.Title}
	var err error
	if l.Items, l.Next, err = in.actionLinkedItems(r, tk.ID, 0); err != nil {
		return nil, err
	}
	if l.Threads, l.Customers, err = in.db.Read().TrackerReach(r.Context(), tk.ID); err != nil {
		return nil, err
	}
	return l, nil
}

// actionRenderLinked answers with the tracker's fragment, or part of it, to htmx, and with the
// fragment in a page of its own to a browser.
func (in *Inbox) actionRenderLinked(w http.ResponseWriter, r *http.Request, status int, part string, l *actionLinked) {
	if r.Header.Get("HX-Request") == "true" {
		in.renderPart(w, r, status, "action_linked", part, l)
		return
	}
	in.render(w, r, status, "action_linked", &actionLinkedPage{Page: Page{Title: fmt.Sprintf("Tracker ticket #%d: linked", l.Number), Nav: "inbox"}, Linked: l})
}

// actionLinkedNotFound answers a fragment asked of what is not a tracker.
func (in *Inbox) actionLinkedNotFound(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("HX-Request") == "true" {
		in.renderPart(w, r, http.StatusNotFound, "action_linked", "tracker_notfound", nil)
		return
	}
	in.notFound(w, r)
}

func (in *Inbox) actionLinked(w http.ResponseWriter, r *http.Request) error {
	tk, err := in.actionTracker(r)
	if errors.Is(err, store.ErrNotFound) {
		in.actionLinkedNotFound(w, r)
		return nil
	}
	if err != nil {
		return err
	}
	if after, _ := strconv.ParseInt(r.URL.Query().Get("after"), 10, 64); after > 0 {
		// "More": the next rows only, in place of the "more" row.
		l := &actionLinked{ID: tk.ID, Number: tk.Number, Title: tk.Title}
		if l.Items, l.Next, err = in.actionLinkedItems(r, tk.ID, after); err != nil {
			return err
		}
		in.renderPart(w, r, http.StatusOK, "action_linked", "tracker_rows", l)
		return nil
	}
	l, err := in.actionLinkedOf(r, tk)
	if err != nil {
		return err
	}
	part := "tracker_linked"
	if r.URL.Query().Get("part") == "links" {
		part = "tracker_links"
	}
	in.actionRenderLinked(w, r, http.StatusOK, part, l)
	return nil
}

// actionLinkedCandidates finds conversations and Customer tickets to link to the tracker: by id
// when the text is a number, else by their title, first message or customer.
func (in *Inbox) actionLinkedCandidates(w http.ResponseWriter, r *http.Request) error {
	tk, err := in.actionTracker(r)
	if errors.Is(err, store.ErrNotFound) {
		in.actionLinkedNotFound(w, r)
		return nil
	}
	if err != nil {
		return err
	}
	box, err := in.actionFindCandidates(r, tk, r.URL.Query())
	if err != nil {
		return err
	}
	if r.Header.Get("HX-Request") == "true" {
		in.renderPart(w, r, http.StatusOK, "action_linked", "tracker_linkbox", &actionLinked{ID: tk.ID, Number: tk.Number, Link: box})
		return nil
	}
	l, err := in.actionLinkedOf(r, tk)
	if err != nil {
		return err
	}
	l.Link = box
	in.actionRenderLinked(w, r, http.StatusOK, "tracker_linked", l)
	return nil
}

// actionFindCandidates finds the conversations and Customer tickets that ticket linker could
// link to: by number when the text is one (the conversation with that id and the Customer ticket
// with that Ticket ID, both), else by their title, first message or customer. Each says what the
// rules say against linking it.
func (in *Inbox) actionFindCandidates(r *http.Request, linker ticket.Ticket, form url.Values) (actionLinkBox, error) {
	ctx := r.Context()
	q := in.db.Read()
	box := actionLinkBox{Query: strings.TrimSpace(form.Get("q")), Searched: true}
	if box.Query == "" {
		box.Searched = false
		return box, nil
	}
	var found []store.LinkCandidate
	if n, err := strconv.ParseInt(strings.TrimSpace(strings.TrimPrefix(box.Query, "#")), 10, 64); err == nil {
		if found, err = q.LinkCandidatesByNumber(ctx, n); err != nil {
			return box, err
		}
	} else {
		before, _ := strconv.ParseInt(form.Get("before"), 10, 64)
		if found, err = q.LinkCandidates(ctx, box.Query, before, actionPageSize+1); err != nil {
			return box, err
		}
		if len(found) > actionPageSize {
			found = found[:actionPageSize]
			box.Next = found[len(found)-1].ID
		}
	}
	var ids []int64
	for _, c := range found {
		ids = append(ids, c.ContactIDs...)
	}
	contacts, err := q.ContactsByID(ctx, ids)
	if err != nil {
		return box, err
	}
	// What a Back-office ticket links to already (a few; a tracker's are told by TrackerID).
	here := map[int64]bool{}
	if linker.Category == ticket.BackOffice && len(found) > 0 {
		links, err := q.Links(ctx, linker.ID)
		if err != nil {
			return box, err
		}
		for _, l := range links {
			if l.TicketID == linker.ID {
				here[l.ConversationID] = true
			}
		}
	}
	for _, c := range found {
		box.Candidates = append(box.Candidates, actionCandidateOf(c, linker, contacts, here[c.ID]))
	}
	return box, nil
}

// actionCandidateOf is a found conversation or Customer ticket as the search lists it.
func actionCandidateOf(c store.LinkCandidate, linker ticket.Ticket, contacts map[int64]store.Contact, here bool) actionCandidate {
	id := strconv.FormatInt(c.ID, 10)
	x := actionCandidate{ID: c.ID, IsTicket: c.IsTicket, Label: c.Title, State: stateWord(c.State),
		Customers: actionContactsOf(c.ContactIDs, contacts), TrackerID: c.TrackerID, URL: "/inbox/conversations/" + id,
		Ref:  actionRef(c.ID, c.IsTicket, ticket.Customer, c.Number),
		Here: here || linker.Category == ticket.Tracker && c.TrackerID == linker.ID}
	if c.IsTicket {
		x.URL, x.State = "/inbox/tickets/"+id, c.TicketState.InternalLabel
		if c.State == conversation.Closed {
			x.State += " (closed)"
		}
	}
	if x.Label == "" {
		x.Label = actionExcerpt(c.FirstBody, 80)
	}
	target := ticket.Target{ID: c.ID, IsTicket: c.IsTicket, State: c.State, HasTracker: c.TrackerID != 0,
		HasSharedBackOffice: c.SharedBackOffice}
	if c.IsTicket {
		target.Category = ticket.Customer
	}
	if e, ok := actionRefusal(linker.CanLink(target), nil); ok {
		x.Why = e.Message
	}
	return x
}

// actionLinkedRef names what id is, for "Linked …": a conversation or Customer ticket.
func (in *Inbox) actionLinkedRef(r *http.Request, id int64) (string, error) {
	c, err := in.db.Read().LinkCandidateByID(r.Context(), id)
	if err != nil {
		return "", err
	}
	return actionRef(c.ID, c.IsTicket, ticket.Customer, c.Number), nil
}

// actionLinkedAdd links a conversation or Customer ticket to the tracker, from the tracker (TR2).
func (in *Inbox) actionLinkedAdd(w http.ResponseWriter, r *http.Request) error {
	if err := actionParse(w, r); err != nil {
		return err
	}
	tk, err := in.actionTracker(r)
	if errors.Is(err, store.ErrNotFound) {
		in.actionLinkedNotFound(w, r)
		return nil
	}
	if err != nil {
		return err
	}
	ctx := r.Context()
	text := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(r.PostForm.Get("conversation_id")), "#"))
	target, convErr := strconv.ParseInt(text, 10, 64)
	var refusal actionError
	refused := false
	if convErr != nil || target <= 0 {
		refusal, refused = actionError{Field: "conversation_id", Message: "Give the number of a conversation or Customer ticket, or search for one."}, true
	} else {
		err := in.desk.LinkTicket(ctx, tk.ID, currentAdmin(ctx).ID, target)
		if refusal, refused = actionRefusal(err, nil); !refused && err != nil {
			return err
		}
	}
	l, err := in.actionLinkedOf(r, tk)
	if err != nil {
		return err
	}
	if refused {
		l.Link = actionLinkBox{Query: r.PostForm.Get("q"), Error: refusal.Message}
		if l.Link.Query != "" {
			box, err := in.actionFindCandidates(r, tk, url.Values{"q": {l.Link.Query}})
			if err != nil {
				return err
			}
			box.Error = refusal.Message
			l.Link = box
		}
		in.actionRenderLinked(w, r, actionStatus(r, true), "tracker_linked", l)
		return nil
	}
	if r.Header.Get("HX-Request") != "true" {
		http.Redirect(w, r, "/inbox/tickets/"+strconv.FormatInt(tk.ID, 10)+"/linked", http.StatusSeeOther)
		return nil
	}
	ref, err := in.actionLinkedRef(r, target)
	if err != nil {
		return err
	}
	l.Link.Done = "Linked " + ref + "."
	in.actionRenderLinked(w, r, http.StatusOK, "tracker_linked", l)
	return nil
}

// actionBroadcast previews and sends a tracker's update to every linked conversation and
// Customer ticket (TR4): step "preview" says how many customers it reaches, "confirm" sends it
// (desk.Broadcast), "edit" goes back to the text.
func (in *Inbox) actionBroadcast(w http.ResponseWriter, r *http.Request) error {
	if err := actionParse(w, r); err != nil {
		return err
	}
	tk, err := in.actionTracker(r)
	if errors.Is(err, store.ErrNotFound) {
		in.actionLinkedNotFound(w, r)
		return nil
	}
	if err != nil {
		return err
	}
	ctx := r.Context()
	l := &actionLinked{ID: tk.ID, Number: tk.Number, Title: tk.Title}
	box := actionBroadcastBox{Body: r.PostForm.Get("body")}
	refused := false
	switch r.PostForm.Get("step") {
	case "preview":
		box.Preview = true
		if box.Threads, box.Customers, err = in.db.Read().TrackerReach(ctx, tk.ID); err != nil {
			return err
		}
	case "confirm":
		n, err := in.desk.Broadcast(ctx, tk.ID, currentAdmin(ctx).ID, web.TextToHTML(box.Body))
		if e, ok := actionRefusal(err, map[string]string{"body": "The update"}); ok {
			box.Error, refused = e.Message, true
			break
		}
		if err != nil {
			return err
		}
		box = actionBroadcastBox{Done: actionBroadcastDone(n)}
	}
	l.Broadcast = box
	if r.Header.Get("HX-Request") == "true" {
		in.renderPart(w, r, http.StatusOK, "action_linked", "tracker_broadcast", l)
		return nil
	}
	full, err := in.actionLinkedOf(r, tk)
	if err != nil {
		return err
	}
	full.Broadcast = box
	in.actionRenderLinked(w, r, actionStatus(r, refused), "tracker_linked", full)
	return nil
}

// actionBroadcastDone says how many got the update: conversations and Customer tickets alike.
func actionBroadcastDone(n int64) string {
	if n == 1 {
		return "Broadcast to 1 conversation or ticket."
	}
	return fmt.Sprintf("Broadcast to %d conversations and tickets.", n)
}

func init() {
	featureFuncs["actionPlural"] = func(*Inbox) any {
		return func(n int64, one, many string) string {
			if n == 1 {
				return "1 " + one
			}
			return strconv.FormatInt(n, 10) + " " + many
		}
	}
}

// --- Link a Back-office ticket to a conversation or Customer ticket (BO1) ---

// actionLinkPage links an existing Back-office ticket: what it links to now, and a search of
// conversations and Customer tickets to link it to, each with what the rules say against it.
type actionLinkPage struct {
	Page
	ID     int64
	Ref    string // "Back-office ticket #4"
	Title  string
	Linked []actionLinkTo
	Box    actionLinkBox
}

// actionBackOffice loads the Back-office ticket of the path; any other is not found.
func (in *Inbox) actionBackOffice(r *http.Request) (ticket.Ticket, error) {
	return in.actionTicketOf(r, ticket.BackOffice)
}

func (in *Inbox) actionLinkPageOf(r *http.Request, tk ticket.Ticket, form url.Values) (*actionLinkPage, error) {
	ctx := r.Context()
	q := in.db.Read()
	ref := actionRef(tk.ID, true, tk.Category, tk.Number)
	p := &actionLinkPage{Page: Page{Title: "Link " + ref, Nav: "inbox"}, ID: tk.ID, Ref: ref, Title: tk.Title}
	links, err := q.Links(ctx, tk.ID)
	if err != nil {
		return nil, err
	}
	var ids []int64
	for _, l := range links {
		if l.TicketID == tk.ID {
			ids = append(ids, l.ConversationID)
		}
	}
	heads, err := q.ThreadHeads(ctx, ids...)
	if err != nil {
		return nil, err
	}
	for _, id := range ids {
		h, ok := heads[id]
		if !ok {
			continue
		}
		label := actionRef(h.ID, h.IsTicket, h.Category, h.Number) + " "
		if h.Title != "" {
			label += h.Title
		} else {
			label += actionExcerpt(h.FirstBody, 80)
		}
		u := "/inbox/conversations/" + strconv.FormatInt(id, 10)
		if h.IsTicket {
			u = "/inbox/tickets/" + strconv.FormatInt(id, 10)
		}
		p.Linked = append(p.Linked, actionLinkTo{URL: u, Label: strings.TrimSpace(label)})
	}
	if p.Box, err = in.actionFindCandidates(r, tk, form); err != nil {
		return nil, err
	}
	return p, nil
}

func (in *Inbox) actionLinkForm(w http.ResponseWriter, r *http.Request) error {
	tk, err := in.actionBackOffice(r)
	if err != nil {
		return err
	}
	p, err := in.actionLinkPageOf(r, tk, r.URL.Query())
	if err != nil {
		return err
	}
	in.render(w, r, http.StatusOK, "action_link", p)
	return nil
}

// actionLinkAdd links the Back-office ticket to the conversation or Customer ticket whose id is
// posted, and goes to the ticket's page; a refusal shows next to the one chosen.
func (in *Inbox) actionLinkAdd(w http.ResponseWriter, r *http.Request) error {
	if err := actionParse(w, r); err != nil {
		return err
	}
	tk, err := in.actionBackOffice(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	refusal := "Choose a conversation or Customer ticket to link: search for it, then press its Link button."
	target, err := strconv.ParseInt(r.PostForm.Get("target_id"), 10, 64)
	if err == nil && target > 0 {
		err := in.desk.LinkTicket(ctx, tk.ID, currentAdmin(ctx).ID, target)
		if err == nil {
			http.Redirect(w, r, "/inbox/tickets/"+strconv.FormatInt(tk.ID, 10), http.StatusSeeOther)
			return nil
		}
		e, ok := actionRefusal(err, nil)
		if !ok {
			return err
		}
		refusal = e.Message
	}
	p, err := in.actionLinkPageOf(r, tk, url.Values{"q": {r.PostForm.Get("q")}})
	if err != nil {
		return err
	}
	placed := false
	for i := range p.Box.Candidates {
		if p.Box.Candidates[i].ID == target {
			p.Box.Candidates[i].Error, placed = refusal, true
		}
	}
	if !placed {
		p.Box.Error = refusal
	}
	in.render(w, r, actionStatus(r, true), "action_link", p)
	return nil
}
