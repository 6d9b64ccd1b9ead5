package portal

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/helpdesk/helpdesk/internal/store"
	"github.com/helpdesk/helpdesk/internal/ticket"
)

// The list shows the most recently updated tickets first, pageSize at a time, up to maxShown.
const (
	pageSize = 50
	maxShown = 1000
)

// stateFilters are the filters of P4, in the order tickets move through them (ST1).
var stateFilters = []ticket.StateCategory{ticket.Submitted, ticket.InProgress, ticket.WaitingOnCustomer, ticket.Resolved}

// builtinExternal are the customer-facing labels of ST1, for a workspace whose states of a
// category are all archived.
var builtinExternal = map[ticket.StateCategory]string{
	ticket.Submitted: "Submitted", ticket.InProgress: "In progress",
	ticket.WaitingOnCustomer: "Waiting on you", ticket.Resolved: "Resolved",
}

// listPage is the portal's home: the tickets of the user's companies (P1, P4).
type listPage struct {
	page
	Tabs     []tab
	Filter   string // the external label of the state filtered by; "" for all
	Tickets  []ticketRow
	MoreURL  string // shows more of the list; "" when all are shown
	Capped   bool   // maxShown reached: narrow with a filter to see older tickets
	Shown    int
	Company  string // the user's companies, named
	Multiple bool   // the user belongs to several companies
}

// tab is one state filter (P4).
type tab struct {
	Label   string
	URL     string
	Current bool
}

// ticketRow is one ticket of the list, as customers see it.
type ticketRow struct {
	URL           string
	Number        int64
	Title         string
	Type          string
	Company       string
	State         string // the external label
	StateCategory string // for the badge's colour
	Updated       time.Time
}

// listTickets is GET /portal: every ticket customers may see of every company the user is a
// member of (P1), in one state when ?state= says which (P4), the most recently updated first.
func (p *Portal) listTickets(w http.ResponseWriter, r *http.Request, v *visitor) error {
	ctx := r.Context()
	q := r.URL.Query()
	filter := ticket.StateCategory(q.Get("state"))
	labels, err := p.externalLabels(ctx)
	if err != nil {
		return err
	}
	if _, ok := labels[filter]; filter != "" && !ok {
		return &pageError{Status: http.StatusBadRequest, Title: "Unknown state",
			Message: "Tickets can be filtered by Submitted, In progress, Waiting on you or Resolved.",
			Hint:    "Choose one of the states above the list."}
	}
	shown := pageSize
	if n, err := strconv.Atoi(q.Get("shown")); err == nil && n > 0 {
		shown = min(((n+pageSize-1)/pageSize)*pageSize, maxShown)
	}
	tickets, err := p.db.Read().CompanyTickets(ctx, v.Contact.ID, string(filter), shown+1)
	if err != nil {
		return err
	}
	more := len(tickets) > shown
	tickets = tickets[:min(len(tickets), shown)]
	names, err := p.companyNames(ctx, v, tickets)
	if err != nil {
		return err
	}

	data := listPage{page: v.page("Your tickets"), Shown: len(tickets),
		Company: companyList(v.Companies), Multiple: len(v.Companies) > 1}
	data.Tabs = append(data.Tabs, tab{Label: "All", URL: "/portal", Current: filter == ""})
	for _, c := range stateFilters {
		data.Tabs = append(data.Tabs, tab{Label: labels[c], URL: "/portal?state=" + string(c), Current: filter == c})
	}
	if filter != "" {
		data.Filter = labels[filter]
	}
	for _, t := range tickets {
		data.Tickets = append(data.Tickets, ticketRow{
			URL: ticketURL(t.ID), Number: t.Number, Title: titleOf(t), Type: t.TypeName, Company: names[t.CompanyID],
			State: t.State.ExternalLabel, StateCategory: string(t.State.Category), Updated: t.UpdatedAt,
		})
	}
	switch {
	case more && shown < maxShown:
		u := url.Values{"shown": {strconv.Itoa(shown + pageSize)}}
		if filter != "" {
			u.Set("state", string(filter))
		}
		data.MoreURL = "/portal?" + u.Encode()
	case more:
		data.Capped = true
	}
	p.render(w, r, http.StatusOK, "tickets", data)
	return nil
}

// externalLabels names each state filter by the label customers see (ST1): that of the
// category's first state in use.
func (p *Portal) externalLabels(ctx context.Context) (map[ticket.StateCategory]string, error) {
	states, err := p.db.Read().TicketStates(ctx)
	if err != nil {
		return nil, err
	}
	labels := make(map[ticket.StateCategory]string, len(stateFilters))
	for _, c := range stateFilters {
		labels[c] = builtinExternal[c]
		for _, s := range states {
			if s.Category == c && !s.Archived && s.ExternalLabel != "" {
				labels[c] = s.ExternalLabel
				break
			}
		}
	}
	return labels, nil
}

// companyNames names the companies of the tickets: the user's companies, and any other a
// ticket names (a user of very many companies).
func (p *Portal) companyNames(ctx context.Context, v *visitor, tickets []store.CustomerTicket) (map[int64]string, error) {
	names := make(map[int64]string, len(v.Companies))
	for _, c := range v.Companies {
		names[c.ID] = companyName(c)
	}
	for _, t := range tickets {
		if _, ok := names[t.CompanyID]; ok || t.CompanyID == 0 {
			continue
		}
		c, err := p.db.Read().Company(ctx, t.CompanyID)
		if errors.Is(err, store.ErrNotFound) {
			names[t.CompanyID] = ""
			continue
		}
		if err != nil {
			return nil, err
		}
		names[c.ID] = companyName(c)
	}
	return names, nil
}

func companyName(c store.Company) string {
	if c.Name.String != "" {
		return c.Name.String
	}
	return c.CompanyID
}

// companyList names the user's companies for the page's heading.
func companyList(cs []store.Company) string {
	s := ""
	for i, c := range cs {
		switch {
		case i == 0:
		case i == len(cs)-1:
			s += " and "
		default:
			s += ", "
		}
		s += companyName(c)
	}
	return s
}

func ticketURL(id int64) string { return "/portal/tickets/" + strconv.FormatInt(id, 10) }

// titleOf is a ticket's title, or its type's name for a ticket without one.
func titleOf(t store.CustomerTicket) string {
	if t.Title != "" {
		return t.Title
	}
	return t.TypeName
}

// page is the layout's data for a signed-in user.
func (v *visitor) page(title string) page {
	name := v.Contact.Name.String
	if name == "" {
		name = v.Contact.Email
	}
	return page{Title: title, SignedIn: true, UserName: name}
}
