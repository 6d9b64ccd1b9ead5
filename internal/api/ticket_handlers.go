package api

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/helpdesk/helpdesk/internal/conversation"
	"github.com/helpdesk/helpdesk/internal/desk"
)

// ticketRoutes serves tickets (SPEC CT, BO, TR, CO through Intercom's /tickets).
func (s *Server) ticketRoutes(mux *http.ServeMux) {
	mux.Handle("POST /tickets", s.handle(s.createTicket))
	mux.Handle("GET /tickets/{id}", s.handle(s.getTicket))
	mux.Handle("PUT /tickets/{id}", s.handle(s.updateTicket))
	mux.Handle("DELETE /tickets/{id}", s.handle(s.deleteTicket))
	mux.Handle("POST /tickets/search", s.handle(s.searchTickets))
	mux.Handle("POST /tickets/{id}/change_type", s.handle(s.changeTicketType))
	mux.Handle("POST /conversations/{id}/convert", s.handle(s.convertConversation))
	s.ticketLinkRoutes(mux)
}

type createTicketRequest struct {
	TicketTypeID ID `json:"ticket_type_id"`
	Contacts     []struct {
		ID         ID     `json:"id"`
		ExternalID string `json:"external_id"`
		Email      string `json:"email"`
	} `json:"contacts"`
	ConversationToLinkID ID                         `json:"conversation_to_link_id"`
	CompanyID            *ID                        `json:"company_id"`
	CreatedAt            *int64                     `json:"created_at"`
	TicketAttributes     map[string]json.RawMessage `json:"ticket_attributes"`
	Assignment           *struct {
		AdminAssigneeID ID `json:"admin_assignee_id"`
		TeamAssigneeID  ID `json:"team_assignee_id"`
	} `json:"assignment"`
	// IsShared is an extension (SPEC BO6): share a Back-office ticket with the customer when it
	// is created.
	IsShared *bool `json:"is_shared"`
}

func (s *Server) createTicket(w http.ResponseWriter, r *http.Request) error {
	var req createTicketRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	if req.TicketTypeID == 0 {
		return missing("ticket_type_id")
	}
	if req.Contacts == nil {
		return missing("contacts")
	}
	n := desk.NewTicket{
		TypeID:     int64(req.TicketTypeID),
		By:         conversation.Author{Type: conversation.AuthorAdmin, ID: currentAdmin(r).ID},
		Attributes: req.TicketAttributes,
		Shared:     req.IsShared,
		LinkTo:     int64(req.ConversationToLinkID),
	}
	for _, c := range req.Contacts {
		n.Contacts = append(n.Contacts, desk.ContactRef{ID: int64(c.ID), ExternalID: c.ExternalID, Email: c.Email})
	}
	if req.CompanyID != nil {
		id := int64(*req.CompanyID)
		n.CompanyID = &id
	}
	if req.CreatedAt != nil {
		n.CreatedAt = time.Unix(*req.CreatedAt, 0)
	}
	if req.Assignment != nil {
		n.AdminID, n.TeamID = int64(req.Assignment.AdminAssigneeID), int64(req.Assignment.TeamAssigneeID)
	}
	tk, err := s.desk.CreateTicket(r.Context(), n)
	if err != nil {
		return err
	}
	j, err := s.ticketJSON(r.Context(), tk.ID, true)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, j)
	return nil
}

func (s *Server) getTicket(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "Ticket")
	if err != nil {
		return err
	}
	j, err := s.ticketJSON(r.Context(), id, true)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, j)
	return nil
}

// writeTicket answers with one ticket as GET /tickets/{id} shows it.
func (s *Server) writeTicket(w http.ResponseWriter, r *http.Request, id int64) error {
	j, err := s.ticketJSON(r.Context(), id, true)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, j)
	return nil
}

type updateTicketRequest struct {
	TicketAttributes map[string]json.RawMessage `json:"ticket_attributes"`
	TicketStateID    *ID                        `json:"ticket_state_id"`
	// CompanyID is kept raw to tell null ("No company") from absent.
	CompanyID         json.RawMessage `json:"company_id"`
	Open              *bool           `json:"open"`
	IsShared          *bool           `json:"is_shared"`
	SnoozedUntil      *int64          `json:"snoozed_until"`
	AdminID           ID              `json:"admin_id"`
	AssigneeID        *ID             `json:"assignee_id"`
	TeamAssigneeID    *ID             `json:"team_assignee_id"` // an extension
	SkipNotifications *bool           `json:"skip_notifications"`
}

// updateTicket is PUT /tickets/{id}: attributes, state, open or closed, snooze, assignees,
// company, all at once (SPEC TT3, TT5, ST2, ST3, CO1, CO2).
func (s *Server) updateTicket(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "Ticket")
	if err != nil {
		return err
	}
	var req updateTicketRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	ch := desk.TicketChange{AdminID: currentAdmin(r).ID, Attributes: req.TicketAttributes, Open: req.Open, Shared: req.IsShared}
	if req.AdminID != 0 {
		ch.AdminID = int64(req.AdminID)
	}
	if req.TicketStateID != nil {
		v := int64(*req.TicketStateID)
		ch.StateID = &v
	}
	if req.SnoozedUntil != nil {
		t := time.Unix(*req.SnoozedUntil, 0)
		ch.SnoozedUntil = &t
	}
	ch.AssigneeID = optionalID(req.AssigneeID)
	ch.TeamAssigneeID = optionalID(req.TeamAssigneeID)
	if ch.CompanyID, err = clearableID("company_id", req.CompanyID); err != nil {
		return err
	}
	if _, err := s.desk.UpdateTicket(r.Context(), id, ch); err != nil {
		return err
	}
	return s.writeTicket(w, r, id)
}

func optionalID(id *ID) *int64 {
	if id == nil {
		return nil
	}
	v := int64(*id)
	return &v
}

// deleteTicket is DELETE /tickets/{id}, answering with Intercom's ticket_deleted.
func (s *Server) deleteTicket(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "Ticket")
	if err != nil {
		return err
	}
	if err := s.desk.DeleteTicket(r.Context(), id); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"id": idString(id), "object": "ticket", "deleted": true})
	return nil
}

type changeTicketTypeRequest struct {
	TicketTypeID     ID                         `json:"ticket_type_id"`
	TicketStateID    ID                         `json:"ticket_state_id"`
	TicketAttributes map[string]json.RawMessage `json:"ticket_attributes"`
	AdminID          ID                         `json:"admin_id"` // as in update_ticket_request
}

// changeTicketType is POST /tickets/{id}/change_type (SPEC TT1, TT4, TT5, ST2).
func (s *Server) changeTicketType(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "Ticket")
	if err != nil {
		return err
	}
	var req changeTicketTypeRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	if req.TicketTypeID == 0 {
		return missing("ticket_type_id")
	}
	if req.TicketStateID == 0 {
		return missing("ticket_state_id")
	}
	admin := currentAdmin(r).ID
	if req.AdminID != 0 {
		admin = int64(req.AdminID)
	}
	if _, err := s.desk.ChangeTicketType(r.Context(), id, admin, int64(req.TicketTypeID), int64(req.TicketStateID), req.TicketAttributes); err != nil {
		return err
	}
	return s.writeTicket(w, r, id)
}
