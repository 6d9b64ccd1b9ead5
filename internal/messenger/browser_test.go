package messenger_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/chromedp"

	"github.com/helpdesk/helpdesk/internal/browsertest"
	"github.com/helpdesk/helpdesk/internal/ticket"
)

// host serves the customer's own product: a page on another origin that embeds the Messenger
// with one script tag (M1), signed in as the user of jwt.
func host(t *testing.T, e *env, jwt string) string {
	t.Helper()
	page := `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Acme</title>
<style>body{font:16px system-ui,sans-serif;margin:0;background:#fafafa}header{background:#222;color:#fff;padding:1rem 2rem}main{padding:2rem}</style></head>
<body><header><strong>Acme</strong> dashboard</header><main><h1>Welcome back</h1><p>Your orders and invoices are below.</p></main>
<script src="` + e.URL + `/messenger.js" data-user-jwt="` + jwt + `" async></script></body></html>`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(page))
	}))
	t.Cleanup(srv.Close)
	if strings.TrimPrefix(srv.URL, "http://") == strings.TrimPrefix(e.URL, "http://") {
		t.Fatal("the host page must be on another origin")
	}
	return srv.URL
}

// browser starts a browser for the test, closed gracefully when the test ends (Chromium then
// finishes writing its profile before the profile's directory is removed).
// Scripts that throw and content the Content-Security-Policy blocks fail the test.
func browser(t *testing.T) context.Context {
	t.Helper()
	ctx := browsertest.New(t)
	browsertest.FailOnPageErrors(t, ctx)
	t.Cleanup(func() {
		if err := chromedp.Cancel(ctx); err != nil && !errors.Is(err, context.Canceled) {
			t.Logf("closing the browser: %v", err)
		}
	})
	return ctx
}

// messengerFrame is the Messenger's iframe as the browser has it now: its node is fetched anew
// for each query, since the frame navigates (signing in, then its pages).
func messengerFrame(ctx context.Context) (*cdp.Node, error) {
	var nodes []*cdp.Node
	qctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if err := chromedp.Run(qctx, chromedp.Nodes("#helpdesk-messenger", &nodes, chromedp.ByQuery)); err != nil {
		return nil, err
	}
	return nodes[0], nil
}

// inFrame runs actions made for the Messenger's frame, retrying for up to timeout (the frame
// may be navigating), and fails the test when they never succeed.
func inFrame(t *testing.T, ctx context.Context, what string, timeout time.Duration, actions func(frame *cdp.Node) []chromedp.Action) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	var last error
	for time.Now().Before(deadline) {
		frame, err := messengerFrame(ctx)
		if err == nil {
			actx, cancel := context.WithTimeout(ctx, 5*time.Second)
			err = chromedp.Run(actx, actions(frame)...)
			cancel()
			if err == nil {
				return
			}
		}
		last = err
		if ctx.Err() != nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("%s: not within %s: %v", what, timeout, last)
}

// frameText waits until the frame's element sel holds want.
func frameText(t *testing.T, ctx context.Context, sel, want string, timeout time.Duration) {
	t.Helper()
	inFrame(t, ctx, fmt.Sprintf("%s shows %q", sel, want), timeout, func(frame *cdp.Node) []chromedp.Action {
		var text string
		return []chromedp.Action{
			chromedp.Text(sel, &text, chromedp.ByQuery, chromedp.FromNode(frame)),
			chromedp.ActionFunc(func(context.Context) error {
				if !strings.Contains(text, want) {
					return fmt.Errorf("%s is %q", sel, text)
				}
				return nil
			}),
		}
	})
}

// clickInFrame clicks the frame's element sel.
func clickInFrame(t *testing.T, ctx context.Context, sel string) {
	t.Helper()
	inFrame(t, ctx, "click "+sel, 20*time.Second, func(frame *cdp.Node) []chromedp.Action {
		return []chromedp.Action{chromedp.Click(sel, chromedp.ByQuery, chromedp.FromNode(frame))}
	})
}

// launcherCount waits until the launcher's badge says n.
func launcherCount(t *testing.T, ctx context.Context, n int, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	var got string
	for time.Now().Before(deadline) {
		var ok bool
		err := chromedp.Run(ctx, chromedp.AttributeValue("#helpdesk-launcher", "data-count", &got, &ok, chromedp.ByQuery))
		if err == nil && got == strconv.Itoa(n) {
			var label, badge string
			if err := chromedp.Run(ctx, chromedp.AttributeValue("#helpdesk-launcher", "aria-label", &label, &ok, chromedp.ByQuery),
				chromedp.Text("#helpdesk-badge", &badge, chromedp.ByQuery)); err != nil {
				t.Fatal(err)
			}
			if n > 0 && (!strings.Contains(label, strconv.Itoa(n)+" unread") || badge != strconv.Itoa(n)) {
				t.Errorf("launcher label %q, badge %q, want %d", label, badge, n)
			}
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("launcher badge: %q, want %d within %s", got, n, timeout)
}

// screenshot saves the page for docs/ when HELPDESK_SCREENSHOTS=1.
func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	if os.Getenv("HELPDESK_SCREENSHOTS") != "1" {
		return
	}
	dir := filepath.Join("..", "..", "docs", "screenshots")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	browsertest.Screenshot(t, ctx, filepath.Join(dir, "messenger-"+name+".png"))
}

func TestM1_MessengerEmbedsWithOneScriptTagAndSignsTheUserIn(t *testing.T) {
	e := start(t)
	question := e.CreateTicketType("Question", ticket.Customer, nil)
	casey := e.signInContact("u-1", "casey@example.com", "Casey")
	e.createTicket(question, casey, "My invoice is wrong", "The total counts shipping twice.", nil)
	page := host(t, e, e.jwt("u-1", "casey@example.com", "Casey"))

	ctx := browser(t)
	if err := chromedp.Run(ctx, chromedp.Navigate(page), chromedp.WaitVisible("#helpdesk-launcher", chromedp.ByQuery)); err != nil {
		t.Fatal(err)
	}
	// Signed in while closed: the badge counts the submitted ticket.
	launcherCount(t, ctx, 1, 20*time.Second)
	var display string
	if err := chromedp.Run(ctx, chromedp.Evaluate(`getComputedStyle(document.getElementById('helpdesk-messenger')).display`, &display)); err != nil || display != "none" {
		t.Errorf("the Messenger is shown before it is opened: %q %v", display, err)
	}
	screenshot(t, ctx, "launcher")

	// Opening shows Home with Recent tickets.
	if err := chromedp.Run(ctx, chromedp.Click("#helpdesk-launcher", chromedp.ByQuery), chromedp.WaitVisible("#helpdesk-messenger", chromedp.ByQuery)); err != nil {
		t.Fatal(err)
	}
	var expanded string
	var ok bool
	if err := chromedp.Run(ctx, chromedp.AttributeValue("#helpdesk-launcher", "aria-expanded", &expanded, &ok, chromedp.ByQuery)); err != nil || expanded != "true" {
		t.Errorf("aria-expanded = %q", expanded)
	}
	frameText(t, ctx, ".hello", "Hi Casey", 20*time.Second)
	frameText(t, ctx, "[data-recent-tickets]", "My invoice is wrong", 30*time.Second)
	frameText(t, ctx, "[data-recent-tickets]", "Submitted", 30*time.Second)
	screenshot(t, ctx, "home")

	// The launcher closes it again, with the keyboard too.
	if err := chromedp.Run(ctx, chromedp.Focus("#helpdesk-launcher", chromedp.ByQuery), chromedp.KeyEvent("\r"),
		chromedp.WaitNotVisible("#helpdesk-messenger", chromedp.ByQuery)); err != nil {
		t.Fatalf("closing with the keyboard: %v", err)
	}

	// When the identity ends, so does the session: the open Messenger says so at once (the
	// event stream), and reloading it signs in again, which the expired identity cannot.
	if err := chromedp.Run(ctx, chromedp.Click("#helpdesk-launcher", chromedp.ByQuery)); err != nil {
		t.Fatal(err)
	}
	e.Clock.Advance(2 * time.Hour)
	frameText(t, ctx, "main", "Your session has ended", 30*time.Second)
	clickInFrame(t, ctx, "[data-reload]")
	frameText(t, ctx, "#signin-status", "the identity token has expired", 30*time.Second)
}

// TestM3_TeammateReplyArrivesLiveAndTheBadgeFollows: the customer opens a ticket in the
// Messenger; a teammate's reply arrives while it is open (server-sent events, no reload) and is
// seen at once, so the badge stays clear; closed, the next reply lights the badge up.
func TestM3_TeammateReplyArrivesLiveAndTheBadgeFollows(t *testing.T) {
	e := start(t)
	question := e.CreateTicketType("Question", ticket.Customer, nil)
	casey := e.signInContact("u-1", "casey@example.com", "Casey")
	id := e.createTicket(question, casey, "Parcel never arrived", "Ordered on Monday.", nil)
	page := host(t, e, e.jwt("u-1", "casey@example.com", "Casey"))

	ctx := browser(t)
	if err := chromedp.Run(ctx, chromedp.Navigate(page), chromedp.WaitVisible("#helpdesk-launcher", chromedp.ByQuery)); err != nil {
		t.Fatal(err)
	}
	launcherCount(t, ctx, 1, 20*time.Second)
	if err := chromedp.Run(ctx, chromedp.Click("#helpdesk-launcher", chromedp.ByQuery)); err != nil {
		t.Fatal(err)
	}
	frameText(t, ctx, "[data-recent-tickets]", "Parcel never arrived", 20*time.Second)
	clickInFrame(t, ctx, "[data-recent-tickets] a.item")
	frameText(t, ctx, "#ticket-card", "Parcel never arrived", 30*time.Second)
	frameText(t, ctx, "#timeline", "Ticket submitted", 30*time.Second)
	launcherCount(t, ctx, 0, 30*time.Second) // opened: seen

	// A teammate answers while the ticket is open: it arrives live, and is seen.
	e.ticketReply(id, "comment", "<p>It is on its way, sorry for the wait!</p>")
	frameText(t, ctx, "#timeline", "It is on its way, sorry for the wait!", 30*time.Second)
	e.setState(id, ticket.WaitingOnCustomer)
	frameText(t, ctx, "#ticket-card", "Waiting on you", 30*time.Second)
	frameText(t, ctx, "#timeline", "Status changed to Waiting on you", 5*time.Second)
	launcherCount(t, ctx, 0, 5*time.Second)
	screenshot(t, ctx, "ticket")

	// The customer answers from the reply box.
	inFrame(t, ctx, "type a reply", 30*time.Second, func(frame *cdp.Node) []chromedp.Action {
		return []chromedp.Action{
			chromedp.SendKeys("#reply-body", "Thanks, I will wait", chromedp.ByQuery, chromedp.FromNode(frame)),
			chromedp.Click(".composer button", chromedp.ByQuery, chromedp.FromNode(frame)),
		}
	})
	frameText(t, ctx, "#timeline", "Thanks, I will wait", 30*time.Second)
	deadline := time.Now().Add(10 * time.Second)
	for {
		tk := e.MustDo(http.StatusOK, "GET", "/api/tickets/"+id, nil)
		parts := tk["ticket_parts"].(map[string]any)["ticket_parts"].([]any)
		if last := parts[len(parts)-1].(map[string]any); last["body"] == "<p>Thanks, I will wait</p>" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the customer's reply did not reach the ticket")
		}
		time.Sleep(100 * time.Millisecond)
	}

	// Closed, the next reply is not seen: the badge counts it.
	if err := chromedp.Run(ctx, chromedp.Click("#helpdesk-launcher", chromedp.ByQuery), chromedp.WaitNotVisible("#helpdesk-messenger", chromedp.ByQuery)); err != nil {
		t.Fatal(err)
	}
	e.ticketReply(id, "comment", "<p>Tracking number: 123</p>")
	launcherCount(t, ctx, 1, 30*time.Second)
	screenshot(t, ctx, "badge")
	// Opening the Messenger again shows it and clears the badge.
	if err := chromedp.Run(ctx, chromedp.Click("#helpdesk-launcher", chromedp.ByQuery)); err != nil {
		t.Fatal(err)
	}
	frameText(t, ctx, "#timeline", "Tracking number: 123", 30*time.Second)
	launcherCount(t, ctx, 0, 30*time.Second)
	if err := ctx.Err(); err != nil && !errors.Is(err, context.Canceled) {
		t.Fatal(err)
	}
}

// TestCT3_TicketFormInTheBrowser: the form a teammate sent shows in the conversation; a
// required field left empty is refused with the problem next to it and what was typed kept;
// filled in, the ticket is created and shown at the top.
func TestCT3_TicketFormInTheBrowser(t *testing.T) {
	e := start(t)
	ret := e.CreateTicketType("Return", ticket.Customer, nil,
		ticket.Attribute{Name: "Order number", DataType: ticket.String, VisibleToContacts: true, RequiredForContacts: true},
		ticket.Attribute{Name: "Reason", DataType: ticket.List, ListItems: []string{"Damaged", "Late"}, VisibleToContacts: true})
	casey := e.signInContact("u-1", "casey@example.com", "Casey")
	conv, _ := e.MustDo(http.StatusOK, "POST", "/api/conversations", map[string]any{
		"from": map[string]any{"type": "user", "id": casey}, "body": "<p>My vase arrived broken</p>"})["conversation_id"].(string)
	convID, _ := strconv.ParseInt(conv, 10, 64)
	if _, err := e.Server.Desk().SendTicketForm(context.Background(), convID, e.Admin.ID, ret.ID); err != nil {
		t.Fatal(err)
	}
	page := host(t, e, e.jwt("u-1", "casey@example.com", "Casey"))

	ctx := browser(t)
	if err := chromedp.Run(ctx, chromedp.Navigate(page), chromedp.WaitVisible("#helpdesk-launcher", chromedp.ByQuery),
		chromedp.Click("#helpdesk-launcher", chromedp.ByQuery)); err != nil {
		t.Fatal(err)
	}
	clickInFrame(t, ctx, `nav a[href$="/messages"]`)
	frameText(t, ctx, "main", "My vase arrived broken", 30*time.Second)
	clickInFrame(t, ctx, "main a.item")
	frameText(t, ctx, ".form-part", "Order number", 30*time.Second)

	// Submitted without the order number: refused next to the field, the title kept.
	inFrame(t, ctx, "fill the form", 30*time.Second, func(frame *cdp.Node) []chromedp.Action {
		return []chromedp.Action{
			chromedp.SendKeys(`.form-part input[type=text]`, "Broken vase", chromedp.ByQuery, chromedp.FromNode(frame)),
			chromedp.Click(".form-part button[type=submit]", chromedp.ByQuery, chromedp.FromNode(frame)),
		}
	})
	frameText(t, ctx, ".form-part .error", "Order number is required to create a Return ticket", 30*time.Second)
	inFrame(t, ctx, "the title is kept", 30*time.Second, func(frame *cdp.Node) []chromedp.Action {
		var v string
		return []chromedp.Action{
			chromedp.Value(`.form-part input[type=text]`, &v, chromedp.ByQuery, chromedp.FromNode(frame)),
			chromedp.ActionFunc(func(context.Context) error {
				if v != "Broken vase" {
					return fmt.Errorf("title %q", v)
				}
				return nil
			}),
		}
	})
	launcherCount(t, ctx, 0, 30*time.Second) // the form was news, seen when the conversation opened
	screenshot(t, ctx, "form")

	inFrame(t, ctx, "fill the order number", 30*time.Second, func(frame *cdp.Node) []chromedp.Action {
		return []chromedp.Action{
			chromedp.SendKeys(`.form-part input[aria-invalid=true]`, "A-1001", chromedp.ByQuery, chromedp.FromNode(frame)),
			chromedp.Click(".form-part button[type=submit]", chromedp.ByQuery, chromedp.FromNode(frame)),
		}
	})
	frameText(t, ctx, "#ticket-card", "Broken vase", 30*time.Second)
	frameText(t, ctx, ".form-part", "Submitted", 30*time.Second)
	if tk := e.MustDo(http.StatusOK, "GET", "/api/tickets/"+conv, nil); tk["ticket_attributes"].(map[string]any)["Order number"] != "A-1001" {
		t.Errorf("ticket attributes: %v", tk["ticket_attributes"])
	}
}
