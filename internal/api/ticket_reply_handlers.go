package api

import (
	"net/http"
	"strings"

	"github.com/helpdesk/helpdesk/internal/conversation"
)

// ticketReplyRequest is Intercom's admin_reply_ticket_request or contact_reply_ticket_request.
type ticketReplyRequest struct {
	replyRequest
	// CrossPost is Intercom's cross_post: a note on a Back-office ticket also goes into every
	// linked conversation and Customer ticket (SPEC BO3).
	CrossPost bool `json:"cross_post"`
}

// replyTicket adds a teammate's comment or note, or a customer's comment, to a ticket (SPEC BO2,
// BO3, BO5, TR1), and answers with the new ticket part.
func (s *Server) replyTicket(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "Ticket")
	if err != nil {
		return err
	}
	var req ticketReplyRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	rp, err := s.readReply(r.Context(), req.replyRequest)
	if err != nil {
		return err
	}
	var part conversation.Part
	if rp.contactID != 0 {
		if req.CrossPost {
			return invalid("cross_post is for teammates' notes")
		}
		part, err = s.desk.ContactReplyTicket(r.Context(), id, rp.contactID, rp.body)
	} else {
		part, err = s.desk.AdminReplyTicket(r.Context(), id, rp.adminID, rp.partType, rp.body, req.CrossPost)
	}
	if err != nil {
		return err
	}
	p, err := s.loadPeople(r.Context(), s.db.Read(), nil, []conversation.Part{part})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toTicketPart(part, nil, p))
	return nil
}

type broadcastRequest struct {
	AdminID ID      `json:"admin_id"`
	Body    *string `json:"body"`
}

// broadcastJSON answers a broadcast: how many conversations and Customer tickets it reached.
type broadcastJSON struct {
	Type     string `json:"type"`
	TicketID string `json:"ticket_id"`
	Reached  int64  `json:"reached"`
}

// broadcastTicket is an extension (SPEC TR4, TR5, API2): a teammate's comment from a Tracker
// ticket to the customers of every linked conversation and Customer ticket, in one transaction.
func (s *Server) broadcastTicket(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "Ticket")
	if err != nil {
		return err
	}
	var req broadcastRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	if req.AdminID == 0 {
		return missing("admin_id")
	}
	if req.Body == nil || strings.TrimSpace(*req.Body) == "" {
		return missing("body")
	}
	reached, err := s.desk.Broadcast(r.Context(), id, int64(req.AdminID), *req.Body)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, broadcastJSON{Type: "broadcast", TicketID: idString(id), Reached: reached})
	return nil
}
