package inbox_test

import (
	"context"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/helpdesk/helpdesk/internal/browsertest"
	"github.com/helpdesk/helpdesk/internal/desk"
)

// viewsBrowserRows returns the ids of the rows the page shows, in order.
func viewsBrowserRows(t *testing.T, ctx context.Context) []int64 {
	t.Helper()
	var ids []string
	if err := chromedp.Run(ctx, chromedp.Evaluate(
		`[...document.querySelectorAll('#views-list [id^="views-row-"]')].map(e => e.id.slice("views-row-".length))`, &ids)); err != nil {
		t.Fatal(err)
	}
	out := make([]int64, len(ids))
	for i, s := range ids {
		out[i], _ = strconv.ParseInt(s, 10, 64)
	}
	return out
}

func viewsScreenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	if os.Getenv("HELPDESK_SCREENSHOTS") == "1" {
		browsertest.Screenshot(t, ctx, "../../docs/screenshots/inbox-views-"+name+".png")
	}
}

func TestIN3_FilterByCompanyInTheBrowser(t *testing.T) {
	w := newViewsWorld(t)
	ctx := w.browser(t)
	browsertest.FailOnPageErrors(t, ctx)

	// The inbox: the views with their counts, the rows with their kinds.
	err := chromedp.Run(ctx,
		chromedp.Navigate(w.URL+"/inbox/views/all"),
		chromedp.WaitVisible(`#views-nav a[aria-current="page"]`, chromedp.ByQuery),
		chromedp.WaitVisible(`#views-row-`+viewsID(w.outage.ID), chromedp.ByQuery),
	)
	if err != nil {
		t.Fatal(err)
	}
	viewsScreenshot(t, ctx, "list")

	// Search: choose a company and search (the change searches already; the click adds
	// no second history entry); only its tickets and its people's conversations
	// are left, and the address bar holds the search.
	acme, globex := viewsID(w.acme), viewsID(w.globex)
	err = chromedp.Run(ctx,
		chromedp.Navigate(w.URL+"/inbox/search"),
		chromedp.WaitVisible(`#views-company`, chromedp.ByID),
		chromedp.WaitVisible(`#views-row-`+viewsID(w.gadget.ID), chromedp.ByQuery),
		chromedp.SetValue(`#views-company`, acme, chromedp.ByID),
		chromedp.Click(`#views-search button[type="submit"]`, chromedp.ByQuery),
		chromedp.WaitNotPresent(`#views-row-`+viewsID(w.gadget.ID), chromedp.ByQuery),
	)
	if err != nil {
		t.Fatal(err)
	}
	if got := viewsBrowserRows(t, ctx); !slices.Equal(got, []int64{w.refund.ID, w.nap.ID, w.parcel.ID}) {
		t.Errorf("Acme's: %v", got)
	}
	var location string
	if err := chromedp.Run(ctx, chromedp.Location(&location)); err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(location, "/inbox/search?company="+acme) {
		t.Errorf("the address bar: %s", location)
	}

	// A second filter: choosing a category is enough (a change searches), and the focus stays.
	err = chromedp.Run(ctx,
		chromedp.Focus(`#views-category`, chromedp.ByID),
		chromedp.SetValue(`#views-category`, "customer", chromedp.ByID), // with its input and change events
		chromedp.WaitNotPresent(`#views-row-`+viewsID(w.parcel.ID), chromedp.ByQuery),
	)
	if err != nil {
		t.Fatal(err)
	}
	if got := viewsBrowserRows(t, ctx); !slices.Equal(got, []int64{w.refund.ID}) {
		t.Errorf("Acme's Customer tickets: %v", got)
	}
	var focused string
	if err := chromedp.Run(ctx, chromedp.Location(&location),
		chromedp.Evaluate(`document.activeElement.id`, &focused)); err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(location, "/inbox/search?category=customer&company="+acme) || focused != "views-category" {
		t.Errorf("after the category: %s, focus on %q", location, focused)
	}

	// Back goes to the search before.
	err = chromedp.Run(ctx,
		chromedp.Evaluate(`history.back()`, nil), // a history entry of htmx's: no page load to wait for
		chromedp.WaitVisible(`#views-row-`+viewsID(w.parcel.ID), chromedp.ByQuery),
		chromedp.Location(&location),
	)
	if err != nil {
		t.Fatal(err)
	}
	if got := viewsBrowserRows(t, ctx); !strings.HasSuffix(location, "/inbox/search?company="+acme) ||
		!slices.Equal(got, []int64{w.refund.ID, w.nap.ID, w.parcel.ID}) {
		t.Errorf("back at %s: %v", location, got)
	}

	// The shared address opens the same search; in the table, the Company column says whose.
	var companies []string
	err = chromedp.Run(ctx,
		chromedp.Navigate(w.URL+"/inbox/search?company="+globex+"&layout=table"),
		chromedp.WaitVisible(`table.views-table`, chromedp.ByQuery),
		chromedp.Evaluate(`[...document.querySelectorAll('table.views-table td.views-company')].map(e => e.textContent)`, &companies),
	)
	if err != nil {
		t.Fatal(err)
	}
	if got := viewsBrowserRows(t, ctx); !slices.Equal(got, []int64{w.gadget.ID, w.nap.ID, w.old.ID, w.invoice.ID}) {
		t.Errorf("Globex's: %v", got)
	}
	// The gadget ticket, the old and invoice conversations are Globex's; Max is at both, and
	// his conversation is in the list as Globex's.
	if !slices.Equal(companies, []string{"Globex", "Globex", "Globex", "Globex"}) {
		t.Errorf("Company column: %q", companies)
	}
	var selected string
	if err := chromedp.Run(ctx, chromedp.Value(`#views-company`, &selected, chromedp.ByID)); err != nil {
		t.Fatal(err)
	}
	if selected != globex {
		t.Errorf("the company filter shows %q", selected)
	}
	viewsScreenshot(t, ctx, "search")
}

// TestIN5_AListAndItsCountsFollowChangesLive: the list and the sidebar are live regions; a
// conversation that arrives and an assignment show in an open inbox without a reload.
func TestIN5_AListAndItsCountsFollowChangesLive(t *testing.T) {
	w := newViewsWorld(t)
	ctx := w.browser(t)
	browsertest.FailOnPageErrors(t, ctx)
	var count string
	err := chromedp.Run(ctx,
		chromedp.Navigate(w.URL+"/inbox/views/all"),
		chromedp.WaitVisible(`#views-row-`+viewsID(w.outage.ID), chromedp.ByQuery),
		chromedp.WaitVisible(`html[data-live="on"]`, chromedp.ByQuery),
		chromedp.Evaluate(`document.querySelector('#views-nav a[href="/inbox/views/all"] .views-count').textContent`, &count),
	)
	if err != nil {
		t.Fatal(err)
	}
	if count != "6 open" {
		t.Fatalf("All counts %q", count)
	}
	news := w.start(t, w.jane, "The parcel came, but broken")
	err = chromedp.Run(ctx,
		chromedp.WaitVisible(`#views-row-`+viewsID(news.ID), chromedp.ByQuery),
		chromedp.Poll(`document.querySelector('#views-nav a[href="/inbox/views/all"] .views-count').textContent === "7 open"`, nil),
	)
	if err != nil {
		t.Fatalf("the new conversation does not show: %v", err)
	}
	if got := viewsBrowserRows(t, ctx); len(got) == 0 || got[0] != news.ID {
		t.Errorf("the newest is not first: %v", got)
	}
	// Assigned to Mia elsewhere: her count goes up.
	if _, err := w.d.Assign(w.ctx, news.ID, w.olive.ID, desk.ToAdmin, w.Mate.ID, ""); err != nil {
		t.Fatal(err)
	}
	err = chromedp.Run(ctx,
		chromedp.Poll(`document.querySelector('#views-nav a[href="/inbox/views/mine"] .views-count').textContent === "3 open"`, nil),
	)
	if err != nil {
		t.Fatalf("Mine's count does not follow: %v", err)
	}
}
