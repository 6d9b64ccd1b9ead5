package inbox_test

import (
	"context"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/helpdesk/helpdesk/internal/browsertest"
	"github.com/helpdesk/helpdesk/internal/ticket"
)

// TestIN5_CompanyAndContactPagesFollowARenameLive: with a company's page open, a rename through
// the API shows in its heading within seconds, without a reload; the same for a contact's page.
func TestIN5_CompanyAndContactPagesFollowARenameLive(t *testing.T) {
	e := start(t)
	refund := e.CreateTicketType("Refund", ticket.Customer, nil)
	ann := e.CreateContact("ann@acme.example", "Ann Acme")
	acme := peopleCompany(t, e, "acme", "Acme", ann)
	peopleTicket(t, e, refund, ann, "Refund my order", nil) // the company's: a rename is told to its page
	annID := strconv.FormatInt(ann.ID, 10)

	ctx := e.browser(t)
	browsertest.FailOnPageErrors(t, ctx)
	for _, tc := range []struct {
		page, api string
		body      map[string]any
		want      string
	}{
		{"/inbox/companies/" + acme, "/api/companies/" + acme, map[string]any{"name": "Acme Corporation"}, "Acme Corporation"},
		{"/inbox/contacts/" + annID, "/api/contacts/" + annID, map[string]any{"name": "Ann Smith"}, "Ann Smith"},
	} {
		var marker bool
		err := chromedp.Run(ctx,
			chromedp.Navigate(e.URL+tc.page),
			chromedp.WaitVisible(`#people-head h1`, chromedp.ByQuery),
			chromedp.WaitVisible(`html[data-live="on"]`, chromedp.ByQuery),
			// A mark on the page: it must still be there after the update (no reload).
			chromedp.Evaluate(`window.notReloaded = true`, nil),
		)
		if err != nil {
			t.Fatalf("%s: %v", tc.page, err)
		}
		e.MustDo(http.StatusOK, "PUT", tc.api, tc.body)
		wait, cancel := context.WithTimeout(ctx, 8*time.Second)
		err = chromedp.Run(wait,
			chromedp.Poll(`document.querySelector('#people-head h1').textContent === `+strconv.Quote(tc.want), nil),
			chromedp.Evaluate(`window.notReloaded === true`, &marker),
		)
		cancel()
		if err != nil {
			t.Fatalf("%s: the heading does not follow the rename: %v", tc.page, err)
		}
		if !marker {
			t.Errorf("%s: the page reloaded", tc.page)
		}
	}
}
