package inbox_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/helpdesk/helpdesk/internal/browsertest"
	"github.com/helpdesk/helpdesk/internal/ticket"
)

// settingsScreenshot saves the page for docs/ when HELPDESK_SCREENSHOTS=1.
func settingsScreenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	if os.Getenv("HELPDESK_SCREENSHOTS") != "1" {
		return
	}
	dir := filepath.Join("..", "..", "docs", "screenshots")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	browsertest.Screenshot(t, ctx, filepath.Join(dir, "inbox-settings-"+name+".png"))
}

// settingsChoose picks an option of a select as a person would: the value changes and the
// page hears of it.
func settingsChoose(sel, value string) chromedp.Action {
	return chromedp.Tasks{
		chromedp.SetValue(sel, value, chromedp.ByQuery),
		chromedp.Evaluate(fmt.Sprintf(`document.querySelector(%q).dispatchEvent(new Event("change", {bubbles: true}))`, sel), nil),
	}
}

func TestTT_EditTicketTypeAttributesInTheBrowser(t *testing.T) {
	e := start(t)
	typ := e.CreateTicketType("Bug report", ticket.Customer, nil)
	ctx := e.browser(t)
	browsertest.FailOnPageErrors(t, ctx)
	run := func(what string, actions ...chromedp.Action) {
		t.Helper()
		if err := chromedp.Run(ctx, actions...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	hidden := func(sel string) bool {
		t.Helper()
		var h bool
		run("is "+sel+" hidden", chromedp.Evaluate(fmt.Sprintf(`document.querySelector(%q).closest("[hidden]") !== null`, sel), &h))
		return h
	}

	// Settings → Ticket types: the sharing toggle shows for Back-office types only (TT4).
	run("open the ticket types",
		chromedp.Navigate(e.URL+"/inbox/settings"),
		chromedp.Click(`.settings-nav a[href="/inbox/settings/ticket-types"]`, chromedp.ByQuery),
		chromedp.WaitVisible("#settings-types", chromedp.ByQuery))
	if !hidden("#new-type-sharing") {
		t.Error("the sharing toggle shows for a Customer type")
	}
	run("choose Back-office", settingsChoose("#new-type-category", "Back-office"), chromedp.WaitVisible("#new-type-sharing", chromedp.ByQuery))
	settingsScreenshot(t, ctx, "ticket-types")

	// Open the type and add a list attribute.
	run("open the type",
		chromedp.Click(fmt.Sprintf(`#settings-types a[href="/inbox/settings/ticket-types/%d"]`, typ.ID), chromedp.ByQuery),
		chromedp.WaitVisible("#new-attribute", chromedp.ByQuery))
	if !hidden("#attr-items") {
		t.Error("list items show for a text attribute")
	}
	run("add an attribute",
		chromedp.SendKeys("#attr-name", "Plan", chromedp.ByQuery),
		chromedp.SendKeys("#attr-description", "Which plan the customer is on", chromedp.ByQuery),
		settingsChoose("#attr-type", "list"),
		chromedp.WaitVisible("#attr-items", chromedp.ByQuery),
		chromedp.SendKeys("#attr-items", "Free\nPro\nEnterprise", chromedp.ByQuery),
		chromedp.Click(`#new-attribute button[type="submit"]`, chromedp.ByQuery),
		chromedp.WaitVisible(`tr[data-attribute="Plan"]`, chromedp.ByQuery))
	var row string
	run("read the row", chromedp.Text(`tr[data-attribute="Plan"]`, &row, chromedp.ByQuery))
	if !strings.Contains(row, "List: Free, Pro, Enterprise") || strings.Contains(row, "Required for customers") {
		t.Errorf("the new attribute reads %q", row)
	}

	// A refused attribute: the error is beside its field, which has the focus (TT5).
	run("add a list without items",
		chromedp.SendKeys("#attr-name", "Tier", chromedp.ByQuery),
		settingsChoose("#attr-type", "list"),
		chromedp.Click(`#new-attribute button[type="submit"]`, chromedp.ByQuery),
		chromedp.WaitVisible("#attr-items-error", chromedp.ByQuery))
	var focused, msg string
	run("read the error", chromedp.Evaluate(`document.activeElement.id`, &focused), chromedp.Text("#attr-items-error", &msg, chromedp.ByQuery))
	if focused != "attr-items" || !strings.Contains(msg, "at least one item") {
		t.Errorf("refused: focus on %q, error %q", focused, msg)
	}

	// Edit it: required for customers; save; it is listed so.
	run("edit the attribute",
		chromedp.Click(`a[aria-label="Edit Plan"]`, chromedp.ByQuery),
		chromedp.WaitVisible("#edit-attribute", chromedp.ByQuery),
		chromedp.Click("#attr-required-contacts", chromedp.ByQuery),
		chromedp.Click(`#edit-attribute button[type="submit"]`, chromedp.ByQuery),
		chromedp.WaitVisible("#new-attribute", chromedp.ByQuery),
		chromedp.Text(`tr[data-attribute="Plan"]`, &row, chromedp.ByQuery))
	if !strings.Contains(row, "Required for customers") {
		t.Errorf("after the edit the attribute reads %q", row)
	}
	// Move it up, above the description.
	run("move it up",
		chromedp.Click(`button[aria-label="Move Plan up"]`, chromedp.ByQuery),
		chromedp.WaitVisible(`#settings-attributes tbody tr:nth-child(2)[data-attribute="Plan"]`, chromedp.ByQuery))
	settingsScreenshot(t, ctx, "ticket-type")

	// The API sees what the teammate did.
	got := e.MustDo(http.StatusOK, "GET", fmt.Sprintf("/api/ticket_types/%d", typ.ID), nil)
	plan := settingsAttr(t, got, "Plan")
	if plan == nil || plan["data_type"] != "list" || plan["required_to_create_for_contacts"] != true ||
		plan["description"] != "Which plan the customer is on" || plan["order"].(float64) != 1 ||
		settingsItems(plan["input_options"].(map[string]any)) != "Free|Pro|Enterprise" {
		t.Errorf("GET /api/ticket_types/%d: Plan is %v", typ.ID, plan)
	}
	if settingsAttr(t, got, "Tier") != nil {
		t.Error("the refused attribute was written")
	}

	// The Messenger settings, for the docs.
	run("messenger settings", chromedp.Navigate(e.URL+"/inbox/settings/messenger"), chromedp.WaitVisible("#settings-snippet", chromedp.ByQuery))
	settingsScreenshot(t, ctx, "messenger")
}

// A reload after generating a secret or creating a token makes no other one; replacing the secret
// and revoking a token take a second click, on a button a disclosure reveals.
func TestSettings_SecretAndTokensSurviveAReloadInTheBrowser(t *testing.T) {
	e := start(t)
	ctx := e.browser(t)
	browsertest.FailOnPageErrors(t, ctx)
	run := func(what string, actions ...chromedp.Action) {
		t.Helper()
		if err := chromedp.Run(ctx, actions...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	stored := func() string {
		t.Helper()
		v, err := e.DB.Read().Setting(context.Background(), "identity_secret")
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	visible := func(sel string) bool {
		t.Helper()
		var v bool
		run("is "+sel+" visible", chromedp.Evaluate(fmt.Sprintf(`(function(){ var el = document.querySelector(%q); return !!el && el.checkVisibility(); })()`, sel), &v))
		return v
	}

	var shown string
	run("generate a secret",
		chromedp.Navigate(e.URL+"/inbox/settings/messenger"),
		chromedp.Click(`form[action="/inbox/settings/messenger/identity-secret/generate"] button`, chromedp.ByQuery),
		chromedp.WaitVisible("#settings-secret", chromedp.ByQuery),
		chromedp.Value("#settings-secret", &shown, chromedp.ByQuery))
	first := stored()
	if shown != first || first == "" {
		t.Fatalf("shown %q, in force %q", shown, first)
	}
	run("reload", chromedp.Reload(), chromedp.WaitVisible("#settings-secret", chromedp.ByQuery), chromedp.Value("#settings-secret", &shown, chromedp.ByQuery))
	if stored() != first || shown != first {
		t.Errorf("a reload changed the secret: %q, shown %q", stored(), shown)
	}

	run("open the page again", chromedp.Navigate(e.URL+"/inbox/settings/messenger"), chromedp.WaitVisible("#settings-secret-regenerate", chromedp.ByQuery))
	if visible("#settings-secret") || visible("#settings-secret-regenerate button") {
		t.Error("the secret, or the button replacing it, shows before its disclosure is opened")
	}
	run("replace the secret",
		chromedp.Click("#settings-secret-regenerate summary", chromedp.ByQuery),
		chromedp.WaitVisible("#settings-secret-regenerate button", chromedp.ByQuery),
		chromedp.Click("#settings-secret-regenerate button", chromedp.ByQuery),
		chromedp.WaitVisible("#settings-secret-show[open] #settings-secret", chromedp.ByQuery),
		chromedp.Value("#settings-secret", &shown, chromedp.ByQuery))
	if second := stored(); second == first || shown != second {
		t.Errorf("after replacing: in force %q, shown %q (was %q)", second, shown, first)
	}

	// A token: shown once, a reload shows it no more and makes none.
	var token string
	run("create a token",
		chromedp.Navigate(e.URL+"/inbox/settings/tokens"),
		chromedp.SendKeys("#token-name", "CI", chromedp.ByQuery),
		chromedp.Click(`#new-token button[type="submit"]`, chromedp.ByQuery),
		chromedp.WaitVisible("#settings-new-token", chromedp.ByQuery),
		chromedp.Value("#settings-new-token", &token, chromedp.ByQuery))
	if me := e.DoWith(token, "GET", "/api/me", nil); me.Status != http.StatusOK {
		t.Errorf("the token shown: %d", me.Status)
	}
	run("reload", chromedp.Reload(), chromedp.WaitVisible("#settings-tokens", chromedp.ByQuery))
	if visible("#settings-new-token") {
		t.Error("a reload shows the token again")
	}
	if list, _ := e.DB.Read().AdminTokens(context.Background(), e.Mate.ID); len(list) != 1 {
		t.Fatalf("%d tokens after a reload", len(list))
	}
	if visible(`#settings-tokens form button`) {
		t.Error("Revoke shows before its disclosure is opened")
	}
	run("revoke it",
		chromedp.Click("#settings-tokens details summary", chromedp.ByQuery),
		chromedp.WaitVisible("#settings-tokens form button", chromedp.ByQuery),
		chromedp.Click("#settings-tokens form button", chromedp.ByQuery),
		chromedp.WaitNotPresent("#settings-tokens", chromedp.ByQuery))
	if list, _ := e.DB.Read().AdminTokens(context.Background(), e.Mate.ID); len(list) != 0 {
		t.Errorf("%d tokens after revoking", len(list))
	}
}
