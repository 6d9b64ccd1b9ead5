package inbox_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"

	"github.com/helpdesk/helpdesk/internal/browsertest"
)

// A teammate with many Inbox tabs: browsers give a server six connections over HTTP/1.1, and
// every open Inbox page listens to a stream. A page out of sight lets its stream go, so that
// the tenth tab loads and goes live as well as the first; shown again, a page catches up on
// what changed meanwhile.
func TestIN5_ManyTabsStayLive(t *testing.T) {
	e := start(t)
	first := e.browser(t)
	browsertest.FailOnPageErrors(t, first)
	live := `html[data-live="on"] header.top`
	if err := chromedp.Run(first, chromedp.Navigate(e.URL+"/inbox/views/all"), chromedp.WaitVisible(live, chromedp.ByQuery)); err != nil {
		t.Fatal(err)
	}
	tabs := []context.Context{first}
	for i := 2; i <= 10; i++ {
		tab := browsertest.NewTab(t, first)
		ctx, cancel := context.WithTimeout(tab, 20*time.Second)
		err := chromedp.Run(ctx,
			chromedp.ActionFunc(func(ctx context.Context) error {
				return target.ActivateTarget(chromedp.FromContext(ctx).Target.TargetID).Do(ctx)
			}),
			chromedp.Navigate(e.URL+"/inbox/views/all"), chromedp.WaitVisible(live, chromedp.ByQuery))
		cancel()
		if err != nil {
			var states string
			for j, tb := range tabs {
				var s, v string
				_ = chromedp.Run(tb, chromedp.Evaluate(`document.documentElement.getAttribute('data-live')`, &s),
					chromedp.Evaluate(`document.visibilityState`, &v))
				states += fmt.Sprintf(" tab %d: %s %s;", j+1, s, v)
			}
			t.Fatalf("tab %d did not load and go live: %v;%s", i, err, states)
		}
		tabs = append(tabs, tab)
	}
	var state string
	if err := chromedp.Run(first, chromedp.Evaluate(`document.documentElement.getAttribute('data-live')+' '+document.visibilityState`, &state)); err != nil {
		t.Fatal(err)
	}
	t.Logf("the first tab, out of sight: %s", state)

	// A conversation arrives while the first tab is out of sight; shown again, it lists it.
	ada := e.CreateContact("ada@example.com", "Ada")
	e.MustDo(http.StatusOK, "POST", "/api/conversations", map[string]any{"from": map[string]any{"type": "user", "id": fmt.Sprint(ada.ID)},
		"body": "Arrived while the tab was hidden"})
	ctx, cancel := context.WithTimeout(first, 15*time.Second)
	defer cancel()
	err := chromedp.Run(ctx,
		chromedp.ActionFunc(func(ctx context.Context) error {
			return target.ActivateTarget(chromedp.FromContext(ctx).Target.TargetID).Do(ctx)
		}),
		chromedp.WaitVisible(`//main[contains(., "Arrived while the tab was hidden")]`, chromedp.BySearch),
		chromedp.WaitVisible(live, chromedp.ByQuery))
	if err != nil {
		t.Fatalf("the first tab, shown again, did not catch up: %v", err)
	}
}
