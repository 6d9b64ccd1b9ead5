package inbox_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// A teammate closes a conversation with the header's button, which keeps the focus; when the
// customer then writes, the header follows live (open again, with Close), as the timeline does:
// a button just used is no work in progress that a refresh would disturb.
func TestIN5_TheHeaderFollowsAfterItsButtonWasUsed(t *testing.T) {
	e := start(t)
	ana := e.CreateContact("ana@example.com", "Ana Customer")
	conv := thrConversation(t, e, ana, "Where is my invoice?")
	ctx := thrFixBrowser(t, e)
	thrRun(t, ctx, "close with the header's button",
		chromedp.Navigate(fmt.Sprintf("%s/inbox/conversations/%d", e.URL, conv)),
		chromedp.WaitVisible(`html[data-live="on"] #thread-head`, chromedp.ByQuery),
		chromedp.Click(`//header[@id="thread-head"]//button[.="Close"]`, chromedp.BySearch),
		chromedp.WaitVisible(`//header[@id="thread-head"]//button[.="Reopen"]`, chromedp.BySearch),
	)
	e.MustDo(http.StatusOK, "POST", fmt.Sprintf("/api/conversations/%d/reply", conv), map[string]any{
		"message_type": "comment", "type": "user", "intercom_user_id": fmt.Sprint(ana.ID), "body": "Any news?"})
	wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	err := chromedp.Run(wctx,
		chromedp.WaitVisible(`//li[contains(., "Any news?")]`, chromedp.BySearch),
		chromedp.WaitVisible(`//header[@id="thread-head"]//button[.="Close"]`, chromedp.BySearch))
	if err != nil {
		var head string
		_ = chromedp.Run(ctx, chromedp.OuterHTML("#thread-head", &head, chromedp.ByID))
		t.Fatalf("the header did not follow: %v\n%s", err, head)
	}
}

// A choice made and not sent yet (a team picked, Assign not pressed) stands through a live
// refresh of its region: the refresh brings the others' changes, not a reset of the teammate's.
func TestIN5_AnUnsentChoiceSurvivesALiveRefresh(t *testing.T) {
	e := start(t)
	ana := e.CreateContact("ana@example.com", "Ana Customer")
	conv := thrConversation(t, e, ana, "Where is my invoice?")
	billing := e.CreateTeam("Billing")
	ctx := thrFixBrowser(t, e)
	thrRun(t, ctx, "pick a team, do not assign, look elsewhere",
		chromedp.Navigate(fmt.Sprintf("%s/inbox/conversations/%d", e.URL, conv)),
		chromedp.WaitVisible(`html[data-live="on"] #thread-team`, chromedp.ByQuery),
		chromedp.SetValue("#thread-team", fmt.Sprint(billing.ID), chromedp.ByID),
		chromedp.Focus("#thread-composer-body", chromedp.ByID),
		chromedp.Blur("#thread-composer-body", chromedp.ByID),
	)
	e.MustDo(http.StatusOK, "POST", fmt.Sprintf("/api/conversations/%d/reply", conv), map[string]any{
		"message_type": "comment", "type": "user", "intercom_user_id": fmt.Sprint(ana.ID), "body": "Any news?"})
	var team string
	thrRun(t, ctx, "the refresh",
		chromedp.WaitVisible(`//li[contains(., "Any news?")]`, chromedp.BySearch),
		chromedp.Sleep(1500*time.Millisecond), // the sidebar's refresh comes with the timeline's
		chromedp.Value("#thread-team", &team, chromedp.ByID))
	if team != fmt.Sprint(billing.ID) {
		t.Errorf("the team picked and not assigned became %q after the refresh", team)
	}
}
