package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/helpdesk/helpdesk/internal/ticket"
)

const ticketTypeColumns = `id, name, description, icon, category, is_internal, archived, created_at, updated_at`

func scanTicketType(r interface{ Scan(...any) error }) (ticket.Type, error) {
	var t ticket.Type
	var created, updated int64
	err := r.Scan(&t.ID, &t.Name, &t.Description, &t.Icon, &t.Category, &t.IsInternal, &t.Archived, &created, &updated)
	t.CreatedAt, t.UpdatedAt = time.Unix(created, 0), time.Unix(updated, 0)
	return t, translate(err)
}

// CreateTicketType stores a new type with its attributes, setting their ids. ErrConflict when
// the name is taken.
func (q *Q) CreateTicketType(ctx context.Context, t *ticket.Type) error {
	if err := q.ticketTypeNameFree(ctx, t.Name, 0); err != nil {
		return fmt.Errorf("store: create ticket type: %w", err)
	}
	id, err := q.insert(ctx, `INSERT INTO ticket_types (name, description, icon, category, is_internal, archived, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, t.Name, t.Description, t.Icon, t.Category, t.IsInternal, t.Archived,
		Unix(t.CreatedAt), Unix(t.UpdatedAt))
	if err != nil {
		return fmt.Errorf("store: create ticket type: %w", err)
	}
	t.ID = id
	for i := range t.Attributes {
		if err := q.CreateTicketAttribute(ctx, t.ID, &t.Attributes[i]); err != nil {
			return err
		}
	}
	return nil
}

// UpdateTicketType saves a type's own fields (not its attributes). ErrConflict when the name is taken.
func (q *Q) UpdateTicketType(ctx context.Context, t ticket.Type) error {
	if err := q.ticketTypeNameFree(ctx, t.Name, t.ID); err != nil {
		return fmt.Errorf("store: update ticket type: %w", err)
	}
	res, err := q.exec(ctx, `UPDATE ticket_types SET name = $1, description = $2, icon = $3, category = $4, is_internal = $5,
		archived = $6, updated_at = $7 WHERE id = $8`, t.Name, t.Description, t.Icon, t.Category, t.IsInternal, t.Archived,
		Unix(t.UpdatedAt), t.ID)
	if err != nil {
		return fmt.Errorf("store: update ticket type: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("store: update ticket type %d: %w", t.ID, ErrNotFound)
	}
	return nil
}

// ticketTypeNameFree returns ErrConflict when a type other than except has the name, ignoring
// case. The unique index on lower(name) folds ASCII only on SQLite; this folds Unicode on both.
func (q *Q) ticketTypeNameFree(ctx context.Context, name string, except int64) error {
	rows, err := q.query(ctx, `SELECT id, name FROM ticket_types`)
	if err != nil {
		return err
	}
	type row struct {
		id   int64
		name string
	}
	list, err := collect(rows, func(r *sql.Rows) (row, error) {
		var x row
		return x, r.Scan(&x.id, &x.name)
	})
	if err != nil {
		return err
	}
	for _, x := range list {
		if x.id != except && strings.EqualFold(x.name, name) {
			return fmt.Errorf("%w: ticket type %q exists", ErrConflict, x.name)
		}
	}
	return nil
}

// TicketTypeHasTickets tells whether any ticket, open or closed, is of the type.
func (q *Q) TicketTypeHasTickets(ctx context.Context, id int64) (bool, error) {
	var n int64
	err := q.row(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM tickets WHERE ticket_type_id = $1 LIMIT 1) x`, id).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("store: ticket type %d has tickets: %w", id, translate(err))
	}
	return n > 0, nil
}

// TicketType returns a type with its attributes in order.
func (q *Q) TicketType(ctx context.Context, id int64) (ticket.Type, error) {
	t, err := scanTicketType(q.row(ctx, `SELECT `+ticketTypeColumns+` FROM ticket_types WHERE id = $1`, id))
	if err != nil {
		return t, fmt.Errorf("store: ticket type %d: %w", id, err)
	}
	attrs, err := q.ticketAttributes(ctx, id)
	t.Attributes = attrs[id]
	return t, err
}

// TicketTypes lists every type with its attributes.
func (q *Q) TicketTypes(ctx context.Context) ([]ticket.Type, error) {
	rows, err := q.query(ctx, `SELECT `+ticketTypeColumns+` FROM ticket_types ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("store: ticket types: %w", err)
	}
	types, err := collect(rows, func(r *sql.Rows) (ticket.Type, error) { return scanTicketType(r) })
	if err != nil {
		return nil, fmt.Errorf("store: ticket types: %w", err)
	}
	attrs, err := q.ticketAttributes(ctx, 0)
	for i := range types {
		types[i].Attributes = attrs[types[i].ID]
	}
	return types, err
}

const attributeColumns = `id, ticket_type_id, name, description, data_type, input_options, position, required_to_create,
	required_to_create_for_contacts, visible_on_create, visible_to_contacts, is_default, archived, created_at, updated_at`

// inputOptions is how an attribute's type-specific options are stored.
type inputOptions struct {
	ListItems     []string `json:"list_items,omitempty"`
	Multiline     bool     `json:"multiline,omitempty"`
	AllowMultiple bool     `json:"allow_multiple_values,omitempty"`
}

// ticketAttributes returns the attributes of one type (typeID) or of all (0), by type.
func (q *Q) ticketAttributes(ctx context.Context, typeID int64) (map[int64][]ticket.Attribute, error) {
	cond, args := "", []any{}
	if typeID != 0 {
		cond, args = "WHERE ticket_type_id = $1", []any{typeID}
	}
	rows, err := q.query(ctx, `SELECT `+attributeColumns+` FROM ticket_type_attributes `+cond+` ORDER BY ticket_type_id, position, id`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: ticket attributes: %w", err)
	}
	type row struct {
		typeID int64
		a      ticket.Attribute
	}
	list, err := collect(rows, func(r *sql.Rows) (row, error) {
		var x row
		var opts string
		var created, updated int64
		err := r.Scan(&x.a.ID, &x.typeID, &x.a.Name, &x.a.Description, &x.a.DataType, &opts, &x.a.Order, &x.a.RequiredToCreate,
			&x.a.RequiredForContacts, &x.a.VisibleOnCreate, &x.a.VisibleToContacts, &x.a.Default, &x.a.Archived, &created, &updated)
		var o inputOptions
		_ = json.Unmarshal([]byte(opts), &o)
		x.a.ListItems, x.a.Multiline, x.a.AllowMultiple = o.ListItems, o.Multiline, o.AllowMultiple
		x.a.CreatedAt, x.a.UpdatedAt = time.Unix(created, 0), time.Unix(updated, 0)
		return x, err
	})
	out := map[int64][]ticket.Attribute{}
	for _, x := range list {
		out[x.typeID] = append(out[x.typeID], x.a)
	}
	return out, err
}

// CreateTicketAttribute adds an attribute to a type and sets its id. ErrConflict when the type
// has one of that name.
func (q *Q) CreateTicketAttribute(ctx context.Context, typeID int64, a *ticket.Attribute) error {
	opts, _ := json.Marshal(inputOptions{ListItems: a.ListItems, Multiline: a.Multiline, AllowMultiple: a.AllowMultiple})
	id, err := q.insert(ctx, `INSERT INTO ticket_type_attributes (ticket_type_id, name, description, data_type, input_options,
		position, required_to_create, required_to_create_for_contacts, visible_on_create, visible_to_contacts, is_default,
		archived, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
		typeID, a.Name, a.Description, a.DataType, string(opts), a.Order, a.RequiredToCreate, a.RequiredForContacts,
		a.VisibleOnCreate, a.VisibleToContacts, a.Default, a.Archived, Unix(a.CreatedAt), Unix(a.UpdatedAt))
	if err != nil {
		return fmt.Errorf("store: create ticket attribute: %w", err)
	}
	a.ID = id
	return nil
}

// UpdateTicketAttribute saves an attribute's fields. ErrConflict when the new name is taken.
func (q *Q) UpdateTicketAttribute(ctx context.Context, a ticket.Attribute) error {
	opts, _ := json.Marshal(inputOptions{ListItems: a.ListItems, Multiline: a.Multiline, AllowMultiple: a.AllowMultiple})
	res, err := q.exec(ctx, `UPDATE ticket_type_attributes SET name = $1, description = $2, input_options = $3, position = $4,
		required_to_create = $5, required_to_create_for_contacts = $6, visible_on_create = $7, visible_to_contacts = $8,
		archived = $9, updated_at = $10 WHERE id = $11`, a.Name, a.Description, string(opts), a.Order, a.RequiredToCreate,
		a.RequiredForContacts, a.VisibleOnCreate, a.VisibleToContacts, a.Archived, Unix(a.UpdatedAt), a.ID)
	if err != nil {
		return fmt.Errorf("store: update ticket attribute: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("store: update ticket attribute %d: %w", a.ID, ErrNotFound)
	}
	return nil
}

// TicketStates lists every ticket state (ST1).
func (q *Q) TicketStates(ctx context.Context) (ticket.States, error) {
	rows, err := q.query(ctx, `SELECT id, category, internal_label, external_label, archived FROM ticket_states ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("store: ticket states: %w", err)
	}
	return collect(rows, func(r *sql.Rows) (ticket.State, error) {
		var s ticket.State
		return s, r.Scan(&s.ID, &s.Category, &s.InternalLabel, &s.ExternalLabel, &s.Archived)
	})
}
