package messenger

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/helpdesk/helpdesk/internal/desk"
	"github.com/helpdesk/helpdesk/internal/store"
	"github.com/helpdesk/helpdesk/internal/ticket"
)

// formView is a ticket form (CT3, CT4): the customer-visible attributes of a type, as inputs.
type formView struct {
	ID          int64 // the ticket form sent into a conversation; 0 for a new ticket (CT4)
	Action      string
	TypeName    string
	Description string
	Submitted   bool
	Fields      []fieldView
	Error       string // a problem that is no one field's
}

// fieldView is one attribute's input.
type fieldView struct {
	Name     string // the attribute's name, as desk's errors name it
	Input    string // the input's name: attr_{id}
	ID       string // the input's element id, unique in the page
	Label    string
	Help     string
	Kind     string // text, textarea, select, checkboxes, integer, decimal, boolean, datetime
	Required bool
	Options  []string
	Value    string
	Values   []string // of checkboxes
	Error    string   // said after the label: "Order number is required ..."
}

// Checked tells whether a checkbox of the field is ticked.
func (f fieldView) Checked(option string) bool { return slices.Contains(f.Values, option) }

// fieldsOf are the inputs of a type's form: the attributes shown to customers, in order, but
// files, which the Messenger does not take. prefix keeps element ids unique in a page that
// shows several forms.
func fieldsOf(typ ticket.Type, prefix string) []fieldView {
	var out []fieldView
	for _, a := range typ.Attributes {
		if !a.VisibleToContacts || a.Archived || a.DataType == ticket.Files {
			continue
		}
		input := "attr_" + strconv.FormatInt(a.ID, 10)
		f := fieldView{Name: a.Name, Input: input, ID: prefix + "-" + input, Label: a.Name, Help: a.Description,
			Required: a.RequiredForContacts}
		if a.Default {
			f.Label, f.Help = a.Description, "" // "Title", "Description"
		}
		switch a.DataType {
		case ticket.String:
			f.Kind = "text"
			if a.Multiline || a.Name == ticket.DescriptionAttribute {
				f.Kind = "textarea"
			}
		case ticket.List:
			f.Kind, f.Options = "select", a.ListItems
			if a.AllowMultiple {
				f.Kind = "checkboxes"
			}
		case ticket.Integer, ticket.Decimal, ticket.Boolean, ticket.Datetime:
			f.Kind = string(a.DataType)
		default:
			continue
		}
		out = append(out, f)
	}
	return out
}

// readFields reads the posted form into the attribute values desk takes, keeping what was
// typed in fields. It reports false when a value is not of its type (a number that is not one),
// each such field saying so.
func readFields(fields []fieldView, form url.Values) (map[string]json.RawMessage, bool) {
	values := map[string]json.RawMessage{}
	ok := true
	loc := time.UTC
	if tz, err := strconv.Atoi(form.Get("tz")); err == nil && tz >= -14*60 && tz <= 14*60 {
		loc = time.FixedZone("", tz*60) // minutes east of UTC, from the page's script
	}
	raw := func(v any) json.RawMessage {
		b, _ := json.Marshal(v)
		return b
	}
	for i := range fields {
		f := &fields[i]
		if f.Kind == "checkboxes" {
			for _, v := range form[f.Input] {
				f.Values = append(f.Values, cleanText(v))
			}
			if len(f.Values) > 0 {
				values[f.Name] = raw(f.Values)
			}
			continue
		}
		f.Value = cleanText(form.Get(f.Input))
		v := strings.TrimSpace(f.Value)
		if v == "" {
			continue
		}
		switch f.Kind {
		case "text":
			values[f.Name] = raw(strings.Join(strings.Fields(v), " "))
		case "textarea":
			values[f.Name] = raw(v)
		case "select":
			values[f.Name] = raw(v)
		case "integer":
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n > 1<<53 || n < -(1<<53) {
				f.Error, ok = "must be a whole number", false
				continue
			}
			values[f.Name] = raw(n)
		case "decimal":
			x, err := strconv.ParseFloat(strings.Replace(v, ",", ".", 1), 64)
			if err != nil || math.IsInf(x, 0) || math.IsNaN(x) {
				f.Error, ok = "must be a number", false
				continue
			}
			values[f.Name] = raw(x)
		case "boolean":
			switch v {
			case "yes":
				values[f.Name] = raw(true)
			case "no":
				values[f.Name] = raw(false)
			default:
				f.Error, ok = "must be Yes or No", false
			}
		case "datetime":
			t, err := time.ParseInLocation("2006-01-02T15:04", v, loc)
			if err != nil {
				f.Error, ok = "must be a date and time", false
				continue
			}
			values[f.Name] = raw(t.Format(time.RFC3339))
		}
	}
	return values, ok
}

// showRuleError puts a refusal of desk (TT5, CT3) next to the field it names, or on the form.
func showRuleError(fv *formView, err error) bool {
	var te *ticket.Error
	if !errors.As(err, &te) {
		return false
	}
	name, isAttr := strings.CutPrefix(te.Field, "ticket_attributes.")
	for i := range fv.Fields {
		if isAttr && fv.Fields[i].Name == name {
			fv.Fields[i].Error = te.Message
			return true
		}
	}
	fv.Error = te.Message
	return true
}

// submitForm is the customer filling in a ticket form sent into their conversation (CT3):
// desk.SubmitTicketForm checks the values, required ones included, and creates the ticket. A
// refusal shows the form again with what was typed and the problem next to its field.
func (m *Messenger) submitForm(w http.ResponseWriter, r *http.Request, v *visit) error {
	ctx := r.Context()
	th, err := m.loadThread(ctx, v, r)
	if err != nil {
		return err
	}
	formID, err := strconv.ParseInt(r.PathValue("form"), 10, 64)
	if err != nil {
		return store.ErrNotFound
	}
	forms, err := m.db.Read().TicketForms(ctx, th.ID)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(forms, func(f store.TicketForm) bool { return f.ID == formID })
	if i < 0 {
		return store.ErrNotFound // not a form of this thread
	}
	typ, err := m.db.Read().TicketType(ctx, forms[i].TicketTypeID)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return err
	}
	fields := fieldsOf(typ, fmt.Sprintf("form%d", formID))
	values, ok := readFields(fields, r.PostForm)
	fv := formView{ID: formID, Fields: fields}
	if ok {
		_, err = m.desk.SubmitTicketForm(ctx, formID, v.contactID, values)
		if err == nil {
			seeOther(w, r, fmt.Sprintf("%s/c/%d", v.base, th.ID))
			return nil
		}
		if !showRuleError(&fv, err) {
			return err
		}
	}
	// Show the thread again, with this form as it was filled in.
	p, err := m.threadPage(r, v)
	if err != nil {
		return err
	}
	for j := range p.Parts {
		if f := p.Parts[j].Form; f != nil && f.ID == formID {
			f.Fields, f.Error = fv.Fields, fv.Error
			f.Submitted = false
		}
	}
	m.render(w, r, http.StatusUnprocessableEntity, "thread", p)
	return nil
}

// typesPage lists the ticket types a customer may create a ticket of (CT4).
type typesPage struct {
	Page
	Types []typeItem
}

func (m *Messenger) ticketTypes(w http.ResponseWriter, r *http.Request, v *visit) error {
	types, err := m.customerTypes(r.Context(), v)
	if err != nil {
		return err
	}
	m.render(w, r, http.StatusOK, "types", &typesPage{Page: Page{Title: "Create a ticket", Base: v.base, Tab: "tickets"}, Types: types})
	return nil
}

// ticketNewPage is the form of a new ticket (CT4).
type ticketNewPage struct {
	Page
	Form formView
}

// customerType is the path's ticket type, when customers may create tickets of it (CT4).
func (m *Messenger) customerType(r *http.Request) (ticket.Type, error) {
	id, err := strconv.ParseInt(r.PathValue("type"), 10, 64)
	if err != nil {
		return ticket.Type{}, store.ErrNotFound
	}
	typ, err := m.db.Read().TicketType(r.Context(), id)
	if err != nil {
		return typ, err
	}
	if typ.Category != ticket.Customer || typ.Archived {
		return typ, store.ErrNotFound
	}
	return typ, nil
}

func (m *Messenger) newTicketPage(v *visit, typ ticket.Type) *ticketNewPage {
	return &ticketNewPage{Page: Page{Title: typ.Name, Base: v.base, Tab: "tickets"},
		Form: formView{Action: fmt.Sprintf("%s/tickets/new/%d", v.base, typ.ID), TypeName: typ.Name,
			Description: typ.Description, Fields: fieldsOf(typ, "new")}}
}

func (m *Messenger) newTicket(w http.ResponseWriter, r *http.Request, v *visit) error {
	typ, err := m.customerType(r)
	if err != nil {
		return err
	}
	m.render(w, r, http.StatusOK, "ticketnew", m.newTicketPage(v, typ))
	return nil
}

// createTicket is a customer creating a ticket without a conversation (CT4).
func (m *Messenger) createTicket(w http.ResponseWriter, r *http.Request, v *visit) error {
	typ, err := m.customerType(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return err
	}
	p := m.newTicketPage(v, typ)
	values, ok := readFields(p.Form.Fields, r.PostForm)
	if ok {
		tk, err := m.desk.CustomerCreateTicket(r.Context(), v.contactID, typ.ID, values)
		if err == nil {
			seeOther(w, r, fmt.Sprintf("%s/c/%d", v.base, tk.ID))
			return nil
		}
		var nf *desk.NotFoundError
		if errors.As(err, &nf) || !showRuleError(&p.Form, err) {
			return err
		}
	}
	m.render(w, r, http.StatusUnprocessableEntity, "ticketnew", p)
	return nil
}
