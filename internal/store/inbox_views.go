package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/helpdesk/helpdesk/internal/conversation"
	"github.com/helpdesk/helpdesk/internal/ticket"
)

// The Inbox's lists (SPEC IN1, IN3, IN4): conversations and tickets together, newest activity
// first, one keyset page at a time, each row with what the list shows of it, loaded in a fixed
// number of queries however long the page.

// InboxFilter chooses the conversations and tickets of an Inbox list or search (IN3, IN4).
// Zero fields do not filter; the fields combine with AND.
type InboxFilter struct {
	// Text is found in titles, first messages and ticket descriptions (case-insensitive);
	// "#12" or "12" also finds ticket 12.
	Text string
	// Kind is "conversation", "ticket" (any category), or a ticket category.
	Kind          string
	TypeID        int64
	States        []conversation.State // open, snoozed, closed
	TicketStateID int64
	AdminID       int64 // assigned to this teammate
	Unassigned    bool  // assigned to no teammate
	TeamID        int64
	NoTeam        bool
	// Contact is part of a participant's name or email (case-insensitive).
	Contact   string
	ContactID int64
	TagID     int64
	// CompanyID: tickets of the company, and conversations with a participant who belongs to it.
	CompanyID int64
}

// InboxCursor is where a page of an Inbox list ends: the last row's activity time and id.
// The zero cursor is the first page.
type InboxCursor struct {
	UpdatedAt int64
	ID        int64
}

// InboxItem is a row of an Inbox list: a conversation or a ticket with the names it shows.
type InboxItem struct {
	ID       int64
	IsTicket bool
	Category ticket.Category // a ticket's; "" for a conversation
	Number   int64           // a ticket's number (TT3)
	TypeName string          // a ticket's type
	Title    string
	// SourceBody is the message that started a conversation (stored HTML).
	SourceBody string
	State      conversation.State
	// TicketState is a ticket's internal state label and its category.
	TicketState         string
	TicketStateCategory ticket.StateCategory
	AdminAssigneeID     int64
	AdminAssignee       string // the teammate's name
	TeamAssigneeID      int64
	TeamAssignee        string // the team's name
	// Companies: a ticket's company; a conversation's participants' companies by name, at most
	// two (MoreCompanies tells that there are others), or, when the filter chose a company,
	// that one. CompanyID and Company are the first of them.
	Companies     []InboxCompany
	MoreCompanies bool
	CompanyID     int64
	Company       string
	Contacts      []InboxContact
	// Last is the newest part of the timeline; nil when there is none but the first message.
	Last      *InboxPart
	CreatedAt time.Time
	UpdatedAt time.Time
}

// InboxContact is a participant as a list names them.
type InboxContact struct {
	ID    int64
	Name  string
	Email string
}

// InboxPart is the newest part of a thread, with the names it mentions.
type InboxPart struct {
	Type       conversation.PartType
	Body       string // stored HTML
	AuthorType conversation.AuthorType
	Author     string // the author's name (or a contact's email); "" when unknown
	ToState    string // a state change's new state (internal label)
	AssignedTo string // an assignment's teammate or team name
	CreatedAt  time.Time
}

// Cursor is where a page ending with it goes on.
func (it InboxItem) Cursor() InboxCursor {
	return InboxCursor{UpdatedAt: Unix(it.UpdatedAt), ID: it.ID}
}

// inboxWhere writes f as SQL conditions on the aliases of InboxPage (c, t), binding values
// into args.
func inboxWhere(f InboxFilter, args *[]any) []string {
	arg := func(v any) string {
		*args = append(*args, v)
		return "$" + strconv.Itoa(len(*args))
	}
	var where []string
	if text := strings.TrimSpace(f.Text); text != "" {
		p := arg("%" + inboxLike.Replace(strings.ToLower(text)) + "%")
		cond := `LOWER(c.title) LIKE ` + p + ` ESCAPE '\' OR LOWER(c.source_body) LIKE ` + p + ` ESCAPE '\' OR LOWER(t.description) LIKE ` + p + ` ESCAPE '\'`
		if n, err := strconv.ParseInt(strings.TrimPrefix(text, "#"), 10, 64); err == nil && n > 0 {
			cond += ` OR t.ticket_number = ` + arg(n)
		}
		where = append(where, "("+cond+")")
	}
	switch f.Kind {
	case "":
	case "conversation", "ticket":
		where = append(where, "c.kind = "+arg(f.Kind))
	default:
		where = append(where, "t.category = "+arg(f.Kind))
	}
	if f.TypeID != 0 {
		where = append(where, "t.ticket_type_id = "+arg(f.TypeID))
	}
	if len(f.States) > 0 {
		ph := make([]string, len(f.States))
		for i, s := range f.States {
			ph[i] = arg(string(s))
		}
		where = append(where, "c.state IN ("+strings.Join(ph, ", ")+")")
	}
	if f.TicketStateID != 0 {
		where = append(where, "t.ticket_state_id = "+arg(f.TicketStateID))
	}
	switch {
	case f.Unassigned:
		where = append(where, "c.admin_assignee_id IS NULL")
	case f.AdminID != 0:
		where = append(where, "c.admin_assignee_id = "+arg(f.AdminID))
	}
	switch {
	case f.NoTeam:
		where = append(where, "c.team_assignee_id IS NULL")
	case f.TeamID != 0:
		where = append(where, "c.team_assignee_id = "+arg(f.TeamID))
	}
	if who := strings.TrimSpace(f.Contact); who != "" {
		p := arg("%" + inboxLike.Replace(strings.ToLower(who)) + "%")
		where = append(where, `c.id IN (SELECT x.conversation_id FROM conversation_contacts x JOIN contacts k ON k.id = x.contact_id
			WHERE LOWER(k.name) LIKE `+p+` ESCAPE '\' OR LOWER(k.email) LIKE `+p+` ESCAPE '\')`)
	}
	if f.ContactID != 0 {
		where = append(where, "c.id IN (SELECT x.conversation_id FROM conversation_contacts x WHERE x.contact_id = "+arg(f.ContactID)+")")
	}
	if f.TagID != 0 {
		where = append(where, "c.id IN (SELECT x.conversation_id FROM conversation_tags x WHERE x.tag_id = "+arg(f.TagID)+")")
	}
	if f.CompanyID != 0 {
		p := arg(f.CompanyID)
		where = append(where, `(t.company_id = `+p+` OR (c.kind = 'conversation' AND c.id IN (SELECT x.conversation_id
			FROM conversation_contacts x JOIN contact_companies k ON k.contact_id = x.contact_id WHERE k.company_id = `+p+`)))`)
	}
	return where
}

// InboxPage returns up to limit conversations and tickets matching f, newest activity first
// (conversations_updated), after the cursor, each with its names, participants, company and
// newest part. It never counts: the caller asks for one more row than it shows to learn
// whether an older page exists. At most five queries, whatever the page's length.
//
// After a cursor, the rows of the cursor's second come first, by id (an index seek on
// (updated_at, id) in both databases: many rows share a second after a tracker's broadcast or
// a bulk import), then the older ones: SQLite would not seek on the second column of
// (updated_at, id) < (a, b), and paging deep into such a second would walk it from its top.
func (q *Q) InboxPage(ctx context.Context, f InboxFilter, after InboxCursor, limit int) ([]InboxItem, error) {
	var items []InboxItem
	if after.ID == 0 {
		page, err := q.inboxRows(ctx, f, "", nil, false, limit)
		if err != nil {
			return nil, err
		}
		items = page
	} else {
		page, err := q.inboxRows(ctx, f, "c.updated_at = $%d AND c.id < $%d", []any{after.UpdatedAt, after.ID}, false, limit)
		if err != nil {
			return nil, err
		}
		items = page
		if len(items) < limit {
			page, err := q.inboxRows(ctx, f, "c.updated_at < $%d", []any{after.UpdatedAt}, false, limit-len(items))
			if err != nil {
				return nil, err
			}
			items = append(items, page...)
		}
	}
	return q.withInboxDetails(ctx, f, items)
}

// InboxPageNewer is InboxPage backwards: up to limit rows matching f that are newer than the
// cursor, the nearest ones to it, given newest first as InboxPage gives them. The same index is
// walked the other way: first the rows of the cursor's second with a higher id, then the newer
// seconds. Ask for one more than a page to learn whether a newer page exists.
func (q *Q) InboxPageNewer(ctx context.Context, f InboxFilter, before InboxCursor, limit int) ([]InboxItem, error) {
	items, err := q.inboxRows(ctx, f, "c.updated_at = $%d AND c.id > $%d", []any{before.UpdatedAt, before.ID}, true, limit)
	if err != nil {
		return nil, err
	}
	if len(items) < limit {
		page, err := q.inboxRows(ctx, f, "c.updated_at > $%d", []any{before.UpdatedAt}, true, limit-len(items))
		if err != nil {
			return nil, err
		}
		items = append(items, page...)
	}
	slices.Reverse(items)
	return q.withInboxDetails(ctx, f, items)
}

// inboxRows returns up to limit rows matching f and the condition cond on c (its
// placeholders numbered by Sprintf from condArgs), newest activity first (oldest first when
// asc), without details.
func (q *Q) inboxRows(ctx context.Context, f InboxFilter, cond string, condArgs []any, asc bool, limit int) ([]InboxItem, error) {
	var args []any
	where := inboxWhere(f, &args)
	if cond != "" {
		nums := make([]any, len(condArgs))
		for i, v := range condArgs {
			args = append(args, v)
			nums[i] = len(args)
		}
		where = append(where, fmt.Sprintf(cond, nums...))
	}
	clause := ""
	if len(where) > 0 {
		clause = "WHERE " + strings.Join(where, " AND ")
	}
	args = append(args, limit)
	order := "c.updated_at DESC, c.id DESC"
	if asc {
		order = "c.updated_at, c.id"
	}
	rows, err := q.query(ctx, `SELECT c.id, c.kind = 'ticket', COALESCE(c.title, ''), c.source_body, c.state,
		COALESCE(c.admin_assignee_id, 0), COALESCE(a.name, ''), COALESCE(c.team_assignee_id, 0), COALESCE(tm.name, ''),
		c.created_at, c.updated_at, COALESCE(t.category, ''), COALESCE(t.ticket_number, 0), COALESCE(ty.name, ''),
		COALESCE(s.internal_label, ''), COALESCE(s.category, ''), COALESCE(t.company_id, 0), COALESCE(co.name, co.company_id, '')
		FROM conversations c
		LEFT JOIN tickets t ON t.id = c.id
		LEFT JOIN ticket_types ty ON ty.id = t.ticket_type_id
		LEFT JOIN ticket_states s ON s.id = t.ticket_state_id
		LEFT JOIN admins a ON a.id = c.admin_assignee_id
		LEFT JOIN teams tm ON tm.id = c.team_assignee_id
		LEFT JOIN companies co ON co.id = t.company_id
		`+clause+fmt.Sprintf(` ORDER BY %s LIMIT $%d`, order, len(args)), args...)
	if err != nil {
		return nil, fmt.Errorf("store: inbox page: %w", err)
	}
	items, err := collect(rows, func(r *sql.Rows) (InboxItem, error) {
		var it InboxItem
		var created, updated int64
		err := r.Scan(&it.ID, &it.IsTicket, &it.Title, &it.SourceBody, &it.State, &it.AdminAssigneeID, &it.AdminAssignee,
			&it.TeamAssigneeID, &it.TeamAssignee, &created, &updated, &it.Category, &it.Number, &it.TypeName,
			&it.TicketState, &it.TicketStateCategory, &it.CompanyID, &it.Company)
		it.CreatedAt, it.UpdatedAt = time.Unix(created, 0), time.Unix(updated, 0)
		if it.CompanyID != 0 {
			it.Companies = []InboxCompany{{ID: it.CompanyID, Name: it.Company}}
		}
		return it, err
	})
	if err != nil {
		return nil, fmt.Errorf("store: inbox page: %w", err)
	}
	return items, nil
}

// withInboxDetails fills in the participants, conversations' companies and newest parts of
// items, in three queries, and returns them.
func (q *Q) withInboxDetails(ctx context.Context, f InboxFilter, items []InboxItem) ([]InboxItem, error) {
	if len(items) == 0 {
		return items, nil
	}
	if err := q.inboxDetails(ctx, f, items); err != nil {
		return nil, err
	}
	return items, nil
}

func (q *Q) inboxDetails(ctx context.Context, f InboxFilter, items []InboxItem) error {
	ids := make([]int64, len(items))
	var convIDs []int64
	byID := make(map[int64]*InboxItem, len(items))
	for i := range items {
		ids[i] = items[i].ID
		byID[items[i].ID] = &items[i]
		if !items[i].IsTicket {
			convIDs = append(convIDs, items[i].ID)
		}
	}

	in, args := inList(ids, 0)
	rows, err := q.query(ctx, `SELECT x.conversation_id, k.id, COALESCE(k.name, ''), k.email
		FROM conversation_contacts x JOIN contacts k ON k.id = x.contact_id
		WHERE x.conversation_id IN (`+in+`) ORDER BY x.added_at, k.id`, args...)
	if err != nil {
		return fmt.Errorf("store: inbox contacts: %w", err)
	}
	type contactRow struct {
		thread int64
		c      InboxContact
	}
	contacts, err := collect(rows, func(r *sql.Rows) (contactRow, error) {
		var x contactRow
		return x, r.Scan(&x.thread, &x.c.ID, &x.c.Name, &x.c.Email)
	})
	if err != nil {
		return fmt.Errorf("store: inbox contacts: %w", err)
	}
	for _, x := range contacts {
		it := byID[x.thread]
		it.Contacts = append(it.Contacts, x.c)
	}

	// A conversation's companies: its participants', by name, three at most (to tell that there
	// are more than the two shown); the filter's company first, when it chose one, since the
	// conversation matched through it.
	if len(convIDs) > 0 {
		in, args := inList(convIDs, 0)
		args = append(args, f.CompanyID)
		rows, err := q.query(ctx, `SELECT conversation_id, id, name FROM (
				SELECT d.conversation_id, co.id, COALESCE(co.name, co.company_id) AS name,
					ROW_NUMBER() OVER (PARTITION BY d.conversation_id
						ORDER BY CASE WHEN co.id = $`+strconv.Itoa(len(args))+` THEN 0 ELSE 1 END, COALESCE(co.name, co.company_id), co.id) AS rn
				FROM (SELECT DISTINCT x.conversation_id, k.company_id
					FROM conversation_contacts x JOIN contact_companies k ON k.contact_id = x.contact_id
					WHERE x.conversation_id IN (`+in+`)) d
				JOIN companies co ON co.id = d.company_id) r
			WHERE rn <= 3 ORDER BY conversation_id, rn`, args...)
		if err != nil {
			return fmt.Errorf("store: inbox companies: %w", err)
		}
		type companyRow struct {
			thread int64
			c      InboxCompany
		}
		list, err := collect(rows, func(r *sql.Rows) (companyRow, error) {
			var x companyRow
			return x, r.Scan(&x.thread, &x.c.ID, &x.c.Name)
		})
		if err != nil {
			return fmt.Errorf("store: inbox companies: %w", err)
		}
		for _, x := range list {
			it := byID[x.thread]
			switch {
			case f.CompanyID != 0 && len(it.Companies) == 0 && x.c.ID == f.CompanyID:
				it.Companies = append(it.Companies, x.c)
			case f.CompanyID != 0:
				// Filtered by a company: the conversation shows that one only.
			case len(it.Companies) < 2:
				it.Companies = append(it.Companies, x.c)
			default:
				it.MoreCompanies = true
			}
		}
		for _, id := range convIDs {
			if it := byID[id]; len(it.Companies) > 0 {
				it.CompanyID, it.Company = it.Companies[0].ID, it.Companies[0].Name
			}
		}
	}

	// The newest part of each: max(id) per thread is one step down conversation_parts_conversation.
	rows, err = q.query(ctx, `SELECT p.conversation_id, p.part_type, COALESCE(p.body, ''), p.author_type, p.created_at,
		COALESCE(a.name, k.name, NULLIF(k.email, ''), ''), COALESCE(s.internal_label, ''), COALESCE(aa.name, tm.name, '')
		FROM conversation_parts p
		LEFT JOIN admins a ON p.author_type = 'admin' AND a.id = p.author_id
		LEFT JOIN contacts k ON p.author_type IN ('user', 'lead') AND k.id = p.author_id
		LEFT JOIN ticket_states s ON s.id = p.state_id
		LEFT JOIN admins aa ON p.assigned_to_type = 'admin' AND aa.id = p.assigned_to_id
		LEFT JOIN teams tm ON p.assigned_to_type = 'team' AND tm.id = p.assigned_to_id
		WHERE p.id IN (SELECT MAX(id) FROM conversation_parts WHERE conversation_id IN (`+in+`) GROUP BY conversation_id)`, args...)
	if err != nil {
		return fmt.Errorf("store: inbox parts: %w", err)
	}
	type partRow struct {
		thread int64
		p      InboxPart
	}
	parts, err := collect(rows, func(r *sql.Rows) (partRow, error) {
		var x partRow
		var created int64
		err := r.Scan(&x.thread, &x.p.Type, &x.p.Body, &x.p.AuthorType, &created, &x.p.Author, &x.p.ToState, &x.p.AssignedTo)
		x.p.CreatedAt = time.Unix(created, 0)
		return x, err
	})
	if err != nil {
		return fmt.Errorf("store: inbox parts: %w", err)
	}
	for _, x := range parts {
		p := x.p
		byID[x.thread].Last = &p
	}
	return nil
}

// InboxCounts are the numbers of open conversations and tickets in each Inbox view (IN4).
type InboxCounts struct {
	Mine, Unassigned, All, Trackers int
	Teams                           map[int64]int
}

// InboxCounts counts the open conversations and tickets of each view: assigned to adminID,
// unassigned, of each team in teamIDs, all, and open Tracker tickets, in one query. Each count
// stops at limit+1 (the caller shows "limit+"), and each but "all" walks an index:
// conversations_admin_assignee, conversations_team_assignee, tickets_category.
func (q *Q) InboxCounts(ctx context.Context, adminID int64, teamIDs []int64, limit int) (InboxCounts, error) {
	counts := InboxCounts{Teams: make(map[int64]int, len(teamIDs))}
	args := []any{adminID, limit + 1}
	count := func(key, from string) string {
		return `SELECT ` + key + `, COUNT(*) FROM (SELECT 1 AS one FROM ` + from + ` LIMIT $2) x`
	}
	parts := []string{
		count("0", `conversations WHERE admin_assignee_id = $1 AND state = 'open'`),
		count("-1", `conversations WHERE admin_assignee_id IS NULL AND state = 'open'`),
		count("-2", `conversations WHERE state = 'open'`),
		count("-3", `tickets t JOIN conversations c ON c.id = t.id WHERE t.category = 'Tracker' AND c.state = 'open'`),
	}
	for _, id := range teamIDs {
		// Team ids come from the database, never from a request: written in, not bound.
		n := strconv.FormatInt(id, 10)
		parts = append(parts, count(n, `conversations WHERE team_assignee_id = `+n+` AND state = 'open'`))
	}
	rows, err := q.query(ctx, strings.Join(parts, " UNION ALL "), args...)
	if err != nil {
		return counts, fmt.Errorf("store: inbox counts: %w", err)
	}
	type kv struct {
		key int64
		n   int
	}
	list, err := collect(rows, func(r *sql.Rows) (kv, error) {
		var x kv
		return x, r.Scan(&x.key, &x.n)
	})
	if err != nil {
		return counts, fmt.Errorf("store: inbox counts: %w", err)
	}
	for _, x := range list {
		switch x.key {
		case 0:
			counts.Mine = x.n
		case -1:
			counts.Unassigned = x.n
		case -2:
			counts.All = x.n
		case -3:
			counts.Trackers = x.n
		default:
			counts.Teams[x.key] = x.n
		}
	}
	return counts, nil
}

// InboxCompany is a company as a filter offers it.
type InboxCompany struct {
	ID   int64
	Name string // its name, or its company_id when it has none
}

// InboxCompanies lists up to limit companies by name (companies_name), for a filter's choices.
func (q *Q) InboxCompanies(ctx context.Context, limit int) ([]InboxCompany, error) {
	rows, err := q.query(ctx, `SELECT id, COALESCE(name, company_id) FROM companies ORDER BY name, id LIMIT $1`, limit)
	if err != nil {
		return nil, fmt.Errorf("store: company choices: %w", err)
	}
	return collect(rows, func(r *sql.Rows) (InboxCompany, error) {
		var c InboxCompany
		return c, r.Scan(&c.ID, &c.Name)
	})
}

// inboxLike escapes the wildcards of LIKE (with ESCAPE '\'), so that text is matched as typed.
var inboxLike = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
