package inbox_test

import (
	"html"
	"net/http"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/helpdesk/helpdesk/internal/browsertest"
	"github.com/helpdesk/helpdesk/internal/ticket"
)

// reportCell returns the text of the element with id in a page, or "(none)".
func reportCell(body, id string) string {
	m := regexp.MustCompile(`id="` + regexp.QuoteMeta(id) + `"[^>]*>([^<]*)<`).FindStringSubmatch(body)
	if m == nil {
		return "(none)"
	}
	return strings.TrimSpace(html.UnescapeString(m[1]))
}

// reportCheck checks cells of a report: ids to the text they must have.
func reportCheck(t *testing.T, what, body string, want map[string]string) {
	t.Helper()
	for id, v := range want {
		if got := reportCell(body, id); got != v {
			t.Errorf("%s: %s = %s, want %s", what, id, got, v)
		}
	}
}

// reportTeam assigns a ticket to a team, through the API.
func reportTicket(t *testing.T, e *env, typ ticket.Type, teamID int64, title string) string {
	t.Helper()
	c := e.CreateContact(strings.ToLower(strings.ReplaceAll(title, " ", "."))+"@example.com", title)
	var extra map[string]any
	if teamID != 0 {
		extra = map[string]any{"assignment": map[string]any{"team_assignee_id": strconv.FormatInt(teamID, 10)}}
	}
	id, _ := peopleTicket(t, e, typ, c, title, extra)
	return id
}

func TestIN6_TicketsPerStateByTypeAndTeam(t *testing.T) {
	e := start(t)
	a := e.CreateTicketType("Refund", ticket.Customer, nil)
	b := e.CreateTicketType("Investigation", ticket.BackOffice, nil)
	t1 := e.CreateTeam("Billing", e.Mate.ID)
	t2 := e.CreateTeam("Fraud")
	st := peopleStates(t, e)
	sub, prog, res := st[ticket.Submitted], st[ticket.InProgress], st[ticket.Resolved]
	a1, a2, t1s := strconv.FormatInt(a.ID, 10), strconv.FormatInt(b.ID, 10), strconv.FormatInt(t1.ID, 10)
	t2s := strconv.FormatInt(t2.ID, 10)

	reportTicket(t, e, a, t1.ID, "A one")
	reportTicket(t, e, a, t1.ID, "A two")
	moving := reportTicket(t, e, a, t2.ID, "A three")
	done := reportTicket(t, e, b, t1.ID, "B one")
	reportTicket(t, e, b, 0, "B two")
	e.MustDo(http.StatusOK, "PUT", "/api/tickets/"+moving, map[string]any{"ticket_state_id": prog})
	e.MustDo(http.StatusOK, "PUT", "/api/tickets/"+done, map[string]any{"ticket_state_id": res})
	e.MustDo(http.StatusOK, "PUT", "/api/tickets/"+done, map[string]any{"open": false}) // ST3: closed, still Resolved

	c := e.signedIn(t)
	r := c.get("/inbox/reports")
	if r.status != http.StatusOK {
		t.Fatalf("reports: %d %s", r.status, r.body)
	}
	reportCheck(t, "every ticket", r.body, map[string]string{
		"count-all-state-" + sub: "3", "count-all-state-" + prog: "1", "count-all-state-" + res: "1",
		"open-all-state-" + sub: "3", "open-all-state-" + res: "0",
		// By type.
		"count-type-" + a1 + "-state-" + sub: "2", "count-type-" + a1 + "-state-" + prog: "1", "count-type-" + a1 + "-state-" + res: "0",
		"count-type-" + a1 + "-all": "3", "count-type-" + a2 + "-state-" + sub: "1", "count-type-" + a2 + "-state-" + res: "1",
		// By team, with the tickets of no team.
		"count-team-" + t1s + "-state-" + sub: "2", "count-team-" + t1s + "-state-" + res: "1", "count-team-" + t2s + "-state-" + prog: "1",
		"count-team-0-state-" + sub: "1", "count-team-0-all": "1",
	})
	for _, want := range []string{"Submitted", "In progress", "Waiting on customer", "Resolved", "How these are counted"} {
		if !strings.Contains(r.body, want) {
			t.Errorf("reports lack %q", want)
		}
	}

	// Filters: a type, a team, no team, and both.
	reportCheck(t, "type Refund", c.get("/inbox/reports?type="+a1).body, map[string]string{
		"count-all-state-" + sub: "2", "count-all-state-" + prog: "1", "count-all-state-" + res: "0", "count-type-" + a2 + "-all": "(none)"})
	reportCheck(t, "team Billing", c.get("/inbox/reports?team="+t1s).body, map[string]string{
		"count-all-state-" + sub: "2", "count-all-state-" + prog: "0", "count-all-state-" + res: "1"})
	reportCheck(t, "no team", c.get("/inbox/reports?team=none").body, map[string]string{
		"count-all-state-" + sub: "1", "count-all-state-" + res: "0", "count-type-" + a2 + "-all": "1"})
	reportCheck(t, "Investigation of Billing", c.get("/inbox/reports?type="+a2+"&team="+t1s).body, map[string]string{
		"count-all-state-" + sub: "0", "count-all-state-" + res: "1"})

	// A bad period is said so beside its fields, which keep what was typed, and no report is
	// shown; the page is answered as a form is (200), not as an error a browser would log.
	r = c.get("/inbox/reports?from=yesterday")
	if r.status != http.StatusOK || !strings.Contains(r.body, "“From” must be a date") || reportCell(r.body, "count-all-state-"+sub) != "(none)" {
		t.Errorf("bad from: %d", r.status)
	}
	r = c.get("/inbox/reports?from=2026-11-02&to=2026-10-01")
	if r.status != http.StatusOK || !strings.Contains(r.body, "must start on or before") || reportCell(r.body, "count-all-state-"+sub) != "(none)" ||
		!strings.Contains(r.body, `name="from" type="date" value="2026-11-02"`) || !strings.Contains(r.body, `name="to" type="date" value="2026-10-01"`) {
		t.Errorf("from after to: %d", r.status)
	}
}

func TestIN6_TimeSpentInEachStateOverAChosenPeriod(t *testing.T) {
	e := start(t) // the clock is at 2 Nov 2026, 09:00 UTC
	a := e.CreateTicketType("Refund", ticket.Customer, nil)
	b := e.CreateTicketType("Investigation", ticket.BackOffice, nil)
	t1 := e.CreateTeam("Billing")
	t2 := e.CreateTeam("Fraud")
	st := peopleStates(t, e)
	sub, prog, res := st[ticket.Submitted], st[ticket.InProgress], st[ticket.Resolved]
	as, bs := strconv.FormatInt(a.ID, 10), strconv.FormatInt(b.ID, 10)
	t1s, t2s := strconv.FormatInt(t1.ID, 10), strconv.FormatInt(t2.ID, 10)
	to := func(id, state string) {
		t.Helper()
		e.MustDo(http.StatusOK, "PUT", "/api/tickets/"+id, map[string]any{"ticket_state_id": state})
	}

	// 09:00: four tickets are submitted.
	x := reportTicket(t, e, a, t1.ID, "X")
	y := reportTicket(t, e, b, t2.ID, "Y")
	reportTicket(t, e, a, t2.ID, "Z") // stays Submitted
	w := reportTicket(t, e, a, 0, "W")
	for _, step := range []struct {
		at        string
		id, state string
	}{
		{"10:00", w, prog},
		{"11:00", x, prog},
		{"12:00", w, sub}, // W goes back: its two stays in Submitted add up
		{"13:00", y, prog},
		{"14:00", w, res},
		{"15:00", x, res},
	} {
		at, _ := time.Parse("2006-01-02 15:04", "2026-11-02 "+step.at)
		e.Clock.Set(at)
		to(step.id, step.state)
	}
	e.Clock.Set(time.Date(2026, 11, 2, 16, 0, 0, 0, time.UTC))

	// Up to now (16:00), in hours: Submitted X 2, Y 4, Z 7, W 1+2; In progress X 4, Y 3, W 2;
	// Resolved X 1, W 2.
	day := "/inbox/reports?from=2026-11-02&to=2026-11-02"
	r := e.signedIn(t).get(day)
	if r.status != http.StatusOK {
		t.Fatalf("reports: %d %s", r.status, r.body)
	}
	cell := func(group, state, stat string) string { return "time-" + group + "-state-" + state + "-" + stat }
	reportCheck(t, "2 Nov up to now", r.body, map[string]string{
		cell("all", sub, "tickets"): "4", cell("all", sub, "avg"): "4 h", cell("all", sub, "median"): "3 h 30 min",
		cell("all", prog, "tickets"): "3", cell("all", prog, "avg"): "3 h", cell("all", prog, "median"): "3 h",
		cell("all", res, "tickets"): "2", cell("all", res, "avg"): "1 h 30 min", cell("all", res, "median"): "1 h 30 min",
		// By type: Refund is X, Z and W; Investigation is Y.
		cell("type-"+as, sub, "avg"): "4 h", cell("type-"+as, sub, "median"): "3 h",
		cell("type-"+as, prog, "avg"): "3 h", cell("type-"+as, res, "avg"): "1 h 30 min",
		cell("type-"+bs, sub, "avg"): "4 h", cell("type-"+bs, prog, "median"): "3 h", cell("type-"+bs, res, "avg"): "—",
		// By team: Billing is X, Fraud Y and Z, W has none.
		cell("team-"+t1s, sub, "avg"): "2 h", cell("team-"+t1s, prog, "avg"): "4 h", cell("team-"+t1s, res, "median"): "1 h",
		cell("team-"+t2s, sub, "avg"): "5 h 30 min", cell("team-"+t2s, sub, "median"): "5 h 30 min", cell("team-"+t2s, prog, "avg"): "3 h",
		cell("team-0", sub, "avg"): "3 h", cell("team-0", prog, "avg"): "2 h", cell("team-0", res, "avg"): "2 h",
		"flow-created": "4", "flow-resolved": "2",
	})
	// The filters apply.
	reportCheck(t, "Investigation only", e.signedIn(t).get(day+"&type="+bs).body, map[string]string{
		cell("all", sub, "avg"): "4 h", cell("all", prog, "avg"): "3 h", cell("all", res, "tickets"): "0", "flow-created": "1"})

	// The next day, at 10:00: the first day is whole (its current stays run to midnight), the
	// second day counts from midnight to now.
	e.Clock.Set(time.Date(2026, 11, 3, 10, 0, 0, 0, time.UTC))
	c := e.signedIn(t) // the session of yesterday has ended
	reportCheck(t, "2 Nov, whole", c.get(day).body, map[string]string{
		// Submitted X 2, Y 4, Z 15, W 3; In progress X 4, Y 11, W 2; Resolved X 9, W 10.
		cell("all", sub, "avg"): "6 h", cell("all", sub, "median"): "3 h 30 min",
		cell("all", prog, "avg"): "5 h 40 min", cell("all", prog, "median"): "4 h",
		cell("all", res, "avg"): "9 h 30 min", cell("all", res, "median"): "9 h 30 min",
		"flow-created": "4", "flow-resolved": "2",
	})
	reportCheck(t, "3 Nov up to now", c.get("/inbox/reports?from=2026-11-03&to=2026-11-03").body, map[string]string{
		cell("all", sub, "tickets"): "1", cell("all", sub, "avg"): "10 h",
		cell("all", prog, "tickets"): "1", cell("all", prog, "avg"): "10 h",
		cell("all", res, "tickets"): "2", cell("all", res, "avg"): "10 h", cell("all", res, "median"): "10 h",
		"flow-created": "0", "flow-resolved": "0",
	})
	// By default, the last 30 days up to now: everything. Z has been submitted for 25 hours.
	reportCheck(t, "the last 30 days", c.get("/inbox/reports").body, map[string]string{
		cell("all", sub, "avg"): "8 h 30 min", cell("all", sub, "median"): "3 h 30 min", cell("all", res, "avg"): "19 h 30 min",
		"flow-created": "4", "flow-resolved": "2",
	})
}

func TestIN6_ReportsInABrowser(t *testing.T) {
	e := start(t)
	a := e.CreateTicketType("Refund", ticket.Customer, nil)
	b := e.CreateTicketType("Investigation", ticket.BackOffice, nil)
	team := e.CreateTeam("Billing")
	st := peopleStates(t, e)
	var ids []string
	for i, typ := range []ticket.Type{a, a, b, a, b, a} {
		ids = append(ids, reportTicket(t, e, typ, team.ID*int64(i%2), "Ticket "+strconv.Itoa(i)))
		e.Clock.Advance(3 * time.Hour)
	}
	for i, id := range ids {
		e.MustDo(http.StatusOK, "PUT", "/api/tickets/"+id, map[string]any{"ticket_state_id": st[ticket.InProgress]})
		e.Clock.Advance(time.Duration(i+1) * time.Hour)
		if i%2 == 0 {
			e.MustDo(http.StatusOK, "PUT", "/api/tickets/"+id, map[string]any{"ticket_state_id": st[ticket.Resolved]})
		}
	}
	ctx := e.browser(t)
	var text string
	err := chromedp.Run(ctx,
		chromedp.Navigate(e.URL+"/inbox/reports"),
		chromedp.WaitVisible(`#reports-per-state-table`, chromedp.ByQuery),
		chromedp.SetValue(`#reports-type`, strconv.FormatInt(b.ID, 10), chromedp.ByQuery),
		chromedp.Click(`.reports-form button[type="submit"]`, chromedp.ByQuery),
		chromedp.WaitReady(`#reports-type option[value="`+strconv.FormatInt(b.ID, 10)+`"][selected]`, chromedp.ByQuery),
		chromedp.Text(`#count-all-state-`+st[ticket.Resolved], &text, chromedp.ByQuery),
	)
	if err != nil {
		t.Fatal(err)
	}
	if text != "2" {
		t.Errorf("Investigation tickets resolved: %q", text)
	}
	if os.Getenv("HELPDESK_SCREENSHOTS") == "1" {
		if err := chromedp.Run(ctx, chromedp.Navigate(e.URL+"/inbox/reports"), chromedp.WaitVisible(`#reports-time-table`, chromedp.ByQuery)); err != nil {
			t.Fatal(err)
		}
		browsertest.Screenshot(t, ctx, "../../docs/screenshots/inbox-reports.png")
	}
}
