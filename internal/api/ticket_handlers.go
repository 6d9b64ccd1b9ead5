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
