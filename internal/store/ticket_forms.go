package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// TicketForm is a ticket form a teammate sent into a conversation (CT3), shown there as part
// PartID; TicketID is the ticket its submission created (0: not submitted yet).
type TicketForm struct {
	ID             int64
	ConversationID int64
	PartID         int64
	TicketTypeID   int64
	SentBy         int64
	SentAt         time.Time
	TicketID       int64
	SubmittedAt    time.Time
}

const ticketFormColumns = `id, conversation_id, part_id, ticket_type_id, sent_by, sent_at, ticket_id, submitted_at`

func scanTicketForm(r interface{ Scan(...any) error }) (TicketForm, error) {
	var f TicketForm
	var sent int64
	var ticketID, submitted sql.NullInt64
	err := r.Scan(&f.ID, &f.ConversationID, &f.PartID, &f.TicketTypeID, &f.SentBy, &sent, &ticketID, &submitted)
	f.SentAt, f.TicketID = time.Unix(sent, 0), ticketID.Int64
	if submitted.Valid {
		f.SubmittedAt = time.Unix(submitted.Int64, 0)
	}
	return f, translate(err)
}

// AddTicketForm stores a ticket form sent into a conversation and sets its id.
func (q *Q) AddTicketForm(ctx context.Context, f *TicketForm) error {
	id, err := q.insert(ctx, `INSERT INTO ticket_forms (conversation_id, part_id, ticket_type_id, sent_by, sent_at)
		VALUES ($1, $2, $3, $4, $5)`, f.ConversationID, f.PartID, f.TicketTypeID, f.SentBy, Unix(f.SentAt))
	if err != nil {
		return fmt.Errorf("store: add ticket form: %w", err)
	}
	f.ID = id
	return nil
}

// TicketFormForUpdate returns a ticket form, locked until the transaction ends on PostgreSQL
// (SQLite's single writer serialises anyway); ErrNotFound when there is none.
func (tx *Tx) TicketFormForUpdate(ctx context.Context, id int64) (TicketForm, error) {
	lock := ""
	if tx.dialect == Postgres {
		lock = " FOR UPDATE"
	}
	f, err := scanTicketForm(tx.row(ctx, `SELECT `+ticketFormColumns+` FROM ticket_forms WHERE id = $1`+lock, id))
	if err != nil {
		return f, fmt.Errorf("store: ticket form: %w", err)
	}
	return f, nil
}

// SetTicketFormSubmitted records the ticket a form's submission created.
func (q *Q) SetTicketFormSubmitted(ctx context.Context, id, ticketID int64, now time.Time) error {
	_, err := q.exec(ctx, `UPDATE ticket_forms SET ticket_id = $1, submitted_at = $2 WHERE id = $3`, ticketID, Unix(now), id)
	if err != nil {
		return fmt.Errorf("store: submit ticket form: %w", err)
	}
	return nil
}

// TicketForms returns the forms sent into a conversation, oldest first.
func (q *Q) TicketForms(ctx context.Context, conversationID int64) ([]TicketForm, error) {
	rows, err := q.query(ctx, `SELECT `+ticketFormColumns+` FROM ticket_forms WHERE conversation_id = $1 ORDER BY id`, conversationID)
	if err != nil {
		return nil, fmt.Errorf("store: ticket forms: %w", err)
	}
	return collect(rows, func(r *sql.Rows) (TicketForm, error) { return scanTicketForm(r) })
}
