package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/helpdesk/helpdesk/internal/ticket"
)

// CreateTicket stores a new ticket: its conversation (which gives it its id), its number, its
// row and the first row of its state history. tk.ID and tk.Number are set.
func (q *Q) CreateTicket(ctx context.Context, tk *ticket.Ticket) error {
	tk.IsTicket = true
	if err := q.CreateConversation(ctx, &tk.Conversation); err != nil {
		return err
	}
	if err := q.insertTicket(ctx, tk); err != nil {
		return err
	}
	_, err := q.exec(ctx, `INSERT INTO ticket_state_history (ticket_id, ticket_state_id, started_at) VALUES ($1, $2, $3)`,
		tk.ID, tk.State.ID, Unix(tk.CreatedAt))
	if err != nil {
		return fmt.Errorf("store: ticket state history: %w", err)
	}
	return nil
}

const ticketColumns = `t.ticket_number, t.ticket_type_id, t.category, t.ticket_state_id, t.previous_state_id, t.description,
	t.attributes, t.is_shared, t.company_id, s.category, s.internal_label, s.external_label, s.archived`

// Ticket returns a ticket with its conversation, participants, type (with attributes) and state.
func (q *Q) Ticket(ctx context.Context, id int64) (ticket.Ticket, error) {
	return q.ticket(ctx, id, "")
}

// TicketForUpdate is Ticket inside a transaction that will change it; on PostgreSQL its
// conversation row stays locked until the transaction ends.
func (tx *Tx) TicketForUpdate(ctx context.Context, id int64) (ticket.Ticket, error) {
	return tx.ticket(ctx, id, tx.lockForUpdate())
}

func (q *Q) ticket(ctx context.Context, id int64, lock string) (ticket.Ticket, error) {
	lockOf := ""
	if lock != "" {
		lockOf = lock + " OF c"
	}
	tk, err := scanTicket(q.row(ctx, `SELECT `+prefixed("c.", conversationColumns)+`, `+ticketColumns+`
		FROM conversations c JOIN tickets t ON t.id = c.id JOIN ticket_states s ON s.id = t.ticket_state_id
		WHERE c.id = $1`+lockOf, id))
	if err != nil {
		return tk, fmt.Errorf("store: ticket %d: %w", id, err)
	}
	if tk.Type, err = q.TicketType(ctx, tk.Type.ID); err != nil {
		return tk, err
	}
	return tk, q.WithContacts(ctx, &tk.Conversation)
}

// scanTicket reads a row of conversationColumns and ticketColumns; the type has its id only,
// and the participants are not loaded.
func scanTicket(r interface{ Scan(...any) error }) (ticket.Ticket, error) {
	var tk ticket.Ticket
	var prev, company sql.NullInt64
	var attrs string
	cs := conversationScan{c: &tk.Conversation}
	dest := append(cs.dest(), &tk.Number, &tk.Type.ID, &tk.Category, &tk.State.ID, &prev, &tk.Description, &attrs, &tk.IsShared,
		&company, &tk.State.Category, &tk.State.InternalLabel, &tk.State.ExternalLabel, &tk.State.Archived)
	if err := r.Scan(dest...); err != nil {
		return tk, translate(err)
	}
	cs.fill()
	tk.PreviousStateID, tk.CompanyID = prev.Int64, company.Int64
	if err := json.Unmarshal([]byte(attrs), &tk.Attributes); err != nil {
		return tk, fmt.Errorf("attributes: %w", err)
	}
	return tk, nil
}

// TicketPage lists tickets matching where (a SQL condition on aliases c for the conversation,
// t for the ticket and s for its state, with args; "" for all), newest first, after the cursor
// id (0 for the first page), at most limit, with their types and participants. Like
// ConversationPage it never counts: the caller asks for limit+1.
func (q *Q) TicketPage(ctx context.Context, where string, args []any, before int64, limit int) ([]ticket.Ticket, error) {
	page, args := newestFirst("c.kind = 'ticket'", where, args, before, limit)
	rows, err := q.query(ctx, `SELECT `+prefixed("c.", conversationColumns)+`, `+ticketColumns+`
		FROM conversations c JOIN tickets t ON t.id = c.id JOIN ticket_states s ON s.id = t.ticket_state_id `+page, args...)
	if err != nil {
		return nil, fmt.Errorf("store: tickets: %w", err)
	}
	list, err := collect(rows, func(r *sql.Rows) (ticket.Ticket, error) { return scanTicket(r) })
	if err != nil {
		return nil, fmt.Errorf("store: tickets: %w", err)
	}
	ids := make([]int64, len(list))
	types := map[int64]ticket.Type{}
	for i, tk := range list {
		ids[i] = tk.ID
		if _, ok := types[tk.Type.ID]; !ok {
			if types[tk.Type.ID], err = q.TicketType(ctx, tk.Type.ID); err != nil {
				return nil, err
			}
		}
	}
	contacts, err := q.ConversationContacts(ctx, ids...)
	for i := range list {
		list[i].ContactIDs = contacts[list[i].ID]
		list[i].Type = types[list[i].Type.ID]
	}
	return list, err
}

// ConvertToTicket turns conversation tk.ID into the ticket tk in place (CT2): the conversation
// row becomes a ticket's (keeping its id, participants and parts), and the ticket gets its
// number, its row and its first row of state history, which starts now.
func (q *Q) ConvertToTicket(ctx context.Context, tk *ticket.Ticket, now time.Time) error {
	res, err := q.exec(ctx, `UPDATE conversations SET kind = 'ticket' WHERE id = $1 AND kind = 'conversation'`, tk.ID)
	if err != nil {
		return fmt.Errorf("store: convert conversation: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("store: convert conversation %d: %w", tk.ID, ErrNotFound)
	}
	tk.IsTicket = true
	if err := q.UpdateConversation(ctx, &tk.Conversation); err != nil {
		return err
	}
	if err := q.insertTicket(ctx, tk); err != nil {
		return err
	}
	_, err = q.exec(ctx, `INSERT INTO ticket_state_history (ticket_id, ticket_state_id, started_at) VALUES ($1, $2, $3)`,
		tk.ID, tk.State.ID, Unix(now))
	if err != nil {
		return fmt.Errorf("store: ticket state history: %w", err)
	}
	return nil
}

// insertTicket gives tk its number and stores its row of tickets.
func (q *Q) insertTicket(ctx context.Context, tk *ticket.Ticket) error {
	number, err := q.insert(ctx, `INSERT INTO ticket_numbers (ticket_id) VALUES ($1)`, tk.ID)
	if err != nil {
		return fmt.Errorf("store: ticket number: %w", err)
	}
	tk.Number = number
	attrs, err := json.Marshal(tk.Attributes)
	if err != nil {
		return fmt.Errorf("store: ticket attributes: %w", err)
	}
	_, err = q.exec(ctx, `INSERT INTO tickets (id, ticket_number, ticket_type_id, category, ticket_state_id, description,
		attributes, is_shared, company_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		tk.ID, tk.Number, tk.Type.ID, tk.Category, tk.State.ID, tk.Description, string(attrs), tk.IsShared, nullInt(tk.CompanyID))
	if err != nil {
		return fmt.Errorf("store: create ticket: %w", err)
	}
	return nil
}

// AttributeChange is what a ticket_attribute_updated_by_admin part records: the attribute and
// its new value (nil when cleared).
type AttributeChange struct {
	AttributeID int64  `json:"attribute_id"`
	Label       string `json:"label"`
	Value       any    `json:"value"`
}

// SetAttributeChange records which attribute part partID is about.
func (q *Q) SetAttributeChange(ctx context.Context, partID int64, c AttributeChange) error {
	b, err := json.Marshal(c)
	if err != nil {
		return fmt.Errorf("store: attribute change: %w", err)
	}
	if _, err := q.exec(ctx, `UPDATE conversation_parts SET updated_attribute = $1 WHERE id = $2`, string(b), partID); err != nil {
		return fmt.Errorf("store: attribute change: %w", err)
	}
	return nil
}

// AttributeChanges returns the attribute changes recorded in a ticket's timeline, by part id.
func (q *Q) AttributeChanges(ctx context.Context, ticketID int64) (map[int64]AttributeChange, error) {
	rows, err := q.query(ctx, `SELECT id, updated_attribute FROM conversation_parts
		WHERE conversation_id = $1 AND updated_attribute IS NOT NULL`, ticketID)
	if err != nil {
		return nil, fmt.Errorf("store: attribute changes: %w", err)
	}
	type row struct {
		id int64
		c  AttributeChange
	}
	list, err := collect(rows, func(r *sql.Rows) (row, error) {
		var x row
		var raw string
		if err := r.Scan(&x.id, &raw); err != nil {
			return x, err
		}
		return x, json.Unmarshal([]byte(raw), &x.c)
	})
	out := make(map[int64]AttributeChange, len(list))
	for _, x := range list {
		out[x.id] = x.c
	}
	if err != nil {
		return nil, fmt.Errorf("store: attribute changes: %w", err)
	}
	return out, nil
}

// UpdateTicket saves a ticket's conversation and ticket fields.
func (q *Q) UpdateTicket(ctx context.Context, tk *ticket.Ticket) error {
	if err := q.UpdateConversation(ctx, &tk.Conversation); err != nil {
		return err
	}
	attrs, err := json.Marshal(tk.Attributes)
	if err != nil {
		return fmt.Errorf("store: ticket attributes: %w", err)
	}
	_, err = q.exec(ctx, `UPDATE tickets SET ticket_type_id = $1, category = $2, ticket_state_id = $3, previous_state_id = $4,
		description = $5, attributes = $6, is_shared = $7, company_id = $8 WHERE id = $9`,
		tk.Type.ID, tk.Category, tk.State.ID, nullInt(tk.PreviousStateID), tk.Description, string(attrs), tk.IsShared,
		nullInt(tk.CompanyID), tk.ID)
	if err != nil {
		return fmt.Errorf("store: update ticket: %w", err)
	}
	return nil
}

// RecordStateChange closes the ticket's current row of state history and opens the next (ST2).
func (q *Q) RecordStateChange(ctx context.Context, ticketID int64, c ticket.StateChange) error {
	if _, err := q.exec(ctx, `UPDATE ticket_state_history SET ended_at = $1 WHERE ticket_id = $2 AND ended_at IS NULL`,
		Unix(c.At), ticketID); err != nil {
		return fmt.Errorf("store: state history: %w", err)
	}
	if _, err := q.exec(ctx, `INSERT INTO ticket_state_history (ticket_id, ticket_state_id, started_at) VALUES ($1, $2, $3)`,
		ticketID, c.To.ID, Unix(c.At)); err != nil {
		return fmt.Errorf("store: state history: %w", err)
	}
	return nil
}

// StatePeriod is one row of a ticket's state history.
type StatePeriod struct {
	StateID        int64
	Started, Ended time.Time // Ended is zero for the current state
}

// StateHistory returns a ticket's states, oldest first.
func (q *Q) StateHistory(ctx context.Context, ticketID int64) ([]StatePeriod, error) {
	rows, err := q.query(ctx, `SELECT ticket_state_id, started_at, ended_at FROM ticket_state_history WHERE ticket_id = $1 ORDER BY id`, ticketID)
	if err != nil {
		return nil, fmt.Errorf("store: state history: %w", err)
	}
	return collect(rows, func(r *sql.Rows) (StatePeriod, error) {
		var p StatePeriod
		var started int64
		var ended sql.NullInt64
		err := r.Scan(&p.StateID, &started, &ended)
		p.Started, p.Ended = time.Unix(started, 0), timeOrZero(ended)
		return p, err
	})
}

// DeleteTicket removes a ticket, its timeline, links and history.
func (q *Q) DeleteTicket(ctx context.Context, id int64) error {
	res, err := q.exec(ctx, `DELETE FROM conversations WHERE id = $1 AND kind = 'ticket'`, id)
	if err != nil {
		return fmt.Errorf("store: delete ticket: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("store: delete ticket %d: %w", id, ErrNotFound)
	}
	return nil
}

// LinkTarget describes a conversation or ticket as something a ticket may link to.
func (q *Q) LinkTarget(ctx context.Context, id int64) (ticket.Target, error) {
	var t ticket.Target
	var category sql.NullString
	err := q.row(ctx, `SELECT c.id, c.kind = 'ticket', t.category, c.state, COALESCE(c.admin_assignee_id, 0),
		EXISTS (SELECT 1 FROM ticket_links l WHERE l.conversation_id = c.id AND l.kind = 'Tracker'),
		EXISTS (SELECT 1 FROM ticket_links l WHERE l.conversation_id = c.id AND l.kind = 'Back-office' AND l.shared)
		FROM conversations c LEFT JOIN tickets t ON t.id = c.id WHERE c.id = $1`, id).
		Scan(&t.ID, &t.IsTicket, &category, &t.State, &t.AdminAssigneeID, &t.HasTracker, &t.HasSharedBackOffice)
	t.Category = ticket.Category(category.String)
	if err != nil {
		return t, fmt.Errorf("store: link target %d: %w", id, translate(err))
	}
	return t, nil
}

// Link is one link from a Back-office or Tracker ticket to a conversation or Customer ticket.
type Link struct {
	TicketID       int64
	ConversationID int64
	Kind           ticket.Category // of the linking ticket
	Shared         bool
	// Of the linked conversation or ticket:
	IsTicket bool
	Category ticket.Category // when IsTicket
}

// AddTicketLink links a ticket to a conversation or Customer ticket. ErrConflict when the link
// exists, or breaks TR2 or BO7 in a race the caller's checks could not see.
func (q *Q) AddTicketLink(ctx context.Context, l Link, now time.Time) error {
	_, err := q.exec(ctx, `INSERT INTO ticket_links (ticket_id, conversation_id, kind, shared, created_at) VALUES ($1, $2, $3, $4, $5)`,
		l.TicketID, l.ConversationID, l.Kind, l.Shared, Unix(now))
	if err != nil {
		return fmt.Errorf("store: link ticket: %w", err)
	}
	return nil
}

// RemoveTicketLink unlinks; ErrNotFound when there was no such link.
func (q *Q) RemoveTicketLink(ctx context.Context, ticketID, conversationID int64) error {
	res, err := q.exec(ctx, `DELETE FROM ticket_links WHERE ticket_id = $1 AND conversation_id = $2`, ticketID, conversationID)
	if err != nil {
		return fmt.Errorf("store: unlink ticket: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("store: unlink ticket: %w", ErrNotFound)
	}
	return nil
}

// Links returns the links of the objects in ids, both ways: those where the object is the
// linking ticket and those where it is the linked conversation, in one query.
func (q *Q) Links(ctx context.Context, ids ...int64) ([]Link, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	in, args := inList(ids, 0)
	rows, err := q.query(ctx, `SELECT l.ticket_id, l.conversation_id, l.kind, l.shared, c.kind = 'ticket', COALESCE(t.category, '')
		FROM ticket_links l JOIN conversations c ON c.id = l.conversation_id LEFT JOIN tickets t ON t.id = l.conversation_id
		WHERE l.ticket_id IN (`+in+`) OR l.conversation_id IN (`+in+`) ORDER BY l.created_at, l.ticket_id, l.conversation_id`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: links: %w", err)
	}
	return collect(rows, func(r *sql.Rows) (Link, error) {
		var l Link
		return l, r.Scan(&l.TicketID, &l.ConversationID, &l.Kind, &l.Shared, &l.IsTicket, &l.Category)
	})
}

// LinkedObjects returns up to limit links of one conversation or ticket, both ways, and how
// many there are in all (a tracker may have 100,000: TR5).
func (q *Q) LinkedObjects(ctx context.Context, id int64, limit int) ([]Link, int, error) {
	var total int
	if err := q.row(ctx, `SELECT (SELECT count(*) FROM ticket_links WHERE ticket_id = $1) +
		(SELECT count(*) FROM ticket_links WHERE conversation_id = $1)`, id).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("store: linked objects: %w", translate(err))
	}
	if total == 0 {
		return nil, 0, nil
	}
	rows, err := q.query(ctx, `SELECT l.ticket_id, l.conversation_id, l.kind, l.shared, c.kind = 'ticket', COALESCE(t.category, '')
		FROM ticket_links l JOIN conversations c ON c.id = l.conversation_id LEFT JOIN tickets t ON t.id = l.conversation_id
		WHERE l.ticket_id = $1 OR l.conversation_id = $1 ORDER BY l.created_at, l.ticket_id, l.conversation_id LIMIT $2`, id, limit)
	if err != nil {
		return nil, 0, fmt.Errorf("store: linked objects: %w", err)
	}
	links, err := collect(rows, func(r *sql.Rows) (Link, error) {
		var l Link
		return l, r.Scan(&l.TicketID, &l.ConversationID, &l.Kind, &l.Shared, &l.IsTicket, &l.Category)
	})
	return links, total, err
}
