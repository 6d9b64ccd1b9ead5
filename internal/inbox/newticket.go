package inbox

// "New ticket" (SPEC CT2, BO1, TR2, CO1-CO3): a ticket a teammate creates outside any
// conversation: a Customer ticket on behalf of a customer, a standalone Back-office ticket, or a
// Tracker ticket for a new issue. The form is the one the conversation's actions use
// (actions.go), with the customer and the assignees added; the rules are package desk's.

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/helpdesk/helpdesk/internal/conversation"
	"github.com/helpdesk/helpdesk/internal/desk"
	"github.com/helpdesk/helpdesk/internal/store"
	"github.com/helpdesk/helpdesk/internal/ticket"
)

func (in *Inbox) newTicketRoutes(add route) {
	add("GET /inbox/tickets/new", in.newTicketShow)
	add("POST /inbox/tickets/new", in.newTicketCreate)
}

// actionCustomer is the customer a new ticket is for, typed as an email.
type actionCustomer struct {
	Value    string
	Required bool           // Customer tickets need one (CT2)
	Found    *actionContact // the contact with that email, if there is one
	Hint     string
}

// newTicketPage is the "New ticket" page.
type newTicketPage struct {
	Page
	// Category is the one category whose types the page offers ("?category=Tracker"); "": all.
	Category ticket.Category
	Form     actionTicketForm
}

// newTicketCategories are the categories in the order the page lists their types.
var newTicketCategories = []ticket.Category{ticket.Customer, ticket.BackOffice, ticket.Tracker}

// newTicketCategory reads the category a link asks for, in any case; "" for none or another.
func newTicketCategory(form url.Values) ticket.Category {
	v := strings.TrimSpace(form.Get("category"))
	for _, c := range newTicketCategories {
		if strings.EqualFold(v, string(c)) {
			return c
		}
	}
	return ""
}

// newTicketTypes are the types tickets can be created of: of category, or ("") of every
// category.
func (in *Inbox) newTicketTypes(r *http.Request, category ticket.Category) ([]ticket.Type, error) {
	all, err := in.db.Read().TicketTypes(r.Context())
	if err != nil {
		return nil, err
	}
	var out []ticket.Type
	for _, c := range newTicketCategories {
		if category != "" && c != category {
			continue
		}
		for _, t := range all {
			if t.Category == c && !t.Archived {
				out = append(out, t)
			}
		}
	}
	return out, nil
}

// newTicketForm builds the page from the form's values, with a refusal to show.
func (in *Inbox) newTicketForm(r *http.Request, form url.Values, refusal actionError) (*newTicketPage, error) {
	category := newTicketCategory(form)
	types, err := in.newTicketTypes(r, category)
	if err != nil {
		return nil, err
	}
	me := currentAdmin(r.Context())
	p := &newTicketPage{Page: Page{Title: "New ticket", Nav: "inbox"}, Category: category,
		Form: actionTicketForm{Action: "/inbox/tickets/new", TypeLabel: "Ticket type", Submit: "Create ticket", Error: refusal}}
	if category != "" {
		// The category stays with the form as its type is chosen and as it is sent.
		p.Title = "New " + string(category) + " ticket"
		p.Form.TypeLabel = string(category) + " ticket type"
		p.Form.Keep = []actionOption{{Value: "category", Label: string(category)}}
	}
	actionFillForm(&p.Form, types, form)
	if category == "" {
		for i, t := range types {
			p.Form.Types[i].Label = string(t.Category) + ": " + p.Form.Types[i].Label
		}
	}
	typ := p.Form.Type
	if typ == nil {
		if c := form.Get("customer"); c != "" {
			p.Form.Carry = []actionOption{{Value: "customer", Label: c}}
		}
		p.Form.place()
		return p, nil
	}
	if typ.Category != ticket.Tracker { // trackers gather customers by their links (TR2)
		c := &actionCustomer{Value: strings.TrimSpace(form.Get("customer")), Required: typ.Category == ticket.Customer}
		c.Hint = "The customer's email. The ticket is theirs: they follow it in the Messenger, the portal and by email."
		if typ.Category == ticket.BackOffice {
			c.Hint = "Optional: the customer this work is about. The ticket stays internal (create it from their conversation to share it)."
		}
		var contacts []int64
		if c.Value != "" {
			found, err := in.db.Read().ContactByEmail(r.Context(), c.Value)
			switch {
			case err == nil:
				c.Found = &actionContact{ID: found.ID, Name: found.Name.String, Email: found.Email}
				contacts = []int64{found.ID}
			case errors.Is(err, store.ErrNotFound):
				c.Hint += " No contact has this email yet: one is made for it."
			default:
				return nil, err
			}
		}
		p.Form.Customer = c
		if p.Form.Companies, err = in.actionCompanies(r, contacts, form); err != nil {
			return nil, err
		}
	}
	if p.Form.Assignees, p.Form.Teams, err = in.newTicketAssignees(r, form, me.ID); err != nil {
		return nil, err
	}
	p.Form.place()
	return p, nil
}

// newTicketAssignees are the choices of teammate (the creator, unless the form chose) and team.
func (in *Inbox) newTicketAssignees(r *http.Request, form url.Values, me int64) (admins, teams []actionOption, err error) {
	q := in.db.Read()
	all, err := q.Admins(r.Context())
	if err != nil {
		return nil, nil, err
	}
	chosen := strconv.FormatInt(me, 10)
	if v, ok := form["admin_id"]; ok && len(v) > 0 {
		chosen = v[0]
	}
	admins = []actionOption{{Value: "0", Label: "Unassigned", Selected: chosen == "0"}}
	for _, a := range all {
		if !a.Active() { // left the team: offered no new work
			continue
		}
		id := strconv.FormatInt(a.ID, 10)
		admins = append(admins, actionOption{Value: id, Label: a.Name, Selected: id == chosen})
	}
	ts, err := q.Teams(r.Context())
	if err != nil {
		return nil, nil, err
	}
	team := form.Get("team_id")
	teams = []actionOption{{Value: "0", Label: "No team", Selected: team == "" || team == "0"}}
	for _, t := range ts {
		id := strconv.FormatInt(t.ID, 10)
		teams = append(teams, actionOption{Value: id, Label: t.Name, Selected: id == team})
	}
	return admins, teams, nil
}

func (in *Inbox) newTicketShow(w http.ResponseWriter, r *http.Request) error {
	form := r.URL.Query()
	if t := r.Header.Get("HX-Trigger-Name"); t == "customer" || t == "type_id" {
		// Another customer (or type) has other companies: CO3 chooses again, rather than
		// keeping the choice the form had for the one before.
		form.Del("company_id")
	}
	p, err := in.newTicketForm(r, form, actionError{})
	if err != nil {
		return err
	}
	actionPushURL(w, r, r.URL.Query(), "category", "type_id")
	in.render(w, r, http.StatusOK, "new_ticket", p)
	return nil
}

func (in *Inbox) newTicketCreate(w http.ResponseWriter, r *http.Request) error {
	if err := actionParse(w, r); err != nil {
		return err
	}
	form := r.PostForm
	refuse := func(e actionError) error {
		p, err := in.newTicketForm(r, form, e)
		if err != nil {
			return err
		}
		in.render(w, r, actionStatus(r, true), "new_ticket", p)
		return nil
	}
	p, err := in.newTicketForm(r, form, actionError{})
	if err != nil {
		return err
	}
	f := p.Form
	if f.Type == nil {
		msg := "Choose a ticket type."
		if p.Category != "" {
			msg = "Choose a " + string(p.Category) + " ticket type."
		}
		return refuse(actionError{Field: "type_id", Message: msg})
	}
	company, err := actionCompanyChoice(form)
	if err != nil {
		return refuse(actionError{Field: "company_id", Message: actionSentence(err.Error())})
	}
	admin, errA := strconv.ParseInt(form.Get("admin_id"), 10, 64)
	team, errT := strconv.ParseInt(form.Get("team_id"), 10, 64)
	if errA != nil || errT != nil || admin < 0 || team < 0 {
		return refuse(actionError{Message: "Choose the assignee and the team from their lists."})
	}
	n := desk.NewTicket{
		TypeID:     f.Type.ID,
		By:         conversation.Author{Type: conversation.AuthorAdmin, ID: currentAdmin(r.Context()).ID},
		Attributes: actionAttributes(*f.Type, form),
		CompanyID:  company,
		AdminID:    admin,
		TeamID:     team,
	}
	if f.Customer != nil && f.Customer.Value != "" {
		n.Contacts = []desk.ContactRef{{Email: f.Customer.Value}}
	}
	tk, err := in.desk.CreateTicket(r.Context(), n)
	if e, ok := actionRefusal(err, f.labels()); ok {
		return refuse(e)
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/inbox/tickets/"+strconv.FormatInt(tk.ID, 10), http.StatusSeeOther)
	return nil
}
