package portal_test

import (
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/helpdesk/helpdesk/internal/browsertest"
)

// screenshots is where HELPDESK_SCREENSHOTS=1 saves the portal's pictures for the docs.
const screenshots = "../../docs/screenshots"

func TestP1_PortalInARealBrowser(t *testing.T) {
	w := newWorld(t)
	ctx := browsertest.New(t)
	shot := func(name string) {}
	if os.Getenv("HELPDESK_SCREENSHOTS") == "1" {
		if err := os.MkdirAll(screenshots, 0o755); err != nil {
			t.Fatal(err)
		}
		shot = func(name string) {
			// Quality 100 makes chromedp capture a PNG (browsertest.Screenshot's 90 gives a JPEG).
			var png []byte
			if err := chromedp.Run(ctx, chromedp.FullScreenshot(&png, 100)); err != nil {
				t.Fatalf("screenshot %s: %v", name, err)
			}
			if err := os.WriteFile(filepath.Join(screenshots, "portal-"+name+".png"), png, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	run := func(what string, actions ...chromedp.Action) {
		t.Helper()
		if err := chromedp.Run(ctx, actions...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}

	// Bob follows his product's link to the portal: he sees every ticket of Acme.
	var loc, list, cookies, buttonColour string
	var rows int
	run("sign in",
		chromedp.Navigate(w.e.URL+"/portal/login?jwt="+url.QueryEscape(w.jwt("bob", "bob@acme.example", "Bob Baker"))),
		chromedp.WaitVisible("table.tickets", chromedp.ByQuery),
		chromedp.Location(&loc),
		chromedp.Text("table.tickets", &list, chromedp.ByQuery),
		chromedp.Evaluate(`document.querySelectorAll("tr.ticket").length`, &rows),
		chromedp.Evaluate(`document.cookie`, &cookies),
	)
	if loc != w.e.URL+"/portal" {
		t.Errorf("after signing in the browser is at %s, want /portal (no token in the address bar)", loc)
	}
	for _, x := range []tk{w.annRefund, w.bobInvoice, w.sharedBO} {
		if !strings.Contains(list, x.Title) || !strings.Contains(list, "#"+x.Number) {
			t.Errorf("the list lacks #%s %q:\n%s", x.Number, x.Title, list)
		}
	}
	if rows != 3 || strings.Contains(list, w.globexDelay.Title) || strings.Contains(list, w.unsharedBO.Title) {
		t.Errorf("the list has %d rows:\n%s", rows, list)
	}
	if cookies != "" {
		t.Errorf("the session cookie is readable by scripts: %q", cookies)
	}
	shot("list")

	// One state at a time.
	run("filter",
		chromedp.Click(`a.tab[href="/portal?state=in_progress"]`, chromedp.ByQuery),
		chromedp.WaitVisible(`a.tab.current[href="/portal?state=in_progress"]`, chromedp.ByQuery),
		chromedp.Evaluate(`document.querySelectorAll("tr.ticket").length`, &rows),
		chromedp.Text("table.tickets", &list, chromedp.ByQuery),
	)
	if rows != 1 || !strings.Contains(list, w.bobInvoice.Title) {
		t.Errorf("In progress shows %d rows:\n%s", rows, list)
	}
	shot("filter")

	// Ann's ticket, which Bob's colleague raised: its details, then joining its conversation.
	var state, number, attrs, history, href string
	var ok bool
	run("open a ticket",
		chromedp.Click(`a.tab[href="/portal"]`, chromedp.ByQuery),
		chromedp.WaitVisible(`a.tab.current[href="/portal"]`, chromedp.ByQuery),
		chromedp.Click(`a[href="/portal/tickets/`+w.annRefund.ID+`"]`, chromedp.ByQuery),
		chromedp.WaitVisible("#state", chromedp.ByQuery),
		chromedp.Text("#state", &state, chromedp.ByQuery),
		chromedp.Text("#number", &number, chromedp.ByQuery),
		chromedp.Text("#attributes", &attrs, chromedp.ByQuery),
		chromedp.Text("#history", &history, chromedp.ByQuery),
		chromedp.Evaluate(`getComputedStyle(document.querySelector("#join")).backgroundColor`, &buttonColour),
	)
	if state != "Waiting on you" || number != "#"+w.annRefund.Number || !strings.Contains(attrs, "A-1001") ||
		strings.Contains(attrs, internalAttribute) || !strings.Contains(history, "Submitted") {
		t.Errorf("ticket page: state %q, number %q, attributes %q, history %q", state, number, attrs, history)
	}
	if buttonColour == "" || buttonColour == "rgba(0, 0, 0, 0)" {
		t.Errorf("the stylesheet did not apply (button background %q)", buttonColour)
	}
	shot("ticket")

	run("join",
		chromedp.Click("#join", chromedp.ByQuery),
		chromedp.WaitVisible(".notice", chromedp.ByQuery),
		chromedp.AttributeValue("#send-message", "href", &href, &ok, chromedp.ByQuery),
	)
	if !ok || !strings.HasPrefix(href, "/messenger/s/hdc_") || !strings.HasSuffix(href, "/c/"+w.annRefund.ID) {
		t.Errorf("after joining, Send us a message links to %q", href)
	}
	if !threadsOf(t, w.e.DB.Read(), contactID(t, w, "bob"))[mustInt(t, w.annRefund.ID)] {
		t.Errorf("after joining in the browser, Bob's Messenger lacks the ticket")
	}
	shot("joined")

	// Someone whose company has no tickets is told so.
	var msg string
	run("refusal",
		chromedp.Navigate(w.e.URL+"/portal/login?jwt="+url.QueryEscape(w.jwt("fay", "fay@umbrella.example", "Fay Fox"))),
		chromedp.WaitVisible("#message", chromedp.ByQuery),
		chromedp.Text("#message", &msg, chromedp.ByQuery),
	)
	if !strings.Contains(msg, "There are no tickets for Umbrella") {
		t.Errorf("refusal says %q", msg)
	}
	shot("refused")
}
