package inbox_test

// Browser tests of the fixes to the conversation and ticket pages: the description's editor,
// where the focus goes after an action, the Links' preview.

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/helpdesk/helpdesk/internal/ticket"
)

// thrFixBrowser is the env's browser, signed in, failing the test on script errors and
// Content-Security-Policy violations.
func thrFixBrowser(t *testing.T, e *env) context.Context {
	t.Helper()
	return thrBrowser(t, e)
}

// thrKeys types text into the focused element, key by key, as a teammate would.
func thrKeys(text string) chromedp.Action { return chromedp.KeyEvent(text) }

// thrCmd clicks a button of the description's toolbar.
func thrCmd(name string) chromedp.Action {
	return chromedp.Click(fmt.Sprintf(`[data-thread-cmd=%q]`, name), chromedp.ByQuery)
}

// TestIN2_DescriptionEditorTogglesAndSavesCleanHTML: the rich text editor's buttons turn
// formats on and off, Enter twice leaves a list, a code block or a quote, and what is saved is
// plain HTML: blocks in order, <b> rather than style attributes (which the page's
// Content-Security-Policy refuses), lists outside paragraphs.
func TestIN2_DescriptionEditorTogglesAndSavesCleanHTML(t *testing.T) {
	e := start(t)
	ana := e.CreateContact("ana@example.com", "Ana Customer")
	typ := e.CreateTicketType("Delivery problem", ticket.Customer, nil)
	id := thrTicket(t, e, typ, "Parcel never arrived", map[string]any{"ticket_attributes": map[string]any{"_default_title_": "Parcel never arrived"}}, ana)
	ctx := thrFixBrowser(t, e)

	thrRun(t, ctx, "open the empty description's editor with Edit: the focus is in it",
		chromedp.Navigate(fmt.Sprintf("%s/inbox/tickets/%d", e.URL, id)),
		chromedp.WaitVisible(".thread-rich-view", chromedp.ByQuery),
		chromedp.Click(`[data-thread-edit="description"]`, chromedp.ByQuery),
		thrWaitTrue(`document.activeElement.id === "thread-description-editor"`),
	)
	var label string
	thrRun(t, ctx, "the link button", chromedp.Text(`[data-thread-cmd="link"]`, &label, chromedp.ByQuery))
	if label != "Link" {
		t.Errorf("the link button says %q", label)
	}
	thrRun(t, ctx, "Bold on the empty editor, first click",
		thrCmd("bold"),
		thrWaitTrue(`document.querySelector('[data-thread-cmd="bold"]').getAttribute("aria-pressed") === "true"`),
		thrKeys("Parcel"),
		thrCmd("bold"),
		thrKeys(" lost"),
	)
	thrRun(t, ctx, "Bold on the empty editor, first click",
		// (Chromium types the space after the bold word as &nbsp;: saved as a plain space.)
		thrWaitTrue(`document.getElementById("thread-description-editor").innerHTML === "<p><b>Parcel</b>&nbsp;lost</p>"`),
	)
	thrRun(t, ctx, "a bulleted list, left with Enter twice",
		chromedp.KeyEvent(kb.Enter), thrKeys("Check the depot"),
		thrCmd("insertUnorderedList"),
		chromedp.KeyEvent(kb.Enter), thrKeys("Call the carrier"),
		chromedp.KeyEvent(kb.Enter), chromedp.KeyEvent(kb.Enter),
		thrKeys("tracking 42"),
	)
	thrRun(t, ctx, "a code block, left with Enter twice",
		thrCmd("pre"),
		thrWaitTrue(`document.querySelector('[data-thread-cmd="pre"]').getAttribute("aria-pressed") === "true"`),
		chromedp.KeyEvent(kb.Enter), thrKeys("line two"),
		chromedp.KeyEvent(kb.Enter), chromedp.KeyEvent(kb.Enter),
		thrWaitTrue(`document.querySelector('[data-thread-cmd="pre"]').getAttribute("aria-pressed") === "false"`),
		thrKeys("Quote me"),
	)
	thrRun(t, ctx, "a quote, toggled off and on, left with Enter twice",
		thrCmd("blockquote"),
		thrWaitTrue(`!!document.querySelector("#thread-description-editor blockquote")`),
		thrCmd("blockquote"),
		thrWaitTrue(`!document.querySelector("#thread-description-editor blockquote")`),
		thrCmd("blockquote"),
		chromedp.KeyEvent(kb.Enter), chromedp.KeyEvent(kb.Enter),
		thrKeys("After"),
	)
	thrRun(t, ctx, "a code block toggled off",
		chromedp.KeyEvent(kb.Enter), thrKeys("not code"),
		thrCmd("pre"), thrCmd("pre"),
	)
	thrRun(t, ctx, "a numbered list on two lines, then off for the first",
		chromedp.KeyEvent(kb.Enter), thrKeys("one"), chromedp.KeyEvent(kb.Enter), thrKeys("two"),
		chromedp.KeyEvent(kb.ArrowUp, chromedp.KeyModifiers(input.ModifierShift)),
		thrCmd("insertOrderedList"),
		chromedp.KeyEvent(kb.ArrowUp), thrCmd("insertOrderedList"),
	)
	thrRun(t, ctx, "save",
		chromedp.Click(`form[data-thread-editor="description"] button[type="submit"]`, chromedp.ByQuery),
		thrWaitTrue(`!!document.querySelector(".thread-rich-view blockquote")`),
	)
	const want = "<p><b>Parcel</b> lost</p><ul><li>Check the depot</li><li>Call the carrier</li></ul>" +
		"<pre>tracking 42<br>line two</pre><blockquote>Quote me</blockquote><p>After</p><p>not code</p>" +
		"<p>one</p><ol><li>two</li></ol>"
	if got := thrLoadTicket(t, e, id).Description; got != want {
		t.Errorf("saved description\n got %s\nwant %s", got, want)
	}
	thrRun(t, ctx, "the page shows it as saved",
		thrWaitTrue(fmt.Sprintf(`document.querySelector(".thread-rich-view").innerHTML.trim() === %q`, want)))
}

// TestIN2_DescriptionEditorKeepsStyleAttributesOut: what Chromium's own commands would do with
// style attributes (joining blocks, taking bold off part of a word, lists off, pasting) is done
// without them: no Content-Security-Policy error, nothing left over in the saved HTML.
func TestIN2_DescriptionEditorKeepsStyleAttributesOut(t *testing.T) {
	e := start(t)
	ana := e.CreateContact("ana@example.com", "Ana Customer")
	typ := e.CreateTicketType("Delivery problem", ticket.Customer, nil)
	id := thrTicket(t, e, typ, "Parcel never arrived", map[string]any{"ticket_attributes": map[string]any{
		"_default_title_": "Parcel never arrived", "_default_description_": "<p><b>Boxed parcel</b></p><p>second</p><ol><li>item</li></ol>"}}, ana)
	ctx := thrFixBrowser(t, e)
	shift := chromedp.KeyModifiers(input.ModifierShift)

	thrRun(t, ctx, "open the editor by clicking the text",
		chromedp.Navigate(fmt.Sprintf("%s/inbox/tickets/%d", e.URL, id)),
		chromedp.Click(".thread-rich-view p", chromedp.ByQuery),
		thrWaitTrue(`document.activeElement.id === "thread-description-editor"`),
	)
	thrRun(t, ctx, "Backspace joins the list's item to the paragraph, then that to the first",
		chromedp.KeyEvent(kb.Home), chromedp.KeyEvent(kb.Backspace),
		chromedp.KeyEvent(kb.Home), chromedp.KeyEvent(kb.Backspace),
		thrWaitTrue(`document.getElementById("thread-description-editor").innerHTML === "<p><b>Boxed parcel</b>seconditem</p>"`),
	)
	thrRun(t, ctx, "bold off for part of the bold words",
		chromedp.KeyEvent(kb.Home),
		chromedp.KeyEvent(kb.ArrowRight, shift), chromedp.KeyEvent(kb.ArrowRight, shift), chromedp.KeyEvent(kb.ArrowRight, shift),
		chromedp.KeyEvent(kb.ArrowRight, shift), chromedp.KeyEvent(kb.ArrowRight, shift),
		thrCmd("bold"),
		thrWaitTrue(`document.getElementById("thread-description-editor").innerHTML === "<p>Boxed<b> parcel</b>seconditem</p>"`),
	)
	thrRun(t, ctx, "a pasted text comes in as text",
		chromedp.KeyEvent(kb.End),
		chromedp.Evaluate(`(function () {
			var dt = new DataTransfer();
			dt.setData("text/html", '<span style="color: red">red</span>');
			dt.setData("text/plain", " pasted");
			document.activeElement.dispatchEvent(new ClipboardEvent("paste", {clipboardData: dt, bubbles: true, cancelable: true}));
			return true;
		})()`, nil),
		thrWaitTrue(`document.getElementById("thread-description-editor").innerHTML === "<p>Boxed<b> parcel</b>seconditem pasted</p>"`),
	)
	thrRun(t, ctx, "a list on and off, and save",
		thrCmd("insertOrderedList"), thrCmd("insertUnorderedList"), thrCmd("insertUnorderedList"),
		chromedp.Click(`form[data-thread-editor="description"] button[type="submit"]`, chromedp.ByQuery),
		thrWaitText(".thread-rich-view", "pasted"),
	)
	if got, want := thrLoadTicket(t, e, id).Description, "<p>Boxed<b> parcel</b>seconditem pasted</p>"; got != want {
		t.Errorf("saved %s, want %s", got, want)
	}
}

// TestThread_FocusStaysAfterActions: after an action answers with the page again, the focus is
// back on the control used (same id), or on the heading of the region acted in; never on <body>.
func TestThread_FocusStaysAfterActions(t *testing.T) {
	e := start(t)
	ana := e.CreateContact("ana@example.com", "Ana Customer")
	typ := e.CreateTicketType("Delivery problem", ticket.Customer, nil,
		ticket.Attribute{Name: "Fragile", DataType: ticket.Boolean, VisibleOnCreate: true})
	id := thrTicket(t, e, typ, "Parcel never arrived", nil, ana)
	states := thrStates(t, e)
	ctx := thrFixBrowser(t, e)
	active := func(id string) chromedp.Action {
		return thrWaitTrue(fmt.Sprintf(`document.activeElement && document.activeElement.id === %q`, id))
	}

	thrRun(t, ctx, "open the ticket",
		chromedp.Navigate(fmt.Sprintf("%s/inbox/tickets/%d", e.URL, id)),
		chromedp.WaitVisible("#thread-tag-add", chromedp.ByID),
	)
	thrRun(t, ctx, "a tag added with Enter: the focus stays in its field",
		chromedp.Click("#thread-tag-add", chromedp.ByID), thrKeys("vip"), chromedp.KeyEvent(kb.Enter),
		thrWaitText(".thread-tags", "vip"),
		active("thread-tag-add"),
	)
	thrRun(t, ctx, "a tag added with its button: the focus goes to the Tags heading",
		chromedp.Click("#thread-tag-add", chromedp.ByID), thrKeys("urgent"),
		chromedp.Click(`//button[normalize-space()="Add tag"]`, chromedp.BySearch),
		thrWaitText(".thread-tags", "urgent"),
		active("thread-tags-h"),
	)
	thrRun(t, ctx, "a state chosen in the state menu: the focus is back on the state button",
		chromedp.Click("#thread-state-button", chromedp.ByID),
		chromedp.Click(fmt.Sprintf(`#thread-state-menu button[value="%d"]`, states[ticket.InProgress]), chromedp.ByQuery),
		thrWaitText("#thread-state-button", "In progress"),
		active("thread-state-button"),
	)
	thrRun(t, ctx, "an attribute changed: the focus stays on it",
		chromedp.Focus("form[data-thread-attr] select", chromedp.ByQuery),
		chromedp.Evaluate(`(function () {
			var s = document.querySelector("form[data-thread-attr] select");
			s.value = "true";
			s.dispatchEvent(new Event("change", {bubbles: true}));
			return true;
		})()`, nil),
		thrWaitText("#thread-timeline", "set Fragile to Yes"),
		thrWaitTrue(`document.activeElement === document.querySelector("form[data-thread-attr] select")`),
	)
	thrRun(t, ctx, "an assignment: the focus goes to the Assignment heading",
		chromedp.SetValue("#thread-assignee", fmt.Sprint(e.Mate.ID), chromedp.ByID),
		chromedp.Click(`//select[@id="thread-assignee"]/following-sibling::button`, chromedp.BySearch),
		thrWaitText("#thread-timeline", "assigned this to themselves"),
		active("thread-assign-h"),
	)
	thrRun(t, ctx, "a reply sent with its button: the focus is back in the composer",
		chromedp.Click("#thread-composer-body", chromedp.ByID), thrKeys("On it"),
		chromedp.Click("#thread-composer [data-thread-default]", chromedp.ByQuery),
		thrWaitText("#thread-timeline", "On it"),
		active("thread-composer-body"),
	)
}

// TestBO12_PreviewAndUnlinkInTheBrowser: Open shows the preview in view with the focus on it;
// Escape closes it and gives the focus back to Open. Unlink is confirmed in a second step.
func TestBO12_PreviewAndUnlinkInTheBrowser(t *testing.T) {
	e := start(t)
	id, conv := thrBackOffice(t, e, "Investigate the charge", "My card was charged twice")
	ctx := thrFixBrowser(t, e)
	_ = id

	thrRun(t, ctx, "open the conversation and preview the ticket",
		chromedp.Navigate(fmt.Sprintf("%s/inbox/conversations/%d", e.URL, conv)),
		chromedp.WaitVisible(".thread-links button[hx-get]", chromedp.ByQuery),
		chromedp.Click(".thread-links button[hx-get]", chromedp.ByQuery),
		thrWaitText("#thread-preview", "First words"),
		thrWaitTrue(`document.activeElement.id === "thread-preview-h"`),
		thrWaitTrue(`(function () { var r = document.getElementById("thread-preview").getBoundingClientRect(); return r.top < innerHeight && r.bottom > 0; })()`),
	)
	thrRun(t, ctx, "Escape closes it, the focus is back on Open",
		chromedp.KeyEvent(kb.Escape),
		thrWaitTrue(`document.getElementById("thread-preview").children.length === 0`),
		thrWaitTrue(`document.activeElement.matches(".thread-links button[hx-get]")`),
	)
	thrRun(t, ctx, "the × closes it too",
		chromedp.Click(".thread-links button[hx-get]", chromedp.ByQuery),
		thrWaitText("#thread-preview", "First words"),
		chromedp.Click("[data-thread-preview-close]", chromedp.ByQuery),
		thrWaitTrue(`document.getElementById("thread-preview").children.length === 0 && document.activeElement.matches(".thread-links button[hx-get]")`),
	)
	var visible bool
	thrRun(t, ctx, "Unlink… asks first",
		chromedp.Evaluate(`document.querySelector(".thread-unlink button[type=submit]").checkVisibility()`, &visible))
	if visible {
		t.Fatal("the unlink button shows before Unlink… is chosen")
	}
	thrRun(t, ctx, "unlink",
		chromedp.Click(".thread-unlink summary", chromedp.ByQuery),
		chromedp.WaitVisible(".thread-unlink button[type=submit]", chromedp.ByQuery),
		chromedp.Click(".thread-unlink button[type=submit]", chromedp.ByQuery),
		thrWaitText(".thread-links", "Nothing is linked."),
		thrWaitTrue(`document.activeElement.id === "thread-links-h"`),
	)
	if r := e.signedIn(t).get(fmt.Sprintf("/inbox/conversations/%d", conv)); r.status != http.StatusOK || !strings.Contains(r.body, "Nothing is linked.") {
		t.Errorf("after unlinking: %d", r.status)
	}
}
