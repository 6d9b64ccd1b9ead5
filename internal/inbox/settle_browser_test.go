package inbox_test

import (
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"
)

// The browser itself sometimes puts a style attribute on a field (autofill does). htmx must not
// copy it onto the new content when it settles a swap: setting a style attribute from a script
// is what the pages' Content-Security-Policy forbids, and each copy was a violation logged.
func TestInbox_SwapsDoNotCopyStyleAttributes(t *testing.T) {
	e := start(t)
	ctx := thrFixBrowser(t, e)
	var settled []string
	thrRun(t, ctx, "htmx's settings",
		chromedp.Navigate(fmt.Sprintf("%s/inbox", e.URL)),
		chromedp.WaitVisible("header.top", chromedp.ByQuery),
		chromedp.Evaluate(`htmx.config.attributesToSettle`, &settled))
	for _, a := range settled {
		if a == "style" {
			t.Errorf("htmx copies style attributes when it settles: %v", settled)
		}
	}
	if len(settled) == 0 {
		t.Error("htmx settles no attribute at all: the page's htmx-config was not read as meant")
	}
}
