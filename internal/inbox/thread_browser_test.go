package inbox_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/helpdesk/helpdesk/internal/browsertest"
	"github.com/helpdesk/helpdesk/internal/conversation"
	"github.com/helpdesk/helpdesk/internal/ticket"
)

// thrBrowser is the env's browser, signed in; a script that throws or content the
// Content-Security-Policy blocks fails the test.
func thrBrowser(t *testing.T, e *env) context.Context {
	t.Helper()
	ctx := e.browser(t)
	browsertest.FailOnPageErrors(t, ctx)
	t.Cleanup(func() { // before the page errors are reported (cleanups run last first)
		if err := chromedp.Cancel(ctx); err != nil && !errors.Is(err, context.Canceled) {
			t.Logf("closing the browser: %v", err)
		}
	})
	return ctx
}

// thrIdle is true when htmx is done: no request in flight, nothing being swapped or settled
// (htmx sets up what it swapped in a moment later: a key pressed before is lost).
const thrIdle = `!document.querySelector(".htmx-request, .htmx-swapping, .htmx-settling, .htmx-added")`

// thrWaitText waits until the element sel shows text, and htmx is idle.
func thrWaitText(sel, text string) chromedp.Action {
	s, _ := json.Marshal(sel)
	x, _ := json.Marshal(text)
	return thrWaitTrue(fmt.Sprintf(`(function(){ var el = document.querySelector(%s); return !!el && el.textContent.includes(%s); })()`, s, x))
}

// thrWaitTrue waits until the expression is true, and htmx is idle.
func thrWaitTrue(expression string) chromedp.Action {
	var ok bool
	return chromedp.Poll("("+expression+") && "+thrIdle, &ok, chromedp.WithPollingTimeout(30*time.Second))
}

// thrRun runs the actions of one step, failing the test with the step's name and the page when
// they fail or take longer than a minute.
func thrRun(t *testing.T, ctx context.Context, what string, actions ...chromedp.Action) {
	t.Helper()
	step, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	if err := chromedp.Run(step, actions...); err != nil {
		var html string
		_ = chromedp.Run(ctx, chromedp.OuterHTML("main", &html, chromedp.ByQuery))
		if len(html) > 4000 {
			html = html[:4000]
		}
		t.Fatalf("%s: %v\n%s", what, err, html)
	}
}

// thrScreenshot saves the page for docs/ when HELPDESK_SCREENSHOTS=1.
func thrScreenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	if os.Getenv("HELPDESK_SCREENSHOTS") == "1" {
		browsertest.Screenshot(t, ctx, "../../docs/screenshots/inbox-thread-"+name+".png")
	}
}

func TestBO3_CrossPostWithCtrlShiftEnterInTheBrowser(t *testing.T) {
	e := start(t)
	id, conv := thrBackOffice(t, e, "Refund the double charge", "I was charged twice for order 1182")
	tk := thrLoadTicket(t, e, id)
	ctx := thrBrowser(t, e)

	thrRun(t, ctx, "open the Back-office ticket",
		chromedp.Navigate(fmt.Sprintf("%s/inbox/tickets/%d", e.URL, id)),
		chromedp.WaitVisible("#thread-composer-body", chromedp.ByID),
		thrWaitText("#thread-composer", "Cross-post note"),
	)
	thrRun(t, ctx, "type a note and press Ctrl+Shift+Enter",
		chromedp.Click("#thread-composer-body", chromedp.ByID),
		chromedp.SendKeys("#thread-composer-body", "Finance approved the refund", chromedp.ByID),
		chromedp.KeyEvent(kb.Enter, chromedp.KeyModifiers(input.ModifierCtrl, input.ModifierShift)),
		thrWaitText("#thread-timeline", "Finance approved the refund"),
	)
	var left string
	thrRun(t, ctx, "the composer is empty again", chromedp.Value("#thread-composer-body", &left, chromedp.ByID))
	if left != "" {
		t.Errorf("the composer still holds %q", left)
	}
	thrScreenshot(t, ctx, "backoffice-ticket")

	// The note is in the linked conversation, as a cross-posted internal note naming the ticket.
	thrRun(t, ctx, "open the linked conversation",
		chromedp.Navigate(fmt.Sprintf("%s/inbox/conversations/%d", e.URL, conv)),
		thrWaitText("#thread-timeline", "Finance approved the refund"),
		thrWaitText("#thread-timeline .thread-part-note .thread-from", fmt.Sprintf("Cross-posted from Back-office ticket #%d Refund the double charge", tk.Number)),
	)
	// BO12: Open in the Links previews the ticket beside the conversation.
	thrRun(t, ctx, "preview the linked ticket",
		chromedp.Click(`.thread-links button[hx-get]`, chromedp.ByQuery),
		thrWaitText("#thread-preview", "State: Submitted"),
		thrWaitText("#thread-preview", "Finance approved the refund"),
	)
	thrScreenshot(t, ctx, "conversation")
	thrRun(t, ctx, "close the preview",
		chromedp.Click(`[data-thread-preview-close]`, chromedp.ByQuery),
		thrWaitTrue(`document.getElementById("thread-preview").children.length === 0`),
	)
	parts, err := e.DB.Read().Parts(context.Background(), conv)
	if err != nil {
		t.Fatal(err)
	}
	if last := parts[len(parts)-1]; last.Type != conversation.PartNote || last.SourceTicketID != id {
		t.Errorf("the conversation's last part: %+v", last)
	}

	// Ctrl+Enter alone adds the note to the ticket only.
	thrRun(t, ctx, "Ctrl+Enter adds a note",
		chromedp.Navigate(fmt.Sprintf("%s/inbox/tickets/%d", e.URL, id)),
		chromedp.WaitVisible("#thread-composer-body", chromedp.ByID),
		chromedp.Click("#thread-composer-body", chromedp.ByID),
		chromedp.SendKeys("#thread-composer-body", "Only for us here", chromedp.ByID),
		chromedp.KeyEvent(kb.Enter, chromedp.KeyModifiers(input.ModifierCtrl)),
		thrWaitText("#thread-timeline", "Only for us here"),
	)
	if again, _ := e.DB.Read().Parts(context.Background(), conv); len(again) != len(parts) {
		t.Error("Ctrl+Enter cross-posted")
	}
}

func TestST2_StateButtonChangesStateAndTheLinkedConversationShowsTheEvent(t *testing.T) {
	e := start(t)
	id, conv := thrBackOffice(t, e, "Check the warehouse", "My parcel is missing")
	tk := thrLoadTicket(t, e, id)
	states := thrStates(t, e)
	ctx := thrBrowser(t, e)

	thrRun(t, ctx, "open the ticket",
		chromedp.Navigate(fmt.Sprintf("%s/inbox/tickets/%d", e.URL, id)),
		thrWaitText("#thread-state-button", "Submitted"),
	)
	thrRun(t, ctx, "choose In progress with the state button",
		chromedp.Click("#thread-state-button", chromedp.ByID),
		chromedp.WaitVisible(fmt.Sprintf(`#thread-state-menu button[value="%d"]`, states[ticket.InProgress]), chromedp.ByQuery),
		chromedp.Click(fmt.Sprintf(`#thread-state-menu button[value="%d"]`, states[ticket.InProgress]), chromedp.ByQuery),
		thrWaitText("#thread-state-button", "In progress"),
		thrWaitText("#thread-timeline", "changed the state from Submitted to In progress"),
	)
	if got := thrLoadTicket(t, e, id).State.Category; got != ticket.InProgress {
		t.Fatalf("state %s", got)
	}
	// BO4: the linked conversation shows the event, in words, with the internal labels.
	thrRun(t, ctx, "open the linked conversation",
		chromedp.Navigate(fmt.Sprintf("%s/inbox/conversations/%d", e.URL, conv)),
		thrWaitText("#thread-timeline", fmt.Sprintf("moved Back-office ticket #%d Check the warehouse from Submitted to In progress", tk.Number)),
	)
	// The keyboard reaches the state menu too: Escape closes it. (A live refresh of the head
	// may replace the button under the keys: then the keys are pressed again.)
	thrRun(t, ctx, "open the ticket again",
		chromedp.Navigate(fmt.Sprintf("%s/inbox/tickets/%d", e.URL, id)),
		thrWaitText("#thread-state-button", "In progress"),
	)
	for attempt := 1; ; attempt++ {
		step, cancel := context.WithTimeout(ctx, 5*time.Second)
		err := chromedp.Run(step,
			chromedp.Focus("#thread-state-button", chromedp.ByID),
			chromedp.KeyEvent(kb.Enter),
			thrWaitTrue(`document.getElementById("thread-state-menu").open`),
			chromedp.KeyEvent(kb.Escape),
			thrWaitTrue(`!document.getElementById("thread-state-menu").open && document.activeElement.id === "thread-state-button"`),
		)
		cancel()
		if err == nil {
			break
		}
		if attempt == 3 {
			t.Fatalf("the state menu by keyboard: %v", err)
		}
	}
}

func TestIN2_EditTitleAndDescriptionInPlaceInTheBrowser(t *testing.T) {
	e := start(t)
	ana := e.CreateContact("ana@example.com", "Ana Customer")
	typ := e.CreateTicketType("Delivery problem", ticket.Customer, nil,
		ticket.Attribute{Name: "Order number", DataType: ticket.Integer, VisibleOnCreate: true})
	id := thrTicket(t, e, typ, "Parcel never arrived", nil, ana)
	ctx := thrBrowser(t, e)
	page := fmt.Sprintf("%s/inbox/tickets/%d", e.URL, id)

	thrRun(t, ctx, "edit the title in place",
		chromedp.Navigate(page),
		chromedp.Click(`[data-thread-edit="title"]`, chromedp.ByQuery),
		chromedp.WaitVisible("#thread-title-input", chromedp.ByID),
		chromedp.KeyEvent("a", chromedp.KeyModifiers(input.ModifierCtrl)),
		chromedp.SendKeys("#thread-title-input", "Parcel lost by the carrier", chromedp.ByID),
		chromedp.KeyEvent(kb.Enter),
		thrWaitText("h1.thread-title", "Parcel lost by the carrier"),
	)
	thrRun(t, ctx, "edit the description with the toolbar",
		chromedp.Click(`.thread-rich-view`, chromedp.ByQuery),
		chromedp.WaitVisible("#thread-description-editor", chromedp.ByID),
		chromedp.Click("#thread-description-editor", chromedp.ByID),
		chromedp.KeyEvent("a", chromedp.KeyModifiers(input.ModifierCtrl)),
		chromedp.SendKeys("#thread-description-editor", "Left at the depot", chromedp.ByID),
		chromedp.KeyEvent("a", chromedp.KeyModifiers(input.ModifierCtrl)),
		chromedp.Click(`[data-thread-cmd="bold"]`, chromedp.ByQuery),
		chromedp.Click(`[data-thread-cmd="insertOrderedList"]`, chromedp.ByQuery),
		chromedp.Click(`form[data-thread-editor="description"] button[type="submit"]`, chromedp.ByQuery),
		thrWaitTrue(`!!document.querySelector(".thread-rich-view ol li b")`),
		thrWaitText(".thread-rich-view", "Left at the depot"),
	)
	tk := thrLoadTicket(t, e, id)
	if tk.Title != "Parcel lost by the carrier" || !strings.Contains(tk.Description, "<ol>") || !strings.Contains(tk.Description, "<b>Left at the depot</b>") {
		t.Errorf("stored: %q %q", tk.Title, tk.Description)
	}
	// A refused attribute shows the rule's message next to it; a reply being written stays.
	thrRun(t, ctx, "a bad attribute value",
		chromedp.SendKeys("#thread-composer-body", "A reply in the works", chromedp.ByID),
		chromedp.SendKeys(`input[name="value"]`, "twelve", chromedp.ByQuery),
		chromedp.KeyEvent(kb.Tab),
		thrWaitText(".thread-attr-refused", "must be an integer"),
		thrWaitTrue(`document.activeElement.getAttribute("aria-invalid") === "true" && document.activeElement.value === "twelve"`),
		thrWaitTrue(`document.getElementById("thread-composer-body").value === "A reply in the works"`),
	)
	thrScreenshot(t, ctx, "customer-ticket")
	if r := e.signedIn(t).get(strings.TrimPrefix(page, e.URL)); !strings.Contains(r.body, "Left at the depot") {
		t.Error("the page lost the description")
	}
}

// TestThread_LiveRefreshWaitsForAnOpenEditor: a change made elsewhere shows on an open ticket's
// page (IN5), but a region with an editor left open keeps it, and refreshes once it is closed.
func TestThread_LiveRefreshWaitsForAnOpenEditor(t *testing.T) {
	e := start(t)
	id, _ := thrBackOffice(t, e, "Check the warehouse", "My parcel is missing")
	states := thrStates(t, e)
	ctx := thrBrowser(t, e)

	thrRun(t, ctx, "open the ticket and its title's editor",
		chromedp.Navigate(fmt.Sprintf("%s/inbox/tickets/%d", e.URL, id)),
		thrWaitTrue(`document.documentElement.getAttribute("data-live") === "on"`),
		chromedp.Click(`[data-thread-edit="title"]`, chromedp.ByQuery),
		chromedp.WaitVisible("#thread-title-input", chromedp.ByID),
		chromedp.SendKeys("#thread-title-input", " (half typed)", chromedp.ByID),
		chromedp.Click(".thread-kicker", chromedp.ByQuery), // the focus leaves; the editor stays open
	)
	// Another teammate moves the ticket, through the API.
	e.MustDo(http.StatusOK, "PUT", fmt.Sprintf("/api/tickets/%d", id), map[string]any{
		"ticket_state_id": strconv.FormatInt(states[ticket.InProgress], 10)})
	thrRun(t, ctx, "the timeline shows it; the head keeps the editor",
		thrWaitText("#thread-timeline", "changed the state from Submitted to In progress"),
		thrWaitTrue(`document.getElementById("thread-title-input").value === "Check the warehouse (half typed)" && !document.querySelector('[data-thread-editor="title"]').hidden`),
		thrWaitTrue(`document.getElementById("thread-head").hasAttribute("data-thread-stale")`),
		thrWaitText("#thread-state-button", "Submitted"),
	)
	thrRun(t, ctx, "closing the editor refreshes the head",
		chromedp.Click(`[data-thread-editor="title"] [data-thread-cancel]`, chromedp.ByQuery),
		chromedp.Click("#thread-timeline", chromedp.ByID), // live.js waits for the focus to leave, too
		thrWaitText("#thread-state-button", "In progress"),
	)
}
