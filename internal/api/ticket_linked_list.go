package api

import (
	"net/http"

	"github.com/helpdesk/helpdesk/internal/store"
)

// linkedItemJSON is one conversation or Customer ticket in a ticket's list of links: an
// extension (SPEC TR3: the tracker lists every linked conversation and Customer ticket with its
// customer and state).
type linkedItemJSON struct {
	Type        string           `json:"type"`
	ID          string           `json:"id"`
	Category    *string          `json:"category"`
	Title       *string          `json:"title"`
	State       string           `json:"state"`
	Open        bool             `json:"open"`
	TicketState *ticketStateJSON `json:"ticket_state,omitempty"`
	Contacts    []linkedContact  `json:"contacts"`
	LinkedAt    int64            `json:"linked_at"`
}

type linkedContact struct {
	Type       string  `json:"type"`
	ID         string  `json:"id"`
	ExternalID *string `json:"external_id"`
	Name       *string `json:"name"`
	Email      string  `json:"email"`
}

// listLinkedConversations is GET /tickets/{id}/linked_conversations, an extension: the
// conversations and Customer tickets a Back-office or Tracker ticket links to, with their
// customers and states, a page at a time (a tracker may have 100,000: TR5).
func (s *Server) listLinkedConversations(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "Ticket")
	if err != nil {
		return err
	}
	pg, err := pageFromQuery(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	q := s.db.Read()
	if _, err := q.Ticket(ctx, id); err != nil {
		return notFoundAs(err, "Ticket")
	}
	items, err := q.LinkedPage(ctx, id, pg.After, pg.PerPage+1)
	if err != nil {
		return err
	}
	// Pages run in id order here (a cursor on the link's key), so the next cursor is the last id.
	items, pages := trim(pg, items, func(it store.LinkedItem) int64 { return it.ID })
	var contactIDs []int64
	for _, it := range items {
		contactIDs = append(contactIDs, it.ContactIDs...)
	}
	contacts, err := q.ContactsByID(ctx, contactIDs)
	if err != nil {
		return err
	}
	out := make([]linkedItemJSON, len(items))
	for i, it := range items {
		j := linkedItemJSON{Type: "conversation", ID: idString(it.ID), State: string(it.State), Open: it.State != "closed",
			Contacts: []linkedContact{}, LinkedAt: unix(it.LinkedAt)}
		if it.Title != "" {
			j.Title = &it.Title
		}
		if it.IsTicket {
			j.Type = "ticket"
			cat := string(it.Category)
			j.Category = &cat
			st := toTicketState(it.TicketState)
			j.TicketState = &st
		}
		for _, cid := range it.ContactIDs {
			lc := linkedContact{Type: "contact", ID: idString(cid)}
			if c, ok := contacts[cid]; ok {
				if c.ExternalID.Valid {
					lc.ExternalID = &c.ExternalID.String
				}
				if c.Name.Valid {
					lc.Name = &c.Name.String
				}
				lc.Email = c.Email
			}
			j.Contacts = append(j.Contacts, lc)
		}
		out[i] = j
	}
	writeJSON(w, http.StatusOK, map[string]any{"type": "list", "data": out, "pages": pages})
	return nil
}
