package api

import (
	"net/http"
	"slices"

	"github.com/helpdesk/helpdesk/internal/store"
	"github.com/helpdesk/helpdesk/internal/ticket"
)

// ticketFormRoutes serves ticket forms, an extension (SPEC CT3, BO11, API2): a teammate sends a
// form into a conversation, and the customer's submission creates the ticket. The types a form
// can be sent of are listed by GET /ticket_types?sendable_as_form=true (sendableAsForm).
func (s *Server) ticketFormRoutes(mux *http.ServeMux) {
	mux.Handle("POST /conversations/{id}/ticket_forms", s.handle(s.sendTicketForm))
	mux.Handle("GET /conversations/{id}/ticket_forms", s.handle(s.listTicketForms))
}

// ticketFormJSON is a ticket form sent into a conversation; ticket_id and submitted_at are null
// until the customer submits it.
type ticketFormJSON struct {
	Type           string  `json:"type"`
	ID             string  `json:"id"`
	ConversationID string  `json:"conversation_id"`
	TicketTypeID   string  `json:"ticket_type_id"`
	AdminID        string  `json:"admin_id"`
	SentAt         int64   `json:"sent_at"`
	TicketID       *string `json:"ticket_id"`
	SubmittedAt    *int64  `json:"submitted_at"`
}

func toTicketForm(f store.TicketForm) ticketFormJSON {
	j := ticketFormJSON{Type: "ticket_form", ID: idString(f.ID), ConversationID: idString(f.ConversationID),
		TicketTypeID: idString(f.TicketTypeID), AdminID: idString(f.SentBy), SentAt: unix(f.SentAt)}
	if f.TicketID != 0 {
		id := idString(f.TicketID)
		j.TicketID = &id
	}
	if !f.SubmittedAt.IsZero() {
		at := unix(f.SubmittedAt)
		j.SubmittedAt = &at
	}
	return j
}

type sendTicketFormRequest struct {
	TicketTypeID ID `json:"ticket_type_id"`
	AdminID      ID `json:"admin_id"` // the token's teammate when left out, as in convert
}

// sendTicketForm is POST /conversations/{id}/ticket_forms: the teammate's "Send ticket form"
// action (CT3), for a Customer type or a Back-office type that allows sharing (BO11).
func (s *Server) sendTicketForm(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "Conversation")
	if err != nil {
		return err
	}
	var req sendTicketFormRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	if req.TicketTypeID == 0 {
		return missing("ticket_type_id")
	}
	adminID := currentAdmin(r).ID
	if req.AdminID != 0 {
		adminID = int64(req.AdminID)
	}
	f, err := s.desk.SendTicketForm(r.Context(), id, adminID, int64(req.TicketTypeID))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toTicketForm(f))
	return nil
}

// listTicketForms is GET /conversations/{id}/ticket_forms: the forms sent into a conversation,
// oldest first, each with the ticket its submission created. id may be the Customer ticket the
// conversation became when a form was submitted.
func (s *Server) listTicketForms(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "Conversation")
	if err != nil {
		return err
	}
	q := s.db.Read()
	if _, err := q.Conversation(r.Context(), id); err != nil {
		return notFoundAs(err, "Conversation")
	}
	forms, err := q.TicketForms(r.Context(), id)
	if err != nil {
		return err
	}
	list := make([]ticketFormJSON, len(forms))
	for i, f := range forms {
		list[i] = toTicketForm(f)
	}
	writeJSON(w, http.StatusOK, map[string]any{"type": "list", "data": list})
	return nil
}

// sendableAsForm applies GET /ticket_types?sendable_as_form=true, an extension (BO11): only the
// types a ticket form can be sent of, for the "Send ticket form" lists. false or no parameter
// leaves the list whole.
//
// A parameter of Intercom's list rather than a path of its own: the answer is the same
// ticket_type_list, so a client reads it as it reads the whole list, and Intercom filters its
// lists so too (GET /data_attributes?model=...&include_archived=...).
func sendableAsForm(r *http.Request, types []ticket.Type) ([]ticket.Type, error) {
	switch v := r.URL.Query().Get("sendable_as_form"); v {
	case "", "false":
		return types, nil
	case "true":
		return slices.DeleteFunc(types, func(t ticket.Type) bool { return !t.InTicketForms() }), nil
	default:
		return nil, invalid("sendable_as_form must be true or false, not %q", v)
	}
}
