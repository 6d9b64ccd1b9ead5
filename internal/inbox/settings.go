package inbox

import (
	"context"
	"errors"
	"fmt"
	"html"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/helpdesk/helpdesk/internal/auth"
	"github.com/helpdesk/helpdesk/internal/desk"
	"github.com/helpdesk/helpdesk/internal/store"
	"github.com/helpdesk/helpdesk/internal/ticket"
)

// Settings (issue 5, item 8): ticket types and their attributes (TT1, TT2, TT4), teammates and
// teams, API tokens, the Messenger (logo for E1, identity secret for P2 and M1, install snippet,
// the portal's direct URL for P7) and the email configuration in force.
//
// Who may change what (desk.MayChangeSettings): owners and admins change settings; agents see
// every settings page read-only (no forms), and a change they send anyway is refused with 403
// and a page saying why. The one exception is an agent's own API tokens, which they may revoke
// (never create: the API has no roles, so a token acts with every power of the workspace).
//
// Every change goes through package desk, where the rules are applied by package ticket's
// constructors and validators, as for the API; a refused change is shown next to its field and
// changes nothing.

// EmailConfig is the mail configuration in force, from the environment (read-only in settings).
type EmailConfig struct {
	MailFrom        string        // HELPDESK_MAIL_FROM
	SMTPServer      string        // host:port of HELPDESK_SMTP_URL, never its credentials; "" when unset
	Off             string        // why notification email is off; "" when it is on
	ReplyDomain     string        // the domain of reply addresses in force
	InboundSMTPAddr string        // HELPDESK_INBOUND_SMTP_ADDR; "" when the listener is off
	InboundEndpoint bool          // POST /inbound/email is on (HELPDESK_INBOUND_SECRET is set)
	ReplyEmailDelay time.Duration // HELPDESK_REPLY_EMAIL_DELAY
}

func init() {
	featureFuncs["settingsInvalid"] = func(*Inbox) any { return settingsInvalid }
	featureFuncs["settingsDataType"] = func(*Inbox) any { return settingsDataTypeLabel }
	featureFuncs["settingsWhen"] = func(*Inbox) any { return settingsWhen }
}

// settingsWhen is a moment to the second, enough to tell apart two things of the same name.
func settingsWhen(t time.Time) string { return t.UTC().Format("2 Jan 2006, 15:04:05 UTC") }

// settingsInvalid marks a control whose field has an error (msg), pointing to the error's
// paragraph, id+"-error".
func settingsInvalid(id, msg string) template.HTMLAttr {
	if msg == "" {
		return ""
	}
	return template.HTMLAttr(`aria-invalid="true" aria-describedby="` + html.EscapeString(id) + `-error"`)
}

// settingsDataTypeLabel names a data type as people say it.
func settingsDataTypeLabel(d ticket.DataType) string {
	switch d {
	case ticket.String:
		return "Text"
	case ticket.List:
		return "List"
	case ticket.Integer:
		return "Integer"
	case ticket.Decimal:
		return "Decimal"
	case ticket.Boolean:
		return "Yes or no"
	case ticket.Datetime:
		return "Date and time"
	case ticket.Files:
		return "Files"
	}
	return string(d)
}

// settingsDefaultIcon is the icon the create form suggests, Intercom's default.
const settingsDefaultIcon = "\U0001F39F\uFE0F"

func (in *Inbox) settingsRoutes(add route) {
	change := func(pattern string, h handlerFunc) { add(pattern, in.settingsChange(h)) }
	add("GET /inbox/settings", in.settingsIndex)

	add("GET /inbox/settings/ticket-types", in.settingsTypes)
	change("POST /inbox/settings/ticket-types", in.settingsCreateType)
	add("GET /inbox/settings/ticket-types/{id}", in.settingsType)
	change("POST /inbox/settings/ticket-types/{id}", in.settingsUpdateType)
	change("POST /inbox/settings/ticket-types/{id}/archive", in.settingsArchiveType)
	change("POST /inbox/settings/ticket-types/{id}/attributes", in.settingsAddAttribute)
	add("GET /inbox/settings/ticket-types/{id}/attributes/{attr}", in.settingsAttribute)
	change("POST /inbox/settings/ticket-types/{id}/attributes/{attr}", in.settingsUpdateAttribute)
	change("POST /inbox/settings/ticket-types/{id}/attributes/{attr}/archive", in.settingsArchiveAttribute)
	change("POST /inbox/settings/ticket-types/{id}/attributes/{attr}/move", in.settingsMoveAttribute)

	add("GET /inbox/settings/teammates", in.settingsTeammates)
	change("POST /inbox/settings/teammates", in.settingsAddTeammate)
	add("GET /inbox/settings/teams", in.settingsTeams)
	change("POST /inbox/settings/teams", in.settingsCreateTeam)
	change("POST /inbox/settings/teammates/{id}/role", in.settingsSetRole)
	change("POST /inbox/settings/teammates/{id}/password", in.settingsSetPassword)
	change("POST /inbox/settings/teammates/{id}/deactivate", in.settingsDeactivate)
	change("POST /inbox/settings/teammates/{id}/reactivate", in.settingsReactivate)
	add("GET /inbox/settings/account", in.settingsAccount) // one's own password: agents too
	add("POST /inbox/settings/account/password", in.settingsChangeOwnPassword)
	add("POST /inbox/settings/account/profile", in.settingsChangeOwnProfile)
	change("POST /inbox/settings/teams/{id}", in.settingsRenameTeam)
	change("POST /inbox/settings/teams/{id}/delete", in.settingsDeleteTeam)
	change("POST /inbox/settings/teams/{id}/members", in.settingsAddMember)
	change("POST /inbox/settings/teams/{id}/members/{admin}/remove", in.settingsRemoveMember)

	add("GET /inbox/settings/tokens", in.settingsTokens)
	change("POST /inbox/settings/tokens", in.settingsCreateToken)
	add("POST /inbox/settings/tokens/{id}/revoke", in.settingsRevokeToken) // one's own: agents too

	add("GET /inbox/settings/messenger", in.settingsMessenger)
	change("POST /inbox/settings/messenger/logo", in.settingsSetLogo)
	change("POST /inbox/settings/messenger/identity-secret", in.settingsSetSecret)
	change("POST /inbox/settings/messenger/identity-secret/generate", in.settingsGenerateSecret)

	add("GET /inbox/settings/email", in.settingsEmail)
}

// settingsChange refuses changes to settings by teammates whose role does not allow them.
func (in *Inbox) settingsChange(h handlerFunc) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if err := desk.MayChangeSettings(currentAdmin(r.Context())); err != nil {
			in.render(w, r, http.StatusForbidden, "message", &messagePage{Page: Page{Title: "Settings", Nav: "settings"},
				Heading: "Settings are read-only for you",
				Message: "Only owners and admins can change settings; nothing was changed. Ask one of them."})
			return nil
		}
		return h(w, r)
	}
}

// settingsPage is what every settings page carries.
type settingsPage struct {
	Page
	Section   string // the settings sub-navigation's current item
	CanChange bool   // owners and admins; agents see the page read-only
}

func (in *Inbox) settingsNewPage(r *http.Request, title, section string) settingsPage {
	a := currentAdmin(r.Context())
	p := settingsPage{Page: Page{Title: title, Admin: a, Nav: "settings"}, Section: section,
		CanChange: desk.MayChangeSettings(a) == nil}
	p.Flash = settingsFlashes[r.URL.Query().Get("done")]
	return p
}

// settingsFlashes are the confirmations a change redirects with (?done=KEY): known keys only,
// so that a link cannot put words on the page.
var settingsFlashes = map[string]string{
	"type-created":      "Ticket type created. Add its attributes below.",
	"type-saved":        "Ticket type saved.",
	"type-archived":     "Ticket type archived: no new tickets can be created with it.",
	"type-unarchived":   "Ticket type restored.",
	"attribute-added":   "Attribute added.",
	"attribute-saved":   "Attribute saved.",
	"attribute-moved":   "Attribute moved.",
	"attribute-archive": "Attribute archived.",
	"attribute-restore": "Attribute restored.",
	"teammate-added":    "Teammate added: they can sign in with the email and password you chose.",
	"role-changed":      "Role changed.",
	"password-set":      "Password set: they are signed out everywhere and sign in with the new one.",
	"password-changed":  "Password changed: your other sessions are signed out.",
	"profile-changed":   "Name and email saved. You sign in with this email from now on.",
	"deactivated":       settingsDeactivatedFlash("Teammate"),
	"reactivated":       settingsReactivatedFlash("Teammate"),
	"team-created":      "Team created.",
	"team-renamed":      "Team renamed.",
	"team-deleted":      "Team deleted.",
	"member-added":      "Teammate added to the team.",
	"member-removed":    "Teammate removed from the team.",
	"token-created":     "Token created. It was shown once, right after it was made: if you did not copy it, revoke it and create another.",
	"token-revoked":     "Token revoked: it stops working within a few seconds.",
	"logo-saved":        "Logo saved.",
	"secret-saved":      "Identity secret saved: identities signed with the previous one are refused from now on.",
	"secret-generated":  "A new identity secret was generated and saved: identities signed with the previous one are refused from now on. Copy it below into your product's server configuration.",
}

// settingsRedirect sends the browser on after a change, with a confirmation key.
func settingsRedirect(w http.ResponseWriter, r *http.Request, to, done string) {
	if done != "" {
		to += "?done=" + url.QueryEscape(done)
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// settingsAnswer answers a settings change: a refusal is shown by refused, as the errors of the
// form's fields (one it does not show is the form's own); a missing thing is not found; a change
// made sends the browser on to to, with the confirmation done.
func settingsAnswer(w http.ResponseWriter, r *http.Request, err error, fields []string, refused func(settingsErrors) error, to, done string) error {
	if errs, ok := settingsFieldErrors(err, fields...); ok {
		return refused(errs)
	}
	if err != nil {
		return settingsNotFound(err)
	}
	settingsRedirect(w, r, to, done)
	return nil
}

// settingsErrors are a form's problems by field name (the API's field names); "" is the form's own.
type settingsErrors map[string]string

// settingsFieldErrors turns a refusal of the rules into the form's errors; ok is false for any other
// error. A field the form does not show (not among fields) is reported as the form's own.
func settingsFieldErrors(err error, fields ...string) (settingsErrors, bool) {
	var field, msg string
	var te *ticket.Error
	var fe *desk.FieldError
	switch {
	case errors.As(err, &te):
		field, msg = te.Field, te.Message
	case errors.As(err, &fe):
		field, msg = fe.Field, fe.Message
	default:
		return nil, false
	}
	msg = settingsCapitalise(plainMessage(msg))
	if !slices.Contains(fields, field) {
		return settingsErrors{"": msg}, true
	}
	return settingsErrors{field: msg}, true
}

func settingsCapitalise(s string) string {
	if s == "" {
		return s
	}
	r, n := utf8.DecodeRuneInString(s)
	return strings.ToUpper(string(r)) + s[n:]
}

// settingsPathID reads a numeric path value; a bad one is not found.
func settingsPathID(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, store.ErrNotFound
	}
	return id, nil
}

// settingsNotFound turns desk's NotFoundError into the store's, which handle answers with 404.
func settingsNotFound(err error) error {
	var nf *desk.NotFoundError
	if errors.As(err, &nf) {
		return fmt.Errorf("%w: %s", store.ErrNotFound, nf.What)
	}
	return err
}

func settingsChecked(r *http.Request, name string) bool { return r.PostFormValue(name) != "" }

// The index.

func (in *Inbox) settingsIndex(w http.ResponseWriter, r *http.Request) error {
	p := in.settingsNewPage(r, "Settings", "")
	in.render(w, r, http.StatusOK, "settings", &p)
	return nil
}

// Ticket types (TT1, TT4).

// settingsTypeForm is a ticket type's form. Sharing is the Back-office sharing toggle (TT4), the
// opposite of Intercom's is_internal.
type settingsTypeForm struct {
	Name, Description, Icon, Category string
	Sharing                           bool
}

func settingsTypeFormOf(t ticket.Type) settingsTypeForm {
	return settingsTypeForm{Name: t.Name, Description: t.Description, Icon: t.Icon, Category: string(t.Category), Sharing: t.AllowsSharing()}
}

func settingsReadTypeForm(r *http.Request) settingsTypeForm {
	return settingsTypeForm{Name: r.PostFormValue("name"), Description: r.PostFormValue("description"),
		Icon: strings.TrimSpace(r.PostFormValue("icon")), Category: r.PostFormValue("category"), Sharing: settingsChecked(r, "sharing")}
}

// category is the form's category, an unknown one passed on for the rules to refuse.
func (f settingsTypeForm) category() ticket.Category {
	if c, ok := ticket.ParseCategory(f.Category); ok {
		return c
	}
	return ticket.Category(settingsOr(f.Category, "none"))
}

// internal is is_internal as the form says it: the toggle for Back-office types; nil (the
// category's own rule, CT1 and TR1) for the others.
func (f settingsTypeForm) internal() *bool {
	if f.category() != ticket.BackOffice {
		return nil
	}
	v := !f.Sharing
	return &v
}

func settingsOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

var settingsTypeFields = []string{"name", "description", "icon", "category", "is_internal"}

type settingsTypesPage struct {
	settingsPage
	Types      []ticket.Type
	Categories []ticket.Category
	Form       settingsTypeForm
	Errors     settingsErrors
}

// settingsTypeFormView is what the type form's partial shows: a new type, or one to edit.
type settingsTypeFormView struct {
	ID         string // the form's element id
	Action     string
	Submit     string
	Form       settingsTypeForm
	Errors     settingsErrors
	Categories []ticket.Category
}

// TypeForm is the form for a new type.
func (p *settingsTypesPage) TypeForm() settingsTypeFormView {
	return settingsTypeFormView{ID: "new-type", Action: "/inbox/settings/ticket-types", Submit: "Create ticket type",
		Form: p.Form, Errors: p.Errors, Categories: p.Categories}
}

// TypeForm is the form editing the page's type.
func (p *settingsTypePage) TypeForm() settingsTypeFormView {
	return settingsTypeFormView{ID: "edit-type", Action: fmt.Sprintf("/inbox/settings/ticket-types/%d", p.Type.ID), Submit: "Save ticket type",
		Form: p.Form, Errors: p.Errors, Categories: p.Categories}
}

func (in *Inbox) settingsRenderTypes(w http.ResponseWriter, r *http.Request, status int, form settingsTypeForm, errs settingsErrors) error {
	types, err := in.db.Read().TicketTypes(r.Context())
	if err != nil {
		return err
	}
	// The archived types last, each group in the order they were made.
	slices.SortStableFunc(types, func(a, b ticket.Type) int {
		switch {
		case a.Archived == b.Archived:
			return 0
		case a.Archived:
			return 1
		}
		return -1
	})
	p := &settingsTypesPage{settingsPage: in.settingsNewPage(r, "Ticket types", "types"), Types: types,
		Categories: []ticket.Category{ticket.Customer, ticket.BackOffice, ticket.Tracker}, Form: form, Errors: errs}
	in.render(w, r, status, "settings-types", p)
	return nil
}

func (in *Inbox) settingsTypes(w http.ResponseWriter, r *http.Request) error {
	return in.settingsRenderTypes(w, r, http.StatusOK, settingsTypeForm{Icon: settingsDefaultIcon, Category: string(ticket.Customer)}, nil)
}

func (in *Inbox) settingsCreateType(w http.ResponseWriter, r *http.Request) error {
	f := settingsReadTypeForm(r)
	icon := settingsOr(f.Icon, settingsDefaultIcon)
	typ, err := in.desk.CreateTicketType(r.Context(), f.Name, f.Description, icon, f.category(), f.internal())
	return settingsAnswer(w, r, err, settingsTypeFields, func(e settingsErrors) error {
		return in.settingsRenderTypes(w, r, http.StatusUnprocessableEntity, f, e)
	}, fmt.Sprintf("/inbox/settings/ticket-types/%d", typ.ID), "type-created")
}

// settingsAttrRow is an attribute in its place among the type's, with where it can move to.
type settingsAttrRow struct {
	ticket.Attribute
	Index      int
	Up, Down   int
	First      bool
	Last       bool
	Label      string // what teammates see it as: the built-in ones by their description
	TypeDetail string // its data type, as people say it
}

func settingsAttrRows(t ticket.Type) []settingsAttrRow {
	rows := make([]settingsAttrRow, len(t.Attributes))
	for i, a := range t.Attributes {
		rows[i] = settingsAttrRow{Attribute: a, Index: i, Up: i - 1, Down: i + 1, First: i == 0, Last: i == len(t.Attributes)-1,
			Label: settingsAttrLabel(a), TypeDetail: settingsTypeDetail(a)}
	}
	return rows
}

func settingsAttrLabel(a ticket.Attribute) string {
	if a.Default {
		return a.Description
	}
	return a.Name
}

func settingsTypeDetail(a ticket.Attribute) string {
	switch a.DataType {
	case ticket.String:
		if a.Multiline {
			return "Text, several lines"
		}
		return "Text, one line"
	case ticket.List:
		s := "List: " + strings.Join(a.ListItems, ", ")
		if a.AllowMultiple {
			s += " (several values)"
		}
		return s
	case ticket.Files:
		if a.AllowMultiple {
			return "Files"
		}
		return "File"
	}
	return settingsDataTypeLabel(a.DataType)
}

// settingsAttrForm is an attribute's form, with the API's field names.
type settingsAttrForm struct {
	Name, Description, DataType, ListItems string
	Multiline, AllowMultiple               bool
	RequiredToCreate, RequiredForContacts  bool
	VisibleOnCreate, VisibleToContacts     bool
}

func settingsAttrFormOf(a ticket.Attribute) settingsAttrForm {
	return settingsAttrForm{Name: a.Name, Description: a.Description, DataType: string(a.DataType), ListItems: strings.Join(a.ListItems, "\n"),
		Multiline: a.Multiline, AllowMultiple: a.AllowMultiple, RequiredToCreate: a.RequiredToCreate,
		RequiredForContacts: a.RequiredForContacts, VisibleOnCreate: a.VisibleOnCreate, VisibleToContacts: a.VisibleToContacts}
}

func settingsReadAttrForm(r *http.Request) settingsAttrForm {
	return settingsAttrForm{Name: r.PostFormValue("name"), Description: r.PostFormValue("description"),
		DataType: r.PostFormValue("data_type"), ListItems: r.PostFormValue("list_items"),
		Multiline: settingsChecked(r, "multiline"), AllowMultiple: settingsChecked(r, "allow_multiple_values"),
		RequiredToCreate: settingsChecked(r, "required_to_create"), RequiredForContacts: settingsChecked(r, "required_to_create_for_contacts"),
		VisibleOnCreate: settingsChecked(r, "visible_on_create"), VisibleToContacts: settingsChecked(r, "visible_to_contacts")}
}

// items reads the list's items, one per line; blank lines are skipped.
func (f settingsAttrForm) items() []string {
	items := []string{}
	for line := range strings.Lines(f.ListItems) {
		if line = strings.TrimSpace(line); line != "" {
			items = append(items, line)
		}
	}
	return items
}

// dataType is the form's data type, an unknown one passed on for the rules to refuse.
func (f settingsAttrForm) dataType() ticket.DataType {
	if d, ok := ticket.ParseDataType(f.DataType); ok {
		return d
	}
	return ticket.DataType(settingsOr(f.DataType, "none"))
}

var settingsAttrFields = []string{"name", "description", "data_type", "list_items", "multiline", "allow_multiple_values",
	"required_to_create", "required_to_create_for_contacts", "visible_on_create", "visible_to_contacts"}

type settingsTypePage struct {
	settingsPage
	Type       ticket.Type
	Rows       []settingsAttrRow
	Categories []ticket.Category
	DataTypes  []ticket.DataType
	Form       settingsTypeForm
	Errors     settingsErrors // of the type's form
	New        settingsAttrForm
	NewErrors  settingsErrors // of the new attribute's form
	ListError  string         // a refused move or archive of an attribute
	sent       bool           // Form is what was sent
	newSent    bool           // New is what was sent
}

func (in *Inbox) settingsRenderType(w http.ResponseWriter, r *http.Request, status int, p *settingsTypePage) error {
	id, err := settingsPathID(r, "id")
	if err != nil {
		return err
	}
	typ, err := in.db.Read().TicketType(r.Context(), id)
	if err != nil {
		return err
	}
	p.settingsPage = in.settingsNewPage(r, typ.Name, "types")
	p.Type, p.Rows = typ, settingsAttrRows(typ)
	p.Categories = []ticket.Category{ticket.Customer, ticket.BackOffice, ticket.Tracker}
	p.DataTypes = []ticket.DataType{ticket.String, ticket.List, ticket.Integer, ticket.Decimal, ticket.Boolean, ticket.Datetime, ticket.Files}
	if !p.sent {
		p.Form = settingsTypeFormOf(typ)
	}
	if !p.newSent {
		// Shown to customers by default only on Customer types: a Back-office type's fields are
		// internal unless a teammate decides otherwise.
		p.New = settingsAttrForm{DataType: string(ticket.String), VisibleOnCreate: true, VisibleToContacts: typ.Category == ticket.Customer}
	}
	in.render(w, r, status, "settings-type", p)
	return nil
}

func (in *Inbox) settingsType(w http.ResponseWriter, r *http.Request) error {
	return in.settingsRenderType(w, r, http.StatusOK, &settingsTypePage{})
}

// Tracker tells whether the page's type is a Tracker type, whose tickets are never shared with
// customers: its attributes have no customer flags to show or set.
func (p *settingsTypePage) Tracker() bool { return p.Type.Category == ticket.Tracker }

// Tracker tells whether the attribute's type is a Tracker type (see settingsTypePage.Tracker).
func (p *settingsAttrPage) Tracker() bool { return p.Type.Category == ticket.Tracker }

// settingsTracker tells whether the type of the request's path is a Tracker type. Its attributes'
// customer flags mean nothing (Tracker tickets are never shared), so a form's are ignored: a new
// attribute is hidden from customers, an edited one keeps what it had.
func (in *Inbox) settingsTracker(r *http.Request) (bool, error) {
	id, err := settingsPathID(r, "id")
	if err != nil {
		return false, err
	}
	typ, err := in.db.Read().TicketType(r.Context(), id)
	return typ.Category == ticket.Tracker, err
}

func (in *Inbox) settingsUpdateType(w http.ResponseWriter, r *http.Request) error {
	id, err := settingsPathID(r, "id")
	if err != nil {
		return err
	}
	f := settingsReadTypeForm(r)
	c := f.category()
	change := ticket.TypeChange{Name: &f.Name, Description: &f.Description, Icon: &f.Icon, Category: &c, IsInternal: f.internal()}
	_, err = in.desk.UpdateTicketType(r.Context(), id, change)
	return settingsAnswer(w, r, err, settingsTypeFields, func(e settingsErrors) error {
		return in.settingsRenderType(w, r, http.StatusUnprocessableEntity, &settingsTypePage{Form: f, Errors: e, sent: true})
	}, fmt.Sprintf("/inbox/settings/ticket-types/%d", id), "type-saved")
}

func (in *Inbox) settingsArchiveType(w http.ResponseWriter, r *http.Request) error {
	id, err := settingsPathID(r, "id")
	if err != nil {
		return err
	}
	archived := r.PostFormValue("archived") == "true"
	_, err = in.desk.UpdateTicketType(r.Context(), id, ticket.TypeChange{Archived: &archived})
	if errs, ok := settingsFieldErrors(err, settingsTypeFields...); ok {
		return in.settingsRenderType(w, r, http.StatusUnprocessableEntity, &settingsTypePage{Errors: errs})
	}
	if err != nil {
		return settingsNotFound(err)
	}
	done := "type-unarchived"
	if archived {
		done = "type-archived"
	}
	settingsRedirect(w, r, fmt.Sprintf("/inbox/settings/ticket-types/%d", id), done)
	return nil
}

// Attributes (TT2).

func (in *Inbox) settingsAddAttribute(w http.ResponseWriter, r *http.Request) error {
	id, err := settingsPathID(r, "id")
	if err != nil {
		return err
	}
	f := settingsReadAttrForm(r)
	a := ticket.Attribute{Name: f.Name, Description: f.Description, DataType: f.dataType(),
		Multiline: f.Multiline, AllowMultiple: f.AllowMultiple, RequiredToCreate: f.RequiredToCreate,
		RequiredForContacts: f.RequiredForContacts, VisibleOnCreate: f.VisibleOnCreate, VisibleToContacts: f.VisibleToContacts}
	if a.DataType == ticket.List || strings.TrimSpace(f.ListItems) != "" {
		a.ListItems = f.items()
	}
	tracker, err := in.settingsTracker(r)
	if err != nil {
		return err
	}
	if tracker {
		a.RequiredForContacts, a.VisibleToContacts = false, false
	}
	_, err = in.desk.AddTicketAttribute(r.Context(), id, a)
	return settingsAnswer(w, r, err, settingsAttrFields, func(e settingsErrors) error {
		return in.settingsRenderType(w, r, http.StatusUnprocessableEntity, &settingsTypePage{New: f, NewErrors: e, newSent: true})
	}, fmt.Sprintf("/inbox/settings/ticket-types/%d", id), "attribute-added")
}

type settingsAttrPage struct {
	settingsPage
	Type   ticket.Type
	Attr   ticket.Attribute
	Detail string
	Form   settingsAttrForm
	Errors settingsErrors
	sent   bool // Form is what was sent, not the stored definition
}

func (in *Inbox) settingsRenderAttribute(w http.ResponseWriter, r *http.Request, status int, p *settingsAttrPage) error {
	id, err := settingsPathID(r, "id")
	if err != nil {
		return err
	}
	attrID, err := settingsPathID(r, "attr")
	if err != nil {
		return err
	}
	typ, err := in.db.Read().TicketType(r.Context(), id)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(typ.Attributes, func(a ticket.Attribute) bool { return a.ID == attrID })
	if i < 0 {
		return store.ErrNotFound
	}
	a := typ.Attributes[i]
	p.settingsPage = in.settingsNewPage(r, settingsAttrLabel(a)+" · "+typ.Name, "types")
	p.Type, p.Attr, p.Detail = typ, a, settingsTypeDetail(a)
	if !p.sent {
		p.Form = settingsAttrFormOf(a)
	}
	in.render(w, r, status, "settings-attribute", p)
	return nil
}

func (in *Inbox) settingsAttribute(w http.ResponseWriter, r *http.Request) error {
	return in.settingsRenderAttribute(w, r, http.StatusOK, &settingsAttrPage{})
}

// settingsChangeAttribute applies a change to the attribute of the request's path. A refused
// edit shows the attribute's form as sent (form), with the error next to its field; a refused
// move or archive shows the type's page with the error above its attributes.
func (in *Inbox) settingsChangeAttribute(w http.ResponseWriter, r *http.Request, c ticket.AttributeChange, form *settingsAttrForm, done string) error {
	id, err := settingsPathID(r, "id")
	if err != nil {
		return err
	}
	attrID, err := settingsPathID(r, "attr")
	if err != nil {
		return err
	}
	_, err = in.desk.ChangeTicketAttribute(r.Context(), id, attrID, c)
	if errs, ok := settingsFieldErrors(err, settingsAttrFields...); ok {
		if form != nil {
			return in.settingsRenderAttribute(w, r, http.StatusUnprocessableEntity, &settingsAttrPage{Form: *form, Errors: errs, sent: true})
		}
		for _, msg := range errs {
			return in.settingsRenderType(w, r, http.StatusUnprocessableEntity, &settingsTypePage{ListError: msg})
		}
	}
	if err != nil {
		return settingsNotFound(err)
	}
	settingsRedirect(w, r, fmt.Sprintf("/inbox/settings/ticket-types/%d", id), done)
	return nil
}

func (in *Inbox) settingsUpdateAttribute(w http.ResponseWriter, r *http.Request) error {
	f := settingsReadAttrForm(r)
	c := ticket.AttributeChange{Description: &f.Description, RequiredToCreate: &f.RequiredToCreate,
		RequiredForContacts: &f.RequiredForContacts, VisibleOnCreate: &f.VisibleOnCreate, VisibleToContacts: &f.VisibleToContacts}
	// Only what the form shows for the attribute's type is sent (the built-in ones keep their
	// name and lines).
	if r.PostForm.Has("name") {
		c.Name = &f.Name
	}
	if r.PostForm.Has("list_items") {
		c.ListItems = f.items()
	}
	if r.PostForm.Has("has_multiline") {
		c.Multiline = &f.Multiline
	}
	if r.PostForm.Has("has_allow_multiple_values") {
		c.AllowMultiple = &f.AllowMultiple
	}
	tracker, err := in.settingsTracker(r)
	if err != nil {
		return err
	}
	if tracker {
		c.RequiredForContacts, c.VisibleToContacts = nil, nil
	}
	return in.settingsChangeAttribute(w, r, c, &f, "attribute-saved")
}

func (in *Inbox) settingsArchiveAttribute(w http.ResponseWriter, r *http.Request) error {
	archived := r.PostFormValue("archived") == "true"
	done := "attribute-restore"
	if archived {
		done = "attribute-archive"
	}
	return in.settingsChangeAttribute(w, r, ticket.AttributeChange{Archived: &archived}, nil, done)
}

func (in *Inbox) settingsMoveAttribute(w http.ResponseWriter, r *http.Request) error {
	order, err := strconv.Atoi(r.PostFormValue("order"))
	if err != nil {
		order = -1 // refused by the rules, naming the field
	}
	return in.settingsChangeAttribute(w, r, ticket.AttributeChange{Order: &order}, nil, "attribute-moved")
}

// Teammates and teams.

type settingsTeammateForm struct{ Email, Name, Role string }

var settingsTeammateFields = []string{"email", "name", "role", "password"}

type settingsTeammatesPage struct {
	settingsPage
	Admins      []settingsTeammateRow // the active teammates
	Deactivated []settingsTeammateRow // those who left
	TeamNames   map[int64]string
	Roles       []string // the roles the signed-in teammate may give
	Form        settingsTeammateForm
	Errors      settingsErrors
}

// settingsTeammateRow is a teammate with what the signed-in teammate may do to them.
type settingsTeammateRow struct {
	store.Admin
	// Manage: may change their role, set their password, deactivate or reactivate them (only
	// owners manage owners).
	Manage bool
	Self   bool     // the signed-in teammate, who does not deactivate themselves
	Roles  []string // the roles to choose from, their own always among them
	// What is still assigned to them, and the searches that list it, to reassign.
	Open, Snoozed       int
	OpenURL, SnoozedURL string
}

func (in *Inbox) settingsRenderTeammates(w http.ResponseWriter, r *http.Request, status int, form settingsTeammateForm, errs settingsErrors) error {
	q := in.db.Read()
	admins, err := q.Admins(r.Context())
	if err != nil {
		return err
	}
	teams, err := q.Teams(r.Context())
	if err != nil {
		return err
	}
	names := make(map[int64]string, len(teams))
	for _, t := range teams {
		names[t.ID] = t.Name
	}
	roles := []string{store.RoleAgent, store.RoleAdmin}
	me := currentAdmin(r.Context())
	if me.Role == store.RoleOwner {
		roles = append(roles, store.RoleOwner)
	}
	ids := make([]int64, len(admins))
	for i, a := range admins {
		ids[i] = a.ID
	}
	held, err := q.OpenItemsOfAdmins(r.Context(), ids)
	if err != nil {
		return err
	}
	p := &settingsTeammatesPage{settingsPage: in.settingsNewPage(r, "Teammates", "teammates"), TeamNames: names,
		Roles: roles, Form: form, Errors: errs}
	for _, a := range admins {
		row := settingsTeammateRow{Admin: a, Manage: desk.MayManageTeammate(me, a), Self: a.ID == me.ID, Roles: roles,
			Open: held[a.ID].Open, Snoozed: held[a.ID].Snoozed,
			OpenURL: settingsAssignedSearch(a.ID, "open"), SnoozedURL: settingsAssignedSearch(a.ID, "snoozed")}
		if !slices.Contains(roles, a.Role) {
			row.Roles = append([]string{a.Role}, roles...)
		}
		if a.Active() {
			p.Admins = append(p.Admins, row)
		} else {
			p.Deactivated = append(p.Deactivated, row)
		}
	}
	if flash := settingsTeammateFlash(r, admins); flash != "" {
		p.Flash = flash
	}
	in.render(w, r, status, "settings-teammates", p)
	return nil
}

// settingsAssignedSearch is the Inbox search for what is assigned to a teammate, in a state.
func settingsAssignedSearch(adminID int64, state string) string {
	return "/inbox/search?" + url.Values{"assignee": {strconv.FormatInt(adminID, 10)}, "state": {state}}.Encode()
}

// settingsTeammateFlash names the teammate just deactivated or reactivated
// (?done=deactivated&admin=ID); "" for other confirmations, or when the teammate is unknown.
func settingsTeammateFlash(r *http.Request, admins []store.Admin) string {
	q := r.URL.Query()
	done := q.Get("done")
	if done != "deactivated" && done != "reactivated" {
		return ""
	}
	i := slices.IndexFunc(admins, func(a store.Admin) bool { return strconv.FormatInt(a.ID, 10) == q.Get("admin") })
	if i < 0 {
		return ""
	}
	if done == "deactivated" {
		return settingsDeactivatedFlash(admins[i].Name)
	}
	return settingsReactivatedFlash(admins[i].Name)
}

func settingsDeactivatedFlash(who string) string {
	return who + " deactivated: signed out of the Inbox, taken out of every team, and their API tokens stop working " +
		"within 10 seconds. What is assigned to them stays so until someone reassigns it."
}

func settingsReactivatedFlash(who string) string {
	return who + " reactivated. They have no password yet: set one under Manage and give it to them, so that they can sign in."
}

func (in *Inbox) settingsTeammates(w http.ResponseWriter, r *http.Request) error {
	return in.settingsRenderTeammates(w, r, http.StatusOK, settingsTeammateForm{Role: store.RoleAgent}, nil)
}

func (in *Inbox) settingsAddTeammate(w http.ResponseWriter, r *http.Request) error {
	f := settingsTeammateForm{Email: r.PostFormValue("email"), Name: r.PostFormValue("name"), Role: r.PostFormValue("role")}
	_, err := in.desk.AddTeammate(r.Context(), currentAdmin(r.Context()),
		desk.NewTeammate{Email: f.Email, Name: f.Name, Role: f.Role, Password: r.PostFormValue("password")})
	return settingsAnswer(w, r, err, settingsTeammateFields, func(e settingsErrors) error {
		return in.settingsRenderTeammates(w, r, http.StatusUnprocessableEntity, f, e)
	}, "/inbox/settings/teammates", "teammate-added")
}

// settingsRowError shows a refused change to one row of a list (a teammate, a team) at the top of
// its page, naming the row; ok is false for errors that are not refusals.
func settingsRowError(err error, row string) (settingsErrors, bool) {
	errs, ok := settingsFieldErrors(err)
	if ok {
		errs[""] = row + ": " + errs[""]
	}
	return errs, ok
}

func (in *Inbox) settingsSetRole(w http.ResponseWriter, r *http.Request) error {
	return in.settingsChangeTeammate(w, r, "role-changed", func(ctx context.Context, by store.Admin, id int64) error {
		return in.desk.SetTeammateRole(ctx, by, id, r.PostFormValue("role"))
	})
}

func (in *Inbox) settingsSetPassword(w http.ResponseWriter, r *http.Request) error {
	return in.settingsChangeTeammate(w, r, "password-set", func(ctx context.Context, by store.Admin, id int64) error {
		return in.desk.SetTeammatePassword(ctx, by, id, r.PostFormValue("password"))
	})
}

// settingsDeactivate deactivates a teammate who left (desk.DeactivateTeammate); the page's
// Deactivate… disclosure, which says what it does, is the confirmation.
func (in *Inbox) settingsDeactivate(w http.ResponseWriter, r *http.Request) error {
	return in.settingsChangeTeammate(w, r, "deactivated", in.desk.DeactivateTeammate)
}

// settingsReactivate makes a deactivated teammate active again, without a password.
func (in *Inbox) settingsReactivate(w http.ResponseWriter, r *http.Request) error {
	return in.settingsChangeTeammate(w, r, "reactivated", in.desk.ReactivateTeammate)
}

// settingsChangeTeammate makes a change to the teammate of the path, by the signed-in one, and
// answers with the teammates page: done, or the refusal named after the teammate.
func (in *Inbox) settingsChangeTeammate(w http.ResponseWriter, r *http.Request, done string,
	change func(ctx context.Context, by store.Admin, id int64) error) error {
	id, err := settingsPathID(r, "id")
	if err != nil {
		return err
	}
	a, err := in.db.Read().Admin(r.Context(), id)
	if err != nil {
		return err
	}
	me := currentAdmin(r.Context())
	err = change(r.Context(), me, id)
	if errs, ok := settingsRowError(err, a.Name); ok {
		return in.settingsRenderTeammates(w, r, http.StatusUnprocessableEntity, settingsTeammateForm{Role: store.RoleAgent}, errs)
	}
	if errors.Is(err, desk.ErrSettingsRefused) { // demoted or deactivated since the request began
		in.render(w, r, http.StatusForbidden, "message", &messagePage{Page: Page{Title: "Settings", Nav: "settings"},
			Heading: "Settings are read-only for you",
			Message: "Only owners and admins can change settings; nothing was changed. Ask one of them."})
		return nil
	}
	if err != nil {
		return settingsNotFound(err)
	}
	switch {
	case done == "password-set" && id == me.ID: // they signed themselves out
		http.Redirect(w, r, "/inbox/login", http.StatusSeeOther)
	case done == "deactivated" || done == "reactivated": // the confirmation names them
		q := url.Values{"done": {done}, "admin": {strconv.FormatInt(id, 10)}}
		http.Redirect(w, r, "/inbox/settings/teammates?"+q.Encode(), http.StatusSeeOther)
	default:
		settingsRedirect(w, r, "/inbox/settings/teammates", done)
	}
	return nil
}

// Your account: one's own password, for every role.

type settingsAccountPage struct {
	settingsPage
	Errors settingsErrors
}

func (in *Inbox) settingsRenderAccount(w http.ResponseWriter, r *http.Request, status int, errs settingsErrors) error {
	in.render(w, r, status, "settings-account", &settingsAccountPage{settingsPage: in.settingsNewPage(r, "Your account", "account"), Errors: errs})
	return nil
}

func (in *Inbox) settingsAccount(w http.ResponseWriter, r *http.Request) error {
	return in.settingsRenderAccount(w, r, http.StatusOK, nil)
}

func (in *Inbox) settingsChangeOwnProfile(w http.ResponseWriter, r *http.Request) error {
	err := in.desk.ChangeOwnProfile(r.Context(), currentAdmin(r.Context()), r.PostFormValue("name"), r.PostFormValue("email"))
	return settingsAnswer(w, r, err, []string{"name", "email"}, func(e settingsErrors) error {
		return in.settingsRenderAccount(w, r, http.StatusUnprocessableEntity, e)
	}, "/inbox/settings/account", "profile-changed")
}

func (in *Inbox) settingsChangeOwnPassword(w http.ResponseWriter, r *http.Request) error {
	var token string
	if c, err := r.Cookie(cookieName); err == nil {
		token = c.Value
	}
	password := r.PostFormValue("password")
	if password != r.PostFormValue("confirm") {
		return in.settingsRenderAccount(w, r, http.StatusUnprocessableEntity, settingsErrors{"confirm": "The two new passwords are not the same."})
	}
	err := in.desk.ChangeOwnPassword(r.Context(), currentAdmin(r.Context()), token, r.PostFormValue("current_password"), password)
	return settingsAnswer(w, r, err, []string{"current_password", "password"}, func(e settingsErrors) error {
		return in.settingsRenderAccount(w, r, http.StatusUnprocessableEntity, e)
	}, "/inbox/settings/account", "password-changed")
}

func (in *Inbox) settingsRenameTeam(w http.ResponseWriter, r *http.Request) error {
	id, err := settingsPathID(r, "id")
	if err != nil {
		return err
	}
	t, err := in.db.Read().Team(r.Context(), id)
	if err != nil {
		return err
	}
	err = in.desk.RenameTeam(r.Context(), id, r.PostFormValue("name"))
	if errs, ok := settingsRowError(err, t.Name); ok {
		return in.settingsRenderTeams(w, r, http.StatusUnprocessableEntity, "", errs)
	}
	if err != nil {
		return settingsNotFound(err)
	}
	settingsRedirect(w, r, "/inbox/settings/teams", "team-renamed")
	return nil
}

func (in *Inbox) settingsDeleteTeam(w http.ResponseWriter, r *http.Request) error {
	id, err := settingsPathID(r, "id")
	if err != nil {
		return err
	}
	err = in.desk.DeleteTeam(r.Context(), id)
	if errs, ok := settingsFieldErrors(err); ok {
		// The refusal links to the team's view in the Inbox, where the work to reassign is.
		p := &settingsTeamsPage{Errors: errs, BlockedView: "/inbox/views/team-" + strconv.FormatInt(id, 10)}
		if t, err := in.db.Read().Team(r.Context(), id); err == nil {
			p.BlockedName = t.Name
		}
		return in.settingsRenderTeamsPage(w, r, http.StatusConflict, p)
	}
	if err != nil {
		return settingsNotFound(err)
	}
	settingsRedirect(w, r, "/inbox/settings/teams", "team-deleted")
	return nil
}

// settingsTeamRow is a team with its members and the teammates who could join it.
type settingsTeamRow struct {
	store.Team
	Members []store.Admin
	Others  []store.Admin
}

type settingsTeamsPage struct {
	settingsPage
	Teams       []settingsTeamRow
	Name        string
	Errors      settingsErrors
	BlockedView string // a refused delete: the Inbox view of the team's work
	BlockedName string
}

func (in *Inbox) settingsRenderTeams(w http.ResponseWriter, r *http.Request, status int, name string, errs settingsErrors) error {
	return in.settingsRenderTeamsPage(w, r, status, &settingsTeamsPage{Name: name, Errors: errs})
}

func (in *Inbox) settingsRenderTeamsPage(w http.ResponseWriter, r *http.Request, status int, p *settingsTeamsPage) error {
	q := in.db.Read()
	teams, err := q.Teams(r.Context())
	if err != nil {
		return err
	}
	admins, err := q.Admins(r.Context())
	if err != nil {
		return err
	}
	rows := make([]settingsTeamRow, len(teams))
	for i, t := range teams {
		rows[i].Team = t
		for _, a := range admins {
			switch {
			case slices.Contains(t.AdminIDs, a.ID):
				rows[i].Members = append(rows[i].Members, a)
			case a.Active(): // a deactivated teammate joins no team
				rows[i].Others = append(rows[i].Others, a)
			}
		}
	}
	p.settingsPage, p.Teams = in.settingsNewPage(r, "Teams", "teams"), rows
	if flash := settingsMemberFlash(r, teams, admins); flash != "" {
		p.Flash = flash
	}
	in.render(w, r, status, "settings-teams", p)
	return nil
}

// settingsMemberFlash names the teammate and the team of a membership just changed
// (?done=member-added&team=ID&admin=ID), as they are now; "" when either is gone.
func settingsMemberFlash(r *http.Request, teams []store.Team, admins []store.Admin) string {
	q := r.URL.Query()
	done := q.Get("done")
	if done != "member-added" && done != "member-removed" {
		return ""
	}
	ti := slices.IndexFunc(teams, func(t store.Team) bool { return strconv.FormatInt(t.ID, 10) == q.Get("team") })
	ai := slices.IndexFunc(admins, func(a store.Admin) bool { return strconv.FormatInt(a.ID, 10) == q.Get("admin") })
	if ti < 0 || ai < 0 {
		return ""
	}
	if done == "member-added" {
		return admins[ai].Name + " added to " + teams[ti].Name + "."
	}
	return admins[ai].Name + " removed from " + teams[ti].Name + "."
}

// settingsMemberRedirect sends the browser back to the teams after a change of membership, naming
// the team and the teammate for the confirmation.
func settingsMemberRedirect(w http.ResponseWriter, r *http.Request, done string, teamID, adminID int64) {
	q := url.Values{"done": {done}, "team": {strconv.FormatInt(teamID, 10)}, "admin": {strconv.FormatInt(adminID, 10)}}
	http.Redirect(w, r, "/inbox/settings/teams?"+q.Encode(), http.StatusSeeOther)
}

func (in *Inbox) settingsTeams(w http.ResponseWriter, r *http.Request) error {
	return in.settingsRenderTeams(w, r, http.StatusOK, "", nil)
}

func (in *Inbox) settingsCreateTeam(w http.ResponseWriter, r *http.Request) error {
	name := r.PostFormValue("name")
	_, err := in.desk.CreateTeam(r.Context(), name)
	return settingsAnswer(w, r, err, []string{"name"}, func(e settingsErrors) error {
		return in.settingsRenderTeams(w, r, http.StatusUnprocessableEntity, name, e)
	}, "/inbox/settings/teams", "team-created")
}

func (in *Inbox) settingsAddMember(w http.ResponseWriter, r *http.Request) error {
	teamID, err := settingsPathID(r, "id")
	if err != nil {
		return err
	}
	adminID, err := strconv.ParseInt(r.PostFormValue("admin_id"), 10, 64)
	if err != nil {
		return in.settingsRenderTeams(w, r, http.StatusUnprocessableEntity, "", settingsErrors{"": "Choose a teammate to add to the team."})
	}
	err = in.desk.AddTeamMember(r.Context(), teamID, adminID)
	if errs, ok := settingsFieldErrors(err); ok { // a deactivated teammate
		return in.settingsRenderTeams(w, r, http.StatusUnprocessableEntity, "", errs)
	}
	if err != nil {
		return settingsNotFound(err)
	}
	settingsMemberRedirect(w, r, "member-added", teamID, adminID)
	return nil
}

func (in *Inbox) settingsRemoveMember(w http.ResponseWriter, r *http.Request) error {
	teamID, err := settingsPathID(r, "id")
	if err != nil {
		return err
	}
	adminID, err := settingsPathID(r, "admin")
	if err != nil {
		return err
	}
	if err := in.desk.RemoveTeamMember(r.Context(), teamID, adminID); err != nil {
		return settingsNotFound(err)
	}
	settingsMemberRedirect(w, r, "member-removed", teamID, adminID)
	return nil
}

// API tokens: the signed-in teammate's own.

type settingsTokensPage struct {
	settingsPage
	BaseURL  string
	Tokens   []store.Token
	Name     string
	Errors   settingsErrors
	NewToken string // shown once, right after it is made
	NewName  string
	NewWhen  time.Time
	newID    string
}

func (in *Inbox) settingsRenderTokens(w http.ResponseWriter, r *http.Request, status int, p *settingsTokensPage) error {
	tokens, err := in.db.Read().AdminTokens(r.Context(), currentAdmin(r.Context()).ID)
	if err != nil {
		return err
	}
	p.settingsPage = in.settingsNewPage(r, "API tokens", "tokens")
	p.BaseURL = in.cfg.BaseURL
	p.Tokens = tokens
	if p.NewToken != "" {
		p.Flash = "" // the token's own box says it all
		for _, t := range tokens {
			if strconv.FormatInt(t.ID, 10) == p.newID {
				p.NewName, p.NewWhen = t.Name, t.CreatedAt
			}
		}
	}
	in.render(w, r, status, "settings-tokens", p)
	return nil
}

// settingsNewTokenCookie carries a token just made from its POST to the next GET of the tokens
// page, which shows it once and deletes the cookie: a reload then makes no second token. Only
// the tokens page gets it, for a minute at most, never from another site nor from scripts.
const settingsNewTokenCookie = "helpdesk_new_token"

func (in *Inbox) settingsNewTokenCookie(value string, maxAge int) *http.Cookie {
	return &http.Cookie{Name: settingsNewTokenCookie, Value: value, Path: "/inbox/settings/tokens", MaxAge: maxAge,
		HttpOnly: true, Secure: in.secure, SameSite: http.SameSiteStrictMode}
}

func (in *Inbox) settingsTokens(w http.ResponseWriter, r *http.Request) error {
	p := &settingsTokensPage{}
	if c, err := r.Cookie(settingsNewTokenCookie); err == nil {
		http.SetCookie(w, in.settingsNewTokenCookie("", -1))
		// ID.TOKEN, shown only if the token is the teammate's own and still works.
		id, token, _ := strings.Cut(c.Value, ".")
		if token != "" {
			if a, err := in.db.Read().AdminByToken(r.Context(), auth.HashToken(token)); err == nil && a.ID == currentAdmin(r.Context()).ID {
				p.NewToken, p.newID = token, id
			}
		}
	}
	return in.settingsRenderTokens(w, r, http.StatusOK, p)
}

func (in *Inbox) settingsCreateToken(w http.ResponseWriter, r *http.Request) error {
	name := r.PostFormValue("name")
	token, t, err := in.desk.CreateAPIToken(r.Context(), currentAdmin(r.Context()).ID, name)
	if errs, ok := settingsFieldErrors(err, "name"); ok {
		return in.settingsRenderTokens(w, r, http.StatusUnprocessableEntity, &settingsTokensPage{Name: name, Errors: errs})
	}
	if err != nil {
		return err
	}
	http.SetCookie(w, in.settingsNewTokenCookie(strconv.FormatInt(t.ID, 10)+"."+token, 60))
	settingsRedirect(w, r, "/inbox/settings/tokens", "token-created")
	return nil
}

func (in *Inbox) settingsRevokeToken(w http.ResponseWriter, r *http.Request) error {
	id, err := settingsPathID(r, "id")
	if err != nil {
		return err
	}
	if err := in.desk.RevokeAPIToken(r.Context(), currentAdmin(r.Context()).ID, id); err != nil {
		return settingsNotFound(err)
	}
	settingsRedirect(w, r, "/inbox/settings/tokens", "token-revoked")
	return nil
}

// The Messenger (E1, M1, P2, P7).

type settingsMessengerPage struct {
	settingsPage
	BaseURL       string
	LogoURL       string
	Errors        settingsErrors
	SecretFromEnv bool   // HELPDESK_IDENTITY_SECRET is in force; the setting is not used
	SecretSet     bool   // the workspace has a secret of its own
	SecretHint    string // the stored secret, masked
	// Secret is the stored secret, for owners and admins to copy into their product's server
	// configuration (behind a Show disclosure); never filled for agents.
	Secret      string
	SecretIsNew bool // it was just generated: the disclosure starts open
}

func (in *Inbox) settingsRenderMessenger(w http.ResponseWriter, r *http.Request, status int, p *settingsMessengerPage) error {
	q := in.db.Read()
	logo, err := q.Setting(r.Context(), desk.MessengerLogoSetting)
	if err != nil {
		return err
	}
	secret, err := q.Setting(r.Context(), desk.IdentitySecretSetting)
	if err != nil {
		return err
	}
	p.settingsPage = in.settingsNewPage(r, "Messenger", "messenger")
	p.BaseURL = in.cfg.BaseURL
	if p.Errors["logo_url"] == "" {
		p.LogoURL = logo
	}
	p.SecretFromEnv = in.cfg.IdentitySecret != ""
	p.SecretSet, p.SecretHint = secret != "", settingsMask(secret)
	if p.CanChange && !p.SecretFromEnv {
		p.Secret = secret
		p.SecretIsNew = secret != "" && r.URL.Query().Get("done") == "secret-generated"
	}
	in.render(w, r, status, "settings-messenger", p)
	return nil
}

// settingsMask shows a secret by its length and last four characters, enough to tell two apart.
func settingsMask(s string) string {
	n := utf8.RuneCountInString(s)
	if n < 12 {
		return strings.Repeat("•", n)
	}
	r := []rune(s)
	return strings.Repeat("•", 8) + string(r[n-4:]) + fmt.Sprintf(" (%d characters)", n)
}

func (in *Inbox) settingsMessenger(w http.ResponseWriter, r *http.Request) error {
	return in.settingsRenderMessenger(w, r, http.StatusOK, &settingsMessengerPage{})
}

func (in *Inbox) settingsSetLogo(w http.ResponseWriter, r *http.Request) error {
	logo := r.PostFormValue("logo_url")
	err := in.desk.SetMessengerLogo(r.Context(), logo)
	return settingsAnswer(w, r, err, []string{"logo_url"}, func(e settingsErrors) error {
		return in.settingsRenderMessenger(w, r, http.StatusUnprocessableEntity, &settingsMessengerPage{LogoURL: logo, Errors: e})
	}, "/inbox/settings/messenger", "logo-saved")
}

// settingsSecretFromEnv refuses to change the workspace's secret while the environment's is in force:
// the change would do nothing.
func (in *Inbox) settingsSecretFromEnv(w http.ResponseWriter, r *http.Request) bool {
	if in.cfg.IdentitySecret == "" {
		return false
	}
	_ = in.settingsRenderMessenger(w, r, http.StatusConflict, &settingsMessengerPage{Errors: settingsErrors{"identity_secret": "HELPDESK_IDENTITY_SECRET is set on the server and is in force; change it there. Nothing was changed."}})
	return true
}

func (in *Inbox) settingsSetSecret(w http.ResponseWriter, r *http.Request) error {
	if in.settingsSecretFromEnv(w, r) {
		return nil
	}
	err := in.desk.SetIdentitySecret(r.Context(), r.PostFormValue("identity_secret"))
	return settingsAnswer(w, r, err, []string{"identity_secret"}, func(e settingsErrors) error {
		return in.settingsRenderMessenger(w, r, http.StatusUnprocessableEntity, &settingsMessengerPage{Errors: e})
	}, "/inbox/settings/messenger", "secret-saved")
}

func (in *Inbox) settingsGenerateSecret(w http.ResponseWriter, r *http.Request) error {
	if in.settingsSecretFromEnv(w, r) {
		return nil
	}
	if _, err := in.desk.GenerateIdentitySecret(r.Context()); err != nil {
		return err
	}
	// Redirected, so that reloading the page shows the secret again rather than making another.
	settingsRedirect(w, r, "/inbox/settings/messenger", "secret-generated")
	return nil
}

// Email (E1-E3): the configuration in force, from the environment.

type settingsEmailPage struct {
	settingsPage
	Email   EmailConfig
	LogoURL string
	BaseURL string
}

func (in *Inbox) settingsEmail(w http.ResponseWriter, r *http.Request) error {
	logo, err := in.db.Read().Setting(r.Context(), desk.MessengerLogoSetting)
	if err != nil {
		return err
	}
	p := &settingsEmailPage{settingsPage: in.settingsNewPage(r, "Email", "email"), Email: in.cfg.Email, LogoURL: logo, BaseURL: in.cfg.BaseURL}
	in.render(w, r, http.StatusOK, "settings-email", p)
	return nil
}
