package inbox_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/helpdesk/helpdesk/internal/apitest"
	"github.com/helpdesk/helpdesk/internal/auth"
	"github.com/helpdesk/helpdesk/internal/config"
	"github.com/helpdesk/helpdesk/internal/identity"
	"github.com/helpdesk/helpdesk/internal/store"
	"github.com/helpdesk/helpdesk/internal/ticket"
)

// settingsStart is start with a configuration of the test's own.
func settingsStart(t *testing.T, configure func(*config.Config)) *env {
	t.Helper()
	e := &env{Env: apitest.StartWith(t, configure), password: matePassword}
	e.Mate = e.CreateAdminWithPassword(mateEmail, "Mia Mate", matePassword)
	return e
}

// settingsSignIn is a client signed in as another teammate, of the given role.
func settingsSignIn(t *testing.T, e *env, email, role string) (*client, store.Admin) {
	t.Helper()
	hash, err := auth.HashPassword("password of " + email)
	if err != nil {
		t.Fatal(err)
	}
	a := store.Admin{Email: email, Name: "Agent " + email, Role: role, PasswordHash: hash, CreatedAt: e.Clock.Now()}
	if err := e.DB.Tx(context.Background(), func(tx *store.Tx) error { return tx.CreateAdmin(context.Background(), &a) }); err != nil {
		t.Fatal(err)
	}
	c := e.client(t)
	if r := c.post("/inbox/login", url.Values{"email": {email}, "password": {"password of " + email}}); r.status != http.StatusSeeOther {
		t.Fatalf("sign in as %s: %d", email, r.status)
	}
	return c, a
}

// settingsFieldError checks that the control with id is marked invalid and points at an error
// shown right after it, and returns the error's text.
func settingsFieldError(t *testing.T, body, id string) string {
	t.Helper()
	at := strings.Index(body, `id="`+id+`"`)
	if at < 0 {
		t.Fatalf("no control #%s in the page", id)
	}
	tagStart := strings.LastIndex(body[:at], "<")
	tag := body[tagStart : tagStart+strings.Index(body[tagStart:], ">")+1]
	if !strings.Contains(tag, `aria-invalid="true"`) || !strings.Contains(tag, `aria-describedby="`+id+`-error"`) {
		t.Errorf("control #%s is not marked invalid: %s", id, tag)
	}
	m := regexp.MustCompile(`<p class="settings-error" id="` + regexp.QuoteMeta(id) + `-error">([^<]*)</p>`).FindStringIndex(body)
	if m == nil {
		t.Fatalf("no error for #%s", id)
	}
	if m[0] < at || m[0]-at > 700 {
		t.Errorf("the error of #%s is not next to it (%d characters away)", id, m[0]-at)
	}
	text := regexp.MustCompile(`>([^<]*)</p>$`).FindStringSubmatch(body[m[0]:m[1]])[1]
	return html.UnescapeString(text)
}

// settingsCreated reads the id a creation redirected to.
func settingsCreated(t *testing.T, r response, prefix string) string {
	t.Helper()
	if r.status != http.StatusSeeOther || !strings.HasPrefix(r.location, prefix) {
		t.Fatalf("want a redirect to %s…, got %d %q: %s", prefix, r.status, r.location, r.body)
	}
	id, _, _ := strings.Cut(strings.TrimPrefix(r.location, prefix), "?")
	return id
}

func settingsAttr(t *testing.T, typ map[string]any, name string) map[string]any {
	t.Helper()
	list := typ["ticket_type_attributes"].(map[string]any)["ticket_type_attributes"].([]any)
	for _, a := range list {
		if a := a.(map[string]any); a["name"] == name {
			return a
		}
	}
	return nil
}

// settingsItems are the labels of a list attribute's items, as the API shows them.
func settingsItems(opts map[string]any) string {
	var labels []string
	items, _ := opts["list_items"].([]any)
	for _, it := range items {
		labels = append(labels, fmt.Sprint(it.(map[string]any)["label"]))
	}
	return strings.Join(labels, "|")
}

func TestTT4_BackOfficeSharingToggle(t *testing.T) {
	e := start(t)
	c := e.signedIn(t)
	isInternal := func(id string) bool {
		t.Helper()
		return e.MustDo(http.StatusOK, "GET", "/api/ticket_types/"+id, nil)["is_internal"].(bool)
	}
	create := func(name, category string, sharing bool) string {
		t.Helper()
		f := url.Values{"name": {name}, "description": {"d"}, "icon": {"🕵️"}, "category": {category}}
		if sharing {
			f.Set("sharing", "on")
		}
		return settingsCreated(t, c.post("/inbox/settings/ticket-types", f), "/inbox/settings/ticket-types/")
	}

	// A Back-office type leaves sharing off unless the toggle says so (TT4).
	fraud := create("Fraud investigation", "Back-office", false)
	if !isInternal(fraud) {
		t.Error("a Back-office type made without the toggle allows sharing")
	}
	page := c.get("/inbox/settings/ticket-types/" + fraud)
	if page.status != http.StatusOK || !strings.Contains(page.body, "Back-office · Internal only") || strings.Contains(page.body, `name="sharing" value="on" checked`) {
		t.Errorf("type page: %d, toggle shown on", page.status)
	}
	// Turning it on allows sharing, and off again forbids it.
	save := func(sharing bool) {
		t.Helper()
		f := url.Values{"name": {"Fraud investigation"}, "description": {"d"}, "icon": {"🕵️"}, "category": {"Back-office"}}
		if sharing {
			f.Set("sharing", "on")
		}
		if r := c.post("/inbox/settings/ticket-types/"+fraud, f); r.status != http.StatusSeeOther {
			t.Fatalf("save: %d %s", r.status, r.body)
		}
	}
	save(true)
	if isInternal(fraud) {
		t.Error("the toggle on did not allow sharing")
	}
	if page := c.get("/inbox/settings/ticket-types/" + fraud); !strings.Contains(page.body, `name="sharing" value="on" checked`) {
		t.Error("the toggle is not shown on")
	}
	if list := c.get("/inbox/settings/ticket-types"); !strings.Contains(list.body, "Sharing allowed") {
		t.Error("the list does not say the type allows sharing")
	}
	save(false)
	if !isInternal(fraud) {
		t.Error("the toggle off did not forbid sharing")
	}
	if shared := create("Refund request", "Back-office", true); isInternal(shared) {
		t.Error("a Back-office type made with the toggle on does not allow sharing")
	}
	// The toggle means nothing to the other categories: Customer tickets are always shared,
	// Tracker tickets never.
	if id := create("Question", "Customer", false); isInternal(id) {
		t.Error("a Customer type is internal")
	}
	if id := create("Outage", "Tracker", true); !isInternal(id) {
		t.Error("a Tracker type allows sharing")
	}
}

func TestTT5_AttributeValidationErrorsShowNextToTheField(t *testing.T) {
	e := start(t)
	c := e.signedIn(t)
	typ := e.CreateTicketType("Bug", ticket.Customer, nil, ticket.Attribute{Name: "Plan", Description: "Plan",
		DataType: ticket.List, ListItems: []string{"Free", "Pro"}, VisibleOnCreate: true, VisibleToContacts: true})
	path := fmt.Sprintf("/inbox/settings/ticket-types/%d", typ.ID)
	attrCount := func() int {
		t.Helper()
		v := e.MustDo(http.StatusOK, "GET", fmt.Sprintf("/api/ticket_types/%d", typ.ID), nil)
		return len(v["ticket_type_attributes"].(map[string]any)["ticket_type_attributes"].([]any))
	}
	before := attrCount()

	good := url.Values{"name": {"Severity"}, "description": {"How bad"}, "data_type": {"string"},
		"visible_on_create": {"on"}, "visible_to_contacts": {"on"}}
	with := func(changes ...string) url.Values {
		f := url.Values{}
		for k, v := range good {
			f[k] = slices.Clone(v)
		}
		for i := 0; i+1 < len(changes); i += 2 {
			if changes[i+1] == "" {
				f.Del(changes[i])
			} else {
				f.Set(changes[i], changes[i+1])
			}
		}
		return f
	}
	cases := []struct {
		name    string
		form    url.Values
		control string
		want    string
	}{
		{"blank name", with("name", " "), "attr-name", "Must not be blank"},
		{"taken name", with("name", "plan"), "attr-name", `already has an attribute named "Plan"`},
		{"reserved name", with("name", "_default_x"), "attr-name", "reserved"},
		{"list without items", with("data_type", "list", "list_items", "\n \n"), "attr-items", "at least one item"},
		{"items on a number", with("data_type", "integer", "list_items", "a\nb"), "attr-items", "only list attributes"},
		{"several lines of a number", with("data_type", "decimal", "multiline", "on"), "attr-multiline", "only string attributes"},
		{"several values of a boolean", with("data_type", "boolean", "allow_multiple_values", "on"), "attr-multiple", "only list and files"},
		{"required for customers but hidden", with("required_to_create_for_contacts", "on", "visible_to_contacts", ""), "attr-required-contacts", "has to be visible"},
		{"required for teammates but not on the form", with("required_to_create", "on", "visible_on_create", ""), "attr-required", "visible on the create form"},
		{"unknown data type", with("data_type", "colour"), "attr-type", "must be one of"},
		{"NUL in the description", with("description", "a\x00b"), "attr-description", "without NUL"},
		{"bytes that are not UTF-8", with("description", "caf\xe9"), "attr-description", "without NUL"},
	}
	for _, tc := range cases {
		r := c.post(path+"/attributes", tc.form)
		if r.status != http.StatusUnprocessableEntity {
			t.Errorf("%s: status %d", tc.name, r.status)
			continue
		}
		if msg := settingsFieldError(t, r.body, tc.control); !strings.Contains(strings.ToLower(msg), strings.ToLower(tc.want)) {
			t.Errorf("%s: error %q, want %q", tc.name, msg, tc.want)
		}
		// What was typed is kept.
		if name := tc.form.Get("name"); strings.TrimSpace(name) != "" && !strings.Contains(r.body, `value="`+html.EscapeString(name)+`"`) {
			t.Errorf("%s: the name typed is lost", tc.name)
		}
	}
	if n := attrCount(); n != before {
		t.Errorf("refused attributes were written: %d attributes, want %d", n, before)
	}

	// Editing: the same rules, the error beside the field, nothing written.
	plan := typ.Attributes[len(typ.Attributes)-1]
	edit := fmt.Sprintf("%s/attributes/%d", path, plan.ID)
	r := c.post(edit, url.Values{"name": {"Plan"}, "description": {"Plan"}, "list_items": {""}, "has_allow_multiple_values": {"1"},
		"visible_on_create": {"on"}, "visible_to_contacts": {"on"}})
	if r.status != http.StatusUnprocessableEntity {
		t.Fatalf("edit with no items: %d", r.status)
	}
	if msg := settingsFieldError(t, r.body, "attr-items"); !strings.Contains(msg, "at least one item") {
		t.Errorf("edit: error %q", msg)
	}
	got := settingsAttr(t, e.MustDo(http.StatusOK, "GET", fmt.Sprintf("/api/ticket_types/%d", typ.ID), nil), "Plan")
	if items := got["input_options"].(map[string]any)["list_items"]; fmt.Sprint(items) == "[]" || items == nil {
		t.Errorf("a refused edit changed the items: %v", got["input_options"])
	}

	// The type's own form too.
	r = c.post(path, url.Values{"name": {""}, "category": {"Customer"}})
	if r.status != http.StatusUnprocessableEntity {
		t.Fatalf("blank type name: %d", r.status)
	}
	if msg := settingsFieldError(t, r.body, "edit-type-name"); !strings.Contains(msg, "blank") {
		t.Errorf("type name error %q", msg)
	}
	// The category is fixed once the type has tickets.
	pat := e.CreateContact("pat@example.com", "Pat")
	e.MustDo(http.StatusOK, "POST", "/api/tickets", map[string]any{"ticket_type_id": fmt.Sprint(typ.ID),
		"contacts": []any{map[string]any{"id": fmt.Sprint(pat.ID)}}, "ticket_attributes": map[string]any{"_default_title_": "Crash"}})
	r = c.post(path, url.Values{"name": {"Bug"}, "category": {"Tracker"}})
	if msg := settingsFieldError(t, r.body, "edit-type-category"); r.status != http.StatusUnprocessableEntity || !strings.Contains(msg, "already has tickets") {
		t.Errorf("category change of a type with tickets: %d %q", r.status, msg)
	}
	if got := e.MustDo(http.StatusOK, "GET", fmt.Sprintf("/api/ticket_types/%d", typ.ID), nil)["category"]; got != "Customer" {
		t.Errorf("category changed to %v", got)
	}
	r = c.post("/inbox/settings/ticket-types", url.Values{"name": {"bug"}, "category": {"Customer"}})
	if msg := settingsFieldError(t, r.body, "new-type-name"); r.status != http.StatusUnprocessableEntity || !strings.Contains(msg, "already exists") {
		t.Errorf("taken type name: %d %q", r.status, msg)
	}
}

func TestTT2_AttributesAreEditedReorderedAndArchived(t *testing.T) {
	e := start(t)
	c := e.signedIn(t)
	typ := e.CreateTicketType("Bug", ticket.Customer, nil)
	path := fmt.Sprintf("/inbox/settings/ticket-types/%d", typ.ID)
	add := func(f url.Values) {
		t.Helper()
		if r := c.post(path+"/attributes", f); r.status != http.StatusSeeOther {
			t.Fatalf("add %s: %d %s", f.Get("name"), r.status, r.body)
		}
	}
	add(url.Values{"name": {"Plan"}, "description": {"Which plan"}, "data_type": {"list"}, "list_items": {"Free\nPro, yearly\n\nEnterprise"},
		"allow_multiple_values": {"on"}, "visible_on_create": {"on"}, "visible_to_contacts": {"on"}})
	add(url.Values{"name": {"Steps"}, "description": {"To reproduce"}, "data_type": {"string"}, "multiline": {"on"},
		"required_to_create": {"on"}, "visible_on_create": {"on"}})
	get := func() map[string]any {
		return e.MustDo(http.StatusOK, "GET", fmt.Sprintf("/api/ticket_types/%d", typ.ID), nil)
	}
	plan, steps := settingsAttr(t, get(), "Plan"), settingsAttr(t, get(), "Steps")
	if opts := plan["input_options"].(map[string]any); opts["allow_multiple_values"] != true || settingsItems(opts) != "Free|Pro, yearly|Enterprise" {
		t.Errorf("plan: %v", opts)
	}
	if steps["required_to_create"] != true || steps["visible_to_contacts"] != false || steps["order"].(float64) != 3 {
		t.Errorf("steps: %v", steps)
	}

	// Edit: rename, new items, required for customers.
	planID := apitest.ID(plan)
	r := c.post(path+"/attributes/"+planID, url.Values{"name": {"Subscription"}, "description": {"Which plan"},
		"list_items": {"Free\nPro"}, "has_allow_multiple_values": {"1"}, "visible_on_create": {"on"}, "visible_to_contacts": {"on"},
		"required_to_create_for_contacts": {"on"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("edit: %d %s", r.status, r.body)
	}
	sub := settingsAttr(t, get(), "Subscription")
	if sub == nil || sub["required_to_create_for_contacts"] != true || settingsItems(sub["input_options"].(map[string]any)) != "Free|Pro" {
		t.Errorf("edited: %v", sub)
	}
	// Reorder: Steps to the top.
	if r := c.post(path+"/attributes/"+apitest.ID(steps)+"/move", url.Values{"order": {"0"}}); r.status != http.StatusSeeOther {
		t.Fatalf("move: %d %s", r.status, r.body)
	}
	if o := settingsAttr(t, get(), "Steps")["order"]; o.(float64) != 0 {
		t.Errorf("moved to %v", o)
	}
	page := c.get(path)
	if strings.Index(page.body, `data-attribute="Steps"`) > strings.Index(page.body, `data-attribute="_default_title_"`) {
		t.Error("the page does not list the attributes in order")
	}
	// Out of range is refused, with the rule's words.
	if r := c.post(path+"/attributes/"+apitest.ID(steps)+"/move", url.Values{"order": {"9"}}); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "Must be between 0 and 3") {
		t.Errorf("move out of range: %d", r.status)
	}
	// Archive and restore; built-in attributes cannot be archived.
	if r := c.post(path+"/attributes/"+planID+"/archive", url.Values{"archived": {"true"}}); r.status != http.StatusSeeOther {
		t.Fatalf("archive: %d", r.status)
	}
	if settingsAttr(t, get(), "Subscription")["archived"] != true {
		t.Error("not archived")
	}
	title := settingsAttr(t, get(), ticket.TitleAttribute)
	if r := c.post(path+"/attributes/"+apitest.ID(title)+"/archive", url.Values{"archived": {"true"}}); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "Built-in attributes cannot be archived") {
		t.Errorf("archive a built-in attribute: %d", r.status)
	}
	// A built-in attribute's page has no name field; its flags can change.
	if p := c.get(path + "/attributes/" + apitest.ID(title)); p.status != http.StatusOK || strings.Contains(p.body, `id="attr-name"`) {
		t.Errorf("built-in attribute page: %d", p.status)
	}
	// Archive the type.
	if r := c.post(path+"/archive", url.Values{"archived": {"true"}}); r.status != http.StatusSeeOther {
		t.Fatalf("archive type: %d", r.status)
	}
	if get()["archived"] != true {
		t.Error("type not archived")
	}
	if p := c.get("/inbox/settings/ticket-types"); !strings.Contains(p.body, "Archived") {
		t.Error("the list does not say the type is archived")
	}
	// Unknown ones are not found.
	for _, p := range []string{"/inbox/settings/ticket-types/999", path + "/attributes/999", "/inbox/settings/ticket-types/x"} {
		if r := c.get(p); r.status != http.StatusNotFound {
			t.Errorf("GET %s: %d", p, r.status)
		}
	}
	if r := c.post(path+"/attributes/999", url.Values{"description": {"x"}}); r.status != http.StatusNotFound {
		t.Errorf("edit of no attribute: %d", r.status)
	}
}

func TestSettings_TeammatesTeamsAndTokens(t *testing.T) {
	e := start(t)
	c := e.signedIn(t)
	ctx := context.Background()

	// A teammate is added with a password they sign in with, hashed.
	r := c.post("/inbox/settings/teammates", url.Values{"email": {"ana@example.com"}, "name": {"Ana Agent"}, "role": {"agent"},
		"password": {"ana's own password"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("add teammate: %d %s", r.status, r.body)
	}
	ana, err := e.DB.Read().AdminByEmail(ctx, "ana@example.com")
	if err != nil || ana.Role != store.RoleAgent || ana.Name != "Ana Agent" || strings.Contains(ana.PasswordHash, "ana's own") {
		t.Fatalf("teammate: %+v %v", ana, err)
	}
	if r := e.client(t).post("/inbox/login", url.Values{"email": {"ana@example.com"}, "password": {"ana's own password"}}); r.status != http.StatusSeeOther {
		t.Errorf("the new teammate cannot sign in: %d", r.status)
	}
	if p := c.get("/inbox/settings/teammates"); !strings.Contains(p.body, "Ana Agent") || !strings.Contains(p.body, "ana@example.com") {
		t.Error("the teammate is not listed")
	}
	for _, tc := range []struct {
		form          url.Values
		control, want string
	}{
		{url.Values{"email": {"ANA@example.com"}, "name": {"Ana"}, "role": {"agent"}, "password": {"long enough"}}, "mate-email", "already exists"},
		{url.Values{"email": {"not an email"}, "name": {"X"}, "role": {"agent"}, "password": {"long enough"}}, "mate-email", "email address"},
		{url.Values{"email": {"x@example.com"}, "name": {"X"}, "role": {"agent"}, "password": {"short"}}, "mate-password", "at least 8"},
		{url.Values{"email": {"x@example.com"}, "name": {" "}, "role": {"agent"}, "password": {"long enough"}}, "mate-name", "blank"},
		// Mia is an admin: only an owner adds an owner.
		{url.Values{"email": {"x@example.com"}, "name": {"X"}, "role": {"owner"}, "password": {"long enough"}}, "mate-role", "only an owner"},
	} {
		r := c.post("/inbox/settings/teammates", tc.form)
		if r.status != http.StatusUnprocessableEntity {
			t.Errorf("%v: %d", tc.form, r.status)
			continue
		}
		if msg := settingsFieldError(t, r.body, tc.control); !strings.Contains(strings.ToLower(msg), strings.ToLower(tc.want)) {
			t.Errorf("%v: %q", tc.form, msg)
		}
		if strings.Contains(r.body, "long enough") {
			t.Error("the password is echoed")
		}
	}
	if _, err := e.DB.Read().AdminByEmail(ctx, "x@example.com"); err == nil {
		t.Error("a refused teammate was added")
	}

	// Teams: create, add a member, remove them.
	if r := c.post("/inbox/settings/teams", url.Values{"name": {"Billing"}}); r.status != http.StatusSeeOther {
		t.Fatalf("create team: %d %s", r.status, r.body)
	}
	team, err := e.DB.Read().TeamByName(ctx, "billing")
	if err != nil {
		t.Fatal(err)
	}
	if r := c.post("/inbox/settings/teams", url.Values{"name": {"BILLING"}}); r.status != http.StatusUnprocessableEntity ||
		!strings.Contains(settingsFieldError(t, r.body, "team-name"), "already exists") {
		t.Errorf("a taken team name: %d", r.status)
	}
	teamPath := fmt.Sprintf("/inbox/settings/teams/%d/members", team.ID)
	if r := c.post(teamPath, url.Values{"admin_id": {fmt.Sprint(ana.ID)}}); r.status != http.StatusSeeOther {
		t.Fatalf("add member: %d %s", r.status, r.body)
	}
	apiTeam := e.MustDo(http.StatusOK, "GET", fmt.Sprintf("/api/teams/%d", team.ID), nil)
	if fmt.Sprint(apiTeam["admin_ids"]) != fmt.Sprintf("[%d]", ana.ID) {
		t.Errorf("team members: %v", apiTeam["admin_ids"])
	}
	if p := c.get("/inbox/settings/teams"); !strings.Contains(p.body, "Remove Ana Agent from Billing") {
		t.Error("the member is not listed with a Remove button")
	}
	if p := c.get("/inbox/settings/teammates"); !regexp.MustCompile(`ana@example.com</td><td>agent</td>\s*<td>Billing</td>`).MatchString(p.body) {
		t.Error("the teammates list does not show Ana's team")
	}
	if r := c.post(fmt.Sprintf("%s/%d/remove", teamPath, ana.ID), nil); r.status != http.StatusSeeOther {
		t.Fatalf("remove member: %d", r.status)
	}
	if got := e.MustDo(http.StatusOK, "GET", fmt.Sprintf("/api/teams/%d", team.ID), nil)["admin_ids"]; fmt.Sprint(got) != "[]" {
		t.Errorf("after removal: %v", got)
	}
	if r := c.post("/inbox/settings/teams/999/members", url.Values{"admin_id": {fmt.Sprint(ana.ID)}}); r.status != http.StatusNotFound {
		t.Errorf("add to no team: %d", r.status)
	}
	if r := c.post(teamPath, url.Values{"admin_id": {"999"}}); r.status != http.StatusNotFound {
		t.Errorf("add no teammate: %d", r.status)
	}

	// API tokens: made and shown once (on the page the creation redirects to), working at
	// /api/me; listed without the token; revoked.
	r = c.post("/inbox/settings/tokens", url.Values{"name": {"CRM sync"}})
	if r.status != http.StatusSeeOther || r.location != "/inbox/settings/tokens?done=token-created" {
		t.Fatalf("create token: %d %q %s", r.status, r.location, r.body)
	}
	shown := c.get(r.location)
	token := regexp.MustCompile(`id="settings-new-token" value="(hd_[A-Za-z0-9_-]+)"`).FindStringSubmatch(shown.body)
	if shown.status != http.StatusOK || token == nil {
		t.Fatalf("the new token is not shown: %d %s", shown.status, shown.body)
	}
	me := e.DoWith(token[1], "GET", "/api/me", nil)
	if me.Status != http.StatusOK || me.JSON()["email"] != mateEmail {
		t.Fatalf("/api/me with the new token: %d %s", me.Status, me.Body)
	}
	list := c.get("/inbox/settings/tokens")
	if !strings.Contains(list.body, "<td>CRM sync</td>") || strings.Contains(list.body, token[1]) {
		t.Error("the list shows the token, or not its name")
	}
	if r := c.post("/inbox/settings/tokens", url.Values{"name": {"  "}}); r.status != http.StatusUnprocessableEntity ||
		!strings.Contains(settingsFieldError(t, r.body, "token-name"), "blank") {
		t.Errorf("a blank token name: %d", r.status)
	}
	// The owner's token is not Mia's to revoke.
	owners, err := e.DB.Read().AdminTokens(ctx, e.Admin.ID)
	if err != nil || len(owners) != 1 {
		t.Fatal(owners, err)
	}
	if r := c.post(fmt.Sprintf("/inbox/settings/tokens/%d/revoke", owners[0].ID), nil); r.status != http.StatusNotFound {
		t.Errorf("revoke another's token: %d", r.status)
	}
	id := regexp.MustCompile(`/inbox/settings/tokens/(\d+)/revoke`).FindStringSubmatch(list.body)
	if r := c.post("/inbox/settings/tokens/"+id[1]+"/revoke", nil); r.status != http.StatusSeeOther {
		t.Fatalf("revoke: %d", r.status)
	}
	// The API trusts a token it checked for ten seconds.
	e.Clock.Advance(11 * time.Second)
	if me := e.DoWith(token[1], "GET", "/api/me", nil); me.Status != http.StatusUnauthorized {
		t.Errorf("/api/me with a revoked token: %d", me.Status)
	}
	if me := e.Do("GET", "/api/me", nil); me.Status != http.StatusOK {
		t.Errorf("the owner's token stopped working: %d", me.Status)
	}
	if list := c.get("/inbox/settings/tokens"); strings.Contains(list.body, "<td>CRM sync</td>") {
		t.Error("a revoked token is listed")
	}
}

func TestSettings_MessengerSnippetAndPortalURL(t *testing.T) {
	e := start(t)
	c := e.signedIn(t)
	ctx := context.Background()

	p := c.get("/inbox/settings/messenger")
	if p.status != http.StatusOK {
		t.Fatalf("messenger settings: %d", p.status)
	}
	for _, want := range []string{
		`&lt;script src="` + e.URL + `/messenger.js" data-user-jwt="JWT" async&gt;&lt;/script&gt;`, // M1
		e.URL + `/portal/login?jwt=JWT`, // P7
		"jwt.SigningMethodHS256", "Not set",
	} {
		if !strings.Contains(p.body, want) {
			t.Errorf("the page lacks %s", want)
		}
	}

	// A secret too short is refused beside its field.
	r := c.post("/inbox/settings/messenger/identity-secret", url.Values{"identity_secret": {"hunter2"}})
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(settingsFieldError(t, r.body, "identity-secret-input"), "at least 32") {
		t.Errorf("short secret: %d", r.status)
	}
	// The secret saved lets the product's JWT in at the portal (P2, P7), and is never shown.
	secret := "a-secret-of-the-workspace-0123456789abcdef"
	if r := c.post("/inbox/settings/messenger/identity-secret", url.Values{"identity_secret": {secret}}); r.status != http.StatusSeeOther {
		t.Fatalf("set secret: %d %s", r.status, r.body)
	}
	portal := func(secret string) int {
		t.Helper()
		jwt, err := identity.Sign(identity.Claims{UserID: "u-42", Email: "pat@example.com", Name: "Pat",
			ExpiresAt: e.Clock.Now().Add(time.Hour)}, []byte(secret))
		if err != nil {
			t.Fatal(err)
		}
		return e.client(t).get("/portal/login?jwt=" + url.QueryEscape(jwt)).status
	}
	if got := portal(secret); got != http.StatusSeeOther {
		t.Errorf("portal sign-in with the saved secret: %d", got)
	}
	if got := portal("another-secret-entirely-0123456789abcdef"); got != http.StatusUnauthorized {
		t.Errorf("portal sign-in with another secret: %d", got)
	}
	// The secret is masked, and shown in full only behind a closed "Show" disclosure, for owners
	// and admins to copy into their product's configuration.
	p = c.get("/inbox/settings/messenger")
	if shown, open := settingsSecretShown(t, p.body); strings.Count(p.body, secret) != 1 || shown != secret || open ||
		!strings.Contains(p.body, "cdef (42 characters)") {
		t.Error("the stored secret is not masked, or not shown behind a closed disclosure")
	}

	// A generated secret replaces the previous one, and is shown open on the page the generation
	// redirects to.
	r = c.post("/inbox/settings/messenger/identity-secret/generate", nil)
	if r.status != http.StatusSeeOther || r.location != "/inbox/settings/messenger?done=secret-generated" {
		t.Fatalf("generate: %d %q", r.status, r.location)
	}
	p = c.get(r.location)
	generated, open := settingsSecretShown(t, p.body)
	if p.status != http.StatusOK || !open || !regexp.MustCompile(`^[A-Za-z0-9_-]{43}$`).MatchString(generated) {
		t.Fatalf("the generated secret is not shown: %d %q", p.status, generated)
	}
	if got := portal(generated); got != http.StatusSeeOther {
		t.Errorf("portal sign-in with the generated secret: %d", got)
	}
	if got := portal(secret); got != http.StatusUnauthorized {
		t.Errorf("the previous secret still works: %d", got)
	}
	if v, _ := e.DB.Read().Setting(ctx, "identity_secret"); v != generated {
		t.Error("the secret shown is not the one in force")
	}

	// The logo (E1): an http(s) URL or a path, nothing else.
	r = c.post("/inbox/settings/messenger/logo", url.Values{"logo_url": {"javascript:alert(1)"}})
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(settingsFieldError(t, r.body, "logo-url"), "https://") {
		t.Errorf("bad logo: %d", r.status)
	}
	if v, _ := e.DB.Read().Setting(ctx, "messenger_logo_url"); v != "" {
		t.Errorf("a refused logo was saved: %q", v)
	}
	if r := c.post("/inbox/settings/messenger/logo", url.Values{"logo_url": {"https://cdn.example.com/logo.png"}}); r.status != http.StatusSeeOther {
		t.Fatalf("logo: %d %s", r.status, r.body)
	}
	if v, _ := e.DB.Read().Setting(ctx, "messenger_logo_url"); v != "https://cdn.example.com/logo.png" {
		t.Errorf("logo setting %q", v)
	}
	if p := c.get("/inbox/settings/email"); !strings.Contains(p.body, "https://cdn.example.com/logo.png") {
		t.Error("the email settings do not show the logo")
	}
}

func TestSettings_TheEnvironmentsIdentitySecretIsInForce(t *testing.T) {
	envSecret := "the-operators-secret-0123456789abcdefgh"
	e := settingsStart(t, func(c *config.Config) { c.IdentitySecret = envSecret })
	c := e.signedIn(t)
	p := c.get("/inbox/settings/messenger")
	if !strings.Contains(p.body, "HELPDESK_IDENTITY_SECRET</code> is in force") || strings.Contains(p.body, "/identity-secret/generate") ||
		strings.Contains(p.body, envSecret) {
		t.Errorf("with the environment's secret, the page offers a change or shows it")
	}
	for _, path := range []string{"/inbox/settings/messenger/identity-secret/generate", "/inbox/settings/messenger/identity-secret"} {
		r := c.post(path, url.Values{"identity_secret": {strings.Repeat("x", 40)}})
		if r.status != http.StatusConflict || !strings.Contains(r.body, "change it there") {
			t.Errorf("POST %s: %d", path, r.status)
		}
	}
	if v, _ := e.DB.Read().Setting(context.Background(), "identity_secret"); v != "" {
		t.Errorf("the setting was changed: %q", v)
	}
}

func TestSettings_EmailShowsTheConfigurationInForce(t *testing.T) {
	e := settingsStart(t, func(c *config.Config) {
		c.SMTPURL = "smtp://mailer:hunter2-password@mail.example.com:2525"
		c.MailFrom = "Acme Support <support@acme.example>"
		c.InboundSecret = "inbound-secret"
		c.ReplyEmailDelay = 90 * time.Second
	})
	p := e.signedIn(t).get("/inbox/settings/email")
	if p.status != http.StatusOK {
		t.Fatalf("email settings: %d", p.status)
	}
	for _, want := range []string{"mail.example.com:2525", "support@acme.example", "reply+TOKEN@acme.example", "1m30s",
		"POST " + e.URL + "/inbound/email"} {
		if !strings.Contains(html.UnescapeString(p.body), want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	if strings.Contains(p.body, "hunter2") || strings.Contains(p.body, "inbound-secret") {
		t.Error("the page shows a password or a secret")
	}
	// Without a mail server, it says email is off and why.
	p = start(t).signedIn(t).get("/inbox/settings/email")
	if !strings.Contains(p.body, "HELPDESK_SMTP_URL is not set") {
		t.Error("email off is not said")
	}
}

func TestSettings_AgentsCannotChangeSettings(t *testing.T) {
	e := start(t)
	agent, a := settingsSignIn(t, e, "ana@example.com", store.RoleAgent)
	typ := e.CreateTicketType("Bug", ticket.Customer, nil)
	title := typ.Attributes[0]
	team := e.CreateTeam("Support")
	ctx := context.Background()

	// Agents see every settings page, read-only: no forms that change anything.
	for _, path := range []string{"/inbox/settings", "/inbox/settings/ticket-types", fmt.Sprintf("/inbox/settings/ticket-types/%d", typ.ID),
		fmt.Sprintf("/inbox/settings/ticket-types/%d/attributes/%d", typ.ID, title.ID), "/inbox/settings/teammates",
		"/inbox/settings/teams", "/inbox/settings/messenger"} {
		p := agent.get(path)
		if p.status != http.StatusOK || !strings.Contains(p.body, "read-only for you") {
			t.Errorf("GET %s: %d, no read-only notice", path, p.status)
		}
		if strings.Contains(p.body, `method="post" action="/inbox/settings`) {
			t.Errorf("GET %s offers a change to an agent", path)
		}
	}
	if p := agent.get("/inbox/settings/email"); p.status != http.StatusOK {
		t.Errorf("email settings: %d", p.status)
	}

	// Every change is refused, saying why, and changes nothing.
	types := len(e.MustDo(http.StatusOK, "GET", "/api/ticket_types", nil)["data"].([]any))
	for path, form := range map[string]url.Values{
		"/inbox/settings/ticket-types":                                 {"name": {"Agent's type"}, "category": {"Customer"}},
		fmt.Sprintf("/inbox/settings/ticket-types/%d", typ.ID):         {"name": {"Renamed"}, "category": {"Customer"}},
		fmt.Sprintf("/inbox/settings/ticket-types/%d/archive", typ.ID): {"archived": {"true"}},
		fmt.Sprintf("/inbox/settings/ticket-types/%d/attributes", typ.ID): {"name": {"X"}, "description": {"X"}, "data_type": {"string"},
			"visible_on_create": {"on"}, "visible_to_contacts": {"on"}},
		fmt.Sprintf("/inbox/settings/ticket-types/%d/attributes/%d", typ.ID, title.ID):         {"description": {"Headline"}},
		fmt.Sprintf("/inbox/settings/ticket-types/%d/attributes/%d/move", typ.ID, title.ID):    {"order": {"1"}},
		fmt.Sprintf("/inbox/settings/ticket-types/%d/attributes/%d/archive", typ.ID, title.ID): {"archived": {"true"}},
		"/inbox/settings/teammates":                                              {"email": {"new@example.com"}, "name": {"New"}, "role": {"admin"}, "password": {"long enough"}},
		"/inbox/settings/teams":                                                  {"name": {"Agents' team"}},
		fmt.Sprintf("/inbox/settings/teams/%d/members", team.ID):                 {"admin_id": {fmt.Sprint(a.ID)}},
		fmt.Sprintf("/inbox/settings/teams/%d/members/%d/remove", team.ID, a.ID): nil,
		"/inbox/settings/tokens":                                                 {"name": {"mine"}},
		"/inbox/settings/messenger/logo":                                         {"logo_url": {"https://evil.example/logo.png"}},
		"/inbox/settings/messenger/identity-secret":                              {"identity_secret": {strings.Repeat("s", 40)}},
		"/inbox/settings/messenger/identity-secret/generate":                     nil,
	} {
		r := agent.post(path, form)
		if r.status != http.StatusForbidden || !strings.Contains(r.body, "Only owners and admins can change settings") {
			t.Errorf("POST %s as an agent: %d", path, r.status)
		}
	}
	got := e.MustDo(http.StatusOK, "GET", fmt.Sprintf("/api/ticket_types/%d", typ.ID), nil)
	if n := len(e.MustDo(http.StatusOK, "GET", "/api/ticket_types", nil)["data"].([]any)); n != types || got["name"] != "Bug" ||
		got["archived"] != false || settingsAttr(t, got, ticket.TitleAttribute)["description"] != "Title" {
		t.Errorf("an agent changed the ticket types: %v", got)
	}
	if _, err := e.DB.Read().AdminByEmail(ctx, "new@example.com"); err == nil {
		t.Error("an agent added a teammate")
	}
	if _, err := e.DB.Read().TeamByName(ctx, "Agents' team"); err == nil {
		t.Error("an agent created a team")
	}
	for _, s := range []string{"messenger_logo_url", "identity_secret"} {
		if v, _ := e.DB.Read().Setting(ctx, s); v != "" {
			t.Errorf("an agent set %s", s)
		}
	}
	if tokens, _ := e.DB.Read().AdminTokens(ctx, a.ID); len(tokens) != 0 {
		t.Error("an agent created a token")
	}

	// An agent may revoke their own token (one made for them, say, with helpdesk token create).
	token := e.CreateToken(a.ID)
	tokens, _ := e.DB.Read().AdminTokens(ctx, a.ID)
	if p := agent.get("/inbox/settings/tokens"); !strings.Contains(p.body, fmt.Sprintf("/inbox/settings/tokens/%d/revoke", tokens[0].ID)) {
		t.Error("an agent's tokens page has no Revoke")
	}
	if r := agent.post(fmt.Sprintf("/inbox/settings/tokens/%d/revoke", tokens[0].ID), nil); r.status != http.StatusSeeOther {
		t.Errorf("an agent revoking their token: %d", r.status)
	}
	if me := e.DoWith(token, "GET", "/api/me", nil); me.Status != http.StatusUnauthorized {
		t.Errorf("the revoked token works: %d", me.Status)
	}

	// Changes from another site are refused, for admins too.
	if r := e.signedIn(t).post("/inbox/settings/teams", url.Values{"name": {"Forged"}}, "Sec-Fetch-Site", "cross-site"); r.status != http.StatusForbidden {
		t.Errorf("cross-site change: %d", r.status)
	}
}
