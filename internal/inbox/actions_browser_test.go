package inbox_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/helpdesk/helpdesk/internal/browsertest"
	"github.com/helpdesk/helpdesk/internal/ticket"
)

// actStep runs browser actions, failing the test with what it was doing.
func actStep(t *testing.T, ctx context.Context, what string, actions ...chromedp.Action) {
	t.Helper()
	if err := chromedp.Run(ctx, actions...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// actWaitPath waits until the browser is on path.
func actWaitPath(t *testing.T, ctx context.Context, path string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	var at string
	for time.Now().Before(deadline) {
		if err := chromedp.Run(ctx, chromedp.Evaluate(`location.pathname`, &at)); err == nil && at == path {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("browser at %q, want %q", at, path)
}

// actWaitJS waits until the JavaScript expression cond is true.
func actWaitJS(t *testing.T, ctx context.Context, what, cond string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		var ok bool
		if err := chromedp.Run(ctx, chromedp.Evaluate(`!!(`+cond+`)`, &ok)); err == nil && ok {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s: not within 30s", what)
}

// actHTMXReady is a condition that htmx has taken in the element sel (it does as content
// settles, a moment after it shows): a click before then would submit the form the old way.
func actHTMXReady(sel string) string {
	return `document.querySelector(` + strconv.Quote(sel) + `) && document.querySelector(` + strconv.Quote(sel) + `)["htmx-internal-data"]`
}

// actScreenshot saves the page for docs/ when HELPDESK_SCREENSHOTS=1.
func actScreenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	if os.Getenv("HELPDESK_SCREENSHOTS") != "1" {
		return
	}
	dir := filepath.Join("..", "..", "docs", "screenshots")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	browsertest.Screenshot(t, ctx, filepath.Join(dir, "inbox-actions-"+name+".png"))
}

func TestTR4_LinkConversationsToATrackerAndBroadcastInTheBrowser(t *testing.T) {
	e := start(t)
	e.CreateTicketType("Outage", ticket.Tracker, nil)
	_, conv1 := actConversation(t, e, "ada@example.com", "Ada Lovelace", "Checkout fails with an error")
	_, conv2 := actConversation(t, e, "bob@example.com", "Bob Baker", "I cannot pay for my basket")
	ctx := e.browser(t)
	browsertest.FailOnPageErrors(t, ctx)

	// From the first conversation: a new tracker, linked to it.
	actStep(t, ctx, "open Link to tracker",
		chromedp.Navigate(e.URL+"/inbox/conversations/"+actItoa(conv1)+"/tracker"),
		chromedp.WaitVisible("#action-title", chromedp.ByID),
		chromedp.SendKeys("#action-title", "Checkout outage", chromedp.ByID),
		chromedp.SendKeys("#action-description", "Payments fail since 9:00", chromedp.ByID),
	)
	actScreenshot(t, ctx, "link-to-tracker")
	actStep(t, ctx, "create the tracker", chromedp.Click(`//button[normalize-space()="Create tracker and link"]`, chromedp.BySearch))
	var trackerPath string
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if err := chromedp.Run(ctx, chromedp.Evaluate(`location.pathname`, &trackerPath)); err == nil && actNewTicket.MatchString(trackerPath) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	m := actNewTicket.FindStringSubmatch(trackerPath)
	if m == nil {
		t.Fatalf("after creating the tracker the browser is at %q", trackerPath)
	}
	trackerID := m[1]

	// From the second: the existing tracker, found by its title.
	actStep(t, ctx, "search trackers",
		chromedp.Navigate(e.URL+"/inbox/conversations/"+actItoa(conv2)+"/tracker"),
		chromedp.WaitVisible("#action-q", chromedp.ByID),
		chromedp.SendKeys("#action-q", "checkout\n", chromedp.ByID),
	)
	// The search is a page of its own (the list before it had the tracker too).
	actWaitJS(t, ctx, "the search's page", `new URLSearchParams(location.search).get("q") === "checkout" && document.readyState === "complete"`)
	actStep(t, ctx, "search results", chromedp.WaitVisible(`button[aria-label^="Link to Tracker ticket #"]`, chromedp.ByQuery))
	actStep(t, ctx, "link", chromedp.Click(`button[aria-label^="Link to Tracker ticket #"]`, chromedp.ByQuery))
	actWaitPath(t, ctx, "/inbox/conversations/"+actItoa(conv2))

	// The tracker's page lists both, with their customers; its fragment is loaded by the page
	// (or, opened alone, is a page of its own).
	actStep(t, ctx, "open the tracker", chromedp.Navigate(e.URL+"/inbox/tickets/"+trackerID))
	fragment := "#tracker-" + trackerID
	wait, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Run(wait, chromedp.WaitVisible(fragment, chromedp.ByQuery)); err != nil {
		t.Logf("the ticket page shows no tracker fragment (%v): opening the fragment's own page", err)
		actStep(t, ctx, "open the tracker's fragment", chromedp.Navigate(e.URL+"/inbox/tickets/"+trackerID+"/linked"),
			chromedp.WaitVisible(fragment, chromedp.ByQuery))
	}
	// (The list refreshes itself on changes, so it is read in one go, again until it is right.)
	list := `(document.querySelector(` + strconv.Quote(fragment+" .tracker-table tbody") + `) || {textContent: ""}).textContent`
	actWaitJS(t, ctx, "the linked list shows both conversations, their customers and states",
		list+`.includes("Ada Lovelace") && `+list+`.includes("Bob Baker") && `+list+`.includes("Open") && `+
			`document.querySelectorAll(`+strconv.Quote(fragment+" tr.tracker-row")+`).length === 2`)

	// Broadcast: the preview says whom it reaches, confirming posts it.
	body := "#tracker-body-" + trackerID
	actWaitJS(t, ctx, "htmx takes in the composer", actHTMXReady("#tracker-broadcast-"+trackerID+" form"))
	actStep(t, ctx, "write the update",
		chromedp.SendKeys(body, "Payments work again. Sorry for the trouble!", chromedp.ByQuery),
		chromedp.Click(fragment+` button[value="preview"]`, chromedp.ByQuery),
		chromedp.WaitVisible(fragment+" .tracker-preview", chromedp.ByQuery))
	// The preview has the focus once it has settled.
	actWaitJS(t, ctx, "the preview has the focus", `document.activeElement && document.activeElement.classList.contains("tracker-preview")`)
	var preview string
	actStep(t, ctx, "read the preview", chromedp.Text(fragment+" .tracker-preview", &preview, chromedp.ByQuery))
	if !strings.Contains(preview, "2 conversations and tickets") || !strings.Contains(preview, "2 customers") {
		t.Errorf("preview: %q", preview)
	}
	actScreenshot(t, ctx, "tracker-broadcast-preview")
	var done string
	actStep(t, ctx, "confirm",
		chromedp.Click(fragment+` button[value="confirm"]`, chromedp.ByQuery),
		chromedp.WaitVisible(fragment+" .tracker-broadcast .ok", chromedp.ByQuery),
		chromedp.Text(fragment+" .tracker-broadcast .ok", &done, chromedp.ByQuery))
	if done != "Broadcast to 2 conversations and tickets." {
		t.Errorf("after the broadcast: %q", done)
	}
	// The outcome has the focus, for a keyboard or screen reader user (after htmx settles).
	var focused string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if err := chromedp.Run(ctx, chromedp.Evaluate(`document.activeElement ? document.activeElement.textContent : ""`, &focused)); err == nil && focused == done {
			break
		}
	}
	if focused != done {
		t.Errorf("focus after the broadcast is on %q", focused)
	}
	actScreenshot(t, ctx, "tracker")

	// Each linked conversation got the update as a comment its customer sees.
	for _, id := range []int64{conv1, conv2} {
		conv := e.MustDo(http.StatusOK, "GET", "/api/conversations/"+actItoa(id), nil)
		parts, _ := conv["conversation_parts"].(map[string]any)["conversation_parts"].([]any)
		found := false
		for _, p := range parts {
			p := p.(map[string]any)
			if p["part_type"] == "comment" && p["body"] == "<p>Payments work again. Sorry for the trouble!</p>" {
				found = true
			}
		}
		if !found {
			t.Errorf("conversation %d has no broadcast comment: %s", id, fmt.Sprint(parts))
		}
	}
}

func TestBO1_CreateBackOfficeTicketInTheBrowser(t *testing.T) {
	e := start(t)
	typ := e.CreateTicketType("Refund approval", ticket.BackOffice, actShareable(),
		ticket.Attribute{Name: "Order number", DataType: ticket.Integer, RequiredToCreate: true, VisibleOnCreate: true})
	e.CreateTicketType("Fraud investigation", ticket.BackOffice, nil)
	ada, conv := actConversation(t, e, "ada@example.com", "Ada Lovelace", "My parcel arrived broken")
	actCompany(t, e, "acme", "Acme", ada)
	ctx := e.browser(t)
	browsertest.FailOnPageErrors(t, ctx)

	// Choosing the type shows its fields, with the share choice it allows, in place: the focus
	// stays on the type.
	actStep(t, ctx, "open the form",
		chromedp.Navigate(e.URL+"/inbox/conversations/"+actItoa(conv)+"/back-office/new"),
		chromedp.WaitVisible("#action-type", chromedp.ByID),
		chromedp.Focus("#action-type", chromedp.ByID),
		chromedp.SetValue("#action-type", actItoa(typ.ID), chromedp.ByID), // and dispatches "change"
		chromedp.WaitVisible("#action-title", chromedp.ByID))
	actWaitJS(t, ctx, "the type keeps the focus", `document.activeElement && document.activeElement.id === "action-type"`)
	actWaitJS(t, ctx, "the URL says which type", `new URLSearchParams(location.search).get("type_id") === `+strconv.Quote(actItoa(typ.ID)))
	actStep(t, ctx, "fill it in",
		chromedp.SendKeys("#action-title", "Refund the broken parcel", chromedp.ByID),
		chromedp.SendKeys(`[name="attr.Order number"]`, "4711", chromedp.ByQuery),
		chromedp.Click("#action-shared", chromedp.ByID))
	var company string
	actStep(t, ctx, "read the company", chromedp.Evaluate(`document.getElementById("action-company").selectedOptions[0].textContent`, &company))
	if company != "Acme" {
		t.Errorf("company chosen: %q, want Acme (CO3)", company)
	}
	actScreenshot(t, ctx, "create-back-office-ticket")
	actStep(t, ctx, "create", chromedp.Click(`//button[normalize-space()="Create back-office ticket"]`, chromedp.BySearch))
	var at string
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if err := chromedp.Run(ctx, chromedp.Evaluate(`location.pathname`, &at)); err == nil && actNewTicket.MatchString(at) {
			break
		}
	}
	m := actNewTicket.FindStringSubmatch(at)
	if m == nil {
		t.Fatalf("after creating, the browser is at %q", at)
	}
	id, _ := strconv.ParseInt(m[1], 10, 64)
	tk, err := e.DB.Read().Ticket(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if tk.Title != "Refund the broken parcel" || !tk.IsShared || tk.Attributes["Order number"] != float64(4711) {
		t.Errorf("created %+v", tk)
	}
}

func TestTT2_ChoosingATypeKeepsWhatWasTypedOutOfTheAddressBarInTheBrowser(t *testing.T) {
	e := start(t)
	first := e.CreateTicketType("Order problem", ticket.Customer, nil)
	second := e.CreateTicketType("Refund request", ticket.Customer, nil)
	tracker := e.CreateTicketType("Outage", ticket.Tracker, nil)
	e.CreateTicketType("Bug", ticket.Tracker, nil)
	_, conv := actConversation(t, e, "ada@example.com", "Ada Lovelace", "My card was charged twice")
	ctx := e.browser(t)
	browsertest.FailOnPageErrors(t, ctx)

	// Convert: the title starts as the conversation's opening; choosing a type, then another
	// after typing, shows the type in the address bar and nothing that was typed.
	actStep(t, ctx, "open Convert to ticket",
		chromedp.Navigate(e.URL+"/inbox/conversations/"+actItoa(conv)+"/convert"),
		chromedp.WaitVisible("#action-type", chromedp.ByID))
	actWaitJS(t, ctx, "htmx takes in the type", actHTMXReady("#action-type"))
	actStep(t, ctx, "choose a type",
		chromedp.SetValue("#action-type", actItoa(first.ID), chromedp.ByID),
		chromedp.WaitVisible("#action-title", chromedp.ByID))
	actWaitJS(t, ctx, "the address has the type", `location.search === "?type_id=`+actItoa(first.ID)+`"`)
	actStep(t, ctx, "type a description and choose another type",
		chromedp.SendKeys("#action-description", "Card ending 4242", chromedp.ByID),
		chromedp.SetValue("#action-type", actItoa(second.ID), chromedp.ByID))
	actWaitJS(t, ctx, "the address has the other type only", `location.search === "?type_id=`+actItoa(second.ID)+`"`)
	var description string
	actStep(t, ctx, "read the description", chromedp.Value("#action-description", &description, chromedp.ByID))
	if description != "Card ending 4242" {
		t.Errorf("the description typed became %q", description)
	}

	// New tracker: the category stays, in the form and the address bar.
	actStep(t, ctx, "open New tracker",
		chromedp.Navigate(e.URL+"/inbox/tickets/new?category=Tracker"),
		chromedp.WaitVisible("#action-type", chromedp.ByID))
	actWaitJS(t, ctx, "htmx takes in the type", actHTMXReady("#action-type"))
	actStep(t, ctx, "choose a tracker type",
		chromedp.SetValue("#action-type", actItoa(tracker.ID), chromedp.ByID),
		chromedp.WaitVisible("#action-title", chromedp.ByID))
	actWaitJS(t, ctx, "the address has the category and the type",
		`location.search === "?category=Tracker&type_id=`+actItoa(tracker.ID)+`"`)
	actStep(t, ctx, "create the tracker",
		chromedp.SendKeys("#action-title", "Checkout down", chromedp.ByID),
		chromedp.Click(`//button[normalize-space()="Create ticket"]`, chromedp.BySearch))
	var at string
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if err := chromedp.Run(ctx, chromedp.Evaluate(`location.pathname`, &at)); err == nil && actNewTicket.MatchString(at) {
			break
		}
	}
	m := actNewTicket.FindStringSubmatch(at)
	if m == nil {
		t.Fatalf("after creating, the browser is at %q", at)
	}
	id, _ := strconv.ParseInt(m[1], 10, 64)
	if tk, err := e.DB.Read().Ticket(context.Background(), id); err != nil || tk.Category != ticket.Tracker || tk.Title != "Checkout down" {
		t.Errorf("created %+v %v", tk, err)
	}
}
