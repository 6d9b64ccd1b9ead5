package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/helpdesk/helpdesk/internal/conversation"
	"github.com/helpdesk/helpdesk/internal/ticket"
)

// This file holds the queries of the Inbox's ticket actions on a conversation and of the
// tracker's page (SPEC BO1, CT2, CT3, TR2-TR4, CO2-CO3): finding trackers and conversations to
// link, the companies a new ticket may be for, and how many customers a broadcast reaches.

// textContainsPattern is a LIKE pattern, for LOWER(column) LIKE pattern ESCAPE '\', matching values
// that contain s, ignoring case; %, _ and \ in s match themselves.
func textContainsPattern(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(strings.ToLower(s)) + "%"
}

// TrackerRow is a Tracker ticket as a list of trackers to link to shows it (TR2).
type TrackerRow struct {
	ID        int64
	Number    int64
	Title     string
	TypeName  string
	State     ticket.State
	Open      bool // not closed (ST3)
	CreatedAt time.Time
}

// TrackerPage returns up to limit Tracker tickets whose title contains title (ignoring case;
// "" for all), newest first, before the tracker with id before (0: the first page). A page is
// one range of the tickets_category index, filtered: trackers are few beside conversations.
func (q *Q) TrackerPage(ctx context.Context, title string, before int64, limit int) ([]TrackerRow, error) {
	args := []any{string(ticket.Tracker), limit}
	where := ""
	if title != "" {
		args = append(args, textContainsPattern(title))
		where += fmt.Sprintf(` AND LOWER(COALESCE(c.title, '')) LIKE $%d ESCAPE '\'`, len(args))
	}
	if before > 0 {
		args = append(args, before)
		where += fmt.Sprintf(` AND t.id < $%d`, len(args))
	}
	rows, err := q.query(ctx, `SELECT t.id, t.ticket_number, COALESCE(c.title, ''), ty.name, s.id, s.category, s.internal_label,
		s.external_label, c.state <> 'closed', c.created_at
		FROM tickets t JOIN conversations c ON c.id = t.id JOIN ticket_types ty ON ty.id = t.ticket_type_id
		JOIN ticket_states s ON s.id = t.ticket_state_id
		WHERE t.category = $1`+where+` ORDER BY t.id DESC LIMIT $2`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: trackers: %w", err)
	}
	return collect(rows, func(r *sql.Rows) (TrackerRow, error) {
		var t TrackerRow
		var created int64
		err := r.Scan(&t.ID, &t.Number, &t.Title, &t.TypeName, &t.State.ID, &t.State.Category, &t.State.InternalLabel,
			&t.State.ExternalLabel, &t.Open, &created)
		t.CreatedAt = time.Unix(created, 0)
		return t, err
	})
}

// LinkCandidate is a conversation or Customer ticket that a Back-office or Tracker ticket could
// link to (BO1, TR2).
type LinkCandidate struct {
	ID          int64
	IsTicket    bool
	Number      int64 // a ticket's "Ticket ID" (TT3)
	TicketState ticket.State
	Title       string
	FirstBody   string // the message that started it (HTML)
	State       conversation.State
	TrackerID   int64 // the tracker it is linked to already; 0: none (TR2 allows one)
	// SharedBackOffice tells that a shared Back-office ticket links to it already (BO7 allows one).
	SharedBackOffice bool
	ContactIDs       []int64
	CreatedAt        time.Time
}

// linkCandidateColumns are what a LinkCandidate is read from, for a conversation c and its
// ticket t and ticket state s (LEFT JOINed).
const linkCandidateColumns = `c.id, c.kind = 'ticket', COALESCE(t.ticket_number, 0), COALESCE(s.id, 0), COALESCE(s.category, ''),
	COALESCE(s.internal_label, ''), COALESCE(s.external_label, ''), COALESCE(c.title, ''), c.source_body, c.state,
	COALESCE((SELECT l.ticket_id FROM ticket_links l WHERE l.conversation_id = c.id AND l.kind = 'Tracker'), 0),
	EXISTS (SELECT 1 FROM ticket_links l WHERE l.conversation_id = c.id AND l.kind = 'Back-office' AND l.shared), c.created_at`

func scanLinkCandidate(r interface{ Scan(...any) error }) (LinkCandidate, error) {
	var c LinkCandidate
	var created int64
	err := r.Scan(&c.ID, &c.IsTicket, &c.Number, &c.TicketState.ID, &c.TicketState.Category, &c.TicketState.InternalLabel,
		&c.TicketState.ExternalLabel, &c.Title, &c.FirstBody, &c.State, &c.TrackerID, &c.SharedBackOffice, &created)
	c.CreatedAt = time.Unix(created, 0)
	return c, err
}

// LinkCandidates returns up to limit conversations and Customer tickets whose title, first
// message, or a participant's name or email contains text (ignoring case), newest first, before
// the one with id before (0: the first page), with their participants in one more query. It
// walks the primary key backwards and stops at limit matches, as a search box needs.
func (q *Q) LinkCandidates(ctx context.Context, text string, before int64, limit int) ([]LinkCandidate, error) {
	args := []any{textContainsPattern(text), limit}
	where := ""
	if before > 0 {
		args = append(args, before)
		where = ` AND c.id < $3`
	}
	rows, err := q.query(ctx, `SELECT `+linkCandidateColumns+`
		FROM conversations c LEFT JOIN tickets t ON t.id = c.id LEFT JOIN ticket_states s ON s.id = t.ticket_state_id
		WHERE (c.kind = 'conversation' OR t.category = 'Customer')`+where+` AND (
			LOWER(COALESCE(c.title, '')) LIKE $1 ESCAPE '\' OR LOWER(c.source_body) LIKE $1 ESCAPE '\'
			OR EXISTS (SELECT 1 FROM conversation_contacts cc JOIN contacts k ON k.id = cc.contact_id
				WHERE cc.conversation_id = c.id AND (LOWER(k.email) LIKE $1 ESCAPE '\' OR LOWER(COALESCE(k.name, '')) LIKE $1 ESCAPE '\')))
		ORDER BY c.id DESC LIMIT $2`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: link candidates: %w", err)
	}
	list, err := collect(rows, func(r *sql.Rows) (LinkCandidate, error) { return scanLinkCandidate(r) })
	if err != nil {
		return nil, fmt.Errorf("store: link candidates: %w", err)
	}
	return list, q.withCandidateContacts(ctx, list)
}

// LinkCandidatesByNumber returns what a teammate may mean by number n: the conversation whose
// id is n, and the Customer ticket whose Ticket ID (TT3) is n, each if there is one, the
// conversation first. Two lookups by unique index (the primary key, tickets' ticket_number).
func (q *Q) LinkCandidatesByNumber(ctx context.Context, n int64) ([]LinkCandidate, error) {
	rows, err := q.query(ctx, `SELECT `+linkCandidateColumns+`
		FROM conversations c LEFT JOIN tickets t ON t.id = c.id LEFT JOIN ticket_states s ON s.id = t.ticket_state_id
		WHERE c.id = $1 AND c.kind = 'conversation'
		UNION ALL
		SELECT `+linkCandidateColumns+`
		FROM tickets t JOIN conversations c ON c.id = t.id LEFT JOIN ticket_states s ON s.id = t.ticket_state_id
		WHERE t.ticket_number = $1 AND t.category = 'Customer'`, n)
	if err != nil {
		return nil, fmt.Errorf("store: link candidates numbered %d: %w", n, err)
	}
	list, err := collect(rows, func(r *sql.Rows) (LinkCandidate, error) { return scanLinkCandidate(r) })
	if err != nil {
		return nil, fmt.Errorf("store: link candidates numbered %d: %w", n, err)
	}
	if len(list) == 2 && list[0].IsTicket { // UNION ALL keeps no order of its own
		list[0], list[1] = list[1], list[0]
	}
	return list, q.withCandidateContacts(ctx, list)
}

// LinkCandidateByID returns one conversation or Customer ticket, by its id, as LinkCandidates
// does; ErrNotFound for any other id (a Back-office or Tracker ticket's too).
func (q *Q) LinkCandidateByID(ctx context.Context, id int64) (LinkCandidate, error) {
	c, err := scanLinkCandidate(q.row(ctx, `SELECT `+linkCandidateColumns+`
		FROM conversations c LEFT JOIN tickets t ON t.id = c.id LEFT JOIN ticket_states s ON s.id = t.ticket_state_id
		WHERE c.id = $1 AND (c.kind = 'conversation' OR t.category = 'Customer')`, id))
	if err = translate(err); err != nil {
		return c, fmt.Errorf("store: link candidate %d: %w", id, err)
	}
	list := []LinkCandidate{c}
	err = q.withCandidateContacts(ctx, list)
	return list[0], err
}

func (q *Q) withCandidateContacts(ctx context.Context, list []LinkCandidate) error {
	ids := make([]int64, len(list))
	for i, c := range list {
		ids[i] = c.ID
	}
	contacts, err := q.ConversationContacts(ctx, ids...)
	for i := range list {
		list[i].ContactIDs = contacts[list[i].ID]
	}
	return err
}

// TrackerReach tells how far a broadcast from ticket ticketID goes (TR4): how many
// conversations and Customer tickets it links to, and how many distinct customers take part in
// them. Two index range scans, however many links there are (TR5).
func (q *Q) TrackerReach(ctx context.Context, ticketID int64) (threads, customers int64, err error) {
	err = q.row(ctx, `SELECT (SELECT count(*) FROM ticket_links WHERE ticket_id = $1),
		(SELECT count(DISTINCT cc.contact_id) FROM ticket_links l JOIN conversation_contacts cc ON cc.conversation_id = l.conversation_id
			WHERE l.ticket_id = $1)`, ticketID).Scan(&threads, &customers)
	if err != nil {
		return 0, 0, fmt.Errorf("store: tracker reach: %w", translate(err))
	}
	return threads, customers, nil
}

// TrackerOf returns the Tracker ticket that conversation or Customer ticket id is linked to
// (TR2: at most one); ErrNotFound when there is none.
func (q *Q) TrackerOf(ctx context.Context, id int64) (TrackerRow, error) {
	var t TrackerRow
	var created int64
	err := translate(q.row(ctx, `SELECT t.id, t.ticket_number, COALESCE(c.title, ''), ty.name, s.id, s.category, s.internal_label,
		s.external_label, c.state <> 'closed', c.created_at
		FROM ticket_links l JOIN tickets t ON t.id = l.ticket_id JOIN conversations c ON c.id = t.id
		JOIN ticket_types ty ON ty.id = t.ticket_type_id JOIN ticket_states s ON s.id = t.ticket_state_id
		WHERE l.conversation_id = $1 AND l.kind = 'Tracker'`, id).
		Scan(&t.ID, &t.Number, &t.Title, &t.TypeName, &t.State.ID, &t.State.Category, &t.State.InternalLabel,
			&t.State.ExternalLabel, &t.Open, &created))
	if err != nil {
		return t, fmt.Errorf("store: tracker of %d: %w", id, err)
	}
	t.CreatedAt = time.Unix(created, 0)
	return t, nil
}

// CompanyChoice is a company a new ticket may be for (CO2).
type CompanyChoice struct {
	ID   int64
	Name string
}

// CompanyChoices returns, for each of contactIDs in order, the ids of the companies it belongs
// to (what ticket.ChooseCompany takes, CO2-CO3), and every one of those companies with its name,
// in one query.
func (q *Q) CompanyChoices(ctx context.Context, contactIDs ...int64) ([][]int64, []CompanyChoice, error) {
	perContact := make([][]int64, len(contactIDs))
	if len(contactIDs) == 0 {
		return perContact, nil, nil
	}
	in, args := inList(contactIDs, 0)
	rows, err := q.query(ctx, `SELECT cc.contact_id, co.id, COALESCE(co.name, ''), co.company_id
		FROM contact_companies cc JOIN companies co ON co.id = cc.company_id
		WHERE cc.contact_id IN (`+in+`) ORDER BY cc.created_at, cc.company_id`, args...)
	if err != nil {
		return nil, nil, fmt.Errorf("store: company choices: %w", err)
	}
	type row struct {
		contact int64
		company CompanyChoice
	}
	list, err := collect(rows, func(r *sql.Rows) (row, error) {
		var x row
		var clientID string
		err := r.Scan(&x.contact, &x.company.ID, &x.company.Name, &clientID)
		if x.company.Name == "" {
			x.company.Name = clientID
		}
		return x, err
	})
	if err != nil {
		return nil, nil, fmt.Errorf("store: company choices: %w", err)
	}
	index := make(map[int64]int, len(contactIDs))
	for i, id := range contactIDs {
		index[id] = i
	}
	var companies []CompanyChoice
	seen := map[int64]bool{}
	for _, x := range list {
		perContact[index[x.contact]] = append(perContact[index[x.contact]], x.company.ID)
		if !seen[x.company.ID] {
			seen[x.company.ID] = true
			companies = append(companies, x.company)
		}
	}
	return perContact, companies, nil
}

// ConversationOpenings returns the start of the message that opened each of the conversations in ids (what
// a list names an untitled conversation by), in one query.
func (q *Q) ConversationOpenings(ctx context.Context, ids ...int64) (map[int64]string, error) {
	out := make(map[int64]string, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	in, args := inList(ids, 0)
	rows, err := q.query(ctx, `SELECT id, substr(source_body, 1, 300) FROM conversations WHERE id IN (`+in+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: openings: %w", err)
	}
	type row struct {
		id   int64
		body string
	}
	list, err := collect(rows, func(r *sql.Rows) (row, error) {
		var x row
		return x, r.Scan(&x.id, &x.body)
	})
	for _, x := range list {
		out[x.id] = x.body
	}
	return out, err
}

// TicketByNumber finds a ticket by the Ticket ID people quote (its number; tickets_number is
// unique); ErrNotFound when no ticket has it.
func (q *Q) TicketByNumber(ctx context.Context, number int64) (ticket.Ticket, error) {
	var id int64
	if err := q.row(ctx, `SELECT id FROM tickets WHERE ticket_number = $1`, number).Scan(&id); err != nil {
		return ticket.Ticket{}, fmt.Errorf("store: ticket number %d: %w", number, translate(err))
	}
	return q.Ticket(ctx, id)
}
