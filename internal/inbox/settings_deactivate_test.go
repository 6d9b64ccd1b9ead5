package inbox_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/helpdesk/helpdesk/internal/browsertest"
	"github.com/helpdesk/helpdesk/internal/store"
	"github.com/helpdesk/helpdesk/internal/ticket"
)

// deactivatedSection is the page's "Deactivated" section, from its heading to the end of its
// table; "" when the page has none.
func deactivatedSection(body string) string {
	return regexp.MustCompile(`<h2 id="settings-deactivated-heading">Deactivated</h2>[\s\S]*?</table>`).FindString(body)
}

// activeTable is the table of active teammates.
func activeTable(body string) string {
	return regexp.MustCompile(`<table class="settings-table" id="settings-teammates">[\s\S]*?</table>`).FindString(body)
}

func TestSettings_DeactivateATeammateWhoLeftAndReactivateThem(t *testing.T) {
	e := start(t) // Mia, an admin, deactivates Ana, an agent
	c := e.signedIn(t)
	ctx := context.Background()
	ana, anaAdmin := settingsSignIn(t, e, "ana@example.com", store.RoleAgent)
	anaID := actItoa(anaAdmin.ID)
	anaToken := e.CreateToken(anaAdmin.ID)
	billing := e.CreateTeam("Billing", anaAdmin.ID)

	// Ana holds an open conversation, a snoozed one and an open ticket, each given to her by Mia
	// (an assignment event each).
	customer := e.CreateContact("casey@example.com", "Casey Customer")
	open := thrConversation(t, e, customer, "Where is my invoice?")
	snoozed := thrConversation(t, e, customer, "And my refund?")
	unassigned := thrConversation(t, e, customer, "Someone else's")
	outage := e.CreateTicketType("Outage", ticket.Tracker, nil)
	tracker := actTicket(t, e, outage, "Login is down", nil, nil)
	for _, path := range []string{fmt.Sprintf("/inbox/conversations/%d", open), fmt.Sprintf("/inbox/conversations/%d", snoozed),
		fmt.Sprintf("/inbox/tickets/%d", tracker)} {
		thrPost(t, c, path+"/assign", url.Values{"assignee_id": {anaID}}, http.StatusSeeOther)
	}
	thrPost(t, c, fmt.Sprintf("/inbox/conversations/%d/snooze", snoozed), url.Values{"for": {"4h"}}, http.StatusSeeOther)
	if me := e.DoWith(anaToken, "GET", "/api/me", nil); me.Status != http.StatusOK {
		t.Fatalf("Ana's token before: %d", me.Status)
	}

	// The Manage disclosure offers to deactivate Ana, after saying what it does; not Mia herself.
	page := c.get("/inbox/settings/teammates").body
	row := settingsTeammateRowOf(t, page, "ana@example.com")
	actMustContain(t, "Ana's row", row, "Deactivate…<span class=\"settings-sr\"> Agent ana@example.com</span></summary>",
		`<details class="settings-manage settings-confirm">`, "can no longer", "the API may still accept one for up to", "10 seconds. They leave every team.",
		fmt.Sprintf(`action="/inbox/settings/teammates/%s/deactivate"`, anaID), "Deactivate Agent ana@example.com</button>",
		fmt.Sprintf(`href="/inbox/search?assignee=%s&amp;state=open">2 open`, anaID),
		fmt.Sprintf(`href="/inbox/search?assignee=%s&amp;state=snoozed">1 snoozed`, anaID))
	actMustNotContain(t, "Mia's own row", settingsTeammateRowOf(t, page, mateEmail), "/deactivate", "Deactivate")
	if deactivatedSection(page) != "" {
		t.Error("a Deactivated section with no one deactivated")
	}

	r := c.post("/inbox/settings/teammates/"+anaID+"/deactivate", nil)
	if r.status != http.StatusSeeOther || r.location != "/inbox/settings/teammates?admin="+anaID+"&done=deactivated" {
		t.Fatalf("deactivate: %d %q %s", r.status, r.location, r.body)
	}
	page = c.get(r.location).body
	actMustContain(t, "the confirmation", html.UnescapeString(page), "Agent ana@example.com deactivated: signed out of the Inbox",
		"API tokens stop working within 10 seconds", "until someone reassigns it")
	if strings.Contains(activeTable(page), "ana@example.com") {
		t.Error("Ana is still among the active teammates")
	}
	section := deactivatedSection(page)
	actMustContain(t, "the Deactivated section", section, `<tr data-teammate="ana@example.com"><td>Agent ana@example.com</td>`,
		`<time datetime="2026-11-02T09:00:00Z">2 Nov 2026, 09:00:00 UTC</time>`,
		fmt.Sprintf(`<a href="/inbox/search?assignee=%s&amp;state=open">2 open`, anaID),
		fmt.Sprintf(`<a href="/inbox/search?assignee=%s&amp;state=snoozed">1 snoozed`, anaID),
		fmt.Sprintf(`action="/inbox/settings/teammates/%s/reactivate"`, anaID), "Reactivate<span class=\"settings-sr\"> Agent ana@example.com</span>",
		"without a password: set one")
	a, err := e.DB.Read().Admin(ctx, anaAdmin.ID)
	if err != nil || !a.DeactivatedAt.Equal(e.Clock.Now().Truncate(time.Second)) || a.Active() {
		t.Fatalf("Ana as stored: %+v, %v", a, err)
	}

	// What she holds stays hers, found by the search the page links to.
	for _, id := range []int64{open, snoozed, tracker} {
		if got := thrLoadConversation(t, e, id).AdminAssigneeID; got != anaAdmin.ID {
			t.Errorf("%d is now assigned to %d", id, got)
		}
	}
	found := c.get(fmt.Sprintf("/inbox/search?assignee=%s&state=open", anaID)).body
	actMustContain(t, "the search of Ana's open work", found, fmt.Sprintf(`/inbox/conversations/%d"`, open), fmt.Sprintf(`/inbox/tickets/%d"`, tracker),
		fmt.Sprintf(`<option value="%s" selected>Agent ana@example.com (deactivated)</option>`, anaID))
	actMustNotContain(t, "the search of Ana's open work", found, fmt.Sprintf(`/inbox/conversations/%d"`, unassigned))

	// Her session ended at once, and she cannot sign in again: refused as a wrong password is.
	if r := ana.get("/inbox"); r.status != http.StatusSeeOther || !strings.HasPrefix(r.location, "/inbox/login") {
		t.Errorf("Ana's session goes on: %d %q", r.status, r.location)
	}
	wrong := e.client(t).post("/inbox/login", url.Values{"email": {"ana@example.com"}, "password": {"not her password"}})
	right := e.client(t).post("/inbox/login", url.Values{"email": {"ana@example.com"}, "password": {"password of ana@example.com"}})
	if right.status != http.StatusUnauthorized || wrong.status != http.StatusUnauthorized ||
		!strings.Contains(right.body, "That email and password do not match a teammate.") {
		t.Errorf("Ana's sign-in: %d (wrong password: %d)", right.status, wrong.status)
	}

	// Her API token stops working once the API's cache of it runs out (10 seconds).
	e.Clock.Advance(11 * time.Second)
	if me := e.DoWith(anaToken, "GET", "/api/me", nil); me.Status != http.StatusUnauthorized {
		t.Errorf("Ana's token after deactivation: %d", me.Status)
	}
	if tokens, err := e.DB.Read().AdminTokens(ctx, anaAdmin.ID); err != nil || len(tokens) != 0 {
		t.Errorf("Ana's tokens: %v %v", tokens, err)
	}
	// A token made as she was being deactivated (here, put in the database) does not work either.
	if me := e.DoWith(e.CreateToken(anaAdmin.ID), "GET", "/api/me", nil); me.Status != http.StatusUnauthorized {
		t.Errorf("a token of a deactivated teammate: %d", me.Status)
	}

	// She left her team, and the API still lists her among the teammates.
	if got := e.MustDo(http.StatusOK, "GET", fmt.Sprintf("/api/teams/%d", billing.ID), nil)["admin_ids"]; fmt.Sprint(got) != "[]" {
		t.Errorf("Billing's members: %v", got)
	}
	if admins := e.Do("GET", "/api/admins", nil); admins.Status != http.StatusOK || !strings.Contains(string(admins.Body), `"ana@example.com"`) {
		t.Errorf("GET /api/admins: %d %s", admins.Status, admins.Body)
	}

	// She is offered no work: not on another conversation, not on a new ticket, not to a team.
	option := fmt.Sprintf(`<option value="%s"`, anaID)
	thrHasNot(t, "an unassigned conversation", thrPage(t, c, fmt.Sprintf("/inbox/conversations/%d", unassigned)), option)
	newTicket := c.get(fmt.Sprintf("/inbox/tickets/new?category=Tracker&type_id=%d", outage.ID))
	actMustContain(t, "the New ticket form", newTicket.body, `id="action-admin"`)
	actMustNotContain(t, "the New ticket form", newTicket.body, option)
	teams := c.get("/inbox/settings/teams").body
	actMustContain(t, "the teams page", teams, "Add to Billing")
	actMustNotContain(t, "the teams page", teams, option)
	r = c.post(fmt.Sprintf("/inbox/settings/teams/%d/members", billing.ID), url.Values{"admin_id": {anaID}})
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "Agent ana@example.com is deactivated; reactivate them first") {
		t.Errorf("adding Ana to a team: %d", r.status)
	}

	// What she holds still shows her, and the history keeps her name.
	held := thrPage(t, c, fmt.Sprintf("/inbox/conversations/%d", open))
	thrHas(t, "Ana's conversation", held, "Mia Mate assigned this to Agent ana@example.com",
		fmt.Sprintf(`<option value="%s" selected>Agent ana@example.com (deactivated)</option>`, anaID))
	thrHas(t, "Ana's ticket", thrPage(t, c, fmt.Sprintf("/inbox/tickets/%d", tracker)), "Mia Mate assigned this to Agent ana@example.com")

	// Reactivated, she is a teammate again, but without a password until one is set.
	r = c.post("/inbox/settings/teammates/"+anaID+"/reactivate", nil)
	if r.status != http.StatusSeeOther || r.location != "/inbox/settings/teammates?admin="+anaID+"&done=reactivated" {
		t.Fatalf("reactivate: %d %q", r.status, r.location)
	}
	page = c.get(r.location).body
	actMustContain(t, "the confirmation", page, "Agent ana@example.com reactivated. They have no password yet: set one under Manage")
	if !strings.Contains(activeTable(page), `data-teammate="ana@example.com"`) || deactivatedSection(page) != "" {
		t.Error("Ana is not back among the active teammates")
	}
	if r := e.client(t).post("/inbox/login", url.Values{"email": {"ana@example.com"}, "password": {"password of ana@example.com"}}); r.status != http.StatusUnauthorized {
		t.Errorf("Ana signs in with her old password: %d", r.status)
	}
	if r := c.post("/inbox/settings/teammates/"+anaID+"/password", url.Values{"password": {"a fresh start"}}); r.status != http.StatusSeeOther {
		t.Fatalf("set Ana's password: %d", r.status)
	}
	if r := e.client(t).post("/inbox/login", url.Values{"email": {"ana@example.com"}, "password": {"a fresh start"}}); r.status != http.StatusSeeOther {
		t.Errorf("Ana cannot sign in with her new password: %d", r.status)
	}
	thrHas(t, "an unassigned conversation", thrPage(t, c, fmt.Sprintf("/inbox/conversations/%d", unassigned)), option)
}

func TestSettings_DeactivationIsRefusedWhereTheRulesSayNo(t *testing.T) {
	e := start(t) // Mia is an admin
	c := e.signedIn(t)
	ctx := context.Background()
	owner, olive := settingsSignIn(t, e, "olive@example.com", store.RoleOwner)
	agent, andy := settingsSignIn(t, e, "andy@example.com", store.RoleAgent)
	active := func(a store.Admin) bool {
		t.Helper()
		got, err := e.DB.Read().Admin(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		return got.Active()
	}
	refused := func(what string, r response, status int, message string) {
		t.Helper()
		if r.status != status || !strings.Contains(html.UnescapeString(r.body), message) {
			t.Errorf("%s: %d, want %d saying %q", what, r.status, status, message)
		}
	}

	// Nobody deactivates themselves: not Mia, not the only owner.
	refused("Mia deactivates herself", c.post(fmt.Sprintf("/inbox/settings/teammates/%d/deactivate", e.Mate.ID), nil),
		http.StatusUnprocessableEntity, "Mia Mate: You cannot deactivate yourself")
	refused("the only owner deactivates herself", owner.post(fmt.Sprintf("/inbox/settings/teammates/%d/deactivate", olive.ID), nil),
		http.StatusUnprocessableEntity, "You cannot deactivate yourself")
	// Only an owner deactivates an owner; the page offers Mia nothing to do to Olive.
	refused("an admin deactivates the owner", c.post(fmt.Sprintf("/inbox/settings/teammates/%d/deactivate", olive.ID), nil),
		http.StatusUnprocessableEntity, "Agent olive@example.com: Only an owner can deactivate an owner")
	actMustNotContain(t, "Olive's row, as Mia sees it", settingsTeammateRowOf(t, c.get("/inbox/settings/teammates").body, "olive@example.com"), "/deactivate")
	// Agents change nothing and are offered nothing.
	refused("an agent deactivates", agent.post(fmt.Sprintf("/inbox/settings/teammates/%d/deactivate", e.Mate.ID), nil),
		http.StatusForbidden, "Only owners and admins can change settings")
	actMustNotContain(t, "the page as an agent sees it", agent.get("/inbox/settings/teammates").body, "/deactivate", "/reactivate")
	// Another site cannot make Mia's browser do it.
	if r := c.post(fmt.Sprintf("/inbox/settings/teammates/%d/deactivate", andy.ID), nil, "Sec-Fetch-Site", "cross-site"); r.status != http.StatusForbidden {
		t.Errorf("a cross-site deactivation: %d", r.status)
	}
	if r := c.post("/inbox/settings/teammates/9999/deactivate", nil); r.status != http.StatusNotFound {
		t.Errorf("deactivate no one: %d", r.status)
	}
	if !active(e.Mate) || !active(olive) || !active(andy) {
		t.Fatal("a refused deactivation deactivated someone")
	}

	// The owner deactivates Andy; an agent cannot reactivate him, nor another site.
	if r := owner.post(fmt.Sprintf("/inbox/settings/teammates/%d/deactivate", andy.ID), nil); r.status != http.StatusSeeOther {
		t.Fatalf("deactivate Andy: %d", r.status)
	}
	ann, _ := settingsSignIn(t, e, "ann@example.com", store.RoleAgent)
	refused("an agent reactivates", ann.post(fmt.Sprintf("/inbox/settings/teammates/%d/reactivate", andy.ID), nil),
		http.StatusForbidden, "Only owners and admins can change settings")
	if r := c.post(fmt.Sprintf("/inbox/settings/teammates/%d/reactivate", andy.ID), nil, "Sec-Fetch-Site", "cross-site"); r.status != http.StatusForbidden {
		t.Errorf("a cross-site reactivation: %d", r.status)
	}
	if active(andy) {
		t.Error("a refused reactivation reactivated Andy")
	}
	// A deactivated teammate's role and password wait for their reactivation.
	refused("a deactivated teammate's role", c.post(fmt.Sprintf("/inbox/settings/teammates/%d/role", andy.ID), url.Values{"role": {"admin"}}),
		http.StatusUnprocessableEntity, "Agent andy@example.com is deactivated; reactivate them first")
	refused("a deactivated teammate's password", c.post(fmt.Sprintf("/inbox/settings/teammates/%d/password", andy.ID), url.Values{"password": {"long enough"}}),
		http.StatusUnprocessableEntity, "Agent andy@example.com is deactivated; reactivate them first")

	// A deactivated owner does not count: the last active owner stays an owner.
	_, otto := settingsSignIn(t, e, "otto@example.com", store.RoleOwner)
	if r := owner.post(fmt.Sprintf("/inbox/settings/teammates/%d/deactivate", otto.ID), nil); r.status != http.StatusSeeOther {
		t.Fatalf("deactivate Otto: %d", r.status)
	}
	refused("the last active owner steps down", owner.post(fmt.Sprintf("/inbox/settings/teammates/%d/role", olive.ID), url.Values{"role": {"admin"}}),
		http.StatusUnprocessableEntity, "is the only owner")
	// Only an owner reactivates an owner.
	refused("an admin reactivates an owner", c.post(fmt.Sprintf("/inbox/settings/teammates/%d/reactivate", otto.ID), nil),
		http.StatusUnprocessableEntity, "Only an owner can reactivate an owner")
	if r := owner.post(fmt.Sprintf("/inbox/settings/teammates/%d/reactivate", otto.ID), nil); r.status != http.StatusSeeOther || !active(otto) {
		t.Errorf("the owner reactivates Otto: %d", r.status)
	}
}

func TestSettings_DeactivateAndReactivateInTheBrowser(t *testing.T) {
	e := start(t)
	bob := e.CreateAdmin("bob@example.com", "Bob Leaver")
	ctx := e.browser(t)
	browsertest.FailOnPageErrors(t, ctx)
	row := `#settings-teammates tr[data-teammate="bob@example.com"]`
	gone := `#settings-deactivated tr[data-teammate="bob@example.com"]`

	// Manage, then Deactivate…, which says what it does, then the button.
	actStep(t, ctx, "open Manage and Deactivate…",
		chromedp.Navigate(e.URL+"/inbox/settings/teammates"),
		chromedp.Click(row+` details.settings-manage > summary`, chromedp.ByQuery),
		chromedp.Click(row+` details.settings-confirm > summary`, chromedp.ByQuery),
		chromedp.WaitVisible(row+` details.settings-confirm .settings-warning`, chromedp.ByQuery))
	var warning string
	actStep(t, ctx, "read the warning", chromedp.Text(row+` details.settings-confirm .settings-warning`, &warning, chromedp.ByQuery))
	if !strings.Contains(warning, "Bob Leaver is signed out of the Inbox at once") {
		t.Errorf("the warning reads %q", warning)
	}
	actStep(t, ctx, "deactivate Bob",
		chromedp.Click(row+` details.settings-confirm button.danger`, chromedp.ByQuery),
		chromedp.WaitVisible(gone, chromedp.ByQuery))
	var n int
	actStep(t, ctx, "count Bob's rows", chromedp.Evaluate(`document.querySelectorAll('tr[data-teammate="bob@example.com"]').length`, &n))
	if n != 1 {
		t.Errorf("Bob has %d rows", n)
	}

	// Reactivate brings him back among the active teammates.
	actStep(t, ctx, "reactivate Bob",
		chromedp.Click(gone+` button[type="submit"]`, chromedp.ByQuery),
		chromedp.WaitVisible(row, chromedp.ByQuery))
	if a, err := e.DB.Read().Admin(context.Background(), bob.ID); err != nil || !a.Active() {
		t.Errorf("Bob after reactivation: %+v %v", a, err)
	}
}

// A deactivated teammate is given no new work by any path: the Inbox's assign form, New ticket
// and the API all refuse, naming why, and change nothing.
func TestSettings_NoNewWorkForADeactivatedTeammate(t *testing.T) {
	e := start(t)
	c := e.signedIn(t)
	_, ana := settingsSignIn(t, e, "ana@example.com", store.RoleAgent)
	if r := c.post(fmt.Sprintf("/inbox/settings/teammates/%d/deactivate", ana.ID), nil); r.status != http.StatusSeeOther {
		t.Fatalf("deactivate: %d", r.status)
	}
	bo := e.CreateContact("bo@example.com", "Bo")
	conv := thrConversation(t, e, bo, "Hello")
	r := c.post(fmt.Sprintf("/inbox/conversations/%d/assign", conv), url.Values{"assignee_id": {fmt.Sprint(ana.ID)}})
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "is deactivated") {
		t.Errorf("assign in the Inbox: %d", r.status)
	}
	typ := e.CreateTicketType("Refund", ticket.Customer, nil)
	r = c.post("/inbox/tickets/new", newTicketForm(typ, "title", "X", "customer", "bo@example.com", "admin_id", fmt.Sprint(ana.ID)))
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "is deactivated") {
		t.Errorf("New ticket for her: %d", r.status)
	}
	api := e.Do("PUT", fmt.Sprintf("/api/conversations/%d/parts", conv), map[string]any{"message_type": "assignment", "type": "admin",
		"admin_id": fmt.Sprint(e.Mate.ID), "assignee_id": fmt.Sprint(ana.ID)})
	if api.Status < 400 || api.Status >= 500 {
		t.Errorf("assign through the API: %d %s", api.Status, api.Body)
	}
	if cv := thrLoadConversation(t, e, conv); cv.AdminAssigneeID != 0 {
		t.Errorf("assigned to %d", cv.AdminAssigneeID)
	}
}
