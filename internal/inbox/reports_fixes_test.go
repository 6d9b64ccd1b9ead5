package inbox_test

import (
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/chromedp"

	"github.com/helpdesk/helpdesk/internal/browsertest"
	"github.com/helpdesk/helpdesk/internal/ticket"
)

// reportTimeBar returns the width class of the bar of time in state in a page ("rep-w12").
func reportTimeBar(t *testing.T, body, state string) string {
	t.Helper()
	m := regexp.MustCompile(`id="time-all-state-` + state + `-tickets"[\s\S]*?\b(rep-w\d+)\b`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no bar for state %s", state)
	}
	return m[1]
}

// Time in each state reads as durations ("4 min", "3 h 20 min", "2 d 4 h"), and its bars share a
// round scale that the page names: minutes make short bars, nothing makes none.
func TestIN6_TimeInStatesReadsAsDurationsOnAScale(t *testing.T) {
	e := start(t) // 2 Nov 2026, 09:00 UTC
	refund := e.CreateTicketType("Refund", ticket.Customer, nil)
	st := peopleStates(t, e)
	sub, prog, res := st[ticket.Submitted], st[ticket.InProgress], st[ticket.Resolved]
	id := reportTicket(t, e, refund, 0, "Quick one")
	e.Clock.Set(time.Date(2026, 11, 2, 9, 4, 0, 0, time.UTC))
	e.MustDo(http.StatusOK, "PUT", "/api/tickets/"+id, map[string]any{"ticket_state_id": prog})
	e.Clock.Set(time.Date(2026, 11, 2, 12, 24, 0, 0, time.UTC))
	e.MustDo(http.StatusOK, "PUT", "/api/tickets/"+id, map[string]any{"ticket_state_id": res})

	// Right away: 4 minutes submitted, 3 h 20 min in progress, nothing resolved yet.
	r := e.signedIn(t).get("/inbox/reports?from=2026-11-02&to=2026-11-02")
	reportCheck(t, "the same day", r.body, map[string]string{
		"time-all-state-" + sub + "-avg": "4 min", "time-all-state-" + prog + "-avg": "3 h 20 min",
		"time-all-state-" + res + "-avg": "—", "time-all-state-" + res + "-median": "—",
		"reports-time-scale": "Average, on a scale of 0 to 4 h",
	})
	// The bars: 4 min and 200 min of 240, and none for nothing.
	for state, want := range map[string]string{sub: "rep-w2", prog: "rep-w83", res: "rep-w0"} {
		if got := reportTimeBar(t, r.body, state); got != want {
			t.Errorf("the same day: bar of state %s is %s, want %s", state, got, want)
		}
	}

	// Two days and four hours later, resolved all along: days and hours, on a scale of 4 days.
	e.Clock.Set(time.Date(2026, 11, 4, 16, 24, 0, 0, time.UTC))
	r = e.signedIn(t).get("/inbox/reports?from=2026-11-02&to=2026-11-04")
	reportCheck(t, "three days", r.body, map[string]string{
		"time-all-state-" + sub + "-avg": "4 min", "time-all-state-" + prog + "-avg": "3 h 20 min",
		"time-all-state-" + res + "-avg": "2 d 4 h", "reports-time-scale": "Average, on a scale of 0 to 4 d",
	})
	for state, want := range map[string]string{sub: "rep-w1", prog: "rep-w3", res: "rep-w54"} {
		if got := reportTimeBar(t, r.body, state); got != want {
			t.Errorf("three days: bar of state %s is %s, want %s", state, got, want)
		}
	}
}

// Tickets per state counts every ticket as it is now: its heading and hint say that the
// period does not apply to it.
func TestIN6_TicketsPerStateSaysThePeriodDoesNotApply(t *testing.T) {
	e := start(t)
	refund := e.CreateTicketType("Refund", ticket.Customer, nil)
	reportTicket(t, e, refund, 0, "Old one")
	r := e.signedIn(t).get("/inbox/reports?from=2026-01-01&to=2026-01-31") // before the ticket
	for _, want := range []string{
		`<h2 id="reports-per-state">Tickets per state now <span class="reports-note">whatever the period</span></h2>`,
		`Every ticket in each state today, not only those of the period chosen above; the type and team filters apply.`,
	} {
		if !strings.Contains(r.body, want) {
			t.Errorf("the page lacks %s", want)
		}
	}
	if got := reportCell(r.body, "count-all-state-"+peopleStates(t, e)[ticket.Submitted]); got != "1" {
		t.Errorf("tickets submitted now, with a period before them: %s", got)
	}
}

// A period that ends before it starts is a teammate's slip: the page answers 200, says what is
// wrong beside the period's fields (marked invalid), keeps what was typed, and shows no report.
func TestIN6_AnInvertedPeriodIsSaidBesideItsFields(t *testing.T) {
	e := start(t)
	r := e.signedIn(t).get("/inbox/reports?from=2026-11-02&to=2026-10-01")
	if r.status != http.StatusOK {
		t.Fatalf("status %d", r.status)
	}
	form := regexp.MustCompile(`<form class="reports-form"[\s\S]*?</form>`).FindString(r.body)
	for _, want := range []string{
		`<fieldset class="reports-period-fields" aria-describedby="reports-error">`,
		`<input id="reports-from" name="from" type="date" value="2026-11-02" required aria-invalid="true" aria-describedby="reports-error">`,
		`<input id="reports-to" name="to" type="date" value="2026-10-01" required aria-invalid="true" aria-describedby="reports-error">`,
		`<p class="error reports-error" id="reports-error" role="alert">The period must start on or before its last day.</p>`,
	} {
		if !strings.Contains(form, want) {
			t.Errorf("the form lacks %s:\n%s", want, form)
		}
	}
	for _, not := range []string{`id="reports-per-state"`, `id="reports-time"`, `id="reports-flow"`} {
		if strings.Contains(r.body, not) {
			t.Errorf("a report is shown for a wrong period: %s", not)
		}
	}
	if !strings.Contains(r.body, "Correct the period to see the reports.") {
		t.Error("no word on what to do")
	}
}

// In the browser, a wrong period shows its message beside the fields, and the console stays
// clean (an error status would be logged there as a failed load).
func TestIN6_AnInvertedPeriodInABrowser(t *testing.T) {
	e := start(t)
	ctx := e.browser(t)
	browsertest.FailOnPageErrors(t, ctx)
	var mu sync.Mutex
	var logged []string
	chromedp.ListenTarget(ctx, func(ev any) {
		if ev, ok := ev.(*cdplog.EventEntryAdded); ok && ev.Entry.Level == cdplog.LevelError {
			mu.Lock()
			logged = append(logged, ev.Entry.Text)
			mu.Unlock()
		}
	})
	var message string
	err := chromedp.Run(ctx,
		chromedp.Navigate(e.URL+"/inbox/reports"),
		chromedp.WaitVisible(`#reports-per-state`, chromedp.ByQuery),
		chromedp.SetValue(`#reports-from`, "2026-11-02", chromedp.ByQuery),
		chromedp.SetValue(`#reports-to`, "2026-10-01", chromedp.ByQuery),
		chromedp.Click(`.reports-form button[type="submit"]`, chromedp.ByQuery),
		chromedp.WaitVisible(`.reports-form #reports-error`, chromedp.ByQuery),
		chromedp.Text(`#reports-error`, &message, chromedp.ByQuery),
	)
	if err != nil {
		t.Fatal(err)
	}
	if message != "The period must start on or before its last day." {
		t.Errorf("the message: %q", message)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(logged) > 0 {
		t.Errorf("the console logged: %q", logged)
	}
}
