package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Reports on tickets and their states (SPEC IN6), aggregated by the database: each report is
// one query however many tickets there are.

// ReportFilter narrows the tickets of a report; zero fields match every ticket.
type ReportFilter struct {
	TypeID int64
	// TeamID is the team the ticket is assigned to now; NoTeam for tickets of no team.
	TeamID int64
}

// NoTeam in ReportFilter.TeamID asks for the tickets assigned to no team.
const NoTeam = -1

// where returns the filter's condition on aliases t (tickets) and c (conversations), with its
// arguments numbered after n others.
func (f ReportFilter) where(n int) (string, []any) {
	var cond string
	var args []any
	if f.TypeID != 0 {
		args = append(args, f.TypeID)
		cond += fmt.Sprintf(" AND t.ticket_type_id = $%d", n+len(args))
	}
	switch {
	case f.TeamID == NoTeam:
		cond += " AND c.team_assignee_id IS NULL"
	case f.TeamID != 0:
		args = append(args, f.TeamID)
		cond += fmt.Sprintf(" AND c.team_assignee_id = $%d", n+len(args))
	}
	return cond, args
}

// StateCount is how many tickets of one type and team are in one state now.
type StateCount struct {
	TypeID  int64
	TeamID  int64 // 0: no team
	StateID int64
	Tickets int64 // every ticket, open or closed (ST3)
	Open    int64 // those not closed
}

// TicketsPerState counts the tickets matching f in each state, by type and team.
func (q *Q) TicketsPerState(ctx context.Context, f ReportFilter) ([]StateCount, error) {
	cond, args := f.where(0)
	rows, err := q.query(ctx, `SELECT t.ticket_type_id, COALESCE(c.team_assignee_id, 0), t.ticket_state_id, COUNT(*),
		SUM(CASE WHEN c.state <> 'closed' THEN 1 ELSE 0 END)
		FROM tickets t JOIN conversations c ON c.id = t.id WHERE TRUE`+cond+`
		GROUP BY t.ticket_type_id, COALESCE(c.team_assignee_id, 0), t.ticket_state_id`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: tickets per state: %w", err)
	}
	list, err := collect(rows, func(r *sql.Rows) (StateCount, error) {
		var x StateCount
		return x, r.Scan(&x.TypeID, &x.TeamID, &x.StateID, &x.Tickets, &x.Open)
	})
	if err != nil {
		return nil, fmt.Errorf("store: tickets per state: %w", err)
	}
	return list, nil
}

// ReportGroup is how a report splits its tickets.
type ReportGroup string

// The groups of TimeInStates.
const (
	GroupAll  ReportGroup = ""     // one group, 0
	GroupType ReportGroup = "type" // by ticket type id
	GroupTeam ReportGroup = "team" // by the team the ticket is assigned to now (0: none)
)

// StateTime is how long the tickets of one group spent in one state during a period.
type StateTime struct {
	Group   int64 // a type or team id, per the ReportGroup; 0 for GroupAll
	StateID int64
	// Tickets is how many tickets spent time in the state during the period.
	Tickets int64
	// Total is the time they spent there in all; Median the middle of each ticket's time
	// (the mean of the two middle ones for an even number of tickets).
	Total  time.Duration
	Median time.Duration
}

// Average is the mean time per ticket.
func (s StateTime) Average() time.Duration {
	if s.Tickets == 0 {
		return 0
	}
	return s.Total / time.Duration(s.Tickets)
}

// TimeInStates measures, from the state history (ST2), how long the tickets matching f spent in
// each state between from and end, by group: each ticket's time in a state is the sum of its
// periods there, each clipped to [from, end) (a current period runs to end, which the caller
// keeps at or before now).
func (q *Q) TimeInStates(ctx context.Context, f ReportFilter, from, end time.Time, by ReportGroup) ([]StateTime, error) {
	group := "0"
	switch by {
	case GroupType:
		group = "t.ticket_type_id"
	case GroupTeam:
		group = "COALESCE(c.team_assignee_id, 0)"
	}
	cond, args := f.where(2)
	args = append([]any{Unix(from), Unix(end)}, args...)
	rows, err := q.query(ctx, `WITH p AS (
			SELECT h.ticket_id, h.ticket_state_id AS state_id, `+group+` AS grp,
				(CASE WHEN h.ended_at IS NULL OR h.ended_at > $2 THEN $2 ELSE h.ended_at END) -
				(CASE WHEN h.started_at < $1 THEN $1 ELSE h.started_at END) AS secs
			FROM ticket_state_history h JOIN tickets t ON t.id = h.ticket_id JOIN conversations c ON c.id = t.id
			WHERE h.started_at < $2 AND (h.ended_at IS NULL OR (h.ended_at > $1 AND h.ended_at > h.started_at))`+cond+`
		), d AS (
			SELECT grp, state_id, ticket_id, SUM(secs) AS secs FROM p GROUP BY grp, state_id, ticket_id
		), r AS (
			SELECT grp, state_id, secs, ROW_NUMBER() OVER (PARTITION BY grp, state_id ORDER BY secs) AS rn,
				COUNT(*) OVER (PARTITION BY grp, state_id) AS n FROM d
		)
		SELECT grp, state_id, COUNT(*), CAST(SUM(secs) AS BIGINT),
			CAST(SUM(CASE WHEN rn IN ((n + 1) / 2, (n + 2) / 2) THEN secs ELSE 0 END) AS BIGINT),
			SUM(CASE WHEN rn IN ((n + 1) / 2, (n + 2) / 2) THEN 1 ELSE 0 END)
		FROM r GROUP BY grp, state_id ORDER BY grp, state_id`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: time in states: %w", err)
	}
	list, err := collect(rows, func(r *sql.Rows) (StateTime, error) {
		var x StateTime
		var total, middle, middles int64
		err := r.Scan(&x.Group, &x.StateID, &x.Tickets, &total, &middle, &middles)
		x.Total = time.Duration(total) * time.Second
		if middles > 0 {
			x.Median = time.Duration(middle) * time.Second / time.Duration(middles)
		}
		return x, err
	})
	if err != nil {
		return nil, fmt.Errorf("store: time in states: %w", err)
	}
	return list, nil
}

// TicketFlow is how many tickets were created and resolved during a period, in all and in
// buckets of equal length from its start.
type TicketFlow struct {
	Created, Resolved int64
	// Buckets has one entry per bucket, the last one possibly shorter.
	Buckets []FlowBucket
}

// FlowBucket is one bucket of a TicketFlow.
type FlowBucket struct {
	Start             time.Time
	Created, Resolved int64
}

// TicketFlow counts the tickets matching f created between from and end (their first state
// began: a conversation converted to a ticket counts when it was converted), and those resolved
// (moved into a state of the resolved category; a ticket resolved twice counts once in all, and
// once in each bucket it was resolved in).
func (q *Q) TicketFlow(ctx context.Context, f ReportFilter, from, end time.Time, bucket time.Duration) (TicketFlow, error) {
	var flow TicketFlow
	secs := int64(bucket / time.Second)
	if secs <= 0 {
		return flow, fmt.Errorf("store: ticket flow: bucket of %v", bucket)
	}
	for at := from; at.Before(end); at = at.Add(bucket) {
		flow.Buckets = append(flow.Buckets, FlowBucket{Start: at})
	}
	cond, args := f.where(3)
	args = append([]any{Unix(from), Unix(end), secs}, args...)
	rows, err := q.query(ctx, `SELECT 'c', (h.started_at - $1) / $3 AS bucket, COUNT(*)
		FROM ticket_state_history h JOIN tickets t ON t.id = h.ticket_id JOIN conversations c ON c.id = t.id
		WHERE h.started_at >= $1 AND h.started_at < $2
		AND NOT EXISTS (SELECT 1 FROM ticket_state_history e WHERE e.ticket_id = h.ticket_id AND e.id < h.id)`+cond+`
		GROUP BY bucket
		UNION ALL
		SELECT 'r', (h.started_at - $1) / $3 AS bucket, COUNT(DISTINCT h.ticket_id)
		FROM ticket_state_history h JOIN ticket_states s ON s.id = h.ticket_state_id
		JOIN tickets t ON t.id = h.ticket_id JOIN conversations c ON c.id = t.id
		WHERE h.started_at >= $1 AND h.started_at < $2 AND s.category = 'resolved'`+cond+`
		GROUP BY bucket
		UNION ALL
		SELECT 't', -1, COUNT(DISTINCT h.ticket_id)
		FROM ticket_state_history h JOIN ticket_states s ON s.id = h.ticket_state_id
		JOIN tickets t ON t.id = h.ticket_id JOIN conversations c ON c.id = t.id
		WHERE h.started_at >= $1 AND h.started_at < $2 AND s.category = 'resolved'`+cond, args...)
	if err != nil {
		return flow, fmt.Errorf("store: ticket flow: %w", err)
	}
	type count struct {
		kind   string
		bucket int64
		n      int64
	}
	counts, err := collect(rows, func(r *sql.Rows) (count, error) {
		var x count
		return x, r.Scan(&x.kind, &x.bucket, &x.n)
	})
	if err != nil {
		return flow, fmt.Errorf("store: ticket flow: %w", err)
	}
	for _, x := range counts {
		inRange := x.bucket >= 0 && x.bucket < int64(len(flow.Buckets))
		switch x.kind {
		case "c":
			flow.Created += x.n
			if inRange {
				flow.Buckets[x.bucket].Created = x.n
			}
		case "r":
			if inRange {
				flow.Buckets[x.bucket].Resolved = x.n
			}
		case "t":
			flow.Resolved = x.n
		}
	}
	return flow, nil
}
