package inbox

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/helpdesk/helpdesk/internal/store"
	"github.com/helpdesk/helpdesk/internal/ticket"
)

// Reports (SPEC IN6): tickets per state, time spent in each state, tickets created and resolved,
// by type and team, over a chosen period. The database aggregates (package store, reports.go);
// this file arranges the numbers into tables and CSS bar charts.

// reportRoutes adds the routes of reports.go.
func (in *Inbox) reportRoutes(add route) {
	add("GET /inbox/reports", in.reports)
}

// reportDate is how the period's days are written, in the query and in date inputs.
const reportDate = "2006-01-02"

// reportDefaultDays is the period shown when none is chosen: the last 30 days, today included.
const reportDefaultDays = 30

// reportMaxDays is the longest period a report covers.
const reportMaxDays = 3 * 366

// reportsPage is the reports page.
type reportsPage struct {
	Page
	// The form: the period (days, UTC, both included) and the filters.
	From, To string
	TypeID   int64
	Team     string // "", "none" or a team's id
	Types    []ticket.Type
	Teams    []store.Team
	// Error is what is wrong with the period: the page shows it beside the period's fields,
	// with what was typed, and no report.
	Error string
	// Now is when "now" is for this report; End is where the period stops (the end of To, or now).
	Now, End time.Time

	States []ticket.State // the columns: the states in use
	// TimeScale is where the bars of time in each state end: a round duration at or above
	// the longest average, and at least an hour, so that minutes show as short bars.
	TimeScale string

	PerState []reportsStateBar // (a) tickets per state, now
	ByType   []reportsCountRow // (a) by type
	ByTeam   []reportsCountRow // (a) by team
	Time     []reportsTimeBar  // (b) time in each state
	TimeType []reportsTimeRow  // (b) by type
	TimeTeam []reportsTimeRow  // (b) by team
	Flow     reportsFlow       // (c) created and resolved
	Total    int64             // tickets counted in (a)
	HasTime  bool              // some ticket spent time in a state in the period
}

// reportsStateBar is one state's bar of tickets per state.
type reportsStateBar struct {
	State   ticket.State
	Tickets int64
	Open    int64
	Width   int // of the bar, 0-100 (a CSS class: no inline style under our CSP)
}

// reportsCountRow is one type's or team's tickets per state.
type reportsCountRow struct {
	Key   string // "type-ID" or "team-ID": the prefix of its cells' ids
	Name  string
	Cells []reportsCount
	Total int64
}

type reportsCount struct {
	StateID int64
	Tickets int64
}

// reportsTimeBar is one state's time, over every ticket of the report.
type reportsTimeBar struct {
	State   ticket.State
	Tickets int64
	Average string // a duration in words: "3 h 20 min"
	Median  string
	Width   int // of the average's bar on the page's TimeScale, 0-100
}

// reportsTimeRow is one type's or team's time in each state.
type reportsTimeRow struct {
	Key   string
	Name  string
	Cells []reportsTimeCell
}

type reportsTimeCell struct {
	StateID         int64
	Tickets         int64 // 0: no time in this state (the cells show a dash)
	Average, Median string
}

// reportsFlow is the tickets created and resolved in the period.
type reportsFlow struct {
	Created, Resolved int64
	Bucket            string // "day", "week" or "30 days": what each bar covers
	Bars              []reportsFlowBar
}

type reportsFlowBar struct {
	Label                         string
	Created, Resolved             int64
	CreatedHeight, ResolvedHeight int // 0-100
}

func (in *Inbox) reports(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	q := r.URL.Query()
	now := in.clock.Now().UTC()
	p := &reportsPage{Page: Page{Title: "Reports", Nav: "reports"}, Now: now}
	start, last, end, err := reportPeriod(now, q.Get("from"), q.Get("to"))
	p.From, p.To, p.End = start.Format(reportDate), last.Format(reportDate), end
	if err != "" {
		// The form, answered as it was sent, says what is wrong: no report, and no error
		// status, which a browser would log for what is only a teammate's slip.
		p.Error, p.From, p.To = err, q.Get("from"), q.Get("to")
	}

	db := in.db.Read()
	var f store.ReportFilter
	var lerr error
	if p.Types, lerr = db.TicketTypes(ctx); lerr != nil {
		return lerr
	}
	if p.Teams, lerr = db.Teams(ctx); lerr != nil {
		return lerr
	}
	if id, _ := strconv.ParseInt(q.Get("type"), 10, 64); id > 0 {
		for _, t := range p.Types {
			if t.ID == id {
				f.TypeID, p.TypeID = id, id
			}
		}
	}
	switch team := q.Get("team"); team {
	case "":
	case "none":
		f.TeamID, p.Team = store.NoTeam, team
	default:
		id, _ := strconv.ParseInt(team, 10, 64)
		for _, t := range p.Teams {
			if t.ID == id && id > 0 {
				f.TeamID, p.Team = id, team
			}
		}
	}
	if p.Error == "" {
		if err := in.reportsFill(ctx, p, f, start, end); err != nil {
			return err
		}
	}
	in.render(w, r, http.StatusOK, "reports", p)
	return nil
}

// reportPeriod reads the period's first and last days (UTC, both included; empty for the
// default: the last 30 days) into where it starts, its last day, and where it stops: the end of
// its last day, or now if that is sooner. It returns what is wrong with them, if anything.
func reportPeriod(now time.Time, from, to string) (start, last, end time.Time, problem string) {
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	last = today
	if to != "" {
		t, err := time.Parse(reportDate, to)
		if err != nil {
			return start, last, end, "“To” must be a date, as in " + today.Format(reportDate) + "."
		}
		last = t
	}
	start = last.AddDate(0, 0, 1-reportDefaultDays)
	if from != "" {
		t, err := time.Parse(reportDate, from)
		if err != nil {
			return start, last, end, "“From” must be a date, as in " + today.Format(reportDate) + "."
		}
		start = t
	}
	switch {
	case last.Before(start):
		return start, last, end, "The period must start on or before its last day."
	case !start.Before(now):
		return start, last, end, "The period must start before now."
	case last.Sub(start) >= reportMaxDays*24*time.Hour:
		return start, last, end, "The period can be at most " + strconv.Itoa(reportMaxDays) + " days long."
	}
	end = last.AddDate(0, 0, 1)
	if end.After(now) {
		end = now
	}
	return start, last, end, ""
}

// reportsFill runs the reports for the tickets matching f over [start, end) and arranges them.
func (in *Inbox) reportsFill(ctx context.Context, p *reportsPage, f store.ReportFilter, start, end time.Time) error {
	db := in.db.Read()
	states, err := db.TicketStates(ctx)
	if err != nil {
		return err
	}
	counts, err := db.TicketsPerState(ctx, f)
	if err != nil {
		return err
	}
	var times [3][]store.StateTime
	for i, by := range []store.ReportGroup{store.GroupAll, store.GroupType, store.GroupTeam} {
		if times[i], err = db.TimeInStates(ctx, f, start, end, by); err != nil {
			return err
		}
	}
	bucket, bucketName := reportBucket(end.Sub(start))
	flow, err := db.TicketFlow(ctx, f, start, end, bucket)
	if err != nil {
		return err
	}

	// The columns: every state in use, and archived ones only where tickets are or were.
	used := map[int64]bool{}
	for _, c := range counts {
		used[c.StateID] = true
	}
	for _, list := range times {
		for _, t := range list {
			used[t.StateID] = true
		}
	}
	for _, s := range states {
		if !s.Archived || used[s.ID] {
			p.States = append(p.States, s)
		}
	}
	typeNames := map[int64]string{}
	for _, t := range p.Types {
		typeNames[t.ID] = t.Name
	}
	teamNames := map[int64]string{0: "No team"}
	for _, t := range p.Teams {
		teamNames[t.ID] = t.Name
	}

	// (a) Tickets per state, in all, by type and by team.
	perState := map[int64]*reportsStateBar{}
	byType, byTeam := map[int64]map[int64]int64{}, map[int64]map[int64]int64{}
	add := func(m map[int64]map[int64]int64, group, state, n int64) {
		if m[group] == nil {
			m[group] = map[int64]int64{}
		}
		m[group][state] += n
	}
	for _, c := range counts {
		b := perState[c.StateID]
		if b == nil {
			b = &reportsStateBar{}
			perState[c.StateID] = b
		}
		b.Tickets += c.Tickets
		b.Open += c.Open
		p.Total += c.Tickets
		add(byType, c.TypeID, c.StateID, c.Tickets)
		add(byTeam, c.TeamID, c.StateID, c.Tickets)
	}
	var most int64
	for _, b := range perState {
		most = max(most, b.Tickets)
	}
	for _, s := range p.States {
		b := reportsStateBar{State: s}
		if x := perState[s.ID]; x != nil {
			b.Tickets, b.Open = x.Tickets, x.Open
		}
		b.Width = reportWidth(float64(b.Tickets), float64(most))
		p.PerState = append(p.PerState, b)
	}
	p.ByType = reportCountRows("type", byType, p.States, reportTypeOrder(p.Types), typeNames)
	p.ByTeam = reportCountRows("team", byTeam, p.States, reportTeamOrder(p.Teams), teamNames)

	// (b) Time in each state.
	var longest time.Duration
	all := map[int64]store.StateTime{}
	for _, t := range times[0] {
		all[t.StateID] = t
		longest = max(longest, t.Average())
	}
	scale := reportScale(longest)
	p.TimeScale = reportDuration(scale)
	for _, s := range p.States {
		t := all[s.ID]
		p.Time = append(p.Time, reportsTimeBar{State: s, Tickets: t.Tickets, Average: reportDuration(t.Average()),
			Median: reportDuration(t.Median), Width: reportWidth(float64(t.Average()), float64(scale))})
	}
	p.HasTime = len(times[0]) > 0
	p.TimeType = reportTimeRows("type", times[1], p.States, reportTypeOrder(p.Types), typeNames)
	p.TimeTeam = reportTimeRows("team", times[2], p.States, reportTeamOrder(p.Teams), teamNames)

	// (c) Created and resolved.
	p.Flow = reportsFlow{Created: flow.Created, Resolved: flow.Resolved, Bucket: bucketName}
	var peak int64
	for _, b := range flow.Buckets {
		peak = max(peak, b.Created, b.Resolved)
	}
	for _, b := range flow.Buckets {
		label := b.Start.Format("2 Jan")
		if bucket > 24*time.Hour {
			label = "from " + label
		}
		p.Flow.Bars = append(p.Flow.Bars, reportsFlowBar{Label: label, Created: b.Created, Resolved: b.Resolved,
			CreatedHeight: reportWidth(float64(b.Created), float64(peak)), ResolvedHeight: reportWidth(float64(b.Resolved), float64(peak))})
	}
	return nil
}

// reportsCountTable is a table of tickets per state by type or team.
type reportsCountTable struct {
	Title, Group string // "By type", "Type"
	States       []ticket.State
	Rows         []reportsCountRow
}

// reportsTimeTable is a table of time in each state by type or team.
type reportsTimeTable struct {
	Title, Group string
	States       []ticket.State
	Rows         []reportsTimeRow
}

func init() {
	featureFuncs["reportsCounts"] = func(*Inbox) any {
		return func(title, group string, states []ticket.State, rows []reportsCountRow) reportsCountTable {
			return reportsCountTable{Title: title, Group: group, States: states, Rows: rows}
		}
	}
	featureFuncs["reportsTimes"] = func(*Inbox) any {
		return func(title, group string, states []ticket.State, rows []reportsTimeRow) reportsTimeTable {
			return reportsTimeTable{Title: title, Group: group, States: states, Rows: rows}
		}
	}
}

// reportBucket is what each bar of the created and resolved chart covers for a period.
func reportBucket(period time.Duration) (time.Duration, string) {
	const day = 24 * time.Hour
	switch {
	case period <= 62*day:
		return day, "day"
	case period <= 366*day:
		return 7 * day, "week"
	}
	return 30 * day, "30 days"
}

// reportTypeOrder is the order of the rows by type: the types' own.
func reportTypeOrder(types []ticket.Type) []int64 {
	ids := make([]int64, len(types))
	for i, t := range types {
		ids[i] = t.ID
	}
	return ids
}

// reportTeamOrder is the order of the rows by team: the teams', then no team (0).
func reportTeamOrder(teams []store.Team) []int64 {
	ids := make([]int64, 0, len(teams)+1)
	for _, t := range teams {
		ids = append(ids, t.ID)
	}
	return append(ids, 0)
}

func reportCountRows(kind string, m map[int64]map[int64]int64, states []ticket.State, order []int64, names map[int64]string) []reportsCountRow {
	var rows []reportsCountRow
	for _, id := range order {
		counts, ok := m[id]
		if !ok {
			continue
		}
		row := reportsCountRow{Key: kind + "-" + strconv.FormatInt(id, 10), Name: names[id]}
		for _, s := range states {
			row.Cells = append(row.Cells, reportsCount{StateID: s.ID, Tickets: counts[s.ID]})
			row.Total += counts[s.ID]
		}
		rows = append(rows, row)
	}
	return rows
}

func reportTimeRows(kind string, list []store.StateTime, states []ticket.State, order []int64, names map[int64]string) []reportsTimeRow {
	m := map[int64]map[int64]store.StateTime{}
	for _, t := range list {
		if m[t.Group] == nil {
			m[t.Group] = map[int64]store.StateTime{}
		}
		m[t.Group][t.StateID] = t
	}
	var rows []reportsTimeRow
	for _, id := range order {
		times, ok := m[id]
		if !ok {
			continue
		}
		row := reportsTimeRow{Key: kind + "-" + strconv.FormatInt(id, 10), Name: names[id]}
		for _, s := range states {
			t := times[s.ID]
			row.Cells = append(row.Cells, reportsTimeCell{StateID: s.ID, Tickets: t.Tickets,
				Average: reportDuration(t.Average()), Median: reportDuration(t.Median)})
		}
		rows = append(rows, row)
	}
	return rows
}

// reportDuration writes a duration as a teammate reads it, to the minute under a day and to
// the hour past it: "under 1 min", "4 min", "3 h 20 min", "2 d 4 h".
func reportDuration(d time.Duration) string {
	const day = 24 * time.Hour
	switch {
	case d <= 0:
		return "0 min"
	case d < time.Minute:
		return "under 1 min"
	case d < time.Hour-30*time.Second:
		return strconv.Itoa(int(d.Round(time.Minute)/time.Minute)) + " min"
	case d < day-30*time.Second:
		d = d.Round(time.Minute)
		h, m := int(d/time.Hour), int(d%time.Hour/time.Minute)
		if m == 0 {
			return strconv.Itoa(h) + " h"
		}
		return strconv.Itoa(h) + " h " + strconv.Itoa(m) + " min"
	}
	d = d.Round(time.Hour)
	days, h := int(d/day), int(d%day/time.Hour)
	if h == 0 {
		return strconv.Itoa(days) + " d"
	}
	return strconv.Itoa(days) + " d " + strconv.Itoa(h) + " h"
}

// reportScales are the round durations a chart of time can end at.
var reportScales = []time.Duration{time.Hour, 2 * time.Hour, 4 * time.Hour, 8 * time.Hour, 12 * time.Hour,
	24 * time.Hour, 2 * 24 * time.Hour, 4 * 24 * time.Hour, 7 * 24 * time.Hour, 14 * 24 * time.Hour, 30 * 24 * time.Hour,
	60 * 24 * time.Hour, 90 * 24 * time.Hour, 180 * 24 * time.Hour, 365 * 24 * time.Hour}

// reportScale is where a chart of durations up to longest ends: the first round duration at or
// above it (whole years past a year), an hour at least.
func reportScale(longest time.Duration) time.Duration {
	for _, s := range reportScales {
		if longest <= s {
			return s
		}
	}
	year := 365 * 24 * time.Hour
	return (longest + year - 1) / year * year
}

// reportWidth is v as a whole percentage of most (0 when most is 0), at least 1 when v is not 0,
// so that a small value still shows.
func reportWidth(v, most float64) int {
	if most <= 0 || v <= 0 {
		return 0
	}
	return max(1, min(100, int(v/most*100+0.5)))
}
