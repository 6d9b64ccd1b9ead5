package api

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/helpdesk/helpdesk/internal/store"
	"github.com/helpdesk/helpdesk/internal/ticket"
)

// ticketTypeRoutes serves ticket types, their attributes and ticket states (SPEC TT, ST1).
func (s *Server) ticketTypeRoutes(mux *http.ServeMux) {
	mux.Handle("GET /ticket_types", s.handle(s.listTicketTypes))
	mux.Handle("POST /ticket_types", s.handle(s.createTicketType))
	mux.Handle("GET /ticket_types/{id}", s.handle(s.getTicketType))
	mux.Handle("PUT /ticket_types/{id}", s.handle(s.updateTicketType))
	mux.Handle("POST /ticket_types/{id}/attributes", s.handle(s.createTicketTypeAttribute))
	mux.Handle("PUT /ticket_types/{id}/attributes/{attribute_id}", s.handle(s.updateTicketTypeAttribute))
	mux.Handle("GET /ticket_states", s.handle(s.listTicketStates))
}

// defaultTicketTypeIcon is the icon Intercom gives a type created without one.
const defaultTicketTypeIcon = "\U0001F39F\uFE0F"

func (s *Server) listTicketTypes(w http.ResponseWriter, r *http.Request) error {
	q := s.db.Read()
	types, err := q.TicketTypes(r.Context())
	if err != nil {
		return err
	}
	if types, err = sendableAsForm(r, types); err != nil {
		return err
	}
	states, err := q.TicketStates(r.Context())
	if err != nil {
		return err
	}
	list := make([]ticketTypeWithStatesJSON, len(types))
	for i, t := range types {
		list[i] = toTicketTypeWithStates(t, states)
	}
	writeJSON(w, http.StatusOK, map[string]any{"type": "list", "data": list})
	return nil
}

func (s *Server) getTicketType(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "Ticket type")
	if err != nil {
		return err
	}
	return s.writeTicketType(w, r.Context(), id)
}

// writeTicketType answers with one ticket type as GET /ticket_types/{id} shows it.
func (s *Server) writeTicketType(w http.ResponseWriter, ctx context.Context, id int64) error {
	q := s.db.Read()
	t, err := q.TicketType(ctx, id)
	if err != nil {
		return notFoundAs(err, "Ticket type")
	}
	states, err := q.TicketStates(ctx)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toTicketTypeWithStates(t, states))
	return nil
}

// createTicketTypeRequest is Intercom's create_ticket_type_request.
type createTicketTypeRequest struct {
	Name        *string `json:"name"`
	Description *string `json:"description"`
	Category    *string `json:"category"`
	Icon        *string `json:"icon"`
	IsInternal  *bool   `json:"is_internal"`
}

// createTicketType creates a type with the default attributes (TT1, TT3, TT4).
func (s *Server) createTicketType(w http.ResponseWriter, r *http.Request) error {
	var req createTicketTypeRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	if req.Name == nil {
		return missing("name")
	}
	if err := noNUL("name", req.Name, "description", req.Description, "category", req.Category, "icon", req.Icon); err != nil {
		return err
	}
	var category ticket.Category
	if req.Category != nil {
		category = parseCategory(*req.Category)
	}
	icon := defaultTicketTypeIcon
	if req.Icon != nil {
		icon = *req.Icon
	}
	typ, err := ticket.NewType(*req.Name, stringOr(req.Description), icon, category, req.IsInternal, s.clock.Now())
	if err != nil {
		return err
	}
	err = s.db.Tx(r.Context(), func(tx *store.Tx) error {
		return tx.CreateTicketType(r.Context(), &typ)
	})
	if errors.Is(err, store.ErrConflict) {
		return conflict("a ticket type named %q already exists", typ.Name)
	}
	if err != nil {
		return err
	}
	return s.writeTicketType(w, r.Context(), typ.ID)
}

// updateTicketTypeRequest is Intercom's update_ticket_type_request.
type updateTicketTypeRequest struct {
	Name        *string `json:"name"`
	Description *string `json:"description"`
	Category    *string `json:"category"`
	Icon        *string `json:"icon"`
	Archived    *bool   `json:"archived"`
	IsInternal  *bool   `json:"is_internal"`
}

func (s *Server) updateTicketType(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "Ticket type")
	if err != nil {
		return err
	}
	var req updateTicketTypeRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	if err := noNUL("name", req.Name, "description", req.Description, "category", req.Category, "icon", req.Icon); err != nil {
		return err
	}
	change := ticket.TypeChange{Name: req.Name, Description: req.Description, Icon: req.Icon,
		IsInternal: req.IsInternal, Archived: req.Archived}
	if req.Category != nil {
		c := parseCategory(*req.Category)
		change.Category = &c
	}
	err = s.db.Tx(r.Context(), func(tx *store.Tx) error {
		typ, err := tx.TicketType(r.Context(), id)
		if err != nil {
			return notFoundAs(err, "Ticket type")
		}
		hasTickets := false
		if change.Category != nil {
			if hasTickets, err = tx.TicketTypeHasTickets(r.Context(), id); err != nil {
				return err
			}
		}
		if err := typ.Update(change, hasTickets, s.clock.Now()); err != nil {
			return err
		}
		err = tx.UpdateTicketType(r.Context(), typ)
		if errors.Is(err, store.ErrConflict) {
			return conflict("a ticket type named %q already exists", typ.Name)
		}
		return err
	})
	if err != nil {
		return err
	}
	return s.writeTicketType(w, r.Context(), id)
}

// parseCategory reads a category as Intercom names it. An unknown one is passed on as it is for
// the rules of package ticket to refuse, naming the field.
func parseCategory(s string) ticket.Category {
	if c, ok := ticket.ParseCategory(s); ok {
		return c
	}
	if s == "" {
		return ticket.Category("none")
	}
	return ticket.Category(s)
}

// noNUL refuses text fields, given as name and value pairs, that hold a NUL character, which
// PostgreSQL cannot store.
func noNUL(fields ...any) error {
	for i := 0; i+1 < len(fields); i += 2 {
		if v, _ := fields[i+1].(*string); v != nil && strings.ContainsRune(*v, 0) {
			return invalid("%s must not contain NUL characters", fields[i])
		}
	}
	return nil
}

// stringOr is *s, or "" when it was not sent.
func stringOr(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func (s *Server) listTicketStates(w http.ResponseWriter, r *http.Request) error {
	q := s.db.Read()
	states, err := q.TicketStates(r.Context())
	if err != nil {
		return err
	}
	types, err := q.TicketTypes(r.Context())
	if err != nil {
		return err
	}
	list := make([]ticketStateDetailedJSON, len(states))
	for i, st := range states {
		list[i] = toTicketStateDetailed(st, types)
	}
	writeJSON(w, http.StatusOK, map[string]any{"type": "list", "data": list})
	return nil
}
