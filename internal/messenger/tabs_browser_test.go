package messenger_test

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"

	"github.com/helpdesk/helpdesk/internal/browsertest"
	"github.com/helpdesk/helpdesk/internal/ticket"
)

// A customer with the product open in many tabs, each with its Messenger: browsers give our
// server six connections over HTTP/1.1, and every Messenger listens to a stream. One out of
// sight lets its stream go, so that the tenth tab's Messenger works as the first's; shown
// again, a Messenger catches up (the badge).
func TestM3_ManyTabsWithTheMessenger(t *testing.T) {
	e := start(t)
	question := e.CreateTicketType("Question", ticket.Customer, nil)
	casey := e.signInContact("u-1", "casey@example.com", "Casey")
	e.createTicket(question, casey, "Parcel never arrived", "Ordered on Monday.", nil)
	page := host(t, e, e.jwt("u-1", "casey@example.com", "Casey"))

	first := browser(t)
	if err := chromedp.Run(first, chromedp.Navigate(page), chromedp.WaitVisible("#helpdesk-launcher", chromedp.ByQuery)); err != nil {
		t.Fatal(err)
	}
	launcherCount(t, first, 1, 20*time.Second)
	activate := chromedp.ActionFunc(func(ctx context.Context) error {
		return target.ActivateTarget(chromedp.FromContext(ctx).Target.TargetID).Do(ctx)
	})
	for i := 2; i <= 10; i++ {
		tab := browsertest.NewTab(t, first)
		if err := chromedp.Run(tab, activate, chromedp.Navigate(page), chromedp.WaitVisible("#helpdesk-launcher", chromedp.ByQuery)); err != nil {
			t.Fatal(err)
		}
		launcherCount(t, tab, 1, 20*time.Second)
	}
	e.createTicket(question, casey, "Refund for order 7", "Damaged.", nil) // a second unseen thread
	if err := chromedp.Run(first, activate); err != nil {
		t.Fatal(err)
	}
	launcherCount(t, first, 2, 20*time.Second)
}
