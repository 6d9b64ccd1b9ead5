package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/helpdesk/helpdesk/internal/ticket"
)

// The Inbox's company and contact pages (SPEC CO4): the list of companies, a company's tickets
// and a contact's conversations and tickets, each one page at a time along an index.

// CompanyCursor is where a page of CompanyDirectory continues: after the company with this
// name and id. Companies without a name come after every named one, by id (Unnamed).
type CompanyCursor struct {
	Unnamed bool
	Name    string
	ID      int64 // 0: the first page
}

// CompanyDirectory returns up to limit companies in the order of their names (those without
// one last), after cursor, whose name contains search or whose company_id is search, ignoring
// case ("" for every company). Ask for one more than a page to learn whether another follows.
//
// Named companies are one range of companies_name; unnamed ones follow by id, so that both
// databases order them alike (they place NULLs at opposite ends).
func (q *Q) CompanyDirectory(ctx context.Context, search string, after CompanyCursor, limit int) ([]Company, error) {
	var out []Company
	var match string
	var args []any
	if search = strings.TrimSpace(search); search != "" {
		// The wildcards of LIKE are escaped (ESCAPE '\'), so that the text is matched as it is.
		escaped := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(strings.ToLower(search))
		args = append(args, "%"+escaped+"%", strings.ToLower(search))
		match = ` AND (lower(name) LIKE $1 ESCAPE '\' OR lower(company_id) = $2)`
	}
	n := len(args)
	if !after.Unnamed {
		cond, pageArgs := "name IS NOT NULL", append([]any(nil), args...)
		if after.ID > 0 {
			cond += fmt.Sprintf(" AND (name > $%d OR (name = $%d AND id > $%d))", n+1, n+1, n+2)
			pageArgs = append(pageArgs, after.Name, after.ID)
		}
		pageArgs = append(pageArgs, limit)
		rows, err := q.query(ctx, `SELECT `+companyColumns+` FROM companies WHERE `+cond+match+
			fmt.Sprintf(` ORDER BY name, id LIMIT $%d`, len(pageArgs)), pageArgs...)
		if err != nil {
			return nil, fmt.Errorf("store: company directory: %w", err)
		}
		if out, err = scanCompanies(rows); err != nil {
			return nil, fmt.Errorf("store: company directory: %w", err)
		}
		if len(out) >= limit {
			return out, nil
		}
		after = CompanyCursor{Unnamed: true}
	}
	pageArgs := append(append([]any(nil), args...), after.ID, limit-len(out))
	rows, err := q.query(ctx, `SELECT `+companyColumns+` FROM companies WHERE name IS NULL`+match+
		fmt.Sprintf(` AND id > $%d ORDER BY id LIMIT $%d`, n+1, n+2), pageArgs...)
	if err != nil {
		return nil, fmt.Errorf("store: company directory: %w", err)
	}
	unnamed, err := scanCompanies(rows)
	if err != nil {
		return nil, fmt.Errorf("store: company directory: %w", err)
	}
	return append(out, unnamed...), nil
}

// ThreadRow is a conversation or ticket as a line of a list: what the company and contact
// pages show, without the timeline.
type ThreadRow struct {
	ID       int64
	IsTicket bool
	Title    string // the teammate's title; "" for most conversations (see Subject and Body)
	Subject  string // the first message's subject, for a conversation without a title
	Body     string // the first message (HTML), for a conversation without a title or subject
	State    string // open, snoozed or closed
	// AdminAssigneeID and TeamAssigneeID are 0 when unassigned.
	AdminAssigneeID int64
	TeamAssigneeID  int64
	CreatedAt       time.Time
	UpdatedAt       time.Time

	// Of tickets only:
	Number    int64
	Category  ticket.Category
	TypeID    int64
	TypeName  string
	TypeIcon  string
	StateID   int64
	StateName string // the internal label (ST1)
	CompanyID int64
}

const threadRowColumns = `c.id, c.kind = 'ticket', COALESCE(c.title, ''), c.source_subject, c.source_body, c.state,
	COALESCE(c.admin_assignee_id, 0), COALESCE(c.team_assignee_id, 0), c.created_at, c.updated_at,
	COALESCE(t.ticket_number, 0), COALESCE(t.category, ''), COALESCE(t.ticket_type_id, 0), COALESCE(ty.name, ''),
	COALESCE(ty.icon, ''), COALESCE(t.ticket_state_id, 0), COALESCE(s.internal_label, ''), COALESCE(t.company_id, 0)`

const threadRowJoins = ` LEFT JOIN tickets t ON t.id = c.id LEFT JOIN ticket_types ty ON ty.id = t.ticket_type_id
	LEFT JOIN ticket_states s ON s.id = t.ticket_state_id`

func scanThreadRows(rows *sql.Rows) ([]ThreadRow, error) {
	return collect(rows, func(r *sql.Rows) (ThreadRow, error) {
		var x ThreadRow
		var created, updated int64
		err := r.Scan(&x.ID, &x.IsTicket, &x.Title, &x.Subject, &x.Body, &x.State, &x.AdminAssigneeID, &x.TeamAssigneeID,
			&created, &updated, &x.Number, &x.Category, &x.TypeID, &x.TypeName, &x.TypeIcon, &x.StateID, &x.StateName, &x.CompanyID)
		x.CreatedAt, x.UpdatedAt = time.Unix(created, 0), time.Unix(updated, 0)
		return x, err
	})
}

// IDPage is where a page of a list in id order starts: before an id (an older page), after one
// (a newer page), or neither (the newest).
type IDPage struct {
	Before, After int64
}

// idPage adds page's condition on column to cond and args, and returns the order to ask the
// rows in: a newer page walks the index upwards (the caller reverses it), to take the rows
// nearest to its cursor.
func idPage(page IDPage, column string, cond *string, args *[]any) (order string, reversed bool) {
	switch {
	case page.Before > 0:
		*args = append(*args, page.Before)
		*cond += fmt.Sprintf(" AND %s < $%d", column, len(*args))
	case page.After > 0:
		*args = append(*args, page.After)
		*cond += fmt.Sprintf(" AND %s > $%d", column, len(*args))
		return column, true
	}
	return column + " DESC", false
}

// TicketsOfCompany returns up to limit of the tickets of a company (tickets.company_id, CO4), of
// every category, newest first, in the page asked for, in state stateID only when it is not 0:
// one range of tickets_company_id. Ask for one more than a page to learn whether another
// follows (for a newer page, the one more is the newest).
func (q *Q) TicketsOfCompany(ctx context.Context, companyID, stateID int64, page IDPage, limit int) ([]ThreadRow, error) {
	args := []any{companyID}
	cond := "t.company_id = $1"
	if stateID != 0 {
		args = append(args, stateID)
		cond += fmt.Sprintf(" AND t.ticket_state_id = $%d", len(args))
	}
	order, reversed := idPage(page, "t.id", &cond, &args)
	args = append(args, limit)
	rows, err := q.query(ctx, `SELECT `+threadRowColumns+` FROM tickets t JOIN conversations c ON c.id = t.id
		LEFT JOIN ticket_types ty ON ty.id = t.ticket_type_id LEFT JOIN ticket_states s ON s.id = t.ticket_state_id
		WHERE `+cond+fmt.Sprintf(` ORDER BY %s LIMIT $%d`, order, len(args)), args...)
	if err != nil {
		return nil, fmt.Errorf("store: company tickets: %w", err)
	}
	list, err := scanThreadRows(rows)
	if err != nil {
		return nil, fmt.Errorf("store: company tickets: %w", err)
	}
	if reversed {
		slices.Reverse(list)
	}
	return list, nil
}

// ThreadsOfContact returns up to limit of the conversations and tickets a contact takes part in
// (conversation_contacts), newest first, in the page asked for: one range of
// conversation_contacts_contact. kind keeps only "conversation" or "ticket" ("" for both).
// Ask for one more than a page to learn whether another follows (for a newer page, the one
// more is the newest).
func (q *Q) ThreadsOfContact(ctx context.Context, contactID int64, kind string, page IDPage, limit int) ([]ThreadRow, error) {
	args := []any{contactID}
	cond := "x.contact_id = $1"
	if kind != "" {
		args = append(args, kind)
		cond += fmt.Sprintf(" AND c.kind = $%d", len(args))
	}
	order, reversed := idPage(page, "x.conversation_id", &cond, &args)
	args = append(args, limit)
	rows, err := q.query(ctx, `SELECT `+threadRowColumns+` FROM conversation_contacts x
		JOIN conversations c ON c.id = x.conversation_id`+threadRowJoins+`
		WHERE `+cond+fmt.Sprintf(` ORDER BY %s LIMIT $%d`, order, len(args)), args...)
	if err != nil {
		return nil, fmt.Errorf("store: contact threads: %w", err)
	}
	list, err := scanThreadRows(rows)
	if err != nil {
		return nil, fmt.Errorf("store: contact threads: %w", err)
	}
	if reversed {
		slices.Reverse(list)
	}
	return list, nil
}
