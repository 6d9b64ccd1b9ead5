package api

import (
	"fmt"
	"net/http"

	"github.com/helpdesk/helpdesk/internal/search"
	"github.com/helpdesk/helpdesk/internal/ticket"
)

// ticketFields are the fields ticket search accepts: those Intercom lists for tickets, and as
// extensions (SPEC API2, IN3) Intercom's attribute names for title and description, the state
// by id, tags and the company.
var ticketFields = withThreadFields(search.Fields{
	"_default_title_":       {Kind: search.String, Column: "c.title"},
	"description":           {Kind: search.String, Column: "t.description"},
	"_default_description_": {Kind: search.String, Column: "t.description"},
	"category":              {Kind: search.String, Column: "t.category", Map: searchCategory},
	"ticket_type_id":        {Kind: search.ID, Column: "t.ticket_type_id"},
	"ticket_state_id":       {Kind: search.ID, Column: "t.ticket_state_id"},
	"state": {Kind: search.String, Column: "s.category",
		Values: []string{string(ticket.Submitted), string(ticket.InProgress), string(ticket.WaitingOnCustomer), string(ticket.Resolved)}},
	"company_id": {Kind: search.ID, Column: "t.company_id"},
})

// searchCategory reads a category as Intercom's ticket search names them (request, task,
// tracker) or by its name (Customer, Back-office, Tracker), and binds the stored name.
func searchCategory(v any) (any, error) {
	s, _ := v.(string)
	switch s {
	case "request", "Request":
		return string(ticket.Customer), nil
	case "task", "Task":
		return string(ticket.BackOffice), nil
	}
	if c, ok := ticket.ParseCategory(s); ok {
		return string(c), nil
	}
	return nil, fmt.Errorf("must be request, task or tracker (or Customer, Back-office, Tracker)")
}

// searchTickets is POST /tickets/search: Intercom's query language over ticketFields, newest
// first, with cursor pages that never count the table.
func (s *Server) searchTickets(w http.ResponseWriter, r *http.Request) error {
	q, pg, err := parseSearch(r, ticketFields)
	if err != nil {
		return err
	}
	var args []any
	where := q.Where(&args)
	list, err := s.db.Read().TicketPage(r.Context(), where, args, pg.After, pg.PerPage+1)
	if err != nil {
		return err
	}
	list, pages := trim(pg, list, func(tk ticket.Ticket) int64 { return tk.ID })
	tickets, err := s.ticketListJSON(r.Context(), list)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"type": "ticket.list", "tickets": tickets, "pages": pages})
	return nil
}
