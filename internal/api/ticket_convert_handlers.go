package api

import (
	"encoding/json"
	"net/http"

	"github.com/helpdesk/helpdesk/internal/desk"
)

type convertConversationRequest struct {
	TicketTypeID  ID                         `json:"ticket_type_id"`
	TicketStateID ID                         `json:"ticket_state_id"`
	Attributes    map[string]json.RawMessage `json:"attributes"`
	AdminID       ID                         `json:"admin_id"`
	// CompanyID is an extension (SPEC CO1): the ticket's company; null for "No company". Left
	// out, the company is chosen as CO3 says.
	CompanyID json.RawMessage `json:"company_id"`
}

// convertConversation is POST /conversations/{id}/convert: the conversation becomes a Customer
// ticket in place, keeping its id, participants and timeline (SPEC CT2, CO1-CO3).
func (s *Server) convertConversation(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "Conversation")
	if err != nil {
		return err
	}
	var req convertConversationRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	if req.TicketTypeID == 0 {
		return missing("ticket_type_id")
	}
	cv := desk.Conversion{ConversationID: id, AdminID: currentAdmin(r).ID, TypeID: int64(req.TicketTypeID),
		StateID: int64(req.TicketStateID), Attributes: req.Attributes}
	if req.AdminID != 0 {
		cv.AdminID = int64(req.AdminID)
	}
	if cv.CompanyID, err = clearableID("company_id", req.CompanyID); err != nil {
		return err
	}
	tk, err := s.desk.ConvertConversation(r.Context(), cv)
	if err != nil {
		return err
	}
	return s.writeTicket(w, r, tk.ID)
}
