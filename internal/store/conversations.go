package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/helpdesk/helpdesk/internal/conversation"
)

const conversationColumns = `id, kind = 'ticket', title, state, read, admin_assignee_id, team_assignee_id, snoozed_until, waiting_since,
	source_type, source_delivered_as, source_subject, source_body, source_author_type, source_author_id, created_at, updated_at`

// conversationScan is what a row of conversationColumns scans into, before fill makes the
// Conversation of it; queries that join more columns append theirs to dest.
type conversationScan struct {
	c                             *conversation.Conversation
	title                         sql.NullString
	admin, team, snoozed, waiting sql.NullInt64
	created, updated              int64
}

func (s *conversationScan) dest() []any {
	c := s.c
	return []any{&c.ID, &c.IsTicket, &s.title, &c.State, &c.Read, &s.admin, &s.team, &s.snoozed, &s.waiting,
		&c.Source.Type, &c.Source.DeliveredAs, &c.Source.Subject, &c.Source.Body, &c.Source.Author.Type, &c.Source.Author.ID,
		&s.created, &s.updated}
}

func (s *conversationScan) fill() {
	c := s.c
	c.Title = s.title.String
	c.AdminAssigneeID, c.TeamAssigneeID = s.admin.Int64, s.team.Int64
	c.SnoozedUntil, c.WaitingSince = timeOrZero(s.snoozed), timeOrZero(s.waiting)
	c.CreatedAt, c.UpdatedAt = time.Unix(s.created, 0), time.Unix(s.updated, 0)
}

func scanConversation(r interface{ Scan(...any) error }) (conversation.Conversation, error) {
	var c conversation.Conversation
	s := conversationScan{c: &c}
	err := r.Scan(s.dest()...)
	s.fill()
	return c, translate(err)
}

func timeOrZero(v sql.NullInt64) time.Time {
	if !v.Valid {
		return time.Time{}
	}
	return time.Unix(v.Int64, 0)
}

func nullTime(t time.Time) sql.NullInt64 {
	if t.IsZero() {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: t.Unix(), Valid: true}
}

func nullString(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }

// CreateConversation stores a new conversation with its participants and sets c.ID.
func (q *Q) CreateConversation(ctx context.Context, c *conversation.Conversation) error {
	kind := "conversation"
	if c.IsTicket {
		kind = "ticket"
	}
	id, err := q.insert(ctx, `INSERT INTO conversations (kind, title, state, read, admin_assignee_id, team_assignee_id, snoozed_until,
		waiting_since, source_type, source_delivered_as, source_subject, source_body, source_author_type, source_author_id,
		created_at, updated_at) VALUES ($16, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
		nullString(c.Title), c.State, c.Read, nullInt(c.AdminAssigneeID), nullInt(c.TeamAssigneeID), nullTime(c.SnoozedUntil),
		nullTime(c.WaitingSince), c.Source.Type, c.Source.DeliveredAs, c.Source.Subject, c.Source.Body,
		c.Source.Author.Type, c.Source.Author.ID, Unix(c.CreatedAt), Unix(c.UpdatedAt), kind)
	if err != nil {
		return fmt.Errorf("store: create conversation: %w", err)
	}
	c.ID = id
	for _, contactID := range c.ContactIDs {
		if err := q.addConversationContact(ctx, id, contactID, c.CreatedAt); err != nil {
			return err
		}
	}
	return nil
}

func (q *Q) addConversationContact(ctx context.Context, conversationID, contactID int64, now time.Time) error {
	_, err := q.exec(ctx, `INSERT INTO conversation_contacts (conversation_id, contact_id, added_at) VALUES ($1, $2, $3)
		ON CONFLICT DO NOTHING`, conversationID, contactID, Unix(now))
	if err != nil {
		return fmt.Errorf("store: add conversation contact: %w", err)
	}
	return nil
}

// ConversationForUpdate is Conversation inside a transaction that will change it, without its
// participants (load them with WithContacts where a rule needs them): on PostgreSQL the row is
// locked until the transaction ends, so that two requests cannot lose each other's change.
// (SQLite transactions already write one at a time.)
func (tx *Tx) ConversationForUpdate(ctx context.Context, id int64) (conversation.Conversation, error) {
	c, err := scanConversation(tx.row(ctx, `SELECT `+conversationColumns+` FROM conversations WHERE id = $1`+tx.lockForUpdate(), id))
	if err != nil {
		return c, fmt.Errorf("store: conversation %d: %w", id, err)
	}
	return c, nil
}

// WithContacts fills in the participants of c.
func (q *Q) WithContacts(ctx context.Context, c *conversation.Conversation) error {
	contacts, err := q.ConversationContacts(ctx, c.ID)
	c.ContactIDs = contacts[c.ID]
	return err
}

// Conversation returns one conversation with its participants.
func (q *Q) Conversation(ctx context.Context, id int64) (conversation.Conversation, error) {
	c, err := scanConversation(q.row(ctx, `SELECT `+conversationColumns+` FROM conversations WHERE id = $1`, id))
	if err != nil {
		return c, fmt.Errorf("store: conversation %d: %w", id, err)
	}
	return c, q.WithContacts(ctx, &c)
}

// UpdateConversation saves the changeable fields of c; participants change with
// AddConversationContact and RemoveConversationContact.
func (q *Q) UpdateConversation(ctx context.Context, c *conversation.Conversation) error {
	res, err := q.exec(ctx, `UPDATE conversations SET title = $1, state = $2, read = $3, admin_assignee_id = $4,
		team_assignee_id = $5, snoozed_until = $6, waiting_since = $7, updated_at = $8 WHERE id = $9`,
		nullString(c.Title), c.State, c.Read, nullInt(c.AdminAssigneeID), nullInt(c.TeamAssigneeID),
		nullTime(c.SnoozedUntil), nullTime(c.WaitingSince), Unix(c.UpdatedAt), c.ID)
	if err != nil {
		return fmt.Errorf("store: update conversation: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("store: update conversation %d: %w", c.ID, ErrNotFound)
	}
	return nil
}

// AddConversationContact makes a contact a participant of a conversation.
func (q *Q) AddConversationContact(ctx context.Context, conversationID, contactID int64, now time.Time) error {
	return q.addConversationContact(ctx, conversationID, contactID, now)
}

// RemoveConversationContact takes a participant out of a conversation.
func (q *Q) RemoveConversationContact(ctx context.Context, conversationID, contactID int64) error {
	if _, err := q.exec(ctx, `DELETE FROM conversation_contacts WHERE conversation_id = $1 AND contact_id = $2`, conversationID, contactID); err != nil {
		return fmt.Errorf("store: remove conversation contact: %w", err)
	}
	return nil
}

// ConversationContacts returns the participants of each conversation, in the order they joined.
func (q *Q) ConversationContacts(ctx context.Context, ids ...int64) (map[int64][]int64, error) {
	out := make(map[int64][]int64, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	in, args := inList(ids, 0)
	rows, err := q.query(ctx, `SELECT conversation_id, contact_id FROM conversation_contacts
		WHERE conversation_id IN (`+in+`) ORDER BY added_at, contact_id`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: conversation contacts: %w", err)
	}
	pairs, err := collect(rows, func(r *sql.Rows) ([2]int64, error) {
		var p [2]int64
		return p, r.Scan(&p[0], &p[1])
	})
	for _, p := range pairs {
		out[p[0]] = append(out[p[0]], p[1])
	}
	return out, err
}

// AddParts appends parts to a conversation's timeline and sets their ids.
func (q *Q) AddParts(ctx context.Context, conversationID int64, parts []conversation.Part) error {
	for i := range parts {
		p := &parts[i]
		var toType sql.NullString
		var toID sql.NullInt64
		if p.AssignedTo != nil {
			toType = sql.NullString{String: p.AssignedTo.Type, Valid: true}
			toID = sql.NullInt64{Int64: p.AssignedTo.ID, Valid: true}
		}
		id, err := q.insert(ctx, `INSERT INTO conversation_parts (conversation_id, part_type, body, author_type, author_id,
			assigned_to_type, assigned_to_id, created_at, previous_state_id, state_id, source_ticket_id, visible)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
			conversationID, p.Type, nullString(p.Body), p.Author.Type, p.Author.ID, toType, toID, Unix(p.CreatedAt),
			nullInt(p.FromStateID), nullInt(p.ToStateID), nullInt(p.SourceTicketID), p.Visible)
		if err != nil {
			return fmt.Errorf("store: add part: %w", err)
		}
		p.ID = id
	}
	return nil
}

// Parts returns a conversation's timeline, oldest first.
func (q *Q) Parts(ctx context.Context, conversationID int64) ([]conversation.Part, error) {
	rows, err := q.query(ctx, `SELECT id, part_type, body, author_type, author_id, assigned_to_type, assigned_to_id, created_at,
		previous_state_id, state_id, source_ticket_id, visible
		FROM conversation_parts WHERE conversation_id = $1 ORDER BY id`, conversationID)
	if err != nil {
		return nil, fmt.Errorf("store: parts: %w", err)
	}
	return collect(rows, func(r *sql.Rows) (conversation.Part, error) {
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
}

// PartCounts returns how many parts each conversation has.
func (q *Q) PartCounts(ctx context.Context, ids ...int64) (map[int64]int, error) {
	out := make(map[int64]int, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	in, args := inList(ids, 0)
	rows, err := q.query(ctx, `SELECT conversation_id, count(*) FROM conversation_parts WHERE conversation_id IN (`+in+`)
		GROUP BY conversation_id`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: part counts: %w", err)
	}
	type count struct {
		id int64
		n  int
	}
	counts, err := collect(rows, func(r *sql.Rows) (count, error) {
		var c count
		return c, r.Scan(&c.id, &c.n)
	})
	for _, c := range counts {
		out[c.id] = c.n
	}
	return out, err
}

// newestFirst returns the WHERE, ORDER BY and LIMIT of one page of threads (alias c), newest
// first: kind, the caller's condition where (with its args; "" for none), and the keyset cursor
// before (0: the first page). The page is one range of the primary key however long the list.
func newestFirst(kind, where string, args []any, before int64, limit int) (string, []any) {
	cond := kind
	if where != "" {
		cond += " AND (" + where + ")"
	}
	if before > 0 {
		args = append(args, before)
		cond += fmt.Sprintf(" AND c.id < $%d", len(args))
	}
	args = append(args, limit)
	return "WHERE " + cond + fmt.Sprintf(" ORDER BY c.id DESC LIMIT $%d", len(args)), args
}

// ConversationPage lists conversations matching where (a SQL condition on alias c, with args;
// "" for all), newest first, after the cursor id (0 for the first page), at most limit.
// It never counts the table: the caller asks for limit+1 to learn whether a next page exists.
func (q *Q) ConversationPage(ctx context.Context, where string, args []any, before int64, limit int) ([]conversation.Conversation, error) {
	page, args := newestFirst("c.kind = 'conversation'", where, args, before, limit)
	rows, err := q.query(ctx, `SELECT `+prefixed("c.", conversationColumns)+` FROM conversations c `+page, args...)
	if err != nil {
		return nil, fmt.Errorf("store: conversations: %w", err)
	}
	list, err := collect(rows, func(r *sql.Rows) (conversation.Conversation, error) { return scanConversation(r) })
	if err != nil {
		return nil, fmt.Errorf("store: conversations: %w", err)
	}
	ids := make([]int64, len(list))
	for i, c := range list {
		ids[i] = c.ID
	}
	contacts, err := q.ConversationContacts(ctx, ids...)
	for i := range list {
		list[i].ContactIDs = contacts[list[i].ID]
	}
	return list, err
}

// DueSnoozes returns up to limit conversations whose snooze has ended by now.
func (q *Q) DueSnoozes(ctx context.Context, now time.Time, limit int) ([]int64, error) {
	return q.int64s(ctx, `SELECT id FROM conversations WHERE state = 'snoozed' AND snoozed_until <= $1
		ORDER BY snoozed_until LIMIT $2`, Unix(now), limit)
}
