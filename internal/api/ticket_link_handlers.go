package api

import (
	"context"
	"net/http"

	"github.com/helpdesk/helpdesk/internal/conversation"
	"github.com/helpdesk/helpdesk/internal/store"
)

// ticketLinkRoutes serves what a ticket does with others and with its customers: links to
// conversations and Customer tickets (SPEC BO1, TR2, TR3), replies and cross-posted notes (BO2,
// BO3, BO5), tags (BO9) and the tracker's broadcast (TR4, an extension).
func (s *Server) ticketLinkRoutes(mux *http.ServeMux) {
	mux.Handle("POST /tickets/{id}/reply", s.handle(s.replyTicket))
	mux.Handle("POST /tickets/{id}/linked_conversations", s.handle(s.linkConversation))
	mux.Handle("GET /tickets/{id}/linked_conversations", s.handle(s.listLinkedConversations))
	mux.Handle("DELETE /tickets/{id}/linked_conversations/{conversation_id}", s.handle(s.unlinkConversation))
	// Tags on tickets shared with the customer (BO9); a ticket's tags are on its conversation row.
	mux.Handle("POST /tickets/{id}/tags", s.handle(s.tagHandler("Ticket", s.desk.TagTicket)))
	mux.Handle("DELETE /tickets/{id}/tags/{tag_id}", s.handle(s.untagHandler("Ticket", s.desk.UntagTicket)))
	mux.Handle("POST /tickets/{id}/broadcast", s.handle(s.broadcastTicket))
}

// linkedObjects is the linked_objects list of a conversation or ticket: the other end of each of
// its links, up to maxLinkedObjects, and how many there are.
func (s *Server) linkedObjects(ctx context.Context, q *store.Q, id int64) (linkedObjectsJSON, error) {
	links, total, err := q.LinkedObjects(ctx, id, maxLinkedObjects)
	if err != nil {
		return linkedObjectsJSON{}, err
	}
	return toLinkedObjects(id, links, total), nil
}

// writeLinkedConversation answers with the conversation (or the conversation of a Customer
// ticket) at the other end of a link, as Intercom's linked_conversations operations do.
func (s *Server) writeLinkedConversation(w http.ResponseWriter, ctx context.Context, id int64) error {
	q := s.db.Read()
	c, err := q.Conversation(ctx, id)
	if err != nil {
		return notFoundAs(err, "Conversation")
	}
	tags, err := q.ConversationTags(ctx, id)
	if err != nil {
		return err
	}
	p, err := s.loadPeople(ctx, q, []conversation.Conversation{c}, nil)
	if err != nil {
		return err
	}
	j := toConversation(c, tags[id], nil, false, p)
	if j.LinkedObjects, err = s.linkedObjects(ctx, q, id); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, j)
	return nil
}

type linkConversationRequest struct {
	ConversationID ID `json:"conversation_id"`
	// ID is accepted too: Intercom's other attach operations name the object by "id".
	ID ID `json:"id"`
}

// linkConversation links a conversation or Customer ticket to a Tracker ticket (Intercom's
// operation, SPEC TR2) or to a Back-office ticket (BO1; Intercom allows trackers only).
func (s *Server) linkConversation(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "Ticket")
	if err != nil {
		return err
	}
	var req linkConversationRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	target := int64(req.ConversationID)
	if target == 0 {
		target = int64(req.ID)
	}
	if target == 0 {
		return missing("conversation_id")
	}
	if err := s.desk.LinkTicket(r.Context(), id, currentAdmin(r).ID, target); err != nil {
		return err
	}
	return s.writeLinkedConversation(w, r.Context(), target)
}

func (s *Server) unlinkConversation(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "Ticket")
	if err != nil {
		return err
	}
	target, err := pathID(r, "conversation_id", "Conversation")
	if err != nil {
		return err
	}
	if err := s.desk.UnlinkTicket(r.Context(), id, currentAdmin(r).ID, target); err != nil {
		return err
	}
	return s.writeLinkedConversation(w, r.Context(), target)
}
