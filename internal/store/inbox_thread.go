package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/helpdesk/helpdesk/internal/conversation"
	"github.com/helpdesk/helpdesk/internal/ticket"
)

// The reads of the Inbox's conversation and ticket pages (SPEC IN2, BO12): a timeline a page at
// a time, and what a page says of the other conversations and tickets it names (links,
// cross-posted notes, events) and of companies, each in one query.

// ThreadHead is what a page shows of a conversation or ticket it names: enough for a link, a
// line in the Links section or a preview's heading.
type ThreadHead struct {
	ID        int64
	IsTicket  bool
	Title     string
	State     conversation.State
	FirstBody string // the start of the message that opened a conversation
	// Of a ticket:
	Number      int64
	Category    ticket.Category
	TypeName    string
	TicketState ticket.State
}

// ThreadHeads returns the heads of the conversations and tickets in ids that exist, in one query.
func (q *Q) ThreadHeads(ctx context.Context, ids ...int64) (map[int64]ThreadHead, error) {
	out := make(map[int64]ThreadHead, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	in, args := inList(ids, 0)
	rows, err := q.query(ctx, `SELECT c.id, c.kind = 'ticket', COALESCE(c.title, ''), c.state, substr(c.source_body, 1, 300),
		COALESCE(t.ticket_number, 0), COALESCE(t.category, ''), COALESCE(tt.name, ''),
		COALESCE(s.id, 0), COALESCE(s.category, ''), COALESCE(s.internal_label, ''), COALESCE(s.external_label, '')
		FROM conversations c LEFT JOIN tickets t ON t.id = c.id LEFT JOIN ticket_types tt ON tt.id = t.ticket_type_id
		LEFT JOIN ticket_states s ON s.id = t.ticket_state_id
		WHERE c.id IN (`+in+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: thread heads: %w", err)
	}
	list, err := collect(rows, func(r *sql.Rows) (ThreadHead, error) {
		var h ThreadHead
		return h, r.Scan(&h.ID, &h.IsTicket, &h.Title, &h.State, &h.FirstBody, &h.Number, &h.Category, &h.TypeName,
			&h.TicketState.ID, &h.TicketState.Category, &h.TicketState.InternalLabel, &h.TicketState.ExternalLabel)
	})
	if err != nil {
		return nil, fmt.Errorf("store: thread heads: %w", err)
	}
	for _, h := range list {
		out[h.ID] = h
	}
	return out, nil
}

// ThreadPartsBefore returns up to limit parts of a timeline, newest first, older than the part
// before (0: from the newest): one range of the index on (conversation_id, id), however long the
// timeline.
func (q *Q) ThreadPartsBefore(ctx context.Context, conversationID, before int64, limit int) ([]conversation.Part, error) {
	cond, args := "", []any{conversationID, limit}
	if before > 0 {
		cond, args = " AND id < $3", append(args, before)
	}
	rows, err := q.query(ctx, `SELECT id, part_type, body, author_type, author_id, assigned_to_type, assigned_to_id, created_at,
		previous_state_id, state_id, source_ticket_id, visible
		FROM conversation_parts WHERE conversation_id = $1`+cond+` ORDER BY id DESC LIMIT $2`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: thread parts: %w", err)
	}
	parts, err := collect(rows, func(r *sql.Rows) (conversation.Part, error) {
		var p conversation.Part
		var body, toType sql.NullString
		var toID, from, to, source sql.NullInt64
		var created int64
		err := r.Scan(&p.ID, &p.Type, &body, &p.Author.Type, &p.Author.ID, &toType, &toID, &created, &from, &to, &source, &p.Visible)
		p.Body, p.CreatedAt = body.String, time.Unix(created, 0)
		p.FromStateID, p.ToStateID, p.SourceTicketID = from.Int64, to.Int64, source.Int64
		if toType.Valid {
			p.AssignedTo = &conversation.Assignee{Type: toType.String, ID: toID.Int64}
		}
		return p, err
	})
	if err != nil {
		return nil, fmt.Errorf("store: thread parts: %w", err)
	}
	return parts, nil
}

// ThreadCompanies returns the companies with the given ids, in one query.
func (q *Q) ThreadCompanies(ctx context.Context, ids ...int64) (map[int64]Company, error) {
	out := make(map[int64]Company, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	in, args := inList(ids, 0)
	rows, err := q.query(ctx, `SELECT `+companyColumns+` FROM companies WHERE id IN (`+in+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: companies: %w", err)
	}
	list, err := scanCompanies(rows)
	if err != nil {
		return nil, fmt.Errorf("store: companies: %w", err)
	}
	for _, c := range list {
		out[c.ID] = c
	}
	return out, nil
}
