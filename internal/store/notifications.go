package store

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/helpdesk/helpdesk/internal/conversation"
)

// This file is the outbox of notification emails (SPEC N1-N4, E3): the notifications written
// with their parts (AddNotifications, BroadcastToLinked) are the rows a delivery worker claims
// when their email is due, reads what the email shows from, and settles as sent, skipped,
// failed, or due again later. Every settling method names the attempt it settles, so that a
// worker whose lease has run out and whose notification was claimed again changes nothing.

// Email statuses of a notification.
const (
	EmailPending = "pending"
	EmailSent    = "sent"
	EmailSkipped = "skipped"
	EmailFailed  = "failed"
)

// ClaimedEmail is a notification whose email a worker has claimed.
type ClaimedEmail struct {
	ID             int64
	ContactID      int64
	ConversationID int64
	PartID         int64
	Kind           string
	CreatedAt      time.Time
	// Attempt counts this claim: 1 the first time. The settling methods take it back.
	Attempt int
}

// ClaimDueEmails takes up to limit pending notifications whose email is due at now, the
// longest due first, and leases them until leaseUntil: their email_due_at moves there and
// their attempts count one more, so that no other worker takes them meanwhile, and a worker
// that dies before settling one lets it be taken again when the lease ends (N4). On PostgreSQL,
// FOR UPDATE SKIP LOCKED lets workers claim side by side without waiting for each other or
// taking the same row; SQLite's single writer serialises the claims. The result is in id order.
func (tx *Tx) ClaimDueEmails(ctx context.Context, now, leaseUntil time.Time, limit int) ([]ClaimedEmail, error) {
	lock := ""
	if tx.dialect == Postgres {
		lock = " FOR UPDATE SKIP LOCKED"
	}
	rows, err := tx.query(ctx, `UPDATE notifications SET email_due_at = $1, email_attempts = email_attempts + 1
		WHERE id IN (SELECT id FROM notifications WHERE email_status = 'pending' AND email_due_at <= $2
			ORDER BY email_due_at, id LIMIT $3`+lock+`)
		RETURNING id, contact_id, conversation_id, part_id, kind, created_at, email_attempts`,
		Unix(leaseUntil), Unix(now), limit)
	if err != nil {
		return nil, fmt.Errorf("store: claim due emails: %w", err)
	}
	claimed, err := collect(rows, func(r *sql.Rows) (ClaimedEmail, error) {
		var c ClaimedEmail
		var created int64
		err := r.Scan(&c.ID, &c.ContactID, &c.ConversationID, &c.PartID, &c.Kind, &created, &c.Attempt)
		c.CreatedAt = time.Unix(created, 0)
		return c, err
	})
	if err != nil {
		return nil, fmt.Errorf("store: claim due emails: %w", err)
	}
	slices.SortFunc(claimed, func(a, b ClaimedEmail) int { return cmp.Compare(a.ID, b.ID) })
	return claimed, nil
}

// OutboundEmail is what a notification's email is made of, read when it is about to be sent:
// who it goes to, whether it is still owed, and what it shows.
type OutboundEmail struct {
	NotificationID int64
	// The recipient. ContactExists is false for a contact deleted meanwhile.
	ContactExists bool
	Email         string
	Name          string
	Unsubscribed  bool
	// Participant tells whether the contact still takes part in the thread.
	Participant bool
	// SeenPartID is the last part of the thread the contact has seen in the Messenger (M3).
	SeenPartID int64
	// The part notified of: its type and body (a comment's HTML as stored), its author's type
	// and, for a teammate, name, and for a state change the customer-facing label of the state
	// it went to (ST1; never the internal one).
	PartType   conversation.PartType
	PartBody   string
	AuthorType conversation.AuthorType
	AuthorName string
	StateLabel string
	// The thread: a conversation's title and subject.
	ThreadIsTicket bool
	ThreadTitle    string
	ThreadSubject  string
	// Ticket is the ticket shown at the top of the thread, as customers see it: the Customer
	// ticket itself, or the shared Back-office ticket linked to the conversation (BO10); nil
	// for neither.
	Ticket *CustomerTicket
	// ReplyToken is the token of the contact's email thread; "" when none was made yet.
	ReplyToken string
}

// OutboundEmails reads the emails of notifications, by notification id; a notification
// deleted meanwhile (with its contact, part or thread) is missing from the map.
func (q *Q) OutboundEmails(ctx context.Context, ids []int64) (map[int64]OutboundEmail, error) {
	out := make(map[int64]OutboundEmail, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	in, args := inList(padIDs(ids), 0)
	rows, err := q.query(ctx, `SELECT n.id, ct.id IS NOT NULL, COALESCE(ct.email, ''), COALESCE(ct.name, ''),
		COALESCE(ct.unsubscribed_from_emails, FALSE),
		EXISTS (SELECT 1 FROM conversation_contacts cc WHERE cc.conversation_id = n.conversation_id AND cc.contact_id = n.contact_id),
		COALESCE(r.seen_part_id, 0),
		p.part_type, COALESCE(p.body, ''), p.author_type, COALESCE(a.name, ''), COALESCE(s.external_label, ''),
		c.kind = 'ticket', COALESCE(c.title, ''), c.source_subject, COALESCE(et.reply_token, ''), n.conversation_id
		FROM notifications n
		JOIN conversation_parts p ON p.id = n.part_id
		JOIN conversations c ON c.id = n.conversation_id
		LEFT JOIN contacts ct ON ct.id = n.contact_id
		LEFT JOIN admins a ON p.author_type = 'admin' AND a.id = p.author_id
		LEFT JOIN ticket_states s ON s.id = p.state_id
		LEFT JOIN contact_reads r ON r.contact_id = n.contact_id AND r.conversation_id = n.conversation_id
		LEFT JOIN email_threads et ON et.contact_id = n.contact_id AND et.conversation_id = n.conversation_id
		WHERE n.id IN (`+in+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: outbound emails: %w", err)
	}
	type row struct {
		e      OutboundEmail
		thread int64
	}
	list, err := collect(rows, func(r *sql.Rows) (row, error) {
		var x row
		e := &x.e
		err := r.Scan(&e.NotificationID, &e.ContactExists, &e.Email, &e.Name, &e.Unsubscribed, &e.Participant, &e.SeenPartID,
			&e.PartType, &e.PartBody, &e.AuthorType, &e.AuthorName, &e.StateLabel,
			&e.ThreadIsTicket, &e.ThreadTitle, &e.ThreadSubject, &e.ReplyToken, &x.thread)
		return x, err
	})
	if err != nil {
		return nil, fmt.Errorf("store: outbound emails: %w", err)
	}
	var threads []int64
	for _, x := range list {
		if !slices.Contains(threads, x.thread) {
			threads = append(threads, x.thread)
		}
	}
	cards := map[int64]CustomerTicket{}
	if len(threads) > 0 {
		if cards, err = q.threadTickets(ctx, padIDs(threads)); err != nil {
			return nil, fmt.Errorf("store: outbound emails: %w", err)
		}
	}
	for _, x := range list {
		if t, ok := cards[x.thread]; ok {
			x.e.Ticket = &t
		}
		out[x.e.NotificationID] = x.e
	}
	return out, nil
}

// padIDs repeats the last id up to the next power of two, so that IN lists of every length
// share a few query texts (and prepared statements).
func padIDs(ids []int64) []int64 {
	n := 1
	for n < len(ids) {
		n *= 2
	}
	out := slices.Clone(ids)
	for len(out) < n {
		out = append(out, ids[len(ids)-1])
	}
	return out
}

// settleEmail updates the email of notification id if attempt is still its current claim, and
// reports whether it did.
func (tx *Tx) settleEmail(ctx context.Context, what string, id int64, attempt int, set string, args ...any) (bool, error) {
	n := len(args)
	res, err := tx.exec(ctx, `UPDATE notifications SET `+set+
		fmt.Sprintf(` WHERE id = $%d AND email_attempts = $%d AND email_status = 'pending'`, n+1, n+2),
		append(args, id, attempt)...)
	if err != nil {
		return false, fmt.Errorf("store: %s: %w", what, err)
	}
	changed, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("store: %s: %w", what, err)
	}
	return changed == 1, nil
}

// MarkEmailSent records that the email of a notification went, with its Message-ID in the
// contact's email thread (the References of the thread's next email, and what an inbound reply
// names in In-Reply-To, E2), in the caller's transaction. It reports false, recording nothing,
// when attempt is no longer the notification's claim or the notification is gone.
func (tx *Tx) MarkEmailSent(ctx context.Context, e ClaimedEmail, messageID string, now time.Time) (bool, error) {
	ok, err := tx.settleEmail(ctx, "mark email sent", e.ID, e.Attempt,
		`email_status = 'sent', email_sent_at = $1, email_error = NULL`, Unix(now))
	if err != nil || !ok {
		return ok, err
	}
	if _, err := tx.AddEmailMessage(ctx, messageID, e.ContactID, e.ConversationID, false, now); err != nil {
		return false, err
	}
	return true, nil
}

// MarkEmailSkipped records that a notification's email is not owed after all, and why.
func (tx *Tx) MarkEmailSkipped(ctx context.Context, e ClaimedEmail, reason string) (bool, error) {
	return tx.settleEmail(ctx, "mark email skipped", e.ID, e.Attempt, `email_status = 'skipped', email_error = $1`, limitText(reason))
}

// MarkEmailFailed records that a notification's email will never go, and why.
func (tx *Tx) MarkEmailFailed(ctx context.Context, e ClaimedEmail, reason string) (bool, error) {
	return tx.settleEmail(ctx, "mark email failed", e.ID, e.Attempt, `email_status = 'failed', email_error = $1`, limitText(reason))
}

// RetryEmail makes a notification's email due again at dueAt after a failed attempt, and keeps
// why it failed.
func (tx *Tx) RetryEmail(ctx context.Context, e ClaimedEmail, dueAt time.Time, reason string) (bool, error) {
	return tx.settleEmail(ctx, "retry email", e.ID, e.Attempt, `email_due_at = $1, email_error = $2`, Unix(dueAt), limitText(reason))
}

// ReleaseEmail gives a claimed notification back unattempted, due at dueAt: its claim does
// not count as an attempt.
func (tx *Tx) ReleaseEmail(ctx context.Context, e ClaimedEmail, dueAt time.Time) (bool, error) {
	return tx.settleEmail(ctx, "release email", e.ID, e.Attempt, `email_due_at = $1, email_attempts = email_attempts - 1`, Unix(dueAt))
}

// limitText keeps an error text to a size worth storing.
func limitText(s string) string {
	const limit = 1000
	s = strings.ToValidUTF8(strings.ReplaceAll(s, "\x00", ""), "\uFFFD")
	if len(s) <= limit {
		return s
	}
	cut := limit
	for cut > 0 && s[cut]&0xC0 == 0x80 { // not inside a UTF-8 sequence
		cut--
	}
	return s[:cut] + "…"
}

// NotificationEmail is a notification with the state of its email, as operators and tests
// look at it.
type NotificationEmail struct {
	ID             int64
	ContactID      int64
	ConversationID int64
	PartID         int64
	Kind           string
	CreatedAt      time.Time
	Status         string // EmailPending, EmailSent, EmailSkipped or EmailFailed
	DueAt          time.Time
	Attempts       int
	SentAt         time.Time // zero unless sent
	Error          string    // why the last attempt failed, or why it was skipped
}

// NotificationEmails returns the notifications of a thread (a conversation or ticket id), or of
// every thread when conversationID is 0, oldest first.
func (q *Q) NotificationEmails(ctx context.Context, conversationID int64) ([]NotificationEmail, error) {
	rows, err := q.query(ctx, `SELECT id, contact_id, conversation_id, part_id, kind, created_at, email_status, email_due_at,
		email_attempts, COALESCE(email_sent_at, 0), COALESCE(email_error, '')
		FROM notifications WHERE conversation_id = $1 OR $1 = 0 ORDER BY id`, conversationID)
	if err != nil {
		return nil, fmt.Errorf("store: notification emails: %w", err)
	}
	list, err := collect(rows, func(r *sql.Rows) (NotificationEmail, error) {
		var n NotificationEmail
		var created, due, sent int64
		err := r.Scan(&n.ID, &n.ContactID, &n.ConversationID, &n.PartID, &n.Kind, &created, &n.Status, &due,
			&n.Attempts, &sent, &n.Error)
		n.CreatedAt, n.DueAt = time.Unix(created, 0), time.Unix(due, 0)
		if sent != 0 {
			n.SentAt = time.Unix(sent, 0)
		}
		return n, err
	})
	if err != nil {
		return nil, fmt.Errorf("store: notification emails: %w", err)
	}
	return list, nil
}
