package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/helpdesk/helpdesk/internal/conversation"
	"github.com/helpdesk/helpdesk/internal/ticket"
)

// This file is the customer's side of the store (SPEC M, N, P): notifications, what a contact
// has seen, customer sessions, settings, and the read model of what a contact may see. Every
// query here that shows something to a customer keeps to visible parts, conversations and
// Customer tickets the contact takes part in, and tickets shared with them (N5).

// AddNotifications records, for every customer of conversation id, a notification of kind
// about part p, whose email is due at emailDueAt (N1-N4). (Package notify owes none for a
// customer's own comment; a ticket a customer submits is notified to them too, N1.)
func (q *Q) AddNotifications(ctx context.Context, id int64, p conversation.Part, kind string, emailDueAt time.Time) error {
	_, err := q.exec(ctx, `INSERT INTO notifications (contact_id, conversation_id, part_id, kind, created_at, email_due_at)
		SELECT contact_id, conversation_id, $1, $2, $3, $4 FROM conversation_contacts WHERE conversation_id = $5`,
		p.ID, kind, Unix(p.CreatedAt), Unix(emailDueAt), id)
	if err != nil {
		return fmt.Errorf("store: add notifications: %w", err)
	}
	return nil
}

// MarkSeen records that a contact has seen a thread up to part partID, at a time (M3). The mark
// only moves forward.
func (q *Q) MarkSeen(ctx context.Context, contactID, conversationID, partID int64, at time.Time) error {
	_, err := q.exec(ctx, `INSERT INTO contact_reads (contact_id, conversation_id, seen_part_id, seen_at)
		VALUES ($1, $2, $3, $4)
		ON CONFLICT (contact_id, conversation_id) DO UPDATE SET seen_part_id = excluded.seen_part_id, seen_at = excluded.seen_at
		WHERE contact_reads.seen_part_id < excluded.seen_part_id`,
		contactID, conversationID, partID, Unix(at))
	if err != nil {
		return fmt.Errorf("store: mark seen: %w", err)
	}
	return nil
}

// Seen returns the last part a contact has seen of a thread, and when; 0 and the zero time when
// they have not seen it.
func (q *Q) Seen(ctx context.Context, contactID, conversationID int64) (int64, time.Time, error) {
	var part, at int64
	err := translate(q.row(ctx, `SELECT seen_part_id, seen_at FROM contact_reads WHERE contact_id = $1 AND conversation_id = $2`,
		contactID, conversationID).Scan(&part, &at))
	if err == ErrNotFound {
		return 0, time.Time{}, nil
	}
	if err != nil {
		return 0, time.Time{}, fmt.Errorf("store: seen: %w", err)
	}
	return part, time.Unix(at, 0), nil
}

// CreateCustomerSession stores a customer session's token hash (M1, P2).
func (q *Q) CreateCustomerSession(ctx context.Context, hash []byte, contactID int64, created, expires time.Time) error {
	_, err := q.exec(ctx, `INSERT INTO customer_sessions (token_hash, contact_id, created_at, expires_at) VALUES ($1, $2, $3, $4)`,
		hash, contactID, Unix(created), Unix(expires))
	if err != nil {
		return fmt.Errorf("store: create customer session: %w", err)
	}
	return nil
}

// CustomerSession returns the contact of an unexpired session; ErrNotFound when there is none.
func (q *Q) CustomerSession(ctx context.Context, hash []byte, now time.Time) (int64, time.Time, error) {
	var contactID, expires int64
	err := translate(q.row(ctx, `SELECT contact_id, expires_at FROM customer_sessions WHERE token_hash = $1 AND expires_at > $2`,
		hash, Unix(now)).Scan(&contactID, &expires))
	if err != nil {
		return 0, time.Time{}, fmt.Errorf("store: customer session: %w", err)
	}
	return contactID, time.Unix(expires, 0), nil
}

// DeleteCustomerSession ends one session, whether or not it existed.
func (q *Q) DeleteCustomerSession(ctx context.Context, hash []byte) error {
	_, err := q.exec(ctx, `DELETE FROM customer_sessions WHERE token_hash = $1`, hash)
	return err
}

// DeleteExpiredCustomerSessions removes sessions that ended before now.
func (q *Q) DeleteExpiredCustomerSessions(ctx context.Context, now time.Time) error {
	_, err := q.exec(ctx, `DELETE FROM customer_sessions WHERE expires_at <= $1`, Unix(now))
	return err
}

// Setting returns a workspace setting; "" when it was never set.
func (q *Q) Setting(ctx context.Context, name string) (string, error) {
	var v string
	err := translate(q.row(ctx, `SELECT value FROM settings WHERE name = $1`, name).Scan(&v))
	if err == ErrNotFound {
		return "", nil
	}
	return v, err
}

// SetSetting stores a workspace setting.
func (q *Q) SetSetting(ctx context.Context, name, value string, now time.Time) error {
	_, err := q.exec(ctx, `INSERT INTO settings (name, value, updated_at) VALUES ($1, $2, $3)
		ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`, name, value, Unix(now))
	return err
}

// ownComment is the condition on parts p that they are the comments of contact cc.contact_id:
// what a customer writes is not news to them (M3); a ticket they submit is (N1).
const ownComment = `(p.part_type = 'comment' AND p.author_type IN ('user', 'lead') AND p.author_id = cc.contact_id)`

// CustomerTicket is a ticket as its customers see it (M2, P1, P5): never an internal label.
type CustomerTicket struct {
	ID          int64
	Number      int64
	Title       string
	Description string
	TypeID      int64
	TypeName    string
	Category    ticket.Category // Customer, or Back-office when shared (BO10)
	State       ticket.State    // show State.ExternalLabel
	Open        bool            // the ticket (as a conversation) is not closed
	CompanyID   int64
	Attributes  string // JSON, all of them: show only the type's attributes visible to contacts
	CreatedAt   time.Time
	UpdatedAt   time.Time
	// ThreadID is where the customer talks about the ticket: the ticket itself for a Customer
	// ticket, the linked conversation for a shared Back-office ticket (0: none left).
	ThreadID int64
}

const customerTicketColumns = `t.id, t.ticket_number, COALESCE(c.title, ''), t.description, ty.id, ty.name, t.category,
	s.id, s.category, s.internal_label, s.external_label, c.state <> 'closed', COALESCE(t.company_id, 0), t.attributes,
	c.created_at, c.updated_at,
	CASE WHEN t.category = 'Customer' THEN t.id ELSE COALESCE((SELECT MIN(l.conversation_id) FROM ticket_links l WHERE l.ticket_id = t.id), 0) END`

const customerTicketJoins = ` FROM tickets t JOIN conversations c ON c.id = t.id
	JOIN ticket_types ty ON ty.id = t.ticket_type_id JOIN ticket_states s ON s.id = t.ticket_state_id`

// sharedWithCustomers is the condition on tickets t that customers may see them (CT1, BO10,
// TR1, N5).
const sharedWithCustomers = `(t.category = 'Customer' OR (t.category = 'Back-office' AND t.is_shared))`

func scanCustomerTicket(r interface{ Scan(...any) error }) (CustomerTicket, error) {
	var x ticketRow
	err := r.Scan(x.dest()...)
	return x.fill(), err
}

// CustomerThread is a conversation or Customer ticket as one of its customers lists it (M2).
type CustomerThread struct {
	ID         int64
	IsTicket   bool
	Title      string
	FirstBody  string // the message that started it
	CreatedAt  time.Time
	LastPartID int64 // the newest visible part; 0: none
	LastAt     time.Time
	Unseen     int // visible parts by others after the contact's seen mark (M3)
	// Ticket is the ticket shown at the top of the thread: the Customer ticket itself, or the
	// shared Back-office ticket linked to the conversation (BO10); nil for neither.
	Ticket *CustomerTicket
}

// CustomerThreads returns the conversations and Customer tickets a contact takes part in, the
// most recently active first, each with its ticket and how much of it the contact has not seen.
func (q *Q) CustomerThreads(ctx context.Context, contactID int64, limit int) ([]CustomerThread, error) {
	rows, err := q.query(ctx, `SELECT c.id, c.kind = 'ticket', COALESCE(c.title, ''), c.source_body, c.created_at,
		COALESCE(v.last_id, 0), COALESCE(v.last_at, c.created_at),
		(SELECT COUNT(*) FROM conversation_parts p WHERE p.conversation_id = c.id AND p.visible
			AND p.id > COALESCE(r.seen_part_id, 0) AND NOT `+ownComment+`)
		FROM conversation_contacts cc JOIN conversations c ON c.id = cc.conversation_id
		LEFT JOIN tickets t ON t.id = c.id
		LEFT JOIN contact_reads r ON r.contact_id = cc.contact_id AND r.conversation_id = c.id
		LEFT JOIN (SELECT p.conversation_id, MAX(p.id) AS last_id, MAX(p.created_at) AS last_at FROM conversation_parts p
			JOIN conversation_contacts x ON x.conversation_id = p.conversation_id AND x.contact_id = $1
			WHERE p.visible GROUP BY p.conversation_id) v ON v.conversation_id = c.id
		WHERE cc.contact_id = $1 AND (c.kind = 'conversation' OR t.category = 'Customer')
		ORDER BY COALESCE(v.last_id, 0) DESC, c.id DESC LIMIT $2`, contactID, limit)
	if err != nil {
		return nil, fmt.Errorf("store: customer threads: %w", err)
	}
	threads, err := collect(rows, func(r *sql.Rows) (CustomerThread, error) {
		var th CustomerThread
		var created, last int64
		err := r.Scan(&th.ID, &th.IsTicket, &th.Title, &th.FirstBody, &created, &th.LastPartID, &last, &th.Unseen)
		th.CreatedAt, th.LastAt = time.Unix(created, 0), time.Unix(last, 0)
		return th, err
	})
	if err != nil || len(threads) == 0 {
		return threads, err
	}
	ids := make([]int64, len(threads))
	for i, th := range threads {
		ids[i] = th.ID
	}
	cards, err := q.threadTickets(ctx, ids)
	if err != nil {
		return nil, err
	}
	for i := range threads {
		if t, ok := cards[threads[i].ID]; ok {
			threads[i].Ticket = &t
		}
	}
	return threads, nil
}

// threadTickets returns the ticket shown at the top of each thread (BO10): the Customer ticket
// itself, or the shared Back-office ticket linked to the conversation.
func (q *Q) threadTickets(ctx context.Context, threadIDs []int64) (map[int64]CustomerTicket, error) {
	in, args := inList(threadIDs, 0)
	rows, err := q.query(ctx, `SELECT x.thread_id, `+customerTicketColumns+customerTicketJoins+`
		JOIN (SELECT id AS thread_id, id AS ticket_id FROM tickets WHERE id IN (`+in+`) AND category = 'Customer'
			UNION ALL SELECT conversation_id, ticket_id FROM ticket_links WHERE conversation_id IN (`+in+`) AND kind = 'Back-office' AND shared
		) x ON x.ticket_id = t.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: thread tickets: %w", err)
	}
	out := map[int64]CustomerTicket{}
	type pair struct {
		thread int64
		t      CustomerTicket
	}
	pairs, err := collect(rows, func(r *sql.Rows) (pair, error) {
		var p pair
		var x ticketRow
		err := r.Scan(append([]any{&p.thread}, x.dest()...)...)
		p.t = x.fill()
		return p, err
	})
	for _, p := range pairs {
		p.t.ThreadID = p.thread
		out[p.thread] = p.t
	}
	return out, err
}

// ticketRow scans customerTicketColumns.
type ticketRow struct {
	t                CustomerTicket
	created, updated int64
}

func (x *ticketRow) dest() []any {
	t := &x.t
	return []any{&t.ID, &t.Number, &t.Title, &t.Description, &t.TypeID, &t.TypeName, &t.Category,
		&t.State.ID, &t.State.Category, &t.State.InternalLabel, &t.State.ExternalLabel, &t.Open, &t.CompanyID, &t.Attributes,
		&x.created, &x.updated, &t.ThreadID}
}

func (x *ticketRow) fill() CustomerTicket {
	x.t.CreatedAt, x.t.UpdatedAt = time.Unix(x.created, 0), time.Unix(x.updated, 0)
	return x.t
}

// CustomerThreadFor returns one thread of a contact's, with its ticket; ErrNotFound when the
// contact takes no part in it or it is not a thread customers see (N5: a Back-office or Tracker
// ticket's id, a guessed id and another customer's thread all look alike).
func (q *Q) CustomerThreadFor(ctx context.Context, contactID, id int64) (CustomerThread, error) {
	var th CustomerThread
	var created int64
	err := translate(q.row(ctx, `SELECT c.id, c.kind = 'ticket', COALESCE(c.title, ''), c.source_body, c.created_at
		FROM conversation_contacts cc JOIN conversations c ON c.id = cc.conversation_id LEFT JOIN tickets t ON t.id = c.id
		WHERE cc.contact_id = $1 AND cc.conversation_id = $2 AND (c.kind = 'conversation' OR t.category = 'Customer')`,
		contactID, id).Scan(&th.ID, &th.IsTicket, &th.Title, &th.FirstBody, &created))
	if err != nil {
		return th, fmt.Errorf("store: customer thread: %w", err)
	}
	th.CreatedAt = time.Unix(created, 0)
	cards, err := q.threadTickets(ctx, []int64{id})
	if err != nil {
		return th, err
	}
	if t, ok := cards[id]; ok {
		th.Ticket = &t
	}
	return th, nil
}

// VisibleParts returns the parts of a thread its customers see (M2, N5), oldest first, after
// part after.
func (q *Q) VisibleParts(ctx context.Context, conversationID, after int64) ([]conversation.Part, error) {
	rows, err := q.query(ctx, `SELECT id, part_type, body, author_type, author_id, created_at,
		previous_state_id, state_id, source_ticket_id
		FROM conversation_parts WHERE conversation_id = $1 AND visible AND id > $2 ORDER BY id`, conversationID, after)
	if err != nil {
		return nil, fmt.Errorf("store: visible parts: %w", err)
	}
	return collect(rows, func(r *sql.Rows) (conversation.Part, error) {
		p := conversation.Part{Visible: true}
		var body sql.NullString
		var from, to, source sql.NullInt64
		var created int64
		err := r.Scan(&p.ID, &p.Type, &body, &p.Author.Type, &p.Author.ID, &created, &from, &to, &source)
		p.Body, p.CreatedAt = body.String, time.Unix(created, 0)
		p.FromStateID, p.ToStateID, p.SourceTicketID = from.Int64, to.Int64, source.Int64
		return p, err
	})
}

// UnseenThreads counts a contact's threads with visible activity by others that the contact
// has not seen: the Messenger's badge (M3).
func (q *Q) UnseenThreads(ctx context.Context, contactID int64) (int, error) {
	var n int
	err := translate(q.row(ctx, `SELECT COUNT(*) FROM conversation_contacts cc
		JOIN conversations c ON c.id = cc.conversation_id LEFT JOIN tickets t ON t.id = c.id
		LEFT JOIN contact_reads r ON r.contact_id = cc.contact_id AND r.conversation_id = cc.conversation_id
		WHERE cc.contact_id = $1 AND (c.kind = 'conversation' OR t.category = 'Customer')
		AND EXISTS (SELECT 1 FROM conversation_parts p WHERE p.conversation_id = cc.conversation_id AND p.visible
			AND p.id > COALESCE(r.seen_part_id, 0) AND NOT `+ownComment+`)`,
		contactID).Scan(&n))
	if err != nil {
		return 0, fmt.Errorf("store: unseen threads: %w", err)
	}
	return n, nil
}

// CompanyTickets returns the tickets customers may see (CT, shared BO) of every company a
// contact belongs to (P1), newest activity first, in one state category when stateCategory is
// not empty (P4).
func (q *Q) CompanyTickets(ctx context.Context, contactID int64, stateCategory string, limit int) ([]CustomerTicket, error) {
	where := ""
	args := []any{contactID, limit}
	if stateCategory != "" {
		where = " AND s.category = $3"
		args = append(args, stateCategory)
	}
	rows, err := q.query(ctx, `SELECT `+customerTicketColumns+customerTicketJoins+`
		WHERE t.company_id IN (SELECT company_id FROM contact_companies WHERE contact_id = $1) AND `+sharedWithCustomers+where+`
		ORDER BY c.updated_at DESC, t.id DESC LIMIT $2`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: company tickets: %w", err)
	}
	return collect(rows, func(r *sql.Rows) (CustomerTicket, error) { return scanCustomerTicket(r) })
}

// CompanyTicket returns one ticket customers may see of a company the contact belongs to;
// ErrNotFound otherwise (P5, N5).
func (q *Q) CompanyTicket(ctx context.Context, contactID, ticketID int64) (CustomerTicket, error) {
	t, err := scanCustomerTicket(q.row(ctx, `SELECT `+customerTicketColumns+customerTicketJoins+`
		WHERE t.id = $2 AND t.company_id IN (SELECT company_id FROM contact_companies WHERE contact_id = $1) AND `+sharedWithCustomers,
		contactID, ticketID))
	if err != nil {
		return t, fmt.Errorf("store: company ticket: %w", translate(err))
	}
	return t, nil
}

// IsParticipant tells whether a contact takes part in a conversation or ticket.
func (q *Q) IsParticipant(ctx context.Context, contactID, conversationID int64) (bool, error) {
	var n int
	err := q.row(ctx, `SELECT COUNT(*) FROM conversation_contacts WHERE contact_id = $1 AND conversation_id = $2`,
		contactID, conversationID).Scan(&n)
	return n > 0, translate(err)
}

// LastVisiblePart returns the id of a thread's newest visible part; 0 when it has none.
func (q *Q) LastVisiblePart(ctx context.Context, conversationID int64) (int64, error) {
	var id int64
	err := q.row(ctx, `SELECT COALESCE(MAX(id), 0) FROM conversation_parts WHERE conversation_id = $1 AND visible`, conversationID).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("store: last visible part: %w", translate(err))
	}
	return id, nil
}

// NewestVisiblePart returns the id of the newest visible part of all a contact's threads (0 for
// none): what a live Messenger compares to know it has news. It reads each thread's newest
// visible part from the index, not the threads' parts.
func (q *Q) NewestVisiblePart(ctx context.Context, contactID int64) (int64, error) {
	var id int64
	err := q.row(ctx, `SELECT COALESCE(MAX((SELECT MAX(p.id) FROM conversation_parts p WHERE p.conversation_id = cc.conversation_id AND p.visible)), 0)
		FROM conversation_contacts cc JOIN conversations c ON c.id = cc.conversation_id LEFT JOIN tickets t ON t.id = c.id
		WHERE cc.contact_id = $1 AND (c.kind = 'conversation' OR t.category = 'Customer')`, contactID).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("store: newest visible part: %w", translate(err))
	}
	return id, nil
}
