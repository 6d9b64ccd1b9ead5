package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// EmailThread is one contact's email thread about a conversation or ticket (E2): its reply
// token, the capability that lets mail sent to reply+TOKEN@ post into the thread as the contact.
type EmailThread struct {
	ContactID      int64
	ConversationID int64
	ReplyToken     string
}

// EnsureEmailThread returns the email thread of a contact and a conversation, made with token
// when there was none. Two callers racing both get the one that won.
func (q *Q) EnsureEmailThread(ctx context.Context, contactID, conversationID int64, token string, now time.Time) (EmailThread, error) {
	th := EmailThread{ContactID: contactID, ConversationID: conversationID}
	_, err := q.exec(ctx, `INSERT INTO email_threads (contact_id, conversation_id, reply_token, created_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (contact_id, conversation_id) DO NOTHING`, contactID, conversationID, token, Unix(now))
	if err != nil {
		return th, fmt.Errorf("store: email thread: %w", err)
	}
	err = q.row(ctx, `SELECT reply_token FROM email_threads WHERE contact_id = $1 AND conversation_id = $2`,
		contactID, conversationID).Scan(&th.ReplyToken)
	if err != nil {
		return th, fmt.Errorf("store: email thread: %w", translate(err))
	}
	return th, nil
}

// EmailThreadByToken returns the thread of a reply token; ErrNotFound when none.
func (q *Q) EmailThreadByToken(ctx context.Context, token string) (EmailThread, error) {
	th := EmailThread{ReplyToken: token}
	err := q.row(ctx, `SELECT contact_id, conversation_id FROM email_threads WHERE reply_token = $1`, token).
		Scan(&th.ContactID, &th.ConversationID)
	if err != nil {
		return th, fmt.Errorf("store: email thread by token: %w", translate(err))
	}
	return th, nil
}

// AddEmailMessage records a Message-ID sent or received in a contact's thread. It reports
// false, without error, when the Message-ID is already recorded: an inbound message delivered
// twice is then taken once.
func (q *Q) AddEmailMessage(ctx context.Context, messageID string, contactID, conversationID int64, inbound bool, now time.Time) (bool, error) {
	res, err := q.exec(ctx, `INSERT INTO email_messages (message_id, contact_id, conversation_id, inbound, created_at)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT (message_id) DO NOTHING`, messageID, contactID, conversationID, inbound, Unix(now))
	if err != nil {
		return false, fmt.Errorf("store: email message: %w", err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// EmailMessage returns the thread a Message-ID was sent or received in; ErrNotFound when the
// id is not one of ours.
func (q *Q) EmailMessage(ctx context.Context, messageID string) (EmailThread, error) {
	var th EmailThread
	err := q.row(ctx, `SELECT contact_id, conversation_id FROM email_messages WHERE message_id = $1`, messageID).
		Scan(&th.ContactID, &th.ConversationID)
	if err != nil {
		return th, fmt.Errorf("store: email message: %w", translate(err))
	}
	return th, nil
}

// ThreadMessageIDs returns the newest limit Message-IDs of a contact's thread, oldest first,
// for the References of the next email.
func (q *Q) ThreadMessageIDs(ctx context.Context, contactID, conversationID int64, limit int) ([]string, error) {
	rows, err := q.query(ctx, `SELECT message_id FROM (SELECT id, message_id FROM email_messages
		WHERE conversation_id = $2 AND contact_id = $1 ORDER BY id DESC LIMIT $3) x
		ORDER BY id`, contactID, conversationID, limit)
	if err != nil {
		return nil, fmt.Errorf("store: thread message ids: %w", err)
	}
	return collect(rows, func(r *sql.Rows) (string, error) {
		var id string
		return id, r.Scan(&id)
	})
}
