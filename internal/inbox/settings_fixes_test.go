package inbox_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/helpdesk/helpdesk/internal/identity"
	"github.com/helpdesk/helpdesk/internal/store"
	"github.com/helpdesk/helpdesk/internal/ticket"
)

// settingsSecretShown is the identity secret shown behind the Messenger page's Show disclosure,
// and whether the disclosure starts open; "" when there is none.
func settingsSecretShown(t *testing.T, body string) (secret string, open bool) {
	t.Helper()
	m := regexp.MustCompile(`<details class="[^"]*" id="settings-secret-show" (open)?>[\s\S]*?<input id="settings-secret" value="([^"]*)"[\s\S]*?</details>`).FindStringSubmatch(body)
	if m == nil {
		return "", false
	}
	return m[2], m[1] == "open"
}

func TestSettings_GeneratingASecretIsNotRepeatedByAReload(t *testing.T) {
	e := start(t)
	c := e.signedIn(t)
	ctx := context.Background()
	stored := func() string {
		t.Helper()
		v, err := e.DB.Read().Setting(ctx, "identity_secret")
		if err != nil {
			t.Fatal(err)
		}
		return v
	}

	// No secret yet: one button makes the first, no confirmation needed.
	p := c.get("/inbox/settings/messenger")
	if !regexp.MustCompile(`<form method="post" action="/inbox/settings/messenger/identity-secret/generate" class="settings-inline">\s*<button type="submit" class="primary">Generate a secret</button>`).MatchString(p.body) {
		t.Error("without a secret, the page does not offer to generate one")
	}
	if strings.Contains(p.body, `id="settings-secret-show"`) || strings.Contains(p.body, "Generate a new secret…") {
		t.Error("without a secret, the page offers to show or replace one")
	}

	// Generating redirects to the page, which shows the new secret open, however often it is
	// loaded: a reload makes no other secret.
	r := c.post("/inbox/settings/messenger/identity-secret/generate", nil)
	if r.status != http.StatusSeeOther || r.location != "/inbox/settings/messenger?done=secret-generated" {
		t.Fatalf("generate: %d %q", r.status, r.location)
	}
	first := stored()
	for range 2 {
		p := c.get(r.location)
		secret, open := settingsSecretShown(t, p.body)
		if p.status != http.StatusOK || secret != first || !open {
			t.Errorf("after generating: %d, shown %q (open %v), in force %q", p.status, secret, open, first)
		}
		if !strings.Contains(p.body, "A new identity secret was generated and saved") {
			t.Error("no confirmation")
		}
		if p.header.Get("Cache-Control") != "no-store" {
			t.Errorf("Cache-Control %q", p.header.Get("Cache-Control"))
		}
	}
	if stored() != first || len(first) != 43 {
		t.Fatalf("reloading changed the secret: %q then %q", first, stored())
	}

	// Later, the secret in force is shown behind a closed Show, and making a new one takes a
	// second step that warns what it does.
	p = c.get("/inbox/settings/messenger")
	if secret, open := settingsSecretShown(t, p.body); secret != first || open {
		t.Errorf("the secret in force: shown %q (open %v)", secret, open)
	}
	confirm := regexp.MustCompile(`<details class="settings-details settings-confirm" id="settings-secret-regenerate">\s*<summary>Generate a new secret…</summary>\s*<p class="settings-warning">Identities signed with the current secret are refused[\s\S]*?<form method="post" action="/inbox/settings/messenger/identity-secret/generate"[\s\S]*?</details>`)
	if !confirm.MatchString(p.body) || strings.Count(p.body, `action="/inbox/settings/messenger/identity-secret/generate"`) != 1 {
		t.Error("replacing the secret is not behind a confirmation that warns")
	}
	if r := c.post("/inbox/settings/messenger/identity-secret/generate", nil); r.status != http.StatusSeeOther {
		t.Fatalf("generate again: %d", r.status)
	}
	second := stored()
	if second == first {
		t.Fatal("no new secret")
	}
	if secret, _ := settingsSecretShown(t, c.get("/inbox/settings/messenger?done=secret-generated").body); secret != second {
		t.Errorf("shown %q, in force %q", secret, second)
	}
	jwt, err := identity.Sign(identity.Claims{UserID: "u-1", ExpiresAt: e.Clock.Now().Add(time.Hour)}, []byte(second))
	if err != nil {
		t.Fatal(err)
	}
	if got := e.client(t).get("/portal/login?jwt=" + url.QueryEscape(jwt)).status; got != http.StatusSeeOther {
		t.Errorf("the secret shown does not sign in: %d", got)
	}

	// Agents see it masked only.
	agent, _ := settingsSignIn(t, e, "ann@example.com", store.RoleAgent)
	p = agent.get("/inbox/settings/messenger?done=secret-generated")
	if strings.Contains(p.body, second) || strings.Contains(p.body, `id="settings-secret-show"`) || !strings.Contains(p.body, second[39:]+" (43 characters)") {
		t.Error("an agent sees the secret, or not its masked hint")
	}
}

func TestSettings_ANewTokenIsShownOnceAndAReloadMakesNoOther(t *testing.T) {
	e := start(t)
	c := e.signedIn(t)
	ctx := context.Background()
	tokens := func() []store.Token {
		t.Helper()
		list, err := e.DB.Read().AdminTokens(ctx, e.Mate.ID)
		if err != nil {
			t.Fatal(err)
		}
		return list
	}
	newToken := regexp.MustCompile(`id="settings-new-token" value="(hd_[A-Za-z0-9_-]+)"`)

	r := c.post("/inbox/settings/tokens", url.Values{"name": {"CI"}})
	if r.status != http.StatusSeeOther || r.location != "/inbox/settings/tokens?done=token-created" {
		t.Fatalf("create: %d %q", r.status, r.location)
	}
	// The token goes to the next page in a cookie for that page only, for a minute, never to
	// scripts nor with requests from other sites.
	set := r.header.Values("Set-Cookie")
	if len(set) != 1 || !strings.HasPrefix(set[0], "helpdesk_new_token=") {
		t.Fatalf("Set-Cookie %q", set)
	}
	for _, want := range []string{"Path=/inbox/settings/tokens", "Max-Age=60", "HttpOnly", "SameSite=Strict"} {
		if !strings.Contains(set[0], want) {
			t.Errorf("the cookie lacks %s: %s", want, set[0])
		}
	}

	p := c.get(r.location)
	token := newToken.FindStringSubmatch(p.body)
	if p.status != http.StatusOK || token == nil {
		t.Fatalf("the new token is not shown: %d", p.status)
	}
	if p.header.Get("Cache-Control") != "no-store" {
		t.Errorf("Cache-Control %q", p.header.Get("Cache-Control"))
	}
	if del := p.header.Get("Set-Cookie"); !strings.HasPrefix(del, "helpdesk_new_token=;") || !strings.Contains(del, "Max-Age=0") {
		t.Errorf("the page does not delete the cookie: %q", del)
	}
	if !strings.Contains(p.body, "Your new token “CI”") || strings.Contains(p.body, `class="flash"`) {
		t.Error("the token's box does not name it, or a flash repeats it")
	}
	if me := e.DoWith(token[1], "GET", "/api/me", nil); me.Status != http.StatusOK {
		t.Errorf("the token shown does not work: %d", me.Status)
	}

	// A reload shows it no more, and makes no second token.
	p = c.get(r.location)
	if newToken.MatchString(p.body) || strings.Contains(p.body, token[1]) || !strings.Contains(p.body, "It was shown once") {
		t.Error("a reload shows the token again, or does not say it was shown once")
	}
	if n := len(tokens()); n != 1 {
		t.Errorf("%d tokens after a reload, want 1", n)
	}

	// A token planted in the cookie is shown only if it is the teammate's own.
	if p := c.get("/inbox/settings/tokens", "Cookie", "helpdesk_new_token=1."+e.Token); strings.Contains(p.body, e.Token) {
		t.Error("another teammate's token is shown")
	}

	// Two tokens of the same name are told apart by when they were made, to the second, and the
	// page says why no part of the token is shown.
	e.Clock.Advance(7 * time.Second)
	if r := c.post("/inbox/settings/tokens", url.Values{"name": {"CI"}}); r.status != http.StatusSeeOther {
		t.Fatalf("create again: %d", r.status)
	}
	list := tokens()
	if len(list) != 2 {
		t.Fatalf("%d tokens", len(list))
	}
	p = c.get("/inbox/settings/tokens")
	for _, tk := range list {
		when := tk.CreatedAt.UTC().Format("2 Jan 2006, 15:04:05 UTC")
		if !regexp.MustCompile(`<tr data-token="` + fmt.Sprint(tk.ID) + `"><td>CI</td><td><time[^>]*>` + regexp.QuoteMeta(when) + `</time>`).MatchString(p.body) {
			t.Errorf("token %d is not listed with its time to the second (%s)", tk.ID, when)
		}
	}
	if !strings.Contains(p.body, "keeps only a hash of each token") {
		t.Error("the page does not say why tokens are told apart by time")
	}

	// Revoking takes a second step, inside a disclosure that says what it does; no inline script.
	revoke := regexp.MustCompile(`<details class="settings-manage settings-confirm">\s*<summary>Revoke…<span class="settings-sr"> CI, created [^<]*</span></summary>\s*<p>Whatever uses this token stops working[^<]*</p>\s*<form method="post" action="/inbox/settings/tokens/(\d+)/revoke"`)
	if got := revoke.FindAllStringSubmatch(p.body, -1); len(got) != 2 {
		t.Errorf("%d revoke confirmations, want 2", len(got))
	}
	if strings.Contains(p.body, "onclick") || strings.Contains(p.body, "onsubmit") {
		t.Error("inline script")
	}
}

func TestSettings_TheLogoIsHTTPSOrAPathOnThisServer(t *testing.T) {
	e := start(t)
	c := e.signedIn(t)
	stored := func() string {
		v, _ := e.DB.Read().Setting(context.Background(), "messenger_logo_url")
		return v
	}
	for _, logo := range []string{"http://cdn.example.com/logo.png", "http://localhost.example.com/logo.png", "ftp://example.com/logo.png"} {
		r := c.post("/inbox/settings/messenger/logo", url.Values{"logo_url": {logo}})
		if r.status != http.StatusUnprocessableEntity || !strings.Contains(settingsFieldError(t, r.body, "logo-url"), "Must be an https:// URL") {
			t.Errorf("%s: %d", logo, r.status)
		}
		if stored() != "" {
			t.Fatalf("%s was saved", logo)
		}
	}
	if msg := settingsFieldError(t, c.post("/inbox/settings/messenger/logo", url.Values{"logo_url": {"http://cdn.example.com/logo.png"}}).body, "logo-url"); !strings.Contains(msg, "does not show in https pages") {
		t.Errorf("the refusal of http:// does not say why: %q", msg)
	}
	// https, a path here, and http on this machine (for development) are fine.
	for _, logo := range []string{"https://cdn.example.com/logo.png", "/static/logo.png", "http://localhost:8080/logo.png", "http://127.0.0.1/logo.png", "http://[::1]:8080/logo.png"} {
		if r := c.post("/inbox/settings/messenger/logo", url.Values{"logo_url": {logo}}); r.status != http.StatusSeeOther || stored() != logo {
			t.Errorf("%s: %d, stored %q", logo, r.status, stored())
		}
	}
}

// settingsTeammateRowOf is the row of the teammates table of the teammate with email.
func settingsTeammateRowOf(t *testing.T, body, email string) string {
	t.Helper()
	m := regexp.MustCompile(`<tr data-teammate="` + regexp.QuoteMeta(email) + `">[\s\S]*?</tr>`).FindString(body)
	if m == "" {
		t.Fatalf("no row for %s", email)
	}
	return m
}

func TestSettings_ManageIsOfferedOnlyWhereTheTeammateMayAct(t *testing.T) {
	e := start(t) // Mia is an admin; Olive (e.Admin) is made an owner
	ctx := context.Background()
	if err := e.DB.Tx(ctx, func(tx *store.Tx) error { return tx.SetAdminRole(ctx, e.Admin.ID, store.RoleOwner) }); err != nil {
		t.Fatal(err)
	}
	_, ann := settingsSignIn(t, e, "ann@example.com", store.RoleAgent)
	selected := func(row, role string) bool {
		return regexp.MustCompile(`<option value="` + role + `" selected>` + role + `</option>`).MatchString(row)
	}

	// An admin manages agents and admins, never owners.
	p := e.signedIn(t).get("/inbox/settings/teammates")
	owner := settingsTeammateRowOf(t, p.body, e.Admin.Email)
	if strings.Contains(owner, "Manage") || strings.Contains(owner, "/role") || strings.Contains(owner, "/password") ||
		!strings.Contains(owner, "Only an owner changes an owner.") {
		t.Errorf("an admin is offered changes to an owner: %s", owner)
	}
	agent := settingsTeammateRowOf(t, p.body, ann.Email)
	if !strings.Contains(agent, fmt.Sprintf(`action="/inbox/settings/teammates/%d/role"`, ann.ID)) || !selected(agent, "agent") ||
		strings.Contains(agent, `value="owner"`) {
		t.Errorf("an admin's view of an agent: %s", agent)
	}
	if self := settingsTeammateRowOf(t, p.body, mateEmail); !selected(self, "admin") {
		t.Errorf("an admin's own row does not show admin: %s", self)
	}

	// An owner manages everyone, and an owner's role shows as owner.
	olive := e.client(t)
	e.setPassword(t, e.Admin.ID, "olive's password")
	if r := olive.post("/inbox/login", url.Values{"email": {e.Admin.Email}, "password": {"olive's password"}}); r.status != http.StatusSeeOther {
		t.Fatalf("owner sign-in: %d", r.status)
	}
	p = olive.get("/inbox/settings/teammates")
	owner = settingsTeammateRowOf(t, p.body, e.Admin.Email)
	if !strings.Contains(owner, "Manage") || !selected(owner, "owner") || selected(owner, "agent") {
		t.Errorf("an owner's view of an owner: %s", owner)
	}
	if agent := settingsTeammateRowOf(t, p.body, ann.Email); !selected(agent, "agent") || !strings.Contains(agent, `value="owner"`) {
		t.Errorf("an owner's view of an agent: %s", agent)
	}
}

func TestSettings_TrackerAttributesHaveNoCustomerFlags(t *testing.T) {
	e := start(t)
	c := e.signedIn(t)
	outage := e.CreateTicketType("Outage", ticket.Tracker, nil)
	refund := e.CreateTicketType("Refund", ticket.Customer, nil)
	customerFlags := []string{`name="visible_to_contacts"`, `name="required_to_create_for_contacts"`, "Visible to customers", "Hidden from customers"}

	p := c.get(fmt.Sprintf("/inbox/settings/ticket-types/%d", outage.ID))
	for _, flag := range customerFlags {
		if strings.Contains(p.body, flag) {
			t.Errorf("a Tracker type's page shows %s", flag)
		}
	}
	if !strings.Contains(p.body, "Customers never see a Tracker ticket") || !strings.Contains(p.body, "Tracker tickets are never shared with customers") {
		t.Error("the Tracker type's page does not say why there are no customer flags")
	}
	title := outage.Attributes[0]
	p = c.get(fmt.Sprintf("/inbox/settings/ticket-types/%d/attributes/%d", outage.ID, title.ID))
	if strings.Contains(p.body, `name="visible_to_contacts"`) || !strings.Contains(p.body, "Customers never see a Tracker ticket") {
		t.Error("a Tracker attribute's page offers customer flags, or does not say why not")
	}
	p = c.get(fmt.Sprintf("/inbox/settings/ticket-types/%d", refund.ID))
	for _, flag := range customerFlags[:3] {
		if !strings.Contains(p.body, flag) {
			t.Errorf("a Customer type's page lacks %s", flag)
		}
	}

	// Sent anyway, they are ignored: a new attribute is hidden from customers, an edited one
	// keeps what it had.
	r := c.post(fmt.Sprintf("/inbox/settings/ticket-types/%d/attributes", outage.ID), url.Values{"name": {"Region"}, "data_type": {"string"},
		"visible_on_create": {"on"}, "visible_to_contacts": {"on"}, "required_to_create_for_contacts": {"on"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("add: %d %s", r.status, r.body)
	}
	r = c.post(fmt.Sprintf("/inbox/settings/ticket-types/%d/attributes/%d", outage.ID, title.ID), url.Values{"description": {"Headline"},
		"visible_on_create": {"on"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("edit: %d %s", r.status, r.body)
	}
	got := e.MustDo(http.StatusOK, "GET", fmt.Sprintf("/api/ticket_types/%d", outage.ID), nil)
	if a := settingsAttr(t, got, "Region"); a["visible_to_contacts"] != false || a["required_to_create_for_contacts"] != false {
		t.Errorf("the new attribute: %v", a)
	}
	if a := settingsAttr(t, got, ticket.TitleAttribute); a["description"] != "Headline" || a["visible_to_contacts"] != true {
		t.Errorf("the edited title: %v", a)
	}
}

func TestSettings_TeamRefusalsAndConfirmationsNameWhatTheyAreAbout(t *testing.T) {
	e := start(t)
	c := e.signedIn(t)
	billing := e.CreateTeam("Billing")
	typ := e.CreateTicketType("Refund", ticket.Customer, nil)
	reportTicket(t, e, typ, billing.ID, "Double charge")

	// A refused delete links to the team's work in the Inbox.
	r := c.post(fmt.Sprintf("/inbox/settings/teams/%d/delete", billing.ID), nil)
	view := fmt.Sprintf("/inbox/views/team-%d", billing.ID)
	if r.status != http.StatusConflict || !strings.Contains(r.body, "reassign it to another team first.\n    <a href=\""+view+"\" id=\"settings-team-work\">Show Billing's work in the Inbox</a>") {
		t.Fatalf("refused delete: %d %s", r.status, r.body)
	}
	if p := c.get(view); p.status != http.StatusOK || !strings.Contains(p.body, "Double charge") {
		t.Errorf("the link does not lead to the work: %d", p.status)
	}

	// Adding and removing a member names both.
	r = c.post(fmt.Sprintf("/inbox/settings/teams/%d/members", billing.ID), url.Values{"admin_id": {fmt.Sprint(e.Mate.ID)}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("add member: %d", r.status)
	}
	if p := c.get(r.location); !strings.Contains(p.body, `<p class="flash" role="status">Mia Mate added to Billing.</p>`) {
		t.Errorf("after adding %q: no confirmation naming the teammate and the team", r.location)
	}
	r = c.post(fmt.Sprintf("/inbox/settings/teams/%d/members/%d/remove", billing.ID, e.Mate.ID), nil)
	if p := c.get(r.location); !strings.Contains(p.body, `<p class="flash" role="status">Mia Mate removed from Billing.</p>`) {
		t.Errorf("after removing %q: no confirmation naming the teammate and the team", r.location)
	}
	// Words come from the database only: a made-up team is not named.
	if p := c.get("/inbox/settings/teams?done=member-added&team=999&admin=1"); !strings.Contains(p.body, `<p class="flash" role="status">Teammate added to the team.</p>`) {
		t.Error("an unknown team in the link changes the confirmation")
	}
}

// A new attribute is visible to customers by default on a Customer type only: a Back-office
// type's fields stay internal unless a teammate ticks the box.
func TestTT2_NewAttributesAreInternalByDefaultOutsideCustomerTypes(t *testing.T) {
	e := start(t)
	c := e.signedIn(t)
	for _, tc := range []struct {
		category ticket.Category
		checked  bool
	}{{ticket.Customer, true}, {ticket.BackOffice, false}} {
		typ := e.CreateTicketType(string(tc.category)+" type", tc.category, nil)
		body := c.get(fmt.Sprintf("/inbox/settings/ticket-types/%d", typ.ID)).body
		i := strings.Index(body, `id="attr-visible-to-contacts"`)
		if i < 0 {
			t.Fatalf("%s: no visibility box", tc.category)
		}
		tag := body[i : i+strings.Index(body[i:], ">")]
		if got := strings.Contains(tag, "checked"); got != tc.checked {
			t.Errorf("%s: visible to customers ticked %v, want %v", tc.category, got, tc.checked)
		}
	}
}
