package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/helpdesk/helpdesk/internal/conversation"
	"github.com/helpdesk/helpdesk/internal/ticket"
)

// LinkedConversationIDs returns the conversations and Customer tickets that a Back-office or
// Tracker ticket links to, by id, so that a caller locking them locks in one order (BO3, BO5).
func (q *Q) LinkedConversationIDs(ctx context.Context, ticketID int64) ([]int64, error) {
	ids, err := q.int64s(ctx, `SELECT conversation_id FROM ticket_links WHERE ticket_id = $1 ORDER BY conversation_id`, ticketID)
	if err != nil {
		return nil, fmt.Errorf("store: linked conversations: %w", err)
	}
	return ids, nil
}

// HasTicketLink tells whether ticketID links to conversationID.
func (q *Q) HasTicketLink(ctx context.Context, ticketID, conversationID int64) (bool, error) {
	var ok bool
	err := q.row(ctx, `SELECT EXISTS (SELECT 1 FROM ticket_links WHERE ticket_id = $1 AND conversation_id = $2)`,
		ticketID, conversationID).Scan(&ok)
	if err != nil {
		return false, fmt.Errorf("store: ticket link: %w", translate(err))
	}
	return ok, nil
}

// linkBatch is how many conversations CreateLinkedConversations writes per statement: well
// under the bound on parameters of both databases.
const linkBatch = 1000

// CreateLinkedConversations creates n open conversations started by contactID and links each to
// a Tracker or Back-office ticket, with multi-row INSERTs of linkBatch rows. It is how tests,
// benchmarks and bulk imports build a tracker with 100,000 links (TR5) in seconds; it writes no
// timeline parts. It runs inside the caller's transaction.
func (tx *Tx) CreateLinkedConversations(ctx context.Context, tk ticket.Ticket, contactID int64, n int, now time.Time) error {
	at := Unix(now)
	for done := 0; done < n; done += linkBatch {
		size := min(linkBatch, n-done)
		rows := strings.Repeat(`('conversation', 'open', FALSE, 'conversation', 'customer_initiated', $1, 'user', $2, $3, $3), `, size)
		ids, err := tx.int64s(ctx, `INSERT INTO conversations (kind, state, read, source_type, source_delivered_as, source_body,
			source_author_type, source_author_id, created_at, updated_at) VALUES `+strings.TrimSuffix(rows, ", ")+` RETURNING id`,
			"Affected by the issue", contactID, at)
		if err != nil {
			return fmt.Errorf("store: create linked conversations: %w", err)
		}
		contacts, contactArgs := make([]string, len(ids)), []any{contactID, at}
		links, linkArgs := make([]string, len(ids)), []any{tk.ID, at, string(tk.Category), tk.IsShared}
		for i, id := range ids {
			contactArgs = append(contactArgs, id)
			contacts[i] = fmt.Sprintf("($%d, $1, $2)", len(contactArgs))
			linkArgs = append(linkArgs, id)
			links[i] = fmt.Sprintf("($1, $%d, $3, $4, $2)", len(linkArgs))
		}
		if _, err := tx.exec(ctx, `INSERT INTO conversation_contacts (conversation_id, contact_id, added_at) VALUES `+
			strings.Join(contacts, ", "), contactArgs...); err != nil {
			return fmt.Errorf("store: create linked conversations: %w", err)
		}
		if _, err := tx.exec(ctx, `INSERT INTO ticket_links (ticket_id, conversation_id, kind, shared, created_at) VALUES `+
			strings.Join(links, ", "), linkArgs...); err != nil {
			return fmt.Errorf("store: create linked conversations: %w", err)
		}
	}
	return nil
}

// CountLinkedWithPart counts the conversations and Customer tickets linked to a ticket whose
// timeline has a part of type t with body, in one query: how tests and benchmarks check that a
// broadcast reached every one of 100,000 links (TR4, TR5) without loading them.
func (q *Q) CountLinkedWithPart(ctx context.Context, ticketID int64, t conversation.PartType, body string) (int64, error) {
	var n int64
	err := q.row(ctx, `SELECT count(*) FROM ticket_links l WHERE l.ticket_id = $1 AND EXISTS (
		SELECT 1 FROM conversation_parts p WHERE p.conversation_id = l.conversation_id AND p.part_type = $2 AND p.body = $3)`,
		ticketID, t, body).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("store: count linked with part: %w", translate(err))
	}
	return n, nil
}

// BroadcastToLinked posts a teammate's comment in every conversation and Customer ticket linked
// to a ticket (TR4), in two statements whatever the number of links (TR5), and returns how many
// it reached. It runs inside the caller's transaction, so that a crash leaves all or none.
//
// On PostgreSQL the first statement locks the linked conversations, in id order, as it reads
// them: one deleted meanwhile is left out instead of failing the broadcast, none can be deleted
// until the broadcast commits, and a writer that locks several conversations in id order too
// (a cross-post) cannot deadlock with it. (Unlike BroadcastComment, which fails on a linked
// conversation deleted while it runs.)
func (tx *Tx) BroadcastToLinked(ctx context.Context, ticketID int64, p conversation.Part, emailDueAt time.Time) (int64, error) {
	lock := ""
	if tx.dialect == Postgres {
		lock = " FOR NO KEY UPDATE OF c"
	}
	var before int64
	if err := tx.row(ctx, `SELECT COALESCE(MAX(id), 0) FROM conversation_parts`).Scan(&before); err != nil {
		return 0, fmt.Errorf("store: broadcast: %w", err)
	}
	res, err := tx.exec(ctx, `INSERT INTO conversation_parts (conversation_id, part_type, body, author_type, author_id, created_at, source_ticket_id, visible)
		SELECT c.id, $1, $2, $3, $4, $5, $6, TRUE FROM ticket_links l JOIN conversations c ON c.id = l.conversation_id
		WHERE l.ticket_id = $6 ORDER BY c.id`+lock,
		conversation.PartComment, p.Body, p.Author.Type, p.Author.ID, Unix(p.CreatedAt), ticketID)
	if err != nil {
		return 0, fmt.Errorf("store: broadcast: %w", err)
	}
	n, _ := res.RowsAffected()
	if _, err := tx.exec(ctx, `UPDATE conversations SET updated_at = $1, waiting_since = NULL, read = TRUE
		WHERE id IN (SELECT conversation_id FROM ticket_links WHERE ticket_id = $2)`, Unix(p.CreatedAt), ticketID); err != nil {
		return 0, fmt.Errorf("store: broadcast: %w", err)
	}
	// The comments' notifications (N2, as package notify's Of decides for a teammate's comment),
	// in one statement too. The comments are those after before that name the ticket: the
	// ticket is locked, so no other broadcast of it runs, and cross-posts name it on notes.
	if _, err := tx.exec(ctx, `INSERT INTO notifications (contact_id, conversation_id, part_id, kind, created_at, email_due_at)
		SELECT cc.contact_id, p.conversation_id, p.id,
			CASE WHEN c.kind = 'ticket' THEN 'ticket-reply' ELSE 'conversation-reply' END, p.created_at, $1
		FROM conversation_parts p JOIN conversations c ON c.id = p.conversation_id
		JOIN conversation_contacts cc ON cc.conversation_id = p.conversation_id
		WHERE p.id > $2 AND p.source_ticket_id = $3 AND p.part_type = $4`,
		Unix(emailDueAt), before, ticketID, conversation.PartComment); err != nil {
		return 0, fmt.Errorf("store: broadcast notifications: %w", err)
	}
	return n, nil
}

// LinkedItem is one conversation or Customer ticket that a ticket links to, as a tracker lists
// them (TR3): with its state and, for a Customer ticket, its ticket state.
type LinkedItem struct {
	ID          int64
	IsTicket    bool
	Category    ticket.Category // when IsTicket
	Title       string
	State       conversation.State
	TicketState ticket.State // when IsTicket
	LinkedAt    time.Time
	ContactIDs  []int64
}

// LinkedPage returns up to limit of the conversations and tickets that ticketID links to, in id
// order after the id after: one range of the links' primary key, however many there are (TR5).
func (q *Q) LinkedPage(ctx context.Context, ticketID, after int64, limit int) ([]LinkedItem, error) {
	rows, err := q.query(ctx, `SELECT c.id, c.kind = 'ticket', COALESCE(t.category, ''), COALESCE(c.title, ''), c.state,
		COALESCE(s.id, 0), COALESCE(s.category, ''), COALESCE(s.internal_label, ''), COALESCE(s.external_label, ''), l.created_at
		FROM ticket_links l JOIN conversations c ON c.id = l.conversation_id
		LEFT JOIN tickets t ON t.id = c.id LEFT JOIN ticket_states s ON s.id = t.ticket_state_id
		WHERE l.ticket_id = $1 AND l.conversation_id > $2 ORDER BY l.conversation_id LIMIT $3`, ticketID, after, limit)
	if err != nil {
		return nil, fmt.Errorf("store: linked page: %w", err)
	}
	items, err := collect(rows, func(r *sql.Rows) (LinkedItem, error) {
		var it LinkedItem
		var linked int64
		err := r.Scan(&it.ID, &it.IsTicket, &it.Category, &it.Title, &it.State, &it.TicketState.ID, &it.TicketState.Category,
			&it.TicketState.InternalLabel, &it.TicketState.ExternalLabel, &linked)
		it.LinkedAt = time.Unix(linked, 0)
		return it, err
	})
	if err != nil {
		return nil, err
	}
	ids := make([]int64, len(items))
	for i, it := range items {
		ids[i] = it.ID
	}
	contacts, err := q.ConversationContacts(ctx, ids...)
	for i := range items {
		items[i].ContactIDs = contacts[items[i].ID]
	}
	return items, err
}
